//! Stage timings for profiling: `HINDSIGHT_TIMINGS=1` prints one line per
//! stage to stderr with the process's memory (Linux): the peak so far, and
//! the anonymous (heap) and file-backed memory resident now, so a
//! benchmark shows which stage sets the peak and what a stage keeps.

use std::time::Instant;

/// Whether timings were asked for (`HINDSIGHT_TIMINGS` set).
pub fn enabled() -> bool {
    std::env::var_os("HINDSIGHT_TIMINGS").is_some()
}

/// Prints `timing: <stage> <ms> ms (peak P MB, now heap H MB, file F MB)`,
/// indented by `depth` (sub-stages of rendering are 1).
pub fn report(depth: usize, stage: &str, since: Instant) {
    let indent = "  ".repeat(depth);
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let memory = match (
        field_mb(&status, "VmHWM:"),
        field_mb(&status, "RssAnon:"),
        field_mb(&status, "RssFile:"),
    ) {
        (Some(peak), Some(heap), Some(file)) => {
            format!("  (peak {peak} MB, now heap {heap} MB, file {file} MB)")
        }
        _ => String::new(),
    };
    eprintln!(
        "timing: {indent}{stage:<14} {:>6} ms{memory}",
        since.elapsed().as_millis()
    );
}

/// A `kB` field of `/proc/self/status`, in MB.
fn field_mb(status: &str, name: &str) -> Option<u64> {
    let line = status.lines().find(|l| l.starts_with(name))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_fields_are_read_in_megabytes() {
        let status = "Name:\thindsight\nVmHWM:\t  236460 kB\nRssAnon:\t  2048 kB\n";
        assert_eq!(field_mb(status, "VmHWM:"), Some(230));
        assert_eq!(field_mb(status, "RssAnon:"), Some(2));
        assert_eq!(field_mb(status, "RssFile:"), None);
    }
}
