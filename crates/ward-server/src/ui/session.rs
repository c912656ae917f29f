//! Dashboard sessions: signed, stateless cookies, the `Viewer` extractor and CSRF tokens.
//!
//! A session cookie is `base64url(JSON claims) . base64url(HMAC-SHA256(claims))` under a key
//! the server draws at start (so a restart signs everyone out; no table needed). Claims name a
//! user (with the scope it had at sign-in) or an API key; a key session is checked against the
//! stored key on every request, so revoking the key ends its sessions at once. The CSRF token
//! of a session is an HMAC of its cookie: forms carry it, and every POST must match it. Before
//! sign-in the login form uses a double-submit token (a random cookie echoed by the form).

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Redirect, Response};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use subtle::ConstantTimeEq;
use time::OffsetDateTime;
use ward_store::{ApiKey, Product, ProductId, Scope};

use crate::AppState;

/// The session cookie's name.
pub(crate) const SESSION_COOKIE: &str = "ward_session";
/// The sign-in form's double-submit cookie.
pub(crate) const LOGIN_CSRF_COOKIE: &str = "ward_login_csrf";
/// How long a session lasts.
const SESSION_SECONDS: i64 = 12 * 3600;

/// The key sessions are signed with, drawn when the server starts.
pub struct SessionKey([u8; 32]);

impl SessionKey {
    /// A fresh random key.
    pub fn random() -> SessionKey {
        let mut bytes = [0u8; 32];
        // The OS generator failing leaves no safe way to sign sessions.
        getrandom::fill(&mut bytes).expect("the operating system's random generator failed");
        SessionKey(bytes)
    }

    fn mac(&self, purpose: &str, data: &[u8]) -> Vec<u8> {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.0).expect("HMAC takes any key length");
        mac.update(purpose.as_bytes());
        mac.update(b"\0");
        mac.update(data);
        mac.finalize().into_bytes().to_vec()
    }
}

impl std::fmt::Debug for SessionKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SessionKey(<redacted>)")
    }
}

/// Who a session belongs to.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub(crate) enum Principal {
    /// A dashboard user; users have the scope they were created with, on every product.
    User {
        /// The user name.
        name: String,
        /// The user's scope at sign-in.
        scope: Scope,
    },
    /// An API key, by id; its scope and products are read from the store on each request.
    Key {
        /// The key's id.
        id: i64,
    },
}

#[derive(Debug, Serialize, Deserialize)]
struct Claims {
    who: Principal,
    /// Expiry, Unix seconds.
    exp: i64,
}

/// A signed cookie value for `who`, valid for `SESSION_SECONDS`.
pub(crate) fn issue(key: &SessionKey, who: Principal) -> String {
    let claims = Claims {
        who,
        exp: OffsetDateTime::now_utc().unix_timestamp() + SESSION_SECONDS,
    };
    let payload = serde_json::to_vec(&claims).expect("claims serialise");
    let tag = key.mac("session", &payload);
    format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(payload),
        URL_SAFE_NO_PAD.encode(tag)
    )
}

/// The principal of a cookie value, when its signature holds and it has not expired.
fn verify(key: &SessionKey, value: &str) -> Option<Principal> {
    let (payload, tag) = value.split_once('.')?;
    let payload = URL_SAFE_NO_PAD.decode(payload).ok()?;
    let tag = URL_SAFE_NO_PAD.decode(tag).ok()?;
    if !bool::from(key.mac("session", &payload).ct_eq(&tag)) {
        return None;
    }
    let claims: Claims = serde_json::from_slice(&payload).ok()?;
    (claims.exp > OffsetDateTime::now_utc().unix_timestamp()).then_some(claims.who)
}

/// The CSRF token of the session whose cookie is `cookie`.
fn csrf_for(key: &SessionKey, cookie: &str) -> String {
    let tag = key.mac("csrf", cookie.as_bytes());
    URL_SAFE_NO_PAD.encode(tag)
}

/// A random token for the sign-in form's double-submit cookie.
pub(crate) fn random_token() -> String {
    let mut bytes = [0u8; 24];
    getrandom::fill(&mut bytes).expect("the operating system's random generator failed");
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Whether two tokens are equal, in constant time.
pub(crate) fn tokens_match(a: &str, b: &str) -> bool {
    !a.is_empty() && bool::from(a.as_bytes().ct_eq(b.as_bytes()))
}

/// The value of cookie `name`.
pub(crate) fn cookie<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// Whether the request reached us over TLS (directly or through a proxy that says so).
fn over_tls(headers: &HeaderMap) -> bool {
    headers
        .get("x-forwarded-proto")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("https"))
}

/// A `Set-Cookie` value: HttpOnly, SameSite=Strict, path `/`, Secure over TLS; `max_age`
/// 0 deletes the cookie.
pub(crate) fn set_cookie(headers: &HeaderMap, name: &str, value: &str, max_age: i64) -> String {
    let secure = if over_tls(headers) { "; Secure" } else { "" };
    format!("{name}={value}; Path=/; HttpOnly; SameSite=Strict; Max-Age={max_age}{secure}")
}

