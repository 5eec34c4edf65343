//! Departments: the bodies that submit records and manage lists.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

/// A department registered on the platform and the catalogue categories it may submit.
/// Invariant: a department submits only its own categories (SPEC: "No record without a source").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Department {
    pub code: String,
    pub name: String,
    pub categories: BTreeSet<String>,
    /// List types whose entries the department manages (adds, extends, removes).
    #[serde(default)]
    pub lists: BTreeSet<String>,
    /// Professions whose people in role the department registers (the bar for lawyers, the
    /// health commission for doctors, an organisation for its own civil servants).
    #[serde(default)]
    pub professions: BTreeSet<String>,
}

/// Why a department identifier was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("department code must be 2-64 characters of A-Z, a-z, 0-9, '-', '_' or '.', found {0:?}")]
pub struct DepartmentCodeError(pub String);

impl Department {
    /// Department codes are platform identifiers (usually the department's own USCC); they
    /// appear in URLs and logs, so they are restricted to a safe alphabet.
    pub fn check_code(code: &str) -> Result<(), DepartmentCodeError> {
        let ok = (2..=64).contains(&code.len())
            && code
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
        if ok {
            Ok(())
        } else {
            Err(DepartmentCodeError(code.to_owned()))
        }
    }

    pub fn may_submit(&self, category: &str) -> bool {
        self.categories.contains(category)
    }

    pub fn manages_list(&self, list_type: &str) -> bool {
        self.lists.contains(list_type)
    }

    pub fn registers_profession(&self, profession: &str) -> bool {
        self.professions.contains(profession)
    }
}
