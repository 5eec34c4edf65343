//! Departments: registered once, only ever gaining categories and lists.

use std::collections::BTreeSet;

use crate::fixtures::department;
use crate::{Db, cases};
async fn departments_are_idempotent_and_only_gain_categories(db: Db) {
    let store = db.store().await;
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

async fn departments_keep_their_lists(db: Db) {
    let store = db.store().await;
    let mut d = department("COURT", &["court_defaulter"]);
    d.lists.insert("court_defaulter".into());
    store.put_department(&d).await.unwrap();
    let back = store.department("COURT").await.unwrap().unwrap();
    assert!(back.manages_list("court_defaulter"));
}

cases!(
    departments_are_idempotent_and_only_gain_categories,
    departments_keep_their_lists,
);
