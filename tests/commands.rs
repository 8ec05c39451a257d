//! `hindsight check`, `inspect` and `import` through the binary.

mod common;

use common::{hindsight, stderr, write_files};
use serde_json::Value;

const FREE_FORM: &str = "# Checkout outage\n\n**Issue Summary:**\n- Duration: March 3, 2024, 10:00 PM to March 4, 2024, 2:00 AM (PST)\n- Impact: Checkout failed for about 30% of users.\n- Root Cause: A misconfigured load balancer sent all traffic to one node.\n\n**Timeline:**\n- 10:00 PM: Issue detected through monitoring alerts.\n- 2:00 AM: Service restored.\n\n**Corrective and Preventative Measures:**\n- Add a config review step.\n- Monitor per-node traffic.\n";

const WITH_FRONTMATTER: &str = "---\ntitle: Known\nseverity: SEV2\ncategory: network\n---\n\nOn May 2, 2024 from 10:00 to 11:00 UTC about 50% of users were affected by packet loss caused by a failing switch. It is documented here.\n";

#[test]
fn check_reports_every_problem_as_text_and_json() {
    let dir = tempfile::tempdir().unwrap();
    write_files(
        dir.path(),
        &[
            ("content/ok.md", FREE_FORM),
            (
                "content/bad.md",
                "---\ntitle: Bad\nimpact:\n  started_at: 2024-03-01T10:00:00Z\n  ended_at: 2024-03-01T09:00:00Z\n---\nbody\n",
            ),
        ],
    );
    let text = hindsight(dir.path(), &["check"]);
    assert_eq!(text.status.code(), Some(1), "{}", stderr(&text));
    let out = String::from_utf8_lossy(&text.stdout);
    assert!(
        out.contains("content/bad.md:5:13: error[inconsistent-window]"),
        "{out}"
    );
    assert!(!dir.path().join("public").exists(), "check writes nothing");

    let json = hindsight(dir.path(), &["check", "--format", "json"]);
    let list: Vec<Value> = serde_json::from_slice(&json.stdout).expect("JSON array");
    let error = list
        .iter()
        .find(|d| d["code"] == "inconsistent-window")
        .expect("the error is listed");
    assert_eq!(error["level"], "error");
    assert_eq!(error["line"], 5);
    assert_eq!(error["column"], 13);
    assert!(error["file"].as_str().unwrap().ends_with("content/bad.md"));

    std::fs::remove_file(dir.path().join("content/bad.md")).unwrap();
    assert_eq!(hindsight(dir.path(), &["check"]).status.code(), Some(0));
}

