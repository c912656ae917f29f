//! Git-host webhooks with the providers' documented example payloads (kept in ward-notify's
//! `tests/data/hooks/`): a right secret queues a scan job and records a trigger for a
//! matching branch, a wrong or missing one is refused with 401 and queues nothing, a deleted
//! branch closes its engagement.

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use hmac::{Hmac, Mac};
use serde_json::{json, Value};
use sha2::Sha256;

use ward_jobs::{ScanRequest, Source};
use ward_store::JobFilter;

use crate::common::{corpus, Env};

const GITLAB_TOKEN: &str = "gitlab-webhook-token";
const GITHUB_SECRET: &str = "github-webhook-secret";

fn payload(path: &str) -> Vec<u8> {
    let file = format!(
        "{}/../ward-notify/tests/data/hooks/{path}",
        &std::env::var("CARGO_MANIFEST_DIR").expect("set by cargo")
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

/// The queued scan jobs' requests, oldest first.
async fn scan_requests(env: &Env) -> Vec<ScanRequest> {
    let mut jobs = env.store.list_jobs(&JobFilter::default()).await.unwrap();
    jobs.reverse();
    jobs.into_iter()
        .map(|job| {
            assert_eq!(job.kind, "scan");
            assert_eq!(job.product.as_deref(), Some("shop"));
            serde_json::from_value(job.payload).unwrap()
        })
        .collect()
}

fn git(url: &str, commit: &str) -> Source {
    Source::Git {
        url: url.into(),
        reference: Some(commit.into()),
        token_user: None,
    }
}

/// The job ids a hook reply names.
fn job_ids(reply: &Value) -> Vec<i64> {
    reply["jobs"]
        .as_array()
        .unwrap_or_else(|| panic!("no jobs in {reply}"))
        .iter()
        .map(|id| id.as_i64().unwrap())
        .collect()
}

/// Lets `ms-*` branches start scans too, with semgrep and ward's secrets scanner.
async fn widen(env: &Env, secret: &str) {
    let (status, body) = env
        .json(
            Method::PUT,
            "/api/v1/products/shop/hook",
            &env.admin,
            json!({"secret": secret, "branches": ["master", "ms-*", "changes"],
                   "scanners": ["semgrep", "secrets"]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["scanners"], json!(["semgrep", "secrets"]));
    for (scanners, field) in [
        (json!([]), "scanners"),
        (json!(["zap-baseline"]), "scanners"),
        (json!(["nope"]), "scanners"),
    ] {
        let (status, body) = env
            .json(
                Method::PUT,
                "/api/v1/products/shop/hook",
                &env.admin,
                json!({"secret": secret, "branches": ["master"], "scanners": scanners}),
            )
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(body["field"], field, "{body}");
    }
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
    assert!(
        scan_requests(&env).await.is_empty(),
        "a bad token queues no scan"
    );

    let token = [("x-gitlab-token", GITLAB_TOKEN)];
    let (status, body) = hook(&env, "/hooks/gitlab?product=shop", &token, push).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    assert_eq!(
        (body["kind"].as_str(), body["branch"].as_str()),
        (Some("push"), Some("master"))
    );
    // The push queued one scan of the pushed commit with the default scanners.
    let jobs = env.store.list_jobs(&JobFilter::default()).await.unwrap();
    assert_eq!(job_ids(&body), [jobs[0].id.0]);
    assert_eq!(
        scan_requests(&env).await,
        [ScanRequest {
            source: git(
                "http://example.com/mike/diaspora.git",
                "da1560886d4f094c3e6c9ef40349f7d38b5d27d7"
            ),
            scanners: vec!["secrets".into(), "deps".into()],
            product: "shop".into(),
            engagement: "master".into(),
            formats: vec![],
        }]
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
    assert_eq!(
        scan_requests(&env).await.len(),
        1,
        "ignored events queue nothing"
    );

    // Once `ms-*` matches, the merge request scans its source branch's last commit, cloned
    // from the source project, with the hook's scanners.
    widen(&env, GITLAB_TOKEN).await;
    let (status, body) = hook(
        &env,
        "/hooks/gitlab?product=shop",
        &token,
        payload("gitlab/merge_request.json"),
    )
    .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    assert_eq!(job_ids(&body).len(), 1);
    let requests = scan_requests(&env).await;
    assert_eq!(requests.len(), 2);
    assert_eq!(
        requests[1],
        ScanRequest {
            source: git(
                "http://example.com/awesome_space/awesome_project.git",
                "da1560886d4f094c3e6c9ef40349f7d38b5d27d7"
            ),
            scanners: vec!["semgrep".into(), "secrets".into()],
            product: "shop".into(),
            engagement: "ms-viewport".into(),
            formats: vec![],
        }
    );

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
    assert_eq!(
        job_ids(&body),
        Vec::<i64>::new(),
        "a deleted branch is not scanned"
    );
    assert_eq!(scan_requests(&env).await.len(), 2);
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
    assert!(
        scan_requests(&env).await.is_empty(),
        "a bad signature queues no scan"
    );

    let (status, body) = hook(&env, "/hooks/github?product=shop", &headers, push).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    assert_eq!(body["branch"], "master");
    assert_eq!(job_ids(&body).len(), 1);
    assert_eq!(
        scan_requests(&env).await,
        [ScanRequest {
            source: git(
                "https://github.com/Codertocat/Hello-World.git",
                "6113728f27ae82c7b1a177c8d03f9e96e0adf246"
            ),
            scanners: vec!["secrets".into(), "deps".into()],
            product: "shop".into(),
            engagement: "master".into(),
            formats: vec![],
        }]
    );
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

    // With `changes` allowed, opening and synchronizing the pull request each queue a scan
    // of its head commit; closing it queues nothing.
    widen(&env, GITHUB_SECRET).await;
    for (file, scans) in [
        ("github/pull_request_opened.json", 1),
        ("github/pull_request_synchronize.json", 1),
        ("github/pull_request_closed.json", 0),
    ] {
        let body = payload(file);
        let signature = github_signature(GITHUB_SECRET, &body);
        let (status, reply) = hook(
            &env,
            "/hooks/github?product=shop",
            &[
                ("x-github-event", "pull_request"),
                ("x-hub-signature-256", signature.as_str()),
            ],
            body,
        )
        .await;
        assert_eq!(status, StatusCode::ACCEPTED, "{reply}");
        assert_eq!(
            reply["jobs"].as_array().map_or(0, Vec::len),
            scans,
            "{file}: {reply}"
        );
    }
    let requests = scan_requests(&env).await;
    assert_eq!(requests.len(), 3);
    for request in &requests[1..] {
        assert_eq!(
            (&request.source, request.engagement.as_str()),
            (
                &git(
                    "https://github.com/Codertocat/Hello-World.git",
                    "ec26c3e57ca3a959ca5aad62de7213c562f8c821"
                ),
                "changes"
            )
        );
    }
}

crate::on_both_backends!(gitlab_token_is_checked, github_signature_is_checked);
