//! Notification storage: channels (their configuration stored as ciphertext made by the
//! caller), routing rules (stored as the caller's JSON) and the outbox, one row per event and
//! channel, which the server's delivery loop claims, sends and marks.
//!
//! The store knows nothing of channel types or event shapes: it keeps strings, so encryption
//! (ward-vault) and routing (ward-notify) stay in the server. Where messages must be queued
//! with the change they describe (an import, an SLA check, an approval request), the caller
//! passes a builder ([`ImportMessages`], [`MessageBuilder`]) that the store calls inside that
//! change's transaction: the change and its messages are committed together or not at all.

use std::sync::Arc;

use time::OffsetDateTime;
use ward_core::{Finding, Severity};

use crate::{FindingId, ImportOutcome, ProductId};

/// A channel's row id.
pub type ChannelId = i64;
/// A routing rule's row id.
pub type RuleId = i64;
/// An outbox message's row id.
pub type MessageId = i64;

/// A channel to create or replace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewChannel {
    /// Unique name, used by routing rules.
    pub name: String,
    /// Channel type (`slack`, `webhook`, `email` …).
    pub kind: String,
    /// The configuration JSON, its secret fields already encrypted by the caller.
    pub config: String,
}

/// A stored channel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredChannel {
    /// Row id.
    pub id: ChannelId,
    /// Unique name.
    pub name: String,
    /// Channel type.
    pub kind: String,
    /// The configuration JSON as stored (secret fields encrypted).
    pub config: String,
    /// When it was created.
    pub created_at: OffsetDateTime,
    /// When it was last changed.
    pub updated_at: OffsetDateTime,
}

/// A stored routing rule: the channel it names and the rule's JSON.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredRule {
    /// Row id.
    pub id: RuleId,
    /// The channel's name (the rule is deleted with its channel).
    pub channel: String,
    /// The rule as JSON (`ward_notify::routing::Rule`).
    pub rule: String,
    /// When it was created.
    pub created_at: OffsetDateTime,
}

/// One message to queue: an event for a channel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewMessage {
    /// The channel's name.
    pub channel: String,
    /// The event's kind (`finding.new` …), for listings.
    pub kind: String,
    /// The event as JSON.
    pub event: String,
}

/// Where an outbox message is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MessageState {
    /// Waiting for its first or next attempt.
    Pending,
    /// Delivered; never sent again.
    Sent,
    /// Given up on after too many failures or a permanent refusal.
    Dead,
}

impl MessageState {
    /// The stored and API name.
    pub fn as_str(self) -> &'static str {
        match self {
            MessageState::Pending => "pending",
            MessageState::Sent => "sent",
            MessageState::Dead => "dead",
        }
    }

    /// The state named `name`, if any.
    pub fn from_name(name: &str) -> Option<MessageState> {
        [
            MessageState::Pending,
            MessageState::Sent,
            MessageState::Dead,
        ]
        .into_iter()
        .find(|s| s.as_str() == name)
    }
}

/// An outbox row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxMessage {
    /// Row id.
    pub id: MessageId,
    /// The channel's name.
    pub channel: String,
    /// The event's kind.
    pub kind: String,
    /// The event as JSON.
    pub event: String,
    /// Where it is.
    pub state: MessageState,
    /// Failed attempts so far (a success does not count).
    pub attempts: u32,
    /// When it is due (pending), or was last due.
    pub next_attempt_at: OffsetDateTime,
    /// The last failure's message (never contains channel secrets).
    pub last_error: Option<String>,
    /// When it was queued.
    pub created_at: OffsetDateTime,
    /// When it was delivered.
    pub sent_at: Option<OffsetDateTime>,
}

/// What became of one delivery attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Attempt {
    /// Delivered at this time.
    Sent(OffsetDateTime),
    /// Failed; try again at `next_attempt_at`.
    Retry {
        /// The failure.
        error: String,
        /// When to try again.
        next_attempt_at: OffsetDateTime,
    },
    /// Failed for good.
    Dead {
        /// The failure.
        error: String,
    },
}

