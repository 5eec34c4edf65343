//! Subjects, search and the public read paths (issue #3), and the comparison of the two
//! engines query by query.

use std::collections::BTreeSet;

use chrono::NaiveDate;
use rand::SeedableRng;
use serde_json::json;
use xinyong_domain::code::DivisionCode;
use xinyong_domain::{Catalogue, RawRecord, ValidRecord};
use xinyong_store::Store;

use crate::fixtures::{codes, penalty, today, with_department};
use crate::{Db, cases};
fn licence(doc: &str, code: &str, name: &str, kind: &str, decided_on: &str) -> ValidRecord {
    let raw = RawRecord::from_json(&json!({
        "category": "admin_license",
        "subject": {"code": code, "name": name, "kind": kind},
        "document_no": doc,
        "decided_on": decided_on,
        "legal_basis": "《中华人民共和国行政许可法》第四十条",
        "fields": {"license_category": "普通", "content": "食品经营许可", "valid_from": decided_on, "authority": "深圳市市场监督管理局"}
    }))
    .unwrap();
    Catalogue::shipped().validate(&raw, today()).unwrap()
}

const SEARCH_NAMES: &[&str] = &[
    "深圳市腾讯计算机系统有限公司",
    "腾讯科技（深圳）有限公司",
    "华为技术有限公司",
    "深圳市华为技术服务有限公司",
    "中华为民科技有限公司",
    "Tencent Music (Shenzhen) Co., Ltd. 深圳市腾讯音乐娱乐科技有限公司",
];

/// Stores the subjects of [`SEARCH_NAMES`] (codes from `codes`) and one natural person.
async fn search_fixture(store: &dyn Store) -> (Vec<String>, String) {
    with_department(store, "SAMR").await;
    let c = codes(SEARCH_NAMES.len());
    let mut batch: Vec<_> = SEARCH_NAMES
        .iter()
        .zip(&c)
        .enumerate()
        .map(|(i, (name, code))| {
            licence(&format!("许{i}"), code, name, "legal_person", "2026-03-01")
        })
        .collect();
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(5);
    let person = xinyong_domain::code::CitizenId::generate(
        &mut rng,
        &DivisionCode::parse("440305").unwrap(),
        1970..=1990,
    )
    .as_str()
    .to_owned();
    batch.push(licence(
        "许人",
        &person,
        "张伟",
        "natural_person",
        "2026-03-01",
    ));
    store.submit("SAMR", &batch).await.unwrap();
    (c, person)
}

async fn names(store: &dyn Store, q: &str) -> Vec<String> {
    let query = xinyong_domain::search::parse_query(q).unwrap();
    let page = store.search_subjects(&query, 50, 0).await.unwrap();
    assert_eq!(page.total as usize, page.subjects.len(), "{q}");
    page.subjects.into_iter().map(|s| s.name).collect()
}

async fn subject_pages_are_stable_and_complete(db: Db) {
    let store = db.store().await;
    with_department(&*store, "SAMR").await;
    let c = codes(25);
    let batch: Vec<_> = c
        .iter()
        .enumerate()
        .map(|(i, code)| penalty(&format!("罚{i}"), code, "x"))
        .collect();
    store.submit("SAMR", &batch).await.unwrap();
    let mut seen = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let page = store.subjects_page(after.as_deref(), 10).await.unwrap();
        if page.is_empty() {
            break;
        }
        after = page.last().map(|s| s.id.clone());
        seen.extend(page);
    }
    assert_eq!(seen.len(), 25);
    let codes_seen: BTreeSet<_> = seen.iter().map(|s| s.code.to_string()).collect();
    assert_eq!(codes_seen, c.into_iter().collect());
    let again = store.subjects_page(None, 25).await.unwrap();
    assert_eq!(again, seen, "same order every time");
}

async fn search_finds_two_character_short_names_and_ranks_them(db: Db) {
    let store = db.store().await;
    search_fixture(&*store).await;
    assert_eq!(
        names(&*store, "腾讯").await,
        [SEARCH_NAMES[1], SEARCH_NAMES[0], SEARCH_NAMES[5]]
    );
    // A name where 华为 is only two adjacent characters, not a word, ranks last.
    assert_eq!(
        names(&*store, "华为").await,
        [SEARCH_NAMES[2], SEARCH_NAMES[3], SEARCH_NAMES[4]]
    );
    assert_eq!(
        names(&*store, "华为 技术").await,
        [SEARCH_NAMES[2], SEARCH_NAMES[3]]
    );
    assert_eq!(names(&*store, "腾讯计算机").await, [SEARCH_NAMES[0]]);
    // The exact name first, even among longer matches.
    assert_eq!(names(&*store, "华为技术有限公司").await, [SEARCH_NAMES[2]]);
    assert_eq!(names(&*store, "tencent MUSIC").await, [SEARCH_NAMES[5]]);
    assert!(names(&*store, "阿里巴巴").await.is_empty());
}

