//! JOSE as FIT-Connect uses it, written on aws-lc-rs: JWK (RSA only), compact JWE
//! (`RSA-OAEP-256` + `A256GCM`) and compact JWS (`PS512`).
//!
//! Nothing here panics on hostile input: every parser returns a [`JoseError`] that says what
//! was wrong. Keys are 4096-bit RSA in production (the Submission API rejects shorter moduli);
//! the code accepts 2048..=8192 so tests and foreign keys are not refused for their size alone.

mod jwe;
mod jwk;
mod jws;
pub mod stream;

pub use jwe::{
    CompactParts, Decrypted, JweHeader, decrypt, encrypt, encrypt_with_header, split_compact,
};
pub use jwk::{EncryptionKeyPair, Jwk, Jwks, KeyUse, SigningKeyPair};
pub use jws::{JwsHeader, SignedToken, peek_header, sign, verify};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

/// What went wrong in a JOSE operation. All of these are permanent: retrying does not help.
#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
pub enum JoseError {
    /// The compact serialisation has the wrong number of parts or a part is not base64url.
    #[error("JOSE-Objekt fehlerhaft aufgebaut: {0}")]
    Malformed(String),
    /// The protected header names an algorithm we do not accept.
    #[error("nicht unterstützter Algorithmus: {0}")]
    UnsupportedAlgorithm(String),
    /// The key does not fit the operation (wrong type, size, or not the recipient's key).
    #[error("Schlüssel passt nicht: {0}")]
    WrongKey(String),
    /// The authentication tag or signature does not verify: the data was altered or the key
    /// is not the right one.
    #[error("Integritätsprüfung fehlgeschlagen: {0}")]
    IntegrityCheckFailed(String),
    /// A JWK is missing a member or has an invalid one.
    #[error("JWK ungültig: {0}")]
    InvalidJwk(String),
    /// The crypto library refused an operation (e.g. key generation).
    #[error("Kryptografie-Fehler: {0}")]
    Crypto(String),
}

/// Base64url without padding, as JOSE requires.
pub fn b64(data: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(data)
}

/// Decodes base64url (padding tolerated, as some senders add it), naming `what` on error.
pub fn unb64(text: &str, what: &str) -> Result<Vec<u8>, JoseError> {
    URL_SAFE_NO_PAD
        .decode(text.trim_end_matches('='))
        .map_err(|e| JoseError::Malformed(format!("{what} ist kein gültiges base64url ({e})")))
}

#[cfg(test)]
mod tests;
