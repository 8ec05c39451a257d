//! Hostile input: script injection in every field and in the body, path
//! traversal, odd and broken files. The build must not panic, must write
//! nothing outside its output folder, must report each problem with its
//! code, and must not let any postmortem run script in a reader's browser.

mod common;

use common::{hindsight, stderr, tree, write_files};

fn tags(html: &str) -> Vec<&str> {
    let mut found = Vec::new();
    let mut rest = html;
    while let Some(at) = rest.find('<') {
        let after = &rest[at + 1..];
        if after.starts_with(|c: char| c.is_ascii_alphabetic()) {
            let end = after.find('>').map_or(after.len(), |e| e + 1);
            found.push(&rest[at..at + 1 + end]);
            rest = &after[end..];
        } else {
            rest = after;
        }
    }
    found
}

/// The attributes of a lower-cased tag: (name, value), values unquoted.
fn attributes(tag: &str) -> Vec<(String, String)> {
    let inner = tag
        .trim_start_matches('<')
        .trim_end_matches('>')
        .trim_end_matches('/');
    let mut chars = inner.chars().peekable();
    // Skip the tag name.
    while chars.peek().is_some_and(|c| !c.is_whitespace()) {
        chars.next();
    }
    let mut result = Vec::new();
    loop {
        while chars.peek().is_some_and(|c| c.is_whitespace()) {
            chars.next();
        }
        let name: String =
            std::iter::from_fn(|| chars.next_if(|c| !c.is_whitespace() && *c != '=')).collect();
        if name.is_empty() {
            return result;
        }
        while chars.peek().is_some_and(|c| c.is_whitespace()) {
            chars.next();
        }
        let mut value = String::new();
        if chars.next_if_eq(&'=').is_some() {
            while chars.peek().is_some_and(|c| c.is_whitespace()) {
                chars.next();
            }
            match chars.peek().copied() {
                Some(quote @ ('"' | '\'')) => {
                    chars.next();
                    value = std::iter::from_fn(|| chars.next_if(|c| *c != quote)).collect();
                    chars.next();
                }
                _ => value = std::iter::from_fn(|| chars.next_if(|c| !c.is_whitespace())).collect(),
            }
        }
        result.push((name, value));
    }
}

/// Whether a lower-cased tag has an `on...` event-handler attribute.
fn has_event_handler(tag: &str) -> bool {
    attributes(tag)
        .iter()
        .any(|(name, _)| name.starts_with("on") && name.len() > 2)
}

#[test]
fn hostile_archive_builds_safely() {
    let root = tempfile::tempdir().unwrap();
    let dir = common::hostile::write_archive(root.path());
    let before: Vec<String> = std::fs::read_dir(root.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();

    let output = hindsight(&dir, &["build"]);
    let log = stderr(&output);
    assert!(output.status.success(), "{log}");
    assert!(!log.contains("panicked"), "{log}");
    for code in [
        "unreadable-file",
        "not-a-postmortem",
        "duplicate-id",
        "unknown-category",
        "unknown-severity",
        "missing-asset",
    ] {
        assert!(
            log.contains(&format!("[{code}]")),
            "expected a {code} diagnostic:\n{log}"
        );
    }
    let after: Vec<String> = std::fs::read_dir(root.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(before, after, "nothing is written outside the archive");

    let site = tree(&dir.join("public"));
    assert!(site.contains_key("incidents/xss-front/index.html"));
    assert!(site.contains_key("incidents/huge-code/index.html"));
    assert!(site.contains_key("incidents/deep/index.html"));
    for (path, bytes) in &site {
        let text = String::from_utf8_lossy(bytes);
        assert!(
            !text.contains("SECRETMARKER"),
            "a file outside the archive leaked into {path}"
        );
        if !(path.ends_with(".html") || path.ends_with(".xml")) {
            continue;
        }
        for tag in tags(&text) {
            let lower = tag.to_lowercase();
            assert!(
                !has_event_handler(&lower),
                "event handler attribute in {path}: {tag}"
            );
            for (name, value) in attributes(&lower) {
                if matches!(
                    name.as_str(),
                    "href" | "src" | "action" | "formaction" | "xlink:href"
                ) {
                    let value = value.replace(['\t', '\n', ' '], "");
                    assert!(
                        !value.starts_with("javascript:")
                            && !value.starts_with("data:text/html")
                            && !value.starts_with("vbscript:"),
                        "script URL in {path}: {tag}"
                    );
                }
                if matches!(
                    name.as_str(),
                    "src" | "srcset" | "poster" | "background" | "data"
                ) {
                    let value = value.trim_start();
                    assert!(
                        !value.starts_with("http:")
                            && !value.starts_with("https:")
                            && !value.starts_with("//")
                            && !value.contains(" https:"),
                        "a resource from another host is loaded in {path}: {tag}"
                    );
                }
                if name == "style" {
                    assert!(
                        !value.contains("url(") && !value.contains("expression("),
                        "CSS injection in {path}: {tag}"
                    );
                }
            }
            for forbidden in ["<iframe", "<object", "<embed", "<frame"] {
                assert!(!lower.starts_with(forbidden), "{forbidden} in {path}");
            }
            // The only scripts are the theme's own, by source.
            if lower.starts_with("<script") {
                assert!(
                    lower.contains("src=\"") && lower.contains("search.js"),
                    "inline or foreign script in {path}: {tag}"
                );
            }
        }
    }
    let page = String::from_utf8_lossy(&site["incidents/xss-front/index.html"]).to_string();
    assert!(
        page.contains("&lt;script&gt;alert("),
        "the title is shown, escaped"
    );
}

#[test]
fn an_oversized_postmortem_is_refused_with_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    write_files(
        dir.path(),
        &[("content/ok.md", "---\ntitle: Fine\n---\n\nFine.\n")],
    );
    let big = "x".repeat(50 * 1024 * 1024);
    std::fs::write(
        dir.path().join("content/huge.md"),
        format!("# Huge\n\n{big}\n"),
    )
    .unwrap();
    let output = hindsight(dir.path(), &["build"]);
    let log = stderr(&output);
    assert_eq!(output.status.code(), Some(1), "{log}");
    assert!(
        log.contains("content/huge.md:1:1: error[file-too-large]"),
        "{log}"
    );
    write_files(
        dir.path(),
        &[("hindsight.toml", "max_file_bytes = 60000000\n")],
    );
    let output = hindsight(dir.path(), &["build"]);
    assert!(
        output.status.success(),
        "a raised limit admits it: {}",
        stderr(&output)
    );
}

#[test]
fn the_checker_itself_catches_handlers_and_script_urls() {
    assert!(has_event_handler("<img src=x onerror=alert(1)>"));
    assert!(has_event_handler("<svg onload = \"x\">"));
    assert!(!has_event_handler(
        "<p aria-label=\"&lt;svg onload=alert(1)&gt;\">"
    ));
    assert_eq!(
        tags("&lt;b&gt; <a href=\"x\">y</a>"),
        vec!["<a href=\"x\">"]
    );
    let attrs = attributes("<a href='javascript:alert(1)' title=\"t\">");
    assert_eq!(
        attrs[0],
        ("href".to_string(), "javascript:alert(1)".to_string())
    );
}
