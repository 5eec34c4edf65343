//! People in regulated roles (SPEC row 14; seed II.1-3): a natural person linked to an
//! organisation with a profession from the catalogue and a licence number, registered by a
//! department that the profession is given to.
//!
//! Invariants kept here:
//! - A role names a valid citizen identity number (stored only through the vault), a valid
//!   unified code of an organisation, a profession of the catalogue, a licence number.
//! - A record of a category with professions attaches to a role its subject holds: the same
//!   person, one of the category's professions, the licence and organisation the record
//!   names, held on the decision date ([`attach`]).
//! - A record of an `own_organisation_only` category is read, beyond its subject, only by the
//!   department of the organisation it names and the department that made it
//!   ([`may_read`]); civil servants' integrity records stay in their own organisation.
//! - Who holds a role is public only for a public profession, and never with the full
//!   identity number ([`PublicRole`]).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::catalogue::{Catalogue, Category};
use crate::code::{CitizenId, SubjectCode, UnifiedCode};
use crate::department::Department;
use crate::mask::mask_identity_numbers;
use crate::record::{FieldError, Record, ValidRecord};
use crate::subject::{Subject, SubjectKind};
use crate::text::{Lines, check_text, parse_date};

/// Longest licence number accepted, in characters.
pub const MAX_LICENCE: usize = 64;

/// A person in a regulated role, as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PersonInRole {
    pub id: String,
    /// The person's citizen identity number: never on a public output.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub person: CitizenId,
    pub name: String,
    /// The unified code of the organisation the person works at.
    pub organisation: String,
    pub profession: String,
    pub licence_no: String,
    pub since: NaiveDate,
    /// The last day in the role, once it ended.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub until: Option<NaiveDate>,
    /// The department that registered the role.
    pub department: String,
}

/// A registration as a department submits it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RoleRegistration {
    /// The person's citizen identity number.
    pub person_code: String,
    pub person_name: String,
    /// The unified code of the organisation.
    pub organisation_code: String,
    /// A profession id of the catalogue (`GET /api/v1/catalogue`, `professions`).
    pub profession: String,
    pub licence_no: String,
    /// First day in the role, `YYYY-MM-DD`.
    pub since: String,
    /// Last day in the role, if it ended.
    #[serde(default)]
    pub until: Option<String>,
}

impl RoleRegistration {
    /// Checks a registration by `department` on `today` into a role with id `id`. Every
    /// problem is reported, each naming its field.
    pub fn check(
        &self,
        catalogue: &Catalogue,
        department: &Department,
        id: String,
        today: NaiveDate,
    ) -> Result<PersonInRole, Vec<FieldError>> {
        let mut errors = Vec::new();
        let person = match CitizenId::parse(&self.person_code) {
            Ok(p) if p.birth_date() <= today => Some(p),
            Ok(_) => {
                errors.push(FieldError::new(
                    "person_code",
                    "the holder of this number is not born yet",
                ));
                None
            }
            Err(e) => {
                errors.push(FieldError::new("person_code", e.to_string()));
                None
            }
        };
        let name = self.person_name.trim();
        if name.is_empty() {
            errors.push(FieldError::new("person_name", "is empty"));
        } else if let Err(e) = check_text(name, 100, Lines::One) {
            errors.push(FieldError::new("person_name", e));
        }
        let organisation = match UnifiedCode::parse(&self.organisation_code) {
            Ok(c) => Some(c),
            Err(e) => {
                errors.push(FieldError::new("organisation_code", e.to_string()));
                None
            }
        };
        match catalogue.profession(&self.profession) {
            None => errors.push(FieldError::new(
                "profession",
                format!("{:?} is not a profession of the catalogue", self.profession),
            )),
            Some(p) if !department.registers_profession(&p.id) => errors.push(FieldError::new(
                "profession",
                format!(
                    "department {} does not register people in the profession {}",
                    department.code, p.id
                ),
            )),
            Some(_) => {}
        }
        let licence = self.licence_no.trim();
        if licence.is_empty() {
            errors.push(FieldError::new("licence_no", "is empty"));
        } else if let Err(e) = check_text(licence, MAX_LICENCE, Lines::One) {
            errors.push(FieldError::new("licence_no", e));
        }
        let date = |field: &str, s: &str, errors: &mut Vec<FieldError>| match parse_date(s) {
            Ok(d) => Some(d),
            Err(e) => {
                errors.push(FieldError::new(field, e));
                None
            }
        };
        let since = date("since", &self.since, &mut errors);
        if since.is_some_and(|d| d > today) {
            errors.push(FieldError::new("since", "is after today"));
        }
        let until = match &self.until {
            None => None,
            Some(s) => date("until", s, &mut errors),
        };
        if let (Some(s), Some(u)) = (since, until)
            && u < s
        {
            errors.push(FieldError::new("until", "is before since"));
        }
        match (person, organisation, since, errors.is_empty()) {
            (Some(person), Some(organisation), Some(since), true) => Ok(PersonInRole {
                id,
                person,
                name: name.to_owned(),
                organisation: organisation.as_str().to_owned(),
                profession: self.profession.clone(),
                licence_no: licence.to_owned(),
                since,
                until,
                department: department.code.clone(),
            }),
            _ => Err(errors),
        }
    }
}

