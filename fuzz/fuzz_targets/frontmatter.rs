//! Frontmatter splitting, YAML/TOML parsing and the whole resolve stage
//! (schema checks, inference fill, ids) on one arbitrary file.
#![no_main]

use std::path::PathBuf;

use hindsight::config::Config;
use hindsight::load::{SourceFile, split_frontmatter};
use hindsight::resolve::{frontmatter, resolve};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let Ok((block, body, body_line)) = split_frontmatter(&text) else {
        return;
    };
    if let Some(block) = &block {
        let _ = frontmatter::parse(block);
    }
    let file = SourceFile {
        rel_path: PathBuf::from("fuzz.md"),
        display_path: PathBuf::from("content/fuzz.md"),
        frontmatter: block,
        body: body.into(),
        body_line,
    };
    let _ = resolve(&[file], &Config::default());
});
