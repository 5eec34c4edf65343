//! The authorisation matrix (issue #5, SPEC "Authorisation is tested as a matrix"): every
//! endpoint of the API × every kind of caller × every disclosure class where it applies, each
//! cell with the status it must answer.
//!
//! The endpoints are read from the OpenAPI document the application generates, so an endpoint
//! added without a row here fails `every_endpoint_has_a_row_in_the_matrix`.

use std::collections::BTreeSet;

use crate::common::world::*;
use crate::common::*;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use serde_json::{Value, json};

const EVERYONE: [Who; 10] = [
    Who::Anonymous,
    Who::Operator,
    Who::DepartmentOwn,
    Who::DepartmentOther,
    Who::Service,
    Who::SubjectSelf,
    Who::SubjectOther,
    Who::Invalid,
    Who::Expired,
    Who::Revoked,
];

/// Which disclosure class a read asks for (the subject read endpoint only).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Class {
    /// No purpose: the public part.
    Public,
    /// A purpose the caller's role may state.
    Shared,
    /// A purpose and a legal basis.
    Restricted,
    /// A purpose and the owning department's approved special application.
    RestrictedByApplication,
}

/// One request of a cell: the concrete URI and body for this caller.
struct Call {
    uri: String,
    body: Option<Value>,
    /// A body that is not JSON: its content type and bytes.
    file: Option<(&'static str, &'static [u8])>,
}

fn get(uri: impl Into<String>) -> Call {
    Call {
        uri: uri.into(),
        body: None,
        file: None,
    }
}

fn post(uri: impl Into<String>, body: Value) -> Call {
    Call {
        uri: uri.into(),
        body: Some(body),
        file: None,
    }
}

fn post_file(uri: impl Into<String>, content_type: &'static str, bytes: &'static [u8]) -> Call {
    Call {
        uri: uri.into(),
        body: None,
        file: Some((content_type, bytes)),
    }
}

/// A row of the matrix: one endpoint (and class), how to call it, and what each caller gets.
struct Row {
    method: &'static str,
    path: &'static str,
    class: Option<Class>,
    call: fn(&World, Who) -> Call,
    expect: fn(Who) -> StatusCode,
}

const OK: StatusCode = StatusCode::OK;
const CREATED: StatusCode = StatusCode::CREATED;
const UNAUTHORIZED: StatusCode = StatusCode::UNAUTHORIZED;
const FORBIDDEN: StatusCode = StatusCode::FORBIDDEN;
const NOT_FOUND: StatusCode = StatusCode::NOT_FOUND;

/// Who may follow subject-rights cases: operators, departments and subjects (each sees its own).
const PARTIES: &[(Who, StatusCode)] = &[
    (Who::Operator, OK),
    (Who::DepartmentOwn, OK),
    (Who::DepartmentOther, OK),
    (Who::SubjectSelf, OK),
    (Who::SubjectOther, OK),
];

fn bad_token(who: Who) -> bool {
    matches!(who, Who::Invalid | Who::Expired | Who::Revoked)
}

/// Public endpoints: everyone, but a bad token is refused, never served as anonymous.
fn public(who: Who) -> StatusCode {
    if bad_token(who) { UNAUTHORIZED } else { OK }
}

/// Endpoints for one role: 401 without a (valid) token, 403 for any other role.
fn only(who: Who, allowed: &[(Who, StatusCode)]) -> StatusCode {
    if who == Who::Anonymous || bad_token(who) {
        return UNAUTHORIZED;
    }
    allowed
        .iter()
        .find(|(w, _)| *w == who)
        .map_or(FORBIDDEN, |(_, s)| *s)
}

fn purpose_for(who: Who) -> &'static str {
    if who == Who::Service {
        "credit_report"
    } else {
        "supervision"
    }
}

fn file_uri(w: &World, who: Who, class: Class) -> Call {
    let base = format!("/api/v1/subjects/{COMPANY}");
    let purpose = purpose_for(who);
    get(match class {
        Class::Public => base,
        Class::Shared => format!("{base}?purpose={purpose}"),
        Class::Restricted => format!(
            "{base}?purpose={purpose}&legal_basis=%E3%80%8A%E7%A4%BE%E4%BC%9A%E4%BF%9D%E9%99%A9%E6%B3%95%E3%80%8B%E7%AC%AC%E5%85%AB%E5%8D%81%E5%85%AD%E6%9D%A1"
        ),
        Class::RestrictedByApplication => {
            format!("{base}?purpose={purpose}&application={}", w.approved)
        }
    })
}

