//! Shared test parts: sample events, snapshot files, and an HTTP receiver on 127.0.0.1 that
//! records every request.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::IntoResponse;
use axum::Router;
use time::macros::datetime;
use ward_core::Severity;
use ward_notify::{Event, EventDetail, FindingSummary, SeverityCounts};

/// The events every channel renders, by snapshot name. They carry text that must be escaped
/// (HTML, Slack mentions) and more findings than a message lists.
pub(crate) fn sample_events() -> Vec<(&'static str, Event)> {
    let base = Event {
        id: "evt-01J5Z8K3M4".to_owned(),
        occurred_at: datetime!(2025-03-04 05:06:07 UTC),
        product: "payments-api".to_owned(),
        engagement: Some("release/2.4".to_owned()),
        url: Some("https://ward.example.com/products/3/engagements/17".to_owned()),
        counts: SeverityCounts {
            critical: 1,
            high: 2,
            medium: 5,
            low: 0,
            info: 3,
        },
        top_findings: vec![
            finding(
                "f-101",
                "SQL injection in <b>login</b> & \"search\"",
                Severity::Critical,
                "src/app/login.py:42",
            ),
            finding(
                "f-102",
                "<!channel> Prototype pollution in lodash",
                Severity::High,
                "pkg:npm/lodash@4.17.20",
            ),
            finding(
                "f-103",
                "AWS access key committed",
                Severity::High,
                "deploy/config.env:3",
            ),
        ],
        detail: EventDetail::GateFailed {
            violations: vec![
                "fail_on = \"high\": 3 findings at or above high".to_owned(),
                "max_new = 0: 2 new findings <since baseline>".to_owned(),
            ],
        },
    };
    let scan_failed = Event {
        engagement: Some("main".to_owned()),
        counts: SeverityCounts::default(),
        top_findings: vec![],
        url: Some("https://ward.example.com/jobs/88".to_owned()),
        detail: EventDetail::ScanFailed {
            error: "trivy.json: expected an object at line 1, column 1".to_owned(),
            job_id: None,
        },
        ..base.clone()
    };
    let approval = Event {
        url: Some("https://ward.example.com/approvals/apv-7".to_owned()),
        detail: EventDetail::ApprovalRequired {
            approval_id: "apv-7".to_owned(),
            reason: "a critical finding needs a security engineer's sign-off".to_owned(),
        },
        ..base.clone()
    };
    let finding_new = Event {
        engagement: None,
        url: None,
        counts: SeverityCounts {
            critical: 4,
            high: 7,
            ..SeverityCounts::default()
        },
        top_findings: (1..=11)
            .map(|i| {
                finding(
                    &format!("f-2{i:02}"),
                    &format!("CVE-2024-{:04} in openssl", 1000 + i),
                    if i <= 4 {
                        Severity::Critical
                    } else {
                        Severity::High
                    },
                    "pkg:deb/debian/openssl@3.0.11-1",
                )
            })
            .collect(),
        detail: EventDetail::FindingNew {
            n_new: 11,
            min_severity: Severity::High,
        },
        ..base.clone()
    };
    vec![
        ("gate_failed", base),
        ("scan_failed", scan_failed),
        ("approval_required", approval),
        ("finding_new", finding_new),
    ]
}

fn finding(id: &str, title: &str, severity: Severity, location: &str) -> FindingSummary {
    FindingSummary {
        id: id.to_owned(),
        title: title.to_owned(),
        severity,
        location: location.to_owned(),
    }
}

/// Compares `actual` with `tests/snapshots/<name>`, or writes it there when
/// `WARD_UPDATE_SNAPSHOTS` is set.
pub(crate) fn assert_snapshot(name: &str, actual: &str) {
    let path = snapshot_dir().join(name);
    if std::env::var_os("WARD_UPDATE_SNAPSHOTS").is_some() {
        std::fs::create_dir_all(snapshot_dir()).unwrap();
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "snapshot {}: {e}; run with WARD_UPDATE_SNAPSHOTS=1 to create it",
            path.display()
        )
    });
    assert!(
        expected == actual,
        "snapshot {name} differs (WARD_UPDATE_SNAPSHOTS=1 rewrites it)\n--- expected\n{expected}\n--- actual\n{actual}"
    );
}

fn snapshot_dir() -> PathBuf {
    Path::new(&std::env::var("CARGO_MANIFEST_DIR").expect("set by cargo")).join("tests/snapshots")
}

/// One request as the receiver got it.
#[derive(Debug, Clone)]
pub(crate) struct Received {
    pub(crate) path: String,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Bytes,
}

/// An HTTP server on 127.0.0.1 that records every request. `/status/<code>` answers with
/// that status (429 with `Retry-After: 7`), `/slow` answers after 3 s, anything else 200 `ok`.
pub(crate) struct Receiver {
    base: String,
    received: Arc<Mutex<Vec<Received>>>,
    task: tokio::task::JoinHandle<()>,
}

impl Receiver {
    pub(crate) async fn start() -> Receiver {
        let received = Arc::new(Mutex::new(Vec::new()));
        let app = Router::new().fallback(record).with_state(received.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let task = tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        Receiver {
            base,
            received,
            task,
        }
    }

    /// The receiver's URL for `path`.
    pub(crate) fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Every request so far, oldest first.
    pub(crate) fn received(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn record(
    State(received): State<Arc<Mutex<Vec<Received>>>>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> axum::response::Response {
    let path = uri.path().to_owned();
    received.lock().unwrap().push(Received {
        path: path.clone(),
        headers,
        body,
    });
    if path == "/slow" {
        tokio::time::sleep(Duration::from_secs(3)).await;
    }
    let Some(code) = path.strip_prefix("/status/") else {
        return "ok".into_response();
    };
    let status = code
        .parse::<u16>()
        .ok()
        .and_then(|c| StatusCode::from_u16(c).ok())
        .unwrap_or(StatusCode::IM_A_TEAPOT);
    let mut response = (status, format!("error {code}\n")).into_response();
    if status == StatusCode::TOO_MANY_REQUESTS {
        response
            .headers_mut()
            .insert("retry-after", "7".parse().unwrap());
    }
    response
}
