//! The pages of a site (GUIDE.md 9) as a flat job list, and the
//! ready-made data each template receives. Templates compute nothing: lists
//! arrive sorted, figures computed, times formatted, links relative.

use serde::Serialize;

use crate::config::Config;
use crate::index::{Archive, Distribution, TaxonomyKind, format_minutes, format_number};
use crate::model::{Incident, Source};

/// One page of the site.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Page {
    /// `index.html`.
    Home,
    /// `incidents/index.html` and, past the first, `incidents/page/<n>/`:
    /// the incidents in a table, `paginate_by` to a page; by 0-based page
    /// number.
    Incidents(usize),
    /// `incidents/<id>/index.html`, by incident index.
    Incident(usize),
    /// `<taxonomy>/index.html`.
    Taxonomy(TaxonomyKind),
    /// `<taxonomy>/<term>/index.html` and, past the first,
    /// `<taxonomy>/<term>/page/<n>/`: by term index and 0-based page number.
    Term(TaxonomyKind, usize, usize),
    /// `404.html`.
    NotFound,
    /// `stats/index.html`: figures and charts.
    Stats,
    /// `action-items/index.html`: open action items across the archive;
    /// page `n` (0-based) of them (see [`action_item_lists`]).
    ActionItems(usize),
}

/// Every page of the archive, in a fixed order. Lists (all incidents,
/// each term, the action items) are split into pages of `paginate_by`
/// rows; 0 puts each list on one page.
pub fn all_pages(archive: &Archive, paginate_by: usize) -> Vec<Page> {
    let mut pages = vec![Page::Home, Page::NotFound, Page::Stats];
    let (open, completion) = action_item_lists(archive);
    let action_pages = page_count(open, paginate_by).max(page_count(completion, paginate_by));
    pages.extend((0..action_pages).map(Page::ActionItems));
    pages.extend((0..page_count(archive.incidents.len(), paginate_by)).map(Page::Incidents));
    pages.extend((0..archive.incidents.len()).map(Page::Incident));
    for taxonomy in &archive.taxonomies {
        pages.push(Page::Taxonomy(taxonomy.kind));
        for (t, term) in taxonomy.terms.iter().enumerate() {
            pages.extend(
                (0..page_count(term.incidents.len(), paginate_by))
                    .map(|n| Page::Term(taxonomy.kind, t, n)),
            );
        }
    }
    pages
}

/// The lengths of the two lists of `action-items/`, paginated in step
/// (page `n` shows the `n`-th slice of each): the open items (status
/// known and not settled), and the incidents with an item whose status is
/// known (the completion table).
pub fn action_item_lists(archive: &Archive) -> (usize, usize) {
    let mut open = 0;
    let mut completion = 0;
    for incident in &archive.incidents {
        open += incident.action_items.iter().filter(|a| a.is_open()).count();
        if incident
            .action_items
            .iter()
            .any(|a| a.status != crate::model::UNKNOWN_STATUS)
        {
            completion += 1;
        }
    }
    (open, completion)
}

/// How many pages a list of `items` rows takes at `paginate_by` rows a
/// page (0: no limit). At least one: an empty list still has its page.
pub fn page_count(items: usize, paginate_by: usize) -> usize {
    if paginate_by == 0 {
        1
    } else {
        items.div_ceil(paginate_by).max(1)
    }
}

/// The rows of page `number` (0-based) of a list of `items` rows.
pub fn page_rows(items: usize, paginate_by: usize, number: usize) -> std::ops::Range<usize> {
    if paginate_by == 0 {
        return 0..items;
    }
    let start = (number * paginate_by).min(items);
    start..(start + paginate_by).min(items)
}

/// The path of page `number` (0-based) of a list whose first page is
/// `first` (`…/index.html`): `first` itself, then `…/page/2/index.html`,
/// as Zola and Hugo lay them out.
pub fn paged_path(first: &str, number: usize) -> String {
    if number == 0 {
        return first.to_string();
    }
    let folder = first.strip_suffix("index.html").unwrap_or(first);
    format!("{folder}page/{}/index.html", number + 1)
}

