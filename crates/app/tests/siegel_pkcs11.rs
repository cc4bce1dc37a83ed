#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! The authority's seal on a PKCS#11 token, as the administrator configures it: `[siegel]
//! pkcs11_modul`, `token`, `schluessel` in the Behördenkonfiguration and the PIN in the OS
//! keyring (service `amtsstube-siegel`, account `pkcs11:<token>`); SoftHSM2 stands in for the
//! HSM. The app's seal key seals a Bescheid that verifies against the test PKI's root; a wrong
//! PIN is refused with a German message (`with-keyring.sh cargo test -p app --test
//! siegel_pkcs11`).

#[path = "../../bescheid/tests/common/mod.rs"]
mod bescheid_common;

use app::AppContext;
use bescheid::Leistung;
use bescheid_common::softhsm::{PIN, setze_softhsm_conf, softhsm_modul, token};
use bescheid_common::{Pki, Typ, beispiel};

#[test]
fn a_seal_key_on_a_pkcs11_token_configured_by_the_administrator_seals_a_valid_bescheid() {
    let pki = Pki::neu(Typ::P256);
    let (conf, _token_dir) = token(&pki);
    setze_softhsm_conf(&conf);
    let label = "Siegeltoken";
    let konto = format!("pkcs11:{label}");
    let eintrag = keyring::Entry::new(app::siegel::KEYRING_DIENST, &konto).unwrap();

    let mut b = behoerde::Behoerde::demo().unwrap();
    b.siegel = Some(behoerde::Siegel {
        pkcs12: None,
        pkcs11_modul: Some(softhsm_modul().display().to_string()),
        token: Some(label.into()),
        schluessel: Some("siegel".into()),
        vertrauensanker: Vec::new(),
    });
    let dir = tempfile::tempdir().unwrap();
    let ctx = AppContext::open(dir.path()).unwrap().mit_behoerde(b);

    // A wrong PIN: refused, in German.
    eintrag.set_password("0000-0000").unwrap();
    let e = ctx
        .siegelschluessel()
        .err()
        .expect("a wrong PIN is refused");
    assert!(e.message.contains("Siegel-Token"), "{}", e.message);

    eintrag.set_password(PIN).unwrap();
    let k = ctx.siegelschluessel().unwrap();
    let aus = bescheid::ausstellen(
        &beispiel(Leistung::Hundesteuer),
        k.as_ref(),
        time::OffsetDateTime::now_utc(),
    )
    .unwrap();
    let anker =
        bescheid::pruefung::vertrauensanker_laden(&std::fs::read(pki.pfad("root.pem")).unwrap())
            .unwrap();
    let r = bescheid::pruefen(&aus.pdf, &anker).unwrap();
    assert!(r.gueltig(), "{r:?}");
    let _ = eintrag.delete_credential();
}
