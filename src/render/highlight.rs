//! Syntax highlighting of fenced code blocks, as CSS classes (`hl-*`); the
//! colours live in the theme's `syntax.css`.
//!
//! Engines behind one [`Highlighter`], by language: for those postmortems
//! quote most (Bash, Dockerfile, Go, JavaScript, JSON, nginx, Python,
//! Rust, SQL, TOML, TypeScript, YAML) a one-pass lexer ([`lexical`], the
//! default, microseconds per block) or, with `highlighting = "precise"`,
//! tree-sitter grammars (about 0.3 ms per block, still about six times
//! faster than syntect's regexes; docs/PERFORMANCE.md); a one-pass
//! highlighter for logs; and syntect with two-face's extra grammars for
//! everything else (HCL/Terraform, Ruby, Java...). All emit the same
//! scope-style classes, so one stylesheet colours any of them.

mod lexical;

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use crate::config::Highlighting;

use syntect::html::{ClassStyle, ClassedHTMLGenerator};
use syntect::parsing::{SyntaxReference, SyntaxSet};
use syntect::util::LinesWithEndings;
use tree_sitter_highlight::{HighlightConfiguration, HtmlRenderer};

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

/// Capture names of the tree-sitter highlight queries, each with the
/// syntect-style classes it is shown with (so `syntax.css`, generated from
/// syntect themes, colours both engines). A capture such as
/// `function.method` takes the longest listed name it starts with;
/// captures not listed (plain `variable`, `embedded`) stay unstyled.
const CAPTURES: &[(&str, &str)] = &[
    ("attribute", "hl-entity hl-other hl-attribute-name"),
    ("boolean", "hl-constant hl-language"),
    ("comment", "hl-comment"),
    ("conditional", "hl-keyword hl-control"),
    ("constant", "hl-constant hl-other"),
    ("constant.builtin", "hl-constant hl-language"),
    ("constructor", "hl-entity hl-name hl-class"),
    ("escape", "hl-constant hl-character hl-escape"),
    ("field", "hl-variable hl-other hl-member"),
    ("float", "hl-constant hl-numeric"),
    ("function", "hl-entity hl-name hl-function"),
    ("function.builtin", "hl-support hl-function"),
    ("keyword", "hl-keyword"),
    ("label", "hl-entity hl-name hl-label"),
    ("module", "hl-entity hl-name hl-namespace"),
    ("number", "hl-constant hl-numeric"),
    ("operator", "hl-keyword hl-operator"),
    ("parameter", "hl-variable hl-parameter"),
    ("property", "hl-variable hl-other hl-member"),
    ("punctuation", "hl-punctuation"),
    ("storageclass", "hl-storage hl-modifier"),
    ("string", "hl-string"),
    ("string.special", "hl-string hl-regexp"),
    ("string.special.key", "hl-entity hl-name hl-tag"),
    ("tag", "hl-entity hl-name hl-tag"),
    ("type", "hl-entity hl-name hl-type"),
    ("type.builtin", "hl-storage hl-type"),
    ("type.qualifier", "hl-storage hl-modifier"),
    ("variable.builtin", "hl-variable hl-language"),
    ("variable.parameter", "hl-variable hl-parameter"),
];

/// The languages highlighted by tree-sitter, by syntect token (after
/// [`ALIASES`]).
const TREE_LANGUAGES: &[&str] = &[
    "bash",
    "go",
    "javascript",
    "json",
    "python",
    "rust",
    "sql",
    "toml",
    "typescript",
    "typescriptreact",
    "yaml",
];

