//! Resolve stage: validate each postmortem's frontmatter against the schema
//! (GUIDE.md 4), fill defaults, derive the clocks (GUIDE.md 5), make ids
//! unique, and normalise everything into [`Incident`]s.
//!
//! Files are resolved in parallel; every problem of every file is collected.
//! Frontmatter always wins; a file without frontmatter gets its title from
//! the body and no other metadata yet.

pub mod frontmatter;
mod timestamp;

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use rayon::prelude::*;

use crate::config::Config;
use crate::diagnostics::{Code, Diagnostic, Diagnostics, Position};
use crate::infer::ZoneSettings;
use crate::load::SourceFile;
use crate::model::{
    ACTION_STATUSES, ACTION_TYPES, ActionItem, Clocks, DETECTION_METHODS, IMPACT_KINDS, Impact,
    Incident, Link, Provenance, Severity, Source, Status, TRIGGERS, TimelineEntry, Visibility,
};
use frontmatter::{Key, Node, Value};
pub use timestamp::parse_timestamp;

/// What the resolve stage produced.
#[derive(Debug, Default)]
pub struct Resolved {
    /// Incidents sorted by source path, ids unique. Files with frontmatter
    /// that did not parse are missing (and have an error).
    pub incidents: Vec<std::sync::Arc<Incident>>,
    /// Every problem found.
    pub diagnostics: Diagnostics,
}

/// Resolves every loaded file. Ids that collide are made unique in source
/// path order: the first keeps the id, later ones get `-2`, `-3`...
/// (a `duplicate-id` warning); an explicit `id` that collides is an error.
pub fn resolve(files: &[SourceFile], config: &Config) -> Resolved {
    resolve_with(files, config, None)
}

/// What resolving one file gave: the incident (if any) and its problems.
type FileResult = (Option<std::sync::Arc<Incident>>, Vec<Diagnostic>);

/// Per-file results kept between builds by watch mode, so a rebuild
/// resolves (and infers) only the files that changed. Exact: a hit is a
/// file the load stage says it did not read afresh (the same file the last
/// build resolved), or else one equal to the cached file as a whole.
/// Emptied when the configuration changes; holds only the files of the
/// last build.
#[derive(Debug, Default)]
pub struct ResolveCache {
    /// The configuration the entries were made with (its `Debug` text).
    config: String,
    /// By path relative to the content folder.
    entries: HashMap<std::path::PathBuf, (SourceFile, FileResult)>,
    /// Files resolved (not taken from the cache) by the last build.
    pub misses: usize,
}

fn file_key(file: &SourceFile) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    file.rel_path.hash(&mut hasher);
    file.display_path.hash(&mut hasher);
    file.body.hash(&mut hasher);
    file.body_line.hash(&mut hasher);
    if let Some(block) = &file.frontmatter {
        block.text.hash(&mut hasher);
        block.first_line.hash(&mut hasher);
        matches!(block.format, crate::load::FrontmatterFormat::Yaml).hash(&mut hasher);
    }
    hasher.finish()
}

/// [`resolve`], taking unchanged files' results from `cache` and leaving
/// this build's in it.
///
/// `fresh` is the load stage's [`crate::load::Loaded::fresh`]: files not
/// in it are taken from the cache without comparing them.
pub fn resolve_cached(
    files: &[SourceFile],
    config: &Config,
    cache: &mut ResolveCache,
    fresh: Option<&std::collections::HashSet<std::path::PathBuf>>,
) -> Resolved {
    let config_text = format!("{config:?}");
    if cache.config != config_text {
        cache.entries.clear();
        cache.config = config_text;
    }
    resolve_with(files, config, Some((cache, fresh)))
}

/// Mixes `parts` into one hash.
fn mix(parts: impl std::hash::Hash) -> u64 {
    use std::hash::Hasher;
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    parts.hash(&mut hasher);
    hasher.finish()
}

/// [`resolve`], consuming the files: each is freed as soon as it is
/// resolved, so the loaded text and the incidents are not both held in
/// full (peak memory of a plain build).
pub fn resolve_owned(files: Vec<SourceFile>, config: &Config) -> Resolved {
    let zones = zone_settings(config);
    let results: Vec<FileResult> = files
        .into_par_iter()
        .map(|file| {
            let (incident, diagnostics) = resolve_file(&file, config, &zones);
            drop(file);
            (incident.map(std::sync::Arc::new), diagnostics)
        })
        .collect();
    finish(results)
}