async fn search_finds_codes_and_prefixes_but_not_identity_prefixes(db: Db) {
    let store = db.store().await;
    let (c, person) = search_fixture(&*store).await;
    assert_eq!(names(&*store, &c[2]).await, [SEARCH_NAMES[2]]);
    assert_eq!(
        names(&*store, &c[2].to_lowercase()).await,
        [SEARCH_NAMES[2]]
    );
    // Every organisation code of the fixture begins with 91440305.
    let mut by_code: Vec<_> = c.iter().cloned().zip(SEARCH_NAMES.iter()).collect();
    by_code.sort();
    let expected: Vec<String> = by_code.iter().map(|(_, n)| n.to_string()).collect();
    assert_eq!(names(&*store, &c[0][..8]).await, expected);
    // An exact code ranks first among the codes it is a prefix of (none here but itself).
    assert_eq!(names(&*store, &c[3][..17]).await, [SEARCH_NAMES[3]]);
    // A person is found by the whole identity number only.
    assert_eq!(names(&*store, &person).await, ["张伟"]);
    assert!(names(&*store, &person[..10]).await.is_empty());
}

async fn search_pages_and_follows_renames(db: Db) {
    let store = db.store().await;
    let (c, _) = search_fixture(&*store).await;
    let query = xinyong_domain::search::parse_query("有限公司").unwrap();
    let all = store.search_subjects(&query, 50, 0).await.unwrap();
    assert_eq!((all.total, all.more), (6, false));
    let mut paged = Vec::new();
    for offset in [0, 4] {
        let page = store.search_subjects(&query, 4, offset).await.unwrap();
        assert_eq!(page.total, 6);
        paged.extend(page.subjects);
    }
    assert_eq!(paged, all.subjects);
    let past = store.search_subjects(&query, 4, 40).await.unwrap();
    assert_eq!((past.total, past.subjects.len()), (6, 0));

    // A new name replaces the old one in the index.
    store
        .submit(
            "SAMR",
            &[licence(
                "许新",
                &c[4],
                "深圳市鹏城云计算有限公司",
                "legal_person",
                "2026-04-01",
            )],
        )
        .await
        .unwrap();
    assert!(
        !names(&*store, "华为")
            .await
            .contains(&SEARCH_NAMES[4].to_owned())
    );
    assert_eq!(names(&*store, "鹏城").await, ["深圳市鹏城云计算有限公司"]);
}

async fn current_records_of_a_category_are_filtered_and_paged(db: Db) {
    let store = db.store().await;
    with_department(&*store, "SAMR").await;
    with_department(&*store, "TAX").await;
    let c = codes(5);
    let batch: Vec<_> = (0..5)
        .map(|i| penalty(&format!("罚{i}"), &c[i], "x"))
        .collect();
    store.submit("SAMR", &batch[..3]).await.unwrap();
    store.submit("TAX", &batch[3..]).await.unwrap();
    // One minor penalty: never on a public list.
    let mut minor = penalty("罚minor", &c[0], "y");
    minor.tier = Some(xinyong_domain::Tier::Minor);
    store.submit("SAMR", &[minor]).await.unwrap();
    let filter = |region: Option<&str>, department: Option<&str>, day: NaiveDate| {
        xinyong_store::CategoryFilter {
            category: "admin_penalty".into(),
            today: day,
            region: region.map(str::to_owned),
            department: department.map(str::to_owned),
        }
    };
    let all = store
        .current_records_in_category(&filter(None, None, today()), 2, 0)
        .await
        .unwrap();
    assert_eq!((all.total, all.records.len()), (5, 2));
    let rest = store
        .current_records_in_category(&filter(None, None, today()), 10, 2)
        .await
        .unwrap();
    assert_eq!(rest.records.len(), 3);
    let tax = store
        .current_records_in_category(&filter(Some("4403"), Some("TAX"), today()), 10, 0)
        .await
        .unwrap();
    assert_eq!(tax.total, 2);
    assert!(tax.records.iter().all(|r| r.department == "TAX"));
    let elsewhere = store
        .current_records_in_category(&filter(Some("11"), None, today()), 10, 0)
        .await
        .unwrap();
    assert_eq!(elsewhere.total, 0);
    // After the publicity period nothing is current, without any job having run.
    let later = store
        .current_records_in_category(
            &filter(None, None, NaiveDate::from_ymd_opt(2030, 1, 1).unwrap()),
            10,
            0,
        )
        .await
        .unwrap();
    assert_eq!(later.total, 0);

    let stats = store
        .record_stats(&["admin_penalty".into()], today())
        .await
        .unwrap();
    assert_eq!(
        stats,
        [xinyong_store::StatRow {
            category: "admin_penalty".into(),
            month: "2026-03".into(),
            province: "44".into(),
            count: 5
        }]
    );

    let mut seen = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let page = store
            .current_records_after(&["admin_penalty".into()], today(), after.as_deref(), 2)
            .await
            .unwrap();
        let Some(last) = page.last() else { break };
        after = Some(last.id.to_string());
        seen.extend(page);
    }
    assert_eq!(seen.len(), 5);
    assert!(seen.windows(2).all(|w| w[0].id < w[1].id));
}

