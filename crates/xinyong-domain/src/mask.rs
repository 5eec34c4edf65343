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

/// Replaces every valid citizen identity number inside free text by its masked form. Defence in
/// depth: a department may paste a number into a text field where no one expected one.
pub fn mask_identity_numbers(s: &str) -> Cow<'_, str> {
    let bytes = s.as_bytes();
    if bytes.len() < 18 || bytes.iter().filter(|b| b.is_ascii_digit()).count() < 17 {
        return Cow::Borrowed(s);
    }
    let mut out = String::new();
    let mut last = 0;
    let mut i = 0;
    while i + 18 <= bytes.len() {
        let window = &bytes[i..i + 18];
        let boundary_before = i == 0 || !bytes[i - 1].is_ascii_alphanumeric();
        let boundary_after = i + 18 == bytes.len() || !bytes[i + 18].is_ascii_alphanumeric();
        let shaped = window[..17].iter().all(u8::is_ascii_digit)
            && (window[17].is_ascii_digit() || window[17] == b'X' || window[17] == b'x');
        if boundary_before && boundary_after && shaped {
            // The window is ASCII, so slicing at i and i + 18 is on char boundaries.
            if let Ok(id) = CitizenId::parse(&s[i..i + 18]) {
                out.push_str(&s[last..i]);
                out.push_str(&id.masked());
                last = i + 18;
                i += 18;
                continue;
            }
        }
        i += 1;
    }
    if last == 0 {
        Cow::Borrowed(s)
    } else {
        out.push_str(&s[last..]);
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
