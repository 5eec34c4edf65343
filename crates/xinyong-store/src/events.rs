//! Every kind of audit-log event in one place: the name each kind is stored under, the
//! reference id of the row it vouches for, and the digest of that row's state.
//!
//! Writers (the store's capability files, the web crate's `note_access`, the binary) build an
//! [`Event`], which carries exactly the state its kind vouches for, and turn it into a
//! [`LedgerEvent`] to append; `ledger::verify` recomputes the same digests from the stored rows
//! and decides per [`EventKind`], in a match without a wildcard, which rows it checks.
//!
//! Invariant: the stored names ([`EventKind::as_str`]) and the digests never change for a
//! kind, so that logs written by earlier versions still verify. A new kind is a new variant
//! of both enums; it does not compile until `verify` decides what it covers.

use chrono::NaiveDate;
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use xinyong_domain::access::SpecialApplication;
use xinyong_domain::attachment::Attachment;
use xinyong_domain::code::SubjectCode;
use xinyong_domain::grading::Model;
use xinyong_domain::inspection::InspectionDraw;
use xinyong_domain::record::VersionState;
use xinyong_domain::report::Report;
use xinyong_domain::rights::{Objection, RepairApplication, SubjectGrant};
use xinyong_domain::role::PersonInRole;
use xinyong_domain::{Department, Disclosure, Record};
use xinyong_ledger::Hash;

use crate::model::{ApplicationDecision, CheckRow, FeedbackRow, OperatorAccount, Token, Webhook};

/// How a state names a subject that may be a natural person: the store's keyed pseudonym
/// (see `Vault::pseudonym`), so that no digest can be used to test a guessed identity number.
pub type Pseudonym<'a> = &'a (dyn Fn(&str) -> String + Sync);

/// The kinds of audit-log entry, as stored in `ledger_entries.kind`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EventKind {
    /// `record.created`: the first version of a record.
    RecordCreated,
    /// `record.version`: a later version (new content, or a status change).
    RecordVersion,
    /// `department.put`: a department registered or given categories.
    DepartmentPut,
    /// `token.created`
    TokenCreated,
    /// `token.revoked`
    TokenRevoked,
    /// `session.opened`: an operator signed in (the session is an operator token).
    SessionOpened,
    /// `check`: a credit check, which reads a subject's non-public standing.
    Check,
    /// `check.feedback`
    CheckFeedback,
    /// `application.filed`: a special application.
    ApplicationFiled,
    /// `application.decided`
    ApplicationDecided,
    /// `operator.created`
    OperatorCreated,
    /// `operator.disabled`
    OperatorDisabled,
    /// `read.shared`, `read.restricted` (`read.public` is never written, but has a name).
    Read(Disclosure),
    /// `catalogue.loaded`: the catalogue in force in a process.
    CatalogueLoaded,
    /// `objection.filed`: a subject contested a record.
    ObjectionFiled,
    /// `objection.decided`: the source department decided an objection.
    ObjectionDecided,
    /// `repair.filed`: a subject applied to repair a record.
    RepairFiled,
    /// `repair.decided`: the deciding department granted or refused a repair.
    RepairDecided,
    /// `grant.given`: a subject authorised a credit service body.
    GrantGiven,
    /// `grant.revoked`: a subject withdrew an authorisation.
    GrantRevoked,
    /// `report.filed`: someone reported trust-breaking.
    ReportFiled,
    /// `report.updated`: the competent department moved a report on.
    ReportUpdated,
    /// `calendar.loaded`: the working-day calendar in force in a process, by its file's
    /// digest, so that every deadline can be recomputed later from the same data.
    CalendarLoaded,
    /// `webhook.put`: a subject registered a webhook for its notifications.
    WebhookPut,
    /// `webhook.removed`: a subject removed (or replaced) its webhook.
    WebhookRemoved,
    /// `objection.escalated`: an objection was still open past its last deadline.
    ObjectionEscalated,
    /// `attachment.stored`: a subject uploaded an evidence file (its digest, not its content).
    AttachmentStored,
    /// `objection.rescheduled`: an open objection's provisional deadlines were recomputed
    /// with a calendar that holds their year.
    ObjectionRescheduled,
    /// `repair.rescheduled`: the same for a pending repair application.
    RepairRescheduled,
    /// `grades.stored`: a batch of grades, with the model (id, version, file digest) that gave
    /// them, the date, and a digest of the grades (issue #13).
    GradesStored,
    /// `inspection.drawn`: a risk-weighted random inspection draw, with its seed and the
    /// population's digest, so that anyone can re-run it.
    InspectionDrawn,
    /// `role.registered`: a department registered a person in a regulated role, or changed
    /// (ended) one.
    RoleRegistered,
}

