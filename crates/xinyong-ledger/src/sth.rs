//! Signed tree heads (Ed25519) and the signing key helpers. No file I/O: the binary decides where
//! the key lives and writes [`SigningKey::to_bytes`] there when [`load_or_create_key`] made one.

use ed25519_dalek::{Signature, Signer as _, SigningKey, VerifyingKey};
use rand::TryRngCore as _;
use rand::rngs::OsRng;
use serde::{Deserialize, Serialize};

use crate::hash::{Hash, sha256};

/// Length of [`SignedTreeHead::signed_bytes`].
pub const STH_SIGNED_LEN: usize = 50;

/// A tree head signed by the log: "the tree of `size` leaves had root `root` at `timestamp_ms`".
///
/// Invariant: `signature` is an Ed25519 signature over
/// [`SignedTreeHead::signed_bytes`]`(size, timestamp_ms, root)`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignedTreeHead {
    /// Number of leaves.
    pub size: u64,
    /// `MTH(D[0:size])`.
    #[serde(with = "crate::hash::serde_hex::hash")]
    pub root: Hash,
    /// When the head was signed, in milliseconds since the Unix epoch (UTC).
    pub timestamp_ms: u64,
    /// Ed25519 signature over [`SignedTreeHead::signed_bytes`].
    #[serde(with = "crate::hash::serde_hex::signature")]
    pub signature: [u8; 64],
}

/// A tree head whose signature does not verify under the given key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("signed tree head signature does not verify")]
pub struct BadSignature;

impl SignedTreeHead {
    /// The bytes that are signed: the RFC 6962 §3.5 `TreeHeadSignature` structure, so that an
    /// outside verifier can rebuild it from the RFC alone. 50 bytes, integers big-endian:
    ///
    /// ```text
    /// 0x00              version v1
    /// 0x01              signature_type tree_hash
    /// u64 timestamp     milliseconds since the Unix epoch
    /// u64 tree_size
    /// root              32 bytes, SHA-256
    /// ```
    ///
    /// The signature is plain Ed25519 (RFC 8032, not pre-hashed) over these bytes.
    pub fn signed_bytes(size: u64, timestamp_ms: u64, root: &Hash) -> [u8; STH_SIGNED_LEN] {
        let mut out = [0u8; STH_SIGNED_LEN];
        out[0] = 0; // Version: v1(0)
        out[1] = 1; // SignatureType: tree_hash(1)
        out[2..10].copy_from_slice(&timestamp_ms.to_be_bytes());
        out[10..18].copy_from_slice(&size.to_be_bytes());
        out[18..50].copy_from_slice(root);
        out
    }

    /// Signs the head of a tree of `size` leaves with root `root`.
    pub fn sign(key: &SigningKey, size: u64, root: Hash, timestamp_ms: u64) -> Self {
        let signature = key
            .sign(&Self::signed_bytes(size, timestamp_ms, &root))
            .to_bytes();
        Self {
            size,
            root,
            timestamp_ms,
            signature,
        }
    }

    /// Checks the signature with `key` (strict verification: rejects weak keys and malleable
    /// signatures).
    pub fn verify(&self, key: &VerifyingKey) -> Result<(), BadSignature> {
        let sig = Signature::from_bytes(&self.signature);
        key.verify_strict(
            &Self::signed_bytes(self.size, self.timestamp_ms, &self.root),
            &sig,
        )
        .map_err(|_| BadSignature)
    }
}

/// Why a signing key could not be loaded or created.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    /// Stored key material that is not a 32-byte Ed25519 secret key.
    #[error("signing key must be 32 bytes, got {0}")]
    WrongLength(usize),
    /// The operating system's random source failed.
    #[error("operating system random source failed: {0}")]
    Random(String),
}

/// Loads the log's signing key from its stored 32 secret bytes, or creates a new one from the
/// operating system's random source when `bytes` is `None` (first start). The caller persists
/// [`SigningKey::to_bytes`] of a created key, with owner-only permissions.
pub fn load_or_create_key(bytes: Option<&[u8]>) -> Result<SigningKey, KeyError> {
    match bytes {
        Some(b) => {
            let secret: [u8; 32] = b.try_into().map_err(|_| KeyError::WrongLength(b.len()))?;
            Ok(SigningKey::from_bytes(&secret))
        }
        None => generate_key(),
    }
}

/// A new signing key from the operating system's random source.
///
/// Why not `SigningKey::generate`: ed25519-dalek 3 wants a `rand_core` 0.10 RNG while the
/// workspace uses `rand` 0.9 (`rand_core` 0.9); 32 uniformly random bytes are exactly what
/// `generate` draws anyway.
pub fn generate_key() -> Result<SigningKey, KeyError> {
    let mut secret = [0u8; 32];
    OsRng
        .try_fill_bytes(&mut secret)
        .map_err(|e| KeyError::Random(e.to_string()))?;
    Ok(SigningKey::from_bytes(&secret))
}

/// Identifier of a public key for the head endpoint and for pinning: SHA-256 of its 32 bytes.
pub fn key_id(key: &VerifyingKey) -> Hash {
    sha256(key.as_bytes())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn signed_bytes_layout() {
        let b = SignedTreeHead::signed_bytes(0x0203, 0x0405, &[0xee; 32]);
        assert_eq!(&b[..2], &[0, 1]);
        assert_eq!(&b[2..10], &[0, 0, 0, 0, 0, 0, 4, 5]);
        assert_eq!(&b[10..18], &[0, 0, 0, 0, 0, 0, 2, 3]);
        assert_eq!(&b[18..], &[0xee; 32]);
    }

    #[test]
    fn key_loading() {
        let k = generate_key().unwrap();
        let again = load_or_create_key(Some(&k.to_bytes())).unwrap();
        assert_eq!(again.verifying_key(), k.verifying_key());
        assert!(matches!(
            load_or_create_key(Some(&[1, 2, 3])),
            Err(KeyError::WrongLength(3))
        ));
        let other = load_or_create_key(None).unwrap();
        assert_ne!(other.verifying_key(), k.verifying_key());
        assert_ne!(key_id(&other.verifying_key()), key_id(&k.verifying_key()));
    }
}
