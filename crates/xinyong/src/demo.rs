//! `xinyong demo` and `serve --demo`: the synthetic data set, stored through the same
//! validation and storage path as a department's upload.

use std::collections::BTreeMap;
use std::io::{BufWriter, Write};
use std::path::Path;

use anyhow::{Context, Result, anyhow};
use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};
use xinyong_domain::synthetic::Synthetic;
use xinyong_domain::{Catalogue, ValidRecord};
use xinyong_store::Store;

#[derive(Args, Clone, Debug)]
pub struct DemoSize {
    /// Number of synthetic subjects (1,000,000 works; expect about 2.5 records each).
    #[arg(long, default_value_t = 2000)]
    pub subjects: u64,
    /// Seed: the same seed gives the same data set.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
}

const FLUSH: usize = 2000;

fn progress(len: u64, what: &str) -> ProgressBar {
    let bar = ProgressBar::new(len);
    if let Ok(style) = ProgressStyle::with_template(&format!(
        "{{spinner}} {what} {{bar:40}} {{pos}}/{{len}} ({{per_sec}}, {{eta}})"
    )) {
        bar.set_style(style);
    }
    bar
}

/// Fills an empty database with the demo data set, in one transaction.
pub async fn fill(store: &dyn Store, catalogue: &Catalogue, size: &DemoSize) -> Result<()> {
    let counts = store.counts().await?;
    if counts.subjects > 0 {
        eprintln!(
            "the database already holds {} subjects: demo data not added",
            counts.subjects
        );
        return Ok(());
    }
    let today = xinyong_web::china_today();
    let mut synthetic = Synthetic::new(catalogue, size.seed, today);
    for d in synthetic.departments() {
        store.put_department(d).await?;
    }
    let bar = progress(size.subjects, "demo subjects");
    let mut session = store.begin_import().await?;
    let mut buffers: BTreeMap<String, Vec<ValidRecord>> = BTreeMap::new();
    let mut records = 0u64;
    for _ in 0..size.subjects {
        let subject = synthetic.next_subject();
        for (dept, raw) in subject.records {
            let valid = catalogue
                .validate(&raw, today)
                .map_err(|e| anyhow!("synthetic record failed validation (a bug): {e:?}"))?;
            let buffer = buffers.entry(dept.clone()).or_default();
            buffer.push(valid);
            if buffer.len() >= FLUSH {
                session.add(&dept, buffer).await?;
                records += buffer.len() as u64;
                buffer.clear();
            }
        }
        bar.inc(1);
    }
    for (dept, buffer) in &buffers {
        session.add(dept, buffer).await?;
        records += buffer.len() as u64;
    }
    session.commit().await?;
    bar.finish_and_clear();
    eprintln!(
        "demo data: {} subjects, {records} records from {} departments (seed {})",
        size.subjects,
        synthetic.departments().len(),
        size.seed
    );
    eprintln!(
        "demo departments (use one with `xinyong token create --role department --department CODE`):"
    );
    for d in synthetic.departments() {
        eprintln!("  {}  {}", d.code, d.name);
    }
    Ok(())
}

/// Writes the demo records as JSONL (the API's record shape), e.g. to benchmark imports.
pub fn write_jsonl(catalogue: &Catalogue, size: &DemoSize, path: &Path) -> Result<u64> {
    let file =
        std::fs::File::create(path).with_context(|| format!("creating {}", path.display()))?;
    let mut out = BufWriter::new(file);
    let mut synthetic = Synthetic::new(catalogue, size.seed, xinyong_web::china_today());
    let mut n = 0;
    for _ in 0..size.subjects {
        for (_, raw) in synthetic.next_subject().records {
            serde_json::to_writer(&mut out, &raw.to_json())?;
            out.write_all(b"\n")?;
            n += 1;
        }
    }
    out.flush()?;
    eprintln!("wrote {n} records to {}", path.display());
    Ok(n)
}
