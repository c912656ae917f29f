//! The DefectDojo-compatible routes: the import-scan contract field by field, reimport
//! semantics, and errors in Django REST framework's shapes.

use axum::http::StatusCode;
use serde_json::{json, Value};

use crate::common::{corpus, Env};

const IMPORT: &str = "/api/v2/import-scan/";
const REIMPORT: &str = "/api/v2/reimport-scan/";

fn token(key: &str) -> String {
    format!("Token {key}")
}

/// DefectDojo's status fields of one `statistics` row, in its order.
const STATUS_FIELDS: [&str; 8] = [
    "active",
    "verified",
    "duplicate",
    "false_p",
    "out_of_scope",
    "is_mitigated",
    "risk_accepted",
    "total",
];

fn assert_statistics_shape(stats: &Value) {
    for severity in ["info", "low", "medium", "high", "critical", "total"] {
        for field in STATUS_FIELDS {
            assert!(
                stats[severity][field].is_u64(),
                "statistics.{severity}.{field} in {stats}"
            );
        }
    }
}

/// The import-scan request a pipeline sends, every documented field given, and the reply
/// checked field by field against DefectDojo's `ImportScanSerializer`.
async fn import_scan_contract(env: Env) {
    let report = corpus("trivy/all_statuses.json");
    let fields = [
        ("scan_type", "Trivy Scan"),
        ("product_type_name", "platform team"),
        ("product_name", "shop"),
        ("engagement_name", "main"),
        ("auto_create_context", "true"),
        ("minimum_severity", "Info"),
        ("active", "true"),
        ("verified", "false"),
        ("close_old_findings", "false"),
        ("close_old_findings_product_scope", "false"),
        ("tags", "pipeline,nightly"),
        ("scan_date", "2024-03-01"),
        ("test_title", "container image"),
        ("engagement_end_date", "2024-12-31"),
        ("deduplication_on_engagement", "false"),
        ("push_to_jira", "false"),
        ("environment", "Production"),
        ("version", "1.4.2"),
        ("branch_tag", "main"),
        ("commit_hash", "0123abcd"),
        ("build_id", "4242"),
        ("service", "checkout"),
        ("group_by", "component_name"),
        ("apply_tags_to_findings", "true"),
        ("create_finding_groups_for_all_findings", "true"),
        ("source_code_management_uri", "https://git.example.com/shop"),
    ];
    let (status, reply) = env
        .form(
            IMPORT,
            &token(&env.admin),
            &fields,
            Some(("trivy.json", &report)),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{reply}");

    // The reply, field by field: (field, expected value; `Value::Null` = any integer id).
    let test_id = reply["test_id"].as_i64().expect("test_id is an integer");
    let contract: Vec<(&str, Value)> = vec![
        ("test", json!(test_id)),
        ("test_id", json!(test_id)),
        ("engagement_id", Value::Null),
        ("product_id", Value::Null),
        ("product_type_id", Value::Null),
        ("scan_type", json!("Trivy Scan")),
        ("minimum_severity", json!("Info")),
        ("active", json!(true)),
        ("verified", json!(false)),
        ("file", Value::Null),
        ("product_type_name", json!("platform team")),
        ("product_name", json!("shop")),
        ("engagement_name", json!("main")),
        ("engagement_end_date", json!("2024-12-31")),
        (
            "source_code_management_uri",
            json!("https://git.example.com/shop"),
        ),
        ("test_title", json!("container image")),
        ("auto_create_context", json!(true)),
        ("deduplication_on_engagement", json!(false)),
        ("lead", Value::Null),
        ("tags", json!(["pipeline", "nightly"])),
        ("close_old_findings", json!(false)),
        ("close_old_findings_product_scope", json!(false)),
        ("push_to_jira", json!(false)),
        ("environment", json!("Production")),
        ("version", json!("1.4.2")),
        ("build_id", json!("4242")),
        ("branch_tag", json!("main")),
        ("commit_hash", json!("0123abcd")),
        ("service", json!("checkout")),
        ("api_scan_configuration", Value::Null),
        ("endpoint_to_add", Value::Null),
        ("group_by", json!("component_name")),
        ("create_finding_groups_for_all_findings", json!(true)),
        ("apply_tags_to_findings", json!(true)),
        ("apply_tags_to_endpoints", json!(false)),
        ("scan_date", json!("2024-03-01")),
    ];
    for (field, expected) in &contract {
        let got = reply
            .get(*field)
            .unwrap_or_else(|| panic!("reply has no `{field}`: {reply}"));
        match (field, expected) {
            (&"engagement_id" | &"product_id", Value::Null) => {
                assert!(got.is_i64(), "`{field}` is an integer id: {got}")
            }
            _ => assert_eq!(got, expected, "`{field}`"),
        }
    }
    // Without the trailing slash, the same route.
    let (status, again) = env
        .form(
            "/api/v2/import-scan",
            &token(&env.admin),
            &fields,
            Some(("trivy.json", &report)),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{again}");
    // Import-scan answers only `after`, as DefectDojo does for a new test.
    let statistics = &reply["statistics"];
    assert!(statistics.get("before").is_none() && statistics.get("delta").is_none());
    assert_statistics_shape(&statistics["after"]);
    // all_statuses.json: 8 findings, all low, one of them fixed upstream (mitigated).
    assert_eq!(statistics["after"]["total"]["total"], 8);
    assert_eq!(statistics["after"]["low"]["total"], 8);
    assert_eq!(statistics["after"]["total"]["is_mitigated"], 1);
    assert_eq!(statistics["after"]["total"]["active"], 7);

    // What landed: the test's metadata, the product's team, the tags on findings.
    let (status, test) = env
        .get(&format!("/api/v1/tests/{test_id}"), &env.admin)
        .await;
    assert_eq!(status, StatusCode::OK, "{test}");
    assert_eq!(test["title"], "container image");
    assert_eq!(test["scan_type"], "Trivy Scan");
    assert_eq!(test["format"], "trivy");
    assert_eq!(test["version"], "1.4.2");
    assert_eq!(test["branch_tag"], "main");
    assert_eq!(test["commit_hash"], "0123abcd");
    assert_eq!(test["build_id"], "4242");
    assert_eq!(test["tags"], json!(["nightly", "pipeline"]));
    assert!(test["scan_date"]
        .as_str()
        .unwrap()
        .starts_with("2024-03-01"));
    let (_, product) = env.get("/api/v1/products/shop", &env.admin).await;
    assert_eq!(product["team"], "platform team");
    let findings = env.findings("shop").await;
    assert_eq!(findings.len(), 8);
    assert!(findings.iter().all(|f| f["finding"]["tags"]
        .as_array()
        .unwrap()
        .contains(&json!("nightly"))));
}

/// Reimport keeps what is unchanged, closes what vanished (close_old_findings defaults to
/// true there), reopens what returns, and reports before and after.
async fn reimport_lifecycle(env: Env) {
    let key = token(&env.admin);
    let full = corpus("trivy/all_statuses.json");
    let mut partial: Value = serde_json::from_slice(&full).unwrap();
    // Two open findings vanish from the report.
    for result in partial["Results"].as_array_mut().unwrap() {
        if let Some(vulnerabilities) = result["Vulnerabilities"].as_array_mut() {
            vulnerabilities.retain(|v| {
                !["CVE-2011-3374", "TEMP-0841856-B18BAF"]
                    .contains(&v["VulnerabilityID"].as_str().unwrap())
            });
        }
    }
    let partial = serde_json::to_vec(&partial).unwrap();
    let fields = [
        ("scan_type", "Trivy Scan"),
        ("product_name", "shop"),
        ("engagement_name", "ci"),
        ("auto_create_context", "true"),
    ];

    // First reimport into nothing: auto_create_context makes the test, like an import.
    let (status, first) = env
        .form(REIMPORT, &key, &fields, Some(("t.json", &full)))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{first}");
    assert!(first["statistics"].get("before").is_none());
    assert!(first["statistics"].get("delta").is_none());
    let test_id = first["test_id"].clone();

    // The same report again: same test, nothing new, before = after.
    let (status, again) = env
        .form(REIMPORT, &key, &fields, Some(("t.json", &full)))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{again}");
    assert_eq!(again["test_id"], test_id);
    assert_statistics_shape(&again["statistics"]["before"]);
    assert_eq!(again["statistics"]["before"], again["statistics"]["after"]);
    // delta: everything untouched, in DefectDojo's four lists.
    let delta = &again["statistics"]["delta"];
    for list in ["created", "closed", "reactivated", "untouched"] {
        assert_statistics_shape(&delta[list]);
    }
    assert_eq!(delta["untouched"]["total"]["total"], 8, "{again}");
    assert_eq!(delta["created"]["total"]["total"], 0);
    assert_eq!(env.findings("shop").await.len(), 8);

    // Two findings vanish: closed as mitigated.
    let (status, smaller) = env
        .form(REIMPORT, &key, &fields, Some(("t.json", &partial)))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{smaller}");
    let after = &smaller["statistics"]["after"]["total"];
    assert_eq!(after["total"], 8);
    assert_eq!(after["is_mitigated"], 3, "{smaller}");
    assert_eq!(after["active"], 5);
    let delta = &smaller["statistics"]["delta"];
    assert_eq!(delta["closed"]["total"]["total"], 2, "{smaller}");
    assert_eq!(delta["closed"]["total"]["is_mitigated"], 2);
    assert_eq!(delta["untouched"]["total"]["total"], 6);

    // They come back: reopened.
    let (status, back) = env
        .form(REIMPORT, &key, &fields, Some(("t.json", &full)))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{back}");
    assert_eq!(back["statistics"]["after"]["total"]["active"], 7);
    assert_eq!(back["statistics"]["after"]["total"]["is_mitigated"], 1);
    let delta = &back["statistics"]["delta"];
    assert_eq!(delta["reactivated"]["total"]["total"], 2, "{back}");
    assert_eq!(delta["reactivated"]["total"]["active"], 2);
    let mitigated: Vec<Value> = env
        .findings("shop")
        .await
        .into_iter()
        .filter(|f| f["status"] == "mitigated")
        .collect();
    assert_eq!(mitigated.len(), 1);

    // close_old_findings=false keeps vanished findings open.
    let mut fields_keep = fields.to_vec();
    fields_keep.push(("close_old_findings", "false"));
    let (status, kept) = env
        .form(REIMPORT, &key, &fields_keep, Some(("t.json", &partial)))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{kept}");
    assert_eq!(kept["statistics"]["after"]["total"]["active"], 7);

    // do_not_reactivate: the two vanish (closed), come back, and stay mitigated.
    env.form(REIMPORT, &key, &fields, Some(("t.json", &partial)))
        .await;
    let mut fields_stay = fields.to_vec();
    fields_stay.push(("do_not_reactivate", "true"));
    let (status, stay) = env
        .form(REIMPORT, &key, &fields_stay, Some(("t.json", &full)))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{stay}");
    assert_eq!(stay["do_not_reactivate"], true);
    assert_eq!(
        stay["statistics"]["delta"]["reactivated"]["total"]["total"],
        0
    );
    assert_eq!(
        stay["statistics"]["after"]["total"]["is_mitigated"], 3,
        "{stay}"
    );
    // A plain reimport reopens them again.
    let (_, reopened) = env
        .form(REIMPORT, &key, &fields, Some(("t.json", &full)))
        .await;
    assert_eq!(reopened["statistics"]["after"]["total"]["active"], 7);

    // Reimport by test id lands in that test.
    let id = test_id.as_i64().unwrap().to_string();
    let by_id = [("scan_type", "Trivy Scan"), ("test", id.as_str())];
    let (status, reply) = env
        .form(REIMPORT, &key, &by_id, Some(("t.json", &full)))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{reply}");
    assert_eq!(reply["test_id"], test_id);
}

/// Moved lines keep their findings: DefectDojo's own pair of Semgrep reports whose only
/// difference is the line of the finding.
async fn moved_lines_are_the_same_findings(env: Env) {
    let key = token(&env.admin);
    let fields = [
        ("scan_type", "Semgrep JSON Report"),
        ("product_name", "api"),
        ("engagement_name", "main"),
        ("auto_create_context", "true"),
    ];
    let before = corpus("semgrep/semgrep_version_1_30_0_line_26.json");
    let after = corpus("semgrep/semgrep_version_1_30_0_line_27.json");
    let (status, first) = env
        .form(REIMPORT, &key, &fields, Some(("s.json", &before)))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{first}");
    let n = env.findings("api").await.len();
    assert!(n > 0);
    let (status, second) = env
        .form(REIMPORT, &key, &fields, Some(("s.json", &after)))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{second}");
    assert_eq!(env.findings("api").await.len(), n);
    assert_eq!(second["statistics"]["after"]["total"]["is_mitigated"], 0);
}

/// Import-scan by engagement id, and a second import-scan of the same report: a new test,
/// the same findings (deduplicated within the product).
async fn import_by_engagement_id(env: Env) {
    let key = token(&env.admin);
    let report = corpus("gitleaks/gitleaks8_many.json");
    let named = [
        ("scan_type", "Gitleaks Scan"),
        ("product_name", "repo"),
        ("engagement_name", "main"),
        ("auto_create_context", "true"),
    ];
    let (status, first) = env
        .form(IMPORT, &key, &named, Some(("g.json", &report)))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{first}");
    let engagement = first["engagement_id"].as_i64().unwrap().to_string();
    let by_id = [
        ("scan_type", "Gitleaks Scan"),
        ("engagement", engagement.as_str()),
    ];
    let (status, second) = env
        .form(IMPORT, &key, &by_id, Some(("g.json", &report)))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{second}");
    assert_ne!(second["test_id"], first["test_id"]);
    assert_eq!(second["engagement_id"], first["engagement_id"]);
    assert_eq!(env.findings("repo").await.len(), 3);
}

/// Bad requests are answered as Django REST framework answers them.
async fn errors_have_defectdojo_shapes(env: Env) {
    let key = token(&env.admin);
    let report = corpus("trivy/all_statuses.json");
    let base = [
        ("product_name", "shop"),
        ("engagement_name", "main"),
        ("auto_create_context", "true"),
    ];
    let with = |extra: &[(&'static str, &'static str)]| {
        let mut fields: Vec<(&str, &str)> = base.to_vec();
        fields.extend_from_slice(extra);
        fields
    };
    let file = Some(("r.json", report.as_slice()));

    let (status, body) = env
        .form(IMPORT, &key, &with(&[("scan_type", "Nope Scan")]), file)
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        body,
        json!({"scan_type": ["\"Nope Scan\" is not a valid choice."]})
    );

    let (status, body) = env.form(IMPORT, &key, &with(&[]), file).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body, json!({"scan_type": ["This field is required."]}));

    let (status, body) = env
        .form(IMPORT, &key, &with(&[("scan_type", "Trivy Scan")]), None)
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        body,
        json!({"non_field_errors": ["Uploading a Report File is required for Trivy Scan"]})
    );

    let (status, body) = env
        .form(
            IMPORT,
            &key,
            &with(&[("scan_type", "Trivy Scan"), ("active", "sure")]),
            file,
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body, json!({"active": ["Must be a valid boolean."]}));

    let broken = &report[..report.len() / 2];
    let (status, body) = env
        .form(
            IMPORT,
            &key,
            &with(&[("scan_type", "Trivy Scan")]),
            Some(("half.json", broken)),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let message = body["file"][0].as_str().unwrap();
    assert!(message.starts_with("reading half.json: "), "{message}");

    let fields = [
        ("scan_type", "Trivy Scan"),
        ("product_name", "nowhere"),
        ("engagement_name", "main"),
    ];
    let (status, body) = env.form(IMPORT, &key, &fields, file).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(
        body["detail"].as_str().unwrap().contains("nowhere"),
        "{body}"
    );

    let (status, body) = env
        .form(
            IMPORT,
            "Token ward_not_a_real_key_at_all_000000",
            &with(&[("scan_type", "Trivy Scan")]),
            file,
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(body["detail"].is_string(), "{body}");

    let read = env.key(ward_store::Scope::Read, None).await;
    let (status, body) = env
        .form(
            IMPORT,
            &token(&read),
            &with(&[("scan_type", "Trivy Scan")]),
            file,
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(body["detail"].is_string(), "{body}");

    let (status, body) = env
        .json(
            axum::http::Method::POST,
            IMPORT,
            &env.admin,
            json!({"scan_type": "Trivy Scan"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert!(body["detail"].is_string(), "{body}");

    // Nothing of the refused requests was stored.
    let (_, products) = env.get("/api/v1/products", &env.admin).await;
    assert_eq!(products, json!([]));
}

crate::on_both_backends!(
    import_scan_contract,
    reimport_lifecycle,
    moved_lines_are_the_same_findings,
    import_by_engagement_id,
    errors_have_defectdojo_shapes,
);
