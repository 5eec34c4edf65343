//! Offline verification of a stored log (`xinyong ledger verify`): recompute the tree from the
//! stored entries and name the first entry that does not fit.
//!
//! Three independent checks, streamed so that a log of any size runs in constant memory:
//!
//! 1. indices are 0, 1, 2, … with no gap or repeat (a deleted or reordered row);
//! 2. each entry's recomputed leaf hash equals the stored leaf hash, i.e. the level-0 node
//!    (an edited entry, or a moved one);
//! 3. the recomputed root equals the root of every signed tree head ("checkpoint") as soon as the
//!    recomputation reaches its size (catches an edit that rewrote the stored leaf hash too; the
//!    first bad entry then lies between the previous good checkpoint and this one).
//!
//! A log shorter than a signed tree head says has lost its tail.

use crate::entry::Entry;
use crate::frontier::{Frontier, Node};
use crate::hash::{Hash, to_hex};

/// The first problem found in a stored log. [`FirstBad::first_bad_index`] names the entry.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FirstBad {
    /// A gap or a step back in the stored indices: entry `expected` was deleted, or rows were
    /// reordered or duplicated.
    #[error("entry {expected} is missing or out of order (found index {found} in its place)")]
    OutOfOrder {
        /// The index that should come next.
        expected: u64,
        /// The index that came instead.
        found: u64,
    },
    /// The entry's content does not hash to the stored leaf hash: the entry (or its leaf hash)
    /// was edited, or entries were swapped.
    #[error("entry {index} does not match its stored leaf hash (edited or moved)")]
    LeafMismatch {
        /// The bad entry.
        index: u64,
    },
    /// The recomputed tree of `size` leaves does not have the signed root; the first bad entry
    /// is in `from..size` (`from` is the size of the last checkpoint that matched, or 0).
    #[error(
        "recomputed root {} of the first {size} entries differs from the signed root {}; \
         the first bad entry is in {from}..{size}",
        to_hex(recomputed),
        to_hex(signed)
    )]
    RootMismatch {
        /// Size of the last checkpoint that matched (0 if none).
        from: u64,
        /// Size of the checkpoint that failed.
        size: u64,
        /// The root recomputed from the stored entries.
        recomputed: Hash,
        /// The root the log had signed.
        signed: Hash,
    },
    /// The log ends at `found` entries but a signed tree head covers `expected`: entries from
    /// `found` on were deleted.
    #[error("log has {found} entries but a signed tree head covers {expected}")]
    Truncated {
        /// The largest signed size.
        expected: u64,
        /// The number of entries found.
        found: u64,
    },
    /// More than `u64::MAX` entries.
    #[error("log is full")]
    Full,
}

impl FirstBad {
    /// Index of the first entry known to be bad (for [`FirstBad::RootMismatch`], the lower bound
    /// of the range that contains it).
    pub fn first_bad_index(&self) -> u64 {
        match self {
            FirstBad::OutOfOrder { expected, .. } => *expected,
            FirstBad::LeafMismatch { index } => *index,
            FirstBad::RootMismatch { from, .. } => *from,
            FirstBad::Truncated { found, .. } => *found,
            FirstBad::Full => u64::MAX,
        }
    }
}

/// Streaming verifier: feed it the stored entries in index order with [`LogVerifier::push`],
/// then call [`LogVerifier::finish`].
#[derive(Debug, Clone)]
pub struct LogVerifier {
    frontier: Frontier,
    /// Signed `(size, root)` pairs not yet reached, sorted by size, largest last.
    pending: Vec<(u64, Hash)>,
    /// Size of the last checkpoint that matched.
    last_good: u64,
    /// The nodes the last append completed (see [`LogVerifier::completed`]).
    scratch: Vec<Node>,
}

