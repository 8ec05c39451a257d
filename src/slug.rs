//! URL slugs for ids and taxonomy terms.
//!
//! A slug is lowercase ASCII letters, digits and single `-`; it can never
//! hold `/`, `.` or `..`, so a slug used as a path segment stays inside the
//! output folder whatever the input said.

/// Slugifies `text` (`"Payments API"` -> `"payments-api"`, `"C++"` -> `"c"`).
/// May return an empty string (for `"++"`); callers choose a fallback.
pub fn slugify(text: &str) -> String {
    slug::slugify(text)
}

/// Whether `id` is usable as an incident id: non-empty, at most 200 bytes,
/// ASCII letters, digits, `-`, `_` and `.` only, not starting with `.`.
pub fn is_valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 200
        && !id.starts_with('.')
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_cannot_escape() {
        assert_eq!(slugify("../../etc/passwd"), "etc-passwd");
        assert_eq!(slugify("Payments API"), "payments-api");
        assert_eq!(slugify("++"), "");
    }

    #[test]
    fn ids() {
        assert!(is_valid_id("2024-03-db-failover"));
        assert!(is_valid_id("INC_42.v2"));
        for bad in ["", "../x", "a/b", ".hidden", "a b", "é"] {
            assert!(!is_valid_id(bad), "{bad}");
        }
    }
}
