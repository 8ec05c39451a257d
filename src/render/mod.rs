//! Render stage: Markdown bodies, highlighting and templates into pages,
//! streamed to the write stage in parallel.
//!
//! Pages are a flat job list ([`pages::all_pages`]); each job renders one
//! page and writes it at once, so rendered bodies are never held together.
//! List and term pages get small [`pages::Summary`] rows, never bodies.

pub mod charts;
pub mod feeds;
pub mod highlight;
pub mod markdown;
pub mod pages;
pub mod search;
pub mod theme;

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use rayon::prelude::*;
use serde::Serialize;

use crate::config::Config;
use crate::diagnostics::{Code, Diagnostic, Diagnostics, Position};
use crate::index::{Archive, TaxonomyKind};
use crate::write::{Output, WriteError};
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
    /// `site`'s template value, made once and shared by every page.
    site_value: tera::Value,
    /// The build date: decides which action items are overdue.
    today: jiff::civil::Date,
    /// Fingerprint of the templates, configuration and build date: page
    /// fingerprints from another renderer do not count (watch mode).
    key: u64,
}

/// Rendered bodies kept between builds by watch mode, keyed by content:
/// Markdown and highlighting run again only for bodies that changed, or
/// when what links may point to changed (a postmortem or asset added,
/// removed or renamed). Exact: a hit compares the body, title and source
/// path. Holds only the bodies of the last build.
#[derive(Debug, Default)]
pub struct RenderCache {
    bodies: Mutex<HashMap<u64, Vec<CachedBody>>>,
    used: Mutex<std::collections::HashSet<u64>>,
    misses: std::sync::atomic::AtomicUsize,
    /// The renderer (templates, configuration, build date) the page
    /// fingerprints were made with.
    renderer: Mutex<u64>,
    /// Page path (its [`path_key`]) to the fingerprint of its template
    /// context, as in the output folder now (the last committed build).
    pages: Mutex<PageKeys>,
    /// The same for the build under way; becomes `pages` on commit.
    pending: Mutex<PageKeys>,
    /// Page path (its [`path_key`]) to its input key ([`input_key`]) in
    /// the output folder now.
    inputs: Mutex<PageKeys>,
    /// The same for the build under way; becomes `inputs` on commit.
    pending_inputs: Mutex<PageKeys>,
    /// Pages whose template ran in the last build.
    pages_rendered: std::sync::atomic::AtomicUsize,
    /// Each incident's words for the full-text index.
    words: search::WordCache,
    /// Incident fingerprint ([`crate::model::Incident::fingerprint`]) to
    /// the hash of its data (its JSON form), for the archive key; the
    /// last build's only.
    data_hashes: Mutex<HashMap<(u64, u64), u64>>,
    /// (Incident fingerprint, key of the term names) to the incident's
    /// list summary; the last build's only, emptied when the renderer
    /// changes.
    summaries: Mutex<HashMap<(u64, u64), HashedSummary>>,
    /// Page input key to what the incident page's body found; entries the
    /// last build did not use are dropped.
    findings: Mutex<HashMap<u64, Arc<Findings>>>,
    findings_used: Mutex<std::collections::HashSet<u64>>,
    /// Each incident's item of `incidents.json`, by fingerprint.
    export_items: Mutex<HashMap<(u64, u64), Arc<str>>>,
    /// The last build's related incidents and recurrences, with their
    /// [`Neighbourhood::key`].
    neighbourhood: Mutex<Option<(u64, Arc<Neighbourhood>)>>,
    /// The last build's page id by source path, with the archive's
    /// [`Archive::links_key`] it was made for.
    pages_by_source: Mutex<Option<(u64, PagesBySource)>>,
    /// Code blocks highlighted by tree-sitter or syntect, shared by every
    /// rebuild's renderer ([`Renderer::with_blocks`]).
    blocks: Arc<highlight::BlockCache>,
}

/// A list summary and the hash of its JSON form.
type HashedSummary = (Arc<Summary>, u64);

/// Page path key ([`path_key`]) to a hash (input key or context
/// fingerprint), with a fast hasher: a rebuild looks up every page.
type PageKeys = HashMap<u64, u64, foldhash::fast::RandomState>;

/// Each incident's page id by its source path (what links resolve to).
type PagesBySource = Arc<HashMap<PathBuf, String>>;

#[derive(Debug)]
struct CachedBody {
    body: String,
    title: String,
    source: PathBuf,
    rendered: Arc<markdown::RenderedBody>,
}

