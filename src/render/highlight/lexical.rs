//! The fast highlighter: one pass over a block's bytes per language, in the
//! manner of highlight.js and Prism (a lexer, not a parser). Comments,
//! strings, numbers, keywords, literal constants, built-in and capitalised
//! types, function names (definitions, calls, Rust macros), keys of JSON,
//! YAML and TOML, shell commands and variables, nginx directives and
//! Dockerfile instructions. About 13 µs for a block of 1 to 2 KB, 25 times
//! cheaper than a tree-sitter parse and its queries (`cargo bench --bench
//! pipeline -- highlight`, docs/PERFORMANCE.md), which remain as
//! `highlighting = "precise"` (docs/configuration.md).
//!
//! Never fails and never panics: every byte of the block is written once,
//! escaped, inside or between spans, and slices are cut only at ASCII
//! bytes (or the end), so at UTF-8 boundaries.

/// A language of the fast highlighter.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Lang {
    Bash,
    Dockerfile,
    Go,
    JavaScript,
    Json,
    Nginx,
    Python,
    Rust,
    Sql,
    Toml,
    TypeScript,
    Yaml,
}

impl Lang {
    /// The language for a fence token (after the aliases of the parent
    /// module), if the fast highlighter knows it.
    pub(super) fn from_token(token: &str) -> Option<Lang> {
        Some(match token {
            "bash" => Lang::Bash,
            "dockerfile" => Lang::Dockerfile,
            "go" => Lang::Go,
            "javascript" => Lang::JavaScript,
            "json" => Lang::Json,
            "nginx" => Lang::Nginx,
            "python" => Lang::Python,
            "rust" => Lang::Rust,
            "sql" => Lang::Sql,
            "toml" => Lang::Toml,
            "typescript" | "typescriptreact" => Lang::TypeScript,
            "yaml" => Lang::Yaml,
            _ => return None,
        })
    }
}

// The classes, the same as the tree-sitter captures of the parent module
// show, so that one `syntax.css` colours both.
const COMMENT: &str = "hl-comment";
const STRING: &str = "hl-string";
const NUMBER: &str = "hl-constant hl-numeric";
const KEYWORD: &str = "hl-keyword";
const CONSTANT: &str = "hl-constant hl-language";
const NAMED_CONSTANT: &str = "hl-constant hl-other";
const BUILTIN_TYPE: &str = "hl-storage hl-type";
const TYPE: &str = "hl-entity hl-name hl-type";
const FUNCTION: &str = "hl-entity hl-name hl-function";
const PROPERTY: &str = "hl-variable hl-other hl-member";
const KEY: &str = "hl-entity hl-name hl-tag";
const ATTRIBUTE: &str = "hl-entity hl-other hl-attribute-name";
const VARIABLE: &str = "hl-variable hl-parameter";
const LABEL: &str = "hl-entity hl-name hl-label";

/// The words and delimiters of a C-like language.
struct Spec {
    line_comments: &'static [&'static str],
    block_comment: Option<(&'static str, &'static str)>,
    /// Quote bytes that open a string; backquotes may span lines.
    quotes: &'static [u8],
    keywords: &'static [&'static str],
    constants: &'static [&'static str],
    builtin_types: &'static [&'static str],
    /// Words after which the next identifier names a function.
    defines_function: &'static [&'static str],
    /// Words after which the next identifier names a type.
    defines_type: &'static [&'static str],
    /// Keywords match in any case (SQL).
    any_case: bool,
    /// `Capitalised` identifiers are types, `ALL_CAPS` ones constants.
    capitalised_types: bool,
}

const RUST: Spec = Spec {
    line_comments: &["//"],
    block_comment: Some(("/*", "*/")),
    quotes: b"\"",
    keywords: &[
        "as", "async", "await", "break", "const", "continue", "crate", "dyn", "else", "enum",
        "extern", "fn", "for", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut",
        "pub", "ref", "return", "self", "Self", "static", "struct", "super", "trait", "type",
        "unsafe", "use", "where", "while",
    ],
    constants: &["true", "false", "None", "Some", "Ok", "Err"],
    builtin_types: &[
        "bool", "char", "f32", "f64", "i8", "i16", "i32", "i64", "i128", "isize", "str", "u8",
        "u16", "u32", "u64", "u128", "usize", "String", "Vec", "Option", "Result", "Box",
    ],
    defines_function: &["fn"],
    defines_type: &["struct", "enum", "trait", "type", "union"],
    any_case: false,
    capitalised_types: true,
};

#[rustfmt::skip]
const GO: Spec = Spec {
    line_comments: &["//"],
    block_comment: Some(("/*", "*/")),
    quotes: b"\"'`",
    keywords: &[
        "break", "case", "chan", "const", "continue", "default", "defer", "else", "fallthrough",
        "for", "func", "go", "goto", "if", "import", "interface", "map", "package", "range",
        "return", "select", "struct", "switch", "type", "var",
    ],
    constants: &["true", "false", "nil", "iota"],
    builtin_types: &[
        "bool", "byte", "complex64", "complex128", "error", "float32", "float64", "int", "int8",
        "int16", "int32", "int64", "rune", "string", "uint", "uint8", "uint16", "uint32", "uint64",
        "uintptr", "any",
    ],
    defines_function: &["func"],
    defines_type: &["type"],
    any_case: false,
    capitalised_types: false,
};

