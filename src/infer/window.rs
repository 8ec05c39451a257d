//! The impact window of a free-form postmortem (GUIDE.md 8).
//!
//! Order of work: labelled `Start:`/`End:` lines; a `Duration:` line or a
//! sentence outside the timeline that states a range ("from X to Y",
//! "between X and Y", "X - Y"); a dated start with a "restored at" sentence
//! or a stated length; the timeline only as a fallback. A window is refused
//! (with a note saying why) when it has no date, no year, no zone (and no
//! configured default), an ambiguous zone or numeric date, an end before
//! its start after a midnight roll-over, or a start that contradicts a
//! fully dated timeline.

use std::sync::LazyLock;

use regex::Regex;

use super::clock::{self, DateParts, Moment, Token, Zone};
use super::text::{Doc, Line, SectionKind};

/// A found window.
#[derive(Debug, Clone, PartialEq)]
pub struct Window {
    /// Start of customer impact, in the zone the text stated.
    pub start: jiff::Zoned,
    /// End of customer impact.
    pub end: jiff::Zoned,
    /// Body line the start was read from.
    pub start_line: u32,
    /// Body line the end was read from.
    pub end_line: u32,
    /// The text it was read from.
    pub evidence: String,
}

/// Something worth a warning: a refused window or a length that disagrees.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WindowNote {
    /// Body line.
    pub line: u32,
    /// `true` for a stated length that disagrees with the window.
    pub mismatch: bool,
    /// What and why.
    pub message: String,
}

/// What the window stage needs from the site configuration.
#[derive(Debug, Clone, Default)]
pub struct ZoneSettings {
    /// Configured zone aliases, compiled.
    pub aliases: Vec<clock::ZoneAlias>,
    /// The configured default zone, if the site set one explicitly.
    pub default_zone: Option<jiff::tz::TimeZone>,
}

struct Analysed<'d> {
    line: &'d Line,
    tokens: Vec<Token>,
    moments: Vec<Moment>,
}

const START_LABELS: &[&str] = &[
    "start",
    "start time",
    "started",
    "started at",
    "start date",
    "start date and time",
    "start of outage",
    "outage start",
    "outage began",
    "incident start",
    "began",
    "beginning",
];

const END_LABELS: &[&str] = &[
    "end",
    "end time",
    "ended",
    "ended at",
    "end date",
    "end date and time",
    "end of outage",
    "outage end",
    "outage ended",
    "incident end",
    "resolved",
    "resolved at",
    "resolution time",
    "restored",
    "restored at",
];

const DATE_LABELS: &[&str] = &[
    "date",
    "incident date",
    "date of incident",
    "report date",
    "date of outage",
];

static CONNECTOR: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(?:^|[\s,)(])(?:-|–|—|~|to|until|till|through|and)(?:[\s,(]|$)")
        .unwrap_or_else(|_| unreachable!())
});
static RESTORED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(restored|resolved|back online|back to normal|back up|operating normally|fully functional|fully operational|recovered|normal operation|returned to normal|services? (?:was |were )?(?:fully )?available again|stable performance|functionality was restored|stabili[sz]ed)\b")
        .unwrap_or_else(|_| unreachable!())
});
static LENGTH: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(\d+(?:\.\d+)?|an?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)\s*(?:-\s*)?(hours?|hrs?|h)\b(?:,?\s*(?:and\s*)?(\d+)\s*(minutes?|mins?|m)\b)?|\b(\d+)\s*(minutes?|mins?)\b")
        .unwrap_or_else(|_| unreachable!())
});
static LENGTH_CONTEXT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(duration|lasted|lasting|total|for (?:a period of |about |approximately |around |nearly |roughly )?\d|for (?:a total of|approximately|about|around|nearly|roughly)|outage of|down for|approximately|\(\s*\d)")
        .unwrap_or_else(|_| unreachable!())
});
static YEAR: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\b(19[7-9]\d|20\d\d)\b").unwrap_or_else(|_| unreachable!()));

fn word_number(text: &str) -> Option<f64> {
    let words = [
        "a", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
        "eleven", "twelve",
    ];
    if text.eq_ignore_ascii_case("an") {
        return Some(1.0);
    }
    if let Some(i) = words.iter().position(|w| w.eq_ignore_ascii_case(text)) {
        return Some(if i == 0 { 1.0 } else { i as f64 });
    }
    text.parse().ok()
}

