#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! The caseworker's own wording (Entscheidung.text), the template's proposal for it, the
//! Rechtsbehelfsbelehrung by Land, and the GiroCode payload.

mod common;

use bescheid::{
    BescheidError, Bescheidtext, Leistung, ausstellen, epc_inhalt, rechtsbehelfsbelehrung,
    textvorschlag, vorschau,
};
use common::*;
use time::macros::datetime;

fn gesiegelter_text(pki: &Pki, e: &bescheid::Entscheidung, name: &str) -> String {
    let a = ausstellen(e, &pki.schluessel(), datetime!(2026-11-20 09:30:00 UTC)).unwrap();
    let pdf = pki.pfad(&format!("{name}.pdf"));
    std::fs::write(&pdf, &a.pdf).unwrap();
    pdftotext(&pdf)
}

#[test]
fn setting_the_template_proposal_as_text_gives_the_same_pages_as_the_template_for_every_leistung() {
    let pki = Pki::neu(Typ::P256);
    for l in Leistung::ALLE {
        let e = beispiel(l);
        assert!(
            e.text.is_none(),
            "{l:?}: Beispiel ohne eigenen Text erwartet"
        );
        let vorschlag = textvorschlag(&e).unwrap();
        assert!(!vorschlag.tenor.is_empty(), "{l:?}: kein Tenor");
        assert!(!vorschlag.begruendung.is_empty(), "{l:?}: keine Begründung");
        assert!(
            !vorschlag.nebenbestimmungen.is_empty(),
            "{l:?}: keine Hinweise"
        );
        let mut mit = e.clone();
        mit.text = Some(vorschlag);
        // The same drawing on every page (the preview has no JSON-dependent seal code) …
        assert_eq!(
            vorschau(&e).unwrap().seiten,
            vorschau(&mit).unwrap().seiten,
            "{l:?}: Vorschau weicht ab"
        );
        // … and the same text in the sealed PDF.
        assert_eq!(
            gesiegelter_text(&pki, &e, &format!("{}-vorlage", l.id())),
            gesiegelter_text(&pki, &mit, &format!("{}-text", l.id())),
            "{l:?}: Seitentext weicht ab"
        );
    }
}

#[test]
fn the_proposal_reads_back_from_json_and_example_jsons_without_text_stay_valid() {
    let e = beispiel(Leistung::Hundesteuer);
    let mut mit = e.clone();
    mit.text = Some(textvorschlag(&e).unwrap());
    let json = mit.to_embedded_json().unwrap();
    assert_eq!(bescheid::Entscheidung::from_json(&json).unwrap(), mit);
    // Without text the field is not written at all.
    let ohne = String::from_utf8(e.to_embedded_json().unwrap()).unwrap();
    assert!(!ohne.contains("\"text\""), "{ohne}");
    // Unknown fields inside the text are refused like everywhere else.
    let kaputt =
        String::from_utf8(json)
            .unwrap()
            .replacen("\"tenor\"", "\"tenr\": [], \"tenor\"", 1);
    assert!(matches!(
        bescheid::Entscheidung::from_json(kaputt.as_bytes()),
        Err(BescheidError::Eingabe { .. })
    ));
}

#[test]
fn the_caseworkers_text_replaces_tenor_begruendung_and_hinweise_and_the_rest_stays() {
    let pki = Pki::neu(Typ::P256);
    let mut e = beispiel(Leistung::Bewohnerparkausweis);
    e.text = Some(Bescheidtext {
        tenor: vec![
            "Der Bewohnerparkausweis wird für die Zone B erteilt.".into(),
            "  ".into(),
            "Er gilt ein Jahr.\nDanach ist ein neuer Antrag nötig.".into(),
        ],
        begruendung: "Erster Absatz der Begründung.\n\nZweiter Absatz.".into(),
        nebenbestimmungen: vec![],
    });
    let text = gesiegelter_text(&pki, &e, "eigener-text");
    for soll in [
        "1. Der Bewohnerparkausweis wird für die Zone B erteilt.",
        "2. Er gilt ein Jahr.",
        "Danach ist ein neuer Antrag nötig.",
        "Erster Absatz der Begründung.",
        "Zweiter Absatz.",
        // From the template:
        "Bescheid über die Erteilung eines Bewohnerparkausweises",
        "Gesamtbetrag",
        "Bitte überweisen Sie",
        "Rechtsbehelfsbelehrung",
        "Mit freundlichen Grüßen",
    ] {
        assert!(text.contains(soll), "„{soll}“ fehlt:\n{text}");
    }
    for nicht in [
        "Der Ausweis gilt vom",
        "Nach § 45 Abs. 1b",
        "Hinweise",
        "Ein Anspruch auf einen freien Parkplatz",
        "3. ",
    ] {
        assert!(!text.contains(nicht), "„{nicht}“ steht noch da:\n{text}");
    }
}

