//! API keys verified recently, held in memory so that a request needs no key query.
//!
//! Every change to `api_keys`, from any process, raises a notification on [`CHANNEL`] (a
//! statement trigger, migration `20261125300000`). Each store keeps a connection listening
//! for it and forgets every cached key when one arrives; changes made through the store
//! itself forget them at once, before the call returns. The cache serves only while that
//! connection is up: from its loss until it is back (and the cache emptied), every key is
//! read from the database. A key read from the database is kept only if no notification
//! came while it was being read (a generation number), so a revocation that commits during
//! a lookup is never undone by it. Only keys that verified are kept, for at most [`TTL`].

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use sqlx::postgres::{PgListener, PgPool};
use tokio::sync::oneshot;
use ward_store::ApiKey;

/// The notification channel of changes to `api_keys`.
pub(crate) const CHANNEL: &str = "ward_api_keys";
/// How long a verified key is kept without being read again from the database.
const TTL: Duration = Duration::from_secs(60);
/// At most this many keys are kept; beyond, the cache is emptied.
const MAX_ENTRIES: usize = 10_000;
/// The wait before listening again after the listening connection failed.
const RETRY: Duration = Duration::from_secs(1);

/// The cache of one store (and its clones); its listener ends when the last clone is dropped.
pub(crate) struct KeyCache {
    shared: Arc<Shared>,
    _stop: oneshot::Sender<()>,
}

struct Shared {
    listening: AtomicBool,
    entries: Mutex<Entries>,
}

#[derive(Default)]
struct Entries {
    generation: u64,
    keys: HashMap<String, (ApiKey, Instant)>,
}

impl KeyCache {
    /// Starts listening for key changes on a connection of `pool`.
    pub(crate) fn start(pool: PgPool) -> KeyCache {
        let shared = Arc::new(Shared {
            listening: AtomicBool::new(false),
            entries: Mutex::new(Entries::default()),
        });
        let (stop, stopped) = oneshot::channel();
        tokio::spawn(listen(pool, shared.clone(), stopped));
        KeyCache {
            shared,
            _stop: stop,
        }
    }

    /// The key whose presented secret hashes to `hash`, when cached.
    pub(crate) fn get(&self, hash: &str) -> Option<ApiKey> {
        if !self.shared.listening.load(Ordering::Acquire) {
            return None;
        }
        let entries = self.shared.lock();
        let (key, at) = entries.keys.get(hash)?;
        (at.elapsed() < TTL).then(|| key.clone())
    }

    /// The generation to pass to [`KeyCache::put`] for a key about to be read; `None` when
    /// the cache does not serve.
    pub(crate) fn generation(&self) -> Option<u64> {
        let entries = self.shared.lock();
        self.shared
            .listening
            .load(Ordering::Acquire)
            .then_some(entries.generation)
    }

    /// Keeps a key read from the database, unless keys changed since `generation`.
    pub(crate) fn put(&self, hash: String, key: ApiKey, generation: u64) {
        let mut entries = self.shared.lock();
        if entries.generation != generation || !self.shared.listening.load(Ordering::Acquire) {
            return;
        }
        if entries.keys.len() >= MAX_ENTRIES {
            entries.keys.clear();
        }
        entries.keys.insert(hash, (key, Instant::now()));
    }

    /// Forgets every key: keys changed.
    pub(crate) fn invalidate(&self) {
        self.shared.invalidate();
    }

    /// Whether the cache serves (its listening connection is up): for tests.
    pub(crate) fn is_listening(&self) -> bool {
        self.shared.listening.load(Ordering::Acquire)
    }

    /// How many keys it holds: for tests.
    pub(crate) fn len(&self) -> usize {
        self.shared.lock().keys.len()
    }
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Entries> {
        // A panic while holding the lock leaves plain data behind: still usable.
        self.entries
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn invalidate(&self) {
        let mut entries = self.lock();
        entries.generation += 1;
        entries.keys.clear();
    }

    fn stop_serving(&self) {
        self.listening.store(false, Ordering::Release);
        self.invalidate();
    }
}

/// Listens until `stop` fires (or its sender is dropped), forgetting the keys on every
/// notification, and serving only while connected.
async fn listen(pool: PgPool, shared: Arc<Shared>, mut stop: oneshot::Receiver<()>) {
    loop {
        let connected = tokio::select! {
            _ = &mut stop => return,
            connected = subscribe(&pool) => connected,
        };
        let mut listener = match connected {
            Ok(listener) => listener,
            Err(error) => {
                tracing::warn!(%error, "API key cache: cannot listen for key changes; keys are read from the database");
                tokio::select! {
                    _ = &mut stop => return,
                    () = tokio::time::sleep(RETRY) => continue,
                }
            }
        };
        shared.invalidate();
        shared.listening.store(true, Ordering::Release);
        loop {
            let received = tokio::select! {
                _ = &mut stop => {
                    shared.stop_serving();
                    return;
                }
                received = listener.try_recv() => received,
            };
            match received {
                Ok(Some(_)) => shared.invalidate(),
                // The connection was lost: notifications may have been missed.
                Ok(None) | Err(_) => {
                    shared.stop_serving();
                    break;
                }
            }
        }
    }
}

async fn subscribe(pool: &PgPool) -> sqlx::Result<PgListener> {
    let mut listener = PgListener::connect_with(pool).await?;
    listener.listen(CHANNEL).await?;
    Ok(listener)
}
