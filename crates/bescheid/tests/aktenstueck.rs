#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Record documents for the E-Akte as a PDF tool sees them: the PDF/A-3b rules the Brief's
//! tests check (read back with `lopdf`, `qpdf --check`, `pdfinfo`), hostile input from
//! outside that is set instead of refused (markup, emoji, Cyrillic, Arabic, control
//! characters, a 500-character token), an audit excerpt of 300 rows over many pages with
//! „Seite x von y“ and its header on every page, and form data labelled by its JSON Schema.
//! Files for review go to `target/bescheid-artifacts/`.

mod common;

use bescheid::{
    Abschnitt, Aktenstueck, BescheidError, ERSATZZEICHEN, Feld, Leistung, aktenstueck_setzen,
    formular_felder, text_abschnitte,
};
use common::*;
use serde_json::json;
use time::macros::datetime;

const ZEIT: time::OffsetDateTime = datetime!(2026-11-20 09:30:00 +01:00);

fn aktenstueck(titel: &str, abschnitte: Vec<Abschnitt>) -> Aktenstueck {
    Aktenstueck {
        behoerde: beispiel(Leistung::Hundesteuer).behoerde,
        titel: titel.into(),
        aktenzeichen: "22.1-HSt-2026-004711".into(),
        datum: "2026-11-20".into(),
        angaben: vec![("Vorgang".into(), "Hundesteuer – Anmeldung".into())],
        abschnitte,
    }
}

fn schreiben(name: &str, pdf: &[u8]) -> std::path::PathBuf {
    let p = artefakte().join(name);
    std::fs::write(&p, pdf).unwrap();
    p
}

fn seitenzahl(pdf: &std::path::Path) -> usize {
    let o = tool(
        "pdfinfo",
        "apt-get install -y poppler-utils",
        &[pdf.to_str().unwrap()],
    );
    assert!(o.status.success());
    String::from_utf8(o.stdout)
        .unwrap()
        .lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .unwrap()
        .trim()
        .parse()
        .unwrap()
}

/// The right edges (pt) of every word `pdftotext -bbox` finds, with the word.
fn wortkanten(pdf: &std::path::Path) -> Vec<(f32, String)> {
    let o = tool(
        "pdftotext",
        "apt-get install -y poppler-utils",
        &["-bbox", pdf.to_str().unwrap(), "-"],
    );
    assert!(o.status.success());
    let html = String::from_utf8(o.stdout).unwrap();
    html.lines()
        .filter(|l| l.trim_start().starts_with("<word"))
        .map(|l| {
            let x = l
                .split("xMax=\"")
                .nth(1)
                .unwrap()
                .split('"')
                .next()
                .unwrap();
            let wort = l.split('>').nth(1).unwrap().split('<').next().unwrap();
            (x.parse().unwrap(), wort.to_string())
        })
        .collect()
}

/// A string without repetition inside any 10 characters, so a lost or reordered piece shows.
fn langes_wort() -> String {
    (0..500)
        .map(|i| char::from(b'a' + ((i * 7 + i / 26) % 26) as u8))
        .collect()
}

