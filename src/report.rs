//! `hindsight check` and `hindsight inspect`: the resolve stage's results
//! as reports, without writing a site.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::build::{BuildOptions, Plan};
use crate::config::Config;
use crate::diagnostics::{Code, Diagnostic, Diagnostics, Level};
use crate::load::{SourceFile, is_ignored_name, is_markdown};
use crate::model::Incident;

/// Validates every postmortem of the archive the options name (load and
/// resolve, no output). Returns every diagnostic, sorted.
///
/// Errors: configuration problems, as diagnostics.
pub fn check(options: &BuildOptions) -> Result<Diagnostics, Diagnostics> {
    let plan = Plan::new(options)?;
    let loaded =
        crate::load::load_limited(&plan.content, &plan.content, plan.config.max_file_bytes);
    let mut diagnostics = loaded.diagnostics;
    let resolved = crate::resolve::resolve(&loaded.files, &plan.config);
    diagnostics.extend(resolved.diagnostics);
    diagnostics.sort();
    Ok(diagnostics)
}

/// One diagnostic as JSON: `check --format json` prints an array of these.
#[derive(Debug, Serialize)]
pub struct DiagnosticJson<'a> {
    /// `error` or `warning`.
    pub level: Level,
    /// Stable code.
    pub code: Code,
    /// File as shown.
    pub file: String,
    /// 1-based line, or null.
    pub line: Option<u32>,
    /// 1-based column, or null.
    pub column: Option<u32>,
    /// Message.
    pub message: &'a str,
    /// Hint.
    pub hint: &'a str,
}

impl<'a> From<&'a Diagnostic> for DiagnosticJson<'a> {
    fn from(d: &'a Diagnostic) -> Self {
        DiagnosticJson {
            level: d.level,
            code: d.code,
            file: d.file.display().to_string(),
            line: d.position.map(|p| p.line),
            column: d.position.map(|p| p.column),
            message: &d.message,
            hint: &d.hint,
        }
    }
}

/// The resolved metadata of one file, as `inspect --format json` prints it.
/// Unknown values are `null`.
#[derive(Debug, Serialize)]
pub struct FileReport {
    /// The file, as given on the command line (joined with the folder for
    /// files found in a folder).
    pub file: String,
    /// Whether it is a postmortem (else it is skipped by builds).
    pub is_postmortem: bool,
    /// Title.
    pub title: Option<String>,
    /// Id.
    pub id: Option<String>,
    /// Category slug.
    pub category: Option<String>,
    /// Severity, `SEV1`..`SEV4`.
    pub severity: Option<String>,
    /// Report date, `YYYY-MM-DD` (the `date` field, else the start's date).
    pub date: Option<String>,
    /// Review status.
    pub status: Option<String>,
    /// Duration in minutes.
    pub duration_minutes: Option<i64>,
    /// Impact.
    pub impact: ImpactReport,
    /// Field name to source (`frontmatter`, `inferred`, `derived`,
    /// `default`).
    pub provenance: BTreeMap<String, String>,
    /// For inferred fields: the line and text each was read from.
    pub evidence: BTreeMap<String, String>,
    /// Warnings and errors of the file.
    pub warnings: Vec<WarningReport>,
}

/// The impact part of a [`FileReport`].
#[derive(Debug, Serialize, Default)]
pub struct ImpactReport {
    /// RFC 3339 with the offset the text stated (`Z` for UTC).
    pub started_at: Option<String>,
    /// RFC 3339 with the offset the text stated.
    pub ended_at: Option<String>,
    /// Users affected, percent.
    pub users_affected_pct: Option<f64>,
}

/// One problem of a file.
#[derive(Debug, Serialize)]
pub struct WarningReport {
    /// Stable code.
    pub code: Code,
    /// `error` or `warning`.
    pub level: Level,
    /// 1-based line, or null.
    pub line: Option<u32>,
    /// Message.
    pub message: String,
}

