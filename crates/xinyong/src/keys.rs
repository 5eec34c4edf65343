//! `xinyong keys ...`: the data keys that seal identity numbers and restricted fields at rest
//! (see `xinyong_store::vault`). Rotation and re-sealing run beside a serving process: each
//! batch is its own short transaction, and the server re-reads the key file when it meets a
//! value sealed under a key it does not hold yet.

use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Context, Result, bail};
use clap::Subcommand;
use xinyong_domain::Catalogue;
use xinyong_domain::catalogue::Disclosure;
use xinyong_store::Store;
use xinyong_store::vault::{Keyring, Vault};

/// Rows re-sealed per transaction.
const BATCH: u32 = 1000;

#[derive(Subcommand, Clone)]
pub enum KeysCommand {
    /// Show the data keys (ids only) and how many stored values each one seals.
    Status,
    /// Add a new data key, seal new values with it, and re-seal every stored value.
    Rotate,
    /// Re-seal every value not sealed under the newest key (and any value stored in clear by a
    /// version before encryption at rest, which every command also does once after upgrading).
    Reseal,
    /// Remove a data key from the key file once no stored value uses it.
    Retire {
        /// The key id (see `xinyong keys status`).
        id: u32,
    },
}

/// Loads the key file, or makes new keys if there is none: [`save_new`] writes them once the
/// database has accepted them (a key file is created only for a new database).
pub fn load(path: &Path) -> Result<Arc<Vault>> {
    let (vault, _) =
        Vault::load_or_generate(path).with_context(|| format!("data keys {}", path.display()))?;
    Ok(Arc::new(vault))
}

/// Writes keys made by [`load`] to their file, saying so, now that a database took them.
pub fn save_new(vault: &Vault, path: &Path) -> Result<()> {
    if vault
        .save_new()
        .with_context(|| format!("writing data keys {}", path.display()))?
    {
        eprintln!(
            "created the data key file {} (keep it secret and back it up apart from the \
             database: without it identity numbers and restricted fields cannot be read)",
            path.display()
        );
    }
    Ok(())
}

/// The categories whose fields are sealed.
pub fn restricted_categories(catalogue: &Catalogue) -> Vec<String> {
    catalogue
        .categories
        .iter()
        .filter(|c| c.disclosure == Disclosure::Restricted)
        .map(|c| c.id.clone())
        .collect()
}

pub async fn run(
    store: Arc<dyn Store>,
    vault: Arc<Vault>,
    catalogue: &Catalogue,
    command: KeysCommand,
) -> Result<ExitCode> {
    let Some(path) = vault.source().map(Path::to_owned) else {
        if matches!(command, KeysCommand::Rotate | KeysCommand::Retire { .. }) {
            bail!(
                "the data keys come from {}: rotate or retire keys in that text and re-seal \
                 with `xinyong keys reseal`",
                xinyong_store::vault::KEYS_ENV
            );
        }
        return report_or_reseal(&*store, &vault, catalogue, command).await;
    };
    match command {
        KeysCommand::Rotate => {
            let mut ring = vault.keyring();
            let id = ring.rotate();
            ring.write(&path)?;
            vault.replace(&ring)?;
            eprintln!(
                "key {id} added to {}: new values are sealed with it",
                path.display()
            );
            reseal(&*store, catalogue).await?;
            eprintln!("older keys can now be retired: `xinyong keys retire ID`");
            Ok(ExitCode::SUCCESS)
        }
        KeysCommand::Retire { id } => {
            let mut ring: Keyring = vault.keyring();
            if !ring.key_ids().contains(&id) {
                bail!(
                    "key {id}: the key file {} holds no such key",
                    path.display()
                );
            }
            if id == ring.active_id() {
                bail!("key {id} is the newest key, which seals new values: rotate first");
            }
            let used = store.count_sealed_with(id).await?;
            if used > 0 {
                bail!("key {id} still seals {used} stored values: run `xinyong keys reseal` first");
            }
            ring.retire(id);
            ring.write(&path)?;
            eprintln!("key {id} removed from {}", path.display());
            Ok(ExitCode::SUCCESS)
        }
        other => report_or_reseal(&*store, &vault, catalogue, other).await,
    }
}

async fn report_or_reseal(
    store: &dyn Store,
    vault: &Vault,
    catalogue: &Catalogue,
    command: KeysCommand,
) -> Result<ExitCode> {
    match command {
        KeysCommand::Reseal => {
            reseal(store, catalogue).await?;
            Ok(ExitCode::SUCCESS)
        }
        _ => {
            let active = vault.active_id();
            println!("key\tvalues\tuse");
            for id in vault.keyring().key_ids() {
                let n = store.count_sealed_with(id).await?;
                let role = if id == active {
                    "seals new values"
                } else {
                    "older"
                };
                println!("{id}\t{n}\t{role}");
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

async fn reseal(store: &dyn Store, catalogue: &Catalogue) -> Result<()> {
    let started = std::time::Instant::now();
    let n = store
        .reseal(&restricted_categories(catalogue), BATCH)
        .await
        .context("re-sealing stored values")?;
    eprintln!(
        "{n} rows re-sealed in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
