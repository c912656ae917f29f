//! GitLab webhooks: the `X-Gitlab-Token` check and the push and merge request events.
//!
//! Payloads: <https://docs.gitlab.com/user/project/integrations/webhook_events/>. A push whose
//! `after` is forty zeros deleted its branch. Merge request actions that start a scan: `open`,
//! `reopen`, and `update` when `oldrev` is present (new commits; other updates change only
//! the title, labels or reviewers). Tag pushes and other events are ignored.

use serde::Deserialize;

use super::{
    branch_of, is_zero_sha, secrets_equal, HookError, HookEvent, Provider, Repository, Trigger,
    TriggerKind,
};

/// The header carrying the secret token configured on the GitLab webhook.
pub const TOKEN_HEADER: &str = "X-Gitlab-Token";

/// Checks `X-Gitlab-Token` (`received`, `None` when absent) against the configured token, in
/// constant time.
pub fn verify(expected_token: &str, received: Option<&str>) -> Result<(), HookError> {
    let received = received.ok_or(HookError::MissingHeader {
        header: TOKEN_HEADER,
    })?;
    if expected_token.is_empty() || !secrets_equal(expected_token.as_bytes(), received.as_bytes()) {
        return Err(HookError::BadSecret {
            header: TOKEN_HEADER,
        });
    }
    Ok(())
}

/// Reads a GitLab webhook body. The event type comes from the body's `object_kind`, which
/// GitLab sets on every event (the `X-Gitlab-Event` header says the same in words).
pub fn parse(body: &[u8]) -> Result<HookEvent, HookError> {
    let kind: ObjectKind = serde_json::from_slice(body).map_err(|e| json_error("event", e))?;
    match kind.object_kind.as_str() {
        "push" => push(serde_json::from_slice(body).map_err(|e| json_error("push", e))?),
        "merge_request" => {
            merge_request(serde_json::from_slice(body).map_err(|e| json_error("merge_request", e))?)
        }
        other => Ok(HookEvent::Ignored(format!(
            "GitLab {other} events start nothing"
        ))),
    }
}

fn push(event: Push) -> Result<HookEvent, HookError> {
    let Some(branch) = branch_of(&event.git_ref) else {
        return Ok(HookEvent::Ignored(format!(
            "{} is not a branch",
            event.git_ref
        )));
    };
    let deleted = is_zero_sha(&event.after);
    let repository = event.project.repository();
    Ok(HookEvent::Trigger(Trigger {
        provider: Provider::GitLab,
        kind: if deleted {
            TriggerKind::DeleteBranch
        } else {
            TriggerKind::Push
        },
        branch: branch.to_owned(),
        commit_sha: (!deleted).then(|| event.checkout_sha.unwrap_or(event.after)),
        clone_url: repository.clone_url.clone(),
        repository,
    }))
}

fn merge_request(event: MergeRequestEvent) -> Result<HookEvent, HookError> {
    let attributes = event.object_attributes;
    let action = attributes.action.as_deref().unwrap_or("");
    let new_commits = action == "update" && attributes.oldrev.is_some();
    if !matches!(action, "open" | "reopen") && !new_commits {
        return Ok(HookEvent::Ignored(format!(
            "merge request action {action:?} brings no new code"
        )));
    }
    let repository = event.project.repository();
    let clone_url = attributes
        .source
        .map(|p| p.git_http_url)
        .unwrap_or_else(|| repository.clone_url.clone());
    Ok(HookEvent::Trigger(Trigger {
        provider: Provider::GitLab,
        kind: TriggerKind::MergeRequest {
            number: attributes.iid,
            target_branch: attributes.target_branch,
        },
        branch: attributes.source_branch,
        commit_sha: attributes.last_commit.map(|c| c.id),
        clone_url,
        repository,
    }))
}

fn json_error(event: &str, source: serde_json::Error) -> HookError {
    HookError::Json {
        provider: "GitLab",
        event: event.to_owned(),
        source,
    }
}

#[derive(Deserialize)]
struct ObjectKind {
    object_kind: String,
}

#[derive(Deserialize)]
struct Push {
    #[serde(rename = "ref")]
    git_ref: String,
    after: String,
    checkout_sha: Option<String>,
    project: Project,
}

#[derive(Deserialize)]
struct MergeRequestEvent {
    project: Project,
    object_attributes: MergeRequestAttributes,
}

#[derive(Deserialize)]
struct MergeRequestAttributes {
    iid: u64,
    source_branch: String,
    target_branch: String,
    action: Option<String>,
    oldrev: Option<String>,
    source: Option<SourceProject>,
    last_commit: Option<Commit>,
}

#[derive(Deserialize)]
struct Project {
    path_with_namespace: String,
    web_url: String,
    git_http_url: String,
}

impl Project {
    fn repository(self) -> Repository {
        Repository {
            full_name: self.path_with_namespace,
            web_url: self.web_url,
            clone_url: self.git_http_url,
        }
    }
}

#[derive(Deserialize)]
struct SourceProject {
    git_http_url: String,
}

#[derive(Deserialize)]
struct Commit {
    id: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_checks() {
        assert!(verify("t0ken", Some("t0ken")).is_ok());
        assert!(matches!(
            verify("t0ken", Some("t0ken ")),
            Err(HookError::BadSecret { .. })
        ));
        assert!(matches!(
            verify("t0ken", None),
            Err(HookError::MissingHeader { .. })
        ));
        assert!(
            verify("", Some("")).is_err(),
            "an unset token never matches"
        );
    }

    #[test]
    fn bad_bodies_are_errors_with_a_position() {
        let err = parse(b"{\"object_kind\": \"push\", \"ref\": 3}").unwrap_err();
        assert!(err.to_string().contains("GitLab push payload"), "{err}");
        assert!(err.to_string().contains("column"), "{err}");
        assert!(parse(b"not json").is_err());
        assert_eq!(
            parse(br#"{"object_kind":"note"}"#).unwrap(),
            HookEvent::Ignored("GitLab note events start nothing".into())
        );
    }
}
