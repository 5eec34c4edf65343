//! `xinyong demo` and `serve --demo`: the synthetic data set, stored through the same
//! validation and storage path as a department's upload.

use std::collections::BTreeMap;
use std::io::{BufWriter, Write};
use std::path::Path;

use anyhow::{Context, Result, anyhow};
use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};
use xinyong_domain::synthetic::Synthetic;
use xinyong_domain::{Catalogue, Department, ValidRecord};
use xinyong_store::Store;

#[derive(Args, Clone, Debug)]
pub struct DemoSize {
    /// Number of synthetic subjects (1,000,000 works; expect about 2.5 records each).
    #[arg(long, default_value_t = 2000)]
    pub subjects: u64,
    /// Seed: the same seed gives the same data set.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Draw each subject's records this many times (about 2.5 records a subject each; 4 with
    /// --subjects 1000000 makes about 10,000,000 records).
    #[arg(long, default_value_t = 1)]
    pub record_rounds: u32,
}

impl DemoSize {
    /// `subjects` subjects of `seed`, with one round of records.
    pub fn new(subjects: u64, seed: u64) -> DemoSize {
        DemoSize {
            subjects,
            seed,
            record_rounds: 1,
        }
    }
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
    let mut synthetic = Synthetic::new(catalogue, size.seed, today).with_rounds(size.record_rounds);
    for d in synthetic.departments() {
        store.put_department(d).await?;
    }
    let bar = progress(size.subjects, "demo subjects");
    let mut session = store.begin_import().await?;
    let mut buffers: BTreeMap<String, Vec<ValidRecord>> = BTreeMap::new();
    let mut records = 0u64;
    // People in roles are registered once the records are in (a role is its own write,
    // which must not wait on the import's open transaction).
    let mut roles = Vec::new();
    for _ in 0..size.subjects {
        let subject = synthetic.next_subject();
        roles.extend(subject.roles);
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
    let departments: BTreeMap<String, Department> = synthetic
        .departments()
        .iter()
        .map(|d| (d.code.clone(), d.clone()))
        .collect();
    let mut checked = Vec::with_capacity(roles.len());
    for (dept, registration) in &roles {
        let department = departments
            .get(dept)
            .ok_or_else(|| anyhow!("synthetic role of an unknown department (a bug)"))?;
        checked.push(
            registration
                .check(catalogue, department, xinyong_store::new_id(), today)
                .map_err(|e| anyhow!("synthetic role failed its checks (a bug): {e:?}"))?,
        );
    }
    if let Err(refusal) = store.register_roles(&checked).await? {
        anyhow::bail!("synthetic role refused (a bug): {refusal:?}");
    }
    eprintln!(
        "demo data: {} subjects, {records} records, {} people in roles, from {} departments (seed {})",
        size.subjects,
        roles.len(),
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

/// Whether a synthetic record is of a category with professions: such a record is imported
/// only once its subject's role is registered, so files meant for `xinyong import` (and the
/// import benchmark) leave them out.
pub fn attaches_to_a_role(catalogue: &Catalogue, raw: &xinyong_domain::RawRecord) -> bool {
    raw.core
        .get(&xinyong_domain::catalogue::CoreAttribute::Category)
        .and_then(|(_, c)| catalogue.category(c.trim()))
        .is_some_and(|c| !c.professions.is_empty())
}

/// Writes the demo records as JSONL (the API's record shape), e.g. to benchmark imports,
/// without the professional records (see [`attaches_to_a_role`]).
pub fn write_jsonl(catalogue: &Catalogue, size: &DemoSize, path: &Path) -> Result<u64> {
    let file =
        std::fs::File::create(path).with_context(|| format!("creating {}", path.display()))?;
    let mut out = BufWriter::new(file);
    let mut synthetic = Synthetic::new(catalogue, size.seed, xinyong_web::china_today())
        .with_rounds(size.record_rounds);
    let mut n = 0;
    for _ in 0..size.subjects {
        for (_, raw) in synthetic.next_subject().records {
            if attaches_to_a_role(catalogue, &raw) {
                continue;
            }
            serde_json::to_writer(&mut out, &raw.to_json())?;
            out.write_all(b"\n")?;
            n += 1;
        }
    }
    out.flush()?;
    eprintln!("wrote {n} records to {}", path.display());
    Ok(n)
}

/// The service body the demo's credit service token is registered as.
const DEMO_SERVICE: &str = "演示征信有限公司";

/// On a demo database without tokens, issues one token of each role and prints them with a
/// first request each, so that a newcomer reaches every part of the API at once (issue #16:
/// `--demo` printed no token). The database keeps only their hashes: they are shown once.
pub async fn issue_tokens(store: &dyn Store, addr: &std::net::SocketAddr) -> Result<()> {
    if !store.tokens().await?.is_empty() {
        eprintln!("demo tokens: the database already holds tokens (see `xinyong token list`)");
        return Ok(());
    }
    let departments = store.departments().await?;
    let department = departments
        .first()
        .context("the demo database has no department")?;
    let subjects = store.subjects_page(None, 100).await?;
    let subject = subjects
        .iter()
        .find(|s| s.kind != xinyong_domain::SubjectKind::NaturalPerson)
        .context("the demo database has no organisation")?;
    let issue = |role, department: Option<String>, subject: Option<String>, label: &str| {
        crate::issue_token(store, role, department, subject, label.to_owned(), None)
    };
    use xinyong_store::Role;
    let operator = issue(Role::Operator, None, None, "demo operator").await?;
    let dept = issue(
        Role::Department,
        Some(department.code.clone()),
        None,
        "demo department",
    )
    .await?;
    let service = issue(Role::Service, None, None, DEMO_SERVICE).await?;
    let own = issue(
        Role::Subject,
        None,
        Some(subject.code.to_string()),
        "demo subject",
    )
    .await?;
    let base = format!("http://{addr}");
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "Demo tokens (shown once; the database keeps only their hashes):\n\
         \x20 OPERATOR={operator}\n\
         \x20 TOKEN={dept}      # department {} ({})\n\
         \x20 SERVICE={service}    # credit service \"{DEMO_SERVICE}\"\n\
         \x20 SELF={own}       # subject {} ({})\n\
         Try:\n\
         \x20 curl -s {base}/api/v1/subjects/{}\n\
         \x20 curl -s -H \"Authorization: Bearer $SELF\" {base}/api/v1/me/records\n\
         \x20 curl -s -H \"Authorization: Bearer $TOKEN\" -H 'Content-Type: application/json' \\\n\
         \x20      -d '{{\"subject\": \"{}\", \"context\": \"government_procurement\"}}' {base}/api/v1/checks\n\
         In a browser:\n\
         \x20 {base}/console   # sign in with TOKEN (a department clerk) or OPERATOR\n\
         \x20 {base}/me        # sign in with SELF (the subject's own file)",
        department.code, department.name, subject.code, subject.name, subject.code, subject.code,
    )?;
    Ok(())
}
