//! Gate approvals: a gate whose policy needs a person's approval records a pending approval
//! that the waiting pipeline polls until someone with the triage scope approves or refuses
//! it, saying why. Who decided, when and why are kept.

use time::OffsetDateTime;

use crate::error::{Error, Result};
use crate::{EngagementId, ProductId};

/// An approval's row id.
pub type ApprovalId = i64;

/// Where an approval is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ApprovalState {
    /// Waiting for a decision.
    Pending,
    /// Granted: the pipeline may go on.
    Approved,
    /// Refused: the pipeline fails.
    Refused,
}

impl ApprovalState {
    /// The stored and API name.
    pub fn as_str(self) -> &'static str {
        match self {
            ApprovalState::Pending => "pending",
            ApprovalState::Approved => "approved",
            ApprovalState::Refused => "refused",
        }
    }

    /// The state of a stored name.
    pub fn from_name(name: &str) -> Result<ApprovalState> {
        Ok(match name {
            "pending" => ApprovalState::Pending,
            "approved" => ApprovalState::Approved,
            "refused" => ApprovalState::Refused,
            _ => return Err(Error::corrupt("approvals.state", name)),
        })
    }
}

/// An approval to request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewApproval {
    /// The product gated.
    pub product: ProductId,
    /// The engagement gated.
    pub engagement: EngagementId,
    /// The gate's verdict JSON, shown to whoever decides.
    pub verdict: String,
    /// Who ran the gate (a key or user name).
    pub requested_by: String,
}

/// A decision on a pending approval.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    /// [`ApprovalState::Approved`] or [`ApprovalState::Refused`].
    pub state: ApprovalState,
    /// Who decided.
    pub actor: String,
    /// Why.
    pub reason: String,
    /// When.
    pub now: OffsetDateTime,
}

/// A stored approval.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Approval {
    /// Row id.
    pub id: ApprovalId,
    /// The product gated.
    pub product: ProductId,
    /// The engagement gated.
    pub engagement: EngagementId,
    /// Where it is.
    pub state: ApprovalState,
    /// The gate's verdict JSON.
    pub verdict: String,
    /// Who ran the gate.
    pub requested_by: String,
    /// Who decided.
    pub decided_by: Option<String>,
    /// Why.
    pub reason: Option<String>,
    /// When it was requested.
    pub created_at: OffsetDateTime,
    /// When it was decided.
    pub decided_at: Option<OffsetDateTime>,
}
