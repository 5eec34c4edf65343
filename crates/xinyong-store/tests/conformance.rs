//! The storage conformance suite: every case runs against SQLite and against PostgreSQL.
//!
//! PostgreSQL is reached at `XINYONG_TEST_POSTGRES` (default
//! `postgres://postgres@127.0.0.1:5432/test`); each test gets a schema of its own. Set
//! `XINYONG_TEST_POSTGRES=off` to skip the PostgreSQL half on a machine without it (CI never
//! does).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeSet;
use std::str::FromStr;
use std::sync::Arc;

use chrono::NaiveDate;
use rand::SeedableRng;
use serde_json::json;
use sqlx::postgres::PgConnectOptions;
use xinyong_domain::RecordStatus;
use xinyong_domain::access::ApplicationStatus;
use xinyong_domain::code::{DivisionCode, UnifiedCode};
use xinyong_domain::{Catalogue, Department, RawRecord, ValidRecord};
use xinyong_store::{
    ApplicationDecision, CheckRow, FeedbackRow, OperatorAccount, Outcome, PgStore, RecordChange,
    Role, SpecialApplication, SqliteStore, Store, Token,
};

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 26).unwrap()
}

fn codes(n: usize) -> Vec<String> {
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(11);
    let div = DivisionCode::parse("440305").unwrap();
    (0..n)
        .map(|_| {
            UnifiedCode::generate(&mut rng, '9', '1', &div)
                .as_str()
                .to_owned()
        })
        .collect()
}

fn penalty(doc: &str, code: &str, facts: &str) -> ValidRecord {
    let raw = RawRecord::from_json(&json!({
        "category": "admin_penalty",
        "subject": {"code": code, "name": "深圳市示例科技有限公司", "kind": "legal_person"},
        "document_no": doc,
        "decided_on": "2026-03-01",
        "legal_basis": "《中华人民共和国行政处罚法》第二十八条",
        "tier": "general",
        "fields": {"facts": facts, "penalty_kind": "罚款", "content": "罚款人民币一万元", "authority": "深圳市市场监督管理局"}
    }))
    .unwrap();
    Catalogue::shipped().validate(&raw, today()).unwrap()
}

fn department(code: &str, categories: &[&str]) -> Department {
    Department {
        code: code.to_owned(),
        name: format!("部门{code}"),
        categories: categories.iter().map(|c| (*c).to_owned()).collect(),
        lists: Default::default(),
    }
}

async fn with_department(store: &dyn Store, code: &str) {
    store
        .put_department(&department(code, &["admin_penalty", "admin_license"]))
        .await
        .unwrap();
}

// ----------------------------------------------------------------------------------------------
// The cases. Each takes a fresh, empty store.

