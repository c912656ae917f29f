//! `GET /products` and `GET /products/{id}`: engagements with their latest report (test) and
//! the gate verdict over their findings now, the product's opened and closed trend over 90
//! days, and open findings by tool and category.
//!
//! The server keeps no gate verdicts (pipelines may run `ward gate` with their own
//! `ward.toml`), so the page evaluates the product's stored policy, or the default one (any
//! open high or critical finding fails), the way `POST …/gate` without a body does.

use std::collections::BTreeSet;

use axum::extract::{Path, State};
use maud::{html, Markup};
use time::OffsetDateTime;
use ward_core::{Category, Status};
use ward_policy::{Policy, Verdict};
use ward_store::{FindingFilter, ProductId};

use super::charts;
use super::layout::{date, page};
use super::overview::{trend, trend_chart, urlencode};
use super::session::{Refusal, Viewer};
use super::{not_found, store_refusal};
use crate::api::gate::engagement_findings;
use crate::AppState;

/// The product page's trend window, in days.
const TREND_DAYS: i64 = 90;

/// `GET /products`.
pub(crate) async fn list(viewer: Viewer, State(state): State<AppState>) -> Result<Markup, Refusal> {
    let products: Vec<_> = state
        .store
        .list_products()
        .await
        .map_err(store_refusal)?
        .into_iter()
        .filter(|p| viewer.sees(p))
        .collect();
    let mut rows = Vec::with_capacity(products.len());
    for p in products {
        let counts = state
            .store
            .count_findings(&FindingFilter {
                statuses: vec![Status::Open],
                ..FindingFilter::product(p.id)
            })
            .await
            .map_err(store_refusal)?;
        rows.push((p, counts));
    }
    Ok(page(
        &viewer,
        "Products",
        html! {
            table id="products" {
                thead { tr { th scope="col" { "Product" } th scope="col" { "Team" } th scope="col" { "Open" } th scope="col" { "Critical" } th scope="col" { "High" } } }
                tbody {
                    @for (p, c) in &rows {
                        tr {
                            td { a href={ "/products/" (p.id) } { (p.name) } }
                            td { (p.team.as_deref().unwrap_or("")) }
                            td { a href={ "/findings?status=open&product=" (urlencode(&p.name)) } { (c.total) } }
                            td { (c.by_severity.get(&ward_core::Severity::Critical).copied().unwrap_or(0)) }
                            td { (c.by_severity.get(&ward_core::Severity::High).copied().unwrap_or(0)) }
                        }
                    }
                }
            }
        },
    ))
}

