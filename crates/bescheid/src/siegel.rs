//! The electronic seal: PAdES baseline B-B (ETSI EN 319 142-1), i.e. a detached CMS
//! SignedData over the whole file but the signature value, with SHA-256, the signed
//! attributes content-type, message-digest and ESS signing-certificate-v2, and **no**
//! signing-time attribute (the time is the signature dictionary's `/M`).
//!
//! The CMS is DER-encoded by the small writer below (the structure is fixed and short;
//! parsing for verification uses the `cms` crate). Signing happens in a [`Siegelschluessel`]:
//! a PKCS#12 file ([`P12Schluessel`], keys in memory, aws-lc-rs) or a PKCS#11 token
//! ([`crate::pkcs11::Pkcs11Schluessel`], the key never leaves the token).

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{self, EcdsaKeyPair, KeyPair, RsaKeyPair};
use der::{Decode, Encode};
use sha2::{Digest, Sha256};
use x509_cert::Certificate;

use crate::BescheidError;

/// Signature algorithm of a seal key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Algorithmus {
    /// ECDSA on P-256 with SHA-256.
    EcdsaP256,
    /// RSA PKCS#1 v1.5 with SHA-256 (3072 or 4096 bit).
    RsaPkcs1,
}

/// A key that can seal: knows its certificate chain and signs bytes (SHA-256 inside).
pub trait Siegelschluessel: Send + Sync {
    /// The algorithm of the key.
    fn algorithmus(&self) -> Algorithmus;
    /// DER certificates, the seal certificate first, then its chain (may omit the root).
    fn zertifikate(&self) -> &[Vec<u8>];
    /// Signs `daten`; ECDSA signatures are returned DER-encoded (`Ecdsa-Sig-Value`).
    fn signieren(&self, daten: &[u8]) -> Result<Vec<u8>, BescheidError>;
}

/// A seal key loaded from a PKCS#12 file.
pub struct P12Schluessel {
    schluessel: P12Art,
    zertifikate: Vec<Vec<u8>>,
}

enum P12Art {
    Ec(EcdsaKeyPair),
    Rsa(RsaKeyPair),
}

impl std::fmt::Debug for P12Schluessel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("P12Schluessel")
            .field("zertifikate", &self.zertifikate.len())
            .finish()
    }
}

impl P12Schluessel {
    /// Opens a PKCS#12 file (PBES2/AES or legacy 3DES) with its password.
    pub fn laden(p12: &[u8], passwort: &str) -> Result<Self, BescheidError> {
        let ks = p12_keystore::KeyStore::from_pkcs12(
            p12,
            passwort,
            p12_keystore::Pkcs12ImportPolicy::Relaxed,
        )
        .map_err(|e| {
            BescheidError::Schluessel(format!(
                "PKCS#12-Datei nicht lesbar (Passwort falsch?): {e}"
            ))
        })?;
        let (_, kette) = ks.private_key_chain().ok_or_else(|| {
            BescheidError::Schluessel("die PKCS#12-Datei enthält keinen privaten Schlüssel".into())
        })?;
        let pkcs8 = kette.key().as_der();
        let schluessel = if let Ok(k) =
            EcdsaKeyPair::from_pkcs8(&signature::ECDSA_P256_SHA256_ASN1_SIGNING, pkcs8)
        {
            P12Art::Ec(k)
        } else if let Ok(k) = RsaKeyPair::from_pkcs8(pkcs8) {
            let bits = k.public_modulus_len() * 8;
            if !(3072..=4096).contains(&bits) {
                return Err(BescheidError::Schluessel(format!(
                    "RSA-Schlüssel mit {bits} Bit: erlaubt sind 3072 bis 4096 Bit"
                )));
            }
            P12Art::Rsa(k)
        } else {
            return Err(BescheidError::Schluessel(
                "nur ECDSA P-256 und RSA 3072/4096 werden unterstützt".into(),
            ));
        };
        let mut zertifikate: Vec<Vec<u8>> =
            kette.certs().iter().map(|c| c.as_der().to_vec()).collect();
        // Put the certificate matching the key first.
        let pub_key: Vec<u8> = match &schluessel {
            P12Art::Ec(k) => k.public_key().as_ref().to_vec(),
            P12Art::Rsa(k) => k.public_key().as_ref().to_vec(),
        };
        if let Some(pos) = zertifikate.iter().position(|c| {
            Certificate::from_der(c)
                .map(|c| {
                    c.tbs_certificate()
                        .subject_public_key_info()
                        .subject_public_key
                        .raw_bytes()
                        == pub_key
                })
                .unwrap_or(false)
        }) {
            let c = zertifikate.remove(pos);
            zertifikate.insert(0, c);
        } else {
            return Err(BescheidError::Schluessel(
                "kein Zertifikat zum Schlüssel in der PKCS#12-Datei".into(),
            ));
        }
        Ok(P12Schluessel {
            schluessel,
            zertifikate,
        })
    }
}

