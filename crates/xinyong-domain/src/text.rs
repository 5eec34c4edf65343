//! Input hygiene shared by every submission path (records, list entries): dates as departments
//! write them, and text values free of control characters. One implementation, so that a record
//! and a list entry refuse the same inputs.

use chrono::NaiveDate;

/// Whether a text value may span lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lines {
    /// Names, document numbers, codes, legal bases: no control character at all.
    One,
    /// Long free text (facts, content): line breaks and tabs allowed, no other control character.
    Many,
}

/// The earliest date any input may carry: the founding of the People's Republic. No decision of
/// its authorities predates it, so an earlier date (`0000-01-01`, `1900-01-01`) is a placeholder
/// or a typing error, never a fact.
pub const EARLIEST_DATE: NaiveDate = match NaiveDate::from_ymd_opt(1949, 10, 1) {
    Some(d) => d,
    None => panic!("1949-10-01 is a date"),
};

/// Parses a date as departments export it: `2024-03-01`, `2024/03/01`, `20240301` or
/// `2024年03月01日`; refuses dates before [`EARLIEST_DATE`].
pub fn parse_date(s: &str) -> Result<NaiveDate, String> {
    let date = parse_date_form(s)?;
    if date < EARLIEST_DATE {
        return Err(format!(
            "{s:?} lies before {EARLIEST_DATE}: no decision of the platform's authorities is older"
        ));
    }
    Ok(date)
}

fn parse_date_form(s: &str) -> Result<NaiveDate, String> {
    // Fast path for the ISO form that APIs and most exports use; chrono's format parser is
    // comparatively slow and this runs for every date of every imported row.
    let b = s.as_bytes();
    if b.len() == 10 && b[4] == b'-' && b[7] == b'-' {
        let num = |r: std::ops::Range<usize>| -> Option<u32> {
            b[r].iter().try_fold(0u32, |acc, c| {
                c.is_ascii_digit().then(|| acc * 10 + u32::from(c - b'0'))
            })
        };
        if let (Some(y), Some(m), Some(d)) = (num(0..4), num(5..7), num(8..10)) {
            return NaiveDate::from_ymd_opt(y as i32, m, d)
                .ok_or_else(|| format!("{s:?} is not a date (expected YYYY-MM-DD)"));
        }
    }
    // Departments also export dates as 2024/03/01, 20240301 or 2024年03月01日.
    let formats = ["%Y-%m-%d", "%Y/%m/%d", "%Y%m%d", "%Y年%m月%d日"];
    formats
        .iter()
        .find_map(|f| NaiveDate::parse_from_str(s, f).ok())
        .ok_or_else(|| format!("{s:?} is not a date (expected YYYY-MM-DD)"))
}

/// Checks a text value: at most `max` characters, and no control characters beyond the line
/// breaks and tabs that [`Lines::Many`] allows.
pub fn check_text(s: &str, max: usize, lines: Lines) -> Result<(), String> {
    if s.chars().count() > max {
        return Err(format!("longer than {max} characters"));
    }
    let allowed = |c: char| lines == Lines::Many && matches!(c, '\n' | '\t' | '\r');
    if s.chars().any(|c| c.is_control() && !allowed(c)) {
        return Err("contains control characters".into());
    }
    if s.contains('\u{FFFD}') {
        // The replacement character is what a decoder leaves where bytes were in another
        // encoding: storing it would keep mojibake as if it were the department's text.
        return Err("contains U+FFFD, the mark of text decoded in the wrong encoding".into());
    }
    if let Some(c) = s.chars().find(|&c| is_invisible_format(c)) {
        return Err(format!(
            "contains the invisible formatting character U+{:04X}, which can make text read \
             differently from what is stored",
            u32::from(c)
        ));
    }
    Ok(())
}

/// Text-direction overrides and isolates (U+202A-U+202E, U+2066-U+2069, the Arabic letter mark),
/// direction marks, zero-width characters and a byte-order mark inside text: invisible, and able
/// to make a name or a number read as something else (U+202E reverses what follows it).
fn is_invisible_format(c: char) -> bool {
    matches!(c, '\u{061C}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2064}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}')
}

/// Ids in data files and URLs: 1-64 characters of `a-z`, `0-9` and `_`.
pub fn is_identifier(s: &str) -> bool {
    (1..=64).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn dates_parse_in_every_form_departments_export() {
        let d = NaiveDate::from_ymd_opt(2024, 3, 1);
        for s in ["2024-03-01", "2024/03/01", "20240301", "2024年03月01日"] {
            assert_eq!(parse_date(s).ok(), d, "{s}");
        }
        assert!(parse_date("2024-02-30").is_err());
        assert!(parse_date("next week").is_err());
    }

    #[test]
    fn placeholder_dates_before_the_founding_are_refused() {
        for s in ["0000-01-01", "1900-01-01", "1949-09-30"] {
            assert!(parse_date(s).is_err(), "{s}");
        }
        assert_eq!(parse_date("1949-10-01").ok(), Some(EARLIEST_DATE));
    }

    #[test]
    fn text_direction_overrides_and_invisible_characters_are_refused() {
        for bad in [
            "示例\u{202E}司公限有",
            "a\u{200B}b",
            "\u{2066}x\u{2069}",
            "a\u{FEFF}",
        ] {
            for lines in [Lines::One, Lines::Many] {
                let err = check_text(bad, 200, lines).unwrap_err();
                assert!(err.contains("U+"), "{bad:?}: {err}");
            }
        }
    }

    #[test]
    fn text_decoded_in_the_wrong_encoding_is_refused() {
        let err = check_text("深市监罚\u{FFFD}1号", 128, Lines::One).unwrap_err();
        assert!(err.contains("U+FFFD"), "{err}");
    }

    #[test]
    fn one_line_text_refuses_every_control_character() {
        assert!(check_text("深圳市示例科技有限公司", 200, Lines::One).is_ok());
        for bad in ["名称\n有限公司", "名称\t", "名称\r", "a\u{0}b", "a\u{7f}"] {
            assert!(check_text(bad, 200, Lines::One).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn long_text_keeps_line_breaks_but_no_other_control_character() {
        assert!(check_text("第一行\n第二行\r\n\t第三行", 10_000, Lines::Many).is_ok());
        assert!(check_text("a\u{1b}[31m", 10_000, Lines::Many).is_err());
        assert!(check_text(&"字".repeat(11), 10, Lines::Many).is_err());
    }
}