impl RenderCache {
    /// Bodies rendered (not taken from the cache) by the last build.
    pub fn misses(&self) -> usize {
        self.misses.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Keeps the body with `key` for the next build although this one did
    /// not need it (its page was kept with its findings).
    fn touch_body(&self, key: u64) {
        if let Ok(mut used) = self.used.lock() {
            used.insert(key);
        }
    }

    fn body(
        &self,
        key: u64,
        incident: &crate::model::Incident,
        render: impl FnOnce() -> markdown::RenderedBody,
    ) -> Arc<markdown::RenderedBody> {
        if let Ok(mut used) = self.used.lock() {
            used.insert(key);
        }
        let hit = self.bodies.lock().ok().and_then(|bodies| {
            bodies.get(&key)?.iter().find_map(|c| {
                (c.body == incident.body
                    && c.title == incident.title
                    && c.source == incident.source)
                    .then(|| c.rendered.clone())
            })
        });
        if let Some(rendered) = hit {
            return rendered;
        }
        self.misses
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let rendered = Arc::new(render());
        if let Ok(mut bodies) = self.bodies.lock() {
            bodies.entry(key).or_default().push(CachedBody {
                body: incident.body.clone(),
                title: incident.title.clone(),
                source: incident.source.clone(),
                rendered: rendered.clone(),
            });
        }
        rendered
    }

    /// Pages whose template ran in the last build (the others kept the
    /// previous build's file: their inputs had not changed).
    pub fn pages_rendered(&self) -> usize {
        self.pages_rendered
            .load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Marks the last build as the one in the output folder: its page
    /// fingerprints are what the next build compares with. Call after a
    /// successful commit only.
    pub fn committed(&self) {
        if let (Ok(mut pages), Ok(mut pending)) = (self.pages.lock(), self.pending.lock()) {
            *pages = std::mem::take(&mut *pending);
        }
        if let (Ok(mut inputs), Ok(mut pending)) = (self.inputs.lock(), self.pending_inputs.lock())
        {
            *inputs = std::mem::take(&mut *pending);
        }
        self.words.committed();
    }

    /// Starts a build: forgets which entries the last one used, and every
    /// page fingerprint when the renderer changed (a template, the
    /// configuration or the build date).
    fn begin(&self, renderer: u64) {
        self.misses.store(0, std::sync::atomic::Ordering::Relaxed);
        self.pages_rendered
            .store(0, std::sync::atomic::Ordering::Relaxed);
        if let Ok(mut used) = self.used.lock() {
            used.clear();
        }
        if let Ok(mut pending) = self.pending.lock() {
            pending.clear();
        }
        if let Ok(mut pending) = self.pending_inputs.lock() {
            pending.clear();
        }
        if let (Ok(mut key), Ok(mut pages), Ok(mut inputs)) =
            (self.renderer.lock(), self.pages.lock(), self.inputs.lock())
            && *key != renderer
        {
            *key = renderer;
            pages.clear();
            inputs.clear();
            if let Ok(mut summaries) = self.summaries.lock() {
                summaries.clear();
            }
        }
    }

    /// Whether `path`'s file in the output folder was made from the same
    /// inputs; records the key for the build under way.
    fn same_inputs(&self, path: &str, key: u64) -> bool {
        record_and_compare(&self.pending_inputs, &self.inputs, path, key)
    }

    /// The committed context fingerprint of `path`, if any.
    fn fingerprint_of(&self, path: &str) -> Option<u64> {
        self.pages.lock().ok()?.get(&path_key(path)).copied()
    }

    /// Carries `path`'s fingerprint over to the build under way.
    fn keep_fingerprint(&self, path: &str, fingerprint: u64) {
        if let Ok(mut pending) = self.pending.lock() {
            pending.insert(path_key(path), fingerprint);
        }
    }

    /// Whether `path`'s file in the output folder was made from a context
    /// with this fingerprint; records it for the build under way.
    fn same_page(&self, path: &str, fingerprint: u64) -> bool {
        record_and_compare(&self.pending, &self.pages, path, fingerprint)
    }

    /// Ends a build: drops entries it did not use.
    fn finish(&self) {
        if let (Ok(mut bodies), Ok(used)) = (self.bodies.lock(), self.used.lock()) {
            bodies.retain(|key, _| used.contains(key));
        }
        if let (Ok(mut findings), Ok(mut used)) = (self.findings.lock(), self.findings_used.lock())
        {
            findings.retain(|key, _| used.contains(key));
            used.clear();
        }
    }

    /// Every incident's related incidents and recurrences: the last
    /// build's while nothing they read changed.
    fn neighbourhood(&self, archive: &Archive) -> Arc<Neighbourhood> {
        let key = Neighbourhood::key(archive);
        let Ok(mut kept) = self.neighbourhood.lock() else {
            return Arc::new(Neighbourhood::of(archive));
        };
        match &*kept {
            Some((k, neighbourhood)) if *k == key => neighbourhood.clone(),
            _ => {
                let neighbourhood = Arc::new(Neighbourhood::of(archive));
                *kept = Some((key, neighbourhood.clone()));
                neighbourhood
            }
        }
    }

    /// What the page with input `key` found, if a build kept it.
    fn findings(&self, key: u64) -> Option<Arc<Findings>> {
        if let Ok(mut used) = self.findings_used.lock() {
            used.insert(key);
        }
        self.findings.lock().ok()?.get(&key).cloned()
    }

    fn keep_findings(&self, key: u64, findings: Arc<Findings>) {
        if let Ok(mut all) = self.findings.lock() {
            all.insert(key, findings);
        }
    }
}

/// A hash of every taxonomy's term slugs and names (which summaries and
/// an incident page's facts show).
fn terms_key(archive: &Archive) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    for kind in crate::index::TaxonomyKind::ALL {
        for term in &archive.taxonomy(kind).terms {
            (&term.slug, &term.name).hash(&mut hasher);
        }
    }
    hasher.finish()
}

/// One value per incident, in archive order, kept between builds (watch
/// mode) by incident fingerprint and `salt` (whatever else the value
/// depends on): an incident whose key is in `memo` takes the value from
/// there, any other gets `make(index)`. Afterwards `memo` holds this
/// build's values only. Incidents without a fingerprint (0) are always
/// made.
pub(super) fn by_fingerprint<V: Clone + Send + Sync>(
    archive: &Archive,
    memo: &Mutex<HashMap<(u64, u64), V>>,
    salt: u64,
    make: impl Fn(usize) -> V + Sync + Send,
) -> Vec<V> {
    let known = memo
        .lock()
        .map(|mut known| std::mem::take(&mut *known))
        .unwrap_or_default();
    let values: Vec<V> = (0..archive.incidents.len())
        .into_par_iter()
        .map(|i| {
            let fingerprint = archive.incidents[i].fingerprint;
            match known.get(&(fingerprint, salt)) {
                Some(value) if fingerprint != 0 => value.clone(),
                _ => make(i),
            }
        })
        .collect();
    if let Ok(mut kept) = memo.lock() {
        *kept = archive
            .incidents
            .iter()
            .zip(&values)
            .filter(|(incident, _)| incident.fingerprint != 0)
            .map(|(incident, value)| ((incident.fingerprint, salt), value.clone()))
            .collect();
    }
    values
}

/// Records `key` for `path` in `pending` (the build under way) and tells
/// whether `committed` (the output folder now) has the same.
fn record_and_compare(
    pending: &Mutex<PageKeys>,
    committed: &Mutex<PageKeys>,
    path: &str,
    key: u64,
) -> bool {
    let path = path_key(path);
    if let Ok(mut pending) = pending.lock() {
        pending.insert(path, key);
    }
    committed
        .lock()
        .is_ok_and(|committed| committed.get(&path) == Some(&key))
}

/// A page path's key in the render cache's maps: a 64-bit hash rather
/// than the path, so that recording ten thousand kept pages allocates
/// nothing (two paths with one hash would need equal input keys as well
/// to be taken for each other).
fn path_key(path: &str) -> u64 {
    use std::hash::BuildHasher;
    foldhash::quality::FixedState::default().hash_one(path)
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
    /// `root`) and compiles its templates. `today` is the build date, which
    /// decides which action items are overdue.
    ///
    /// Errors: a missing theme folder, unreadable or invalid templates.
    pub fn new(
        root: Option<&Path>,
        config: &Config,
        today: jiff::civil::Date,
    ) -> Result<Renderer, Vec<Diagnostic>> {
        let theme = theme::Theme::load(root, config).map_err(|d| vec![d])?;
        let tera = theme::engine(&theme)?;
        let site = SiteData::new(config);
        let key = {
            use std::hash::{Hash, Hasher};
            let mut hasher = std::collections::hash_map::DefaultHasher::new();
            for (name, file) in &theme.templates {
                name.hash(&mut hasher);
                file.read().ok().hash(&mut hasher);
            }
            format!("{config:?}{today}").hash(&mut hasher);
            hasher.finish()
        };
        Ok(Renderer {
            key,
            tera,
            theme,
            highlighter: Highlighter::new(config.highlight_max_bytes)
                .with_engine(config.highlighting),
            config: config.clone(),
            site_value: tera::Value::from_serializable(&site),
            site,
            today,
        })
    }

    /// The same renderer keeping its costly highlighted blocks in
    /// `cache`'s (watch mode: a body edited around an unchanged block does
    /// not highlight it again).
    pub fn with_blocks(mut self, cache: &RenderCache) -> Renderer {
        self.highlighter = self.highlighter.with_blocks(cache.blocks.clone());
        self
    }

    /// Renders every page of `archive` into `output`, copies the theme's
    /// static files and the assets the bodies reference (from
    /// `content_dir`, into `assets/`).
    pub fn render_site(
        &self,
        archive: &Archive,
        available_assets: &BTreeSet<PathBuf>,
        unpublished: &[PathBuf],
        content_dir: &Path,
        output: &Output,
    ) -> RenderReport {
        self.render_site_cached(
            archive,
            available_assets,
            unpublished,
            content_dir,
            output,
            None,
        )
    }

    /// [`Renderer::render_site`], taking unchanged bodies from `cache`
    /// (watch mode) and leaving this build's in it.
    pub fn render_site_cached(
        &self,
        archive: &Archive,
        available_assets: &BTreeSet<PathBuf>,
        unpublished: &[PathBuf],
        content_dir: &Path,
        output: &Output,
        cache: Option<&RenderCache>,
    ) -> RenderReport {
        let timings = crate::timing::enabled();
        let lap = |stage: &str, since: std::time::Instant| {
            if timings {
                crate::timing::report(1, stage, since);
            }
        };
        let started = std::time::Instant::now();
        if let Some(cache) = cache {
            cache.begin(self.key);
        }
        let make_pages_by_source = || -> Arc<HashMap<PathBuf, String>> {
            Arc::new(
                archive
                    .incidents
                    .iter()
                    .map(|incident| (incident.source.clone(), incident.id.clone()))
                    .collect(),
            )
        };
        // Watch mode: the last build's, when no source path or id changed.
        let pages_by_source = match cache.and_then(|c| c.pages_by_source.lock().ok()) {
            Some(mut kept) => match &*kept {
                Some((key, pages)) if *key == archive.links_key => pages.clone(),
                _ => {
                    let pages = make_pages_by_source();
                    *kept = Some((archive.links_key, pages.clone()));
                    pages
                }
            },
            None => make_pages_by_source(),
        };
        let (summaries, summary_hashes) = self.summaries(archive, cache);
        // Everything a body's rendering depends on besides its own text.
        let link_context = {
            use std::hash::{Hash, Hasher};
            let mut hasher = std::collections::hash_map::DefaultHasher::new();
            archive.links_key.hash(&mut hasher);
            available_assets.hash(&mut hasher);
            let mut withheld: Vec<&PathBuf> = unpublished.iter().collect();
            withheld.sort();
            withheld.hash(&mut hasher);
            format!(
                "{:?}{}{}{:?}",
                self.config.raw_html,
                self.config.remote_images,
                self.config.highlight_max_bytes,
                self.config.highlighting
            )
            .hash(&mut hasher);
            hasher.finish()
        };
        // Every incident's data but its body, in order (watch mode). An
        // incident with a known fingerprint is hashed once.
        let data_hashes: Vec<u64> = match cache {
            Some(cache) => by_fingerprint(archive, &cache.data_hashes, 0, |i| {
                use std::hash::Hasher;
                let mut hasher = std::collections::hash_map::DefaultHasher::new();
                let _ = serde_json::to_writer(HashWriter(&mut hasher), &archive.incidents[i]);
                hasher.finish()
            }),
            None => Vec::new(),
        };
        let archive_key = cache.map(|_| {
            use std::hash::{Hash, Hasher};
            let mut hasher = std::collections::hash_map::DefaultHasher::new();
            data_hashes.hash(&mut hasher);
            hasher.finish()
        });
        let terms = cache.map_or(0, |_| terms_key(archive));
        lap("fingerprint", started);
        let jobs = pages::all_pages(archive, self.config.paginate_by);
        // Machine-readable output: JSON export, feed, sitemap, robots.
        let base_url = self.site.base_url.as_str();
        // These depend on the incidents' data only, not on their bodies:
        // watch mode keeps them when that did not change.
        // Each writes its file (`None`: nothing to write) as soon as it is
        // made, so that no two large data files are held at once; the
        // export (about 185 MB at 50,000) is streamed, never held at all.
        type Generate<'g> = Box<dyn Fn(&str) -> Option<Result<(), WriteError>> + Send + Sync + 'g>;
        let text =
            |name: &str, text: Option<String>| text.map(|text| output.write(name, text.as_bytes()));
        let data_files: Vec<(&str, Generate<'_>)> = vec![
            (
                "incidents.json",
                Box::new(|name| {
                    let title = &self.config.title;
                    let Some(cache) = cache else {
                        return Some(output.write_with(name, |out| {
                            feeds::write_incidents_json(archive, title, base_url, out)
                        }));
                    };
                    // Watch mode: unchanged incidents' items are kept.
                    let items = by_fingerprint(archive, &cache.export_items, 0, |i| {
                        Arc::<str>::from(feeds::incident_fragment(&archive.incidents[i]))
                    });
                    Some(output.write_with(name, |out| {
                        let count = archive.incidents.len();
                        feeds::write_incidents_json_of(count, &items, title, base_url, out)
                    }))
                }),
            ),
            (
                "atom.xml",
                Box::new(|name| {
                    let atom = feeds::atom(
                        archive,
                        &self.config.title,
                        &self.config.description,
                        base_url,
                    );
                    text(name, Some(atom))
                }),
            ),
            (
                "robots.txt",
                Box::new(|name| text(name, Some(feeds::robots(base_url)))),
            ),
            (
                "sitemap.xml",
                Box::new(|name| {
                    let page_paths: Vec<String> =
                        jobs.iter().map(|page| page.path(archive)).collect();
                    text(name, feeds::sitemap(&page_paths, base_url))
                }),
            ),
            (
                "search/facets.json",
                Box::new(|name| {
                    let facets = search::facets(archive, &summaries).1;
                    text(name, Some(facets))
                }),
            ),
        ];
        // The data files (one at a time, the export streamed) while the
        // full-text index is made (in parallel); the two use different
        // files.
        let data_files_written = || {
            let mut files = 0;
            let mut problems = Vec::new();
            for (name, generate) in data_files {
                let started = std::time::Instant::now();
                if let (Some(cache), Some(archive_key)) = (cache, archive_key)
                    && cache.same_inputs(name, archive_key)
                    && matches!(output.keep(name), Ok(true))
                {
                    files += 1;
                    continue;
                }
                match generate(name) {
                    Some(Ok(())) => files += 1,
                    Some(Err(e)) => problems.push(write_error(&e)),
                    None => {}
                }
                lap(name, started);
            }
            (files, problems)
        };
        // The full-text index depends on the bodies too; watch mode
        // rewrites only the shards whose words changed. Timed on its own:
        // issue 7 asks for the search index's share.
        let search_index_written = || {
            let search_started = std::time::Instant::now();
            let keep = |name: &str| matches!(output.keep(name), Ok(true));
            // Each shard is written as soon as it is made (in parallel).
            let shard_files = std::sync::atomic::AtomicUsize::new(0);
            let shard_errors = Mutex::new(Vec::new());
            let kept =
                search::shards_cached(archive, cache.map(|c| &c.words), &keep, &|name, text| {
                    match output.write(name, text.as_bytes()) {
                        Ok(()) => {
                            shard_files.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        }
                        Err(e) => {
                            if let Ok(mut errors) = shard_errors.lock() {
                                errors.push(write_error(&e));
                            }
                        }
                    }
                });
            lap("search shards", search_started);
            (
                kept + shard_files.into_inner(),
                shard_errors.into_inner().unwrap_or_default(),
            )
        };
        // The pages (after the related incidents, which they show) while
        // the data files and the full-text index, which need neither, are
        // made: the export is written by one thread, so it runs beside
        // the pages rather than after them.
        let pages_written = || {
            let related_started = std::time::Instant::now();
            let shared = Shared {
                archive,
                summaries: &summaries,
                summary_hashes: &summary_hashes,
                data_hashes: &data_hashes,
                terms,
                pages_by_source,
                available_assets: Arc::new(available_assets.clone()),
                unpublished: Arc::new(unpublished.iter().cloned().collect()),
                cache,
                link_context,
                neighbourhood: match cache {
                    Some(cache) => cache.neighbourhood(archive),
                    None => Arc::new(Neighbourhood::of(archive)),
                },
                term_figures: Mutex::default(),
                action_items: std::sync::OnceLock::new(),
                summary_values: summaries.iter().map(|_| OnceLock::new()).collect(),
                term_values: Mutex::default(),
            };
            lap("related incidents", related_started);
            let pages_started = std::time::Instant::now();
            let results: Vec<(Vec<Diagnostic>, Vec<PathBuf>, Option<PageLinks>)> = jobs
                .par_iter()
                .map(|page| {
                    let path = page.path(archive);
                    // Unchanged inputs: keep the file, without even building
                    // the page's context (an incident page still reports what
                    // its body found).
                    if let (Some(cache), Some(archive_key)) = (shared.cache, archive_key)
                        && let key = input_key(&shared, *page, archive_key)
                        && cache.same_inputs(&path, key)
                        && let Some(fingerprint) = cache.fingerprint_of(&path)
                        && matches!(output.keep(&path), Ok(true))
                    {
                        cache.keep_fingerprint(&path, fingerprint);
                        let Page::Incident(index) = *page else {
                            return (Vec::new(), Vec::new(), None);
                        };
                        cache.touch_body(body_key(&shared, &archive.incidents[index]));
                        let found = cache.findings(key).unwrap_or_else(|| {
                            let (_, problems, assets, links) = self.incident_body(index, &shared);
                            let found = Arc::new(Findings {
                                problems,
                                assets,
                                ids: links.ids,
                                anchors: links.anchors,
                            });
                            cache.keep_findings(key, found.clone());
                            found
                        });
                        let links = PageLinks {
                            index,
                            ids: found.ids.clone(),
                            anchors: found.anchors.clone(),
                        };
                        return (found.problems.clone(), found.assets.clone(), Some(links));
                    }
                    let mut rendered = self.render_page(*page, &path, &shared, false);
                    // A page kept from the previous build whose file is gone:
                    // render it after all.
                    if let Ok(RenderedPage { html: None, .. }) = &rendered
                        && !matches!(output.keep(&path), Ok(true))
                    {
                        rendered = self.render_page(*page, &path, &shared, true);
                    }
                    match rendered {
                        Ok(rendered) => {
                            let written = match &rendered.html {
                                Some(html) => output.write(&path, html),
                                None => Ok(()),
                            };
                            match written {
                                Ok(()) => (rendered.problems, rendered.assets, rendered.links),
                                Err(e) => (vec![write_error(&e)], Vec::new(), None),
                            }
                        }
                        Err(diagnostic) => (vec![diagnostic], Vec::new(), None),
                    }
                })
                .collect();
            let mut report = RenderReport {
                pages: jobs.len(),
                ..RenderReport::default()
            };
            let mut assets: BTreeSet<PathBuf> = BTreeSet::new();
            let mut links = Vec::new();
            for (problems, page_assets, page_links) in results {
                report.diagnostics.extend(problems);
                assets.extend(page_assets);
                links.extend(page_links);
            }
            report.diagnostics.extend(check_anchors(archive, &links));
            lap("pages", pages_started);
            (report, assets)
        };
        let ((mut report, assets), ((data, data_problems), (shards, shard_problems))) =
            rayon::join(pages_written, || {
                rayon::join(data_files_written, search_index_written)
            });
        report.files += data + shards;
        report.diagnostics.extend(data_problems);
        report.diagnostics.extend(shard_problems);
        let writes_started = std::time::Instant::now();
        for (name, file) in &self.theme.static_files {
            let result = file
                .read()
                .map_err(|e| WriteError::Io {
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
        if let Some(cache) = cache {
            cache.finish();
        }
        lap("static files", writes_started);
        report
    }

    /// Every incident's list summary, in archive order; watch mode takes an
    /// incident's from the cache when the incident and the taxonomies'
    /// term names (which summaries show) are unchanged.
    /// With the cache, also each summary's hash (of its JSON form), so
    /// that list pages are fingerprinted without serialising every summary
    /// again; without, the hashes are empty.
    fn summaries(
        &self,
        archive: &Archive,
        cache: Option<&RenderCache>,
    ) -> (Vec<Arc<Summary>>, Vec<u64>) {
        let make = |i: usize| Arc::new(pages::summary(archive, &self.config, i));
        let Some(cache) = cache else {
            let summaries = (0..archive.incidents.len())
                .into_par_iter()
                .map(make)
                .collect();
            return (summaries, Vec::new());
        };
        let made = by_fingerprint(archive, &cache.summaries, terms_key(archive), |i| {
            use std::hash::Hasher;
            let summary = make(i);
            let mut hasher = std::collections::hash_map::DefaultHasher::new();
            let _ = serde_json::to_writer(HashWriter(&mut hasher), &*summary);
            (summary, hasher.finish())
        });
        made.into_iter().unzip()
    }

    /// An incident's rendered body (from watch mode's cache when it has
    /// it) and what it found: diagnostics, assets to copy, headings and
    /// anchors to check.
    fn incident_body(
        &self,
        index: usize,
        shared: &Shared<'_>,
    ) -> (
        Arc<markdown::RenderedBody>,
        Vec<Diagnostic>,
        Vec<PathBuf>,
        PageLinks,
    ) {
        let archive = shared.archive;
        let incident = &archive.incidents[index];
        let links = markdown::LinkTargets {
            source: incident.source.clone(),
            pages: shared.pages_by_source.clone(),
            assets: shared.available_assets.clone(),
            unpublished: shared.unpublished.clone(),
            remote_images: self.config.remote_images,
        };
        let render = || {
            markdown::render(
                &incident.body,
                &incident.title,
                &links,
                &self.highlighter,
                self.config.raw_html,
            )
        };
        let body = match shared.cache {
            Some(cache) => cache.body(body_key(shared, incident), incident, render),
            None => Arc::new(render()),
        };
        let mut problems = Vec::new();
        for problem in &body.problems {
            let at = Some(Position::new(incident.body_line + problem.line - 1, 1));
            let file = &incident.display_path;
            problems.push(match problem.kind {
                markdown::ProblemKind::MissingAsset => {
                    Diagnostic::warning(Code::MissingAsset, file, at, problem.message.clone())
                        .with_hint("fix the path, relative to this file")
                }
                markdown::ProblemKind::BrokenLink => {
                    Diagnostic::error(Code::BrokenLink, file, at, problem.message.clone())
                        .with_hint("link to an existing postmortem file, relative to this one")
                }
                markdown::ProblemKind::UnpublishedLink => {
                    Diagnostic::warning(Code::UnpublishedLink, file, at, problem.message.clone())
                        .with_hint("publish the target too, or remove the link")
                }
            });
        }
        let links = PageLinks {
            index,
            ids: Arc::new(HeadingIds::new(
                body.headings.iter().map(|(_, id, _)| id.as_str()),
            )),
            anchors: Arc::new(body.anchors.clone()),
        };
        let assets = body.assets.clone();
        (body, problems, assets, links)
    }

    /// Renders one page. With watch mode's cache and unless `force`, a
    /// page whose template context has the fingerprint of the file in the
    /// output folder is not rendered (`html: None`): the caller keeps that
    /// file.
    fn render_page(
        &self,
        page: Page,
        path: &str,
        shared: &Shared<'_>,
        force: bool,
    ) -> Result<RenderedPage, Diagnostic> {
        // Watch mode: the fingerprint first; the context's values only
        // when the page must be rendered.
        if let Some(cache) = shared.cache {
            let mut hashing = PageContext::fingerprint_only();
            let (problems, assets, links) = self.fill_context(page, path, shared, &mut hashing);
            if let Some(fingerprint) = hashing.fingerprint(page) {
                let same = cache.same_page(path, fingerprint);
                if same && !force {
                    return Ok(RenderedPage {
                        html: None,
                        problems,
                        assets,
                        links,
                    });
                }
            }
            cache
                .pages_rendered
                .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        }
        let mut context = PageContext::values();
        let (problems, assets, page_links) = self.fill_context(page, path, shared, &mut context);
        // Rendered into a buffer sized for most pages (incident pages
        // average 23 KB, list pages 64 KB on the synthetic archive): no
        // regrowth copies, and no UTF-8 check of what tera wrote (it
        // writes only `str`s).
        let mut html = Vec::with_capacity(PAGE_BUFFER);
        self.tera
            .render_to(page.template(), &context.context, &mut html)
            .map_err(|e| {
                Diagnostic::error(
                    Code::TemplateError,
                    &self.theme.origin(page.template()),
                    None,
                    format!("rendering {path}: {}", theme::template_error_text(&e)),
                )
            })?;
        Ok(RenderedPage {
            html: Some(html),
            problems,
            assets,
            links: page_links,
        })
    }

    /// Puts page's values into `context`; returns what its body found
    /// (diagnostics, assets, links: incident pages only).
    fn fill_context(
        &self,
        page: Page,
        path: &str,
        shared: &Shared<'_>,
        context: &mut PageContext,
    ) -> (Vec<Diagnostic>, Vec<PathBuf>, Option<PageLinks>) {
        let archive = shared.archive;
        let mut page_links = None;
        let root = pages::root_prefix(path);
        context.insert_made("site", &self.site, &self.site_value);
        context.insert("root", &root);
        context.insert("path", path);
        context.insert("canonical", &self.canonical(path));
        context.insert("section", "");
        let mut problems = Vec::new();
        let mut assets = Vec::new();
        match page {
            Page::Home => {
                let recent: Vec<&Summary> = shared.summaries.iter().take(8).map(|s| &**s).collect();
                context.insert("page_title", &self.config.title);
                context.insert("recent", &recent);
                context.insert("totals", &self.totals(archive));
                context.insert("indexes", &self.index_links(archive));
            }
            Page::Incidents(number) => {
                let paginator = pages::Paginator::new(
                    "incidents/index.html",
                    archive.incidents.len(),
                    self.config.paginate_by,
                    number,
                );
                context.insert("page_title", &paged_title("All incidents", &paginator));
                context.insert("section", "incidents");
                context.insert_summaries(
                    "incidents",
                    pages::page_rows(archive.incidents.len(), self.config.paginate_by, number),
                    shared,
                );
                context.insert("paginator", &paginator);
            }
            Page::Incident(index) => {
                let incident = &archive.incidents[index];
                let (body, body_problems, body_assets, body_links) =
                    self.incident_body(index, shared);
                problems = body_problems;
                assets = body_assets;
                page_links = Some(body_links);
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
            Page::Term(kind, t, number) => {
                let term = &archive.taxonomy(kind).terms[t];
                let count = term.incidents.len();
                let paginator = pages::Paginator::new(
                    &pages::term_url(kind, &term.slug),
                    count,
                    self.config.paginate_by,
                    number,
                );
                context.insert(
                    "page_title",
                    &paged_title(&format!("{}: {}", kind.title(), term.name), &paginator),
                );
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
                let rows = pages::page_rows(count, self.config.paginate_by, number);
                context.insert_summaries("incidents", term.incidents[rows].iter().copied(), shared);
                context.insert("paginator", &paginator);
                let figures = shared.term_figures(kind, t, || {
                    use crate::index::stats;
                    TermFigures {
                        duration: pages::figure(
                            archive.duration_distribution(term.incidents.iter().copied()),
                            count,
                        ),
                        detect: pages::figure(
                            archive.detect_distribution(term.incidents.iter().copied()),
                            count,
                        ),
                        mitigate: pages::figure(
                            stats::mitigate_distribution(archive, &term.incidents),
                            count,
                        ),
                        actions: stats::action_figures(archive, &term.incidents, self.today),
                    }
                });
                context.insert("duration", &figures.duration);
                context.insert("detect", &figures.detect);
                context.insert("mitigate", &figures.mitigate);
                context.insert("term_actions", &figures.actions);
            }
            Page::Stats => {
                let all: Vec<usize> = (0..archive.incidents.len()).collect();
                let f = crate::index::stats::figures(archive, &all, self.today);
                context.insert("page_title", "Statistics");
                context.insert("section", "stats");
                context.insert("completion_pct", &f.actions.completion_pct());
                context.insert(
                    "distributions",
                    &[
                        pages::distribution_row("Duration", "duration", f.duration, f.total),
                        pages::distribution_row("Time to detect", "detect", f.detect, f.total),
                        pages::distribution_row(
                            "Time to mitigate",
                            "mitigate",
                            f.mitigate,
                            f.total,
                        ),
                    ],
                );
                context.insert(
                    "charts",
                    &StatsCharts {
                        months: charts::month_bars("chart-months", &f.months),
                        categories: charts::count_bars(
                            "chart-categories",
                            "Incidents by root-cause category",
                            &f.categories,
                            false,
                        ),
                        severities: charts::count_bars(
                            "chart-severities",
                            "Incidents by severity",
                            &f.severities,
                            true,
                        ),
                        durations: charts::count_bars(
                            "chart-durations",
                            "Incidents by duration",
                            &f.duration_buckets,
                            false,
                        ),
                        impacts: charts::count_bars(
                            "chart-impacts",
                            "Incidents by share of users affected",
                            &f.impact_buckets,
                            false,
                        ),
                    },
                );
                context.insert("figures", &f);
            }
            Page::ActionItems(number) => {
                // Made once, by the first of its pages to be rendered.
                let actions = shared
                    .action_items
                    .get_or_init(|| self.action_items(archive, shared.summaries));
                // The page count came from the same lists, counted alone.
                debug_assert_eq!(
                    (actions.open(), actions.incidents.len()),
                    pages::action_item_lists(archive)
                );
                let paginate_by = self.config.paginate_by;
                let paginator = pages::Paginator::action_items(
                    actions.open(),
                    actions.incidents.len(),
                    paginate_by,
                    number,
                );
                context.insert("page_title", &paged_title("Action items", &paginator));
                context.insert("section", "action-items");
                context.insert(
                    "actions",
                    &actions.page(archive, shared.summaries, paginate_by, number),
                );
                context.insert("paginator", &paginator);
            }
            Page::NotFound => {
                context.insert("page_title", "Page not found");
                // 404.html is served at any depth: use absolute links when
                // the base URL is known.
                context.insert("root", &self.site.base_url);
            }
        }
        (problems, assets, page_links)
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
        let related = shared.neighbourhood.related[index]
            .clone()
            .into_iter()
            .map(|r| match (r.index, r.url) {
                (Some(i), _) => RelatedLink {
                    title: shared.summaries[i].title.clone(),
                    url: shared.summaries[i].url.clone(),
                    external: false,
                    reason: r.reason,
                },
                (None, url) => {
                    let url = url.unwrap_or_default();
                    RelatedLink {
                        title: url.clone(),
                        url: if is_safe_url(&url) {
                            url
                        } else {
                            String::new()
                        },
                        external: true,
                        reason: r.reason,
                    }
                }
            })
            .collect();
        let found = &shared.neighbourhood.recurrences[index];
        let recurrences = found
            .newest
            .iter()
            .map(|&i| NeighbourData {
                title: &shared.summaries[i].title,
                url: &shared.summaries[i].url,
            })
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
            recurrences,
            recurrences_more: found.count - found.newest.len(),
            timeline: self.timeline_data(incident),
        }
    }
}

impl Renderer {
    /// The clocks of an incident on one axis, the elapsed time between
    /// them, and the body's timeline entries.
    fn timeline_data<'a>(&self, incident: &'a crate::model::Incident) -> TimelineData<'a> {
        let mut points: Vec<(&'static str, &jiff::Zoned)> = [
            ("Started", incident.impact.started_at.as_ref()),
            ("Detected", incident.detected_at.as_ref()),
            ("Acknowledged", incident.acknowledged_at.as_ref()),
            ("Mitigated", incident.mitigated_at.as_ref()),
            ("Ended", incident.impact.ended_at.as_ref()),
            ("Resolved", incident.resolved_at.as_ref()),
        ]
        .into_iter()
        .filter_map(|(label, time)| time.map(|t| (label, t)))
        .collect();
        points.sort_by_key(|(_, t)| t.timestamp());
        let (mut chart, mut steps) = (None, Vec::new());
        if let Some(&(_, first)) = points.first()
            && points.len() >= 2
        {
            let zone = incident.timezone.as_deref();
            // Each point's time as shown, made once for the chart and
            // the steps.
            let locals: Vec<String> = points
                .iter()
                .map(|(_, time)| pages::local_time(time, zone))
                .collect();
            let first_day = locals[0].get(..10).unwrap_or("");
            let clock_points: Vec<charts::ClockPoint> = points
                .iter()
                .zip(&locals)
                .map(|((label, time), local)| {
                    let day = local.get(..10).unwrap_or("");
                    let clock = local.get(11..16).unwrap_or("").to_string();
                    charts::ClockPoint {
                        label,
                        minutes: crate::resolve::minutes_between(first, time),
                        time: if day == first_day {
                            clock
                        } else {
                            format!("{day} {clock}")
                        },
                    }
                })
                .collect();
            chart = Some(charts::clock_axis("incident-clocks", &clock_points));
            for (pair, at) in points.windows(2).zip(&locals[1..]) {
                steps.push(TimelineStep {
                    from: pair[0].0,
                    to: pair[1].0,
                    elapsed: crate::index::format_minutes(crate::resolve::minutes_between(
                        pair[0].1, pair[1].1,
                    )),
                    at: at.clone(),
                });
            }
        }
        TimelineData {
            chart,
            steps,
            entries: &incident.timeline,
        }
    }

    /// What `action-items/` lists (GUIDE.md 9, "open action items across
    /// the archive, overdue first"): overdue items (earliest due first),
    /// then the other open items grouped by owner (named owners
    /// alphabetically, unassigned last), and completion per incident
    /// (least complete first). Items whose status is not stated are
    /// neither open nor settled.
    fn action_items(&self, archive: &Archive, summaries: &[Arc<Summary>]) -> ActionsIndex {
        let all: Vec<usize> = (0..archive.incidents.len()).collect();
        let figures = crate::index::stats::figures(archive, &all, self.today);
        let mut overdue = Vec::new();
        let mut by_owner: std::collections::BTreeMap<&str, Vec<(usize, usize)>> =
            std::collections::BTreeMap::new();
        let mut incidents = Vec::new();
        for (index, incident) in archive.incidents.iter().enumerate() {
            let known = incident
                .action_items
                .iter()
                .filter(|a| a.status != crate::model::UNKNOWN_STATUS);
            let total = known.clone().count();
            if total > 0 {
                let done = known.filter(|a| !a.is_open()).count();
                incidents.push((index, done, total));
            }
            for (k, item) in incident.action_items.iter().enumerate() {
                if !item.is_open() {
                    continue;
                }
                match item.due.filter(|due| *due < self.today) {
                    Some(due) => overdue.push((due, (index, k))),
                    None => by_owner
                        .entry(item.owner.as_deref().unwrap_or_default())
                        .or_default()
                        .push((index, k)),
                }
            }
        }
        let url = |index: usize| summaries[index].url.as_str();
        let title = |(i, k): (usize, usize)| archive.incidents[i].action_items[k].title.as_str();
        overdue.sort_by(|a, b| {
            a.0.cmp(&b.0)
                .then(url(a.1.0).cmp(url(b.1.0)))
                .then(title(a.1).cmp(title(b.1)))
        });
        let mut groups: Vec<(String, Vec<(usize, usize)>)> = by_owner
            .into_iter()
            .map(|(owner, mut items)| {
                let due = |(i, k): (usize, usize)| archive.incidents[i].action_items[k].due;
                items.sort_by(|&a, &b| {
                    (due(a).is_none(), due(a), url(a.0), title(a)).cmp(&(
                        due(b).is_none(),
                        due(b),
                        url(b.0),
                        title(b),
                    ))
                });
                let owner = if owner.is_empty() {
                    "Unassigned"
                } else {
                    owner
                };
                (owner.to_string(), items)
            })
            .collect();
        // Named owners first, alphabetically; unassigned items last.
        groups.sort_by_key(|(owner, _)| (owner == "Unassigned", owner.to_lowercase()));
        incidents.sort_by(|a, b| {
            (a.1 * 100 / a.2)
                .cmp(&(b.1 * 100 / b.2))
                .then(url(a.0).cmp(url(b.0)))
        });
        ActionsIndex {
            completion_pct: figures.actions.completion_pct(),
            figures: figures.actions,
            today: self.today.to_string(),
            overdue: overdue.into_iter().map(|(_, at)| at).collect(),
            groups,
            incidents,
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

fn write_error(error: &WriteError) -> Diagnostic {
    Diagnostic::error(
        Code::WriteError,
        Path::new("<output>"),
        None,
        error.to_string(),
    )
}

/// The body cache's key for an incident: its text, title, source path and
/// what links may point to.
fn body_key(shared: &Shared<'_>, incident: &crate::model::Incident) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    shared.link_context.hash(&mut hasher);
    if incident.body_fingerprint != 0 {
        // The hash of the source, title and body, made when resolved.
        incident.body_fingerprint.hash(&mut hasher);
    } else {
        incident.source.hash(&mut hasher);
        incident.title.hash(&mut hasher);
        incident.body.hash(&mut hasher);
    }
    hasher.finish()
}

/// What a page's file depends on, cheaply (watch mode), besides the
/// renderer (templates, configuration, build date: a change to those
/// drops every key). A list or statistics page depends on the archive's
/// data (every incident but its body); a term page on its term and the
/// data of the incidents it lists. An incident page
/// depends on what its context reads: its own data, body and file; the
/// term names; the summaries of its neighbours in time, of its related
/// incidents (with the reasons) and of its recurrences. So a severity
/// change renders that incident's page, not every incident page.
fn input_key(shared: &Shared<'_>, page: Page, archive_key: u64) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    page.template().hash(&mut hasher);
    // A term page: its term and the data of the incidents it lists (its
    // figures and charts count only those).
    // Pages of one list differ by their number (their path does too, but
    // keys must not lean on that).
    page.number().hash(&mut hasher);
    if let Page::Term(kind, t, _) = page
        && shared.data_hashes.len() == shared.archive.incidents.len()
    {
        let term = &shared.archive.taxonomy(kind).terms[t];
        (
            kind.path(),
            &term.slug,
            &term.name,
            &term.description,
            shared.terms,
            term.incidents.len(),
        )
            .hash(&mut hasher);
        for &i in &term.incidents {
            shared.data_hashes[i].hash(&mut hasher);
        }
        return hasher.finish();
    }
    let neighbourhood = &shared.neighbourhood;
    let Page::Incident(index) = page else {
        archive_key.hash(&mut hasher);
        return hasher.finish();
    };
    let incident = &shared.archive.incidents[index];
    let summary = |i: usize| shared.summary_hashes.get(i).copied();
    (
        shared.data_hashes.get(index),
        body_key(shared, incident),
        incident.body_line,
        incident.display_path.as_os_str(),
        shared.terms,
        summary(index),
        index.checked_sub(1).and_then(summary),
        summary(index + 1),
        neighbourhood.related[index].len(),
        neighbourhood.recurrences[index].count,
    )
        .hash(&mut hasher);
    for related in &neighbourhood.related[index] {
        (
            related.index.and_then(summary),
            &related.url,
            &related.reason,
        )
            .hash(&mut hasher);
    }
    for &i in &neighbourhood.recurrences[index].newest {
        summary(i).hash(&mut hasher);
    }
    hasher.finish()
}

/// A page's template context, or (watch mode) only its fingerprint: each
/// value hashed as it is inserted, from its JSON form, without building
/// the template values (most pages of a rebuild are only fingerprinted).
struct PageContext {
    context: tera::Context,
    hasher: Option<std::collections::hash_map::DefaultHasher>,
    /// A value's JSON, hashed in one piece.
    buffer: Vec<u8>,
}

impl PageContext {
    /// A context to render with.
    fn values() -> Self {
        PageContext {
            context: tera::Context::new(),
            hasher: None,
            buffer: Vec::new(),
        }
    }

    /// A fingerprint only; [`PageContext::fingerprint`] gives it.
    fn fingerprint_only() -> Self {
        PageContext {
            context: tera::Context::new(),
            hasher: Some(std::collections::hash_map::DefaultHasher::new()),
            buffer: Vec::with_capacity(4096),
        }
    }

    fn insert<T: serde::Serialize + ?Sized>(&mut self, key: &'static str, value: &T) {
        match &mut self.hasher {
            Some(hasher) => {
                use std::hash::{Hash, Hasher};
                key.hash(hasher);
                self.buffer.clear();
                let _ = serde_json::to_writer(&mut self.buffer, value);
                hasher.write(&self.buffer);
            }
            None => self
                .context
                .insert_value(key, tera::Value::from_serializable(value)),
        }
    }

    /// [`PageContext::insert`] for a value whose template value `made`
    /// was made once and is shared (cloning it copies a pointer).
    fn insert_made<T: serde::Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
        made: &tera::Value,
    ) {
        match self.hasher {
            Some(_) => self.insert(key, value),
            None => self.context.insert_value(key, made.clone()),
        }
    }

    /// Inserts the list summaries of the incidents `indices` (archive
    /// order) as a list. Fingerprinted from each summary's kept hash
    /// rather than serialised again: a term page lists thousands.
    fn insert_summaries(
        &mut self,
        key: &'static str,
        indices: impl ExactSizeIterator<Item = usize> + Clone,
        shared: &Shared<'_>,
    ) {
        if let Some(hasher) = &mut self.hasher
            && shared.summary_hashes.len() == shared.summaries.len()
        {
            use std::hash::Hash;
            key.hash(hasher);
            indices.len().hash(hasher);
            for i in indices {
                shared.summary_hashes[i].hash(hasher);
            }
            return;
        }
        if self.hasher.is_some() {
            let list: Vec<&Summary> = indices.map(|i| &*shared.summaries[i]).collect();
            self.insert(key, &list);
            return;
        }
        let list: Vec<tera::Value> = indices.map(|i| shared.summary_value(i)).collect();
        self.context.insert_value(key, tera::Value::from(list));
    }

    /// The fingerprint of everything inserted and the page's template.
    fn fingerprint(&self, page: Page) -> Option<u64> {
        use std::hash::{Hash, Hasher};
        let mut hasher = self.hasher.clone()?;
        page.template().hash(&mut hasher);
        Some(hasher.finish())
    }
}

/// A list page's title: `title`, then `(page 2 of 7)` past the first page.
fn paged_title(title: &str, paginator: &pages::Paginator) -> String {
    if paginator.number > 1 {
        format!("{title} (page {} of {})", paginator.number, paginator.count)
    } else {
        title.to_string()
    }
}

/// Feeds written bytes to a hasher.
struct HashWriter<'a>(&'a mut std::collections::hash_map::DefaultHasher);

impl std::io::Write for HashWriter<'_> {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        use std::hash::Hasher;
        self.0.write(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Bytes reserved for a page's HTML before rendering it.
const PAGE_BUFFER: usize = 96 << 10;

/// One rendered page and what it found.
struct RenderedPage {
    /// `None`: the page's inputs are unchanged; keep the previous file.
    html: Option<Vec<u8>>,
    problems: Vec<Diagnostic>,
    assets: Vec<PathBuf>,
    links: Option<PageLinks>,
}

/// An incident page's heading ids, kept until every page is rendered to
/// check `#fragments` against: as sorted 64-bit hashes (8 bytes an id, not
/// a string and a hash-set slot each).
#[derive(Debug)]
struct HeadingIds(Box<[u64]>);

impl HeadingIds {
    fn new<'i>(ids: impl Iterator<Item = &'i str>) -> Self {
        let mut hashes: Vec<u64> = ids.map(path_key).collect();
        hashes.sort_unstable();
        hashes.dedup();
        HeadingIds(hashes.into_boxed_slice())
    }

    /// Whether `id` is one of the ids (a false match needs a 64-bit hash
    /// collision).
    fn contains(&self, id: &str) -> bool {
        self.0.binary_search(&path_key(id)).is_ok()
    }
}

/// An incident page's heading ids and the `#fragments` it links to.
struct PageLinks {
    index: usize,
    ids: Arc<HeadingIds>,
    anchors: Arc<Vec<markdown::AnchorRef>>,
}

/// What an incident page's body found (watch mode keeps it by the page's
/// input key, which covers everything it depends on): diagnostics, assets
/// to copy, heading ids and anchors to check.
#[derive(Debug)]
struct Findings {
    problems: Vec<Diagnostic>,
    assets: Vec<PathBuf>,
    ids: Arc<HeadingIds>,
    anchors: Arc<Vec<markdown::AnchorRef>>,
}

/// Checks every `#fragment` against the headings of its target page: a
/// fragment into another postmortem that matches no heading is a
/// `broken-link` error; within the same page, a warning (real archives
/// carry stale in-page anchors, and the page still works).
fn check_anchors(archive: &Archive, pages: &[PageLinks]) -> Vec<Diagnostic> {
    let by_index: HashMap<usize, &PageLinks> = pages.iter().map(|p| (p.index, p)).collect();
    let mut problems = Vec::new();
    for page in pages {
        let incident = &archive.incidents[page.index];
        for anchor in page.anchors.iter() {
            let target = match &anchor.target {
                None => Some(page.index),
                Some(source) => archive.by_source.get(source).copied(),
            };
            let Some(ids) = target.and_then(|t| by_index.get(&t)).map(|p| &p.ids) else {
                continue;
            };
            let slug = crate::slug::slugify(&anchor.fragment);
            if ids.contains(&anchor.fragment)
                || ids.contains(&slug)
                || ids.contains(&format!("h-{slug}"))
                || anchor.fragment.starts_with("fn")
            {
                continue;
            }
            let at = Some(Position::new(incident.body_line + anchor.line - 1, 1));
            let message = format!(
                "#{} matches no heading of the {} page",
                anchor.fragment,
                if anchor.target.is_some() {
                    "linked"
                } else {
                    "same"
                }
            );
            let hint = "link to a heading's anchor (shown by the # beside it)";
            problems.push(if anchor.target.is_some() {
                Diagnostic::error(Code::BrokenLink, &incident.display_path, at, message)
                    .with_hint(hint)
            } else {
                Diagnostic::warning(Code::BrokenLink, &incident.display_path, at, message)
                    .with_hint(hint)
            });
        }
    }
    problems
}

struct Shared<'a> {
    archive: &'a Archive,
    summaries: &'a [Arc<Summary>],
    /// Watch mode: each summary's hash (else empty).
    summary_hashes: &'a [u64],
    /// Watch mode: each incident's data hash (else empty).
    data_hashes: &'a [u64],
    /// Watch mode: [`terms_key`] (else 0).
    terms: u64,
    pages_by_source: Arc<HashMap<PathBuf, String>>,
    available_assets: Arc<BTreeSet<PathBuf>>,
    unpublished: Arc<std::collections::HashSet<PathBuf>>,
    /// Watch mode's body cache, if any.
    cache: Option<&'a RenderCache>,
    /// Hash of what body rendering depends on besides the body.
    link_context: u64,
    /// Every incident's related incidents and recurrences: made once per
    /// build, and in watch mode kept while nothing they read changed.
    neighbourhood: Arc<Neighbourhood>,
    /// Each term's figures, made by the first of its pages to be rendered
    /// and shared by the others: they cover the whole term, so making
    /// them on every page of a paginated term would cost the term's size
    /// once per page (quadratic in the term's size).
    term_figures: Mutex<HashMap<(TaxonomyKind, usize), Arc<TermFigures>>>,
    /// What `action-items/` lists, made by the first of its pages to be
    /// rendered and sliced by each.
    action_items: std::sync::OnceLock<ActionsIndex>,
    /// Each summary as a template value, made by the first page that lists
    /// it: an incident is listed on a page per term it is in, and a
    /// value's maps are shared (reference-counted), so each page's list
    /// is one vector of clones.
    summary_values: Vec<OnceLock<tera::Value>>,
    /// Each term link in summaries as a template value, by URL: shared
    /// by every summary that links the term (a summary's value is then
    /// one small map of its own, the rest reference-counted).
    term_values: Mutex<HashMap<String, tera::Value>>,
}

impl Shared<'_> {
    /// Summary `i` as a template value: what serialising the
    /// [`Summary`] gives, its term links shared.
    fn summary_value(&self, i: usize) -> tera::Value {
        self.summary_values[i]
            .get_or_init(|| {
                pages::summary_value(&self.summaries[i], |link| {
                    let mut known = self.term_values.lock().unwrap_or_else(|e| e.into_inner());
                    known
                        .entry(link.url.clone())
                        .or_insert_with(|| tera::Value::from_serializable(link))
                        .clone()
                })
            })
            .clone()
    }

    /// The figures of term `t` of `kind`, made by `make` the first time.
    fn term_figures(
        &self,
        kind: TaxonomyKind,
        t: usize,
        make: impl FnOnce() -> TermFigures,
    ) -> Arc<TermFigures> {
        let known = self
            .term_figures
            .lock()
            .ok()
            .and_then(|figures| figures.get(&(kind, t)).cloned());
        if let Some(figures) = known {
            return figures;
        }
        // Made outside the lock: two threads may both make them (the same
        // figures) rather than wait on each other.
        let figures = Arc::new(make());
        if let Ok(mut all) = self.term_figures.lock() {
            all.insert((kind, t), figures.clone());
        }
        figures
    }
}

/// A term's figures, shown on each of its pages (GUIDE.md 9).
#[derive(Debug)]
struct TermFigures {
    duration: pages::FigureData,
    detect: pages::FigureData,
    mitigate: pages::FigureData,
    actions: crate::index::stats::ActionFigures,
}

/// Every incident's related incidents and recurrences, by incident index
/// ([`crate::index::related`]).
#[derive(Debug)]
struct Neighbourhood {
    related: Vec<Vec<crate::index::related::Related>>,
    recurrences: Vec<crate::index::related::Recurrences>,
}

impl Neighbourhood {
    /// A hash of everything [`crate::index::related::related`] and
    /// [`crate::index::related::recurrences`] read: each incident's id,
    /// category, trigger, `related` list, services, tags and date, in
    /// archive order, and the category terms. Equal keys, equal results.
    fn key(archive: &Archive) -> u64 {
        use std::hash::{Hash, Hasher};
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        for incident in &archive.incidents {
            (
                &incident.id,
                &incident.category,
                &incident.trigger,
                &incident.related,
                &incident.services,
                &incident.tags,
                incident.sort_date(),
            )
                .hash(&mut hasher);
        }
        for term in &archive
            .taxonomy(crate::index::TaxonomyKind::Categories)
            .terms
        {
            term.slug.hash(&mut hasher);
        }
        hasher.finish()
    }

