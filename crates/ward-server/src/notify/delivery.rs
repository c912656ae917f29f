//! The delivery loop: claim due outbox messages, send each through its channel, record the
//! result (sent; retry after the backoff; dead after the attempt limit or a permanent
//! refusal). A claimed message is leased: if the server dies before recording the attempt,
//! it is due again when the lease ends, so nothing is lost; a sent message is never claimed
//! again.

use std::sync::Arc;
use std::time::Duration;

use time::OffsetDateTime;
use ward_notify::{ChannelConfig, Event};
use ward_store::{Attempt, OutboxMessage, Store};

use super::{secrets, Notifier};

/// Messages claimed per pass.
const BATCH: u32 = 32;

/// How long a claim holds a message: longer than any send takes.
const LEASE: Duration = Duration::from_secs(300);

/// Runs passes until `stop` changes: after each pass, waits for the poll interval or for
/// new messages.
pub async fn run(
    store: Arc<dyn Store>,
    notifier: Arc<Notifier>,
    mut stop: tokio::sync::watch::Receiver<bool>,
) {
    loop {
        match deliver_due(store.as_ref(), &notifier).await {
            // A full batch: there may be more due at once.
            Ok(n) if n == BATCH as usize => continue,
            Ok(_) => {}
            Err(error) => tracing::warn!(error = %error, "notification delivery pass failed"),
        }
        tokio::select! {
            _ = tokio::time::sleep(notifier.config.poll) => {}
            _ = notifier.wake.notified() => {}
            _ = stop.changed() => return,
        }
    }
}

/// One pass: claims the messages due now and attempts each once. Returns how many it claimed.
pub async fn deliver_due(store: &dyn Store, notifier: &Notifier) -> ward_store::Result<usize> {
    deliver_due_at(store, notifier, OffsetDateTime::now_utc()).await
}

/// [`deliver_due`] with the clock given: messages due at `now` (queued by an SLA check run
/// at that time, for example).
pub async fn deliver_due_at(
    store: &dyn Store,
    notifier: &Notifier,
    now: OffsetDateTime,
) -> ward_store::Result<usize> {
    let lease = now + LEASE;
    let claimed = store.claim_messages(now, BATCH, lease).await?;
    for message in &claimed {
        let attempt = attempt(store, notifier, message).await;
        match &attempt {
            Attempt::Sent(_) => {
                tracing::info!(id = message.id, channel = %message.channel, kind = %message.kind, "notification sent")
            }
            Attempt::Retry { error, .. } => {
                tracing::warn!(id = message.id, channel = %message.channel, error = %error, "notification failed, will retry")
            }
            Attempt::Dead { error } => {
                tracing::error!(id = message.id, channel = %message.channel, error = %error, "notification dead")
            }
        }
        store.record_attempt(message.id, &attempt).await?;
    }
    Ok(claimed.len())
}

async fn attempt(store: &dyn Store, notifier: &Notifier, message: &OutboxMessage) -> Attempt {
    let dead = |error: String| Attempt::Dead { error };
    let retry = |error: String, wait: Option<Duration>| {
        if message.attempts.saturating_add(1) >= notifier.config.max_attempts {
            return Attempt::Dead { error };
        }
        let jitter = f64::from(OffsetDateTime::now_utc().nanosecond()) / 1e9;
        let delay = notifier
            .config
            .backoff
            .delay(message.attempts, jitter)
            .max(wait.unwrap_or_default());
        Attempt::Retry {
            error,
            next_attempt_at: OffsetDateTime::now_utc() + delay,
        }
    };
    let channel = match store.channel_by_name(&message.channel).await {
        Ok(Some(channel)) => channel,
        Ok(None) => return dead(format!("channel `{}` does not exist", message.channel)),
        Err(error) => return retry(format!("reading the channel: {error}"), None),
    };
    let keyring = match notifier.keyring() {
        Ok(keyring) => keyring,
        Err(error) => return retry(error.to_string(), None),
    };
    let config = match secrets::open(keyring, &channel.config) {
        Ok(config) => config,
        Err(error) => return dead(format!("channel `{}`: {error}", channel.name)),
    };
    let built = serde_json::from_value::<ChannelConfig>(config)
        .map_err(|e| e.to_string())
        .and_then(|c| c.build(notifier.http()).map_err(|e| e.to_string()));
    let sender = match built {
        Ok(sender) => sender,
        Err(error) => return dead(format!("channel `{}`: {error}", channel.name)),
    };
    let event: Event = match serde_json::from_str(&message.event) {
        Ok(event) => event,
        Err(error) => return dead(format!("the queued event cannot be read: {error}")),
    };
    match sender.send(&event).await {
        Ok(()) => Attempt::Sent(OffsetDateTime::now_utc()),
        Err(error) if error.is_retryable() => retry(error.to_string(), error.retry_after()),
        Err(error) => dead(error.to_string()),
    }
}
