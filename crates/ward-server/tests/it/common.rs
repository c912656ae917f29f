//! The test environment: a server over a fresh store (a SQLite file, or a fresh PostgreSQL
//! database when `WARD_TEST_POSTGRES_URL` is set), an admin key, and helpers that send
//! requests through `router(..).oneshot(..)` and read JSON replies.

use std::sync::Arc;

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use axum::Router;
use serde_json::Value;
use tower::ServiceExt;
use ward_server::notify::{Notifier, NotifyConfig};
use ward_server::{AppState, Limits};
use ward_store::{NewApiKey, Scope, Store, StoreOptions};

/// Runs each named `async fn(Env)` as a test on SQLite, and again on PostgreSQL when
/// `WARD_TEST_POSTGRES_URL` is set.
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name($crate::common::Env::sqlite().await).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let Some(env) = $crate::common::Env::postgres().await else {
                        return;
                    };
                    super::$name(env).await;
                }
            )*
        }
    };
}

/// The master key of the test servers (32 bytes of 0xab, hex).
pub(crate) const TEST_MASTER_KEY: &str =
    "abababababababababababababababababababababababababababababababab";

/// What keeps a test's database alive.
enum Guard {
    Dir(tempfile::TempDir),
    Postgres(#[allow(dead_code)] ward_test_support::postgres::TempDatabase),
}

/// A server over a fresh store.
pub(crate) struct Env {
    /// The store behind the server.
    pub(crate) store: Arc<dyn Store>,
    /// The state the router was built on (its metrics, its limits).
    pub(crate) state: AppState,
    /// The application.
    pub(crate) app: Router,
    /// An admin key for every product.
    pub(crate) admin: String,
    /// The signer of the blob URLs the server hands out.
    pub(crate) signer: ward_blob::UrlSigner,
    /// The folder the server keeps uploads and reports in.
    pub(crate) blobs: tempfile::TempDir,
    _guard: Guard,
}

impl Env {
    /// On a SQLite file in a temporary directory.
    pub(crate) async fn sqlite() -> Env {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = ward_server::connect(dir.path(), None, StoreOptions::default())
            .await
            .expect("open SQLite");
        Env::new(store, Guard::Dir(dir)).await
    }

    /// On a fresh PostgreSQL database, when `WARD_TEST_POSTGRES_URL` names a server.
    pub(crate) async fn postgres() -> Option<Env> {
        let db = ward_test_support::postgres::TempDatabase::create().await?;
        let dir = std::env::temp_dir();
        let store = ward_server::connect(&dir, Some(db.url()), StoreOptions::default())
            .await
            .expect("open PostgreSQL");
        Some(Env::new(store, Guard::Postgres(db)).await)
    }

    async fn new(store: Arc<dyn Store>, guard: Guard) -> Env {
        let limits = Limits {
            report_bytes: 8 << 20,
            json_bytes: 64 << 10,
        };
        // A master key, so channel and webhook routes work; tests of the keyless server
        // replace the configuration.
        let keyring = ward_vault::Keyring::load(Some(TEST_MASTER_KEY), None).expect("test key");
        let config = NotifyConfig {
            keyring: Some(Arc::new(keyring)),
            ..NotifyConfig::default()
        };
        let notifier = Notifier::new(config).expect("HTTP client");
        let blobs = tempfile::tempdir().expect("temp dir");
        let signer = ward_blob::UrlSigner::new("test", &[7; 32]).expect("signer");
        let scans = ward_server::scans::Scans {
            blobs: ward_blob::BlobStore::local(blobs.path())
                .and_then(|b| b.with_ward_urls("http://127.0.0.1", signer.clone()))
                .expect("blob store"),
            signer: Some(signer.clone()),
            url_validity: std::time::Duration::from_secs(600),
            max_attempts: 3,
        };
        let state = AppState::new(store.clone(), limits, Arc::new(notifier)).with_scans(scans);
        let app = ward_server::router(state.clone());
        let admin = create_key(store.as_ref(), "admin", Scope::Admin, None).await;
        Env {
            store,
            state,
            app,
            admin,
            signer,
            blobs,
            _guard: guard,
        }
    }

    /// The same store and keys, served with another notification configuration.
    pub(crate) fn with_notify(mut self, config: NotifyConfig) -> Env {
        let notifier = Arc::new(Notifier::new(config).expect("HTTP client"));
        let scans = self.state.scans.clone();
        self.state = AppState::new(self.store.clone(), self.state.limits, notifier);
        if let Some(scans) = scans {
            self.state = self.state.with_scans(scans);
        }
        self.app = ward_server::router(self.state.clone());
        self
    }

    /// The SQLite data directory (`None` on PostgreSQL).
    pub(crate) fn data_dir(&self) -> Option<&std::path::Path> {
        match &self._guard {
            Guard::Dir(dir) => Some(dir.path()),
            Guard::Postgres(_) => None,
        }
    }

    /// A new key with `scope`, limited to `products` when given.
    pub(crate) async fn key(&self, scope: Scope, products: Option<&[&str]>) -> String {
        let name = format!("{scope} {products:?}");
        create_key(self.store.as_ref(), &name, scope, products).await
    }

