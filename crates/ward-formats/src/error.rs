//! The error of reading one report. The caller adds the file name.

/// Why a report could not be read.
///
/// Every variant says where the input broke (line and column, or a field path) and what was
/// expected, so a person can open the file and see the problem.
#[derive(Debug, Clone, thiserror::Error)]
pub enum Error {
    /// Not well-formed JSON.
    #[error("invalid JSON at line {line}, column {column}: {message}")]
    Json {
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What the JSON reader said.
        message: String,
    },
    /// Well-formed JSON of the wrong shape: `path` is where (`Results[2].Vulnerabilities`).
    #[error("unexpected content at `{path}` (line {line}, column {column}): {message}")]
    Shape {
        /// Field path from the document root.
        path: String,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What was expected.
        message: String,
    },
    /// Not well-formed XML, or XML of the wrong shape.
    #[error("invalid XML at line {line}, column {column}: {message}")]
    Xml {
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What was wrong.
        message: String,
    },
    /// The XML declares entities, the mechanism behind entity-expansion ("billion laughs") and
    /// external-entity attacks. No scanner report needs them.
    #[error("XML entity declarations are not allowed (line {line}): a report has no need of them and they enable entity-expansion and external-entity attacks")]
    XmlEntity {
        /// 1-based line of the DOCTYPE.
        line: usize,
    },
    /// A field has a value the format does not allow.
    #[error("field `{field}`: {message}")]
    Field {
        /// The field.
        field: String,
        /// What was expected.
        message: String,
    },
    /// A line of a JSON Lines file is broken.
    #[error("line {line}: {message}")]
    Line {
        /// 1-based line.
        line: usize,
        /// What was wrong.
        message: String,
    },
    /// The input is valid JSON/XML but not a report of the requested format.
    #[error("not a {format} report: {reason}")]
    WrongFormat {
        /// The format id that was asked for.
        format: &'static str,
        /// What gave it away.
        reason: String,
    },
    /// No parser recognised the input.
    #[error("unrecognised report format ({what}); name it with --format (see `ward formats`)")]
    Unrecognized {
        /// What the input looked like.
        what: String,
    },
    /// `--format` named no known format.
    #[error("unknown format `{0}` (see `ward formats`)")]
    UnknownFormat(String),
    /// The input is larger than the configured limit.
    #[error("the input is {size} bytes, over the limit of {limit} bytes")]
    TooLarge {
        /// Size of the input.
        size: u64,
        /// The limit.
        limit: u64,
    },
    /// A broken or hostile archive.
    #[error("archive: {0}")]
    Archive(String),
}

impl Error {
    /// A [`Error::Field`] for a missing required field.
    pub fn missing(field: &str) -> Error {
        Error::Field {
            field: field.to_string(),
            message: "missing".to_string(),
        }
    }
}

/// 1-based line and column of a byte offset.
pub(crate) fn line_column(bytes: &[u8], offset: usize) -> (usize, usize) {
    let offset = offset.min(bytes.len());
    let before = &bytes[..offset];
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let line_start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |p| p + 1);
    (line, offset - line_start + 1)
}
