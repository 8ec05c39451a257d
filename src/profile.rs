//! Publishing profiles (`[profiles.NAME]` in `hindsight.toml`, chosen with
//! `hindsight build --profile NAME`): which incidents are published and
//! which fields are withheld.
//!
//! A profile is applied between the resolve and index stages, so a
//! withheld incident or field never reaches an index, a count, a chart,
//! the search index, the feed, the sitemap or the JSON export.

use serde::{Deserialize, Serialize};

use crate::model::{Clocks, Impact, Incident};

/// One profile.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct Profile {
    /// Publish only incidents with one of these visibilities (`public`,
    /// `internal`); empty means all.
    pub visibility: Vec<String>,
    /// Publish only incidents with one of these statuses; empty means all
    /// (drafts still need `--drafts`).
    pub status: Vec<String>,
    /// Publish only incidents of these categories; empty means all.
    pub categories: Vec<String>,
    /// Never publish incidents of these categories.
    pub exclude_categories: Vec<String>,
    /// Fields to withhold from every published incident, by frontmatter
    /// name: `authors`, `teams`, `services`, `tags`, `links`, `related`,
    /// `root_cause`, `contributing_factors`, `action_items`, `trigger`,
    /// `severity`, `category`, `detection.method`, `timezone`, `impact` or
    /// one `impact.*` field, `detected_at`/`acknowledged_at`/
    /// `mitigated_at`/`resolved_at`, and `body`. Other names are accepted
    /// and change nothing (unknown frontmatter fields are never published).
    pub withhold: Vec<String>,
    /// Base URL for this profile (overridden by `--base-url`).
    pub base_url: Option<String>,
    /// Output folder for this profile, relative to the root.
    pub output_dir: Option<String>,
}

impl Profile {
    /// Whether the profile publishes `incident`.
    pub fn publishes(&self, incident: &Incident) -> bool {
        let visibility = match incident.visibility {
            crate::model::Visibility::Public => "public",
            crate::model::Visibility::Internal => "internal",
        };
        let category = incident.category.as_deref().unwrap_or("");
        (self.visibility.is_empty() || self.visibility.iter().any(|v| v == visibility))
            && (self.status.is_empty() || self.status.iter().any(|s| s == incident.status.as_str()))
            && (self.categories.is_empty() || self.categories.iter().any(|c| c == category))
            && !self.exclude_categories.iter().any(|c| c == category)
    }

    /// Removes the withheld fields from `incident` (and their provenance).
    pub fn redact(&self, incident: &mut Incident) {
        for field in &self.withhold {
            let field = field.as_str();
            match field {
                "authors" => incident.authors.clear(),
                "teams" => incident.teams.clear(),
                "services" => incident.services.clear(),
                "tags" => incident.tags.clear(),
                "links" => incident.links.clear(),
                "related" => incident.related.clear(),
                "root_cause" => incident.root_cause = None,
                "contributing_factors" => incident.contributing_factors.clear(),
                "action_items" => incident.action_items.clear(),
                "trigger" => incident.trigger = None,
                "severity" => incident.severity = None,
                "category" | "categories" => {
                    incident.category = None;
                    incident.secondary_categories.clear();
                }
                "secondary_categories" => incident.secondary_categories.clear(),
                "detection" | "detection.method" => incident.detection_method = None,
                "timezone" => incident.timezone = None,
                "impact" => {
                    incident.impact = Impact::default();
                    incident.duration_minutes = None;
                    incident.clocks = Clocks::default();
                }
                "impact.started_at" | "started_at" | "impact.ended_at" | "ended_at" => {
                    incident.impact.started_at = None;
                    incident.impact.ended_at = None;
                    incident.duration_minutes = None;
                    incident.clocks = Clocks::default();
                }
                "impact.users_affected_pct" => incident.impact.users_affected_pct = None,
                "impact.users_affected" => incident.impact.users_affected = None,
                "impact.customers_affected" => incident.impact.customers_affected = None,
                "impact.kind" => incident.impact.kind = None,
                "impact.error_budget_burned_pct" => incident.impact.error_budget_burned_pct = None,
                "impact.summary" => incident.impact.summary = None,
                "detected_at" => {
                    incident.detected_at = None;
                    incident.clocks.detect = None;
                }
                "acknowledged_at" => {
                    incident.acknowledged_at = None;
                    incident.clocks.acknowledge = None;
                }
                "mitigated_at" => {
                    incident.mitigated_at = None;
                    incident.clocks.mitigate = None;
                }
                "resolved_at" => {
                    incident.resolved_at = None;
                    incident.clocks.resolve = None;
                }
                "body" => {
                    incident.body.clear();
                    incident.timeline.clear();
                }
                _ => {}
            }
            incident
                .provenance
                .retain(|name, _| !(*name == field || name.starts_with(&format!("{field}."))));
        }
    }
}

/// Applies `profile` to the resolved incidents: drops those it does not
/// publish and redacts the rest. Returns the published incidents and the
/// source paths of the dropped ones (links to them are unlinked, not
/// broken).
pub fn apply(
    incidents: Vec<std::sync::Arc<Incident>>,
    profile: &Profile,
) -> (Vec<std::sync::Arc<Incident>>, Vec<std::path::PathBuf>) {
    let mut kept = Vec::with_capacity(incidents.len());
    let mut dropped = Vec::new();
    for mut incident in incidents {
        if profile.publishes(&incident) {
            if !profile.withhold.is_empty() {
                profile.redact(std::sync::Arc::make_mut(&mut incident));
            }
            kept.push(incident);
        } else {
            dropped.push(incident.source.clone());
        }
    }
    (kept, dropped)
}
