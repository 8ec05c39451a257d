//! Site configuration: `hindsight.toml` (GUIDE.md 3).
//!
//! Every key is optional; a missing file means all defaults, so any folder of
//! Markdown builds as an archive. Unknown keys are errors with their line.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::diagnostics::{Code, Diagnostic, Position};

/// The name of the configuration file at the archive root.
pub const CONFIG_FILE: &str = "hindsight.toml";

/// What to do with raw HTML inside Markdown bodies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum RawHtml {
    /// Keep safe tags and attributes, drop scripts, event handlers and
    /// `javascript:` URLs (ammonia). The default.
    #[default]
    Sanitize,
    /// Show raw HTML as text.
    Escape,
    /// Pass raw HTML through unchanged. Only for archives whose every author
    /// is trusted.
    Allow,
}

/// How code blocks are highlighted (`highlighting` in `hindsight.toml`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum Highlighting {
    /// A one-pass lexer for the common languages (Bash, Dockerfile, Go,
    /// JavaScript, JSON, nginx, Python, Rust, SQL, TOML, TypeScript,
    /// YAML): comments, strings, numbers, keywords, types, function names,
    /// keys. Microseconds per block. The default.
    #[default]
    Fast,
    /// tree-sitter grammars for those languages: a parse of each block, so
    /// names are told apart by their role (parameters, fields, methods),
    /// at about 0.3 ms of CPU per block (docs/PERFORMANCE.md).
    Precise,
}

/// One root-cause category (GUIDE.md 6).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct CategoryDef {
    /// URL slug and frontmatter value, e.g. `config-change`.
    pub slug: String,
    /// Display name, e.g. `Configuration change`.
    pub name: String,
    /// What the category covers, shown on its page.
    #[serde(default)]
    pub covers: String,
}

/// Bucket edges (GUIDE.md 7). Each list holds the inner edges of half-open
/// ranges `[low, high)`, ascending.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct BucketEdges {
    /// Duration edges in minutes. Default `[15, 60, 240, 1440]`.
    pub duration_minutes: Vec<u32>,
    /// Users-affected edges in percent. Default `[5, 25, 50]`.
    pub users_affected_pct: Vec<f64>,
}

impl Default for BucketEdges {
    fn default() -> Self {
        BucketEdges {
            duration_minutes: vec![15, 60, 240, 1440],
            users_affected_pct: vec![5.0, 25.0, 50.0],
        }
    }
}

/// The whole `hindsight.toml`.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Site title, shown in the header and the page titles.
    pub title: String,
    /// One-sentence description, shown on the home page and in meta tags.
    pub description: String,
    /// Absolute URL the site is published at, e.g.
    /// `https://org.github.io/repo/`. Used only for absolute URLs (feed,
    /// sitemap, canonical links); internal links are always relative.
    pub base_url: String,
    /// IANA zone in which offset-less timestamps are read when a postmortem
    /// names no `timezone`; unset means UTC for frontmatter timestamps (with
    /// a `timezone-assumed` warning each time). Inference uses it only when
    /// it is set: a free-form window that names no zone is otherwise
    /// refused (GUIDE.md 8).
    pub default_timezone: Option<String>,
    /// Zone abbreviations and names as written in postmortems, mapped to an
    /// IANA zone or a `+HH:MM` offset, e.g. `IST = "Asia/Kolkata"`. They
    /// override the built-in table and make ambiguous abbreviations (IST,
    /// CST, BST, AST) usable.
    pub timezone_aliases: std::collections::BTreeMap<String, String>,
    /// Content folder, relative to the archive root. Default `content`.
    pub content_dir: String,
    /// Output folder, relative to the archive root. Default `public`.
    pub output_dir: String,
    /// Theme name: `default` (embedded) or a folder under `themes/`.
    pub theme: String,
    /// Raw HTML policy for Markdown bodies.
    pub raw_html: RawHtml,
    /// Whether images on other hosts are embedded. Default `false`: a
    /// remote image becomes a link to it (its alt text), so that opening a
    /// page makes no request beyond the site (no tracking pixels, no leak
    /// of readers' addresses); the CSP then allows images from the site
    /// only (docs/security.md).
    pub remote_images: bool,
    /// Root-cause categories; replaces the default list of GUIDE.md 6 when
    /// given.
    pub categories: Vec<CategoryDef>,
    /// Bucket edges for durations and users affected.
    pub buckets: BucketEdges,
    /// Rows per page of the incident lists (all incidents, each term
    /// page); longer lists continue on `page/2/`, `page/3/`... as in Zola
    /// and Hugo. 0 puts each list on one page. Default 100: the
    /// all-incidents page of a 50,000-postmortem archive would otherwise
    /// be a 30 MB table (search and filters still cover every incident).
    pub paginate_by: usize,
    /// Largest code block (in bytes) that is syntax highlighted; larger ones
    /// are shown plain. Default 64 KiB.
    pub highlight_max_bytes: usize,
    /// How code blocks are highlighted: `fast` (the default) or `precise`.
    /// Logs always get their own one-pass highlighter and the other
    /// languages syntect's grammars.
    pub highlighting: Highlighting,
    /// Largest postmortem file read, in bytes; larger ones are refused
    /// with a `file-too-large` error. Default 8 MiB.
    pub max_file_bytes: u64,
    /// Publishing profiles by name (`hindsight build --profile NAME`).
    pub profiles: std::collections::BTreeMap<String, crate::profile::Profile>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            title: "Postmortem archive".to_string(),
            description: "Incident reviews, browsable by cause, duration, impact and service."
                .to_string(),
            base_url: String::new(),
            default_timezone: None,
            timezone_aliases: std::collections::BTreeMap::new(),
            content_dir: "content".to_string(),
            output_dir: "public".to_string(),
            theme: "default".to_string(),
            raw_html: RawHtml::Sanitize,
            remote_images: false,
            categories: default_categories(),
            buckets: BucketEdges::default(),
            paginate_by: 100,
            highlight_max_bytes: 64 * 1024,
            highlighting: Highlighting::Fast,
            profiles: std::collections::BTreeMap::new(),
            max_file_bytes: 8 * 1024 * 1024,
        }
    }
}