fn resolve_with(
    files: &[SourceFile],
    config: &Config,
    cache: Option<(
        &mut ResolveCache,
        Option<&std::collections::HashSet<std::path::PathBuf>>,
    )>,
) -> Resolved {
    let zones = zone_settings(config);
    let results: Vec<FileResult> = match cache {
        None => files
            .par_iter()
            .map(|file| {
                let (incident, diagnostics) = resolve_file(file, config, &zones);
                (incident.map(std::sync::Arc::new), diagnostics)
            })
            .collect(),
        Some((cache, fresh)) => {
            let config_key = mix(&cache.config);
            let found: Vec<Option<FileResult>> = files
                .par_iter()
                .map(|file| {
                    let (cached, result) = cache.entries.get(&file.rel_path)?;
                    let unchanged = fresh.is_some_and(|fresh| !fresh.contains(&file.rel_path));
                    (unchanged || cached == file).then(|| result.clone())
                })
                .collect();
            cache.misses = found.iter().filter(|hit| hit.is_none()).count();
            let results: Vec<(bool, FileResult)> = found
                .into_par_iter()
                .zip(files.par_iter())
                .map(|(hit, file)| match hit {
                    Some(result) => (false, result),
                    None => {
                        let (mut incident, diagnostics) = resolve_file(file, config, &zones);
                        if let Some(incident) = incident.as_mut() {
                            incident.fingerprint = mix((file_key(file), config_key));
                            incident.body_fingerprint =
                                mix((&incident.source, &incident.title, &incident.body));
                        }
                        (true, (incident.map(std::sync::Arc::new), diagnostics))
                    }
                })
                .collect();
            // Keep this build's files only: when some are new or gone (the
            // same number of files, all known, is the same set).
            let known = results
                .iter()
                .zip(files)
                .all(|((missed, _), file)| !missed || cache.entries.contains_key(&file.rel_path));
            if cache.entries.len() != files.len() || !known {
                let current: std::collections::HashSet<&std::path::Path> =
                    files.iter().map(|f| f.rel_path.as_path()).collect();
                cache
                    .entries
                    .retain(|path, _| current.contains(path.as_path()));
            }
            for (file, (missed, result)) in files.iter().zip(&results) {
                if *missed {
                    cache
                        .entries
                        .insert(file.rel_path.clone(), (file.clone(), result.clone()));
                }
            }
            results.into_iter().map(|(_, result)| result).collect()
        }
    };
    finish(results)
}

/// Collects per-file results in file order, then the checks across files.
fn finish(results: Vec<FileResult>) -> Resolved {
    let mut resolved = Resolved::default();
    for (incident, diagnostics) in results {
        resolved.diagnostics.extend(diagnostics);
        resolved.incidents.extend(incident);
    }
    make_ids_unique(&mut resolved);
    check_related(&mut resolved);
    resolved
}

fn make_ids_unique(resolved: &mut Resolved) {
    // Explicit ids claim theirs first, so a file name can never take an id
    // that an author wrote down.
    // Ids borrowed from the incidents (new ones owned): the renames are
    // applied after the pass.
    let incidents = &resolved.incidents;
    let mut taken: HashMap<std::borrow::Cow<'_, str>, usize> =
        HashMap::with_capacity(incidents.len());
    let mut renames: Vec<(usize, String)> = Vec::new();
    for pass_explicit in [true, false] {
        for (index, incident) in incidents.iter().enumerate() {
            if incident.id_from_frontmatter != pass_explicit {
                continue;
            }
            let id = incident.id.as_str();
            let Some(&first) = taken.get(id) else {
                taken.insert(std::borrow::Cow::Borrowed(id), index);
                continue;
            };
            let first_path = incidents[first].display_path.display().to_string();
            if pass_explicit {
                resolved.diagnostics.push(
                    Diagnostic::error(
                        Code::DuplicateId,
                        &incident.display_path,
                        None,
                        format!("id {id:?} is already used by {first_path}"),
                    )
                    .with_hint("give each postmortem its own `id`"),
                );
                continue;
            }
            let mut n = 2;
            while taken.contains_key(format!("{id}-{n}").as_str()) {
                n += 1;
            }
            let new_id = format!("{id}-{n}");
            resolved.diagnostics.push(
                Diagnostic::warning(
                    Code::DuplicateId,
                    &incident.display_path,
                    None,
                    format!("the file name gives id {id:?}, already used by {first_path}; this one is {new_id:?}"),
                )
                .with_hint("set `id` in the frontmatter to choose a stable URL"),
            );
            taken.insert(std::borrow::Cow::Owned(new_id.clone()), index);
            renames.push((index, new_id));
        }
    }
    drop(taken);
    for (index, new_id) in renames {
        let incident = std::sync::Arc::make_mut(&mut resolved.incidents[index]);
        if incident.fingerprint != 0 {
            // The fingerprint covers the file, not this new id.
            incident.fingerprint = mix((incident.fingerprint, &new_id));
        }
        incident.id = new_id;
    }
}

fn check_related(resolved: &mut Resolved) {
    let ids: std::collections::HashSet<&str> =
        resolved.incidents.iter().map(|i| i.id.as_str()).collect();
    let mut problems = Vec::new();
    for incident in &resolved.incidents {
        for related in &incident.related {
            if !related.contains("://") && !ids.contains(related.as_str()) {
                problems.push(
                    Diagnostic::error(
                        Code::UnknownRelated,
                        &incident.display_path,
                        None,
                        format!("`related` names {related:?}, which no postmortem has as its id"),
                    )
                    .with_hint("use the id of another postmortem, or a full URL"),
                );
            }
        }
    }
    resolved.diagnostics.extend(problems);
}

/// Resolves one file; `None` when its frontmatter does not parse or it has
/// no text at all.
fn resolve_file(
    file: &SourceFile,
    config: &Config,
    zones: &ZoneSettings,
) -> (Option<Incident>, Vec<Diagnostic>) {
    let mut reader = Reader {
        file: &file.display_path,
        diagnostics: Vec::new(),
    };
    let root = match &file.frontmatter {
        None => None,
        Some(block) => match frontmatter::parse(block) {
            Ok(node) => Some(node),
            Err(e) => {
                let code = match block.format {
                    crate::load::FrontmatterFormat::Yaml => Code::YamlSyntax,
                    crate::load::FrontmatterFormat::Toml => Code::TomlSyntax,
                };
                reader.diagnostics.push(
                    Diagnostic::error(code, &file.display_path, Some(e.position), e.message)
                        .with_hint("fix the frontmatter syntax; the rest of the file was not read"),
                );
                return (None, reader.diagnostics);
            }
        },
    };
    if root.is_none() && file.body.trim().is_empty() {
        reader.diagnostics.push(
            Diagnostic::warning(
                Code::NotAPostmortem,
                &file.display_path,
                None,
                "skipped: the file is empty",
            )
            .with_hint("write the postmortem, or delete the file"),
        );
        return (None, reader.diagnostics);
    }
    let incident = reader.incident(file, root.as_ref(), config, zones);
    (incident, reader.diagnostics)
}

