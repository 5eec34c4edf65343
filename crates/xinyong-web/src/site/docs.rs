//! `/docs`: the API reference as a page of the site, generated from the same OpenAPI document
//! the server publishes at `/openapi.json` (so it cannot drift from the code), with a `curl`
//! example for every operation and an example body built from its schema. No script and
//! nothing loaded from elsewhere, like every page.

use std::sync::OnceLock;

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::Uri;
use axum::response::IntoResponse;
use serde_json::{Map, Value, json};

use super::context::Ctx;
use crate::AppState;

/// One operation as the page shows it.
pub struct Operation {
    pub method: String,
    pub path: String,
    /// The anchor of the operation (`post-api-v1-checks`).
    pub anchor: String,
    pub description: String,
    pub secured: bool,
    pub parameters: Vec<Parameter>,
    /// Content types of the request body, if it takes one.
    pub body_types: Vec<String>,
    /// An example JSON body, built from the request schema.
    pub example: String,
    pub responses: Vec<(String, String)>,
    pub curl: String,
}

pub struct Parameter {
    pub name: String,
    pub location: String,
    pub required: bool,
    pub description: String,
}

/// A tag of the document and its operations.
pub struct Section {
    pub tag: String,
    pub operations: Vec<Operation>,
}

#[derive(Template, WebTemplate)]
#[template(path = "docs.html")]
struct DocsPage {
    ctx: Ctx,
    q: String,
    sections: &'static [Section],
}

pub(super) async fn docs(State(state): State<AppState>, uri: Uri) -> impl IntoResponse {
    let ctx = Ctx::new(&state, &uri, "docs");
    DocsPage {
        ctx,
        q: String::new(),
        sections: sections(),
    }
}

/// The sections, built once from the OpenAPI document.
fn sections() -> &'static [Section] {
    static SECTIONS: OnceLock<Vec<Section>> = OnceLock::new();
    SECTIONS.get_or_init(|| {
        let doc = serde_json::to_value(crate::openapi()).unwrap_or(Value::Null);
        build(&doc)
    })
}

/// Every operation of `doc`, grouped by its first tag in the order tags first appear.
pub fn build(doc: &Value) -> Vec<Section> {
    let mut sections: Vec<Section> = Vec::new();
    let Some(paths) = doc["paths"].as_object() else {
        return sections;
    };
    for (path, item) in paths {
        for method in ["get", "post", "put", "delete"] {
            let op = &item[method];
            if op.is_null() {
                continue;
            }
            let tag = op["tags"][0].as_str().unwrap_or("other").to_owned();
            let operation = operation(doc, method, path, op);
            match sections.iter_mut().find(|s| s.tag == tag) {
                Some(s) => s.operations.push(operation),
                None => sections.push(Section {
                    tag,
                    operations: vec![operation],
                }),
            }
        }
    }
    sections
}

fn text(v: &Value) -> String {
    v.as_str().unwrap_or("").trim().to_owned()
}

fn operation(doc: &Value, method: &str, path: &str, op: &Value) -> Operation {
    let description = match (text(&op["summary"]), text(&op["description"])) {
        (s, d) if s.is_empty() => d,
        (s, d) if d.is_empty() => s,
        (s, d) => format!("{s} {d}"),
    };
    let secured = op["security"].as_array().is_some_and(|s| !s.is_empty());
    let parameters = op["parameters"]
        .as_array()
        .map(|ps| {
            ps.iter()
                .map(|p| Parameter {
                    name: text(&p["name"]),
                    location: text(&p["in"]),
                    required: p["required"].as_bool().unwrap_or(false),
                    description: text(&p["description"]),
                })
                .collect()
        })
        .unwrap_or_default();
    let content = op["requestBody"]["content"].as_object();
    let body_types: Vec<String> = content
        .map(|c| c.keys().cloned().collect())
        .unwrap_or_default();
    let example_value = content
        .and_then(|c| c.get("application/json"))
        .map(|c| example_of(doc, &c["schema"], 0));
    let example = example_value
        .as_ref()
        .map(|v| serde_json::to_string_pretty(v).unwrap_or_default())
        .unwrap_or_default();
    let responses = op["responses"]
        .as_object()
        .map(|rs| {
            rs.iter()
                .map(|(status, r)| (status.clone(), text(&r["description"])))
                .collect()
        })
        .unwrap_or_default();
    let mut curl = format!(
        "curl -s -X {} 'http://127.0.0.1:8080{path}'",
        method.to_uppercase()
    );
    if secured {
        curl.push_str(" \\\n  -H \"Authorization: Bearer $TOKEN\"");
    }
    if let Some(value) = &example_value {
        let compact = value.to_string();
        curl.push_str(&format!(
            " \\\n  -H 'Content-Type: application/json' \\\n  -d '{}'",
            compact.replace('\'', "'\\''")
        ));
    } else if let Some(kind) = body_types.first() {
        curl.push_str(&format!(
            " \\\n  -H 'Content-Type: {kind}' --data-binary @FILE"
        ));
    }
    Operation {
        anchor: format!(
            "{method}-{}",
            path.trim_matches('/').replace(['/', '{', '}'], "-")
        ),
        method: method.to_uppercase(),
        path: path.to_owned(),
        description,
        secured,
        parameters,
        body_types,
        example,
        responses,
        curl,
    }
}

