//! Normalising free-form postmortems into lines of plain text, and finding
//! their sections by heading synonyms (GUIDE.md 8).
//!
//! Real postmortems are Markdown, HTML, or both; they mark headings with
//! `#`, bold lines, or `Label:` lines, and break sentences with hard line
//! breaks. [`Doc::parse`] turns all of that into [`Line`]s that keep their
//! source line numbers.

use std::borrow::Cow;
use std::sync::LazyLock;

use regex::Regex;

/// What a section is about, by its heading.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SectionKind {
    /// Summary, overview, description.
    Summary,
    /// Impact.
    Impact,
    /// Duration, start and end.
    Duration,
    /// Timeline.
    Timeline,
    /// Root cause.
    RootCause,
    /// Resolution, fix, mitigation.
    Resolution,
    /// Corrective and preventive measures, action items.
    Actions,
    /// Lessons, conclusion.
    Lessons,
    /// How the issue was detected.
    Detection,
    /// Any other heading.
    Other,
}

/// Heading synonyms, longest first within each kind; matched against the
/// start of a heading, lower-cased, numbering and punctuation removed.
const HEADING_SYNONYMS: &[(&str, SectionKind)] = &[
    ("root cause and resolution", SectionKind::RootCause),
    ("root cause analysis", SectionKind::RootCause),
    ("root causes", SectionKind::RootCause),
    ("root cause", SectionKind::RootCause),
    ("what went wrong", SectionKind::RootCause),
    ("cause", SectionKind::RootCause),
    ("corrective and preventative measures", SectionKind::Actions),
    ("corrective and preventive measures", SectionKind::Actions),
    ("corrective and preventative", SectionKind::Actions),
    ("corrective measures", SectionKind::Actions),
    ("corrective actions", SectionKind::Actions),
    ("preventive measures", SectionKind::Actions),
    ("preventative measures", SectionKind::Actions),
    ("preventive actions", SectionKind::Actions),
    ("action items", SectionKind::Actions),
    ("actions items", SectionKind::Actions),
    ("follow-up actions", SectionKind::Actions),
    ("follow up", SectionKind::Actions),
    ("follow-ups", SectionKind::Actions),
    ("next steps", SectionKind::Actions),
    ("tasks", SectionKind::Actions),
    ("todo", SectionKind::Actions),
    ("improvements", SectionKind::Actions),
    ("issue summary", SectionKind::Summary),
    ("incident summary", SectionKind::Summary),
    ("executive summary", SectionKind::Summary),
    ("summary", SectionKind::Summary),
    ("overview", SectionKind::Summary),
    ("incident overview", SectionKind::Summary),
    ("description", SectionKind::Summary),
    ("what happened", SectionKind::Summary),
    ("introduction", SectionKind::Summary),
    ("background", SectionKind::Summary),
    ("impact", SectionKind::Impact),
    ("user impact", SectionKind::Impact),
    ("customer impact", SectionKind::Impact),
    ("duration", SectionKind::Duration),
    ("outage duration", SectionKind::Duration),
    ("incident duration", SectionKind::Duration),
    ("time window", SectionKind::Duration),
    ("timeline", SectionKind::Timeline),
    ("incident timeline", SectionKind::Timeline),
    ("timeline of events", SectionKind::Timeline),
    ("chronology", SectionKind::Timeline),
    ("sequence of events", SectionKind::Timeline),
    ("resolution and recovery", SectionKind::Resolution),
    ("resolution", SectionKind::Resolution),
    ("mitigation", SectionKind::Resolution),
    ("remediation", SectionKind::Resolution),
    ("fix", SectionKind::Resolution),
    ("recovery", SectionKind::Resolution),
    ("lessons learned", SectionKind::Lessons),
    ("lessons", SectionKind::Lessons),
    ("conclusion", SectionKind::Lessons),
    ("takeaways", SectionKind::Lessons),
    ("what went well", SectionKind::Lessons),
    ("detection", SectionKind::Detection),
    ("how the issue was detected", SectionKind::Detection),
    ("how was the issue detected", SectionKind::Detection),
];

/// Whether a whole line is just a known heading ("Timeline", "Root
/// cause"), written without any heading marker.
fn is_bare_heading(text: &str) -> bool {
    if !may_name_a_section(text) {
        return false;
    }
    let normal = normalise_heading(text);
    HEADING_SYNONYMS
        .iter()
        .any(|(synonym, _)| normal == *synonym)
}

