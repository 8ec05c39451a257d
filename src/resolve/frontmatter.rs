//! Frontmatter parsing into a small tree that keeps every value's position
//! in the file, so that schema errors point at the file's line and column
//! (not the block's).
//!
//! YAML is read from the events of granit-parser, the parser under
//! serde-saphyr (re-exported by it), each event's span giving positions;
//! TOML with the `toml` crate's spanned document tree. (serde-saphyr's
//! `Spanned` wrapper did the YAML side before: its per-value struct
//! machinery cost more than the parsing itself.)

use serde_saphyr::granit_parser;

use crate::config::position_of;
use crate::diagnostics::Position;
use crate::load::{FrontmatterBlock, FrontmatterFormat};

/// A frontmatter value.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// `null`, `~` or an empty value.
    Null,
    /// `true` / `false`.
    Bool(bool),
    /// An integer.
    Int(i64),
    /// A float.
    Float(f64),
    /// A string (and, in TOML, a datetime as written).
    Str(String),
    /// A list.
    Seq(Vec<Node>),
    /// A mapping, in file order.
    Map(Vec<(Key, Node)>),
}

/// A value and where it stands in the file.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    /// The value.
    pub value: Value,
    /// 1-based position in the file.
    pub position: Position,
}

/// A mapping key and where it stands in the file.
#[derive(Debug, Clone, PartialEq)]
pub struct Key {
    /// The key as text.
    pub name: String,
    /// 1-based position in the file.
    pub position: Position,
}

impl Value {
    /// A short name of the value's type, for messages.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "a boolean",
            Value::Int(_) => "an integer",
            Value::Float(_) => "a number",
            Value::Str(_) => "a string",
            Value::Seq(_) => "a list",
            Value::Map(_) => "a mapping",
        }
    }

    /// The value as text when it is a scalar. YAML 1.1 typing traps are
    /// undone here: `title: 404`, `severity: 1` and `status: no` are text
    /// where text is expected.
    pub fn as_text(&self) -> Option<String> {
        match self {
            Value::Str(s) => Some(s.clone()),
            Value::Int(i) => Some(i.to_string()),
            Value::Float(f) => Some(f.to_string()),
            Value::Bool(b) => Some(b.to_string()),
            Value::Null | Value::Seq(_) | Value::Map(_) => None,
        }
    }
}

/// A frontmatter block that does not parse: the parser's message and where.
#[derive(Debug, Clone, PartialEq)]
pub struct SyntaxError {
    /// The parser's message, one line.
    pub message: String,
    /// 1-based position in the file.
    pub position: Position,
}

/// Parses a frontmatter block into a mapping node.
///
/// An empty block is an empty mapping. A block whose top level is not a
/// mapping is a syntax error at its first line.
pub fn parse(block: &FrontmatterBlock) -> Result<Node, SyntaxError> {
    let offset = block.first_line.saturating_sub(1);
    let node = match block.format {
        FrontmatterFormat::Yaml => parse_yaml(&block.text, offset)?,
        FrontmatterFormat::Toml => parse_toml(&block.text, offset)?,
    };
    match node.value {
        Value::Map(_) => Ok(node),
        Value::Null => Ok(Node {
            value: Value::Map(Vec::new()),
            position: node.position,
        }),
        ref other => Err(SyntaxError {
            message: format!(
                "the frontmatter must be a mapping of keys to values, not {}",
                other.type_name()
            ),
            position: Position::new(block.first_line, 1),
        }),
    }
}

fn shift(line: u64, column: u64, offset: u32) -> Position {
    Position::new((line as u32).max(1) + offset, (column as u32).max(1))
}

/// The most nodes a YAML block may produce, aliases expanded: a billion
/// laughs (aliases of aliases) stops here instead of filling the memory.
const MAX_YAML_NODES: usize = 100_000;
/// The deepest nesting of lists and mappings a YAML block may hold.
const MAX_YAML_DEPTH: usize = 64;

