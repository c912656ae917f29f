//! Small text helpers shared by the SAST importers (SARIF, Semgrep, Bandit, Horusec, SonarQube):
//! titles from long messages, CWE/CVE/OWASP ids inside free text, HTML to text, and serde
//! helpers for fields that tools write either as a string or as a list.

use std::fmt;

use serde::de::{self, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;

/// The text with every run of whitespace (newlines included) made one space, trimmed.
pub(crate) fn collapse_whitespace(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    if text.is_ascii() {
        // The same as below, a byte at a time: ASCII's whitespace is 9 to 13 and the space.
        let is_space = |b: u8| matches!(b, b'\t'..=b'\r' | b' ');
        let bytes = text.as_bytes();
        let mut at = 0;
        while at < bytes.len() {
            let start = at;
            while bytes.get(at).is_some_and(|&b| !is_space(b)) {
                at += 1;
            }
            // Every byte of an ASCII text is a character boundary.
            if let Some(word) = text.get(start..at).filter(|w| !w.is_empty()) {
                if !out.is_empty() {
                    out.push(' ');
                }
                out.push_str(word);
            }
            at += 1;
        }
        return out;
    }
    for word in text.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

/// A title from a possibly long, multi-line message: whitespace collapsed, cut at a word
/// boundary to at most `max` characters (an ellipsis marks the cut).
pub(crate) fn short_title(text: &str, max: usize) -> String {
    short_title_collapsed(&collapse_whitespace(text), max)
}

/// [`short_title`] of a text whose whitespace is collapsed already.
pub(crate) fn short_title_collapsed(text: &str, max: usize) -> String {
    // At most `max` characters: kept whole.
    if text.len() <= max || text.char_indices().nth(max).is_none() {
        return text.to_string();
    }
    let keep = max.saturating_sub(1);
    let end = text
        .char_indices()
        .nth(keep)
        .map_or(text.len(), |(at, _)| at);
    let cut = &text[..end];
    let cut = match cut.rfind(' ') {
        Some(space) if space > max / 2 => cut[..space].trim_end(),
        _ => cut,
    };
    format!("{cut}…")
}

/// Every `CWE-n` in a text (any case, also `CWE n`/`cwe_n`/`CWE:n`), in order, without repeats.
pub(crate) fn cwe_numbers(text: &str) -> Vec<u32> {
    let mut found = Vec::new();
    let lower = text.to_ascii_lowercase();
    let bytes = lower.as_bytes();
    let mut from = 0;
    while let Some(at) = lower[from..].find("cwe") {
        let mut i = from + at + 3;
        from = i;
        if !matches!(bytes.get(i), Some(b'-' | b'_' | b' ' | b':')) {
            continue;
        }
        i += 1;
        let start = i;
        while bytes.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        if i > start {
            if let Ok(n) = lower[start..i].parse::<u32>() {
                if n > 0 && !found.contains(&n) {
                    found.push(n);
                }
            }
        }
    }
    found
}

/// Every CVE (`CVE-2021-44228`) and GHSA (`GHSA-xxxx-xxxx-xxxx`) id in a text, in order.
pub(crate) fn advisory_ids(text: &str) -> Vec<String> {
    let mut found: Vec<String> = Vec::new();
    let names = |prefix: &str| {
        text.as_bytes()
            .windows(prefix.len())
            .any(|w| w.eq_ignore_ascii_case(prefix.as_bytes()))
    };
    if !names("CVE-") && !names("GHSA-") {
        return found;
    }
    let upper = text.to_ascii_uppercase();
    for prefix in ["CVE-", "GHSA-"] {
        let mut from = 0;
        while let Some(at) = upper[from..].find(prefix) {
            let start = from + at;
            let mut end = start + prefix.len();
            let bytes = upper.as_bytes();
            while bytes
                .get(end)
                .is_some_and(|b| b.is_ascii_alphanumeric() || *b == b'-')
            {
                end += 1;
            }
            from = end;
            let id = upper[start..end].trim_end_matches('-');
            let body = id.strip_prefix(prefix).unwrap_or("");
            let ok = if prefix == "CVE-" {
                let mut parts = body.split('-');
                matches!(
                    (parts.next(), parts.next(), parts.next()),
                    (Some(y), Some(n), None)
                        if y.len() == 4 && y.bytes().all(|b| b.is_ascii_digit())
                            && n.len() >= 4 && n.bytes().all(|b| b.is_ascii_digit())
                )
            } else {
                body.split('-').count() == 3 && id.len() == 19
            };
            // The text's own spelling, since GHSA ids are case-normalised by Identifier.
            if ok && !found.iter().any(|f| f.eq_ignore_ascii_case(id)) {
                found.push(text[start..start + id.len()].to_string());
            }
        }
    }
    found
}

/// An OWASP Top 10 category (`A03:2021`) at the start of a label such as
/// `A03:2021 - Injection` or `OWASP-A05:2021-Security Misconfiguration`; labels without a year
/// (`A3: Sensitive Data Exposure`) name no edition and give `None`.
pub(crate) fn owasp_category(label: &str) -> Option<String> {
    let label = label.trim();
    let label = label
        .strip_prefix("OWASP-")
        .or_else(|| label.strip_prefix("owasp-"))
        .unwrap_or(label);
    let bytes = label.as_bytes();
    if !matches!(bytes.first(), Some(b'A' | b'a')) {
        return None;
    }
    let digits = bytes[1..].iter().take_while(|b| b.is_ascii_digit()).count();
    if !(1..=2).contains(&digits) || bytes.get(1 + digits) != Some(&b':') {
        return None;
    }
    let year = label.get(2 + digits..6 + digits)?;
    if !year.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    if bytes
        .get(6 + digits)
        .is_some_and(|b| b.is_ascii_alphanumeric())
    {
        return None;
    }
    Some(format!("A{}:{year}", &label[1..1 + digits]).to_ascii_uppercase())
}

/// Decodes HTML character references (`&amp;`, `&#34;`, `&#x27;` …).
pub(crate) fn unescape_html(text: &str) -> String {
    if !text.contains('&') {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        let end = rest
            .char_indices()
            .take(12)
            .find(|(_, c)| *c == ';')
            .map(|(i, _)| i);
        let decoded = end.and_then(|end| {
            let name = &rest[1..end];
            let c = match name {
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                "nbsp" => Some(' '),
                _ => {
                    let number = name.strip_prefix('#')?;
                    let code = match number.strip_prefix(['x', 'X']) {
                        Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                        None => number.parse().ok()?,
                    };
                    char::from_u32(code)
                }
            }?;
            Some((c, end))
        });
        match decoded {
            Some((c, end)) => {
                out.push(c);
                rest = &rest[end + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// Plain text from an HTML fragment: tags dropped (block tags become line breaks), character
/// references decoded, blank lines squeezed.
pub(crate) fn html_to_text(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(at) = rest.find('<') {
        out.push_str(&rest[..at]);
        let Some(end) = rest[at..].find('>') else {
            out.push_str(&rest[at..]);
            rest = "";
            break;
        };
        let tag = rest[at + 1..at + end]
            .trim_start_matches('/')
            .split(|c: char| c.is_whitespace() || c == '/')
            .next()
            .unwrap_or("")
            .to_ascii_lowercase();
        if matches!(
            tag.as_str(),
            "p" | "br" | "li" | "tr" | "h1" | "h2" | "h3" | "h4" | "pre" | "ul" | "ol" | "div"
        ) {
            out.push('\n');
        } else if matches!(tag.as_str(), "td" | "th") {
            out.push(' ');
        }
        rest = &rest[at + end + 1..];
    }
    out.push_str(rest);
    let text = unescape_html(&out);
    let mut lines: Vec<&str> = Vec::new();
    for line in text.lines().map(str::trim_end) {
        if line.trim().is_empty() && lines.last().is_none_or(|l| l.trim().is_empty()) {
            continue;
        }
        lines.push(line);
    }
    while lines.last().is_some_and(|l| l.trim().is_empty()) {
        lines.pop();
    }
    lines.join("\n")
}

/// Decodes `%XX` escapes in a URI reference; invalid escapes are kept as written.
pub(crate) fn percent_decode(uri: &str) -> String {
    if !uri.contains('%') {
        return uri.to_string();
    }
    let bytes = uri.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        if bytes[i] == b'%' {
            if let (Some(h), Some(l)) = (
                bytes.get(i + 1).copied().and_then(hex),
                bytes.get(i + 2).copied().and_then(hex),
            ) {
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8(out).unwrap_or_else(|_| uri.to_string())
}

/// A JSON field that tools write as one string or as a list of strings (numbers and booleans
/// are taken as their text; anything else is skipped).
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct StrList(pub(crate) Vec<String>);

impl<'de> Deserialize<'de> for StrList {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<StrList, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = StrList;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string or a list of strings")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<StrList, E> {
                Ok(StrList(vec![v.to_string()]))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<StrList, E> {
                Ok(StrList(vec![v.to_string()]))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<StrList, E> {
                Ok(StrList(vec![v.to_string()]))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<StrList, E> {
                Ok(StrList(vec![v.to_string()]))
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<StrList, E> {
                Ok(StrList(vec![v.to_string()]))
            }
            fn visit_unit<E: de::Error>(self) -> Result<StrList, E> {
                Ok(StrList::default())
            }
            fn visit_none<E: de::Error>(self) -> Result<StrList, E> {
                Ok(StrList::default())
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<StrList, A::Error> {
                let mut items = Vec::new();
                while let Some(item) = seq.next_element::<Scalar>()? {
                    if let Some(text) = item.0 {
                        items.push(text);
                    }
                }
                Ok(StrList(items))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<StrList, A::Error> {
                while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(StrList::default())
            }
        }
        deserializer.deserialize_any(V)
    }
}

impl StrList {
    /// The items, in order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(String::as_str)
    }
}

/// A JSON scalar taken as text: strings as they are, numbers and booleans written out; `null`,
/// objects and arrays give `None`.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Scalar(pub(crate) Option<String>);

impl<'de> Deserialize<'de> for Scalar {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Scalar, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Scalar;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a scalar")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Scalar, E> {
                Ok(Scalar(Some(v.to_string())))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Scalar, E> {
                Ok(Scalar(Some(v.to_string())))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Scalar, E> {
                Ok(Scalar(Some(v.to_string())))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Scalar, E> {
                Ok(Scalar(Some(v.to_string())))
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Scalar, E> {
                Ok(Scalar(Some(v.to_string())))
            }
            fn visit_unit<E: de::Error>(self) -> Result<Scalar, E> {
                Ok(Scalar(None))
            }
            fn visit_none<E: de::Error>(self) -> Result<Scalar, E> {
                Ok(Scalar(None))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Scalar, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(Scalar(None))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Scalar, A::Error> {
                while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(Scalar(None))
            }
        }
        deserializer.deserialize_any(V)
    }
}

impl Scalar {
    /// The text, trimmed, unless blank.
    pub(crate) fn text(&self) -> Option<&str> {
        self.0.as_deref().map(str::trim).filter(|t| !t.is_empty())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_are_cut_at_words() {
        assert_eq!(short_title("a\n  b\tc", 150), "a b c");
        let long = "word ".repeat(40);
        let title = short_title(&long, 20);
        assert!(
            title.chars().count() <= 20 && title.ends_with("word…"),
            "{title}"
        );
    }

    #[test]
    fn collapsing_and_cutting_match_the_plain_definitions() {
        let plain_collapse = |t: &str| t.split_whitespace().collect::<Vec<_>>().join(" ");
        let plain_title = |t: &str, max: usize| {
            let t = plain_collapse(t);
            if t.chars().count() <= max {
                return t;
            }
            let cut: String = t.chars().take(max.saturating_sub(1)).collect();
            let cut = match cut.rfind(' ') {
                Some(space) if space > max / 2 => cut[..space].trim_end().to_string(),
                _ => cut,
            };
            format!("{cut}…")
        };
        let texts = [
            "",
            " ",
            "a",
            "  a  b\n\n c\t",
            "x\u{0B}y\u{0C}z\rw\u{1C}v",
            "tab\there\u{A0}nbsp\u{2003}em space",
            "ünïcödé wörds   and\nmore wörds, ünïcödé wörds and more",
            "word word word word word word word word word word word word",
            "averyveryveryverylongwordwithoutanyspaceatallinsideitreally",
        ];
        for text in texts {
            assert_eq!(collapse_whitespace(text), plain_collapse(text), "{text:?}");
            for max in [0, 1, 5, 10, 20, 30, 150] {
                assert_eq!(
                    short_title(text, max),
                    plain_title(text, max),
                    "{text:?} {max}"
                );
            }
        }
        assert!(advisory_ids("rule-without-ids").is_empty());
        assert_eq!(advisory_ids("x cve-2021-44228 y"), ["cve-2021-44228"]);
    }

    #[test]
    fn ids_in_text() {
        assert_eq!(
            cwe_numbers("(CWE-120, CWE-20) cwe-120 CWE 79"),
            [120, 20, 79]
        );
        assert_eq!(cwe_numbers("external/cwe/cwe-079"), [79]);
        assert_eq!(
            advisory_ids("see CVE-2021-44228 and GHSA-jfh8-c2jp-5v3q, not CVE-20-1"),
            ["CVE-2021-44228", "GHSA-jfh8-c2jp-5v3q"]
        );
        assert_eq!(
            owasp_category("A03:2021 - Injection").as_deref(),
            Some("A03:2021")
        );
        assert_eq!(
            owasp_category("OWASP-A6:2017-Security Misconfiguration").as_deref(),
            Some("A6:2017")
        );
        assert_eq!(owasp_category("A3: Sensitive Data Exposure"), None);
        // Truncated ids must not panic.
        for text in [
            "CVE-",
            "CVE--",
            "GHSA-",
            "GHSA--x",
            "cwe-",
            "A",
            "A1:",
            "é CVE-é",
            "&#;&#x;&",
        ] {
            let _ = (advisory_ids(text), cwe_numbers(text), owasp_category(text));
            let _ = (
                unescape_html(text),
                html_to_text(text),
                percent_decode(text),
            );
        }
    }

    #[test]
    fn html() {
        assert_eq!(
            unescape_html("&#34;clone&#34; &amp;&amp; &lt;x&gt; &bogus"),
            "\"clone\" && <x> &bogus"
        );
        assert_eq!(
            html_to_text("<p>One <code>two</code></p>\n\n\n<p>three &amp; four</p>"),
            "One two\n\nthree & four"
        );
        assert_eq!(percent_decode("src/my%20file.c"), "src/my file.c");
        assert_eq!(percent_decode("100%"), "100%");
    }

    #[test]
    fn string_or_list() {
        let one: StrList = serde_json::from_str("\"CWE-79\"").unwrap();
        let many: StrList = serde_json::from_str("[\"a\", 1, null, {\"x\": 1}]").unwrap();
        assert_eq!(
            (one.0, many.0),
            (vec!["CWE-79".to_string()], vec!["a".into(), "1".into()])
        );
        let s: Scalar = serde_json::from_str("7.5").unwrap();
        assert_eq!(s.text(), Some("7.5"));
    }
}
