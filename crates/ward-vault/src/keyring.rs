//! The keyring: the configured master keys, and encrypting, decrypting and re-encrypting
//! stored values with them.

use std::path::Path;

use aes_gcm::aead::{Aead, Payload};
use aes_gcm::Nonce;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;

use crate::key::MasterKey;
use crate::{Secret, VaultError, MASTER_KEY_ENV};

/// The format tag at the start of every stored value.
const VERSION: &str = "v1";
/// AES-GCM's standard 96-bit nonce, random per value.
const NONCE_LEN: usize = 12;

/// The configured master keys, newest first: the first encrypts, any decrypts.
pub struct Keyring {
    keys: Vec<MasterKey>,
}

impl std::fmt::Debug for Keyring {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let ids: Vec<&str> = self.keys.iter().map(|k| k.id.as_str()).collect();
        f.debug_struct("Keyring").field("key_ids", &ids).finish()
    }
}

impl Keyring {
    /// Loads the keys the operator configured: the value of `WARD_MASTER_KEY` (`env_value`,
    /// read by the caller) or the file given with `--master-key-file`, not both.
    ///
    /// Either source lists one or more keys, newest first, each 32 bytes in base64 or hex:
    /// separated by commas in the variable, one per line in the file (blank lines and `#`
    /// comments skipped). No key at all is [`VaultError::NoKey`].
    pub fn load(env_value: Option<&str>, key_file: Option<&Path>) -> Result<Keyring, VaultError> {
        let env_value = env_value.filter(|v| !v.trim().is_empty());
        match (env_value, key_file) {
            (Some(_), Some(_)) => Err(VaultError::TwoKeySources),
            (Some(value), None) => Keyring::from_entries(
                value
                    .split(',')
                    .enumerate()
                    .map(|(i, key)| (key, format!("{MASTER_KEY_ENV} (entry {})", i + 1))),
            ),
            (None, Some(path)) => {
                let text =
                    zeroize::Zeroizing::new(std::fs::read_to_string(path).map_err(|source| {
                        VaultError::KeyFile {
                            path: path.to_owned(),
                            source,
                        }
                    })?);
                Keyring::from_entries(text.lines().enumerate().filter_map(|(i, line)| {
                    let line = line.trim();
                    (!line.is_empty() && !line.starts_with('#'))
                        .then(|| (line, format!("{}:{}", path.display(), i + 1)))
                }))
            }
            (None, None) => Err(VaultError::NoKey),
        }
    }

    fn from_entries<'a>(
        entries: impl Iterator<Item = (&'a str, String)>,
    ) -> Result<Keyring, VaultError> {
        let mut keys: Vec<MasterKey> = Vec::new();
        for (text, origin) in entries {
            let key = MasterKey::parse(text, &origin)?;
            if keys.iter().any(|k| k.id == key.id) {
                return Err(VaultError::DuplicateKey {
                    origin,
                    key_id: key.id,
                });
            }
            keys.push(key);
        }
        if keys.is_empty() {
            return Err(VaultError::NoKey);
        }
        Ok(Keyring { keys })
    }

    /// The id of the key that encrypts.
    pub fn current_key_id(&self) -> &str {
        &self.newest().id
    }

    /// Encrypts `plaintext` under the newest key with a fresh random nonce.
    pub fn encrypt(&self, plaintext: &str) -> Result<String, VaultError> {
        let key = self.newest();
        let mut nonce = [0u8; NONCE_LEN];
        getrandom::fill(&mut nonce).map_err(|e| VaultError::Random(e.to_string()))?;
        let header = format!("{VERSION}:{}", key.id);
        let sealed = key
            .cipher
            .encrypt(
                Nonce::from_slice(&nonce),
                Payload {
                    msg: plaintext.as_bytes(),
                    aad: header.as_bytes(),
                },
            )
            // AES-GCM fails only on messages of many gigabytes; secrets are short.
            .map_err(|_| VaultError::Malformed {
                reason: "value too long to encrypt",
            })?;
        let mut data = Vec::with_capacity(NONCE_LEN + sealed.len());
        data.extend_from_slice(&nonce);
        data.extend_from_slice(&sealed);
        Ok(format!("{header}:{}", URL_SAFE_NO_PAD.encode(data)))
    }

