//! PEP 440 ordering (<https://peps.python.org/pep-0440/#summary-of-permitted-suffixes-and-relative-ordering>):
//! epoch, release (trailing zeros ignored), then `.devN` < `aN` < `bN` < `rcN` < release <
//! `.postN`, with a local label (`+abc`) after the public version. Spelling variants (`alpha`,
//! `c`, `pre`, `preview`, `-1` for post, `_`/`-` separators, leading `v`) are normalized. A
//! string that is not PEP 440 at all sorts before every valid version, by text.

use std::cmp::Ordering;

#[derive(Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Key {
    epoch: u64,
    release: Vec<u64>,
    /// `(phase, n)`: phase 0 = a dev release without pre/post, 1 = a, 2 = b, 3 = rc,
    /// 4 = final. Post and dev follow.
    pre: (u8, u64),
    /// `None` sorts before `Some`, as no post release does.
    post: Option<u64>,
    /// A dev release sorts before the same version without one: `u64::MAX` stands for none.
    dev: u64,
    local: Vec<LocalPart>,
}

#[derive(Debug, PartialEq, Eq, PartialOrd, Ord)]
enum LocalPart {
    // Declaration order is the PEP 440 rule: strings sort before numbers.
    Text(String),
    Number(u64),
}

pub(super) fn compare(a: &str, b: &str) -> Ordering {
    match (parse(a), parse(b)) {
        (Some(x), Some(y)) => x.cmp(&y),
        (None, Some(_)) => Ordering::Less,
        (Some(_), None) => Ordering::Greater,
        (None, None) => super::generic::compare(a, b),
    }
}

fn parse(version: &str) -> Option<Key> {
    let lower = version.trim().to_ascii_lowercase();
    let text = lower.strip_prefix('v').unwrap_or(&lower);
    let (public, local) = match text.split_once('+') {
        Some((p, l)) => (p, Some(l)),
        None => (text, None),
    };
    let (epoch, rest) = match public.split_once('!') {
        Some((e, r)) => (e.parse().ok()?, r),
        None => (0, public),
    };
    let bytes = rest.as_bytes();
    let mut pos = 0;
    let mut release = Vec::new();
    loop {
        let start = pos;
        while pos < bytes.len() && bytes[pos].is_ascii_digit() {
            pos += 1;
        }
        if start == pos {
            return None;
        }
        release.push(rest[start..pos].parse().ok()?);
        if pos + 1 < bytes.len() && bytes[pos] == b'.' && bytes[pos + 1].is_ascii_digit() {
            pos += 1;
        } else {
            break;
        }
    }
    while release.len() > 1 && release.last() == Some(&0) {
        release.pop();
    }
    let mut suffix = &rest[pos..];
    let mut pre = None;
    let mut post = None;
    let mut dev = None;
    let skip_sep = |s: &str| s.strip_prefix(['.', '-', '_']).unwrap_or(s).to_string();
    // Pre-release.
    let tail = skip_sep(suffix);
    for (word, phase) in [
        ("alpha", 1),
        ("beta", 2),
        ("preview", 3),
        ("pre", 3),
        ("rc", 3),
        ("a", 1),
        ("b", 2),
        ("c", 3),
    ] {
        if let Some(after) = tail.strip_prefix(word) {
            let (n, used) = number(after);
            pre = Some((phase, n));
            suffix = &suffix[suffix.len() - after.len() + used..];
            break;
        }
    }
    // Post release.
    let tail = skip_sep(suffix);
    if let Some(after) = ["post", "rev", "r"]
        .iter()
        .find_map(|w| tail.strip_prefix(w))
    {
        let (n, used) = number(after);
        post = Some(n);
        suffix = &suffix[suffix.len() - after.len() + used..];
    } else if let Some(after) = suffix.strip_prefix('-') {
        let (n, used) = number(after);
        if used > 0 && after[..used].bytes().all(|c| c.is_ascii_digit()) {
            post = Some(n);
            suffix = &after[used..];
        }
    }
    // Dev release.
    let tail = skip_sep(suffix);
    if let Some(after) = tail.strip_prefix("dev") {
        let (n, used) = number(after);
        dev = Some(n);
        suffix = &suffix[suffix.len() - after.len() + used..];
    }
    if !suffix.is_empty() {
        return None;
    }
    let pre = match (pre, post, dev) {
        (Some(p), _, _) => p,
        (None, None, Some(_)) => (0, 0),
        _ => (4, 0),
    };
    let local = local
        .map(|l| {
            l.split(['.', '-', '_'])
                .map(|part| match part.parse() {
                    Ok(n) if part.bytes().all(|c| c.is_ascii_digit()) => LocalPart::Number(n),
                    _ => LocalPart::Text(part.to_string()),
                })
                .collect()
        })
        .unwrap_or_default();
    Some(Key {
        epoch,
        release,
        pre,
        post,
        dev: dev.unwrap_or(u64::MAX),
        local,
    })
}

/// The number at the start of `text` after an optional separator (0 when absent), and how
/// many bytes it took.
fn number(text: &str) -> (u64, usize) {
    let body = text.strip_prefix(['.', '-', '_']).unwrap_or(text);
    let digits = body.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 {
        return (0, 0);
    }
    let skipped = text.len() - body.len();
    let n = body[..digits].parse().unwrap_or(u64::MAX);
    (n, skipped + digits)
}

#[cfg(test)]
mod tests {
    use crate::version::{check_order, Scheme};

    #[test]
    fn pep440_order() {
        check_order(
            Scheme::Pep440,
            &[
                "0.9",
                "1.0.dev0",
                "1.0.dev456",
                "1.0a1",
                "1.0a2.dev456",
                "1.0a12.dev456",
                "1.0a12",
                "1.0b1.dev456",
                "1.0b2",
                "1.0b2.post345.dev456",
                "1.0b2.post345",
                "1.0rc1.dev456",
                "1.0rc1",
                "1.0",
                "1.0+abc.5",
                "1.0+abc.7",
                "1.0+5",
                "1.0.post456.dev34",
                "1.0.post456",
                "1.0.15",
                "1.1.dev1",
                "1.10",
                "1!0.1",
            ],
        );
        assert_eq!(
            Scheme::Pep440.compare("1.0", "1.0.0"),
            std::cmp::Ordering::Equal
        );
        assert_eq!(
            Scheme::Pep440.compare("1.0-1", "1.0.post1"),
            std::cmp::Ordering::Equal
        );
        assert_eq!(
            Scheme::Pep440.compare("1.0alpha1", "1.0a1"),
            std::cmp::Ordering::Equal
        );
        assert_eq!(
            Scheme::Pep440.compare("1.0RC1", "1.0c1"),
            std::cmp::Ordering::Equal
        );
    }
}
