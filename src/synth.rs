//! Synthetic postmortem archives for benchmarks and scale tests.
//!
//! Deterministic from a seed: the same `(count, seed)` gives the same bytes
//! on any machine. Each postmortem is 3 to 6 KB of Markdown with full
//! frontmatter, a timeline, a table, action items and one code block in one
//! of a dozen languages whose content varies (identifiers, numbers and line
//! counts are drawn, so highlighting caches cannot flatter the result); a
//! few percent have no frontmatter and state their window in prose.

use std::fmt::Write as _;
use std::path::Path;

/// SplitMix64: small, fast, and the same everywhere.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator seeded with `seed`.
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `range` (half-open).
    pub fn range(&mut self, range: std::ops::Range<u64>) -> u64 {
        range.start + self.next_u64() % (range.end - range.start).max(1)
    }

    /// One element of `items`.
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.range(0..items.len() as u64) as usize]
    }

    /// `true` with probability `percent` / 100.
    pub fn chance(&mut self, percent: u64) -> bool {
        self.range(0..100) < percent
    }
}

const SERVICES: &[&str] = &[
    "checkout",
    "payments-api",
    "search",
    "catalog",
    "auth",
    "notifications",
    "orders",
    "inventory",
    "edge-proxy",
    "mobile-api",
    "web",
    "billing",
    "ledger",
    "reports",
    "warehouse-sync",
    "postgres-main",
    "redis-cache",
    "kafka",
    "identity",
    "media",
    "recommendations",
    "pricing",
    "shipping",
    "support-tools",
    "analytics",
    "feature-flags",
    "gateway",
    "scheduler",
    "image-resizer",
    "dns",
];
const TEAMS: &[&str] = &[
    "Platform",
    "Payments",
    "Discovery",
    "Checkout",
    "Data Platform",
    "Infrastructure",
    "Identity",
    "Messaging",
    "Mobile",
    "Security",
    "Fulfilment",
    "Observability",
    "Network",
    "Storage",
];
const TAGS: &[&str] = &[
    "postgres",
    "kubernetes",
    "dns",
    "tls",
    "deploys",
    "feature-flags",
    "retries",
    "caching",
    "queues",
    "disk",
    "memory",
    "latency",
    "bgp",
    "cdn",
    "migrations",
    "autoscaling",
    "cron",
    "vendor",
    "certificates",
    "rate-limits",
];
const CATEGORIES: &[&str] = &[
    "config-change",
    "code-change",
    "capacity",
    "cascading-failure",
    "dependency",
    "network",
    "database",
    "hardware-power",
    "security",
    "time",
    "automation",
    "race-or-conflict",
    "operational-procedure",
    "unknown",
];
const NOUNS: &[&str] = &[
    "connection pool",
    "load balancer",
    "cache cluster",
    "message queue",
    "database replica",
    "feature flag",
    "certificate",
    "worker fleet",
    "DNS record",
    "rate limiter",
    "deploy pipeline",
    "schema migration",
    "disk volume",
    "circuit breaker",
    "retry policy",
    "node pool",
    "index rebuild",
    "config file",
];
const VERBS: &[&str] = &[
    "saturated",
    "stalled",
    "timed out",
    "rejected requests",
    "returned errors",
    "fell behind",
    "crash-looped",
    "ran out of memory",
    "filled its disk",
    "served stale data",
    "dropped connections",
    "slowed down",
];
const LANGUAGES: &[&str] = &[
    "rust",
    "go",
    "python",
    "yaml",
    "sql",
    "bash",
    "json",
    "toml",
    "typescript",
    "dockerfile",
    "nginx",
    "log",
];
const IDENTS: &[&str] = &[
    "pool", "retry", "backoff", "timeout", "shard", "replica", "lease", "token", "window",
    "budget", "queue", "worker", "limit", "cursor", "offset", "batch", "region", "weight", "ttl",
    "quota", "epoch", "checksum",
];

fn ident(rng: &mut Rng) -> String {
    format!(
        "{}_{}{}",
        rng.pick(IDENTS),
        rng.pick(IDENTS),
        rng.range(0..100)
    )
}

