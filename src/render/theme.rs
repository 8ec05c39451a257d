//! Themes: the default theme embedded in the binary, an optional theme
//! folder (`themes/<name>/`), and per-archive overrides (`templates/`,
//! `static/`), each file overriding the one of the same name below it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use walkdir::WalkDir;

use crate::config::Config;
use crate::diagnostics::{Code, Diagnostic};
use crate::load::is_ignored_name;

macro_rules! embedded {
    ($kind:literal: $($name:literal),* $(,)?) => {
        &[$(($name, include_bytes!(concat!("../../themes/default/", $kind, "/", $name)) as &[u8])),*]
    };
}

/// The default theme's templates, embedded at compile time.
const DEFAULT_TEMPLATES: &[(&str, &[u8])] = embedded!("templates":
    "base.html",
    "incident-table.html",
    "pagination.html",
    "home.html",
    "incident.html",
    "incidents.html",
    "taxonomy.html",
    "term.html",
    "404.html",
    "stats.html",
    "count-table.html",
    "action-items.html",
);

/// The default theme's static files, embedded at compile time.
const DEFAULT_STATIC: &[(&str, &[u8])] = embedded!("static":
    "style.css",
    "syntax.css",
    "favicon.svg",
    "search.js",
);

/// Where a theme file comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ThemeFile {
    /// Embedded in the binary.
    Embedded(&'static [u8]),
    /// A file on disk.
    Disk(PathBuf),
}

impl ThemeFile {
    /// The file's bytes.
    pub fn read(&self) -> std::io::Result<std::borrow::Cow<'static, [u8]>> {
        match self {
            ThemeFile::Embedded(bytes) => Ok(std::borrow::Cow::Borrowed(bytes)),
            ThemeFile::Disk(path) => std::fs::read(path).map(std::borrow::Cow::Owned),
        }
    }
}

/// The merged theme: templates by name and static files by output path.
#[derive(Debug, Clone, Default)]
pub struct Theme {
    /// Template name (`incident.html`) to its file.
    pub templates: BTreeMap<String, ThemeFile>,
    /// Output path (`style.css`, `img/logo.png`) to its file.
    pub static_files: BTreeMap<String, ThemeFile>,
}

impl Theme {
    /// Merges the default theme, `themes/<config.theme>/` (when not
    /// `default`) and the archive's `templates/` and `static/` under `root`
    /// (when there is a root).
    ///
    /// Errors: a named theme whose folder does not exist.
    pub fn load(root: Option<&Path>, config: &Config) -> Result<Theme, Diagnostic> {
        let mut theme = Theme::default();
        for (name, bytes) in DEFAULT_TEMPLATES {
            theme
                .templates
                .insert(name.to_string(), ThemeFile::Embedded(bytes));
        }
        for (name, bytes) in DEFAULT_STATIC {
            theme
                .static_files
                .insert(name.to_string(), ThemeFile::Embedded(bytes));
        }
        let Some(root) = root else { return Ok(theme) };
        if config.theme != "default" {
            let folder = root.join("themes").join(&config.theme);
            if !folder.is_dir() {
                return Err(Diagnostic::error(
                    Code::ConfigError,
                    Path::new(crate::config::CONFIG_FILE),
                    None,
                    format!(
                        "theme {:?} has no folder themes/{}/",
                        config.theme, config.theme
                    ),
                )
                .with_hint("create the folder, or set theme = \"default\""));
            }
            overlay(&mut theme.templates, &folder.join("templates"));
            overlay(&mut theme.static_files, &folder.join("static"));
        }
        overlay(&mut theme.templates, &root.join("templates"));
        overlay(&mut theme.static_files, &root.join("static"));
        Ok(theme)
    }

    /// Where a template came from, for messages.
    pub fn origin(&self, name: &str) -> PathBuf {
        match self.templates.get(name) {
            Some(ThemeFile::Disk(path)) => path.clone(),
            _ => PathBuf::from(format!("themes/default/templates/{name}")),
        }
    }
}

fn overlay(files: &mut BTreeMap<String, ThemeFile>, folder: &Path) {
    if !folder.is_dir() {
        return;
    }
    let walker = WalkDir::new(folder)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !is_ignored_name(&e.file_name().to_string_lossy()));
    for entry in walker.flatten() {
        if !entry.file_type().is_file() {
            continue;
        }
        if let Ok(rel) = entry.path().strip_prefix(folder) {
            let name = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy())
                .collect::<Vec<_>>()
                .join("/");
            files.insert(name, ThemeFile::Disk(entry.path().to_path_buf()));
        }
    }
}

/// Builds the template engine from the theme's templates.
///
/// Autoescaping is on for `.html`, `.xml` and `.svg`. Errors: each template
/// that does not read or parse, as a `template-error`.
pub fn engine(theme: &Theme) -> Result<tera::Tera, Vec<Diagnostic>> {
    let mut tera = tera::Tera::new();
    tera.autoescape_on([".html", ".xml", ".svg"]);
    let mut sources = Vec::new();
    let mut problems = Vec::new();
    for (name, file) in &theme.templates {
        match file.read() {
            Ok(bytes) => sources.push((name.clone(), String::from_utf8_lossy(&bytes).into_owned())),
            Err(e) => problems.push(Diagnostic::error(
                Code::TemplateError,
                &theme.origin(name),
                None,
                format!("cannot read the template: {e}"),
            )),
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    tera.add_raw_templates(sources.iter().map(|(n, s)| (n.as_str(), s.as_str())))
        .map_err(|e| {
            vec![
                Diagnostic::error(
                    Code::TemplateError,
                    Path::new("templates"),
                    None,
                    template_error_text(&e),
                )
                .with_hint("fix the template, or delete the override to use the theme's"),
            ]
        })?;
    Ok(tera)
}

/// A Tera error with its causes, on one line.
pub fn template_error_text(error: &tera::Error) -> String {
    let mut text = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}
