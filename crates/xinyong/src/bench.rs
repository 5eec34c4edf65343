//! `xinyong bench`: benchmarks that print their figure next to a baseline measured in the same
//! run, because the machines they run on are shared and noisy.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;

use anyhow::{Context, Result, anyhow};
use clap::Subcommand;
use xinyong_domain::synthetic::Synthetic;
use xinyong_domain::{Catalogue, Department};
use xinyong_store::baseline::{BareRow, bare_sqlite_insert};

#[derive(Subcommand)]
pub enum BenchCommand {
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
    },
}

pub async fn run(catalogue: &Catalogue, command: BenchCommand) -> Result<ExitCode> {
    match command {
        BenchCommand::Import { records, seed, dir } => import(catalogue, records, seed, dir).await,
    }
}

async fn import(
    catalogue: &Catalogue,
    n: u64,
    seed: u64,
    dir: Option<PathBuf>,
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

    // Baseline: the same rows, pre-parsed, inserted as plainly as SQLite allows.
    let bare_db = dir.join("bare.db");
    remove_db(&bare_db);
    let bare = bare_sqlite_insert(&format!("sqlite://{}", bare_db.display()), &rows).await?;
    drop(rows);

    // Ours: the whole import path from the file.
    let db = dir.join("import.db");
    remove_db(&db);
    let store = xinyong_store::open(&format!("sqlite://{}", db.display())).await?;
    store
        .put_department(&Department {
            code: "BENCH".into(),
            name: "benchmark department".into(),
            categories: catalogue.categories.iter().map(|c| c.id.clone()).collect(),
            lists: Default::default(),
        })
        .await?;
    let args = crate::import::ImportArgs {
        department: "BENCH".into(),
        category: None,
        partial: false,
        rejects: None,
        format: None,
        files: vec![jsonl.clone()],
    };
    let start = Instant::now();
    let code = crate::import::run(Arc::clone(&store), catalogue, args).await?;
    let ours = start.elapsed();
    if code != ExitCode::SUCCESS {
        return Err(anyhow!("the benchmark import failed"));
    }

    let rate = |d: std::time::Duration| n as f64 / d.as_secs_f64();
    println!("bench import: {n} records");
    println!(
        "  bare SQLite insert (baseline): {:>10.0} records/s  ({:.2} s)",
        rate(bare),
        bare.as_secs_f64()
    );
    println!(
        "  xinyong import (JSONL file):   {:>10.0} records/s  ({:.2} s)",
        rate(ours),
        ours.as_secs_f64()
    );
    println!(
        "  ratio import / baseline:       {:>10.2}",
        bare.as_secs_f64() / ours.as_secs_f64()
    );
    Ok(ExitCode::SUCCESS)
}

fn remove_db(path: &std::path::Path) {
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
}
