//! Index stage: the [`Archive`]: incidents in display order, taxonomies
//! (category, severity, duration and impact buckets, services, teams, tags,
//! years), neighbours and summary figures.
//!
//! Terms hold indices into [`Archive::incidents`], never copies, so a term
//! page of 10,000 incidents costs 10,000 integers.

pub mod related;
pub mod stats;

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;

use rayon::prelude::*;
use serde::Serialize;

use crate::config::Config;
use crate::model::{Incident, Severity};

/// One bucket of a half-open range `[low, high)` (GUIDE.md 7).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Bucket {
    /// URL slug, e.g. `15m-1h`, `under-5pct`, `unknown`.
    pub slug: String,
    /// Display label, e.g. `15 min – 1 h`.
    pub label: String,
    /// The half-open range in words, as stated on bucket pages.
    pub description: String,
    /// Inclusive lower edge (minutes or percent); `None` for the first and
    /// for `unknown`.
    pub low: Option<f64>,
    /// Exclusive upper edge; `None` for the last and for `unknown`.
    pub high: Option<f64>,
}

impl Bucket {
    fn contains(&self, value: f64) -> bool {
        self.low.is_none_or(|low| value >= low) && self.high.is_none_or(|high| value < high)
    }

    /// A short label: `Under 15 min`, `15 min – 1 h`, `1 d or more`.
    pub fn short_label(&self, unit: fn(f64) -> String) -> String {
        match (self.low, self.high) {
            (None, Some(high)) => format!("Under {}", unit(high)),
            (Some(low), Some(high)) => format!("{} – {}", unit(low), unit(high)),
            (Some(low), None) => format!("{} or more", unit(low)),
            (None, None) => "Unknown".to_string(),
        }
    }

    /// The range in words, as stated on bucket pages: "at least 15 min and
    /// under 1 h".
    pub fn range_text(&self, unit: fn(f64) -> String) -> String {
        match (self.low, self.high) {
            (None, Some(high)) => format!("under {}", unit(high)),
            (Some(low), Some(high)) => format!("at least {} and under {}", unit(low), unit(high)),
            (Some(low), None) => format!("{} or more", unit(low)),
            (None, None) => "not known".to_string(),
        }
    }
}

/// Duration buckets for the given edges in minutes, then `unknown`
/// (GUIDE.md 7: `under-15m`, `15m-1h`, `1h-4h`, `4h-24h`, `over-1d`).
pub fn duration_buckets(edges: &[u32]) -> Vec<Bucket> {
    let short = |m: u32, upper: bool| {
        if m.is_multiple_of(1440) && !(upper && m == 1440) {
            format!("{}d", m / 1440)
        } else if m.is_multiple_of(60) {
            format!("{}h", m / 60)
        } else {
            format!("{m}m")
        }
    };
    let mut buckets = Vec::new();
    for (i, &edge) in edges.iter().enumerate() {
        let (slug, low) = if i == 0 {
            (format!("under-{}", short(edge, true)), None)
        } else {
            let low = edges[i - 1];
            (
                format!("{}-{}", short(low, false), short(edge, true)),
                Some(low as f64),
            )
        };
        buckets.push(Bucket {
            slug,
            label: String::new(),
            description: String::new(),
            low,
            high: Some(edge as f64),
        });
    }
    if let Some(&last) = edges.last() {
        buckets.push(Bucket {
            slug: format!("over-{}", short(last, false)),
            label: String::new(),
            description: String::new(),
            low: Some(last as f64),
            high: None,
        });
    }
    for bucket in &mut buckets {
        bucket.label = bucket.short_label(format_minutes_f64);
        bucket.description = format!(
            "Customer impact lasted {}.",
            bucket.range_text(format_minutes_f64)
        );
    }
    buckets.push(unknown_bucket());
    buckets
}

