//! Signed ward URLs, for objects in a local folder (S3 objects get S3 presigned URLs instead).
//!
//! A URL is `/blobs/<kind>/<name>?expires=<unix seconds>&key_id=<id>&signature=<sig>`, where
//! `sig` is the unpadded URL-safe base64 of HMAC-SHA256, under the key `id`, of
//! `ward-url-v1\n<id>\n<expires>\n<path>`. Verification recomputes the MAC and compares it in
//! constant time before it looks at the expiry, so a tampered URL is refused the same way
//! whatever was changed. Several keys can be accepted at once, so a key can be rotated
//! without breaking URLs already handed out.

use std::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::{BlobKey, Error};

/// The path under which ward serves stored objects by signed URL.
pub const WARD_URL_PREFIX: &str = "/blobs/";

/// The longest a signed URL may be valid: 7 days, which is also S3's limit for presigned URLs.
pub const MAX_URL_VALIDITY: Duration = Duration::from_secs(7 * 24 * 3600);

/// Shortest accepted secret, in bytes (the HMAC-SHA256 output size).
const MIN_SECRET_LEN: usize = 32;

/// Signs and checks ward URLs. The current key signs; it and the older keys are accepted.
#[derive(Clone)]
pub struct UrlSigner {
    current: SigningKey,
    older: Vec<SigningKey>,
}

#[derive(Clone)]
struct SigningKey {
    id: String,
    secret: Vec<u8>,
}

/// Why a signed URL was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    /// The path or query is not that of a signed ward URL.
    #[error("not a signed ward URL: {0}")]
    Malformed(&'static str),
    /// The URL names a signing key this server does not have.
    #[error("the URL was signed with an unknown key")]
    UnknownKey,
    /// The signature does not match the path, expiry and key id.
    #[error("the URL's signature does not match")]
    BadSignature,
    /// The URL was valid, but its time is up.
    #[error("the URL has expired")]
    Expired,
}

impl UrlSigner {
    /// A signer with one key: `key_id` is 1 to 64 ASCII letters, digits, `_` or `-`, and the
    /// secret at least 32 bytes.
    pub fn new(key_id: &str, secret: &[u8]) -> Result<UrlSigner, Error> {
        Ok(UrlSigner {
            current: SigningKey::new(key_id, secret)?,
            older: Vec::new(),
        })
    }

    /// Also accepts URLs signed with this (older) key; the first key still signs.
    pub fn also_accept(mut self, key_id: &str, secret: &[u8]) -> Result<UrlSigner, Error> {
        self.older.push(SigningKey::new(key_id, secret)?);
        Ok(self)
    }

    /// The path and query of a URL for `key` that is valid until `expires`.
    pub fn sign(&self, key: &BlobKey, expires: SystemTime) -> String {
        let signing_key = &self.current;
        let path = format!("{WARD_URL_PREFIX}{key}");
        let expires = unix_seconds(expires);
        let mac = signing_key.mac(expires, &path).finalize().into_bytes();
        format!(
            "{path}?expires={expires}&key_id={}&signature={}",
            signing_key.id,
            URL_SAFE_NO_PAD.encode(mac)
        )
    }

    /// Checks a request for a signed URL: `url_path` as received (`/blobs/reports/…`), and the
    /// query without its `?`. Returns the object's key if the signature matches and `now` is
    /// before the expiry.
    pub fn verify(
        &self,
        url_path: &str,
        query: &str,
        now: SystemTime,
    ) -> Result<BlobKey, SignatureError> {
        let key_path = url_path
            .strip_prefix(WARD_URL_PREFIX)
            .ok_or(SignatureError::Malformed("the path is not under /blobs/"))?;
        let key = BlobKey::parse(key_path)
            .map_err(|_| SignatureError::Malformed("the path names no stored object"))?;
        let params = SignedParams::parse(query)?;
        let signing_key = std::iter::once(&self.current)
            .chain(&self.older)
            .find(|k| k.id == params.key_id)
            .ok_or(SignatureError::UnknownKey)?;
        let signature = URL_SAFE_NO_PAD
            .decode(params.signature.as_bytes())
            .map_err(|_| SignatureError::Malformed("the signature is not base64"))?;
        signing_key
            .mac(params.expires, url_path)
            .verify_slice(&signature)
            .map_err(|_| SignatureError::BadSignature)?;
        if unix_seconds(now) >= params.expires {
            return Err(SignatureError::Expired);
        }
        Ok(key)
    }
}

/// Keys are secret: only their ids are shown.
impl fmt::Debug for UrlSigner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ids: Vec<&str> = std::iter::once(&self.current)
            .chain(&self.older)
            .map(|k| k.id.as_str())
            .collect();
        f.debug_struct("UrlSigner").field("key_ids", &ids).finish()
    }
}

impl SigningKey {
    fn new(id: &str, secret: &[u8]) -> Result<SigningKey, Error> {
        let invalid = |reason| Error::InvalidSigningKey {
            key_id: id.to_string(),
            reason,
        };
        let id_ok = !id.is_empty()
            && id.len() <= 64
            && id
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
        if !id_ok {
            return Err(invalid(
                "a key id is 1 to 64 ASCII letters, digits, `_` or `-`",
            ));
        }
        if secret.len() < MIN_SECRET_LEN {
            return Err(invalid("the secret must be at least 32 bytes"));
        }
        Ok(SigningKey {
            id: id.to_string(),
            secret: secret.to_vec(),
        })
    }

    fn mac(&self, expires: u64, path: &str) -> Hmac<Sha256> {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.secret)
            .expect("HMAC accepts keys of any length");
        mac.update(format!("ward-url-v1\n{}\n{expires}\n{path}", self.id).as_bytes());
        mac
    }
}