/// Whether [`normalise_heading`] of `heading` can start with a letter,
/// as every heading synonym does: a quick "no" for the label of a
/// timeline line ("10:00 UTC: ...") without normalising it.
fn may_name_a_section(heading: &str) -> bool {
    heading
        .trim_start_matches(|c: char| {
            c.is_ascii_digit() || c == '.' || c == ')' || c.is_whitespace()
        })
        .chars()
        .find(|c| c.is_alphanumeric() || *c == '-')
        .is_some_and(char::is_alphabetic)
}

/// A heading lower-cased, without its numbering, its punctuation and a
/// leading "the ", words separated by single spaces: "2. The Root-Cause:"
/// is "root-cause". One pass (it runs for every heading and label line).
fn normalise_heading(heading: &str) -> String {
    let lower = heading.to_lowercase();
    let rest = lower.trim_start_matches(|c: char| {
        c.is_ascii_digit() || c == '.' || c == ')' || c.is_whitespace()
    });
    let mut normal = String::with_capacity(rest.len());
    let mut gap = false;
    for c in rest.chars() {
        if c.is_alphanumeric() || c == '-' {
            if gap && !normal.is_empty() {
                normal.push(' ');
            }
            gap = false;
            normal.push(c);
        } else {
            gap = true;
        }
    }
    match normal.trim_start_matches("the ") {
        trimmed if trimmed.len() == normal.len() => normal,
        trimmed => trimmed.to_string(),
    }
}

/// The kind of section a heading opens.
pub fn section_kind(heading: &str) -> SectionKind {
    if !may_name_a_section(heading) {
        return SectionKind::Other;
    }
    let normal = normalise_heading(heading);
    let normal = normal.trim_start_matches("incident ");
    let mut best: Option<(&str, SectionKind)> = None;
    for (synonym, kind) in HEADING_SYNONYMS {
        if normal.starts_with(synonym) && best.is_none_or(|(b, _)| synonym.len() > b.len()) {
            best = Some((synonym, *kind));
        }
    }
    best.map_or(SectionKind::Other, |(_, kind)| kind)
}

/// One line of normalised text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    /// The text: no Markdown or HTML markers, entities decoded.
    pub text: String,
    /// 1-based line in the body where it starts.
    pub number: u32,
    /// The line is a heading (`#`, a bold-only line, or a short `Label:`).
    pub heading: bool,
    /// For `Label: text` lines, the label (lower-case) and the text after it.
    pub label: Option<(String, String)>,
    /// The line is a list item.
    pub item: bool,
    /// The section it is in.
    pub section: SectionKind,
}

/// A normalised document.
#[derive(Debug, Clone, Default)]
pub struct Doc {
    /// Non-empty lines, in order.
    pub lines: Vec<Line>,
    /// The first `#` heading, if any, with its line.
    pub h1: Option<(String, u32)>,
}

static TAG: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"<[^<>]{0,400}>").unwrap_or_else(|_| unreachable!()));
static ENTITY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"&(#x?[0-9a-fA-F]{1,6}|[a-zA-Z]{2,8});").unwrap_or_else(|_| unreachable!())
});
static SHORTCODE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r":[a-z][a-z0-9_+\-]{1,40}:").unwrap_or_else(|_| unreachable!()));
static LIST_MARK: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:[-*+•●▪◦]|\d{1,2}[.)])\s+").unwrap_or_else(|_| unreachable!())
});
static LINK: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"!?\[([^\]]*)\]\([^)]*\)").unwrap_or_else(|_| unreachable!()));

fn decode_entity(name: &str) -> String {
    if let Some(number) = name.strip_prefix('#') {
        let value = match number.strip_prefix(['x', 'X']) {
            Some(hex) => u32::from_str_radix(hex, 16).ok(),
            None => number.parse().ok(),
        };
        return value
            .and_then(char::from_u32)
            .map(String::from)
            .unwrap_or_default();
    }
    match name {
        "amp" => "&",
        "lt" => "<",
        "gt" => ">",
        "quot" => "\"",
        "apos" => "'",
        "nbsp" | "emsp" | "ensp" | "thinsp" => " ",
        "ndash" => "–",
        "mdash" => "—",
        "hellip" => "…",
        "rsquo" | "lsquo" => "'",
        "rdquo" | "ldquo" => "\"",
        _ => " ",
    }
    .to_string()
}

