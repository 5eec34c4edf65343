//! What the log records about each write or non-public read, and its canonical byte form.

use serde::{Deserialize, Serialize};

use sha2::{Digest, Sha256};

use crate::hash::{Hash, LEAF_PREFIX};

/// Version byte that starts [`Entry::leaf_bytes`]; a new layout gets a new byte, so old leaves
/// stay verifiable.
pub const ENTRY_FORMAT_V1: u8 = 0x01;

/// One logged event. The tree stores `leaf_hash(entry.leaf_bytes())`.
///
/// Invariant: the entry is a pure value; two entries have the same leaf bytes exactly when all
/// their fields are equal, so any edit of a stored entry changes its leaf hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    /// What happened, e.g. `record.created`, `record.version`, `token.created`,
    /// `read.restricted`.
    pub kind: String,
    /// Whom it concerns: a subject code, or a keyed hash for natural persons (the caller
    /// decides; this crate never sees identity numbers). `None` for events about no subject.
    pub subject: Option<String>,
    /// Who did it (user, department or token identifier).
    pub actor: String,
    /// When, in milliseconds since the Unix epoch (UTC).
    pub at_ms: u64,
    /// SHA-256 of the canonical content of the change, so that the stored record or event can be
    /// checked against the log.
    #[serde(with = "crate::hash::serde_hex::hash")]
    pub payload_hash: Hash,
}

/// Leaf bytes that are not a valid [`Entry`] serialisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum EntryDecodeError {
    /// The first byte is not a known format version.
    #[error("unknown entry format version {0:#04x}")]
    UnknownVersion(u8),
    /// The bytes end before the last field.
    #[error("entry bytes are truncated")]
    Truncated,
    /// Bytes remain after the last field.
    #[error("entry bytes have trailing data")]
    TrailingBytes,
    /// A string field is not UTF-8.
    #[error("entry string field is not UTF-8")]
    NotUtf8,
    /// The subject presence byte is neither 0 nor 1.
    #[error("entry subject tag {0:#04x} is neither 0 nor 1")]
    BadSubjectTag(u8),
}

impl Entry {
    /// The canonical serialisation hashed into the tree (format v1). All integers are big-endian:
    ///
    /// ```text
    /// 0x01                                   format version
    /// u64 len(kind)    || kind               UTF-8
    /// 0x00                                   subject absent, or
    /// 0x01 || u64 len(subject) || subject    subject present, UTF-8
    /// u64 len(actor)   || actor              UTF-8
    /// u64 at_ms
    /// payload_hash                           32 bytes
    /// ```
    ///
    /// Every variable-length field is length-prefixed, so the encoding is injective: no two
    /// different entries serialise to the same bytes. [`Entry::from_leaf_bytes`] inverts it.
    pub fn leaf_bytes(&self) -> Vec<u8> {
        let subject_len = self.subject.as_ref().map_or(0, |s| 8 + s.len());
        let mut out = Vec::with_capacity(
            1 + 8 + self.kind.len() + 1 + subject_len + 8 + self.actor.len() + 40,
        );
        self.write_leaf_bytes(|b| out.extend_from_slice(b));
        out
    }

    /// `leaf_hash(self.leaf_bytes())`: the value stored at level 0 of the tree. Streams the
    /// fields into the hasher instead of building the byte vector (this is the append hot path).
    pub fn leaf_hash(&self) -> Hash {
        let mut h = Sha256::new();
        h.update([LEAF_PREFIX]);
        self.write_leaf_bytes(|b| h.update(b));
        h.finalize().into()
    }

    /// The single definition of the layout, shared by [`Entry::leaf_bytes`] and
    /// [`Entry::leaf_hash`] so that they cannot drift apart.
    fn write_leaf_bytes(&self, mut sink: impl FnMut(&[u8])) {
        fn put_str(sink: &mut impl FnMut(&[u8]), s: &str) {
            // usize is at most 64 bits on every target Rust supports, so this cast is lossless.
            sink(&(s.len() as u64).to_be_bytes());
            sink(s.as_bytes());
        }
        sink(&[ENTRY_FORMAT_V1]);
        put_str(&mut sink, &self.kind);
        match &self.subject {
            None => sink(&[0]),
            Some(s) => {
                sink(&[1]);
                put_str(&mut sink, s);
            }
        }
        put_str(&mut sink, &self.actor);
        sink(&self.at_ms.to_be_bytes());
        sink(&self.payload_hash);
    }

