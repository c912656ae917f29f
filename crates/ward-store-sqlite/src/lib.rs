//! The SQLite backend of ward's store: one database file (by default
//! `<data-dir>/ward.sqlite3`), zero configuration.
//!
//! SQLite allows one writer at a time, so the store keeps a pool of one connection for
//! writes, each write a `BEGIN IMMEDIATE` transaction (imports are therefore serialised and
//! never interleave), and a pool of readers that WAL mode lets run alongside it. Another
//! process (`ward admin …` while `ward serve` runs) waits for the write lock up to the busy
//! timeout.
//!
//! All SQL is plain `sqlx::query` with binds; the schema is in `migrations/`, applied on
//! open.
#![warn(missing_docs)]

mod approvals;
mod catalog;
mod findings;
mod hooks;
mod import;
mod jobs;
mod keys;
mod notify;
mod policies;
mod rows;
mod sla;
mod trend;

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use async_trait::async_trait;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
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

use crate::rows::db;

/// The database file's name inside the data directory.
pub const DATABASE_FILE: &str = "ward.sqlite3";

/// How long a write waits for another process holding the database's write lock.
const BUSY_TIMEOUT: Duration = Duration::from_secs(30);

/// Readers that may run at once.
const MAX_READERS: u32 = 8;

/// Bytes of the database file each connection maps into memory.
const MMAP_SIZE: u64 = 1 << 30;

/// The writer's page cache, in KiB (SQLite reads a negative `cache_size` as KiB).
const WRITER_CACHE: i64 = -128 * 1024;

/// The store on one SQLite file.
#[derive(Clone)]
pub struct SqliteStore {
    read: SqlitePool,
    write: SqlitePool,
    options: StoreOptions,
}

impl SqliteStore {
    /// Opens (creating the directory and file if needed) `<data_dir>/ward.sqlite3` and
    /// applies the migrations.
    pub async fn open_in_dir(data_dir: &Path, options: StoreOptions) -> Result<SqliteStore> {
        std::fs::create_dir_all(data_dir).map_err(|e| Error::Database(Box::new(e)))?;
        SqliteStore::open(&data_dir.join(DATABASE_FILE), options).await
    }

    /// Opens (creating if needed) the database file at `path` and applies the migrations.
    pub async fn open(path: &Path, options: StoreOptions) -> Result<SqliteStore> {
        let connect = SqliteConnectOptions::new().filename(path);
        SqliteStore::open_with(connect, options).await
    }

    /// Opens a `sqlite:` URL (`sqlite:///var/lib/ward/ward.sqlite3`, `sqlite://ward.db`).
    pub async fn connect(url: &str, options: StoreOptions) -> Result<SqliteStore> {
        let connect = SqliteConnectOptions::from_str(url)
            .map_err(|e| Error::invalid("database url", e.to_string()))?;
        SqliteStore::open_with(connect, options).await
    }

    async fn open_with(
        connect: SqliteConnectOptions,
        options: StoreOptions,
    ) -> Result<SqliteStore> {
        let connect = connect
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(BUSY_TIMEOUT)
            // Large imports probe the fingerprint index at random: the default 2 MiB page
            // cache makes every probe a read call. Memory-mapped reads are shared between
            // connections through the OS page cache.
            .pragma("mmap_size", MMAP_SIZE.to_string())
            .pragma("temp_store", "memory");
        let write = SqlitePoolOptions::new()
            .max_connections(1)
            .test_before_acquire(false)
            .connect_with(
                connect
                    .clone()
                    .pragma("cache_size", WRITER_CACHE.to_string()),
            )
            .await
            .map_err(db)?;
        sqlx::migrate!("./migrations")
            .run(&write)
            .await
            .map_err(|e| Error::Migration(Box::new(e)))?;
        let read = SqlitePoolOptions::new()
            .max_connections(MAX_READERS)
            // A connection to a local file does not go away; a ping is a round trip to the
            // connection's thread.
            .test_before_acquire(false)
            // A page of up to 1,000 rows fits the channel from the connection's thread: the
            // thread never waits for the reader to take rows, a wake-up less per page.
            .connect_with(connect.read_only(true).row_buffer_size(1024))
            .await
            .map_err(db)?;
        Ok(SqliteStore {
            read,
            write,
            options,
        })
    }

    async fn reader(&self) -> Result<sqlx::pool::PoolConnection<sqlx::Sqlite>> {
        self.read.acquire().await.map_err(db)
    }

    async fn writer(&self) -> Result<sqlx::Transaction<'static, sqlx::Sqlite>> {
        self.write.begin_with("BEGIN IMMEDIATE").await.map_err(db)
    }
}

/// Only the type: the pools add nothing useful to a log line.
impl std::fmt::Debug for SqliteStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteStore").finish_non_exhaustive()
    }
}

