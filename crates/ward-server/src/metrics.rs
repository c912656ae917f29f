//! Prometheus metrics: requests and their latency by route and status, imports and the
//! findings they touched. Each [`Metrics`] owns its registry, so servers in one process (the
//! tests) never mix their counts.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::Response;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::Registry;

/// The content type of [`Metrics::render`]'s output.
pub const CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    method: String,
    /// The route template (`/api/v1/products/{product}`), never the raw path, so that ids do
    /// not multiply the series.
    route: String,
    status: u16,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ImportLabels {
    /// `native` or `defectdojo`.
    api: &'static str,
    /// `ok` or `error`.
    result: &'static str,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ActionLabels {
    /// `created`, `closed`, `reactivated` or `untouched`.
    action: &'static str,
}

type HistogramFamily<L> = Family<L, Histogram, fn() -> Histogram>;

/// The server's metrics and the registry that renders them.
#[derive(Debug)]
pub struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    latency: HistogramFamily<RequestLabels>,
    imports: Family<ImportLabels, Counter>,
    import_findings: Family<ActionLabels, Counter>,
    findings_stored: Gauge,
    /// When `findings_stored` was last counted.
    counted_at: Mutex<Option<Instant>>,
}

/// How long a count of the stored findings stays fresh.
const COUNT_FRESH: Duration = Duration::from_secs(60);

/// Which API an import came through.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportApi {
    /// `POST /api/v1/products/{p}/engagements/{e}/imports`.
    Native,
    /// `POST /api/v2/import-scan/` and `/api/v2/reimport-scan/`.
    DefectDojo,
}

fn latency_histogram() -> Histogram {
    // 0.5 ms … ~16 s.
    Histogram::new(exponential_buckets(0.0005, 2.0, 16))
}

impl Default for Metrics {
    fn default() -> Metrics {
        let mut registry = Registry::with_prefix("ward");
        let requests = Family::<RequestLabels, Counter>::default();
        registry.register(
            "http_requests",
            "HTTP requests answered, by method, route and status",
            requests.clone(),
        );
        let latency: HistogramFamily<RequestLabels> =
            Family::new_with_constructor(latency_histogram);
        registry.register(
            "http_request_duration_seconds",
            "Time to answer HTTP requests, by method, route and status",
            latency.clone(),
        );
        let imports = Family::<ImportLabels, Counter>::default();
        registry.register(
            "imports",
            "Report imports and reimports, by API and result",
            imports.clone(),
        );
        let import_findings = Family::<ActionLabels, Counter>::default();
        registry.register(
            "import_findings",
            "Findings touched by imports, by what the import did to them",
            import_findings.clone(),
        );
        let findings_stored = Gauge::default();
        registry.register(
            "findings_stored",
            "Findings in the store when metrics were last rendered",
            findings_stored.clone(),
        );
        Metrics {
            registry,
            requests,
            latency,
            imports,
            import_findings,
            findings_stored,
            counted_at: Mutex::new(None),
        }
    }
}

impl Metrics {
    /// Counts one import and, when it succeeded, the findings it created, closed, reactivated
    /// and left untouched.
    pub fn record_import(&self, api: ImportApi, delta: Option<[u64; 4]>) {
        let api = match api {
            ImportApi::Native => "native",
            ImportApi::DefectDojo => "defectdojo",
        };
        let result = if delta.is_some() { "ok" } else { "error" };
        self.imports
            .get_or_create(&ImportLabels { api, result })
            .inc();
        let Some(delta) = delta else { return };
        for (action, n) in ["created", "closed", "reactivated", "untouched"]
            .into_iter()
            .zip(delta)
        {
            self.import_findings
                .get_or_create(&ActionLabels { action })
                .inc_by(n);
        }
    }

    /// The stored-findings count of the last [`Metrics::render`], if it is under a minute old.
    pub fn recent_findings_stored(&self) -> Option<u64> {
        let counted_at = self.counted_at.lock().ok()?;
        counted_at
            .filter(|at| at.elapsed() < COUNT_FRESH)
            .map(|_| u64::try_from(self.findings_stored.get()).unwrap_or(0))
    }

    /// The metrics in the OpenMetrics text format, with `findings_stored` set first.
    pub fn render(&self, findings_stored: u64) -> String {
        self.findings_stored
            .set(i64::try_from(findings_stored).unwrap_or(i64::MAX));
        if let Ok(mut counted_at) = self.counted_at.lock() {
            *counted_at = Some(Instant::now());
        }
        let mut text = String::new();
        // Writing to a String cannot fail.
        let _ = prometheus_client::encoding::text::encode(&mut text, &self.registry);
        text
    }
}

/// Middleware: counts every request and times it, labelled by its route template.
pub(crate) async fn track(
    State(metrics): State<Arc<Metrics>>,
    request: Request,
    next: Next,
) -> Response {
    let started = Instant::now();
    let method = request.method().to_string();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_string(), |p| p.as_str().to_string());
    let response = next.run(request).await;
    let labels = RequestLabels {
        method,
        route,
        status: response.status().as_u16(),
    };
    metrics.requests.get_or_create(&labels).inc();
    metrics
        .latency
        .get_or_create(&labels)
        .observe(started.elapsed().as_secs_f64());
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_imports_and_stored_findings() {
        let metrics = Metrics::default();
        metrics.record_import(ImportApi::DefectDojo, Some([3, 1, 0, 2]));
        metrics.record_import(ImportApi::Native, None);
        let text = metrics.render(42);
        assert!(text.contains("ward_imports_total{api=\"defectdojo\",result=\"ok\"} 1"));
        assert!(text.contains("ward_imports_total{api=\"native\",result=\"error\"} 1"));
        assert!(text.contains("ward_import_findings_total{action=\"created\"} 3"));
        assert!(text.contains("ward_findings_stored 42"));
        assert!(text.ends_with("# EOF\n"));
        assert_eq!(metrics.recent_findings_stored(), Some(42));
    }
}
