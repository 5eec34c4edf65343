//! Access to non-public information: who may read which disclosure class, for what purpose,
//! on what grant (SPEC row 4, "categorised, hierarchical access by role and purpose", and row 11).
//!
//! The rules, pure:
//! - `public` information is for everyone.
//! - `shared` information needs a stated purpose from [`Purposes`] (`data/purposes.toml`) that
//!   the reader's role may state.
//! - `restricted` information additionally needs a [`Grant`]: a legal basis the reading
//!   department cites, or a special application an operator approved and that has not expired.
//!   The subject's own authorisation arrives with the subject-rights work as a third variant.
//! - A subject reads its own full file, every class, without a purpose.

use std::fmt;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::catalogue::Disclosure;

/// The purposes shipped with the platform.
pub const SHIPPED_TOML: &str = include_str!("../../../data/purposes.toml");

/// Longest legal basis or reason accepted, in characters.
pub const MAX_TEXT: usize = 500;

/// Roles that may read non-public information for a purpose.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum ReaderKind {
    /// A government department.
    Department,
    /// A licensed credit service body.
    Service,
}

impl ReaderKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ReaderKind::Department => "department",
            ReaderKind::Service => "service",
        }
    }
}

/// A purpose for which non-public information may be read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Purpose {
    pub id: String,
    pub name_zh: String,
    pub name_en: String,
    /// Roles that may state this purpose.
    pub readers: Vec<ReaderKind>,
    /// The rules that allow reading for this purpose.
    pub basis: String,
}

/// A statute a department may cite to read `restricted` information for some purposes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Statute {
    pub id: String,
    /// The full citation, as it is recorded with every read that cites it.
    pub citation: String,
    /// Other ways of writing the same citation (short law names).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
    /// The purposes for which it allows reading restricted information.
    pub purposes: Vec<String>,
}

/// The enumerated list of purposes, and the statutes that open restricted information.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Purposes {
    pub purposes: Vec<Purpose>,
    #[serde(default)]
    pub statutes: Vec<Statute>,
}

/// A citation in the form it is compared in: no whitespace, ASCII parentheses and brackets as
/// their fullwidth forms, as Chinese legal texts write them.
fn citation_key(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            '(' => '（',
            ')' => '）',
            '<' => '《',
            '>' => '》',
            c => c,
        })
        .collect()
}

/// A purposes file that breaks the file's own invariants.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PurposesError {
    #[error("purposes file: {0}")]
    Toml(String),
    #[error("purpose {0:?} appears twice")]
    Duplicate(String),
    #[error("purpose {0:?} names no reader role")]
    NoReaders(String),
    #[error("purpose {0:?} has no basis")]
    NoBasis(String),
    #[error("statute {0:?} appears twice, or shares a citation with another")]
    DuplicateStatute(String),
    #[error("statute {statute:?} names the unknown purpose {purpose:?}")]
    StatutePurpose { statute: String, purpose: String },
}

impl Purposes {
    /// The shipped purposes (`data/purposes.toml`).
    pub fn shipped() -> Purposes {
        #[allow(clippy::expect_used)] // the shipped file is tested; failing here is a build bug
        Purposes::from_toml_str(SHIPPED_TOML).expect("shipped purposes are valid")
    }

    /// Parses and checks a purposes file: unique ids, each with a reader and a basis; statutes
    /// with unique ids and citations, each for known purposes.
    pub fn from_toml_str(text: &str) -> Result<Purposes, PurposesError> {
        let purposes: Purposes =
            toml::from_str(text).map_err(|e| PurposesError::Toml(e.to_string()))?;
        let mut seen = std::collections::BTreeSet::new();
        for p in &purposes.purposes {
            if !seen.insert(p.id.as_str()) {
                return Err(PurposesError::Duplicate(p.id.clone()));
            }
            if p.readers.is_empty() {
                return Err(PurposesError::NoReaders(p.id.clone()));
            }
            if p.basis.trim().is_empty() {
                return Err(PurposesError::NoBasis(p.id.clone()));
            }
        }
        let mut keys = std::collections::BTreeSet::new();
        for st in &purposes.statutes {
            let names = std::iter::once(&st.id)
                .chain(std::iter::once(&st.citation))
                .chain(&st.aliases);
            for name in names {
                if name.trim().is_empty() || !keys.insert(citation_key(name)) {
                    return Err(PurposesError::DuplicateStatute(st.id.clone()));
                }
            }
            if let Some(p) = st.purposes.iter().find(|p| purposes.get(p).is_none()) {
                return Err(PurposesError::StatutePurpose {
                    statute: st.id.clone(),
                    purpose: p.clone(),
                });
            }
        }
        Ok(purposes)
    }

