//! `html`: one self-contained HTML page for people: a summary, a severity chart (inline SVG),
//! and a findings table that sorts by any column and filters as you type (a few lines of
//! inline JavaScript), each finding's details folded under its title.
//!
//! The page loads nothing from anywhere, so it reads the same offline, from a CI artifact or
//! an e-mail attachment. Every value from a report is HTML-escaped, links are only made of
//! http(s) URLs, and a Content-Security-Policy allows exactly the page's own style and script
//! (by hash), so markup smuggled into a finding cannot run even if escaping were missed.

use std::io::Write;

use sha2::{Digest, Sha256};
use ward_core::{Finding, Report, Severity, Status};

use crate::util::{
    fingerprint, html_escape, is_web_url, location_text, non_blank, severity_counts, status_word,
    tools,
};
use crate::{Error, Exporter, Options, Outcome};

/// A self-contained HTML report.
pub(crate) struct Html;

const STYLE: &str = r#"
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;color:#1f2328;background:#f6f8fa}
header,main{max-width:1200px;margin:0 auto;padding:1rem 1.5rem}
header h1{margin:.5rem 0 .25rem;font-size:1.6rem}
.muted{color:#59636e}
.cards{display:flex;flex-wrap:wrap;gap:1rem;align-items:flex-start}
.card{background:#fff;border:1px solid #d1d9e0;border-radius:8px;padding:1rem}
.total{font-size:2.2rem;font-weight:600}
table{border-collapse:collapse;width:100%;background:#fff;border:1px solid #d1d9e0}
th,td{padding:.45rem .6rem;border-bottom:1px solid #d1d9e0;text-align:left;vertical-align:top;font-size:.9rem}
th{background:#eff2f5;cursor:pointer;user-select:none;white-space:nowrap}
th[aria-sort=ascending]::after{content:" \25B2"}
th[aria-sort=descending]::after{content:" \25BC"}
td.loc,code{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:.85rem;word-break:break-all}
.sev{display:inline-block;min-width:4.5em;text-align:center;border-radius:1em;padding:.05em .6em;color:#fff;font-weight:600;font-size:.8rem}
.sev-critical{background:#8b0000}.sev-high{background:#d1242f}.sev-medium{background:#bc4c00}.sev-low{background:#9a6700}.sev-info{background:#59636e}
details summary{cursor:pointer}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.25rem .75rem;margin:.5rem 0}
dt{font-weight:600}dd{margin:0;white-space:pre-wrap;word-break:break-word}
#filter{margin:1rem 0;padding:.4rem .6rem;width:100%;max-width:28rem;font-size:1rem;border:1px solid #d1d9e0;border-radius:6px}
tr.triaged td{opacity:.6}
"#;

const SCRIPT: &str = r#"
(function () {
  var table = document.getElementById("findings");
  if (!table) { return; }
  var body = table.tBodies[0];
  var headers = table.tHead.rows[0].cells;
  function key(row, column) {
    var cell = row.cells[column];
    var value = cell.getAttribute("data-sort");
    return value !== null ? value : cell.textContent.trim().toLowerCase();
  }
  Array.prototype.forEach.call(headers, function (th, column) {
    th.addEventListener("click", function () {
      var ascending = th.getAttribute("aria-sort") !== "ascending";
      Array.prototype.forEach.call(headers, function (h) { h.removeAttribute("aria-sort"); });
      th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
      var numeric = th.getAttribute("data-type") === "number";
      var rows = Array.prototype.slice.call(body.rows);
      rows.sort(function (a, b) {
        var x = key(a, column), y = key(b, column);
        var order = numeric ? Number(x) - Number(y) : (x < y ? -1 : x > y ? 1 : 0);
        if (order === 0) { order = Number(a.getAttribute("data-index")) - Number(b.getAttribute("data-index")); }
        return ascending ? order : -order;
      });
      rows.forEach(function (row) { body.appendChild(row); });
    });
  });
  var filter = document.getElementById("filter");
  filter.addEventListener("input", function () {
    var query = filter.value.trim().toLowerCase();
    Array.prototype.forEach.call(body.rows, function (row) {
      row.hidden = query !== "" && row.textContent.toLowerCase().indexOf(query) < 0;
    });
  });
})();
"#;

impl Exporter for Html {
    fn id(&self) -> &'static str {
        "html"
    }

    fn name(&self) -> &'static str {
        "HTML report"
    }

    fn extension(&self) -> &'static str {
        "html"
    }

    fn write(
        &self,
        report: &Report,
        options: &Options,
        out: &mut dyn Write,
    ) -> Result<Outcome, Error> {
        let time = options.time(report)?;
        let mut page = String::with_capacity(16 * 1024 + report.findings.len() * 1024);
        page.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
        page.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
        page.push_str(&format!(
            "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'sha256-{}'; script-src 'sha256-{}'; img-src data:\">\n",
            csp_hash(STYLE),
            csp_hash(SCRIPT)
        ));
        page.push_str("<title>ward security report</title>\n");
        page.push_str(&format!("<style>{STYLE}</style>\n</head>\n<body>\n"));
        let tool_names = tools(report);
        page.push_str("<header>\n<h1>ward security report</h1>\n");
        page.push_str(&format!(
            "<p class=\"muted\">Scan time {} &middot; {} input report(s){} &middot; ward {}</p>\n</header>\n<main>\n",
            html_escape(&time.rfc3339()),
            report.sources.len(),
            if tool_names.is_empty() {
                String::new()
            } else {
                format!(" from {}", html_escape(&tool_names.join(", ")))
            },
            html_escape(&options.ward_version)
        ));
        summary(&mut page, report);
        findings_table(&mut page, report);
        page.push_str(&format!(
            "</main>\n<script>{SCRIPT}</script>\n</body>\n</html>\n"
        ));
        out.write_all(page.as_bytes())
            .map_err(Error::write(self.id()))?;
        Ok(Outcome {
            exported: report.findings.len(),
            warnings: Vec::new(),
        })
    }
}

/// `'sha256-…'` source of a CSP: base64 of the SHA-256 of the exact element text.
fn csp_hash(text: &str) -> String {
    base64(&Sha256::digest(text.as_bytes()))
}

fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

fn color(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical => "#8b0000",
        Severity::High => "#d1242f",
        Severity::Medium => "#bc4c00",
        Severity::Low => "#9a6700",
        Severity::Info => "#59636e",
    }
}

fn summary(page: &mut String, report: &Report) {
    let counts = severity_counts(&report.findings);
    let open = report
        .findings
        .iter()
        .filter(|f| f.status == Status::Open)
        .count();
    page.push_str("<section class=\"cards\">\n<div class=\"card\">\n");
    page.push_str(&format!(
        "<div class=\"total\">{}</div><div class=\"muted\">findings, {open} open</div>\n</div>\n",
        report.findings.len()
    ));
    // A horizontal bar per severity, scaled to the largest count.
    let max = counts.iter().map(|(_, n)| *n).max().unwrap_or(0).max(1);
    let (bar_width, row_height) = (300usize, 28usize);
    let height = row_height * counts.len() + 8;
    page.push_str(&format!(
        "<div class=\"card\">\n<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{height}\" viewBox=\"0 0 {w} {height}\" role=\"img\" aria-label=\"Findings by severity\">\n",
        w = bar_width + 140
    ));
    for (row, (severity, n)) in counts.iter().enumerate() {
        let y = 4 + row * row_height;
        let width = if *n == 0 {
            0
        } else {
            (n * bar_width / max).max(2)
        };
        page.push_str(&format!(
            "<text x=\"0\" y=\"{ty}\" font-size=\"13\" fill=\"#1f2328\">{severity}</text><rect x=\"70\" y=\"{y}\" width=\"{width}\" height=\"20\" rx=\"3\" fill=\"{color}\"><title>{severity}: {n}</title></rect><text x=\"{tx}\" y=\"{ty}\" font-size=\"13\" fill=\"#1f2328\">{n}</text>\n",
            ty = y + 15,
            tx = 76 + width,
            color = color(*severity),
        ));
    }
    page.push_str("</svg>\n</div>\n");
    // Counts per category and per tool.
    for (title, values) in [
        (
            "Category",
            group(report.findings.iter().map(|f| f.category.as_str())),
        ),
        (
            "Tool",
            group(report.findings.iter().map(|f| f.tool.as_str())),
        ),
    ] {
        if values.is_empty() {
            continue;
        }
        page.push_str(&format!(
            "<div class=\"card\">\n<table>\n<thead><tr><th>{title}</th><th>Findings</th></tr></thead>\n<tbody>\n"
        ));
        for (name, n) in values {
            page.push_str(&format!(
                "<tr><td>{}</td><td>{n}</td></tr>\n",
                html_escape(name)
            ));
        }
        page.push_str("</tbody>\n</table>\n</div>\n");
    }
    page.push_str("</section>\n");
}

/// Counts in order of first appearance.
fn group<'a>(values: impl Iterator<Item = &'a str>) -> Vec<(&'a str, usize)> {
    let mut out: Vec<(&str, usize)> = Vec::new();
    for value in values {
        match out.iter_mut().find(|(v, _)| *v == value) {
            Some(entry) => entry.1 += 1,
            None => out.push((value, 1)),
        }
    }
    out
}

fn findings_table(page: &mut String, report: &Report) {
    page.push_str("<h2>Findings</h2>\n");
    if report.findings.is_empty() {
        page.push_str("<p>No findings.</p>\n");
        return;
    }
    page.push_str("<input id=\"filter\" type=\"search\" placeholder=\"Filter findings\" aria-label=\"Filter findings\">\n");
    page.push_str("<table id=\"findings\">\n<thead><tr><th data-type=\"number\">Severity</th><th>Finding</th><th>Category</th><th>Tool</th><th>Rule</th><th>Location</th><th>Status</th></tr></thead>\n<tbody>\n");
    for (index, finding) in report.findings.iter().enumerate() {
        row(page, index, finding);
    }
    page.push_str("</tbody>\n</table>\n");
}

fn row(page: &mut String, index: usize, f: &Finding) {
    let rank = Severity::ALL.len()
        - Severity::ALL
            .iter()
            .position(|s| *s == f.severity)
            .unwrap_or(0);
    let class = if f.status == Status::Open {
        ""
    } else {
        " class=\"triaged\""
    };
    page.push_str(&format!(
        "<tr data-index=\"{index}\"{class}><td data-sort=\"{rank}\"><span class=\"sev sev-{sev}\">{sev}</span></td>",
        sev = f.severity
    ));
    page.push_str(&format!(
        "<td><details><summary>{}</summary>\n<dl>\n",
        html_escape(&f.title)
    ));
    let mut field = |name: &str, value: &str| {
        if !value.trim().is_empty() {
            page.push_str(&format!("<dt>{name}</dt><dd>{}</dd>\n", html_escape(value)));
        }
    };
    if let Some(description) = non_blank(f.description.as_deref()) {
        field("Description", description);
    }
    if let Some(remediation) = non_blank(f.remediation.as_deref()) {
        field("Remediation", remediation);
    }
    if !f.identifiers.is_empty() {
        let ids: Vec<&str> = f.identifiers.iter().map(|i| i.value.as_str()).collect();
        field("Identifiers", &ids.join(", "));
    }
    if let Some(severity) = &f.tool_severity {
        field("Tool severity", severity);
    }
    if let Some(confidence) = f.confidence {
        field("Confidence", &format!("{confidence:?}").to_lowercase());
    }
    for cvss in &f.cvss {
        let text = format!(
            "{} {}",
            cvss.score.map(|s| s.to_string()).unwrap_or_default(),
            cvss.vector.clone().unwrap_or_default()
        );
        field("CVSS", text.trim());
    }
    if let Some(epss) = f.epss {
        field("EPSS", &epss.score.to_string());
    }
    if let Some(package) = &f.location.package {
        if let Some(fixed) = &package.fixed_version {
            field("Fixed in", fixed);
        }
        if let Some(purl) = &package.purl {
            field("Package URL", purl);
        }
    }
    if let Some(snippet) = f
        .location
        .file
        .as_ref()
        .and_then(|file| file.snippet.as_deref())
    {
        field("Code", snippet);
    }
    if let Some(evidence) = non_blank(f.evidence.as_deref()) {
        field("Evidence", evidence);
    }
    if let Some(secret) = &f.secret {
        field("Secret", &secret.masked);
    }
    field("Fingerprint", &fingerprint(f));
    if !f.references.is_empty() {
        page.push_str("<dt>References</dt><dd>");
        for (i, reference) in f.references.iter().enumerate() {
            if i > 0 {
                page.push_str("<br>");
            }
            let text = html_escape(reference);
            if is_web_url(reference) {
                page.push_str(&format!(
                    "<a href=\"{text}\" rel=\"noopener noreferrer\">{text}</a>"
                ));
            } else {
                page.push_str(&text);
            }
        }
        page.push_str("</dd>\n");
    }
    page.push_str("</dl>\n</details></td>");
    let cell = |value: &str| format!("<td>{}</td>", html_escape(value));
    page.push_str(&cell(f.category.as_str()));
    page.push_str(&cell(&f.tool));
    page.push_str(&cell(f.rule_id.as_deref().unwrap_or("")));
    page.push_str(&format!(
        "<td class=\"loc\">{}</td>",
        html_escape(&location_text(f).unwrap_or_default())
    ));
    page.push_str(&cell(&status_word(f.status).replace('_', " ")));
    page.push_str("</tr>\n");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exporters::testing;

    #[test]
    fn self_contained_and_escaped() {
        let mut report = testing::report();
        report.findings[0].description = Some("<img src=x onerror=alert(1)>".into());
        report.findings[0]
            .references
            .push("javascript:alert(1)".into());
        let html = testing::export(&Html, &report);
        assert!(html.starts_with("<!DOCTYPE html>"));
        assert!(html.contains("<summary>Use of eval() &lt;script&gt;</summary>"));
        assert!(html.contains("&lt;img src=x onerror=alert(1)&gt;"));
        assert!(!html.contains("<img"));
        assert!(!html.contains("href=\"javascript:"));
        assert!(html.contains("<a href=\"https://owasp.org/Top10/A03_2021-Injection/\""));
        // Nothing is fetched from elsewhere.
        assert!(!html.contains("src=\"http"));
        assert!(!html.contains("<link"));
        assert_eq!(html.matches("<script>").count(), 1);
        assert!(html.contains("<svg"));
        assert!(html.contains("<rect x=\"70\" y=\"4\" width=\"100\""));
        assert_eq!(html.matches("<tr data-index=").count(), 6);
    }

    #[test]
    fn csp_hashes_match_the_inline_code() {
        let html = testing::export(&Html, &testing::report());
        assert!(html.contains(&format!("script-src 'sha256-{}'", csp_hash(SCRIPT))));
        assert!(html.contains(&format!("<script>{SCRIPT}</script>")));
        assert!(html.contains(&format!("<style>{STYLE}</style>")));
    }

    #[test]
    fn base64_encoding() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foo"), "Zm9v");
        assert_eq!(base64(b"foobar"), "Zm9vYmFy");
    }
}