#[rustfmt::skip]
const JAVASCRIPT: Spec = Spec {
    line_comments: &["//"],
    block_comment: Some(("/*", "*/")),
    quotes: b"\"'`",
    keywords: &[
        "async", "await", "break", "case", "catch", "class", "const", "continue", "debugger",
        "default", "delete", "do", "else", "export", "extends", "finally", "for", "from",
        "function", "if", "import", "in", "instanceof", "let", "new", "of", "return", "static",
        "super", "switch", "this", "throw", "try", "typeof", "var", "void", "while", "with",
        "yield",
    ],
    constants: &["true", "false", "null", "undefined", "NaN", "Infinity"],
    builtin_types: &[],
    defines_function: &["function"],
    defines_type: &["class", "extends"],
    any_case: false,
    capitalised_types: true,
};

#[rustfmt::skip]
const TYPESCRIPT: Spec = Spec {
    keywords: &[
        "abstract", "as", "async", "await", "break", "case", "catch", "class", "const", "continue",
        "debugger", "declare", "default", "delete", "do", "else", "enum", "export", "extends",
        "finally", "for", "from", "function", "if", "implements", "import", "in", "instanceof",
        "interface", "keyof", "let", "namespace", "new", "of", "private", "protected", "public",
        "readonly", "return", "satisfies", "static", "super", "switch", "this", "throw", "try",
        "type", "typeof", "var", "void", "while", "with", "yield",
    ],
    builtin_types: &[
        "any", "bigint", "boolean", "never", "number", "object", "string", "symbol", "unknown",
    ],
    defines_type: &[
        "class", "extends", "implements", "interface", "type", "enum",
    ],
    ..JAVASCRIPT
};

#[rustfmt::skip]
const PYTHON: Spec = Spec {
    line_comments: &["#"],
    block_comment: None,
    quotes: b"\"'",
    keywords: &[
        "and", "as", "assert", "async", "await", "break", "class", "continue", "def", "del",
        "elif", "else", "except", "finally", "for", "from", "global", "if", "import", "in", "is",
        "lambda", "nonlocal", "not", "or", "pass", "raise", "return", "try", "while", "with",
        "yield",
    ],
    constants: &["True", "False", "None", "self", "cls"],
    builtin_types: &[
        "bool", "bytes", "dict", "float", "frozenset", "int", "list", "object", "set", "str",
        "tuple",
    ],
    defines_function: &["def"],
    defines_type: &["class"],
    any_case: false,
    capitalised_types: true,
};

const JSON: Spec = Spec {
    line_comments: &["//"],
    block_comment: Some(("/*", "*/")),
    quotes: b"\"",
    keywords: &[],
    constants: &["true", "false", "null"],
    builtin_types: &[],
    defines_function: &[],
    defines_type: &[],
    any_case: false,
    capitalised_types: false,
};

#[rustfmt::skip]
const SQL: Spec = Spec {
    line_comments: &["--"],
    block_comment: Some(("/*", "*/")),
    quotes: b"'",
    keywords: &[
        "add", "all", "alter", "analyze", "and", "as", "asc", "begin", "between", "by", "cascade",
        "case", "check", "column", "commit", "concurrently", "constraint", "create", "cross",
        "database", "default", "delete", "desc", "distinct", "drop", "else", "end", "exists",
        "explain", "foreign", "from", "full", "grant", "group", "having", "if", "in", "index",
        "inner", "insert", "interval", "into", "is", "join", "key", "left", "like", "limit",
        "lock", "not", "offset", "on", "or", "order", "outer", "primary", "references", "rename",
        "returning", "revoke", "right", "rollback", "select", "set", "table", "then", "to",
        "transaction", "truncate", "union", "unique", "update", "using", "vacuum", "values",
        "view", "when", "where", "with",
    ],
    constants: &["null", "true", "false"],
    builtin_types: &[
        "bigint", "bigserial", "blob", "boolean", "bytea", "char", "date", "decimal", "double",
        "float", "int", "integer", "json", "jsonb", "numeric", "real", "serial", "smallint",
        "text", "timestamp", "timestamptz", "uuid", "varchar",
    ],
    defines_function: &[],
    defines_type: &[],
    any_case: true,
    capitalised_types: false,
};

/// Shell words that are keywords rather than commands.
#[rustfmt::skip]
const SHELL_KEYWORDS: &[&str] = &[
    "case", "do", "done", "elif", "else", "esac", "export", "fi", "for", "function", "if", "in",
    "local", "readonly", "return", "select", "then", "time", "until", "while",
];

/// Shell keywords after which a command follows.
const COMMAND_KEYWORDS: &[&str] = &["do", "elif", "else", "if", "then", "time", "until", "while"];

/// Dockerfile instructions (matched in any case at the start of a line).
#[rustfmt::skip]
const DOCKER_INSTRUCTIONS: &[&str] = &[
    "ADD", "ARG", "CMD", "COPY", "ENTRYPOINT", "ENV", "EXPOSE", "FROM", "HEALTHCHECK", "LABEL",
    "MAINTAINER", "ONBUILD", "RUN", "SHELL", "STOPSIGNAL", "USER", "VOLUME", "WORKDIR",
];

/// The inside of `<code>` for a block: escaped text with `<span
/// class="hl-...">` around the tokens found.
pub(super) fn to_html(lang: Lang, code: &str) -> String {
    let mut out = Out {
        code,
        html: String::with_capacity(code.len() * 2),
        written: 0,
    };
    match lang {
        Lang::Rust => scan_code(&mut out, &RUST, lang),
        Lang::Go => scan_code(&mut out, &GO, lang),
        Lang::JavaScript => scan_code(&mut out, &JAVASCRIPT, lang),
        Lang::TypeScript => scan_code(&mut out, &TYPESCRIPT, lang),
        Lang::Python => scan_code(&mut out, &PYTHON, lang),
        Lang::Json => scan_code(&mut out, &JSON, lang),
        Lang::Sql => scan_code(&mut out, &SQL, lang),
        Lang::Bash | Lang::Dockerfile | Lang::Nginx => scan_shell(&mut out, lang),
        Lang::Yaml => scan_yaml(&mut out),
        Lang::Toml => scan_toml(&mut out),
    }
    out.finish()
}

