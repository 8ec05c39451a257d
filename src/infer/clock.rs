//! Dates, clock times and time zones as people write them in postmortems,
//! and the phrase tables that read them. Every phrasing this module
//! understands, or refuses on purpose, is listed in `docs/inference.md`.
//!
//! [`scan`] finds the tokens of one line; [`moments`] groups them into
//! points in time (a clock time with the date and zone that belong to it).

use std::sync::LazyLock;

use regex::Regex;

/// A calendar date as written; the year may be missing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DateParts {
    /// Year, if written.
    pub year: Option<i16>,
    /// Month 1-12.
    pub month: i8,
    /// Day 1-31.
    pub day: i8,
}

/// A clock time, 24-hour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimeParts {
    /// Hour 0-23.
    pub hour: i8,
    /// Minute 0-59.
    pub minute: i8,
}

/// A time zone as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Zone {
    /// A fixed offset in seconds east of UTC (`UTC`, `GMT+1`, `PST`).
    Fixed(i32),
    /// An IANA zone whose offset depends on the date (`Pacific Time`).
    Named(&'static str),
    /// A configured alias: an IANA name or `+HH:MM`.
    Configured(String),
    /// An abbreviation with several meanings (`IST`, `CST`, `BST`, `AST`),
    /// refused unless configured.
    Ambiguous(String),
}

/// What a token is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenKind {
    /// A date.
    Date(DateParts),
    /// A numeric date that could be day/month or month/day.
    AmbiguousDate,
    /// A clock time.
    Time(TimeParts),
    /// A time zone, with the text as written.
    Zone(Zone, String),
}

/// A token and its byte span in the line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    /// What it is.
    pub kind: TokenKind,
    /// Byte offset of its start.
    pub start: usize,
    /// Byte offset of its end.
    pub end: usize,
}

const MONTH: &str = r"(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?";

fn month_number(name: &str) -> Option<i8> {
    let lower = name.to_ascii_lowercase();
    let key = lower.get(..3)?;
    let months = [
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
    ];
    months.iter().position(|m| *m == key).map(|i| i as i8 + 1)
}

fn regex(pattern: &str) -> Regex {
    Regex::new(pattern).unwrap_or_else(|e| panic!("built-in pattern {pattern:?} is invalid: {e}"))
}

static ISO_DATE: LazyLock<Regex> = LazyLock::new(|| regex(r"\b(\d{4})-(\d{1,2})-(\d{1,2})\b"));
static MONTH_DAY: LazyLock<Regex> = LazyLock::new(|| {
    regex(&format!(
        r"(?i)\b{MONTH}\s+(\d{{1,2}})(?:st|nd|rd|th)?\b(?:,?\s*(\d{{4}})\b)?"
    ))
});
static DAY_MONTH: LazyLock<Regex> = LazyLock::new(|| {
    regex(&format!(
        r"(?i)\b(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?{MONTH}\b(?:,?\s*(\d{{4}})\b)?"
    ))
});
static NUMERIC_DATE: LazyLock<Regex> =
    LazyLock::new(|| regex(r"\b(\d{1,2})[/.](\d{1,2})[/.](\d{4}|\d{2})\b"));
static SHORT_NUMERIC_DATE: LazyLock<Regex> =
    LazyLock::new(|| regex(r"\b(\d{1,2})/(\d{1,2})\s+\d{1,2}(?::\d{2}|\s*[ap]\.?m)"));
static COMMA_DATE: LazyLock<Regex> =
    LazyLock::new(|| regex(r"\b(\d{1,2}),\s*(\d{1,2}),\s*(\d{4})\b"));
static TIME_12H: LazyLock<Regex> = LazyLock::new(|| {
    regex(r"(?i)\b(\d{1,2})(?::(\d{2})(?::\d{2})?|\.(\d{2}))?\s*:?\s*([ap])\.?\s?m\b\.?")
});
static TIME_HRS: LazyLock<Regex> =
    LazyLock::new(|| regex(r"(?i)\b(\d{2}):?(\d{2})\s*(?:hrs|hours|h)\b"));
static TIME_24H: LazyLock<Regex> = LazyLock::new(|| regex(r"\b(\d{1,2}):(\d{2})(?::\d{2})?\b"));
static TIME_WORD: LazyLock<Regex> = LazyLock::new(|| regex(r"(?i)\b(midnight|noon|midday)\b"));
static OFFSET_ZONE: LazyLock<Regex> =
    LazyLock::new(|| regex(r"(?i)\b(?:UTC|GMT)\s*([+\-−–])\s*(\d{1,2})(?::?(\d{2}))?\b"));

/// Long zone names (case-insensitive) and their meaning.
const ZONE_NAMES: &[(&str, ZoneDef)] = &[
    ("coordinated universal time", ZoneDef::Offset(0)),
    ("greenwich mean time", ZoneDef::Offset(0)),
    ("pacific standard time", ZoneDef::Offset(-8 * 60)),
    ("pacific daylight time", ZoneDef::Offset(-7 * 60)),
    ("pacific time", ZoneDef::Iana("America/Los_Angeles")),
    ("mountain standard time", ZoneDef::Offset(-7 * 60)),
    ("central standard time", ZoneDef::Offset(-6 * 60)),
    ("eastern standard time", ZoneDef::Offset(-5 * 60)),
    ("eastern daylight time", ZoneDef::Offset(-4 * 60)),
    ("eastern time", ZoneDef::Iana("America/New_York")),
    ("central european summer time", ZoneDef::Offset(2 * 60)),
    ("central european time", ZoneDef::Offset(60)),
    ("west africa time", ZoneDef::Offset(60)),
    ("central africa time", ZoneDef::Offset(2 * 60)),
    ("east africa time", ZoneDef::Offset(3 * 60)),
    ("south africa standard time", ZoneDef::Offset(2 * 60)),
];

