//! A webhook on a private repository: the product's git token (sealed at rest) reaches the
//! git host through the worker's clone, and only there. The host is `git http-backend` (git's
//! own smart-HTTP server, run as CGI) behind a loopback HTTP server that demands HTTP Basic
//! credentials, as GitLab does for a private project.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::{Arc, Mutex};

use axum::body::{Body, Bytes};
use axum::extract::{Path as UrlPath, RawQuery, State};
use axum::http::{HeaderMap, Method, Response, StatusCode};
use base64::Engine;
use serde_json::{json, Value};
use tokio::io::AsyncWriteExt;
use ward_jobs::{RunConfig, Worker, WorkerConfig};
use ward_store::{JobFilter, JobState};

use crate::common::{Env, TEST_MASTER_KEY};

const TOKEN: &str = "glpat-test-token-not-real";
const HOOK_SECRET: &str = "gitlab-webhook-token";

/// A git host on 127.0.0.1 serving the bare repositories under `root` to `oauth2:TOKEN`.
#[derive(Clone)]
struct GitHost {
    root: PathBuf,
    /// The user names presented, one per authenticated request.
    users: Arc<Mutex<Vec<String>>>,
}

async fn serve_git(
    State(host): State<GitHost>,
    method: Method,
    UrlPath(path): UrlPath<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Response<Body> {
    let presented = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic "))
        .and_then(|v| base64::engine::general_purpose::STANDARD.decode(v).ok())
        .and_then(|v| String::from_utf8(v).ok());
    let Some((user, token)) = presented.as_deref().and_then(|p| p.split_once(':')) else {
        return Response::builder()
            .status(StatusCode::UNAUTHORIZED)
            .header("www-authenticate", "Basic realm=\"git\"")
            .body(Body::empty())
            .unwrap();
    };
    if token != TOKEN {
        return Response::builder()
            .status(StatusCode::UNAUTHORIZED)
            .header("www-authenticate", "Basic realm=\"git\"")
            .body(Body::empty())
            .unwrap();
    }
    host.users.lock().unwrap().push(user.to_owned());
    let content_type = headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let mut child = tokio::process::Command::new("git")
        .arg("http-backend")
        .env_clear()
        .env("GIT_PROJECT_ROOT", &host.root)
        .env("GIT_HTTP_EXPORT_ALL", "1")
        .env("PATH_INFO", format!("/{path}"))
        .env("QUERY_STRING", query.unwrap_or_default())
        .env("REQUEST_METHOD", method.as_str())
        .env("CONTENT_TYPE", content_type)
        .env("CONTENT_LENGTH", body.len().to_string())
        .env("REMOTE_USER", user)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(&body).await.unwrap();
    drop(stdin);
    let output = child.wait_with_output().await.unwrap();
    cgi_response(&output.stdout)
}

/// A CGI reply (headers, a blank line, the body) as an HTTP response.
fn cgi_response(output: &[u8]) -> Response<Body> {
    let split = output
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map(|i| (i, i + 4))
        .or_else(|| {
            output
                .windows(2)
                .position(|w| w == b"\n\n")
                .map(|i| (i, i + 2))
        })
        .expect("CGI headers end");
    let head = std::str::from_utf8(&output[..split.0]).unwrap();
    let mut response = Response::builder();
    for line in head.lines() {
        let (name, value) = line.split_once(':').unwrap();
        let value = value.trim();
        if name.eq_ignore_ascii_case("status") {
            let code: u16 = value.split(' ').next().unwrap().parse().unwrap();
            response = response.status(code);
        } else {
            response = response.header(name, value);
        }
    }
    response
        .body(Body::from(output[split.1..].to_vec()))
        .unwrap()
}

/// A bare repository `shop.git` under `root` with one commit; returns the commit id.
fn private_repository(root: &Path) -> String {
    let git = |dir: &Path, args: &[&str]| {
        let output = std::process::Command::new("git")
            .args(["-c", "user.name=ward", "-c", "user.email=ward@example.com"])
            .args(args)
            .current_dir(dir)
            .output()
            .unwrap();
        assert!(output.status.success(), "git {args:?}: {output:?}");
        String::from_utf8(output.stdout).unwrap()
    };
    let work = root.join("work");
    std::fs::create_dir_all(&work).unwrap();
    git(&work, &["init", "-q", "-b", "master"]);
    std::fs::write(work.join("README.md"), "# shop\n").unwrap();
    git(&work, &["add", "."]);
    git(&work, &["commit", "-q", "-m", "first"]);
    git(root, &["clone", "-q", "--bare", "work", "shop.git"]);
    git(&work, &["rev-parse", "HEAD"]).trim().to_owned()
}

async fn start_git_host(root: &Path) -> (GitHost, String) {
    let host = GitHost {
        root: root.to_path_buf(),
        users: Arc::default(),
    };
    let app = axum::Router::new()
        .route("/{*path}", axum::routing::any(serve_git))
        .with_state(host.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/shop.git", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (host, url)
}

fn worker(env: &Env, scratch: &Path) -> Worker {
    let mut config = WorkerConfig::new("test-worker", RunConfig::new(scratch));
    config.keyring = Some(Arc::new(
        ward_vault::Keyring::load(Some(TEST_MASTER_KEY), None).unwrap(),
    ));
    Worker {
        store: Arc::clone(&env.store),
        blobs: ward_blob::BlobStore::local(env.blobs.path()).unwrap(),
        config,
        observer: None,
    }
}

/// GitLab's documented push payload, pointed at the loopback repository and commit.
fn push_payload(url: &str, commit: &str) -> Vec<u8> {
    let file = format!(
        "{}/../ward-notify/tests/data/hooks/gitlab/push.json",
        &std::env::var("CARGO_MANIFEST_DIR").expect("set by cargo")
    );
    let mut push: Value = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    push["project"]["git_http_url"] = json!(url);
    push["repository"]["git_http_url"] = json!(url);
    push["after"] = json!(commit);
    push["checkout_sha"] = json!(commit);
    push.to_string().into_bytes()
}

async fn set_hook(env: &Env, git_token: &str) {
    let (status, body) = env
        .json(
            Method::PUT,
            "/api/v1/products/shop/hook",
            &env.admin,
            json!({"secret": HOOK_SECRET, "branches": ["master"], "scanners": ["secrets"],
                   "git_token": git_token}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["git_token"], "***");
}

async fn push(env: &Env, payload: Vec<u8>) -> i64 {
    let request = axum::http::Request::builder()
        .method(Method::POST)
        .uri("/hooks/gitlab?product=shop")
        .header("content-type", "application/json")
        .header("x-gitlab-token", HOOK_SECRET)
        .body(Body::from(payload))
        .unwrap();
    let (status, reply) = env.send(request).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{reply}");
    reply["jobs"][0].as_i64().unwrap()
}

async fn private_repository_is_cloned_with_the_token(env: Env) {
    let git_root = tempfile::tempdir().unwrap();
    let commit = private_repository(git_root.path());
    let (host, url) = start_git_host(git_root.path()).await;
    let scratch = tempfile::tempdir().unwrap();
    let worker = worker(&env, scratch.path());
    let (_stop, mut stopped) = tokio::sync::watch::channel(false);
    env.store
        .create_product(&ward_store::NewProduct {
            name: "shop".into(),
            ..ward_store::NewProduct::default()
        })
        .await
        .unwrap();

    set_hook(&env, TOKEN).await;
    let job = push(&env, push_payload(&url, &commit)).await;
    let queued = env.store.job(ward_store::JobId(job)).await.unwrap();
    assert!(
        !queued.payload.to_string().contains(TOKEN),
        "the token is not in the job"
    );
    assert!(worker.run_once(&mut stopped).await.unwrap());
    let done = env.store.job(ward_store::JobId(job)).await.unwrap();
    assert_eq!(done.state, JobState::Succeeded, "{:?}", done.error);
    let users = host.users.lock().unwrap().clone();
    assert!(
        !users.is_empty() && users.iter().all(|u| u == "oauth2"),
        "{users:?}"
    );

    // A token the host refuses fails the scan for good, saying so, without the token.
    set_hook(&env, "revoked-token").await;
    let job = push(&env, push_payload(&url, &commit)).await;
    assert!(worker.run_once(&mut stopped).await.unwrap());
    let failed = env.store.job(ward_store::JobId(job)).await.unwrap();
    assert_eq!(failed.state, JobState::Failed);
    let error = failed.error.unwrap_or_default();
    assert!(error.contains("refused the product's git token"), "{error}");
    assert!(!error.contains("revoked-token"), "{error}");
    assert_eq!(
        env.store
            .list_jobs(&JobFilter::default())
            .await
            .unwrap()
            .len(),
        2
    );
}

crate::on_both_backends!(private_repository_is_cloned_with_the_token);
