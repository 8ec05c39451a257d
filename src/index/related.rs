//! Related incidents (explicit, then similar) and recurrence hints.
//!
//! Similar incidents are found through the taxonomy terms an incident
//! shares (category, services, tags), looking only at the incidents
//! nearest in time within each term, so the cost per page stays bounded
//! however large a term grows.

use std::collections::HashMap;

use super::{Archive, TaxonomyKind};

/// How many similar incidents a page lists.
pub const SIMILAR: usize = 5;
/// How many neighbours in time each shared term contributes as candidates.
const NEIGHBOURS_PER_TERM: usize = 60;
/// Recurrence window, in days before the incident (issue 6).
pub const RECURRENCE_DAYS: i64 = 90;

/// One related incident.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Related {
    /// The incident, by index; `None` for a URL from `related`.
    pub index: Option<usize>,
    /// For URLs: the URL.
    pub url: Option<String>,
    /// Why it is listed ("listed as related", "same category and service:
    /// payments").
    pub reason: String,
}

fn join(parts: &[String]) -> String {
    let mut joined = String::new();
    for (i, part) in parts.iter().enumerate() {
        if i > 0 {
            joined.push_str(if i + 1 == parts.len() { " and " } else { ", " });
        }
        joined.push_str(part);
    }
    joined
}

/// `service: a` or `services: a, b` (`one` and `many` the two labels).
fn labelled(one: &str, many: &str, names: &[&str]) -> String {
    let mut part = String::from(if names.len() == 1 { one } else { many });
    part.push_str(": ");
    for (i, name) in names.iter().enumerate() {
        if i > 0 {
            part.push_str(", ");
        }
        part.push_str(name);
    }
    part
}

/// What finding similar incidents reads of an archive, prepared once for
/// all of them (linear in the number of term memberships): service and
/// tag slugs as small integers, and each incident's position in every
/// category, service and tag term, so that scoring compares integers and
/// gathering candidates looks at the incident's own terms only.
#[derive(Debug)]
pub struct Similarity<'a> {
    archive: &'a Archive,
    /// Each incident's service slugs, interned (same order, duplicates kept).
    service_ids: Vec<Vec<u32>>,
    /// Each incident's tag slugs, interned.
    tag_ids: Vec<Vec<u32>>,
    /// Each incident's category and trigger, interned (`u32::MAX`: none,
    /// which matches nothing).
    category_trigger: Vec<(u32, u32)>,
    /// The incident lists of the category, service and tag terms
    /// (without the "uncategorised" term).
    terms: Vec<&'a [usize]>,
    /// Each incident's places: (index into `terms`, position in that list).
    places: Vec<Vec<(u32, u32)>>,
    /// Each incident's rank in the order of ids, so that ties are broken
    /// by id without reading the incidents.
    id_ranks: Vec<u32>,
}

