//! No opaque scores (SPEC invariant): grades come from published models, are deterministic,
//! and every point of a score traces to a record and a rule (issue #13).

use chrono::{NaiveDate, Utc};
use serde_json::json;
use xinyong_domain::grading::{Grade, Model, evaluate};
use xinyong_domain::list::ListTypes;
use xinyong_domain::{Catalogue, RawRecord, Record, RecordStatus};

const COMPANY: &str = "91110000600037341L";

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 12, 2).unwrap()
}

fn model() -> Model {
    Model::shipped(&Catalogue::shipped(), &ListTypes::shipped())
        .unwrap()
        .into_iter()
        .find(|m| m.id == "enterprise_general")
        .unwrap()
}

fn record(
    id: &str,
    category: &str,
    tier: Option<&str>,
    decided_on: &str,
    fields: serde_json::Value,
) -> Record {
    let mut v = json!({
        "category": category,
        "subject": {"code": COMPANY, "name": "北京示例科技有限公司", "kind": "legal_person"},
        "document_no": format!("文{id}"), "decided_on": decided_on,
        "legal_basis": "《某法》第一条", "fields": fields,
    });
    if let Some(t) = tier {
        v["tier"] = json!(t);
    }
    let raw = RawRecord::from_json(&v).unwrap();
    Catalogue::shipped()
        .validate(&raw, today())
        .unwrap_or_else(|e| panic!("{id}: {e:?}"))
        .into_record(id, "D", Utc::now())
}

fn penalty(id: &str, tier: &str, decided_on: &str, fine: &str) -> Record {
    record(
        id,
        "admin_penalty",
        Some(tier),
        decided_on,
        json!({
        "facts": "发布虚假广告", "penalty_kind": "罚款", "content": "罚款", "authority": "市场监管局",
        "fine_10k_yuan": fine}),
    )
}

fn licence(id: &str) -> Record {
    record(
        id,
        "admin_license",
        None,
        "2026-01-10",
        json!({
        "license_category": "普通", "certificate_name": "食品经营许可证", "license_no": format!("JY{id}"),
        "content": "食品销售", "valid_from": "2026-01-10", "authority": "市场监管局"}),
    )
}

fn firm() -> Vec<Record> {
    vec![
        penalty("P1", "general", "2026-09-01", "2"),
        penalty("P2", "serious", "2026-06-01", "150"),
        penalty("P3", "minor", "2026-11-20", "0.1"),
        licence("L1"),
        licence("L2"),
    ]
}

fn applied(g: &Grade) -> f64 {
    g.indicators
        .iter()
        .flat_map(|i| &i.contributions)
        .map(|c| c.applied)
        .sum()
}

#[test]
fn the_same_data_date_and_model_give_the_same_grade() {
    let (m, cat) = (model(), Catalogue::shipped());
    let mut records = firm();
    let a = evaluate(&m, &cat, &records, today());
    records.reverse();
    let b = evaluate(&m, &cat, &records, today());
    assert_eq!(a, b, "order of records does not matter");
    assert_eq!(a.model_version, m.version);
}

#[test]
fn every_point_of_a_score_traces_to_a_record_and_a_rule() {
    let (m, cat) = (model(), Catalogue::shipped());
    let g = evaluate(&m, &cat, &firm(), today());
    let start: f64 = m.indicators.iter().map(|i| i.start).sum();
    assert!(
        (g.score - (start + applied(&g))).abs() < 1e-9,
        "{} vs {start} + {}",
        g.score,
        applied(&g)
    );
    for i in &g.indicators {
        let sum: f64 = i.contributions.iter().map(|c| c.applied).sum();
        assert!((i.score - (i.start + sum)).abs() < 1e-9, "{}", i.id);
        for c in &i.contributions {
            assert!(firm().iter().any(|r| r.id == c.record), "{c:?}");
            assert!(
                m.indicators
                    .iter()
                    .flat_map(|i| &i.rules)
                    .any(|r| r.id == c.rule)
            );
        }
    }
    assert!(g.score < start, "penalties cost points: {g:?}");
}