impl Siegelschluessel for P12Schluessel {
    fn algorithmus(&self) -> Algorithmus {
        match self.schluessel {
            P12Art::Ec(_) => Algorithmus::EcdsaP256,
            P12Art::Rsa(_) => Algorithmus::RsaPkcs1,
        }
    }
    fn zertifikate(&self) -> &[Vec<u8>] {
        &self.zertifikate
    }
    fn signieren(&self, daten: &[u8]) -> Result<Vec<u8>, BescheidError> {
        let rng = SystemRandom::new();
        match &self.schluessel {
            P12Art::Ec(k) => k
                .sign(&rng, daten)
                .map(|s| s.as_ref().to_vec())
                .map_err(|_| BescheidError::Schluessel("ECDSA-Signatur fehlgeschlagen".into())),
            P12Art::Rsa(k) => {
                let mut sig = vec![0u8; k.public_modulus_len()];
                k.sign(&signature::RSA_PKCS1_SHA256, &rng, daten, &mut sig)
                    .map_err(|_| BescheidError::Schluessel("RSA-Signatur fehlgeschlagen".into()))?;
                Ok(sig)
            }
        }
    }
}

// ---- a minimal DER writer ------------------------------------------------------------------

pub(crate) fn tlv(tag: u8, inhalt: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let n = inhalt.len();
    if n < 0x80 {
        out.push(n as u8);
    } else {
        let bytes = n.to_be_bytes();
        let skip = bytes.iter().take_while(|b| **b == 0).count();
        out.push(0x80 | (bytes.len() - skip) as u8);
        out.extend_from_slice(&bytes[skip..]);
    }
    out.extend_from_slice(inhalt);
    out
}

fn seq(teile: &[&[u8]]) -> Vec<u8> {
    tlv(0x30, &teile.concat())
}

/// SET OF in DER order (elements sorted by their encoding).
fn set_of(mut teile: Vec<Vec<u8>>) -> Vec<u8> {
    teile.sort();
    tlv(0x31, &teile.concat())
}

fn oid(punktiert: &str) -> Result<Vec<u8>, BescheidError> {
    let o = der::asn1::ObjectIdentifier::new(punktiert)
        .map_err(|e| BescheidError::Intern(format!("OID {punktiert}: {e}")))?;
    Ok(tlv(0x06, o.as_bytes()))
}

pub(crate) const OID_DATA: &str = "1.2.840.113549.1.7.1";
pub(crate) const OID_SIGNED_DATA: &str = "1.2.840.113549.1.7.2";
pub(crate) const OID_SHA256: &str = "2.16.840.1.101.3.4.2.1";
pub(crate) const OID_CONTENT_TYPE: &str = "1.2.840.113549.1.9.3";
pub(crate) const OID_MESSAGE_DIGEST: &str = "1.2.840.113549.1.9.4";
pub(crate) const OID_SIGNING_TIME: &str = "1.2.840.113549.1.9.5";
pub(crate) const OID_SIGNING_CERT_V2: &str = "1.2.840.113549.1.9.16.2.47";
pub(crate) const OID_ECDSA_SHA256: &str = "1.2.840.10045.4.3.2";
pub(crate) const OID_RSA_SHA256: &str = "1.2.840.113549.1.1.11";

