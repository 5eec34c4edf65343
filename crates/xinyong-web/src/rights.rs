//! What the subject-rights endpoints (objections, repairs) share: the subject's own record,
//! text checks, the time a case is stamped with, and settling provisional deadlines.

use chrono::{DurationRound, TimeDelta, Utc};
use xinyong_domain::text::{Lines, check_text};
use xinyong_domain::{FieldError, Record};

use crate::AppState;
use crate::auth::{PartyCaller, SubjectCaller};
use crate::error::{ApiError, ErrorCode};

/// Longest free text a case takes (a reason, a commitment), in characters.
pub const MAX_TEXT: usize = 2000;

/// Now, to the millisecond: the precision both engines keep.
pub fn now() -> chrono::DateTime<Utc> {
    let now = Utc::now();
    now.duration_trunc(TimeDelta::milliseconds(1))
        .unwrap_or(now)
}

pub fn unknown_record(id: &str) -> ApiError {
    ApiError::new(
        ErrorCode::UnknownRecord,
        format!("you have no record with id {id}"),
    )
}

/// The record `id` if it is about the calling subject; otherwise 404, as for a record that
/// does not exist (a subject learns nothing of others' records).
pub async fn own_record(
    state: &AppState,
    caller: &SubjectCaller,
    id: &str,
) -> Result<Record, ApiError> {
    state
        .store
        .record(id)
        .await?
        .filter(|r| r.subject_code.as_str().eq_ignore_ascii_case(&caller.code))
        .ok_or_else(|| unknown_record(id))
}

/// Refuses empty free text, and text over [`MAX_TEXT`] or with control characters.
pub fn text_checked(field: &str, text: &str) -> Result<(), ApiError> {
    let problem = if text.trim().is_empty() {
        Some("must not be empty".to_owned())
    } else {
        check_text(text, MAX_TEXT, Lines::Many).err()
    };
    match problem {
        Some(message) => Err(ApiError::invalid_fields(vec![FieldError::new(
            field, message,
        )])),
        None => Ok(()),
    }
}

/// Whether `caller` is a party to a case about `subject` decided by `department`: the
/// subject, that department, or an operator.
pub fn is_party(caller: &PartyCaller, subject: &str, department: &str) -> bool {
    match caller {
        PartyCaller::Operator => true,
        PartyCaller::Department(d) => d.code == department,
        PartyCaller::Subject { code } => subject.eq_ignore_ascii_case(code),
    }
}

/// Recomputes the provisional deadlines of every open objection and pending repair with the
/// calendar in force (a newly published year was loaded) and stores those that changed, each
/// with its audit-log entry, which the subject is told of. Returns how many cases changed.
pub async fn settle_deadlines(state: &AppState) -> Result<usize, ApiError> {
    use xinyong_domain::rights::{Objection, RepairApplication, filing_day, settled_deadlines};
    let mut settled = 0;
    if let Some(procedure) = state.catalogue.procedure("objection") {
        for o in state.store.open_objections(None).await? {
            let day = filing_day(o.filed_at);
            if let Some(deadlines) =
                settled_deadlines(&o.deadlines, procedure, &state.calendar, day)
            {
                let o = Objection { deadlines, ..o };
                settled += usize::from(state.store.reschedule_objection(&o).await?);
            }
        }
    }
    if let Some(procedure) = state.catalogue.procedure("repair") {
        for r in state.store.pending_repairs(None).await? {
            let day = filing_day(r.filed_at);
            if let Some(deadlines) =
                settled_deadlines(&r.deadlines, procedure, &state.calendar, day)
            {
                let r = RepairApplication { deadlines, ..r };
                settled += usize::from(state.store.reschedule_repair(&r).await?);
            }
        }
    }
    Ok(settled)
}
