//! The Unified Social Credit Code (统一社会信用代码, GB 32100-2015).
//!
//! | positions | meaning |
//! | --- | --- |
//! | 1 | registration authority |
//! | 2 | organisation type |
//! | 3-8 | GB/T 2260 division code (digits) |
//! | 9-17 | GB 11714 organisation code: 8 characters and its check character |
//! | 18 | check character |

use std::fmt;
use std::str::FromStr;

use super::{CodeError, DivisionCode};

/// The 31 characters of GB 32100 (no I, O, S, V, Z), valued 0-30 in this order.
const ALPHABET: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
const ALPHABET_DESC: &str = "a digit or a capital letter other than I, O, S, V, Z";
/// Weights of the final check character: 3^(i-1) mod 31.
const WEIGHTS: [u32; 17] = [
    1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
];
/// Weights of the GB 11714 organisation-code check character.
const ORG_WEIGHTS: [u32; 8] = [3, 7, 9, 10, 5, 8, 4, 2];

/// A valid Unified Social Credit Code, normalised to upper case.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(transparent)]
pub struct UnifiedCode(String);

/// Value of `c` in the 31-character alphabet.
fn value31(c: u8) -> Option<u32> {
    ALPHABET.iter().position(|&a| a == c).map(|i| i as u32)
}

/// GB 11714 value of an organisation-code character: 0-9 then A-Z as 10-35.
fn value36(c: u8) -> u32 {
    match c {
        b'0'..=b'9' => u32::from(c - b'0'),
        _ => u32::from(c.wrapping_sub(b'A')) + 10,
    }
}

/// The GB 11714 check character over 8 organisation-code characters (digits or capital
/// letters: checked by the caller). Also checks the organisation codes the national templates
/// carry on their own (`template.rs`).
pub(crate) fn org_check(body: &[u8]) -> u8 {
    let sum: u32 = body
        .iter()
        .zip(ORG_WEIGHTS)
        .map(|(&c, w)| value36(c) * w)
        .sum();
    match 11 - sum % 11 {
        10 => b'X',
        11 => b'0',
        v => b'0' + v as u8,
    }
}

/// The GB 32100 check character over the first 17 characters (all in the alphabet).
fn final_check(first17: &[u8]) -> u8 {
    let sum: u32 = first17
        .iter()
        .zip(WEIGHTS)
        .map(|(&c, w)| value31(c).unwrap_or(0) * w)
        .sum();
    ALPHABET[((31 - sum % 31) % 31) as usize]
}

impl UnifiedCode {
    /// Parses a code: surrounding whitespace is trimmed and ASCII letters upper-cased. Checks, in
    /// this order: length (18), the alphabet at each position (digits at 3-8), that the division
    /// (3-8) exists or existed in GB/T 2260 (or is the national `100000`), the organisation-code
    /// check character (17), the final check character (18).
    pub fn parse(s: &str) -> Result<Self, CodeError> {
        let s = s.trim();
        let found = s.chars().count();
        if found != 18 {
            return Err(CodeError::Length { found });
        }
        let mut bytes = [0u8; 18];
        for (i, c) in s.chars().enumerate() {
            let position = i + 1;
            let upper = c.to_ascii_uppercase();
            let ok = if (3..=8).contains(&position) {
                upper.is_ascii_digit()
            } else {
                upper.is_ascii() && value31(upper as u8).is_some()
            };
            if !ok {
                let expected = if (3..=8).contains(&position) {
                    "a digit, part of the division code"
                } else {
                    ALPHABET_DESC
                };
                return Err(CodeError::Character {
                    position,
                    found: c,
                    expected,
                });
            }
            bytes[i] = upper as u8;
        }
        DivisionCode::from_ascii_digits(&bytes[2..8]).require_known(3)?;
        let org = org_check(&bytes[8..16]);
        if bytes[16] != org {
            return Err(CodeError::Check {
                position: 17,
                expected: char::from(org),
                found: char::from(bytes[16]),
            });
        }
        let check = final_check(&bytes[..17]);
        if bytes[17] != check {
            return Err(CodeError::Check {
                position: 18,
                expected: char::from(check),
                found: char::from(bytes[17]),
            });
        }
        Ok(UnifiedCode(bytes.iter().map(|&b| char::from(b)).collect()))
    }

