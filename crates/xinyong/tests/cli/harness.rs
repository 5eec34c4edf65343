//! The server under test as a real process: started, called over loopback HTTP/1.1 (no
//! client library: what the tests send is exactly what they say), stopped or killed.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::Value;

/// The server under test, its output read into a buffer as it comes.
pub struct Server {
    pub child: Child,
    pub addr: String,
    pub output: Arc<Mutex<Vec<u8>>>,
    readers: Vec<std::thread::JoinHandle<()>>,
}

impl Server {
    /// Starts `serve` as `command` says (it must listen on `--addr 127.0.0.1:0`) and waits
    /// until it says where it serves.
    pub fn spawn(command: &mut Command) -> Server {
        let mut child = command
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let output = Arc::new(Mutex::new(Vec::new()));
        let mut readers = Vec::new();
        let stdout: Box<dyn Read + Send> = Box::new(child.stdout.take().unwrap());
        let stderr: Box<dyn Read + Send> = Box::new(child.stderr.take().unwrap());
        for mut pipe in [stdout, stderr] {
            let output = output.clone();
            readers.push(std::thread::spawn(move || {
                let mut buf = [0u8; 8192];
                while let Ok(n) = pipe.read(&mut buf) {
                    if n == 0 {
                        break;
                    }
                    output.lock().unwrap().extend_from_slice(&buf[..n]);
                }
            }));
        }
        let started = Instant::now();
        let addr = loop {
            let text = String::from_utf8_lossy(&output.lock().unwrap()).into_owned();
            // Only once the address is whole: the line may have arrived in part.
            if let Some((addr, _)) = text
                .split("serving on http://")
                .nth(1)
                .and_then(|rest| rest.split_once('/'))
            {
                break addr.to_owned();
            }
            if let Some(status) = child.try_wait().unwrap() {
                panic!("the server exited ({status}) before serving:\n{text}");
            }
            assert!(
                started.elapsed() < Duration::from_secs(120),
                "the server did not start:\n{text}"
            );
            std::thread::sleep(Duration::from_millis(50));
        };
        Server {
            child,
            addr,
            output,
            readers,
        }
    }

    /// Stops the server as an operator would (SIGTERM: graceful shutdown) and returns
    /// everything it wrote.
    pub fn stop(mut self) -> String {
        let term = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(term.success());
        let started = Instant::now();
        while self.child.try_wait().unwrap().is_none() {
            if started.elapsed() > Duration::from_secs(30) {
                self.child.kill().unwrap();
                break;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        self.child.wait().unwrap();
        for r in self.readers.drain(..) {
            r.join().unwrap();
        }
        String::from_utf8_lossy(&self.output.lock().unwrap()).into_owned()
    }

    /// One HTTP/1.1 request; `authorization` is the whole header value.
    pub fn call(
        &self,
        method: &str,
        path: &str,
        authorization: Option<&str>,
        body: Option<&Value>,
    ) -> (u16, String) {
        let mut stream = TcpStream::connect(&self.addr).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(60)))
            .unwrap();
        let body = body.map(Value::to_string).unwrap_or_default();
        let mut head = format!(
            "{method} {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\nContent-Length: {}\r\n",
            self.addr,
            body.len()
        );
        if !body.is_empty() {
            head.push_str("Content-Type: application/json\r\n");
        }
        if let Some(a) = authorization {
            head.push_str(&format!("Authorization: {a}\r\n"));
        }
        head.push_str("\r\n");
        stream.write_all(head.as_bytes()).unwrap();
        stream.write_all(body.as_bytes()).unwrap();
        let mut raw = Vec::new();
        stream.read_to_end(&mut raw).unwrap();
        let split = raw
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .expect("a response head");
        let head = String::from_utf8_lossy(&raw[..split]).to_ascii_lowercase();
        let status = head
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .expect("a status code");
        let mut body = raw[split + 4..].to_vec();
        if head.contains("transfer-encoding: chunked") {
            body = dechunk(&body);
        }
        (status, String::from_utf8_lossy(&body).into_owned())
    }

    pub fn get(&self, path: &str, token: Option<&str>) -> (u16, String) {
        let auth = token.map(|t| format!("Bearer {t}"));
        self.call("GET", path, auth.as_deref(), None)
    }

    pub fn post(&self, path: &str, token: Option<&str>, body: &Value) -> (u16, String) {
        let auth = token.map(|t| format!("Bearer {t}"));
        self.call("POST", path, auth.as_deref(), Some(body))
    }

    /// A request that must answer `status`; returns the body as JSON (or a JSON string).
    pub fn expect(&self, status: u16, (got, body): (u16, String), what: &str) -> Value {
        assert_eq!(got, status, "{what}: {body}");
        serde_json::from_str(&body).unwrap_or(Value::String(body))
    }
}

pub fn dechunk(mut body: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let Some(eol) = body.windows(2).position(|w| w == b"\r\n") else {
            return out;
        };
        let size = std::str::from_utf8(&body[..eol])
            .ok()
            .and_then(|s| usize::from_str_radix(s.split(';').next()?.trim(), 16).ok())
            .unwrap_or(0);
        if size == 0 {
            return out;
        }
        let start = eol + 2;
        out.extend_from_slice(&body[start..start + size]);
        body = &body[start + size + 2..];
    }
}

/// A general administrative penalty on `COMPANY`, as `POST /api/v1/records` and JSONL imports
/// take it.
pub fn penalty(doc: &str, facts: &str) -> Value {
    serde_json::json!({
        "category": "admin_penalty",
        "subject": {"code": crate::commands::COMPANY, "name": "北京示例科技有限公司", "kind": "legal_person"},
        "document_no": doc, "decided_on": "2026-06-01",
        "legal_basis": "《中华人民共和国广告法》第五十五条", "tier": "general",
        "fields": {"facts": facts, "penalty_kind": "罚款", "content": "罚款人民币二万元",
                   "authority": "深圳市市场监督管理局"}
    })
}
