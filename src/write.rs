//! Write stage: the one place that writes the site.
//!
//! A build writes into a staging folder beside the output folder
//! (`.<name>.staging`) and swaps it in only when everything succeeded, so a
//! failed build leaves the previous site untouched and stale pages vanish.
//! Every path goes through [`safe_relative_path`], so nothing can be written
//! outside the output folder whatever a slug, id or asset name says.

use std::io;
use std::path::{Component, Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

/// A write that was refused or failed.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    /// The path would leave the output folder, or is not a plain relative
    /// path (`..`, absolute, empty segment, NUL, backslash).
    #[error("refused to write {0:?}: the path would leave the output folder")]
    UnsafePath(String),
    /// The file system refused.
    #[error("cannot write {path}: {source}")]
    Io {
        /// The path that failed.
        path: PathBuf,
        /// The underlying error.
        source: io::Error,
    },
}

/// Checks that `rel` is a plain relative path (`a/b/index.html`) and
/// returns it as a `PathBuf`. Refused: empty, absolute, `.` or `..`
/// segments, empty segments, backslashes, NUL and other control characters.
pub fn safe_relative_path(rel: &str) -> Result<PathBuf, WriteError> {
    let refuse = || WriteError::UnsafePath(rel.to_string());
    if rel.is_empty()
        || rel.starts_with('/')
        || rel.contains('\\')
        || rel.chars().any(char::is_control)
    {
        return Err(refuse());
    }
    let mut path = PathBuf::new();
    for segment in rel.split('/') {
        if segment.is_empty() || segment == "." || segment == ".." || segment.contains(':') {
            return Err(refuse());
        }
        path.push(segment);
    }
    if !path.components().all(|c| matches!(c, Component::Normal(_))) {
        return Err(refuse());
    }
    Ok(path)
}

/// An output folder being built. Writes go to the staging folder until
/// [`Output::commit`].
#[derive(Debug)]
pub struct Output {
    target: PathBuf,
    staging: PathBuf,
    /// The previous complete site, if any: unchanged files are taken from it.
    previous: Option<PathBuf>,
    written: AtomicUsize,
    unchanged: AtomicUsize,
}

impl Output {
    /// Starts a build of `target`: removes a staging folder left by an
    /// interrupted build and creates a fresh one beside `target`.
    pub fn begin(target: &Path) -> io::Result<Output> {
        let name = target
            .file_name()
            .ok_or_else(|| {
                io::Error::new(
                    io::ErrorKind::InvalidInput,
                    "the output folder needs a name",
                )
            })?
            .to_string_lossy()
            .into_owned();
        let parent = target
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        std::fs::create_dir_all(parent)?;
        let staging = parent.join(format!(".{name}.staging"));
        let old = parent.join(format!(".{name}.old"));
        for leftover in [&staging, &old] {
            if leftover.exists() {
                std::fs::remove_dir_all(leftover)?;
            }
        }
        std::fs::create_dir_all(&staging)?;
        Ok(Output {
            target: target.to_path_buf(),
            staging,
            previous: target.is_dir().then(|| target.to_path_buf()),
            written: AtomicUsize::new(0),
            unchanged: AtomicUsize::new(0),
        })
    }

