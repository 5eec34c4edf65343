//! Grades kept current and categorised supervision (issue #13): a write re-grades its subject
//! at once, the credit check answers with the stored grade, a full evaluation is deterministic,
//! and inspection draws are reproducible and in the audit log.

use axum::http::StatusCode;
use rand::SeedableRng;
use serde_json::{Value, json};
use xinyong_domain::code::{DivisionCode, UnifiedCode};

use crate::common::*;

/// `n` credit codes of legal persons in Shenzhen (division 440300).
fn codes(n: usize) -> Vec<String> {
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(5);
    let div = DivisionCode::parse("440300").unwrap();
    (0..n)
        .map(|_| {
            UnifiedCode::generate(&mut rng, '9', '1', &div)
                .as_str()
                .to_owned()
        })
        .collect()
}

async fn check_grade(app: &App, code: &str) -> Value {
    let (status, body) = app
        .post_json(
            &app.token,
            "/api/v1/checks",
            json!({"subject": code, "context": "government_procurement"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["grade"].clone()
}

#[tokio::test]
async fn a_write_regrades_its_subject_at_once_and_the_check_returns_the_stored_grade() {
    let app = App::new().await;
    assert_eq!(
        check_grade(&app, COMPANY).await,
        Value::Null,
        "no grade before any"
    );
    let (status, _) = app
        .post(json!([penalty(
            COMPANY,
            "罚〔2026〕1号",
            "general",
            "2026-10-01"
        )]))
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let first = check_grade(&app, COMPANY).await;
    assert_eq!(first["model"], "enterprise_general", "{first}");
    assert_eq!(first["as_of"], "2026-11-26");
    let stored = app.state.store.grade(COMPANY).await.unwrap().unwrap();
    assert_eq!(first["score"].as_f64().unwrap(), stored.score);
    let (_, served) = app.get(&format!("/api/v1/subjects/{COMPANY}/grade")).await;
    assert_eq!(served["score"], first["score"], "{served}");

    let (status, _) = app
        .post(json!([penalty(
            COMPANY,
            "罚〔2026〕2号",
            "serious",
            "2026-11-01"
        )]))
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let second = check_grade(&app, COMPANY).await;
    assert!(
        second["score"].as_f64().unwrap() < first["score"].as_f64().unwrap(),
        "a second, serious penalty lowers the grade at once: {first} {second}"
    );
}

/// `n` legal persons, every third with a serious penalty, graded by a full evaluation.
async fn graded(n: usize) -> (App, Vec<String>) {
    let app = App::new().await;
    let codes = codes(n);
    let records: Vec<Value> = codes
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let tier = if i % 3 == 0 { "serious" } else { "minor" };
            penalty(c, &format!("罚〔2026〕{i}号"), tier, "2026-09-01")
        })
        .collect();
    let (status, body) = app.post(Value::Array(records)).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let state = &app.state;
    xinyong_web::grading::evaluate_all(
        &*state.store,
        &state.models,
        &state.catalogue,
        state.today(),
        |_| {},
    )
    .await
    .unwrap();
    (app, codes)
}

fn grades_stored_refs(rows: &[xinyong_store::ledger::LedgerRow]) -> Vec<String> {
    rows.iter()
        .filter(|r| r.entry.kind == "grades.stored")
        .filter_map(|r| r.ref_id.clone())
        .collect()
}

#[tokio::test]
async fn a_full_evaluation_is_deterministic_and_logs_each_batch_with_the_models_digest() {
    let (app, codes) = graded(12).await;
    let store = &*app.state.store;
    let before = store.ledger_size().await.unwrap();
    let mut first = Vec::new();
    for c in &codes {
        first.push(store.grade(c).await.unwrap().unwrap());
    }
    let state = &app.state;
    let done = xinyong_web::grading::evaluate_all(
        store,
        &state.models,
        &state.catalogue,
        state.today(),
        |_| {},
    )
    .await
    .unwrap();
    assert_eq!(done.total(), 12);
    for (c, g) in codes.iter().zip(&first) {
        assert_eq!(&store.grade(c).await.unwrap().unwrap(), g, "{c}");
    }
    let rows = store.ledger_rows(0, 10_000).await.unwrap();
    let refs = grades_stored_refs(&rows);
    let (earlier, last) = (&refs[refs.len() - 2], &refs[refs.len() - 1]);
    assert_eq!(earlier, last, "the same grades, the same digest: {refs:?}");
    assert!(store.ledger_size().await.unwrap() > before);
}

async fn draw(app: &App, body: Value) -> (StatusCode, Value) {
    app.post_json(&app.token, "/api/v1/inspections/draws", body)
        .await
}

#[tokio::test]
async fn an_inspection_draw_is_reproducible_from_its_seed_and_kept_in_the_audit_log() {
    let (app, _) = graded(12).await;
    let (status, a) = draw(
        &app,
        json!({"count": 4, "seed": 7, "population": "kind=legal_person,region=4403"}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{a}");
    assert_eq!(a["drawn"].as_array().unwrap().len(), 4);
    assert_eq!(a["population_size"], 12);
    let (_, b) = draw(
        &app,
        json!({"count": 4, "seed": 7, "population": "kind=legal_person,region=4403"}),
    )
    .await;
    assert_eq!(
        (&a["drawn"], &a["population_digest"]),
        (&b["drawn"], &b["population_digest"]),
        "same seed, same data: same list"
    );
    assert_ne!(a["id"], b["id"]);
    let (_, other) = draw(&app, json!({"count": 4, "seed": 8})).await;
    assert_ne!(other["drawn"], a["drawn"], "another seed, another list");
    let (_, elsewhere) = draw(
        &app,
        json!({"count": 4, "seed": 7, "population": "region=11"}),
    )
    .await;
    assert_eq!(elsewhere["population_size"], 0);
    assert_eq!(elsewhere["drawn"], json!([]));

    let (status, kept) = app.get_as(&app.token, "/api/v1/inspections/draws").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(kept.as_array().unwrap().len(), 4);
    let rows = app.state.store.ledger_rows(0, 10_000).await.unwrap();
    let logged = rows
        .iter()
        .filter(|r| r.entry.kind == "inspection.drawn")
        .count();
    assert_eq!(logged, 4, "every draw is in the audit log");

    for (body, field) in [
        (json!({"count": 0, "seed": 1}), "count"),
        (json!({"count": 10_001, "seed": 1}), "count"),
        (
            json!({"count": 1, "seed": 1, "population": "kind=robot"}),
            "population",
        ),
    ] {
        let (status, problem) = draw(&app, body).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
        assert!(problem.to_string().contains(field), "{problem}");
    }
}

#[tokio::test]
async fn riskier_grades_are_drawn_more_often() {
    let (app, codes) = graded(30).await;
    let poor: Vec<&String> = codes.iter().step_by(3).collect();
    let mut hits = 0;
    for seed in 0..40 {
        let (_, d) = draw(&app, json!({"count": 3, "seed": seed})).await;
        hits += d["drawn"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| poor.iter().any(|p| c.as_str() == Some(p.as_str())))
            .count();
    }
    // A third of the subjects by count; their tier's share is several times the others'.
    let share = f64::from(hits as u32) / 120.0;
    assert!(
        share > 0.4,
        "seriously penalised subjects drawn {share:.2} of the time"
    );
}

#[tokio::test]
async fn the_subject_page_shows_the_grade_with_each_key_factor_and_its_record() {
    let app = App::new().await;
    let (status, _) = app
        .post(json!([penalty(
            COMPANY,
            "罚〔2026〕9号",
            "general",
            "2026-10-01"
        )]))
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, page) = crate::site::html_of(&app.state, format!("/subjects/{COMPANY}")).await;
    assert_eq!(status, StatusCode::OK);
    for shown in [
        "公共信用综合评价",
        "企业公共信用综合评价（通用模型）",
        "主要影响因素",
        "行政处罚",
        "罚〔2026〕9号",
        "影响至",
    ] {
        assert!(page.contains(shown), "{shown} missing");
    }
    let (_, english) =
        crate::site::html_of(&app.state, format!("/subjects/{COMPANY}?lang=en")).await;
    assert!(english.contains("Public credit evaluation") && english.contains("Key factors"));
}

#[tokio::test]
async fn statistics_give_each_departments_timeliness_rejections_and_each_regions_index() {
    use chrono::Datelike;
    let app = App::new().await;
    // Timeliness is judged by the day a record is really recorded: the test's clock is today.
    let today = xinyong_web::china_today();
    app.set_today(today.year(), today.month(), today.day());
    let recent = (today - chrono::Days::new(1)).to_string();
    let old = (today - chrono::Days::new(40)).to_string();
    let (status, _) = app
        .post(json!([
            penalty(COMPANY, "罚〔2026〕1号", "general", &recent),
            penalty(COMPANY, "罚〔2026〕3号", "general", &old)
        ]))
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let mut bad = penalty(OTHER_COMPANY, "罚〔2026〕2号", "general", &recent);
    bad["tier"] = json!("enormous");
    let (status, _) = app.post(json!([bad])).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);

    let (status, departments) = app.get("/api/v1/stats/departments").await;
    assert_eq!(status, StatusCode::OK, "{departments}");
    let samr = departments
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["department"] == SAMR)
        .unwrap();
    assert_eq!(samr["name"], "深圳市市场监督管理局");
    assert_eq!(samr["first_submissions"], 2);
    assert_eq!(
        (&samr["on_time"], &samr["late"], &samr["timeliness"]),
        (&json!(1), &json!(1), &json!(0.5)),
        "decided yesterday: on time; 40 days ago: late ({samr})"
    );
    assert_eq!(samr["accepted_rows"], 2);
    assert_eq!(samr["rejected_rows"], 1);
    assert_eq!(samr["rejection_rate"], 0.3333);
    assert_eq!(samr["objections"], 0);

    let (status, regions) = app.get("/api/v1/stats/regions").await;
    assert_eq!(status, StatusCode::OK, "{regions}");
    let beijing = regions
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["province"] == "11")
        .unwrap();
    assert_eq!(beijing["name_zh"], "北京市");
    assert_eq!(beijing["name_en"], "Beijing");
    assert_eq!(beijing["subjects"], 1);
    assert_eq!(beijing["graded"], 1, "the write graded the subject");
    let mean = beijing["mean_score"].as_f64().unwrap();
    assert_eq!(
        beijing["credit_index"].as_f64().unwrap(),
        mean,
        "no subject listed: the index is the mean score"
    );
    let (status, page) = crate::site::html_of(&app.state, "/stats".to_owned()).await;
    assert_eq!(status, StatusCode::OK);
    for shown in [
        "部门报送情况",
        "深圳市市场监督管理局",
        "50.0%",
        "33.3%",
        "地区信用指数",
        "北京市",
    ] {
        assert!(
            page.contains(shown),
            "{shown} missing from the statistics page"
        );
    }
}

