//! The one import function both APIs call: resolve and authorize where the report goes
//! (creating the product and engagement when asked), read it with the named or detected
//! parser, and hand it to the store, which deduplicates and applies the reimport rules in one
//! transaction. A report that cannot be read stores nothing.

use axum::body::Bytes;
use time::OffsetDateTime;
use ward_core::Severity;
use ward_formats::Parser;
use ward_store::{
    BuildInfo, EngagementId, ImportMode, ImportOutcome, ImportRequest, ImportTarget, NewProduct,
    Product, Scope, TestId,
};

use crate::auth::Caller;
use crate::error::ApiError;
use crate::metrics::ImportApi;
use crate::{store_error, AppState};

/// Where a report goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// A product and engagement by name.
    Names {
        /// Product name.
        product: String,
        /// Engagement name.
        engagement: String,
        /// Create them when missing.
        auto_create: bool,
        /// The owner team of a product created here.
        team: Option<String>,
    },
    /// An engagement by id.
    Engagement(EngagementId),
    /// A test by id (reimport).
    Test(TestId),
}

/// One report to import, and how.
#[derive(Debug, Clone)]
pub struct Job {
    /// Where it goes.
    pub target: Target,
    /// A new test, or an update of the engagement's test of the same scan type.
    pub mode: ImportMode,
    /// The parser; `None` detects the format from the content.
    pub parser: Option<&'static dyn Parser>,
    /// The scan type the test is filed under; `None` is the parser's first DefectDojo scan
    /// type (so native and DefectDojo-compatible reimports of one tool find the same test).
    pub scan_type: Option<String>,
    /// The report.
    pub report: Bytes,
    /// Its file name, for messages.
    pub file_name: Option<String>,
    /// Test title.
    pub title: Option<String>,
    /// When the scan ran.
    pub scan_date: Option<OffsetDateTime>,
    /// Findings less severe are left out.
    pub minimum_severity: Option<Severity>,
    /// Force new findings active or inactive (DefectDojo's `active`); default active.
    pub active: Option<bool>,
    /// Force findings verified (DefectDojo's `verified`); default not.
    pub verified: Option<bool>,
    /// Close open findings of the test (or, for a new test, of the engagement's tests of the
    /// same scan type) that the report no longer has.
    pub close_old_findings: bool,
    /// With `close_old_findings`: close in every engagement of the product.
    pub close_old_product_scope: bool,
    /// Reopen mitigated findings seen again (false: DefectDojo's `do_not_reactivate`).
    pub reactivate: bool,
    /// Labels for the test.
    pub tags: Vec<String>,
    /// Also put the labels on every finding.
    pub tags_on_findings: bool,
    /// Build metadata.
    pub build: BuildInfo,
    /// Which API it came through, for metrics.
    pub api: ImportApi,
}

/// What [`run`] did.
#[derive(Debug)]
pub struct Imported {
    /// The store's account of the import.
    pub outcome: ImportOutcome,
    /// The parser that read the report.
    pub parser: &'static dyn Parser,
    /// Entries of the report the parser skipped, each saying why.
    pub warnings: Vec<String>,
}

/// Imports one report for `caller`, who needs the import scope and access to the product.
pub async fn run(state: &AppState, caller: &Caller, job: Job) -> Result<Imported, ApiError> {
    let api = job.api;
    let result = run_inner(state, caller, job).await;
    state.metrics.record_import(
        api,
        result.as_ref().ok().map(|imported| {
            let o = &imported.outcome;
            [
                o.new.len(),
                o.closed.len(),
                o.reopened.len(),
                o.unchanged.len(),
            ]
            .map(|n| n as u64)
        }),
    );
    result
}

async fn run_inner(state: &AppState, caller: &Caller, job: Job) -> Result<Imported, ApiError> {
    // Checks first (cheap, no writes), then the report (a broken one stops here, before
    // anything is created), then the writes.
    let checked = check(state, caller, &job.target).await?;
    let (parser, parsed) = parse(&job).await?;
    if let Some((name, team)) = checked.create_product {
        create_product(state, &name, team).await?;
    }
    let target = checked.target;
    let mut findings = parsed.findings;
    if job.tags_on_findings {
        for finding in &mut findings {
            for tag in &job.tags {
                if !finding.tags.contains(tag) {
                    finding.tags.push(tag.clone());
                }
            }
        }
    }
    let scan_type = job.scan_type.clone().unwrap_or_else(|| {
        parser
            .scan_types()
            .first()
            .map_or_else(|| parser.id().to_string(), |s| s.to_string())
    });
    let tool = parsed.tool.clone().unwrap_or_else(|| {
        findings
            .first()
            .map_or_else(|| parser.name().to_string(), |f| f.tool.clone())
    });
    let request = ImportRequest {
        target,
        mode: job.mode,
        scan_type,
        tool,
        format: parser.id().to_string(),
        title: job.title,
        scan_date: job.scan_date,
        minimum_severity: job.minimum_severity,
        active: job.active.unwrap_or(true),
        verified: job.verified.unwrap_or(false),
        close_old_findings: job.close_old_findings,
        close_old_product_scope: job.close_old_product_scope,
        reactivate: job.reactivate,
        tags: job.tags,
        build: job.build,
        actor: caller.actor(),
        now: None,
        findings,
        messages: messages_for(state.store.as_ref(), &state.notifier).await,
    };
    let outcome = state.store.import(request).await.map_err(store_error)?;
    state.notifier.wake();
    Ok(Imported {
        outcome,
        parser,
        warnings: parsed.warnings,
    })
}

