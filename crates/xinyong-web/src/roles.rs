//! People in regulated roles (issue #13, SPEC row 14): departments register who holds which
//! licence at which organisation, for the professions they are given; professional records
//! attach to those roles (checked at submission, `records::store_valid`); who holds a public
//! profession's role is public, a civil servant's registration is seen only by its own
//! organisation, the registering department, operators and the person.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use xinyong_domain::disclosure::{PublicRecord, public_record, public_visibility};
use xinyong_domain::role::{PersonInRole, PublicRole, RoleRegistration, attach};
use xinyong_domain::text::parse_date;
use xinyong_domain::{FieldError, ValidRecord};
use xinyong_store::RoleRefusal;

use crate::AppState;
use crate::auth::{Caller, DepartmentCaller, Visitor};
use crate::error::{ApiError, ErrorCode, JsonBody, Path, RecordError};

/// Most roles listed for one organisation.
const MAX_ROLES: u32 = 1_000;

/// Whether `caller` may see that `role` exists: anyone for a public profession; otherwise
/// the registering department, the organisation's own department, an operator, the person.
fn may_see(state: &AppState, caller: &Caller, role: &PersonInRole) -> bool {
    let public = state
        .catalogue
        .profession(&role.profession)
        .is_some_and(|p| p.public);
    public
        || match caller {
            Caller::Operator { .. } => true,
            Caller::Department { department, .. } => {
                department.code == role.department || department.code == role.organisation
            }
            Caller::Subject { code, .. } => code == role.person.as_str(),
            Caller::Anonymous | Caller::Service { .. } => false,
        }
}

fn unknown_role() -> ApiError {
    ApiError::new(ErrorCode::UnknownRole, "no role with this id")
}

/// Registers a person in a regulated role (lawyer, doctor, civil servant...) for a
/// profession the department is given. The person's identity number is stored only sealed;
/// the registration is in the audit log.
#[utoipa::path(post, path = "/api/v1/roles", tag = "roles",
    request_body = RoleRegistration,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "The role as stored", body = PersonInRole),
        (status = 403, description = "The department does not register this profession", body = crate::error::Problem),
        (status = 409, description = "The licence is held by an open role of the profession: end it first", body = crate::error::Problem),
        (status = 422, description = "Invalid fields; nothing stored", body = crate::error::Problem),
    ))]
pub async fn register(
    DepartmentCaller(department): DepartmentCaller,
    State(state): State<AppState>,
    JsonBody(body): JsonBody<RoleRegistration>,
) -> Result<(StatusCode, Json<PersonInRole>), ApiError> {
    if state.catalogue.profession(&body.profession).is_some()
        && !department.registers_profession(&body.profession)
    {
        return Err(ApiError::new(
            ErrorCode::ProfessionNotAllowed,
            format!(
                "department {} does not register people in the profession {}",
                department.code, body.profession
            ),
        ));
    }
    let role = body
        .check(
            &state.catalogue,
            &department,
            xinyong_store::new_id(),
            state.today(),
        )
        .map_err(ApiError::invalid_fields)?;
    match state.store.register_role(&role).await? {
        Ok(()) => Ok((StatusCode::CREATED, Json(role))),
        // The holding role is named only where its register is public.
        Err(RoleRefusal::LicenceHeld { by }) => {
            let public = state
                .catalogue
                .profession(&role.profession)
                .is_some_and(|p| p.public);
            let holder = if public {
                format!("role {by} (POST /api/v1/roles/{by}/end ends it)")
            } else {
                "another role".to_owned()
            };
            Err(ApiError::new(
                ErrorCode::LicenceHeld,
                format!(
                    "licence {} of the profession {} is held by {holder} over the same days",
                    role.licence_no, role.profession
                ),
            ))
        }
    }
}

/// The end of a role.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RoleEnd {
    /// The last day in the role, `YYYY-MM-DD`.
    until: String,
}

/// Ends a role (the person left the organisation or lost the licence), by the department
/// that registered it.
#[utoipa::path(post, path = "/api/v1/roles/{id}/end", tag = "roles",
    params(("id" = String, Path, description = "Role id")),
    request_body = RoleEnd,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The role, ended", body = PersonInRole),
        (status = 403, description = "Another department registered the role", body = crate::error::Problem),
        (status = 404, description = "No such role", body = crate::error::Problem),
        (status = 422, description = "Not a date, or before the role began", body = crate::error::Problem),
    ))]
