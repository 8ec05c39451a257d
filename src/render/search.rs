//! The static search index behind the incidents page's search box and
//! facets (no server code, no WebAssembly).
//!
//! - `search/facets.json`: every incident as a small record (id, title,
//!   date, duration, users affected) with its facet memberships, and the
//!   facet values (category, severity, service, team, tag, year, duration
//!   and impact buckets).
//! - `search/t/<shard>.json`: a full-text inverted index (token to incident
//!   numbers) sharded by the token's first two characters, so a query
//!   fetches only the shards of its words.
//!
//! The tokenizer here and the one in `themes/default/static/search.js`
//! must agree: lower case, split at anything not a letter or digit, at
//! least two characters, stop words dropped.

use std::collections::{BTreeMap, HashMap};

use rayon::prelude::*;
use serde::Serialize;

use super::pages::Summary;
use crate::index::{Archive, TaxonomyKind};

/// Words too common to index.
const STOP_WORDS: &[&str] = &[
    "the", "and", "of", "to", "in", "a", "an", "is", "was", "were", "for", "on", "at", "by",
    "with", "that", "this", "it", "as", "be", "are", "from", "or", "we", "our", "has", "had",
    "have", "not", "but", "which", "its", "into", "their", "they", "been", "also", "all", "any",
    "can", "will", "would", "there", "than", "then", "when", "after",
];

/// The facets, in display order: (key in URLs and JSON, taxonomy, label).
pub const FACETS: [(&str, TaxonomyKind, &str); 8] = [
    ("category", TaxonomyKind::Categories, "Cause"),
    ("severity", TaxonomyKind::Severity, "Severity"),
    ("service", TaxonomyKind::Services, "Service"),
    ("team", TaxonomyKind::Teams, "Team"),
    ("tag", TaxonomyKind::Tags, "Tag"),
    ("year", TaxonomyKind::Years, "Year"),
    ("duration", TaxonomyKind::Duration, "Duration"),
    ("impact", TaxonomyKind::Impact, "Users affected"),
];

/// Splits text into index tokens (see the module documentation).
pub fn tokens(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.chars().count() >= 2)
        .map(str::to_lowercase)
        .filter(|w| !STOP_WORDS.contains(&w.as_str()))
}

/// The shard file name of a token: its first two characters when they are
/// ASCII letters or digits, else `_` and the hex of their UTF-8 bytes.
pub fn shard_of(token: &str) -> String {
    let head: String = token.chars().take(2).collect();
    if head
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
    {
        head
    } else {
        let mut name = String::from("_");
        for byte in head.as_bytes() {
            name.push_str(&format!("{byte:02x}"));
        }
        name
    }
}

#[derive(Serialize)]
struct FacetValue<'a> {
    slug: &'a str,
    label: &'a str,
}

#[derive(Serialize)]
struct Facet<'a> {
    key: &'static str,
    label: &'static str,
    values: Vec<FacetValue<'a>>,
}

#[derive(Serialize)]
struct Doc<'a> {
    /// Id: the page is `incidents/<id>/index.html`.
    i: &'a str,
    /// Title.
    t: &'a str,
    /// Date, `YYYY-MM-DD` or empty.
    d: &'a str,
    /// Duration in minutes.
    m: Option<i64>,
    /// Users affected, percent.
    p: Option<f64>,
    /// Facet memberships: per facet (in [`FACETS`] order), value indices.
    f: Vec<Vec<u32>>,
}

#[derive(Serialize)]
struct Facets<'a> {
    version: u32,
    facets: Vec<Facet<'a>>,
    docs: Vec<Doc<'a>>,
}

/// Every search file: (path in the site, JSON text).
pub fn files(archive: &Archive, summaries: &[Summary]) -> Vec<(String, String)> {
    let mut out = vec![facets(archive, summaries)];
    out.extend(shards(archive));
    out
}

/// `search/facets.json`: facet values and one record per incident. Depends
/// on the incidents' data, not their bodies.
pub fn facets(archive: &Archive, summaries: &[Summary]) -> (String, String) {
    let mut memberships: Vec<Vec<Vec<u32>>> =
        vec![vec![Vec::new(); FACETS.len()]; archive.incidents.len()];
    let mut facets = Vec::new();
    for (f, (key, kind, label)) in FACETS.iter().enumerate() {
        let taxonomy = archive.taxonomy(*kind);
        let mut values = Vec::new();
        for (v, term) in taxonomy.terms.iter().enumerate() {
            values.push(FacetValue {
                slug: &term.slug,
                label: &term.name,
            });
            for &i in &term.incidents {
                memberships[i][f].push(v as u32);
            }
        }
        facets.push(Facet { key, label, values });
    }
    // Summaries are in archive order: summary i is incident i.
    let docs = summaries
        .iter()
        .zip(&archive.incidents)
        .zip(memberships)
        .map(|((s, incident), f)| Doc {
            i: &s.id,
            t: &s.title,
            d: &s.date,
            m: s.duration_minutes,
            p: incident.impact.users_affected_pct,
            f,
        })
        .collect();
    (
        "search/facets.json".to_string(),
        serde_json::to_string(&Facets {
            version: 1,
            facets,
            docs,
        })
        .unwrap_or_default(),
    )
}

