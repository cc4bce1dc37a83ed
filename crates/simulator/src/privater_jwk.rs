//! RSA private keys as JWK with their private parts (RFC 7518 §6.3.2), for the simulator's
//! state file ([`crate::zustand`]). `fitconnect::jose` hands out private keys only as PKCS#8
//! DER, so this converts between the two: the few DER structures of an RSA PKCS#8 key
//! (RFC 5208, RFC 8017 A.1.2) are read and written here, nothing more general.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};

/// An RSA private key as JWK, private parts included.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct PrivaterJwk {
    pub kty: String,
    pub kid: String,
    pub alg: String,
    pub n: String,
    pub e: String,
    pub d: String,
    pub p: String,
    pub q: String,
    pub dp: String,
    pub dq: String,
    pub qi: String,
}

impl std::fmt::Debug for PrivaterJwk {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PrivaterJwk({})", self.kid)
    }
}

/// `AlgorithmIdentifier { rsaEncryption, NULL }`.
const RSA_ALGORITHMUS: [u8; 15] = [
    0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00,
];

struct Leser<'a>(&'a [u8]);

impl<'a> Leser<'a> {
    /// The next tag-length-value with tag `tag`; returns its content.
    fn tlv(&mut self, tag: u8) -> Result<&'a [u8], String> {
        let b = self.0;
        let (&t, rest) = b.split_first().ok_or("DER zu kurz")?;
        if t != tag {
            return Err(format!("DER: Tag {t:#04x} statt {tag:#04x}"));
        }
        let (&l, mut rest) = rest.split_first().ok_or("DER zu kurz")?;
        let len = if l < 0x80 {
            usize::from(l)
        } else {
            let n = usize::from(l & 0x7f);
            if n == 0 || n > 4 || rest.len() < n {
                return Err("DER: Länge ungültig".into());
            }
            let (laenge, r) = rest.split_at(n);
            rest = r;
            laenge
                .iter()
                .fold(0usize, |a, &x| (a << 8) | usize::from(x))
        };
        if rest.len() < len {
            return Err("DER: Inhalt abgeschnitten".into());
        }
        let (inhalt, r) = rest.split_at(len);
        self.0 = r;
        Ok(inhalt)
    }

    /// An unsigned INTEGER, without leading zero bytes.
    fn zahl(&mut self) -> Result<&'a [u8], String> {
        let z = self.tlv(0x02)?;
        let erste = z.iter().position(|&x| x != 0).unwrap_or(z.len());
        Ok(&z[erste..])
    }
}

fn laenge(out: &mut Vec<u8>, len: usize) {
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes: Vec<u8> = len
            .to_be_bytes()
            .into_iter()
            .skip_while(|&b| b == 0)
            .collect();
        out.push(0x80 | bytes.len() as u8);
        out.extend(bytes);
    }
}

fn tlv(out: &mut Vec<u8>, tag: u8, inhalt: &[u8]) {
    out.push(tag);
    laenge(out, inhalt.len());
    out.extend_from_slice(inhalt);
}

fn zahl(out: &mut Vec<u8>, betrag: &[u8]) {
    let erste = betrag.iter().position(|&x| x != 0).unwrap_or(betrag.len());
    let mut z = betrag[erste..].to_vec();
    if z.first().is_none_or(|&b| b & 0x80 != 0) {
        z.insert(0, 0);
    }
    tlv(out, 0x02, &z);
}

impl PrivaterJwk {
    /// From an RSA PKCS#8 `PrivateKeyInfo`.
    pub fn aus_pkcs8(kid: &str, alg: &str, der: &[u8]) -> Result<Self, String> {
        let mut aussen = Leser(der);
        let mut info = Leser(aussen.tlv(0x30)?);
        info.zahl()?;
        info.tlv(0x30)?;
        let mut schluessel = Leser(info.tlv(0x04)?);
        let mut rsa = Leser(schluessel.tlv(0x30)?);
        rsa.zahl()?;
        let mut teil = || rsa.zahl().map(|z| URL_SAFE_NO_PAD.encode(z));
        Ok(PrivaterJwk {
            kty: "RSA".into(),
            kid: kid.into(),
            alg: alg.into(),
            n: teil()?,
            e: teil()?,
            d: teil()?,
            p: teil()?,
            q: teil()?,
            dp: teil()?,
            dq: teil()?,
            qi: teil()?,
        })
    }