#[test]
fn markup_in_the_caseworkers_text_is_printed_literally() {
    let pki = Pki::neu(Typ::P256);
    let mut e = beispiel(Leistung::Gewerbeanmeldung);
    let mut t = textvorschlag(&e).unwrap();
    t.begruendung =
        "# Kein Betreff\n\n@gebuehren\n\n## Keine Überschrift\n| keine Zeile\n\n@teil tenor".into();
    t.tenor = vec!["@girocode".into(), "- kein Strich".into()];
    t.nebenbestimmungen = vec!["{{ behoerde.name }}".into()];
    e.text = Some(t);
    let text = gesiegelter_text(&pki, &e, "markup");
    for wort in [
        "# Kein Betreff",
        "@gebuehren",
        "## Keine Überschrift",
        "| keine Zeile",
        "@teil tenor",
        "1. @girocode",
        "2. - kein Strich",
        "{{ behoerde.name }}",
    ] {
        assert!(text.contains(wort), "„{wort}“ fehlt:\n{text}");
    }
    // Only the template's fee table and GiroCode, once each.
    assert_eq!(text.matches("Gesamtbetrag").count(), 1, "{text}");
    assert_eq!(text.matches("GiroCode: mit der").count(), 1, "{text}");
}

#[test]
fn an_empty_tenor_is_refused_with_what_to_do() {
    let mut e = beispiel(Leistung::Hundesteuer);
    e.text = Some(Bescheidtext {
        tenor: vec![" ".into()],
        ..Bescheidtext::default()
    });
    let err = vorschau(&e).unwrap_err();
    assert!(
        matches!(&err, BescheidError::Eingabe { feld, .. } if feld == "text.tenor"),
        "{err}"
    );
    assert!(err.to_string().contains("Tenor ausfüllen"), "{err}");
}

#[test]
fn without_a_land_each_leistung_keeps_its_former_rechtsbehelfsbelehrung() {
    let widerspruch = rechtsbehelfsbelehrung(&beispiel(Leistung::Hundesteuer)).unwrap();
    assert!(
        widerspruch.starts_with("Gegen diesen Bescheid kann innerhalb eines Monats nach seiner Bekanntgabe Widerspruch erhoben werden."),
        "{widerspruch}"
    );
    assert!(
        !widerspruch.contains("Rechtsbehelfsbelehrung"),
        "ohne Überschrift"
    );
    let klage = rechtsbehelfsbelehrung(&beispiel(Leistung::Meldebescheinigung)).unwrap();
    assert!(klage.contains("Klage erhoben werden"), "{klage}");
    assert!(klage.contains("§ 110 Abs. 1 des Justizgesetzes Nordrhein-Westfalen"));
    assert_eq!(klage.matches("\n\n").count(), 1, "zwei Absätze: {klage}");
}

