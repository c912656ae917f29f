//! SLA: how many days a finding of each severity may stay open, and the due date that gives.

use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};
use ward_core::Severity;

/// Days to fix per severity. `None` means no SLA for that severity.
///
/// The store has a default policy (given when it is opened) and a product may override it;
/// a finding's due date is its `first_seen` plus the days of its severity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SlaPolicy {
    /// Days for critical findings.
    pub critical: Option<u32>,
    /// Days for high findings.
    pub high: Option<u32>,
    /// Days for medium findings.
    pub medium: Option<u32>,
    /// Days for low findings.
    pub low: Option<u32>,
    /// Days for informational findings.
    pub info: Option<u32>,
}

impl Default for SlaPolicy {
    /// Critical 7 days, high 30, medium 90, low 180, info none.
    fn default() -> SlaPolicy {
        SlaPolicy {
            critical: Some(7),
            high: Some(30),
            medium: Some(90),
            low: Some(180),
            info: None,
        }
    }
}

impl SlaPolicy {
    /// The days allowed for a severity.
    pub fn days(&self, severity: Severity) -> Option<u32> {
        match severity {
            Severity::Critical => self.critical,
            Severity::High => self.high,
            Severity::Medium => self.medium,
            Severity::Low => self.low,
            Severity::Info => self.info,
        }
    }

    /// The due date of a finding of `severity` first seen at `first_seen`.
    pub fn due(&self, severity: Severity, first_seen: OffsetDateTime) -> Option<OffsetDateTime> {
        let days = self.days(severity)?;
        first_seen.checked_add(Duration::days(i64::from(days)))
    }
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::*;

    #[test]
    fn due_dates_follow_severity() {
        let policy = SlaPolicy::default();
        let seen = datetime!(2024-01-01 12:00 UTC);
        assert_eq!(
            policy.due(Severity::Critical, seen),
            Some(datetime!(2024-01-08 12:00 UTC))
        );
        assert_eq!(
            policy.due(Severity::Low, seen),
            Some(datetime!(2024-06-29 12:00 UTC))
        );
        assert_eq!(policy.due(Severity::Info, seen), None);
    }
}
