//! Encryption at rest: identity numbers and restricted fields never reach the database in clear,
//! lookups still work, a sealed value moved to another row does not open, and a key rotation
//! re-seals everything while another process keeps reading.

use std::sync::Arc;

use serde_json::json;
use xinyong_domain::access::ApplicationStatus;
use xinyong_domain::{Catalogue, RawRecord, RecordStatus, ValidRecord};
use xinyong_store::vault::{Keyring, Vault};
use xinyong_store::{CheckRow, RecordChange, Role, SpecialApplication, SqliteStore, Store, Token};

use crate::fixtures::{Raw, department, today};
use crate::{Db, cases};
const PERSON: &str = "11010519491231002X";
/// Bound to an organisation's list entry as its legal representative.
const BOUND: &str = "440305198001010013";
/// In an organisation's record as a personal field (the responsible person's number).
const RESPONSIBLE: &str = "110101197307150011";
const COMPANY: &str = "91110000600037341L";

const ARREARS_MARKER: &str = "2025年1月至2025年6月（标记MK7QZXW）";

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

fn company_record(
    category: &str,
    doc: &str,
    tier: Option<&str>,
    fields: serde_json::Value,
) -> ValidRecord {
    let mut v = json!({
        "category": category,
        "subject": {"code": COMPANY, "name": "北京示例科技有限公司", "kind": "legal_person"},
        "document_no": doc,
        "decided_on": "2026-03-01",
        "legal_basis": "《最高人民法院关于公布失信被执行人名单信息的若干规定》",
        "fields": fields,
    });
    if let Some(t) = tier {
        v["tier"] = json!(t);
    }
    Catalogue::shipped()
        .validate(&RawRecord::from_json(&v).unwrap(), today())
        .unwrap()
}

/// Writes about natural persons through every path that stores a person's code: a public and
/// a restricted record, a new version, a status change, a check, a subject token, a special
/// application, a person bound to an organisation's list entry and a personal field of an
/// organisation's record.
async fn personal_writes(store: &dyn Store) {
    store
        .put_department(&department(
            "HRSS",
            &[
                "admin_penalty",
                "social_insurance_arrears",
                "court_defaulter",
                "tax_violation",
            ],
        ))
        .await
        .unwrap();
    let defaulter = company_record(
        "court_defaulter",
        "(2026)京01执1号",
        None,
        json!({"ground": "有履行能力而拒不履行", "court": "北京市第一中级人民法院",
               "case_no": "(2026)京01执1号", "obligation": "支付货款", "performance": "全部未履行"}),
    )
    .with_listing(xinyong_domain::Listing {
        list_type: "court_defaulter".into(),
        ground: "able_but_refuses".into(),
        related_persons: vec![xinyong_domain::list::RelatedPerson {
            code: BOUND.into(),
            name: "李四".into(),
            role: xinyong_domain::list::RelatedRole::LegalRepresentative,
        }],
    });
    let tax = company_record(
        "tax_violation",
        "税违1",
        Some("serious"),
        json!({"violation_type": "偷税", "facts": "少缴税款", "handling": "追缴并处罚款",
               "tax_authority": "北京市税务局稽查局", "responsible_person": "王五",
               "responsible_person_id": RESPONSIBLE}),
    );
    store.submit("HRSS", &[defaulter, tax]).await.unwrap();
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
    let company = store.records_of_subject(COMPANY).await.unwrap();
    let listed = company
        .iter()
        .find(|r| r.category == "court_defaulter")
        .unwrap();
    let bound = &listed.listing.as_ref().unwrap().related_persons;
    assert_eq!((bound.len(), bound[0].code.as_str()), (1, BOUND));
    let tax = company
        .iter()
        .find(|r| r.category == "tax_violation")
        .unwrap();
    assert_eq!(tax.fields["responsible_person_id"], json!(RESPONSIBLE));
    let records = store.records_of_subject(PERSON).await.unwrap();
    assert_eq!(records.len(), 2);
    assert!(records.iter().all(|r| r.subject_code.as_str() == PERSON));
    let arrears = records
        .iter()
        .find(|r| r.category == "social_insurance_arrears")
        .unwrap();
    assert_eq!(arrears.fields["arrears_period"], json!(ARREARS_MARKER));
    assert_eq!(arrears.fields["amount_yuan"], json!("987654.32"));
    let history = store.record_history(arrears.id.as_str()).await.unwrap();
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
    for needle in [
        PERSON,
        "19491231",
        "MK7QZXW",
        "987654",
        BOUND,
        "19800101",
        RESPONSIBLE,
        "19730715",
    ] {
        let hits = raw.columns_containing(needle).await;
        assert!(hits.is_empty(), "{needle:?} stored in clear in {hits:?}");
    }
}

