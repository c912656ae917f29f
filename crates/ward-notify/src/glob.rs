//! Name patterns for branches, engagements and products: `/`-aware globs, so `release/*`
//! matches `release/1.2` but not `release/1.2/hotfix`, and `feature/**` matches any depth
//! under `feature/`.

use globset::{GlobBuilder, GlobSet, GlobSetBuilder};

/// A pattern that is not a valid glob.
#[derive(Debug, thiserror::Error)]
#[error("invalid pattern {pattern:?}: {reason}")]
pub struct GlobError {
    /// The pattern as written.
    pub pattern: String,
    /// What globset objected to.
    pub reason: String,
}

/// A list of glob patterns; a name matches when any pattern does.
#[derive(Debug, Clone)]
pub struct Patterns {
    set: GlobSet,
    patterns: Vec<String>,
}

impl Patterns {
    /// Compiles the patterns. `*` and `?` stay within one `/`-separated segment, `**`
    /// crosses segments, `[abc]` and `{a,b}` work as in shells, and `\` escapes.
    pub fn new<I, S>(patterns: I) -> Result<Patterns, GlobError>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let mut builder = GlobSetBuilder::new();
        let mut kept = Vec::new();
        for pattern in patterns {
            let pattern = pattern.as_ref().trim();
            let glob = GlobBuilder::new(pattern)
                .literal_separator(true)
                .backslash_escape(true)
                .build()
                .map_err(|e| GlobError {
                    pattern: pattern.to_owned(),
                    reason: e.kind().to_string(),
                })?;
            builder.add(glob);
            kept.push(pattern.to_owned());
        }
        let set = builder.build().map_err(|e| GlobError {
            pattern: kept.join(", "),
            reason: e.to_string(),
        })?;
        Ok(Patterns {
            set,
            patterns: kept,
        })
    }

    /// Whether `name` matches any pattern. An empty list matches nothing.
    pub fn matches(&self, name: &str) -> bool {
        self.set.is_match(name)
    }

    /// Whether there are no patterns.
    pub fn is_empty(&self) -> bool {
        self.patterns.is_empty()
    }

    /// The patterns as written (trimmed).
    pub fn as_slice(&self) -> &[String] {
        &self.patterns
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(patterns: &[&str], yes: &[&str], no: &[&str]) {
        let p = Patterns::new(patterns).unwrap();
        for name in yes {
            assert!(p.matches(name), "{patterns:?} should match {name}");
        }
        for name in no {
            assert!(!p.matches(name), "{patterns:?} should not match {name}");
        }
    }

    #[test]
    fn branch_globs_respect_slashes() {
        check(&["main"], &["main"], &["main2", "x/main", "Main"]);
        check(
            &["release/*"],
            &["release/1.2", "release/x"],
            &["release", "release/1.2/hotfix", "prerelease/1"],
        );
        check(
            &["feature/**"],
            &["feature/a", "feature/a/b/c"],
            &["feature", "features/a", "bugfix/feature/a"],
        );
        check(&["*"], &["main", "dev"], &["feature/a"]);
        check(&["**"], &["main", "feature/a/b"], &[]);
        check(
            &["{main,master}", "hotfix-?"],
            &["master", "hotfix-1"],
            &["hotfix-12"],
        );
        check(&[r"literal\*"], &["literal*"], &["literalx"]);
    }

    #[test]
    fn empty_lists_match_nothing_and_bad_globs_are_named() {
        let empty = Patterns::new(Vec::<String>::new()).unwrap();
        assert!(empty.is_empty() && !empty.matches("main"));
        let err = Patterns::new(["ok", "release/[1-"]).unwrap_err();
        assert_eq!(err.pattern, "release/[1-");
        assert!(err.to_string().contains("release/[1-"), "{err}");
    }
}
