//! The error type of ward-export.

/// Why an export failed. Exports fail only on bad options or a failing writer; findings a
/// format cannot hold are left out with a warning instead.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// An option has a value the format does not accept.
    #[error("invalid option {option} `{value}`: {expected}")]
    InvalidOption {
        /// The option's name (`gitlab schema version`, `aws account id` …).
        option: &'static str,
        /// The value given.
        value: String,
        /// What would have been accepted.
        expected: &'static str,
    },
    /// Writing the output failed.
    #[error("writing the {format} output: {source}")]
    Write {
        /// The exporter's id.
        format: &'static str,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
}

impl Error {
    pub(crate) fn write(format: &'static str) -> impl FnOnce(std::io::Error) -> Error {
        move |source| Error::Write { format, source }
    }

    pub(crate) fn json(format: &'static str) -> impl FnOnce(serde_json::Error) -> Error {
        move |error| Error::Write {
            format,
            source: error.into(),
        }
    }
}
