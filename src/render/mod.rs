//! Render stage: Markdown bodies, highlighting and templates into pages,
//! streamed to the write stage in parallel.
//!
//! Pages are a flat job list ([`pages::all_pages`]); each job renders one
//! page and writes it at once, so rendered bodies are never held together.
//! List and term pages get small [`pages::Summary`] rows, never bodies.

pub mod highlight;
pub mod markdown;
pub mod pages;
pub mod theme;

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;
use serde::Serialize;

use crate::config::Config;
use crate::diagnostics::{Code, Diagnostic, Diagnostics, Position};
use crate::index::{Archive, TaxonomyKind};
use crate::write::Output;
use highlight::Highlighter;
use pages::{Page, SiteData, Summary};

/// Everything needed to render pages: templates, grammars, configuration.
/// Built once per build and shared by reference across threads.
#[derive(Debug)]
pub struct Renderer {
    tera: tera::Tera,
    theme: theme::Theme,
    highlighter: Highlighter,
    config: Config,
    site: SiteData,
}

/// What rendering produced besides the files.
#[derive(Debug, Default)]
pub struct RenderReport {
    /// Pages written.
    pub pages: usize,
    /// Other files written (static files, assets).
    pub files: usize,
    /// Problems found (broken links and assets as warnings, template and
    /// write failures as errors).
    pub diagnostics: Diagnostics,
}

impl Renderer {
    /// Loads the theme (default, named theme, archive overrides under
    /// `root`) and compiles its templates.
    ///
    /// Errors: a missing theme folder, unreadable or invalid templates.
    pub fn new(root: Option<&Path>, config: &Config) -> Result<Renderer, Vec<Diagnostic>> {
        let theme = theme::Theme::load(root, config).map_err(|d| vec![d])?;
        let tera = theme::engine(&theme)?;
        Ok(Renderer {
            tera,
            theme,
            highlighter: Highlighter::new(config.highlight_max_bytes),
            config: config.clone(),
            site: SiteData::new(config),
        })
    }

    /// Renders every page of `archive` into `output`, copies the theme's
    /// static files and the assets the bodies reference (from
    /// `content_dir`, into `assets/`).
    pub fn render_site(
        &self,
        archive: &Archive,
        available_assets: &BTreeSet<PathBuf>,
        content_dir: &Path,
        output: &Output,
    ) -> RenderReport {
        let pages_by_source: HashMap<PathBuf, String> = archive
            .incidents
            .iter()
            .map(|incident| (incident.source.clone(), incident.id.clone()))
            .collect();
        let summaries: Vec<Summary> = (0..archive.incidents.len())
            .map(|i| pages::summary(archive, &self.config, i))
            .collect();
        let shared = Shared {
            archive,
            summaries: &summaries,
            pages_by_source: Arc::new(pages_by_source),
            available_assets: Arc::new(available_assets.clone()),
        };
        let jobs = pages::all_pages(archive);
        let results: Vec<(Vec<Diagnostic>, Vec<PathBuf>)> = jobs
            .par_iter()
            .map(|page| {
                let path = page.path(archive);
                match self.render_page(*page, &path, &shared) {
                    Ok((html, problems, assets)) => match output.write(&path, html.as_bytes()) {
                        Ok(()) => (problems, assets),
                        Err(e) => (vec![write_error(&e)], Vec::new()),
                    },
                    Err(diagnostic) => (vec![diagnostic], Vec::new()),
                }
            })
            .collect();
        let mut report = RenderReport {
            pages: jobs.len(),
            ..RenderReport::default()
        };
        let mut assets = BTreeSet::new();
        for (problems, page_assets) in results {
            report.diagnostics.extend(problems);
            assets.extend(page_assets);
        }
        for (name, file) in &self.theme.static_files {
            let result = file
                .read()
                .map_err(|e| crate::write::WriteError::Io {
                    path: PathBuf::from(name),
                    source: e,
                })
                .and_then(|bytes| output.write(name, &bytes));
            match result {
                Ok(()) => report.files += 1,
                Err(e) => report.diagnostics.push(write_error(&e)),
            }
        }
        for asset in assets {
            let rel = asset.to_string_lossy().replace('\\', "/");
            match output.copy(&format!("assets/{rel}"), &content_dir.join(&asset)) {
                Ok(()) => report.files += 1,
                Err(e) => report.diagnostics.push(write_error(&e)),
            }
        }
        report
    }

