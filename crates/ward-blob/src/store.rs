//! [`BlobStore`]: objects by key in a local folder or an S3 bucket, through `object_store`.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use futures::TryStreamExt;
use object_store::aws::{AmazonS3, AmazonS3Builder};
use object_store::local::LocalFileSystem;
use object_store::path::Path as ObjectPath;
use object_store::signer::Signer;
use object_store::{ObjectMeta, ObjectStore};
use url::Url;

use crate::{BlobKey, Error, Kind, Retention, UrlSigner, MAX_URL_VALIDITY};

/// Where ward keeps reports, failure reports and uploads. Cheap to clone.
#[derive(Debug, Clone)]
pub struct BlobStore {
    objects: Arc<dyn ObjectStore>,
    /// Prepended to every key: empty, or segments ending with `/`.
    prefix: String,
    backend: Backend,
}

#[derive(Debug, Clone)]
enum Backend {
    Local {
        root: PathBuf,
        /// The public base URL of the ward server and its signer, for signed URLs.
        urls: Option<(Url, UrlSigner)>,
    },
    S3 {
        s3: Arc<AmazonS3>,
        bucket: String,
    },
}

/// An object's metadata.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlobMeta {
    /// Its key.
    pub key: BlobKey,
    /// Its size in bytes.
    pub size: u64,
    /// When it was written (objects are written once, so this is when it was created; S3
    /// lifecycle rules count from the same time).
    pub created: SystemTime,
}

/// An object read back: its metadata and content.
#[derive(Debug, Clone)]
pub struct Blob {
    /// Its metadata.
    pub meta: BlobMeta,
    /// Its content.
    pub bytes: Bytes,
}

impl BlobStore {
    /// Opens a store by location: `s3://bucket/prefix` (endpoint, region and credentials from
    /// `AWS_ENDPOINT_URL`, `AWS_REGION`, `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`,
    /// `AWS_SESSION_TOKEN`; `AWS_ALLOW_HTTP=true` for a plain-HTTP endpoint such as a local
    /// test server), `file:///path`, or a folder path.
    pub fn open(location: &str) -> Result<BlobStore, Error> {
        let invalid = |reason: &str| Error::InvalidLocation {
            location: location.to_string(),
            reason: reason.to_string(),
        };
        let Some((scheme, _)) = location.split_once("://") else {
            return BlobStore::local(Path::new(location));
        };
        let url = Url::parse(location).map_err(|e| invalid(&e.to_string()))?;
        match scheme {
            "s3" => {
                let bucket = url
                    .host_str()
                    .filter(|h| !h.is_empty())
                    .ok_or_else(|| invalid("an s3:// URL needs a bucket: s3://bucket/prefix"))?;
                BlobStore::s3(bucket, url.path())
            }
            "file" => {
                let path = url
                    .to_file_path()
                    .map_err(|()| invalid("a file:// URL needs an absolute path"))?;
                BlobStore::local(&path)
            }
            _ => Err(invalid(
                "the storage is a folder, file:///path or s3://bucket/prefix",
            )),
        }
    }

    /// A store in a local folder, made if missing. Objects are files under
    /// `<root>/<kind>/<name>`, written to a temporary file and renamed into place.
    pub fn local(root: &Path) -> Result<BlobStore, Error> {
        let invalid = |reason: String| Error::InvalidLocation {
            location: root.display().to_string(),
            reason,
        };
        std::fs::create_dir_all(root).map_err(|e| invalid(format!("cannot create it: {e}")))?;
        let objects = LocalFileSystem::new_with_prefix(root)
            .map_err(|e| invalid(e.to_string()))?
            // Removing the last object of a folder removes the emptied folders too.
            .with_automatic_cleanup(true);
        Ok(BlobStore {
            objects: Arc::new(objects),
            prefix: String::new(),
            backend: Backend::Local {
                root: root.to_path_buf(),
                urls: None,
            },
        })
    }

