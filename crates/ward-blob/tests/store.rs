//! The BlobStore suite: runs on a local folder always, and on a real S3-compatible server when
//! `WARD_TEST_S3_ENDPOINT` is set (with `AWS_ENDPOINT_URL`, `AWS_ACCESS_KEY_ID`,
//! `AWS_SECRET_ACCESS_KEY`, `AWS_ALLOW_HTTP` for it, as `scripts/test.sh` exports them), each
//! test in a fresh bucket.

use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, SystemTime};

use object_store::aws::AmazonS3Builder;
use object_store::signer::Signer;
use ward_blob::{BlobKey, BlobStore, Error, Kind, Retention, UrlSigner};

const DAY: Duration = Duration::from_secs(24 * 3600);
const HOUR: Duration = Duration::from_secs(3600);

/// A store under test and what keeps it alive.
struct Fixture {
    store: BlobStore,
    _dir: Option<tempfile::TempDir>,
}

fn local() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let store = BlobStore::open(dir.path().join("blobs").to_str().unwrap()).unwrap();
    Fixture {
        store,
        _dir: Some(dir),
    }
}

/// A fresh bucket on the test S3 server, or `None` when there is none.
async fn s3(prefix: &str) -> Option<Fixture> {
    let endpoint = std::env::var("WARD_TEST_S3_ENDPOINT").ok()?;
    let bucket = create_bucket(&endpoint).await;
    let store = BlobStore::open(&format!("s3://{bucket}/{prefix}")).unwrap();
    Some(Fixture { store, _dir: None })
}

/// Creates a bucket with a presigned PUT (object_store creates no buckets).
async fn create_bucket(endpoint: &str) -> String {
    static N: AtomicU32 = AtomicU32::new(0);
    let bucket = format!(
        "ward-test-{}-{}-{}",
        std::process::id(),
        SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .unwrap()
            .as_millis(),
        N.fetch_add(1, Ordering::Relaxed)
    );
    let configured = std::env::var("AWS_ENDPOINT_URL")
        .expect("WARD_TEST_S3_ENDPOINT needs AWS_ENDPOINT_URL and the AWS_* credentials too");
    assert_eq!(
        configured.trim_end_matches('/'),
        endpoint.trim_end_matches('/'),
        "AWS_ENDPOINT_URL must name the test server"
    );
    // A presigned PUT on the bucket's root (`endpoint/bucket/`) is a CreateBucket request.
    let s3 = AmazonS3Builder::from_env()
        .with_bucket_name(&bucket)
        .build()
        .unwrap();
    let url = s3
        .signed_url(
            http::Method::PUT,
            &object_store::path::Path::from(""),
            Duration::from_secs(60),
        )
        .await
        .unwrap();
    let response = reqwest::Client::new().put(url).send().await.unwrap();
    assert!(
        response.status().is_success(),
        "creating bucket {bucket}: {}",
        response.status()
    );
    bucket
}

/// Every store the suite runs on here.
async fn stores() -> Vec<Fixture> {
    let mut stores = vec![local()];
    stores.extend(s3("ward/test").await);
    stores
}

fn key(kind: Kind, name: &str) -> BlobKey {
    BlobKey::new(kind, name).unwrap()
}

#[tokio::test]
async fn put_get_list_delete() {
    for fixture in stores().await {
        let store = &fixture.store;
        let at = store.location();
        let report = key(Kind::Report, "job-1/report.json");
        let failure = key(Kind::FailureReport, "job-2.json");
        let before = SystemTime::now() - Duration::from_secs(5);
        store
            .put(&report, &b"{\"findings\": []}"[..])
            .await
            .unwrap();
        store.put(&failure, b"failed".to_vec()).await.unwrap();
        store
            .put(&key(Kind::Report, "job-0.json"), &b"0"[..])
            .await
            .unwrap();

        let blob = store.get(&report).await.unwrap();
        assert_eq!(&blob.bytes[..], b"{\"findings\": []}", "{at}");
        assert_eq!(blob.meta.size, 16);
        assert!(blob.meta.created >= before, "{at}");
        assert_eq!(store.head(&failure).await.unwrap().map(|m| m.size), Some(6));

        let names = |metas: Vec<ward_blob::BlobMeta>| -> Vec<String> {
            metas.into_iter().map(|m| m.key.to_string()).collect()
        };
        assert_eq!(
            names(store.list(Kind::Report).await.unwrap()),
            ["reports/job-0.json", "reports/job-1/report.json"],
            "{at}"
        );
        assert_eq!(
            names(store.list(Kind::FailureReport).await.unwrap()),
            ["failure-reports/job-2.json"]
        );
        assert!(store.list(Kind::RawUpload).await.unwrap().is_empty());

        // Replacing, then deleting; deleting again is fine; reading a missing one is NotFound.
        store.put(&report, &b"new"[..]).await.unwrap();
        assert_eq!(&store.get(&report).await.unwrap().bytes[..], b"new");
        store.delete(&report).await.unwrap();
        store.delete(&report).await.unwrap();
        assert!(matches!(
            store.get(&report).await,
            Err(Error::NotFound { .. })
        ));
        assert_eq!(store.head(&report).await.unwrap(), None);
        assert_eq!(
            names(store.list(Kind::Report).await.unwrap()),
            ["reports/job-0.json"]
        );
    }
}

