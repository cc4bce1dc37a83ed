#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! The authority's configuration: the demo file loads and agrees with the documented schema, a
//! second authority's file gives its own rules, and every kind of mistake names file, line and
//! field.

use behoerde::{Behoerde, KonfigFehler};
use domain::{Bundesland, Fristregel};
use time::macros::date;

/// A second authority: another Land, another pattern, other Leistungen (built here, not the demo).
pub const ZWEITE: &str = include_str!("zweite_behoerde.toml");

fn schema(id: &str) -> String {
    format!(
        r#"{{"$schema":"https://json-schema.org/draft/2020-12/schema","$id":"{id}","title":"T","type":"object"}}"#
    )
}

fn laden(text: &str) -> Result<Behoerde, KonfigFehler> {
    Behoerde::aus_text(text, "test.toml", &|name| match name {
        "fischereischein.schema.json" => Ok(schema("urn:beispielhausen:fischereischein:1")),
        "plakat.schema.json" => Ok(schema("urn:beispielhausen:plakat:1")),
        other => Err(format!("{other}: Datei nicht gefunden")),
    })
}

#[test]
fn the_demo_configuration_loads_with_its_five_leistungen_and_their_schemas() {
    let b = Behoerde::demo().unwrap();
    assert_eq!(b.land, Bundesland::NW);
    assert_eq!(b.amt, "32");
    assert_eq!(b.leistungen.len(), 5);
    for l in &b.leistungen {
        assert!(!l.formulare.is_empty(), "{}", l.leika);
        assert!(!l.nachweise.is_empty(), "{} hat keine Nachweise", l.leika);
        assert!(b.formular(&l.formulare[0].uri).is_some());
    }
    let k = b.fristenkatalog();
    assert_eq!(k.vorlauf_arbeitstage, 5);
    assert_eq!(k.je_leistung["99050012104000"], Fristregel::Arbeitstage(3));
}

#[test]
fn the_demo_file_agrees_with_the_documented_json_schema() {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../../assets");
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(format!("{root}/behoerde.schema.json")).unwrap(),
    )
    .unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    for text in [
        std::fs::read_to_string(format!("{root}/behoerden/demo/behoerde.toml")).unwrap(),
        ZWEITE.to_owned(),
    ] {
        let wert: serde_json::Value = toml::from_str(&text).unwrap();
        let fehler: Vec<String> = validator
            .iter_errors(&wert)
            .map(|e| e.to_string())
            .collect();
        assert!(fehler.is_empty(), "{fehler:?}");
    }
    // And the schema refuses what the loader refuses.
    let falsch: serde_json::Value =
        toml::from_str(&ZWEITE.replace("\"10 Arbeitstage\"", "\"10 Jahre\"")).unwrap();
    assert!(!validator.is_valid(&falsch));
}

#[test]
fn a_second_authority_gets_its_own_land_pattern_and_fristen() {
    let b = laden(ZWEITE).unwrap();
    assert_eq!(b.land, Bundesland::BY);
    assert_eq!(
        b.aktenzeichen_muster.quelle(),
        "{Kürzel}.{Amt}-{Nr:04}/{Jahr}"
    );
    let k = b.fristenkatalog();
    // Bearbeitungsfrist of the Leistung; the other one falls back to the standard.
    assert_eq!(k.je_leistung["99001001000000"], Fristregel::Arbeitstage(10));
    assert_eq!(k.je_leistung["99001002000000"], Fristregel::Wochen(6));
    // Heilige Drei Könige (6 January) is a holiday in Bayern, not in NRW.
    let eingang = date!(2027 - 01 - 04);
    assert_eq!(k.frist("99001001000000", eingang), date!(2027 - 01 - 19));
    let mut nrw = k.clone();
    nrw.bundesland = Bundesland::NW;
    assert_eq!(nrw.frist("99001001000000", eingang), date!(2027 - 01 - 18));
    assert!(
        b.leistung("99108008001000").is_none(),
        "nothing of the demo"
    );
}

fn fehler(text: &str) -> KonfigFehler {
    laden(text).expect_err("must be refused")
}

#[test]
fn a_misspelt_field_names_its_line_and_path() {
    let text = ZWEITE.replace("bearbeitungsfrist = \"10", "bearbeitungfrist = \"10");
    let e = fehler(&text);
    assert_eq!(e.zeile, Some(20), "{e}");
    assert!(e.meldung.contains("unbekanntes Feld"), "{e}");
    assert!(e.meldung.contains("bearbeitungfrist"), "{e}");
    assert!(
        e.to_string()
            .starts_with("Behördenkonfiguration test.toml, Zeile 20"),
        "{e}"
    );
}