    /// Decrypts a stored value with whichever configured key its header names.
    pub fn decrypt(&self, stored: &str) -> Result<Secret, VaultError> {
        let parts = Stored::parse(stored)?;
        let key = self
            .keys
            .iter()
            .find(|k| k.id == parts.key_id)
            .ok_or_else(|| VaultError::UnknownKey {
                key_id: parts.key_id.to_owned(),
            })?;
        let tampered = || VaultError::Tampered {
            key_id: parts.key_id.to_owned(),
        };
        let data = URL_SAFE_NO_PAD.decode(parts.data).map_err(|_| tampered())?;
        let (nonce, sealed) = data.split_at_checked(NONCE_LEN).ok_or_else(tampered)?;
        let clear = key
            .cipher
            .decrypt(
                Nonce::from_slice(nonce),
                Payload {
                    msg: sealed,
                    aad: parts.header.as_bytes(),
                },
            )
            .map_err(|_| tampered())?;
        String::from_utf8(clear)
            .map(Secret::new)
            .map_err(|_| tampered())
    }

    /// Re-encrypts a stored value under the newest key, for `ward admin rotate-key`.
    /// Returns `None` when it already is under the newest key, so callers write only what
    /// changed.
    pub fn rotate(&self, stored: &str) -> Result<Option<String>, VaultError> {
        if Stored::parse(stored)?.key_id == self.newest().id {
            return Ok(None);
        }
        let clear = self.decrypt(stored)?;
        self.encrypt(clear.expose()).map(Some)
    }

    fn newest(&self) -> &MasterKey {
        self.keys
            .first()
            .expect("a keyring is built with at least one key")
    }
}

/// The three parts of a stored value, split but not yet checked cryptographically.
struct Stored<'a> {
    /// `v1:<key id>`, the associated data.
    header: &'a str,
    key_id: &'a str,
    data: &'a str,
}

