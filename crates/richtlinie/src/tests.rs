#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use super::*;

const DATEI: &str = "/etc/amtsstube/policy.toml";

/// A Tauri updater key as `tauri signer generate` prints it: base64 of the minisign `.pub`
/// file, whose second line is base64 of „Ed“, an 8-byte key id and the 32-byte key.
fn updater_schluessel() -> String {
    let b64 = base64::engine::general_purpose::STANDARD;
    let mut roh = b"Ed".to_vec();
    roh.extend_from_slice(&[7u8; 8]);
    roh.extend_from_slice(&[42u8; 32]);
    let datei = format!(
        "untrusted comment: minisign public key: 0707070707070707\n{}\n",
        b64.encode(roh)
    );
    b64.encode(datei)
}

fn fehler(text: &str) -> RichtlinienFehler {
    Richtlinie::aus_text(text, DATEI).unwrap_err()
}

#[test]
fn the_example_policy_is_valid_and_pins_what_it_says() {
    let text = include_str!("../../../assets/examples/policy.toml");
    let r = Richtlinie::aus_text(text, DATEI).unwrap();
    assert_eq!(r.demo_erlaubt, Some(false));
    assert_eq!(
        r.zustelldienst.base_url.as_deref(),
        Some("https://zustelldienst.musterstadt.example/")
    );
    assert_eq!(r.schluesselquelle, Some(SchluesselArt::Schluesselbund));
    assert_eq!(
        r.rollen_datei.as_deref(),
        Some(Path::new("/etc/amtsstube/rollen.toml"))
    );
    assert!(r.siegel.is_some());
    assert_eq!(r.aktualisierung.aktiv, Some(false));
    assert_eq!(r.protokollstufe, Some(Protokollstufe::Info));
}

#[test]
fn every_field_is_read_and_its_line_is_known() {
    let text = format!(
        "demo_erlaubt = false\n\
         schluesselquelle = \"datei\"\n\
         schluesseldatei = \"/var/lib/amtsstube/schluessel\"\n\
         rollen_datei = \"/srv/amtsstube/rollen.toml\"\n\
         protokollstufe = \"debug\"\n\
         \n\
         [zustelldienst]\n\
         base_url = \"https://zd.example/\"\n\
         token_url = \"https://auth.example/token\"\n\
         destination_id = \"8a7c1d0e-0000-4000-8000-000000000001\"\n\
         \n\
         [siegel]\n\
         pkcs11_modul = \"/usr/lib/softhsm/libsofthsm2.so\"\n\
         token = \"Siegel\"\n\
         schluessel = \"siegel-2026\"\n\
         vertrauensanker = [\"/etc/amtsstube/wurzel.pem\"]\n\
         \n\
         [aktualisierung]\n\
         aktiv = true\n\
         kanal = \"vorab\"\n\
         oeffentlicher_schluessel = \"{}\"\n\
         adresse = \"https://aktualisierung.musterstadt.example/amtsstube/{{{{kanal}}}}/latest.json\"\n",
        updater_schluessel()
    );
    let r = Richtlinie::aus_text(&text, DATEI).unwrap();
    assert_eq!(r.datei.as_deref(), Some(DATEI));
    assert_eq!(r.schluesselquelle, Some(SchluesselArt::Datei));
    assert_eq!(r.protokollstufe, Some(Protokollstufe::Debug));
    assert_eq!(r.aktualisierung.kanal, Some(Kanal::Vorab));
    assert_eq!(r.zeile("zustelldienst.token_url"), Some(9));
    assert_eq!(r.zeile("demo_erlaubt"), Some(1));
    assert_eq!(
        r.wo("zustelldienst.base_url"),
        format!("in {DATEI}, Zeile 8")
    );
    let felder: Vec<&str> = r.festlegungen().iter().map(|f| f.feld).collect();
    assert_eq!(
        felder,
        [
            "zustelldienst.base_url",
            "zustelldienst.token_url",
            "zustelldienst.destination_id",
            "schluesselquelle",
            "schluesseldatei",
            "siegel",
            "siegel.vertrauensanker",
            "rollen_datei",
            "demo_erlaubt",
            "aktualisierung.aktiv",
            "aktualisierung.kanal",
            "aktualisierung.oeffentlicher_schluessel",
            "aktualisierung.adresse",
            "protokollstufe",
        ]
    );
    let demo = &r.festlegungen()[8];
    assert_eq!(
        (demo.bezeichnung, demo.wert.as_str(), demo.zeile),
        ("Demo-Modus erlaubt", "nein", Some(1))
    );
}

#[test]
fn no_file_and_an_empty_file_pin_nothing() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("gibt-es-nicht");
    let r = Richtlinie::laden(&dir.join(DATEINAME)).unwrap();
    assert_eq!(r, Richtlinie::default());
    assert!(!r.legt_etwas_fest());
    let leer = Richtlinie::aus_text("# nichts festgelegt\n", DATEI).unwrap();
    assert!(!leer.legt_etwas_fest());
    assert!(leer.demo_pruefen(true).is_ok());
}

