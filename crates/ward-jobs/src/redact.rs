//! Masks secrets in tool output before it is kept in a failure report, with ward's own
//! secret rules: a tool that printed a credential (a verbose gitleaks, a failing deploy
//! script) must not have it stored in clear.

use std::sync::OnceLock;

use ward_secrets::RuleSet;

/// `text` with every secret ward's built-in rules find replaced by its masked form.
pub(crate) fn redact_secrets(text: &str) -> String {
    static RULES: OnceLock<RuleSet> = OnceLock::new();
    let rules = RULES.get_or_init(|| RuleSet::new(ward_secrets::builtin_rules()));
    // The salt only feeds hashes that are thrown away here.
    let hits = rules.scan("output", text.as_bytes(), b"redact");
    if hits.is_empty() {
        return text.to_string();
    }
    let mut lines: Vec<String> = text.split('\n').map(str::to_string).collect();
    let mut hits = hits;
    // Right to left within a line, so earlier columns stay valid.
    hits.sort_by_key(|hit| std::cmp::Reverse((hit.line, hit.column)));
    for hit in hits {
        let Some(line) = lines.get_mut((hit.line as usize).wrapping_sub(1)) else {
            continue;
        };
        let start = (hit.column as usize).saturating_sub(1);
        let end = (hit.end_column as usize).saturating_sub(1);
        if start < end
            && line.is_char_boundary(start)
            && line.is_char_boundary(end)
            && end <= line.len()
        {
            line.replace_range(start..end, &hit.secret.masked);
        }
    }
    lines.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_a_printed_token_and_keeps_the_rest() {
        // A GitHub token look-alike (random, not a real credential).
        let token = "ghp_R7k2Lm9Qx4Tz8Wb3Nc6Vd1Fh5Jp0Ys2Ae4Gu";
        let text = format!("starting\nerror: auth failed with {token} (401)\ndone");
        let redacted = redact_secrets(&text);
        assert!(!redacted.contains(token), "{redacted}");
        assert!(redacted.starts_with("starting\nerror: auth failed with ghp_"));
        assert!(redacted.ends_with(" (401)\ndone"));
        assert_eq!(redact_secrets("nothing here"), "nothing here");
    }
}