impl<'a> Similarity<'a> {
    /// Prepares `archive` for [`Similarity::related`].
    pub fn new(archive: &'a Archive) -> Self {
        fn intern<'s>(slugs: &'s [Vec<String>]) -> Vec<Vec<u32>> {
            let mut ids: HashMap<&'s str, u32> = HashMap::new();
            slugs
                .iter()
                .map(|list| {
                    list.iter()
                        .map(|slug| {
                            let next = ids.len() as u32;
                            *ids.entry(slug.as_str()).or_insert(next)
                        })
                        .collect()
                })
                .collect()
        }
        let mut terms = Vec::new();
        let mut places: Vec<Vec<(u32, u32)>> = vec![Vec::new(); archive.incidents.len()];
        for kind in [
            TaxonomyKind::Categories,
            TaxonomyKind::Services,
            TaxonomyKind::Tags,
        ] {
            for term in &archive.taxonomy(kind).terms {
                if term.slug == "uncategorised" {
                    continue;
                }
                let id = terms.len() as u32;
                terms.push(term.incidents.as_slice());
                for (position, &incident) in term.incidents.iter().enumerate() {
                    if let Some(list) = places.get_mut(incident)
                        && list.last().is_none_or(|(last, _)| *last != id)
                    {
                        list.push((id, position as u32));
                    }
                }
            }
        }
        let mut known: HashMap<&str, u32> = HashMap::new();
        let mut id = |value: &'a Option<String>| match value {
            Some(value) => {
                let next = known.len() as u32;
                *known.entry(value.as_str()).or_insert(next)
            }
            None => u32::MAX,
        };
        let category_trigger = archive
            .incidents
            .iter()
            .map(|incident| (id(&incident.category), id(&incident.trigger)))
            .collect();
        let mut by_id: Vec<usize> = (0..archive.incidents.len()).collect();
        by_id.sort_unstable_by(|&a, &b| archive.incidents[a].id.cmp(&archive.incidents[b].id));
        let mut id_ranks = vec![0; by_id.len()];
        for (rank, &incident) in by_id.iter().enumerate() {
            id_ranks[incident] = rank as u32;
        }
        Similarity {
            archive,
            category_trigger,
            id_ranks,
            service_ids: intern(&archive.service_slugs),
            tag_ids: intern(&archive.tag_slugs),
            terms,
            places,
        }
    }

    /// The incidents related to incident `index`: its explicit `related`
    /// entries first (in the order written), then up to [`SIMILAR`] similar
    /// ones ranked by shared category (3 points), services (2 each), tags
    /// (1 each) and trigger (1), then by nearness in time, then by id.
    /// Candidates are the [`NEIGHBOURS_PER_TERM`] incidents nearest in
    /// archive order within each category, service and tag term it is in.
    /// Never itself; deterministic.
    pub fn related(&self, index: usize) -> Vec<Related> {
        self.related_with(index, &mut Marks::default())
    }

    /// [`Similarity::related`] with `marks` kept between calls (one per
    /// thread), so that gathering candidates allocates nothing new.
    pub fn related_with(&self, index: usize, marks: &mut Marks) -> Vec<Related> {
        let archive = self.archive;
        let incident = &archive.incidents[index];
        let mut result = Vec::new();
        let mut listed: Vec<usize> = vec![index];
        for entry in &incident.related {
            match archive.by_id.get(entry) {
                Some(&other) if other != index => {
                    if !listed.contains(&other) {
                        listed.push(other);
                        result.push(Related {
                            index: Some(other),
                            url: None,
                            reason: "listed as related".to_string(),
                        });
                    }
                }
                Some(_) => {}
                // An id that is not published (a draft, or withheld by a
                // profile) is left out rather than shown as text.
                None if !entry.contains("://") => {}
                None => result.push(Related {
                    index: None,
                    url: Some(entry.clone()),
                    reason: "listed as related".to_string(),
                }),
            }
        }

        // Candidates: the nearest incidents in time within each shared
        // term, each once (the ranking below does not depend on their
        // order).
        let mut candidates = std::mem::take(&mut marks.candidates);
        candidates.clear();
        let mark = marks.next(archive.incidents.len());
        for &(term, position) in &self.places[index] {
            let list = self.terms[term as usize];
            let position = position as usize;
            let from = position.saturating_sub(NEIGHBOURS_PER_TERM / 2);
            let to = (position + NEIGHBOURS_PER_TERM / 2 + 1).min(list.len());
            for &other in &list[from..to] {
                if let Some(seen) = marks.seen.get_mut(other)
                    && *seen != mark
                {
                    *seen = mark;
                    candidates.push(other);
                }
            }
        }
        let (my_services, my_tags) = (&self.service_ids[index], &self.tag_ids[index]);
        let shared = |mine: &[u32], theirs: &[u32]| {
            theirs.iter().filter(|id| mine.contains(id)).count() as i64
        };
        let (my_category, my_trigger) = self.category_trigger[index];
        // Score every candidate first; reasons are written for the kept ones.
        let mut scored: Vec<(i64, i64, u32, usize)> = Vec::with_capacity(candidates.len());
        for &other in &candidates {
            if listed.contains(&other) {
                continue;
            }
            let (category, trigger) = self.category_trigger[other];
            let score = 3 * i64::from(my_category != u32::MAX && category == my_category)
                + 2 * shared(my_services, &self.service_ids[other])
                + shared(my_tags, &self.tag_ids[other])
                + i64::from(my_trigger != u32::MAX && trigger == my_trigger);
            if score == 0 {
                continue;
            }
            let distance = match (archive.day_numbers[index], archive.day_numbers[other]) {
                (Some(a), Some(b)) => i64::from((a - b).abs()),
                _ => i64::MAX / 4,
            };
            scored.push((score, distance, self.id_ranks[other], other));
        }
        let order = |a: &(i64, i64, u32, usize), b: &(i64, i64, u32, usize)| {
            b.0.cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2))
        };
        if scored.len() > SIMILAR {
            scored.select_nth_unstable_by(SIMILAR, order);
            scored.truncate(SIMILAR);
        }
        scored.sort_unstable_by(order);
        marks.candidates = candidates;
        self.reasons(index, &scored, &mut result);
        result
    }

    /// Appends the kept similar incidents to `result`, each with its reason.
    fn reasons(&self, index: usize, scored: &[(i64, i64, u32, usize)], result: &mut Vec<Related>) {
        let archive = self.archive;
        let incident = &archive.incidents[index];
        let (my_services, my_tags) = (&archive.service_slugs[index], &archive.tag_slugs[index]);
        let same_category = |other: &crate::model::Incident| {
            incident.category.is_some() && incident.category == other.category
        };
        let same_trigger = |other: &crate::model::Incident| {
            incident.trigger.is_some() && incident.trigger == other.trigger
        };
        for &(_, _, _, other) in scored {
            let candidate = &archive.incidents[other];
            let names = |names: &'a [String], slugs: &[String], mine: &[String]| -> Vec<&'a str> {
                names
                    .iter()
                    .zip(slugs)
                    .filter(|(_, slug)| mine.contains(slug))
                    .map(|(name, _)| name.as_str())
                    .collect()
            };
            let services = names(
                &candidate.services,
                &archive.service_slugs[other],
                my_services,
            );
            let tags = names(&candidate.tags, &archive.tag_slugs[other], my_tags);
            let mut parts = Vec::new();
            if same_category(candidate) {
                parts.push("same category".to_string());
            }
            if !services.is_empty() {
                parts.push(labelled("service", "services", &services));
            }
            if !tags.is_empty() {
                parts.push(labelled("tag", "tags", &tags));
            }
            if same_trigger(candidate) {
                parts.push("same trigger".to_string());
            }
            // "same category and service: payments".
            let reason = if parts.len() >= 2
                && parts[0] == "same category"
                && parts[1].starts_with("service")
            {
                let mut reason = String::from("same category and ");
                reason.push_str(&join(&parts[1..]));
                reason
            } else {
                join(&parts)
            };
            result.push(Related {
                index: Some(other),
                url: None,
                reason,
            });
        }
    }
}