#[tokio::test]
async fn statistics_are_computed_once_and_again_after_every_write_or_day() {
    use axum::body::Body;
    use axum::http::{Request, header};
    let app = App::new().await;
    let samr = |departments: &Value| {
        let all = departments.as_array().unwrap();
        all.iter()
            .find(|d| d["department"] == SAMR)
            .unwrap()
            .clone()
    };
    let beijing = |regions: &Value| {
        let all = regions.as_array().unwrap();
        all.iter().find(|r| r["province"] == "11").unwrap().clone()
    };
    let figures = || async {
        let (status, departments) = app.get("/api/v1/stats/departments").await;
        assert_eq!(status, StatusCode::OK, "{departments}");
        let (status, regions) = app.get("/api/v1/stats/regions").await;
        assert_eq!(status, StatusCode::OK, "{regions}");
        (departments, regions)
    };
    let (status, _) = app
        .post(json!([penalty(
            COMPANY,
            "罚〔2026〕1号",
            "general",
            "2026-10-01"
        )]))
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let (departments, regions) = figures().await;
    assert_eq!(samr(&departments)["first_submissions"], 1);
    assert_eq!(beijing(&regions)["records_in_force"], 1);

    // No write in between: the same figures. They come from the cache: rows counted straight
    // in the store (as by another process's import that rejected every row, which moves no
    // write counter) show only once something else changed or the cache's time ran out.
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 26).unwrap();
    app.state
        .store
        .count_submission(SAMR, today, 0, 5)
        .await
        .unwrap();
    assert_eq!(figures().await, (departments, regions), "served again");

    // A write through this server: computed again, with everything written since.
    let (status, _) = app
        .post(json!([penalty(
            OTHER_COMPANY,
            "罚〔2026〕2号",
            "general",
            "2026-10-02"
        )]))
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let (departments, regions) = figures().await;
    let figures_of_samr = samr(&departments);
    assert_eq!(figures_of_samr["first_submissions"], 2);
    assert_eq!(figures_of_samr["accepted_rows"], 2);
    assert_eq!(figures_of_samr["rejected_rows"], 5);
    assert_eq!(beijing(&regions)["records_in_force"], 2);
    assert_eq!(beijing(&regions)["subjects"], 2);

    // A write by another process (a second server over the same database, with a cache of its
    // own): the store's write counters moved, and this server sees it.
    let mut other = xinyong_web::AppState::new(
        app.state.store.clone(),
        xinyong_domain::Catalogue::shipped(),
    );
    other.clock = app.state.clock.clone();
    let body = json!({"records": [penalty(COMPANY, "罚〔2026〕3号", "general", "2026-10-03")]});
    let req = Request::post("/api/v1/records")
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::AUTHORIZATION, format!("Bearer {}", app.token))
        .body(Body::from(body.to_string()))
        .unwrap();
    let (status, _, _) = respond(&other, req).await;
    assert_eq!(status, StatusCode::CREATED);
    let (departments, regions) = figures().await;
    assert_eq!(samr(&departments)["first_submissions"], 3);
    assert_eq!(beijing(&regions)["records_in_force"], 3);

    // Another day: computed again (publicity has ended by then).
    app.set_today(2036, 1, 1);
    let (_, regions) = figures().await;
    assert_eq!(beijing(&regions)["records_in_force"], 0);
    assert_eq!(beijing(&regions)["subjects"], 2);
}