async fn identity_numbers_and_restricted_fields_are_stored_sealed(db: Db) {
    let store = db.open(Arc::new(Vault::ephemeral())).await;
    personal_writes(&*store).await;
    personal_data_reads_back(&*store).await;
    assert_nothing_in_clear(&db.raw().await).await;
    // Another key cannot read them.
    let other = db.open(Arc::new(Vault::ephemeral())).await;
    assert!(other.records_of_subject(PERSON).await.unwrap().is_empty());
}

/// Issue #11, item 4: a database refuses a key set other than its own before writing anything,
/// and a new key file is written only for a new database.
async fn a_database_refuses_keys_it_was_not_sealed_with(db: Db) {
    let own = db.key_file();
    let (keys, new) = Vault::load_or_generate(&own).unwrap();
    assert!(
        new && !own.exists(),
        "new keys are not written before a database takes them"
    );
    let keys = Arc::new(keys);
    let store = db.open(keys.clone()).await;
    assert!(keys.save_new().unwrap() && own.exists());
    personal_writes(&*store).await;
    let before = store.counts().await.unwrap();
    drop(store);

    let stray = own.with_file_name("stray.key");
    let (other, _) = Vault::load_or_generate(&stray).unwrap();
    let Err(err) = db.try_open(Arc::new(other)).await else {
        panic!("a database sealed with other keys opened");
    };
    assert!(
        matches!(err, xinyong_store::StoreError::WrongKeys { .. }),
        "{err}"
    );
    assert!(
        err.to_string().contains(&keys.fingerprint()),
        "names the keys it expects: {err}"
    );
    assert!(!stray.exists(), "no key file for an existing database");

    // Its own keys, from the file, still open it, with nothing changed.
    let (again, _) = Vault::load_or_generate(&own).unwrap();
    let store = db.open(Arc::new(again)).await;
    assert_eq!(store.counts().await.unwrap(), before);
    personal_data_reads_back(&*store).await;
}

async fn a_sealed_value_moved_to_another_row_does_not_open(db: Db) {
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

async fn rotation_reseals_every_value_while_another_process_reads(db: Db) {
    let keys = db.key_file();
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

async fn values_stored_in_clear_before_encryption_are_sealed_by_reseal(db: Db) {
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
    // Persons bound to a list entry and personal fields, as versions before #11 stored them.
    let listing = format!(
        r#"{{"list_type":"court_defaulter","ground":"able_but_refuses","related_persons":[{{"code":"{BOUND}","name":"李四","role":"legal_representative"}}]}}"#
    );
    raw.exec(&format!(
        "UPDATE records SET listing = '{listing}', listing_sealed = NULL WHERE listing_sealed IS NOT NULL"
    ))
    .await;
    let fields = format!(
        r#"{{"facts":"少缴税款","handling":"追缴并处罚款","responsible_person":"王五","responsible_person_id":"{RESPONSIBLE}","tax_authority":"北京市税务局稽查局","violation_type":"偷税"}}"#
    );
    raw.exec(&format!(
        "UPDATE records SET fields = '{fields}', fields_sealed = NULL WHERE category = 'tax_violation'"
    ))
    .await;
    assert!(
        !store.has_clear_values().await.unwrap(),
        "a new database starts sealed"
    );
    // What migration 0006 records for a database that already had data.
    raw.exec("UPDATE vault_state SET clear_values = 1").await;
    assert!(store.has_clear_values().await.unwrap());
    for needle in [PERSON, BOUND, RESPONSIBLE] {
        assert!(
            !raw.columns_containing(needle).await.is_empty(),
            "{needle} planted in clear"
        );
    }
    let done = store
        .reseal(&["social_insurance_arrears".into()], 1000)
        .await
        .unwrap();
    assert!(done >= 8, "{done}");
    assert_eq!(store.subject(PERSON).await.unwrap().unwrap().code, PERSON);
    assert_eq!(store.records_of_subject(PERSON).await.unwrap().len(), 2);
    for needle in [PERSON, BOUND, RESPONSIBLE] {
        assert!(raw.columns_containing(needle).await.is_empty(), "{needle}");
    }
    // The re-sealed listing and fields read back whole (the check's result was emptied above).
    let company = store.records_of_subject(COMPANY).await.unwrap();
    let listed = company
        .iter()
        .find(|r| r.category == "court_defaulter")
        .unwrap();
    assert_eq!(
        listed.listing.as_ref().unwrap().related_persons[0].code,
        BOUND
    );
    let tax = company
        .iter()
        .find(|r| r.category == "tax_violation")
        .unwrap();
    assert_eq!(tax.fields["responsible_person_id"], json!(RESPONSIBLE));
    assert!(
        !store.has_clear_values().await.unwrap(),
        "the re-seal clears the flag"
    );
}

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

cases!(
    a_database_refuses_keys_it_was_not_sealed_with,
    identity_numbers_and_restricted_fields_are_stored_sealed,
    a_sealed_value_moved_to_another_row_does_not_open,
    rotation_reseals_every_value_while_another_process_reads,
    values_stored_in_clear_before_encryption_are_sealed_by_reseal,
);