/// The HTML being written: everything before `written` is out.
struct Out<'a> {
    code: &'a str,
    html: String,
    written: usize,
}

impl Out<'_> {
    /// Writes `code[start..end]` as a span of `class` (and the plain text
    /// before it). `start` and `end` are UTF-8 boundaries at or after
    /// `written`.
    fn span(&mut self, start: usize, end: usize, class: &str) {
        if start >= end || start < self.written {
            return;
        }
        super::push_escaped(&mut self.html, &self.code[self.written..start]);
        self.html.push_str("<span class=\"");
        self.html.push_str(class);
        self.html.push_str("\">");
        super::push_escaped(&mut self.html, &self.code[start..end]);
        self.html.push_str("</span>");
        self.written = end;
    }

    fn finish(mut self) -> String {
        super::push_escaped(&mut self.html, &self.code[self.written..]);
        self.html
    }
}

fn is_ident_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_' || b >= 0x80
}

fn is_ident(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b >= 0x80
}

/// Skips blanks and line breaks from `i`: the index of the next other
/// byte, and whether it is the first of its line (`line_start` carries
/// that from call to call).
fn next_token(b: &[u8], mut i: usize, line_start: &mut bool) -> Option<(usize, bool)> {
    while i < b.len() {
        match b[i] {
            b'\n' => *line_start = true,
            b' ' | b'\t' | b'\r' => {}
            _ => return Some((i, std::mem::replace(line_start, false))),
        }
        i += 1;
    }
    None
}

/// The end of the identifier starting at `i`.
fn ident_end(b: &[u8], mut i: usize) -> usize {
    while i < b.len() && is_ident(b[i]) {
        i += 1;
    }
    i
}

/// The end of the line holding `i` (the index of its `\n`, or the end).
fn line_end(b: &[u8], i: usize) -> usize {
    b[i..]
        .iter()
        .position(|&c| c == b'\n')
        .map_or(b.len(), |p| i + p)
}

/// The first byte at or after `i` that is not a space or tab.
fn skip_blanks(b: &[u8], mut i: usize) -> usize {
    while i < b.len() && (b[i] == b' ' || b[i] == b'\t') {
        i += 1;
    }
    i
}

/// The end of the string whose opening quote (`quote`, repeated `width`
/// times: 3 for Python's triple quotes) is at `i`: just past the closing
/// quote, or the end of the line (of the block for backquotes and triple
/// quotes) when it is unterminated. Backslash escapes unless `raw`.
fn string_end(b: &[u8], i: usize, quote: u8, width: usize, raw: bool) -> usize {
    let multiline = quote == b'`' || width == 3;
    let mut j = i + width;
    while j < b.len() {
        let c = b[j];
        if c == b'\\' && !raw {
            j += 2;
            continue;
        }
        if c == b'\n' && !multiline {
            return j;
        }
        if c == quote && b[j..].iter().take(width).all(|&q| q == quote) && j + width <= b.len() {
            return j + width;
        }
        j += 1;
    }
    b.len()
}

/// The end of a number starting at `i` (digits, `_`, one decimal point,
/// an exponent, hex and suffix letters: `0x1f`, `1_000u64`, `2.5e-3`).
fn number_end(b: &[u8], mut i: usize) -> usize {
    let mut seen_point = false;
    while i < b.len() {
        let c = b[i];
        if c.is_ascii_alphanumeric() || c == b'_' {
            if (c == b'e' || c == b'E')
                && i + 1 < b.len()
                && (b[i + 1] == b'+' || b[i + 1] == b'-')
                && i + 2 < b.len()
                && b[i + 2].is_ascii_digit()
            {
                i += 2;
            }
            i += 1;
        } else if c == b'.' && !seen_point && i + 1 < b.len() && b[i + 1].is_ascii_digit() {
            seen_point = true;
            i += 1;
        } else {
            break;
        }
    }
    i
}

/// Whether `word` is one of `words` (in any ASCII case with `any_case`).
/// Length and first byte are compared first: most identifiers differ from
/// every keyword there, without a call to compare bytes.
fn is_word_in(word: &str, words: &[&str], any_case: bool) -> bool {
    let Some(&first) = word.as_bytes().first() else {
        return false;
    };
    if any_case {
        let first = first.to_ascii_lowercase();
        words.iter().any(|w| {
            w.len() == word.len()
                && w.as_bytes()[0].to_ascii_lowercase() == first
                && w.eq_ignore_ascii_case(word)
        })
    } else {
        words
            .iter()
            .any(|w| w.len() == word.len() && w.as_bytes()[0] == first && *w == word)
    }
}