/// The tree-sitter grammar and queries of one of [`TREE_LANGUAGES`]
/// (TypeScript's queries extend JavaScript's).
fn tree_grammar(token: &str) -> Option<HighlightConfiguration> {
    let ts_highlights = || {
        format!(
            "{}\n{}",
            tree_sitter_typescript::HIGHLIGHTS_QUERY,
            tree_sitter_javascript::HIGHLIGHT_QUERY
        )
    };
    // Most grammars: the language and its highlight query, no locals.
    let plain = |language: tree_sitter::Language, query: &str| (language, query.to_string(), "");
    let (language, highlights, locals): (tree_sitter::Language, String, &str) = match token {
        "bash" => plain(
            tree_sitter_bash::LANGUAGE.into(),
            tree_sitter_bash::HIGHLIGHT_QUERY,
        ),
        "go" => plain(
            tree_sitter_go::LANGUAGE.into(),
            tree_sitter_go::HIGHLIGHTS_QUERY,
        ),
        "javascript" => (
            tree_sitter_javascript::LANGUAGE.into(),
            format!(
                "{}\n{}",
                tree_sitter_javascript::JSX_HIGHLIGHT_QUERY,
                tree_sitter_javascript::HIGHLIGHT_QUERY
            ),
            tree_sitter_javascript::LOCALS_QUERY,
        ),
        "json" => plain(
            tree_sitter_json::LANGUAGE.into(),
            tree_sitter_json::HIGHLIGHTS_QUERY,
        ),
        "python" => plain(
            tree_sitter_python::LANGUAGE.into(),
            tree_sitter_python::HIGHLIGHTS_QUERY,
        ),
        "rust" => plain(
            tree_sitter_rust::LANGUAGE.into(),
            tree_sitter_rust::HIGHLIGHTS_QUERY,
        ),
        "sql" => plain(
            tree_sitter_sequel::LANGUAGE.into(),
            tree_sitter_sequel::HIGHLIGHTS_QUERY,
        ),
        // The shipped query captures a whole `pair` as its key and every
        // key as a type: keys of pairs and of table headers are meant.
        "toml" => (
            tree_sitter_toml_ng::LANGUAGE.into(),
            tree_sitter_toml_ng::HIGHLIGHTS_QUERY
                .replace(
                    "(bare_key) @type\n",
                    "(table (bare_key) @type)\n(table_array_element (bare_key) @type)\n",
                )
                .replace(
                    "(pair\n  (bare_key)) @property",
                    "(pair\n  (bare_key) @property)",
                ),
            "",
        ),
        "typescript" => (
            tree_sitter_typescript::LANGUAGE_TYPESCRIPT.into(),
            ts_highlights(),
            tree_sitter_typescript::LOCALS_QUERY,
        ),
        "typescriptreact" => (
            tree_sitter_typescript::LANGUAGE_TSX.into(),
            ts_highlights(),
            tree_sitter_typescript::LOCALS_QUERY,
        ),
        "yaml" => plain(
            tree_sitter_yaml::LANGUAGE.into(),
            tree_sitter_yaml::HIGHLIGHTS_QUERY,
        ),
        _ => return None,
    };
    // Neovim's spell-check captures would hide the highlight they follow
    // (tree-sitter-highlight shows a node's last capture).
    let highlights = highlights.replace(" @nospell", "").replace(" @spell", "");
    let mut config = HighlightConfiguration::new(language, token, &highlights, "", locals).ok()?;
    let names: Vec<&str> = CAPTURES.iter().map(|(name, _)| *name).collect();
    config.configure(&names);
    Some(config)
}

/// The tree-sitter grammars, each compiled on first use (a few
/// milliseconds) and then shared read-only by every thread and build.
static TREE_GRAMMARS: [OnceLock<Option<HighlightConfiguration>>; TREE_LANGUAGES.len()] =
    [const { OnceLock::new() }; TREE_LANGUAGES.len()];

/// The compiled tree-sitter grammar for a syntect token, if tree-sitter
/// highlights that language and its queries compile.
fn tree_config(token: &str) -> Option<&'static HighlightConfiguration> {
    let index = TREE_LANGUAGES.iter().position(|t| *t == token)?;
    TREE_GRAMMARS[index]
        .get_or_init(|| tree_grammar(token))
        .as_ref()
}

/// Highlights `code` with a tree-sitter grammar: the `<span>`s and escaped
/// text inside `<code>`, or `None` if the highlighter fails (the caller
/// shows the block plain).
fn tree_highlight(config: &HighlightConfiguration, code: &str) -> Option<String> {
    TREE_HIGHLIGHTER.with(|kept| match kept.try_borrow_mut() {
        Ok(mut highlighter) => tree_highlight_with(&mut highlighter, config, code),
        Err(_) => tree_highlight_with(&mut tree_sitter_highlight::Highlighter::new(), config, code),
    })
}

thread_local! {
    /// Each thread's tree-sitter parser and query cursors, reused from
    /// block to block (a parser keeps its buffers). Scratch state only:
    /// nothing of one block's result outlives its call.
    static TREE_HIGHLIGHTER: std::cell::RefCell<tree_sitter_highlight::Highlighter> =
        std::cell::RefCell::new(tree_sitter_highlight::Highlighter::new());
}

