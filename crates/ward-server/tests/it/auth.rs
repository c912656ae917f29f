//! Authorization over every route, table-driven: no key or a revoked key is refused; a scope
//! below the route's is refused; a key for product A can neither read nor write product B
//! (and lists show it only A); global routes need a key for every product. The table is
//! checked against the OpenAPI document, so a new route without a row fails here.

use std::collections::BTreeSet;

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use serde_json::{json, Value};
use ward_store::Scope;

use crate::common::{corpus, multipart, Env};

/// The ids and names a request about one product needs.
#[derive(Debug, Clone)]
struct Product {
    name: String,
    engagement_id: i64,
    test_id: i64,
    finding_id: i64,
    scan_id: i64,
    /// A pending gate approval.
    approval_id: i64,
}

/// How a route's body is made.
#[derive(Debug, Clone, Copy)]
enum BodyKind {
    Empty,
    /// A product's fields (its own name).
    ProductJson,
    /// A new product of another name.
    NewProductJson,
    EngagementJson,
    /// The Trivy report, raw.
    Report,
    /// A triage of the product's finding.
    TriageJson,
    /// A bulk triage of the product's finding.
    BulkTriageJson,
    KeyJson,
    /// A Slack channel.
    ChannelJson,
    /// A routing rule.
    RuleJson,
    /// A product's webhook settings.
    HookJson,
    /// DefectDojo form naming the product.
    DojoByName,
    /// DefectDojo import form naming the engagement id.
    DojoByEngagement,
    /// DefectDojo reimport form naming the test id.
    DojoByTest,
    /// A scan request for the product.
    ScanJson,
    /// A decision on a gate approval.
    DecisionJson,
    /// A `ward.toml` gate policy.
    PolicyToml,
}

/// One row: a route, the scope it needs, and whether it is about one product (`false`: a
/// list filtered by the key's products, or a global route when `global`).
struct Route {
    method: Method,
    path: &'static str,
    body: BodyKind,
    scope: Scope,
    /// About one product (refused for another product's key).
    product: bool,
    /// Only for keys not limited to products.
    global: bool,
}

const fn route(
    method: Method,
    path: &'static str,
    body: BodyKind,
    scope: Scope,
    product: bool,
) -> Route {
    Route {
        method,
        path,
        body,
        scope,
        product,
        global: false,
    }
}

