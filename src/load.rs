//! Load stage: walk the content folder, read every postmortem in parallel
//! and split off its frontmatter (GUIDE.md 3).
//!
//! Output: [`SourceFile`]s sorted by relative path, the asset files found
//! beside them, and diagnostics for files that could not be read. Nothing is
//! parsed here beyond finding the frontmatter block and its line offset.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use gray_matter::engine::Engine;
use gray_matter::{Matter, Pod};
use rayon::prelude::*;
use walkdir::WalkDir;

use crate::diagnostics::{Code, Diagnostic, Diagnostics, Position};

/// The syntax of a frontmatter block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FrontmatterFormat {
    /// Between `---` lines.
    Yaml,
    /// Between `+++` lines.
    Toml,
}

/// A frontmatter block as written, before parsing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FrontmatterBlock {
    /// YAML or TOML.
    pub format: FrontmatterFormat,
    /// The text between the delimiters, line endings normalised to `\n`.
    pub text: String,
    /// 1-based line in the file of the block's first line of text.
    pub first_line: u32,
}

/// One Markdown file of the archive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceFile {
    /// Path relative to the content folder, with `/` separators.
    pub rel_path: PathBuf,
    /// Path as shown in diagnostics: the content folder as the user named
    /// it, joined with `rel_path`.
    pub display_path: PathBuf,
    /// The frontmatter block, if the file has one.
    pub frontmatter: Option<FrontmatterBlock>,
    /// The Markdown body, line endings normalised to `\n`.
    pub body: String,
    /// 1-based line in the file where `body` starts.
    pub body_line: u32,
}

/// Everything the load stage found.
#[derive(Debug, Default)]
pub struct Loaded {
    /// Markdown files, sorted by `rel_path`.
    pub files: Vec<SourceFile>,
    /// Other files under the content folder (candidate assets), relative to
    /// it, sorted.
    pub assets: BTreeSet<PathBuf>,
    /// Problems reading files.
    pub diagnostics: Diagnostics,
}

/// Whether a file or folder name is skipped while loading: hidden entries
/// and editor temp files (GUIDE.md 3).
pub fn is_ignored_name(name: &str) -> bool {
    name.starts_with('.')
        || name.ends_with('~')
        || name.ends_with(".swp")
        || name.ends_with(".swx")
        || name.ends_with(".tmp")
        || name == "4913"
        || (name.contains("___jb_") && name.ends_with("___"))
}

/// Whether a file name is a Markdown postmortem (`.md` or `.markdown`).
pub fn is_markdown(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower.ends_with(".md") || lower.ends_with(".markdown")
}

/// Loads every postmortem under `content_dir`.
///
/// `display_dir` is how the user named the folder; diagnostics show paths
/// below it. A missing or unreadable folder is one `unreadable-file` error.
/// Symbolic links are followed only when they stay inside `content_dir`.
pub fn load(content_dir: &Path, display_dir: &Path) -> Loaded {
    load_limited(content_dir, display_dir, u64::MAX)
}

/// [`load`], refusing Markdown files over `max_bytes` with a
/// `file-too-large` error (they are never read into memory).
pub fn load_limited(content_dir: &Path, display_dir: &Path, max_bytes: u64) -> Loaded {
    load_with(content_dir, display_dir, max_bytes, None)
}

/// What reading one file gave: the split file or why it was skipped.
type ReadResult = Result<SourceFile, Diagnostic>;

/// Files read by the last build, kept by watch mode so that a rebuild
/// reads only files whose size or modification time changed (as make and
/// cargo decide). A file modified less than two seconds before the last
/// build read it is always read again, since a file system with coarse
/// timestamps (FAT, some network file systems) could give an edit made
/// right after that read the same time (git's "racy clean" rule). Holds
/// only the last build's files.
#[derive(Debug, Default)]
pub struct LoadCache {
    files: std::collections::HashMap<PathBuf, (u64, Option<std::time::SystemTime>, ReadResult)>,
    /// When the last build started reading.
    read_at: Option<std::time::SystemTime>,
    /// Files read (not taken from the cache) by the last build.
    pub misses: usize,
}

