//! The build stamp: what the last successful build read and wrote, so that
//! `hindsight build` with nothing changed renders nothing (as make, cargo
//! and ninja decide).
//!
//! After a build swaps its site in, it saves a stamp beside the output
//! folder (`.NAME.stamp`, JSON): a key (Hindsight's version and executable,
//! the build options, the build date) and a snapshot of every input file
//! (size, modification time, inode) taken before the build read anything,
//! a snapshot of the output folder as the build left it, and the build's
//! summary and warnings. The next build is skipped only when all three are
//! still the same: any edit, new or removed file in the content folder,
//! `hindsight.toml`, `templates/`, `static/` or `themes/`, a new
//! Hindsight, other options, another day (which decides overdue action
//! items), or any change to the output folder itself builds in full. An
//! input modified less than two seconds before the snapshot is compared
//! by content too, as git does for "racy clean" files: a file system with
//! coarse timestamps could give a later edit the same time.

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use serde::{Deserialize, Serialize};

use crate::diagnostics::Diagnostics;

/// Bumped when the stamp's meaning changes, so old stamps never match.
const FORMAT: u32 = 1;

/// How long after its modification an input counts as settled.
const RACY: Duration = Duration::from_secs(2);

/// One file's identity: its path, size in bytes, modification time
/// (nanoseconds since 1970, UTC), inode (0 where there is none) and, for
/// a file modified within [`RACY`] of the snapshot, a hash of its bytes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Entry(String, u64, i128, u64, Option<u64>);

/// Every file below a set of folders, sorted by path.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Snapshot {
    entries: Vec<Entry>,
}

impl Snapshot {
    /// Snapshots every file below each of `folders` (the ones a build
    /// reads; missing folders are empty) and the single `files`. Symbolic
    /// links are followed, as the content walk follows them.
    pub fn of(folders: &[PathBuf], files: &[PathBuf]) -> Snapshot {
        use rayon::prelude::*;
        let mut entries = Vec::new();
        let mut found = Vec::new();
        for folder in folders {
            for entry in walkdir::WalkDir::new(folder).follow_links(true).into_iter() {
                match entry {
                    Ok(entry) if entry.file_type().is_file() => found.push(entry),
                    Ok(_) => {}
                    // A missing folder is empty; any other unreadable
                    // entry is recorded, so the snapshot never matches
                    // one that saw everything.
                    Err(e) if e.depth() == 0 && !folder.exists() => {}
                    Err(e) => entries.push(Entry(format!("!{e}"), 0, 0, 0, None)),
                }
            }
        }
        // Each file's identity is a `stat`: tens of thousands of them,
        // read in parallel.
        entries.par_extend(found.into_par_iter().map(|entry| {
            let name = entry.path().to_string_lossy().into_owned();
            identity(name, entry.metadata().ok())
        }));
        for file in files {
            if file.is_file() {
                let name = file.to_string_lossy().into_owned();
                entries.push(identity(name, std::fs::metadata(file).ok()));
            }
        }
        entries.sort_by(|a, b| a.0.cmp(&b.0));
        // Racy entries: compared by content as well.
        let taken = nanos(SystemTime::now());
        for entry in &mut entries {
            if entry.2 + RACY.as_nanos() as i128 >= taken {
                entry.4 = Some(content_hash(Path::new(&entry.0)));
            }
        }
        Snapshot { entries }
    }

    /// Whether `current` (a snapshot taken now) shows the same files as
    /// this saved one: same identities and, for entries that were racy
    /// when saved, the same bytes.
    fn matches(&self, current: &Snapshot) -> bool {
        self.entries.len() == current.entries.len()
            && self
                .entries
                .iter()
                .zip(&current.entries)
                .all(|(saved, now)| {
                    saved.0 == now.0
                        && saved.1 == now.1
                        && saved.2 == now.2
                        && saved.3 == now.3
                        && saved.4.is_none_or(|hash| {
                            now.4 == Some(hash) || content_hash(Path::new(&now.0)) == hash
                        })
                })
    }

