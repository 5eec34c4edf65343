//! One mechanism: a list entry is a record of its list type's category (SPEC: "a list entry ...
//! is a record of a list category with a start, an end and an authority").

use serde_json::Value;

use super::{ListEntry, ListEntryStatus, ListType, ValidListEntry};
use crate::catalogue::Catalogue;

impl ListType {
    /// The record a list entry is stored as: a record of the list's category whose decision
    /// date is the start of the listing and whose publicity ends with it. `fields` carries the
    /// category's published fields (e.g. court, case number, obligation for defaulters); the
    /// ground is written into the category's ground field where it has one.
    pub fn entry_record(
        &self,
        entry: &ValidListEntry,
        legal_basis: Option<&str>,
        fields: &serde_json::Map<String, Value>,
        catalogue: &Catalogue,
    ) -> crate::record::RawRecord {
        use crate::catalogue::CoreAttribute as A;
        let mut raw = crate::record::RawRecord::default();
        raw.set(A::Category, "list_type", self.category.clone());
        raw.set(A::SubjectCode, "subject.code", entry.subject.code.as_str());
        raw.set(A::SubjectName, "subject.name", entry.subject.name.clone());
        raw.set(A::SubjectKind, "subject.kind", entry.subject.kind.as_str());
        raw.set(A::DocumentNo, "document_no", entry.document_no.clone());
        raw.set(A::DecidedOn, "starts_on", entry.starts_on.to_string());
        raw.set(A::PublicityUntil, "ends_on", entry.ends_on.to_string());
        let basis = match legal_basis.map(str::trim).filter(|b| !b.is_empty()) {
            Some(b) => b.to_owned(),
            None => match self.ground(&entry.ground) {
                Some(g) => format!("{}（{}）", self.legal_basis, g.name_zh),
                None => self.legal_basis.clone(),
            },
        };
        raw.set(A::LegalBasis, "legal_basis", basis);
        // List entries are serious dishonesty where the category grades by tier.
        if let Some(t) = catalogue
            .category(&self.category)
            .and_then(|cat| cat.tiers.iter().map(|t| t.tier).max())
        {
            raw.set(A::Tier, "tier", t.as_str());
        }
        raw.fields = fields.clone();
        if let (Some(field), Some(g)) = (&self.ground_field, self.ground(&entry.ground)) {
            raw.fields
                .entry(field.clone())
                .or_insert_with(|| Value::String(g.name_zh.clone()));
        }
        raw
    }

    /// Reads a stored record of this list's category as a list entry. Records that came in
    /// through plain submissions (a court's CSV export, say) count too: their ground is taken
    /// from the category's ground field, or `unspecified`.
    pub fn entry_of(&self, record: &crate::record::Record) -> ListEntry {
        use crate::record::RecordStatus as R;
        let (ground, related_persons) = match &record.listing {
            Some(l) => (l.ground.clone(), l.related_persons.clone()),
            None => {
                let ground = self
                    .ground_field
                    .as_ref()
                    .and_then(|f| record.fields.get(f))
                    .and_then(Value::as_str)
                    .and_then(|name| self.ground(name))
                    .map_or_else(|| "unspecified".to_owned(), |g| g.id.clone());
                (ground, Vec::new())
            }
        };
        ListEntry {
            id: record.id.clone(),
            version: record.version,
            list_type: self.id.clone(),
            status: match record.status {
                R::Active => ListEntryStatus::Active,
                R::UnderObjection => ListEntryStatus::UnderObjection,
                R::Repaired => ListEntryStatus::Repaired,
                R::Revoked | R::Removed => ListEntryStatus::Removed,
            },
            authority: record.department.clone(),
            subject_code: record.subject_code.clone(),
            subject_name: record.subject_name.clone(),
            subject_kind: record.subject_kind,
            ground,
            document_no: record.document_no.clone(),
            starts_on: record.decided_on,
            ends_on: record.publicity_until,
            related_persons,
        }
    }
}