fn rows() -> Vec<Row> {
    vec![
        Row {
            method: "get",
            path: "/healthz",
            class: None,
            call: |_, _| get("/healthz"),
            expect: public,
        },
        Row {
            method: "get",
            path: "/readyz",
            class: None,
            call: |_, _| get("/readyz"),
            expect: public,
        },
        Row {
            method: "get",
            path: "/api/v1/catalogue",
            class: None,
            call: |_, _| get("/api/v1/catalogue"),
            expect: public,
        },
        Row {
            method: "get",
            path: "/api/v1/purposes",
            class: None,
            call: |_, _| get("/api/v1/purposes"),
            expect: public,
        },
        Row {
            method: "get",
            path: "/api/v1/subjects",
            class: None,
            call: |_, _| get("/api/v1/subjects"),
            expect: public,
        },
        Row {
            method: "get",
            path: "/api/v1/search",
            class: None,
            call: |_, _| get("/api/v1/search?q=%E5%8C%97%E4%BA%AC"),
            expect: public,
        },
        Row {
            method: "get",
            path: "/api/v1/lists",
            class: None,
            call: |_, _| get("/api/v1/lists"),
            expect: public,
        },
        Row {
            method: "get",
            path: "/api/v1/memoranda",
            class: None,
            call: |_, _| get("/api/v1/memoranda"),
            expect: public,
        },
        Row {
            method: "get",
            path: "/api/v1/ledger/head",
            class: None,
            call: |_, _| get("/api/v1/ledger/head"),
            expect: public,
        },
        Row {
            method: "get",
            path: "/api/v1/ledger/entries",
            class: None,
            call: |_, _| get("/api/v1/ledger/entries?start=0&end=2"),
            expect: public,
        },
        Row {
            method: "get",
            path: "/api/v1/ledger/proof/inclusion",
            class: None,
            call: |_, _| get("/api/v1/ledger/proof/inclusion?leaf=0&size=2"),
            expect: public,
        },
        Row {
            method: "get",
            path: "/api/v1/ledger/proof/consistency",
            class: None,
            call: |_, _| get("/api/v1/ledger/proof/consistency?from=1&to=2"),
            expect: public,
        },
        Row {
            method: "get",
            path: "/api/v1/subjects/{code}",
            class: Some(Class::Public),
            call: |w, who| file_uri(w, who, Class::Public),
            expect: public,
        },
        Row {
            method: "get",
            path: "/api/v1/subjects/{code}",
            class: Some(Class::Shared),
            call: |w, who| file_uri(w, who, Class::Shared),
            expect: |who| {
                only(
                    who,
                    &[
                        (Who::DepartmentOwn, OK),
                        (Who::DepartmentOther, OK),
                        (Who::Service, OK),
                    ],
                )
            },
        },
        Row {
            method: "get",
            path: "/api/v1/subjects/{code}",
            class: Some(Class::Restricted),
            call: |w, who| file_uri(w, who, Class::Restricted),
            // A service reads restricted information only with the subject's grant.
            expect: |who| only(who, &[(Who::DepartmentOwn, OK), (Who::DepartmentOther, OK)]),
        },
        Row {
            method: "get",
            path: "/api/v1/subjects/{code}",
            class: Some(Class::RestrictedByApplication),
            call: |w, who| file_uri(w, who, Class::RestrictedByApplication),
            expect: |who| only(who, &[(Who::DepartmentOwn, OK)]),
        },
        Row {
            method: "get",
            path: "/api/v1/me/records",
            class: None,
            call: |_, _| get("/api/v1/me/records"),
            expect: |who| only(who, &[(Who::SubjectSelf, OK), (Who::SubjectOther, OK)]),
        },
        Row {
            method: "get",
            path: "/api/v1/me/ledger",
            class: None,
            call: |_, _| get("/api/v1/me/ledger"),
            expect: |who| only(who, &[(Who::SubjectSelf, OK), (Who::SubjectOther, OK)]),
        },
        Row {
            method: "post",
            path: "/api/v1/objections",
            class: None,
            call: |w, _| {
                post(
                    "/api/v1/objections",
                    json!({"record": w.penalty, "what": "content", "reason": "处罚事实有误"}),
                )
            },
            // Only a subject files, and only against its own records.
            expect: |who| {
                only(
                    who,
                    &[(Who::SubjectSelf, CREATED), (Who::SubjectOther, NOT_FOUND)],
                )
            },
        },
        Row {
            method: "get",
            path: "/api/v1/objections",
            class: None,
            call: |_, _| get("/api/v1/objections"),
            expect: |who| only(who, PARTIES),
        },
        Row {
            method: "get",
            path: "/api/v1/objections/{id}",
            class: None,
            call: |w, _| get(format!("/api/v1/objections/{}", w.objection)),
            // Parties only: the subject, the deciding department, operators.
            expect: |who| {
                only(
                    who,
                    &[
                        (Who::Operator, OK),
                        (Who::DepartmentOwn, OK),
                        (Who::DepartmentOther, NOT_FOUND),
                        (Who::SubjectSelf, OK),
                        (Who::SubjectOther, NOT_FOUND),
                    ],
                )
            },
        },
        Row {
            method: "post",
            path: "/api/v1/objections/{id}/decision",
            class: None,
            call: |w, _| {
                post(
                    format!("/api/v1/objections/{}/decision", w.objection),
                    json!({"outcome": "upheld", "reason": "经核实评级无误"}),
                )
            },
            // Only the record's source department decides.
            expect: |who| {
                only(
                    who,
                    &[(Who::DepartmentOwn, OK), (Who::DepartmentOther, FORBIDDEN)],
                )
            },
        },
        Row {
            method: "post",
            path: "/api/v1/repairs",
            class: None,
            call: |w, _| {
                post(
                    "/api/v1/repairs",
                    json!({"record": w.penalty, "commitment": "依法经营，不再违法"}),
                )
            },
            expect: |who| {
                only(
                    who,
                    &[(Who::SubjectSelf, CREATED), (Who::SubjectOther, NOT_FOUND)],
                )
            },
        },
        Row {
            method: "get",
            path: "/api/v1/repairs",
            class: None,
            call: |_, _| get("/api/v1/repairs"),
            expect: |who| only(who, PARTIES),
        },
        Row {
            method: "get",
            path: "/api/v1/repairs/{id}",
            class: None,
            call: |w, _| get(format!("/api/v1/repairs/{}", w.repair)),
            expect: |who| {
                only(
                    who,
                    &[
                        (Who::Operator, OK),
                        (Who::DepartmentOwn, OK),
                        (Who::DepartmentOther, NOT_FOUND),
                        (Who::SubjectSelf, OK),
                        (Who::SubjectOther, NOT_FOUND),
                    ],
                )
            },
        },
        Row {
            method: "post",
            path: "/api/v1/repairs/{id}/decision",
            class: None,
            call: |w, _| {
                post(
                    format!("/api/v1/repairs/{}/decision", w.repair),
                    json!({"outcome": "granted", "reason": "已足额补缴"}),
                )
            },
            expect: |who| {
                only(
                    who,
                    &[(Who::DepartmentOwn, OK), (Who::DepartmentOther, FORBIDDEN)],
                )
            },
        },
        Row {
            method: "post",
            path: "/api/v1/records/{id}/fulfilment",
            class: None,
            call: |w, _| post(format!("/api/v1/records/{}/fulfilment", w.minor), json!({})),
            // The record's own department only; another one finds no such record.
            expect: |who| {
                only(
                    who,
                    &[(Who::DepartmentOwn, OK), (Who::DepartmentOther, NOT_FOUND)],
                )
            },
        },
        Row {
            method: "post",
            path: "/api/v1/me/grants",
            class: None,
            call: |_, _| {
                post(
                    "/api/v1/me/grants",
                    json!({"service": SERVICE, "purpose": "credit_report", "valid_days": 7}),
                )
            },
            expect: |who| {
                only(
                    who,
                    &[(Who::SubjectSelf, CREATED), (Who::SubjectOther, CREATED)],
                )
            },
        },
        Row {
            method: "get",
            path: "/api/v1/me/grants",
            class: None,
            call: |_, _| get("/api/v1/me/grants"),
            expect: |who| only(who, &[(Who::SubjectSelf, OK), (Who::SubjectOther, OK)]),
        },
        Row {
            method: "delete",
            path: "/api/v1/me/grants/{id}",
            class: None,
            call: |w, _| get(format!("/api/v1/me/grants/{}", w.grant)),
            // Only the granting subject finds its grant.
            expect: |who| {
                only(
                    who,
                    &[(Who::SubjectSelf, OK), (Who::SubjectOther, NOT_FOUND)],
                )
            },
        },
        Row {
            method: "get",
            path: "/api/v1/me/notifications",
            class: None,
            call: |_, _| get("/api/v1/me/notifications"),
            expect: |who| only(who, &[(Who::SubjectSelf, OK), (Who::SubjectOther, OK)]),
        },
        Row {
            method: "put",
            path: "/api/v1/me/webhook",
            class: None,
            call: |_, _| {
                post(
                    "/api/v1/me/webhook",
                    json!({"url": "https://hooks.example.cn/x"}),
                )
            },
            expect: |who| {
                only(
                    who,
                    &[(Who::SubjectSelf, CREATED), (Who::SubjectOther, CREATED)],
                )
            },
        },
        Row {
            method: "post",
            path: "/api/v1/me/attachments",
            class: None,
            call: |_, _| post_file("/api/v1/me/attachments", "application/pdf", PDF),
            expect: |who| {
                only(
                    who,
                    &[(Who::SubjectSelf, CREATED), (Who::SubjectOther, CREATED)],
                )
            },
        },
        Row {
            method: "get",
            path: "/api/v1/me/attachments",
            class: None,
            call: |_, _| get("/api/v1/me/attachments"),
            expect: |who| only(who, &[(Who::SubjectSelf, OK), (Who::SubjectOther, OK)]),
        },
        // COMPANY's evidence: its subject, an operator, and OWN, which decides the objection
        // naming it; to anyone else who may follow cases it does not exist.
        Row {
            method: "get",
            path: "/api/v1/attachments/{id}",
            class: None,
            call: |w, _| get(format!("/api/v1/attachments/{}", w.attachment)),
            expect: |who| {
                only(
                    who,
                    &[
                        (Who::Operator, OK),
                        (Who::DepartmentOwn, OK),
                        (Who::DepartmentOther, NOT_FOUND),
                        (Who::SubjectSelf, OK),
                        (Who::SubjectOther, NOT_FOUND),
                    ],
                )
            },
        },
        // The world's subjects have registered no webhook: each finds only its own (none).
        Row {
            method: "get",
            path: "/api/v1/me/webhook",
            class: None,
            call: |_, _| get("/api/v1/me/webhook"),
            expect: |who| {
                only(
                    who,
                    &[
                        (Who::SubjectSelf, NOT_FOUND),
                        (Who::SubjectOther, NOT_FOUND),
                    ],
                )
            },
        },
        Row {
            method: "delete",
            path: "/api/v1/me/webhook",
            class: None,
            call: |_, _| get("/api/v1/me/webhook"),
            expect: |who| {
                only(
                    who,
                    &[
                        (Who::SubjectSelf, NOT_FOUND),
                        (Who::SubjectOther, NOT_FOUND),
                    ],
                )
            },
        },
        Row {
            method: "get",
            path: "/api/v1/services",
            class: None,
            call: |_, _| get("/api/v1/services"),
            expect: public,
        },
        Row {
            method: "post",
            path: "/api/v1/reports",
            class: None,
            call: |_, _| {
                post(
                    "/api/v1/reports",
                    json!({"category": "tax_violation", "subject": COMPANY,
                           "content": "该公司2026年隐瞒收入偷逃税款", "anonymous": true}),
                )
            },
            // Anyone reports, anonymously too; a bad token is still refused.
            expect: |who| {
                if bad_token(who) {
                    UNAUTHORIZED
                } else {
                    CREATED
                }
            },
        },
        Row {
            method: "get",
            path: "/api/v1/stats/departments",
            class: None,
            call: |_, _| get("/api/v1/stats/departments"),
            expect: public,
        },
        Row {
            method: "get",
            path: "/api/v1/stats/regions",
            class: None,
            call: |_, _| get("/api/v1/stats/regions"),
            expect: public,
        },
        Row {
            method: "post",
            path: "/api/v1/inspections/draws",
            class: None,
            call: |_, _| post("/api/v1/inspections/draws", json!({"count": 1, "seed": 1})),
            expect: |who| {
                only(
                    who,
                    &[
                        (Who::DepartmentOwn, CREATED),
                        (Who::DepartmentOther, CREATED),
                    ],
                )
            },
        },
        Row {
            method: "get",
            path: "/api/v1/inspections/draws",
            class: None,
            call: |_, _| get("/api/v1/inspections/draws"),
            expect: |who| only(who, &[(Who::DepartmentOwn, OK), (Who::DepartmentOther, OK)]),
        },
        Row {
            method: "post",
            path: "/api/v1/roles",
            class: None,
            call: |_, _| {
                post(
                    "/api/v1/roles",
                    json!({
                        "person_code": PERSON, "person_name": "张律师",
                        "organisation_code": COMPANY, "profession": "lawyer",
                        "licence_no": "L-1", "since": "2015-10-01"
                    }),
                )
            },
            // Departments only, and only for the professions they are given (these two are
            // given none: `profession_not_allowed`).
            expect: |who| only(who, &[]),
        },
        Row {
            method: "post",
            path: "/api/v1/roles/{id}/end",
            class: None,
            call: |_, _| {
                post(
                    "/api/v1/roles/01J00000000000000000000000/end",
                    json!({"until": "2026-01-01"}),
                )
            },
            expect: |who| {
                only(
                    who,
                    &[
                        (Who::DepartmentOwn, NOT_FOUND),
                        (Who::DepartmentOther, NOT_FOUND),
                    ],
                )
            },
        },
        Row {
            method: "get",
            path: "/api/v1/roles/{id}",
            class: None,
            call: |_, _| get("/api/v1/roles/01J00000000000000000000000"),
            expect: |who| {
                if bad_token(who) {
                    UNAUTHORIZED
                } else {
                    NOT_FOUND
                }
            },
        },
        Row {
            method: "get",
            path: "/api/v1/subjects/{code}/roles",
            class: None,
            call: |_, _| get(format!("/api/v1/subjects/{COMPANY}/roles")),
            expect: public,
        },
        Row {
            method: "get",
            path: "/api/v1/reports",
            class: None,
            call: |_, _| get("/api/v1/reports"),
            expect: |who| only(who, &[(Who::DepartmentOwn, OK), (Who::DepartmentOther, OK)]),
        },
        Row {
            method: "get",
            path: "/api/v1/reports/{tracking_number}",
            class: None,
            call: |w, _| get(format!("/api/v1/reports/{}", w.tracking)),
            // The tracking number is the key: whoever holds it follows the report.
            expect: public,
        },
        Row {
            method: "post",
            path: "/api/v1/reports/{id}/status",
            class: None,
            call: |w, _| {
                post(
                    format!("/api/v1/reports/{}/status", w.report),
                    json!({"status": "investigating", "note": "已受理"}),
                )
            },
            expect: |who| {
                only(
                    who,
                    &[(Who::DepartmentOwn, OK), (Who::DepartmentOther, NOT_FOUND)],
                )
            },
        },
        Row {
            method: "get",
            path: "/api/v1/lists/{list_type}/entries",
            class: None,
            call: |_, _| get("/api/v1/lists/court_defaulter/entries"),
            expect: public,
        },
        Row {
            method: "get",
            path: "/api/v1/me",
            class: None,
            call: |_, _| get("/api/v1/me"),
            expect: |who| only(who, &[(Who::SubjectSelf, OK), (Who::SubjectOther, OK)]),
        },
        Row {
            method: "get",
            path: "/api/v1/subjects/{code}/grade",
            class: None,
            call: |_, _| get(format!("/api/v1/subjects/{COMPANY}/grade")),
            // The shipped enterprise model is public.
            expect: public,
        },
        Row {
            method: "get",
            path: "/api/v1/departments/me/quality",
            class: None,
            call: |_, _| get("/api/v1/departments/me/quality"),
            expect: |who| only(who, &[(Who::DepartmentOwn, OK), (Who::DepartmentOther, OK)]),
        },
        Row {
            method: "post",
            path: "/api/v1/records",
            class: None,
            call: |_, _| {
                post(
                    "/api/v1/records",
                    json!({"records": [penalty(COMPANY, "罚9", "general", "2026-04-01")]}),
                )
            },
            // Any department submits its own categories; nothing to own yet.
            expect: |who| {
                only(
                    who,
                    &[
                        (Who::DepartmentOwn, CREATED),
                        (Who::DepartmentOther, CREATED),
                    ],
                )
            },
        },
        Row {
            method: "post",
            path: "/api/v1/records/{id}/breach",
            class: None,
            call: |w, _| {
                post(
                    format!("/api/v1/records/{}/breach", w.commitment),
                    json!({"document_no": "违诺1", "decided_on": "2026-10-01", "tier": "general",
                           "breach": "承诺已纳税，经查欠缴税款"}),
                )
            },
            expect: |who| only(who, &[(Who::DepartmentOwn, CREATED)]),
        },
        Row {
            method: "post",
            path: "/api/v1/lists/{list_type}/entries",
            class: None,
            call: |_, _| {
                let mut d = defaulter_entry("able_but_refuses");
                d["document_no"] = json!("(2026)粤03执10号");
                d["fields"]["case_no"] = json!("(2026)粤03执10号");
                post("/api/v1/lists/court_defaulter/entries", d)
            },
            expect: |who| only(who, &[(Who::DepartmentOwn, CREATED)]),
        },
        Row {
            method: "post",
            path: "/api/v1/lists/{list_type}/entries/{id}/removal",
            class: None,
            call: |w, _| {
                post(
                    format!("/api/v1/lists/court_defaulter/entries/{}/removal", w.entry),
                    json!({"reason": "已全部履行", "document_no": "(2026)粤03执9号之一"}),
                )
            },
            expect: |who| only(who, &[(Who::DepartmentOwn, OK)]),
        },
        Row {
            method: "post",
            path: "/api/v1/lists/{list_type}/entries/{id}/extension",
            class: None,
            call: |w, _| {
                post(
                    format!(
                        "/api/v1/lists/court_defaulter/entries/{}/extension",
                        w.entry
                    ),
                    json!({"ends_on": "2029-06-01", "document_no": "延1"}),
                )
            },
            expect: |who| only(who, &[(Who::DepartmentOwn, OK)]),
        },
        Row {
            method: "post",
            path: "/api/v1/checks",
            class: None,
            call: |_, _| {
                post(
                    "/api/v1/checks",
                    json!({"subject": COMPANY, "context": "bidding"}),
                )
            },
            expect: |who| only(who, &[(Who::DepartmentOwn, OK), (Who::DepartmentOther, OK)]),
        },
        Row {
            method: "post",
            path: "/api/v1/checks/{id}/feedback",
            class: None,
            call: |w, _| {
                post(
                    format!("/api/v1/checks/{}/feedback", w.check),
                    json!({"applied": []}),
                )
            },
            expect: |who| only(who, &[(Who::DepartmentOwn, CREATED)]),
        },
        Row {
            method: "get",
            path: "/api/v1/checks/stats",
            class: None,
            call: |_, _| get("/api/v1/checks/stats"),
            expect: |who| only(who, &[(Who::DepartmentOwn, OK), (Who::DepartmentOther, OK)]),
        },
        Row {
            method: "post",
            path: "/api/v1/special-applications",
            class: None,
            call: |_, _| {
                post(
                    "/api/v1/special-applications",
                    json!({"subject": COMPANY, "purpose": "supervision", "reason": "核查",
                           "legal_basis": "《社会保险法》第八十六条"}),
                )
            },
            expect: |who| {
                only(
                    who,
                    &[
                        (Who::DepartmentOwn, CREATED),
                        (Who::DepartmentOther, CREATED),
                    ],
                )
            },
        },
        Row {
            method: "get",
            path: "/api/v1/special-applications",
            class: None,
            call: |_, _| get("/api/v1/special-applications"),
            expect: |who| only(who, &[(Who::Operator, OK)]),
        },
        Row {
            method: "get",
            path: "/api/v1/special-applications/{id}",
            class: None,
            call: |w, _| get(format!("/api/v1/special-applications/{}", w.approved)),
            // Another department's application is not acknowledged to exist.
            expect: |who| {
                only(
                    who,
                    &[
                        (Who::Operator, OK),
                        (Who::DepartmentOwn, OK),
                        (Who::DepartmentOther, NOT_FOUND),
                    ],
                )
            },
        },
        Row {
            method: "post",
            path: "/api/v1/sessions",
            class: None,
            call: |_, _| {
                post(
                    "/api/v1/sessions",
                    json!({"name": OPERATOR_NAME, "password": OPERATOR_PASSWORD}),
                )
            },
            // The credentials decide, whoever sends them; a bad token is refused first.
            expect: |who| {
                if bad_token(who) {
                    UNAUTHORIZED
                } else {
                    CREATED
                }
            },
        },
        Row {
            method: "post",
            path: "/api/v1/special-applications/{id}/decision",
            class: None,
            call: |w, _| {
                post(
                    format!("/api/v1/special-applications/{}/decision", w.pending),
                    json!({"approve": false, "note": "理由不足"}),
                )
            },
            expect: |who| only(who, &[(Who::Operator, OK)]),
        },
    ]
}

