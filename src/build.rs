//! The whole pipeline: load -> resolve -> index -> render -> write.
//!
//! A build reports every problem of every file in one pass. If any error
//! (or, with `strict`, any warning) is found, nothing is written and the
//! previous output stays as it was.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::config::Config;
use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::index::Archive;
use crate::render::Renderer;
use crate::write::Output;

/// What to build and how; mirrors `hindsight build`'s flags.
#[derive(Debug, Clone, Default)]
pub struct BuildOptions {
    /// Archive root (holds `hindsight.toml`). `None`: the current folder,
    /// unless `content` is given, in which case no configuration file is
    /// read and every setting is the default.
    pub root: Option<PathBuf>,
    /// Content folder; default `<root>/<content_dir>` (`content`).
    pub content: Option<PathBuf>,
    /// Output folder; default `<root>/<output_dir>` (`public`), or
    /// `public` in the current folder when only `content` is given.
    pub output: Option<PathBuf>,
    /// Overrides `base_url`.
    pub base_url: Option<String>,
    /// Build drafts too.
    pub drafts: bool,
    /// Warnings fail the build.
    pub strict: bool,
    /// A publishing profile from `[profiles.NAME]`.
    pub profile: Option<String>,
    /// The build date, which decides which action items are overdue;
    /// `None` means today in UTC. The CLI takes it from
    /// `SOURCE_DATE_EPOCH` when set, for reproducible builds.
    pub build_date: Option<jiff::civil::Date>,
    /// Build even when the build stamp says the output is up to date
    /// (`hindsight build --force`; see [`crate::stamp`]).
    pub force: bool,
}

/// The folders and configuration a build works with.
#[derive(Debug, Clone)]
pub struct Plan {
    /// Archive root, if there is one (theme overrides are read below it).
    pub root: Option<PathBuf>,
    /// Content folder.
    pub content: PathBuf,
    /// Output folder.
    pub output: PathBuf,
    /// Configuration with command-line overrides applied.
    pub config: Config,
    /// The chosen profile (the default publishes everything).
    pub profile: crate::profile::Profile,
}

impl Plan {
    /// The folders a build reads, every file below them: the content
    /// folder and, in the archive root, `templates/`, `static/` and
    /// `themes/` (theme overrides, GUIDE.md 9). Watch mode watches them;
    /// the build stamp snapshots them.
    pub fn input_folders(root: Option<&Path>, content: &Path) -> Vec<PathBuf> {
        let mut folders = vec![content.to_path_buf()];
        if let Some(root) = root {
            for folder in ["templates", "static", "themes"] {
                folders.push(root.join(folder));
            }
        }
        folders
    }

    /// Works out folders and configuration from the options.
    ///
    /// Errors: `config-error` diagnostics for an invalid `hindsight.toml`.
    pub fn new(options: &BuildOptions) -> Result<Plan, Diagnostics> {
        let root = match (&options.root, &options.content) {
            (Some(root), _) => Some(root.clone()),
            (None, None) => Some(PathBuf::from(".")),
            (None, Some(_)) => None,
        };
        let mut config = match &root {
            Some(root) => Config::load(root)
                .map_err(|problems| problems.into_iter().collect::<Diagnostics>())?,
            None => Config::default(),
        };
        let profile = match &options.profile {
            None => crate::profile::Profile::default(),
            Some(name) => match config.profiles.get(name) {
                Some(profile) => profile.clone(),
                None => {
                    let known: Vec<&str> = config.profiles.keys().map(String::as_str).collect();
                    let mut problems = Diagnostics::new();
                    problems.push(
                        Diagnostic::error(
                            Code::ConfigError,
                            Path::new(crate::config::CONFIG_FILE),
                            None,
                            format!("no profile {name:?} in the configuration"),
                        )
                        .with_hint(if known.is_empty() {
                            "define it as [profiles.NAME] in hindsight.toml".to_string()
                        } else {
                            format!("known profiles: {}", known.join(", "))
                        }),
                    );
                    return Err(problems);
                }
            },
        };
        if let Some(base_url) = &profile.base_url {
            config.base_url = base_url.clone();
        }
        if let Some(output_dir) = &profile.output_dir {
            config.output_dir = output_dir.clone();
        }
        if let Some(base_url) = &options.base_url {
            config.base_url = base_url.clone();
        }
        let in_root = |dir: &str| match &root {
            Some(root) if root != Path::new(".") => root.join(dir),
            _ => PathBuf::from(dir),
        };
        let content = options
            .content
            .clone()
            .unwrap_or_else(|| in_root(&config.content_dir));
        let output = options
            .output
            .clone()
            .unwrap_or_else(|| in_root(&config.output_dir));
        Ok(Plan {
            root,
            content,
            output,
            config,
            profile,
        })
    }
}