#[test]
fn a_wrong_frist_names_the_field_line_and_the_accepted_forms() {
    let e = fehler(&ZWEITE.replace("\"10 Arbeitstage\"", "\"10 Jahre\""));
    assert_eq!(e.zeile, Some(20), "{e}");
    assert_eq!(e.feld, "leistung[0].bearbeitungsfrist", "{e}");
    assert!(
        e.meldung
            .contains("Arbeitstage, Kalendertage, Wochen und Monate"),
        "{e}"
    );
}

#[test]
fn an_unknown_land_is_refused_with_a_hint() {
    let e = fehler(&ZWEITE.replace("land = \"BY\"", "land = \"Bayern\""));
    assert_eq!(e.zeile, Some(5), "{e}");
    assert_eq!(e.feld, "behoerde.land");
    assert!(e.meldung.contains("„NW“"), "{e}");
}

#[test]
fn a_missing_section_is_named() {
    let ohne: String = ZWEITE.replace(
        "[fristen]\nstandard = \"6 Wochen\"\nfaellig_vorlauf_arbeitstage = 3\n",
        "",
    );
    let e = fehler(&ohne);
    assert!(
        e.meldung.contains("Pflichtfeld fehlt") && e.meldung.contains("fristen"),
        "{e}"
    );
}

#[test]
fn a_bad_leika_key_and_a_duplicate_are_refused_at_their_line() {
    let e = fehler(&ZWEITE.replace("99001002000000", "9900100200000"));
    assert_eq!(e.feld, "leistung[1].leika");
    assert_eq!(e.zeile, Some(25), "{e}");
    let e = fehler(&ZWEITE.replace("99001002000000", "99001001000000"));
    assert!(e.meldung.contains("schon als leistung[0]"), "{e}");
    assert_eq!(e.zeile, Some(25), "{e}");
}

#[test]
fn a_missing_or_broken_form_schema_stops_the_whole_configuration() {
    let e = fehler(&ZWEITE.replace("plakat.schema.json", "fehlt.schema.json"));
    assert_eq!(e.feld, "leistung[1].formulare");
    assert!(e.meldung.contains("fehlt.schema.json"), "{e}");
    let e = fehler(&ZWEITE.replace("plakat.schema.json", "../geheim.json"));
    assert!(e.meldung.contains("ohne „..“"), "{e}");
    let kaputt = Behoerde::aus_text(ZWEITE, "t.toml", &|name| {
        Ok(if name == "plakat.schema.json" {
            r#"{"$id":"urn:x","type":"objekt"}"#.to_owned()
        } else {
            schema("urn:y")
        })
    })
    .unwrap_err();
    assert!(
        kaputt.meldung.contains("als JSON Schema ungültig"),
        "{kaputt}"
    );
    let ohne_id = Behoerde::aus_text(ZWEITE, "t.toml", &|_| Ok(r#"{"type":"object"}"#.to_owned()))
        .unwrap_err();
    assert!(ohne_id.meldung.contains("$id"), "{ohne_id}");
}

#[test]
fn a_bad_aktenzeichen_pattern_is_explained() {
    let e = fehler(&ZWEITE.replace("{Nr:04}", "{Nummer}"));
    assert_eq!(e.feld, "aktenzeichen.muster");
    assert_eq!(e.zeile, Some(8), "{e}");
    assert!(e.meldung.contains("Unbekannter Platzhalter"), "{e}");
}

#[test]
fn a_configuration_file_is_loaded_with_its_schemas_beside_it() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("behoerde.toml"), ZWEITE).unwrap();
    std::fs::write(
        dir.path().join("fischereischein.schema.json"),
        schema("urn:beispielhausen:fischereischein:1"),
    )
    .unwrap();
    let e = Behoerde::laden(&dir.path().join("behoerde.toml")).unwrap_err();
    assert!(e.meldung.contains("plakat.schema.json"), "{e}");
    std::fs::write(
        dir.path().join("plakat.schema.json"),
        schema("urn:beispielhausen:plakat:1"),
    )
    .unwrap();
    let b = Behoerde::laden(&dir.path().join("behoerde.toml")).unwrap();
    assert_eq!(b.leistungen.len(), 2);
    assert!(b.quelle.ends_with("behoerde.toml"));
    assert_eq!(
        behoerde::finden(dir.path()),
        Some(dir.path().join("behoerde.toml"))
    );
}

#[test]
fn the_demo_configuration_written_out_loads_as_a_file() {
    let dir = tempfile::tempdir().unwrap();
    behoerde::demo_ablegen(dir.path()).unwrap();
    let b = Behoerde::laden(&dir.path().join(behoerde::DATEINAME)).unwrap();
    assert_eq!(
        Behoerde {
            quelle: String::new(),
            ..b
        },
        Behoerde {
            quelle: String::new(),
            ..Behoerde::demo().unwrap()
        }
    );
}
