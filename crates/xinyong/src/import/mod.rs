//! `xinyong import`: CSV (Chinese standard headers or English names; UTF-8, UTF-8 with BOM or
//! GBK/GB 18030) and JSONL files, streamed in constant memory.
//!
//! Each file is one transaction: by default any bad row means nothing from that file is
//! stored, and every bad row is reported with its row number, column and reason. With
//! `--partial --rejects FILE` the valid rows are stored and the bad ones written to FILE.
//!
//! Reading and validating run on a blocking thread; storing runs on the async side; a small
//! bounded channel between them keeps memory constant and both cores busy.

use std::fs::File;
use std::io::IsTerminal;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Context, Result, bail};
use chrono::NaiveDate;
use clap::{Args, ValueEnum};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde_json::{Value, json};
use tokio::sync::mpsc;
use xinyong_domain::catalogue::CoreAttribute;
use xinyong_domain::record_file;
use xinyong_domain::{Catalogue, Department, FieldError, RawRecord, ValidRecord};
use xinyong_store::{Outcome, Store};

#[derive(Args, Debug)]
pub struct ImportArgs {
    /// The submitting department (must be registered and allowed the files' categories).
    #[arg(long)]
    pub department: String,
    /// Category of every row, for files without a `category` (信息类别) column.
    #[arg(long)]
    pub category: Option<String>,
    /// Tier (minor, general, serious or 轻微/一般/严重) of every row that names none. A CSV file
    /// without a tier column (the national templates have none) otherwise gets its
    /// category's default tier from the catalogue.
    #[arg(long)]
    pub tier: Option<String>,
    /// Legal basis of every row that names none (the national licence template has no
    /// column for it).
    #[arg(long)]
    pub legal_basis: Option<String>,
    /// Store the valid rows even if some are bad (needs --rejects).
    #[arg(long, requires = "rejects")]
    pub partial: bool,
    /// Where --partial writes the bad rows, as JSONL with their reasons.
    #[arg(long, requires = "partial")]
    pub rejects: Option<PathBuf>,
    /// File format; by default taken from the extension (.csv, .jsonl, .ndjson).
    #[arg(long, value_enum)]
    pub format: Option<Format>,
    /// Leave re-grading the imported subjects to the next evaluation (`xinyong evaluate`, or
    /// the daily one of `serve`) instead of re-grading them after the import.
    #[arg(long)]
    pub skip_grades: bool,
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Csv,
    Jsonl,
}