impl EventKind {
    /// Every kind.
    pub const ALL: [EventKind; 34] = [
        EventKind::RecordCreated,
        EventKind::RecordVersion,
        EventKind::DepartmentPut,
        EventKind::TokenCreated,
        EventKind::TokenRevoked,
        EventKind::SessionOpened,
        EventKind::Check,
        EventKind::CheckFeedback,
        EventKind::ApplicationFiled,
        EventKind::ApplicationDecided,
        EventKind::OperatorCreated,
        EventKind::OperatorDisabled,
        EventKind::Read(Disclosure::Public),
        EventKind::Read(Disclosure::Shared),
        EventKind::Read(Disclosure::Restricted),
        EventKind::CatalogueLoaded,
        EventKind::ObjectionFiled,
        EventKind::ObjectionDecided,
        EventKind::CalendarLoaded,
        EventKind::RepairFiled,
        EventKind::RepairDecided,
        EventKind::GrantGiven,
        EventKind::GrantRevoked,
        EventKind::WebhookPut,
        EventKind::WebhookRemoved,
        EventKind::ReportFiled,
        EventKind::ReportUpdated,
        EventKind::ObjectionEscalated,
        EventKind::AttachmentStored,
        EventKind::ObjectionRescheduled,
        EventKind::RepairRescheduled,
        EventKind::GradesStored,
        EventKind::InspectionDrawn,
        EventKind::RoleRegistered,
    ];

    /// The stored name (never changes for a kind: existing logs hold it).
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::RecordCreated => "record.created",
            EventKind::RecordVersion => "record.version",
            EventKind::DepartmentPut => "department.put",
            EventKind::TokenCreated => "token.created",
            EventKind::TokenRevoked => "token.revoked",
            EventKind::SessionOpened => "session.opened",
            EventKind::Check => "check",
            EventKind::CheckFeedback => "check.feedback",
            EventKind::ApplicationFiled => "application.filed",
            EventKind::ApplicationDecided => "application.decided",
            EventKind::OperatorCreated => "operator.created",
            EventKind::OperatorDisabled => "operator.disabled",
            EventKind::Read(Disclosure::Public) => "read.public",
            EventKind::Read(Disclosure::Shared) => "read.shared",
            EventKind::Read(Disclosure::Restricted) => "read.restricted",
            EventKind::CatalogueLoaded => "catalogue.loaded",
            EventKind::ObjectionFiled => "objection.filed",
            EventKind::ObjectionDecided => "objection.decided",
            EventKind::CalendarLoaded => "calendar.loaded",
            EventKind::RepairFiled => "repair.filed",
            EventKind::RepairDecided => "repair.decided",
            EventKind::GrantGiven => "grant.given",
            EventKind::GrantRevoked => "grant.revoked",
            EventKind::WebhookPut => "webhook.put",
            EventKind::WebhookRemoved => "webhook.removed",
            EventKind::ReportFiled => "report.filed",
            EventKind::ReportUpdated => "report.updated",
            EventKind::ObjectionEscalated => "objection.escalated",
            EventKind::AttachmentStored => "attachment.stored",
            EventKind::ObjectionRescheduled => "objection.rescheduled",
            EventKind::RepairRescheduled => "repair.rescheduled",
            EventKind::GradesStored => "grades.stored",
            EventKind::InspectionDrawn => "inspection.drawn",
            EventKind::RoleRegistered => "role.registered",
        }
    }

    /// The kind a stored name stands for.
    pub fn parse(s: &str) -> Option<EventKind> {
        EventKind::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

impl std::fmt::Display for EventKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A record version an entry vouches for.
pub enum Version<'a> {
    /// A version being written from a validated record: `state` names the subject by its
    /// pseudonym, `subject` is the subject's code.
    Written {
        subject: &'a str,
        state: VersionState<'a>,
    },
    /// A stored version as read back, and the pseudonym of its subject.
    Stored {
        record: &'a Record,
        pseudonym: &'a str,
    },
}

