#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Sealing with a key that never leaves a PKCS#11 token (SoftHSM2, Debian `softhsm2`), made
//! in a temp dir with its own SOFTHSM2_CONF; validated by pdfsig-independent pyHanko and by
//! our own verifier.

mod common;

use bescheid::pkcs11::Pkcs11Schluessel;
use bescheid::{Leistung, ausstellen};
use common::softhsm::*;
use common::*;

static LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn siegeln_mit_token(typ: Typ) {
    let _g = LOCK.lock().unwrap_or_else(|e| e.into_inner());
    let pki = Pki::neu(typ);
    let (conf, _dir) = token(&pki);
    setze_softhsm_conf(&conf);
    let key = Pkcs11Schluessel::oeffnen(&softhsm_modul(), "Siegeltoken", "siegel", PIN).unwrap();
    let a = ausstellen(
        &beispiel(Leistung::Bewohnerparkausweis),
        &key,
        time::OffsetDateTime::now_utc(),
    )
    .unwrap();
    let bericht = bescheid::pruefen(&a.pdf, &[pki.root_der()]).unwrap();
    assert!(bericht.gueltig(), "{bericht:?}");
    let pdf = pki.pfad("token.pdf");
    std::fs::write(&pdf, &a.pdf).unwrap();
    let o = tool(
        "pyhanko",
        "pip install pyhanko-cli",
        &[
            "sign",
            "validate",
            "--pretty-print",
            "--trust-replace",
            "--trust",
            pki.pfad("root.pem").to_str().unwrap(),
            pdf.to_str().unwrap(),
        ],
    );
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        o.status.success() && out.contains("The signature is judged VALID"),
        "{out}"
    );
    // A wrong PIN is refused with a German message.
    let err =
        Pkcs11Schluessel::oeffnen(&softhsm_modul(), "Siegeltoken", "siegel", "falsch").unwrap_err();
    assert!(err.to_string().contains("PIN"), "{err}");
}

#[test]
fn a_p256_key_on_a_softhsm_token_seals_a_valid_bescheid() {
    siegeln_mit_token(Typ::P256);
}

#[test]
fn an_rsa_3072_key_on_a_softhsm_token_seals_a_valid_bescheid() {
    siegeln_mit_token(Typ::Rsa3072);
}
