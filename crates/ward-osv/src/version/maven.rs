//! Maven's `ComparableVersion` ordering
//! (<https://maven.apache.org/pom.html#version-order-specification>): versions split at `.`,
//! `-` and digit/letter changes; numbers compare numerically and sort after qualifiers;
//! qualifiers order `alpha` < `beta` < `milestone` < `rc` = `cr` < `snapshot` < release (``,
//! `ga`, `final`, `release`) < `sp` < any other (by text); `a1`/`b1`/`m1` abbreviate; trailing
//! "null" items (0, release words) are ignored.

use std::cmp::Ordering;

use super::{compare_digits, runs};

#[derive(Debug)]
enum Item {
    Number(String),
    Qualifier(String),
}

pub(super) fn compare(a: &str, b: &str) -> Ordering {
    let a = items(a);
    let b = items(b);
    let n = a.len().max(b.len());
    for i in 0..n {
        let order = match (a.get(i), b.get(i)) {
            (Some(x), Some(y)) => compare_items(x, y),
            (Some(x), None) => compare_null(x),
            (None, Some(y)) => compare_null(y).reverse(),
            (None, None) => Ordering::Equal,
        };
        if order != Ordering::Equal {
            return order;
        }
    }
    Ordering::Equal
}

fn items(version: &str) -> Vec<Item> {
    let lower = version.trim().to_ascii_lowercase();
    let mut items = Vec::new();
    for part in lower.split(['.', '-', '_']) {
        let pieces: Vec<&str> = runs(part).collect();
        for (i, piece) in pieces.iter().enumerate() {
            if piece.bytes().all(|c| c.is_ascii_digit()) {
                items.push(Item::Number(piece.to_string()));
            } else {
                // `a1`, `b2`, `m3`: a single letter directly followed by a number.
                let followed_by_number = i + 1 < pieces.len();
                let word = match (*piece, followed_by_number) {
                    ("a", true) => "alpha",
                    ("b", true) => "beta",
                    ("m", true) => "milestone",
                    ("cr", _) => "rc",
                    ("ga" | "final" | "release", _) => "",
                    (w, _) => w,
                };
                items.push(Item::Qualifier(word.to_string()));
            }
        }
    }
    while let Some(last) = items.last() {
        let null = match last {
            Item::Number(n) => n.bytes().all(|c| c == b'0'),
            Item::Qualifier(q) => qualifier_rank(q) == RELEASE,
        };
        if !null {
            break;
        }
        items.pop();
    }
    items
}

const RELEASE: u8 = 5;

fn qualifier_rank(word: &str) -> u8 {
    match word {
        "alpha" => 0,
        "beta" => 1,
        "milestone" => 2,
        "rc" | "cr" => 3,
        "snapshot" => 4,
        "" | "ga" | "final" | "release" => RELEASE,
        "sp" => 6,
        _ => 7,
    }
}

fn compare_items(a: &Item, b: &Item) -> Ordering {
    match (a, b) {
        (Item::Number(x), Item::Number(y)) => compare_digits(x, y),
        (Item::Number(_), Item::Qualifier(_)) => Ordering::Greater,
        (Item::Qualifier(_), Item::Number(_)) => Ordering::Less,
        (Item::Qualifier(x), Item::Qualifier(y)) => qualifier_rank(x)
            .cmp(&qualifier_rank(y))
            .then_with(|| x.cmp(y)),
    }
}

/// Compares an item with a missing one (0 or the release qualifier).
fn compare_null(item: &Item) -> Ordering {
    match item {
        Item::Number(n) if n.bytes().all(|c| c == b'0') => Ordering::Equal,
        Item::Number(_) => Ordering::Greater,
        Item::Qualifier(q) => qualifier_rank(q).cmp(&RELEASE),
    }
}

#[cfg(test)]
mod tests {
    use crate::version::{check_order, Scheme};

    #[test]
    fn maven_order() {
        check_order(
            Scheme::Maven,
            &[
                "1-alpha1",
                "1-alpha2",
                "1-beta1",
                "1-m1",
                "1-rc1",
                "1-snapshot",
                "1",
                "1-sp",
                "1-xyz",
                "1.0.1",
                "1.1",
                "1.2-beta-1",
                "1.2",
                "1.10",
                "2.0.0.RELEASE-sp1",
            ],
        );
        assert_eq!(Scheme::Maven.compare("1.0", "1"), std::cmp::Ordering::Equal);
        assert_eq!(
            Scheme::Maven.compare("1.0.ga", "1"),
            std::cmp::Ordering::Equal
        );
        assert_eq!(
            Scheme::Maven.compare("1.0.0.Final", "1.0"),
            std::cmp::Ordering::Equal
        );
        assert_eq!(
            Scheme::Maven.compare("2.9.10.1", "2.9.10"),
            std::cmp::Ordering::Greater
        );
        assert_eq!(
            Scheme::Maven.compare("1.0-RC1", "1.0-cr1"),
            std::cmp::Ordering::Equal
        );
    }
}
