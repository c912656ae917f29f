//! How long each kind of object is kept. [`crate::BlobStore::apply_retention`] deletes what
//! has expired; on S3 the same rules can be left to the bucket, as a lifecycle configuration
//! ([`Retention::s3_lifecycle`]).

use std::time::{Duration, SystemTime};

use serde_json::json;

use crate::Kind;

const DAY: Duration = Duration::from_secs(24 * 3600);

/// The maximum age of each kind of object, counted from its creation; `None` keeps it forever.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Retention {
    /// Scan reports (default 30 days).
    pub reports: Option<Duration>,
    /// Failure reports (default 30 days).
    pub failure_reports: Option<Duration>,
    /// Uploaded archives and images (default 7 days: they are needed only until scanned).
    pub raw_uploads: Option<Duration>,
}

impl Default for Retention {
    fn default() -> Retention {
        Retention {
            reports: Some(30 * DAY),
            failure_reports: Some(30 * DAY),
            raw_uploads: Some(7 * DAY),
        }
    }
}

impl Retention {
    /// The maximum age of `kind`'s objects.
    pub fn max_age(&self, kind: Kind) -> Option<Duration> {
        match kind {
            Kind::Report => self.reports,
            Kind::FailureReport => self.failure_reports,
            Kind::RawUpload => self.raw_uploads,
        }
    }

    /// Whether an object of `kind` created at `created` has expired at `now`: its age has
    /// reached the maximum.
    pub fn is_expired(&self, kind: Kind, created: SystemTime, now: SystemTime) -> bool {
        let Some(max_age) = self.max_age(kind) else {
            return false;
        };
        now.duration_since(created).is_ok_and(|age| age >= max_age)
    }

    /// The equivalent S3 bucket lifecycle configuration for a store at `s3://bucket/prefix`
    /// (the JSON `aws s3api put-bucket-lifecycle-configuration` takes). S3 counts whole days,
    /// so a maximum age is rounded up to the next day.
    pub fn s3_lifecycle(&self, prefix: &str) -> serde_json::Value {
        let prefix = prefix.trim_matches('/');
        let rules: Vec<serde_json::Value> = Kind::ALL
            .into_iter()
            .filter_map(|kind| {
                let max_age = self.max_age(kind)?;
                let days = max_age.as_secs().div_ceil(DAY.as_secs()).max(1);
                let key_prefix = if prefix.is_empty() {
                    format!("{}/", kind.prefix())
                } else {
                    format!("{prefix}/{}/", kind.prefix())
                };
                Some(json!({
                    "ID": format!("ward-{}", kind.prefix()),
                    "Filter": { "Prefix": key_prefix },
                    "Status": "Enabled",
                    "Expiration": { "Days": days },
                }))
            })
            .collect();
        json!({ "Rules": rules })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expiry_is_reached_at_the_maximum_age() {
        let retention = Retention::default();
        let created = SystemTime::UNIX_EPOCH + 100 * DAY;
        let expired = |kind, age| retention.is_expired(kind, created, created + age);
        assert!(!expired(Kind::RawUpload, 7 * DAY - Duration::from_secs(1)));
        assert!(expired(Kind::RawUpload, 7 * DAY));
        assert!(!expired(Kind::Report, 29 * DAY));
        assert!(expired(Kind::FailureReport, 31 * DAY));
        // A creation time in the future (clock skew) is not expired.
        assert!(!retention.is_expired(Kind::Report, created, created - DAY));
        let forever = Retention {
            reports: None,
            ..Retention::default()
        };
        assert!(!forever.is_expired(Kind::Report, created, created + 1000 * DAY));
    }

    #[test]
    fn lifecycle_rules_follow_the_retention() {
        let retention = Retention {
            reports: Some(Duration::from_secs(36 * 3600)),
            failure_reports: None,
            raw_uploads: Some(7 * DAY),
        };
        assert_eq!(
            retention.s3_lifecycle("/ward/"),
            json!({"Rules": [
                {"ID": "ward-raw-uploads", "Filter": {"Prefix": "ward/raw-uploads/"},
                 "Status": "Enabled", "Expiration": {"Days": 7}},
                {"ID": "ward-reports", "Filter": {"Prefix": "ward/reports/"},
                 "Status": "Enabled", "Expiration": {"Days": 2}},
            ]})
        );
    }
}