#[test]
fn an_unknown_field_is_refused_with_its_name_and_line() {
    let e = fehler("[zustelldienst]\nbase_url = \"https://zd.example/\"\nbasis_url = \"x\"\n");
    assert_eq!(e.zeile, Some(3), "{e}");
    assert!(e.meldung.contains("unbekanntes Feld"), "{e}");
    assert!(e.to_string().contains("basis_url"), "{e}");
    assert!(
        e.to_string()
            .starts_with("Richtlinie /etc/amtsstube/policy.toml, Zeile 3"),
        "{e}"
    );
    let e = fehler("demo_erlaubt = true\nklartext_erlaubt = true\n");
    assert_eq!(e.zeile, Some(2), "{e}");
    assert!(e.to_string().contains("klartext_erlaubt"), "{e}");
}

#[test]
fn a_wrong_type_is_refused_naming_the_field() {
    let e = fehler("rollen_datei = \"/etc/amtsstube/rollen.toml\"\ndemo_erlaubt = \"nein\"\n");
    assert_eq!((e.feld.as_str(), e.zeile), ("demo_erlaubt", Some(2)), "{e}");
    assert!(e.meldung.contains("falscher Typ"), "{e}");
    let e = fehler("[aktualisierung]\nkanal = 3\n");
    assert_eq!(e.feld, "aktualisierung.kanal", "{e}");
    assert_eq!(e.zeile, Some(2), "{e}");
}

#[test]
fn a_toml_syntax_error_names_its_line() {
    let e = fehler("demo_erlaubt = false\n[zustelldienst\nbase_url = \"https://x/\"\n");
    assert_eq!(e.zeile, Some(2), "{e}");
    assert!(e.to_string().contains(DATEI), "{e}");
}

#[test]
fn a_plain_http_url_to_another_machine_is_refused_and_loopback_is_allowed() {
    let e = fehler("[zustelldienst]\ntoken_url = \"http://auth.example/token\"\n");
    assert_eq!(
        (e.feld.as_str(), e.zeile),
        ("zustelldienst.token_url", Some(2)),
        "{e}"
    );
    assert!(e.meldung.contains("unverschlüsselt"), "{e}");
    let e = fehler("[zustelldienst]\nbase_url = \"ftp://zd.example/\"\n");
    assert_eq!(e.feld, "zustelldienst.base_url", "{e}");
    let e = fehler("[zustelldienst]\nbase_url = \"kein url\"\n");
    assert!(e.meldung.contains("keine gültige Adresse"), "{e}");
    for lokal in [
        "http://127.0.0.1:8080/",
        "http://[::1]:9/",
        "http://localhost/",
    ] {
        let r = Richtlinie::aus_text(&format!("[zustelldienst]\nbase_url = \"{lokal}\"\n"), DATEI)
            .unwrap();
        assert_eq!(r.zustelldienst.base_url.as_deref(), Some(lokal));
    }
}

#[test]
fn only_the_key_sources_the_store_knows_are_allowed() {
    let e = fehler("schluesselquelle = \"klartext\"\n");
    assert_eq!(e.feld, "schluesselquelle", "{e}");
    assert!(
        e.meldung.contains("schluesselbund") && e.meldung.contains("datei"),
        "{e}"
    );
    let e = fehler("schluesselquelle = \"datei\"\n");
    assert_eq!(
        (e.feld.as_str(), e.zeile),
        ("schluesselquelle", Some(1)),
        "{e}"
    );
    let e = fehler("schluesseldatei = \"/var/lib/k\"\n");
    assert_eq!(e.feld, "schluesseldatei", "{e}");
    let e = fehler("schluesselquelle = \"schluesselbund\"\nschluesseldatei = \"/var/lib/k\"\n");
    assert_eq!(
        (e.feld.as_str(), e.zeile),
        ("schluesseldatei", Some(2)),
        "{e}"
    );
    let e = fehler("schluesselquelle = \"datei\"\nschluesseldatei = \"schluessel.bin\"\n");
    assert!(e.meldung.contains("kein absoluter Pfad"), "{e}");
}

#[test]
fn paths_must_be_absolute() {
    let e = fehler("rollen_datei = \"rollen.toml\"\n");
    assert_eq!((e.feld.as_str(), e.zeile), ("rollen_datei", Some(1)), "{e}");
    let e = fehler("[siegel]\npkcs12 = \"siegel.p12\"\n");
    assert_eq!(
        (e.feld.as_str(), e.zeile),
        ("siegel.pkcs12", Some(2)),
        "{e}"
    );
    let e =
        fehler("[siegel]\npkcs12 = \"/etc/s.p12\"\nvertrauensanker = [\"/a.pem\", \"b.pem\"]\n");
    assert_eq!(e.feld, "siegel.vertrauensanker[1]", "{e}");
    assert_eq!(e.zeile, Some(3), "{e}");
}

