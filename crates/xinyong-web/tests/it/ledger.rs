//! The audit log over HTTP, checked the way an outside monitor would: with the public key from
//! the head endpoint and the RFC 9162 verifier of the ledger crate, never with the server's
//! own tree code.

use std::sync::Arc;

use axum::http::StatusCode;
use serde_json::{Value, json};
use xinyong_ledger::{Hash, SignedTreeHead, VerifyingKey, leaf_hash};

use crate::common::{self, App, COMPANY, OTHER_COMPANY, PERSON};

/// A general-tier penalty about `code`, a subject of `kind`.
fn penalty(code: &str, kind: &str, doc: &str) -> Value {
    let mut record = common::penalty(code, doc, "general", "2026-09-01");
    record["subject"]["kind"] = json!(kind);
    record
}

fn hash(v: &Value) -> Hash {
    let mut out = [0u8; 32];
    hex::decode_to_slice(v.as_str().unwrap(), &mut out).unwrap();
    out
}

fn hashes(v: &Value) -> Vec<Hash> {
    v.as_array().unwrap().iter().map(hash).collect()
}

/// Fetches the head and checks its signature with the key it names.
async fn signed_head(app: &App) -> SignedTreeHead {
    let (status, head) = app.get("/api/v1/ledger/head").await;
    assert_eq!(status, StatusCode::OK, "{head}");
    let mut key = [0u8; 32];
    hex::decode_to_slice(head["public_key"].as_str().unwrap(), &mut key).unwrap();
    let key = VerifyingKey::from_bytes(&key).unwrap();
    let mut signature = [0u8; 64];
    hex::decode_to_slice(head["signature"].as_str().unwrap(), &mut signature).unwrap();
    let sth = SignedTreeHead {
        size: head["tree_size"].as_u64().unwrap(),
        root: hash(&head["root_hash"]),
        timestamp_ms: head["timestamp"].as_u64().unwrap(),
        signature,
    };
    sth.verify(&key).unwrap();
    sth
}

#[tokio::test]
async fn every_logged_write_is_provably_in_the_signed_tree() {
    let mut app = App::new().await;
    app.state.ledger_key = Some(Arc::new(xinyong_ledger::generate_key().unwrap()));
    let (status, body) = app
        .post(json!([penalty(COMPANY, "legal_person", "罚1")]))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let first = signed_head(&app).await;
    let (status, body) = app
        .post(json!([
            penalty(OTHER_COMPANY, "legal_person", "罚2"),
            penalty(PERSON, "natural_person", "罚3")
        ]))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let second = signed_head(&app).await;
    assert!(second.size > first.size);

    let (status, entries) = app
        .get(&format!(
            "/api/v1/ledger/entries?start=0&end={}",
            second.size
        ))
        .await;
    assert_eq!(status, StatusCode::OK, "{entries}");
    let entries = entries["entries"].as_array().unwrap().clone();
    assert_eq!(entries.len() as u64, second.size);
    for e in &entries {
        let index = e["index"].as_u64().unwrap();
        let leaf = leaf_hash(&hex::decode(e["leaf_input"].as_str().unwrap()).unwrap());
        let (status, proof) = app
            .get(&format!(
                "/api/v1/ledger/proof/inclusion?leaf={index}&size={}",
                second.size
            ))
            .await;
        assert_eq!(status, StatusCode::OK, "{proof}");
        xinyong_ledger::verify_inclusion(
            &leaf,
            index,
            second.size,
            &hashes(&proof["path"]),
            &second.root,
        )
        .unwrap();
    }
    let (status, proof) = app
        .get(&format!(
            "/api/v1/ledger/proof/consistency?from={}&to={}",
            first.size, second.size
        ))
        .await;
    assert_eq!(status, StatusCode::OK, "{proof}");
    xinyong_ledger::verify_consistency(
        first.size,
        second.size,
        &first.root,
        &second.root,
        &hashes(&proof["path"]),
    )
    .unwrap();

    // The public log names organisations by code and the person only by a keyed hash.
    let text = Value::Array(entries).to_string();
    assert!(text.contains(COMPANY));
    assert!(
        !text.contains(PERSON) && !text.contains(&PERSON[..14]),
        "{text}"
    );
    assert!(text.contains("\"p:"));
}

