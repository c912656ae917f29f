//! One report's bytes, and a cheap look at their shape that format detection works from.

use std::sync::OnceLock;

use quick_xml::events::Event;
use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use serde_json::{Map, Value};

use crate::error::{line_column, Error};

/// How deep the JSON sniff keeps values; deeper ones become `null`.
const SNIFF_DEPTH: usize = 7;
/// How many elements of each array the JSON sniff keeps.
const SNIFF_ARRAY_ITEMS: usize = 3;
/// How many keys of each object the JSON sniff keeps.
const SNIFF_OBJECT_KEYS: usize = 256;
/// How long a string the JSON sniff keeps, in bytes.
const SNIFF_STRING_BYTES: usize = 512;
/// How deep JSON may nest at all; a report needs far less, and a limit keeps hostile input
/// from exhausting the stack (serde_json applies the same limit when parsing for real).
const MAX_JSON_DEPTH: usize = 128;
/// How many element names after the root the XML sniff records.
const SNIFF_XML_ELEMENTS: usize = 64;

/// A report to parse: its bytes and a lazily computed [`Sniff`].
pub struct Input<'a> {
    bytes: &'a [u8],
    sniff: OnceLock<Sniff>,
}

impl<'a> Input<'a> {
    /// Wraps a report's bytes.
    pub fn new(bytes: &'a [u8]) -> Input<'a> {
        Input {
            bytes,
            sniff: OnceLock::new(),
        }
    }

    /// The whole report.
    pub fn bytes(&self) -> &'a [u8] {
        self.bytes
    }

    /// The report as text, without a UTF-8 byte-order mark.
    pub fn text(&self) -> Result<&'a str, Error> {
        let bytes = self
            .bytes
            .strip_prefix(b"\xef\xbb\xbf")
            .unwrap_or(self.bytes);
        std::str::from_utf8(bytes).map_err(|e| {
            let (line, column) = line_column(bytes, e.valid_up_to());
            Error::Line {
                line,
                message: format!("invalid UTF-8 at column {column}"),
            }
        })
    }

    /// The shape of the input, computed on first use.
    pub fn sniff(&self) -> &Sniff {
        self.sniff.get_or_init(|| Sniff::of(self.bytes))
    }

    /// The sniffed JSON document (or first JSON Lines record), if the input is JSON.
    pub fn json(&self) -> Option<&Value> {
        match self.sniff() {
            Sniff::Json(v) | Sniff::JsonLines(v) => Some(v),
            _ => None,
        }
    }

    /// The sniffed XML root, if the input is XML.
    pub fn xml(&self) -> Option<&XmlSniff> {
        match self.sniff() {
            Sniff::Xml(x) => Some(x),
            _ => None,
        }
    }
}

/// What an input looks like, from one bounded pass: enough for `detect` to decide, never the
/// whole document.
#[derive(Debug, Clone)]
pub enum Sniff {
    /// One JSON document, kept only to a few levels and a few array elements.
    Json(Value),
    /// Several JSON documents, one after another (JSON Lines); the first one, kept shallow.
    JsonLines(Value),
    /// An XML document.
    Xml(XmlSniff),
    /// HTML.
    Html,
    /// A ZIP archive.
    Zip,
    /// JSON or XML that is broken (or hostile) at the position the error names.
    Broken(Error),
    /// Something else; `reason` says why it is neither JSON nor XML.
    Other {
        /// Where the JSON or XML reading stopped.
        reason: String,
    },
}

/// The first elements of an XML document.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct XmlSniff {
    /// Local name of the root element.
    pub root: String,
    /// The root's attributes (local names, unescaped values).
    pub attributes: Vec<(String, String)>,
    /// Local names of the first elements inside the root, in document order.
    pub elements: Vec<String>,
}