    /// As an RSA PKCS#8 `PrivateKeyInfo`.
    pub fn zu_pkcs8(&self) -> Result<Vec<u8>, String> {
        if self.kty != "RSA" {
            return Err(format!("Schlüsseltyp {} statt RSA", self.kty));
        }
        let mut rsa = Vec::new();
        zahl(&mut rsa, &[0]);
        for (name, teil) in [
            ("n", &self.n),
            ("e", &self.e),
            ("d", &self.d),
            ("p", &self.p),
            ("q", &self.q),
            ("dp", &self.dp),
            ("dq", &self.dq),
            ("qi", &self.qi),
        ] {
            let betrag = URL_SAFE_NO_PAD
                .decode(teil)
                .map_err(|e| format!("JWK-Feld {name}: {e}"))?;
            zahl(&mut rsa, &betrag);
        }
        let mut folge = Vec::new();
        tlv(&mut folge, 0x30, &rsa);
        let mut info = Vec::new();
        zahl(&mut info, &[0]);
        info.extend_from_slice(&RSA_ALGORITHMUS);
        tlv(&mut info, 0x04, &folge);
        let mut out = Vec::new();
        tlv(&mut out, 0x30, &info);
        Ok(out)
    }

    /// From an encryption key pair (`RSA-OAEP-256`).
    pub fn von_verschluesselung(k: &fitconnect::jose::EncryptionKeyPair) -> Result<Self, String> {
        let der = k.to_pkcs8().map_err(|e| e.to_string())?;
        Self::aus_pkcs8(k.kid(), "RSA-OAEP-256", &der)
    }

    /// From a signing key pair (`PS512`).
    pub fn von_signatur(k: &fitconnect::jose::SigningKeyPair) -> Result<Self, String> {
        let der = k.to_pkcs8().map_err(|e| e.to_string())?;
        Self::aus_pkcs8(k.kid(), "PS512", &der)
    }

    /// As an encryption key pair.
    pub fn verschluesselung(&self) -> Result<fitconnect::jose::EncryptionKeyPair, String> {
        fitconnect::jose::EncryptionKeyPair::from_pkcs8(&self.kid, &self.zu_pkcs8()?)
            .map_err(|e| e.to_string())
    }

    /// As a signing key pair.
    pub fn signatur(&self) -> Result<fitconnect::jose::SigningKeyPair, String> {
        fitconnect::jose::SigningKeyPair::from_pkcs8(&self.kid, &self.zu_pkcs8()?)
            .map_err(|e| e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use fitconnect::jose::{EncryptionKeyPair, SigningKeyPair};

    #[test]
    fn a_key_survives_the_way_through_a_private_jwk_and_still_decrypts() {
        let k =
            EncryptionKeyPair::generate_sized("test-enc-0001", aws_lc_rs::rsa::KeySize::Rsa2048)
                .unwrap();
        let jwk = PrivaterJwk::von_verschluesselung(&k).unwrap();
        assert_eq!(jwk.e, "AQAB");
        assert_eq!(jwk.n, k.public_jwk().unwrap().n);
        let wieder = jwk.verschluesselung().unwrap();
        assert_eq!(wieder.kid(), "test-enc-0001");
        let jwe = fitconnect::jose::encrypt(&k.public_jwk().unwrap(), b"geheim", None).unwrap();
        let klar = fitconnect::jose::decrypt(&wieder, &jwe).unwrap();
        assert_eq!(klar.plaintext, b"geheim");
        let text = serde_json::to_string(&jwk).unwrap();
        let zurueck: PrivaterJwk = serde_json::from_str(&text).unwrap();
        assert_eq!(zurueck, jwk);
    }

    #[test]
    fn a_signing_key_survives_too() {
        let k = SigningKeyPair::generate_sized("test-sig-0001", aws_lc_rs::rsa::KeySize::Rsa2048)
            .unwrap();
        let wieder = PrivaterJwk::von_signatur(&k).unwrap().signatur().unwrap();
        assert_eq!(wieder.public_jwk(), k.public_jwk());
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        assert!(PrivaterJwk::aus_pkcs8("x", "PS512", &[0x30, 0x82, 0xff]).is_err());
        assert!(PrivaterJwk::aus_pkcs8("x", "PS512", &[]).is_err());
        let mut j = PrivaterJwk::von_signatur(
            &SigningKeyPair::generate_sized("t", aws_lc_rs::rsa::KeySize::Rsa2048).unwrap(),
        )
        .unwrap();
        j.d = "!!".into();
        assert!(j.signatur().is_err());
    }
}