fn tree_highlight_with(
    highlighter: &mut tree_sitter_highlight::Highlighter,
    config: &HighlightConfiguration,
    code: &str,
) -> Option<String> {
    let events = highlighter
        .highlight(config, code.as_bytes(), None, None, |_| None)
        .ok()?;
    let mut renderer = HtmlRenderer::new();
    renderer
        .render(events, code.as_bytes(), &|highlight, out: &mut Vec<u8>| {
            out.extend_from_slice(b"class=\"");
            out.extend_from_slice(CAPTURES[highlight.0].1.as_bytes());
            out.push(b'"');
        })
        .ok()?;
    let mut html = String::from_utf8(renderer.html).ok()?;
    if !code.ends_with('\n') && html.ends_with('\n') {
        html.pop();
    }
    Some(html)
}

/// Whether events hold a highlight at all (used by tests).
#[cfg(test)]
fn highlights_any(config: &HighlightConfiguration, code: &str) -> bool {
    let mut highlighter = tree_sitter_highlight::Highlighter::new();
    highlighter
        .highlight(config, code.as_bytes(), None, None, |_| None)
        .map(|events| {
            events
                .flatten()
                .any(|e| matches!(e, tree_sitter_highlight::HighlightEvent::HighlightStart(_)))
        })
        .unwrap_or(false)
}

/// Highlights code blocks; cheap to share by reference across threads.
#[derive(Debug)]
pub struct Highlighter {
    max_bytes: usize,
    engine: Highlighting,
    blocks: Arc<BlockCache>,
}

/// Blocks highlighted by the engines that cost a millisecond or more a
/// block (tree-sitter, syntect), by language and content: a block quoted
/// again in another postmortem, or (shared through watch mode's session)
/// a body edited around an unchanged block, takes its HTML from here.
/// The fast lexer, logs and plain text cost microseconds: they are made
/// again rather than kept. Exact (a hit compares language and code), and
/// bounded: a block that would take the code and HTML kept over
/// [`BlockCache::MAX_BYTES`] first drops every kept block (a long watch
/// session keeps what its recent rebuilds used).
#[derive(Debug)]
pub struct BlockCache {
    blocks: Mutex<KeptBlocks>,
    /// [`BlockCache::MAX_BYTES`], smaller in tests.
    limit: usize,
}

impl Default for BlockCache {
    fn default() -> BlockCache {
        BlockCache {
            blocks: Mutex::default(),
            limit: BlockCache::MAX_BYTES,
        }
    }
}

#[derive(Debug, Default)]
struct KeptBlocks {
    /// By a hash of engine, language and code.
    by_hash: HashMap<u64, Vec<KeptBlock>>,
    /// Bytes of code and HTML kept.
    bytes: usize,
}

#[derive(Debug)]
struct KeptBlock {
    engine: Highlighting,
    language: Box<str>,
    code: Box<str>,
    html: Arc<str>,
}

impl BlockCache {
    /// The most code and HTML kept, in bytes.
    pub const MAX_BYTES: usize = 32 << 20;

    fn key(engine: Highlighting, language: &str, code: &str) -> u64 {
        use std::hash::{Hash, Hasher};
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        (engine as u8, language, code).hash(&mut hasher);
        hasher.finish()
    }

    /// The kept HTML of this block, or `make`'s (kept if there is room).
    fn get_or_make(
        &self,
        engine: Highlighting,
        language: &str,
        code: &str,
        make: impl FnOnce() -> String,
    ) -> String {
        let key = BlockCache::key(engine, language, code);
        let found = |kept: &KeptBlocks| {
            kept.by_hash.get(&key).and_then(|list| {
                list.iter()
                    .find(|b| b.engine == engine && &*b.language == language && &*b.code == code)
                    .map(|b| b.html.clone())
            })
        };
        if let Some(html) = self.blocks.lock().ok().and_then(|kept| found(&kept)) {
            return html.to_string();
        }
        // Made outside the lock: other threads highlight meanwhile.
        let html = make();
        if let Ok(mut kept) = self.blocks.lock() {
            let size = code.len() + html.len();
            if kept.bytes + size > self.limit {
                *kept = KeptBlocks::default();
            }
            if size <= self.limit && found(&kept).is_none() {
                kept.bytes += size;
                kept.by_hash.entry(key).or_default().push(KeptBlock {
                    engine,
                    language: language.into(),
                    code: code.into(),
                    html: html.as_str().into(),
                });
            }
        }
        html
    }

