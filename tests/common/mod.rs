//! Helpers shared by the integration tests: run the binary, read a whole
//! output tree, check links.
#![allow(dead_code, unreachable_pub)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Output;

pub mod hostile;

/// The repository root (where `content/` lives).
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `../shared/corpus`, if this checkout has it.
pub fn corpus() -> Option<PathBuf> {
    let path = repo().join("../shared/corpus");
    path.is_dir().then_some(path)
}

/// Runs `hindsight ARGS` in `dir`.
pub fn hindsight(dir: &Path, args: &[&str]) -> Output {
    assert_cmd::Command::cargo_bin("hindsight")
        .expect("binary built")
        .current_dir(dir)
        .args(args)
        .output()
        .expect("hindsight runs")
}

/// Builds the example archive (`content/`) with `extra` flags into a fresh
/// temporary folder; returns the folder (keep it alive) and the site path.
pub fn build_example(extra: &[&str]) -> (tempfile::TempDir, PathBuf) {
    let out = tempfile::tempdir().unwrap();
    let site = out.path().join("public");
    let mut args = vec!["build", "--output", site.to_str().unwrap()];
    args.extend_from_slice(extra);
    let output = hindsight(&repo(), &args);
    assert!(
        output.status.success(),
        "build failed:\n{}",
        stderr(&output)
    );
    (out, site)
}

/// Stderr as text.
pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Every file under `dir`: relative path (with `/`) to bytes.
pub fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut files = BTreeMap::new();
    for entry in walkdir::WalkDir::new(dir).sort_by_file_name() {
        let entry = entry.expect("walk output");
        if entry.file_type().is_file() {
            let rel = entry
                .path()
                .strip_prefix(dir)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            files.insert(rel, std::fs::read(entry.path()).unwrap());
        }
    }
    files
}

/// Writes `files` (relative path, text) under `dir`.
pub fn write_files(dir: &Path, files: &[(&str, &str)]) {
    for (rel, text) in files {
        let path = dir.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
}

/// Every `href` and `src` value in an HTML text.
pub fn references(html: &str) -> Vec<String> {
    let mut found = Vec::new();
    for attribute in ["href=\"", "src=\""] {
        let mut rest = html;
        while let Some(start) = rest.find(attribute) {
            let after = &rest[start + attribute.len()..];
            let end = after.find('"').unwrap_or(after.len());
            found.push(after[..end].replace("&amp;", "&"));
            rest = &after[end..];
        }
    }
    found
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let Ok(b) = u8::from_str_radix(&text[i + 1..i + 3], 16)
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Checks every relative link and asset reference of every HTML page under
/// `site`: each must name a file inside the site (a folder link must hold
/// `index.html`). Returns the broken ones as `page -> reference`.
/// `404.html` is skipped: it is served at any depth and uses the base URL.
pub fn broken_links(site: &Path) -> Vec<String> {
    let mut broken = Vec::new();
    let root = site.canonicalize().unwrap();
    for (rel, bytes) in tree(site) {
        if !rel.ends_with(".html") || rel == "404.html" {
            continue;
        }
        let html = String::from_utf8_lossy(&bytes);
        let page_dir = root.join(&rel).parent().unwrap().to_path_buf();
        for reference in references(&html) {
            let lower = reference.to_ascii_lowercase();
            if reference.is_empty()
                || reference.starts_with('#')
                || lower.starts_with("http://")
                || lower.starts_with("https://")
                || lower.starts_with("mailto:")
                || lower.starts_with("data:")
                || reference.starts_with("//")
            {
                continue;
            }
            let path_part = reference.split(['#', '?']).next().unwrap_or("");
            let mut target = page_dir.join(percent_decode(path_part));
            if path_part.ends_with('/') || path_part.is_empty() {
                target = target.join("index.html");
            }
            let ok = target
                .canonicalize()
                .map(|t| t.starts_with(&root) && t.is_file())
                .unwrap_or(false);
            if !ok {
                broken.push(format!("{rel} -> {reference}"));
            }
        }
    }
    broken
}

/// Serves `dir` over HTTP on a free loopback port, under the path prefix
/// `prefix` (e.g. `/repo/`), like a GitHub Pages project site. A folder URL
/// serves its `index.html`. Returns the base URL. The server thread lives
/// as long as the test process.
pub fn serve(dir: &Path, prefix: &str) -> String {
    use std::io::{BufRead, BufReader, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind loopback");
    let port = listener.local_addr().unwrap().port();
    let root = dir.to_path_buf();
    let base = format!("http://127.0.0.1:{port}{prefix}");
    let prefix = prefix.to_string();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let root = root.clone();
            let prefix = prefix.clone();
            std::thread::spawn(move || {
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut request = String::new();
                if reader.read_line(&mut request).is_err() {
                    return;
                }
                loop {
                    let mut header = String::new();
                    if reader.read_line(&mut header).map_or(true, |n| n == 0)
                        || header.trim().is_empty()
                    {
                        break;
                    }
                }
                let target = request.split_whitespace().nth(1).unwrap_or("/");
                let path = target.split(['?', '#']).next().unwrap_or("/");
                let file = path.strip_prefix(&prefix).map(|rel| {
                    let rel = percent_decode(rel);
                    let mut file = root.join(&rel);
                    if rel.is_empty() || rel.ends_with('/') || file.is_dir() {
                        file = file.join("index.html");
                    }
                    file
                });
                let body = file
                    .filter(|_| !path.contains(".."))
                    .and_then(|f| std::fs::read(&f).ok().map(|b| (f, b)));
                let response = match body {
                    Some((file, bytes)) => {
                        let kind = match file.extension().and_then(|e| e.to_str()) {
                            Some("html") => "text/html; charset=utf-8",
                            Some("css") => "text/css",
                            Some("js") => "text/javascript",
                            Some("json") => "application/json",
                            Some("svg") => "image/svg+xml",
                            Some("xml") => "application/xml",
                            _ => "application/octet-stream",
                        };
                        let mut r = format!("HTTP/1.1 200 OK\r\nContent-Type: {kind}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n", bytes.len()).into_bytes();
                        r.extend(bytes);
                        r
                    }
                    None => {
                        b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                            .to_vec()
                    }
                };
                let _ = stream.write_all(&response);
            });
        }
    });
    base
}

