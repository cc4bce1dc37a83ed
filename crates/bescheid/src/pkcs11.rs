//! Seal keys on a PKCS#11 token (HSM, smart card, SoftHSM2 in tests): the private key never
//! leaves the token; only the hash (ECDSA) or the signed attributes (RSA) go in and the
//! signature comes out.
//!
//! The token is found by its label, the key by its `CKA_LABEL`; the seal certificate is the
//! certificate object with the same label (or the same `CKA_ID`), and every other certificate
//! on the token is added to the CMS as chain.

use std::sync::Mutex;

use cryptoki::context::{CInitializeArgs, CInitializeFlags, Pkcs11};
use cryptoki::error::RvError;
use cryptoki::mechanism::Mechanism;
use cryptoki::object::{Attribute, AttributeType, KeyType, ObjectClass, ObjectHandle};
use cryptoki::session::{Session, UserType};
use cryptoki::types::AuthPin;
use sha2::{Digest, Sha256};

use crate::BescheidError;
use crate::siegel::{Algorithmus, Siegelschluessel, tlv};

/// A seal key on a PKCS#11 token.
pub struct Pkcs11Schluessel {
    // The context must outlive the session; kept for that reason.
    _ctx: Pkcs11,
    session: Mutex<Session>,
    key: ObjectHandle,
    algorithmus: Algorithmus,
    zertifikate: Vec<Vec<u8>>,
}

impl std::fmt::Debug for Pkcs11Schluessel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pkcs11Schluessel")
            .field("algorithmus", &self.algorithmus)
            .finish()
    }
}

fn p11(was: &str, e: cryptoki::error::Error) -> BescheidError {
    BescheidError::Schluessel(format!("PKCS#11 ({was}): {e}"))
}

impl Pkcs11Schluessel {
    /// Opens `modul` (the PKCS#11 library), logs in to the token labelled `token` with `pin`
    /// and selects the private key labelled `schluessel`.
    pub fn oeffnen(
        modul: &std::path::Path,
        token: &str,
        schluessel: &str,
        pin: &str,
    ) -> Result<Self, BescheidError> {
        let ctx = Pkcs11::new(modul).map_err(|e| {
            BescheidError::Schluessel(format!(
                "PKCS#11-Modul {} nicht ladbar: {e}",
                modul.display()
            ))
        })?;
        match ctx.initialize(CInitializeArgs::new(CInitializeFlags::OS_LOCKING_OK)) {
            // Another part of the process already initialised the module: that is fine.
            Ok(())
            | Err(cryptoki::error::Error::Pkcs11(RvError::CryptokiAlreadyInitialized, _)) => {}
            Err(e) => return Err(p11("Initialisierung", e)),
        }
        let slot = ctx
            .get_slots_with_token()
            .map_err(|e| p11("Slots", e))?
            .into_iter()
            .find(|s| {
                ctx.get_token_info(*s)
                    .map(|i| i.label().trim() == token)
                    .unwrap_or(false)
            })
            .ok_or_else(|| {
                BescheidError::Schluessel(format!(
                    "kein Token mit der Bezeichnung „{token}“ gefunden"
                ))
            })?;
        let session = ctx.open_ro_session(slot).map_err(|e| p11("Sitzung", e))?;
        session
            .login(UserType::User, Some(&AuthPin::from(pin.to_string())))
            .map_err(|e| {
                BescheidError::Schluessel(format!(
                    "Anmeldung am Token fehlgeschlagen (PIN falsch?): {e}"
                ))
            })?;
        let keys = session
            .find_objects(&[
                Attribute::Class(ObjectClass::PRIVATE_KEY),
                Attribute::Label(schluessel.as_bytes().to_vec()),
            ])
            .map_err(|e| p11("Schlüsselsuche", e))?;
        let key = *keys.first().ok_or_else(|| {
            BescheidError::Schluessel(format!(
                "kein privater Schlüssel „{schluessel}“ auf dem Token"
            ))
        })?;
        let attrs = session
            .get_attributes(key, &[AttributeType::KeyType, AttributeType::Id])
            .map_err(|e| p11("Schlüsselattribute", e))?;
        let mut algorithmus = None;
        let mut key_id = None;
        for a in attrs {
            match a {
                Attribute::KeyType(t) if t == KeyType::EC => {
                    algorithmus = Some(Algorithmus::EcdsaP256)
                }
                Attribute::KeyType(t) if t == KeyType::RSA => {
                    algorithmus = Some(Algorithmus::RsaPkcs1)
                }
                Attribute::Id(id) => key_id = Some(id),
                _ => {}
            }
        }
        let algorithmus = algorithmus.ok_or_else(|| {
            BescheidError::Schluessel("nur EC- (P-256) und RSA-Schlüssel werden unterstützt".into())
        })?;

        let mut leaf = None;
        let mut rest = Vec::new();
        for h in session
            .find_objects(&[Attribute::Class(ObjectClass::CERTIFICATE)])
            .map_err(|e| p11("Zertifikatssuche", e))?
        {
            let mut wert = None;
            let mut passt = false;
            for a in session
                .get_attributes(
                    h,
                    &[
                        AttributeType::Value,
                        AttributeType::Label,
                        AttributeType::Id,
                    ],
                )
                .map_err(|e| p11("Zertifikat", e))?
            {
                match a {
                    Attribute::Value(v) => wert = Some(v),
                    Attribute::Label(l) if l == schluessel.as_bytes() => passt = true,
                    Attribute::Id(id) if Some(&id) == key_id.as_ref() && !id.is_empty() => {
                        passt = true
                    }
                    _ => {}
                }
            }
            if let Some(w) = wert {
                if passt && leaf.is_none() {
                    leaf = Some(w);
                } else {
                    rest.push(w);
                }
            }
        }
        let leaf = leaf.ok_or_else(|| {
            BescheidError::Schluessel(format!(
                "kein Zertifikat zum Schlüssel „{schluessel}“ auf dem Token"
            ))
        })?;
        let mut zertifikate = vec![leaf];
        zertifikate.extend(rest);
        Ok(Pkcs11Schluessel {
            _ctx: ctx,
            session: Mutex::new(session),
            key,
            algorithmus,
            zertifikate,
        })
    }
}

