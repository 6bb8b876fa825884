//! Spans leave the process over OTLP/HTTP when `OTEL_EXPORTER_OTLP_ENDPOINT`
//! is set: the real binary runs against a stand-in collector that records
//! what it receives.

use crate::harness::process::{self, Process};
use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

/// Accepts OTLP/HTTP exports and keeps their bodies (protobuf: the span
/// names and attribute strings appear verbatim).
struct Collector {
    port: u16,
    received: Arc<Mutex<Vec<u8>>>,
    paths: Arc<Mutex<Vec<String>>>,
}

impl Collector {
    fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let received = Arc::new(Mutex::new(Vec::new()));
        let paths = Arc::new(Mutex::new(Vec::new()));
        let (bodies, seen) = (received.clone(), paths.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let (bodies, seen) = (bodies.clone(), seen.clone());
                std::thread::spawn(move || serve(stream, &bodies, &seen));
            }
        });
        Self {
            port,
            received,
            paths,
        }
    }

    fn contains(&self, needle: &str) -> bool {
        let bytes = self.received.lock().unwrap();
        bytes.windows(needle.len()).any(|w| w == needle.as_bytes())
    }
}

/// Answers every request on one keep-alive connection with 200.
fn serve(stream: TcpStream, bodies: &Mutex<Vec<u8>>, paths: &Mutex<Vec<String>>) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut writer = stream;
    loop {
        let mut request_line = String::new();
        if reader.read_line(&mut request_line).unwrap_or(0) == 0 {
            return;
        }
        if let Some(path) = request_line.split_whitespace().nth(1) {
            paths.lock().unwrap().push(path.to_owned());
        }
        let mut length = 0usize;
        loop {
            let mut header = String::new();
            if reader.read_line(&mut header).unwrap_or(0) == 0 {
                return;
            }
            if header == "\r\n" {
                break;
            }
            if let Some((name, value)) = header.split_once(':')
                && name.eq_ignore_ascii_case("content-length")
            {
                length = value.trim().parse().unwrap_or(0);
            }
        }
        let mut body = vec![0; length];
        if reader.read_exact(&mut body).is_err() {
            return;
        }
        bodies.lock().unwrap().extend_from_slice(&body);
        let response =
            "HTTP/1.1 200 OK\r\ncontent-type: application/x-protobuf\r\ncontent-length: 0\r\n\r\n";
        if writer.write_all(response.as_bytes()).is_err() {
            return;
        }
    }
}

/// Starts `moneta serve` on the embedded default, exporting to `collector`;
/// returns it with its address (read from its JSON "serving" log line).
fn start_server(collector: &Collector, data_dir: &std::path::Path) -> (Process, String) {
    let mut command = process::moneta();
    command
        .arg("serve")
        .env("MONETA_LISTEN", "127.0.0.1:0")
        .env("MONETA_DATA_DIR", data_dir)
        .env("MONETA_PASSWORD_HASH_CONCURRENCY", "1")
        .env(
            "OTEL_EXPORTER_OTLP_ENDPOINT",
            format!("http://127.0.0.1:{}", collector.port),
        )
        .env("OTEL_SERVICE_NAME", "moneta-telemetry-test")
        .env("OTEL_BSP_SCHEDULE_DELAY", "100");
    let mut server = Process::spawn(command);
    let addr = server.serving_addr(Duration::from_secs(120));
    (server, addr)
}

#[tokio::test]
async fn spans_are_exported_over_otlp_with_the_operation_name_and_no_variables() {
    let collector = Collector::start();
    let data_dir = tempfile::tempdir().unwrap();
    let (_server, addr) = start_server(&collector, data_dir.path());
    let password = "Otlp-Secret-Passphrase-31";
    let body: Value = reqwest::Client::new()
        .post(format!("http://{addr}/graphql"))
        .json(&json!({
            "query": "mutation SignUp($input: RegisterInput!) { register(input: $input) { accessToken } }",
            "operationName": "SignUp",
            "variables": { "input": { "email": "otlp@example.com", "password": password } },
        }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(
        body["data"]["register"]["accessToken"].is_string(),
        "{body}"
    );

    let deadline = Instant::now() + Duration::from_secs(20);
    let expected = [
        "moneta-telemetry-test", // service.name
        "http.request",
        "graphql.operation",
        "SignUp",
        "sea_orm.", // SQL statements
    ];
    while !expected.iter().all(|e| collector.contains(e)) {
        assert!(
            Instant::now() < deadline,
            "missing from the exported spans: {:?}",
            expected
                .iter()
                .filter(|e| !collector.contains(e))
                .collect::<Vec<_>>()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(
        collector
            .paths
            .lock()
            .unwrap()
            .iter()
            .all(|p| p == "/v1/traces")
    );
    assert!(
        !collector.contains(password),
        "variables are never exported"
    );
    assert!(!collector.contains("otlp@example.com"));
}
