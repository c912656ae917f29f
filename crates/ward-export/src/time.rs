//! Timestamps without a date library: reading the RFC 3339 forms scanners write and printing
//! the forms the output formats want, always in UTC and to the second.

use std::fmt;

/// An instant, to the second, in UTC.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct UtcTime {
    unix_seconds: i64,
}

impl UtcTime {
    /// 1970-01-01T00:00:00Z, the stamp used when nothing says when a scan ran.
    pub const EPOCH: UtcTime = UtcTime { unix_seconds: 0 };

    /// The instant this many seconds after the Unix epoch.
    pub fn from_unix(unix_seconds: i64) -> UtcTime {
        UtcTime { unix_seconds }
    }

    /// Seconds since the Unix epoch.
    pub fn unix(self) -> i64 {
        self.unix_seconds
    }

    /// Reads `2024-05-01T12:00:00Z`, `2024-05-01T14:00:00.123+02:00`, `…+0200`, a space
    /// instead of the `T`, no offset (taken as UTC), or a bare date. Fractions of a second are
    /// dropped. `None` for anything else.
    pub fn parse(text: &str) -> Option<UtcTime> {
        let text = text.trim();
        let bytes = text.as_bytes();
        let number = |range: std::ops::Range<usize>| -> Option<i64> {
            let digits = bytes.get(range)?;
            if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
                return None;
            }
            std::str::from_utf8(digits).ok()?.parse().ok()
        };
        let year = number(0..4)?;
        if bytes.get(4) != Some(&b'-') || bytes.get(7) != Some(&b'-') {
            return None;
        }
        let month = number(5..7)?;
        let day = number(8..10)?;
        if !(1..=12).contains(&month) || !(1..=days_in_month(year, month)).contains(&day) {
            return None;
        }
        let days = days_from_civil(year, month, day);
        if bytes.len() == 10 {
            return Some(UtcTime::from_unix(days * 86_400));
        }
        if !matches!(bytes.get(10), Some(b'T' | b't' | b' ')) {
            return None;
        }
        let hour = number(11..13)?;
        let minute = number(14..16)?;
        if bytes.get(13) != Some(&b':') {
            return None;
        }
        let (second, mut rest) = if bytes.get(16) == Some(&b':') {
            (number(17..19)?, 19)
        } else {
            (0, 16)
        };
        if hour > 23 || minute > 59 || second > 60 {
            return None;
        }
        if bytes.get(rest) == Some(&b'.') {
            rest += 1;
            let start = rest;
            while bytes.get(rest).is_some_and(u8::is_ascii_digit) {
                rest += 1;
            }
            if rest == start {
                return None;
            }
        }
        let offset_seconds = match bytes.get(rest) {
            None => 0,
            Some(b'Z' | b'z') if rest + 1 == bytes.len() => 0,
            Some(&sign @ (b'+' | b'-')) => {
                let offset = &text[rest + 1..];
                if !offset.is_ascii() {
                    return None;
                }
                let (hours, minutes) = match offset.len() {
                    5 if offset.as_bytes()[2] == b':' => (&offset[..2], &offset[3..]),
                    4 => (&offset[..2], &offset[2..]),
                    2 => (&offset[..2], "00"),
                    _ => return None,
                };
                let hours: i64 = hours.parse().ok()?;
                let minutes: i64 = minutes.parse().ok()?;
                if hours > 18 || minutes > 59 {
                    return None;
                }
                let seconds = hours * 3600 + minutes * 60;
                if sign == b'+' {
                    seconds
                } else {
                    -seconds
                }
            }
            _ => return None,
        };
        let seconds = days * 86_400 + hour * 3600 + minute * 60 + second.min(59);
        Some(UtcTime::from_unix(seconds - offset_seconds))
    }

    /// `2024-05-01T12:00:00Z`.
    pub fn rfc3339(self) -> String {
        format!("{}Z", self.naive())
    }

    /// `2024-05-01T12:00:00`: the zone-less UTC form GitLab's and JUnit's schemas ask for.
    pub fn naive(self) -> String {
        let days = self.unix_seconds.div_euclid(86_400);
        let seconds = self.unix_seconds.rem_euclid(86_400);
        let (year, month, day) = civil_from_days(days);
        format!(
            "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}",
            seconds / 3600,
            seconds / 60 % 60,
            seconds % 60
        )
    }
}

impl fmt::Display for UtcTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.rfc3339())
    }
}

fn is_leap(year: i64) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let month_index = (month + 9) % 12;
    let day_of_year = (153 * month_index + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// The inverse of [`days_from_civil`].
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let days = days + 719_468;
    let era = days.div_euclid(146_097);
    let day_of_era = days - era * 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_index = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_index + 2) / 5 + 1;
    let month = if month_index < 10 {
        month_index + 3
    } else {
        month_index - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(input: &str, expected: Option<&str>) {
        assert_eq!(
            UtcTime::parse(input).map(UtcTime::rfc3339).as_deref(),
            expected,
            "{input}"
        );
    }

    #[test]
    fn reads_the_usual_forms() {
        check("2024-05-01T12:00:00Z", Some("2024-05-01T12:00:00Z"));
        check(
            "2024-05-01T14:30:00.123456+02:30",
            Some("2024-05-01T12:00:00Z"),
        );
        check("2024-05-01 12:00:00", Some("2024-05-01T12:00:00Z"));
        check("2024-01-01T01:00:00+0200", Some("2023-12-31T23:00:00Z"));
        check("2024-02-29", Some("2024-02-29T00:00:00Z"));
        check("2024-05-01T12:00Z", Some("2024-05-01T12:00:00Z"));
        check("1969-12-31T23:59:59Z", Some("1969-12-31T23:59:59Z"));
    }

    #[test]
    fn refuses_the_rest() {
        for bad in [
            "",
            "yesterday",
            "2023-02-29",
            "2024-13-01",
            "2024-05-01T25:00:00Z",
            "2024-05-01T12:00:00Q",
            "2024-05-01T12:00:00.Z",
            "2024-05-01T12:00:00+99:00",
            "１２３４-05-01",
            "2024-05-01T12:00:00+é12",
        ] {
            check(bad, None);
        }
    }

    #[test]
    fn round_trips_every_day_of_four_centuries() {
        for days in (-146_097..146_097).step_by(7) {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
        assert_eq!(
            UtcTime::from_unix(1_700_000_000).naive(),
            "2023-11-14T22:13:20"
        );
    }
}
