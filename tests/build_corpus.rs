//! The real corpus in `../shared/corpus` (391 postmortems written by other
//! people, mostly without frontmatter) builds with one page per file.

mod common;

use common::{broken_links, corpus, hindsight, repo, stderr};

#[test]
fn corpus_builds_with_one_page_per_postmortem_and_reports_the_rest() {
    let Some(corpus) = corpus() else {
        eprintln!("skipped: ../shared/corpus is not present in this checkout");
        return;
    };
    let out = tempfile::tempdir().unwrap();
    let site = out.path().join("corpus-site");
    let output = hindsight(
        &repo(),
        &[
            "build",
            "--verbose",
            "--content",
            corpus.to_str().unwrap(),
            "--output",
            site.to_str().unwrap(),
        ],
    );
    let log = stderr(&output);
    assert!(output.status.success(), "corpus build failed:\n{log}");
    assert!(!log.contains("panicked"), "{log}");

    let markdown = walkdir::WalkDir::new(&corpus)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file() && e.path().extension().is_some_and(|x| x == "md"))
        .count();
    let pages = std::fs::read_dir(site.join("incidents"))
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| e.path().join("index.html").is_file())
        .count();
    assert!(markdown >= 391, "corpus has {markdown} files");
    // Every file is a page, or is reported as not a postmortem (GUIDE.md 8);
    // the corpus holds postmortems, so skips must stay rare.
    let skipped = log
        .lines()
        .filter(|l| l.contains("warning[not-a-postmortem]"))
        .count();
    assert_eq!(
        pages + skipped,
        markdown,
        "one incident page per postmortem, every other file reported"
    );
    assert!(
        skipped * 100 <= markdown * 2,
        "{skipped} files skipped as not postmortems: too many"
    );
    assert!(log.contains(&format!("built {pages} incidents")), "{log}");

    // Links the generator makes all resolve; links the authors wrote to
    // files that do not exist stay as written, and each was reported.
    let unreported: Vec<String> = broken_links(&site)
        .into_iter()
        .filter(|broken| {
            let reference = broken.split(" -> ").nth(1).unwrap_or_default();
            !log.lines().any(|l| {
                l.contains("warning[missing-asset]") && l.contains(&format!("{reference:?}"))
            })
        })
        .collect();
    assert!(
        unreported.is_empty(),
        "broken links without a warning:\n{}",
        unreported.join("\n")
    );
}
