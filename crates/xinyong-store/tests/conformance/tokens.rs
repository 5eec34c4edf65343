//! Tokens: found by the hash of their secret only, revoked once.

use xinyong_store::{Role, Token};

use crate::fixtures::with_department;
use crate::{Db, cases};
async fn tokens_are_found_by_hash_only(db: Db) {
    let store = db.store().await;
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

async fn subject_tokens_keep_their_subject(db: Db) {
    let store = db.store().await;
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

cases!(
    tokens_are_found_by_hash_only,
    subject_tokens_keep_their_subject,
);
