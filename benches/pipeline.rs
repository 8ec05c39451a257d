//! Benchmarks of each pipeline stage and of whole builds, on synthetic
//! archives (`hindsight::synth`). Run: `cargo bench --bench pipeline`.
//! Whole-build sizes: `HINDSIGHT_BENCH_SIZES=1000,10000` (default 1000).
//! Wall time and peak memory at 1,000 / 10,000 / 50,000 come from
//! `scripts/bench.sh` (docs/PERFORMANCE.md).

use std::path::{Path, PathBuf};
use std::time::Duration;

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use hindsight::config::Config;
use hindsight::index::Archive;
use hindsight::render::Renderer;
use hindsight::render::highlight::Highlighter;
use hindsight::render::markdown::{self, LinkTargets};
use hindsight::write::Output;

fn archive_dir(count: usize) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("hindsight-bench-{count}"));
    if !dir.join("content").is_dir() {
        hindsight::synth::write_archive(&dir, count, 1).expect("write the synthetic archive");
    }
    dir
}

fn stages(c: &mut Criterion) {
    let dir = archive_dir(1000);
    let content = dir.join("content");
    let config = Config::default();
    let today = jiff::civil::date(2025, 1, 1);
    let mut group = c.benchmark_group("stages-1000");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(10));

    group.bench_function("load", |b| {
        b.iter(|| hindsight::load::load(&content, &content))
    });
    let loaded = hindsight::load::load(&content, &content);
    group.bench_function("resolve", |b| {
        b.iter(|| hindsight::resolve::resolve(&loaded.files, &config))
    });
    let resolved = hindsight::resolve::resolve(&loaded.files, &config);
    group.bench_function("index", |b| {
        b.iter_batched(
            || resolved.incidents.clone(),
            |incidents| Archive::new(incidents, &config),
            BatchSize::LargeInput,
        )
    });
    let archive = Archive::new(resolved.incidents.clone(), &config);
    // Part of resolve: the clock patterns run on each timeline line's head.
    group.bench_function("timeline-entries-200", |b| {
        b.iter(|| {
            for incident in archive.incidents.iter().take(200) {
                std::hint::black_box(hindsight::infer::timeline_entries(&incident.body));
            }
        })
    });

    let highlighter = Highlighter::new(64 * 1024);
    let links = LinkTargets {
        source: PathBuf::from("x.md"),
        pages: Default::default(),
        assets: Default::default(),
        unpublished: Default::default(),
        remote_images: false,
    };
    let plain = Highlighter::new(0);
    group.bench_function("markdown-without-highlighting", |b| {
        b.iter(|| {
            for incident in archive.incidents.iter().take(200) {
                std::hint::black_box(markdown::render(
                    &incident.body,
                    &incident.title,
                    &links,
                    &plain,
                    config.raw_html,
                ));
            }
        })
    });
    group.bench_function("markdown-with-highlighting", |b| {
        b.iter(|| {
            for incident in archive.incidents.iter().take(200) {
                std::hint::black_box(markdown::render(
                    &incident.body,
                    &incident.title,
                    &links,
                    &highlighter,
                    config.raw_html,
                ));
            }
        })
    });
    let blocks: Vec<(String, String)> = archive
        .incidents
        .iter()
        .take(200)
        .filter_map(|i| {
            let start = i.body.find("```")?;
            let rest = &i.body[start + 3..];
            let (language, code) = rest.split_once('\n')?;
            Some((language.to_string(), code[..code.find("```")?].to_string()))
        })
        .collect();
    group.bench_function("highlight-200-blocks", |b| {
        b.iter(|| {
            for (language, code) in &blocks {
                std::hint::black_box(highlighter.to_html(language, code));
            }
        })
    });
    // `highlighting = "precise"`: tree-sitter for the common languages.
    let precise = Highlighter::new(64 * 1024).with_engine(hindsight::config::Highlighting::Precise);
    group.bench_function("highlight-200-blocks-precise", |b| {
        b.iter(|| {
            for (language, code) in &blocks {
                std::hint::black_box(precise.to_html(language, code));
            }
        })
    });
    let renderer = Renderer::new(None, &config, today).expect("default theme");
    // Each routine that writes returns its temporary folder: criterion
    // drops it after the timing, so removing the output is not measured.
    group.bench_function("render-and-write", |b| {
        b.iter_batched(
            || tempfile::tempdir().expect("temp dir"),
            |out| {
                let output = Output::begin(&out.path().join("public")).expect("output");
                renderer.render_site(&archive, &loaded.assets, &[], &content, &output);
                output.commit().expect("commit");
                out
            },
            BatchSize::PerIteration,
        )
    });
    // The write stage alone: the rendered site's files (about 1,300 at
    // 1,000 incidents) put through `Output` into a fresh folder on as
    // many threads as the pages stage, then swapped in. The rest of
    // `render-and-write` is rendering: Markdown, templates, the search
    // index and the data files.
    let rendered = tempfile::tempdir().expect("temp dir");
    let site = rendered.path().join("public");
    let output = Output::begin(&site).expect("output");
    renderer.render_site(&archive, &loaded.assets, &[], &content, &output);
    output.commit().expect("commit");
    let files: Vec<(String, Vec<u8>)> = walkdir::WalkDir::new(&site)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|entry| entry.file_type().is_file())
        .filter_map(|entry| {
            let rel = entry.path().strip_prefix(&site).ok()?.to_str()?;
            let rel = rel.replace('\\', "/");
            Some((rel, std::fs::read(entry.path()).ok()?))
        })
        .collect();
    group.bench_function("write", |b| {
        use rayon::prelude::*;
        b.iter_batched(
            || tempfile::tempdir().expect("temp dir"),
            |out| {
                let output = Output::begin(&out.path().join("public")).expect("output");
                files.par_iter().for_each(|(rel, bytes)| {
                    output.write(rel, bytes).expect("write");
                });
                output.commit().expect("commit");
                out
            },
            BatchSize::PerIteration,
        )
    });
    group.finish();
}

fn whole_builds(c: &mut Criterion) {
    let sizes: Vec<usize> = std::env::var("HINDSIGHT_BENCH_SIZES")
        .unwrap_or_else(|_| "1000".to_string())
        .split(',')
        .filter_map(|s| s.trim().parse().ok())
        .collect();
    let mut group = c.benchmark_group("build");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(30));
    for size in sizes {
        let dir = archive_dir(size);
        group.bench_function(format!("clean-{size}"), |b| {
            b.iter_batched(
                // A fresh output folder each run (deleting the previous
                // output right before a build slows file creation here).
                || tempfile::tempdir().expect("temp dir"),
                |out| {
                    build(&dir, &out.path().join("public"));
                    out
                },
                BatchSize::PerIteration,
            )
        });
    }
    group.finish();
}

fn build(root: &Path, output: &Path) {
    let options = hindsight::build::BuildOptions {
        root: Some(root.to_path_buf()),
        output: Some(output.to_path_buf()),
        build_date: Some(jiff::civil::date(2025, 1, 1)),
        ..Default::default()
    };
    hindsight::build::build(&options).expect("the synthetic archive builds");
}

criterion_group!(benches, stages, whole_builds);
criterion_main!(benches);