async fn run(w: &World, row: &Row, who: Who) -> (StatusCode, Value) {
    let call = (row.call)(w, who);
    let mut req = match (row.method, &call.body) {
        ("delete", _) => Request::delete(&call.uri),
        ("post", None) if call.file.is_some() => {
            Request::post(&call.uri).header(header::CONTENT_TYPE, call.file.map_or("", |f| f.0))
        }
        ("put", _) => Request::put(&call.uri).header(header::CONTENT_TYPE, "application/json"),
        (_, None) => Request::get(&call.uri),
        (_, Some(_)) => Request::post(&call.uri).header(header::CONTENT_TYPE, "application/json"),
    };
    if let Some(token) = w.tokens.get(&who) {
        req = req.header(header::AUTHORIZATION, format!("Bearer {token}"));
    }
    let body = match (call.body, call.file) {
        (Some(b), _) => Body::from(b.to_string()),
        (None, Some((_, bytes))) => Body::from(bytes),
        (None, None) => Body::empty(),
    };
    w.app.call(req.body(body).unwrap()).await
}

/// The (method, path) of every operation in the generated OpenAPI document.
fn documented_operations() -> BTreeSet<(String, String)> {
    let doc = serde_json::to_value(xinyong_web::openapi()).unwrap();
    let mut out = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in ["get", "post", "put", "patch", "delete"] {
            if item.get(method).is_some() {
                out.insert((method.to_owned(), path.clone()));
            }
        }
    }
    out
}

