//! Git-host webhooks with the providers' documented example payloads (kept in ward-notify's
//! `tests/data/hooks/`): a right secret records a trigger for a matching branch, a wrong or
//! missing one is refused with 401 and records nothing, a deleted branch closes its
//! engagement.

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use hmac::{Hmac, Mac};
use serde_json::{json, Value};
use sha2::Sha256;

use crate::common::{corpus, Env};

const GITLAB_TOKEN: &str = "gitlab-webhook-token";
const GITHUB_SECRET: &str = "github-webhook-secret";

fn payload(path: &str) -> Vec<u8> {
    let file = format!(
        "{}/../ward-notify/tests/data/hooks/{path}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read(&file).unwrap_or_else(|e| panic!("{file}: {e}"))
}

fn github_signature(secret: &str, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(body);
    format!("sha256={}", hex_lower(&mac.finalize().into_bytes()))
}

fn hex_lower(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

async fn hook(
    env: &Env,
    path: &str,
    headers: &[(&str, &str)],
    body: Vec<u8>,
) -> (StatusCode, Value) {
    let mut request = Request::builder()
        .method(Method::POST)
        .uri(path)
        .header("content-type", "application/json");
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    env.send(request.body(Body::from(body)).unwrap()).await
}

/// Product `shop` with webhook settings, through the API.
async fn configure(env: &Env, secret: &str) {
    env.import("shop", "master", "", &corpus("trivy/all_statuses.json"))
        .await;
    let (status, body) = env
        .json(
            Method::PUT,
            "/api/v1/products/shop/hook",
            &env.admin,
            json!({"secret": secret, "branches": ["master", "release/*"]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["secret"], "***");
    let (_, shown) = env.get("/api/v1/products/shop/hook", &env.admin).await;
    assert!(!shown.to_string().contains(secret), "{shown}");
}

async fn n_triggers(env: &Env) -> usize {
    let product = env.store.product_by_name("shop").await.unwrap().unwrap();
    env.store.list_triggers(product.id).await.unwrap().len()
}

async fn gitlab_token_is_checked(env: Env) {
    configure(&env, GITLAB_TOKEN).await;
    let push = payload("gitlab/push.json");
    for headers in [vec![], vec![("x-gitlab-token", "wrong")]] {
        let (status, body) = hook(&env, "/hooks/gitlab?product=shop", &headers, push.clone()).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
        assert!(!body.to_string().contains(GITLAB_TOKEN));
    }
    assert_eq!(n_triggers(&env).await, 0, "a bad token starts nothing");

    let token = [("x-gitlab-token", GITLAB_TOKEN)];
    let (status, body) = hook(&env, "/hooks/gitlab?product=shop", &token, push).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    assert_eq!(
        (body["kind"].as_str(), body["branch"].as_str()),
        (Some("push"), Some("master"))
    );
    // The merge request's source branch (`ms-viewport`) matches no pattern.
    let (status, body) = hook(
        &env,
        "/hooks/gitlab?product=shop",
        &token,
        payload("gitlab/merge_request.json"),
    )
    .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    assert!(
        body["ignored"].as_str().unwrap().contains("ms-viewport"),
        "{body}"
    );
    // Tags start nothing.
    let (_, body) = hook(
        &env,
        "/hooks/gitlab?product=shop",
        &token,
        payload("gitlab/tag_push.json"),
    )
    .await;
    assert!(body["ignored"].is_string(), "{body}");
    assert_eq!(n_triggers(&env).await, 1);

    // Deleting the branch closes its engagement.
    let mut deleted: Value = serde_json::from_slice(&payload("gitlab/push.json")).unwrap();
    deleted["after"] = json!("0000000000000000000000000000000000000000");
    let (status, body) = hook(
        &env,
        "/hooks/gitlab?product=shop",
        &token,
        deleted.to_string().into_bytes(),
    )
    .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    assert_eq!(body["kind"], "delete_branch");
    assert_eq!(body["closed_engagement"], true);
    let product = env.store.product_by_name("shop").await.unwrap().unwrap();
    let engagement = env
        .store
        .engagement_by_name(product.id, "master")
        .await
        .unwrap()
        .unwrap();
    assert!(engagement.closed_at.is_some());
    let (_, shown) = env
        .get("/api/v1/products/shop/engagements/master", &env.admin)
        .await;
    assert!(shown["closed_at"].is_string(), "{shown}");

    // Unknown products and products without settings look alike.
    let (status, _) = hook(
        &env,
        "/hooks/gitlab?product=nope",
        &token,
        payload("gitlab/push.json"),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

async fn github_signature_is_checked(env: Env) {
    configure(&env, GITHUB_SECRET).await;
    let push = payload("github/push.json");
    let bad = github_signature("not-the-secret", &push);
    for headers in [
        vec![("x-github-event", "push")],
        vec![
            ("x-github-event", "push"),
            ("x-hub-signature-256", bad.as_str()),
        ],
    ] {
        let (status, _) = hook(&env, "/hooks/github?product=shop", &headers, push.clone()).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    // A body changed after signing fails too.
    let good = github_signature(GITHUB_SECRET, &push);
    let mut altered = push.clone();
    altered.push(b' ');
    let headers = [
        ("x-github-event", "push"),
        ("x-hub-signature-256", good.as_str()),
    ];
    let (status, _) = hook(&env, "/hooks/github?product=shop", &headers, altered).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(n_triggers(&env).await, 0);

    let (status, body) = hook(&env, "/hooks/github?product=shop", &headers, push).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    assert_eq!(body["branch"], "master");
    // The pull request comes from `changes`, which no pattern matches.
    let opened = payload("github/pull_request_opened.json");
    let signature = github_signature(GITHUB_SECRET, &opened);
    let (_, body) = hook(
        &env,
        "/hooks/github?product=shop",
        &[
            ("x-github-event", "pull_request"),
            ("x-hub-signature-256", signature.as_str()),
        ],
        opened,
    )
    .await;
    assert!(body["ignored"].is_string(), "{body}");
    assert_eq!(n_triggers(&env).await, 1);
}

crate::on_both_backends!(gitlab_token_is_checked, github_signature_is_checked);
