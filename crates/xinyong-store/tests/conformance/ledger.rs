//! The audit log: every write is logged in its own transaction, and `ledger::verify` names the
//! first thing edited behind the platform's back. The tampering is done with raw SQL, as an
//! attacker with database access (or a bad backup restore) would.

use std::collections::BTreeSet;

use serde_json::json;
use xinyong_domain::RecordStatus;
use xinyong_store::{CheckRow, RecordChange, Role, Store, Token};

use crate::fixtures::{
    PAD_SUBJECT, codes, department, operator_account, penalty, read_event, with_department,
};
use crate::{Db, cases};
/// A log with records (two versions of one), a status change, a token and its revocation,
/// credit checks, and signed heads at two sizes. Returns the key that signed the heads.
async fn logged_writes(store: &dyn Store) -> xinyong_ledger::SigningKey {
    with_department(store, "SAMR").await;
    let c = codes(3);
    store
        .submit(
            "SAMR",
            &[penalty("罚1", &c[0], "a"), penalty("罚2", &c[1], "b")],
        )
        .await
        .unwrap();
    let key = xinyong_ledger::generate_key().unwrap();
    let sign = |size: u64, root| xinyong_ledger::SignedTreeHead::sign(&key, size, root, 1_000);
    let size = store.ledger_size().await.unwrap();
    let nodes = store
        .ledger_nodes(&xinyong_ledger::nodes_needed_for_root(size))
        .await
        .unwrap();
    let root = xinyong_ledger::root(size, &nodes).unwrap();
    store.put_tree_head(&sign(size, root)).await.unwrap();

    let changed = store
        .submit(
            "SAMR",
            &[penalty("罚1", &c[0], "changed"), penalty("罚3", &c[2], "c")],
        )
        .await
        .unwrap();
    store
        .change_record(
            "SAMR",
            &changed[0].id,
            &RecordChange {
                status: Some(RecordStatus::Revoked),
                status_note: Some("撤销".into()),
                publicity_until: None,
            },
        )
        .await
        .unwrap();
    let token = Token {
        id: "tok1".into(),
        hash: "ab".repeat(32),
        role: Role::Department,
        department: Some("SAMR".into()),
        subject: None,
        label: "t".into(),
        created_at: chrono::Utc::now(),
        expires_at: None,
        revoked_at: None,
    };
    store.put_token(&token).await.unwrap();
    store
        .revoke_token("tok1", chrono::Utc::now())
        .await
        .unwrap();
    store
        .put_checks(&[CheckRow {
            id: "chk1".into(),
            department: "SAMR".into(),
            subject_code: c[1].clone(),
            context: "procurement".into(),
            result: json!({"measures": []}),
            created_at: chrono::Utc::now(),
        }])
        .await
        .unwrap();
    let size = store.ledger_size().await.unwrap();
    let nodes = store
        .ledger_nodes(&xinyong_ledger::nodes_needed_for_root(size))
        .await
        .unwrap();
    let root = xinyong_ledger::root(size, &nodes).unwrap();
    store.put_tree_head(&sign(size, root)).await.unwrap();
    key
}

async fn verify_err(store: &dyn Store, key: &xinyong_ledger::SigningKey) -> String {
    xinyong_store::ledger::verify(store, Some(&key.verifying_key()), |_| {})
        .await
        .unwrap_err()
        .to_string()
}

/// Appends reads until the log holds at least `size` entries, so that stored tree nodes
/// (every 4th level: one per 16 leaves) cover the writes before them.
async fn pad_log(store: &dyn Store, size: u64) {
    let have = store.ledger_size().await.unwrap();
    let events: Vec<_> = (have..size).map(|i| read_event(i, PAD_SUBJECT)).collect();
    store.append_events(&events).await.unwrap();
}

