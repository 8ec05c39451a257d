//! Insight pages: statistics equal figures computed here from `inspect`,
//! charts are well-formed SVG with titles, action items list overdue ones
//! first, related incidents are explicit first and never the incident
//! itself.

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use common::{corpus, hindsight, repo, stderr, write_files};
use serde_json::Value;

/// Nearest-rank percentile, written here independently of the library.
fn percentile(sorted: &[i64], p: usize) -> Option<i64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = ((p * sorted.len()) as f64 / 100.0).ceil().max(1.0) as usize;
    Some(sorted[rank - 1])
}

fn attribute<'a>(html: &'a str, anchor: &str, name: &str) -> &'a str {
    let at = html
        .find(anchor)
        .unwrap_or_else(|| panic!("{anchor} not on the page"));
    let rest = &html[at..];
    let key = format!("{name}=\"");
    let start = rest
        .find(&key)
        .unwrap_or_else(|| panic!("no {name} after {anchor}"))
        + key.len();
    &rest[start..start + rest[start..].find('"').unwrap()]
}

/// Builds `content` (with `root` for configuration), inspects the same
/// files, and checks the statistics page against figures computed here.
fn stats_match(root: &Path, content: &Path, extra: &[&str]) {
    let out = tempfile::tempdir().unwrap();
    let site = out.path().join("site");
    let mut args = vec![
        "build",
        "--output",
        site.to_str().unwrap(),
        "--content",
        content.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    let build = hindsight(root, &args);
    assert!(build.status.success(), "{}", stderr(&build));
    let html = std::fs::read_to_string(site.join("stats/index.html")).unwrap();

    let mut inspect_args = vec!["inspect", "--format", "json", content.to_str().unwrap()];
    inspect_args.extend_from_slice(extra);
    let inspect = hindsight(root, &inspect_args);
    let reports: Vec<Value> = serde_json::from_slice(&inspect.stdout).unwrap();
    let published: Vec<&Value> = reports
        .iter()
        .filter(|r| r["is_postmortem"] == true && r["status"] != "draft")
        .collect();

    assert_eq!(
        attribute(&html, "data-figure=\"total\"", "data-value"),
        published.len().to_string()
    );
    let mut durations: Vec<i64> = published
        .iter()
        .filter_map(|r| r["duration_minutes"].as_i64())
        .collect();
    durations.sort_unstable();
    let row = "<tr data-figure=\"duration\">";
    assert_eq!(
        attribute(&html, row, "data-n"),
        durations.len().to_string(),
        "n of N"
    );
    for (name, p) in [
        ("data-median", 50),
        ("data-p75", 75),
        ("data-p90", 90),
        ("data-max", 100),
    ] {
        let expected = percentile(&durations, p).map_or("none".to_string(), |v| v.to_string());
        assert_eq!(attribute(&html, row, name), expected, "{name}");
    }

    let mut buckets: BTreeMap<&str, usize> = BTreeMap::new();
    for r in &published {
        let slug = match r["duration_minutes"].as_i64() {
            None => "unknown",
            Some(m) if m < 15 => "under-15m",
            Some(m) if m < 60 => "15m-1h",
            Some(m) if m < 240 => "1h-4h",
            Some(m) if m < 1440 => "4h-24h",
            Some(_) => "over-1d",
        };
        *buckets.entry(slug).or_default() += 1;
    }
    for slug in [
        "under-15m",
        "15m-1h",
        "1h-4h",
        "4h-24h",
        "over-1d",
        "unknown",
    ] {
        let got = attribute(&html, &format!("<tr data-slug=\"{slug}\">"), "data-count");
        assert_eq!(
            got,
            buckets.get(slug).copied().unwrap_or(0).to_string(),
            "duration bucket {slug}"
        );
    }

    let mut months: BTreeMap<String, usize> = BTreeMap::new();
    for r in &published {
        if let Some(date) = r["date"].as_str() {
            *months.entry(date[..7].to_string()).or_default() += 1;
        }
    }
    assert!(!months.is_empty());
    for (month, count) in &months {
        let got = attribute(&html, &format!("<tr data-month=\"{month}\">"), "data-total");
        assert_eq!(got, count.to_string(), "incidents in {month}");
    }
}

#[test]
fn statistics_of_the_example_archive_match_independent_figures() {
    stats_match(&repo(), &repo().join("content"), &[]);
}

#[test]
fn statistics_of_the_corpus_match_independent_figures() {
    let Some(corpus) = corpus() else {
        eprintln!("skipped: ../shared/corpus is not present");
        return;
    };
    let empty = tempfile::tempdir().unwrap();
    stats_match(empty.path(), &corpus, &[]);
}

#[test]
fn every_chart_is_well_formed_svg_with_a_title() {
    let out = tempfile::tempdir().unwrap();
    let site = out.path().join("site");
    assert!(
        hindsight(&repo(), &["build", "--output", site.to_str().unwrap()])
            .status
            .success()
    );
    let mut charts = 0;
    for page in [
        "stats/index.html",
        "incidents/2023-10-retry-storm/index.html",
    ] {
        let html = std::fs::read_to_string(site.join(page)).unwrap();
        let mut rest = html.as_str();
        while let Some(start) = rest.find("<svg class=\"chart\"") {
            let end = rest[start..].find("</svg>").unwrap() + start + "</svg>".len();
            let svg = &rest[start..end];
            let doc = roxmltree::Document::parse(svg)
                .unwrap_or_else(|e| panic!("{page}: not well-formed: {e}\n{svg}"));
            let title = doc
                .descendants()
                .find(|n| n.has_tag_name("title"))
                .expect("a <title>");
            assert!(
                !title.text().unwrap_or("").trim().is_empty(),
                "{page}: empty title"
            );
            assert!(
                doc.descendants().any(|n| n.has_tag_name("desc")),
                "{page}: a text alternative"
            );
            charts += 1;
            rest = &rest[end..];
        }
    }
    assert!(
        charts >= 6,
        "five charts on the statistics page and a clock axis, found {charts}"
    );
}

const ITEMS: &str = "---\ntitle: Items\ndate: 2023-06-01\naction_items:\n  - title: Later work\n    owner: Ana\n    due: 2030-01-01\n  - title: Finished work\n    owner: Ana\n    status: done\n    due: 2020-01-01\n  - title: Late work\n    owner: Bo\n    status: in-progress\n    due: 2023-12-01\n  - title: Unowned work\n---\n\nBody text of the incident.\n";

#[test]
fn overdue_items_come_first_and_done_items_are_not_open() {
    let dir = tempfile::tempdir().unwrap();
    write_files(dir.path(), &[("content/items.md", ITEMS)]);
    let output = assert_cmd::Command::cargo_bin("hindsight")
        .unwrap()
        .current_dir(dir.path())
        .env("SOURCE_DATE_EPOCH", "1704067200") // 2024-01-01
        .arg("build")
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    let html = std::fs::read_to_string(dir.path().join("public/action-items/index.html")).unwrap();
    let late = html.find("Late work").expect("the overdue item is listed");
    let later = html.find("Later work").expect("open items are listed");
    let unowned = html.find("Unowned work").expect("unowned items are listed");
    assert!(late < later && late < unowned, "overdue first");
    assert!(
        html[..later].contains("id=\"overdue-items\""),
        "in the overdue list"
    );
    assert!(!html.contains("Finished work"), "a done item is not open");
    assert!(
        html.contains("Overdue means due before 2024-01-01"),
        "the build date comes from SOURCE_DATE_EPOCH"
    );
    let ana = html.find(">Ana <").unwrap();
    let unassigned = html.find(">Unassigned <").unwrap();
    assert!(ana < unassigned, "grouped by owner, unassigned last");
}

#[test]
fn related_incidents_are_explicit_first_never_self_and_deterministic() {
    let dir = tempfile::tempdir().unwrap();
    let pm = |id: &str, date: &str, extra: &str| {
        format!(
            "---\ntitle: Incident {id}\nid: {id}\ndate: {date}\ncategory: network\nservices: [edge]\n{extra}---\n\nBody of incident {id}.\n"
        )
    };
    write_files(
        dir.path(),
        &[
            ("content/a.md", &pm("a", "2024-03-01", "related: [z]\n")),
            ("content/b.md", &pm("b", "2024-02-20", "")),
            ("content/c.md", &pm("c", "2023-01-01", "")),
            (
                "content/z.md",
                "---\ntitle: Incident z\nid: z\ndate: 2020-01-01\ncategory: time\n---\n\nUnrelated body.\n",
            ),
        ],
    );
    let read = |dir: &Path| {
        assert!(hindsight(dir, &["build"]).status.success());
        std::fs::read_to_string(dir.join("public/incidents/a/index.html")).unwrap()
    };
    let html = read(dir.path());
    let section = &html[html.find("id=\"see-also\"").expect("a see-also section")..];
    let z = section.find("Incident z").unwrap();
    let b = section.find("Incident b").unwrap();
    let c = section.find("Incident c").unwrap();
    assert!(
        z < b && b < c,
        "explicit first, then by similarity and nearness in time"
    );
    assert!(section.contains("listed as related"));
    assert!(section.contains("same category and service: edge"));
    assert!(
        !section[..section.find("</section>").unwrap()].contains(">Incident a<"),
        "never itself"
    );
    assert!(
        html.contains("Has this happened before?"),
        "b is the same category and service within 90 days"
    );
    assert_eq!(html, read(dir.path()), "deterministic");
}

#[test]
fn action_items_read_from_prose_are_neither_open_nor_settled() {
    let dir = tempfile::tempdir().unwrap();
    write_files(
        dir.path(),
        &[(
            "content/prose.md",
            "# Queue outage\n\nOn May 2, 2024, from 10:00 to 11:00 UTC about 5% of users saw delayed messages because a consumer crashed.\n\n## Action items\n\n- Add a dead-letter queue for poison messages.\n- Alert on consumer restarts.\n",
        )],
    );
    let output = hindsight(dir.path(), &["build"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let actions =
        std::fs::read_to_string(dir.path().join("public/action-items/index.html")).unwrap();
    assert!(
        !actions.contains("dead-letter queue"),
        "an item of unknown status is not listed as open"
    );
    let page =
        std::fs::read_to_string(dir.path().join("public/incidents/prose/index.html")).unwrap();
    assert!(
        page.contains("dead-letter queue") && page.contains("status not stated"),
        "the incident page lists it, honestly"
    );
    let stats = std::fs::read_to_string(dir.path().join("public/stats/index.html")).unwrap();
    assert!(
        stats.contains("2 read from postmortems that do not state their status"),
        "{stats}"
    );
    assert!(
        stats.contains("data-figure=\"actions-completion\" data-value=\"\">—<"),
        "no item has a known status, so there is no completion figure"
    );
}

#[test]
fn the_recurrence_hint_names_the_five_newest_and_counts_the_others() {
    let dir = tempfile::tempdir().unwrap();
    let pm = |id: &str, date: &str| {
        format!(
            "---\ntitle: Incident {id}\nid: {id}\ndate: {date}\ncategory: network\nservices: [edge]\n---\n\nBody of incident {id}.\n"
        )
    };
    let days = [
        "2024-02-28",
        "2024-02-20",
        "2024-02-10",
        "2024-02-01",
        "2024-01-20",
        "2024-01-10",
        "2024-01-01",
    ];
    let mut files = vec![("content/now.md".to_string(), pm("now", "2024-03-01"))];
    files.extend(
        days.iter()
            .enumerate()
            .map(|(n, day)| (format!("content/r{n}.md"), pm(&format!("r{n}"), day))),
    );
    let files: Vec<(&str, &str)> = files
        .iter()
        .map(|(path, text)| (path.as_str(), text.as_str()))
        .collect();
    write_files(dir.path(), &files);
    assert!(hindsight(dir.path(), &["build"]).status.success());
    let html = std::fs::read_to_string(dir.path().join("public/incidents/now/index.html")).unwrap();
    let start = html.find("Has this happened before?").expect("a hint");
    let hint = &html[start..start + html[start..].find("</aside>").unwrap()];
    let named: Vec<usize> = (0..7)
        .filter(|n| hint.contains(&format!(">Incident r{n}<")))
        .collect();
    assert_eq!(named, [0, 1, 2, 3, 4], "the five newest: {hint}");
    assert!(hint.contains(" and 2 more."), "the others counted: {hint}");
}
