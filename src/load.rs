//! Load stage: walk the content folder, read every postmortem in parallel
//! and split off its frontmatter (GUIDE.md 3).
//!
//! Output: [`SourceFile`]s sorted by relative path, the asset files found
//! beside them, and diagnostics for files that could not be read. Nothing is
//! parsed here beyond finding the frontmatter block and its line offset.

use std::collections::{BTreeMap, BTreeSet};
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
    /// Shared, like the body.
    pub text: std::sync::Arc<str>,
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
    /// The Markdown body, line endings normalised to `\n`. Shared, so
    /// that watch mode's load cache hands out files without copying them.
    pub body: std::sync::Arc<str>,
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
    /// With a [`LoadCache`]: the Markdown files (relative paths) read
    /// afresh by this load; every other file is exactly the one the last
    /// load gave. `None` without a cache.
    pub fresh: Option<std::collections::HashSet<PathBuf>>,
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
///
/// When the watcher says which paths changed ([`LoadCache::note_changes`]),
/// the next load does not walk the folder at all: it stats and reads only
/// those paths and takes every other file from the cache. It walks after
/// all whenever the change could be more than files: a folder created,
/// removed or renamed, a symbolic link, a file over the size limit, or a
/// walk that reported problems.
#[derive(Debug, Default)]
pub struct LoadCache {
    /// Markdown files by path relative to the content folder; `Path`'s
    /// order (component by component) is the walk's order.
    files: BTreeMap<PathBuf, CachedFile>,
    /// Other files, as in [`Loaded::assets`].
    assets: BTreeSet<PathBuf>,
    /// The canonical content folder, display folder and size limit of the
    /// last walk (`None`: no usable walk yet).
    walked: Option<(PathBuf, PathBuf, u64)>,
    /// Problems the last walk itself reported (not reading a file).
    walk_problems: Diagnostics,
    /// Whether a watcher reports changes ([`LoadCache::note_changes`]).
    watched: bool,
    /// Paths changed since the last load, as the watcher reported them
    /// (`None`: it lost some).
    changes: Option<Vec<PathBuf>>,
    /// When the last build started reading.
    read_at: Option<std::time::SystemTime>,
    /// Files read (not taken from the cache) by the last build.
    pub misses: usize,
    /// Whether the last load walked the folder (false: it applied the
    /// watcher's changes).
    pub walked_folder: bool,
}

/// Size, modification time and what reading gave.
type CachedFile = (u64, Option<std::time::SystemTime>, ReadResult);