    /// Snapshots the output folder: every file and folder below it,
    /// symbolic links not followed.
    ///
    /// Folders are listed in parallel (their entries carry each file's
    /// type), and each file's metadata is read relative to its folder, one
    /// `stat` each: a serial walk was most of the stamp's time (80 ms for
    /// the 11,000 files of 10,000 incidents).
    pub fn of_output(output: &Path) -> Snapshot {
        use rayon::prelude::*;
        let mut entries = output_entries(output, "");
        entries.par_sort_unstable_by(|a, b| a.0.cmp(&b.0));
        Snapshot { entries }
    }
}

impl Snapshot {
    /// What [`Snapshot::of_output`] gives for an output folder that holds
    /// exactly the files of `listing` (as [`crate::write::Output`] wrote
    /// them), without listing it: each file's identity, and its folders.
    /// `None` if a path is listed twice (the earlier metadata may be
    /// stale).
    pub fn of_listing(listing: crate::write::Listing) -> Option<Snapshot> {
        use rayon::prelude::*;
        let mut folders: std::collections::HashSet<&str> = std::collections::HashSet::new();
        for (name, _) in &listing {
            folders.extend(name.match_indices('/').map(|(at, _)| &name[..=at]));
        }
        let mut entries: Vec<Entry> = folders
            .into_iter()
            .map(|folder| Entry(folder.to_string(), 0, 0, 0, None))
            .collect();
        entries.par_extend(
            listing
                .into_par_iter()
                .map(|(name, file)| written(name, file)),
        );
        entries.par_sort_unstable_by(|a, b| a.0.cmp(&b.0));
        let unique = entries.windows(2).all(|pair| pair[0].0 != pair[1].0);
        unique.then_some(Snapshot { entries })
    }
}

/// The entries below `folder`, named by `prefix` (`""` or `incidents/`)
/// and their file names: folders as `name/`, files with their identity,
/// an unreadable folder or entry as one entry that matches nothing real.
fn output_entries(folder: &Path, prefix: &str) -> Vec<Entry> {
    use rayon::prelude::*;
    let unreadable = || Entry("!unreadable".to_string(), 0, 0, 0, None);
    let Ok(listing) = std::fs::read_dir(folder) else {
        return vec![unreadable()];
    };
    let listed: Vec<std::io::Result<std::fs::DirEntry>> = listing.collect();
    listed
        .into_par_iter()
        .flat_map_iter(|entry| {
            let Ok(entry) = entry else {
                return vec![unreadable()];
            };
            let name = format!("{prefix}{}", entry.file_name().to_string_lossy());
            match entry.file_type() {
                Ok(kind) if kind.is_dir() => {
                    let inner = format!("{name}/");
                    let mut entries = output_entries(&entry.path(), &inner);
                    entries.push(Entry(inner, 0, 0, 0, None));
                    entries
                }
                _ => vec![identity(name, entry.metadata().ok())],
            }
        })
        .collect()
}

/// A hash of a file's bytes (0 when it cannot be read, which no real
/// content hashes to in practice; a changed file then differs anyway).
fn content_hash(path: &Path) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    std::fs::read(path).unwrap_or_default().hash(&mut hasher);
    hasher.finish()
}

fn identity(name: String, meta: Option<std::fs::Metadata>) -> Entry {
    match meta {
        Some(meta) => written(name, crate::write::Written::from(&meta)),
        None => Entry(format!("{name}!"), 0, 0, 0, None),
    }
}

/// The entry of a file with this identity.
fn written(name: String, file: crate::write::Written) -> Entry {
    let modified = file.modified.map_or(0, nanos);
    Entry(name, file.len, modified, file.inode, None)
}

fn nanos(time: SystemTime) -> i128 {
    match time.duration_since(SystemTime::UNIX_EPOCH) {
        Ok(after) => after.as_nanos() as i128,
        Err(before) => -(before.duration().as_nanos() as i128),
    }
}

/// What a skipped build reports: the last real build's summary.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Summary {
    /// Incidents published.
    pub incidents: usize,
    /// Drafts left out.
    pub drafts_skipped: usize,
    /// Pages rendered.
    pub pages: usize,
    /// Warnings reported (a skipped build reports them again).
    pub diagnostics: Diagnostics,
}