/// The pager of a paginated list, for templates: where this page is, and
/// links (paths from the site root) to the previous, next, first and last
/// pages and to the pages around this one.
#[derive(Debug, Clone, Serialize)]
pub struct Paginator {
    /// This page's number, from 1.
    pub number: usize,
    /// How many pages the list has.
    pub count: usize,
    /// How many rows the whole list has.
    pub total: usize,
    /// The first row on this page, from 1 (0 when the list is empty).
    pub first_row: usize,
    /// The last row on this page.
    pub last_row: usize,
    /// The previous page, if any.
    pub previous: Option<String>,
    /// The next page, if any.
    pub next: Option<String>,
    /// What the rows are, for the pager's text (`Incidents`).
    pub noun: &'static str,
    /// The labels of the links to the previous and next pages.
    pub previous_label: &'static str,
    /// See `previous_label`.
    pub next_label: &'static str,
    /// Page links: the first and last pages and two either side of this
    /// one, in order, with a gap entry where numbers are skipped (so a
    /// pager stays short however long the list: not every page links to
    /// every other).
    pub links: Vec<PageLink>,
}

/// One entry of a pager.
#[derive(Debug, Clone, Serialize)]
pub struct PageLink {
    /// Page number, from 1; 0 for a gap.
    pub number: usize,
    /// Path from the site root (empty for a gap).
    pub url: String,
    /// Whether this is the page being shown.
    pub current: bool,
}

impl Paginator {
    /// The pager of page `number` (0-based) of a list of `total` rows
    /// whose first page is at `first`.
    pub fn new(first: &str, total: usize, paginate_by: usize, number: usize) -> Self {
        Paginator::in_step(first, total, 0, paginate_by, number)
    }

    /// The pager of page `number` of `action-items/`: its `open` items and
    /// its `completion` table are paginated in step, so it has as many
    /// pages as the longer list needs; the pager counts the open items
    /// (`first_row` is 0 on a page past the last of them).
    pub fn action_items(open: usize, completion: usize, paginate_by: usize, number: usize) -> Self {
        Paginator {
            noun: "Open items",
            previous_label: "← Previous",
            next_label: "Next →",
            ..Paginator::in_step(
                "action-items/index.html",
                open,
                completion,
                paginate_by,
                number,
            )
        }
    }

    /// The pager of a list of `total` rows shown beside another list of
    /// `beside` rows, paginated in step with it (0: none).
    fn in_step(
        first: &str,
        total: usize,
        beside: usize,
        paginate_by: usize,
        number: usize,
    ) -> Self {
        let count = page_count(total, paginate_by).max(page_count(beside, paginate_by));
        let rows = page_rows(total, paginate_by, number);
        let link = |n: usize| PageLink {
            number: n + 1,
            url: paged_path(first, n),
            current: n == number,
        };
        // The first and last pages and two either side of this one,
        // without visiting the pages in between.
        let mut shown: Vec<usize> = [0, count - 1]
            .into_iter()
            .chain(number.saturating_sub(2)..=(number + 2).min(count - 1))
            .collect();
        shown.sort_unstable();
        shown.dedup();
        let mut links = Vec::with_capacity(shown.len() + 2);
        for (k, &n) in shown.iter().enumerate() {
            if k > 0 && n > shown[k - 1] + 1 {
                links.push(PageLink {
                    number: 0,
                    url: String::new(),
                    current: false,
                });
            }
            links.push(link(n));
        }
        Paginator {
            number: number + 1,
            count,
            total,
            first_row: if rows.is_empty() { 0 } else { rows.start + 1 },
            last_row: rows.end,
            previous: number.checked_sub(1).map(|n| paged_path(first, n)),
            next: (number + 1 < count).then(|| paged_path(first, number + 1)),
            noun: "Incidents",
            previous_label: "← Newer",
            next_label: "Older →",
            links,
        }
    }
}