/// The default root-cause categories of GUIDE.md 6, in guide order.
pub fn default_categories() -> Vec<CategoryDef> {
    const TABLE: [(&str, &str, &str); 14] = [
        (
            "config-change",
            "Configuration change",
            "A configuration change or state: app config, flags, load balancer, switch, firewall, DNS, IAM settings.",
        ),
        (
            "code-change",
            "Code change",
            "A deployed code change: bug, regression, bad build.",
        ),
        (
            "capacity",
            "Capacity",
            "Demand over capacity, an exhausted resource: traffic surge, disk full, pool exhaustion, memory, quota.",
        ),
        (
            "cascading-failure",
            "Cascading failure",
            "Amplification: retry storm, thundering herd, failover overload.",
        ),
        (
            "dependency",
            "Dependency",
            "A third party, cloud provider or upstream service.",
        ),
        (
            "network",
            "Network",
            "Connectivity, routing, partitions, packet loss not caused by a configuration change.",
        ),
        (
            "database",
            "Database",
            "Datastore-specific: migration, replication, locks, query plans, corruption.",
        ),
        (
            "hardware-power",
            "Hardware and power",
            "Disks, hosts, power, cooling, fibre, datacentre.",
        ),
        (
            "security",
            "Security",
            "Attack (DDoS, intrusion), credential or data exposure, security control outage.",
        ),
        (
            "time",
            "Time",
            "Leap seconds, DST, time zones, clock drift, certificate or licence expiry.",
        ),
        (
            "automation",
            "Automation",
            "An automated system acted wrongly: autoscaler, cleanup job, deploy tooling.",
        ),
        (
            "race-or-conflict",
            "Race or conflict",
            "Race conditions, version skew, name collisions.",
        ),
        (
            "operational-procedure",
            "Operational procedure",
            "A manual step or maintenance went wrong (a process gap, never a person).",
        ),
        (
            "unknown",
            "Unknown",
            "Investigated, cause not found or not disclosed.",
        ),
    ];
    TABLE
        .iter()
        .map(|(slug, name, covers)| CategoryDef {
            slug: slug.to_string(),
            name: name.to_string(),
            covers: covers.to_string(),
        })
        .collect()
}

impl Config {
    /// Reads `hindsight.toml` from `root`; a missing file gives the defaults.
    ///
    /// Errors: an unreadable file, TOML syntax, unknown keys, wrong types and
    /// invalid values (an unknown zone, duplicate category slugs, unsorted
    /// bucket edges), each as a `config-error` diagnostic with its line.
    pub fn load(root: &Path) -> Result<Config, Vec<Diagnostic>> {
        let path = root.join(CONFIG_FILE);
        match std::fs::read_to_string(&path) {
            Ok(text) => Config::parse(&text, Path::new(CONFIG_FILE)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Config::default()),
            Err(e) => Err(vec![Diagnostic::error(
                Code::ConfigError,
                Path::new(CONFIG_FILE),
                None,
                format!("cannot read the configuration: {e}"),
            )]),
        }
    }

