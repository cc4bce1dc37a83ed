#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! The stand-in E-Akte takes a 0605 container from the hand-over folder, imports it and
//! answers 0629 and 0630 into the return folder; damaged or invalid containers are answered
//! with an error, redeliveries are not imported twice, and the running stand-in picks up new
//! files by itself.

use std::io::{Cursor, Read, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime};

use simulator::eakte::EAkteStandIn;
use time::macros::{date, datetime};
use uuid::Uuid;
use xdomea::{Abgabe, Beteiligter, Dokument, DokumentTyp, Rueckmeldung, VorgangDaten};

struct Umgebung {
    _dir: tempfile::TempDir,
    eakte: EAkteStandIn,
}

fn umgebung() -> Umgebung {
    let dir = tempfile::tempdir().unwrap();
    let eakte = EAkteStandIn::neu(
        dir.path().join("abgabe"),
        dir.path().join("rueckgabe"),
        dir.path().join("ablage"),
    );
    for p in [&eakte.abgabe, &eakte.rueckgabe] {
        std::fs::create_dir_all(p).unwrap();
    }
    Umgebung { _dir: dir, eakte }
}

fn abgabe(prozess_id: Uuid) -> Abgabe {
    let dokument = |n: u8, name: &str, mime: &str, inhalt: &[u8]| Dokument {
        id: Uuid::new_v4(),
        titel: format!("Dokument {n}"),
        typ: DokumentTyp::Anlage,
        dateiname: name.into(),
        mime: mime.into(),
        datum: datetime!(2026-03-01 10:00:00 UTC),
        eingehend: true,
        signiert: false,
        inhalt: inhalt.to_vec(),
    };
    Abgabe {
        prozess_id,
        erstellt: datetime!(2026-04-02 08:30:00 UTC),
        absender: Beteiligter {
            name: "Stadt Musterstadt".into(),
            kennung: None,
            organisationseinheit: Some("Ordnungsamt".into()),
        },
        empfaenger: Beteiligter {
            name: "E-Akte".into(),
            kennung: None,
            organisationseinheit: None,
        },
        produkt_version: "0.1.0".into(),
        ersteller: "m.muster".into(),
        vorgang: VorgangDaten {
            id: Uuid::new_v4(),
            aktenzeichen: "32.1-2026/0001".into(),
            betreff: "Gewerbeanmeldung".into(),
            leika: "99050012104000".into(),
            eingang: date!(2026 - 02 - 27),
            frist: None,
            zustaendig: Some("m.muster".into()),
            status: "Abgeschlossen".into(),
            abgeschlossen: date!(2026 - 04 - 01),
            aufbewahrung_jahre: 10,
            audit_anker: None,
            antragsteller: Some("Erika Mustermann".into()),
            historie: Vec::new(),
        },
        dokumente: vec![
            dokument(1, "Antrag.pdf", "application/pdf", b"%PDF-1.7 Antrag"),
            dokument(2, "../Foto.jpg", "image/jpeg", b"\xff\xd8\xff Foto"),
        ],
    }
}

/// Puts a container into the hand-over folder the way a sender must: temporary name, rename.
fn einlegen(abgabe_ordner: &Path, prozess_id: &Uuid, zip: &[u8]) -> PathBuf {
    let ziel = abgabe_ordner.join(xdomea::container_name(prozess_id));
    let tmp = abgabe_ordner.join(format!(".{}.part", xdomea::container_name(prozess_id)));
    std::fs::write(&tmp, zip).unwrap();
    std::fs::rename(&tmp, &ziel).unwrap();
    ziel
}

fn antwort(rueckgabe: &Path, prozess_id: &Uuid, nachricht: &str) -> Rueckmeldung {
    let pfad = rueckgabe.join(xdomea::rueckmeldung_name(prozess_id, nachricht));
    let xml = std::fs::read(&pfad).unwrap_or_else(|e| panic!("{}: {e}", pfad.display()));
    xdomea::schema::pruefen(&xml).unwrap();
    xdomea::rueckmeldung_lesen(&xml).unwrap()
}

fn import(r: Rueckmeldung) -> (bool, Vec<String>, Option<String>) {
    match r {
        Rueckmeldung::Import {
            erfolgreich,
            meldungen,
            referenz,
            ..
        } => (erfolgreich, meldungen, referenz),
        other => panic!("{other:?}"),
    }
}

