//! Finding queries: filters, sort orders, keyset pagination, and dashboard counts.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use ward_core::{Category, Finding, Severity, Status};

use crate::model::{EngagementId, ProductId, StoredFinding, TestId};

/// The largest page a query returns; larger limits are cut to it.
pub const MAX_PAGE_SIZE: u32 = 1000;

/// Which findings to return. Every field narrows the result; the default matches every
/// finding the caller may see.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct FindingFilter {
    /// Only these products (an API key's product list); `None` is all products.
    #[serde(default)]
    pub allowed_products: Option<Vec<ProductId>>,
    /// One product.
    #[serde(default)]
    pub product: Option<ProductId>,
    /// One product, by name: resolved within the query (no product matches no finding).
    #[serde(default)]
    pub product_name: Option<String>,
    /// Findings seen by a report of this engagement.
    #[serde(default)]
    pub engagement: Option<EngagementId>,
    /// Findings seen by this test.
    #[serde(default)]
    pub test: Option<TestId>,
    /// At least this severe.
    #[serde(default)]
    pub min_severity: Option<Severity>,
    /// One of these severities (empty: any).
    #[serde(default)]
    pub severities: Vec<Severity>,
    /// One of these categories (empty: any).
    #[serde(default)]
    pub categories: Vec<Category>,
    /// One of these effective statuses (empty: any). An expired risk acceptance counts as
    /// [`Status::Open`], not [`Status::Accepted`].
    #[serde(default)]
    pub statuses: Vec<Status>,
    /// DefectDojo's active flag.
    #[serde(default)]
    pub active: Option<bool>,
    /// DefectDojo's verified flag.
    #[serde(default)]
    pub verified: Option<bool>,
    /// Reported by this tool (exact name, as in [`StoredFinding::tools`]).
    #[serde(default)]
    pub tool: Option<String>,
    /// Carries this identifier (`CVE-2021-44228`, `CWE-79`, a GHSA id), matched without case.
    #[serde(default)]
    pub identifier: Option<String>,
    /// Contains this text (case-insensitive) in its title, description, file path, package
    /// name or URL.
    #[serde(default)]
    pub text: Option<String>,
    /// First seen strictly before this time.
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub first_seen_before: Option<OffsetDateTime>,
    /// First seen at or after this time.
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub first_seen_after: Option<OffsetDateTime>,
    /// Only open findings past their SLA date (`Some(true)`), or only the others.
    #[serde(default)]
    pub sla_breached: Option<bool>,
    /// Assigned to this person.
    #[serde(default)]
    pub assignee: Option<String>,
    /// The time expired acceptances and SLA breaches are judged at; `None` is now.
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub as_of: Option<OffsetDateTime>,
}

impl FindingFilter {
    /// A filter on one product.
    pub fn product(product: ProductId) -> FindingFilter {
        FindingFilter {
            product: Some(product),
            ..FindingFilter::default()
        }
    }

    /// [`FindingFilter::as_of`], or the clock.
    pub fn now(&self) -> OffsetDateTime {
        self.as_of.unwrap_or_else(OffsetDateTime::now_utc)
    }
}

/// What findings are sorted by. Ties are broken by id, so pages never overlap.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SortKey {
    /// Severity (descending by default puts critical first).
    #[default]
    Severity,
    /// First seen.
    FirstSeen,
    /// Last seen.
    LastSeen,
    /// SLA due date; findings without one come last in ascending order.
    SlaDue,
    /// Database id (insertion order).
    Id,
}

/// A sort order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sort {
    /// The key.
    pub key: SortKey,
    /// Largest first.
    pub descending: bool,
}

impl Default for Sort {
    /// Most severe first.
    fn default() -> Sort {
        Sort {
            key: SortKey::Severity,
            descending: true,
        }
    }
}

/// A filtered, sorted page request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FindingQuery {
    /// Which findings.
    #[serde(default)]
    pub filter: FindingFilter,
    /// In which order.
    #[serde(default)]
    pub sort: Sort,
    /// Page size, 1 to [`MAX_PAGE_SIZE`].
    pub limit: u32,
    /// [`Page::next_cursor`] of the previous page; `None` for the first page. A cursor is only
    /// valid with the same sort order.
    #[serde(default)]
    pub cursor: Option<String>,
}

impl Default for FindingQuery {
    fn default() -> FindingQuery {
        FindingQuery {
            filter: FindingFilter::default(),
            sort: Sort::default(),
            limit: 100,
            cursor: None,
        }
    }
}

/// One page of findings, whole ([`Finding`]) or brief ([`crate::FindingBrief`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Page<F = Finding> {
    /// The findings, in order.
    pub findings: Vec<StoredFinding<F>>,
    /// Pass this as [`FindingQuery::cursor`] for the next page; `None` on the last page.
    pub next_cursor: Option<String>,
}

/// How many findings match a filter, by severity, category and effective status.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    /// All matching findings.
    pub total: u64,
    /// By severity (severities without findings are absent).
    pub by_severity: BTreeMap<Severity, u64>,
    /// By category.
    pub by_category: BTreeMap<Category, u64>,
    /// By effective status.
    pub by_status: BTreeMap<Status, u64>,
}

/// How many findings a filter matches with one severity, category, effective status, active
/// flag and verified flag: the finest count a store makes, from which [`Counts`] and
/// DefectDojo's statistics are summed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct StateCount {
    /// Their severity.
    pub severity: Severity,
    /// Their category.
    pub category: Category,
    /// Their effective status.
    pub status: Status,
    /// Their active flag.
    pub active: bool,
    /// Their verified flag.
    pub verified: bool,
    /// How many.
    pub n: u64,
}

impl Counts {
    /// The sums of state counts.
    pub fn of_states(states: &[StateCount]) -> Counts {
        let mut counts = Counts::default();
        for state in states {
            counts.total += state.n;
            *counts.by_severity.entry(state.severity).or_default() += state.n;
            *counts.by_category.entry(state.category).or_default() += state.n;
            *counts.by_status.entry(state.status).or_default() += state.n;
        }
        counts
    }
}
