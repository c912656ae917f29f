//! The storage interface of ward's server.
//!
//! [`Store`] is what the server holds (as `Arc<dyn Store>`): products → engagements → tests
//! (one imported report each) → findings deduplicated by fingerprint within a product, with
//! every report that saw a finding and an audit trail of its status changes; API keys and
//! dashboard users. Two crates implement it, `ward-store-sqlite` (the default, one file) and
//! `ward-store-postgres`, and both run the same behaviour tests, the `conformance` module (feature
//! `conformance`), so they behave alike.
//!
//! What is not SQL lives here so both backends share it: import planning ([`import::plan`]:
//! new, unchanged, reopened, closed), SLA due dates ([`SlaPolicy`]), pagination cursors
//! ([`cursor`]), column encodings ([`codec`]), triage state changes
//! ([`triage::LifecycleState`]), key and password hashing ([`auth`]), job retry backoff
//! ([`jobs`]).
#![warn(missing_docs)]

pub mod approvals;
pub mod auth;
pub mod codec;
#[cfg(feature = "conformance")]
pub mod conformance;
pub mod cursor;
mod error;
pub mod import;
pub mod jobs;
mod model;
pub mod notify;
pub mod query;
pub mod records;
pub mod sla;
pub mod summary;
pub mod trend;
pub mod triage;

use async_trait::async_trait;
use time::OffsetDateTime;

pub use approvals::{Approval, ApprovalId, ApprovalState, Decision, NewApproval};
pub use auth::{ApiKey, CreatedApiKey, NewApiKey, NewUser, Scope, User};
pub use error::{Error, Result};
pub use import::{ImportMode, ImportOutcome, ImportRequest, ImportTarget};
pub use jobs::{Job, JobFailure, JobFilter, JobId, JobRequest, JobState};
pub use model::{
    ApiKeyId, AuditEntry, BuildInfo, Engagement, EngagementId, FindingBrief, FindingDetail,
    FindingId, FindingSource, NewEngagement, NewProduct, Product, ProductId, ProductPolicy,
    StoredFinding, Test, TestId, UserId,
};
pub use notify::{
    Attempt, ChannelId, ImportMessages, Imported, ImportedFinding, MessageBuilder, MessageId,
    MessageState, NewChannel, NewMessage, NewTrigger, OutboxMessage, ProductHook, RecordedTrigger,
    RuleId, SlaBreach, StoredChannel, StoredRule, StoredTrigger,
};
pub use query::{Counts, FindingFilter, FindingQuery, Page, Sort, SortKey, StateCount};
pub use sla::SlaPolicy;
pub use trend::{ChangeWindow, DayChanges};
pub use triage::{Triage, TriageAction};

/// Options every backend is opened with.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StoreOptions {
    /// Days to fix per severity for products without their own policy.
    pub sla: SlaPolicy,
}

/// A findings store. Every method is one transaction: it either happens entirely or not at
/// all. Times given to the store are kept to whole seconds.
#[async_trait]
pub trait Store: Send + Sync {
    /// Whether the database answers (for readiness checks).
    async fn ping(&self) -> Result<()>;

    /// Creates a product. [`Error::Conflict`] when the name is taken.
    async fn create_product(&self, product: &NewProduct) -> Result<Product>;
    /// Replaces a product's fields (name included); a changed SLA policy recomputes the due
    /// dates of its findings.
    async fn update_product(&self, id: ProductId, product: &NewProduct) -> Result<Product>;
    /// A product by id.
    async fn product(&self, id: ProductId) -> Result<Product>;
    /// A product by name.
    async fn product_by_name(&self, name: &str) -> Result<Option<Product>>;
    /// Every product, by name.
    async fn list_products(&self) -> Result<Vec<Product>>;
    /// Deletes a product and everything under it in one transaction: engagements, tests,
    /// findings with their links, identifiers, audit trail and SLA notifications, its webhook
    /// settings and triggers, approvals, stored policy, and the jobs queued for it. Waits for
    /// imports into it to finish. Unrevoked API keys limited to products lose it from their
    /// list, and a key left with none is revoked (a new product of the same name is not open
    /// to it); queued outbox messages stay. [`Error::NotFound`] when there is no such product.
    async fn delete_product(&self, id: ProductId) -> Result<()>;

    /// Sets (or replaces) a product's stored gate policy text.
    async fn set_product_policy(&self, product: ProductId, text: &str) -> Result<ProductPolicy>;
    /// A product's stored gate policy, if it has one.
    async fn product_policy(&self, product: ProductId) -> Result<Option<ProductPolicy>>;
    /// Removes a product's stored gate policy; returns whether it had one.
    async fn delete_product_policy(&self, product: ProductId) -> Result<bool>;

    /// Creates an engagement in a product. [`Error::Conflict`] when the product has one of
    /// that name.
    async fn create_engagement(
        &self,
        product: ProductId,
        engagement: &NewEngagement,
    ) -> Result<Engagement>;
    /// An engagement by id.
    async fn engagement(&self, id: EngagementId) -> Result<Engagement>;
    /// An engagement by product and name.
    async fn engagement_by_name(
        &self,
        product: ProductId,
        name: &str,
    ) -> Result<Option<Engagement>>;
    /// A product's engagements, by name.
    async fn list_engagements(&self, product: ProductId) -> Result<Vec<Engagement>>;

