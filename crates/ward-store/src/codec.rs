//! How values are written to database columns, shared by every backend so that both engines
//! store the same thing: times as Unix seconds, severities as ranks (so they sort), enums by
//! their ward JSON names, lists as JSON text or `|`-delimited text.

use time::OffsetDateTime;
use ward_core::{Category, Severity, Status};

use crate::auth::Scope;
use crate::error::{Error, Result};

/// A time as whole Unix seconds (sub-second parts are dropped).
pub fn to_unix(time: OffsetDateTime) -> i64 {
    time.unix_timestamp()
}

/// A time from Unix seconds.
pub fn from_unix(seconds: i64) -> Result<OffsetDateTime> {
    OffsetDateTime::from_unix_timestamp(seconds).map_err(|e| Error::corrupt("timestamp", e))
}

/// An optional time from Unix seconds.
pub fn from_unix_opt(seconds: Option<i64>) -> Result<Option<OffsetDateTime>> {
    seconds.map(from_unix).transpose()
}

/// A time cut to whole seconds, as it will read back from the database.
pub fn truncate(time: OffsetDateTime) -> OffsetDateTime {
    // Unix seconds of any OffsetDateTime convert back: same range.
    OffsetDateTime::from_unix_timestamp(time.unix_timestamp()).unwrap_or(time)
}

/// The stored rank of a severity: info 0 to critical 4, so `>=` means "at least as severe".
pub fn severity_rank(severity: Severity) -> i16 {
    match severity {
        Severity::Info => 0,
        Severity::Low => 1,
        Severity::Medium => 2,
        Severity::High => 3,
        Severity::Critical => 4,
    }
}

/// The severity of a stored rank.
pub fn severity_from_rank(rank: i64) -> Result<Severity> {
    Ok(match rank {
        0 => Severity::Info,
        1 => Severity::Low,
        2 => Severity::Medium,
        3 => Severity::High,
        4 => Severity::Critical,
        _ => return Err(Error::corrupt("severity", rank)),
    })
}

/// The stored name of a status (its ward JSON name).
pub fn status_name(status: Status) -> &'static str {
    match status {
        Status::Open => "open",
        Status::FalsePositive => "false_positive",
        Status::Mitigated => "mitigated",
        Status::Accepted => "accepted",
        Status::OutOfScope => "out_of_scope",
    }
}

/// The status of a stored name.
pub fn status_from_name(name: &str) -> Result<Status> {
    Ok(match name {
        "open" => Status::Open,
        "false_positive" => Status::FalsePositive,
        "mitigated" => Status::Mitigated,
        "accepted" => Status::Accepted,
        "out_of_scope" => Status::OutOfScope,
        _ => return Err(Error::corrupt("status", name)),
    })
}

/// The category of a stored name.
pub fn category_from_name(name: &str) -> Result<Category> {
    Category::ALL
        .into_iter()
        .find(|c| c.as_str() == name)
        .ok_or_else(|| Error::corrupt("category", name))
}

/// The stored name of a scope.
pub fn scope_name(scope: Scope) -> &'static str {
    scope.as_str()
}

/// The scope of a stored name.
pub fn scope_from_name(name: &str) -> Result<Scope> {
    Scope::parse(name).ok_or_else(|| Error::corrupt("scope", name))
}

/// Tool names as one column: `|Grype|Trivy|`, so that `LIKE '%|Trivy|%'` finds one exactly.
pub fn tools_to_text(tools: &[String]) -> String {
    let mut text = String::from("|");
    for tool in tools {
        text.push_str(&tool.replace('|', "/"));
        text.push('|');
    }
    text
}

/// Tool names from their column.
pub fn tools_from_text(text: &str) -> Vec<String> {
    text.split('|')
        .filter(|t| !t.is_empty())
        .map(str::to_string)
        .collect()
}

/// The `LIKE` pattern that finds one tool in a tools column.
pub fn tool_pattern(tool: &str) -> String {
    format!("%|{}|%", escape_like(&tool.replace('|', "/")))
}

/// A `LIKE` pattern for text anywhere in a column, lower-cased (compare with the column
/// lower-cased), with `%`, `_` and `\` escaped for `ESCAPE '\'`.
pub fn contains_pattern(text: &str) -> String {
    format!("%{}%", escape_like(&text.to_lowercase()))
}

/// Escapes `LIKE` wildcards for `ESCAPE '\'`.
pub fn escape_like(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// A string list as a JSON array column.
pub fn list_to_json(items: &[String]) -> String {
    serde_json::to_string(items).unwrap_or_else(|_| "[]".to_string())
}

/// A string list from a JSON array column.
pub fn list_from_json(text: &str) -> Result<Vec<String>> {
    serde_json::from_str(text).map_err(|e| Error::corrupt("list", e))
}

/// Trims, drops blanks and repeats, sorts.
pub fn normalize_tags(tags: &[String]) -> Vec<String> {
    let mut tags: Vec<String> = tags
        .iter()
        .map(|t| t.trim().to_string())
        .filter(|t| !t.is_empty())
        .collect();
    tags.sort();
    tags.dedup();
    tags
}

/// A name as stored: trimmed, non-blank, at most 255 characters, no control characters.
pub fn clean_name(field: &'static str, name: &str) -> Result<String> {
    let name = name.trim();
    if name.is_empty() {
        return Err(Error::invalid(field, "must not be blank"));
    }
    if name.chars().count() > 255 {
        return Err(Error::invalid(field, "longer than 255 characters"));
    }
    if name.chars().any(char::is_control) {
        return Err(Error::invalid(field, "contains control characters"));
    }
    Ok(name.to_string())
}

/// Text for an indexed column: NUL characters removed (PostgreSQL refuses them in text).
pub fn clean_text(text: &str) -> String {
    if text.contains('\0') {
        text.replace('\0', "")
    } else {
        text.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tools_column_round_trips() {
        let tools = vec!["Grype".to_string(), "Trivy".to_string()];
        let text = tools_to_text(&tools);
        assert_eq!(text, "|Grype|Trivy|");
        assert_eq!(tools_from_text(&text), tools);
        assert_eq!(tools_from_text("|"), Vec::<String>::new());
        assert_eq!(tool_pattern("a_b"), "%|a\\_b|%");
    }

    #[test]
    fn severity_ranks_round_trip() {
        for severity in Severity::ALL {
            let rank = severity_rank(severity);
            assert_eq!(severity_from_rank(i64::from(rank)).unwrap(), severity);
        }
        assert!(severity_from_rank(9).is_err());
    }

    #[test]
    fn names_are_checked() {
        assert_eq!(clean_name("name", "  web ").unwrap(), "web");
        assert!(clean_name("name", " ").is_err());
        assert!(clean_name("name", "a\nb").is_err());
        assert_eq!(clean_text("a\0b"), "ab");
    }

    #[test]
    fn statuses_round_trip() {
        for status in [
            Status::Open,
            Status::FalsePositive,
            Status::Mitigated,
            Status::Accepted,
            Status::OutOfScope,
        ] {
            let json = serde_json::to_string(&status).unwrap();
            assert_eq!(json, format!("\"{}\"", status_name(status)));
            assert_eq!(status_from_name(status_name(status)).unwrap(), status);
        }
    }
}