/// Scratch space for [`Similarity::related_with`]: which incidents the
/// current call has already gathered, as a mark per incident (the call's
/// number), so that no call clears or sorts anything.
#[derive(Debug, Default)]
pub struct Marks {
    /// Per incident, the number of the last call that gathered it.
    seen: Vec<u32>,
    /// The current call's number.
    call: u32,
    /// The candidates' buffer, reused.
    candidates: Vec<usize>,
}

impl Marks {
    /// A new call's mark, sized for `incidents`.
    fn next(&mut self, incidents: usize) -> u32 {
        if self.seen.len() != incidents || self.call == u32::MAX {
            self.seen = vec![0; incidents];
            self.call = 0;
        }
        self.call += 1;
        self.call
    }
}

/// How many recurrences an incident page names: the newest; the others
/// are counted. A page then costs the same however dense the archive (at
/// 50,000 synthetic postmortems over six years an incident has about 15),
/// as with the similar incidents (five).
pub const RECURRENCES_SHOWN: usize = 5;

/// An incident's recurrences (see [`recurrences`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Recurrences {
    /// The newest [`RECURRENCES_SHOWN`], by incident index, newest first.
    pub newest: Vec<usize>,
    /// How many there are in all (`newest` included).
    pub count: usize,
}

/// Earlier incidents with the same category and a shared service within
/// [`RECURRENCE_DAYS`] before incident `index`: the newest
/// [`RECURRENCES_SHOWN`] and their number (issue 6).
pub fn recurrences(archive: &Archive, index: usize) -> Recurrences {
    let mut found = Recurrences::default();
    let incident = &archive.incidents[index];
    let (Some(category), Some(day)) = (&incident.category, archive.day_numbers[index]) else {
        return found;
    };
    if incident.services.is_empty() {
        return found;
    }
    let Some(term) = archive
        .taxonomy(TaxonomyKind::Categories)
        .terms
        .iter()
        .find(|t| &t.slug == category)
    else {
        return found;
    };
    let services = &archive.service_slugs[index];
    let Ok(position) = term.incidents.binary_search(&index) else {
        return found;
    };
    // Term lists are newest first: older incidents follow. Days are
    // compared as day numbers: a large archive has hundreds of incidents
    // of one category within the window.
    for &other in &term.incidents[position + 1..] {
        let Some(other_day) = archive.day_numbers[other] else {
            continue;
        };
        if i64::from(day) - i64::from(other_day) > RECURRENCE_DAYS {
            break;
        }
        if archive.service_slugs[other]
            .iter()
            .any(|s| services.contains(s))
        {
            if found.count < RECURRENCES_SHOWN {
                found.newest.push(other);
            }
            found.count += 1;
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An archive of one postmortem per `(id, date, category, services)`.
    fn archive(incidents: &[(&str, &str, &str, &str)]) -> Archive {
        let files: Vec<(String, String)> = incidents
            .iter()
            .map(|(id, date, category, services)| {
                let text = format!(
                    "---\nid: {id}\ntitle: Outage {id}\ndate: {date}\nseverity: SEV2\ncategory: {category}\nservices: [{services}]\n---\n\nThe queue stalled.\n"
                );
                (format!("{id}.md"), text)
            })
            .collect();
        crate::index::archive_of(&files)
    }

    #[test]
    fn recurrences_are_earlier_incidents_of_the_category_sharing_a_service_within_90_days() {
        let archive = archive(&[
            ("now", "2024-06-30", "capacity", "api, queue"),
            ("same-day", "2024-06-30", "capacity", "queue"),
            ("day-90", "2024-04-01", "capacity", "api"),
            ("day-91", "2024-03-31", "capacity", "api"),
            ("other-service", "2024-06-01", "capacity", "billing"),
            ("other-category", "2024-06-01", "database", "api"),
            ("later", "2024-07-02", "capacity", "api"),
        ]);
        let index = |id: &str| archive.by_id[id];
        let ids = |found: Recurrences| -> Vec<&str> {
            assert_eq!(found.count, found.newest.len());
            found
                .newest
                .into_iter()
                .map(|i| archive.incidents[i].id.as_str())
                .collect()
        };
        // Newest first; the window's last day counts, the day after not.
        let found = ids(recurrences(&archive, index("now")));
        assert_eq!(found, ["same-day", "day-90"]);
        // `same-day` shares no service with it; `day-90` is 92 days back.
        assert_eq!(ids(recurrences(&archive, index("later"))), ["now"]);
        assert_eq!(
            recurrences(&archive, index("day-91")),
            Recurrences::default()
        );
        assert_eq!(
            recurrences(&archive, index("other-category")),
            Recurrences::default()
        );
    }

    #[test]
    fn a_page_names_the_newest_recurrences_and_counts_the_others() {
        let days = [
            "2024-06-29",
            "2024-06-20",
            "2024-06-10",
            "2024-06-01",
            "2024-05-20",
            "2024-05-10",
            "2024-05-01",
        ];
        let mut rows = vec![("now".to_string(), "2024-06-30")];
        rows.extend(days.iter().enumerate().map(|(n, d)| (format!("r{n}"), *d)));
        let rows: Vec<(&str, &str, &str, &str)> = rows
            .iter()
            .map(|(id, day)| (id.as_str(), *day, "capacity", "api"))
            .collect();
        let archive = archive(&rows);
        let found = recurrences(&archive, archive.by_id["now"]);
        assert_eq!(found.count, 7);
        let newest: Vec<&str> = found
            .newest
            .iter()
            .map(|&i| archive.incidents[i].id.as_str())
            .collect();
        assert_eq!(newest, ["r0", "r1", "r2", "r3", "r4"]);
    }

    #[test]
    fn marks_kept_between_calls_find_what_fresh_ones_find() {
        let archive = archive(&[
            ("a", "2024-06-30", "capacity", "api, queue"),
            ("b", "2024-06-29", "capacity", "queue"),
            ("c", "2024-06-28", "database", "api"),
            ("d", "2024-06-27", "capacity", "billing"),
            ("e", "2024-06-26", "database", "queue, api"),
        ]);
        let similarity = Similarity::new(&archive);
        let ids = |found: &[Related]| -> Vec<String> {
            found
                .iter()
                .map(|r| format!("{} ({})", archive.incidents[r.index.unwrap()].id, r.reason))
                .collect()
        };
        let mut marks = Marks::default();
        // Twice round: a mark left from an earlier call must not hide a
        // candidate from a later one.
        for _ in 0..2 {
            for index in 0..archive.incidents.len() {
                let kept = similarity.related_with(index, &mut marks);
                assert_eq!(ids(&kept), ids(&similarity.related(index)));
            }
        }
        let a = similarity.related(archive.by_id["a"]);
        assert_eq!(
            ids(&a),
            // Category 3 points, each shared service 2.
            [
                "b (same category and service: queue)",
                "e (services: queue, api)",
                "d (same category)",
                "c (service: api)"
            ]
        );
    }
}
