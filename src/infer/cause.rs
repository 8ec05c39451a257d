//! The root-cause sentence, the primary category it names (GUIDE.md 6),
//! and the detection method.
//!
//! The category comes from the root-cause statement, not from keywords
//! elsewhere in the text (`corpus-labels/README.md`). Families are tried in
//! a fixed order, so that "misconfigured connection pool" is a
//! configuration change and "bug in the Nginx configuration" is too, while
//! "a migration script" is a database change even when misconfigured.

use std::sync::LazyLock;

use regex::Regex;

use super::text::{Doc, SectionKind, sentences};

/// Category phrase families, in precedence order: the first family with a
/// match in the root-cause sentence wins.
const CATEGORY_PHRASES: &[(&str, &str)] = &[
    (
        "security",
        r"\bddos\b|denial[- ]of[- ]service|\battack(?:s|ers?|ed)?\b|malicious|intrusion|\bbreach|compromised|leaked (?:credential|key|token|secret)|exposed (?:credential|key|token|secret)|brute[- ]force|exploit",
    ),
    (
        "time",
        r"expired (?:ssl |tls )?(?:certificate|cert)|(?:ssl|tls)?\s*certificate (?:had |has )?expir|certificate renewal|auto-?renewal|leap (?:second|year|day)|daylight saving|\bdst\b|clock (?:drift|skew)|time ?zone|licen[cs]e expir",
    ),
    (
        "database",
        r"\bmigration|replication|\breplica lag|deadlock|lock contention|query plan|database corruption|data corruption|corrupt(?:ed)? (?:index|table|data)",
    ),
    (
        "operational-procedure",
        r"human error|manual(?:ly)? (?:error|mistake|step|change|operation|intervention)|by mistake|mistakenly|accidental(?:ly)?|wrong (?:server|host|target|environment|cluster|machine)|production environment while|intended for (?:a |the )?(?:local|staging|test)|typo(?:ed)? (?:in )?(?:a |the )?command|runbook|local (?:development|dev)\b|(?:upgrade|update|change|command) (?:was )?(?:run|applied|made) (?:on|to|against|into) (?:the )?(?:production|live|wrong)",
    ),
    (
        "config-change",
        r"misconfigur|mis-configur|incorrect(?:ly)? config|wrong(?:ly)? config|configured incorrectly|incorrectly configured|improperly configured|faulty config|bad config|config(?:uration)? (?:error|issue|bug|change|file|setting|update|mistake|problem)|settings file|in the [\w.-]+ config|(?:nginx|apache|haproxy|load balancer|lb|dns|firewall|proxy|server) configuration|firewall rules?|load balancer (?:weight|setting|rule)|(?:file )?permissions?\b|directive|puppet manifest|\bconfiguration\b",
    ),
    (
        "code-change",
        r"\bbug\b|\bbugs\b|memory leak|\bdeploy(?:ed|ment)?\b|code (?:change|update|push|error)|regression|recursion|null pointer|\btypo\b|syntax error|new version|(?:software|application|app|code|recent) update|\bpatch\b|release|\bcommit\b|coding error|logic error|\bscript\b",
    ),
    (
        "capacity",
        r"traffic (?:surge|spike)|surge (?:in|of)|spike in|sudden (?:increase|influx|rise)|influx|viral|exceed(?:ed|ing)? (?:the )?(?:server'?s? )?capacity|maximum capacity|high traffic|heavy (?:load|traffic)|overload|disk (?:full|space)|out of (?:memory|disk|space)|resource exhaustion|exhaust|bottleneck|ran out|insufficient (?:capacity|resources)|quota",
    ),
    ("cascading-failure", r"cascad|retry storm|thundering herd"),
    (
        "dependency",
        r"third[- ]party|vendor|\bprovider\b|upstream|external (?:service|api|dependency|system)|cloud (?:provider|outage)|\baws\b|\bazure\b|\bgcp\b",
    ),
    (
        "hardware-power",
        r"hardware|disk failure|drive failure|power (?:outage|failure|loss|supply)|datacent|data cent|cooling|fibre cut|fiber cut|failed (?:disk|host|server|node)",
    ),
    (
        "network",
        r"network|routing|packet loss|connectivity|\bdns\b|\bbgp\b|latency between",
    ),
    (
        "automation",
        r"autoscal|automation (?:tool|system|script|job)|automated (?:system|job|process|script|deploy\w*|tool|cleanup|scaling|failover)|cron ?job|scheduled job|cleanup job",
    ),
    (
        "race-or-conflict",
        r"race condition|\bconflict|version skew|collision|concurren",
    ),
    // Weak signals, tried after every family above.
    (
        "database",
        r"inefficient quer|slow quer|unoptimi[sz]ed quer|query (?:performance|handling|execution)|missing index|database (?:lock|overload)",
    ),
    (
        "unknown",
        r"unknown cause|cause (?:is |was |remains )?(?:still )?unknown|not (?:yet )?(?:been )?determined|undetermined",
    ),
];