/// RFC 3339 with the offset as stated; `Z` for a zero offset.
pub fn rfc3339(time: &jiff::Zoned) -> String {
    let text = time.strftime("%Y-%m-%dT%H:%M:%S%:z").to_string();
    match text.strip_suffix("+00:00") {
        Some(head) => format!("{head}Z"),
        None => text,
    }
}

/// Every Markdown file under `path` (or `path` itself), sorted, as
/// (path on disk, path relative to its folder, path as shown).
fn markdown_files(path: &Path) -> Vec<(PathBuf, PathBuf, PathBuf)> {
    if path.is_file() {
        let rel = PathBuf::from(path.file_name().unwrap_or_default());
        return vec![(path.to_path_buf(), rel, path.to_path_buf())];
    }
    walkdir::WalkDir::new(path)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !is_ignored_name(&e.file_name().to_string_lossy()))
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file() && is_markdown(&e.file_name().to_string_lossy()))
        .filter_map(|e| {
            let rel = e.path().strip_prefix(path).ok()?.to_path_buf();
            Some((e.path().to_path_buf(), rel, e.path().to_path_buf()))
        })
        .collect()
}

/// Resolves the Markdown files under `paths` with `config` and reports each.
/// Files that cannot be read are reported with their warning.
pub fn inspect(paths: &[PathBuf], config: &Config) -> Vec<FileReport> {
    let mut files: Vec<SourceFile> = Vec::new();
    let mut diagnostics = Diagnostics::new();
    let mut order: Vec<PathBuf> = Vec::new();
    for path in paths {
        for (disk, rel, display) in markdown_files(path) {
            order.push(display.clone());
            match crate::load::read_source(&disk, &rel, &display) {
                Ok(file) => files.push(file),
                Err(d) => diagnostics.push(d),
            }
        }
        if !path.exists() {
            order.push(path.clone());
            diagnostics.push(Diagnostic::error(
                Code::UnreadableFile,
                path,
                None,
                "no such file or folder",
            ));
        }
    }
    let resolved = crate::resolve::resolve(&files, config);
    diagnostics.extend(resolved.diagnostics);
    let by_file: BTreeMap<&Path, &Incident> = resolved
        .incidents
        .iter()
        .map(|i| (i.display_path.as_path(), &**i))
        .collect();
    order
        .iter()
        .map(|display| {
            let incident = by_file.get(display.as_path()).copied();
            let warnings: Vec<WarningReport> = diagnostics
                .iter()
                .filter(|d| d.file == *display)
                .map(|d| WarningReport {
                    code: d.code,
                    level: d.level,
                    line: d.position.map(|p| p.line),
                    message: d.message.clone(),
                })
                .collect();
            let skipped = warnings.iter().any(|w| w.code == Code::NotAPostmortem);
            let mut report = FileReport {
                file: display.display().to_string(),
                is_postmortem: incident.is_some() || !skipped,
                title: None,
                id: None,
                category: None,
                severity: None,
                date: None,
                status: None,
                duration_minutes: None,
                impact: ImpactReport::default(),
                provenance: BTreeMap::new(),
                evidence: BTreeMap::new(),
                warnings,
            };
            if let Some(i) = incident {
                report.title = Some(i.title.clone());
                report.id = Some(i.id.clone());
                report.category = i.category.clone();
                report.severity = i.severity.map(|s| s.label().to_string());
                report.date = i.sort_date().map(|d| d.to_string());
                report.status = Some(i.status.as_str().to_string());
                report.duration_minutes = i.duration_minutes;
                report.impact = ImpactReport {
                    started_at: i.impact.started_at.as_ref().map(rfc3339),
                    ended_at: i.impact.ended_at.as_ref().map(rfc3339),
                    users_affected_pct: i.impact.users_affected_pct,
                };
                for (field, provenance) in &i.provenance {
                    let source = serde_json::to_value(provenance.source)
                        .ok()
                        .and_then(|v| v.as_str().map(String::from))
                        .unwrap_or_default();
                    report.provenance.insert(field.to_string(), source);
                    if let Some(evidence) = &provenance.evidence {
                        report.evidence.insert(field.to_string(), evidence.clone());
                    }
                }
            }
            report
        })
        .collect()
}