/// Rust, Go, JavaScript, TypeScript, Python, JSON and SQL.
fn scan_code(out: &mut Out<'_>, spec: &Spec, lang: Lang) {
    let code = out.code;
    let b = code.as_bytes();
    let mut i = 0;
    // The previous identifier, for `fn name`, `class Name`.
    let mut previous = "";
    let mut line_start = true;
    while let Some((next, at_line_start)) = next_token(b, i, &mut line_start) {
        i = next;
        let c = b[i];
        let rest = &b[i..];
        if spec
            .line_comments
            .iter()
            .any(|m| rest.starts_with(m.as_bytes()))
        {
            let end = line_end(b, i);
            out.span(i, end, COMMENT);
            i = end;
            continue;
        }
        if let Some((open, close)) = spec.block_comment
            && rest.starts_with(open.as_bytes())
        {
            let from = i + open.len();
            let end = code[from..]
                .find(close)
                .map_or(b.len(), |p| from + p + close.len());
            out.span(i, end, COMMENT);
            i = end;
            continue;
        }
        // (Rust's `'` is not among its quotes: a lifetime or a character, below.)
        if spec.quotes.contains(&c) {
            let width = if lang == Lang::Python && rest.len() >= 3 && rest[1] == c && rest[2] == c {
                3
            } else {
                1
            };
            let end = string_end(b, i, c, width, lang == Lang::Go && c == b'`');
            let class = if lang == Lang::Json && b.get(skip_blanks(b, end)) == Some(&b':') {
                KEY
            } else {
                STRING
            };
            out.span(i, end, class);
            i = end;
            previous = "";
            continue;
        }
        if lang == Lang::Rust && c == b'\'' {
            // `'a'`, `'\n'` are characters; `'a` (no closing quote right
            // after the name) is a lifetime or a label.
            let name_end = ident_end(b, i + 1);
            if name_end > i + 1 && b.get(name_end) != Some(&b'\'') {
                out.span(i, name_end, LABEL);
                i = name_end;
            } else {
                let end = string_end(b, i, b'\'', 1, false);
                out.span(i, end, STRING);
                i = end;
            }
            continue;
        }
        if c.is_ascii_digit() {
            let end = number_end(b, i);
            out.span(i, end, NUMBER);
            i = end;
            continue;
        }
        if is_ident_start(c) {
            let end = ident_end(b, i);
            let word = &code[i..end];
            // String prefixes: Rust's r"..", r#".."#, b"..", Python's
            // f"..", rb'..'.
            if let Some(string) = prefixed_string(b, end, word, lang) {
                out.span(i, string, STRING);
                i = string;
                continue;
            }
            let next = b.get(end).copied();
            let class =
                if lang == Lang::Rust && next == Some(b'!') && !spec.keywords.contains(&word) {
                    out.span(i, end + 1, FUNCTION);
                    i = end + 1;
                    previous = "";
                    continue;
                } else if is_word_in(word, spec.keywords, spec.any_case) {
                    Some(KEYWORD)
                } else if is_word_in(word, spec.constants, spec.any_case) {
                    Some(CONSTANT)
                } else if is_word_in(word, spec.builtin_types, spec.any_case) {
                    Some(BUILTIN_TYPE)
                } else if spec.defines_function.contains(&previous) {
                    Some(FUNCTION)
                } else if spec.defines_type.contains(&previous) {
                    Some(TYPE)
                } else if b.get(skip_blanks(b, end)) == Some(&b'(') && lang != Lang::Json {
                    Some(FUNCTION)
                } else if spec.capitalised_types && c.is_ascii_uppercase() {
                    if word.bytes().any(|x| x.is_ascii_lowercase()) {
                        Some(TYPE)
                    } else if word.len() > 1 {
                        Some(NAMED_CONSTANT)
                    } else {
                        None
                    }
                } else {
                    None
                };
            if let Some(class) = class {
                out.span(i, end, class);
            }
            previous = word;
            i = end;
            continue;
        }
        match c {
            // Python decorators, `@Component` in TypeScript.
            b'@' if matches!(lang, Lang::Python | Lang::TypeScript | Lang::JavaScript) => {
                let end = ident_end(b, i + 1);
                out.span(i, end, ATTRIBUTE);
                i = end.max(i + 1);
            }
            // Rust attributes: `#[derive(Debug)]`, `#![allow(..)]`.
            b'#' if lang == Lang::Rust && at_line_start => {
                let end = line_end(b, i);
                let close = code[i..end].rfind(']').map_or(end, |p| i + p + 1);
                out.span(i, close, ATTRIBUTE);
                i = close;
            }
            _ => {
                // Operators and punctuation stay plain; `.` ends nothing
                // (a method name after it is found by its `(`).
                if c != b'.' {
                    previous = "";
                }
                i += 1;
            }
        }
    }
}

/// The end of a string introduced by a prefix word (`r`, `b`, `br`, `f`,
/// `rb`...) ending at `end`, if `word` is one and a quote follows.
fn prefixed_string(b: &[u8], end: usize, word: &str, lang: Lang) -> Option<usize> {
    let quote = *b.get(end)?;
    match lang {
        Lang::Rust => {
            if !matches!(word, "r" | "b" | "br") {
                return None;
            }
            if word.contains('r') {
                // r"..", r#".."#: the closing quote is followed by as many #.
                let hashes = b[end..].iter().take_while(|&&c| c == b'#').count();
                if b.get(end + hashes) != Some(&b'"') {
                    return None;
                }
                let mut j = end + hashes + 1;
                while j < b.len() {
                    if b[j] == b'"'
                        && b[j + 1..]
                            .iter()
                            .take(hashes)
                            .filter(|&&c| c == b'#')
                            .count()
                            == hashes
                    {
                        return Some(j + 1 + hashes);
                    }
                    j += 1;
                }
                return Some(b.len());
            }
            (quote == b'"' || quote == b'\'').then(|| string_end(b, end, quote, 1, false))
        }
        Lang::Python => {
            if (quote != b'"' && quote != b'\'')
                || word.len() > 2
                || !word
                    .bytes()
                    .all(|c| matches!(c.to_ascii_lowercase(), b'r' | b'b' | b'f' | b'u'))
            {
                return None;
            }
            let width = if b[end..].len() >= 3 && b[end + 1] == quote && b[end + 2] == quote {
                3
            } else {
                1
            };
            let raw = word.bytes().any(|c| c.eq_ignore_ascii_case(&b'r'));
            Some(string_end(b, end, quote, width, raw))
        }
        _ => None,
    }
}

/// Shell words end at blanks and at these.
fn is_shell_break(c: u8) -> bool {
    matches!(
        c,
        b' ' | b'\t'
            | b'\r'
            | b'\n'
            | b';'
            | b'|'
            | b'&'
            | b'('
            | b')'
            | b'<'
            | b'>'
            | b'"'
            | b'\''
            | b'`'
            | b'{'
            | b'}'
    )
}

