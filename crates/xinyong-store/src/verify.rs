//! `xinyong ledger verify`: recomputes the whole audit log from the stored rows, checks it
//! against the stored nodes and every signed tree head, then checks every stored row that an
//! entry kind vouches for ([`vouches_for`]) against the latest entry that names it.

use std::collections::HashMap;

use xinyong_ledger::{FirstBad, Hash, LogVerifier, VerifyingKey};

use crate::audit_log::is_stored_level;
use crate::events::{
    EventKind, Version, attachment_digest, attachment_ref, check_digest, check_ref, grant_digest,
    objection_digest, operator_digest, operator_ref, repair_digest, report_digest, role_digest,
    token_digest, token_ref, webhook_digest,
};
use crate::{Store, StoreError};

/// What `xinyong ledger verify` found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifyReport {
    pub size: u64,
    pub root: Hash,
    pub heads_checked: u64,
    pub record_versions_checked: u64,
    pub tokens_checked: u64,
    pub checks_checked: u64,
    /// Objections, repair applications, grants, reports, webhooks and attachments checked
    /// (attachments by the digest of their content as well).
    pub cases_checked: u64,
}

/// Why verification failed: always names the first bad entry or row.
#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
    #[error("ledger entry {index}: {reason}")]
    Entry { index: u64, reason: String },
    #[error("signed tree head of size {size}: {reason}")]
    Head { size: u64, reason: String },
    #[error("ledger node (level {level}, index {index}): {reason}")]
    Node {
        level: u8,
        index: u64,
        reason: String,
    },
    #[error("{table} row {id}: {reason}")]
    Row {
        table: &'static str,
        id: String,
        reason: String,
    },
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The stored rows that `verify` checks against the log.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Vouched {
    /// `records` and `record_history`, by `ID@VERSION`.
    RecordVersions,
    /// `tokens` (operator sessions included), by `token:ID`.
    Tokens,
    /// `checks`, by `check:ID`.
    Checks,
    /// `operators`, by `operator:ID`.
    Operators,
    /// `objections`, by `objection:ID` (filing, decision and escalation alike).
    Objections,
    /// `repairs`, by `repair:ID` (filing and decision alike).
    Repairs,
    /// `subject_grants`, by `grant:ID`.
    Grants,
    /// `reports`, by `report:ID`.
    Reports,
    /// `webhooks`, by `webhook:ID`.
    Webhooks,
    /// `attachments`, by `attachment:ID`.
    Attachments,
    /// `persons_in_role`, by `role:ID` (registration and end alike).
    Roles,
}

impl Vouched {
    /// Every kind of vouched row, in the order `verify` walks them.
    const ALL: [Vouched; 11] = [
        Vouched::RecordVersions,
        Vouched::Tokens,
        Vouched::Checks,
        Vouched::Operators,
        Vouched::Objections,
        Vouched::Repairs,
        Vouched::Grants,
        Vouched::Reports,
        Vouched::Webhooks,
        Vouched::Attachments,
        Vouched::Roles,
    ];
}

/// The key the latest entry about a row is kept under: a decision or an escalation names the
/// same case row as its filing, under its own reference.
fn row_key(ref_id: &str) -> String {
    for (entry, row) in [
        ("objection-decision:", "objection:"),
        ("objection-escalation:", "objection:"),
        ("objection-deadlines:", "objection:"),
        ("repair-decision:", "repair:"),
        ("repair-deadlines:", "repair:"),
    ] {
        if let Some(id) = ref_id.strip_prefix(entry) {
            return format!("{row}{id}");
        }
    }
    ref_id.to_owned()
}

