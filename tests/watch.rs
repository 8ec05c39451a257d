//! Watch mode: after every step of a scripted sequence of edits, and after
//! a storm of them, the output equals a clean build of the same content;
//! a broken step leaves the last good output.

mod common;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::Duration;

use common::{tree, write_files};

const EPOCH: &str = "1735689600"; // 2025-01-01

struct Watcher {
    child: Child,
    lines: Receiver<String>,
}

impl Drop for Watcher {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Watcher {
    fn start(dir: &Path, extra: &[&str]) -> Watcher {
        let mut child = Command::new(assert_cmd::cargo::cargo_bin("hindsight"))
            .current_dir(dir)
            .env("SOURCE_DATE_EPOCH", EPOCH)
            .arg("watch")
            .args(extra)
            .stderr(Stdio::piped())
            .stdout(Stdio::null())
            .spawn()
            .expect("start watch");
        let stderr = child.stderr.take().unwrap();
        let (tx, lines) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                let _ = tx.send(line);
            }
        });
        let mut watcher = Watcher { child, lines };
        watcher.settle("the first build");
        watcher
    }

    /// Waits for a build line, then until the watcher has been quiet for a
    /// while (one edit may cause more than one rebuild). Returns the last
    /// build line.
    fn settle(&mut self, what: &str) -> String {
        let mut last = None;
        let deadline = std::time::Instant::now() + Duration::from_secs(60);
        loop {
            let wait = if last.is_some() {
                Duration::from_millis(1500)
            } else {
                Duration::from_secs(30)
            };
            match self.lines.recv_timeout(wait) {
                Ok(line) => {
                    if line.starts_with("built ")
                        || line.starts_with("rebuilt ")
                        || line.starts_with("build failed")
                    {
                        last = Some(line);
                    }
                }
                Err(RecvTimeoutError::Timeout) if last.is_some() => return last.unwrap(),
                Err(e) => panic!("no build after {what}: {e:?}"),
            }
            assert!(
                std::time::Instant::now() < deadline,
                "the watcher never settled after {what}"
            );
        }
    }
}

fn clean_build(dir: &Path, output: &str) -> std::collections::BTreeMap<String, Vec<u8>> {
    let status = Command::new(assert_cmd::cargo::cargo_bin("hindsight"))
        .current_dir(dir)
        .env("SOURCE_DATE_EPOCH", EPOCH)
        .args(["build", "--output", output])
        .output()
        .unwrap();
    assert!(
        status.status.success(),
        "{}",
        String::from_utf8_lossy(&status.stderr)
    );
    let site = tree(&dir.join(output));
    std::fs::remove_dir_all(dir.join(output)).unwrap();
    site
}

fn assert_same(dir: &Path, step: &str) {
    let watched = tree(&dir.join("public"));
    let clean = clean_build(dir, "../clean-build");
    if watched != clean {
        let differing: Vec<&String> = watched
            .keys()
            .chain(clean.keys())
            .filter(|k| watched.get(*k) != clean.get(*k))
            .take(10)
            .collect();
        panic!("after {step}, the watched output differs from a clean build: {differing:?}");
    }
}

/// One scripted edit of the archive folder.
type Edit = Box<dyn Fn(&Path)>;

fn pm(title: &str, category: &str, severity: &str, body: &str) -> String {
    format!(
        "---\ntitle: {title}\ndate: 2024-05-01\ncategory: {category}\nseverity: {severity}\nservices: [api]\n---\n\n{body}\n"
    )
}