/// Impact buckets for the given edges in percent, then `unknown`
/// (GUIDE.md 7: `under-5pct`, `5-25pct`, `25-50pct`, `50pct-plus`).
pub fn impact_buckets(edges: &[f64]) -> Vec<Bucket> {
    let num = |v: f64| format_number(v);
    let mut buckets = Vec::new();
    for (i, &edge) in edges.iter().enumerate() {
        let (slug, low) = if i == 0 {
            (format!("under-{}pct", num(edge)), None)
        } else {
            (
                format!("{}-{}pct", num(edges[i - 1]), num(edge)),
                Some(edges[i - 1]),
            )
        };
        buckets.push(Bucket {
            slug: slug.replace('.', "-"),
            label: String::new(),
            description: String::new(),
            low,
            high: Some(edge),
        });
    }
    if let Some(&last) = edges.last() {
        buckets.push(Bucket {
            slug: format!("{}pct-plus", num(last)).replace('.', "-"),
            label: String::new(),
            description: String::new(),
            low: Some(last),
            high: None,
        });
    }
    let percent = |v: f64| format!("{}%", format_number(v));
    for bucket in &mut buckets {
        bucket.label = bucket.short_label(percent);
        bucket.description = format!(
            "The share of users affected was {}.",
            bucket.range_text(percent)
        );
    }
    buckets.push(unknown_bucket());
    buckets
}

fn unknown_bucket() -> Bucket {
    Bucket {
        slug: "unknown".to_string(),
        label: "Unknown".to_string(),
        description: "Not known: the postmortem does not give enough to tell.".to_string(),
        low: None,
        high: None,
    }
}

/// A number without a trailing `.0`.
pub fn format_number(v: f64) -> String {
    if v.fract() == 0.0 {
        format!("{}", v as i64)
    } else {
        format!("{v}")
    }
}

fn format_minutes_f64(m: f64) -> String {
    format_minutes(m as i64)
}

/// Minutes in words: `45 min`, `2 h 30 min`, `1 d 4 h`.
pub fn format_minutes(minutes: i64) -> String {
    let (d, h, m) = (minutes / 1440, minutes % 1440 / 60, minutes % 60);
    match (d, h, m) {
        (0, 0, m) => format!("{m} min"),
        (0, h, 0) => format!("{h} h"),
        (0, h, m) => format!("{h} h {m} min"),
        (d, 0, _) => format!("{d} d"),
        (d, h, _) => format!("{d} d {h} h"),
    }
}

/// The taxonomies, in the order the site shows them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum TaxonomyKind {
    /// Root-cause category (GUIDE.md 6).
    Categories,
    /// Severity level, plus `unrated`.
    Severity,
    /// Duration bucket (GUIDE.md 7).
    Duration,
    /// Users-affected bucket (GUIDE.md 7).
    Impact,
    /// Services.
    Services,
    /// Teams.
    Teams,
    /// Tags.
    Tags,
    /// Year of the report date.
    Years,
}

impl TaxonomyKind {
    /// All taxonomies in display order.
    pub const ALL: [TaxonomyKind; 8] = [
        TaxonomyKind::Categories,
        TaxonomyKind::Severity,
        TaxonomyKind::Duration,
        TaxonomyKind::Impact,
        TaxonomyKind::Services,
        TaxonomyKind::Teams,
        TaxonomyKind::Tags,
        TaxonomyKind::Years,
    ];

    /// The output folder (GUIDE.md 9), e.g. `categories`.
    pub fn path(self) -> &'static str {
        match self {
            TaxonomyKind::Categories => "categories",
            TaxonomyKind::Severity => "severity",
            TaxonomyKind::Duration => "duration",
            TaxonomyKind::Impact => "impact",
            TaxonomyKind::Services => "services",
            TaxonomyKind::Teams => "teams",
            TaxonomyKind::Tags => "tags",
            TaxonomyKind::Years => "years",
        }
    }

    /// The index page heading, e.g. `Root-cause categories`.
    pub fn title(self) -> &'static str {
        match self {
            TaxonomyKind::Categories => "Root-cause categories",
            TaxonomyKind::Severity => "Severity",
            TaxonomyKind::Duration => "Duration",
            TaxonomyKind::Impact => "Users affected",
            TaxonomyKind::Services => "Services",
            TaxonomyKind::Teams => "Teams",
            TaxonomyKind::Tags => "Tags",
            TaxonomyKind::Years => "Years",
        }
    }
}

