//! The inference stage (window, impact, cause, detection, action items,
//! timeline) on arbitrary text.
#![no_main]

use hindsight::config::Config;
use hindsight::infer::{infer, timeline_entries};
use hindsight::resolve::zone_settings;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let settings = zone_settings(&Config::default());
    let _ = infer(&text, &settings);
    let _ = timeline_entries(&text);
});