    /// A store in an S3 bucket under `prefix`, configured from the `AWS_*` environment
    /// variables (see [`BlobStore::open`]). Requests use the path style (`endpoint/bucket/key`),
    /// which S3-compatible servers accept.
    pub fn s3(bucket: &str, prefix: &str) -> Result<BlobStore, Error> {
        let location = format!("s3://{bucket}/{}", prefix.trim_matches('/'));
        let invalid = |reason: String| Error::InvalidLocation {
            location: location.clone(),
            reason,
        };
        let prefix = prefix.trim_matches('/');
        let prefix = if prefix.is_empty() {
            String::new()
        } else {
            // The prefix obeys the rules of object names, so that keys never need escaping.
            BlobKey::new(Kind::Report, prefix).map_err(|e| invalid(e.to_string()))?;
            format!("{prefix}/")
        };
        let s3 = AmazonS3Builder::from_env()
            .with_bucket_name(bucket)
            .build()
            .map_err(|e| invalid(e.to_string()))?;
        let s3 = Arc::new(s3);
        Ok(BlobStore {
            objects: s3.clone(),
            prefix,
            backend: Backend::S3 {
                s3,
                bucket: bucket.to_string(),
            },
        })
    }

    /// Lets a local store hand out signed ward URLs: `base_url` is where clients reach the
    /// ward server (scheme, host and port: `https://ward.example.com`), and `signer` signs with the server's key. An
    /// S3 store ignores this: it hands out S3 presigned URLs.
    pub fn with_ward_urls(mut self, base_url: &str, signer: UrlSigner) -> Result<BlobStore, Error> {
        let base = Url::parse(base_url).map_err(|e| Error::InvalidLocation {
            location: base_url.to_string(),
            reason: format!("not a URL: {e}"),
        })?;
        if let Backend::Local { urls, .. } = &mut self.backend {
            *urls = Some((base, signer));
        }
        Ok(self)
    }

    /// The store, for messages: the folder or `s3://bucket/prefix`.
    pub fn location(&self) -> String {
        match &self.backend {
            Backend::Local { root, .. } => root.display().to_string(),
            Backend::S3 { bucket, .. } => format!("s3://{bucket}/{}", self.prefix),
        }
    }

    /// Writes an object, replacing any with the same key.
    pub async fn put(&self, key: &BlobKey, bytes: impl Into<Bytes>) -> Result<(), Error> {
        let path = self.path(key)?;
        self.objects
            .put(&path, bytes.into().into())
            .await
            .map_err(|e| self.error("writing", key, e))?;
        Ok(())
    }

    /// Reads an object.
    pub async fn get(&self, key: &BlobKey) -> Result<Blob, Error> {
        let path = self.path(key)?;
        let result = self
            .objects
            .get(&path)
            .await
            .map_err(|e| self.error("reading", key, e))?;
        let meta = BlobMeta {
            key: key.clone(),
            size: result.meta.size,
            created: result.meta.last_modified.into(),
        };
        let bytes = result
            .bytes()
            .await
            .map_err(|e| self.error("reading", key, e))?;
        Ok(Blob { meta, bytes })
    }

    /// An object's metadata, or `None` if there is no such object.
    pub async fn head(&self, key: &BlobKey) -> Result<Option<BlobMeta>, Error> {
        let path = self.path(key)?;
        match self.objects.head(&path).await {
            Ok(meta) => Ok(Some(BlobMeta {
                key: key.clone(),
                size: meta.size,
                created: meta.last_modified.into(),
            })),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(self.error("reading", key, e)),
        }
    }

