//! Rights cases and the audit log: `ledger verify` checks every objection, repair, grant,
//! report, webhook and attachment row against the entry that last recorded it; an overdue
//! objection is escalated once, in the log; an attachment is sealed at rest, checked by its
//! digest and held to a quota.

use chrono::{DurationRound, TimeDelta, Utc};
use xinyong_domain::RecordStatus;
use xinyong_domain::attachment::{Attachment, MediaType, content_digest};
use xinyong_domain::code::SubjectCode;
use xinyong_domain::report::{Report, ReportStatus};
use xinyong_domain::rights::ObjectionOutcome;
use xinyong_store::Store;

use crate::objections::{decided, objection, stored_penalty};
use crate::repairs::application;
use crate::webhooks::{grant, hook};
use crate::{Db, cases};

const PERSON: &str = "440305198507265865";
/// A "PDF" whose text shows an identity number, as a scanned receipt would.
const PDF: &[u8] = "%PDF-1.4\n缴款人身份证号440305198507265865\n%%EOF".as_bytes();

fn now() -> chrono::DateTime<Utc> {
    Utc::now()
        .duration_trunc(TimeDelta::milliseconds(1))
        .unwrap()
}

fn attachment(id: &str, content: &[u8]) -> Attachment {
    Attachment {
        id: id.into(),
        subject_code: SubjectCode::parse(PERSON).unwrap(),
        media_type: MediaType::Pdf,
        name: Some(format!("缴款凭证{PERSON}.pdf")),
        size: content.len() as u64,
        sha256: content_digest(content),
        stored_at: now(),
    }
}

fn report(id: &str) -> Report {
    Report {
        id: id.into(),
        category: "tax_violation".into(),
        subject_code: SubjectCode::parse(PERSON).unwrap(),
        content: "虚开发票".into(),
        contact: None,
        department: "SAMR".into(),
        status: ReportStatus::Received,
        status_note: None,
        filed_at: now(),
        updated_at: now(),
    }
}

async fn verify_err(store: &dyn Store) -> String {
    xinyong_store::ledger::verify(store, None, |_| {})
        .await
        .unwrap_err()
        .to_string()
}

async fn ledger_verify_names_an_edited_case_row_of_every_kind(db: Db) {
    let store = db.store().await;
    let raw = db.raw().await;
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
    assert!(
        store
            .file_repair(&application(&record, "R1"))
            .await
            .unwrap()
    );
    store.put_grant(&grant("G1", PERSON)).await.unwrap();
    store.put_webhook(&hook("W1", PERSON)).await.unwrap();
    store.file_report(&report("RP1"), "tracking").await.unwrap();
    assert!(
        store
            .store_attachment(&attachment("A1", PDF), PDF, 100)
            .await
            .unwrap()
    );
    let verified = xinyong_store::ledger::verify(&*store, None, |_| {})
        .await
        .unwrap();
    assert_eq!(verified.cases_checked, 6, "{verified:?}");
    let size = PDF.len();
    for (edit, undo, named) in [
        (
            "UPDATE objections SET ground = 'publicity_period'".to_owned(),
            "UPDATE objections SET ground = 'content'".to_owned(),
            "objection row objection:O1",
        ),
        (
            "UPDATE repairs SET status = 'granted'".into(),
            "UPDATE repairs SET status = 'pending'".into(),
            "repair row repair:R1",
        ),
        (
            "UPDATE subject_grants SET service = '另一家征信公司'".into(),
            "UPDATE subject_grants SET service = '某征信有限公司'".into(),
            "grant row grant:G1",
        ),
        (
            "UPDATE reports SET status_note = '已结案'".into(),
            "UPDATE reports SET status_note = NULL".into(),
            "report row report:RP1",
        ),
        (
            "UPDATE webhooks SET url = 'https://collector.example.net/'".into(),
            "UPDATE webhooks SET url = 'https://hooks.example.cn/xinyong'".into(),
            "webhook row webhook:W1",
        ),
        (
            "UPDATE attachments SET size = 1".into(),
            format!("UPDATE attachments SET size = {size}"),
            "attachment row attachment:A1",
        ),
    ] {
        raw.exec(&edit).await;
        let err = verify_err(&*store).await;
        assert!(
            err.starts_with(named) && err.contains("edited"),
            "{edit}: {err}"
        );
        raw.exec(&undo).await;
    }
    xinyong_store::ledger::verify(&*store, None, |_| {})
        .await
        .unwrap();
    // A file swapped under its description no longer hashes to what the log recorded.
    raw.exec(&format!(
        "UPDATE attachments SET sha256 = '{}'",
        content_digest(b"%PDF-1.4 other")
    ))
    .await;
    assert!(store.attachment_content("A1").await.is_err());
    assert!(
        verify_err(&*store)
            .await
            .starts_with("attachment row attachment:A1")
    );
}