static CATEGORY_RULES: LazyLock<Vec<(&'static str, Regex)>> = LazyLock::new(|| {
    CATEGORY_PHRASES
        .iter()
        .map(|(slug, pattern)| {
            (
                *slug,
                Regex::new(&format!("(?i){pattern}")).unwrap_or_else(|_| unreachable!()),
            )
        })
        .collect()
});

static CAUSAL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(?:due to|caused by|because of|stemm(?:ed|ing) from|result(?:ed|ing)? from|a result of|triggered by|traced (?:back )?to|originat(?:ed|ing) (?:from|in))\b").unwrap_or_else(|_| unreachable!())
});

/// Monitoring gaps are contributing factors, not categories (GUIDE.md 6):
/// sentences about them never decide a category.
static MONITORING_GAP: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(?:lack of|absence of|no|insufficient|inadequate|missing) (?:proactive |proper |adequate |automated )?(?:monitoring|alert|alerting|observability|testing)").unwrap_or_else(|_| unreachable!())
});

/// The category a root-cause statement names: the clause after "due to",
/// "caused by"... is read first (it names the cause; what comes before
/// names the symptom), then the whole statement; within each, the first
/// matching phrase family in precedence order wins.
pub fn category_of(statement: &str) -> Option<&'static str> {
    let first_match = |text: &str| {
        CATEGORY_RULES
            .iter()
            .find(|(_, re)| re.is_match(text))
            .map(|(slug, _)| *slug)
    };
    if let Some(m) = CAUSAL.find(statement)
        && let Some(slug) = first_match(&statement[m.end()..])
    {
        return Some(slug);
    }
    first_match(statement)
}

static CAUSE_FALLBACK: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\bturns? out\b|\bin short\b|\bculprit\b|\bthe (?:problem|issue|error|failure|outage) (?:was|is)\b|\bresponsible for\b|\btraced (?:back )?to\b|\bidentified (?:the|a|as)\b").unwrap_or_else(|_| unreachable!())
});

/// Root-cause candidates in order of trust, each with its body line: the
/// root-cause section's sentences; sentences anywhere that say "root
/// cause", "caused by" or "due to"; sentences that say "turns out", "in
/// short", "the culprit", "the issue was"; timeline entries where the cause
/// was "identified". Prompts copied from the assignment ("what was causing
/// the issue") and monitoring gaps are left out.
fn cause_candidates(doc: &Doc) -> Vec<(String, u32)> {
    let usable = |s: &str| {
        let lower = s.to_lowercase();
        s.split_whitespace().count() >= 4
            && !s.trim_end().ends_with('?')
            && !lower.starts_with("what ")
            && !lower.starts_with("explain ")
            && !MONITORING_GAP.is_match(s)
    };
    let mut candidates: Vec<(String, u32)> = Vec::new();
    for line in doc
        .lines
        .iter()
        .filter(|l| l.section == SectionKind::RootCause && !l.heading)
    {
        let text = line
            .label
            .as_ref()
            .filter(|(label, _)| label.contains("cause"))
            .map_or(line.text.as_str(), |(_, rest)| rest.as_str());
        for sentence in sentences(text) {
            if usable(sentence) {
                candidates.push((clean_statement(sentence), line.number));
            }
        }
    }
    let prose = || {
        doc.lines
            .iter()
            .filter(|l| l.section != SectionKind::Timeline && l.section != SectionKind::Actions)
    };
    for line in prose() {
        for sentence in sentences(&line.text) {
            let lower = sentence.to_lowercase();
            if usable(sentence)
                && (lower.contains("root cause")
                    || lower.contains("caused by")
                    || lower.contains("due to"))
            {
                candidates.push((clean_statement(sentence), line.number));
            }
        }
    }
    for line in prose() {
        for sentence in sentences(&line.text) {
            if usable(sentence) && CAUSE_FALLBACK.is_match(sentence) {
                candidates.push((clean_statement(sentence), line.number));
            }
        }
    }
    for line in doc
        .lines
        .iter()
        .filter(|l| l.section == SectionKind::Timeline)
    {
        if CAUSE_FALLBACK.is_match(&line.text) || line.text.to_lowercase().contains("root cause") {
            candidates.push((clean_statement(&line.text), line.number));
        }
    }
    candidates
}