fn routes() -> Vec<Route> {
    use BodyKind::*;
    use Scope::*;
    let global = |method, path, body| Route {
        method,
        path,
        body,
        scope: Admin,
        product: false,
        global: true,
    };
    vec![
        route(Method::GET, "/api/v1/products", Empty, Read, false),
        global(Method::POST, "/api/v1/products", NewProductJson),
        route(Method::GET, "/api/v1/products/{product}", Empty, Read, true),
        route(
            Method::PUT,
            "/api/v1/products/{product}",
            ProductJson,
            Admin,
            true,
        ),
        route(
            Method::GET,
            "/api/v1/products/{product}/engagements",
            Empty,
            Read,
            true,
        ),
        route(
            Method::POST,
            "/api/v1/products/{product}/engagements",
            EngagementJson,
            Import,
            true,
        ),
        route(
            Method::GET,
            "/api/v1/products/{product}/engagements/{engagement}",
            Empty,
            Read,
            true,
        ),
        route(
            Method::GET,
            "/api/v1/products/{product}/engagements/{engagement}/tests",
            Empty,
            Read,
            true,
        ),
        route(
            Method::POST,
            "/api/v1/products/{product}/engagements/{engagement}/imports",
            Report,
            Import,
            true,
        ),
        route(
            Method::POST,
            "/api/v1/products/{product}/engagements/{engagement}/gate",
            Empty,
            Read,
            true,
        ),
        route(Method::GET, "/api/v1/tests/{test}", Empty, Read, true),
        route(Method::GET, "/api/v1/findings", Empty, Read, false),
        route(
            Method::GET,
            "/api/v1/findings?product={product}",
            Empty,
            Read,
            true,
        ),
        route(Method::GET, "/api/v1/findings/{id}", Empty, Read, true),
        route(
            Method::POST,
            "/api/v1/findings/{id}/triage",
            TriageJson,
            Triage,
            true,
        ),
        route(
            Method::POST,
            "/api/v1/findings/triage",
            BulkTriageJson,
            Triage,
            true,
        ),
        route(Method::GET, "/api/v1/counts", Empty, Read, false),
        route(
            Method::GET,
            "/api/v1/counts?product={product}",
            Empty,
            Read,
            true,
        ),
        global(Method::GET, "/api/v1/keys", Empty),
        global(Method::POST, "/api/v1/keys", KeyJson),
        global(Method::DELETE, "/api/v1/keys/{id}", Empty),
        route(
            Method::GET,
            "/api/v1/products/{product}/hook",
            Empty,
            Admin,
            true,
        ),
        route(
            Method::PUT,
            "/api/v1/products/{product}/hook",
            HookJson,
            Admin,
            true,
        ),
        global(Method::GET, "/api/v1/channels", Empty),
        global(Method::POST, "/api/v1/channels", ChannelJson),
        global(Method::GET, "/api/v1/channels/{name}", Empty),
        global(Method::PUT, "/api/v1/channels/{name}", ChannelJson),
        global(Method::DELETE, "/api/v1/channels/{name}", Empty),
        global(Method::GET, "/api/v1/notification-rules", Empty),
        global(Method::POST, "/api/v1/notification-rules", RuleJson),
        global(Method::DELETE, "/api/v1/notification-rules/{id}", Empty),
        Route {
            scope: Read,
            ..global(Method::GET, "/api/v1/outbox?state=dead", Empty)
        },
        route(
            Method::POST,
            "/api/v2/import-scan/",
            DojoByName,
            Import,
            true,
        ),
        route(
            Method::POST,
            "/api/v2/import-scan/",
            DojoByEngagement,
            Import,
            true,
        ),
        route(
            Method::POST,
            "/api/v2/reimport-scan/",
            DojoByName,
            Import,
            true,
        ),
        route(
            Method::POST,
            "/api/v2/reimport-scan/",
            DojoByTest,
            Import,
            true,
        ),
        route(Method::POST, "/api/v1/scans", ScanJson, Import, true),
        route(Method::GET, "/api/v1/scans/{id}", Empty, Read, true),
        route(Method::GET, "/api/v1/approvals/{id}", Empty, Read, true),
        route(
            Method::POST,
            "/api/v1/approvals/{id}",
            DecisionJson,
            Triage,
            true,
        ),
        route(
            Method::PUT,
            "/api/v1/products/{product}/policy",
            PolicyToml,
            Admin,
            true,
        ),
        route(
            Method::GET,
            "/api/v1/products/{product}/policy",
            Empty,
            Read,
            true,
        ),
        route(
            Method::DELETE,
            "/api/v1/products/{product}/policy",
            Empty,
            Admin,
            true,
        ),
        // Last: on its own product, the product key deletes product a.
        route(
            Method::DELETE,
            "/api/v1/products/{product}",
            Empty,
            Admin,
            true,
        ),
    ]
}

