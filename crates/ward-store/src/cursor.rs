//! Opaque keyset-pagination cursors.
//!
//! A page ends at some finding; the next page starts strictly after that finding's
//! `(sort value, id)` pair in the query's order. The cursor carries that pair and the sort it
//! was made for, base64url-encoded so that clients treat it as an opaque string.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use ward_core::Severity;

use crate::codec;
use crate::error::{Error, Result};
use crate::model::StoredFinding;
use crate::query::{Sort, SortKey};

/// The sort value of findings without an SLA date: they sort after every dated one.
pub const NO_SLA_SORT_VALUE: i64 = i64::MAX;

/// Where the next page starts: after the finding with this sort value and id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cursor {
    /// The sort value of the last finding returned (see [`sort_value`]).
    pub value: i64,
    /// Its id.
    pub id: i64,
}

impl Cursor {
    /// The cursor that continues after `finding`.
    pub fn after<F>(finding: &StoredFinding<F>, key: SortKey) -> Cursor {
        Cursor {
            value: sort_value(finding, key),
            id: finding.id.0,
        }
    }

    /// The opaque text handed to clients.
    pub fn encode(self, sort: Sort) -> String {
        let direction = if sort.descending { 'd' } else { 'a' };
        let text = format!(
            "{}:{direction}:{}:{}",
            key_name(sort.key),
            self.value,
            self.id
        );
        URL_SAFE_NO_PAD.encode(text)
    }

    /// Reads a cursor made by [`Cursor::encode`] for the same sort order.
    pub fn decode(text: &str, sort: Sort) -> Result<Cursor> {
        let invalid = |reason: &str| Error::invalid("cursor", reason);
        let bytes = URL_SAFE_NO_PAD
            .decode(text.trim())
            .map_err(|_| invalid("not a cursor returned by this server"))?;
        let text = String::from_utf8(bytes).map_err(|_| invalid("not a cursor"))?;
        let mut parts = text.split(':');
        let (Some(key), Some(direction), Some(value), Some(id), None) = (
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
        ) else {
            return Err(invalid("not a cursor returned by this server"));
        };
        let expected_direction = if sort.descending { "d" } else { "a" };
        if key != key_name(sort.key) || direction != expected_direction {
            return Err(invalid("made for a different sort order"));
        }
        match (value.parse(), id.parse()) {
            (Ok(value), Ok(id)) => Ok(Cursor { value, id }),
            _ => Err(invalid("not a cursor returned by this server")),
        }
    }
}

/// The integer a finding sorts by under `key`; backends sort by the same expression.
pub fn sort_value<F>(finding: &StoredFinding<F>, key: SortKey) -> i64 {
    match key {
        SortKey::Severity => severity_value(finding.severity),
        SortKey::FirstSeen => codec::to_unix(finding.first_seen),
        SortKey::LastSeen => codec::to_unix(finding.last_seen),
        SortKey::SlaDue => finding.sla_due.map_or(NO_SLA_SORT_VALUE, codec::to_unix),
        SortKey::Id => finding.id.0,
    }
}

fn severity_value(severity: Severity) -> i64 {
    i64::from(codec::severity_rank(severity))
}

fn key_name(key: SortKey) -> &'static str {
    match key {
        SortKey::Severity => "severity",
        SortKey::FirstSeen => "first_seen",
        SortKey::LastSeen => "last_seen",
        SortKey::SlaDue => "sla_due",
        SortKey::Id => "id",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_sort_check() {
        let sort = Sort::default();
        let cursor = Cursor { value: 4, id: 17 };
        let text = cursor.encode(sort);
        assert_eq!(Cursor::decode(&text, sort).unwrap(), cursor);
        let other = Sort {
            key: SortKey::FirstSeen,
            descending: true,
        };
        assert!(Cursor::decode(&text, other).is_err());
        assert!(Cursor::decode("not a cursor", sort).is_err());
        assert!(Cursor::decode("", sort).is_err());
    }
}
