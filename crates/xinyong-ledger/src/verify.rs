//! Client-side proof verification, written step by step after RFC 9162 §2.1.3.2 (inclusion) and
//! §2.1.4.2 (consistency). These functions use nothing from the prover side, so that an outside
//! verifier can port them line by line and so that a bug in the prover cannot hide itself.

use serde::{Deserialize, Serialize};

use crate::hash::{EMPTY_ROOT, Hash, node_hash};

/// Why a proof was rejected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    /// The leaf index is not below the tree size.
    #[error("leaf index {index} is not below tree size {size}")]
    IndexOutOfRange {
        /// The claimed leaf index.
        index: u64,
        /// The claimed tree size.
        size: u64,
    },
    /// The first tree is larger than the second.
    #[error("first tree size {first} is larger than second tree size {second}")]
    SizesOutOfOrder {
        /// The older tree size.
        first: u64,
        /// The newer tree size.
        second: u64,
    },
    /// The proof has more hashes than the sizes allow.
    #[error("proof is too long for these tree sizes")]
    ProofTooLong,
    /// The proof has fewer hashes than the sizes require.
    #[error("proof is too short for these tree sizes")]
    ProofTooShort,
    /// A non-trivial consistency proof was empty, or a trivial one was not.
    #[error("proof length does not fit these tree sizes")]
    WrongLength,
    /// The proof does not lead to the given root (of the first tree, for consistency proofs).
    #[error("proof does not match the root hash")]
    RootMismatch,
    /// The consistency proof does not lead to the second tree's root.
    #[error("proof does not match the second root hash")]
    SecondRootMismatch,
}

/// Verifies that `leaf_hash` is leaf number `index` of the tree of `size` leaves with root
/// `root`, given the audit path `proof` (RFC 9162 §2.1.3.2).
pub fn verify_inclusion(
    leaf_hash: &Hash,
    index: u64,
    size: u64,
    proof: &[Hash],
    root: &Hash,
) -> Result<(), VerifyError> {
    // 1. Compare leaf_index against tree_size. If leaf_index >= tree_size, fail.
    if index >= size {
        return Err(VerifyError::IndexOutOfRange { index, size });
    }
    // 2. Set fn to leaf_index and sn to tree_size - 1.
    let mut fn_ = index;
    let mut sn = size - 1;
    // 3. Set r to hash.
    let mut r = *leaf_hash;
    // 4. For each value p in the inclusion_path array:
    for p in proof {
        // a. If sn is 0, then stop the iteration and fail the proof verification.
        if sn == 0 {
            return Err(VerifyError::ProofTooLong);
        }
        // b. If LSB(fn) is set, or if fn is equal to sn, then:
        if fn_ & 1 == 1 || fn_ == sn {
            // i. Set r to HASH(0x01 || p || r).
            r = node_hash(p, &r);
            // ii. If LSB(fn) is not set, then right-shift both fn and sn equally until either
            //     LSB(fn) is set or fn is 0.
            if fn_ & 1 == 0 {
                while fn_ & 1 == 0 && fn_ != 0 {
                    fn_ >>= 1;
                    sn >>= 1;
                }
            }
        } else {
            // Otherwise: i. Set r to HASH(0x01 || r || p).
            r = node_hash(&r, p);
        }
        // c. Finally, right-shift both fn and sn one time.
        fn_ >>= 1;
        sn >>= 1;
    }
    // 5. Compare sn to 0. Compare r against the root_hash. If sn is equal to 0 and r and the
    //    root_hash are equal, then the log has proven the inclusion of hash.
    if sn != 0 {
        return Err(VerifyError::ProofTooShort);
    }
    if r != *root {
        return Err(VerifyError::RootMismatch);
    }
    Ok(())
}

/// Verifies that the tree of `first` leaves with root `first_root` is a prefix of the tree of
/// `second` leaves with root `second_root`, given the consistency proof `proof`
/// (RFC 9162 §2.1.4.2).
///
/// The RFC defines proofs for `0 < first < second` only. The edge cases are decided as follows:
/// `first == second` needs an empty proof and equal roots; `first == 0` needs an empty proof and
/// `first_root` equal to [`EMPTY_ROOT`] (the empty tree is a prefix of every tree).
pub fn verify_consistency(
    first: u64,
    second: u64,
    first_root: &Hash,
    second_root: &Hash,
    proof: &[Hash],
) -> Result<(), VerifyError> {
    if first > second {
        return Err(VerifyError::SizesOutOfOrder { first, second });
    }
    if first == second || first == 0 {
        if !proof.is_empty() {
            return Err(VerifyError::WrongLength);
        }
        if first == 0 && *first_root != EMPTY_ROOT {
            return Err(VerifyError::RootMismatch);
        }
        if first == second && first_root != second_root {
            return Err(VerifyError::SecondRootMismatch);
        }
        return Ok(());
    }
    // 1. If consistency_path is an empty array, stop and fail the proof verification.
    let Some((head, rest)) = proof.split_first() else {
        return Err(VerifyError::WrongLength);
    };
    // 2. If first is an exact power of 2, then prepend first_hash to the consistency_path array.
    let (seed, rest) = if first.is_power_of_two() {
        (first_root, proof)
    } else {
        (head, rest)
    };
    // 3. Set fn to first - 1 and sn to second - 1.
    let mut fn_ = first - 1;
    let mut sn = second - 1;
    // 4. If LSB(fn) is set, then right-shift both fn and sn equally until LSB(fn) is not set.
    while fn_ & 1 == 1 {
        fn_ >>= 1;
        sn >>= 1;
    }
    // 5. Set both fr and sr to the first value in the consistency_path array.
    let mut fr = *seed;
    let mut sr = *seed;
    // 6. For each subsequent value c in the consistency_path array:
    for c in rest {
        // a. If sn is 0, then stop the iteration and fail the proof verification.
        if sn == 0 {
            return Err(VerifyError::ProofTooLong);
        }
        // b. If LSB(fn) is set, or if fn is equal to sn, then:
        if fn_ & 1 == 1 || fn_ == sn {
            // i. Set fr to HASH(0x01 || c || fr).
            fr = node_hash(c, &fr);
            // ii. Set sr to HASH(0x01 || c || sr).
            sr = node_hash(c, &sr);
            // iii. If LSB(fn) is not set, then right-shift both fn and sn equally until either
            //      LSB(fn) is set or fn is 0.
            if fn_ & 1 == 0 {
                while fn_ & 1 == 0 && fn_ != 0 {
                    fn_ >>= 1;
                    sn >>= 1;
                }
            }
        } else {
            // Otherwise: i. Set sr to HASH(0x01 || sr || c).
            sr = node_hash(&sr, c);
        }
        // c. Finally, right-shift both fn and sn one time.
        fn_ >>= 1;
        sn >>= 1;
    }
    // 7. Verify that fr equals first_hash, sr equals second_hash, and sn is 0.
    if sn != 0 {
        return Err(VerifyError::ProofTooShort);
    }
    if fr != *first_root {
        return Err(VerifyError::RootMismatch);
    }
    if sr != *second_root {
        return Err(VerifyError::SecondRootMismatch);
    }
    Ok(())
}

