//! Bad input is refused field by field (issue #11, item 9): placeholder dates, negative amounts,
//! people born after the decision about them, and names carrying invisible or direction-changing
//! characters were all accepted before.

use chrono::NaiveDate;
use serde_json::{Value, json};
use xinyong_domain::Catalogue;
use xinyong_domain::RawRecord;
use xinyong_domain::code::{CitizenId, DivisionCode};
use xinyong_domain::list::{ListTypes, RawListEntry};

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 12, 2).unwrap()
}

fn penalty() -> Value {
    json!({
        "category": "admin_penalty",
        "subject": {"code": "91110000600037341L", "name": "北京示例科技有限公司", "kind": "legal_person"},
        "document_no": "京市监罚〔2026〕1号", "decided_on": "2026-10-01",
        "legal_basis": "《中华人民共和国行政处罚法》第二十八条", "tier": "general",
        "fields": {"facts": "发布虚假广告", "penalty_kind": "罚款", "content": "罚款人民币二万元",
                   "authority": "北京市市场监督管理局", "fine_10k_yuan": "2"}
    })
}

/// The errors of a record that differs from [`penalty`] by `change`, as `field: message`.
fn errors_of(change: impl FnOnce(&mut Value)) -> Vec<String> {
    let mut v = penalty();
    change(&mut v);
    let raw = RawRecord::from_json(&v).unwrap();
    match Catalogue::shipped().validate(&raw, today()) {
        Ok(_) => Vec::new(),
        Err(errors) => errors.iter().map(ToString::to_string).collect(),
    }
}

fn person_born(y: i32) -> String {
    let mut rng = <rand_chacha::ChaCha8Rng as rand::SeedableRng>::seed_from_u64(3);
    let div = DivisionCode::parse("440305").unwrap();
    CitizenId::generate(&mut rng, &div, y..=y)
        .as_str()
        .to_owned()
}

#[test]
fn the_fixture_is_valid() {
    assert_eq!(errors_of(|_| {}), Vec::<String>::new());
}

#[test]
fn no_record_without_a_source_refuses_placeholder_decision_dates() {
    for date in ["0000-01-01", "1900-01-01"] {
        let errors = errors_of(|v| v["decided_on"] = json!(date));
        assert!(
            errors
                .iter()
                .any(|e| e.starts_with("decided_on:") && e.contains("1949-10-01")),
            "{date}: {errors:?}"
        );
    }
}

#[test]
fn amounts_are_never_negative() {
    let errors = errors_of(|v| v["fields"]["fine_10k_yuan"] = json!("-5"));
    assert!(
        errors
            .iter()
            .any(|e| e.starts_with("fields.fine_10k_yuan:") && e.contains("negative")),
        "{errors:?}"
    );
}

#[test]
fn a_person_born_after_the_decision_is_refused() {
    let unborn = person_born(2030);
    let errors = errors_of(|v| {
        v["category"] = json!("admin_penalty");
        v["subject"] = json!({"code": unborn, "name": "张三", "kind": "natural_person"});
    });
    assert!(
        errors
            .iter()
            .any(|e| e.starts_with("subject.code:") && e.contains("lies after")),
        "{errors:?}"
    );
    // A number that is otherwise valid and belongs to someone already born passes.
    let born = person_born(1980);
    let errors = errors_of(|v| {
        v["subject"] = json!({"code": born, "name": "张三", "kind": "natural_person"});
    });
    assert!(
        !errors.iter().any(|e| e.contains("lies after")),
        "{errors:?}"
    );
}

#[test]
fn subject_names_with_line_breaks_or_direction_overrides_are_refused() {
    for name in ["示例\u{202E}司公限有", "示例\n有限公司"] {
        let errors = errors_of(|v| v["subject"]["name"] = json!(name));
        assert!(
            errors.iter().any(|e| e.starts_with("subject.name:")),
            "{name:?}: {errors:?}"
        );
    }
}

#[test]
fn a_person_born_after_the_listing_cannot_be_bound_to_it() {
    let unborn = person_born(2030);
    let raw = RawListEntry::from_json(&json!({
        "subject": {"code": "91350200MA2YJ1XR9G", "name": "厦门示例贸易有限公司", "kind": "legal_person"},
        "ground": "able_but_refuses", "document_no": "(2026)粤03执1号", "starts_on": "2026-06-01",
        "related_persons": [{"code": unborn, "name": "张三", "role": "legal_representative"}],
    }))
    .unwrap();
    let types = ListTypes::shipped();
    let errors = types
        .get("court_defaulter")
        .unwrap()
        .validate_entry(&raw, today())
        .unwrap_err();
    assert!(
        errors
            .iter()
            .any(|e| e.field.starts_with("related_persons") && e.message.contains("lies after")),
        "{errors:?}"
    );
}

#[test]
fn a_submitted_kind_cannot_contradict_the_code() {
    // 91...: an enterprise registered by market regulation, submitted as an individual business.
    let errors = errors_of(|v| v["subject"]["kind"] = json!("individual_business"));
    assert!(
        errors
            .iter()
            .any(|e| e.starts_with("subject.code:") && e.contains("characters 1-2")),
        "{errors:?}"
    );
    let errors = errors_of(|v| v["subject"]["kind"] = json!("government_body"));
    assert!(
        errors.iter().any(|e| e.contains("no government body")),
        "{errors:?}"
    );
}
