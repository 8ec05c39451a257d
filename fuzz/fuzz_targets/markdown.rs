//! Markdown rendering with link rewriting, sanitising and highlighting,
//! under the default raw-HTML policy (sanitise) and under `escape`.
#![no_main]

use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::PathBuf;
use std::sync::Arc;

use hindsight::config::RawHtml;
use hindsight::render::highlight::Highlighter;
use hindsight::render::markdown::{LinkTargets, render};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let body = String::from_utf8_lossy(data);
    let links = LinkTargets {
        source: PathBuf::from("2024/fuzz.md"),
        pages: Arc::new(HashMap::from([(
            PathBuf::from("2024/other.md"),
            "2024-other".to_string(),
        )])),
        assets: Arc::new(BTreeSet::from([PathBuf::from("2024/graph.png")])),
        unpublished: Arc::new(HashSet::new()),
        remote_images: false,
    };
    let highlighter = Highlighter::new(64 * 1024);
    for raw_html in [RawHtml::Sanitize, RawHtml::Escape] {
        let _ = render(&body, "Fuzz", &links, &highlighter, raw_html);
    }
});