fn parse_yaml(text: &str, offset: u32) -> Result<Node, SyntaxError> {
    if text.trim().is_empty() {
        return Ok(Node {
            value: Value::Null,
            position: Position::new(offset + 1, 1),
        });
    }
    let mut tree = YamlTree::default();
    let mut parser = granit_parser::Parser::new_from_str(text);
    while let Some(event) = parser.next_event() {
        let (event, span) = event.map_err(|e| {
            let marker = e.marker();
            SyntaxError {
                message: format!("invalid YAML: {}", e.info().lines().next().unwrap_or("")),
                position: shift(marker.line() as u64, marker.col() as u64 + 1, offset),
            }
        })?;
        let position = shift(
            span.start.line() as u64,
            span.start.col() as u64 + 1,
            offset,
        );
        tree.event(event, position).map_err(|message| SyntaxError {
            message: format!("invalid YAML: {message}"),
            position,
        })?;
    }
    Ok(tree.root.unwrap_or(Node {
        value: Value::Null,
        position: Position::new(offset + 1, 1),
    }))
}

/// Builds the [`Node`] tree from the YAML parser's events (granit-parser,
/// the parser under serde-saphyr), positions included.
///
/// Scalars are typed as serde-saphyr types an untyped value: YAML 1.2
/// core schema, with YAML 1.1 booleans (`yes`, `off`); `!!str` and `!`
/// keep text. Merge keys (`<<`) merge; a repeated key is an error.
#[derive(Default)]
struct YamlTree {
    /// Open lists and mappings, innermost last.
    open: Vec<Open>,
    /// Anchored nodes by anchor id, with their node counts.
    anchors: std::collections::HashMap<usize, (Node, usize)>,
    /// Nodes made so far, aliases expanded ([`MAX_YAML_NODES`]).
    nodes: usize,
    /// The first document's value.
    root: Option<Node>,
    /// Documents started.
    documents: usize,
}

/// A list or mapping being read.
struct Open {
    position: Position,
    anchor: usize,
    /// Nodes made before it opened (its own count is the difference).
    nodes_before: usize,
    kind: OpenKind,
}

enum OpenKind {
    Seq(Vec<Node>),
    Map {
        entries: Vec<(Key, Node)>,
        /// The names of `entries`, for the repeated-key check.
        names: KeyNames,
        /// Entries from merge keys, first source first, and their names.
        merged: Vec<(Key, Node)>,
        merged_names: std::collections::HashSet<String>,
        /// The key read, waiting for its value (`true`: a merge key).
        key: Option<(Key, bool)>,
    },
}

impl YamlTree {
    fn event(&mut self, event: granit_parser::Event<'_>, position: Position) -> Result<(), String> {
        use granit_parser::Event;
        match event {
            Event::DocumentStart(..) => {
                self.documents += 1;
                if self.documents > 1 {
                    return Err("the frontmatter holds more than one YAML document".into());
                }
            }
            Event::Scalar(text, style, anchor, tag) => {
                let merge_key =
                    style == granit_parser::ScalarStyle::Plain && tag.is_none() && text == "<<";
                let value = scalar_value(text, style, tag.as_deref());
                self.count(1)?;
                self.close(Node { value, position }, anchor, 1, merge_key)?;
            }
            Event::SequenceStart(_, anchor, _) => {
                self.open(position, anchor, OpenKind::Seq(Vec::new()))?
            }
            Event::MappingStart(_, anchor, _) => self.open(
                position,
                anchor,
                OpenKind::Map {
                    entries: Vec::new(),
                    names: KeyNames::default(),
                    merged: Vec::new(),
                    merged_names: std::collections::HashSet::new(),
                    key: None,
                },
            )?,
            Event::SequenceEnd | Event::MappingEnd => {
                let Some(open) = self.open.pop() else {
                    return Ok(());
                };
                let value = match open.kind {
                    OpenKind::Seq(items) => Value::Seq(items),
                    OpenKind::Map {
                        mut entries,
                        mut names,
                        merged,
                        ..
                    } => {
                        for (key, node) in merged {
                            if !names.contains(&entries, &key.name) {
                                entries.push((key, node));
                            }
                        }
                        Value::Map(entries)
                    }
                };
                let size = self.nodes - open.nodes_before;
                let node = Node {
                    value,
                    position: open.position,
                };
                self.close(node, open.anchor, size, false)?;
            }
            Event::Alias(id) => {
                let Some(&(_, size)) = self.anchors.get(&id) else {
                    return Err("an alias names no anchor".into());
                };
                self.count(size)?;
                let mut node = self.anchors[&id].0.clone();
                node.position = position;
                self.close(node, 0, size, false)?;
            }
            _ => {}
        }
        Ok(())
    }

