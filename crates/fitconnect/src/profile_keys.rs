//! A profile's FIT-Connect secrets in the OS keyring: the OAuth2 client secret and the private
//! keys of the destination (encryption, `RSA-OAEP-256`) and of the SET signatures (`PS512`).
//!
//! Keyring entries (service `amtsstube`, one account per profile directory, absolute path):
//! - `<profile-dir>/client-secret`: the client secret (text);
//! - `<profile-dir>/fitconnect-encryption-key`, `<profile-dir>/fitconnect-signing-key`: the
//!   private keys as PKCS#8 DER (binary secrets).
//!
//! The key ids and public JWKs are not secret and live in `fitconnect-keys.json` in the profile.
//!
//! Why not the encrypted store: `crates/store` has no table for key material yet. To move them
//! there, add a migration with a `schluessel(name TEXT PRIMARY KEY, pkcs8 BLOB)` table, read
//! both entries here once, write them in one store transaction, then delete the keyring
//! entries ([`ProfileKeys::delete`]).

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::jose::{EncryptionKeyPair, Jwk, SigningKeyPair};

/// Keyring service name.
pub const SERVICE: &str = "amtsstube";
/// File in the profile with key ids and public JWKs.
pub const KEYS_FILE: &str = "fitconnect-keys.json";

/// Errors of the key handling, with German text.
#[derive(Debug, thiserror::Error)]
pub enum KeyStoreError {
    /// The keyring refused or is missing.
    #[error(
        "Der Schlüsselbund des Betriebssystems ist nicht nutzbar ({0}). Ohne ihn können die FIT-Connect-Schlüssel nicht sicher gespeichert werden."
    )]
    Keyring(String),
    /// The keys file is unreadable.
    #[error("Die Schlüsseldatei {path} ist fehlerhaft ({reason}).")]
    File {
        /// The file.
        path: String,
        /// What is wrong.
        reason: String,
    },
    /// A stored key is unusable.
    #[error("Gespeicherter Schlüssel unbrauchbar: {0}")]
    Key(#[from] crate::jose::JoseError),
    /// The keys file names keys the keyring does not have.
    #[error(
        "Die privaten FIT-Connect-Schlüssel fehlen im Schlüsselbund, obwohl {0} sie nennt. Richten Sie die Verbindung mit `amtsstube connect` neu ein."
    )]
    Missing(String),
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct KeysFile {
    encryption: Jwk,
    signing: Jwk,
}

/// The profile's key pairs.
#[derive(Debug, Clone)]
pub struct ProfileKeys {
    /// Destination encryption key.
    pub encryption: EncryptionKeyPair,
    /// SET signing key.
    pub signing: SigningKeyPair,
}

fn account(profile_dir: &Path, name: &str) -> String {
    let dir: PathBuf = std::fs::canonicalize(profile_dir).unwrap_or_else(|_| profile_dir.into());
    format!("{}/{name}", dir.display())
}

fn entry(profile_dir: &Path, name: &str) -> Result<keyring::Entry, KeyStoreError> {
    keyring::Entry::new(SERVICE, &account(profile_dir, name))
        .map_err(|e| KeyStoreError::Keyring(e.to_string()))
}

fn get_secret(profile_dir: &Path, name: &str) -> Result<Option<Vec<u8>>, KeyStoreError> {
    match entry(profile_dir, name)?.get_secret() {
        Ok(s) => Ok(Some(s)),
        Err(keyring::Error::NoEntry) => Ok(None),
        Err(e) => Err(KeyStoreError::Keyring(e.to_string())),
    }
}

fn set_secret(profile_dir: &Path, name: &str, secret: &[u8]) -> Result<(), KeyStoreError> {
    entry(profile_dir, name)?
        .set_secret(secret)
        .map_err(|e| KeyStoreError::Keyring(e.to_string()))
}

/// Stores the OAuth2 client secret of a profile.
pub fn save_client_secret(profile_dir: &Path, secret: &str) -> Result<(), KeyStoreError> {
    set_secret(profile_dir, "client-secret", secret.as_bytes())
}

/// Loads the OAuth2 client secret of a profile.
pub fn load_client_secret(profile_dir: &Path) -> Result<Option<String>, KeyStoreError> {
    Ok(get_secret(profile_dir, "client-secret")?.map(|b| String::from_utf8_lossy(&b).into_owned()))
}

impl ProfileKeys {
    /// Loads the profile's keys, or `None` if it has none yet.
    pub fn load(profile_dir: &Path) -> Result<Option<Self>, KeyStoreError> {
        let path = profile_dir.join(KEYS_FILE);
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => {
                return Err(KeyStoreError::File {
                    path: path.display().to_string(),
                    reason: e.to_string(),
                });
            }
        };
        let file: KeysFile = serde_json::from_str(&text).map_err(|e| KeyStoreError::File {
            path: path.display().to_string(),
            reason: e.to_string(),
        })?;
        let missing = || KeyStoreError::Missing(path.display().to_string());
        let enc = get_secret(profile_dir, "fitconnect-encryption-key")?.ok_or_else(missing)?;
        let sig = get_secret(profile_dir, "fitconnect-signing-key")?.ok_or_else(missing)?;
        Ok(Some(ProfileKeys {
            encryption: EncryptionKeyPair::from_pkcs8(&file.encryption.kid, &enc)?,
            signing: SigningKeyPair::from_pkcs8(&file.signing.kid, &sig)?,
        }))
    }

    /// Loads the keys, or creates and stores new 4096-bit ones. Returns whether they are new.
    pub fn load_or_create(profile_dir: &Path) -> Result<(Self, bool), KeyStoreError> {
        if let Some(k) = Self::load(profile_dir)? {
            return Ok((k, false));
        }
        let keys = ProfileKeys {
            encryption: EncryptionKeyPair::generate(&uuid::Uuid::new_v4().to_string())?,
            signing: SigningKeyPair::generate(&uuid::Uuid::new_v4().to_string())?,
        };
        set_secret(
            profile_dir,
            "fitconnect-encryption-key",
            &keys.encryption.to_pkcs8()?,
        )?;
        set_secret(
            profile_dir,
            "fitconnect-signing-key",
            &keys.signing.to_pkcs8()?,
        )?;
        let file = KeysFile {
            encryption: keys.encryption.public_jwk()?,
            signing: keys.signing.public_jwk(),
        };
        let path = profile_dir.join(KEYS_FILE);
        let tmp = profile_dir.join(format!("{KEYS_FILE}.new"));
        let err = |e: std::io::Error| KeyStoreError::File {
            path: path.display().to_string(),
            reason: e.to_string(),
        };
        let text =
            serde_json::to_string_pretty(&file).map_err(|e| err(std::io::Error::other(e)))?;
        std::fs::write(&tmp, text).map_err(err)?;
        std::fs::rename(&tmp, &path).map_err(err)?;
        Ok((keys, true))
    }

    /// Removes the private keys from the keyring (after moving them elsewhere).
    pub fn delete(profile_dir: &Path) -> Result<(), KeyStoreError> {
        for name in ["fitconnect-encryption-key", "fitconnect-signing-key"] {
            match entry(profile_dir, name)?.delete_credential() {
                Ok(()) | Err(keyring::Error::NoEntry) => {}
                Err(e) => return Err(KeyStoreError::Keyring(e.to_string())),
            }
        }
        Ok(())
    }
}