async fn an_overdue_objection_is_escalated_once_in_the_audit_log(db: Db) {
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
    let mut case = store.objection("O1").await.unwrap().unwrap();
    case.escalated_at = Some(now());
    assert!(store.escalate_objection(&case).await.unwrap());
    assert!(!store.escalate_objection(&case).await.unwrap(), "once");
    let back = store.objection("O1").await.unwrap().unwrap();
    assert_eq!(back, case);
    let kinds: Vec<String> = store
        .ledger_rows_of_subject(record.subject_code.as_str(), 10)
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.entry.kind)
        .collect();
    assert_eq!(
        kinds.first().map(String::as_str),
        Some("objection.escalated")
    );
    xinyong_store::ledger::verify(&*store, None, |_| {})
        .await
        .unwrap();
    // Deciding keeps the escalation on the case, and the log still vouches for the row.
    let done = decided(back, ObjectionOutcome::Upheld);
    store.decide_objection(&done, None).await.unwrap().unwrap();
    assert_eq!(store.objection("O1").await.unwrap().unwrap(), done);
    assert!(!store.escalate_objection(&done).await.unwrap(), "decided");
    xinyong_store::ledger::verify(&*store, None, |_| {})
        .await
        .unwrap();
}

async fn attachments_are_sealed_at_rest_and_held_to_a_quota(db: Db) {
    let store = db.store().await;
    let raw = db.raw().await;
    let first = attachment("A1", PDF);
    assert!(store.store_attachment(&first, PDF, 2).await.unwrap());
    let png = b"\x89PNG\r\n\x1a\n....";
    let second = Attachment {
        media_type: MediaType::Png,
        name: None,
        ..attachment("A2", png)
    };
    assert!(store.store_attachment(&second, png, 2).await.unwrap());
    assert!(
        !store
            .store_attachment(&attachment("A3", PDF), PDF, 2)
            .await
            .unwrap(),
        "the quota is reached: nothing written"
    );
    assert!(store.attachment("A3").await.unwrap().is_none());
    assert_eq!(store.attachment("A1").await.unwrap(), Some(first.clone()));
    assert_eq!(
        store.attachment_content("A1").await.unwrap().as_deref(),
        Some(PDF)
    );
    let mine = store.attachments_of_subject(PERSON).await.unwrap();
    assert_eq!(mine.len(), 2);
    assert!(store.attachment_content("nope").await.unwrap().is_none());
    for needle in [PERSON, "19850726", "PDF-1.4", "缴款"] {
        let hits = raw.columns_containing(needle).await;
        assert!(hits.is_empty(), "{needle:?} stored in clear in {hits:?}");
    }
}

async fn a_cases_deadlines_are_rescheduled_in_the_audit_log_while_it_is_open(db: Db) {
    let store = db.store().await;
    let record = stored_penalty(&*store).await;
    let filed = objection(&record, "O1");
    store
        .file_objection(&filed, RecordStatus::Active, record.version)
        .await
        .unwrap()
        .unwrap();
    let mut moved = filed.clone();
    moved.deadlines[0].deadline.date = moved.deadlines[0].deadline.date.succ_opt().unwrap();
    assert!(store.reschedule_objection(&moved).await.unwrap());
    assert_eq!(store.objection("O1").await.unwrap().unwrap(), moved);
    let pending = application(&record, "R1");
    assert!(store.file_repair(&pending).await.unwrap());
    let mut later = pending.clone();
    later.deadlines[0].deadline.provisional = false;
    later.deadlines[0].deadline.date = later.deadlines[0].deadline.date.succ_opt().unwrap();
    assert!(store.reschedule_repair(&later).await.unwrap());
    assert_eq!(store.repair("R1").await.unwrap().unwrap(), later);
    xinyong_store::ledger::verify(&*store, None, |_| {})
        .await
        .unwrap();
    // A decided case keeps the deadlines it was decided under.
    let done = decided(moved, ObjectionOutcome::Removed);
    store.decide_objection(&done, None).await.unwrap().unwrap();
    assert!(!store.reschedule_objection(&done).await.unwrap());
    xinyong_store::ledger::verify(&*store, None, |_| {})
        .await
        .unwrap();
}

cases!(
    a_cases_deadlines_are_rescheduled_in_the_audit_log_while_it_is_open,
    ledger_verify_names_an_edited_case_row_of_every_kind,
    an_overdue_objection_is_escalated_once_in_the_audit_log,
    attachments_are_sealed_at_rest_and_held_to_a_quota,
);
