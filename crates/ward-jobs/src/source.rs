//! Turning a scan request's [`Source`] into a [`Target`] in the job's scratch directory:
//! cloning a git repository, unpacking an uploaded archive, fetching an image tarball.

use std::path::Path;

use ward_blob::{BlobKey, BlobStore, Kind};
use ward_vault::Secret;

use crate::request::Source;
use crate::Target;

/// A user name and token a git clone presents to the host.
pub(crate) struct GitToken {
    pub(crate) user: String,
    pub(crate) token: Secret,
}

/// Prepares `source` under `scratch` (an empty directory the job owns); a git clone presents
/// `token` when the host asks for credentials. The error is a sentence for the failure
/// report; `retry` says whether trying again may help.
pub(crate) async fn prepare(
    source: &Source,
    scratch: &Path,
    blobs: &BlobStore,
    limits: &ward_archive::Limits,
    allow_local_git: bool,
    token: Option<GitToken>,
) -> Result<Target, SourceError> {
    match source {
        Source::Git { url, reference, .. } => {
            if !allow_local_git && !is_remote(url) {
                return Err(SourceError::final_(format!(
                    "the git URL {url} is not https://, http://, ssh:// or git://"
                )));
            }
            let dest = scratch.join("checkout");
            let (url, reference) = (url.clone(), reference.clone());
            let dest_for_clone = dest.clone();
            tokio::task::spawn_blocking(move || {
                clone(&url, reference.as_deref(), &dest_for_clone, token.as_ref())
            })
            .await
            .map_err(|e| SourceError::retry(format!("the clone task failed: {e}")))??;
            Ok(Target::Directory(dest))
        }
        Source::Archive { key } => {
            let archive = fetch(blobs, key, &scratch.join("upload")).await?;
            let dest = scratch.join("tree");
            let (limits, dest_for_unpack) = (*limits, dest.clone());
            tokio::task::spawn_blocking(move || {
                ward_archive::unpack(&archive, &dest_for_unpack, &limits)
            })
            .await
            .map_err(|e| SourceError::retry(format!("the unpack task failed: {e}")))?
            .map_err(|e| SourceError::final_(format!("the uploaded archive {key}: {e}")))?;
            Ok(Target::Directory(dest))
        }
        Source::Image { key } => Ok(Target::Image(
            fetch(blobs, key, &scratch.join("image.tar")).await?,
        )),
        Source::Url { url } => Ok(Target::Url(url.clone())),
    }
}

/// Why a source could not be prepared.
#[derive(Debug)]
pub(crate) struct SourceError {
    pub(crate) message: String,
    pub(crate) retry: bool,
}

impl SourceError {
    pub(crate) fn retry(message: String) -> SourceError {
        SourceError {
            message,
            retry: true,
        }
    }

    pub(crate) fn final_(message: String) -> SourceError {
        SourceError {
            message,
            retry: false,
        }
    }
}

/// Whether a git URL names a remote (not a path on the worker's disk).
fn is_remote(url: &str) -> bool {
    ["https://", "http://", "ssh://", "git://"]
        .iter()
        .any(|scheme| url.starts_with(scheme))
}

/// Copies an uploaded object to `path`.
async fn fetch(
    blobs: &BlobStore,
    key: &str,
    path: &Path,
) -> Result<std::path::PathBuf, SourceError> {
    let key = BlobKey::parse(key).map_err(|e| SourceError::final_(e.to_string()))?;
    if key.kind() != Kind::RawUpload {
        return Err(SourceError::final_(format!(
            "{key} is not an upload (raw-uploads/…)"
        )));
    }
    let blob = blobs.get(&key).await.map_err(|e| match e {
        ward_blob::Error::NotFound { .. } => SourceError::final_(e.to_string()),
        other => SourceError::retry(other.to_string()),
    })?;
    tokio::fs::write(path, &blob.bytes)
        .await
        .map_err(|e| SourceError::retry(format!("writing {}: {e}", path.display())))?;
    Ok(path.to_path_buf())
}

/// Clones `url` into `dest` and checks out `reference` (a branch or tag of the remote, or a
/// commit), detached. With `token`, a host asking for credentials gets it once (a refused
/// token fails the clone instead of being asked for again).
fn clone(
    url: &str,
    reference: Option<&str>,
    dest: &Path,
    token: Option<&GitToken>,
) -> Result<(), SourceError> {
    let failed =
        |what: &str, e: git2::Error| SourceError::retry(format!("{what} {url}: {}", e.message()));
    let mut builder = git2::build::RepoBuilder::new();
    if let Some(token) = token {
        let mut asked = false;
        let mut callbacks = git2::RemoteCallbacks::new();
        callbacks.credentials(move |_url, _user, allowed| {
            if asked || !allowed.contains(git2::CredentialType::USER_PASS_PLAINTEXT) {
                return Err(git2::Error::from_str(
                    "the git host refused the product's git token",
                ));
            }
            asked = true;
            git2::Cred::userpass_plaintext(&token.user, token.token.expose())
        });
        let mut fetch = git2::FetchOptions::new();
        fetch.remote_callbacks(callbacks);
        builder.fetch_options(fetch);
    }
    let repo = builder.clone(url, dest).map_err(|e| {
        // An authentication failure will not pass on a retry.
        if e.class() == git2::ErrorClass::Http && e.code() == git2::ErrorCode::Auth
            || e.message().contains("refused the product's git token")
        {
            SourceError::final_(format!("cloning {url}: {}", e.message()))
        } else {
            failed("cloning", e)
        }
    })?;
    let Some(reference) = reference else {
        return Ok(());
    };
    let object = repo
        .revparse_single(&format!("origin/{reference}"))
        .or_else(|_| repo.revparse_single(reference))
        .map_err(|e| SourceError::final_(format!("{url} has no {reference}: {}", e.message())))?;
    let commit = object.peel_to_commit().map_err(|e| {
        SourceError::final_(format!(
            "{reference} in {url} is not a commit: {}",
            e.message()
        ))
    })?;
    repo.checkout_tree(
        commit.as_object(),
        Some(git2::build::CheckoutBuilder::new().force()),
    )
    .map_err(|e| failed("checking out", e))?;
    repo.set_head_detached(commit.id())
        .map_err(|e| failed("checking out", e))?;
    Ok(())
}