/// A product's git-host webhook settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProductHook {
    /// The webhook secret (GitLab token or GitHub HMAC key), encrypted by the caller.
    pub secret: String,
    /// Branch globs whose pushes and merge requests start scans (`main`, `release/*`).
    pub branches: Vec<String>,
    /// The scanners (adapter ids) the scans it starts run; `None`: the server's defaults.
    pub scanners: Option<Vec<String>>,
    /// A token the scans' clones present to the git host (private repositories), encrypted
    /// by the caller.
    pub git_token: Option<String>,
}

/// A git-host event to record: a scan to start, or a branch deleted.
#[derive(Debug, Clone, PartialEq)]
pub struct NewTrigger {
    /// The product.
    pub product: crate::ProductId,
    /// `gitlab` or `github`.
    pub provider: String,
    /// `push`, `merge_request` or `delete_branch`.
    pub kind: String,
    /// The branch (the engagement's name).
    pub branch: String,
    /// The commit to scan.
    pub commit_sha: Option<String>,
    /// Where to fetch it from.
    pub clone_url: String,
    /// The whole normalized trigger as JSON.
    pub data: String,
    /// The scan job to queue with it, in the same transaction.
    pub job: Option<crate::JobRequest>,
}

/// A recorded trigger.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredTrigger {
    /// Row id.
    pub id: i64,
    /// The product.
    pub product: crate::ProductId,
    /// `gitlab` or `github`.
    pub provider: String,
    /// `push`, `merge_request` or `delete_branch`.
    pub kind: String,
    /// The branch.
    pub branch: String,
    /// The commit.
    pub commit_sha: Option<String>,
    /// Where to fetch it from.
    pub clone_url: String,
    /// The normalized trigger as JSON.
    pub data: String,
    /// The scan job it queued.
    pub job: Option<crate::JobId>,
    /// When it arrived.
    pub created_at: OffsetDateTime,
}

/// What recording a trigger did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedTrigger {
    /// The stored row.
    pub trigger: StoredTrigger,
    /// A `delete_branch` trigger closed the branch's engagement.
    pub closed_engagement: bool,
}

/// Builds outbox messages from what a transaction is about to commit; an error rolls the
/// whole transaction back.
pub type MessageBuilder<'a, T> = dyn Fn(&T) -> crate::Result<Vec<NewMessage>> + Send + Sync + 'a;

/// What an import wrote, as its messages builder sees it before the commit.
#[derive(Debug)]
pub struct Imported<'a> {
    /// The outcome the import will return.
    pub outcome: &'a ImportOutcome,
    /// Every finding of the report (after minimum-severity filtering and merging), with its
    /// id and whether the import created it, in report order.
    pub findings: Vec<ImportedFinding<'a>>,
}

/// One finding of an imported report.
#[derive(Debug, Clone, Copy)]
pub struct ImportedFinding<'a> {
    /// Its id in the product.
    pub id: FindingId,
    /// The finding as reported.
    pub finding: &'a Finding,
    /// The import created it (the product did not have it).
    pub is_new: bool,
}

/// The outbox messages an import queues in its own transaction
/// ([`ImportRequest::messages`](crate::ImportRequest::messages)).
#[derive(Clone)]
pub struct ImportMessages(pub Arc<ImportMessagesFn>);

/// What [`ImportMessages`] holds: a builder over any [`Imported`].
pub type ImportMessagesFn = dyn Fn(&Imported<'_>) -> crate::Result<Vec<NewMessage>> + Send + Sync;

impl ImportMessages {
    /// Calls the builder.
    pub fn build(&self, imported: &Imported<'_>) -> crate::Result<Vec<NewMessage>> {
        (self.0)(imported)
    }
}

impl std::fmt::Debug for ImportMessages {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ImportMessages(..)")
    }
}

/// Two requests are equal whatever builders they carry: a builder is not data.
impl PartialEq for ImportMessages {
    fn eq(&self, _other: &ImportMessages) -> bool {
        true
    }
}

/// An open finding past its SLA due date, not notified yet for that due date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SlaBreach {
    /// The finding.
    pub id: FindingId,
    /// Its product.
    pub product_id: ProductId,
    /// The product's name.
    pub product: String,
    /// Its severity.
    pub severity: Severity,
    /// Its title.
    pub title: String,
    /// Where it is: a file path, package or URL, when stored.
    pub location: Option<String>,
    /// The due date it missed.
    pub sla_due: OffsetDateTime,
}