/// The record of one successful build; see the module documentation.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Stamp {
    format: u32,
    key: String,
    inputs: Snapshot,
    output: Snapshot,
    summary: Summary,
}

impl Stamp {
    /// The stamp file of an output folder: `.NAME.stamp` beside it.
    pub fn path(output: &Path) -> PathBuf {
        let name = output
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        output.with_file_name(format!(".{name}.stamp"))
    }

    /// The key of a build: everything besides the files that decides its
    /// output. `settings` is the caller's description of the options and
    /// build date; the executable's size and time are added, so that a
    /// rebuilt Hindsight never trusts an older one's stamp.
    pub fn key(settings: &str) -> String {
        let executable = std::env::current_exe()
            .and_then(std::fs::metadata)
            .map(|m| format!("{}:{}", m.len(), m.modified().map_or(0, nanos)))
            .unwrap_or_default();
        format!(
            "{FORMAT} {} {executable} {settings}",
            env!("CARGO_PKG_VERSION")
        )
    }

    /// A stamp for a build with `key` whose inputs were `inputs` (taken
    /// before it read anything), that left `output` and reported `summary`.
    pub fn new(key: String, inputs: Snapshot, output: Snapshot, summary: Summary) -> Stamp {
        Stamp {
            format: FORMAT,
            key,
            inputs,
            output,
            summary,
        }
    }

    /// Reads the stamp of `output`; `None` if there is none or it does
    /// not parse (a build then runs in full).
    pub fn read(output: &Path) -> Option<Stamp> {
        let bytes = std::fs::read(Stamp::path(output)).ok()?;
        serde_json::from_slice(&bytes).ok()
    }

    /// Saves the stamp beside `output` (through a temporary file and a
    /// rename, so a reader never sees half a stamp).
    ///
    /// Errors: the file cannot be written; the next build then runs in
    /// full.
    pub fn save(&self, output: &Path) -> std::io::Result<()> {
        let path = Stamp::path(output);
        let temporary = path.with_extension("stamp-tmp");
        let bytes = serde_json::to_vec(self).map_err(std::io::Error::other)?;
        std::fs::write(&temporary, bytes)?;
        std::fs::rename(&temporary, &path)
    }

    /// Removes the stamp of `output`, if any: its output is about to
    /// change in a way the stamp cannot describe.
    pub fn remove(output: &Path) {
        let _ = std::fs::remove_file(Stamp::path(output));
    }

    /// The summary of the stamped build, if a build with `key` and these
    /// `inputs` would produce exactly what `output` holds now.
    pub fn fresh(&self, key: &str, inputs: &Snapshot, output: &Path) -> Option<&Summary> {
        let same = self.format == FORMAT
            && self.key == key
            && self.inputs.matches(inputs)
            && self.output == Snapshot::of_output(output);
        same.then_some(&self.summary)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settle(path: &Path) {
        let past = SystemTime::now() - Duration::from_secs(60);
        std::fs::File::options()
            .write(true)
            .open(path)
            .and_then(|f| f.set_modified(past))
            .unwrap();
    }

    fn archive() -> (tempfile::TempDir, PathBuf, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let content = dir.path().join("content");
        let output = dir.path().join("public");
        std::fs::create_dir_all(&content).unwrap();
        std::fs::create_dir_all(output.join("a")).unwrap();
        std::fs::write(content.join("one.md"), "# One\n").unwrap();
        std::fs::write(output.join("a/index.html"), "<p>one</p>").unwrap();
        settle(&content.join("one.md"));
        (dir, content, output)
    }

    fn stamp(content: &Path, output: &Path) -> Stamp {
        let inputs = Snapshot::of(&[content.to_path_buf()], &[]);
        Stamp::new(
            "key".into(),
            inputs,
            Snapshot::of_output(output),
            Summary::default(),
        )
    }

    #[test]
    fn a_snapshot_of_what_was_written_is_what_listing_the_output_gives() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("public");
        let logo = dir.path().join("logo.svg");
        std::fs::write(&logo, "<svg/>").unwrap();
        // The second build links its unchanged files from the first.
        for round in 0..2 {
            let output = crate::write::Output::begin(&target).unwrap();
            output.write("index.html", b"home").unwrap();
            output
                .write("incidents/a/index.html", format!("a{round}").as_bytes())
                .unwrap();
            output
                .write_with("incidents.json", |w| w.write_all(b"[]"))
                .unwrap();
            output.copy("static/img/logo.svg", &logo).unwrap();
            let listing = output.commit_recycling().unwrap().listing.unwrap();
            assert_eq!(listing.len(), 4);
            let written = Snapshot::of_listing(listing).unwrap();
            assert_eq!(written, Snapshot::of_output(&target), "round {round}");
        }
        // A path listed twice: its first metadata may be stale.
        let file = crate::write::Written::from(&std::fs::metadata(&logo).unwrap());
        let twice = vec![
            ("logo.svg".to_string(), file),
            ("logo.svg".to_string(), file),
        ];
        assert_eq!(Snapshot::of_listing(twice), None);
    }

