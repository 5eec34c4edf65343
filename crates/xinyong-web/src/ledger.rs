//! The audit log over HTTP, as a Certificate Transparency log serves itself: the latest signed
//! tree head, inclusion and consistency proofs (RFC 9162 §2.1), and the entries, so that anyone
//! can recompute the tree with the public key alone. Public: the log names natural persons only
//! by a keyed hash.

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use xinyong_ledger::{
    ConsistencyProof, InclusionProof, ProofError, SignedTreeHead, SigningKey, consistency_proof,
    inclusion_proof, key_id, nodes_needed_for_consistency, nodes_needed_for_inclusion,
    nodes_needed_for_root, root,
};

use crate::AppState;
use crate::auth::{PublicCaller, SubjectCaller};
use crate::error::{ApiError, ErrorCode, Query};

/// Most entries one `entries` request returns.
pub const MAX_ENTRIES: u64 = 1000;

/// The log's signing key, shared by the head signer and the head endpoint.
pub type LedgerKey = Arc<SigningKey>;

/// Signs the current tree head if the log has grown since the last signed one, and stores it.
/// Returns the latest signed head (new or not); `None` when the log is empty and unsigned.
pub async fn sign_head(state: &AppState) -> Result<Option<SignedTreeHead>, ApiError> {
    let store = &state.store;
    let size = store.ledger_size().await?;
    let latest = store.latest_tree_head().await?;
    if latest.as_ref().is_some_and(|h| h.size >= size) {
        return Ok(latest);
    }
    let Some(key) = &state.ledger_key else {
        return Ok(latest);
    };
    let nodes = store.ledger_nodes(&nodes_needed_for_root(size)).await?;
    let root = root(size, &nodes).map_err(proof_error)?;
    let timestamp_ms = u64::try_from(chrono::Utc::now().timestamp_millis()).unwrap_or(0);
    let head = SignedTreeHead::sign(key, size, root, timestamp_ms);
    store.put_tree_head(&head).await?;
    Ok(Some(head))
}

fn proof_error<E: std::fmt::Display>(e: ProofError<E>) -> ApiError {
    match e {
        ProofError::Store(e) => ApiError::Store(xinyong_store::StoreError::Corrupt(format!(
            "audit log is incomplete: {e}"
        ))),
        other => ApiError::new(ErrorCode::InvalidParameter, other.to_string()),
    }
}

/// The latest signed tree head and the key to check it with.
#[derive(Serialize, ToSchema)]
pub struct Head {
    /// Entries covered by the signature.
    pub tree_size: u64,
    /// Milliseconds since the Unix epoch when it was signed.
    pub timestamp: u64,
    /// RFC 6962 Merkle tree hash of the first `tree_size` entries (hex).
    pub root_hash: String,
    /// Ed25519 signature over the RFC 6962 `TreeHeadSignature` bytes (hex).
    pub signature: String,
    /// The Ed25519 public key (hex).
    pub public_key: String,
    /// SHA-256 of the public key (hex).
    pub key_id: String,
    /// Entries appended since the head was signed.
    pub unsigned_entries: u64,
}

/// The latest signed tree head of the audit log.
#[utoipa::path(get, path = "/api/v1/ledger/head", tag = "ledger",
    responses((status = 200, body = Head), (status = 404, description = "nothing signed yet", body = crate::error::Problem)))]
pub async fn head(State(state): State<AppState>, _: PublicCaller) -> Result<Json<Head>, ApiError> {
    let head = sign_head(&state).await?.ok_or_else(|| {
        ApiError::new(
            ErrorCode::NoSignedHead,
            "the audit log has no signed head yet",
        )
    })?;
    let size = state.store.ledger_size().await?;
    let public = state
        .ledger_key
        .as_ref()
        .map(|k| k.verifying_key())
        .ok_or_else(|| ApiError::new(ErrorCode::NoSignedHead, "this server has no signing key"))?;
    Ok(Json(Head {
        tree_size: head.size,
        timestamp: head.timestamp_ms,
        root_hash: hex::encode(head.root),
        signature: hex::encode(head.signature),
        public_key: hex::encode(public.as_bytes()),
        key_id: hex::encode(key_id(&public)),
        unsigned_entries: size.saturating_sub(head.size),
    }))
}

