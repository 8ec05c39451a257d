//! Machine-readable output: `incidents.json` (the resolved metadata of every
//! published incident, schema `hindsight.incidents/v1`), the Atom feed,
//! `sitemap.xml` and `robots.txt`.
//!
//! JSON is built with serde_json and XML by hand with escaping, never with
//! templates. Nothing here reads the clock: the feed's `updated` is the
//! newest incident's date, so the same input gives the same bytes.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde::Serialize;

use super::pages::incident_url;
use crate::index::Archive;
use crate::model::{Incident, Source};
use crate::report::rfc3339;

/// The schema name and version of `incidents.json`.
pub const SCHEMA: &str = "hindsight.incidents/v1";
/// How many incidents the Atom feed carries.
pub const FEED_ENTRIES: usize = 20;

#[derive(Serialize)]
struct Export<'a> {
    schema: &'static str,
    generator: String,
    site: SiteExport<'a>,
    count: usize,
    incidents: Vec<IncidentExport<'a>>,
}

#[derive(Serialize)]
struct SiteExport<'a> {
    title: &'a str,
    base_url: &'a str,
}

#[derive(Serialize)]
struct ImpactExport<'a> {
    started_at: Option<String>,
    ended_at: Option<String>,
    users_affected_pct: Option<f64>,
    users_affected: Option<u64>,
    customers_affected: Option<u64>,
    kind: Option<&'a str>,
    error_budget_burned_pct: Option<f64>,
    summary: Option<&'a str>,
}

#[derive(Serialize)]
struct ProvenanceExport<'a> {
    source: Source,
    #[serde(skip_serializing_if = "Option::is_none")]
    evidence: Option<&'a str>,
}

#[derive(Serialize)]
struct IncidentExport<'a> {
    id: &'a str,
    url: String,
    title: &'a str,
    date: Option<String>,
    status: &'static str,
    visibility: crate::model::Visibility,
    severity: Option<&'static str>,
    category: Option<&'a str>,
    secondary_categories: &'a [String],
    trigger: Option<&'a str>,
    services: &'a [String],
    teams: &'a [String],
    tags: &'a [String],
    authors: &'a [String],
    timezone: Option<&'a str>,
    impact: ImpactExport<'a>,
    detected_at: Option<String>,
    acknowledged_at: Option<String>,
    mitigated_at: Option<String>,
    resolved_at: Option<String>,
    duration_minutes: Option<i64>,
    clocks: crate::model::Clocks,
    root_cause: Option<&'a str>,
    contributing_factors: &'a [String],
    detection_method: Option<&'a str>,
    action_items: &'a [crate::model::ActionItem],
    related: &'a [String],
    links: &'a [crate::model::Link],
    source: String,
    provenance: BTreeMap<&'a str, ProvenanceExport<'a>>,
}

fn export(incident: &Incident) -> IncidentExport<'_> {
    let time = |t: &Option<jiff::Zoned>| t.as_ref().map(rfc3339);
    IncidentExport {
        id: &incident.id,
        url: incident_url(incident),
        title: &incident.title,
        date: incident.sort_date().map(|d| d.to_string()),
        status: incident.status.as_str(),
        visibility: incident.visibility,
        severity: incident.severity.map(|s| s.label()),
        category: incident.category.as_deref(),
        secondary_categories: &incident.secondary_categories,
        trigger: incident.trigger.as_deref(),
        services: &incident.services,
        teams: &incident.teams,
        tags: &incident.tags,
        authors: &incident.authors,
        timezone: incident.timezone.as_deref(),
        impact: ImpactExport {
            started_at: time(&incident.impact.started_at),
            ended_at: time(&incident.impact.ended_at),
            users_affected_pct: incident.impact.users_affected_pct,
            users_affected: incident.impact.users_affected,
            customers_affected: incident.impact.customers_affected,
            kind: incident.impact.kind.as_deref(),
            error_budget_burned_pct: incident.impact.error_budget_burned_pct,
            summary: incident.impact.summary.as_deref(),
        },
        detected_at: time(&incident.detected_at),
        acknowledged_at: time(&incident.acknowledged_at),
        mitigated_at: time(&incident.mitigated_at),
        resolved_at: time(&incident.resolved_at),
        duration_minutes: incident.duration_minutes,
        clocks: incident.clocks,
        root_cause: incident.root_cause.as_deref(),
        contributing_factors: &incident.contributing_factors,
        detection_method: incident.detection_method.as_deref(),
        action_items: &incident.action_items,
        related: &incident.related,
        links: &incident.links,
        source: incident.source.to_string_lossy().replace('\\', "/"),
        provenance: incident
            .provenance
            .iter()
            .map(|(field, p)| {
                (
                    *field,
                    ProvenanceExport {
                        source: p.source,
                        evidence: p.evidence.as_deref(),
                    },
                )
            })
            .collect(),
    }
}

