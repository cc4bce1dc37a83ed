//! Compact JWE (RFC 7516) with `alg: RSA-OAEP-256` and `enc: A256GCM`, the only combination
//! FIT-Connect allows. Compression (`zip`) is refused, as FIT-Connect forbids it.

use aws_lc_rs::aead::{AES_256_GCM, Aad, LessSafeKey, Nonce, UnboundKey};
use aws_lc_rs::rand::{SecureRandom, SystemRandom};
use aws_lc_rs::rsa::{OAEP_SHA256_MGF1SHA256, OaepPrivateDecryptingKey, OaepPublicEncryptingKey};
use serde::{Deserialize, Serialize};

use super::{EncryptionKeyPair, JoseError, Jwk, b64, unb64};

/// The protected header of a FIT-Connect JWE.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JweHeader {
    /// Key management: `RSA-OAEP-256`.
    pub alg: String,
    /// Content encryption: `A256GCM`.
    pub enc: String,
    /// The recipient key's id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kid: Option<String>,
    /// Content type of the plaintext (e.g. `application/json`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cty: Option<String>,
    /// Compression; must be absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zip: Option<String>,
}

impl JweHeader {
    /// The header FIT-Connect senders use for a recipient key.
    pub fn for_key(kid: &str, cty: Option<&str>) -> Self {
        JweHeader {
            alg: "RSA-OAEP-256".into(),
            enc: "A256GCM".into(),
            kid: Some(kid.into()),
            cty: cty.map(Into::into),
            zip: None,
        }
    }
}

/// The five parts of a compact JWE, still base64url.
#[derive(Debug, Clone, Copy)]
pub struct CompactParts<'a> {
    /// Protected header.
    pub header: &'a str,
    /// Encrypted content key.
    pub encrypted_key: &'a str,
    /// Initialisation vector.
    pub iv: &'a str,
    /// Ciphertext.
    pub ciphertext: &'a str,
    /// Authentication tag, what FIT-Connect calls the "authentication tag" in SETs.
    pub tag: &'a str,
}

/// Splits a compact JWE into its five parts without decoding them.
pub fn split_compact(jwe: &str) -> Result<CompactParts<'_>, JoseError> {
    let jwe = jwe.trim();
    let parts: Vec<&str> = jwe.split('.').collect();
    if parts.len() != 5 {
        return Err(JoseError::Malformed(format!(
            "ein kompaktes JWE hat 5 durch Punkte getrennte Teile, gefunden: {}",
            parts.len()
        )));
    }
    Ok(CompactParts {
        header: parts[0],
        encrypted_key: parts[1],
        iv: parts[2],
        ciphertext: parts[3],
        tag: parts[4],
    })
}

/// A decrypted JWE.
#[derive(Debug, Clone)]
pub struct Decrypted {
    /// The protected header.
    pub header: JweHeader,
    /// The plaintext.
    pub plaintext: Vec<u8>,
    /// The base64url authentication tag (fifth part), for `accept-submission` SETs.
    pub tag: String,
}

pub(super) fn parse_header(b64_header: &str) -> Result<JweHeader, JoseError> {
    let raw = unb64(b64_header, "JWE-Header")?;
    let header: JweHeader = serde_json::from_slice(&raw)
        .map_err(|e| JoseError::Malformed(format!("JWE-Header ist kein gültiges JSON ({e})")))?;
    if header.alg != "RSA-OAEP-256" {
        return Err(JoseError::UnsupportedAlgorithm(format!(
            "alg {} (erwartet RSA-OAEP-256)",
            header.alg
        )));
    }
    if header.enc != "A256GCM" {
        return Err(JoseError::UnsupportedAlgorithm(format!(
            "enc {} (erwartet A256GCM)",
            header.enc
        )));
    }
    if let Some(zip) = &header.zip {
        return Err(JoseError::UnsupportedAlgorithm(format!(
            "zip {zip} (FIT-Connect erlaubt keine Kompression)"
        )));
    }
    Ok(header)
}

/// Unwraps the content encryption key with our private key.
pub(super) fn unwrap_cek(
    key: &EncryptionKeyPair,
    header: &JweHeader,
    encrypted_key_b64: &str,
) -> Result<[u8; 32], JoseError> {
    if let Some(kid) = &header.kid
        && kid != key.kid()
    {
        return Err(JoseError::WrongKey(format!(
            "verschlüsselt für Schlüssel {kid}, vorhanden ist {}",
            key.kid()
        )));
    }
    let ek = unb64(encrypted_key_b64, "verschlüsselter Inhaltsschlüssel")?;
    let oaep = OaepPrivateDecryptingKey::new(key.private().clone())
        .map_err(|_| JoseError::WrongKey("Schlüssel ist nicht für RSA-OAEP geeignet".into()))?;
    if ek.len() != oaep.key_size_bytes() {
        return Err(JoseError::WrongKey(format!(
            "verschlüsselter Inhaltsschlüssel hat {} Byte, der Schlüssel erwartet {}",
            ek.len(),
            oaep.key_size_bytes()
        )));
    }
    let mut out = vec![0u8; oaep.min_output_size()];
    let cek = oaep
        .decrypt(&OAEP_SHA256_MGF1SHA256, &ek, &mut out, None)
        .map_err(|_| {
            JoseError::WrongKey(
                "Inhaltsschlüssel lässt sich nicht entschlüsseln (falscher privater Schlüssel?)"
                    .into(),
            )
        })?;
    <[u8; 32]>::try_from(&cek[..]).map_err(|_| {
        JoseError::Malformed(format!("Inhaltsschlüssel hat {} statt 32 Byte", cek.len()))
    })
}

