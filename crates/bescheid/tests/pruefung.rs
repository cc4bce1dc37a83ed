#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Our own verifier: what it reports for good seals, chains through an intermediate CA,
//! certificates not valid at /M, foreign trust anchors, and files without a seal.

mod common;

use bescheid::{Leistung, ausstellen, pruefen};
use common::*;
use time::macros::datetime;

#[test]
fn a_good_seal_reports_signer_issuer_time_aktenzeichen_and_the_qr_payload() {
    let pki = Pki::neu(Typ::P256);
    let e = beispiel(Leistung::Hundesteuer);
    let jetzt = time::OffsetDateTime::now_utc();
    let a = ausstellen(&e, &pki.schluessel(), jetzt).unwrap();
    let r = pruefen(&a.pdf, &[pki.root_der()]).unwrap();
    assert!(r.gueltig(), "{r:?}");
    assert!(r.befunde.is_empty());
    assert_eq!(
        r.gesiegelt_von.as_deref(),
        Some("CN=Siegel der Stadt Musterstadt,O=Stadt Musterstadt,C=DE")
    );
    assert_eq!(
        r.aussteller.as_deref(),
        Some("CN=Test-Wurzel-CA Amtsstube,O=Testverwaltung,C=DE")
    );
    assert_eq!(r.aktenzeichen.as_deref(), Some(e.aktenzeichen.as_str()));
    assert_eq!(r.qr_inhalt.as_deref(), Some(a.qr_inhalt.as_str()));
    assert!(
        r.zeitpunkt
            .unwrap()
            .starts_with(&format!("{:04}-", jetzt.year()))
    );
}

#[test]
fn a_seal_is_not_trusted_when_its_certificate_was_not_valid_at_the_sealing_time() {
    let pki = Pki::neu(Typ::P256);
    let a = ausstellen(
        &beispiel(Leistung::Hundesteuer),
        &pki.schluessel(),
        datetime!(2045-01-01 12:00:00 UTC),
    )
    .unwrap();
    let r = pruefen(&a.pdf, &[pki.root_der()]).unwrap();
    assert!(r.siegel_intakt);
    assert!(!r.vertrauenswuerdig);
    assert!(!r.gueltig());
    assert!(
        r.befunde.iter().any(|b| b.contains("nicht gültig")),
        "{:?}",
        r.befunde
    );
}

#[test]
fn a_seal_is_not_trusted_under_a_foreign_root_nor_without_any_root() {
    let pki = Pki::neu(Typ::P256);
    let fremd = Pki::neu(Typ::P256);
    let a = ausstellen(
        &beispiel(Leistung::Gewerbeanmeldung),
        &pki.schluessel(),
        time::OffsetDateTime::now_utc(),
    )
    .unwrap();
    let r = pruefen(&a.pdf, &[fremd.root_der()]).unwrap();
    assert!(r.siegel_intakt && !r.vertrauenswuerdig && !r.gueltig());
    let r = pruefen(&a.pdf, &[]).unwrap();
    assert!(!r.vertrauenswuerdig && !r.gueltig());
}

#[test]
fn a_chain_through_an_intermediate_ca_in_the_pkcs12_file_is_trusted_via_the_root() {
    let pki = Pki::neu(Typ::P256);
    let d = pki.dir.path();
    openssl(
        d,
        &[
            "genpkey",
            "-algorithm",
            "EC",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-out",
            "inter.key",
        ],
    );
    openssl(
        d,
        &[
            "req",
            "-new",
            "-key",
            "inter.key",
            "-subj",
            "/C=DE/O=Testverwaltung/CN=Test-Siegel-CA",
            "-out",
            "inter.csr",
        ],
    );
    std::fs::write(
        d.join("ca.cnf"),
        "basicConstraints=critical,CA:TRUE,pathlen:0\nkeyUsage=critical,keyCertSign,cRLSign\n",
    )
    .unwrap();
    openssl(
        d,
        &[
            "x509",
            "-req",
            "-in",
            "inter.csr",
            "-CA",
            "root.pem",
            "-CAkey",
            "root.key",
            "-CAcreateserial",
            "-days",
            "100",
            "-sha256",
            "-extfile",
            "ca.cnf",
            "-out",
            "inter.pem",
        ],
    );
    openssl(
        d,
        &[
            "x509",
            "-req",
            "-in",
            "seal.csr",
            "-CA",
            "inter.pem",
            "-CAkey",
            "inter.key",
            "-CAcreateserial",
            "-days",
            "50",
            "-sha256",
            "-extfile",
            "ext.cnf",
            "-out",
            "seal2.pem",
        ],
    );
    openssl(
        d,
        &[
            "pkcs12",
            "-export",
            "-inkey",
            "seal.key",
            "-in",
            "seal2.pem",
            "-certfile",
            "inter.pem",
            "-passout",
            "pass:x",
            "-out",
            "seal2.p12",
        ],
    );
    let key =
        bescheid::P12Schluessel::laden(&std::fs::read(d.join("seal2.p12")).unwrap(), "x").unwrap();
    let a = ausstellen(
        &beispiel(Leistung::Bewohnerparkausweis),
        &key,
        time::OffsetDateTime::now_utc(),
    )
    .unwrap();
    let r = pruefen(&a.pdf, &[pki.root_der()]).unwrap();
    assert!(r.gueltig(), "{r:?}");
    assert_eq!(
        r.aussteller.as_deref(),
        Some("CN=Test-Siegel-CA,O=Testverwaltung,C=DE")
    );
}

