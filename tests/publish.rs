//! Publishing: subpath-proof output served over HTTP, feeds and JSON,
//! profiles, `init`, and link checking at build time.

mod common;

use std::collections::{BTreeSet, VecDeque};

use common::{build_example, hindsight, http_get, resolve_url, serve, stderr, tree, write_files};
use serde_json::Value;

#[test]
fn every_link_resolves_when_served_under_a_subpath() {
    let (_dir, site) = build_example(&["--base-url", "https://org.github.io/repo/"]);
    let base = serve(&site, "/repo/");
    let mut queue: VecDeque<String> = VecDeque::from([base.clone()]);
    let mut seen: BTreeSet<String> = BTreeSet::new();
    let mut broken = Vec::new();
    while let Some(url) = queue.pop_front() {
        if !seen.insert(url.clone()) {
            continue;
        }
        let (status, body) = http_get(&url);
        if status != 200 {
            broken.push(format!("{url}: {status}"));
            continue;
        }
        if !(url.ends_with('/') || url.ends_with(".html")) {
            continue;
        }
        for reference in common::references(&String::from_utf8_lossy(&body)) {
            if reference.starts_with('#')
                || reference.starts_with("mailto:")
                || reference.contains("://") && !reference.starts_with("http://127.0.0.1")
            {
                continue;
            }
            let target = resolve_url(&url, &reference);
            if target.starts_with(&base) && !seen.contains(&target) {
                queue.push_back(target);
            }
        }
    }
    assert!(seen.len() > 100, "crawled {} URLs", seen.len());
    assert!(
        broken.is_empty(),
        "broken under /repo/:\n{}",
        broken.join("\n")
    );
}

#[test]
fn feed_sitemap_and_json_are_valid_and_match_the_pages() {
    let (_dir, site) = build_example(&["--base-url", "https://org.github.io/repo/"]);
    let atom = std::fs::read_to_string(site.join("atom.xml")).unwrap();
    let doc = roxmltree::Document::parse(&atom).expect("the feed is XML");
    let feed = doc.root_element();
    assert_eq!(feed.tag_name().name(), "feed");
    assert_eq!(
        feed.tag_name().namespace(),
        Some("http://www.w3.org/2005/Atom")
    );
    for required in ["id", "title", "updated"] {
        assert!(
            feed.children().any(|c| c.has_tag_name(required)),
            "feed lacks {required}"
        );
    }
    let entries: Vec<_> = feed
        .children()
        .filter(|c| c.has_tag_name("entry"))
        .collect();
    assert!(!entries.is_empty());
    for entry in &entries {
        for required in ["id", "title", "updated", "link", "author"] {
            assert!(
                entry.children().any(|c| c.has_tag_name(required)),
                "entry lacks {required}"
            );
        }
        let updated = entry
            .children()
            .find(|c| c.has_tag_name("updated"))
            .unwrap()
            .text()
            .unwrap();
        assert!(
            updated.parse::<jiff::Timestamp>().is_ok(),
            "RFC 3339 updated: {updated}"
        );
    }

    let sitemap = std::fs::read_to_string(site.join("sitemap.xml")).unwrap();
    let doc = roxmltree::Document::parse(&sitemap).expect("the sitemap is XML");
    let locs: Vec<&str> = doc
        .descendants()
        .filter(|n| n.has_tag_name("loc"))
        .filter_map(|n| n.text())
        .collect();
    assert!(locs.contains(&"https://org.github.io/repo/incidents/2023-10-retry-storm/"));
    assert!(
        locs.iter()
            .all(|l| l.starts_with("https://org.github.io/repo/"))
    );
    assert!(
        std::fs::read_to_string(site.join("robots.txt"))
            .unwrap()
            .contains("Sitemap: https://org.github.io/repo/sitemap.xml")
    );

    let json: Value =
        serde_json::from_str(&std::fs::read_to_string(site.join("incidents.json")).unwrap())
            .unwrap();
    assert_eq!(json["schema"], "hindsight.incidents/v1");
    let ids: BTreeSet<String> = json["incidents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap().to_string())
        .collect();
    let pages: BTreeSet<String> = std::fs::read_dir(site.join("incidents"))
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| e.path().join("index.html").is_file())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        ids, pages,
        "incidents.json lists exactly the incident pages"
    );
    assert_eq!(json["count"].as_u64().unwrap() as usize, pages.len());
    let storm = json["incidents"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == "2023-10-retry-storm")
        .unwrap();
    assert_eq!(storm["impact"]["started_at"], "2023-10-30T11:40:00-04:00");
    assert_eq!(storm["duration_minutes"], 310);
    assert_eq!(storm["provenance"]["severity"]["source"], "frontmatter");
}

