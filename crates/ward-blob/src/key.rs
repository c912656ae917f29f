//! What an object is: its kind, which is its key prefix and decides how long it is kept, and
//! a name unique within that kind.

use std::fmt;

use crate::Error;

/// The kinds of object ward stores.
///
/// Declared in key-prefix order, so that keys sort as their paths do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    /// The failure report written at a job's result URL when its scan failed.
    FailureReport,
    /// An archive or image tarball a pipeline uploaded to be scanned.
    RawUpload,
    /// A scan's report (ward JSON or an export format), written at a job's result URL.
    Report,
}

impl Kind {
    /// Every kind, in key-prefix order.
    pub const ALL: [Kind; 3] = [Kind::FailureReport, Kind::RawUpload, Kind::Report];

    /// The key prefix of this kind's objects (also the folder in a local store, and the
    /// prefix of an S3 lifecycle rule).
    pub fn prefix(self) -> &'static str {
        match self {
            Kind::Report => "reports",
            Kind::FailureReport => "failure-reports",
            Kind::RawUpload => "raw-uploads",
        }
    }

    /// The kind whose prefix this is.
    pub fn from_prefix(prefix: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.prefix() == prefix)
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.prefix())
    }
}

/// Longest object name, in bytes.
const MAX_NAME_LEN: usize = 512;

/// An object's address: its kind and its name (`reports/job-42/report.json` is the name
/// `job-42/report.json` of kind [`Kind::Report`]).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct BlobKey {
    kind: Kind,
    name: String,
}

impl BlobKey {
    /// A key for `name`, which is one or more `/`-separated segments of ASCII letters, digits,
    /// `.`, `_` and `-`, none of them empty, `.` or `..`, at most 512 bytes in all. The
    /// restriction keeps names the same in a file system, an S3 key and a URL path, with
    /// nothing to escape and no way out of the kind's prefix.
    pub fn new(kind: Kind, name: &str) -> Result<BlobKey, Error> {
        let invalid = |reason| Error::InvalidName {
            name: name.to_string(),
            reason,
        };
        if name.is_empty() {
            return Err(invalid("it is empty"));
        }
        if name.len() > MAX_NAME_LEN {
            return Err(invalid("it is longer than 512 bytes"));
        }
        for segment in name.split('/') {
            if segment.is_empty() {
                return Err(invalid("it has an empty path segment"));
            }
            if segment == "." || segment == ".." {
                return Err(invalid("`.` and `..` segments are not allowed"));
            }
            let allowed = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-');
            if !segment.bytes().all(allowed) {
                return Err(invalid(
                    "only ASCII letters, digits, `.`, `_`, `-` and `/` are allowed",
                ));
            }
        }
        Ok(BlobKey {
            kind,
            name: name.to_string(),
        })
    }

    /// Reads `kind-prefix/name` back, as [`fmt::Display`] writes it.
    pub fn parse(path: &str) -> Result<BlobKey, Error> {
        let (prefix, name) = path.split_once('/').unwrap_or((path, ""));
        let kind = Kind::from_prefix(prefix).ok_or_else(|| Error::InvalidName {
            name: path.to_string(),
            reason: "it does not start with a kind (reports/, failure-reports/, raw-uploads/)",
        })?;
        BlobKey::new(kind, name)
    }

    /// The kind.
    pub fn kind(&self) -> Kind {
        self.kind
    }

    /// The name within the kind.
    pub fn name(&self) -> &str {
        &self.name
    }
}

/// `kind-prefix/name`, the key relative to the store's prefix.
impl fmt::Display for BlobKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.kind.prefix(), self.name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_plain_names_and_round_trips() {
        for name in ["a", "job-42/report.json", "x_y.tar.gz", "1/2/3"] {
            let key = BlobKey::new(Kind::Report, name).unwrap();
            assert_eq!(BlobKey::parse(&key.to_string()).unwrap(), key);
        }
        assert_eq!(
            BlobKey::new(Kind::RawUpload, "u/a.zip")
                .unwrap()
                .to_string(),
            "raw-uploads/u/a.zip"
        );
    }

    #[test]
    fn refuses_names_that_could_escape_or_need_escaping() {
        let long = "a".repeat(513);
        for name in [
            "", "..", "a/../b", "./a", "/a", "a/", "a//b", "a b", "a%2e", "a\\b", "é", &long,
        ] {
            assert!(BlobKey::new(Kind::Report, name).is_err(), "{name:?}");
        }
        assert!(BlobKey::parse("other/a").is_err());
        assert!(BlobKey::parse("reports").is_err());
    }

    #[test]
    fn prefixes_are_distinct_and_parse_back() {
        for kind in Kind::ALL {
            assert_eq!(Kind::from_prefix(kind.prefix()), Some(kind));
        }
    }
}
