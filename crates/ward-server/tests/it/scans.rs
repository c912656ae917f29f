//! Asynchronous scans end to end: a request queued over HTTP, a real worker in process
//! running it on the same store and blob folder, and the report (or the failure report)
//! fetched from the signed URL the request was answered with; tampered and expired URLs
//! refused.

use std::os::unix::fs::PermissionsExt;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use serde_json::{json, Value};
use tower::ServiceExt;
use ward_blob::{BlobKey, BlobStore, Kind};
use ward_jobs::{RunConfig, Worker, WorkerConfig};

use crate::common::Env;

/// A Stripe live-key look-alike made of random characters, not a real key.
const PLANTED: &str = "STRIPE_KEY = \"sk_live_4eC39HqLyjWDarjtT1zdp7dcQw2XbN8m\"\n";

pub(crate) fn blobs(env: &Env) -> BlobStore {
    BlobStore::local(env.blobs.path()).unwrap()
}

/// A worker on the server's store and blob folder; `bin` goes first on its `PATH`.
pub(crate) fn worker(env: &Env, scratch: &std::path::Path, bin: &std::path::Path) -> Worker {
    let mut run = RunConfig::new(scratch);
    let mut path = vec![bin.to_path_buf()];
    path.extend(std::env::split_paths(&run.search_path));
    run.search_path = std::env::join_paths(path).unwrap();
    Worker {
        store: Arc::clone(&env.store),
        blobs: blobs(env),
        config: WorkerConfig::new("test-worker", run),
        observer: None,
    }
}

pub(crate) async fn upload(env: &Env, name: &str, files: &[(&str, &str)]) -> String {
    let mut builder = tar::Builder::new(flate2::write::GzEncoder::new(
        Vec::new(),
        flate2::Compression::default(),
    ));
    for (path, text) in files {
        let mut header = tar::Header::new_gnu();
        header.set_size(text.len() as u64);
        header.set_mode(0o644);
        header.set_cksum();
        builder
            .append_data(&mut header, path, text.as_bytes())
            .unwrap();
    }
    let bytes = builder.into_inner().unwrap().finish().unwrap();
    let key = BlobKey::new(Kind::RawUpload, name).unwrap();
    blobs(env).put(&key, bytes).await.unwrap();
    key.to_string()
}

/// `GET` of a signed URL through the router: status, headers' Retry-After, body bytes.
pub(crate) async fn fetch(env: &Env, url: &str) -> (StatusCode, Option<String>, Vec<u8>) {
    let parsed = url::Url::parse(url).unwrap();
    let path = match parsed.query() {
        Some(query) => format!("{}?{query}", parsed.path()),
        None => parsed.path().to_string(),
    };
    let response = env
        .app
        .clone()
        .oneshot(Request::builder().uri(path).body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = response.status();
    let retry = response
        .headers()
        .get(header::RETRY_AFTER)
        .map(|v| v.to_str().unwrap().to_string());
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .unwrap();
    (status, retry, bytes.to_vec())
}

pub(crate) async fn submit(env: &Env, body: Value) -> Value {
    let (status, scan) = env
        .json(Method::POST, "/api/v1/scans", &env.admin, body)
        .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{scan}");
    scan
}

pub(crate) async fn run_one(worker: &Worker) {
    let (_stop, mut stopped) = tokio::sync::watch::channel(false);
    assert!(
        worker.run_once(&mut stopped).await.unwrap(),
        "a job was claimed"
    );
}

async fn archive_scan_report_at_the_signed_url(env: Env) {
    let dir = tempfile::tempdir().unwrap();
    let key = upload(&env, "tree.tar.gz", &[("app/settings.py", PLANTED)]).await;
    let started = std::time::Instant::now();
    let scan = submit(
        &env,
        json!({
            "source": {"archive": {"key": key}},
            "scanners": ["secrets"],
            "product": "shop",
            "engagement": "ci",
            "formats": ["sarif"],
        }),
    )
    .await;
    assert!(started.elapsed() < Duration::from_secs(2));
    assert_eq!(scan["state"], "queued");
    let report_url = scan["links"]["report"].as_str().unwrap().to_string();
    let (status, retry, _) = fetch(&env, &report_url).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(retry.as_deref(), Some("5"));

    run_one(&worker(&env, dir.path(), dir.path())).await;

    let (status, _, bytes) = fetch(&env, &report_url).await;
    assert_eq!(status, StatusCode::OK);
    let report: Value = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(report["findings"].as_array().unwrap().len(), 1, "{report}");
    let (status, _, sarif) = fetch(&env, scan["links"]["sarif"].as_str().unwrap()).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        serde_json::from_slice::<Value>(&sarif).unwrap()["version"],
        "2.1.0"
    );

    let id = scan["id"].as_i64().unwrap();
    let (status, done) = env.get(&format!("/api/v1/scans/{id}"), &env.admin).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(done["state"], "succeeded", "{done}");
    assert_eq!(done["attempts"], 1);
    assert!(done["finished_at"].is_string());
    // Imported as a normal import would be.
    let (_, findings) = env.get("/api/v1/findings?product=shop", &env.admin).await;
    assert_eq!(
        findings["findings"].as_array().unwrap().len(),
        1,
        "{findings}"
    );
}