#[test]
fn a_pdf_without_a_seal_is_refused_with_a_german_message() {
    let mut pdf = pdf_writer::Pdf::new();
    let (cat, pages) = (pdf_writer::Ref::new(1), pdf_writer::Ref::new(2));
    pdf.catalog(cat).pages(pages);
    pdf.pages(pages).count(0);
    let err = pruefen(&pdf.finish(), &[]).unwrap_err();
    assert!(err.to_string().contains("kein Siegel"), "{err}");
}

#[test]
fn trust_anchors_load_from_pem_and_der() {
    let pki = Pki::neu(Typ::P256);
    let pem = std::fs::read(pki.pfad("root.pem")).unwrap();
    assert_eq!(
        bescheid::pruefung::vertrauensanker_laden(&pem).unwrap(),
        vec![pki.root_der()]
    );
    assert_eq!(
        bescheid::pruefung::vertrauensanker_laden(&pki.root_der()).unwrap(),
        vec![pki.root_der()]
    );
    assert!(bescheid::pruefung::vertrauensanker_laden(b"kein Zertifikat").is_err());
}

#[test]
fn a_qr_code_that_does_not_match_the_embedded_data_is_reported() {
    let pki = Pki::neu(Typ::P256);
    let a = ausstellen(
        &beispiel(Leistung::Hundesteuer),
        &pki.schluessel(),
        time::OffsetDateTime::now_utc(),
    )
    .unwrap();
    // Rewrite the QR form XObject with one dark module fewer (lopdf saves a new file).
    let mut doc = lopdf::Document::load_mem(&a.pdf).unwrap();
    let (_, seite) = doc.get_pages().into_iter().next().unwrap();
    let res = doc
        .get_dictionary(seite)
        .unwrap()
        .get(b"Resources")
        .unwrap()
        .clone();
    let res = doc.dereference(&res).unwrap().1.as_dict().unwrap().clone();
    let xo = doc
        .dereference(res.get(b"XObject").unwrap())
        .unwrap()
        .1
        .as_dict()
        .unwrap()
        .clone();
    let qr_id = xo.get(b"Qr").unwrap().as_reference().unwrap();
    let stream = doc.get_object_mut(qr_id).unwrap().as_stream_mut().unwrap();
    let inhalt = String::from_utf8(stream.decompressed_content().unwrap()).unwrap();
    let erstes = inhalt.find(" re").unwrap();
    let zeilenanfang = inhalt[..erstes].rfind('\n').map_or(0, |p| p + 1);
    let neu = format!("{}{}", &inhalt[..zeilenanfang], &inhalt[erstes + 3..]);
    stream.dict.remove(b"Filter");
    stream.set_content(neu.into_bytes());
    let mut geaendert = Vec::new();
    doc.save_to(&mut geaendert).unwrap();

    let r = pruefen(&geaendert, &[pki.root_der()]).unwrap();
    assert!(!r.qr_passt, "{r:?}");
    assert!(
        r.befunde.iter().any(|b| b.contains("QR-Code")),
        "{:?}",
        r.befunde
    );
    assert!(!r.gueltig());
    // The unmodified file's QR code matches.
    assert!(pruefen(&a.pdf, &[pki.root_der()]).unwrap().qr_passt);
}
