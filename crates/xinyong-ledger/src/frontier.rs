//! Appending: the frontier (right edge) of the tree and the new nodes each append completes.
//!
//! A tree of `n` leaves is the concatenation of the perfect subtrees given by the binary digits of
//! `n`, largest first. Their hashes are the *frontier*: at most 64 hashes, enough to compute the
//! root and to append. Appending a leaf completes the leaf node plus one node per trailing one bit
//! of `n` (two on average), which the caller persists in the same transaction as the change the
//! leaf records. Append is therefore O(1) amortised and never reads the store.

use serde::{Deserialize, Serialize};

use crate::hash::{EMPTY_ROOT, Hash, node_hash};
use crate::tree::{NodeReader, nodes_needed_for_root};

/// A stored node completed by an append: the hash of the perfect subtree over leaves
/// `[index·2^level, (index+1)·2^level)`. Once written it never changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Node {
    /// 0 for a leaf hash.
    pub level: u8,
    /// Position within the level.
    pub index: u64,
    /// The subtree hash.
    #[serde(with = "crate::hash::serde_hex::hash")]
    pub hash: Hash,
}

/// The log cannot grow: it already has `u64::MAX` leaves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the log is full ({} leaves)", u64::MAX)]
pub struct TreeFull;

/// Frontier hashes that do not match the tree size they were given with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("a tree of size {size} has {expected} frontier hashes, got {got}")]
pub struct BadFrontier {
    /// The claimed tree size.
    pub size: u64,
    /// `popcount(size)`.
    pub expected: usize,
    /// The number of hashes supplied.
    pub got: usize,
}

/// The appender state: the tree size and the hashes of its right-edge perfect subtrees.
///
/// Invariant: `hashes.len() == size.count_ones()`, and `hashes[i]` is the hash of the perfect
/// subtree given by the i-th set bit of `size` counted from the most significant one, i.e. the
/// nodes listed by [`nodes_needed_for_root`]`(size)` in that order.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Frontier {
    size: u64,
    #[serde(with = "crate::hash::serde_hex::hashes")]
    hashes: Vec<Hash>,
}

impl Frontier {
    /// The frontier of the empty tree.
    pub fn new() -> Self {
        Self::default()
    }

    /// Rebuilds a frontier from its hashes, e.g. as cached in a database row. Checks only the
    /// count; the hashes themselves are trusted.
    pub fn from_parts(size: u64, hashes: Vec<Hash>) -> Result<Self, BadFrontier> {
        let expected = size.count_ones() as usize;
        if hashes.len() != expected {
            return Err(BadFrontier {
                size,
                expected,
                got: hashes.len(),
            });
        }
        Ok(Self { size, hashes })
    }

    /// Loads the frontier of a tree of `size` leaves from the node store: reads the nodes listed
    /// by [`nodes_needed_for_root`]`(size)`.
    pub fn from_reader<R: NodeReader>(size: u64, reader: &R) -> Result<Self, R::Error> {
        let hashes = nodes_needed_for_root(size)
            .into_iter()
            .map(|(level, index)| reader.node(level, index))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Self { size, hashes })
    }

    /// Number of leaves in the tree.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// The frontier hashes, largest subtree first.
    pub fn hashes(&self) -> &[Hash] {
        &self.hashes
    }

    /// The frontier as addressed nodes, largest subtree first.
    pub fn nodes(&self) -> Vec<Node> {
        nodes_needed_for_root(self.size)
            .into_iter()
            .zip(&self.hashes)
            .map(|((level, index), hash)| Node {
                level,
                index,
                hash: *hash,
            })
            .collect()
    }

    /// `MTH(D[0:size])`: the right fold of the frontier hashes; [`EMPTY_ROOT`] when empty.
    pub fn root(&self) -> Hash {
        let mut iter = self.hashes.iter().rev();
        let Some(last) = iter.next() else {
            return EMPTY_ROOT;
        };
        iter.fold(*last, |acc, left| node_hash(left, &acc))
    }

    /// Appends a leaf hash (already `leaf_hash(data)`) and pushes onto `out` every node this
    /// completes, leaf first, then upwards. Returns the new leaf's index.
    ///
    /// `out` is not cleared, so a caller can collect a whole batch's nodes in one `Vec`.
    pub fn append_into(&mut self, leaf: Hash, out: &mut Vec<Node>) -> Result<u64, TreeFull> {
        let index = self.size;
        let new_size = index.checked_add(1).ok_or(TreeFull)?;
        out.push(Node {
            level: 0,
            index,
            hash: leaf,
        });
        let mut hash = leaf;
        // Each trailing one bit of the old size is a perfect subtree of the same height as the one
        // being carried, directly to its left: merge them, as in binary addition.
        for level in 1..=index.trailing_ones() {
            // The invariant guarantees one hash per set bit, so the pop cannot fail; bail out
            // rather than panic if it was broken.
            let Some(left) = self.hashes.pop() else { break };
            hash = node_hash(&left, &hash);
            out.push(Node {
                // At most 63: a u64 index has at most 63 trailing ones below u64::MAX.
                level: level as u8,
                index: index >> level,
                hash,
            });
        }
        self.hashes.push(hash);
        self.size = new_size;
        Ok(index)
    }

    /// Like [`Frontier::append_into`], returning the completed nodes in a new `Vec`.
    pub fn append(&mut self, leaf: Hash) -> Result<Vec<Node>, TreeFull> {
        let mut out = Vec::with_capacity(2);
        self.append_into(leaf, &mut out)?;
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use crate::hash::leaf_hash;

    #[test]
    fn appends_complete_the_expected_nodes() {
        let mut f = Frontier::new();
        assert_eq!(f.root(), EMPTY_ROOT);
        let l: Vec<Hash> = (0u8..4).map(|i| leaf_hash(&[i])).collect();
        assert_eq!(f.append(l[0]).unwrap().len(), 1);
        let n = f.append(l[1]).unwrap();
        assert_eq!(
            n.iter().map(|n| (n.level, n.index)).collect::<Vec<_>>(),
            vec![(0, 1), (1, 0)]
        );
        assert_eq!(n[1].hash, node_hash(&l[0], &l[1]));
        f.append(l[2]).unwrap();
        assert_eq!(f.root(), node_hash(&node_hash(&l[0], &l[1]), &l[2]));
        let n = f.append(l[3]).unwrap();
        assert_eq!(
            n.iter().map(|n| (n.level, n.index)).collect::<Vec<_>>(),
            vec![(0, 3), (1, 1), (2, 0)]
        );
        assert_eq!(f.hashes().len(), 1);
        assert_eq!(f.root(), n[2].hash);
    }

    #[test]
    fn from_parts_checks_the_count() {
        assert_eq!(
            Frontier::from_parts(3, vec![[0; 32]]),
            Err(BadFrontier {
                size: 3,
                expected: 2,
                got: 1
            })
        );
        let mut f = Frontier::new();
        for i in 0u8..11 {
            f.append(leaf_hash(&[i])).unwrap();
        }
        let g = Frontier::from_parts(f.size(), f.hashes().to_vec()).unwrap();
        assert_eq!(g.root(), f.root());
        let json = serde_json::to_string(&f).unwrap();
        let back: Frontier = serde_json::from_str(&json).unwrap();
        assert_eq!(back, f);
    }

    #[test]
    fn full_tree_refuses_to_grow() {
        let mut f = Frontier::from_parts(u64::MAX, vec![[0; 32]; 64]).unwrap();
        assert_eq!(f.append([1; 32]), Err(TreeFull));
        assert_eq!(f.size(), u64::MAX);
    }
}
