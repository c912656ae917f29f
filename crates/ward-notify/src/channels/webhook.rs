//! The generic webhook: the event as JSON, signed so the receiver can tell it came from ward
//! and is recent.
//!
//! Headers on every request:
//! - `X-Ward-Event`: the event type (`gate.failed` …);
//! - `X-Ward-Event-Id`: the event id, the same on every retry, for dropping duplicates;
//! - `X-Ward-Timestamp`: when this attempt was signed, in Unix seconds;
//! - `X-Ward-Signature`: `sha256=` and the hex HMAC-SHA256, keyed with the shared secret, of
//!   the timestamp, a `.`, and the raw body.
//!
//! Signing the timestamp with the body lets a receiver refuse a captured request replayed
//! later: [`verify`] accepts a signature only within a tolerance of its own clock. Within the
//! tolerance, the event id tells a replay from a new event.

use std::time::{Duration, SystemTime};

use hmac::{Hmac, Mac};
use sha2::Sha256;
use ward_vault::Secret;

use super::{check_url, ConfigError};
use crate::{Channel, DeliveryError, Event, HttpClient};

/// The header holding the signing time, in Unix seconds.
pub const TIMESTAMP_HEADER: &str = "x-ward-timestamp";
/// The header holding `sha256=<hex HMAC>`.
pub const SIGNATURE_HEADER: &str = "x-ward-signature";
const EVENT_HEADER: &str = "x-ward-event";
const EVENT_ID_HEADER: &str = "x-ward-event-id";

type HmacSha256 = Hmac<Sha256>;

/// A generic webhook receiving ward's event JSON.
#[derive(Debug)]
pub struct Webhook {
    url: Secret,
    secret: Secret,
    http: HttpClient,
}

impl Webhook {
    /// A channel posting to `url`, signing with `secret` (which must not be empty).
    pub fn new(url: Secret, secret: Secret, http: HttpClient) -> Result<Webhook, ConfigError> {
        check_url("webhook", &url)?;
        if secret.is_empty() {
            return Err(ConfigError {
                channel: "webhook",
                reason: "the signing secret is empty".to_owned(),
            });
        }
        Ok(Webhook { url, secret, http })
    }
}

#[async_trait::async_trait]
impl Channel for Webhook {
    fn kind(&self) -> &'static str {
        "webhook"
    }

    async fn send(&self, event: &Event) -> Result<(), DeliveryError> {
        let body = serde_json::to_vec(event).map_err(|e| DeliveryError::Invalid {
            channel: "webhook",
            reason: format!("the event does not serialize: {e}"),
        })?;
        let timestamp = unix_seconds(SystemTime::now());
        let signature = sign(self.secret.expose().as_bytes(), timestamp, &body);
        let headers = [
            (EVENT_HEADER, event.kind().as_str().to_owned()),
            (EVENT_ID_HEADER, event.id.clone()),
            (TIMESTAMP_HEADER, timestamp.to_string()),
            (SIGNATURE_HEADER, signature),
        ];
        self.http
            .post_json("webhook", self.url.expose(), body, &headers)
            .await
    }
}

