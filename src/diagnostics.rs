//! Problems found in an archive: errors and warnings with a stable code, a
//! file:line:column location and a one-line hint (GUIDE.md 10).
//!
//! Every stage collects diagnostics instead of stopping at the first bad file,
//! so one build reports every problem in one pass.

use std::fmt;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// How bad a problem is. Errors fail a build; warnings fail it only with
/// `--strict` (GUIDE.md 10).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// Fails the build.
    Error,
    /// Reported; fails the build only under `--strict`.
    Warning,
}

/// A stable problem code, printed as kebab-case (`yaml-syntax`, ...).
///
/// Codes are part of the public interface: scripts and editors match on them,
/// so a code is never renamed. Source: GUIDE.md 10, plus the codes this
/// implementation adds (each documented in `docs/errors.md`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Code {
    /// The YAML frontmatter does not parse.
    YamlSyntax,
    /// The TOML frontmatter does not parse.
    TomlSyntax,
    /// The frontmatter opens with `---`/`+++` but never closes.
    UnclosedFrontmatter,
    /// A frontmatter key that the schema (GUIDE.md 4) does not know.
    UnknownField,
    /// A value of the wrong type or outside its enum.
    BadValue,
    /// A timestamp that is not RFC 3339 (offset optional).
    BadTimestamp,
    /// A date that is not `YYYY-MM-DD`.
    BadDate,
    /// An end before its start (GUIDE.md 5).
    InconsistentWindow,
    /// Two postmortems with the same id.
    DuplicateId,
    /// An id that cannot be a URL segment (`../x`, `/etc`, empty).
    BadId,
    /// A category that the site's category list does not contain.
    UnknownCategory,
    /// A severity that is neither `SEV1`..`SEV4` nor a known alias.
    UnknownSeverity,
    /// A `related` id that no postmortem has.
    UnknownRelated,
    /// A time zone name that is not in the IANA database.
    UnknownTimezone,
    /// An offset-less timestamp read in an assumed zone.
    TimezoneAssumed,
    /// `duration_minutes` disagrees with the window by more than a minute.
    DurationMismatch,
    /// No title in the frontmatter, no H1 and no first line.
    MissingTitle,
    /// No title anywhere: one was made up from category and date.
    MadeUpTitle,
    /// The text states a window, but it cannot be read without guessing.
    WindowRefused,
    /// A file skipped because it is not a postmortem.
    NotAPostmortem,
    /// A file that cannot be read, or is not UTF-8.
    UnreadableFile,
    /// A file larger than `max_file_bytes`.
    FileTooLarge,
    /// A relative link or image that points to no file in the archive.
    MissingAsset,
    /// A link to a postmortem or `#anchor` that does not exist.
    BrokenLink,
    /// A link to a postmortem this build does not publish (draft, profile).
    UnpublishedLink,
    /// `hindsight.toml` is invalid.
    ConfigError,
    /// A template does not parse or does not render.
    TemplateError,
    /// The output folder could not be written.
    WriteError,
}

impl Code {
    /// The stable kebab-case name of the code.
    pub fn as_str(self) -> &'static str {
        match self {
            Code::YamlSyntax => "yaml-syntax",
            Code::TomlSyntax => "toml-syntax",
            Code::UnclosedFrontmatter => "unclosed-frontmatter",
            Code::UnknownField => "unknown-field",
            Code::BadValue => "bad-value",
            Code::BadTimestamp => "bad-timestamp",
            Code::BadDate => "bad-date",
            Code::InconsistentWindow => "inconsistent-window",
            Code::DuplicateId => "duplicate-id",
            Code::BadId => "bad-id",
            Code::UnknownCategory => "unknown-category",
            Code::UnknownSeverity => "unknown-severity",
            Code::UnknownRelated => "unknown-related",
            Code::UnknownTimezone => "unknown-timezone",
            Code::TimezoneAssumed => "timezone-assumed",
            Code::DurationMismatch => "duration-mismatch",
            Code::MissingTitle => "missing-title",
            Code::MadeUpTitle => "made-up-title",
            Code::WindowRefused => "window-refused",
            Code::NotAPostmortem => "not-a-postmortem",
            Code::UnreadableFile => "unreadable-file",
            Code::FileTooLarge => "file-too-large",
            Code::MissingAsset => "missing-asset",
            Code::BrokenLink => "broken-link",
            Code::UnpublishedLink => "unpublished-link",
            Code::ConfigError => "config-error",
            Code::TemplateError => "template-error",
            Code::WriteError => "write-error",
        }
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A 1-based line and column in a source file. Column counts characters.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, Default,
)]
pub struct Position {
    /// 1-based line.
    pub line: u32,
    /// 1-based column, in characters.
    pub column: u32,
}

impl Position {
    /// A position at `line`, `column` (both 1-based).
    pub fn new(line: u32, column: u32) -> Self {
        Position { line, column }
    }

    /// The start of a file.
    pub fn start() -> Self {
        Position { line: 1, column: 1 }
    }
}

