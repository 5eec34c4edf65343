//! Subject codes: the Unified Social Credit Code (GB 32100-2015), the citizen identity number
//! (GB 11643-1999) and GB/T 2260 administrative divisions. Parse, don't validate: a value of
//! [`UnifiedCode`], [`CitizenId`] or [`DivisionCode`] is valid by construction.
//!
//! Parsing trims surrounding whitespace and upper-cases ASCII letters (`x` -> `X`); it does not
//! remove inner spaces or hyphens. Errors name the 1-based character position(s) and the reason,
//! and checks run from the most local to the most global: characters, division, birth date or
//! embedded organisation-code check (character 17), final check character (18).
//!
//! Deviations from the agreed API, all additive:
//! - [`CodeError`] has three more variants: `PartLength` (wrong length of a part given on its own,
//!   such as a division code or an organisation-code body), `BirthYear` (birth year outside
//!   1850-2100; the domain never reads the clock) and `Sequence` (citizen-ID sequence over 999).
//! - [`DivisionCode`] also has `NATIONAL` (`100000`, accepted in credit codes only), `as_u32`,
//!   `is_county`, `Display`, `FromStr` and string serde; [`DivisionTable`] also has `parse`,
//!   `iter` and `is_empty`; [`DivisionStatus`] and [`Sex`] serialize as snake_case strings.
//! - [`UnifiedCode`] also has `org_type` and `organisation_code`; [`SubjectCode`] derives
//!   `Debug` (masked for citizen IDs), `Clone`, `PartialEq`, `Eq`, `Hash` and converts `From`
//!   either code.
//! - `UnifiedCode::generate` and `CitizenId::generate` panic on arguments that cannot yield a
//!   valid code (a character outside the alphabet, an unknown division, an empty or out-of-range
//!   year range): they are for demo data and tests.

use chrono::NaiveDate;

mod citizen_id;
mod division;
mod uscc;

pub use citizen_id::{CitizenId, Sex};
pub use division::{
    Division, DivisionCode, DivisionStatus, DivisionTable, divisions, province_name_en,
    province_name_zh,
};
pub use uscc::UnifiedCode;
pub(crate) use uscc::org_check as organisation_check;

/// Why a code was rejected. Every message names the 1-based character position(s) concerned.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CodeError {
    #[error("expected 18 characters, found {found}")]
    Length { found: usize },
    #[error("character {position}: '{found}' is not allowed here ({expected})")]
    Character {
        position: usize,
        found: char,
        expected: &'static str,
    },
    #[error("character {position}: check character should be '{expected}', found '{found}'")]
    Check {
        position: usize,
        expected: char,
        found: char,
    },
    #[error("characters {start}-{end}: division code {code} does not exist in GB/T 2260")]
    UnknownDivision {
        start: usize,
        end: usize,
        code: String,
    },
    #[error("characters 7-14: birth date {found} is not a real date")]
    BirthDate { found: String },
    #[error("characters 7-10: birth year {found} is outside 1850-2100")]
    BirthYear { found: i32 },
    #[error("characters 7-14: birth date {birth} lies after {day}")]
    BornAfter { birth: NaiveDate, day: NaiveDate },
    #[error("characters 1-2: {prefix} registers {registers}, not a subject of kind {kind}")]
    KindMismatch {
        prefix: String,
        registers: &'static str,
        kind: &'static str,
    },
    #[error("characters 15-17: sequence number {found} is over 999")]
    Sequence { found: u16 },
    #[error("{part}: expected {expected} characters, found {found}")]
    PartLength {
        part: &'static str,
        expected: usize,
        found: usize,
    },
}

/// What an 18-character subject code turned out to be.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum SubjectCode {
    Unified(UnifiedCode),
    Citizen(CitizenId),
}

