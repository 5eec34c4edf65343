//! Stored grades and inspection draws (issue #13): an evaluation streams every subject of the
//! graded kinds once with its records; stored grades replace the previous and are logged with
//! the model's digest; the same data, date and model give the same stored grades; a draw is
//! kept and logged.

use chrono::{DurationRound, TimeDelta, Utc};
use xinyong_domain::grading::Grade;
use xinyong_domain::grading::{Model, evaluate};
use xinyong_domain::inspection::{InspectionDraw, Population};
use xinyong_domain::list::ListTypes;
use xinyong_domain::{Catalogue, SubjectKind};
use xinyong_store::grades::GradedSubject;
use xinyong_store::{Store, StoredSubject};

use crate::fixtures::{codes, penalty, today, with_department};
use crate::{Db, cases};

fn enterprise_model() -> Model {
    Model::shipped(&Catalogue::shipped(), &ListTypes::shipped())
        .unwrap()
        .into_iter()
        .find(|m| m.id == "enterprise_general")
        .unwrap()
}

/// Grades the legal persons of the first page (up to 10) with the general model on
/// `today()`, stores the grades, and returns each subject with its grade and records.
pub(crate) async fn grade_legal_persons(
    store: &dyn Store,
) -> Vec<(StoredSubject, Grade, Vec<xinyong_domain::Record>)> {
    let model = enterprise_model();
    let page = store
        .subjects_to_grade(&[SubjectKind::LegalPerson], None, 10)
        .await
        .unwrap();
    let graded: Vec<_> = page
        .subjects
        .into_iter()
        .map(|(s, r)| {
            let g = evaluate(&model, &Catalogue::shipped(), &r, today());
            (s, g, r)
        })
        .collect();
    let refs: Vec<_> = graded.iter().map(|(s, g, _)| (s, g)).collect();
    store.put_grades(&model, today(), &refs).await.unwrap();
    graded
}

/// Three subjects: the first with two penalties, the second with one, the third with one.
async fn three_penalised(store: &dyn Store) -> Vec<String> {
    with_department(store, "SAMR").await;
    let codes = codes(3);
    let records = [
        penalty("罚1", &codes[0], "一"),
        penalty("罚2", &codes[0], "二"),
        penalty("罚3", &codes[1], "三"),
        penalty("罚4", &codes[2], "四"),
    ];
    store.submit("SAMR", &records).await.unwrap();
    let mut sorted = codes;
    sorted.sort();
    sorted
}

/// Every page of an evaluation's stream, with the number of records each subject came with.
async fn stream(store: &dyn Store, kinds: &[SubjectKind], limit: u32) -> Vec<(String, usize)> {
    let mut out = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let page = store
            .subjects_to_grade(kinds, after.as_deref(), limit)
            .await
            .unwrap();
        for (s, records) in &page.subjects {
            assert!(
                records.iter().all(|r| r.subject_code == s.code),
                "a subject's own records only"
            );
            out.push((s.code.as_str().to_owned(), records.len()));
        }
        match page.next {
            Some(next) => after = Some(next),
            None => return out,
        }
    }
}

async fn an_evaluation_streams_every_subject_of_the_graded_kinds_once_with_its_records(db: Db) {
    let store = db.store().await;
    let twice = codes(3)[0].clone();
    let codes = three_penalised(&*store).await;
    let counts = |c: &str| if c == twice { 2 } else { 1 };
    for limit in [1, 2, 10] {
        let seen = stream(&*store, &[SubjectKind::LegalPerson], limit).await;
        let expected: Vec<(String, usize)> = codes.iter().map(|c| (c.clone(), counts(c))).collect();
        assert_eq!(seen, expected, "page size {limit}");
    }
    assert!(
        stream(&*store, &[SubjectKind::GovernmentBody], 10)
            .await
            .is_empty(),
        "no subject of another kind"
    );
}

