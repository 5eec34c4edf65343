//! The subject page: a subject's public credit report, in the sections of the Credit China
//! report.

use std::collections::BTreeMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::http::Uri;
use axum::response::IntoResponse;
use chrono::NaiveDate;
use xinyong_domain::code::SubjectCode;

use super::context::Ctx;
use super::errors::{Page, PageError};
use super::view::{RecordView, SubjectRow, department_names, record_view, subject_row, visible};
use crate::AppState;
use crate::auth::Visitor;
use crate::error::{ApiError, ErrorCode};
use crate::search::subject_url;
use crate::subjects::is_subject_id;

/// Report sections in the order of the Credit China public credit report (V2.0); the
/// catalogue's `section` of each category says where its records go, and a section the
/// report does not have (`professional`) goes to 其他信息.
const SECTIONS: &[&str] = &[
    "administrative",
    "honours",
    "serious_dishonesty",
    "abnormal_operations",
    "commitments",
    "evaluations",
    "judicial",
    "other",
];

pub struct SectionView {
    pub id: String,
    pub number: usize,
    pub title: String,
    pub records: Vec<RecordView>,
}

#[derive(Template, WebTemplate)]
#[template(path = "subject.html")]
struct SubjectPage {
    ctx: Ctx,
    q: String,
    subject: SubjectRow,
    as_of: NaiveDate,
    sections: Vec<SectionView>,
    negative_count: usize,
    grade: Option<super::grade_view::GradeView>,
    /// The registration's facts (label, value), from the latest registration record.
    basics: Vec<(&'static str, String)>,
    /// An organisation's people in regulated roles that the public sees (lawyers at a firm):
    /// name, profession, licence, since, until.
    people: Vec<[String; 5]>,
}

/// The public roles at an organisation, for its page (a non-public profession's are left
/// out: who the civil servants of a body are is not published).
async fn people_of(state: &AppState, ctx: &Ctx, code: &str) -> Result<Vec<[String; 5]>, ApiError> {
    let roles = state.store.roles_at(code, 200).await?;
    Ok(roles
        .iter()
        .filter_map(|r| {
            let p = state
                .catalogue
                .profession(&r.profession)
                .filter(|p| p.public)?;
            let public = xinyong_domain::role::PublicRole::from(r);
            Some([
                crate::public::text(&public.name),
                ctx.pick(&p.name_zh, &p.name_en).to_owned(),
                crate::public::text(&public.licence_no),
                ctx.date(r.since),
                r.until.map(|u| ctx.date(u)).unwrap_or_default(),
            ])
        })
        .collect())
}

/// The basic information a registration record gives, in the order of Credit China's report;
/// only what the record holds.
fn basics_of(
    ctx: &Ctx,
    r: &xinyong_domain::disclosure::PublicRecord,
    departments: &BTreeMap<String, String>,
) -> Vec<(&'static str, String)> {
    let l = ctx.l;
    let field = |name: &str| match r.fields.get(name) {
        Some(serde_json::Value::String(s)) => crate::public::text(s),
        Some(serde_json::Value::Null) | None => String::new(),
        Some(other) => other.to_string(),
    };
    let date = |name: &str| {
        let v = field(name);
        NaiveDate::parse_from_str(&v, "%Y-%m-%d").map_or(v, |d| ctx.date(d))
    };
    let mut out = vec![
        (l.basic_legal_rep, field("legal_representative")),
        (l.basic_established, date("established_on")),
        (l.basic_status, field("registration_status")),
        (l.basic_capital, field("registered_capital_10k_yuan")),
        (l.basic_authority, field("registration_authority")),
        (l.basic_approved, ctx.date(r.decided_on)),
        (l.basic_address, field("address")),
        (l.basic_scope, field("business_scope")),
    ];
    out.retain(|(_, v)| !v.is_empty());
    let source = departments
        .get(&r.department)
        .cloned()
        .unwrap_or_else(|| r.department.clone());
    out.push((l.basic_source, crate::public::text(&source)));
    out
}

pub(super) async fn subject(
    State(state): State<AppState>,
    visitor: Result<Visitor, ApiError>,
    uri: Uri,
    Path(key): Path<String>,
) -> impl IntoResponse {
    let result = async {
        let mut ctx = Ctx::new(&state, &uri, "");
        let Visitor(caller) = visitor?;
        let stored = if is_subject_id(&key) {
            state.store.subject_by_id(&key).await?
        } else {
            let code = SubjectCode::parse(&key.to_ascii_uppercase()).map_err(|e| {
                PageError::bilingual(
                    ErrorCode::InvalidCode,
                    format!("{}: {e}", ctx.l.bad_code),
                    format!("{}：{}", ctx.l.bad_code, super::errors::code_error_zh(&e)),
                )
            })?;
            // As in the API: a full identity number finds a person only for a caller that may
            // look persons up by number; anyone else is told there is no such subject.
            let hidden = matches!(code, SubjectCode::Citizen(_))
                && !caller.finds_persons_by_number(code.as_str());
            if hidden {
                None
            } else {
                state.store.subject(code.as_str()).await?
            }
        };
        let stored = stored
            .ok_or_else(|| PageError::new(ErrorCode::UnknownSubject, ctx.l.not_found_text))?;
        // The language toggle leads to this page by its public address: a person's opaque
        // id, never the number the page was asked for (masked, that would be a bad code).
        ctx.set_path(&subject_url(&stored));
        let records = state.store.records_of_subject(stored.code.as_str()).await?;
        let departments = department_names(&state).await?;
        let mut by_section: BTreeMap<&str, Vec<RecordView>> = BTreeMap::new();
        let mut negative_count = 0;
        let mut registration: Option<xinyong_domain::disclosure::PublicRecord> = None;
        for (r, _) in visible(&state, &records) {
            let Some(c) = state.catalogue.category(&r.category) else {
                continue;
            };
            // Registration is the basic information itself: the latest record shows.
            if c.section == "basics" {
                if registration
                    .as_ref()
                    .is_none_or(|b| b.decided_on < r.decided_on)
                {
                    registration = Some(r);
                }
                continue;
            }
            let section = SECTIONS
                .iter()
                .find(|s| **s == c.section)
                .copied()
                .unwrap_or("other");
            negative_count += usize::from(c.negative);
            by_section
                .entry(section)
                .or_default()
                .push(record_view(&ctx, c, &r, &departments));
        }
        let sections = SECTIONS
            .iter()
            .enumerate()
            .map(|(i, id)| SectionView {
                id: (*id).to_owned(),
                number: i + 2,
                title: ctx.section(id).to_owned(),
                records: by_section.remove(id).unwrap_or_default(),
            })
            .collect();
        let grade = super::grade_view::grade_box(&state, &ctx, &stored).await?;
        let basics = registration
            .map(|r| basics_of(&ctx, &r, &departments))
            .unwrap_or_default();
        let people = match stored.code {
            SubjectCode::Unified(ref c) => people_of(&state, &ctx, c.as_str()).await?,
            SubjectCode::Citizen(_) => Vec::new(),
        };
        Ok(SubjectPage {
            basics,
            people,
            grade,
            subject: subject_row(&stored),
            q: String::new(),
            as_of: state.today(),
            sections,
            negative_count,
            ctx,
        })
    }
    .await;
    Page::new(&state, uri, result)
}
