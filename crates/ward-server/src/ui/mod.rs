//! The dashboard: server-rendered HTML pages at `/` over the same store and the same scope and
//! product rules as the API. No JavaScript is needed; charts are inline SVG drawn here.
//!
//! One module per page family: `login` (sign-in and sign-out), `overview`, `findings`
//! (list, CSV export, bulk triage), `finding` (one finding), `products`, `scans` (scan jobs,
//! queueing a scan), `admin` (API keys, users, retention), `notifications` (channels and
//! routing rules). `session` holds the signed session cookie, the `session::Viewer` extractor and
//! CSRF checks; `layout` the page shell and stylesheet; `charts` the SVG charts.

mod admin;
mod charts;
mod finding;
mod findings;
mod layout;
mod login;
mod notifications;
mod overview;
mod products;
mod scans;
pub mod session;

use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::Router;

use crate::AppState;
use session::Refusal;

/// Every dashboard route.
pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(overview::show))
        .route("/login", get(login::form).post(login::submit))
        .route("/logout", post(login::logout))
        .route("/findings", get(findings::list))
        .route("/findings.csv", get(findings::csv))
        .route("/findings/triage", post(findings::triage))
        .route("/findings/{id}", get(finding::show))
        .route("/products", get(products::list))
        .route("/products/{id}", get(products::show))
        .route("/admin/keys", get(admin::keys).post(admin::create_key))
        .route("/admin/keys/{id}/revoke", post(admin::revoke_key))
        .route("/admin/users", get(admin::users).post(admin::create_user))
        .route("/admin/retention", get(admin::retention))
        .route("/admin/notifications", get(notifications::show))
        .route(
            "/admin/notifications/channels",
            post(notifications::create_channel),
        )
        .route(
            "/admin/notifications/channels/{name}/delete",
            post(notifications::delete_channel),
        )
        .route(
            "/admin/notifications/rules",
            post(notifications::create_rule),
        )
        .route(
            "/admin/notifications/rules/{id}/delete",
            post(notifications::delete_rule),
        )
        .route("/scans", get(scans::list).post(scans::queue))
        .route("/scans/{id}", get(scans::show))
        .route("/static/ward.css", get(layout::stylesheet))
        .route("/static/ward.js", get(layout::script))
}

/// The HTTP status a store error shows as.
pub(crate) fn status_of(error: &ward_store::Error) -> StatusCode {
    use ward_store::Error;
    match error {
        Error::NotFound { .. } => StatusCode::NOT_FOUND,
        Error::Conflict { .. } => StatusCode::CONFLICT,
        Error::Invalid { .. } => StatusCode::BAD_REQUEST,
        Error::Corrupt { .. } | Error::Migration(_) | Error::Database(_) => {
            StatusCode::INTERNAL_SERVER_ERROR
        }
    }
}

/// A store error as a dashboard refusal; database trouble is logged and shown without detail.
pub(crate) fn store_refusal(error: ward_store::Error) -> Refusal {
    let status = status_of(&error);
    if status == StatusCode::INTERNAL_SERVER_ERROR {
        tracing::error!(error = %error, "dashboard store call failed");
        return Refusal::Status(status, "the database failed; see the server log".into());
    }
    Refusal::Status(status, error.to_string())
}

/// The 404 a viewer gets for what does not exist or what it may not see (the same answer, so
/// a limited key learns nothing about other products).
pub(crate) fn not_found() -> Refusal {
    Refusal::Status(
        StatusCode::NOT_FOUND,
        "no such page, or not yours to see".into(),
    )
}

/// A form or query string as name/value pairs (repeated names kept, for checkboxes).
pub(crate) fn pairs(raw: &[u8]) -> Vec<(String, String)> {
    form_urlencoded::parse(raw).into_owned().collect()
}

/// The first value of `name` in `pairs`, when not blank.
pub(crate) fn field<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(k, v)| k == name && !v.trim().is_empty())
        .map(|(_, v)| v.trim())
}
