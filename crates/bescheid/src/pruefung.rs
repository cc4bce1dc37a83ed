//! Verification of a sealed Bescheid against trust anchors.
//!
//! Checks, each reported separately: the signed byte ranges cover the whole file but the
//! signature value; the CMS message digest matches them; the signature over the signed
//! attributes verifies with the signer certificate; ESS signing-certificate-v2 names that
//! certificate; there is no CMS signing-time (PAdES B-B); the certificate chains to a trust
//! anchor (signatures checked, validity at `/M`); and the QR code on page one is exactly the
//! code of the payload derived from the embedded decision JSON.

use aws_lc_rs::signature::{self, UnparsedPublicKey, VerificationAlgorithm};
use der::asn1::{Any, ObjectIdentifier};
use der::{Decode, Encode, Tag, Tagged};
use lopdf::{Document, Object};
use serde::Serialize;
use sha2::{Digest, Sha256};
use x509_cert::Certificate;

use crate::siegel::{
    OID_CONTENT_TYPE, OID_DATA, OID_MESSAGE_DIGEST, OID_SIGNING_CERT_V2, OID_SIGNING_TIME,
};
use crate::{BescheidError, qr};

/// Result of checking one sealed document.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Pruefbericht {
    /// The CMS signature verifies and its digest matches the signed bytes.
    pub siegel_intakt: bool,
    /// The signed ranges cover the whole file except the signature value.
    pub deckt_ganzes_dokument: bool,
    /// The seal certificate chains to one of the given trust anchors.
    pub vertrauenswuerdig: bool,
    /// ESS signing-certificate-v2 is present and names the seal certificate.
    pub signing_certificate_v2: bool,
    /// A CMS signing-time attribute is present (not allowed for PAdES B-B).
    pub signing_time_attribut: bool,
    /// `/SubFilter` of the signature.
    pub sub_filter: String,
    /// Subject of the seal certificate (who sealed).
    pub gesiegelt_von: Option<String>,
    /// Issuer of the seal certificate.
    pub aussteller: Option<String>,
    /// `/M` of the signature (when it was sealed), ISO 8601.
    pub zeitpunkt: Option<String>,
    /// The QR code on page one is the code of the payload derived from the embedded data.
    pub qr_passt: bool,
    /// That payload.
    pub qr_inhalt: Option<String>,
    /// SHA-256 of the embedded decision JSON.
    pub daten_sha256: Option<String>,
    /// Aktenzeichen from the embedded JSON.
    pub aktenzeichen: Option<String>,
    /// Everything that failed, in German.
    pub befunde: Vec<String>,
}

impl Pruefbericht {
    /// True when every check passed.
    pub fn gueltig(&self) -> bool {
        self.siegel_intakt
            && self.deckt_ganzes_dokument
            && self.vertrauenswuerdig
            && self.signing_certificate_v2
            && !self.signing_time_attribut
            && self.qr_passt
            && self.befunde.is_empty()
    }
}

fn fehler(msg: impl Into<String>) -> BescheidError {
    BescheidError::Pruefung(msg.into())
}

fn oid(s: &str) -> ObjectIdentifier {
    ObjectIdentifier::new(s).unwrap_or(ObjectIdentifier::new_unwrap("0.0"))
}

/// Loads trust anchors from PEM text (one or more certificates) or a single DER file.
pub fn vertrauensanker_laden(daten: &[u8]) -> Result<Vec<Vec<u8>>, BescheidError> {
    let text = String::from_utf8_lossy(daten);
    if !text.contains("-----BEGIN CERTIFICATE-----") {
        Certificate::from_der(daten)
            .map_err(|e| fehler(format!("Vertrauensanker nicht lesbar: {e}")))?;
        return Ok(vec![daten.to_vec()]);
    }
    let mut out = Vec::new();
    for teil in text.split("-----BEGIN CERTIFICATE-----").skip(1) {
        let b64: String = teil
            .split("-----END CERTIFICATE-----")
            .next()
            .unwrap_or_default()
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        let der = base64_decode(&b64).ok_or_else(|| fehler("Vertrauensanker: ungültiges PEM"))?;
        Certificate::from_der(&der)
            .map_err(|e| fehler(format!("Vertrauensanker nicht lesbar: {e}")))?;
        out.push(der);
    }
    Ok(out)
}

