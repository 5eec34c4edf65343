//! Reading the tree: root hashes, inclusion proofs and consistency proofs (RFC 9162 §2.1.3.1 and
//! §2.1.4.1) computed from stored *perfect subtrees*.
//!
//! # Storage model
//!
//! The tree is stored as the hashes of its perfect (complete) subtrees, addressed by
//! `(level, index)`: level 0 holds the leaf hashes, and node `(k, i)` is the root of the perfect
//! subtree over leaves `[i·2^k, (i+1)·2^k)`. A node is stored once all its leaves exist and never
//! changes afterwards, which is what makes the store append-only.
//!
//! The RFC defines `MTH`, `PATH` and `PROOF` by recursion on `D[a:b]` with split point
//! `k` = the largest power of two below `b - a`. Every range that recursion visits starts at a
//! multiple of a power of two not smaller than its length, so it is the concatenation of the
//! perfect subtrees given by the binary digits of its length, largest first. Its hash is the right
//! fold of their hashes (`node(p1, node(p2, ... pk))`), so any element of a proof costs at most
//! `popcount(b - a)` node reads, and a whole proof O(log n).
//!
//! Every function here is split in two: `nodes_needed_for_*` lists the nodes a proof will read,
//! so that a SQL backend can fetch them in one query into a `HashMap`, which is itself a
//! [`NodeReader`].

use std::collections::HashMap;
use std::hash::BuildHasher;

use crate::hash::{EMPTY_ROOT, Hash, node_hash};

/// Address of a stored node: `(level, index)`, covering leaves `[index·2^level, (index+1)·2^level)`.
pub type NodeId = (u8, u64);

/// Read access to the stored perfect-subtree hashes.
///
/// Invariant expected of implementors: `node(k, i)` is the RFC 6962 hash of the perfect subtree
/// over leaves `[i·2^k, (i+1)·2^k)`. The functions in this module only ask for nodes whose leaves
/// all lie below the tree size they were given.
pub trait NodeReader {
    /// Why a node could not be read (missing row, database error).
    type Error;
    /// The hash of node `(level, index)`.
    fn node(&self, level: u8, index: u64) -> Result<Hash, Self::Error>;
}

/// A node the reader was asked for but does not hold: the store is incomplete or was tampered
/// with (a deleted row), or the prefetch list was wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("node (level {level}, index {index}) is not stored")]
pub struct MissingNode {
    /// Level of the missing node.
    pub level: u8,
    /// Index of the missing node within its level.
    pub index: u64,
}

impl<S: BuildHasher> NodeReader for HashMap<NodeId, Hash, S> {
    type Error = MissingNode;
    fn node(&self, level: u8, index: u64) -> Result<Hash, MissingNode> {
        self.get(&(level, index))
            .copied()
            .ok_or(MissingNode { level, index })
    }
}

impl<R: NodeReader + ?Sized> NodeReader for &R {
    type Error = R::Error;
    fn node(&self, level: u8, index: u64) -> Result<Hash, R::Error> {
        (**self).node(level, index)
    }
}

/// Why a root or proof could not be produced.
#[derive(Debug, thiserror::Error)]
pub enum ProofError<E> {
    /// An inclusion proof was asked for a leaf that is not in the tree.
    #[error("leaf index {leaf} is not below tree size {size}")]
    LeafOutOfRange {
        /// The requested leaf index.
        leaf: u64,
        /// The tree size.
        size: u64,
    },
    /// A consistency proof was asked from a larger tree to a smaller one.
    #[error("consistency proof from size {from} to smaller size {to}")]
    SizesOutOfOrder {
        /// The older tree size.
        from: u64,
        /// The newer tree size.
        to: u64,
    },
    /// The node store failed or lacks a node.
    #[error("node store: {0}")]
    Store(E),
}

/// A leaf range `[start, end)` that the RFC recursion visits; `start` is a multiple of a power of
/// two that is at least `end - start`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Span {
    start: u64,
    end: u64,
}

impl Span {
    /// The perfect subtrees that make up this span, largest (leftmost) first.
    fn nodes(self) -> impl Iterator<Item = NodeId> {
        let len = self.end - self.start;
        let mut at = self.start;
        (0..64u8).rev().filter_map(move |level| {
            if len & (1u64 << level) == 0 {
                return None;
            }
            // `at` is aligned to 2^level here: start is aligned to a power of two >= len, and we
            // have only added larger powers of two so far.
            let id = (level, at >> level);
            at += 1u64 << level;
            Some(id)
        })
    }

