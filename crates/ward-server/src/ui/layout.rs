//! The page shell every dashboard page shares: skip link, navigation, the signed-in viewer
//! and sign-out form, and the embedded stylesheet and script.

use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use maud::{html, Markup, DOCTYPE};

use super::session::Viewer;

/// The stylesheet, compiled into the binary.
pub(crate) const CSS: &str = include_str!("style.css");

/// The progressive-enhancement script, compiled into the binary.
pub(crate) const JS: &str = include_str!("ward.js");

/// `GET /static/ward.js`.
pub(crate) async fn script() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        JS,
    )
}

/// `GET /static/ward.css`.
pub(crate) async fn stylesheet() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        CSS,
    )
}

fn head(title: &str) -> Markup {
    html! {
        (DOCTYPE)
        meta charset="utf-8";
        meta name="viewport" content="width=device-width, initial-scale=1";
        title { (title) " · ward" }
        link rel="stylesheet" href="/static/ward.css";
        script src="/static/ward.js" defer {}
    }
}

/// A signed-in page: `title` is the page's `<h1>` and `<title>`.
pub(crate) fn page(viewer: &Viewer, title: &str, body: Markup) -> Markup {
    html! {
        html lang="en" {
            head { (head(title)) }
            body {
                a.skip href="#main" { "Skip to content" }
                header.top {
                    strong { "ward" }
                    nav aria-label="Main" {
                        ul {
                            li { a href="/" { "Overview" } }
                            li { a href="/findings" { "Findings" } }
                            li { a href="/products" { "Products" } }
                            li { a href="/scans" { "Scans" } }
                            @if viewer.products.is_none() && viewer.scope == ward_store::Scope::Admin {
                                li { a href="/admin/keys" { "API keys" } }
                                li { a href="/admin/users" { "Users" } }
                                li { a href="/admin/notifications" { "Notifications" } }
                                li { a href="/admin/retention" { "Retention" } }
                            }
                        }
                    }
                    div.who {
                        span { (viewer.actor) " (" (viewer.scope) ")" }
                        form method="post" action="/logout" {
                            input type="hidden" name="csrf" value=(viewer.csrf);
                            button.secondary type="submit" { "Sign out" }
                        }
                    }
                }
                main id="main" tabindex="-1" {
                    h1 { (title) }
                    (body)
                }
            }
        }
    }
}

/// A page for someone not signed in (the sign-in form).
pub(crate) fn bare_page(title: &str, body: Markup) -> Markup {
    html! {
        html lang="en" {
            head { (head(title)) }
            body {
                a.skip href="#main" { "Skip to content" }
                header.top { strong { "ward" } }
                main id="main" tabindex="-1" {
                    h1 { (title) }
                    (body)
                }
            }
        }
    }
}

/// An error page (403, 404, 400, 500).
pub(crate) fn error_page(status: StatusCode, message: &str) -> Markup {
    let title = status.canonical_reason().unwrap_or("Error");
    bare_page(
        title,
        html! {
            p.error role="alert" { (message) }
            p { a href="/" { "Back to the overview" } }
        },
    )
}

/// A date as `2024-03-01`.
pub(crate) fn date(at: time::OffsetDateTime) -> String {
    let d = at.date();
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

/// A severity label with its colour class.
pub(crate) fn severity(s: ward_core::Severity) -> Markup {
    html! { span class={ "sev sev-" (s.as_str()) } { (s.as_str()) } }
}
