//! Git-host webhooks with the providers' own example payloads (`tests/data/hooks/`): the
//! secret check, the triggers they give, and which scans a product's branch globs start.
//! Variants the examples lack (a deleted branch, a merge request with new commits) are made
//! by editing a real payload's fields.

use std::path::Path;

use hmac::{Hmac, Mac};
use serde_json::{json, Value};
use sha2::Sha256;
use ward_notify::glob::Patterns;
use ward_notify::hooks::{github, gitlab, HookError, HookEvent, Trigger, TriggerKind};

const GITLAB_TOKEN: &str = "gitlab-hook-token";
const GITHUB_SECRET: &[u8] = b"github-hook-secret";

fn payload(path: &str) -> Vec<u8> {
    let full = Path::new(&std::env::var("CARGO_MANIFEST_DIR").expect("set by cargo"))
        .join("tests/data/hooks")
        .join(path);
    std::fs::read(&full).unwrap_or_else(|e| panic!("{}: {e}", full.display()))
}

fn edited(path: &str, edit: impl FnOnce(&mut Value)) -> Vec<u8> {
    let mut value: Value = serde_json::from_slice(&payload(path)).unwrap();
    edit(&mut value);
    serde_json::to_vec_pretty(&value).unwrap()
}

fn github_signature(body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(GITHUB_SECRET).unwrap();
    mac.update(body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

/// What the server does with a GitLab request: check the token, then read the body.
fn gitlab_request(token: Option<&str>, body: &[u8]) -> Result<HookEvent, HookError> {
    gitlab::verify(GITLAB_TOKEN, token)?;
    gitlab::parse(body)
}

/// What the server does with a GitHub request: check the signature, then read the body.
fn github_request(
    event: &str,
    signature: Option<&str>,
    body: &[u8],
) -> Result<HookEvent, HookError> {
    github::verify(GITHUB_SECRET, signature, body)?;
    github::parse(event, body)
}

fn trigger(event: Result<HookEvent, HookError>) -> Trigger {
    match event {
        Ok(HookEvent::Trigger(t)) => t,
        other => panic!("expected a trigger, got {other:?}"),
    }
}

fn ignored(event: Result<HookEvent, HookError>) -> String {
    match event {
        Ok(HookEvent::Ignored(reason)) => reason,
        other => panic!("expected an ignored event, got {other:?}"),
    }
}

#[test]
fn gitlab_push_and_merge_request() {
    let body = payload("gitlab/push.json");
    let push = trigger(gitlab_request(Some(GITLAB_TOKEN), &body));
    assert_eq!(push.kind, TriggerKind::Push);
    assert_eq!(push.branch, "master");
    assert_eq!(
        push.commit_sha.as_deref(),
        Some("da1560886d4f094c3e6c9ef40349f7d38b5d27d7")
    );
    assert_eq!(push.repository.full_name, "mike/diaspora");
    assert_eq!(push.repository.web_url, "http://example.com/mike/diaspora");
    assert_eq!(push.clone_url, "http://example.com/mike/diaspora.git");

    let body = payload("gitlab/merge_request.json");
    let mr = trigger(gitlab_request(Some(GITLAB_TOKEN), &body));
    assert_eq!(
        mr.kind,
        TriggerKind::MergeRequest {
            number: 1,
            target_branch: "master".to_owned()
        }
    );
    assert_eq!(mr.branch, "ms-viewport");
    assert_eq!(
        mr.commit_sha.as_deref(),
        Some("da1560886d4f094c3e6c9ef40349f7d38b5d27d7")
    );
    assert_eq!(mr.repository.full_name, "gitlabhq/gitlab-test");
    assert_eq!(
        mr.clone_url,
        "http://example.com/awesome_space/awesome_project.git"
    );
}

#[test]
fn gitlab_merge_request_actions() {
    let with = |action: &str, oldrev: Option<&str>| {
        edited("gitlab/merge_request.json", |v| {
            v["object_attributes"]["action"] = json!(action);
            if let Some(rev) = oldrev {
                v["object_attributes"]["oldrev"] = json!(rev);
            }
        })
    };
    let new_commits = with("update", Some("95790bf891e76fee5e1747ab589903a6a1f80f22"));
    assert!(matches!(
        trigger(gitlab_request(Some(GITLAB_TOKEN), &new_commits)).kind,
        TriggerKind::MergeRequest { .. }
    ));
    trigger(gitlab_request(Some(GITLAB_TOKEN), &with("reopen", None)));
    for (action, oldrev) in [
        ("update", None),
        ("close", None),
        ("merge", None),
        ("approved", None),
    ] {
        let reason = ignored(gitlab_request(Some(GITLAB_TOKEN), &with(action, oldrev)));
        assert!(reason.contains(action), "{reason}");
    }
}

#[test]
fn gitlab_branch_deletion_and_tags() {
    let deleted = edited("gitlab/push.json", |v| {
        v["after"] = json!("0000000000000000000000000000000000000000");
        v["ref"] = json!("refs/heads/feature/login-form");
        v["checkout_sha"] = Value::Null;
        v["commits"] = json!([]);
        v["total_commits_count"] = json!(0);
    });
    let t = trigger(gitlab_request(Some(GITLAB_TOKEN), &deleted));
    assert_eq!(t.kind, TriggerKind::DeleteBranch);
    assert_eq!(t.branch, "feature/login-form");
    assert_eq!(t.commit_sha, None);

    let reason = ignored(gitlab_request(
        Some(GITLAB_TOKEN),
        &payload("gitlab/tag_push.json"),
    ));
    assert_eq!(reason, "GitLab tag_push events start nothing");
}

#[test]
fn gitlab_wrong_or_missing_token_starts_nothing() {
    let body = payload("gitlab/push.json");
    assert!(matches!(
        gitlab_request(Some("guess"), &body),
        Err(HookError::BadSecret { .. })
    ));
    assert!(matches!(
        gitlab_request(None, &body),
        Err(HookError::MissingHeader {
            header: "X-Gitlab-Token"
        })
    ));
}

#[test]
fn github_push_and_pull_requests() {
    let body = payload("github/push.json");
    let push = trigger(github_request(
        "push",
        Some(&github_signature(&body)),
        &body,
    ));
    assert_eq!(push.kind, TriggerKind::Push);
    assert_eq!(push.branch, "master");
    assert_eq!(
        push.commit_sha.as_deref(),
        Some("6113728f27ae82c7b1a177c8d03f9e96e0adf246")
    );
    assert_eq!(push.repository.full_name, "Codertocat/Hello-World");
    assert_eq!(
        push.clone_url,
        "https://github.com/Codertocat/Hello-World.git"
    );

    for action in ["opened", "synchronize", "reopened"] {
        let body = payload(&format!("github/pull_request_{action}.json"));
        let pr = trigger(github_request(
            "pull_request",
            Some(&github_signature(&body)),
            &body,
        ));
        assert_eq!(
            pr.kind,
            TriggerKind::MergeRequest {
                number: 2,
                target_branch: "master".to_owned()
            },
            "{action}"
        );
        assert_eq!(pr.branch, "changes");
        assert_eq!(
            pr.commit_sha.as_deref(),
            Some("ec26c3e57ca3a959ca5aad62de7213c562f8c821")
        );
        assert_eq!(
            pr.clone_url,
            "https://github.com/Codertocat/Hello-World.git"
        );
    }
    let body = payload("github/pull_request_closed.json");
    let reason = ignored(github_request(
        "pull_request",
        Some(&github_signature(&body)),
        &body,
    ));
    assert!(reason.contains("closed"), "{reason}");
}

#[test]
fn github_deletions_tags_and_pings() {
    let check_ignored = |event: &str, path: &str| {
        let body = payload(path);
        ignored(github_request(event, Some(&github_signature(&body)), &body))
    };
    assert_eq!(
        check_ignored("push", "github/push_tag_deleted.json"),
        "refs/tags/simple-tag is not a branch"
    );
    assert_eq!(
        check_ignored("delete", "github/delete_tag.json"),
        "deleted tag simple-tag is not a branch"
    );
    assert_eq!(
        check_ignored("ping", "github/ping.json"),
        "GitHub ping events start nothing"
    );

    let delete_branch = edited("github/delete_tag.json", |v| {
        v["ref"] = json!("feature/login-form");
        v["ref_type"] = json!("branch");
    });
    let t = trigger(github_request(
        "delete",
        Some(&github_signature(&delete_branch)),
        &delete_branch,
    ));
    assert_eq!(
        (t.kind, t.branch.as_str(), t.commit_sha),
        (TriggerKind::DeleteBranch, "feature/login-form", None)
    );

    let push_deleted = edited("github/push_tag_deleted.json", |v| {
        v["ref"] = json!("refs/heads/feature/login-form");
    });
    let t = trigger(github_request(
        "push",
        Some(&github_signature(&push_deleted)),
        &push_deleted,
    ));
    assert_eq!(
        (t.kind, t.branch.as_str(), t.commit_sha),
        (TriggerKind::DeleteBranch, "feature/login-form", None)
    );
}

#[test]
fn github_wrong_signature_starts_nothing() {
    let body = payload("github/push.json");
    let signature = github_signature(&body);
    let mut altered = body.clone();
    let at = altered.windows(6).position(|w| w == b"master").unwrap();
    altered[at..at + 6].copy_from_slice(b"evil00");
    assert!(matches!(
        github_request("push", Some(&signature), &altered),
        Err(HookError::BadSecret { .. })
    ));
    assert!(matches!(
        github_request("push", None, &body),
        Err(HookError::MissingHeader {
            header: "X-Hub-Signature-256"
        })
    ));
    let mut other = Hmac::<Sha256>::new_from_slice(b"not the secret").unwrap();
    other.update(&body);
    let forged = format!("sha256={}", hex::encode(other.finalize().into_bytes()));
    assert!(github_request("push", Some(&forged), &body).is_err());
}

/// The scans a product with these branch patterns would start for a batch of real webhooks:
/// exactly the pushes and merge requests whose branch matches, and the deletions of matching
/// branches.
#[test]
fn branch_globs_choose_the_scans() {
    let patterns = Patterns::new(["master", "release/*", "feature/**"]).unwrap();
    let push_to = |git_ref: &str| {
        edited("github/push.json", |v| {
            v["ref"] = json!(git_ref);
        })
    };
    let requests: Vec<(&str, Vec<u8>)> = vec![
        ("push", payload("github/push.json")),
        ("push", push_to("refs/heads/release/2.4")),
        ("push", push_to("refs/heads/release/2.4/hotfix")),
        ("push", push_to("refs/heads/feature/a/b")),
        ("push", push_to("refs/heads/develop")),
        ("pull_request", payload("github/pull_request_opened.json")),
        ("pull_request", payload("github/pull_request_closed.json")),
        ("push", payload("github/push_tag_deleted.json")),
        (
            "delete",
            edited("github/delete_tag.json", |v| {
                v["ref"] = json!("feature/old");
                v["ref_type"] = json!("branch");
            }),
        ),
    ];
    let selected: Vec<(TriggerKind, String)> = requests
        .iter()
        .filter_map(|(event, body)| {
            match github_request(event, Some(&github_signature(body)), body) {
                Ok(HookEvent::Trigger(t)) if patterns.matches(&t.branch) => {
                    Some((t.kind, t.branch))
                }
                _ => None,
            }
        })
        .collect();
    assert_eq!(
        selected,
        [
            (TriggerKind::Push, "master".to_owned()),
            (TriggerKind::Push, "release/2.4".to_owned()),
            (TriggerKind::Push, "feature/a/b".to_owned()),
            (TriggerKind::DeleteBranch, "feature/old".to_owned()),
        ]
    );
}
