//! Reports of trust-breaking: found by the hash of the tracking number, listed for their
//! department only, content and contact sealed at rest.

use chrono::{DurationRound, TimeDelta, Utc};
use xinyong_domain::code::SubjectCode;
use xinyong_domain::report::{Report, ReportStatus};

use crate::fixtures::codes;
use crate::{Db, cases};

async fn a_report_is_found_by_its_tracking_hash_and_read_by_its_department_alone(db: Db) {
    let store = db.store().await;
    let now = Utc::now()
        .duration_trunc(TimeDelta::milliseconds(1))
        .unwrap();
    let report = Report {
        id: "RP1".into(),
        category: "tax_violation".into(),
        subject_code: SubjectCode::parse(&codes(1)[0]).unwrap(),
        content: "虚开发票，经手人身份证号440305198507265865".into(),
        contact: Some("举报人13912345678".into()),
        department: "TAX".into(),
        status: ReportStatus::Received,
        status_note: None,
        filed_at: now,
        updated_at: now,
    };
    store
        .file_report(&report, "hash-of-tracking")
        .await
        .unwrap();
    assert_eq!(
        store.report_by_tracking("hash-of-tracking").await.unwrap(),
        Some(report.clone())
    );
    assert!(store.report_by_tracking("other").await.unwrap().is_none());
    assert_eq!(
        store.reports_for("TAX").await.unwrap(),
        std::slice::from_ref(&report)
    );
    assert!(store.reports_for("SAMR").await.unwrap().is_empty());
    assert!(
        store
            .update_report("SAMR", "RP1", ReportStatus::Closed, None)
            .await
            .unwrap()
            .is_none()
    );
    let closed = store
        .update_report("TAX", "RP1", ReportStatus::Closed, Some("已立案"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (closed.status, closed.status_note.as_deref()),
        (ReportStatus::Closed, Some("已立案"))
    );
    let raw = db.raw().await;
    for secret in ["440305198507265865", "13912345678", "虚开发票"] {
        assert!(raw.columns_containing(secret).await.is_empty(), "{secret}");
    }
}

cases!(a_report_is_found_by_its_tracking_hash_and_read_by_its_department_alone);
