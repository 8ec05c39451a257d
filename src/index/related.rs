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
    match parts {
        [] => String::new(),
        [one] => one.clone(),
        [head @ .., last] => format!("{} and {last}", head.join(", ")),
    }
}

/// The incidents related to incident `index`: its explicit `related`
/// entries first (in the order written), then up to [`SIMILAR`] similar
/// ones ranked by shared category (3 points), services (2 each), tags (1
/// each) and trigger (1), then by nearness in time. Never itself;
/// deterministic.
pub fn related(archive: &Archive, index: usize) -> Vec<Related> {
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

    // Candidates: the nearest incidents in time within each shared term.
    let mut candidates: HashMap<usize, ()> = HashMap::new();
    for kind in [
        TaxonomyKind::Categories,
        TaxonomyKind::Services,
        TaxonomyKind::Tags,
    ] {
        for term in &archive.taxonomy(kind).terms {
            if term.slug == "uncategorised" {
                continue;
            }
            let Ok(position) = term.incidents.binary_search(&index) else {
                continue;
            };
            let from = position.saturating_sub(NEIGHBOURS_PER_TERM / 2);
            let to = (position + NEIGHBOURS_PER_TERM / 2 + 1).min(term.incidents.len());
            for &other in &term.incidents[from..to] {
                candidates.insert(other, ());
            }
        }
    }
    let (my_services, my_tags) = (&archive.service_slugs[index], &archive.tag_slugs[index]);
    let shared = |mine: &[String], theirs: &[String]| {
        theirs.iter().filter(|slug| mine.contains(slug)).count() as i64
    };
    let same_category = |other: &crate::model::Incident| {
        incident.category.is_some() && incident.category == other.category
    };
    let same_trigger = |other: &crate::model::Incident| {
        incident.trigger.is_some() && incident.trigger == other.trigger
    };
    // Score every candidate first; reasons are written for the kept ones.
    let mut scored: Vec<(i64, i64, &str, usize)> = Vec::new();
    for &other in candidates.keys() {
        if listed.contains(&other) {
            continue;
        }
        let candidate = &archive.incidents[other];
        let score = 3 * i64::from(same_category(candidate))
            + 2 * shared(my_services, &archive.service_slugs[other])
            + shared(my_tags, &archive.tag_slugs[other])
            + i64::from(same_trigger(candidate));
        if score == 0 {
            continue;
        }
        let distance = match (archive.day_numbers[index], archive.day_numbers[other]) {
            (Some(a), Some(b)) => i64::from((a - b).abs()),
            _ => i64::MAX / 4,
        };
        scored.push((score, distance, candidate.id.as_str(), other));
    }
    scored.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(b.2)));
    for (_, _, _, other) in scored.into_iter().take(SIMILAR) {
        let candidate = &archive.incidents[other];
        let names = |names: &[String], slugs: &[String], mine: &[String]| -> Vec<String> {
            names
                .iter()
                .zip(slugs)
                .filter(|(_, slug)| mine.contains(slug))
                .map(|(name, _)| name.clone())
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
            parts.push(format!(
                "{}: {}",
                if services.len() == 1 {
                    "service"
                } else {
                    "services"
                },
                services.join(", ")
            ));
        }
        if !tags.is_empty() {
            parts.push(format!(
                "{}: {}",
                if tags.len() == 1 { "tag" } else { "tags" },
                tags.join(", ")
            ));
        }
        if same_trigger(candidate) {
            parts.push("same trigger".to_string());
        }
        // "same category and service: payments".
        let mut reason = join(&parts);
        if parts.len() >= 2 && parts[0] == "same category" && parts[1].starts_with("service") {
            reason = format!("same category and {}", join(&parts[1..]));
        }
        result.push(Related {
            index: Some(other),
            url: None,
            reason,
        });
    }
    result
}

/// Earlier incidents with the same category and a shared service within
/// [`RECURRENCE_DAYS`] before incident `index`, newest first.
pub fn recurrences(archive: &Archive, index: usize) -> Vec<usize> {
    let incident = &archive.incidents[index];
    let (Some(category), Some(date)) = (&incident.category, incident.sort_date()) else {
        return Vec::new();
    };
    if incident.services.is_empty() {
        return Vec::new();
    }
    let Some(term) = archive
        .taxonomy(TaxonomyKind::Categories)
        .terms
        .iter()
        .find(|t| &t.slug == category)
    else {
        return Vec::new();
    };
    let services = &archive.service_slugs[index];
    let Ok(position) = term.incidents.binary_search(&index) else {
        return Vec::new();
    };
    let mut found = Vec::new();
    // Term lists are newest first: older incidents follow.
    for &other in &term.incidents[position + 1..] {
        let Some(other_date) = archive.incidents[other].sort_date() else {
            continue;
        };
        let Ok(span) = other_date.until(date) else {
            continue;
        };
        if span.get_days() > RECURRENCE_DAYS as i32 {
            break;
        }
        if archive.service_slugs[other]
            .iter()
            .any(|s| services.contains(s))
        {
            found.push(other);
        }
    }
    found
}
