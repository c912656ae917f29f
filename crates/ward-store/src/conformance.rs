//! The behaviour every backend must have, as test functions over a fresh [`Store`].
//!
//! A backend's test file calls [`conformance_tests!`](crate::conformance_tests) with an
//! async function returning `Option<(Arc<dyn Store>, Guard)>` (a new, empty store and
//! whatever keeps it alive; `None` skips, for engines not available on this machine). The
//! macro makes one `#[tokio::test]` per function below, so a failure names the behaviour.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::collections::{BTreeMap, HashSet};
use std::future::Future;
use std::sync::Arc;

use time::macros::datetime;
use time::{Duration, OffsetDateTime};
use ward_core::{fingerprint, Category, Finding, Location, PackageLocation, Severity, Status};

use crate::cursor::sort_value;
use crate::import::Change;
use crate::{
    Approval, ApprovalState, Attempt, ChangeWindow, DayChanges, Decision, Error, FindingFilter,
    FindingId, FindingQuery, ImportMessages, ImportRequest, ImportTarget, Imported, JobFilter,
    MessageState, NewApiKey, NewApproval, NewChannel, NewEngagement, NewMessage, NewProduct,
    NewTrigger, NewUser, ProductHook, ProductId, Scope, SlaBreach, SlaPolicy, Sort, SortKey, Store,
    StoredFinding, TestId, Triage, TriageAction,
};

/// One `#[tokio::test]` per conformance test, each on a fresh store from `$fresh`.
#[macro_export]
macro_rules! conformance_tests {
    ($fresh:path) => {
        $crate::conformance_tests!(@each $fresh;
            products_and_engagements,
            import_creates_context_and_findings,
            invalid_imports_are_refused,
            dedup_across_tools_and_engagements,
            reimport_lifecycle,
            import_closes_old_findings_of_engagement,
            product_scope_closing_reactivation_and_changes,
            false_positives_stay_suppressed,
            risk_acceptance_expires,
            minimum_severity_and_flags,
            triage_records_audit_trail,
            changes_are_counted_by_day,
            sla_due_dates_and_breaches,
            queries_filter_findings,
            pagination_is_stable,
            counts_by_severity_category_status,
            api_keys,
            users,
            concurrent_reimports_leave_no_duplicates,
            failed_import_leaves_nothing,
            large_report_twice,
            channels_and_rules,
            outbox_lifecycle,
            hooks_and_triggers,
            jobs_are_claimed_once,
            expired_lease_is_reclaimed,
            failed_jobs_retry_with_backoff,
            jobs_release_list_and_refuse_strangers,
            import_and_its_messages_commit_together,
            sla_breaches_are_notified_once,
            approvals_are_decided_once,
            delete_product_removes_everything,
            product_policies,
            summaries_match_the_findings,
        );
    };
    (@each $fresh:path; $($name:ident),* $(,)?) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn $name() {
                let Some((store, _guard)) = $fresh().await else {
                    return;
                };
                $crate::conformance::$name(store).await;
            }
        )*
    };
}

/// Day `n` of the tests' calendar (day 0 is 2024-01-01).
pub fn day(n: i64) -> OffsetDateTime {
    datetime!(2024-01-01 0:00 UTC) + Duration::days(n)
}

/// A dependency finding for `id` in `package`, fingerprinted.
pub fn dependency(tool: &str, id: &str, package: &str, severity: Severity) -> Finding {
    let mut finding = Finding::new(tool, Category::Dependency, format!("{id} in {package}"));
    finding.add_id(id);
    finding.severity = severity;
    finding.location.package = Some(PackageLocation {
        name: package.to_string(),
        version: Some("1.0.0".to_string()),
        ..PackageLocation::default()
    });
    finding.fingerprint = fingerprint::of(&finding);
    finding
}

/// `n` distinct dependency findings from `tool`, severities cycling critical to info.
pub fn report(tool: &str, n: usize) -> Vec<Finding> {
    numbered(tool, 0..n)
}

/// Dependency findings numbered `range` (finding `i` is the same whatever the range).
pub fn numbered(tool: &str, range: std::ops::Range<usize>) -> Vec<Finding> {
    range
        .map(|i| {
            let severity = Severity::ALL[i % Severity::ALL.len()];
            dependency(
                tool,
                &format!("CVE-2024-{i:05}"),
                &format!("pkg-{i}"),
                severity,
            )
        })
        .collect()
}

/// An import into `product`/`engagement` (created when missing) on day `n`.
pub fn import_on(n: i64, product: &str, engagement: &str, findings: Vec<Finding>) -> ImportRequest {
    let target = ImportTarget::Names {
        product: product.to_string(),
        engagement: engagement.to_string(),
        auto_create: true,
    };
    let mut request = ImportRequest::new(target, "Trivy Scan", findings);
    request.now = Some(day(n));
    request.actor = "ci".to_string();
    request
}

async fn all_findings(store: &dyn Store, filter: FindingFilter) -> Vec<StoredFinding> {
    let mut query = FindingQuery {
        filter,
        limit: 1000,
        ..FindingQuery::default()
    };
    let mut out = Vec::new();
    loop {
        let page = store.find_findings(&query).await.unwrap();
        out.extend(page.findings);
        match page.next_cursor {
            Some(cursor) => query.cursor = Some(cursor),
            None => return out,
        }
    }
}

async fn by_fingerprint(store: &dyn Store, product: ProductId, fp: &str) -> StoredFinding {
    all_findings(store, FindingFilter::product(product))
        .await
        .into_iter()
        .find(|f| f.fingerprint == fp)
        .unwrap_or_else(|| panic!("no finding {fp}"))
}

fn ids(findings: &[StoredFinding]) -> HashSet<FindingId> {
    findings.iter().map(|f| f.id).collect()
}

pub async fn products_and_engagements(store: Arc<dyn Store>) {
    let mut new = NewProduct::named(" web ");
    new.team = Some("payments".into());
    new.tags = vec!["b".into(), "a".into(), "a".into()];
    let web = store.create_product(&new).await.unwrap();
    assert_eq!(web.name, "web");
    assert_eq!(web.tags, ["a", "b"]);
    assert_eq!(web.team.as_deref(), Some("payments"));
    assert!(matches!(
        store.create_product(&NewProduct::named("web")).await,
        Err(Error::Conflict {
            what: "product",
            ..
        })
    ));
    assert!(matches!(
        store.create_product(&NewProduct::named("  ")).await,
        Err(Error::Invalid { field: "name", .. })
    ));
    let api = store
        .create_product(&NewProduct::named("api"))
        .await
        .unwrap();
    assert_eq!(store.product(web.id).await.unwrap(), web);
    assert_eq!(
        store.product_by_name("web").await.unwrap(),
        Some(web.clone())
    );
    assert_eq!(store.product_by_name("nope").await.unwrap(), None);
    let names: Vec<String> = store
        .list_products()
        .await
        .unwrap()
        .into_iter()
        .map(|p| p.name)
        .collect();
    assert_eq!(names, ["api", "web"]);
    assert!(matches!(
        store.product(ProductId(999_999)).await,
        Err(Error::NotFound {
            what: "product",
            ..
        })
    ));

    let main = store
        .create_engagement(web.id, &NewEngagement::named("main"))
        .await
        .unwrap();
    assert_eq!((main.product_id, main.name.as_str()), (web.id, "main"));
    assert!(matches!(
        store
            .create_engagement(web.id, &NewEngagement::named("main"))
            .await,
        Err(Error::Conflict {
            what: "engagement",
            ..
        })
    ));
    // The same engagement name in another product is fine.
    store
        .create_engagement(api.id, &NewEngagement::named("main"))
        .await
        .unwrap();
    assert!(matches!(
        store
            .create_engagement(ProductId(999_999), &NewEngagement::named("x"))
            .await,
        Err(Error::NotFound {
            what: "product",
            ..
        })
    ));
    assert_eq!(store.engagement(main.id).await.unwrap(), main);
    assert_eq!(
        store.engagement_by_name(web.id, "main").await.unwrap(),
        Some(main.clone())
    );
    assert_eq!(
        store.list_engagements(web.id).await.unwrap(),
        std::slice::from_ref(&main)
    );
    assert!(store.list_tests(main.id).await.unwrap().is_empty());
    assert!(matches!(
        store.test(TestId(999_999)).await,
        Err(Error::NotFound { what: "test", .. })
    ));

    let mut renamed = NewProduct::named("web-shop");
    renamed.team = Some("shop".into());
    let updated = store.update_product(web.id, &renamed).await.unwrap();
    assert_eq!(
        (updated.name.as_str(), updated.team.as_deref()),
        ("web-shop", Some("shop"))
    );
    assert!(matches!(
        store
            .update_product(web.id, &NewProduct::named("api"))
            .await,
        Err(Error::Conflict { .. })
    ));
}

pub async fn import_creates_context_and_findings(store: Arc<dyn Store>) {
    let findings = vec![
        dependency("Trivy", "CVE-2021-44228", "log4j-core", Severity::Critical),
        dependency("Trivy", "CVE-2022-0001", "lodash", Severity::High),
        dependency("Trivy", "CVE-2022-0002", "openssl", Severity::Info),
    ];
    let mut request = import_on(0, "web", "main", findings.clone());
    request.target = ImportTarget::Names {
        product: "web".into(),
        engagement: "main".into(),
        auto_create: false,
    };
    assert!(matches!(
        store.import(request).await,
        Err(Error::NotFound {
            what: "product",
            ..
        })
    ));

    let mut request = import_on(0, "web", "main", findings.clone());
    request.title = Some("nightly".into());
    request.build.commit_hash = Some("abc123".into());
    request.tags = vec!["nightly".into()];
    let outcome = store.import(request).await.unwrap();
    assert_eq!(outcome.product.name, "web");
    assert_eq!(outcome.engagement.name, "main");
    assert!(outcome.test_created);
    assert_eq!(outcome.new.len(), 3);
    assert!(
        outcome.unchanged.is_empty() && outcome.reopened.is_empty() && outcome.closed.is_empty()
    );
    let test = &outcome.test;
    assert_eq!(
        (test.title.as_str(), test.scan_type.as_str()),
        ("nightly", "Trivy Scan")
    );
    assert_eq!(test.n_findings, 3);
    assert_eq!(test.build.commit_hash.as_deref(), Some("abc123"));
    assert_eq!(test.tags, ["nightly"]);
    assert_eq!(test.scan_date, day(0));
    assert_eq!(store.test(test.id).await.unwrap(), *test);
    assert_eq!(
        store.list_tests(outcome.engagement.id).await.unwrap(),
        std::slice::from_ref(test)
    );

    let detail = store.finding(outcome.new[0]).await.unwrap();
    let stored = &detail.finding;
    assert_eq!(stored.finding, findings[0]);
    assert_eq!(stored.fingerprint, findings[0].fingerprint);
    assert_eq!(
        (stored.status, stored.active, stored.verified),
        (Status::Open, true, false)
    );
    assert_eq!(stored.severity, Severity::Critical);
    assert_eq!(stored.category, Category::Dependency);
    assert_eq!(stored.tools, ["Trivy"]);
    assert_eq!((stored.first_seen, stored.last_seen), (day(0), day(0)));
    assert_eq!(stored.sla_due, Some(day(7)));
    assert_eq!(detail.sources.len(), 1);
    let source = &detail.sources[0];
    assert_eq!(
        (source.test_id, source.engagement_name.as_str()),
        (test.id, "main")
    );
    assert_eq!(source.location, findings[0].location);
    assert!(detail.history.is_empty());
    assert!(matches!(
        store.finding(FindingId(999_999)).await,
        Err(Error::NotFound {
            what: "finding",
            ..
        })
    ));

    // An empty report makes a test with no findings.
    let outcome = store
        .import(import_on(1, "web", "main", Vec::new()))
        .await
        .unwrap();
    assert_eq!((outcome.new.len(), outcome.test.n_findings), (0, 0));
    assert_eq!(
        store.list_tests(outcome.engagement.id).await.unwrap().len(),
        2
    );
}

pub async fn invalid_imports_are_refused(store: Arc<dyn Store>) {
    let mut request = import_on(0, "web", "main", report("Trivy", 2));
    request.scan_type = " ".into();
    assert!(matches!(
        store.import(request).await,
        Err(Error::Invalid {
            field: "scan_type",
            ..
        })
    ));
    let mut findings = report("Trivy", 2);
    findings[1].fingerprint.clear();
    assert!(matches!(
        store.import(import_on(0, "web", "main", findings)).await,
        Err(Error::Invalid {
            field: "findings",
            ..
        })
    ));
    assert!(matches!(
        store
            .import(import_on(0, "", "main", report("Trivy", 1)))
            .await,
        Err(Error::Invalid {
            field: "product_name",
            ..
        })
    ));
    assert_eq!(store.product_by_name("web").await.unwrap(), None);

    let outcome = store
        .import(import_on(0, "web", "main", report("Trivy", 1)))
        .await
        .unwrap();
    let import_into_test = ImportRequest {
        target: ImportTarget::Test(outcome.test.id),
        ..import_on(1, "web", "main", report("Trivy", 1))
    };
    assert!(matches!(
        store.import(import_into_test).await,
        Err(Error::Invalid {
            field: "target",
            ..
        })
    ));
    let missing_test = ImportRequest {
        target: ImportTarget::Test(TestId(999_999)),
        ..import_on(1, "web", "main", report("Trivy", 1)).reimport()
    };
    assert!(matches!(
        store.import(missing_test).await,
        Err(Error::NotFound { what: "test", .. })
    ));
}

