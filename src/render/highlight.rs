//! Syntax highlighting of fenced code blocks, as CSS classes (`hl-*`); the
//! colours live in the theme's `syntax.css`.
//!
//! One [`Highlighter`] (and so one syntax set) serves the whole build, from
//! every thread. Grammars: syntect's defaults plus two-face's extras (TOML,
//! Dockerfile, HCL/Terraform, nginx, logs, TypeScript...).

use syntect::html::{ClassStyle, ClassedHTMLGenerator};
use syntect::parsing::{SyntaxReference, SyntaxSet};
use syntect::util::LinesWithEndings;

/// The CSS class prefix of highlighted tokens.
pub const CLASS_STYLE: ClassStyle = ClassStyle::SpacedPrefixed { prefix: "hl-" };

/// Fence languages that stay plain text on purpose.
const PLAIN: &[&str] = &[
    "",
    "text",
    "txt",
    "plain",
    "plaintext",
    "output",
    "none",
    "console-output",
];

/// Fence names that syntect does not know by token, mapped to one it does.
const ALIASES: &[(&str, &str)] = &[
    ("shell", "bash"),
    ("sh", "bash"),
    ("zsh", "bash"),
    ("console", "bash"),
    ("terminal", "bash"),
    ("yml", "yaml"),
    ("js", "javascript"),
    ("jsx", "javascript"),
    ("ts", "typescript"),
    ("tsx", "typescriptreact"),
    ("py", "python"),
    ("python3", "python"),
    ("rb", "ruby"),
    ("golang", "go"),
    ("rs", "rust"),
    ("tf", "terraform"),
    ("hcl", "terraform"),
    ("docker", "dockerfile"),
    ("containerfile", "dockerfile"),
    ("postgres", "sql"),
    ("postgresql", "sql"),
    ("mysql", "sql"),
    ("psql", "sql"),
    ("logs", "log"),
    ("nginxconf", "nginx"),
    ("proto", "protobuf"),
    ("jsonc", "json"),
    ("k8s", "yaml"),
    ("promql", "text"),
];

thread_local! {
    /// Each thread's own copy of the grammars (loaded on first use, about
    /// 20 ms). syntect compiles a grammar's regexes lazily inside the set,
    /// and a `regex` shared by several threads serialises them on its
    /// internal cache pool; per-thread copies removed that contention
    /// (docs/PERFORMANCE.md). Immutable after loading.
    static SYNTAXES: SyntaxSet = two_face::syntax::extra_newlines();
}

/// Highlights code blocks; cheap to share by reference across threads.
#[derive(Debug)]
pub struct Highlighter {
    max_bytes: usize,
}

impl Highlighter {
    /// A highlighter. Blocks over `max_bytes` are shown plain, so one huge
    /// paste cannot stall a build.
    pub fn new(max_bytes: usize) -> Self {
        Highlighter { max_bytes }
    }