/// The request of `route` about `product`, with `authorization` as the header value.
fn build(
    route: &Route,
    product: &Product,
    key_id: i64,
    authorization: Option<&str>,
) -> Request<Body> {
    let path = route
        .path
        .replace("{product}", &product.name)
        .replace("{engagement}", "main")
        .replace("{name}", "ops")
        .replace("{test}", &product.test_id.to_string())
        .replace(
            "{id}",
            &if route.path.starts_with("/api/v1/keys") {
                key_id
            } else if route.path.starts_with("/api/v1/scans") {
                product.scan_id
            } else if route.path.starts_with("/api/v1/approvals") {
                product.approval_id
            } else {
                product.finding_id
            }
            .to_string(),
        );
    let mut builder = Request::builder().method(route.method.clone()).uri(path);
    if let Some(value) = authorization {
        builder = builder.header(header::AUTHORIZATION, value);
    }
    let json = |builder: axum::http::request::Builder, value: Value| {
        builder
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(value.to_string()))
            .unwrap()
    };
    let report = corpus("trivy/all_statuses.json");
    let form = |builder: axum::http::request::Builder, fields: &[(&str, &str)]| {
        let (content_type, body) = multipart(fields, Some(("trivy.json", &report)));
        builder
            .header(header::CONTENT_TYPE, content_type)
            .body(Body::from(body))
            .unwrap()
    };
    let engagement_id = product.engagement_id.to_string();
    let test_id = product.test_id.to_string();
    match route.body {
        BodyKind::Empty => builder.body(Body::empty()).unwrap(),
        BodyKind::ProductJson => json(builder, json!({"name": product.name, "team": "changed"})),
        BodyKind::NewProductJson => json(builder, json!({"name": format!("{}-new", product.name)})),
        BodyKind::EngagementJson => json(builder, json!({"name": "another"})),
        BodyKind::Report => builder
            .header(header::CONTENT_TYPE, "application/octet-stream")
            .body(Body::from(report.clone()))
            .unwrap(),
        BodyKind::TriageJson => json(builder, json!({"action": "false_positive", "reason": "r"})),
        BodyKind::BulkTriageJson => json(
            builder,
            json!({"ids": [product.finding_id], "action": "mitigate", "reason": "r"}),
        ),
        BodyKind::KeyJson => json(builder, json!({"name": "k", "scope": "read"})),
        BodyKind::ChannelJson => json(
            builder,
            json!({"name": "ops", "config": {"type": "slack", "url": "http://127.0.0.1:9/x"}}),
        ),
        BodyKind::RuleJson => json(builder, json!({"channel": "ops"})),
        BodyKind::HookJson => json(builder, json!({"secret": "s", "branches": ["main"]})),
        BodyKind::DojoByName => form(
            builder,
            &[
                ("scan_type", "Trivy Scan"),
                ("product_name", &product.name),
                ("engagement_name", "main"),
            ],
        ),
        BodyKind::DojoByEngagement => form(
            builder,
            &[("scan_type", "Trivy Scan"), ("engagement", &engagement_id)],
        ),
        BodyKind::DojoByTest => form(builder, &[("scan_type", "Trivy Scan"), ("test", &test_id)]),
        BodyKind::DecisionJson => json(
            builder,
            json!({"decision": "approve", "reason": "accepted for this release"}),
        ),
        BodyKind::PolicyToml => builder
            .header(header::CONTENT_TYPE, "application/toml")
            .body(Body::from("[[gate.fail]]\nseverity = \"critical\"\n"))
            .unwrap(),
        BodyKind::ScanJson => json(
            builder,
            json!({
                "source": {"archive": {"key": "raw-uploads/tree.tar.gz"}},
                "scanners": ["secrets"],
                "product": product.name,
                "engagement": "main",
            }),
        ),
    }
}