impl Version<'_> {
    fn subject(&self) -> &str {
        match self {
            Version::Written { subject, .. } => subject,
            Version::Stored { record, .. } => record.subject_code.as_str(),
        }
    }

    /// `ID@VERSION`.
    pub fn ref_id(&self) -> String {
        match self {
            Version::Written { state, .. } => record_ref(state.id, state.version),
            Version::Stored { record, .. } => record_ref(record.id.as_str(), record.version),
        }
    }

    /// [`VersionState::digest`]: the same function at write and at verify time.
    pub fn digest(&self) -> Hash {
        match self {
            Version::Written { state, .. } => state.digest(),
            Version::Stored { record, pseudonym } => record.version_digest(pseudonym),
        }
    }
}

/// One event, with the state it vouches for: each variant is one [`EventKind`].
pub enum Event<'a> {
    RecordCreated(Version<'a>),
    RecordVersion(Version<'a>),
    DepartmentPut(&'a Department),
    TokenCreated(&'a Token, Pseudonym<'a>),
    TokenRevoked(&'a Token, Pseudonym<'a>),
    SessionOpened(&'a Token, Pseudonym<'a>),
    Check(&'a CheckRow, Pseudonym<'a>),
    CheckFeedback(&'a FeedbackRow),
    ApplicationFiled(&'a SpecialApplication, Pseudonym<'a>),
    ApplicationDecided {
        id: &'a str,
        /// The application's subject code.
        subject: &'a str,
        decision: &'a ApplicationDecision,
    },
    OperatorCreated(&'a OperatorAccount),
    OperatorDisabled(&'a OperatorAccount),
    /// A non-public read of `subject`'s information; `payload` binds what was read.
    Read {
        clearance: Disclosure,
        subject: &'a str,
        payload: &'a serde_json::Value,
    },
    /// The catalogue in force (its serialised form).
    CatalogueLoaded {
        version: &'a str,
        catalogue: &'a serde_json::Value,
    },
    ObjectionFiled(&'a Objection, Pseudonym<'a>),
    ObjectionDecided(&'a Objection, Pseudonym<'a>),
    ObjectionEscalated(&'a Objection, Pseudonym<'a>),
    AttachmentStored(&'a Attachment, Pseudonym<'a>),
    ObjectionRescheduled(&'a Objection, Pseudonym<'a>),
    RepairRescheduled(&'a RepairApplication, Pseudonym<'a>),
    RepairFiled(&'a RepairApplication, Pseudonym<'a>),
    RepairDecided(&'a RepairApplication, Pseudonym<'a>),
    GrantGiven(&'a SubjectGrant, Pseudonym<'a>),
    GrantRevoked(&'a SubjectGrant, Pseudonym<'a>),
    WebhookPut(&'a Webhook, Pseudonym<'a>),
    WebhookRemoved(&'a Webhook, Pseudonym<'a>),
    ReportFiled(&'a Report, Pseudonym<'a>),
    ReportUpdated(&'a Report, Pseudonym<'a>),
    /// The calendar in force: the SHA-256 of its file and the years it holds.
    CalendarLoaded {
        digest: &'a str,
        years: &'a [i32],
    },
    /// A batch of grades given by `model` on `as_of` ([`crate::grades::grades_digest`]).
    GradesStored {
        model: &'a Model,
        as_of: NaiveDate,
        count: u64,
        grades_digest: &'a str,
    },
    InspectionDrawn(&'a InspectionDraw),
    RoleRegistered(&'a PersonInRole, Pseudonym<'a>),
}

impl Event<'_> {
    /// What kind of entry this is.
    pub fn kind(&self) -> EventKind {
        match self {
            Event::RecordCreated(_) => EventKind::RecordCreated,
            Event::RecordVersion(_) => EventKind::RecordVersion,
            Event::DepartmentPut(_) => EventKind::DepartmentPut,
            Event::TokenCreated(..) => EventKind::TokenCreated,
            Event::TokenRevoked(..) => EventKind::TokenRevoked,
            Event::SessionOpened(..) => EventKind::SessionOpened,
            Event::Check(..) => EventKind::Check,
            Event::CheckFeedback(_) => EventKind::CheckFeedback,
            Event::ApplicationFiled(..) => EventKind::ApplicationFiled,
            Event::ApplicationDecided { .. } => EventKind::ApplicationDecided,
            Event::OperatorCreated(_) => EventKind::OperatorCreated,
            Event::OperatorDisabled(_) => EventKind::OperatorDisabled,
            Event::Read { clearance, .. } => EventKind::Read(*clearance),
            Event::CatalogueLoaded { .. } => EventKind::CatalogueLoaded,
            Event::ObjectionFiled(..) => EventKind::ObjectionFiled,
            Event::ObjectionDecided(..) => EventKind::ObjectionDecided,
            Event::ObjectionEscalated(..) => EventKind::ObjectionEscalated,
            Event::AttachmentStored(..) => EventKind::AttachmentStored,
            Event::ObjectionRescheduled(..) => EventKind::ObjectionRescheduled,
            Event::RepairRescheduled(..) => EventKind::RepairRescheduled,
            Event::CalendarLoaded { .. } => EventKind::CalendarLoaded,
            Event::GradesStored { .. } => EventKind::GradesStored,
            Event::InspectionDrawn(_) => EventKind::InspectionDrawn,
            Event::RoleRegistered(..) => EventKind::RoleRegistered,
            Event::RepairFiled(..) => EventKind::RepairFiled,
            Event::RepairDecided(..) => EventKind::RepairDecided,
            Event::GrantGiven(..) => EventKind::GrantGiven,
            Event::GrantRevoked(..) => EventKind::GrantRevoked,
            Event::WebhookPut(..) => EventKind::WebhookPut,
            Event::WebhookRemoved(..) => EventKind::WebhookRemoved,
            Event::ReportFiled(..) => EventKind::ReportFiled,
            Event::ReportUpdated(..) => EventKind::ReportUpdated,
        }
    }

    /// The subject code the event concerns (the store pseudonymises natural persons).
    pub fn subject(&self) -> Option<&str> {
        match self {
            Event::RecordCreated(v) | Event::RecordVersion(v) => Some(v.subject()),
            Event::Check(c, _) => Some(&c.subject_code),
            Event::ApplicationFiled(a, _) => Some(&a.subject_code),
            Event::ObjectionFiled(o, _)
            | Event::ObjectionDecided(o, _)
            | Event::ObjectionEscalated(o, _)
            | Event::ObjectionRescheduled(o, _) => Some(o.subject_code.as_str()),
            Event::AttachmentStored(a, _) => Some(a.subject_code.as_str()),
            Event::RoleRegistered(r, _) => Some(r.person.as_str()),
            Event::RepairFiled(r, _)
            | Event::RepairDecided(r, _)
            | Event::RepairRescheduled(r, _) => Some(r.subject_code.as_str()),
            Event::GrantGiven(g, _) | Event::GrantRevoked(g, _) => Some(g.subject_code.as_str()),
            Event::WebhookPut(w, _) | Event::WebhookRemoved(w, _) => Some(w.subject_code.as_str()),
            Event::ReportFiled(r, _) | Event::ReportUpdated(r, _) => Some(r.subject_code.as_str()),
            Event::ApplicationDecided { subject, .. } | Event::Read { subject, .. } => {
                Some(subject)
            }
            Event::DepartmentPut(_)
            | Event::TokenCreated(..)
            | Event::TokenRevoked(..)
            | Event::SessionOpened(..)
            | Event::CheckFeedback(_)
            | Event::OperatorCreated(_)
            | Event::OperatorDisabled(_)
            | Event::CatalogueLoaded { .. }
            | Event::CalendarLoaded { .. }
            | Event::GradesStored { .. }
            | Event::InspectionDrawn(_) => None,
        }
    }

    /// The stored row the entry vouches for (`token:ID`, `ID@VERSION`...); none for a read.
    pub fn ref_id(&self) -> Option<String> {
        Some(match self {
            Event::RecordCreated(v) | Event::RecordVersion(v) => v.ref_id(),
            Event::DepartmentPut(d) => format!("department:{}", d.code),
            Event::TokenCreated(t, _) | Event::TokenRevoked(t, _) | Event::SessionOpened(t, _) => {
                token_ref(&t.id)
            }
            Event::Check(c, _) => check_ref(&c.id),
            Event::CheckFeedback(f) => format!("feedback:{}", f.check_id),
            Event::ApplicationFiled(a, _) => format!("application:{}", a.id),
            Event::ApplicationDecided { id, .. } => format!("decision:{id}"),
            Event::OperatorCreated(o) | Event::OperatorDisabled(o) => operator_ref(&o.id),
            Event::Read { .. } => return None,
            Event::CatalogueLoaded { version, .. } => format!("catalogue:{version}"),
            Event::ObjectionFiled(o, _) => format!("objection:{}", o.id),
            Event::ObjectionDecided(o, _) => format!("objection-decision:{}", o.id),
            Event::ObjectionEscalated(o, _) => format!("objection-escalation:{}", o.id),
            Event::AttachmentStored(a, _) => attachment_ref(&a.id),
            Event::ObjectionRescheduled(o, _) => format!("objection-deadlines:{}", o.id),
            Event::RepairRescheduled(r, _) => format!("repair-deadlines:{}", r.id),
            Event::CalendarLoaded { digest, .. } => format!("calendar:{digest}"),
            Event::GradesStored {
                model,
                as_of,
                grades_digest,
                ..
            } => format!(
                "grades:{}@{}:{as_of}:{}",
                model.id,
                model.version,
                &grades_digest[..grades_digest.len().min(16)]
            ),
            Event::InspectionDrawn(d) => format!("inspection:{}", d.id),
            Event::RoleRegistered(r, _) => format!("role:{}", r.id),
            Event::RepairFiled(r, _) => format!("repair:{}", r.id),
            Event::RepairDecided(r, _) => format!("repair-decision:{}", r.id),
            Event::GrantGiven(g, _) | Event::GrantRevoked(g, _) => format!("grant:{}", g.id),
            Event::WebhookPut(w, _) | Event::WebhookRemoved(w, _) => format!("webhook:{}", w.id),
            Event::ReportFiled(r, _) | Event::ReportUpdated(r, _) => format!("report:{}", r.id),
        })
    }

    /// SHA-256 of the canonical content of the state the entry vouches for.
    pub fn digest(&self) -> Hash {
        match self {
            Event::RecordCreated(v) | Event::RecordVersion(v) => v.digest(),
            // Professions join the digest only when given, so entries written before they
            // existed keep theirs.
            Event::DepartmentPut(d) if d.professions.is_empty() => {
                json_digest(&serde_json::json!([d.code, d.name, d.categories, d.lists,]))
            }
            Event::DepartmentPut(d) => json_digest(&serde_json::json!([
                d.code,
                d.name,
                d.categories,
                d.lists,
                d.professions
            ])),
            Event::TokenCreated(t, p) | Event::TokenRevoked(t, p) | Event::SessionOpened(t, p) => {
                token_digest(t, p)
            }
            Event::Check(c, p) => check_digest(c, p),
            Event::CheckFeedback(f) => json_digest(&serde_json::json!([
                f.check_id,
                f.department,
                f.applied,
                f.not_applied,
                f.created_at.timestamp_millis(),
            ])),
            Event::ApplicationFiled(a, p) => json_digest(&serde_json::json!([
                a.id,
                a.department,
                p(&a.subject_code),
                a.purpose,
                a.reason,
                a.legal_basis,
            ])),
            Event::ApplicationDecided { id, decision, .. } => json_digest(&serde_json::json!([
                id,
                decision.status.as_str(),
                decision.decided_by,
                decision.note,
                decision.decided_at.timestamp_millis(),
                decision.valid_until.map(|v| v.timestamp_millis()),
            ])),
            Event::OperatorCreated(o) | Event::OperatorDisabled(o) => operator_digest(o),
            Event::Read { payload, .. } => json_digest(payload),
            Event::CatalogueLoaded { catalogue, .. } => json_digest(catalogue),
            Event::ObjectionFiled(o, p)
            | Event::ObjectionDecided(o, p)
            | Event::ObjectionEscalated(o, p)
            | Event::ObjectionRescheduled(o, p) => objection_digest(o, p),
            Event::CalendarLoaded { digest, years } => {
                json_digest(&serde_json::json!([digest, years]))
            }
            Event::RepairFiled(r, p)
            | Event::RepairDecided(r, p)
            | Event::RepairRescheduled(r, p) => repair_digest(r, p),
            Event::GrantGiven(g, p) | Event::GrantRevoked(g, p) => grant_digest(g, p),
            Event::WebhookPut(w, p) | Event::WebhookRemoved(w, p) => webhook_digest(w, p),
            Event::ReportFiled(r, p) | Event::ReportUpdated(r, p) => report_digest(r, p),
            Event::AttachmentStored(a, p) => attachment_digest(a, p),
            Event::GradesStored {
                model,
                as_of,
                count,
                grades_digest,
            } => json_digest(&serde_json::json!([
                model.id,
                model.version,
                model.digest,
                as_of,
                count,
                grades_digest
            ])),
            Event::InspectionDrawn(d) => json_digest(&serde_json::json!([
                d.id,
                d.department,
                d.seed,
                d.requested,
                d.population,
                d.population_size,
                d.population_digest,
                d.drawn,
                d.drawn_at.timestamp_millis()
            ])),
            Event::RoleRegistered(r, p) => role_digest(r, p),
        }
    }
}

/// The digest a `role.registered` entry keeps of a role: the person by pseudonym only.
pub fn role_digest(r: &PersonInRole, p: Pseudonym) -> Hash {
    json_digest(&serde_json::json!([
        r.id,
        p(r.person.as_str()),
        r.name,
        r.organisation,
        r.profession,
        r.licence_no,
        r.since,
        r.until,
        r.department
    ]))
}

/// An event ready to append: what the log stores besides its position and time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LedgerEvent {
    kind: EventKind,
    subject: Option<String>,
    actor: String,
    payload_hash: Hash,
    ref_id: Option<String>,
}

impl LedgerEvent {
    /// `event`, done by `actor` (a department code, a token id, `cli`, `operator`).
    pub fn new(event: Event<'_>, actor: &str) -> LedgerEvent {
        LedgerEvent {
            kind: event.kind(),
            subject: event.subject().map(str::to_owned),
            actor: actor.to_owned(),
            payload_hash: event.digest(),
            ref_id: event.ref_id(),
        }
    }

    /// What happened.
    pub fn kind(&self) -> EventKind {
        self.kind
    }

    /// The subject code the event concerns, before pseudonymisation.
    pub fn subject(&self) -> Option<&str> {
        self.subject.as_deref()
    }

    /// Who did it.
    pub fn actor(&self) -> &str {
        &self.actor
    }

    /// The digest of the state the event vouches for.
    pub fn payload_hash(&self) -> &Hash {
        &self.payload_hash
    }

    /// The stored row the event vouches for, if any.
    pub fn ref_id(&self) -> Option<&str> {
        self.ref_id.as_deref()
    }
}

/// How a subject is named in the log: an organisation by its code (public anyway), a natural
/// person by `p:` and a keyed hash of the identity number, so that the public log never shows
/// the number and nobody without the key can test guesses against it.
pub fn subject_label(key: &[u8], code: &str) -> String {
    match SubjectCode::parse(code) {
        Ok(SubjectCode::Unified(_)) => code.to_owned(),
        // Citizens, and anything unparsable (never stored, but never printed either).
        _ => {
            // HMAC accepts keys of any length; the error case cannot happen.
            let mut mac = match Hmac::<Sha256>::new_from_slice(key) {
                Ok(m) => m,
                Err(_) => return "p:".to_owned(),
            };
            mac.update(code.as_bytes());
            format!("p:{}", hex::encode(mac.finalize().into_bytes()))
        }
    }
}

/// SHA-256 of a canonical JSON value (`serde_json` sorts object keys).
pub fn json_digest(value: &serde_json::Value) -> Hash {
    Sha256::digest(value.to_string().as_bytes()).into()
}

/// The digest the log keeps for a token row: everything but nothing secret (the stored hash of
/// the secret is included: editing it would let another secret in).
pub fn token_digest(t: &Token, pseudonym: impl Fn(&str) -> String) -> Hash {
    json_digest(&serde_json::json!([
        t.id,
        t.hash,
        t.role.as_str(),
        t.department,
        t.subject.as_deref().map(pseudonym),
        t.label,
        t.created_at.timestamp_millis(),
        t.expires_at.map(|e| e.timestamp_millis()),
        t.revoked_at.map(|e| e.timestamp_millis()),
    ]))
}

/// The digest the log keeps for a credit check.
pub fn check_digest(c: &CheckRow, pseudonym: impl Fn(&str) -> String) -> Hash {
    json_digest(&serde_json::json!([
        c.id,
        c.department,
        pseudonym(&c.subject_code),
        c.context,
        c.result,
        c.created_at.timestamp_millis(),
    ]))
}

/// The digest the log keeps for an operator account: everything but when it last signed
/// in (the stored hash is included: replacing it would let another password in).
pub fn operator_digest(o: &OperatorAccount) -> Hash {
    json_digest(&serde_json::json!([
        o.id,
        o.name,
        o.password_hash,
        o.created_at.timestamp_millis(),
        o.disabled_at.map(|d| d.timestamp_millis()),
    ]))
}

/// The digest the log keeps for an objection case: its whole state, the subject by pseudonym.
/// Attachments and the escalation time are appended only when present, so that cases
/// written before they existed keep the digest their entries recorded.
pub fn objection_digest(o: &Objection, pseudonym: impl Fn(&str) -> String) -> Hash {
    let mut state = vec![
        serde_json::json!(o.id),
        serde_json::json!(o.record),
        serde_json::json!(pseudonym(o.subject_code.as_str())),
        serde_json::json!(o.department),
        serde_json::json!(o.ground.as_str()),
        serde_json::json!(o.reason),
        serde_json::json!(o.filed_at.timestamp_millis()),
        serde_json::json!(o.deadlines),
        serde_json::json!(o.status.as_str()),
        serde_json::json!(o.outcome.map(|x| x.as_str())),
        serde_json::json!(o.decision_reason),
        serde_json::json!(o.decided_at.map(|d| d.timestamp_millis())),
    ];
    if !o.attachments.is_empty() {
        state.push(serde_json::json!({ "attachments": o.attachments }));
    }
    if let Some(at) = o.escalated_at {
        state.push(serde_json::json!({ "escalated_at": at.timestamp_millis() }));
    }
    json_digest(&serde_json::Value::Array(state))
}

/// The digest the log keeps for a repair application: its whole state (attachments appended
/// only when present, as for objections).
pub fn repair_digest(r: &RepairApplication, pseudonym: impl Fn(&str) -> String) -> Hash {
    let mut state = vec![
        serde_json::json!(r.id),
        serde_json::json!(r.record),
        serde_json::json!(pseudonym(r.subject_code.as_str())),
        serde_json::json!(r.department),
        serde_json::json!(r.commitment),
        serde_json::json!(r.evidence),
        serde_json::json!(r.filed_at.timestamp_millis()),
        serde_json::json!(r.deadlines),
        serde_json::json!(r.status.as_str()),
        serde_json::json!(r.decision_reason),
        serde_json::json!(r.decided_at.map(|d| d.timestamp_millis())),
    ];
    if !r.attachments.is_empty() {
        state.push(serde_json::json!({ "attachments": r.attachments }));
    }
    json_digest(&serde_json::Value::Array(state))
}

/// The digest the log keeps for a grant: its whole state.
pub fn grant_digest(g: &SubjectGrant, pseudonym: impl Fn(&str) -> String) -> Hash {
    json_digest(&serde_json::json!([
        g.id,
        pseudonym(g.subject_code.as_str()),
        g.service,
        g.purpose,
        g.granted_at.timestamp_millis(),
        g.valid_until.timestamp_millis(),
        g.revoked_at.map(|d| d.timestamp_millis()),
    ]))
}

/// The digest the log keeps for a webhook: what the subject registered (not its delivery
/// progress, which changes with every delivery).
pub fn webhook_digest(w: &Webhook, pseudonym: impl Fn(&str) -> String) -> Hash {
    json_digest(&serde_json::json!([
        w.id,
        pseudonym(w.subject_code.as_str()),
        w.url,
        w.created_at.timestamp_millis(),
    ]))
}

/// The digest the log keeps for a report. The reporter's contact is not in it: the public log
/// must not let anyone test a guess of who reported.
pub fn report_digest(r: &Report, pseudonym: impl Fn(&str) -> String) -> Hash {
    json_digest(&serde_json::json!([
        r.id,
        r.category,
        pseudonym(r.subject_code.as_str()),
        r.content,
        r.contact.is_some(),
        r.department,
        r.status.as_str(),
        r.status_note,
        r.filed_at.timestamp_millis(),
        r.updated_at.timestamp_millis(),
    ]))
}

/// The digest the log keeps for an evidence attachment: its metadata and the SHA-256 of its
/// content (the content itself never enters the log).
pub fn attachment_digest(a: &Attachment, pseudonym: impl Fn(&str) -> String) -> Hash {
    json_digest(&serde_json::json!([
        a.id,
        pseudonym(a.subject_code.as_str()),
        a.media_type.as_str(),
        a.name,
        a.size,
        a.sha256,
        a.stored_at.timestamp_millis(),
    ]))
}

/// How an entry names a record version.
pub fn record_ref(id: &str, version: u32) -> String {
    format!("{id}@{version}")
}

/// How an entry names a token row.
pub fn token_ref(id: &str) -> String {
    format!("token:{id}")
}

/// How an entry names a credit check.
pub fn check_ref(id: &str) -> String {
    format!("check:{id}")
}

/// How an entry names an evidence attachment.
pub fn attachment_ref(id: &str) -> String {
    format!("attachment:{id}")
}

/// How an entry names an operator account.
pub fn operator_ref(id: &str) -> String {
    format!("operator:{id}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_has_its_own_stored_name() {
        for kind in EventKind::ALL {
            assert_eq!(EventKind::parse(kind.as_str()), Some(kind));
        }
        let names: std::collections::BTreeSet<_> =
            EventKind::ALL.iter().map(|k| k.as_str()).collect();
        assert_eq!(names.len(), EventKind::ALL.len());
        assert_eq!(EventKind::parse("record.deleted"), None);
    }
}