/// The `Set-Cookie` value of a new session.
pub(crate) fn session_cookie(headers: &HeaderMap, value: &str) -> String {
    set_cookie(headers, SESSION_COOKIE, value, SESSION_SECONDS)
}

/// The signed-in person or key of a dashboard request. Extracting it from a request without a
/// valid session redirects to the sign-in page.
#[derive(Debug, Clone)]
pub(crate) struct Viewer {
    /// The name the audit trail records (`user:ana`, `key:ci`).
    pub(crate) actor: String,
    /// What it may do.
    pub(crate) scope: Scope,
    /// The product names it is limited to; `None` is every product.
    pub(crate) products: Option<Vec<String>>,
    /// The token every form of this session must carry.
    pub(crate) csrf: String,
}

/// Why a dashboard request was refused.
#[derive(Debug)]
pub(crate) enum Refusal {
    /// No valid session: go sign in.
    SignIn,
    /// Signed in, but not allowed (403), or asked for what it may not see (404).
    Status(axum::http::StatusCode, String),
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        match self {
            Refusal::SignIn => Redirect::to("/login").into_response(),
            Refusal::Status(status, message) => {
                (status, super::layout::error_page(status, &message)).into_response()
            }
        }
    }
}

impl FromRequestParts<AppState> for Viewer {
    type Rejection = Refusal;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Viewer, Refusal> {
        let value = cookie(&parts.headers, SESSION_COOKIE).ok_or(Refusal::SignIn)?;
        let who = verify(&state.sessions, value).ok_or(Refusal::SignIn)?;
        let csrf = csrf_for(&state.sessions, value);
        match who {
            Principal::User { name, scope } => Ok(Viewer {
                actor: format!("user:{name}"),
                scope,
                products: None,
                csrf,
            }),
            Principal::Key { id } => {
                let keys = state
                    .store
                    .list_api_keys()
                    .await
                    .map_err(|e| Refusal::Status(super::status_of(&e), e.to_string()))?;
                let key: ApiKey = keys
                    .into_iter()
                    .find(|k| k.id.0 == id && k.revoked_at.is_none())
                    .ok_or(Refusal::SignIn)?;
                Ok(Viewer {
                    actor: format!("key:{}", key.name),
                    scope: key.scope,
                    products: key.products,
                    csrf,
                })
            }
        }
    }
}

impl Viewer {
    /// Fails with 403 unless the viewer's scope includes `needed`.
    pub(crate) fn require(&self, needed: Scope) -> Result<(), Refusal> {
        if self.scope.allows(needed) {
            return Ok(());
        }
        Err(Refusal::Status(
            axum::http::StatusCode::FORBIDDEN,
            format!("you have scope `{}`; this needs `{needed}`", self.scope),
        ))
    }

    /// Fails with 403 unless the viewer has `needed` on every product.
    pub(crate) fn require_global(&self, needed: Scope) -> Result<(), Refusal> {
        self.require(needed)?;
        if self.products.is_none() {
            return Ok(());
        }
        Err(Refusal::Status(
            axum::http::StatusCode::FORBIDDEN,
            "you are limited to some products; this needs access to every product".into(),
        ))
    }

    /// Whether the viewer may see `product`.
    pub(crate) fn sees(&self, product: &Product) -> bool {
        self.products
            .as_ref()
            .is_none_or(|names| names.contains(&product.name))
    }

    /// Fails with 403 unless the viewer's CSRF token is `presented`.
    pub(crate) fn check_csrf(&self, presented: &str) -> Result<(), Refusal> {
        if tokens_match(&self.csrf, presented) {
            return Ok(());
        }
        Err(Refusal::Status(
            axum::http::StatusCode::FORBIDDEN,
            "the form's security token is missing or stale: reload the page and try again".into(),
        ))
    }

    /// The ids of the products the viewer is limited to (`None`: every product).
    pub(crate) fn allowed_ids(&self, products: &[Product]) -> Option<Vec<ProductId>> {
        self.products.as_ref().map(|_| {
            products
                .iter()
                .filter(|p| self.sees(p))
                .map(|p| p.id)
                .collect()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookies_verify_only_with_their_key() {
        let key = SessionKey::random();
        let who = Principal::User {
            name: "ana".into(),
            scope: Scope::Triage,
        };
        let value = issue(&key, who.clone());
        assert_eq!(verify(&key, &value), Some(who));
        assert_eq!(verify(&SessionKey::random(), &value), None);
        let tampered = value.replacen('e', "f", 1);
        assert!(tampered == value || verify(&key, &tampered).is_none());
        assert_eq!(verify(&key, "garbage"), None);
        assert_ne!(csrf_for(&key, &value), csrf_for(&key, "other"));
    }
}