/// Rows validated per chunk handed to the store.
const CHUNK: usize = 2000;
/// How often an import without a terminal says how far it is: every 5 s, or every
/// `XINYONG_PROGRESS_EVERY_MS` milliseconds.
fn plain_progress_every() -> std::time::Duration {
    let ms = std::env::var("XINYONG_PROGRESS_EVERY_MS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(5000);
    std::time::Duration::from_millis(ms)
}

/// A bad row: where it is, what was in it, and everything wrong with it.
struct BadRow {
    row: u64,
    errors: Vec<FieldError>,
    input: Value,
}

enum Item {
    /// Valid records and the line each starts on.
    Valid(Vec<ValidRecord>, Vec<u64>),
    Bad(BadRow),
}

#[derive(Default, Debug)]
struct Tally {
    rows: u64,
    created: u64,
    new_versions: u64,
    unchanged: u64,
    bad: u64,
}

pub async fn run(
    store: Arc<dyn Store>,
    catalogue: &Catalogue,
    args: ImportArgs,
) -> Result<ExitCode> {
    let department = store.department(&args.department).await?.with_context(|| {
        format!(
            "--department {}: no such department (register it with `xinyong department add`)",
            args.department
        )
    })?;
    if let Some(c) = &args.category {
        if catalogue.category(c).is_none() {
            bail!(
                "--category {c}: not a category of catalogue {}",
                catalogue.version
            );
        }
        if !department.may_submit(c) {
            bail!(
                "--category {c}: department {} may not submit this category",
                department.code
            );
        }
    }
    let mut rejects = match &args.rejects {
        Some(p) => Some(BufWriter::new(
            File::create(p).with_context(|| format!("creating {}", p.display()))?,
        )),
        None => None,
    };
    let today = xinyong_web::china_today();
    let mut failed_files = 0;
    let mut touched = std::collections::BTreeSet::new();
    for path in &args.files {
        let format = match args.format {
            Some(f) => f,
            None => format_of(path)?,
        };
        let ok = import_file(
            &store,
            catalogue,
            &department,
            path,
            format,
            &args,
            today,
            rejects.as_mut(),
            &mut touched,
        )
        .await?;
        if !ok {
            failed_files += 1;
        }
    }
    if let Some(r) = rejects.as_mut() {
        r.flush()?;
    }
    if !args.skip_grades && !touched.is_empty() {
        regrade(&*store, catalogue, &touched, today).await?;
    }
    Ok(if failed_files == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// Subjects re-graded one by one up to this many; beyond it a full evaluation (one stream
/// over every subject) is cheaper.
const REGRADE_ONE_BY_ONE: usize = 10_000;

/// Re-grades the subjects an import changed, as a write through the API does.
async fn regrade(
    store: &dyn Store,
    catalogue: &Catalogue,
    touched: &std::collections::BTreeSet<String>,
    today: NaiveDate,
) -> Result<()> {
    let models = crate::grading::models(catalogue)?;
    if touched.len() <= REGRADE_ONE_BY_ONE {
        let codes: Vec<&str> = touched.iter().map(String::as_str).collect();
        // A server holding grades in memory reloads them when the grades' counter moves.
        let index = xinyong_web::grading::GradeIndex::default();
        let n = xinyong_web::grading::regrade(store, &models, catalogue, &index, &codes, today)
            .await
            .context("re-grading the imported subjects")?;
        eprintln!("grades of {n} subjects updated");
    } else {
        let done = xinyong_web::grading::evaluate_all(store, &models, catalogue, today, |_| {})
            .await
            .context("re-grading every subject")?;
        eprintln!("{} subjects graded again", done.total());
    }
    Ok(())
}

fn format_of(path: &Path) -> Result<Format> {
    match path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        Some("csv") => Ok(Format::Csv),
        Some("jsonl" | "ndjson") => Ok(Format::Jsonl),
        _ => bail!(
            "{}: cannot tell the format from the extension; use --format csv or --format jsonl",
            path.display()
        ),
    }
}

/// Imports one file in one transaction. Returns whether the file was imported.
#[allow(clippy::too_many_arguments)]
async fn import_file(
    store: &Arc<dyn Store>,
    catalogue: &Catalogue,
    department: &Department,
    path: &Path,
    format: Format,
    args: &ImportArgs,
    today: NaiveDate,
    mut rejects: Option<&mut BufWriter<File>>,
    touched: &mut std::collections::BTreeSet<String>,
) -> Result<bool> {
    // Subjects whose records this file created or changed: kept only if the file commits.
    let mut changed = std::collections::BTreeSet::new();
    let name = path.display().to_string();
    let file = File::open(path).with_context(|| format!("opening {name}"))?;
    let len = file.metadata().map(|m| m.len()).unwrap_or(0);
    let bar = ProgressBar::with_draw_target(Some(len), ProgressDrawTarget::stderr());
    if let Ok(style) = ProgressStyle::with_template(
        "{spinner} {msg} {bar:40} {bytes}/{total_bytes} ({bytes_per_sec}, {eta})",
    ) {
        bar.set_style(style);
    }
    bar.set_message(name.clone());
    let reader = bar.wrap_read(file);

    let (tx, mut rx) = mpsc::channel::<Item>(8);
    let producer = {
        let catalogue = catalogue.clone();
        let department = department.clone();
        let defaults = record_file::FileDefaults {
            category: args.category.clone(),
            tier: args.tier.clone(),
            legal_basis: args.legal_basis.clone(),
        };
        let name = name.clone();
        tokio::task::spawn_blocking(move || -> Result<u64> {
            let mut rows = Rows {
                catalogue: &catalogue,
                department: &department,
                today,
                tx,
                chunk: Vec::with_capacity(CHUNK),
                lines: Vec::with_capacity(CHUNK),
                rows: 0,
            };
            let format = match format {
                Format::Csv => record_file::Format::Csv,
                Format::Jsonl => record_file::Format::Jsonl,
            };
            let catalogue = &catalogue;
            record_file::read_rows(reader, format, &defaults, catalogue, |row| {
                match row.record {
                    Ok(raw) => rows.accept(row.line, raw, || row.input),
                    Err(errors) => {
                        rows.rows += 1;
                        rows.reject(row.line, errors, row.input);
                    }
                }
            })
            .map_err(|e| match e {
                record_file::FileError::NoCategory => anyhow::anyhow!(
                    "{name}: no category column (category / 信息类别); give --category"
                ),
                e => anyhow::anyhow!("{name}: {e}"),
            })?;
            rows.flush();
            Ok(rows.rows)
        })
    };

    let mut session = store.begin_import().await?;
    let mut tally = Tally::default();
    let mut storing = true;
    // Without a terminal (a log file, a service manager) the bar is not drawn: a plain line
    // every few seconds says how far the import is.
    let plain = !std::io::stderr().is_terminal();
    let every = plain_progress_every();
    let mut said_at = std::time::Instant::now();
    while let Some(item) = rx.recv().await {
        match item {
            Item::Valid(mut chunk, mut lines) if storing => {
                // Professional records must attach to a role their subject holds: that needs
                // the store, so it is checked here rather than in the reading thread.
                let unattached = unattached(&**store, catalogue, &chunk, &lines).await?;
                if !unattached.is_empty() {
                    for (_, bad) in &unattached {
                        tally.bad += 1;
                        report_bad(&bar, &name, bad, rejects.as_deref_mut())?;
                    }
                    storing = args.partial;
                    if !storing {
                        continue;
                    }
                    for (index, _) in unattached.iter().rev() {
                        chunk.remove(*index);
                        lines.remove(*index);
                    }
                }
                let stored = session.add(&department.code, &chunk).await?;
                for (s, record) in stored.iter().zip(&chunk) {
                    match s.outcome {
                        Outcome::Created => tally.created += 1,
                        Outcome::NewVersion => tally.new_versions += 1,
                        Outcome::Unchanged => {
                            tally.unchanged += 1;
                            continue;
                        }
                    }
                    changed.insert(record.subject.code.as_str().to_owned());
                }
                if plain && said_at.elapsed() >= every {
                    said_at = std::time::Instant::now();
                    eprintln!(
                        "{name}: {} rows stored so far, {}% of the file read",
                        tally.created + tally.new_versions + tally.unchanged,
                        (bar.position() * 100).checked_div(len).unwrap_or(100)
                    );
                }
            }
            // Nothing more is stored, but every bad row is still named.
            Item::Valid(chunk, lines) => {
                for (_, bad) in &unattached(&**store, catalogue, &chunk, &lines).await? {
                    tally.bad += 1;
                    report_bad(&bar, &name, bad, rejects.as_deref_mut())?;
                }
            }
            Item::Bad(bad) => {
                tally.bad += 1;
                report_bad(&bar, &name, &bad, rejects.as_deref_mut())?;
                // All or nothing: after the first bad row only validation goes on, for the report.
                storing = args.partial;
            }
        }
    }
    bar.finish_and_clear();
    let produced = producer.await.context("the reading thread failed")?;
    let rows = match produced {
        Ok(rows) => rows,
        Err(e) => {
            session.rollback().await?;
            eprintln!("{name}: not imported: {e:#}");
            return Ok(false);
        }
    };
    tally.rows = rows;
    if tally.bad > 0 && !args.partial {
        session.rollback().await?;
        // The department's rejection rate counts the rows it got wrong.
        store
            .count_submission(&department.code, today, 0, tally.bad)
            .await?;
        eprintln!(
            "{name}: {} of {} rows are bad; nothing from this file was stored",
            tally.bad, tally.rows
        );
        return Ok(false);
    }
    session.commit().await?;
    touched.append(&mut changed);
    store
        .count_submission(&department.code, today, rows - tally.bad, tally.bad)
        .await?;
    eprintln!(
        "{name}: {} rows: {} created, {} new versions, {} unchanged, {} rejected",
        tally.rows, tally.created, tally.new_versions, tally.unchanged, tally.bad
    );
    Ok(true)
}

/// Prints a bad row's problems (naming row and field) and adds it to the rejects report.
fn report_bad(
    bar: &ProgressBar,
    name: &str,
    bad: &BadRow,
    rejects: Option<&mut BufWriter<File>>,
) -> Result<()> {
    bar.suspend(|| {
        for e in &bad.errors {
            let field = if e.field.is_empty() {
                "record"
            } else {
                &e.field
            };
            eprintln!("{name}: row {}: {field}: {}", bad.row, e.message);
        }
    });
    if let Some(r) = rejects {
        let line = json!({"file": name, "row": bad.row, "errors": bad.errors, "input": bad.input});
        serde_json::to_writer(&mut *r, &line)?;
        r.write_all(b"\n")?;
    }
    Ok(())
}

/// The records of `chunk` (with their `lines`) of a category with professions that attach
/// to no role their subject holds (`role::attach`), by index in the chunk.
async fn unattached(
    store: &dyn Store,
    catalogue: &Catalogue,
    chunk: &[ValidRecord],
    lines: &[u64],
) -> Result<Vec<(usize, BadRow)>> {
    let mut bad = Vec::new();
    for (index, (record, line)) in chunk.iter().zip(lines).enumerate() {
        let Some(category) = catalogue.category(&record.category) else {
            continue;
        };
        if category.professions.is_empty() {
            continue;
        }
        let roles = store.roles_of_person(record.subject.code.as_str()).await?;
        if let Err(e) = xinyong_domain::role::attach(record, category, &roles) {
            // The row as read is gone by now; the report keeps what identifies it, never the
            // person's number.
            let input = json!({
                "category": record.category,
                "document_no": record.document_no,
                "decided_on": record.decided_on,
                "fields": record.fields,
            });
            bad.push((
                index,
                BadRow {
                    row: *line,
                    errors: vec![e],
                    input,
                },
            ));
        }
    }
    Ok(bad)
}

struct Rows<'a> {
    catalogue: &'a Catalogue,
    department: &'a Department,
    today: NaiveDate,
    tx: mpsc::Sender<Item>,
    chunk: Vec<ValidRecord>,
    lines: Vec<u64>,
    rows: u64,
}

impl Rows<'_> {
    fn flush(&mut self) {
        if !self.chunk.is_empty() {
            let chunk = std::mem::replace(&mut self.chunk, Vec::with_capacity(CHUNK));
            let lines = std::mem::replace(&mut self.lines, Vec::with_capacity(CHUNK));
            // A closed channel means the storing side gave up; it reports why.
            let _ = self.tx.blocking_send(Item::Valid(chunk, lines));
        }
    }

    fn accept(&mut self, row: u64, raw: RawRecord, input: impl FnOnce() -> Value) {
        self.rows += 1;
        let result = self.check(&raw);
        match result {
            Ok(valid) => {
                self.chunk.push(valid);
                self.lines.push(row);
                if self.chunk.len() >= CHUNK {
                    self.flush();
                }
            }
            Err(errors) => self.reject(row, errors, input()),
        }
    }

    fn reject(&mut self, row: u64, errors: Vec<FieldError>, input: Value) {
        let _ = self
            .tx
            .blocking_send(Item::Bad(BadRow { row, errors, input }));
    }

    fn check(&self, raw: &RawRecord) -> Result<ValidRecord, Vec<FieldError>> {
        if let Some((key, category)) = raw.core.get(&CoreAttribute::Category) {
            let category = category.trim();
            if self.catalogue.category(category).is_some() && !self.department.may_submit(category)
            {
                return Err(vec![FieldError::new(
                    key.as_str(),
                    format!(
                        "department {} may not submit category {category}",
                        self.department.code
                    ),
                )]);
            }
        }
        self.catalogue.validate(raw, self.today)
    }
}