#[test]
fn a_seal_is_either_a_pkcs12_file_or_a_whole_token() {
    let e = fehler("[siegel]\npkcs11_modul = \"/usr/lib/p11.so\"\ntoken = \"Siegel\"\n");
    assert_eq!((e.feld.as_str(), e.zeile), ("siegel", Some(1)), "{e}");
    let e = fehler(
        "[siegel]\npkcs12 = \"/etc/s.p12\"\npkcs11_modul = \"/usr/lib/p11.so\"\ntoken = \"S\"\nschluessel = \"k\"\n",
    );
    assert_eq!(e.feld, "siegel", "{e}");
    let e = fehler("[siegel]\npkcs12 = \"/etc/s.p12\"\npasswort = \"geheim\"\n");
    assert!(
        e.to_string().contains("passwort") && e.zeile == Some(3),
        "{e}"
    );
}

#[test]
fn the_updater_needs_a_valid_key_when_it_is_on() {
    let e = fehler("[aktualisierung]\naktiv = true\n");
    assert_eq!(
        (e.feld.as_str(), e.zeile),
        ("aktualisierung.aktiv", Some(2)),
        "{e}"
    );
    let e = fehler("[aktualisierung]\naktiv = false\noeffentlicher_schluessel = \"abc\"\n");
    assert_eq!(
        (e.feld.as_str(), e.zeile),
        ("aktualisierung.oeffentlicher_schluessel", Some(3)),
        "{e}"
    );
    let r = Richtlinie::aus_text("[aktualisierung]\naktiv = false\n", DATEI).unwrap();
    assert_eq!(r.aktualisierung.aktiv, Some(false));
    assert!(!r.aktualisierung.eingeschaltet());
    let e = fehler("[aktualisierung]\nkanal = \"nightly\"\n");
    assert!(e.meldung.contains("stabil"), "{e}");
    let e = fehler("protokollstufe = \"laut\"\n");
    assert_eq!(e.feld, "protokollstufe", "{e}");
    for (text, stufe) in [
        ("warnung", Protokollstufe::Warn),
        ("fehler", Protokollstufe::Error),
        ("aus", Protokollstufe::Aus),
        ("trace", Protokollstufe::Trace),
    ] {
        let r = Richtlinie::aus_text(&format!("protokollstufe = \"{text}\"\n"), DATEI).unwrap();
        assert_eq!(r.protokollstufe, Some(stufe), "{text}");
    }
}

#[test]
fn demo_mode_is_refused_only_when_forbidden_and_the_profile_is_unconnected() {
    let r = Richtlinie::aus_text("# Kommentar\ndemo_erlaubt = false\n", DATEI).unwrap();
    let e = r.demo_pruefen(true).unwrap_err();
    assert_eq!((e.feld.as_str(), e.zeile), ("demo_erlaubt", Some(2)), "{e}");
    assert!(e.meldung.contains("amtsstube connect"), "{e}");
    assert!(r.demo_pruefen(false).is_ok());
    let erlaubt = Richtlinie::aus_text("demo_erlaubt = true\n", DATEI).unwrap();
    assert!(erlaubt.demo_pruefen(true).is_ok());
}

#[test]
fn the_updater_on_needs_an_address_that_is_https_or_this_machine() {
    let schluessel = updater_schluessel();
    let mit = |zeilen: &str| {
        format!("[aktualisierung]\noeffentlicher_schluessel = \"{schluessel}\"\n{zeilen}")
    };
    let e = fehler(&mit("aktiv = true\n"));
    assert_eq!(
        (e.feld.as_str(), e.zeile),
        ("aktualisierung.aktiv", Some(3)),
        "{e}"
    );
    assert!(e.meldung.contains("adresse"), "{e}");
    let e = fehler(&mit(
        "aktiv = true\nadresse = \"http://aktualisierung.example/latest.json\"\n",
    ));
    assert_eq!(
        (e.feld.as_str(), e.zeile),
        ("aktualisierung.adresse", Some(4)),
        "{e}"
    );
    assert!(e.meldung.contains("unverschlüsselt"), "{e}");
    let e = fehler(&mit("adresse = \"ftp://aktualisierung.example/\"\n"));
    assert_eq!(e.feld, "aktualisierung.adresse", "{e}");
    let e = fehler("[aktualisierung]\naktiv = true\nadresse = \"https://a.example/latest.json\"\n");
    assert_eq!(e.feld, "aktualisierung.aktiv", "{e}");
    assert!(e.meldung.contains("oeffentlicher_schluessel"), "{e}");

    let r = Richtlinie::aus_text(
        &mit("aktiv = true\nkanal = \"vorab\"\nadresse = \"http://127.0.0.1:8080/{{kanal}}/latest.json\"\n"),
        DATEI,
    )
    .unwrap();
    assert!(r.aktualisierung.eingeschaltet());
    let f = r
        .festlegungen()
        .into_iter()
        .find(|f| f.feld == "aktualisierung.adresse")
        .unwrap();
    assert_eq!(
        (f.bezeichnung, f.wert.as_str(), f.zeile),
        (
            "Adresse für Aktualisierungen",
            "http://127.0.0.1:8080/{{kanal}}/latest.json",
            Some(5)
        )
    );
    // An address alone does not turn it on: only aktiv = true does.
    let r =
        Richtlinie::aus_text(&mit("adresse = \"https://a.example/latest.json\"\n"), DATEI).unwrap();
    assert!(!r.aktualisierung.eingeschaltet());
}
