//! Records: versions, history, batches, identity.

use std::collections::BTreeSet;
use std::sync::Arc;

use chrono::NaiveDate;
use serde_json::json;
use xinyong_domain::RecordStatus;
use xinyong_store::{Outcome, RecordChange, SqliteStore, Store};

use crate::fixtures::{PAD_SUBJECT, codes, penalty, read_event, today, with_department};
use crate::{Db, cases};
async fn rejected_batch_leaves_no_partial_state(db: Db) {
    let store = db.store().await;
    with_department(&*store, "SAMR").await;
    let c = codes(3);
    let mut session = store.begin_import().await.unwrap();
    session
        .add(
            "SAMR",
            &[penalty("罚1", &c[0], "a"), penalty("罚2", &c[1], "b")],
        )
        .await
        .unwrap();
    session.rollback().await.unwrap();
    assert_eq!(store.counts().await.unwrap().records, 0);
    assert!(store.subject(&c[0]).await.unwrap().is_none());

    // A session dropped without commit (an interrupted import) rolls back too.
    {
        let mut session = store.begin_import().await.unwrap();
        session
            .add("SAMR", &[penalty("罚3", &c[2], "c")])
            .await
            .unwrap();
    }
    assert_eq!(store.counts().await.unwrap().records, 0);
    assert!(store.subject(&c[2]).await.unwrap().is_none());
}

async fn unknown_department_cannot_submit(db: Db) {
    let store = db.store().await;
    let c = codes(1);
    let err = store
        .submit("NOPE", &[penalty("罚1", &c[0], "a")])
        .await
        .unwrap_err();
    assert!(err.to_string().contains("NOPE"), "{err}");
    assert_eq!(store.counts().await.unwrap().records, 0);
}

async fn resubmitting_same_content_is_a_no_op(db: Db) {
    let store = db.store().await;
    with_department(&*store, "SAMR").await;
    let c = codes(1);
    let first = store
        .submit("SAMR", &[penalty("罚1", &c[0], "a")])
        .await
        .unwrap();
    let again = store
        .submit("SAMR", &[penalty("罚1", &c[0], "a")])
        .await
        .unwrap();
    assert_eq!(first[0].outcome, Outcome::Created);
    assert_eq!(again[0].outcome, Outcome::Unchanged);
    assert_eq!(first[0].id, again[0].id);
    assert_eq!(store.record_history(&first[0].id).await.unwrap().len(), 1);
}

async fn new_content_is_a_new_version_and_history_stays(db: Db) {
    let store = db.store().await;
    with_department(&*store, "SAMR").await;
    let c = codes(1);
    let v1 = store
        .submit("SAMR", &[penalty("罚1", &c[0], "original")])
        .await
        .unwrap();
    let v2 = store
        .submit("SAMR", &[penalty("罚1", &c[0], "corrected")])
        .await
        .unwrap();
    assert_eq!(v2[0].outcome, Outcome::NewVersion);
    assert_eq!((v2[0].id.as_str(), v2[0].version), (v1[0].id.as_str(), 2));
    let history = store.record_history(&v1[0].id).await.unwrap();
    let facts: Vec<_> = history
        .iter()
        .map(|r| (r.version, r.fields["facts"].clone()))
        .collect();
    assert_eq!(facts, vec![(1, json!("original")), (2, json!("corrected"))]);
    // The subject file shows only the current version.
    let current = store.records_of_subject(&c[0]).await.unwrap();
    assert_eq!(current.len(), 1);
    assert_eq!(current[0].version, 2);
    assert_eq!(current[0].fields["facts"], json!("corrected"));
}

async fn same_identity_twice_in_one_batch_is_versioned_in_order(db: Db) {
    let store = db.store().await;
    with_department(&*store, "SAMR").await;
    let c = codes(1);
    let out = store
        .submit(
            "SAMR",
            &[
                penalty("罚1", &c[0], "a"),
                penalty("罚1", &c[0], "b"),
                penalty("罚1", &c[0], "b"),
            ],
        )
        .await
        .unwrap();
    let outcomes: Vec<_> = out.iter().map(|s| (s.version, s.outcome)).collect();
    assert_eq!(
        outcomes,
        vec![
            (1, Outcome::Created),
            (2, Outcome::NewVersion),
            (2, Outcome::Unchanged)
        ]
    );
    assert_eq!(store.record_history(&out[0].id).await.unwrap().len(), 2);
}