#[derive(Deserialize, IntoParams)]
pub struct InclusionQuery {
    /// Index of the entry, from 0.
    pub leaf: u64,
    /// Size of the tree to prove against (e.g. a signed head's `tree_size`).
    pub size: u64,
}

/// The audit path proving that entry `leaf` is in the tree of `size` entries.
#[utoipa::path(get, path = "/api/v1/ledger/proof/inclusion", tag = "ledger", params(InclusionQuery),
    responses((status = 200, body = Object), (status = 400, body = crate::error::Problem)))]
pub async fn inclusion(
    State(state): State<AppState>,
    _: PublicCaller,
    Query(q): Query<InclusionQuery>,
) -> Result<Json<InclusionProof>, ApiError> {
    within_log(&state, q.size).await?;
    if q.leaf >= q.size {
        return Err(ApiError::new(
            ErrorCode::InvalidParameter,
            format!("leaf {} is not in a tree of {} entries", q.leaf, q.size),
        ));
    }
    let nodes = state
        .store
        .ledger_nodes(&nodes_needed_for_inclusion(q.leaf, q.size))
        .await?;
    let path = inclusion_proof(q.leaf, q.size, &nodes).map_err(proof_error)?;
    Ok(Json(InclusionProof {
        leaf_index: q.leaf,
        tree_size: q.size,
        path,
    }))
}

#[derive(Deserialize, IntoParams)]
pub struct ConsistencyQuery {
    /// The older tree size.
    pub from: u64,
    /// The newer tree size.
    pub to: u64,
}

/// The proof that the tree of `from` entries is a prefix of the tree of `to` entries.
#[utoipa::path(get, path = "/api/v1/ledger/proof/consistency", tag = "ledger", params(ConsistencyQuery),
    responses((status = 200, body = Object), (status = 400, body = crate::error::Problem)))]
pub async fn consistency(
    State(state): State<AppState>,
    _: PublicCaller,
    Query(q): Query<ConsistencyQuery>,
) -> Result<Json<ConsistencyProof>, ApiError> {
    within_log(&state, q.to).await?;
    if q.from > q.to {
        return Err(ApiError::new(
            ErrorCode::InvalidParameter,
            format!("from ({}) must not exceed to ({})", q.from, q.to),
        ));
    }
    let nodes = state
        .store
        .ledger_nodes(&nodes_needed_for_consistency(q.from, q.to))
        .await?;
    let path = consistency_proof(q.from, q.to, &nodes).map_err(proof_error)?;
    Ok(Json(ConsistencyProof {
        first: q.from,
        second: q.to,
        path,
    }))
}

async fn within_log(state: &AppState, size: u64) -> Result<(), ApiError> {
    let current = state.store.ledger_size().await?;
    if size > current {
        return Err(ApiError::new(
            ErrorCode::InvalidParameter,
            format!("the log has {current} entries, not {size}"),
        ));
    }
    Ok(())
}

#[derive(Deserialize, IntoParams)]
pub struct EntriesQuery {
    /// First index, inclusive.
    pub start: u64,
    /// Last index, exclusive; at most 1,000 after `start`.
    pub end: u64,
}

/// One entry as stored, with the exact leaf bytes that were hashed.
#[derive(Serialize, ToSchema)]
pub struct EntryView {
    pub index: u64,
    pub kind: String,
    /// Organisation code, or `p:` and a keyed hash for a natural person.
    pub subject: Option<String>,
    pub actor: String,
    pub at_ms: u64,
    pub payload_hash: String,
    /// The RFC 6962 leaf input (`Entry::leaf_bytes`, hex): hash `0x00 || leaf_input` to check.
    pub leaf_input: String,
}