    fn render_page(
        &self,
        page: Page,
        path: &str,
        shared: &Shared<'_>,
    ) -> Result<(String, Vec<Diagnostic>, Vec<PathBuf>), Diagnostic> {
        let archive = shared.archive;
        let mut context = tera::Context::new();
        let root = pages::root_prefix(path);
        context.insert("site", &self.site);
        context.insert("root", &root);
        context.insert("path", path);
        context.insert("canonical", &self.canonical(path));
        context.insert("section", "");
        let mut problems = Vec::new();
        let mut assets = Vec::new();
        match page {
            Page::Home => {
                let recent: Vec<&Summary> = shared.summaries.iter().take(8).collect();
                context.insert("page_title", &self.config.title);
                context.insert("recent", &recent);
                context.insert("totals", &self.totals(archive));
                context.insert("indexes", &self.index_links(archive));
            }
            Page::Incidents => {
                context.insert("page_title", "All incidents");
                context.insert("section", "incidents");
                context.insert("incidents", shared.summaries);
            }
            Page::Incident(index) => {
                let incident = &archive.incidents[index];
                let links = markdown::LinkTargets {
                    source: incident.source.clone(),
                    pages: shared.pages_by_source.clone(),
                    assets: shared.available_assets.clone(),
                };
                let body = markdown::render(
                    &incident.body,
                    &incident.title,
                    &links,
                    &self.highlighter,
                    self.config.raw_html,
                );
                for problem in &body.problems {
                    problems.push(
                        Diagnostic::warning(
                            Code::MissingAsset,
                            &incident.display_path,
                            Some(Position::new(incident.body_line + problem.line - 1, 1)),
                            problem.message.clone(),
                        )
                        .with_hint("fix the path, relative to this file"),
                    );
                }
                assets = body.assets;
                context.insert("page_title", &incident.title);
                context.insert("section", "incidents");
                context.insert("incident", &self.incident_data(archive, index, shared));
                context.insert("body", &body.html);
                context.insert(
                    "toc",
                    &body
                        .headings
                        .iter()
                        .filter(|(level, _, _)| *level == 2)
                        .map(|(_, id, text)| TocEntry { id, text })
                        .collect::<Vec<_>>(),
                );
            }
            Page::Taxonomy(kind) => {
                let taxonomy = archive.taxonomy(kind);
                let total = archive.incidents.len();
                let terms: Vec<TermRow<'_>> = taxonomy
                    .terms
                    .iter()
                    .map(|term| TermRow {
                        name: &term.name,
                        url: pages::term_url(kind, &term.slug),
                        description: &term.description,
                        count: term.incidents.len(),
                        share: share(term.incidents.len(), total),
                        share_pct: (term.incidents.len() * 100).checked_div(total).unwrap_or(0),
                        median_duration: archive
                            .duration_distribution(term.incidents.iter().copied())
                            .median
                            .map(crate::index::format_minutes),
                    })
                    .collect();
                context.insert("page_title", kind.title());
                context.insert("section", kind.path());
                context.insert("taxonomy", &TaxonomyData::new(kind));
                context.insert("terms", &terms);
            }
            Page::Term(kind, t) => {
                let term = &archive.taxonomy(kind).terms[t];
                let incidents: Vec<&Summary> = term
                    .incidents
                    .iter()
                    .map(|&i| &shared.summaries[i])
                    .collect();
                let count = term.incidents.len();
                context.insert("page_title", &format!("{}: {}", kind.title(), term.name));
                context.insert("section", kind.path());
                context.insert("taxonomy", &TaxonomyData::new(kind));
                context.insert(
                    "term",
                    &TermData {
                        name: &term.name,
                        description: &term.description,
                        count,
                    },
                );
                context.insert("incidents", &incidents);
                context.insert(
                    "duration",
                    &pages::figure(
                        archive.duration_distribution(term.incidents.iter().copied()),
                        count,
                    ),
                );
                context.insert(
                    "detect",
                    &pages::figure(
                        archive.detect_distribution(term.incidents.iter().copied()),
                        count,
                    ),
                );
            }
            Page::NotFound => {
                context.insert("page_title", "Page not found");
                // 404.html is served at any depth: use absolute links when
                // the base URL is known.
                context.insert("root", &self.site.base_url);
            }
        }
        let html = self.tera.render(page.template(), &context).map_err(|e| {
            Diagnostic::error(
                Code::TemplateError,
                &self.theme.origin(page.template()),
                None,
                format!("rendering {path}: {}", theme::template_error_text(&e)),
            )
        })?;
        Ok((html, problems, assets))
    }

