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
    /// Remove the previous site on a background thread after the swap
    /// (watch mode: the swap is then the last step before the page shows).
    deferred_cleanup: bool,
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
        // Recover from a build killed between the two renames of the
        // fallback swap: the previous complete site comes back.
        if !target.exists() && old.is_dir() {
            std::fs::rename(&old, target)?;
        }
        for leftover in [&staging, &old] {
            if leftover.exists() {
                std::fs::remove_dir_all(leftover)?;
            }
        }
        // Previous sites a process left to remove in the background and
        // did not finish (it exited): remove them, also in the background.
        let trash_prefix = format!(".{name}.trash-");
        if let Ok(entries) = std::fs::read_dir(parent) {
            for entry in entries.flatten() {
                if entry
                    .file_name()
                    .to_string_lossy()
                    .starts_with(&trash_prefix)
                {
                    let path = entry.path();
                    std::thread::spawn(move || std::fs::remove_dir_all(path));
                }
            }
        }
        std::fs::create_dir_all(&staging)?;
        Ok(Output {
            target: target.to_path_buf(),
            staging,
            previous: target.is_dir().then(|| target.to_path_buf()),
            written: AtomicUsize::new(0),
            unchanged: AtomicUsize::new(0),
            deferred_cleanup: false,
        })
    }

    /// Removes the previous site on a background thread after the swap
    /// instead of before [`Output::commit`] returns. For long-running
    /// processes (watch mode); a process that exits right after the commit
    /// would leave a hidden `.NAME.trash-*` folder, which the next
    /// [`Output::begin`] of this folder removes.
    pub fn defer_cleanup(&mut self) {
        self.deferred_cleanup = true;
    }

    /// Hard-links the previous site's file at `rel` into the new site, for
    /// a page whose inputs did not change (watch mode). `Ok(false)` when
    /// the previous site has no such file: the caller must write it.
    pub fn keep(&self, rel: &str) -> Result<bool, WriteError> {
        let Some(previous) = &self.previous else {
            return Ok(false);
        };
        let relative = safe_relative_path(rel)?;
        let old = previous.join(&relative);
        let path = self.staging.join(&relative);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|source| WriteError::Io {
                path: path.clone(),
                source,
            })?;
        }
        if std::fs::hard_link(&old, &path).is_ok() {
            self.unchanged.fetch_add(1, Ordering::Relaxed);
            return Ok(true);
        }
        Ok(false)
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

    /// Swaps the staging folder in as the output folder, atomically: on
    /// Linux the two folders are exchanged in one `renameat2` call, so the
    /// output path always holds a complete site, old or new, whenever the
    /// process is killed. Elsewhere (or where the file system cannot
    /// exchange) the previous output is renamed aside first; a build killed
    /// between the two renames is repaired by the next [`Output::begin`].
    /// The previous site is removed afterwards.
    pub fn commit(self) -> io::Result<usize> {
        let written = self.written.load(Ordering::Relaxed);
        if !self.target.exists() {
            std::fs::rename(&self.staging, &self.target)?;
            return Ok(written);
        }
        if exchange(&self.staging, &self.target).is_ok() {
            // The staging path now holds the previous site.
            if self.deferred_cleanup {
                let name = self
                    .staging
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default();
                // Unique per process and moment: no shared counter.
                let nanos = std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map_or(0, |d| d.as_nanos());
                let trash = self.staging.with_file_name(format!(
                    "{}.trash-{}-{nanos}",
                    name.trim_end_matches(".staging"),
                    std::process::id()
                ));
                if std::fs::rename(&self.staging, &trash).is_ok() {
                    std::thread::spawn(move || std::fs::remove_dir_all(trash));
                    return Ok(written);
                }
            }
            std::fs::remove_dir_all(&self.staging)?;
            return Ok(written);
        }
        let parent = self.staging.parent().unwrap_or(Path::new("."));
        let name = self
            .target
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let old = parent.join(format!(".{name}.old"));
        std::fs::rename(&self.target, &old)?;
        if let Err(e) = std::fs::rename(&self.staging, &self.target) {
            // Put the previous site back before reporting.
            let _ = std::fs::rename(&old, &self.target);
            return Err(e);
        }
        std::fs::remove_dir_all(&old)?;
        Ok(written)
    }

    /// Abandons the build: removes the staging folder; the output folder
    /// is untouched.
    pub fn abort(self) {
        let _ = std::fs::remove_dir_all(&self.staging);
    }
}

/// Exchanges two paths atomically (Linux `renameat2` with
/// `RENAME_EXCHANGE`).
#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> io::Result<()> {
    use std::os::unix::ffi::OsStrExt;
    let a = std::ffi::CString::new(a.as_os_str().as_bytes())?;
    let b = std::ffi::CString::new(b.as_os_str().as_bytes())?;
    // SAFETY: both arguments are valid NUL-terminated paths that outlive
    // the call; AT_FDCWD makes relative paths relative to the current
    // folder, as std::fs does.
    let result = unsafe {
        libc::renameat2(
            libc::AT_FDCWD,
            a.as_ptr(),
            libc::AT_FDCWD,
            b.as_ptr(),
            libc::RENAME_EXCHANGE,
        )
    };
    if result == 0 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}

/// No atomic exchange here: the caller falls back to two renames.
#[cfg(not(target_os = "linux"))]
fn exchange(_a: &Path, _b: &Path) -> io::Result<()> {
    Err(io::Error::new(
        io::ErrorKind::Unsupported,
        "no atomic exchange",
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_interrupted_fallback_swap_is_repaired() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("public");
        // A build killed after moving the old site aside.
        std::fs::create_dir_all(dir.path().join(".public.old")).unwrap();
        std::fs::write(dir.path().join(".public.old/index.html"), "previous").unwrap();
        std::fs::create_dir_all(dir.path().join(".public.staging")).unwrap();
        let out = Output::begin(&target).unwrap();
        assert_eq!(
            std::fs::read_to_string(target.join("index.html")).unwrap(),
            "previous"
        );
        out.abort();
        assert_eq!(
            std::fs::read_to_string(target.join("index.html")).unwrap(),
            "previous"
        );
    }

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