async fn audit_log_records_every_write_and_verifies(db: Db) {
    let store = db.store().await;
    let key = logged_writes(&*store).await;
    let report = xinyong_store::ledger::verify(&*store, Some(&key.verifying_key()), |_| {})
        .await
        .unwrap();
    // department, 2 records, 2 versions (one new identity), 1 status change, token created and
    // revoked, 1 check.
    assert_eq!(report.size, 9);
    assert_eq!(report.record_versions_checked, 5);
    assert_eq!((report.tokens_checked, report.checks_checked), (1, 1));
    assert_eq!(report.heads_checked, 2);
    // Every entry's inclusion proof checks out against the latest head, by the RFC verifier.
    let heads = store.tree_heads().await.unwrap();
    let (first, last) = (&heads[0], &heads[1]);
    assert_eq!(last.root, report.root);
    for row in store.ledger_rows(0, 100).await.unwrap() {
        let ids = xinyong_ledger::nodes_needed_for_inclusion(row.index, last.size);
        let nodes = store.ledger_nodes(&ids).await.unwrap();
        let path = xinyong_ledger::inclusion_proof(row.index, last.size, &nodes).unwrap();
        xinyong_ledger::verify_inclusion(
            &row.entry.leaf_hash(),
            row.index,
            last.size,
            &path,
            &last.root,
        )
        .unwrap();
    }
    let ids = xinyong_ledger::nodes_needed_for_consistency(first.size, last.size);
    let nodes = store.ledger_nodes(&ids).await.unwrap();
    let proof = xinyong_ledger::consistency_proof(first.size, last.size, &nodes).unwrap();
    xinyong_ledger::verify_consistency(first.size, last.size, &first.root, &last.root, &proof)
        .unwrap();
    // A subject's own view finds the entries about it.
    let c = codes(3);
    let about = store.ledger_rows_of_subject(&c[1], 10).await.unwrap();
    let kinds: Vec<&str> = about.iter().map(|r| r.entry.kind.as_str()).collect();
    assert_eq!(kinds, ["check", "record.created"]);
}

async fn audit_log_names_an_edited_record(db: Db) {
    let store = db.store().await;
    let raw = db.raw().await;
    let key = logged_writes(&*store).await;
    let c = codes(3);
    raw.exec(&format!(
        "UPDATE records SET subject_name = '改名公司' WHERE subject_code = '{}'",
        c[2]
    ))
    .await;
    let err = verify_err(&*store, &key).await;
    assert!(
        err.starts_with("records row ") && err.contains("edited"),
        "{err}"
    );
}

async fn audit_log_names_an_edited_history_row(db: Db) {
    let store = db.store().await;
    let raw = db.raw().await;
    let key = logged_writes(&*store).await;
    raw.exec("UPDATE record_history SET status = 'repaired' WHERE version = 1")
        .await;
    let err = verify_err(&*store, &key).await;
    assert!(
        err.starts_with("record_history row ") && err.contains("@1"),
        "{err}"
    );
}

async fn audit_log_names_a_record_written_around_it(db: Db) {
    let store = db.store().await;
    let raw = db.raw().await;
    let key = logged_writes(&*store).await;
    raw.exec(
        "INSERT INTO record_history SELECT id, department, category, document_no, 7, status, \
         subject_code, subject_name, subject_kind, decided_on, legal_basis, tier, \
         publicity_until, fields, content_hash, recorded_at, listing, status_note, \
         subject_sealed, fields_sealed, listing_sealed FROM records WHERE version = 1",
    )
    .await;
    let err = verify_err(&*store, &key).await;
    assert!(
        err.contains("@7") && err.contains("no ledger entry"),
        "{err}"
    );
}

async fn audit_log_names_an_edited_token_and_check(db: Db) {
    let store = db.store().await;
    let raw = db.raw().await;
    let key = logged_writes(&*store).await;
    raw.exec("UPDATE tokens SET revoked_at = NULL").await;
    let err = verify_err(&*store, &key).await;
    assert!(err.starts_with("token row token:tok1"), "{err}");
}

async fn audit_log_names_the_first_edited_entry(db: Db) {
    let store = db.store().await;
    let raw = db.raw().await;
    let key = logged_writes(&*store).await;
    raw.exec("UPDATE ledger_entries SET actor = 'nobody' WHERE leaf_index IN (3, 5)")
        .await;
    let err = verify_err(&*store, &key).await;
    assert!(err.starts_with("ledger entry 3:"), "{err}");
}