    /// How many blocks are kept.
    pub fn len(&self) -> usize {
        self.blocks
            .lock()
            .map_or(0, |kept| kept.by_hash.values().map(Vec::len).sum())
    }

    /// Whether no block is kept.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl Highlighter {
    /// A highlighter. Blocks over `max_bytes` are shown plain, so one huge
    /// paste cannot stall a build.
    pub fn new(max_bytes: usize) -> Self {
        Highlighter {
            max_bytes,
            engine: Highlighting::Fast,
            blocks: Arc::default(),
        }
    }

    /// The same highlighter keeping its costly blocks in `blocks` (watch
    /// mode shares one between rebuilds).
    pub fn with_blocks(self, blocks: Arc<BlockCache>) -> Self {
        Highlighter { blocks, ..self }
    }

    /// The same highlighter with another engine for the common languages
    /// (`highlighting` in `hindsight.toml`).
    pub fn with_engine(self, engine: Highlighting) -> Self {
        Highlighter { engine, ..self }
    }

    /// The syntect token of a fence language (lower-cased, aliases
    /// resolved), or `None` for the plain-text names.
    fn token(language: &str) -> Option<String> {
        let lower = language.to_ascii_lowercase();
        if PLAIN.contains(&lower.as_str()) {
            return None;
        }
        Some(
            ALIASES
                .iter()
                .find(|(alias, _)| *alias == lower)
                .map_or(lower, |(_, to)| (*to).to_string()),
        )
    }

    fn syntax<'s>(syntaxes: &'s SyntaxSet, language: &str) -> Option<&'s SyntaxReference> {
        let token = Self::token(language)?;
        syntaxes
            .find_syntax_by_token(&token)
            .or_else(|| syntaxes.find_syntax_by_name(language))
            .filter(|s| s.name != "Plain Text")
    }

    /// Whether a fence language gets highlighted.
    pub fn knows(&self, language: &str) -> bool {
        if Self::token(language).is_some_and(|token| {
            lexical::Lang::from_token(&token).is_some() || tree_config(&token).is_some()
        }) {
            return true;
        }
        SYNTAXES.with(|syntaxes| Self::syntax(syntaxes, language).is_some())
    }

    /// The complete `<pre><code>` HTML for a code block. `language` is the
    /// first word of the fence info; unknown languages stay plain (escaped)
    /// text. Never fails: a grammar error falls back to plain text.
    pub fn to_html(&self, language: &str, code: &str) -> String {
        if code.len() > self.max_bytes {
            return plain_html(language, code);
        }
        let Some(token) = Self::token(language) else {
            return plain_html(language, code);
        };
        if token == "log" {
            return highlighted_html(language, &log_html(code));
        }
        if self.engine == Highlighting::Fast
            && let Some(lang) = lexical::Lang::from_token(&token)
        {
            return highlighted_html(language, &lexical::to_html(lang, code));
        }
        let tree = tree_config(&token);
        if tree.is_none() && !SYNTAXES.with(|syntaxes| Self::syntax(syntaxes, language).is_some()) {
            return plain_html(language, code);
        }
        // tree-sitter or syntect: a millisecond or more, kept.
        self.blocks.get_or_make(self.engine, language, code, || {
            let highlighted = match tree {
                Some(config) => tree_highlight(config, code),
                None => syntect_highlight(language, code),
            };
            highlighted.map_or_else(
                || plain_html(language, code),
                |inner| highlighted_html(language, &inner),
            )
        })
    }
}

/// A block shown as plain (escaped) text.
fn plain_html(language: &str, code: &str) -> String {
    let class = if language.is_empty() {
        String::new()
    } else {
        format!(" class=\"language-{}\"", escape_attr(language))
    };
    format!(
        "<pre class=\"code\"><code{class}>{}</code></pre>\n",
        escape_html(code)
    )
}

