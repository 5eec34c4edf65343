//! GB/T 2260 administrative division codes and the shipped table of them.
//!
//! The table lives in `data/divisions.tsv` at the workspace root (built by
//! `data/tools/build_divisions.py`, which records its sources) and is compiled into the binary.
//! It holds current *and* abolished codes: identity numbers and credit codes keep the division of
//! first registration, so a code is rejected only if it never existed.

use std::fmt;
use std::str::FromStr;
use std::sync::OnceLock;

use super::CodeError;

/// A six-digit GB/T 2260 division code: province (2), prefecture (2), county (2).
///
/// [`DivisionCode::parse`] accepts only codes present in the shipped table; [`province`] and
/// [`prefecture`] may yield codes that are not in it (see [`DivisionCode::info`]).
///
/// [`province`]: DivisionCode::province
/// [`prefecture`]: DivisionCode::prefecture
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DivisionCode(u32);

impl DivisionCode {
    /// `100000`, the national-level pseudo-division carried by credit codes of central government
    /// bodies (e.g. `12100000400009880K`). It is not a GB/T 2260 code: it is accepted in credit
    /// codes but not in citizen identity numbers.
    pub const NATIONAL: DivisionCode = DivisionCode(100_000);

    /// Parses six ASCII digits (surrounding whitespace trimmed) naming a division that exists, or
    /// existed, in GB/T 2260. Error positions are 1-based within the given code.
    pub fn parse(s: &str) -> Result<Self, CodeError> {
        let s = s.trim();
        let found = s.chars().count();
        if found != 6 {
            return Err(CodeError::PartLength {
                part: "division code",
                expected: 6,
                found,
            });
        }
        for (i, c) in s.chars().enumerate() {
            if !c.is_ascii_digit() {
                return Err(CodeError::Character {
                    position: i + 1,
                    found: c,
                    expected: "a digit",
                });
            }
        }
        let code = Self::from_ascii_digits(s.as_bytes());
        code.require_known(1)?;
        Ok(code)
    }

    /// Builds a code from six ASCII digits already checked by the caller.
    pub(crate) fn from_ascii_digits(digits: &[u8]) -> Self {
        DivisionCode(
            digits
                .iter()
                .fold(0, |acc, d| acc * 10 + u32::from(d.wrapping_sub(b'0'))),
        )
    }

    /// `Err(UnknownDivision)` naming characters `start..start+5` if the code is not in the table.
    pub(crate) fn require_known(self, start: usize) -> Result<(), CodeError> {
        if divisions().get(self).is_some() {
            Ok(())
        } else {
            Err(CodeError::UnknownDivision {
                start,
                end: start + 5,
                code: self.as_string(),
            })
        }
    }

    /// The six digits, zero-padded (every real code starts with 1-8, but keep it total).
    pub fn as_string(&self) -> String {
        format!("{:06}", self.0)
    }

    /// The code as a number, e.g. `110108`.
    pub fn as_u32(&self) -> u32 {
        self.0
    }

    /// The province-level code `XX0000`.
    pub fn province(&self) -> DivisionCode {
        DivisionCode(self.0 / 10_000 * 10_000)
    }

    /// The prefecture-level code `XXXX00`.
    pub fn prefecture(&self) -> DivisionCode {
        DivisionCode(self.0 / 100 * 100)
    }

    /// Whether this is a county-level code (last two digits not `00`).
    pub fn is_county(&self) -> bool {
        !self.0.is_multiple_of(100)
    }

    /// The table entry for this code, if any.
    pub fn info(&self) -> Option<&'static Division> {
        divisions().get(*self)
    }
}

impl fmt::Display for DivisionCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:06}", self.0)
    }
}

impl FromStr for DivisionCode {
    type Err = CodeError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl serde::Serialize for DivisionCode {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.as_string())
    }
}

impl<'de> serde::Deserialize<'de> for DivisionCode {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        Self::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// Whether a division still exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DivisionStatus {
    Current,
    Abolished,
}

/// One row of the division table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Division {
    pub code: DivisionCode,
    /// The current name, or the last name an abolished division had.
    pub name: &'static str,
    pub status: DivisionStatus,
}

/// The table of division codes, sorted by code.
#[derive(Debug, Clone)]
pub struct DivisionTable {
    entries: Vec<Division>,
    source: String,
}