/// Abbreviations (matched in capitals only: `cat` and `eat` are words) and
/// their meaning. Source: the offsets in `corpus-labels/README.md`.
const ZONE_ABBREVIATIONS: &[(&str, ZoneDef)] = &[
    ("UTC", ZoneDef::Offset(0)),
    ("GMT", ZoneDef::Offset(0)),
    ("Z", ZoneDef::Offset(0)),
    ("PST", ZoneDef::Offset(-8 * 60)),
    ("PDT", ZoneDef::Offset(-7 * 60)),
    ("PT", ZoneDef::Iana("America/Los_Angeles")),
    ("MST", ZoneDef::Offset(-7 * 60)),
    ("MDT", ZoneDef::Offset(-6 * 60)),
    ("CDT", ZoneDef::Offset(-5 * 60)),
    ("EST", ZoneDef::Offset(-5 * 60)),
    ("EDT", ZoneDef::Offset(-4 * 60)),
    ("ET", ZoneDef::Iana("America/New_York")),
    ("AKST", ZoneDef::Offset(-9 * 60)),
    ("HST", ZoneDef::Offset(-10 * 60)),
    ("WET", ZoneDef::Offset(0)),
    ("CET", ZoneDef::Offset(60)),
    ("CEST", ZoneDef::Offset(2 * 60)),
    ("EET", ZoneDef::Offset(2 * 60)),
    ("EEST", ZoneDef::Offset(3 * 60)),
    ("WAT", ZoneDef::Offset(60)),
    ("CAT", ZoneDef::Offset(2 * 60)),
    ("SAST", ZoneDef::Offset(2 * 60)),
    ("EAT", ZoneDef::Offset(3 * 60)),
    ("MSK", ZoneDef::Offset(3 * 60)),
    ("JST", ZoneDef::Offset(9 * 60)),
    ("KST", ZoneDef::Offset(9 * 60)),
    ("AEST", ZoneDef::Offset(10 * 60)),
    ("AEDT", ZoneDef::Offset(11 * 60)),
    ("NZST", ZoneDef::Offset(12 * 60)),
    ("NZDT", ZoneDef::Offset(13 * 60)),
    ("IST", ZoneDef::Ambiguous),
    ("CST", ZoneDef::Ambiguous),
    ("BST", ZoneDef::Ambiguous),
    ("AST", ZoneDef::Ambiguous),
];