/// Which stored rows an entry of `kind` vouches for. No wildcard arm: a new kind does not
/// compile until it is decided here whether `verify` checks what it wrote.
fn vouches_for(kind: EventKind) -> Option<Vouched> {
    match kind {
        EventKind::RecordCreated | EventKind::RecordVersion => Some(Vouched::RecordVersions),
        EventKind::TokenCreated | EventKind::TokenRevoked | EventKind::SessionOpened => {
            Some(Vouched::Tokens)
        }
        EventKind::Check => Some(Vouched::Checks),
        EventKind::OperatorCreated | EventKind::OperatorDisabled => Some(Vouched::Operators),
        EventKind::ObjectionFiled
        | EventKind::ObjectionDecided
        | EventKind::ObjectionEscalated
        | EventKind::ObjectionRescheduled => Some(Vouched::Objections),
        EventKind::RepairFiled | EventKind::RepairDecided | EventKind::RepairRescheduled => {
            Some(Vouched::Repairs)
        }
        EventKind::GrantGiven | EventKind::GrantRevoked => Some(Vouched::Grants),
        EventKind::ReportFiled | EventKind::ReportUpdated => Some(Vouched::Reports),
        // A removed webhook's row is gone; the entry of the one in place vouches for it.
        EventKind::WebhookPut | EventKind::WebhookRemoved => Some(Vouched::Webhooks),
        EventKind::AttachmentStored => Some(Vouched::Attachments),
        EventKind::RoleRegistered => Some(Vouched::Roles),
        // The entry is the evidence of what was written; the rows themselves are not
        // re-checked (yet): departments only gain categories, feedback and decisions are
        // given once.
        EventKind::DepartmentPut
        | EventKind::CheckFeedback
        | EventKind::ApplicationFiled
        | EventKind::ApplicationDecided => None,
        // Nothing stored to check: a read, or the catalogue file of a process. Every class
        // of read alike.
        EventKind::Read(_) | EventKind::CatalogueLoaded | EventKind::CalendarLoaded => None,
        // Derived data: a batch of grades or a draw is checked by re-running it on the same
        // data (the entry binds the model's digest and the grades' digest, or the seed, the
        // population's digest and the list drawn), not by re-reading its row.
        EventKind::GradesStored | EventKind::InspectionDrawn => None,
    }
}

fn first_bad(bad: FirstBad) -> VerifyError {
    match bad {
        FirstBad::RootMismatch { size, .. } => VerifyError::Head {
            size,
            reason: format!(
                "the entries before it do not hash to its root: an entry below index {size} \
                 was edited, deleted, inserted or reordered ({bad})"
            ),
        },
        FirstBad::Truncated { expected, found } => VerifyError::Head {
            size: expected,
            reason: format!("the log has only {found} entries: entries were deleted"),
        },
        other => VerifyError::Entry {
            index: other.first_bad_index(),
            reason: other.to_string(),
        },
    }
}

/// Rows fetched per query while verifying.
const PAGE: u32 = 20_000;
/// Attachments described per query (each is then opened on its own).
const FILE_PAGE: u32 = 500;

/// The latest entry naming each vouched row: its index and payload hash.
type Latest = HashMap<(Vouched, String), (u64, Hash)>;

