//! An in-memory node store built with the crate's own appender, for driving the prover.

use std::collections::HashMap;

use xinyong_ledger::{Frontier, Hash, NodeId, leaf_hash};

/// A tree kept entirely in memory: the frontier plus every completed node.
#[derive(Default)]
pub struct MemTree {
    pub frontier: Frontier,
    pub nodes: HashMap<NodeId, Hash>,
    pub leaves: Vec<Hash>,
}

impl MemTree {
    pub fn push_hash(&mut self, leaf: Hash) {
        for n in self.frontier.append(leaf).unwrap() {
            let old = self.nodes.insert((n.level, n.index), n.hash);
            assert!(
                old.is_none(),
                "node ({}, {}) completed twice",
                n.level,
                n.index
            );
        }
        self.leaves.push(leaf);
    }

    pub fn push_data(&mut self, data: &[u8]) {
        self.push_hash(leaf_hash(data));
    }
}

/// Deterministic, distinct, variable-length leaf data for leaf `i` (distinct data matters: with
/// two equal leaves a proof for one index legitimately verifies for the other).
pub fn leaf_data(i: u64) -> Vec<u8> {
    let h = xinyong_ledger::sha256(&i.to_be_bytes());
    let len = (h[0] % 40) as usize;
    let mut v = i.to_be_bytes().to_vec();
    v.extend_from_slice(&h[..len.min(32)]);
    v
}

pub fn hex32(s: &str) -> Hash {
    xinyong_ledger::hash::from_hex(s).unwrap()
}

/// Flips bit `bit` (0..256) of `h`.
pub fn flip(h: &Hash, bit: usize) -> Hash {
    let mut out = *h;
    out[bit / 8] ^= 1 << (bit % 8);
    out
}
