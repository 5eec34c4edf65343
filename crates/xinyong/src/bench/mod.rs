//! `xinyong bench`: benchmarks that print their figure next to a baseline measured in the same
//! run, because the machines they run on are shared and noisy.

mod evaluate;
mod soak;

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;

use anyhow::{Context, Result, anyhow};
use clap::Subcommand;
use xinyong_domain::synthetic::Synthetic;
use xinyong_domain::{Catalogue, Department};
use xinyong_store::baseline::{
    BareRow, bare_postgres_copy, bare_postgres_insert, bare_sqlite_entries, bare_sqlite_insert,
};
use xinyong_store::prelude::*;

#[derive(Subcommand)]
pub enum BenchCommand {
    /// Credit checks per second: in-process against the bare index lookup, and over HTTP
    /// against the same server's /healthz, on a demo database (kept in --dir between runs).
    Check {
        #[arg(long, default_value_t = 100_000)]
        subjects: u64,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Length of each measurement.
        #[arg(long, default_value_t = 5)]
        seconds: u64,
        /// Concurrent HTTP connections.
        #[arg(long, default_value_t = 32)]
        connections: usize,
        #[arg(long)]
        dir: Option<PathBuf>,
    },
    /// Public name search latency (p50/p95, in-process, one query at a time) on a demo
    /// database, against an exact code lookup measured in the same run.
    Search {
        /// Demo subjects in the database (1,000,000 works).
        #[arg(long, default_value_t = 100_000)]
        subjects: u64,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Queries per kind.
        #[arg(long, default_value_t = 2000)]
        queries: usize,
        /// Database to measure: sqlite://PATH or postgres://...; filled with demo data when
        /// empty. Default: a SQLite file in --dir named by size and seed, kept between runs.
        #[arg(long)]
        store: Option<String>,
        #[arg(long)]
        dir: Option<PathBuf>,
    },
    /// Audit log appends per second (stored, with the Merkle tree, `--batch` entries per
    /// transaction) against a bare insert of the same rows, then the time to verify the log.
    Ledger {
        #[arg(long, default_value_t = 1_000_000)]
        entries: u64,
        #[arg(long, default_value_t = 1000)]
        batch: usize,
        #[arg(long)]
        dir: Option<PathBuf>,
    },
    /// A full re-grade of every subject against a single SQL scan of the same records, on a
    /// demo database (kept in --dir between runs, or the empty database --store names).
    Evaluate {
        #[arg(long, default_value_t = 100_000)]
        subjects: u64,
        /// Rounds of records per subject (about 2.5 records each; 4 gives 10 per subject).
        #[arg(long, default_value_t = 4)]
        record_rounds: u32,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        #[arg(long)]
        store: Option<String>,
        #[arg(long)]
        dir: Option<PathBuf>,
    },
    /// A bounded mixed load on loopback (public searches and subject files, credit checks,
    /// record submissions, all at once): every answer must succeed; memory after a warm-up is
    /// the baseline the end is compared with.
    Soak {
        #[arg(long, default_value_t = 20_000)]
        subjects: u64,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// How long the load runs, after the warm-up.
        #[arg(long, default_value_t = 60)]
        seconds: u64,
        #[arg(long, default_value_t = 16)]
        connections: usize,
        #[arg(long)]
        dir: Option<PathBuf>,
    },
    /// Bulk import of demo records (JSONL → validated, versioned, stored) against a bare SQLite
    /// insert of the same rows.
    Import {
        /// How many records.
        #[arg(long, default_value_t = 200_000)]
        records: u64,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Working directory for the generated file and databases (default: a temporary one).
        #[arg(long)]
        dir: Option<PathBuf>,
        /// An empty PostgreSQL database (postgres://...) to measure instead of SQLite, against
        /// a bare multi-row insert and a COPY of the same rows in the same database.
        #[arg(long)]
        store: Option<String>,
    },
}

