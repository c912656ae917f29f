//! Master keys: reading them from their text form, naming them, and making new ones.

use aes_gcm::{Aes256Gcm, KeyInit};
use base64::Engine;
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use crate::VaultError;

/// One master key, ready to encrypt and decrypt.
pub(crate) struct MasterKey {
    /// Eight hex digits derived from the key (see [`key_id`]).
    pub(crate) id: String,
    pub(crate) cipher: Aes256Gcm,
}

impl MasterKey {
    /// Reads a key written as 64 hex digits or as base64 (standard or URL-safe, padding
    /// optional) of exactly 32 bytes. `origin` names where it came from, for errors.
    pub(crate) fn parse(text: &str, origin: &str) -> Result<MasterKey, VaultError> {
        let bytes = decode(text.trim()).ok_or_else(|| VaultError::BadKey {
            origin: origin.to_owned(),
            reason: "not hex or base64",
        })?;
        let key: Zeroizing<[u8; 32]> = Zeroizing::new(bytes.as_slice().try_into().map_err(
            |_| VaultError::BadKey {
                origin: origin.to_owned(),
                reason: "must be 32 bytes (64 hex digits or 44 base64 characters)",
            },
        )?);
        Ok(MasterKey {
            id: key_id(&key),
            cipher: Aes256Gcm::new(key.as_ref().into()),
        })
    }
}

/// A fresh random master key, base64-encoded, for the operator to store.
pub fn generate_key() -> Result<String, VaultError> {
    let mut key = Zeroizing::new([0u8; 32]);
    getrandom::fill(key.as_mut()).map_err(|e| VaultError::Random(e.to_string()))?;
    Ok(base64::engine::general_purpose::STANDARD.encode(key.as_ref()))
}

/// Names a key without revealing it: the first four bytes of SHA-256 over a fixed label and
/// the key, in hex. The label keeps this hash from equalling any other use of the key.
fn key_id(key: &[u8; 32]) -> String {
    let digest = Sha256::new()
        .chain_update(b"ward-vault key id\0")
        .chain_update(key)
        .finalize();
    hex::encode(&digest[..4])
}

fn decode(text: &str) -> Option<Zeroizing<Vec<u8>>> {
    use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
    if text.len() == 64 && text.bytes().all(|b| b.is_ascii_hexdigit()) {
        return hex::decode(text).ok().map(Zeroizing::new);
    }
    [STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD]
        .iter()
        .find_map(|engine| engine.decode(text).ok())
        .map(Zeroizing::new)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check_bad(text: &str, reason: &str) {
        match MasterKey::parse(text, "WARD_MASTER_KEY") {
            Err(VaultError::BadKey { reason: got, .. }) => assert_eq!(got, reason, "{text}"),
            Err(e) => panic!("{text}: unexpected error {e}"),
            Ok(_) => panic!("{text}: accepted"),
        }
    }

    #[test]
    fn hex_and_base64_forms_name_the_same_key() {
        let hex_form = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
        let bytes = hex::decode(hex_form).unwrap();
        let b64 = base64::engine::general_purpose::STANDARD.encode(&bytes);
        let b64url = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&bytes);
        let ids: Vec<String> = [hex_form, &b64, &b64url, &format!("  {b64}\n")]
            .iter()
            .map(|t| MasterKey::parse(t, "test").unwrap().id)
            .collect();
        assert!(
            ids.iter().all(|id| id == &ids[0] && id.len() == 8),
            "{ids:?}"
        );
    }

    #[test]
    fn wrong_lengths_and_alphabets_are_refused() {
        check_bad(
            "c2hvcnQ=",
            "must be 32 bytes (64 hex digits or 44 base64 characters)",
        );
        check_bad("not a key!", "not hex or base64");
        check_bad(
            "",
            "must be 32 bytes (64 hex digits or 44 base64 characters)",
        );
    }

    #[test]
    fn generated_keys_parse_and_differ() {
        let a = generate_key().unwrap();
        let b = generate_key().unwrap();
        assert_ne!(a, b);
        assert_ne!(
            MasterKey::parse(&a, "a").unwrap().id,
            MasterKey::parse(&b, "b").unwrap().id
        );
    }
}
