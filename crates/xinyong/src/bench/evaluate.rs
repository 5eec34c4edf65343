//! `xinyong bench evaluate`: a full re-grade of every subject (stream subjects with their
//! records, grade, store grades with their explanations, log each batch) against a single SQL
//! scan of the same records in the same run (issue #13: 1,000,000 subjects with 10,000,000
//! records in ≤ 30 s and ≥ 0.5× the scan).

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Result;
use xinyong_domain::Catalogue;
use xinyong_store::baseline::scan_records;

pub async fn run(
    catalogue: &Catalogue,
    subjects: u64,
    record_rounds: u32,
    seed: u64,
    url: Option<String>,
    dir: Option<PathBuf>,
) -> Result<ExitCode> {
    let dir = dir.unwrap_or_else(|| std::env::temp_dir().join("xinyong-bench-evaluate"));
    std::fs::create_dir_all(&dir)?;
    // Named by size: files that exist hold that data set (kept between runs).
    let stem = format!("evaluate-{subjects}-{record_rounds}-{seed}");
    let file = dir.join(format!("{stem}.db"));
    let (url, file) = match url {
        Some(url) => (url, None),
        None => (format!("sqlite://{}", file.display()), Some(file)),
    };
    let size = crate::demo::DemoSize {
        subjects,
        seed,
        record_rounds,
    };
    let key_path = dir.join(format!("{stem}.key"));
    let store = super::demo_database(&url, file.as_deref(), &key_path, catalogue, &size).await?;
    let counts = store.counts().await?;
    eprintln!(
        "{url}: {} subjects, {} records",
        counts.subjects, counts.records
    );
    let models = crate::grading::models(catalogue)?;
    let today = xinyong_web::china_today();

    // The scan twice: the first warms the page cache for both sides.
    scan_records(&url).await?;
    let (rows, scan) = scan_records(&url).await?;
    let scan_s = scan.as_secs_f64();

    let start = Instant::now();
    let done =
        xinyong_web::grading::evaluate_all(&*store, &models, catalogue, today, |_| {}).await?;
    let ours_s = start.elapsed().as_secs_f64();

    println!(
        "single SQL scan of the records: {rows} rows in {scan_s:.2} s ({:.0} rows/s)",
        rows as f64 / scan_s.max(1e-9)
    );
    println!(
        "full re-grade: {} subjects ({} records) in {ours_s:.2} s ({:.0} subjects/s)",
        done.total(),
        counts.records,
        done.total() as f64 / ours_s.max(1e-9)
    );
    println!(
        "of which reading subjects and records {:.2} s, grading {:.2} s, storing grades {:.2} s",
        done.reading.as_secs_f64(),
        done.grading.as_secs_f64(),
        done.storing.as_secs_f64()
    );
    if let Some(mib) = super::rss_mib("VmHWM:") {
        println!("peak RSS of this process: {mib:.0} MiB");
    }
    println!(
        "ratio (scan time / re-grade time): {:.2}",
        scan_s / ours_s.max(1e-9)
    );
    Ok(ExitCode::SUCCESS)
}
