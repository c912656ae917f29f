//! RubyGems' `Gem::Version` ordering (<https://guides.rubygems.org/patterns/#prerelease-gems>):
//! segments are digit runs or letter runs; a letter segment marks a pre-release and sorts
//! before any number; missing segments count as 0; `-` means `.pre.`.

use std::cmp::Ordering;

use super::{compare_digits, runs};

pub(super) fn compare(a: &str, b: &str) -> Ordering {
    let a = segments(a);
    let b = segments(b);
    for i in 0..a.len().max(b.len()) {
        let x = a.get(i).map_or("0", String::as_str);
        let y = b.get(i).map_or("0", String::as_str);
        let numeric = |s: &str| s.bytes().all(|c| c.is_ascii_digit());
        let order = match (numeric(x), numeric(y)) {
            (true, true) => compare_digits(x, y),
            (true, false) => Ordering::Greater,
            (false, true) => Ordering::Less,
            (false, false) => x.cmp(y),
        };
        if order != Ordering::Equal {
            return order;
        }
    }
    Ordering::Equal
}

fn segments(version: &str) -> Vec<String> {
    let text = version.trim().replace('-', ".pre.");
    let mut segments: Vec<String> = text
        .split('.')
        .flat_map(runs)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect();
    // Trailing zeros say nothing (`1.0` = `1`).
    while segments
        .last()
        .is_some_and(|s| s.bytes().all(|c| c == b'0'))
    {
        segments.pop();
    }
    segments
}

#[cfg(test)]
mod tests {
    use crate::version::{check_order, Scheme};

    #[test]
    fn rubygems_order() {
        check_order(
            Scheme::RubyGems,
            &[
                "0.9", "1.0.a", "1.0.a.2", "1.0.b1", "1.0.rc1", "1", "1.0.1", "1.2", "1.10",
                "2.0.0.1",
            ],
        );
        assert_eq!(
            Scheme::RubyGems.compare("1.0.0", "1"),
            std::cmp::Ordering::Equal
        );
        assert_eq!(
            Scheme::RubyGems.compare("1.0-1", "1.0"),
            std::cmp::Ordering::Less
        );
    }
}