#[async_trait]
impl Store for SqliteStore {
    async fn ping(&self) -> Result<()> {
        sqlx::query("SELECT 1")
            .execute(&self.read)
            .await
            .map_err(db)?;
        Ok(())
    }

    async fn create_product(&self, product: &NewProduct) -> Result<Product> {
        let mut tx = self.writer().await?;
        let created = catalog::create_product(&mut tx, product, OffsetDateTime::now_utc()).await?;
        tx.commit().await.map_err(db)?;
        Ok(created)
    }

    async fn update_product(&self, id: ProductId, product: &NewProduct) -> Result<Product> {
        let mut tx = self.writer().await?;
        let updated = catalog::update_product(&mut tx, id, product, &self.options.sla).await?;
        tx.commit().await.map_err(db)?;
        Ok(updated)
    }

    async fn product(&self, id: ProductId) -> Result<Product> {
        catalog::product_by_id(&mut *self.reader().await?, id).await
    }

    async fn product_by_name(&self, name: &str) -> Result<Option<Product>> {
        catalog::product_by_name(&mut *self.reader().await?, name).await
    }

    async fn list_products(&self) -> Result<Vec<Product>> {
        catalog::list_products(&mut *self.reader().await?).await
    }

    async fn delete_product(&self, id: ProductId) -> Result<()> {
        let mut tx = self.writer().await?;
        catalog::delete_product(&mut tx, id).await?;
        tx.commit().await.map_err(db)
    }

    async fn set_product_policy(&self, product: ProductId, text: &str) -> Result<ProductPolicy> {
        let mut tx = self.writer().await?;
        let set = policies::set(&mut tx, product, text, OffsetDateTime::now_utc()).await?;
        tx.commit().await.map_err(db)?;
        Ok(set)
    }

    async fn product_policy(&self, product: ProductId) -> Result<Option<ProductPolicy>> {
        policies::get(&mut *self.reader().await?, product).await
    }

    async fn delete_product_policy(&self, product: ProductId) -> Result<bool> {
        let mut tx = self.writer().await?;
        let deleted = policies::delete(&mut tx, product).await?;
        tx.commit().await.map_err(db)?;
        Ok(deleted)
    }

    async fn create_engagement(
        &self,
        product: ProductId,
        engagement: &NewEngagement,
    ) -> Result<Engagement> {
        let mut tx = self.writer().await?;
        let now = OffsetDateTime::now_utc();
        let created = catalog::create_engagement(&mut tx, product, engagement, now).await?;
        tx.commit().await.map_err(db)?;
        Ok(created)
    }

    async fn engagement(&self, id: EngagementId) -> Result<Engagement> {
        catalog::engagement_by_id(&mut *self.reader().await?, id).await
    }

    async fn engagement_by_name(
        &self,
        product: ProductId,
        name: &str,
    ) -> Result<Option<Engagement>> {
        catalog::engagement_by_name(&mut *self.reader().await?, product, name).await
    }

    async fn list_engagements(&self, product: ProductId) -> Result<Vec<Engagement>> {
        catalog::list_engagements(&mut *self.reader().await?, product).await
    }

    async fn test(&self, id: TestId) -> Result<Test> {
        catalog::test_by_id(&mut *self.reader().await?, id).await
    }

    async fn list_tests(&self, engagement: EngagementId) -> Result<Vec<Test>> {
        catalog::list_tests(&mut *self.reader().await?, engagement).await
    }

    async fn import(&self, request: ImportRequest) -> Result<ImportOutcome> {
        import::import(self, request).await
    }

    async fn finding(&self, id: FindingId) -> Result<FindingDetail> {
        findings::detail(&mut *self.reader().await?, id).await
    }

    async fn find_findings(&self, query: &FindingQuery) -> Result<Page> {
        findings::find(&mut *self.reader().await?, query).await
    }

    async fn find_finding_briefs(&self, query: &FindingQuery) -> Result<Page<FindingBrief>> {
        findings::find(&mut *self.reader().await?, query).await
    }

    async fn count_states(&self, filter: &FindingFilter) -> Result<Vec<StateCount>> {
        findings::count_states(&mut *self.reader().await?, filter).await
    }

    async fn count_by_product(&self, filter: &FindingFilter) -> Result<Vec<(ProductId, u64)>> {
        findings::count_by_product(&mut *self.reader().await?, filter).await
    }

    async fn count_total(&self, filter: &FindingFilter) -> Result<u64> {
        findings::count_total(&mut *self.reader().await?, filter).await
    }

    async fn count_changes_by_day(&self, window: &ChangeWindow) -> Result<Vec<DayChanges>> {
        trend::by_day(&mut *self.reader().await?, window).await
    }