/// [`load_limited`], reading only files that changed since `cache` saw
/// them, and leaving this build's in it.
pub fn load_cached(
    content_dir: &Path,
    display_dir: &Path,
    max_bytes: u64,
    cache: &mut LoadCache,
) -> Loaded {
    load_with(content_dir, display_dir, max_bytes, Some(cache))
}

fn load_with(
    content_dir: &Path,
    display_dir: &Path,
    max_bytes: u64,
    cache: Option<&mut LoadCache>,
) -> Loaded {
    let mut loaded = Loaded::default();
    let root = match content_dir.canonicalize() {
        Ok(root) => root,
        Err(e) => {
            loaded.diagnostics.push(
                Diagnostic::error(
                    Code::UnreadableFile,
                    display_dir,
                    None,
                    format!("cannot open the content folder: {e}"),
                )
                .with_hint("pass --content DIR, or run inside an archive with a content/ folder"),
            );
            return loaded;
        }
    };

    let mut markdown = Vec::new();
    let walker = WalkDir::new(&root)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|entry| {
            entry.depth() == 0 || !is_ignored_name(&entry.file_name().to_string_lossy())
        });
    for entry in walker {
        let entry = match entry {
            Ok(entry) => entry,
            Err(e) => {
                let path = e
                    .path()
                    .and_then(|p| p.strip_prefix(&root).ok())
                    .map(Path::to_path_buf)
                    .unwrap_or_default();
                loaded.diagnostics.push(Diagnostic::warning(
                    Code::UnreadableFile,
                    &display_dir.join(path),
                    None,
                    format!("skipped: {e}"),
                ));
                continue;
            }
        };
        if !entry.file_type().is_file() {
            continue;
        }
        let Ok(rel) = entry.path().strip_prefix(&root) else {
            continue;
        };
        let rel = rel.to_path_buf();
        if entry.path_is_symlink()
            && !entry
                .path()
                .canonicalize()
                .is_ok_and(|target| target.starts_with(&root))
        {
            loaded.diagnostics.push(
                Diagnostic::warning(
                    Code::UnreadableFile,
                    &display_dir.join(&rel),
                    None,
                    "skipped: a symbolic link that points outside the content folder",
                )
                .with_hint("copy the file into the archive instead of linking to it"),
            );
            continue;
        }
        if is_markdown(&entry.file_name().to_string_lossy()) {
            let size = entry.metadata().map(|m| m.len()).unwrap_or(0);
            if size > max_bytes {
                loaded.diagnostics.push(
                    Diagnostic::error(
                        Code::FileTooLarge,
                        &display_dir.join(&rel),
                        None,
                        format!("the file is {size} bytes, over the limit of {max_bytes}"),
                    )
                    .with_hint("split it, or raise `max_file_bytes` in hindsight.toml"),
                );
                continue;
            }
            let modified = entry.metadata().ok().and_then(|m| m.modified().ok());
            markdown.push((rel, size, modified));
        } else {
            loaded.assets.insert(rel);
        }
    }

    let read = |rel: &PathBuf| read_source(&root.join(rel), rel, &display_dir.join(rel));
    let results: Vec<ReadResult> = match cache {
        None => markdown.par_iter().map(|(rel, _, _)| read(rel)).collect(),
        Some(cache) => {
            let read_at = std::time::SystemTime::now();
            let margin = std::time::Duration::from_secs(2);
            let cached = |rel: &PathBuf, size: &u64, modified: &Option<std::time::SystemTime>| {
                let (s, m, result) = cache.files.get(rel)?;
                let settled = modified
                    .zip(cache.read_at)
                    .is_some_and(|(modified, read_at)| modified + margin < read_at);
                (s == size && m == modified && settled).then(|| result.clone())
            };
            let results: Vec<Option<ReadResult>> = markdown
                .par_iter()
                .map(|(rel, size, modified)| cached(rel, size, modified))
                .collect();
            cache.misses = results.iter().filter(|r| r.is_none()).count();
            let results: Vec<ReadResult> = results
                .into_par_iter()
                .zip(markdown.par_iter())
                .map(|(hit, (rel, _, _))| hit.unwrap_or_else(|| read(rel)))
                .collect();
            cache.read_at = Some(read_at);
            cache.files = markdown
                .into_iter()
                .zip(&results)
                .map(|((rel, size, modified), result)| (rel, (size, modified, result.clone())))
                .collect();
            results
        }
    };
    for result in results {
        match result {
            Ok(file) => loaded.files.push(file),
            Err(diagnostic) => loaded.diagnostics.push(diagnostic),
        }
    }
    loaded
}