#[derive(Debug, Clone, Copy)]
enum ZoneDef {
    /// Minutes east of UTC.
    Offset(i32),
    Iana(&'static str),
    Ambiguous,
}

static ZONE_WORDS: LazyLock<Regex> = LazyLock::new(|| {
    let mut names: Vec<&str> = ZONE_NAMES.iter().map(|(n, _)| *n).collect();
    names.sort_by_key(|n| std::cmp::Reverse(n.len()));
    regex(&format!(r"(?i)\b({})\b", names.join("|")))
});
static ZONE_ABBR: LazyLock<Regex> = LazyLock::new(|| {
    let mut names: Vec<&str> = ZONE_ABBREVIATIONS
        .iter()
        .map(|(n, _)| *n)
        .filter(|n| *n != "Z")
        .collect();
    names.sort_by_key(|n| std::cmp::Reverse(n.len()));
    regex(&format!(r"\b({})\b", names.join("|")))
});

/// Zones written by North American authors, who write numeric dates
/// month first (`9/11/18` with `PDT` is 11 September).
const MONTH_FIRST_ZONES: &[&str] = &[
    "PST",
    "PDT",
    "PT",
    "MST",
    "MDT",
    "CDT",
    "EST",
    "EDT",
    "ET",
    "AKST",
    "HST",
    "pacific standard time",
    "pacific daylight time",
    "pacific time",
    "eastern standard time",
    "eastern daylight time",
    "eastern time",
    "mountain standard time",
    "central standard time",
];

/// A zone alias from the site configuration: a token (as written, any
/// case) and its IANA name or `+HH:MM` offset. Aliases override the
/// built-in table and make ambiguous abbreviations usable. Compiled once.
#[derive(Debug, Clone)]
pub struct ZoneAlias {
    pattern: Regex,
    target: String,
}

impl ZoneAlias {
    /// An alias of `token` for `target`.
    pub fn new(token: &str, target: &str) -> ZoneAlias {
        ZoneAlias {
            pattern: regex(&format!(r"(?i)\b{}\b", regex::escape(token))),
            target: target.to_string(),
        }
    }
}

/// The configured aliases.
pub type ZoneAliases = [ZoneAlias];

fn zone_of(def: ZoneDef, written: &str) -> Zone {
    match def {
        ZoneDef::Offset(minutes) => Zone::Fixed(minutes * 60),
        ZoneDef::Iana(name) => Zone::Named(name),
        ZoneDef::Ambiguous => Zone::Ambiguous(written.to_string()),
    }
}

fn year_of(text: Option<regex::Match<'_>>) -> Option<i16> {
    let text = text?.as_str();
    let n: i16 = text.parse().ok()?;
    Some(if text.len() == 2 { 2000 + n } else { n })
}

fn valid_date(year: Option<i16>, month: i8, day: i8) -> Option<DateParts> {
    let ok = (1..=12).contains(&month)
        && (1..=31).contains(&day)
        && year.is_none_or(|y| (1970..=2100).contains(&y))
        && year.is_none_or(|y| jiff::civil::Date::new(y, month, day).is_ok());
    ok.then_some(DateParts { year, month, day })
}

/// What an ASCII line holds of the digits and byte sequences the clock
/// patterns need: in ASCII text each `\d` matches one ASCII digit, `\s`
/// one of `[\t\n\x0B\x0C\r ]`, each literal one byte, and under `(?i)`
/// an ASCII letter only its two cases. A pattern needing more digits
/// than the line has, or a sequence it lacks, cannot match it; each
/// field names the patterns that need it.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
struct Facts {
    /// ASCII digits.
    digits: usize,
    /// A digit, `:`, a digit (`TIME_24H`).
    colon_pair: bool,
    /// A digit, `/`, a digit (`NUMERIC_DATE`, `SHORT_NUMERIC_DATE`).
    slash_pair: bool,
    /// A digit, `.`, a digit (`NUMERIC_DATE`).
    dot_pair: bool,
    /// A digit, `-`, a digit (`ISO_DATE`).
    dash_pair: bool,
    /// A digit, `,` (`COMMA_DATE`).
    digit_comma: bool,
    /// A blank, a digit (`MONTH_DAY`: "March 3").
    blank_digit: bool,
    /// A digit, then a blank or an ordinal's first letter (`DAY_MONTH`:
    /// "3 March", "3rd of March").
    digit_blank: bool,
    /// A digit, blanks, `h` (`TIME_HRS`: "2100hrs", "21:00 hours").
    digit_h: bool,
    /// `a` or `p`, an optional `.`, an optional blank, `m` (`TIME_12H`).
    am_pm: bool,
    /// `c` or `t` (the end of `UTC`, `GMT`), blanks, a sign
    /// (`OFFSET_ZONE`).
    zone_sign: bool,
    /// Two capitals in a row (`ZONE_ABBR`: "UTC", "PT").
    capitals: bool,
    /// A space, the word `time` in any case (`ZONE_WORDS`: every long
    /// zone name ends so, "Pacific Time").
    space_time: bool,
}

impl Facts {
    /// The line's facts; `None` when it is not ASCII (a Unicode digit,
    /// blank or sign may stand for an ASCII one).
    fn of(line: &str) -> Option<Facts> {
        if !line.is_ascii() {
            return None;
        }
        let bytes = line.as_bytes();
        let at = |i: usize| bytes.get(i).copied().unwrap_or(0);
        let blank = |b: u8| matches!(b, b' ' | b'\t' | b'\n' | b'\x0B' | b'\x0C' | b'\r');
        let after_blanks = |mut i: usize| {
            while blank(at(i)) {
                i += 1;
            }
            at(i)
        };
        let mut facts = Facts::default();
        for (i, &b) in bytes.iter().enumerate() {
            if b.is_ascii_digit() {
                facts.digits += 1;
                let next = at(i + 1);
                let pair = at(i + 2).is_ascii_digit();
                facts.colon_pair |= next == b':' && pair;
                facts.slash_pair |= next == b'/' && pair;
                facts.dot_pair |= next == b'.' && pair;
                facts.dash_pair |= next == b'-' && pair;
                facts.digit_comma |= next == b',';
                facts.digit_blank |= blank(next) || b"snrtSNRT".contains(&next);
                facts.blank_digit |= i > 0 && blank(bytes[i - 1]);
                facts.digit_h |= matches!(after_blanks(i + 1), b'h' | b'H');
            } else if matches!(b, b'a' | b'A' | b'p' | b'P') {
                let mut j = i + 1;
                if at(j) == b'.' {
                    j += 1;
                }
                if blank(at(j)) {
                    j += 1;
                }
                facts.am_pm |= matches!(at(j), b'm' | b'M');
            } else if matches!(b, b'c' | b'C' | b't' | b'T') {
                facts.zone_sign |= matches!(after_blanks(i + 1), b'+' | b'-');
            } else if b == b' ' {
                facts.space_time |= bytes
                    .get(i + 1..i + 5)
                    .is_some_and(|word| word.eq_ignore_ascii_case(b"time"))
                    && !(at(i + 5).is_ascii_alphanumeric() || at(i + 5) == b'_');
            }
            facts.capitals |= b.is_ascii_uppercase() && at(i + 1).is_ascii_uppercase();
        }
        Some(facts)
    }
}

/// Every date, time and zone token in `line`, in order, non-overlapping.
pub fn scan(line: &str, aliases: &ZoneAliases) -> Vec<Token> {
    scan_with(line, aliases, Facts::of(line))
}

/// [`scan`], running only the patterns `facts` allows (`None`: all).
fn scan_with(line: &str, aliases: &ZoneAliases, facts: Option<Facts>) -> Vec<Token> {
    let mut tokens: Vec<Token> = Vec::new();
    let taken = |tokens: &[Token], start: usize, end: usize| {
        tokens.iter().any(|t| start < t.end && t.start < end)
    };
    let push = |tokens: &mut Vec<Token>, kind: TokenKind, start: usize, end: usize| {
        if !taken(tokens, start, end) {
            tokens.push(Token { kind, start, end });
        }
    };

    // Every pattern but the zone names, the aliases and `noon` needs a
    // digit (`\d`, any Unicode decimal digit, each `char::is_numeric`):
    // those do not run when the line has none (most prose lines of a
    // free-form postmortem).
    let digits = line.bytes().any(|b| b.is_ascii_digit())
        || (!line.is_ascii() && line.chars().any(char::is_numeric));
    // In ASCII text each pattern needs some digits and byte sequences
    // ([`Facts`]): a timeline line's head ("04:04: The cache ...") rules
    // out all but `TIME_24H` of the nine digit patterns. A pattern ruled
    // out is not run (each run costs a few hundred nanoseconds, match or
    // not).
    let any = |needed: fn(&Facts) -> bool| facts.as_ref().is_none_or(needed);
    let may = |needed: fn(&Facts) -> bool| digits && any(needed);

    // Zones first: `GMT+1` must not leave a `1` for the time patterns.
    for alias in aliases {
        for m in alias.pattern.find_iter(line) {
            push(
                &mut tokens,
                TokenKind::Zone(
                    Zone::Configured(alias.target.clone()),
                    m.as_str().to_string(),
                ),
                m.start(),
                m.end(),
            );
        }
    }
    if may(|f| f.zone_sign) {
        for c in OFFSET_ZONE.captures_iter(line) {
            let whole = c.get(0).unwrap_or_else(|| unreachable!());
            let sign = if matches!(&c[1], "+") { 1 } else { -1 };
            let hours: i32 = c[2].parse().unwrap_or(0);
            let minutes: i32 = c.get(3).map_or(0, |m| m.as_str().parse().unwrap_or(0));
            if hours <= 14 && minutes < 60 {
                let seconds = sign * (hours * 3600 + minutes * 60);
                push(
                    &mut tokens,
                    TokenKind::Zone(Zone::Fixed(seconds), whole.as_str().to_string()),
                    whole.start(),
                    whole.end(),
                );
            }
        }
    }
    if any(|f| f.space_time) {
        for m in ZONE_WORDS.find_iter(line) {
            let lower = m.as_str().to_ascii_lowercase();
            if let Some((_, def)) = ZONE_NAMES.iter().find(|(n, _)| *n == lower) {
                push(
                    &mut tokens,
                    TokenKind::Zone(zone_of(*def, m.as_str()), m.as_str().to_string()),
                    m.start(),
                    m.end(),
                );
            }
        }
    }
    if any(|f| f.capitals) {
        for m in ZONE_ABBR.find_iter(line) {
            if let Some((_, def)) = ZONE_ABBREVIATIONS.iter().find(|(n, _)| *n == m.as_str()) {
                push(
                    &mut tokens,
                    TokenKind::Zone(zone_of(*def, m.as_str()), m.as_str().to_string()),
                    m.start(),
                    m.end(),
                );
            }
        }
    }

    // Dates.
    if may(|f| f.digits >= 6 && f.dash_pair) {
        for c in ISO_DATE.captures_iter(line) {
            let whole = c.get(0).unwrap_or_else(|| unreachable!());
            let (y, mo, d) = (
                c[1].parse().ok(),
                c[2].parse().unwrap_or(0),
                c[3].parse().unwrap_or(0),
            );
            if let Some(date) = valid_date(y, mo, d) {
                push(
                    &mut tokens,
                    TokenKind::Date(date),
                    whole.start(),
                    whole.end(),
                );
            }
        }
    }
    if may(|f| f.blank_digit) {
        for c in MONTH_DAY.captures_iter(line) {
            let whole = c.get(0).unwrap_or_else(|| unreachable!());
            // "May 10:00" is a time, not the 10th of May.
            if line[whole.end()..].starts_with(':') {
                continue;
            }
            let Some(month) = month_number(&c[1]) else {
                continue;
            };
            if let Some(date) = valid_date(year_of(c.get(3)), month, c[2].parse().unwrap_or(0)) {
                push(
                    &mut tokens,
                    TokenKind::Date(date),
                    whole.start(),
                    whole.end(),
                );
            }
        }
    }
    if may(|f| f.digit_blank) {
        for c in DAY_MONTH.captures_iter(line) {
            let whole = c.get(0).unwrap_or_else(|| unreachable!());
            let Some(month) = month_number(&c[2]) else {
                continue;
            };
            // "... 10 may ..." is the modal verb, not May.
            if &c[2] == "may" && c.get(3).is_none() {
                continue;
            }
            if let Some(date) = valid_date(year_of(c.get(3)), month, c[1].parse().unwrap_or(0)) {
                push(
                    &mut tokens,
                    TokenKind::Date(date),
                    whole.start(),
                    whole.end(),
                );
            }
        }
    }
    let month_first = tokens.iter().any(|t| match &t.kind {
        TokenKind::Zone(_, text) => MONTH_FIRST_ZONES
            .iter()
            .any(|z| z.eq_ignore_ascii_case(text)),
        _ => false,
    });
    let mut numeric = Vec::new();
    let dated = |c: regex::Captures<'_>| {
        (
            c.get(0).map_or(0..0, |m| m.range()),
            c[1].to_string(),
            c[2].to_string(),
            year_of(c.get(3)),
        )
    };
    if may(|f| f.digits >= 4 && (f.slash_pair || f.dot_pair)) {
        numeric.extend(NUMERIC_DATE.captures_iter(line).map(dated));
    }
    if may(|f| f.digits >= 6 && f.digit_comma) {
        numeric.extend(COMMA_DATE.captures_iter(line).map(dated));
    }
    if may(|f| f.digits >= 3 && f.slash_pair) {
        numeric.extend(SHORT_NUMERIC_DATE.captures_iter(line).map(|c| {
            let end = c.get(2).map_or(0, |m| m.end());
            (
                c.get(0).map_or(0, |m| m.start())..end,
                c[1].to_string(),
                c[2].to_string(),
                None,
            )
        }));
    }
    for (range, a, b, year) in numeric {
        let (a, b): (i8, i8) = (a.parse().unwrap_or(0), b.parse().unwrap_or(0));
        let kind = match (a > 12, b > 12) {
            (true, false) => valid_date(year, b, a).map(TokenKind::Date),
            (false, true) => valid_date(year, a, b).map(TokenKind::Date),
            (false, false) if a == b || month_first => valid_date(year, a, b).map(TokenKind::Date),
            (false, false) => Some(TokenKind::AmbiguousDate),
            (true, true) => None,
        };
        if let Some(kind) = kind {
            push(&mut tokens, kind, range.start, range.end);
        }
    }

