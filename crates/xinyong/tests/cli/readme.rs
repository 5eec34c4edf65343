//! Every example of the README runs as written against `serve --demo` (issue #16: the first
//! hour). The shell blocks that use the CLI (`$X`, `cargo run --release -- …`) or the API
//! (`curl`) are run, in order, by bash in the server's directory, with `cargo run --release --`
//! meaning the binary under test and `127.0.0.1:8080` the test server's address. Every `curl`
//! must answer 2xx (`--fail-with-body`), every command must succeed (`set -euo pipefail`, so a
//! variable used before the README sets it fails too). Placeholders the README asks the reader
//! to fill in (`RECORD_ID`, `ID=...`, …) are filled from the answers before them, as a reader
//! would; the files the examples name (`penalties.csv`, `records.jsonl`, `receipt.pdf`, `lawyers.csv`) are
//! written first. Blocks that only build, test, benchmark or start servers are left to CI.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The shell blocks of the README that are examples to run.
fn examples(readme: &str) -> Vec<String> {
    let mut blocks = Vec::new();
    let mut current: Option<String> = None;
    for line in readme.lines() {
        match (&mut current, line.trim_start()) {
            (None, l) if l.starts_with("```sh") => current = Some(String::new()),
            (Some(block), "```") => {
                blocks.push(std::mem::take(block));
                current = None;
            }
            (Some(block), _) => {
                block.push_str(line);
                block.push('\n');
            }
            _ => {}
        }
    }
    let left_to_ci = [
        "cargo run --release -- serve",
        "cargo test",
        "cargo build",
        "cargo run --release -- bench",
        "cargo bench",
        "xinyong serve",
    ];
    blocks
        .into_iter()
        .filter(|b| b.contains("curl ") || b.contains("$X") || b.contains("cargo run"))
        .filter(|b| {
            !b.lines()
                .any(|l| left_to_ci.iter().any(|s| l.trim_start().starts_with(s)))
        })
        .collect()
}

/// What the script does around the README's lines: `curl` that fails on an error status,
/// fills in the README's placeholders and remembers the ids it was answered.
const PRELUDE: &str = r#"set -euo pipefail
LAST=$(mktemp)
RECORD_ID= ATTACHMENT_ID= OBJECTION_ID= REPAIR_ID= GRANT_ID= ROLE_ID=
first_id() { grep -o '"id":"[^"]*"' "$LAST" | head -1 | sed 's/"id":"//; s/"$//'; }
curl() {
  local args=() url="" post=""
  for a in "$@"; do
    a=${a//RECORD_ID/$RECORD_ID}; a=${a//ATTACHMENT_ID/$ATTACHMENT_ID}
    a=${a//OBJECTION_ID/$OBJECTION_ID}; a=${a//REPAIR_ID/$REPAIR_ID}; a=${a//GRANT_ID/$GRANT_ID}
    a=${a//ROLE_ID/$ROLE_ID}
    case "$a" in http://*) url=$a ;; POST|-d|--data-binary) post=1 ;; esac
    args+=("$a")
  done
  echo "+ curl ${args[*]}" | cut -c1-200 >&2
  command curl -sS --fail-with-body "${args[@]}" > "$LAST" || { cat "$LAST" >&2; return 1; }
  head -c 300 "$LAST"; echo
  local path=${url%%\?*}
  if [ -n "$post" ]; then
    case "$path" in
      */api/v1/records) [ -n "$RECORD_ID" ] || RECORD_ID=$(grep -o '"ids":\["[^"]*"' "$LAST" | sed 's/.*\["//; s/"$//') ;;
      */api/v1/me/attachments) ATTACHMENT_ID=$(first_id) ;;
      */api/v1/objections) OBJECTION_ID=$(first_id) ;;
      */api/v1/repairs) REPAIR_ID=$(first_id) ;;
      */api/v1/me/grants) GRANT_ID=$(first_id) ;;
      */api/v1/roles) ROLE_ID=$(first_id) ;;
    esac
  fi
}
"#;