async fn rejected_batch_leaves_no_partial_state(store: Arc<dyn Store>) {
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

async fn unknown_department_cannot_submit(store: Arc<dyn Store>) {
    let c = codes(1);
    let err = store
        .submit("NOPE", &[penalty("罚1", &c[0], "a")])
        .await
        .unwrap_err();
    assert!(err.to_string().contains("NOPE"), "{err}");
    assert_eq!(store.counts().await.unwrap().records, 0);
}

async fn resubmitting_same_content_is_a_no_op(store: Arc<dyn Store>) {
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

async fn new_content_is_a_new_version_and_history_stays(store: Arc<dyn Store>) {
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

async fn same_identity_twice_in_one_batch_is_versioned_in_order(store: Arc<dyn Store>) {
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

async fn identity_is_department_category_and_document(store: Arc<dyn Store>) {
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

async fn departments_are_idempotent_and_only_gain_categories(store: Arc<dyn Store>) {
    store
        .put_department(&department("SAMR", &["admin_penalty"]))
        .await
        .unwrap();
    store
        .put_department(&department("SAMR", &["admin_penalty"]))
        .await
        .unwrap();
    store
        .put_department(&department("SAMR", &["admin_license"]))
        .await
        .unwrap();
    let d = store.department("SAMR").await.unwrap().unwrap();
    assert_eq!(
        d.categories,
        BTreeSet::from(["admin_license".to_owned(), "admin_penalty".to_owned()])
    );
    assert_eq!(store.departments().await.unwrap().len(), 1);
    assert!(store.department("OTHER").await.unwrap().is_none());
}

async fn subject_tokens_keep_their_subject(store: Arc<dyn Store>) {
    let token = Token {
        id: "01JSUBJECT".into(),
        hash: "ef".repeat(32),
        role: Role::Subject,
        department: None,
        subject: Some("91110000600037341L".into()),
        label: "self".into(),
        created_at: chrono::Utc::now(),
        expires_at: None,
        revoked_at: None,
    };
    store.put_token(&token).await.unwrap();
    let found = store
        .token_by_hash(&"ef".repeat(32))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(found.role, Role::Subject);
    assert_eq!(found.subject.as_deref(), Some("91110000600037341L"));
}

async fn special_applications_are_decided_once(store: Arc<dyn Store>) {
    with_department(&*store, "SAMR").await;
    let now = chrono::DateTime::parse_from_rfc3339("2026-11-26T08:00:00Z")
        .unwrap()
        .with_timezone(&chrono::Utc);
    let mut application = SpecialApplication {
        id: "01JAPPLICATION".into(),
        department: "SAMR".into(),
        subject_code: "91110000600037341L".into(),
        purpose: "supervision".into(),
        reason: "核查社保欠缴".into(),
        legal_basis: "《社会保险法》第八十六条".into(),
        status: ApplicationStatus::Pending,
        created_at: now,
        decided_at: None,
        decision_note: None,
        valid_until: None,
    };
    store.put_special_application(&application).await.unwrap();
    assert_eq!(
        store.special_application(&application.id).await.unwrap(),
        Some(application.clone())
    );
    assert_eq!(store.pending_special_applications().await.unwrap().len(), 1);
    let decision = ApplicationDecision {
        status: ApplicationStatus::Approved,
        decided_by: "01JOPERATOR".into(),
        decided_at: now,
        note: "同意".into(),
        valid_until: Some(now + chrono::Duration::days(7)),
    };
    assert!(
        store
            .decide_special_application(&application.id, &decision)
            .await
            .unwrap()
    );
    let rejection = ApplicationDecision {
        status: ApplicationStatus::Rejected,
        valid_until: None,
        ..decision.clone()
    };
    assert!(
        !store
            .decide_special_application(&application.id, &rejection)
            .await
            .unwrap()
    );
    assert!(
        !store
            .decide_special_application("01JNONE", &decision)
            .await
            .unwrap()
    );
    application.status = ApplicationStatus::Approved;
    application.decided_at = Some(now);
    application.decision_note = Some("同意".into());
    application.valid_until = decision.valid_until;
    assert_eq!(
        store.special_application(&application.id).await.unwrap(),
        Some(application)
    );
    assert!(
        store
            .pending_special_applications()
            .await
            .unwrap()
            .is_empty()
    );
}

async fn tokens_are_found_by_hash_only(store: Arc<dyn Store>) {
    with_department(&*store, "SAMR").await;
    let token = Token {
        id: "01JTOKEN".into(),
        hash: "ab".repeat(32),
        role: Role::Department,
        department: Some("SAMR".into()),
        subject: None,
        label: "test".into(),
        created_at: chrono::Utc::now(),
        expires_at: None,
        revoked_at: None,
    };
    store.put_token(&token).await.unwrap();
    let found = store
        .token_by_hash(&"ab".repeat(32))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(found.id, token.id);
    assert_eq!(found.department.as_deref(), Some("SAMR"));
    assert_eq!(found.role, Role::Department);
    assert!(
        store
            .token_by_hash(&"cd".repeat(32))
            .await
            .unwrap()
            .is_none()
    );
    let all = store.tokens().await.unwrap();
    assert_eq!(all.len(), 1);
    assert!(
        store
            .revoke_token(&token.id, chrono::Utc::now())
            .await
            .unwrap()
    );
    assert!(
        !store
            .revoke_token(&token.id, chrono::Utc::now())
            .await
            .unwrap(),
        "once"
    );
    assert!(
        store
            .token_by_hash(&"ab".repeat(32))
            .await
            .unwrap()
            .unwrap()
            .revoked_at
            .is_some()
    );
    assert!(
        !format!("{found:?}").contains(&"ab".repeat(32)),
        "Debug hides the hash"
    );
}

async fn subject_pages_are_stable_and_complete(store: Arc<dyn Store>) {
    with_department(&*store, "SAMR").await;
    let c = codes(25);
    let batch: Vec<_> = c
        .iter()
        .enumerate()
        .map(|(i, code)| penalty(&format!("罚{i}"), code, "x"))
        .collect();
    store.submit("SAMR", &batch).await.unwrap();
    let mut seen = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let page = store.subjects_page(after.as_deref(), 10).await.unwrap();
        if page.is_empty() {
            break;
        }
        after = page.last().map(|s| s.id.clone());
        seen.extend(page);
    }
    assert_eq!(seen.len(), 25);
    let codes_seen: BTreeSet<_> = seen.iter().map(|s| s.code.clone()).collect();
    assert_eq!(codes_seen, c.into_iter().collect());
    let again = store.subjects_page(None, 25).await.unwrap();
    assert_eq!(again, seen, "same order every time");
}

async fn batches_larger_than_a_chunk_are_stored_whole(store: Arc<dyn Store>) {
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

async fn stored_records_read_back_unchanged(store: Arc<dyn Store>) {
    with_department(&*store, "SAMR").await;
    let c = codes(1);
    let rec = penalty("罚1", &c[0], "事实");
    store
        .submit("SAMR", std::slice::from_ref(&rec))
        .await
        .unwrap();
    let back = &store.records_of_subject(&c[0]).await.unwrap()[0];
    assert_eq!(back.category, rec.category);
    assert_eq!(back.subject_code, rec.subject.code.as_str());
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

async fn status_changes_are_new_versions_and_keep_history(store: Arc<dyn Store>) {
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

async fn list_records_and_listing_round_trip(store: Arc<dyn Store>) {
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
    let back = live.iter().find(|r| r.subject_code == c[0]).unwrap();
    assert_eq!(back.listing.as_ref(), Some(&listing));
    assert!(
        live.iter()
            .find(|r| r.subject_code == c[1])
            .unwrap()
            .listing
            .is_none()
    );
}

async fn departments_keep_their_lists(store: Arc<dyn Store>) {
    let mut d = department("COURT", &["court_defaulter"]);
    d.lists.insert("court_defaulter".into());
    store.put_department(&d).await.unwrap();
    let back = store.department("COURT").await.unwrap().unwrap();
    assert!(back.manages_list("court_defaulter"));
}

async fn checks_and_feedback_are_recorded_once(store: Arc<dyn Store>) {
    let c = codes(1);
    let check = CheckRow {
        id: xinyong_store::new_id(),
        department: "BUYER".into(),
        subject_code: c[0].clone(),
        context: "bidding".into(),
        result: json!({"measures": [{"id": "m1"}]}),
        created_at: chrono::Utc::now(),
    };
    store
        .put_checks(std::slice::from_ref(&check))
        .await
        .unwrap();
    let back = store.check(&check.id).await.unwrap().unwrap();
    assert_eq!(back.result, check.result);
    assert_eq!(store.checks_of_subject(&c[0]).await.unwrap().len(), 1);
    let feedback = FeedbackRow {
        check_id: check.id.clone(),
        department: "BUYER".into(),
        applied: json!(["m1"]),
        not_applied: json!([]),
        created_at: chrono::Utc::now(),
    };
    assert!(store.put_feedback(&feedback).await.unwrap());
    assert!(
        !store.put_feedback(&feedback).await.unwrap(),
        "feedback is given once"
    );
    let summaries = store.check_summaries().await.unwrap();
    assert_eq!(summaries.len(), 1);
    assert_eq!(summaries[0].1.as_ref().unwrap().applied, json!(["m1"]));
}

// ----------------------------------------------------------------------------------------------
// Search and the public read paths (issue #3).

fn licence(doc: &str, code: &str, name: &str, kind: &str, decided_on: &str) -> ValidRecord {
    let raw = RawRecord::from_json(&json!({
        "category": "admin_license",
        "subject": {"code": code, "name": name, "kind": kind},
        "document_no": doc,
        "decided_on": decided_on,
        "legal_basis": "《中华人民共和国行政许可法》第四十条",
        "fields": {"license_category": "普通", "content": "食品经营许可", "valid_from": decided_on, "authority": "深圳市市场监督管理局"}
    }))
    .unwrap();
    Catalogue::shipped().validate(&raw, today()).unwrap()
}

const SEARCH_NAMES: &[&str] = &[
    "深圳市腾讯计算机系统有限公司",
    "腾讯科技（深圳）有限公司",
    "华为技术有限公司",
    "深圳市华为技术服务有限公司",
    "中华为民科技有限公司",
    "Tencent Music (Shenzhen) Co., Ltd. 深圳市腾讯音乐娱乐科技有限公司",
];

/// Stores the subjects of [`SEARCH_NAMES`] (codes from `codes`) and one natural person.
async fn search_fixture(store: &dyn Store) -> (Vec<String>, String) {
    with_department(store, "SAMR").await;
    let c = codes(SEARCH_NAMES.len());
    let mut batch: Vec<_> = SEARCH_NAMES
        .iter()
        .zip(&c)
        .enumerate()
        .map(|(i, (name, code))| {
            licence(&format!("许{i}"), code, name, "legal_person", "2026-03-01")
        })
        .collect();
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(5);
    let person = xinyong_domain::code::CitizenId::generate(
        &mut rng,
        &DivisionCode::parse("440305").unwrap(),
        1970..=1990,
    )
    .as_str()
    .to_owned();
    batch.push(licence(
        "许人",
        &person,
        "张伟",
        "natural_person",
        "2026-03-01",
    ));
    store.submit("SAMR", &batch).await.unwrap();
    (c, person)
}

async fn names(store: &dyn Store, q: &str) -> Vec<String> {
    let query = xinyong_domain::search::parse_query(q).unwrap();
    let page = store.search_subjects(&query, 50, 0).await.unwrap();
    assert_eq!(page.total as usize, page.subjects.len(), "{q}");
    page.subjects.into_iter().map(|s| s.name).collect()
}

async fn search_finds_two_character_short_names_and_ranks_them(store: Arc<dyn Store>) {
    search_fixture(&*store).await;
    assert_eq!(
        names(&*store, "腾讯").await,
        [SEARCH_NAMES[1], SEARCH_NAMES[0], SEARCH_NAMES[5]]
    );
    // A name where 华为 is only two adjacent characters, not a word, ranks last.
    assert_eq!(
        names(&*store, "华为").await,
        [SEARCH_NAMES[2], SEARCH_NAMES[3], SEARCH_NAMES[4]]
    );
    assert_eq!(
        names(&*store, "华为 技术").await,
        [SEARCH_NAMES[2], SEARCH_NAMES[3]]
    );
    assert_eq!(names(&*store, "腾讯计算机").await, [SEARCH_NAMES[0]]);
    // The exact name first, even among longer matches.
    assert_eq!(names(&*store, "华为技术有限公司").await, [SEARCH_NAMES[2]]);
    assert_eq!(names(&*store, "tencent MUSIC").await, [SEARCH_NAMES[5]]);
    assert!(names(&*store, "阿里巴巴").await.is_empty());
}

async fn search_finds_codes_and_prefixes_but_not_identity_prefixes(store: Arc<dyn Store>) {
    let (c, person) = search_fixture(&*store).await;
    assert_eq!(names(&*store, &c[2]).await, [SEARCH_NAMES[2]]);
    assert_eq!(
        names(&*store, &c[2].to_lowercase()).await,
        [SEARCH_NAMES[2]]
    );
    // Every organisation code of the fixture begins with 91440305.
    let mut by_code: Vec<_> = c.iter().cloned().zip(SEARCH_NAMES.iter()).collect();
    by_code.sort();
    let expected: Vec<String> = by_code.iter().map(|(_, n)| n.to_string()).collect();
    assert_eq!(names(&*store, &c[0][..8]).await, expected);
    // An exact code ranks first among the codes it is a prefix of (none here but itself).
    assert_eq!(names(&*store, &c[3][..17]).await, [SEARCH_NAMES[3]]);
    // A person is found by the whole identity number only.
    assert_eq!(names(&*store, &person).await, ["张伟"]);
    assert!(names(&*store, &person[..10]).await.is_empty());
}

async fn search_pages_and_follows_renames(store: Arc<dyn Store>) {
    let (c, _) = search_fixture(&*store).await;
    let query = xinyong_domain::search::parse_query("有限公司").unwrap();
    let all = store.search_subjects(&query, 50, 0).await.unwrap();
    assert_eq!((all.total, all.more), (6, false));
    let mut paged = Vec::new();
    for offset in [0, 4] {
        let page = store.search_subjects(&query, 4, offset).await.unwrap();
        assert_eq!(page.total, 6);
        paged.extend(page.subjects);
    }
    assert_eq!(paged, all.subjects);
    let past = store.search_subjects(&query, 4, 40).await.unwrap();
    assert_eq!((past.total, past.subjects.len()), (6, 0));

    // A new name replaces the old one in the index.
    store
        .submit(
            "SAMR",
            &[licence(
                "许新",
                &c[4],
                "深圳市鹏城云计算有限公司",
                "legal_person",
                "2026-04-01",
            )],
        )
        .await
        .unwrap();
    assert!(
        !names(&*store, "华为")
            .await
            .contains(&SEARCH_NAMES[4].to_owned())
    );
    assert_eq!(names(&*store, "鹏城").await, ["深圳市鹏城云计算有限公司"]);
}

async fn current_records_of_a_category_are_filtered_and_paged(store: Arc<dyn Store>) {
    with_department(&*store, "SAMR").await;
    with_department(&*store, "TAX").await;
    let c = codes(5);
    let batch: Vec<_> = (0..5)
        .map(|i| penalty(&format!("罚{i}"), &c[i], "x"))
        .collect();
    store.submit("SAMR", &batch[..3]).await.unwrap();
    store.submit("TAX", &batch[3..]).await.unwrap();
    // One minor penalty: never on a public list.
    let mut minor = penalty("罚minor", &c[0], "y");
    minor.tier = Some(xinyong_domain::Tier::Minor);
    store.submit("SAMR", &[minor]).await.unwrap();
    let filter = |region: Option<&str>, department: Option<&str>, day: NaiveDate| {
        xinyong_store::CategoryFilter {
            category: "admin_penalty".into(),
            today: day,
            region: region.map(str::to_owned),
            department: department.map(str::to_owned),
        }
    };
    let all = store
        .current_records_in_category(&filter(None, None, today()), 2, 0)
        .await
        .unwrap();
    assert_eq!((all.total, all.records.len()), (5, 2));
    let rest = store
        .current_records_in_category(&filter(None, None, today()), 10, 2)
        .await
        .unwrap();
    assert_eq!(rest.records.len(), 3);
    let tax = store
        .current_records_in_category(&filter(Some("4403"), Some("TAX"), today()), 10, 0)
        .await
        .unwrap();
    assert_eq!(tax.total, 2);
    assert!(tax.records.iter().all(|r| r.department == "TAX"));
    let elsewhere = store
        .current_records_in_category(&filter(Some("11"), None, today()), 10, 0)
        .await
        .unwrap();
    assert_eq!(elsewhere.total, 0);
    // After the publicity period nothing is current, without any job having run.
    let later = store
        .current_records_in_category(
            &filter(None, None, NaiveDate::from_ymd_opt(2030, 1, 1).unwrap()),
            10,
            0,
        )
        .await
        .unwrap();
    assert_eq!(later.total, 0);

    let stats = store
        .record_stats(&["admin_penalty".into()], today())
        .await
        .unwrap();
    assert_eq!(
        stats,
        [xinyong_store::StatRow {
            category: "admin_penalty".into(),
            month: "2026-03".into(),
            province: "44".into(),
            count: 5
        }]
    );

    let mut seen = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let page = store
            .current_records_after(&["admin_penalty".into()], today(), after.as_deref(), 2)
            .await
            .unwrap();
        let Some(last) = page.last() else { break };
        after = Some(last.id.clone());
        seen.extend(page);
    }
    assert_eq!(seen.len(), 5);
    assert!(seen.windows(2).all(|w| w[0].id < w[1].id));
}

fn operator_account(id: &str, name: &str) -> OperatorAccount {
    OperatorAccount {
        id: id.into(),
        name: name.into(),
        password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g".into(),
        created_at: chrono::Utc::now(),
        disabled_at: None,
        last_session_at: None,
    }
}

fn session_token(id: &str, hash: &str) -> Token {
    let now = chrono::Utc::now();
    Token {
        id: id.into(),
        hash: hash.into(),
        role: Role::Operator,
        department: None,
        subject: None,
        label: "session of operator alice".into(),
        created_at: now,
        expires_at: Some(now + chrono::Duration::hours(8)),
        revoked_at: None,
    }
}

async fn operator_accounts_have_unique_names_and_sessions_end_with_them(store: Arc<dyn Store>) {
    let alice = operator_account("op1", "alice");
    assert!(store.put_operator(&alice).await.unwrap());
    let mut again = operator_account("op2", "alice");
    again.password_hash = "$argon2id$other".into();
    assert!(
        !store.put_operator(&again).await.unwrap(),
        "a taken name is refused"
    );
    assert!(
        store
            .put_operator(&operator_account("op3", "bob"))
            .await
            .unwrap()
    );
    let found = store.operator("alice").await.unwrap().unwrap();
    assert_eq!(found.id, "op1");
    assert_eq!(
        found.password_hash, alice.password_hash,
        "the first one stays"
    );
    assert!(found.disabled_at.is_none() && found.last_session_at.is_none());
    assert!(store.operator("carol").await.unwrap().is_none());
    let names: Vec<String> = store
        .operators()
        .await
        .unwrap()
        .into_iter()
        .map(|o| o.name)
        .collect();
    assert_eq!(names, ["alice", "bob"]);
    assert!(
        !format!("{found:?}").contains("argon2id"),
        "Debug hides the hash"
    );

    // Sessions are operator tokens; disabling the account revokes every open one.
    for (id, hash) in [("s1", "a1"), ("s2", "a2")] {
        assert!(
            store
                .open_operator_session("op1", &session_token(id, &hash.repeat(32)))
                .await
                .unwrap()
        );
    }
    assert!(
        store
            .open_operator_session("op3", &session_token("s3", &"b3".repeat(32)))
            .await
            .unwrap()
    );
    store.revoke_token("s2", chrono::Utc::now()).await.unwrap();
    let session = store
        .token_by_hash(&"a1".repeat(32))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(session.role, Role::Operator);
    assert!(session.expires_at.is_some() && session.revoked_at.is_none());
    assert!(
        store
            .operator("alice")
            .await
            .unwrap()
            .unwrap()
            .last_session_at
            .is_some()
    );
    assert_eq!(
        store
            .disable_operator("alice", chrono::Utc::now())
            .await
            .unwrap(),
        Some(1),
        "one session was still open"
    );
    let revoked = store
        .token_by_hash(&"a1".repeat(32))
        .await
        .unwrap()
        .unwrap();
    assert!(revoked.revoked_at.is_some());
    let other = store
        .token_by_hash(&"b3".repeat(32))
        .await
        .unwrap()
        .unwrap();
    assert!(
        other.revoked_at.is_none(),
        "another account's session stays"
    );
    assert!(
        store
            .operator("alice")
            .await
            .unwrap()
            .unwrap()
            .disabled_at
            .is_some()
    );
    assert_eq!(
        store
            .disable_operator("alice", chrono::Utc::now())
            .await
            .unwrap(),
        None,
        "disabled once"
    );
    assert_eq!(
        store
            .disable_operator("carol", chrono::Utc::now())
            .await
            .unwrap(),
        None
    );
    // A disabled account opens no session, and nothing of the attempt is stored.
    assert!(
        !store
            .open_operator_session("op1", &session_token("s4", &"a4".repeat(32)))
            .await
            .unwrap()
    );
    assert!(
        store
            .token_by_hash(&"a4".repeat(32))
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        !store
            .open_operator_session("nope", &session_token("s5", &"a5".repeat(32)))
            .await
            .unwrap()
    );
    // Every change is in the audit log, consistent with the rows.
    let report = xinyong_store::ledger::verify(&*store, None, |_| {})
        .await
        .unwrap();
    // 2 accounts, 3 sessions, 1 revocation, 1 disabling with its session's revocation.
    assert_eq!(report.size, 8);
    let kinds: Vec<String> = store
        .ledger_rows(0, 100)
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.entry.kind)
        .collect();
    assert_eq!(
        kinds,
        [
            "operator.created",
            "operator.created",
            "session.opened",
            "session.opened",
            "session.opened",
            "token.revoked",
            "operator.disabled",
            "token.revoked",
        ]
    );
}

// ----------------------------------------------------------------------------------------------
// Harness.

async fn sqlite() -> (Arc<dyn Store>, Option<tempfile::TempDir>) {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("test.db").display());
    (Arc::new(SqliteStore::open(&url).await.unwrap()), Some(dir))
}

/// A store in a fresh schema of the test PostgreSQL, or `None` when explicitly switched off.
async fn postgres() -> Option<(Arc<dyn Store>, String)> {
    let (store, schema) = postgres_store().await?;
    Some((Arc::new(store), schema))
}

async fn postgres_store() -> Option<(PgStore, String)> {
    let url = std::env::var("XINYONG_TEST_POSTGRES")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_owned());
    if url == "off" {
        eprintln!("XINYONG_TEST_POSTGRES=off: PostgreSQL half of the conformance suite skipped");
        return None;
    }
    let schema = format!("xy_test_{}", ulid::Ulid::new().to_string().to_lowercase());
    let admin = sqlx::PgPool::connect(&url)
        .await
        .unwrap_or_else(|e| panic!("PostgreSQL at {url} is needed for the conformance suite: {e}"));
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE SCHEMA {schema}")))
        .execute(&admin)
        .await
        .unwrap();
    let options = PgConnectOptions::from_str(&url)
        .unwrap()
        .options([("search_path", schema.as_str())]);
    Some((PgStore::connect(options).await.unwrap(), schema))
}

async fn drop_schema(schema: &str) {
    let url = std::env::var("XINYONG_TEST_POSTGRES")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_owned());
    let admin = sqlx::PgPool::connect(&url).await.unwrap();
    sqlx::query(sqlx::AssertSqlSafe(format!("DROP SCHEMA {schema} CASCADE")))
        .execute(&admin)
        .await
        .unwrap();
}

macro_rules! conformance {
    ($($case:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test]
                async fn $case() {
                    let (store, _dir) = super::sqlite().await;
                    super::$case(store).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test]
                async fn $case() {
                    if let Some((store, schema)) = super::postgres().await {
                        super::$case(store).await;
                        super::drop_schema(&schema).await;
                    }
                }
            )*
        }
    };
}