    fn syntax<'s>(syntaxes: &'s SyntaxSet, language: &str) -> Option<&'s SyntaxReference> {
        let lower = language.to_ascii_lowercase();
        if PLAIN.contains(&lower.as_str()) {
            return None;
        }
        let token = ALIASES
            .iter()
            .find(|(alias, _)| *alias == lower)
            .map_or(lower.as_str(), |(_, to)| to);
        syntaxes
            .find_syntax_by_token(token)
            .or_else(|| syntaxes.find_syntax_by_name(language))
            .filter(|s| s.name != "Plain Text")
    }

    /// Whether a fence language gets highlighted.
    pub fn knows(&self, language: &str) -> bool {
        SYNTAXES.with(|syntaxes| Self::syntax(syntaxes, language).is_some())
    }

    /// The complete `<pre><code>` HTML for a code block. `language` is the
    /// first word of the fence info; unknown languages stay plain (escaped)
    /// text. Never fails: a grammar error falls back to plain text.
    pub fn to_html(&self, language: &str, code: &str) -> String {
        let lang_attr = escape_attr(language);
        let plain = || {
            let class = if language.is_empty() {
                String::new()
            } else {
                format!(" class=\"language-{lang_attr}\"")
            };
            format!(
                "<pre class=\"code\"><code{class}>{}</code></pre>\n",
                escape_html(code)
            )
        };
        if code.len() > self.max_bytes {
            return plain();
        }
        SYNTAXES.with(|syntaxes| {
            let Some(syntax) = Self::syntax(syntaxes, language) else {
                return plain();
            };
            let mut generator = ClassedHTMLGenerator::new_with_class_style(syntax, syntaxes, CLASS_STYLE);
            for line in LinesWithEndings::from(code) {
                if generator.parse_html_for_line_which_includes_newline(line).is_err() {
                    return plain();
                }
            }
            format!(
                "<pre class=\"code highlighted\" data-lang=\"{lang_attr}\"><code class=\"language-{lang_attr}\">{}</code></pre>\n",
                generator.finalize()
            )
        })
    }
}

/// The stylesheet for highlighted code: syntect's `InspiredGitHub` for
/// light mode and `base16-ocean.dark` for dark mode, as `hl-` classes. The
/// default theme ships its output as `static/syntax.css`; a test keeps the
/// two equal. Regenerate with `cargo run --example syntax_css`.
pub fn theme_css() -> String {
    let themes = syntect::highlighting::ThemeSet::load_defaults();
    let css = |name: &str| {
        themes
            .themes
            .get(name)
            .and_then(|theme| {
                syntect::html::css_for_theme_with_class_style(theme, CLASS_STYLE).ok()
            })
            .unwrap_or_default()
    };
    let dark: String = css("base16-ocean.dark")
        .lines()
        .map(|line| format!("  {line}\n"))
        .collect();
    format!(
        "/* Syntax colours for highlighted code (generated: cargo run --example syntax_css). */\n{}\n@media (prefers-color-scheme: dark) {{\n{}}}\n",
        css("InspiredGitHub"),
        dark
    )
}

/// Escapes text for HTML element content.
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// Escapes text for a double-quoted attribute.
pub fn escape_attr(text: &str) -> String {
    escape_html(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extra_grammars_and_aliases_are_known() {
        let h = Highlighter::new(64 * 1024);
        for lang in [
            "rust",
            "python",
            "go",
            "yaml",
            "yml",
            "json",
            "toml",
            "sql",
            "bash",
            "sh",
            "dockerfile",
            "hcl",
            "tf",
            "nginx",
            "log",
            "typescript",
            "ts",
            "javascript",
        ] {
            assert!(h.knows(lang), "{lang} should be highlighted");
        }
        for lang in ["text", "", "plain", "klingon"] {
            assert!(!h.knows(lang), "{lang} should stay plain");
        }
    }

    #[test]
    fn highlighted_html_uses_classes_and_escapes() {
        let h = Highlighter::new(64 * 1024);
        let html = h.to_html("rust", "fn main() { let a = 1 < 2; }\n");
        assert!(html.contains("hl-"), "{html}");
        assert!(html.contains("&lt;"), "{html}");
        assert!(!html.contains("style="), "no inline colours: {html}");
    }

    #[test]
    fn shipped_syntax_css_is_current() {
        let shipped = include_str!("../../themes/default/static/syntax.css");
        assert!(
            shipped == theme_css(),
            "run `cargo run --example syntax_css > themes/default/static/syntax.css`"
        );
    }

    #[test]
    fn unknown_and_oversized_blocks_stay_plain() {
        let h = Highlighter::new(10);
        assert_eq!(
            h.to_html("klingon", "<b>\n"),
            "<pre class=\"code\"><code class=\"language-klingon\">&lt;b&gt;\n</code></pre>\n"
        );
        assert!(!h.to_html("rust", "fn main() { }\n").contains("hl-"));
    }
}
