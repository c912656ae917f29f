//! Whether the database is too old to trust: a maximum age (`--max-db-age` or
//! `$WARD_DB_MAX_AGE`, default 7 days) checked by whatever queries the database, which prints
//! the warning [`Database::staleness_warning`] returns. A stale database still works (scans
//! run offline); the warning says how old it is and how to refresh it.

use std::time::{Duration, SystemTime};

use crate::Database;

/// The environment variable holding the maximum age.
pub const MAX_AGE_ENV: &str = "WARD_DB_MAX_AGE";

/// The default maximum age: 7 days.
pub const DEFAULT_MAX_AGE: Duration = Duration::from_secs(7 * 86_400);

/// Parses an age: a number with a unit `d`, `h`, `m` or `s` (`7d`, `36h`); a bare number is
/// days. `0` disables the check.
pub fn parse_age(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let number: u64 = number
        .parse()
        .map_err(|_| format!("`{text}` is not an age like 7d, 36h, 90m or 3600s"))?;
    let seconds = match unit {
        "" | "d" => 86_400,
        "h" => 3600,
        "m" => 60,
        "s" => 1,
        _ => return Err(format!("`{text}`: the unit must be d, h, m or s")),
    };
    Ok(Duration::from_secs(number.saturating_mul(seconds)))
}

/// The maximum age: `flag` if given, else `$WARD_DB_MAX_AGE`, else [`DEFAULT_MAX_AGE`].
pub fn max_age(flag: Option<&str>) -> Result<Duration, String> {
    match flag {
        Some(text) => parse_age(text),
        None => match std::env::var(MAX_AGE_ENV) {
            Ok(text) => parse_age(&text).map_err(|e| format!("{MAX_AGE_ENV}: {e}")),
            Err(_) => Ok(DEFAULT_MAX_AGE),
        },
    }
}

impl Database {
    /// A warning when the database is older than `max_age` at `now` (none when `max_age` is
    /// zero).
    pub fn staleness_warning(&self, now: SystemTime, max_age: Duration) -> Option<String> {
        let age = self.age(now);
        if max_age.is_zero() || age <= max_age {
            return None;
        }
        Some(format!(
            "the advisory database was built {} ago, more than the maximum of {}: \
             recent vulnerabilities may be missing; refresh it with `ward db update` \
             (or raise --max-db-age / ${MAX_AGE_ENV})",
            human(age),
            human(max_age)
        ))
    }
}

fn human(d: Duration) -> String {
    let s = d.as_secs();
    if s >= 86_400 {
        format!("{} days {} hours", s / 86_400, s % 86_400 / 3600)
    } else if s >= 3600 {
        format!("{} hours {} minutes", s / 3600, s % 3600 / 60)
    } else {
        format!("{s} seconds")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Builder;

    #[test]
    fn ages() {
        assert_eq!(parse_age("7d"), Ok(DEFAULT_MAX_AGE));
        assert_eq!(parse_age("7"), Ok(DEFAULT_MAX_AGE));
        assert_eq!(parse_age("36h"), Ok(Duration::from_secs(36 * 3600)));
        assert_eq!(parse_age("90m"), Ok(Duration::from_secs(5400)));
        assert_eq!(parse_age("10s"), Ok(Duration::from_secs(10)));
        assert!(parse_age("7w").is_err());
        assert!(parse_age("").is_err());
        assert!(parse_age("d").is_err());
        assert_eq!(max_age(Some("1h")), Ok(Duration::from_secs(3600)));
    }

    #[test]
    fn warns_only_past_the_maximum() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("osv.db");
        let built = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        std::fs::write(&path, Builder::new().to_bytes(built)).unwrap();
        let db = Database::open(&path).unwrap();
        let day = Duration::from_secs(86_400);
        assert_eq!(db.staleness_warning(built + 6 * day, DEFAULT_MAX_AGE), None);
        assert_eq!(db.staleness_warning(built + 7 * day, DEFAULT_MAX_AGE), None);
        let warning = db
            .staleness_warning(built + 8 * day + Duration::from_secs(3600), DEFAULT_MAX_AGE)
            .unwrap();
        assert!(warning.contains("8 days 1 hours ago"), "{warning}");
        assert!(warning.contains("ward db update"), "{warning}");
        // A clock before the build time is age zero, and 0 disables the check.
        assert_eq!(db.staleness_warning(built - day, DEFAULT_MAX_AGE), None);
        assert_eq!(
            db.staleness_warning(built + 100 * day, Duration::ZERO),
            None
        );
    }
}