#[test]
fn in_nrw_the_klage_variant_is_used_and_elsewhere_the_widerspruch() {
    let mut e = beispiel(Leistung::Hundesteuer);
    e.behoerde.land = Some("NW".into());
    // Klage needs the court.
    let err = rechtsbehelfsbelehrung(&e).unwrap_err();
    assert!(
        matches!(&err, BescheidError::Eingabe { feld, .. } if feld == "angaben.verwaltungsgericht"),
        "{err}"
    );
    e.angaben.insert(
        "verwaltungsgericht".into(),
        "Verwaltungsgericht Musterstadt, Justizplatz 2, 12345 Musterstadt".into(),
    );
    let rb = rechtsbehelfsbelehrung(&e).unwrap();
    assert!(rb.contains("Klage erhoben werden"), "{rb}");
    assert!(
        rb.contains("Verwaltungsgericht Musterstadt, Justizplatz 2"),
        "{rb}"
    );
    // The Hinweis on the suspensive effect follows the remedy.
    let hinweise = textvorschlag(&e).unwrap().nebenbestimmungen.join("\n");
    assert!(
        hinweise.contains("Eine Klage hat keine aufschiebende Wirkung"),
        "{hinweise}"
    );

    let mut m = beispiel(Leistung::Meldebescheinigung);
    m.behoerde.land = Some("HE".into());
    let rb = rechtsbehelfsbelehrung(&m).unwrap();
    assert!(rb.contains("Widerspruch erhoben werden"), "{rb}");
    let hinweise = textvorschlag(&m).unwrap().nebenbestimmungen.join("\n");
    assert!(
        hinweise.contains("Ein Widerspruch gegen die Festsetzung"),
        "{hinweise}"
    );

    m.behoerde.land = Some("XY".into());
    let err = rechtsbehelfsbelehrung(&m).unwrap_err();
    assert!(
        matches!(&err, BescheidError::Eingabe { feld, .. } if feld == "behoerde.land"),
        "{err}"
    );
    assert!(err.to_string().contains("NW"), "{err}");
}

#[test]
fn the_girocode_payload_follows_epc069_12_version_002_exactly() {
    let e = beispiel(Leistung::Hundesteuer);
    assert_eq!(
        epc_inhalt(&e).unwrap(),
        "BCD\n002\n1\nSCT\nBELADEBEXXX\nStadt Musterstadt\nDE58100500000054540655\nEUR39.00\n\n\nKZ 4711.2026.0815 Hundesteuer 2026"
    );
    let mut lang = e.clone();
    lang.behoerde.name = "B".repeat(80);
    lang.zahlung.as_mut().unwrap().verwendungszweck = "V".repeat(150);
    lang.gebuehren[0].betrag_cent = 123_456_789;
    let p = epc_inhalt(&lang).unwrap();
    let zeilen: Vec<&str> = p.split('\n').collect();
    assert_eq!(zeilen.len(), 11, "{p}");
    assert_eq!(zeilen[5], "B".repeat(70));
    assert_eq!(zeilen[7], "EUR1234567.89");
    assert_eq!(zeilen[10], "V".repeat(140));
    assert!(p.len() <= 331);
    // No Verwendungszweck: the Kassenzeichen is the reference.
    let mut kz = e.clone();
    kz.zahlung.as_mut().unwrap().verwendungszweck = " ".into();
    assert!(epc_inhalt(&kz).unwrap().ends_with("\n\n\n4711.2026.0815"));
}

#[test]
fn no_girocode_without_a_positive_sum_payment_instructions_or_bank_details() {
    let e = beispiel(Leistung::Hundesteuer);
    let mut ohne_bank = e.clone();
    ohne_bank.behoerde.bankverbindung = None;
    assert_eq!(epc_inhalt(&ohne_bank), None);
    let mut null = e.clone();
    null.gebuehren[0].betrag_cent = 0;
    assert_eq!(epc_inhalt(&null), None);
    let mut ohne_zahlung = e.clone();
    ohne_zahlung.gebuehren.clear();
    ohne_zahlung.zahlung = None;
    assert_eq!(epc_inhalt(&ohne_zahlung), None);
    // A wrong IBAN is refused instead of being printed into a code people pay with.
    let mut falsch = e.clone();
    falsch.behoerde.bankverbindung.as_mut().unwrap().iban = "DE02 1005 0000 0054 5406 55".into();
    let err = vorschau(&falsch).unwrap_err();
    assert!(err.to_string().contains("IBAN"), "{err}");
}