/// A stated length in minutes ("2 hours and 30 minutes", "(1 hour)",
/// "16 minutes", "approximately 4 hours") in a sentence that states how
/// long something lasted.
pub fn stated_minutes(text: &str) -> Option<i64> {
    if !LENGTH_CONTEXT.is_match(text) {
        return None;
    }
    let c = LENGTH.captures(text)?;
    if let Some(minutes) = c.get(5) {
        return minutes.as_str().parse().ok();
    }
    let hours = word_number(c.get(1)?.as_str())?;
    let minutes: f64 = c.get(3).map_or(0.0, |m| m.as_str().parse().unwrap_or(0.0));
    Some((hours * 60.0 + minutes).round() as i64)
}

fn early(section: SectionKind) -> bool {
    matches!(
        section,
        SectionKind::Summary | SectionKind::Impact | SectionKind::Duration | SectionKind::Other
    )
}

/// Infers the impact window. `title` is the document's title line, a
/// source of the year or date when the window lacks one.
pub fn infer(
    doc: &Doc,
    title: Option<&str>,
    settings: &ZoneSettings,
) -> (Option<Window>, Vec<WindowNote>) {
    let analysed: Vec<Analysed<'_>> = doc
        .lines
        .iter()
        .map(|line| {
            let tokens = clock::scan(&line.text, &settings.aliases);
            let moments = clock::moments(&line.text, &tokens);
            Analysed {
                line,
                tokens,
                moments,
            }
        })
        .collect();
    let context = Context::new(&analysed, title, settings);
    let mut notes = Vec::new();
    let Some(candidate) = find_candidate(&analysed, &context) else {
        return (None, notes);
    };
    match context.resolve(&candidate) {
        Ok(window) => {
            if let Some((minutes, line)) = context.stated_length() {
                let found = (window.end.timestamp().as_second()
                    - window.start.timestamp().as_second())
                    / 60;
                if (minutes - found).abs() > 5.max(found / 10) {
                    notes.push(WindowNote {
                        line,
                        mismatch: true,
                        message: format!(
                            "the text states a length of {} but the window it gives lasts {}",
                            crate::index::format_minutes(minutes),
                            crate::index::format_minutes(found)
                        ),
                    });
                }
            }
            (Some(window), notes)
        }
        Err(reason) => {
            notes.push(WindowNote {
                line: candidate.start_line,
                mismatch: false,
                message: format!("impact window not inferred: {reason}"),
            });
            (None, notes)
        }
    }
}

/// Start and end as found, before dates and zones are settled.
#[derive(Debug, Clone)]
struct Candidate {
    start: Moment,
    start_line: u32,
    start_text: String,
    end: EndSpec,
    /// The start came from the timeline (fallback).
    from_timeline: bool,
}

#[derive(Debug, Clone)]
enum EndSpec {
    At(Moment, u32, String),
    After(i64, u32),
}

