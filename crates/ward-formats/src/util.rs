//! Small helpers shared by the parsers.

use ward_core::Severity;

/// The severity a label names, or `default` when it names none.
pub fn severity_or(label: &str, default: Severity) -> Severity {
    Severity::from_label(label).unwrap_or(default)
}

/// The trimmed text, or `None` when blank.
pub fn non_empty(text: Option<&str>) -> Option<String> {
    text.map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_string)
}

/// The first line of a text, cut to at most `max` characters (for titles built from messages).
pub fn first_line(text: &str, max: usize) -> String {
    let line = text.trim().lines().next().unwrap_or("").trim();
    if line.chars().count() <= max {
        return line.to_string();
    }
    let mut cut: String = line.chars().take(max.saturating_sub(1)).collect();
    cut.push('…');
    cut
}

/// Whether a JSON object (from a sniff) has every one of these keys.
pub fn has_keys(value: &serde_json::Value, keys: &[&str]) -> bool {
    value
        .as_object()
        .is_some_and(|o| keys.iter().all(|k| o.contains_key(*k)))
}

/// The first element of a JSON array (from a sniff), if it is one.
pub fn first_item(value: &serde_json::Value) -> Option<&serde_json::Value> {
    value.as_array().and_then(|a| a.first())
}