#[test]
fn hostile_input_from_outside_is_set_with_visible_stand_ins_instead_of_refused() {
    let lang = langes_wort();
    assert_eq!(lang.chars().count(), 500);
    let a = aktenstueck(
        "Antrag: Hundesteuer <script>alert(1)</script>",
        vec![
            Abschnitt::Ueberschrift("Antragsdaten".into()),
            Abschnitt::Felder(vec![
                Feld {
                    ebene: 0,
                    bezeichnung: "Name".into(),
                    wert: "<script>alert('x')</script>".into(),
                },
                Feld {
                    ebene: 0,
                    bezeichnung: "Hund".into(),
                    wert: "Bello 🐕\u{fe0f} und 👨‍👩‍👧".into(),
                },
                Feld {
                    ebene: 1,
                    bezeichnung: "Kyrillisch".into(),
                    wert: "Привет, мир".into(),
                },
                Feld {
                    ebene: 1,
                    bezeichnung: "Arabisch".into(),
                    wert: "مرحبا".into(),
                },
                Feld {
                    ebene: 2,
                    bezeichnung: "Steuer\u{7}zeichen".into(),
                    wert: "a\u{0}b\u{1b}[31mc\td\r\nzweite Zeile\u{202e}ende".into(),
                },
                Feld {
                    ebene: 0,
                    bezeichnung: "Token".into(),
                    wert: lang.clone(),
                },
            ]),
            Abschnitt::Text(format!("Nachricht 漢字 mit {lang} darin.\n\n– Punkt 🙂")),
            Abschnitt::Tabelle {
                spalten: vec!["Zeit".into(), "Wer".into(), "Was".into()],
                zeilen: vec![vec!["09:30".into(), "🤖".into(), lang.clone()]],
            },
            Abschnitt::Vorformatiert(format!("<a>\n  <b>{lang}</b>\n</a>")),
            // Far more columns than fit comfortably, and rows of uneven length.
            Abschnitt::Tabelle {
                spalten: (1..=25).map(|i| format!("Spalte{i}")).collect(),
                zeilen: vec![
                    (1..=25).map(|i| format!("Wert {i}")).collect(),
                    vec!["kurz".into()],
                    (1..=27).map(|i| format!("W{i}")).collect(),
                ],
            },
            // Empty sections are allowed.
            Abschnitt::Felder(vec![]),
            Abschnitt::Text(String::new()),
            Abschnitt::Ueberschrift(String::new()),
            Abschnitt::Vorformatiert("\n\n".into()),
            Abschnitt::Tabelle {
                spalten: vec![],
                zeilen: vec![],
            },
        ],
    );
    let pdf = aktenstueck_setzen(&a, ZEIT).unwrap();
    let pfad = schreiben("aktenstueck-eingaben.pdf", &pdf);
    let text = pdftotext(&pfad);
    std::fs::write(artefakte().join("aktenstueck-eingaben.txt"), &text).unwrap();

    for t in [
        "<script>alert(1)</script>",
        "<script>alert('x')</script>",
        "Привет, мир",
        "Bello □ und □□□",
        "□□□□□",
        "Nachricht □□ mit",
        "Punkt □",
        "ab[31mc d",
        "zweite Zeileende",
        "Steuerzeichen",
        "Seite 1 von",
        // 27 narrow columns: cells break between characters, inside the margin (below).
        "W1 W2 W3 W4",
    ] {
        assert!(text.contains(t), "„{t}“ fehlt:\n{text}");
    }
    assert_eq!(ERSATZZEICHEN, '□');
    assert!(!text.contains(|c: char| c.is_control() && c != '\n' && c != '\u{c}'));
    // The long token is there in full, each time (field, text, table, preformatted), and
    // wraps inside the margin.
    let ohne_leerraum: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    assert_eq!(ohne_leerraum.matches(&lang).count(), 4, "{text}");
    let rechter_rand = 190.0 * 72.0 / 25.4;
    for (x, wort) in wortkanten(&pfad) {
        assert!(x <= rechter_rand + 0.5, "„{wort}“ endet bei {x} pt");
    }
}