/// Writes `incidents.json` (every published incident, newest first) to
/// `out`. Items are made in parallel 512 at a time and written as each
/// chunk is done, so the export (about 185 MB at 50,000 incidents) is
/// never held in memory: only a chunk's items are.
///
/// # Errors
/// What writing to `out` returns.
pub fn write_incidents_json(
    archive: &Archive,
    title: &str,
    base_url: &str,
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    write_incidents_json_in_chunks(archive, title, base_url, 512, out)
}

/// [`write_incidents_json`], making `chunk` items at a time.
fn write_incidents_json_in_chunks(
    archive: &Archive,
    title: &str,
    base_url: &str,
    chunk: usize,
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    use rayon::prelude::*;
    let count = archive.incidents.len();
    let open = match frame(count, count > 0, title, base_url) {
        Ok(open) => open,
        Err(whole) => return out.write_all(whole.as_bytes()),
    };
    out.write_all(open.as_bytes())?;
    for (c, chunk) in archive.incidents.chunks(chunk.max(1)).enumerate() {
        let items: Vec<String> = chunk
            .par_iter()
            .map(|incident| incident_fragment(incident))
            .collect();
        for (n, item) in items.iter().enumerate() {
            if c > 0 || n > 0 {
                out.write_all(b",\n")?;
            }
            out.write_all(item.as_bytes())?;
        }
    }
    out.write_all(CLOSE.as_bytes())
}

/// What follows the last item of `incidents.json`.
const CLOSE: &str = "\n]}\n";

/// The text of `incidents.json` for `count` incidents before its first
/// item (its first line, ending in `[\n`), or, when there are no items,
/// the whole file as `Err`.
fn frame(count: usize, items: bool, title: &str, base_url: &str) -> Result<String, String> {
    let data = Export {
        schema: SCHEMA,
        generator: format!("hindsight {}", env!("CARGO_PKG_VERSION")),
        site: SiteExport { title, base_url },
        count,
        incidents: Vec::new(),
    };
    let head = serde_json::to_string(&data).unwrap_or_default();
    // `incidents` is the last field: its empty list closes the object.
    match head.strip_suffix("[]}").filter(|_| items) {
        Some(open) => Ok(format!("{open}[\n")),
        None => Err(head + "\n"),
    }
}

/// One incident's item of `incidents.json`'s list: its JSON on one line
/// (no trailing comma). Each is made on its own, in parallel, and watch
/// mode keeps unchanged incidents' items.
pub fn incident_fragment(incident: &Incident) -> String {
    // serde_json writes only valid UTF-8.
    serde_json::to_string(&export(incident)).unwrap_or_default()
}

/// Writes `incidents.json` from the items of its `count` incidents
/// ([`incident_fragment`], newest first) to `out`: byte for byte what
/// [`write_incidents_json`] writes.
///
/// # Errors
/// What writing to `out` returns.
pub fn write_incidents_json_of(
    count: usize,
    items: &[impl AsRef<str>],
    title: &str,
    base_url: &str,
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    let open = match frame(count, !items.is_empty(), title, base_url) {
        Ok(open) => open,
        Err(whole) => return out.write_all(whole.as_bytes()),
    };
    out.write_all(open.as_bytes())?;
    for (n, item) in items.iter().enumerate() {
        if n > 0 {
            out.write_all(b",\n")?;
        }
        out.write_all(item.as_ref().as_bytes())?;
    }
    out.write_all(CLOSE.as_bytes())
}

/// Escapes text for XML content and attributes.
pub fn escape_xml(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Characters XML 1.0 forbids.
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => {}
            c => out.push(c),
        }
    }
    out
}