    fn of(archive: &Archive) -> Neighbourhood {
        let all = 0..archive.incidents.len();
        let similarity = crate::index::related::Similarity::new(archive);
        Neighbourhood {
            related: all
                .clone()
                .into_par_iter()
                .map_init(crate::index::related::Marks::default, |marks, i| {
                    similarity.related_with(i, marks)
                })
                .collect(),
            recurrences: all
                .into_par_iter()
                .map(|i| crate::index::related::recurrences(archive, i))
                .collect(),
        }
    }
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
    /// The newest recurrences (`RECURRENCES_SHOWN`, issue 6).
    recurrences: Vec<NeighbourData<'a>>,
    /// How many recurrences there are besides those named.
    recurrences_more: usize,
    timeline: TimelineData<'a>,
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
    reason: String,
}

#[derive(Serialize)]
struct StatsCharts {
    months: String,
    categories: String,
    severities: String,
    durations: String,
    impacts: String,
}

#[derive(Serialize)]
struct TimelineData<'a> {
    /// The clocks on one axis (SVG), when two or more are known.
    chart: Option<String>,
    /// Elapsed time between consecutive clocks.
    steps: Vec<TimelineStep>,
    /// Entries of the body's timeline section.
    entries: &'a [crate::model::TimelineEntry],
}

