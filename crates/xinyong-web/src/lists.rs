//! List types, memoranda, and list entries managed by their authorities.
//!
//! A list entry is a record of its list type's category (one mechanism): adding one goes
//! through the catalogue's validation and the same storage path as any record; removal and
//! extension are new versions of that record.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::ToSchema;
use xinyong_domain::list::{ListEntry, ListType, ListTypes, RawListEntry};
use xinyong_domain::measure::Memoranda;
use xinyong_domain::{Listing, RecordStatus};
use xinyong_store::RecordChange;

use crate::AppState;
use crate::auth::{DepartmentCaller, PublicCaller};
use crate::error::{ApiError, ErrorCode, JsonBody, Path};

/// The list types: authority, grounds, durations, removal rules, bound persons.
#[utoipa::path(get, path = "/api/v1/lists", tag = "lists",
    responses((status = 200, description = "List types in force", body = ListTypes)))]
pub async fn list_types(_: PublicCaller, State(state): State<AppState>) -> Json<ListTypes> {
    Json(state.list_types.as_ref().clone())
}

/// The joint reward and punishment memoranda and their measures, each with its legal basis.
#[utoipa::path(get, path = "/api/v1/memoranda", tag = "lists",
    responses((status = 200, description = "Memoranda in force", body = Object)))]
pub async fn memoranda(_: PublicCaller, State(state): State<AppState>) -> Json<Memoranda> {
    Json(state.memoranda.as_ref().clone())
}

fn list_type<'a>(state: &'a AppState, id: &str) -> Result<&'a ListType, ApiError> {
    state
        .list_types
        .get(id)
        .ok_or_else(|| ApiError::new(ErrorCode::UnknownListType, format!("no list type {id:?}")))
}

fn managed<'a>(
    state: &'a AppState,
    caller: &DepartmentCaller,
    id: &str,
) -> Result<&'a ListType, ApiError> {
    let t = list_type(state, id)?;
    if !caller.0.manages_list(id) {
        return Err(ApiError::new(
            ErrorCode::ListNotManaged,
            format!("department {} does not manage list {id}", caller.0.code),
        ));
    }
    Ok(t)
}

/// A stored list entry.
#[derive(Serialize, ToSchema)]
pub struct EntryResponse {
    id: String,
    version: u32,
    /// `created`, `new_version` or `unchanged` for a new entry; `removed` or `extended` otherwise.
    outcome: &'static str,
    #[schema(value_type = Object)]
    entry: ListEntry,
}

/// Adds an entry to a list. Body: `{"subject": {"code", "name", "kind"}, "ground", "document_no",
/// "starts_on", "ends_on" (optional: the type's default), "related_persons": [{"code", "name",
/// "role"}], "legal_basis" (optional), "fields": {...} (the category's published fields)}`.
#[utoipa::path(post, path = "/api/v1/lists/{list_type}/entries", tag = "lists",
    params(("list_type" = String, Path, description = "List type id")),
    request_body = Object,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Entry stored", body = EntryResponse),
        (status = 401, description = "Missing or invalid token", body = crate::error::Problem),
        (status = 403, description = "The department does not manage this list", body = crate::error::Problem),
        (status = 404, description = "No such list type", body = crate::error::Problem),
        (status = 422, description = "Invalid entry; nothing stored", body = crate::error::Problem),
    ))]
