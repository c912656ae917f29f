//! The HTTP client the chat and webhook channels share, and how HTTP answers map to
//! [`DeliveryError`].
//!
//! reqwest (async, on hyper and tokio like the axum server) rather than ureq (blocking, used by
//! `ward db update`): deliveries run inside the server's tokio runtime, and a blocking client
//! would tie up a runtime thread per request.

use std::time::Duration;

use reqwest::header::{HeaderMap, HeaderName, HeaderValue, CONTENT_TYPE, RETRY_AFTER};
use reqwest::StatusCode;

use crate::DeliveryError;

/// The longest piece of a receiver's error body kept in a [`DeliveryError`].
const MAX_DETAIL_CHARS: usize = 200;

/// A client for sending notifications over HTTP; cheap to clone (clones share connections).
#[derive(Debug, Clone)]
pub struct HttpClient {
    inner: reqwest::Client,
}

/// The HTTP client could not be set up (the TLS backend failed to initialize).
#[derive(Debug, thiserror::Error)]
#[error("setting up the HTTP client: {0}")]
pub struct HttpClientError(String);

impl HttpClient {
    /// A client whose requests give up after `timeout` (connecting included). It follows no
    /// redirects: a webhook that redirects is misconfigured, and following it would send the
    /// message somewhere nobody configured.
    pub fn new(timeout: Duration) -> Result<HttpClient, HttpClientError> {
        reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout)
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("ward/", env!("CARGO_PKG_VERSION")))
            .build()
            .map(|inner| HttpClient { inner })
            .map_err(|e| HttpClientError(error_chain(&e.without_url())))
    }

    /// POSTs a JSON body with extra headers, and maps the answer: 2xx is `Ok`, anything else an
    /// error saying whether to retry.
    pub(crate) async fn post_json(
        &self,
        channel: &'static str,
        url: &str,
        body: Vec<u8>,
        headers: &[(&'static str, String)],
    ) -> Result<(), DeliveryError> {
        let mut map = HeaderMap::new();
        map.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        for (name, value) in headers {
            let value = HeaderValue::from_str(value).map_err(|_| DeliveryError::Invalid {
                channel,
                reason: format!("header {name} has a character HTTP does not allow"),
            })?;
            map.insert(HeaderName::from_static(name), value);
        }
        let response = self
            .inner
            .post(url)
            .headers(map)
            .body(body)
            .send()
            .await
            .map_err(|e| request_error(channel, e))?;
        let status = response.status();
        if status.is_success() {
            return Ok(());
        }
        let retry_after = response
            .headers()
            .get(RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok())
            .map(Duration::from_secs);
        // The body only explains the failure; if it cannot be read, the status still does.
        let detail = response
            .text()
            .await
            .map(|t| excerpt(&t))
            .unwrap_or_default();
        Err(status_error(channel, status, detail, retry_after))
    }
}

fn status_error(
    channel: &'static str,
    status: StatusCode,
    detail: String,
    retry_after: Option<Duration>,
) -> DeliveryError {
    let retryable = status.is_server_error()
        || status == StatusCode::REQUEST_TIMEOUT
        || status == StatusCode::TOO_MANY_REQUESTS;
    if retryable {
        DeliveryError::Unavailable {
            channel,
            status: status.as_u16(),
            detail,
            retry_after,
        }
    } else {
        DeliveryError::Rejected {
            channel,
            status: status.as_u16(),
            detail,
        }
    }
}

fn request_error(channel: &'static str, error: reqwest::Error) -> DeliveryError {
    // The URL is a secret (Slack, Teams and Rocket.Chat webhook URLs carry their token).
    let error = error.without_url();
    if error.is_builder() {
        return DeliveryError::Invalid {
            channel,
            reason: format!("the URL cannot be used: {}", error_chain(&error)),
        };
    }
    let reason = if error.is_timeout() {
        "timed out".to_owned()
    } else {
        error_chain(&error)
    };
    DeliveryError::Unreachable { channel, reason }
}

/// An error and its sources, `: `-separated, skipping repeats (hyper's errors often repeat
/// their source's message).
fn error_chain(error: &dyn std::error::Error) -> String {
    let mut parts: Vec<String> = vec![error.to_string()];
    let mut source = error.source();
    while let Some(e) = source {
        let text = e.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        source = e.source();
    }
    parts.join(": ")
}

/// The first characters of a response body, on one line.
fn excerpt(body: &str) -> String {
    let mut out: String = body
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .take(MAX_DETAIL_CHARS)
        .collect();
    if body.chars().count() > MAX_DETAIL_CHARS {
        out.push('…');
    }
    out.trim().to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_map_to_retry_or_not() {
        let check = |code: u16, retry: bool| {
            let e = status_error(
                "slack",
                StatusCode::from_u16(code).unwrap(),
                String::new(),
                None,
            );
            assert_eq!(e.is_retryable(), retry, "{code}");
        };
        for code in [500, 502, 503, 504, 408, 429] {
            check(code, true);
        }
        for code in [301, 400, 401, 403, 404, 410, 413] {
            check(code, false);
        }
    }

    #[test]
    fn excerpts_are_short_and_on_one_line() {
        assert_eq!(excerpt("invalid_payload\n"), "invalid_payload");
        let long = "x".repeat(500);
        assert_eq!(excerpt(&long).chars().count(), MAX_DETAIL_CHARS + 1);
    }
}