/// The `X-Ward-Signature` value for `body` signed at `timestamp` (Unix seconds).
pub fn sign(secret: &[u8], timestamp: i64, body: &[u8]) -> String {
    let mac = mac(secret, &timestamp.to_string(), body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

/// Why a webhook request was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    /// `X-Ward-Timestamp` is not a whole number of seconds.
    #[error("the timestamp header is not a number of seconds")]
    BadTimestamp,
    /// `X-Ward-Signature` is not `sha256=` followed by 64 hex digits.
    #[error("the signature header is not sha256=<64 hex digits>")]
    BadSignatureFormat,
    /// The timestamp is further from now than the tolerance: a replay, or clocks far apart.
    #[error("the request was signed {age_seconds} s from now, beyond the tolerance")]
    Stale {
        /// How far the timestamp is from the receiver's clock, either way.
        age_seconds: u64,
    },
    /// The signature does not match the body and timestamp under this secret.
    #[error("the signature does not match")]
    Mismatch,
}

/// Checks a request from ward: `timestamp` and `signature` are the header values, `body` the
/// raw bytes as received, `now` the receiver's clock. Refuses requests signed more than
/// `tolerance` before or after `now`. The comparison is constant-time.
pub fn verify(
    secret: &[u8],
    timestamp: &str,
    body: &[u8],
    signature: &str,
    now: SystemTime,
    tolerance: Duration,
) -> Result<(), VerifyError> {
    let signed_at: i64 = timestamp
        .trim()
        .parse()
        .map_err(|_| VerifyError::BadTimestamp)?;
    let expected = signature
        .trim()
        .strip_prefix("sha256=")
        .filter(|hex| hex.len() == 64)
        .and_then(|hex| hex::decode(hex).ok())
        .ok_or(VerifyError::BadSignatureFormat)?;
    let age_seconds = unix_seconds(now).abs_diff(signed_at);
    if age_seconds > tolerance.as_secs() {
        return Err(VerifyError::Stale { age_seconds });
    }
    mac(secret, timestamp.trim(), body)
        .verify_slice(&expected)
        .map_err(|_| VerifyError::Mismatch)
}

fn mac(secret: &[u8], timestamp: &str, body: &[u8]) -> HmacSha256 {
    let mut mac = HmacSha256::new_from_slice(secret).expect("HMAC takes keys of any length");
    mac.update(timestamp.as_bytes());
    mac.update(b".");
    mac.update(body);
    mac
}

fn unix_seconds(time: SystemTime) -> i64 {
    match time.duration_since(SystemTime::UNIX_EPOCH) {
        Ok(after) => i64::try_from(after.as_secs()).unwrap_or(i64::MAX),
        Err(before) => i64::try_from(before.duration().as_secs()).map_or(i64::MIN, |s| -s),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &[u8] = b"whsec-test";
    const MINUTES_5: Duration = Duration::from_secs(300);

    fn at(seconds: u64) -> SystemTime {
        SystemTime::UNIX_EPOCH + Duration::from_secs(seconds)
    }

    #[test]
    fn signatures_verify_within_the_tolerance() {
        let body = br#"{"type":"gate.failed"}"#;
        let signature = sign(SECRET, 1_700_000_000, body);
        assert!(signature.starts_with("sha256=") && signature.len() == 71);
        for now in [1_700_000_000, 1_700_000_300, 1_699_999_700] {
            assert_eq!(
                verify(SECRET, "1700000000", body, &signature, at(now), MINUTES_5),
                Ok(())
            );
        }
    }

    #[test]
    fn tampering_replays_and_garbage_are_refused() {
        let body = br#"{"type":"gate.failed"}"#;
        let signature = sign(SECRET, 1_700_000_000, body);
        let now = at(1_700_000_010);
        let check = |secret: &[u8], ts: &str, body: &[u8], sig: &str| {
            verify(secret, ts, body, sig, now, MINUTES_5)
        };
        assert_eq!(
            check(
                SECRET,
                "1700000000",
                br#"{"type":"gate.passed"}"#,
                &signature
            ),
            Err(VerifyError::Mismatch)
        );
        assert_eq!(
            check(SECRET, "1700000001", body, &signature),
            Err(VerifyError::Mismatch),
            "the timestamp is signed too"
        );
        assert_eq!(
            check(b"other", "1700000000", body, &signature),
            Err(VerifyError::Mismatch)
        );
        let old = sign(SECRET, 1_699_999_000, body);
        assert_eq!(
            check(SECRET, "1699999000", body, &old),
            Err(VerifyError::Stale { age_seconds: 1010 })
        );
        assert_eq!(
            check(SECRET, "soon", body, &signature),
            Err(VerifyError::BadTimestamp)
        );
        for bad in ["", "sha1=abc", "sha256=zz", &signature[..70]] {
            assert_eq!(
                check(SECRET, "1700000000", body, bad),
                Err(VerifyError::BadSignatureFormat),
                "{bad}"
            );
        }
    }
}
