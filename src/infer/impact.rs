//! Users affected, in percent (GUIDE.md 8).
//!
//! A percentage counts only when it is attached to a user noun (users, user
//! base, customers, subscribers, visitors, clients). Degradation,
//! slowdown, error-rate, traffic, request, transaction and server
//! percentages are refused, and so are recovery lines ("100% of traffic
//! was back online"). "X% ... the remaining Y%" is summed.

use std::sync::LazyLock;

use regex::Regex;

use super::text::{Doc, SectionKind, sentences};

/// A percentage found in a sentence, with the words around it.
static PERCENT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(\d{1,3}(?:\.\d+)?)\s*(?:%|percent\b|per cent\b)")
        .unwrap_or_else(|_| unreachable!())
});

/// What follows the number when it is a share of users.
static USERS_AFTER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^\s*(?:of\s+)?(?:(?:our|the|all|its|their|total|active|daily|global|registered|affected|mobile|web|online|platform|site|website|application|app|service)\s+){0,3}(?:users?|user\s*base|customers?|subscribers?|visitors?|clients?|members?|players?|shoppers?|accounts?)\b")
        .unwrap_or_else(|_| unreachable!())
});

/// What follows the number when it is not a share of users.
static NOT_USERS_AFTER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^\s*(?:of\s+(?:the\s+|our\s+)?)?(?:\w+\s+){0,2}?(?:degradation|drop|decrease|increase|slower|faster|slowdown|reduction|error|errors|failure rate|of traffic|traffic|requests?|transactions?|cpu|memory|disk|capacity|uptime|availability|servers?|webservers?|web servers?|services?|bandwidth|packets?|load|conversion|bounce|engagement|revenue|sales)\b")
        .unwrap_or_else(|_| unreachable!())
});

/// Words before the number that make it something other than a share of
/// users affected.
static NOT_USERS_BEFORE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(back online|recovered|restored|recovery|uptime|availability|error rate|cpu|memory|disk|utili[sz]ation|capacity|spiked? to|reached|at)\s*(?:of\s*)?(?:approximately\s*|about\s*|around\s*)?$")
        .unwrap_or_else(|_| unreachable!())
});

static REMAINING: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(?:the\s+)?(?:remaining|other|rest(?:\s+of)?)\s+(\d{1,3}(?:\.\d+)?)\s*(?:%|percent)").unwrap_or_else(|_| unreachable!())
});

/// The share of users affected, the body line it was read from, and the
/// sentence. Sections about impact and the summary are read first.
pub fn users_affected_pct(doc: &Doc) -> Option<(f64, u32, String)> {
    let order = [
        &[SectionKind::Impact][..],
        &[
            SectionKind::Summary,
            SectionKind::Duration,
            SectionKind::Other,
        ][..],
        &[
            SectionKind::RootCause,
            SectionKind::Resolution,
            SectionKind::Lessons,
            SectionKind::Detection,
        ][..],
    ];
    for kinds in order {
        for line in doc.in_sections(kinds) {
            for sentence in sentences(&line.text) {
                if let Some(value) = share_of_users(sentence) {
                    return Some((value, line.number, sentence.to_string()));
                }
            }
        }
    }
    None
}

/// The share of users a sentence states, if any.
pub fn share_of_users(sentence: &str) -> Option<f64> {
    for c in PERCENT.captures_iter(sentence) {
        let whole = c.get(0)?;
        let value: f64 = c[1].parse().ok()?;
        if !(0.0..=100.0).contains(&value) {
            continue;
        }
        let after = &sentence[whole.end()..];
        let before = &sentence[..whole.start()];
        if NOT_USERS_BEFORE.is_match(before) {
            continue;
        }
        // "25% of users encountered errors": the user noun comes first and
        // decides; otherwise a user noun just before the number counts
        // unless what follows is a rate of something else.
        let attached = USERS_AFTER.is_match(after)
            || (user_noun_before(before) && !NOT_USERS_AFTER.is_match(after));
        if !attached {
            continue;
        }
        // "78% of users ... while the remaining 22% faced ..." is 100.
        let rest = REMAINING
            .captures(after)
            .and_then(|r| r[1].parse::<f64>().ok())
            .unwrap_or(0.0);
        return Some((value + rest).min(100.0));
    }
    None
}

/// "users affected: 30%", "affecting users (30%)": a user noun right
/// before the number, with only a few words between.
fn user_noun_before(before: &str) -> bool {
    static NOUN_BEFORE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)\b(?:users?|customers?|subscribers?|visitors?|user base)\b(?:\s+\w+){0,2}\s*[:(,]?\s*(?:approximately|about|around|nearly|roughly|almost|over|some)?\s*$")
            .unwrap_or_else(|_| unreachable!())
    });
    NOUN_BEFORE.is_match(before)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shares_of_users() {
        for (sentence, expected) in [
            ("This downtime affected 100% of our user base.", 100.0),
            ("Approximately 30% of the users were affected.", 30.0),
            ("Nearly 100% of users were affected.", 100.0),
            (
                "78% of users experienced a complete outage, while the remaining 22% faced severe buffering.",
                100.0,
            ),
            (
                "complete unavailability for 50% of users and slow response times for the remaining 50%.",
                100.0,
            ),
            (
                "That's what 75% of our users experienced during this outage.",
                75.0,
            ),
            ("an outage that affected 12.5 percent of active users", 12.5),
            ("Users affected: 40%", 40.0),
            ("78% of our subscribers could not stream", 78.0),
            ("approximately 25% of users encountered errors", 25.0),
        ] {
            assert_eq!(share_of_users(sentence), Some(expected), "{sentence}");
        }
    }

    #[test]
    fn other_percentages_are_refused() {
        for sentence in [
            "resulting in a 30% degradation in user experience",
            "100% of the webserver was down for 15 minutes",
            "100 percent of the web server was offline",
            "100% of traffic was back online, and all users regained access",
            "leading to a 20% drop in completed transactions",
            "CPU usage spiked to 100% on the database",
            "the error rate reached 45% for users in Europe",
            "responses were 75% slower for users",
            "All users were affected.",
        ] {
            assert_eq!(share_of_users(sentence), None, "{sentence}");
        }
    }
}
