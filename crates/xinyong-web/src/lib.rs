//! The HTTP face of Xinyong: the JSON API under `/api/v1`, `/healthz`, `/openapi.json` and the
//! public website.
//!
//! Architecture invariants:
//! - Handlers are thin: they parse, call the domain and the store, and shape the response.
//!   Rules (validation, disclosure, masking) live in the domain crate.
//! - Errors are mapped to HTTP once, in [`error`]: one table of stable codes
//!   ([`error::ErrorCode`]), each with its status, problem type and title; every error becomes
//!   an RFC 9457 problem document carrying its code.
//! - Who may do what is visible in handler signatures: an extractor per caller kind ([`auth`]).
//! - The OpenAPI document is generated from the handlers (utoipa), never written by hand.
#![forbid(unsafe_code)]

pub mod access;
mod attachments;
pub mod auth;
mod checks;
pub mod error;
mod grades;
pub mod grading;
mod grants;
pub mod inspections;
pub mod ledger;
pub mod limits;
pub mod list_index;
mod lists;
mod me;
mod meta;
pub mod metrics;
pub mod notifications;
pub mod objections;
mod public;
mod quality;
pub mod recorder;
mod records;
mod repairs;
mod reports;
pub mod rights;
mod roles;
mod search;
pub mod sessions;
mod site;
pub mod statistics;
mod subjects;

use std::ops::{Deref, DerefMut};
use std::sync::Arc;

use axum::Router;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderValue, header};
use chrono::{FixedOffset, NaiveDate, Utc};
use tower_http::set_header::SetResponseHeaderLayer;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use xinyong_domain::Catalogue;
use xinyong_domain::access::Purposes;
use xinyong_domain::calendar::WorkingCalendar;
use xinyong_domain::list::ListTypes;
use xinyong_domain::measure::Memoranda;

use crate::list_index::ListIndex;
use xinyong_store::Store;

/// Largest request body accepted (a batch of records).
pub const MAX_BODY_BYTES: usize = 16 * 1024 * 1024;

/// Where "today" comes from. Publicity is decided against it at every read, so tests can move
/// it to prove that records expire without any background job.
pub type Clock = Arc<dyn Fn() -> NaiveDate + Send + Sync>;

/// Today's date in China Standard Time (UTC+8), where the platform's decisions are dated.
pub fn china_today() -> NaiveDate {
    let now = Utc::now();
    match FixedOffset::east_opt(8 * 3600) {
        Some(cst) => now.with_timezone(&cst).date_naive(),
        None => now.date_naive(),
    }
}

/// Shared state of every handler: one [`Arc`] around [`StateInner`], so that the clone axum
/// makes for every extractor and middleware of every request is one reference count (issue
/// #14: cloning and dropping every field for each of them was 7.5% of the CPU of
/// `xinyong bench check`).
///
/// Fields read as before (`state.store`, `state.catalogue`) through [`Deref`]. A field set
/// through [`DerefMut`] (`state.clock = ...` while building a server or in a test) is set on
/// this state alone: another clone, a router already built with it for instance, keeps the
/// value it had, as when the fields were cloned one by one ([`Arc::make_mut`]).
#[derive(Clone)]
pub struct AppState(Arc<StateInner>);

impl Deref for AppState {
    type Target = StateInner;

    fn deref(&self) -> &StateInner {
        &self.0
    }
}

impl DerefMut for AppState {
    fn deref_mut(&mut self) -> &mut StateInner {
        Arc::make_mut(&mut self.0)
    }
}

/// What [`AppState`] holds.
#[derive(Clone)]
pub struct StateInner {
    pub store: Arc<dyn Store>,
    pub catalogue: Arc<Catalogue>,
    pub list_types: Arc<ListTypes>,
    pub memoranda: Arc<Memoranda>,
    /// Purposes for which non-public information may be read.
    pub purposes: Arc<Purposes>,
    /// The working-day calendar every deadline is computed from.
    pub calendar: Arc<WorkingCalendar>,
    /// The grading models in force (`data/grading/`), checked against the catalogue.
    pub models: Arc<Vec<xinyong_domain::grading::Model>>,
    /// Current list entries in memory, for the credit check.
    pub lists: Arc<ListIndex>,
    /// Stored grades in memory, for the credit check.
    pub grades: Arc<grading::GradeIndex>,
    /// Request, check and submission counters for `/metrics`.
    pub metrics: Arc<metrics::Metrics>,
    /// Records checks durably, many per transaction.
    pub checks: recorder::CheckRecorder,
    /// Verified tokens, briefly.
    pub auth: Arc<auth::AuthCache>,
    /// Per-client rate limits.
    pub limits: Arc<limits::Limits>,
    /// Signs the audit log's tree heads; `None` serves the log unsigned (tests, read replicas).
    pub ledger_key: Option<ledger::LedgerKey>,
    /// Where subjects' webhooks may point.
    pub webhooks: notifications::WebhookPolicy,
    /// Platform statistics last computed, until something they count changes.
    pub statistics: Arc<statistics::StatsCache>,
    pub clock: Clock,
}

