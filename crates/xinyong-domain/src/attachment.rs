//! Evidence attachments (issue #12): files a subject uploads in support of an objection or a
//! repair application (a payment receipt, a court ruling, a corrected licence).
//!
//! Invariants: an attachment is never public. Only three kinds of document are accepted, and
//! the declared type must agree with the file's own signature, so a file cannot claim to be a
//! PDF and be something a browser would run. Its SHA-256 is recorded when it is stored, so
//! the subject can later prove which file it submitted.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::code::SubjectCode;
use crate::text::{Lines, check_text};

/// Largest file accepted, in bytes (5 MiB: a scanned multi-page decision fits).
pub const MAX_ATTACHMENT_BYTES: usize = 5 * 1024 * 1024;
/// Most attachments one objection or repair application names.
pub const MAX_ATTACHMENTS_PER_CASE: usize = 10;
/// Most attachments one subject may hold: an upload beyond it is refused, so that nobody
/// can fill the platform's disk through one token.
pub const MAX_ATTACHMENTS_PER_SUBJECT: u64 = 100;
/// Longest file name kept, in characters.
pub const MAX_NAME: usize = 200;

/// The accepted kinds of document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum MediaType {
    #[serde(rename = "application/pdf")]
    Pdf,
    #[serde(rename = "image/png")]
    Png,
    #[serde(rename = "image/jpeg")]
    Jpeg,
}

impl MediaType {
    /// Every accepted type.
    pub const ALL: [MediaType; 3] = [MediaType::Pdf, MediaType::Png, MediaType::Jpeg];

    /// The media type as sent in `Content-Type` and stored.
    pub fn as_str(self) -> &'static str {
        match self {
            MediaType::Pdf => "application/pdf",
            MediaType::Png => "image/png",
            MediaType::Jpeg => "image/jpeg",
        }
    }

    /// The type a `Content-Type` value names (parameters and case ignored; `image/jpg`, which
    /// some clients send, is JPEG).
    pub fn parse(declared: &str) -> Option<MediaType> {
        let essence = declared.split(';').next().unwrap_or("").trim();
        if essence.eq_ignore_ascii_case("image/jpg") {
            return Some(MediaType::Jpeg);
        }
        MediaType::ALL
            .into_iter()
            .find(|t| t.as_str().eq_ignore_ascii_case(essence))
    }

    /// Whether `bytes` begin with this type's file signature.
    fn signed_by(self, bytes: &[u8]) -> bool {
        match self {
            MediaType::Pdf => bytes.starts_with(b"%PDF-"),
            MediaType::Png => bytes.starts_with(b"\x89PNG\r\n\x1a\n"),
            MediaType::Jpeg => bytes.starts_with(&[0xFF, 0xD8, 0xFF]),
        }
    }

    /// The extension a downloaded copy gets.
    pub fn extension(self) -> &'static str {
        match self {
            MediaType::Pdf => "pdf",
            MediaType::Png => "png",
            MediaType::Jpeg => "jpg",
        }
    }
}

/// Why an upload is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AttachmentError {
    #[error("the file is empty")]
    Empty,
    #[error("the file has {size} bytes; at most {max} are accepted")]
    TooLarge { size: usize, max: usize },
    #[error(
        "{0:?} is not an accepted type: send application/pdf, image/png or image/jpeg as the \
         Content-Type"
    )]
    TypeNotAccepted(String),
    #[error("the content is not a {0} file: its first bytes are not that format's signature")]
    ContentMismatch(&'static str),
    #[error("file name: {0}")]
    Name(String),
}

/// Checks an upload: size, an accepted declared type, content that carries that type's
/// signature, and a printable one-line name. Returns the type.
pub fn check_upload(
    declared: &str,
    name: Option<&str>,
    bytes: &[u8],
) -> Result<MediaType, AttachmentError> {
    if bytes.is_empty() {
        return Err(AttachmentError::Empty);
    }
    if bytes.len() > MAX_ATTACHMENT_BYTES {
        return Err(AttachmentError::TooLarge {
            size: bytes.len(),
            max: MAX_ATTACHMENT_BYTES,
        });
    }
    let media_type = MediaType::parse(declared)
        .ok_or_else(|| AttachmentError::TypeNotAccepted(declared.to_owned()))?;
    if !media_type.signed_by(bytes) {
        return Err(AttachmentError::ContentMismatch(media_type.as_str()));
    }
    if let Some(name) = name {
        check_text(name, MAX_NAME, Lines::One).map_err(AttachmentError::Name)?;
    }
    Ok(media_type)
}

/// The SHA-256 of a file, in hex: what the audit log records of it.
pub fn content_digest(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// A stored attachment, without its content.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Attachment {
    pub id: String,
    /// Whose evidence it is: only this subject's cases may name it.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    #[serde(skip_serializing)]
    pub subject_code: SubjectCode,
    pub media_type: MediaType,
    /// The name the subject gave it, if any (never public).
    pub name: Option<String>,
    /// Size in bytes.
    pub size: u64,
    /// SHA-256 of the content, in hex.
    pub sha256: String,
    pub stored_at: DateTime<Utc>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_upload_must_carry_the_signature_of_its_declared_type() {
        assert_eq!(
            check_upload("application/pdf", None, b"%PDF-1.7\n..."),
            Ok(MediaType::Pdf)
        );
        assert_eq!(
            check_upload("IMAGE/JPG", Some("收据.jpg"), &[0xFF, 0xD8, 0xFF, 0xE0]),
            Ok(MediaType::Jpeg)
        );
        assert_eq!(
            check_upload("image/png", None, b"<html><script>"),
            Err(AttachmentError::ContentMismatch("image/png"))
        );
        assert!(matches!(
            check_upload("text/html", None, b"<html>"),
            Err(AttachmentError::TypeNotAccepted(_))
        ));
        assert_eq!(
            check_upload("application/pdf", None, b""),
            Err(AttachmentError::Empty)
        );
        let big = vec![b'%'; MAX_ATTACHMENT_BYTES + 1];
        assert!(matches!(
            check_upload("application/pdf", None, &big),
            Err(AttachmentError::TooLarge { .. })
        ));
        assert!(matches!(
            check_upload("application/pdf", Some("a\nb"), b"%PDF-1.4"),
            Err(AttachmentError::Name(_))
        ));
    }
}