fn base64_decode(s: &str) -> Option<Vec<u8>> {
    const ALPHA: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    let mut buf = 0u32;
    let mut bits = 0;
    for c in s.bytes() {
        if c == b'=' {
            break;
        }
        let v = ALPHA.iter().position(|a| *a == c)? as u32;
        buf = (buf << 6) | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((buf >> bits) as u8);
            buf &= (1 << bits) - 1;
        }
    }
    Some(out)
}

struct Signaturfeld {
    byte_range: Vec<i64>,
    contents: Vec<u8>,
    sub_filter: String,
    m: Option<String>,
}

fn signaturfeld(doc: &Document) -> Result<Signaturfeld, BescheidError> {
    let cat = doc
        .catalog()
        .map_err(|e| fehler(format!("kein Katalog: {e}")))?;
    let form = cat
        .get_deref(b"AcroForm", doc)
        .and_then(Object::as_dict)
        .map_err(|_| fehler("das Dokument enthält kein Siegel (kein AcroForm)"))?;
    let felder = form
        .get_deref(b"Fields", doc)
        .and_then(Object::as_array)
        .map_err(|_| fehler("das Dokument enthält kein Siegel (keine Felder)"))?;
    for f in felder {
        let Ok((_, f)) = doc.dereference(f) else {
            continue;
        };
        let Ok(f) = f.as_dict() else { continue };
        if f.get(b"FT").and_then(Object::as_name).ok() != Some(b"Sig".as_slice()) {
            continue;
        }
        let v = f
            .get_deref(b"V", doc)
            .and_then(Object::as_dict)
            .map_err(|_| fehler("Siegelfeld ohne Wert (nicht gesiegelt)"))?;
        let byte_range = v
            .get(b"ByteRange")
            .and_then(Object::as_array)
            .map_err(|_| fehler("/ByteRange fehlt"))?
            .iter()
            .map(|o| {
                o.as_i64()
                    .map_err(|_| fehler("/ByteRange ist keine Zahlenliste"))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let contents = v
            .get(b"Contents")
            .and_then(Object::as_str)
            .map_err(|_| fehler("/Contents fehlt"))?
            .to_vec();
        let sub_filter = v
            .get(b"SubFilter")
            .and_then(Object::as_name)
            .map(|n| String::from_utf8_lossy(n).into_owned())
            .unwrap_or_default();
        let m = v
            .get(b"M")
            .and_then(Object::as_str)
            .ok()
            .map(|s| String::from_utf8_lossy(s).into_owned());
        return Ok(Signaturfeld {
            byte_range,
            contents,
            sub_filter,
            m,
        });
    }
    Err(fehler("das Dokument enthält kein Siegelfeld"))
}

/// `D:20261120093000+00'00'` → `2026-11-20T09:30:00+00:00`, and as a time for validity checks.
fn pdf_zeit(m: &str) -> Option<(String, der::DateTime)> {
    let s = m.strip_prefix("D:").unwrap_or(m);
    let n = |a: usize, b: usize| s.get(a..b).and_then(|x| x.parse::<u16>().ok());
    let (y, mo, d, h, mi, se) = (
        n(0, 4)?,
        n(4, 6)?,
        n(6, 8)?,
        n(8, 10)?,
        n(10, 12)?,
        n(12, 14)?,
    );
    let rest = s.get(14..).unwrap_or("");
    let (vorz, oh, om) = match rest.chars().next() {
        Some(c @ ('+' | '-')) => {
            let t: String = rest[1..].chars().filter(char::is_ascii_digit).collect();
            (
                c,
                t.get(0..2).and_then(|x| x.parse::<i64>().ok()).unwrap_or(0),
                t.get(2..4).and_then(|x| x.parse::<i64>().ok()).unwrap_or(0),
            )
        }
        _ => ('+', 0, 0),
    };
    let lokal = time::PrimitiveDateTime::new(
        time::Date::from_calendar_date(
            i32::from(y),
            time::Month::try_from(mo as u8).ok()?,
            d as u8,
        )
        .ok()?,
        time::Time::from_hms(h as u8, mi as u8, se as u8).ok()?,
    );
    let sek = (oh * 3600 + om * 60) * if vorz == '-' { -1 } else { 1 };
    let off = time::UtcOffset::from_whole_seconds(sek as i32).ok()?;
    let t = lokal.assume_offset(off).to_offset(time::UtcOffset::UTC);
    let iso = format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{se:02}{vorz}{oh:02}:{om:02}");
    let dt = der::DateTime::new(
        t.year() as u16,
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second(),
    )
    .ok()?;
    Some((iso, dt))
}

fn ec_kurve(spki: &x509_cert::spki::SubjectPublicKeyInfoOwned) -> Option<ObjectIdentifier> {
    spki.algorithm
        .parameters
        .as_ref()
        .and_then(|p| p.decode_as::<ObjectIdentifier>().ok())
}

/// Verifies `signatur` over `nachricht` with the key in `spki` and the algorithm `alg_oid`.
fn verifizieren(
    spki: &x509_cert::spki::SubjectPublicKeyInfoOwned,
    alg_oid: &ObjectIdentifier,
    nachricht: &[u8],
    signatur: &[u8],
) -> bool {
    let key_alg = spki.algorithm.oid.to_string();
    let alg = alg_oid.to_string();
    let p256 = oid("1.2.840.10045.3.1.7");
    let p384 = oid("1.3.132.0.34");
    let v: &'static dyn VerificationAlgorithm = match (key_alg.as_str(), alg.as_str()) {
        ("1.2.840.10045.2.1", "1.2.840.10045.4.3.2") if ec_kurve(spki) == Some(p256) => {
            &signature::ECDSA_P256_SHA256_ASN1
        }
        ("1.2.840.10045.2.1", "1.2.840.10045.4.3.3") if ec_kurve(spki) == Some(p256) => {
            &signature::ECDSA_P256_SHA384_ASN1
        }
        ("1.2.840.10045.2.1", "1.2.840.10045.4.3.2") if ec_kurve(spki) == Some(p384) => {
            &signature::ECDSA_P384_SHA256_ASN1
        }
        ("1.2.840.10045.2.1", "1.2.840.10045.4.3.3") if ec_kurve(spki) == Some(p384) => {
            &signature::ECDSA_P384_SHA384_ASN1
        }
        ("1.2.840.113549.1.1.1", "1.2.840.113549.1.1.11" | "1.2.840.113549.1.1.1") => {
            &signature::RSA_PKCS1_2048_8192_SHA256
        }
        ("1.2.840.113549.1.1.1", "1.2.840.113549.1.1.12") => &signature::RSA_PKCS1_2048_8192_SHA384,
        ("1.2.840.113549.1.1.1", "1.2.840.113549.1.1.13") => &signature::RSA_PKCS1_2048_8192_SHA512,
        _ => return false,
    };
    UnparsedPublicKey::new(v, spki.subject_public_key.raw_bytes())
        .verify(nachricht, signatur)
        .is_ok()
}

fn zertifikat_gueltig_zu(c: &Certificate, zeit: Option<der::DateTime>) -> bool {
    let Some(t) = zeit else { return true };
    let v = c.tbs_certificate().validity();
    v.not_before.to_date_time() <= t && t <= v.not_after.to_date_time()
}

fn ist_ca(c: &Certificate) -> bool {
    use x509_cert::ext::pkix::BasicConstraints;
    c.tbs_certificate()
        .get_extension::<BasicConstraints>()
        .ok()
        .flatten()
        .map(|(_, bc)| bc.ca)
        .unwrap_or(false)
}

/// Walks from the seal certificate to a trust anchor, checking each signature.
fn kette(
    leaf: &Certificate,
    pool: &[Certificate],
    anker: &[Certificate],
    zeit: Option<der::DateTime>,
    befunde: &mut Vec<String>,
) -> bool {
    let mut aktuell = leaf.clone();
    for _ in 0..8 {
        if !zertifikat_gueltig_zu(&aktuell, zeit) {
            befunde.push(format!(
                "Zertifikat „{}“ war zum Siegelzeitpunkt nicht gültig",
                aktuell.tbs_certificate().subject()
            ));
            return false;
        }
        if anker.iter().any(|a| a == &aktuell) {
            return true;
        }
        let Ok(tbs) = aktuell.tbs_certificate().to_der() else {
            return false;
        };
        let sig = aktuell.signature().raw_bytes();
        let alg = aktuell.signature_algorithm().oid;
        let aussteller = anker.iter().chain(pool.iter()).find(|k| {
            k.tbs_certificate().subject() == aktuell.tbs_certificate().issuer()
                && ist_ca(k)
                && verifizieren(
                    k.tbs_certificate().subject_public_key_info(),
                    &alg,
                    &tbs,
                    sig,
                )
        });
        match aussteller {
            Some(k) if anker.iter().any(|a| a == k) => {
                if !zertifikat_gueltig_zu(k, zeit) {
                    befunde.push("der Vertrauensanker war zum Siegelzeitpunkt nicht gültig".into());
                    return false;
                }
                return true;
            }
            Some(k) => aktuell = k.clone(),
            None => {
                befunde.push(format!(
                    "keine Kette von „{}“ zu einem Vertrauensanker",
                    aktuell.tbs_certificate().subject()
                ));
                return false;
            }
        }
    }
    befunde.push("Zertifikatskette zu lang".into());
    false
}

/// Whether a PDF carries a signature dictionary at all (a `/ByteRange`), without parsing it:
/// the cheap question before [`pruefen`].
pub fn hat_signatur(pdf: &[u8]) -> bool {
    crate::pdf::finden(pdf, b"/ByteRange").is_some()
}

/// Checks a sealed Bescheid. `anker`: DER certificates of the trust anchors.
pub fn pruefen(pdf: &[u8], anker: &[Vec<u8>]) -> Result<Pruefbericht, BescheidError> {
    let doc =
        Document::load_mem(pdf).map_err(|e| fehler(format!("keine lesbare PDF-Datei: {e}")))?;
    let feld = signaturfeld(&doc)?;
    let mut r = Pruefbericht {
        sub_filter: feld.sub_filter.clone(),
        ..Default::default()
    };
    let zeit = feld.m.as_deref().and_then(pdf_zeit);
    r.zeitpunkt = zeit.as_ref().map(|z| z.0.clone());
    if feld.sub_filter != "ETSI.CAdES.detached" {
        r.befunde.push(format!(
            "/SubFilter ist {}, erwartet ETSI.CAdES.detached",
            feld.sub_filter
        ));
    }

    // 1. Byte ranges.
    let len = pdf.len() as i64;
    let br = &feld.byte_range;
    let mut signierte: Vec<u8> = Vec::new();
    if br.len() == 4
        && br[0] == 0
        && br[1] > 0
        && br[2] > br[1]
        && br[3] >= 0
        && br[2] + br[3] <= len
    {
        let (a, b, c) = (br[1] as usize, br[2] as usize, br[3] as usize);
        let luecke = &pdf[a..b];
        let nur_hex = luecke.len() >= 2
            && luecke[0] == b'<'
            && luecke[luecke.len() - 1] == b'>'
            && luecke[1..luecke.len() - 1]
                .iter()
                .all(u8::is_ascii_hexdigit);
        r.deckt_ganzes_dokument = nur_hex && br[2] + br[3] == len;
        if !r.deckt_ganzes_dokument {
            r.befunde
                .push("das Siegel deckt nicht die ganze Datei ab (spätere Änderungen?)".into());
        }
        signierte.extend_from_slice(&pdf[..a]);
        signierte.extend_from_slice(&pdf[b..b + c]);
    } else {
        r.befunde.push("/ByteRange ist ungültig".into());
    }
    let digest: [u8; 32] = Sha256::digest(&signierte).into();

    // 2. CMS.
    let cms_der = der_ausschnitt(&feld.contents)
        .ok_or_else(|| fehler("/Contents enthält keine CMS-Struktur"))?;
    let ci = cms::content_info::ContentInfo::from_der(cms_der)
        .map_err(|e| fehler(format!("CMS nicht lesbar: {e}")))?;
    let sd: cms::signed_data::SignedData = ci
        .content
        .decode_as()
        .map_err(|e| fehler(format!("SignedData nicht lesbar: {e}")))?;
    let certs: Vec<Certificate> = sd
        .certificates
        .as_ref()
        .map(|s| {
            s.0.iter()
                .filter_map(|c| match c {
                    cms::cert::CertificateChoices::Certificate(c) => Some(c.clone()),
                    _ => None,
                })
                .collect()
        })
        .unwrap_or_default();
    let si = sd
        .signer_infos
        .0
        .iter()
        .next()
        .ok_or_else(|| fehler("keine SignerInfo"))?;
    let leaf = match &si.sid {
        cms::signed_data::SignerIdentifier::IssuerAndSerialNumber(ias) => certs
            .iter()
            .find(|c| {
                c.tbs_certificate().issuer() == &ias.issuer
                    && c.tbs_certificate().serial_number() == &ias.serial_number
            })
            .cloned(),
        cms::signed_data::SignerIdentifier::SubjectKeyIdentifier(_) => None,
    }
    .ok_or_else(|| fehler("das Siegelzertifikat fehlt in der Signatur"))?;
    r.gesiegelt_von = Some(leaf.tbs_certificate().subject().to_string());
    r.aussteller = Some(leaf.tbs_certificate().issuer().to_string());

    let attrs = si
        .signed_attrs
        .as_ref()
        .ok_or_else(|| fehler("keine signierten Attribute"))?;
    let mut md_ok = false;
    let mut ct_ok = false;
    for a in attrs.iter() {
        let wert = a.values.iter().next();
        if a.oid == oid(OID_MESSAGE_DIGEST) {
            md_ok = wert
                .and_then(|v| v.decode_as::<der::asn1::OctetString>().ok())
                .is_some_and(|o| o.as_bytes() == digest);
        } else if a.oid == oid(OID_CONTENT_TYPE) {
            ct_ok =
                wert.and_then(|v| v.decode_as::<ObjectIdentifier>().ok()) == Some(oid(OID_DATA));
        } else if a.oid == oid(OID_SIGNING_TIME) {
            r.signing_time_attribut = true;
            r.befunde
                .push("CMS-Attribut signing-time vorhanden (PAdES B-B verlangt /M)".into());
        } else if a.oid == oid(OID_SIGNING_CERT_V2) {
            let leaf_der = leaf.to_der().map_err(|e| fehler(e.to_string()))?;
            let soll: [u8; 32] = Sha256::digest(&leaf_der).into();
            r.signing_certificate_v2 = wert.and_then(ess_cert_hash).is_some_and(|h| h == soll);
        }
    }
    if !md_ok {
        r.befunde
            .push("der Inhalt wurde nach dem Siegeln verändert (Hashwert stimmt nicht)".into());
    }
    if !ct_ok {
        r.befunde
            .push("CMS-Attribut content-type fehlt oder ist falsch".into());
    }
    if !r.signing_certificate_v2 {
        r.befunde
            .push("ESS signing-certificate-v2 fehlt oder passt nicht zum Zertifikat".into());
    }
    let attrs_der = attrs.to_der().map_err(|e| fehler(e.to_string()))?;
    let sig_ok = verifizieren(
        leaf.tbs_certificate().subject_public_key_info(),
        &si.signature_algorithm.oid,
        &attrs_der,
        si.signature.as_bytes(),
    ) || (si.signature_algorithm.oid == oid("1.2.840.10045.2.1")
        && verifizieren(
            leaf.tbs_certificate().subject_public_key_info(),
            &oid("1.2.840.10045.4.3.2"),
            &attrs_der,
            si.signature.as_bytes(),
        ));
    if !sig_ok {
        r.befunde
            .push("die Signatur ist mathematisch ungültig".into());
    }
    r.siegel_intakt = md_ok && ct_ok && sig_ok;

    // 3. Trust.
    let anker_certs: Vec<Certificate> = anker
        .iter()
        .filter_map(|d| Certificate::from_der(d).ok())
        .collect();
    if anker_certs.is_empty() {
        r.befunde.push("keine Vertrauensanker angegeben".into());
    } else {
        r.vertrauenswuerdig = kette(
            &leaf,
            &certs,
            &anker_certs,
            zeit.as_ref().map(|z| z.1),
            &mut r.befunde,
        );
    }

    // 4. Embedded data and QR code.
    match eingebettete_daten(&doc) {
        Some(json) => {
            let h: [u8; 32] = Sha256::digest(&json).into();
            r.daten_sha256 = Some(hex::encode(h));
            let v: serde_json::Value = serde_json::from_slice(&json).unwrap_or_default();
            let az = v
                .get("aktenzeichen")
                .and_then(|x| x.as_str())
                .unwrap_or_default()
                .to_string();
            let datum = v
                .get("datum")
                .and_then(|x| x.as_str())
                .unwrap_or_default()
                .to_string();
            let inhalt = qr::inhalt(&az, &datum, &h);
            r.aktenzeichen = Some(az);
            let gezeichnet = qr_module_auf_seite_1(&doc);
            r.qr_passt = match (qr::module(&inhalt), gezeichnet) {
                (Ok((soll, breite)), Some((ist, ist_breite))) => {
                    breite == ist_breite && soll == ist
                }
                _ => false,
            };
            if !r.qr_passt {
                r.befunde
                    .push("der QR-Code passt nicht zu den eingebetteten Daten".into());
            }
            r.qr_inhalt = Some(inhalt);
        }
        None => r.befunde.push(format!(
            "eingebettete Entscheidungsdaten ({}) fehlen",
            crate::ANHANG_NAME
        )),
    }
    Ok(r)
}

/// The DER object at the start of `b` (the hex string is padded with zeros after it).
fn der_ausschnitt(b: &[u8]) -> Option<&[u8]> {
    if b.len() < 2 || b[0] != 0x30 {
        return None;
    }
    let (len, kopf) = if b[1] < 0x80 {
        (b[1] as usize, 2)
    } else {
        let n = (b[1] & 0x7f) as usize;
        if n == 0 || n > 4 || b.len() < 2 + n {
            return None;
        }
        (
            b[2..2 + n]
                .iter()
                .fold(0usize, |acc, x| (acc << 8) | *x as usize),
            2 + n,
        )
    };
    b.get(..kopf + len)
}

/// certHash of the first ESSCertIDv2 in a SigningCertificateV2 value.
fn ess_cert_hash(v: &Any) -> Option<Vec<u8>> {
    let signing_cert: Vec<Any> = v.decode_as().ok()?;
    let certs: Vec<Any> = signing_cert.first()?.decode_as().ok()?;
    let id: Vec<Any> = certs.first()?.decode_as().ok()?;
    // hashAlgorithm is DEFAULT sha256 and omitted; a present one must be SHA-256.
    let mut teile = id.iter();
    let mut erstes = teile.next()?;
    if erstes.tag() == Tag::Sequence {
        let alg: Vec<Any> = erstes.decode_as().ok()?;
        if alg.first()?.decode_as::<ObjectIdentifier>().ok()? != oid(crate::siegel::OID_SHA256) {
            return None;
        }
        erstes = teile.next()?;
    }
    erstes
        .decode_as::<der::asn1::OctetString>()
        .ok()
        .map(|o| o.as_bytes().to_vec())
}

fn eingebettete_daten(doc: &Document) -> Option<Vec<u8>> {
    let cat = doc.catalog().ok()?;
    let af = cat.get_deref(b"AF", doc).ok()?.as_array().ok()?;
    for spec in af {
        let (_, spec) = doc.dereference(spec).ok()?;
        let spec = spec.as_dict().ok()?;
        let name = spec
            .get(b"UF")
            .or_else(|_| spec.get(b"F"))
            .ok()?
            .as_str()
            .ok()?;
        if name != crate::ANHANG_NAME.as_bytes() {
            continue;
        }
        let ef = spec.get_deref(b"EF", doc).ok()?.as_dict().ok()?;
        let stream = ef.get_deref(b"F", doc).ok()?.as_stream().ok()?;
        return stream
            .decompressed_content()
            .ok()
            .or_else(|| Some(stream.content.clone()));
    }
    None
}

/// Reads the module grid of the `/Qr` form XObject on page one (`x y 1 1 re` per module).
fn qr_module_auf_seite_1(doc: &Document) -> Option<(Vec<bool>, usize)> {
    let (_, seite) = doc.get_pages().into_iter().next()?;
    let seite = doc.get_dictionary(seite).ok()?;
    let res = seite.get_deref(b"Resources", doc).ok()?.as_dict().ok()?;
    let xo = res.get_deref(b"XObject", doc).ok()?.as_dict().ok()?;
    let qr = xo.get_deref(b"Qr", doc).ok()?.as_stream().ok()?;
    let bbox = qr.dict.get(b"BBox").ok()?.as_array().ok()?;
    let breite = bbox.get(2)?.as_float().ok()? as usize;
    if breite == 0 || breite > 200 {
        return None;
    }
    let inhalt = qr.decompressed_content().ok()?;
    let text = String::from_utf8_lossy(&inhalt);
    let mut module = vec![false; breite * breite];
    let mut stapel: Vec<f32> = Vec::new();
    for tok in text.split_ascii_whitespace() {
        if let Ok(z) = tok.parse::<f32>() {
            stapel.push(z);
        } else {
            if tok == "re" && stapel.len() >= 4 {
                let n = stapel.len();
                let (x, y) = (stapel[n - 4] as usize, stapel[n - 3] as usize);
                if x < breite && y < breite {
                    module[(breite - 1 - y) * breite + x] = true;
                }
            }
            stapel.clear();
        }
    }
    Some((module, breite))
}
