//! Figures of a set of incidents (GUIDE.md 5 and 9): counts by month,
//! category, severity and bucket; distributions of duration, time to
//! detect and time to mitigate; action-item completion. Each figure knows
//! how many incidents it is based on ("n of N"). No means.

use serde::Serialize;

use super::{Archive, Distribution, TaxonomyKind};

/// A labelled count.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Count {
    /// Display label.
    pub label: String,
    /// Term slug.
    pub slug: String,
    /// How many.
    pub count: usize,
}

/// Incidents of one calendar month, by severity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Month {
    /// `YYYY-MM`.
    pub month: String,
    /// Counts for SEV1, SEV2, SEV3, SEV4 and unrated, in that order.
    pub by_severity: [usize; 5],
    /// All incidents of the month.
    pub total: usize,
}

/// Action-item completion.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct ActionFigures {
    /// All items.
    pub total: usize,
    /// `done`.
    pub done: usize,
    /// `wont-do`.
    pub wont_do: usize,
    /// `todo` or `in-progress`.
    pub open: usize,
    /// Open items whose due date is before the build date.
    pub overdue: usize,
    /// Items whose status the postmortem does not state (inferred).
    pub unknown: usize,
    /// Incidents with at least one item.
    pub incidents_with_items: usize,
}

impl ActionFigures {
    /// Settled items (done or won't do) in whole percent of the items
    /// whose status is known; `None` when no item has a known status.
    pub fn completion_pct(&self) -> Option<usize> {
        ((self.done + self.wont_do) * 100).checked_div(self.total - self.unknown)
    }
}

/// The figures of a set of incidents.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Figures {
    /// How many incidents the set has (the "N" of "n of N").
    pub total: usize,
    /// Duration in minutes.
    pub duration: Distribution,
    /// Time to detect in minutes.
    pub detect: Distribution,
    /// Time to mitigate in minutes.
    pub mitigate: Distribution,
    /// Every month from the first to the last dated incident, empty months
    /// included.
    pub months: Vec<Month>,
    /// Incidents without a date.
    pub undated: usize,
    /// Count per category, in the site's order; categories with no
    /// incident are left out.
    pub categories: Vec<Count>,
    /// Count per severity, SEV1 first, then unrated.
    pub severities: Vec<Count>,
    /// Count per duration bucket, `unknown` last.
    pub duration_buckets: Vec<Count>,
    /// Count per users-affected bucket, `unknown` last.
    pub impact_buckets: Vec<Count>,
    /// Action items.
    pub actions: ActionFigures,
}

/// The figures of the incidents at `indices`. `today` decides which items
/// are overdue (the build date: `SOURCE_DATE_EPOCH` when set).
pub fn figures(archive: &Archive, indices: &[usize], today: jiff::civil::Date) -> Figures {
    let incidents = || indices.iter().map(|&i| &archive.incidents[i]);
    let count_terms = |kind: TaxonomyKind, keep_empty: bool| -> Vec<Count> {
        let members: std::collections::HashSet<usize> = indices.iter().copied().collect();
        archive
            .taxonomy(kind)
            .terms
            .iter()
            .map(|t| Count {
                label: t.name.clone(),
                slug: t.slug.clone(),
                count: t.incidents.iter().filter(|i| members.contains(i)).count(),
            })
            .filter(|c| keep_empty || c.count > 0)
            .collect()
    };

    let mut months: std::collections::BTreeMap<(i16, i8), [usize; 5]> =
        std::collections::BTreeMap::new();
    let mut undated = 0;
    for incident in incidents() {
        match incident.sort_date() {
            Some(date) => {
                let slot = incident.severity.map_or(4, |s| s as usize);
                months.entry((date.year(), date.month())).or_default()[slot] += 1;
            }
            None => undated += 1,
        }
    }
    let mut month_list = Vec::new();
    if let (Some(&first), Some(&last)) = (months.keys().next(), months.keys().next_back()) {
        let (mut year, mut month) = first;
        while (year, month) <= last {
            let by_severity = months.get(&(year, month)).copied().unwrap_or_default();
            month_list.push(Month {
                month: format!("{year:04}-{month:02}"),
                by_severity,
                total: by_severity.iter().sum(),
            });
            (year, month) = if month == 12 {
                (year + 1, 1)
            } else {
                (year, month + 1)
            };
        }
    }

    let actions = action_figures(archive, indices, today);

    Figures {
        total: indices.len(),
        duration: archive.duration_distribution(indices.iter().copied()),
        detect: archive.detect_distribution(indices.iter().copied()),
        mitigate: mitigate_distribution(archive, indices),
        months: month_list,
        undated,
        categories: count_terms(TaxonomyKind::Categories, false),
        severities: count_terms(TaxonomyKind::Severity, true),
        duration_buckets: count_terms(TaxonomyKind::Duration, true),
        impact_buckets: count_terms(TaxonomyKind::Impact, true),
        actions,
    }
}

/// The time-to-mitigate distribution (minutes) of the incidents at
/// `indices`: linear in their number.
pub fn mitigate_distribution(archive: &Archive, indices: &[usize]) -> Distribution {
    Distribution::of(
        indices
            .iter()
            .filter_map(|&i| archive.incidents[i].clocks.mitigate)
            .collect(),
    )
}

/// The action-item figures of the incidents at `indices`, linear in their
/// items. `today` decides which items are overdue. Term pages need these
/// and [`mitigate_distribution`] only: [`figures`] also counts every
/// taxonomy's terms, which costs as much as the whole archive.
pub fn action_figures(
    archive: &Archive,
    indices: &[usize],
    today: jiff::civil::Date,
) -> ActionFigures {
    let mut actions = ActionFigures::default();
    for incident in indices.iter().map(|&i| &archive.incidents[i]) {
        if !incident.action_items.is_empty() {
            actions.incidents_with_items += 1;
        }
        for item in &incident.action_items {
            actions.total += 1;
            match item.status.as_str() {
                "done" => actions.done += 1,
                "wont-do" => actions.wont_do += 1,
                crate::model::UNKNOWN_STATUS => actions.unknown += 1,
                _ => {
                    actions.open += 1;
                    if item.due.is_some_and(|due| due < today) {
                        actions.overdue += 1;
                    }
                }
            }
        }
    }
    actions
}
