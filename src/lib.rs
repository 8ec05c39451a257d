//! Hindsight: a static site generator for postmortem archives.
//!
//! The build is a one-way pipeline, one module per stage:
//!
//! ```text
//! load -> resolve -> index -> render -> write
//! ```
//!
//! - [`load`]: walk the content folder, read files, split frontmatter;
//! - [`resolve`]: validate and normalise each file into an [`model::Incident`];
//! - [`index`]: the [`index::Archive`]: ordering, taxonomies, buckets, figures;
//! - [`render`]: Markdown, highlighting and templates into pages;
//! - [`write`]: the single output choke point, atomic swap of the site.
//!
//! [`build`] runs the pipeline; the `hindsight` binary is a thin CLI over it.
#![warn(missing_docs, unreachable_pub, rust_2018_idioms)]

pub mod build;
pub mod config;
pub mod diagnostics;
pub mod import;
pub mod index;
pub mod infer;
pub mod load;
pub mod model;
pub mod profile;
pub mod render;
pub mod report;
pub mod resolve;
pub mod scaffold;
pub mod serve;
pub mod slug;
pub mod stamp;
pub mod synth;
pub mod timing;
pub mod watch;
pub mod write;