/// A code block of 10 to 45 lines in `language`, with drawn identifiers
/// and numbers.
fn code(rng: &mut Rng, language: &str) -> String {
    let lines = rng.range(10..46);
    let mut out = String::new();
    for i in 0..lines {
        let (a, b, n) = (ident(rng), ident(rng), rng.range(1..10_000));
        let line = match language {
            "rust" => format!("    let {a} = {b}.saturating_sub({n}); // step {i}"),
            "go" => format!("\t{a} := {b}(ctx, {n}) // step {i}"),
            "python" => format!("    {a} = {b}({n}, retries={})  # step {i}", n % 7),
            "yaml" => format!("{a}:\n  {b}: {n}"),
            "sql" => format!("UPDATE {a} SET {b} = {n} WHERE id > {i};"),
            "bash" => format!("kubectl -n {a} scale deploy/{b} --replicas={}", n % 50),
            "json" => format!("  \"{a}_{i}\": {{ \"{b}\": {n} }},"),
            "toml" => format!("[{a}]\n{b} = {n}"),
            "typescript" => format!("  const {a}: number = await {b}({n}); // {i}"),
            "dockerfile" => format!("RUN apt-get install -y {a}-{n} && echo {b}"),
            "nginx" => format!("    proxy_read_timeout {}s; # {a} {b}", n % 120),
            _ => format!(
                "2024-03-0{}T10:{:02}:{:02}Z WARN {a} {b}={n}",
                i % 9 + 1,
                i % 60,
                n % 60
            ),
        };
        out.push_str(&line);
        out.push('\n');
    }
    out
}

fn sentence(rng: &mut Rng) -> String {
    format!(
        "The {} {} after the {} {}, and {} requests waited on the {}.",
        rng.pick(NOUNS),
        rng.pick(VERBS),
        rng.pick(NOUNS),
        rng.pick(VERBS),
        rng.pick(&["most", "some", "a few", "many", "half of the"]),
        rng.pick(NOUNS)
    )
}