/// Plain text of one source line: HTML tags and entities, emoji shortcodes,
/// emphasis, code marks and link targets removed.
pub fn plain(line: &str) -> String {
    // Each pass runs only when its markers are present (a shortcode's
    // colon comes before a lower-case letter: timeline lines are full of
    // colons that start none).
    let mut text = Cow::Borrowed(line);
    if text.contains('<') {
        text = replaced(text, |t| TAG.replace_all(t, " "));
    }
    if text.contains('&') {
        text = replaced(text, |t| {
            ENTITY.replace_all(t, |c: &regex::Captures<'_>| decode_entity(&c[1]))
        });
    }
    let shortcode_start = text
        .as_bytes()
        .windows(2)
        .any(|pair| pair[0] == b':' && pair[1].is_ascii_lowercase());
    if shortcode_start {
        text = replaced(text, |t| SHORTCODE.replace_all(t, " "));
    }
    if text.contains("](") {
        text = replaced(text, |t| LINK.replace_all(t, "$1"));
    }
    if text.is_ascii() {
        return ascii_plain(text.as_bytes());
    }
    unicode_plain(&text)
}

/// `text` after `pass`, a copy only when the pass replaced something.
fn replaced<'t>(text: Cow<'t, str>, pass: impl FnOnce(&str) -> Cow<'_, str>) -> Cow<'t, str> {
    let changed = match pass(&text) {
        Cow::Owned(changed) => Some(changed),
        Cow::Borrowed(_) => None,
    };
    changed.map_or(text, Cow::Owned)
}

/// The last pass of [`plain`] over an ASCII line, byte by byte: what
/// [`unicode_plain`] gives for it.
fn ascii_plain(text: &[u8]) -> String {
    // `char::is_whitespace` on ASCII (`u8::is_ascii_whitespace` leaves
    // out the vertical tab).
    let blank = |b: u8| matches!(b, b' ' | b'\t' | b'\n' | b'\x0B' | b'\x0C' | b'\r');
    // Bytes, not chars: an ASCII byte needs no encoding (a quarter of the
    // instructions of `String::push`).
    let mut out: Vec<u8> = Vec::with_capacity(text.len());
    let mut pending = false;
    for (at, &b) in text.iter().enumerate() {
        let mapped = match b {
            b'*' | b'`' | b'|' => b' ',
            b'_' => {
                let before = at > 0 && text[at - 1].is_ascii_alphanumeric();
                let after = text.get(at + 1).is_some_and(u8::is_ascii_alphanumeric);
                if before && after { b'_' } else { b' ' }
            }
            _ => b,
        };
        if blank(mapped) {
            pending = !out.is_empty();
        } else {
            if pending {
                out.push(b' ');
                pending = false;
            }
            out.push(mapped);
        }
    }
    // ASCII in, ASCII out.
    String::from_utf8(out).unwrap_or_default()
}

/// The last pass of [`plain`]: markup characters become blanks, and runs
/// of blanks collapse to one space, none at either end.
fn unicode_plain(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut blank = false;
    let mut previous = None::<char>;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        let mapped = match c {
            '*' | '`' | '|' => ' ',
            // `_` is emphasis at a word edge, part of a name inside one.
            '_' => {
                let before = previous.is_some_and(char::is_alphanumeric);
                let after = chars.peek().is_some_and(|c| c.is_alphanumeric());
                if before && after { '_' } else { ' ' }
            }
            _ => c,
        };
        previous = Some(c);
        if mapped.is_whitespace() {
            blank = !out.is_empty();
        } else {
            if blank {
                out.push(' ');
                blank = false;
            }
            out.push(mapped);
        }
    }
    out
}

