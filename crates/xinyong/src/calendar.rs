//! `xinyong calendar`: working days answered from the calendar in force (the shipped one, or
//! `--calendar FILE`), never from a weekday guess.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use chrono::NaiveDate;
use clap::Subcommand;
use xinyong_domain::calendar::WorkingCalendar;

#[derive(Subcommand, Debug)]
pub enum CalendarCommand {
    /// Prints `yes` or `no`; an error for a year the calendar does not hold.
    IsWorkingDay { date: NaiveDate },
    /// Prints the date N working days after DATE (DATE itself not counted).
    Add { date: NaiveDate, n: u32 },
    /// Prints the years the calendar holds and its SHA-256 digest.
    Status,
}

/// The calendar in force: `path`, or the shipped one.
pub fn load(path: Option<&PathBuf>) -> Result<WorkingCalendar> {
    match path {
        None => Ok(WorkingCalendar::shipped()),
        Some(p) => {
            let text = std::fs::read_to_string(p)
                .with_context(|| format!("reading calendar {}", p.display()))?;
            WorkingCalendar::from_toml_str(&text)
                .with_context(|| format!("calendar {}", p.display()))
        }
    }
}

/// Records in the audit log which calendar this process computes deadlines from (its file's
/// digest and years), so that any deadline can be recomputed later from the same data.
pub async fn log(
    store: &dyn xinyong_store::Store,
    calendar: &WorkingCalendar,
    actor: &str,
) -> Result<()> {
    let years: Vec<i32> = calendar.years().collect();
    let event = xinyong_store::ledger::LedgerEvent::new(
        xinyong_store::ledger::Event::CalendarLoaded {
            digest: calendar.digest(),
            years: &years,
        },
        actor,
    );
    store
        .append_events(&[event])
        .await
        .context("logging the calendar in force")?;
    Ok(())
}

pub fn run(calendar: &WorkingCalendar, command: CalendarCommand) -> Result<ExitCode> {
    match command {
        CalendarCommand::IsWorkingDay { date } => {
            let yes = calendar.is_working_day(date)?;
            println!("{}", if yes { "yes" } else { "no" });
        }
        CalendarCommand::Add { date, n } => println!("{}", calendar.add_working_days(date, n)?),
        CalendarCommand::Status => {
            let years: Vec<String> = calendar.years().map(|y| y.to_string()).collect();
            println!("years\t{}", years.join(", "));
            println!("sha256\t{}", calendar.digest());
        }
    }
    Ok(ExitCode::SUCCESS)
}
