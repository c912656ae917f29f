//! The PostgreSQL backend of ward's store, for many server processes on one database
//! (`--database postgres://…`).
//!
//! Imports into one product are serialised with a transaction-level advisory lock on the
//! product, taken before anything is read: concurrent imports then see each other's
//! committed rows, as on SQLite, and the unique index on `(product_id, fingerprint)` with
//! `ON CONFLICT` stays the last guard against duplicates. Other writes are single
//! transactions in `READ COMMITTED`; triage locks the rows it changes.
//!
//! All SQL is plain `sqlx::query` with binds; the schema is in `migrations/`, applied on
//! connect (sqlx's migrator takes its own lock, so processes starting together are safe).
#![warn(missing_docs)]

mod approvals;
mod catalog;
mod findings;
mod hooks;
mod import;
mod jobs;
mod keycache;
mod keys;
mod notify;
mod policies;
mod rows;
mod sla;
mod trend;

use std::str::FromStr;
use std::sync::Arc;

use async_trait::async_trait;
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::Connection;
use time::OffsetDateTime;
use ward_store::{codec, Approval, ApprovalId, Decision, MessageBuilder, NewApproval, SlaBreach};
use ward_store::{
    ApiKey, ApiKeyId, Attempt, CreatedApiKey, Engagement, EngagementId, Error, FindingBrief,
    FindingDetail, FindingFilter, FindingId, FindingQuery, ImportOutcome, ImportRequest, MessageId,
    MessageState, NewApiKey, NewChannel, NewEngagement, NewMessage, NewProduct, NewTrigger,
    NewUser, OutboxMessage, Page, Product, ProductHook, ProductId, ProductPolicy, RecordedTrigger,
    Result, RuleId, StateCount, Store, StoreOptions, StoredChannel, StoredRule, StoredTrigger,
    Test, TestId, Triage, User,
};
use ward_store::{ChangeWindow, DayChanges, Job, JobFailure, JobFilter, JobId, JobRequest};

use crate::keycache::KeyCache;
use crate::rows::db;

/// Connections per server process.
const MAX_CONNECTIONS: u32 = 16;

/// A pooled connection idle for longer than this is pinged before use; one in steady use is
/// not (a ping is a round trip to the server, as much as a short query).
const PING_AFTER_IDLE: std::time::Duration = std::time::Duration::from_secs(10);

/// The store on a PostgreSQL database.
#[derive(Clone)]
pub struct PgStore {
    pool: PgPool,
    options: StoreOptions,
    keys: Arc<KeyCache>,
}

impl PgStore {
    /// Connects to a `postgres://` URL and applies the migrations.
    pub async fn connect(url: &str, options: StoreOptions) -> Result<PgStore> {
        let connect = PgConnectOptions::from_str(url)
            .map_err(|e| Error::invalid("database url", e.to_string()))?;
        let pool = PgPoolOptions::new()
            .max_connections(MAX_CONNECTIONS)
            .test_before_acquire(false)
            .before_acquire(|conn, meta| {
                Box::pin(async move {
                    // A connection the server has dropped (a restart) is discarded.
                    Ok(meta.idle_for < PING_AFTER_IDLE || conn.ping().await.is_ok())
                })
            })
            .connect_with(connect)
            .await
            .map_err(db)?;
        sqlx::migrate!("./migrations")
            .run(&pool)
            .await
            .map_err(|e| Error::Migration(Box::new(e)))?;
        let keys = Arc::new(KeyCache::start(pool.clone()));
        Ok(PgStore {
            pool,
            options,
            keys,
        })
    }

    /// Whether verified API keys are served from memory (the store listens for key
    /// changes); for tests.
    pub fn caches_keys(&self) -> bool {
        self.keys.is_listening()
    }

    /// How many verified API keys it holds in memory; for tests.
    pub fn cached_keys(&self) -> usize {
        self.keys.len()
    }

    async fn conn(&self) -> Result<sqlx::pool::PoolConnection<sqlx::Postgres>> {
        self.pool.acquire().await.map_err(db)
    }

    async fn writer(&self) -> Result<sqlx::Transaction<'static, sqlx::Postgres>> {
        self.pool.begin().await.map_err(db)
    }
}

/// Commits `tx` after a success, else rolls it back before returning. A transaction merely
/// dropped is rolled back when the pool next pings its connection, in a task of its own, and
/// until then its row locks hide rows from `SKIP LOCKED` readers (a retried claim or SLA
/// check would miss them).
pub(crate) async fn finish<T>(
    tx: sqlx::Transaction<'static, sqlx::Postgres>,
    result: Result<T>,
) -> Result<T> {
    match result {
        Ok(value) => {
            tx.commit().await.map_err(db)?;
            Ok(value)
        }
        Err(error) => {
            tx.rollback().await.map_err(db)?;
            Err(error)
        }
    }
}

