//! Credit repair: a grant makes the record `repaired` and publishes the commitment in one
//! transaction; a refusal leaves the record; commitment and evidence are sealed at rest.

use chrono::{DurationRound, NaiveDate, TimeDelta, Utc};
use xinyong_domain::calendar::WorkingCalendar;
use xinyong_domain::rights::{
    RepairApplication, RepairStatus, commitment_record, repair_deadlines,
};
use xinyong_domain::{Catalogue, Record, RecordStatus};
use xinyong_store::Store;

use crate::fixtures::{codes, penalty, today, with_department};
use crate::{Db, cases};

const COMMITMENT: &str = "本公司承诺依法经营，不再发生同类违法行为";

fn now() -> chrono::DateTime<Utc> {
    Utc::now()
        .duration_trunc(TimeDelta::milliseconds(1))
        .unwrap()
}

async fn stored_penalty(store: &dyn Store) -> Record {
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

pub(crate) fn application(record: &Record, id: &str) -> RepairApplication {
    RepairApplication {
        id: id.into(),
        record: record.id.clone(),
        subject_code: record.subject_code.clone(),
        department: record.department.clone(),
        commitment: COMMITMENT.into(),
        evidence: vec!["缴款凭证 440305198507265865".into()],
        filed_at: now(),
        deadlines: repair_deadlines(
            &Catalogue::shipped(),
            &WorkingCalendar::shipped(),
            NaiveDate::from_ymd_opt(2026, 9, 1).unwrap(),
        )
        .unwrap(),
        status: RepairStatus::Pending,
        decision_reason: None,
        decided_at: None,
        attachments: Vec::new(),
    }
}

fn decided(mut a: RepairApplication, status: RepairStatus) -> RepairApplication {
    a.status = status;
    a.decision_reason = Some("已履行".into());
    a.decided_at = Some(now());
    a
}

async fn a_granted_repair_marks_the_record_repaired_and_publishes_the_commitment(db: Db) {
    let store = db.store().await;
    let record = stored_penalty(&*store).await;
    let filed = application(&record, "R1");
    assert!(store.file_repair(&filed).await.unwrap());
    assert!(
        !store
            .file_repair(&application(&record, "R2"))
            .await
            .unwrap(),
        "one pending per record"
    );
    assert_eq!(store.repair("R1").await.unwrap().unwrap(), filed);
    assert_eq!(store.pending_repairs(Some("SAMR")).await.unwrap().len(), 1);

    let granted = decided(filed, RepairStatus::Granted);
    let raw = commitment_record(&granted, &record, "行政处罚", "部门SAMR", today());
    let commitment = Catalogue::shipped().validate(&raw, today()).unwrap();
    let size = store.ledger_size().await.unwrap();
    let after = store
        .decide_repair(&granted, Some(&commitment))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(after.status, RecordStatus::Repaired);
    assert_eq!(
        store.ledger_size().await.unwrap(),
        size + 3,
        "decision, version, commitment"
    );
    let file = store
        .records_of_subject(record.subject_code.as_str())
        .await
        .unwrap();
    let published = file
        .iter()
        .find(|r| r.category == "credit_commitment")
        .expect("the commitment is a record");
    assert_eq!(published.fields["content"], COMMITMENT);
    assert_eq!(published.fields["commitment_type"], "信用修复型");
    assert!(store.pending_repairs(None).await.unwrap().is_empty());
    assert!(
        store.decide_repair(&granted, None).await.unwrap().is_none(),
        "decided once"
    );
    let mine = store
        .repairs_of_subject(record.subject_code.as_str())
        .await
        .unwrap();
    assert_eq!(mine, [granted]);
}

async fn a_refused_repair_leaves_the_record_as_it_was(db: Db) {
    let store = db.store().await;
    let record = stored_penalty(&*store).await;
    let filed = application(&record, "R1");
    assert!(store.file_repair(&filed).await.unwrap());
    let after = store
        .decide_repair(&decided(filed, RepairStatus::Refused), None)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(after, record, "no new version");
    assert_eq!(
        store.repair("R1").await.unwrap().unwrap().status,
        RepairStatus::Refused
    );
}

async fn repair_commitments_and_evidence_are_sealed_at_rest(db: Db) {
    let store = db.store().await;
    let record = stored_penalty(&*store).await;
    assert!(
        store
            .file_repair(&application(&record, "R1"))
            .await
            .unwrap()
    );
    let raw = db.raw().await;
    assert!(
        raw.columns_containing("440305198507265865")
            .await
            .is_empty()
    );
    assert!(raw.columns_containing("不再发生同类").await.is_empty());
}

cases!(
    a_granted_repair_marks_the_record_repaired_and_publishes_the_commitment,
    a_refused_repair_leaves_the_record_as_it_was,
    repair_commitments_and_evidence_are_sealed_at_rest,
);
