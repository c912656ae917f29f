//! The dashboard over HTTP in process: sign-in with a password or a key, CSRF checks, the
//! pages, filters, CSV export, bulk triage into the audit trail, product restriction, the
//! scans page, notification channels and rules, and the retention page.

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use tower::ServiceExt;
use ward_store::{NewUser, Scope};

use crate::common::{corpus, Env};

/// A browser-like client: keeps the session cookie, reads CSRF tokens from pages.
struct Browser<'e> {
    env: &'e Env,
    cookies: Vec<(String, String)>,
}

impl<'e> Browser<'e> {
    fn new(env: &'e Env) -> Browser<'e> {
        Browser {
            env,
            cookies: Vec::new(),
        }
    }

    async fn send(
        &mut self,
        method: Method,
        path: &str,
        form: Option<&[(&str, &str)]>,
    ) -> (StatusCode, String, Option<String>) {
        let mut builder = Request::builder().method(method).uri(path);
        if !self.cookies.is_empty() {
            let jar: Vec<String> = self
                .cookies
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect();
            builder = builder.header(header::COOKIE, jar.join("; "));
        }
        let body = match form {
            Some(pairs) => {
                builder = builder.header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
                let mut s = form_urlencoded::Serializer::new(String::new());
                for (k, v) in pairs {
                    s.append_pair(k, v);
                }
                Body::from(s.finish())
            }
            None => Body::empty(),
        };
        let response = self
            .env
            .app
            .clone()
            .oneshot(builder.body(body).unwrap())
            .await
            .unwrap();
        let status = response.status();
        for cookie in response.headers().get_all(header::SET_COOKIE) {
            let cookie = cookie.to_str().unwrap();
            assert!(
                cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"),
                "{cookie}"
            );
            let (pair, _) = cookie.split_once(';').unwrap();
            let (k, v) = pair.split_once('=').unwrap();
            self.cookies.retain(|(name, _)| name != k);
            if !v.is_empty() {
                self.cookies.push((k.to_string(), v.to_string()));
            }
        }
        let location = response
            .headers()
            .get(header::LOCATION)
            .map(|l| l.to_str().unwrap().to_string());
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .unwrap();
        (
            status,
            String::from_utf8_lossy(&bytes).into_owned(),
            location,
        )
    }

    async fn get(&mut self, path: &str) -> (StatusCode, String) {
        let (status, body, _) = self.send(Method::GET, path, None).await;
        (status, body)
    }

    async fn sign_in(&mut self, fields: &[(&str, &str)]) -> StatusCode {
        let (_, page) = self.get("/login").await;
        let token = csrf(&page);
        let mut form = vec![("csrf", token.as_str())];
        form.extend_from_slice(fields);
        self.send(Method::POST, "/login", Some(&form)).await.0
    }
}

/// The CSRF token in a page's first form.
fn csrf(page: &str) -> String {
    let at = page.find("name=\"csrf\" value=\"").expect("a CSRF field");
    let rest = &page[at + 19..];
    rest[..rest.find('"').unwrap()].to_string()
}

/// The finding ids linked from a findings page.
fn finding_ids(page: &str) -> Vec<i64> {
    page.match_indices("name=\"id\" value=\"")
        .map(|(at, m)| {
            let rest = &page[at + m.len()..];
            rest[..rest.find('"').unwrap()].parse().unwrap()
        })
        .collect()
}

async fn seed(env: &Env) {
    env.import("shop", "main", "", &corpus("trivy/all_statuses.json"))
        .await;
    env.import(
        "shop",
        "deps",
        "",
        &corpus("trivy/cvss_severity_source.json"),
    )
    .await;
    env.import("bank", "main", "", &corpus("gitleaks/gitleaks8_many.json"))
        .await;
}

async fn signed_out_requests_go_to_sign_in(env: Env) {
    let mut browser = Browser::new(&env);
    let (status, _, location) = browser.send(Method::GET, "/findings", None).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(location.as_deref(), Some("/login"));
    // A forged cookie is no session.
    browser
        .cookies
        .push(("ward_session".into(), "e30.AAAA".into()));
    assert_eq!(
        browser.send(Method::GET, "/", None).await.0,
        StatusCode::SEE_OTHER
    );
    // Sign-in without the form's token is refused.
    let (status, _, _) = browser
        .send(
            Method::POST,
            "/login",
            Some(&[("api_key", env.admin.as_str())]),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(
        browser.sign_in(&[("api_key", "ward_wrong")]).await,
        StatusCode::UNAUTHORIZED
    );
}

async fn a_user_triages_in_bulk_and_it_lands_in_the_audit_trail(env: Env) {
    seed(&env).await;
    env.store
        .create_user(&NewUser {
            username: "ana".into(),
            password: "correct horse".into(),
            scope: Scope::Admin,
        })
        .await
        .unwrap();
    let mut browser = Browser::new(&env);
    assert_eq!(
        browser
            .sign_in(&[("username", "ana"), ("password", "wrong")])
            .await,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        browser
            .sign_in(&[("username", "ana"), ("password", "correct horse")])
            .await,
        StatusCode::SEE_OTHER
    );

    for path in [
        "/",
        "/?days=365",
        "/findings",
        "/products",
        "/admin/keys",
        "/static/ward.css",
    ] {
        let (status, body) = browser.get(path).await;
        assert_eq!(status, StatusCode::OK, "{path}: {body}");
    }
    let (_, all) = browser.get("/findings").await;
    let (_, high) = browser.get("/findings?severity=high").await;
    let (all_ids, high_ids) = (finding_ids(&all), finding_ids(&high));
    assert!(!high_ids.is_empty() && high_ids.len() < all_ids.len());
    assert_eq!(
        browser.get("/findings?severity=nope").await.0,
        StatusCode::BAD_REQUEST
    );

    // The CSV has one row per finding of the view.
    let (status, csv) = browser.get("/findings.csv?severity=high").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(csv.lines().count(), high_ids.len() + 1, "{csv}");

    // Bulk triage needs the session's token.
    let token = csrf(&high);
    let first = high_ids[0].to_string();
    let second = high_ids.get(1).map(|i| i.to_string());
    let mut form = vec![
        ("csrf", "forged"),
        ("action", "false_positive"),
        ("id", first.as_str()),
    ];
    assert_eq!(
        browser
            .send(Method::POST, "/findings/triage", Some(&form))
            .await
            .0,
        StatusCode::FORBIDDEN
    );
    form[0].1 = token.as_str();
    form.push(("reason", "test data"));
    form.push(("back", "/findings?severity=high"));
    if let Some(second) = &second {
        form.push(("id", second.as_str()));
    }
    let (status, _, location) = browser
        .send(Method::POST, "/findings/triage", Some(&form))
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(location.as_deref(), Some("/findings?severity=high"));
    let (status, page) = browser.get(&format!("/findings/{first}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains("user:ana") && page.contains("test data"),
        "{page}"
    );
    assert!(page.contains("false positive"));
    let (_, open_high) = browser.get("/findings?severity=high&status=open").await;
    assert!(!finding_ids(&open_high).contains(&high_ids[0]));

    // Sign-out ends the session.
    let (_, page) = browser.get("/").await;
    let token = csrf(&page);
    browser
        .send(Method::POST, "/logout", Some(&[("csrf", token.as_str())]))
        .await;
    assert_eq!(
        browser.send(Method::GET, "/", None).await.0,
        StatusCode::SEE_OTHER
    );
}

async fn a_limited_key_sees_only_its_products(env: Env) {
    seed(&env).await;
    let bank = env.store.product_by_name("bank").await.unwrap().unwrap();
    let shop = env.store.product_by_name("shop").await.unwrap().unwrap();
    let key = env.key(Scope::Read, Some(&["bank"])).await;
    let mut browser = Browser::new(&env);
    assert_eq!(
        browser.sign_in(&[("api_key", key.as_str())]).await,
        StatusCode::SEE_OTHER
    );
    let (_, products) = browser.get("/products").await;
    assert!(
        products.contains(">bank<") && !products.contains(">shop<"),
        "{products}"
    );
    assert_eq!(
        browser.get(&format!("/products/{}", shop.id)).await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        browser.get(&format!("/products/{}", bank.id)).await.0,
        StatusCode::OK
    );
    assert_eq!(
        browser.get("/findings?product=shop").await.0,
        StatusCode::NOT_FOUND
    );
    let (_, list) = browser.get("/findings").await;
    assert!(
        !list.contains("type=\"checkbox\""),
        "a read key gets no triage checkboxes"
    );
    let (_, csv) = browser.get("/findings.csv").await;
    assert!(csv.lines().skip(1).all(|l| l.contains(",bank,")), "{csv}");
    let shop_finding = env.findings("shop").await[0]["id"].as_i64().unwrap();
    assert_eq!(
        browser.get(&format!("/findings/{shop_finding}")).await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(browser.get("/admin/keys").await.0, StatusCode::FORBIDDEN);
    let (_, page) = browser.get("/").await;
    let token = csrf(&page);
    let id = shop_finding.to_string();
    let form = [
        ("csrf", token.as_str()),
        ("action", "reopen"),
        ("id", id.as_str()),
    ];
    assert_eq!(
        browser
            .send(Method::POST, "/findings/triage", Some(&form))
            .await
            .0,
        StatusCode::FORBIDDEN
    );

    // Revoking the key ends its session.
    let listed = env.store.list_api_keys().await.unwrap();
    let row = listed.iter().find(|k| k.products.is_some()).unwrap();
    env.store.revoke_api_key(row.id).await.unwrap();
    assert_eq!(
        browser.send(Method::GET, "/", None).await.0,
        StatusCode::SEE_OTHER
    );
}

async fn an_admin_creates_and_revokes_keys(env: Env) {
    let mut browser = Browser::new(&env);
    assert_eq!(
        browser.sign_in(&[("api_key", env.admin.as_str())]).await,
        StatusCode::SEE_OTHER
    );
    let (_, page) = browser.get("/admin/keys").await;
    let token = csrf(&page);
    let form = [
        ("csrf", token.as_str()),
        ("name", "ci"),
        ("scope", "import"),
        ("products", "shop"),
    ];
    let (status, page, _) = browser.send(Method::POST, "/admin/keys", Some(&form)).await;
    assert_eq!(status, StatusCode::OK);
    let at = page.find("value=\"ward_").expect("the new key is shown");
    let secret = &page[at + 7..];
    let secret = &secret[..secret.find('"').unwrap()];
    let key = env
        .store
        .api_key_by_secret(secret)
        .await
        .unwrap()
        .expect("the shown key works");
    assert_eq!(key.scope, Scope::Import);
    let (_, again) = browser.get("/admin/keys").await;
    assert!(!again.contains(secret), "a key is shown once");
    let path = format!("/admin/keys/{}/revoke", key.id);
    let (status, _, _) = browser
        .send(Method::POST, &path, Some(&[("csrf", token.as_str())]))
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(env.store.api_key_by_secret(secret).await.unwrap().is_none());

    // Users: created from the page, listed, and able to sign in.
    let form = [
        ("csrf", token.as_str()),
        ("username", "bo"),
        ("password", "a long passphrase"),
        ("scope", "read"),
    ];
    let (status, page, _) = browser
        .send(Method::POST, "/admin/users", Some(&form))
        .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let (_, page) = browser.get("/admin/users").await;
    assert!(
        page.contains("<td>bo</td>") && !page.contains("passphrase"),
        "{page}"
    );
    let mut other = Browser::new(&env);
    assert_eq!(
        other
            .sign_in(&[("username", "bo"), ("password", "a long passphrase")])
            .await,
        StatusCode::SEE_OTHER
    );
    assert_eq!(other.get("/admin/users").await.0, StatusCode::FORBIDDEN);
}

/// A scan job for `product` as the API queues it, with a git URL carrying credentials.
fn scan_job(product: &str) -> ward_store::JobRequest {
    let request = serde_json::json!({
        "source": {"git": {"url": "https://ci:s3cret-token@git.example.com/team/app.git", "reference": "main"}},
        "scanners": ["secrets"],
        "product": product,
        "engagement": "main",
        "formats": ["sarif"],
    });
    ward_store::JobRequest {
        kind: ward_jobs::SCAN_JOB.to_string(),
        product: Some(product.to_string()),
        payload: request,
        result_key: format!("reports/scan-{product}/report.json"),
        max_attempts: 1,
    }
}

async fn the_scans_page_lists_jobs_by_product_with_failure_reports(env: Env) {
    let bank = env.store.enqueue_job(&scan_job("bank")).await.unwrap();
    let now = time::OffsetDateTime::now_utc();
    let claimed = env
        .store
        .claim_job("w1", now, time::Duration::minutes(1))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(claimed.id, bank.id);
    let failure = ward_store::JobFailure {
        error: "bandit failed".into(),
        retry: false,
        backoff: time::Duration::seconds(1),
    };
    env.store
        .fail_job(bank.id, "w1", &failure, now)
        .await
        .unwrap();
    let report = ward_jobs::FailureReport {
        scanner: "secrets".into(),
        reason: ward_jobs::FailureReason::ScannerError,
        message: "the scanner stopped".into(),
        command: Vec::new(),
        exit_code: Some(2),
        signal: None,
        stdout_tail: String::new(),
        stderr_tail: "<script>alert(1)</script>".into(),
        started_at: "2026-01-01T00:00:00Z".into(),
        duration_ms: 12,
    };
    let blobs = ward_blob::BlobStore::local(env.blobs.path()).unwrap();
    let key = ward_blob::BlobKey::parse(&bank.result_key).unwrap();
    blobs
        .put(&key, report.to_json().into_bytes())
        .await
        .unwrap();
    let shop = env.store.enqueue_job(&scan_job("shop")).await.unwrap();

    let mut admin = Browser::new(&env);
    admin.sign_in(&[("api_key", env.admin.as_str())]).await;
    let (status, page) = admin.get("/scans").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains(&format!("href=\"/scans/{}\"", bank.id))
            && page.contains(&format!("href=\"/scans/{}\"", shop.id)),
        "{page}"
    );
    assert!(page.contains("git https://git.example.com/team/app.git @ main"));
    assert!(
        !page.contains("s3cret-token"),
        "credentials in a git URL are not shown"
    );
    assert!(
        page.contains("/blobs/reports/scan-bank/report.json?"),
        "the failed job links its failure report: {page}"
    );
    let (_, failed) = admin.get("/scans?state=failed").await;
    assert!(failed.contains(&format!("/scans/{}\"", bank.id)));
    assert!(!failed.contains(&format!("/scans/{}\"", shop.id)));
    assert_eq!(
        admin.get("/scans?state=lost").await.0,
        StatusCode::BAD_REQUEST
    );
    let (status, detail) = admin.get(&format!("/scans/{}", bank.id)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        detail.contains("the scanner stopped")
            && detail.contains("&lt;script&gt;alert(1)&lt;/script&gt;")
            && !detail.contains("<script>alert"),
        "the failure report is shown escaped: {detail}"
    );
    assert!(detail.contains("/blobs/reports/scan-bank/report.sarif?"));

    // Queueing from the page: a form with the session's CSRF token.
    let token = csrf(&page);
    let form = [
        ("csrf", token.as_str()),
        ("url", "https://git.example.com/team/web.git"),
        ("ref", "v1.2"),
        ("product", "web"),
        ("engagement", "release"),
        ("scanner", "secrets"),
        ("scanner", "deps"),
    ];
    let (status, _, location) = admin.send(Method::POST, "/scans", Some(&form)).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let id: i64 = location
        .unwrap()
        .strip_prefix("/scans/")
        .unwrap()
        .parse()
        .unwrap();
    let queued = env.store.job(ward_store::JobId(id)).await.unwrap();
    assert_eq!(queued.product.as_deref(), Some("web"));
    assert_eq!(
        queued.payload["scanners"],
        serde_json::json!(["secrets", "deps"])
    );
    let no_token = [("url", "https://git.example.com/x.git"), ("product", "web")];
    assert_eq!(
        admin.send(Method::POST, "/scans", Some(&no_token)).await.0,
        StatusCode::FORBIDDEN
    );
    let unknown = [
        ("csrf", token.as_str()),
        ("url", "https://git.example.com/x.git"),
        ("product", "web"),
        ("engagement", "main"),
        ("scanner", "nmap"),
    ];
    let (status, body, _) = admin.send(Method::POST, "/scans", Some(&unknown)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body.contains("unknown scanner"), "{body}");

    // A key limited to bank sees bank's jobs only, and may not queue for others.
    let key = env.key(Scope::Import, Some(&["bank"])).await;
    let mut limited = Browser::new(&env);
    limited.sign_in(&[("api_key", key.as_str())]).await;
    let (_, page) = limited.get("/scans").await;
    assert!(page.contains(&format!("/scans/{}\"", bank.id)), "{page}");
    assert!(!page.contains(&format!("/scans/{}\"", shop.id)), "{page}");
    assert!(!page.contains(&format!("/scans/{id}\"")), "{page}");
    assert_eq!(
        limited.get(&format!("/scans/{}", shop.id)).await.0,
        StatusCode::NOT_FOUND
    );
    let token = csrf(&page);
    let form = [
        ("csrf", token.as_str()),
        ("url", "https://git.example.com/team/web.git"),
        ("product", "shop"),
        ("engagement", "main"),
        ("scanner", "secrets"),
    ];
    assert_eq!(
        limited.send(Method::POST, "/scans", Some(&form)).await.0,
        StatusCode::FORBIDDEN
    );
}

async fn an_admin_manages_channels_and_rules_without_seeing_secrets(env: Env) {
    let mut browser = Browser::new(&env);
    browser.sign_in(&[("api_key", env.admin.as_str())]).await;
    let (status, page) = browser.get("/admin/notifications").await;
    assert_eq!(status, StatusCode::OK);
    let token = csrf(&page);
    let form = [
        ("csrf", token.as_str()),
        ("name", "siem"),
        ("type", "webhook"),
        ("url", "https://siem.example.com/hook/very-private-path"),
        ("secret", "signing-secret-value"),
    ];
    let (status, body, _) = browser
        .send(Method::POST, "/admin/notifications/channels", Some(&form))
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let rule = [
        ("csrf", token.as_str()),
        ("channel", "siem"),
        ("event", "scan.failed"),
        ("event", "gate.failed"),
        ("products", "shop*, bank"),
        ("min_severity", "high"),
    ];
    let (status, body, _) = browser
        .send(Method::POST, "/admin/notifications/rules", Some(&rule))
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let (_, page) = browser.get("/admin/notifications").await;
    assert!(
        page.contains("<td>siem</td>") && page.contains("url: ***"),
        "{page}"
    );
    assert!(
        !page.contains("very-private-path") && !page.contains("signing-secret-value"),
        "secrets are never shown back"
    );
    assert!(page.contains("scan.failed, gate.failed") && page.contains("shop*, bank"));
    let stored = env.store.list_channels().await.unwrap();
    assert!(
        !stored[0].config.contains("very-private-path"),
        "sealed at rest"
    );

    let bad_glob = [
        ("csrf", token.as_str()),
        ("channel", "siem"),
        ("products", "[unclosed"),
    ];
    assert_eq!(
        browser
            .send(Method::POST, "/admin/notifications/rules", Some(&bad_glob))
            .await
            .0,
        StatusCode::BAD_REQUEST
    );
    let rules = env.store.list_rules().await.unwrap();
    assert_eq!(rules.len(), 1);
    let no_token: [(&str, &str); 0] = [];
    let path = format!("/admin/notifications/rules/{}/delete", rules[0].id);
    assert_eq!(
        browser.send(Method::POST, &path, Some(&no_token)).await.0,
        StatusCode::FORBIDDEN
    );
    let with_token = [("csrf", token.as_str())];
    assert_eq!(
        browser.send(Method::POST, &path, Some(&with_token)).await.0,
        StatusCode::SEE_OTHER
    );
    assert!(env.store.list_rules().await.unwrap().is_empty());
    let path = "/admin/notifications/channels/siem/delete";
    assert_eq!(
        browser.send(Method::POST, path, Some(&with_token)).await.0,
        StatusCode::SEE_OTHER
    );
    assert!(env.store.list_channels().await.unwrap().is_empty());

    // Retention: read-only; this test server keeps its policy in no state.
    let (status, page) = browser.get("/admin/retention").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("keeps no objects"), "{page}");

    let key = env.key(Scope::Admin, Some(&["bank"])).await;
    let mut limited = Browser::new(&env);
    limited.sign_in(&[("api_key", key.as_str())]).await;
    assert_eq!(
        limited.get("/admin/notifications").await.0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        limited.get("/admin/retention").await.0,
        StatusCode::FORBIDDEN
    );
}

async fn the_retention_page_shows_the_policy_and_last_sweep(env: Env) {
    let policy = ward_blob::Retention {
        raw_uploads: None,
        ..ward_blob::Retention::default()
    };
    let status = std::sync::Arc::new(ward_server::retention::RetentionStatus::new(
        policy,
        std::time::Duration::from_secs(3600),
    ));
    let sweeper = ward_server::retention::Sweeper {
        blobs: ward_blob::BlobStore::local(env.blobs.path()).unwrap(),
        status: status.clone(),
    };
    sweeper.sweep().await;
    let mut env = env;
    env.app = ward_server::router(env.state.clone().with_retention(status));
    let mut browser = Browser::new(&env);
    browser.sign_in(&[("api_key", env.admin.as_str())]).await;
    let (code, page) = browser.get("/admin/retention").await;
    assert_eq!(code, StatusCode::OK);
    assert!(
        page.contains("<td>30 days</td>") && page.contains("kept forever"),
        "{page}"
    );
    assert!(page.contains("0 objects deleted"), "{page}");
    assert!(page.contains("ward serve --retention"));
}

async fn the_product_page_gates_with_the_stored_policy(env: Env) {
    seed(&env).await;
    let bank = env.store.product_by_name("bank").await.unwrap().unwrap();
    let mut browser = Browser::new(&env);
    browser.sign_in(&[("api_key", env.admin.as_str())]).await;
    let path = format!("/products/{}", bank.id);
    let (code, page) = browser.get(&path).await;
    assert_eq!(code, StatusCode::OK);
    assert!(page.contains("Gate policy: default"), "{page}");
    assert!(page.contains("fails"), "{page}");
    env.store
        .set_product_policy(bank.id, "[[gate.fail]]\nseverity = \"critical\"\n")
        .await
        .unwrap();
    let (_, page) = browser.get(&path).await;
    assert!(
        page.contains("Gate policy: stored for this product"),
        "{page}"
    );
    assert!(page.contains("passes") && !page.contains("fails"), "{page}");
}

crate::on_both_backends!(
    signed_out_requests_go_to_sign_in,
    the_product_page_gates_with_the_stored_policy,
    a_user_triages_in_bulk_and_it_lands_in_the_audit_trail,
    a_limited_key_sees_only_its_products,
    an_admin_creates_and_revokes_keys,
    the_scans_page_lists_jobs_by_product_with_failure_reports,
    an_admin_manages_channels_and_rules_without_seeing_secrets,
    the_retention_page_shows_the_policy_and_last_sweep,
);
