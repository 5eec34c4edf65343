//! Subjects: the enterprises, organisations, government bodies and persons that records are about.

use serde::{Deserialize, Serialize};

use crate::code::{CitizenId, CodeError, SubjectCode, UnifiedCode};

/// The kind of a credit subject. Natural persons are keyed by their citizen identity number,
/// every other kind by its Unified Social Credit Code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum SubjectKind {
    LegalPerson,
    OtherOrg,
    IndividualBusiness,
    NaturalPerson,
    GovernmentBody,
}

impl SubjectKind {
    pub const ALL: [SubjectKind; 5] = [
        SubjectKind::LegalPerson,
        SubjectKind::OtherOrg,
        SubjectKind::IndividualBusiness,
        SubjectKind::NaturalPerson,
        SubjectKind::GovernmentBody,
    ];

    /// The identifier used in the API, the catalogue and the database.
    pub fn as_str(self) -> &'static str {
        match self {
            SubjectKind::LegalPerson => "legal_person",
            SubjectKind::OtherOrg => "other_org",
            SubjectKind::IndividualBusiness => "individual_business",
            SubjectKind::NaturalPerson => "natural_person",
            SubjectKind::GovernmentBody => "government_body",
        }
    }

    pub fn parse(s: &str) -> Option<SubjectKind> {
        SubjectKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// Organisations are graded by default; natural persons are not (SPEC: "No opaque scores").
    pub fn is_organisation(self) -> bool {
        self != SubjectKind::NaturalPerson
    }
}

impl std::fmt::Display for SubjectKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A subject as identified by a record. The code is parsed according to the kind: a natural
/// person must carry a valid citizen identity number, every other kind a valid USCC.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subject {
    pub code: SubjectCode,
    pub name: String,
    pub kind: SubjectKind,
}

impl Subject {
    /// Parses the code that fits `kind`.
    pub fn parse_code(kind: SubjectKind, code: &str) -> Result<SubjectCode, CodeError> {
        if kind == SubjectKind::NaturalPerson {
            CitizenId::parse(code).map(SubjectCode::Citizen)
        } else {
            UnifiedCode::parse(code).map(SubjectCode::Unified)
        }
    }

    /// The code as the public may see it: natural persons' identity numbers are masked.
    pub fn public_code(&self) -> String {
        public_code(&self.code)
    }
}

/// The form of a subject code that may appear on public pages and public API responses.
pub fn public_code(code: &SubjectCode) -> String {
    match code {
        SubjectCode::Unified(c) => c.as_str().to_owned(),
        SubjectCode::Citizen(id) => id.masked(),
    }
}
