//! ward's HTTP server: the native JSON API (`/api/v1/…`), the DefectDojo-compatible import API
//! (`/api/v2/import-scan/`, `/api/v2/reimport-scan/`), API key checks, `/healthz`, `/readyz`,
//! `/metrics`, the OpenAPI document (`/openapi.json`) and the dashboard ([`ui`], HTML at `/`).
//!
//! [`router`] builds the whole application over an [`AppState`] (tests drive it without a
//! socket); [`serve`] runs it on a listener until a shutdown signal. Storage is behind
//! `Arc<dyn ward_store::Store>`: this crate holds no SQL. Both import APIs end in the same
//! function, [`import::run`], so a report imported either way lands the same.
#![warn(missing_docs)]

pub mod api;
pub mod auth;
mod body;
mod connect;
pub mod defectdojo;
mod error;
mod health;
mod hooks;
pub mod import;
pub mod metrics;
pub mod notify;
mod openapi;
pub mod retention;
pub mod scans;
pub mod ui;

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::DefaultBodyLimit;
use axum::Router;
use tokio::net::TcpListener;
use tower_http::trace::TraceLayer;
use ward_store::Store;

pub use connect::{connect, describe_database};
pub use error::{ApiError, ErrorBody};
pub use metrics::Metrics;

/// Request body limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// The largest report an import accepts, in bytes.
    pub report_bytes: usize,
    /// The largest JSON (or policy) body of the other routes, in bytes.
    pub json_bytes: usize,
}

impl Default for Limits {
    /// 512 MiB reports, 1 MiB for everything else.
    fn default() -> Limits {
        Limits {
            report_bytes: 512 << 20,
            json_bytes: 1 << 20,
        }
    }
}

/// What every handler shares.
#[derive(Clone)]
pub struct AppState {
    /// The findings store.
    pub store: Arc<dyn Store>,
    /// The server's metrics.
    pub metrics: Arc<Metrics>,
    /// Body limits.
    pub limits: Limits,
    /// The key dashboard session cookies are signed with.
    pub sessions: Arc<ui::session::SessionKey>,
    /// Notification settings and the delivery loop's bell.
    pub notifier: Arc<notify::Notifier>,
    /// Asynchronous scans (`/api/v1/scans`, `/blobs/…`); `None` answers them 404.
    pub scans: Option<scans::Scans>,
    /// The object retention policy and its last sweep, shown on the dashboard; `None` when
    /// this server sweeps nothing.
    pub retention: Option<Arc<retention::RetentionStatus>>,
}

impl AppState {
    /// A state over `store` with fresh metrics.
    pub fn new(store: Arc<dyn Store>, limits: Limits, notifier: Arc<notify::Notifier>) -> AppState {
        AppState {
            store,
            metrics: Arc::new(Metrics::default()),
            limits,
            sessions: Arc::new(ui::session::SessionKey::random()),
            notifier,
            scans: None,
            retention: None,
        }
    }

    /// The same state, serving scans.
    pub fn with_scans(mut self, scans: scans::Scans) -> AppState {
        self.scans = Some(scans);
        self
    }

    /// The same state, showing `status` as its object retention.
    pub fn with_retention(mut self, status: Arc<retention::RetentionStatus>) -> AppState {
        self.retention = Some(status);
        self
    }
}

/// The whole application: every route, the body limits, request metrics and tracing.
pub fn router(state: AppState) -> Router {
    let (api, document) = openapi::api_router(&state).split_for_parts();
    let document = Arc::new(document);
    Router::new()
        .merge(api)
        .merge(health::router(document))
        .merge(ui::router())
        .merge(hooks::router())
        .merge(scans::router())
        .fallback(|| async { ApiError::NotFound("no such route (see /openapi.json)".into()) })
        .layer(DefaultBodyLimit::max(state.limits.json_bytes))
        .layer(axum::middleware::from_fn_with_state(
            state.metrics.clone(),
            metrics::track,
        ))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

/// Serves `router(state)` on `listener` until `shutdown` completes, then lets requests in
/// flight finish. Meanwhile it reopens findings whose risk acceptance has ended, at start and
/// every five minutes, notifies SLA breaches ([`notify::sla`], at start and then daily by
/// default) and delivers queued notifications ([`notify::delivery`]).
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let expiry = tokio::spawn(expire_risk_acceptances(
        state.store.clone(),
        EXPIRY_INTERVAL,
        stop_rx.clone(),
    ));
    let sla = tokio::spawn(notify::sla::run(
        state.store.clone(),
        state.notifier.clone(),
        stop_rx.clone(),
    ));
    let delivery = tokio::spawn(notify::delivery::run(
        state.store.clone(),
        state.notifier.clone(),
        stop_rx,
    ));
    let app = router(state);
    let result = axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await;
    let _ = stop_tx.send(true);
    let _ = expiry.await;
    let _ = sla.await;
    let _ = delivery.await;
    result
}

/// How often [`serve`] looks for risk acceptances that have ended.
const EXPIRY_INTERVAL: Duration = Duration::from_secs(300);

async fn expire_risk_acceptances(
    store: Arc<dyn Store>,
    interval: Duration,
    mut stop: tokio::sync::watch::Receiver<bool>,
) {
    let mut ticks = tokio::time::interval(interval);
    loop {
        tokio::select! {
            _ = ticks.tick() => {}
            _ = stop.changed() => return,
        }
        match store
            .expire_risk_acceptances(time::OffsetDateTime::now_utc())
            .await
        {
            Ok(reopened) if !reopened.is_empty() => {
                tracing::info!(
                    n = reopened.len(),
                    "reopened findings whose risk acceptance ended"
                );
            }
            Ok(_) => {}
            Err(error) => tracing::warn!(error = %error, "expiring risk acceptances failed"),
        }
    }
}

/// A store error as the client sees it: missing rows are 404, taken names 409, bad requests
/// 400 naming the field, and database trouble a logged 500.
pub(crate) fn store_error(error: ward_store::Error) -> ApiError {
    use ward_store::Error;
    match error {
        Error::NotFound { .. } => ApiError::NotFound(error.to_string()),
        Error::Conflict { .. } => ApiError::Conflict(error.to_string()),
        Error::Invalid { field, reason } => ApiError::field(field, reason),
        Error::Corrupt { .. } | Error::Migration(_) | Error::Database(_) => {
            ApiError::internal(error)
        }
    }
}
