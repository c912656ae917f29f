//! `GET /findings` (the filtered list), `GET /findings.csv` (the same view as CSV) and
//! `POST /findings/triage` (bulk triage of checked findings).
//!
//! Filters travel in the query string, so a filtered view is a link to share. The CSV export
//! takes the same query string and pages through every match.

use std::collections::HashMap;

use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use maud::{html, Markup};
use time::{Date, Duration, OffsetDateTime, Time};
use ward_core::{Category, Location, Severity, Status};
use ward_store::{
    FindingFilter, FindingId, FindingQuery, Product, ProductId, Scope, Sort, SortKey, Triage,
    TriageAction,
};

use super::layout::{date, page, severity};
use super::session::{Refusal, Viewer};
use super::{field, not_found, pairs, store_refusal};
use crate::AppState;

/// Findings per page.
const PAGE_SIZE: u32 = 50;
/// The most rows a CSV export writes.
const CSV_MAX_ROWS: usize = 100_000;

/// Every status, with the names the forms use.
pub(crate) const STATUSES: [(Status, &str); 5] = [
    (Status::Open, "open"),
    (Status::FalsePositive, "false_positive"),
    (Status::Mitigated, "mitigated"),
    (Status::Accepted, "accepted"),
    (Status::OutOfScope, "out_of_scope"),
];

/// A status's form name.
pub(crate) fn status_name(status: Status) -> &'static str {
    STATUSES
        .iter()
        .find(|(s, _)| *s == status)
        .map_or("open", |(_, n)| n)
}

const SORTS: [(SortKey, &str, &str); 4] = [
    (SortKey::Severity, "severity", "Severity"),
    (SortKey::FirstSeen, "first_seen", "First seen"),
    (SortKey::LastSeen, "last_seen", "Last seen"),
    (SortKey::SlaDue, "sla_due", "SLA due"),
];

/// The list's filters, as read from the query string.
#[derive(Debug, Default)]
struct View {
    params: Vec<(String, String)>,
    query: FindingQuery,
}

impl View {
    fn get(&self, name: &str) -> &str {
        field(&self.params, name).unwrap_or("")
    }

    /// The query string without the cursor, for links that keep the filters.
    fn link(&self, extra: &[(&str, &str)]) -> String {
        let mut out = form_urlencoded::Serializer::new(String::new());
        for (k, v) in &self.params {
            if k != "cursor" && !v.is_empty() && !extra.iter().any(|(e, _)| e == k) {
                out.append_pair(k, v);
            }
        }
        for (k, v) in extra {
            out.append_pair(k, v);
        }
        out.finish()
    }
}

fn bad(message: String) -> Refusal {
    Refusal::Status(axum::http::StatusCode::BAD_REQUEST, message)
}

/// Reads the query string into a store query, checking the product against the viewer.
async fn view(
    state: &AppState,
    viewer: &Viewer,
    raw: Option<String>,
    products: &[Product],
) -> Result<View, Refusal> {
    let params = pairs(raw.unwrap_or_default().as_bytes());
    let get = |name: &str| field(&params, name);
    let now = OffsetDateTime::now_utc();
    let mut filter = FindingFilter {
        allowed_products: viewer.allowed_ids(products),
        as_of: Some(now),
        ..FindingFilter::default()
    };
    if let Some(name) = get("product") {
        let product = products
            .iter()
            .find(|p| p.name == name && viewer.sees(p))
            .ok_or_else(not_found)?;
        filter.product = Some(product.id);
        if let Some(engagement) = get("engagement") {
            let found = state
                .store
                .engagement_by_name(product.id, engagement)
                .await
                .map_err(store_refusal)?
                .ok_or_else(|| bad(format!("engagement: `{engagement}` is not in `{name}`")))?;
            filter.engagement = Some(found.id);
        }
    }
    if let Some(s) = get("severity") {
        let s = Severity::from_label(s).ok_or_else(|| bad(format!("severity: unknown `{s}`")))?;
        filter.severities = vec![s];
    }
    if let Some(c) = get("category") {
        let c = Category::ALL
            .into_iter()
            .find(|x| x.as_str() == c)
            .ok_or_else(|| bad(format!("category: unknown `{c}`")))?;
        filter.categories = vec![c];
    }
    if let Some(s) = get("status") {
        let s = STATUSES
            .iter()
            .find(|(_, n)| *n == s)
            .ok_or_else(|| bad(format!("status: unknown `{s}`")))?;
        filter.statuses = vec![s.0];
    }
    filter.tool = get("tool").map(str::to_string);
    filter.identifier = get("id").map(str::to_string);
    filter.text = get("q").map(str::to_string);
    filter.assignee = get("assignee").map(str::to_string);
    if let Some(age) = get("age") {
        let days: i64 = age
            .parse()
            .ok()
            .filter(|d| (0..=36_500).contains(d))
            .ok_or_else(|| bad(format!("age: `{age}` is not a number of days")))?;
        filter.first_seen_before = Some(now - Duration::days(days));
    }
    filter.sla_breached = match get("sla") {
        None => None,
        Some("breached") => Some(true),
        Some("within") => Some(false),
        Some(other) => return Err(bad(format!("sla: unknown `{other}`"))),
    };
    let key = match get("sort") {
        None => SortKey::Severity,
        Some(s) => SORTS
            .iter()
            .find(|(_, n, _)| *n == s)
            .map(|(k, _, _)| *k)
            .ok_or_else(|| bad(format!("sort: unknown `{s}`")))?,
    };
    let descending = get("dir") != Some("asc");
    let query = FindingQuery {
        filter,
        sort: Sort { key, descending },
        limit: PAGE_SIZE,
        cursor: get("cursor").map(str::to_string),
    };
    Ok(View { params, query })
}