    // Times.
    if may(|f| f.am_pm) {
        for c in TIME_12H.captures_iter(line) {
            let whole = c.get(0).unwrap_or_else(|| unreachable!());
            let hour: i8 = c[1].parse().unwrap_or(99);
            let minute: i8 = c
                .get(2)
                .or(c.get(3))
                .map_or(0, |m| m.as_str().parse().unwrap_or(99));
            if !(1..=12).contains(&hour) || minute > 59 {
                continue;
            }
            let pm = c[4].eq_ignore_ascii_case("p");
            let hour = match (hour, pm) {
                (12, false) => 0,
                (12, true) => 12,
                (h, true) => h + 12,
                (h, false) => h,
            };
            push(
                &mut tokens,
                TokenKind::Time(TimeParts { hour, minute }),
                whole.start(),
                whole.end(),
            );
        }
    }
    // `2100hrs` before `21:00`: both give hour and minute as groups 1 and 2.
    let clock = |tokens: &mut Vec<Token>, c: regex::Captures<'_>| {
        let whole = c.get(0).unwrap_or_else(|| unreachable!());
        let (hour, minute): (i8, i8) = (c[1].parse().unwrap_or(99), c[2].parse().unwrap_or(99));
        if hour <= 23 && minute <= 59 {
            push(
                tokens,
                TokenKind::Time(TimeParts { hour, minute }),
                whole.start(),
                whole.end(),
            );
        }
    };
    if may(|f| f.digits >= 4 && f.digit_h) {
        for c in TIME_HRS.captures_iter(line) {
            clock(&mut tokens, c);
        }
    }
    if may(|f| f.colon_pair) {
        for c in TIME_24H.captures_iter(line) {
            clock(&mut tokens, c);
        }
    }
    for m in TIME_WORD.find_iter(line) {
        let hour = if m.as_str().eq_ignore_ascii_case("midnight") {
            0
        } else {
            12
        };
        push(
            &mut tokens,
            TokenKind::Time(TimeParts { hour, minute: 0 }),
            m.start(),
            m.end(),
        );
    }
    tokens.sort_by_key(|t| t.start);
    tokens
}

