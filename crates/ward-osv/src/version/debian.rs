//! dpkg version ordering (Debian Policy 5.6.12,
//! <https://www.debian.org/doc/debian-policy/ch-controlfields.html#version>):
//! `[epoch:]upstream[-revision]`, each part compared as alternating non-digit runs (letters
//! before non-letters, `~` before everything, even the end) and digit runs (numerically).

use std::cmp::Ordering;

use super::compare_digits;

pub(super) fn compare(a: &str, b: &str) -> Ordering {
    let (a_epoch, a_upstream, a_revision) = split(a);
    let (b_epoch, b_upstream, b_revision) = split(b);
    compare_digits(a_epoch, b_epoch)
        .then_with(|| compare_part(a_upstream, b_upstream))
        .then_with(|| compare_part(a_revision, b_revision))
}

fn split(version: &str) -> (&str, &str, &str) {
    let version = version.trim();
    let (epoch, rest) = match version.split_once(':') {
        Some((e, r)) if e.bytes().all(|c| c.is_ascii_digit()) => (e, r),
        _ => ("0", version),
    };
    match rest.rsplit_once('-') {
        Some((upstream, revision)) => (epoch, upstream, revision),
        None => (epoch, rest, ""),
    }
}

/// dpkg's `order`: `~` < end < letters < other characters.
fn weight(c: Option<u8>) -> i32 {
    match c {
        Some(b'~') => -1,
        None => 0,
        Some(c) if c.is_ascii_alphabetic() => i32::from(c),
        Some(c) => i32::from(c) + 256,
    }
}

pub(super) fn compare_part(a: &str, b: &str) -> Ordering {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let (mut i, mut j) = (0, 0);
    while i < a.len() || j < b.len() {
        // Non-digit run.
        loop {
            let x = a.get(i).copied().filter(|c| !c.is_ascii_digit());
            let y = b.get(j).copied().filter(|c| !c.is_ascii_digit());
            if x.is_none() && y.is_none() {
                break;
            }
            let order = weight(x).cmp(&weight(y));
            if order != Ordering::Equal {
                return order;
            }
            i += 1;
            j += 1;
        }
        // Digit run.
        let start_a = i;
        while i < a.len() && a[i].is_ascii_digit() {
            i += 1;
        }
        let start_b = j;
        while j < b.len() && b[j].is_ascii_digit() {
            j += 1;
        }
        let x = std::str::from_utf8(&a[start_a..i]).unwrap_or("0");
        let y = std::str::from_utf8(&b[start_b..j]).unwrap_or("0");
        let order = compare_digits(x, y);
        if order != Ordering::Equal {
            return order;
        }
    }
    Ordering::Equal
}

#[cfg(test)]
mod tests {
    use crate::version::{check_order, Scheme};

    #[test]
    fn debian_order() {
        check_order(
            Scheme::Debian,
            &[
                "1.0~~",
                "1.0~~a",
                "1.0~",
                "1.0",
                "1.0-1",
                "1.0-1ubuntu0.1",
                "1.0-2",
                "1.0a",
                "1.0+dfsg-1",
                "1.1",
                "1.10",
                "1:0.5",
            ],
        );
    }
}