    /// A test by id.
    async fn test(&self, id: TestId) -> Result<Test>;
    /// An engagement's tests, oldest first.
    async fn list_tests(&self, engagement: EngagementId) -> Result<Vec<Test>>;

    /// Imports or reimports one report (see [`ImportRequest`] and [`import::plan`]), in one
    /// transaction that also queues the request's outbox messages
    /// ([`ImportRequest::messages`]). Concurrent imports into one product are serialised.
    async fn import(&self, request: ImportRequest) -> Result<ImportOutcome>;

    /// A finding with its sources and history.
    async fn finding(&self, id: FindingId) -> Result<FindingDetail>;
    /// One page of findings.
    async fn find_findings(&self, query: &FindingQuery) -> Result<Page>;
    /// [`Store::find_findings`] with each finding's [`FindingBrief`] instead of the whole
    /// record: what lists show, without decoding the wide fields.
    async fn find_finding_briefs(&self, query: &FindingQuery) -> Result<Page<FindingBrief>>;
    /// The findings a filter matches, counted by severity, category, effective status and
    /// the active and verified flags.
    async fn count_states(&self, filter: &FindingFilter) -> Result<Vec<StateCount>>;
    /// How many findings a filter matches in each product (products without any are left
    /// out), for dashboards' "most findings" lists: one grouped query, not one per product.
    async fn count_by_product(&self, filter: &FindingFilter) -> Result<Vec<(ProductId, u64)>>;
    /// Counts of the findings a filter matches, for dashboards: [`Store::count_states`] summed.
    async fn count_findings(&self, filter: &FindingFilter) -> Result<Counts> {
        Ok(Counts::of_states(&self.count_states(filter).await?))
    }
    /// How many findings a filter matches, one number: no grouping to pay for (the
    /// overview's SLA breach count reads half a million index entries at a million
    /// findings, and grouping them cost fifteen times the count).
    async fn count_total(&self, filter: &FindingFilter) -> Result<u64> {
        Ok(self.count_findings(filter).await?.total)
    }
    /// Findings opened, closed and reopened per UTC day within `window`, oldest day first;
    /// days without changes are left out.
    async fn count_changes_by_day(&self, window: &ChangeWindow) -> Result<Vec<DayChanges>>;
    /// Applies a triage action to findings, writing one audit entry per finding whose state
    /// changes; returns those findings. Any unknown (or not allowed) id fails the whole call
    /// with [`Error::NotFound`].
    async fn triage(&self, ids: &[FindingId], triage: &Triage) -> Result<Vec<FindingId>>;
    /// Reopens findings whose risk acceptance ended at or before `now`, with an audit entry
    /// each; the server calls it periodically. Returns the reopened findings.
    async fn expire_risk_acceptances(&self, now: OffsetDateTime) -> Result<Vec<FindingId>>;

    /// Creates an API key; the returned secret is the only copy.
    async fn create_api_key(&self, key: &NewApiKey) -> Result<CreatedApiKey>;
    /// The unrevoked key whose secret this is, or `None`.
    async fn api_key_by_secret(&self, presented: &str) -> Result<Option<ApiKey>>;
    /// Every key, revoked ones included, oldest first.
    async fn list_api_keys(&self) -> Result<Vec<ApiKey>>;
    /// Revokes a key; it stops authenticating at once.
    async fn revoke_api_key(&self, id: ApiKeyId) -> Result<()>;

    /// Creates a dashboard user. [`Error::Conflict`] when the name is taken.
    async fn create_user(&self, user: &NewUser) -> Result<User>;
    /// The user, if the password is right.
    async fn verify_user(&self, username: &str, password: &str) -> Result<Option<User>>;
    /// Every dashboard user, by name (never their password hashes).
    async fn list_users(&self) -> Result<Vec<User>>;

    /// Creates a notification channel. [`Error::Conflict`] when the name is taken.
    async fn create_channel(&self, channel: &NewChannel) -> Result<StoredChannel>;
    /// Replaces the channel called `name` (its rules follow a rename).
    async fn update_channel(&self, name: &str, channel: &NewChannel) -> Result<StoredChannel>;
    /// A channel by name.
    async fn channel_by_name(&self, name: &str) -> Result<Option<StoredChannel>>;
    /// Every channel, by name.
    async fn list_channels(&self) -> Result<Vec<StoredChannel>>;
    /// Deletes a channel and its routing rules; queued messages stay (and fail as dead).
    async fn delete_channel(&self, name: &str) -> Result<()>;

    /// Adds a routing rule for an existing channel (`rule` is the rule's JSON).
    async fn create_rule(&self, channel: &str, rule: &str) -> Result<StoredRule>;
    /// Every routing rule, oldest first.
    async fn list_rules(&self) -> Result<Vec<StoredRule>>;
    /// Deletes a routing rule.
    async fn delete_rule(&self, id: RuleId) -> Result<()>;

