//! The `hindsight` command line: parses arguments and calls the library.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use hindsight::build::{BuildOptions, build};
use hindsight::diagnostics::{Diagnostics, Level};

/// A static site generator for postmortem archives.
#[derive(Debug, Parser)]
#[command(name = "hindsight", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Build the archive into a static site (default output: public/).
    Build {
        #[command(flatten)]
        site: SiteArgs,
        /// Absolute URL the site is published at (feeds, sitemap, canonical links)
        #[arg(long, value_name = "URL")]
        base_url: Option<String>,
        /// Treat warnings as errors
        #[arg(long)]
        strict: bool,
        /// Print every warning, not only the first 30
        #[arg(long, short)]
        verbose: bool,
        /// Build even if nothing changed since the last build
        #[arg(long)]
        force: bool,
    },
    /// Build, serve locally with live reload, and rebuild on change.
    Serve {
        #[command(flatten)]
        site: SiteArgs,
        /// Poll for changes instead of using file-system events (network drives, containers, WSL2)
        #[arg(long)]
        poll: bool,
        /// Port to listen on (0: any free port)
        #[arg(long, default_value_t = 1111)]
        port: u16,
        /// Address to bind; loopback unless told otherwise
        #[arg(long, default_value = "127.0.0.1")]
        bind: std::net::IpAddr,
        /// Open the site in the default browser
        #[arg(long)]
        open: bool,
    },
    /// Rebuild on change without serving (for another server).
    Watch {
        #[command(flatten)]
        site: SiteArgs,
        /// Poll for changes instead of using file-system events (network drives, containers, WSL2)
        #[arg(long)]
        poll: bool,
    },
    /// Validate every postmortem and report every error and warning; writes nothing.
    Check {
        /// Archive root, holding hindsight.toml [default: .]
        #[arg(long, value_name = "DIR")]
        root: Option<PathBuf>,
        /// Check this folder of Markdown files; without --root, with default settings
        #[arg(long, value_name = "DIR")]
        content: Option<PathBuf>,
        /// Treat warnings as errors
        #[arg(long)]
        strict: bool,
        /// Output format
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Print the resolved metadata of postmortems: every field, its value and its provenance.
    Inspect {
        /// Markdown files, or folders to search for them
        #[arg(required = true, value_name = "PATH")]
        paths: Vec<PathBuf>,
        /// Archive root whose hindsight.toml applies [default: .]
        #[arg(long, value_name = "DIR")]
        root: Option<PathBuf>,
        /// Output format
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Scaffold an archive: hindsight.toml, an example postmortem, a template, a GitHub Pages workflow.
    Init {
        /// Folder to create the archive in [default: .]
        #[arg(value_name = "DIR")]
        dir: Option<PathBuf>,
    },
    /// Write a new postmortem from the archive's template, dated today in the archive's zone.
    New {
        /// Title of the postmortem
        title: String,
        /// Archive root [default: .]
        #[arg(long, value_name = "DIR")]
        root: Option<PathBuf>,
    },
    /// Show (or with --write, prepend) inferred frontmatter for free-form postmortems.
    Import {
        /// Folder of postmortems
        #[arg(value_name = "DIR")]
        dir: PathBuf,
        /// Prepend the frontmatter to each file (files with frontmatter are refused)
        #[arg(long)]
        write: bool,
        /// Archive root whose hindsight.toml applies [default: .]
        #[arg(long, value_name = "DIR")]
        root: Option<PathBuf>,
    },
}

/// What `build`, `serve` and `watch` build.
#[derive(Debug, clap::Args)]
struct SiteArgs {
    /// Archive root, holding hindsight.toml [default: .]
    #[arg(long, value_name = "DIR")]
    root: Option<PathBuf>,
    /// Build this folder of Markdown files; without --root, with default settings
    #[arg(long, value_name = "DIR")]
    content: Option<PathBuf>,
    /// Output folder [default: public]
    #[arg(long, value_name = "DIR")]
    output: Option<PathBuf>,
    /// Include postmortems with status: draft
    #[arg(long)]
    drafts: bool,
    /// Publish with the profile [profiles.NAME] of hindsight.toml
    #[arg(long, value_name = "NAME")]
    profile: Option<String>,
}

impl SiteArgs {
    fn build_options(&self) -> BuildOptions {
        BuildOptions {
            root: self.root.clone(),
            content: self.content.clone(),
            output: self.output.clone(),
            drafts: self.drafts,
            profile: self.profile.clone(),
            build_date: source_date_epoch(),
            ..BuildOptions::default()
        }
    }
}

/// Output format of `check` and `inspect`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Format {
    /// Human-readable text.
    Text,
    /// JSON, for tools.
    Json,
}

