//! Operator accounts: unique names; their sessions end with them.

use xinyong_store::Role;

use crate::fixtures::{operator_account, session_token};
use crate::{Db, cases};
async fn operator_accounts_have_unique_names_and_sessions_end_with_them(db: Db) {
    let store = db.store().await;
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

cases!(operator_accounts_have_unique_names_and_sessions_end_with_them,);