/// Top-level frontmatter keys and where they go (GUIDE.md 4, with the flat
/// aliases).
const TOP_LEVEL_KEYS: &[&str] = &[
    "title",
    "id",
    "date",
    "status",
    "visibility",
    "authors",
    "severity",
    "category",
    "categories",
    "secondary_categories",
    "trigger",
    "services",
    "teams",
    "tags",
    "timezone",
    "impact",
    "started_at",
    "start",
    "ended_at",
    "end",
    "detected_at",
    "acknowledged_at",
    "mitigated_at",
    "resolved_at",
    "duration_minutes",
    "root_cause",
    "contributing_factors",
    "detection",
    "action_items",
    "related",
    "links",
];

const IMPACT_KEYS: &[&str] = &[
    "started_at",
    "ended_at",
    "users_affected_pct",
    "users_affected",
    "customers_affected",
    "kind",
    "error_budget_burned_pct",
    "summary",
];

const ACTION_ITEM_KEYS: &[&str] = &[
    "title", "type", "owner", "status", "priority", "due", "link",
];

/// Category names used by other archives, mapped to GUIDE.md 6 slugs. Keys
/// are slugified. `uncategorized` means no category.
const CATEGORY_ALIASES: &[(&str, &str)] = &[
    ("config", "config-change"),
    ("configuration", "config-change"),
    ("config-error", "config-change"),
    ("config-errors", "config-change"),
    ("misconfiguration", "config-change"),
    ("code", "code-change"),
    ("bug", "code-change"),
    ("deploy", "code-change"),
    ("conflicts", "race-or-conflict"),
    ("race-condition", "race-or-conflict"),
    ("hardware", "hardware-power"),
    ("power", "hardware-power"),
    ("hardware-power-failures", "hardware-power"),
    ("third-party", "dependency"),
    ("dependencies", "dependency"),
    ("cascading-failures", "cascading-failure"),
    ("db", "database"),
];

/// Reads frontmatter values and records problems at their positions.
struct Reader<'a> {
    file: &'a Path,
    diagnostics: Vec<Diagnostic>,
}

/// Frontmatter entries by key; the first of a repeated key wins.
type Entries<'n> = BTreeMap<&'n str, (&'n Key, &'n Node)>;

fn entries_of<'n>(node: &'n Node) -> Entries<'n> {
    let mut map = BTreeMap::new();
    if let Value::Map(entries) = &node.value {
        for (key, value) in entries {
            map.entry(key.name.as_str()).or_insert((key, value));
        }
    }
    map
}

