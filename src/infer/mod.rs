//! Inference: what a careful reader can honestly take from a free-form
//! postmortem (GUIDE.md 8). Used by the resolve stage only for fields the
//! frontmatter does not give; every value carries the body line and the
//! text it was read from, shown on the page as its provenance.
//!
//! Nothing here reads the build machine's clock or zone: the same text
//! gives the same values anywhere, on any day.

pub mod cause;
pub mod clock;
pub mod impact;
pub mod text;
pub mod window;

use std::sync::LazyLock;

use regex::Regex;

use text::{Doc, SectionKind};
pub use window::{Window, WindowNote, ZoneSettings};

/// A value read from the text, with the body line (1-based) and the text.
#[derive(Debug, Clone, PartialEq)]
pub struct Found<T> {
    /// The value.
    pub value: T,
    /// 1-based line within the body.
    pub line: u32,
    /// The sentence or line it was read from.
    pub evidence: String,
}

/// Everything inferred from one body.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Inference {
    /// `Some(reason)` when the text is not a postmortem (an assignment
    /// copy, a stub, a bare link).
    pub not_a_postmortem: Option<String>,
    /// The first H1, else a `Postmortem: ...` first line.
    pub title: Option<Found<String>>,
    /// The impact window.
    pub window: Option<Window>,
    /// Why a window was refused, or a stated length that disagrees.
    pub window_notes: Vec<WindowNote>,
    /// Users affected, percent.
    pub users_affected_pct: Option<Found<f64>>,
    /// The root-cause sentence.
    pub root_cause: Option<Found<String>>,
    /// The primary category slug (GUIDE.md 6) the root cause names.
    pub category: Option<Found<&'static str>>,
    /// The detection method.
    pub detection_method: Option<Found<&'static str>>,
    /// Action items listed under the actions section.
    pub action_items: Vec<Found<String>>,
}

static POSTMORTEM_LINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^(?:post[- ]?mortem|incident (?:report|review|postmortem)|outage report)\s*[:\-–—]\s*\S").unwrap_or_else(|_| unreachable!())
});
static ASSIGNMENT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\bmust contain\b|\bwrite a post-?mortem\b|\byour post-?mortem\b|often what executives will read|\bformat bullet point\b|\bthe puzzle\b").unwrap_or_else(|_| unreachable!())
});
static EXPLAINER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^(?:case|scenario|hypothetical|example)\s*:|post-?mortem process|\bhypothetical\b|\bcase study\b|\bwhat is a post-?mortem\b|\bhow to write a post-?mortem\b").unwrap_or_else(|_| unreachable!())
});
static URL: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"https?://\S+").unwrap_or_else(|_| unreachable!()));
static FIGURE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b\d{1,2}:\d{2}\b|\b\d{1,2}\s*[ap]\.?m\b|\b\d{1,3}\s*%|\b(?:19|20)\d{2}\b")
        .unwrap_or_else(|_| unreachable!())
});

/// Infers what the body states. `settings` holds the configured zone
/// aliases and default zone (never the machine's).
pub fn infer(body: &str, settings: &ZoneSettings) -> Inference {
    let doc = Doc::parse(body);
    let mut inference = Inference {
        not_a_postmortem: not_a_postmortem(body, &doc),
        ..Inference::default()
    };
    inference.title = title(&doc);
    let title_text = inference.title.as_ref().map(|t| t.value.as_str());
    let (window, notes) = window::infer(&doc, title_text, settings);
    inference.window = window;
    inference.window_notes = notes;
    inference.users_affected_pct =
        impact::users_affected_pct(&doc).map(|(value, line, evidence)| Found {
            value,
            line,
            evidence,
        });
    if let Some((statement, line, category)) = cause::root_cause(&doc) {
        inference.category = category.map(|slug| Found {
            value: slug,
            line,
            evidence: statement.clone(),
        });
        inference.root_cause = Some(Found {
            evidence: statement.clone(),
            value: statement,
            line,
        });
    }
    inference.detection_method = cause::detection(&doc).map(|(value, line, evidence)| Found {
        value,
        line,
        evidence,
    });
    inference.action_items = action_items(&doc);
    inference
}