#[tokio::test]
async fn retention_deletes_exactly_the_expired_objects() {
    for fixture in stores().await {
        let store = &fixture.store;
        let old_report = key(Kind::Report, "old.json");
        let old_upload = key(Kind::RawUpload, "old.zip");
        let new_report = key(Kind::Report, "new.json");
        let failure = key(Kind::FailureReport, "kept.json");
        store.put(&old_report, &b"a"[..]).await.unwrap();
        store.put(&old_upload, &b"b"[..]).await.unwrap();
        // S3 keeps modification times to the second: the new objects come clearly later.
        tokio::time::sleep(Duration::from_millis(2100)).await;
        store.put(&new_report, &b"c"[..]).await.unwrap();
        store.put(&failure, &b"d"[..]).await.unwrap();

        // Creation times as retention sees them: from the listing (S3 servers may give HEAD
        // a coarser time than a listing).
        let mut listed = store.list(Kind::Report).await.unwrap();
        listed.extend(store.list(Kind::RawUpload).await.unwrap());
        let created = |k: &BlobKey| {
            listed
                .iter()
                .find(|m| &m.key == k)
                .map(|m| m.created)
                .unwrap()
        };
        let old_created = created(&old_report).max(created(&old_upload));
        assert!(created(&new_report) > old_created);
        let retention = Retention {
            reports: Some(HOUR),
            failure_reports: None,
            raw_uploads: Some(HOUR),
        };
        // At the old objects' maximum age, exactly they go.
        let deleted = store
            .apply_retention(&retention, old_created + HOUR)
            .await
            .unwrap();
        assert_eq!(deleted, [old_upload.clone(), old_report.clone()]);
        assert_eq!(store.head(&old_report).await.unwrap(), None);
        assert_eq!(store.head(&old_upload).await.unwrap(), None);
        assert!(store.head(&new_report).await.unwrap().is_some());
        // Nothing more is due at the same time; a year later the report goes, and the
        // failure report, kept forever, stays.
        assert!(store
            .apply_retention(&retention, old_created + HOUR)
            .await
            .unwrap()
            .is_empty());
        let deleted = store
            .apply_retention(&retention, old_created + 365 * DAY)
            .await
            .unwrap();
        assert_eq!(deleted, std::slice::from_ref(&new_report));
        assert!(store.head(&failure).await.unwrap().is_some());
    }
}

/// The default rules on a folder whose files were written days ago (their modification times
/// set back).
#[tokio::test]
async fn default_retention_on_backdated_files() {
    let dir = tempfile::tempdir().unwrap();
    let store = BlobStore::local(dir.path()).unwrap();
    let now = SystemTime::now();
    let objects = [
        (key(Kind::Report, "r29.json"), 29, false),
        (key(Kind::Report, "r31.json"), 31, true),
        (key(Kind::FailureReport, "f30.json"), 30, true),
        (key(Kind::FailureReport, "f1.json"), 1, false),
        (key(Kind::RawUpload, "u6.zip"), 6, false),
        (key(Kind::RawUpload, "u8.zip"), 8, true),
    ];
    for (k, days, _) in &objects {
        store.put(k, &b"x"[..]).await.unwrap();
        let file = std::fs::File::options()
            .write(true)
            .open(dir.path().join(k.to_string()))
            .unwrap();
        file.set_modified(now - *days * DAY).unwrap();
    }
    let mut expected: Vec<BlobKey> = objects
        .iter()
        .filter(|(_, _, expired)| *expired)
        .map(|(k, _, _)| k.clone())
        .collect();
    expected.sort();
    let deleted = store
        .apply_retention(&Retention::default(), now)
        .await
        .unwrap();
    assert_eq!(deleted, expected);
    for (k, _, expired) in &objects {
        assert_eq!(store.head(k).await.unwrap().is_none(), *expired, "{k}");
    }
}

