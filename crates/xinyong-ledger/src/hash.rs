//! RFC 6962 / RFC 9162 §2.1.1 hashing: SHA-256 with one-byte domain separation between leaves and
//! interior nodes, so that no leaf can be passed off as an interior node (second-preimage attack).

use sha2::{Digest, Sha256};

/// A SHA-256 output. Every hash in the log (leaf, node, root) has this type.
pub type Hash = [u8; 32];

/// Prefix of a leaf hash input (RFC 6962 §2.1: `MTH({d(0)}) = SHA-256(0x00 || d(0))`).
pub const LEAF_PREFIX: u8 = 0x00;
/// Prefix of an interior node hash input (RFC 6962 §2.1: `SHA-256(0x01 || left || right)`).
pub const NODE_PREFIX: u8 = 0x01;

/// Root of the empty tree: `SHA-256("")` (RFC 9162 §2.1.1, `MTH({}) = HASH()`).
pub const EMPTY_ROOT: Hash = [
    0xe3, 0xb0, 0xc4, 0x42, 0x98, 0xfc, 0x1c, 0x14, 0x9a, 0xfb, 0xf4, 0xc8, 0x99, 0x6f, 0xb9, 0x24,
    0x27, 0xae, 0x41, 0xe4, 0x64, 0x9b, 0x93, 0x4c, 0xa4, 0x95, 0x99, 0x1b, 0x78, 0x52, 0xb8, 0x55,
];

/// Plain SHA-256 of `data`, e.g. for [`crate::Entry::payload_hash`]. Not domain-separated: never
/// put its output in the tree directly, use [`leaf_hash`].
pub fn sha256(data: &[u8]) -> Hash {
    Sha256::digest(data).into()
}

/// Hash of a leaf: `SHA-256(0x00 || data)`.
pub fn leaf_hash(data: &[u8]) -> Hash {
    let mut h = Sha256::new();
    h.update([LEAF_PREFIX]);
    h.update(data);
    h.finalize().into()
}

/// Hash of an interior node: `SHA-256(0x01 || left || right)`.
pub fn node_hash(left: &Hash, right: &Hash) -> Hash {
    let mut h = Sha256::new();
    h.update([NODE_PREFIX]);
    h.update(left);
    h.update(right);
    h.finalize().into()
}

/// Lower-case hex of a hash, the form used in the JSON API and in error messages.
pub fn to_hex(hash: &Hash) -> String {
    hex::encode(hash)
}

/// A string that is not 64 hex digits.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a SHA-256 hash in hex (64 hex digits expected)")]
pub struct HexError;

/// Parses 64 hex digits (either case) into a hash.
pub fn from_hex(s: &str) -> Result<Hash, HexError> {
    let mut out = [0u8; 32];
    hex::decode_to_slice(s, &mut out).map_err(|_| HexError)?;
    Ok(out)
}

/// Serde helpers that write hashes and signatures as lower-case hex strings, so JSON readers
/// never see byte arrays. Public so that the storage and web crates serialise the same way.
pub mod serde_hex {
    use serde::{Deserialize, Deserializer, Serializer};

    fn decode<const N: usize, E: serde::de::Error>(s: &str) -> Result<[u8; N], E> {
        let mut out = [0u8; N];
        hex::decode_to_slice(s, &mut out)
            .map_err(|e| E::custom(format_args!("expected {} hex digits: {e}", 2 * N)))?;
        Ok(out)
    }

    /// `#[serde(with = "serde_hex::hash")]` for a [`Hash`](super::Hash).
    pub mod hash {
        use super::*;

        /// Writes the hash as 64 lower-case hex digits.
        pub fn serialize<S: Serializer>(h: &super::super::Hash, s: S) -> Result<S::Ok, S::Error> {
            s.serialize_str(&hex::encode(h))
        }

        /// Reads 64 hex digits.
        pub fn deserialize<'de, D: Deserializer<'de>>(
            d: D,
        ) -> Result<super::super::Hash, D::Error> {
            let s = String::deserialize(d)?;
            decode(&s)
        }
    }

    /// `#[serde(with = "serde_hex::hashes")]` for a `Vec<Hash>` (a proof path).
    pub mod hashes {
        use super::*;
        use serde::ser::SerializeSeq as _;

        /// Writes the hashes as a JSON array of hex strings.
        pub fn serialize<S: Serializer>(
            hs: &[super::super::Hash],
            s: S,
        ) -> Result<S::Ok, S::Error> {
            let mut seq = s.serialize_seq(Some(hs.len()))?;
            for h in hs {
                seq.serialize_element(&hex::encode(h))?;
            }
            seq.end()
        }

        /// Reads an array of hex strings.
        pub fn deserialize<'de, D: Deserializer<'de>>(
            d: D,
        ) -> Result<Vec<super::super::Hash>, D::Error> {
            let v = Vec::<String>::deserialize(d)?;
            v.iter().map(|s| decode(s)).collect()
        }
    }

    /// `#[serde(with = "serde_hex::signature")]` for a 64-byte Ed25519 signature.
    pub mod signature {
        use super::*;

        /// Writes the signature as 128 lower-case hex digits.
        pub fn serialize<S: Serializer>(sig: &[u8; 64], s: S) -> Result<S::Ok, S::Error> {
            s.serialize_str(&hex::encode(sig))
        }

        /// Reads 128 hex digits.
        pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<[u8; 64], D::Error> {
            let s = String::deserialize(d)?;
            decode(&s)
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn empty_root_is_sha256_of_nothing() {
        assert_eq!(EMPTY_ROOT, sha256(b""));
    }

    #[test]
    fn leaf_and_node_hashes_are_domain_separated() {
        let l = [1u8; 32];
        let r = [2u8; 32];
        let mut concat = Vec::new();
        concat.extend_from_slice(&l);
        concat.extend_from_slice(&r);
        // The same 64 bytes hashed as a leaf and as a node must differ.
        assert_ne!(leaf_hash(&concat), node_hash(&l, &r));
        // RFC 6962 leaf hash of the empty string (first leaf of the CT test tree).
        assert_eq!(
            to_hex(&leaf_hash(b"")),
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"
        );
    }

    #[test]
    fn hex_round_trip_and_rejects_bad_input() {
        let h = sha256(b"x");
        assert_eq!(from_hex(&to_hex(&h)).unwrap(), h);
        assert_eq!(from_hex(&to_hex(&h).to_uppercase()).unwrap(), h);
        assert_eq!(from_hex("abc"), Err(HexError));
        assert_eq!(from_hex(&"zz".repeat(32)), Err(HexError));
    }
}
