//! `GET /products` and `GET /products/{id}`: engagements with their latest report, and open
//! findings by tool and category.

use std::collections::BTreeSet;

use axum::extract::{Path, State};
use maud::{html, Markup};
use ward_core::{Category, Status};
use ward_store::{FindingFilter, ProductId};

use super::charts;
use super::layout::{date, page};
use super::overview::urlencode;
use super::session::{Refusal, Viewer};
use super::{not_found, store_refusal};
use crate::AppState;

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
        engagements.push((e, latest));
    }
    let mut by_tool = Vec::new();
    for tool in tools {
        let n = store
            .count_findings(&FindingFilter {
                tool: Some(tool.clone()),
                ..open.clone()
            })
            .await
            .map_err(store_refusal)?
            .total;
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
                thead { tr { th scope="col" { "Engagement" } th scope="col" { "Latest report" } th scope="col" { "Tool" } th scope="col" { "Updated" } th scope="col" { "Findings in it" } } }
                tbody {
                    @for (e, latest) in &engagements {
                        tr {
                            td { a href={ "/findings?product=" (name) "&engagement=" (urlencode(&e.name)) } { (e.name) } }
                            @if let Some(t) = latest {
                                td { (t.title) } td { (t.tool) } td { (date(t.updated_at)) } td { (t.n_findings) }
                            } @else { td colspan="4" { "no reports yet" } }
                        }
                    }
                }
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
