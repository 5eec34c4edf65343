//! Special applications: decided once.

use xinyong_domain::access::ApplicationStatus;
use xinyong_store::{ApplicationDecision, SpecialApplication};

use crate::fixtures::with_department;
use crate::{Db, cases};
async fn special_applications_are_decided_once(db: Db) {
    let store = db.store().await;
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

cases!(special_applications_are_decided_once,);