impl Page {
    /// The output path, relative to the site root.
    pub fn path(self, archive: &Archive) -> String {
        match self {
            Page::Home => "index.html".to_string(),
            Page::Incidents(n) => paged_path("incidents/index.html", n),
            Page::Incident(i) => incident_url(&archive.incidents[i]),
            Page::Taxonomy(kind) => format!("{}/index.html", kind.path()),
            Page::Term(kind, t, 0) => term_url(kind, &archive.taxonomy(kind).terms[t].slug),
            Page::Term(kind, t, n) => {
                paged_path(&term_url(kind, &archive.taxonomy(kind).terms[t].slug), n)
            }
            Page::NotFound => "404.html".to_string(),
            Page::Stats => "stats/index.html".to_string(),
            Page::ActionItems(n) => paged_path("action-items/index.html", n),
        }
    }

    /// The 0-based page number of a paginated list page; 0 for others.
    pub fn number(self) -> usize {
        match self {
            Page::Incidents(n) | Page::Term(_, _, n) | Page::ActionItems(n) => n,
            _ => 0,
        }
    }

    /// The template that renders it.
    pub fn template(self) -> &'static str {
        match self {
            Page::Home => "home.html",
            Page::Incidents(_) => "incidents.html",
            Page::Incident(_) => "incident.html",
            Page::Taxonomy(_) => "taxonomy.html",
            Page::Term(..) => "term.html",
            Page::NotFound => "404.html",
            Page::Stats => "stats.html",
            Page::ActionItems(_) => "action-items.html",
        }
    }
}

/// `incidents/<id>/index.html`.
pub fn incident_url(incident: &Incident) -> String {
    // Concatenated rather than formatted: one call per incident page.
    ["incidents/", incident.id.as_str(), "/index.html"].concat()
}

/// `<taxonomy>/<slug>/index.html`.
pub fn term_url(kind: TaxonomyKind, slug: &str) -> String {
    // Concatenated rather than formatted: one call per term page.
    [kind.path(), "/", slug, "/index.html"].concat()
}

/// The `../` prefix that leads from a page at `path` back to the site root.
pub fn root_prefix(path: &str) -> String {
    "../".repeat(path.matches('/').count())
}

/// Data every page gets.
#[derive(Debug, Serialize)]
pub struct SiteData {
    /// Site title.
    pub title: String,
    /// Site description.
    pub description: String,
    /// Absolute base URL with a trailing `/`, or empty.
    pub base_url: String,
    /// `hindsight <version>`.
    pub generator: String,
    /// Navigation entries.
    pub nav: Vec<NavItem>,
    /// Config `remote_images`: the CSP allows `https:` images only when set.
    pub remote_images: bool,
}

/// A navigation entry.
#[derive(Debug, Serialize)]
pub struct NavItem {
    /// Label.
    pub title: &'static str,
    /// Path from the site root.
    pub url: String,
    /// Taxonomy or section key, to mark the current section.
    pub key: &'static str,
}

impl SiteData {
    /// The site data for `config` (base URL normalised to end in `/`).
    pub fn new(config: &Config) -> Self {
        let mut base_url = config.base_url.trim().to_string();
        if !base_url.is_empty() && !base_url.ends_with('/') {
            base_url.push('/');
        }
        let mut nav = vec![NavItem {
            title: "Incidents",
            url: "incidents/index.html".to_string(),
            key: "incidents",
        }];
        for kind in [
            TaxonomyKind::Categories,
            TaxonomyKind::Severity,
            TaxonomyKind::Duration,
            TaxonomyKind::Impact,
            TaxonomyKind::Services,
            TaxonomyKind::Years,
        ] {
            nav.push(NavItem {
                title: match kind {
                    TaxonomyKind::Categories => "Causes",
                    TaxonomyKind::Impact => "Impact",
                    _ => kind.title(),
                },
                url: format!("{}/index.html", kind.path()),
                key: kind.path(),
            });
        }
        nav.push(NavItem {
            title: "Stats",
            url: "stats/index.html".to_string(),
            key: "stats",
        });
        nav.push(NavItem {
            title: "Actions",
            url: "action-items/index.html".to_string(),
            key: "action-items",
        });
        SiteData {
            title: config.title.clone(),
            description: config.description.clone(),
            base_url,
            generator: format!("hindsight {}", env!("CARGO_PKG_VERSION")),
            nav,
            remote_images: config.remote_images,
        }
    }
}