async fn multipart_upload_is_scanned(env: Env) {
    let dir = tempfile::tempdir().unwrap();
    let mut builder = tar::Builder::new(flate2::write::GzEncoder::new(
        Vec::new(),
        flate2::Compression::default(),
    ));
    let mut header = tar::Header::new_gnu();
    header.set_size(PLANTED.len() as u64);
    header.set_mode(0o644);
    header.set_cksum();
    builder
        .append_data(&mut header, "settings.py", PLANTED.as_bytes())
        .unwrap();
    let archive = builder.into_inner().unwrap().finish().unwrap();
    let request = json!({"scanners": ["secrets"], "product": "shop", "engagement": "ci"});
    let boundary = "ward-test-boundary";
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"request\"\r\n\r\n{request}\r\n\
         --{boundary}\r\nContent-Disposition: form-data; name=\"archive\"; filename=\"t.tar.gz\"\r\n\
         Content-Type: application/gzip\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(&archive);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    let (status, scan) = env
        .send(
            Request::builder()
                .method(Method::POST)
                .uri("/api/v1/scans")
                .header(header::AUTHORIZATION, format!("Bearer {}", env.admin))
                .header(
                    header::CONTENT_TYPE,
                    format!("multipart/form-data; boundary={boundary}"),
                )
                .body(Body::from(body))
                .unwrap(),
        )
        .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{scan}");
    run_one(&worker(&env, dir.path(), dir.path())).await;
    let (status, _, bytes) = fetch(&env, scan["links"]["report"].as_str().unwrap()).await;
    assert_eq!(status, StatusCode::OK);
    let report: Value = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(report["findings"].as_array().unwrap().len(), 1, "{report}");
    let uploads = blobs(&env).list(Kind::RawUpload).await.unwrap();
    assert_eq!(uploads.len(), 1, "the upload is kept under raw-uploads/");
}

async fn crashing_tool_failure_report_at_the_signed_url(env: Env) {
    let dir = tempfile::tempdir().unwrap();
    let bin = dir.path().join("bin");
    std::fs::create_dir(&bin).unwrap();
    std::fs::write(bin.join("bandit"), "#!/bin/sh\necho crashed >&2\nexit 3\n").unwrap();
    std::fs::set_permissions(bin.join("bandit"), std::fs::Permissions::from_mode(0o755)).unwrap();
    let key = upload(&env, "py.tar.gz", &[("app.py", "print(1)\n")]).await;
    let scan = submit(
        &env,
        json!({
            "source": {"archive": {"key": key}},
            "scanners": ["bandit"],
            "product": "shop",
            "engagement": "ci",
        }),
    )
    .await;
    run_one(&worker(&env, dir.path(), &bin)).await;
    let (status, _, bytes) = fetch(&env, scan["links"]["report"].as_str().unwrap()).await;
    assert_eq!(status, StatusCode::OK);
    let failure: Value = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(failure["scanner"], "bandit");
    assert_eq!(failure["reason"], "exit-code");
    assert_eq!(failure["exit_code"], 3);
    let id = scan["id"].as_i64().unwrap();
    let (_, done) = env.get(&format!("/api/v1/scans/{id}"), &env.admin).await;
    assert_eq!(done["state"], "failed", "{done}");
}

async fn tampered_and_expired_urls_are_refused(env: Env) {
    let key = BlobKey::new(Kind::Report, "scan-x/report.json").unwrap();
    blobs(&env).put(&key, b"{}".to_vec()).await.unwrap();
    let good = env
        .signer
        .sign(&key, SystemTime::now() + Duration::from_secs(60));
    let (status, _, _) = fetch(&env, &format!("http://127.0.0.1{good}")).await;
    assert_eq!(status, StatusCode::OK);
    let other_path = good.replace("scan-x", "scan-y");
    let (status, _, _) = fetch(&env, &format!("http://127.0.0.1{other_path}")).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "signature of another path");
    let later = good.replacen("expires=", "expires=9", 1);
    let (status, _, _) = fetch(&env, &format!("http://127.0.0.1{later}")).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "expiry moved");
    let expired = env
        .signer
        .sign(&key, SystemTime::now() - Duration::from_secs(1));
    let (status, _, _) = fetch(&env, &format!("http://127.0.0.1{expired}")).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "expired");
    let (status, _, _) = fetch(&env, "http://127.0.0.1/blobs/reports/scan-x/report.json").await;
    assert_ne!(status, StatusCode::OK, "unsigned");
}

async fn bad_scan_requests_name_the_field(env: Env) {
    let (status, body) = env
        .json(
            Method::POST,
            "/api/v1/scans",
            &env.admin,
            json!({
                "source": {"url": {"url": "http://127.0.0.1:9/"}},
                "scanners": ["secrets"],
                "product": "shop",
                "engagement": "ci",
            }),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(body.to_string().contains("scanners"), "{body}");
}

crate::on_both_backends!(
    archive_scan_report_at_the_signed_url,
    multipart_upload_is_scanned,
    crashing_tool_failure_report_at_the_signed_url,
    tampered_and_expired_urls_are_refused,
    bad_scan_requests_name_the_field,
);