fn find_candidate(lines: &[Analysed<'_>], context: &Context) -> Option<Candidate> {
    fn label_of<'a>(a: &Analysed<'a>) -> Option<&'a str> {
        a.line.label.as_ref().map(|(l, _)| l.as_str())
    }
    let first_moment_after_label = |a: &Analysed<'_>| -> Option<Moment> {
        let offset = a.line.label.as_ref().map_or(0, |(label, _)| label.len());
        a.moments
            .iter()
            .find(|m| m.start >= offset)
            .or(a.moments.first())
            .cloned()
    };

    // 1. Labelled start and end lines.
    let start = lines
        .iter()
        .find(|a| label_of(a).is_some_and(|l| START_LABELS.contains(&l)) && !a.moments.is_empty());
    let end = lines
        .iter()
        .find(|a| label_of(a).is_some_and(|l| END_LABELS.contains(&l)) && !a.moments.is_empty());
    if let (Some(s), Some(e)) = (start, end)
        && let (Some(sm), Some(em)) = (first_moment_after_label(s), first_moment_after_label(e))
    {
        return Some(Candidate {
            start: sm,
            start_line: s.line.number,
            start_text: s.line.text.clone(),
            end: EndSpec::At(em, e.line.number, e.line.text.clone()),
            from_timeline: false,
        });
    }

    // 2. A range on a `Duration:` line, then in any sentence before the
    //    timeline and outside the timeline section.
    let is_duration_line = |a: &Analysed<'_>| {
        label_of(a).is_some_and(|l| l.starts_with("duration") || l.contains("duration"))
            || (a.line.section == SectionKind::Duration)
    };
    let ranged = |a: &Analysed<'_>| range_in(a);
    let range = lines
        .iter()
        .filter(|a| is_duration_line(a))
        .find_map(|a| ranged(a).map(|r| (a, r)))
        .or_else(|| {
            lines
                .iter()
                .filter(|a| early(a.line.section) && !a.line.item_in_timeline())
                .find_map(|a| ranged(a).map(|r| (a, r)))
        });
    if let Some((a, (start, end))) = range {
        return Some(Candidate {
            start,
            start_line: a.line.number,
            start_text: a.line.text.clone(),
            end: EndSpec::At(end, a.line.number, a.line.text.clone()),
            from_timeline: false,
        });
    }

    // 3. A dated start outside the timeline ("On April 13, 2022 at 12:00
    //    p.m. EAT"), or a labelled start, with an end from a "restored at"
    //    sentence, a stated length, or the timeline.
    let dated_start = start
        .and_then(|s| first_moment_after_label(s).map(|m| (s, m)))
        .or_else(|| {
            lines
                .iter()
                .filter(|a| early(a.line.section))
                .find_map(|a| {
                    a.moments
                        .iter()
                        .find(|m| m.date.is_some())
                        .map(|m| (a, m.clone()))
                })
        });
    if let Some((a, start)) = dated_start {
        let restored = lines
            .iter()
            .filter(|b| early(b.line.section) && b.line.number >= a.line.number)
            .find_map(|b| {
                let sentence_has_restore = RESTORED.is_match(&b.line.text);
                let moment = b.moments.iter().find(|m| {
                    (b.line.number != a.line.number || m.start > start.end) && sentence_has_restore
                })?;
                Some((b, moment.clone()))
            });
        let end = if let Some((b, m)) = restored {
            Some(EndSpec::At(m, b.line.number, b.line.text.clone()))
        } else if let Some((minutes, line)) = context.stated_length() {
            Some(EndSpec::After(minutes, line))
        } else {
            context
                .timeline_restored
                .clone()
                .map(|(m, line, text)| EndSpec::At(m, line, text))
        };
        if let Some(end) = end {
            return Some(Candidate {
                start,
                start_line: a.line.number,
                start_text: a.line.text.clone(),
                end,
                from_timeline: false,
            });
        }
    }

    // 4. The timeline, when the summary gives the date: its first entry
    //    and its last "restored" entry.
    let (first, line, text) = context.timeline_first.clone()?;
    let (end, end_line, end_text) = context.timeline_restored.clone()?;
    if end_line == line {
        return None;
    }
    Some(Candidate {
        start: first,
        start_line: line,
        start_text: text,
        end: EndSpec::At(end, end_line, end_text),
        from_timeline: true,
    })
}

trait TimelineItem {
    fn item_in_timeline(&self) -> bool;
}

impl TimelineItem for Line {
    fn item_in_timeline(&self) -> bool {
        self.section == SectionKind::Timeline
    }
}

/// The first two moments of a line joined by a range connector.
fn range_in(a: &Analysed<'_>) -> Option<(Moment, Moment)> {
    let text = &a.line.text;
    for pair in a.moments.windows(2) {
        let (first, second) = (&pair[0], &pair[1]);
        let between = text.get(first.end.min(second.start)..second.start.max(first.end))?;
        // Tokens (a zone, a date) may stand between the ends; the
        // connector must too. "between X and Y" reads the same way.
        if CONNECTOR.is_match(between) && !between.contains(". ") {
            return Some((first.clone(), second.clone()));
        }
    }
    None
}

struct Context {
    /// A date given once for the document (a `Date:` line or the title).
    doc_date: Option<DateParts>,
    /// A year given in the title or a `Date:` line.
    doc_year: Option<i16>,
    /// The zone every zoned timeline entry shares.
    timeline_zone: Option<(Zone, String)>,
    /// The first dated timeline entry, for the conflict check.
    timeline_dated_first: Option<jiff::Zoned>,
    /// The first timeline entry with a time.
    timeline_first: Option<(Moment, u32, String)>,
    /// The last timeline entry saying service was restored.
    timeline_restored: Option<(Moment, u32, String)>,
    /// A date-only mention in the summary (for the timeline fallback).
    summary_date: Option<DateParts>,
    /// A stated length and its line.
    stated: Option<(i64, u32)>,
    default_zone: Option<jiff::tz::TimeZone>,
}