    /// Queues messages, due at `now`; returns their ids in order.
    async fn enqueue(&self, messages: &[NewMessage], now: OffsetDateTime)
        -> Result<Vec<MessageId>>;
    /// Claims up to `limit` pending messages due at `now`, oldest first: they stay pending but
    /// are not due again before `lease_until`, so a crashed sender's messages come back and
    /// two senders never hold the same message. Sent and dead messages are never claimed.
    async fn claim_messages(
        &self,
        now: OffsetDateTime,
        limit: u32,
        lease_until: OffsetDateTime,
    ) -> Result<Vec<OutboxMessage>>;
    /// Records an attempt on a pending message (a failure adds one to its attempts). A message
    /// already sent or dead is left as it is.
    async fn record_attempt(&self, id: MessageId, attempt: &Attempt) -> Result<()>;
    /// Outbox messages, newest first, optionally of one state; at most `limit`.
    async fn list_messages(
        &self,
        state: Option<MessageState>,
        limit: u32,
    ) -> Result<Vec<OutboxMessage>>;

    /// Sets (or replaces) a product's git-host webhook settings.
    async fn set_product_hook(&self, product: ProductId, hook: &ProductHook) -> Result<()>;
    /// A product's webhook settings, if configured.
    async fn product_hook(&self, product: ProductId) -> Result<Option<ProductHook>>;
    /// Records a git-host trigger, queuing its scan job ([`NewTrigger::job`]); a
    /// `delete_branch` one also closes the engagement named after the branch. One
    /// transaction.
    async fn record_trigger(&self, trigger: &NewTrigger) -> Result<RecordedTrigger>;
    /// A product's triggers, oldest first.
    async fn list_triggers(&self, product: ProductId) -> Result<Vec<StoredTrigger>>;

    /// In one transaction: finds the open findings whose SLA due date is before `now` and
    /// that were not notified for that due date, queues the messages `build` makes of them
    /// (ordered by product, most severe first), and records them as notified. Returns the
    /// breaches; a second call finds none of them again.
    async fn notify_sla_breaches(
        &self,
        now: OffsetDateTime,
        build: &MessageBuilder<'_, [SlaBreach]>,
    ) -> Result<Vec<SlaBreach>>;

    /// Records a pending approval and queues the messages `build` makes of it, in one
    /// transaction.
    async fn create_approval(
        &self,
        approval: &NewApproval,
        build: &MessageBuilder<'_, Approval>,
    ) -> Result<Approval>;
    /// An approval by id.
    async fn approval(&self, id: ApprovalId) -> Result<Approval>;
    /// Decides a pending approval. [`Error::Conflict`] when it was already decided.
    async fn decide_approval(&self, id: ApprovalId, decision: &Decision) -> Result<Approval>;

    /// Queues a job, claimable at once.
    async fn enqueue_job(&self, request: &JobRequest) -> Result<Job>;
    /// Claims the oldest claimable job for `worker` with a lease until `now + lease`: a
    /// queued job whose `not_before` has come, or a running one whose lease ended before
    /// `now` (its worker is gone). Each job is handed to one claimer only, however many
    /// workers call at once. A job whose lease ran out on its last attempt is handed out once
    /// more with `attempts > max_attempts`: the claimer must not run it, only record its
    /// failure (so the failure is reported where the job's result was expected). `None` when
    /// nothing is claimable.
    async fn claim_job(
        &self,
        worker: &str,
        now: OffsetDateTime,
        lease: time::Duration,
    ) -> Result<Option<Job>>;
    /// Extends `worker`'s lease on a running job to `until`. [`Error::Conflict`] when the
    /// worker no longer holds it (its lease ran out and another worker claimed it).
    async fn extend_job_lease(&self, id: JobId, worker: &str, until: OffsetDateTime)
        -> Result<Job>;
    /// Marks a job `worker` holds as succeeded with the objects it wrote.
    /// [`Error::Conflict`] when the worker no longer holds it.
    async fn complete_job(
        &self,
        id: JobId,
        worker: &str,
        result_keys: &[String],
        now: OffsetDateTime,
    ) -> Result<Job>;
    /// Records a failed attempt: queued again after the backoff when the failure allows a
    /// retry and attempts remain, failed for good otherwise. [`Error::Conflict`] when the
    /// worker no longer holds it.
    async fn fail_job(
        &self,
        id: JobId,
        worker: &str,
        failure: &JobFailure,
        now: OffsetDateTime,
    ) -> Result<Job>;
    /// Gives a job back unfinished (a worker shutting down): queued again at once, the
    /// attempt not counted. [`Error::Conflict`] when the worker no longer holds it.
    async fn release_job(&self, id: JobId, worker: &str) -> Result<Job>;
    /// A job by id.
    async fn job(&self, id: JobId) -> Result<Job>;
    /// Jobs matching a filter, newest first.
    async fn list_jobs(&self, filter: &JobFilter) -> Result<Vec<Job>>;
}
