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

use std::collections::{BTreeMap, BTreeSet, HashMap};

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

/// `search/facets.json`: facet values and one record per incident. Depends
/// on the incidents' data, not their bodies.
pub fn facets(archive: &Archive, summaries: &[std::sync::Arc<Summary>]) -> (String, String) {
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
/// sharded by the words' first letters: (path in the site, JSON text),
/// by path.
pub fn shards(archive: &Archive) -> Vec<(String, String)> {
    let files = std::sync::Mutex::new(Vec::new());
    shards_cached(archive, None, &|_| false, &|path, text| {
        if let Ok(mut files) = files.lock() {
            files.push((path.to_string(), text));
        }
    });
    let mut files = files.into_inner().unwrap_or_default();
    files.sort();
    files
}

/// Where [`shards_cached`] hands each shard file it makes: (path in the
/// site, JSON text). Called from many threads at once, a shard as soon as
/// it is serialised, so that the shards are never all held at once.
pub type ShardSink<'s> = dyn Fn(&str, String) + Sync + 's;

/// Shard name to its words, each with the incident numbers holding it
/// (ascending).
type Postings = BTreeMap<String, BTreeMap<String, Vec<u32>>>;

/// Each incident's distinct words, kept between builds by watch mode and
/// keyed by the text they come from (holds only the last build's), and
/// the last build's full-text index, so that a rebuild updates the
/// postings of the incidents whose words changed and rewrites only their
/// shards.
#[derive(Debug, Default)]
pub struct WordCache {
    /// By incident fingerprint: see [`super::by_fingerprint`].
    words: std::sync::Mutex<HashMap<(u64, u64), Words>>,
    index: std::sync::Mutex<Option<Index>>,
}

/// An incident's distinct words, sorted.
type Words = std::sync::Arc<Vec<String>>;

/// The full-text index of the last build.
#[derive(Debug, Default)]
struct Index {
    /// Each incident's words, by incident number.
    docs: Vec<std::sync::Arc<Vec<String>>>,
    postings: Postings,
    /// Shards changed since the last committed build: the output folder
    /// holds an older version of them.
    dirty: BTreeSet<String>,
}

impl WordCache {
    /// The build's site was swapped in: every shard in the output folder
    /// is this index's.
    pub fn committed(&self) {
        if let Ok(mut index) = self.index.lock()
            && let Some(index) = index.as_mut()
        {
            index.dirty.clear();
        }
    }
}

/// The distinct words of an incident's title, body, root cause, impact
/// summary, services, teams and tags, sorted.
fn incident_words(incident: &crate::model::Incident) -> Vec<String> {
    // Each distinct word allocated once; stop words dropped after
    // duplicates (a few hundred checks, not one per word).
    let mut seen: std::collections::HashSet<String, foldhash::fast::RandomState> =
        std::collections::HashSet::default();
    for_each_occurrence(incident, |word| {
        if !seen.contains(word) {
            seen.insert(word.to_string());
        }
    });
    let mut words: Vec<String> = seen
        .into_iter()
        .filter(|word| !STOP_WORDS.contains(&word.as_str()))
        .collect();
    // Sorted: the same text gives the same order in every run.
    words.sort_unstable();
    words
}

/// Calls `each` with every occurrence of a word of two characters or more
/// in the incident's searchable text (title, body, root cause, impact,
/// services, teams, tags), lower-cased, stop words included. Each text is
/// lower-cased once and split into borrowed words: nothing is allocated
/// per word.
fn for_each_occurrence(incident: &crate::model::Incident, mut each: impl FnMut(&str)) {
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
    for text in &texts {
        each_word(text, &mut each);
    }
}

/// Calls `each` with every word of two characters or more of `text`
/// (runs of letters and digits), in order.
fn each_word(text: &str, each: &mut impl FnMut(&str)) {
    if !text.is_ascii() {
        return each_word_of_chars(text, each);
    }
    // The same words found byte by byte: in ASCII text every letter,
    // digit and separator is one byte.
    let mut start = 0;
    for (i, b) in text.bytes().enumerate() {
        if !b.is_ascii_alphanumeric() {
            if i - start >= 2 {
                each(&text[start..i]);
            }
            start = i + 1;
        }
    }
    if text.len() - start >= 2 {
        each(&text[start..]);
    }
}

/// [`each_word`] for any text, char by char.
fn each_word_of_chars(text: &str, each: &mut impl FnMut(&str)) {
    for word in text.split(|c: char| !c.is_alphanumeric()) {
        if word.chars().nth(1).is_some() {
            each(word);
        }
    }
}

/// [`shards`], taking unchanged incidents' words from `cache`. Returns
/// the shard files to write, and how many shard files `keep` kept from
/// the output folder: with a cache, when the incidents are the same in
/// number and few changed, only the postings of those whose words changed
/// are updated, and `keep(path)` is asked to keep each other shard's file
/// (if it cannot, the shard is written). Every shard file not kept goes
/// to `write`; returns how many were kept.
pub fn shards_cached(
    archive: &Archive,
    cache: Option<&WordCache>,
    keep: &(dyn Fn(&str) -> bool + Sync),
    write: &ShardSink<'_>,
) -> usize {
    let Some(cache) = cache else {
        serialise(&postings_streamed(archive), None, write);
        return 0;
    };
    // Full text: the distinct words of each incident, in parallel.
    // (The fingerprint covers every field the words come from.)
    let per_incident: Vec<std::sync::Arc<Vec<String>>> =
        super::by_fingerprint(archive, &cache.words, 0, |i| {
            std::sync::Arc::new(incident_words(&archive.incidents[i]))
        });
    let Ok(mut guard) = cache.index.lock() else {
        serialise(&postings(&per_incident), None, write);
        return 0;
    };
    let index = guard.get_or_insert_with(Index::default);
    let changed: Vec<u32> = if index.docs.len() == per_incident.len() {
        (0..per_incident.len() as u32)
            .filter(|&d| index.docs[d as usize] != per_incident[d as usize])
            .collect()
    } else {
        Vec::new()
    };
    let everything =
        index.docs.len() != per_incident.len() || changed.len() > per_incident.len() / 8;
    if everything {
        let old: BTreeSet<String> = index.postings.keys().cloned().collect();
        index.postings = postings(&per_incident);
        index.dirty.extend(old);
        index.dirty.extend(index.postings.keys().cloned());
    } else {
        for &doc in &changed {
            let old = &index.docs[doc as usize];
            let new = &per_incident[doc as usize];
            for word in old.iter().filter(|w| new.binary_search(w).is_err()) {
                let shard = shard_of(word);
                if let Some(words) = index.postings.get_mut(&shard) {
                    if let Some(list) = words.get_mut(word)
                        && let Ok(at) = list.binary_search(&doc)
                    {
                        list.remove(at);
                        if list.is_empty() {
                            words.remove(word);
                        }
                    }
                    if words.is_empty() {
                        index.postings.remove(&shard);
                    }
                }
                index.dirty.insert(shard);
            }
            for word in new.iter().filter(|w| old.binary_search(w).is_err()) {
                let shard = shard_of(word);
                let list = index
                    .postings
                    .entry(shard.clone())
                    .or_default()
                    .entry(word.clone())
                    .or_default();
                if let Err(at) = list.binary_search(&doc) {
                    list.insert(at, doc);
                }
                index.dirty.insert(shard);
            }
        }
    }
    index.docs = per_incident;
    let clean: Vec<&String> = index
        .postings
        .keys()
        .filter(|shard| !index.dirty.contains(*shard))
        .collect();
    let candidates = clean.len();
    let missing: Vec<String> = clean
        .into_par_iter()
        .filter(|shard| !keep(&shard_path(shard)))
        .cloned()
        .collect();
    let kept = candidates - missing.len();
    index.dirty.extend(missing);
    serialise(&index.postings, Some(&index.dirty), write);
    kept
}

fn shard_path(shard: &str) -> String {
    format!("search/t/{shard}.json")
}

/// Hands the shard files of `postings` to `write`, in parallel; only those
/// in `only`, if given.
fn serialise(postings: &Postings, only: Option<&BTreeSet<String>>, write: &ShardSink<'_>) {
    let shards: Vec<(&String, &BTreeMap<String, Vec<u32>>)> = postings
        .iter()
        .filter(|(shard, _)| only.is_none_or(|only| only.contains(*shard)))
        .collect();
    shards.into_par_iter().for_each(|(shard, postings)| {
        write(
            &shard_path(shard),
            serde_json::to_string(postings).unwrap_or_default(),
        );
    });
}

/// The postings of every incident's words, by shard, without holding every
/// incident's word list at once (a plain build): incidents are taken in
/// chunks, each folded into its own postings, and the chunks' postings
/// merged; only the postings themselves stay in memory. Words of up to 16
/// bytes (nearly all) are keyed by their [`pack`]ed number: hashing and
/// comparing one costs a fraction of a string's, and none is allocated.
fn postings_streamed(archive: &Archive) -> Postings {
    const CHUNK: usize = 256;
    type Short = HashMap<u128, Vec<u32>, foldhash::fast::RandomState>;
    type Long = HashMap<String, Vec<u32>, foldhash::fast::RandomState>;
    // Stop words hold a list that takes no incident (`STOP`), so that each
    // occurrence is one lookup; an incident is added to a word's list
    // once, at its first occurrence (incidents come in ascending order).
    const STOP: u32 = u32::MAX;
    let add = |list: &mut Vec<u32>, doc: u32| {
        if list.last() != Some(&doc) && list.first() != Some(&STOP) {
            list.push(doc);
        }
    };
    // Room for eight incidents: most words of a chunk reach that, and
    // each regrowth is a reallocation.
    let new_list = || Vec::with_capacity(8);
    let (short, long): (Short, Long) = archive
        .incidents
        .par_chunks(CHUNK)
        .enumerate()
        .map(|(chunk, incidents)| {
            let mut short = Short::default();
            let mut long = Long::default();
            for stop in STOP_WORDS {
                short.insert(pack(stop).unwrap_or_default(), vec![STOP]);
            }
            for (offset, incident) in incidents.iter().enumerate() {
                let doc = (chunk * CHUNK + offset) as u32;
                for_each_packed_occurrence(
                    incident,
                    |key| add(short.entry(key).or_insert_with(new_list), doc),
                    |word| match long.get_mut(word) {
                        Some(list) => add(list, doc),
                        None => {
                            long.insert(word.to_string(), vec![doc]);
                        }
                    },
                );
            }
            short.retain(|_, list| list.first() != Some(&STOP));
            (short, long)
        })
        .reduce(
            || (Short::default(), Long::default()),
            |(mut short, mut long), (right_short, right_long)| {
                for (key, list) in right_short {
                    short.entry(key).or_default().extend(list);
                }
                for (word, list) in right_long {
                    long.entry(word).or_default().extend(list);
                }
                (short, long)
            },
        );
    let mut shards: Postings = BTreeMap::new();
    let words = short
        .into_iter()
        .map(|(key, list)| (unpack(key), list))
        .chain(long);
    for (word, mut list) in words {
        // Chunks may merge in any grouping: incident numbers ascending.
        list.sort_unstable();
        shards
            .entry(shard_of(&word))
            .or_default()
            .insert(word, list);
    }
    shards
}

/// A word of at most 16 bytes as a number: its bytes, little-endian,
/// zero-padded (a word holds no NUL byte, so the number spells it);
/// `None` for a longer word.
fn pack(word: &str) -> Option<u128> {
    (word.len() <= 16).then(|| {
        word.bytes()
            .enumerate()
            .fold(0, |key, (i, b)| key | u128::from(b) << (8 * i))
    })
}

/// The word [`pack`] made `key` of.
fn unpack(key: u128) -> String {
    let bytes = key.to_le_bytes();
    let len = bytes.iter().position(|&b| b == 0).unwrap_or(bytes.len());
    String::from_utf8_lossy(&bytes[..len]).into_owned()
}

/// [`for_each_occurrence`], giving each word of up to 16 bytes to `short`
/// [`pack`]ed and each longer one to `long`. ASCII text is split in place,
/// without a lower-cased copy: each short word is one 16-byte load,
/// masked to its length and lowered in one step ([`ascii_lowercase`]).
fn for_each_packed_occurrence(
    incident: &crate::model::Incident,
    mut short: impl FnMut(u128),
    mut long: impl FnMut(&str),
) {
    let texts = [&incident.title, &incident.body]
        .into_iter()
        .chain(&incident.root_cause)
        .chain(&incident.impact.summary)
        .chain(&incident.services)
        .chain(&incident.teams)
        .chain(&incident.tags);
    let mut lowered = String::new();
    for text in texts {
        if !text.is_ascii() {
            each_word_of_chars(&text.to_lowercase(), &mut |word| match pack(word) {
                Some(key) => short(key),
                None => long(word),
            });
            continue;
        }
        let bytes = text.as_bytes();
        let mut word_end = |start: usize, end: usize| match end - start {
            0 | 1 => {}
            len @ 2..=16 => {
                // One load of 16 bytes (copied near the text's end), the
                // bytes after the word masked off, capitals lowered.
                let mut word = [0u8; 16];
                match bytes.get(start..start + 16) {
                    Some(sixteen) => word.copy_from_slice(sixteen),
                    None => word[..len].copy_from_slice(&bytes[start..end]),
                }
                let mut key = u128::from_le_bytes(word);
                if len < 16 {
                    key &= (1u128 << (8 * len)) - 1;
                }
                short(ascii_lowercase(key));
            }
            _ => {
                lowered.clear();
                lowered.push_str(&text[start..end]);
                lowered.make_ascii_lowercase();
                long(&lowered);
            }
        };
        let mut start = 0;
        for (i, &b) in bytes.iter().enumerate() {
            if !b.is_ascii_alphanumeric() {
                if i > start + 1 {
                    word_end(start, i);
                }
                start = i + 1;
            }
        }
        word_end(start, bytes.len());
    }
}

/// `packed` (sixteen ASCII bytes) with each capital lowered, all at once:
/// a byte's top bit is set by adding `0x80 - b'A'` when it is at least
/// `A`, and by adding `0x80 - b'Z' - 1` when it is past `Z` (no byte
/// carries into the next, as each is below `0x80`).
fn ascii_lowercase(packed: u128) -> u128 {
    const ONES: u128 = u128::from_le_bytes([1; 16]);
    const TOP: u128 = ONES * 0x80;
    let from_a = packed + ONES * u128::from(0x80 - b'A');
    let past_z = packed + ONES * u128::from(0x80 - b'Z' - 1);
    let capitals = from_a & !past_z & TOP;
    packed | capitals >> 2
}

/// The postings of every word of `per_incident` (incident number to its
/// sorted distinct words), by shard.
fn postings(per_incident: &[std::sync::Arc<Vec<String>>]) -> Postings {
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
    let mut shards: Postings = BTreeMap::new();
    for (word, list) in postings {
        shards
            .entry(shard_of(&word))
            .or_default()
            .insert(word, list);
    }
    shards
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ascii_words_are_the_char_splitters_words() {
        let words = |text: &str, chars: bool| {
            let mut found = Vec::new();
            let mut push = |w: &str| found.push(w.to_string());
            if chars {
                each_word_of_chars(text, &mut push);
            } else {
                each_word(text, &mut push);
            }
            found
        };
        for text in [
            "",
            "a",
            "ab",
            " ab",
            "ab ",
            "x 10:00 utc, db-1 failed; retry_count=3 (p99) ok",
            "--a--bc--def--g",
            "tab\tseparated\nlines\r\nand 42",
        ] {
            assert_eq!(words(text, false), words(text, true), "{text:?}");
        }
        assert_eq!(words("db-1 failed ok", false), ["db", "failed", "ok"]);
        // Non-ASCII text takes the char splitter: `é` is a letter.
        assert_eq!(words("café au lait", false), ["café", "au", "lait"]);
    }

    /// An archive of postmortems with these bodies, one a day.
    fn archive(bodies: &[&str]) -> Archive {
        let files: Vec<(String, String)> = bodies
            .iter()
            .enumerate()
            .map(|(n, body)| {
                let text = format!(
                    "---\ntitle: Outage {n}\ndate: 2024-01-{:02}\nseverity: SEV2\n---\n\n{body}\n",
                    n + 1
                );
                (format!("pm-{n}.md"), text)
            })
            .collect();
        crate::index::archive_of(&files)
    }

    #[test]
    fn a_rebuild_rewrites_only_the_shards_of_changed_words_and_equals_a_fresh_index() {
        let mut bodies: Vec<String> = (0..40)
            .map(|n| format!("Database failover number {n} paged the oncall."))
            .collect();
        let cache = WordCache::default();
        // The output folder: every shard file as the last build left it.
        let mut site: BTreeMap<String, String> = BTreeMap::new();
        let mut step = |bodies: &[String]| {
            let refs: Vec<&str> = bodies.iter().map(String::as_str).collect();
            let archive = archive(&refs);
            let keep = |name: &str| site.contains_key(name);
            let written = std::sync::Mutex::new(Vec::new());
            let kept = shards_cached(&archive, Some(&cache), &keep, &|path, text| {
                written.lock().unwrap().push((path.to_string(), text));
            });
            let mut written = written.into_inner().unwrap();
            written.sort();
            cache.committed();
            let fresh: BTreeMap<String, String> = shards(&archive).into_iter().collect();
            let names: Vec<String> = written.iter().map(|(name, _)| name.clone()).collect();
            site.retain(|name, _| fresh.contains_key(name));
            site.extend(written);
            assert_eq!(site, fresh, "the kept and written shards are a fresh index");
            assert_eq!(kept + names.len(), fresh.len());
            names
        };
        assert!(
            step(&bodies).len() > 5,
            "the first build writes every shard"
        );
        // One body gains a word and loses one: only their shards change.
        bodies[7] = "Database failover number 7 woke the zookeeper.".to_string();
        let written = step(&bodies);
        let mut expected = vec![shard_path(&shard_of("zookeeper"))];
        for word in ["paged", "oncall", "woke"] {
            expected.push(shard_path(&shard_of(word)));
        }
        expected.sort();
        expected.dedup();
        assert_eq!(written, expected);
        // No change of words: nothing is written.
        assert!(step(&bodies).is_empty());
        // Another count of incidents: everything is rebuilt.
        bodies.push("Disk full.".to_string());
        step(&bodies);
        bodies.remove(0);
        step(&bodies);
    }

    #[test]
    fn packed_words_lower_like_ascii_and_unpack_to_themselves() {
        for b in 0u8..128 {
            let bytes = [b; 16];
            let lowered = ascii_lowercase(u128::from_le_bytes(bytes));
            assert_eq!(lowered.to_le_bytes(), [b.to_ascii_lowercase(); 16], "{b}");
        }
        for word in ["db", "failover", "abcdefghijklmnop", "größe"] {
            assert_eq!(pack(word).map(unpack).as_deref(), Some(word));
        }
        assert_eq!(pack("abcdefghijklmnopq"), None);
    }

    #[test]
    fn streamed_postings_equal_postings_from_every_incidents_words() {
        let bodies: Vec<String> = (0..700)
            .map(|n| {
                // Stop words, and words repeated within one incident;
                // words of 16 bytes and longer, capitals, and text that
                // is not ASCII.
                format!(
                    "The failover {n} of shard {} and the shard {} paged team {} and team {}. \
                     Sixteen-byte ABCDEFGHIJKLMNOP abcdefghijklmnopq{} \
                     Kubernetesclusterautoscaler{} x{}",
                    n % 7,
                    n % 5,
                    n % 13,
                    n % 13,
                    n % 3,
                    n % 4,
                    if n % 2 == 0 {
                        " Größe Ärger ÉCLAIR"
                    } else {
                        ""
                    },
                )
            })
            .collect();
        let refs: Vec<&str> = bodies.iter().map(String::as_str).collect();
        let archive = archive(&refs);
        let per_incident: Vec<std::sync::Arc<Vec<String>>> = archive
            .incidents
            .iter()
            .map(|i| std::sync::Arc::new(incident_words(i)))
            .collect();
        let streamed = postings_streamed(&archive);
        assert_eq!(streamed, postings(&per_incident));
        assert_eq!(streamed["sh"]["shard"].len(), 700, "once per incident");
        assert!(
            !streamed
                .get("th")
                .is_some_and(|shard| shard.contains_key("the"))
        );
    }

    #[test]
    fn tokenizer_and_shards() {
        let words: Vec<String> = tokens("The DNS failed: résumé x 503s, and IPv6!").collect();
        assert_eq!(words, ["dns", "failed", "résumé", "503s", "ipv6"]);
        assert_eq!(shard_of("dns"), "dn");
        assert_eq!(shard_of("résumé"), "_72c3a9");
    }
}