impl DivisionTable {
    /// Parses the TSV format of `data/divisions.tsv`: `#` comment lines (the header, kept as
    /// [`source`](Self::source)), blank lines, and `code<TAB>name<TAB>status` rows. Codes must be
    /// unique; rows need not be sorted. The error names the 1-based line.
    pub fn parse(text: &'static str) -> Result<Self, String> {
        let mut entries = Vec::new();
        let mut source = Vec::new();
        for (i, line) in text.lines().enumerate() {
            let line_no = i + 1;
            if line.starts_with('#') {
                source.push(line);
                continue;
            }
            if line.trim().is_empty() {
                continue;
            }
            let mut cols = line.split('\t');
            let (Some(code), Some(name), Some(status), None) =
                (cols.next(), cols.next(), cols.next(), cols.next())
            else {
                return Err(format!("line {line_no}: expected 3 tab-separated columns"));
            };
            if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
                return Err(format!("line {line_no}: code {code:?} is not 6 digits"));
            }
            if name.is_empty() {
                return Err(format!("line {line_no}: empty name"));
            }
            let status = match status {
                "current" => DivisionStatus::Current,
                "abolished" => DivisionStatus::Abolished,
                other => return Err(format!("line {line_no}: unknown status {other:?}")),
            };
            entries.push(Division {
                code: DivisionCode::from_ascii_digits(code.as_bytes()),
                name,
                status,
            });
        }
        entries.sort_by_key(|d| d.code);
        if let Some(pair) = entries.windows(2).find(|w| w[0].code == w[1].code) {
            return Err(format!("duplicate code {}", pair[0].code));
        }
        Ok(DivisionTable {
            entries,
            source: source.join("\n"),
        })
    }

    /// The entry for `code`, current or abolished.
    pub fn get(&self, code: DivisionCode) -> Option<&Division> {
        self.entries
            .binary_search_by_key(&code, |d| d.code)
            .ok()
            .map(|i| &self.entries[i])
    }

    /// Current county-level divisions (last two digits not `00`), in code order.
    pub fn current_counties(&self) -> impl Iterator<Item = &Division> {
        self.entries
            .iter()
            .filter(|d| d.status == DivisionStatus::Current && d.code.is_county())
    }

    /// All entries, in code order.
    pub fn iter(&self) -> impl Iterator<Item = &Division> {
        self.entries.iter()
    }

    /// The region a filter names, as the code prefix that selects it: two, four or six digits
    /// as given, or a current division's name (`安徽`, `安徽省`, `深圳市`, `福田区`), its
    /// beginning matched, the largest division first (province, then prefecture, then county)
    /// and then the lowest code, so that the answer is deterministic. `None` if nothing
    /// matches.
    pub fn region_prefix(&self, query: &str) -> Option<String> {
        let q = query.trim();
        if matches!(q.len(), 2 | 4 | 6) && q.bytes().all(|b| b.is_ascii_digit()) {
            return Some(q.to_owned());
        }
        if q.chars().count() < 2 {
            return None;
        }
        let code = |d: &Division| d.code.as_string();
        let level = |d: &Division| {
            let c = code(d);
            if c.ends_with("0000") {
                0
            } else if c.ends_with("00") {
                1
            } else {
                2
            }
        };
        let best = self
            .entries
            .iter()
            .filter(|d| d.status == DivisionStatus::Current && d.name.starts_with(q))
            .min_by_key(|d| (level(d), d.code))?;
        let c = code(best);
        Some(c[..2 + 2 * level(best)].to_owned())
    }

    /// Number of codes, current and abolished.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The header comment lines of the data file (sources, versions, date), `#` included.
    pub fn source(&self) -> &str {
        &self.source
    }
}

static DIVISIONS_TSV: &str = include_str!("../../../../data/divisions.tsv");
static PROVINCES_EN_TSV: &str = include_str!("../../../../data/provinces_en.tsv");

/// The English name of the province-level division whose codes begin with `prefix` (two
/// digits), from `data/provinces_en.tsv`.
pub fn province_name_en(prefix: &str) -> Option<&'static str> {
    PROVINCES_EN_TSV
        .lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| l.split_once('\t'))
        .find(|(p, _)| *p == prefix)
        .map(|(_, name)| name.trim())
}

/// The Chinese name of the province-level division whose codes begin with `prefix` (two
/// digits), from `data/divisions.tsv`.
pub fn province_name_zh(prefix: &str) -> Option<&'static str> {
    let code = DivisionCode::parse(&format!("{prefix}0000")).ok()?;
    divisions().get(code).map(|d| d.name)
}

/// The shipped table (`data/divisions.tsv`), parsed once.
pub fn divisions() -> &'static DivisionTable {
    static TABLE: OnceLock<DivisionTable> = OnceLock::new();
    TABLE.get_or_init(|| {
        // The file is compiled in and checked by the tests: only a broken build can trip this.
        #[allow(clippy::expect_used)]
        DivisionTable::parse(DIVISIONS_TSV).expect("data/divisions.tsv is well-formed")
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn parse_table_errors_name_the_line() {
        assert_eq!(
            DivisionTable::parse("# h\n110000\tx\n").unwrap_err(),
            "line 2: expected 3 tab-separated columns"
        );
        assert_eq!(
            DivisionTable::parse("11000\tx\tcurrent\n").unwrap_err(),
            "line 1: code \"11000\" is not 6 digits"
        );
        assert_eq!(
            DivisionTable::parse("110000\tx\tgone\n").unwrap_err(),
            "line 1: unknown status \"gone\""
        );
        assert_eq!(
            DivisionTable::parse("110000\tx\tcurrent\n110000\ty\tcurrent\n").unwrap_err(),
            "duplicate code 110000"
        );
    }

    #[test]
    fn parse_small_table() {
        let t =
            DivisionTable::parse("# a\n# b\n\n110101\tX\tcurrent\n110000\tY\tabolished\n").unwrap();
        assert_eq!(t.len(), 2);
        assert_eq!(t.source(), "# a\n# b");
        let d = t.get(DivisionCode(110_000)).unwrap();
        assert_eq!((d.name, d.status), ("Y", DivisionStatus::Abolished));
        assert_eq!(
            t.current_counties().map(|d| d.code.0).collect::<Vec<_>>(),
            vec![110_101]
        );
        assert!(t.get(DivisionCode(110_102)).is_none());
    }
}
