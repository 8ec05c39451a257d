//! The postmortem model: a resolved [`Incident`] and its parts (GUIDE.md 4).
//!
//! Produced by the resolve stage, read by every later stage. Timestamps are
//! [`jiff::Zoned`] values that keep the offset or zone the author wrote;
//! every figure in minutes is a whole number of minutes.

use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;

use serde::Serialize;

/// Severity levels `SEV1` (worst) to `SEV4` (GUIDE.md 4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Severity {
    /// Critical: a major outage or data loss.
    #[serde(rename = "SEV1")]
    Sev1,
    /// Major.
    #[serde(rename = "SEV2")]
    Sev2,
    /// Minor.
    #[serde(rename = "SEV3")]
    Sev3,
    /// Low.
    #[serde(rename = "SEV4")]
    Sev4,
}

impl Severity {
    /// All levels, worst first.
    pub const ALL: [Severity; 4] = [
        Severity::Sev1,
        Severity::Sev2,
        Severity::Sev3,
        Severity::Sev4,
    ];

    /// Reads a severity or one of its aliases (GUIDE.md 4): `SEV1`, `1`,
    /// `S1`, `P1`, `sev-1`, `sev 1`, `critical`, `major`, `minor`, `low`.
    /// Case and surrounding space do not matter.
    pub fn parse(text: &str) -> Option<Severity> {
        let lower = text.trim().to_ascii_lowercase();
        let named = match lower.as_str() {
            "critical" => Some(Severity::Sev1),
            "major" | "high" => Some(Severity::Sev2),
            "minor" | "medium" => Some(Severity::Sev3),
            "low" => Some(Severity::Sev4),
            _ => None,
        };
        if named.is_some() {
            return named;
        }
        let digits = lower
            .strip_prefix("sev")
            .or_else(|| lower.strip_prefix('s'))
            .or_else(|| lower.strip_prefix('p'))
            .unwrap_or(&lower)
            .trim_start_matches(['-', ' ', '_']);
        match digits {
            "1" => Some(Severity::Sev1),
            "2" => Some(Severity::Sev2),
            "3" => Some(Severity::Sev3),
            "4" => Some(Severity::Sev4),
            _ => None,
        }
    }

    /// The display label, `SEV1`..`SEV4`.
    pub fn label(self) -> &'static str {
        match self {
            Severity::Sev1 => "SEV1",
            Severity::Sev2 => "SEV2",
            Severity::Sev3 => "SEV3",
            Severity::Sev4 => "SEV4",
        }
    }

    /// The URL slug, `sev1`..`sev4`.
    pub fn slug(self) -> &'static str {
        match self {
            Severity::Sev1 => "sev1",
            Severity::Sev2 => "sev2",
            Severity::Sev3 => "sev3",
            Severity::Sev4 => "sev4",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// Review status (GUIDE.md 4). Drafts build only with `--drafts`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    /// Being written; not published by default.
    Draft,
    /// Written, under review.
    InReview,
    /// Reviewed.
    Reviewed,
    /// Published (the default).
    #[default]
    Published,
    /// Closed: every action item settled.
    Closed,
}

impl Status {
    /// Reads a status value (`draft`, `in-review`, `reviewed`, `published`,
    /// `closed`; `_` and space count as `-`).
    pub fn parse(text: &str) -> Option<Status> {
        match text
            .trim()
            .to_ascii_lowercase()
            .replace(['_', ' '], "-")
            .as_str()
        {
            "draft" => Some(Status::Draft),
            "in-review" => Some(Status::InReview),
            "reviewed" => Some(Status::Reviewed),
            "published" => Some(Status::Published),
            "closed" => Some(Status::Closed),
            _ => None,
        }
    }

    /// The value as written in frontmatter.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Draft => "draft",
            Status::InReview => "in-review",
            Status::Reviewed => "reviewed",
            Status::Published => "published",
            Status::Closed => "closed",
        }
    }
}

/// Who may read a postmortem (GUIDE.md 4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum Visibility {
    /// Anyone (the default).
    #[default]
    Public,
    /// Only the organisation; a profile may exclude it.
    Internal,
}

/// Allowed `trigger` values (GUIDE.md 4).
pub const TRIGGERS: &[&str] = &[
    "code-deploy",
    "config-push",
    "traffic-change",
    "pipeline-or-batch-job",
    "dependency-change",
    "performance-decay",
    "capacity-change",
    "hardware-event",
    "manual-operation",
    "time-event",
    "attack",
    "unknown",
];

