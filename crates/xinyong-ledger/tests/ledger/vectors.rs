//! Known-answer tests against the published Certificate Transparency test tree, so that our
//! prover and verifier are checked against someone else's numbers, not only against each other.
//!
//! Sources (transparency-dev/merkle, the Go library behind Trillian and certificate-transparency-go;
//! the vectors go back to the original CT `merkle_tree_test`):
//! - `testonly/constants.go` @ 582a6ad190b6848f1d26f8bf08ddef29955d9db1: `LeafInputs`,
//!   `NodeHashes` (every perfect subtree), `RootHashes` (sizes 0..=8), `CompactTrees`.
//! - `proof/verify_test.go` @ 02194e9afb6c1d95b5381350007963aa70fff472: `inclusionProofs`
//!   (1-based leaf numbers there, 0-based here), `consistencyProofs`, `roots`, and the
//!   corruption probes of `corruptInclusionProof` / `corruptConsistencyProof`, re-implemented
//!   below, plus the edge cases of `TestVerifyConsistency`.
//! - `testonly/reference_test.go` @ 141d627eab770a7e9a2514f46a8b6338e6d90874:
//!   `TestRefInclusionProof` and `TestRefConsistencyProof` (also copied into ct-merkle 0.3.0
//!   `tests/known_answer.rs`).

use xinyong_ledger::{
    EMPTY_ROOT, Hash, VerifyError, consistency_proof, inclusion_proof, root, verify_consistency,
    verify_inclusion,
};

use crate::common::{MemTree, hex32};

/// `LeafInputs()`.
const LEAVES: [&str; 8] = [
    "",
    "00",
    "10",
    "2021",
    "3031",
    "40414243",
    "5051525354555657",
    "606162636465666768696a6b6c6d6e6f",
];

/// `RootHashes()[1..]`: root of the first `i + 1` leaves.
const ROOTS: [&str; 8] = [
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
];

/// `NodeHashes()`: `NODE_HASHES[level][index]`, every perfect subtree of the 8-leaf tree.
const NODE_HASHES: [&[&str]; 4] = [
    &[
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
        "0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7",
        "07506a85fd9dd2f120eb694f86011e5bb4662e5c415a62917033d4a9624487e7",
        "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        "4271a26be0d8a84f0bd54c8c302e7cb3a3b5d1fa6780a40bcce2873477dab658",
        "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
        "46f6ffadd3d06a09ff3c5860d2755c8b9819db7df44251788c7d8e3180de8eb1",
    ],
    &[
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
        "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
    ],
    &[
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
    ],
    &["5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"],
];

/// `CompactTrees()`: the frontier of each size as `(level, index)` into `NODE_HASHES`.
const COMPACT_TREES: [&[(usize, usize)]; 9] = [
    &[],
    &[(0, 0)],
    &[(1, 0)],
    &[(1, 0), (0, 2)],
    &[(2, 0)],
    &[(2, 0), (0, 4)],
    &[(2, 0), (1, 2)],
    &[(2, 0), (1, 2), (0, 6)],
    &[(3, 0)],
];

