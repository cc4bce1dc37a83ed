#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Independent validators accept our seal: poppler's `pdfsig` (trust via an NSS database made
//! here with `certutil`), pyHanko (`pyhanko sign validate --trust`), and `qpdf --check`.
//! One changed byte inside the signed range makes all of them (and our own verifier) reject.

mod common;

use std::path::Path;

use bescheid::{Leistung, ausstellen};
use common::*;

fn nss_db(pki: &Pki) -> std::path::PathBuf {
    let db = pki.pfad("nssdb");
    std::fs::create_dir_all(&db).unwrap();
    let db_arg = format!("sql:{}", db.display());
    let o = tool(
        "certutil",
        "apt-get install -y libnss3-tools",
        &["-N", "-d", &db_arg, "--empty-password"],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let root = pki.pfad("root.pem");
    let o = tool(
        "certutil",
        "apt-get install -y libnss3-tools",
        &[
            "-A",
            "-d",
            &db_arg,
            "-n",
            "Test-Wurzel",
            "-t",
            "CT,C,C",
            "-i",
            root.to_str().unwrap(),
        ],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    db
}

struct Urteil {
    gueltig: bool,
    ausgabe: String,
}

fn pdfsig(db: &Path, pdf: &Path) -> Urteil {
    let o = tool(
        "pdfsig",
        "apt-get install -y poppler-utils",
        &[
            "-nssdir",
            &format!("sql:{}", db.display()),
            pdf.to_str().unwrap(),
        ],
    );
    let ausgabe = format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    let gueltig = ausgabe.contains("Signature Validation: Signature is Valid.")
        && ausgabe.contains("Certificate Validation: Certificate is Trusted.")
        && ausgabe.contains("Total document signed");
    Urteil { gueltig, ausgabe }
}

fn pyhanko(root: &Path, pdf: &Path) -> Urteil {
    let o = tool(
        "pyhanko",
        "pip install pyhanko-cli",
        &[
            "sign",
            "validate",
            "--pretty-print",
            "--trust-replace",
            "--trust",
            root.to_str().unwrap(),
            pdf.to_str().unwrap(),
        ],
    );
    let ausgabe = format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    let gueltig = o.status.success()
        && ausgabe.contains("The signature is judged VALID")
        && ausgabe.contains("cryptographically sound")
        && ausgabe.contains("trusted");
    Urteil { gueltig, ausgabe }
}

fn qpdf(pdf: &Path) -> Urteil {
    let o = tool(
        "qpdf",
        "apt-get install -y qpdf",
        &["--check", pdf.to_str().unwrap()],
    );
    let ausgabe = format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    let gueltig =
        o.status.success() && ausgabe.contains("No syntax or stream encoding errors found");
    Urteil { gueltig, ausgabe }
}

fn pruefe_mit_allen(typ: Typ, leistung: Leistung) {
    let pki = Pki::neu(typ);
    let key = pki.schluessel();
    let e = beispiel(leistung);
    let a = ausstellen(&e, &key, time::OffsetDateTime::now_utc()).unwrap();
    let pdf = pki.pfad("bescheid.pdf");
    std::fs::write(&pdf, &a.pdf).unwrap();
    std::fs::write(
        artefakte().join(format!("gesiegelt-{typ:?}-{}.pdf", leistung.id())),
        &a.pdf,
    )
    .unwrap();
    let db = nss_db(&pki);
    let root = pki.pfad("root.pem");

    let u = pdfsig(&db, &pdf);
    assert!(u.gueltig, "pdfsig lehnt ab:\n{}", u.ausgabe);
    let u = pyhanko(&root, &pdf);
    assert!(u.gueltig, "pyHanko lehnt ab:\n{}", u.ausgabe);
    let u = qpdf(&pdf);
    assert!(u.gueltig, "qpdf --check meldet:\n{}", u.ausgabe);
    let bericht = bescheid::pruefen(&a.pdf, &[pki.root_der()]).unwrap();
    assert!(bericht.gueltig(), "{bericht:?}");

    // One changed byte inside the signed range: halfway to the signature value, and at the
    // very end of the file (the trailer), both outside the /Contents hex string.
    let contents = a.pdf.windows(11).position(|w| w == b"/Contents <").unwrap();
    for pos in [contents / 2, a.pdf.len() - 3] {
        manipuliert_abgelehnt(&pki, &db, &a.pdf, pos);
    }
}

fn manipuliert_abgelehnt(pki: &Pki, db: &Path, original: &[u8], pos: usize) {
    let root = pki.pfad("root.pem");
    let mut kaputt = original.to_vec();
    kaputt[pos] ^= 0x01;
    let pdf2 = pki.pfad("manipuliert.pdf");
    std::fs::write(&pdf2, &kaputt).unwrap();
    let u = pdfsig(db, &pdf2);
    assert!(
        !u.gueltig,
        "pdfsig nimmt eine manipulierte Datei an:\n{}",
        u.ausgabe
    );
    let u = pyhanko(&root, &pdf2);
    assert!(
        !u.gueltig,
        "pyHanko nimmt eine manipulierte Datei an:\n{}",
        u.ausgabe
    );
    if let Ok(b) = bescheid::pruefen(&kaputt, &[pki.root_der()]) {
        assert!(
            !b.gueltig(),
            "eigene Prüfung nimmt eine manipulierte Datei an: {b:?}"
        );
    }
}

#[test]
fn a_p256_seal_from_pkcs12_is_valid_and_trusted_for_pdfsig_pyhanko_and_qpdf() {
    pruefe_mit_allen(Typ::P256, Leistung::Hundesteuer);
}

#[test]
fn an_rsa_3072_seal_from_pkcs12_is_valid_and_trusted_for_pdfsig_pyhanko_and_qpdf() {
    pruefe_mit_allen(Typ::Rsa3072, Leistung::Gewerbeanmeldung);
}

#[test]
fn an_rsa_4096_seal_from_pkcs12_is_valid_and_trusted_for_pdfsig_pyhanko_and_qpdf() {
    pruefe_mit_allen(Typ::Rsa4096, Leistung::Bewohnerparkausweis);
}

#[test]
fn a_p256_seal_on_a_sondernutzungserlaubnis_is_valid_and_trusted_for_pdfsig_pyhanko_and_qpdf() {
    pruefe_mit_allen(Typ::P256, Leistung::Sondernutzung);
}

#[test]
fn an_rsa_3072_seal_on_a_meldebescheinigung_is_valid_and_trusted_for_pdfsig_pyhanko_and_qpdf() {
    pruefe_mit_allen(Typ::Rsa3072, Leistung::Meldebescheinigung);
}