async fn audit_log_catches_an_entry_rehashed_to_match(db: Db) {
    let store = db.store().await;
    let raw = db.raw().await;
    let key = logged_writes(&*store).await;
    pad_log(&*store, 20).await;
    // An attacker who edits an entry and recomputes its leaf hash is caught by the stored node
    // above it (entry 10 is after the last signed head, at size 9)...
    let rehash = |index: u64| {
        let store = store.clone();
        async move {
            let mut row = store.ledger_rows(index, 1).await.unwrap().remove(0);
            row.entry.actor = "nobody".into();
            format!(
                "UPDATE ledger_entries SET actor = 'nobody', leaf_hash = '{}' WHERE leaf_index = {index}",
                hex::encode(row.entry.leaf_hash())
            )
        }
    };
    raw.exec(&rehash(10).await).await;
    let err = verify_err(&*store, &key).await;
    assert!(err.starts_with("ledger node (level 4, index 0)"), "{err}");
    // ... or, below a signed head, by the signed root,
    raw.exec(&rehash(1).await).await;
    let err = verify_err(&*store, &key).await;
    assert!(err.starts_with("signed tree head of size 3"), "{err}");
    // ... also when every stored node is recomputed to match.
    let mut frontier = xinyong_ledger::Frontier::new();
    let mut nodes = Vec::new();
    for r in store.ledger_rows(0, 100).await.unwrap() {
        frontier
            .append_into(r.entry.leaf_hash(), &mut nodes)
            .unwrap();
    }
    raw.exec("DELETE FROM ledger_nodes").await;
    for n in nodes
        .iter()
        .filter(|n| xinyong_store::ledger::is_stored_level(n.level))
    {
        raw.exec(&format!(
            "INSERT INTO ledger_nodes (level, idx, hash) VALUES ({}, {}, '{}')",
            n.level,
            n.index,
            hex::encode(n.hash)
        ))
        .await;
    }
    let err = verify_err(&*store, &key).await;
    assert!(err.starts_with("signed tree head of size 3"), "{err}");
}

async fn audit_log_catches_deleted_and_reordered_entries(db: Db) {
    let store = db.store().await;
    let raw = db.raw().await;
    let key = logged_writes(&*store).await;
    raw.exec("DELETE FROM ledger_entries WHERE leaf_index = 8")
        .await;
    let err = verify_err(&*store, &key).await;
    assert!(err.contains("size 9") && err.contains("deleted"), "{err}");

    raw.exec("UPDATE ledger_entries SET leaf_index = 8 WHERE leaf_index = 4")
        .await;
    let err = verify_err(&*store, &key).await;
    assert!(err.starts_with("ledger entry 4:"), "{err}");
}

async fn audit_log_names_an_edited_tree_node(db: Db) {
    let store = db.store().await;
    let raw = db.raw().await;
    let key = logged_writes(&*store).await;
    pad_log(&*store, 40).await;
    raw.exec(&format!(
        "UPDATE ledger_nodes SET hash = '{}' WHERE level = 4 AND idx = 1",
        "00".repeat(32)
    ))
    .await;
    let err = verify_err(&*store, &key).await;
    assert!(err.starts_with("ledger node (level 4, index 1)"), "{err}");
}

async fn audit_log_refuses_a_forged_head_signature(db: Db) {
    let store = db.store().await;
    logged_writes(&*store).await;
    let other = xinyong_ledger::generate_key().unwrap();
    let err = verify_err(&*store, &other).await;
    assert!(err.starts_with("signed tree head of size 3"), "{err}");
}

async fn audit_log_pseudonymises_natural_persons(db: Db) {
    let store = db.store().await;
    store
        .put_department(&department("COURT", &["court_defaulter"]))
        .await
        .unwrap();
    let person = "11010519491231002X";
    store
        .put_checks(&[CheckRow {
            id: "c1".into(),
            department: "COURT".into(),
            subject_code: person.into(),
            context: "x".into(),
            result: json!({}),
            created_at: chrono::Utc::now(),
        }])
        .await
        .unwrap();
    let rows = store.ledger_rows(0, 10).await.unwrap();
    let subject = rows[1].entry.subject.clone().unwrap();
    assert!(
        subject.starts_with("p:") && !subject.contains(person),
        "{subject}"
    );
    // The subject's own view still finds it, by the same keyed hash.
    assert_eq!(
        store
            .ledger_rows_of_subject(person, 10)
            .await
            .unwrap()
            .len(),
        1
    );
}

/// The subject index trails the log (appends do not maintain it) but every read of a subject's
/// view sees every entry appended before it.
async fn subject_view_lists_every_event_about_the_subject(db: Db) {
    let store = db.store().await;
    let c = codes(2);
    let event = |i: u64, subject: &str| read_event(i, subject);
    store
        .append_events(&[event(1, &c[0]), event(2, &c[1]), event(3, &c[0])])
        .await
        .unwrap();
    let mine = store.ledger_rows_of_subject(&c[0], 10).await.unwrap();
    assert_eq!(mine.iter().map(|r| r.index).collect::<Vec<_>>(), [2, 0]);
    assert_eq!(
        store.index_ledger_subjects().await.unwrap(),
        0,
        "already current"
    );
    store.append_events(&[event(4, &c[0])]).await.unwrap();
    store
        .append_events(&[event(5, &c[1]), event(6, &c[0])])
        .await
        .unwrap();
    let mine = store.ledger_rows_of_subject(&c[0], 10).await.unwrap();
    assert_eq!(
        mine.iter().map(|r| r.index).collect::<Vec<_>>(),
        [5, 3, 2, 0]
    );
    assert!(
        mine.iter()
            .all(|r| r.entry.subject.as_deref() == Some(c[0].as_str()))
    );
    assert_eq!(
        store.ledger_rows_of_subject(&c[1], 1).await.unwrap()[0].index,
        4
    );
}