/// A highlighted block around `inner`, its `<span>`s and escaped text.
/// Its parts joined into one string of the right size: `format!` spent
/// about 7,000 instructions copying a block's 10 KB through its padding
/// machinery.
fn highlighted_html(language: &str, inner: &str) -> String {
    let lang_attr = escape_attr(language);
    let parts = [
        "<pre class=\"code highlighted\" data-lang=\"",
        &lang_attr,
        "\"><code class=\"language-",
        &lang_attr,
        "\">",
        inner,
        "</code></pre>\n",
    ];
    parts.concat()
}

/// Highlights `code` with syntect: the `<span>`s and escaped text inside
/// `<code>`, or `None` when syntect does not know `language` or fails.
fn syntect_highlight(language: &str, code: &str) -> Option<String> {
    SYNTAXES.with(|syntaxes| {
        let syntax = Highlighter::syntax(syntaxes, language)?;
        let mut generator =
            ClassedHTMLGenerator::new_with_class_style(syntax, syntaxes, CLASS_STYLE);
        for line in LinesWithEndings::from(code) {
            generator
                .parse_html_for_line_which_includes_newline(line)
                .ok()?;
        }
        Some(generator.finalize())
    })
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

/// Log levels by the class they are shown with (the classes of syntect's
/// log grammar, which this replaced).
const LOG_LEVELS: &[(&str, &str)] = &[
    ("ALERT", "hl-markup hl-error"),
    ("CRIT", "hl-markup hl-error"),
    ("CRITICAL", "hl-markup hl-error"),
    ("EMERG", "hl-markup hl-error"),
    ("ERR", "hl-markup hl-error"),
    ("ERROR", "hl-markup hl-error"),
    ("FATAL", "hl-markup hl-error"),
    ("PANIC", "hl-markup hl-error"),
    ("WARN", "hl-markup hl-warning"),
    ("WARNING", "hl-markup hl-warning"),
    ("INFO", "hl-markup hl-info"),
    ("NOTICE", "hl-markup hl-info"),
    ("DEBUG", "hl-markup hl-debug"),
    ("TRACE", "hl-markup hl-debug"),
];

/// Highlights a log excerpt in one pass over its words: timestamps and
/// numbers, level words (`ERROR`, `[warn]`, `level=info`) and quoted
/// strings. syntect's log grammar cost about 2 ms per 30-line block (as
/// much as a Rust block) for a result that split timestamps apart; this
/// costs microseconds (issue: "cheap for plain text and logs").
fn log_html(code: &str) -> String {
    let mut out = String::with_capacity(code.len() * 2);
    let span = |out: &mut String, class: &str, text: &str| {
        out.push_str("<span class=\"");
        out.push_str(class);
        out.push_str("\">");
        out.push_str(&escape_html(text));
        out.push_str("</span>");
    };
    let mut rest = code;
    while !rest.is_empty() {
        let space = rest.len() - rest.trim_start().len();
        out.push_str(&rest[..space]);
        rest = &rest[space..];
        let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
        let (word, after) = rest.split_at(end);
        rest = after;
        if word.is_empty() {
            continue;
        }
        // Words such as `[ERROR]`, `level=warn`, `(INFO):` keep their
        // punctuation outside the highlight.
        let core_start = word
            .rfind('=')
            .map_or(0, |i| i + 1)
            .max(word.len() - word.trim_start_matches(['[', '(', '<', '"']).len());
        let core = word[core_start..].trim_end_matches([']', ')', '>', ':', ',', '"', ';']);
        let core_end = core_start + core.len();
        let framed = core_start > 0 || core_end < word.len();
        let level = LOG_LEVELS
            .iter()
            .find(|(name, _)| *name == core || (framed && name.eq_ignore_ascii_case(core)));
        let timestamp = core.starts_with(|c: char| c.is_ascii_digit())
            && core.contains(['-', ':', '/'])
            && core
                .chars()
                .all(|c| c.is_ascii_digit() || "-:./TZ+,".contains(c));
        if let Some((_, class)) = level {
            out.push_str(&escape_html(&word[..core_start]));
            span(&mut out, class, core);
            out.push_str(&escape_html(&word[core_end..]));
        } else if timestamp {
            span(&mut out, "hl-constant hl-numeric hl-timestamp", word);
        } else if word.len() > 1 && word.starts_with('"') && word.ends_with('"') {
            span(&mut out, "hl-string", word);
        } else {
            log_numbers(&mut out, word);
        }
    }
    out
}

/// Writes a log word with its free-standing numbers (`97%`, `search-4`,
/// `14:`, not the digits of `v2` or `0x1f`) highlighted.
fn log_numbers(out: &mut String, word: &str) {
    let bytes = word.as_bytes();
    let mut written = 0;
    let mut i = 0;
    while i < bytes.len() {
        if !bytes[i].is_ascii_digit()
            || (i > 0 && (bytes[i - 1].is_ascii_alphanumeric() || bytes[i - 1] == b'_'))
        {
            i += 1;
            continue;
        }
        let mut end = i;
        while end < bytes.len()
            && (bytes[end].is_ascii_digit()
                || (bytes[end] == b'.' && end + 1 < bytes.len() && bytes[end + 1].is_ascii_digit()))
        {
            end += 1;
        }
        if end < bytes.len() && (bytes[end].is_ascii_alphabetic() || bytes[end] == b'_') {
            i = end;
            continue;
        }
        out.push_str(&escape_html(&word[written..i]));
        out.push_str("<span class=\"hl-constant hl-numeric\">");
        out.push_str(&word[i..end]);
        out.push_str("</span>");
        written = end;
        i = end;
    }
    out.push_str(&escape_html(&word[written..]));
}

/// Escapes text for HTML element content.
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    push_escaped(&mut out, text);
    out
}