/// Opens the demo database of `size` at `url` with the key file at `key_path` (both kept
/// between runs: the demo seals persons, so the database opens only with its own keys),
/// filling it first where it does not hold that data set. A SQLite `file` left by a run whose
/// key file is gone, or holding another size, is made again.
pub(super) async fn demo_database(
    url: &str,
    file: Option<&std::path::Path>,
    key_path: &std::path::Path,
    catalogue: &Catalogue,
    size: &crate::demo::DemoSize,
) -> Result<Arc<dyn Store>> {
    let vault = crate::keys::load(key_path)?;
    let store = match xinyong_store::open_with(url, vault.clone()).await {
        Ok(store) => Some(store),
        Err(xinyong_store::StoreError::WrongKeys { .. }) if file.is_some() => None,
        Err(e) => return Err(e.into()),
    };
    let filled = match &store {
        Some(store) => store.counts().await?.subjects == size.subjects,
        None => false,
    };
    if !filled {
        drop(store);
        if let Some(file) = file {
            remove_db(file);
        }
        let store = xinyong_store::open_with(url, vault.clone()).await?;
        let start = Instant::now();
        crate::demo::fill(&*store, catalogue, size).await?;
        eprintln!(
            "demo database filled in {:.1} s",
            start.elapsed().as_secs_f64()
        );
    }
    crate::keys::save_new(&vault, key_path)?;
    Ok(xinyong_store::open_with(url, vault).await?)
}

/// Resident memory of this process (`VmRSS`, or `VmHWM` for the peak), in MiB.
pub(super) fn rss_mib(field: &str) -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let kb: f64 = status
        .lines()
        .find(|l| l.starts_with(field))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()?;
    Some(kb / 1024.0)
}

/// Registers department `code` (allowed `categories`) and returns the secret of a new token
/// for it: the load generators' caller.
pub(super) async fn department_token(
    store: &dyn Store,
    code: &str,
    categories: &[&str],
) -> Result<String> {
    store
        .put_department(&Department {
            code: code.into(),
            name: format!("benchmark department {code}"),
            categories: categories.iter().map(|c| (*c).to_owned()).collect(),
            lists: Default::default(),
            professions: Default::default(),
        })
        .await?;
    let token = xinyong_web::auth::new_token();
    store
        .put_token(&xinyong_store::Token {
            id: xinyong_store::new_id(),
            hash: token.hash.clone(),
            role: xinyong_store::Role::Department,
            department: Some(code.into()),
            subject: None,
            label: "bench".into(),
            created_at: chrono::Utc::now(),
            expires_at: None,
            revoked_at: None,
        })
        .await?;
    Ok(token.secret)
}

pub async fn run(catalogue: &Catalogue, command: BenchCommand) -> Result<ExitCode> {
    match command {
        BenchCommand::Import {
            records,
            seed,
            dir,
            store,
        } => import(catalogue, records, seed, dir, store).await,
        BenchCommand::Evaluate {
            subjects,
            record_rounds,
            seed,
            store,
            dir,
        } => evaluate::run(catalogue, subjects, record_rounds, seed, store, dir).await,
        BenchCommand::Ledger {
            entries,
            batch,
            dir,
        } => ledger(entries, batch, dir).await,
        BenchCommand::Search {
            subjects,
            seed,
            queries,
            store,
            dir,
        } => search(catalogue, subjects, seed, queries, store, dir).await,
        BenchCommand::Check {
            subjects,
            seed,
            seconds,
            connections,
            dir,
        } => check(catalogue, subjects, seed, seconds, connections, dir).await,
        BenchCommand::Soak {
            subjects,
            seed,
            seconds,
            connections,
            dir,
        } => soak::run(catalogue, subjects, seed, seconds, connections, dir).await,
    }
}

