//! Findings opened and closed per day, for the dashboard's trend chart.
//!
//! A day counts the findings first seen on it (`opened`), the status changes that took a
//! finding out of `open` (`closed`: fixed, false positive, risk accepted, out of scope; by a
//! person or by an import) and those that brought one back (`reopened`), all from the finding
//! timestamps and the audit trail. Days are UTC calendar days; the stores keep these counts
//! per product and day in a summary table (see [`crate::summary`]).

use time::{Date, OffsetDateTime};

use crate::ProductId;

/// Seconds in a day: the stores bucket Unix times by whole days of this length.
pub const SECONDS_PER_DAY: i64 = 86_400;

/// Which changes [`Store::count_changes_by_day`](crate::Store::count_changes_by_day) counts:
/// those of the whole UTC days the window overlaps.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangeWindow {
    /// From this time on (inclusive).
    pub from: OffsetDateTime,
    /// Before this time (exclusive).
    pub to: OffsetDateTime,
    /// Only findings of these products; `None` is every product.
    pub products: Option<Vec<ProductId>>,
}

/// One day's changes. Days without any change are left out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DayChanges {
    /// The UTC day.
    pub day: Date,
    /// Findings first seen that day.
    pub opened: u64,
    /// Status changes out of `open` that day.
    pub closed: u64,
    /// Status changes back to `open` that day.
    pub reopened: u64,
}

/// The UTC day of `day_number` (days since 1970-01-01), as the stores compute it.
pub fn day_of(day_number: i64) -> Date {
    let at = OffsetDateTime::from_unix_timestamp(day_number.saturating_mul(SECONDS_PER_DAY))
        .unwrap_or(OffsetDateTime::UNIX_EPOCH);
    at.date()
}

/// The day numbers a window covers: from the day of `from` (inclusive) to the first day
/// that starts at or after `to` (exclusive).
pub fn day_range(window: &ChangeWindow) -> (i64, i64) {
    let from = window.from.unix_timestamp().div_euclid(SECONDS_PER_DAY);
    let to = window.to.unix_timestamp();
    let to = to.div_euclid(SECONDS_PER_DAY) + i64::from(to.rem_euclid(SECONDS_PER_DAY) != 0);
    (from, to)
}

/// Day rows (`day`, `opened`, `closed`, `reopened`) as [`DayChanges`].
pub fn from_rows(rows: &[impl crate::records::Columns]) -> crate::Result<Vec<DayChanges>> {
    rows.iter()
        .map(|row| {
            Ok(DayChanges {
                day: day_of(row.int("day")?),
                opened: count(row.int("opened")?),
                closed: count(row.int("closed")?),
                reopened: count(row.int("reopened")?),
            })
        })
        .collect()
}

/// A count column read from the database as a count.
pub fn count(value: i64) -> u64 {
    u64::try_from(value).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use time::macros::date;

    use super::*;

    #[test]
    fn windows_cover_whole_days() {
        let at = |s: i64| OffsetDateTime::from_unix_timestamp(s).unwrap();
        let window = |from, to| ChangeWindow {
            from: at(from),
            to: at(to),
            products: None,
        };
        assert_eq!(day_range(&window(86_400, 3 * 86_400)), (1, 3));
        assert_eq!(day_range(&window(86_401, 3 * 86_400 + 1)), (1, 4));
    }

    #[test]
    fn day_numbers_are_utc_days() {
        assert_eq!(day_of(0), date!(1970 - 01 - 01));
        assert_eq!(day_of(19_723), date!(2024 - 01 - 01));
    }
}
