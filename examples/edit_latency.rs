//! Edit-to-page latency of watch mode (issue 4's benchmark):
//! `cargo run --release --example edit_latency -- COUNT [EDITS] [severity]`.
//!
//! Writes a synthetic archive of COUNT postmortems (`hindsight::synth`)
//! into a temporary folder, starts the same watch loop `hindsight watch`
//! and `hindsight serve` run, waits for the first build, then saves EDITS
//! (default 20) changes to one postmortem's body, one at a time, a second
//! apart once the previous rebuild is done. For each
//! it measures the wall time from the save to the moment the rebuilt page
//! is in the output folder with the new text (polled every 0.2 ms), and
//! prints the median, the fastest and the slowest, with the pages and
//! bodies each rebuild rendered.
//!
//! With `severity`, each edit also changes the postmortem's severity (a
//! field list, term and statistics pages read), not only its prose.

use std::path::PathBuf;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use hindsight::build::BuildOptions;
use hindsight::watch::Outcome;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let count: usize = args.get(1).and_then(|c| c.parse().ok()).unwrap_or(1000);
    let edits: usize = args.get(2).and_then(|c| c.parse().ok()).unwrap_or(20);
    let severity = args.get(3).is_some_and(|a| a == "severity");
    let dir = tempfile::tempdir().expect("a temporary folder");
    let root = dir.path().join("archive");
    hindsight::synth::write_archive(&root, count, 1).expect("write the synthetic archive");

    let options = BuildOptions {
        root: Some(root.clone()),
        build_date: Some(jiff::civil::date(2026, 1, 1)),
        ..BuildOptions::default()
    };
    let (tx, rx) = mpsc::channel::<(Duration, usize, usize, usize, usize)>();
    std::thread::spawn(move || {
        hindsight::watch::run(&options, false, |outcome| match outcome {
            Outcome::Built {
                report, elapsed, ..
            } => {
                let _ = tx.send((
                    elapsed,
                    report.files,
                    report.pages_rendered,
                    report.bodies_rendered,
                    report.files_resolved,
                ));
            }
            // (Also when the temporary archive is removed at exit.)
            Outcome::Failed { failure, .. } => eprintln!("build failed: {}", failure.diagnostics),
        })
        .expect("watch runs");
    });
    let (first, ..) = rx.recv().expect("first build");
    eprintln!("{count} postmortems: first build {} ms", first.as_millis());

    let content = root.join("content");
    let mut sources: Vec<PathBuf> = walkdir::WalkDir::new(&content)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.path().extension().is_some_and(|x| x == "md"))
        .map(|e| e.into_path())
        .collect();
    sources.sort();
    let target = sources[sources.len() / 2].clone();
    let original = std::fs::read_to_string(&target).expect("read the postmortem");
    // The page of the edited postmortem: find it by a marker written once.
    let site = root.join("public");
    let page = page_of(&site, &target, &original);

    let mut latencies = Vec::new();
    for edit in 0..edits {
        let marker = format!("latency-marker-{edit}-{}", std::process::id());
        let mut text = edit_prose(&original, &marker);
        if severity {
            text = change_severity(&text, edit);
        }
        let saved = Instant::now();
        std::fs::write(&target, text).expect("save the edit");
        let deadline = saved + Duration::from_secs(60);
        loop {
            if std::fs::read_to_string(&page).is_ok_and(|html| html.contains(&marker)) {
                break;
            }
            assert!(Instant::now() < deadline, "the edit never showed");
            std::thread::sleep(Duration::from_micros(200));
        }
        let latency = saved.elapsed();
        // Drain the build reports of this edit, and leave a second between
        // saves, as an author would (the previous site is removed in the
        // background meanwhile).
        let mut report = None;
        while let Ok(r) = rx.recv_timeout(Duration::from_millis(1000)) {
            report = Some(r);
        }
        let (build, files, pages, bodies, resolved) = report.unwrap_or_default();
        // Previous sites still being removed in the background.
        let removing = std::fs::read_dir(&root)
            .map(|entries| {
                entries
                    .flatten()
                    .filter(|e| e.file_name().to_string_lossy().contains(".trash-"))
                    .count()
            })
            .unwrap_or(0);
        eprintln!(
            "edit {edit:>2}: {:>6.1} ms to the page (build {:.1} ms; {pages} pages rendered, {files} files written, {bodies} bodies rendered, {resolved} files resolved; {removing} old sites still being removed)",
            latency.as_secs_f64() * 1000.0,
            build.as_secs_f64() * 1000.0
        );
        latencies.push(latency);
    }
    latencies.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "{count} postmortems, {edits} edits: median {:.1} ms, fastest {:.1} ms, slowest {:.1} ms (save to written page)",
        ms(latencies[latencies.len() / 2]),
        ms(latencies[0]),
        ms(latencies[latencies.len() - 1])
    );
}

/// The output page of `source`: `incidents/<id>/index.html`, with the id
/// from its frontmatter, else its file name.
fn page_of(site: &std::path::Path, source: &std::path::Path, text: &str) -> PathBuf {
    let id = text
        .lines()
        .take_while(|l| !l.is_empty())
        .find_map(|l| l.strip_prefix("id: "))
        .map(|id| id.trim().to_string())
        .unwrap_or_else(|| source.file_stem().unwrap().to_string_lossy().into_owned());
    let page = site.join("incidents").join(id).join("index.html");
    assert!(page.is_file(), "no page {}", page.display());
    page
}

/// The postmortem with its `severity:` line set to a level that differs
/// from one edit to the next.
fn change_severity(text: &str, edit: usize) -> String {
    let level = 1 + edit % 4;
    text.lines()
        .map(|line| match line.strip_prefix("severity: ") {
            Some(_) => format!("severity: SEV{level}\n"),
            None => format!("{line}\n"),
        })
        .collect()
}

/// The postmortem with `marker` added to the narrative paragraph under its
/// `## Impact` heading (prose no inferred field comes from, as most body
/// edits are), or at the end when it has none.
fn edit_prose(text: &str, marker: &str) -> String {
    let mut out = String::with_capacity(text.len() + marker.len() + 8);
    let mut in_impact = false;
    let mut done = false;
    for line in text.lines() {
        out.push_str(line);
        if line.starts_with("## ") {
            in_impact = line.trim() == "## Impact";
        } else if in_impact && !done && line.starts_with(|c: char| c.is_ascii_uppercase()) {
            out.push_str(&format!(" Edited: {marker}."));
            done = true;
        }
        out.push('\n');
    }
    if !done {
        out.push_str(&format!("\nEdited: {marker}.\n"));
    }
    out
}