/// (leaf index, tree size, proof): `inclusionProofs` of verify_test.go (leaf made 0-based) and
/// `TestRefInclusionProof` of reference_test.go.
const INCLUSION: &[(u64, u64, &[&str])] = &[
    (0, 1, &[]),
    (
        0,
        8,
        &[
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ],
    ),
    (
        5,
        8,
        &[
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
    (
        2,
        3,
        &["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"],
    ),
    (
        1,
        5,
        &[
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ],
    ),
    (
        0,
        2,
        &["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7"],
    ),
    (
        1,
        2,
        &["6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"],
    ),
];

/// (size1, size2, proof): `consistencyProofs` of verify_test.go and `TestRefConsistencyProof`.
const CONSISTENCY: &[(u64, u64, &[&str])] = &[
    (1, 1, &[]),
    (
        1,
        8,
        &[
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ],
    ),
    (
        6,
        8,
        &[
            "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
    (
        2,
        5,
        &[
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ],
    ),
    (
        6,
        7,
        &[
            "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
];

/// `sha256SomeHash` of verify_test.go, a hash that is in no tree.
const SOME_HASH: &str = "abacaba000000000000000000000000000000000000000000060061e00123456";

/// (size or index, size, root or leaf, root, proof, description) of a corrupted proof.
type Probe = (u64, u64, Hash, Hash, Vec<Hash>, String);
/// (size1, size2, root1, root2, proof, should verify).
type EdgeCase<'a> = (u64, u64, Hash, Hash, &'a [Hash], bool);

fn test_tree(size: usize) -> MemTree {
    let mut t = MemTree::default();
    for l in &LEAVES[..size] {
        t.push_data(&hex::decode(l).unwrap());
    }
    t
}

fn root_of(size: u64) -> Hash {
    if size == 0 {
        EMPTY_ROOT
    } else {
        hex32(ROOTS[size as usize - 1])
    }
}

fn hashes(v: &[&str]) -> Vec<Hash> {
    v.iter().map(|s| hex32(s)).collect()
}

#[test]
fn roots_for_sizes_0_to_8() {
    assert_eq!(root(0, &test_tree(0).nodes).unwrap(), EMPTY_ROOT);
    for size in 1..=8usize {
        let t = test_tree(size);
        assert_eq!(
            t.frontier.root(),
            hex32(ROOTS[size - 1]),
            "frontier root, size {size}"
        );
        assert_eq!(
            root(size as u64, &t.nodes).unwrap(),
            hex32(ROOTS[size - 1]),
            "size {size}"
        );
    }
    // A store of the full tree answers the root of every earlier size too.
    let t = test_tree(8);
    for size in 0..=8u64 {
        assert_eq!(root(size, &t.nodes).unwrap(), root_of(size));
    }
}

#[test]
fn appender_stores_exactly_the_published_perfect_subtrees() {
    let t = test_tree(8);
    let published: usize = NODE_HASHES.iter().map(|l| l.len()).sum();
    assert_eq!(t.nodes.len(), published);
    for (level, row) in NODE_HASHES.iter().enumerate() {
        for (index, h) in row.iter().enumerate() {
            assert_eq!(
                t.nodes[&(level as u8, index as u64)],
                hex32(h),
                "node ({level}, {index})"
            );
        }
    }
}

#[test]
fn frontier_matches_published_compact_trees() {
    for (size, compact) in COMPACT_TREES.iter().enumerate() {
        let t = test_tree(size);
        let want: Vec<Hash> = compact
            .iter()
            .map(|&(l, i)| hex32(NODE_HASHES[l][i]))
            .collect();
        assert_eq!(t.frontier.hashes(), &want[..], "size {size}");
        // Nodes listed for the root are the compact tree's nodes.
        let ids: Vec<(u8, u64)> = compact.iter().map(|&(l, i)| (l as u8, i as u64)).collect();
        assert_eq!(xinyong_ledger::nodes_needed_for_root(size as u64), ids);
    }
}

#[test]
fn inclusion_proofs_match_published_vectors() {
    let full = test_tree(8);
    for &(leaf, size, want) in INCLUSION {
        let want = hashes(want);
        // Generated from a store of exactly `size` leaves and from the full 8-leaf store.
        let t = test_tree(size as usize);
        assert_eq!(
            inclusion_proof(leaf, size, &t.nodes).unwrap(),
            want,
            "{leaf}/{size}"
        );
        assert_eq!(
            inclusion_proof(leaf, size, &full.nodes).unwrap(),
            want,
            "{leaf}/{size} full"
        );
        let lh = full.leaves[leaf as usize];
        assert_eq!(
            verify_inclusion(&lh, leaf, size, &want, &root_of(size)),
            Ok(())
        );
    }
}

#[test]
fn consistency_proofs_match_published_vectors() {
    let full = test_tree(8);
    for &(m, n, want) in CONSISTENCY {
        let want = hashes(want);
        let t = test_tree(n as usize);
        assert_eq!(consistency_proof(m, n, &t.nodes).unwrap(), want, "{m}->{n}");
        assert_eq!(
            consistency_proof(m, n, &full.nodes).unwrap(),
            want,
            "{m}->{n} full"
        );
        assert_eq!(
            verify_consistency(m, n, &root_of(m), &root_of(n), &want),
            Ok(())
        );
    }
}

/// `corruptInclusionProof` of verify_test.go: none of these may verify.
#[test]
fn corrupted_inclusion_probes_fail() {
    let full = test_tree(8);
    let some = hex32(SOME_HASH);
    for &(leaf, size, proof) in INCLUSION {
        let proof = hashes(proof);
        let root = root_of(size);
        let lh = full.leaves[leaf as usize];
        let mut probes: Vec<Probe> = vec![
            (
                leaf.wrapping_sub(1),
                size,
                root,
                lh,
                proof.clone(),
                "leaf - 1".into(),
            ),
            (leaf + 1, size, root, lh, proof.clone(), "leaf + 1".into()),
            (leaf ^ 2, size, root, lh, proof.clone(), "leaf ^ 2".into()),
            (leaf, size * 2, root, lh, proof.clone(), "size * 2".into()),
            (leaf, size / 2, root, lh, proof.clone(), "size / 2".into()),
            (leaf, size, root, some, proof.clone(), "wrong leaf".into()),
            (
                leaf,
                size,
                EMPTY_ROOT,
                lh,
                proof.clone(),
                "empty root".into(),
            ),
            (leaf, size, some, lh, proof.clone(), "random root".into()),
        ];
        let with = |front: Option<Hash>, back: Option<Hash>| {
            let mut p: Vec<Hash> = front.into_iter().collect();
            p.extend_from_slice(&proof);
            p.extend(back);
            p
        };
        probes.push((
            leaf,
            size,
            root,
            lh,
            with(None, Some([0; 32])),
            "trailing garbage".into(),
        ));
        probes.push((
            leaf,
            size,
            root,
            lh,
            with(None, Some(root)),
            "trailing root".into(),
        ));
        probes.push((
            leaf,
            size,
            root,
            lh,
            with(Some([0; 32]), None),
            "preceding garbage".into(),
        ));
        probes.push((
            leaf,
            size,
            root,
            lh,
            with(Some(root), None),
            "preceding root".into(),
        ));
        for i in 0..proof.len() {
            let mut p = proof.clone();
            p[i][0] ^= 8;
            probes.push((
                leaf,
                size,
                root,
                lh,
                p,
                format!("modified proof[{i}] bit 3"),
            ));
        }
        if !proof.is_empty() {
            let p = proof[..proof.len() - 1].to_vec();
            probes.push((leaf, size, root, lh, p, "removed component".into()));
        }
        if proof.len() > 1 {
            let mut p = vec![proof[0], some];
            p.extend_from_slice(&proof[1..]);
            probes.push((leaf, size, root, lh, p, "inserted component".into()));
        }
        for (l, s, r, h, p, desc) in probes {
            assert!(
                verify_inclusion(&h, l, s, &p, &r).is_err(),
                "{leaf}/{size}: probe '{desc}' verified"
            );
        }
    }
}

/// `corruptConsistencyProof` of verify_test.go, for the non-trivial vectors.
#[test]
fn corrupted_consistency_probes_fail() {
    for &(m, n, proof) in CONSISTENCY {
        let proof = hashes(proof);
        if proof.is_empty() {
            continue;
        }
        let (r1, r2) = (root_of(m), root_of(n));
        let some = hex32(SOME_HASH);
        let with = |front: Option<Hash>, back: Option<Hash>| {
            let mut p: Vec<Hash> = front.into_iter().collect();
            p.extend_from_slice(&proof);
            p.extend(back);
            p
        };
        let mut probes: Vec<Probe> = vec![
            (m - 1, n, r1, r2, proof.clone(), "size1 - 1".into()),
            (m + 1, n, r1, r2, proof.clone(), "size1 + 1".into()),
            (m ^ 2, n, r1, r2, proof.clone(), "size1 ^ 2".into()),
            (m, n * 2, r1, r2, proof.clone(), "size2 * 2".into()),
            (m, n / 2, r1, r2, proof.clone(), "size2 / 2".into()),
            (m, n, some, r2, proof.clone(), "wrong root1".into()),
            (m, n, r1, some, proof.clone(), "wrong root2".into()),
            (m, n, r2, r1, proof.clone(), "swapped roots".into()),
            (m, n, r1, r2, vec![], "empty proof".into()),
            (
                m,
                n,
                r1,
                r2,
                with(None, Some([0; 32])),
                "trailing garbage".into(),
            ),
            (m, n, r1, r2, with(None, Some(r1)), "trailing root1".into()),
            (m, n, r1, r2, with(None, Some(r2)), "trailing root2".into()),
            (
                m,
                n,
                r1,
                r2,
                with(Some([0; 32]), None),
                "preceding garbage".into(),
            ),
            (m, n, r1, r2, with(Some(r1), None), "preceding root1".into()),
            (m, n, r1, r2, with(Some(r2), None), "preceding root2".into()),
            (
                m,
                n,
                r1,
                r2,
                with(Some(proof[0]), None),
                "preceding proof[0]".into(),
            ),
            (
                m,
                n,
                r1,
                r2,
                proof[..proof.len() - 1].to_vec(),
                "truncated proof".into(),
            ),
        ];
        for i in 0..proof.len() {
            let mut p = proof.clone();
            p[i][0] ^= 16;
            probes.push((m, n, r1, r2, p, format!("modified proof[{i}] bit 4")));
        }
        for (a, b, ra, rb, p, desc) in probes {
            assert!(
                verify_consistency(a, b, &ra, &rb, &p).is_err(),
                "{m}->{n}: probe '{desc}' verified"
            );
        }
    }
}

/// `TestVerifyConsistency` edge cases of verify_test.go. Where Go accepts a size-0 first tree
/// with any root we are stricter: it must be the empty-tree root (documented on the function).
#[test]
fn consistency_edge_cases() {
    let r1 = hex32(ROOTS[0]);
    let r2 = hex32(ROOTS[1]);
    let e = EMPTY_ROOT;
    let cases: &[EdgeCase] = &[
        (0, 0, r1, r2, &[], false),
        (1, 1, r1, r2, &[], false),
        (0, 0, e, e, &[], true),
        (0, 1, e, r2, &[], true),
        (1, 1, r2, r2, &[], true),
        (1, 0, r1, r2, &[], false),
        (2, 1, r1, r2, &[], false),
        (1, 2, r1, r2, &[], false),
        (0, 0, e, r2, &[], false),
        (1, 1, e, r2, &[], false),
        (0, 0, e, e, &[e], false),
        (0, 1, e, e, &[e], false),
        (1, 1, e, e, &[e], false),
    ];
    for (i, &(m, n, a, b, p, ok)) in cases.iter().enumerate() {
        assert_eq!(
            verify_consistency(m, n, &a, &b, p).is_ok(),
            ok,
            "case {i}: {m}->{n}"
        );
    }
}

/// `TestVerifyInclusion` probes of verify_test.go: impossible index/size pairs never verify.
#[test]
fn inclusion_edge_cases() {
    let some = hex32(SOME_HASH);
    for (index, size) in [(0u64, 0u64), (0, 1), (1, 0), (2, 1)] {
        assert!(verify_inclusion(&some, index, size, &[], &EMPTY_ROOT).is_err());
    }
    assert_eq!(
        verify_inclusion(&some, 2, 1, &[], &some),
        Err(VerifyError::IndexOutOfRange { index: 2, size: 1 })
    );
}
