//! Watch mode: rebuild when the archive changes (`hindsight watch`, and the
//! rebuild loop of `hindsight serve`).
//!
//! Events come from notify through notify-debouncer-full (20 ms), which
//! stitches renames and coalesces the hundreds of events of a `git
//! checkout`. Every batch of relevant events triggers a build through the
//! same code as `hindsight build`, so the output is always identical to a
//! clean build; the write stage leaves files whose bytes did not change
//! untouched. A failed build leaves the previous site in place.
//!
//! What counts as a change is decided in one place, [`is_relevant`]:
//! editor temp files, hidden files, access events and the output folder
//! itself (and its staging folders) never trigger a rebuild.

use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use notify_debouncer_full::notify::{self, EventKind, RecursiveMode};

use crate::build::{BuildFailure, BuildOptions, BuildReport, Plan};
use crate::load::is_ignored_name;

/// How long the debouncer waits for a burst of events to settle. Short,
/// because it adds to every edit's latency; a burst longer than this
/// (a checkout) only means one more rebuild, whose result is the same.
pub const DEBOUNCE: Duration = Duration::from_millis(10);

/// After a batch, how long to wait for more before building: a little
/// over the debouncer's tick (a quarter of [`DEBOUNCE`]), so that the
/// batches of one burst are built together.
const SETTLE: Duration = Duration::from_millis(3);

/// The result of one (re)build.
#[derive(Debug)]
pub enum Outcome {
    /// The site was built.
    Built {
        /// The build's report.
        report: BuildReport,
        /// The changed paths that triggered it (empty for the first build).
        changed: Vec<PathBuf>,
        /// Wall time.
        elapsed: Duration,
    },
    /// The build failed; the previous site is still in place.
    Failed {
        /// What went wrong.
        failure: BuildFailure,
        /// The changed paths that triggered it.
        changed: Vec<PathBuf>,
    },
}

/// Whether a changed `path` should trigger a rebuild: not inside the output
/// folder, and, below the watched folder it is in, not a hidden file or
/// folder (which covers the build's own `.public.staging` and
/// `.public.old`) and not an editor temp file. Folders above the watched
/// ones do not count (`/tmp/.cache/archive/content` is fine).
pub fn is_relevant(path: &Path, watched: &[PathBuf], output: &Path) -> bool {
    if path.starts_with(output) {
        return false;
    }
    let relative = watched
        .iter()
        .find_map(|w| path.strip_prefix(w).ok())
        .unwrap_or(path);
    !relative
        .components()
        .filter_map(|c| match c {
            std::path::Component::Normal(name) => Some(name.to_string_lossy()),
            _ => None,
        })
        .any(|name| is_ignored_name(&name))
}

fn absolute(path: &Path) -> PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf())
}

/// Builds once, then rebuilds on every relevant change until the process
/// ends, calling `on_build` after each build. `poll` uses a polling
/// watcher (network file systems, containers, WSL2).
///
/// Errors: the archive's configuration cannot be read (before the first
/// build), or the file system cannot be watched.
pub fn run(
    options: &BuildOptions,
    poll: bool,
    mut on_build: impl FnMut(Outcome),
) -> anyhow::Result<()> {
    let plan = Plan::new(options).map_err(|d| anyhow::anyhow!("{d}"))?;
    let output = absolute(&plan.output);
    let mut watched: Vec<PathBuf> = vec![absolute(plan.root.as_deref().unwrap_or(&plan.content))];
    let content = absolute(&plan.content);
    if !watched.iter().any(|w| content.starts_with(w)) {
        watched.push(content.clone());
    }
    let root = plan.root.as_deref().map(absolute);

    let (tx, rx) = mpsc::channel();
    let mut watcher: Box<dyn Unwatch> = if poll {
        let config = notify::Config::default().with_poll_interval(Duration::from_millis(500));
        Box::new(notify_debouncer_full::new_debouncer_opt::<
            _,
            notify::PollWatcher,
            notify_debouncer_full::FileIdMap,
        >(
            DEBOUNCE,
            None,
            tx,
            notify_debouncer_full::FileIdMap::new(),
            config,
        )?)
    } else {
        Box::new(notify_debouncer_full::new_debouncer(DEBOUNCE, None, tx)?)
    };
    // The archive root itself is watched without recursion (the
    // configuration file, and folders appearing), and only the folders a
    // build reads recursively: never the output folder or the build's own
    // staging folders, whose thousands of events per build would bury (or
    // overflow) the author's edits.
    let mut watching: Vec<PathBuf> = Vec::new();
    let add_watches = |watcher: &mut Box<dyn Unwatch>, watching: &mut Vec<PathBuf>| {
        for (path, recursive) in watch_list(root.as_deref(), &content) {
            if !watching.contains(&path) && path.exists() {
                watcher.watch_path(&path, recursive)?;
                watching.push(path);
            }
        }
        notify::Result::Ok(())
    };
    add_watches(&mut watcher, &mut watching)?;
    // Watch first, then build: an edit made during the first build is not
    // missed (its events wait in the channel).
    let mut session = crate::build::Session::default();
    on_build(build_once(options, &mut session, Vec::new()));

    loop {
        let Ok(first) = rx.recv() else { return Ok(()) };
        let mut batches = vec![first];
        // A burst (a checkout) may span several debounced batches.
        while let Ok(more) = rx.recv_timeout(SETTLE) {
            batches.push(more);
        }
        // The next rebuild reads only the reported paths when files were
        // only created or written. It walks the content folder when
        // events were lost (an error, a rescan), and after any removal
        // or rename: the debouncer merges those per path and can drop a
        // path (a file renamed, then the new name deleted and written
        // again, is reported as the new name only).
        let mut complete = true;
        let mut changed: Vec<PathBuf> = Vec::new();
        for batch in batches {
            let Ok(events) = batch else {
                complete = false;
                continue;
            };
            for event in events {
                complete &= !event.need_rescan();
                if matches!(event.kind, EventKind::Access(_)) {
                    continue;
                }
                let structural = matches!(
                    event.kind,
                    EventKind::Remove(_) | EventKind::Modify(notify::event::ModifyKind::Name(_))
                );
                let before = changed.len();
                changed.extend(
                    (event.event.paths.into_iter())
                        .filter(|path| is_relevant(path, &watched, &output)),
                );
                complete &= changed.len() == before || !structural;
            }
        }
        changed.sort();
        changed.dedup();
        if changed.is_empty() && complete {
            continue;
        }
        session.note_changes(complete.then_some(changed.as_slice()));
        // A watched folder that was replaced (deleted and made again, or
        // renamed over) is watched anew; one that appeared (say
        // `templates/`) is watched from now on.
        watching.retain(|path| !changed.contains(path) && path.exists());
        add_watches(&mut watcher, &mut watching)?;
        on_build(build_once(options, &mut session, changed));
    }
}

