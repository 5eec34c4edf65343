//! Turning an uploaded file's bytes into UTF-8 text, line by line, without ever guessing.
//!
//! Departments export UTF-8 (with or without a BOM) or GBK/GB 18030. The encoding is decided by
//! the first line that is not plain ASCII, and every later line must be in the same encoding:
//! a file that mixes them (one GBK row pasted into a UTF-8 file), or a line that decodes in
//! neither, is refused with its line number. Nothing is ever replaced by U+FFFD, so no stored
//! value can silently be mojibake (issue #11, item 8).

use std::io::{self, BufRead, Read};

use encoding_rs::GB18030;

/// The encoding a file turned out to be in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileEncoding {
    Utf8,
    Gb18030,
}

impl FileEncoding {
    fn name(self) -> &'static str {
        match self {
            FileEncoding::Utf8 => "UTF-8",
            FileEncoding::Gb18030 => "GBK/GB 18030",
        }
    }
}

/// A reader that yields the UTF-8 form of a UTF-8 or GB 18030 file, line by line, and fails
/// (with an `InvalidData` error naming the line) at the first line it cannot decode in the
/// file's encoding.
pub(crate) struct Transcoder<R> {
    inner: R,
    encoding: Option<(FileEncoding, u64)>,
    line: u64,
    raw: Vec<u8>,
    out: Vec<u8>,
    pos: usize,
}

impl<R: BufRead> Transcoder<R> {
    pub(crate) fn new(inner: R) -> Transcoder<R> {
        Transcoder {
            inner,
            encoding: None,
            line: 0,
            raw: Vec::new(),
            out: Vec::new(),
            pos: 0,
        }
    }

    /// Reads and decodes the next line into `out`; `false` at the end of the file.
    fn next_line(&mut self) -> io::Result<bool> {
        self.raw.clear();
        self.out.clear();
        self.pos = 0;
        if self.inner.read_until(b'\n', &mut self.raw)? == 0 {
            return Ok(false);
        }
        self.line += 1;
        // Line ends become LF: the CSV reader counts a CRLF line's end only when it reads the
        // next record, so every row of a Windows export was reported one line too early.
        if self.raw.ends_with(b"\r\n") {
            self.raw.truncate(self.raw.len() - 2);
            self.raw.push(b'\n');
        }
        let mut bytes = &self.raw[..];
        if self.line == 1 {
            if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
                bytes = rest;
                self.encoding = Some((FileEncoding::Utf8, 1));
            } else if bytes.starts_with(b"\xFF\xFE") || bytes.starts_with(b"\xFE\xFF") {
                return Err(refused(
                    "line 1: the file is UTF-16; save it as UTF-8 or GBK".to_owned(),
                ));
            }
        }
        if bytes.is_ascii() {
            self.out.extend_from_slice(bytes);
            return Ok(true);
        }
        let utf8 = match (std::str::from_utf8(bytes), self.encoding) {
            // In a GBK file, a line whose bytes also happen to be UTF-8 of two-byte characters
            // only (GBK's 实 is the bytes of U+02B5) is GBK: Chinese text in UTF-8 takes
            // three bytes a character, which no GBK line of this kind has.
            (Ok(text), Some((FileEncoding::Gb18030, _)))
                if text.chars().all(|c| (c as u32) < 0x800)
                    && GB18030
                        .decode_without_bom_handling_and_without_replacement(bytes)
                        .is_some() =>
            {
                false
            }
            (decoded, _) => decoded.is_ok(),
        };
        let line = self.line;
        match self.encoding {
            None if utf8 => self.encoding = Some((FileEncoding::Utf8, line)),
            None => self.encoding = Some((FileEncoding::Gb18030, line)),
            Some((FileEncoding::Utf8, _)) if utf8 => {}
            Some((FileEncoding::Gb18030, _)) if !utf8 => {}
            Some((encoding, since)) => {
                let this = if utf8 { "UTF-8" } else { "not UTF-8 (GBK?)" };
                return Err(refused(format!(
                    "line {line}: the text is {this}, but the file is {} (from line {since}): \
                     it mixes encodings; save the whole file in one encoding",
                    encoding.name()
                )));
            }
        }
        match self.encoding {
            Some((FileEncoding::Gb18030, _)) => {
                match GB18030.decode_without_bom_handling_and_without_replacement(bytes) {
                    Some(text) => self.out.extend_from_slice(text.as_bytes()),
                    None => {
                        return Err(refused(format!(
                            "line {line}: bytes that are neither UTF-8 nor GBK/GB 18030 text"
                        )));
                    }
                }
            }
            _ => self.out.extend_from_slice(bytes),
        }
        Ok(true)
    }
}