/// One term of a taxonomy and its incidents.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Term {
    /// URL slug, unique within the taxonomy.
    pub slug: String,
    /// Display name.
    pub name: String,
    /// What the term means (category description, bucket range).
    pub description: String,
    /// Indices into [`Archive::incidents`], in archive order.
    pub incidents: Vec<usize>,
}

/// One taxonomy with its terms in display order.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Taxonomy {
    /// Which taxonomy.
    pub kind: TaxonomyKind,
    /// Its terms. Fixed lists (categories, severities, buckets) list every
    /// term, even empty ones; free ones only the terms in use.
    pub terms: Vec<Term>,
}

/// Count, median, p75, p90 and maximum of a set of minutes (GUIDE.md 5).
/// Percentiles use the nearest-rank method: the value at rank
/// `ceil(p/100 * n)` of the sorted values, so each figure is an observed
/// value. No means: durations are heavily skewed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Distribution {
    /// How many incidents had the figure ("n of N").
    pub n: usize,
    /// Median (p50), minutes.
    pub median: Option<i64>,
    /// 75th percentile, minutes.
    pub p75: Option<i64>,
    /// 90th percentile, minutes.
    pub p90: Option<i64>,
    /// Maximum, minutes.
    pub max: Option<i64>,
}

impl Distribution {
    /// The distribution of `values` (any order).
    pub fn of(mut values: Vec<i64>) -> Self {
        values.sort_unstable();
        let rank = |p: usize| {
            if values.is_empty() {
                None
            } else {
                let r = (p * values.len()).div_ceil(100).max(1);
                Some(values[r - 1])
            }
        };
        Distribution {
            n: values.len(),
            median: rank(50),
            p75: rank(75),
            p90: rank(90),
            max: values.last().copied(),
        }
    }
}

/// The resolved archive, ready to render.
#[derive(Debug, PartialEq)]
pub struct Archive {
    /// Incidents, newest first (by date, then id); undated ones last.
    pub incidents: Vec<std::sync::Arc<Incident>>,
    /// Taxonomies in [`TaxonomyKind::ALL`] order.
    pub taxonomies: Vec<Taxonomy>,
    /// Duration bucket slug of each incident, by incident index.
    pub duration_bucket: Vec<usize>,
    /// Impact bucket index of each incident.
    pub impact_bucket: Vec<usize>,
    /// Incident index by source path (relative to the content folder), for
    /// resolving `[x](other.md)` links.
    pub by_source: HashMap<PathBuf, usize>,
    /// Incident index by id.
    pub by_id: HashMap<String, usize>,
    /// Each incident's date as days since 1970-01-01, by incident index.
    pub day_numbers: Vec<Option<i32>>,
    /// Slugs of each incident's services, by incident index.
    pub service_slugs: Vec<Vec<String>>,
    /// Slugs of each incident's tags, by incident index.
    pub tag_slugs: Vec<Vec<String>>,
    /// A hash of the set of every incident's source path and id (not of
    /// their order, which a date changes): what links between postmortems
    /// resolve against. Watch mode keeps what it derived from them while
    /// this is the same.
    pub links_key: u64,
}