async fn audit_log_names_an_edited_or_smuggled_operator_account(db: Db) {
    let store = db.store().await;
    let raw = db.raw().await;
    let key = logged_writes(&*store).await;
    assert!(
        store
            .put_operator(&operator_account("op1", "alice"))
            .await
            .unwrap()
    );
    xinyong_store::ledger::verify(&*store, None, |_| {})
        .await
        .unwrap();
    // Replacing the hash would let another password in.
    raw.exec("UPDATE operators SET password_hash = '$argon2id$v=19$forged'")
        .await;
    let err = verify_err(&*store, &key).await;
    assert!(
        err.starts_with("operator row operator:op1") && err.contains("edited"),
        "{err}"
    );
    raw.exec(&format!(
        "UPDATE operators SET password_hash = '{}'",
        operator_account("op1", "alice").password_hash
    ))
    .await;
    raw.exec(
        "INSERT INTO operators (id, name, password_hash, created_at) \
         SELECT 'op2', 'mallory', password_hash, created_at FROM operators",
    )
    .await;
    let err = verify_err(&*store, &key).await;
    assert!(
        err.starts_with("operator row operator:op2") && err.contains("no ledger entry"),
        "{err}"
    );
}

/// Only every 4th level is stored; proofs compute the others from the stored ones, and a node
/// no entry completes is refused.
async fn audit_log_stores_only_tile_levels(db: Db) {
    let store = db.store().await;
    let raw = db.raw().await;
    let key = logged_writes(&*store).await;
    pad_log(&*store, 300).await;
    let nodes = store.ledger_nodes_all().await.unwrap();
    let levels: BTreeSet<u8> = nodes.iter().map(|n| n.level).collect();
    assert_eq!(levels, BTreeSet::from([4, 8]));
    assert_eq!(nodes.len(), 300 / 16 + 1);
    // Every computed node equals the one a tree built from the leaves has.
    let leaves: Vec<_> = store
        .ledger_rows(0, 300)
        .await
        .unwrap()
        .iter()
        .map(|r| r.leaf_hash)
        .collect();
    let ids: Vec<_> = (1..=8u8)
        .flat_map(|l| (0..(300u64 >> l)).map(move |i| (l, i)))
        .collect();
    let got = store.ledger_nodes(&ids).await.unwrap();
    assert_eq!(got.len(), ids.len());
    for (level, index) in ids {
        let span = 1usize << level;
        let start = index as usize * span;
        let mut hashes = leaves[start..start + span].to_vec();
        while hashes.len() > 1 {
            hashes = hashes
                .chunks(2)
                .map(|p| xinyong_ledger::node_hash(&p[0], &p[1]))
                .collect();
        }
        assert_eq!(got[&(level, index)], hashes[0], "node ({level}, {index})");
    }
    assert!(
        store.ledger_nodes(&[(3, 40)]).await.unwrap().is_empty(),
        "not complete yet"
    );
    xinyong_store::ledger::verify(&*store, Some(&key.verifying_key()), |_| {})
        .await
        .unwrap();
    raw.exec(&format!(
        "INSERT INTO ledger_nodes (level, idx, hash) VALUES (4, 99, '{}')",
        "00".repeat(32)
    ))
    .await;
    let err = verify_err(&*store, &key).await;
    assert!(
        err.contains("(level 4, index 99)") && err.contains("no entry completes"),
        "{err}"
    );
}

cases!(
    audit_log_records_every_write_and_verifies,
    audit_log_names_an_edited_record,
    audit_log_names_an_edited_history_row,
    audit_log_names_a_record_written_around_it,
    audit_log_names_an_edited_token_and_check,
    audit_log_names_the_first_edited_entry,
    audit_log_catches_an_entry_rehashed_to_match,
    audit_log_catches_deleted_and_reordered_entries,
    audit_log_names_an_edited_tree_node,
    audit_log_refuses_a_forged_head_signature,
    audit_log_pseudonymises_natural_persons,
    subject_view_lists_every_event_about_the_subject,
    audit_log_names_an_edited_or_smuggled_operator_account,
    audit_log_stores_only_tile_levels,
);
