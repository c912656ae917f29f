//! Small text helpers for the web and TLS scanner parsers (ZAP, Burp, Nuclei, Nikto, WPScan,
//! sslscan, SSLyze): HTML fragments to plain text, bounded evidence, credential masking, base64,
//! URL hosts, dates.

use ward_core::mask;

/// The most evidence (request/response excerpts, matched text) one finding keeps, in bytes.
pub(crate) const EVIDENCE_MAX: usize = 4096;

/// At most `max` bytes of `text` (cut at a character boundary), with a marker when cut.
pub(crate) fn bounded(text: &str, max: usize) -> String {
    if text.len() <= max {
        return text.to_string();
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}… [{} bytes cut]", &text[..end], text.len() - end)
}

/// Joins evidence parts with blank lines, masks credential headers and bounds the whole to
/// [`EVIDENCE_MAX`].
pub(crate) fn evidence(parts: &[String]) -> Option<String> {
    let parts: Vec<&str> = parts
        .iter()
        .map(|p| p.trim())
        .filter(|p| !p.is_empty())
        .collect();
    if parts.is_empty() {
        return None;
    }
    Some(bounded(
        &mask_credentials(&parts.join("\n\n")),
        EVIDENCE_MAX,
    ))
}

/// Headers whose values are credentials.
const CREDENTIAL_HEADERS: &[&str] = &[
    "authorization",
    "proxy-authorization",
    "cookie",
    "set-cookie",
    "x-api-key",
    "x-auth-token",
    "api-key",
];

/// Masks the values of credential headers (`Authorization`, `Cookie`, `Set-Cookie`, API key
/// headers) wherever they appear in a request/response excerpt or a curl command, so that the
/// scanner's session credentials do not end up in findings. Cookie names stay readable.
pub(crate) fn mask_credentials(text: &str) -> String {
    let lower = text.to_ascii_lowercase();
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    loop {
        let next = CREDENTIAL_HEADERS
            .iter()
            .filter_map(|h| find_header(&lower, at, h).map(|p| (p, *h)))
            .min_by_key(|(p, _)| *p);
        let Some((pos, header)) = next else {
            break;
        };
        let value_start = pos + header.len() + 1;
        let value_end = text[value_start..]
            .find(['\r', '\n', '\'', '"'])
            .map_or(text.len(), |e| value_start + e);
        out.push_str(&text[at..value_start]);
        out.push_str(&mask_header_value(header, &text[value_start..value_end]));
        at = value_end;
    }
    out.push_str(&text[at..]);
    out
}

/// Where `name:` starts a header at or after `from` (at a line start, after a blank or a quote).
fn find_header(lower: &str, from: usize, name: &str) -> Option<usize> {
    let needle = format!("{name}:");
    let mut start = from;
    while let Some(p) = lower[start..].find(&needle) {
        let at = start + p;
        if at == 0
            || matches!(
                lower.as_bytes()[at - 1],
                b'\n' | b'\r' | b' ' | b'\t' | b'\'' | b'"'
            )
        {
            return Some(at);
        }
        start = at + needle.len();
    }
    None
}

fn mask_header_value(header: &str, value: &str) -> String {
    let trimmed = value.trim();
    if trimmed.is_empty() || trimmed.contains("REDACTED") || trimmed.contains("****") {
        return value.to_string();
    }
    let lead = &value[..value.len() - value.trim_start().len()];
    let masked = match header {
        "cookie" => trimmed
            .split(';')
            .map(|pair| mask_pair(pair.trim()))
            .collect::<Vec<_>>()
            .join("; "),
        "set-cookie" => {
            let (first, attributes) = trimmed.split_once(';').unwrap_or((trimmed, ""));
            if attributes.is_empty() {
                mask_pair(first.trim())
            } else {
                format!("{};{attributes}", mask_pair(first.trim()))
            }
        }
        "authorization" | "proxy-authorization" => match trimmed.split_once(' ') {
            Some((scheme, credentials)) => format!("{scheme} {}", mask(credentials.trim())),
            None => mask(trimmed),
        },
        _ => mask(trimmed),
    };
    format!("{lead}{masked}")
}

