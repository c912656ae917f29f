//! Charts as inline SVG, drawn on the server: a horizontal bar chart and a line chart. Each
//! has a `<title>` and a table fallback is rendered next to it by the pages, so screen
//! readers and text browsers get the numbers too.

use maud::{html, Markup};

/// Horizontal bars, one per `(label, value)`.
pub(crate) fn bars(title: &str, rows: &[(String, u64)]) -> Markup {
    let max = rows.iter().map(|(_, v)| *v).max().unwrap_or(0).max(1);
    let row_h = 22u32;
    let height = row_h * rows.len().max(1) as u32 + 4;
    let (label_w, bar_w) = (110u32, 220u32);
    html! {
        svg role="img" aria-label=(title) width=(label_w + bar_w + 60) height=(height)
            viewBox={ "0 0 " (label_w + bar_w + 60) " " (height) } {
            title { (title) }
            @for (i, (label, value)) in rows.iter().enumerate() {
                @let y = i as u32 * row_h + 2;
                @let w = ((*value as f64 / max as f64) * bar_w as f64).round() as u32;
                text x="0" y=(y + 15) { (label) }
                rect x=(label_w) y=(y + 3) width=(w.max(1)) height="16" fill="#0b4f9c" {}
                text x=(label_w + w + 6) y=(y + 15) { (value) }
            }
        }
    }
}

/// A line chart of `series` (name, colour, points) over `labels` (one per x step).
pub(crate) fn lines(title: &str, labels: &[String], series: &[(&str, &str, Vec<u64>)]) -> Markup {
    let (w, h, left, bottom) = (600f64, 200f64, 40f64, 30f64);
    let max = series
        .iter()
        .flat_map(|(_, _, points)| points.iter().copied())
        .max()
        .unwrap_or(0)
        .max(1) as f64;
    let steps = labels.len().saturating_sub(1).max(1) as f64;
    let x = |i: usize| left + (w - left - 50.0) * i as f64 / steps;
    let y = |v: u64| 10.0 + (h - bottom - 10.0) * (1.0 - v as f64 / max);
    let every = (labels.len() / 6).max(1);
    html! {
        svg role="img" aria-label=(title) width=(w) height=(h) viewBox={ "0 0 " (w) " " (h) } {
            title { (title) }
            line x1=(left) y1=(h - bottom) x2=(w - 10.0) y2=(h - bottom) stroke="#767676" {}
            line x1=(left) y1="10" x2=(left) y2=(h - bottom) stroke="#767676" {}
            text x="0" y="20" { (max as u64) }
            text x="0" y=(h - bottom) { "0" }
            @for (i, label) in labels.iter().enumerate() {
                @if i % every == 0 {
                    text x=(x(i) - 14.0) y=(h - 10.0) { (label) }
                }
            }
            @for (name, colour, points) in series {
                polyline fill="none" stroke=(colour) stroke-width="2"
                    points=(points.iter().enumerate()
                        .map(|(i, v)| format!("{:.1},{:.1}", x(i), y(*v)))
                        .collect::<Vec<_>>().join(" ")) {
                    title { (name) }
                }
            }
            @for ((name, colour, _), at) in series.iter().zip(legend_offsets(series)) {
                rect x=(left + 10.0 + at) y="0" width="10" height="10" fill=(colour) {}
                text x=(left + 24.0 + at) y="10" { (name) }
            }
        }
    }
}

/// Where each series' legend entry starts, after the names before it (about 7 px a
/// character at the chart's 12 px font, plus the swatch and a gap).
fn legend_offsets(series: &[(&str, &str, Vec<u64>)]) -> Vec<f64> {
    let mut at = 0.0;
    series
        .iter()
        .map(|(name, _, _)| {
            let this = at;
            at += 7.0 * name.chars().count() as f64 + 40.0;
            this
        })
        .collect()
}
