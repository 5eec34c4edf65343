//! `xinyong bench soak`: a bounded mixed load (issue #15) on loopback for a while: public
//! searches and subject files, credit checks and record submissions by a department, all at
//! once. Every answer must be a success; the process's memory is read after a warm-up and at
//! the end, and its growth reported (a leak shows as growth that does not level off).

use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Result, anyhow};
use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use xinyong_domain::{Catalogue, SubjectKind};

/// What the clients sent, by kind: searches, subject files, checks, submissions.
#[derive(Default)]
struct Counts {
    by_kind: [AtomicU64; 4],
    errors: AtomicU64,
}

const KINDS: [&str; 4] = ["searches", "subject files", "checks", "submissions"];

pub async fn run(
    catalogue: &Catalogue,
    subjects: u64,
    seed: u64,
    seconds: u64,
    connections: usize,
    dir: Option<std::path::PathBuf>,
) -> Result<ExitCode> {
    let dir = dir.unwrap_or_else(|| std::env::temp_dir().join("xinyong-bench-soak"));
    std::fs::create_dir_all(&dir)?;
    let db = dir.join(format!("soak-{subjects}-{seed}.db"));
    let url = format!("sqlite://{}", db.display());
    let key_path = dir.join(format!("soak-{subjects}-{seed}.key"));
    let size = crate::demo::DemoSize::new(subjects, seed);
    let store = super::demo_database(&url, Some(&db), &key_path, catalogue, &size).await?;
    let mut state = xinyong_web::AppState::new(store.clone(), catalogue.clone());
    // The load comes from one address: per-client limits would measure themselves.
    state.limits = Arc::new(xinyong_web::limits::Limits::with(
        xinyong_web::limits::LimitsConfig::unlimited(),
    ));
    state
        .lists
        .reload(&*store, xinyong_web::china_today())
        .await?;

    // Organisations to read, check and report on, and two-character pieces of their names.
    let mut organisations = Vec::new();
    let mut after: Option<String> = None;
    while organisations.len() < 5000 {
        let page = store.subjects_page(after.as_deref(), 1000).await?;
        let Some(last) = page.last() else { break };
        after = Some(last.id.clone());
        organisations.extend(
            page.into_iter()
                .filter(|s| s.kind == SubjectKind::LegalPerson)
                .map(|s| (s.code.to_string(), s.name)),
        );
    }
    if organisations.is_empty() {
        return Err(anyhow!("the demo database holds no organisation"));
    }
    let token = super::department_token(&*store, "SOAK-SAMR", &["admin_penalty"]).await?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    tokio::spawn(xinyong_web::serve(listener, state));

    let organisations = Arc::new(organisations);
    let counts = Arc::new(Counts::default());
    let first_error = Arc::new(std::sync::Mutex::new(None::<String>));
    // A short warm-up first, so that caches and pools are at their working size.
    let warm_up = Duration::from_secs(seconds.clamp(1, 10) / 2 + 1);
    let clients = |window: Duration, label: u64| {
        (0..connections)
            .map(|c| {
                let client = Client {
                    addr,
                    token: token.clone(),
                    organisations: Arc::clone(&organisations),
                    counts: Arc::clone(&counts),
                    first_error: Arc::clone(&first_error),
                };
                tokio::spawn(client.drive(window, label * 1000 + c as u64))
            })
            .collect::<Vec<_>>()
    };
    for task in clients(warm_up, 0) {
        task.await??;
    }
    let before = super::rss_mib("VmRSS:").unwrap_or(0.0);
    let start = Instant::now();
    for task in clients(Duration::from_secs(seconds), 1) {
        task.await??;
    }
    let elapsed = start.elapsed().as_secs_f64();
    let after_rss = super::rss_mib("VmRSS:").unwrap_or(0.0);
    let peak = super::rss_mib("VmHWM:").unwrap_or(0.0);

    let sent: Vec<u64> = counts
        .by_kind
        .iter()
        .map(|n| n.load(Ordering::Relaxed))
        .collect();
    let total: u64 = sent.iter().sum();
    let errors = counts.errors.load(Ordering::Relaxed);
    println!(
        "bench soak: {subjects} subjects, {connections} connections, {seconds} s after a {} s warm-up",
        warm_up.as_secs()
    );
    for (kind, n) in KINDS.iter().zip(&sent) {
        println!("  {kind:<14} {n:>10}");
    }
    println!(
        "  {total} requests ({:.0}/s), {errors} errors",
        total as f64 / elapsed.max(1e-9)
    );
    println!(
        "  RSS after warm-up (baseline): {before:.1} MiB; at the end: {after_rss:.1} MiB; peak {peak:.1} MiB   ratio {:.2}",
        after_rss / before.max(1e-9)
    );
    if let Some(e) = first_error.lock().ok().and_then(|e| e.clone()) {
        eprintln!("first error: {e}");
    }
    Ok(if errors == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

struct Client {
    addr: SocketAddr,
    token: String,
    organisations: Arc<Vec<(String, String)>>,
    counts: Arc<Counts>,
    first_error: Arc<std::sync::Mutex<Option<String>>>,
}

impl Client {
    /// One keep-alive connection sending the four kinds of request in turn until `window` ends.
    async fn drive(self, window: Duration, id: u64) -> Result<()> {
        let stream = tokio::net::TcpStream::connect(self.addr).await?;
        let (mut sender, conn) =
            hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(stream)).await?;
        tokio::spawn(conn);
        let deadline = Instant::now() + window;
        let mut i = (id as usize).wrapping_mul(7919);
        while Instant::now() < deadline {
            let (code, name) = &self.organisations[i % self.organisations.len()];
            let kind = i % 4;
            let request = match kind {
                0 => {
                    let piece: String = name.chars().skip(2).take(2).collect();
                    // Every byte percent-encoded: always a valid query string.
                    let q: String = piece.bytes().map(|b| format!("%{b:02X}")).collect();
                    hyper::Request::get(format!("/api/v1/search?q={q}"))
                        .header("host", "soak")
                        .body(Full::new(Bytes::new()))?
                }
                1 => hyper::Request::get(format!("/api/v1/subjects/{code}"))
                    .header("host", "soak")
                    .body(Full::new(Bytes::new()))?,
                2 => self.post(
                    "/api/v1/checks",
                    serde_json::json!({"subject": code, "context": "government_procurement"}),
                )?,
                _ => self.post(
                    "/api/v1/records",
                    serde_json::json!({"records": [{
                        "category": "admin_penalty",
                        "subject": {"code": code, "name": name, "kind": "legal_person"},
                        "document_no": format!("SOAK-{id}-{i}-{}", chrono::Utc::now().timestamp_micros()),
                        "decided_on": "2026-06-01",
                        "legal_basis": "《中华人民共和国广告法》第五十五条", "tier": "general",
                        "fields": {"facts": "发布虚假广告", "penalty_kind": "罚款",
                                   "content": "罚款人民币二万元", "authority": "深圳市市场监督管理局"}
                    }]}),
                )?,
            };
            let response = sender.send_request(request).await?;
            let status = response.status();
            let body = response.into_body().collect().await?.to_bytes();
            self.counts.by_kind[kind].fetch_add(1, Ordering::Relaxed);
            if !status.is_success() {
                self.counts.errors.fetch_add(1, Ordering::Relaxed);
                if let Ok(mut first) = self.first_error.lock() {
                    first.get_or_insert_with(|| {
                        format!(
                            "{} {status}: {}",
                            KINDS[kind],
                            String::from_utf8_lossy(&body)
                        )
                    });
                }
            }
            i += 1;
        }
        Ok(())
    }

    fn post(&self, path: &str, body: serde_json::Value) -> Result<hyper::Request<Full<Bytes>>> {
        Ok(hyper::Request::post(path)
            .header("host", "soak")
            .header("content-type", "application/json")
            .header("authorization", format!("Bearer {}", self.token))
            .body(Full::new(Bytes::from(body.to_string())))?)
    }
}
