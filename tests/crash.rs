//! Crash safety: a build killed at any moment (SIGKILL during rendering or
//! during the swap) leaves either the previous complete site or the new
//! complete site, never a mix, and the next build recovers on its own.

mod common;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use common::tree;

const EPOCH: &str = "1735689600";

fn build(dir: &Path, output: &str) -> std::process::Child {
    Command::new(assert_cmd::cargo::cargo_bin("hindsight"))
        .current_dir(dir)
        .env("SOURCE_DATE_EPOCH", EPOCH)
        .args(["build", "--output", output])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("start a build")
}

fn set_version(dir: &Path, version: &str) {
    std::fs::write(
        dir.join("hindsight.toml"),
        format!("title = \"Version {version}\"\nhighlight_max_bytes = 0\n"),
    )
    .unwrap();
}

#[test]
fn killed_builds_leave_one_complete_site() {
    let root = tempfile::tempdir().unwrap();
    let dir = root.path().join("archive");
    hindsight::synth::write_archive(&dir, 150, 3).unwrap();

    // Reference sites for both versions, and how long a build takes.
    let mut references: BTreeMap<&str, BTreeMap<String, Vec<u8>>> = BTreeMap::new();
    let mut duration = Duration::ZERO;
    for version in ["A", "B"] {
        set_version(&dir, version);
        let started = Instant::now();
        assert!(
            build(&dir, &format!("../ref-{version}"))
                .wait()
                .unwrap()
                .success()
        );
        duration = duration.max(started.elapsed());
        references.insert(version, tree(&root.path().join(format!("ref-{version}"))));
    }
    set_version(&dir, "A");
    assert!(build(&dir, "public").wait().unwrap().success());

    let mut rng = hindsight::synth::Rng::new(11);
    let mut kills = 0;
    for round in 0..10 {
        let version = if round % 2 == 0 { "B" } else { "A" };
        set_version(&dir, version);
        let mut child = build(&dir, "public");
        let delay = Duration::from_millis(rng.range(0..duration.as_millis() as u64 + 50));
        std::thread::sleep(delay);
        if child.try_wait().unwrap().is_none() {
            child.kill().unwrap(); // SIGKILL
            kills += 1;
        }
        child.wait().unwrap();
        let site = tree(&dir.join("public"));
        let matches: Vec<&&str> = references
            .iter()
            .filter(|(_, r)| **r == site)
            .map(|(v, _)| v)
            .collect();
        assert_eq!(
            matches.len(),
            1,
            "round {round}: after a kill at {delay:?} the output is not one complete site ({} files)",
            site.len()
        );
    }
    assert!(
        kills >= 3,
        "only {kills} builds were killed; the test proves little"
    );

    // The next build recovers on its own and leaves nothing behind but
    // its stamp and the previous site, kept as the next build's staging
    // folder.
    set_version(&dir, "B");
    assert!(build(&dir, "public").wait().unwrap().success());
    assert!(tree(&dir.join("public")) == references["B"]);
    let leftovers: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        // The build stamp and the kept previous site are meant to stay.
        .filter(|n| n.starts_with(".public") && n != ".public.stamp" && n != ".public.recycle")
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}
