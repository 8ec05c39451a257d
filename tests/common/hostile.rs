//! The adversarial archive: script injection in every frontmatter field
//! and in the body, requests to other hosts, path traversal, duplicate ids,
//! deep nesting, a 10,000-line code block, invalid UTF-8, a binary file,
//! an empty file, a symbolic link out of the archive and a loop.
//! Shared by `tests/hostile.rs` (the build) and `tests/browser_proof.rs`
//! (what a browser does with the output).

use std::path::{Path, PathBuf};

use super::write_files;

pub const XSS_FRONTMATTER: &str = r#"---
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

## Globals and requests to other hosts

<script>window.__pwned = 'script'; fetch('https://evil.example/x')</script>
<img src="x" onerror="window.__pwned = 'onerror'">
<svg onload="window.__pwned = 'svg'"><circle r="1"/></svg>
<details open ontoggle="window.__pwned = 'toggle'"><summary>s</summary>d</details>
<body onload="window.__pwned = 'body'">
<a href="javascript:window.__pwned='href'">click</a>
<img src="https://evil.example/pixel.gif" alt="tracking pixel">
<img src="//evil.example/protocol-relative.gif">
<img srcset="https://evil.example/srcset.png 2x" src="local-missing.png">
<picture><source srcset="https://evil.example/source.webp"><img src="y.png"></picture>
<video src="https://evil.example/v.mp4" autoplay poster="https://evil.example/poster.png"></video>
<audio src="https://evil.example/a.mp3" autoplay></audio>
<link rel="stylesheet" href="https://evil.example/x.css">
<link rel="prefetch" href="https://evil.example/prefetch">
<meta http-equiv="refresh" content="0;url=https://evil.example/">
<base href="https://evil.example/">
<object data="https://evil.example/x.swf"></object>
<embed src="https://evil.example/x.swf">
<form action="https://evil.example/"><input name="q" autofocus onfocus="window.__pwned='focus'"></form>
<style>@import url(https://evil.example/s.css); body { background: url(https://evil.example/bg.png) }</style>
<div style="background-image: url('https://evil.example/div.png')">styled div</div>
<table background="https://evil.example/table.png"><tr><td>t</td></tr></table>
<math><mtext><script>window.__pwned='math'</script></mtext></math>
<noscript><img src="https://evil.example/noscript.png"></noscript>

![remote markdown image](https://evil.example/remote.png)
![protocol relative](//evil.example/pr.png)
"#;

pub fn deep_nesting() -> String {
    let mut text = String::from("---\ntitle: Deep nesting\n---\n\n");
    for depth in 0..2000 {
        text.push_str(&"> ".repeat(depth % 200));
        text.push_str(&"  ".repeat(depth % 100));
        text.push_str("- item\n");
    }
    text
}

pub fn huge_code_block() -> String {
    let mut text = String::from("---\ntitle: Huge code block\n---\n\n```rust\n");
    for i in 0..10_000 {
        text.push_str(&format!("let x{i} = {i};\n"));
    }
    text.push_str("```\n");
    text
}

/// The real tags of an HTML text (escaped text such as `&lt;img&gt;` is
/// not a tag).
/// Writes the adversarial archive to `root/archive` (and a secret file to
/// `root/secret.md`, which a symbolic link in the archive points to);
/// returns the archive folder.
pub fn write_archive(root: &Path) -> PathBuf {
    let dir = root.join("archive");
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
        root.join("secret.md"),
        "---\ntitle: SECRETMARKER\n---\n\nSECRETMARKER\n",
    )
    .unwrap();
    std::os::unix::fs::symlink(root.join("secret.md"), dir.join("content/outside.md")).unwrap();
    std::os::unix::fs::symlink(dir.join("content"), dir.join("content/a/loop")).unwrap();
    dir
}
