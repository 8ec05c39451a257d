//! The example archive in `content/` builds into a complete site.

mod common;

use common::{broken_links, build_example, hindsight, repo, stderr};

fn markdown_files() -> Vec<std::path::PathBuf> {
    walkdir::WalkDir::new(repo().join("content"))
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.path().extension().is_some_and(|x| x == "md"))
        .map(|e| e.into_path())
        .collect()
}

#[test]
fn every_published_postmortem_has_a_page_and_drafts_do_not() {
    let (_dir, site) = build_example(&[]);
    let mut pages = 0;
    let mut drafts = 0;
    for file in markdown_files() {
        let text = std::fs::read_to_string(&file).unwrap();
        let title = text
            .lines()
            .find_map(|l| l.strip_prefix("title: ").map(str::to_string))
            .or_else(|| {
                text.lines()
                    .find_map(|l| l.strip_prefix("# ").map(str::to_string))
            })
            .unwrap();
        let is_draft = text
            .lines()
            .take_while(|l| !l.starts_with("# "))
            .any(|l| l == "status: draft");
        let found = walkdir::WalkDir::new(site.join("incidents"))
            .min_depth(2)
            .into_iter()
            .filter_map(Result::ok)
            .filter(|e| e.file_name() == "index.html")
            .any(|e| {
                std::fs::read_to_string(e.path())
                    .unwrap()
                    .contains(&format!("<h1>{}</h1>", title.replace('\'', "&#39;")))
            });
        if is_draft {
            drafts += 1;
            assert!(!found, "draft {} was published", file.display());
        } else {
            pages += 1;
            assert!(found, "no page for {} ({title})", file.display());
        }
    }
    assert!(
        pages >= 15,
        "the example archive has at least 15 published postmortems, found {pages}"
    );
    assert_eq!(drafts, 1, "the example archive has one draft");
}

#[test]
fn drafts_flag_publishes_the_draft() {
    let out = tempfile::tempdir().unwrap();
    let site = out.path().join("public");
    let output = hindsight(
        &repo(),
        &["build", "--drafts", "--output", site.to_str().unwrap()],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(
        site.join("incidents/2025-03-warehouse-duplicate-shipments/index.html")
            .is_file()
    );
}

#[test]
fn every_index_and_term_page_exists() {
    let (_dir, site) = build_example(&[]);
    for page in [
        "index.html",
        "404.html",
        "incidents/index.html",
        "style.css",
        "syntax.css",
    ] {
        assert!(site.join(page).is_file(), "{page} missing");
    }
    let categories = [
        "config-change",
        "code-change",
        "capacity",
        "cascading-failure",
        "dependency",
        "network",
        "database",
        "hardware-power",
        "security",
        "time",
        "automation",
        "race-or-conflict",
        "operational-procedure",
        "unknown",
    ];
    let fixed: Vec<(&str, Vec<&str>)> = vec![
        ("categories", categories.to_vec()),
        ("severity", vec!["sev1", "sev2", "sev3", "sev4", "unrated"]),
        (
            "duration",
            vec![
                "under-15m",
                "15m-1h",
                "1h-4h",
                "4h-24h",
                "over-1d",
                "unknown",
            ],
        ),
        (
            "impact",
            vec!["under-5pct", "5-25pct", "25-50pct", "50pct-plus", "unknown"],
        ),
        (
            "services",
            vec!["checkout", "payments-api", "edge-proxy", "search"],
        ),
        ("teams", vec!["payments", "platform"]),
        ("tags", vec!["tls", "postgres"]),
        ("years", vec!["2023", "2024"]),
    ];
    for (taxonomy, terms) in fixed {
        let index = std::fs::read_to_string(site.join(taxonomy).join("index.html"))
            .unwrap_or_else(|_| panic!("{taxonomy}/index.html missing"));
        for term in terms {
            let page = site.join(taxonomy).join(term).join("index.html");
            let html = std::fs::read_to_string(&page)
                .unwrap_or_else(|_| panic!("{} missing", page.display()));
            assert!(
                index.contains(&format!("href=\"../{taxonomy}/{term}/index.html\"")),
                "{taxonomy} index does not link {term}"
            );
            // The example archive covers every fixed term: none is empty.
            assert!(
                html.contains("incident-table"),
                "{taxonomy}/{term} lists no incidents"
            );
            assert!(
                !html.contains("No incidents here yet"),
                "{taxonomy}/{term} is empty; content/ should cover it"
            );
        }
    }
}

#[test]
fn term_pages_list_exactly_their_incidents_with_counts() {
    let (_dir, site) = build_example(&[]);
    let index = std::fs::read_to_string(site.join("severity/index.html")).unwrap();
    let sev1 = std::fs::read_to_string(site.join("severity/sev1/index.html")).unwrap();
    let rows = sev1.matches("<td class=\"title\">").count();
    // Three SEV1s in the example: flag rollout, retry storm, leaked token.
    assert_eq!(rows, 3, "SEV1 page rows");
    for title in [
        "Checkout flag rollout",
        "Client retries turn",
        "API token committed",
    ] {
        assert!(sev1.contains(title), "SEV1 page misses {title}");
    }
    let sev1_row = index.split("sev1/index.html").nth(1).unwrap();
    assert!(
        sev1_row.contains("<td class=\"num\">3</td>"),
        "SEV1 count on the severity index"
    );
}

#[test]
fn every_relative_link_and_asset_resolves() {
    let (_dir, site) = build_example(&[]);
    let broken = broken_links(&site);
    assert!(broken.is_empty(), "broken links:\n{}", broken.join("\n"));
    // Links between postmortems and images beside them were rewritten.
    let storm =
        std::fs::read_to_string(site.join("incidents/2023-10-retry-storm/index.html")).unwrap();
    assert!(storm.contains("href=\"../2023-04-checkout-feature-flag/index.html\""));
    assert!(
        site.join("assets/2024/img/route-leak-latency.svg")
            .is_file()
    );
}

#[test]
fn incident_page_shows_the_metadata_panel() {
    let (_dir, site) = build_example(&[]);
    let html =
        std::fs::read_to_string(site.join("incidents/2023-10-retry-storm/index.html")).unwrap();
    for expected in [
        "SEV1",
        "2023-10-30 11:40 UTC-04:00",
        "2023-10-30 15:40 UTC",
        "5 h 10 min",
        "41%",
        "Cascading failure",
        "payments-api",
        "Time to detect",
        "Shed load by deadline in payments-api",
        "class=\"code highlighted\" data-lang=\"go\"",
    ] {
        assert!(html.contains(expected), "incident page lacks {expected:?}");
    }
    // Zone-aware display: Chicago postmortem shows CDT.
    let power =
        std::fs::read_to_string(site.join("incidents/2024-04-datacentre-power-loss/index.html"))
            .unwrap();
    assert!(
        power.contains("2024-04-22 03:15 CDT"),
        "local time in the postmortem's zone"
    );
}

#[test]
fn build_output_is_deterministic() {
    let (_a, first) = build_example(&[]);
    let (_b, second) = build_example(&[]);
    assert!(
        common::tree(&first) == common::tree(&second),
        "two builds of the same input differ"
    );
}
