//! `hindsight.toml` parsing and validation.
#![no_main]

use std::path::Path;

use hindsight::config::Config;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Ok(config) = Config::parse(&text, Path::new("hindsight.toml")) {
        let _ = hindsight::resolve::zone_settings(&config);
    }
});