    /// Counts `n` more nodes against [`MAX_YAML_NODES`].
    fn count(&mut self, n: usize) -> Result<(), String> {
        self.nodes = self.nodes.saturating_add(n);
        if self.nodes > MAX_YAML_NODES {
            return Err(format!(
                "more than {MAX_YAML_NODES} values once aliases are expanded"
            ));
        }
        Ok(())
    }

    fn open(&mut self, position: Position, anchor: usize, kind: OpenKind) -> Result<(), String> {
        if self.open.len() >= MAX_YAML_DEPTH {
            return Err(format!(
                "lists and mappings nest more than {MAX_YAML_DEPTH} deep"
            ));
        }
        self.count(1)?;
        self.open.push(Open {
            position,
            anchor,
            nodes_before: self.nodes - 1,
            kind,
        });
        Ok(())
    }

    /// Hands a finished node (`size` nodes in all) to the list or mapping
    /// it stands in, or makes it the document's value. `merge_key`: the
    /// node is a plain `<<`.
    fn close(
        &mut self,
        node: Node,
        anchor: usize,
        size: usize,
        merge_key: bool,
    ) -> Result<(), String> {
        if anchor != 0 {
            self.anchors.insert(anchor, (node.clone(), size));
        }
        let Some(parent) = self.open.last_mut() else {
            if self.root.is_none() {
                self.root = Some(node);
            }
            return Ok(());
        };
        match &mut parent.kind {
            OpenKind::Seq(items) => items.push(node),
            OpenKind::Map {
                entries,
                names,
                merged,
                merged_names,
                key,
            } => match key.take() {
                None => {
                    let merge = merge_key;
                    let key_name = match node.value {
                        Value::Str(s) => s,
                        Value::Int(i) => i.to_string(),
                        Value::Float(f) => f.to_string(),
                        Value::Bool(b) => b.to_string(),
                        Value::Null => "null".to_string(),
                        Value::Seq(_) | Value::Map(_) => "<complex key>".to_string(),
                    };
                    if !merge && names.contains(entries, &key_name) {
                        return Err(format!("duplicate mapping key `{key_name}`"));
                    }
                    *key = Some((
                        Key {
                            name: key_name,
                            position: node.position,
                        },
                        merge,
                    ));
                }
                Some((key, false)) => {
                    names.added(&key.name);
                    entries.push((key, node));
                }
                Some((_, true)) => {
                    let sources = match node.value {
                        Value::Map(map) => vec![map],
                        Value::Seq(items) => items
                            .into_iter()
                            .map(|item| match item.value {
                                Value::Map(map) => Ok(map),
                                _ => Err("a merge key (`<<`) takes mappings only".to_string()),
                            })
                            .collect::<Result<_, _>>()?,
                        _ => return Err("a merge key (`<<`) takes mappings only".into()),
                    };
                    for (key, node) in sources.into_iter().flatten() {
                        if merged_names.insert(key.name.clone()) {
                            merged.push((key, node));
                        }
                    }
                }
            },
        }
        Ok(())
    }
}

/// The key names of a mapping being read, for the repeated-key check:
/// a scan of the few keys most mappings have, a hash set once there are
/// many, so that checking every key stays linear in the mapping's size.
#[derive(Default)]
struct KeyNames(Option<std::collections::HashSet<String>>);

impl KeyNames {
    /// Mappings with fewer entries are scanned.
    const SCAN: usize = 16;

    /// Whether `entries` (the mapping's entries so far, each passed to
    /// [`KeyNames::added`]) hold a key `name`.
    fn contains(&mut self, entries: &[(Key, Node)], name: &str) -> bool {
        if entries.len() < Self::SCAN {
            return entries.iter().any(|(k, _)| k.name == name);
        }
        self.0
            .get_or_insert_with(|| entries.iter().map(|(k, _)| k.name.clone()).collect())
            .contains(name)
    }

    /// Records a key added to the entries.
    fn added(&mut self, name: &str) {
        if let Some(set) = &mut self.0 {
            set.insert(name.to_string());
        }
    }
}