#[test]
fn inspect_json_has_the_documented_shape() {
    let dir = tempfile::tempdir().unwrap();
    write_files(
        dir.path(),
        &[
            ("pm/free.md", FREE_FORM),
            ("pm/known.md", WITH_FRONTMATTER),
            ("pm/stub.md", "TODO\n"),
        ],
    );
    let output = hindsight(dir.path(), &["inspect", "pm", "--format", "json"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let reports: Vec<Value> = serde_json::from_slice(&output.stdout).expect("JSON array");
    assert_eq!(reports.len(), 3);
    let free = reports
        .iter()
        .find(|r| r["file"] == "pm/free.md")
        .expect("file as given");
    assert_eq!(free["is_postmortem"], true);
    assert_eq!(free["title"], "Checkout outage");
    assert_eq!(free["id"], "free");
    assert_eq!(free["category"], "config-change");
    assert_eq!(free["severity"], Value::Null);
    assert_eq!(free["duration_minutes"], 240);
    assert_eq!(
        free["impact"]["started_at"], "2024-03-03T22:00:00-08:00",
        "the offset the text stated"
    );
    assert_eq!(free["impact"]["ended_at"], "2024-03-04T02:00:00-08:00");
    assert_eq!(free["impact"]["users_affected_pct"], 30.0);
    assert_eq!(free["provenance"]["impact.started_at"], "inferred");
    assert_eq!(free["provenance"]["duration_minutes"], "derived");
    assert_eq!(free["provenance"]["id"], "default");

    // Frontmatter wins; inference fills only what it leaves out.
    let known = reports.iter().find(|r| r["file"] == "pm/known.md").unwrap();
    assert_eq!(known["category"], "network");
    assert_eq!(known["provenance"]["category"], "frontmatter");
    assert_eq!(known["severity"], "SEV2");
    assert_eq!(known["impact"]["started_at"], "2024-05-02T10:00:00Z");
    assert_eq!(known["provenance"]["impact.started_at"], "inferred");

    let stub = reports.iter().find(|r| r["file"] == "pm/stub.md").unwrap();
    assert_eq!(stub["is_postmortem"], false);
    assert_eq!(stub["title"], Value::Null);
    assert_eq!(stub["warnings"][0]["code"], "not-a-postmortem");
    assert_eq!(stub["warnings"][0]["line"], 1);
}

#[test]
fn inspect_refuses_to_guess_and_says_why() {
    let dir = tempfile::tempdir().unwrap();
    write_files(
        dir.path(),
        &[(
            "a.md",
            "# Outage\n\nOn 05 June at 10:00 PM the site went down until 11:30 PM for everyone who tried to log in, and we spent the evening on it without sleep.\n",
        )],
    );
    let output = hindsight(dir.path(), &["inspect", "a.md", "--format", "json"]);
    let reports: Vec<Value> = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(reports[0]["impact"]["started_at"], Value::Null);
    let refused = reports[0]["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|w| w["code"] == "window-refused")
        .expect("a warning says why");
    assert!(
        refused["message"].as_str().unwrap().contains("no year"),
        "{refused}"
    );
}

#[test]
fn import_shows_then_writes_frontmatter_without_losing_a_byte() {
    let dir = tempfile::tempdir().unwrap();
    let original = format!("\u{feff}{}", FREE_FORM.replace('\n', "\r\n"));
    write_files(
        dir.path(),
        &[("pm/free.md", &original), ("pm/known.md", WITH_FRONTMATTER)],
    );

    let shown = hindsight(dir.path(), &["import", "pm"]);
    assert!(shown.status.success(), "{}", stderr(&shown));
    let text = String::from_utf8_lossy(&shown.stdout);
    assert!(
        text.contains("started_at: 2024-03-03T22:00:00-08:00  # inferred (line 4)"),
        "{text}"
    );
    assert!(
        text.contains("category: config-change  # inferred"),
        "{text}"
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("pm/free.md")).unwrap(),
        original,
        "without --write nothing changes"
    );
    assert!(
        stderr(&shown).contains("already has frontmatter"),
        "{}",
        stderr(&shown)
    );

    let written = hindsight(dir.path(), &["import", "pm", "--write"]);
    assert!(written.status.success(), "{}", stderr(&written));
    let after = std::fs::read(dir.path().join("pm/free.md")).unwrap();
    assert!(
        after.starts_with("\u{feff}---\n".as_bytes()),
        "the byte-order mark stays first"
    );
    assert!(
        after.ends_with(original.trim_start_matches('\u{feff}').as_bytes()),
        "the original body follows byte for byte"
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("pm/known.md")).unwrap(),
        WITH_FRONTMATTER,
        "files with frontmatter are refused"
    );

    // The written file resolves to the same values, now from frontmatter.
    let output = hindsight(dir.path(), &["inspect", "pm/free.md", "--format", "json"]);
    let reports: Vec<Value> = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(
        reports[0]["impact"]["started_at"],
        "2024-03-03T22:00:00-08:00"
    );
    assert_eq!(reports[0]["provenance"]["impact.started_at"], "frontmatter");
    assert_eq!(reports[0]["category"], "config-change");
    let again = hindsight(dir.path(), &["import", "pm", "--write"]);
    assert!(
        stderr(&again).contains("0 files updated"),
        "a second import changes nothing: {}",
        stderr(&again)
    );
}

#[test]
fn configured_zone_aliases_and_default_zone_are_used_only_when_set() {
    let dir = tempfile::tempdir().unwrap();
    let text = "# Payments outage\n\nOn March 3, 2024, from 10:00 to 11:30 IST the payments API failed for about 20% of users because a certificate expired.\n\nOn March 9, 2024, from 09:00 to 09:40 a second outage happened, again for about 5% of users.\n";
    write_files(dir.path(), &[("a.md", text)]);
    let run = |dir: &std::path::Path| -> Value {
        let output = hindsight(dir, &["inspect", "a.md", "--format", "json"]);
        serde_json::from_slice::<Vec<Value>>(&output.stdout)
            .unwrap()
            .remove(0)
    };
    let refused = run(dir.path());
    assert_eq!(
        refused["impact"]["started_at"],
        Value::Null,
        "IST is ambiguous without configuration"
    );

    write_files(
        dir.path(),
        &[(
            "hindsight.toml",
            "[timezone_aliases]\nIST = \"Asia/Kolkata\"\n",
        )],
    );
    let aliased = run(dir.path());
    assert_eq!(aliased["impact"]["started_at"], "2024-03-03T10:00:00+05:30");
    assert_eq!(aliased["duration_minutes"], 90);
}