/// The root-cause statement and the category it names: the first
/// candidate (see [`cause_candidates`]) that names a category, else the
/// first candidate with no category. Returns (statement, body line,
/// category).
pub fn root_cause(doc: &Doc) -> Option<(String, u32, Option<&'static str>)> {
    let candidates = cause_candidates(doc);
    candidates
        .iter()
        .find_map(|(s, n)| category_of(s).map(|c| (s.clone(), *n, Some(c))))
        .or_else(|| candidates.first().map(|(s, n)| (s.clone(), *n, None)))
}

fn clean_statement(sentence: &str) -> String {
    let s = sentence
        .trim()
        .trim_start_matches(|c: char| c == '-' || c == ':' || c.is_whitespace());
    let s = s
        .strip_prefix("Root Cause:")
        .or_else(|| s.strip_prefix("Root cause:"))
        .unwrap_or(s)
        .trim();
    if s.chars().count() > 400 {
        let cut: String = s.chars().take(400).collect();
        format!("{}…", cut.trim_end())
    } else {
        s.to_string()
    }
}

/// Detection phrase families, in precedence order.
const DETECTION_PHRASES: &[(&str, &str)] = &[
    (
        "synthetic-check",
        r"synthetic|health ?check|uptime (?:robot|monitor|check)|pingdom|probe",
    ),
    (
        "automated-alert",
        r"(?:monitoring|automated|an?) alerts?|alert(?:ing)? (?:system|fired|triggered|was triggered)|pagerduty|opsgenie|alarm|datadog|prometheus|nagios|monitoring (?:system|tool)s? (?:detected|flagged|reported|signal)|detected (?:by|through|via) (?:our )?monitoring",
    ),
    (
        "customer-report",
        r"customers? (?:report|complain|notice|contact)|users? (?:report|complain|notice)|complaints?|support tickets?|tweets?|reported by (?:a |our )?(?:customer|user)",
    ),
    (
        "third-party",
        r"security researcher|reported by (?:a )?third|vendor notified|provider notified",
    ),
    (
        "monitoring-dashboard",
        r"dashboard|graph|metrics? (?:showed|revealed)",
    ),
    (
        "internal-report",
        r"engineer (?:noticed|observed|spotted)|noticed by|team noticed|developer noticed|an? (?:engineer|developer|employee) (?:noticed|reported)",
    ),
];

static DETECTION_RULES: LazyLock<Vec<(&'static str, Regex)>> = LazyLock::new(|| {
    DETECTION_PHRASES
        .iter()
        .map(|(slug, pattern)| {
            (
                *slug,
                Regex::new(&format!("(?i){pattern}")).unwrap_or_else(|_| unreachable!()),
            )
        })
        .collect()
});