impl Reader<'_> {
    fn error(&mut self, code: Code, at: Position, message: String, hint: &str) {
        self.diagnostics
            .push(Diagnostic::error(code, self.file, Some(at), message).with_hint(hint));
    }

    fn warning(&mut self, code: Code, at: Position, message: String, hint: &str) {
        self.diagnostics
            .push(Diagnostic::warning(code, self.file, Some(at), message).with_hint(hint));
    }

    fn unknown_keys(&mut self, entries: &Entries<'_>, allowed: &[&str], prefix: &str) {
        for (name, (key, _)) in entries {
            if !allowed.contains(name) {
                let suggestion = closest(name, allowed)
                    .map(|s| format!("did you mean `{prefix}{s}`?"))
                    .unwrap_or_else(|| "see docs/frontmatter.md for every field".to_string());
                self.warning(
                    Code::UnknownField,
                    key.position,
                    format!("unknown field `{prefix}{name}` is ignored"),
                    &suggestion,
                );
            }
        }
    }

    fn text(&mut self, node: &Node, field: &str) -> Option<String> {
        match node.value.as_text() {
            Some(text) if text.trim().is_empty() => None,
            Some(text) => Some(text.trim().to_string()),
            None if node.value == Value::Null => None,
            None => {
                self.error(
                    Code::BadValue,
                    node.position,
                    format!("`{field}` must be text, not {}", node.value.type_name()),
                    "quote the value",
                );
                None
            }
        }
    }

    /// A list of strings; a single string counts as a one-item list.
    fn list(&mut self, node: &Node, field: &str) -> Vec<String> {
        match &node.value {
            Value::Seq(items) => items
                .iter()
                .filter_map(|item| self.text(item, field))
                .collect(),
            Value::Null => Vec::new(),
            _ => self.text(node, field).into_iter().collect(),
        }
    }

    fn number(
        &mut self,
        node: &Node,
        field: &str,
        range: std::ops::RangeInclusive<f64>,
    ) -> Option<f64> {
        let value = match &node.value {
            Value::Int(i) => Some(*i as f64),
            Value::Float(f) => Some(*f),
            Value::Str(s) => s.trim().trim_end_matches('%').trim().parse().ok(),
            Value::Null => return None,
            _ => None,
        };
        match value {
            Some(v) if range.contains(&v) => Some(v),
            _ => {
                self.error(
                    Code::BadValue,
                    node.position,
                    format!(
                        "`{field}` must be a number from {} to {}",
                        range.start(),
                        range.end()
                    ),
                    "write a plain number",
                );
                None
            }
        }
    }

    fn count(&mut self, node: &Node, field: &str) -> Option<u64> {
        match &node.value {
            Value::Int(i) if *i >= 0 => Some(*i as u64),
            Value::Str(s) if s.trim().replace(['_', ','], "").parse::<u64>().is_ok() => {
                s.trim().replace(['_', ','], "").parse().ok()
            }
            Value::Null => None,
            _ => {
                self.error(
                    Code::BadValue,
                    node.position,
                    format!("`{field}` must be a whole number of 0 or more"),
                    "write a plain number",
                );
                None
            }
        }
    }

    fn one_of(&mut self, node: &Node, field: &str, allowed: &[&str]) -> Option<String> {
        let text = self.text(node, field)?;
        let normal = text.to_ascii_lowercase().replace(['_', ' '], "-");
        if allowed.contains(&normal.as_str()) {
            Some(normal)
        } else {
            self.error(
                Code::BadValue,
                node.position,
                format!(
                    "`{field}` is {text:?}; expected one of {}",
                    allowed.join(", ")
                ),
                "use one of the listed values",
            );
            None
        }
    }

    fn date(&mut self, node: &Node, field: &str) -> Option<jiff::civil::Date> {
        let text = self.text(node, field)?;
        // A timestamp is accepted where a date is expected: its date counts.
        let head = text.get(..10).unwrap_or(&text);
        match head.parse::<jiff::civil::Date>() {
            Ok(date) if text.len() == 10 || text[10..].starts_with(['T', 't', ' ']) => Some(date),
            _ => {
                self.error(
                    Code::BadDate,
                    node.position,
                    format!("`{field}` is {text:?}, not a date"),
                    "write the date as YYYY-MM-DD",
                );
                None
            }
        }
    }

    fn timestamp(&mut self, node: &Node, field: &str, zone: &ZoneChoice) -> Option<jiff::Zoned> {
        let text = self.text(node, field)?;
        match parse_timestamp(&text, &zone.zone) {
            Ok((zoned, assumed)) => {
                if assumed && !zone.explicit {
                    self.warning(
                        Code::TimezoneAssumed,
                        node.position,
                        format!("`{field}` has no offset; read in {}", zone.name),
                        "add an offset (`Z`, `+02:00`) or set `timezone`",
                    );
                }
                Some(zoned)
            }
            Err(reason) => {
                self.error(
                    Code::BadTimestamp,
                    node.position,
                    format!("`{field}` is {text:?}: {reason}"),
                    "write RFC 3339, e.g. 2024-03-01T14:05:00Z or 2024-03-01T14:05:00+01:00",
                );
                None
            }
        }
    }

    /// Builds the incident from the frontmatter (if any) and the body.
    fn incident(
        &mut self,
        file: &SourceFile,
        root: Option<&Node>,
        config: &Config,
        zones: &ZoneSettings,
    ) -> Option<Incident> {
        let empty = Node {
            value: Value::Map(Vec::new()),
            position: Position::start(),
        };
        let root = root.unwrap_or(&empty);
        let fields = entries_of(root);
        self.unknown_keys(&fields, TOP_LEVEL_KEYS, "");
        let mut provenance = BTreeMap::new();
        let get = |name: &str| fields.get(name).map(|(_, node)| *node);

        // Time zone first: offset-less timestamps are read in it.
        let mut zone = ZoneChoice::site(config);
        let mut timezone = None;
        if let Some(node) = get("timezone")
            && let Some(name) = self.text(node, "timezone")
        {
            match jiff::tz::TimeZone::get(&name) {
                Ok(tz) => {
                    zone = ZoneChoice {
                        zone: tz,
                        name: name.clone(),
                        explicit: true,
                    };
                    timezone = Some(name);
                    mark(&mut provenance, "timezone", Source::Frontmatter);
                }
                Err(_) => self.error(
                    Code::UnknownTimezone,
                    node.position,
                    format!("`timezone` {name:?} is not an IANA time zone"),
                    "use a name such as Europe/Berlin or America/New_York",
                ),
            }
        }

        // Title: frontmatter; else inferred or made up, below.
        let mut title = get("title").and_then(|n| self.text(n, "title"));
        if title.is_some() {
            mark(&mut provenance, "title", Source::Frontmatter);
        }

        let stem = file
            .rel_path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let id = match get("id") {
            Some(node) => match self.text(node, "id") {
                Some(id) if crate::slug::is_valid_id(&id) => {
                    mark(&mut provenance, "id", Source::Frontmatter);
                    id
                }
                Some(id) => {
                    self.error(
                        Code::BadId,
                        node.position,
                        format!("id {id:?} cannot be a URL segment"),
                        "use letters, digits, '-', '_' and '.' only",
                    );
                    return None;
                }
                None => default_id(&stem, &mut provenance),
            },
            None => default_id(&stem, &mut provenance),
        };

        let status = match get("status").and_then(|n| self.text(n, "status").map(|t| (n, t))) {
            Some((node, text)) => match Status::parse(&text) {
                Some(status) => {
                    mark(&mut provenance, "status", Source::Frontmatter);
                    status
                }
                None => {
                    self.error(
                        Code::BadValue,
                        node.position,
                        format!("`status` is {text:?}; expected draft, in-review, reviewed, published or closed"),
                        "use one of the listed values",
                    );
                    Status::Published
                }
            },
            None => {
                mark(&mut provenance, "status", Source::Default);
                Status::Published
            }
        };

        let visibility = match get("visibility")
            .and_then(|n| self.one_of(n, "visibility", &["public", "internal"]))
        {
            Some(v) => {
                mark(&mut provenance, "visibility", Source::Frontmatter);
                if v == "internal" {
                    Visibility::Internal
                } else {
                    Visibility::Public
                }
            }
            None => {
                mark(&mut provenance, "visibility", Source::Default);
                Visibility::Public
            }
        };

        let severity = get("severity").and_then(|node| {
            let text = self.text(node, "severity")?;
            let parsed = Severity::parse(&text);
            if parsed.is_none() {
                self.warning(
                    Code::UnknownSeverity,
                    node.position,
                    format!("severity {text:?} is not SEV1..SEV4 or an alias; the incident is unrated"),
                    "use SEV1, SEV2, SEV3 or SEV4 (aliases: 1, S1, P1, critical, major, minor, low)",
                );
            }
            parsed
        });
        if severity.is_some() {
            mark(&mut provenance, "severity", Source::Frontmatter);
        }

        // Categories: `category` + `secondary_categories`, or `categories`.
        let mut category_values: Vec<(String, Position)> = Vec::new();
        if let Some(node) = get("category")
            && let Some(text) = self.text(node, "category")
        {
            category_values.push((text, node.position));
        }
        for name in ["categories", "secondary_categories"] {
            if let Some(node) = get(name) {
                match &node.value {
                    Value::Seq(items) => {
                        for item in items {
                            if let Some(text) = self.text(item, name) {
                                category_values.push((text, item.position));
                            }
                        }
                    }
                    _ => {
                        if let Some(text) = self.text(node, name) {
                            category_values.push((text, node.position));
                        }
                    }
                }
            }
        }
        let mut categories: Vec<String> = Vec::new();
        for (text, position) in category_values {
            if let Some(slug) = self.category(&text, position, config)
                && !categories.contains(&slug)
            {
                categories.push(slug);
            }
        }
        let category = (!categories.is_empty()).then(|| categories.remove(0));
        if category.is_some() {
            mark(&mut provenance, "category", Source::Frontmatter);
        }

        let trigger = get("trigger").and_then(|n| self.one_of(n, "trigger", TRIGGERS));
        let authors = get("authors")
            .map(|n| self.list(n, "authors"))
            .unwrap_or_default();
        let services = get("services")
            .map(|n| self.list(n, "services"))
            .unwrap_or_default();
        let teams = get("teams")
            .map(|n| self.list(n, "teams"))
            .unwrap_or_default();
        let tags = get("tags")
            .map(|n| self.list(n, "tags"))
            .unwrap_or_default();
        let root_cause = get("root_cause").and_then(|n| self.text(n, "root_cause"));
        let contributing_factors = get("contributing_factors")
            .map(|n| self.list(n, "contributing_factors"))
            .unwrap_or_default();
        let related = get("related")
            .map(|n| self.list(n, "related"))
            .unwrap_or_default();
        for (field, present) in [
            ("trigger", trigger.is_some()),
            ("authors", !authors.is_empty()),
            ("services", !services.is_empty()),
            ("teams", !teams.is_empty()),
            ("tags", !tags.is_empty()),
            ("root_cause", root_cause.is_some()),
            ("contributing_factors", !contributing_factors.is_empty()),
            ("related", !related.is_empty()),
        ] {
            if present {
                mark(&mut provenance, field, Source::Frontmatter);
            }
        }

        let detection_method = match get("detection") {
            Some(node) => match &node.value {
                Value::Map(_) => {
                    let inner = entries_of(node);
                    self.unknown_keys(&inner, &["method"], "detection.");
                    inner
                        .get("method")
                        .and_then(|(_, n)| self.one_of(n, "detection.method", DETECTION_METHODS))
                }
                _ => self.one_of(node, "detection.method", DETECTION_METHODS),
            },
            None => None,
        };
        if detection_method.is_some() {
            mark(&mut provenance, "detection.method", Source::Frontmatter);
        }

        // Impact, with the flat aliases for the window.
        let mut impact = Impact::default();
        let impact_fields = get("impact").map(entries_of).unwrap_or_default();
        if let Some(node) = get("impact")
            && !matches!(node.value, Value::Map(_) | Value::Null)
        {
            self.error(
                Code::BadValue,
                node.position,
                "`impact` must be a mapping".into(),
                "indent `started_at:` etc. under `impact:`",
            );
        }
        self.unknown_keys(&impact_fields, IMPACT_KEYS, "impact.");
        let impact_get = |name: &str| impact_fields.get(name).map(|(_, node)| *node);
        let start_node = impact_get("started_at")
            .or_else(|| get("started_at"))
            .or_else(|| get("start"));
        let end_node = impact_get("ended_at")
            .or_else(|| get("ended_at"))
            .or_else(|| get("end"));
        impact.started_at = start_node.and_then(|n| self.timestamp(n, "impact.started_at", &zone));
        impact.ended_at = end_node.and_then(|n| self.timestamp(n, "impact.ended_at", &zone));
        impact.users_affected_pct = impact_get("users_affected_pct")
            .and_then(|n| self.number(n, "impact.users_affected_pct", 0.0..=100.0));
        impact.users_affected =
            impact_get("users_affected").and_then(|n| self.count(n, "impact.users_affected"));
        impact.customers_affected = impact_get("customers_affected")
            .and_then(|n| self.count(n, "impact.customers_affected"));
        impact.kind = impact_get("kind").and_then(|n| self.one_of(n, "impact.kind", IMPACT_KINDS));
        impact.error_budget_burned_pct = impact_get("error_budget_burned_pct")
            .and_then(|n| self.number(n, "impact.error_budget_burned_pct", 0.0..=f64::MAX));
        impact.summary = impact_get("summary").and_then(|n| self.text(n, "impact.summary"));
        for (field, present) in [
            ("impact.started_at", impact.started_at.is_some()),
            ("impact.ended_at", impact.ended_at.is_some()),
            (
                "impact.users_affected_pct",
                impact.users_affected_pct.is_some(),
            ),
            ("impact.users_affected", impact.users_affected.is_some()),
            (
                "impact.customers_affected",
                impact.customers_affected.is_some(),
            ),
            ("impact.kind", impact.kind.is_some()),
            (
                "impact.error_budget_burned_pct",
                impact.error_budget_burned_pct.is_some(),
            ),
            ("impact.summary", impact.summary.is_some()),
        ] {
            if present {
                mark(&mut provenance, field, Source::Frontmatter);
            }
        }

        let mut clock = |reader: &mut Self, name: &'static str| {
            let value = get(name).and_then(|n| reader.timestamp(n, name, &zone));
            if value.is_some() {
                mark(&mut provenance, name, Source::Frontmatter);
            }
            value
        };
        let detected_at = clock(self, "detected_at");
        let acknowledged_at = clock(self, "acknowledged_at");
        let mitigated_at = clock(self, "mitigated_at");
        let resolved_at = clock(self, "resolved_at");

        // Inference fills what the frontmatter left out (GUIDE.md 8).
        let window_given = start_node.is_some() || end_node.is_some();
        let mut action_items = get("action_items")
            .map(|n| self.action_items(n))
            .unwrap_or_default();
        if !action_items.is_empty() {
            mark(&mut provenance, "action_items", Source::Frontmatter);
        }
        let mut root_cause = root_cause;
        let mut detection_method = detection_method;
        let mut category = category;
        let wants_inference = title.is_none()
            || !window_given
            || impact.users_affected_pct.is_none()
            || category.is_none()
            || root_cause.is_none()
            || detection_method.is_none()
            || action_items.is_empty();
        if wants_inference {
            let inference = crate::infer::infer(&file.body, zones);
            let line_of = |body_line: u32| file.body_line + body_line - 1;
            let evidence = |line: u32, text: &str| Provenance {
                source: Source::Inferred,
                evidence: Some(format!("line {}: {}", line_of(line), text)),
            };
            if file.frontmatter.is_none()
                && let Some(reason) = &inference.not_a_postmortem
            {
                self.warning(
                    Code::NotAPostmortem,
                    Position::start(),
                    format!("skipped: {reason}"),
                    "add frontmatter (at least a `title`) to publish it anyway",
                );
                return None;
            }
            if title.is_none()
                && let Some(found) = inference.title
            {
                provenance.insert("title", evidence(found.line, &found.evidence));
                title = Some(found.value);
            }
            if !window_given {
                if let Some(window) = inference.window {
                    let p = evidence(window.start_line, &window.evidence);
                    provenance.insert("impact.started_at", p.clone());
                    provenance.insert(
                        "impact.ended_at",
                        if window.end_line == window.start_line {
                            p
                        } else {
                            evidence(window.end_line, &window.evidence)
                        },
                    );
                    impact.started_at = Some(window.start);
                    impact.ended_at = Some(window.end);
                }
                for note in inference.window_notes {
                    let at = Position::new(line_of(note.line), 1);
                    if note.mismatch {
                        self.warning(
                            Code::DurationMismatch,
                            at,
                            note.message,
                            "check the stated length against the start and end",
                        );
                    } else {
                        self.warning(Code::WindowRefused, at, note.message, "state the start and end with a date, a year and a zone, or add them as frontmatter");
                    }
                }
            }
            if impact.users_affected_pct.is_none()
                && let Some(found) = inference.users_affected_pct
            {
                provenance.insert(
                    "impact.users_affected_pct",
                    evidence(found.line, &found.evidence),
                );
                impact.users_affected_pct = Some(found.value);
            }
            if root_cause.is_none()
                && let Some(found) = &inference.root_cause
            {
                provenance.insert("root_cause", evidence(found.line, &found.evidence));
                root_cause = Some(found.value.clone());
            }
            if category.is_none()
                && let Some(found) = inference
                    .category
                    .filter(|c| config.category(c.value).is_some())
            {
                provenance.insert("category", evidence(found.line, &found.evidence));
                category = Some(found.value.to_string());
            }
            if detection_method.is_none()
                && let Some(found) = inference.detection_method
            {
                provenance.insert("detection.method", evidence(found.line, &found.evidence));
                detection_method = Some(found.value.to_string());
            }
            if action_items.is_empty() && !inference.action_items.is_empty() {
                let first = inference.action_items[0].line;
                provenance.insert("action_items", evidence(first, "the actions section"));
                action_items = inference
                    .action_items
                    .into_iter()
                    .map(|found| ActionItem {
                        title: found.value,
                        // The prose lists the item but not its state.
                        status: crate::model::UNKNOWN_STATUS.to_string(),
                        ..ActionItem::default()
                    })
                    .collect();
            }
        }

        // Duration: from the window; a stated duration only without one.
        let stated = get("duration_minutes")
            .and_then(|n| self.count(n, "duration_minutes").map(|m| (m as i64, n)));
        let mut duration_minutes = None;
        if let (Some(start), Some(end)) = (&impact.started_at, &impact.ended_at) {
            let minutes = minutes_between(start, end);
            if minutes < 0 {
                let at = end_node.map_or(Position::start(), |n| n.position);
                self.error(
                    Code::InconsistentWindow,
                    at,
                    format!("`impact.ended_at` ({end}) is before `impact.started_at` ({start})"),
                    "check the dates, AM/PM and offsets of both ends",
                );
            } else {
                duration_minutes = Some(minutes);
                mark(&mut provenance, "duration_minutes", Source::Derived);
                if let Some((stated, node)) = stated
                    && (stated - minutes).abs() > 1
                {
                    self.warning(
                        Code::DurationMismatch,
                        node.position,
                        format!("`duration_minutes` is {stated} but the window lasts {minutes} minutes; the window wins"),
                        "remove `duration_minutes` when the window is known",
                    );
                }
            }
        } else if let Some((stated, _)) = stated {
            duration_minutes = Some(stated);
            mark(&mut provenance, "duration_minutes", Source::Frontmatter);
        }
        let start = impact.started_at.clone();
        let since_start = |end: &Option<jiff::Zoned>| match (&start, end) {
            (Some(s), Some(e)) => Some(minutes_between(s, e)).filter(|m| *m >= 0),
            _ => None,
        };
        let clocks = Clocks {
            detect: since_start(&detected_at),
            acknowledge: since_start(&acknowledged_at),
            mitigate: since_start(&mitigated_at),
            resolve: since_start(&resolved_at),
        };

        let date = match get("date").and_then(|n| self.date(n, "date")) {
            Some(date) => {
                mark(&mut provenance, "date", Source::Frontmatter);
                Some(date)
            }
            None => {
                let derived = impact.started_at.as_ref().map(|z| z.date());
                if derived.is_some() {
                    mark(&mut provenance, "date", Source::Derived);
                }
                derived
            }
        };

        let title = match title {
            Some(title) => title,
            None => {
                let made_up = made_up_title(
                    category
                        .as_deref()
                        .and_then(|c| config.category(c))
                        .map(|c| c.name.as_str()),
                    date,
                    &stem,
                );
                self.warning(
                    Code::MadeUpTitle,
                    Position::start(),
                    format!("no title in the frontmatter, no heading and no `Postmortem:` line; using {made_up:?}"),
                    "add `title:` or a `# Heading`",
                );
                provenance.insert(
                    "title",
                    Provenance {
                        source: Source::Default,
                        evidence: None,
                    },
                );
                made_up
            }
        };
        let links = get("links").map(|n| self.links(n)).unwrap_or_default();
        if !links.is_empty() {
            mark(&mut provenance, "links", Source::Frontmatter);
        }

        Some(Incident {
            id,
            source: file.rel_path.clone(),
            display_path: file.display_path.clone(),
            title,
            date,
            status,
            visibility,
            authors,
            severity,
            category,
            secondary_categories: categories,
            trigger,
            services,
            teams,
            tags,
            timezone,
            impact,
            detected_at,
            acknowledged_at,
            mitigated_at,
            resolved_at,
            duration_minutes,
            clocks,
            root_cause,
            contributing_factors,
            detection_method,
            action_items,
            related,
            links,
            timeline: crate::infer::timeline_entries(&file.body)
                .into_iter()
                .map(|(time, text, line)| TimelineEntry {
                    time,
                    text,
                    line: file.body_line + line - 1,
                })
                .collect(),
            body: file.body.to_string(),
            body_line: file.body_line,
            id_from_frontmatter: provenance
                .get("id")
                .is_some_and(|p| p.source == Source::Frontmatter),
            provenance,
            fingerprint: 0,
            body_fingerprint: 0,
        })
    }

    /// A category value as a slug of the site's list, with aliases; unknown
    /// values are a warning and leave the incident without that category.
    fn category(&mut self, text: &str, at: Position, config: &Config) -> Option<String> {
        let slug = crate::slug::slugify(text);
        if config.category(&slug).is_some() {
            return Some(slug);
        }
        if slug == "uncategorized" || slug == "uncategorised" {
            return None;
        }
        if let Some((_, target)) = CATEGORY_ALIASES.iter().find(|(alias, _)| *alias == slug)
            && config.category(target).is_some()
        {
            return Some(target.to_string());
        }
        let known: Vec<&str> = config.categories.iter().map(|c| c.slug.as_str()).collect();
        let hint = closest(&slug, &known)
            .map(|s| format!("did you mean `{s}`?"))
            .unwrap_or_else(|| format!("use one of: {}", known.join(", ")));
        self.warning(
            Code::UnknownCategory,
            at,
            format!("category {text:?} is not in the site's category list; ignored"),
            &hint,
        );
        None
    }

    fn action_items(&mut self, node: &Node) -> Vec<ActionItem> {
        let Value::Seq(items) = &node.value else {
            self.error(
                Code::BadValue,
                node.position,
                "`action_items` must be a list".into(),
                "write one `- title: ...` per item",
            );
            return Vec::new();
        };
        let mut result = Vec::new();
        for item in items {
            match &item.value {
                Value::Map(_) => {
                    let fields = entries_of(item);
                    self.unknown_keys(&fields, ACTION_ITEM_KEYS, "action_items[].");
                    let get = |name: &str| fields.get(name).map(|(_, n)| *n);
                    let Some(title) =
                        get("title").and_then(|n| self.text(n, "action_items[].title"))
                    else {
                        self.error(
                            Code::BadValue,
                            item.position,
                            "an action item needs a `title`".into(),
                            "add `title:`",
                        );
                        continue;
                    };
                    result.push(ActionItem {
                        title,
                        kind: get("type")
                            .and_then(|n| self.one_of(n, "action_items[].type", ACTION_TYPES)),
                        owner: get("owner").and_then(|n| self.text(n, "action_items[].owner")),
                        status: get("status")
                            .and_then(|n| self.one_of(n, "action_items[].status", ACTION_STATUSES))
                            .unwrap_or_else(|| "todo".to_string()),
                        priority: get("priority")
                            .and_then(|n| self.text(n, "action_items[].priority")),
                        due: get("due").and_then(|n| self.date(n, "action_items[].due")),
                        link: get("link").and_then(|n| self.text(n, "action_items[].link")),
                    });
                }
                _ => {
                    if let Some(title) = self.text(item, "action_items[]") {
                        result.push(ActionItem {
                            title,
                            status: "todo".to_string(),
                            ..ActionItem::default()
                        });
                    }
                }
            }
        }
        result
    }

    fn links(&mut self, node: &Node) -> Vec<Link> {
        let Value::Seq(items) = &node.value else {
            self.error(
                Code::BadValue,
                node.position,
                "`links` must be a list".into(),
                "write one `- {title, url}` per link",
            );
            return Vec::new();
        };
        let mut result = Vec::new();
        for item in items {
            match &item.value {
                Value::Map(_) => {
                    let fields = entries_of(item);
                    self.unknown_keys(&fields, &["title", "url"], "links[].");
                    let url = fields
                        .get("url")
                        .and_then(|(_, n)| self.text(n, "links[].url"));
                    let title = fields
                        .get("title")
                        .and_then(|(_, n)| self.text(n, "links[].title"));
                    match url {
                        Some(url) => result.push(Link {
                            title: title.unwrap_or_else(|| url.clone()),
                            url,
                        }),
                        None => self.error(
                            Code::BadValue,
                            item.position,
                            "a link needs a `url`".into(),
                            "add `url:`",
                        ),
                    }
                }
                _ => {
                    if let Some(url) = self.text(item, "links[]") {
                        result.push(Link {
                            title: url.clone(),
                            url,
                        });
                    }
                }
            }
        }
        result
    }
}

