//! `xinyong ledger verify` core: every tampering of a stored log is named at the first bad entry.

use xinyong_ledger::{
    Entry, FirstBad, Frontier, Hash, LogVerifier, SignedTreeHead, sha256, verify_leaves, verify_log,
};

/// A stored log: rows of (index, entry, stored level-0 hash) and signed tree heads.
struct Stored {
    rows: Vec<(u64, Entry, Hash)>,
    sths: Vec<SignedTreeHead>,
}

fn entry(i: u64) -> Entry {
    Entry {
        kind: if i.is_multiple_of(3) {
            "read.restricted"
        } else {
            "record.created"
        }
        .into(),
        subject: (!i.is_multiple_of(5)).then(|| format!("9135010{i:011}")),
        actor: format!("dept:{}", i % 7),
        at_ms: 1_700_000_000_000 + i,
        payload_hash: sha256(&i.to_le_bytes()),
    }
}

fn stored(n: u64, sth_at: &[u64]) -> Stored {
    let key = xinyong_ledger::load_or_create_key(Some(&[7; 32])).unwrap();
    let mut f = Frontier::new();
    let mut rows = Vec::new();
    let mut sths = Vec::new();
    for i in 0..n {
        if sth_at.contains(&i) {
            sths.push(SignedTreeHead::sign(&key, i, f.root(), 0));
        }
        let e = entry(i);
        let nodes = f.append(e.leaf_hash()).unwrap();
        rows.push((i, e, nodes[0].hash));
    }
    if sth_at.contains(&n) {
        sths.push(SignedTreeHead::sign(&key, n, f.root(), 0));
    }
    Stored { rows, sths }
}

fn check(s: &Stored) -> Result<Frontier, FirstBad> {
    let vk = xinyong_ledger::load_or_create_key(Some(&[7; 32]))
        .unwrap()
        .verifying_key();
    for sth in &s.sths {
        sth.verify(&vk).unwrap();
    }
    verify_leaves(
        s.rows.iter().map(|(i, e, h)| (*i, e, h)),
        s.sths.iter().map(|h| (h.size, h.root)),
    )
}

const HEADS: &[u64] = &[0, 10, 50, 100];

#[test]
fn untouched_log_verifies() {
    let s = stored(100, HEADS);
    let f = check(&s).unwrap();
    assert_eq!(f.size(), 100);
    assert_eq!(f.root(), s.sths[3].root);
}

#[test]
fn entries_after_the_last_head_are_accepted() {
    let s = stored(120, HEADS);
    assert_eq!(check(&s).unwrap().size(), 120);
}

#[test]
fn edited_entry_is_named() {
    let mut s = stored(100, HEADS);
    s.rows[37].1.actor = "dept:someone-else".into();
    let err = check(&s).unwrap_err();
    assert_eq!(err, FirstBad::LeafMismatch { index: 37 });
    assert_eq!(err.first_bad_index(), 37);
    assert!(err.to_string().contains("entry 37"), "{err}");
}

#[test]
fn edited_payload_hash_is_named() {
    let mut s = stored(100, HEADS);
    s.rows[64].1.payload_hash[0] ^= 1;
    assert_eq!(check(&s).unwrap_err(), FirstBad::LeafMismatch { index: 64 });
}

#[test]
fn deleted_entry_is_named() {
    let mut s = stored(100, HEADS);
    s.rows.remove(37);
    let err = check(&s).unwrap_err();
    assert_eq!(
        err,
        FirstBad::OutOfOrder {
            expected: 37,
            found: 38
        }
    );
    assert_eq!(err.first_bad_index(), 37);
}

#[test]
fn swapped_entry_contents_are_named_at_the_first() {
    // Contents swapped between two rows, indices and stored leaf hashes left in place.
    let mut s = stored(100, HEADS);
    let e20 = s.rows[20].1.clone();
    s.rows[20].1 = s.rows[30].1.clone();
    s.rows[30].1 = e20;
    assert_eq!(check(&s).unwrap_err(), FirstBad::LeafMismatch { index: 20 });
}

#[test]
fn reordered_rows_are_named() {
    // Whole rows (index, entry, leaf hash) come back in another order.
    let mut s = stored(100, HEADS);
    s.rows.swap(20, 30);
    assert_eq!(
        check(&s).unwrap_err(),
        FirstBad::OutOfOrder {
            expected: 20,
            found: 30
        }
    );
}

#[test]
fn renumbered_swap_is_caught_by_the_signed_root() {
    // The attacker swaps two rows and renumbers them, leaf hashes included: every row is
    // self-consistent, so only the signed root can tell, and it bounds the damage.
    let mut s = stored(100, HEADS);
    s.rows.swap(20, 30);
    s.rows[20].0 = 20;
    s.rows[30].0 = 30;
    let err = check(&s).unwrap_err();
    assert!(
        matches!(
            err,
            FirstBad::RootMismatch {
                from: 10,
                size: 50,
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(err.first_bad_index(), 10);
}

#[test]
fn edit_with_recomputed_leaf_hash_is_caught_by_the_signed_root() {
    let mut s = stored(100, HEADS);
    s.rows[73].1.kind = "record.deleted".into();
    s.rows[73].2 = s.rows[73].1.leaf_hash();
    let err = check(&s).unwrap_err();
    assert!(
        matches!(
            err,
            FirstBad::RootMismatch {
                from: 50,
                size: 100,
                ..
            }
        ),
        "{err:?}"
    );
}

#[test]
fn truncated_log_is_named() {
    let mut s = stored(100, HEADS);
    s.rows.truncate(80);
    assert_eq!(
        check(&s).unwrap_err(),
        FirstBad::Truncated {
            expected: 100,
            found: 80
        }
    );
}

#[test]
fn duplicated_row_is_named() {
    let mut s = stored(100, HEADS);
    let dup = s.rows[5].clone();
    s.rows.insert(6, dup);
    assert_eq!(
        check(&s).unwrap_err(),
        FirstBad::OutOfOrder {
            expected: 6,
            found: 5
        }
    );
}

#[test]
fn bad_empty_checkpoint_is_reported() {
    let s = stored(3, &[]);
    let err = verify_leaves(s.rows.iter().map(|(i, e, h)| (*i, e, h)), [(0, [1; 32])]).unwrap_err();
    assert!(matches!(
        err,
        FirstBad::RootMismatch {
            from: 0,
            size: 0,
            ..
        }
    ));
}

#[test]
fn verify_log_checks_the_root_without_stored_leaves() {
    let s = stored(100, &[100]);
    let entries = || s.rows.iter().map(|r| r.1.clone());
    let head = &s.sths[0];
    assert_eq!(
        verify_log(entries(), head.root, head.size).unwrap().root(),
        head.root
    );

    let mut edited: Vec<Entry> = entries().collect();
    edited[99].at_ms += 1;
    assert!(matches!(
        verify_log(edited, head.root, head.size),
        Err(FirstBad::RootMismatch {
            from: 0,
            size: 100,
            ..
        })
    ));
    assert_eq!(
        verify_log(entries().take(99), head.root, head.size).unwrap_err(),
        FirstBad::Truncated {
            expected: 100,
            found: 99
        }
    );
}

#[test]
fn streaming_verifier_reports_progress() {
    let s = stored(10, &[10]);
    let mut v = LogVerifier::new(s.sths.iter().map(|h| (h.size, h.root)));
    for (i, e, h) in &s.rows {
        v.push(*i, e, Some(h)).unwrap();
    }
    assert_eq!(v.size(), 10);
    assert_eq!(v.frontier().root(), s.sths[0].root);
    assert!(v.finish().is_ok());
}