/// One problem: where, what, and how to fix it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Diagnostic {
    /// Error or warning.
    pub level: Level,
    /// The stable code.
    pub code: Code,
    /// The file, as a path relative to the archive root where possible.
    pub file: PathBuf,
    /// Where in the file; `None` for problems of the whole file.
    pub position: Option<Position>,
    /// What is wrong, in one sentence.
    pub message: String,
    /// How to fix it, in one line; may be empty.
    pub hint: String,
}

impl Diagnostic {
    /// An error at `position` of `file`.
    pub fn error(
        code: Code,
        file: &Path,
        position: Option<Position>,
        message: impl Into<String>,
    ) -> Self {
        Diagnostic {
            level: Level::Error,
            code,
            file: file.to_path_buf(),
            position,
            message: message.into(),
            hint: String::new(),
        }
    }

    /// A warning at `position` of `file`.
    pub fn warning(
        code: Code,
        file: &Path,
        position: Option<Position>,
        message: impl Into<String>,
    ) -> Self {
        Diagnostic {
            level: Level::Warning,
            ..Diagnostic::error(code, file, position, message)
        }
    }

    /// The same diagnostic with a hint.
    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = hint.into();
        self
    }
}

impl fmt::Display for Diagnostic {
    /// `file:line:column: error[code]: message` and, if any, `  hint: ...`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let level = match self.level {
            Level::Error => "error",
            Level::Warning => "warning",
        };
        let position = self.position.unwrap_or_else(Position::start);
        write!(
            f,
            "{}:{}:{}: {level}[{}]: {}",
            self.file.display(),
            position.line,
            position.column,
            self.code,
            self.message
        )?;
        if !self.hint.is_empty() {
            write!(f, "\n  hint: {}", self.hint)?;
        }
        Ok(())
    }
}

/// A list of diagnostics, sorted for output by file, position and code so
/// that reports are deterministic whatever the thread schedule.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Diagnostics(Vec<Diagnostic>);

impl Diagnostics {
    /// An empty list.
    pub fn new() -> Self {
        Diagnostics(Vec::new())
    }

    /// Adds one diagnostic.
    pub fn push(&mut self, diagnostic: Diagnostic) {
        self.0.push(diagnostic);
    }

    /// Adds all of `other`.
    pub fn extend(&mut self, other: impl IntoIterator<Item = Diagnostic>) {
        self.0.extend(other);
    }

    /// Whether any diagnostic is an error, or (with `strict`) any at all.
    pub fn fails(&self, strict: bool) -> bool {
        self.0.iter().any(|d| strict || d.level == Level::Error)
    }

    /// Number of errors.
    pub fn error_count(&self) -> usize {
        self.0.iter().filter(|d| d.level == Level::Error).count()
    }

    /// Number of warnings.
    pub fn warning_count(&self) -> usize {
        self.0.iter().filter(|d| d.level == Level::Warning).count()
    }

    /// Sorts by file, position, level and code.
    pub fn sort(&mut self) {
        self.0.sort_by(|a, b| {
            (&a.file, a.position, a.level, a.code, &a.message)
                .cmp(&(&b.file, b.position, b.level, b.code, &b.message))
        });
    }

    /// The diagnostics, in their current order.
    pub fn iter(&self) -> std::slice::Iter<'_, Diagnostic> {
        self.0.iter()
    }

    /// Whether the list is empty.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Number of diagnostics.
    pub fn len(&self) -> usize {
        self.0.len()
    }
}

impl fmt::Display for Diagnostics {
    /// One diagnostic per line.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, diagnostic) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{diagnostic}")?;
        }
        Ok(())
    }
}

impl IntoIterator for Diagnostics {
    type Item = Diagnostic;
    type IntoIter = std::vec::IntoIter<Diagnostic>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

impl FromIterator<Diagnostic> for Diagnostics {
    fn from_iter<I: IntoIterator<Item = Diagnostic>>(iter: I) -> Self {
        Diagnostics(iter.into_iter().collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_names_file_line_column_code_and_hint() {
        let d = Diagnostic::error(
            Code::BadTimestamp,
            Path::new("content/a.md"),
            Some(Position::new(4, 13)),
            "`detected_at` is not a timestamp",
        )
        .with_hint("write RFC 3339, e.g. 2024-03-01T10:00:00Z");
        assert_eq!(
            d.to_string(),
            "content/a.md:4:13: error[bad-timestamp]: `detected_at` is not a timestamp\n  hint: write RFC 3339, e.g. 2024-03-01T10:00:00Z"
        );
    }

    #[test]
    fn warnings_fail_only_when_strict() {
        let mut list = Diagnostics::new();
        list.push(Diagnostic::warning(
            Code::UnknownField,
            Path::new("a.md"),
            None,
            "x",
        ));
        assert!(!list.fails(false));
        assert!(list.fails(true));
        list.push(Diagnostic::error(
            Code::YamlSyntax,
            Path::new("a.md"),
            None,
            "x",
        ));
        assert!(list.fails(false));
    }
}
