//! Deserializing helpers every parser uses: JSON, JSON Lines and XML into private serde types,
//! with errors that say where the input broke.

use serde::de::DeserializeOwned;
use serde::Deserialize;

use crate::error::{line_column, Error};
use crate::input::contains_entity_declaration;

/// Deserializes a whole JSON document. Shape errors name the field path (`runs[0].results`).
///
/// The path is only worked out after a failure, by reading the input a second time, so that
/// well-formed reports pay nothing for it.
pub fn json<'a, T: Deserialize<'a>>(bytes: &'a [u8]) -> Result<T, Error> {
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    match serde_json::from_slice(bytes) {
        Ok(value) => Ok(value),
        Err(e) if e.is_data() => {
            let mut deserializer = serde_json::Deserializer::from_slice(bytes);
            match serde_path_to_error::deserialize::<_, T>(&mut deserializer) {
                Err(with_path) => Err(Error::Shape {
                    path: with_path.path().to_string(),
                    line: with_path.inner().line(),
                    column: with_path.inner().column(),
                    message: message(with_path.inner()),
                }),
                Ok(_) => Err(json_error(&e)),
            }
        }
        Err(e) => Err(json_error(&e)),
    }
}

/// Deserializes a JSON Lines document: one value per non-blank line, with the 1-based line number.
pub fn json_lines<T: DeserializeOwned>(
    text: &str,
) -> impl Iterator<Item = Result<(usize, T), Error>> + '_ {
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(index, line)| {
            json::<T>(line.as_bytes())
                .map(|v| (index + 1, v))
                .map_err(|e| Error::Line {
                    line: index + 1,
                    message: e.to_string(),
                })
        })
}

/// Deserializes a whole XML document with quick-xml, after refusing entity declarations.
pub fn xml<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, Error> {
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    let markup = scan_xml(bytes)?;
    // Comments and processing instructions inside elements carry no character data but split
    // text in two, which quick-xml's deserializer does not expect: they are cut out first.
    let stripped;
    let bytes = if markup.is_empty() {
        bytes
    } else {
        let mut kept = Vec::with_capacity(bytes.len());
        let mut from = 0;
        for range in markup {
            kept.extend_from_slice(&bytes[from..range.start]);
            from = range.end;
        }
        kept.extend_from_slice(&bytes[from..]);
        stripped = kept;
        &stripped[..]
    };
    let text = std::str::from_utf8(bytes).map_err(|e| {
        let (line, column) = line_column(bytes, e.valid_up_to());
        Error::Xml {
            line,
            column,
            message: "invalid UTF-8".into(),
        }
    })?;
    deserialize_guarded(text)
}

/// quick-xml's deserializer has `unreachable!`s that hostile input still reaches (the XML fuzz
/// target found one: two text events in a row). A panic there becomes an error, and the panic
/// hook is silenced for that call so nothing is printed; panics anywhere else are untouched.
fn deserialize_guarded<T: DeserializeOwned>(text: &str) -> Result<T, Error> {
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        quick_xml::de::from_str::<T>(text)
    }));
    std::panic::set_hook(hook);
    match result {
        Ok(parsed) => parsed.map_err(|e| Error::Xml {
            line: 0,
            column: 0,
            message: e.to_string(),
        }),
        Err(_) => Err(Error::Xml {
            line: 0,
            column: 0,
            message: "the XML reader could not make sense of this document's text".into(),
        }),
    }
}

/// Reads the whole document once with the streaming reader: well-formedness errors come out with
/// their line, and DOCTYPEs that declare entities are refused.
pub fn check_xml(bytes: &[u8]) -> Result<(), Error> {
    scan_xml(bytes).map(drop)
}

/// [`check_xml`], returning the byte ranges of the comments and processing instructions found
/// inside elements.
fn scan_xml(bytes: &[u8]) -> Result<Vec<std::ops::Range<usize>>, Error> {
    let mut reader = quick_xml::Reader::from_reader(bytes);
    let mut buf = Vec::new();
    let mut depth = 0usize;
    let mut markup = Vec::new();
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
            quick_xml::events::Event::DocType(d) if contains_entity_declaration(&d) => {
                return Err(Error::XmlEntity {
                    line: line_column(bytes, position).0,
                })
            }
            quick_xml::events::Event::Start(_) => depth += 1,
            quick_xml::events::Event::End(_) => depth = depth.saturating_sub(1),
            quick_xml::events::Event::Comment(_) | quick_xml::events::Event::PI(_) if depth > 0 => {
                markup.push(position..reader.buffer_position() as usize);
            }
            quick_xml::events::Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    if depth != 0 {
        let (line, column) = line_column(bytes, bytes.len());
        return Err(Error::Xml {
            line,
            column,
            message: format!("the document ends with {depth} element(s) still open"),
        });
    }
    Ok(markup)
}

/// A serde_json error as an [`Error`] with its line and column.
pub fn json_error(e: &serde_json::Error) -> Error {
    Error::Json {
        line: e.line(),
        column: e.column(),
        message: message(e),
    }
}

/// serde_json's message without its own " at line L column C" suffix.
fn message(e: &serde_json::Error) -> String {
    let text = e.to_string();
    match text.rfind(" at line ") {
        Some(i) => text[..i].to_string(),
        None => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Doc {
        items: Vec<Item>,
    }
    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Item {
        line: u32,
    }

    #[test]
    fn shape_errors_name_the_path() {
        let err = json::<Doc>(b"{\"items\": [{\"line\": 1}, {\"line\": \"x\"}]}").unwrap_err();
        let text = err.to_string();
        assert!(text.contains("items[1].line"), "{text}");
    }

    #[test]
    fn syntax_errors_name_the_line() {
        let err = json::<Doc>(b"{\n\"items\": [\n").unwrap_err();
        assert!(matches!(err, Error::Json { line: 3, .. }), "{err}");
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let deep = "[".repeat(100_000);
        let err = json::<serde_json::Value>(deep.as_bytes()).unwrap_err();
        assert!(err.to_string().contains("recursion limit"), "{err}");
    }

    #[test]
    fn xml_entity_expansion_is_refused() {
        let bomb = r#"<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><r>&b;</r>"#;
        assert!(matches!(
            check_xml(bomb.as_bytes()),
            Err(Error::XmlEntity { line: 1 })
        ));
        let external = "<?xml version=\"1.0\"?>\n<!DOCTYPE r [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><r>&x;</r>";
        assert!(matches!(
            check_xml(external.as_bytes()),
            Err(Error::XmlEntity { line: 2 })
        ));
    }

    #[test]
    fn comments_and_instructions_inside_text_are_cut_out() {
        #[derive(Debug, Deserialize)]
        struct Alert {
            desc: String,
        }
        for doc in [
            "<alert><desc>A cookie <?xvetsion x=\"1\" ?>without flag</desc></alert>",
            "<alert><desc>A cookie <!-- note -->without flag</desc></alert>",
        ] {
            let alert: Alert = xml(doc.as_bytes()).unwrap_or_else(|e| panic!("{doc}: {e}"));
            assert_eq!(alert.desc, "A cookie without flag");
        }
    }

    #[test]
    fn truncated_xml_is_an_error() {
        let err = check_xml(b"<a>\n<b>text</b>\n").unwrap_err();
        assert!(err.to_string().contains("still open"), "{err}");
    }
}
