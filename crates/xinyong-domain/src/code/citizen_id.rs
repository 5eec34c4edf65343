//! The citizen identity number (公民身份号码, GB 11643-1999).
//!
//! | positions | meaning |
//! | --- | --- |
//! | 1-6 | GB/T 2260 division code of the registering authority |
//! | 7-14 | birth date `YYYYMMDD` |
//! | 15-17 | sequence number: odd for men, even for women |
//! | 18 | ISO 7064 MOD 11-2 check character (`0`-`9` or `X`) |
//!
//! This is personal data: `Debug` prints only the masked form, and callers must use
//! [`CitizenId::masked`] for any public output.

use std::fmt;
use std::ops::RangeInclusive;
use std::str::FromStr;

use chrono::{Datelike, NaiveDate};

use super::{CodeError, DivisionCode};

/// Weights 2^(17-i) mod 11.
const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK_CHARS: &[u8; 11] = b"10X98765432";
/// Accepted birth years. The domain does not read the clock, so the upper bound is a fixed
/// plausibility limit rather than "today".
const BIRTH_YEARS: RangeInclusive<i32> = 1850..=2100;

/// A valid citizen identity number, normalised (`x` -> `X`).
#[derive(Clone, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(transparent)]
pub struct CitizenId(String);

/// Sex as encoded by the parity of the sequence number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sex {
    Male,
    Female,
}

fn check_char(first17: &[u8]) -> u8 {
    let sum: u32 = first17
        .iter()
        .zip(WEIGHTS)
        .map(|(&d, w)| u32::from(d - b'0') * w)
        .sum();
    CHECK_CHARS[(sum % 11) as usize]
}

fn number(digits: &[u8]) -> u32 {
    digits
        .iter()
        .fold(0, |acc, d| acc * 10 + u32::from(d - b'0'))
}

/// The birth date in characters 7-14 (all digits), if it is a real date in range.
fn birth_date(bytes: &[u8]) -> Result<NaiveDate, CodeError> {
    let (year, month, day) = (
        number(&bytes[6..10]),
        number(&bytes[10..12]),
        number(&bytes[12..14]),
    );
    let Some(date) = NaiveDate::from_ymd_opt(year as i32, month, day) else {
        return Err(CodeError::BirthDate {
            found: String::from_utf8_lossy(&bytes[6..14]).into_owned(),
        });
    };
    if !BIRTH_YEARS.contains(&date.year()) {
        return Err(CodeError::BirthYear { found: date.year() });
    }
    Ok(date)
}

impl CitizenId {
    /// Parses a number: surrounding whitespace is trimmed and `x` upper-cased. Checks, in this
    /// order: length (18), digits at 1-17 and a digit or `X` at 18, that the division (1-6) exists
    /// or existed in GB/T 2260 (the national pseudo-code `100000` is refused), that the birth date
    /// (7-14) is a real date in 1850-2100, and the check character (18).
    pub fn parse(s: &str) -> Result<Self, CodeError> {
        let s = s.trim();
        let found = s.chars().count();
        if found != 18 {
            return Err(CodeError::Length { found });
        }
        let mut bytes = [0u8; 18];
        for (i, c) in s.chars().enumerate() {
            let upper = c.to_ascii_uppercase();
            let (ok, expected) = if i < 17 {
                (upper.is_ascii_digit(), "a digit")
            } else {
                (upper.is_ascii_digit() || upper == 'X', "a digit or X")
            };
            if !ok {
                return Err(CodeError::Character {
                    position: i + 1,
                    found: c,
                    expected,
                });
            }
            bytes[i] = upper as u8;
        }
        let division = DivisionCode::from_ascii_digits(&bytes[..6]);
        if division == DivisionCode::NATIONAL {
            return Err(CodeError::UnknownDivision {
                start: 1,
                end: 6,
                code: division.as_string(),
            });
        }
        division.require_known(1)?;
        birth_date(&bytes)?;
        let check = check_char(&bytes[..17]);
        if bytes[17] != check {
            return Err(CodeError::Check {
                position: 18,
                expected: char::from(check),
                found: char::from(bytes[17]),
            });
        }
        Ok(CitizenId(bytes.iter().map(|&b| char::from(b)).collect()))
    }