/// `search/t/<shard>.json`: the full-text index, words to incident numbers,
/// sharded by the words' first letters.
pub fn shards(archive: &Archive) -> Vec<(String, String)> {
    shards_cached(archive, None)
}

/// Each incident's distinct words, kept between builds by watch mode and
/// keyed by the text they come from; holds only the last build's.
#[derive(Debug, Default)]
pub struct WordCache {
    words: std::sync::Mutex<HashMap<u64, std::sync::Arc<Vec<String>>>>,
    used: std::sync::Mutex<std::collections::HashSet<u64>>,
}

impl WordCache {
    fn words(&self, incident: &crate::model::Incident) -> std::sync::Arc<Vec<String>> {
        use std::hash::{Hash, Hasher};
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        (
            &incident.title,
            &incident.body,
            &incident.root_cause,
            &incident.impact.summary,
            &incident.services,
            &incident.teams,
            &incident.tags,
        )
            .hash(&mut hasher);
        let key = hasher.finish();
        if let Ok(mut used) = self.used.lock() {
            used.insert(key);
        }
        if let Some(words) = self.words.lock().ok().and_then(|w| w.get(&key).cloned()) {
            return words;
        }
        let words = std::sync::Arc::new(incident_words(incident));
        if let Ok(mut cached) = self.words.lock() {
            cached.insert(key, words.clone());
        }
        words
    }

    /// Drops the words of incidents the last build did not have.
    fn finish(&self) {
        if let (Ok(mut words), Ok(mut used)) = (self.words.lock(), self.used.lock()) {
            words.retain(|key, _| used.contains(key));
            used.clear();
        }
    }
}

/// The distinct words of an incident's title, body, root cause, impact
/// summary, services, teams and tags. Each text is lower-cased once and
/// split into borrowed words, so only the distinct ones are allocated.
fn incident_words(incident: &crate::model::Incident) -> Vec<String> {
    let mut texts: Vec<String> = vec![incident.title.to_lowercase(), incident.body.to_lowercase()];
    texts.extend(incident.root_cause.iter().map(|t| t.to_lowercase()));
    texts.extend(incident.impact.summary.iter().map(|t| t.to_lowercase()));
    texts.extend(
        incident
            .services
            .iter()
            .chain(&incident.teams)
            .chain(&incident.tags)
            .map(|t| t.to_lowercase()),
    );
    let mut seen: std::collections::HashSet<&str> = std::collections::HashSet::new();
    for text in &texts {
        for word in text.split(|c: char| !c.is_alphanumeric()) {
            if word.chars().nth(1).is_some() && !STOP_WORDS.contains(&word) {
                seen.insert(word);
            }
        }
    }
    let mut words: Vec<String> = seen.into_iter().map(str::to_string).collect();
    // Sorted: the same text gives the same order in every run.
    words.sort_unstable();
    words
}

/// [`shards`], taking unchanged incidents' words from `cache`.
pub fn shards_cached(archive: &Archive, cache: Option<&WordCache>) -> Vec<(String, String)> {
    // Full text: the distinct words of each incident, in parallel.
    let per_incident: Vec<std::sync::Arc<Vec<String>>> = archive
        .incidents
        .par_iter()
        .map(|incident| match cache {
            Some(cache) => cache.words(incident),
            None => std::sync::Arc::new(incident_words(incident)),
        })
        .collect();
    if let Some(cache) = cache {
        cache.finish();
    }
    // One map lookup per posting; shard names once per distinct word.
    let mut postings: std::collections::HashMap<String, Vec<u32>> =
        std::collections::HashMap::new();
    for (doc, words) in per_incident.iter().enumerate() {
        for word in words.iter() {
            match postings.get_mut(word.as_str()) {
                Some(list) => list.push(doc as u32),
                None => {
                    postings.insert(word.clone(), vec![doc as u32]);
                }
            }
        }
    }
    let mut shards: BTreeMap<String, BTreeMap<String, Vec<u32>>> = BTreeMap::new();
    for (word, list) in postings {
        shards
            .entry(shard_of(&word))
            .or_default()
            .insert(word, list);
    }
    let shard_files: Vec<(String, String)> = shards
        .into_par_iter()
        .map(|(shard, postings)| {
            (
                format!("search/t/{shard}.json"),
                serde_json::to_string(&postings).unwrap_or_default(),
            )
        })
        .collect();
    shard_files
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokenizer_and_shards() {
        let words: Vec<String> = tokens("The DNS failed: résumé x 503s, and IPv6!").collect();
        assert_eq!(words, ["dns", "failed", "résumé", "503s", "ipv6"]);
        assert_eq!(shard_of("dns"), "dn");
        assert_eq!(shard_of("résumé"), "_72c3a9");
    }
}