#[test]
fn every_endpoint_has_a_row_in_the_matrix() {
    let documented = documented_operations();
    let covered: BTreeSet<(String, String)> = rows()
        .iter()
        .map(|r| (r.method.to_owned(), r.path.to_owned()))
        .collect();
    let missing: Vec<_> = documented.difference(&covered).collect();
    let stale: Vec<_> = covered.difference(&documented).collect();
    assert!(
        missing.is_empty(),
        "endpoints without a row in the authorisation matrix: {missing:?}"
    );
    assert!(
        stale.is_empty(),
        "rows for endpoints that do not exist: {stale:?}"
    );
}

/// Every cell of the matrix. A cell that changes state (a successful write) runs in a world of
/// its own; every other cell runs against one shared world, which refusals leave unchanged.
#[tokio::test]
async fn every_endpoint_answers_every_caller_as_the_matrix_says() {
    let shared = world().await;
    let mut failures = Vec::new();
    let mut cells = 0;
    for row in rows() {
        for who in EVERYONE {
            let expected = (row.expect)(who);
            let writes = row.method != "get" && expected.is_success();
            let own;
            let w = if writes {
                own = world().await;
                &own
            } else {
                &shared
            };
            let (status, body) = run(w, &row, who).await;
            cells += 1;
            if status != expected {
                failures.push(format!(
                    "{} {} {:?} as {who:?}: expected {expected}, got {status}: {body}",
                    row.method.to_uppercase(),
                    row.path,
                    row.class
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {cells} cells differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// The OpenAPI document itself is not in the document; it is public and refuses bad tokens
/// like every other endpoint.
#[tokio::test]
async fn the_openapi_document_refuses_bad_tokens_too() {
    let w = world().await;
    for who in EVERYONE {
        let mut req = Request::get("/openapi.json");
        if let Some(token) = w.tokens.get(&who) {
            req = req.header(header::AUTHORIZATION, format!("Bearer {token}"));
        }
        let (status, _) = w.app.call(req.body(Body::empty()).unwrap()).await;
        assert_eq!(status, public(who), "{who:?}");
    }
}

/// The website's pages are public too, and refuse a bad token the same way.
#[tokio::test]
async fn website_pages_refuse_bad_tokens_too() {
    let w = world().await;
    for page in [
        "/",
        "/search?q=%E5%8C%97%E4%BA%AC",
        "/lists",
        "/lists/court_defaulter",
        "/open-data",
        "/stats",
        "/rights",
        "/static/site.css",
    ] {
        for who in EVERYONE {
            let mut req = Request::get(page);
            if let Some(token) = w.tokens.get(&who) {
                req = req.header(header::AUTHORIZATION, format!("Bearer {token}"));
            }
            let (status, _) = w.app.call(req.body(Body::empty()).unwrap()).await;
            assert_eq!(status, public(who), "{page} as {who:?}");
        }
    }
}

fn categories_in(file: &Value, key: &str) -> BTreeSet<String> {
    file[key]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|r| r["category"].as_str().unwrap().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

/// Within the 200 cells of the subject read, each class is disclosed exactly as far as the
/// clearance goes: public without a purpose, shared with one, restricted only with a grant.
#[tokio::test]
async fn each_clearance_discloses_exactly_its_classes() {
    let w = world().await;
    let world = &w;
    let read = |who, class| {
        let uri = file_uri(world, who, class).uri;
        async move { world.app.get_as(&world.tokens[&who], &uri).await }
    };
    let (_, public_file) = w.app.get(&format!("/api/v1/subjects/{COMPANY}")).await;
    assert!(public_file.get("shared").is_none() && public_file.get("restricted").is_none());
    assert!(categories_in(&public_file, "records").contains("admin_penalty"));

    let (status, shared) = read(Who::DepartmentOther, Class::Shared).await;
    assert_eq!(status, OK, "{shared}");
    assert_eq!(
        categories_in(&shared, "shared"),
        BTreeSet::from(["tax_credit_rating".to_owned()])
    );
    assert!(shared.get("restricted").is_none(), "{shared}");

    for (who, class) in [
        (Who::DepartmentOther, Class::Restricted),
        (Who::DepartmentOwn, Class::RestrictedByApplication),
    ] {
        let (status, file) = read(who, class).await;
        assert_eq!(status, OK, "{file}");
        assert_eq!(
            categories_in(&file, "restricted"),
            BTreeSet::from(["social_insurance_arrears".to_owned()]),
            "{who:?} {class:?}"
        );
    }

    let (status, service) = read(Who::Service, Class::Shared).await;
    assert_eq!(status, OK, "{service}");
    assert_eq!(
        categories_in(&service, "shared"),
        BTreeSet::from(["tax_credit_rating".to_owned()])
    );
}

/// A subject's own file holds every class; another subject's token reaches only its own.
#[tokio::test]
async fn subjects_read_their_own_full_file_and_only_their_own() {
    let w = world().await;
    let (status, own) = w
        .app
        .get_as(&w.tokens[&Who::SubjectSelf], "/api/v1/me/records")
        .await;
    assert_eq!(status, OK, "{own}");
    assert_eq!(own["code"], COMPANY);
    let classes: BTreeSet<&str> = own["records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["disclosure"].as_str().unwrap())
        .collect();
    assert_eq!(classes, BTreeSet::from(["public", "shared", "restricted"]));
    let (status, other) = w
        .app
        .get_as(&w.tokens[&Who::SubjectOther], "/api/v1/me/records")
        .await;
    assert_eq!(status, OK);
    assert_eq!(other["code"], OTHER_COMPANY);
    assert!(!other.to_string().contains(COMPANY));
}

/// An approval ends: once expired, the application opens nothing.
#[tokio::test]
async fn an_expired_special_application_no_longer_opens_restricted_information() {
    let w = world().await;
    let store = &w.app.state.store;
    let mut application = store
        .special_application(&w.approved)
        .await
        .unwrap()
        .unwrap();
    assert!(application.valid_until.is_some());
    // Moving the store's record into the past is the only way to expire it in a test: the
    // approval is time-limited against the real clock.
    application.id = xinyong_store::new_id();
    application.valid_until = Some(chrono::Utc::now() - chrono::Duration::seconds(1));
    store.put_special_application(&application).await.unwrap();
    let uri = format!(
        "/api/v1/subjects/{COMPANY}?purpose=supervision&application={}",
        application.id
    );
    let (status, body) = w.app.get_as(&w.tokens[&Who::DepartmentOwn], &uri).await;
    assert_eq!(status, FORBIDDEN, "{body}");
    assert!(
        body["detail"].as_str().unwrap().contains("expired"),
        "{body}"
    );
}

/// A pending application opens nothing; the department sees the decision; an application is
/// decided once; a decision names 1 to 30 days.
#[tokio::test]
async fn a_special_application_opens_restricted_information_only_once_approved() {
    let w = world().await;
    let dept = &w.tokens[&Who::DepartmentOwn];
    let operator = &w.tokens[&Who::Operator];
    let read = format!(
        "/api/v1/subjects/{COMPANY}?purpose=supervision&application={}",
        w.pending
    );
    let (status, body) = w.app.get_as(dept, &read).await;
    assert_eq!(status, FORBIDDEN, "{body}");
    let follow = format!("/api/v1/special-applications/{}", w.pending);
    assert_eq!(w.app.get_as(dept, &follow).await.1["status"], "pending");
    let decide = format!("{follow}/decision");
    let (status, body) = w
        .app
        .post_json(
            operator,
            &decide,
            json!({"approve": true, "note": "同意", "valid_days": 31}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    // A refusal naming days outside 1 to 30 is malformed too (schemathesis found it stored).
    let (status, body) = w
        .app
        .post_json(
            operator,
            &decide,
            json!({"approve": false, "note": "不同意", "valid_days": 0}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let (status, body) = w
        .app
        .post_json(
            operator,
            &decide,
            json!({"approve": true, "note": "同意", "valid_days": 1}),
        )
        .await;
    assert_eq!(status, OK, "{body}");
    let (_, followed) = w.app.get_as(dept, &follow).await;
    assert_eq!(followed["status"], "approved");
    assert!(followed["valid_until"].is_string(), "{followed}");
    let (status, file) = w.app.get_as(dept, &read).await;
    assert_eq!(status, OK, "{file}");
    assert_eq!(
        categories_in(&file, "restricted"),
        BTreeSet::from(["social_insurance_arrears".to_owned()])
    );
    let (status, _) = w
        .app
        .post_json(operator, &decide, json!({"approve": false, "note": "改判"}))
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "decided once");
    // The approval is for this subject and purpose only.
    let elsewhere = format!(
        "/api/v1/subjects/{OTHER_COMPANY}?purpose=supervision&application={}",
        w.pending
    );
    assert_eq!(w.app.get_as(dept, &elsewhere).await.0, FORBIDDEN);
    let other_purpose = format!(
        "/api/v1/subjects/{COMPANY}?purpose=fiscal_support&application={}",
        w.pending
    );
    assert_eq!(w.app.get_as(dept, &other_purpose).await.0, FORBIDDEN);
}

/// Stating a purpose the list does not hold is a client error, not a silent public read.
#[tokio::test]
async fn unknown_purposes_are_rejected() {
    let w = world().await;
    let (status, body) = w
        .app
        .get_as(
            &w.tokens[&Who::DepartmentOwn],
            &format!("/api/v1/subjects/{COMPANY}?purpose=curiosity"),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
}