#[test]
fn at_most_four_key_factors_each_naming_its_record_most_important_first() {
    let (m, cat) = (model(), Catalogue::shipped());
    let mut records = firm();
    records.extend((0..5).map(|i| penalty(&format!("Q{i}"), "general", "2026-08-01", "1")));
    let g = evaluate(&m, &cat, &records, today());
    assert_eq!(g.key_factors.len(), 4);
    assert_eq!(
        g.key_factors[0].record, "P2",
        "the serious penalty with the large fine first"
    );
    assert!(
        g.key_factors
            .iter()
            .all(|k| k.applied < 0.0 && !k.record.as_str().is_empty())
    );
    assert!(
        g.key_factors
            .windows(2)
            .all(|w| w[0].applied.abs() >= w[1].applied.abs())
    );
}

#[test]
fn repaired_revoked_removed_and_expired_records_never_count() {
    let (m, cat) = (model(), Catalogue::shipped());
    let clean = evaluate(&m, &cat, &[licence("L1"), licence("L2")], today());
    for status in [
        RecordStatus::Repaired,
        RecordStatus::Revoked,
        RecordStatus::Removed,
    ] {
        let mut p = penalty("P1", "serious", "2026-06-01", "150");
        p.status = status;
        let g = evaluate(&m, &cat, &[licence("L1"), licence("L2"), p], today());
        assert_eq!(g.score, clean.score, "{status:?}");
        assert!(
            g.indicators
                .iter()
                .all(|i| i.contributions.iter().all(|c| c.record != "P1"))
        );
    }
    let old = penalty("P9", "general", "2025-06-01", "1");
    assert!(old.publicity_until <= today(), "the fixture has expired");
    assert_eq!(
        evaluate(&m, &cat, &[licence("L1"), licence("L2"), old], today()).score,
        clean.score
    );
}

#[test]
fn each_deduction_says_until_when_it_counts_and_from_when_it_can_be_repaired() {
    let (m, cat) = (model(), Catalogue::shipped());
    let records = [
        penalty("P1", "general", "2026-09-01", "2"),
        penalty("P4", "general", "2026-10-15", "2"),
        penalty("P5", "minor", "2026-11-20", "0.1"),
    ];
    let g = evaluate(&m, &cat, &records, today());
    let factor = |id: &str| {
        let c = g
            .indicators
            .iter()
            .flat_map(|i| &i.contributions)
            .find(|c| c.record == id)
            .unwrap();
        (c.counts_until, serde_json::to_value(c).unwrap())
    };
    // Decided 1 September: counts for 12 months; its 3-month minimum ended on 1 December.
    let (until, p1) = factor("P1");
    assert_eq!(until, NaiveDate::from_ymd_opt(2027, 9, 1).unwrap());
    assert_eq!(p1["repair"], "now");
    // Decided 15 October: repairable from 15 January.
    let (_, p4) = factor("P4");
    assert_eq!(
        (p4["repair"].as_str(), p4["date"].as_str()),
        (Some("from"), Some("2027-01-15"))
    );
    // Minor tier: repaired once the obligation is fulfilled.
    assert_eq!(factor("P5").1["repair"], "on_fulfilment");
}

#[test]
fn a_withheld_record_is_not_named_but_its_points_still_add_up() {
    let (m, cat) = (model(), Catalogue::shipped());
    let full = evaluate(&m, &cat, &firm(), today());
    let mut public = full.clone();
    public.withhold(|id| id.as_str() != "P2");
    assert_eq!(public.score, full.score, "the grade is the same");
    let named = public.to_owned();
    assert!(
        !serde_json::to_string(&named).unwrap().contains("\"P2\""),
        "the withheld record is named nowhere"
    );
    assert!(public.key_factors.iter().all(|c| c.record.as_str() != "P2"));
    for i in &public.indicators {
        let sum: f64 = i.contributions.iter().map(|c| c.applied).sum();
        assert!(
            (i.score - (i.start + sum + i.withheld)).abs() < 1e-9,
            "{}: {} vs {} + {sum} + {}",
            i.id,
            i.score,
            i.start,
            i.withheld
        );
    }
    let withheld: f64 = public.indicators.iter().map(|i| i.withheld).sum();
    assert!(
        withheld < 0.0,
        "the serious penalty's deduction is withheld, not dropped"
    );
}
