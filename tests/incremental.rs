//! Watch mode's incremental rebuild through the library: after an edit it
//! resolves, renders and writes only what the edit touched, and the output
//! is byte-for-byte a clean build's.

mod common;

use std::path::Path;

use hindsight::build::{BuildOptions, BuildReport, Session, build, rebuild};

fn options(root: &Path, output: &Path) -> BuildOptions {
    BuildOptions {
        root: Some(root.to_path_buf()),
        output: Some(output.to_path_buf()),
        build_date: Some(jiff::civil::date(2026, 1, 1)),
        ..BuildOptions::default()
    }
}

/// Rebuilds in `session`, then checks the result against a clean build of
/// the same archive into another folder.
fn step(root: &Path, session: &mut Session) -> BuildReport {
    let live = root.join("public");
    let report = rebuild(&options(root, &live), session).expect("rebuild");
    let clean = root.join("clean");
    build(&options(root, &clean)).expect("clean build");
    assert!(
        common::tree(&live) == common::tree(&clean),
        "the rebuilt site differs from a clean build"
    );
    report
}

fn postmortem(title: &str, category: &str, body: &str) -> String {
    format!(
        "---\ntitle: {title}\ndate: 2024-03-0{n}\nseverity: SEV2\ncategory: {category}\nservices: [api]\n---\n\n{body}\n",
        n = title.len() % 9 + 1
    )
}

#[test]
fn an_edit_rebuilds_only_what_it_touches_and_matches_a_clean_build() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let mut files = Vec::new();
    for n in 0..12 {
        files.push((
            format!("content/pm-{n:02}.md"),
            postmortem(
                &format!("Outage number {n}"),
                if n % 2 == 0 { "network" } else { "database" },
                &format!(
                    "## Timeline\n\nBody of {n}.\n\n```rust\nfn main() {{ let x = {n}; }}\n```\n"
                ),
            ),
        ));
    }
    let refs: Vec<(&str, &str)> = files
        .iter()
        .map(|(p, t)| (p.as_str(), t.as_str()))
        .collect();
    common::write_files(root, &refs);

    let mut session = Session::default();
    let first = step(root, &mut session);
    assert_eq!(first.files_resolved, 12);
    assert_eq!(first.bodies_rendered, 12);
    assert_eq!(first.pages_rendered, first.pages);

    // Nothing changed: nothing is resolved, rendered or written.
    let same = step(root, &mut session);
    assert_eq!(
        (
            same.files_resolved,
            same.bodies_rendered,
            same.pages_rendered,
            same.files
        ),
        (0, 0, 0, 0)
    );

    // A body edit: one file resolved, one body and one page rendered.
    common::write_files(
        root,
        &[(
            "content/pm-03.md",
            &postmortem("Outage number 3", "database", "A new body, longer."),
        )],
    );
    let body = step(root, &mut session);
    assert_eq!(body.files_resolved, 1);
    assert_eq!(body.bodies_rendered, 1);
    assert_eq!(body.pages_rendered, 1, "only the incident's own page");

    // A category change: lists and terms change too, not every incident
    // page; bodies are not rendered again.
    common::write_files(
        root,
        &[(
            "content/pm-03.md",
            &postmortem("Outage number 3", "network", "A new body, longer."),
        )],
    );
    let category = step(root, &mut session);
    assert_eq!(category.bodies_rendered, 0);
    assert!(category.pages_rendered > 1);
    assert!(
        category.pages_rendered < category.pages,
        "{} of {} pages rendered",
        category.pages_rendered,
        category.pages
    );

    // A severity change: the incident's page, the lists and the term pages
    // that list it; not the other incident pages (their neighbours and
    // related incidents are the same).
    common::write_files(
        root,
        &[(
            "content/pm-03.md",
            &postmortem("Outage number 3", "network", "A new body, longer.")
                .replace("severity: SEV2", "severity: SEV1"),
        )],
    );
    let severity = step(root, &mut session);
    assert_eq!(severity.bodies_rendered, 0);
    let incident_pages = 12;
    assert!(
        severity.pages_rendered < severity.pages - incident_pages + 3,
        "{} of {} pages rendered",
        severity.pages_rendered,
        severity.pages
    );

    // A title change: the pages that show it as a neighbour or a related
    // incident change too (the clean-build comparison checks them).
    common::write_files(
        root,
        &[(
            "content/pm-03.md",
            &postmortem("Outage number 3", "network", "A new body, longer.")
                .replace("title: Outage number 3", "title: Outage three, renamed"),
        )],
    );
    let title = step(root, &mut session);
    assert!(title.pages_rendered > 1);

    // A deleted file and a template override: still a clean build's output.
    std::fs::remove_file(root.join("content/pm-05.md")).unwrap();
    step(root, &mut session);
    common::write_files(
        root,
        &[(
            "templates/404.html",
            "{% extends \"base.html\" %}{% block content %}<p>Gone.</p>{% endblock %}",
        )],
    );
    let template = step(root, &mut session);
    assert_eq!(
        template.pages_rendered, template.pages,
        "a template change renders every page"
    );
}

#[test]
fn with_the_watchers_paths_a_rebuild_reads_only_those_and_still_matches_a_clean_build() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let files: Vec<(String, String)> = (0..8)
        .map(|n| {
            (
                format!("content/pm-{n}.md"),
                postmortem(&format!("Outage {n}"), "network", &format!("Body {n}.")),
            )
        })
        .collect();
    let refs: Vec<(&str, &str)> = files
        .iter()
        .map(|(p, t)| (p.as_str(), t.as_str()))
        .collect();
    common::write_files(root, &refs);
    let content = std::path::absolute(root.join("content")).unwrap();
    let mut session = Session::default();
    step(root, &mut session);
    assert!(session.walked_folder());

    // An edit that changes the category, and a new file: only those two
    // are read and resolved, no walk.
    common::write_files(
        root,
        &[
            (
                "content/pm-2.md",
                &postmortem("Outage 2", "database", "Body 2, edited."),
            ),
            (
                "content/new.md",
                &postmortem("A new one", "network", "Fresh."),
            ),
        ],
    );
    session.note_changes(Some(&[content.join("pm-2.md"), content.join("new.md")]));
    let report = step(root, &mut session);
    assert!(!session.walked_folder());
    assert_eq!(report.files_resolved, 2);
    assert_eq!(report.incidents, 9);

    // A known file removed, reported by path: applied without a walk (the
    // watch loop itself walks after removals and renames, whose events
    // the debouncer can merge away).
    std::fs::remove_file(root.join("content/pm-5.md")).unwrap();
    session.note_changes(Some(&[content.join("pm-5.md")]));
    let report = step(root, &mut session);
    assert!(!session.walked_folder());
    assert_eq!(report.incidents, 8);

    // Lost events: walk.
    common::write_files(
        root,
        &[("content/pm-1.md", &postmortem("Outage 1", "time", "Later."))],
    );
    session.note_changes(None);
    step(root, &mut session);
    assert!(session.walked_folder());
}