#[derive(Serialize, ToSchema)]
pub struct Entries {
    pub entries: Vec<EntryView>,
}

/// Entries `start..end` of the audit log.
#[utoipa::path(get, path = "/api/v1/ledger/entries", tag = "ledger", params(EntriesQuery),
    responses((status = 200, body = Entries), (status = 400, body = crate::error::Problem)))]
pub async fn entries(
    State(state): State<AppState>,
    _: PublicCaller,
    Query(q): Query<EntriesQuery>,
) -> Result<Json<Entries>, ApiError> {
    if q.end <= q.start || q.end - q.start > MAX_ENTRIES {
        return Err(ApiError::new(
            ErrorCode::InvalidParameter,
            format!("ask for 1 to {MAX_ENTRIES} entries: start < end <= start + {MAX_ENTRIES}"),
        ));
    }
    let limit = u32::try_from(q.end - q.start).unwrap_or(1);
    let rows = state.store.ledger_rows(q.start, limit).await?;
    Ok(Json(Entries {
        entries: rows.into_iter().map(entry_view).collect(),
    }))
}

#[derive(Deserialize, IntoParams)]
pub struct OwnEntriesQuery {
    /// Most entries to return, newest first (1 to 1,000; default 100).
    #[param(minimum = 1, maximum = 1000)]
    pub limit: Option<u32>,
}

/// Every logged event about the calling subject, with what it needs to check each one.
#[derive(Serialize, ToSchema)]
pub struct OwnEntries {
    /// How the log names the caller: the organisation code, or `p:` and a keyed hash.
    pub subject: String,
    /// Size of the latest signed tree head: ask `/api/v1/ledger/proof/inclusion?leaf=INDEX&size=`
    /// this for each entry below it, and check the proof against that head's root.
    pub signed_tree_size: u64,
    /// Newest first.
    pub entries: Vec<EntryView>,
}

fn entry_view(r: xinyong_store::ledger::LedgerRow) -> EntryView {
    EntryView {
        index: r.index,
        leaf_input: hex::encode(r.entry.leaf_bytes()),
        kind: r.entry.kind,
        subject: r.entry.subject,
        actor: r.entry.actor,
        at_ms: r.entry.at_ms,
        payload_hash: hex::encode(r.entry.payload_hash),
    }
}

/// The calling subject's own view of the audit log: every write about it and every
/// non-public read of its file (who, when, what kind), each with its leaf index so that the
/// subject can ask for an inclusion proof and check it against a signed head. The subject
/// comes from the token.
#[utoipa::path(get, path = "/api/v1/me/ledger", tag = "ledger", params(OwnEntriesQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, body = OwnEntries),
        (status = 400, description = "limit out of range", body = crate::error::Problem),
        (status = 401, description = "Missing or invalid token", body = crate::error::Problem),
        (status = 403, description = "Not a subject token", body = crate::error::Problem),
    ))]
pub async fn own_entries(
    State(state): State<AppState>,
    caller: SubjectCaller,
    Query(q): Query<OwnEntriesQuery>,
) -> Result<Json<OwnEntries>, ApiError> {
    let limit = q.limit.unwrap_or(100);
    if limit == 0 || u64::from(limit) > MAX_ENTRIES {
        return Err(ApiError::new(
            ErrorCode::InvalidParameter,
            format!("limit must be 1 to {MAX_ENTRIES}"),
        ));
    }
    let rows = state
        .store
        .ledger_rows_of_subject(&caller.code, limit)
        .await?;
    // Signs a head now if the log grew, so that every entry listed can be proven at once.
    let signed_tree_size = sign_head(&state).await?.map_or(0, |h| h.size);
    Ok(Json(OwnEntries {
        subject: state.store.pseudonym(&caller.code),
        signed_tree_size,
        entries: rows.into_iter().map(entry_view).collect(),
    }))
}
