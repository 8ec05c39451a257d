//! Hostile input: script injection in every field and in the body, path
//! traversal, odd and broken files. The build must not panic, must write
//! nothing outside its output folder, must report each problem with its
//! code, and must not let any postmortem run script in a reader's browser.

mod common;

use common::{hindsight, stderr, tree, write_files};

const XSS_FRONTMATTER: &str = r#"---
title: "<script>alert('title')</script> Outage"
id: xss-front
severity: "<img src=x onerror=alert(1)>"
category: "../../etc/passwd"
services: ["<svg onload=alert(1)>", "../../../tmp/evil", "/etc/shadow"]
teams: ["<b onmouseover=alert(1)>team</b>"]
tags: ["%2e%2e%2f%2e%2e", "javascript:alert(1)"]
root_cause: "<iframe src=javascript:alert(1)></iframe>"
impact:
  summary: "\"><script>alert('summary')</script>"
related: ["javascript://%0aalert(1)"]
links:
  - title: "<script>alert('link')</script>"
    url: "javascript:alert('link')"
action_items:
  - title: "<img src=x onerror=alert('item')>"
    owner: "<script>alert('owner')</script>"
    link: "javascript:alert('item')"
---

# Body

<script>alert('body')</script>
<img src="x" onerror="alert('img')">
<iframe src="https://evil.example/"></iframe>
<svg><script>alert('svg')</script></svg>
<p style="background:url(javascript:alert(1)); color: red">styled</p>
<a href="javascript:alert('raw')">raw link</a>
<a href="JaVaScRiPt:alert('mixed')">mixed case</a>

[md link](javascript:alert('md'))
[data link](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)
![traversal](../../etc/passwd)
![absolute](/etc/passwd)
![encoded](%2e%2e/%2e%2e/etc/passwd)
"#;

fn deep_nesting() -> String {
    let mut text = String::from("---\ntitle: Deep nesting\n---\n\n");
    for depth in 0..2000 {
        text.push_str(&"> ".repeat(depth % 200));
        text.push_str(&"  ".repeat(depth % 100));
        text.push_str("- item\n");
    }
    text
}

fn huge_code_block() -> String {
    let mut text = String::from("---\ntitle: Huge code block\n---\n\n```rust\n");
    for i in 0..10_000 {
        text.push_str(&format!("let x{i} = {i};\n"));
    }
    text.push_str("```\n");
    text
}

/// The real tags of an HTML text (escaped text such as `&lt;img&gt;` is
/// not a tag).
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
    let dir = root.path().join("archive");
    let deep = deep_nesting();
    let huge = huge_code_block();
    write_files(
        &dir,
        &[
            ("content/xss.md", XSS_FRONTMATTER),
            ("content/deep.md", &deep),
            ("content/huge-code.md", &huge),
            ("content/empty.md", ""),
            ("content/a/same.md", "---\ntitle: Same one\n---\n"),
            ("content/b/same.md", "---\ntitle: Same two\n---\n"),
        ],
    );
    std::fs::write(
        dir.join("content/invalid-utf8.md"),
        b"---\ntitle: Bad\n---\n\xff\xfe\xfd body",
    )
    .unwrap();
    std::fs::write(
        dir.join("content/binary.md"),
        [0u8, 159, 146, 150, 0, 255, 1, 2, 3, 0xc0, 0x80],
    )
    .unwrap();
    std::fs::write(
        root.path().join("secret.md"),
        "---\ntitle: SECRETMARKER\n---\n\nSECRETMARKER\n",
    )
    .unwrap();
    std::os::unix::fs::symlink(
        root.path().join("secret.md"),
        dir.join("content/outside.md"),
    )
    .unwrap();
    std::os::unix::fs::symlink(dir.join("content"), dir.join("content/a/loop")).unwrap();
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
