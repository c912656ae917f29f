//! Routes for operators and tools, without an API key: `/healthz` (the process answers),
//! `/readyz` (the database answers too), `/metrics` (Prometheus) and `/openapi.json`.

use std::sync::Arc;

use axum::extract::State;
use axum::http::header::CONTENT_TYPE;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::{Json, Router};
use utoipa::openapi::OpenApi;

use crate::error::ApiError;
use crate::{metrics, store_error, AppState};

pub(crate) fn router(document: Arc<OpenApi>) -> Router<AppState> {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(render_metrics))
        .route(
            "/openapi.json",
            get(move || {
                let document = document.clone();
                async move { Json(document.as_ref().clone()) }
            }),
        )
}

async fn healthz() -> Json<serde_json::Value> {
    Json(serde_json::json!({"status": "ok"}))
}

async fn readyz(State(state): State<AppState>) -> Result<Json<serde_json::Value>, ApiError> {
    match state.store.ping().await {
        Ok(()) => Ok(Json(serde_json::json!({"status": "ready"}))),
        Err(error) => {
            tracing::warn!(error = %error, "readiness check: the database does not answer");
            Err(ApiError::Unavailable("the database does not answer".into()))
        }
    }
}

async fn render_metrics(State(state): State<AppState>) -> Result<impl IntoResponse, ApiError> {
    // Counting every finding is a scan of the store: done at most once a minute, however
    // often Prometheus scrapes.
    let stored = match state.metrics.recent_findings_stored() {
        Some(n) => n,
        None => {
            state
                .store
                .count_findings(&ward_store::FindingFilter::default())
                .await
                .map_err(store_error)?
                .total
        }
    };
    Ok((
        [(CONTENT_TYPE, metrics::CONTENT_TYPE)],
        state.metrics.render(stored),
    ))
}