/// The entries of the body's timeline section: lines that start with a
/// time (optionally with a date and zone), split into the time as written
/// and the text after it. Bodies that never say "timeline" are not parsed.
pub fn timeline_entries(body: &str) -> Vec<(String, String, u32)> {
    // Parse only from the first line that names the timeline to the next
    // `#` heading after it: the rest of the body cannot hold entries.
    let heading_like = |l: &&str| {
        let t = l.trim();
        t.len() < 120
            && t.as_bytes()
                .windows(8)
                .any(|w| w.eq_ignore_ascii_case(b"timeline"))
            && (t.starts_with('#')
                || t.starts_with("**")
                || t.starts_with("<h")
                || t.ends_with(':')
                || t.len() < 40)
    };
    // Lines are not collected: the walk stops at the section's end.
    let mut lines = body.lines().enumerate();
    let Some((start, heading)) = lines.by_ref().find(|(_, l)| heading_like(l)) else {
        return Vec::new();
    };
    let mut section = String::from(heading);
    for (_, line) in lines.take_while(|(_, l)| !l.starts_with('#')) {
        section.push('\n');
        section.push_str(line);
    }
    let doc = Doc::parse(&section);
    let offset = start as u32;
    doc.lines
        .iter()
        .filter(|l| l.section == SectionKind::Timeline && !l.heading)
        .filter_map(|l| {
            // An entry's time starts the line: scan its first words only
            // (the clock's patterns cost microseconds per line).
            let head = entry_head(&l.text);
            let tokens = clock::scan(head, &[]);
            let moment = clock::moments(head, &tokens).into_iter().next()?;
            if moment.start > 3 {
                return None;
            }
            // `[13:20] text`: the brackets belong to neither.
            let bracketed = l.text[..moment.start].trim_end().ends_with('[')
                && l.text[moment.end..].starts_with(']');
            let end = if bracketed || l.text[moment.end..].starts_with(')') {
                moment.end + 1
            } else {
                moment.end
            };
            let mut time = l.text[..end].trim();
            if bracketed {
                time = time.trim_start_matches('[').trim_end_matches(']').trim();
            }
            let time = time.trim_end_matches([':', '-', '–', '—', ' ']).to_string();
            let text = l.text[end..]
                .trim_start_matches([')', ':', '-', '–', '—', ' ', ','])
                .trim()
                .to_string();
            (!text.is_empty()).then_some((time, text, l.number + offset))
        })
        .take(200)
        .collect()
}

/// The start of a timeline line where its time can be: up to the first
/// blank after 64 bytes (a time such as "March 3, 2024, 10:00:00 PM
/// PST" fits whole), or the whole line.
pub(crate) fn entry_head(line: &str) -> &str {
    let mut cut = 64.min(line.len());
    while !line.is_char_boundary(cut) {
        cut += 1;
    }
    match line[cut..].find(char::is_whitespace) {
        Some(blank) => &line[..cut + blank],
        None => line,
    }
}

/// The first `#` heading, else a first line like `Postmortem: ...`.
fn title(doc: &Doc) -> Option<Found<String>> {
    if let Some((text, line)) = &doc.h1 {
        let text = text.trim_end_matches(':').trim().to_string();
        if text.chars().any(char::is_alphanumeric) {
            return Some(Found {
                value: text.clone(),
                line: *line,
                evidence: text,
            });
        }
    }
    let first = doc.lines.first()?;
    POSTMORTEM_LINE.is_match(&first.text).then(|| Found {
        value: first.text.trim_end_matches(':').trim().to_string(),
        line: first.number,
        evidence: first.text.clone(),
    })
}

/// Items under the actions section: list items, else its sentences.
fn action_items(doc: &Doc) -> Vec<Found<String>> {
    let lines: Vec<&text::Line> = doc
        .lines
        .iter()
        .filter(|l| l.section == SectionKind::Actions && !l.heading)
        .collect();
    let items: Vec<&&text::Line> = lines.iter().filter(|l| l.item).collect();
    let chosen: Vec<&text::Line> = if items.is_empty() {
        lines.clone()
    } else {
        items.into_iter().copied().collect()
    };
    chosen
        .into_iter()
        .filter(|l| l.label.as_ref().is_none_or(|(_, rest)| !rest.is_empty()))
        .map(|l| {
            let text = l.text.trim_start_matches(['-', '*', '+', ' ']).trim();
            let text: String = if text.chars().count() > 200 {
                text.chars().take(200).collect::<String>() + "…"
            } else {
                text.to_string()
            };
            Found {
                value: text.clone(),
                line: l.number,
                evidence: text,
            }
        })
        .filter(|f| f.value.split_whitespace().count() >= 2)
        .take(30)
        .collect()
}