/// A scalar's value: a plain, untagged scalar is typed (null, YAML 1.1
/// boolean, integer, float, else text); a quoted or block scalar, or one
/// tagged `!!str` or `!`, is text. A non-finite float (`.inf`, `1e999`)
/// stays text.
fn scalar_value(
    text: std::borrow::Cow<'_, str>,
    style: granit_parser::ScalarStyle,
    tag: Option<&granit_parser::Tag>,
) -> Value {
    let string_tag = tag.is_some_and(|t| t.is_yaml_core_schema_tag("str") || t.original() == "!");
    if tag.is_some_and(|t| t.is_yaml_core_schema_tag("null")) {
        return Value::Null;
    }
    if style != granit_parser::ScalarStyle::Plain || string_tag {
        return Value::Str(text.into_owned());
    }
    plain_scalar(&text).unwrap_or_else(|| Value::Str(text.into_owned()))
}

/// A plain scalar's type, or `None` for text.
fn plain_scalar(text: &str) -> Option<Value> {
    if matches!(text, "" | "~" | "null" | "Null" | "NULL") {
        return Some(Value::Null);
    }
    let t = text.trim_matches([' ', '\t', '\r', '\n']);
    // Only a scalar starting with a sign, digit, dot or letter of a
    // boolean can be anything but text: most text stops here.
    let first = *t.as_bytes().first()?;
    if !(first.is_ascii_digit()
        || matches!(first, b'+' | b'-' | b'.')
        || first.is_ascii_alphabetic())
    {
        return None;
    }
    for (word, value) in [
        ("true", true),
        ("yes", true),
        ("y", true),
        ("on", true),
        ("false", false),
        ("no", false),
        ("n", false),
        ("off", false),
    ] {
        if t.eq_ignore_ascii_case(word) {
            return Some(Value::Bool(value));
        }
    }
    if let Some(int) = yaml_int(t) {
        return Some(match i64::try_from(int) {
            Ok(i) => Value::Int(i),
            Err(_) => Value::Float(int as f64),
        });
    }
    // Rust's float syntax, finite, and starting like a number: `inf` and
    // `nan` are text.
    let unsigned = t.strip_prefix(['+', '-']).unwrap_or(t);
    let numeric = unsigned
        .as_bytes()
        .first()
        .is_some_and(|b| b.is_ascii_digit() || *b == b'.');
    if !numeric {
        return None;
    }
    let float = t.parse::<f64>().ok().filter(|f| f.is_finite())?;
    Some(Value::Float(float))
}

/// A YAML 1.2 integer: optional sign, then decimal digits without a
/// leading zero, or `0x`, `0o`, `0b` digits; `_` between digits. Beyond
/// `i128`, `None`.
fn yaml_int(t: &str) -> Option<i128> {
    let (negative, rest) = match t.as_bytes().first() {
        Some(b'-') => (true, &t[1..]),
        Some(b'+') => (false, &t[1..]),
        _ => (false, t),
    };
    if negative && !rest.as_bytes().first().is_some_and(u8::is_ascii_digit) {
        return None;
    }
    let prefixed = |p: &str| {
        rest.get(..2)
            .filter(|head| head.eq_ignore_ascii_case(p))
            .map(|_| &rest[2..])
    };
    let (radix, digits) = if let Some(d) = prefixed("0x") {
        (16, d)
    } else if let Some(d) = prefixed("0o") {
        (8, d)
    } else if let Some(d) = prefixed("0b") {
        (2, d)
    } else {
        if rest.starts_with('0') && rest != "0" {
            return None;
        }
        (10, rest)
    };
    let bytes = digits.as_bytes();
    let mut value: i128 = 0;
    let mut any = false;
    for (i, &b) in bytes.iter().enumerate() {
        if b == b'_' {
            let between =
                i > 0 && bytes[i - 1] != b'_' && bytes.get(i + 1).is_some_and(|n| *n != b'_');
            if !between {
                return None;
            }
            continue;
        }
        let digit = (b as char).to_digit(radix)?;
        value = value
            .checked_mul(i128::from(radix))?
            .checked_add(i128::from(digit))?;
        any = true;
    }
    any.then_some(if negative { -value } else { value })
}

fn parse_toml(text: &str, offset: u32) -> Result<Node, SyntaxError> {
    let table = toml::de::DeTable::parse(text).map_err(|e| {
        let position = e
            .span()
            .map(|span| position_of(text, span.start))
            .unwrap_or(Position::new(1, 1));
        SyntaxError {
            message: e
                .message()
                .lines()
                .next()
                .unwrap_or("invalid TOML")
                .to_string(),
            position: Position::new(position.line + offset, position.column),
        }
    })?;
    let position = Position::new(offset + 1, 1);
    Ok(Node {
        value: toml_table(table.get_ref(), text, offset),
        position,
    })
}