    /// Parses configuration text; `file` names it in diagnostics.
    pub fn parse(text: &str, file: &Path) -> Result<Config, Vec<Diagnostic>> {
        let config: Config = toml::from_str(text).map_err(|e| {
            let position = e.span().map(|span| position_of(text, span.start));
            vec![
                Diagnostic::error(
                    Code::ConfigError,
                    file,
                    position,
                    e.message().trim().to_string(),
                )
                .with_hint("see docs/configuration.md for every key"),
            ]
        })?;
        let problems = config.validate(file);
        if problems.is_empty() {
            Ok(config)
        } else {
            Err(problems)
        }
    }

    fn validate(&self, file: &Path) -> Vec<Diagnostic> {
        let mut problems = Vec::new();
        let mut error = |message: String| {
            problems.push(Diagnostic::error(Code::ConfigError, file, None, message));
        };
        if let Some(zone) = &self.default_timezone
            && jiff::tz::TimeZone::get(zone).is_err()
        {
            error(format!(
                "`default_timezone` {zone:?} is not an IANA time zone"
            ));
        }
        for (alias, target) in &self.timezone_aliases {
            if crate::infer::clock::parse_configured_zone(target).is_none() {
                error(format!(
                    "timezone alias {alias:?} = {target:?}: not an IANA zone or a +HH:MM offset"
                ));
            }
        }
        let mut slugs = std::collections::BTreeSet::new();
        for category in &self.categories {
            if crate::slug::slugify(&category.slug) != category.slug {
                error(format!(
                    "category slug {:?} is not a slug (lowercase letters, digits, '-')",
                    category.slug
                ));
            }
            if !slugs.insert(category.slug.as_str()) {
                error(format!("category slug {:?} is listed twice", category.slug));
            }
        }
        if !self
            .buckets
            .duration_minutes
            .windows(2)
            .all(|w| w[0] < w[1])
            || self.buckets.duration_minutes.is_empty()
        {
            error(
                "`buckets.duration_minutes` must be a non-empty, strictly ascending list"
                    .to_string(),
            );
        }
        let pct = &self.buckets.users_affected_pct;
        if pct.is_empty()
            || !pct.windows(2).all(|w| w[0] < w[1])
            || pct.iter().any(|p| !(0.0..=100.0).contains(p))
        {
            error("`buckets.users_affected_pct` must be a non-empty, strictly ascending list within 0..100".to_string());
        }
        if !matches!(self.theme.as_str(), "default")
            && crate::slug::slugify(&self.theme) != self.theme
        {
            error(format!(
                "theme {:?} must be a plain folder name under themes/",
                self.theme
            ));
        }
        problems
    }

    /// The zone offset-less frontmatter timestamps are read in: the
    /// configured `default_timezone`, else `UTC`.
    pub fn default_zone_name(&self) -> &str {
        self.default_timezone.as_deref().unwrap_or("UTC")
    }

    /// The category with this slug, if the site has it.
    pub fn category(&self, slug: &str) -> Option<&CategoryDef> {
        self.categories.iter().find(|c| c.slug == slug)
    }
}

/// 1-based line and column (in characters) of a byte offset in `text`.
pub(crate) fn position_of(text: &str, offset: usize) -> Position {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.matches('\n').count() as u32 + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() as u32 + 1;
    Position::new(line, column)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_keys_take_defaults() {
        let config = Config::parse("title = \"Ops\"\n", Path::new("hindsight.toml")).unwrap();
        assert_eq!(config.title, "Ops");
        assert_eq!(config.categories.len(), 14);
        assert_eq!(config.buckets.duration_minutes, vec![15, 60, 240, 1440]);
    }

    #[test]
    fn unknown_key_is_an_error_with_its_line() {
        let errors = Config::parse(
            "title = \"Ops\"\n\ncolour = \"red\"\n",
            Path::new("hindsight.toml"),
        )
        .unwrap_err();
        assert_eq!(errors[0].code, Code::ConfigError);
        assert_eq!(errors[0].position.unwrap().line, 3);
        assert!(
            errors[0].message.contains("colour"),
            "{}",
            errors[0].message
        );
    }

    #[test]
    fn categories_can_be_replaced() {
        let text = "[[categories]]\nslug = \"vendor\"\nname = \"Vendor\"\n";
        let config = Config::parse(text, Path::new("hindsight.toml")).unwrap();
        assert_eq!(config.categories.len(), 1);
        assert!(config.category("vendor").is_some());
        assert!(config.category("network").is_none());
    }

    #[test]
    fn bad_zone_and_unsorted_edges_are_errors() {
        let text = "default_timezone = \"Mars/Olympus\"\n[buckets]\nduration_minutes = [60, 15]\n";
        let errors = Config::parse(text, Path::new("hindsight.toml")).unwrap_err();
        assert_eq!(errors.len(), 2);
    }

    #[test]
    fn position_counts_characters() {
        assert_eq!(position_of("ab\ncé d", 6), Position::new(2, 3));
        assert_eq!(position_of("abc", 0), Position::new(1, 1));
    }
}