    /// Writes `bytes` at `rel` (e.g. `incidents/db/index.html`) inside the
    /// site, creating folders. Safe to call from many threads at once.
    ///
    /// When the previous site holds the same bytes at `rel`, its file is
    /// hard-linked into the new site instead (same inode and modification
    /// time, so syncs and caches see no change); after the swap the old
    /// folder is removed and no file keeps a second link.
    pub fn write(&self, rel: &str, bytes: &[u8]) -> Result<(), WriteError> {
        let relative = safe_relative_path(rel)?;
        let path = self.staging.join(&relative);
        let io_error = |source| WriteError::Io {
            path: path.clone(),
            source,
        };
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(io_error)?;
        }
        if let Some(previous) = &self.previous {
            let old = previous.join(&relative);
            let same = std::fs::metadata(&old)
                .is_ok_and(|m| m.is_file() && m.len() == bytes.len() as u64)
                && std::fs::read(&old).is_ok_and(|old_bytes| old_bytes == bytes);
            if same && std::fs::hard_link(&old, &path).is_ok() {
                self.unchanged.fetch_add(1, Ordering::Relaxed);
                return Ok(());
            }
        }
        std::fs::write(&path, bytes).map_err(io_error)?;
        self.written.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }

    /// How many files kept the previous build's bytes (not rewritten).
    pub fn files_unchanged(&self) -> usize {
        self.unchanged.load(Ordering::Relaxed)
    }

    /// Copies the file `from` to `rel` inside the site.
    pub fn copy(&self, rel: &str, from: &Path) -> Result<(), WriteError> {
        let path = self.staging.join(safe_relative_path(rel)?);
        let io_error = |source| WriteError::Io {
            path: path.clone(),
            source,
        };
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(io_error)?;
        }
        std::fs::copy(from, &path).map_err(io_error)?;
        self.written.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }

    /// How many files were written so far.
    pub fn files_written(&self) -> usize {
        self.written.load(Ordering::Relaxed)
    }

    /// Swaps the staging folder in as the output folder. The previous
    /// output is moved aside first and removed after the swap.
    pub fn commit(self) -> io::Result<usize> {
        let parent = self.staging.parent().unwrap_or(Path::new("."));
        let name = self
            .target
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let old = parent.join(format!(".{name}.old"));
        let had_previous = self.target.exists();
        if had_previous {
            std::fs::rename(&self.target, &old)?;
        }
        if let Err(e) = std::fs::rename(&self.staging, &self.target) {
            if had_previous {
                // Put the previous site back before reporting.
                let _ = std::fs::rename(&old, &self.target);
            }
            return Err(e);
        }
        if had_previous {
            std::fs::remove_dir_all(&old)?;
        }
        Ok(self.written.load(Ordering::Relaxed))
    }

    /// Abandons the build: removes the staging folder; the output folder
    /// is untouched.
    pub fn abort(self) {
        let _ = std::fs::remove_dir_all(&self.staging);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_paths_that_leave_the_folder() {
        for bad in [
            "",
            "/etc/passwd",
            "../x",
            "a/../../x",
            "a//b",
            "./a",
            "a\\b",
            "a/\0b",
            "c:/x",
            "a/..",
        ] {
            assert!(safe_relative_path(bad).is_err(), "{bad:?}");
        }
        assert_eq!(
            safe_relative_path("incidents/db/index.html").unwrap(),
            PathBuf::from("incidents/db/index.html")
        );
    }

    #[test]
    fn commit_swaps_and_abort_keeps_the_previous_site() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("public");
        let out = Output::begin(&target).unwrap();
        out.write("index.html", b"one").unwrap();
        out.write("stale/index.html", b"old page").unwrap();
        out.commit().unwrap();
        assert_eq!(std::fs::read(target.join("index.html")).unwrap(), b"one");

        let out = Output::begin(&target).unwrap();
        out.write("index.html", b"two").unwrap();
        out.abort();
        assert_eq!(std::fs::read(target.join("index.html")).unwrap(), b"one");

        let out = Output::begin(&target).unwrap();
        out.write("index.html", b"three").unwrap();
        out.commit().unwrap();
        assert_eq!(std::fs::read(target.join("index.html")).unwrap(), b"three");
        assert!(!target.join("stale").exists(), "stale pages vanish");

        // Unchanged bytes keep the previous file (same inode), changed ones
        // are written; nothing keeps a second link after the swap.
        use std::os::unix::fs::MetadataExt;
        let out = Output::begin(&target).unwrap();
        out.write("a.html", b"new").unwrap();
        out.commit().unwrap();
        let before = std::fs::metadata(target.join("a.html")).unwrap().ino();
        let out = Output::begin(&target).unwrap();
        out.write("a.html", b"new").unwrap();
        out.write("b.html", b"other").unwrap();
        assert_eq!((out.files_written(), out.files_unchanged()), (1, 1));
        out.commit().unwrap();
        let after = std::fs::metadata(target.join("a.html")).unwrap();
        assert_eq!(after.ino(), before, "the unchanged file was not rewritten");
        assert_eq!(after.nlink(), 1, "no hard link survives the swap");
        let leftovers: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(leftovers.len(), 1, "no staging or old folders left");
    }
}