impl Doc {
    /// Normalises a Markdown (or HTML) body.
    pub fn parse(body: &str) -> Doc {
        let mut doc = Doc::default();
        let mut in_fence = false;
        let mut section = SectionKind::Other;
        let raw_lines: Vec<&str> = body.lines().collect();
        let prose_fences = prose_fences(&raw_lines);
        for (index, raw) in raw_lines.iter().enumerate() {
            let number = index as u32 + 1;
            let trimmed = raw.trim();
            if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
                if !prose_fences.contains(&index) {
                    in_fence = !in_fence;
                }
                continue;
            }
            if in_fence {
                continue;
            }
            // Setext underlines and rules carry no text.
            if !trimmed.is_empty()
                && trimmed
                    .chars()
                    .all(|c| matches!(c, '=' | '-' | '_' | '*' | ' '))
            {
                continue;
            }
            let atx = trimmed.starts_with('#');
            let html_heading = trimmed
                .get(..2)
                .is_some_and(|start| start.eq_ignore_ascii_case("<h"))
                && trimmed.chars().nth(2).is_some_and(|c| c.is_ascii_digit());
            let setext = raw_lines.get(index + 1).is_some_and(|next| {
                next.trim().len() >= 2 && next.trim().chars().all(|c| c == '=' || c == '-')
            });
            let without_hashes = trimmed
                .trim_start_matches('#')
                .trim_start_matches('>')
                .trim();
            let mark = LIST_MARK.find(without_hashes);
            let item = mark.is_some();
            let without_mark = mark.map_or(without_hashes, |m| &without_hashes[m.end()..]);
            let bold_only = {
                let t = without_mark.trim();
                (t.starts_with("**")
                    && t.ends_with("**")
                    && t.len() > 4
                    && !t[2..t.len() - 2].contains("**"))
                    || (t.starts_with("__") && t.ends_with("__") && t.len() > 4)
            };
            let text = plain(without_mark);
            if text.is_empty() {
                continue;
            }
            if atx && doc.h1.is_none() && trimmed.starts_with("# ") {
                doc.h1 = Some((text.clone(), number));
            }
            let label = split_label(&text);
            let short_label_line = (text.ends_with(':') && text.split_whitespace().count() <= 8)
                || is_bare_heading(&text);
            let heading = atx
                || html_heading
                || setext
                || (bold_only && text.split_whitespace().count() <= 10)
                || short_label_line;
            if heading {
                let kind = section_kind(&text);
                // Any heading starts a section; unknown headings inside a
                // known section (e.g. "Tasks:" under actions) keep it.
                if kind != SectionKind::Other || atx || html_heading || setext {
                    section = kind;
                }
            } else if let Some((label_text, _)) = &label {
                let kind = section_kind(label_text);
                if kind != SectionKind::Other {
                    section = kind;
                }
            }
            doc.lines.push(Line {
                text,
                number,
                heading,
                label,
                item,
                section,
            });
        }
        doc.join_broken_sentences();
        doc
    }

    /// Joins hard line breaks inside a sentence: a line that does not end a
    /// sentence, followed by one that starts in lower case.
    fn join_broken_sentences(&mut self) {
        let mut joined: Vec<Line> = Vec::with_capacity(self.lines.len());
        // The body line the last joined line ended on: a sentence wrapped
        // over three or more lines continues from its last one.
        let mut last_number = 0;
        for line in self.lines.drain(..) {
            if let Some(previous) = joined.last_mut() {
                let continues = !previous.heading
                    && !line.heading
                    && !line.item
                    && line.label.is_none()
                    && line.number == last_number + 1
                    && !previous.text.ends_with(['.', ':', '!', '?', ';'])
                    && line.text.starts_with(|c: char| c.is_lowercase());
                if continues {
                    last_number = line.number;
                    previous.text.push(' ');
                    previous.text.push_str(&line.text);
                    if let Some((_, rest)) = &mut previous.label {
                        rest.push(' ');
                        rest.push_str(&line.text);
                    }
                    continue;
                }
            }
            last_number = line.number;
            joined.push(line);
        }
        self.lines = joined;
    }

    /// The lines of sections of `kinds`.
    pub fn in_sections<'a>(
        &'a self,
        kinds: &'a [SectionKind],
    ) -> impl Iterator<Item = &'a Line> + 'a {
        self.lines
            .iter()
            .filter(move |l| kinds.contains(&l.section))
    }
}