    /// The statute a caller cites, by id, citation or alias (whitespace and the width of
    /// brackets aside).
    pub fn statute(&self, cited: &str) -> Option<&Statute> {
        let key = citation_key(cited);
        self.statutes.iter().find(|st| {
            std::iter::once(&st.id)
                .chain(std::iter::once(&st.citation))
                .chain(&st.aliases)
                .any(|name| citation_key(name) == key)
        })
    }

    pub fn get(&self, id: &str) -> Option<&Purpose> {
        self.purposes.iter().find(|p| p.id == id)
    }
}

/// What entitles a reader to `restricted` information besides its purpose.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Grant {
    /// A statute the reading department cites for this read.
    LegalBasis(String),
    /// A special application an operator approved (checked with
    /// [`SpecialApplication::grants`] before it is accepted here).
    SpecialApplication(String),
    /// The subject's own authorisation of a credit service body, by its id (checked with
    /// `SubjectGrant::permits` before it is accepted here): the only way a service reads
    /// anything non-public.
    SubjectGrant(String),
}

/// Why a read is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AccessError {
    #[error("unknown purpose {0:?}; see GET /api/v1/purposes")]
    UnknownPurpose(String),
    #[error("a {reader} may not state the purpose {purpose:?}")]
    PurposeNotForReader {
        purpose: String,
        reader: &'static str,
    },
    #[error("a legal basis or special application is only considered with a stated purpose")]
    GrantWithoutPurpose,
    #[error("a legal basis must be 1 to {MAX_TEXT} characters")]
    BadLegalBasis,
    #[error(
        "{0:?} is not a statute that opens restricted information; see the statutes in \
         GET /api/v1/purposes, or file a special application"
    )]
    UnknownLegalBasis(String),
    #[error("{statute} does not allow reading restricted information for the purpose {purpose:?}")]
    LegalBasisNotForPurpose { statute: String, purpose: String },
    #[error(
        "a credit service body reads restricted information only with the subject's authorisation"
    )]
    GrantNotForReader,
    #[error(
        "{service:?} holds no current authorisation of this subject for the purpose {purpose:?}: \
         a credit service body reads a subject's non-public file only with the subject's grant"
    )]
    NoSubjectGrant { service: String, purpose: String },
    #[error("special application {0} does not grant this read: {1}")]
    ApplicationDoesNotGrant(String, &'static str),
}

/// How far a reader may see into a subject's file: every class up to and including this one.
pub type Clearance = Disclosure;

/// Decides the clearance of a reader who states `purpose` (an id, not yet checked) and maybe a
/// `grant`. With neither, the reader sees public information only.
pub fn clearance(
    purposes: &Purposes,
    reader: ReaderKind,
    purpose: Option<&str>,
    grant: Option<&Grant>,
) -> Result<Clearance, AccessError> {
    let Some(id) = purpose else {
        return match grant {
            None => Ok(Disclosure::Public),
            Some(_) => Err(AccessError::GrantWithoutPurpose),
        };
    };
    let purpose = purposes
        .get(id)
        .ok_or_else(|| AccessError::UnknownPurpose(id.to_owned()))?;
    if !purpose.readers.contains(&reader) {
        return Err(AccessError::PurposeNotForReader {
            purpose: purpose.id.clone(),
            reader: reader.as_str(),
        });
    }
    match grant {
        None => Ok(Disclosure::Shared),
        Some(Grant::SubjectGrant(_)) if reader == ReaderKind::Service => Ok(Disclosure::Restricted),
        Some(Grant::SubjectGrant(_)) => Err(AccessError::GrantNotForReader),
        Some(_) if reader == ReaderKind::Service => Err(AccessError::GrantNotForReader),
        Some(Grant::LegalBasis(text)) => {
            let n = text.trim().chars().count();
            if n == 0 || n > MAX_TEXT {
                return Err(AccessError::BadLegalBasis);
            }
            let statute = purposes
                .statute(text)
                .ok_or_else(|| AccessError::UnknownLegalBasis(text.trim().to_owned()))?;
            if !statute.purposes.contains(&purpose.id) {
                return Err(AccessError::LegalBasisNotForPurpose {
                    statute: statute.citation.clone(),
                    purpose: purpose.id.clone(),
                });
            }
            Ok(Disclosure::Restricted)
        }
        Some(Grant::SpecialApplication(_)) => Ok(Disclosure::Restricted),
    }
}