/// The builder of an import's `scan.completed` / `finding.new` messages, which the store
/// queues in the import's transaction. Unreadable routing rules are logged and the import
/// goes on without messages: a broken rule must not stop reports from landing.
pub(crate) async fn messages_for(
    store: &dyn ward_store::Store,
    notifier: &crate::notify::Notifier,
) -> Option<ward_store::ImportMessages> {
    let routes = match crate::notify::routes(store).await {
        Ok(routes) => routes,
        Err(error) => {
            tracing::warn!(error = %error, "routing rules unreadable: the import is not notified");
            return None;
        }
    };
    let config = &notifier.config;
    let public_url = config.public_url.clone();
    let threshold = config.new_finding_severity;
    Some(ward_store::ImportMessages(std::sync::Arc::new(
        move |imported: &ward_store::Imported<'_>| {
            let events =
                crate::notify::events::for_import(imported, public_url.as_deref(), threshold);
            crate::notify::store_messages(&routes, &events)
        },
    )))
}

/// A target that passed the checks.
struct Checked {
    /// The store's form of it.
    target: ImportTarget,
    /// A product to create first, with its team, once the report has been read. (Without a
    /// team the store creates a missing product itself, in the import's transaction.)
    create_product: Option<(String, Option<String>)>,
}

/// Checks the caller may import into the target and that it exists (or may be created);
/// writes nothing.
async fn check(state: &AppState, caller: &Caller, target: &Target) -> Result<Checked, ApiError> {
    // The scope first, so that a key that may not import learns nothing about ids.
    caller.require(Scope::Import)?;
    let checked = |target| Checked {
        target,
        create_product: None,
    };
    match target {
        Target::Names {
            product,
            engagement,
            auto_create,
            team,
        } => {
            if product.trim().is_empty() {
                return Err(ApiError::field("product_name", "must not be blank"));
            }
            if engagement.trim().is_empty() {
                return Err(ApiError::field("engagement_name", "must not be blank"));
            }
            caller.require_product(Scope::Import, product)?;
            let existing = state
                .store
                .product_by_name(product)
                .await
                .map_err(store_error)?;
            let mut create_product = None;
            match existing {
                None if *auto_create => {
                    if team.is_some() {
                        create_product = Some((product.clone(), team.clone()));
                    }
                }
                None => {
                    return Err(ApiError::NotFound(format!(
                        "product `{product}` does not exist (ask for it to be created: auto_create_context)"
                    )))
                }
                Some(existing) if !auto_create => {
                    let found = state
                        .store
                        .engagement_by_name(existing.id, engagement)
                        .await
                        .map_err(store_error)?;
                    if found.is_none() {
                        return Err(ApiError::NotFound(format!(
                            "engagement `{engagement}` does not exist in product `{product}` (ask for it to be created: auto_create_context)"
                        )));
                    }
                }
                Some(_) => {}
            }
            Ok(Checked {
                target: ImportTarget::Names {
                    product: product.clone(),
                    engagement: engagement.clone(),
                    auto_create: *auto_create,
                },
                create_product,
            })
        }
        Target::Engagement(id) => {
            let engagement = state.store.engagement(*id).await.map_err(store_error)?;
            let product = state
                .store
                .product(engagement.product_id)
                .await
                .map_err(store_error)?;
            require_by_id(caller, &product, || format!("engagement {id} not found"))?;
            Ok(checked(ImportTarget::Engagement(*id)))
        }
        Target::Test(id) => {
            let test = state.store.test(*id).await.map_err(store_error)?;
            let product = state
                .store
                .product(test.product_id)
                .await
                .map_err(store_error)?;
            require_by_id(caller, &product, || format!("test {id} not found"))?;
            Ok(checked(ImportTarget::Test(*id)))
        }
    }
}

/// For a target named by id: a key without access to its product is told it does not exist,
/// as it would be for an id that does not.
fn require_by_id(
    caller: &Caller,
    product: &Product,
    not_found: impl FnOnce() -> String,
) -> Result<(), ApiError> {
    caller.require(Scope::Import)?;
    if caller.sees(product) {
        Ok(())
    } else {
        Err(ApiError::NotFound(not_found()))
    }
}

/// Creates a product for an auto-created context; another request creating it at the same
/// moment is fine.
async fn create_product(
    state: &AppState,
    name: &str,
    team: Option<String>,
) -> Result<(), ApiError> {
    let product = NewProduct {
        team,
        ..NewProduct::named(name)
    };
    match state.store.create_product(&product).await {
        Ok(_) | Err(ward_store::Error::Conflict { .. }) => Ok(()),
        Err(error) => Err(store_error(error)),
    }
}

/// Reads the report off the async executor (parsing a large report takes a while).
async fn parse(job: &Job) -> Result<(&'static dyn Parser, ward_formats::Parsed), ApiError> {
    let bytes = job.report.clone();
    let format = job.parser.map(|p| p.id());
    let imported = tokio::task::spawn_blocking(move || ward_formats::import(&bytes, format))
        .await
        .map_err(ApiError::internal)?;
    let name = job.file_name.as_deref().unwrap_or("the report");
    match imported {
        Ok(imported) => Ok((imported.parser, imported.parsed)),
        Err(error) => Err(ApiError::field("file", format!("reading {name}: {error}"))),
    }
}