/// A link to a term.
#[derive(Debug, Clone, Serialize)]
pub struct TermLink {
    /// Display name.
    pub name: String,
    /// Slug.
    pub slug: String,
    /// Path from the site root.
    pub url: String,
}

/// One row of an incident list.
#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    /// Id.
    pub id: String,
    /// Path from the site root.
    pub url: String,
    /// Title.
    pub title: String,
    /// Report date, `YYYY-MM-DD`, or empty.
    pub date: String,
    /// Severity term.
    pub severity: Option<TermLink>,
    /// Category term.
    pub category: Option<TermLink>,
    /// Duration in words.
    pub duration: Option<String>,
    /// Duration in minutes, for sorting.
    pub duration_minutes: Option<i64>,
    /// Users affected, `"20%"`.
    pub users_affected: Option<String>,
    /// Services.
    pub services: Vec<TermLink>,
    /// Status value.
    pub status: &'static str,
}

/// `summary` as a template value: the map serialising it gives (same
/// keys, order and values), built directly, with each term link's value
/// from `term` (so that links to one term can share one value).
pub fn summary_value(
    summary: &Summary,
    mut term: impl FnMut(&TermLink) -> tera::Value,
) -> tera::Value {
    let mut optional =
        |link: &Option<TermLink>| link.as_ref().map_or(tera::Value::none(), &mut term);
    let severity = optional(&summary.severity);
    let category = optional(&summary.category);
    let services: Vec<tera::Value> = summary.services.iter().map(&mut term).collect();
    let mut map = tera::Map::with_capacity(11);
    map.insert("id".into(), summary.id.as_str().into());
    map.insert("url".into(), summary.url.as_str().into());
    map.insert("title".into(), summary.title.as_str().into());
    map.insert("date".into(), summary.date.as_str().into());
    map.insert("severity".into(), severity);
    map.insert("category".into(), category);
    map.insert("duration".into(), summary.duration.clone().into());
    map.insert("duration_minutes".into(), summary.duration_minutes.into());
    map.insert(
        "users_affected".into(),
        summary.users_affected.clone().into(),
    );
    map.insert("services".into(), services.into());
    map.insert("status".into(), summary.status.into());
    tera::Value::from(map)
}

/// The summary of incident `index`.
pub fn summary(archive: &Archive, config: &Config, index: usize) -> Summary {
    let incident = &archive.incidents[index];
    let term_link = |kind: TaxonomyKind, slug: &str| {
        archive
            .taxonomy(kind)
            .terms
            .iter()
            .find(|t| t.slug == slug)
            .map(|t| TermLink {
                name: t.name.clone(),
                slug: t.slug.clone(),
                url: term_url(kind, &t.slug),
            })
    };
    Summary {
        id: incident.id.clone(),
        url: incident_url(incident),
        title: incident.title.clone(),
        date: incident
            .sort_date()
            .map(|d| d.to_string())
            .unwrap_or_default(),
        severity: incident
            .severity
            .and_then(|s| term_link(TaxonomyKind::Severity, s.slug())),
        category: incident
            .category
            .as_deref()
            .and_then(|c| config.category(c))
            .and_then(|c| term_link(TaxonomyKind::Categories, &c.slug)),
        duration: incident.duration_minutes.map(format_minutes),
        duration_minutes: incident.duration_minutes,
        users_affected: incident
            .impact
            .users_affected_pct
            .map(|p| format!("{}%", format_number(p))),
        services: incident
            .services
            .iter()
            .filter_map(|s| term_link(TaxonomyKind::Services, &crate::slug::slugify(s)))
            .collect(),
        status: incident.status.as_str(),
    }
}