fn toml_table(table: &toml::de::DeTable<'_>, text: &str, offset: u32) -> Value {
    let mut entries: Vec<(Key, Node)> = table
        .iter()
        .map(|(key, value)| {
            (
                Key {
                    name: key.get_ref().to_string(),
                    position: toml_position(text, key.span().start, offset),
                },
                toml_node(value, text, offset),
            )
        })
        .collect();
    entries.sort_by_key(|(key, _)| key.position);
    Value::Map(entries)
}

fn toml_node(value: &toml::Spanned<toml::de::DeValue<'_>>, text: &str, offset: u32) -> Node {
    use toml::de::DeValue;
    let position = toml_position(text, value.span().start, offset);
    let value = match value.get_ref() {
        DeValue::String(s) => Value::Str(s.to_string()),
        DeValue::Integer(i) => i64::from_str_radix(&i.as_str().replace('_', ""), i.radix())
            .map(Value::Int)
            .unwrap_or_else(|_| Value::Str(i.as_str().to_string())),
        DeValue::Float(f) => f
            .as_str()
            .replace('_', "")
            .parse()
            .map(Value::Float)
            .unwrap_or(Value::Null),
        DeValue::Boolean(b) => Value::Bool(*b),
        DeValue::Datetime(d) => Value::Str(d.to_string()),
        DeValue::Array(items) => Value::Seq(
            items
                .iter()
                .map(|item| toml_node(item, text, offset))
                .collect(),
        ),
        DeValue::Table(table) => toml_table(table, text, offset),
    };
    Node { value, position }
}