    /// Parses [`Entry::leaf_bytes`] output, e.g. for an outside verifier that received raw leaves.
    pub fn from_leaf_bytes(bytes: &[u8]) -> Result<Self, EntryDecodeError> {
        let mut r = Reader(bytes);
        let version = r.byte()?;
        if version != ENTRY_FORMAT_V1 {
            return Err(EntryDecodeError::UnknownVersion(version));
        }
        let kind = r.string()?;
        let subject = match r.byte()? {
            0 => None,
            1 => Some(r.string()?),
            t => return Err(EntryDecodeError::BadSubjectTag(t)),
        };
        let actor = r.string()?;
        let at_ms = u64::from_be_bytes(r.array()?);
        let payload_hash = r.array()?;
        if !r.0.is_empty() {
            return Err(EntryDecodeError::TrailingBytes);
        }
        Ok(Self {
            kind,
            subject,
            actor,
            at_ms,
            payload_hash,
        })
    }
}

struct Reader<'a>(&'a [u8]);

impl Reader<'_> {
    fn take(&mut self, n: usize) -> Result<&[u8], EntryDecodeError> {
        if self.0.len() < n {
            return Err(EntryDecodeError::Truncated);
        }
        let (head, tail) = self.0.split_at(n);
        self.0 = tail;
        Ok(head)
    }

    fn byte(&mut self) -> Result<u8, EntryDecodeError> {
        Ok(self.take(1)?[0])
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], EntryDecodeError> {
        let mut out = [0u8; N];
        out.copy_from_slice(self.take(N)?);
        Ok(out)
    }

    fn string(&mut self) -> Result<String, EntryDecodeError> {
        let len = u64::from_be_bytes(self.array()?);
        // A length that does not fit usize cannot fit in the remaining bytes either.
        let len = usize::try_from(len).map_err(|_| EntryDecodeError::Truncated)?;
        let bytes = self.take(len)?;
        String::from_utf8(bytes.to_vec()).map_err(|_| EntryDecodeError::NotUtf8)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    fn sample() -> Entry {
        Entry {
            kind: "record.created".into(),
            subject: Some("91350100M000100Y43".into()),
            actor: "dept:fj-market".into(),
            at_ms: 1_700_000_000_000,
            payload_hash: [7; 32],
        }
    }

    #[test]
    fn leaf_bytes_layout_is_as_documented() {
        let e = Entry {
            kind: "k".into(),
            subject: None,
            actor: "ab".into(),
            at_ms: 0x0102,
            payload_hash: [9; 32],
        };
        let mut want = vec![1u8];
        want.extend_from_slice(&[0, 0, 0, 0, 0, 0, 0, 1, b'k']);
        want.push(0);
        want.extend_from_slice(&[0, 0, 0, 0, 0, 0, 0, 2, b'a', b'b']);
        want.extend_from_slice(&[0, 0, 0, 0, 0, 0, 1, 2]);
        want.extend_from_slice(&[9; 32]);
        assert_eq!(e.leaf_bytes(), want);
    }

    #[test]
    fn fields_cannot_bleed_into_each_other() {
        let a = Entry {
            kind: "ab".into(),
            actor: "c".into(),
            ..sample()
        };
        let b = Entry {
            kind: "a".into(),
            actor: "bc".into(),
            ..sample()
        };
        assert_ne!(a.leaf_bytes(), b.leaf_bytes());
        let none = Entry {
            subject: None,
            ..sample()
        };
        let empty = Entry {
            subject: Some(String::new()),
            ..sample()
        };
        assert_ne!(none.leaf_hash(), empty.leaf_hash());
    }

    #[test]
    fn streamed_leaf_hash_equals_hash_of_leaf_bytes() {
        for e in [
            sample(),
            Entry {
                subject: None,
                ..sample()
            },
        ] {
            assert_eq!(e.leaf_hash(), crate::hash::leaf_hash(&e.leaf_bytes()));
        }
    }

    #[test]
    fn decode_inverts_encode_and_rejects_garbage() {
        let e = sample();
        let bytes = e.leaf_bytes();
        assert_eq!(Entry::from_leaf_bytes(&bytes).unwrap(), e);
        assert_eq!(
            Entry::from_leaf_bytes(&bytes[..bytes.len() - 1]),
            Err(EntryDecodeError::Truncated)
        );
        let mut longer = bytes.clone();
        longer.push(0);
        assert_eq!(
            Entry::from_leaf_bytes(&longer),
            Err(EntryDecodeError::TrailingBytes)
        );
        let mut v2 = bytes;
        v2[0] = 2;
        assert_eq!(
            Entry::from_leaf_bytes(&v2),
            Err(EntryDecodeError::UnknownVersion(2))
        );
    }

    #[test]
    fn serialises_payload_hash_as_hex() {
        let json = serde_json::to_value(sample()).unwrap();
        assert_eq!(json["payload_hash"], "07".repeat(32));
        assert_eq!(serde_json::from_value::<Entry>(json).unwrap(), sample());
    }
}
