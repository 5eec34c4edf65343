//! Masking of personal data on every public output: citizen identity numbers keep their first 6
//! and last 4 characters, personal values their ends. Used by disclosure (public records) and by
//! every error message that may quote an input.

use std::borrow::Cow;

use crate::code::CitizenId;

/// Masks a personal value entirely but for its first and last characters (identity numbers
/// keep the first 6 and last 4, the national convention).
pub fn mask_personal(s: &str) -> String {
    if let Ok(id) = CitizenId::parse(s) {
        return id.masked();
    }
    let chars: Vec<char> = s.chars().collect();
    match chars.len() {
        0 => String::new(),
        1 | 2 => "*".repeat(chars.len()),
        n => {
            let mut out = String::with_capacity(s.len());
            out.push(chars[0]);
            out.extend(std::iter::repeat_n('*', n - 2));
            out.push(chars[n - 1]);
            out
        }
    }
}

/// The ASCII form of a character that can be part of an identity number: digits and `X` in
/// ASCII or fullwidth form (`４４０３０５…`, as Chinese input methods type them), lower-case `x`
/// upper-cased.
fn id_char(c: char) -> Option<u8> {
    match c {
        '0'..='9' => Some(c as u8),
        'X' | 'x' | '\u{FF38}' | '\u{FF58}' => Some(b'X'),
        '\u{FF10}'..='\u{FF19}' => Some(b'0' + (u32::from(c) - 0xFF10) as u8),
        _ => None,
    }
}

/// Replaces everything in free text that could be a citizen identity number by its masked form
/// (first 6 and last 4 characters kept). SPEC: "Natural persons' identity numbers are never
/// shown in full on public pages or public API responses"; a department may paste a number into
/// any text value, so every free-text value is masked on the way out. A number is found
/// whatever surrounds it (letters, digits, Chinese text), in ASCII or fullwidth digits, and even
/// with a wrong check character ([`CitizenId::is_plausible`]).
pub fn mask_identity_numbers(s: &str) -> Cow<'_, str> {
    if s.chars().filter(|&c| id_char(c).is_some()).count() < 18 {
        return Cow::Borrowed(s);
    }
    let chars: Vec<(usize, char)> = s.char_indices().collect();
    let mut out = String::new();
    let mut copied = 0; // byte offset up to which `s` is in `out`
    let mut i = 0;
    let mut window = [0u8; 18];
    while i + 18 <= chars.len() {
        let candidate = chars[i..i + 18]
            .iter()
            .zip(window.iter_mut())
            .all(|(&(_, c), w)| id_char(c).map(|a| *w = a).is_some());
        if candidate && CitizenId::is_plausible(&window) {
            out.push_str(&s[copied..chars[i].0]);
            for (k, &(_, c)) in chars[i..i + 18].iter().enumerate() {
                out.push(match c {
                    _ if (6..14).contains(&k) => '*',
                    // Check characters are written upper-case, as CitizenId normalises them.
                    'x' => 'X',
                    '\u{FF58}' => '\u{FF38}',
                    c => c,
                });
            }
            copied = chars.get(i + 18).map_or(s.len(), |&(at, _)| at);
            i += 18;
        } else {
            i += 1;
        }
    }
    if copied == 0 {
        Cow::Borrowed(s)
    } else {
        out.push_str(&s[copied..]);
        Cow::Owned(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    #[test]
    fn identity_numbers_in_free_text_are_masked() {
        let text = "法定代表人张三（11010519491231002X）拒不履行";
        let masked = mask_identity_numbers(text);
        assert_eq!(masked, "法定代表人张三（110105********002X）拒不履行");
    }

    #[test]
    fn identity_numbers_are_masked_whatever_surrounds_them() {
        for (text, masked) in [
            ("A440305198507265865", "A440305********5865"),
            ("440305195604206361abc", "440305********6361abc"),
            ("当事人440305195706179747", "当事人440305********9747"),
            ("编号0440305195706179747", "编号0440305********9747"),
        ] {
            assert_eq!(mask_identity_numbers(text), masked, "{text}");
        }
    }

    #[test]
    fn fullwidth_identity_numbers_are_masked() {
        let text = "身份证４４０３０５１９５７０６１７９７４７号";
        assert_eq!(
            mask_identity_numbers(text),
            "身份证４４０３０５********９７４７号"
        );
        assert_eq!(
            mask_identity_numbers("１１０１０５１９４９１２３１００２ｘ"),
            "１１０１０５********００２Ｘ"
        );
    }

    #[test]
    fn a_number_with_a_mistyped_check_character_is_masked_too() {
        // 11010519491231002X with its check character typed as 3.
        assert_eq!(
            mask_identity_numbers("11010519491231002３"),
            "110105********002３"
        );
    }

    #[test]
    fn digits_that_are_not_identity_numbers_stay() {
        let text = "合同编号 123456789012345678 金额 1000";
        assert_eq!(mask_identity_numbers(text), text);
    }

    #[test]
    fn field_errors_never_quote_a_whole_identity_number() {
        let raw = crate::RawRecord::from_json(&serde_json::json!({
            "category": "admin_penalty",
            "subject": {"code": "11010519491231002X", "name": "张三", "kind": "natural_person"},
            "document_no": "罚1", "decided_on": "11010519491231002X", "legal_basis": "《某法》",
            "tier": "general",
            "fields": {"facts": "事实", "penalty_kind": "罚款", "content": "罚款",
                       "authority": "市场监管局", "fine_10k_yuan": "11010519491231002X"}
        }))
        .unwrap_or_else(|e| panic!("{e:?}"));
        let Err(errors) = crate::Catalogue::shipped().validate(
            &raw,
            NaiveDate::from_ymd_opt(2026, 11, 26).unwrap_or_default(),
        ) else {
            panic!("the record is invalid");
        };
        let messages: Vec<String> = errors.iter().map(ToString::to_string).collect();
        assert!(messages.len() >= 2, "{messages:?}");
        for m in &messages {
            assert!(!m.contains("11010519491231002X"), "{m}");
        }
        assert!(
            messages
                .iter()
                .any(|m| m.contains("\"110105********002X\" is not a date")),
            "the value is still quoted, masked: {messages:?}"
        );
    }

    #[test]
    fn personal_values_keep_only_their_ends() {
        assert_eq!(mask_personal("张三丰"), "张*丰");
        assert_eq!(mask_personal("11010519491231002X"), "110105********002X");
    }
}