/// The zone settings inference uses: the configured aliases and, only if
/// configured, the default zone (GUIDE.md 8: never assume one).
pub fn zone_settings(config: &Config) -> ZoneSettings {
    ZoneSettings {
        aliases: config
            .timezone_aliases
            .iter()
            .map(|(token, target)| crate::infer::clock::ZoneAlias::new(token, target))
            .collect(),
        default_zone: config
            .default_timezone
            .as_deref()
            .and_then(|name| jiff::tz::TimeZone::get(name).ok()),
    }
}

/// A title for a postmortem that gives none: its category and date, or
/// its file name.
fn made_up_title(category: Option<&str>, date: Option<jiff::civil::Date>, stem: &str) -> String {
    match (category, date) {
        (Some(category), Some(date)) => format!("{category} incident on {date}"),
        (None, Some(date)) => format!("Incident on {date}"),
        (Some(category), None) => format!("{category} incident ({stem})"),
        (None, None) => format!("Untitled incident ({stem})"),
    }
}

fn mark(provenance: &mut BTreeMap<&'static str, Provenance>, field: &'static str, source: Source) {
    provenance.insert(
        field,
        Provenance {
            source,
            evidence: None,
        },
    );
}

fn default_id(stem: &str, provenance: &mut BTreeMap<&'static str, Provenance>) -> String {
    mark(provenance, "id", Source::Default);
    let slug = crate::slug::slugify(stem);
    if slug.is_empty() {
        "incident".to_string()
    } else {
        slug
    }
}