async fn stored_grades_replace_the_previous_and_are_logged_with_the_models_digest(db: Db) {
    let store = db.store().await;
    three_penalised(&*store).await;
    let model = enterprise_model();
    let catalogue = Catalogue::shipped();
    let grades = grade_legal_persons(&*store).await;
    let (first, first_grade, first_records) = &grades[0];
    assert_eq!(
        store.grade(first.code.as_str()).await.unwrap().as_ref(),
        Some(first_grade),
        "the whole explanation comes back"
    );
    assert!(first_grade.score < 100.0 && !first_grade.key_factors.is_empty());

    // Grading again on a later day replaces the row: one grade per subject.
    let later = today() + chrono::Days::new(200);
    let again = evaluate(&model, &catalogue, first_records, later);
    store
        .put_grades(&model, later, &[(first, &again)])
        .await
        .unwrap();
    assert_eq!(store.grade(first.code.as_str()).await.unwrap(), Some(again));
    let graded: Vec<GradedSubject> = store.graded_after(None, 10).await.unwrap();
    assert_eq!(graded.len(), 3);
    assert_eq!(graded[0].summary.as_of, later);
    assert_eq!(graded[1].summary, grades[1].1.summary());
    assert_eq!(
        store.graded_after(Some(&graded[0].code), 10).await.unwrap(),
        graded[1..]
    );

    let rows = store.ledger_rows(0, 1000).await.unwrap();
    let logged: Vec<&str> = rows
        .iter()
        .filter(|r| r.entry.kind == "grades.stored")
        .filter_map(|r| r.ref_id.as_deref())
        .collect();
    assert_eq!(logged.len(), 2, "{logged:?}");
    assert!(
        logged[0].starts_with(&format!("grades:{}@{}:", model.id, model.version)),
        "{logged:?}"
    );
    xinyong_store::ledger::verify(&*store, None, |_| {})
        .await
        .unwrap();
}

async fn the_same_data_date_and_model_give_the_same_stored_grades(db: Db) {
    let store = db.store().await;
    three_penalised(&*store).await;
    let mut runs = Vec::new();
    for _ in 0..2 {
        let grades = grade_legal_persons(&*store).await;
        let mut stored = Vec::new();
        for (s, _, _) in &grades {
            stored.push(store.grade(s.code.as_str()).await.unwrap().unwrap());
        }
        runs.push(stored);
    }
    assert_eq!(runs[0], runs[1]);
    let rows = store.ledger_rows(0, 1000).await.unwrap();
    let refs: Vec<&str> = rows
        .iter()
        .filter(|r| r.entry.kind == "grades.stored")
        .filter_map(|r| r.ref_id.as_deref())
        .collect();
    assert_eq!(refs.len(), 2);
    assert_eq!(refs[0], refs[1], "the same grades' digest");
}

async fn an_inspection_draw_is_kept_for_its_department_and_logged(db: Db) {
    let store = db.store().await;
    let draw = InspectionDraw {
        id: "D1".into(),
        department: "SAMR".into(),
        seed: u64::MAX - 3,
        requested: 2,
        population: Population::parse("kind=legal_person,region=4403").unwrap(),
        population_size: 3,
        population_digest: "ab".repeat(32),
        drawn: codes(2),
        drawn_at: Utc::now()
            .duration_trunc(TimeDelta::milliseconds(1))
            .unwrap(),
    };
    store.store_draw(&draw).await.unwrap();
    assert_eq!(
        store.draws_of_department("SAMR").await.unwrap(),
        std::slice::from_ref(&draw)
    );
    assert!(store.draws_of_department("TAX").await.unwrap().is_empty());
    let rows = store.ledger_rows(0, 100).await.unwrap();
    assert!(
        rows.iter()
            .any(|r| r.entry.kind == "inspection.drawn"
                && r.ref_id.as_deref() == Some("inspection:D1")),
        "the draw is in the log"
    );
}

cases!(
    an_evaluation_streams_every_subject_of_the_graded_kinds_once_with_its_records,
    stored_grades_replace_the_previous_and_are_logged_with_the_models_digest,
    the_same_data_date_and_model_give_the_same_stored_grades,
    an_inspection_draw_is_kept_for_its_department_and_logged,
);
