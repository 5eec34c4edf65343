//! `xinyong evaluate` (re-grade every subject, streaming, with a progress bar) and
//! `xinyong inspections draw` (a reproducible risk-weighted inspection draw).

use std::io::{IsTerminal, Write};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{Context, Result, bail};
use chrono::NaiveDate;
use clap::{Args, Subcommand};
use xinyong_domain::Catalogue;
use xinyong_domain::grading::Model;
use xinyong_domain::inspection::Population;
use xinyong_domain::list::ListTypes;
use xinyong_store::Store;

/// `xinyong evaluate`.
#[derive(Args)]
pub struct EvaluateArgs {
    /// Grade as on this date (YYYY-MM-DD; default today in China): the same data, date and
    /// model versions give the same grades.
    #[arg(long)]
    pub date: Option<NaiveDate>,
}

/// `xinyong inspections ...`.
#[derive(Subcommand)]
pub enum InspectionsCommand {
    /// Draw subjects for inspection, weighted by their grades' supervision tiers; prints one
    /// credit code per line and keeps the draw (seed, population digest, list) in the audit log.
    Draw {
        /// The department that draws (its code).
        #[arg(long)]
        department: String,
        /// How many subjects to draw.
        #[arg(long)]
        count: u64,
        /// Any number; publish it with the list so that anyone can re-run the draw.
        #[arg(long)]
        seed: u64,
        /// `kind=legal_person,region=4403,grade=poor` (each part optional): which graded
        /// subjects may be drawn. Default: every graded subject.
        #[arg(long, default_value = "")]
        population: String,
    },
}

/// The shipped grading models, checked against `catalogue`.
pub fn models(catalogue: &Catalogue) -> Result<Vec<Model>> {
    Model::shipped(catalogue, &ListTypes::shipped()).context("loading the grading models")
}

/// Grades every subject today, saying only how many: `serve --demo` before it serves.
pub async fn evaluate_quietly(store: &dyn Store, catalogue: &Catalogue) -> Result<NaiveDate> {
    let today = xinyong_web::china_today();
    let done =
        xinyong_web::grading::evaluate_all(store, &models(catalogue)?, catalogue, today, |_| {})
            .await
            .context("grading the demo data")?;
    eprintln!("{} subjects graded", done.total());
    Ok(today)
}

/// Re-grades every subject that a model grades.
pub async fn evaluate(
    store: &dyn Store,
    catalogue: &Catalogue,
    args: EvaluateArgs,
) -> Result<ExitCode> {
    let models = models(catalogue)?;
    let today = args.date.unwrap_or_else(xinyong_web::china_today);
    let total = store.counts().await?.subjects;
    let bar = indicatif::ProgressBar::new(total);
    if let Ok(style) = indicatif::ProgressStyle::with_template(
        "{spinner} grading {bar:40} {pos}/{len} subjects ({per_sec}, {eta})",
    ) {
        bar.set_style(style);
    }
    let plain = !std::io::stderr().is_terminal();
    if plain {
        bar.set_draw_target(indicatif::ProgressDrawTarget::hidden());
    }
    let started = Instant::now();
    let mut said = Instant::now();
    let done = xinyong_web::grading::evaluate_all(store, &models, catalogue, today, |n| {
        bar.set_position(n);
        // Without a terminal (a log, a cron job) a plain line every few seconds.
        if plain && said.elapsed().as_secs() >= 5 {
            eprintln!("graded {n} subjects");
            said = Instant::now();
        }
    })
    .await
    .context("evaluating")?;
    bar.finish_and_clear();
    for (id, version, n) in &done.by_model {
        let digest = models
            .iter()
            .find(|m| &m.id == id)
            .map_or("", |m| &m.digest[..16]);
        eprintln!("{id} {version} (sha256 {digest}…): {n} subjects graded");
    }
    let secs = started.elapsed().as_secs_f64();
    eprintln!(
        "{} subjects graded as of {today} in {secs:.1} s; every batch is in the audit log (grades.stored)",
        done.total()
    );
    Ok(ExitCode::SUCCESS)
}

pub async fn inspections(
    store: &dyn Store,
    catalogue: &Catalogue,
    command: InspectionsCommand,
) -> Result<ExitCode> {
    match command {
        InspectionsCommand::Draw {
            department,
            count,
            seed,
            population,
        } => {
            if store.department(&department).await?.is_none() {
                bail!(
                    "--department {department}: no such department (see `xinyong department list`)"
                );
            }
            if !(1..=xinyong_web::inspections::MAX_DRAW).contains(&count) {
                bail!(
                    "--count {count}: must be 1 to {}",
                    xinyong_web::inspections::MAX_DRAW
                );
            }
            let population = Population::parse(&population)
                .with_context(|| format!("--population {population:?}"))?;
            let models = models(catalogue)?;
            let kept = xinyong_web::inspections::make_draw(
                store,
                &models,
                &department,
                count,
                seed,
                population,
            )
            .await?;
            if kept.population_size == 0 {
                eprintln!("no graded subject in the population: run `xinyong evaluate` first");
            }
            let mut out = std::io::stdout().lock();
            for code in &kept.drawn {
                writeln!(out, "{code}")?;
            }
            eprintln!(
                "draw {}: {} of {} subjects, seed {}, population {:?} (sha256 {}); kept in the audit log (inspection.drawn)",
                kept.id,
                kept.drawn.len(),
                kept.population_size,
                kept.seed,
                kept.population.to_string(),
                kept.population_digest
            );
            Ok(ExitCode::SUCCESS)
        }
    }
}
