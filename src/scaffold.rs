//! `hindsight init` and `hindsight new`: scaffolding for archives and
//! postmortems. Existing files are never overwritten.

use std::path::{Path, PathBuf};

/// The postmortem template `new` fills (`archetypes/postmortem.md` in an
/// archive overrides it). `{{ title }}`, `{{ title_yaml }}` and
/// `{{ date }}` are replaced.
pub const DEFAULT_ARCHETYPE: &str = r#"---
title: {{ title_yaml }}
date: {{ date }}
status: draft
severity: SEV3            # SEV1..SEV4
category: unknown         # see docs/frontmatter.md for the list
services: []
teams: []
impact:
  started_at:             # e.g. {{ date }}T10:00:00Z
  ended_at:
  users_affected_pct:
detected_at:
root_cause:
detection:
  method:                 # automated-alert, customer-report, ...
action_items: []
# action_items:
#   - title: What will be done
#     owner: Team or person
#     status: todo          # todo, in-progress, done, wont-do
#     due: 2025-01-31
---

# {{ title }}

## Summary

What happened, for whom, and for how long, in two or three sentences.

## Timeline

- 10:00 UTC: ...

## Root cause

## Resolution

## What went well

## What we will change
"#;

const CONFIG: &str = r#"# Hindsight archive configuration. Every key is optional.
title = "Reliability archive"
description = "Our postmortems: what broke, for how long, for whom, and what we changed."

# Absolute URL the site is published at, for the feed, sitemap and canonical
# links (internal links are always relative). The GitHub Pages workflow
# passes it with --base-url.
# base_url = "https://example.github.io/postmortems/"

# Zone of offset-less timestamps (default UTC).
# default_timezone = "UTC"

# The public site leaves out internal postmortems and who was involved.
[profiles.public]
visibility = ["public"]
withhold = ["teams", "authors"]
"#;

const EXAMPLE: &str = r#"---
title: Example - search results empty after an index rebuild
date: {{ date }}
severity: SEV3
category: automation
services: [search]
teams: [Discovery]
impact:
  started_at: {{ date }}T09:12:00Z
  ended_at: {{ date }}T09:40:00Z
  users_affected_pct: 15
detected_at: {{ date }}T09:20:00Z
root_cause: A nightly job swapped in a search index before the rebuild had finished.
detection:
  method: customer-report
action_items:
  - title: Check the document count before swapping an index in
    owner: Discovery
    status: todo
---

# Example - search results empty after an index rebuild

This is an example postmortem written by `hindsight init`. Replace it with
your own, or start a new one with `hindsight new "Title"`.

## Summary

For 28 minutes, searches returned no results for about 15% of users, those
routed to the cluster whose index had been swapped too early.

## Timeline

- 09:12 UTC: The nightly job swaps the new index in; it is half built.
- 09:20 UTC: Support reports empty search results.
- 09:40 UTC: The previous index is restored.
"#;

const WORKFLOW: &str = r#"# Builds the archive with Hindsight and publishes it to GitHub Pages.
# In the repository settings, set Pages > Source to "GitHub Actions".
name: Publish postmortems

on:
  push:
    branches: [main]
  workflow_dispatch:

permissions:
  contents: read
  pages: write
  id-token: write

concurrency:
  group: pages
  cancel-in-progress: false

jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - id: pages
        uses: actions/configure-pages@v5
      - name: Install Hindsight
        # Pin the version you use; or install from your own fork with
        # `cargo install --git <repository URL> --locked`.
        run: cargo install hindsight --locked
      - name: Build the site
        run: hindsight build --profile public --base-url "${{ steps.pages.outputs.base_url }}/"
      - uses: actions/upload-pages-artifact@v3
        with:
          path: public

  deploy:
    needs: build
    runs-on: ubuntu-latest
    environment:
      name: github-pages
      url: ${{ steps.deployment.outputs.page_url }}
    steps:
      - id: deployment
        uses: actions/deploy-pages@v4
"#;

/// What a scaffolding step did to one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The file was written.
    Created(PathBuf),
    /// The file exists and was left alone.
    Kept(PathBuf),
}

fn write_new(path: &Path, text: &str) -> std::io::Result<Outcome> {
    if path.exists() {
        return Ok(Outcome::Kept(path.to_path_buf()));
    }
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    std::fs::write(path, text)?;
    Ok(Outcome::Created(path.to_path_buf()))
}

/// Scaffolds an archive in `dir`: `hindsight.toml`, an example
/// postmortem dated `today`, the postmortem archetype for `new`, a GitHub
/// Pages workflow and a `.gitignore`. Files that exist are kept.
pub fn init(dir: &Path, today: jiff::civil::Date) -> std::io::Result<Vec<Outcome>> {
    let date = today.to_string();
    let files = [
        (dir.join(crate::config::CONFIG_FILE), CONFIG.to_string()),
        (
            dir.join("content")
                .join(format!("{date}-example-search-outage.md")),
            EXAMPLE.replace("{{ date }}", &date),
        ),
        (
            dir.join("archetypes/postmortem.md"),
            DEFAULT_ARCHETYPE.to_string(),
        ),
        (
            dir.join(".github/workflows/pages.yml"),
            WORKFLOW.to_string(),
        ),
        (
            dir.join(".gitignore"),
            // The site, and the build stamp and the previous site beside it.
            "/public\n/.public.*\n".to_string(),
        ),
    ];
    files
        .iter()
        .map(|(path, text)| write_new(path, text))
        .collect()
}

/// Writes a new postmortem titled `title`, dated `today`, into
/// `content_dir` as `<date>-<slug>.md`, from the archive's archetype (or
/// the built-in one). Errors: the file exists, or cannot be written.
pub fn new_postmortem(
    root: &Path,
    content_dir: &Path,
    title: &str,
    today: jiff::civil::Date,
) -> Result<PathBuf, String> {
    let date = today.to_string();
    let slug = crate::slug::slugify(title);
    let name = if slug.is_empty() {
        format!("{date}-postmortem.md")
    } else {
        format!("{date}-{slug}.md")
    };
    let path = content_dir.join(name);
    if path.exists() {
        return Err(format!("{} exists already", path.display()));
    }
    let archetype = std::fs::read_to_string(root.join("archetypes/postmortem.md"))
        .unwrap_or_else(|_| DEFAULT_ARCHETYPE.to_string());
    let title_yaml = serde_json::to_string(title).unwrap_or_else(|_| "\"\"".to_string());
    let text = archetype
        .replace("{{ title_yaml }}", &title_yaml)
        .replace("{{ title }}", title)
        .replace("{{ date }}", &date);
    std::fs::create_dir_all(content_dir).map_err(|e| e.to_string())?;
    std::fs::write(&path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    Ok(path)
}
