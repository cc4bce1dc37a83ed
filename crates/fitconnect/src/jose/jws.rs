//! Compact JWS (RFC 7515) with `PS512` only, the signature of FIT-Connect's Security Event
//! Tokens. `alg: none` and every other algorithm are refused before any key is touched.

use aws_lc_rs::signature::RSA_PSS_2048_8192_SHA512;
use serde::{Deserialize, Serialize};

use super::{JoseError, Jwks, SigningKeyPair, b64, unb64};

/// The protected header of a FIT-Connect JWS.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JwsHeader {
    /// Always `PS512`.
    pub alg: String,
    /// The signing key's id.
    pub kid: String,
    /// `secevent+jwt` for SETs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub typ: Option<String>,
}

/// A verified JWS: header and payload bytes.
#[derive(Debug, Clone)]
pub struct SignedToken {
    /// The protected header.
    pub header: JwsHeader,
    /// The payload (for SETs: JSON).
    pub payload: Vec<u8>,
}

/// Signs `payload` with `PS512`, putting `typ` and the key's `kid` into the header.
pub fn sign(key: &SigningKeyPair, typ: Option<&str>, payload: &[u8]) -> Result<String, JoseError> {
    let header = JwsHeader {
        alg: "PS512".into(),
        kid: key.kid().into(),
        typ: typ.map(Into::into),
    };
    let header_json = serde_json::to_vec(&header)
        .map_err(|e| JoseError::Crypto(format!("Header nicht serialisierbar ({e})")))?;
    let signing_input = format!("{}.{}", b64(&header_json), b64(payload));
    let sig = key.sign_raw(signing_input.as_bytes())?;
    Ok(format!("{signing_input}.{}", b64(&sig)))
}

/// Parses the header of a compact JWS without verifying it (to pick the key).
pub fn peek_header(token: &str) -> Result<JwsHeader, JoseError> {
    let token = token.trim();
    let parts: Vec<&str> = token.split('.').collect();
    if parts.len() != 3 {
        return Err(JoseError::Malformed(format!(
            "ein kompaktes JWS hat 3 durch Punkte getrennte Teile, gefunden: {}",
            parts.len()
        )));
    }
    let raw = unb64(parts[0], "JWS-Header")?;
    let header: JwsHeader = serde_json::from_slice(&raw)
        .map_err(|e| JoseError::Malformed(format!("JWS-Header ist kein gültiges JSON ({e})")))?;
    if header.alg != "PS512" {
        return Err(JoseError::UnsupportedAlgorithm(format!(
            "alg {} (erwartet PS512)",
            header.alg
        )));
    }
    Ok(header)
}

/// Verifies a compact JWS against the key named by its `kid` in `keys`.
pub fn verify(keys: &Jwks, token: &str) -> Result<SignedToken, JoseError> {
    let token = token.trim();
    let header = peek_header(token)?;
    let jwk = keys.find(&header.kid).ok_or_else(|| {
        JoseError::WrongKey(format!(
            "kein Schlüssel mit kid {} zum Prüfen der Signatur",
            header.kid
        ))
    })?;
    let public = jwk.verifying_key()?;
    let (signing_input, sig_b64) = token
        .rsplit_once('.')
        .ok_or_else(|| JoseError::Malformed("Signatur fehlt".into()))?;
    let sig = unb64(sig_b64, "Signatur")?;
    public
        .verify(&RSA_PSS_2048_8192_SHA512, signing_input.as_bytes(), &sig)
        .map_err(|_| {
            JoseError::IntegrityCheckFailed(format!(
                "Signatur mit Schlüssel {} ungültig",
                header.kid
            ))
        })?;
    let payload_b64 = signing_input
        .split_once('.')
        .map(|(_, p)| p)
        .ok_or_else(|| JoseError::Malformed("Nutzdaten fehlen".into()))?;
    let payload = unb64(payload_b64, "JWS-Nutzdaten")?;
    Ok(SignedToken { header, payload })
}