/// What the last index was made from (watch mode), so that a rebuild in
/// which no incident changed a field the index reads (a body, a root
/// cause, an action item...) reuses that index instead of sorting and
/// grouping every incident again. See [`Archive::new_cached`].
#[derive(Debug, Default)]
pub struct IndexCache {
    /// The incidents last given, in the order given.
    given: Vec<std::sync::Arc<Incident>>,
    /// Where each of them is in the archive (by given index).
    positions: Vec<usize>,
    /// What the configuration gave the index (categories, bucket edges).
    config_key: u64,
    /// The last archive, handed back by [`IndexCache::keep`].
    archive: Option<Archive>,
    /// How many rebuilds reused the last index (for tests).
    pub reused: usize,
}

impl IndexCache {
    /// Hands the archive back once rendered, for the next rebuild.
    pub fn keep(&mut self, archive: Archive) {
        self.archive = Some(archive);
    }
}

/// Whether two versions of an incident index the same way: every field
/// [`Archive::new`] reads (order, taxonomies, buckets, lookups).
fn same_index_fields(a: &Incident, b: &Incident) -> bool {
    a.id == b.id
        && a.source == b.source
        && a.sort_date() == b.sort_date()
        && a.category == b.category
        && a.severity == b.severity
        && a.duration_minutes == b.duration_minutes
        && a.impact.users_affected_pct == b.impact.users_affected_pct
        && a.services == b.services
        && a.teams == b.teams
        && a.tags == b.tags
}

impl Archive {
    /// [`Archive::new`] for watch mode: when the incidents are those of
    /// the last call, in the same order, each the same `Arc` or equal in
    /// every field the index reads, and the configuration is the same,
    /// the last archive (handed back with [`IndexCache::keep`]) is reused
    /// with the changed incidents swapped in: one pass over pointers
    /// instead of sorting and grouping. The result equals `Archive::new`.
    pub fn new_cached(
        incidents: Vec<std::sync::Arc<Incident>>,
        config: &Config,
        cache: &mut IndexCache,
    ) -> Archive {
        let config_key = {
            use std::hash::{Hash, Hasher};
            let mut hasher = std::collections::hash_map::DefaultHasher::new();
            format!("{:?}{:?}", config.categories, config.buckets).hash(&mut hasher);
            hasher.finish()
        };
        if let Some(mut archive) = cache.archive.take()
            && cache.config_key == config_key
            && cache.given.len() == incidents.len()
            && cache
                .given
                .iter()
                .zip(&incidents)
                .all(|(old, new)| std::sync::Arc::ptr_eq(old, new) || same_index_fields(old, new))
        {
            for ((old, new), &position) in cache.given.iter().zip(&incidents).zip(&cache.positions)
            {
                if !std::sync::Arc::ptr_eq(old, new) {
                    archive.incidents[position] = new.clone();
                }
            }
            cache.given = incidents;
            cache.reused += 1;
            return archive;
        }
        let (archive, positions) = Archive::indexed(incidents.clone(), config);
        cache.given = incidents;
        cache.positions = positions;
        cache.config_key = config_key;
        archive
    }

    /// Indexes `incidents` with the site's categories and bucket edges.
    pub fn new(incidents: Vec<std::sync::Arc<Incident>>, config: &Config) -> Archive {
        Archive::indexed(incidents, config).0
    }

