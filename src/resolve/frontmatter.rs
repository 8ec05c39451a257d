//! Frontmatter parsing into a small tree that keeps every value's position
//! in the file, so that schema errors point at the file's line and column
//! (not the block's).
//!
//! YAML is parsed with serde-saphyr (its `Spanned` wrapper gives positions),
//! TOML with the `toml` crate's spanned document tree.

use std::fmt;

use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};

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

fn parse_yaml(text: &str, offset: u32) -> Result<Node, SyntaxError> {
    if text.trim().is_empty() {
        return Ok(Node {
            value: Value::Null,
            position: Position::new(offset + 1, 1),
        });
    }
    let spanned: serde_saphyr::Spanned<Raw> = serde_saphyr::from_str(text).map_err(|e| {
        let position = e
            .location()
            .map(|l| shift(l.line(), l.column(), offset))
            .unwrap_or(Position::new(offset + 1, 1));
        let message = clean_yaml_message(e.to_string().lines().next().unwrap_or("invalid YAML"));
        SyntaxError { message, position }
    })?;
    Ok(from_raw(spanned, offset))
}

/// Drops serde-saphyr's `error: line N column M: ` prefix: its numbers
/// count from the block, and the diagnostic already carries file positions.
fn clean_yaml_message(message: &str) -> String {
    let message = message.trim().trim_start_matches("error:").trim();
    let rest = message
        .strip_prefix("line ")
        .and_then(|r| r.split_once(": "))
        .filter(|(position, _)| {
            position
                .chars()
                .all(|c| c.is_ascii_digit() || c == ' ' || c.is_ascii_alphabetic())
        })
        .map_or(message, |(_, rest)| rest);
    format!("invalid YAML: {rest}")
}

fn from_raw(spanned: serde_saphyr::Spanned<Raw>, offset: u32) -> Node {
    let position = shift(
        spanned.referenced.line(),
        spanned.referenced.column(),
        offset,
    );
    let value = match spanned.value {
        Raw::Null => Value::Null,
        Raw::Bool(b) => Value::Bool(b),
        Raw::Int(i) => Value::Int(i),
        Raw::Float(f) => Value::Float(f),
        Raw::Str(s) => Value::Str(s),
        Raw::Seq(items) => Value::Seq(
            items
                .into_iter()
                .map(|item| from_raw(item, offset))
                .collect(),
        ),
        Raw::Map(entries) => Value::Map(
            entries
                .into_iter()
                .map(|(key, value)| {
                    let key_position =
                        shift(key.referenced.line(), key.referenced.column(), offset);
                    let name = match key.value {
                        Raw::Str(s) => s,
                        Raw::Int(i) => i.to_string(),
                        Raw::Float(f) => f.to_string(),
                        Raw::Bool(b) => b.to_string(),
                        Raw::Null => "null".to_string(),
                        Raw::Seq(_) | Raw::Map(_) => "<complex key>".to_string(),
                    };
                    (
                        Key {
                            name,
                            position: key_position,
                        },
                        from_raw(value, offset),
                    )
                })
                .collect(),
        ),
    };
    Node { value, position }
}

/// The untyped YAML value as serde-saphyr hands it over; every child is
/// wrapped in `Spanned` so that positions survive.
enum Raw {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    Seq(Vec<serde_saphyr::Spanned<Raw>>),
    Map(Vec<(serde_saphyr::Spanned<Raw>, serde_saphyr::Spanned<Raw>)>),
}

impl<'de> Deserialize<'de> for Raw {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(RawVisitor)
    }
}

struct RawVisitor;

impl<'de> Visitor<'de> for RawVisitor {
    type Value = Raw;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any YAML value")
    }
    fn visit_unit<E: de::Error>(self) -> Result<Raw, E> {
        Ok(Raw::Null)
    }
    fn visit_none<E: de::Error>(self) -> Result<Raw, E> {
        Ok(Raw::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Raw, D::Error> {
        d.deserialize_any(RawVisitor)
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Raw, E> {
        Ok(Raw::Bool(v))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Raw, E> {
        Ok(Raw::Int(v))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Raw, E> {
        Ok(i64::try_from(v).map_or(Raw::Float(v as f64), Raw::Int))
    }
    fn visit_i128<E: de::Error>(self, v: i128) -> Result<Raw, E> {
        Ok(i64::try_from(v).map_or(Raw::Float(v as f64), Raw::Int))
    }
    fn visit_u128<E: de::Error>(self, v: u128) -> Result<Raw, E> {
        Ok(i64::try_from(v).map_or(Raw::Float(v as f64), Raw::Int))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Raw, E> {
        Ok(Raw::Float(v))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Raw, E> {
        Ok(Raw::Str(v.to_string()))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Raw, E> {
        Ok(Raw::Str(v))
    }
    fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<Raw, E> {
        Ok(Raw::Str(String::from_utf8_lossy(v).into_owned()))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Raw, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Raw::Seq(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Raw, A::Error> {
        let mut entries = Vec::new();
        while let Some(entry) = map.next_entry()? {
            entries.push(entry);
        }
        Ok(Raw::Map(entries))
    }
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
    fn a_list_at_top_level_is_refused() {
        assert!(yaml("- a\n- b\n", 2).is_err());
    }
}