/// Only the type: connection options hold the database password.
impl std::fmt::Debug for PgStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgStore").finish_non_exhaustive()
    }
}

#[async_trait]
impl Store for PgStore {
    async fn ping(&self) -> Result<()> {
        sqlx::query("SELECT 1")
            .execute(&self.pool)
            .await
            .map_err(db)?;
        Ok(())
    }

    async fn create_product(&self, product: &NewProduct) -> Result<Product> {
        let mut tx = self.writer().await?;
        let created = catalog::create_product(&mut tx, product, OffsetDateTime::now_utc()).await;
        finish(tx, created).await
    }

    async fn update_product(&self, id: ProductId, product: &NewProduct) -> Result<Product> {
        let mut tx = self.writer().await?;
        let updated = catalog::update_product(&mut tx, id, product, &self.options.sla).await;
        finish(tx, updated).await
    }

    async fn product(&self, id: ProductId) -> Result<Product> {
        catalog::product_by_id(&mut *self.conn().await?, id).await
    }

    async fn product_by_name(&self, name: &str) -> Result<Option<Product>> {
        catalog::product_by_name(&mut *self.conn().await?, name).await
    }

    async fn list_products(&self) -> Result<Vec<Product>> {
        catalog::list_products(&mut *self.conn().await?).await
    }

    async fn delete_product(&self, id: ProductId) -> Result<()> {
        let mut tx = self.writer().await?;
        let deleted = catalog::delete_product(&mut tx, id).await;
        finish(tx, deleted).await?;
        // Keys limited to the product changed.
        self.keys.invalidate();
        Ok(())
    }

    async fn set_product_policy(&self, product: ProductId, text: &str) -> Result<ProductPolicy> {
        let mut tx = self.writer().await?;
        let set = policies::set(&mut tx, product, text, OffsetDateTime::now_utc()).await;
        finish(tx, set).await
    }

    async fn product_policy(&self, product: ProductId) -> Result<Option<ProductPolicy>> {
        policies::get(&mut *self.conn().await?, product).await
    }

    async fn delete_product_policy(&self, product: ProductId) -> Result<bool> {
        let mut tx = self.writer().await?;
        let deleted = policies::delete(&mut tx, product).await;
        finish(tx, deleted).await
    }

    async fn create_engagement(
        &self,
        product: ProductId,
        engagement: &NewEngagement,
    ) -> Result<Engagement> {
        let mut tx = self.writer().await?;
        let now = OffsetDateTime::now_utc();
        let created = catalog::create_engagement(&mut tx, product, engagement, now).await;
        finish(tx, created).await
    }

    async fn engagement(&self, id: EngagementId) -> Result<Engagement> {
        catalog::engagement_by_id(&mut *self.conn().await?, id).await
    }

    async fn engagement_by_name(
        &self,
        product: ProductId,
        name: &str,
    ) -> Result<Option<Engagement>> {
        catalog::engagement_by_name(&mut *self.conn().await?, product, name).await
    }

    async fn list_engagements(&self, product: ProductId) -> Result<Vec<Engagement>> {
        catalog::list_engagements(&mut *self.conn().await?, product).await
    }

    async fn test(&self, id: TestId) -> Result<Test> {
        catalog::test_by_id(&mut *self.conn().await?, id).await
    }

    async fn list_tests(&self, engagement: EngagementId) -> Result<Vec<Test>> {
        catalog::list_tests(&mut *self.conn().await?, engagement).await
    }

    async fn import(&self, request: ImportRequest) -> Result<ImportOutcome> {
        import::import(self, request).await
    }

    async fn finding(&self, id: FindingId) -> Result<FindingDetail> {
        findings::detail(&mut *self.conn().await?, id).await
    }

    async fn find_findings(&self, query: &FindingQuery) -> Result<Page> {
        findings::find(&mut *self.conn().await?, query).await
    }

    async fn find_finding_briefs(&self, query: &FindingQuery) -> Result<Page<FindingBrief>> {
        findings::find(&mut *self.conn().await?, query).await
    }

    async fn count_states(&self, filter: &FindingFilter) -> Result<Vec<StateCount>> {
        findings::count_states(&mut *self.conn().await?, filter).await
    }

    async fn count_by_product(&self, filter: &FindingFilter) -> Result<Vec<(ProductId, u64)>> {
        findings::count_by_product(&mut *self.conn().await?, filter).await
    }

    async fn count_total(&self, filter: &FindingFilter) -> Result<u64> {
        findings::count_total(&mut *self.conn().await?, filter).await
    }

