//! Record version rows as both record capabilities (`records.rs`, `import.rs`) and the public
//! read paths (`search.rs`) write and read them: the columns, decoding by name with the sealed
//! values opened, sealing of restricted fields, and the two statements every version change
//! runs in its transaction (history first, then the write counter).

use std::borrow::Cow;
use std::collections::BTreeMap;
use xinyong_domain::code::SubjectCode;

use serde_json::Value;
use xinyong_domain::mask::mask_identity_numbers;
use xinyong_domain::{Listing, Record, RecordStatus, SubjectKind, Tier, ValidRecord};

use crate::StoreError;
use crate::engine::{DbRow, Engine, Sql, SqlStore, corrupt, fits};
use crate::events::{Event, LedgerEvent, Version};
use crate::vault::Vault;

/// Columns of `records` and `record_history` (the same in both), as [`decode_record`] reads
/// them by name and as a version is copied to history.
pub(crate) const RECORD_COLUMNS: &str = "id, version, status, department, category, \
    subject_code, subject_name, subject_kind, document_no, decided_on, legal_basis, \
    tier, publicity_until, fields, content_hash, recorded_at, listing, status_note, \
    subject_sealed, fields_sealed, listing_sealed";

/// The subject a row names in `code_column` (a lookup code) and `sealed_column` (a person's
/// sealed number), opened and parsed; a code that does not parse is corrupt data of the row
/// `what` `id`. Every table that names subjects decodes them through this.
pub(crate) fn row_subject(
    row: &impl DbRow,
    vault: &Vault,
    (code_column, sealed_column): (&str, &str),
    (what, id): (&str, &str),
) -> Result<SubjectCode, StoreError> {
    let sealed = row.opt_text(sealed_column)?;
    let code = vault.open_code(row.text(code_column)?, sealed.as_deref())?;
    SubjectCode::parse(&code).map_err(|_| corrupt(what, id))
}

/// Columns most tables name their subject by.
pub(crate) const SUBJECT: (&str, &str) = ("subject_code", "subject_sealed");

/// Decodes a row selected with [`RECORD_COLUMNS`], opening its sealed identity number and
/// fields.
pub(crate) fn decode_record(row: &impl DbRow, vault: &Vault) -> Result<Record, StoreError> {
    let id = row.text("id")?;
    let subject_code = row_subject(row, vault, SUBJECT, ("subject code of", &id))?;
    let fields: BTreeMap<String, Value> = match row.opt_text("fields_sealed")? {
        None => row.json_as("fields")?,
        Some(sealed) => {
            let json = vault.open(&sealed, &fields_context(&id))?;
            serde_json::from_str(&json).map_err(|_| corrupt("sealed fields of", &id))?
        }
    };
    let status = row.text("status")?;
    let kind = row.text("subject_kind")?;
    let tier = row.opt_text("tier")?;
    Ok(Record {
        version: fits("version", row.int("version")?)?,
        status: RecordStatus::parse(&status).ok_or_else(|| corrupt("status", &status))?,
        subject_kind: parse_kind(&kind)?,
        tier: match tier.as_deref() {
            None => None,
            Some(t) => Some(Tier::parse(t).ok_or_else(|| corrupt("tier", t))?),
        },
        department: row.text("department")?,
        category: row.text("category")?,
        subject_code,
        subject_name: row.text("subject_name")?,
        document_no: row.text("document_no")?,
        decided_on: row.date("decided_on")?,
        legal_basis: row.text("legal_basis")?,
        publicity_until: row.date("publicity_until")?,
        fields,
        content_hash: row.text("content_hash")?,
        recorded_at: row.time("recorded_at")?,
        listing: match row.opt_text("listing_sealed")? {
            None => row.opt_json_as::<Listing>("listing")?,
            Some(sealed) => {
                let json = vault.open(&sealed, &listing_context(&id))?;
                Some(serde_json::from_str(&json).map_err(|_| corrupt("sealed listing of", &id))?)
            }
        },
        status_note: row.opt_text("status_note")?,
        id: id.into(),
    })
}

/// A stored subject kind.
pub(crate) fn parse_kind(s: &str) -> Result<SubjectKind, StoreError> {
    SubjectKind::parse(s).ok_or_else(|| corrupt("subject kind", s))
}

/// Whether fields (as JSON text) hold something that could be a citizen identity number: a
/// personal field (a legal representative's number) or a number typed into free text.
pub(crate) fn names_a_person(fields_json: &str) -> bool {
    matches!(mask_identity_numbers(fields_json), Cow::Owned(_))
}

/// The `fields` and `fields_sealed` columns of a record: the fields of a restricted record, and
/// fields that hold an identity number, are sealed (bound to the record id) and `fields` holds
/// `{}`.
pub(crate) fn seal_fields(vault: &Vault, id: &str, rec: &ValidRecord) -> (String, Option<String>) {
    if rec.restricted || names_a_person(&rec.fields_json) {
        (
            "{}".to_owned(),
            Some(vault.seal(&rec.fields_json, &fields_context(id))),
        )
    } else {
        (rec.fields_json.clone(), None)
    }
}

/// What a record's sealed fields are bound to.
pub(crate) fn fields_context(id: &str) -> String {
    format!("fields:{id}")
}

/// What a record's sealed listing is bound to.
pub(crate) fn listing_context(id: &str) -> String {
    format!("listing:{id}")
}

