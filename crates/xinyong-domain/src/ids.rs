//! Identifiers of stored things, as newtypes so that one kind of id cannot be passed where
//! another is meant. No other module of the crate is imported here.

use serde::{Deserialize, Serialize};

/// A stored record's opaque id (a ULID made by the store): what links versions, history,
/// list entries, objections and audit-log entries to one record. Never derived from content.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(value_type = String))]
pub struct RecordId(String);

impl RecordId {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for RecordId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<String> for RecordId {
    fn from(id: String) -> Self {
        RecordId(id)
    }
}

impl From<&str> for RecordId {
    fn from(id: &str) -> Self {
        RecordId(id.to_owned())
    }
}

impl PartialEq<str> for RecordId {
    fn eq(&self, other: &str) -> bool {
        self.0 == other
    }
}

impl PartialEq<&str> for RecordId {
    fn eq(&self, other: &&str) -> bool {
        self.0 == *other
    }
}