    fn canonical(&self, path: &str) -> String {
        if self.site.base_url.is_empty() {
            return String::new();
        }
        format!(
            "{}{}",
            self.site.base_url,
            path.trim_end_matches("index.html")
        )
    }

    fn totals(&self, archive: &Archive) -> Totals {
        let all = 0..archive.incidents.len();
        let total = archive.incidents.len();
        let severe = archive
            .incidents
            .iter()
            .filter(|i| i.severity == Some(crate::model::Severity::Sev1))
            .count();
        let open_actions = archive
            .incidents
            .iter()
            .flat_map(|i| &i.action_items)
            .filter(|a| a.is_open())
            .count();
        Totals {
            incidents: total,
            sev1: severe,
            open_actions,
            duration: pages::figure(archive.duration_distribution(all.clone()), total),
            detect: pages::figure(archive.detect_distribution(all), total),
        }
    }

    fn index_links(&self, archive: &Archive) -> Vec<IndexLink> {
        archive
            .taxonomies
            .iter()
            .map(|taxonomy| IndexLink {
                title: taxonomy.kind.title(),
                url: format!("{}/index.html", taxonomy.kind.path()),
                terms: taxonomy
                    .terms
                    .iter()
                    .filter(|t| !t.incidents.is_empty())
                    .take(8)
                    .map(|t| IndexTerm {
                        name: t.name.clone(),
                        url: pages::term_url(taxonomy.kind, &t.slug),
                        count: t.incidents.len(),
                    })
                    .collect(),
            })
            .collect()
    }

    fn incident_data<'a>(
        &self,
        archive: &'a Archive,
        index: usize,
        shared: &'a Shared<'a>,
    ) -> IncidentData<'a> {
        let incident = &archive.incidents[index];
        let summary = &shared.summaries[index];
        let neighbour = |i: usize| {
            shared
                .summaries
                .get(i)
                .map(|s| (s.title.as_str(), s.url.as_str()))
        };
        let related = incident
            .related
            .iter()
            .map(
                |r| match archive.incidents.iter().position(|i| &i.id == r) {
                    Some(i) => RelatedLink {
                        title: shared.summaries[i].title.clone(),
                        url: shared.summaries[i].url.clone(),
                        external: false,
                    },
                    None => RelatedLink {
                        title: r.clone(),
                        url: r.clone(),
                        external: true,
                    },
                },
            )
            .collect();
        let provenance_note = incident
            .provenance
            .values()
            .any(|p| p.source == crate::model::Source::Inferred);
        IncidentData {
            summary,
            meta: pages::meta_rows(archive, &self.config, index),
            clocks: pages::clocks(incident),
            impact_summary: incident.impact.summary.as_deref(),
            root_cause: incident.root_cause.as_deref(),
            contributing_factors: &incident.contributing_factors,
            action_items: incident
                .action_items
                .iter()
                .map(|a| ActionData {
                    title: &a.title,
                    kind: a.kind.as_deref(),
                    owner: a.owner.as_deref(),
                    status: &a.status,
                    priority: a.priority.as_deref(),
                    due: a.due.map(|d| d.to_string()),
                    link: a.link.as_deref().filter(|l| is_safe_url(l)),
                    open: a.is_open(),
                })
                .collect(),
            links: incident
                .links
                .iter()
                .filter(|l| is_safe_url(&l.url))
                .map(|l| LinkData {
                    title: &l.title,
                    url: &l.url,
                })
                .collect(),
            related,
            // Archive order is newest first: the previous incident is the
            // next older one.
            previous: neighbour(index + 1).map(|(title, url)| NeighbourData { title, url }),
            next: index
                .checked_sub(1)
                .and_then(neighbour)
                .map(|(title, url)| NeighbourData { title, url }),
            source: incident.source.to_string_lossy().replace('\\', "/"),
            has_inferred: provenance_note,
        }
    }
}

