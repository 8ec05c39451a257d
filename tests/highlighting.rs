//! `highlighting` in `hindsight.toml`: the fast lexer by default, the
//! tree-sitter grammars with `precise`, anything else a config error.

mod common;

use common::{hindsight, stderr, write_files};

const POSTMORTEM: &str = "---\ntitle: Queue backlog\nseverity: SEV3\n---\n\n\
## Trigger\n\n```yaml\nconsumer:\n  max_attempts: 3 # was 30\n```\n\n\
```rust\nfn drain(pool: &Pool) -> u64 { pool.len() }\n```\n";

/// The incident page built with `config` as `hindsight.toml`, or the
/// failed build's stderr.
fn page_with(config: &str) -> Result<String, String> {
    let dir = tempfile::tempdir().unwrap();
    write_files(
        dir.path(),
        &[
            ("hindsight.toml", config),
            ("content/backlog.md", POSTMORTEM),
        ],
    );
    let output = hindsight(dir.path(), &["build"]);
    if !output.status.success() {
        return Err(stderr(&output));
    }
    Ok(std::fs::read_to_string(dir.path().join("public/incidents/backlog/index.html")).unwrap())
}

#[test]
fn both_engines_highlight_and_precise_is_the_tree_sitter_one() {
    let fast = page_with("").unwrap();
    let precise = page_with("highlighting = \"precise\"\n").unwrap();
    for page in [&fast, &precise] {
        assert!(
            page.contains("<span class=\"hl-variable hl-other hl-member\">max_attempts</span>"),
            "{page}"
        );
        assert!(
            page.contains("<span class=\"hl-comment\"># was 30</span>"),
            "{page}"
        );
        assert!(
            page.contains("<span class=\"hl-entity hl-name hl-function\">drain</span>"),
            "{page}"
        );
    }
    // tree-sitter marks punctuation and parameters; the lexer does not.
    assert!(
        precise.contains("<span class=\"hl-punctuation\">:</span>"),
        "{precise}"
    );
    assert!(!fast.contains("hl-punctuation"), "{fast}");
    assert_eq!(page_with("highlighting = \"fast\"\n").unwrap(), fast);
}

#[test]
fn an_unknown_engine_is_a_config_error() {
    let error = page_with("highlighting = \"rainbow\"\n").unwrap_err();
    assert!(
        error.contains("hindsight.toml:1:16: error[config-error]: unknown variant `rainbow`, expected `fast` or `precise`"),
        "{error}"
    );
}