#[test]
fn every_readme_example_runs_as_written_against_the_demo() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../README.md")).unwrap();
    let blocks = examples(&readme);
    assert!(blocks.len() >= 6, "the README's examples: {blocks:#?}");

    let dir = tempfile::tempdir().unwrap();
    let bin = env!("CARGO_BIN_EXE_xinyong");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let addr = format!("127.0.0.1:{port}");
    // The reader's defaults: xinyong.db and its key files in the directory commands run in.
    let mut server = Command::new(bin)
        .args(["serve", "--demo", "--addr", &addr])
        .env_remove("XINYONG_DB")
        .env_remove("XINYONG_CATALOGUE")
        .env_remove("XINYONG_DATA_KEYRING")
        .current_dir(dir.path())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = server.stderr.take().unwrap();
    let log = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
    let sink = log.clone();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            sink.lock().unwrap().push_str(&(line + "\n"));
        }
    });
    let started = Instant::now();
    while std::net::TcpStream::connect(&addr).is_err() {
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "the demo server did not come up: {}",
            log.lock().unwrap()
        );
        std::thread::sleep(Duration::from_millis(200));
    }

    // The files the examples name.
    let csv = "统一社会信用代码,行政相对人名称,行政处罚决定书文号,处罚决定日期,处罚依据,失信严重程度,违法事实,处罚类别,处罚内容,处罚机关\n\
               91440300708461136T,深圳市示例贸易有限公司,深市监罚〔2026〕7号,2026-05-06,《中华人民共和国广告法》第五十五条,general,发布虚假广告,罚款,罚款人民币二万元,深圳市市场监督管理局\n";
    std::fs::write(dir.path().join("penalties.csv"), csv).unwrap();
    let jsonl = "{\"category\": \"admin_license\", \"subject\": {\"code\": \"91440300708461136T\", \"name\": \"深圳市示例贸易有限公司\", \"kind\": \"legal_person\"}, \"document_no\": \"深市监许〔2026〕3号\", \"decided_on\": \"2026-04-01\", \"legal_basis\": \"《中华人民共和国行政许可法》第三十八条\", \"fields\": {\"license_category\": \"普通\", \"content\": \"食品经营许可（预包装食品销售）\", \"valid_from\": \"2026-04-01\", \"authority\": \"深圳市市场监督管理局\"}}\n\
                 {\"category\": \"admin_license\", \"subject\": {\"code\": \"91440300708461136X\", \"name\": \"校验位错误\", \"kind\": \"legal_person\"}}\n";
    std::fs::write(dir.path().join("records.jsonl"), jsonl).unwrap();
    std::fs::write(dir.path().join("receipt.pdf"), b"%PDF-1.4\n%%EOF\n").unwrap();
    let lawyers = "身份证号码,姓名,执业机构统一社会信用代码,职业,执业证号,执业起始日期\n\
                   11010519491231002X,李律师,31440300MD0123454X,律师,14403201610000001,2016-01-01\n";
    std::fs::write(dir.path().join("lawyers.csv"), lawyers).unwrap();

    let mut script = String::from(PRELUDE);
    for block in &blocks {
        let block = block
            .replace("X=\"cargo run --release --\"", &format!("X=\"{bin}\""))
            .replace("cargo run --release --", bin)
            .replace("127.0.0.1:8080", &addr)
            .replace("ID=...", "ID=$(first_id)");
        script.push_str(&block);
        script.push('\n');
    }
    let out = Command::new("bash")
        .arg("-c")
        .arg(&script)
        .env_remove("XINYONG_DB")
        .env_remove("XINYONG_CATALOGUE")
        .env_remove("XINYONG_DATA_KEYRING")
        .current_dir(dir.path())
        .output()
        .unwrap();
    let _ = server.kill();
    let _ = server.wait();
    let tail = |bytes: &[u8]| {
        let text = String::from_utf8_lossy(bytes).into_owned();
        let start = text.char_indices().rev().nth(4000).map_or(0, |(i, _)| i);
        text[start..].to_owned()
    };
    assert!(
        out.status.success(),
        "a README example failed:\n--- stderr (end)\n{}\n--- stdout (end)\n{}\n--- server (end)\n{}",
        tail(&out.stderr),
        tail(&out.stdout),
        tail(log.lock().unwrap().as_bytes())
    );
}