#[test]
fn three_hundred_audit_rows_fill_several_pages_each_with_its_number_and_the_header_row() {
    let zeilen: Vec<Vec<String>> = (1..=300)
        .map(|i| {
            vec![
                format!("20.11.2026 {:02}:{:02}", 8 + i / 60, i % 60),
                if i % 3 == 0 {
                    "System".into()
                } else {
                    "Frau Jördis Weißgerber".into()
                },
                format!("Schritt{i:03}"),
                if i % 10 == 0 {
                    format!(
                        "Eintrag{i:03} mit längeren Einzelheiten, die in ihrer Spalte über \
                         mehrere Zeilen umbrechen müssen, weil sie so viel erzählen"
                    )
                } else {
                    format!("Eintrag{i:03}")
                },
            ]
        })
        .collect();
    let a = aktenstueck(
        "Bearbeitungsprotokoll",
        vec![
            Abschnitt::Ueberschrift("Auszug aus dem Protokoll".into()),
            Abschnitt::Tabelle {
                spalten: ["Zeit", "Wer", "Was", "Einzelheiten"]
                    .map(String::from)
                    .to_vec(),
                zeilen,
            },
        ],
    );
    let pdf = aktenstueck_setzen(&a, ZEIT).unwrap();
    let pfad = schreiben("aktenstueck-protokoll.pdf", &pdf);
    let n = seitenzahl(&pfad);
    assert!(n >= 5, "{n} Seiten");
    let text = pdftotext(&pfad);
    std::fs::write(artefakte().join("aktenstueck-protokoll.txt"), &text).unwrap();
    let seiten: Vec<&str> = text
        .split('\u{c}')
        .filter(|s| !s.trim().is_empty())
        .collect();
    assert_eq!(seiten.len(), n);
    for (i, s) in seiten.iter().enumerate() {
        assert!(
            s.contains(&format!("Seite {} von {n}", i + 1)),
            "Seite {}:\n{s}",
            i + 1
        );
        let woerter: Vec<&str> = s.split_whitespace().collect();
        for k in ["Zeit", "Wer", "Was", "Einzelheiten"] {
            assert!(
                woerter.contains(&k),
                "Kopfzeile „{k}“ fehlt auf Seite {}",
                i + 1
            );
        }
        if i > 0 {
            assert!(
                s.contains(
                    "Stadt Musterstadt · Aktenzeichen 22.1-HSt-2026-004711 · Bearbeitungsprotokoll"
                ),
                "Kolumnentitel fehlt auf Seite {}:\n{s}",
                i + 1
            );
        }
    }
    // Every row exactly once, in order.
    let mut zuletzt = 0;
    for i in 1..=300 {
        let t = format!("Schritt{i:03}");
        assert_eq!(text.matches(&t).count(), 1, "{t}");
        assert_eq!(text.matches(&format!("Eintrag{i:03}")).count(), 1);
        let pos = text.find(&t).unwrap();
        assert!(pos > zuletzt, "{t} nicht in Reihenfolge");
        zuletzt = pos;
    }
    let rechter_rand = 190.0 * 72.0 / 25.4;
    for (x, wort) in wortkanten(&pfad) {
        assert!(x <= rechter_rand + 0.5, "„{wort}“ endet bei {x} pt");
    }
}

fn meldebescheinigung() -> (serde_json::Value, serde_json::Value) {
    let schema: serde_json::Value = serde_json::from_slice(
        &std::fs::read(
            workspace().join("assets/behoerden/demo/formulare/meldebescheinigung.schema.json"),
        )
        .unwrap(),
    )
    .unwrap();
    let daten = json!({
        "antragsteller": {
            "vorname": "Erika",
            "familienname": "Müller-Lüdenscheidt",
            "geburtsdatum": "1984-03-07",
            "anschrift": {"strasse": "Heidestraße", "hausnummer": "17", "plz": "12345", "ort": "Musterstadt"},
            "email": null
        },
        "bescheinigung": {"art": "erweitert", "anzahl": 2, "zustellung": "Post"},
        "bemerkung": "bitte schnell",
        "kinder": ["Paul", "Marie"],
        "einverstanden": true
    });
    (daten, schema)
}

fn zeile(ebene: u8, bezeichnung: &str, wert: &str) -> Feld {
    Feld {
        ebene,
        bezeichnung: bezeichnung.into(),
        wert: wert.into(),
    }
}