conformance!(
    rejected_batch_leaves_no_partial_state,
    unknown_department_cannot_submit,
    resubmitting_same_content_is_a_no_op,
    new_content_is_a_new_version_and_history_stays,
    same_identity_twice_in_one_batch_is_versioned_in_order,
    identity_is_department_category_and_document,
    departments_are_idempotent_and_only_gain_categories,
    tokens_are_found_by_hash_only,
    subject_tokens_keep_their_subject,
    special_applications_are_decided_once,
    subject_pages_are_stable_and_complete,
    batches_larger_than_a_chunk_are_stored_whole,
    stored_records_read_back_unchanged,
    status_changes_are_new_versions_and_keep_history,
    list_records_and_listing_round_trip,
    departments_keep_their_lists,
    checks_and_feedback_are_recorded_once,
    search_finds_two_character_short_names_and_ranks_them,
    search_finds_codes_and_prefixes_but_not_identity_prefixes,
    search_pages_and_follows_renames,
    current_records_of_a_category_are_filtered_and_paged,
    operator_accounts_have_unique_names_and_sessions_end_with_them,
);

/// The same synthetic subjects in both engines give the same results for every query: same
/// subjects, same order, same totals.
#[tokio::test]
async fn search_results_are_identical_on_sqlite_and_postgresql() {
    let Some((pg, schema)) = postgres().await else {
        return;
    };
    let (lite, _dir) = sqlite().await;
    let catalogue = Catalogue::shipped();
    let mut synthetic = xinyong_domain::synthetic::Synthetic::new(&catalogue, 3, today());
    let mut by_department: std::collections::BTreeMap<String, Vec<ValidRecord>> =
        Default::default();
    let mut subjects = Vec::new();
    for _ in 0..400 {
        let s = synthetic.next_subject();
        for (dept, raw) in &s.records {
            by_department
                .entry(dept.clone())
                .or_default()
                .push(catalogue.validate(raw, today()).unwrap());
        }
        subjects.push((s.code, s.name));
    }
    for store in [&lite, &pg] {
        for d in synthetic.departments() {
            store.put_department(d).await.unwrap();
        }
        for (dept, records) in &by_department {
            store.submit(dept, records).await.unwrap();
        }
    }
    let mut queries: Vec<String> = vec![
        "有限公司".into(),
        "科技".into(),
        "华".into(),
        "深圳 科技".into(),
        "建筑工程 有限".into(),
        "协会".into(),
        "王".into(),
    ];
    for (code, name) in subjects.iter().step_by(7) {
        let chars: Vec<char> = name.chars().collect();
        queries.push(chars[chars.len().saturating_sub(6)..].iter().collect());
        queries.push(chars[..chars.len().min(4)].iter().collect());
        queries.push(name.clone());
        queries.push(code[..10].to_owned());
        queries.push(code.clone());
    }
    let mut compared = 0;
    for q in &queries {
        let Ok(query) = xinyong_domain::search::parse_query(q) else {
            continue;
        };
        for (limit, offset) in [(10, 0), (7, 3)] {
            let a = lite.search_subjects(&query, limit, offset).await.unwrap();
            let b = pg.search_subjects(&query, limit, offset).await.unwrap();
            let key = |p: &xinyong_store::SearchPage| {
                (
                    p.total,
                    p.more,
                    p.subjects
                        .iter()
                        .map(|s| (s.code.clone(), s.name.clone()))
                        .collect::<Vec<_>>(),
                )
            };
            assert_eq!(
                key(&a),
                key(&b),
                "query {q:?} limit {limit} offset {offset}"
            );
            compared += 1;
        }
    }
    assert!(compared > 200, "{compared}");
    drop_schema(&schema).await;
}

