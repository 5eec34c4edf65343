//! Platform statistics (issue #13): per department, first submissions by decision and
//! recording day, accepted and rejected rows, objections and overturned ones; per province,
//! subjects, records and list entries in force, and stored grades.

use xinyong_domain::RecordStatus;
use xinyong_domain::rights::ObjectionOutcome;

use crate::fixtures::{codes, penalty, today};
use crate::objections::{decided, objection, stored_penalty};
use crate::{Db, cases};

async fn department_figures_count_first_submissions_rejections_and_overturned_objections(db: Db) {
    let store = db.store().await;
    let record = stored_penalty(&*store).await;
    let more = [penalty("罚2", &codes(2)[1], "二")];
    store.submit("SAMR", &more).await.unwrap();
    store.count_submission("SAMR", today(), 2, 3).await.unwrap();
    store.count_submission("SAMR", today(), 0, 1).await.unwrap();

    let days = store.submission_days().await.unwrap();
    let samr: Vec<_> = days.iter().filter(|d| d.department == "SAMR").collect();
    assert_eq!(samr.iter().map(|d| d.records).sum::<u64>(), 2);
    let china_today = (chrono::Utc::now() + chrono::TimeDelta::hours(8)).date_naive();
    assert!(
        samr.iter().all(|d| d.recorded_on == china_today),
        "{samr:?}"
    );
    assert!(samr.iter().all(|d| d.decided_on == record.decided_on));

    let case = objection(&record, "O1");
    store
        .file_objection(&case, RecordStatus::Active, record.version)
        .await
        .unwrap()
        .unwrap();
    store
        .decide_objection(&decided(case, ObjectionOutcome::Removed), None)
        .await
        .unwrap()
        .unwrap();
    // A new version of a record is not a first submission.
    assert_eq!(
        store
            .submission_days()
            .await
            .unwrap()
            .iter()
            .filter(|d| d.department == "SAMR")
            .map(|d| d.records)
            .sum::<u64>(),
        2
    );
    let counts = store.department_counts().await.unwrap();
    let samr = &counts["SAMR"];
    assert_eq!(
        (samr.records, samr.accepted_rows, samr.rejected_rows),
        (2, 2, 4)
    );
    assert_eq!(
        (
            samr.objections,
            samr.decided_objections,
            samr.overturned_objections
        ),
        (1, 1, 1)
    );
}

async fn region_figures_count_subjects_records_in_force_list_entries_and_grades(db: Db) {
    let store = db.store().await;
    crate::fixtures::with_department(&*store, "SAMR").await;
    let codes = codes(2); // Shenzhen: province 44
    store
        .submit(
            "SAMR",
            &[
                penalty("罚1", &codes[0], "一"),
                penalty("罚2", &codes[1], "二"),
            ],
        )
        .await
        .unwrap();
    let lists = vec!["admin_penalty".to_owned()];
    let regions = store.region_counts(&lists, today()).await.unwrap();
    let gd = &regions["44"];
    assert_eq!((gd.subjects, gd.records), (2, 2));
    assert_eq!((gd.list_entries, gd.listed_subjects), (2, 2));
    assert!(gd.grades.is_empty());

    let grades = crate::grades::grade_legal_persons(&*store).await;
    let regions = store.region_counts(&lists, today()).await.unwrap();
    let gd = &regions["44"];
    assert_eq!(gd.grades.values().sum::<u64>(), 2);
    let expected: i64 = grades.iter().map(|(_, g, _)| g.score_centi()).sum();
    assert_eq!(gd.score_centi_sum, expected);
    // After publicity ends nothing is in force.
    let later = today() + chrono::Days::new(3650);
    let regions = store.region_counts(&lists, later).await.unwrap();
    assert_eq!((regions["44"].records, regions["44"].list_entries), (0, 0));
}

async fn readiness_reports_current_migrations_and_matching_keys(db: Db) {
    let store = db.store().await;
    let ready = store.readiness().await;
    assert!(ready.is_ready(), "{ready:?}");
    assert!(ready.migrations_expected >= 20, "{ready:?}");
    // A database a later build migrated past, or one a migration failed on, is not current.
    db.raw()
        .await
        .exec("DELETE FROM _sqlx_migrations WHERE version = (SELECT MAX(version) FROM _sqlx_migrations)")
        .await;
    let behind = store.readiness().await;
    assert!(!behind.is_ready());
    assert_eq!(behind.migrations_applied, ready.migrations_expected - 1);
    assert!(behind.database && behind.keys);
}

cases!(
    department_figures_count_first_submissions_rejections_and_overturned_objections,
    region_figures_count_subjects_records_in_force_list_entries_and_grades,
    readiness_reports_current_migrations_and_matching_keys,
);