/// The outcome of a build that wrote a site.
#[derive(Debug)]
pub struct BuildReport {
    /// Warnings (and, for a failed build, errors).
    pub diagnostics: Diagnostics,
    /// Incidents published.
    pub incidents: usize,
    /// Drafts left out.
    pub drafts_skipped: usize,
    /// Pages rendered.
    pub pages: usize,
    /// Whether the build stamp showed the output already up to date, so
    /// nothing was rendered or written (the counts and warnings are the
    /// last real build's).
    pub up_to_date: bool,
    /// Postmortem files resolved afresh (the rest came from watch mode's
    /// cache).
    pub files_resolved: usize,
    /// Bodies rendered from Markdown afresh (the rest came from watch
    /// mode's cache).
    pub bodies_rendered: usize,
    /// Pages whose template ran; in watch mode the others kept the previous
    /// build's file, their inputs being unchanged.
    pub pages_rendered: usize,
    /// Files written (new or changed bytes).
    pub files: usize,
    /// Files whose bytes equal the previous build's, kept as they were.
    pub unchanged: usize,
    /// Output folder.
    pub output: PathBuf,
    /// Wall time.
    pub elapsed: Duration,
}

/// A build that failed; the previous output is untouched.
#[derive(Debug)]
pub struct BuildFailure {
    /// Every problem found, errors and warnings, sorted.
    pub diagnostics: Diagnostics,
    /// Whether the problem is the configuration (exit 2) rather than the
    /// content (exit 1).
    pub configuration: bool,
}

/// What watch mode keeps between builds, so that a rebuild reads and
/// resolves only the files that changed and renders Markdown (and
/// highlights code) only for bodies that changed. The output is the same as a clean build's:
/// every cache hit is checked against the full input.
#[derive(Debug, Default)]
pub struct Session {
    load: crate::load::LoadCache,
    resolve: crate::resolve::ResolveCache,
    index: crate::index::IndexCache,
    render: crate::render::RenderCache,
    /// The files of the last site (in the output folder), if known.
    last_site: Option<crate::write::PathSet>,
    /// The site before last, when the last build kept it as the next
    /// staging folder; see [`Output::begin_recycling`].
    recycled_site: Option<crate::write::Recycle>,
}

impl Session {
    /// Tells the next rebuild which paths (absolute) changed, so that it
    /// reads those instead of walking the content folder; `None` when the
    /// watcher cannot say (it lost events), so the next rebuild walks.
    /// See [`crate::load::LoadCache`].
    pub fn note_changes(&mut self, paths: Option<&[PathBuf]>) {
        self.load.note_changes(paths);
    }

    /// Whether the last rebuild walked the content folder (false: it read
    /// only the paths the watcher reported).
    pub fn walked_folder(&self) -> bool {
        self.load.walked_folder
    }
}

/// Runs a full build.
pub fn build(options: &BuildOptions) -> Result<BuildReport, BuildFailure> {
    build_with(options, None)
}

/// Runs a build that reuses (and refreshes) `session`'s caches: watch
/// mode's rebuilds.
pub fn rebuild(options: &BuildOptions, session: &mut Session) -> Result<BuildReport, BuildFailure> {
    build_with(options, Some(session))
}

