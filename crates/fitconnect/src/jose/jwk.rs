//! JSON Web Keys (RFC 7517) restricted to what FIT-Connect allows: RSA keys with `alg`
//! `RSA-OAEP-256` (`key_ops: ["wrapKey"]`, encryption) or `PS512` (`key_ops: ["verify"]`,
//! signatures), public exponent 65537.

use aws_lc_rs::encoding::{AsDer, Pkcs8V1Der};
use aws_lc_rs::rsa::{KeySize, PrivateDecryptingKey, PublicEncryptingKey, PublicKeyComponents};
use aws_lc_rs::signature::KeyPair as _;
use serde::{Deserialize, Serialize};

use super::{JoseError, b64, unb64};

/// Algorithm name of encryption keys.
pub const ALG_ENC: &str = "RSA-OAEP-256";
/// Algorithm name of signature keys.
pub const ALG_SIG: &str = "PS512";

/// What a key is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyUse {
    /// `RSA-OAEP-256`, `key_ops: ["wrapKey"]`.
    Encryption,
    /// `PS512`, `key_ops: ["verify"]`.
    Signature,
}

/// A public RSA JWK as FIT-Connect exchanges it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Jwk {
    /// Always `RSA`.
    pub kty: String,
    /// Key id.
    pub kid: String,
    /// `RSA-OAEP-256` or `PS512`.
    pub alg: String,
    /// `["wrapKey"]` or `["verify"]`.
    #[serde(default)]
    pub key_ops: Vec<String>,
    /// Modulus, base64url big-endian.
    pub n: String,
    /// Public exponent, base64url (`AQAB`).
    pub e: String,
    /// Certificate chain (base64 DER). The real service requires one from the
    /// administration PKI; the simulator issues them from a simulated PKI. Not validated here.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub x5c: Option<Vec<String>>,
}

/// A JSON Web Key Set.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Jwks {
    /// The keys.
    pub keys: Vec<Jwk>,
}

impl Jwks {
    /// The key with this `kid`.
    pub fn find(&self, kid: &str) -> Option<&Jwk> {
        self.keys.iter().find(|k| k.kid == kid)
    }
}

impl Jwk {
    fn from_components(kid: &str, usage: KeyUse, n: &[u8], e: &[u8]) -> Self {
        let (alg, op) = match usage {
            KeyUse::Encryption => (ALG_ENC, "wrapKey"),
            KeyUse::Signature => (ALG_SIG, "verify"),
        };
        Jwk {
            kty: "RSA".into(),
            kid: kid.into(),
            alg: alg.into(),
            key_ops: vec![op.into()],
            n: b64(strip_zeros(n)),
            e: b64(strip_zeros(e)),
            x5c: None,
        }
    }

    /// The key's use as declared by `alg`, after checking `kty`, `alg` and `key_ops` agree.
    pub fn usage(&self) -> Result<KeyUse, JoseError> {
        if self.kty != "RSA" {
            return Err(JoseError::InvalidJwk(format!(
                "kty {:?} statt RSA (FIT-Connect erlaubt nur RSA)",
                self.kty
            )));
        }
        let (usage, op) = match self.alg.as_str() {
            ALG_ENC => (KeyUse::Encryption, "wrapKey"),
            ALG_SIG => (KeyUse::Signature, "verify"),
            other => return Err(JoseError::UnsupportedAlgorithm(other.into())),
        };
        if !self.key_ops.is_empty() && !self.key_ops.iter().any(|o| o == op) {
            return Err(JoseError::InvalidJwk(format!(
                "key_ops {:?} passt nicht zu alg {}",
                self.key_ops, self.alg
            )));
        }
        Ok(usage)
    }

    fn components(&self) -> Result<PublicKeyComponents<Vec<u8>>, JoseError> {
        let n = unb64(&self.n, "JWK n")?;
        let e = unb64(&self.e, "JWK e")?;
        if n.len() < 256 || n.len() > 1024 {
            return Err(JoseError::InvalidJwk(format!(
                "Modulus mit {} Bit (erlaubt 2048 bis 8192)",
                n.len() * 8
            )));
        }
        if strip_zeros(&e) != [1, 0, 1] {
            return Err(JoseError::InvalidJwk(
                "öffentlicher Exponent ist nicht 65537 (AQAB)".into(),
            ));
        }
        Ok(PublicKeyComponents {
            n: strip_zeros(&n).to_vec(),
            e: strip_zeros(&e).to_vec(),
        })
    }