/// The end of a `$name`, `${...}`, `$1`, `$?` at `i`, or `i` if none.
fn variable_end(b: &[u8], i: usize) -> usize {
    match b.get(i + 1) {
        Some(b'{') => b[i..]
            .iter()
            .position(|&c| c == b'}' || c == b'\n')
            .map_or(
                b.len(),
                |p| if b[i + p] == b'}' { i + p + 1 } else { i + p },
            ),
        Some(&c) if is_ident_start(c) && c < 0x80 => ident_end(b, i + 1),
        Some(c) if c.is_ascii_digit() || b"?#@*$!-".contains(c) => i + 2,
        _ => i,
    }
}

/// Bash, Dockerfile and nginx: words, with the command (the directive, the
/// instruction) of each statement, strings, variables and comments.
fn scan_shell(out: &mut Out<'_>, lang: Lang) {
    let code = out.code;
    if lang != Lang::Bash || !code.lines().any(|line| prompt_end(line).is_some()) {
        scan_shell_range(out, lang, 0, code.len());
        return;
    }
    // A terminal session (`$ cmd`, `user@host:~$ cmd`): the commands after
    // the prompts are shell; the other lines are output, left plain.
    let mut start = 0;
    for line in code.split_inclusive('\n') {
        if let Some(prompt) = prompt_end(line) {
            scan_shell_range(out, lang, start + prompt, start + line.len());
        }
        start += line.len();
    }
}

/// Where the command starts on a line that begins with a shell prompt:
/// `$ `, `% `, or a prompt naming the user or folder (`me@host:~$ `,
/// `root@box:/# `, `~/src$ `).
fn prompt_end(line: &str) -> Option<usize> {
    let end = line.find(['$', '#', '%'])?;
    let (prefix, rest) = line.split_at(end);
    let named = !prefix.is_empty()
        && prefix.contains(['@', ':', '~', '/'])
        && !prefix.contains(char::is_whitespace)
        && !prefix.contains(['"', '\'', '=', '(', '$']);
    let bare = prefix.is_empty() && matches!(rest.as_bytes()[0], b'$' | b'%');
    ((named || bare) && rest[1..].starts_with(' ')).then_some(end + 2)
}

/// [`scan_shell`] over `code[start..end]`, `start` at a line's start or
/// after a prompt.
fn scan_shell_range(out: &mut Out<'_>, lang: Lang, start: usize, end: usize) {
    let code = out.code;
    let b = &code.as_bytes()[..end];
    let mut i = start;
    // Whether the next word starts a command (a statement in nginx).
    let mut command = true;
    let mut line_start = true;
    // Dockerfile: the line is a `RUN` (a shell command line).
    let mut run_line = false;
    // A line continued with a trailing backslash keeps its statement.
    while i < b.len() {
        let c = b[i];
        match c {
            b'\n' => {
                let continued = i > 0 && b[i - 1] == b'\\';
                if !continued {
                    command = true;
                    line_start = true;
                    run_line = false;
                }
                i += 1;
                continue;
            }
            b' ' | b'\t' | b'\r' => {
                i += 1;
                continue;
            }
            _ => {}
        }
        let at_line_start = std::mem::replace(&mut line_start, false);
        match c {
            b'#' => {
                // A comment starts a word (`$#` and `a#b` are not comments);
                // in a Dockerfile only a whole line is one.
                let starts_word = i == 0 || is_shell_break(b[i - 1]);
                if starts_word && (lang != Lang::Dockerfile || at_line_start) {
                    let end = line_end(b, i);
                    out.span(i, end, COMMENT);
                    i = end;
                } else {
                    i += 1;
                }
            }
            b'"' | b'\'' => {
                let end = string_end(b, i, c, 1, c == b'\'' && lang != Lang::Nginx);
                out.span(i, end, STRING);
                i = end;
                command = false;
            }
            b'$' => {
                let end = variable_end(b, i);
                if end > i {
                    out.span(i, end, VARIABLE);
                    i = end;
                } else if b.get(i + 1) == Some(&b'(') {
                    // `$(` opens a command.
                    command = lang != Lang::Dockerfile || run_line;
                    i += 2;
                } else {
                    // A lone `$` (a prompt) changes nothing.
                    i += 1;
                }
            }
            b';' | b'|' | b'&' | b'(' | b'`' | b'{' | b'}' => {
                command = lang != Lang::Dockerfile || run_line;
                i += 1;
            }
            _ if is_shell_break(c) => {
                i += 1;
            }
            _ => {
                let mut end = i;
                while end < b.len() && !is_shell_break(b[end]) && b[end] != b'$' {
                    end += 1;
                }
                let word = &code[i..end];
                let class = shell_word_class(word, lang, command, at_line_start);
                if let Some(class) = class {
                    out.span(i, end, class);
                }
                // After a keyword such as `then` or `do` a command follows;
                // after an assignment (`A=1 cmd`) too.
                if lang == Lang::Dockerfile && class == Some(KEYWORD) {
                    run_line = word.eq_ignore_ascii_case("run");
                }
                command = match class {
                    Some(KEYWORD) => match lang {
                        Lang::Bash => COMMAND_KEYWORDS.contains(&word),
                        _ => run_line,
                    },
                    _ => {
                        command
                            && lang == Lang::Bash
                            && word.contains('=')
                            && !word.starts_with('-')
                    }
                };
                i = end.max(i + 1);
            }
        }
    }
}