#[test]
fn form_data_is_labelled_with_the_titles_of_its_schema_and_with_keys_without_one() {
    let (daten, schema) = meldebescheinigung();
    let felder = formular_felder(&daten, Some(&schema));
    assert_eq!(
        felder,
        vec![
            zeile(0, "Antragstellende Person", ""),
            zeile(1, "Vorname", "Erika"),
            zeile(1, "Familienname", "Müller-Lüdenscheidt"),
            zeile(1, "Geburtsdatum", "07.03.1984"),
            zeile(1, "Anschrift", ""),
            zeile(2, "Straße", "Heidestraße"),
            zeile(2, "Hausnummer", "17"),
            zeile(2, "Postleitzahl", "12345"),
            zeile(2, "Ort", "Musterstadt"),
            zeile(1, "E-Mail-Adresse", "—"),
            zeile(1, "Telefon", "—"),
            zeile(0, "Meldebescheinigung", ""),
            zeile(1, "Art", "erweitert"),
            zeile(1, "Anzahl der Ausfertigungen", "2"),
            zeile(1, "Zustellung", "Post"),
            zeile(1, "Verwendungszweck", "—"),
            // Keys the schema does not know, sorted.
            zeile(0, "bemerkung", "bitte schnell"),
            zeile(0, "einverstanden", "Ja"),
            zeile(0, "kinder", ""),
            zeile(1, "1.", "Paul"),
            zeile(1, "2.", "Marie"),
        ]
    );

    let ohne = formular_felder(&daten, None);
    let bezeichnungen: Vec<(u8, &str)> = ohne
        .iter()
        .map(|f| (f.ebene, f.bezeichnung.as_str()))
        .collect();
    assert_eq!(
        bezeichnungen,
        vec![
            (0, "antragsteller"),
            (1, "anschrift"),
            (2, "hausnummer"),
            (2, "ort"),
            (2, "plz"),
            (2, "strasse"),
            (1, "email"),
            (1, "familienname"),
            (1, "geburtsdatum"),
            (1, "vorname"),
            (0, "bemerkung"),
            (0, "bescheinigung"),
            (1, "anzahl"),
            (1, "art"),
            (1, "zustellung"),
            (0, "einverstanden"),
            (0, "kinder"),
            (1, "1."),
            (1, "2."),
        ]
    );
    // Without a schema a date stays as written and null is „—“.
    assert!(ohne.contains(&zeile(1, "geburtsdatum", "1984-03-07")));
    assert!(ohne.contains(&zeile(1, "email", "—")));

    let mehr = formular_felder(
        &json!({"a": false, "b": 2.5, "c": [], "d": {}, "e": "  ", "f": [{"x": 1}]}),
        Some(
            &json!({"properties": {"g": {"type": "string", "oneOf": [{"const": "j", "title": "Jawohl"}]}}}),
        ),
    );
    assert_eq!(
        mehr,
        vec![
            zeile(0, "g", "—"),
            zeile(0, "a", "Nein"),
            zeile(0, "b", "2,5"),
            zeile(0, "c", "—"),
            zeile(0, "d", "—"),
            zeile(0, "e", "—"),
            zeile(0, "f", ""),
            zeile(1, "1.", ""),
            zeile(2, "x", "1"),
        ]
    );
    let wahl = formular_felder(
        &json!({"g": "j"}),
        Some(
            &json!({"properties": {"g": {"title": "Wahl", "oneOf": [{"const": "j", "title": "Jawohl"}]}}}),
        ),
    );
    assert_eq!(wahl, vec![zeile(0, "Wahl", "Jawohl")]);
}

