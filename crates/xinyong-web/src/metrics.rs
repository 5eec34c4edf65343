//! Prometheus metrics for operators (issue #13): `GET /metrics` with an operator token, in
//! the OpenMetrics text format (`prometheus-client`, the Prometheus project's own crate).
//!
//! - `xinyong_http_requests_total{method,route,status}` and
//!   `xinyong_http_request_duration_seconds{method,route}`: by route template (`/subjects/{code}`),
//!   never by the path asked for, which may hold an identity number;
//! - `xinyong_checks_total`, `xinyong_records_submitted_total`: credit checks answered and
//!   records stored through the API by this process;
//! - read at each scrape: `xinyong_audit_log_entries`, `xinyong_audit_log_head_age_seconds`
//!   (since the latest signed tree head; -1 when none), `xinyong_list_entries`,
//!   `xinyong_grades_held`.

use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

use crate::AppState;
use crate::auth::OperatorCaller;
use crate::error::{ApiError, ErrorCode};

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    method: String,
    route: String,
    status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    method: String,
    route: String,
}

fn latency_histogram() -> Histogram {
    // 0.25 ms to about 8 s.
    Histogram::new(exponential_buckets(0.000_25, 2.0, 16))
}

/// The process's metrics; shared by every request.
pub struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    latency: Family<RouteLabels, Histogram, fn() -> Histogram>,
    pub checks: Counter,
    pub records_submitted: Counter,
    ledger_entries: Gauge,
    ledger_head_age: Gauge,
    list_entries: Gauge,
    grades: Gauge,
}

impl Default for Metrics {
    fn default() -> Metrics {
        let mut registry = Registry::with_prefix("xinyong");
        let requests = Family::<RequestLabels, Counter>::default();
        let latency = Family::<RouteLabels, Histogram, fn() -> Histogram>::new_with_constructor(
            latency_histogram,
        );
        let m = Metrics {
            requests,
            latency,
            checks: Counter::default(),
            records_submitted: Counter::default(),
            ledger_entries: Gauge::default(),
            ledger_head_age: Gauge::default(),
            list_entries: Gauge::default(),
            grades: Gauge::default(),
            registry: Registry::default(),
        };
        registry.register(
            "http_requests",
            "HTTP requests answered",
            m.requests.clone(),
        );
        registry.register(
            "http_request_duration_seconds",
            "Time to answer an HTTP request",
            m.latency.clone(),
        );
        registry.register("checks", "Credit checks answered", m.checks.clone());
        registry.register(
            "records_submitted",
            "Records stored through the API",
            m.records_submitted.clone(),
        );
        registry.register(
            "audit_log_entries",
            "Entries in the audit log",
            m.ledger_entries.clone(),
        );
        registry.register(
            "audit_log_head_age_seconds",
            "Seconds since the latest signed tree head (-1: none)",
            m.ledger_head_age.clone(),
        );
        registry.register(
            "list_entries",
            "Current list entries held for credit checks",
            m.list_entries.clone(),
        );
        registry.register(
            "grades_held",
            "Stored grades held for credit checks",
            m.grades.clone(),
        );
        Metrics { registry, ..m }
    }
}

/// Counts and times every request by its route template.
pub async fn track(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let method = req.method().as_str().to_owned();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |p| p.as_str().to_owned());
    let started = Instant::now();
    let response = next.run(req).await;
    let m = &state.metrics;
    let labels = RouteLabels { method, route };
    m.latency
        .get_or_create(&labels)
        .observe(started.elapsed().as_secs_f64());
    // The same strings move on into the other family's labels: no copies per request.
    m.requests
        .get_or_create(&RequestLabels {
            method: labels.method,
            route: labels.route,
            status: response.status().as_u16(),
        })
        .inc();
    response
}

/// `GET /metrics`: the metrics in the OpenMetrics text format, for an operator's token.
pub async fn metrics(
    _: OperatorCaller,
    State(state): State<AppState>,
) -> Result<Response, ApiError> {
    let m = &state.metrics;
    let size = state.store.ledger_size().await?;
    m.ledger_entries
        .set(i64::try_from(size).unwrap_or(i64::MAX));
    let age = match state.store.latest_tree_head().await? {
        Some(head) => {
            (chrono::Utc::now().timestamp_millis()
                - i64::try_from(head.timestamp_ms).unwrap_or(i64::MAX))
                / 1000
        }
        None => -1,
    };
    m.ledger_head_age.set(age);
    m.list_entries
        .set(i64::try_from(state.lists.len()).unwrap_or(i64::MAX));
    m.grades
        .set(i64::try_from(state.grades.len()).unwrap_or(i64::MAX));
    let mut text = String::new();
    prometheus_client::encoding::text::encode(&mut text, &m.registry)
        .map_err(|e| ApiError::new(ErrorCode::Internal, format!("encoding the metrics: {e}")))?;
    let mut response = text.into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/openmetrics-text; version=1.0.0; charset=utf-8"),
    );
    Ok(response)
}