pub async fn dedup_across_tools_and_engagements(store: Arc<dyn Store>) {
    let log4j = |tool: &str| dependency(tool, "CVE-2021-44228", "log4j-core", Severity::Critical);
    let trivy = vec![
        log4j("Trivy"),
        dependency("Trivy", "CVE-2022-0001", "lodash", Severity::High),
    ];
    let first = store
        .import(import_on(0, "web", "main", trivy))
        .await
        .unwrap();
    assert_eq!(first.new.len(), 2);

    let grype = vec![
        log4j("Grype"),
        dependency("Grype", "CVE-2023-0003", "zlib", Severity::Low),
    ];
    let mut request = import_on(2, "web", "release-1.0", grype);
    request.scan_type = "Anchore Grype".into();
    let second = store.import(request).await.unwrap();
    assert_eq!(second.product.id, first.product.id);
    assert_ne!(second.engagement.id, first.engagement.id);
    assert_eq!(second.new.len(), 1);
    assert_eq!(second.unchanged, [first.new[0]]);

    let product = first.product.id;
    assert_eq!(
        all_findings(&*store, FindingFilter::product(product))
            .await
            .len(),
        3
    );
    let detail = store.finding(first.new[0]).await.unwrap();
    assert_eq!(detail.finding.tools, ["Grype", "Trivy"]);
    assert_eq!(
        (detail.finding.first_seen, detail.finding.last_seen),
        (day(0), day(2))
    );
    assert_eq!(
        detail.finding.finding.tool, "Grype",
        "data follows the latest report"
    );
    let engagements: Vec<&str> = detail
        .sources
        .iter()
        .map(|s| s.engagement_name.as_str())
        .collect();
    assert_eq!(engagements, ["main", "release-1.0"]);
    let tools: Vec<&str> = detail.sources.iter().map(|s| s.tool.as_str()).collect();
    assert_eq!(tools, ["Trivy", "Grype"]);

    // Deduplication is per product.
    let other = store
        .import(import_on(3, "api", "main", vec![log4j("Trivy")]))
        .await
        .unwrap();
    assert_eq!(other.new.len(), 1);
    assert_ne!(other.new[0], first.new[0]);
}

pub async fn reimport_lifecycle(store: Arc<dyn Store>) {
    let [a, b, c, d]: [Finding; 4] = report("Trivy", 4).try_into().unwrap();
    let first = store
        .import(import_on(0, "web", "main", vec![a.clone(), b.clone(), c.clone()]).reimport())
        .await
        .unwrap();
    assert!(
        first.test_created,
        "a reimport with no test yet creates one"
    );
    assert_eq!(first.new.len(), 3);
    let product = first.product.id;
    let id_of = |f: &Finding| {
        let store = store.clone();
        let fp = f.fingerprint.clone();
        async move { by_fingerprint(&*store, product, &fp).await.id }
    };

    let mut request = import_on(1, "web", "main", vec![a.clone(), b.clone(), d.clone()]).reimport();
    request.close_old_findings = true;
    let second = store.import(request).await.unwrap();
    assert!(!second.test_created);
    assert_eq!(second.test.id, first.test.id);
    assert_eq!(second.new, [id_of(&d).await]);
    assert_eq!(
        ids_set(&second.unchanged),
        ids_set(&[id_of(&a).await, id_of(&b).await])
    );
    assert_eq!(second.closed, [id_of(&c).await]);
    assert!(second.reopened.is_empty());
    let closed = by_fingerprint(&*store, product, &c.fingerprint).await;
    assert_eq!((closed.status, closed.active), (Status::Mitigated, false));
    assert_eq!(closed.mitigated_at, Some(day(1)));
    assert_eq!(closed.last_seen, day(0));
    assert_eq!(
        store.list_tests(first.engagement.id).await.unwrap().len(),
        1
    );
    assert_eq!(second.test.n_findings, 3);

    let mut request = import_on(
        2,
        "web",
        "main",
        vec![a.clone(), b.clone(), c.clone(), d.clone()],
    )
    .reimport();
    request.close_old_findings = true;
    let third = store.import(request).await.unwrap();
    assert_eq!(third.reopened, [id_of(&c).await]);
    assert_eq!(third.unchanged.len(), 3);
    assert!(third.new.is_empty() && third.closed.is_empty());
    let detail = store.finding(id_of(&c).await).await.unwrap();
    assert_eq!(
        (detail.finding.status, detail.finding.active),
        (Status::Open, true)
    );
    assert_eq!(detail.finding.mitigated_at, None);
    let moves: Vec<(Status, Status, &str)> = detail
        .history
        .iter()
        .map(|h| (h.from, h.to, h.actor.as_str()))
        .collect();
    assert_eq!(
        moves,
        [
            (Status::Open, Status::Mitigated, "ci"),
            (Status::Mitigated, Status::Open, "ci")
        ]
    );
    assert_eq!(detail.history[0].at, day(1));

    // Without close_old_findings, vanished findings stay open.
    let fourth = store
        .import(import_on(3, "web", "main", vec![a.clone()]).reimport())
        .await
        .unwrap();
    assert!(fourth.closed.is_empty());
    assert_eq!(
        by_fingerprint(&*store, product, &b.fingerprint)
            .await
            .status,
        Status::Open
    );

    // A reimport can name its test.
    let mut request = import_on(4, "web", "main", vec![a.clone()]).reimport();
    request.target = ImportTarget::Test(first.test.id);
    request.close_old_findings = true;
    let fifth = store.import(request).await.unwrap();
    assert_eq!(fifth.test.id, first.test.id);
    assert_eq!(fifth.closed.len(), 3);
    // A reimport of another scan type gets its own test.
    let mut request = import_on(5, "web", "main", vec![a.clone()]).reimport();
    request.scan_type = "Anchore Grype".into();
    let sixth = store.import(request).await.unwrap();
    assert!(sixth.test_created);
    assert_ne!(sixth.test.id, first.test.id);
}

fn ids_set(ids: &[FindingId]) -> HashSet<FindingId> {
    ids.iter().copied().collect()
}

pub async fn import_closes_old_findings_of_engagement(store: Arc<dyn Store>) {
    let [a, b, x, z]: [Finding; 4] = report("Trivy", 4).try_into().unwrap();
    let first = store
        .import(import_on(0, "web", "main", vec![a.clone(), b.clone()]))
        .await
        .unwrap();
    let product = first.product.id;
    // Another scan type in the same engagement does not close Trivy's findings.
    let mut other_type = import_on(1, "web", "main", vec![x.clone()]);
    other_type.scan_type = "Anchore Grype".into();
    other_type.close_old_findings = true;
    assert!(store.import(other_type).await.unwrap().closed.is_empty());
    // Another engagement does not either.
    let mut other_engagement = import_on(1, "web", "release", vec![z.clone()]);
    other_engagement.close_old_findings = true;
    assert!(store
        .import(other_engagement)
        .await
        .unwrap()
        .closed
        .is_empty());

    let mut request = import_on(2, "web", "main", vec![a.clone()]);
    request.close_old_findings = true;
    let second = store.import(request).await.unwrap();
    assert!(second.test_created);
    assert_ne!(second.test.id, first.test.id);
    assert_eq!(
        second.closed,
        [by_fingerprint(&*store, product, &b.fingerprint).await.id]
    );
    assert_eq!(
        by_fingerprint(&*store, product, &a.fingerprint)
            .await
            .status,
        Status::Open
    );
    assert_eq!(
        by_fingerprint(&*store, product, &x.fingerprint)
            .await
            .status,
        Status::Open
    );
}

/// DefectDojo's `close_old_findings_product_scope` and `do_not_reactivate`, and the counted
/// changes (`statistics.delta`) an import reports.
pub async fn product_scope_closing_reactivation_and_changes(store: Arc<dyn Store>) {
    let [a, b, c, x]: [Finding; 4] = report("Trivy", 4).try_into().unwrap();
    let first = store
        .import(import_on(0, "web", "main", vec![a.clone(), b.clone()]))
        .await
        .unwrap();
    let product = first.product.id;
    let created: u64 = first
        .changes
        .iter()
        .filter(|c| c.change == Change::Created)
        .map(|c| c.n)
        .sum();
    assert_eq!(created, 2);
    assert_eq!(first.changes.len(), 2, "{:?}", first.changes);
    store
        .import(import_on(0, "web", "release", vec![c.clone()]))
        .await
        .unwrap();
    // Engagement scope (the default) leaves release's `c` open; product scope closes it,
    // and `b` of main, but not findings of another scan type.
    let mut other_type = import_on(1, "web", "other", vec![x.clone()]);
    other_type.scan_type = "Anchore Grype".into();
    store.import(other_type).await.unwrap();
    let mut request = import_on(2, "web", "feature", vec![a.clone()]);
    request.close_old_findings = true;
    assert!(store.import(request).await.unwrap().closed.is_empty());
    let mut request = import_on(3, "web", "feature", vec![a.clone()]).reimport();
    request.close_old_findings = true;
    request.close_old_product_scope = true;
    let scoped = store.import(request).await.unwrap();
    let b_id = by_fingerprint(&*store, product, &b.fingerprint).await.id;
    let c_id = by_fingerprint(&*store, product, &c.fingerprint).await.id;
    assert_eq!(ids_set(&scoped.closed), ids_set(&[b_id, c_id]));
    assert_eq!(
        by_fingerprint(&*store, product, &x.fingerprint)
            .await
            .status,
        Status::Open
    );
    let closed: Vec<(Severity, Status, u64)> = scoped
        .changes
        .iter()
        .filter(|c| c.change == Change::Closed)
        .map(|c| (c.severity, c.status, c.n))
        .collect();
    // Sorted by list, then severity (medium before high).
    assert_eq!(
        closed,
        [
            (c.severity, Status::Mitigated, 1),
            (b.severity, Status::Mitigated, 1)
        ]
    );
    let untouched: Vec<(Severity, Status, u64)> = scoped
        .changes
        .iter()
        .filter(|c| c.change == Change::Untouched)
        .map(|c| (c.severity, c.status, c.n))
        .collect();
    assert_eq!(untouched, [(a.severity, Status::Open, 1)]);

    // do_not_reactivate: `b` comes back and stays mitigated, counted as untouched.
    let mut request = import_on(4, "web", "main", vec![a.clone(), b.clone()]).reimport();
    request.reactivate = false;
    let kept = store.import(request).await.unwrap();
    assert!(kept.reopened.is_empty());
    assert_eq!(
        by_fingerprint(&*store, product, &b.fingerprint)
            .await
            .status,
        Status::Mitigated
    );
    assert!(kept.changes.iter().any(|c| c.change == Change::Untouched
        && c.status == Status::Mitigated
        && !c.active
        && c.n == 1));
    // By default it reopens, counted as reactivated.
    let back = store
        .import(import_on(5, "web", "main", vec![a.clone(), b.clone()]).reimport())
        .await
        .unwrap();
    assert_eq!(back.reopened, [b_id]);
    assert!(back.changes.iter().any(|c| c.change == Change::Reactivated
        && c.status == Status::Open
        && c.active
        && c.n == 1));

    // The state counts behind DefectDojo's statistics: one row per state, flags included.
    let states = store
        .count_states(&FindingFilter::product(product))
        .await
        .unwrap();
    let total: u64 = states.iter().map(|s| s.n).sum();
    assert_eq!(total, 4);
    let mitigated: u64 = states
        .iter()
        .filter(|s| s.status == Status::Mitigated && !s.active)
        .map(|s| s.n)
        .sum();
    assert_eq!(mitigated, 1, "{states:?}");
}

pub async fn false_positives_stay_suppressed(store: Arc<dyn Store>) {
    let [a, b]: [Finding; 2] = report("Trivy", 2).try_into().unwrap();
    let first = store
        .import(import_on(0, "web", "main", vec![a.clone(), b.clone()]).reimport())
        .await
        .unwrap();
    let a_id = by_fingerprint(&*store, first.product.id, &a.fingerprint)
        .await
        .id;
    let mut triage = Triage::new(TriageAction::FalsePositive, "ana");
    triage.reason = Some("test fixture".into());
    assert_eq!(store.triage(&[a_id], &triage).await.unwrap(), [a_id]);

    let mut request = import_on(1, "web", "main", vec![a.clone(), b.clone()]).reimport();
    request.close_old_findings = true;
    let again = store.import(request).await.unwrap();
    assert!(again.unchanged.contains(&a_id));
    assert!(again.reopened.is_empty());
    let stored = by_fingerprint(&*store, first.product.id, &a.fingerprint).await;
    assert_eq!(
        (stored.status, stored.active),
        (Status::FalsePositive, false)
    );
    assert_eq!(stored.last_seen, day(1));

    // Seen from another engagement: still one finding, still a false positive.
    store
        .import(import_on(2, "web", "release", vec![a.clone()]))
        .await
        .unwrap();
    // Gone from the report: a false positive is not closed as mitigated.
    let mut request = import_on(3, "web", "main", vec![b.clone()]).reimport();
    request.close_old_findings = true;
    assert!(store.import(request).await.unwrap().closed.is_empty());
    let stored = by_fingerprint(&*store, first.product.id, &a.fingerprint).await;
    assert_eq!(stored.status, Status::FalsePositive);
}