fn refused(message: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, message)
}

impl<R: BufRead> Read for Transcoder<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.pos == self.out.len() && !self.next_line()? {
            return Ok(0);
        }
        let n = buf.len().min(self.out.len() - self.pos);
        buf[..n].copy_from_slice(&self.out[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn decode(bytes: &[u8]) -> io::Result<String> {
        let mut out = String::new();
        Transcoder::new(bytes).read_to_string(&mut out)?;
        Ok(out)
    }

    fn gbk(s: &str) -> Vec<u8> {
        GB18030.encode(s).0.into_owned()
    }

    #[test]
    fn utf8_with_and_without_bom_and_gbk_decode() {
        assert_eq!(
            decode("名称,代码\n示例\n".as_bytes()).unwrap(),
            "名称,代码\n示例\n"
        );
        assert_eq!(decode(b"\xEF\xBB\xBFa,b\n").unwrap(), "a,b\n");
        assert_eq!(
            decode(&gbk("名称\n示例有限公司\n")).unwrap(),
            "名称\n示例有限公司\n"
        );
    }

    /// Found by the property test of `tests/domain/record_files.rs`: GBK's 实 is the bytes
    /// CA B5, which are also UTF-8 (U+02B5), so a GBK row holding no other Chinese character
    /// made the file "mix encodings".
    #[test]
    fn a_gbk_row_whose_bytes_are_also_utf8_stays_gbk() {
        assert_eq!(std::str::from_utf8(&gbk("实")).unwrap(), "\u{2b5}");
        let text = "违法事实,备注\n实,1\n";
        assert_eq!(decode(&gbk(text)).unwrap(), text);
        // A row of three-byte UTF-8 characters in a GBK file is still refused.
        let mut bytes = gbk("名称\n示例有限公司\n");
        bytes.extend("混合编码有限公司\n".as_bytes());
        assert!(decode(&bytes).is_err());
    }

    #[test]
    fn a_gbk_row_in_a_utf8_file_is_refused_naming_its_line() {
        let mut bytes = "名称\n示例一有限公司\n".as_bytes().to_vec();
        bytes.extend(gbk("混合编码一有限公司\n"));
        let err = decode(&bytes).unwrap_err().to_string();
        assert!(
            err.starts_with("line 3:") && err.contains("mixes encodings"),
            "{err}"
        );
    }

    #[test]
    fn gbk_bytes_after_a_long_ascii_start_are_decoded_not_replaced() {
        let mut bytes = "a,b\n".repeat(40_000).into_bytes();
        bytes.extend(gbk("深市监罚〔2026〕1号,《行政处罚法》\n"));
        let text = decode(&bytes).unwrap();
        assert!(text.ends_with("深市监罚〔2026〕1号,《行政处罚法》\n"));
        assert!(!text.contains('\u{FFFD}'));
    }

    #[test]
    fn bytes_in_neither_encoding_are_refused() {
        let err = decode(b"a\n\xFF\xFF\xFF\n").unwrap_err().to_string();
        assert!(err.starts_with("line 2:"), "{err}");
    }
}