impl SubjectCode {
    /// Tries the Unified Social Credit Code first, then the citizen identity number. On failure
    /// returns the error of the more plausible reading: the citizen-ID error if the first 17
    /// characters are digits and characters 7-14 look like a date (year 18xx-20xx, month 01-12,
    /// day 01-31), else the credit-code error.
    pub fn parse(s: &str) -> Result<SubjectCode, CodeError> {
        let uscc_err = match UnifiedCode::parse(s) {
            Ok(code) => return Ok(SubjectCode::Unified(code)),
            Err(e) => e,
        };
        let citizen_err = match CitizenId::parse(s) {
            Ok(id) => return Ok(SubjectCode::Citizen(id)),
            Err(e) => e,
        };
        if looks_like_citizen_id(s.trim()) {
            Err(citizen_err)
        } else {
            Err(uscc_err)
        }
    }

    /// The normalised code. For a citizen ID this is the full number: mask it before public
    /// output ([`CitizenId::masked`]).
    pub fn as_str(&self) -> &str {
        match self {
            SubjectCode::Unified(code) => code.as_str(),
            SubjectCode::Citizen(id) => id.as_str(),
        }
    }

    /// Refuses a citizen identity number whose holder was born after `day` (the decision date or
    /// today): the number is well-formed but cannot be a real person's yet.
    pub fn require_born_by(&self, day: NaiveDate) -> Result<(), CodeError> {
        match self {
            SubjectCode::Citizen(id) if id.birth_date() > day => Err(CodeError::BornAfter {
                birth: id.birth_date(),
                day,
            }),
            _ => Ok(()),
        }
    }

    /// `"unified_social_credit_code"` or `"citizen_id"`.
    pub fn kind_label(&self) -> &'static str {
        match self {
            SubjectCode::Unified(_) => "unified_social_credit_code",
            SubjectCode::Citizen(_) => "citizen_id",
        }
    }
}

impl std::fmt::Display for SubjectCode {
    /// The full code: mask a citizen's number before public output.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl PartialEq<str> for SubjectCode {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for SubjectCode {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl PartialEq<String> for SubjectCode {
    fn eq(&self, other: &String) -> bool {
        self.as_str() == other
    }
}

/// Codes order as their text, whatever their kind.
impl Ord for SubjectCode {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.as_str().cmp(other.as_str())
    }
}

impl PartialOrd for SubjectCode {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl serde::Serialize for SubjectCode {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> serde::Deserialize<'de> for SubjectCode {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        SubjectCode::parse(&text).map_err(serde::de::Error::custom)
    }
}

impl From<UnifiedCode> for SubjectCode {
    fn from(code: UnifiedCode) -> Self {
        SubjectCode::Unified(code)
    }
}

impl From<CitizenId> for SubjectCode {
    fn from(id: CitizenId) -> Self {
        SubjectCode::Citizen(id)
    }
}

/// The first 17 characters are digits and characters 7-14 look like a `YYYYMMDD` date.
fn looks_like_citizen_id(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() < 17 || !b[..17].iter().all(u8::is_ascii_digit) {
        return false;
    }
    let num = |r: std::ops::Range<usize>| {
        b[r].iter()
            .fold(0u32, |acc, d| acc * 10 + u32::from(d - b'0'))
    };
    let (century, month, day) = (num(6..8), num(10..12), num(12..14));
    (18..=20).contains(&century) && (1..=12).contains(&month) && (1..=31).contains(&day)
}

#[cfg(test)]
mod tests {
    use super::looks_like_citizen_id;

    #[test]
    fn citizen_id_heuristic() {
        assert!(looks_like_citizen_id("11010519491231002X"));
        assert!(looks_like_citizen_id("11010519491231002"));
        assert!(!looks_like_citizen_id("11010519491331002X"));
        assert!(!looks_like_citizen_id("12100000400009880K"));
        assert!(!looks_like_citizen_id("9111010819490101AB"));
        assert!(!looks_like_citizen_id("1101051949"));
    }
}