async fn identity_is_department_category_and_document(db: Db) {
    let store = db.store().await;
    with_department(&*store, "SAMR").await;
    with_department(&*store, "TAX").await;
    let c = codes(1);
    let a = store
        .submit("SAMR", &[penalty("罚1", &c[0], "a")])
        .await
        .unwrap();
    let b = store
        .submit("TAX", &[penalty("罚1", &c[0], "a")])
        .await
        .unwrap();
    assert_ne!(
        a[0].id, b[0].id,
        "same document number, other department: another record"
    );
    // The subject file integrates every department's records.
    let file = store.records_of_subject(&c[0]).await.unwrap();
    let depts: BTreeSet<_> = file.iter().map(|r| r.department.as_str()).collect();
    assert_eq!(depts, BTreeSet::from(["SAMR", "TAX"]));
}

async fn batches_larger_than_a_chunk_are_stored_whole(db: Db) {
    let store = db.store().await;
    with_department(&*store, "SAMR").await;
    let c = codes(3200);
    let batch: Vec<_> = c
        .iter()
        .enumerate()
        .map(|(i, code)| penalty(&format!("罚{i}"), code, "x"))
        .collect();
    let out = store.submit("SAMR", &batch).await.unwrap();
    assert_eq!(out.len(), 3200);
    assert!(out.iter().all(|s| s.outcome == Outcome::Created));
    let counts = store.counts().await.unwrap();
    assert_eq!(
        (counts.records, counts.subjects, counts.departments),
        (3200, 3200, 1)
    );
    let stored = store.records_of_subject(&c[3199]).await.unwrap();
    assert_eq!(stored[0].document_no, "罚3199");
}

async fn stored_records_read_back_unchanged(db: Db) {
    let store = db.store().await;
    with_department(&*store, "SAMR").await;
    let c = codes(1);
    let rec = penalty("罚1", &c[0], "事实");
    store
        .submit("SAMR", std::slice::from_ref(&rec))
        .await
        .unwrap();
    let back = &store.records_of_subject(&c[0]).await.unwrap()[0];
    assert_eq!(back.category, rec.category);
    assert_eq!(back.subject_code, rec.subject.code);
    assert_eq!(back.subject_name, rec.subject.name);
    assert_eq!(back.subject_kind, rec.subject.kind);
    assert_eq!(back.decided_on, rec.decided_on);
    assert_eq!(back.publicity_until, rec.publicity_until);
    assert_eq!(back.tier, rec.tier);
    assert_eq!(back.legal_basis, rec.legal_basis);
    assert_eq!(back.fields, rec.fields);
    // The content hash is stored keyed: the plain one covers the subject code and would let
    // guesses of an identity number be tested against a backup.
    assert!(back.content_hash.starts_with("k:"), "{}", back.content_hash);
    assert_ne!(back.content_hash, rec.content_hash);
    assert_eq!(back.department, "SAMR");
    let subject = store.subject(&c[0]).await.unwrap().unwrap();
    assert_eq!(subject.name, rec.subject.name);
}

async fn status_changes_are_new_versions_and_keep_history(db: Db) {
    let store = db.store().await;
    with_department(&*store, "SAMR").await;
    let c = codes(1);
    let out = store
        .submit("SAMR", &[penalty("罚1", &c[0], "a")])
        .await
        .unwrap();
    let id = &out[0].id;
    let penalties = ["admin_penalty".to_owned()];
    let licences = ["admin_license".to_owned()];
    let g0 = store.generation(&penalties).await.unwrap();
    let other = store.generation(&licences).await.unwrap();
    let change = RecordChange {
        status: Some(RecordStatus::Removed),
        status_note: Some("已履行（结1）".into()),
        publicity_until: Some(NaiveDate::from_ymd_opt(2027, 1, 1).unwrap()),
    };
    assert!(
        store
            .change_record("OTHER", id, &change)
            .await
            .unwrap()
            .is_none(),
        "only the source department"
    );
    let changed = store
        .change_record("SAMR", id, &change)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (changed.version, changed.status),
        (2, RecordStatus::Removed)
    );
    assert_eq!(changed.status_note.as_deref(), Some("已履行（结1）"));
    assert_eq!(changed.fields["facts"], json!("a"), "content unchanged");
    let history = store.record_history(id).await.unwrap();
    assert_eq!(
        history
            .iter()
            .map(|r| (r.version, r.status))
            .collect::<Vec<_>>(),
        vec![(1, RecordStatus::Active), (2, RecordStatus::Removed)]
    );
    assert!(
        store.generation(&penalties).await.unwrap() > g0,
        "writes move their category's generation"
    );
    assert_eq!(
        store.generation(&licences).await.unwrap(),
        other,
        "and no other"
    );
    // Removed records no longer count as list entries.
    let live = store
        .records_in_categories(&["admin_penalty".to_owned()], today())
        .await
        .unwrap();
    assert!(live.is_empty());
}

