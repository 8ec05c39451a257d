//! A real headless browser opens the built example archive from `file://`:
//! the pages render with their stylesheet and links work without a server.
//!
//! Skips with a message where Chromium is missing, except under `CI`,
//! where `.ci/run` installs Debian's `chromium` and a missing browser fails.

mod common;

use std::path::Path;
use std::process::Command;

/// Runs headless Chromium with the flags this machine needs (no network
/// beyond loopback, fresh profile).
fn headless(browser: &Path, args: &[&str]) -> std::process::Output {
    let profile = tempfile::tempdir().unwrap();
    Command::new(browser)
        .args(common::CHROMIUM_FLAGS)
        .arg("--hide-scrollbars")
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(args)
        .output()
        .expect("chromium runs")
}

#[test]
fn pages_render_from_file_urls_in_a_real_browser() {
    let Some(browser) = common::browser_or_skip() else {
        return;
    };
    let (out, site) = common::build_example(&[]);

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
    let Some(browser) = common::browser_or_skip() else {
        return;
    };
    let (out, site) = common::build_example(&[]);
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

/// The `data-url`s of the result rows in a dumped DOM.
fn result_urls(dom: &str) -> Vec<String> {
    let table = &dom[dom
        .find("id=\"search-results\"")
        .expect("the search view is built")..];
    let mut urls = Vec::new();
    let mut rest = table;
    while let Some(at) = rest.find("data-url=\"") {
        let value = &rest[at + 10..];
        urls.push(value[..value.find('"').unwrap()].to_string());
        rest = value;
    }
    urls
}

/// The count shown beside a facet value in a dumped DOM.
fn facet_count(dom: &str, facet: &str, value: &str) -> usize {
    let anchor = format!("data-facet=\"{facet}\" data-value=\"{value}\"");
    let at = dom
        .find(&anchor)
        .unwrap_or_else(|| panic!("no facet {facet}={value}"));
    let rest = &dom[at..];
    let start = rest.find("facet-count count\">").unwrap() + "facet-count count\">".len();
    rest[start..start + rest[start..].find('<').unwrap()]
        .parse()
        .unwrap()
}

#[test]
fn search_and_facets_work_over_http_and_the_url_holds_the_view() {
    let Some(browser) = common::browser_or_skip() else {
        return;
    };
    let (_out, site) = common::build_example(&[]);
    let base = common::serve(&site, "/repo/");
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(site.join("incidents.json")).unwrap()).unwrap();
    let incidents = json["incidents"].as_array().unwrap();
    let view = |query: &str| {
        let url = format!("{base}incidents/index.html{query}");
        let dom = headless(
            &browser,
            &["--virtual-time-budget=10000", "--dump-dom", &url],
        );
        String::from_utf8_lossy(&dom.stdout).into_owned()
    };

    // Full text: a word that only one postmortem uses (in a code block).
    let dom = view("?q=gitleaks");
    assert_eq!(
        result_urls(&dom),
        ["incidents/2024-05-leaked-api-token/index.html"],
        "full-text search"
    );
    // Prefix matching and several words: every word must match.
    let dom = view("?q=certif%20mobile");
    assert_eq!(
        result_urls(&dom),
        ["incidents/2023-02-edge-certificate-expiry/index.html"]
    );

    // Facets narrow the list; counts take the other filters into account.
    let dom = view("?category=network&severity=sev2");
    let expected: Vec<String> = incidents
        .iter()
        .filter(|i| i["category"] == "network" && i["severity"] == "SEV2")
        .map(|i| i["url"].as_str().unwrap().to_string())
        .collect();
    assert!(!expected.is_empty());
    assert_eq!(
        result_urls(&dom),
        expected,
        "category and severity together"
    );
    for (severity, label) in [("sev1", "SEV1"), ("sev2", "SEV2"), ("sev3", "SEV3")] {
        let count = incidents
            .iter()
            .filter(|i| i["category"] == "network" && i["severity"] == label)
            .count();
        assert_eq!(
            facet_count(&dom, "severity", severity),
            count,
            "count for {severity} among network incidents"
        );
    }
    let sev2_total = incidents.iter().filter(|i| i["severity"] == "SEV2").count();
    let sev2_network = incidents
        .iter()
        .filter(|i| i["severity"] == "SEV2" && i["category"] == "network")
        .count();
    assert_eq!(facet_count(&dom, "category", "network"), sev2_network);
    assert!(
        sev2_total > sev2_network,
        "the fixture has SEV2 incidents of other categories"
    );
    assert!(dom.contains(&format!(
        "{} of {} incidents",
        expected.len(),
        incidents.len()
    )));

    // Sorting by duration, longest first.
    let dom = view("?sort=duration&severity=sev2");
    let urls = result_urls(&dom);
    let minutes: Vec<i64> = urls
        .iter()
        .map(|u| {
            incidents.iter().find(|i| i["url"] == u.as_str()).unwrap()["duration_minutes"]
                .as_i64()
                .unwrap_or(-1)
        })
        .collect();
    assert!(
        minutes.windows(2).all(|w| w[0] >= w[1]),
        "sorted by duration: {minutes:?}"
    );

    // Without JavaScript the static table lists everything.
    let static_html = std::fs::read_to_string(site.join("incidents/index.html")).unwrap();
    assert_eq!(
        static_html.matches("<td class=\"title\">").count(),
        incidents.len()
    );
}