pub async fn changes_are_counted_by_day(store: Arc<dyn Store>) {
    let findings = report("Trivy", 5);
    let web = store
        .import(import_on(0, "web", "main", findings[..3].to_vec()).reimport())
        .await
        .unwrap();
    let api = store
        .import(import_on(2, "api", "main", findings[3..].to_vec()))
        .await
        .unwrap();
    let [a, b, _c]: [FindingId; 3] = web.new.clone().try_into().unwrap();
    let at = |action: TriageAction, n: i64| {
        let mut triage = Triage::new(action, "ana");
        triage.at = Some(day(n));
        triage
    };
    store
        .triage(&[a], &at(TriageAction::FalsePositive, 3))
        .await
        .unwrap();
    let assign = TriageAction::Assign {
        assignee: Some("bob".into()),
    };
    store.triage(&[b], &at(assign, 3)).await.unwrap();
    store
        .triage(&[b], &at(TriageAction::Mitigate, 4))
        .await
        .unwrap();
    store
        .triage(&[b], &at(TriageAction::Reopen, 5))
        .await
        .unwrap();
    // A reimport without the third finding closes it on day 6.
    let mut request = import_on(6, "web", "main", findings[..2].to_vec()).reimport();
    request.close_old_findings = true;
    assert_eq!(store.import(request).await.unwrap().closed.len(), 1);

    let changes = |from: i64, to: i64, products: Option<Vec<ProductId>>| {
        let store = store.clone();
        async move {
            let window = ChangeWindow {
                from: day(from),
                to: day(to),
                products,
            };
            store
                .count_changes_by_day(&window)
                .await
                .unwrap()
                .into_iter()
                .map(|d: DayChanges| {
                    let n = (d.day - day(0).date()).whole_days();
                    (n, d.opened, d.closed, d.reopened)
                })
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(
        changes(0, 7, None).await,
        [
            (0, 3, 0, 0),
            (2, 2, 0, 0),
            (3, 0, 1, 0),
            (4, 0, 1, 0),
            (5, 0, 0, 1),
            (6, 0, 1, 0)
        ],
        "an assignment alone is no status change"
    );
    assert_eq!(changes(3, 5, None).await, [(3, 0, 1, 0), (4, 0, 1, 0)]);
    assert_eq!(
        changes(0, 7, Some(vec![api.product.id])).await,
        [(2, 2, 0, 0)]
    );
    assert!(changes(0, 7, Some(vec![])).await.is_empty());
    assert!(changes(7, 30, None).await.is_empty());
}

pub async fn risk_acceptance_expires(store: Arc<dyn Store>) {
    let [a, b]: [Finding; 2] = report("Trivy", 2).try_into().unwrap();
    let outcome = store
        .import(import_on(0, "web", "main", vec![a.clone(), b.clone()]))
        .await
        .unwrap();
    let (a_id, b_id) = (outcome.new[0], outcome.new[1]);
    let mut accept = Triage::new(
        TriageAction::AcceptRisk {
            until: Some(day(10)),
        },
        "ana",
    );
    accept.reason = Some("fix scheduled".into());
    accept.at = Some(day(1));
    store.triage(&[a_id], &accept).await.unwrap();
    let forever = Triage::new(TriageAction::AcceptRisk { until: None }, "ana");
    store.triage(&[b_id], &forever).await.unwrap();

    let with_status = |status: Status, n: i64| FindingFilter {
        product: Some(outcome.product.id),
        statuses: vec![status],
        as_of: Some(day(n)),
        ..FindingFilter::default()
    };
    assert_eq!(
        ids(&all_findings(&*store, with_status(Status::Accepted, 5)).await),
        ids_set(&[a_id, b_id])
    );
    assert!(all_findings(&*store, with_status(Status::Open, 5))
        .await
        .is_empty());
    // Past the date, queries already see it open, before the expiry job ran.
    assert_eq!(
        ids(&all_findings(&*store, with_status(Status::Open, 11)).await),
        ids_set(&[a_id])
    );
    assert_eq!(
        ids(&all_findings(&*store, with_status(Status::Accepted, 11)).await),
        ids_set(&[b_id])
    );
    let counts = store
        .count_findings(&with_status(Status::Open, 11))
        .await
        .unwrap();
    assert_eq!(counts.by_status.get(&Status::Open), Some(&1));
    let stored = store.finding(a_id).await.unwrap().finding;
    assert_eq!(stored.status, Status::Accepted);
    assert_eq!(stored.effective_status(day(11)), Status::Open);
    assert_eq!(stored.risk_accepted_until, Some(day(10)));

    assert!(store
        .expire_risk_acceptances(day(5))
        .await
        .unwrap()
        .is_empty());
    assert_eq!(
        store.expire_risk_acceptances(day(11)).await.unwrap(),
        [a_id]
    );
    assert!(store
        .expire_risk_acceptances(day(12))
        .await
        .unwrap()
        .is_empty());
    let detail = store.finding(a_id).await.unwrap();
    assert_eq!(
        (detail.finding.status, detail.finding.active),
        (Status::Open, true)
    );
    assert_eq!(detail.finding.risk_accepted_until, None);
    let last = detail.history.last().unwrap();
    assert_eq!(
        (last.from, last.to, last.actor.as_str()),
        (Status::Accepted, Status::Open, "ward")
    );
    assert_eq!(last.at, day(11));
    let first = &detail.history[0];
    assert_eq!(first.risk_accepted_until, Some(day(10)));
    assert_eq!(first.reason.as_deref(), Some("fix scheduled"));
    assert_eq!(
        store.finding(b_id).await.unwrap().finding.status,
        Status::Accepted
    );
}

pub async fn minimum_severity_and_flags(store: Arc<dyn Store>) {
    let findings = vec![
        dependency("Trivy", "CVE-1", "a", Severity::Critical),
        dependency("Trivy", "CVE-2", "b", Severity::High),
        dependency("Trivy", "CVE-3", "c", Severity::Low),
        dependency("Trivy", "CVE-4", "d", Severity::Info),
    ];
    let mut request = import_on(0, "web", "main", findings.clone());
    request.minimum_severity = Some(Severity::High);
    request.active = false;
    request.verified = true;
    let outcome = store.import(request).await.unwrap();
    assert_eq!((outcome.new.len(), outcome.n_below_minimum), (2, 2));
    assert_eq!(outcome.test.n_findings, 2);
    // What the import did says so too: created open, but not active.
    assert!(outcome
        .changes
        .iter()
        .all(|c| c.change == Change::Created && c.status == Status::Open && !c.active));
    let stored = all_findings(&*store, FindingFilter::product(outcome.product.id)).await;
    assert!(stored
        .iter()
        .all(|f| !f.active && f.verified && f.status == Status::Open));
    let inactive = FindingFilter {
        active: Some(false),
        ..FindingFilter::product(outcome.product.id)
    };
    assert_eq!(all_findings(&*store, inactive).await.len(), 2);

    // Findings below the minimum are in the report, so a reimport does not close them.
    let all = store
        .import(import_on(1, "web", "all", findings.clone()).reimport())
        .await
        .unwrap();
    assert_eq!(all.new.len(), 2);
    let mut filtered = import_on(2, "web", "all", findings.clone()).reimport();
    filtered.minimum_severity = Some(Severity::High);
    filtered.close_old_findings = true;
    let filtered = store.import(filtered).await.unwrap();
    assert!(filtered.closed.is_empty());
    // A repeated fingerprint in one report is one finding.
    let repeated = vec![findings[0].clone(), findings[0].clone()];
    let outcome = store
        .import(import_on(3, "api", "main", repeated))
        .await
        .unwrap();
    assert_eq!((outcome.new.len(), outcome.n_repeated), (1, 1));
}

pub async fn triage_records_audit_trail(store: Arc<dyn Store>) {
    let outcome = store
        .import(import_on(0, "web", "main", report("Trivy", 3)))
        .await
        .unwrap();
    let [a, b, c]: [FindingId; 3] = outcome.new.clone().try_into().unwrap();
    let mut fp = Triage::new(TriageAction::FalsePositive, "ana");
    fp.reason = Some("test code".into());
    fp.at = Some(day(3));
    assert_eq!(store.triage(&[a, b], &fp).await.unwrap(), [a, b]);
    assert!(
        store.triage(&[a, b], &fp).await.unwrap().is_empty(),
        "no change, no entry"
    );

    let assign = Triage::new(
        TriageAction::Assign {
            assignee: Some("bob".into()),
        },
        "ana",
    );
    assert_eq!(store.triage(&[c], &assign).await.unwrap(), [c]);
    let mitigate = Triage::new(TriageAction::Mitigate, "bob");
    store.triage(&[c], &mitigate).await.unwrap();
    let reopen = Triage::new(TriageAction::Reopen, "bob");
    store.triage(&[c], &reopen).await.unwrap();
    let out_of_scope = Triage::new(TriageAction::OutOfScope, "bob");
    store.triage(&[c], &out_of_scope).await.unwrap();

    let detail = store.finding(a).await.unwrap();
    assert_eq!(detail.finding.status, Status::FalsePositive);
    assert!(!detail.finding.active);
    let entry = &detail.history[0];
    assert_eq!(detail.history.len(), 1);
    assert_eq!(
        (entry.from, entry.to, entry.actor.as_str()),
        (Status::Open, Status::FalsePositive, "ana")
    );
    assert_eq!(
        (entry.at, entry.reason.as_deref()),
        (day(3), Some("test code"))
    );

    let detail = store.finding(c).await.unwrap();
    assert_eq!(detail.finding.assignee.as_deref(), Some("bob"));
    assert_eq!(detail.finding.status, Status::OutOfScope);
    let moves: Vec<(Status, Status)> = detail.history.iter().map(|h| (h.from, h.to)).collect();
    assert_eq!(
        moves,
        [
            (Status::Open, Status::Open),
            (Status::Open, Status::Mitigated),
            (Status::Mitigated, Status::Open),
            (Status::Open, Status::OutOfScope),
        ]
    );
    assert_eq!(detail.history[0].assignee.as_deref(), Some("bob"));

    // One unknown id fails the whole call and changes nothing.
    assert!(matches!(
        store.triage(&[a, FindingId(999_999)], &reopen).await,
        Err(Error::NotFound {
            what: "finding",
            ..
        })
    ));
    assert_eq!(
        store.finding(a).await.unwrap().finding.status,
        Status::FalsePositive
    );
    // A key limited to other products cannot triage these.
    let other = store
        .create_product(&NewProduct::named("other"))
        .await
        .unwrap();
    let mut limited = Triage::new(TriageAction::Reopen, "key");
    limited.allowed_products = Some(vec![other.id]);
    assert!(matches!(
        store.triage(&[a], &limited).await,
        Err(Error::NotFound { .. })
    ));
    limited.allowed_products = Some(vec![outcome.product.id]);
    assert_eq!(store.triage(&[a], &limited).await.unwrap(), [a]);
    let assigned = FindingFilter {
        assignee: Some("bob".into()),
        ..FindingFilter::default()
    };
    assert_eq!(ids(&all_findings(&*store, assigned).await), ids_set(&[c]));
}

pub async fn sla_due_dates_and_breaches(store: Arc<dyn Store>) {
    let findings = vec![
        dependency("Trivy", "CVE-1", "a", Severity::Critical),
        dependency("Trivy", "CVE-2", "b", Severity::High),
        dependency("Trivy", "CVE-3", "c", Severity::Info),
    ];
    let outcome = store
        .import(import_on(0, "web", "main", findings.clone()))
        .await
        .unwrap();
    let [critical, high, info]: [FindingId; 3] = outcome.new.clone().try_into().unwrap();
    let due = |id| {
        let store = store.clone();
        async move { store.finding(id).await.unwrap().finding.sla_due }
    };
    assert_eq!(due(critical).await, Some(day(7)));
    assert_eq!(due(high).await, Some(day(30)));
    assert_eq!(due(info).await, None);

    let breached = |n: i64, yes: bool| FindingFilter {
        sla_breached: Some(yes),
        as_of: Some(day(n)),
        ..FindingFilter::product(outcome.product.id)
    };
    assert!(all_findings(&*store, breached(7, true)).await.is_empty());
    assert_eq!(
        ids(&all_findings(&*store, breached(8, true)).await),
        ids_set(&[critical])
    );
    assert_eq!(
        ids(&all_findings(&*store, breached(8, false)).await),
        ids_set(&[high, info])
    );
    assert_eq!(
        ids(&all_findings(&*store, breached(31, true)).await),
        ids_set(&[critical, high])
    );
    let stored = store.finding(critical).await.unwrap().finding;
    assert!(stored.sla_breached(day(8)) && !stored.sla_breached(day(6)));
    // Closed findings are not in breach.
    store
        .triage(
            &[critical],
            &Triage::new(TriageAction::FalsePositive, "ana"),
        )
        .await
        .unwrap();
    assert_eq!(
        ids(&all_findings(&*store, breached(31, true)).await),
        ids_set(&[high])
    );
    let by_due = FindingQuery {
        filter: FindingFilter::product(outcome.product.id),
        sort: Sort {
            key: SortKey::SlaDue,
            descending: false,
        },
        ..FindingQuery::default()
    };
    let order: Vec<FindingId> = store
        .find_findings(&by_due)
        .await
        .unwrap()
        .findings
        .iter()
        .map(|f| f.id)
        .collect();
    assert_eq!(order, [critical, high, info]);

    // A product policy replaces the default, and changing it moves existing due dates.
    let policy = SlaPolicy {
        critical: Some(1),
        high: Some(2),
        medium: None,
        low: None,
        info: Some(3),
    };
    let mut update = NewProduct::named("web");
    update.sla = Some(policy);
    let updated = store
        .update_product(outcome.product.id, &update)
        .await
        .unwrap();
    assert_eq!(updated.sla, Some(policy));
    assert_eq!(due(high).await, Some(day(2)));
    assert_eq!(due(info).await, Some(day(3)));
    let mut strict = NewProduct::named("api");
    strict.sla = Some(policy);
    store.create_product(&strict).await.unwrap();
    let api = store
        .import(import_on(5, "api", "main", findings))
        .await
        .unwrap();
    assert_eq!(due(api.new[0]).await, Some(day(6)));
}

pub async fn queries_filter_findings(store: Arc<dyn Store>) {
    let log4j = dependency("Trivy", "CVE-2021-44228", "log4j-core", Severity::Critical);
    let lodash = dependency("Trivy", "CVE-2022-0001", "lodash", Severity::High);
    let mut sqli = Finding::new("Semgrep", Category::Sast, "Possible SQL injection");
    sqli.rule_id = Some("python.sqli".into());
    sqli.severity = Severity::Medium;
    sqli.description = Some("User input reaches a query: 100% risky".into());
    sqli.location = Location::file("src/db.py", Some(12));
    sqli.add_cwe("89");
    sqli.fingerprint = fingerprint::of(&sqli);
    let mut secret = Finding::new("Gitleaks", Category::Secret, "AWS access key");
    secret.rule_id = Some("aws-access-token".into());
    secret.severity = Severity::Low;
    secret.location = Location::file("config/.env", Some(3));
    secret.fingerprint = fingerprint::of(&secret);

    let trivy = store
        .import(import_on(
            0,
            "web",
            "main",
            vec![log4j.clone(), lodash.clone()],
        ))
        .await
        .unwrap();
    let mut semgrep = import_on(5, "web", "release", vec![sqli.clone(), secret.clone()]);
    semgrep.scan_type = "Semgrep JSON Report".into();
    let semgrep = store.import(semgrep).await.unwrap();
    let api = store
        .import(import_on(9, "api", "main", vec![log4j.clone()]))
        .await
        .unwrap();
    let web = trivy.product.id;
    let [log4j_id, lodash_id]: [FindingId; 2] = trivy.new.clone().try_into().unwrap();
    let [sqli_id, secret_id]: [FindingId; 2] = semgrep.new.clone().try_into().unwrap();

    let check = |filter: FindingFilter, expected: Vec<FindingId>| {
        let store = store.clone();
        async move {
            let found = all_findings(&*store, filter.clone()).await;
            assert_eq!(ids(&found), ids_set(&expected), "{filter:?}");
        }
    };
    let web_only = FindingFilter::product(web);
    check(
        web_only.clone(),
        vec![log4j_id, lodash_id, sqli_id, secret_id],
    )
    .await;
    check(
        FindingFilter {
            product_name: Some(trivy.product.name.clone()),
            ..FindingFilter::default()
        },
        vec![log4j_id, lodash_id, sqli_id, secret_id],
    )
    .await;
    check(
        FindingFilter {
            product_name: Some("no such product".into()),
            ..FindingFilter::default()
        },
        vec![],
    )
    .await;
    check(
        FindingFilter {
            engagement: Some(semgrep.engagement.id),
            ..FindingFilter::default()
        },
        vec![sqli_id, secret_id],
    )
    .await;
    check(
        FindingFilter {
            test: Some(trivy.test.id),
            ..FindingFilter::default()
        },
        vec![log4j_id, lodash_id],
    )
    .await;
    check(
        FindingFilter {
            min_severity: Some(Severity::High),
            ..web_only.clone()
        },
        vec![log4j_id, lodash_id],
    )
    .await;
    check(
        FindingFilter {
            severities: vec![Severity::Medium, Severity::Low],
            ..web_only.clone()
        },
        vec![sqli_id, secret_id],
    )
    .await;
    check(
        FindingFilter {
            categories: vec![Category::Sast],
            ..web_only.clone()
        },
        vec![sqli_id],
    )
    .await;
    check(
        FindingFilter {
            tool: Some("Semgrep".into()),
            ..web_only.clone()
        },
        vec![sqli_id],
    )
    .await;
    check(
        FindingFilter {
            tool: Some("Semgre".into()),
            ..web_only.clone()
        },
        vec![],
    )
    .await;
    check(
        FindingFilter {
            identifier: Some("cve-2021-44228".into()),
            ..FindingFilter::default()
        },
        vec![log4j_id, api.new[0]],
    )
    .await;
    check(
        FindingFilter {
            identifier: Some("CWE-89".into()),
            ..web_only.clone()
        },
        vec![sqli_id],
    )
    .await;
    check(
        FindingFilter {
            text: Some("sql INJECTION".into()),
            ..web_only.clone()
        },
        vec![sqli_id],
    )
    .await;
    check(
        FindingFilter {
            text: Some("db.py".into()),
            ..web_only.clone()
        },
        vec![sqli_id],
    )
    .await;
    check(
        FindingFilter {
            text: Some("LODASH".into()),
            ..web_only.clone()
        },
        vec![lodash_id],
    )
    .await;
    check(
        FindingFilter {
            text: Some("100%".into()),
            ..web_only.clone()
        },
        vec![sqli_id],
    )
    .await;
    check(
        FindingFilter {
            text: Some("0%".into()),
            ..web_only.clone()
        },
        vec![sqli_id],
    )
    .await;
    check(
        FindingFilter {
            text: Some("_".into()),
            ..web_only.clone()
        },
        vec![],
    )
    .await;
    check(
        FindingFilter {
            first_seen_before: Some(day(5)),
            ..web_only.clone()
        },
        vec![log4j_id, lodash_id],
    )
    .await;
    check(
        FindingFilter {
            first_seen_after: Some(day(5)),
            ..web_only.clone()
        },
        vec![sqli_id, secret_id],
    )
    .await;
    check(
        FindingFilter {
            allowed_products: Some(vec![api.product.id]),
            ..FindingFilter::default()
        },
        vec![api.new[0]],
    )
    .await;
    check(
        FindingFilter {
            allowed_products: Some(vec![api.product.id]),
            ..web_only.clone()
        },
        vec![],
    )
    .await;
    check(
        FindingFilter {
            allowed_products: Some(vec![]),
            ..FindingFilter::default()
        },
        vec![],
    )
    .await;
    check(
        FindingFilter {
            statuses: vec![Status::Open],
            verified: Some(false),
            ..web_only.clone()
        },
        vec![log4j_id, lodash_id, sqli_id, secret_id],
    )
    .await;
    check(
        FindingFilter {
            statuses: vec![Status::Mitigated],
            ..web_only.clone()
        },
        vec![],
    )
    .await;
}

pub async fn pagination_is_stable(store: Arc<dyn Store>) {
    let findings = report("Trivy", 25);
    for (n, chunk) in findings.chunks(9).enumerate() {
        let n = i64::try_from(n).unwrap();
        store
            .import(import_on(n, "web", "main", chunk.to_vec()))
            .await
            .unwrap();
    }
    // Seen again later: last_seen differs from first_seen for some.
    store
        .import(import_on(7, "web", "main", findings[..5].to_vec()))
        .await
        .unwrap();
    let sorts = [
        Sort {
            key: SortKey::Severity,
            descending: true,
        },
        Sort {
            key: SortKey::Severity,
            descending: false,
        },
        Sort {
            key: SortKey::FirstSeen,
            descending: false,
        },
        Sort {
            key: SortKey::LastSeen,
            descending: true,
        },
        Sort {
            key: SortKey::SlaDue,
            descending: false,
        },
        Sort {
            key: SortKey::SlaDue,
            descending: true,
        },
        Sort {
            key: SortKey::Id,
            descending: false,
        },
    ];
    for sort in sorts {
        let mut query = FindingQuery {
            sort,
            limit: 7,
            ..FindingQuery::default()
        };
        let mut seen = Vec::new();
        let mut pages = 0;
        loop {
            let page = store.find_findings(&query).await.unwrap();
            pages += 1;
            assert!(page.findings.len() <= 7);
            // Briefs: the same page, the same cursor, each brief read from the whole record.
            let briefs = store.find_finding_briefs(&query).await.unwrap();
            let expected: Vec<_> = page.findings.iter().map(|f| f.clone().split().0).collect();
            assert_eq!(briefs.findings, expected, "{sort:?}");
            assert_eq!(briefs.next_cursor, page.next_cursor, "{sort:?}");
            assert!(expected.iter().any(|f| !f.finding.identifiers.is_empty()));
            seen.extend(page.findings);
            match page.next_cursor {
                Some(cursor) => query.cursor = Some(cursor),
                None => break,
            }
        }
        assert_eq!(pages, 4, "{sort:?}");
        assert_eq!(seen.len(), 25, "{sort:?}");
        assert_eq!(ids(&seen).len(), 25, "{sort:?}: pages overlap");
        let keys: Vec<(i64, i64)> = seen
            .iter()
            .map(|f| (sort_value(f, sort.key), f.id.0))
            .collect();
        let mut sorted = keys.clone();
        sorted.sort();
        if sort.descending {
            sorted.reverse();
        }
        assert_eq!(keys, sorted, "{sort:?}");
    }
    let first = store
        .find_findings(&FindingQuery {
            limit: 2,
            ..FindingQuery::default()
        })
        .await
        .unwrap();
    let cursor = first.next_cursor.unwrap();
    let other_sort = FindingQuery {
        sort: Sort {
            key: SortKey::FirstSeen,
            descending: true,
        },
        cursor: Some(cursor),
        ..FindingQuery::default()
    };
    assert!(matches!(
        store.find_findings(&other_sort).await,
        Err(Error::Invalid {
            field: "cursor",
            ..
        })
    ));
    let garbage = FindingQuery {
        cursor: Some("%%%".into()),
        ..FindingQuery::default()
    };
    assert!(matches!(
        store.find_findings(&garbage).await,
        Err(Error::Invalid {
            field: "cursor",
            ..
        })
    ));
    let tiny = FindingQuery {
        limit: 0,
        ..FindingQuery::default()
    };
    assert_eq!(store.find_findings(&tiny).await.unwrap().findings.len(), 1);
}

pub async fn counts_by_severity_category_status(store: Arc<dyn Store>) {
    let mut findings = report("Trivy", 10);
    let mut secret = Finding::new("Gitleaks", Category::Secret, "key");
    secret.severity = Severity::High;
    secret.location = Location::file("a.env", Some(1));
    secret.fingerprint = fingerprint::of(&secret);
    findings.push(secret);
    let outcome = store
        .import(import_on(0, "web", "main", findings))
        .await
        .unwrap();
    store
        .triage(
            &outcome.new[..3],
            &Triage::new(TriageAction::FalsePositive, "ana"),
        )
        .await
        .unwrap();
    let counts = store
        .count_findings(&FindingFilter::product(outcome.product.id))
        .await
        .unwrap();
    assert_eq!(counts.total, 11);
    assert_eq!(counts.by_severity.get(&Severity::Critical), Some(&2));
    assert_eq!(counts.by_severity.get(&Severity::High), Some(&3));
    assert_eq!(counts.by_severity.values().sum::<u64>(), 11);
    assert_eq!(counts.by_category.get(&Category::Dependency), Some(&10));
    assert_eq!(counts.by_category.get(&Category::Secret), Some(&1));
    assert_eq!(counts.by_status.get(&Status::FalsePositive), Some(&3));
    assert_eq!(counts.by_status.get(&Status::Open), Some(&8));
    // Per product, in one query: another product's findings are counted apart.
    let other = store
        .import(import_on(0, "api", "main", report("Trivy", 4)))
        .await
        .unwrap();
    let mut per_product = store
        .count_by_product(&FindingFilter::default())
        .await
        .unwrap();
    per_product.sort();
    let mut expected = vec![(outcome.product.id, 11), (other.product.id, 4)];
    expected.sort();
    assert_eq!(per_product, expected);
    let critical = store
        .count_by_product(&FindingFilter {
            severities: vec![Severity::Critical],
            ..FindingFilter::default()
        })
        .await
        .unwrap();
    assert_eq!(critical.iter().map(|(_, n)| n).sum::<u64>(), 3);
    let open_high = FindingFilter {
        statuses: vec![Status::Open],
        min_severity: Some(Severity::High),
        ..FindingFilter::product(outcome.product.id)
    };
    let counts = store.count_findings(&open_high).await.unwrap();
    // Findings 0 (critical), 1 (high) and 2 (medium) are false positives: one critical and
    // two highs (one of them the secret) stay open.
    assert_eq!(counts.total, 3);
    let none = store
        .count_findings(&FindingFilter::product(ProductId(999_999)))
        .await
        .unwrap();
    assert_eq!(none.total, 0);
    assert!(none.by_status.is_empty());
}

pub async fn api_keys(store: Arc<dyn Store>) {
    let new = NewApiKey {
        name: "gitlab-ci".into(),
        scope: Scope::Import,
        products: Some(vec!["web".into()]),
    };
    let created = store.create_api_key(&new).await.unwrap();
    assert!(created.secret.starts_with("ward_"));
    assert!(created.secret.starts_with(&created.key.prefix));
    assert!(!format!("{created:?}").contains(&created.secret));
    let key = store
        .api_key_by_secret(&created.secret)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(key, created.key);
    assert_eq!(key.scope, Scope::Import);
    assert!(key.may_access("web") && !key.may_access("api"));
    let admin = store
        .create_api_key(&NewApiKey {
            name: "admin".into(),
            scope: Scope::Admin,
            products: None,
        })
        .await
        .unwrap();
    assert!(admin.key.may_access("anything"));

    let mut wrong = created.secret.clone();
    let last = wrong.pop().unwrap();
    wrong.push(if last == 'A' { 'B' } else { 'A' });
    assert_eq!(store.api_key_by_secret(&wrong).await.unwrap(), None);
    assert_eq!(
        store.api_key_by_secret("Token nonsense").await.unwrap(),
        None
    );
    assert_eq!(store.api_key_by_secret("").await.unwrap(), None);

    let listed = store.list_api_keys().await.unwrap();
    assert_eq!(listed.len(), 2);
    assert!(listed.iter().all(|k| k.revoked_at.is_none()));
    store.revoke_api_key(created.key.id).await.unwrap();
    assert_eq!(
        store.api_key_by_secret(&created.secret).await.unwrap(),
        None
    );
    assert!(store
        .api_key_by_secret(&admin.secret)
        .await
        .unwrap()
        .is_some());
    let listed = store.list_api_keys().await.unwrap();
    assert!(listed[0].revoked_at.is_some());
    assert!(matches!(
        store.revoke_api_key(crate::ApiKeyId(999_999)).await,
        Err(Error::NotFound {
            what: "api key",
            ..
        })
    ));
    assert!(matches!(
        store
            .create_api_key(&NewApiKey {
                name: " ".into(),
                scope: Scope::Read,
                products: None
            })
            .await,
        Err(Error::Invalid { .. })
    ));
}

pub async fn users(store: Arc<dyn Store>) {
    let new = NewUser {
        username: "ana".into(),
        password: "correct horse battery".into(),
        scope: Scope::Triage,
    };
    let user = store.create_user(&new).await.unwrap();
    assert_eq!((user.username.as_str(), user.scope), ("ana", Scope::Triage));
    assert!(!format!("{new:?}").contains("horse"));
    assert!(matches!(
        store.create_user(&new).await,
        Err(Error::Conflict { what: "user", .. })
    ));
    assert_eq!(
        store
            .verify_user("ana", "correct horse battery")
            .await
            .unwrap(),
        Some(user)
    );
    assert_eq!(store.verify_user("ana", "wrong").await.unwrap(), None);
    let listed = store.list_users().await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(
        (listed[0].username.as_str(), listed[0].scope),
        ("ana", Scope::Triage)
    );
    assert_eq!(
        store
            .verify_user("bob", "correct horse battery")
            .await
            .unwrap(),
        None
    );
    let empty = NewUser {
        password: String::new(),
        username: "bob".into(),
        ..new
    };
    assert!(matches!(
        store.create_user(&empty).await,
        Err(Error::Invalid {
            field: "password",
            ..
        })
    ));
}

pub async fn concurrent_reimports_leave_no_duplicates(store: Arc<dyn Store>) {
    let findings = report("Trivy", 300);
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let store = store.clone();
        let request = import_on(0, "web", "main", findings.clone()).reimport();
        tasks.push(tokio::spawn(async move { store.import(request).await }));
    }
    let mut n_new = 0;
    let mut tests = HashSet::new();
    for task in tasks {
        let outcome = task.await.unwrap().unwrap();
        n_new += outcome.new.len();
        tests.insert(outcome.test.id);
    }
    assert_eq!(n_new, 300, "every finding is new exactly once");
    assert_eq!(tests.len(), 1, "all reimports went into one test");
    assert_eq!(store.list_products().await.unwrap().len(), 1);
    let product = store.product_by_name("web").await.unwrap().unwrap();
    assert_eq!(store.list_engagements(product.id).await.unwrap().len(), 1);
    let counts = store
        .count_findings(&FindingFilter::default())
        .await
        .unwrap();
    assert_eq!(counts.total, 300);

    // Concurrent imports into different engagements of one product: still one finding each.
    let mut tasks = Vec::new();
    for i in 0..8 {
        let store = store.clone();
        let request = import_on(1, "web", &format!("branch-{i}"), findings.clone());
        tasks.push(tokio::spawn(async move { store.import(request).await }));
    }
    for task in tasks {
        task.await.unwrap().unwrap();
    }
    assert_eq!(
        store
            .count_findings(&FindingFilter::default())
            .await
            .unwrap()
            .total,
        300
    );
    let detail = store
        .finding(FindingId(
            by_fingerprint(&*store, product.id, &findings[0].fingerprint)
                .await
                .id
                .0,
        ))
        .await
        .unwrap();
    assert_eq!(detail.sources.len(), 9);
}

pub async fn failed_import_leaves_nothing(store: Arc<dyn Store>) {
    // A fingerprint longer than the database accepts, after 500 good findings: the product,
    // engagement, test and findings written before it are all rolled back.
    let mut findings = report("Trivy", 500);
    let mut bad = dependency("Trivy", "CVE-2099-1", "bad", Severity::High);
    bad.fingerprint = "f".repeat(300);
    findings.push(bad.clone());
    let failed = store.import(import_on(0, "web", "main", findings)).await;
    assert!(failed.is_err(), "{failed:?}");
    assert_eq!(store.product_by_name("web").await.unwrap(), None);
    assert_eq!(
        store
            .count_findings(&FindingFilter::default())
            .await
            .unwrap()
            .total,
        0
    );

    let good = report("Trivy", 10);
    let first = store
        .import(import_on(0, "web", "main", good.clone()).reimport())
        .await
        .unwrap();
    let mut changed = report("Trivy", 20);
    changed.push(bad);
    let mut request = import_on(1, "web", "main", changed).reimport();
    request.close_old_findings = true;
    assert!(store.import(request).await.is_err());
    let stored = all_findings(&*store, FindingFilter::default()).await;
    assert_eq!(stored.len(), 10);
    assert!(stored
        .iter()
        .all(|f| f.last_seen == day(0) && f.status == Status::Open));
    let tests = store.list_tests(first.engagement.id).await.unwrap();
    assert_eq!(tests, [first.test]);
}

/// 10,000 findings imported, reimported unchanged, then reimported with a tenth replaced:
/// catches quadratic work (not timed here; see bench/store.sh).
pub async fn large_report_twice(store: Arc<dyn Store>) {
    let findings = report("Trivy", 11_000);
    let (first_part, rest) = findings.split_at(10_000);
    let first = store
        .import(import_on(0, "web", "main", first_part.to_vec()).reimport())
        .await
        .unwrap();
    assert_eq!(first.new.len(), 10_000);
    let again = store
        .import(import_on(1, "web", "main", first_part.to_vec()).reimport())
        .await
        .unwrap();
    assert_eq!((again.new.len(), again.unchanged.len()), (0, 10_000));
    let mut shifted = first_part[1_000..].to_vec();
    shifted.extend_from_slice(rest);
    let mut request = import_on(2, "web", "main", shifted).reimport();
    request.close_old_findings = true;
    let third = store.import(request).await.unwrap();
    assert_eq!(
        (third.new.len(), third.unchanged.len(), third.closed.len()),
        (1_000, 9_000, 1_000)
    );
    let counts = store
        .count_findings(&FindingFilter::default())
        .await
        .unwrap();
    assert_eq!(counts.total, 11_000);
    assert_eq!(counts.by_status.get(&Status::Mitigated), Some(&1_000));
}

/// How long the import benchmark's steps took.
#[derive(Debug, Clone)]
pub struct BenchTimes {
    /// Filling the store, per batch.
    pub seed: Vec<std::time::Duration>,
    /// Importing the report: mostly known findings, some new.
    pub import: std::time::Duration,
    /// Reimporting the same report into the same test.
    pub reimport: std::time::Duration,
    /// One page of 50 open high-or-worse findings of the product, sorted by severity.
    pub query_page: std::time::Duration,
}

/// The import benchmark: `n_stored` findings stored in one product (in batches of 100,000,
/// each its own engagement), then a report of `n_report` findings, nine tenths of them
/// already stored, imported into a new engagement and reimported unchanged.
pub async fn bench_import(store: &dyn Store, n_stored: usize, n_report: usize) -> BenchTimes {
    use std::time::Instant;
    let mut seed = Vec::new();
    let mut start = 0;
    while start < n_stored {
        let end = (start + 100_000).min(n_stored);
        let batch = numbered("Trivy", start..end);
        let began = Instant::now();
        store
            .import(import_on(0, "bench", &format!("seed-{start}"), batch))
            .await
            .unwrap();
        seed.push(began.elapsed());
        start = end;
    }
    let known = n_report - n_report / 10;
    let first_known = n_stored.saturating_sub(known);
    let mut report = numbered("Trivy", first_known..n_stored);
    report.extend(numbered(
        "Trivy",
        n_stored..n_stored + (n_report - report.len()),
    ));
    let began = Instant::now();
    let request = import_on(1, "bench", "main", report.clone()).reimport();
    let outcome = store.import(request).await.unwrap();
    let import = began.elapsed();
    assert_eq!(outcome.new.len() + outcome.unchanged.len(), n_report);
    let began = Instant::now();
    let mut request = import_on(2, "bench", "main", report).reimport();
    request.close_old_findings = true;
    let again = store.import(request).await.unwrap();
    let reimport = began.elapsed();
    assert_eq!(again.unchanged.len(), n_report);
    let query = FindingQuery {
        filter: FindingFilter {
            statuses: vec![Status::Open],
            min_severity: Some(Severity::High),
            ..FindingFilter::product(outcome.product.id)
        },
        limit: 50,
        ..FindingQuery::default()
    };
    let began = Instant::now();
    let page = store.find_findings(&query).await.unwrap();
    let query_page = began.elapsed();
    assert_eq!(page.findings.len(), 50.min(n_stored + n_report));
    BenchTimes {
        seed,
        import,
        reimport,
        query_page,
    }
}

/// The seed_dashboard examples' command line after the store's location
/// (`[PRODUCTS] [PER_PRODUCT]`, defaults 200 and 5,000): seeds `store` and says how long it
/// took.
pub async fn seed_dashboard_from_args(
    backend: &str,
    store: &dyn Store,
    args: impl Iterator<Item = String>,
) {
    let mut numbers = args.map(|a| a.parse::<usize>().expect("a number"));
    let products = numbers.next().unwrap_or(200);
    let per_product = numbers.next().unwrap_or(5_000);
    let began = std::time::Instant::now();
    let n = seed_dashboard(store, products, per_product, OffsetDateTime::now_utc()).await;
    #[allow(clippy::print_stdout)]
    {
        println!(
            "{backend}: {n} findings in {products} products, seeded in {:.1?}",
            began.elapsed()
        );
    }
}

/// Seeds a dashboard benchmark: `products` products of `per_product` findings each, first
/// imported on a day spread over the year before `today` (product `p` on day `p % 365`
/// before), reimported 30 days later where that is not after `today` with a tenth of the
/// findings gone (closed) and a twentieth new. Findings cycle through severities, and one in
/// five is a secret or code finding; the same CVEs recur across products. A hundredth of
/// each product is accepted for 14 days, from its reimport: most of those acceptances have
/// ended. Returns the number of findings stored.
pub async fn seed_dashboard(
    store: &dyn Store,
    products: usize,
    per_product: usize,
    today: OffsetDateTime,
) -> usize {
    let finding = |i: usize| {
        let severity = Severity::ALL[i % Severity::ALL.len()];
        let mut f = match i % 10 {
            3 => {
                let mut f = Finding::new("gitleaks", Category::Secret, format!("Key in file {i}"));
                f.location.file = Some(ward_core::FileLocation::new(
                    format!("config/{i}.env"),
                    Some(1),
                ));
                f
            }
            7 => {
                let mut f = Finding::new("semgrep", Category::Sast, format!("Injection {i}"));
                f.location.file = Some(ward_core::FileLocation::new(
                    format!("src/handler_{i}.py"),
                    Some(7),
                ));
                f.add_id(&format!("CWE-{}", 20 + i % 60));
                f
            }
            _ => {
                return dependency(
                    "Trivy",
                    &format!("CVE-2024-{:05}", i % 20_000),
                    &format!("pkg-{i}"),
                    severity,
                )
            }
        };
        f.severity = severity;
        f.fingerprint = fingerprint::of(&f);
        f
    };
    let mut stored = 0;
    for p in 0..products {
        let name = format!("product-{p:03}");
        let first = -((p % 365) as i64);
        let on = |n: i64| today + Duration::days(n);
        let mut request = import_on(0, &name, "main", (0..per_product).map(finding).collect());
        request.now = Some(on(first));
        store.import(request).await.unwrap();
        stored += per_product;
        if first + 30 > 0 {
            continue;
        }
        let (gone, new) = (per_product / 10, per_product / 20);
        let mut request = import_on(
            0,
            &name,
            "main",
            (gone..per_product + new).map(finding).collect(),
        )
        .reimport();
        request.now = Some(on(first + 30));
        request.close_old_findings = true;
        let outcome = store.import(request).await.unwrap();
        stored += new;
        let mut accept = Triage::new(
            TriageAction::AcceptRisk {
                until: Some(on(first + 44)),
            },
            "bench",
        );
        accept.at = Some(on(first + 30));
        let accepted = outcome.unchanged.len() / 100;
        store
            .triage(&outcome.unchanged[..accepted], &accept)
            .await
            .unwrap();
    }
    stored
}

fn channel(name: &str, config: &str) -> NewChannel {
    NewChannel {
        name: name.to_owned(),
        kind: "webhook".to_owned(),
        config: config.to_owned(),
    }
}

fn message(channel: &str, n: usize) -> NewMessage {
    NewMessage {
        channel: channel.to_owned(),
        kind: "finding.new".to_owned(),
        event: format!(r#"{{"id":"e{n}"}}"#),
    }
}

pub async fn channels_and_rules(store: Arc<dyn Store>) {
    let a = store
        .create_channel(&channel("ops", "v1:k:aaa"))
        .await
        .unwrap();
    assert_eq!((a.name.as_str(), a.config.as_str()), ("ops", "v1:k:aaa"));
    assert!(matches!(
        store.create_channel(&channel("ops", "x")).await,
        Err(Error::Conflict { .. })
    ));
    store
        .create_channel(&channel("audit", "v1:k:bbb"))
        .await
        .unwrap();
    let names: Vec<String> = store
        .list_channels()
        .await
        .unwrap()
        .into_iter()
        .map(|c| c.name)
        .collect();
    assert_eq!(names, ["audit", "ops"]);

    let rule = store
        .create_rule("ops", r#"{"channel":"ops"}"#)
        .await
        .unwrap();
    store.create_rule("audit", "{}").await.unwrap();
    assert!(matches!(
        store.create_rule("nope", "{}").await,
        Err(Error::NotFound { .. })
    ));
    // A rename carries the rules along.
    let renamed = store
        .update_channel("ops", &channel("security", "v1:k:ccc"))
        .await
        .unwrap();
    assert_eq!(renamed.id, a.id);
    assert_eq!(
        store
            .channel_by_name("security")
            .await
            .unwrap()
            .unwrap()
            .config,
        "v1:k:ccc"
    );
    assert!(store.channel_by_name("ops").await.unwrap().is_none());
    let rules = store.list_rules().await.unwrap();
    assert_eq!(rules.len(), 2);
    assert_eq!(
        (rules[0].id, rules[0].channel.as_str()),
        (rule.id, "security")
    );

    store.delete_rule(rule.id).await.unwrap();
    assert!(matches!(
        store.delete_rule(rule.id).await,
        Err(Error::NotFound { .. })
    ));
    store.delete_channel("audit").await.unwrap();
    assert!(
        store.list_rules().await.unwrap().is_empty(),
        "rules go with their channel"
    );
    assert!(matches!(
        store.delete_channel("audit").await,
        Err(Error::NotFound { .. })
    ));
}

pub async fn outbox_lifecycle(store: Arc<dyn Store>) {
    let messages: Vec<NewMessage> = (0..4).map(|n| message("ops", n)).collect();
    let ids = store.enqueue(&messages, day(0)).await.unwrap();
    assert_eq!(ids.len(), 4);

    // Nothing is due before it was queued; a claim leases what it takes.
    assert!(store
        .claim_messages(day(0) - Duration::seconds(1), 10, day(1))
        .await
        .unwrap()
        .is_empty());
    let first = store.claim_messages(day(0), 3, day(1)).await.unwrap();
    let first_ids: Vec<i64> = first.iter().map(|m| m.id).collect();
    assert_eq!(first_ids, ids[..3]);
    assert_eq!(first[0].event, r#"{"id":"e0"}"#);
    let second = store.claim_messages(day(0), 10, day(1)).await.unwrap();
    assert_eq!(second.iter().map(|m| m.id).collect::<Vec<_>>(), ids[3..]);
    assert!(store
        .claim_messages(day(0), 10, day(1))
        .await
        .unwrap()
        .is_empty());

    // Sent, retried, dead.
    store
        .record_attempt(ids[0], &Attempt::Sent(day(0)))
        .await
        .unwrap();
    store
        .record_attempt(
            ids[1],
            &Attempt::Retry {
                error: "HTTP 500".into(),
                next_attempt_at: day(0) + Duration::seconds(30),
            },
        )
        .await
        .unwrap();
    store
        .record_attempt(
            ids[2],
            &Attempt::Dead {
                error: "HTTP 404".into(),
            },
        )
        .await
        .unwrap();
    // A late report on a sent message changes nothing.
    store
        .record_attempt(
            ids[0],
            &Attempt::Dead {
                error: "late".into(),
            },
        )
        .await
        .unwrap();

    // The retry is due at its time; after the lease ends the unmarked one comes back;
    // the sent and dead ones never do.
    let retry = store
        .claim_messages(day(0) + Duration::seconds(30), 10, day(1))
        .await
        .unwrap();
    assert_eq!(retry.len(), 1);
    assert_eq!((retry[0].id, retry[0].attempts), (ids[1], 1));
    assert_eq!(retry[0].last_error.as_deref(), Some("HTTP 500"));
    let after_lease = store.claim_messages(day(2), 10, day(3)).await.unwrap();
    let mut back: Vec<i64> = after_lease.iter().map(|m| m.id).collect();
    back.sort_unstable();
    assert_eq!(back, [ids[1], ids[3]]);

    let dead = store
        .list_messages(Some(MessageState::Dead), 10)
        .await
        .unwrap();
    assert_eq!(dead.len(), 1);
    assert_eq!((dead[0].id, dead[0].attempts), (ids[2], 1));
    assert_eq!(dead[0].last_error.as_deref(), Some("HTTP 404"));
    let sent = store
        .list_messages(Some(MessageState::Sent), 10)
        .await
        .unwrap();
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].sent_at, Some(day(0)));
    assert_eq!(store.list_messages(None, 10).await.unwrap().len(), 4);
}

/// Messages queued through one store instance are delivered through another on the same
/// database (a restart), and a sent message is never claimed again, whichever instance asks.
pub async fn outbox_survives_reopen(first: Arc<dyn Store>, reopen: Arc<dyn Store>) {
    let ids = first
        .enqueue(&[message("ops", 0), message("ops", 1)], day(0))
        .await
        .unwrap();
    // The first instance claims both, delivers one, and "crashes" before the other.
    let claimed = first
        .claim_messages(day(0), 10, day(0) + Duration::minutes(5))
        .await
        .unwrap();
    assert_eq!(claimed.len(), 2);
    first
        .record_attempt(ids[0], &Attempt::Sent(day(0)))
        .await
        .unwrap();
    drop(first);

    assert!(reopen
        .claim_messages(day(0), 10, day(1))
        .await
        .unwrap()
        .is_empty());
    let again = reopen
        .claim_messages(day(0) + Duration::minutes(5), 10, day(1))
        .await
        .unwrap();
    assert_eq!(again.iter().map(|m| m.id).collect::<Vec<_>>(), [ids[1]]);
    reopen
        .record_attempt(ids[1], &Attempt::Sent(day(0)))
        .await
        .unwrap();
    assert!(reopen
        .claim_messages(day(9), 10, day(10))
        .await
        .unwrap()
        .is_empty());
    assert_eq!(
        reopen
            .list_messages(Some(MessageState::Sent), 10)
            .await
            .unwrap()
            .len(),
        2
    );
}

pub async fn hooks_and_triggers(store: Arc<dyn Store>) {
    let product = store
        .create_product(&NewProduct {
            name: "shop".into(),
            ..NewProduct::default()
        })
        .await
        .unwrap();
    assert_eq!(store.product_hook(product.id).await.unwrap(), None);
    let mut hook = ProductHook {
        secret: "v1:k:sealed".into(),
        branches: vec!["main".into(), "release/*".into()],
        scanners: None,
        git_token: None,
    };
    store.set_product_hook(product.id, &hook).await.unwrap();
    hook.branches.push("feature/**".into());
    hook.scanners = Some(vec!["secrets".into(), "deps".into()]);
    hook.git_token = Some("v1:k:token".into());
    store.set_product_hook(product.id, &hook).await.unwrap();
    assert_eq!(store.product_hook(product.id).await.unwrap(), Some(hook));

    let engagement = store
        .create_engagement(
            product.id,
            &NewEngagement {
                name: "feature/x".into(),
                description: None,
            },
        )
        .await
        .unwrap();
    assert_eq!(engagement.closed_at, None);
    let trigger = |kind: &str| NewTrigger {
        product: product.id,
        provider: "gitlab".into(),
        kind: kind.into(),
        branch: "feature/x".into(),
        commit_sha: Some("abc".into()),
        clone_url: "https://gitlab.example/shop.git".into(),
        data: "{}".into(),
        job: None,
    };
    let push = store
        .record_trigger(&NewTrigger {
            job: Some(scan_job("shop", 1)),
            ..trigger("push")
        })
        .await
        .unwrap();
    assert!(!push.closed_engagement);
    let job = push.trigger.job.expect("the push queued its scan job");
    assert_eq!(
        store.job(job).await.unwrap().payload,
        scan_job("shop", 1).payload
    );
    let deleted = store
        .record_trigger(&trigger("delete_branch"))
        .await
        .unwrap();
    assert!(deleted.closed_engagement);
    assert!(store
        .engagement(engagement.id)
        .await
        .unwrap()
        .closed_at
        .is_some());
    let again = store
        .record_trigger(&trigger("delete_branch"))
        .await
        .unwrap();
    assert!(!again.closed_engagement, "already closed");
    let listed = store.list_triggers(product.id).await.unwrap();
    assert_eq!(
        listed.iter().map(|t| t.kind.as_str()).collect::<Vec<_>>(),
        ["push", "delete_branch", "delete_branch"]
    );
    assert_eq!(listed[0], push.trigger);
    assert_eq!(listed[1].job, None);
}

fn scan_job(product: &str, n: usize) -> crate::JobRequest {
    crate::JobRequest {
        kind: "scan".to_string(),
        product: Some(product.to_string()),
        payload: serde_json::json!({ "n": n }),
        result_key: format!("reports/job-{n}.json"),
        max_attempts: 3,
    }
}

pub async fn jobs_are_claimed_once(store: Arc<dyn Store>) {
    let n_jobs = 40;
    for n in 0..n_jobs {
        store.enqueue_job(&scan_job("shop", n)).await.unwrap();
    }
    let now = OffsetDateTime::now_utc();
    let mut claimers = Vec::new();
    for worker in 0..4 {
        let store = Arc::clone(&store);
        claimers.push(tokio::spawn(async move {
            let name = format!("worker-{worker}");
            let mut claimed = Vec::new();
            while let Some(job) = store
                .claim_job(&name, now, Duration::minutes(5))
                .await
                .unwrap()
            {
                assert_eq!(job.worker.as_deref(), Some(name.as_str()));
                store
                    .complete_job(job.id, &name, std::slice::from_ref(&job.result_key), now)
                    .await
                    .unwrap();
                claimed.push(job.id);
            }
            claimed
        }));
    }
    let mut all = Vec::new();
    for claimer in claimers {
        all.extend(claimer.await.unwrap());
    }
    let unique: HashSet<_> = all.iter().copied().collect();
    assert_eq!(all.len(), n_jobs, "every job claimed");
    assert_eq!(unique.len(), n_jobs, "no job claimed twice");
    let done = store
        .list_jobs(&crate::JobFilter {
            state: Some(crate::JobState::Succeeded),
            limit: 1000,
            ..crate::JobFilter::default()
        })
        .await
        .unwrap();
    assert_eq!(done.len(), n_jobs);
    assert!(done
        .iter()
        .all(|job| job.attempts == 1 && job.finished_at.is_some()));
    assert_eq!(done[0].result_keys, vec![done[0].result_key.clone()]);
}

pub async fn expired_lease_is_reclaimed(store: Arc<dyn Store>) {
    let mut request = scan_job("shop", 1);
    request.max_attempts = 2;
    let queued = store.enqueue_job(&request).await.unwrap();
    assert_eq!(queued.state, crate::JobState::Queued);
    let t0 = OffsetDateTime::now_utc();
    let lease = Duration::seconds(30);
    let first = store.claim_job("a", t0, lease).await.unwrap().unwrap();
    assert_eq!((first.attempts, first.state), (1, crate::JobState::Running));
    // Held: nobody else gets it, and a heartbeat moves the lease on.
    assert!(store.claim_job("b", t0, lease).await.unwrap().is_none());
    let extended = store
        .extend_job_lease(first.id, "a", t0 + Duration::seconds(60))
        .await
        .unwrap();
    assert_eq!(
        extended.lease_expires_at,
        Some(crate::codec::truncate(t0 + Duration::seconds(60)))
    );
    assert!(store
        .claim_job("b", t0 + Duration::seconds(45), lease)
        .await
        .unwrap()
        .is_none());
    // Worker a stops heartbeating: b takes the job over once the lease has run out.
    let t1 = t0 + Duration::seconds(61);
    let second = store.claim_job("b", t1, lease).await.unwrap().unwrap();
    assert_eq!(second.id, first.id);
    assert_eq!((second.attempts, second.worker.as_deref()), (2, Some("b")));
    // a comes back: it no longer holds the job.
    let late = store
        .complete_job(first.id, "a", &[], t1)
        .await
        .unwrap_err();
    assert!(matches!(late, Error::Conflict { .. }), "{late:?}");
    // b dies too, on the last attempt: the next claimer gets the job only to fail it.
    let t2 = t1 + Duration::seconds(31);
    let exhausted = store.claim_job("c", t2, lease).await.unwrap().unwrap();
    assert!(exhausted.is_exhausted());
    assert_eq!(exhausted.attempts, 3);
    let failure = crate::JobFailure {
        error: crate::jobs::LEASE_EXPIRED.to_string(),
        retry: true,
        backoff: Duration::seconds(1),
    };
    let failed = store.fail_job(first.id, "c", &failure, t2).await.unwrap();
    assert_eq!(failed.state, crate::JobState::Failed, "no attempts left");
    assert_eq!(failed.error.as_deref(), Some(crate::jobs::LEASE_EXPIRED));
    assert_eq!(failed.finished_at, Some(crate::codec::truncate(t2)));
    assert!(store
        .claim_job("d", t2 + Duration::hours(2), lease)
        .await
        .unwrap()
        .is_none());
}

pub async fn failed_jobs_retry_with_backoff(store: Arc<dyn Store>) {
    let job = store.enqueue_job(&scan_job("shop", 1)).await.unwrap();
    let failure = crate::JobFailure {
        error: "git clone failed".to_string(),
        retry: true,
        backoff: Duration::seconds(10),
    };
    let lease = Duration::minutes(5);
    let t0 = OffsetDateTime::now_utc();
    store.claim_job("w", t0, lease).await.unwrap().unwrap();
    let retried = store.fail_job(job.id, "w", &failure, t0).await.unwrap();
    assert_eq!(retried.state, crate::JobState::Queued);
    assert_eq!(retried.error.as_deref(), Some("git clone failed"));
    assert_eq!(
        retried.not_before,
        crate::codec::truncate(t0 + Duration::seconds(10))
    );
    // Not before the backoff has passed.
    assert!(store
        .claim_job("w", t0 + Duration::seconds(5), lease)
        .await
        .unwrap()
        .is_none());
    let t1 = t0 + Duration::seconds(10);
    store.claim_job("w", t1, lease).await.unwrap().unwrap();
    let retried = store.fail_job(job.id, "w", &failure, t1).await.unwrap();
    assert_eq!(
        retried.not_before,
        crate::codec::truncate(t1 + Duration::seconds(20)),
        "the backoff doubles"
    );
    let t2 = t1 + Duration::seconds(20);
    let third = store.claim_job("w", t2, lease).await.unwrap().unwrap();
    assert_eq!(third.attempts, 3);
    let failed = store.fail_job(job.id, "w", &failure, t2).await.unwrap();
    assert_eq!(
        failed.state,
        crate::JobState::Failed,
        "max attempts reached"
    );
    assert_eq!(failed.finished_at, Some(crate::codec::truncate(t2)));
    assert!(store
        .claim_job("w", t2 + Duration::hours(2), lease)
        .await
        .unwrap()
        .is_none());

    // A failure that says retrying is useless ends the job on its first attempt.
    let other = store.enqueue_job(&scan_job("shop", 2)).await.unwrap();
    store.claim_job("w", t2, lease).await.unwrap().unwrap();
    let no_retry = crate::JobFailure {
        retry: false,
        ..failure
    };
    let failed = store.fail_job(other.id, "w", &no_retry, t2).await.unwrap();
    assert_eq!(
        (failed.state, failed.attempts),
        (crate::JobState::Failed, 1)
    );
}

pub async fn jobs_release_list_and_refuse_strangers(store: Arc<dyn Store>) {
    let mut invalid = scan_job("shop", 0);
    invalid.max_attempts = 0;
    assert!(matches!(
        store.enqueue_job(&invalid).await,
        Err(Error::Invalid { .. })
    ));
    let shop = store.enqueue_job(&scan_job("shop", 1)).await.unwrap();
    let blog = store.enqueue_job(&scan_job("blog", 2)).await.unwrap();
    assert_eq!(store.job(shop.id).await.unwrap(), shop);
    assert_eq!(shop.payload, serde_json::json!({ "n": 1 }));

    let now = OffsetDateTime::now_utc();
    let claimed = store
        .claim_job("w", now, Duration::minutes(1))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(claimed.id, shop.id, "oldest first");
    assert!(matches!(
        store.extend_job_lease(shop.id, "intruder", now).await,
        Err(Error::Conflict { .. })
    ));
    assert!(matches!(
        store.release_job(blog.id, "w").await,
        Err(Error::Conflict { .. })
    ));
    assert!(matches!(
        store.job(crate::JobId(999_999)).await,
        Err(Error::NotFound { .. })
    ));
    let released = store.release_job(shop.id, "w").await.unwrap();
    assert_eq!(
        (released.state, released.attempts),
        (crate::JobState::Queued, 0)
    );

    let shop_jobs = store
        .list_jobs(&crate::JobFilter {
            product: Some("shop".to_string()),
            ..crate::JobFilter::default()
        })
        .await
        .unwrap();
    assert_eq!(
        shop_jobs.iter().map(|j| j.id).collect::<Vec<_>>(),
        vec![shop.id]
    );
    let all = store.list_jobs(&crate::JobFilter::default()).await.unwrap();
    assert_eq!(
        all.iter().map(|j| j.id).collect::<Vec<_>>(),
        vec![blog.id, shop.id]
    );
}

/// A message per import naming how many findings it created, and one per finding seen again.
fn import_messages(fail: bool) -> ImportMessages {
    ImportMessages(Arc::new(move |imported: &Imported<'_>| {
        if fail {
            return Err(Error::invalid("messages", "the builder refused"));
        }
        let n_new = imported.findings.iter().filter(|f| f.is_new).count();
        assert_eq!(n_new, imported.outcome.new.len());
        let mut messages = vec![NewMessage {
            channel: "ops".into(),
            kind: "scan.completed".into(),
            event: format!(r#"{{"test":{},"new":{n_new}}}"#, imported.outcome.test.id.0),
        }];
        messages.extend(
            imported
                .findings
                .iter()
                .filter(|f| !f.is_new)
                .map(|f| NewMessage {
                    channel: "ops".into(),
                    kind: "finding.seen".into(),
                    event: format!(r#"{{"id":{},"title":"{}"}}"#, f.id.0, f.finding.title),
                }),
        );
        Ok(messages)
    }))
}

async fn outbox(store: &dyn Store) -> Vec<String> {
    let mut events: Vec<String> = store
        .list_messages(None, 1000)
        .await
        .unwrap()
        .into_iter()
        .map(|m| m.event)
        .collect();
    events.sort();
    events
}

pub async fn import_and_its_messages_commit_together(store: Arc<dyn Store>) {
    // A failing builder rolls the whole import back: no product, no findings, no message.
    let mut request = import_on(0, "web", "main", report("Trivy", 3));
    request.messages = Some(import_messages(true));
    assert!(matches!(
        store.import(request).await,
        Err(Error::Invalid {
            field: "messages",
            ..
        })
    ));
    assert_eq!(store.product_by_name("web").await.unwrap(), None);
    assert!(outbox(&*store).await.is_empty());

    // A database failure after the builder ran (a fingerprint too long for its column) leaves
    // no message either.
    let mut findings = report("Trivy", 3);
    let mut bad = dependency("Trivy", "CVE-2099-1", "bad", Severity::High);
    bad.fingerprint = "f".repeat(300);
    findings.push(bad);
    let mut request = import_on(0, "web", "main", findings);
    request.messages = Some(import_messages(false));
    assert!(store.import(request).await.is_err());
    assert!(outbox(&*store).await.is_empty());

    // A successful import leaves exactly its messages; a reimport sees its findings again.
    let mut request = import_on(0, "web", "main", report("Trivy", 3));
    request.messages = Some(import_messages(false));
    let first = store.import(request).await.unwrap();
    assert_eq!(
        outbox(&*store).await,
        [format!(r#"{{"test":{},"new":3}}"#, first.test.id.0)]
    );
    let mut request = import_on(1, "web", "main", report("Trivy", 2)).reimport();
    request.messages = Some(import_messages(false));
    let second = store.import(request).await.unwrap();
    let mut expected = vec![
        format!(r#"{{"test":{},"new":3}}"#, first.test.id.0),
        format!(r#"{{"test":{},"new":0}}"#, second.test.id.0),
    ];
    let titles = report("Trivy", 2);
    for (id, finding) in first.new.iter().zip(&titles) {
        expected.push(format!(r#"{{"id":{},"title":"{}"}}"#, id.0, finding.title));
    }
    expected.sort();
    assert_eq!(outbox(&*store).await, expected);
    // Without a builder nothing is queued.
    store
        .import(import_on(2, "web", "main", report("Trivy", 5)).reimport())
        .await
        .unwrap();
    assert_eq!(outbox(&*store).await.len(), expected.len());
}

fn breach_messages(breaches: &[SlaBreach]) -> crate::Result<Vec<NewMessage>> {
    Ok(breaches
        .iter()
        .map(|b| NewMessage {
            channel: "ops".into(),
            kind: "sla.breached".into(),
            event: format!(
                r#"{{"product":"{}","finding":{},"severity":"{}"}}"#,
                b.product, b.id.0, b.severity
            ),
        })
        .collect())
}

pub async fn sla_breaches_are_notified_once(store: Arc<dyn Store>) {
    let findings = vec![
        dependency("Trivy", "CVE-1", "a", Severity::Critical),
        dependency("Trivy", "CVE-2", "b", Severity::High),
        dependency("Trivy", "CVE-3", "c", Severity::Info),
    ];
    let outcome = store
        .import(import_on(0, "web", "main", findings))
        .await
        .unwrap();
    let [critical, high, _info]: [FindingId; 3] = outcome.new.clone().try_into().unwrap();
    store
        .import(import_on(0, "api", "main", report("Trivy", 1)))
        .await
        .unwrap();

    assert!(store
        .notify_sla_breaches(day(7), &breach_messages)
        .await
        .unwrap()
        .is_empty());
    // Day 8: both products' criticals (due on day 7), product by product.
    let breaches = store
        .notify_sla_breaches(day(8), &breach_messages)
        .await
        .unwrap();
    assert_eq!(
        breaches
            .iter()
            .map(|b| (b.product.as_str(), b.severity))
            .collect::<Vec<_>>(),
        [("api", Severity::Critical), ("web", Severity::Critical)]
    );
    assert_eq!(breaches[1].id, critical);
    assert_eq!(breaches[1].sla_due, day(7));
    assert_eq!(breaches[1].location.as_deref(), Some("a"));
    assert_eq!(outbox(&*store).await.len(), 2);
    // Sent once: the same day again finds nothing, a month later only the high one.
    assert!(store
        .notify_sla_breaches(day(8), &breach_messages)
        .await
        .unwrap()
        .is_empty());
    let later = store
        .notify_sla_breaches(day(31), &breach_messages)
        .await
        .unwrap();
    assert_eq!(later.iter().map(|b| b.id).collect::<Vec<_>>(), [high]);
    assert_eq!(outbox(&*store).await.len(), 3);

    // A failing builder notifies nothing and marks nothing.
    let failing = |_: &[SlaBreach]| -> crate::Result<Vec<NewMessage>> {
        Err(Error::invalid("messages", "no"))
    };
    store
        .import(import_on(0, "ops", "main", report("Trivy", 1)))
        .await
        .unwrap();
    assert!(store.notify_sla_breaches(day(40), &failing).await.is_err());
    assert_eq!(outbox(&*store).await.len(), 3);
    let retried = store
        .notify_sla_breaches(day(40), &breach_messages)
        .await
        .unwrap();
    assert_eq!(
        retried
            .iter()
            .map(|b| b.product.as_str())
            .collect::<Vec<_>>(),
        ["ops"]
    );
}

pub async fn approvals_are_decided_once(store: Arc<dyn Store>) {
    let outcome = store
        .import(import_on(0, "web", "main", report("Trivy", 1)))
        .await
        .unwrap();
    let request = NewApproval {
        product: outcome.product.id,
        engagement: outcome.engagement.id,
        verdict: r#"{"passed":false}"#.into(),
        requested_by: "ci".into(),
    };
    let refuse =
        |_: &Approval| -> crate::Result<Vec<NewMessage>> { Err(Error::invalid("messages", "no")) };
    assert!(store.create_approval(&request, &refuse).await.is_err());
    assert!(outbox(&*store).await.is_empty());

    let announce = |a: &Approval| -> crate::Result<Vec<NewMessage>> {
        Ok(vec![NewMessage {
            channel: "ops".into(),
            kind: "approval.required".into(),
            event: format!(r#"{{"approval":{}}}"#, a.id),
        }])
    };
    let pending = store.create_approval(&request, &announce).await.unwrap();
    assert_eq!(pending.state, ApprovalState::Pending);
    assert_eq!(
        (pending.decided_by.as_deref(), pending.decided_at),
        (None, None)
    );
    assert_eq!(
        outbox(&*store).await,
        [format!(r#"{{"approval":{}}}"#, pending.id)]
    );
    assert_eq!(store.approval(pending.id).await.unwrap(), pending);

    let decision = |state| Decision {
        state,
        actor: "ann".into(),
        reason: "known issue, fixed next sprint".into(),
        now: day(3),
    };
    assert!(matches!(
        store
            .decide_approval(pending.id, &decision(ApprovalState::Pending))
            .await,
        Err(Error::Invalid { .. })
    ));
    let approved = store
        .decide_approval(pending.id, &decision(ApprovalState::Approved))
        .await
        .unwrap();
    assert_eq!(approved.state, ApprovalState::Approved);
    assert_eq!(approved.decided_by.as_deref(), Some("ann"));
    assert_eq!(approved.decided_at, Some(day(3)));
    assert_eq!(store.approval(pending.id).await.unwrap(), approved);
    assert!(matches!(
        store
            .decide_approval(pending.id, &decision(ApprovalState::Refused))
            .await,
        Err(Error::Conflict { .. })
    ));
    assert!(matches!(
        store.approval(pending.id + 100).await,
        Err(Error::NotFound { .. })
    ));
    assert!(matches!(
        store
            .decide_approval(pending.id + 100, &decision(ApprovalState::Refused))
            .await,
        Err(Error::NotFound { .. })
    ));
}

/// What [`populate`] made for one product.
struct Populated {
    product: ProductId,
    engagement: crate::EngagementId,
    test: TestId,
    findings: Vec<FindingId>,
    approval: crate::ApprovalId,
    jobs: Vec<crate::JobId>,
}

/// A product named `name` with a row in every table that holds product data: findings with
/// their data, links, identifiers and audit entries, notified SLA breaches, a webhook, a
/// trigger with its job, a queued scan job, an approval and a stored policy.
async fn populate(store: &dyn Store, name: &str) -> Populated {
    let outcome = store
        .import(import_on(0, name, "main", report("Trivy", 5)))
        .await
        .unwrap();
    let product = outcome.product.id;
    let mut fp = Triage::new(TriageAction::FalsePositive, "ana");
    fp.reason = Some("test code".into());
    store.triage(&outcome.new[..1], &fp).await.unwrap();
    store
        .notify_sla_breaches(day(400), &breach_messages)
        .await
        .unwrap();
    let hook = ProductHook {
        secret: "v1:k:sealed".into(),
        branches: vec!["main".into()],
        scanners: None,
        git_token: None,
    };
    store.set_product_hook(product, &hook).await.unwrap();
    let trigger = store
        .record_trigger(&NewTrigger {
            product,
            provider: "gitlab".into(),
            kind: "push".into(),
            branch: "main".into(),
            commit_sha: Some("abc".into()),
            clone_url: "https://gitlab.example/shop.git".into(),
            data: "{}".into(),
            job: Some(scan_job(name, 1)),
        })
        .await
        .unwrap();
    let queued = store.enqueue_job(&scan_job(name, 2)).await.unwrap();
    let announce = |a: &Approval| -> crate::Result<Vec<NewMessage>> {
        Ok(vec![NewMessage {
            channel: "ops".into(),
            kind: "approval.required".into(),
            event: format!(r#"{{"approval":{}}}"#, a.id),
        }])
    };
    let approval = store
        .create_approval(
            &NewApproval {
                product,
                engagement: outcome.engagement.id,
                verdict: r#"{"passed":false}"#.into(),
                requested_by: "ci".into(),
            },
            &announce,
        )
        .await
        .unwrap();
    store
        .set_product_policy(product, "[[gate.fail]]\nseverity = \"high\"\n")
        .await
        .unwrap();
    Populated {
        product,
        engagement: outcome.engagement.id,
        test: outcome.test.id,
        findings: outcome.new,
        approval: approval.id,
        jobs: vec![trigger.trigger.job.unwrap(), queued.id],
    }
}

/// Whether `result` is [`Error::NotFound`].
fn gone<T: std::fmt::Debug>(result: crate::Result<T>) -> bool {
    matches!(result, Err(Error::NotFound { .. }))
}

pub async fn delete_product_removes_everything(store: Arc<dyn Store>) {
    let a = populate(&*store, "a").await;
    let b = populate(&*store, "b").await;
    let b_findings = all_findings(&*store, FindingFilter::default())
        .await
        .into_iter()
        .filter(|f| f.product_id == b.product)
        .count();
    let mut keys = Vec::new();
    for products in [None, Some(vec!["a"]), Some(vec!["a", "b"]), Some(vec!["b"])] {
        let key = NewApiKey {
            name: format!("{products:?}"),
            scope: Scope::Admin,
            products: products.map(|p| p.into_iter().map(String::from).collect()),
        };
        keys.push(store.create_api_key(&key).await.unwrap().secret);
    }

    store.delete_product(a.product).await.unwrap();
    // Keys forget it; the key for a alone is revoked.
    let mut left = Vec::new();
    for secret in &keys {
        left.push(
            store
                .api_key_by_secret(secret)
                .await
                .unwrap()
                .map(|k| k.products),
        );
    }
    let b_only = Some(vec!["b".to_string()]);
    assert_eq!(left, [Some(None), None, Some(b_only.clone()), Some(b_only)]);
    assert_eq!(store.list_api_keys().await.unwrap().len(), 4);

    assert!(gone(store.delete_product(a.product).await), "deleted once");
    assert!(gone(store.product(a.product).await));
    assert_eq!(store.product_by_name("a").await.unwrap(), None);
    assert!(gone(store.engagement(a.engagement).await));
    assert!(gone(store.test(a.test).await));
    for id in &a.findings {
        assert!(gone(store.finding(*id).await), "finding {id:?}");
    }
    assert!(gone(store.approval(a.approval).await));
    for id in &a.jobs {
        assert!(gone(store.job(*id).await), "job {id:?}");
    }
    assert_eq!(store.product_hook(a.product).await.unwrap(), None);
    assert!(store.list_triggers(a.product).await.unwrap().is_empty());
    assert_eq!(store.product_policy(a.product).await.unwrap(), None);
    let a_jobs = JobFilter {
        product: Some("a".into()),
        limit: 100,
        ..JobFilter::default()
    };
    assert!(store.list_jobs(&a_jobs).await.unwrap().is_empty());

    // Product b is whole, and a new product may take a's name.
    let remaining = all_findings(&*store, FindingFilter::default()).await;
    assert!(remaining.iter().all(|f| f.product_id == b.product));
    assert_eq!(remaining.len(), b_findings);
    assert_eq!(store.finding(b.findings[0]).await.unwrap().history.len(), 1);
    assert!(store.approval(b.approval).await.is_ok());
    for id in &b.jobs {
        assert!(store.job(*id).await.is_ok());
    }
    assert!(store.product_hook(b.product).await.unwrap().is_some());
    assert_eq!(store.list_triggers(b.product).await.unwrap().len(), 1);
    assert!(store.product_policy(b.product).await.unwrap().is_some());
    assert!(gone(store.delete_product(ProductId(999_999)).await));
    populate(&*store, "a").await;
}

/// Deleting a product leaves no row of it in any table: `count_rows` counts the rows of
/// every table of the schema (the backend lists them from its catalog, so a new table is
/// covered). After creating product b, then product a, and deleting a, every count is back
/// to what it was with b alone, except the outbox (messages already queued are deliveries,
/// not product data).
pub async fn delete_product_leaves_no_rows<F, Fut>(store: Arc<dyn Store>, count_rows: F)
where
    F: Fn() -> Fut,
    Fut: Future<Output = BTreeMap<String, i64>>,
{
    populate(&*store, "b").await;
    let mut with_b = count_rows().await;
    let a = populate(&*store, "a").await;
    let mut with_both = count_rows().await;
    for table in [
        "products",
        "engagements",
        "tests",
        "findings",
        "finding_data",
        "finding_tests",
        "finding_identifiers",
        "finding_audit",
        "sla_notifications",
        "product_hooks",
        "triggers",
        "jobs",
        "approvals",
        "product_policies",
    ] {
        assert!(
            with_both.get(table) > with_b.get(table),
            "populate adds to {table}: {with_both:?}"
        );
    }
    store.delete_product(a.product).await.unwrap();
    let mut after = count_rows().await;
    for counts in [&mut with_b, &mut with_both, &mut after] {
        counts.remove("outbox");
    }
    assert_eq!(after, with_b);
}

pub async fn product_policies(store: Arc<dyn Store>) {
    let product = store
        .create_product(&NewProduct {
            name: "web".into(),
            ..NewProduct::default()
        })
        .await
        .unwrap();
    assert_eq!(store.product_policy(product.id).await.unwrap(), None);
    assert!(!store.delete_product_policy(product.id).await.unwrap());
    let first = store
        .set_product_policy(product.id, "[[gate.fail]]\nseverity = \"high\"\n")
        .await
        .unwrap();
    assert_eq!(store.product_policy(product.id).await.unwrap(), Some(first));
    let text = "# ünïcode kept as sent\n[[gate.fail]]\nseverity = \"critical\"\n";
    let second = store.set_product_policy(product.id, text).await.unwrap();
    assert_eq!(second.text, text);
    assert_eq!(
        store.product_policy(product.id).await.unwrap(),
        Some(second)
    );
    assert!(store.delete_product_policy(product.id).await.unwrap());
    assert_eq!(store.product_policy(product.id).await.unwrap(), None);
    assert!(gone(
        store.set_product_policy(ProductId(999_999), text).await
    ));
}

/// The dashboard's summary counts, which the store keeps as findings change, agree with
/// counting the findings themselves: through imports, a reimport that closes, adds and
/// changes severities, triage, acceptances that end before and after the expiry sweep, a
/// returning finding and the deletion of a product.
pub async fn summaries_match_the_findings(store: Arc<dyn Store>) {
    store
        .import(import_on(0, "web", "main", report("Trivy", 10)))
        .await
        .unwrap();
    let api = store
        .import(import_on(1, "api", "main", report("Trivy", 6)))
        .await
        .unwrap();
    let gone = store
        .import(import_on(1, "gone", "main", report("Grype", 4)))
        .await
        .unwrap();
    // Findings 0..3 vanish, 10..12 are new, 3 is now critical.
    let mut next = numbered("Trivy", 3..12);
    next[0].severity = Severity::Critical;
    let mut request = import_on(3, "web", "main", next).reimport();
    request.close_old_findings = true;
    let reimport = store.import(request).await.unwrap();
    assert_eq!((reimport.closed.len(), reimport.new.len()), (3, 2));
    let web = reimport.product.id;
    let mut web_ids: Vec<FindingId> = all_findings(&*store, FindingFilter::product(web))
        .await
        .iter()
        .map(|f| f.id)
        .collect();
    web_ids.sort();
    let at = |action: TriageAction, n: i64| {
        let mut triage = Triage::new(action, "ana");
        triage.at = Some(day(n));
        triage
    };
    store
        .triage(&web_ids[3..4], &at(TriageAction::FalsePositive, 4))
        .await
        .unwrap();
    let until = Some(day(6));
    store
        .triage(&web_ids[4..6], &at(TriageAction::AcceptRisk { until }, 4))
        .await
        .unwrap();
    store
        .triage(
            &api.new[..1],
            &at(TriageAction::AcceptRisk { until: None }, 4),
        )
        .await
        .unwrap();
    store
        .triage(&web_ids[6..7], &at(TriageAction::Mitigate, 4))
        .await
        .unwrap();
    store
        .triage(&web_ids[6..7], &at(TriageAction::Reopen, 5))
        .await
        .unwrap();
    // Finding 0 comes back.
    store
        .import(import_on(5, "web", "main", numbered("Trivy", 0..12)).reimport())
        .await
        .unwrap();
    store.delete_product(gone.product.id).await.unwrap();

    for n in [5, 7, 40] {
        summaries_agree(&*store, web, api.product.id, day(n)).await;
    }
    assert_eq!(
        store.expire_risk_acceptances(day(7)).await.unwrap().len(),
        2
    );
    for n in [7, 40] {
        summaries_agree(&*store, web, api.product.id, day(n)).await;
    }
}

/// Every summarised count at `now` equals the count over the findings (a filter on first
/// seen makes a store count the findings).
async fn summaries_agree(store: &dyn Store, web: ProductId, api: ProductId, now: OffsetDateTime) {
    let filters = [
        FindingFilter::default(),
        FindingFilter {
            statuses: vec![Status::Open],
            ..FindingFilter::default()
        },
        FindingFilter {
            statuses: vec![Status::Accepted, Status::Mitigated],
            ..FindingFilter::default()
        },
        FindingFilter {
            severities: vec![Severity::Critical, Severity::High],
            statuses: vec![Status::Open],
            ..FindingFilter::default()
        },
        FindingFilter {
            min_severity: Some(Severity::Medium),
            categories: vec![Category::Dependency],
            active: Some(false),
            ..FindingFilter::default()
        },
        FindingFilter {
            verified: Some(false),
            ..FindingFilter::product(web)
        },
        FindingFilter {
            allowed_products: Some(vec![api]),
            statuses: vec![Status::Open, Status::Accepted],
            ..FindingFilter::default()
        },
        FindingFilter {
            product_name: Some("web".into()),
            statuses: vec![Status::Open],
            ..FindingFilter::default()
        },
    ];
    let by_state = |states: Vec<crate::StateCount>| {
        let mut keyed: BTreeMap<String, u64> = BTreeMap::new();
        for s in states {
            let key = format!(
                "{:?}/{:?}/{:?}/{}/{}",
                s.severity, s.category, s.status, s.active, s.verified
            );
            *keyed.entry(key).or_default() += s.n;
        }
        keyed
    };
    for filter in filters {
        for breached in [None, Some(true)] {
            let summarised = FindingFilter {
                as_of: Some(now),
                sla_breached: breached,
                ..filter.clone()
            };
            let counted = FindingFilter {
                first_seen_before: Some(day(10_000)),
                ..summarised.clone()
            };
            let states = store.count_states(&counted).await.unwrap();
            let sum = states.iter().map(|s| s.n).sum::<u64>();
            assert_eq!(
                store.count_total(&summarised).await.unwrap(),
                sum,
                "{summarised:?}"
            );
            assert_eq!(
                store.count_total(&counted).await.unwrap(),
                sum,
                "{counted:?}"
            );
            assert_eq!(
                by_state(store.count_states(&summarised).await.unwrap()),
                by_state(states),
                "{summarised:?}"
            );
            let mut products = store.count_by_product(&summarised).await.unwrap();
            let mut expected = store.count_by_product(&counted).await.unwrap();
            products.retain(|(_, n)| *n > 0);
            expected.retain(|(_, n)| *n > 0);
            products.sort();
            expected.sort();
            assert_eq!(products, expected, "{summarised:?}");
        }
    }
    // Per day: findings first seen, and status changes out of and back to open.
    let mut expected: BTreeMap<(Option<ProductId>, time::Date), (u64, u64, u64)> = BTreeMap::new();
    for finding in all_findings(store, FindingFilter::default()).await {
        let detail = store.finding(finding.id).await.unwrap();
        let mut add = |date, change: (u64, u64, u64)| {
            for key in [None, Some(finding.product_id)] {
                let entry = expected.entry((key, date)).or_default();
                entry.0 += change.0;
                entry.1 += change.1;
                entry.2 += change.2;
            }
        };
        add(finding.first_seen.date(), (1, 0, 0));
        for entry in detail.history {
            if (entry.from == Status::Open) != (entry.to == Status::Open) {
                let reopened = entry.to == Status::Open;
                add(
                    entry.at.date(),
                    (0, u64::from(!reopened), u64::from(reopened)),
                );
            }
        }
    }
    for products in [None, Some(web), Some(api)] {
        let window = ChangeWindow {
            from: day(-1),
            to: day(60),
            products: products.map(|p| vec![p]),
        };
        let days: Vec<(time::Date, (u64, u64, u64))> = store
            .count_changes_by_day(&window)
            .await
            .unwrap()
            .into_iter()
            .map(|d| (d.day, (d.opened, d.closed, d.reopened)))
            .collect();
        let want: Vec<(time::Date, (u64, u64, u64))> = expected
            .iter()
            .filter(|((key, _), _)| *key == products)
            .map(|((_, date), counts)| (*date, *counts))
            .collect();
        assert_eq!(days, want, "{products:?}");
    }
}