/// `name=value` → `name=****`; a bare name stays.
fn mask_pair(pair: &str) -> String {
    match pair.split_once('=') {
        Some((name, value)) if !value.is_empty() => format!("{name}={}", mask(value)),
        _ => pair.to_string(),
    }
}

/// Plain text from the small HTML fragments scanners put in descriptions (`<p>`, `<li>`, `<br>`,
/// `<a>`, entities). Block elements become line breaks; other tags are dropped.
pub(crate) fn html_to_text(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(start) = rest.find('<') {
        out.push_str(&rest[..start]);
        let after = &rest[start..];
        let Some(end) = after.find('>') else {
            out.push_str(after);
            rest = "";
            break;
        };
        let tag = after[1..end]
            .trim_start_matches('/')
            .split(|c: char| c.is_whitespace() || c == '/')
            .next()
            .unwrap_or("")
            .to_ascii_lowercase();
        match tag.as_str() {
            "p" | "br" | "div" | "ul" | "ol" | "tr" | "h1" | "h2" | "h3" | "h4" | "pre" => {
                out.push('\n')
            }
            "li" if !after[1..].starts_with('/') => out.push_str("\n- "),
            _ => {}
        }
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    let text = decode_entities(&out);
    // Collapse the blank-line runs the tag replacement leaves.
    let mut lines: Vec<&str> = Vec::new();
    for line in text.lines().map(str::trim) {
        if line.trim().is_empty() && lines.last().is_none_or(|l| l.trim().is_empty()) {
            continue;
        }
        lines.push(line);
    }
    while lines.last().is_some_and(|l| l.trim().is_empty()) {
        lines.pop();
    }
    lines.join("\n").trim().to_string()
}

/// Decodes the common named entities and numeric character references.
pub(crate) fn decode_entities(text: &str) -> String {
    if !text.contains('&') {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        let after = &rest[i..];
        let decoded = after.find(';').filter(|&e| e <= 10).and_then(|e| {
            let name = &after[1..e];
            let c = match name {
                "lt" => Some('<'),
                "gt" => Some('>'),
                "amp" => Some('&'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                "nbsp" => Some(' '),
                _ => name
                    .strip_prefix("#x")
                    .or_else(|| name.strip_prefix("#X"))
                    .and_then(|h| u32::from_str_radix(h, 16).ok())
                    .or_else(|| name.strip_prefix('#').and_then(|d| d.parse().ok()))
                    .and_then(char::from_u32),
            };
            c.map(|c| (c, e))
        });
        match decoded {
            Some((c, e)) => {
                out.push(c);
                rest = &after[e + 1..];
            }
            None => {
                out.push('&');
                rest = &after[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// The `href` targets and bare `http(s)://` URLs in a text or HTML fragment, in order.
pub(crate) fn urls_in(text: &str) -> Vec<String> {
    let mut urls: Vec<String> = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find("http") {
        let candidate = &rest[i..];
        if candidate.starts_with("http://") || candidate.starts_with("https://") {
            let end = candidate
                .find(|c: char| c.is_whitespace() || matches!(c, '"' | '\'' | '<' | '>'))
                .unwrap_or(candidate.len());
            let url = decode_entities(candidate[..end].trim_end_matches([',', ')', '.', ';']));
            if !urls.contains(&url) {
                urls.push(url);
            }
            rest = &candidate[end..];
        } else {
            rest = &candidate[4..];
        }
    }
    urls
}

/// Decodes standard or URL-safe base64, ignoring whitespace; `None` when malformed.
pub(crate) fn base64_decode(text: &str) -> Option<Vec<u8>> {
    fn value(b: u8) -> Option<u32> {
        Some(match b {
            b'A'..=b'Z' => b - b'A',
            b'a'..=b'z' => b - b'a' + 26,
            b'0'..=b'9' => b - b'0' + 52,
            b'+' | b'-' => 62,
            b'/' | b'_' => 63,
            _ => return None,
        } as u32)
    }
    let mut out = Vec::with_capacity(text.len() / 4 * 3);
    let mut acc = 0u32;
    let mut bits = 0u32;
    for b in text.bytes() {
        if b.is_ascii_whitespace() {
            continue;
        }
        if b == b'=' {
            break;
        }
        acc = (acc << 6) | value(b)?;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Some(out)
}

/// The host of a URL or `host:port` string, without scheme, credentials, port or path.
pub(crate) fn host_of(url: &str) -> &str {
    let rest = url.trim();
    let rest = rest.split_once("://").map_or(rest, |(_, r)| r);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let authority = authority.rsplit_once('@').map_or(authority, |(_, a)| a);
    if let Some(v6) = authority.strip_prefix('[') {
        return v6.split(']').next().unwrap_or(v6);
    }
    authority.split(':').next().unwrap_or(authority)
}

/// RFC 3339 (UTC) for a Unix time in seconds.
pub(crate) fn unix_to_rfc3339(secs: i64) -> String {
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    // Howard Hinnant's civil-from-days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// A bulleted list of at most `max` lines, saying how many more there were.
pub(crate) fn bullet_list(items: &[String], max: usize) -> String {
    let mut out: Vec<String> = items.iter().take(max).map(|i| format!("- {i}")).collect();
    if items.len() > max {
        out.push(format!("- … and {} more", items.len() - max));
    }
    out.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_fragments_become_text() {
        assert_eq!(
            html_to_text("<p>One &amp; two</p><p>Three</p><ul><li>a</li><li>b</li></ul>"),
            "One & two\n\nThree\n\n- a\n- b"
        );
        assert_eq!(
            html_to_text("a &lt;b&gt; &#39;c&#x27; &bogus"),
            "a <b> 'c' &bogus"
        );
    }

    #[test]
    fn urls_hosts_and_dates() {
        assert_eq!(
            urls_in("<a href=\"https://a.example/x\">x</a> see http://b.example/y."),
            ["https://a.example/x", "http://b.example/y"]
        );
        assert_eq!(host_of("https://u:p@Example.com:8443/x?y"), "Example.com");
        assert_eq!(host_of("nuclei-example.com:22"), "nuclei-example.com");
        assert_eq!(host_of("[::1]:80"), "::1");
        assert_eq!(unix_to_rfc3339(1_614_000_000), "2021-02-22T13:20:00Z");
        assert_eq!(unix_to_rfc3339(0), "1970-01-01T00:00:00Z");
    }

    #[test]
    fn credentials_are_masked() {
        let request = "GET / HTTP/1.1\r\nAuthorization: Bearer eyJhbGciOiJIUzI1NiJ9.payload\r\nCookie: JSESSIONID=9E75E26E50F681208096FFAA0B566901; lang=en\r\nX-Set-Cookie-Like: a\r\n";
        assert_eq!(
            mask_credentials(request),
            "GET / HTTP/1.1\r\nAuthorization: Bearer eyJh****\r\nCookie: JSESSIONID=9E75****; lang=****\r\nX-Set-Cookie-Like: a\r\n"
        );
        assert_eq!(
            mask_credentials(
                "Set-Cookie: sid=abcdefgh12345678; Path=/; HttpOnly\nSet-Cookie: opvc"
            ),
            "Set-Cookie: sid=abcd****; Path=/; HttpOnly\nSet-Cookie: opvc"
        );
        assert_eq!(
            mask_credentials("curl -H 'X-Api-Key: s3cr3tvalue' -H 'authorization: Bearer [REDACTED]' 'https://x'"),
            "curl -H 'X-Api-Key: s3****' -H 'authorization: Bearer [REDACTED]' 'https://x'"
        );
    }

    #[test]
    fn base64_and_bounds() {
        assert_eq!(base64_decode("R0VU\nIC8=").unwrap(), b"GET /");
        assert_eq!(base64_decode("!!"), None);
        let cut = bounded("ééé", 3);
        assert!(cut.starts_with('é') && cut.contains("bytes cut"), "{cut}");
        assert_eq!(
            bullet_list(&["a".into(), "b".into()], 1),
            "- a\n- … and 1 more"
        );
    }
}