/// How many warnings a build prints before summarising the rest.
const WARNINGS_SHOWN: usize = 30;

/// jemalloc rather than glibc's allocator: the build allocates many small
/// strings on every thread, and glibc's arenas cost about 15% more CPU
/// (docs/PERFORMANCE.md). The library leaves the choice to its users.
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

/// jemalloc's options, read before `main` (its `malloc_conf`, which
/// `_RJEM_MALLOC_CONF` in the environment can still override): one arena
/// per CPU, chosen by the CPU a thread runs on, rather than one per
/// thread. The load reads files on more threads than there are cores
/// (`src/load.rs`); with an arena each, the memory their files leave when
/// freed could not serve the build's own threads (peak at 50,000: 958 MB
/// with arenas per thread, 931 MB per CPU; docs/PERFORMANCE.md). Linux
/// only: elsewhere jemalloc has no `getcpu` and would print an error.
// SAFETY: jemalloc declares this symbol weak and reads it as a
// NUL-terminated C string; a reference to a byte array is a plain pointer.
#[cfg(target_os = "linux")]
#[unsafe(export_name = "_rjem_malloc_conf")]
static MALLOC_CONF: &[u8; 20] = b"percpu_arena:percpu\0";

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Check {
            root,
            content,
            strict,
            format,
        } => check(root, content, strict, format),
        Command::Inspect {
            paths,
            root,
            format,
        } => inspect(&paths, root, format),
        Command::Import { dir, write, root } => import(&dir, root, write),
        Command::Serve {
            site,
            poll,
            port,
            bind,
            open,
        } => serve(&site, poll, port, bind, open),
        Command::Watch { site, poll } => watch(&site, poll),
        Command::Init { dir } => init(&dir.unwrap_or_else(|| PathBuf::from("."))),
        Command::New { title, root } => new(&title, root),
        Command::Build {
            site,
            base_url,
            strict,
            verbose,
            force,
        } => {
            let options = BuildOptions {
                base_url,
                strict,
                force,
                ..site.build_options()
            };
            match build(&options) {
                Ok(report) if report.up_to_date => {
                    print_diagnostics(&report.diagnostics, verbose);
                    eprintln!(
                        "{} is up to date: nothing changed since the last build of {} incidents ({} pages), 0 files written, checked in {} ms; {} warnings",
                        report.output.display(),
                        report.incidents,
                        report.pages,
                        report.elapsed.as_millis(),
                        report.diagnostics.warning_count(),
                    );
                    ExitCode::SUCCESS
                }
                Ok(report) => {
                    print_diagnostics(&report.diagnostics, verbose);
                    let drafts = if report.drafts_skipped > 0 {
                        format!(", {} draft(s) left out", report.drafts_skipped)
                    } else {
                        String::new()
                    };
                    let unchanged = if report.unchanged > 0 {
                        format!(", {} unchanged", report.unchanged)
                    } else {
                        String::new()
                    };
                    eprintln!(
                        "built {} incidents ({} pages, {} files written{unchanged}) into {} in {} ms{drafts}; {} warnings",
                        report.incidents,
                        report.pages,
                        report.files,
                        report.output.display(),
                        report.elapsed.as_millis(),
                        report.diagnostics.warning_count(),
                    );
                    ExitCode::SUCCESS
                }
                Err(failure) => {
                    print_diagnostics(&failure.diagnostics, verbose);
                    eprintln!(
                        "build failed: {} errors, {} warnings; the previous output was left untouched",
                        failure.diagnostics.error_count(),
                        failure.diagnostics.warning_count()
                    );
                    ExitCode::from(if failure.configuration { 2 } else { 1 })
                }
            }
        }
    }
}