/// Reads and splits one file: `path` on disk, `rel` its path relative to
/// the content folder (for ids and links), `display` as shown in messages.
/// A file that cannot be read or is not UTF-8 is an `unreadable-file`
/// warning; an unclosed frontmatter block is an error.
pub fn read_source(path: &Path, rel: &Path, display: &Path) -> Result<SourceFile, Diagnostic> {
    let bytes = std::fs::read(path).map_err(|e| {
        Diagnostic::warning(
            Code::UnreadableFile,
            display,
            None,
            format!("skipped: cannot read: {e}"),
        )
    })?;
    let text = String::from_utf8(bytes).map_err(|e| {
        let position = position_of_byte(e.as_bytes(), e.utf8_error().valid_up_to());
        Diagnostic::warning(
            Code::UnreadableFile,
            display,
            Some(position),
            "skipped: the file is not valid UTF-8",
        )
        .with_hint("save the file as UTF-8")
    })?;
    let (frontmatter, body, body_line) = split_frontmatter(&text).map_err(|format| {
        let (code, delimiter) = match format {
            FrontmatterFormat::Yaml => (Code::UnclosedFrontmatter, "---"),
            FrontmatterFormat::Toml => (Code::UnclosedFrontmatter, "+++"),
        };
        Diagnostic::error(
            code,
            display,
            Some(Position::start()),
            format!("the frontmatter opened with `{delimiter}` is never closed"),
        )
        .with_hint(format!(
            "end the frontmatter with a line holding only `{delimiter}`"
        ))
    })?;
    Ok(SourceFile {
        rel_path: rel.to_path_buf(),
        display_path: display.to_path_buf(),
        frontmatter,
        body,
        body_line,
    })
}

fn position_of_byte(bytes: &[u8], offset: usize) -> Position {
    let before = &bytes[..offset.min(bytes.len())];
    let line = before.iter().filter(|b| **b == b'\n').count() as u32 + 1;
    let line_start = before
        .iter()
        .rposition(|b| *b == b'\n')
        .map_or(0, |i| i + 1);
    let column = String::from_utf8_lossy(&before[line_start..])
        .chars()
        .count() as u32
        + 1;
    Position::new(line, column)
}

/// A gray_matter engine that parses nothing: gray_matter only finds the
/// block; the resolve stage parses it with a position-aware parser.
struct Unparsed;

impl Engine for Unparsed {
    fn parse(_content: &str) -> gray_matter::Result<Pod> {
        Ok(Pod::Null)
    }
}

/// Splits a file into its frontmatter block, its body (with `\n` line
/// endings) and the body's first line number.
///
/// A leading byte-order mark is ignored. A file whose first line is `---`
/// or `+++` without a matching closing line gives `Err(format)`.
pub fn split_frontmatter(
    text: &str,
) -> Result<(Option<FrontmatterBlock>, String, u32), FrontmatterFormat> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let first_line = text.lines().next().unwrap_or("").trim_end();
    let format = match first_line {
        "---" => FrontmatterFormat::Yaml,
        "+++" => FrontmatterFormat::Toml,
        _ => return Ok((None, normalise_newlines(text), 1)),
    };
    let delimiter = first_line;
    if !text
        .lines()
        .skip(1)
        .any(|line| line.trim_end() == delimiter)
    {
        return Err(format);
    }
    let mut matter = Matter::<Unparsed>::new();
    matter.delimiter = delimiter.to_string();
    // gray_matter treats a line ending in the delimiter as an excerpt
    // marker unless told otherwise; a body full of `---` rules must not
    // change anything, so give it a marker no file contains.
    matter.excerpt_delimiter = Some("\u{0}hindsight-no-excerpt\u{0}".to_string());
    let parsed = matter
        .parse::<serde::de::IgnoredAny>(text)
        .map_err(|_| format)?;

    // gray_matter trims the block; recover the line its text starts on.
    let leading_blank = text
        .lines()
        .skip(1)
        .take_while(|line| line.trim().is_empty())
        .count() as u32;
    let total_lines = text.lines().count() as u32;
    let body_lines = parsed.content.lines().count() as u32;
    let body_line = total_lines.saturating_sub(body_lines) + 1;
    let block = FrontmatterBlock {
        format,
        text: parsed.matter,
        first_line: 2 + leading_blank,
    };
    Ok((Some(block), parsed.content, body_line))
}