/// An inclusion proof as served by `GET /api/v1/ledger/proof/inclusion` (hashes in hex).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InclusionProof {
    /// Index of the leaf, from 0.
    pub leaf_index: u64,
    /// Size of the tree the proof is relative to.
    pub tree_size: u64,
    /// The audit path, from the leaf's sibling upwards.
    #[serde(with = "crate::hash::serde_hex::hashes")]
    pub path: Vec<Hash>,
}

impl InclusionProof {
    /// [`verify_inclusion`] of `leaf_hash` against `root`.
    pub fn verify(&self, leaf_hash: &Hash, root: &Hash) -> Result<(), VerifyError> {
        verify_inclusion(leaf_hash, self.leaf_index, self.tree_size, &self.path, root)
    }
}

/// A consistency proof as served by `GET /api/v1/ledger/proof/consistency` (hashes in hex).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsistencyProof {
    /// The older tree size.
    pub first: u64,
    /// The newer tree size.
    pub second: u64,
    /// The proof hashes, in RFC 9162 order.
    #[serde(with = "crate::hash::serde_hex::hashes")]
    pub path: Vec<Hash>,
}

impl ConsistencyProof {
    /// [`verify_consistency`] between the two roots.
    pub fn verify(&self, first_root: &Hash, second_root: &Hash) -> Result<(), VerifyError> {
        verify_consistency(self.first, self.second, first_root, second_root, &self.path)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use crate::hash::leaf_hash;

    #[test]
    fn single_leaf_tree() {
        let h = leaf_hash(b"data");
        assert_eq!(verify_inclusion(&h, 0, 1, &[], &h), Ok(()));
        assert_eq!(
            verify_inclusion(&h, 0, 1, &[h], &h),
            Err(VerifyError::ProofTooLong)
        );
        assert_eq!(
            verify_inclusion(&h, 1, 1, &[], &h),
            Err(VerifyError::IndexOutOfRange { index: 1, size: 1 })
        );
        assert_eq!(
            verify_inclusion(&h, 0, 0, &[], &EMPTY_ROOT),
            Err(VerifyError::IndexOutOfRange { index: 0, size: 0 })
        );
    }

    #[test]
    fn trivial_consistency_cases() {
        let a = leaf_hash(b"a");
        let b = leaf_hash(b"b");
        assert_eq!(
            verify_consistency(0, 0, &EMPTY_ROOT, &EMPTY_ROOT, &[]),
            Ok(())
        );
        assert_eq!(verify_consistency(0, 5, &EMPTY_ROOT, &b, &[]), Ok(()));
        assert_eq!(
            verify_consistency(0, 5, &a, &b, &[]),
            Err(VerifyError::RootMismatch)
        );
        assert_eq!(
            verify_consistency(0, 5, &EMPTY_ROOT, &b, &[a]),
            Err(VerifyError::WrongLength)
        );
        assert_eq!(verify_consistency(3, 3, &a, &a, &[]), Ok(()));
        assert_eq!(
            verify_consistency(3, 3, &a, &b, &[]),
            Err(VerifyError::SecondRootMismatch)
        );
        assert_eq!(
            verify_consistency(3, 3, &a, &a, &[a]),
            Err(VerifyError::WrongLength)
        );
        assert_eq!(
            verify_consistency(2, 1, &a, &b, &[]),
            Err(VerifyError::SizesOutOfOrder {
                first: 2,
                second: 1
            })
        );
        assert_eq!(
            verify_consistency(1, 2, &a, &b, &[]),
            Err(VerifyError::WrongLength)
        );
    }

    #[test]
    fn proofs_serialise_as_hex() {
        let p = InclusionProof {
            leaf_index: 1,
            tree_size: 2,
            path: vec![[0xab; 32]],
        };
        let json = serde_json::to_value(&p).unwrap();
        assert_eq!(json["path"][0], "ab".repeat(32));
        let back: InclusionProof = serde_json::from_value(json).unwrap();
        assert_eq!(back, p);
        let bad = serde_json::json!({"first": 1, "second": 2, "path": ["abc"]});
        assert!(serde_json::from_value::<ConsistencyProof>(bad).is_err());
    }
}