// ----------------------------------------------------------------------------------------------
// The audit log: every write is logged in its own transaction, and `ledger::verify` names the
// first thing edited behind the platform's back. The tampering is done with raw SQL, as an
// attacker with database access (or a bad backup restore) would.

/// Raw SQL access below the [`Store`] trait, for tampering.
enum Raw {
    Lite(sqlx::SqlitePool),
    Pg(sqlx::PgPool),
}

impl Raw {
    async fn exec(&self, sql: &str) {
        let sql = sqlx::AssertSqlSafe(sql.to_owned());
        match self {
            Raw::Lite(p) => {
                sqlx::query(sql).execute(p).await.unwrap();
            }
            Raw::Pg(p) => {
                sqlx::query(sql).execute(p).await.unwrap();
            }
        }
    }
}

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

async fn audit_log_records_every_write_and_verifies(store: Arc<dyn Store>, _raw: Raw) {
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

async fn verify_err(store: &dyn Store, key: &xinyong_ledger::SigningKey) -> String {
    xinyong_store::ledger::verify(store, Some(&key.verifying_key()), |_| {})
        .await
        .unwrap_err()
        .to_string()
}

async fn audit_log_names_an_edited_record(store: Arc<dyn Store>, raw: Raw) {
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

async fn audit_log_names_an_edited_history_row(store: Arc<dyn Store>, raw: Raw) {
    let key = logged_writes(&*store).await;
    raw.exec("UPDATE record_history SET status = 'repaired' WHERE version = 1")
        .await;
    let err = verify_err(&*store, &key).await;
    assert!(
        err.starts_with("record_history row ") && err.contains("@1"),
        "{err}"
    );
}

async fn audit_log_names_a_record_written_around_it(store: Arc<dyn Store>, raw: Raw) {
    let key = logged_writes(&*store).await;
    raw.exec(
        "INSERT INTO record_history SELECT id, department, category, document_no, 7, status, \
         subject_code, subject_name, subject_kind, decided_on, legal_basis, tier, \
         publicity_until, fields, content_hash, recorded_at, listing, status_note, \
         subject_sealed, fields_sealed FROM records WHERE version = 1",
    )
    .await;
    let err = verify_err(&*store, &key).await;
    assert!(
        err.contains("@7") && err.contains("no ledger entry"),
        "{err}"
    );
}

async fn audit_log_names_an_edited_token_and_check(store: Arc<dyn Store>, raw: Raw) {
    let key = logged_writes(&*store).await;
    raw.exec("UPDATE tokens SET revoked_at = NULL").await;
    let err = verify_err(&*store, &key).await;
    assert!(err.starts_with("token row token:tok1"), "{err}");
}

async fn audit_log_names_the_first_edited_entry(store: Arc<dyn Store>, raw: Raw) {
    let key = logged_writes(&*store).await;
    raw.exec("UPDATE ledger_entries SET actor = 'nobody' WHERE leaf_index IN (3, 5)")
        .await;
    let err = verify_err(&*store, &key).await;
    assert!(err.starts_with("ledger entry 3:"), "{err}");
}

async fn audit_log_catches_an_entry_rehashed_to_match(store: Arc<dyn Store>, raw: Raw) {
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

async fn audit_log_catches_deleted_and_reordered_entries(store: Arc<dyn Store>, raw: Raw) {
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

/// Who the padding reads are about: an organisation no case writes about.
const PAD_SUBJECT: &str = "91440300MA5EXAMPLE";

/// A read of shared information by department `D` about `subject`, distinct per `i`.
fn read_event(i: u64, subject: &str) -> xinyong_store::ledger::LedgerEvent {
    xinyong_store::ledger::LedgerEvent::new(
        xinyong_store::ledger::Event::Read {
            clearance: xinyong_domain::Disclosure::Shared,
            subject,
            payload: &json!([i]),
        },
        "D",
    )
}

/// Appends reads until the log holds at least `size` entries, so that stored tree nodes
/// (every 4th level: one per 16 leaves) cover the writes before them.
async fn pad_log(store: &dyn Store, size: u64) {
    let have = store.ledger_size().await.unwrap();
    let events: Vec<_> = (have..size).map(|i| read_event(i, PAD_SUBJECT)).collect();
    store.append_events(&events).await.unwrap();
}

async fn audit_log_names_an_edited_tree_node(store: Arc<dyn Store>, raw: Raw) {
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

/// Only every 4th level is stored; proofs compute the others from the stored ones, and a node
/// no entry completes is refused.
async fn audit_log_stores_only_tile_levels(store: Arc<dyn Store>, raw: Raw) {
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

async fn audit_log_refuses_a_forged_head_signature(store: Arc<dyn Store>, _raw: Raw) {
    logged_writes(&*store).await;
    let other = xinyong_ledger::generate_key().unwrap();
    let err = verify_err(&*store, &other).await;
    assert!(err.starts_with("signed tree head of size 3"), "{err}");
}

async fn audit_log_pseudonymises_natural_persons(store: Arc<dyn Store>, _raw: Raw) {
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
async fn subject_view_lists_every_event_about_the_subject(store: Arc<dyn Store>, _raw: Raw) {
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

async fn audit_log_names_an_edited_or_smuggled_operator_account(store: Arc<dyn Store>, raw: Raw) {
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

macro_rules! tamper_conformance {
    ($($case:ident),* $(,)?) => {
        mod tamper_sqlite {
            $(
                #[tokio::test]
                async fn $case() {
                    let dir = tempfile::tempdir().unwrap();
                    let url = format!("sqlite://{}", dir.path().join("test.db").display());
                    let store = xinyong_store::SqliteStore::open(&url).await.unwrap();
                    let raw = super::Raw::Lite(store.pool().clone());
                    super::$case(std::sync::Arc::new(store), raw).await;
                }
            )*
        }
        mod tamper_postgres {
            $(
                #[tokio::test]
                async fn $case() {
                    if let Some((store, schema)) = super::postgres_store().await {
                        let raw = super::Raw::Pg(store.pool().clone());
                        super::$case(std::sync::Arc::new(store), raw).await;
                        super::drop_schema(&schema).await;
                    }
                }
            )*
        }
    };
}

tamper_conformance!(
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

// ----------------------------------------------------------------------------------------------
// Encryption at rest: identity numbers and restricted fields never reach the database in clear,
// lookups still work, a sealed value moved to another row does not open, and a key rotation
// re-seals everything while another process keeps reading.

use xinyong_store::vault::{Keyring, Vault};

const PERSON: &str = "11010519491231002X";
const ARREARS_MARKER: &str = "2025年1月至2025年6月（标记MK7QZXW）";

/// A database both cases and extra processes can open, with raw access for inspection.
enum Db {
    Lite(String),
    Pg(Box<PgConnectOptions>),
}

impl Db {
    async fn open(&self, vault: Arc<Vault>) -> Arc<dyn Store> {
        match self {
            Db::Lite(url) => Arc::new(SqliteStore::open_with(url, vault).await.unwrap()),
            Db::Pg(options) => Arc::new(
                PgStore::connect_with((**options).clone(), vault)
                    .await
                    .unwrap(),
            ),
        }
    }

    async fn raw(&self) -> Raw {
        match self {
            Db::Lite(url) => Raw::Lite(sqlx::SqlitePool::connect(url).await.unwrap()),
            Db::Pg(options) => Raw::Pg(
                sqlx::PgPool::connect_with((**options).clone())
                    .await
                    .unwrap(),
            ),
        }
    }
}

impl Raw {
    /// Every `table.column` whose text contains `needle`, over every table of the schema.
    async fn columns_containing(&self, needle: &str) -> Vec<String> {
        let pattern = format!("%{needle}%");
        let mut hits = Vec::new();
        match self {
            Raw::Lite(p) => {
                let tables: Vec<String> = sqlx::query_scalar(
                    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' \
                     AND name NOT LIKE '%fts%'",
                )
                .fetch_all(p)
                .await
                .unwrap();
                for t in tables {
                    let cols: Vec<String> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
                        "SELECT name FROM pragma_table_info('{t}')"
                    )))
                    .fetch_all(p)
                    .await
                    .unwrap();
                    for c in cols {
                        let n: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
                            "SELECT COUNT(*) FROM \"{t}\" WHERE CAST(\"{c}\" AS TEXT) LIKE ?1"
                        )))
                        .bind(&pattern)
                        .fetch_one(p)
                        .await
                        .unwrap();
                        if n > 0 {
                            hits.push(format!("{t}.{c}"));
                        }
                    }
                }
            }
            Raw::Pg(p) => {
                let cols: Vec<(String, String)> = sqlx::query_as(
                    "SELECT table_name::text, column_name::text FROM information_schema.columns \
                     WHERE table_schema = current_schema()",
                )
                .fetch_all(p)
                .await
                .unwrap();
                for (t, c) in cols {
                    let n: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
                        "SELECT COUNT(*) FROM \"{t}\" WHERE \"{c}\"::text LIKE $1"
                    )))
                    .bind(&pattern)
                    .fetch_one(p)
                    .await
                    .unwrap();
                    if n > 0 {
                        hits.push(format!("{t}.{c}"));
                    }
                }
            }
        }
        hits
    }
}

fn person_record(category: &str, doc: &str, fields: serde_json::Value) -> ValidRecord {
    let raw = RawRecord::from_json(&json!({
        "category": category,
        "subject": {"code": PERSON, "name": "张三", "kind": "natural_person"},
        "document_no": doc,
        "decided_on": "2026-03-01",
        "legal_basis": "《中华人民共和国社会保险法》第八十六条",
        "tier": "general",
        "fields": fields,
    }))
    .unwrap();
    Catalogue::shipped().validate(&raw, today()).unwrap()
}

/// Writes about a natural person through every path that stores a subject code: a public and
/// a restricted record, a new version, a status change, a check, a subject token and a special
/// application.
async fn personal_writes(store: &dyn Store) {
    store
        .put_department(&department(
            "HRSS",
            &["admin_penalty", "social_insurance_arrears"],
        ))
        .await
        .unwrap();
    let arrears = |amount: &str| {
        person_record(
            "social_insurance_arrears",
            "社欠1",
            json!({"insurance_type": "养老保险", "amount_yuan": amount,
                   "arrears_period": ARREARS_MARKER, "social_security_office": "北京市东城区社保中心"}),
        )
    };
    let penalty = person_record(
        "admin_penalty",
        "罚P1",
        json!({"facts": "未按规定缴费", "penalty_kind": "罚款", "content": "罚款一千元", "authority": "东城区人社局"}),
    );
    store
        .submit("HRSS", &[arrears("1200"), penalty])
        .await
        .unwrap();
    let v2 = store.submit("HRSS", &[arrears("987654.32")]).await.unwrap();
    store
        .change_record(
            "HRSS",
            &v2[0].id,
            &RecordChange {
                status: Some(RecordStatus::UnderObjection),
                status_note: Some("异议".into()),
                publicity_until: None,
            },
        )
        .await
        .unwrap();
    store
        .put_checks(&[CheckRow {
            id: "c1".into(),
            department: "HRSS".into(),
            subject_code: PERSON.into(),
            context: "x".into(),
            result: json!({"subject": PERSON}),
            created_at: chrono::Utc::now(),
        }])
        .await
        .unwrap();
    store
        .put_token(&Token {
            id: "tp".into(),
            hash: "cd".repeat(32),
            role: Role::Subject,
            department: None,
            subject: Some(PERSON.into()),
            label: "self".into(),
            created_at: chrono::Utc::now(),
            expires_at: None,
            revoked_at: None,
        })
        .await
        .unwrap();
    store
        .put_special_application(&SpecialApplication {
            id: "sa1".into(),
            department: "HRSS".into(),
            subject_code: PERSON.into(),
            purpose: "administrative_decision".into(),
            reason: "r".into(),
            legal_basis: "l".into(),
            status: ApplicationStatus::Pending,
            created_at: chrono::Utc::now(),
            decided_at: None,
            decision_note: None,
            valid_until: None,
        })
        .await
        .unwrap();
}

/// Everything written by [`personal_writes`] reads back in clear through the store.
async fn personal_data_reads_back(store: &dyn Store) {
    let records = store.records_of_subject(PERSON).await.unwrap();
    assert_eq!(records.len(), 2);
    assert!(records.iter().all(|r| r.subject_code == PERSON));
    let arrears = records
        .iter()
        .find(|r| r.category == "social_insurance_arrears")
        .unwrap();
    assert_eq!(arrears.fields["arrears_period"], json!(ARREARS_MARKER));
    assert_eq!(arrears.fields["amount_yuan"], json!("987654.32"));
    let history = store.record_history(&arrears.id).await.unwrap();
    assert_eq!(history.len(), 3);
    assert!(
        history
            .iter()
            .all(|r| r.fields["arrears_period"] == json!(ARREARS_MARKER))
    );
    assert_eq!(store.subject(PERSON).await.unwrap().unwrap().code, PERSON);
    let checks = store.checks_of_subject(PERSON).await.unwrap();
    assert_eq!(checks[0].result, json!({"subject": PERSON}));
    let token = store
        .token_by_hash(&"cd".repeat(32))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(token.subject.as_deref(), Some(PERSON));
    let app = store.special_application("sa1").await.unwrap().unwrap();
    assert_eq!(app.subject_code, PERSON);
    let query = xinyong_domain::search::parse_query(PERSON).unwrap();
    let found = store.search_subjects(&query, 10, 0).await.unwrap();
    assert_eq!(found.subjects.len(), 1);
    assert_eq!(found.subjects[0].code, PERSON);
    xinyong_store::ledger::verify(store, None, |_| {})
        .await
        .unwrap();
}

async fn assert_nothing_in_clear(raw: &Raw) {
    for needle in [PERSON, "19491231", "MK7QZXW", "987654"] {
        let hits = raw.columns_containing(needle).await;
        assert!(hits.is_empty(), "{needle:?} stored in clear in {hits:?}");
    }
}

async fn identity_numbers_and_restricted_fields_are_stored_sealed(
    db: Db,
    _keys: std::path::PathBuf,
) {
    let store = db.open(Arc::new(Vault::ephemeral())).await;
    personal_writes(&*store).await;
    personal_data_reads_back(&*store).await;
    assert_nothing_in_clear(&db.raw().await).await;
    // Another key cannot read them.
    let other = db.open(Arc::new(Vault::ephemeral())).await;
    assert!(other.records_of_subject(PERSON).await.unwrap().is_empty());
}

async fn a_sealed_value_moved_to_another_row_does_not_open(db: Db, _keys: std::path::PathBuf) {
    let store = db.open(Arc::new(Vault::ephemeral())).await;
    personal_writes(&*store).await;
    db.raw()
        .await
        .exec(
            "UPDATE records SET fields_sealed = (SELECT fields_sealed FROM records \
             WHERE category = 'social_insurance_arrears') WHERE category = 'admin_penalty'",
        )
        .await;
    let err = store
        .records_of_subject(PERSON)
        .await
        .unwrap_err()
        .to_string();
    assert!(err.contains("moved or edited"), "{err}");
}

async fn rotation_reseals_every_value_while_another_process_reads(
    db: Db,
    keys: std::path::PathBuf,
) {
    let (server_vault, created) = Vault::load_or_create(&keys).unwrap();
    assert!(created);
    let server = db.open(Arc::new(server_vault)).await;
    personal_writes(&*server).await;
    let sealed = server.count_sealed_with(1).await.unwrap();
    assert!(sealed >= 10, "{sealed}");

    // `xinyong keys rotate` in another process: new key in the file, then re-seal.
    let (tool_vault, _) = Vault::load_or_create(&keys).unwrap();
    let tool_vault = Arc::new(tool_vault);
    let tool = db.open(tool_vault.clone()).await;
    let mut ring = Keyring::read(&keys).unwrap().unwrap();
    assert_eq!(ring.rotate(), 2);
    ring.write(&keys).unwrap();
    tool_vault.replace(&ring).unwrap();
    let done = tool
        .reseal(&["social_insurance_arrears".into()], 2)
        .await
        .unwrap();
    assert!(done >= 7, "{done}");
    assert_eq!(tool.count_sealed_with(1).await.unwrap(), 0);
    assert_eq!(tool.count_sealed_with(2).await.unwrap(), sealed);
    // A second pass finds nothing left to do.
    assert_eq!(
        tool.reseal(&["social_insurance_arrears".into()], 100)
            .await
            .unwrap(),
        0
    );

    // The serving process meets key 2 and reads on, without a restart.
    personal_data_reads_back(&*server).await;

    // Key 1 retired: a fresh process with the new file still reads everything.
    assert!(ring.retire(1));
    ring.write(&keys).unwrap();
    let (fresh, _) = Vault::load_or_create(&keys).unwrap();
    personal_data_reads_back(&*db.open(Arc::new(fresh)).await).await;
    assert_nothing_in_clear(&db.raw().await).await;
}

async fn values_stored_in_clear_before_encryption_are_sealed_by_reseal(
    db: Db,
    _keys: std::path::PathBuf,
) {
    let vault = Arc::new(Vault::ephemeral());
    let store = db.open(vault.clone()).await;
    personal_writes(&*store).await;
    // What a database written before encryption at rest looks like.
    let raw = db.raw().await;
    for (table, column) in [
        ("subjects", "code"),
        ("records", "subject_code"),
        ("record_history", "subject_code"),
        ("checks", "subject_code"),
        ("tokens", "subject"),
        ("special_applications", "subject_code"),
    ] {
        let sealed = if table == "subjects" {
            "code_sealed"
        } else {
            "subject_sealed"
        };
        raw.exec(&format!(
            "UPDATE {table} SET {column} = '{PERSON}', {sealed} = NULL WHERE {sealed} IS NOT NULL"
        ))
        .await;
    }
    raw.exec("UPDATE checks SET result_sealed = NULL").await;
    assert!(
        !store.has_clear_values().await.unwrap(),
        "a new database starts sealed"
    );
    // What migration 0006 records for a database that already had data.
    raw.exec("UPDATE vault_state SET clear_values = 1").await;
    assert!(store.has_clear_values().await.unwrap());
    assert!(!raw.columns_containing(PERSON).await.is_empty());
    let done = store
        .reseal(&["social_insurance_arrears".into()], 1000)
        .await
        .unwrap();
    assert!(done >= 8, "{done}");
    assert_eq!(store.subject(PERSON).await.unwrap().unwrap().code, PERSON);
    assert_eq!(store.records_of_subject(PERSON).await.unwrap().len(), 2);
    assert!(raw.columns_containing(PERSON).await.is_empty());
    assert!(
        !store.has_clear_values().await.unwrap(),
        "the re-seal clears the flag"
    );
}

macro_rules! at_rest_conformance {
    ($($case:ident),* $(,)?) => {
        mod at_rest_sqlite {
            $(
                #[tokio::test]
                async fn $case() {
                    let dir = tempfile::tempdir().unwrap();
                    let url = format!("sqlite://{}", dir.path().join("test.db").display());
                    super::$case(super::Db::Lite(url), dir.path().join("data.key")).await;
                }
            )*
        }
        mod at_rest_postgres {
            $(
                #[tokio::test]
                async fn $case() {
                    if let Some((store, schema)) = super::postgres_store().await {
                        let options = store.pool().connect_options().as_ref().clone();
                        drop(store);
                        let dir = tempfile::tempdir().unwrap();
                        super::$case(super::Db::Pg(Box::new(options)), dir.path().join("data.key")).await;
                        super::drop_schema(&schema).await;
                    }
                }
            )*
        }
    };
}

at_rest_conformance!(
    identity_numbers_and_restricted_fields_are_stored_sealed,
    a_sealed_value_moved_to_another_row_does_not_open,
    rotation_reseals_every_value_while_another_process_reads,
    values_stored_in_clear_before_encryption_are_sealed_by_reseal,
);

/// The issue's own test: a copy of the SQLite file (a backup) holds no identity number and no
/// restricted field value, byte for byte.
#[tokio::test]
async fn a_sqlite_backup_reveals_no_identity_number_or_restricted_field() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("test.db");
    let url = format!("sqlite://{}", path.display());
    let store = SqliteStore::open_with(&url, Arc::new(Vault::ephemeral()))
        .await
        .unwrap();
    personal_writes(&store).await;
    let pool = store.pool().clone();
    sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
        .execute(&pool)
        .await
        .unwrap();
    pool.close().await;
    let mut bytes = std::fs::read(&path).unwrap();
    for ext in ["db-wal", "db-shm"] {
        if let Ok(more) = std::fs::read(path.with_extension(ext)) {
            bytes.extend(more);
        }
    }
    assert!(bytes.len() > 10_000);
    for needle in [PERSON, "19491231", ARREARS_MARKER, "MK7QZXW", "987654"] {
        let found = bytes.windows(needle.len()).any(|w| w == needle.as_bytes());
        assert!(!found, "{needle:?} is in the raw database file");
    }
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