    /// Sends a request; returns the status and the body as JSON (`Value::Null` for an empty
    /// body, a string for a body that is not JSON).
    pub(crate) async fn send(&self, request: Request<Body>) -> (StatusCode, Value) {
        let response = self.app.clone().oneshot(request).await.expect("response");
        let status = response.status();
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .expect("body");
        let body = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes)
                .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()))
        };
        (status, body)
    }

    /// `GET path` with a key.
    pub(crate) async fn get(&self, path: &str, key: &str) -> (StatusCode, Value) {
        self.send(
            request(Method::GET, path, Some(key))
                .body(Body::empty())
                .expect("request"),
        )
        .await
    }

    /// A JSON request.
    pub(crate) async fn json(
        &self,
        method: Method,
        path: &str,
        key: &str,
        body: Value,
    ) -> (StatusCode, Value) {
        self.send(
            request(method, path, Some(key))
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(body.to_string()))
                .expect("request"),
        )
        .await
    }

    /// A request with a raw body.
    pub(crate) async fn raw(
        &self,
        method: Method,
        path: &str,
        key: &str,
        body: Vec<u8>,
    ) -> (StatusCode, Value) {
        self.send(
            request(method, path, Some(key))
                .header(header::CONTENT_TYPE, "application/octet-stream")
                .body(Body::from(body))
                .expect("request"),
        )
        .await
    }

    /// A multipart form with text fields and an optional `file`.
    pub(crate) async fn form(
        &self,
        path: &str,
        authorization: &str,
        fields: &[(&str, &str)],
        file: Option<(&str, &[u8])>,
    ) -> (StatusCode, Value) {
        let (content_type, body) = multipart(fields, file);
        self.send(
            Request::builder()
                .method(Method::POST)
                .uri(path)
                .header(header::AUTHORIZATION, authorization)
                .header(header::CONTENT_TYPE, content_type)
                .body(Body::from(body))
                .expect("request"),
        )
        .await
    }

    /// Imports `report` natively into `product`/`engagement` (created when missing).
    pub(crate) async fn import(
        &self,
        product: &str,
        engagement: &str,
        query: &str,
        report: &[u8],
    ) -> Value {
        let path = format!(
            "/api/v1/products/{product}/engagements/{engagement}/imports?auto_create=true{query}"
        );
        let (status, body) = self
            .raw(Method::POST, &path, &self.admin, report.to_vec())
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        body
    }

    /// Every finding of a product, through the API.
    pub(crate) async fn findings(&self, product: &str) -> Vec<Value> {
        let mut all = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let mut path =
                format!("/api/v1/findings?product={product}&limit=1000&sort=id&full=true");
            if let Some(c) = &cursor {
                path.push_str(&format!("&cursor={c}"));
            }
            let (status, body) = self.get(&path, &self.admin).await;
            assert_eq!(status, StatusCode::OK, "{body}");
            all.extend(body["findings"].as_array().cloned().unwrap_or_default());
            match body["next_cursor"].as_str() {
                Some(c) => cursor = Some(c.to_string()),
                None => return all,
            }
        }
    }
}

async fn create_key(
    store: &dyn Store,
    name: &str,
    scope: Scope,
    products: Option<&[&str]>,
) -> String {
    store
        .create_api_key(&NewApiKey {
            name: name.to_string(),
            scope,
            products: products.map(|p| p.iter().map(|s| s.to_string()).collect()),
        })
        .await
        .expect("create key")
        .secret
}

/// A request builder with `Authorization: Bearer <key>` when a key is given.
pub(crate) fn request(
    method: Method,
    path: &str,
    key: Option<&str>,
) -> axum::http::request::Builder {
    let builder = Request::builder().method(method).uri(path);
    match key {
        Some(key) => builder.header(header::AUTHORIZATION, format!("Bearer {key}")),
        None => builder,
    }
}

/// A multipart/form-data body: its content type and bytes.
pub(crate) fn multipart(fields: &[(&str, &str)], file: Option<(&str, &[u8])>) -> (String, Vec<u8>) {
    let boundary = "ward-test-boundary-7d1f";
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n")
                .as_bytes(),
        );
    }
    if let Some((file_name, bytes)) = file {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\nContent-Type: application/json\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// A corpus report's bytes (`corpus("trivy/all_statuses.json")`).
pub(crate) fn corpus(path: &str) -> Vec<u8> {
    let full = ward_test_support::corpus_dir().join(path);
    std::fs::read(&full).unwrap_or_else(|e| panic!("reading {}: {e}", full.display()))
}

/// A server on a real loopback socket, stopped when dropped.
pub(crate) struct Listening {
    /// `http://127.0.0.1:PORT`.
    pub(crate) url: String,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
}

impl Drop for Listening {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

impl Env {
    /// Serves this environment's state on 127.0.0.1 (a free port).
    pub(crate) async fn listen(&self) -> Listening {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind 127.0.0.1:0");
        let url = format!("http://{}", listener.local_addr().expect("address"));
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let state = self.state.clone();
        tokio::spawn(async move {
            let shutdown = async {
                let _ = stopped.await;
            };
            ward_server::serve(listener, state, shutdown)
                .await
                .expect("serve");
        });
        Listening {
            url,
            stop: Some(stop),
        }
    }
}