/// The class of a shell, Dockerfile or nginx word, if it has one.
fn shell_word_class(
    word: &str,
    lang: Lang,
    command: bool,
    at_line_start: bool,
) -> Option<&'static str> {
    let numeric = word.as_bytes()[0].is_ascii_digit()
        && match lang {
            // nginx sizes and times: 10s, 4k, 1m.
            Lang::Nginx => word
                .trim_end_matches(|c: char| c.is_ascii_alphabetic())
                .bytes()
                .all(|c| c.is_ascii_digit() || c == b'.'),
            _ => word.bytes().all(|c| c.is_ascii_digit() || c == b'.'),
        };
    match lang {
        Lang::Dockerfile if at_line_start && is_word_in(word, DOCKER_INSTRUCTIONS, true) => {
            Some(KEYWORD)
        }
        Lang::Nginx if command => Some(KEYWORD),
        Lang::Bash if SHELL_KEYWORDS.contains(&word) => Some(KEYWORD),
        // A Dockerfile line that starts with no instruction is not a
        // command (a continued `RUN` line does not start a line here).
        Lang::Dockerfile if at_line_start => None,
        Lang::Bash | Lang::Dockerfile if command && !word.contains('=') && !numeric => {
            Some(FUNCTION)
        }
        _ if numeric => Some(NUMBER),
        _ if matches!(word, "on" | "off") && lang == Lang::Nginx => Some(CONSTANT),
        _ => None,
    }
}

/// YAML, line by line: comments, keys (`key:`, `- key:`), quoted strings,
/// numbers and literal constants as values, anchors and aliases; the
/// lines of a block scalar (`key: |`) are one string.
fn scan_yaml(out: &mut Out<'_>) {
    let b = out.code.as_bytes();
    let mut i = 0;
    // The indentation of the line that opened a block scalar.
    let mut block: Option<usize> = None;
    while i < b.len() {
        let end = line_end(b, i);
        let text = skip_blanks(b, i);
        let indent = text - i;
        match block {
            Some(parent) if indent > parent || text == end => {
                out.span(text, end, STRING);
            }
            _ => block = yaml_line(out, i, end).then_some(indent),
        }
        i = end + 1;
    }
}

/// Highlights one line; true if it opens a block scalar.
fn yaml_line(out: &mut Out<'_>, start: usize, end: usize) -> bool {
    let b = out.code.as_bytes();
    let mut i = skip_blanks(b, start);
    // Sequence dashes: `- `, `- - `.
    while i < end && b[i] == b'-' && (i + 1 == end || b[i + 1] == b' ') {
        i = skip_blanks(b, i + 1);
    }
    if i < end && b[i] == b'#' {
        out.span(i, end, COMMENT);
        return false;
    }
    if b[i..end].starts_with(b"---") || b[i..end].starts_with(b"...") {
        return false;
    }
    // A key: a plain or quoted scalar followed by `:` and a blank or the
    // end of the line.
    let key_end = if i < end && (b[i] == b'"' || b[i] == b'\'') {
        string_end(b, i, b[i], 1, b[i] == b'\'')
    } else {
        let mut j = i;
        while j < end
            && !(b[j] == b':' && (j + 1 == end || b[j + 1] == b' ' || b[j + 1] == b'\t'))
            && b[j] != b'#'
        {
            j += 1;
        }
        if j < end && b[j] == b':' { j } else { i }
    };
    let mut value = i;
    if key_end > i && key_end < end && b[key_end] == b':' {
        out.span(i, key_end, PROPERTY);
        value = key_end + 1;
    }
    yaml_value(out, value, end)
}

/// Highlights the value of a line; true if it opens a block scalar.
fn yaml_value(out: &mut Out<'_>, start: usize, end: usize) -> bool {
    let b = out.code.as_bytes();
    let i = skip_blanks(b, start);
    if i >= end {
        return false;
    }
    match b[i] {
        b'#' => out.span(i, end, COMMENT),
        b'"' | b'\'' => {
            let close = string_end(b, i, b[i], 1, b[i] == b'\'').min(end);
            out.span(i, close, STRING);
            yaml_comment(out, close, end);
        }
        b'&' | b'*' => {
            let close = ident_end(b, i + 1);
            out.span(i, close, LABEL);
            return yaml_value(out, close, end);
        }
        b'|' | b'>' => {
            yaml_comment(out, i + 1, end);
            return true;
        }
        b'[' | b'{' => yaml_comment(out, i + 1, end),
        _ => {
            // A plain scalar runs to a ` #` comment or the end.
            let comment = out.code[i..end].find(" #").map_or(end, |p| i + p);
            let scalar = out.code[i..comment].trim_end_matches([' ', '\t', '\r']);
            let scalar_end = i + scalar.len();
            let class = if is_word_in(
                scalar,
                &["true", "false", "null", "yes", "no", "on", "off", "~"],
                true,
            ) {
                CONSTANT
            } else if scalar.starts_with(|c: char| c.is_ascii_digit() || c == '-' || c == '.')
                && scalar
                    .bytes()
                    .all(|c| c.is_ascii_digit() || b"._-+:eE".contains(&c))
                && scalar.bytes().any(|c| c.is_ascii_digit())
            {
                NUMBER
            } else {
                STRING
            };
            out.span(i, scalar_end, class);
            yaml_comment(out, scalar_end, end);
        }
    }
    false
}

/// A trailing ` # comment` between `start` and `end`, if any.
fn yaml_comment(out: &mut Out<'_>, start: usize, end: usize) {
    if let Some(p) = out.code[start..end].find(" #") {
        out.span(start + p + 1, end, COMMENT);
    }
}