impl LoadCache {
    /// Records the paths (absolute, as the watcher reports them) that
    /// changed since the last load; `None` when the watcher cannot say
    /// (an overflow or error), so the next load walks. Changes noted
    /// before a load accumulate.
    pub fn note_changes(&mut self, paths: Option<&[PathBuf]>) {
        if !self.watched {
            self.watched = true;
            self.changes = Some(Vec::new());
        }
        self.changes = match (self.changes.take(), paths) {
            (Some(mut noted), Some(paths)) => {
                noted.extend_from_slice(paths);
                Some(noted)
            }
            _ => None,
        };
    }
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
    mut cache: Option<&mut LoadCache>,
) -> Loaded {
    if let Some(cache) = cache.as_deref_mut() {
        let changes = cache.changes.take();
        // Changes noted from now on are the next load's.
        cache.changes = cache.watched.then(Vec::new);
        if let Some(loaded) =
            changes.and_then(|c| apply_changes(content_dir, display_dir, max_bytes, cache, &c))
        {
            cache.walked_folder = false;
            return loaded;
        }
        cache.walked_folder = true;
        cache.walked = None;
    }
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

    let mut found = Vec::new();
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
            found.push(rel);
        } else {
            loaded.assets.insert(rel);
        }
    }
    // Each Markdown file's size and modification time: a `stat` each (the
    // walk's entries do not keep them), in parallel.
    let readers = readers_for(found.len());
    let stated: Vec<Result<_, Diagnostic>> = with_readers(readers.as_ref(), || {
        found
            .into_par_iter()
            .map(|rel| {
                let metadata = std::fs::metadata(root.join(&rel)).ok();
                let size = metadata.as_ref().map_or(0, std::fs::Metadata::len);
                if size > max_bytes {
                    return Err(Diagnostic::error(
                        Code::FileTooLarge,
                        &display_dir.join(&rel),
                        None,
                        format!("the file is {size} bytes, over the limit of {max_bytes}"),
                    )
                    .with_hint("split it, or raise `max_file_bytes` in hindsight.toml"));
                }
                let modified = metadata.and_then(|m| m.modified().ok());
                Ok((rel, size, modified))
            })
            .collect()
    });
    let mut markdown = Vec::with_capacity(stated.len());
    for file in stated {
        match file {
            Ok(file) => markdown.push(file),
            Err(diagnostic) => loaded.diagnostics.push(diagnostic),
        }
    }

    let read = |rel: &PathBuf| read_source(&root.join(rel), rel, &display_dir.join(rel));
    let results: Vec<ReadResult> = match cache {
        None => with_readers(readers.as_ref(), || {
            markdown.par_iter().map(|(rel, _, _)| read(rel)).collect()
        }),
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
            cache.walk_problems = loaded.diagnostics.clone();
            cache.assets = loaded.assets.clone();
            cache.walked = Some((root.clone(), display_dir.to_path_buf(), max_bytes));
            cache.misses = results.iter().filter(|r| r.is_none()).count();
            loaded.fresh = Some(
                results
                    .iter()
                    .zip(&markdown)
                    .filter(|(hit, _)| hit.is_none())
                    .map(|(_, (rel, _, _))| rel.clone())
                    .collect(),
            );
            let results: Vec<ReadResult> = with_readers(readers.as_ref(), || {
                results
                    .into_par_iter()
                    .zip(markdown.par_iter())
                    .map(|(hit, (rel, _, _))| hit.unwrap_or_else(|| read(rel)))
                    .collect()
            });
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

/// What one changed path does to the cached file list.
enum Change {
    /// A Markdown file to read again (new or changed).
    Read(PathBuf, u64, Option<std::time::SystemTime>),
    /// A file, Markdown or not, that is gone.
    Remove(PathBuf),
    /// A file that is not Markdown, now present.
    Asset(PathBuf),
}

/// The load after the watcher's `changes`, from the cache and without a
/// walk; `None` when only a walk can tell (see [`LoadCache`]).
fn apply_changes(
    content_dir: &Path,
    display_dir: &Path,
    max_bytes: u64,
    cache: &mut LoadCache,
    changes: &[PathBuf],
) -> Option<Loaded> {
    let (root, walked_display, walked_max) = cache.walked.as_ref()?;
    if walked_display != display_dir || *walked_max != max_bytes || !cache.walk_problems.is_empty()
    {
        return None;
    }
    let absolute = std::path::absolute(content_dir).ok()?;
    let mut plan = Vec::new();
    for path in changes {
        let Some(rel) = path
            .strip_prefix(root)
            .or_else(|_| path.strip_prefix(&absolute))
            .ok()
        else {
            // Outside the content folder (configuration, templates):
            // nothing to load.
            continue;
        };
        if rel.as_os_str().is_empty() {
            return None;
        }
        let ignored = rel
            .components()
            .any(|c| is_ignored_name(&c.as_os_str().to_string_lossy()));
        if ignored {
            continue;
        }
        let rel = rel.to_path_buf();
        match std::fs::symlink_metadata(root.join(&rel)) {
            Ok(meta) if meta.is_file() => {
                if is_markdown(&rel.to_string_lossy()) {
                    if meta.len() > max_bytes {
                        return None;
                    }
                    plan.push(Change::Read(rel, meta.len(), meta.modified().ok()));
                } else {
                    plan.push(Change::Asset(rel));
                }
            }
            // A folder, a symbolic link or something stranger: walk.
            Ok(_) => return None,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                // A known file removed; anything else that vanished could
                // have been a folder.
                if cache.files.contains_key(&rel) || cache.assets.contains(&rel) {
                    plan.push(Change::Remove(rel));
                } else if cache
                    .files
                    .keys()
                    .chain(&cache.assets)
                    .any(|p| p.starts_with(&rel))
                {
                    return None;
                }
            }
            Err(_) => return None,
        }
    }
    let read_at = std::time::SystemTime::now();
    let mut fresh = std::collections::HashSet::new();
    for change in plan {
        match change {
            Change::Read(rel, size, modified) => {
                let result = read_source(&root.join(&rel), &rel, &display_dir.join(&rel));
                cache.assets.remove(&rel);
                cache.files.insert(rel.clone(), (size, modified, result));
                fresh.insert(rel);
            }
            Change::Remove(rel) => {
                cache.files.remove(&rel);
                cache.assets.remove(&rel);
            }
            Change::Asset(rel) => {
                cache.files.remove(&rel);
                cache.assets.insert(rel);
            }
        }
    }
    cache.misses = fresh.len();
    cache.read_at = Some(read_at);
    let mut loaded = Loaded {
        assets: cache.assets.clone(),
        fresh: Some(fresh),
        ..Loaded::default()
    };
    let results: Vec<&ReadResult> = cache.files.values().map(|(_, _, r)| r).collect();
    let results: Vec<ReadResult> = results.into_par_iter().cloned().collect();
    for result in results {
        match result {
            Ok(file) => loaded.files.push(file),
            Err(diagnostic) => loaded.diagnostics.push(diagnostic),
        }
    }
    Some(loaded)
}