async fn product(env: &Env, name: &str) -> Product {
    let imported = env
        .import(name, "main", "", &corpus("trivy/all_statuses.json"))
        .await;
    let (_, page) = env
        .get(
            &format!("/api/v1/findings?product={name}&limit=1&sort=id"),
            &env.admin,
        )
        .await;
    let product_id = env.store.product_by_name(name).await.unwrap().unwrap().id;
    let hook = ward_store::ProductHook {
        secret: "v1:x:y".into(),
        branches: vec!["main".into()],
        scanners: None,
        git_token: None,
    };
    env.store.set_product_hook(product_id, &hook).await.unwrap();
    let (status, scan) = env
        .json(
            Method::POST,
            "/api/v1/scans",
            &env.admin,
            json!({
                "source": {"url": {"url": "http://127.0.0.1:9/"}},
                "scanners": ["zap-baseline"],
                "product": name,
                "engagement": "main",
            }),
        )
        .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{scan}");
    let (status, gate) = env
        .raw(
            Method::POST,
            &format!("/api/v1/products/{name}/engagements/main/gate"),
            &env.admin,
            b"[gate]\nrequire_approval = true\n[[gate.fail]]\nseverity = \"low\"\n".to_vec(),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{gate}");
    Product {
        approval_id: gate["approval"]["id"].as_i64().unwrap(),
        scan_id: scan["id"].as_i64().unwrap(),
        name: name.to_string(),
        engagement_id: imported["engagement"]["id"].as_i64().unwrap(),
        test_id: imported["test"]["id"].as_i64().unwrap(),
        finding_id: page["findings"][0]["id"].as_i64().unwrap(),
    }
}

/// Everything stored about product B, to compare before and after.
async fn snapshot(env: &Env, name: &str) -> Value {
    let (_, product) = env
        .get(&format!("/api/v1/products/{name}"), &env.admin)
        .await;
    let (_, engagements) = env
        .get(&format!("/api/v1/products/{name}/engagements"), &env.admin)
        .await;
    let (_, tests) = env
        .get(
            &format!("/api/v1/products/{name}/engagements/main/tests"),
            &env.admin,
        )
        .await;
    let findings: Vec<Value> = env
        .findings(name)
        .await
        .into_iter()
        .map(|f| json!([f["id"], f["status"], f["last_seen"]]))
        .collect();
    json!({"product": product, "engagements": engagements, "tests": tests, "findings": findings})
}

/// The scope just below `scope`.
fn below(scope: Scope) -> Option<Scope> {
    Scope::ALL.into_iter().rev().find(|s| *s < scope)
}

async fn every_route_checks_keys(env: Env) {
    let a = product(&env, "a").await;
    let b = product(&env, "b").await;
    let a_admin = env.key(Scope::Admin, Some(&["a"])).await;
    let revoked = env.key(Scope::Admin, None).await;
    let revoked_id = env.store.list_api_keys().await.unwrap().last().unwrap().id;
    env.store.revoke_api_key(revoked_id).await.unwrap();
    // The key the key routes name (they are refused throughout: no key is revoked).
    env.key(Scope::Read, None).await;
    let spare_id = env
        .store
        .list_api_keys()
        .await
        .unwrap()
        .last()
        .unwrap()
        .id
        .0;
    let before = snapshot(&env, "b").await;

    for route in routes() {
        let what = format!("{} {} ({:?})", route.method, route.path, route.body);
        // No key, a malformed header, a revoked key.
        for authorization in [
            None,
            Some("Basic YTpi".to_string()),
            Some(format!("Bearer {revoked}")),
        ] {
            let (status, body) = env
                .send(build(&route, &b, spare_id, authorization.as_deref()))
                .await;
            assert_eq!(
                status,
                StatusCode::UNAUTHORIZED,
                "{what} with {authorization:?}: {body}"
            );
        }
        // One scope too few.
        if let Some(lower) = below(route.scope) {
            let key = env.key(lower, None).await;
            let (status, body) = env
                .send(build(&route, &b, spare_id, Some(&format!("Bearer {key}"))))
                .await;
            assert_eq!(
                status,
                StatusCode::FORBIDDEN,
                "{what} with scope {lower}: {body}"
            );
        }
        // Product A's admin key, on product B.
        let (status, body) = env
            .send(build(
                &route,
                &b,
                spare_id,
                Some(&format!("Token {a_admin}")),
            ))
            .await;
        if route.global {
            assert_eq!(status, StatusCode::FORBIDDEN, "{what}: {body}");
        } else if route.product {
            assert!(
                status == StatusCode::FORBIDDEN || status == StatusCode::NOT_FOUND,
                "{what}: a key for product a got {status} on product b: {body}"
            );
        } else {
            assert_eq!(status, StatusCode::OK, "{what}: {body}");
            assert!(
                !mentions_product(&body, &b),
                "{what}: a key for a sees b: {body}"
            );
        }
        // ... and on its own product it is allowed (so the refusal above was about B).
        if !route.global {
            let request = {
                let mut r = build(&route, &a, spare_id, None);
                r.headers_mut()
                    .insert("x-api-key", a_admin.parse().unwrap());
                r
            };
            let (status, body) = env.send(request).await;
            assert!(
                status.is_success(),
                "{what}: a key for a on a got {status}: {body}"
            );
        }
    }
    assert_eq!(snapshot(&env, "b").await, before, "product b changed");
}

/// Whether a reply mentions product B (its name as a product, or its findings).
fn mentions_product(body: &Value, b: &Product) -> bool {
    let text = body.to_string();
    text.contains("\"name\":\"b\"")
        || body["findings"]
            .as_array()
            .is_some_and(|f| f.iter().any(|f| f["id"] == b.finding_id))
        || body["total"].as_u64().is_some_and(|n| n > 8)
}

/// Every route of the OpenAPI document has a row in the table (and the reverse).
async fn the_table_covers_every_route(env: Env) {
    let (status, document) = env.get("/openapi.json", &env.admin).await;
    assert_eq!(status, StatusCode::OK);
    let mut documented = BTreeSet::new();
    for (path, item) in document["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            documented.insert((method.to_uppercase(), path.clone()));
        }
    }
    let tabled: BTreeSet<(String, String)> = routes()
        .iter()
        .map(|r| {
            let path = r.path.split('?').next().unwrap().to_string();
            (r.method.to_string(), path)
        })
        .collect();
    assert_eq!(documented, tabled);
}

crate::on_both_backends!(every_route_checks_keys, the_table_covers_every_route);
