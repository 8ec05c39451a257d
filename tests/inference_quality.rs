//! Inference quality against hand labels (`../shared/corpus-labels/dev.json`,
//! defined in its README): runs `hindsight inspect --format json` on the
//! labelled files, prints a score table, and holds the bar of issue 3.

mod common;

use std::collections::BTreeMap;

use common::{hindsight, repo};
use serde_json::Value;

struct Score {
    name: &'static str,
    hits: usize,
    total: usize,
    /// `true`: at least `bar` of the cases must hit; `false`: at most.
    at_least: bool,
    bar: f64,
}

impl Score {
    fn rate(&self) -> f64 {
        if self.total == 0 {
            1.0
        } else {
            self.hits as f64 / self.total as f64
        }
    }
    fn ok(&self) -> bool {
        if self.at_least {
            self.rate() >= self.bar
        } else {
            self.rate() <= self.bar
        }
    }
}

fn instant(text: &str) -> Option<jiff::Timestamp> {
    text.parse::<jiff::Timestamp>().ok()
}

#[test]
fn inference_meets_the_bar_on_the_dev_labels() {
    let labels_path = repo().join("../shared/corpus-labels/dev.json");
    let Ok(labels) = std::fs::read_to_string(&labels_path) else {
        eprintln!("skipped: {} is not present", labels_path.display());
        return;
    };
    let labels: Vec<Value> = serde_json::from_str(&labels).expect("dev.json parses");
    let corpus = repo().join("../shared/corpus");
    let files: Vec<String> = labels
        .iter()
        .map(|l| {
            corpus
                .join(l["file"].as_str().unwrap())
                .display()
                .to_string()
        })
        .collect();
    // Run outside the repository so no hindsight.toml applies: defaults only.
    let empty = tempfile::tempdir().unwrap();
    let mut args = vec!["inspect", "--format", "json"];
    args.extend(files.iter().map(String::as_str));
    let output = hindsight(empty.path(), &args);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let reports: Vec<Value> = serde_json::from_slice(&output.stdout).expect("inspect prints JSON");
    let by_file: BTreeMap<String, &Value> = reports
        .iter()
        .map(|r| (r["file"].as_str().unwrap().to_string(), r))
        .collect();

    let mut scores = vec![
        Score {
            name: "window start (labelled)",
            hits: 0,
            total: 0,
            at_least: true,
            bar: 0.90,
        },
        Score {
            name: "window end (labelled)",
            hits: 0,
            total: 0,
            at_least: true,
            bar: 0.90,
        },
        Score {
            name: "window guessed where null",
            hits: 0,
            total: 0,
            at_least: false,
            bar: 0.10,
        },
        Score {
            name: "users affected (labelled)",
            hits: 0,
            total: 0,
            at_least: true,
            bar: 0.90,
        },
        Score {
            name: "users guessed where null",
            hits: 0,
            total: 0,
            at_least: false,
            bar: 0.10,
        },
        Score {
            name: "category",
            hits: 0,
            total: 0,
            at_least: true,
            bar: 0.75,
        },
        Score {
            name: "postmortems skipped",
            hits: 0,
            total: 0,
            at_least: false,
            bar: 0.0,
        },
    ];
    let mut misses = Vec::new();
    for (label, file) in labels.iter().zip(&files) {
        let report = by_file
            .get(file)
            .unwrap_or_else(|| panic!("no report for {file}"));
        let name = label["file"].as_str().unwrap();
        let is_postmortem = label["is_postmortem"].as_bool().unwrap();
        if is_postmortem {
            scores[6].total += 1;
            if report["is_postmortem"] == false {
                scores[6].hits += 1;
                misses.push(format!("{name}: skipped as not a postmortem"));
            }
        } else {
            continue;
        }
        let impact = &report["impact"];
        for (index, field) in [(0, "started_at"), (1, "ended_at")] {
            let expected = label[field].as_str().and_then(instant);
            let got = impact[field].as_str().and_then(instant);
            match expected {
                Some(expected) => {
                    scores[index].total += 1;
                    if got == Some(expected) {
                        scores[index].hits += 1;
                    } else {
                        misses.push(format!("{name}: {field} {got:?}, label {expected}"));
                    }
                }
                None if index == 0 => {
                    scores[2].total += 1;
                    if got.is_some() {
                        scores[2].hits += 1;
                        misses.push(format!(
                            "{name}: window guessed ({got:?}) where the label refuses"
                        ));
                    }
                }
                None => {}
            }
        }
        let expected = label["users_affected_pct"].as_f64();
        let got = impact["users_affected_pct"].as_f64();
        match expected {
            Some(expected) => {
                scores[3].total += 1;
                if got.is_some_and(|g| (g - expected).abs() <= 0.5) {
                    scores[3].hits += 1;
                } else {
                    misses.push(format!("{name}: users {got:?}, label {expected}"));
                }
            }
            None => {
                scores[4].total += 1;
                if got.is_some() {
                    scores[4].hits += 1;
                    misses.push(format!(
                        "{name}: users {got:?} guessed where the label has none"
                    ));
                }
            }
        }
        if let Some(expected) = label["category"].as_str() {
            scores[5].total += 1;
            if report["category"].as_str() == Some(expected) {
                scores[5].hits += 1;
            } else {
                misses.push(format!(
                    "{name}: category {}, label {expected}",
                    report["category"]
                ));
            }
        }
    }

    println!(
        "\n{:<28} {:>7} {:>7}   bar",
        "inference on dev.json", "cases", "rate"
    );
    for s in &scores {
        let bar = format!(
            "{} {:.0}%",
            if s.at_least { ">=" } else { "<=" },
            s.bar * 100.0
        );
        let mark = if s.ok() { "ok" } else { "BELOW BAR" };
        println!(
            "{:<28} {:>3}/{:<3} {:>6.1}%   {bar} {mark}",
            s.name,
            s.hits,
            s.total,
            s.rate() * 100.0
        );
    }
    println!("\nmisses:\n  {}", misses.join("\n  "));
    let failing: Vec<&str> = scores.iter().filter(|s| !s.ok()).map(|s| s.name).collect();
    assert!(failing.is_empty(), "below the bar: {failing:?}");
}
