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
    written: AtomicUsize,
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
            written: AtomicUsize::new(0),
        })
    }

    /// Writes `bytes` at `rel` (e.g. `incidents/db/index.html`) inside the
    /// site, creating folders. Safe to call from many threads at once.
    pub fn write(&self, rel: &str, bytes: &[u8]) -> Result<(), WriteError> {
        let path = self.staging.join(safe_relative_path(rel)?);
        let io_error = |source| WriteError::Io {
            path: path.clone(),
            source,
        };
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(io_error)?;
        }
        std::fs::write(&path, bytes).map_err(io_error)?;
        self.written.fetch_add(1, Ordering::Relaxed);
        Ok(())
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
        let leftovers: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(leftovers.len(), 1, "no staging or old folders left");
    }
}