async fn visible_products(state: &AppState, viewer: &Viewer) -> Result<Vec<Product>, Refusal> {
    Ok(state
        .store
        .list_products()
        .await
        .map_err(store_refusal)?
        .into_iter()
        .filter(|p| viewer.sees(p))
        .collect())
}

/// Where a finding is, in one line.
pub(crate) fn place(l: &Location) -> String {
    if let Some(p) = &l.package {
        return format!("{}@{}", p.name, p.version.as_deref().unwrap_or("?"));
    }
    if let Some(file) = &l.file {
        return match file.start_line {
            Some(line) => format!("{}:{line}", file.path),
            None => file.path.clone(),
        };
    }
    if let Some(w) = &l.web {
        return w.url.clone();
    }
    if let Some(c) = &l.cloud {
        return c.resource_id.clone();
    }
    l.image.as_ref().map(|i| i.name.clone()).unwrap_or_default()
}

fn select(
    name: &str,
    label: &str,
    current: &str,
    options: impl IntoIterator<Item = (String, String)>,
) -> Markup {
    html! {
        div.field { label for={ "f-" (name) } { (label) }
            select id={ "f-" (name) } name=(name) {
                option value="" { "any" }
                @for (value, text) in options {
                    option value=(value) selected[value == current] { (text) }
                }
            }
        }
    }
}

fn text_input(name: &str, label: &str, current: &str, kind: &str) -> Markup {
    html! {
        div.field { label for={ "f-" (name) } { (label) }
            input id={ "f-" (name) } name=(name) type=(kind) value=(current);
        }
    }
}

