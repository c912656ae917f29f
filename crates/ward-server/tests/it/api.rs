//! The native API: products, engagements and tests; imports; finding queries, detail,
//! triage and counts; gate verdicts; bad input answered 4xx naming the field.

use axum::http::{Method, StatusCode};
use serde_json::{json, Value};

use crate::common::{corpus, Env};

async fn products_and_engagements(env: Env) {
    let key = &env.admin;
    let (status, created) = env
        .json(
            Method::POST,
            "/api/v1/products",
            key,
            json!({"name": "shop", "team": "payments", "tags": ["pci"], "description": "the shop"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_eq!(created["team"], "payments");
    assert_eq!(created["tags"], json!(["pci"]));

    let (status, body) = env
        .json(
            Method::POST,
            "/api/v1/products",
            key,
            json!({"name": "shop"}),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");

    let (status, body) = env
        .json(Method::POST, "/api/v1/products", key, json!({"team": "x"}))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["field"], "name", "{body}");

    let (status, body) = env
        .json(
            Method::POST,
            "/api/v1/products",
            key,
            json!({"name": "x", "colour": "red"}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        body["message"].as_str().unwrap().contains("colour"),
        "{body}"
    );

    let (status, updated) = env
        .json(
            Method::PUT,
            "/api/v1/products/shop",
            key,
            json!({"name": "shop", "team": "checkout", "tags": ["pci", "web"],
                   "sla": {"critical": 3, "high": 14, "medium": null, "low": null, "info": null}}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{updated}");
    assert_eq!(updated["team"], "checkout");
    assert_eq!(updated["sla"]["critical"], 3);

    let (status, list) = env.get("/api/v1/products", key).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(list.as_array().unwrap().len(), 1);

    let (status, engagement) = env
        .json(
            Method::POST,
            "/api/v1/products/shop/engagements",
            key,
            json!({"name": "release-1.0", "description": "the first release"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{engagement}");
    let (status, got) = env
        .get("/api/v1/products/shop/engagements/release-1.0", key)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(got["id"], engagement["id"]);
    let (status, engagements) = env.get("/api/v1/products/shop/engagements", key).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(engagements.as_array().unwrap().len(), 1);

    let (status, body) = env.get("/api/v1/products/nope", key).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    let (status, body) = env.get("/api/v1/products/shop/engagements/nope", key).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    let (status, body) = env.get("/api/v1/tests/abc", key).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");

    // Names with spaces and slashes travel percent-encoded.
    let (status, _) = env
        .json(
            Method::POST,
            "/api/v1/products",
            key,
            json!({"name": "team a/web app"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, got) = env.get("/api/v1/products/team%20a%2Fweb%20app", key).await;
    assert_eq!(status, StatusCode::OK, "{got}");
}

async fn native_imports(env: Env) {
    let trivy = corpus("trivy/all_statuses.json");
    // Raw body, format detected, product and engagement created.
    let first = env.import("shop", "main", "", &trivy).await;
    assert_eq!(first["format"], "trivy");
    assert_eq!(first["test_created"], true);
    assert_eq!(first["new"], 8);
    assert_eq!(first["test"]["scan_type"], "Trivy Scan");

    // Reimport (the default) updates the same test.
    let again = env.import("shop", "main", "", &trivy).await;
    assert_eq!(again["test"]["id"], first["test"]["id"]);
    assert_eq!(
        (again["new"].clone(), again["unchanged"].clone()),
        (json!(0), json!(8))
    );

    // mode=import makes a new test; the findings stay deduplicated.
    let separate = env.import("shop", "main", "&mode=import", &trivy).await;
    assert_ne!(separate["test"]["id"], first["test"]["id"]);
    assert_eq!(env.findings("shop").await.len(), 8);

    // Multipart with a `file` field, format named, minimum severity, build metadata.
    let medium_high = corpus("trivy/cvss_severity_source.json");
    let (content_type, body) = crate::common::multipart(&[], Some(("deps.json", &medium_high)));
    let (status, reply) = env
        .send(
            crate::common::request(
                Method::POST,
                "/api/v1/products/shop/engagements/deps/imports?auto_create=true&format=trivy&min_severity=high&version=2.0&branch=main&commit=abc&tags=a,b",
                Some(&env.admin),
            )
            .header("content-type", content_type)
            .body(axum::body::Body::from(body))
            .unwrap(),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{reply}");
    assert_eq!(reply["format"], "trivy");
    assert_eq!(reply["new"], 1);
    assert_eq!(reply["below_minimum"], 1);
    assert_eq!(reply["test"]["version"], "2.0");
    assert_eq!(reply["test"]["tags"], json!(["a", "b"]));

    // The engagement's tests, oldest first.
    let (status, tests) = env
        .get("/api/v1/products/shop/engagements/main/tests", &env.admin)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(tests.as_array().unwrap().len(), 2);

    // Bad requests name the parameter or say what is wrong with the report.
    let path = "/api/v1/products/shop/engagements/main/imports";
    let (status, body) = env
        .raw(
            Method::POST,
            &format!("{path}?format=nosuch"),
            &env.admin,
            trivy.clone(),
        )
        .await;
    assert_eq!(
        (status, body["field"].clone()),
        (StatusCode::BAD_REQUEST, json!("format"))
    );
    let (status, body) = env
        .raw(
            Method::POST,
            &format!("{path}?mode=sometimes"),
            &env.admin,
            trivy.clone(),
        )
        .await;
    assert_eq!(
        (status, body["field"].clone()),
        (StatusCode::BAD_REQUEST, json!("mode"))
    );
    let (status, body) = env
        .raw(
            Method::POST,
            &format!("{path}?auto_create=maybe"),
            &env.admin,
            trivy.clone(),
        )
        .await;
    assert_eq!(
        (status, body["field"].clone()),
        (StatusCode::BAD_REQUEST, json!("auto_create")),
        "{body}"
    );
    let (status, body) = env
        .raw(
            Method::POST,
            &format!("{path}?colour=red"),
            &env.admin,
            trivy.clone(),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    let (status, body) = env
        .raw(Method::POST, path, &env.admin, b"hello, world".to_vec())
        .await;
    assert_eq!(
        (status, body["field"].clone()),
        (StatusCode::BAD_REQUEST, json!("file")),
        "{body}"
    );
    let (status, body) = env
        .raw(
            Method::POST,
            "/api/v1/products/shop/engagements/other/imports",
            &env.admin,
            trivy.clone(),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");

    // Over the report limit (8 MiB in tests): 413, nothing stored.
    let huge = vec![b' '; 9 << 20];
    let (status, body) = env.raw(Method::POST, path, &env.admin, huge).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{body}");
    assert_eq!(body["code"], "too_large");
}

/// Seeds a product with Trivy findings (8 low container findings, one mitigated, in `main`;
/// a medium and a high dependency finding in `deps`) and 3 high gitleaks secrets (`feature`).
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
    env.import(
        "shop",
        "feature",
        "",
        &corpus("gitleaks/gitleaks8_many.json"),
    )
    .await;
}

fn ids(page: &Value) -> Vec<i64> {
    page["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].as_i64().unwrap())
        .collect()
}

async fn finding_queries(env: Env) {
    seed(&env).await;
    let key = &env.admin;
    let count = |query: &'static str| {
        let env = &env;
        async move {
            let (status, body) = env.get(&format!("/api/v1/findings?{query}"), key).await;
            assert_eq!(status, StatusCode::OK, "{query}: {body}");
            body["findings"].as_array().unwrap().len()
        }
    };
    assert_eq!(count("product=shop").await, 13);
    assert_eq!(count("product=shop&engagement=feature").await, 3);
    assert_eq!(count("severity=high,medium").await, 5);
    assert_eq!(count("min_severity=medium&category=dependency").await, 2);
    assert_eq!(count("category=secret").await, 3);
    assert_eq!(count("status=mitigated").await, 1);
    assert_eq!(count("status=open,mitigated").await, 13);
    assert_eq!(count("tool=Trivy").await, 10);
    assert_eq!(count("cve=cve-2018-12934").await, 1);
    assert_eq!(count("q=BINUTILS").await, 5);
    assert_eq!(count("max_age_days=1").await, 13);
    assert_eq!(count("min_age_days=1").await, 0);
    assert_eq!(count("first_seen_after=2000-01-01").await, 13);
    assert_eq!(count("first_seen_before=2000-01-01T00:00:00Z").await, 0);
    assert_eq!(count("sla_breached=true").await, 0);
    assert_eq!(count("product=shop&engagement=main&verified=true").await, 6);

    // Cursor pagination: pages of 5 cover everything once, in order.
    let mut seen = Vec::new();
    let mut path = "/api/v1/findings?product=shop&limit=5&sort=-first_seen".to_string();
    loop {
        let (status, page) = env.get(&path, key).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        seen.extend(ids(&page));
        let Some(cursor) = page["next_cursor"].as_str() else {
            break;
        };
        path = format!("/api/v1/findings?product=shop&limit=5&sort=-first_seen&cursor={cursor}");
    }
    let mut unique = seen.clone();
    unique.sort();
    unique.dedup();
    assert_eq!((seen.len(), unique.len()), (13, 13));

    // Severity first by default; a summary unless `full=true`.
    let (_, page) = env.get("/api/v1/findings?limit=1", key).await;
    let first = &page["findings"][0];
    assert_eq!(first["severity"], "high");
    assert!(
        first.get("finding").is_none() && first["location"].is_object(),
        "{first}"
    );
    let (_, page) = env.get("/api/v1/findings?limit=1&full=true", key).await;
    assert_eq!(page["findings"][0]["finding"]["severity"], "high");

    // Bad parameters are named.
    for (query, field) in [
        ("limit=0", "limit"),
        ("limit=5000", "limit"),
        ("severity=urgent", "severity"),
        ("min_severity=urgent", "min_severity"),
        ("category=magic", "category"),
        ("status=done", "status"),
        ("sort=title", "sort"),
        ("first_seen_after=yesterday", "first_seen_after"),
        ("engagement=main", "engagement"),
        ("active=perhaps", "active"),
        ("cve=CVE-1&cwe=CWE-2", "cwe"),
    ] {
        let (status, body) = env.get(&format!("/api/v1/findings?{query}"), key).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{query}: {body}");
        assert_eq!(body["field"], field, "{query}: {body}");
    }
    let (status, body) = env.get("/api/v1/findings?cursor=garbage", key).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");

    // Counts for dashboards.
    let (status, counts) = env.get("/api/v1/counts?product=shop", key).await;
    assert_eq!(status, StatusCode::OK, "{counts}");
    assert_eq!(counts["total"], 13);
    assert_eq!(counts["by_category"]["secret"], 3);
    assert_eq!(counts["by_status"]["mitigated"], 1);
    assert_eq!(counts["by_severity"]["high"], 4);

    // A product named in the filter is looked up only when nothing matched: an unknown one
    // is a 404 for lists and counts, a known one with no match an empty page.
    for path in [
        "/api/v1/findings?product=nope",
        "/api/v1/counts?product=nope",
    ] {
        let (status, body) = env.get(path, key).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}: {body}");
    }
    let (status, empty) = env
        .get("/api/v1/findings?product=shop&q=no-such-finding-text", key)
        .await;
    assert_eq!(status, StatusCode::OK, "{empty}");
    assert_eq!(empty["findings"].as_array().map(Vec::len), Some(0));
}

async fn detail_and_triage(env: Env) {
    let trivy = corpus("trivy/all_statuses.json");
    env.import("shop", "main", "", &trivy).await;
    env.import("shop", "release", "", &trivy).await;
    let key = &env.admin;
    let (_, page) = env
        .get(
            "/api/v1/findings?product=shop&status=open&limit=3&sort=id",
            key,
        )
        .await;
    let found = ids(&page);
    let (first, second, third) = (found[0], found[1], found[2]);

    // Detail: both engagements' reports saw it.
    let (status, detail) = env.get(&format!("/api/v1/findings/{first}"), key).await;
    assert_eq!(status, StatusCode::OK, "{detail}");
    assert_eq!(detail["sources"].as_array().unwrap().len(), 2);
    assert_eq!(detail["finding"]["tool"], "Trivy");

    // A status change needs a reason.
    let triage = format!("/api/v1/findings/{first}/triage");
    let (status, body) = env
        .json(
            Method::POST,
            &triage,
            key,
            json!({"action": "false_positive"}),
        )
        .await;
    assert_eq!(
        (status, body["field"].clone()),
        (StatusCode::BAD_REQUEST, json!("reason"))
    );
    let (status, body) = env
        .json(
            Method::POST,
            &triage,
            key,
            json!({"action": "explode", "reason": "x"}),
        )
        .await;
    assert_eq!(
        (status, body["field"].clone()),
        (StatusCode::BAD_REQUEST, json!("action"))
    );
    let (status, body) = env
        .json(
            Method::POST,
            &triage,
            key,
            json!({"action": "false_positive", "reason": "test fixture, not shipped"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["changed"], json!([first]));

    // Risk accepted until a date; assignment; bulk mitigation.
    let (status, body) = env
        .json(
            Method::POST,
            &format!("/api/v1/findings/{second}/triage"),
            key,
            json!({"action": "accept_risk", "reason": "vendor fix due", "until": "2099-01-01"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = env
        .json(
            Method::POST,
            &format!("/api/v1/findings/{third}/triage"),
            key,
            json!({"action": "assign", "assignee": "ana"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = env
        .json(
            Method::POST,
            "/api/v1/findings/triage",
            key,
            json!({"ids": [third], "action": "mitigate", "reason": "patched in 1.2"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = env
        .json(
            Method::POST,
            "/api/v1/findings/triage",
            key,
            json!({"ids": [third, 999999], "action": "reopen", "reason": "x"}),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    let (status, body) = env
        .json(
            Method::POST,
            "/api/v1/findings/triage",
            key,
            json!({"ids": [], "action": "reopen", "reason": "x"}),
        )
        .await;
    assert_eq!(
        (status, body["field"].clone()),
        (StatusCode::BAD_REQUEST, json!("ids"))
    );

    let (_, detail) = env.get(&format!("/api/v1/findings/{third}"), key).await;
    assert_eq!(detail["status"], "mitigated");
    assert_eq!(detail["assignee"], "ana");
    let history = detail["history"].as_array().unwrap();
    let last = history.last().unwrap();
    assert_eq!(last["to"], "mitigated");
    assert_eq!(last["reason"], "patched in 1.2");
    assert_eq!(last["actor"], "key:admin");

    // A reimport keeps the false positive suppressed and the acceptance in place; the
    // mitigated finding is still reported, so it reopens.
    env.import("shop", "main", "", &trivy).await;
    let status_of = |id: i64| {
        let env = &env;
        async move { env.get(&format!("/api/v1/findings/{id}"), key).await.1["status"].clone() }
    };
    assert_eq!(status_of(first).await, "false_positive");
    assert_eq!(status_of(second).await, "accepted");
    assert_eq!(status_of(third).await, "open");
    let (_, detail) = env.get(&format!("/api/v1/findings/{second}"), key).await;
    assert!(detail["risk_accepted_until"]
        .as_str()
        .unwrap()
        .starts_with("2099-01-01"));
}

async fn gate_verdicts(env: Env) {
    env.import("shop", "main", "", &corpus("gitleaks/gitleaks8_many.json"))
        .await;
    env.import(
        "shop",
        "feature",
        "",
        &corpus("gitleaks/gitleaks8_many.json"),
    )
    .await;
    let key = &env.admin;
    let path = "/api/v1/products/shop/engagements/main/gate";
    // The default policy: a high finding fails.
    let (status, verdict) = env.raw(Method::POST, path, key, Vec::new()).await;
    assert_eq!(status, StatusCode::OK, "{verdict}");
    assert_eq!(verdict["passed"], false);
    assert_eq!(verdict["violations"][0]["count"], 3);
    // A policy that allows it.
    let policy = b"[[gate.fail]]\nseverity = \"critical\"\n".to_vec();
    let (status, verdict) = env.raw(Method::POST, path, key, policy).await;
    assert_eq!(status, StatusCode::OK, "{verdict}");
    assert_eq!(verdict["passed"], true);
    assert_eq!(verdict["counted"], 3);
    // new_only against another engagement: nothing is new.
    let policy = b"[gate]\nnew_only = true\n".to_vec();
    let (status, verdict) = env
        .raw(
            Method::POST,
            &format!("{path}?baseline_engagement=feature"),
            key,
            policy,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{verdict}");
    assert_eq!(
        (verdict["passed"].clone(), verdict["in_baseline"].clone()),
        (json!(true), json!(3))
    );
    // A broken policy names its line.
    let policy = b"[gate]\nnew_only = true\nbogus = 1\n".to_vec();
    let (status, body) = env.raw(Method::POST, path, key, policy).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["field"], "policy");
    assert!(
        body["message"].as_str().unwrap().contains("line 3"),
        "{body}"
    );
}

async fn keys_admin(env: Env) {
    let key = &env.admin;
    let (status, created) = env
        .json(
            Method::POST,
            "/api/v1/keys",
            key,
            json!({"name": "ci", "scope": "import", "products": ["shop"]}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let secret = created["secret"].as_str().unwrap().to_string();
    assert!(secret.starts_with("ward_"));
    assert_eq!(created["scope"], "import");
    let (status, body) = env
        .json(
            Method::POST,
            "/api/v1/keys",
            key,
            json!({"name": "x", "scope": "root"}),
        )
        .await;
    assert_eq!(
        (status, body["field"].clone()),
        (StatusCode::BAD_REQUEST, json!("scope"))
    );

    let (status, list) = env.get("/api/v1/keys", key).await;
    assert_eq!(status, StatusCode::OK);
    let listed = list.as_array().unwrap();
    assert_eq!(listed.len(), 2);
    assert!(
        !list.to_string().contains(&secret),
        "a listing never holds a key"
    );

    // The new key works, until it is revoked.
    let (status, _) = env.get("/api/v1/products", &secret).await;
    assert_eq!(status, StatusCode::OK);
    let id = created["id"].as_i64().unwrap();
    let (status, _) = env
        .send(
            crate::common::request(Method::DELETE, &format!("/api/v1/keys/{id}"), Some(key))
                .body(axum::body::Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, body) = env.get("/api/v1/products", &secret).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
}

crate::on_both_backends!(
    products_and_engagements,
    native_imports,
    finding_queries,
    detail_and_triage,
    gate_verdicts,
    keys_admin,
);
