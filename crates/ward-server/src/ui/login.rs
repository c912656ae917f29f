//! Sign-in (username and password, or an API key) and sign-out.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use maud::{html, Markup};

use super::layout::bare_page;
use super::session::{self, Principal, Viewer};
use super::{field, pairs};
use crate::AppState;

fn form_page(token: &str, error: Option<&str>) -> Markup {
    bare_page(
        "Sign in",
        html! {
            @if let Some(error) = error { p.error role="alert" { (error) } }
            form.stack method="post" action="/login" {
                input type="hidden" name="csrf" value=(token);
                fieldset {
                    legend { "With a user name and password" }
                    label for="username" { "User name" }
                    input id="username" name="username" autocomplete="username";
                    label for="password" { "Password" }
                    input id="password" name="password" type="password" autocomplete="current-password";
                }
                fieldset {
                    legend { "Or with an API key" }
                    label for="api_key" { "API key" }
                    input id="api_key" name="api_key" type="password" autocomplete="off";
                }
                button type="submit" { "Sign in" }
            }
        },
    )
}

/// `GET /login`: the form, with a fresh double-submit token.
pub(crate) async fn form(headers: HeaderMap) -> Response {
    let token = session::random_token();
    let cookie = session::set_cookie(&headers, session::LOGIN_CSRF_COOKIE, &token, 3600);
    ([(header::SET_COOKIE, cookie)], form_page(&token, None)).into_response()
}

/// `POST /login`: checks the token, then the password or the key, and starts a session.
pub(crate) async fn submit(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let form = pairs(&body);
    let again = |status: StatusCode, message: &str| {
        let token = session::random_token();
        let cookie = session::set_cookie(&headers, session::LOGIN_CSRF_COOKIE, &token, 3600);
        (
            status,
            [(header::SET_COOKIE, cookie)],
            form_page(&token, Some(message)),
        )
            .into_response()
    };
    let expected = session::cookie(&headers, session::LOGIN_CSRF_COOKIE).unwrap_or("");
    if !session::tokens_match(expected, field(&form, "csrf").unwrap_or("")) {
        return again(
            StatusCode::FORBIDDEN,
            "The form expired; please sign in again.",
        );
    }
    let who = if let Some(key) = field(&form, "api_key") {
        match state.store.api_key_by_secret(key).await {
            Ok(Some(key)) => Some(Principal::Key { id: key.id.0 }),
            Ok(None) => None,
            Err(error) => return super::store_refusal(error).into_response(),
        }
    } else {
        let username = field(&form, "username").unwrap_or("");
        let password = form
            .iter()
            .find(|(k, _)| k == "password")
            .map_or("", |(_, v)| v.as_str());
        match state.store.verify_user(username, password).await {
            Ok(Some(user)) => Some(Principal::User {
                name: user.username,
                scope: user.scope,
            }),
            Ok(None) => None,
            Err(error) => return super::store_refusal(error).into_response(),
        }
    };
    let Some(who) = who else {
        return again(
            StatusCode::UNAUTHORIZED,
            "Wrong user name, password or API key.",
        );
    };
    let value = session::issue(&state.sessions, who);
    let mut response = Redirect::to("/").into_response();
    let headers_out = response.headers_mut();
    for cookie in [
        session::session_cookie(&headers, &value),
        session::set_cookie(&headers, session::LOGIN_CSRF_COOKIE, "", 0),
    ] {
        if let Ok(value) = cookie.parse() {
            headers_out.append(header::SET_COOKIE, value);
        }
    }
    response
}

/// `POST /logout`: ends the session (the cookie is deleted).
pub(crate) async fn logout(viewer: Viewer, headers: HeaderMap, body: Bytes) -> Response {
    if let Err(refusal) = viewer.check_csrf(field(&pairs(&body), "csrf").unwrap_or("")) {
        return refusal.into_response();
    }
    let cookie = session::set_cookie(&headers, session::SESSION_COOKIE, "", 0);
    ([(header::SET_COOKIE, cookie)], Redirect::to("/login")).into_response()
}
