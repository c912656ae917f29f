//! rpm's `rpmvercmp` (<https://rpm-software-management.github.io/rpm/manual/dependencies.html>):
//! `[epoch:]version[-release]`, each compared as alphanumeric runs, separators ignored, digit
//! runs newer than letter runs, `~` older than anything and `^` newer than the end.

use std::cmp::Ordering;

use super::compare_digits;

pub(super) fn compare(a: &str, b: &str) -> Ordering {
    let (a_epoch, a_rest) = epoch(a);
    let (b_epoch, b_rest) = epoch(b);
    let (a_version, a_release) = a_rest.rsplit_once('-').unwrap_or((a_rest, ""));
    let (b_version, b_release) = b_rest.rsplit_once('-').unwrap_or((b_rest, ""));
    compare_digits(a_epoch, b_epoch)
        .then_with(|| rpmvercmp(a_version, b_version))
        .then_with(|| rpmvercmp(a_release, b_release))
}

fn epoch(version: &str) -> (&str, &str) {
    match version.trim().split_once(':') {
        Some((e, r)) if e.bytes().all(|c| c.is_ascii_digit()) => (e, r),
        _ => ("0", version.trim()),
    }
}

fn rpmvercmp(a: &str, b: &str) -> Ordering {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let (mut i, mut j) = (0, 0);
    let separator = |c: u8| !c.is_ascii_alphanumeric() && c != b'~' && c != b'^';
    loop {
        while i < a.len() && separator(a[i]) {
            i += 1;
        }
        while j < b.len() && separator(b[j]) {
            j += 1;
        }
        for special in [b'~', b'^'] {
            let x = a.get(i) == Some(&special);
            let y = b.get(j) == Some(&special);
            if x || y {
                if x && y {
                    i += 1;
                    j += 1;
                    continue;
                }
                // `~` sorts before everything, `^` after the end but before anything else.
                return match (special, x) {
                    (b'~', true) => Ordering::Less,
                    (b'~', false) => Ordering::Greater,
                    (_, true) if j >= b.len() => Ordering::Greater,
                    (_, true) => Ordering::Less,
                    (_, false) if i >= a.len() => Ordering::Less,
                    _ => Ordering::Greater,
                };
            }
        }
        if i >= a.len() || j >= b.len() {
            break;
        }
        let digit = a[i].is_ascii_digit();
        let take = |s: &[u8], mut k: usize| {
            let start = k;
            while k < s.len()
                && (if digit {
                    s[k].is_ascii_digit()
                } else {
                    s[k].is_ascii_alphabetic()
                })
            {
                k += 1;
            }
            (start, k)
        };
        let (sa, ea) = take(a, i);
        let (sb, eb) = take(b, j);
        if sb == eb {
            // Different kinds of run: digits are newer.
            return if digit {
                Ordering::Greater
            } else {
                Ordering::Less
            };
        }
        let x = std::str::from_utf8(&a[sa..ea]).unwrap_or("");
        let y = std::str::from_utf8(&b[sb..eb]).unwrap_or("");
        let order = if digit {
            compare_digits(x, y)
        } else {
            x.cmp(y)
        };
        if order != Ordering::Equal {
            return order;
        }
        i = ea;
        j = eb;
    }
    (a.len() - i.min(a.len())).cmp(&(b.len() - j.min(b.len())))
}

#[cfg(test)]
mod tests {
    use crate::version::{check_order, Scheme};

    #[test]
    fn rpm_order() {
        check_order(
            Scheme::Rpm,
            &[
                "1.0~rc1",
                "1.0",
                "1.0-1",
                "1.0-2.el8",
                "1.0-10",
                "1.0^git1",
                "1.0a",
                "1.1",
                "1.10",
                "1:0.1",
            ],
        );
        assert_eq!(
            Scheme::Rpm.compare("1.0_1", "1.0.1"),
            std::cmp::Ordering::Equal
        );
    }
}