    /// `MTH(D[start:end])` from stored nodes: the right fold of the perfect subtrees.
    fn hash<R: NodeReader>(self, reader: &R) -> Result<Hash, R::Error> {
        if self.start == self.end {
            return Ok(EMPTY_ROOT);
        }
        let mut parts = Vec::with_capacity(8);
        for (level, index) in self.nodes() {
            parts.push(reader.node(level, index)?);
        }
        let mut acc = parts.pop().unwrap_or(EMPTY_ROOT);
        while let Some(left) = parts.pop() {
            acc = node_hash(&left, &acc);
        }
        Ok(acc)
    }
}

/// Largest power of two strictly below `n`; requires `n >= 2`.
fn split_point(n: u64) -> u64 {
    1u64 << (63 - (n - 1).leading_zeros())
}

/// The ranges whose `MTH` make up `PATH(leaf, D[0:size])`, in proof order (leaf upwards).
fn inclusion_spans(leaf: u64, size: u64) -> Vec<Span> {
    let mut spans = Vec::new();
    let (mut a, mut b) = (0u64, size);
    while b - a > 1 {
        let k = split_point(b - a);
        if leaf < a + k {
            // PATH(m, D[a:a+k]) : MTH(D[a+k:b])
            spans.push(Span {
                start: a + k,
                end: b,
            });
            b = a + k;
        } else {
            // PATH(m - k, D[a+k:b]) : MTH(D[a:a+k])
            spans.push(Span {
                start: a,
                end: a + k,
            });
            a += k;
        }
    }
    // The recursion appends the outer sibling after the inner path; we walked outside-in.
    spans.reverse();
    spans
}

/// The ranges whose `MTH` make up `PROOF(m, D[0:n])` for `0 < m < n`, in proof order.
fn consistency_spans(m: u64, n: u64) -> Vec<Span> {
    let mut spans = Vec::new();
    let (mut a, mut b) = (0u64, n);
    let mut m = m;
    // `b` in SUBPROOF(m, D[n], b): true while D[0:m] is still the left edge of the subtree.
    let mut at_left_edge = true;
    loop {
        let size = b - a;
        if m == size {
            // SUBPROOF(m, D[m], true) = {}, SUBPROOF(m, D[m], false) = {MTH(D[m])}
            if !at_left_edge {
                spans.push(Span { start: a, end: b });
            }
            break;
        }
        let k = split_point(size);
        if m <= k {
            // SUBPROOF(m, D[0:k], b) : MTH(D[k:n])
            spans.push(Span {
                start: a + k,
                end: b,
            });
            b = a + k;
        } else {
            // SUBPROOF(m - k, D[k:n], false) : MTH(D[0:k])
            spans.push(Span {
                start: a,
                end: a + k,
            });
            a += k;
            m -= k;
            at_left_edge = false;
        }
    }
    spans.reverse();
    spans
}

fn flatten(spans: &[Span]) -> Vec<NodeId> {
    spans.iter().flat_map(|s| s.nodes()).collect()
}

/// The nodes [`root`] reads for a tree of `size` leaves: one per set bit of `size`. These are
/// also the nodes of the [`crate::Frontier`] of that size.
pub fn nodes_needed_for_root(size: u64) -> Vec<NodeId> {
    Span {
        start: 0,
        end: size,
    }
    .nodes()
    .collect()
}

/// The nodes [`inclusion_proof`] reads; empty when `leaf >= size` (the proof itself then fails).
pub fn nodes_needed_for_inclusion(leaf: u64, size: u64) -> Vec<NodeId> {
    if leaf >= size {
        return Vec::new();
    }
    flatten(&inclusion_spans(leaf, size))
}

/// The nodes [`consistency_proof`] reads; empty when the proof is empty or the sizes are invalid.
pub fn nodes_needed_for_consistency(m: u64, n: u64) -> Vec<NodeId> {
    if m == 0 || m >= n {
        return Vec::new();
    }
    flatten(&consistency_spans(m, n))
}

/// `MTH(D[0:size])`: the root hash of the first `size` leaves. `size == 0` gives [`EMPTY_ROOT`].
pub fn root<R: NodeReader>(size: u64, reader: &R) -> Result<Hash, ProofError<R::Error>> {
    Span {
        start: 0,
        end: size,
    }
    .hash(reader)
    .map_err(ProofError::Store)
}