    /// [`Archive::new`], with where each given incident ended up.
    fn indexed(incidents: Vec<std::sync::Arc<Incident>>, config: &Config) -> (Archive, Vec<usize>) {
        let mut order: Vec<usize> = (0..incidents.len()).collect();
        order.sort_by(|&a, &b| {
            let (a, b) = (&incidents[a], &incidents[b]);
            // Newest first; undated last; then id for a total order.
            match (a.sort_date(), b.sort_date()) {
                (Some(x), Some(y)) => y.cmp(&x).then_with(|| a.id.cmp(&b.id)),
                (Some(_), None) => std::cmp::Ordering::Less,
                (None, Some(_)) => std::cmp::Ordering::Greater,
                (None, None) => a.id.cmp(&b.id),
            }
        });
        let mut positions = vec![0; order.len()];
        for (position, &given) in order.iter().enumerate() {
            positions[given] = position;
        }
        let mut slots: Vec<Option<std::sync::Arc<Incident>>> =
            incidents.into_iter().map(Some).collect();
        let incidents: Vec<std::sync::Arc<Incident>> = order
            .iter()
            .filter_map(|&given| slots[given].take())
            .collect();
        let durations = duration_buckets(&config.buckets.duration_minutes);
        let impacts = impact_buckets(&config.buckets.users_affected_pct);
        let bucket_of = |buckets: &[Bucket], value: Option<f64>| match value {
            Some(v) => buckets
                .iter()
                .position(|b| b.slug != "unknown" && b.contains(v))
                .unwrap_or(buckets.len() - 1),
            None => buckets.len() - 1,
        };
        let duration_bucket: Vec<usize> = incidents
            .iter()
            .map(|i| bucket_of(&durations, i.duration_minutes.map(|m| m as f64)))
            .collect();
        let impact_bucket: Vec<usize> = incidents
            .iter()
            .map(|i| bucket_of(&impacts, i.impact.users_affected_pct))
            .collect();

        let terms_of = |kind: TaxonomyKind| -> Vec<Term> {
            match kind {
                TaxonomyKind::Categories => {
                    let mut terms: Vec<Term> = config
                        .categories
                        .iter()
                        .map(|c| Term {
                            slug: c.slug.clone(),
                            name: c.name.clone(),
                            description: c.covers.clone(),
                            incidents: Vec::new(),
                        })
                        .collect();
                    let mut uncategorised = Vec::new();
                    for (index, incident) in incidents.iter().enumerate() {
                        match incident
                            .category
                            .as_deref()
                            .and_then(|c| terms.iter().position(|t| t.slug == c))
                        {
                            Some(t) => terms[t].incidents.push(index),
                            None => uncategorised.push(index),
                        }
                    }
                    if !uncategorised.is_empty() && !terms.iter().any(|t| t.slug == "uncategorised")
                    {
                        terms.push(Term {
                            slug: "uncategorised".to_string(),
                            name: "Not categorised".to_string(),
                            description: "Postmortems that name no root-cause category yet."
                                .to_string(),
                            incidents: uncategorised,
                        });
                    }
                    terms
                }
                TaxonomyKind::Severity => {
                    let mut terms: Vec<Term> = Severity::ALL
                        .iter()
                        .map(|s| Term {
                            slug: s.slug().to_string(),
                            name: s.label().to_string(),
                            description: severity_description(*s).to_string(),
                            incidents: Vec::new(),
                        })
                        .collect();
                    terms.push(Term {
                        slug: "unrated".to_string(),
                        name: "Unrated".to_string(),
                        description: "No severity given.".to_string(),
                        incidents: Vec::new(),
                    });
                    for (index, incident) in incidents.iter().enumerate() {
                        let t = incident.severity.map_or(4, |s| s as usize);
                        terms[t].incidents.push(index);
                    }
                    terms
                }
                TaxonomyKind::Duration => bucket_terms(&durations, &duration_bucket),
                TaxonomyKind::Impact => bucket_terms(&impacts, &impact_bucket),
                TaxonomyKind::Services => free_terms(&incidents, |i| &i.services),
                TaxonomyKind::Teams => free_terms(&incidents, |i| &i.teams),
                TaxonomyKind::Tags => free_terms(&incidents, |i| &i.tags),
                TaxonomyKind::Years => {
                    let mut years: BTreeMap<i16, Vec<usize>> = BTreeMap::new();
                    for (index, incident) in incidents.iter().enumerate() {
                        if let Some(date) = incident.sort_date() {
                            years.entry(date.year()).or_default().push(index);
                        }
                    }
                    years
                        .into_iter()
                        .rev()
                        .map(|(year, incidents)| Term {
                            slug: year.to_string(),
                            name: year.to_string(),
                            description: format!("Incidents reported in {year}."),
                            incidents,
                        })
                        .collect()
                }
            }
        };
        // The taxonomies, each in one pass over the incidents, beside the
        // lookups (serial passes too: tens of milliseconds each at 50,000).
        let (taxonomies, (service_slugs, tag_slugs, day_numbers)) = rayon::join(
            || {
                TaxonomyKind::ALL
                    .par_iter()
                    .map(|&kind| Taxonomy {
                        kind,
                        terms: terms_of(kind),
                    })
                    .collect()
            },
            || Archive::slugs_and_days(&incidents),
        );
        let (by_id, (by_source, links_key)) = rayon::join(
            || {
                incidents
                    .iter()
                    .enumerate()
                    .map(|(i, incident)| (incident.id.clone(), i))
                    .collect()
            },
            || {
                let by_source = incidents
                    .iter()
                    .enumerate()
                    .map(|(i, incident)| (incident.source.clone(), i))
                    .collect();
                // A sum of per-incident hashes: the same whatever the order.
                let links_key = incidents
                    .iter()
                    .fold(incidents.len() as u64, |sum, incident| {
                        use std::hash::{Hash, Hasher};
                        let mut hasher = std::collections::hash_map::DefaultHasher::new();
                        (incident.source.as_os_str(), &incident.id).hash(&mut hasher);
                        sum.wrapping_add(hasher.finish())
                    });
                (by_source, links_key)
            },
        );
        let archive = Archive {
            links_key,
            incidents,
            taxonomies,
            duration_bucket,
            impact_bucket,
            by_source,
            by_id,
            day_numbers,
            service_slugs,
            tag_slugs,
        };
        (archive, positions)
    }