#[derive(Serialize)]
struct TimelineStep {
    from: &'static str,
    to: &'static str,
    elapsed: String,
    at: String,
}

#[derive(Serialize)]
struct OpenItem<'a> {
    title: &'a str,
    owner: Option<&'a str>,
    status: &'a str,
    priority: Option<&'a str>,
    due: Option<String>,
    overdue: bool,
    link: Option<&'a str>,
    incident_title: &'a str,
    incident_url: &'a str,
}

#[derive(Serialize)]
struct IncidentCompletion<'a> {
    title: &'a str,
    url: &'a str,
    done: usize,
    total: usize,
    pct: usize,
}

/// Everything `action-items/` lists, made once a build, as positions:
/// items as (incident index, item index), completion rows as (incident
/// index, settled items, items with a known status).
#[derive(Debug)]
struct ActionsIndex {
    figures: crate::index::stats::ActionFigures,
    completion_pct: Option<usize>,
    today: String,
    overdue: Vec<(usize, usize)>,
    groups: Vec<(String, Vec<(usize, usize)>)>,
    incidents: Vec<(usize, usize, usize)>,
}

impl ActionsIndex {
    /// How many open items it lists.
    fn open(&self) -> usize {
        self.overdue.len()
            + self
                .groups
                .iter()
                .map(|(_, items)| items.len())
                .sum::<usize>()
    }

