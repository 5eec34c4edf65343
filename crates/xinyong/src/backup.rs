//! `xinyong backup`: a consistent copy of a SQLite database while the platform keeps serving
//! (issue #15). PostgreSQL is backed up with its own tools; the command says how.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use clap::Args;
use xinyong_store::Store;

#[derive(Args)]
pub struct BackupArgs {
    /// The new file to write (it must not exist).
    #[arg(long)]
    pub to: PathBuf,
}

pub async fn run(store: &dyn Store, db: &str, args: BackupArgs) -> Result<ExitCode> {
    if args.to.exists() {
        bail!(
            "--to {}: the file exists; a backup never overwrites one",
            args.to.display()
        );
    }
    let to = args
        .to
        .to_str()
        .with_context(|| format!("--to {}: not a UTF-8 path", args.to.display()))?;
    if !store
        .backup_to(to)
        .await
        .with_context(|| format!("backing up {db} to {to}"))?
    {
        bail!(
            "{db} is a PostgreSQL database: back it up with PostgreSQL's tools, e.g. \
             `pg_dump --format=custom --file=xinyong.dump DBNAME` (restore with `pg_restore`), \
             and keep the data key file with the dump"
        );
    }
    eprintln!(
        "backed up {db} to {to}; keep the data key file with it (the backup opens only with the \
         keys it was sealed with). To restore: stop the server, put the file in the database's \
         place, start, and run `xinyong ledger verify`"
    );
    Ok(ExitCode::SUCCESS)
}
