//! Operator routes: /healthz, /readyz, /metrics, /openapi.json (no key needed), and the
//! request limits on JSON bodies.

use axum::body::Body;
use axum::http::{Method, StatusCode};

use crate::common::{corpus, request, Env};

async fn health_metrics_and_document(env: Env) {
    let (status, body) = env
        .send(
            request(Method::GET, "/healthz", None)
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(
        (status, body["status"].as_str()),
        (StatusCode::OK, Some("ok"))
    );
    let (status, body) = env
        .send(
            request(Method::GET, "/readyz", None)
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(
        (status, body["status"].as_str()),
        (StatusCode::OK, Some("ready"))
    );

    env.import("shop", "main", "", &corpus("trivy/all_statuses.json"))
        .await;
    let (status, _) = env.get("/api/v1/products/nope", &env.admin).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, text) = env
        .send(
            request(Method::GET, "/metrics", None)
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let text = text.as_str().expect("text");
    for line in [
        "ward_imports_total{api=\"native\",result=\"ok\"} 1",
        "ward_import_findings_total{action=\"created\"} 8",
        "ward_findings_stored 8",
        "ward_http_requests_total{method=\"GET\",route=\"/api/v1/products/{product}\",status=\"404\"} 1",
        "ward_http_request_duration_seconds_count{method=\"POST\",route=\"/api/v1/products/{product}/engagements/{engagement}/imports\",status=\"201\"} 1",
    ] {
        assert!(text.contains(line), "missing `{line}` in\n{text}");
    }

    let (status, document) = env
        .send(
            request(Method::GET, "/openapi.json", None)
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(document["openapi"].as_str().unwrap().starts_with("3."));
    let schemes = document["components"]["securitySchemes"]
        .as_object()
        .unwrap();
    assert!(
        schemes.contains_key("bearer")
            && schemes.contains_key("api_key")
            && schemes.contains_key("token")
    );
    assert!(document["components"]["schemas"]["ImportScanReply"].is_object());
}

async fn unknown_routes_answer_json(env: Env) {
    let (status, body) = env.get("/api/v1/nothing", &env.admin).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body["code"], "not_found");
}

async fn json_bodies_are_limited(env: Env) {
    // 64 KiB in tests.
    let big = serde_json::json!({"name": "x".repeat(100 << 10)});
    let (status, body) = env
        .json(Method::POST, "/api/v1/products", &env.admin, big)
        .await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{body}");
    let (status, body) = env
        .send(
            request(Method::POST, "/api/v1/products", Some(&env.admin))
                .header("content-type", "text/plain")
                .body(Body::from("name=x"))
                .unwrap(),
        )
        .await;
    assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{body}");
    let (status, body) = env
        .send(
            request(Method::POST, "/api/v1/products", Some(&env.admin))
                .header("content-type", "application/json")
                .body(Body::from("{\"name\": "))
                .unwrap(),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
}

crate::on_both_backends!(
    health_metrics_and_document,
    unknown_routes_answer_json,
    json_bodies_are_limited,
);
