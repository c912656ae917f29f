//! The SLA check `ward serve` runs (daily by default, [`NotifyConfig::sla_check`]): open
//! findings past their due date that were not notified yet become one `sla.breached` event per
//! product, queued and marked notified in one store transaction, so each breach is sent once.
//!
//! [`NotifyConfig::sla_check`]: super::NotifyConfig::sla_check

use std::sync::Arc;

use time::OffsetDateTime;
use ward_store::{SlaBreach, Store};

use super::{events, routes, store_messages, EmitError, Notifier};

/// One check at `now`: returns how many findings were newly found breached.
pub async fn check(
    store: &dyn Store,
    notifier: &Notifier,
    now: OffsetDateTime,
) -> Result<usize, EmitError> {
    let routes = routes(store).await?;
    let public_url = notifier.config.public_url.as_deref();
    let build = |breaches: &[SlaBreach]| {
        store_messages(&routes, &events::for_sla(breaches, now, public_url))
    };
    let breaches = store.notify_sla_breaches(now, &build).await?;
    if !breaches.is_empty() {
        notifier.wake();
    }
    Ok(breaches.len())
}

/// Runs [`check`] at start and then every `sla_check` until `stop` changes.
pub async fn run(
    store: Arc<dyn Store>,
    notifier: Arc<Notifier>,
    mut stop: tokio::sync::watch::Receiver<bool>,
) {
    let mut ticks = tokio::time::interval(notifier.config.sla_check);
    loop {
        tokio::select! {
            _ = ticks.tick() => {}
            _ = stop.changed() => return,
        }
        match check(store.as_ref(), &notifier, OffsetDateTime::now_utc()).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(n, "notified findings past their SLA"),
            Err(error) => tracing::warn!(error = %error, "the SLA check failed"),
        }
    }
}