    /// Deletes an object; deleting one that does not exist is not an error (as on S3).
    pub async fn delete(&self, key: &BlobKey) -> Result<(), Error> {
        let path = self.path(key)?;
        match self.objects.delete(&path).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(self.error("deleting", key, e)),
        }
    }

    /// Every object of a kind, sorted by name. Objects under the kind's prefix whose names
    /// ward would not have written (another program's files) are left out.
    pub async fn list(&self, kind: Kind) -> Result<Vec<BlobMeta>, Error> {
        let kind_prefix = format!("{}{}", self.prefix, kind.prefix());
        let listed: Vec<ObjectMeta> = self
            .objects
            .list(Some(&ObjectPath::from(kind_prefix.as_str())))
            .try_collect()
            .await
            .map_err(|e| Error::Storage {
                operation: "listing",
                key: format!("{}/", kind.prefix()),
                location: self.location(),
                source: Box::new(e),
            })?;
        let mut metas: Vec<BlobMeta> = listed
            .into_iter()
            .filter_map(|meta| {
                let relative = meta.location.as_ref().strip_prefix(&self.prefix)?;
                let key = BlobKey::parse(relative).ok()?;
                (key.kind() == kind).then(|| BlobMeta {
                    key,
                    size: meta.size,
                    created: meta.last_modified.into(),
                })
            })
            .collect();
        metas.sort_by(|a, b| a.key.cmp(&b.key));
        Ok(metas)
    }

    /// Deletes every object that has expired at `now` under `retention`, and returns their
    /// keys (sorted by kind and name).
    pub async fn apply_retention(
        &self,
        retention: &Retention,
        now: SystemTime,
    ) -> Result<Vec<BlobKey>, Error> {
        let mut deleted = Vec::new();
        for kind in Kind::ALL {
            if retention.max_age(kind).is_none() {
                continue;
            }
            for meta in self.list(kind).await? {
                if retention.is_expired(kind, meta.created, now) {
                    self.delete(&meta.key).await?;
                    deleted.push(meta.key);
                }
            }
        }
        Ok(deleted)
    }

    /// A URL where `key` can be fetched for `valid_for` from now, without credentials: an S3
    /// presigned GET URL, or a ward URL signed by the store's [`UrlSigner`] under its public
    /// base URL. The object need not exist yet (a job's report URL is handed out before the
    /// report is written).
    pub async fn signed_url(&self, key: &BlobKey, valid_for: Duration) -> Result<Url, Error> {
        if valid_for > MAX_URL_VALIDITY {
            return Err(Error::ValidityTooLong {
                max_seconds: MAX_URL_VALIDITY.as_secs(),
                asked_seconds: valid_for.as_secs(),
            });
        }
        match &self.backend {
            Backend::S3 { s3, .. } => {
                let path = self.path(key)?;
                s3.signed_url(http::Method::GET, &path, valid_for)
                    .await
                    .map_err(|e| self.error("signing a URL for", key, e))
            }
            Backend::Local { urls, .. } => {
                let (base, signer) = urls.as_ref().ok_or_else(|| Error::NoUrlSigner {
                    location: self.location(),
                })?;
                let path_and_query = signer.sign(key, SystemTime::now() + valid_for);
                base.join(&path_and_query)
                    .map_err(|e| Error::InvalidLocation {
                        location: base.to_string(),
                        reason: format!("cannot make a URL under it: {e}"),
                    })
            }
        }
    }

    fn path(&self, key: &BlobKey) -> Result<ObjectPath, Error> {
        let full = format!("{}{key}", self.prefix);
        // Names are checked by `BlobKey::new`, so this fails only on a broken invariant; it
        // is still an error rather than a panic.
        ObjectPath::parse(&full).map_err(|_| Error::InvalidName {
            name: full.clone(),
            reason: "not a valid object path",
        })
    }

    fn error(&self, operation: &'static str, key: &BlobKey, e: object_store::Error) -> Error {
        match e {
            object_store::Error::NotFound { .. } => Error::NotFound {
                key: key.to_string(),
                location: self.location(),
            },
            other => Error::Storage {
                operation,
                key: key.to_string(),
                location: self.location(),
                source: Box::new(other),
            },
        }
    }
}
