//! The rights page: objection and repair procedures with their deadlines, and the publicity
//! periods of adverse information, all from the catalogue.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::Uri;
use axum::response::IntoResponse;
use xinyong_domain::list::DayCount;
use xinyong_domain::{Disclosure, Tier};

use super::context::Ctx;
use super::errors::Page;
use crate::AppState;

pub struct PeriodRow {
    pub category: String,
    pub tier: Option<Tier>,
    pub min_months: u32,
    pub max_months: u32,
    pub published: bool,
    pub repairable: bool,
}

pub struct Step {
    pub name: String,
    pub days: u32,
    pub unit: &'static str,
}

#[derive(Template, WebTemplate)]
#[template(path = "rights.html")]
struct RightsPage {
    ctx: Ctx,
    q: String,
    objection_steps: Vec<Step>,
    repair_steps: Vec<Step>,
    periods: Vec<PeriodRow>,
}

pub(super) async fn rights(State(state): State<AppState>, uri: Uri) -> impl IntoResponse {
    let ctx = Ctx::new(&state, &uri, "rights");
    // Deadlines are catalogue data: a city that publishes other deadlines edits the catalogue.
    let steps = |id: &str| -> Vec<Step> {
        let Some(p) = state.catalogue.procedure(id) else {
            return Vec::new();
        };
        let unit = match p.day_count {
            DayCount::Working => ctx.l.working_days,
            DayCount::Calendar => ctx.l.calendar_days,
        };
        p.steps
            .iter()
            .map(|s| Step {
                name: if ctx.is_en() { &s.name_en } else { &s.name_zh }.clone(),
                days: s.days,
                unit,
            })
            .collect()
    };
    let objection_steps = steps("objection");
    let repair_steps = steps("repair");
    let mut periods = Vec::new();
    for c in &state.catalogue.categories {
        if !c.negative || c.disclosure != Disclosure::Public {
            continue;
        }
        if c.tiers.is_empty() {
            if let Some(p) = c.period(None) {
                periods.push(PeriodRow {
                    category: ctx.category_name(c).to_owned(),
                    tier: None,
                    min_months: p.min_months,
                    max_months: p.max_months,
                    published: p.published,
                    repairable: c.repairable,
                });
            }
        } else {
            for t in &c.tiers {
                periods.push(PeriodRow {
                    category: ctx.category_name(c).to_owned(),
                    tier: Some(t.tier),
                    min_months: t.min_months,
                    max_months: t.max_months,
                    published: t.published,
                    repairable: c.repairable,
                });
            }
        }
    }
    Page::new(
        &state,
        uri,
        Ok(RightsPage {
            ctx,
            q: String::new(),
            objection_steps,
            repair_steps,
            periods,
        }),
    )
}