pub(super) fn iv_of(iv_b64: &str) -> Result<[u8; 12], JoseError> {
    let iv = unb64(iv_b64, "IV")?;
    <[u8; 12]>::try_from(&iv[..])
        .map_err(|_| JoseError::Malformed(format!("IV hat {} statt 12 Byte", iv.len())))
}

/// Decrypts a compact JWE with our private key.
pub fn decrypt(key: &EncryptionKeyPair, jwe: &str) -> Result<Decrypted, JoseError> {
    let parts = split_compact(jwe)?;
    let header = parse_header(parts.header)?;
    let iv = iv_of(parts.iv)?;
    let tag = unb64(parts.tag, "Authentication Tag")?;
    if tag.len() != 16 {
        return Err(JoseError::Malformed(format!(
            "Authentication Tag hat {} statt 16 Byte",
            tag.len()
        )));
    }
    let mut buf = unb64(parts.ciphertext, "Chiffrat")?;
    let cek = unwrap_cek(key, &header, parts.encrypted_key)?;
    buf.extend_from_slice(&tag);
    let aead = LessSafeKey::new(
        UnboundKey::new(&AES_256_GCM, &cek)
            .map_err(|_| JoseError::Crypto("AES-Schlüssel ungültig".into()))?,
    );
    let plain_len = aead
        .open_in_place(
            Nonce::assume_unique_for_key(iv),
            Aad::from(parts.header.as_bytes()),
            &mut buf,
        )
        .map_err(|_| {
            JoseError::IntegrityCheckFailed(
                "Authentication Tag des JWE stimmt nicht (Daten verändert)".into(),
            )
        })?
        .len();
    buf.truncate(plain_len);
    Ok(Decrypted {
        header,
        plaintext: buf,
        tag: parts.tag.to_owned(),
    })
}

/// Encrypts `plaintext` to a recipient's public JWK, as a FIT-Connect sender does.
pub fn encrypt(recipient: &Jwk, plaintext: &[u8], cty: Option<&str>) -> Result<String, JoseError> {
    encrypt_with_header(
        recipient,
        plaintext,
        &JweHeader::for_key(&recipient.kid, cty),
    )
}

/// Encrypts with an explicit header (tests use this to build hostile inputs).
pub fn encrypt_with_header(
    recipient: &Jwk,
    plaintext: &[u8],
    header: &JweHeader,
) -> Result<String, JoseError> {
    let public = OaepPublicEncryptingKey::new(recipient.encrypting_key()?)
        .map_err(|_| JoseError::WrongKey("Schlüssel ist nicht für RSA-OAEP geeignet".into()))?;
    let rng = SystemRandom::new();
    let mut cek = [0u8; 32];
    let mut iv = [0u8; 12];
    rng.fill(&mut cek)
        .and_then(|()| rng.fill(&mut iv))
        .map_err(|_| JoseError::Crypto("Zufallsquelle nicht verfügbar".into()))?;
    let mut ek = vec![0u8; public.ciphertext_size()];
    let ek = public
        .encrypt(&OAEP_SHA256_MGF1SHA256, &cek, &mut ek, None)
        .map_err(|_| JoseError::Crypto("RSA-OAEP-Verschlüsselung fehlgeschlagen".into()))?;
    let header_json = serde_json::to_vec(header)
        .map_err(|e| JoseError::Crypto(format!("Header nicht serialisierbar ({e})")))?;
    let header_b64 = b64(&header_json);
    let aead = LessSafeKey::new(
        UnboundKey::new(&AES_256_GCM, &cek)
            .map_err(|_| JoseError::Crypto("AES-Schlüssel ungültig".into()))?,
    );
    let mut buf = plaintext.to_vec();
    let tag = aead
        .seal_in_place_separate_tag(
            Nonce::assume_unique_for_key(iv),
            Aad::from(header_b64.as_bytes()),
            &mut buf,
        )
        .map_err(|_| JoseError::Crypto("AES-GCM fehlgeschlagen".into()))?;
    Ok(format!(
        "{header_b64}.{}.{}.{}.{}",
        b64(ek),
        b64(&iv),
        b64(&buf),
        b64(tag.as_ref())
    ))
}