fn build_once(
    options: &BuildOptions,
    session: &mut crate::build::Session,
    changed: Vec<PathBuf>,
) -> Outcome {
    let started = Instant::now();
    match crate::build::rebuild(options, session) {
        Ok(report) => Outcome::Built {
            report,
            changed,
            elapsed: started.elapsed(),
        },
        Err(failure) => Outcome::Failed { failure, changed },
    }
}

/// What to watch, and whether recursively: the archive root (if any)
/// without recursion, for `hindsight.toml` and folders that appear; the
/// content folder, and the root's `templates/`, `static/` and `themes/`,
/// recursively.
fn watch_list(root: Option<&Path>, content: &Path) -> Vec<(PathBuf, bool)> {
    let mut list: Vec<(PathBuf, bool)> = crate::build::Plan::input_folders(root, content)
        .into_iter()
        .map(|folder| (folder, true))
        .collect();
    if let Some(root) = root {
        list.push((root.to_path_buf(), false));
    }
    list
}

/// The one thing the loop needs from either debouncer type.
trait Unwatch {
    fn watch_path(&mut self, path: &Path, recursive: bool) -> notify::Result<()>;
}

impl<W: notify::Watcher, C: notify_debouncer_full::FileIdCache> Unwatch
    for notify_debouncer_full::Debouncer<W, C>
{
    fn watch_path(&mut self, path: &Path, recursive: bool) -> notify::Result<()> {
        let mode = if recursive {
            RecursiveMode::Recursive
        } else {
            RecursiveMode::NonRecursive
        };
        self.watch(path, mode)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_root_is_watched_without_recursion_and_the_output_never() {
        let list = watch_list(Some(Path::new("/a")), Path::new("/a/content"));
        assert!(list.contains(&(PathBuf::from("/a"), false)));
        for folder in ["/a/content", "/a/templates", "/a/static", "/a/themes"] {
            assert!(list.contains(&(PathBuf::from(folder), true)), "{folder}");
        }
        assert!(!list.iter().any(|(p, _)| p.starts_with("/a/public")));
        // Without an archive root, only the content folder, recursively.
        let list = watch_list(None, Path::new("/x/posts"));
        assert_eq!(list, vec![(PathBuf::from("/x/posts"), true)]);
    }

    #[test]
    fn what_triggers_a_rebuild() {
        let output = Path::new("/a/public");
        let watched = [PathBuf::from("/a")];
        for path in [
            "/a/content/x.md",
            "/a/hindsight.toml",
            "/a/templates/incident.html",
            "/a/static/logo.svg",
            "/a/content/new folder/y.md",
        ] {
            assert!(is_relevant(Path::new(path), &watched, output), "{path}");
        }
        let hidden_parent = [PathBuf::from("/tmp/.tmpX/archive")];
        assert!(is_relevant(
            Path::new("/tmp/.tmpX/archive/content/a.md"),
            &hidden_parent,
            Path::new("/tmp/.tmpX/archive/public")
        ));
        for path in [
            "/a/public/index.html",
            "/a/.public.staging/index.html",
            "/a/.public.old/x",
            "/a/content/.x.md.swp",
            "/a/content/x.md~",
            "/a/content/.#x.md",
            "/a/content/4913",
            "/a/content/x.md___jb_tmp___",
            "/a/.git/index",
        ] {
            assert!(!is_relevant(Path::new(path), &watched, output), "{path}");
        }
    }
}