/// A point in time as written: a clock time with the date and zone found
/// with it (either may be missing), and its span in the line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Moment {
    /// The date written with the time, if any.
    pub date: Option<DateParts>,
    /// Whether `date` was written next to this time (not shared from
    /// elsewhere in the line).
    pub own_date: bool,
    /// Whether a numeric date next to it was ambiguous (day/month).
    pub ambiguous_date: bool,
    /// The clock time.
    pub time: TimeParts,
    /// The zone written with the time, if any, and its text.
    pub zone: Option<(Zone, String)>,
    /// Byte span from the first to the last token of the moment.
    pub start: usize,
    /// End of the span.
    pub end: usize,
}

/// Groups the tokens of one line into moments: each time takes the date
/// written since the previous time (or right after it, before the next
/// time) and the zone written after it, before the next time. A line whose
/// times share one zone gives it to those that have none ("from 2:00 PM to
/// 5:00 PM (GMT)"), and one date is shared the same way.
pub fn moments(line: &str, tokens: &[Token]) -> Vec<Moment> {
    let time_positions: Vec<usize> = tokens
        .iter()
        .enumerate()
        .filter(|(_, t)| matches!(t.kind, TokenKind::Time(_)))
        .map(|(i, _)| i)
        .collect();
    let mut result = Vec::new();
    for (n, &ti) in time_positions.iter().enumerate() {
        let TokenKind::Time(time) = tokens[ti].kind else {
            continue;
        };
        let previous = if n == 0 { 0 } else { time_positions[n - 1] + 1 };
        let next = time_positions.get(n + 1).copied().unwrap_or(tokens.len());
        let mut moment = Moment {
            date: None,
            own_date: false,
            ambiguous_date: false,
            time,
            zone: None,
            start: tokens[ti].start,
            end: tokens[ti].end,
        };
        // A date before the time (since the previous time)...
        for token in &tokens[previous..ti] {
            match &token.kind {
                TokenKind::Date(d) => {
                    moment.date = Some(*d);
                    moment.own_date = true;
                    moment.start = moment.start.min(token.start);
                }
                TokenKind::AmbiguousDate => moment.ambiguous_date = true,
                _ => {}
            }
        }
        // ...or right after it ("10:00 AM on March 3, 2024").
        for token in &tokens[ti + 1..next] {
            match &token.kind {
                TokenKind::Zone(zone, text) if moment.zone.is_none() => {
                    moment.zone = Some((zone.clone(), text.clone()));
                    moment.end = moment.end.max(token.end);
                }
                TokenKind::Date(d)
                    if moment.date.is_none() && gap_is_short(line, moment.end, token.start) =>
                {
                    moment.date = Some(*d);
                    moment.own_date = true;
                    moment.end = moment.end.max(token.end);
                }
                _ => {}
            }
        }
        result.push(moment);
    }
    // A zone or date written once for the whole line belongs to every time.
    let zones: Vec<&(Zone, String)> = result.iter().filter_map(|m| m.zone.as_ref()).collect();
    let line_zone = tokens.iter().find_map(|t| match &t.kind {
        TokenKind::Zone(z, text) => Some((z.clone(), text.clone())),
        _ => None,
    });
    let shared_zone = match zones.as_slice() {
        [] => line_zone,
        [first, rest @ ..] if rest.iter().all(|z| z.0 == first.0) => Some((*first).clone()),
        _ => None,
    };
    let dates: Vec<DateParts> = result.iter().filter_map(|m| m.date).collect();
    for moment in &mut result {
        if moment.zone.is_none() {
            moment.zone = shared_zone.clone();
        }
        if moment.date.is_none() && dates.len() == 1 {
            moment.date = Some(dates[0]);
        }
    }
    result
}