    /// Each incident's service and tag slugs, and its day number.
    #[allow(clippy::type_complexity)]
    fn slugs_and_days(
        incidents: &[std::sync::Arc<Incident>],
    ) -> (Vec<Vec<String>>, Vec<Vec<String>>, Vec<Option<i32>>) {
        // Names repeat across incidents: slugify each distinct one once.
        let mut known: HashMap<String, String> = HashMap::new();
        let mut slugs = |names: &[String]| -> Vec<String> {
            names
                .iter()
                .map(|n| match known.get(n.as_str()) {
                    Some(slug) => slug.clone(),
                    None => {
                        let slug = crate::slug::slugify(n);
                        known.insert(n.clone(), slug.clone());
                        slug
                    }
                })
                .collect()
        };
        let service_slugs = incidents.iter().map(|i| slugs(&i.services)).collect();
        let day_numbers = incidents
            .iter()
            .map(|i| i.sort_date().map(days_since_epoch))
            .collect();
        let tag_slugs = incidents.iter().map(|i| slugs(&i.tags)).collect();
        (service_slugs, tag_slugs, day_numbers)
    }

    /// The taxonomy of this kind.
    pub fn taxonomy(&self, kind: TaxonomyKind) -> &Taxonomy {
        &self.taxonomies[TaxonomyKind::ALL
            .iter()
            .position(|k| *k == kind)
            .unwrap_or(0)]
    }

    /// The duration distribution of the given incidents.
    pub fn duration_distribution(&self, indices: impl IntoIterator<Item = usize>) -> Distribution {
        Distribution::of(
            indices
                .into_iter()
                .filter_map(|i| self.incidents[i].duration_minutes)
                .collect(),
        )
    }

    /// The time-to-detect distribution of the given incidents.
    pub fn detect_distribution(&self, indices: impl IntoIterator<Item = usize>) -> Distribution {
        Distribution::of(
            indices
                .into_iter()
                .filter_map(|i| self.incidents[i].clocks.detect)
                .collect(),
        )
    }
}

