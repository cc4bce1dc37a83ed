#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! The hand-over messages validate against the xdomea 3.1.0 XSD (with xmllint, a required
//! test tool: `apt libxml2-utils`), the container round-trips, and hostile input is refused.

use std::io::{Cursor, Read, Write};

use proptest::prelude::*;
use time::macros::{date, datetime};
use uuid::Uuid;
use xdomea::*;

fn id(n: u128) -> Uuid {
    Uuid::from_u128(0x1234_5678_9abc_4def_8000_0000_0000_0000 | n)
}

fn beteiligter(name: &str) -> Beteiligter {
    Beteiligter {
        name: name.into(),
        kennung: Some("099990000000".into()),
        organisationseinheit: Some("Bürgerbüro".into()),
    }
}

fn dokument(n: u128, dateiname: &str, mime: &str, inhalt: &[u8]) -> Dokument {
    Dokument {
        id: id(1000 + n),
        titel: format!("Dokument {n}"),
        typ: DokumentTyp::Anlage,
        dateiname: dateiname.into(),
        mime: mime.into(),
        datum: datetime!(2026-03-01 10:15:00 +01:00),
        eingehend: n.is_multiple_of(2),
        signiert: false,
        inhalt: inhalt.to_vec(),
    }
}

fn abgabe(dokumente: Vec<Dokument>) -> Abgabe {
    Abgabe {
        prozess_id: id(1),
        erstellt: datetime!(2026-04-02 08:30:00 +02:00),
        absender: beteiligter("Stadt Musterstadt"),
        empfaenger: Beteiligter {
            name: "E-Akte Musterstadt".into(),
            kennung: None,
            organisationseinheit: None,
        },
        produkt_version: "0.1.0".into(),
        ersteller: "m.muster".into(),
        vorgang: VorgangDaten {
            id: id(2),
            aktenzeichen: "32.1-2026/0042".into(),
            betreff: "Gewerbeanmeldung Müller & Söhne".into(),
            leika: "99050012104000".into(),
            eingang: date!(2026 - 02 - 27),
            frist: Some(date!(2026 - 03 - 27)),
            zustaendig: Some("m.muster".into()),
            status: "Abgeschlossen".into(),
            abgeschlossen: date!(2026 - 04 - 01),
            aufbewahrung_jahre: 10,
            audit_anker: None,
            antragsteller: Some("Jürgen Müller".into()),
            historie: vec![
                Historie {
                    akteur: "m.muster".into(),
                    zeit: datetime!(2026-02-27 09:00:00 +01:00),
                    aktion: "Eingang".into(),
                    bemerkung: None,
                },
                Historie {
                    akteur: "k.beispiel".into(),
                    zeit: datetime!(2026-03-31 16:45:10 +02:00),
                    aktion: "Bescheid freigegeben".into(),
                    bemerkung: Some("geprüft <ok> & \"fertig\"".into()),
                },
            ],
        },
        dokumente,
    }
}

fn standard_dokumente() -> Vec<Dokument> {
    let mut bescheid = dokument(1, "Bescheid.pdf", "application/pdf", b"%PDF-1.7\n...");
    bescheid.typ = DokumentTyp::Bescheid;
    bescheid.signiert = true;
    vec![
        bescheid,
        dokument(
            2,
            "Foto Straße.JPG",
            "image/jpeg",
            &[0xff, 0xd8, 0xff, 0, 1, 2],
        ),
        dokument(3, "daten.bin", "application/x-unbekannt", b"\x00\x01\x02"),
    ]
}

fn gueltig(xml: &str) {
    if let Err(e) = schema::pruefen(xml.as_bytes()) {
        panic!("{e}\n---\n{xml}");
    }
}

#[test]
fn a_hand_over_validates_against_the_xdomea_schema() {
    let xml = nachricht_0605(&abgabe(standard_dokumente()));
    gueltig(&xml);
    assert!(xml.contains("<xdomea:Kennzeichen>32.1-2026/0042</xdomea:Kennzeichen>"));
    assert!(xml.contains("Müller &amp; Söhne"));
    assert!(xml.contains("<xdomea:SignaturSiegelEingebettet>1</xdomea:SignaturSiegelEingebettet>"));
    assert!(
        xml.contains("<code>018</code>"),
        "PDF has its own format code"
    );
    assert!(xml.contains("<xdomea:SonstigerName>application/x-unbekannt</xdomea:SonstigerName>"));
    assert!(xml.contains("<xdomea:Version>1.7</xdomea:Version>"));
    assert!(xml.contains("<xdomea:Posteingangsdatum>2026-03-01</xdomea:Posteingangsdatum>"));
    assert!(xml.contains("<xdomea:Postausgangsdatum>2026-03-01</xdomea:Postausgangsdatum>"));
}

