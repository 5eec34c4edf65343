//! `xinyong operator`: accounts for the people who run the platform. They sign in with a
//! password at `POST /api/v1/sessions` and get an operator token for 8 hours.

use std::io::{BufRead, IsTerminal, Write};
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use clap::Subcommand;
use xinyong_store::{OperatorAccount, Store};

#[derive(Subcommand)]
pub enum OperatorCommand {
    /// Create an account. Reads its password from stdin (one line, at least 12 characters).
    Add { name: String },
    /// List accounts: id, name, created, last session, state (never the password hash).
    List,
    /// Disable an account and revoke every session it opened (servers notice within seconds).
    Disable { name: String },
}

pub async fn run(store: &dyn Store, command: OperatorCommand) -> Result<ExitCode> {
    match command {
        OperatorCommand::Add { name } => add(store, &name).await,
        OperatorCommand::List => list(store).await,
        OperatorCommand::Disable { name } => {
            match store.disable_operator(&name, chrono::Utc::now()).await? {
                Some(sessions) => {
                    eprintln!("operator {name} disabled; {sessions} open sessions revoked");
                    Ok(ExitCode::SUCCESS)
                }
                None => bail!(
                    "operator {name}: no such account, or already disabled (see `xinyong operator list`)"
                ),
            }
        }
    }
}

/// A sign-in name: 1-64 characters, no spaces or control characters.
fn check_name(name: &str) -> Result<()> {
    let chars = name.chars().count();
    if chars == 0 || chars > 64 {
        bail!("operator name {name:?}: 1 to 64 characters, please");
    }
    if name.chars().any(|c| c.is_whitespace() || c.is_control()) {
        bail!("operator name {name:?}: no spaces or control characters");
    }
    Ok(())
}

async fn add(store: &dyn Store, name: &str) -> Result<ExitCode> {
    check_name(name)?;
    if store.operator(name).await?.is_some() {
        bail!("operator {name} already exists (see `xinyong operator list`)");
    }
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        eprint!("password for operator {name} (at least 12 characters; it is shown as typed): ");
        std::io::stderr().flush()?;
    }
    let mut line = String::new();
    stdin
        .lock()
        .read_line(&mut line)
        .context("reading the password from stdin")?;
    let password = line.strip_suffix('\n').unwrap_or(&line);
    let password = password.strip_suffix('\r').unwrap_or(password);
    let hash = xinyong_web::auth::hash_password(password)
        .map_err(|e| anyhow::anyhow!("operator {name}: {e}"))?;
    let added = store
        .put_operator(&OperatorAccount {
            id: xinyong_store::new_id(),
            name: name.to_owned(),
            password_hash: hash,
            created_at: chrono::Utc::now(),
            disabled_at: None,
            last_session_at: None,
        })
        .await?;
    if !added {
        bail!("operator {name} already exists (see `xinyong operator list`)");
    }
    eprintln!("operator {name} added; it signs in with POST /api/v1/sessions");
    Ok(ExitCode::SUCCESS)
}

async fn list(store: &dyn Store) -> Result<ExitCode> {
    let mut out = std::io::stdout().lock();
    writeln!(out, "id\tname\tcreated\tlast session\tstate")?;
    let time = |d: Option<chrono::DateTime<chrono::Utc>>| {
        d.map_or_else(
            || "-".to_owned(),
            |d| d.format("%Y-%m-%d %H:%M").to_string(),
        )
    };
    for o in store.operators().await? {
        writeln!(
            out,
            "{}\t{}\t{}\t{}\t{}",
            o.id,
            o.name,
            time(Some(o.created_at)),
            time(o.last_session_at),
            if o.disabled_at.is_some() {
                "disabled"
            } else {
                "active"
            }
        )?;
    }
    Ok(ExitCode::SUCCESS)
}