/// Fence lines (indices) whose content is prose, not code: a fence marked
/// `markdown`/`md`/`text` and its closing line, and a fence that is never
/// closed (a postmortem pasted from a chat tool inside a code fence).
fn prose_fences(lines: &[&str]) -> Vec<usize> {
    let mut prose = Vec::new();
    let mut open: Option<(usize, bool)> = None;
    for (index, line) in lines.iter().enumerate() {
        let trimmed = line.trim();
        if !(trimmed.starts_with("```") || trimmed.starts_with("~~~")) {
            continue;
        }
        match open {
            None => {
                let info = trimmed
                    .trim_start_matches(['`', '~'])
                    .trim()
                    .to_ascii_lowercase();
                open = Some((
                    index,
                    matches!(info.as_str(), "markdown" | "md" | "text" | "txt"),
                ));
            }
            Some((start, is_prose)) => {
                if is_prose {
                    prose.extend([start, index]);
                }
                open = None;
            }
        }
    }
    if let Some((start, _)) = open {
        prose.push(start);
    }
    prose
}

/// Splits `Label: text` when the label is short (at most five words).
pub fn split_label(text: &str) -> Option<(String, String)> {
    let (label, rest) = text.split_once(':')?;
    let label = label.trim();
    if label.is_empty()
        || label.split_whitespace().count() > 5
        || label.chars().any(|c| c.is_ascii_digit())
    {
        return None;
    }
    Some((label.to_lowercase(), rest.trim().to_string()))
}

