//! GitHub webhooks: the `X-Hub-Signature-256` check and the push, pull_request and delete
//! events.
//!
//! Payloads: <https://docs.github.com/en/webhooks/webhook-events-and-payloads>. The event type
//! is the `X-GitHub-Event` header. Pull request actions that start a scan: `opened`,
//! `synchronize` (new commits) and `reopened`. A branch deletion arrives twice, as a `delete`
//! event with `ref_type: branch` and as a push with `deleted: true`; both give
//! [`TriggerKind::DeleteBranch`] (closing an engagement twice changes nothing). Tags, `ping`
//! and other events are ignored.

use hmac::{Hmac, Mac};
use serde::Deserialize;
use sha2::Sha256;

use super::{branch_of, HookError, HookEvent, Provider, Repository, Trigger, TriggerKind};

/// The header carrying `sha256=<hex HMAC-SHA256 of the body>`.
pub const SIGNATURE_HEADER: &str = "X-Hub-Signature-256";
/// The header naming the event type.
pub const EVENT_HEADER: &str = "X-GitHub-Event";

/// Checks `X-Hub-Signature-256` (`received`, `None` when absent): the HMAC-SHA256 of the raw
/// body keyed with the webhook's secret. Constant-time.
pub fn verify(secret: &[u8], received: Option<&str>, body: &[u8]) -> Result<(), HookError> {
    let received = received.ok_or(HookError::MissingHeader {
        header: SIGNATURE_HEADER,
    })?;
    let bad = HookError::BadSecret {
        header: SIGNATURE_HEADER,
    };
    if secret.is_empty() {
        return Err(bad);
    }
    let Some(signature) = received
        .trim()
        .strip_prefix("sha256=")
        .and_then(|hex| hex::decode(hex).ok())
    else {
        return Err(bad);
    };
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes keys of any length");
    mac.update(body);
    mac.verify_slice(&signature).map_err(|_| bad)
}

/// Reads a GitHub webhook body of the type named by `X-GitHub-Event`.
pub fn parse(event: &str, body: &[u8]) -> Result<HookEvent, HookError> {
    let json = |e| HookError::Json {
        provider: "GitHub",
        event: event.to_owned(),
        source: e,
    };
    match event {
        "push" => Ok(push(serde_json::from_slice(body).map_err(json)?)),
        "pull_request" => Ok(pull_request(serde_json::from_slice(body).map_err(json)?)),
        "delete" => Ok(delete(serde_json::from_slice(body).map_err(json)?)),
        other => Ok(HookEvent::Ignored(format!(
            "GitHub {other} events start nothing"
        ))),
    }
}

fn push(event: Push) -> HookEvent {
    let Some(branch) = branch_of(&event.git_ref) else {
        return HookEvent::Ignored(format!("{} is not a branch", event.git_ref));
    };
    let repository = event.repository.into_repository();
    HookEvent::Trigger(Trigger {
        provider: Provider::GitHub,
        kind: if event.deleted {
            TriggerKind::DeleteBranch
        } else {
            TriggerKind::Push
        },
        branch: branch.to_owned(),
        commit_sha: (!event.deleted).then_some(event.after),
        clone_url: repository.clone_url.clone(),
        repository,
    })
}

fn pull_request(event: PullRequestEvent) -> HookEvent {
    if !matches!(event.action.as_str(), "opened" | "synchronize" | "reopened") {
        return HookEvent::Ignored(format!(
            "pull request action {:?} brings no new code",
            event.action
        ));
    }
    let head = event.pull_request.head;
    let Some(head_repo) = head.repo else {
        return HookEvent::Ignored("the pull request's head repository was deleted".to_owned());
    };
    HookEvent::Trigger(Trigger {
        provider: Provider::GitHub,
        kind: TriggerKind::MergeRequest {
            number: event.number,
            target_branch: event.pull_request.base.git_ref,
        },
        branch: head.git_ref,
        commit_sha: Some(head.sha),
        clone_url: head_repo.clone_url,
        repository: event.repository.into_repository(),
    })
}

fn delete(event: Delete) -> HookEvent {
    if event.ref_type != "branch" {
        return HookEvent::Ignored(format!(
            "deleted {} {} is not a branch",
            event.ref_type, event.git_ref
        ));
    }
    let repository = event.repository.into_repository();
    HookEvent::Trigger(Trigger {
        provider: Provider::GitHub,
        kind: TriggerKind::DeleteBranch,
        branch: event.git_ref,
        commit_sha: None,
        clone_url: repository.clone_url.clone(),
        repository,
    })
}

#[derive(Deserialize)]
struct Push {
    #[serde(rename = "ref")]
    git_ref: String,
    after: String,
    #[serde(default)]
    deleted: bool,
    repository: Repo,
}

#[derive(Deserialize)]
struct PullRequestEvent {
    action: String,
    number: u64,
    pull_request: PullRequest,
    repository: Repo,
}

#[derive(Deserialize)]
struct PullRequest {
    head: Head,
    base: Base,
}

#[derive(Deserialize)]
struct Head {
    #[serde(rename = "ref")]
    git_ref: String,
    sha: String,
    repo: Option<HeadRepo>,
}

#[derive(Deserialize)]
struct HeadRepo {
    clone_url: String,
}

#[derive(Deserialize)]
struct Base {
    #[serde(rename = "ref")]
    git_ref: String,
}

#[derive(Deserialize)]
struct Delete {
    #[serde(rename = "ref")]
    git_ref: String,
    ref_type: String,
    repository: Repo,
}

#[derive(Deserialize)]
struct Repo {
    full_name: String,
    html_url: String,
    clone_url: String,
}

impl Repo {
    fn into_repository(self) -> Repository {
        Repository {
            full_name: self.full_name,
            web_url: self.html_url,
            clone_url: self.clone_url,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn signature(secret: &[u8], body: &[u8]) -> String {
        let mut mac = Hmac::<Sha256>::new_from_slice(secret).unwrap();
        mac.update(body);
        format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
    }

    #[test]
    fn signature_checks() {
        let body = br#"{"zen":"Keep it logically awesome."}"#;
        let good = signature(b"s3cret", body);
        assert!(verify(b"s3cret", Some(&good), body).is_ok());
        assert!(verify(b"other", Some(&good), body).is_err());
        assert!(verify(b"s3cret", Some(&good), b"{}").is_err());
        assert!(verify(b"s3cret", Some("sha1=abcd"), body).is_err());
        assert!(verify(b"s3cret", Some("sha256=xyz"), body).is_err());
        assert!(matches!(
            verify(b"s3cret", None, body),
            Err(HookError::MissingHeader { .. })
        ));
        assert!(
            verify(b"", Some(&signature(b"", body)), body).is_err(),
            "an unset secret never matches"
        );
    }

    #[test]
    fn bad_bodies_are_errors() {
        let err = parse("push", br#"{"ref": "refs/heads/x"}"#).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("GitHub push payload: missing field"),
            "{err}"
        );
        assert_eq!(
            parse("star", b"{}").unwrap(),
            HookEvent::Ignored("GitHub star events start nothing".into())
        );
    }
}