fn toml_position(text: &str, byte: usize, offset: u32) -> Position {
    let p = position_of(text, byte);
    Position::new(p.line + offset, p.column)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn yaml(text: &str, first_line: u32) -> Result<Node, SyntaxError> {
        parse(&FrontmatterBlock {
            format: FrontmatterFormat::Yaml,
            text: text.into(),
            first_line,
        })
    }

    fn entries(node: &Node) -> &[(Key, Node)] {
        match &node.value {
            Value::Map(entries) => entries,
            _ => panic!("not a map"),
        }
    }

    #[test]
    fn yaml_positions_are_in_file_lines() {
        let node = yaml(
            "title: Outage\nimpact:\n  started_at: 2024-03-01T10:00:00Z\n",
            2,
        )
        .unwrap();
        let e = entries(&node);
        assert_eq!(e[0].0.name, "title");
        assert_eq!(e[0].0.position, Position::new(2, 1));
        assert_eq!(e[0].1.position, Position::new(2, 8));
        let inner = entries(&e[1].1);
        assert_eq!(inner[0].0.position.line, 4);
        assert_eq!(inner[0].1.value, Value::Str("2024-03-01T10:00:00Z".into()));
    }

    #[test]
    fn yaml_typing_traps_come_back_as_text() {
        let node = yaml("title: 404\nseverity: 1\nowner: no\ndate: 2024-03-01\n", 2).unwrap();
        let texts: Vec<String> = entries(&node)
            .iter()
            .map(|(_, v)| v.value.as_text().unwrap())
            .collect();
        assert_eq!(texts[0], "404");
        assert_eq!(texts[1], "1");
        assert!(texts[2] == "no" || texts[2] == "false");
        assert_eq!(texts[3], "2024-03-01");
    }

    #[test]
    fn yaml_syntax_error_points_into_the_file() {
        let err = yaml("title: a\nseverity: [SEV1\n", 2).unwrap_err();
        assert!(err.position.line >= 3, "{err:?}");
    }

    #[test]
    fn toml_positions_and_values() {
        let node = parse(&FrontmatterBlock {
            format: FrontmatterFormat::Toml,
            text: "title = \"A\"\nseverity = 2\n[impact]\nstarted_at = 2024-03-01T10:00:00Z\n"
                .into(),
            first_line: 2,
        })
        .unwrap();
        let e = entries(&node);
        assert_eq!(e[0].0.name, "title");
        assert_eq!(e[1].1.value, Value::Int(2));
        assert_eq!(e[1].0.position, Position::new(3, 1));
        let inner = entries(&e[2].1);
        assert_eq!(inner[0].1.value, Value::Str("2024-03-01T10:00:00Z".into()));
        assert_eq!(inner[0].0.position.line, 5);
    }

    #[test]
    fn yaml_scalars_are_typed_as_serde_saphyr_types_untyped_values() {
        let node = yaml(
            "a: ~\nb: yes\nc: Off\nd: -12\ne: 0x1F\nf: 1_000\ng: 1.5\nh: 007\n\
             i: '12'\nj: !!str 12\nk: .inf\nl: nan\nm: 10:00\nn: 2024-03-01\n\
             o: 99999999999999999999\n",
            2,
        )
        .unwrap();
        let values: Vec<Value> = entries(&node)
            .iter()
            .map(|(_, v)| v.value.clone())
            .collect();
        assert_eq!(
            values,
            [
                Value::Null,
                Value::Bool(true),
                Value::Bool(false),
                Value::Int(-12),
                Value::Int(31),
                Value::Int(1000),
                Value::Float(1.5),
                // A leading zero is not an integer; Rust's float syntax
                // takes it.
                Value::Float(7.0),
                Value::Str("12".into()),
                Value::Str("12".into()),
                // Non-finite floats stay as written.
                Value::Str(".inf".into()),
                Value::Str("nan".into()),
                Value::Str("10:00".into()),
                Value::Str("2024-03-01".into()),
                Value::Float(99999999999999999999.0),
            ]
        );
    }

    #[test]
    fn yaml_aliases_and_merge_keys_expand_with_the_alias_position() {
        let node = yaml(
            "base: &b\n  started_at: 2024-03-01\n  owner: a\nimpact:\n  <<: *b\n  owner: b\nservices: &s [api]\ntags: *s\n",
            2,
        )
        .unwrap();
        let e = entries(&node);
        let impact: Vec<(&str, &Value)> = entries(&e[1].1)
            .iter()
            .map(|(k, v)| (k.name.as_str(), &v.value))
            .collect();
        assert_eq!(
            impact,
            [
                ("owner", &Value::Str("b".into())),
                ("started_at", &Value::Str("2024-03-01".into())),
            ],
            "explicit keys win over merged ones"
        );
        assert_eq!(e[3].1.value, e[2].1.value);
        assert_eq!(e[3].1.position, Position::new(9, 7), "where the alias is");
    }

    #[test]
    fn yaml_duplicate_keys_deep_nesting_and_alias_bombs_are_errors() {
        let duplicate = yaml("title: a\ntitle: b\n", 2).unwrap_err();
        assert_eq!(duplicate.position, Position::new(3, 1));
        assert!(duplicate.message.contains("duplicate mapping key `title`"));

        let deep = format!("x: {}1{}\n", "[".repeat(100), "]".repeat(100));
        assert!(
            yaml(&deep, 2)
                .unwrap_err()
                .message
                .contains("nest more than")
        );

        // Ten levels of ten aliases each: 10^10 values if expanded.
        let mut bomb = String::from("l0: &l0 [x, x, x, x, x, x, x, x, x, x]\n");
        for level in 1..10 {
            let previous = format!("*l{}", level - 1);
            let items = [previous.as_str(); 10].join(", ");
            bomb.push_str(&format!("l{level}: &l{level} [{items}]\n"));
        }
        let err = yaml(&bomb, 2).unwrap_err();
        assert!(err.message.contains("aliases are expanded"), "{err:?}");

        // Many keys: the check goes through a set, and still finds one.
        let mut wide: String = (0..5_000).map(|i| format!("k{i}: {i}\n")).collect();
        assert_eq!(entries(&yaml(&wide, 2).unwrap()).len(), 5_000);
        wide.push_str("k17: again\n");
        let err = yaml(&wide, 2).unwrap_err();
        assert!(
            err.message.contains("duplicate mapping key `k17`"),
            "{err:?}"
        );
        assert_eq!(err.position, Position::new(5_002, 1));

        let second = yaml("title: a\n...\nmore: 1\n", 2).unwrap_err();
        assert!(second.message.contains("more than one YAML document"));
    }

    #[test]
    fn a_list_at_top_level_is_refused() {
        assert!(yaml("- a\n- b\n", 2).is_err());
    }
}
