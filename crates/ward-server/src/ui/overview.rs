//! `GET /`: open findings by severity and category, the opened/closed trend, SLA breaches,
//! the products with most critical findings and the most widespread CVEs.

use std::collections::{BTreeMap, BTreeSet};

use axum::extract::{Query, State};
use maud::{html, Markup};
use serde::Deserialize;
use time::{Duration, OffsetDateTime};
use ward_core::{Category, IdentifierKind, Severity, Status};
use ward_store::{FindingFilter, FindingQuery, Product};

use super::charts;
use super::layout::{page, severity};
use super::session::{Refusal, Viewer};
use super::store_refusal;
use crate::AppState;

/// How many of the most severe open findings the CVE ranking looks at.
const CVE_SAMPLE: u32 = 1000;
/// Points on the trend chart.
const TREND_POINTS: i64 = 15;

/// The overview's query string.
#[derive(Debug, Deserialize)]
pub(crate) struct Params {
    /// Trend window in days: 30, 90 or 365.
    days: Option<i64>,
}

/// `GET /`.
pub(crate) async fn show(
    viewer: Viewer,
    State(state): State<AppState>,
    Query(params): Query<Params>,
) -> Result<Markup, Refusal> {
    let store = &state.store;
    let products: Vec<Product> = store
        .list_products()
        .await
        .map_err(store_refusal)?
        .into_iter()
        .filter(|p| viewer.sees(p))
        .collect();
    let allowed = viewer.allowed_ids(&products);
    let now = OffsetDateTime::now_utc();
    let base = FindingFilter {
        allowed_products: allowed.clone(),
        as_of: Some(now),
        ..FindingFilter::default()
    };
    let open = FindingFilter {
        statuses: vec![Status::Open],
        ..base.clone()
    };
    let counts = store.count_findings(&open).await.map_err(store_refusal)?;
    let breached = store
        .count_findings(&FindingFilter {
            sla_breached: Some(true),
            ..base.clone()
        })
        .await
        .map_err(store_refusal)?
        .total;

    let days = params
        .days
        .filter(|d| [30, 90, 365].contains(d))
        .unwrap_or(30);
    let (labels, opened, closed) = trend(&state, &base, now, days).await?;

    let mut critical = Vec::new();
    for product in &products {
        let n = store
            .count_findings(&FindingFilter {
                product: Some(product.id),
                severities: vec![Severity::Critical],
                ..open.clone()
            })
            .await
            .map_err(store_refusal)?
            .total;
        if n > 0 {
            critical.push((n, product));
        }
    }
    critical.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.name.cmp(&b.1.name)));
    critical.truncate(10);

    let cves = widespread_cves(&state, &open).await?;

    let by_severity: Vec<(String, u64)> = Severity::ALL
        .iter()
        .rev()
        .map(|s| {
            (
                s.as_str().to_string(),
                *counts.by_severity.get(s).unwrap_or(&0),
            )
        })
        .collect();
    let by_category: Vec<(String, u64)> = Category::ALL
        .iter()
        .filter_map(|c| {
            counts
                .by_category
                .get(c)
                .map(|n| (c.as_str().to_string(), *n))
        })
        .collect();

    Ok(page(
        &viewer,
        "Overview",
        html! {
            div.grid {
                section.panel aria-labelledby="h-open" {
                    h2 id="h-open" { "Open findings" }
                    p.big { a href="/findings?status=open" { (counts.total) } }
                    (charts::bars("Open findings by severity", &by_severity))
                    (count_table("Open findings by severity", "severity", &by_severity))
                }
                section.panel aria-labelledby="h-cat" {
                    h2 id="h-cat" { "By category" }
                    (charts::bars("Open findings by category", &by_category))
                    (count_table("Open findings by category", "category", &by_category))
                }
                section.panel aria-labelledby="h-sla" {
                    h2 id="h-sla" { "SLA breaches" }
                    p.big { a href="/findings?status=open&sla=breached" { (breached) } }
                    p { "Open findings past their fix-by date." }
                }
            }
            section.panel aria-labelledby="h-trend" {
                h2 id="h-trend" { "Trend over " (days) " days" }
                nav aria-label="Trend window" {
                    @for d in [30, 90, 365] {
                        @if d == days { strong { (d) " days" } } @else { a href={ "/?days=" (d) } { (d) " days" } }
                        " "
                    }
                }
                (charts::lines(
                    &format!("Findings first seen per period, over {days} days"),
                    &labels,
                    &[("first seen", "#b03a00", opened.clone()), ("of which closed since", "#0b4f9c", closed.clone())],
                ))
                details {
                    summary { "Trend as a table" }
                    table {
                        caption.visually-hidden { "Findings first seen per period" }
                        thead { tr { th scope="col" { "Period from" } th scope="col" { "First seen" } th scope="col" { "Closed since" } } }
                        tbody {
                            @for ((label, o), c) in labels.iter().zip(&opened).zip(&closed) {
                                tr { td { (label) } td { (o) } td { (c) } }
                            }
                        }
                    }
                }
            }
            div.grid {
                section.panel aria-labelledby="h-crit" {
                    h2 id="h-crit" { "Products with most open critical findings" }
                    @if critical.is_empty() { p { "None." } } @else {
                        table {
                            thead { tr { th scope="col" { "Product" } th scope="col" { "Critical" } } }
                            tbody {
                                @for (n, product) in &critical {
                                    tr {
                                        td { a href={ "/products/" (product.id) } { (product.name) } }
                                        td { a href={ "/findings?status=open&severity=critical&product=" (urlencode(&product.name)) } { (n) } }
                                    }
                                }
                            }
                        }
                    }
                }
                section.panel aria-labelledby="h-cve" {
                    h2 id="h-cve" { "Most widespread CVEs" }
                    p { "Among the " (CVE_SAMPLE) " most severe open findings: in how many products each appears." }
                    @if cves.is_empty() { p { "None." } } @else {
                        table {
                            thead { tr { th scope="col" { "CVE" } th scope="col" { "Products" } th scope="col" { "Findings" } th scope="col" { "Severity" } } }
                            tbody {
                                @for cve in &cves {
                                    tr {
                                        td { a href={ "/findings?status=open&id=" (cve.id) } { (cve.id) } }
                                        td { (cve.products) }
                                        td { (cve.findings) }
                                        td { (severity(cve.severity)) }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        },
    ))
}

fn count_table(caption: &str, what: &str, rows: &[(String, u64)]) -> Markup {
    html! {
        details {
            summary { (caption) " as a table" }
            table {
                caption.visually-hidden { (caption) }
                thead { tr { th scope="col" { (what) } th scope="col" { "Open" } } }
                tbody {
                    @for (label, n) in rows {
                        tr { td { (label) } td { a href={ "/findings?status=open&" (what) "=" (label) } { (n) } } }
                    }
                }
            }
        }
    }
}

/// Findings first seen in each period of the window, and how many of those are closed now.
async fn trend(
    state: &AppState,
    base: &FindingFilter,
    now: OffsetDateTime,
    days: i64,
) -> Result<(Vec<String>, Vec<u64>, Vec<u64>), Refusal> {
    let step = Duration::days(days) / TREND_POINTS as i32;
    let start = now - Duration::days(days);
    let (mut labels, mut opened, mut closed) = (Vec::new(), Vec::new(), Vec::new());
    for i in 0..TREND_POINTS {
        let from = start + step * i as i32;
        let to = if i + 1 == TREND_POINTS {
            now + Duration::seconds(1)
        } else {
            from + step
        };
        let counts = state
            .store
            .count_findings(&FindingFilter {
                first_seen_after: Some(from),
                first_seen_before: Some(to),
                ..base.clone()
            })
            .await
            .map_err(store_refusal)?;
        let open = counts.by_status.get(&Status::Open).copied().unwrap_or(0);
        labels.push(super::layout::date(from)[5..].to_string());
        opened.push(counts.total);
        closed.push(counts.total - open.min(counts.total));
    }
    Ok((labels, opened, closed))
}

struct CveRow {
    id: String,
    products: usize,
    findings: usize,
    severity: Severity,
}

async fn widespread_cves(state: &AppState, open: &FindingFilter) -> Result<Vec<CveRow>, Refusal> {
    let page = state
        .store
        .find_finding_briefs(&FindingQuery {
            filter: open.clone(),
            limit: CVE_SAMPLE,
            ..FindingQuery::default()
        })
        .await
        .map_err(store_refusal)?;
    let mut seen: BTreeMap<String, (BTreeSet<i64>, usize, Severity)> = BTreeMap::new();
    for f in &page.findings {
        for id in f
            .finding
            .identifiers
            .iter()
            .filter(|i| i.kind == IdentifierKind::Cve)
        {
            let entry = seen
                .entry(id.value.clone())
                .or_insert_with(|| (BTreeSet::new(), 0, f.severity));
            entry.0.insert(f.product_id.0);
            entry.1 += 1;
            entry.2 = entry.2.max(f.severity);
        }
    }
    let mut rows: Vec<CveRow> = seen
        .into_iter()
        .map(|(id, (products, findings, severity))| CveRow {
            id,
            products: products.len(),
            findings,
            severity,
        })
        .collect();
    rows.sort_by(|a, b| {
        b.products
            .cmp(&a.products)
            .then(b.findings.cmp(&a.findings))
            .then(a.id.cmp(&b.id))
    });
    rows.truncate(10);
    Ok(rows)
}

/// A query-string value.
pub(crate) fn urlencode(value: &str) -> String {
    form_urlencoded::byte_serialize(value.as_bytes()).collect()
}
