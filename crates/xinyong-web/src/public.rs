//! What may leave on a public output. SPEC: "Public HTML and public API responses never contain
//! an unmasked citizen identity number." Every free-text value a department or visitor typed (a
//! subject's name, a department's name, an echoed query or path, an error's detail) goes
//! through [`text`] or [`url`] before it is written to a public page, API response or export;
//! records go through the domain's `public_record`.

use std::borrow::Cow;

use xinyong_domain::disclosure::mask_identity_numbers;

/// Free text as the public may see it: every identity number in it masked, whatever surrounds
/// it (letters, digits, fullwidth digits).
pub fn text(s: &str) -> String {
    mask_identity_numbers(s).into_owned()
}

/// A same-site URL (path and query) as it may be echoed in a link: unchanged unless,
/// percent-decoded, it holds an identity number; then the number is masked in the decoded
/// path and in each decoded query value, and both are encoded again. So a number typed into the
/// address bar, plain or percent-encoded, does not travel on in a link.
pub fn url(s: &str) -> String {
    let decoded = percent_decode(s);
    if matches!(mask_identity_numbers(&decoded), Cow::Borrowed(_)) {
        return s.to_owned();
    }
    let (path, query) = s.split_once('?').unwrap_or((s, ""));
    let mut out = encode_path(&text(&percent_decode(path)));
    if s.contains('?') {
        out.push('?');
        let pairs: Vec<String> = query
            .split('&')
            .map(|pair| {
                let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
                let v = text(&percent_decode(&v.replace('+', " ")));
                let k = text(&percent_decode(k));
                if pair.contains('=') {
                    format!("{}={}", encode_value(&k), encode_value(&v))
                } else {
                    encode_value(&k)
                }
            })
            .collect();
        out.push_str(&pairs.join("&"));
    }
    out
}

/// Percent-encodes a query value (unreserved characters stay).
pub fn encode_value(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Percent-encodes a path, keeping its slashes and the characters that need no encoding.
fn encode_path(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~' | b'/' | b'*') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// `%XX` sequences decoded; the text unchanged if the result would not be UTF-8.
pub fn percent_decode(s: &str) -> Cow<'_, str> {
    if !s.contains('%') {
        return s.into();
    }
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| char::from(b).to_digit(16);
        match (
            bytes[i],
            bytes.get(i + 1).copied().and_then(hex),
            bytes.get(i + 2).copied().and_then(hex),
        ) {
            (b'%', Some(hi), Some(lo)) => {
                // Two hexadecimal digits make a value below 256.
                out.push(u8::try_from(hi * 16 + lo).unwrap_or(b'?'));
                i += 3;
            }
            (b, _, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).map_or(s.into(), Into::into)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn echoed_urls_never_carry_a_whole_identity_number() {
        assert_eq!(
            url("/search?q=%E8%85%BE%E8%AE%AF"),
            "/search?q=%E8%85%BE%E8%AE%AF"
        );
        assert_eq!(
            url("/search?q=11010519491231002X&page=2"),
            "/search?q=110105%2A%2A%2A%2A%2A%2A%2A%2A002X&page=2"
        );
        assert_eq!(
            url("/subjects/%3110105194912310%302x"),
            "/subjects/110105********002X"
        );
        // Fullwidth digits, percent-encoded as UTF-8.
        let fullwidth: String = "１１０１０５１９４９１２３１００２Ｘ"
            .bytes()
            .map(|b| format!("%{b:02X}"))
            .collect();
        let echoed = url(&format!("/search?q={fullwidth}"));
        assert!(
            percent_decode(&echoed).contains("１１０１０５********００２Ｘ"),
            "{echoed}"
        );
        assert_eq!(text("A11010519491231002Xabc"), "A110105********002Xabc");
    }
}