pub async fn add_entry(
    caller: DepartmentCaller,
    State(state): State<AppState>,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<Value>,
) -> Result<(StatusCode, Json<EntryResponse>), ApiError> {
    let list = managed(&state, &caller, &id)?;
    let Value::Object(mut body) = body else {
        return Err(ApiError::new(
            ErrorCode::MalformedJson,
            "the body must be a JSON object",
        ));
    };
    let fields = match body.remove("fields") {
        None | Some(Value::Null) => Map::new(),
        Some(Value::Object(f)) => f,
        Some(_) => {
            return Err(ApiError::invalid_record(vec![
                xinyong_domain::FieldError::new("fields", "must be an object"),
            ]));
        }
    };
    let legal_basis = match body.remove("legal_basis") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s),
        Some(_) => {
            return Err(ApiError::invalid_record(vec![
                xinyong_domain::FieldError::new("legal_basis", "must be a string"),
            ]));
        }
    };
    let raw = RawListEntry::from_json(&Value::Object(body)).map_err(ApiError::invalid_record)?;
    let today = state.today();
    let valid = list
        .validate_entry(&raw, today)
        .map_err(ApiError::invalid_record)?;
    let raw_record = list.entry_record(&valid, legal_basis.as_deref(), &fields, &state.catalogue);
    let record = state
        .catalogue
        .validate(&raw_record, today)
        .map_err(ApiError::invalid_record)?
        .with_listing(Listing {
            list_type: list.id.clone(),
            ground: valid.ground.clone(),
            related_persons: valid.related_persons.clone(),
        });
    let stored = state
        .store
        .submit(&caller.0.code, std::slice::from_ref(&record))
        .await?;
    crate::grading::after_write(&state, &[record.subject.code.as_str()]).await;
    let Some(s) = stored.first() else {
        // The store answers one outcome per record submitted.
        return Err(ApiError::new(ErrorCode::Internal, "nothing was stored"));
    };
    state
        .lists
        .refresh(&*state.store, std::slice::from_ref(&s.id))
        .await?;
    let entry = current_entry(&state, list, &s.id).await?;
    let outcome = match s.outcome {
        xinyong_store::Outcome::Created => "created",
        xinyong_store::Outcome::NewVersion => "new_version",
        xinyong_store::Outcome::Unchanged => "unchanged",
    };
    Ok((
        StatusCode::CREATED,
        Json(EntryResponse {
            id: s.id.clone(),
            version: s.version,
            outcome,
            entry,
        }),
    ))
}

async fn current_entry(state: &AppState, list: &ListType, id: &str) -> Result<ListEntry, ApiError> {
    let record = state
        .store
        .record(id)
        .await?
        .ok_or_else(|| ApiError::new(ErrorCode::UnknownListEntry, format!("no entry {id}")))?;
    if record.category != list.category {
        return Err(ApiError::new(
            ErrorCode::UnknownListEntry,
            format!("no entry {id} on list {}", list.id),
        ));
    }
    Ok(list.entry_of(&record))
}

/// Why an entry is removed, and the document that decided it.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = RemovalRequest)]
pub struct Removal {
    reason: String,
    document_no: String,
}

/// Removes an entry (obligation performed, correction made). The entry's history stays; it
/// stops counting at once.
#[utoipa::path(post, path = "/api/v1/lists/{list_type}/entries/{id}/removal", tag = "lists",
    params(("list_type" = String, Path), ("id" = String, Path)),
    request_body = Removal,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Entry removed", body = EntryResponse),
        (status = 403, description = "The department does not manage this list", body = crate::error::Problem),
        (status = 404, description = "No such entry of this department", body = crate::error::Problem),
        (status = 409, description = "Already removed", body = crate::error::Problem),
        (status = 422, description = "Reason or document missing", body = crate::error::Problem),
    ))]
