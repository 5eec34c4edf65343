//! Encryption at rest through the real binary: a demo database's file holds no identity number
//! of a natural person and no restricted field value, and `xinyong keys rotate` re-seals
//! everything under a new key that a fresh process can read.

use std::path::Path;
use std::process::Output;
use std::sync::Arc;

use xinyong_store::SqliteStore;
use xinyong_store::prelude::*;
use xinyong_store::vault::Vault;

fn xinyong(dir: &Path, args: &[&str]) -> Output {
    let out = crate::common::xinyong(dir).args(args).output().unwrap();
    assert!(
        out.status.success(),
        "xinyong {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// Identity numbers of the demo's natural persons and values of its restricted records.
fn demo_secrets(dir: &Path) -> (Vec<String>, Vec<String>) {
    xinyong(
        dir,
        &["demo", "--subjects", "1500", "--jsonl", "demo.jsonl"],
    );
    let catalogue = xinyong_domain::Catalogue::shipped();
    let mut ids = Vec::new();
    let mut values = Vec::new();
    let text = std::fs::read_to_string(dir.join("demo.jsonl")).unwrap();
    // Text the database holds in clear anyway: other records, and department names.
    let mut public = String::from_utf8(out_stderr(dir)).unwrap();
    for line in text.lines() {
        let r: serde_json::Value = serde_json::from_str(line).unwrap();
        let category = catalogue.category(r["category"].as_str().unwrap()).unwrap();
        if category.disclosure != xinyong_domain::catalogue::Disclosure::Restricted {
            public.push_str(line);
        }
    }
    for line in text.lines() {
        let r: serde_json::Value = serde_json::from_str(line).unwrap();
        if r["subject"]["kind"] == "natural_person" {
            ids.push(r["subject"]["code"].as_str().unwrap().to_owned());
        }
        let category = catalogue.category(r["category"].as_str().unwrap()).unwrap();
        if category.disclosure == xinyong_domain::catalogue::Disclosure::Restricted {
            for v in r["fields"].as_object().unwrap().values() {
                if let Some(s) = v
                    .as_str()
                    .filter(|s| s.chars().count() >= 6 && !public.contains(*s))
                {
                    values.push(s.to_owned());
                }
            }
        }
    }
    (ids, values)
}

/// What `demo` prints: among it, the departments' names.
fn out_stderr(dir: &Path) -> Vec<u8> {
    let scratch = dir.join("names");
    std::fs::create_dir_all(&scratch).unwrap();
    xinyong(&scratch, &["demo", "--subjects", "1"]).stderr
}

fn file_bytes(dir: &Path) -> Vec<u8> {
    let mut bytes = std::fs::read(dir.join("x.db")).unwrap();
    for ext in ["db-wal", "db-shm"] {
        if let Ok(more) = std::fs::read(dir.join("x").with_extension(ext)) {
            bytes.extend(more);
        }
    }
    bytes
}

fn contains(hay: &[u8], needle: &str) -> bool {
    hay.windows(needle.len()).any(|w| w == needle.as_bytes())
}

/// Whether `digits` occur other than inside a hex digest (a run of at least 32 hex characters:
/// hashes, pseudonyms and key ids, which are random and hold eight given digits in a row now
/// and then, and cannot carry a birth date).
fn contains_outside_digests(hay: &[u8], digits: &str) -> bool {
    let hex = |b: &u8| b.is_ascii_digit() || (b'a'..=b'f').contains(b);
    hay.windows(digits.len())
        .enumerate()
        .filter(|(_, w)| *w == digits.as_bytes())
        .any(|(at, _)| {
            let before = hay[..at].iter().rev().take_while(|b| hex(b)).count();
            let after = hay[at + digits.len()..]
                .iter()
                .take_while(|b| hex(b))
                .count();
            before + digits.len() + after < 32
        })
}

async fn open(dir: &Path) -> SqliteStore {
    let (vault, created) = Vault::load_or_create(&dir.join("xinyong-data.key")).unwrap();
    assert!(!created, "the binary made the key file");
    let url = format!("sqlite://{}", dir.join("x.db").display());
    SqliteStore::open_with(&url, Arc::new(vault)).await.unwrap()
}

#[tokio::test]
async fn a_demo_database_file_holds_no_identity_number_or_restricted_value() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    let (ids, values) = demo_secrets(dir);
    assert!(
        ids.len() >= 20 && values.len() >= 5,
        "{} {}",
        ids.len(),
        values.len()
    );
    xinyong(dir, &["demo", "--subjects", "1500"]);
    let bytes = file_bytes(dir);
    for id in &ids {
        assert!(!contains(&bytes, id), "identity number {id} is in the file");
        assert!(
            !contains_outside_digests(&bytes, &id[6..14]),
            "birth date of {id} is in the file"
        );
    }
    for v in &values {
        assert!(
            !contains(&bytes, v),
            "restricted value {v:?} is in the file"
        );
    }
    // ... and the platform reads them back in full with the key file.
    let store = open(dir).await;
    assert_eq!(
        store.counts().await.unwrap().subjects,
        1500,
        "`demo --subjects N` makes N subjects"
    );
    let subject = store.subject(&ids[0]).await.unwrap().unwrap();
    assert_eq!(subject.code, ids[0]);
    assert!(!store.records_of_subject(&ids[0]).await.unwrap().is_empty());
}

#[tokio::test]
async fn keys_rotate_reseals_everything_and_the_old_key_can_be_retired() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    let (ids, _) = demo_secrets(dir);
    xinyong(dir, &["demo", "--subjects", "1500"]);
    let status = String::from_utf8(xinyong(dir, &["keys", "status"]).stdout).unwrap();
    assert!(
        status.contains("1\t") && status.contains("seals new values"),
        "{status}"
    );
    xinyong(dir, &["keys", "rotate"]);
    let status = String::from_utf8(xinyong(dir, &["keys", "status"]).stdout).unwrap();
    let lines: Vec<&str> = status.lines().collect();
    assert!(lines[1].starts_with("1\t0\t"), "{status}");
    assert!(
        lines[2].starts_with("2\t") && !lines[2].starts_with("2\t0\t"),
        "{status}"
    );
    xinyong(dir, &["keys", "retire", "1"]);
    let key_file = std::fs::read_to_string(dir.join("xinyong-data.key")).unwrap();
    assert!(!key_file.contains("id = 1\n"), "{key_file}");
    let store = open(dir).await;
    for id in ids.iter().take(10) {
        assert_eq!(store.subject(id).await.unwrap().unwrap().code, *id);
    }
    xinyong_store::ledger::verify(&store, None, |_| {})
        .await
        .unwrap();
    // The newest key cannot be retired.
    let out = crate::common::xinyong(dir)
        .args(["keys", "retire", "2"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("newest"));
}

/// Upgrading a database that an earlier version filled with identity numbers in clear: the
/// first command seals them and compacts the file, so no copy is left in freed pages.
#[tokio::test]
async fn the_first_command_after_an_upgrade_seals_clear_values_and_leaves_no_copy() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    let (ids, _) = demo_secrets(dir);
    xinyong(dir, &["demo", "--subjects", "1500"]);
    let clear = &ids[..5];
    {
        // What a database written before encryption at rest holds.
        let store = open(dir).await;
        let (vault, _) = Vault::load_or_create(&dir.join("xinyong-data.key")).unwrap();
        let pool = store.pool().clone();
        for id in clear {
            let lookup = vault.lookup_code(id);
            for sql in [
                "UPDATE subjects SET code = ?1, code_sealed = NULL WHERE code = ?2",
                "UPDATE records SET subject_code = ?1, subject_sealed = NULL WHERE subject_code = ?2",
            ] {
                sqlx::query(sql)
                    .bind(id)
                    .bind(&lookup)
                    .execute(&pool)
                    .await
                    .unwrap();
            }
        }
        sqlx::query("UPDATE vault_state SET clear_values = 1")
            .execute(&pool)
            .await
            .unwrap();
        sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
            .execute(&pool)
            .await
            .unwrap();
        pool.close().await;
    }
    assert!(clear.iter().all(|id| contains(&file_bytes(dir), id)));

    let out = xinyong(dir, &["migrate"]);
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(said.contains("rows sealed"), "{said}");
    let bytes = file_bytes(dir);
    for id in clear {
        assert!(!contains(&bytes, id), "{id} is still in the file");
    }
    let store = open(dir).await;
    assert_eq!(
        store.subject(&clear[0]).await.unwrap().unwrap().code,
        clear[0]
    );
    assert!(!store.has_clear_values().await.unwrap());
    // Nothing to do the next time.
    let again = xinyong(dir, &["migrate"]);
    assert!(!String::from_utf8_lossy(&again.stderr).contains("sealed"));
}
