//! `GET /findings/{id}`: one finding with every report that saw it, its identifiers (linked
//! to NVD, GitHub advisories, MITRE CWE), text, references, fixed version and history.

use axum::extract::{Path, State};
use maud::{html, Markup};
use ward_core::{Identifier, IdentifierKind};
use ward_store::{FindingId, Scope};

use super::findings::{place, status_name};
use super::layout::{date, page, severity};
use super::session::{Refusal, Viewer};
use super::{not_found, store_refusal};
use crate::AppState;

/// Where an identifier is described, for the kinds with one public home.
fn link(id: &Identifier) -> Option<String> {
    match id.kind {
        IdentifierKind::Cve => Some(format!("https://nvd.nist.gov/vuln/detail/{}", id.value)),
        IdentifierKind::Ghsa => Some(format!("https://github.com/advisories/{}", id.value)),
        IdentifierKind::Osv => Some(format!("https://osv.dev/vulnerability/{}", id.value)),
        IdentifierKind::Cwe => id
            .value
            .trim_start_matches("CWE-")
            .parse::<u32>()
            .ok()
            .map(|n| format!("https://cwe.mitre.org/data/definitions/{n}.html")),
        IdentifierKind::Owasp | IdentifierKind::Vendor => None,
    }
}

/// `GET /findings/{id}`; 404 for a finding of a product the viewer may not see.
pub(crate) async fn show(
    viewer: Viewer,
    State(state): State<AppState>,
    Path(id): Path<i64>,
) -> Result<Markup, Refusal> {
    let detail = state
        .store
        .finding(FindingId(id))
        .await
        .map_err(store_refusal)?;
    let product = state
        .store
        .product(detail.finding.product_id)
        .await
        .map_err(store_refusal)?;
    if !viewer.sees(&product) {
        return Err(not_found());
    }
    let f = &detail.finding;
    let now = time::OffsetDateTime::now_utc();
    let fixed = f
        .finding
        .location
        .package
        .as_ref()
        .and_then(|p| p.fixed_version.clone());
    Ok(page(
        &viewer,
        &f.title,
        html! {
            dl.facts {
                dt { "Severity" } dd { (severity(f.severity)) }
                dt { "Status" } dd id="status" { (status_name(f.effective_status(now)).replace('_', " "))
                    @if let Some(until) = f.risk_accepted_until { " until " (date(until)) } }
                dt { "Product" } dd { a href={ "/products/" (product.id) } { (product.name) } }
                dt { "Category" } dd { (f.category.as_str()) }
                dt { "Where" } dd.mono { (place(&f.finding.location)) }
                @if let Some(fixed) = &fixed { dt { "Fixed in" } dd.mono { (fixed) } }
                dt { "Tools" } dd { (f.tools.join(", ")) }
                dt { "First seen" } dd { (date(f.first_seen)) }
                dt { "Last seen" } dd { (date(f.last_seen)) }
                @if let Some(due) = f.sla_due { dt { "SLA due" } dd { (date(due)) @if f.sla_breached(now) { " (breached)" } } }
                @if let Some(a) = &f.assignee { dt { "Assignee" } dd { (a) } }
                @if let Some(rule) = &f.finding.rule_id { dt { "Rule" } dd.mono { (rule) } }
                dt { "Fingerprint" } dd.mono { (f.fingerprint) }
            }
            @if !f.finding.identifiers.is_empty() {
                h2 { "Identifiers" }
                ul {
                    @for id in &f.finding.identifiers {
                        li { @match link(id) {
                            Some(url) => a href=(url) rel="noopener noreferrer" { (id.value) },
                            None => span { (id.value) },
                        } }
                    }
                }
            }
            @if let Some(d) = &f.finding.description { h2 { "Description" } p style="white-space: pre-wrap" { (d) } }
            @if let Some(r) = &f.finding.remediation { h2 { "Remediation" } p style="white-space: pre-wrap" { (r) } }
            @if !f.finding.references.is_empty() {
                h2 { "References" }
                ul { @for r in &f.finding.references { li { a href=(r) rel="noopener noreferrer" { (r) } } } }
            }
            h2 { "Seen by" }
            table {
                thead { tr { th scope="col" { "Report" } th scope="col" { "Engagement" } th scope="col" { "Tool" } th scope="col" { "First seen" } } }
                tbody {
                    @for s in &detail.sources {
                        tr { td { (s.test_title) } td { (s.engagement_name) } td { (s.tool) } td { (date(s.first_seen)) } }
                    }
                }
            }
            h2 { "History" }
            @if detail.history.is_empty() { p { "No status changes yet." } } @else {
                table id="history" {
                    thead { tr { th scope="col" { "When" } th scope="col" { "Who" } th scope="col" { "Change" } th scope="col" { "Reason" } } }
                    tbody {
                        @for h in &detail.history {
                            tr {
                                td { (date(h.at)) }
                                td { (h.actor) }
                                td { (status_name(h.from).replace('_', " ")) " → " (status_name(h.to).replace('_', " "))
                                    @if let Some(a) = &h.assignee { " (assigned: " (a) ")" }
                                    @if let Some(u) = h.risk_accepted_until { " until " (date(u)) } }
                                td { (h.reason.as_deref().unwrap_or("")) }
                            }
                        }
                    }
                }
            }
            @if viewer.scope.allows(Scope::Triage) {
                h2 { "Triage" }
                form.bulk method="post" action="/findings/triage" {
                    input type="hidden" name="csrf" value=(viewer.csrf);
                    input type="hidden" name="id" value=(f.id);
                    input type="hidden" name="back" value={ "/findings/" (f.id) };
                    div.field { label for="t-action" { "Action" }
                        select id="t-action" name="action" {
                            option value="false_positive" { "False positive" }
                            option value="accept_risk" { "Accept risk" }
                            option value="mitigate" { "Mitigated" }
                            option value="reopen" { "Reopen" }
                            option value="assign" { "Assign" }
                        }
                    }
                    div.field { label for="t-until" { "Accept until" } input id="t-until" name="until" type="date"; }
                    div.field { label for="t-assignee" { "Assignee" } input id="t-assignee" name="assignee" type="text"; }
                    div.field { label for="t-reason" { "Reason" } input id="t-reason" name="reason" type="text"; }
                    button type="submit" { "Apply" }
                }
            }
        },
    ))
}