/// The `listing` and `listing_sealed` columns of a record: a listing that binds persons is
/// sealed whole (bound to the record id), and `listing` keeps its list type and ground without
/// them; NULL, NULL for a record that is no list entry.
pub(crate) fn seal_listing(
    vault: &Vault,
    id: &str,
    listing: Option<&Listing>,
) -> (Option<String>, Option<String>) {
    let Some(listing) = listing else {
        return (None, None);
    };
    // A listing of strings always serialises.
    let json = |l: &Listing| serde_json::to_string(l).unwrap_or_else(|_| "{}".to_owned());
    if listing.related_persons.is_empty() {
        return (Some(json(listing)), None);
    }
    let bare = Listing {
        related_persons: Vec::new(),
        ..listing.clone()
    };
    (
        Some(json(&bare)),
        Some(vault.seal(&json(listing), &listing_context(id))),
    )
}

/// Copies the current version of record `id` to `record_history` (before it changes).
pub(crate) async fn keep_history<E: Engine>(
    conn: &mut E::Connection,
    id: &str,
) -> Result<(), StoreError> {
    let mut sql = Sql::new::<E>("INSERT INTO record_history (");
    sql.push(RECORD_COLUMNS)
        .push(") SELECT ")
        .push(RECORD_COLUMNS);
    sql.push(" FROM records WHERE id = ").bind(id.to_owned());
    E::execute(conn, sql).await?;
    Ok(())
}

/// Moves record `id` to `version` with `rec`'s content and status `active`, sealing what
/// must be sealed; the current row goes to history first, never overwritten. `hash` is the
/// stored (keyed) content hash.
pub(crate) async fn write_version<E: Engine>(
    conn: &mut E::Connection,
    vault: &Vault,
    id: &str,
    version: u32,
    rec: &ValidRecord,
    hash: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(), StoreError> {
    keep_history::<E>(conn, id).await?;
    let subject = vault.store_code(rec.subject.code.as_str());
    let (fields, fields_sealed) = seal_fields(vault, id, rec);
    let (listing, listing_sealed) = seal_listing(vault, id, rec.listing.as_ref());
    let mut sql = Sql::new::<E>("UPDATE records SET version = ");
    sql.bind(version);
    sql.push(", status = ").bind(RecordStatus::Active.as_str());
    sql.push(", subject_code = ").bind(subject.lookup);
    sql.push(", subject_sealed = ").bind(subject.sealed);
    sql.push(", fields_sealed = ").bind(fields_sealed);
    sql.push(", subject_name = ").bind(&rec.subject.name);
    sql.push(", subject_kind = ")
        .bind(rec.subject.kind.as_str());
    sql.push(", decided_on = ").bind(rec.decided_on);
    sql.push(", legal_basis = ").bind(&rec.legal_basis);
    sql.push(", tier = ").bind(rec.tier.map(|t| t.as_str()));
    sql.push(", publicity_until = ").bind(rec.publicity_until);
    sql.push(", fields = ").bind_json(fields);
    sql.push(", content_hash = ").bind(hash.to_owned());
    sql.push(", recorded_at = ").bind(now);
    sql.push(", listing = ").bind_json(listing);
    sql.push(", listing_sealed = ").bind(listing_sealed);
    sql.push(", status_note = NULL WHERE id = ")
        .bind(id.to_owned());
    E::execute(conn, sql).await?;
    Ok(())
}

/// Bumps the write counter of each category inside the transaction on `conn`: a reader
/// interested in some categories (the list index) reloads only when those moved.
pub(crate) async fn bump_generation<E: Engine>(
    conn: &mut E::Connection,
    categories: &[&str],
) -> Result<(), StoreError> {
    for category in categories {
        let mut sql = Sql::new::<E>("INSERT INTO generations (topic, generation) VALUES (");
        sql.bind((*category).to_owned());
        sql.push(", 1) ON CONFLICT (topic) DO UPDATE SET generation = generations.generation + 1");
        E::execute(conn, sql).await?;
    }
    Ok(())
}

impl<E: Engine> SqlStore<E> {
    /// Gives record `id` a new version with `status` and `note`, in the transaction on `conn`;
    /// returns the version as stored.
    pub(crate) async fn restatus(
        &self,
        conn: &mut E::Connection,
        id: &str,
        status: RecordStatus,
        note: Option<String>,
    ) -> Result<Record, StoreError> {
        keep_history::<E>(conn, id).await?;
        let mut sql = Sql::new::<E>("UPDATE records SET version = version + 1, status = ");
        sql.bind(status.as_str());
        sql.push(", status_note = ").bind(note);
        sql.push(", recorded_at = ").bind(chrono::Utc::now());
        sql.push(" WHERE id = ").bind(id.to_owned());
        E::execute(conn, sql).await?;
        self.reread(conn, id).await
    }

    pub(crate) async fn reread(
        &self,
        conn: &mut E::Connection,
        id: &str,
    ) -> Result<Record, StoreError> {
        let mut sql = Sql::new::<E>("SELECT ");
        sql.push(RECORD_COLUMNS).push(" FROM records WHERE id = ");
        sql.bind(id.to_owned());
        decode_record(&E::fetch_one(conn, sql).await?, &self.vault)
    }

    /// The audit-log entry of a record's new version.
    pub(crate) fn version_entry(&self, record: &Record, actor: &str) -> LedgerEvent {
        let pseudonym = self.vault.pseudonym(record.subject_code.as_str());
        let version = Version::Stored {
            record,
            pseudonym: &pseudonym,
        };
        LedgerEvent::new(Event::RecordVersion(version), actor)
    }

    /// Every record a statement selects with [`RECORD_COLUMNS`].
    pub(crate) async fn fetch_records(&self, sql: Sql) -> Result<Vec<Record>, StoreError> {
        let rows = self.fetch_all(sql).await?;
        rows.iter().map(|r| decode_record(r, &self.vault)).collect()
    }
}
