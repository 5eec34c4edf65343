//! Credit checks and feedback: each recorded once.

use serde_json::json;
use xinyong_store::{CheckRow, FeedbackRow};

use crate::fixtures::codes;
use crate::{Db, cases};
async fn checks_and_feedback_are_recorded_once(db: Db) {
    let store = db.store().await;
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

cases!(checks_and_feedback_are_recorded_once,);