/// The link of a page: absolute with a base URL, else relative to the site
/// root (valid in Atom; readers resolve it against the feed's URL).
fn page_link(base_url: &str, path: &str) -> String {
    let folder = path.trim_end_matches("index.html");
    format!("{base_url}{folder}")
}

fn entry_updated(incident: &Incident) -> String {
    match (&incident.impact.started_at, incident.sort_date()) {
        (Some(start), _) => start.timestamp().to_string(),
        (None, Some(date)) => format!("{date}T00:00:00Z"),
        (None, None) => "1970-01-01T00:00:00Z".to_string(),
    }
}

/// The Atom 1.0 feed of the newest [`FEED_ENTRIES`] dated incidents.
pub fn atom(archive: &Archive, title: &str, description: &str, base_url: &str) -> String {
    let entries: Vec<&Incident> = archive
        .incidents
        .iter()
        .map(|i| &**i)
        .filter(|i| i.sort_date().is_some())
        .take(FEED_ENTRIES)
        .collect();
    let updated = entries
        .first()
        .map_or_else(|| "1970-01-01T00:00:00Z".to_string(), |i| entry_updated(i));
    let feed_id = if base_url.is_empty() {
        "urn:hindsight:archive".to_string()
    } else {
        base_url.to_string()
    };
    let mut out = String::new();
    let _ = writeln!(out, "<?xml version=\"1.0\" encoding=\"utf-8\"?>");
    let _ = writeln!(out, "<feed xmlns=\"http://www.w3.org/2005/Atom\">");
    let _ = writeln!(out, "  <title>{}</title>", escape_xml(title));
    let _ = writeln!(out, "  <subtitle>{}</subtitle>", escape_xml(description));
    let _ = writeln!(out, "  <id>{}</id>", escape_xml(&feed_id));
    let _ = writeln!(out, "  <updated>{updated}</updated>");
    let _ = writeln!(
        out,
        "  <link rel=\"alternate\" href=\"{}\"/>",
        escape_xml(&page_link(base_url, "index.html"))
    );
    let _ = writeln!(
        out,
        "  <link rel=\"self\" href=\"{}\"/>",
        escape_xml(&format!("{base_url}atom.xml"))
    );
    let _ = writeln!(out, "  <generator>Hindsight</generator>");
    for incident in entries {
        let link = page_link(base_url, &incident_url(incident));
        let id = if base_url.is_empty() {
            format!("urn:hindsight:incident:{}", incident.id)
        } else {
            link.clone()
        };
        let summary = incident
            .impact
            .summary
            .as_deref()
            .or(incident.root_cause.as_deref())
            .unwrap_or("");
        let mut facts = Vec::new();
        if let Some(s) = incident.severity {
            facts.push(s.label().to_string());
        }
        if let Some(m) = incident.duration_minutes {
            facts.push(crate::index::format_minutes(m));
        }
        let summary = if facts.is_empty() {
            summary.to_string()
        } else {
            format!("[{}] {summary}", facts.join(", "))
        };
        let _ = writeln!(out, "  <entry>");
        let _ = writeln!(out, "    <title>{}</title>", escape_xml(&incident.title));
        let _ = writeln!(out, "    <id>{}</id>", escape_xml(&id));
        let _ = writeln!(out, "    <updated>{}</updated>", entry_updated(incident));
        let _ = writeln!(
            out,
            "    <link rel=\"alternate\" href=\"{}\"/>",
            escape_xml(&link)
        );
        for author in &incident.authors {
            let _ = writeln!(
                out,
                "    <author><name>{}</name></author>",
                escape_xml(author)
            );
        }
        if incident.authors.is_empty() {
            let _ = writeln!(
                out,
                "    <author><name>{}</name></author>",
                escape_xml(title)
            );
        }
        if let Some(category) = &incident.category {
            let _ = writeln!(out, "    <category term=\"{}\"/>", escape_xml(category));
        }
        let _ = writeln!(out, "    <summary>{}</summary>", escape_xml(summary.trim()));
        let _ = writeln!(out, "  </entry>");
    }
    out.push_str("</feed>\n");
    out
}

/// `sitemap.xml` of every page, or `None` without a base URL (a sitemap
/// needs absolute URLs).
pub fn sitemap(paths: &[String], base_url: &str) -> Option<String> {
    if base_url.is_empty() {
        return None;
    }
    let mut out = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    let mut sorted: Vec<&String> = paths.iter().filter(|p| p.ends_with("index.html")).collect();
    sorted.sort();
    for path in sorted {
        let _ = writeln!(
            out,
            "  <url><loc>{}</loc></url>",
            escape_xml(&page_link(base_url, path))
        );
    }
    out.push_str("</urlset>\n");
    Some(out)
}