fn importierte(eakte: &EAkteStandIn) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(eakte.ablage.join("importiert"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    v.sort();
    v
}

/// Rewrites a container with `aendern` applied to each (name, bytes).
fn umpacken(zip: &[u8], aendern: impl Fn(&str, Vec<u8>) -> Vec<u8>) -> Vec<u8> {
    let mut archiv = zip::ZipArchive::new(Cursor::new(zip)).unwrap();
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for i in 0..archiv.len() {
        let mut e = archiv.by_index(i).unwrap();
        let name = e.name().unwrap().to_string();
        let mut inhalt = Vec::new();
        e.read_to_end(&mut inhalt).unwrap();
        w.start_file(name.clone(), zip::write::SimpleFileOptions::default())
            .unwrap();
        w.write_all(&aendern(&name, inhalt)).unwrap();
    }
    w.finish().unwrap().into_inner()
}

#[test]
fn a_hand_over_is_imported_and_confirmed_with_receipt_and_reference() {
    let u = umgebung();
    let pid = Uuid::new_v4();
    let a = abgabe(pid);
    let datei = einlegen(&u.eakte.abgabe, &pid, &xdomea::container_0605(&a).unwrap());
    let ergebnis = u.eakte.verarbeiten().unwrap();
    assert_eq!(ergebnis.len(), 1);
    assert!(ergebnis[0].erfolgreich, "{:?}", ergebnis[0]);
    assert_eq!(ergebnis[0].prozess_id, Some(pid));

    assert_eq!(
        antwort(&u.eakte.rueckgabe, &pid, "0629"),
        Rueckmeldung::Empfang { prozess_id: pid }
    );
    let (erfolgreich, _, referenz) = import(antwort(&u.eakte.rueckgabe, &pid, "0630"));
    assert!(erfolgreich);
    let referenz = referenz.unwrap();
    assert!(
        referenz.starts_with("EAKTE-") && referenz.ends_with("-000001"),
        "{referenz}"
    );
    assert_eq!(ergebnis[0].referenz.as_deref(), Some(referenz.as_str()));

    assert!(!datei.exists(), "the container leaves the hand-over folder");
    let importiert = importierte(&u.eakte);
    assert_eq!(importiert.len(), 1);
    for d in &a.dokumente {
        let inhalt = std::fs::read(importiert[0].join(xdomea::primaer_dateiname(d))).unwrap();
        assert_eq!(inhalt, d.inhalt);
    }
    // Only the two answers are in the return folder, no temporary files.
    assert_eq!(std::fs::read_dir(&u.eakte.rueckgabe).unwrap().count(), 2);
}

#[test]
fn a_tampered_container_is_answered_with_an_error_and_set_aside() {
    let u = umgebung();
    let pid = Uuid::new_v4();
    let a = abgabe(pid);
    let ziel = xdomea::primaer_dateiname(&a.dokumente[0]);
    let zip = umpacken(&xdomea::container_0605(&a).unwrap(), |n, mut b| {
        if n == ziel {
            b.extend_from_slice(b" manipuliert");
        }
        b
    });
    let datei = einlegen(&u.eakte.abgabe, &pid, &zip);
    let ergebnis = u.eakte.verarbeiten().unwrap();
    assert!(!ergebnis[0].erfolgreich);

    assert_eq!(
        antwort(&u.eakte.rueckgabe, &pid, "0629"),
        Rueckmeldung::Empfang { prozess_id: pid }
    );
    let (erfolgreich, meldungen, referenz) = import(antwort(&u.eakte.rueckgabe, &pid, "0630"));
    assert!(!erfolgreich);
    assert_eq!(referenz, None);
    assert!(meldungen[0].contains(&ziel), "{meldungen:?}");
    assert!(!datei.exists());
    assert!(
        u.eakte
            .ablage
            .join("abgelehnt")
            .join(xdomea::container_name(&pid))
            .exists()
    );
    assert!(importierte(&u.eakte).is_empty());
}

#[test]
fn a_message_against_the_schema_is_answered_with_code_0000008() {
    let u = umgebung();
    let pid = Uuid::new_v4();
    let zip = umpacken(&xdomea::container_0605(&abgabe(pid)).unwrap(), |n, b| {
        if n.ends_with(".xml") {
            String::from_utf8(b)
                .unwrap()
                .replace("<xdomea:Stapel>false</xdomea:Stapel>", "")
                .into_bytes()
        } else {
            b
        }
    });
    einlegen(&u.eakte.abgabe, &pid, &zip);
    u.eakte.verarbeiten().unwrap();
    let (erfolgreich, meldungen, _) = import(antwort(&u.eakte.rueckgabe, &pid, "0630"));
    assert!(!erfolgreich);
    assert!(meldungen[0].starts_with("0000008: "), "{meldungen:?}");
    assert!(meldungen[0].contains("Stapel"), "{meldungen:?}");
}

#[test]
fn an_unreadable_zip_is_rejected_once_it_is_no_longer_being_written() {
    let u = umgebung();
    let pid = Uuid::new_v4();
    let datei = einlegen(&u.eakte.abgabe, &pid, b"PK\x03\x04 abgeschnitten");
    // Fresh: perhaps still being copied, so it waits.
    assert!(u.eakte.verarbeiten().unwrap().is_empty());
    assert!(datei.exists());
    std::fs::File::options()
        .write(true)
        .open(&datei)
        .unwrap()
        .set_modified(SystemTime::now() - Duration::from_secs(60))
        .unwrap();
    let ergebnis = u.eakte.verarbeiten().unwrap();
    assert!(!ergebnis[0].erfolgreich);
    let (erfolgreich, meldungen, _) = import(antwort(&u.eakte.rueckgabe, &pid, "0630"));
    assert!(!erfolgreich);
    assert!(meldungen[0].contains("ZIP"), "{meldungen:?}");
}

#[test]
fn a_redelivered_hand_over_is_not_imported_twice_and_gets_the_same_answers() {
    let u = umgebung();
    let pid = Uuid::new_v4();
    let zip = xdomea::container_0605(&abgabe(pid)).unwrap();
    einlegen(&u.eakte.abgabe, &pid, &zip);
    u.eakte.verarbeiten().unwrap();
    let erste_0630 = std::fs::read(
        u.eakte
            .rueckgabe
            .join(xdomea::rueckmeldung_name(&pid, "0630")),
    )
    .unwrap();
    std::fs::remove_dir_all(&u.eakte.rueckgabe).unwrap();

    let datei = einlegen(&u.eakte.abgabe, &pid, &zip);
    let ergebnis = u.eakte.verarbeiten().unwrap();
    assert_eq!(ergebnis.len(), 1);
    assert!(ergebnis[0].erfolgreich);
    assert!(
        ergebnis[0].meldung.contains("Bereits verarbeitet"),
        "{}",
        ergebnis[0].meldung
    );
    assert_eq!(importierte(&u.eakte).len(), 1, "imported once");
    assert!(!datei.exists());
    let zweite_0630 = std::fs::read(
        u.eakte
            .rueckgabe
            .join(xdomea::rueckmeldung_name(&pid, "0630")),
    )
    .unwrap();
    assert_eq!(erste_0630, zweite_0630);
    assert!(
        u.eakte
            .rueckgabe
            .join(xdomea::rueckmeldung_name(&pid, "0629"))
            .exists()
    );

    // A second, different hand-over is counted on.
    let pid2 = Uuid::new_v4();
    einlegen(
        &u.eakte.abgabe,
        &pid2,
        &xdomea::container_0605(&abgabe(pid2)).unwrap(),
    );
    let ergebnis = u.eakte.verarbeiten().unwrap();
    assert!(
        ergebnis[0]
            .referenz
            .as_deref()
            .unwrap()
            .ends_with("-000002")
    );
}

#[test]
fn the_fault_switch_makes_only_the_next_import_fail() {
    let u = umgebung();
    u.eakte
        .fehler_einstellen(Some("Ablage voll (Test)".into()))
        .unwrap();
    let pid = Uuid::new_v4();
    einlegen(
        &u.eakte.abgabe,
        &pid,
        &xdomea::container_0605(&abgabe(pid)).unwrap(),
    );
    u.eakte.verarbeiten().unwrap();
    let (erfolgreich, meldungen, _) = import(antwort(&u.eakte.rueckgabe, &pid, "0630"));
    assert!(!erfolgreich);
    assert_eq!(meldungen, ["Ablage voll (Test)"]);

    let pid2 = Uuid::new_v4();
    einlegen(
        &u.eakte.abgabe,
        &pid2,
        &xdomea::container_0605(&abgabe(pid2)).unwrap(),
    );
    u.eakte.verarbeiten().unwrap();
    assert!(import(antwort(&u.eakte.rueckgabe, &pid2, "0630")).0);
}

#[test]
fn temporary_and_foreign_files_are_left_alone() {
    let u = umgebung();
    let pid = Uuid::new_v4();
    let zip = xdomea::container_0605(&abgabe(pid)).unwrap();
    let namen = [
        format!(".{}", xdomea::container_name(&pid)),
        format!("{}.part", xdomea::container_name(&pid)),
        "notiz.txt".to_string(),
        "kein-uuid_FVDaten.SGOAblegen.0605.zip".to_string(),
    ];
    for n in &namen {
        std::fs::write(u.eakte.abgabe.join(n), &zip).unwrap();
    }
    assert!(u.eakte.verarbeiten().unwrap().is_empty());
    for n in &namen {
        assert!(u.eakte.abgabe.join(n).exists(), "{n}");
    }
    assert_eq!(std::fs::read_dir(&u.eakte.rueckgabe).unwrap().count(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_running_stand_in_picks_up_a_file_written_while_it_runs() {
    let u = umgebung();
    let handle = u.eakte.clone().starten();
    // Let the first pass find the empty folder, then hand over.
    tokio::time::sleep(Duration::from_millis(100)).await;
    let pid = Uuid::new_v4();
    einlegen(
        &u.eakte.abgabe,
        &pid,
        &xdomea::container_0605(&abgabe(pid)).unwrap(),
    );
    let antwort_pfad = u
        .eakte
        .rueckgabe
        .join(xdomea::rueckmeldung_name(&pid, "0630"));
    let start = Instant::now();
    while !antwort_pfad.exists() {
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "no 0630 after 20 s"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    handle.stoppen().await;
    assert!(import(antwort(&u.eakte.rueckgabe, &pid, "0630")).0);
    assert_eq!(
        antwort(&u.eakte.rueckgabe, &pid, "0629"),
        Rueckmeldung::Empfang { prozess_id: pid }
    );
}