/// Where a special application stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum ApplicationStatus {
    Pending,
    Approved,
    Rejected,
}

impl ApplicationStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ApplicationStatus::Pending => "pending",
            ApplicationStatus::Approved => "approved",
            ApplicationStatus::Rejected => "rejected",
        }
    }
    pub fn parse(s: &str) -> Option<ApplicationStatus> {
        match s {
            "pending" => Some(ApplicationStatus::Pending),
            "approved" => Some(ApplicationStatus::Approved),
            "rejected" => Some(ApplicationStatus::Rejected),
            _ => None,
        }
    }
}

impl fmt::Display for ApplicationStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Longest validity of an approved special application, in days.
pub const MAX_APPLICATION_DAYS: u32 = 30;

/// A department's one-off request to read a subject's restricted information, decided by an
/// operator; an approval is valid until `valid_until`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SpecialApplication {
    pub id: String,
    pub department: String,
    pub subject_code: String,
    pub purpose: String,
    pub reason: String,
    pub legal_basis: String,
    pub status: ApplicationStatus,
    pub created_at: DateTime<Utc>,
    pub decided_at: Option<DateTime<Utc>>,
    pub decision_note: Option<String>,
    pub valid_until: Option<DateTime<Utc>>,
}

impl SpecialApplication {
    /// Whether this application lets `department` read `subject_code`'s restricted information
    /// for `purpose` at `now`.
    pub fn grants(
        &self,
        department: &str,
        subject_code: &str,
        purpose: &str,
        now: DateTime<Utc>,
    ) -> Result<(), AccessError> {
        let refuse = |why| Err(AccessError::ApplicationDoesNotGrant(self.id.clone(), why));
        if self.department != department {
            return refuse("it is another department's");
        }
        if self.subject_code != subject_code {
            return refuse("it concerns another subject");
        }
        if self.purpose != purpose {
            return refuse("it was made for another purpose");
        }
        match self.status {
            ApplicationStatus::Pending => return refuse("it is not decided yet"),
            ApplicationStatus::Rejected => return refuse("it was rejected"),
            ApplicationStatus::Approved => {}
        }
        if self.valid_until.is_none_or(|until| now >= until) {
            return refuse("its approval has expired");
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn purposes() -> Purposes {
        Purposes::shipped()
    }

    #[test]
    fn shipped_purposes_load_and_serve_both_reader_roles() {
        let p = purposes();
        assert!(p.purposes.len() >= 5);
        assert!(
            p.purposes
                .iter()
                .any(|p| p.readers.contains(&ReaderKind::Service))
        );
        assert!(
            p.purposes
                .iter()
                .any(|p| p.readers.contains(&ReaderKind::Department))
        );
    }

    #[test]
    fn duplicate_purposes_are_rejected() {
        let text = r#"
            [[purposes]]
            id = "a"
            name_zh = "甲"
            name_en = "A"
            readers = ["department"]
            basis = "x"
            [[purposes]]
            id = "a"
            name_zh = "甲"
            name_en = "A"
            readers = ["service"]
            basis = "x"
        "#;
        assert_eq!(
            Purposes::from_toml_str(text),
            Err(PurposesError::Duplicate("a".into()))
        );
    }

    #[test]
    fn without_purpose_only_public_information_is_read() {
        let p = purposes();
        assert_eq!(
            clearance(&p, ReaderKind::Department, None, None),
            Ok(Disclosure::Public)
        );
        let basis = Grant::LegalBasis("《某法》".into());
        assert_eq!(
            clearance(&p, ReaderKind::Department, None, Some(&basis)),
            Err(AccessError::GrantWithoutPurpose)
        );
    }

    #[test]
    fn a_purpose_opens_shared_and_a_grant_opens_restricted() {
        let p = purposes();
        let basis = Grant::LegalBasis("《社会保险法》第八十六条".into());
        assert_eq!(
            clearance(&p, ReaderKind::Department, Some("supervision"), None),
            Ok(Disclosure::Shared)
        );
        assert_eq!(
            clearance(
                &p,
                ReaderKind::Department,
                Some("supervision"),
                Some(&basis)
            ),
            Ok(Disclosure::Restricted)
        );
        assert_eq!(
            clearance(
                &p,
                ReaderKind::Department,
                Some("supervision"),
                Some(&Grant::LegalBasis("  ".into()))
            ),
            Err(AccessError::BadLegalBasis)
        );
    }

    #[test]
    fn restricted_reads_cite_a_listed_statute_for_the_stated_purpose() {
        let p = purposes();
        let cite = |text: &str, purpose: &str| {
            clearance(
                &p,
                ReaderKind::Department,
                Some(purpose),
                Some(&Grant::LegalBasis(text.into())),
            )
        };
        for text in [
            "social_insurance_law_86",
            "《中华人民共和国社会保险法》第八十六条",
            " 《社会保险法》 第八十六条 ",
        ] {
            assert_eq!(
                cite(text, "supervision"),
                Ok(Disclosure::Restricted),
                "{text}"
            );
        }
        assert_eq!(
            cite("x", "supervision"),
            Err(AccessError::UnknownLegalBasis("x".into()))
        );
        assert!(matches!(
            cite("《社会保险法》第八十六条", "government_procurement"),
            Err(AccessError::LegalBasisNotForPurpose { .. })
        ));
        assert_eq!(
            p.statute("《社会保险法》第八十六条")
                .map(|s| s.citation.as_str()),
            Some("《中华人民共和国社会保险法》第八十六条")
        );
    }

    #[test]
    fn statutes_name_known_purposes_and_unique_citations() {
        let base = "[[purposes]]\nid = \"a\"\nname_zh = \"甲\"\nname_en = \"A\"\nreaders = [\"department\"]\nbasis = \"x\"\n";
        let unknown =
            format!("{base}[[statutes]]\nid = \"s\"\ncitation = \"《法》\"\npurposes = [\"b\"]\n");
        assert!(matches!(
            Purposes::from_toml_str(&unknown),
            Err(PurposesError::StatutePurpose { .. })
        ));
        let twice = format!(
            "{base}[[statutes]]\nid = \"s\"\ncitation = \"《法》\"\npurposes = [\"a\"]\n\
             [[statutes]]\nid = \"t\"\ncitation = \" 《法》\"\npurposes = [\"a\"]\n"
        );
        assert_eq!(
            Purposes::from_toml_str(&twice),
            Err(PurposesError::DuplicateStatute("t".into()))
        );
    }

    #[test]
    fn services_state_only_their_purposes_and_never_cite_a_legal_basis() {
        let p = purposes();
        assert_eq!(
            clearance(&p, ReaderKind::Service, Some("credit_report"), None),
            Ok(Disclosure::Shared)
        );
        assert!(matches!(
            clearance(&p, ReaderKind::Service, Some("supervision"), None),
            Err(AccessError::PurposeNotForReader { .. })
        ));
        assert_eq!(
            clearance(
                &p,
                ReaderKind::Service,
                Some("credit_report"),
                Some(&Grant::LegalBasis("x".into()))
            ),
            Err(AccessError::GrantNotForReader)
        );
        assert_eq!(
            clearance(&p, ReaderKind::Department, Some("no_such"), None),
            Err(AccessError::UnknownPurpose("no_such".into()))
        );
    }

    #[test]
    fn a_special_application_grants_only_while_approved_and_unexpired() {
        let now = DateTime::parse_from_rfc3339("2026-11-26T08:00:00Z")
            .map(|d| d.with_timezone(&Utc))
            .unwrap_or_default();
        let mut a = SpecialApplication {
            id: "A1".into(),
            department: "D".into(),
            subject_code: "S".into(),
            purpose: "supervision".into(),
            reason: "r".into(),
            legal_basis: "b".into(),
            status: ApplicationStatus::Pending,
            created_at: now,
            decided_at: None,
            decision_note: None,
            valid_until: None,
        };
        assert!(a.grants("D", "S", "supervision", now).is_err());
        a.status = ApplicationStatus::Approved;
        a.valid_until = Some(now + chrono::Duration::days(1));
        assert_eq!(a.grants("D", "S", "supervision", now), Ok(()));
        assert!(a.grants("E", "S", "supervision", now).is_err());
        assert!(a.grants("D", "T", "supervision", now).is_err());
        assert!(a.grants("D", "S", "credit_report", now).is_err());
        assert!(
            a.grants("D", "S", "supervision", now + chrono::Duration::days(1))
                .is_err()
        );
        a.status = ApplicationStatus::Rejected;
        assert!(a.grants("D", "S", "supervision", now).is_err());
    }
}
