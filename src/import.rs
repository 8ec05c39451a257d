//! `hindsight import`: turn free-form postmortems into files with
//! frontmatter, once, so authors can correct what was inferred.
//!
//! The frontmatter lists every inferred value with a comment naming the
//! line it was read from. With `--write` it is prepended to the file; the
//! original bytes follow unchanged. Files that already have frontmatter are
//! refused.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use crate::config::Config;
use crate::model::{Incident, Source};
use crate::report::rfc3339;

/// What import did (or would do) with one file.
#[derive(Debug)]
pub struct Imported {
    /// The file.
    pub file: PathBuf,
    /// The frontmatter block (with its `---` lines), or why there is none.
    pub outcome: Result<String, String>,
}

fn yaml_string(text: &str) -> String {
    serde_json::to_string(text).unwrap_or_else(|_| "\"\"".to_string())
}

fn comment(incident: &Incident, field: &str) -> String {
    match incident.provenance.get(field) {
        Some(p) if p.source == Source::Inferred => {
            let evidence = p.evidence.as_deref().unwrap_or("");
            let line = evidence.split(':').next().unwrap_or("");
            format!("  # inferred ({line})")
        }
        Some(p) if p.source == Source::Default => {
            "  # made up: please write a real title".to_string()
        }
        _ => String::new(),
    }
}

/// The frontmatter block for a resolved incident: the fields inference and
/// defaults filled, each marked.
pub fn frontmatter(incident: &Incident) -> String {
    let mut out = String::from(
        "---\n# Inferred by `hindsight import` from the text below. Check every\n# value marked \"inferred\", correct it, and delete this comment.\n",
    );
    let _ = writeln!(
        out,
        "title: {}{}",
        yaml_string(&incident.title),
        comment(incident, "title")
    );
    if let Some(category) = &incident.category {
        let _ = writeln!(out, "category: {category}{}", comment(incident, "category"));
    } else {
        out.push_str("# category: (not inferred; see docs/frontmatter.md for the list)\n");
    }
    if let Some(root_cause) = &incident.root_cause {
        let _ = writeln!(
            out,
            "root_cause: {}{}",
            yaml_string(root_cause),
            comment(incident, "root_cause")
        );
    }
    let impact = &incident.impact;
    if impact.started_at.is_some()
        || impact.ended_at.is_some()
        || impact.users_affected_pct.is_some()
    {
        out.push_str("impact:\n");
        if let Some(start) = &impact.started_at {
            let _ = writeln!(
                out,
                "  started_at: {}{}",
                rfc3339(start),
                comment(incident, "impact.started_at")
            );
        }
        if let Some(end) = &impact.ended_at {
            let _ = writeln!(
                out,
                "  ended_at: {}{}",
                rfc3339(end),
                comment(incident, "impact.ended_at")
            );
        }
        if let Some(pct) = impact.users_affected_pct {
            let _ = writeln!(
                out,
                "  users_affected_pct: {}{}",
                crate::index::format_number(pct),
                comment(incident, "impact.users_affected_pct")
            );
        }
    } else {
        out.push_str("# impact: (no window or users affected could be inferred)\n");
    }
    if let Some(method) = &incident.detection_method {
        let _ = writeln!(
            out,
            "detection:\n  method: {method}{}",
            comment(incident, "detection.method")
        );
    }
    if !incident.action_items.is_empty() {
        let _ = writeln!(out, "action_items:{}", comment(incident, "action_items"));
        for item in &incident.action_items {
            let _ = writeln!(
                out,
                "  - title: {}\n    status: {}",
                yaml_string(&item.title),
                // Frontmatter has no "unknown": the author says which.
                if item.status == crate::model::UNKNOWN_STATUS {
                    "todo  # inferred: set the real status"
                } else {
                    &item.status
                }
            );
        }
    }
    out.push_str("---\n\n");
    out
}

/// Imports every Markdown file under `dir`: infers each file without
/// frontmatter and, with `write`, prepends the block to it (through a
/// temporary file and a rename, so a file is never half-written).
pub fn import(dir: &Path, config: &Config, write: bool) -> Vec<Imported> {
    let loaded = crate::load::load(dir, dir);
    let mut results = Vec::new();
    for diagnostic in loaded.diagnostics.iter() {
        results.push(Imported {
            file: diagnostic.file.clone(),
            outcome: Err(diagnostic.message.clone()),
        });
    }
    let (bare, with_frontmatter): (Vec<_>, Vec<_>) = loaded
        .files
        .into_iter()
        .partition(|f| f.frontmatter.is_none());
    for file in with_frontmatter {
        results.push(Imported {
            file: file.display_path,
            outcome: Err("skipped: it already has frontmatter".to_string()),
        });
    }
    let resolved = crate::resolve::resolve(&bare, config);
    for file in &bare {
        let incident = resolved
            .incidents
            .iter()
            .find(|i| i.display_path == file.display_path);
        let outcome = match incident {
            None => Err(resolved
                .diagnostics
                .iter()
                .find(|d| d.file == file.display_path)
                .map_or_else(|| "skipped".to_string(), |d| d.message.clone())),
            Some(incident) => {
                let block = frontmatter(incident);
                if write {
                    prepend(&dir.join(&file.rel_path), &block).map(|()| block)
                } else {
                    Ok(block)
                }
            }
        };
        results.push(Imported {
            file: file.display_path.clone(),
            outcome,
        });
    }
    results.sort_by(|a, b| a.file.cmp(&b.file));
    results
}

/// Writes `block` followed by the file's original bytes (after a leading
/// byte-order mark, which stays first).
fn prepend(path: &Path, block: &str) -> Result<(), String> {
    let original = std::fs::read(path).map_err(|e| format!("cannot read: {e}"))?;
    let (bom, rest) = match original.strip_prefix(b"\xEF\xBB\xBF".as_slice()) {
        Some(rest) => (&original[..3], rest),
        None => (&original[..0], original.as_slice()),
    };
    let mut bytes = Vec::with_capacity(original.len() + block.len());
    bytes.extend_from_slice(bom);
    bytes.extend_from_slice(block.as_bytes());
    bytes.extend_from_slice(rest);
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let temp = path.with_file_name(format!(".{name}.hindsight-import"));
    std::fs::write(&temp, &bytes).map_err(|e| format!("cannot write: {e}"))?;
    std::fs::rename(&temp, path).map_err(|e| {
        let _ = std::fs::remove_file(&temp);
        format!("cannot replace the file: {e}")
    })
}