/// Recomputes the whole log from the stored entries and checks it against the stored nodes
/// and every signed tree head (signatures under `key`), then checks that every stored record
/// version, token, credit check, operator account, objection, repair application, grant,
/// report, webhook and attachment (its content too) is vouched for by the latest log entry
/// that names it. An entry of a kind this version does not know fails verification.
/// `progress` is called with the number of entries read so far.
pub async fn verify(
    store: &dyn Store,
    key: Option<&VerifyingKey>,
    mut progress: impl FnMut(u64),
) -> Result<VerifyReport, VerifyError> {
    let size = store.ledger_size().await?;
    let heads = store.tree_heads().await?;
    for h in &heads {
        if let Some(key) = key {
            h.verify(key).map_err(|e| VerifyError::Head {
                size: h.size,
                reason: e.to_string(),
            })?;
        }
    }
    let mut verifier = LogVerifier::new(heads.iter().map(|h| (h.size, h.root)));
    let mut stored_nodes: HashMap<(u8, u64), Hash> = store
        .ledger_nodes_all()
        .await?
        .into_iter()
        .map(|n| ((n.level, n.index), n.hash))
        .collect();
    let mut latest: Latest = HashMap::new();
    let mut index = 0u64;
    while index < size {
        let rows = store.ledger_rows(index, PAGE).await?;
        if rows.is_empty() {
            break;
        }
        for row in &rows {
            verifier
                .push(row.index, &row.entry, Some(&row.leaf_hash))
                .map_err(first_bad)?;
            for n in verifier
                .completed()
                .iter()
                .filter(|n| is_stored_level(n.level))
            {
                match stored_nodes.remove(&(n.level, n.index)) {
                    Some(stored) if stored == n.hash => {}
                    Some(_) => {
                        return Err(VerifyError::Node {
                            level: n.level,
                            index: n.index,
                            reason: format!(
                                "stored hash differs from the one recomputed from entries \
                                 {}..{}: the node or one of those entries was edited",
                                n.index << n.level,
                                (n.index + 1) << n.level
                            ),
                        });
                    }
                    None => {
                        return Err(VerifyError::Node {
                            level: n.level,
                            index: n.index,
                            reason: "missing".into(),
                        });
                    }
                }
            }
            let kind = EventKind::parse(&row.entry.kind).ok_or_else(|| VerifyError::Entry {
                index: row.index,
                reason: format!(
                    "unknown event kind {:?}: not written by this version of the platform",
                    row.entry.kind
                ),
            })?;
            if let (Some(vouched), Some(r)) = (vouches_for(kind), &row.ref_id) {
                latest.insert((vouched, row_key(r)), (row.index, row.entry.payload_hash));
            }
        }
        index = rows.last().map_or(size, |r| r.index + 1);
        progress(index);
    }
    if let Some(&(level, index)) = stored_nodes.keys().min() {
        return Err(VerifyError::Node {
            level,
            index,
            reason: "stored but no entry completes it".into(),
        });
    }
    let recomputed = verifier.finish().map_err(first_bad)?;
    if recomputed.size() != size {
        return Err(VerifyError::Entry {
            index: recomputed.size(),
            reason: format!("missing: the log's head says {size} entries"),
        });
    }
    let mut rows = Rows {
        store,
        latest: &latest,
        record_versions: 0,
        tokens: 0,
        checks: 0,
        cases: 0,
    };
    for vouched in Vouched::ALL {
        rows.check(vouched).await?;
    }
    Ok(VerifyReport {
        size,
        root: recomputed.root(),
        heads_checked: heads.len() as u64,
        record_versions_checked: rows.record_versions,
        tokens_checked: rows.tokens,
        checks_checked: rows.checks,
        cases_checked: rows.cases,
    })
}

/// The walk over the stored rows, with what it counted.
struct Rows<'a> {
    store: &'a dyn Store,
    latest: &'a Latest,
    record_versions: u64,
    tokens: u64,
    checks: u64,
    cases: u64,
}

/// Walks the rows a paged store method returns, in id order, calling `each` on every one.
macro_rules! each_row {
    ($page:expr, |$row:ident| $each:block) => {{
        let mut after = String::new();
        loop {
            let page = $page(after.clone()).await?;
            let Some(last) = page.last() else { break };
            after = last.id.clone();
            for $row in &page $each
        }
    }};
}