fn is_safe_url(url: &str) -> bool {
    let lower = url.trim().to_ascii_lowercase();
    lower.starts_with("https://") || lower.starts_with("http://") || lower.starts_with("mailto:")
}

fn share(count: usize, total: usize) -> String {
    format!(
        "{}%",
        (count * 100 + total / 2).checked_div(total).unwrap_or(0)
    )
}

fn write_error(error: &crate::write::WriteError) -> Diagnostic {
    Diagnostic::error(
        Code::WriteError,
        Path::new("<output>"),
        None,
        error.to_string(),
    )
}

struct Shared<'a> {
    archive: &'a Archive,
    summaries: &'a [Summary],
    pages_by_source: Arc<HashMap<PathBuf, String>>,
    available_assets: Arc<BTreeSet<PathBuf>>,
}

#[derive(Serialize)]
struct TocEntry<'a> {
    id: &'a str,
    text: &'a str,
}

#[derive(Serialize)]
struct Totals {
    incidents: usize,
    sev1: usize,
    open_actions: usize,
    duration: pages::FigureData,
    detect: pages::FigureData,
}

#[derive(Serialize)]
struct IndexLink {
    title: &'static str,
    url: String,
    terms: Vec<IndexTerm>,
}

#[derive(Serialize)]
struct IndexTerm {
    name: String,
    url: String,
    count: usize,
}

#[derive(Serialize)]
struct TaxonomyData {
    title: &'static str,
    url: String,
    key: &'static str,
}

impl TaxonomyData {
    fn new(kind: TaxonomyKind) -> Self {
        TaxonomyData {
            title: kind.title(),
            url: format!("{}/index.html", kind.path()),
            key: kind.path(),
        }
    }
}

#[derive(Serialize)]
struct TermRow<'a> {
    name: &'a str,
    url: String,
    description: &'a str,
    count: usize,
    share: String,
    share_pct: usize,
    median_duration: Option<String>,
}

#[derive(Serialize)]
struct TermData<'a> {
    name: &'a str,
    description: &'a str,
    count: usize,
}

#[derive(Serialize)]
struct IncidentData<'a> {
    #[serde(flatten)]
    summary: &'a Summary,
    meta: Vec<pages::MetaRow>,
    clocks: Vec<pages::ClockData>,
    impact_summary: Option<&'a str>,
    root_cause: Option<&'a str>,
    contributing_factors: &'a [String],
    action_items: Vec<ActionData<'a>>,
    links: Vec<LinkData<'a>>,
    related: Vec<RelatedLink>,
    previous: Option<NeighbourData<'a>>,
    next: Option<NeighbourData<'a>>,
    source: String,
    has_inferred: bool,
}

#[derive(Serialize)]
struct ActionData<'a> {
    title: &'a str,
    kind: Option<&'a str>,
    owner: Option<&'a str>,
    status: &'a str,
    priority: Option<&'a str>,
    due: Option<String>,
    link: Option<&'a str>,
    open: bool,
}

#[derive(Serialize)]
struct LinkData<'a> {
    title: &'a str,
    url: &'a str,
}

#[derive(Serialize)]
struct RelatedLink {
    title: String,
    url: String,
    external: bool,
}

#[derive(Serialize)]
struct NeighbourData<'a> {
    title: &'a str,
    url: &'a str,
}