    #[test]
    fn a_stamp_is_fresh_only_while_inputs_key_and_output_are_unchanged() {
        let (_dir, content, output) = archive();
        let stamp = stamp(&content, &output);
        stamp.save(&output).unwrap();
        let stamp = Stamp::read(&output).unwrap();
        let inputs = || Snapshot::of(std::slice::from_ref(&content), &[]);
        assert!(stamp.fresh("key", &inputs(), &output).is_some());
        assert!(stamp.fresh("other key", &inputs(), &output).is_none());

        // A new input file.
        std::fs::write(content.join("two.md"), "# Two\n").unwrap();
        assert!(stamp.fresh("key", &inputs(), &output).is_none());
        std::fs::remove_file(content.join("two.md")).unwrap();
        assert!(stamp.fresh("key", &inputs(), &output).is_some());

        // An edit to an input of the same size.
        std::fs::write(content.join("one.md"), "# Uno\n").unwrap();
        assert!(stamp.fresh("key", &inputs(), &output).is_none());
    }

    #[test]
    fn any_change_to_the_output_folder_makes_a_stamp_stale() {
        let (_dir, content, output) = archive();
        let stamp = stamp(&content, &output);
        let inputs = Snapshot::of(std::slice::from_ref(&content), &[]);
        std::fs::write(output.join("stray.html"), "x").unwrap();
        assert!(stamp.fresh("key", &inputs, &output).is_none());
        std::fs::remove_file(output.join("stray.html")).unwrap();
        std::fs::create_dir(output.join("empty")).unwrap();
        assert!(stamp.fresh("key", &inputs, &output).is_none());
        std::fs::remove_dir(output.join("empty")).unwrap();
        assert!(stamp.fresh("key", &inputs, &output).is_some());
        std::fs::write(output.join("a/index.html"), "<p>two</p>").unwrap();
        assert!(stamp.fresh("key", &inputs, &output).is_none());
    }

    #[test]
    fn inputs_modified_just_before_the_snapshot_are_compared_by_content() {
        let (_dir, content, output) = archive();
        let one = content.join("one.md");
        std::fs::write(&one, "# One, just now\n").unwrap();
        let stamp = stamp(&content, &output);
        let inputs = || Snapshot::of(std::slice::from_ref(&content), &[]);
        assert!(stamp.fresh("key", &inputs(), &output).is_some());
        // An edit that a coarse clock gives the same time and that keeps
        // the size and inode: only the bytes tell.
        let modified = std::fs::metadata(&one).unwrap().modified().unwrap();
        let file = std::fs::File::options().write(true).open(&one).unwrap();
        std::io::Write::write_all(&mut &file, b"# Uno, just now\n").unwrap();
        file.set_modified(modified).unwrap();
        drop(file);
        assert!(stamp.fresh("key", &inputs(), &output).is_none());
    }

    #[test]
    fn a_missing_or_damaged_stamp_reads_as_none() {
        let (_dir, _content, output) = archive();
        assert!(Stamp::read(&output).is_none());
        std::fs::write(Stamp::path(&output), "{ not json").unwrap();
        assert!(Stamp::read(&output).is_none());
        assert_eq!(
            Stamp::path(Path::new("site/public")),
            Path::new("site/.public.stamp")
        );
    }
}
