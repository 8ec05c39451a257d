//! `hindsight build` with nothing changed since the last build: the build
//! stamp finds the output up to date, renders nothing and writes nothing,
//! and reports the last build's warnings again; any change to an input,
//! the options, the date or the output folder builds in full, and the
//! result is always a clean build's.

mod common;

use std::path::Path;

use common::{hindsight, stderr, tree, write_files};

const POSTMORTEM: &str = "---\ntitle: Queue backlog\ndate: 2024-03-04\nseverity: SEV2\ncategory: capacity\nservices: [queue]\nowner_team: platform\n---\n\n## Summary\n\nThe queue backed up for an hour.\n\n## Action items\n\n- [ ] Alert on queue depth (owner: ops, due: 2024-06-01)\n";

fn archive() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    write_files(
        dir.path(),
        &[
            ("hindsight.toml", "title = \"Stamp test\"\n"),
            ("content/2024-queue.md", POSTMORTEM),
            (
                "content/2024-dns.md",
                "---\ntitle: DNS outage\ndate: 2024-05-01\nseverity: SEV1\ncategory: dns\nmood: grim\n---\n\nResolvers failed.\n",
            ),
        ],
    );
    dir
}

/// Runs `hindsight build ARGS` in `root` with a fixed build date; returns
/// stderr, asserting success.
fn build(root: &Path, args: &[&str]) -> String {
    let output = assert_cmd::Command::cargo_bin("hindsight")
        .unwrap()
        .current_dir(root)
        .env("SOURCE_DATE_EPOCH", "1767225600") // 2026-01-01
        .arg("build")
        .args(args)
        .output()
        .unwrap();
    let log = stderr(&output);
    assert!(output.status.success(), "{log}");
    log
}

fn up_to_date(log: &str) -> bool {
    log.contains("is up to date") && log.contains("0 files written")
}

/// The site equals a clean build of the same archive into a fresh folder.
fn assert_clean(root: &Path) {
    let clean = tempfile::tempdir().unwrap();
    let folder = clean.path().join("site");
    build(root, &["--output", folder.to_str().unwrap()]);
    assert!(
        tree(&root.join("public")) == tree(&folder),
        "the site differs from a clean build"
    );
}

#[cfg(unix)]
fn inode(path: &Path) -> u64 {
    std::os::unix::fs::MetadataExt::ino(&std::fs::metadata(path).unwrap())
}

#[test]
fn a_second_build_with_nothing_changed_writes_nothing_and_repeats_the_warnings() {
    let dir = archive();
    let root = dir.path();
    let first = build(root, &[]);
    assert!(first.contains("built 2 incidents"), "{first}");
    assert!(first.contains("unknown-field"), "{first}");
    let page = root.join("public/incidents/2024-queue/index.html");
    let before = tree(&root.join("public"));
    #[cfg(unix)]
    let page_inode = inode(&page);

    let second = build(root, &[]);
    assert!(up_to_date(&second), "{second}");
    assert!(second.contains("2 incidents"), "{second}");
    assert!(second.contains("unknown-field"), "warnings again: {second}");
    assert!(tree(&root.join("public")) == before);
    #[cfg(unix)]
    assert_eq!(inode(&page), page_inode, "the page was not rewritten");

    // --force renders everything again (and rewrites nothing that is the same).
    let forced = build(root, &["--force"]);
    assert!(forced.contains("built 2 incidents"), "{forced}");
    assert!(forced.contains("0 files written"), "{forced}");
    assert!(up_to_date(&build(root, &[])));
}

#[test]
fn any_change_to_inputs_options_date_or_output_builds_again() {
    let dir = archive();
    let root = dir.path();
    build(root, &[]);
    let page = root.join("public/incidents/2024-queue/index.html");

    // A body edit of the same length, just after the build.
    std::fs::write(
        root.join("content/2024-queue.md"),
        POSTMORTEM.replace("an hour", "a day!"),
    )
    .unwrap();
    let log = build(root, &[]);
    assert!(log.contains("built 2 incidents"), "{log}");
    assert!(std::fs::read_to_string(&page).unwrap().contains("a day!"));
    assert_clean(root);
    // The previous site is kept as the next build's starting point, so
    // the builds below update it instead of a fresh folder.
    assert!(root.join(".public.recycle/index.html").is_file());
    assert!(up_to_date(&build(root, &[])));

    // A new file, then its removal.
    write_files(
        root,
        &[(
            "content/2024-disk.md",
            "---\ntitle: Disk full\ndate: 2024-07-01\nseverity: SEV3\ncategory: capacity\n---\n\nLogs filled the disk.\n",
        )],
    );
    assert!(build(root, &[]).contains("built 3 incidents"));
    std::fs::remove_file(root.join("content/2024-disk.md")).unwrap();
    assert!(build(root, &[]).contains("built 2 incidents"));
    assert!(!root.join("public/incidents/2024-disk").exists());
    assert_clean(root);

    // The configuration and a template override.
    write_files(root, &[("hindsight.toml", "title = \"Renamed archive\"\n")]);
    assert!(!up_to_date(&build(root, &[])));
    assert!(
        std::fs::read_to_string(root.join("public/index.html"))
            .unwrap()
            .contains("Renamed archive")
    );
    assert!(up_to_date(&build(root, &[])));
    write_files(root, &[("static/extra.txt", "hello\n")]);
    assert!(!up_to_date(&build(root, &[])));
    assert!(root.join("public/extra.txt").is_file());
    assert!(up_to_date(&build(root, &[])));

    // Other options, and another build date.
    assert!(!up_to_date(&build(root, &["--drafts"])));
    assert!(!up_to_date(&build(root, &[])));
    let other_day = assert_cmd::Command::cargo_bin("hindsight")
        .unwrap()
        .current_dir(root)
        .env("SOURCE_DATE_EPOCH", "1767312000") // 2026-01-02
        .arg("build")
        .output()
        .unwrap();
    assert!(stderr(&other_day).contains("built 2 incidents"));
    assert!(!up_to_date(&build(root, &[])));

    // The output folder changed behind Hindsight's back: a page removed, a
    // stray file added. The next build puts the site right.
    std::fs::remove_file(&page).unwrap();
    std::fs::write(root.join("public/stray.html"), "stray").unwrap();
    assert!(build(root, &[]).contains("built 2 incidents"));
    assert!(page.is_file());
    assert!(!root.join("public/stray.html").exists());
    assert_clean(root);
}

#[test]
fn a_failed_build_keeps_the_stamp_of_the_untouched_output() {
    let dir = archive();
    let root = dir.path();
    build(root, &[]);
    let file = root.join("content/2024-dns.md");
    let good = std::fs::read_to_string(&file).unwrap();
    let modified = std::fs::metadata(&file).unwrap().modified().unwrap();
    write_files(
        root,
        &[("content/2024-dns.md", "---\ntitle: [unclosed\n---\n")],
    );
    let failed = hindsight(root, &["build"]);
    assert!(!failed.status.success());
    assert!(stderr(&failed).contains("left untouched"));
    // Put the file back as it was, time included: the output is still
    // that build's, so nothing needs doing.
    write_files(root, &[("content/2024-dns.md", &good)]);
    std::fs::File::options()
        .write(true)
        .open(&file)
        .and_then(|f| f.set_modified(modified))
        .unwrap();
    let log = build(root, &[]);
    assert!(up_to_date(&log), "{log}");
    assert_clean(root);
}