fn normalise_newlines(text: &str) -> String {
    if text.contains('\r') {
        text.replace("\r\n", "\n")
    } else {
        text.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_load_cache_reads_changed_and_recent_files_only() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("a.md");
        let hour_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
        let write = |text: &str| {
            std::fs::write(&file, text).unwrap();
            std::fs::File::options()
                .write(true)
                .open(&file)
                .unwrap()
                .set_modified(hour_ago)
                .unwrap();
        };
        write("# One\n");
        let mut cache = LoadCache::default();
        let body = |loaded: &Loaded| loaded.files[0].body.trim_end().to_string();
        assert_eq!(
            body(&load_cached(dir.path(), dir.path(), 1 << 20, &mut cache)),
            "# One"
        );
        assert_eq!(cache.misses, 1);
        let again = load_cached(dir.path(), dir.path(), 1 << 20, &mut cache);
        assert_eq!((body(&again), cache.misses), ("# One".to_string(), 0));

        // Same size, same (old) time, other text: as make would, the cache
        // does not see it...
        write("# Two\n");
        let stale = load_cached(dir.path(), dir.path(), 1 << 20, &mut cache);
        assert_eq!((body(&stale), cache.misses), ("# One".to_string(), 0));
        // ...but any change of size or time is read, and so is a file
        // modified within two seconds of the last read (coarse clocks).
        std::fs::write(&file, "# Three\n").unwrap();
        let changed = load_cached(dir.path(), dir.path(), 1 << 20, &mut cache);
        assert_eq!((body(&changed), cache.misses), ("# Three".to_string(), 1));
        let recent = load_cached(dir.path(), dir.path(), 1 << 20, &mut cache);
        assert_eq!(cache.misses, 1, "a file modified just now is read again");
        assert_eq!(body(&recent), "# Three");
    }

    #[test]
    fn yaml_block_and_body_lines() {
        let text = "---\n\ntitle: A\nseverity: SEV2\n---\n\n# Heading\nbody\n";
        let (block, body, body_line) = split_frontmatter(text).unwrap();
        let block = block.unwrap();
        assert_eq!(block.format, FrontmatterFormat::Yaml);
        assert_eq!(block.text, "title: A\nseverity: SEV2");
        assert_eq!(block.first_line, 3);
        assert_eq!(body, "# Heading\nbody");
        assert_eq!(body_line, 7);
    }

    #[test]
    fn toml_block_with_bom_and_crlf() {
        let text = "\u{feff}+++\r\ntitle = \"A\"\r\n+++\r\nbody\r\n";
        let (block, body, body_line) = split_frontmatter(text).unwrap();
        let block = block.unwrap();
        assert_eq!(block.format, FrontmatterFormat::Toml);
        assert_eq!(block.text, "title = \"A\"");
        assert_eq!(body, "body");
        assert_eq!(body_line, 4);
    }

    #[test]
    fn no_frontmatter_keeps_the_whole_text() {
        let (block, body, line) = split_frontmatter("# Outage\n\n---\nmore\n").unwrap();
        assert!(block.is_none());
        assert_eq!(body, "# Outage\n\n---\nmore\n");
        assert_eq!(line, 1);
    }

    #[test]
    fn thematic_breaks_in_the_body_survive() {
        let (_, body, _) = split_frontmatter("---\na: 1\n---\nx\n\n---\n\ny ---\n").unwrap();
        assert_eq!(body, "x\n\n---\n\ny ---");
    }

    #[test]
    fn unclosed_block_is_an_error() {
        assert_eq!(
            split_frontmatter("---\ntitle: A\n# body\n"),
            Err(FrontmatterFormat::Yaml)
        );
    }

    #[test]
    fn editor_temp_files_are_ignored() {
        for name in [
            ".git",
            ".#a.md",
            "a.md~",
            "a.md.swp",
            "x.tmp",
            "a.md___jb_tmp___",
            "4913",
        ] {
            assert!(is_ignored_name(name), "{name}");
        }
        assert!(!is_ignored_name("2024-01-db.md"));
    }
}