/// `PATH(leaf, D[0:size])` (RFC 9162 §2.1.3.1): the audit path of leaf `leaf` in the tree of
/// `size` leaves, ordered from the leaf's sibling upwards. At most `ceil(log2(size))` hashes.
pub fn inclusion_proof<R: NodeReader>(
    leaf: u64,
    size: u64,
    reader: &R,
) -> Result<Vec<Hash>, ProofError<R::Error>> {
    if leaf >= size {
        return Err(ProofError::LeafOutOfRange { leaf, size });
    }
    inclusion_spans(leaf, size)
        .into_iter()
        .map(|s| s.hash(reader).map_err(ProofError::Store))
        .collect()
}

/// `PROOF(m, D[0:n])` (RFC 9162 §2.1.4.1): proves that the tree of `m` leaves is a prefix of the
/// tree of `n` leaves. Empty when `m == 0` or `m == n` (nothing to prove). At most
/// `ceil(log2(n)) + 1` hashes.
pub fn consistency_proof<R: NodeReader>(
    m: u64,
    n: u64,
    reader: &R,
) -> Result<Vec<Hash>, ProofError<R::Error>> {
    if m > n {
        return Err(ProofError::SizesOutOfOrder { from: m, to: n });
    }
    if m == 0 || m == n {
        return Ok(Vec::new());
    }
    consistency_spans(m, n)
        .into_iter()
        .map(|s| s.hash(reader).map_err(ProofError::Store))
        .collect()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn split_point_is_largest_power_of_two_below() {
        assert_eq!(split_point(2), 1);
        assert_eq!(split_point(3), 2);
        assert_eq!(split_point(4), 2);
        assert_eq!(split_point(5), 4);
        assert_eq!(split_point(8), 4);
        assert_eq!(split_point(9), 8);
        assert_eq!(split_point(u64::MAX), 1 << 63);
    }

    #[test]
    fn span_nodes_follow_binary_digits() {
        assert_eq!(nodes_needed_for_root(0), vec![]);
        assert_eq!(nodes_needed_for_root(1), vec![(0, 0)]);
        assert_eq!(nodes_needed_for_root(7), vec![(2, 0), (1, 2), (0, 6)]);
        assert_eq!(
            Span { start: 8, end: 13 }.nodes().collect::<Vec<_>>(),
            vec![(2, 2), (0, 12)]
        );
    }

    #[test]
    fn inclusion_nodes_for_rfc_example() {
        // RFC 9162 §2.1.5: in the 7-leaf tree the path for d0 is [b, h, l] = leaf 1, node (1,1),
        // and the right subtree of leaves 4..7, which is not perfect: (1,2) and (0,6).
        assert_eq!(
            nodes_needed_for_inclusion(0, 7),
            vec![(0, 1), (1, 1), (1, 2), (0, 6)]
        );
        // Path for d3 is [c, g, l].
        assert_eq!(inclusion_spans(3, 7).len(), 3);
        // Path for d4 is [f, j, k]: leaf 5, leaf 6, node (2,0).
        assert_eq!(
            nodes_needed_for_inclusion(4, 7),
            vec![(0, 5), (0, 6), (2, 0)]
        );
        assert_eq!(nodes_needed_for_inclusion(7, 7), vec![]);
    }

    #[test]
    fn consistency_nodes_for_rfc_example() {
        // RFC 9162 §2.1.5: PROOF(3, D[7]) = [c, d, g, l]; PROOF(4, D[7]) = [l];
        // PROOF(6, D[7]) = [i, j, k].
        assert_eq!(
            nodes_needed_for_consistency(3, 7),
            vec![(0, 2), (0, 3), (1, 0), (1, 2), (0, 6)]
        );
        assert_eq!(nodes_needed_for_consistency(4, 7), vec![(1, 2), (0, 6)]);
        assert_eq!(
            nodes_needed_for_consistency(6, 7),
            vec![(1, 2), (0, 6), (2, 0)]
        );
        assert_eq!(nodes_needed_for_consistency(7, 7), vec![]);
        assert_eq!(nodes_needed_for_consistency(0, 7), vec![]);
    }

    #[test]
    fn missing_node_is_reported() {
        let store: HashMap<NodeId, Hash> = HashMap::new();
        match root(1, &store) {
            Err(ProofError::Store(MissingNode { level: 0, index: 0 })) => {}
            other => panic!("unexpected {other:?}"),
        }
        assert!(matches!(
            inclusion_proof(3, 3, &store),
            Err(ProofError::LeafOutOfRange { leaf: 3, size: 3 })
        ));
        assert!(matches!(
            consistency_proof(4, 3, &store),
            Err(ProofError::SizesOutOfOrder { from: 4, to: 3 })
        ));
        assert_eq!(root(0, &store).unwrap(), EMPTY_ROOT);
    }
}
