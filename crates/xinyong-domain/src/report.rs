//! Reports of trust-breaking (失信行为举报, SPEC row 9: rewarded reporting with reporter
//! protection): what anyone may submit, how it is checked, and which department it goes to.
//! The reporter's contact is personal data: the store seals it and only the competent
//! department reads it; the reporter follows the case with its tracking number alone.

use rand::Rng;
use serde::{Deserialize, Serialize};

use crate::catalogue::Catalogue;
use crate::code::{DivisionCode, SubjectCode, UnifiedCode};
use crate::department::Department;
use crate::record::FieldError;
use crate::text::{Lines, check_text};

/// Longest report text, in characters.
pub const MAX_CONTENT: usize = 5000;

/// A report as submitted, before any checking.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RawReport {
    /// The catalogue category of the trust-breaking reported (a negative category).
    pub category: String,
    /// The code of the subject reported.
    pub subject: String,
    /// What happened, where and when.
    pub content: String,
    /// Report without a contact: no reply and no reward can reach the reporter then.
    #[serde(default)]
    pub anonymous: bool,
    /// How the department may reach the reporter (required unless anonymous).
    #[serde(default)]
    pub contact: Option<String>,
}

/// A checked report: the subject's code parsed, texts trimmed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidReport {
    pub category: String,
    pub subject: SubjectCode,
    pub content: String,
    /// `None` for an anonymous report.
    pub contact: Option<String>,
}

impl RawReport {
    /// Checks a report against the catalogue; every problem is reported with its field.
    pub fn validate(&self, catalogue: &Catalogue) -> Result<ValidReport, Vec<FieldError>> {
        let mut errors = Vec::new();
        match catalogue.category(self.category.trim()) {
            None => errors.push(FieldError::new(
                "category",
                format!("{:?} is not a category of the catalogue", self.category),
            )),
            Some(c) if !c.negative => errors.push(FieldError::new(
                "category",
                format!("{} is not trust-breaking information", c.id),
            )),
            Some(_) => {}
        }
        let subject = match SubjectCode::parse(&self.subject) {
            Ok(code) => Some(code),
            Err(e) => {
                errors.push(FieldError::new("subject", e.to_string()));
                None
            }
        };
        let content = self.content.trim();
        if content.chars().count() < 10 {
            errors.push(FieldError::new(
                "content",
                "say what happened, where and when (at least 10 characters)",
            ));
        } else if let Err(e) = check_text(content, MAX_CONTENT, Lines::Many) {
            errors.push(FieldError::new("content", e));
        }
        let contact = self
            .contact
            .as_deref()
            .map(str::trim)
            .filter(|c| !c.is_empty());
        match (self.anonymous, contact) {
            (false, None) => errors.push(FieldError::new(
                "contact",
                "is required unless the report is anonymous",
            )),
            (_, Some(c)) => {
                if let Err(e) = check_text(c, 200, Lines::One) {
                    errors.push(FieldError::new("contact", e));
                }
            }
            (true, None) => {}
        }
        match (errors.is_empty(), subject) {
            (true, Some(subject)) => Ok(ValidReport {
                category: self.category.trim().to_owned(),
                subject,
                content: content.to_owned(),
                contact: if self.anonymous {
                    None
                } else {
                    contact.map(str::to_owned)
                },
            }),
            _ => Err(errors),
        }
    }
}

/// Where a report stands, as its reporter sees it with the tracking number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum ReportStatus {
    /// Routed to the competent department, not yet taken up.
    Received,
    /// The department is looking into it.
    Investigating,
    /// Done: the note says how (a record made, nothing found, passed on).
    Closed,
}

impl ReportStatus {
    pub const ALL: [ReportStatus; 3] = [
        ReportStatus::Received,
        ReportStatus::Investigating,
        ReportStatus::Closed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ReportStatus::Received => "received",
            ReportStatus::Investigating => "investigating",
            ReportStatus::Closed => "closed",
        }
    }

    pub fn parse(s: &str) -> Option<ReportStatus> {
        ReportStatus::ALL.into_iter().find(|r| r.as_str() == s)
    }
}

/// A stored report. The tracking number is not part of it: the store keeps only its hash,
/// as it does for tokens, so that a database copy does not let anyone follow reports.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Report {
    pub id: String,
    pub category: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub subject_code: SubjectCode,
    pub content: String,
    /// `None` for an anonymous report; only the competent department reads it.
    pub contact: Option<String>,
    /// The competent department (see [`route`]).
    pub department: String,
    pub status: ReportStatus,
    /// The department's last word to the reporter.
    pub status_note: Option<String>,
    pub filed_at: chrono::DateTime<chrono::Utc>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

