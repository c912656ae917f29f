//! Notifications end to end: channels configured through the API (secrets sealed, never shown),
//! events raised by imports and gates, and the delivery loop sending them to real HTTP
//! receivers on 127.0.0.1 that record what arrives and answer as told.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode};
use serde_json::{json, Value};
use ward_core::Severity;
use ward_notify::channels::{verify, SIGNATURE_HEADER, TIMESTAMP_HEADER};
use ward_notify::Backoff;
use ward_server::notify::{delivery, sla, NotifyConfig};
use ward_store::Scope;
use ward_vault::Keyring;

use crate::common::{corpus, Env};

/// An HTTP endpoint on loopback recording each request and answering with the next queued
/// status (200 once the queue is empty).
#[derive(Clone, Default)]
struct Receiver {
    seen: Arc<Mutex<Vec<(HeaderMap, Bytes)>>>,
    replies: Arc<Mutex<VecDeque<u16>>>,
}

impl Receiver {
    async fn start(replies: &[u16]) -> (Receiver, String) {
        let receiver = Receiver {
            replies: Arc::new(Mutex::new(replies.iter().copied().collect())),
            ..Receiver::default()
        };
        let app = axum::Router::new()
            .route("/hook", axum::routing::post(record))
            .with_state(receiver.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/hook", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await });
        (receiver, url)
    }

    fn bodies(&self) -> Vec<Value> {
        let seen = self.seen.lock().unwrap();
        seen.iter()
            .map(|(_, body)| serde_json::from_slice(body).unwrap())
            .collect()
    }
}

async fn record(State(r): State<Receiver>, headers: HeaderMap, body: Bytes) -> StatusCode {
    r.seen.lock().unwrap().push((headers, body));
    let status = r.replies.lock().unwrap().pop_front().unwrap_or(200);
    StatusCode::from_u16(status).unwrap()
}

const KEY: &str = crate::common::TEST_MASTER_KEY;
const NEW_KEY: &str = "cdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcd";

/// Notifications with a key, immediate retries and three attempts.
fn config(keys: &str) -> NotifyConfig {
    NotifyConfig {
        keyring: Some(Arc::new(Keyring::load(Some(keys), None).unwrap())),
        new_finding_severity: Severity::High,
        max_attempts: 3,
        backoff: Backoff {
            base: Duration::ZERO,
            cap: Duration::ZERO,
        },
        ..NotifyConfig::default()
    }
}

async fn add_channel(env: &Env, name: &str, config: Value) -> Value {
    let (status, body) = env
        .json(
            Method::POST,
            "/api/v1/channels",
            &env.admin,
            json!({"name": name, "config": config}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    body
}

async fn add_rule(env: &Env, rule: Value) {
    let (status, body) = env
        .json(Method::POST, "/api/v1/notification-rules", &env.admin, rule)
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
}

async fn deliver(env: &Env) -> usize {
    delivery::deliver_due(env.store.as_ref(), &env.state.notifier)
        .await
        .unwrap()
}

async fn outbox(env: &Env, state: &str) -> Vec<Value> {
    let (status, body) = env
        .get(&format!("/api/v1/outbox?state={state}"), &env.admin)
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body.as_array().unwrap().clone()
}

async fn import_delivers_to_slack_and_webhook(env: Env) {
    let env = env.with_notify(config(KEY));
    let (slack, slack_url) = Receiver::start(&[]).await;
    let (hook, hook_url) = Receiver::start(&[]).await;
    let view = add_channel(
        &env,
        "security-slack",
        json!({"type": "slack", "url": slack_url}),
    )
    .await;
    assert_eq!(view["config"], json!({"type": "slack", "url": "***"}));
    add_channel(
        &env,
        "siem",
        json!({"type": "webhook", "url": hook_url, "secret": "hook-signing-secret"}),
    )
    .await;
    add_rule(
        &env,
        json!({"channel": "security-slack", "events": ["finding.new"], "products": ["shop*"], "min_severity": "high"}),
    )
    .await;
    add_rule(
        &env,
        json!({"channel": "siem", "events": ["scan.completed", "gate.failed"]}),
    )
    .await;

    env.import(
        "shop",
        "main",
        "",
        &corpus("trivy/cvss_severity_source.json"),
    )
    .await;
    assert_eq!(deliver(&env).await, 2);
    assert_eq!(deliver(&env).await, 0, "nothing is sent twice");

    let slack_bodies = slack.bodies();
    assert_eq!(slack_bodies.len(), 1);
    let text = slack_bodies[0].to_string();
    assert!(text.contains("shop") && text.contains("main"), "{text}");

    let seen = hook.seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 1);
    let (headers, body) = &seen[0];
    let header = |name: &str| headers.get(name).unwrap().to_str().unwrap().to_owned();
    verify(
        b"hook-signing-secret",
        &header(TIMESTAMP_HEADER),
        body,
        &header(SIGNATURE_HEADER),
        SystemTime::now(),
        Duration::from_secs(300),
    )
    .expect("the webhook signature verifies");
    let event: Value = serde_json::from_slice(body).unwrap();
    assert_eq!(event["type"], "scan.completed");
    assert_eq!(event["product"], "shop");
    assert_eq!(event["data"]["n_findings"], 2);

    // A failing gate goes to the webhook too.
    let (status, _) = env
        .raw(
            Method::POST,
            "/api/v1/products/shop/engagements/main/gate",
            &env.admin,
            Vec::new(),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(deliver(&env).await, 1);
    assert_eq!(hook.bodies()[1]["type"], "gate.failed");
    assert_eq!(outbox(&env, "sent").await.len(), 3);
}

/// A receiver that fails three times, then succeeds, gets exactly one delivery, although the
/// server's notifier is replaced (as by a restart) between attempts: the outbox row is the
/// only state.
async fn three_failures_then_one_delivery(env: Env) {
    let retries = NotifyConfig {
        max_attempts: 5,
        ..config(KEY)
    };
    let env = env.with_notify(retries.clone());
    let (hook, hook_url) = Receiver::start(&[500, 502, 503]).await;
    add_channel(
        &env,
        "siem",
        json!({"type": "webhook", "url": hook_url, "secret": "s"}),
    )
    .await;
    add_rule(
        &env,
        json!({"channel": "siem", "events": ["scan.completed"]}),
    )
    .await;
    env.import("shop", "main", "", &corpus("trivy/all_statuses.json"))
        .await;

    assert_eq!(deliver(&env).await, 1);
    let pending = outbox(&env, "pending").await;
    assert_eq!(pending.len(), 1);
    assert_eq!(pending[0]["attempts"], 1);
    assert!(pending[0]["last_error"].as_str().unwrap().contains("500"));
    assert_eq!(deliver(&env).await, 1);
    // "Restart": a new notifier, nothing kept in memory.
    let env = env.with_notify(retries);
    assert_eq!(outbox(&env, "pending").await[0]["attempts"], 2);
    assert_eq!(deliver(&env).await, 1);
    assert_eq!(deliver(&env).await, 1);
    assert_eq!(deliver(&env).await, 0);
    assert_eq!(
        hook.seen.lock().unwrap().len(),
        4,
        "three failures, one success"
    );
    let sent = outbox(&env, "sent").await;
    assert_eq!(sent.len(), 1);
    // `attempts` counts the failed tries before the delivery.
    assert_eq!(sent[0]["attempts"], 3);
    assert_eq!(sent[0]["event"]["type"], "scan.completed");
    assert!(outbox(&env, "pending").await.is_empty());
}

async fn dead_letters_after_the_limit(env: Env) {
    let env = env.with_notify(config(KEY));
    let (hook, hook_url) = Receiver::start(&[503, 503, 503, 503]).await;
    add_channel(
        &env,
        "siem",
        json!({"type": "webhook", "url": hook_url, "secret": "s"}),
    )
    .await;
    add_rule(
        &env,
        json!({"channel": "siem", "events": ["scan.completed"]}),
    )
    .await;
    env.import("shop", "main", "", &corpus("trivy/all_statuses.json"))
        .await;
    for _ in 0..3 {
        assert_eq!(deliver(&env).await, 1);
    }
    assert_eq!(deliver(&env).await, 0);
    assert_eq!(hook.seen.lock().unwrap().len(), 3);
    let dead = outbox(&env, "dead").await;
    assert_eq!(dead.len(), 1);
    assert_eq!(dead[0]["attempts"], 3);
    assert!(dead[0]["last_error"].as_str().unwrap().contains("503"));
    assert!(outbox(&env, "pending").await.is_empty());

    // A read key may look; the state must be a known one.
    let read = env.key(ward_store::Scope::Read, None).await;
    assert_eq!(
        env.get("/api/v1/outbox?state=dead", &read).await.0,
        StatusCode::OK
    );
    assert_eq!(
        env.get("/api/v1/outbox?state=lost", &env.admin).await.0,
        StatusCode::BAD_REQUEST
    );
}

fn old_only_key() -> Keyring {
    Keyring::load(Some(KEY), None).unwrap()
}

async fn secrets_are_sealed_and_never_shown(env: Env) {
    let env = env.with_notify(config(KEY));
    let url = "http://127.0.0.1:9/services/T000/B000/slack-token-in-url";
    add_channel(&env, "ops", json!({"type": "slack", "url": url})).await;
    add_channel(
        &env,
        "siem",
        json!({"type": "webhook", "url": "http://127.0.0.1:9/x", "secret": "hmac-secret-value"}),
    )
    .await;
    // A product hook with a git token, sealed the same way.
    env.import("shop", "main", "", &corpus("trivy/all_statuses.json"))
        .await;
    let (status, hook) = env
        .json(
            Method::PUT,
            "/api/v1/products/shop/hook",
            &env.admin,
            json!({"secret": "hook-secret-value", "branches": ["main"],
                   "git_token": "git-token-value"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{hook}");
    assert!(!hook.to_string().contains("-value"), "{hook}");
    for (path, _) in [("/api/v1/channels", ()), ("/api/v1/channels/ops", ())] {
        let (status, body) = env.get(path, &env.admin).await;
        assert_eq!(status, StatusCode::OK);
        let text = body.to_string();
        assert!(
            !text.contains("slack-token") && !text.contains("hmac-secret"),
            "{text}"
        );
        assert!(text.contains("***"), "{text}");
    }
    // The stored row holds ciphertext only.
    let stored = env.store.channel_by_name("siem").await.unwrap().unwrap();
    assert!(!stored.config.contains("hmac-secret"), "{}", stored.config);
    assert!(
        stored.config.contains("\"secret\":\"v1:"),
        "{}",
        stored.config
    );
    // And so does the database file (SQLite: the file and its write-ahead log).
    if let Some(dir) = env.data_dir() {
        for entry in std::fs::read_dir(dir).unwrap() {
            let bytes = std::fs::read(entry.unwrap().path()).unwrap();
            for secret in [
                &b"slack-token-in-url"[..],
                b"hmac-secret-value",
                b"hook-secret-value",
                b"git-token-value",
            ] {
                assert!(
                    !bytes.windows(secret.len()).any(|w| w == secret),
                    "a secret is in the database file in clear"
                );
            }
        }
    }

    // Rotation: with a new key listed first, every secret moves to it and still opens.
    let rotated_keys = Keyring::load(Some(&format!("{NEW_KEY},{KEY}")), None).unwrap();
    let n = ward_server::notify::rotate_secrets(env.store.as_ref(), &rotated_keys)
        .await
        .unwrap();
    assert_eq!(n, 3, "two channels and the product hook");
    let product = env.store.product_by_name("shop").await.unwrap().unwrap();
    let hook = env.store.product_hook(product.id).await.unwrap().unwrap();
    let token = hook.git_token.unwrap();
    assert_eq!(
        rotated_keys.decrypt(&token).unwrap().expose(),
        "git-token-value"
    );
    assert!(
        old_only_key().decrypt(&token).is_err(),
        "moved to the new key"
    );
    let stored = env.store.channel_by_name("siem").await.unwrap().unwrap();
    let opened = ward_server::notify::secrets::open(&rotated_keys, &stored.config).unwrap();
    assert_eq!(opened["secret"], "hmac-secret-value");
    let old_only = Keyring::load(Some(KEY), None).unwrap();
    assert!(ward_server::notify::secrets::open(&old_only, &stored.config).is_err());
    assert_eq!(
        ward_server::notify::rotate_secrets(env.store.as_ref(), &rotated_keys)
            .await
            .unwrap(),
        0
    );
}

async fn channels_need_a_master_key(env: Env) {
    let env = env.with_notify(NotifyConfig::default());
    let (status, body) = env
        .json(
            Method::POST,
            "/api/v1/channels",
            &env.admin,
            json!({"name": "ops", "config": {"type": "slack", "url": "http://127.0.0.1:9/x"}}),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("WARD_MASTER_KEY"),
        "{body}"
    );
    ward_server::notify::check_startup(env.store.as_ref(), &env.state.notifier)
        .await
        .expect("no channels: starts");

    let env = env.with_notify(config(KEY));
    add_channel(
        &env,
        "ops",
        json!({"type": "slack", "url": "http://127.0.0.1:9/x"}),
    )
    .await;
    let (status, body) = env
        .json(
            Method::POST,
            "/api/v1/channels",
            &env.admin,
            json!({"name": "bad", "config": {"type": "slack", "url": "not a url"}}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["field"], "config");
    let env = env.with_notify(NotifyConfig::default());
    let error = ward_server::notify::check_startup(env.store.as_ref(), &env.state.notifier)
        .await
        .expect_err("channels without a key: refuses");
    assert!(error.to_string().contains("no master key"), "{error}");
}

async fn channel_and_rule_crud(env: Env) {
    let env = env.with_notify(config(KEY));
    add_channel(
        &env,
        "ops",
        json!({"type": "slack", "url": "http://127.0.0.1:9/x"}),
    )
    .await;
    add_rule(
        &env,
        json!({"channel": "ops", "engagements": ["release/*"]}),
    )
    .await;
    let (status, body) = env
        .json(
            Method::POST,
            "/api/v1/notification-rules",
            &env.admin,
            json!({"channel": "nope"}),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    let (status, body) = env
        .json(
            Method::PUT,
            "/api/v1/channels/ops",
            &env.admin,
            json!({"name": "ops2", "config": {"type": "teams", "url": "http://127.0.0.1:9/y"}}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["type"], "teams");
    let (_, rules) = env.get("/api/v1/notification-rules", &env.admin).await;
    assert_eq!(
        rules[0]["rule"]["channel"], "ops",
        "the rule's JSON is kept as written"
    );
    let id = rules[0]["id"].as_i64().unwrap();
    let (status, _) = env
        .send(
            crate::common::request(
                Method::DELETE,
                &format!("/api/v1/notification-rules/{id}"),
                Some(&env.admin),
            )
            .body(axum::body::Body::empty())
            .unwrap(),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = env
        .send(
            crate::common::request(Method::DELETE, "/api/v1/channels/ops2", Some(&env.admin))
                .body(axum::body::Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(
        env.get("/api/v1/channels/ops2", &env.admin).await.0,
        StatusCode::NOT_FOUND
    );
}

/// The loop `serve` runs delivers without being asked: an import over real HTTP wakes it.
async fn serve_runs_the_delivery_loop(env: Env) {
    let env = env.with_notify(config(KEY));
    let (hook, hook_url) = Receiver::start(&[]).await;
    add_channel(
        &env,
        "siem",
        json!({"type": "webhook", "url": hook_url, "secret": "s"}),
    )
    .await;
    add_rule(
        &env,
        json!({"channel": "siem", "events": ["scan.completed"]}),
    )
    .await;

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(ward_server::serve(
        listener,
        env.state.clone(),
        async move {
            let _ = stop_rx.await;
        },
    ));
    let url =
        format!("http://{address}/api/v1/products/shop/engagements/main/imports?auto_create=true");
    let admin = env.admin.clone();
    let report = corpus("trivy/all_statuses.json");
    let status = tokio::task::spawn_blocking(move || {
        ureq::post(&url)
            .set("Authorization", &format!("Bearer {admin}"))
            .set("Content-Type", "application/octet-stream")
            .send_bytes(&report)
            .map(|r| r.status())
            .unwrap_or_else(|e| panic!("{e}"))
    })
    .await
    .unwrap();
    assert_eq!(status, 201);

    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while hook.seen.lock().unwrap().is_empty() {
        assert!(
            std::time::Instant::now() < deadline,
            "nothing was delivered"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let _ = stop_tx.send(());
    server.await.unwrap().unwrap();
    assert_eq!(hook.bodies()[0]["type"], "scan.completed");
    assert_eq!(outbox(&env, "sent").await.len(), 1);
}

/// A signed webhook channel on a loopback receiver, routed `events`.
async fn webhook_for(env: &Env, events: Value) -> Receiver {
    let (hook, hook_url) = Receiver::start(&[]).await;
    add_channel(
        env,
        "siem",
        json!({"type": "webhook", "url": hook_url, "secret": "s"}),
    )
    .await;
    add_rule(env, json!({"channel": "siem", "events": events})).await;
    hook
}

/// The SLA check: findings past their due date give one `sla.breached` message per product,
/// sent once; checking again sends nothing until more findings fall due.
async fn sla_breaches_are_sent_once(env: Env) {
    let env = env.with_notify(NotifyConfig {
        public_url: Some("https://ward.example/".into()),
        ..config(KEY)
    });
    let hook = webhook_for(&env, json!(["sla.breached"])).await;
    // One high and one medium finding: due in 30 and 90 days.
    env.import(
        "shop",
        "main",
        "",
        &corpus("trivy/cvss_severity_source.json"),
    )
    .await;
    let now = time::OffsetDateTime::now_utc();
    let check = |days: i64| {
        let env = &env;
        async move {
            sla::check(
                env.store.as_ref(),
                &env.state.notifier,
                now + time::Duration::days(days),
            )
            .await
            .unwrap()
        }
    };
    // The messages a check queues are due at its time.
    let deliver = |days: i64| {
        let env = &env;
        async move {
            delivery::deliver_due_at(
                env.store.as_ref(),
                &env.state.notifier,
                now + time::Duration::days(days),
            )
            .await
            .unwrap()
        }
    };
    assert_eq!(check(1).await, 0);
    assert_eq!(deliver(1).await, 0);
    assert_eq!(check(31).await, 1);
    assert_eq!(deliver(31).await, 1, "one message for the product");
    let bodies = hook.bodies();
    assert_eq!(bodies.len(), 1);
    let event = &bodies[0];
    assert_eq!(event["type"], "sla.breached");
    assert_eq!(event["product"], "shop");
    assert_eq!(event["data"]["n_overdue"], 1);
    assert_eq!(event["counts"]["high"], 1);
    assert_eq!(
        event["url"],
        "https://ward.example/api/v1/products/shop/findings?sla_breached=true"
    );
    assert!(!event["top_findings"].as_array().unwrap().is_empty());

    // The same check again (a second run, or a second server) sends nothing.
    assert_eq!(check(31).await, 0);
    assert_eq!(deliver(31).await, 0);
    assert_eq!(hook.bodies().len(), 1);
    // Later the medium one is due: one more message, about it only.
    assert_eq!(check(91).await, 1);
    assert_eq!(deliver(91).await, 1);
    let later = &hook.bodies()[1];
    assert_eq!(later["counts"]["high"], 0);
    assert_eq!(later["counts"]["medium"], 1);
    assert_eq!(later["data"]["max_days_overdue"], 1);
    assert_eq!(check(91).await, 0);
    assert_eq!(deliver(91).await, 0);
}

/// A gate whose policy requires approval: the failed verdict records a pending approval and
/// sends `approval.required` with its link; the pipeline polls it; a triage key of the
/// product decides it once, and who, when and why are kept.
async fn gate_waits_for_approval(env: Env) {
    let env = env.with_notify(NotifyConfig {
        public_url: Some("https://ward.example".into()),
        ..config(KEY)
    });
    let hook = webhook_for(&env, json!(["approval.required"])).await;
    env.import(
        "shop",
        "main",
        "",
        &corpus("trivy/cvss_severity_source.json"),
    )
    .await;
    env.import(
        "other",
        "main",
        "",
        &corpus("trivy/cvss_severity_source.json"),
    )
    .await;
    let pipeline = env.key(Scope::Import, Some(&["shop"])).await;
    let gate = |policy: &'static str| {
        let env = &env;
        let pipeline = pipeline.clone();
        async move {
            env.raw(
                Method::POST,
                "/api/v1/products/shop/engagements/main/gate",
                &pipeline,
                policy.as_bytes().to_vec(),
            )
            .await
        }
    };
    // Without the option nothing waits.
    let (status, verdict) = gate("").await;
    assert_eq!(status, StatusCode::OK, "{verdict}");
    assert_eq!(verdict["passed"], false);
    assert!(verdict.get("approval").is_none(), "{verdict}");

    let (status, verdict) = gate("[gate]\nrequire_approval = true\n").await;
    assert_eq!(status, StatusCode::OK, "{verdict}");
    assert_eq!(verdict["passed"], false);
    let approval = &verdict["approval"];
    assert_eq!(approval["state"], "pending");
    let id = approval["id"].as_i64().unwrap();
    let url = format!("/api/v1/approvals/{id}");
    assert_eq!(approval["url"], url.as_str());

    assert_eq!(deliver(&env).await, 1);
    let event = &hook.bodies()[0];
    assert_eq!(event["type"], "approval.required");
    assert_eq!(event["product"], "shop");
    assert_eq!(event["engagement"], "main");
    assert_eq!(event["data"]["approval_id"], id.to_string());
    assert_eq!(event["url"], format!("https://ward.example{url}"));

    // The pipeline polls.
    let (status, polled) = env.get(&url, &pipeline).await;
    assert_eq!(status, StatusCode::OK, "{polled}");
    assert_eq!(polled["state"], "pending");
    assert_eq!(polled["verdict"]["passed"], false);

    let decide = |key: String, body: Value| {
        let env = &env;
        let url = url.clone();
        async move { env.json(Method::POST, &url, &key, body).await }
    };
    let approve = json!({"decision": "approve", "reason": "accepted for the hotfix"});
    // The pipeline's key cannot decide (scope), nor can another product's triage key (404).
    let (status, _) = decide(pipeline.clone(), approve.clone()).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let stranger = env.key(Scope::Triage, Some(&["other"])).await;
    let (status, _) = decide(stranger.clone(), approve.clone()).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = env.get(&url, &stranger).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let triager = env.key(Scope::Triage, Some(&["shop"])).await;
    for (body, field) in [
        (json!({"decision": "maybe", "reason": "r"}), "decision"),
        (json!({"decision": "approve", "reason": " "}), "reason"),
    ] {
        let (status, reply) = decide(triager.clone(), body).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{reply}");
        assert_eq!(reply["field"], field, "{reply}");
    }
    let (status, decided) = decide(triager.clone(), approve.clone()).await;
    assert_eq!(status, StatusCode::OK, "{decided}");
    assert_eq!(decided["state"], "approved");
    assert_eq!(decided["reason"], "accepted for the hotfix");
    assert!(decided["decided_by"].as_str().unwrap().starts_with("key:"));
    assert!(decided["decided_at"].is_string());
    // Decided once.
    let (status, _) = decide(
        triager.clone(),
        json!({"decision": "refuse", "reason": "changed my mind"}),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);
    let (_, polled) = env.get(&url, &pipeline).await;
    assert_eq!(polled["state"], "approved");
    let (status, _) = env.get("/api/v1/approvals/999999", &env.admin).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

/// A scan job's events: its import raises `scan.completed` as an upload would, and a job that
/// fails for good raises `scan.failed` with the job id, the failure summary and the signed
/// result URL where the failure report is; a rule routes both to a loopback webhook.
async fn scan_jobs_raise_completed_and_failed(env: Env) {
    use std::os::unix::fs::PermissionsExt;
    let env = env.with_notify(config(KEY));
    let (hook, hook_url) = Receiver::start(&[]).await;
    add_channel(
        &env,
        "ci-hook",
        json!({"type": "webhook", "url": hook_url, "secret": "s"}),
    )
    .await;
    add_rule(
        &env,
        json!({"channel": "ci-hook", "events": ["scan.completed", "scan.failed"]}),
    )
    .await;
    let dir = tempfile::tempdir().unwrap();
    let bin = dir.path().join("bin");
    std::fs::create_dir(&bin).unwrap();
    std::fs::write(bin.join("bandit"), "#!/bin/sh\necho crashed >&2\nexit 3\n").unwrap();
    std::fs::set_permissions(bin.join("bandit"), std::fs::Permissions::from_mode(0o755)).unwrap();
    let mut worker = crate::scans::worker(&env, dir.path(), &bin);
    let signed = crate::scans::blobs(&env)
        .with_ward_urls("http://127.0.0.1", env.signer.clone())
        .unwrap();
    worker.observer = Some(Arc::new(ward_server::notify::jobs::JobEvents {
        store: env.store.clone(),
        notifier: env.state.notifier.clone(),
        blobs: signed,
        url_validity: Duration::from_secs(600),
    }));

    let clean = crate::scans::upload(&env, "ok.tar.gz", &[("app.py", "print(1)\n")]).await;
    crate::scans::submit(
        &env,
        json!({"source": {"archive": {"key": clean}}, "scanners": ["secrets"],
               "product": "shop", "engagement": "ci"}),
    )
    .await;
    crate::scans::run_one(&worker).await;
    let crashing = crate::scans::upload(&env, "py.tar.gz", &[("app.py", "print(1)\n")]).await;
    let scan = crate::scans::submit(
        &env,
        json!({"source": {"archive": {"key": crashing}}, "scanners": ["bandit"],
               "product": "shop", "engagement": "ci"}),
    )
    .await;
    crate::scans::run_one(&worker).await;
    assert_eq!(deliver(&env).await, 2);

    let bodies = hook.bodies();
    assert_eq!(bodies.len(), 2, "{bodies:?}");
    assert_eq!(bodies[0]["type"], "scan.completed", "{}", bodies[0]);
    assert_eq!(bodies[0]["engagement"], "ci");
    let failed = &bodies[1];
    assert_eq!(failed["type"], "scan.failed", "{failed}");
    assert_eq!(failed["product"], "shop");
    assert_eq!(failed["engagement"], "ci");
    assert_eq!(failed["data"]["job_id"], scan["id"], "{failed}");
    let error = failed["data"]["error"].as_str().unwrap();
    assert!(error.starts_with("bandit: "), "{error}");
    let url = failed["url"].as_str().unwrap();
    let result = scan["links"]["report"].as_str().unwrap();
    let path = |u: &str| u.split('?').next().unwrap().to_owned();
    assert_eq!(path(url), path(result), "the event links the result URL");
    let (status, _, bytes) = crate::scans::fetch(&env, url).await;
    assert_eq!(status, StatusCode::OK);
    let report: Value = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(report["reason"], "exit-code", "{report}");
}

crate::on_both_backends!(
    import_delivers_to_slack_and_webhook,
    scan_jobs_raise_completed_and_failed,
    three_failures_then_one_delivery,
    dead_letters_after_the_limit,
    secrets_are_sealed_and_never_shown,
    channels_need_a_master_key,
    channel_and_rule_crud,
    serve_runs_the_delivery_loop,
    sla_breaches_are_sent_once,
    gate_waits_for_approval,
);
