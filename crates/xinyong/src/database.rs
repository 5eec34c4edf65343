//! Opening the database a command names, with the keys that seal its personal data.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context, Result};
use xinyong_store::Store;

/// The file a `sqlite://PATH` URL names, if it does not exist yet (opening will create it).
fn new_sqlite_file(db: &str) -> Option<PathBuf> {
    let path = db.strip_prefix("sqlite://")?;
    let path = path.split('?').next().unwrap_or(path);
    if path.is_empty() || path.starts_with(':') {
        return None;
    }
    let path = Path::new(path);
    (!path.exists()).then(|| path.to_path_buf())
}

/// Opens the database with the data keys of `--data-key`.
/// A database written before encryption at rest gets its clear values sealed first, once.
pub async fn open_keyed(
    db: &str,
    data_key: &std::path::Path,
    restricted: &[String],
) -> Result<(Arc<dyn Store>, Arc<xinyong_store::vault::Vault>)> {
    let created = new_sqlite_file(db);
    let vault = crate::keys::load(data_key)?;
    let store = xinyong_store::open_with(db, vault.clone())
        .await
        .with_context(|| format!("opening database {db}"))?;
    crate::keys::save_new(&vault, data_key)?;
    if let Some(path) = created {
        // A command run from another directory than the server's makes a database of its own
        // there (issue #16: a token created so never worked): say so, where it is.
        eprintln!(
            "note: created a new, empty database {} (it did not exist). A server running \
             elsewhere keeps its own: to act on it, run commands in the server's directory or \
             pass its --db and --data-key.",
            path.display()
        );
    }
    if store.has_clear_values().await? {
        eprintln!(
            "sealing identity numbers and restricted fields that an earlier version stored in clear..."
        );
        let n = store
            .reseal(restricted, 1000)
            .await
            .context("sealing values stored in clear")?;
        // Freed pages would still hold the clear copies.
        store.compact().await.context("compacting the database")?;
        eprintln!("{n} rows sealed; the database was compacted so that no clear copy remains");
    }
    Ok((store, vault))
}