fn build_with(
    options: &BuildOptions,
    mut session: Option<&mut Session>,
) -> Result<BuildReport, BuildFailure> {
    let started = Instant::now();
    // `HINDSIGHT_TIMINGS=1` prints the time of each stage (for profiling).
    let timings = crate::timing::enabled();
    let mut last = Instant::now();
    let mut lap = |stage: &str| {
        if timings {
            crate::timing::report(0, stage, last);
        }
        last = Instant::now();
    };
    let plan = Plan::new(options).map_err(|diagnostics| BuildFailure {
        diagnostics,
        configuration: true,
    })?;
    let today = options.build_date.unwrap_or_else(|| {
        jiff::Timestamp::now()
            .to_zoned(jiff::tz::TimeZone::UTC)
            .date()
    });
    let renderer =
        Renderer::new(plan.root.as_deref(), &plan.config, today).map_err(|problems| {
            let configuration = problems
                .iter()
                .any(|d| matches!(d.code, Code::ConfigError | Code::TemplateError));
            BuildFailure {
                diagnostics: problems.into_iter().collect(),
                configuration,
            }
        })?;

    let renderer = match session.as_deref() {
        Some(session) => renderer.with_blocks(&session.render),
        None => renderer,
    };
    lap("setup");
    // A plain build first checks the build stamp: with nothing changed
    // since the last build, the output is already what this one would
    // write. Watch mode keeps its own caches and removes the stamp, as it
    // changes the output without one.
    let stamp = match session {
        Some(_) => {
            crate::stamp::Stamp::remove(&plan.output);
            None
        }
        None => {
            let key = crate::stamp::Stamp::key(&format!(
                "{:?} {today} {:?} {:?}",
                BuildOptions {
                    force: false,
                    ..options.clone()
                },
                plan.content,
                plan.output
            ));
            let folders = Plan::input_folders(plan.root.as_deref(), &plan.content);
            let files: Vec<PathBuf> = plan
                .root
                .iter()
                .map(|root| root.join(crate::config::CONFIG_FILE))
                .collect();
            let inputs = crate::stamp::Snapshot::of(&folders, &files);
            if !options.force
                && let Some(saved) = crate::stamp::Stamp::read(&plan.output)
                && let Some(summary) = saved.fresh(&key, &inputs, &plan.output)
            {
                lap("stamp");
                return Ok(BuildReport {
                    diagnostics: summary.diagnostics.clone(),
                    incidents: summary.incidents,
                    drafts_skipped: summary.drafts_skipped,
                    pages: summary.pages,
                    up_to_date: true,
                    files_resolved: 0,
                    bodies_rendered: 0,
                    pages_rendered: 0,
                    files: 0,
                    unchanged: 0,
                    output: plan.output,
                    elapsed: started.elapsed(),
                });
            }
            Some((key, inputs))
        }
    };
    lap("stamp");
    let max_bytes = plan.config.max_file_bytes;
    let loaded = match session.as_deref_mut() {
        Some(session) => {
            crate::load::load_cached(&plan.content, &plan.content, max_bytes, &mut session.load)
        }
        None => crate::load::load_limited(&plan.content, &plan.content, max_bytes),
    };
    lap("load");
    let crate::load::Loaded {
        files,
        assets,
        diagnostics: load_diagnostics,
        fresh,
    } = loaded;
    let mut diagnostics = load_diagnostics;
    let loaded_files = files.len();
    // A plain build frees each loaded file once resolved (the incidents
    // hold their own bodies); watch mode's cache keeps them.
    let resolved = match session.as_deref_mut() {
        Some(session) => {
            let resolved = crate::resolve::resolve_cached(
                &files,
                &plan.config,
                &mut session.resolve,
                fresh.as_ref(),
            );
            drop(files);
            resolved
        }
        None => crate::resolve::resolve_owned(files, &plan.config),
    };
    let files_resolved = session
        .as_deref()
        .map_or(loaded_files, |s| s.resolve.misses);
    lap("resolve");
    diagnostics.extend(resolved.diagnostics);
    let total = resolved.incidents.len();
    let (incidents, drafts): (Vec<_>, Vec<_>) = resolved
        .incidents
        .into_iter()
        .partition(|i| options.drafts || !i.is_draft());
    let drafts_skipped = total - incidents.len();
    // Drafts and incidents a profile withholds are not published; links
    // to them become text rather than broken links.
    let (incidents, mut withheld) = crate::profile::apply(incidents, &plan.profile);
    withheld.extend(drafts.into_iter().map(|i| i.source.clone()));
    let fail = |mut diagnostics: Diagnostics| {
        diagnostics.sort();
        BuildFailure {
            diagnostics,
            configuration: false,
        }
    };
    if diagnostics.fails(options.strict) {
        return Err(fail(diagnostics));
    }

    let archive = match session.as_deref_mut() {
        Some(session) => Archive::new_cached(incidents, &plan.config, &mut session.index),
        None => Archive::new(incidents, &plan.config),
    };
    lap("index");
    let started_output = match session.as_deref_mut() {
        Some(session) => {
            // The recycled folder holds the site before last; a failure
            // from here on removes it, so its listing is used once.
            Output::begin_recycling(&plan.output, session.recycled_site.take())
        }
        None => Output::begin(&plan.output),
    };
    let output = started_output.map_err(|e| {
        let mut d = diagnostics.clone();
        d.push(Diagnostic::error(
            Code::WriteError,
            &plan.output,
            None,
            format!("cannot prepare the output folder: {e}"),
        ));
        fail(d)
    })?;
    let cache = session.as_deref().map(|s| &s.render);
    let report =
        renderer.render_site_cached(&archive, &assets, &withheld, &plan.content, &output, cache);
    let bodies_rendered = cache.map_or(archive.incidents.len(), |c| c.misses());
    let pages_rendered = cache.map_or(report.pages, |c| c.pages_rendered());
    let incident_count = archive.incidents.len();
    // Watch mode keeps the index for the next rebuild. A plain build
    // frees it on a pool thread while the site is swapped in and the stamp
    // written (at 50,000 freeing it takes about 130 ms of one thread).
    match session.as_deref_mut() {
        Some(session) => session.index.keep(archive),
        None => rayon::spawn(move || drop(archive)),
    }
    lap("render");
    diagnostics.extend(report.diagnostics);
    if diagnostics.fails(options.strict) {
        output.abort();
        return Err(fail(diagnostics));
    }
    let unchanged = output.files_unchanged();
    let committed = output.commit_recycling();
    lap("swap");
    let (files, listing) = match committed {
        Ok(mut recycled) => {
            let listing = recycled.listing.take();
            if let Some(session) = session {
                session.render.committed();
                // The site that was live is now the recycled folder.
                let previous = session.last_site.replace(recycled.produced);
                session.recycled_site = previous.filter(|_| recycled.kept_previous).map(|files| {
                    crate::write::Recycle {
                        files,
                        replaced_since: recycled.replaced,
                    }
                });
            }
            (recycled.written, listing)
        }
        Err(e) => {
            diagnostics.push(Diagnostic::error(
                Code::WriteError,
                &plan.output,
                None,
                format!("cannot swap in the new site: {e}"),
            ));
            return Err(fail(diagnostics));
        }
    };
    diagnostics.sort();
    if let Some((key, inputs)) = stamp {
        let summary = crate::stamp::Summary {
            incidents: incident_count,
            drafts_skipped,
            pages: report.pages,
            diagnostics: diagnostics.clone(),
        };
        // What the output folder holds, as written (listing it again
        // costs a `stat` per file).
        let output = listing
            .and_then(crate::stamp::Snapshot::of_listing)
            .unwrap_or_else(|| crate::stamp::Snapshot::of_output(&plan.output));
        // Without a stamp the next build simply runs in full.
        let _ = crate::stamp::Stamp::new(key, inputs, output, summary).save(&plan.output);
        lap("stamp");
    }
    Ok(BuildReport {
        diagnostics,
        incidents: incident_count,
        drafts_skipped,
        pages: report.pages,
        up_to_date: false,
        files_resolved,
        bodies_rendered,
        pages_rendered,
        files,
        unchanged,
        output: plan.output,
        elapsed: started.elapsed(),
    })
}
