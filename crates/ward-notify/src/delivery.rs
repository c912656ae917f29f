//! Delivery: the [`Channel`] trait every channel implements, the error that tells the outbox
//! whether to try again, and the retry schedule.

use std::time::Duration;

use crate::Event;

/// A place notifications go: a Slack or Rocket.Chat webhook, a Teams workflow, a generic
/// webhook, an SMTP server.
#[async_trait::async_trait]
pub trait Channel: Send + Sync {
    /// The channel type's name (`slack`, `email` …), for logs.
    fn kind(&self) -> &'static str;

    /// Delivers one event. An `Ok` means the receiver accepted it; the caller must not send
    /// it again.
    async fn send(&self, event: &Event) -> Result<(), DeliveryError>;
}

/// Why a delivery failed, and whether trying again later can help.
///
/// Messages never contain the channel's URL or credentials: webhook URLs are secrets.
#[derive(Debug, thiserror::Error)]
pub enum DeliveryError {
    /// The receiver refused the message (an HTTP 4xx other than 408/429, a 3xx): the message or
    /// the channel's configuration is wrong, and sending it again gives the same answer.
    #[error(
        "{channel} refused the message: HTTP {status}{}",
        detail_suffix(detail)
    )]
    Rejected {
        /// The channel type.
        channel: &'static str,
        /// The HTTP status.
        status: u16,
        /// The start of the response body, if any.
        detail: String,
    },
    /// The receiver failed or asked to wait (HTTP 5xx, 408, 429): worth retrying.
    #[error("{channel} is unavailable: HTTP {status}{}", detail_suffix(detail))]
    Unavailable {
        /// The channel type.
        channel: &'static str,
        /// The HTTP status.
        status: u16,
        /// The start of the response body, if any.
        detail: String,
        /// How long the receiver asked to wait (`Retry-After` in seconds).
        retry_after: Option<Duration>,
    },
    /// The receiver could not be reached (connection refused, DNS, TLS handshake, timeout):
    /// worth retrying.
    #[error("{channel} could not be reached: {reason}")]
    Unreachable {
        /// The channel type.
        channel: &'static str,
        /// What failed.
        reason: String,
    },
    /// The SMTP server answered with an error.
    #[error("the SMTP server {} the message: {reason}", if *permanent { "refused" } else { "deferred" })]
    Smtp {
        /// A 5xx reply (or a client-side error): retrying gives the same answer.
        permanent: bool,
        /// The server's reply or the client's error.
        reason: String,
    },
    /// The channel's configuration cannot work (a bad address, plain SMTP to a remote host).
    #[error("{channel} is misconfigured: {reason}")]
    Invalid {
        /// The channel type.
        channel: &'static str,
        /// What is wrong.
        reason: String,
    },
}

fn detail_suffix(detail: &str) -> String {
    if detail.is_empty() {
        String::new()
    } else {
        format!(" ({detail})")
    }
}

impl DeliveryError {
    /// Whether a later attempt can succeed.
    pub fn is_retryable(&self) -> bool {
        match self {
            DeliveryError::Unavailable { .. } | DeliveryError::Unreachable { .. } => true,
            DeliveryError::Smtp { permanent, .. } => !permanent,
            DeliveryError::Rejected { .. } | DeliveryError::Invalid { .. } => false,
        }
    }

    /// How long the receiver asked to wait before the next attempt, if it said.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            DeliveryError::Unavailable { retry_after, .. } => *retry_after,
            _ => None,
        }
    }
}

/// The retry schedule: exponential from `base`, doubled per attempt up to `cap`, with "equal
/// jitter" (a random point in the upper half of the step) so that many deliveries failing at
/// once do not retry at once, while the wait still grows with every attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    /// The wait before the first retry, before jitter.
    pub base: Duration,
    /// The longest wait.
    pub cap: Duration,
}

impl Backoff {
    /// 30 s, 1 min, 2 min … up to 1 hour between attempts (before jitter).
    pub const DEFAULT: Backoff = Backoff {
        base: Duration::from_secs(30),
        cap: Duration::from_secs(3600),
    };

    /// The wait after failed attempt number `attempt` (0 for the first failure), given
    /// `jitter` in `[0, 1]` (values outside are clamped, NaN counts as 0). Pure: the same inputs give the same
    /// wait, between half the step and the full step.
    pub fn delay(&self, attempt: u32, jitter: f64) -> Duration {
        let factor = 2u32.saturating_pow(attempt.min(31));
        let step = self.base.saturating_mul(factor).min(self.cap);
        let half = step / 2;
        let jitter = if jitter.is_nan() {
            0.0
        } else {
            jitter.clamp(0.0, 1.0)
        };
        half + (step - half).mul_f64(jitter)
    }
}

/// The wait after failed attempt number `attempt` under [`Backoff::DEFAULT`], with jitter from
/// the system's random generator (no jitter if it fails).
pub fn backoff(attempt: u32) -> Duration {
    let mut bytes = [0u8; 4];
    let jitter = match getrandom::fill(&mut bytes) {
        Ok(()) => f64::from(u32::from_le_bytes(bytes)) / f64::from(u32::MAX),
        Err(_) => 1.0,
    };
    Backoff::DEFAULT.delay(attempt, jitter)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_grow_then_stop_at_the_cap() {
        let b = Backoff::DEFAULT;
        let secs = |attempt, jitter| b.delay(attempt, jitter).as_secs();
        assert_eq!(
            (0..9).map(|a| secs(a, 1.0)).collect::<Vec<_>>(),
            [30, 60, 120, 240, 480, 960, 1920, 3600, 3600]
        );
        assert_eq!(secs(0, 0.0), 15);
        assert_eq!(secs(3, 0.5), 180);
        assert_eq!(secs(u32::MAX, 1.0), 3600);
        assert_eq!(secs(u32::MAX, 0.0), 1800);
        assert_eq!(secs(2, 7.0), 120, "jitter is clamped");
        assert_eq!(secs(2, f64::NAN), 60, "NaN jitter counts as none");
    }

    #[test]
    fn random_jitter_stays_in_range() {
        for attempt in 0..12 {
            let full = Backoff::DEFAULT.delay(attempt, 1.0);
            let d = backoff(attempt);
            assert!(d >= full / 2 && d <= full, "attempt {attempt}: {d:?}");
        }
    }

    #[test]
    fn retryable_or_not() {
        let unavailable = DeliveryError::Unavailable {
            channel: "slack",
            status: 503,
            detail: String::new(),
            retry_after: Some(Duration::from_secs(5)),
        };
        assert!(unavailable.is_retryable());
        assert_eq!(unavailable.retry_after(), Some(Duration::from_secs(5)));
        assert_eq!(unavailable.to_string(), "slack is unavailable: HTTP 503");
        let rejected = DeliveryError::Rejected {
            channel: "slack",
            status: 404,
            detail: "no_service".into(),
        };
        assert!(!rejected.is_retryable());
        assert_eq!(
            rejected.to_string(),
            "slack refused the message: HTTP 404 (no_service)"
        );
        assert!(!DeliveryError::Smtp {
            permanent: true,
            reason: "550".into()
        }
        .is_retryable());
    }
}