    /// The public key for `RSA-OAEP-256` key wrapping.
    pub fn encrypting_key(&self) -> Result<PublicEncryptingKey, JoseError> {
        if self.usage()? != KeyUse::Encryption {
            return Err(JoseError::WrongKey(format!(
                "Schlüssel {} ist kein Verschlüsselungsschlüssel",
                self.kid
            )));
        }
        self.components()?
            .try_into()
            .map_err(|_| JoseError::InvalidJwk("RSA-Schlüssel nicht verwendbar".into()))
    }

    /// The public key components for `PS512` verification.
    pub(crate) fn verifying_key(&self) -> Result<PublicKeyComponents<Vec<u8>>, JoseError> {
        if self.usage()? != KeyUse::Signature {
            return Err(JoseError::WrongKey(format!(
                "Schlüssel {} ist kein Signaturschlüssel",
                self.kid
            )));
        }
        self.components()
    }

    /// The public key as X.509 `SubjectPublicKeyInfo` DER (for certificates).
    pub fn spki_der(&self) -> Result<Vec<u8>, JoseError> {
        let der: aws_lc_rs::encoding::PublicKeyX509Der<'static> = self
            .components()?
            .as_der()
            .map_err(|_| JoseError::InvalidJwk("RSA-Schlüssel nicht kodierbar".into()))?;
        Ok(der.as_ref().to_vec())
    }

    /// Modulus length in bits (0 if `n` is not decodable).
    pub fn modulus_bits(&self) -> usize {
        unb64(&self.n, "n")
            .map(|n| strip_zeros(&n).len() * 8)
            .unwrap_or(0)
    }
}

fn strip_zeros(b: &[u8]) -> &[u8] {
    let first = b.iter().position(|&x| x != 0).unwrap_or(b.len());
    &b[first..]
}

/// Size of newly generated keys: 4096 bit, what the Submission API requires.
pub const KEY_BITS: KeySize = KeySize::Rsa4096;

/// An RSA key pair for decrypting JWEs addressed to us (`RSA-OAEP-256`).
#[derive(Clone)]
pub struct EncryptionKeyPair {
    kid: String,
    key: PrivateDecryptingKey,
}

impl std::fmt::Debug for EncryptionKeyPair {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "EncryptionKeyPair({})", self.kid)
    }
}

impl EncryptionKeyPair {
    /// Generates a new 4096-bit key.
    pub fn generate(kid: &str) -> Result<Self, JoseError> {
        Self::generate_sized(kid, KEY_BITS)
    }

    /// Generates a key of the given size (tests use 2048 to save time).
    pub fn generate_sized(kid: &str, size: KeySize) -> Result<Self, JoseError> {
        let key = PrivateDecryptingKey::generate(size)
            .map_err(|_| JoseError::Crypto("RSA-Schlüsselerzeugung fehlgeschlagen".into()))?;
        Ok(Self {
            kid: kid.into(),
            key,
        })
    }

    /// Loads a key from PKCS#8 DER.
    pub fn from_pkcs8(kid: &str, der: &[u8]) -> Result<Self, JoseError> {
        let key = PrivateDecryptingKey::from_pkcs8(der)
            .map_err(|e| JoseError::WrongKey(format!("privater Schlüssel unlesbar ({e})")))?;
        Ok(Self {
            kid: kid.into(),
            key,
        })
    }

    /// The private key as PKCS#8 DER, for storing in the encrypted store or keyring.
    pub fn to_pkcs8(&self) -> Result<Vec<u8>, JoseError> {
        let der: Pkcs8V1Der<'static> = self
            .key
            .as_der()
            .map_err(|_| JoseError::Crypto("Schlüssel nicht exportierbar".into()))?;
        Ok(der.as_ref().to_vec())
    }

    /// Key id.
    pub fn kid(&self) -> &str {
        &self.kid
    }

    /// The same key material under another key id (the simulator's applicants share a few
    /// RSA-4096 reply keys, because generating one takes up to a second).
    pub fn with_kid(&self, kid: &str) -> Self {
        Self {
            kid: kid.into(),
            key: self.key.clone(),
        }
    }

