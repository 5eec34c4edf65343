//! Property tests: every generated proof verifies, every corrupted one fails, and proofs stay
//! within their length bounds: an audit path has at most one hash per level of the tree,
//! ceil(log2(n)); a consistency proof at most ceil(log2(n)) + 1 (RFC 6962 §2.1.2).

use proptest::prelude::*;
use xinyong_ledger::{
    Entry, Frontier, Hash, consistency_proof, inclusion_proof, nodes_needed_for_consistency,
    nodes_needed_for_inclusion, root, verify_consistency, verify_inclusion,
};

use crate::common::{MemTree, flip, leaf_data};

fn tree(n: u64) -> MemTree {
    let mut t = MemTree::default();
    for i in 0..n {
        t.push_data(&leaf_data(i));
    }
    t
}

fn ceil_log2(n: u64) -> usize {
    if n <= 1 {
        0
    } else {
        (64 - (n - 1).leading_zeros()) as usize
    }
}

/// Checks one inclusion proof: verifies, has the RFC length bound, reads O(log n) nodes, and
/// fails with any single bit flipped, any other index, or a wrong leaf.
fn check_inclusion(t: &MemTree, roots: &[Hash], leaf: u64, n: u64, bits: &[usize]) {
    let r = roots[n as usize];
    let proof = inclusion_proof(leaf, n, &t.nodes).unwrap();
    let lh = t.leaves[leaf as usize];
    assert_eq!(
        verify_inclusion(&lh, leaf, n, &proof, &r),
        Ok(()),
        "{leaf}/{n}"
    );
    // One hash per level at most: the tree has height ceil(log2(n)).
    assert!(
        proof.len() <= ceil_log2(n),
        "{leaf}/{n}: {} hashes",
        proof.len()
    );
    // O(log n) node reads: each proof element reads at most popcount of its span.
    assert!(nodes_needed_for_inclusion(leaf, n).len() <= 2 * ceil_log2(n) + 1);
    for (i, _) in proof.iter().enumerate() {
        for &bit in bits {
            let mut bad = proof.clone();
            bad[i] = flip(&bad[i], bit);
            assert!(
                verify_inclusion(&lh, leaf, n, &bad, &r).is_err(),
                "{leaf}/{n} [{i}]^{bit}"
            );
        }
    }
    for other in [leaf.wrapping_sub(1), leaf + 1, leaf ^ 1, leaf ^ 2, n] {
        if other != leaf {
            assert!(
                verify_inclusion(&lh, other, n, &proof, &r).is_err(),
                "{leaf}->{other}/{n}"
            );
        }
    }
    let wrong_leaf = t.leaves[((leaf + 1) % n) as usize];
    if n > 1 {
        assert!(verify_inclusion(&wrong_leaf, leaf, n, &proof, &r).is_err());
    }
}

/// Checks one consistency proof: verifies, has the RFC length bound, and fails with any bit
/// flipped or a wrong first root.
fn check_consistency(t: &MemTree, roots: &[Hash], m: u64, n: u64, bits: &[usize]) {
    let (rm, rn) = (roots[m as usize], roots[n as usize]);
    let proof = consistency_proof(m, n, &t.nodes).unwrap();
    assert_eq!(
        verify_consistency(m, n, &rm, &rn, &proof),
        Ok(()),
        "{m}->{n}"
    );
    // RFC 6962 §2.1.2: bounded above by ceil(log2(n)) + 1.
    assert!(
        proof.len() <= ceil_log2(n) + 1,
        "{m}->{n}: {} hashes",
        proof.len()
    );
    assert!(nodes_needed_for_consistency(m, n).len() <= 2 * ceil_log2(n) + 2);
    for (i, _) in proof.iter().enumerate() {
        for &bit in bits {
            let mut bad = proof.clone();
            bad[i] = flip(&bad[i], bit);
            assert!(
                verify_consistency(m, n, &rm, &rn, &bad).is_err(),
                "{m}->{n} [{i}]^{bit}"
            );
        }
    }
    if m > 0 && m < n {
        assert!(verify_consistency(m, n, &flip(&rm, 0), &rn, &proof).is_err());
        assert!(verify_consistency(m, n, &rm, &flip(&rn, 255), &proof).is_err());
    }
}

fn all_roots(t: &MemTree, n: u64) -> Vec<Hash> {
    (0..=n).map(|s| root(s, &t.nodes).unwrap()).collect()
}

/// Exhaustive for small trees: every leaf and every prefix, every bit position of the first
/// byte and a few others.
#[test]
fn exhaustive_small_trees() {
    let t = tree(48);
    let roots = all_roots(&t, 48);
    // Roots of prefixes agree with a frontier grown to that size.
    let mut f = Frontier::new();
    for (s, r) in roots.iter().enumerate() {
        assert_eq!(f.root(), *r, "size {s}");
        if s < 48 {
            f.append(t.leaves[s]).unwrap();
        }
    }
    let bits = [0, 100, 255];
    for n in 1..=48u64 {
        for leaf in 0..n {
            check_inclusion(&t, &roots, leaf, n, &bits);
        }
        for m in 0..=n {
            check_consistency(&t, &roots, m, n, &bits);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn random_sizes_and_positions(
        n in 1u64..3000,
        leaf_frac in 0.0f64..1.0,
        m_frac in 0.0f64..=1.0,
        bit in 0usize..256,
    ) {
        let t = tree(n);
        let roots = all_roots(&t, n);
        let leaf = ((n as f64 * leaf_frac) as u64).min(n - 1);
        let m = ((n as f64 * m_frac) as u64).min(n);
        check_inclusion(&t, &roots, leaf, n, &[bit]);
        check_inclusion(&t, &roots, n - 1, n, &[bit]);
        check_consistency(&t, &roots, m, n, &[bit]);
        check_consistency(&t, &roots, n.saturating_sub(1), n, &[bit]);
        // A proof relative to an older size from the same (larger) store.
        if m > 0 {
            let leaf_m = leaf.min(m - 1);
            check_inclusion(&t, &roots, leaf_m, m, &[bit]);
            check_consistency(&t, &roots, m / 2, m, &[bit]);
        }
    }

    #[test]
    fn leaf_bytes_round_trip_and_are_injective(
        kind in ".{0,12}",
        subject in proptest::option::of(".{0,12}"),
        actor in ".{0,12}",
        at_ms in any::<u64>(),
        payload_hash in any::<[u8; 32]>(),
        other_actor in ".{0,12}",
    ) {
        let e = Entry { kind, subject, actor, at_ms, payload_hash };
        let bytes = e.leaf_bytes();
        prop_assert_eq!(Entry::from_leaf_bytes(&bytes).unwrap(), e.clone());
        let e2 = Entry { actor: other_actor, ..e.clone() };
        prop_assert_eq!(e2.leaf_bytes() == bytes, e2 == e);
    }
}