    async fn triage(&self, ids: &[FindingId], triage: &Triage) -> Result<Vec<FindingId>> {
        let mut tx = self.writer().await?;
        let changed = findings::triage(&mut tx, ids, triage).await?;
        tx.commit().await.map_err(db)?;
        Ok(changed)
    }

    async fn expire_risk_acceptances(&self, now: OffsetDateTime) -> Result<Vec<FindingId>> {
        let mut tx = self.writer().await?;
        let reopened = findings::expire(&mut tx, now).await?;
        tx.commit().await.map_err(db)?;
        Ok(reopened)
    }

    async fn create_api_key(&self, key: &NewApiKey) -> Result<CreatedApiKey> {
        let mut tx = self.writer().await?;
        let created = keys::create_key(&mut tx, key).await?;
        tx.commit().await.map_err(db)?;
        Ok(created)
    }

    async fn api_key_by_secret(&self, presented: &str) -> Result<Option<ApiKey>> {
        keys::key_by_secret(&mut *self.reader().await?, presented).await
    }

    async fn list_api_keys(&self) -> Result<Vec<ApiKey>> {
        keys::list_keys(&mut *self.reader().await?).await
    }

    async fn revoke_api_key(&self, id: ApiKeyId) -> Result<()> {
        let mut tx = self.writer().await?;
        keys::revoke_key(&mut tx, id).await?;
        tx.commit().await.map_err(db)
    }

    async fn create_user(&self, user: &NewUser) -> Result<User> {
        let prepared = keys::prepare_user(user).await?;
        let mut tx = self.writer().await?;
        let created = keys::create_user(&mut tx, prepared, user).await?;
        tx.commit().await.map_err(db)?;
        Ok(created)
    }

    async fn verify_user(&self, username: &str, password: &str) -> Result<Option<User>> {
        keys::verify_user(&mut *self.reader().await?, username, password).await
    }

    async fn list_users(&self) -> Result<Vec<User>> {
        keys::list_users(&mut *self.reader().await?).await
    }

    async fn create_channel(&self, channel: &NewChannel) -> Result<StoredChannel> {
        let mut tx = self.writer().await?;
        let created = notify::create_channel(&mut tx, channel, OffsetDateTime::now_utc()).await?;
        tx.commit().await.map_err(db)?;
        Ok(created)
    }

    async fn update_channel(&self, name: &str, channel: &NewChannel) -> Result<StoredChannel> {
        let mut tx = self.writer().await?;
        let now = OffsetDateTime::now_utc();
        let updated = notify::update_channel(&mut tx, name, channel, now).await?;
        tx.commit().await.map_err(db)?;
        Ok(updated)
    }

    async fn channel_by_name(&self, name: &str) -> Result<Option<StoredChannel>> {
        notify::channel_by_name(&mut *self.reader().await?, name).await
    }

    async fn list_channels(&self) -> Result<Vec<StoredChannel>> {
        notify::list_channels(&mut *self.reader().await?).await
    }

    async fn delete_channel(&self, name: &str) -> Result<()> {
        let mut tx = self.writer().await?;
        notify::delete_channel(&mut tx, name).await?;
        tx.commit().await.map_err(db)
    }

    async fn create_rule(&self, channel: &str, rule: &str) -> Result<StoredRule> {
        let mut tx = self.writer().await?;
        let created =
            notify::create_rule(&mut tx, channel, rule, OffsetDateTime::now_utc()).await?;
        tx.commit().await.map_err(db)?;
        Ok(created)
    }

    async fn list_rules(&self) -> Result<Vec<StoredRule>> {
        notify::list_rules(&mut *self.reader().await?).await
    }

    async fn delete_rule(&self, id: RuleId) -> Result<()> {
        let mut tx = self.writer().await?;
        notify::delete_rule(&mut tx, id).await?;
        tx.commit().await.map_err(db)
    }

    async fn enqueue(
        &self,
        messages: &[NewMessage],
        now: OffsetDateTime,
    ) -> Result<Vec<MessageId>> {
        let mut tx = self.writer().await?;
        let ids = notify::enqueue(&mut tx, messages, now).await?;
        tx.commit().await.map_err(db)?;
        Ok(ids)
    }

    async fn claim_messages(
        &self,
        now: OffsetDateTime,
        limit: u32,
        lease_until: OffsetDateTime,
    ) -> Result<Vec<OutboxMessage>> {
        let mut tx = self.writer().await?;
        let claimed = notify::claim(&mut tx, now, limit, lease_until).await?;
        tx.commit().await.map_err(db)?;
        Ok(claimed)
    }

    async fn enqueue_job(&self, request: &JobRequest) -> Result<Job> {
        let mut tx = self.writer().await?;
        let queued = jobs::enqueue(&mut tx, request).await?;
        tx.commit().await.map_err(db)?;
        Ok(queued)
    }

