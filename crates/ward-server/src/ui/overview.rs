//! `GET /`: open findings by severity and category, the opened/closed trend, SLA breaches,
//! the products with most critical findings and the most widespread CVEs.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use axum::extract::{Query, State};
use maud::{html, Markup};
use serde::Deserialize;
use time::{Duration, OffsetDateTime};
use ward_core::{Category, IdentifierKind, Severity, Status};
use ward_store::{ChangeWindow, FindingFilter, FindingQuery, Product, ProductId};

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
    let days = params
        .days
        .filter(|d| [30, 90, 365].contains(d))
        .unwrap_or(30);
    let breached_filter = FindingFilter {
        sla_breached: Some(true),
        ..base.clone()
    };
    let critical_filter = FindingFilter {
        severities: vec![Severity::Critical],
        ..open.clone()
    };
    // Independent queries, at once: on PostgreSQL each takes its own connection.
    let (counts, breached, periods, by_product, cves) = tokio::try_join!(
        async { store.count_findings(&open).await.map_err(store_refusal) },
        async {
            store
                .count_total(&breached_filter)
                .await
                .map_err(store_refusal)
        },
        trend(&state, allowed.clone(), now, days),
        async {
            store
                .count_by_product(&critical_filter)
                .await
                .map_err(store_refusal)
        },
        widespread_cves(&state, &open),
    )?;
    let by_id: HashMap<ProductId, &Product> = products.iter().map(|p| (p.id, p)).collect();
    let mut critical: Vec<(u64, &Product)> = by_product
        .into_iter()
        .filter_map(|(id, n)| Some((n, *by_id.get(&id)?)))
        .filter(|(n, _)| *n > 0)
        .collect();
    critical.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.name.cmp(&b.1.name)));
    critical.truncate(10);

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
                (trend_chart(days, &periods))
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

/// The trend as a line chart of opened and closed findings, with the numbers in a table.
pub(crate) fn trend_chart(days: i64, periods: &[Period]) -> Markup {
    let labels: Vec<String> = periods.iter().map(|p| p.label.clone()).collect();
    let opened: Vec<u64> = periods.iter().map(|p| p.new + p.reopened).collect();
    let closed: Vec<u64> = periods.iter().map(|p| p.closed).collect();
    html! {
        (charts::lines(
            &format!("Findings opened and closed per period, over {days} days"),
            &labels,
            &[("opened (new or reopened)", "#b03a00", opened), ("closed", "#0b4f9c", closed)],
        ))
        details {
            summary { "Trend as a table" }
            table {
                caption.visually-hidden { "Findings opened and closed per period" }
                thead { tr { th scope="col" { "Period from" } th scope="col" { "New" } th scope="col" { "Reopened" } th scope="col" { "Closed" } } }
                tbody {
                    @for p in periods {
                        tr { td { (p.label) } td { (p.new) } td { (p.reopened) } td { (p.closed) } }
                    }
                }
            }
        }
    }
}

/// One period of the trend chart.
pub(crate) struct Period {
    /// The period's first day, `MM-DD`.
    label: String,
    /// Findings first seen in it.
    new: u64,
    /// Findings brought back to open in it.
    reopened: u64,
    /// Findings taken out of open in it (fixed, false positive, accepted, out of scope).
    closed: u64,
}

/// Findings opened (new or reopened) and closed in each of `TREND_POINTS` periods of the
/// last `days` days, from the store's per-day counts of status changes.
pub(crate) async fn trend(
    state: &AppState,
    products: Option<Vec<ProductId>>,
    now: OffsetDateTime,
    days: i64,
) -> Result<Vec<Period>, Refusal> {
    let today = now.date();
    let first = today - Duration::days(days - 1);
    let window = ChangeWindow {
        from: first.midnight().assume_utc(),
        to: (today + Duration::days(1)).midnight().assume_utc(),
        products,
    };
    let changes = state
        .store
        .count_changes_by_day(&window)
        .await
        .map_err(store_refusal)?;
    let per_period = (days + TREND_POINTS - 1) / TREND_POINTS;
    let n_periods = (days + per_period - 1) / per_period;
    let mut periods: Vec<Period> = (0..n_periods)
        .map(|i| {
            let start = first + Duration::days(i * per_period);
            Period {
                label: format!("{:02}-{:02}", u8::from(start.month()), start.day()),
                new: 0,
                reopened: 0,
                closed: 0,
            }
        })
        .collect();
    for change in changes {
        let index = (change.day - first).whole_days() / per_period;
        let Some(period) = usize::try_from(index).ok().and_then(|i| periods.get_mut(i)) else {
            continue;
        };
        period.new += change.opened;
        period.reopened += change.reopened;
        period.closed += change.closed;
    }
    Ok(periods)
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
