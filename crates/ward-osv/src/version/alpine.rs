//! apk version ordering (<https://wiki.alpinelinux.org/wiki/APKBUILD_Reference#pkgver>):
//! dot-separated numbers, an optional letter, suffixes `_alpha` < `_beta` < `_pre` < `_rc` <
//! (none) < `_cvs` < `_svn` < `_git` < `_hg` < `_p`, each with an optional number, then `-rN`.

use std::cmp::Ordering;

use super::compare_digits;

#[derive(Debug, Default)]
struct Parsed<'a> {
    numbers: Vec<&'a str>,
    letter: Option<u8>,
    suffixes: Vec<(u8, &'a str)>,
    revision: &'a str,
}

pub(super) fn compare(a: &str, b: &str) -> Ordering {
    let (Some(x), Some(y)) = (parse(a), parse(b)) else {
        return super::generic::compare(a, b);
    };
    for i in 0..x.numbers.len().max(y.numbers.len()) {
        let p = x.numbers.get(i).copied().unwrap_or("0");
        let q = y.numbers.get(i).copied().unwrap_or("0");
        let order = compare_digits(p, q);
        if order != Ordering::Equal {
            return order;
        }
    }
    let order = x.letter.cmp(&y.letter);
    if order != Ordering::Equal {
        return order;
    }
    for i in 0..x.suffixes.len().max(y.suffixes.len()) {
        let none = (NO_SUFFIX, "0");
        let p = x.suffixes.get(i).copied().unwrap_or(none);
        let q = y.suffixes.get(i).copied().unwrap_or(none);
        let order = p.0.cmp(&q.0).then_with(|| compare_digits(p.1, q.1));
        if order != Ordering::Equal {
            return order;
        }
    }
    compare_digits(x.revision, y.revision)
}

const NO_SUFFIX: u8 = 4;

fn parse(version: &str) -> Option<Parsed<'_>> {
    let version = version.trim();
    let (body, revision) = match version.rsplit_once("-r") {
        Some((b, r)) if !r.is_empty() && r.bytes().all(|c| c.is_ascii_digit()) => (b, r),
        _ => (version, "0"),
    };
    let mut parts = body.split('_');
    let head = parts.next()?;
    let mut parsed = Parsed {
        revision,
        ..Parsed::default()
    };
    let head = match head.as_bytes().last() {
        Some(c) if c.is_ascii_lowercase() => {
            parsed.letter = Some(*c);
            &head[..head.len() - 1]
        }
        _ => head,
    };
    for number in head.split('.') {
        if number.is_empty() || !number.bytes().all(|c| c.is_ascii_digit()) {
            return None;
        }
        parsed.numbers.push(number);
    }
    for suffix in parts {
        let digits = suffix.bytes().rev().take_while(u8::is_ascii_digit).count();
        let (word, number) = suffix.split_at(suffix.len() - digits);
        let rank = match word {
            "alpha" => 0,
            "beta" => 1,
            "pre" => 2,
            "rc" => 3,
            "cvs" => 5,
            "svn" => 6,
            "git" => 7,
            "hg" => 8,
            "p" => 9,
            _ => return None,
        };
        parsed
            .suffixes
            .push((rank, if number.is_empty() { "0" } else { number }));
    }
    Some(parsed)
}

#[cfg(test)]
mod tests {
    use crate::version::{check_order, Scheme};

    #[test]
    fn alpine_order() {
        check_order(
            Scheme::Alpine,
            &[
                "1.0_alpha1",
                "1.0_beta",
                "1.0_rc2",
                "1.0",
                "1.0-r1",
                "1.0-r10",
                "1.0_git20200101",
                "1.0_p1",
                "1.0a",
                "1.0.1",
                "1.2",
                "1.10",
            ],
        );
    }
}