fn gap_is_short(line: &str, from: usize, to: usize) -> bool {
    line.get(from..to).is_some_and(|gap| {
        let gap = gap
            .trim()
            .trim_matches(|c: char| c == ',' || c == '(' || c == ')')
            .trim();
        gap.is_empty() || gap.eq_ignore_ascii_case("on") || gap.eq_ignore_ascii_case("of")
    })
}

/// The dates in a line (ignoring times), for "a date with no time".
pub fn dates(tokens: &[Token]) -> Vec<DateParts> {
    tokens
        .iter()
        .filter_map(|t| match t.kind {
            TokenKind::Date(d) => Some(d),
            _ => None,
        })
        .collect()
}

/// Turns a moment into a zoned time, given the date and zone to use when
/// the moment has none. Errors: what is missing, in words.
pub fn to_zoned(
    date: DateParts,
    time: TimeParts,
    zone: &Zone,
    aliases_default: Option<&jiff::tz::TimeZone>,
) -> Result<jiff::Zoned, String> {
    let year = date.year.ok_or("no year")?;
    let civil = jiff::civil::Date::new(year, date.month, date.day)
        .map_err(|_| "not a date")?
        .at(time.hour, time.minute, 0, 0);
    let tz = match zone {
        Zone::Fixed(seconds) => jiff::tz::TimeZone::fixed(
            jiff::tz::Offset::from_seconds(*seconds).map_err(|_| "bad offset")?,
        ),
        Zone::Named(name) => jiff::tz::TimeZone::get(name).map_err(|_| "unknown zone")?,
        Zone::Configured(target) => parse_configured_zone(target)
            .or_else(|| aliases_default.cloned())
            .ok_or("unknown configured zone")?,
        Zone::Ambiguous(text) => return Err(format!("the zone {text} is ambiguous")),
    };
    civil.to_zoned(tz).map_err(|e| e.to_string())
}