async fn ledger(n: u64, batch: usize, dir: Option<PathBuf>) -> Result<ExitCode> {
    use xinyong_store::ledger::{Event, LedgerEvent};
    let dir = dir.unwrap_or_else(|| {
        std::env::temp_dir().join(format!("xinyong-bench-ledger-{}", std::process::id()))
    });
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    // Reads of shared information by a department about organisations: the commonest event.
    let events: Vec<LedgerEvent> = (0..n)
        .map(|i| {
            let event = Event::Read {
                clearance: xinyong_domain::Disclosure::Shared,
                subject: &format!("9144030000000{:05}X", i % 100_000),
                payload: &serde_json::json!([i]),
            };
            LedgerEvent::new(event, "114403005Y928J5N4R")
        })
        .collect();
    let bare_db = dir.join("bare-ledger.db");
    let ours_db = dir.join("ledger.db");
    for p in [&bare_db, &ours_db] {
        let _ = std::fs::remove_file(p);
    }
    let bare =
        bare_sqlite_entries(&format!("sqlite://{}", bare_db.display()), &events, batch).await?;
    let store =
        xinyong_store::SqliteStore::open(&format!("sqlite://{}", ours_db.display())).await?;
    let started = Instant::now();
    for chunk in events.chunks(batch.max(1)) {
        store.append_events(chunk).await?;
    }
    let ours = started.elapsed();
    let started = Instant::now();
    let report = xinyong_store::ledger::verify(&store, None, |_| {})
        .await
        .map_err(|e| anyhow!("{e}"))?;
    let verify = started.elapsed();
    let rate = |d: std::time::Duration| n as f64 / d.as_secs_f64();
    println!("audit log, {n} entries, {batch} per transaction, SQLite");
    println!(
        "baseline: bare insert of the same rows   {:>12.0} entries/s",
        rate(bare)
    );
    println!(
        "append (tree, nodes, indexes)           {:>12.0} entries/s   ratio {:.2}",
        rate(ours),
        bare.as_secs_f64() / ours.as_secs_f64()
    );
    println!(
        "verify (recompute tree, check nodes)    {:>12.0} entries/s   {:.1} s for {} entries",
        rate(verify),
        verify.as_secs_f64(),
        report.size
    );
    let _ = std::fs::remove_dir_all(&dir);
    Ok(ExitCode::SUCCESS)
}

