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
        /// Archive root, holding hindsight.toml [default: .]
        #[arg(long, value_name = "DIR")]
        root: Option<PathBuf>,
        /// Build this folder of Markdown files; without --root, with default settings
        #[arg(long, value_name = "DIR")]
        content: Option<PathBuf>,
        /// Output folder [default: public]
        #[arg(long, value_name = "DIR")]
        output: Option<PathBuf>,
        /// Absolute URL the site is published at (feeds, sitemap, canonical links)
        #[arg(long, value_name = "URL")]
        base_url: Option<String>,
        /// Include postmortems with status: draft
        #[arg(long)]
        drafts: bool,
        /// Treat warnings as errors
        #[arg(long)]
        strict: bool,
        /// Print every warning, not only the first 30
        #[arg(long, short)]
        verbose: bool,
    },
}

/// How many warnings a build prints before summarising the rest.
const WARNINGS_SHOWN: usize = 30;

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Build {
            root,
            content,
            output,
            base_url,
            drafts,
            strict,
            verbose,
        } => {
            let options = BuildOptions {
                root,
                content,
                output,
                base_url,
                drafts,
                strict,
            };
            match build(&options) {
                Ok(report) => {
                    print_diagnostics(&report.diagnostics, verbose);
                    let drafts = if report.drafts_skipped > 0 {
                        format!(", {} draft(s) left out", report.drafts_skipped)
                    } else {
                        String::new()
                    };
                    eprintln!(
                        "built {} incidents ({} pages, {} files) into {} in {} ms{drafts}; {} warnings",
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