#[tokio::test]
async fn metrics_are_for_operators_and_name_routes_never_the_codes_asked_for() {
    use axum::body::Body;
    use axum::http::{Request, header};
    let app = App::new().await;
    let (status, _) = app
        .post(json!([penalty(
            COMPANY,
            "罚〔2026〕1号",
            "general",
            "2026-10-01"
        )]))
        .await;
    assert_eq!(status, StatusCode::CREATED);
    check_grade(&app, COMPANY).await;
    let (status, _) = app.get(&format!("/api/v1/subjects/{COMPANY}")).await;
    assert_eq!(status, StatusCode::OK);

    let operator = issue_token(
        &*app.state.store,
        xinyong_store::Role::Operator,
        None,
        None,
        None,
        None,
    )
    .await;
    let scrape = |token: Option<String>| {
        let mut req = Request::get("/metrics");
        if let Some(t) = token {
            req = req.header(header::AUTHORIZATION, format!("Bearer {t}"));
        }
        respond(&app.state, req.body(Body::empty()).unwrap())
    };
    let (status, _, _) = scrape(None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _, _) = scrape(Some(app.token.clone())).await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "a department is not an operator"
    );
    let (status, headers, body) = scrape(Some(operator)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        headers[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("application/openmetrics-text")
    );
    let text = String::from_utf8(body.to_vec()).unwrap();
    for line in [
        "xinyong_checks_total 1",
        "xinyong_records_submitted_total 1",
        "xinyong_grades_held",
        "xinyong_audit_log_entries",
        "xinyong_audit_log_head_age_seconds -1",
        r#"route="/api/v1/subjects/{code}""#,
        r#"route="/api/v1/records",status="201""#,
    ] {
        assert!(text.contains(line), "{line} missing in\n{text}");
    }
    assert!(
        !text.contains(COMPANY),
        "no code asked for appears in a label"
    );
}