    async fn count_changes_by_day(&self, window: &ChangeWindow) -> Result<Vec<DayChanges>> {
        trend::by_day(&mut *self.conn().await?, window).await
    }

    async fn triage(&self, ids: &[FindingId], triage: &Triage) -> Result<Vec<FindingId>> {
        let mut tx = self.writer().await?;
        let changed = findings::triage(&mut tx, ids, triage).await;
        finish(tx, changed).await
    }

    async fn expire_risk_acceptances(&self, now: OffsetDateTime) -> Result<Vec<FindingId>> {
        let mut tx = self.writer().await?;
        let reopened = findings::expire(&mut tx, now).await;
        finish(tx, reopened).await
    }

    async fn create_api_key(&self, key: &NewApiKey) -> Result<CreatedApiKey> {
        let mut tx = self.writer().await?;
        let created = keys::create_key(&mut tx, key).await;
        finish(tx, created).await
    }

    async fn api_key_by_secret(&self, presented: &str) -> Result<Option<ApiKey>> {
        let hash = ward_store::auth::hash_key(presented);
        if let Some(key) = self.keys.get(&hash) {
            return Ok(Some(key));
        }
        let generation = self.keys.generation();
        let key = keys::key_by_secret(&mut *self.conn().await?, presented).await?;
        if let (Some(key), Some(generation)) = (&key, generation) {
            self.keys.put(hash, key.clone(), generation);
        }
        Ok(key)
    }

    async fn list_api_keys(&self) -> Result<Vec<ApiKey>> {
        keys::list_keys(&mut *self.conn().await?).await
    }

    async fn revoke_api_key(&self, id: ApiKeyId) -> Result<()> {
        let mut tx = self.writer().await?;
        let revoked = keys::revoke_key(&mut tx, id).await;
        finish(tx, revoked).await?;
        self.keys.invalidate();
        Ok(())
    }

    async fn create_user(&self, user: &NewUser) -> Result<User> {
        let prepared = keys::prepare_user(user).await?;
        let mut tx = self.writer().await?;
        let created = keys::create_user(&mut tx, prepared, user).await;
        finish(tx, created).await
    }

    async fn verify_user(&self, username: &str, password: &str) -> Result<Option<User>> {
        keys::verify_user(&mut *self.conn().await?, username, password).await
    }

    async fn list_users(&self) -> Result<Vec<User>> {
        keys::list_users(&mut *self.conn().await?).await
    }

    async fn create_channel(&self, channel: &NewChannel) -> Result<StoredChannel> {
        let mut tx = self.writer().await?;
        let created = notify::create_channel(&mut tx, channel, OffsetDateTime::now_utc()).await;
        finish(tx, created).await
    }

    async fn update_channel(&self, name: &str, channel: &NewChannel) -> Result<StoredChannel> {
        let mut tx = self.writer().await?;
        let now = OffsetDateTime::now_utc();
        let updated = notify::update_channel(&mut tx, name, channel, now).await;
        finish(tx, updated).await
    }

    async fn channel_by_name(&self, name: &str) -> Result<Option<StoredChannel>> {
        notify::channel_by_name(&mut *self.conn().await?, name).await
    }

    async fn list_channels(&self) -> Result<Vec<StoredChannel>> {
        notify::list_channels(&mut *self.conn().await?).await
    }

    async fn delete_channel(&self, name: &str) -> Result<()> {
        let mut tx = self.writer().await?;
        let done = notify::delete_channel(&mut tx, name).await;
        finish(tx, done).await
    }

    async fn create_rule(&self, channel: &str, rule: &str) -> Result<StoredRule> {
        let mut tx = self.writer().await?;
        let created = notify::create_rule(&mut tx, channel, rule, OffsetDateTime::now_utc()).await;
        finish(tx, created).await
    }

    async fn list_rules(&self) -> Result<Vec<StoredRule>> {
        notify::list_rules(&mut *self.conn().await?).await
    }

    async fn delete_rule(&self, id: RuleId) -> Result<()> {
        let mut tx = self.writer().await?;
        let done = notify::delete_rule(&mut tx, id).await;
        finish(tx, done).await
    }

    async fn enqueue(
        &self,
        messages: &[NewMessage],
        now: OffsetDateTime,
    ) -> Result<Vec<MessageId>> {
        let mut tx = self.writer().await?;
        let ids = notify::enqueue(&mut tx, messages, now).await;
        finish(tx, ids).await
    }

    async fn claim_messages(
        &self,
        now: OffsetDateTime,
        limit: u32,
        lease_until: OffsetDateTime,
    ) -> Result<Vec<OutboxMessage>> {
        let mut tx = self.writer().await?;
        let claimed = notify::claim(&mut tx, now, limit, lease_until).await;
        finish(tx, claimed).await
    }

