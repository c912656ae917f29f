//! The event model: what happened, to which product and engagement, with the counts and top
//! findings every message shows. One `Event` is rendered by every channel and is the JSON
//! body of the generic webhook, so its serialized form is a public, stable format.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use ward_core::Severity;

/// Something ward tells people about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    /// A unique id, the same on every delivery attempt, so receivers can drop duplicates.
    pub id: String,
    /// When it happened.
    #[serde(with = "time::serde::rfc3339")]
    pub occurred_at: OffsetDateTime,
    /// The product's name.
    pub product: String,
    /// The engagement (a branch or a release), when the event concerns one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub engagement: Option<String>,
    /// Where to look: the dashboard page or the scan's result URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// Open findings by severity, for events about findings.
    #[serde(default)]
    pub counts: SeverityCounts,
    /// The most severe findings, most severe first; channels show the first few.
    #[serde(default)]
    pub top_findings: Vec<FindingSummary>,
    /// What kind of event, and the data only that kind has. Serialized as `type` and `data`.
    #[serde(flatten)]
    pub detail: EventDetail,
}

/// The kinds of event, as named in routing rules and in the webhook's `type` field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum EventKind {
    /// A scan or import finished.
    #[serde(rename = "scan.completed")]
    ScanCompleted,
    /// A scan could not run or its report could not be read.
    #[serde(rename = "scan.failed")]
    ScanFailed,
    /// A gate verdict failed.
    #[serde(rename = "gate.failed")]
    GateFailed,
    /// A gate verdict passed.
    #[serde(rename = "gate.passed")]
    GatePassed,
    /// New findings at or above a severity appeared.
    #[serde(rename = "finding.new")]
    FindingNew,
    /// Findings are past their SLA (the daily check).
    #[serde(rename = "sla.breached")]
    SlaBreached,
    /// A gate waits for a person to approve or refuse.
    #[serde(rename = "approval.required")]
    ApprovalRequired,
}

impl EventKind {
    /// Every kind, in a stable order.
    pub const ALL: [EventKind; 7] = [
        EventKind::ScanCompleted,
        EventKind::ScanFailed,
        EventKind::GateFailed,
        EventKind::GatePassed,
        EventKind::FindingNew,
        EventKind::SlaBreached,
        EventKind::ApprovalRequired,
    ];

    /// The dotted name (`scan.completed` …).
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::ScanCompleted => "scan.completed",
            EventKind::ScanFailed => "scan.failed",
            EventKind::GateFailed => "gate.failed",
            EventKind::GatePassed => "gate.passed",
            EventKind::FindingNew => "finding.new",
            EventKind::SlaBreached => "sla.breached",
            EventKind::ApprovalRequired => "approval.required",
        }
    }

    /// Reads a dotted name.
    pub fn from_name(name: &str) -> Option<EventKind> {
        EventKind::ALL.into_iter().find(|k| k.as_str() == name)
    }

    /// Whether events of this kind are about findings, so that a routing rule's minimum
    /// severity applies to them. A failed scan or a pending approval needs attention whatever
    /// the findings are, so severity filters let them through.
    pub fn carries_findings(self) -> bool {
        !matches!(self, EventKind::ScanFailed | EventKind::ApprovalRequired)
    }
}

impl std::fmt::Display for EventKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The data only one kind of event has.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", content = "data")]
pub enum EventDetail {
    /// A scan or import finished.
    #[serde(rename = "scan.completed")]
    ScanCompleted {
        /// The tools whose reports were read.
        tools: Vec<String>,
        /// Findings in the scan.
        n_findings: u64,
        /// Of those, findings not seen before in this engagement.
        n_new: u64,
    },
    /// A scan could not run or its report could not be read.
    #[serde(rename = "scan.failed")]
    ScanFailed {
        /// What went wrong, as shown to users.
        error: String,
        /// The scan job, when a server-run scan failed (its failure report is at the
        /// event's `url`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        job_id: Option<i64>,
    },
    /// A gate verdict failed.
    #[serde(rename = "gate.failed")]
    GateFailed {
        /// The policy rules violated, one line each.
        violations: Vec<String>,
    },
    /// A gate verdict passed.
    #[serde(rename = "gate.passed")]
    GatePassed {},
    /// New findings at or above a severity appeared.
    #[serde(rename = "finding.new")]
    FindingNew {
        /// How many.
        n_new: u64,
        /// The threshold the event was raised for.
        min_severity: Severity,
    },
    /// Findings are past their SLA.
    #[serde(rename = "sla.breached")]
    SlaBreached {
        /// How many findings are overdue.
        n_overdue: u64,
        /// Days the most overdue one is past its due date.
        max_days_overdue: u64,
    },
    /// A gate waits for a person to approve or refuse.
    #[serde(rename = "approval.required")]
    ApprovalRequired {
        /// The approval's id, for `POST /api/v1/approvals/{id}`.
        approval_id: String,
        /// Why approval is needed (the gate's message).
        reason: String,
    },
}

