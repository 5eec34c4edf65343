//! Append throughput of the ledger core, next to a baseline measured in the same run.
//!
//! Run with `cargo bench -p xinyong-ledger`. Prints, for 1,000,000 realistic entries:
//! - baseline: plain SHA-256 of each entry's precomputed leaf bytes (the least any append can do);
//! - append: serialise the entry, leaf-hash it, and append it to the frontier, collecting the
//!   completed nodes into a `Vec` flushed every 1,000 entries (as one SQL transaction batch would);
//! - the ratio of the two, then proof generation/verification cost on the 1,000,000-leaf tree and
//!   the offline verifier's rate.
//!
//! Plain `std::time`, best of three runs, so it needs no benchmark framework.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashMap;
use std::hint::black_box;
use std::time::{Duration, Instant};

use xinyong_ledger::{
    Entry, Frontier, Hash, LogVerifier, Node, NodeId, consistency_proof, inclusion_proof,
    nodes_needed_for_consistency, nodes_needed_for_inclusion, sha256, verify_consistency,
    verify_inclusion,
};

/// Entries per run: 1,000,000, or `XINYONG_BENCH_ENTRIES` (CI runs it tiny).
static N: std::sync::LazyLock<u64> = std::sync::LazyLock::new(|| {
    std::env::var("XINYONG_BENCH_ENTRIES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000)
});
const BATCH: usize = 1_000;
const RUNS: usize = 3;

fn entries() -> Vec<Entry> {
    (0..*N)
        .map(|i| Entry {
            kind: if i % 4 == 0 {
                "read.restricted"
            } else {
                "record.version"
            }
            .to_string(),
            subject: Some(format!("91350100MA{i:08}")),
            actor: format!("dept:fj-market-supervision-{}", i % 13),
            at_ms: 1_700_000_000_000 + i,
            payload_hash: sha256(&i.to_be_bytes()),
        })
        .collect()
}

fn best<T>(mut f: impl FnMut() -> T) -> (Duration, T) {
    let mut best: Option<(Duration, T)> = None;
    for _ in 0..RUNS {
        let start = Instant::now();
        let out = f();
        let took = start.elapsed();
        if best.as_ref().is_none_or(|(d, _)| took < *d) {
            best = Some((took, out));
        }
    }
    best.expect("RUNS > 0")
}

fn rate(d: Duration) -> f64 {
    *N as f64 / d.as_secs_f64()
}

fn main() {
    let n = *N;
    let entries = entries();
    let leaf_bytes: Vec<Vec<u8>> = entries.iter().map(Entry::leaf_bytes).collect();
    let avg_len = leaf_bytes.iter().map(Vec::len).sum::<usize>() as f64 / *N as f64;
    println!("xinyong-ledger append benchmark: {n} entries, {avg_len:.0} leaf bytes on average");

    // Baseline: raw SHA-256 of the same leaf bytes, nothing else.
    let (base, _) = best(|| {
        let mut acc = 0u8;
        for b in &leaf_bytes {
            acc ^= black_box(sha256(black_box(b)))[0];
        }
        acc
    });

    // The real append path.
    let (append, root) = best(|| {
        let mut f = Frontier::new();
        let mut nodes: Vec<Node> = Vec::with_capacity(2 * BATCH + 64);
        let mut written = 0usize;
        for (i, e) in entries.iter().enumerate() {
            f.append_into(e.leaf_hash(), &mut nodes).unwrap();
            if (i + 1) % BATCH == 0 {
                written += black_box(&nodes).len();
                nodes.clear();
            }
        }
        written += nodes.len();
        assert_eq!(written as u64, 2 * *N - u64::from((*N).count_ones()));
        f.root()
    });

    println!(
        "baseline  sha256(leaf bytes)           {:>10.0} entries/s  ({:.3} s)",
        rate(base),
        base.as_secs_f64()
    );
    println!(
        "append    serialise+leaf hash+append   {:>10.0} entries/s  ({:.3} s)",
        rate(append),
        append.as_secs_f64()
    );
    println!(
        "ratio     append / baseline            {:>10.2}  (target >= 200,000 entries/s: {})",
        rate(append) / rate(base),
        if rate(append) >= 200_000.0 {
            "met"
        } else {
            "NOT met"
        }
    );

    // Proofs on the full tree, from an in-memory node store.
    let mut store: HashMap<NodeId, Hash> = HashMap::with_capacity(2 * *N as usize);
    let mut f = Frontier::new();
    let mut leaves = Vec::with_capacity(*N as usize);
    for e in &entries {
        let h = e.leaf_hash();
        leaves.push(h);
        for n in f.append(h).unwrap() {
            store.insert((n.level, n.index), n.hash);
        }
    }
    assert_eq!(f.root(), root);

    // 10,000 proofs spread over the tree (fewer on a tiny tree).
    let proofs: u64 = 10_000.min(*N);
    let step = *N / proofs;
    let start = Instant::now();
    let mut max_reads = 0;
    let mut max_len = 0;
    for k in 0..proofs {
        let leaf = k * step + k % step;
        let p = inclusion_proof(leaf, *N, &store).unwrap();
        max_len = max_len.max(p.len());
        max_reads = max_reads.max(nodes_needed_for_inclusion(leaf, *N).len());
        verify_inclusion(&leaves[leaf as usize], leaf, *N, &p, &root).unwrap();
    }
    let incl = start.elapsed();
    println!(
        "inclusion proof+verify at n={n}: {:.1} us each, <= {max_len} hashes, <= {max_reads} node reads",
        incl.as_secs_f64() * 1e6 / proofs as f64
    );

    let mut roots = Vec::with_capacity(proofs as usize);
    for k in 0..proofs {
        let m = 1 + k * step + k % step;
        roots.push((m, xinyong_ledger::root(m, &store).unwrap()));
    }
    let start = Instant::now();
    let mut max_reads = 0;
    let mut max_len = 0;
    for &(m, rm) in &roots {
        let p = consistency_proof(m, *N, &store).unwrap();
        max_len = max_len.max(p.len());
        max_reads = max_reads.max(nodes_needed_for_consistency(m, *N).len());
        verify_consistency(m, *N, &rm, &root, &p).unwrap();
    }
    let cons = start.elapsed();
    println!(
        "consistency proof+verify to n={n}: {:.1} us each, <= {max_len} hashes, <= {max_reads} node reads",
        cons.as_secs_f64() * 1e6 / proofs as f64
    );

    // The offline verifier (`xinyong ledger verify` without the database reads).
    let (ver, _) = best(|| {
        let mut v = LogVerifier::new([(*N, root)]);
        for (i, (e, h)) in entries.iter().zip(&leaves).enumerate() {
            v.push(i as u64, e, Some(h)).unwrap();
        }
        v.finish().unwrap().size()
    });
    println!(
        "verify    recompute + check leaves     {:>10.0} entries/s  ({:.3} s for {n})",
        rate(ver),
        ver.as_secs_f64()
    );
}