#[tokio::test]
async fn a_grade_read_by_the_public_withholds_records_that_are_not_public() {
    let app = App::new().await;
    let (status, accepted) = app
        .post(json!([
            penalty(COMPANY, "罚〔2026〕1号", "general", "2026-10-01"),
            record(
                "social_insurance_arrears",
                COMPANY,
                "社〔2026〕7号",
                json!({"insurance_type": "养老保险", "amount_yuan": "1200.50",
                          "arrears_period": "2025年", "social_security_office": "深圳市社保局"}),
                Some("serious")
            )
        ]))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{accepted}");
    let arrears = accepted["ids"][1].as_str().unwrap().to_owned();
    let uri = format!("/api/v1/subjects/{COMPANY}/grade");
    let (_, public) = app.get(&uri).await;
    let text = public.to_string();
    assert!(
        !text.contains(&arrears) && !text.contains("社〔2026〕7号"),
        "{text}"
    );
    assert!(
        text.contains("罚〔2026〕1号"),
        "the public penalty is named: {text}"
    );
    let withheld: f64 = public["indicators"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["withheld"].as_f64().unwrap_or(0.0))
        .sum();
    assert!(
        withheld < 0.0,
        "its points are withheld, not dropped: {text}"
    );

    let (_, department) = app.get_as(&app.token, &uri).await;
    assert!(
        !department.to_string().contains(&arrears),
        "another reader, the same view"
    );
    let subject = issue_token(
        &*app.state.store,
        xinyong_store::Role::Subject,
        None,
        Some(COMPANY),
        None,
        None,
    )
    .await;
    let (_, own) = app.get_as(&subject, &uri).await;
    assert!(
        own.to_string().contains(&arrears),
        "the subject sees every record: {own}"
    );
    assert_eq!(own["score"], public["score"], "one grade");
    let (_, page) = crate::site::html_of(&app.state, format!("/subjects/{COMPANY}")).await;
    assert!(!page.contains("社〔2026〕7号") && page.contains("非公开信息的影响"));
}