/// Whole minutes from `start` to `end` (negative when `end` is earlier),
/// rounded down.
pub fn minutes_between(start: &jiff::Zoned, end: &jiff::Zoned) -> i64 {
    let seconds = end.timestamp().as_second() - start.timestamp().as_second();
    seconds.div_euclid(60)
}

/// The zone offset-less timestamps are read in, and its name for messages.
struct ZoneChoice {
    zone: jiff::tz::TimeZone,
    name: String,
    /// Named by the postmortem's own `timezone` (no warning when used).
    explicit: bool,
}

impl ZoneChoice {
    fn site(config: &Config) -> Self {
        ZoneChoice {
            zone: jiff::tz::TimeZone::get(config.default_zone_name())
                .unwrap_or(jiff::tz::TimeZone::UTC),
            name: format!("the site's default zone ({})", config.default_zone_name()),
            explicit: false,
        }
    }
}

/// The allowed value closest to `name` by edit distance, if close enough
/// to be a likely typo.
fn closest<'a>(name: &str, allowed: &[&'a str]) -> Option<&'a str> {
    allowed
        .iter()
        .map(|candidate| (edit_distance(name, candidate), *candidate))
        .filter(|(distance, candidate)| *distance <= 2.max(candidate.len() / 4))
        .min()
        .map(|(_, candidate)| candidate)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut previous = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let current = row[j + 1];
            row[j + 1] = if ca == *cb {
                previous
            } else {
                1 + previous.min(row[j]).min(row[j + 1])
            };
            previous = current;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests;
