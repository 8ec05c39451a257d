//! A real headless browser opens the built example archive from `file://`:
//! the pages render with their stylesheet and links work without a server.
//!
//! Skips with a message where Chromium is missing, except under `CI`,
//! where `.ci/run` installs Debian's `chromium` and a missing browser fails.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{hindsight, repo, stderr};

fn chromium() -> Option<PathBuf> {
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

fn browser_or_skip() -> Option<PathBuf> {
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

/// Runs headless Chromium with the flags this machine needs (no network
/// beyond loopback, fresh profile).
fn headless(browser: &Path, args: &[&str]) -> std::process::Output {
    let profile = tempfile::tempdir().unwrap();
    Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(args)
        .output()
        .expect("chromium runs")
}

#[test]
fn pages_render_from_file_urls_in_a_real_browser() {
    let Some(browser) = browser_or_skip() else {
        return;
    };
    let out = tempfile::tempdir().unwrap();
    let site = out.path().join("public");
    let output = hindsight(&repo(), &["build", "--output", site.to_str().unwrap()]);
    assert!(output.status.success(), "{}", stderr(&output));

    let home = format!("file://{}", site.join("index.html").display());
    let dom = headless(&browser, &["--dump-dom", &home]);
    let dom = String::from_utf8_lossy(&dom.stdout);
    assert!(
        dom.contains("Recent incidents"),
        "home page DOM: {dom:.500}"
    );
    assert!(
        dom.contains("incidents/2024-11-intermittent-5xx/index.html"),
        "recent incidents link to their pages"
    );

    let shot = out.path().join("incident.png");
    let page = format!(
        "file://{}",
        site.join("incidents/2023-10-retry-storm/index.html")
            .display()
    );
    let result = headless(
        &browser,
        &[
            "--window-size=1280,1600",
            &format!("--screenshot={}", shot.display()),
            &page,
        ],
    );
    let size = std::fs::metadata(&shot).map(|m| m.len()).unwrap_or(0);
    assert!(
        size > 50_000,
        "a styled page renders to a non-trivial screenshot ({size} bytes): {}",
        String::from_utf8_lossy(&result.stderr)
    );
}

#[test]
fn statistics_page_shows_its_charts_in_a_real_browser() {
    let Some(browser) = browser_or_skip() else {
        return;
    };
    let out = tempfile::tempdir().unwrap();
    let site = out.path().join("public");
    let output = hindsight(&repo(), &["build", "--output", site.to_str().unwrap()]);
    assert!(output.status.success(), "{}", stderr(&output));
    let page = format!("file://{}", site.join("stats/index.html").display());
    let dom = headless(&browser, &["--dump-dom", &page]);
    let dom = String::from_utf8_lossy(&dom.stdout);
    assert_eq!(
        dom.matches("<svg class=\"chart\"").count(),
        5,
        "five charts"
    );
    assert!(dom.matches("<rect").count() > 20, "bars are drawn");
    let shot = out.path().join("stats.png");
    headless(
        &browser,
        &[
            "--window-size=1280,2400",
            &format!("--screenshot={}", shot.display()),
            &page,
        ],
    );
    let size = std::fs::metadata(&shot).map(|m| m.len()).unwrap_or(0);
    assert!(
        size > 80_000,
        "the charts render to a non-trivial screenshot ({size} bytes)"
    );
}