    /// Whether 18 ASCII characters could be someone's identity number, its check character
    /// aside: 17 digits then a digit or `X`, a division that exists or existed, a real birth
    /// date. Masking uses this, not [`parse`](Self::parse): a number with a typing error in its
    /// check character still names a person.
    pub fn is_plausible(ascii: &[u8]) -> bool {
        ascii.len() == 18
            && ascii[..17].iter().all(u8::is_ascii_digit)
            && (ascii[17].is_ascii_digit() || ascii[17] == b'X')
            && {
                let division = DivisionCode::from_ascii_digits(&ascii[..6]);
                division != DivisionCode::NATIONAL && division.require_known(1).is_ok()
            }
            && birth_date(ascii).is_ok()
    }

    /// The full number. Personal data: use [`masked`](Self::masked) for public output.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The first 6 and last 4 characters with the 8 in between replaced by `*`, e.g.
    /// `110105********002X`: division and sequence stay visible, the birth date does not.
    pub fn masked(&self) -> String {
        format!("{}********{}", &self.0[..6], &self.0[14..])
    }

    /// The birth date (characters 7-14).
    pub fn birth_date(&self) -> NaiveDate {
        // `parse`, the only constructor, checked that this is a real date.
        #[allow(clippy::expect_used)]
        birth_date(self.0.as_bytes()).expect("CitizenId holds a valid birth date")
    }

    /// Male for an odd sequence number (characters 15-17), female for an even one.
    pub fn sex(&self) -> Sex {
        if (self.0.as_bytes()[16] - b'0') % 2 == 1 {
            Sex::Male
        } else {
            Sex::Female
        }
    }

    /// The division of registration (characters 1-6).
    pub fn division(&self) -> DivisionCode {
        DivisionCode::from_ascii_digits(&self.0.as_bytes()[..6])
    }

    /// Builds a valid number, computing the check character. `sequence` must be 0-999.
    pub fn build(
        division: &DivisionCode,
        birth: NaiveDate,
        sequence: u16,
    ) -> Result<Self, CodeError> {
        if sequence > 999 {
            return Err(CodeError::Sequence { found: sequence });
        }
        if !BIRTH_YEARS.contains(&birth.year()) {
            return Err(CodeError::BirthYear {
                found: birth.year(),
            });
        }
        let mut s = format!(
            "{}{}{:03}",
            division.as_string(),
            birth.format("%Y%m%d"),
            sequence
        );
        s.push(char::from(check_char(s.as_bytes())));
        Self::parse(&s)
    }

    /// A random valid number for demo data and tests; deterministic for a seeded `rng`.
    ///
    /// # Panics
    /// If `division` is not in the table (or is the national pseudo-code) or
    /// `birth_year_range` is empty or reaches outside 1850-2100.
    pub fn generate(
        rng: &mut impl rand::Rng,
        division: &DivisionCode,
        birth_year_range: RangeInclusive<i32>,
    ) -> Self {
        let year = rng.random_range(birth_year_range.clone());
        let (Some(first), Some(next)) = (
            NaiveDate::from_ymd_opt(year, 1, 1),
            NaiveDate::from_ymd_opt(year.saturating_add(1), 1, 1),
        ) else {
            panic!("CitizenId::generate: birth year {year} out of range");
        };
        let days = (next - first).num_days();
        let birth = first + chrono::Days::new(rng.random_range(0..days) as u64);
        let sequence = rng.random_range(0..=999u16);
        match Self::build(division, birth, sequence) {
            Ok(id) => id,
            Err(e) => panic!(
                "CitizenId::generate({division}, {}..={}): {e}",
                birth_year_range.start(),
                birth_year_range.end()
            ),
        }
    }
}

/// Prints the masked form only: the full number is personal data.
impl fmt::Debug for CitizenId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("CitizenId").field(&self.masked()).finish()
    }
}

/// The full number (see [`CitizenId::masked`] for public output).
impl fmt::Display for CitizenId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for CitizenId {
    type Err = CodeError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl<'de> serde::Deserialize<'de> for CitizenId {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        Self::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weights_are_powers_of_two_mod_11() {
        for (i, w) in WEIGHTS.iter().enumerate() {
            assert_eq!(*w, (1u32 << (17 - i)) % 11);
        }
    }

    #[test]
    fn check_char_vector() {
        assert_eq!(check_char(b"11010519491231002"), b'X');
    }
}