#[tokio::test]
async fn bad_ledger_queries_are_400_not_500() {
    let app = App::new().await;
    app.post(json!([penalty(COMPANY, "legal_person", "罚1")]))
        .await;
    for uri in [
        "/api/v1/ledger/proof/inclusion?leaf=5&size=2",
        "/api/v1/ledger/proof/inclusion?leaf=0&size=999999",
        "/api/v1/ledger/proof/inclusion?leaf=-1&size=1",
        "/api/v1/ledger/proof/consistency?from=2&to=1",
        "/api/v1/ledger/entries?start=5&end=5",
        "/api/v1/ledger/entries?start=0&end=5000",
        "/api/v1/ledger/entries?start=x",
    ] {
        let (status, body) = app.get(uri).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{uri}: {body}");
    }
    // Without a signing key there is nothing signed to serve.
    let (status, _) = app.get("/api/v1/ledger/head").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_non_public_read_is_in_the_log_before_it_is_answered() {
    let app = App::new().await;
    app.post(json!([penalty(COMPANY, "legal_person", "罚1")]))
        .await;
    let before = app.state.store.ledger_size().await.unwrap();
    let token = app.token.clone();
    let (status, body) = app
        .get_as(
            &token,
            &format!("/api/v1/subjects/{COMPANY}?purpose=supervision"),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let rows = app.state.store.ledger_rows(before, 10).await.unwrap();
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0].entry.kind, "read.shared");
    assert_eq!(rows[0].entry.subject.as_deref(), Some(COMPANY));
    assert_eq!(rows[0].entry.actor, common::SAMR);
    // A public read is not logged.
    app.get(&format!("/api/v1/subjects/{COMPANY}")).await;
    assert_eq!(app.state.store.ledger_size().await.unwrap(), before + 1);
}

/// Beyond CT and X-Road: a person sees every read of its file and every write about it, and
/// proves each one is in the signed log.
#[tokio::test]
async fn a_subject_sees_every_read_of_its_file_and_proves_each_is_logged() {
    let mut app = App::new().await;
    app.state.ledger_key = Some(Arc::new(xinyong_ledger::generate_key().unwrap()));
    let (status, body) = app
        .post(json!([
            penalty(PERSON, "natural_person", "罚1"),
            penalty(COMPANY, "legal_person", "罚2")
        ]))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let department = app.token.clone();
    let (status, body) = app
        .get_as(
            &department,
            &format!("/api/v1/subjects/{PERSON}?purpose=supervision"),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let subject = common::issue_token(
        &*app.state.store,
        xinyong_store::Role::Subject,
        None,
        Some(PERSON),
        None,
        None,
    )
    .await;

    let (status, own) = app.get_as(&subject, "/api/v1/me/ledger").await;
    assert_eq!(status, StatusCode::OK, "{own}");
    let entries = own["entries"].as_array().unwrap();
    let kinds: Vec<&str> = entries
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["read.shared", "record.created"], "newest first");
    assert_eq!(entries[0]["actor"], common::SAMR);
    assert!(entries.iter().all(|e| e["subject"] == own["subject"]));
    assert!(own["subject"].as_str().unwrap().starts_with("p:"));
    assert!(
        !own.to_string().contains(COMPANY),
        "another subject's events leak"
    );

    let head = signed_head(&app).await;
    assert_eq!(own["signed_tree_size"].as_u64(), Some(head.size));
    for e in entries {
        let index = e["index"].as_u64().unwrap();
        let leaf = leaf_hash(&hex::decode(e["leaf_input"].as_str().unwrap()).unwrap());
        let (status, proof) = app
            .get(&format!(
                "/api/v1/ledger/proof/inclusion?leaf={index}&size={}",
                head.size
            ))
            .await;
        assert_eq!(status, StatusCode::OK, "{proof}");
        xinyong_ledger::verify_inclusion(
            &leaf,
            index,
            head.size,
            &hashes(&proof["path"]),
            &head.root,
        )
        .unwrap();
    }
    let (status, _) = app.get_as(&subject, "/api/v1/me/ledger?limit=0").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn a_restricted_read_logs_the_statute_s_citation_not_the_caller_s_spelling() {
    let app = App::new().await;
    let arrears = json!({
        "category": "social_insurance_arrears",
        "subject": {"code": COMPANY, "name": "北京示例科技有限公司", "kind": "legal_person"},
        "document_no": "社1", "decided_on": "2026-04-01",
        "legal_basis": "《中华人民共和国社会保险法》第八十六条", "tier": "general",
        "fields": {"insurance_type": "养老保险", "amount_yuan": "1200.50",
                   "arrears_period": "2025年", "social_security_office": "深圳市社保局"}
    });
    let (status, body) = app.post(json!([arrears])).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let department = app.token.clone();
    // One statute, cited by its id, its citation, an alias and with other spacing and brackets.
    for cited in [
        "social_insurance_law_86",
        "《中华人民共和国社会保险法》第八十六条",
        "《社会保险法》第八十六条",
        " 《社会保险法》 第八十六条 ",
    ] {
        let uri = format!(
            "/api/v1/subjects/{COMPANY}?purpose=supervision&legal_basis={}",
            crate::site::encode(cited)
        );
        let (status, body) = app.get_as(&department, &uri).await;
        assert_eq!(status, StatusCode::OK, "{cited}: {body}");
        assert_eq!(body["restricted"].as_array().unwrap().len(), 1, "{body}");
    }
    let (_, entries) = app.get("/api/v1/ledger/entries?start=0&end=1000").await;
    let reads: Vec<&Value> = entries["entries"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "read.restricted")
        .collect();
    assert_eq!(reads.len(), 4, "{entries}");
    // The same read, the same payload: what is logged is the statute, however it was spelled.
    let payloads: std::collections::BTreeSet<&str> = reads
        .iter()
        .map(|e| e["payload_hash"].as_str().unwrap())
        .collect();
    assert_eq!(payloads.len(), 1, "{reads:?}");
}
