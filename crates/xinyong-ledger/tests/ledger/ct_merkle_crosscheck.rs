//! Cross-check against ct-merkle 0.3, an independent implementation.
//!
//! ct-merkle hashes leaves as `H(0x00 || data)` and parents as `H(0x01 || left || right)`
//! (`src/tree_util.rs`, `LEAF_HASH_PREFIX` / `PARENT_HASH_PREFIX`); instantiated with SHA-256
//! that is exactly RFC 6962, so roots and proofs must agree byte for byte. Its proofs are
//! `PATH` / `PROOF` concatenated (`as_bytes`), so both directions can be checked: our proofs
//! through its verifier and its proofs through ours.

use ct_merkle::mem_backed_tree::MemoryBackedTree;
use ct_merkle::{ConsistencyProof, InclusionProof, RootHash};
use sha2_0_11::Sha256;
use xinyong_ledger::{
    Hash, consistency_proof, inclusion_proof, root, verify_consistency, verify_inclusion,
};

use crate::common::{MemTree, leaf_data};

fn to_hash(bytes: &[u8]) -> Hash {
    bytes.try_into().unwrap()
}

fn concat(hs: &[Hash]) -> Vec<u8> {
    hs.iter().flatten().copied().collect()
}

fn split(bytes: &[u8]) -> Vec<Hash> {
    bytes.chunks(32).map(to_hash).collect()
}

/// Positions to check in a tree of `n`: all of them while `n` is small, then both ends, the
/// middle and a few pseudo-random ones (the debug-build hashing of 45,000 proofs per library
/// would dominate the test run).
fn positions(n: u64, from: u64) -> Vec<u64> {
    if n <= 64 {
        return (from..n).collect();
    }
    let mut v = vec![from, from + 1, n / 2, n - 2, n - 1];
    let mut x = n.wrapping_mul(0x9e37_79b9_7f4a_7c15);
    for _ in 0..4 {
        x ^= x >> 29;
        x = x.wrapping_mul(0xbf58_476d_1ce4_e5b9);
        v.push(from + x % (n - from));
    }
    v.sort_unstable();
    v.dedup();
    v
}

fn their_root(h: &Hash, size: u64) -> RootHash<Sha256> {
    RootHash::new(ct_merkle::digest::Output::<Sha256>::from(*h), size)
}

#[test]
fn agrees_with_ct_merkle_on_trees_of_1_to_300_leaves() {
    let mut ours = MemTree::default();
    let mut theirs = MemoryBackedTree::<Sha256, Vec<u8>>::new();
    let mut roots: Vec<Hash> = vec![xinyong_ledger::EMPTY_ROOT];
    let mut checked_inclusion = 0usize;
    let mut checked_consistency = 0usize;
    for i in 0..300u64 {
        let data = leaf_data(i);
        ours.push_data(&data);
        theirs.push(data);
        let n = i + 1;

        // Same root, from our frontier, from our node store and from theirs.
        let r = ours.frontier.root();
        assert_eq!(root(n, &ours.nodes).unwrap(), r);
        let their_r = theirs.root();
        assert_eq!(to_hash(their_r.as_bytes()), r, "root of size {n}");
        roots.push(r);

        for leaf in positions(n, 0) {
            let mine = inclusion_proof(leaf, n, &ours.nodes).unwrap();
            let their = theirs.prove_inclusion(leaf as usize);
            assert_eq!(concat(&mine), their.as_bytes(), "inclusion {leaf}/{n}");
            // Ours through their verifier.
            let mine_as_theirs = InclusionProof::<Sha256>::try_from_bytes(concat(&mine)).unwrap();
            let item = theirs.get(leaf as usize).unwrap();
            assert!(
                their_r
                    .verify_inclusion(item, leaf, &mine_as_theirs)
                    .is_ok()
            );
            // Theirs through ours.
            let lh = ours.leaves[leaf as usize];
            assert_eq!(
                verify_inclusion(&lh, leaf, n, &split(their.as_bytes()), &r),
                Ok(())
            );
            checked_inclusion += 1;
        }

        for m in positions(n, 1).into_iter().filter(|&m| m < n) {
            let mine = consistency_proof(m, n, &ours.nodes).unwrap();
            let their = theirs.prove_consistency((n - m) as usize);
            assert_eq!(concat(&mine), their.as_bytes(), "consistency {m}->{n}");
            let old = their_root(&roots[m as usize], m);
            let mine_as_theirs = ConsistencyProof::<Sha256>::try_from_bytes(concat(&mine)).unwrap();
            assert!(
                their_r.verify_consistency(&old, &mine_as_theirs).is_ok(),
                "{m}->{n}"
            );
            assert_eq!(
                verify_consistency(m, n, &roots[m as usize], &r, &split(their.as_bytes())),
                Ok(())
            );
            checked_consistency += 1;
        }
    }
    // Every position of trees up to 64 leaves, up to 9 positions of each larger tree.
    assert!(
        checked_inclusion >= 64 * 65 / 2 + 236 * 5,
        "{checked_inclusion}"
    );
    assert!(
        checked_consistency >= 63 * 64 / 2 + 236 * 4,
        "{checked_consistency}"
    );
}