/// `GET /findings`.
pub(crate) async fn list(
    viewer: Viewer,
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
) -> Result<Markup, Refusal> {
    let products = visible_products(&state, &viewer).await?;
    let view = view(&state, &viewer, raw, &products).await?;
    let page_ = state
        .store
        .find_finding_briefs(&view.query)
        .await
        .map_err(store_refusal)?;
    let total = state
        .store
        .count_total(&view.query.filter)
        .await
        .map_err(store_refusal)?;
    let names: HashMap<ProductId, &str> =
        products.iter().map(|p| (p.id, p.name.as_str())).collect();
    let here = format!("/findings?{}", view.link(&[]));
    let can_triage = viewer.scope.allows(Scope::Triage);
    Ok(page(
        &viewer,
        "Findings",
        html! {
            form.filters method="get" action="/findings" aria-label="Filters" {
                (select("product", "Product", view.get("product"), products.iter().map(|p| (p.name.clone(), p.name.clone()))))
                (text_input("engagement", "Engagement", view.get("engagement"), "text"))
                (select("severity", "Severity", view.get("severity"), Severity::ALL.iter().map(|s| (s.as_str().to_string(), s.as_str().to_string()))))
                (select("category", "Category", view.get("category"), Category::ALL.iter().map(|c| (c.as_str().to_string(), c.as_str().to_string()))))
                (select("status", "Status", view.get("status"), STATUSES.iter().map(|(_, n)| (n.to_string(), n.replace('_', " ")))))
                (text_input("tool", "Tool", view.get("tool"), "text"))
                (text_input("id", "CVE / CWE / GHSA", view.get("id"), "text"))
                (text_input("q", "Text", view.get("q"), "search"))
                (text_input("age", "Older than (days)", view.get("age"), "number"))
                (select("sla", "SLA", view.get("sla"), [("breached".to_string(), "breached".to_string()), ("within".to_string(), "not breached".to_string())]))
                (select("sort", "Sort by", view.get("sort"), SORTS.iter().map(|(_, n, t)| (n.to_string(), t.to_string()))))
                (select("dir", "Order", view.get("dir"), [("desc".to_string(), "descending".to_string()), ("asc".to_string(), "ascending".to_string())]))
                button type="submit" { "Filter" }
                a href="/findings" { "Clear" }
            }
            p {
                span id="total" { (total) } " findings match. "
                a href={ "/findings.csv?" (view.link(&[])) } { "Export this view as CSV" }
            }
            form method="post" action="/findings/triage" {
                input type="hidden" name="csrf" value=(viewer.csrf);
                input type="hidden" name="back" value=(here);
                @if can_triage {
                    fieldset.bulk {
                        legend { "Triage the checked findings" }
                        div.field { label for="b-action" { "Action" }
                            select id="b-action" name="action" {
                                option value="false_positive" { "False positive" }
                                option value="accept_risk" { "Accept risk" }
                                option value="mitigate" { "Mitigated" }
                                option value="reopen" { "Reopen" }
                                option value="assign" { "Assign" }
                            }
                        }
                        div.field { label for="b-until" { "Accept until" } input id="b-until" name="until" type="date"; }
                        div.field { label for="b-assignee" { "Assignee" } input id="b-assignee" name="assignee" type="text"; }
                        div.field { label for="b-reason" { "Reason" } input id="b-reason" name="reason" type="text"; }
                        button type="submit" { "Apply" }
                    }
                }
                table id="findings" {
                    caption.visually-hidden { "Findings" }
                    thead {
                        tr {
                            @if can_triage { th.select scope="col" { span.visually-hidden { "Select" } } }
                            th scope="col" { "Severity" }
                            th scope="col" { "Title" }
                            th scope="col" { "Product" }
                            th scope="col" { "Where" }
                            th scope="col" { "Tools" }
                            th scope="col" { "Status" }
                            th scope="col" { "First seen" }
                            th scope="col" { "SLA due" }
                        }
                    }
                    tbody {
                        @for f in &page_.findings {
                            tr {
                                @if can_triage {
                                    td {
                                        input type="checkbox" name="id" value=(f.id) id={ "sel-" (f.id) }
                                            aria-label={ "Select finding " (f.id) };
                                    }
                                }
                                td { (severity(f.severity)) }
                                td { a href={ "/findings/" (f.id) } { (f.title) } }
                                td { (names.get(&f.product_id).copied().unwrap_or("")) }
                                td.mono { (place(&f.finding.location)) }
                                td { (f.tools.join(", ")) }
                                td { (status_name(f.effective_status(view.query.filter.now())).replace('_', " "))
                                    @if let Some(a) = &f.assignee { " · " (a) } }
                                td { (date(f.first_seen)) }
                                td { @if let Some(due) = f.sla_due { (date(due)) } }
                            }
                        }
                    }
                }
            }
            nav.pager aria-label="Pages" {
                @if !view.get("cursor").is_empty() { a href={ "/findings?" (view.link(&[])) } { "First page" } }
                @if let Some(next) = &page_.next_cursor { a href={ "/findings?" (view.link(&[("cursor", next)])) } rel="next" { "Next page" } }
            }
        },
    ))
}

/// One CSV field, quoted when it needs to be; leading formula characters are neutralised so a
/// spreadsheet does not evaluate a finding's title.
fn csv_field(value: &str) -> String {
    let value = if value.starts_with(['=', '+', '-', '@']) {
        format!("'{value}")
    } else {
        value.to_string()
    };
    if value.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value
    }
}