impl PersonInRole {
    /// Whether the person was in this role on `day`.
    pub fn held_on(&self, day: NaiveDate) -> bool {
        self.since <= day && self.until.is_none_or(|u| day <= u)
    }

    /// The person as a record subject.
    pub fn subject(&self) -> Subject {
        Subject {
            code: SubjectCode::Citizen(self.person.clone()),
            name: self.name.clone(),
            kind: SubjectKind::NaturalPerson,
        }
    }
}

/// A role as the public sees it: no identity number, masked wherever one could hide.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PublicRole {
    pub id: String,
    pub name: String,
    pub organisation: String,
    pub profession: String,
    pub licence_no: String,
    pub since: NaiveDate,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub until: Option<NaiveDate>,
}

impl From<&PersonInRole> for PublicRole {
    fn from(r: &PersonInRole) -> PublicRole {
        PublicRole {
            id: r.id.clone(),
            name: mask_identity_numbers(&r.name).into_owned(),
            organisation: r.organisation.clone(),
            profession: r.profession.clone(),
            licence_no: mask_identity_numbers(&r.licence_no).into_owned(),
            since: r.since,
            until: r.until,
        }
    }
}

fn field_text<'a>(record: &'a ValidRecord, name: &str) -> Option<&'a str> {
    record
        .fields
        .get(name)
        .and_then(|v| v.as_str())
        .map(str::trim)
}

/// The role a record of `category` attaches to, among `roles` (those its subject holds):
/// `Ok(None)` for a category without professions. A record of a category with professions
/// must name, in `licence_no` and `organisation_code`, a role of one of the category's
/// professions that its subject held on the decision date.
pub fn attach<'a>(
    record: &ValidRecord,
    category: &Category,
    roles: &'a [PersonInRole],
) -> Result<Option<&'a PersonInRole>, FieldError> {
    if category.professions.is_empty() {
        return Ok(None);
    }
    let licence = field_text(record, "licence_no").unwrap_or_default();
    let organisation = field_text(record, "organisation_code").unwrap_or_default();
    let of_subject = |r: &&PersonInRole| {
        r.person.as_str() == record.subject.code.as_str()
            && category.professions.contains(&r.profession)
    };
    let matching: Vec<&PersonInRole> = roles
        .iter()
        .filter(of_subject)
        .filter(|r| r.licence_no == licence && r.organisation == organisation)
        .collect();
    // The person may have left and come back under the same licence: any of those roles
    // held on the decision date will do.
    if let Some(role) = matching.iter().find(|r| r.held_on(record.decided_on)) {
        return Ok(Some(role));
    }
    let Some(role) = matching.first() else {
        return Err(FieldError::new(
            "fields.licence_no",
            format!(
                "the subject holds no registered role as {} under licence {licence:?} at {organisation}; \
                 register it first (POST /api/v1/roles)",
                category.professions.join(" or ")
            ),
        ));
    };
    Err(FieldError::new(
        "decided_on",
        format!(
            "the role under licence {licence:?} was not held on {} (held from {}{})",
            record.decided_on,
            role.since,
            role.until.map(|u| format!(" to {u}")).unwrap_or_default()
        ),
    ))
}

/// Whether a department (`None`: any other reader, a credit service body) may read `record`
/// of `category` when its class is open to it: an `own_organisation_only` record only by the
/// department of the organisation it names and the department that made it. (The subject
/// reads its own records, every class, at `GET /api/v1/me/records`.)
pub fn may_read(record: &Record, category: &Category, department: Option<&str>) -> bool {
    if !category.own_organisation_only {
        return true;
    }
    let Some(reader) = department else {
        return false;
    };
    let organisation = record
        .fields
        .get("organisation_code")
        .and_then(|v| v.as_str());
    reader == record.department || Some(reader) == organisation
}