impl Context {
    fn new(lines: &[Analysed<'_>], title: Option<&str>, settings: &ZoneSettings) -> Context {
        let title_tokens = title
            .map(|t| clock::scan(t, &settings.aliases))
            .unwrap_or_default();
        // `Date: 2018-09-12`, or a `Date:` heading with the date on the
        // next line.
        let is_date_label = |a: &Analysed<'_>| {
            a.line
                .label
                .as_ref()
                .is_some_and(|(l, _)| DATE_LABELS.contains(&l.as_str()))
                || (a.line.heading
                    && DATE_LABELS.contains(
                        &a.line
                            .text
                            .trim_end_matches(':')
                            .trim()
                            .to_lowercase()
                            .as_str(),
                    ))
        };
        let date_line = lines.iter().enumerate().find_map(|(i, a)| {
            if !is_date_label(a) {
                return None;
            }
            if !clock::dates(&a.tokens).is_empty() {
                return Some(a);
            }
            lines
                .get(i + 1)
                .filter(|next| !clock::dates(&next.tokens).is_empty())
        });
        let doc_date = date_line
            .and_then(|a| clock::dates(&a.tokens).first().copied())
            .or_else(|| clock::dates(&title_tokens).first().copied());
        let doc_year = doc_date.and_then(|d| d.year).or_else(|| {
            title
                .and_then(|t| YEAR.captures(t))
                .and_then(|c| c[1].parse().ok())
        });

        let timeline: Vec<&Analysed<'_>> = lines
            .iter()
            .filter(|a| a.line.section == SectionKind::Timeline && !a.moments.is_empty())
            .collect();
        let zones: Vec<&(Zone, String)> = timeline
            .iter()
            .filter_map(|a| a.moments[0].zone.as_ref())
            .collect();
        let timeline_zone = match zones.as_slice() {
            [first, rest @ ..] if rest.iter().all(|z| z.0 == first.0) => Some((*first).clone()),
            _ => None,
        };
        let timeline_dated_first = timeline.iter().find_map(|a| {
            let m = &a.moments[0];
            let date = m.date.filter(|d| d.year.is_some())?;
            let zone = m
                .zone
                .as_ref()
                .map(|z| &z.0)
                .or(timeline_zone.as_ref().map(|z| &z.0))?;
            clock::to_zoned(date, m.time, zone, None).ok()
        });
        let timeline_first = timeline
            .first()
            .map(|a| (a.moments[0].clone(), a.line.number, a.line.text.clone()));
        let timeline_restored = timeline
            .iter()
            .rev()
            .find(|a| RESTORED.is_match(&a.line.text))
            .map(|a| (a.moments[0].clone(), a.line.number, a.line.text.clone()));
        let summary_date = lines
            .iter()
            .filter(|a| early(a.line.section))
            .find_map(|a| {
                clock::dates(&a.tokens)
                    .into_iter()
                    .find(|d| d.year.is_some())
            });
        let stated = lines
            .iter()
            .filter(|a| early(a.line.section))
            .find_map(|a| stated_minutes(&a.line.text).map(|m| (m, a.line.number)));
        Context {
            doc_date,
            doc_year,
            timeline_zone,
            timeline_dated_first,
            timeline_first,
            timeline_restored,
            summary_date,
            stated,
            default_zone: settings.default_zone.clone(),
        }
    }

    fn stated_length(&self) -> Option<(i64, u32)> {
        self.stated
    }