/// A point in time as shown on a page.
#[derive(Debug, Clone, Serialize)]
pub struct TimeData {
    /// In the incident's zone (or as written): `2024-03-03 22:00 PST`.
    pub local: String,
    /// In UTC: `2024-03-04 06:00 UTC`.
    pub utc: String,
    /// RFC 3339, for `<time datetime>`.
    pub iso: String,
}

/// Formats `time` in the incident's display zone (if any) and in UTC.
pub fn time_data(time: &jiff::Zoned, display_zone: Option<&str>) -> TimeData {
    TimeData {
        local: local_time(time, display_zone),
        utc: utc_minute(time.timestamp()),
        iso: time.timestamp().to_string(),
    }
}

/// [`TimeData::local`] alone: `time` to the minute in `display_zone`
/// (`2024-03-03 22:00 PST`), else in its own offset (`... UTC` or
/// `... UTC-08:00`).
pub fn local_time(time: &jiff::Zoned, display_zone: Option<&str>) -> String {
    match display_zone.and_then(|name| jiff::tz::TimeZone::get(name).ok()) {
        Some(tz) => time
            .with_time_zone(tz)
            .strftime("%Y-%m-%d %H:%M %Z")
            .to_string(),
        None if time.offset().seconds() == 0 => utc_minute(time.timestamp()),
        None => time.strftime("%Y-%m-%d %H:%M UTC%:z").to_string(),
    }
}

/// `timestamp` in UTC to the minute, `2024-03-04 06:00 UTC`: what
/// `strftime("%Y-%m-%d %H:%M UTC")` gives, written from the date's
/// numbers (pages show several times each; a `strftime` parses its
/// format every call). jiff's years run from -9999 to 9999; a negative
/// one goes through `strftime`.
fn utc_minute(timestamp: jiff::Timestamp) -> String {
    let at = jiff::tz::Offset::UTC.to_datetime(timestamp);
    let Ok(year) = u32::try_from(at.year()) else {
        return timestamp.strftime("%Y-%m-%d %H:%M UTC").to_string();
    };
    let two = |n: i8| u32::try_from(n).unwrap_or(0);
    let mut text = String::with_capacity(20);
    push_digits(&mut text, year, 4);
    text.push('-');
    push_digits(&mut text, two(at.month()), 2);
    text.push('-');
    push_digits(&mut text, two(at.day()), 2);
    text.push(' ');
    push_digits(&mut text, two(at.hour()), 2);
    text.push(':');
    push_digits(&mut text, two(at.minute()), 2);
    text.push_str(" UTC");
    text
}

/// Appends the last `width` decimal digits of `n`, zero-padded.
fn push_digits(text: &mut String, n: u32, width: u32) {
    for place in (0..width).rev() {
        let digit = n / 10u32.pow(place) % 10;
        text.push(char::from(b'0' + digit as u8));
    }
}

/// One row of an incident's metadata panel.
#[derive(Debug, Clone, Serialize)]
pub struct MetaRow {
    /// Label.
    pub label: &'static str,
    /// Values, each with an optional link (path from the site root).
    pub values: Vec<MetaValue>,
    /// `frontmatter`, `inferred`, `derived` or `default`.
    pub source: Option<Source>,
    /// For inferred values, the text they were read from.
    pub evidence: Option<String>,
}

/// One value in a metadata row.
#[derive(Debug, Clone, Serialize)]
pub struct MetaValue {
    /// Text.
    pub text: String,
    /// Link from the site root, if any.
    pub url: Option<String>,
    /// A secondary note to the value before it (the UTC time).
    pub note: bool,
}

fn value(text: impl Into<String>, url: Option<String>) -> MetaValue {
    MetaValue {
        text: text.into(),
        url,
        note: false,
    }
}

/// A time as a value in the stated zone, plus its UTC form when different.
fn time_values(time: &jiff::Zoned, zone: Option<&str>) -> Vec<MetaValue> {
    let t = time_data(time, zone);
    let mut values = vec![value(t.local.clone(), None)];
    if t.local != t.utc {
        values.push(MetaValue {
            text: t.utc,
            url: None,
            note: true,
        });
    }
    values
}