impl AppState {
    /// State with the shipped list types and memoranda and an empty list index; call
    /// [`ListIndex::reload`] on `lists` before serving a database that already holds entries.
    /// Must be called within a Tokio runtime (it starts the check recorder).
    pub fn new(store: Arc<dyn Store>, catalogue: Catalogue) -> AppState {
        let list_types = Arc::new(ListTypes::shipped());
        let models = Arc::new(shipped_models(&catalogue, &list_types));
        AppState(Arc::new(StateInner {
            checks: recorder::CheckRecorder::start(store.clone()),
            auth: Arc::new(auth::AuthCache::default()),
            limits: Arc::new(limits::Limits::default()),
            store,
            catalogue: Arc::new(catalogue),
            lists: Arc::new(ListIndex::new(list_types.clone())),
            grades: Arc::new(grading::GradeIndex::default()),
            metrics: Arc::new(metrics::Metrics::default()),
            list_types,
            memoranda: Arc::new(Memoranda::shipped()),
            purposes: Arc::new(Purposes::shipped()),
            calendar: Arc::new(WorkingCalendar::shipped()),
            models,
            ledger_key: None,
            webhooks: notifications::WebhookPolicy::default(),
            statistics: Arc::default(),
            clock: Arc::new(china_today),
        }))
    }
}

impl StateInner {
    pub fn today(&self) -> NaiveDate {
        (self.clock)()
    }
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Xinyong public credit information platform",
        description = "Collect, share and disclose credit records keyed by the Unified Social Credit Code.",
        license(name = "Apache-2.0")
    ),
    components(schemas(error::Problem, error::RecordError, error::ErrorCode)),
    modifiers(&BEARER)
)]
struct ApiDoc;

const BEARER: auth::BearerScheme = auth::BearerScheme;

/// The API routes and their OpenAPI document.
fn api() -> (Router<AppState>, utoipa::openapi::OpenApi) {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(meta::healthz))
        .routes(routes!(meta::readyz))
        .routes(routes!(meta::catalogue))
        .routes(routes!(records::submit))
        .routes(routes!(records::breach))
        .routes(routes!(quality::report))
        .routes(routes!(attachments::upload, attachments::list))
        .routes(routes!(attachments::download))
        .routes(routes!(objections::file, objections::list))
        .routes(routes!(objections::show))
        .routes(routes!(objections::decide))
        .routes(routes!(repairs::file, repairs::list))
        .routes(routes!(repairs::show))
        .routes(routes!(repairs::decide))
        .routes(routes!(repairs::fulfilment))
        .routes(routes!(grants::give, grants::list))
        .routes(routes!(grants::revoke))
        .routes(routes!(grants::services))
        .routes(routes!(notifications::feed))
        .routes(routes!(
            notifications::register,
            notifications::show,
            notifications::remove
        ))
        .routes(routes!(reports::file, reports::list))
        .routes(routes!(reports::progress))
        .routes(routes!(reports::update))
        .routes(routes!(subjects::list))
        .routes(routes!(subjects::show))
        .routes(routes!(roles::register))
        .routes(routes!(roles::end))
        .routes(routes!(roles::show))
        .routes(routes!(roles::of_organisation))
        .routes(routes!(grades::grade))
        .routes(routes!(inspections::create, inspections::list))
        .routes(routes!(subjects::own_file))
        .routes(routes!(me::complete_file))
        .routes(routes!(access::purposes))
        .routes(routes!(access::apply, access::pending))
        .routes(routes!(access::show))
        .routes(routes!(access::decide))
        .routes(routes!(sessions::sign_in))
        .routes(routes!(search::search))
        .routes(routes!(lists::list_types))
        .routes(routes!(lists::memoranda))
        .routes(routes!(lists::add_entry, lists::entries))
        .routes(routes!(lists::remove_entry))
        .routes(routes!(lists::extend_entry))
        .routes(routes!(checks::check))
        .routes(routes!(checks::feedback))
        .routes(routes!(checks::stats))
        .routes(routes!(statistics::departments))
        .routes(routes!(statistics::regions))
        .routes(routes!(ledger::head))
        .routes(routes!(ledger::inclusion))
        .routes(routes!(ledger::consistency))
        .routes(routes!(ledger::entries))
        .routes(routes!(ledger::own_entries))
        .split_for_parts()
}

/// The OpenAPI document of every endpoint.
pub fn openapi() -> utoipa::openapi::OpenApi {
    with_examples(api().1)
}