pub async fn remove_entry(
    caller: DepartmentCaller,
    State(state): State<AppState>,
    Path((list_id, id)): Path<(String, String)>,
    JsonBody(body): JsonBody<Removal>,
) -> Result<Json<EntryResponse>, ApiError> {
    let list = managed(&state, &caller, &list_id)?;
    let mut errors = Vec::new();
    if body.reason.trim().is_empty() {
        errors.push(xinyong_domain::FieldError::new("reason", "is required"));
    }
    if body.document_no.trim().is_empty() {
        errors.push(xinyong_domain::FieldError::new(
            "document_no",
            "is required",
        ));
    }
    if !errors.is_empty() {
        return Err(ApiError::invalid_fields(errors));
    }
    let entry = current_entry(&state, list, &id).await?;
    if entry.authority != caller.0.code {
        return Err(not_own_entry(&id, &caller));
    }
    if entry.status == xinyong_domain::list::ListEntryStatus::Removed {
        return Err(ApiError::new(
            ErrorCode::EntryRemoved,
            format!("entry {id} is already removed"),
        ));
    }
    let change = RecordChange {
        status: Some(RecordStatus::Removed),
        status_note: Some(format!(
            "{}（{}）",
            body.reason.trim(),
            body.document_no.trim()
        )),
        publicity_until: None,
    };
    changed(&state, &caller, list, &id, &change, "removed").await
}

/// A new end for an entry, within the list type's allowed extension.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = ExtensionRequest)]
pub struct Extension {
    ends_on: NaiveDate,
    document_no: String,
}

/// Extends an entry: a new version with a later end, within the type's allowed extension.
#[utoipa::path(post, path = "/api/v1/lists/{list_type}/entries/{id}/extension", tag = "lists",
    params(("list_type" = String, Path), ("id" = String, Path)),
    request_body = Extension,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Entry extended", body = EntryResponse),
        (status = 403, description = "The department does not manage this list", body = crate::error::Problem),
        (status = 404, description = "No such entry of this department", body = crate::error::Problem),
        (status = 422, description = "End outside the allowed extension", body = crate::error::Problem),
    ))]
pub async fn extend_entry(
    caller: DepartmentCaller,
    State(state): State<AppState>,
    Path((list_id, id)): Path<(String, String)>,
    JsonBody(body): JsonBody<Extension>,
) -> Result<Json<EntryResponse>, ApiError> {
    let list = managed(&state, &caller, &list_id)?;
    let entry = current_entry(&state, list, &id).await?;
    if entry.authority != caller.0.code {
        return Err(not_own_entry(&id, &caller));
    }
    if body.document_no.trim().is_empty() {
        return Err(ApiError::invalid_fields(vec![
            xinyong_domain::FieldError::new("document_no", "is required"),
        ]));
    }
    let allowed = list.allowed_ends(entry.starts_on);
    let category_max = state
        .catalogue
        .category(&list.category)
        .and_then(|c| c.period(entry_tier(&state, list)))
        .and_then(|p| p.bounds(entry.starts_on))
        .map(|(_, hi)| hi);
    let ok = body.ends_on > entry.ends_on
        && allowed.as_ref().is_some_and(|a| a.contains(body.ends_on))
        && category_max.is_some_and(|hi| body.ends_on <= hi);
    if !ok {
        let range = allowed.map_or_else(|| "none".to_owned(), |a| a.to_string());
        return Err(ApiError::invalid_fields(vec![
            xinyong_domain::FieldError::new(
                "ends_on",
                format!(
                    "{} must be after the current end {} and within the allowed ends ({range})",
                    body.ends_on, entry.ends_on
                ),
            ),
        ]));
    }
    let change = RecordChange {
        status: None,
        status_note: Some(format!("延期（{}）", body.document_no.trim())),
        publicity_until: Some(body.ends_on),
    };
    changed(&state, &caller, list, &id, &change, "extended").await
}

/// Another department's entry is not acknowledged to exist.
fn not_own_entry(id: &str, caller: &DepartmentCaller) -> ApiError {
    ApiError::new(
        ErrorCode::UnknownListEntry,
        format!("no entry {id} of department {}", caller.0.code),
    )
}

fn entry_tier(state: &AppState, list: &ListType) -> Option<xinyong_domain::Tier> {
    state
        .catalogue
        .category(&list.category)
        .and_then(|c| c.tiers.iter().map(|t| t.tier).max())
}