/// A file with `text`, as if read at `rel` (tests of later stages).
/// Panics on an unclosed frontmatter block.
#[cfg(test)]
pub(crate) fn source_from_text(rel: &str, text: &str) -> SourceFile {
    let (frontmatter, body, body_line) =
        split_frontmatter(text).expect("the test's frontmatter closes");
    SourceFile {
        rel_path: PathBuf::from(rel),
        display_path: PathBuf::from(rel),
        frontmatter,
        body: body.into(),
        body_line,
    }
}

/// How many threads read files at once ([`readers_for`]): files not in
/// the page cache are read from the disk, which serves several requests at
/// once. A cold load of 50,000 postmortems here took 3.1 to 4.6 s with
/// one reader per core (2), 2.0 s with 4, 1.3 to 1.4 s with 8, 1.1 s with
/// 16 and 1.0 s with 32; from the page cache, the same with 2 or 16
/// (docs/PERFORMANCE.md).
const READERS: usize = 16;

/// Fewer files than this are read on the build's own threads (watch mode's
/// rebuilds read a handful): a pool of readers costs a few hundred
/// microseconds to start.
const READERS_FROM: usize = 256;

/// A pool of [`READERS`] threads for a load of `files` files, or `None`
/// when there are few files (or the build already has that many threads):
/// then the build's own pool reads. Made once per load, for the stats
/// and the reads. Besides waiting on the disk, a reader only checks
/// UTF-8 and finds the frontmatter's end; parsing stays on the build's
/// threads, one per core. `RAYON_NUM_THREADS` sets the build's threads,
/// not the readers.
fn readers_for(files: usize) -> Option<rayon::ThreadPool> {
    if files < READERS_FROM || rayon::current_num_threads() >= READERS {
        return None;
    }
    rayon::ThreadPoolBuilder::new()
        .num_threads(READERS)
        .build()
        .ok()
}

/// Runs `work` (parallel iterators that read or stat files) on
/// `readers`, if any, else on the current pool.
fn with_readers<R: Send>(
    readers: Option<&rayon::ThreadPool>,
    work: impl FnOnce() -> R + Send,
) -> R {
    match readers {
        Some(pool) => pool.install(work),
        None => work(),
    }
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
        body: body.into(),
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
    // The closing line: the first after the opening one that is the
    // delimiter (trailing blanks allowed), as gray_matter finds it.
    let mut offset = text.find('\n').map_or(text.len(), |i| i + 1);
    let mut after_block = None;
    while offset < text.len() {
        let end = text[offset..]
            .find('\n')
            .map_or(text.len(), |i| offset + i + 1);
        if text[offset..end].trim_end() == delimiter {
            after_block = Some(end);
            break;
        }
        offset = end;
    }
    let after_block = after_block.ok_or(format)?;
    // gray_matter reads only the block: the body is sliced here rather
    // than rebuilt line by line.
    let mut matter = Matter::<Unparsed>::new();
    matter.delimiter = delimiter.to_string();
    // gray_matter treats a line ending in the delimiter as an excerpt
    // marker unless told otherwise; give it a marker no file contains.
    matter.excerpt_delimiter = Some("\u{0}hindsight-no-excerpt\u{0}".to_string());
    let parsed = matter
        .parse::<serde::de::IgnoredAny>(&text[..after_block])
        .map_err(|_| format)?;

    // gray_matter trims the block; recover the line its text starts on.
    let leading_blank = text
        .lines()
        .skip(1)
        .take_while(|line| line.trim().is_empty())
        .count() as u32;
    // The body as gray_matter gives it: lines joined by `\n` (no `\r`,
    // no final line break), leading empty lines dropped.
    let rest = &text[after_block..];
    let body = if rest.contains('\r') {
        rest.lines().collect::<Vec<_>>().join("\n")
    } else {
        rest.strip_suffix('\n').unwrap_or(rest).to_string()
    };
    let body = match body.trim_start_matches('\n') {
        trimmed if trimmed.len() == body.len() => body,
        trimmed => trimmed.to_string(),
    };
    let body_line = line_count(text).saturating_sub(line_count(&body)) + 1;
    let block = FrontmatterBlock {
        format,
        text: parsed.matter.into(),
        first_line: 2 + leading_blank,
    };
    Ok((Some(block), body, body_line))
}