/// The document with an example for every JSON request body that lacks one, built from the
/// body's schema (issue #16: the document had no examples). The `/docs` page shows the same.
fn with_examples(doc: utoipa::openapi::OpenApi) -> utoipa::openapi::OpenApi {
    let Ok(mut value) = serde_json::to_value(&doc) else {
        return doc;
    };
    let snapshot = value.clone();
    if let Some(paths) = value["paths"].as_object_mut() {
        for item in paths.values_mut() {
            for method in ["post", "put"] {
                // `get_mut` all the way: indexing a missing key would insert it.
                let body = item
                    .get_mut(method)
                    .and_then(|o| o.get_mut("requestBody"))
                    .and_then(|b| b.get_mut("content"))
                    .and_then(|c| c.get_mut("application/json"))
                    .and_then(|j| j.as_object_mut());
                if let Some(body) = body
                    && !body.contains_key("example")
                {
                    let schema = body.get("schema").cloned().unwrap_or_default();
                    body.insert("example".into(), site::example_of(&snapshot, &schema, 0));
                }
            }
        }
    }
    document_problems(&mut value);
    document_unsigned(&mut value);
    serde_json::from_value(value).unwrap_or(doc)
}

/// The form of a subject key in a path: a Unified Social Credit Code, a citizen identity
/// number, or a subject's opaque id (a ULID).
const SUBJECT_KEY_PATTERN: &str = "^([0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}|[0-9]{17}[0-9X]|[0-9A-HJKMNP-TV-Z]{26})$";

/// Makes the document say what the server does with errors (issue #15, schemathesis): every
/// problem is sent as `application/problem+json`; every operation may answer `429` (the rate
/// limits are a layer over all of them); an operation with a JSON body answers `400` to a body
/// that is not JSON and `415` to one sent without `Content-Type: application/json`.
fn document_problems(doc: &mut serde_json::Value) {
    use serde_json::json;
    let problem = |description: &str| {
        json!({
            "description": description,
            "content": {"application/problem+json": {
                "schema": {"$ref": "#/components/schemas/Problem"}}}
        })
    };
    let Some(paths) = doc.get_mut("paths").and_then(|p| p.as_object_mut()) else {
        return;
    };
    for item in paths.values_mut() {
        let Some(item) = item.as_object_mut() else {
            continue;
        };
        for (method, op) in item.iter_mut() {
            if !["get", "post", "put", "delete", "patch"].contains(&method.as_str()) {
                continue;
            }
            let json_body = op
                .get("requestBody")
                .and_then(|b| b.get("content"))
                .and_then(|c| c.get("application/json"))
                .is_some();
            let secured = op
                .get("security")
                .and_then(|s| s.as_array())
                .is_some_and(|s| !s.is_empty());
            if let Some(params) = op.get_mut("parameters").and_then(|p| p.as_array_mut()) {
                // A subject in a path: the form of its code (the check character cannot be
                // said in a schema: a wrong one answers 400 invalid_code) or its opaque id.
                for param in params
                    .iter_mut()
                    .filter(|p| p["in"] == "path" && p["name"] == "code")
                {
                    param["schema"]["pattern"] = SUBJECT_KEY_PATTERN.into();
                }
                // A query parameter is absent or has a value: it is never null.
                for param in params.iter_mut().filter(|p| p["in"] == "query") {
                    if let Some(kinds) = param
                        .get_mut("schema")
                        .and_then(|s| s.get_mut("type"))
                        .and_then(|t| t.as_array_mut())
                    {
                        kinds.retain(|k| k != "null");
                        if kinds.len() == 1 {
                            let kind = kinds[0].clone();
                            param["schema"]["type"] = kind;
                        }
                    }
                }
            }
            let Some(responses) = op.get_mut("responses").and_then(|r| r.as_object_mut()) else {
                continue;
            };
            for response in responses.values_mut() {
                let Some(content) = response.get_mut("content").and_then(|c| c.as_object_mut())
                else {
                    continue;
                };
                let is_problem = content
                    .get("application/json")
                    .and_then(|j| j.get("schema"))
                    .and_then(|s| s.get("$ref"))
                    .and_then(|r| r.as_str())
                    .is_some_and(|r| r.ends_with("/Problem"));
                if is_problem && let Some(body) = content.remove("application/json") {
                    content.insert("application/problem+json".into(), body);
                }
            }
            responses
                .entry("429")
                .or_insert_with(|| problem("Too many requests: wait as `Retry-After` says"));
            // A token that is malformed, unknown, expired or revoked is refused everywhere,
            // public operations included (never the public view instead).
            responses.entry("401").or_insert_with(|| {
                problem(
                    "The Authorization header's token is malformed, unknown, expired or revoked",
                )
            });
            if method != "get" {
                responses.entry("507").or_insert_with(|| {
                    problem("The platform's storage is full: nothing was stored; try again later")
                });
            }
            if secured {
                responses
                    .entry("403")
                    .or_insert_with(|| problem("The token's role may not do this"));
            }
            if json_body {
                responses
                    .entry("400")
                    .or_insert_with(|| problem("The body is not JSON of the documented shape"));
                responses
                    .entry("415")
                    .or_insert_with(|| problem("The body was not sent as application/json"));
            }
        }
    }
}