/// The query parameters of a signed URL; any other parameter, or one given twice, makes the
/// URL malformed (nothing unsigned rides along).
struct SignedParams {
    expires: u64,
    key_id: String,
    signature: String,
}

impl SignedParams {
    fn parse(query: &str) -> Result<SignedParams, SignatureError> {
        let (mut expires, mut key_id, mut signature) = (None, None, None);
        for (name, value) in url::form_urlencoded::parse(query.as_bytes()) {
            let slot = match name.as_ref() {
                "expires" => &mut expires,
                "key_id" => &mut key_id,
                "signature" => &mut signature,
                _ => return Err(SignatureError::Malformed("unknown query parameter")),
            };
            if slot.replace(value.into_owned()).is_some() {
                return Err(SignatureError::Malformed("a query parameter is repeated"));
            }
        }
        let expires = expires
            .ok_or(SignatureError::Malformed("no expires parameter"))?
            .parse()
            .map_err(|_| SignatureError::Malformed("expires is not a number of seconds"))?;
        Ok(SignedParams {
            expires,
            key_id: key_id.ok_or(SignatureError::Malformed("no key_id parameter"))?,
            signature: signature.ok_or(SignatureError::Malformed("no signature parameter"))?,
        })
    }
}

/// Seconds since the Unix epoch; times before it count as 0.
fn unix_seconds(time: SystemTime) -> u64 {
    time.duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Kind;

    const SECRET: &[u8] = b"0123456789abcdef0123456789abcdef";
    const OTHER_SECRET: &[u8] = b"fedcba9876543210fedcba9876543210";

    fn at(seconds: u64) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(seconds)
    }

    fn key() -> BlobKey {
        BlobKey::new(Kind::Report, "job-7/report.json").unwrap()
    }

    /// Splits a signed path-and-query and verifies it at `now`.
    fn check(signer: &UrlSigner, url: &str, now: u64) -> Result<BlobKey, SignatureError> {
        let (path, query) = url.split_once('?').unwrap_or((url, ""));
        signer.verify(path, query, at(now))
    }

    #[test]
    fn a_signed_url_verifies_until_it_expires() {
        let signer = UrlSigner::new("k1", SECRET).unwrap();
        let url = signer.sign(&key(), at(1_000));
        assert!(url.starts_with("/blobs/reports/job-7/report.json?expires=1000&key_id=k1&"));
        assert_eq!(check(&signer, &url, 999), Ok(key()));
        assert_eq!(check(&signer, &url, 1_000), Err(SignatureError::Expired));
        assert_eq!(check(&signer, &url, 50_000), Err(SignatureError::Expired));
    }

    #[test]
    fn a_tampered_url_is_refused() {
        let signer = UrlSigner::new("k1", SECRET).unwrap();
        let url = signer.sign(&key(), at(1_000));
        let tampered = [
            url.replace("job-7", "job-8"),
            url.replace("/reports/", "/failure-reports/"),
            url.replace("expires=1000", "expires=9000"),
        ];
        for bad in &tampered {
            assert_eq!(
                check(&signer, bad, 10),
                Err(SignatureError::BadSignature),
                "{bad}"
            );
        }
        // One flipped character of the signature.
        let (head, last) = url.split_at(url.len() - 1);
        let flipped = format!("{head}{}", if last == "A" { "B" } else { "A" });
        assert_eq!(
            check(&signer, &flipped, 10),
            Err(SignatureError::BadSignature)
        );
        // The same URL checked by a server with another secret under the same key id.
        let other = UrlSigner::new("k1", OTHER_SECRET).unwrap();
        assert_eq!(check(&other, &url, 10), Err(SignatureError::BadSignature));
    }

    #[test]
    fn malformed_and_unknown_key_urls_are_refused() {
        let signer = UrlSigner::new("k1", SECRET).unwrap();
        let url = signer.sign(&key(), at(1_000));
        assert_eq!(
            check(&signer, &url.replace("key_id=k1", "key_id=k2"), 10),
            Err(SignatureError::UnknownKey)
        );
        for bad in [
            url.replace("/blobs/", "/files/"),
            url.replace("job-7/", "../"),
            format!("{url}&format=sarif"),
            format!("{url}&expires=1000"),
            url.replace("expires=1000", "expires=soon"),
            url.replace("signature=", "signature=%%"),
            "/blobs/reports/a".to_string(),
        ] {
            assert!(
                matches!(check(&signer, &bad, 10), Err(SignatureError::Malformed(_))),
                "{bad}"
            );
        }
    }

    #[test]
    fn an_older_key_still_verifies_after_rotation() {
        let old = UrlSigner::new("old", OTHER_SECRET).unwrap();
        let url = old.sign(&key(), at(1_000));
        let rotated = UrlSigner::new("new", SECRET)
            .unwrap()
            .also_accept("old", OTHER_SECRET)
            .unwrap();
        assert_eq!(check(&rotated, &url, 10), Ok(key()));
        assert!(rotated.sign(&key(), at(1_000)).contains("key_id=new"));
    }

    #[test]
    fn weak_keys_are_refused_and_debug_hides_secrets() {
        assert!(UrlSigner::new("k", b"short").is_err());
        assert!(UrlSigner::new("", SECRET).is_err());
        assert!(UrlSigner::new("a b", SECRET).is_err());
        let signer = UrlSigner::new("k1", SECRET).unwrap();
        let shown = format!("{signer:?}");
        assert!(shown.contains("k1") && !shown.contains("0123456789"));
    }
}