/// Why a body without frontmatter is not a postmortem, if it is not: a
/// stub (under 15 words, or under 40 with no time, date or figure), a
/// bare link, or a text with no time, date or
/// figure at all that reads like an assignment or an explainer.
fn not_a_postmortem(body: &str, doc: &Doc) -> Option<String> {
    let words: usize = doc
        .lines
        .iter()
        .map(|l| l.text.split_whitespace().count())
        .sum();
    let without_urls = URL.replace_all(body, "");
    let url_words = body.split_whitespace().count() - without_urls.split_whitespace().count();
    if url_words > 0 && without_urls.split_whitespace().count() <= 8 {
        return Some("a bare link, not a postmortem".to_string());
    }
    let figures = doc.lines.iter().any(|l| FIGURE.is_match(&l.text));
    if words < 15 || (words < 40 && !figures) {
        return Some(format!("a stub of {words} words, not a postmortem"));
    }
    let figures_outside_assignment = doc
        .lines
        .iter()
        .filter(|l| !ASSIGNMENT.is_match(&l.text))
        .any(|l| FIGURE.is_match(&l.text));
    if !figures_outside_assignment {
        let assignment = doc.lines.iter().any(|l| ASSIGNMENT.is_match(&l.text));
        let explainer = doc.lines.iter().any(|l| EXPLAINER.is_match(&l.text));
        if assignment || explainer {
            return Some("no time, date or figure anywhere, and it reads as an assignment text or an explainer of the postmortem process".to_string());
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = "**Postmortem: Checkout outage**\n\n**Issue Summary:**\n- Duration: March 3, 2024, 10:00 PM to March 4, 2024, 2:00 AM (PST)\n- Impact: Checkout failed for about 30% of users.\n- Root Cause: A misconfigured load balancer sent all traffic to one node.\n\n**Timeline:**\n- 10:00 PM: Issue detected through monitoring alerts.\n- 2:00 AM: Service restored.\n\n**Corrective and Preventative Measures:**\n- Add a config review step.\n- Monitor per-node traffic.\n";

    #[test]
    fn a_whole_postmortem() {
        let i = infer(SAMPLE, &ZoneSettings::default());
        assert_eq!(i.not_a_postmortem, None);
        assert_eq!(i.title.unwrap().value, "Postmortem: Checkout outage");
        let w = i.window.unwrap();
        assert_eq!(w.start.to_string(), "2024-03-03T22:00:00-08:00[-08:00]");
        assert_eq!(w.end.timestamp().to_string(), "2024-03-04T10:00:00Z");
        assert_eq!(w.start_line, 4);
        assert_eq!(i.users_affected_pct.unwrap().value, 30.0);
        assert_eq!(i.category.unwrap().value, "config-change");
        assert_eq!(i.detection_method.unwrap().value, "automated-alert");
        let items: Vec<String> = i.action_items.into_iter().map(|a| a.value).collect();
        assert_eq!(
            items,
            vec!["Add a config review step.", "Monitor per-node traffic."]
        );
    }

    #[test]
    fn timeline_entries_split_time_and_text() {
        let entries = timeline_entries(SAMPLE);
        assert_eq!(
            entries,
            vec![
                (
                    "10:00 PM".to_string(),
                    "Issue detected through monitoring alerts.".to_string(),
                    9
                ),
                ("2:00 AM".to_string(), "Service restored.".to_string(), 10),
            ]
        );
        let html = timeline_entries(
            "Timeline\n\n- **10:00 PM (UTC):** Alert fired\n- January 15, 2:15 PM EST: Team paged\n",
        );
        assert_eq!(html[0].0, "10:00 PM (UTC)");
        assert_eq!(html[0].1, "Alert fired");
        assert_eq!(html[1].0, "January 15, 2:15 PM EST");
        // Times in brackets, as chat logs write them.
        let chat = timeline_entries("Timeline\n\n* [13:20] Bump PR merged\n- [9:05 PM] Paged\n");
        assert_eq!(chat[0].0, "13:20");
        assert_eq!(chat[0].1, "Bump PR merged");
        assert_eq!(chat[1].0, "9:05 PM");
        assert_eq!(chat[1].1, "Paged");
        // Only the start of a long line is scanned for its time; the text
        // keeps the rest whole, times and non-ASCII included.
        let long = format!(
            "Timeline\n\n- March 3, 2024, 10:00 PM PST: {} at 11:00 PM ✓\n",
            "é".repeat(40)
        );
        let entries = timeline_entries(&long);
        assert_eq!(entries[0].0, "March 3, 2024, 10:00 PM PST");
        assert_eq!(entries[0].1, format!("{} at 11:00 PM ✓", "é".repeat(40)));
        for line in [
            "",
            "short",
            &"é".repeat(40),
            &format!("{} x y", "a".repeat(63)),
        ] {
            let head = entry_head(line);
            assert!(line.starts_with(head) && head.len() >= 64.min(line.len()));
        }
    }

    #[test]
    fn non_postmortems() {
        let settings = ZoneSettings::default();
        assert!(
            infer("https://example.com/my-postmortem\n", &settings)
                .not_a_postmortem
                .unwrap()
                .contains("bare link")
        );
        assert!(
            infer("# TODO\n\nwrite this later\n", &settings)
                .not_a_postmortem
                .unwrap()
                .contains("stub")
        );
        let assignment = "The puzzle\n\nIssue Summary (that is often what executives will read) must contain: duration of the outage with start and end times, what was the impact, what was the root cause. Timeline (format bullet point) must contain: when was the issue detected, how, actions taken, misleading paths, escalation, resolution.\n";
        assert!(infer(assignment, &settings).not_a_postmortem.is_some());
        let explainer = "Case: Shop outage\n\nScenario: A shop goes down during the holidays. Customers cannot buy anything for several hours, which costs sales and trust.\n\nPostmortem Process:\nEngineers reconstruct a timeline, analyse the root cause and agree on corrective actions with owners.\n";
        assert!(infer(explainer, &settings).not_a_postmortem.is_some());
        let security = "# Vault drained\n\nThe protocol was hacked for a large sum through a missing check in the init function, which an attacker called twice to take over the vault and drain the funds.\n\nThe fix adds the check and a guard.\n";
        assert_eq!(
            infer(security, &settings).not_a_postmortem,
            None,
            "a real incident without times is kept"
        );
        assert_eq!(infer(SAMPLE, &settings).not_a_postmortem, None);
    }
}
