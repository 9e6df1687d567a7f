//! Provider key secrets encrypted at rest, and client keys reduced to their SHA-256.

use std::fmt;

use aes_gcm::aead::{Aead, Generate, KeyInit};
use aes_gcm::{Aes256Gcm, Key, Nonce};
use aether_core::store::StoreError;

/// The version prefix of a stored secret: AES-256-GCM, 96-bit random nonce, hex of nonce ‖ ciphertext.
const V1: &str = "v1:";
const NONCE_LEN: usize = 12;

/// AES-256-GCM with the operator's 32-byte key (the server reads it from `ENCRYPTION_KEY`).
///
/// Every value gets a fresh random nonce, so the same secret encrypts differently each time. `Debug`
/// never shows the key.
///
/// ```
/// use aether_store::Cipher;
///
/// let cipher = Cipher::new([42; 32]);
/// let stored = cipher.encrypt("sk-ant-secret")?;
/// assert!(stored.starts_with("v1:") && !stored.contains("sk-ant"));
/// assert_eq!(cipher.decrypt(&stored)?, "sk-ant-secret");
/// assert_eq!(format!("{cipher:?}"), "Cipher(***)");
/// # Ok::<(), aether_core::store::StoreError>(())
/// ```
#[derive(Clone)]
pub struct Cipher {
    aead: Aes256Gcm,
}

impl Cipher {
    /// A cipher with this key.
    pub fn new(key: [u8; 32]) -> Self {
        Cipher { aead: Aes256Gcm::new(&Key::<Aes256Gcm>::from(key)) }
    }

    /// Encrypts `plaintext` into the stored form `v1:<hex(nonce ‖ ciphertext ‖ tag)>`.
    pub fn encrypt(&self, plaintext: &str) -> Result<String, StoreError> {
        let nonce = Nonce::try_generate().map_err(|e| StoreError::Backend(Box::new(e)))?;
        let sealed = self
            .aead
            .encrypt(&nonce, plaintext.as_bytes())
            .map_err(|_| StoreError::Invalid("the secret is too long to encrypt".into()))?;
        let mut bytes = nonce.to_vec();
        bytes.extend_from_slice(&sealed);
        Ok(format!("{V1}{}", hex(&bytes)))
    }

    /// Decrypts a stored value; a wrong key or a tampered value is [`StoreError::Corrupt`].
    pub fn decrypt(&self, stored: &str) -> Result<String, StoreError> {
        let corrupt = |why: &str| StoreError::Corrupt(format!("provider key secret: {why}"));
        let body = stored.strip_prefix(V1).ok_or_else(|| corrupt("unknown version"))?;
        let bytes = unhex(body).ok_or_else(|| corrupt("not hex"))?;
        if bytes.len() < NONCE_LEN {
            return Err(corrupt("too short"));
        }
        let (nonce, sealed) = bytes.split_at(NONCE_LEN);
        let nonce = Nonce::try_from(nonce).map_err(|_| corrupt("bad nonce"))?;
        let plaintext =
            self.aead.decrypt(&nonce, sealed).map_err(|_| corrupt("does not decrypt with this key"))?;
        String::from_utf8(plaintext).map_err(|_| corrupt("not UTF-8"))
    }
}

impl fmt::Debug for Cipher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Cipher(***)")
    }
}

/// Lower-case hex.
pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Bytes from hex, `None` if it is not hex.
pub(crate) fn unhex(hex: &str) -> Option<Vec<u8>> {
    if !hex.len().is_multiple_of(2) {
        return None;
    }
    (0..hex.len()).step_by(2).map(|i| u8::from_str_radix(hex.get(i..i + 2)?, 16).ok()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_secret_encrypts_differently_each_time() {
        let cipher = Cipher::new([1; 32]);
        let (a, b) = (cipher.encrypt("s").expect("encrypts"), cipher.encrypt("s").expect("encrypts"));
        assert_ne!(a, b);
    }

    #[test]
    fn another_key_or_a_tampered_value_does_not_decrypt() {
        let stored = Cipher::new([1; 32]).encrypt("secret").expect("encrypts");
        assert!(matches!(Cipher::new([2; 32]).decrypt(&stored), Err(StoreError::Corrupt(_))));
        let mut tampered = stored.clone().into_bytes();
        let last = tampered.len() - 1;
        tampered[last] = if tampered[last] == b'0' { b'1' } else { b'0' };
        let tampered = String::from_utf8(tampered).expect("ascii");
        assert!(matches!(Cipher::new([1; 32]).decrypt(&tampered), Err(StoreError::Corrupt(_))));
        assert!(matches!(Cipher::new([1; 32]).decrypt("v9:00"), Err(StoreError::Corrupt(_))));
    }
}