/// Builds the CMS ContentInfo (SignedData) for the given document digest.
pub(crate) fn cms(
    schluessel: &dyn Siegelschluessel,
    dokument_hash: &[u8; 32],
    signatur_zeit: &mut std::time::Duration,
) -> Result<Vec<u8>, BescheidError> {
    let certs = schluessel.zertifikate();
    let leaf_der = certs
        .first()
        .ok_or_else(|| BescheidError::Schluessel("kein Siegelzertifikat vorhanden".into()))?;
    let leaf = Certificate::from_der(leaf_der)
        .map_err(|e| BescheidError::Schluessel(format!("Siegelzertifikat nicht lesbar: {e}")))?;
    let tbs = leaf.tbs_certificate();
    let issuer = tbs
        .issuer()
        .to_der()
        .map_err(|e| BescheidError::Intern(e.to_string()))?;
    let serial = tbs
        .serial_number()
        .to_der()
        .map_err(|e| BescheidError::Intern(e.to_string()))?;

    let sha256_alg = seq(&[&oid(OID_SHA256)?]);
    let (sig_alg, _) = match schluessel.algorithmus() {
        Algorithmus::EcdsaP256 => (seq(&[&oid(OID_ECDSA_SHA256)?]), ()),
        Algorithmus::RsaPkcs1 => (seq(&[&oid(OID_RSA_SHA256)?, &[0x05, 0x00]]), ()),
    };

    // ESS signing-certificate-v2: ESSCertIDv2 { certHash, issuerSerial { GeneralNames
    // [directoryName issuer], serial } } with the default hash algorithm SHA-256 omitted.
    let cert_hash: [u8; 32] = Sha256::digest(leaf_der).into();
    let general_names = seq(&[&tlv(0xA4, &issuer)]);
    let issuer_serial = seq(&[&general_names, &serial]);
    let ess_cert_id = seq(&[&tlv(0x04, &cert_hash), &issuer_serial]);
    let signing_cert_v2 = seq(&[&seq(&[&ess_cert_id])]);

    let attr = |o: &str, wert: Vec<u8>| -> Result<Vec<u8>, BescheidError> {
        Ok(seq(&[&oid(o)?, &set_of(vec![wert])]))
    };
    let attrs = vec![
        attr(OID_CONTENT_TYPE, oid(OID_DATA)?)?,
        attr(OID_MESSAGE_DIGEST, tlv(0x04, dokument_hash))?,
        attr(OID_SIGNING_CERT_V2, signing_cert_v2)?,
    ];
    // Signed over the DER SET OF; stored with the implicit [0] tag.
    let attrs_set = set_of(attrs);
    let t = std::time::Instant::now();
    let signatur = schluessel.signieren(&attrs_set)?;
    *signatur_zeit += t.elapsed();
    let mut attrs_implizit = attrs_set.clone();
    attrs_implizit[0] = 0xA0;

    let signer_info = seq(&[
        &[0x02, 0x01, 0x01],
        &seq(&[&issuer, &serial]),
        &sha256_alg,
        &attrs_implizit,
        &sig_alg,
        &tlv(0x04, &signatur),
    ]);
    let cert_set: Vec<u8> = tlv(0xA0, &certs.concat());
    let signed_data = seq(&[
        &[0x02, 0x01, 0x01],
        &set_of(vec![sha256_alg.clone()]),
        &seq(&[&oid(OID_DATA)?]),
        &cert_set,
        &set_of(vec![signer_info]),
    ]);
    Ok(seq(&[&oid(OID_SIGNED_DATA)?, &tlv(0xA0, &signed_data)]))
}

/// Fills the /ByteRange and /Contents placeholders of a draft and returns the sealed file.
pub(crate) fn versiegeln(
    mut entwurf: crate::pdf::Entwurf,
    schluessel: &dyn Siegelschluessel,
    signatur_zeit: &mut std::time::Duration,
) -> Result<Vec<u8>, BescheidError> {
    let len = entwurf.bytes.len();
    let a = entwurf.contents_pos;
    let b = a + 2 + 2 * crate::pdf::SIGNATUR_PLATZ;
    let range = [0usize, a, b, len - b];
    let alt_len = "[0 1000000000 1000000001 1000000002]".len();
    let mut neu = format!("[{} {} {} {}]", range[0], range[1], range[2], range[3]);
    if neu.len() > alt_len {
        return Err(BescheidError::Intern(
            "ByteRange passt nicht in den Platzhalter".into(),
        ));
    }
    while neu.len() < alt_len {
        neu.push(' ');
    }
    let p = entwurf.byte_range_pos;
    entwurf.bytes[p..p + alt_len].copy_from_slice(neu.as_bytes());

    let mut h = Sha256::new();
    h.update(&entwurf.bytes[..a]);
    h.update(&entwurf.bytes[b..]);
    let digest: [u8; 32] = h.finalize().into();
    let cms = cms(schluessel, &digest, signatur_zeit)?;
    if cms.len() > crate::pdf::SIGNATUR_PLATZ {
        return Err(BescheidError::Intern(format!(
            "Signatur ({} Byte) größer als der reservierte Platz",
            cms.len()
        )));
    }
    let mut hex_sig = hex::encode_upper(&cms).into_bytes();
    hex_sig.resize(2 * crate::pdf::SIGNATUR_PLATZ, b'0');
    entwurf.bytes[a + 1..b - 1].copy_from_slice(&hex_sig);
    Ok(entwurf.bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn der_lengths_use_the_long_form_above_127_bytes() {
        assert_eq!(tlv(0x04, &[1, 2]), vec![0x04, 2, 1, 2]);
        let lang = tlv(0x04, &[0u8; 300]);
        assert_eq!(&lang[..4], &[0x04, 0x82, 0x01, 0x2c]);
    }

    #[test]
    fn set_of_is_sorted_as_der_demands() {
        assert_eq!(
            set_of(vec![vec![2, 1, 5], vec![2, 1, 3]]),
            vec![0x31, 6, 2, 1, 3, 2, 1, 5]
        );
    }
}