/// utoipa documents a `u64` as `format: int64, minimum: 0`, which says values above 2^63 - 1
/// are refused; the server takes every `u64` (a draw's seed, a log index), so such integers
/// are documented as `uint64` (and `u32` as `uint32`: the OpenAPI format registry's names).
fn document_unsigned(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::Object(map) => {
            let unsigned = map.get("minimum").and_then(|m| m.as_u64()) == Some(0);
            let unsigned_form = match map.get("format").and_then(|f| f.as_str()) {
                Some("int64") if unsigned => Some(("uint64", u64::MAX)),
                Some("int32") if unsigned => Some(("uint32", u64::from(u32::MAX))),
                _ => None,
            };
            if let Some((format, largest)) = unsigned_form {
                map.insert("format".into(), format.into());
                // A larger number does not fit: the server answers 400 malformed_query.
                map.entry("maximum").or_insert(largest.into());
            }
            map.values_mut().for_each(document_unsigned);
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(document_unsigned),
        _ => {}
    }
}

/// The shipped grading models, or none (with the reason logged) where a catalogue given with
/// `--catalogue` lacks what they name: grades are then unavailable, everything else works.
fn shipped_models(
    catalogue: &Catalogue,
    list_types: &ListTypes,
) -> Vec<xinyong_domain::grading::Model> {
    match xinyong_domain::grading::Model::shipped(catalogue, list_types) {
        Ok(models) => models,
        Err(e) => {
            tracing::warn!("grading models not loaded: {e}");
            Vec::new()
        }
    }
}

/// What answers a path that is nothing: a page for a browser, a problem document for
/// everyone else (and always under `/api/`).
async fn fallback(
    State(state): State<AppState>,
    uri: axum::http::Uri,
    headers: axum::http::HeaderMap,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    let browser = headers
        .get(header::ACCEPT)
        .and_then(|a| a.to_str().ok())
        .is_some_and(|a| a.contains("text/html"));
    if browser && !uri.path().starts_with("/api/") {
        site::not_found_page(&state, uri)
    } else {
        error::not_found(uri).await.into_response()
    }
}

/// The API's routes and finished document. They depend on the code alone: made once per
/// process (tests build a router per request, and deriving the document takes a while in a
/// debug build: long enough for a rate-limit bucket to refill between two requests).
fn built_api() -> &'static (Router<AppState>, Arc<utoipa::openapi::OpenApi>) {
    static API: std::sync::OnceLock<(Router<AppState>, Arc<utoipa::openapi::OpenApi>)> =
        std::sync::OnceLock::new();
    API.get_or_init(|| {
        let (api, doc) = api();
        (api, Arc::new(with_examples(doc)))
    })
}

/// The API's routes alone, without the website or the layers: what the console calls on its
/// signed-in user's behalf, so that it can do nothing the API would refuse.
pub(crate) fn api_routes() -> Router<AppState> {
    built_api().0.clone()
}

/// The whole application.
pub fn router(state: AppState) -> Router {
    let (api, doc) = built_api().clone();
    api.route(
        "/openapi.json",
        // Public, but like every endpoint it refuses a bad token rather than ignore it.
        axum::routing::get(move |_: auth::PublicCaller| {
            let doc = doc.clone();
            async move { axum::Json(doc.as_ref().clone()) }
        }),
    )
    // Not in the API document: a scrape target for operators, not an endpoint of the API.
    .route("/metrics", axum::routing::get(metrics::metrics))
    .merge(
        site::routes().route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            auth::refuse_bad_tokens,
        )),
    )
    .fallback(fallback)
    .method_not_allowed_fallback(error::method_not_allowed)
    .layer(axum::middleware::from_fn_with_state(
        state.clone(),
        limits::limit,
    ))
    .layer(axum::middleware::from_fn_with_state(
        state.clone(),
        metrics::track,
    ))
    .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
    .layer(SetResponseHeaderLayer::overriding(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    ))
    .layer(SetResponseHeaderLayer::overriding(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    ))
    .layer(SetResponseHeaderLayer::if_not_present(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'self'; frame-ancestors 'none'; base-uri 'none'"),
    ))
    .with_state(state)
}

/// Serves the application on `listener` until Ctrl-C (or SIGTERM), then finishes in-flight
/// requests.
pub async fn serve(listener: tokio::net::TcpListener, state: AppState) -> std::io::Result<()> {
    axum::serve(
        listener,
        router(state).into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown_signal())
    .await
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
}