    fn resolve(&self, candidate: &Candidate) -> Result<Window, String> {
        let start = &candidate.start;
        if start.ambiguous_date {
            return Err("the numeric date could be day/month or month/day".to_string());
        }
        let fallback_date = if candidate.from_timeline {
            self.summary_date
        } else {
            self.doc_date.or(self.summary_date)
        };
        let mut start_date = start.date.or(fallback_date).ok_or("no date")?;
        if start_date.year.is_none() {
            start_date.year = Some(self.doc_year.ok_or("the date has no year")?);
        }
        let end_moment = match &candidate.end {
            EndSpec::At(m, _, _) => Some(m),
            EndSpec::After(..) => None,
        };
        let zone = start
            .zone
            .as_ref()
            .or(end_moment.and_then(|m| m.zone.as_ref()))
            .or(self.timeline_zone.as_ref())
            .map(|z| z.0.clone());
        let zone = match (zone, &self.default_zone) {
            (Some(zone), _) => zone,
            (None, Some(tz)) => {
                let start = clock::to_zoned(start_date, start.time, &Zone::Fixed(0), None)?;
                let offset = tz.to_offset(start.timestamp());
                Zone::Fixed(offset.seconds())
            }
            (None, None) => {
                return Err(
                    "no time zone is stated and no default_timezone is configured".to_string(),
                );
            }
        };
        let start_zoned =
            clock::to_zoned(start_date, start.time, &zone, self.default_zone.as_ref())?;

        let (end_zoned, end_line, end_text) = match &candidate.end {
            EndSpec::After(minutes, line) => {
                let end = start_zoned
                    .checked_add(jiff::SignedDuration::from_mins(*minutes))
                    .map_err(|e| e.to_string())?;
                (
                    end,
                    *line,
                    format!("stated length: {}", crate::index::format_minutes(*minutes)),
                )
            }
            EndSpec::At(end, line, text) => {
                if end.ambiguous_date {
                    return Err("the numeric date could be day/month or month/day".to_string());
                }
                let end_zone = end
                    .zone
                    .as_ref()
                    .map(|z| z.0.clone())
                    .unwrap_or_else(|| zone.clone());
                let mut end_date = end.date.unwrap_or(start_date);
                if end_date.year.is_none() {
                    end_date.year = start_date.year;
                }
                let mut end_zoned =
                    clock::to_zoned(end_date, end.time, &end_zone, self.default_zone.as_ref())?;
                if end_zoned < start_zoned {
                    if end.own_date {
                        return Err("the end is before the start".to_string());
                    }
                    // A clock earlier than the start, on no date of its
                    // own: the next day (midnight roll-over).
                    end_zoned = end_zoned
                        .checked_add(jiff::SignedDuration::from_hours(24))
                        .map_err(|e| e.to_string())?;
                }
                (end_zoned, *line, text.clone())
            }
        };
        if let Some(dated) = &self.timeline_dated_first {
            let gap = (dated.timestamp().as_second() - start_zoned.timestamp().as_second()).abs();
            if gap > 6 * 3600 {
                return Err(format!(
                    "the start contradicts the dated timeline, which begins at {dated}"
                ));
            }
        }
        let evidence = if end_line == candidate.start_line || end_text.is_empty() {
            candidate.start_text.clone()
        } else {
            format!("{} … {}", candidate.start_text, end_text)
        };
        Ok(Window {
            start: start_zoned,
            end: end_zoned,
            start_line: candidate.start_line,
            end_line,
            evidence,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn window(body: &str) -> Option<(String, String)> {
        let doc = Doc::parse(body);
        let (w, _) = infer(
            &doc,
            doc.h1.as_ref().map(|(t, _)| t.as_str()),
            &ZoneSettings::default(),
        );
        w.map(|w| {
            (
                w.start.timestamp().to_string(),
                w.end.timestamp().to_string(),
            )
        })
    }

    fn refused(body: &str) -> String {
        let doc = Doc::parse(body);
        let (w, notes) = infer(&doc, None, &ZoneSettings::default());
        assert!(w.is_none(), "{body}: {w:?}");
        notes
            .into_iter()
            .map(|n| n.message)
            .collect::<Vec<_>>()
            .join("; ")
    }

    #[test]
    fn labelled_start_and_end_lines() {
        let body = "Duration:\nStart Time: March 3, 2024, 10:00 PM PST\nEnd Time: March 4, 2024, 2:00 AM PST\n";
        assert_eq!(
            window(body),
            Some(("2024-03-04T06:00:00Z".into(), "2024-03-04T10:00:00Z".into()))
        );
    }

    #[test]
    fn duration_line_with_a_trailing_zone() {
        let body = "- Duration: The outage occurred from May 10th, 2024, at 10:00 PM to May 11th, 2024, at 2:00 AM (UTC).\n";
        assert_eq!(
            window(body),
            Some(("2024-05-10T22:00:00Z".into(), "2024-05-11T02:00:00Z".into()))
        );
    }

    #[test]
    fn range_with_one_date_and_one_zone() {
        let body =
            "On June 17, 2023, between 8:00 AM and 10:30 AM (UTC), users could not log in.\n";
        assert_eq!(
            window(body),
            Some(("2023-06-17T08:00:00Z".into(), "2023-06-17T10:30:00Z".into()))
        );
    }

    #[test]
    fn offsets_as_written() {
        let body = "Duration: April 10, 2024, 10:30 AM - April 10, 2024, 12:00 PM (UTC-5)\n";
        assert_eq!(
            window(body),
            Some(("2024-04-10T15:30:00Z".into(), "2024-04-10T17:00:00Z".into()))
        );
        let body = "We were down on March 15, 2024, from 3:00 PM to 6:45 PM GMT+1.\n";
        assert_eq!(
            window(body),
            Some(("2024-03-15T14:00:00Z".into(), "2024-03-15T17:45:00Z".into()))
        );
    }

    #[test]
    fn midnight_roll_over() {
        let body = "Duration: 2023-11-12, 23:30 PST - 00:15 PST\n";
        assert_eq!(
            window(body),
            Some(("2023-11-13T07:30:00Z".into(), "2023-11-13T08:15:00Z".into()))
        );
    }

    #[test]
    fn start_with_restored_sentence() {
        let body = "On 13/10/2023 at 2100hrs WAT, the site was down for a total of 15 minutes. Service was restored at 2115hrs WAT.\n";
        assert_eq!(
            window(body),
            Some(("2023-10-13T20:00:00Z".into(), "2023-10-13T20:15:00Z".into()))
        );
    }

    #[test]
    fn start_with_a_stated_length() {
        let body =
            "The outage began on July 2, 2024 at 09:00 UTC and lasted 2 hours and 30 minutes.\n";
        assert_eq!(
            window(body),
            Some(("2024-07-02T09:00:00Z".into(), "2024-07-02T11:30:00Z".into()))
        );
    }

    #[test]
    fn zone_and_end_from_the_timeline() {
        let body = "Summary\nOn September 11th, 2018, at midnight, the server failed.\n\nTimeline\n- 00:00 PST: errors\n- 00:20 PST: restart\n- 00:40 PST: Server and website were operating normally.\n";
        assert_eq!(
            window(body),
            Some(("2018-09-11T08:00:00Z".into(), "2018-09-11T08:40:00Z".into()))
        );
    }

    #[test]
    fn refusals() {
        assert!(
            refused("The outage lasted 2 hours (9:00 AM - 11:00 AM, UTC).\n").contains("no date")
        );
        assert!(
            refused("On April 17th, from 3:00 PM to 4:30 PM CAT, the site was down.\n")
                .contains("no year")
        );
        assert!(
            refused("Start: 2024-08-11 01:00 PM\nEnd: 2024-08-11 02:30 PM\n")
                .contains("no time zone")
        );
        assert!(
            refused("On March 3, 2024, from 10:00 to 11:00 IST the API failed.\n")
                .contains("ambiguous")
        );
        assert!(
            refused("On 02/03/2022 from 3 PM to 5 PM UTC we were down.\n").contains("day/month")
        );
        assert!(refused("From Saturday 2nd May 2020 10:00 hours (EAT) to Saturday 2nd May 2020 03:00 hours, it was down.\n").contains("before the start"));
    }

    #[test]
    fn a_year_from_the_title() {
        let body = "# Outage of January 18, 2024\n\nFrom 6 PM to 7 PM GMT on January 18 the site was down.\n";
        assert_eq!(
            window(body),
            Some(("2024-01-18T18:00:00Z".into(), "2024-01-18T19:00:00Z".into()))
        );
    }

    #[test]
    fn a_year_from_a_date_heading() {
        let body = "## Date:\n2018-09-12\n\n## Summary\nAn outage lasted between 9/10 7:55 PT and 9/11 6:00 PT.\n";
        assert_eq!(
            window(body),
            Some(("2018-09-10T14:55:00Z".into(), "2018-09-11T13:00:00Z".into()))
        );
    }

    #[test]
    fn the_timeline_is_not_a_summary() {
        let body = "Timeline\n- March 3, 2024 10:00 UTC to 10:05 UTC: investigating\n";
        assert_eq!(window(body), None);
    }

    #[test]
    fn stated_lengths() {
        assert_eq!(
            stated_minutes("The issue was resolved within 2 hours and 30 minutes"),
            None
        );
        assert_eq!(
            stated_minutes("It lasted 2 hours and 30 minutes"),
            Some(150)
        );
        assert_eq!(stated_minutes("Duration: 22:00 - 23:00 (1 hour)"), Some(60));
        assert_eq!(
            stated_minutes("For a total of 16 minutes the site was offline"),
            Some(16)
        );
        assert_eq!(
            stated_minutes("Total Duration: 3 hours 30 minutes"),
            Some(210)
        );
        assert_eq!(stated_minutes("approximately two hours"), Some(120));
    }
}
