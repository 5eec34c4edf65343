//! A record as submitted, before any checking, and the API/JSONL shape it is read from.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::FieldError;
use crate::catalogue::CoreAttribute;
use crate::template::TemplateValues;

/// A record as submitted, before any checking: every value as given, each with the name the
/// submitter used for it so that errors can point back at the input.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RawRecord {
    /// Core attributes with the key the submitter used for each (e.g. `subject.code` in JSON,
    /// `统一社会信用代码` in a CSV file).
    pub core: BTreeMap<CoreAttribute, (String, String)>,
    /// Category fields keyed by English name or Chinese header.
    pub fields: Map<String, Value>,
    /// The national templates' other columns (legacy identifiers, document types): checked,
    /// not kept.
    pub template: TemplateValues,
}

impl RawRecord {
    pub fn set(&mut self, attr: CoreAttribute, key: impl Into<String>, value: impl Into<String>) {
        self.core.insert(attr, (key.into(), value.into()));
    }

    pub(super) fn get(&self, attr: CoreAttribute) -> Option<(&str, &str)> {
        self.core
            .get(&attr)
            .map(|(k, v)| (k.as_str(), v.trim()))
            .filter(|(_, v)| !v.is_empty())
    }

    /// Writes the API/JSONL shape that [`RawRecord::from_json`] reads.
    pub fn to_json(&self) -> Value {
        let mut obj = Map::new();
        let mut subject = Map::new();
        for (attr, (_, value)) in &self.core {
            let v = Value::String(value.clone());
            match attr {
                CoreAttribute::SubjectCode => subject.insert("code".into(), v),
                CoreAttribute::SubjectName => subject.insert("name".into(), v),
                CoreAttribute::SubjectKind => subject.insert("kind".into(), v),
                other => obj.insert(other.name().into(), v),
            };
        }
        obj.insert("subject".into(), Value::Object(subject));
        obj.insert("fields".into(), Value::Object(self.fields.clone()));
        Value::Object(obj)
    }

    /// Reads the API/JSONL shape: `{"category", "subject": {"code", "name", "kind"},
    /// "document_no", "decided_on", "legal_basis", "tier", "publicity_until", "fields": {..}}`.
    /// Unknown top-level keys are errors: a typo must not silently drop data.
    pub fn from_json(value: &Value) -> Result<RawRecord, Vec<FieldError>> {
        let mut errors = Vec::new();
        let mut raw = RawRecord::default();
        let mut fields = Map::new();
        let Some(obj) = value.as_object() else {
            return Err(vec![FieldError::new("", "a record must be a JSON object")]);
        };
        let mut put =
            |attr: CoreAttribute, key: &str, v: &Value, errors: &mut Vec<FieldError>| match v {
                Value::String(s) => raw.set(attr, key, s.clone()),
                Value::Null => {}
                _ => errors.push(FieldError::new(key, "must be a string")),
            };
        for (k, v) in obj {
            match k.as_str() {
                "category" => put(CoreAttribute::Category, k, v, &mut errors),
                "document_no" => put(CoreAttribute::DocumentNo, k, v, &mut errors),
                "decided_on" => put(CoreAttribute::DecidedOn, k, v, &mut errors),
                "legal_basis" => put(CoreAttribute::LegalBasis, k, v, &mut errors),
                "tier" => put(CoreAttribute::Tier, k, v, &mut errors),
                "publicity_until" => put(CoreAttribute::PublicityUntil, k, v, &mut errors),
                "subject" => match v.as_object() {
                    Some(s) => {
                        for (sk, sv) in s {
                            let key = format!("subject.{sk}");
                            match sk.as_str() {
                                "code" => put(CoreAttribute::SubjectCode, &key, sv, &mut errors),
                                "name" => put(CoreAttribute::SubjectName, &key, sv, &mut errors),
                                "kind" => put(CoreAttribute::SubjectKind, &key, sv, &mut errors),
                                _ => errors.push(FieldError::new(key, "unknown subject attribute")),
                            }
                        }
                    }
                    None => errors.push(FieldError::new(
                        "subject",
                        "must be an object {\"code\", \"name\", \"kind\"}",
                    )),
                },
                "fields" => match v {
                    Value::Object(f) => fields = f.clone(),
                    Value::Null => {}
                    _ => errors.push(FieldError::new("fields", "must be an object")),
                },
                _ => errors.push(FieldError::new(k.as_str(), "unknown attribute")),
            }
        }
        raw.fields = fields;
        if errors.is_empty() {
            Ok(raw)
        } else {
            Err(errors)
        }
    }
}