/// The division a department serves, read from its code where the code is a USCC (departments
/// are usually registered by theirs).
fn division_of(department: &Department) -> Option<DivisionCode> {
    UnifiedCode::parse(&department.code)
        .ok()
        .map(|c| c.division())
}

/// The competent department for a report: one that submits the report's category, preferring
/// the one whose division is closest to the subject's (same county, then prefecture, then
/// province), then the first by code so that routing is deterministic. `None` if no registered
/// department handles the category.
pub fn route<'a>(report: &ValidReport, departments: &'a [Department]) -> Option<&'a Department> {
    let subject_division = match &report.subject {
        SubjectCode::Unified(c) => Some(c.division()),
        SubjectCode::Citizen(id) => Some(id.division()),
    };
    let closeness = |d: &Department| -> u8 {
        match (division_of(d), subject_division) {
            (Some(a), Some(b)) if a == b => 3,
            (Some(a), Some(b)) if a.prefecture() == b.prefecture() => 2,
            (Some(a), Some(b)) if a.province() == b.province() => 1,
            _ => 0,
        }
    };
    departments
        .iter()
        .filter(|d| d.may_submit(&report.category))
        .max_by(|a, b| {
            closeness(a)
                .cmp(&closeness(b))
                .then_with(|| b.code.cmp(&a.code))
        })
}

/// A tracking number: 16 characters of an alphabet without look-alikes, in groups of four
/// (`XY7K-…`). The reporter's only key to the case, so it is random, not sequential.
pub fn tracking_number(rng: &mut impl Rng) -> String {
    const ALPHABET: &[u8] = b"23456789ABCDEFGHJKLMNPQRSTUVWXYZ";
    let mut out = String::with_capacity(19);
    for i in 0..16 {
        if i > 0 && i % 4 == 0 {
            out.push('-');
        }
        out.push(char::from(ALPHABET[rng.random_range(0..ALPHABET.len())]));
    }
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use std::collections::BTreeSet;

    use rand::SeedableRng;

    use super::*;

    /// A company registered in Futian, Shenzhen.
    fn company() -> String {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(2);
        let futian = DivisionCode::parse("440304").unwrap();
        UnifiedCode::generate(&mut rng, '9', '1', &futian)
            .as_str()
            .to_owned()
    }

    fn report(anonymous: bool, contact: Option<&str>) -> RawReport {
        RawReport {
            category: "admin_penalty".into(),
            subject: company(),
            content: "该企业在门店销售过期食品，2026年11月3日下午".into(),
            anonymous,
            contact: contact.map(Into::into),
        }
    }

    fn department(code: &str) -> Department {
        Department {
            code: code.into(),
            name: code.into(),
            categories: BTreeSet::from(["admin_penalty".to_owned()]),
            lists: BTreeSet::new(),
            professions: BTreeSet::new(),
        }
    }

    #[test]
    fn a_report_needs_a_negative_category_a_valid_subject_and_a_contact_unless_anonymous() {
        let cat = Catalogue::shipped();
        assert!(report(false, Some("13800000000")).validate(&cat).is_ok());
        let anonymous = report(true, Some("13800000000")).validate(&cat).unwrap();
        assert_eq!(
            anonymous.contact, None,
            "an anonymous report keeps no contact"
        );
        let fields = |r: RawReport| -> Vec<String> {
            r.validate(&cat)
                .unwrap_err()
                .into_iter()
                .map(|e| e.field)
                .collect()
        };
        assert_eq!(fields(report(false, None)), ["contact"]);
        let mut r = report(true, None);
        r.category = "honour".into();
        r.subject.pop();
        r.subject.push('Z');
        r.content = "太短".into();
        assert_eq!(fields(r), ["category", "subject", "content"]);
    }

    #[test]
    fn reports_go_to_the_closest_department_that_handles_the_category() {
        let cat = Catalogue::shipped();
        let r = report(false, Some("x@example.org")).validate(&cat).unwrap();
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(5);
        let shenzhen =
            UnifiedCode::generate(&mut rng, '1', '1', &DivisionCode::parse("440300").unwrap());
        let guangzhou =
            UnifiedCode::generate(&mut rng, '1', '1', &DivisionCode::parse("440100").unwrap());
        let departments = [
            department(guangzhou.as_str()),
            department(shenzhen.as_str()),
            department("NATIONAL"),
        ];
        assert_eq!(route(&r, &departments).unwrap().code, shenzhen.as_str());
        assert!(route(&r, &[]).is_none());
    }

    #[test]
    fn tracking_numbers_are_grouped_and_unambiguous() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(9);
        let n = tracking_number(&mut rng);
        assert_eq!(n.len(), 19);
        assert!(n.split('-').all(|g| g.len() == 4));
        assert!(!n.contains(['0', 'O', '1', 'I']), "{n}");
        assert_ne!(n, tracking_number(&mut rng));
    }
}
