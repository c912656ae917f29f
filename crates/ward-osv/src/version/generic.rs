//! Fallback ordering (digit runs as numbers, other runs as text) and Composer's
//! `version_compare` rules for Packagist
//! (<https://www.php.net/manual/en/function.version-compare.php>): `dev` < `alpha`/`a` <
//! `beta`/`b` < `RC`/`rc` < a number < `pl`/`p`, with `.`, `-`, `_`, `+` as separators.

use std::cmp::Ordering;

use super::{compare_digits, runs};

/// Digit runs compare as numbers, other runs as text; a missing run sorts first.
pub(super) fn compare(a: &str, b: &str) -> Ordering {
    let mut x = runs(a.trim());
    let mut y = runs(b.trim());
    loop {
        match (x.next(), y.next()) {
            (None, None) => return Ordering::Equal,
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(p), Some(q)) => {
                let numeric = |s: &str| s.bytes().all(|c| c.is_ascii_digit());
                let order = match (numeric(p), numeric(q)) {
                    (true, true) => compare_digits(p, q),
                    _ => p.cmp(q),
                };
                if order != Ordering::Equal {
                    return order;
                }
            }
        }
    }
}

pub(super) fn compare_composer(a: &str, b: &str) -> Ordering {
    let a = composer_parts(a);
    let b = composer_parts(b);
    for i in 0..a.len().max(b.len()) {
        // A missing part: PHP compares "1.0" < "1.0.0"; Composer normalizes both to four
        // numbers first, so missing numbers are 0 and missing words make the shorter one a
        // release (rank of a number).
        let x = a.get(i).map_or("0", String::as_str);
        let y = b.get(i).map_or("0", String::as_str);
        let order = rank(x).cmp(&rank(y)).then_with(|| {
            if rank(x) == NUMBER {
                compare_digits(x, y)
            } else {
                Ordering::Equal
            }
        });
        if order != Ordering::Equal {
            return order;
        }
    }
    Ordering::Equal
}

const NUMBER: u8 = 5;

fn rank(part: &str) -> u8 {
    if part.bytes().all(|c| c.is_ascii_digit()) {
        return NUMBER;
    }
    match part {
        "dev" => 1,
        "alpha" | "a" => 2,
        "beta" | "b" => 3,
        "rc" => 4,
        "pl" | "p" | "patch" => 6,
        _ => 0,
    }
}

fn composer_parts(version: &str) -> Vec<String> {
    let lower = version.trim().to_ascii_lowercase();
    let lower = lower.strip_prefix('v').unwrap_or(&lower);
    let mut parts: Vec<String> = lower
        .split(['.', '-', '_', '+'])
        .flat_map(runs)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect();
    while parts.last().is_some_and(|s| s.bytes().all(|c| c == b'0')) {
        parts.pop();
    }
    parts
}

#[cfg(test)]
mod tests {
    use crate::version::{check_order, Scheme};

    #[test]
    fn composer_order() {
        check_order(
            Scheme::Packagist,
            &[
                "1.0.0-dev",
                "1.0.0-alpha1",
                "1.0.0-beta2",
                "1.0.0-RC1",
                "1.0.0",
                "1.0.0-pl1",
                "1.0.1",
                "v1.2",
                "1.10",
            ],
        );
        assert_eq!(
            Scheme::Packagist.compare("1.0", "1.0.0.0"),
            std::cmp::Ordering::Equal
        );
    }

    #[test]
    fn generic_order() {
        check_order(Scheme::Generic, &["1", "1.2", "1.10", "2a", "2b", "10"]);
    }
}
