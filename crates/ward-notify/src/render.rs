//! The wording every channel shares: headline, summary, detail lines and tone of an event.
//! Channels put these pieces into their own format (Slack blocks, Teams cards, email HTML).

use ward_core::Severity;

use crate::{Event, EventDetail, EventKind};

/// How many findings a message lists; the rest are counted.
pub(crate) const MAX_FINDINGS: usize = 10;
/// How many detail lines (gate violations) a message lists.
pub(crate) const MAX_DETAILS: usize = 10;

/// The mood of an event, which channels show as a colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Tone {
    Good,
    Warning,
    Danger,
}

impl Tone {
    /// The colour as a CSS hex value (Slack, Rocket.Chat, email).
    pub(crate) fn hex(self) -> &'static str {
        match self {
            Tone::Good => "#2da44e",
            Tone::Warning => "#d4a72c",
            Tone::Danger => "#cf222e",
        }
    }
}

/// `Gate failed: payments / main`.
pub(crate) fn headline(event: &Event) -> String {
    format!("{}: {}", what(event.kind()), scope(event))
}

/// `Gate failed`: what happened, without names.
pub(crate) fn what(kind: EventKind) -> &'static str {
    match kind {
        EventKind::ScanCompleted => "Scan completed",
        EventKind::ScanFailed => "Scan failed",
        EventKind::GateFailed => "Gate failed",
        EventKind::GatePassed => "Gate passed",
        EventKind::FindingNew => "New findings",
        EventKind::SlaBreached => "SLA breached",
        EventKind::ApprovalRequired => "Approval required",
    }
}

/// `payments / main`, or the product alone.
pub(crate) fn scope(event: &Event) -> String {
    match &event.engagement {
        Some(engagement) => format!("{} / {engagement}", event.product),
        None => event.product.clone(),
    }
}

/// One sentence saying what happened.
pub(crate) fn summary(event: &Event) -> String {
    match &event.detail {
        EventDetail::ScanCompleted {
            tools,
            n_findings,
            n_new,
        } => {
            let mut text = format!("{}, {n_new} new", plural(*n_findings, "finding"));
            if !tools.is_empty() {
                text.push_str(&format!(", from {}", tools.join(", ")));
            }
            text.push('.');
            text
        }
        EventDetail::ScanFailed { error, .. } => format!("The scan failed: {error}"),
        EventDetail::GateFailed { violations } => {
            format!(
                "{} violated.",
                plural(violations.len() as u64, "policy rule")
            )
        }
        EventDetail::GatePassed {} => "No policy rule is violated.".to_owned(),
        EventDetail::FindingNew {
            n_new,
            min_severity,
        } => format!(
            "{} at or above {min_severity}.",
            plural(*n_new, "new finding")
        ),
        EventDetail::SlaBreached {
            n_overdue,
            max_days_overdue,
        } => format!(
            "{} past the SLA, the oldest by {}.",
            plural(*n_overdue, "finding"),
            plural(*max_days_overdue, "day")
        ),
        EventDetail::ApprovalRequired {
            approval_id,
            reason,
        } => format!("Approval {approval_id} is waiting for a person: {reason}"),
    }
}

/// Lines listed under the summary (the violated rules of a failed gate), at most
/// [`MAX_DETAILS`], with a last line counting the rest.
pub(crate) fn details(event: &Event) -> Vec<String> {
    let EventDetail::GateFailed { violations } = &event.detail else {
        return Vec::new();
    };
    let mut lines: Vec<String> = violations.iter().take(MAX_DETAILS).cloned().collect();
    if violations.len() > MAX_DETAILS {
        lines.push(format!("… and {} more", violations.len() - MAX_DETAILS));
    }
    lines
}

/// Whether the message shows counts and findings.
pub(crate) fn shows_findings(event: &Event) -> bool {
    event.kind().carries_findings() && (event.counts.total() > 0 || !event.top_findings.is_empty())
}

/// How many of the top findings are not listed.
pub(crate) fn n_unlisted(event: &Event) -> usize {
    event.top_findings.len().saturating_sub(MAX_FINDINGS)
}

/// Failures and breaches are bad news; otherwise the worst finding decides.
pub(crate) fn tone(event: &Event) -> Tone {
    match event.kind() {
        EventKind::ScanFailed | EventKind::GateFailed | EventKind::SlaBreached => Tone::Danger,
        EventKind::ApprovalRequired => Tone::Warning,
        EventKind::GatePassed => Tone::Good,
        EventKind::ScanCompleted | EventKind::FindingNew => match event.max_severity() {
            Some(Severity::Critical | Severity::High) => Tone::Danger,
            Some(Severity::Medium) => Tone::Warning,
            Some(Severity::Low | Severity::Info) | None => Tone::Good,
        },
    }
}

/// `Critical`, `High` …
pub(crate) fn severity_label(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical => "Critical",
        Severity::High => "High",
        Severity::Medium => "Medium",
        Severity::Low => "Low",
        Severity::Info => "Info",
    }
}

/// The date and time in UTC, to the minute: `2025-03-04 05:06 UTC`.
pub(crate) fn when(event: &Event) -> String {
    let t = event.occurred_at.to_offset(time::UtcOffset::UTC);
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02} UTC",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute()
    )
}

/// Cuts `text` to at most `max` characters, ending with `…` when cut.
pub(crate) fn truncate(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let mut out: String = text.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

fn plural(n: u64, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncation_counts_characters() {
        assert_eq!(truncate("héllo", 5), "héllo");
        assert_eq!(truncate("héllo wörld", 6), "héllo…");
    }

    #[test]
    fn plurals() {
        assert_eq!(plural(1, "finding"), "1 finding");
        assert_eq!(plural(0, "finding"), "0 findings");
    }
}
