//! The values the store takes and gives back, shared by every capability (and by the audit
//! log's digests in `events.rs`): kept apart from the code that stores them so that no
//! capability file has to import another to name a row.

use chrono::{DateTime, NaiveDate, Utc};
use xinyong_domain::access::ApplicationStatus;
use xinyong_domain::code::SubjectCode;
use xinyong_domain::{RecordStatus, SubjectKind};

/// What happened to one submitted record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// A new record (version 1).
    Created,
    /// Same identity, different content: a new version; the old one is kept.
    NewVersion,
    /// Same identity and content as the current version: nothing changed.
    Unchanged,
}

/// The stored identity of one submitted record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Submitted {
    pub id: String,
    pub version: u32,
    pub outcome: Outcome,
}

/// A subject as stored: the integration point of every department's records about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredSubject {
    /// Opaque, stable key; used as the pagination cursor (never the code, which may be a
    /// citizen identity number).
    pub id: String,
    /// The full code (a natural person's identity number opened from the vault).
    pub code: SubjectCode,
    pub name: String,
    pub kind: SubjectKind,
}

/// Roles a token may carry. What each may do is decided by the web crate's extractors.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Runs the platform: tokens, special-application decisions.
    Operator,
    /// A government department (the token names it).
    Department,
    /// A licensed credit service body: authorised queries only.
    Service,
    /// A data subject (the token names its subject code): reads its own file.
    Subject,
}

impl Role {
    /// Every role, in the order the stored names are matched.
    pub const ALL: [Role; 4] = [
        Role::Operator,
        Role::Department,
        Role::Service,
        Role::Subject,
    ];

    /// The name stored in `tokens.role`.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Operator => "operator",
            Role::Department => "department",
            Role::Service => "service",
            Role::Subject => "subject",
        }
    }

    /// The role a stored name stands for.
    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }
}

/// A stored API token. The secret itself is never stored, only its SHA-256.
#[derive(Clone, PartialEq, Eq)]
pub struct Token {
    pub id: String,
    pub hash: String,
    pub role: Role,
    pub department: Option<String>,
    /// The subject code a subject token acts for.
    pub subject: Option<String>,
    pub label: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

impl std::fmt::Debug for Token {
    // The hash is not the secret, but it is all an attacker needs to match a leaked token.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Token")
            .field("id", &self.id)
            .field("role", &self.role)
            .field("department", &self.department)
            .field("label", &self.label)
            .finish_non_exhaustive()
    }
}

/// Headline figures.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub subjects: u64,
    pub records: u64,
    pub departments: u64,
}

/// An operator's decision on a special application.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApplicationDecision {
    /// `Approved` or `Rejected`.
    pub status: ApplicationStatus,
    /// The deciding operator's token id.
    pub decided_by: String,
    pub decided_at: DateTime<Utc>,
    pub note: String,
    /// End of an approval's validity (none for a rejection).
    pub valid_until: Option<DateTime<Utc>>,
}

/// How [`crate::RecordStore::change_record`] changes a record.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RecordChange {
    pub status: Option<RecordStatus>,
    /// Why the status changed, with the deciding document (e.g. a removal).
    pub status_note: Option<String>,
    pub publicity_until: Option<NaiveDate>,
}

/// A stored credit check.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckRow {
    pub id: String,
    pub department: String,
    pub subject_code: String,
    pub context: String,
    /// The outcome as returned to the department.
    pub result: serde_json::Value,
    pub created_at: DateTime<Utc>,
}

/// A department's feedback on a check.
#[derive(Debug, Clone, PartialEq)]
pub struct FeedbackRow {
    pub check_id: String,
    pub department: String,
    pub applied: serde_json::Value,
    pub not_applied: serde_json::Value,
    pub created_at: DateTime<Utc>,
}

/// An operator account. Its password is stored only as a PHC string (`$argon2id$v=19$...`).
#[derive(Clone, PartialEq, Eq)]
pub struct OperatorAccount {
    pub id: String,
    /// The sign-in name (unique).
    pub name: String,
    /// The Argon2id hash of the password, as a PHC string.
    pub password_hash: String,
    pub created_at: DateTime<Utc>,
    /// When the account was disabled; it opens no sessions from then on.
    pub disabled_at: Option<DateTime<Utc>>,
    /// When the account last opened a session.
    pub last_session_at: Option<DateTime<Utc>>,
}

impl std::fmt::Debug for OperatorAccount {
    // The hash stays out of every log and panic message.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OperatorAccount")
            .field("id", &self.id)
            .field("name", &self.name)
            .field("password_hash", &"<redacted>")
            .field("created_at", &self.created_at)
            .field("disabled_at", &self.disabled_at)
            .finish_non_exhaustive()
    }
}

/// A record whose subject name or kind differs from the subject's registered ones: one line
/// of the submitting department's data-quality report (issue #11, item 5).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NameMismatch {
    pub record_id: String,
    pub category: String,
    pub document_no: String,
    pub submitted_name: String,
    pub submitted_kind: SubjectKind,
    pub registered_name: String,
    pub registered_kind: SubjectKind,
    /// The department whose records set the registered name.
    pub registrar: Option<String>,
}

/// A name a subject had before its registrar changed it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormerName {
    pub name: String,
    pub kind: SubjectKind,
    /// The registrar that had set it.
    pub department: Option<String>,
    /// When it stopped being the subject's name.
    pub replaced_at: DateTime<Utc>,
}

/// A subject's webhook (issue #12): where its notifications are delivered, and how far.
///
/// The signing secret is never stored: it is derived from the vault's lookup key and the
/// webhook's id ([`crate::WebhookStore::webhook_secret`]), so a stolen database does not let
/// anyone forge deliveries, and a new registration (a new id) is a new secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Webhook {
    pub id: String,
    pub subject_code: SubjectCode,
    /// `https://…` (or `http://` where the operator allows it, for local receivers).
    pub url: String,
    pub created_at: DateTime<Utc>,
    /// Every audit-log entry below this index was delivered (or was no notification). Starts
    /// at the log's size at registration: notifications are of what happens after.
    pub delivered_size: u64,
    /// Failed attempts since the last success.
    pub attempts: u32,
    pub next_attempt_at: DateTime<Utc>,
    pub last_error: Option<String>,
}

/// What one delivery attempt came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Delivery {
    /// Every entry below this audit-log index was delivered (or was no notification).
    Delivered { size: u64 },
    /// The receiver did not take it; try again at `retry_at`.
    Failed {
        error: String,
        retry_at: DateTime<Utc>,
    },
}