/// The split gray_matter gives when it reads the whole file (the
/// reference [`split_frontmatter`] must match).
#[cfg(test)]
fn split_by_gray_matter(text: &str) -> Option<(String, String, u32)> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let delimiter = text.lines().next()?.trim_end();
    let mut matter = Matter::<Unparsed>::new();
    matter.delimiter = delimiter.to_string();
    matter.excerpt_delimiter = Some("\u{0}hindsight-no-excerpt\u{0}".to_string());
    let parsed = matter.parse::<serde::de::IgnoredAny>(text).ok()?;
    let body_line = line_count(text).saturating_sub(line_count(&parsed.content)) + 1;
    Some((parsed.matter, parsed.content, body_line))
}

/// `text.lines().count()`, counted bytewise (a `\r\n` ends one line;
/// memchr counts a vector of bytes at a time).
fn line_count(text: &str) -> u32 {
    let newlines = memchr::memchr_iter(b'\n', text.as_bytes()).count();
    (newlines + usize::from(!text.is_empty() && !text.ends_with('\n'))) as u32
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
    fn the_split_is_what_gray_matter_gives_for_the_whole_file() {
        for text in [
            "---\ntitle: A\n---\n# Body\n\ntext\n",
            "---\ntitle: A\n---\n\n\n# Body\n",
            "---\r\ntitle: A\r\n---\r\n\r\n# Body\r\nmore\r\n",
            "---\ntitle: A\n--- \nbody without newline",
            "---\ntitle: A\n---\n",
            "---\ntitle: A\n---",
            "---\n\n\ntitle: A\n\n---\n  \nbody\n\n\n",
            "\u{feff}---\ntitle: A\n---\nx\n---\ny\n---\n",
            "+++\ntitle = \"A\"\n+++\n\n# Body\n",
            "---\n---\nempty block\n",
            "---\ntitle: A\n---\n\t\n\nafter a tab line\n",
        ] {
            let (block, body, line) = split_frontmatter(text).unwrap();
            let (matter, content, reference_line) = split_by_gray_matter(text).unwrap();
            assert_eq!(
                (block.unwrap().text.to_string(), body, line),
                (matter, content, reference_line),
                "{text:?}"
            );
        }
    }

    #[test]
    fn many_files_are_read_by_the_readers_whole_and_in_order() {
        // More than `READERS_FROM` files, so that the reader pool reads
        // them, with a file too large and one that is not UTF-8 among them.
        let dir = tempfile::tempdir().unwrap();
        let count = READERS_FROM + 44;
        for n in 0..count {
            let folder = dir.path().join(format!("{}", n % 7));
            std::fs::create_dir_all(&folder).unwrap();
            let text = format!("---\ntitle: Outage {n}\n---\n# Outage {n}\n\nThe queue stalled.\n");
            std::fs::write(folder.join(format!("pm-{n:04}.md")), text).unwrap();
        }
        std::fs::write(dir.path().join("0/big.md"), "x".repeat(5_000)).unwrap();
        std::fs::write(dir.path().join("1/latin1.md"), b"caf\xe9\n").unwrap();
        let loaded = load_limited(dir.path(), dir.path(), 4_000);
        assert_eq!(loaded.files.len(), count);
        let mut paths: Vec<&PathBuf> = loaded.files.iter().map(|f| &f.rel_path).collect();
        paths.sort();
        assert_eq!(
            paths,
            loaded.files.iter().map(|f| &f.rel_path).collect::<Vec<_>>()
        );
        for file in &loaded.files {
            let stem = file.rel_path.file_stem().unwrap().to_string_lossy();
            let n: usize = stem.trim_start_matches("pm-").parse().unwrap();
            assert_eq!(
                file.rel_path,
                PathBuf::from(format!("{}/pm-{n:04}.md", n % 7))
            );
            let frontmatter = file.frontmatter.as_ref().unwrap();
            assert_eq!(&*frontmatter.text, format!("title: Outage {n}"));
            assert_eq!(&*file.body, format!("# Outage {n}\n\nThe queue stalled."));
        }
        let codes: Vec<Code> = loaded.diagnostics.iter().map(|d| d.code).collect();
        assert_eq!(codes, [Code::FileTooLarge, Code::UnreadableFile]);
    }

    #[test]
    fn line_count_counts_as_lines_does() {
        for text in [
            "",
            "a",
            "a\n",
            "a\nb",
            "a\r\nb\r\n",
            "\n\n",
            "\r\n",
            "a\n\nb\n",
        ] {
            assert_eq!(line_count(text), text.lines().count() as u32, "{text:?}");
        }
    }

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

    /// The files and assets of a load, for comparison.
    fn listing(loaded: &Loaded) -> (Vec<(PathBuf, String)>, Vec<PathBuf>) {
        let files = loaded
            .files
            .iter()
            .map(|f| (f.rel_path.clone(), f.body.to_string()))
            .collect();
        (files, loaded.assets.iter().cloned().collect())
    }

    #[test]
    fn with_the_watchers_changes_a_load_reads_only_those_and_equals_a_walk() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().canonicalize().unwrap();
        let write = |rel: &str, text: &str| {
            let path = root.join(rel);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        };
        write("a.md", "# A\n");
        write("a/b.md", "# B\n");
        write("a-c.md", "# C\n");
        write("img.png", "png");
        let mut cache = LoadCache::default();
        load_cached(&root, &root, 1 << 20, &mut cache);
        let mut step = |changed: &[&str], walks: bool| {
            let paths: Vec<PathBuf> = changed.iter().map(|p| root.join(p)).collect();
            cache.note_changes(Some(&paths));
            let loaded = load_cached(&root, &root, 1 << 20, &mut cache);
            assert_eq!(cache.walked_folder, walks, "{changed:?}");
            assert_eq!(
                listing(&loaded),
                listing(&load(&root, &root)),
                "{changed:?}"
            );
            cache.misses
        };
        write("a/b.md", "# B, edited\n");
        assert_eq!(step(&["a/b.md"], false), 1);
        write("a/d.md", "# D\n");
        write("logo.svg", "<svg/>");
        step(&["a/d.md", "logo.svg"], false);
        std::fs::remove_file(root.join("a-c.md")).unwrap();
        std::fs::remove_file(root.join("img.png")).unwrap();
        step(&["a-c.md", "img.png"], false);
        // Hidden and temporary files, and paths outside the folder.
        write(".notes.md", "# hidden\n");
        assert_eq!(step(&[".notes.md", "../hindsight.toml"], false), 0);
        // A new folder, a removed folder: walk.
        write("b/e.md", "# E\n");
        step(&["b"], true);
        std::fs::remove_dir_all(root.join("a")).unwrap();
        step(&["a"], true);
        // Lost events: walk.
        cache.note_changes(None);
        load_cached(&root, &root, 1 << 20, &mut cache);
        assert!(cache.walked_folder);
    }

    #[test]
    fn yaml_block_and_body_lines() {
        let text = "---\n\ntitle: A\nseverity: SEV2\n---\n\n# Heading\nbody\n";
        let (block, body, body_line) = split_frontmatter(text).unwrap();
        let block = block.unwrap();
        assert_eq!(block.format, FrontmatterFormat::Yaml);
        assert_eq!(&*block.text, "title: A\nseverity: SEV2");
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
        assert_eq!(&*block.text, "title = \"A\"");
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