/// Allowed `impact.kind` values (GUIDE.md 4).
pub const IMPACT_KINDS: &[&str] = &[
    "outage",
    "partial-outage",
    "degraded",
    "data-loss",
    "security",
    "none",
];

/// Allowed `detection.method` values (GUIDE.md 4).
pub const DETECTION_METHODS: &[&str] = &[
    "automated-alert",
    "monitoring-dashboard",
    "customer-report",
    "internal-report",
    "third-party",
    "synthetic-check",
    "unknown",
];

/// Allowed action item `type` values (GUIDE.md 4).
pub const ACTION_TYPES: &[&str] = &["mitigate", "prevent", "detect", "process", "other"];

/// The status of an action item read from prose, which states the item
/// but not whether it was done. Never accepted in frontmatter; such items
/// are neither open nor settled.
pub const UNKNOWN_STATUS: &str = "unknown";

/// Allowed action item `status` values (GUIDE.md 4).
pub const ACTION_STATUSES: &[&str] = &["todo", "in-progress", "done", "wont-do"];

/// Where a resolved value came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Source {
    /// Written in the frontmatter.
    Frontmatter,
    /// Read from the body's prose (marked on the page).
    Inferred,
    /// Computed from other fields (duration from the window, ...).
    Derived,
    /// A default (status `published`, id from the file name, ...).
    Default,
}

/// The provenance of one field: its source and, for inferred values, the
/// text it was read from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Provenance {
    /// Where the value came from.
    pub source: Source,
    /// For inferred values: the sentence or line it was read from.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub evidence: Option<String>,
}

/// Customer impact (GUIDE.md 4, `impact.*`).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Impact {
    /// Customers first affected.
    pub started_at: Option<jiff::Zoned>,
    /// Customer impact over.
    pub ended_at: Option<jiff::Zoned>,
    /// Percentage of users affected, 0 to 100.
    pub users_affected_pct: Option<f64>,
    /// Number of users affected.
    pub users_affected: Option<u64>,
    /// Number of customers affected.
    pub customers_affected: Option<u64>,
    /// One of [`IMPACT_KINDS`].
    pub kind: Option<String>,
    /// Error budget burned, in percent.
    pub error_budget_burned_pct: Option<f64>,
    /// One-paragraph summary of the impact.
    pub summary: Option<String>,
}

/// One follow-up (GUIDE.md 4, `action_items`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ActionItem {
    /// What is to be done.
    pub title: String,
    /// One of [`ACTION_TYPES`].
    #[serde(rename = "type")]
    pub kind: Option<String>,
    /// Who owns it.
    pub owner: Option<String>,
    /// One of [`ACTION_STATUSES`]; `todo` when not given in frontmatter;
    /// [`UNKNOWN_STATUS`] for items inferred from prose.
    pub status: String,
    /// Free-form priority (`P1`, `high`, ...).
    pub priority: Option<String>,
    /// Due date.
    pub due: Option<jiff::civil::Date>,
    /// A ticket or pull request.
    pub link: Option<String>,
}

impl ActionItem {
    /// Whether the item still needs work (`todo` or `in-progress`).
    pub fn is_open(&self) -> bool {
        matches!(self.status.as_str(), "todo" | "in-progress")
    }
}

/// A titled link (GUIDE.md 4, `links`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Link {
    /// Link text.
    pub title: String,
    /// Target URL.
    pub url: String,
}

/// One entry of the body's timeline section, as written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TimelineEntry {
    /// The time as written (`10:05 PM PST`, `January 15, 2:15 PM EST`).
    pub time: String,
    /// What happened.
    pub text: String,
    /// 1-based line in the source file.
    pub line: u32,
}

/// The clocks of GUIDE.md 5, in whole minutes from `impact.started_at`.
/// Each is `None` unless both ends exist and the end is not earlier.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Clocks {
    /// Time to detect.
    pub detect: Option<i64>,
    /// Time to acknowledge.
    pub acknowledge: Option<i64>,
    /// Time to mitigate.
    pub mitigate: Option<i64>,
    /// Time to resolve.
    pub resolve: Option<i64>,
}