/// GETs `url` (http://127.0.0.1:PORT/...) and returns the status code and
/// body.
pub fn http_get(url: &str) -> (u16, Vec<u8>) {
    use std::io::{Read, Write};
    let rest = url.strip_prefix("http://").expect("http URL");
    let (host, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let mut stream = std::net::TcpStream::connect(host).expect("connect");
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut response = Vec::new();
    stream.read_to_end(&mut response).unwrap();
    let head_end = response
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map_or(response.len(), |i| i + 4);
    let status = String::from_utf8_lossy(&response[..head_end])
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    (status, response[head_end..].to_vec())
}

/// Resolves a relative reference against a base URL (path part only).
pub fn resolve_url(base: &str, reference: &str) -> String {
    let reference = reference.split('#').next().unwrap_or("");
    if reference.starts_with("http://") || reference.starts_with("https://") {
        return reference.to_string();
    }
    let (origin, base_path) = {
        let after = base.find("://").map_or(0, |i| i + 3);
        let slash = base[after..].find('/').map_or(base.len(), |i| after + i);
        (&base[..slash], &base[slash..])
    };
    let mut segments: Vec<&str> = if reference.starts_with('/') {
        Vec::new()
    } else {
        let dir = &base_path[..base_path.rfind('/').map_or(0, |i| i + 1)];
        dir.split('/').filter(|s| !s.is_empty()).collect()
    };
    for part in reference.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                segments.pop();
            }
            other => segments.push(other),
        }
    }
    let trailing = if reference.ends_with('/') { "/" } else { "" };
    format!("{origin}/{}{trailing}", segments.join("/"))
}

/// A running `hindsight serve`; killed when dropped.
pub struct PreviewServer {
    /// The process.
    pub child: std::process::Child,
    /// Base URL, ending in `/`.
    pub url: String,
}

impl Drop for PreviewServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `hindsight serve --port 0` in `dir` (which holds an archive),
/// checks it prints a loopback URL, and waits for the first build.
pub fn start_preview(dir: &Path) -> PreviewServer {
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("hindsight"))
        .current_dir(dir)
        .args(["serve", "--port", "0"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("start serve");
    let mut line = String::new();
    let mut stdout = std::io::BufReader::new(child.stdout.take().unwrap());
    std::io::BufRead::read_line(&mut stdout, &mut line).unwrap();
    let url = line
        .trim()
        .strip_prefix("serving ")
        .expect("the server prints its URL")
        .to_string();
    assert!(
        url.starts_with("http://127.0.0.1:"),
        "loopback by default: {url}"
    );
    // Wait for the first build.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while !String::from_utf8_lossy(&http_get(&format!("{url}__hindsight/status")).1)
        .contains("\"generation\":1")
    {
        assert!(std::time::Instant::now() < deadline, "no first build");
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    PreviewServer { child, url }
}

/// The Chromium binary: `$CHROMIUM`, else the first of `chromium`,
/// `chromium-browser`, `google-chrome` on `PATH`.
pub fn chromium() -> Option<PathBuf> {
    if let Ok(path) = std::env::var("CHROMIUM") {
        return Some(PathBuf::from(path));
    }
    ["chromium", "chromium-browser", "google-chrome"]
        .iter()
        .find_map(|name| {
            std::env::var_os("PATH")?
                .to_str()?
                .split(':')
                .map(|dir| Path::new(dir).join(name))
                .find(|p| p.is_file())
        })
}

/// The browser, or `None` with a message where there is none; under `CI`
/// (where `.ci/run` installs Debian's `chromium`) a missing browser fails.
pub fn browser_or_skip() -> Option<PathBuf> {
    match chromium() {
        Some(path) => Some(path),
        None if std::env::var_os("CI").is_some() => {
            panic!("CI is set but no Chromium was found; .ci/run installs it")
        }
        None => {
            eprintln!(
                "skipped: no Chromium on PATH (install Debian's `chromium`, or set CHROMIUM=/path)"
            );
            None
        }
    }
}

/// The flags headless Chromium needs on this machine: no network beyond
/// loopback, no background services, no sandbox (root).
pub const CHROMIUM_FLAGS: &[&str] = &[
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
];