/// An example value of `schema`: its own example where it gives one, else built from its
/// type, required properties first (all of them where none is required), enums by their
/// first value.
pub fn example_of(doc: &Value, schema: &Value, depth: usize) -> Value {
    if depth > 8 {
        return Value::Null;
    }
    if let Some(r) = schema["$ref"].as_str() {
        let name = r.rsplit('/').next().unwrap_or("");
        return example_of(doc, &doc["components"]["schemas"][name], depth + 1);
    }
    if let Some(e) = schema.get("example") {
        return e.clone();
    }
    if let Some(first) = schema["enum"].as_array().and_then(|e| e.first()) {
        return first.clone();
    }
    for key in ["oneOf", "anyOf"] {
        if let Some(first) = schema[key]
            .as_array()
            .and_then(|s| s.iter().find(|s| s["type"] != "null").or_else(|| s.first()))
        {
            return example_of(doc, first, depth + 1);
        }
    }
    if let Some(all) = schema["allOf"].as_array() {
        let mut merged = Map::new();
        for part in all {
            if let Value::Object(o) = example_of(doc, part, depth + 1) {
                merged.extend(o);
            }
        }
        return Value::Object(merged);
    }
    let kind = match &schema["type"] {
        Value::Array(kinds) => kinds
            .iter()
            .find(|k| *k != "null")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_owned(),
        other => other.as_str().unwrap_or("").to_owned(),
    };
    match kind.as_str() {
        "object" | "" if schema["properties"].is_object() => {
            let properties = schema["properties"]
                .as_object()
                .cloned()
                .unwrap_or_default();
            let required: Vec<&str> = schema["required"]
                .as_array()
                .map(|r| r.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            let mut out = Map::new();
            for (name, property) in &properties {
                if required.is_empty() || required.contains(&name.as_str()) {
                    let value = match example_of(doc, property, depth + 1) {
                        Value::String(s) if s == "string" => named(name).unwrap_or(json!(s)),
                        other => other,
                    };
                    out.insert(name.clone(), value);
                }
            }
            Value::Object(out)
        }
        "object" => json!({}),
        "array" => json!([example_of(doc, &schema["items"], depth + 1)]),
        "integer" => schema["minimum"]
            .as_i64()
            .map_or(json!(1), |m| json!(m.max(1))),
        "number" => json!(1.0),
        "boolean" => json!(false),
        "string" => match schema["format"].as_str() {
            Some("date") => json!("2026-12-01"),
            Some("date-time") => json!("2026-12-01T08:00:00Z"),
            _ => json!("string"),
        },
        _ => Value::Null,
    }
}

/// A telling value for a string property by its name, where `"string"` would say nothing.
fn named(name: &str) -> Option<Value> {
    Some(json!(match name {
        "subject" | "code" => "91110000600037341L",
        "context" => "government_procurement",
        "purpose" => "supervision",
        "record" => "RECORD_ID",
        "service" => "某征信有限公司",
        "category" => "admin_penalty",
        "document_no" => "深市监罚〔2026〕1号",
        "reason" | "note" => "经核实",
        "commitment" => "本公司承诺依法经营",
        "url" => "https://hooks.example.cn/xinyong",
        "legal_basis" => "《中华人民共和国行政许可法》",
        "name" => "深圳市示例科技有限公司",
        _ => return None,
    }))
}
