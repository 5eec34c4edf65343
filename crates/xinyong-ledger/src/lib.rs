//! The pure core of the Xinyong audit log: a Certificate Transparency style Merkle tree log
//! (RFC 6962, RFC 9162 §2.1 hashing and proofs), signed tree heads and an offline verifier.
//!
//! No I/O, no async, no database: the storage crate persists [`Entry`] rows and [`Node`] hashes
//! and implements [`NodeReader`]; the web crate serves heads and proofs; the binary runs
//! `xinyong ledger verify` through [`LogVerifier`].
//!
//! Map:
//! - [`hash`]: leaf and node hashing with RFC 6962 domain separation, hex helpers.
//! - [`frontier`]: appending. [`Frontier::append_into`] returns the nodes each append completes,
//!   to be written in the same transaction as the change the entry records. O(1) amortised.
//! - [`tree`]: roots and proofs from stored perfect-subtree nodes; `nodes_needed_for_*` list
//!   the O(log n) nodes each needs so that a backend can fetch them in one query.
//! - [`verify`]: client-side proof verification, transcribed from RFC 9162 §2.1.3.2 and §2.1.4.2.
//! - [`entry`]: what is logged and its canonical, length-prefixed leaf bytes.
//! - [`sth`]: Ed25519 signed tree heads over the RFC 6962 §3.5 `TreeHeadSignature` bytes.
//! - [`audit`]: recompute a stored log and name the first edited, deleted or reordered entry.
//!
//! Architecture invariant: the prover ([`tree`]) and the verifier ([`verify`]) share nothing but
//! [`hash::node_hash`], and both are checked against the published CT test vectors, so a bug in
//! one cannot be masked by the other.
#![forbid(unsafe_code)]

pub mod audit;
pub mod entry;
pub mod frontier;
pub mod hash;
pub mod sth;
pub mod tree;
pub mod verify;

pub use audit::{FirstBad, LogVerifier, verify_leaves, verify_log};
pub use entry::{Entry, EntryDecodeError};
pub use frontier::{BadFrontier, Frontier, Node, TreeFull};
pub use hash::{EMPTY_ROOT, Hash, leaf_hash, node_hash, sha256};
pub use sth::{BadSignature, KeyError, SignedTreeHead, generate_key, key_id, load_or_create_key};
pub use tree::{
    MissingNode, NodeId, NodeReader, ProofError, consistency_proof, inclusion_proof,
    nodes_needed_for_consistency, nodes_needed_for_inclusion, nodes_needed_for_root, root,
};
pub use verify::{
    ConsistencyProof, InclusionProof, VerifyError, verify_consistency, verify_inclusion,
};

/// Re-exported so that callers name the same key types as [`SignedTreeHead`].
pub use ed25519_dalek::{SigningKey, VerifyingKey};