async fn changed(
    state: &AppState,
    caller: &DepartmentCaller,
    list: &ListType,
    id: &str,
    change: &RecordChange,
    outcome: &'static str,
) -> Result<Json<EntryResponse>, ApiError> {
    let record = state
        .store
        .change_record(&caller.0.code, id, change)
        .await?
        .ok_or_else(|| not_own_entry(id, caller))?;
    state.lists.refresh(&*state.store, &[id.to_owned()]).await?;
    crate::grading::after_write(state, &[record.subject_code.as_str()]).await;
    Ok(Json(EntryResponse {
        id: record.id.to_string(),
        version: record.version,
        outcome,
        entry: list.entry_of(&record),
    }))
}

/// Which page of a public list.
#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct EntriesQuery {
    /// Entries per page (1 to 200; default 50).
    #[param(minimum = 1, maximum = 200)]
    limit: Option<u32>,
    /// Entries to skip (default 0).
    offset: Option<u32>,
}

/// One page of a public list.
#[derive(Serialize, ToSchema)]
pub struct PublicEntries {
    list_type: String,
    /// Current public entries of the list in all.
    total: u64,
    limit: u32,
    offset: u32,
    /// There is a page after this one (`offset + limit < total`).
    next: bool,
    entries: Vec<PublicEntry>,
}

/// One entry of a public list: whom it names, masked as on the website (a natural person's
/// number never whole), and the record.
#[derive(Serialize, ToSchema)]
pub struct PublicEntry {
    subject_name: String,
    subject_code: String,
    record: xinyong_domain::disclosure::PublicRecord,
}

/// The current public entries of a published list, newest decision first, as on its web page
/// (`/lists/{category}`): anyone may read them.
#[utoipa::path(get, path = "/api/v1/lists/{list_type}/entries", tag = "lists",
    params(("list_type" = String, Path, description = "List type id"), EntriesQuery),
    responses(
        (status = 200, description = "One page of the list", body = PublicEntries),
        (status = 400, description = "limit or offset out of range", body = crate::error::Problem),
        (status = 401, description = "An invalid token was presented", body = crate::error::Problem),
        (status = 404, description = "No such list, or a list that is not public", body = crate::error::Problem),
    ))]
pub async fn entries(
    _: PublicCaller,
    State(state): State<AppState>,
    Path(id): Path<String>,
    crate::error::Query(q): crate::error::Query<EntriesQuery>,
) -> Result<Json<PublicEntries>, ApiError> {
    let unknown = || {
        ApiError::new(
            ErrorCode::UnknownListType,
            format!("no published list {id}; see GET /api/v1/lists"),
        )
    };
    let list = state.list_types.get(&id).ok_or_else(unknown)?;
    let category = state
        .catalogue
        .category(&list.category)
        .filter(|c| c.disclosure == xinyong_domain::Disclosure::Public)
        .ok_or_else(unknown)?;
    let limit = q.limit.unwrap_or(50);
    if !(1..=200).contains(&limit) {
        return Err(ApiError::new(
            ErrorCode::InvalidParameter,
            "limit must be 1 to 200",
        ));
    }
    let offset = q.offset.unwrap_or(0);
    let today = state.today();
    let filter = xinyong_store::CategoryFilter {
        category: category.id.clone(),
        today,
        region: None,
        department: None,
    };
    let page = state
        .store
        .current_records_in_category(&filter, limit, offset)
        .await?;
    let entries = page
        .records
        .iter()
        .filter(|r| xinyong_domain::disclosure::public_visibility(r, category, today).is_ok())
        .map(|r| PublicEntry {
            subject_name: crate::public::text(&r.subject_name),
            subject_code: xinyong_domain::disclosure::public_subject_code(
                r.subject_kind,
                r.subject_code.as_str(),
            ),
            record: xinyong_domain::disclosure::public_record(r, category),
        })
        .collect();
    Ok(Json(PublicEntries {
        list_type: id.clone(),
        total: page.total,
        limit,
        offset,
        next: u64::from(offset) + u64::from(limit) < page.total,
        entries,
    }))
}