#[test]
fn hostile_text_and_file_names_still_give_a_valid_message() {
    let mut a = abgabe(vec![
        dokument(1, "../../etc/passwd", "", b"x"),
        dokument(2, "a\\b\\c.docx", "", b"y"),
        dokument(
            3,
            "\u{0}\u{7}\u{1b}[31mrot\u{FFFF}.pdf",
            "application/pdf",
            b"z",
        ),
        dokument(4, &("ä".repeat(300) + ".txt"), "text/plain", b"t"),
        dokument(5, "<script>alert(1)</script>.html", "text/html", b"<p>"),
        dokument(6, "", "", b""),
    ]);
    a.vorgang.betreff = "<script>alert('x')</script> & \u{0}\u{b}Steuerzeichen\r\nZeile".into();
    a.vorgang.aktenzeichen = "AZ & <1>".into();
    a.ersteller = "\"o'brien\"".into();
    a.absender.name = "Amt für Ordnung & Sicherheit".into();
    a.vorgang.antragsteller = None;
    a.vorgang.frist = None;
    a.vorgang.zustaendig = None;
    let xml = nachricht_0605(&a);
    gueltig(&xml);
    assert!(!xml.contains("<script>"));
    for d in &a.dokumente {
        let name = primaer_dateiname(d);
        assert!(name.len() <= 120, "{name}");
        assert!(
            !name.contains('/') && !name.contains('\\') && !name.contains(".."),
            "{name}"
        );
        assert!(name.is_ascii(), "{name}");
    }
}

#[test]
fn a_hand_over_without_documents_validates() {
    gueltig(&nachricht_0605(&abgabe(Vec::new())));
}

#[test]
fn a_hand_over_with_thirty_documents_validates_and_round_trips() {
    let dokumente: Vec<Dokument> = (0..30)
        .map(|n| {
            let inhalt = format!("Inhalt {n}").repeat(n as usize + 1);
            dokument(
                n,
                &format!("Anlage {n}.pdf"),
                "application/pdf",
                inhalt.as_bytes(),
            )
        })
        .collect();
    let a = abgabe(dokumente);
    gueltig(&nachricht_0605(&a));
    let gelesen = container_lesen(&container_0605(&a).unwrap()).unwrap();
    assert_eq!(gelesen.dateien.len(), 30);
}

#[test]
fn the_container_round_trips_with_every_document_and_the_message() {
    let a = abgabe(standard_dokumente());
    let zip = container_0605(&a).unwrap();
    assert_eq!(
        container_name(&a.prozess_id),
        format!("{}_FVDaten.SGOAblegen.0605.zip", a.prozess_id)
    );
    let gelesen = container_lesen(&zip).unwrap();
    assert_eq!(gelesen.prozess_id, a.prozess_id);
    assert_eq!(gelesen.xml, nachricht_0605(&a));
    gueltig(&gelesen.xml);
    assert_eq!(gelesen.dateien.len(), a.dokumente.len());
    for d in &a.dokumente {
        let (_, inhalt) = gelesen
            .dateien
            .iter()
            .find(|(n, _)| *n == primaer_dateiname(d))
            .unwrap();
        assert_eq!(inhalt, &d.inhalt);
    }
    let kopf = kopf_lesen(gelesen.xml.as_bytes()).unwrap();
    assert_eq!(kopf.nachricht, "FVDaten.SGOAblegen.0605");
    assert_eq!(kopf.absender, a.absender);
}

#[test]
fn the_same_hand_over_gives_the_same_container_bytes() {
    let a = abgabe(standard_dokumente());
    assert_eq!(container_0605(&a).unwrap(), container_0605(&a).unwrap());
}

#[test]
fn two_documents_with_the_same_id_are_refused() {
    let mut docs = standard_dokumente();
    docs[1].id = docs[0].id;
    assert!(matches!(
        container_0605(&abgabe(docs)),
        Err(XdomeaError::DoppelteDokumentId(_))
    ));
}