/// One resolved postmortem.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Incident {
    /// URL key, unique in the archive: `incidents/<id>/`.
    pub id: String,
    /// Source file, relative to the content folder.
    pub source: PathBuf,
    /// Source file as shown in diagnostics.
    #[serde(skip)]
    pub display_path: PathBuf,
    /// Title (frontmatter, else first H1, else first line).
    pub title: String,
    /// Report date.
    pub date: Option<jiff::civil::Date>,
    /// Review status.
    pub status: Status,
    /// Visibility.
    pub visibility: Visibility,
    /// Authors.
    pub authors: Vec<String>,
    /// Severity; `None` is "unrated".
    pub severity: Option<Severity>,
    /// Primary root-cause category slug (GUIDE.md 6).
    pub category: Option<String>,
    /// Further category slugs.
    pub secondary_categories: Vec<String>,
    /// One of [`TRIGGERS`].
    pub trigger: Option<String>,
    /// Services involved.
    pub services: Vec<String>,
    /// Teams involved.
    pub teams: Vec<String>,
    /// Free tags.
    pub tags: Vec<String>,
    /// IANA display zone.
    pub timezone: Option<String>,
    /// Customer impact.
    pub impact: Impact,
    /// When the incident was detected.
    pub detected_at: Option<jiff::Zoned>,
    /// When a responder acknowledged it.
    pub acknowledged_at: Option<jiff::Zoned>,
    /// When impact was mitigated.
    pub mitigated_at: Option<jiff::Zoned>,
    /// When the incident was resolved.
    pub resolved_at: Option<jiff::Zoned>,
    /// Duration of customer impact in minutes: from the window, else as
    /// stated in `duration_minutes`.
    pub duration_minutes: Option<i64>,
    /// Minutes from start to detection, acknowledgement, mitigation.
    pub clocks: Clocks,
    /// The root cause, one or two sentences.
    pub root_cause: Option<String>,
    /// Contributing factors.
    pub contributing_factors: Vec<String>,
    /// One of [`DETECTION_METHODS`].
    pub detection_method: Option<String>,
    /// Follow-ups.
    pub action_items: Vec<ActionItem>,
    /// Related incident ids or URLs.
    pub related: Vec<String>,
    /// Dashboards, tickets, status posts.
    pub links: Vec<Link>,
    /// The Markdown body.
    #[serde(skip)]
    pub body: String,
    /// The body's first line in the source file.
    #[serde(skip)]
    pub body_line: u32,
    /// Entries of the body's timeline section (time and text), if any.
    pub timeline: Vec<TimelineEntry>,
    /// Where each field came from, by field name (`impact.started_at`...).
    pub provenance: BTreeMap<&'static str, Provenance>,
    /// Watch mode only (0 otherwise): a hash of everything this incident
    /// was resolved from (its whole source file and path, the
    /// configuration) and of its final id, so that equal fingerprints
    /// mean equal incidents and later stages can tell unchanged ones
    /// without comparing them.
    #[serde(skip)]
    pub fingerprint: u64,
    /// Watch mode only (0 otherwise): a hash of what the rendered body
    /// depends on in the incident (source path, title and body), so that
    /// a change to other fields does not render the body again.
    #[serde(skip)]
    pub body_fingerprint: u64,
    /// Whether `id` was written in the frontmatter (rather than taken from
    /// the file name): such an id is never renamed to make ids unique.
    /// The same as `provenance["id"]` being frontmatter, kept as a flag so
    /// the check across all incidents reads no map.
    #[serde(skip)]
    pub id_from_frontmatter: bool,
}

impl Incident {
    /// Whether this postmortem is a draft.
    pub fn is_draft(&self) -> bool {
        self.status == Status::Draft
    }

    /// The date shown and sorted by: `date`, else the start's date.
    pub fn sort_date(&self) -> Option<jiff::civil::Date> {
        self.date
            .or_else(|| self.impact.started_at.as_ref().map(|z| z.date()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn severity_aliases() {
        for (text, expected) in [
            ("SEV1", Severity::Sev1),
            ("1", Severity::Sev1),
            ("S2", Severity::Sev2),
            ("P3", Severity::Sev3),
            ("sev-4", Severity::Sev4),
            ("Sev 2", Severity::Sev2),
            ("critical", Severity::Sev1),
            ("Major", Severity::Sev2),
            ("minor", Severity::Sev3),
            ("low", Severity::Sev4),
        ] {
            assert_eq!(Severity::parse(text), Some(expected), "{text}");
        }
        for text in ["down", "5", "sev", "", "P0"] {
            assert_eq!(Severity::parse(text), None, "{text}");
        }
    }

    #[test]
    fn status_values() {
        assert_eq!(Status::parse("In Review"), Some(Status::InReview));
        assert_eq!(Status::parse("draft"), Some(Status::Draft));
        assert_eq!(Status::parse("finished"), None);
    }
}
