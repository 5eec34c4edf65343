//! The subject's complete file (issue #12): every record in every class and status, every
//! credit check about it, every non-public read, and every objection, repair, grant and
//! evidence file it made, each with the index of the audit-log entry that proves it, so that the subject can
//! ask `/api/v1/ledger/proof/inclusion` for each and check it against a signed head.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::State;
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use utoipa::ToSchema;
use xinyong_domain::SubjectKind;
use xinyong_domain::attachment::Attachment;
use xinyong_domain::disclosure::{FileRecord, file_record};
use xinyong_domain::rights::{Objection, RepairApplication, SubjectGrant};

use crate::AppState;
use crate::auth::SubjectCaller;
use crate::error::{ApiError, ErrorCode};
use crate::ledger::{MAX_ENTRIES, sign_head};

/// Something in the file, with the audit-log entry that vouches for it.
#[derive(Serialize, ToSchema)]
pub struct Proven<T> {
    #[serde(flatten)]
    pub item: T,
    /// The leaf index of its latest audit-log entry (`None` only for data written before
    /// the log existed).
    pub ledger_index: Option<u64>,
}

/// A credit check about the subject.
#[derive(Serialize, ToSchema)]
pub struct CheckAbout {
    pub(crate) id: String,
    pub(crate) department: String,
    pub(crate) context: String,
    pub(crate) at: DateTime<Utc>,
}

/// A non-public read of the subject's file, as the audit log holds it.
#[derive(Serialize, ToSchema)]
pub struct Read {
    pub(crate) ledger_index: u64,
    /// `read.shared` or `read.restricted`.
    pub(crate) kind: String,
    /// Who read: a department code, or a token id.
    pub(crate) actor: String,
    pub(crate) at_ms: u64,
}

/// The complete file.
#[derive(Serialize, ToSchema)]
pub struct CompleteFile {
    pub(crate) code: String,
    pub(crate) name: String,
    pub(crate) kind: SubjectKind,
    pub(crate) as_of: NaiveDate,
    /// Every record, every class and status (current, expired, under objection, repaired,
    /// revoked), nothing masked.
    #[schema(value_type = Vec<Object>)]
    pub(crate) records: Vec<Proven<FileRecord>>,
    pub(crate) checks: Vec<Proven<CheckAbout>>,
    /// The latest 1,000 non-public reads, newest first.
    pub(crate) reads: Vec<Read>,
    #[schema(value_type = Vec<Object>)]
    pub(crate) objections: Vec<Proven<Objection>>,
    #[schema(value_type = Vec<Object>)]
    pub(crate) repairs: Vec<Proven<RepairApplication>>,
    #[schema(value_type = Vec<Object>)]
    pub(crate) grants: Vec<Proven<SubjectGrant>>,
    /// The evidence files it stored (descriptions; the files at `/api/v1/attachments/{id}`).
    #[schema(value_type = Vec<Object>)]
    pub(crate) attachments: Vec<Proven<Attachment>>,
    /// A signed tree head of at least this size covers every index above.
    pub(crate) signed_tree_size: u64,
}

/// The caller's complete file, each item with the audit-log index that proves it.
#[utoipa::path(get, path = "/api/v1/me", tag = "rights",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The caller's complete file", body = CompleteFile),
        (status = 401, description = "Missing or invalid token", body = crate::error::Problem),
        (status = 403, description = "Not a subject token", body = crate::error::Problem),
        (status = 404, description = "The platform holds nothing about this subject", body = crate::error::Problem),
    ))]
pub async fn complete_file(
    caller: SubjectCaller,
    State(state): State<AppState>,
) -> Result<Json<CompleteFile>, ApiError> {
    let store = &state.store;
    let subject = store.subject(&caller.code).await?.ok_or_else(|| {
        ApiError::new(
            ErrorCode::UnknownSubject,
            "the platform holds no file about you",
        )
    })?;
    let code = subject.code.as_str();
    let rows = store
        .ledger_rows_of_subject(code, MAX_ENTRIES as u32)
        .await?;
    // Newest first: the first entry naming a row is its latest.
    let mut index: BTreeMap<&str, u64> = BTreeMap::new();
    let mut reads = Vec::new();
    for row in &rows {
        if let Some(r) = row.ref_id.as_deref() {
            index.entry(r).or_insert(row.index);
        }
        if row.entry.kind.starts_with("read.") {
            reads.push(Read {
                ledger_index: row.index,
                kind: row.entry.kind.clone(),
                actor: row.entry.actor.clone(),
                at_ms: row.entry.at_ms,
            });
        }
    }
    let at = |reference: String| index.get(reference.as_str()).copied();
    let today = state.today();
    let records = store
        .records_of_subject(code)
        .await?
        .iter()
        .filter_map(|r| {
            let category = state.catalogue.category(&r.category)?;
            Some(Proven {
                ledger_index: at(format!("{}@{}", r.id, r.version)),
                item: file_record(r, category, today),
            })
        })
        .collect();
    let checks = store
        .checks_of_subject(code)
        .await?
        .into_iter()
        .map(|c| Proven {
            ledger_index: at(format!("check:{}", c.id)),
            item: CheckAbout {
                id: c.id,
                department: c.department,
                context: c.context,
                at: c.created_at,
            },
        })
        .collect();
    let objections = store
        .objections_of_subject(code)
        .await?
        .into_iter()
        .map(|o| Proven {
            // The latest of filing, escalation and decision.
            ledger_index: ["objection", "objection-escalation", "objection-decision"]
                .into_iter()
                .filter_map(|kind| at(format!("{kind}:{}", o.id)))
                .max(),
            item: o,
        })
        .collect();
    let repairs = store
        .repairs_of_subject(code)
        .await?
        .into_iter()
        .map(|r| Proven {
            ledger_index: at(format!("repair-decision:{}", r.id))
                .or_else(|| at(format!("repair:{}", r.id))),
            item: r,
        })
        .collect();
    let grants = store
        .grants_of_subject(code)
        .await?
        .into_iter()
        .map(|g| Proven {
            ledger_index: at(format!("grant:{}", g.id)),
            item: g,
        })
        .collect();
    let attachments = store
        .attachments_of_subject(code)
        .await?
        .into_iter()
        .map(|a| Proven {
            ledger_index: at(format!("attachment:{}", a.id)),
            item: a,
        })
        .collect();
    let signed_tree_size = sign_head(&state).await?.map_or(0, |h| h.size);
    Ok(Json(CompleteFile {
        code: subject.code.to_string(),
        name: subject.name,
        kind: subject.kind,
        as_of: today,
        records,
        checks,
        reads,
        objections,
        repairs,
        grants,
        attachments,
        signed_tree_size,
    }))
}
