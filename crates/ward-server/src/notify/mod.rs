//! Notifications in the server: channels whose secrets are sealed with the master keyring
//! ([`secrets`]), events raised by imports, gate verdicts, approvals and the SLA check
//! ([`events`], [`sla`]), routed by the stored rules into the store's outbox, and the delivery
//! loop that works through it ([`delivery`]).
//!
//! An import's events, an approval request's and the SLA check's are queued in the same
//! transaction as the change they describe (the store calls a message builder before
//! committing), so a crash never keeps one without the other. Gate verdicts change nothing
//! stored; their events are queued on their own.

pub mod delivery;
pub mod events;
pub mod jobs;
pub mod secrets;
pub mod sla;

use std::sync::Arc;
use std::time::Duration;

use serde_json::{Map, Value};
use ward_core::Severity;
use ward_notify::routing::{Routes, Rule};
use ward_notify::ChannelConfig;
use ward_notify::{Backoff, Event, HttpClient};
use ward_store::{NewChannel, NewMessage, Store};
use ward_vault::Keyring;

/// How the server notifies.
#[derive(Debug, Clone)]
pub struct NotifyConfig {
    /// The master keys sealing channel secrets; without them channels cannot be created or
    /// used, and `ward serve` refuses to start if any exist.
    pub keyring: Option<Arc<Keyring>>,
    /// `finding.new` is raised for new findings at or above this severity.
    pub new_finding_severity: Severity,
    /// Failed attempts after which a message is dead.
    pub max_attempts: u32,
    /// The retry schedule.
    pub backoff: Backoff,
    /// How often the delivery loop looks for due messages when not woken.
    pub poll: Duration,
    /// The dashboard's base URL, for links in messages.
    pub public_url: Option<String>,
    /// How often `ward serve` looks for findings newly past their SLA ([`sla`]).
    pub sla_check: Duration,
}

impl Default for NotifyConfig {
    /// No keyring; `finding.new` from high; 8 attempts under [`Backoff::DEFAULT`]; 10 s polls;
    /// a daily SLA check.
    fn default() -> NotifyConfig {
        NotifyConfig {
            keyring: None,
            new_finding_severity: Severity::High,
            max_attempts: 8,
            backoff: Backoff::DEFAULT,
            poll: Duration::from_secs(10),
            public_url: None,
            sla_check: Duration::from_secs(24 * 60 * 60),
        }
    }
}

/// The notification side of the server state: configuration, the shared HTTP client and the
/// bell that wakes the delivery loop when messages are queued.
#[derive(Debug)]
pub struct Notifier {
    /// The configuration.
    pub config: NotifyConfig,
    http: HttpClient,
    wake: tokio::sync::Notify,
}

/// How long one HTTP delivery may take.
const SEND_TIMEOUT: Duration = Duration::from_secs(15);

impl Notifier {
    /// A notifier with `config`.
    pub fn new(config: NotifyConfig) -> Result<Notifier, ward_notify::HttpClientError> {
        Ok(Notifier {
            config,
            http: HttpClient::new(SEND_TIMEOUT)?,
            wake: tokio::sync::Notify::new(),
        })
    }

    /// The keyring, or the error every secret-handling path gives without one.
    pub fn keyring(&self) -> Result<&Keyring, NoKeyring> {
        self.config.keyring.as_deref().ok_or(NoKeyring)
    }

    /// The shared HTTP client channels are built with.
    pub fn http(&self) -> &HttpClient {
        &self.http
    }

    /// Routes `events` with the stored rules and queues one message per event and channel;
    /// returns how many were queued. Wakes the delivery loop.
    pub async fn emit(&self, store: &dyn Store, events: &[Event]) -> Result<usize, EmitError> {
        if events.is_empty() {
            return Ok(0);
        }
        let messages = messages(&routes(store).await?, events)?;
        if messages.is_empty() {
            return Ok(0);
        }
        store
            .enqueue(&messages, time::OffsetDateTime::now_utc())
            .await?;
        self.wake();
        Ok(messages.len())
    }

    /// Wakes the delivery loop: messages were queued.
    pub fn wake(&self) {
        self.wake.notify_one();
    }

    /// Emits `events`, logging (not returning) a failure: the action that raised them has
    /// already happened.
    pub async fn emit_logged(&self, store: &dyn Store, events: &[Event]) {
        match self.emit(store, events).await {
            Ok(0) => {}
            Ok(n) => tracing::debug!(n, "queued notifications"),
            Err(error) => tracing::warn!(error = %error, "queuing notifications failed"),
        }
    }
}

/// The stored routing rules.
pub async fn routes(store: &dyn Store) -> Result<Routes, EmitError> {
    let stored = store.list_rules().await?;
    let rules = stored
        .iter()
        .map(|r| serde_json::from_str::<Rule>(&r.rule))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| EmitError::Rule(e.to_string()))?;
    Routes::new(&rules).map_err(|e| EmitError::Rule(e.to_string()))
}

/// One outbox message per event and channel its routes name.
pub fn messages(routes: &Routes, events: &[Event]) -> Result<Vec<NewMessage>, EmitError> {
    let mut messages = Vec::new();
    for event in events {
        let json = serde_json::to_string(event).map_err(|e| EmitError::Rule(e.to_string()))?;
        for channel in routes.channels_for(event) {
            messages.push(NewMessage {
                channel: channel.to_owned(),
                kind: event.kind().as_str().to_owned(),
                event: json.clone(),
            });
        }
    }
    Ok(messages)
}

