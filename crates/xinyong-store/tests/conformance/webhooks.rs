//! Subjects' webhooks: delivery starts at registration, a webhook is due exactly when an
//! audit-log entry about its subject has not been delivered, failures back off, and a person's
//! number is sealed at rest.

use chrono::{Duration, DurationRound, TimeDelta, Utc};
use xinyong_domain::code::SubjectCode;
use xinyong_domain::rights::SubjectGrant;
use xinyong_store::{Delivery, Webhook};

use crate::{Db, cases};

const PERSON: &str = "440305198507265865";
const OTHER: &str = "91110000600037341L";

fn now() -> chrono::DateTime<Utc> {
    Utc::now()
        .duration_trunc(TimeDelta::milliseconds(1))
        .unwrap()
}

pub(crate) fn hook(id: &str, code: &str) -> Webhook {
    Webhook {
        id: id.into(),
        subject_code: SubjectCode::parse(code).unwrap(),
        url: "https://hooks.example.cn/xinyong".into(),
        created_at: now() - Duration::seconds(1),
        delivered_size: 0,
        attempts: 0,
        next_attempt_at: now(),
        last_error: None,
    }
}

pub(crate) fn grant(id: &str, code: &str) -> SubjectGrant {
    SubjectGrant {
        id: id.into(),
        subject_code: SubjectCode::parse(code).unwrap(),
        service: "某征信有限公司".into(),
        purpose: "credit_report".into(),
        granted_at: now(),
        valid_until: now() + Duration::days(30),
        revoked_at: None,
    }
}

async fn a_webhook_is_due_exactly_when_an_entry_about_its_subject_is_undelivered(db: Db) {
    let store = db.store().await;
    // History before registration is not delivered.
    store.put_grant(&grant("G0", PERSON)).await.unwrap();
    let stored = store.put_webhook(&hook("W1", PERSON)).await.unwrap();
    let size = store.ledger_size().await.unwrap();
    assert_eq!(
        stored.delivered_size,
        size - 1,
        "its own entry is delivered"
    );
    let later = now() + Duration::seconds(5);
    let due = store.due_webhooks(later, 10).await.unwrap();
    assert_eq!(due.len(), 1, "its own registration is a notification");

    store
        .webhook_attempted("W1", &Delivery::Delivered { size })
        .await
        .unwrap();
    assert!(store.due_webhooks(later, 10).await.unwrap().is_empty());
    // Another subject's entry does not make it due; its own does.
    store.put_grant(&grant("G1", OTHER)).await.unwrap();
    assert!(store.due_webhooks(later, 10).await.unwrap().is_empty());
    store.put_grant(&grant("G2", PERSON)).await.unwrap();
    let due = store.due_webhooks(later, 10).await.unwrap();
    assert_eq!(due.len(), 1);
    assert_eq!(due[0].subject_code.as_str(), PERSON);

    // The feed from where delivery stands: exactly the new entry, oldest first.
    let feed = store
        .ledger_rows_of_subject_from(PERSON, due[0].delivered_size, 100)
        .await
        .unwrap();
    assert_eq!(feed.len(), 1);
    assert_eq!(feed[0].entry.kind, "grant.given");
    assert_eq!(feed[0].ref_id.as_deref(), Some("grant:G2"));
    // Progress never goes back.
    store
        .webhook_attempted("W1", &Delivery::Delivered { size: 1 })
        .await
        .unwrap();
    let kept = store.webhook_of_subject(PERSON).await.unwrap().unwrap();
    assert_eq!(kept.delivered_size, size);
    let raw = db.raw().await;
    assert!(raw.columns_containing(PERSON).await.is_empty());
}

async fn a_failed_delivery_backs_off_and_a_success_resets_it(db: Db) {
    let store = db.store().await;
    store.put_webhook(&hook("W1", PERSON)).await.unwrap();
    store.put_grant(&grant("G1", PERSON)).await.unwrap();
    let retry_at = now() + Duration::minutes(2);
    store
        .webhook_attempted(
            "W1",
            &Delivery::Failed {
                error: "HTTP 503".into(),
                retry_at,
            },
        )
        .await
        .unwrap();
    let failed = store.webhook_of_subject(PERSON).await.unwrap().unwrap();
    assert_eq!(failed.attempts, 1);
    assert_eq!(failed.last_error.as_deref(), Some("HTTP 503"));
    assert_eq!(failed.next_attempt_at, retry_at);
    assert!(store.due_webhooks(now(), 10).await.unwrap().is_empty());
    assert_eq!(
        store
            .due_webhooks(retry_at + Duration::seconds(1), 10)
            .await
            .unwrap()
            .len(),
        1
    );
    let size = store.ledger_size().await.unwrap();
    store
        .webhook_attempted("W1", &Delivery::Delivered { size })
        .await
        .unwrap();
    let ok = store.webhook_of_subject(PERSON).await.unwrap().unwrap();
    assert_eq!((ok.attempts, ok.last_error), (0, None));
}

async fn registering_again_replaces_the_webhook_and_its_secret(db: Db) {
    let store = db.store().await;
    store.put_webhook(&hook("W1", PERSON)).await.unwrap();
    let size = store.ledger_size().await.unwrap();
    let mut second = hook("W2", PERSON);
    second.url = "https://hooks.example.cn/v2".into();
    store.put_webhook(&second).await.unwrap();
    assert_eq!(
        store.ledger_size().await.unwrap(),
        size + 2,
        "removed and put"
    );
    let now = store.webhook_of_subject(PERSON).await.unwrap().unwrap();
    assert_eq!(
        (now.id.as_str(), now.url.as_str()),
        ("W2", "https://hooks.example.cn/v2")
    );
    assert_eq!(store.webhook_secret("W2"), store.webhook_secret("W2"));
    assert_ne!(store.webhook_secret("W1"), store.webhook_secret("W2"));
    let removed = store.remove_webhook(PERSON).await.unwrap().unwrap();
    assert_eq!(removed.id, "W2");
    assert!(store.webhook_of_subject(PERSON).await.unwrap().is_none());
    assert!(store.remove_webhook(PERSON).await.unwrap().is_none());
}

cases!(
    a_webhook_is_due_exactly_when_an_entry_about_its_subject_is_undelivered,
    a_failed_delivery_backs_off_and_a_success_resets_it,
    registering_again_replaces_the_webhook_and_its_secret
);