/// Rewrites a container, changing the entries with `aendern` (name, bytes) → entries.
fn umpacken(zip: &[u8], aendern: impl Fn(String, Vec<u8>) -> Vec<(String, Vec<u8>)>) -> Vec<u8> {
    let mut archiv = zip::ZipArchive::new(Cursor::new(zip)).unwrap();
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for i in 0..archiv.len() {
        let mut e = archiv.by_index(i).unwrap();
        let name = e.name().unwrap().to_string();
        let mut inhalt = Vec::new();
        e.read_to_end(&mut inhalt).unwrap();
        for (n, b) in aendern(name, inhalt) {
            w.start_file(n, zip::write::SimpleFileOptions::default())
                .unwrap();
            w.write_all(&b).unwrap();
        }
    }
    w.finish().unwrap().into_inner()
}

#[test]
fn a_tampered_document_is_detected_and_named() {
    let a = abgabe(standard_dokumente());
    let ziel = primaer_dateiname(&a.dokumente[0]);
    let zip = umpacken(&container_0605(&a).unwrap(), |n, mut b| {
        if n == ziel {
            b[0] ^= 1;
        }
        vec![(n, b)]
    });
    match container_lesen(&zip) {
        Err(XdomeaError::PruefsummeFalsch(n)) => assert_eq!(n, ziel),
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_missing_document_is_named() {
    let a = abgabe(standard_dokumente());
    let ziel = primaer_dateiname(&a.dokumente[2]);
    let zip = umpacken(&container_0605(&a).unwrap(), |n, b| {
        if n == ziel { vec![] } else { vec![(n, b)] }
    });
    match container_lesen(&zip) {
        Err(e @ XdomeaError::DateiFehlt(_)) => assert!(e.to_string().contains(&ziel), "{e}"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn hostile_entry_names_are_refused() {
    let a = abgabe(standard_dokumente());
    for boese in [
        "../ausbruch.txt",
        "/etc/cron.d/x",
        "a\\..\\b",
        ".versteckt",
        "ordner/",
    ] {
        let zip = umpacken(&container_0605(&a).unwrap(), |n, b| {
            if n.ends_with(".xml") {
                vec![(n, b), (boese.to_string(), b"x".to_vec())]
            } else {
                vec![(n, b)]
            }
        });
        assert!(
            matches!(container_lesen(&zip), Err(XdomeaError::UnsichererName(_))),
            "{boese}"
        );
    }
}

#[test]
fn a_container_without_message_or_not_a_zip_is_an_error() {
    let a = abgabe(standard_dokumente());
    let zip = umpacken(&container_0605(&a).unwrap(), |n, b| {
        if n.ends_with(".xml") {
            vec![]
        } else {
            vec![(n, b)]
        }
    });
    assert!(matches!(
        container_lesen(&zip),
        Err(XdomeaError::NachrichtFehlt(_))
    ));
    assert!(matches!(
        container_lesen(b"kein zip"),
        Err(XdomeaError::Zip(_))
    ));
    let ganz = container_0605(&a).unwrap();
    assert!(container_lesen(&ganz[..ganz.len() / 2]).is_err());
}

#[test]
fn a_zip_bomb_is_stopped_at_the_limit() {
    // 16 MiB of zeros deflate to a few KiB; with a limit of 1 MiB reading stops there.
    let a = abgabe(vec![dokument(
        1,
        "null.txt",
        "text/plain",
        &vec![0u8; 16 << 20],
    )]);
    let zip = container_0605(&a).unwrap();
    assert!(zip.len() < 100 * 1024, "{}", zip.len());
    assert!(container_lesen(&zip).is_ok());
    assert!(matches!(
        container_lesen_begrenzt(&zip, 1 << 20),
        Err(XdomeaError::ZuGross { grenze, .. }) if grenze == 1 << 20
    ));
    // Entries that each stay below the limit but together exceed it are stopped too.
    let viele = abgabe(
        (0..4)
            .map(|n| dokument(n, &format!("{n}.txt"), "text/plain", &vec![0u8; 400 << 10]))
            .collect(),
    );
    assert!(matches!(
        container_lesen_begrenzt(&container_0605(&viele).unwrap(), 1 << 20),
        Err(XdomeaError::ZuGross { .. })
    ));
}

fn ergebnis_erfolg() -> Importergebnis {
    Importergebnis::Erfolg {
        id_sgo: id(77),
        ablageort: "EAKTE-2026-000123".into(),
    }
}

#[test]
fn the_receipt_0629_validates_and_reads_back() {
    let xml = empfang_0629(
        &id(1),
        &beteiligter("E-Akte"),
        &beteiligter("Stadt"),
        datetime!(2026-04-02 09:00:00 UTC),
    );
    gueltig(&xml);
    assert_eq!(
        rueckmeldung_lesen(xml.as_bytes()).unwrap(),
        Rueckmeldung::Empfang { prozess_id: id(1) }
    );
}

#[test]
fn a_successful_import_0630_validates_and_reads_back_with_its_reference() {
    let xml = import_0630(
        &id(1),
        &beteiligter("E-Akte"),
        &beteiligter("Stadt"),
        datetime!(2026-04-02 09:00:01 UTC),
        &ergebnis_erfolg(),
    );
    gueltig(&xml);
    match rueckmeldung_lesen(xml.as_bytes()).unwrap() {
        Rueckmeldung::Import {
            prozess_id,
            erfolgreich,
            meldungen,
            referenz,
        } => {
            assert_eq!(prozess_id, id(1));
            assert!(erfolgreich);
            assert_eq!(referenz.as_deref(), Some("EAKTE-2026-000123"));
            assert_eq!(
                meldungen,
                ["0000000: Ausführung wurde erfolgreich beendet."]
            );
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_failed_import_0630_validates_and_reads_back_as_failure() {
    for (code, text, erwartet) in [
        ("0000008", "Schema verletzt", "0000008: Schema verletzt"),
        (
            "",
            "Prüfsumme von „x.pdf“ falsch",
            "Prüfsumme von „x.pdf“ falsch",
        ),
        ("9999999", "unbekannt", "9999999: unbekannt"),
        ("0000000", "widersprüchlich", "0000000: widersprüchlich"),
    ] {
        let xml = import_0630(
            &id(1),
            &beteiligter("E-Akte"),
            &beteiligter("Stadt"),
            datetime!(2026-04-02 09:00:01 UTC),
            &Importergebnis::Fehler {
                code: code.into(),
                text: text.into(),
            },
        );
        gueltig(&xml);
        match rueckmeldung_lesen(xml.as_bytes()).unwrap() {
            Rueckmeldung::Import {
                erfolgreich,
                meldungen,
                referenz,
                ..
            } => {
                assert!(!erfolgreich, "{code}");
                assert_eq!(meldungen, [erwartet]);
                assert_eq!(referenz, None);
            }
            other => panic!("{other:?}"),
        }
    }
}

#[test]
fn an_answer_with_another_prefix_and_a_code_without_name_is_described_from_the_schema() {
    let xml = format!(
        r#"<?xml version="1.0"?>
<dms:FVDaten.ImportBestaetigen.0630 xmlns:dms="{NAMESPACE}">
  <dms:Kopf><dms:ProzessID>{}</dms:ProzessID></dms:Kopf>
  <dms:ErfolgOderMisserfolg><dms:Rueckmeldung><dms:AllgemeineRueckmeldung><code>0000008</code></dms:AllgemeineRueckmeldung></dms:Rueckmeldung></dms:ErfolgOderMisserfolg>
</dms:FVDaten.ImportBestaetigen.0630>"#,
        id(5)
    );
    match rueckmeldung_lesen(xml.as_bytes()).unwrap() {
        Rueckmeldung::Import {
            prozess_id,
            erfolgreich,
            meldungen,
            ..
        } => {
            assert_eq!(prozess_id, id(5));
            assert!(!erfolgreich);
            assert!(
                meldungen[0].starts_with("0000008: Die übergebene XML-Struktur"),
                "{meldungen:?}"
            );
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn malformed_answers_are_clear_errors() {
    let gut = empfang_0629(
        &id(1),
        &beteiligter("E-Akte"),
        &beteiligter("Stadt"),
        datetime!(2026-04-02 09:00:00 UTC),
    );
    let ohne_id = gut.replace(
        &format!("<xdomea:ProzessID>{}</xdomea:ProzessID>", id(1)),
        "",
    );
    let falsche_id = gut.replace(&id(1).to_string(), "keine-uuid");
    let anderer_ns = gut.replace(NAMESPACE, "urn:xoev-de:xdomea:schema:2.4.0");
    let nachricht_0605 = nachricht_0605(&abgabe(Vec::new()));
    let muell = vec![b'<'; 10 * 1024 * 1024];
    let faelle: Vec<(&str, &[u8])> = vec![
        ("kein XML", b"das ist kein XML"),
        ("leer", b""),
        ("abgeschnitten", &gut.as_bytes()[..gut.len() / 2]),
        ("ohne ProzessID", ohne_id.as_bytes()),
        ("ProzessID keine UUID", falsche_id.as_bytes()),
        ("anderer Namensraum", anderer_ns.as_bytes()),
        ("andere Nachricht", nachricht_0605.as_bytes()),
        ("fremde Wurzel", b"<html><body>Fehler 500</body></html>"),
        ("10 MB Müll", &muell),
    ];
    for (fall, xml) in faelle {
        let e = rueckmeldung_lesen(xml).expect_err(fall);
        let text = e.to_string();
        assert!(
            !text.is_empty() && !text.contains("panicked"),
            "{fall}: {text}"
        );
    }
    assert!(matches!(
        rueckmeldung_lesen(&muell),
        Err(XdomeaError::ZuGross { .. })
    ));
    assert!(matches!(
        rueckmeldung_lesen(ohne_id.as_bytes()),
        Err(XdomeaError::Feld(_))
    ));
}

#[test]
fn an_invalid_message_is_reported_with_xmllints_reasons() {
    let xml =
        nachricht_0605(&abgabe(Vec::new())).replace("<xdomea:Stapel>false</xdomea:Stapel>", "");
    match schema::pruefen(xml.as_bytes()) {
        Err(schema::SchemaFehler::Ungueltig(m)) => assert!(m.contains("Stapel"), "{m}"),
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        schema::pruefen(b"<kaputt"),
        Err(schema::SchemaFehler::Ungueltig(_))
    ));
}

#[test]
fn confirmation_file_names_follow_the_message() {
    assert_eq!(
        rueckmeldung_name(&id(1), "0629"),
        format!("{}_FVDaten.EmpfangBestaetigen.0629.xml", id(1))
    );
    assert_eq!(
        rueckmeldung_name(&id(1), "0630"),
        format!("{}_FVDaten.ImportBestaetigen.0630.xml", id(1))
    );
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    /// Any original file name gives a safe, ASCII, short name that the message carries
    /// validly and the container reads back.
    #[test]
    fn any_file_name_gives_a_safe_name_and_a_valid_container(name in "\\PC{0,300}", roh in proptest::collection::vec(any::<char>(), 0..40)) {
        let roh: String = roh.into_iter().collect();
        let a = abgabe(vec![
            dokument(1, &name, "", b"eins"),
            dokument(2, &roh, "application/pdf", b"zwei"),
        ]);
        for d in &a.dokumente {
            let n = primaer_dateiname(d);
            prop_assert!(n.len() <= 120 && n.is_ascii(), "{}", n);
            prop_assert!(!n.contains('/') && !n.contains('\\') && !n.contains(".."), "{}", n);
            prop_assert!(!n.chars().any(|c| c.is_control()), "{}", n);
        }
        let xml = nachricht_0605(&a);
        prop_assert!(schema::pruefen(xml.as_bytes()).is_ok(), "{:?}", schema::pruefen(xml.as_bytes()));
        let gelesen = container_lesen(&container_0605(&a).unwrap()).unwrap();
        prop_assert_eq!(gelesen.dateien.len(), 2);
    }
}

/// Issue 18: the audit chain's head travels in the 0605 and is read back from the XML and
/// from the container; a message without one says so.
#[test]
fn the_audit_anchor_travels_in_the_message_and_reads_back() {
    let mut a = abgabe(standard_dokumente());
    assert_eq!(
        xdomea::audit_anker_lesen(xdomea::nachricht_0605(&a).as_bytes()).unwrap(),
        None
    );
    let anker = xdomea::AuditAnker {
        seq: 4711,
        hash: "ab".repeat(32),
    };
    a.vorgang.audit_anker = Some(anker.clone());
    let xml = xdomea::nachricht_0605(&a);
    gueltig(&xml);
    assert_eq!(
        xdomea::audit_anker_lesen(xml.as_bytes()).unwrap(),
        Some(anker.clone())
    );
    let zip = xdomea::container_0605(&a).unwrap();
    assert_eq!(xdomea::audit_anker_lesen(&zip).unwrap(), Some(anker));
    assert!(xdomea::audit_anker_lesen(b"<kein/>").is_err());
}
