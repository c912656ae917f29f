//! `GET/POST /admin/keys` and `POST /admin/keys/{id}/revoke`: API keys, for viewers with the
//! admin scope on every product. A new key is shown once, on the page that created it.
//! `GET/POST /admin/users`: dashboard users (list, create). `GET /admin/retention`: how long
//! stored objects are kept and the last sweep, read-only (set when the server starts).

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use maud::{html, Markup};
use ward_store::{ApiKeyId, NewApiKey, NewUser, Scope};

use super::layout::{date, page};
use super::session::{Refusal, Viewer};
use super::{field, pairs, store_refusal};
use crate::AppState;

async fn keys_page(
    state: &AppState,
    viewer: &Viewer,
    created: Option<(String, String)>,
) -> Result<Markup, Refusal> {
    let keys = state.store.list_api_keys().await.map_err(store_refusal)?;
    Ok(page(
        viewer,
        "API keys",
        html! {
            @if let Some((name, secret)) = &created {
                div.notice role="status" {
                    p { "Key " strong { (name) } " created. Copy it now: it is not shown again." }
                    p { label for="new-key" { "The new key" } " " input id="new-key" readonly value=(secret) size="60"; }
                }
            }
            h2 { "Create a key" }
            form.stack method="post" action="/admin/keys" {
                input type="hidden" name="csrf" value=(viewer.csrf);
                div.field { label for="k-name" { "Name" } input id="k-name" name="name" required; }
                div.field { label for="k-scope" { "Scope" }
                    select id="k-scope" name="scope" {
                        @for s in Scope::ALL { option value=(s.as_str()) { (s.as_str()) } }
                    }
                }
                div.field { label for="k-products" { "Products (comma-separated; empty for every product)" } input id="k-products" name="products"; }
                button type="submit" { "Create" }
            }
            h2 { "Keys" }
            table id="keys" {
                thead { tr { th scope="col" { "Name" } th scope="col" { "Prefix" } th scope="col" { "Scope" } th scope="col" { "Products" } th scope="col" { "Created" } th scope="col" { "State" } } }
                tbody {
                    @for k in &keys {
                        tr {
                            td { (k.name) }
                            td.mono { (k.prefix) "…" }
                            td { (k.scope) }
                            td { @match &k.products { Some(p) => (p.join(", ")), None => "all" } }
                            td { (date(k.created_at)) }
                            td {
                                @if let Some(at) = k.revoked_at { "revoked " (date(at)) } @else {
                                    form method="post" action={ "/admin/keys/" (k.id) "/revoke" } {
                                        input type="hidden" name="csrf" value=(viewer.csrf);
                                        button.secondary type="submit" aria-label={ "Revoke key " (k.name) } { "Revoke" }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        },
    ))
}

/// `GET /admin/keys`.
pub(crate) async fn keys(viewer: Viewer, State(state): State<AppState>) -> Result<Markup, Refusal> {
    viewer.require_global(Scope::Admin)?;
    keys_page(&state, &viewer, None).await
}

/// `POST /admin/keys`: creates a key and shows it once.
pub(crate) async fn create_key(
    viewer: Viewer,
    State(state): State<AppState>,
    body: Bytes,
) -> Result<Markup, Refusal> {
    let form = pairs(&body);
    viewer.check_csrf(field(&form, "csrf").unwrap_or(""))?;
    viewer.require_global(Scope::Admin)?;
    let bad = |m: String| Refusal::Status(axum::http::StatusCode::BAD_REQUEST, m);
    let name = field(&form, "name").ok_or_else(|| bad("name: a key needs a name".into()))?;
    let scope = field(&form, "scope")
        .and_then(Scope::parse)
        .ok_or_else(|| bad("scope: one of read, import, triage, admin".into()))?;
    let products = field(&form, "products").map(|list| {
        list.split(',')
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(str::to_string)
            .collect()
    });
    let created = state
        .store
        .create_api_key(&NewApiKey {
            name: name.to_string(),
            scope,
            products,
        })
        .await
        .map_err(store_refusal)?;
    keys_page(&state, &viewer, Some((created.key.name, created.secret))).await
}

/// `POST /admin/keys/{id}/revoke`.
pub(crate) async fn revoke_key(
    viewer: Viewer,
    State(state): State<AppState>,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Response, Refusal> {
    viewer.check_csrf(field(&pairs(&body), "csrf").unwrap_or(""))?;
    viewer.require_global(Scope::Admin)?;
    state
        .store
        .revoke_api_key(ApiKeyId(id))
        .await
        .map_err(store_refusal)?;
    Ok(Redirect::to("/admin/keys").into_response())
}

async fn users_page(
    state: &AppState,
    viewer: &Viewer,
    notice: Option<String>,
) -> Result<Markup, Refusal> {
    let users = state.store.list_users().await.map_err(store_refusal)?;
    Ok(page(
        viewer,
        "Users",
        html! {
            @if let Some(notice) = &notice { p.notice role="status" { (notice) } }
            h2 { "Create a user" }
            form.stack method="post" action="/admin/users" {
                input type="hidden" name="csrf" value=(viewer.csrf);
                div.field { label for="u-name" { "User name" } input id="u-name" name="username" required autocomplete="off"; }
                div.field { label for="u-password" { "Password" } input id="u-password" name="password" type="password" required autocomplete="new-password"; }
                div.field { label for="u-scope" { "Scope" }
                    select id="u-scope" name="scope" {
                        @for s in Scope::ALL { option value=(s.as_str()) { (s.as_str()) } }
                    }
                }
                button type="submit" { "Create" }
            }
            h2 { "Users" }
            table id="users" {
                thead { tr { th scope="col" { "User name" } th scope="col" { "Scope" } th scope="col" { "Created" } } }
                tbody {
                    @for u in &users {
                        tr { td { (u.username) } td { (u.scope) } td { (date(u.created_at)) } }
                    }
                }
            }
        },
    ))
}

/// `GET /admin/users`.
pub(crate) async fn users(
    viewer: Viewer,
    State(state): State<AppState>,
) -> Result<Markup, Refusal> {
    viewer.require_global(Scope::Admin)?;
    users_page(&state, &viewer, None).await
}

/// `POST /admin/users`: creates a dashboard user.
pub(crate) async fn create_user(
    viewer: Viewer,
    State(state): State<AppState>,
    body: Bytes,
) -> Result<Markup, Refusal> {
    let form = pairs(&body);
    viewer.check_csrf(field(&form, "csrf").unwrap_or(""))?;
    viewer.require_global(Scope::Admin)?;
    let bad = |m: &str| Refusal::Status(axum::http::StatusCode::BAD_REQUEST, m.to_string());
    let username = field(&form, "username").ok_or_else(|| bad("username: required"))?;
    let password = form
        .iter()
        .find(|(k, _)| k == "password")
        .map(|(_, v)| v.clone())
        .unwrap_or_default();
    let scope = field(&form, "scope")
        .and_then(Scope::parse)
        .ok_or_else(|| bad("scope: one of read, import, triage, admin"))?;
    let user = state
        .store
        .create_user(&NewUser {
            username: username.to_string(),
            password,
            scope,
        })
        .await
        .map_err(store_refusal)?;
    users_page(
        &state,
        &viewer,
        Some(format!("User `{}` created.", user.username)),
    )
    .await
}

/// `GET /admin/retention`: the retention policy in force and the last sweep.
pub(crate) async fn retention(
    viewer: Viewer,
    State(state): State<AppState>,
) -> Result<Markup, Refusal> {
    viewer.require_global(Scope::Admin)?;
    let age = |max: Option<std::time::Duration>| match max {
        None => "kept forever".to_string(),
        Some(d) if d.as_secs() % 86_400 == 0 => format!("{} days", d.as_secs() / 86_400),
        Some(d) => format!("{} seconds", d.as_secs()),
    };
    Ok(page(
        &viewer,
        "Retention",
        html! {
            @match &state.retention {
                None => p.notice role="status" { "This server keeps no objects, so it deletes none." },
                Some(status) => {
                    p {
                        "Set when the server starts, with " code { "ward serve --retention" }
                        " (or " code { "WARD_RETENTION" } "), for example "
                        code { "reports=30,failure-reports=30,raw-uploads=7" } " (days, or "
                        code { "forever" } "). Restart the server to change it."
                    }
                    table id="retention" {
                        caption.visually-hidden { "How long each kind of stored object is kept" }
                        thead { tr { th scope="col" { "Objects" } th scope="col" { "Kept for" } } }
                        tbody {
                            tr { td { "Scan reports and exports" } td { (age(status.policy.reports)) } }
                            tr { td { "Failure reports" } td { (age(status.policy.failure_reports)) } }
                            tr { td { "Uploaded archives and images" } td { (age(status.policy.raw_uploads)) } }
                        }
                    }
                    h2 { "Last sweep" }
                    p id="last-sweep" {
                        @match status.last_run() {
                            None => "No sweep has run yet.",
                            Some(run) => {
                                (date(run.at)) " " (format!("{:02}:{:02} UTC", run.at.hour(), run.at.minute()))
                                ": " (run.deleted) " objects deleted"
                                @if let Some(error) = &run.error { "; stopped early: " (error) }
                                "."
                            }
                        }
                        " Sweeps run every " (status.interval.as_secs() / 60) " minutes."
                    }
                }
            }
        },
    ))
}
