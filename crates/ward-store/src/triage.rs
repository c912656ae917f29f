//! Triage: the status changes people make, and how each one changes a finding's state.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use ward_core::Status;

use crate::model::ProductId;

/// One change to apply to one or many findings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum TriageAction {
    /// Not a real issue; later imports keep it suppressed.
    FalsePositive,
    /// The risk is accepted, until a date (after which the finding reopens) or indefinitely.
    AcceptRisk {
        /// When the acceptance ends.
        #[serde(default, with = "time::serde::rfc3339::option")]
        until: Option<OffsetDateTime>,
    },
    /// Fixed.
    Mitigate,
    /// Does not apply here.
    OutOfScope,
    /// Open again, whatever the status was.
    Reopen,
    /// Set or clear who works on it; the status stays.
    Assign {
        /// The assignee; `None` clears it.
        assignee: Option<String>,
    },
}

/// A triage request: the action, who asks and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Triage {
    /// What to do.
    #[serde(flatten)]
    pub action: TriageAction,
    /// Who asks (a user or key name), for the audit trail.
    pub actor: String,
    /// Why, for the audit trail.
    #[serde(default)]
    pub reason: Option<String>,
    /// Only findings of these products may be changed (an API key's list); any other id is
    /// answered as not found. `None` is every product.
    #[serde(default)]
    pub allowed_products: Option<Vec<ProductId>>,
    /// When; `None` is now.
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub at: Option<OffsetDateTime>,
}

impl Triage {
    /// A triage by `actor` with no reason, on any product, now.
    pub fn new(action: TriageAction, actor: impl Into<String>) -> Triage {
        Triage {
            action,
            actor: actor.into(),
            reason: None,
            allowed_products: None,
            at: None,
        }
    }
}

/// The mutable lifecycle columns of a stored finding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LifecycleState {
    /// Status.
    pub status: Status,
    /// DefectDojo's active flag.
    pub active: bool,
    /// End of a risk acceptance.
    pub risk_accepted_until: Option<OffsetDateTime>,
    /// When it was closed as mitigated.
    pub mitigated_at: Option<OffsetDateTime>,
    /// Who works on it.
    pub assignee: Option<String>,
}

impl LifecycleState {
    /// The state after `action` at `at`. Backends write it and one audit entry.
    pub fn after(&self, action: &TriageAction, at: OffsetDateTime) -> LifecycleState {
        let closed = |status: Status| LifecycleState {
            status,
            active: false,
            risk_accepted_until: None,
            mitigated_at: None,
            assignee: self.assignee.clone(),
        };
        match action {
            TriageAction::FalsePositive => closed(Status::FalsePositive),
            TriageAction::OutOfScope => closed(Status::OutOfScope),
            TriageAction::AcceptRisk { until } => LifecycleState {
                risk_accepted_until: *until,
                ..closed(Status::Accepted)
            },
            TriageAction::Mitigate => LifecycleState {
                mitigated_at: Some(at),
                ..closed(Status::Mitigated)
            },
            TriageAction::Reopen => LifecycleState {
                status: Status::Open,
                active: true,
                risk_accepted_until: None,
                mitigated_at: None,
                assignee: self.assignee.clone(),
            },
            TriageAction::Assign { assignee } => LifecycleState {
                assignee: assignee
                    .as_deref()
                    .map(str::trim)
                    .filter(|a| !a.is_empty())
                    .map(str::to_string),
                ..self.clone()
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::*;

    #[test]
    fn actions_change_state() {
        let at = datetime!(2024-03-01 0:00 UTC);
        let open = LifecycleState {
            status: Status::Open,
            active: true,
            risk_accepted_until: None,
            mitigated_at: None,
            assignee: Some("ana".into()),
        };
        let until = Some(datetime!(2024-04-01 0:00 UTC));
        let accepted = open.after(&TriageAction::AcceptRisk { until }, at);
        assert_eq!(accepted.status, Status::Accepted);
        assert!(!accepted.active);
        assert_eq!(accepted.risk_accepted_until, until);
        assert_eq!(accepted.assignee.as_deref(), Some("ana"));
        let reopened = accepted.after(&TriageAction::Reopen, at);
        assert_eq!(reopened.status, Status::Open);
        assert_eq!(reopened.risk_accepted_until, None);
        let mitigated = open.after(&TriageAction::Mitigate, at);
        assert_eq!(mitigated.mitigated_at, Some(at));
        let unassigned = open.after(&TriageAction::Assign { assignee: None }, at);
        assert_eq!(
            (unassigned.status, unassigned.assignee),
            (Status::Open, None)
        );
    }
}