/// Days from 1970-01-01 to `date` (negative before), by the proleptic
/// Gregorian calendar: the days-from-civil arithmetic (H. Hinnant), much
/// cheaper than a calendar span for one number per incident.
fn days_since_epoch(date: jiff::civil::Date) -> i32 {
    let (year, month, day) = (
        i32::from(date.year()),
        i32::from(date.month()),
        i32::from(date.day()),
    );
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let day_of_year = (153 * (month + if month > 2 { -3 } else { 9 }) + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

fn severity_description(severity: Severity) -> &'static str {
    match severity {
        Severity::Sev1 => "Critical: a full outage, data loss or a security breach.",
        Severity::Sev2 => "Major: a core feature down or badly degraded for many users.",
        Severity::Sev3 => "Minor: a partial or brief degradation.",
        Severity::Sev4 => "Low: little or no customer impact.",
    }
}

fn bucket_terms(buckets: &[Bucket], assignment: &[usize]) -> Vec<Term> {
    let mut terms: Vec<Term> = buckets
        .iter()
        .map(|b| Term {
            slug: b.slug.clone(),
            name: b.label.clone(),
            description: b.description.clone(),
            incidents: Vec::new(),
        })
        .collect();
    for (index, &bucket) in assignment.iter().enumerate() {
        terms[bucket].incidents.push(index);
    }
    terms
}

/// Terms from free-form names: one term per slug, named by the first name
/// (in sorted order) that gives it; names whose slug is empty get `term`.
/// Terms are sorted by name.
fn free_terms(
    incidents: &[std::sync::Arc<Incident>],
    names: impl Fn(&Incident) -> &[String],
) -> Vec<Term> {
    let mut by_slug: BTreeMap<String, Term> = BTreeMap::new();
    let mut all_names: Vec<(&str, usize)> = Vec::new();
    for (index, incident) in incidents.iter().enumerate() {
        for name in names(incident) {
            all_names.push((name.as_str(), index));
        }
    }
    all_names.sort_unstable();
    // Sorted, so a name's repeats are adjacent: slugify each name once.
    let mut last: Option<(&str, String)> = None;
    for (name, index) in all_names {
        let slug = match &last {
            Some((last_name, slug)) if *last_name == name => slug.clone(),
            _ => {
                let mut slug = crate::slug::slugify(name);
                if slug.is_empty() {
                    slug = "term".to_string();
                }
                last = Some((name, slug.clone()));
                slug
            }
        };
        let term = by_slug.entry(slug.clone()).or_insert_with(|| Term {
            slug,
            name: name.to_string(),
            description: String::new(),
            incidents: Vec::new(),
        });
        term.incidents.push(index);
    }
    let mut terms: Vec<Term> = by_slug.into_values().collect();
    for term in &mut terms {
        term.incidents.sort_unstable();
        term.incidents.dedup();
    }
    terms.sort_by(|a, b| {
        a.name
            .to_lowercase()
            .cmp(&b.name.to_lowercase())
            .then_with(|| a.slug.cmp(&b.slug))
    });
    terms
}

/// An archive of the postmortems `files` (file name, full text), resolved
/// with the default configuration: for tests.
#[cfg(test)]
pub(crate) fn archive_of(files: &[(String, String)]) -> Archive {
    let config = Config::default();
    let files: Vec<crate::load::SourceFile> = files
        .iter()
        .map(|(name, text)| crate::load::source_from_text(name, text))
        .collect();
    let resolved = crate::resolve::resolve(&files, &config);
    Archive::new(resolved.incidents, &config)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_since_epoch_agrees_with_jiff() {
        let epoch = jiff::civil::date(1970, 1, 1);
        for (y, m, d) in [
            (1970, 1, 1),
            (1969, 12, 31),
            (2000, 2, 29),
            (2024, 3, 1),
            (2100, 3, 1),
            (1900, 2, 28),
            (2026, 11, 22),
            (1601, 1, 1),
        ] {
            let date = jiff::civil::date(y, m, d);
            let span = epoch.until(date).unwrap().get_days();
            assert_eq!(days_since_epoch(date), span, "{date}");
        }
    }

    #[test]
    fn default_bucket_slugs_match_the_guide() {
        let slugs: Vec<String> = duration_buckets(&[15, 60, 240, 1440])
            .into_iter()
            .map(|b| b.slug)
            .collect();
        assert_eq!(
            slugs,
            [
                "under-15m",
                "15m-1h",
                "1h-4h",
                "4h-24h",
                "over-1d",
                "unknown"
            ]
        );
        let slugs: Vec<String> = impact_buckets(&[5.0, 25.0, 50.0])
            .into_iter()
            .map(|b| b.slug)
            .collect();
        assert_eq!(
            slugs,
            ["under-5pct", "5-25pct", "25-50pct", "50pct-plus", "unknown"]
        );
    }

    #[test]
    fn buckets_are_half_open() {
        let buckets = duration_buckets(&[15, 60]);
        assert!(!buckets[0].contains(15.0));
        assert!(buckets[1].contains(15.0));
        assert!(buckets[2].contains(60.0));
        assert_eq!(buckets[1].label, "15 min – 1 h");
        assert_eq!(
            buckets[1].description,
            "Customer impact lasted at least 15 min and under 1 h."
        );
    }

    #[test]
    fn nearest_rank_percentiles() {
        let d = Distribution::of(vec![10, 1, 7, 3, 5, 9, 2, 8, 4, 6]);
        assert_eq!(
            (d.n, d.median, d.p75, d.p90, d.max),
            (10, Some(5), Some(8), Some(9), Some(10))
        );
        let d = Distribution::of(vec![42]);
        assert_eq!((d.median, d.p90), (Some(42), Some(42)));
        assert_eq!(Distribution::of(vec![]).median, None);
    }

    #[test]
    fn minutes_in_words() {
        assert_eq!(format_minutes(45), "45 min");
        assert_eq!(format_minutes(150), "2 h 30 min");
        assert_eq!(format_minutes(1440 + 240 + 5), "1 d 4 h");
    }
}

#[cfg(test)]
mod cache_tests {
    use super::*;
    use std::sync::Arc;

    /// Synthetic postmortems, resolved.
    fn incidents(count: usize) -> (Vec<Arc<Incident>>, Config) {
        let config = Config::default();
        (crate::synth::resolved(count, 7, &config), config)
    }

    #[test]
    fn a_change_the_index_does_not_read_reuses_it_and_equals_a_fresh_index() {
        let (mut given, config) = incidents(40);
        let mut cache = IndexCache::default();
        let first = Archive::new_cached(given.clone(), &config, &mut cache);
        assert_eq!(first, Archive::new(given.clone(), &config));
        cache.keep(first);

        // A body and a root cause: the index is reused, with the new incident.
        let edited = Arc::make_mut(&mut given[5]);
        edited.body.push_str("\nOne more paragraph.\n");
        edited.root_cause = Some("a different cause".into());
        let second = Archive::new_cached(given.clone(), &config, &mut cache);
        assert_eq!(cache.reused, 1);
        assert_eq!(second, Archive::new(given.clone(), &config));
        assert!(second.incidents.iter().any(|i| Arc::ptr_eq(i, &given[5])));
        cache.keep(second);

        // A category and a date: indexed again, and still what a fresh index is.
        let edited = Arc::make_mut(&mut given[9]);
        edited.category = Some("deploy".into());
        edited.date = Some(jiff::civil::date(1999, 1, 1));
        let third = Archive::new_cached(given.clone(), &config, &mut cache);
        assert_eq!(cache.reused, 1);
        assert_eq!(third, Archive::new(given.clone(), &config));
        cache.keep(third);

        // One incident fewer: indexed again.
        given.remove(3);
        let fourth = Archive::new_cached(given.clone(), &config, &mut cache);
        assert_eq!(cache.reused, 1);
        assert_eq!(fourth, Archive::new(given, &config));
    }
}