impl<'a> Stored<'a> {
    fn parse(stored: &'a str) -> Result<Stored<'a>, VaultError> {
        let (header, data) = stored.rsplit_once(':').ok_or(VaultError::Malformed {
            reason: "expected v1:<key id>:<data>",
        })?;
        let (version, key_id) = header.split_once(':').ok_or(VaultError::Malformed {
            reason: "expected v1:<key id>:<data>",
        })?;
        if version != VERSION {
            return Err(VaultError::Malformed {
                reason: "unknown version (this ward reads v1)",
            });
        }
        if key_id.len() != 8 || !key_id.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(VaultError::Malformed {
                reason: "the key id is not 8 hex digits",
            });
        }
        Ok(Stored {
            header,
            key_id,
            data,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY_A: &str = "qUs0ZyvK8b4N8Y2rWQp3cD1mJ6tXe5hLuB7fVgR9aSo=";
    const KEY_B: &str = "1f2e3d4c5b6a79881f2e3d4c5b6a79881f2e3d4c5b6a79881f2e3d4c5b6a7988";

    fn ring(env: &str) -> Keyring {
        Keyring::load(Some(env), None).unwrap()
    }

    #[test]
    fn round_trip() {
        let keyring = ring(KEY_A);
        let stored = keyring
            .encrypt("https://hooks.slack.com/services/T0/B0/x")
            .unwrap();
        assert!(stored.starts_with(&format!("v1:{}:", keyring.current_key_id())));
        assert!(!stored.contains("hooks.slack.com"));
        assert_eq!(
            keyring.decrypt(&stored).unwrap().expose(),
            "https://hooks.slack.com/services/T0/B0/x"
        );
        // A fresh nonce every time: the same secret never encrypts to the same text.
        assert_ne!(keyring.encrypt("x").unwrap(), keyring.encrypt("x").unwrap());
        assert_eq!(
            keyring
                .decrypt(&keyring.encrypt("").unwrap())
                .unwrap()
                .expose(),
            ""
        );
    }

    #[test]
    fn tampering_is_detected() {
        let keyring = ring(KEY_A);
        let stored = keyring.encrypt("smtp-password").unwrap();
        let (head, data) = stored.rsplit_once(':').unwrap();
        let mut bytes = URL_SAFE_NO_PAD.decode(data).unwrap();
        for i in [0, NONCE_LEN, bytes.len() - 1] {
            bytes[i] ^= 1;
            let altered = format!("{head}:{}", URL_SAFE_NO_PAD.encode(&bytes));
            assert!(
                matches!(keyring.decrypt(&altered), Err(VaultError::Tampered { .. })),
                "flipping byte {i}"
            );
            bytes[i] ^= 1;
        }
        let truncated = format!("{head}:{}", &data[..10]);
        assert!(matches!(
            keyring.decrypt(&truncated),
            Err(VaultError::Tampered { .. })
        ));
    }

    #[test]
    fn another_key_cannot_read_it() {
        let stored = ring(KEY_A).encrypt("token").unwrap();
        let err = ring(KEY_B).decrypt(&stored).unwrap_err();
        assert!(matches!(err, VaultError::UnknownKey { .. }), "{err}");
        // A forged header naming the other key does not help: the header is authenticated.
        let other = ring(KEY_B);
        let forged = stored.replacen(&stored[3..11], other.current_key_id(), 1);
        assert!(matches!(
            other.decrypt(&forged),
            Err(VaultError::Tampered { .. })
        ));
    }

    #[test]
    fn rotation_moves_values_to_the_newest_key() {
        let old = ring(KEY_A);
        let stored = old.encrypt("git-token").unwrap();
        let both = ring(&format!("{KEY_B}, {KEY_A}"));
        assert_eq!(both.decrypt(&stored).unwrap().expose(), "git-token");
        let rotated = both.rotate(&stored).unwrap().expect("re-encrypted");
        assert!(rotated.starts_with(&format!("v1:{}:", both.current_key_id())));
        assert_eq!(both.rotate(&rotated).unwrap(), None);
        // After the old key is dropped, the rotated value still opens; the old one does not.
        let new_only = ring(KEY_B);
        assert_eq!(new_only.decrypt(&rotated).unwrap().expose(), "git-token");
        assert!(new_only.decrypt(&stored).is_err());
    }

    #[test]
    fn malformed_values_say_why() {
        let keyring = ring(KEY_A);
        for (value, reason) in [
            ("plain text", "expected v1:<key id>:<data>"),
            ("v2:0011aabb:AAAA", "unknown version (this ward reads v1)"),
            ("v1:xyz:AAAA", "the key id is not 8 hex digits"),
        ] {
            match keyring.decrypt(value) {
                Err(VaultError::Malformed { reason: got }) => assert_eq!(got, reason),
                other => panic!("{value}: {other:?}"),
            }
        }
    }

    #[test]
    fn key_sources() {
        assert!(matches!(Keyring::load(None, None), Err(VaultError::NoKey)));
        assert!(matches!(
            Keyring::load(Some("  "), None),
            Err(VaultError::NoKey)
        ));
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("master.key");
        std::fs::write(&file, format!("# rotated 2025-01\n{KEY_B}\n\n{KEY_A}\n")).unwrap();
        let from_file = Keyring::load(None, Some(&file)).unwrap();
        assert_eq!(from_file.current_key_id(), ring(KEY_B).current_key_id());
        assert!(matches!(
            Keyring::load(Some(KEY_A), Some(&file)),
            Err(VaultError::TwoKeySources)
        ));
        let err = Keyring::load(Some(&format!("{KEY_A},{KEY_A}")), None).unwrap_err();
        assert!(err.to_string().contains("entry 2"), "{err}");
        std::fs::write(&file, format!("{KEY_A}\nnot-a-key\n")).unwrap();
        let err = Keyring::load(None, Some(&file)).unwrap_err();
        assert!(err.to_string().contains("master.key:2"), "{err}");
        assert!(!err.to_string().contains(KEY_A));
        let missing = Keyring::load(None, Some(&dir.path().join("absent"))).unwrap_err();
        assert!(matches!(missing, VaultError::KeyFile { .. }));
    }

    #[test]
    fn debug_shows_key_ids_only() {
        let keyring = ring(KEY_A);
        let debug = format!("{keyring:?}");
        assert!(debug.contains(keyring.current_key_id()));
        assert!(!debug.contains(KEY_A) && !debug.contains("cipher"));
    }
}
