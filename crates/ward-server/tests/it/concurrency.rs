//! Imports at once and imports that fail: eight reimports of one report over real HTTP leave
//! one test and no duplicate finding; a report that breaks half way stores nothing.

use axum::http::{Method, StatusCode};
use serde_json::Value;

use crate::common::{corpus, multipart, Env};

/// Sends `n` requests at once from threads, each with its own connection; returns the
/// statuses and bodies.
async fn at_once(
    n: usize,
    request: impl Fn() -> (u16, Value) + Send + Sync + 'static,
) -> Vec<(u16, Value)> {
    let request = std::sync::Arc::new(request);
    let barrier = std::sync::Arc::new(std::sync::Barrier::new(n));
    let handles: Vec<_> = (0..n)
        .map(|_| {
            let (request, barrier) = (request.clone(), barrier.clone());
            std::thread::spawn(move || {
                barrier.wait();
                request()
            })
        })
        .collect();
    tokio::task::spawn_blocking(move || {
        handles
            .into_iter()
            .map(|h| h.join().expect("thread"))
            .collect()
    })
    .await
    .expect("join")
}

/// The status and JSON body of a reply, whatever its status.
fn answer(result: Result<ureq::Response, ureq::Error>) -> (u16, Value) {
    match result {
        Ok(response) => (
            response.status(),
            response.into_json().unwrap_or(Value::Null),
        ),
        Err(ureq::Error::Status(code, response)) => {
            (code, response.into_json().unwrap_or(Value::Null))
        }
        Err(error) => panic!("request failed: {error}"),
    }
}

async fn eight_reimports_at_once(env: Env) {
    let server = env.listen().await;
    let report = corpus("trivy/all_statuses.json");

    // Eight DefectDojo reimports into a product that does not exist yet.
    let url = format!("{}/api/v2/reimport-scan/", server.url);
    let key = env.admin.clone();
    let fields = [
        ("scan_type", "Trivy Scan"),
        ("product_name", "shop"),
        ("engagement_name", "ci"),
        ("auto_create_context", "true"),
    ];
    let (content_type, body) = multipart(&fields, Some(("trivy.json", &report)));
    let replies = at_once(8, move || {
        answer(
            ureq::post(&url)
                .set("Authorization", &format!("Token {key}"))
                .set("Content-Type", &content_type)
                .send_bytes(&body),
        )
    })
    .await;
    for (status, body) in &replies {
        assert_eq!(*status, 201, "{body}");
    }
    let test_ids: std::collections::BTreeSet<i64> = replies
        .iter()
        .map(|(_, b)| b["test_id"].as_i64().unwrap())
        .collect();
    assert_eq!(test_ids.len(), 1, "one test, updated in place");

    // Eight native reimports into the same engagement.
    let url = format!("{}/api/v1/products/shop/engagements/ci/imports", server.url);
    let key = env.admin.clone();
    let raw = report.clone();
    let replies = at_once(8, move || {
        answer(
            ureq::post(&url)
                .set("Authorization", &format!("Bearer {key}"))
                .send_bytes(&raw),
        )
    })
    .await;
    for (status, body) in &replies {
        assert_eq!(*status, 201, "{body}");
        assert_eq!(body["test"]["id"].as_i64(), test_ids.first().copied());
        assert_eq!(body["new"], 0);
    }

    let findings = env.findings("shop").await;
    assert_eq!(findings.len(), 8, "no duplicates");
    let mut fingerprints: Vec<&str> = findings
        .iter()
        .map(|f| f["fingerprint"].as_str().unwrap())
        .collect();
    fingerprints.sort();
    fingerprints.dedup();
    assert_eq!(fingerprints.len(), 8);
    let (_, tests) = env
        .get("/api/v1/products/shop/engagements/ci/tests", &env.admin)
        .await;
    assert_eq!(tests.as_array().unwrap().len(), 1);
}

async fn a_broken_report_stores_nothing(env: Env) {
    let report = corpus("trivy/all_statuses.json");
    let broken = report[..report.len() * 2 / 3].to_vec();
    // Into a product that does not exist: neither product nor engagement appears.
    let path = "/api/v1/products/new/engagements/main/imports?auto_create=true&team=ops";
    let (status, body) = env
        .raw(Method::POST, path, &env.admin, broken.clone())
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["field"], "file");
    let (_, products) = env.get("/api/v1/products", &env.admin).await;
    assert_eq!(products, serde_json::json!([]));

    // Into an engagement with findings: nothing changes.
    env.import("shop", "main", "", &report).await;
    let (_, tests_before) = env
        .get("/api/v1/products/shop/engagements/main/tests", &env.admin)
        .await;
    let findings_before = env.findings("shop").await;
    for mode in ["import", "reimport"] {
        let path =
            format!("/api/v1/products/shop/engagements/main/imports?mode={mode}&close_old=true");
        let (status, body) = env
            .raw(Method::POST, &path, &env.admin, broken.clone())
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    }
    let fields = [
        ("scan_type", "Trivy Scan"),
        ("product_name", "shop"),
        ("engagement_name", "main"),
    ];
    let (status, body) = env
        .form(
            "/api/v2/reimport-scan/",
            &format!("Token {}", env.admin),
            &fields,
            Some(("t.json", &broken)),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    let (_, tests_after) = env
        .get("/api/v1/products/shop/engagements/main/tests", &env.admin)
        .await;
    assert_eq!(tests_after, tests_before);
    assert_eq!(env.findings("shop").await, findings_before);
}

crate::on_both_backends!(eight_reimports_at_once, a_broken_report_stores_nothing);