/// `robots.txt`: everything may be crawled; names the sitemap when there is
/// one.
pub fn robots(base_url: &str) -> String {
    if base_url.is_empty() {
        "User-agent: *\nAllow: /\n".to_string()
    } else {
        format!("User-agent: *\nAllow: /\nSitemap: {base_url}sitemap.xml\n")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The export made `chunk` items at a time, as text.
    fn incidents_json_in_chunks(
        archive: &Archive,
        title: &str,
        base_url: &str,
        chunk: usize,
    ) -> String {
        let mut json = Vec::new();
        write_incidents_json_in_chunks(archive, title, base_url, chunk, &mut json).unwrap();
        String::from_utf8(json).unwrap()
    }

    #[test]
    fn the_export_is_the_whole_export_one_incident_a_line() {
        let config = crate::config::Config::default();
        for count in [0, 1, 7] {
            let archive = Archive::new(crate::synth::resolved(count, 3, &config), &config);
            let whole = Export {
                schema: SCHEMA,
                generator: format!("hindsight {}", env!("CARGO_PKG_VERSION")),
                site: SiteExport {
                    title: "T \"quoted\"",
                    base_url: "https://example.org/",
                },
                count: archive.incidents.len(),
                incidents: archive.incidents.iter().map(|i| export(i)).collect(),
            };
            let text =
                incidents_json_in_chunks(&archive, "T \"quoted\"", "https://example.org/", 512);
            let parsed: serde_json::Value = serde_json::from_str(&text).unwrap();
            assert_eq!(
                parsed,
                serde_json::to_value(&whole).unwrap(),
                "{count} incidents"
            );
            // The frame on the first line, then a line per incident, each
            // the incident's whole item.
            let lines: Vec<&str> = text.lines().collect();
            if count == 0 {
                assert_eq!(lines.len(), 1);
            } else {
                assert_eq!(lines.len(), count + 2, "{text}");
                assert!(
                    lines[0].starts_with("{\"schema\":") && lines[0].ends_with("\"incidents\":[")
                );
                for (line, incident) in lines[1..=count].iter().zip(&whole.incidents) {
                    let item: serde_json::Value =
                        serde_json::from_str(line.trim_end_matches(',')).unwrap();
                    assert_eq!(item, serde_json::to_value(incident).unwrap());
                }
                assert_eq!(lines[count + 1], "]}");
            }
            assert!(text.ends_with('\n'));
            // Watch mode's kept items join the same way.
            let items: Vec<String> = archive
                .incidents
                .iter()
                .map(|i| incident_fragment(i))
                .collect();
            let mut joined = Vec::new();
            write_incidents_json_of(
                count,
                &items,
                "T \"quoted\"",
                "https://example.org/",
                &mut joined,
            )
            .unwrap();
            assert_eq!(String::from_utf8(joined).unwrap(), text);
            // Items made a few at a time join the same way.
            for chunk in [1, 3] {
                assert_eq!(
                    incidents_json_in_chunks(
                        &archive,
                        "T \"quoted\"",
                        "https://example.org/",
                        chunk
                    ),
                    text,
                    "{count} incidents, {chunk} at a time"
                );
            }
        }
    }

    #[test]
    fn xml_escaping_drops_forbidden_characters() {
        assert_eq!(escape_xml("a<b & \"c\"\u{1}"), "a&lt;b &amp; &quot;c&quot;");
    }

    #[test]
    fn sitemap_needs_a_base_url() {
        let paths = vec![
            "index.html".to_string(),
            "incidents/a/index.html".to_string(),
            "style.css".to_string(),
        ];
        assert_eq!(sitemap(&paths, ""), None);
        let xml = sitemap(&paths, "https://example.org/repo/").unwrap();
        assert!(xml.contains("<loc>https://example.org/repo/incidents/a/</loc>"));
        assert!(!xml.contains("style.css"));
        assert!(
            robots("https://example.org/repo/")
                .contains("Sitemap: https://example.org/repo/sitemap.xml")
        );
    }
}