pub async fn end(
    DepartmentCaller(department): DepartmentCaller,
    State(state): State<AppState>,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<RoleEnd>,
) -> Result<Json<PersonInRole>, ApiError> {
    let role = state.store.role(&id).await?.ok_or_else(unknown_role)?;
    let caller = Caller::Department {
        token: String::new(),
        department: department.clone(),
    };
    // A role the department may not even see is answered as if there were none.
    if !may_see(&state, &caller, &role) {
        return Err(unknown_role());
    }
    if role.department != department.code {
        return Err(ApiError::new(
            ErrorCode::NotOwner,
            "only the department that registered a role ends it",
        ));
    }
    let until = parse_date(&body.until)
        .map_err(|e| ApiError::invalid_fields(vec![FieldError::new("until", e)]))?;
    if until < role.since {
        return Err(ApiError::invalid_fields(vec![FieldError::new(
            "until",
            format!("is before the role began ({})", role.since),
        )]));
    }
    // An end moves only earlier: a later one could reopen the licence over its next holder.
    if let Some(ended) = role.until.filter(|e| until > *e) {
        return Err(ApiError::invalid_fields(vec![FieldError::new(
            "until",
            format!("the role already ended on {ended}; an end can only be moved earlier"),
        )]));
    }
    let ended = state
        .store
        .end_role(&id, until)
        .await?
        .ok_or_else(unknown_role)?;
    Ok(Json(ended))
}

/// A role with the professional records attached to it that the public sees.
#[derive(Serialize, ToSchema)]
pub struct RoleFile {
    #[serde(flatten)]
    role: PublicRole,
    profession_name_zh: String,
    profession_name_en: String,
    /// Records of the role's professional categories that name its licence and organisation,
    /// as far as the public sees them today.
    records: Vec<PublicRecord>,
}

/// A person in a role and the public professional records attached to it. Roles of a
/// profession that is not public (civil servants) are answered only to their own
/// organisation, the registering department, operators and the person; to anyone else as
/// if there were no such role.
#[utoipa::path(get, path = "/api/v1/roles/{id}", tag = "roles",
    params(("id" = String, Path, description = "Role id")),
    responses(
        (status = 200, description = "The role and its public records", body = RoleFile),
        (status = 401, description = "An invalid token was presented", body = crate::error::Problem),
        (status = 404, description = "No such role (or not one the caller may see)", body = crate::error::Problem),
    ))]
pub async fn show(
    Visitor(caller): Visitor,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<RoleFile>, ApiError> {
    let role = state.store.role(&id).await?.ok_or_else(unknown_role)?;
    if !may_see(&state, &caller, &role) {
        return Err(unknown_role());
    }
    let today = state.today();
    let records = state
        .store
        .records_of_subject(role.person.as_str())
        .await?
        .iter()
        .filter_map(|r| Some((r, state.catalogue.category(&r.category)?)))
        .filter(|(r, c)| {
            let names = |f: &str, v: &str| r.fields.get(f).and_then(|x| x.as_str()) == Some(v);
            c.professions.contains(&role.profession)
                && names("licence_no", &role.licence_no)
                && names("organisation_code", &role.organisation)
                && public_visibility(r, c, today).is_ok()
        })
        .map(|(r, c)| public_record(r, c))
        .collect();
    let (zh, en) = state
        .catalogue
        .profession(&role.profession)
        .map(|p| (p.name_zh.clone(), p.name_en.clone()))
        .unwrap_or_default();
    Ok(Json(RoleFile {
        role: PublicRole::from(&role),
        profession_name_zh: zh,
        profession_name_en: en,
        records,
    }))
}

/// The people in roles at an organisation.
#[derive(Serialize, ToSchema)]
pub struct OrganisationRoles {
    roles: Vec<PublicRole>,
}

/// The people in regulated roles at an organisation (a law firm's lawyers, a hospital's
/// doctors), current and past, as far as the caller may see them.
#[utoipa::path(get, path = "/api/v1/subjects/{code}/roles", tag = "roles",
    params(("code" = String, Path, description = "The organisation's Unified Social Credit Code")),
    responses(
        (status = 200, description = "The organisation's people in roles", body = OrganisationRoles),
        (status = 400, description = "Not a valid unified code", body = crate::error::Problem),
        (status = 401, description = "An invalid token was presented", body = crate::error::Problem),
    ))]
pub async fn of_organisation(
    Visitor(caller): Visitor,
    State(state): State<AppState>,
    Path(code): Path<String>,
) -> Result<Json<OrganisationRoles>, ApiError> {
    let code = xinyong_domain::code::UnifiedCode::parse(&code)?;
    let roles = state
        .store
        .roles_at(code.as_str(), MAX_ROLES)
        .await?
        .iter()
        .filter(|r| may_see(&state, &caller, r))
        .map(PublicRole::from)
        .collect();
    Ok(Json(OrganisationRoles { roles }))
}

/// Checks that every record of a category with professions attaches to a role its subject
/// holds (`role::attach`); the problems name the record by its place in `valid`.
pub(crate) async fn check_attachments(
    state: &AppState,
    valid: &[ValidRecord],
) -> Result<(), ApiError> {
    let mut errors = Vec::new();
    for (index, record) in valid.iter().enumerate() {
        let Some(category) = state.catalogue.category(&record.category) else {
            continue;
        };
        if category.professions.is_empty() {
            continue;
        }
        let roles = state
            .store
            .roles_of_person(record.subject.code.as_str())
            .await?;
        if let Err(e) = attach(record, category, &roles) {
            errors.push(RecordError::at(index, e));
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ApiError::InvalidRecords(errors))
    }
}