impl XmlSniff {
    /// A root attribute's value.
    pub fn attribute(&self, name: &str) -> Option<&str> {
        self.attributes
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// Whether an element of this name appears among the first ones.
    pub fn has_element(&self, name: &str) -> bool {
        self.elements.iter().any(|e| e == name)
    }
}

impl Sniff {
    fn of(bytes: &[u8]) -> Sniff {
        let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
        let start = bytes
            .iter()
            .position(|b| !b.is_ascii_whitespace())
            .unwrap_or(bytes.len());
        let rest = &bytes[start..];
        if rest.starts_with(b"PK\x03\x04") {
            return Sniff::Zip;
        }
        match rest.first() {
            Some(b'{' | b'[') => sniff_json(bytes),
            Some(b'<') => {
                let head =
                    String::from_utf8_lossy(&rest[..rest.len().min(512)]).to_ascii_lowercase();
                if head.starts_with("<!doctype html") || head.starts_with("<html") {
                    return Sniff::Html;
                }
                match sniff_xml(bytes) {
                    Ok(x) => Sniff::Xml(x),
                    Err(e) if head.contains("<html") => {
                        let _ = e;
                        Sniff::Html
                    }
                    Err(e) => Sniff::Broken(e),
                }
            }
            None => Sniff::Other {
                reason: "the input is empty".into(),
            },
            Some(_) => Sniff::Other {
                reason: "the input starts with neither JSON nor XML".into(),
            },
        }
    }
}

fn sniff_json(bytes: &[u8]) -> Sniff {
    let mut stream = serde_json::Deserializer::from_slice(bytes);
    let first = match (Shallow { depth: SNIFF_DEPTH }).deserialize(&mut stream) {
        Ok(v) => v,
        Err(e) => {
            let text = e.to_string();
            let message = text
                .rfind(" at line ")
                .map_or(text.as_str(), |i| &text[..i]);
            return Sniff::Broken(Error::Json {
                line: e.line(),
                column: e.column(),
                message: message.to_string(),
            });
        }
    };
    // A second value after the first makes it JSON Lines.
    let offset = stream.into_iter::<IgnoredAny>().byte_offset();
    let trailing = &bytes[offset..];
    if trailing.iter().all(u8::is_ascii_whitespace) {
        Sniff::Json(first)
    } else {
        Sniff::JsonLines(first)
    }
}

/// An error for JSON nested past [`MAX_JSON_DEPTH`], at the first bracket that does so.
///
/// One pass over the bytes that only tracks strings and brackets. It runs only when no parser
/// recognised the input: the sniff skips deep values without recursing and typed parsers stop
/// at serde_json's own limit, so nesting is never a danger, only a better explanation.
pub(crate) fn nesting_error(bytes: &[u8]) -> Option<Error> {
    let offset = too_deep(bytes)?;
    let (line, column) = line_column(bytes, offset);
    Some(Error::Json {
        line,
        column,
        message: format!("JSON nested deeper than {MAX_JSON_DEPTH} levels"),
    })
}

fn too_deep(bytes: &[u8]) -> Option<usize> {
    let (mut depth, mut in_string, mut escaped) = (0usize, false, false);
    for (offset, &byte) in bytes.iter().enumerate() {
        if in_string {
            match byte {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match byte {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                if depth > MAX_JSON_DEPTH {
                    return Some(offset);
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    None
}

/// A JSON value cut down to a bounded size while reading, so sniffing a 1 GB report costs no
/// more memory than sniffing a small one. Below `depth` levels values are skipped unread
/// (serde_json skips without recursing), so odd content there (huge numbers) does not matter.
struct Shallow {
    /// Levels still kept.
    depth: usize,
}

impl Shallow {
    fn child(&self) -> Shallow {
        Shallow {
            depth: self.depth.saturating_sub(1),
        }
    }
}

impl<'de> DeserializeSeed<'de> for Shallow {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        if self.depth == 0 {
            IgnoredAny::deserialize(deserializer)?;
            return Ok(Value::Null);
        }
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Shallow {
    type Value = Value;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        let mut end = v.len().min(SNIFF_STRING_BYTES);
        while !v.is_char_boundary(end) {
            end -= 1;
        }
        Ok(Value::String(v[..end].to_string()))
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while items.len() < SNIFF_ARRAY_ITEMS {
            match seq.next_element_seed(self.child())? {
                Some(v) => items.push(v),
                None => return Ok(Value::Array(items)),
            }
        }
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut object = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            if object.len() < SNIFF_OBJECT_KEYS {
                let value = map.next_value_seed(self.child())?;
                object.insert(key, value);
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(Value::Object(object))
    }
}

/// Reads the root element and the first elements below it, refusing entity declarations.
fn sniff_xml(bytes: &[u8]) -> Result<XmlSniff, Error> {
    let mut reader = quick_xml::Reader::from_reader(bytes);
    let mut sniff = XmlSniff::default();
    let mut buf = Vec::new();
    loop {
        let position = reader.buffer_position() as usize;
        let event = reader.read_event_into(&mut buf).map_err(|e| {
            let (line, column) = line_column(bytes, reader.error_position() as usize);
            Error::Xml {
                line,
                column,
                message: e.to_string(),
            }
        })?;
        match event {
            Event::DocType(doctype) if contains_entity_declaration(&doctype) => {
                return Err(Error::XmlEntity {
                    line: line_column(bytes, position).0,
                });
            }
            Event::Start(e) | Event::Empty(e) => {
                let name = String::from_utf8_lossy(e.local_name().as_ref()).into_owned();
                if sniff.root.is_empty() {
                    sniff.root = name;
                    for attribute in e.attributes().flatten() {
                        let key = String::from_utf8_lossy(attribute.key.local_name().as_ref())
                            .into_owned();
                        let value = attribute
                            .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                            .map(|v| v.into_owned())
                            .unwrap_or_else(|_| {
                                String::from_utf8_lossy(&attribute.value).into_owned()
                            });
                        sniff.attributes.push((key, value));
                    }
                } else {
                    sniff.elements.push(name);
                    if sniff.elements.len() >= SNIFF_XML_ELEMENTS {
                        break;
                    }
                }
            }
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    if sniff.root.is_empty() {
        let (line, column) = line_column(bytes, bytes.len());
        return Err(Error::Xml {
            line,
            column,
            message: "no root element".into(),
        });
    }
    Ok(sniff)
}

pub(crate) fn contains_entity_declaration(doctype: &[u8]) -> bool {
    doctype
        .windows(8)
        .any(|w| w.eq_ignore_ascii_case(b"<!ENTITY"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_sniff_is_shallow() {
        let input =
            br#"{"a": [1, 2, 3, 4, 5], "b": {"c": {"d": {"e": {"f": {"g": {"h": {"i": 1}}}}}}}}"#;
        let Sniff::Json(v) = Sniff::of(input) else {
            panic!()
        };
        assert_eq!(v["a"].as_array().unwrap().len(), SNIFF_ARRAY_ITEMS);
        assert!(
            v["b"]["c"]["d"]["e"]["f"]["g"]["h"].is_null()
                || v["b"]["c"]["d"]["e"]["f"]["g"]["h"]
                    .as_object()
                    .is_some_and(|o| o["i"].is_null())
        );
    }

    #[test]
    fn deep_nesting_is_refused_with_a_position() {
        let deep = "[".repeat(100_000);
        let reason = nesting_error(deep.as_bytes()).unwrap().to_string();
        assert!(
            reason.contains("nested deeper than 128") && reason.contains("line 1, column 129"),
            "{reason}"
        );
        let fine = format!("{}{}", "[".repeat(100), "]".repeat(100));
        assert!(nesting_error(fine.as_bytes()).is_none());
        assert!(matches!(Sniff::of(fine.as_bytes()), Sniff::Json(_)));
        // Brackets inside strings do not count.
        let quoted = format!("[\"{}\"]", "[".repeat(200));
        assert!(nesting_error(quoted.as_bytes()).is_none());
    }

    #[test]
    fn json_lines() {
        let input = b"{\"a\":1}\n{\"a\":2}\n";
        assert!(matches!(Sniff::of(input), Sniff::JsonLines(v) if v["a"] == 1));
    }

    #[test]
    fn xml_root_and_elements() {
        let input = br#"<?xml version="1.0"?><OWASPZAPReport version="2.11"><site name="x"><alerts/></site></OWASPZAPReport>"#;
        let Sniff::Xml(x) = Sniff::of(input) else {
            panic!()
        };
        assert_eq!(x.root, "OWASPZAPReport");
        assert_eq!(x.attribute("version"), Some("2.11"));
        assert!(x.has_element("alerts"));
    }

    #[test]
    fn xml_entities_are_refused() {
        let input = b"<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [\n <!ENTITY lol \"lol\">\n]>\n<lolz>&lol;</lolz>";
        let Sniff::Broken(reason) = Sniff::of(input) else {
            panic!()
        };
        assert!(
            reason.to_string().contains("entity declarations"),
            "{reason}"
        );
    }

    #[test]
    fn broken_json_says_where() {
        let Sniff::Broken(reason) = Sniff::of(b"{\n \"a\": tru") else {
            panic!()
        };
        assert!(reason.to_string().contains("line 2"), "{reason}");
    }
}