#[tokio::test]
async fn local_signed_urls_verify_and_expire() {
    let fixture = local();
    let signer = UrlSigner::new("k1", b"0123456789abcdef0123456789abcdef").unwrap();
    let store = fixture
        .store
        .with_ward_urls("https://ward.example.com", signer.clone())
        .unwrap();
    let report = key(Kind::Report, "job-9/report.sarif");
    let url = store.signed_url(&report, HOUR).await.unwrap();
    assert_eq!(url.host_str(), Some("ward.example.com"));
    assert!(url.path().starts_with("/blobs/reports/job-9/report.sarif"));
    let query = url.query().unwrap();
    let now = SystemTime::now();
    assert_eq!(signer.verify(url.path(), query, now), Ok(report.clone()));
    assert_eq!(
        signer.verify(url.path(), query, now + HOUR + Duration::from_secs(1)),
        Err(ward_blob::SignatureError::Expired)
    );
    assert!(matches!(
        store.signed_url(&report, 8 * DAY).await,
        Err(Error::ValidityTooLong { .. })
    ));
    // Without a signer a local store cannot sign.
    assert!(matches!(
        local().store.signed_url(&report, HOUR).await,
        Err(Error::NoUrlSigner { .. })
    ));
}

#[tokio::test]
async fn s3_presigned_urls_fetch_until_they_expire() {
    let Some(fixture) = s3("signed").await else {
        return;
    };
    let store = &fixture.store;
    let report = key(Kind::Report, "job-3.json");
    store.put(&report, &b"the report"[..]).await.unwrap();
    let client = reqwest::Client::new();

    let url = store.signed_url(&report, HOUR).await.unwrap();
    assert!(url.path().ends_with("/signed/reports/job-3.json"), "{url}");
    let response = client.get(url.clone()).send().await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(&response.bytes().await.unwrap()[..], b"the report");

    // Another key under the same signature is refused.
    let other = key(Kind::Report, "job-4.json");
    store.put(&other, &b"other"[..]).await.unwrap();
    let mut tampered = url.clone();
    tampered.set_path(&url.path().replace("job-3", "job-4"));
    let response = client.get(tampered).send().await.unwrap();
    assert_eq!(response.status(), 403);

    // An expired URL is refused.
    let short = store
        .signed_url(&report, Duration::from_secs(1))
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(2100)).await;
    let response = client.get(short).send().await.unwrap();
    assert_eq!(response.status(), 403);
}

#[tokio::test]
async fn s3_prefixes_keep_stores_apart() {
    let Some(endpoint) = std::env::var("WARD_TEST_S3_ENDPOINT").ok() else {
        return;
    };
    let bucket = create_bucket(&endpoint).await;
    let a = BlobStore::open(&format!("s3://{bucket}/a")).unwrap();
    let b = BlobStore::open(&format!("s3://{bucket}/b")).unwrap();
    let report = key(Kind::Report, "same.json");
    a.put(&report, &b"a"[..]).await.unwrap();
    assert_eq!(b.head(&report).await.unwrap(), None);
    assert_eq!(a.list(Kind::Report).await.unwrap().len(), 1);
    assert!(b.list(Kind::Report).await.unwrap().is_empty());
    assert_eq!(a.location(), format!("s3://{bucket}/a/"));
}

#[test]
fn bad_locations_are_errors() {
    for location in [
        "ftp://host/x",
        "s3:///prefix",
        "s3://bucket/a b",
        "file://relative",
    ] {
        assert!(
            matches!(
                BlobStore::open(location),
                Err(Error::InvalidLocation { .. })
            ),
            "{location}"
        );
    }
}

/// The lifecycle configuration the README shows is the one ward's defaults give.
#[test]
fn readme_lifecycle_rule_matches_the_defaults() {
    let readme_path =
        std::path::Path::new(&std::env::var("CARGO_MANIFEST_DIR").expect("set by cargo"))
            .join("../../README.md");
    let readme = std::fs::read_to_string(readme_path).unwrap();
    let after = readme
        .split_once("put-bucket-lifecycle-configuration")
        .unwrap()
        .1;
    let json = after
        .split_once("```json\n")
        .unwrap()
        .1
        .split_once("```")
        .unwrap()
        .0;
    let shown: serde_json::Value = serde_json::from_str(json).unwrap();
    assert_eq!(shown, Retention::default().s3_lifecycle("ward"));
}
