//! Objections: a case marks its record until the source department decides, in one
//! transaction with the audit log; reasons are sealed at rest.

use chrono::{DurationRound, NaiveDate, TimeDelta, Utc};
use xinyong_domain::RecordStatus;
use xinyong_domain::calendar::WorkingCalendar;
use xinyong_domain::rights::{
    Objection, ObjectionGround, ObjectionOutcome, ObjectionStatus, objection_deadlines,
};
use xinyong_domain::{Catalogue, Record};
use xinyong_store::Store;

use crate::fixtures::{codes, penalty, with_department};
use crate::{Db, cases};

const REASON: &str = "处罚对象有误，当事人身份证号440305198507265865不是本公司人员";

/// A penalty by SAMR about a fresh company, stored; returns it.
pub(crate) async fn stored_penalty(store: &dyn Store) -> Record {
    with_department(store, "SAMR").await;
    let code = &codes(1)[0];
    let mut session = store.begin_import().await.unwrap();
    session
        .add("SAMR", &[penalty("罚1", code, "事实")])
        .await
        .unwrap();
    session.commit().await.unwrap();
    store.records_of_subject(code).await.unwrap().remove(0)
}

/// Now, to the millisecond: PostgreSQL keeps microseconds, SQLite what it is given.
fn now() -> chrono::DateTime<Utc> {
    Utc::now()
        .duration_trunc(TimeDelta::milliseconds(1))
        .unwrap()
}

pub(crate) fn objection(record: &Record, id: &str) -> Objection {
    let filed_on = NaiveDate::from_ymd_opt(2026, 2, 11).unwrap();
    Objection {
        id: id.into(),
        record: record.id.clone(),
        subject_code: record.subject_code.clone(),
        department: record.department.clone(),
        ground: ObjectionGround::Content,
        reason: REASON.into(),
        filed_at: now(),
        deadlines: objection_deadlines(
            &Catalogue::shipped(),
            &WorkingCalendar::shipped(),
            filed_on,
        )
        .unwrap(),
        status: ObjectionStatus::Open,
        outcome: None,
        decision_reason: None,
        decided_at: None,
        attachments: Vec::new(),
        escalated_at: None,
    }
}

pub(crate) fn decided(mut o: Objection, outcome: ObjectionOutcome) -> Objection {
    o.status = ObjectionStatus::Decided;
    o.outcome = Some(outcome);
    o.decision_reason = Some("经核查".into());
    o.decided_at = Some(now());
    o
}

async fn an_objection_marks_its_record_until_the_source_department_decides(db: Db) {
    let store = db.store().await;
    let record = stored_penalty(&*store).await;
    let size = store.ledger_size().await.unwrap();
    let case = objection(&record, "O1");
    let marked = store
        .file_objection(&case, RecordStatus::Active, record.version)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(marked.status, RecordStatus::UnderObjection);
    assert_eq!(marked.version, record.version + 1);
    assert_eq!(
        store.ledger_size().await.unwrap(),
        size + 2,
        "case and version logged"
    );
    // One open case per record; a stale version is refused too.
    assert!(
        store
            .file_objection(
                &objection(&record, "O2"),
                RecordStatus::Active,
                record.version
            )
            .await
            .unwrap()
            .is_none()
    );
    assert_eq!(store.open_objections(Some("SAMR")).await.unwrap().len(), 1);
    assert!(store.open_objections(Some("TAX")).await.unwrap().is_empty());
    let back = store.objection("O1").await.unwrap().unwrap();
    assert_eq!(back, case);
    let mine = store
        .objections_of_subject(record.subject_code.as_str())
        .await
        .unwrap();
    assert_eq!(mine.len(), 1);

    let done = decided(case, ObjectionOutcome::Upheld);
    let after = store.decide_objection(&done, None).await.unwrap().unwrap();
    assert_eq!(
        after.status,
        RecordStatus::Active,
        "upheld: as before the objection"
    );
    assert_eq!(store.objection("O1").await.unwrap().unwrap(), done);
    assert!(store.open_objections(None).await.unwrap().is_empty());
    // Decided once.
    assert!(store.decide_objection(&done, None).await.unwrap().is_none());
    let history = store.record_history(record.id.as_str()).await.unwrap();
    let statuses: Vec<_> = history.iter().map(|r| r.status).collect();
    assert_eq!(
        statuses,
        [
            RecordStatus::Active,
            RecordStatus::UnderObjection,
            RecordStatus::Active
        ]
    );
}

async fn a_removed_objection_revokes_and_a_corrected_one_versions_the_record(db: Db) {
    let store = db.store().await;
    let record = stored_penalty(&*store).await;
    let case = objection(&record, "O1");
    store
        .file_objection(&case, RecordStatus::Active, record.version)
        .await
        .unwrap()
        .unwrap();
    let mut fixed = penalty("罚1", record.subject_code.as_str(), "更正后的事实");
    fixed.subject.name = record.subject_name.clone();
    let after = store
        .decide_objection(&decided(case, ObjectionOutcome::Corrected), Some(&fixed))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(after.status, RecordStatus::Active);
    assert_eq!(after.fields["facts"], "更正后的事实");
    assert_eq!(after.version, record.version + 2);

    let case = objection(&after, "O2");
    store
        .file_objection(&case, RecordStatus::Active, after.version)
        .await
        .unwrap()
        .unwrap();
    let removed = store
        .decide_objection(&decided(case, ObjectionOutcome::Removed), None)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(removed.status, RecordStatus::Revoked);
    let report = xinyong_store::ledger::verify(&*store, None, |_| {})
        .await
        .unwrap();
    assert_eq!(report.record_versions_checked, 5, "{report:?}");
}

async fn objection_reasons_are_sealed_at_rest(db: Db) {
    let store = db.store().await;
    let record = stored_penalty(&*store).await;
    store
        .file_objection(
            &objection(&record, "O1"),
            RecordStatus::Active,
            record.version,
        )
        .await
        .unwrap()
        .unwrap();
    let raw = db.raw().await;
    assert!(
        raw.columns_containing("440305198507265865")
            .await
            .is_empty()
    );
    assert!(raw.columns_containing("处罚对象有误").await.is_empty());
    assert_eq!(store.objection("O1").await.unwrap().unwrap().reason, REASON);
}

cases!(
    an_objection_marks_its_record_until_the_source_department_decides,
    a_removed_objection_revokes_and_a_corrected_one_versions_the_record,
    objection_reasons_are_sealed_at_rest,
);
