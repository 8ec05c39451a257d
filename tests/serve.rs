//! The preview server over HTTP on a free loopback port: pages are served
//! with the reload script (never written to disk), `..` requests are
//! refused, the reload channel fires after an edit, and the error overlay
//! data appears on a broken build and goes away after the fix.

mod common;

use std::io::{Read, Write};
use std::time::{Duration, Instant};

use common::{http_get, start_preview, write_files};

/// Reads the SSE stream until an event of `kind` arrives; returns its data.
fn next_event(stream: &mut std::net::TcpStream, kind: &str, timeout: Duration) -> String {
    stream
        .set_read_timeout(Some(Duration::from_millis(200)))
        .unwrap();
    let deadline = Instant::now() + timeout;
    let mut seen = String::new();
    let mut buffer = [0u8; 4096];
    while Instant::now() < deadline {
        if let Ok(n) = stream.read(&mut buffer) {
            seen.push_str(&String::from_utf8_lossy(&buffer[..n]));
            if let Some(at) = seen.find(&format!("event: {kind}\ndata: ")) {
                let rest = &seen[at..];
                if let Some(end) = rest.find("\n\n") {
                    return rest[..end]
                        .lines()
                        .nth(1)
                        .unwrap_or("")
                        .trim_start_matches("data: ")
                        .to_string();
                }
            }
        }
    }
    panic!("no {kind} event; the stream said: {seen}");
}

fn subscribe(url: &str) -> std::net::TcpStream {
    let host = url.trim_start_matches("http://").trim_end_matches('/');
    let mut stream = std::net::TcpStream::connect(host).unwrap();
    write!(
        stream,
        "GET /__hindsight/events HTTP/1.1\r\nHost: {host}\r\nAccept: text/event-stream\r\n\r\n"
    )
    .unwrap();
    stream
}

#[test]
fn serves_reloads_refuses_traversal_and_shows_errors() {
    let root = tempfile::tempdir().unwrap();
    let dir = root.path().join("archive");
    write_files(
        &dir,
        &[(
            "content/a.md",
            "---\ntitle: Alpha\nseverity: SEV2\n---\n\nAlpha body.\n",
        )],
    );
    std::fs::write(root.path().join("secret.txt"), "do not serve").unwrap();
    let server = start_preview(&dir);

    let (status, body) = http_get(&format!("{}incidents/a/index.html", server.url));
    let page = String::from_utf8_lossy(&body);
    assert_eq!(status, 200);
    assert!(page.contains("<h1>Alpha</h1>"));
    assert!(
        page.contains("/__hindsight/reload.js"),
        "served pages carry the reload script"
    );
    let on_disk = std::fs::read_to_string(dir.join("public/incidents/a/index.html")).unwrap();
    assert!(!on_disk.contains("__hindsight"), "built files never do");
    assert_eq!(
        http_get(&format!("{}__hindsight/reload.js", server.url)).0,
        200
    );

    for bad in [
        "../secret.txt",
        "..%2fsecret.txt",
        "%2e%2e/secret.txt",
        "incidents/%2E%2E/%2e%2e/../secret.txt",
    ] {
        let (status, body) = http_get(&format!("{}{bad}", server.url));
        assert_eq!(status, 404, "{bad}");
        assert!(
            !String::from_utf8_lossy(&body).contains("do not serve"),
            "{bad}"
        );
    }

    let mut events = subscribe(&server.url);
    std::thread::sleep(Duration::from_millis(300));
    std::fs::write(
        dir.join("content/a.md"),
        "---\ntitle: Alpha edited\nseverity: SEV2\n---\n\nAlpha body.\n",
    )
    .unwrap();
    next_event(&mut events, "reload", Duration::from_secs(30));
    let (_, body) = http_get(&format!("{}incidents/a/index.html", server.url));
    assert!(String::from_utf8_lossy(&body).contains("Alpha edited"));

    std::fs::write(dir.join("content/b.md"), "---\ntitle: [broken\n---\n").unwrap();
    let data = next_event(&mut events, "failed", Duration::from_secs(30));
    assert!(
        data.contains("yaml-syntax") && data.contains("b.md"),
        "{data}"
    );
    let (_, status) = http_get(&format!("{}__hindsight/status", server.url));
    assert!(String::from_utf8_lossy(&status).contains("\"ok\":false"));
    let (code, body) = http_get(&format!("{}incidents/a/index.html", server.url));
    assert_eq!(code, 200, "the last good site stays up");
    assert!(String::from_utf8_lossy(&body).contains("Alpha edited"));

    std::fs::write(
        dir.join("content/b.md"),
        "---\ntitle: Beta\n---\n\nFixed.\n",
    )
    .unwrap();
    next_event(&mut events, "reload", Duration::from_secs(30));
    let (_, status) = http_get(&format!("{}__hindsight/status", server.url));
    assert!(
        String::from_utf8_lossy(&status).contains("\"ok\":true"),
        "the overlay goes away"
    );
}
