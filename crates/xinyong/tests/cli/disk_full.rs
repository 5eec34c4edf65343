//! Issue #15: a full disk. The database lives on a small tmpfs; once it is full, an import and
//! API writes fail with an error naming the cause, nothing is half-stored, the server keeps
//! serving reads, and after space is freed writes resume without a restart; `ledger verify`
//! and SQLite's `integrity_check` pass afterwards.
//!
//! Mounting a tmpfs needs root (as in CI, where `.ci/run` sets `XINYONG_REQUIRE_DISK_FULL=1`
//! so that the test cannot skip itself); elsewhere it says it skipped.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::{Value, json};

use crate::commands::{COMPANY, DEPT, stderr};
use crate::harness::Server;

/// A tmpfs mounted for the test, unmounted when dropped.
struct SmallDisk {
    path: PathBuf,
    _dir: tempfile::TempDir,
}

impl SmallDisk {
    fn mount(megabytes: u32) -> Option<SmallDisk> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("disk");
        std::fs::create_dir(&path).unwrap();
        let mounted = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={megabytes}m"), "tmpfs"])
            .arg(&path)
            .output()
            .is_ok_and(|o| o.status.success());
        mounted.then_some(SmallDisk { path, _dir: dir })
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(&self.path).status();
    }
}

/// Fills the disk with one file, to the last byte it takes.
fn fill(path: &Path) -> PathBuf {
    let filler = path.join("filler");
    let mut file = std::fs::File::create(&filler).unwrap();
    for chunk in [1 << 20, 4096, 512, 1] {
        let bytes = vec![0u8; chunk];
        while file.write_all(&bytes).is_ok() && file.sync_all().is_ok() {}
    }
    filler
}

fn penalty(doc: &str) -> Value {
    crate::harness::penalty(doc, &"发布虚假广告".repeat(60))
}

fn batch(tag: &str, n: usize) -> Value {
    json!({"records": (0..n).map(|i| penalty(&format!("{tag}-{i}"))).collect::<Vec<_>>()})
}

#[test]
fn disk_full_fails_writes_clearly_keeps_reads_and_recovers_without_a_restart() {
    let Some(disk) = SmallDisk::mount(24) else {
        assert!(
            std::env::var_os("XINYONG_REQUIRE_DISK_FULL").is_none(),
            "XINYONG_REQUIRE_DISK_FULL is set, but a tmpfs cannot be mounted here"
        );
        eprintln!("skipped: mounting a tmpfs needs root");
        return;
    };
    let dir = disk.path.clone();
    let run = |args: &[&str]| crate::common::xinyong(&dir).args(args).output().unwrap();
    let out = run(&[
        "department",
        "add",
        "--code",
        DEPT,
        "--name",
        "深圳市市场监督管理局",
        "--category",
        "admin_penalty",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let out = run(&[
        "token",
        "create",
        "--role",
        "department",
        "--department",
        DEPT,
    ]);
    let token = String::from_utf8(out.stdout).unwrap().trim().to_owned();
    let server =
        Server::spawn(crate::common::xinyong(&dir).args(["serve", "--addr", "127.0.0.1:0"]));
    let (status, body) = server.post("/api/v1/records", Some(&token), &batch("BEFORE", 5));
    assert_eq!(status, 201, "{body}");

    let filler = fill(&dir);
    // An API write: refused whole, naming the cause.
    let (status, body) = server.post("/api/v1/records", Some(&token), &batch("FULL", 1000));
    assert_eq!(status, 507, "{body}");
    let problem: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(problem["code"], "storage_full", "{body}");
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .contains("storage is full")
    );
    // Reads go on.
    let (status, body) = server.get(&format!("/api/v1/subjects/{COMPANY}"), None);
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("BEFORE-0"), "{body}");
    // An import: refused whole, naming the cause.
    let lines: String = (0..1000)
        .map(|i| penalty(&format!("IMPORT-{i}")).to_string() + "\n")
        .collect();
    let file = dir.join("..").join("import.jsonl");
    std::fs::write(&file, lines).unwrap();
    let import = || {
        run(&[
            "import",
            "--department",
            DEPT,
            "--skip-grades",
            file.to_str().unwrap(),
        ])
    };
    let out = import();
    assert!(
        !out.status.success(),
        "an import into a full disk succeeded"
    );
    assert!(stderr(&out).contains("disk is full"), "{}", stderr(&out));

    // Space again: writes resume, no restart.
    std::fs::remove_file(&filler).unwrap();
    let (status, body) = server.post("/api/v1/records", Some(&token), &batch("AFTER", 1000));
    assert_eq!(status, 201, "{body}");
    let out = import();
    assert!(out.status.success(), "{}", stderr(&out));
    server.stop();

    let out = run(&["ledger", "verify"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let db = crate::common::db_url(&dir);
    let (integrity, full_rows): (String, i64) =
        tokio::runtime::Runtime::new()
            .unwrap()
            .block_on(async move {
                let pool = sqlx::SqlitePool::connect(&db).await.unwrap();
                let integrity = sqlx::query_scalar("PRAGMA integrity_check")
                    .fetch_one(&pool)
                    .await
                    .unwrap();
                let full = sqlx::query_scalar(
                    "SELECT count(*) FROM records WHERE document_no LIKE 'FULL-%'",
                )
                .fetch_one(&pool)
                .await
                .unwrap();
                (integrity, full)
            });
    assert_eq!(integrity, "ok");
    assert_eq!(full_rows, 0, "a refused batch left rows");
}