async fn import(
    catalogue: &Catalogue,
    n: u64,
    seed: u64,
    dir: Option<PathBuf>,
    postgres: Option<String>,
) -> Result<ExitCode> {
    let dir = dir.unwrap_or_else(|| {
        std::env::temp_dir().join(format!("xinyong-bench-{}", std::process::id()))
    });
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    let jsonl = dir.join("records.jsonl");
    let today = xinyong_web::china_today();

    // The data set: demo records, written as a department would upload them.
    let mut synthetic = Synthetic::new(catalogue, seed, today);
    let mut rows = Vec::with_capacity(n as usize);
    let mut out = std::io::BufWriter::new(std::fs::File::create(&jsonl)?);
    while (rows.len() as u64) < n {
        for (_, raw) in synthetic.next_subject().records {
            if rows.len() as u64 == n {
                break;
            }
            if crate::demo::attaches_to_a_role(catalogue, &raw) {
                continue;
            }
            use std::io::Write;
            serde_json::to_writer(&mut out, &raw.to_json())?;
            out.write_all(b"\n")?;
            let v = catalogue
                .validate(&raw, today)
                .map_err(|e| anyhow!("demo record invalid (a bug): {e:?}"))?;
            rows.push(BareRow {
                id: xinyong_store::new_id(),
                category: v.category,
                document_no: v.document_no,
                subject_code: v.subject.code.as_str().to_owned(),
                subject_name: v.subject.name,
                decided_on: v.decided_on,
                legal_basis: v.legal_basis,
                tier: v.tier.map(|t| t.as_str().to_owned()),
                fields: serde_json::to_string(&v.fields)?,
            });
        }
    }
    drop(out);
    let size = std::fs::metadata(&jsonl)?.len();
    eprintln!(
        "{} records, {:.1} MiB of JSONL in {}",
        rows.len(),
        size as f64 / 1048576.0,
        dir.display()
    );

    // Baselines: the same rows, pre-parsed, inserted as plainly as the database allows.
    let (bare, copy, url) = match &postgres {
        None => {
            let bare_db = dir.join("bare.db");
            remove_db(&bare_db);
            let url = format!("sqlite://{}", bare_db.display());
            let bare = bare_sqlite_insert(&url, &rows).await?;
            let db = dir.join("import.db");
            remove_db(&db);
            (bare, None, format!("sqlite://{}", db.display()))
        }
        Some(url) => {
            let bare = bare_postgres_insert(url, &rows).await?;
            let copy = bare_postgres_copy(url, &rows).await?;
            (bare, Some(copy), url.clone())
        }
    };
    drop(rows);

    // Ours: the whole import path from the file.
    let store = xinyong_store::open(&url).await?;
    if store.counts().await?.records > 0 {
        return Err(anyhow!(
            "{url} already holds records: give an empty database to measure the import"
        ));
    }
    store
        .put_department(&Department {
            code: "BENCH".into(),
            name: "benchmark department".into(),
            categories: catalogue.categories.iter().map(|c| c.id.clone()).collect(),
            lists: Default::default(),
            professions: Default::default(),
        })
        .await?;
    let args = crate::import::ImportArgs {
        department: "BENCH".into(),
        category: None,
        tier: None,
        legal_basis: None,
        partial: false,
        rejects: None,
        format: None,
        // The import itself is measured here; re-grading is `bench evaluate`'s.
        skip_grades: true,
        files: vec![jsonl.clone()],
    };
    let start = Instant::now();
    let code = crate::import::run(Arc::clone(&store), catalogue, args).await?;
    let ours = start.elapsed();
    if code != ExitCode::SUCCESS {
        return Err(anyhow!("the benchmark import failed"));
    }

    let rate = |d: std::time::Duration| n as f64 / d.as_secs_f64();
    let engine = if postgres.is_some() {
        "PostgreSQL"
    } else {
        "SQLite"
    };
    println!("bench import: {n} records, {engine}");
    let line = |label: &str, d: std::time::Duration| {
        println!(
            "  {label:<34} {:>10.0} records/s  ({:.2} s)",
            rate(d),
            d.as_secs_f64()
        );
    };
    line(&format!("bare {engine} insert (baseline):"), bare);
    if let Some(copy) = copy {
        line("COPY of the same rows:", copy);
    }
    line("xinyong import (JSONL file):", ours);
    println!(
        "  {:<34} {:>10.2}",
        "ratio import / baseline:",
        bare.as_secs_f64() / ours.as_secs_f64()
    );
    if let Some(copy) = copy {
        println!(
            "  {:<34} {:>10.2}",
            "ratio import / COPY:",
            copy.as_secs_f64() / ours.as_secs_f64()
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn remove_db(path: &std::path::Path) {
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
}

/// Credit checks per second in-process and over HTTP, on a demo database of `subjects`.
pub async fn check(
    catalogue: &Catalogue,
    subjects: u64,
    seed: u64,
    seconds: u64,
    connections: usize,
    dir: Option<PathBuf>,
) -> Result<ExitCode> {
    use xinyong_domain::check::credit_check;
    use xinyong_domain::measure::DecisionContext;

    let dir = dir.unwrap_or_else(|| std::env::temp_dir().join("xinyong-bench-check"));
    std::fs::create_dir_all(&dir)?;
    let db = dir.join(format!("check-{subjects}-{seed}.db"));
    let url = format!("sqlite://{}", db.display());
    let key_path = dir.join(format!("check-{subjects}-{seed}.key"));
    let size = crate::demo::DemoSize::new(subjects, seed);
    let store = demo_database(&url, Some(&db), &key_path, catalogue, &size).await?;
    let mut state = xinyong_web::AppState::new(store.clone(), catalogue.clone());
    // The load comes from one address: per-client limits would measure themselves.
    state.limits = Arc::new(xinyong_web::limits::Limits::with(
        xinyong_web::limits::LimitsConfig::unlimited(),
    ));
    let start = Instant::now();
    let entries = state
        .lists
        .reload(&*store, xinyong_web::china_today())
        .await?;
    eprintln!(
        "{entries} current list entries indexed in {:.2} s",
        start.elapsed().as_secs_f64()
    );

    // Every subject's code, in a fixed shuffled order: listed and unlisted in their natural mix.
    let mut codes = Vec::with_capacity(subjects as usize);
    let mut after: Option<String> = None;
    loop {
        let page = store.subjects_page(after.as_deref(), 1000).await?;
        let Some(last) = page.last() else { break };
        after = Some(last.id.clone());
        codes.extend(page.into_iter().map(|s| s.code.to_string()));
    }
    {
        use rand::SeedableRng;
        use rand::seq::SliceRandom;
        codes.shuffle(&mut rand_chacha::ChaCha8Rng::seed_from_u64(seed));
    }
    let today = xinyong_web::china_today();
    let context = DecisionContext::GovernmentProcurement;
    let window = std::time::Duration::from_secs(seconds);

    // In-process, on every core: the index lookup alone (baseline), then the whole check.
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
    let run = |full: bool| -> u64 {
        std::thread::scope(|scope| {
            let handles: Vec<_> = (0..threads)
                .map(|t| {
                    let codes = &codes;
                    let state = &state;
                    scope.spawn(move || {
                        let deadline = Instant::now() + window;
                        let mut n = 0u64;
                        let mut i = t * 7919;
                        let mut sink = 0usize;
                        while Instant::now() < deadline {
                            for _ in 0..256 {
                                let code = &codes[i % codes.len()];
                                let entries = state.lists.entries_for(code.as_str());
                                sink += if full {
                                    let outcome = credit_check(
                                        code.as_str(),
                                        context,
                                        entries.iter().map(|e| e.as_ref()),
                                        &state.list_types,
                                        &state.memoranda,
                                        &state.catalogue,
                                        today,
                                    );
                                    outcome.measures.len()
                                } else {
                                    entries.len()
                                };
                                i += 1;
                                n += 1;
                            }
                        }
                        std::hint::black_box(sink);
                        n
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap_or(0)).sum()
        })
    };
    let lookups = run(false) as f64 / window.as_secs_f64();
    let checks = run(true) as f64 / window.as_secs_f64();

    // Over HTTP: the same server's /healthz, then POST /api/v1/checks (each check recorded).
    let token = department_token(&*store, "BENCH-BUYER", &[]).await?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    tokio::spawn(xinyong_web::serve(listener, state.clone()));
    let codes = Arc::new(codes);
    let health = load(addr, connections, window, Arc::clone(&codes), None).await?;
    let http_checks = load(
        addr,
        connections,
        window,
        Arc::clone(&codes),
        Some(token.clone()),
    )
    .await?;

    println!(
        "bench check: {subjects} subjects, {entries} current list entries, {threads} threads, {connections} connections, {seconds} s each"
    );
    println!("  in-process index lookup (baseline): {lookups:>12.0} /s");
    println!(
        "  in-process credit check:            {checks:>12.0} /s   ratio {:.2}",
        checks / lookups
    );
    println!("  HTTP GET /healthz (baseline):       {health:>12.0} /s");
    println!(
        "  HTTP POST /api/v1/checks:           {http_checks:>12.0} /s   ratio {:.2}",
        http_checks / health
    );
    Ok(ExitCode::SUCCESS)
}

/// Requests per second from `connections` keep-alive HTTP/1.1 clients for `window`: GET
/// /healthz when `token` is `None`, else POST /api/v1/checks cycling through `codes`.
async fn load(
    addr: std::net::SocketAddr,
    connections: usize,
    window: std::time::Duration,
    codes: Arc<Vec<String>>,
    token: Option<String>,
) -> Result<f64> {
    use http_body_util::{BodyExt, Full};
    use hyper::body::Bytes;

    let deadline = Instant::now() + window;
    let mut tasks = Vec::with_capacity(connections);
    for c in 0..connections {
        let codes = Arc::clone(&codes);
        let token = token.clone();
        tasks.push(tokio::spawn(async move {
            let stream = tokio::net::TcpStream::connect(addr).await?;
            let (mut sender, conn) = hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(stream)).await?;
            tokio::spawn(conn);
            let mut ok = 0u64;
            let mut i = c * 104_729;
            while Instant::now() < deadline {
                let req = match &token {
                    None => hyper::Request::get("/healthz").header("host", "bench").body(Full::new(Bytes::new()))?,
                    Some(t) => {
                        let body = serde_json::json!({"subject": codes[i % codes.len()], "context": "government_procurement"});
                        i += 1;
                        hyper::Request::post("/api/v1/checks")
                            .header("host", "bench")
                            .header("content-type", "application/json")
                            .header("authorization", format!("Bearer {t}"))
                            .body(Full::new(Bytes::from(body.to_string())))?
                    }
                };
                let resp = sender.send_request(req).await?;
                let good = resp.status().is_success();
                resp.into_body().collect().await?;
                if good {
                    ok += 1;
                }
            }
            anyhow::Ok(ok)
        }));
    }
    let mut total = 0;
    for t in tasks {
        total += t.await??;
    }
    Ok(total as f64 / window.as_secs_f64())
}

/// Search latency on a demo database of `subjects`: random Chinese substrings of stored names
/// (2 characters like a short name, 4 characters, and two words), full codes and 8-character
/// code prefixes, each query alone, against `Store::subject` (the exact code lookup).
pub async fn search(
    catalogue: &Catalogue,
    subjects: u64,
    seed: u64,
    queries: usize,
    url: Option<String>,
    dir: Option<PathBuf>,
) -> Result<ExitCode> {
    use rand::seq::IndexedRandom;
    use rand::{Rng, SeedableRng};
    use xinyong_domain::search::parse_query;

    let url = match url {
        Some(url) => url,
        None => {
            let dir = dir.unwrap_or_else(|| std::env::temp_dir().join("xinyong-bench-search"));
            std::fs::create_dir_all(&dir)?;
            // Named by size and seed: a file that exists holds that data set (kept between runs).
            let db = dir.join(format!("search-{subjects}-{seed}.db"));
            format!("sqlite://{}", db.display())
        }
    };
    let store = xinyong_store::open(&url).await?;
    let counts = store.counts().await?;
    if counts.subjects == 0 {
        let start = Instant::now();
        crate::demo::fill(
            &*store,
            catalogue,
            &crate::demo::DemoSize::new(subjects, seed),
        )
        .await?;
        eprintln!(
            "demo database filled in {:.1} s",
            start.elapsed().as_secs_f64()
        );
    }
    let counts = store.counts().await?;
    eprintln!(
        "{url}: {} subjects, {} records",
        counts.subjects, counts.records
    );

    // A sample of stored subjects, read in id order and drawn at random.
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    let mut sample = Vec::new();
    let mut after: Option<String> = None;
    let keep = (queries as f64 * 1.5 / counts.subjects.max(1) as f64).min(1.0);
    loop {
        let page = store.subjects_page(after.as_deref(), 5000).await?;
        let Some(last) = page.last() else { break };
        after = Some(last.id.clone());
        sample.extend(page.into_iter().filter(|_| rng.random::<f64>() < keep));
    }
    if sample.is_empty() {
        return Err(anyhow!("the database holds no subjects"));
    }
    let organisations: Vec<_> = sample
        .iter()
        .filter(|s| s.kind != xinyong_domain::SubjectKind::NaturalPerson)
        .collect();
    let substring = |rng: &mut rand_chacha::ChaCha8Rng, name: &str, n: usize| -> String {
        let chars: Vec<char> = name
            .chars()
            .filter(|c| xinyong_domain::search::is_han(*c))
            .collect();
        let n = n.min(chars.len());
        let start = rng.random_range(0..=chars.len() - n);
        chars[start..start + n].iter().collect()
    };
    let mut kinds: Vec<(&str, Vec<String>)> = vec![
        ("2 characters (short name)", Vec::new()),
        ("4 characters", Vec::new()),
        ("two words", Vec::new()),
        ("full code", Vec::new()),
        ("code prefix (8)", Vec::new()),
    ];
    for _ in 0..queries {
        let s = sample.choose(&mut rng).context("sample")?;
        let o = organisations.choose(&mut rng).copied().unwrap_or(s);
        kinds[0].1.push(substring(&mut rng, &s.name, 2));
        kinds[1].1.push(substring(&mut rng, &s.name, 4));
        let a = substring(&mut rng, &s.name, 2);
        let b = substring(&mut rng, &s.name, 2);
        kinds[2].1.push(format!("{a} {b}"));
        kinds[3].1.push(o.code.to_string());
        kinds[4].1.push(o.code.as_str()[..8].to_owned());
    }
    let codes: Vec<String> = (0..queries)
        .filter_map(|_| sample.choose(&mut rng).map(|s| s.code.to_string()))
        .collect();

    fn percentiles(mut v: Vec<f64>) -> (f64, f64, f64, f64) {
        v.sort_by(f64::total_cmp);
        let at = |p: f64| v[((v.len() as f64 * p) as usize).min(v.len() - 1)];
        (at(0.5), at(0.95), at(0.99), v[v.len() - 1])
    }

    // Warm the caches once, then measure.
    for (_, qs) in &kinds {
        for q in qs.iter().take(200) {
            let query = parse_query(q).map_err(|e| anyhow!("{q:?}: {e}"))?;
            store.search_subjects(&query, 20, 0).await?;
        }
    }
    let mut lookups = Vec::with_capacity(codes.len());
    for code in &codes {
        let t = Instant::now();
        store.subject(code).await?;
        lookups.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    let (b50, b95, b99, bmax) = percentiles(lookups);
    println!(
        "search latency, {} subjects, {} queries per kind, one at a time, first page of 20",
        counts.subjects, queries
    );
    println!(
        "{:<28} {:>9} {:>9} {:>9} {:>9} {:>10} {:>12}",
        "query", "p50 ms", "p95 ms", "p99 ms", "max ms", "p95/base", "mean hits"
    );
    println!(
        "{:<28} {:>9.3} {:>9.3} {:>9.3} {:>9.3} {:>10} {:>12}",
        "baseline: exact code lookup", b50, b95, b99, bmax, "1.0", "1"
    );
    let mut all = Vec::new();
    for (kind, qs) in &kinds {
        let mut times = Vec::with_capacity(qs.len());
        let mut hits = 0u64;
        for q in qs {
            let query = parse_query(q).map_err(|e| anyhow!("{q:?}: {e}"))?;
            let t = Instant::now();
            let page = store.search_subjects(&query, 20, 0).await?;
            times.push(t.elapsed().as_secs_f64() * 1000.0);
            hits += page.total;
        }
        all.extend(times.iter().copied());
        let (p50, p95, p99, max) = percentiles(times);
        println!(
            "{kind:<28} {p50:>9.3} {p95:>9.3} {p99:>9.3} {max:>9.3} {:>10.1} {:>12.1}",
            p95 / b95.max(1e-9),
            hits as f64 / qs.len().max(1) as f64
        );
    }
    let (p50, p95, p99, max) = percentiles(all);
    println!(
        "{:<28} {p50:>9.3} {p95:>9.3} {p99:>9.3} {max:>9.3} {:>10.1}",
        "all searches",
        p95 / b95.max(1e-9)
    );
    Ok(ExitCode::SUCCESS)
}