/// Raw `r || s` (as PKCS#11 returns it) → DER `Ecdsa-Sig-Value`.
fn ecdsa_der(raw: &[u8]) -> Vec<u8> {
    let (r, s) = raw.split_at(raw.len() / 2);
    let int = |x: &[u8]| {
        let x: Vec<u8> = x.iter().copied().skip_while(|b| *b == 0).collect();
        let mut v = Vec::with_capacity(x.len() + 1);
        if x.first().is_none_or(|b| *b & 0x80 != 0) {
            v.push(0);
        }
        v.extend(x);
        tlv(0x02, &v)
    };
    tlv(0x30, &[int(r), int(s)].concat())
}

impl Siegelschluessel for Pkcs11Schluessel {
    fn algorithmus(&self) -> Algorithmus {
        self.algorithmus
    }
    fn zertifikate(&self) -> &[Vec<u8>] {
        &self.zertifikate
    }
    fn signieren(&self, daten: &[u8]) -> Result<Vec<u8>, BescheidError> {
        let session = self
            .session
            .lock()
            .map_err(|_| BescheidError::Intern("PKCS#11-Sitzung blockiert".into()))?;
        match self.algorithmus {
            Algorithmus::EcdsaP256 => {
                let hash = Sha256::digest(daten);
                let raw = session
                    .sign(&Mechanism::Ecdsa, self.key, &hash)
                    .map_err(|e| p11("Signatur", e))?;
                Ok(ecdsa_der(&raw))
            }
            Algorithmus::RsaPkcs1 => session
                .sign(&Mechanism::Sha256RsaPkcs, self.key, daten)
                .map_err(|e| p11("Signatur", e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_ecdsa_signatures_become_der_with_positive_integers() {
        let mut raw = vec![0u8; 64];
        raw[0] = 0x80; // r has the high bit set → needs a leading zero
        raw[63] = 0x01; // s is 1 after stripping zeros
        let der = ecdsa_der(&raw);
        assert_eq!(der[0], 0x30);
        assert_eq!(&der[2..5], &[0x02, 33, 0x00]);
        assert_eq!(&der[der.len() - 3..], &[0x02, 1, 1]);
    }
}
