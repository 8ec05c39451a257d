//! Bad input: every problem is reported with its code and file:line, in one
//! pass; errors exit 1 and leave the previous output byte-for-byte as it was.

mod common;

use common::{hindsight, stderr, tree, write_files};

const GOOD: &str = "---\ntitle: Good one\nseverity: SEV2\n---\n\n# Good one\n\nFine.\n";

/// Builds a good archive, adds `bad` files, builds again, and returns the
/// second build's exit code and stderr. Asserts the output is unchanged
/// when the second build fails.
fn rebuild_with(bad: &[(&str, &str)]) -> (i32, String) {
    let dir = tempfile::tempdir().unwrap();
    write_files(dir.path(), &[("content/good.md", GOOD)]);
    let first = hindsight(dir.path(), &["build"]);
    assert!(first.status.success(), "{}", stderr(&first));
    let before = tree(&dir.path().join("public"));
    write_files(dir.path(), bad);
    let second = hindsight(dir.path(), &["build"]);
    let code = second.status.code().unwrap();
    if code != 0 {
        assert!(
            before == tree(&dir.path().join("public")),
            "a failed build changed public/"
        );
        let leftovers: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .filter_map(Result::ok)
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.contains("staging") || n.contains(".old"))
            .collect();
        assert!(leftovers.is_empty(), "left behind: {leftovers:?}");
    }
    (code, stderr(&second))
}

#[test]
fn broken_yaml_is_an_error_at_its_line() {
    let (code, log) = rebuild_with(&[(
        "content/bad.md",
        "---\ntitle: Broken\nseverity: [SEV1\n---\nbody\n",
    )]);
    assert_eq!(code, 1, "{log}");
    assert!(
        log.contains("content/bad.md:3:11:"),
        "the unclosed bracket: {log}"
    );
    assert!(
        !log.contains("line 2"),
        "no block-relative line numbers in the message: {log}"
    );
    assert!(log.contains("error[yaml-syntax]"), "{log}");
}

#[test]
fn unknown_field_is_a_warning_and_strict_makes_it_fail() {
    let (code, log) = rebuild_with(&[(
        "content/extra.md",
        "---\ntitle: Extra\nseverty: SEV1\n---\nbody\n",
    )]);
    assert_eq!(code, 0, "{log}");
    assert!(
        log.contains("content/extra.md:3:1: warning[unknown-field]"),
        "{log}"
    );
    assert!(log.contains("did you mean `severity`?"), "{log}");

    let dir = tempfile::tempdir().unwrap();
    write_files(
        dir.path(),
        &[(
            "content/extra.md",
            "---\ntitle: Extra\nseverty: SEV1\n---\nbody\n",
        )],
    );
    let strict = hindsight(dir.path(), &["build", "--strict"]);
    assert_eq!(strict.status.code(), Some(1), "{}", stderr(&strict));
    assert!(
        !dir.path().join("public").exists(),
        "a failed strict build wrote output"
    );
}

#[test]
fn bad_timestamp_is_an_error_at_its_value() {
    let text = "---\ntitle: Times\nimpact:\n  started_at: 2024-03-01T10:00:00Z\n  ended_at: tomorrow morning\n---\nbody\n";
    let (code, log) = rebuild_with(&[("content/times.md", text)]);
    assert_eq!(code, 1, "{log}");
    assert!(
        log.contains("content/times.md:5:13: error[bad-timestamp]"),
        "{log}"
    );
}

#[test]
fn end_before_start_is_an_inconsistent_window() {
    let text = "---\ntitle: Backwards\nimpact:\n  started_at: 2024-03-01T10:00:00Z\n  ended_at: 2024-03-01T09:00:00Z\n---\nbody\n";
    let (code, log) = rebuild_with(&[("content/backwards.md", text)]);
    assert_eq!(code, 1, "{log}");
    assert!(
        log.contains("content/backwards.md:5:13: error[inconsistent-window]"),
        "{log}"
    );
}

#[test]
fn duplicate_explicit_ids_are_an_error_and_file_name_clashes_a_warning() {
    let a = "---\ntitle: A\nid: same\n---\nbody\n";
    let b = "---\ntitle: B\nid: same\n---\nbody\n";
    let (code, log) = rebuild_with(&[("content/a.md", a), ("content/b.md", b)]);
    assert_eq!(code, 1, "{log}");
    assert!(
        log.contains("content/b.md:1:1: error[duplicate-id]"),
        "{log}"
    );

    let dir = tempfile::tempdir().unwrap();
    write_files(
        dir.path(),
        &[
            ("content/x/outage.md", "---\ntitle: One\n---\n"),
            ("content/y/outage.md", "---\ntitle: Two\n---\n"),
        ],
    );
    let output = hindsight(dir.path(), &["build"]);
    let log = stderr(&output);
    assert!(output.status.success(), "{log}");
    assert!(
        log.contains("content/y/outage.md:1:1: warning[duplicate-id]"),
        "{log}"
    );
    assert!(
        dir.path()
            .join("public/incidents/outage/index.html")
            .is_file()
    );
    assert!(
        dir.path()
            .join("public/incidents/outage-2/index.html")
            .is_file()
    );
}

#[test]
fn path_traversal_in_id_is_refused_and_in_category_ignored() {
    let (code, log) = rebuild_with(&[(
        "content/evil.md",
        "---\ntitle: Evil\nid: ../../escape\n---\nbody\n",
    )]);
    assert_eq!(code, 1, "{log}");
    assert!(log.contains("content/evil.md:3:5: error[bad-id]"), "{log}");

    let dir = tempfile::tempdir().unwrap();
    write_files(
        dir.path(),
        &[(
            "content/cat.md",
            "---\ntitle: Cat\ncategory: ../../etc\nservices: [\"../../x\"]\n---\nbody\n",
        )],
    );
    let output = hindsight(dir.path(), &["build"]);
    let log = stderr(&output);
    assert!(output.status.success(), "{log}");
    assert!(
        log.contains("content/cat.md:3:11: warning[unknown-category]"),
        "{log}"
    );
    // Nothing was written outside public/ but its build stamp, and the
    // service became a safe slug.
    let mut outside: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    outside.sort();
    assert_eq!(outside, [".public.stamp", "content", "public"]);
    assert!(dir.path().join("public/services/x/index.html").is_file());
}

#[test]
fn every_problem_is_reported_in_one_pass() {
    let (code, log) = rebuild_with(&[
        ("content/one.md", "---\ntitle: [unclosed\n---\n"),
        (
            "content/two.md",
            "---\ntitle: Two\ndetected_at: noon\n---\n",
        ),
        (
            "content/three.md",
            "---\ntitle: Three\nstatus: finished\n---\n",
        ),
    ]);
    assert_eq!(code, 1, "{log}");
    for needle in ["content/one.md", "content/two.md:3", "content/three.md:3"] {
        assert!(log.contains(needle), "missing {needle}: {log}");
    }
    assert!(log.contains("3 errors"), "{log}");
}

#[test]
fn invalid_configuration_exits_2_with_its_line() {
    let dir = tempfile::tempdir().unwrap();
    write_files(
        dir.path(),
        &[
            ("hindsight.toml", "title = \"x\"\ncolour = \"red\"\n"),
            ("content/a.md", GOOD),
        ],
    );
    let output = hindsight(dir.path(), &["build"]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("hindsight.toml:2:1: error[config-error]"),
        "{}",
        stderr(&output)
    );
}
