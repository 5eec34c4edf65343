//! Request bodies the tests submit: records and list entries, valid unless a test edits them.

use serde_json::{Value, json};

/// A record of `category` about the legal person `code`, decided on 2026-04-01.
pub fn record(category: &str, code: &str, doc: &str, fields: Value, tier: Option<&str>) -> Value {
    let mut r = json!({
        "category": category,
        "subject": {"code": code, "name": "北京示例科技有限公司", "kind": "legal_person"},
        "document_no": doc, "decided_on": "2026-04-01", "legal_basis": "《某法》第一条",
        "fields": fields,
    });
    if let Some(t) = tier {
        r["tier"] = json!(t);
    }
    r
}

/// An administrative penalty of `tier` about the legal person `code`, decided on `decided_on`.
pub fn penalty(code: &str, doc: &str, tier: &str, decided_on: &str) -> Value {
    json!({
        "category": "admin_penalty",
        "subject": {"code": code, "name": "北京示例科技有限公司", "kind": "legal_person"},
        "document_no": doc,
        "decided_on": decided_on,
        "legal_basis": "《中华人民共和国行政处罚法》第二十八条",
        "tier": tier,
        "fields": {"facts": "未按规定公示年度报告", "penalty_kind": "罚款", "content": "罚款人民币一万元", "authority": "深圳市市场监督管理局", "fine_10k_yuan": 1.5}
    })
}

/// A credit commitment of the legal person `code`, accepted by a market regulator.
pub fn commitment(code: &str) -> Value {
    record(
        "credit_commitment",
        code,
        "承诺〔2026〕7号",
        json!({"commitment_type": "审批替代型", "matter": "申请食品经营许可",
               "content": "本单位已依法纳税", "accepting_unit": "深圳市市场监督管理局"}),
        None,
    )
}

/// An entry of the court-defaulter list about the legal person `code` named `name`, on
/// `ground` (an id of `GET /api/v1/lists`), from `starts_on`.
pub fn defaulter(code: &str, name: &str, ground: &str, doc: &str, starts_on: &str) -> Value {
    json!({
        "subject": {"code": code, "name": name, "kind": "legal_person"},
        "ground": ground,
        "document_no": doc,
        "starts_on": starts_on,
        "fields": {"court": "深圳市中级人民法院", "case_no": doc, "obligation": "支付货款",
                   "performance": "全部未履行"}
    })
}