/// TOML: table headers, keys, strings, numbers, dates and booleans.
fn scan_toml(out: &mut Out<'_>) {
    let code = out.code;
    let b = code.as_bytes();
    let mut i = 0;
    let mut line_start = true;
    while let Some((next, at_line_start)) = next_token(b, i, &mut line_start) {
        i = next;
        let c = b[i];
        match c {
            b'#' => {
                let end = line_end(b, i);
                out.span(i, end, COMMENT);
                i = end;
            }
            b'[' if at_line_start => {
                // `[table]`, `[[array.of.tables]]`: the names inside.
                let end = line_end(b, i);
                let open = i + b[i..end].iter().take_while(|&&c| c == b'[').count();
                let close = code[open..end].find(']').map_or(end, |p| open + p);
                out.span(open, close, TYPE);
                i = close.max(i + 1);
            }
            b'"' | b'\'' => {
                let width = if b[i..].starts_with(&[c, c, c]) { 3 } else { 1 };
                let end = string_end(b, i, c, width, c == b'\'');
                let key = at_line_start
                    && b.get(skip_blanks(b, end))
                        .is_some_and(|&n| n == b'=' || n == b'.');
                out.span(i, end, if key { PROPERTY } else { STRING });
                i = end;
            }
            _ if at_line_start
                && (is_ident(c) || c == b'-')
                && code[i..line_end(b, i)].contains('=') =>
            {
                // A key (dotted keys whole), up to `=`.
                let eq = i + code[i..].find('=').unwrap_or(0);
                let key = code[i..eq].trim_end_matches([' ', '\t']);
                out.span(i, i + key.len(), PROPERTY);
                i = (i + key.len()).max(i + 1);
            }
            _ if c.is_ascii_digit()
                || ((c == b'-' || c == b'+') && b.get(i + 1).is_some_and(u8::is_ascii_digit)) =>
            {
                // Numbers and dates (1979-05-27T07:32:00Z).
                let mut end = i + 1;
                while end < b.len()
                    && (b[end].is_ascii_alphanumeric() || b"._:-+".contains(&b[end]))
                {
                    end += 1;
                }
                out.span(i, end, NUMBER);
                i = end;
            }
            _ if is_ident_start(c) => {
                let end = ident_end(b, i);
                if matches!(&code[i..end], "true" | "false" | "inf" | "nan") {
                    out.span(i, end, CONSTANT);
                }
                i = end;
            }
            _ => i += 1,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The text a browser shows for `html` (tags dropped, entities decoded).
    fn visible(html: &str) -> String {
        super::super::tests::visible_text(html)
    }

    /// `(class, text)` of every span.
    fn spans(html: &str) -> Vec<(String, String)> {
        html.split("<span class=\"")
            .skip(1)
            .map(|part| {
                let (class, rest) = part.split_once("\">").unwrap();
                let text = rest.split_once("</span>").unwrap().0;
                (class.to_string(), visible(text))
            })
            .collect()
    }

    const ALL: [Lang; 12] = [
        Lang::Bash,
        Lang::Dockerfile,
        Lang::Go,
        Lang::JavaScript,
        Lang::Json,
        Lang::Nginx,
        Lang::Python,
        Lang::Rust,
        Lang::Sql,
        Lang::Toml,
        Lang::TypeScript,
        Lang::Yaml,
    ];

    #[test]
    fn every_language_keeps_every_byte_and_escapes_it() {
        let hostile = [
            "",
            "\"",
            "'",
            "`",
            "r#\"",
            "/*",
            "$",
            "${",
            "#",
            "-",
            "[",
            "[[",
            "\\",
            "é'ü\"ñ`\\\u{3000}$é #x\n\t- é: 'ü\n[é]\né = \"\"\"ñ",
            "<script>alert('x')</script> && a < b > c & \"q\"",
            "0x 1e 1e+ 1.2.3 1.. 9é",
            "'a 'b' '\\'' b'x' r\"x\" br##\"y\"## f'''z''' @ @d #[a] #![b",
            "key: \"v\" # c\n- - x: 'y'\n  &a *b ~ |\n...\n---\n: x",
        ];
        for lang in ALL {
            for code in hostile {
                let html = to_html(lang, code);
                assert_eq!(visible(&html), code, "{lang:?}: {html}");
                assert!(!html.contains("<script"), "{lang:?}: {html}");
                assert!(!html.contains("'x'"), "{lang:?}: quotes escaped: {html}");
            }
        }
    }

    #[test]
    fn random_text_in_every_language_comes_out_whole() {
        // Deterministic pseudo-random blocks over the bytes the lexers
        // branch on, with multi-byte characters among them.
        let alphabet = [
            "\"", "'", "`", "\\", "#", "$", "{", "}", "[", "]", "(", ")", "/", "*", "-", ":", "=",
            "@", "!", "|", "&", ";", "<", ">", ".", "\n", " ", "\t", "r", "b", "f", "a", "0", "9",
            "e", "é", "—", "\u{3000}", "if", "fn", "RUN", "true", "x:", "[[",
        ];
        let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
        for round in 0..3_000 {
            let mut code = String::new();
            for _ in 0..(round % 40) {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                code.push_str(alphabet[(state % alphabet.len() as u64) as usize]);
            }
            for lang in ALL {
                assert_eq!(visible(&to_html(lang, &code)), code, "{lang:?}");
            }
        }
    }

    /// Each case: a language, a block, the spans it must show and texts
    /// that must stay unstyled.
    type Case = (
        Lang,
        &'static str,
        &'static [(&'static str, &'static str)],
        &'static [&'static str],
    );

    #[rustfmt::skip]
    const CASES: &[Case] = &[
        (
            Lang::Rust,
            "#[derive(Debug)]\nfn drain(pool: &mut Pool<'a>) -> u64 { let n = 1_000u64; println!(\"{n}\"); 'x' } // done\n",
            &[
                (ATTRIBUTE, "#[derive(Debug)]"), (KEYWORD, "fn"), (FUNCTION, "drain"),
                (TYPE, "Pool"), (LABEL, "'a"), (BUILTIN_TYPE, "u64"), (NUMBER, "1_000u64"),
                (FUNCTION, "println!"), (STRING, "\"{n}\""), (STRING, "'x'"),
                (COMMENT, "// done"),
            ],
            &["pool", "n"],
        ),
        (
            Lang::Go,
            "func main() {\n\tx := raw(`a\nb`, nil) /* c */\n}\n",
            &[(FUNCTION, "main"), (STRING, "`a\nb`"), (CONSTANT, "nil"), (COMMENT, "/* c */")],
            &["x"],
        ),
        (
            Lang::TypeScript,
            "const a: number = await fetch(`x ${y}`); // z\n",
            &[
                (KEYWORD, "const"), (BUILTIN_TYPE, "number"), (FUNCTION, "fetch"),
                (STRING, "`x ${y}`"), (COMMENT, "// z"),
            ],
            &["a"],
        ),
        (
            Lang::Python,
            "@retry\ndef drain(q, n=3):\n    \"\"\"Doc\n    string\"\"\"\n    return f'{q}' # x\nMAX = None\n",
            &[
                (ATTRIBUTE, "@retry"), (FUNCTION, "drain"), (STRING, "\"\"\"Doc\n    string\"\"\""),
                (STRING, "f'{q}'"), (COMMENT, "# x"), (NUMBER, "3"), (NAMED_CONSTANT, "MAX"),
                (CONSTANT, "None"),
            ],
            &["q"],
        ),
        (
            Lang::Json,
            "{\"a\": {\"b\": [1.5e3, true, \"c\"]}}\n",
            &[(KEY, "\"a\""), (STRING, "\"c\""), (NUMBER, "1.5e3"), (CONSTANT, "true")],
            &[],
        ),
        (
            Lang::Yaml,
            "consumer:\n  max_attempts: 3 # retries\n  - name: \"a: b\"\n    url: http://x:80/y\n    on: true\n    script: |\n      a: b\n",
            &[
                (PROPERTY, "consumer"), (PROPERTY, "max_attempts"), (NUMBER, "3"),
                (COMMENT, "# retries"), (STRING, "\"a: b\""), (STRING, "http://x:80/y"),
                (CONSTANT, "true"), (STRING, "a: b"),
            ],
            &["a"],
        ),
        (
            Lang::Toml,
            "[pool]\nsize = 3 # x\nname = 'a'\nwhen = 1979-05-27T07:32:00Z\n[[b.c]]\n",
            &[
                (TYPE, "pool"), (TYPE, "b.c"), (PROPERTY, "size"), (NUMBER, "3"),
                (STRING, "'a'"), (NUMBER, "1979-05-27T07:32:00Z"), (COMMENT, "# x"),
            ],
            &[],
        ),
        (
            Lang::Sql,
            "UPDATE orders SET n = count(*) WHERE id > 2 AND s = 'x'; -- c\n",
            &[
                (KEYWORD, "UPDATE"), (KEYWORD, "AND"), (FUNCTION, "count"), (STRING, "'x'"),
                (COMMENT, "-- c"),
            ],
            &["orders"],
        ),
        (
            Lang::Bash,
            "kubectl -n prod scale deploy/api --replicas=3 # undo\nif [ \"$X\" ]; then echo ${Y} $(date) 'a$b'; fi\nA=1 make test\n",
            &[
                (FUNCTION, "kubectl"), (COMMENT, "# undo"), (KEYWORD, "if"), (STRING, "\"$X\""),
                (FUNCTION, "echo"), (VARIABLE, "${Y}"), (FUNCTION, "date"), (STRING, "'a$b'"),
                (FUNCTION, "make"),
            ],
            &["scale", "prod"],
        ),
        (
            // A terminal session: the commands after prompts, not the output.
            Lang::Bash,
            "me@box:~$ docker ps\nCONTAINER ID  IMAGE\n14.04: Pulling\n$ echo $HOME # x\nroot@box:/# ls\n",
            &[
                (FUNCTION, "docker"), (FUNCTION, "echo"), (FUNCTION, "ls"), (VARIABLE, "$HOME"),
                (COMMENT, "# x"),
            ],
            &["CONTAINER", "14.04:", "14.04", "me@box:~"],
        ),
        (
            Lang::Dockerfile,
            "# base\nFROM debian:12\nRUN apt-get install -y curl && echo $HOME\n",
            &[
                (COMMENT, "# base"), (KEYWORD, "FROM"), (KEYWORD, "RUN"), (FUNCTION, "apt-get"),
                (FUNCTION, "echo"), (VARIABLE, "$HOME"),
            ],
            &["debian:12", "install"],
        ),
        (
            // Not a Dockerfile at all (YAML under a `docker` fence).
            Lang::Dockerfile,
            "judges:\n - {id: a}\n",
            &[],
            &["judges:", "id:"],
        ),
        (
            Lang::Nginx,
            "location /api {\n    proxy_read_timeout 60s; # x\n    gzip on;\n}\n",
            &[
                (KEYWORD, "location"), (KEYWORD, "proxy_read_timeout"), (NUMBER, "60s"),
                (CONSTANT, "on"), (COMMENT, "# x"),
            ],
            &["/api"],
        ),
    ];

    #[test]
    fn each_language_shows_its_tokens() {
        for (lang, code, shown, plain) in CASES {
            let html = to_html(*lang, code);
            let found = spans(&html);
            for (class, text) in *shown {
                assert!(
                    found.iter().any(|(c, t)| c == class && t == text),
                    "{lang:?}: no {class:?} span {text:?} in {html}"
                );
            }
            for text in *plain {
                assert!(
                    !found.iter().any(|(_, t)| t == text),
                    "{lang:?}: {text:?} should stay plain in {html}"
                );
            }
        }
    }
}