#[test]
fn one_line_xml_form_data_is_shown_one_element_per_line() {
    let xml = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><antrag><person><name>Erika</name>\
         <ort>Musterstadt</ort></person><hinweis>{}</hinweis></antrag>",
        "lang ".repeat(40)
    );
    let abschnitte = text_abschnitte(&xml);
    let [Abschnitt::Vorformatiert(t)] = abschnitte.as_slice() else {
        panic!("{abschnitte:?}")
    };
    let zeilen: Vec<&str> = t.lines().collect();
    assert_eq!(zeilen[1], "<antrag>");
    assert_eq!(zeilen[2], "  <person>");
    assert_eq!(zeilen[3], "    <name>Erika</name>");
    assert_eq!(zeilen.last(), Some(&"</antrag>"));
    // Text with its own line breaks stays as it is; nothing gives no section.
    assert_eq!(
        text_abschnitte("<a>\n  <b/>\n</a>"),
        vec![Abschnitt::Vorformatiert("<a>\n  <b/>\n</a>".into())]
    );
    assert!(text_abschnitte(" \n ").is_empty());

    let a = aktenstueck("Antrag: Meldebescheinigung", abschnitte);
    let pfad = schreiben(
        "aktenstueck-xml.pdf",
        &aktenstueck_setzen(&a, ZEIT).unwrap(),
    );
    let text = pdftotext(&pfad);
    assert!(text.contains("<name>Erika</name>"), "{text}");
}

#[test]
fn the_frame_is_checked_and_equal_records_give_equal_files() {
    let a = aktenstueck(
        "Nachricht an die Antragstellerin",
        vec![Abschnitt::Text("Guten Tag,\n\nkurz.".into())],
    );
    let pdf = aktenstueck_setzen(&a, ZEIT).unwrap();
    assert_eq!(pdf, aktenstueck_setzen(&a, ZEIT).unwrap());
    let mut anders = a.clone();
    anders.abschnitte.push(Abschnitt::Text("mehr".into()));
    assert_ne!(pdf, aktenstueck_setzen(&anders, ZEIT).unwrap());

    let feld = |a: &Aktenstueck| match aktenstueck_setzen(a, ZEIT) {
        Err(BescheidError::Eingabe { feld, .. }) => feld,
        anders => panic!("{:?}", anders.map(|p| p.len())),
    };
    let mut b = a.clone();
    b.datum = "20.11.2026".into();
    assert_eq!(feld(&b), "datum");
    let mut b = a.clone();
    b.titel = " \u{7} ".into();
    assert_eq!(feld(&b), "titel");
    let mut b = a;
    b.aktenzeichen = String::new();
    assert_eq!(feld(&b), "aktenzeichen");
}

#[test]
fn pdfa_the_record_keeps_every_pdfa_3b_rule_and_shows_title_info_block_and_fields() {
    let (daten, schema) = meldebescheinigung();
    let a = aktenstueck(
        "Antrag: Meldebescheinigung",
        vec![
            Abschnitt::Ueberschrift("Angaben im Antrag".into()),
            Abschnitt::Felder(formular_felder(&daten, Some(&schema))),
            Abschnitt::Text("Eingegangen über das Portal.".into()),
        ],
    );
    let pdf = aktenstueck_setzen(&a, ZEIT).unwrap();
    let pfad = schreiben("aktenstueck-pdfa.pdf", &pdf);
    let text = pdftotext(&pfad);
    for t in [
        "Stadt Musterstadt",
        "Antrag: Meldebescheinigung",
        "Aktenzeichen",
        "22.1-HSt-2026-004711",
        "Erstellt am",
        "20.11.2026",
        "Hundesteuer – Anmeldung",
        "Antragstellende Person",
        "Müller-Lüdenscheidt",
        "Postleitzahl",
        "Seite 1 von 1",
    ] {
        assert!(text.contains(t), "„{t}“ fehlt:\n{text}");
    }
    // A record, not a letter: no address field, no seal note.
    assert!(!text.contains("Heidestraße 17\n12345"), "{text}");
    assert!(!text.contains("gesiegelt"), "{text}");

    let doc = pdfa::ungesiegelt_pdfa_3b(&pdf, &pfad, "2026-11-20T09:30:00+01:00");
    assert_eq!(
        pdfa::info(&doc, b"Title"),
        "Antrag: Meldebescheinigung · Aktenzeichen 22.1-HSt-2026-004711"
    );
    assert_eq!(pdfa::info(&doc, b"Author"), "Stadt Musterstadt");
}