impl LogVerifier {
    /// A verifier that checks the recomputed root against each checkpoint `(size, root)`, e.g.
    /// the stored signed tree heads (verify their signatures first). Order does not matter.
    pub fn new(checkpoints: impl IntoIterator<Item = (u64, Hash)>) -> Self {
        let mut pending: Vec<(u64, Hash)> = checkpoints.into_iter().collect();
        // Largest first so that the next one due is popped from the end.
        pending.sort_by_key(|cp| std::cmp::Reverse(cp.0));
        Self {
            frontier: Frontier::new(),
            pending,
            last_good: 0,
            scratch: Vec::with_capacity(64),
        }
    }

    /// Number of entries accepted so far.
    pub fn size(&self) -> u64 {
        self.frontier.size()
    }

    /// The recomputed tree so far.
    pub fn frontier(&self) -> &Frontier {
        &self.frontier
    }

    /// The nodes the last [`LogVerifier::push`] completed, leaf first, so that a caller can
    /// compare them with the nodes its store holds without recomputing the tree a second time.
    pub fn completed(&self) -> &[Node] {
        &self.scratch
    }

    /// Checks every checkpoint whose size the recomputation has reached.
    fn check_due(&mut self) -> Result<(), FirstBad> {
        let size = self.frontier.size();
        while let Some(&(cp_size, signed)) = self.pending.last() {
            if cp_size > size {
                break;
            }
            // cp_size < size cannot happen: we check after every append. Treat it as reached.
            let recomputed = self.frontier.root();
            if recomputed != signed {
                return Err(FirstBad::RootMismatch {
                    from: self.last_good,
                    size: cp_size,
                    recomputed,
                    signed,
                });
            }
            self.last_good = cp_size;
            self.pending.pop();
        }
        Ok(())
    }

    /// Accepts the stored entry at `index`. `stored_leaf` is the stored level-0 node hash for
    /// that index, if the store keeps one apart from the entry.
    pub fn push(
        &mut self,
        index: u64,
        entry: &Entry,
        stored_leaf: Option<&Hash>,
    ) -> Result<(), FirstBad> {
        self.check_due()?;
        let expected = self.frontier.size();
        if index != expected {
            return Err(FirstBad::OutOfOrder {
                expected,
                found: index,
            });
        }
        let leaf = entry.leaf_hash();
        if stored_leaf.is_some_and(|s| *s != leaf) {
            return Err(FirstBad::LeafMismatch { index });
        }
        // The nodes are recomputed only to get the root; the caller's store is not touched.
        self.scratch.clear();
        self.frontier
            .append_into(leaf, &mut self.scratch)
            .map_err(|_| FirstBad::Full)?;
        self.check_due()
    }

    /// Ends verification: checks checkpoints due at the final size and that none lies beyond it.
    /// Returns the recomputed tree (its root is the current root of the log).
    pub fn finish(mut self) -> Result<Frontier, FirstBad> {
        self.check_due()?;
        if let Some(&(expected, _)) = self.pending.first() {
            return Err(FirstBad::Truncated {
                expected,
                found: self.frontier.size(),
            });
        }
        Ok(self.frontier)
    }
}

/// Verifies stored `(index, entry, stored_leaf_hash)` rows, in the order the store returns them,
/// against the checkpoints (see [`LogVerifier::new`]). Returns the recomputed tree.
pub fn verify_leaves<'a>(
    rows: impl IntoIterator<Item = (u64, &'a Entry, &'a Hash)>,
    checkpoints: impl IntoIterator<Item = (u64, Hash)>,
) -> Result<Frontier, FirstBad> {
    let mut v = LogVerifier::new(checkpoints);
    for (index, entry, stored) in rows {
        v.push(index, entry, Some(stored))?;
    }
    v.finish()
}

/// Recomputes the tree from `entries` (taken as indices 0, 1, …) and checks that its first
/// `expected_size` leaves have root `expected_root`, e.g. from the last signed tree head.
/// Entries beyond `expected_size` are accepted (appended after that head was signed).
pub fn verify_log(
    entries: impl IntoIterator<Item = Entry>,
    expected_root: Hash,
    expected_size: u64,
) -> Result<Frontier, FirstBad> {
    let mut v = LogVerifier::new([(expected_size, expected_root)]);
    for (index, entry) in (0u64..).zip(entries) {
        v.push(index, &entry, None)?;
    }
    v.finish()
}