/// `GET /findings.csv`: every finding of the view, in the view's order.
pub(crate) async fn csv(
    viewer: Viewer,
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
) -> Result<Response, Refusal> {
    let products = visible_products(&state, &viewer).await?;
    let mut view = view(&state, &viewer, raw, &products).await?;
    view.query.cursor = None;
    view.query.limit = ward_store::query::MAX_PAGE_SIZE;
    let names: HashMap<ProductId, &str> =
        products.iter().map(|p| (p.id, p.name.as_str())).collect();
    let now = view.query.filter.now();
    let mut out = String::from(
        "id,severity,title,product,category,status,location,tools,identifiers,first_seen,last_seen,sla_due,assignee\r\n",
    );
    let mut rows = 0;
    loop {
        let page = state
            .store
            .find_finding_briefs(&view.query)
            .await
            .map_err(store_refusal)?;
        for f in &page.findings {
            let ids: Vec<&str> = f
                .finding
                .identifiers
                .iter()
                .map(|i| i.value.as_str())
                .collect();
            let line = [
                f.id.to_string(),
                f.severity.as_str().to_string(),
                f.title.clone(),
                names.get(&f.product_id).copied().unwrap_or("").to_string(),
                f.category.as_str().to_string(),
                status_name(f.effective_status(now)).to_string(),
                place(&f.finding.location),
                f.tools.join(" "),
                ids.join(" "),
                date(f.first_seen),
                date(f.last_seen),
                f.sla_due.map(date).unwrap_or_default(),
                f.assignee.clone().unwrap_or_default(),
            ]
            .iter()
            .map(|v| csv_field(v))
            .collect::<Vec<_>>()
            .join(",");
            out.push_str(&line);
            out.push_str("\r\n");
            rows += 1;
        }
        match page.next_cursor {
            Some(next) if rows < CSV_MAX_ROWS => view.query.cursor = Some(next),
            _ => break,
        }
    }
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"findings.csv\"",
            ),
        ],
        out,
    )
        .into_response())
}

/// `POST /findings/triage`: applies one action to the checked findings, as the viewer.
pub(crate) async fn triage(
    viewer: Viewer,
    State(state): State<AppState>,
    body: Bytes,
) -> Result<Response, Refusal> {
    let form = pairs(&body);
    viewer.check_csrf(field(&form, "csrf").unwrap_or(""))?;
    viewer.require(Scope::Triage)?;
    let ids: Vec<FindingId> = form
        .iter()
        .filter(|(k, _)| k == "id")
        .map(|(_, v)| {
            v.parse()
                .map(FindingId)
                .map_err(|_| bad(format!("id: `{v}` is not a finding id")))
        })
        .collect::<Result<_, _>>()?;
    if ids.is_empty() {
        return Err(bad("no finding was checked".into()));
    }
    let action = match field(&form, "action").unwrap_or("") {
        "false_positive" => TriageAction::FalsePositive,
        "mitigate" => TriageAction::Mitigate,
        "reopen" => TriageAction::Reopen,
        "assign" => TriageAction::Assign {
            assignee: field(&form, "assignee").map(str::to_string),
        },
        "accept_risk" => TriageAction::AcceptRisk {
            until: match field(&form, "until") {
                None => None,
                Some(day) => {
                    let format = time::macros::format_description!("[year]-[month]-[day]");
                    let day = Date::parse(day, &format)
                        .map_err(|_| bad(format!("until: `{day}` is not a date (YYYY-MM-DD)")))?;
                    Some(day.with_time(Time::MIDNIGHT).assume_utc())
                }
            },
        },
        other => return Err(bad(format!("action: unknown `{other}`"))),
    };
    let products = visible_products(&state, &viewer).await?;
    let triage = Triage {
        action,
        actor: viewer.actor.clone(),
        reason: field(&form, "reason").map(str::to_string),
        allowed_products: viewer.allowed_ids(&products),
        at: None,
    };
    state
        .store
        .triage(&ids, &triage)
        .await
        .map_err(store_refusal)?;
    let back = field(&form, "back")
        .filter(|b| b.starts_with("/findings"))
        .unwrap_or("/findings");
    Ok(Redirect::to(back).into_response())
}