impl Rows<'_> {
    /// The row `id` of `table` has `digest`: what the latest entry naming it recorded.
    fn vouched(
        &self,
        vouched: Vouched,
        table: &'static str,
        id: String,
        digest: Hash,
    ) -> Result<(), VerifyError> {
        match self.latest.get(&(vouched, id.clone())) {
            Some((_, h)) if *h == digest => Ok(()),
            Some((i, _)) => Err(VerifyError::Row {
                table,
                id,
                reason: format!("differs from what ledger entry {i} recorded: it was edited"),
            }),
            None => Err(VerifyError::Row {
                table,
                id,
                reason: "no ledger entry records it: it was written outside the platform".into(),
            }),
        }
    }

    /// Checks every stored row of one kind.
    async fn check(&mut self, vouched: Vouched) -> Result<(), VerifyError> {
        let store = self.store;
        let pseudonym = |c: &str| store.pseudonym(c);
        match vouched {
            Vouched::RecordVersions => {
                for history in [false, true] {
                    let table = if history { "record_history" } else { "records" };
                    let mut after: Option<(String, u32)> = None;
                    loop {
                        let page = store
                            .record_versions_after(history, after.as_ref(), PAGE)
                            .await?;
                        let Some(last) = page.last() else { break };
                        after = Some((last.id.to_string(), last.version));
                        for r in &page {
                            let pseudonym = store.pseudonym(r.subject_code.as_str());
                            let version = Version::Stored {
                                record: r,
                                pseudonym: &pseudonym,
                            };
                            self.vouched(vouched, table, version.ref_id(), version.digest())?;
                            self.record_versions += 1;
                        }
                    }
                }
            }
            Vouched::Tokens => {
                for t in &store.tokens().await? {
                    self.vouched(
                        vouched,
                        "token",
                        token_ref(&t.id),
                        token_digest(t, pseudonym),
                    )?;
                    self.tokens += 1;
                }
            }
            Vouched::Checks => {
                for (c, _) in &store.check_summaries().await? {
                    self.vouched(
                        vouched,
                        "check",
                        check_ref(&c.id),
                        check_digest(c, pseudonym),
                    )?;
                    self.checks += 1;
                }
            }
            Vouched::Operators => {
                for o in &store.operators().await? {
                    self.vouched(vouched, "operator", operator_ref(&o.id), operator_digest(o))?;
                }
            }
            Vouched::Objections => each_row!(
                |after: String| async move { store.objections_after(&after, PAGE).await },
                |o| {
                    let digest = objection_digest(o, pseudonym);
                    self.vouched(vouched, "objection", format!("objection:{}", o.id), digest)?;
                    self.cases += 1;
                }
            ),
            Vouched::Repairs => each_row!(
                |after: String| async move { store.repairs_after(&after, PAGE).await },
                |r| {
                    let digest = repair_digest(r, pseudonym);
                    self.vouched(vouched, "repair", format!("repair:{}", r.id), digest)?;
                    self.cases += 1;
                }
            ),
            Vouched::Grants => each_row!(
                |after: String| async move { store.grants_after(&after, PAGE).await },
                |g| {
                    let digest = grant_digest(g, pseudonym);
                    self.vouched(vouched, "grant", format!("grant:{}", g.id), digest)?;
                    self.cases += 1;
                }
            ),
            Vouched::Reports => each_row!(
                |after: String| async move { store.reports_after(&after, PAGE).await },
                |r| {
                    let digest = report_digest(r, pseudonym);
                    self.vouched(vouched, "report", format!("report:{}", r.id), digest)?;
                    self.cases += 1;
                }
            ),
            Vouched::Webhooks => each_row!(
                |after: String| async move { store.webhooks_after(&after, PAGE).await },
                |w| {
                    let digest = webhook_digest(w, pseudonym);
                    self.vouched(vouched, "webhook", format!("webhook:{}", w.id), digest)?;
                    self.cases += 1;
                }
            ),
            Vouched::Attachments => each_row!(
                |after: String| async move { store.attachments_after(&after, FILE_PAGE).await },
                |a| {
                    let digest = attachment_digest(a, pseudonym);
                    self.vouched(vouched, "attachment", attachment_ref(&a.id), digest)?;
                    // The content opens and hashes to what the entry recorded.
                    if store.attachment_content(&a.id).await?.is_none() {
                        return Err(VerifyError::Row {
                            table: "attachment",
                            id: a.id.clone(),
                            reason: "its content is missing".into(),
                        });
                    }
                    self.cases += 1;
                }
            ),
            Vouched::Roles => each_row!(
                |after: String| async move { store.roles_after(&after, PAGE).await },
                |r| {
                    let digest = role_digest(r, &pseudonym);
                    self.vouched(vouched, "role", format!("role:{}", r.id), digest)?;
                    self.cases += 1;
                }
            ),
        }
        Ok(())
    }
}
