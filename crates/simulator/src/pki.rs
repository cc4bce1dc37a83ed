//! A simulated administration PKI, so that keys carry the `x5c` chain the Submission API
//! requires of every JWK. The service key is the (self-signed) root; keys a subscriber
//! registers without a chain get a certificate issued by it. Certificates are minimal X.509 v3
//! (`sha512WithRSAEncryption`, no extensions). This proves nothing about identity — the real
//! service checks chains against the Verwaltungs-PKI, the simulator does not.

use base64::Engine as _;
use fitconnect::jose::{JoseError, Jwk, SigningKeyPair};
use rand::Rng as _;

/// Common name of the simulated root.
pub const ROOT_CN: &str = "Zustelldienst-Simulator";
const OID_SHA512_RSA: &[u8] = &[0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x0D];
const OID_CN: &[u8] = &[0x55, 0x04, 0x03];
const OID_O: &[u8] = &[0x55, 0x04, 0x0A];

fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let len = content.len();
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes: Vec<u8> = len
            .to_be_bytes()
            .iter()
            .copied()
            .skip_while(|&b| b == 0)
            .collect();
        out.push(0x80 | bytes.len() as u8);
        out.extend(bytes);
    }
    out.extend_from_slice(content);
    out
}

fn seq(parts: &[Vec<u8>]) -> Vec<u8> {
    tlv(0x30, &parts.concat())
}

fn name(cn: &str) -> Vec<u8> {
    let rdn = |oid: &[u8], v: &str| tlv(0x31, &seq(&[tlv(0x06, oid), tlv(0x0C, v.as_bytes())]));
    seq(&[
        rdn(OID_O, "Simulierte Verwaltungs-PKI (Amtsstube)"),
        rdn(OID_CN, cn),
    ])
}

fn utc_time(t: time::OffsetDateTime) -> Vec<u8> {
    let s = format!(
        "{:02}{:02}{:02}{:02}{:02}{:02}Z",
        t.year().rem_euclid(100),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    );
    tlv(0x17, s.as_bytes())
}

/// Issues a certificate for `subject` signed by `issuer_key` (named `issuer_cn`); base64 DER.
pub fn issue(
    issuer_key: &SigningKeyPair,
    issuer_cn: &str,
    subject_cn: &str,
    subject: &Jwk,
) -> Result<String, JoseError> {
    let alg = seq(&[tlv(0x06, OID_SHA512_RSA), vec![0x05, 0x00]]);
    let mut serial: [u8; 16] = rand::rng().random();
    serial[0] &= 0x7F;
    serial[0] |= 0x01;
    let now = time::OffsetDateTime::now_utc();
    let tbs = seq(&[
        tlv(0xA0, &tlv(0x02, &[2])),
        tlv(0x02, &serial),
        alg.clone(),
        name(issuer_cn),
        seq(&[
            utc_time(now - time::Duration::days(1)),
            utc_time(now + time::Duration::days(730)),
        ]),
        name(subject_cn),
        subject.spki_der()?,
    ]);
    let sig = issuer_key.sign_pkcs1_sha512(&tbs)?;
    let mut bits = vec![0u8];
    bits.extend(sig);
    let cert = seq(&[tbs, alg, tlv(0x03, &bits)]);
    Ok(base64::engine::general_purpose::STANDARD.encode(cert))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn der_lengths_use_the_long_form_above_127_bytes() {
        assert_eq!(tlv(0x04, &[0; 3]), vec![0x04, 3, 0, 0, 0]);
        assert_eq!(&tlv(0x04, &[0; 200])[..3], &[0x04, 0x81, 200]);
        assert_eq!(&tlv(0x04, &[0; 600])[..4], &[0x04, 0x82, 0x02, 0x58]);
    }
}
