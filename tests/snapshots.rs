//! Snapshots of rendered HTML: one incident page and one index page of a
//! fixed archive (`tests/fixtures/snapshot/`). Review changes with
//! `cargo insta review`.

mod common;

use common::{hindsight, repo, stderr};

fn built_page(page: &str) -> String {
    let out = tempfile::tempdir().unwrap();
    let site = out.path().join("public");
    let fixture = repo().join("tests/fixtures/snapshot");
    let output = hindsight(&fixture, &["build", "--output", site.to_str().unwrap()]);
    assert!(output.status.success(), "{}", stderr(&output));
    std::fs::read_to_string(site.join(page)).unwrap()
}

fn settings() -> insta::Settings {
    let mut settings = insta::Settings::clone_current();
    settings.add_filter(r"hindsight \d+\.\d+\.\d+", "hindsight [version]");
    settings
}

#[test]
fn incident_page() {
    let html = built_page("incidents/queue-stall/index.html");
    settings().bind(|| insta::assert_snapshot!("incident_page", html));
}

#[test]
fn category_term_page() {
    let html = built_page("categories/code-change/index.html");
    settings().bind(|| insta::assert_snapshot!("category_term_page", html));
}

#[test]
fn severity_index_page() {
    let html = built_page("severity/index.html");
    settings().bind(|| insta::assert_snapshot!("severity_index_page", html));
}

#[test]
fn free_form_incident_page_marks_inferred_values() {
    let html = built_page("incidents/disk-alarm/index.html");
    assert!(
        html.contains(
            "title=\"Inferred from the text: line 5: On February 4, 2024, from 02:10 to 02:40 UTC"
        ),
        "{html}"
    );
    settings().bind(|| insta::assert_snapshot!("free_form_incident_page", html));
}
