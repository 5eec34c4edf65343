//! `xinyong evaluate` and `xinyong inspections draw` through the binary (issue #13): every
//! graded subject is graded once per run, a draw with the same seed on the same data prints
//! the same list, and both are in the audit log that `ledger verify` passes.

use std::process::Output;

use crate::common::xinyong;

fn run(dir: &std::path::Path, args: &[&str]) -> Output {
    xinyong(dir).args(args).output().unwrap()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn evaluate_grades_every_organisation_and_a_draw_is_reproducible_from_its_seed() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    let demo = run(dir, &["demo", "--subjects", "400", "--seed", "3"]);
    assert!(demo.status.success(), "{}", stderr(&demo));
    let eval = run(dir, &["evaluate", "--date", "2026-12-01"]);
    assert!(eval.status.success(), "{}", stderr(&eval));
    let said = stderr(&eval);
    assert!(said.contains("enterprise_general 2026.12.1"), "{said}");
    assert!(said.contains("as of 2026-12-01"), "{said}");
    // Natural persons are never graded by the shipped models: fewer graded than subjects.
    let graded: u64 = said
        .lines()
        .last()
        .and_then(|l| l.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .unwrap();
    assert!(graded > 300 && graded < 400, "{said}");

    let department = String::from_utf8(run(dir, &["department", "list"]).stdout).unwrap();
    let department = department.split('\t').next().unwrap().trim().to_owned();
    let draw = |seed: &str| {
        let out = run(
            dir,
            &[
                "inspections",
                "draw",
                "--department",
                &department,
                "--count",
                "10",
                "--seed",
                seed,
                "--population",
                "kind=legal_person",
            ],
        );
        assert!(out.status.success(), "{}", stderr(&out));
        String::from_utf8(out.stdout).unwrap()
    };
    let first = draw("2026");
    assert_eq!(first.lines().count(), 10, "{first}");
    assert_eq!(draw("2026"), first, "same seed, same data: same list");
    assert_ne!(draw("2027"), first);

    let bad = run(
        dir,
        &[
            "inspections",
            "draw",
            "--department",
            &department,
            "--count",
            "1",
            "--seed",
            "1",
            "--population",
            "colour=red",
        ],
    );
    assert!(!bad.status.success());
    assert!(stderr(&bad).contains("colour"), "{}", stderr(&bad));

    // An import re-grades the subjects it changed, as a write through the API does.
    let company = first.lines().next().unwrap();
    let record = serde_json::json!({
        "category": "admin_penalty",
        "subject": {"code": company, "name": "示例有限公司", "kind": "legal_person"},
        "document_no": "深市监罚〔2026〕9999号", "decided_on": "2026-11-20",
        "legal_basis": "《中华人民共和国行政处罚法》第二十八条", "tier": "serious",
        "fields": {"facts": "未按规定公示年度报告", "penalty_kind": "罚款",
                   "content": "罚款人民币十万元", "authority": "深圳市市场监督管理局"}
    });
    std::fs::write(dir.join("p.jsonl"), format!("{record}\n")).unwrap();
    let import = run(
        dir,
        &[
            "import",
            "--department",
            &department,
            dir.join("p.jsonl").to_str().unwrap(),
        ],
    );
    assert!(import.status.success(), "{}", stderr(&import));
    assert!(
        stderr(&import).contains("grades of 1 subjects updated"),
        "{}",
        stderr(&import)
    );

    let verify = run(dir, &["ledger", "verify"]);
    assert!(verify.status.success(), "{}", stderr(&verify));
}

#[test]
fn a_backup_restores_into_a_database_that_passes_ledger_verify() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    let demo = run(dir, &["demo", "--subjects", "200"]);
    assert!(demo.status.success(), "{}", stderr(&demo));
    let backup = dir.join("backup.db");
    let out = run(dir, &["backup", "--to", backup.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let again = run(dir, &["backup", "--to", backup.to_str().unwrap()]);
    assert!(!again.status.success(), "never overwrites");
    assert!(stderr(&again).contains("exists"), "{}", stderr(&again));

    // Restored: the copy in a fresh directory with the key file, verified.
    let restored = tempfile::tempdir().unwrap();
    std::fs::copy(&backup, restored.path().join("x.db")).unwrap();
    std::fs::copy(
        dir.join("xinyong-data.key"),
        restored.path().join("xinyong-data.key"),
    )
    .unwrap();
    let verify = run(restored.path(), &["ledger", "verify"]);
    assert!(verify.status.success(), "{}", stderr(&verify));
    let said = String::from_utf8_lossy(&verify.stdout);
    assert!(said.starts_with("ok:"), "{said}");
}