async fn list_records_and_listing_round_trip(db: Db) {
    let store = db.store().await;
    with_department(&*store, "SAMR").await;
    let c = codes(2);
    let listing = xinyong_domain::Listing {
        list_type: "court_defaulter".into(),
        ground: "g1".into(),
        related_persons: vec![],
    };
    let listed = penalty("罚1", &c[0], "a").with_listing(listing.clone());
    let plain = penalty("罚2", &c[1], "b");
    assert_ne!(
        listed.content_hash,
        penalty("罚1", &c[0], "a").content_hash,
        "the listing is content"
    );
    store.submit("SAMR", &[listed, plain]).await.unwrap();
    let live = store
        .records_in_categories(&["admin_penalty".to_owned()], today())
        .await
        .unwrap();
    assert_eq!(live.len(), 2);
    let back = live
        .iter()
        .find(|r| r.subject_code.as_str() == c[0])
        .unwrap();
    assert_eq!(back.listing.as_ref(), Some(&listing));
    assert!(
        live.iter()
            .find(|r| r.subject_code.as_str() == c[1])
            .unwrap()
            .listing
            .is_none()
    );
}

/// Two processes writing to one SQLite file (the server and `xinyong import`): a transaction
/// that reads before it writes waits for the other writer instead of failing with
/// SQLITE_BUSY_SNAPSHOT ("database is locked").
#[tokio::test]
async fn concurrent_writers_on_one_sqlite_file_wait_for_each_other() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("test.db").display());
    let a: Arc<dyn Store> = Arc::new(SqliteStore::open(&url).await.unwrap());
    let b: Arc<dyn Store> = Arc::new(SqliteStore::open(&url).await.unwrap());
    with_department(&*a, "SAMR").await;
    let c = codes(40);
    let mut tasks = Vec::new();
    for (i, code) in c.iter().enumerate() {
        let store = if i % 2 == 0 { a.clone() } else { b.clone() };
        let rec = penalty(&format!("罚C{i}"), code, "x");
        tasks.push(tokio::spawn(async move {
            store.submit("SAMR", &[rec]).await.map(|_| ())?;
            let event = read_event(1, PAD_SUBJECT);
            store.append_events(&[event]).await.map(|_| ())
        }));
    }
    for t in tasks {
        t.await.unwrap().unwrap();
    }
    assert_eq!(a.counts().await.unwrap().records, 40);
    xinyong_store::ledger::verify(&*b, None, |_| {})
        .await
        .unwrap();
}

async fn a_department_pages_through_its_own_records_newest_first(db: Db) {
    let store = db.store().await;
    with_department(&*store, "SAMR").await;
    with_department(&*store, "TAX").await;
    let c = codes(5);
    for (i, code) in c.iter().enumerate() {
        store
            .submit("SAMR", &[penalty(&format!("罚{i}"), code, "a")])
            .await
            .unwrap();
    }
    store
        .submit("TAX", &[penalty("税1", &c[0], "b")])
        .await
        .unwrap();
    let first = store.records_of_department("SAMR", None, 3).await.unwrap();
    let docs: Vec<&str> = first.iter().map(|r| r.document_no.as_str()).collect();
    assert_eq!(docs, ["罚4", "罚3", "罚2"]);
    let last = first.last().map(|r| r.id.to_string());
    let rest = store
        .records_of_department("SAMR", last.as_deref(), 3)
        .await
        .unwrap();
    let docs: Vec<&str> = rest.iter().map(|r| r.document_no.as_str()).collect();
    assert_eq!(
        docs,
        ["罚1", "罚0"],
        "another department's record never appears"
    );
    let tax = store.records_of_department("TAX", None, 10).await.unwrap();
    assert_eq!(tax.len(), 1);
    assert_eq!(tax[0].department, "TAX");
}

cases!(
    a_department_pages_through_its_own_records_newest_first,
    rejected_batch_leaves_no_partial_state,
    unknown_department_cannot_submit,
    resubmitting_same_content_is_a_no_op,
    new_content_is_a_new_version_and_history_stays,
    same_identity_twice_in_one_batch_is_versioned_in_order,
    identity_is_department_category_and_document,
    batches_larger_than_a_chunk_are_stored_whole,
    stored_records_read_back_unchanged,
    status_changes_are_new_versions_and_keep_history,
    list_records_and_listing_round_trip,
);
