//! Helpers shared by the integration tests: run the binary, read a whole
//! output tree, check links.
#![allow(dead_code, unreachable_pub)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Output;

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
