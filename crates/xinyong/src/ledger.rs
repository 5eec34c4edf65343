//! `xinyong ledger ...`: the audit log's signing key on disk, signing heads, and the offline
//! verification that recomputes the whole log from the database.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;

use anyhow::{Context, Result, bail};
use clap::Subcommand;
use xinyong_ledger::SigningKey;
use xinyong_store::Store;

#[derive(Subcommand)]
pub enum LedgerCommand {
    /// Recompute the log from the stored entries; check every signed head, every stored tree
    /// node, and every stored record version, token and credit check against it. Exits 1 and
    /// names the first bad entry or row if anything was edited, deleted or reordered.
    Verify,
    /// Sign the current tree head now (the server does this on its own every interval).
    Sign,
}

/// Reads the Ed25519 signing key (32 raw bytes), creating it with owner-only permissions on
/// first use when `create` is set.
pub fn load_key(path: &Path, create: bool) -> Result<SigningKey> {
    match std::fs::read(path) {
        Ok(bytes) => xinyong_ledger::load_or_create_key(Some(&bytes))
            .with_context(|| format!("ledger key {}", path.display())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && create => {
            let key = xinyong_ledger::generate_key().context("creating the ledger key")?;
            write_private(path, &key.to_bytes())
                .with_context(|| format!("writing ledger key {}", path.display()))?;
            eprintln!(
                "created the audit log's signing key {} (keep it safe: it signs the tree heads)",
                path.display()
            );
            Ok(key)
        }
        Err(e) => Err(e).with_context(|| format!("reading ledger key {}", path.display())),
    }
}

#[cfg(unix)]
fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    f.write_all(bytes)
}

#[cfg(not(unix))]
fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    std::fs::write(path, bytes)
}

pub async fn run(
    store: Arc<dyn Store>,
    key_path: &PathBuf,
    command: LedgerCommand,
) -> Result<ExitCode> {
    match command {
        LedgerCommand::Sign => {
            let key = load_key(key_path, true)?;
            let mut state = xinyong_web::AppState::new(store, xinyong_domain::Catalogue::shipped());
            state.ledger_key = Some(Arc::new(key));
            match xinyong_web::ledger::sign_head(&state).await? {
                Some(h) => println!("{}\t{}", h.size, hex::encode(h.root)),
                None => println!("0\t(empty log)"),
            }
            Ok(ExitCode::SUCCESS)
        }
        LedgerCommand::Verify => {
            // Verification needs only the public half; a missing key file skips signatures.
            let key = match std::fs::metadata(key_path) {
                Ok(_) => Some(load_key(key_path, false)?.verifying_key()),
                Err(_) => {
                    eprintln!(
                        "warning: no ledger key at {}: signatures of tree heads are not checked",
                        key_path.display()
                    );
                    None
                }
            };
            let started = Instant::now();
            let size = store.ledger_size().await?;
            let bar = indicatif::ProgressBar::new(size);
            bar.set_style(
                indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} entries {per_sec}")
                    .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
            );
            let report =
                xinyong_store::ledger::verify(&*store, key.as_ref(), |n| bar.set_position(n)).await;
            bar.finish_and_clear();
            match report {
                Ok(r) => {
                    println!(
                        "ok: {} entries, root {}, {} signed heads, {} record versions, {} tokens, {} checks, {} rights cases verified in {:.1} s",
                        r.size,
                        hex::encode(r.root),
                        r.heads_checked,
                        r.record_versions_checked,
                        r.tokens_checked,
                        r.checks_checked,
                        r.cases_checked,
                        started.elapsed().as_secs_f64()
                    );
                    Ok(ExitCode::SUCCESS)
                }
                Err(e) => bail!("audit log verification failed: {e}"),
            }
        }
    }
}