/// The metadata panel of incident `index`: severity, window (stated zone
/// and UTC), duration, users affected, category, services, teams, status...
pub fn meta_rows(archive: &Archive, config: &Config, index: usize) -> Vec<MetaRow> {
    let incident = &archive.incidents[index];
    let summary = summary(archive, config, index);
    let mut rows = Vec::new();
    let mut push = |label: &'static str, field: &str, values: Vec<MetaValue>| {
        if values.is_empty() {
            return;
        }
        let provenance = incident.provenance.get(field);
        rows.push(MetaRow {
            label,
            values,
            source: provenance.map(|p| p.source),
            evidence: provenance.and_then(|p| p.evidence.clone()),
        });
    };
    let unrated = || {
        vec![value(
            "Unrated",
            Some(term_url(TaxonomyKind::Severity, "unrated")),
        )]
    };
    push(
        "Severity",
        "severity",
        summary
            .severity
            .as_ref()
            .map_or_else(unrated, |s| vec![value(&s.name, Some(s.url.clone()))]),
    );
    let zone = incident.timezone.as_deref();
    if let Some(start) = &incident.impact.started_at {
        push("Started", "impact.started_at", time_values(start, zone));
    }
    if let Some(end) = &incident.impact.ended_at {
        push("Ended", "impact.ended_at", time_values(end, zone));
    }
    let duration_bucket =
        &archive.taxonomy(TaxonomyKind::Duration).terms[archive.duration_bucket[index]];
    push(
        "Duration",
        "duration_minutes",
        vec![value(
            summary
                .duration
                .clone()
                .unwrap_or_else(|| "Unknown".to_string()),
            Some(term_url(TaxonomyKind::Duration, &duration_bucket.slug)),
        )],
    );
    let impact_bucket = &archive.taxonomy(TaxonomyKind::Impact).terms[archive.impact_bucket[index]];
    push(
        "Users affected",
        "impact.users_affected_pct",
        vec![value(
            summary
                .users_affected
                .clone()
                .unwrap_or_else(|| "Unknown".to_string()),
            Some(term_url(TaxonomyKind::Impact, &impact_bucket.slug)),
        )],
    );
    if let Some(users) = incident.impact.users_affected {
        push(
            "Users",
            "impact.users_affected",
            vec![value(users.to_string(), None)],
        );
    }
    if let Some(customers) = incident.impact.customers_affected {
        push(
            "Customers",
            "impact.customers_affected",
            vec![value(customers.to_string(), None)],
        );
    }
    if let Some(kind) = &incident.impact.kind {
        push(
            "Impact",
            "impact.kind",
            vec![value(kind.replace('-', " "), None)],
        );
    }
    push(
        "Category",
        "category",
        summary.category.as_ref().map_or_else(
            || vec![value("Not categorised", None)],
            |c| vec![value(&c.name, Some(c.url.clone()))],
        ),
    );
    let secondary: Vec<MetaValue> = incident
        .secondary_categories
        .iter()
        .filter_map(|slug| config.category(slug))
        .map(|c| value(&c.name, Some(term_url(TaxonomyKind::Categories, &c.slug))))
        .collect();
    push("Also", "secondary_categories", secondary);
    if let Some(trigger) = &incident.trigger {
        push(
            "Trigger",
            "trigger",
            vec![value(trigger.replace('-', " "), None)],
        );
    }
    push(
        "Services",
        "services",
        summary
            .services
            .iter()
            .map(|s| value(&s.name, Some(s.url.clone())))
            .collect(),
    );
    let teams = archive.taxonomy(TaxonomyKind::Teams);
    push(
        "Teams",
        "teams",
        incident
            .teams
            .iter()
            .map(|t| {
                let slug = crate::slug::slugify(t);
                value(
                    t,
                    teams
                        .terms
                        .iter()
                        .any(|x| x.slug == slug)
                        .then(|| term_url(TaxonomyKind::Teams, &slug)),
                )
            })
            .collect(),
    );
    if let Some(method) = &incident.detection_method {
        push(
            "Detected by",
            "detection.method",
            vec![value(method.replace('-', " "), None)],
        );
    }
    push(
        "Status",
        "status",
        vec![value(incident.status.as_str().replace('-', " "), None)],
    );
    push(
        "Authors",
        "authors",
        incident.authors.iter().map(|a| value(a, None)).collect(),
    );
    rows
}