/// Messages built inside a store transaction: an error there rolls the change back.
pub(crate) fn store_messages(
    routes: &Routes,
    events: &[Event],
) -> ward_store::Result<Vec<NewMessage>> {
    messages(routes, events).map_err(|e| ward_store::Error::invalid("notifications", e.to_string()))
}

/// Checks a channel configuration (it must build a working channel) and seals its secrets
/// for the store. `config` is the clear JSON object (`{"type": "slack", "url": …}`).
pub fn prepare_channel(
    keyring: &Keyring,
    http: &HttpClient,
    name: &str,
    config: &Map<String, Value>,
) -> Result<NewChannel, ChannelError> {
    let parsed: ChannelConfig = serde_json::from_value(Value::Object(config.clone()))
        .map_err(|e| ChannelError::Invalid(e.to_string()))?;
    let kind = parsed.kind();
    parsed
        .build(http)
        .map_err(|e| ChannelError::Invalid(e.to_string()))?;
    Ok(NewChannel {
        name: name.to_owned(),
        kind: kind.to_owned(),
        config: secrets::seal(keyring, config)?,
    })
}

/// A channel configuration that cannot be stored.
#[derive(Debug, thiserror::Error)]
pub enum ChannelError {
    /// It does not describe a working channel (the message never holds its secrets).
    #[error("{0}")]
    Invalid(String),
    /// Sealing failed.
    #[error(transparent)]
    Vault(#[from] ward_vault::VaultError),
}

/// Re-encrypts every stored secret (channel configurations, product webhook secrets and git
/// tokens) under the keyring's newest key; returns how many rows changed. Values already
/// under it are left alone.
pub async fn rotate_secrets(store: &dyn Store, keyring: &Keyring) -> Result<usize, RotateError> {
    let mut changed = 0;
    for channel in store.list_channels().await? {
        let rotated =
            secrets::rotate(keyring, &channel.config).map_err(|source| RotateError::Channel {
                name: channel.name.clone(),
                source,
            })?;
        if let Some(config) = rotated {
            let update = NewChannel {
                name: channel.name.clone(),
                kind: channel.kind.clone(),
                config,
            };
            store.update_channel(&channel.name, &update).await?;
            changed += 1;
        }
    }
    for product in store.list_products().await? {
        let Some(mut hook) = store.product_hook(product.id).await? else {
            continue;
        };
        let rotated = keyring
            .rotate(&hook.secret)
            .map_err(|source| RotateError::Channel {
                name: format!("webhook of product {}", product.name),
                source: secrets::OpenError::Vault(source),
            })?;
        let rotated_token = match &hook.git_token {
            Some(token) => keyring
                .rotate(token)
                .map_err(|source| RotateError::Channel {
                    name: format!("git token of product {}", product.name),
                    source: secrets::OpenError::Vault(source),
                })?,
            None => None,
        };
        if rotated.is_some() || rotated_token.is_some() {
            if let Some(secret) = rotated {
                hook.secret = secret;
            }
            if let Some(token) = rotated_token {
                hook.git_token = Some(token);
            }
            store.set_product_hook(product.id, &hook).await?;
            changed += 1;
        }
    }
    Ok(changed)
}

/// Rotation failed.
#[derive(Debug, thiserror::Error)]
pub enum RotateError {
    /// A stored secret does not open with the configured keys.
    #[error("{name}: {source}")]
    Channel {
        /// The channel.
        name: String,
        /// Why.
        #[source]
        source: secrets::OpenError,
    },
    /// The store failed.
    #[error(transparent)]
    Store(#[from] ward_store::Error),
}

/// Refuses to serve when channels or product webhook secrets are stored but no master key is
/// configured: their secrets could not be read, and new ones could not be sealed.
pub async fn check_startup(store: &dyn Store, notifier: &Notifier) -> Result<(), StartupError> {
    if notifier.config.keyring.is_some() {
        return Ok(());
    }
    let mut n = store.list_channels().await?.len();
    for product in store.list_products().await? {
        if store.product_hook(product.id).await?.is_some() {
            n += 1;
        }
    }
    if n > 0 {
        return Err(StartupError::NoKeyring(n));
    }
    Ok(())
}

/// Why the server will not start.
#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    /// Secrets are stored, and no key opens them.
    #[error(
        "{0} notification channel(s) or webhook secret(s) are stored encrypted, but no master \
         key is configured: set WARD_MASTER_KEY or --master-key-file"
    )]
    NoKeyring(usize),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] ward_store::Error),
}

/// No master key is configured.
#[derive(Debug, Clone, Copy, thiserror::Error)]
#[error(
    "no master key is configured: set WARD_MASTER_KEY or --master-key-file \
     (32 random bytes in base64 or hex) to use notification channels"
)]
pub struct NoKeyring;

/// Queuing events failed.
#[derive(Debug, thiserror::Error)]
pub enum EmitError {
    /// A stored rule or an event could not be read or written as JSON.
    #[error("notification rules: {0}")]
    Rule(String),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] ward_store::Error),
}