    async fn enqueue_job(&self, request: &JobRequest) -> Result<Job> {
        let mut tx = self.writer().await?;
        let queued = jobs::enqueue(&mut tx, request).await;
        finish(tx, queued).await
    }

    async fn claim_job(
        &self,
        worker: &str,
        now: OffsetDateTime,
        lease: time::Duration,
    ) -> Result<Option<Job>> {
        let mut tx = self.writer().await?;
        let claimed = jobs::claim(&mut tx, worker, now, lease).await;
        finish(tx, claimed).await
    }

    async fn record_attempt(&self, id: MessageId, attempt: &Attempt) -> Result<()> {
        let mut tx = self.writer().await?;
        let done = notify::record_attempt(&mut tx, id, attempt).await;
        finish(tx, done).await
    }

    async fn list_messages(
        &self,
        state: Option<MessageState>,
        limit: u32,
    ) -> Result<Vec<OutboxMessage>> {
        notify::list_messages(&mut *self.conn().await?, state, limit).await
    }

    async fn set_product_hook(&self, product: ProductId, hook: &ProductHook) -> Result<()> {
        let mut tx = self.writer().await?;
        let done = hooks::set_hook(&mut tx, product, hook, OffsetDateTime::now_utc()).await;
        finish(tx, done).await
    }

    async fn product_hook(&self, product: ProductId) -> Result<Option<ProductHook>> {
        hooks::hook(&mut *self.conn().await?, product).await
    }

    async fn record_trigger(&self, trigger: &NewTrigger) -> Result<RecordedTrigger> {
        let mut tx = self.writer().await?;
        let recorded = hooks::record(&mut tx, trigger, OffsetDateTime::now_utc()).await;
        finish(tx, recorded).await
    }

    async fn list_triggers(&self, product: ProductId) -> Result<Vec<StoredTrigger>> {
        hooks::list(&mut *self.conn().await?, product).await
    }

    async fn notify_sla_breaches(
        &self,
        now: OffsetDateTime,
        build: &MessageBuilder<'_, [SlaBreach]>,
    ) -> Result<Vec<SlaBreach>> {
        let mut tx = self.writer().await?;
        let breaches = sla::notify_breaches(&mut tx, codec::truncate(now), build).await;
        finish(tx, breaches).await
    }

    async fn create_approval(
        &self,
        approval: &NewApproval,
        build: &MessageBuilder<'_, Approval>,
    ) -> Result<Approval> {
        let mut tx = self.writer().await?;
        let now = codec::truncate(OffsetDateTime::now_utc());
        let created = approvals::create(&mut tx, approval, build, now).await;
        finish(tx, created).await
    }

    async fn approval(&self, id: ApprovalId) -> Result<Approval> {
        approvals::by_id(&mut *self.conn().await?, id).await
    }

    async fn decide_approval(&self, id: ApprovalId, decision: &Decision) -> Result<Approval> {
        let mut tx = self.writer().await?;
        let decided = approvals::decide(&mut tx, id, decision).await;
        finish(tx, decided).await
    }

    async fn extend_job_lease(
        &self,
        id: JobId,
        worker: &str,
        until: OffsetDateTime,
    ) -> Result<Job> {
        let mut tx = self.writer().await?;
        let extended = jobs::extend(&mut tx, id, worker, until).await;
        finish(tx, extended).await
    }

    async fn complete_job(
        &self,
        id: JobId,
        worker: &str,
        result_keys: &[String],
        now: OffsetDateTime,
    ) -> Result<Job> {
        let mut tx = self.writer().await?;
        let completed = jobs::complete(&mut tx, id, worker, result_keys, now).await;
        finish(tx, completed).await
    }

    async fn fail_job(
        &self,
        id: JobId,
        worker: &str,
        failure: &JobFailure,
        now: OffsetDateTime,
    ) -> Result<Job> {
        let mut tx = self.writer().await?;
        let failed = jobs::fail(&mut tx, id, worker, failure, now).await;
        finish(tx, failed).await
    }

    async fn release_job(&self, id: JobId, worker: &str) -> Result<Job> {
        let mut tx = self.writer().await?;
        let released = jobs::release(&mut tx, id, worker).await;
        finish(tx, released).await
    }

    async fn job(&self, id: JobId) -> Result<Job> {
        jobs::by_id(&mut *self.conn().await?, id).await
    }

    async fn list_jobs(&self, filter: &JobFilter) -> Result<Vec<Job>> {
        jobs::list(&mut *self.conn().await?, filter).await
    }
}