/// One line per build: "built ..." for the first, "rebuilt ..." after.
fn report_build(outcome: &hindsight::watch::Outcome, first: bool) {
    match outcome {
        hindsight::watch::Outcome::Built {
            report,
            changed,
            elapsed,
        } => {
            print_diagnostics(&report.diagnostics, false);
            let cwd = std::env::current_dir().unwrap_or_default();
            let cause = changed.first().map(|p| {
                let p = p.strip_prefix(&cwd).unwrap_or(p);
                let more = if changed.len() > 1 {
                    format!(" and {} more", changed.len() - 1)
                } else {
                    String::new()
                };
                format!(": {}{more}", p.display())
            });
            eprintln!(
                "{} {} pages ({} files written, {} unchanged) in {} ms{}",
                if first { "built" } else { "rebuilt" },
                report.pages_rendered,
                report.files,
                report.unchanged,
                elapsed.as_millis(),
                cause.unwrap_or_default()
            );
        }
        hindsight::watch::Outcome::Failed { failure, .. } => {
            print_diagnostics(&failure.diagnostics, false);
            eprintln!(
                "build failed: {} errors; the last good site stays up",
                failure.diagnostics.error_count()
            );
        }
    }
}

fn watch(site: &SiteArgs, poll: bool) -> ExitCode {
    let mut first = true;
    let result = hindsight::watch::run(&site.build_options(), poll, |outcome| {
        report_build(&outcome, first);
        first = false;
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}

fn serve(site: &SiteArgs, poll: bool, port: u16, bind: std::net::IpAddr, open: bool) -> ExitCode {
    let options = hindsight::serve::ServeOptions {
        build: site.build_options(),
        bind,
        port,
        poll,
    };
    let mut first = true;
    let result = hindsight::serve::serve(
        options,
        move |url| {
            use std::io::Write as _;
            println!("serving {url}");
            let _ = std::io::stdout().flush();
            if open {
                let _ = std::process::Command::new("xdg-open").arg(url).spawn();
            }
        },
        move |outcome| {
            report_build(outcome, first);
            first = false;
        },
    );
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}

/// The build date from `SOURCE_DATE_EPOCH` (seconds since 1970, UTC), the
/// reproducible-builds convention, when set and valid.
fn source_date_epoch() -> Option<jiff::civil::Date> {
    let seconds: i64 = std::env::var("SOURCE_DATE_EPOCH")
        .ok()?
        .trim()
        .parse()
        .ok()?;
    let timestamp = jiff::Timestamp::from_second(seconds).ok()?;
    Some(timestamp.to_zoned(jiff::tz::TimeZone::UTC).date())
}

/// Today in `zone` (an IANA name), from the system clock: used only to
/// date new files, never to build.
fn today_in(zone: &str) -> jiff::civil::Date {
    let tz = jiff::tz::TimeZone::get(zone).unwrap_or(jiff::tz::TimeZone::UTC);
    jiff::Timestamp::now().to_zoned(tz).date()
}

fn init(dir: &std::path::Path) -> ExitCode {
    match hindsight::scaffold::init(dir, today_in("UTC")) {
        Ok(outcomes) => {
            for outcome in outcomes {
                match outcome {
                    hindsight::scaffold::Outcome::Created(path) => {
                        eprintln!("created {}", path.display())
                    }
                    hindsight::scaffold::Outcome::Kept(path) => {
                        eprintln!("kept {} (it exists)", path.display())
                    }
                }
            }
            eprintln!("next: cd {} && hindsight build", dir.display());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: cannot scaffold {}: {e}", dir.display());
            ExitCode::from(2)
        }
    }
}

fn new(title: &str, root: Option<PathBuf>) -> ExitCode {
    let root = root.unwrap_or_else(|| PathBuf::from("."));
    let config = match load_config(Some(root.clone())) {
        Ok(config) => config,
        Err(code) => return code,
    };
    let today = today_in(config.default_zone_name());
    match hindsight::scaffold::new_postmortem(&root, &root.join(&config.content_dir), title, today)
    {
        Ok(path) => {
            println!("{}", path.display());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}

/// The configuration under `root` (default: the current folder).
fn load_config(root: Option<PathBuf>) -> Result<hindsight::config::Config, ExitCode> {
    hindsight::config::Config::load(&root.unwrap_or_else(|| PathBuf::from("."))).map_err(
        |problems| {
            for problem in problems {
                eprintln!("{problem}");
            }
            ExitCode::from(2)
        },
    )
}

fn check(
    root: Option<PathBuf>,
    content: Option<PathBuf>,
    strict: bool,
    format: Format,
) -> ExitCode {
    let options = BuildOptions {
        root,
        content,
        strict,
        ..BuildOptions::default()
    };
    let diagnostics = match hindsight::report::check(&options) {
        Ok(diagnostics) => diagnostics,
        Err(problems) => {
            print_diagnostics(&problems, true);
            return ExitCode::from(2);
        }
    };
    match format {
        Format::Json => {
            let list: Vec<hindsight::report::DiagnosticJson<'_>> =
                diagnostics.iter().map(Into::into).collect();
            println!(
                "{}",
                serde_json::to_string_pretty(&list).unwrap_or_default()
            );
        }
        Format::Text => {
            for diagnostic in diagnostics.iter() {
                println!("{diagnostic}");
            }
            eprintln!(
                "{} errors, {} warnings",
                diagnostics.error_count(),
                diagnostics.warning_count()
            );
        }
    }
    if diagnostics.fails(strict) {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

fn inspect(paths: &[PathBuf], root: Option<PathBuf>, format: Format) -> ExitCode {
    let config = match load_config(root) {
        Ok(config) => config,
        Err(code) => return code,
    };
    let reports = hindsight::report::inspect(paths, &config);
    match format {
        Format::Json => println!(
            "{}",
            serde_json::to_string_pretty(&reports).unwrap_or_default()
        ),
        Format::Text => {
            for report in &reports {
                println!("{}", report.file);
                if !report.is_postmortem {
                    println!("  not a postmortem");
                }
                let field = |name: &str, value: Option<String>| {
                    let value = value.unwrap_or_else(|| "-".to_string());
                    let source = report
                        .provenance
                        .get(name)
                        .map(String::as_str)
                        .unwrap_or("");
                    let evidence = report
                        .evidence
                        .get(name)
                        .map(|e| format!("  <- {e}"))
                        .unwrap_or_default();
                    println!("  {name:<28} {value:<30} {source}{evidence}");
                };
                field("title", report.title.clone());
                field("id", report.id.clone());
                field("category", report.category.clone());
                field("severity", report.severity.clone());
                field("impact.started_at", report.impact.started_at.clone());
                field("impact.ended_at", report.impact.ended_at.clone());
                field(
                    "duration_minutes",
                    report.duration_minutes.map(|m| m.to_string()),
                );
                field(
                    "impact.users_affected_pct",
                    report.impact.users_affected_pct.map(|p| p.to_string()),
                );
                for warning in &report.warnings {
                    let line = warning.line.map(|l| format!(":{l}")).unwrap_or_default();
                    println!("  {}{line}: {}", warning.code, warning.message);
                }
            }
        }
    }
    ExitCode::SUCCESS
}

fn import(dir: &std::path::Path, root: Option<PathBuf>, write: bool) -> ExitCode {
    let config = match load_config(root) {
        Ok(config) => config,
        Err(code) => return code,
    };
    let results = hindsight::import::import(dir, &config, write);
    let mut written = 0;
    for result in &results {
        match &result.outcome {
            Ok(block) if write => {
                written += 1;
                eprintln!("wrote frontmatter to {}", result.file.display());
                let _ = block;
            }
            Ok(block) => println!("# {}\n{block}", result.file.display()),
            Err(reason) => eprintln!("{}: {reason}", result.file.display()),
        }
    }
    if write {
        eprintln!("{written} files updated");
    }
    ExitCode::SUCCESS
}

/// Prints every error, and warnings up to [`WARNINGS_SHOWN`] unless
/// `verbose`, then a count of the rest by code.
fn print_diagnostics(diagnostics: &Diagnostics, verbose: bool) {
    let mut shown = 0;
    let mut hidden: BTreeMap<&str, usize> = BTreeMap::new();
    for diagnostic in diagnostics.iter() {
        if diagnostic.level == Level::Warning && !verbose && shown >= WARNINGS_SHOWN {
            *hidden.entry(diagnostic.code.as_str()).or_default() += 1;
            continue;
        }
        if diagnostic.level == Level::Warning {
            shown += 1;
        }
        eprintln!("{diagnostic}");
    }
    if !hidden.is_empty() {
        let counts: Vec<String> = hidden
            .iter()
            .map(|(code, n)| format!("{n} {code}"))
            .collect();
        eprintln!(
            "... and more warnings: {} (use --verbose to see all)",
            counts.join(", ")
        );
    }
}