impl EventDetail {
    /// The kind of this detail.
    pub fn kind(&self) -> EventKind {
        match self {
            EventDetail::ScanCompleted { .. } => EventKind::ScanCompleted,
            EventDetail::ScanFailed { .. } => EventKind::ScanFailed,
            EventDetail::GateFailed { .. } => EventKind::GateFailed,
            EventDetail::GatePassed {} => EventKind::GatePassed,
            EventDetail::FindingNew { .. } => EventKind::FindingNew,
            EventDetail::SlaBreached { .. } => EventKind::SlaBreached,
            EventDetail::ApprovalRequired { .. } => EventKind::ApprovalRequired,
        }
    }
}

impl Event {
    /// The kind of this event.
    pub fn kind(&self) -> EventKind {
        self.detail.kind()
    }

    /// The most severe level with at least one finding, from the counts and the top findings.
    pub fn max_severity(&self) -> Option<Severity> {
        let from_counts = Severity::ALL.into_iter().find(|&s| self.counts.get(s) > 0);
        let from_top = self.top_findings.iter().map(|f| f.severity).max();
        from_counts.max(from_top)
    }
}

/// Findings by severity.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeverityCounts {
    /// Critical findings.
    #[serde(default)]
    pub critical: u64,
    /// High findings.
    #[serde(default)]
    pub high: u64,
    /// Medium findings.
    #[serde(default)]
    pub medium: u64,
    /// Low findings.
    #[serde(default)]
    pub low: u64,
    /// Informational findings.
    #[serde(default)]
    pub info: u64,
}

impl SeverityCounts {
    /// The count for one severity.
    pub fn get(&self, severity: Severity) -> u64 {
        match severity {
            Severity::Critical => self.critical,
            Severity::High => self.high,
            Severity::Medium => self.medium,
            Severity::Low => self.low,
            Severity::Info => self.info,
        }
    }

    /// Adds one finding of `severity`.
    pub fn add(&mut self, severity: Severity) {
        let count = match severity {
            Severity::Critical => &mut self.critical,
            Severity::High => &mut self.high,
            Severity::Medium => &mut self.medium,
            Severity::Low => &mut self.low,
            Severity::Info => &mut self.info,
        };
        *count = count.saturating_add(1);
    }

    /// All findings.
    pub fn total(&self) -> u64 {
        Severity::ALL.into_iter().map(|s| self.get(s)).sum()
    }
}

/// One finding as a message shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FindingSummary {
    /// The finding's id in ward (or its fingerprint).
    pub id: String,
    /// Its title.
    pub title: String,
    /// Its severity.
    pub severity: Severity,
    /// Where it is, as one line: `path:line`, `package@version`, an image or a URL.
    pub location: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(detail: EventDetail) -> Event {
        Event {
            id: "evt-1".into(),
            occurred_at: time::macros::datetime!(2025-03-04 05:06:07 UTC),
            product: "payments".into(),
            engagement: Some("main".into()),
            url: None,
            counts: SeverityCounts::default(),
            top_findings: vec![],
            detail,
        }
    }

    #[test]
    fn json_names_the_kind_and_nests_its_data() {
        let e = event(EventDetail::ScanFailed {
            error: "no such image".into(),
            job_id: Some(7),
        });
        let json = serde_json::to_value(&e).unwrap();
        assert_eq!(json["type"], "scan.failed");
        assert_eq!(json["data"]["error"], "no such image");
        assert_eq!(json["data"]["job_id"], 7);
        assert_eq!(json["occurred_at"], "2025-03-04T05:06:07Z");
        let back: Event = serde_json::from_value(json).unwrap();
        assert_eq!(back, e);

        let passed = serde_json::to_value(event(EventDetail::GatePassed {})).unwrap();
        assert_eq!(passed["data"], serde_json::json!({}));
    }

    #[test]
    fn kind_names_round_trip() {
        for kind in EventKind::ALL {
            assert_eq!(EventKind::from_name(kind.as_str()), Some(kind));
            let json = serde_json::to_string(&kind).unwrap();
            assert_eq!(json, format!("\"{kind}\""));
        }
        assert_eq!(EventKind::from_name("scan.done"), None);
    }

    #[test]
    fn max_severity_comes_from_counts_or_findings() {
        let mut e = event(EventDetail::GatePassed {});
        assert_eq!(e.max_severity(), None);
        e.counts.add(Severity::Medium);
        e.counts.add(Severity::Low);
        assert_eq!(e.max_severity(), Some(Severity::Medium));
        assert_eq!(e.counts.total(), 2);
        e.top_findings.push(FindingSummary {
            id: "f1".into(),
            title: "t".into(),
            severity: Severity::High,
            location: "a.rs:1".into(),
        });
        assert_eq!(e.max_severity(), Some(Severity::High));
    }
}