/// `GET /products/{id}`; 404 for a product the viewer may not see.
pub(crate) async fn show(
    viewer: Viewer,
    State(state): State<AppState>,
    Path(id): Path<i64>,
) -> Result<Markup, Refusal> {
    let store = &state.store;
    let product = store.product(ProductId(id)).await.map_err(|e| match e {
        ward_store::Error::NotFound { .. } => not_found(),
        other => store_refusal(other),
    })?;
    if !viewer.sees(&product) {
        return Err(not_found());
    }
    let open = FindingFilter {
        statuses: vec![Status::Open],
        ..FindingFilter::product(product.id)
    };
    let counts = store.count_findings(&open).await.map_err(store_refusal)?;
    let now = OffsetDateTime::now_utc();
    let stored = store
        .product_policy(product.id)
        .await
        .map_err(store_refusal)?;
    // Checked when stored; one that no longer reads is shown as not used.
    let policy = stored
        .as_ref()
        .and_then(|p| Policy::from_toml(&p.text).ok());
    let mut engagements = Vec::new();
    let mut tools = BTreeSet::new();
    for e in store
        .list_engagements(product.id)
        .await
        .map_err(store_refusal)?
    {
        let tests = store.list_tests(e.id).await.map_err(store_refusal)?;
        tools.extend(tests.iter().map(|t| t.tool.clone()));
        let latest = tests.into_iter().max_by_key(|t| t.updated_at);
        let verdict = gate(&state, policy.as_ref(), product.id, e.id, now).await?;
        engagements.push((e, latest, verdict));
    }
    let periods = trend(&state, Some(vec![product.id]), now, TREND_DAYS).await?;
    let mut by_tool = Vec::new();
    for tool in tools {
        let n = store
            .count_total(&FindingFilter {
                tool: Some(tool.clone()),
                ..open.clone()
            })
            .await
            .map_err(store_refusal)?;
        by_tool.push((tool, n));
    }
    let by_category: Vec<(String, u64)> = Category::ALL
        .iter()
        .filter_map(|c| {
            counts
                .by_category
                .get(c)
                .map(|n| (c.as_str().to_string(), *n))
        })
        .collect();
    let name = urlencode(&product.name);
    Ok(page(
        &viewer,
        &product.name,
        html! {
            @if let Some(d) = &product.description { p { (d) } }
            p { a href={ "/findings?status=open&product=" (name) } { (counts.total) " open findings" } }
            h2 { "Engagements" }
            table id="engagements" {
                caption.visually-hidden { "Engagements with their latest report and gate verdict" }
                thead { tr {
                    th scope="col" { "Engagement" } th scope="col" { "Latest report" } th scope="col" { "Tool" }
                    th scope="col" { "Scanned" } th scope="col" { "Findings in it" } th scope="col" { "Gate now" }
                } }
                tbody {
                    @for (e, latest, verdict) in &engagements {
                        tr {
                            td { a href={ "/findings?product=" (name) "&engagement=" (urlencode(&e.name)) } { (e.name) } }
                            @if let Some(t) = latest {
                                td { (t.title) } td { (t.tool) } td { (date(t.scan_date)) } td { (t.n_findings) }
                            } @else { td colspan="4" { "no reports yet" } }
                            td { (verdict_text(verdict)) }
                        }
                    }
                }
            }
            p id="gate-policy" {
                @match (&stored, &policy) {
                    (Some(p), Some(_)) => { "Gate policy: stored for this product (updated " (date(p.updated_at)) "); pipelines may gate with their own." }
                    (Some(_), None) => { "Gate policy: the stored policy no longer reads, so the default is shown: it fails on any open high or critical finding." }
                    (None, _) => { "Gate policy: default, failing on any open high or critical finding; pipelines may gate with their own." }
                }
            }
            section.panel aria-labelledby="h-trend" {
                h2 id="h-trend" { "Trend over " (TREND_DAYS) " days" }
                (trend_chart(TREND_DAYS, &periods))
            }
            div.grid {
                section.panel aria-labelledby="h-tool" {
                    h2 id="h-tool" { "Open findings by tool" }
                    (charts::bars("Open findings by tool", &by_tool))
                }
                section.panel aria-labelledby="h-cat" {
                    h2 id="h-cat" { "Open findings by category" }
                    (charts::bars("Open findings by category", &by_category))
                }
            }
        },
    ))
}

/// The verdict of `policy` (or the default policy) over an engagement's findings now.
async fn gate(
    state: &AppState,
    policy: Option<&Policy>,
    product: ProductId,
    engagement: ward_store::EngagementId,
    now: OffsetDateTime,
) -> Result<Verdict, Refusal> {
    let findings = engagement_findings(state, product, engagement, now)
        .await
        .map_err(|e| Refusal::Status(e.status_code(), e.public_message()))?;
    let today = ward_policy::Date::from_unix_seconds(now.unix_timestamp());
    Ok(ward_policy::evaluate(
        policy.unwrap_or(&Policy::default()),
        &findings,
        None,
        today,
    ))
}

fn verdict_text(verdict: &Verdict) -> Markup {
    html! {
        @if verdict.passed {
            span.pass { "passes" }
        } @else {
            span.fail { "fails" }
            ": " (verdict.violations.iter().map(|v| format!("{} ({} found)", v.rule, v.count)).collect::<Vec<_>>().join("; "))
        }
    }
}