    /// Page `number` (0-based) at `paginate_by` rows a page (0: one page):
    /// the `number`-th slice of the open items (overdue ones, then the
    /// others by owner) and of the completion table.
    fn page<'p>(
        &'p self,
        archive: &'p Archive,
        summaries: &'p [Arc<Summary>],
        paginate_by: usize,
        number: usize,
    ) -> ActionsPageData<'p> {
        let item = |(i, k): (usize, usize), overdue: bool| {
            let item = &archive.incidents[i].action_items[k];
            OpenItem {
                title: &item.title,
                owner: item.owner.as_deref(),
                status: &item.status,
                priority: item.priority.as_deref(),
                due: item.due.map(|d| d.to_string()),
                overdue,
                link: item.link.as_deref().filter(|l| is_safe_url(l)),
                incident_title: &summaries[i].title,
                incident_url: &summaries[i].url,
            }
        };
        let open = self.open();
        let rows = pages::page_rows(open, paginate_by, number);
        let late = self.overdue.len();
        let overdue = self.overdue[rows.start.min(late)..rows.end.min(late)]
            .iter()
            .map(|&at| item(at, true))
            .collect();
        let mut groups = Vec::new();
        let mut start = late;
        for (owner, items) in &self.groups {
            let end = start + items.len();
            let (from, to) = (rows.start.max(start), rows.end.min(end));
            if from < to {
                groups.push(OwnerGroupData {
                    owner,
                    count: items.len(),
                    continued: from > start,
                    items: items[from - start..to - start]
                        .iter()
                        .map(|&at| item(at, false))
                        .collect(),
                });
            }
            start = end;
        }
        let completion = pages::page_rows(self.incidents.len(), paginate_by, number);
        ActionsPageData {
            figures: self.figures,
            completion_pct: self.completion_pct,
            today: &self.today,
            open,
            overdue,
            groups,
            incidents: self.incidents[completion]
                .iter()
                .map(|&(i, done, total)| IncidentCompletion {
                    title: &summaries[i].title,
                    url: &summaries[i].url,
                    done,
                    total,
                    pct: done * 100 / total,
                })
                .collect(),
        }
    }
}

/// One page of `action-items/`, for its template.
#[derive(Serialize)]
struct ActionsPageData<'p> {
    figures: crate::index::stats::ActionFigures,
    completion_pct: Option<usize>,
    today: &'p str,
    /// How many open items the archive has (on every page).
    open: usize,
    overdue: Vec<OpenItem<'p>>,
    groups: Vec<OwnerGroupData<'p>>,
    incidents: Vec<IncidentCompletion<'p>>,
}

/// An owner's open items on one page of `action-items/`.
#[derive(Serialize)]
struct OwnerGroupData<'p> {
    owner: &'p str,
    /// How many open items the owner has (on every page).
    count: usize,
    /// Whether the owner's items began on an earlier page.
    continued: bool,
    items: Vec<OpenItem<'p>>,
}

#[derive(Serialize)]
struct NeighbourData<'a> {
    title: &'a str,
    url: &'a str,
}