/// The detection method: from a detection section, else from the first
/// timeline entry or a sentence saying how the issue was "detected".
pub fn detection(doc: &Doc) -> Option<(&'static str, u32, String)> {
    let candidates = doc
        .lines
        .iter()
        .filter(|l| l.section == SectionKind::Detection && !l.heading)
        .chain(
            doc.lines
                .iter()
                .filter(|l| l.section == SectionKind::Timeline)
                .take(2),
        )
        .chain(doc.lines.iter().filter(|l| {
            let lower = l.text.to_lowercase();
            lower.contains("detected") || lower.contains("noticed") || lower.contains("was alerted")
        }));
    for line in candidates {
        if let Some((slug, _)) = DETECTION_RULES
            .iter()
            .find(|(_, re)| re.is_match(&line.text))
        {
            return Some((slug, line.number, line.text.clone()));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn categories_from_root_cause_statements() {
        for (statement, expected) in [
            (
                "The outage was caused by a distributed denial-of-service (DDoS) attack.",
                "security",
            ),
            (
                "An expired SSL certificate after a failed auto-renewal.",
                "time",
            ),
            (
                "A misconfigured migration script exhausted memory.",
                "database",
            ),
            (
                "The root cause was a human error in managing SSH keys.",
                "operational-procedure",
            ),
            (
                "Misconfigured network switches caused routing problems.",
                "config-change",
            ),
            (
                "A critical bug in the Nginx configuration crashed the server.",
                "config-change",
            ),
            (
                "A misconfigured database connection pool leaked connections.",
                "config-change",
            ),
            (
                "A deployment introduced unintended recursion.",
                "code-change",
            ),
            ("A memory leak introduced by a Redis update.", "code-change"),
            (
                "A sudden surge in traffic from a viral post exceeded capacity.",
                "capacity",
            ),
            ("A retry storm amplified the load.", "cascading-failure"),
            (
                "Our third-party payment provider had an outage.",
                "dependency",
            ),
            ("A power failure in the datacentre.", "hardware-power"),
            ("Packet loss on a congested link between racks.", "network"),
            ("A network partition between zones.", "network"),
            ("The autoscaler removed healthy nodes.", "automation"),
            ("A race condition between two workers.", "race-or-conflict"),
            ("The cause has not been determined.", "unknown"),
            (
                "Database overload due to inefficient query handling.",
                "database",
            ),
            (
                "A connection bottleneck due to a sudden spike in traffic coupled with inefficient query execution.",
                "capacity",
            ),
            (
                "Someone upgraded his local development stack but upgraded production instead.",
                "operational-procedure",
            ),
        ] {
            assert_eq!(category_of(statement), Some(expected), "{statement}");
        }
    }

    #[test]
    fn root_cause_sentence_from_its_section() {
        let doc = Doc::parse(
            "# X\n\n## Root Cause\n\nWe looked hard.\nThe root cause was an expired certificate on the edge. It was renewed.\n",
        );
        let (sentence, line, category) = root_cause(&doc).unwrap();
        assert_eq!(category, Some("time"));
        assert_eq!(
            sentence,
            "The root cause was an expired certificate on the edge."
        );
        assert_eq!(line, 6);
    }

    #[test]
    fn monitoring_gaps_do_not_decide_the_category() {
        let doc = Doc::parse(
            "## Root cause\n\nRoot causes include a lack of automated alerts for the pool. The pool was misconfigured with a limit of 5 connections.\n",
        );
        let (sentence, _, category) = root_cause(&doc).unwrap();
        assert_eq!(category, Some("config-change"));
        assert!(sentence.starts_with("The pool was misconfigured"));
    }

    #[test]
    fn fallback_cause_sentences() {
        let doc = Doc::parse(
            "# Oops\n\nWe looked everywhere for hours on end. In short, a typo in a PHP file name broke every page.\n",
        );
        assert_eq!(root_cause(&doc).unwrap().2, Some("code-change"));
    }

    #[test]
    fn detection_methods() {
        let doc = Doc::parse("Timeline\n- 10:00 UTC: Issue detected through monitoring alerts.\n");
        assert_eq!(detection(&doc).map(|d| d.0), Some("automated-alert"));
        let doc = Doc::parse("The problem was noticed when customers complained on Twitter.\n");
        assert_eq!(detection(&doc).map(|d| d.0), Some("customer-report"));
    }
}