/// The same synthetic subjects in both engines give the same results for every query: same
/// subjects, same order, same totals.
#[tokio::test]
async fn search_results_are_identical_on_sqlite_and_postgresql() {
    let Some((pg, schema)) =
        crate::postgres_db("search_results_are_identical_on_sqlite_and_postgresql").await
    else {
        return;
    };
    let pg = pg.store().await;
    let lite_db = crate::sqlite_db();
    let lite = lite_db.store().await;
    let catalogue = Catalogue::shipped();
    let mut synthetic = xinyong_domain::synthetic::Synthetic::new(&catalogue, 3, today());
    let mut by_department: std::collections::BTreeMap<String, Vec<ValidRecord>> =
        Default::default();
    let mut subjects = Vec::new();
    for _ in 0..400 {
        let s = synthetic.next_subject();
        for (dept, raw) in &s.records {
            by_department
                .entry(dept.clone())
                .or_default()
                .push(catalogue.validate(raw, today()).unwrap());
        }
        subjects.push((s.code, s.name));
    }
    for store in [&lite, &pg] {
        for d in synthetic.departments() {
            store.put_department(d).await.unwrap();
        }
        for (dept, records) in &by_department {
            store.submit(dept, records).await.unwrap();
        }
    }
    let mut queries: Vec<String> = vec![
        "有限公司".into(),
        "科技".into(),
        "华".into(),
        "深圳 科技".into(),
        "建筑工程 有限".into(),
        "协会".into(),
        "王".into(),
    ];
    for (code, name) in subjects.iter().step_by(7) {
        let chars: Vec<char> = name.chars().collect();
        queries.push(chars[chars.len().saturating_sub(6)..].iter().collect());
        queries.push(chars[..chars.len().min(4)].iter().collect());
        queries.push(name.clone());
        queries.push(code[..10].to_owned());
        queries.push(code.clone());
    }
    let mut compared = 0;
    for q in &queries {
        let Ok(query) = xinyong_domain::search::parse_query(q) else {
            continue;
        };
        for (limit, offset) in [(10, 0), (7, 3)] {
            let a = lite.search_subjects(&query, limit, offset).await.unwrap();
            let b = pg.search_subjects(&query, limit, offset).await.unwrap();
            let key = |p: &xinyong_store::SearchPage| {
                (
                    p.total,
                    p.more,
                    p.subjects
                        .iter()
                        .map(|s| (s.code.clone(), s.name.clone()))
                        .collect::<Vec<_>>(),
                )
            };
            assert_eq!(
                key(&a),
                key(&b),
                "query {q:?} limit {limit} offset {offset}"
            );
            compared += 1;
        }
    }
    assert!(compared > 200, "{compared}");
    crate::drop_schema(&schema).await;
}

cases!(
    subject_pages_are_stable_and_complete,
    search_finds_two_character_short_names_and_ranks_them,
    search_finds_codes_and_prefixes_but_not_identity_prefixes,
    search_pages_and_follows_renames,
    current_records_of_a_category_are_filtered_and_paged,
);