/// Appends `text` to `out`, escaped for HTML element content and
/// double-quoted attributes (`&`, `<`, `>`, `"`, `'`).
fn push_escaped(out: &mut String, text: &str) {
    let mut written = 0;
    for (i, byte) in text.bytes().enumerate() {
        let entity = match byte {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&quot;",
            b'\'' => "&#39;",
            _ => continue,
        };
        out.push_str(&text[written..i]);
        out.push_str(entity);
        written = i + 1;
    }
    out.push_str(&text[written..]);
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
    fn every_tree_sitter_grammar_compiles_and_highlights() {
        let samples = [
            ("bash", "kubectl scale deploy/api --replicas=3 # undo\n"),
            ("go", "func main() { x := 1 }\n"),
            ("javascript", "const a = await f(1); // x\n"),
            ("json", "{\"a\": 1}\n"),
            ("python", "def f(x):\n    return 1  # x\n"),
            ("rust", "fn main() { let a = 1; }\n"),
            ("sql", "UPDATE orders SET state = 1 WHERE id > 2;\n"),
            ("toml", "[pool]\nsize = 3\n"),
            ("typescript", "const a: number = await f(1);\n"),
            ("typescriptreact", "const a = <b>{1}</b>;\n"),
            ("yaml", "pool:\n  size: 3\n"),
        ];
        assert_eq!(samples.len(), TREE_LANGUAGES.len());
        for (token, code) in samples {
            let config = tree_config(token).unwrap_or_else(|| panic!("{token}: queries"));
            assert!(highlights_any(config, code), "{token}: no highlight");
        }
    }

    #[test]
    fn costly_blocks_are_kept_by_language_and_code_and_cheap_ones_are_not() {
        let rust = "fn main() {\n    let retries = 3;\n}\n";
        let ruby = "def retry!\n  @count += 1\nend\n";
        let precise = Highlighter::new(64 * 1024).with_engine(Highlighting::Precise);
        let first = precise.to_html("rust", rust);
        assert!(first.contains("hl-"), "{first}");
        assert_eq!(precise.blocks.len(), 1);
        // A hit gives what highlighting again gives.
        assert_eq!(precise.to_html("rust", rust), first);
        assert_eq!(precise.blocks.len(), 1);
        let fresh = Highlighter::new(64 * 1024).with_engine(Highlighting::Precise);
        assert_eq!(fresh.to_html("rust", rust), first);
        // The same code in another language is another block.
        assert_ne!(precise.to_html("rs", rust), first);
        assert_eq!(precise.blocks.len(), 2);

        // The fast lexer, logs, plain text and unknown languages: not kept.
        let fast = Highlighter::new(64 * 1024);
        for (language, code) in [
            ("rust", rust),
            ("log", "ERROR disk full\n"),
            ("text", "plain\n"),
            ("klingon", "Qapla'\n"),
        ] {
            fast.to_html(language, code);
        }
        assert!(fast.blocks.is_empty());
        // syntect (a language the fast lexer lacks): kept in either mode.
        let html = fast.to_html("ruby", ruby);
        assert!(html.contains("hl-"), "{html}");
        assert_eq!(fast.blocks.len(), 1);
        // A block over the size limit stays plain and is not kept.
        let small = Highlighter::new(8).with_engine(Highlighting::Precise);
        assert!(!small.to_html("rust", rust).contains("hl-"));
        assert!(small.blocks.is_empty());
    }

    #[test]
    fn a_full_block_cache_starts_again() {
        let precise = || Highlighter::new(64 * 1024).with_engine(Highlighting::Precise);
        let code = |n: usize| format!("fn f{n}() {{ let x = {n}; }}\n");
        // Room for two of these blocks (each the same size), not three.
        let size = code(1).len() + precise().to_html("rust", &code(1)).len();
        let blocks = Arc::new(BlockCache {
            limit: 2 * size + size / 2,
            ..BlockCache::default()
        });
        let h = precise().with_blocks(blocks.clone());
        h.to_html("rust", &code(1));
        h.to_html("rust", &code(2));
        assert_eq!(blocks.len(), 2);
        // The third would take it over: the kept ones go first.
        h.to_html("rust", &code(3));
        assert_eq!(blocks.len(), 1);
        assert_eq!(
            h.to_html("rust", &code(3)),
            precise().to_html("rust", &code(3))
        );
        assert_eq!(blocks.len(), 1);
    }

    #[test]
    fn both_engines_keep_the_text_and_escape_it() {
        for engine in [Highlighting::Fast, Highlighting::Precise] {
            both_engines_case(Highlighter::new(64 * 1024).with_engine(engine));
        }
    }

    fn both_engines_case(h: Highlighter) {
        let code = "let s = \"<script>\" && 'a'; // é\nlet t = 2;\n";
        let html = h.to_html("rust", code);
        assert!(html.contains("class=\"hl-keyword\""), "{html}");
        assert!(html.contains("class=\"hl-comment\""), "{html}");
        assert!(!html.contains("<script>"), "{html}");
        let inner = html
            .split_once("<code")
            .unwrap()
            .1
            .split_once('>')
            .unwrap()
            .1;
        let inner = inner.strip_suffix("</code></pre>\n").unwrap();
        assert_eq!(visible_text(inner), code, "{html}");
    }

    /// The text a browser shows for `html` (tags dropped, entities decoded).
    pub(super) fn visible_text(html: &str) -> String {
        html.split('<')
            .enumerate()
            .map(|(i, part)| match part.split_once('>') {
                Some((_, text)) if i > 0 => text,
                _ => part,
            })
            .collect::<String>()
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&quot;", "\"")
            .replace("&#39;", "'")
            .replace("&amp;", "&")
    }

    #[test]
    fn log_lines_show_timestamps_levels_and_numbers() {
        let code = "2023-08-09T02:20:03Z ERROR shard 14: disk 97% on search-4 <b>\n[warn] level=info v2 \"a b\"\n";
        let html = log_html(code);
        assert_eq!(
            html,
            "<span class=\"hl-constant hl-numeric hl-timestamp\">2023-08-09T02:20:03Z</span> \
             <span class=\"hl-markup hl-error\">ERROR</span> shard \
             <span class=\"hl-constant hl-numeric\">14</span>: disk \
             <span class=\"hl-constant hl-numeric\">97</span>% on search-\
             <span class=\"hl-constant hl-numeric\">4</span> &lt;b&gt;\n\
             [<span class=\"hl-markup hl-warning\">warn</span>] \
             level=<span class=\"hl-markup hl-info\">info</span> v2 &quot;a b&quot;\n"
        );
        assert_eq!(visible_text(&html), code);
        let odd = "é=[ERROR] 1.2.3 x=\"\" 0x1f [] = 5é\n\t\u{3000}tab";
        assert_eq!(visible_text(&log_html(odd)), odd);
        assert!(
            Highlighter::new(1024)
                .to_html("logs", code)
                .contains("hl-timestamp")
        );
    }

    #[test]
    fn toml_keys_are_highlighted_alone() {
        let html = Highlighter::new(1024).to_html("toml", "[pool]\nsize = 3\n");
        assert!(
            html.contains("<span class=\"hl-entity hl-name hl-type\">pool</span>"),
            "{html}"
        );
        assert!(
            html.contains("<span class=\"hl-variable hl-other hl-member\">size</span> "),
            "{html}"
        );
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