    /// The public JWK to register with a destination or to put into a reply channel.
    pub fn public_jwk(&self) -> Result<Jwk, JoseError> {
        let spki =
            self.key.public_key().as_der().map_err(|_| {
                JoseError::Crypto("öffentlicher Schlüssel nicht exportierbar".into())
            })?;
        let public = aws_lc_rs::rsa::PublicKey::from_der(spki.as_ref())
            .map_err(|e| JoseError::Crypto(format!("öffentlicher Schlüssel unlesbar ({e})")))?;
        Ok(Jwk::from_components(
            &self.kid,
            KeyUse::Encryption,
            public.modulus().big_endian_without_leading_zero(),
            public.exponent().big_endian_without_leading_zero(),
        ))
    }

    pub(crate) fn private(&self) -> &PrivateDecryptingKey {
        &self.key
    }
}

/// An RSA key pair for signing Security Event Tokens (`PS512`).
#[derive(Clone)]
pub struct SigningKeyPair {
    kid: String,
    key: std::sync::Arc<aws_lc_rs::rsa::KeyPair>,
}

impl std::fmt::Debug for SigningKeyPair {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SigningKeyPair({})", self.kid)
    }
}

impl SigningKeyPair {
    /// Generates a new 4096-bit key.
    pub fn generate(kid: &str) -> Result<Self, JoseError> {
        Self::generate_sized(kid, KEY_BITS)
    }

    /// Generates a key of the given size.
    pub fn generate_sized(kid: &str, size: KeySize) -> Result<Self, JoseError> {
        let key = aws_lc_rs::rsa::KeyPair::generate(size)
            .map_err(|_| JoseError::Crypto("RSA-Schlüsselerzeugung fehlgeschlagen".into()))?;
        Ok(Self {
            kid: kid.into(),
            key: std::sync::Arc::new(key),
        })
    }

    /// Loads a key from PKCS#8 DER.
    pub fn from_pkcs8(kid: &str, der: &[u8]) -> Result<Self, JoseError> {
        let key = aws_lc_rs::rsa::KeyPair::from_pkcs8(der)
            .map_err(|e| JoseError::WrongKey(format!("privater Schlüssel unlesbar ({e})")))?;
        Ok(Self {
            kid: kid.into(),
            key: std::sync::Arc::new(key),
        })
    }

    /// The private key as PKCS#8 DER.
    pub fn to_pkcs8(&self) -> Result<Vec<u8>, JoseError> {
        let der: Pkcs8V1Der<'static> = self
            .key
            .as_der()
            .map_err(|_| JoseError::Crypto("Schlüssel nicht exportierbar".into()))?;
        Ok(der.as_ref().to_vec())
    }

    /// Key id.
    pub fn kid(&self) -> &str {
        &self.kid
    }

    /// The public JWK (`PS512`, `verify`).
    pub fn public_jwk(&self) -> Jwk {
        let public = self.key.public_key();
        Jwk::from_components(
            &self.kid,
            KeyUse::Signature,
            public.modulus().big_endian_without_leading_zero(),
            public.exponent().big_endian_without_leading_zero(),
        )
    }

    /// Signs with RSASSA-PKCS1-v1_5 and SHA-512 (`sha512WithRSAEncryption`), for X.509
    /// certificates such as the simulator's PKI issues; SETs use [`super::sign`] (PS512).
    pub fn sign_pkcs1_sha512(&self, message: &[u8]) -> Result<Vec<u8>, JoseError> {
        let rng = aws_lc_rs::rand::SystemRandom::new();
        let mut sig = vec![0u8; self.key.public_modulus_len()];
        self.key
            .sign(
                &aws_lc_rs::signature::RSA_PKCS1_SHA512,
                &rng,
                message,
                &mut sig,
            )
            .map_err(|_| JoseError::Crypto("Signatur fehlgeschlagen".into()))?;
        Ok(sig)
    }

    pub(crate) fn sign_raw(&self, message: &[u8]) -> Result<Vec<u8>, JoseError> {
        let rng = aws_lc_rs::rand::SystemRandom::new();
        let mut sig = vec![0u8; self.key.public_modulus_len()];
        self.key
            .sign(
                &aws_lc_rs::signature::RSA_PSS_SHA512,
                &rng,
                message,
                &mut sig,
            )
            .map_err(|_| JoseError::Crypto("Signatur fehlgeschlagen".into()))?;
        Ok(sig)
    }
}