/// Splits text into sentences (at `.`, `!`, `?` followed by a space and a
/// capital or digit), keeping decimal numbers and abbreviations like
/// `p.m.` whole.
pub fn sentences(text: &str) -> Vec<&str> {
    let bytes = text.as_bytes();
    let mut result = Vec::new();
    let mut start = 0;
    for i in 0..bytes.len() {
        if matches!(bytes[i], b'.' | b'!' | b'?') && i + 2 < bytes.len() && bytes[i + 1] == b' ' {
            let next = bytes[i + 2];
            let before = &text[start..i];
            let abbreviation = before.ends_with(" a.m")
                || before.ends_with(" p.m")
                || before.ends_with(" e.g")
                || before.ends_with(" i.e")
                || before.ends_with(" approx")
                || before.ends_with(" vs");
            if (next.is_ascii_uppercase() || next.is_ascii_digit()) && !abbreviation {
                result.push(text[start..=i].trim());
                start = i + 2;
            }
        }
    }
    if start < text.len() {
        result.push(text[start..].trim());
    }
    result.into_iter().filter(|s| !s.is_empty()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headings_normalise_to_lower_case_words() {
        for (heading, normal) in [
            ("2. The Root-Cause:", "root-cause"),
            ("  the   Timeline (UTC) ", "timeline utc"),
            ("The the Impact", "impact"),
            ("Thematic review", "thematic review"),
            ("Détection — Ünïcode", "détection ünïcode"),
            ("1) ", ""),
            ("", ""),
        ] {
            assert_eq!(normalise_heading(heading), normal, "{heading:?}");
        }
    }

    #[test]
    fn heading_synonyms() {
        assert_eq!(section_kind("Issue Summary:"), SectionKind::Summary);
        assert_eq!(
            section_kind("2. Timeline (format bullet point)"),
            SectionKind::Timeline
        );
        assert_eq!(
            section_kind("Root Cause and Resolution"),
            SectionKind::RootCause
        );
        assert_eq!(
            section_kind("Corrective and Preventative Measures:"),
            SectionKind::Actions
        );
        assert_eq!(
            section_kind("Duration of the Outage:"),
            SectionKind::Duration
        );
        assert_eq!(section_kind("Lessons Learned"), SectionKind::Lessons);
        assert_eq!(section_kind("Appendix"), SectionKind::Other);
    }

    #[test]
    fn every_heading_synonym_starts_with_a_letter() {
        // `may_name_a_section` relies on it.
        for (synonym, _) in HEADING_SYNONYMS {
            assert!(
                synonym.starts_with(|c: char| c.is_ascii_lowercase()),
                "{synonym}"
            );
        }
        assert!(!may_name_a_section("10:00 UTC"));
        assert!(!may_name_a_section("- 14:05"));
        assert!(may_name_a_section("2. The Root-Cause:"));
        assert!(may_name_a_section("**Timeline**"));
    }

    #[test]
    fn ascii_lines_are_made_plain_as_any_other() {
        for line in [
            "",
            "   ",
            "plain words",
            "  - **10:00 PM PST:** The `api` | failed  ",
            "snake_case stays, _emphasis_ goes; __init__ and a_ _b _",
            "tabs\tand\x0Bvertical\x0Cfeeds\r\nend",
            "x_1 1_x _ __ a__b",
            "*|`*",
        ] {
            assert_eq!(
                ascii_plain(line.as_bytes()),
                unicode_plain(line),
                "{line:?}"
            );
        }
    }

    #[test]
    fn plain_text_from_html_markdown_and_emoji() {
        assert_eq!(
            plain("<p>&emsp;:small_orange_diamond:Start Time: January 31 2023, 16:15 GMT+1</p>"),
            "Start Time: January 31 2023, 16:15 GMT+1"
        );
        assert_eq!(
            plain("- **10:00 PM PST:** The `api` [failed](http://x)"),
            "- 10:00 PM PST: The api failed"
        );
        assert_eq!(
            plain("snake_case stays, _emphasis_ goes"),
            "snake_case stays, emphasis goes"
        );
    }

    #[test]
    fn headings_labels_and_sections() {
        let doc = Doc::parse(
            "# Outage\n\n**Issue Summary:**\n- Duration: from 1 PM to 2 PM\n\n**Timeline:**\n- 1:00 PM: alert\n\nRoot Cause:\nA bad deploy.\n",
        );
        assert_eq!(doc.h1, Some(("Outage".to_string(), 1)));
        let duration = doc
            .lines
            .iter()
            .find(|l| l.text.starts_with("Duration"))
            .unwrap();
        assert_eq!(
            duration.section,
            SectionKind::Duration,
            "a known label opens its section"
        );
        assert_eq!(duration.label.as_ref().unwrap().0, "duration");
        let alert = doc.lines.iter().find(|l| l.text.contains("alert")).unwrap();
        assert_eq!(alert.section, SectionKind::Timeline);
        assert!(alert.item);
        let cause = doc
            .lines
            .iter()
            .find(|l| l.text == "A bad deploy.")
            .unwrap();
        assert_eq!(cause.section, SectionKind::RootCause);
        assert_eq!(cause.number, 10);
    }

    #[test]
    fn markdown_and_unclosed_fences_hold_prose() {
        let doc = Doc::parse(
            "Here it is:\n\n```markdown\n# Outage\nThe API failed.\n```\n\n```sh\nrm -rf /tmp/x\n```\n",
        );
        assert_eq!(doc.h1, Some(("Outage".to_string(), 4)));
        assert!(
            doc.lines.iter().all(|l| !l.text.contains("rm -rf")),
            "code stays out"
        );
        let doc = Doc::parse("Certainly!\n\n```\n# Report\nThe site was down.\n");
        assert_eq!(doc.h1, Some(("Report".to_string(), 4)));
    }

    #[test]
    fn hard_line_breaks_inside_a_sentence_are_joined() {
        let doc =
            Doc::parse("Impact: Approximately 30% of the\nusers were affected.\nNext sentence.\n");
        assert_eq!(
            doc.lines[0].text,
            "Impact: Approximately 30% of the users were affected."
        );
        assert_eq!(
            doc.lines[0].label.as_ref().unwrap().1,
            "Approximately 30% of the users were affected."
        );
        assert_eq!(doc.lines.len(), 2);
        // A sentence wrapped over three lines is joined whole; a blank
        // line still ends it.
        let doc = Doc::parse(
            "Our secret defines a cluster alias,\nwhich the client ignores, so jobs land in the\nservice cluster instead.\n\nmore text\n",
        );
        assert_eq!(
            doc.lines[0].text,
            "Our secret defines a cluster alias, which the client ignores, so jobs land in the service cluster instead."
        );
        assert_eq!(doc.lines[1].text, "more text");
        assert_eq!(doc.lines[1].number, 5);
    }

    #[test]
    fn sentence_split_keeps_decimals_and_pm() {
        assert_eq!(
            sentences("It began at 2 p.m. EST and 12.5% saw errors. Then it ended. done"),
            vec![
                "It began at 2 p.m. EST and 12.5% saw errors.",
                "Then it ended. done"
            ]
        );
    }
}
