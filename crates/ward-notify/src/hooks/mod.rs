//! Git-host webhooks: checking that a request really comes from GitLab or GitHub, and reading
//! its payload into a [`Trigger`] (scan this commit of this branch, or close this branch's
//! engagement). Pure functions over headers and the raw body; the server routes them.
//!
//! Deciding which triggers start scans is the caller's: match [`Trigger::branch`] against the
//! product's branch patterns with [`crate::glob::Patterns`].

pub mod github;
pub mod gitlab;

use serde::Serialize;
use subtle::ConstantTimeEq;

/// What a webhook asks ward to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HookEvent {
    /// Scan something, or close an engagement.
    Trigger(Trigger),
    /// An event ward does not act on (a tag, a closed merge request, a ping), with the reason,
    /// for the response and the log.
    Ignored(String),
}

/// A normalized git-host event that starts a scan or closes an engagement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Trigger {
    /// Which host sent it.
    pub provider: Provider,
    /// The repository the webhook is configured on (the target of a merge request).
    pub repository: Repository,
    /// What happened.
    pub kind: TriggerKind,
    /// The branch: pushed, deleted, or the source branch of a merge request. Without
    /// `refs/heads/`.
    pub branch: String,
    /// The commit to scan; `None` when the branch was deleted.
    pub commit_sha: Option<String>,
    /// Where to fetch `commit_sha` from: the repository's clone URL, or the fork's for a merge
    /// request from a fork.
    pub clone_url: String,
}

/// Which git host.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Provider {
    /// GitLab (gitlab.com or self-managed).
    GitLab,
    /// GitHub (github.com or Enterprise Server).
    GitHub,
}

/// A repository as the git host names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Repository {
    /// `group/project` or `owner/repo`.
    pub full_name: String,
    /// The repository's web page.
    pub web_url: String,
    /// Its HTTPS clone URL.
    pub clone_url: String,
}

/// The kind of git-host event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum TriggerKind {
    /// Commits were pushed to a branch (or a branch was created).
    Push,
    /// A merge request (GitLab) or pull request (GitHub) was opened, reopened or got new
    /// commits.
    MergeRequest {
        /// Its number in the repository (GitLab's `iid`, GitHub's `number`).
        number: u64,
        /// The branch it merges into.
        target_branch: String,
    },
    /// A branch was deleted: its engagement can be closed.
    DeleteBranch,
}

/// A webhook request that cannot be trusted or read.
#[derive(Debug, thiserror::Error)]
pub enum HookError {
    /// The header carrying the token or signature is missing.
    #[error("the {header} header is missing")]
    MissingHeader {
        /// The header's name.
        header: &'static str,
    },
    /// The token or signature does not match the configured secret.
    #[error("the {header} header does not match the configured secret")]
    BadSecret {
        /// The header's name.
        header: &'static str,
    },
    /// The body is not the JSON this event should carry.
    #[error("{provider} {event} payload: {source}")]
    Json {
        /// `GitLab` or `GitHub`.
        provider: &'static str,
        /// The event type.
        event: String,
        /// Where and why parsing failed (line and column).
        source: serde_json::Error,
    },
}

/// Compares two secrets in constant time. Both are hashed first so the comparison also takes
/// the same time whatever their lengths.
fn secrets_equal(a: &[u8], b: &[u8]) -> bool {
    use sha2::{Digest, Sha256};
    Sha256::digest(a).ct_eq(&Sha256::digest(b)).into()
}

/// `refs/heads/main` → `main`; other refs (tags, notes) → `None`.
fn branch_of(git_ref: &str) -> Option<&str> {
    git_ref
        .strip_prefix("refs/heads/")
        .filter(|b| !b.is_empty())
}

/// Git's name for "no commit": forty zeros, the `after` of a deleted branch.
fn is_zero_sha(sha: &str) -> bool {
    !sha.is_empty() && sha.bytes().all(|b| b == b'0')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn helpers() {
        assert!(secrets_equal(b"abc", b"abc"));
        assert!(!secrets_equal(b"abc", b"abd"));
        assert!(!secrets_equal(b"abc", b"abcd"));
        assert_eq!(branch_of("refs/heads/feature/x"), Some("feature/x"));
        assert_eq!(branch_of("refs/tags/v1"), None);
        assert_eq!(branch_of("refs/heads/"), None);
        assert!(is_zero_sha("0000000000000000000000000000000000000000"));
        assert!(!is_zero_sha("da1560886d4f094c3e6c9ef40349f7d38b5d27d7"));
        assert!(!is_zero_sha(""));
    }
}
