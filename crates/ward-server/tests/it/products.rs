//! Deleting a product, and its stored gate policy.

use axum::body::Body;
use axum::http::{Method, StatusCode};
use serde_json::{json, Value};
use ward_store::Scope;

use crate::common::{corpus, request, Env};

async fn delete(env: &Env, path: &str, key: &str) -> (StatusCode, Value) {
    env.send(
        request(Method::DELETE, path, Some(key))
            .body(Body::empty())
            .unwrap(),
    )
    .await
}

async fn product_deletion(env: Env) {
    let report = corpus("trivy/all_statuses.json");
    env.import("shop", "main", "", &report).await;
    env.import("shop", "feature", "", &report).await;
    env.import("other", "main", "", &report).await;
    let other_before = env.findings("other").await;
    assert!(!other_before.is_empty());
    let (_, shop_findings) = env.get("/api/v1/findings?product=shop", &env.admin).await;
    let shop_finding = shop_findings["findings"][0]["id"].as_i64().unwrap();

    // Not allowed: a triage key, an admin key for another product.
    let triage = env.key(Scope::Triage, None).await;
    let (status, body) = delete(&env, "/api/v1/products/shop", &triage).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    let other_admin = env.key(Scope::Admin, Some(&["other"])).await;
    let (status, body) = delete(&env, "/api/v1/products/shop", &other_admin).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");

    // An admin key limited to the product may.
    let shop_admin = env.key(Scope::Admin, Some(&["shop"])).await;
    let (status, body) = delete(&env, "/api/v1/products/shop", &shop_admin).await;
    assert_eq!((status, body), (StatusCode::NO_CONTENT, Value::Null));
    let (status, _) = env.get("/api/v1/products/shop", &env.admin).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = env
        .get(&format!("/api/v1/findings/{shop_finding}"), &env.admin)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, all) = env.get("/api/v1/findings?limit=1000", &env.admin).await;
    assert_eq!(
        all["findings"].as_array().unwrap().len(),
        other_before.len()
    );
    assert_eq!(env.findings("other").await, other_before);
    let (_, products) = env.get("/api/v1/products", &env.admin).await;
    assert_eq!(products.as_array().unwrap().len(), 1, "{products}");
    // The key for shop alone is revoked with it; the key for other still works.
    let (status, _) = env.get("/api/v1/products", &shop_admin).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _) = env.get("/api/v1/products/other", &other_admin).await;
    assert_eq!(status, StatusCode::OK);

    // Gone once, then unknown.
    let (status, body) = delete(&env, "/api/v1/products/shop", &env.admin).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    assert!(body["message"].as_str().unwrap().contains("shop"), "{body}");
    // The name is free again.
    env.import("shop", "main", "", &report).await;
    assert_eq!(env.findings("shop").await.len(), other_before.len());
}

async fn stored_gate_policy(env: Env) {
    env.import("shop", "main", "", &corpus("gitleaks/gitleaks8_many.json"))
        .await;
    let key = &env.admin;
    let gate = "/api/v1/products/shop/engagements/main/gate";
    let policy = "/api/v1/products/shop/policy";

    let (status, verdict) = env.raw(Method::POST, gate, key, Vec::new()).await;
    assert_eq!(status, StatusCode::OK, "{verdict}");
    assert_eq!(
        (verdict["passed"].clone(), verdict["policy_source"].clone()),
        (json!(false), json!("default"))
    );
    let (status, body) = env.get(policy, key).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");

    // Refused: a broken policy (naming its line), an empty one, a huge one, a read key.
    let (status, body) = env
        .raw(Method::PUT, policy, key, b"[gate]\nbogus = 1\n".to_vec())
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["field"], "policy");
    assert!(
        body["message"].as_str().unwrap().contains("line 2"),
        "{body}"
    );
    let (status, body) = env.raw(Method::PUT, policy, key, b" \n".to_vec()).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    let huge = format!("# {}\n", "x".repeat(70_000)).into_bytes();
    let (status, body) = env.raw(Method::PUT, policy, key, huge).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{body}");
    let read = env.key(Scope::Read, None).await;
    let text = "# shop gates on criticals only\n[[gate.fail]]\nseverity = \"critical\"\n";
    let (status, body) = env
        .raw(Method::PUT, policy, &read, text.as_bytes().to_vec())
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");

    // Stored, read back, used when the request brings none.
    let (status, stored) = env
        .raw(Method::PUT, policy, key, text.as_bytes().to_vec())
        .await;
    assert_eq!(status, StatusCode::OK, "{stored}");
    assert_eq!(
        (stored["product"].clone(), stored["policy"].clone()),
        (json!("shop"), json!(text))
    );
    let (status, body) = env.get(policy, &read).await;
    assert_eq!((status, body), (StatusCode::OK, stored));
    let (status, verdict) = env.raw(Method::POST, gate, key, Vec::new()).await;
    assert_eq!(status, StatusCode::OK, "{verdict}");
    assert_eq!(
        (verdict["passed"].clone(), verdict["policy_source"].clone()),
        (json!(true), json!("product"))
    );
    // A request's own policy wins.
    let strict = b"[[gate.fail]]\nseverity = \"low\"\n".to_vec();
    let (status, verdict) = env.raw(Method::POST, gate, key, strict).await;
    assert_eq!(status, StatusCode::OK, "{verdict}");
    assert_eq!(
        (verdict["passed"].clone(), verdict["policy_source"].clone()),
        (json!(false), json!("request"))
    );

    // Removed: back to the default.
    let (status, body) = delete(&env, policy, key).await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    let (status, body) = delete(&env, policy, key).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    let (_, verdict) = env.raw(Method::POST, gate, key, Vec::new()).await;
    assert_eq!(verdict["policy_source"], "default");
    let (status, body) = env
        .raw(
            Method::PUT,
            "/api/v1/products/nothing/policy",
            key,
            text.as_bytes().to_vec(),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
}

crate::on_both_backends!(product_deletion, stored_gate_policy);