#[test]
fn every_edit_gives_the_same_output_as_a_clean_build() {
    let root = tempfile::tempdir().unwrap();
    let dir = root.path().join("archive");
    write_files(
        &dir,
        &[
            (
                "content/a.md",
                &pm("Alpha", "network", "SEV2", "Alpha body."),
            ),
            (
                "content/b.md",
                &pm("Beta", "database", "SEV3", "Beta body, see [alpha](a.md)."),
            ),
            (
                "content/2024/c.md",
                &pm("Gamma", "capacity", "SEV1", "Gamma body."),
            ),
        ],
    );
    let mut watcher = Watcher::start(&dir, &[]);
    assert_same(&dir, "the first build");

    let steps: Vec<(&str, Edit)> = vec![
        (
            "editing a body",
            Box::new(|d: &Path| {
                std::fs::write(
                    d.join("content/a.md"),
                    pm("Alpha", "network", "SEV2", "A new body."),
                )
                .unwrap()
            }),
        ),
        (
            "changing a category",
            Box::new(|d: &Path| {
                std::fs::write(
                    d.join("content/a.md"),
                    pm("Alpha", "time", "SEV2", "A new body."),
                )
                .unwrap()
            }),
        ),
        (
            "changing a severity",
            Box::new(|d: &Path| {
                std::fs::write(
                    d.join("content/b.md"),
                    pm("Beta", "database", "SEV1", "Beta body, see [alpha](a.md)."),
                )
                .unwrap()
            }),
        ),
        (
            "renaming a file",
            Box::new(|d: &Path| {
                std::fs::rename(d.join("content/2024/c.md"), d.join("content/2024/c2.md")).unwrap()
            }),
        ),
        (
            "adding a file",
            Box::new(|d: &Path| {
                std::fs::write(
                    d.join("content/d.md"),
                    pm("Delta", "dependency", "SEV4", "Delta body."),
                )
                .unwrap()
            }),
        ),
        (
            "deleting a file",
            Box::new(|d: &Path| std::fs::remove_file(d.join("content/d.md")).unwrap()),
        ),
        (
            "renaming a folder",
            Box::new(|d: &Path| {
                std::fs::rename(d.join("content/2024"), d.join("content/older")).unwrap()
            }),
        ),
        (
            "editing a template",
            Box::new(|d: &Path| {
                write_files(
                    d,
                    &[(
                        "templates/404.html",
                        "{% extends \"base.html\" %}{% block content %}<h1>Lost</h1>{% endblock content %}",
                    )],
                )
            }),
        ),
        (
            "editing the configuration",
            Box::new(|d: &Path| {
                std::fs::write(d.join("hindsight.toml"), "title = \"Renamed archive\"\n").unwrap()
            }),
        ),
        (
            "saving through a temp file and a rename",
            Box::new(|d: &Path| {
                std::fs::write(d.join("content/.a.md.swp"), "swap").unwrap();
                std::fs::write(d.join("content/a.md~"), pm("Alpha", "time", "SEV2", "tmp"))
                    .unwrap();
                std::fs::rename(d.join("content/a.md~"), d.join("content/a.md")).unwrap();
                std::fs::remove_file(d.join("content/.a.md.swp")).unwrap();
            }),
        ),
    ];
    for (step, edit) in &steps {
        edit(&dir);
        let line = watcher.settle(step);
        assert!(line.starts_with("rebuilt"), "after {step}: {line}");
        assert_same(&dir, step);
    }

    // A broken file fails the rebuild and leaves the last good output.
    let before = tree(&dir.join("public"));
    std::fs::write(dir.join("content/e.md"), "---\ntitle: [broken\n---\n").unwrap();
    let line = watcher.settle("adding broken YAML");
    assert!(line.starts_with("build failed"), "{line}");
    assert!(
        before == tree(&dir.join("public")),
        "a failed rebuild changed the output"
    );
    std::fs::write(
        dir.join("content/e.md"),
        pm("Epsilon", "security", "SEV2", "Fixed."),
    )
    .unwrap();
    let line = watcher.settle("fixing the YAML");
    assert!(line.starts_with("rebuilt"), "{line}");
    assert_same(&dir, "fixing the YAML");
}

#[test]
fn a_storm_of_edits_ends_in_the_same_output_as_a_clean_build() {
    let root = tempfile::tempdir().unwrap();
    let dir = root.path().join("archive");
    let mut files = Vec::new();
    for n in 0..50 {
        files.push((
            format!("content/f{n}.md"),
            pm(&format!("File {n}"), "network", "SEV3", "Body."),
        ));
    }
    let refs: Vec<(&str, &str)> = files
        .iter()
        .map(|(p, t)| (p.as_str(), t.as_str()))
        .collect();
    write_files(&dir, &refs);
    let mut watcher = Watcher::start(&dir, &[]);
    let mut rng = hindsight::synth::Rng::new(7);
    let mut names: Vec<String> = (0..50).map(|n| format!("f{n}")).collect();
    for op in 0..500 {
        let i = rng.range(0..names.len() as u64) as usize;
        let path = dir.join("content").join(format!("{}.md", names[i]));
        let category = ["network", "time", "database"][rng.range(0..3) as usize];
        match rng.range(0..3) {
            0 => std::fs::write(
                &path,
                pm(
                    &format!("File {i} v{op}"),
                    category,
                    "SEV2",
                    &format!("Edit {op}."),
                ),
            )
            .unwrap(),
            1 => {
                let new = format!("g{op}");
                std::fs::rename(&path, dir.join("content").join(format!("{new}.md"))).unwrap();
                names[i] = new;
            }
            _ => {
                std::fs::remove_file(&path).unwrap();
                std::fs::write(
                    &path,
                    pm(&format!("Recreated {op}"), "capacity", "SEV1", "New."),
                )
                .unwrap();
            }
        }
        if op % 10 == 0 {
            std::thread::sleep(Duration::from_millis(40));
        }
    }
    let line = watcher.settle("the storm");
    assert!(line.starts_with("rebuilt"), "{line}");
    assert_same(&dir, "the storm");
}
