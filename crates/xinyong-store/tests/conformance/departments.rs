//! Departments: registered once, only ever gaining categories and lists.

use std::collections::BTreeSet;

use xinyong_domain::{SubjectKind, ValidRecord};
use xinyong_store::Store;

use crate::fixtures::{codes, department, penalty, with_department};
use crate::{Db, cases};

/// A penalty about `code` as `name` submitted by `department`, committed.
async fn submit_as(store: &dyn Store, department: &str, doc: &str, code: &str, name: &str) {
    let mut record: ValidRecord = penalty(doc, code, "名称测试");
    record.subject.name = name.to_owned();
    let mut session = store.begin_import().await.unwrap();
    session.add(department, &[record]).await.unwrap();
    session.commit().await.unwrap();
}
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

async fn a_department_cannot_rename_or_reclassify_another_departments_subject(db: Db) {
    let store = db.store().await;
    with_department(&*store, "SAMR").await;
    with_department(&*store, "TAX").await;
    let code = &codes(1)[0];
    submit_as(&*store, "SAMR", "罚1", code, "深圳市示例科技有限公司").await;
    let mut other = penalty("税1", code, "名称测试");
    other.subject.name = "被篡改的名称有限公司".to_owned();
    other.subject.kind = SubjectKind::OtherOrg;
    let mut session = store.begin_import().await.unwrap();
    session.add("TAX", &[other]).await.unwrap();
    session.commit().await.unwrap();

    let subject = store.subject(code).await.unwrap().unwrap();
    assert_eq!(subject.name, "深圳市示例科技有限公司");
    assert_eq!(subject.kind, SubjectKind::LegalPerson);
    assert!(store.former_names(code).await.unwrap().is_empty());
    // The other department's record keeps the name it submitted.
    let records = store.records_of_subject(code).await.unwrap();
    let theirs = records.iter().find(|r| r.department == "TAX").unwrap();
    assert_eq!(theirs.subject_name, "被篡改的名称有限公司");
}

async fn name_changes_by_the_registrar_keep_their_history(db: Db) {
    let store = db.store().await;
    with_department(&*store, "SAMR").await;
    let code = &codes(1)[0];
    submit_as(&*store, "SAMR", "罚1", code, "深圳市示例科技有限公司").await;
    submit_as(&*store, "SAMR", "罚2", code, "深圳市新名称科技有限公司").await;
    submit_as(&*store, "SAMR", "罚3", code, "深圳市新名称科技有限公司").await;

    let subject = store.subject(code).await.unwrap().unwrap();
    assert_eq!(subject.name, "深圳市新名称科技有限公司");
    let former = store.former_names(code).await.unwrap();
    assert_eq!(former.len(), 1, "{former:?}");
    assert_eq!(former[0].name, "深圳市示例科技有限公司");
    assert_eq!(former[0].department.as_deref(), Some("SAMR"));
    // The new name is what search finds.
    let query = xinyong_domain::search::parse_query("新名称").unwrap();
    let page = store.search_subjects(&query, 10, 0).await.unwrap();
    assert_eq!(page.subjects.len(), 1);
}

async fn mismatched_names_appear_in_the_submitting_departments_quality_report(db: Db) {
    let store = db.store().await;
    with_department(&*store, "SAMR").await;
    with_department(&*store, "TAX").await;
    let code = &codes(1)[0];
    submit_as(&*store, "SAMR", "罚1", code, "深圳市示例科技有限公司").await;
    submit_as(&*store, "TAX", "税1", code, "深圳示例科技公司").await;
    submit_as(&*store, "TAX", "税2", code, "深圳市示例科技有限公司").await;

    let report = store.quality_report("TAX", 100).await.unwrap();
    assert_eq!(report.len(), 1, "{report:?}");
    assert_eq!(report[0].document_no, "税1");
    assert_eq!(report[0].submitted_name, "深圳示例科技公司");
    assert_eq!(report[0].registered_name, "深圳市示例科技有限公司");
    assert_eq!(report[0].registrar.as_deref(), Some("SAMR"));
    assert!(store.quality_report("SAMR", 100).await.unwrap().is_empty());
}

cases!(
    departments_are_idempotent_and_only_gain_categories,
    departments_keep_their_lists,
    a_department_cannot_rename_or_reclassify_another_departments_subject,
    name_changes_by_the_registrar_keep_their_history,
    mismatched_names_appear_in_the_submitting_departments_quality_report,
);