/// An elapsed-time figure on an incident page.
#[derive(Debug, Clone, Serialize)]
pub struct ClockData {
    /// `Time to detect`...
    pub label: &'static str,
    /// `12 min`.
    pub value: String,
}

/// The clocks of an incident that are known (GUIDE.md 5).
pub fn clocks(incident: &Incident) -> Vec<ClockData> {
    [
        ("Time to detect", incident.clocks.detect),
        ("Time to acknowledge", incident.clocks.acknowledge),
        ("Time to mitigate", incident.clocks.mitigate),
        ("Time to resolve", incident.clocks.resolve),
    ]
    .into_iter()
    .filter_map(|(label, minutes)| {
        minutes.map(|m| ClockData {
            label,
            value: format_minutes(m),
        })
    })
    .collect()
}

/// A distribution as shown on pages, with "n of N".
#[derive(Debug, Clone, Serialize)]
pub struct FigureData {
    /// How many incidents had the figure.
    pub n: usize,
    /// How many incidents there were.
    pub total: usize,
    /// Median in words.
    pub median: Option<String>,
    /// p75 in words.
    pub p75: Option<String>,
    /// p90 in words.
    pub p90: Option<String>,
    /// Maximum in words.
    pub max: Option<String>,
}

/// A distribution as a table row: the figure in words and the raw minutes
/// (for tools and tests, in `data-` attributes).
#[derive(Debug, Clone, Serialize)]
pub struct DistributionRow {
    /// `Duration`, `Time to detect`...
    pub label: &'static str,
    /// The slug used in `data-figure` attributes (`duration`, `detect`).
    pub key: &'static str,
    /// Figures in words.
    pub figure: FigureData,
    /// Raw minutes: median, p75, p90, max.
    pub minutes: [Option<i64>; 4],
}

/// A distribution row.
pub fn distribution_row(
    label: &'static str,
    key: &'static str,
    d: Distribution,
    total: usize,
) -> DistributionRow {
    DistributionRow {
        label,
        key,
        figure: figure(d, total),
        minutes: [d.median, d.p75, d.p90, d.max],
    }
}