    /// The 18 characters.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The division of first registration (characters 3-8).
    pub fn division(&self) -> DivisionCode {
        DivisionCode::from_ascii_digits(&self.0.as_bytes()[2..8])
    }

    /// Character 1: the registration authority (`1` institutional establishment, `5` civil
    /// affairs, `9` market regulation, `Y` other, ...).
    pub fn registration_authority(&self) -> char {
        char::from(self.0.as_bytes()[0])
    }

    /// Character 2: the organisation type within the registration authority.
    pub fn org_type(&self) -> char {
        char::from(self.0.as_bytes()[1])
    }

    /// Characters 9-17: the embedded GB 11714 organisation code, check character included.
    pub fn organisation_code(&self) -> &str {
        &self.0[8..17]
    }

    /// Builds a valid code from its parts, computing both check characters. `org_base` is the
    /// 8-character organisation code body (characters from the 31-character alphabet; lower case
    /// is upper-cased). Errors name positions in the resulting code.
    pub fn build(
        authority: char,
        org_type: char,
        division: &DivisionCode,
        org_base: &str,
    ) -> Result<Self, CodeError> {
        let found = org_base.chars().count();
        if found != 8 {
            return Err(CodeError::PartLength {
                part: "organisation code body",
                expected: 8,
                found,
            });
        }
        let mut bytes = Vec::with_capacity(18);
        for (i, c) in [authority, org_type]
            .into_iter()
            .chain(division.as_string().chars())
            .chain(org_base.chars())
            .enumerate()
        {
            let upper = c.to_ascii_uppercase();
            if !upper.is_ascii() || value31(upper as u8).is_none() {
                return Err(CodeError::Character {
                    position: i + 1,
                    found: c,
                    expected: ALPHABET_DESC,
                });
            }
            bytes.push(upper as u8);
        }
        let org = org_check(&bytes[8..16]);
        bytes.push(org);
        bytes.push(final_check(&bytes));
        Self::parse(&String::from_utf8_lossy(&bytes))
    }

    /// A random valid code with the given authority, type and division, for demo data and tests;
    /// deterministic for a seeded `rng`.
    ///
    /// # Panics
    /// If `authority` or `org_type` is not in the alphabet or `division` is not in the table.
    pub fn generate(
        rng: &mut impl rand::Rng,
        authority: char,
        org_type: char,
        division: &DivisionCode,
    ) -> Self {
        let body: String = (0..8)
            .map(|_| char::from(ALPHABET[rng.random_range(0..ALPHABET.len())]))
            .collect();
        match Self::build(authority, org_type, division, &body) {
            Ok(code) => code,
            Err(e) => panic!("UnifiedCode::generate({authority:?}, {org_type:?}, {division}): {e}"),
        }
    }
}

impl fmt::Display for UnifiedCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for UnifiedCode {
    type Err = CodeError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl<'de> serde::Deserialize<'de> for UnifiedCode {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        Self::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weights_are_powers_of_three_mod_31() {
        let mut w = 1;
        for expected in WEIGHTS {
            assert_eq!(w, expected);
            w = w * 3 % 31;
        }
    }

    #[test]
    fn org_check_vectors() {
        assert_eq!(org_check(b"60003734"), b'1');
        assert_eq!(org_check(b"55138508"), b'2');
        assert_eq!(org_check(b"MA2YJ1XR"), b'9');
        assert_eq!(org_check(b"40000988"), b'0'); // 11 - 0 = 11 -> '0'
    }
}