/// Reads a configured zone alias target: an IANA name or `+HH:MM`.
pub fn parse_configured_zone(target: &str) -> Option<jiff::tz::TimeZone> {
    if let Ok(tz) = jiff::tz::TimeZone::get(target) {
        return Some(tz);
    }
    let (sign, rest) = match target.as_bytes().first()? {
        b'+' => (1, &target[1..]),
        b'-' => (-1, &target[1..]),
        _ => return None,
    };
    let (h, m) = rest.split_once(':').unwrap_or((rest, "0"));
    let seconds = sign * (h.parse::<i32>().ok()? * 3600 + m.parse::<i32>().ok()? * 60);
    Some(jiff::tz::TimeZone::fixed(
        jiff::tz::Offset::from_seconds(seconds).ok()?,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(line: &str) -> Vec<TokenKind> {
        scan(line, &[]).into_iter().map(|t| t.kind).collect()
    }

    /// The patterns [`Facts`] rules out find nothing where they are not
    /// run: every line (and timeline head) of the example archive, of the
    /// shared corpus when it is there, and of lines made to sit at the
    /// edge of each fact scans the same as with every pattern run.
    #[test]
    fn facts_rule_out_only_patterns_that_cannot_match() {
        let mut lines: Vec<String> = [
            "UTC+1",
            "utc +01:00 and GMT- 5",
            "(GMT−3)",
            "16:15 GMT+1",
            "10:00 PM PST",
            "10 p. m.",
            "10 a.m. to 11AM",
            "9 Am",
            "2100hrs",
            "21:00 hours",
            "0930 h",
            "3rd of March 2024",
            "3RD MARCH",
            "March 3, 2024",
            "mar.\t3",
            "Tuesday 5 may",
            "10 may 2024",
            "3/4/2024",
            "3.4.24",
            "12/25 10:00",
            "12/25 10 pm",
            "1,2,2024",
            "2024-03-03T10:00Z",
            "2024-3-3",
            "Pacific Time",
            "east africa TIME.",
            "no times here",
            "at midnight, then noon",
            "PT and ET",
            "١٢:٣٠ UTC",
            "3\u{a0}March",
            "",
        ]
        .map(String::from)
        .to_vec();
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        for folder in [root.join("content"), root.join("../shared/corpus")] {
            for entry in walkdir::WalkDir::new(folder).into_iter().flatten() {
                if entry.path().extension().is_some_and(|e| e == "md")
                    && let Ok(text) = std::fs::read_to_string(entry.path())
                {
                    lines.extend(text.lines().map(String::from));
                }
            }
        }
        assert!(lines.len() > 300, "{} lines", lines.len());
        for line in &lines {
            let head = crate::infer::entry_head(line);
            for text in [
                line.as_str(),
                head,
                head.trim_start_matches(['-', '*', ' ']),
            ] {
                assert_eq!(
                    scan_with(text, &[], Facts::of(text)),
                    scan_with(text, &[], None),
                    "{text:?}"
                );
            }
        }
    }

    fn one_moment(line: &str) -> Moment {
        let tokens = scan(line, &[]);
        let m = moments(line, &tokens);
        assert_eq!(m.len(), 1, "{line}: {m:?}");
        m[0].clone()
    }

    #[test]
    fn month_name_dates() {
        for (line, (y, mo, d)) in [
            ("On March 3, 2024 the site went down", (Some(2024), 3, 3)),
            ("January 31 2023", (Some(2023), 1, 31)),
            ("June 7th, 2024", (Some(2024), 6, 7)),
            ("on 20 December 2023", (Some(2023), 12, 20)),
            ("the 2nd of May, 2022", (Some(2022), 5, 2)),
            ("15 february, 2024", (Some(2024), 2, 15)),
            ("Sept. 9, 2018", (Some(2018), 9, 9)),
            ("on April 17th", (None, 4, 17)),
        ] {
            assert_eq!(
                kinds(line),
                vec![TokenKind::Date(DateParts {
                    year: y,
                    month: mo,
                    day: d
                })],
                "{line}"
            );
        }
    }

    #[test]
    fn numeric_dates_only_when_unambiguous() {
        assert_eq!(
            kinds("On 13/10/2023"),
            vec![TokenKind::Date(DateParts {
                year: Some(2023),
                month: 10,
                day: 13
            })]
        );
        assert_eq!(
            kinds("2024-08-15"),
            vec![TokenKind::Date(DateParts {
                year: Some(2024),
                month: 8,
                day: 15
            })]
        );
        assert_eq!(
            kinds("03, 14, 2024"),
            vec![TokenKind::Date(DateParts {
                year: Some(2024),
                month: 3,
                day: 14
            })]
        );
        assert_eq!(kinds("on 02/03/2022"), vec![TokenKind::AmbiguousDate]);
        let us = kinds("the morning of 9/11/18, from 12:00pm (PDT)");
        assert_eq!(
            us[0],
            TokenKind::Date(DateParts {
                year: Some(2018),
                month: 9,
                day: 11
            }),
            "PDT authors write month first"
        );
        let short = kinds("between 9/10 7:55 PT and 9/11 6:00 PT");
        assert!(
            short.contains(&TokenKind::Date(DateParts {
                year: None,
                month: 9,
                day: 10
            })),
            "{short:?}"
        );
        assert!(
            !kinds("half of them, 1/2 of the fleet")
                .iter()
                .any(|k| matches!(k, TokenKind::Date(_)))
        );
    }

    #[test]
    fn clock_times() {
        let time = |h, m| TokenKind::Time(TimeParts { hour: h, minute: m });
        assert_eq!(kinds("10:00 PM"), vec![time(22, 0)]);
        assert_eq!(kinds("12:00 AM"), vec![time(0, 0)]);
        assert_eq!(kinds("12:16 p.m."), vec![time(12, 16)]);
        assert_eq!(kinds("at 6PM"), vec![time(18, 0)]);
        assert_eq!(kinds("3:AM"), vec![time(3, 0)]);
        assert_eq!(kinds("8.35 AM GMT")[0], time(8, 35));
        assert_eq!(kinds("10. 12:30 PM")[0], time(12, 30));
        assert_eq!(
            kinds("10.12:30 PM")[0],
            time(12, 30),
            "a list number is not an hour"
        );
        assert_eq!(kinds("2100hrs"), vec![time(21, 0)]);
        assert_eq!(kinds("10:00 hours"), vec![time(10, 0)]);
        assert_eq!(kinds("22:05"), vec![time(22, 5)]);
        assert_eq!(kinds("at midnight"), vec![time(0, 0)]);
        assert_eq!(kinds("version 1.2 took 25:99"), vec![]);
    }

    #[test]
    fn zones() {
        let zone = |line: &str| match kinds(line)
            .into_iter()
            .find(|k| matches!(k, TokenKind::Zone(..)))
        {
            Some(TokenKind::Zone(z, _)) => z,
            other => panic!("{line}: {other:?}"),
        };
        assert_eq!(zone("16:15 GMT+1"), Zone::Fixed(3600));
        assert_eq!(zone("(UTC-5)"), Zone::Fixed(-5 * 3600));
        assert_eq!(zone("GMT +2"), Zone::Fixed(7200));
        assert_eq!(zone("14:00 GMT+01:00"), Zone::Fixed(3600));
        assert_eq!(zone("10:00 PM PST"), Zone::Fixed(-8 * 3600));
        assert_eq!(zone("(East Africa Time)"), Zone::Fixed(3 * 3600));
        assert_eq!(
            zone("9 AM Pacific Time"),
            Zone::Named("America/Los_Angeles")
        );
        assert_eq!(zone("10:00 IST"), Zone::Ambiguous("IST".into()));
        // Lower-case words are not zones.
        assert!(
            !kinds("the cat ate")
                .iter()
                .any(|k| matches!(k, TokenKind::Zone(..)))
        );
    }

    #[test]
    fn lines_without_digits_keep_their_zones_and_words() {
        // Only the digit-free patterns run on them.
        assert_eq!(
            kinds("All times are Pacific Time; restored around noon"),
            vec![
                TokenKind::Zone(Zone::Named("America/Los_Angeles"), "Pacific Time".into()),
                TokenKind::Time(TimeParts {
                    hour: 12,
                    minute: 0
                }),
            ]
        );
        assert_eq!(
            kinds("PST"),
            vec![TokenKind::Zone(Zone::Fixed(-8 * 3600), "PST".into())]
        );
        // A line with a digit (here not ASCII otherwise): every pattern runs.
        assert_eq!(
            kinds("é 22:05"),
            vec![TokenKind::Time(TimeParts {
                hour: 22,
                minute: 5
            })]
        );
    }

    #[test]
    fn configured_aliases_win() {
        let aliases = vec![ZoneAlias::new("IST", "Asia/Kolkata")];
        let tokens = scan("10:00 IST", &aliases);
        assert!(
            matches!(&tokens[1].kind, TokenKind::Zone(Zone::Configured(t), _) if t == "Asia/Kolkata")
        );
    }

    #[test]
    fn a_trailing_zone_and_a_single_date_belong_to_both_ends() {
        let line = "On June 17, 2023, between 8:00 AM and 10:30 AM (UTC), we were down";
        let tokens = scan(line, &[]);
        let m = moments(line, &tokens);
        assert_eq!(m.len(), 2);
        for moment in &m {
            assert_eq!(
                moment.date,
                Some(DateParts {
                    year: Some(2023),
                    month: 6,
                    day: 17
                })
            );
            assert_eq!(
                moment.zone.as_ref().map(|z| z.0.clone()),
                Some(Zone::Fixed(0))
            );
        }
    }

    #[test]
    fn each_end_keeps_its_own_date() {
        let line = "May 10, 2024, 14:00 - May 11, 2024, 02:00 (UTC)";
        let tokens = scan(line, &[]);
        let m = moments(line, &tokens);
        assert_eq!(m[0].date.unwrap().day, 10);
        assert_eq!(m[1].date.unwrap().day, 11);
        assert_eq!(m[1].time, TimeParts { hour: 2, minute: 0 });
    }

    #[test]
    fn date_after_the_time() {
        let m = one_moment("at 10:00 AM on March 3, 2024 the alert fired");
        assert_eq!(m.date.unwrap().day, 3);
    }

    #[test]
    fn zoned_times() {
        let z = to_zoned(
            DateParts {
                year: Some(2024),
                month: 3,
                day: 3,
            },
            TimeParts {
                hour: 22,
                minute: 0,
            },
            &Zone::Fixed(-8 * 3600),
            None,
        )
        .unwrap();
        assert_eq!(z.timestamp().to_string(), "2024-03-04T06:00:00Z");
        let pt = to_zoned(
            DateParts {
                year: Some(2018),
                month: 9,
                day: 11,
            },
            TimeParts { hour: 0, minute: 0 },
            &Zone::Named("America/Los_Angeles"),
            None,
        )
        .unwrap();
        assert_eq!(
            pt.offset().seconds(),
            -7 * 3600,
            "Pacific Time in September is PDT"
        );
        assert!(
            to_zoned(
                DateParts {
                    year: None,
                    month: 1,
                    day: 1
                },
                TimeParts { hour: 0, minute: 0 },
                &Zone::Fixed(0),
                None
            )
            .is_err()
        );
    }
}