/// The figure of a distribution over `total` incidents.
pub fn figure(distribution: Distribution, total: usize) -> FigureData {
    FigureData {
        n: distribution.n,
        total,
        median: distribution.median.map(format_minutes),
        p75: distribution.p75.map(format_minutes),
        p90: distribution.p90.map(format_minutes),
        max: distribution.max.map(format_minutes),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_summary_value_is_what_serialising_the_summary_gives() {
        let link = |name: &str| TermLink {
            name: name.to_string(),
            slug: name.to_lowercase(),
            url: format!("services/{}/", name.to_lowercase()),
        };
        let full = Summary {
            id: "2024-03-db".into(),
            url: "incidents/2024-03-db/index.html".into(),
            title: "Database <failover>".into(),
            date: "2024-03-01".into(),
            severity: Some(link("SEV1")),
            category: Some(link("Capacity")),
            duration: Some("1 h 30 min".into()),
            duration_minutes: Some(90),
            users_affected: Some("20%".into()),
            services: vec![link("API"), link("DB")],
            status: "published",
        };
        let empty = Summary {
            severity: None,
            category: None,
            duration: None,
            duration_minutes: None,
            users_affected: None,
            services: Vec::new(),
            ..full.clone()
        };
        for summary in [full, empty] {
            let direct = summary_value(&summary, tera::Value::from_serializable);
            let serialised = tera::Value::from_serializable(&summary);
            assert_eq!(direct, serialised);
            let keys = |v: &tera::Value| -> Vec<String> {
                v.as_map().unwrap().keys().map(|k| k.to_string()).collect()
            };
            assert_eq!(keys(&direct), keys(&serialised), "same key order");
        }
    }

    #[test]
    fn pages_split_rows_and_keep_an_empty_list() {
        assert_eq!(page_count(0, 100), 1);
        assert_eq!(page_count(100, 100), 1);
        assert_eq!(page_count(101, 100), 2);
        assert_eq!(page_count(5_000, 0), 1);
        assert_eq!(page_rows(250, 100, 2), 200..250);
        assert_eq!(page_rows(250, 0, 0), 0..250);
        assert_eq!(
            paged_path("incidents/index.html", 0),
            "incidents/index.html"
        );
        assert_eq!(
            paged_path("severity/sev1/index.html", 2),
            "severity/sev1/page/3/index.html"
        );
    }

    #[test]
    fn pager_shows_ends_and_neighbours_with_gaps() {
        let numbers = |p: &Paginator| {
            p.links
                .iter()
                .map(|l| {
                    if l.current {
                        -(l.number as i64)
                    } else {
                        l.number as i64
                    }
                })
                .collect::<Vec<_>>()
        };
        // Page 10 of 20: 1 … 8 9 [10] 11 12 … 20 (0 marks a gap).
        let p = Paginator::new("incidents/index.html", 2_000, 100, 9);
        assert_eq!(numbers(&p), [1, 0, 8, 9, -10, 11, 12, 0, 20]);
        assert_eq!(p.previous.as_deref(), Some("incidents/page/9/index.html"));
        assert_eq!(p.next.as_deref(), Some("incidents/page/11/index.html"));
        assert_eq!((p.first_row, p.last_row, p.count), (901, 1000, 20));
        // The first page: no previous; page 4 is three away, so a gap.
        let p = Paginator::new("incidents/index.html", 2_000, 100, 0);
        assert_eq!(numbers(&p), [-1, 2, 3, 0, 20]);
        assert_eq!(p.previous, None);
        // Adjacent numbers never get a gap between them.
        let p = Paginator::new("incidents/index.html", 450, 100, 4);
        assert_eq!(numbers(&p), [1, 0, 3, 4, -5]);
        assert_eq!(p.next, None);
        assert_eq!((p.first_row, p.last_row), (401, 450));
        let p = Paginator::new("incidents/index.html", 0, 100, 0);
        assert_eq!(numbers(&p), [-1]);
        assert_eq!((p.first_row, p.last_row), (0, 0));
    }

    #[test]
    fn root_prefix_by_depth() {
        assert_eq!(root_prefix("index.html"), "");
        assert_eq!(root_prefix("incidents/index.html"), "../");
        assert_eq!(root_prefix("incidents/db/index.html"), "../../");
    }

    #[test]
    fn minutes_in_utc_are_what_strftime_gives() {
        let times = [
            "0000-01-01T00:00:00Z",
            "0999-12-31T23:59:59Z",
            "1970-01-01T00:00:00Z",
            "2024-02-29T09:05:59.999Z",
            "2024-03-03T22:00:00-08:00",
            "9999-12-30T21:59:00Z",
            "-000001-06-01T12:00:00Z",
            "-009999-06-01T00:00:00Z",
        ];
        for time in times {
            let timestamp: jiff::Timestamp = time.parse().unwrap();
            let want = timestamp.strftime("%Y-%m-%d %H:%M UTC").to_string();
            assert_eq!(utc_minute(timestamp), want, "{time}");
        }
        assert_eq!(
            utc_minute("2024-03-04T06:07:00Z".parse().unwrap()),
            "2024-03-04 06:07 UTC"
        );
    }

    #[test]
    fn times_in_stated_zone_and_utc() {
        let z: jiff::Zoned = "2024-03-03T22:00:00-08:00[-08:00]".parse().unwrap();
        let t = time_data(&z, None);
        assert_eq!(t.local, "2024-03-03 22:00 UTC-08:00");
        assert_eq!(t.utc, "2024-03-04 06:00 UTC");
        let t = time_data(&z, Some("America/Los_Angeles"));
        assert_eq!(t.local, "2024-03-03 22:00 PST");
    }
}
