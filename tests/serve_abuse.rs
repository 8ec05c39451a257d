//! The preview server under load and abuse, on loopback only: 1,000
//! requests in flight at once are all answered; path traversal variants,
//! oversized headers and slow clients neither crash it nor leak a file
//! outside the site folder; other clients are served meanwhile.
//!
//! Every loop here is bounded in count and time, and the server is killed
//! when the test ends.

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use common::{PreviewServer, start_preview, write_files};

/// Pages, a list, a stylesheet and the search index, in turn.
const TARGETS: [&str; 4] = ["/incidents/a/", "/", "/style.css", "/search/facets.json"];

const SECRET: &str = "secret-outside-the-site";

/// An archive in `root/archive` with a secret file beside it and one
/// above it; returns the running server.
fn server(root: &std::path::Path) -> PreviewServer {
    let dir = root.join("archive");
    write_files(
        &dir,
        &[(
            "content/a.md",
            "---\ntitle: Alpha\nseverity: SEV2\n---\n\nAlpha body.\n",
        )],
    );
    std::fs::write(root.join("secret.txt"), SECRET).unwrap();
    std::fs::write(dir.join("secret.txt"), SECRET).unwrap();
    start_preview(&dir)
}

fn host(server: &PreviewServer) -> String {
    server
        .url
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .to_string()
}

fn connect(host: &str) -> TcpStream {
    let stream = TcpStream::connect(host).expect("connect to the preview server");
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    stream
        .set_write_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    stream
}

/// Sends `request` as written (no client-side path normalisation) and
/// reads the whole response; empty when the server closed the connection.
fn raw(host: &str, request: &[u8]) -> String {
    let mut stream = connect(host);
    let _ = stream.write_all(request);
    let mut response = Vec::new();
    let _ = stream.read_to_end(&mut response);
    String::from_utf8_lossy(&response).into_owned()
}

fn get(host: &str, target: &str) -> String {
    raw(
        host,
        format!("GET {target} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n").as_bytes(),
    )
}

fn status(response: &str) -> u16 {
    response
        .split_whitespace()
        .nth(1)
        .and_then(|code| code.parse().ok())
        .unwrap_or(0)
}

fn assert_alive(host: &str) {
    let response = get(host, "/incidents/a/");
    assert_eq!(
        status(&response),
        200,
        "the server still serves: {response:.300}"
    );
    assert!(response.contains("<h1>Alpha</h1>"));
}

#[test]
fn a_thousand_concurrent_requests_are_all_served() {
    let root = tempfile::tempdir().unwrap();
    let server = server(root.path());
    let host = host(&server);

    // Open every connection first, then send every request, then read:
    // all 1,000 requests are in flight at the same time.
    let mut streams: Vec<TcpStream> = (0..1000).map(|_| connect(&host)).collect();
    for (i, stream) in streams.iter_mut().enumerate() {
        let target = TARGETS[i % 4];
        write!(
            stream,
            "GET {target} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
        )
        .unwrap();
    }
    let mut served = 0;
    for mut stream in streams {
        let mut response = Vec::new();
        stream.read_to_end(&mut response).expect("a response");
        let response = String::from_utf8_lossy(&response);
        let target = TARGETS[served % 4];
        assert_eq!(status(&response), 200, "{target}: {response:.300}");
        served += 1;
    }
    assert_eq!(served, 1000);
    assert_alive(&host);
}

#[test]
fn traversal_oversized_headers_and_slow_clients_leak_nothing() {
    let root = tempfile::tempdir().unwrap();
    let server = server(root.path());
    let host = host(&server);

    for target in [
        "/../secret.txt",
        "/../../secret.txt",
        "/%2e%2e/secret.txt",
        "/%2E%2E/%2e%2e/secret.txt",
        "/..%2fsecret.txt",
        "/..%2F..%2Fsecret.txt",
        "/%252e%252e/secret.txt",
        "/.%2e/secret.txt",
        "/incidents/../../secret.txt",
        "/incidents/a/../../../secret.txt",
        "/..\\secret.txt",
        "/..%5csecret.txt",
        "/%2e%2e%5c%2e%2e%5csecret.txt",
        "/%00/../secret.txt",
        "/secret.txt%00.html",
        "//secret.txt",
        "/./../secret.txt",
        "/..;/secret.txt",
        "/%c0%ae%c0%ae/secret.txt",
        "/etc/passwd",
        "/../../../../../../etc/passwd",
        "/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
        "http://127.0.0.1/../secret.txt",
    ] {
        let response = get(&host, target);
        assert!(
            !response.contains(SECRET) && !response.contains("root:x:0:0"),
            "{target} leaked a file: {response:.300}"
        );
        assert_ne!(
            status(&response),
            200,
            "{target} was served: {response:.300}"
        );
    }
    assert_alive(&host);

    // Oversized headers: one huge header, and very many small ones.
    let huge = "a".repeat(1 << 20);
    let response = raw(
        &host,
        format!("GET / HTTP/1.1\r\nHost: {host}\r\nX-Big: {huge}\r\n\r\n").as_bytes(),
    );
    assert!(
        response.is_empty() || status(&response) >= 400,
        "a 1 MiB header is refused: {response:.200}"
    );
    let many: String = (0..5000).map(|i| format!("X-H{i}: v\r\n")).collect();
    let response = raw(
        &host,
        format!("GET / HTTP/1.1\r\nHost: {host}\r\n{many}\r\n").as_bytes(),
    );
    assert!(
        response.is_empty() || status(&response) >= 400,
        "5,000 headers are refused: {response:.200}"
    );
    let long_path = format!("/{}", "a/".repeat(50_000));
    let response = get(&host, &long_path);
    assert_ne!(status(&response), 200, "a 100 KB path: {response:.200}");
    // Garbage instead of HTTP.
    let response = raw(&host, &[0xff; 4096]);
    assert_ne!(status(&response), 200);
    assert_alive(&host);

    // Slow clients: connections that send half a request and stall, and
    // ones that send a byte at a time; others are served meanwhile.
    let mut stalled: Vec<TcpStream> = (0..200)
        .map(|_| {
            let mut stream = connect(&host);
            stream
                .write_all(b"GET /incidents/a/ HTTP/1.1\r\nHo")
                .unwrap();
            stream
        })
        .collect();
    let request =
        format!("GET /incidents/a/ HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n");
    let mut trickling: Vec<TcpStream> = (0..20).map(|_| connect(&host)).collect();
    for (i, byte) in request.bytes().enumerate() {
        for stream in &mut trickling {
            stream.write_all(&[byte]).unwrap();
        }
        if i % 8 == 0 {
            // Others are served while the slow ones trickle in.
            assert_alive(&host);
            std::thread::sleep(Duration::from_millis(5));
        }
    }
    for mut stream in trickling {
        let mut response = Vec::new();
        stream.read_to_end(&mut response).unwrap();
        assert_eq!(status(&String::from_utf8_lossy(&response)), 200);
    }
    for stream in &mut stalled {
        let _ = stream.write_all(b"st");
    }
    assert_alive(&host);
    drop(stalled);
    assert_alive(&host);
}
