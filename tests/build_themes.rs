//! Themes: the embedded default, a named theme folder, and per-archive
//! overrides of single templates and static files.

mod common;

use common::{hindsight, stderr, write_files};

const POSTMORTEM: &str = "---\ntitle: Themed outage\nseverity: SEV3\n---\n\nBody text.\n";

#[test]
fn archive_overrides_one_template_and_one_static_file() {
    let dir = tempfile::tempdir().unwrap();
    write_files(
        dir.path(),
        &[
            ("content/themed.md", POSTMORTEM),
            (
                "templates/incident.html",
                "{% extends \"base.html\" %}{% block content %}<p id=\"custom-incident\">{{ incident.title }}</p>{% endblock content %}",
            ),
            ("static/style.css", "body { color: rebeccapurple; }\n"),
            ("static/logo.txt", "extra file\n"),
        ],
    );
    let output = hindsight(dir.path(), &["build"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let public = dir.path().join("public");
    let page = std::fs::read_to_string(public.join("incidents/themed/index.html")).unwrap();
    assert!(
        page.contains("<p id=\"custom-incident\">Themed outage</p>"),
        "{page}"
    );
    assert!(
        page.contains("class=\"site-header\""),
        "base.html still comes from the default theme"
    );
    let home = std::fs::read_to_string(public.join("index.html")).unwrap();
    assert!(
        home.contains("Recent incidents"),
        "other templates keep the default"
    );
    assert_eq!(
        std::fs::read_to_string(public.join("style.css")).unwrap(),
        "body { color: rebeccapurple; }\n"
    );
    assert!(
        public.join("syntax.css").is_file(),
        "static files not overridden are still copied"
    );
    assert!(public.join("logo.txt").is_file());
}

#[test]
fn named_theme_folder_is_used_and_a_missing_one_is_a_config_error() {
    let dir = tempfile::tempdir().unwrap();
    write_files(
        dir.path(),
        &[
            ("hindsight.toml", "theme = \"plain\"\n"),
            ("content/themed.md", POSTMORTEM),
            (
                "themes/plain/templates/home.html",
                "<h1 id=\"plain-home\">{{ site.title }}</h1>",
            ),
        ],
    );
    let output = hindsight(dir.path(), &["build"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let home = std::fs::read_to_string(dir.path().join("public/index.html")).unwrap();
    assert_eq!(home, "<h1 id=\"plain-home\">Postmortem archive</h1>");

    std::fs::remove_dir_all(dir.path().join("themes")).unwrap();
    let output = hindsight(dir.path(), &["build"]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("error[config-error]"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn a_broken_template_fails_without_touching_the_output() {
    let dir = tempfile::tempdir().unwrap();
    write_files(dir.path(), &[("content/themed.md", POSTMORTEM)]);
    assert!(hindsight(dir.path(), &["build"]).status.success());
    let before = common::tree(&dir.path().join("public"));
    write_files(dir.path(), &[("templates/term.html", "{% for x in %}")]);
    let output = hindsight(dir.path(), &["build"]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("error[template-error]"),
        "{}",
        stderr(&output)
    );
    assert!(before == common::tree(&dir.path().join("public")));
}