    async fn claim_job(
        &self,
        worker: &str,
        now: OffsetDateTime,
        lease: time::Duration,
    ) -> Result<Option<Job>> {
        let mut tx = self.writer().await?;
        let claimed = jobs::claim(&mut tx, worker, now, lease).await?;
        tx.commit().await.map_err(db)?;
        Ok(claimed)
    }

    async fn record_attempt(&self, id: MessageId, attempt: &Attempt) -> Result<()> {
        let mut tx = self.writer().await?;
        notify::record_attempt(&mut tx, id, attempt).await?;
        tx.commit().await.map_err(db)
    }

    async fn list_messages(
        &self,
        state: Option<MessageState>,
        limit: u32,
    ) -> Result<Vec<OutboxMessage>> {
        notify::list_messages(&mut *self.reader().await?, state, limit).await
    }

    async fn set_product_hook(&self, product: ProductId, hook: &ProductHook) -> Result<()> {
        let mut tx = self.writer().await?;
        hooks::set_hook(&mut tx, product, hook, OffsetDateTime::now_utc()).await?;
        tx.commit().await.map_err(db)
    }

    async fn product_hook(&self, product: ProductId) -> Result<Option<ProductHook>> {
        hooks::hook(&mut *self.reader().await?, product).await
    }

    async fn record_trigger(&self, trigger: &NewTrigger) -> Result<RecordedTrigger> {
        let mut tx = self.writer().await?;
        let recorded = hooks::record(&mut tx, trigger, OffsetDateTime::now_utc()).await?;
        tx.commit().await.map_err(db)?;
        Ok(recorded)
    }

    async fn list_triggers(&self, product: ProductId) -> Result<Vec<StoredTrigger>> {
        hooks::list(&mut *self.reader().await?, product).await
    }

    async fn notify_sla_breaches(
        &self,
        now: OffsetDateTime,
        build: &MessageBuilder<'_, [SlaBreach]>,
    ) -> Result<Vec<SlaBreach>> {
        let mut tx = self.writer().await?;
        let breaches = sla::notify_breaches(&mut tx, codec::truncate(now), build).await?;
        tx.commit().await.map_err(db)?;
        Ok(breaches)
    }

    async fn create_approval(
        &self,
        approval: &NewApproval,
        build: &MessageBuilder<'_, Approval>,
    ) -> Result<Approval> {
        let mut tx = self.writer().await?;
        let now = codec::truncate(OffsetDateTime::now_utc());
        let created = approvals::create(&mut tx, approval, build, now).await?;
        tx.commit().await.map_err(db)?;
        Ok(created)
    }

    async fn approval(&self, id: ApprovalId) -> Result<Approval> {
        approvals::by_id(&mut *self.reader().await?, id).await
    }

    async fn decide_approval(&self, id: ApprovalId, decision: &Decision) -> Result<Approval> {
        let mut tx = self.writer().await?;
        let decided = approvals::decide(&mut tx, id, decision).await?;
        tx.commit().await.map_err(db)?;
        Ok(decided)
    }

    async fn extend_job_lease(
        &self,
        id: JobId,
        worker: &str,
        until: OffsetDateTime,
    ) -> Result<Job> {
        let mut tx = self.writer().await?;
        let extended = jobs::extend(&mut tx, id, worker, until).await?;
        tx.commit().await.map_err(db)?;
        Ok(extended)
    }

    async fn complete_job(
        &self,
        id: JobId,
        worker: &str,
        result_keys: &[String],
        now: OffsetDateTime,
    ) -> Result<Job> {
        let mut tx = self.writer().await?;
        let completed = jobs::complete(&mut tx, id, worker, result_keys, now).await?;
        tx.commit().await.map_err(db)?;
        Ok(completed)
    }

    async fn fail_job(
        &self,
        id: JobId,
        worker: &str,
        failure: &JobFailure,
        now: OffsetDateTime,
    ) -> Result<Job> {
        let mut tx = self.writer().await?;
        let failed = jobs::fail(&mut tx, id, worker, failure, now).await?;
        tx.commit().await.map_err(db)?;
        Ok(failed)
    }

    async fn release_job(&self, id: JobId, worker: &str) -> Result<Job> {
        let mut tx = self.writer().await?;
        let released = jobs::release(&mut tx, id, worker).await?;
        tx.commit().await.map_err(db)?;
        Ok(released)
    }

    async fn job(&self, id: JobId) -> Result<Job> {
        jobs::by_id(&mut *self.reader().await?, id).await
    }

    async fn list_jobs(&self, filter: &JobFilter) -> Result<Vec<Job>> {
        jobs::list(&mut *self.reader().await?, filter).await
    }
}