fn paragraph(rng: &mut Rng, sentences: u64) -> String {
    (0..sentences)
        .map(|_| sentence(rng))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Postmortems 0 to `count` of an archive generated with `seed`, loaded
/// (as `NNN.md`) and resolved with `config`: incidents for tests of the
/// later stages.
#[cfg(test)]
pub(crate) fn resolved(
    count: usize,
    seed: u64,
    config: &crate::config::Config,
) -> Vec<std::sync::Arc<crate::model::Incident>> {
    let files: Vec<crate::load::SourceFile> = (0..count)
        .map(|n| crate::load::source_from_text(&format!("{n:03}.md"), &postmortem(n, seed)))
        .collect();
    crate::resolve::resolve(&files, config).incidents
}

/// The text of postmortem number `n` of an archive generated with `seed`.
pub fn postmortem(n: usize, seed: u64) -> String {
    let mut rng = Rng::new(seed ^ (n as u64).wrapping_mul(0x2545_F491_4F6C_DD1D));
    let year = 2019 + (n % 6) as i16;
    let month = 1 + rng.range(0..12) as i8;
    let day = 1 + rng.range(0..28) as i8;
    let (hour, minute) = (rng.range(0..24), rng.range(0..60));
    let duration = match rng.range(0..10) {
        0..=2 => rng.range(3..15),
        3..=5 => rng.range(15..60),
        6..=7 => rng.range(60..240),
        8 => rng.range(240..1440),
        _ => rng.range(1440..4000),
    };
    let detect = rng.range(0..duration.min(60) + 1);
    let mitigate = detect + rng.range(0..(duration - detect) + 1);
    let service = rng.pick(SERVICES).to_string();
    let other = rng.pick(SERVICES).to_string();
    let category = rng.pick(CATEGORIES).to_string();
    let title = format!(
        "{} {} after a {} change on {}",
        rng.pick(NOUNS)
            .to_string()
            .chars()
            .enumerate()
            .map(|(i, c)| if i == 0 { c.to_ascii_uppercase() } else { c })
            .collect::<String>(),
        rng.pick(VERBS),
        rng.pick(NOUNS),
        service
    );
    let start = jiff::civil::date(year, month, day)
        .at(hour as i8, minute as i8, 0, 0)
        .to_zoned(jiff::tz::TimeZone::UTC)
        .unwrap_or_default();
    let at = |minutes: u64| {
        start
            .checked_add(jiff::SignedDuration::from_mins(minutes as i64))
            .map(|z| z.strftime("%Y-%m-%dT%H:%M:%SZ").to_string())
            .unwrap_or_default()
    };
    let language = *rng.pick(LANGUAGES);
    let mut body = String::new();
    let _ = writeln!(
        body,
        "# {title}\n\n## Summary\n\n{}\n",
        paragraph(&mut rng, 4)
    );
    let _ = writeln!(body, "## Impact\n\n{}\n", paragraph(&mut rng, 3));
    let _ = writeln!(
        body,
        "| Measure | Value |\n|---|---|\n| Requests failed | {}% |\n| Orders delayed | {} |\n| Regions | {} |\n",
        rng.range(1..90),
        rng.range(10..50_000),
        rng.range(1..6)
    );
    let _ = writeln!(body, "## Timeline (UTC)\n");
    let mut minute_mark = 0;
    for _ in 0..rng.range(5..10) {
        let time = start
            .checked_add(jiff::SignedDuration::from_mins(minute_mark as i64))
            .unwrap_or_default();
        let _ = writeln!(body, "- {}: {}", time.strftime("%H:%M"), sentence(&mut rng));
        minute_mark += rng.range(1..(duration / 4).max(2));
    }
    let _ = writeln!(body, "\n## Root cause\n\n{}\n", paragraph(&mut rng, 3));
    let _ = writeln!(body, "```{language}\n{}```\n", code(&mut rng, language));
    let _ = writeln!(
        body,
        "## Resolution\n\n{}\n\n## Lessons\n\n{}",
        paragraph(&mut rng, 3),
        paragraph(&mut rng, 2)
    );

    if rng.chance(4) {
        // A free-form postmortem: the window only in prose.
        let end = start
            .checked_add(jiff::SignedDuration::from_mins(duration as i64))
            .unwrap_or_default();
        return format!(
            "# {title}\n\nOn {}, from {} to {} UTC, about {}% of users were affected. The root cause was a misconfigured {}.\n\n{}",
            start.strftime("%B %-d, %Y"),
            start.strftime("%H:%M"),
            end.strftime("%H:%M"),
            rng.range(1..90),
            rng.pick(NOUNS),
            body.split_once('\n').map_or("", |(_, rest)| rest)
        );
    }

    let mut out = String::from("---\n");
    let _ = writeln!(out, "title: \"{title}\"");
    let _ = writeln!(out, "id: synth-{n:06}");
    let _ = writeln!(out, "severity: SEV{}", rng.range(1..5));
    let _ = writeln!(out, "category: {category}");
    let _ = writeln!(out, "trigger: {}", rng.pick(&crate::model::TRIGGERS[..11]));
    let _ = writeln!(out, "services: [{service}, {other}]");
    let _ = writeln!(out, "teams: [{}]", rng.pick(TEAMS));
    let _ = writeln!(out, "tags: [{}, {}]", rng.pick(TAGS), rng.pick(TAGS));
    let _ = writeln!(out, "authors: [Author {}]", rng.range(1..200));
    let _ = writeln!(
        out,
        "impact:\n  started_at: {}\n  ended_at: {}\n  users_affected_pct: {}\n  kind: partial-outage",
        at(0),
        at(duration),
        rng.range(0..100)
    );
    let _ = writeln!(
        out,
        "detected_at: {}\nmitigated_at: {}",
        at(detect),
        at(mitigate)
    );
    let _ = writeln!(out, "root_cause: \"{}\"", sentence(&mut rng));
    let _ = writeln!(out, "detection:\n  method: automated-alert");
    out.push_str("action_items:\n");
    for _ in 0..rng.range(1..5) {
        let status = *rng.pick(&["todo", "in-progress", "done", "done", "wont-do"]);
        let _ = writeln!(
            out,
            "  - title: \"Harden the {} of {}\"\n    owner: {}\n    status: {status}\n    due: {}-{:02}-{:02}",
            rng.pick(NOUNS),
            service,
            rng.pick(TEAMS),
            year + 1,
            1 + rng.range(0..12),
            1 + rng.range(0..28)
        );
    }
    out.push_str("---\n\n");
    out.push_str(&body);
    out
}

/// Writes an archive of `count` postmortems into `dir` (`content/` in
/// year folders, and a `hindsight.toml`).
pub fn write_archive(dir: &Path, count: usize, seed: u64) -> std::io::Result<()> {
    std::fs::create_dir_all(dir.join("content"))?;
    std::fs::write(
        dir.join(crate::config::CONFIG_FILE),
        "title = \"Synthetic archive\"\nbase_url = \"https://example.org/archive/\"\n",
    )?;
    for n in 0..count {
        let text = postmortem(n, seed);
        let year = 2019 + n % 6;
        let folder = dir.join("content").join(year.to_string());
        if n < 6 {
            std::fs::create_dir_all(&folder)?;
        }
        std::fs::write(folder.join(format!("pm-{n:06}.md")), text)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deterministic_and_realistic() {
        assert_eq!(postmortem(7, 42), postmortem(7, 42));
        assert_ne!(postmortem(7, 42), postmortem(8, 42));
        let sizes: Vec<usize> = (0..50).map(|n| postmortem(n, 1).len()).collect();
        assert!(
            sizes.iter().all(|&s| (2_000..9_000).contains(&s)),
            "{sizes:?}"
        );
        let free_form = (0..400)
            .filter(|&n| !postmortem(n, 1).starts_with("---"))
            .count();
        assert!(
            (4..40).contains(&free_form),
            "a few percent without frontmatter: {free_form}"
        );
    }
}