#[test]
fn a_profile_withholds_incidents_and_fields_everywhere() {
    let dir = tempfile::tempdir().unwrap();
    write_files(
        dir.path(),
        &[
            (
                "hindsight.toml",
                "base_url = \"https://example.org/\"\n[profiles.public]\nvisibility = [\"public\"]\nwithhold = [\"teams\", \"authors\", \"impact.revenue_lost\"]\n",
            ),
            (
                "content/secret.md",
                "---\ntitle: Quokkaborealis outage\nvisibility: internal\ncategory: security\nservices: [quokkaborealis-vault]\nseverity: SEV1\n---\n\nThe quokkaborealis vault leaked.\n",
            ),
            (
                "content/open.md",
                "---\ntitle: Public outage\ncategory: network\nteams: [Zanzibarteam]\nauthors: [Xylophonia Writer]\nseverity: SEV2\nrelated: [secret]\n---\n\nA public story. See [the other one](secret.md).\n",
            ),
        ],
    );
    let output = hindsight(dir.path(), &["build", "--profile", "public"]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("warning[unpublished-link]"),
        "{}",
        stderr(&output)
    );
    let site = tree(&dir.path().join("public"));
    assert!(site.keys().any(|k| k.starts_with("incidents/open/")));
    for (path, bytes) in &site {
        let text = String::from_utf8_lossy(bytes).to_lowercase();
        for marker in ["quokkaborealis", "zanzibarteam", "xylophonia"] {
            assert!(!text.contains(marker), "{marker} leaked into {path}");
        }
    }
    let json: Value = serde_json::from_slice(&site["incidents.json"]).unwrap();
    assert_eq!(
        json["count"], 1,
        "counts do not reveal the withheld incident"
    );
    let stats = String::from_utf8_lossy(&site["stats/index.html"]).to_string();
    assert!(stats.contains("data-figure=\"total\" data-value=\"1\""));

    // Without the profile, everything is published.
    let output = hindsight(dir.path(), &["build"]);
    assert!(output.status.success());
    assert!(
        dir.path()
            .join("public/incidents/secret/index.html")
            .is_file()
    );
    let unknown = hindsight(dir.path(), &["build", "--profile", "nope"]);
    assert_eq!(unknown.status.code(), Some(2));
    assert!(
        stderr(&unknown).contains("known profiles: public"),
        "{}",
        stderr(&unknown)
    );
}

#[test]
fn init_scaffolds_an_archive_that_builds_and_a_valid_pages_workflow() {
    let dir = tempfile::tempdir().unwrap();
    let output = hindsight(dir.path(), &["init", "archive"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let archive = dir.path().join("archive");
    let built = hindsight(&archive, &["build"]);
    assert!(built.status.success(), "{}", stderr(&built));
    assert!(archive.join("public/index.html").is_file());
    assert!(
        hindsight(&archive, &["build", "--profile", "public"])
            .status
            .success()
    );

    let workflow = std::fs::read_to_string(archive.join(".github/workflows/pages.yml")).unwrap();
    let yaml: Value = serde_saphyr::from_str(&workflow).expect("the workflow is valid YAML");
    let uses: Vec<String> = yaml["jobs"]
        .as_object()
        .unwrap()
        .values()
        .flat_map(|job| {
            job["steps"]
                .as_array()
                .unwrap()
                .iter()
                .filter_map(|s| s["uses"].as_str().map(String::from))
        })
        .collect();
    for action in [
        "actions/configure-pages",
        "actions/upload-pages-artifact",
        "actions/deploy-pages",
    ] {
        assert!(
            uses.iter().any(|u| u.starts_with(action)),
            "{action} in {uses:?}"
        );
    }
    assert!(workflow.contains("hindsight build"));

    let new = hindsight(&archive, &["new", "Cache stampede at noon"]);
    assert!(new.status.success(), "{}", stderr(&new));
    let path = String::from_utf8_lossy(&new.stdout).trim().to_string();
    let text = std::fs::read_to_string(archive.join(&path)).unwrap();
    assert!(text.contains("title: \"Cache stampede at noon\""));
    assert!(path.ends_with("-cache-stampede-at-noon.md"), "{path}");
    assert!(
        hindsight(&archive, &["build", "--drafts"]).status.success(),
        "a new postmortem builds as a draft"
    );
    assert_eq!(
        hindsight(&archive, &["init"]).status.code(),
        Some(0),
        "init keeps existing files"
    );
}

#[test]
fn broken_links_between_postmortems_fail_the_build_with_their_line() {
    let dir = tempfile::tempdir().unwrap();
    write_files(
        dir.path(),
        &[
            (
                "content/a.md",
                "---\ntitle: A\n---\n\n## Timeline\n\nSee [b](b.md#timeline) and [b's cause](b.md#root-cause).\n\nAnd [nothing](missing.md).\n\nAnd [here](#nowhere).\n",
            ),
            (
                "content/b.md",
                "---\ntitle: B\n---\n\n## Timeline\n\nText.\n",
            ),
            (
                "content/draft.md",
                "---\ntitle: Draft\nstatus: draft\n---\n\nDraft.\n",
            ),
            (
                "content/c.md",
                "---\ntitle: C\n---\n\nSee [the draft](draft.md).\n",
            ),
        ],
    );
    let output = hindsight(dir.path(), &["build"]);
    let log = stderr(&output);
    assert_eq!(output.status.code(), Some(1), "{log}");
    assert!(log.contains("content/a.md:7:1: error[broken-link]: #root-cause matches no heading of the linked page"), "{log}");
    assert!(
        !log.contains("#timeline matches"),
        "an existing anchor is fine: {log}"
    );
    assert!(
        log.contains("content/a.md:9:1: error[broken-link]"),
        "{log}"
    );
    assert!(
        log.contains("content/a.md:11:1: warning[broken-link]: #nowhere"),
        "{log}"
    );
    assert!(
        log.contains("content/c.md:5:1: warning[unpublished-link]"),
        "{log}"
    );
}
