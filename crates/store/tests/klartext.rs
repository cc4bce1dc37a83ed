#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Nothing a case holds reaches the disk in plaintext.

mod common;

use std::io::Write;
use std::path::{Path, PathBuf};

use common::*;
use domain::{AnlageRef, Nachricht, Notiz, Richtung};
use store::{EinreichungsAnlage, EmpfangeneEinreichung, NeuerAuftrag, Store};
use time::OffsetDateTime;

const MARKER: &[&str] = &[
    "Quxbertine Vollmarkierung",       // applicant name
    "Zwiebelturmstrasse 77",           // address
    "Fledermausgrotte Kleinbetrieb",   // form text
    "Notizgeheimnis Pfauenauge",       // internal note
    "Nachrichtengeheimnis Eisvogel",   // message text
    "ANLAGENINHALT-Schwalbenschwanz",  // attachment content
    "Einreichungsformular Moorfrosch", // submission form data
    "Ausgangsnutzlast Kranich",        // outbox payload
];

fn alle_dateien(p: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(p).unwrap() {
        let e = e.unwrap().path();
        if e.is_dir() {
            alle_dateien(&e, out);
        } else {
            out.push(e);
        }
    }
}

fn enthaelt(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

fn pruefe_kein_klartext(profil: &Path) -> usize {
    let mut dateien = Vec::new();
    alle_dateien(profil, &mut dateien);
    for d in &dateien {
        let inhalt = std::fs::read(d).unwrap();
        for m in MARKER {
            for form in [m.to_string(), m.to_lowercase(), store::vorgang::falten(m)] {
                for wort in form.split(' ').filter(|w| w.len() >= 8) {
                    assert!(
                        !enthaelt(&inhalt, wort.as_bytes()),
                        "Klartext „{wort}“ in {}",
                        d.display()
                    );
                }
            }
        }
    }
    dateien.len()
}

#[test]
fn no_file_under_the_profile_contains_a_marker_in_plaintext() {
    let dir = tempfile::tempdir().unwrap();
    let profil = dir.path().join("profil");
    let key = store::Schluessel::zufaellig().unwrap();
    let s = Store::open(&profil, &key).unwrap();
    let mut w = s.anlage_schreiber().unwrap();
    for _ in 0..5000 {
        w.write_all(MARKER[5].as_bytes()).unwrap();
    }
    let (sha, n) = w.abschliessen().unwrap();
    let mut ids = Vec::new();
    let mut faelle = Vec::new();
    for i in 0..200 {
        let mut v = vorgang(MARKER[0], &format!("{} {i}", MARKER[2]), eingang());
        v.antragsteller.anschrift = Some(MARKER[1].into());
        v.notizen.push(Notiz {
            autor: "sb".into(),
            zeit: OffsetDateTime::now_utc(),
            text: MARKER[3].into(),
        });
        v.nachrichten.push(Nachricht::neu(
            Richtung::Eingehend,
            OffsetDateTime::now_utc(),
            "Nachweis",
            MARKER[4],
        ));
        v.anlagen.push(AnlageRef {
            sha512: sha.clone(),
            dateiname: "nachweis.txt".into(),
            mime: "text/plain".into(),
            groesse: n,
        });
        ids.push(v.id);
        faelle.push(v);
    }
    s.write(|w| {
        for v in &mut faelle {
            w.vorgang_anlegen(v, &vergabe(), "sb")?;
        }
        Ok(())
    })
    .unwrap();
    s.write(|w| {
        w.einreichung_speichern(
            &EmpfangeneEinreichung {
                submission_id: "sub-k".into(),
                case_id: "c".into(),
                destination_id: "d".into(),
                metadaten_json: "{}".into(),
                formulardaten: MARKER[6].as_bytes().to_vec(),
                schema_uri: "urn:x".into(),
                mime: "application/json".into(),
                anlagen: vec![EinreichungsAnlage {
                    attachment_id: "a".into(),
                    sha512: sha.clone(),
                    dateiname: None,
                    mime: "text/plain".into(),
                }],
            },
            None,
        )?;
        w.outbox_einreihen(
            &NeuerAuftrag {
                idempotenz: "k".into(),
                art: "antwort".into(),
                vorgang_id: None,
                nutzlast: MARKER[7].as_bytes().to_vec(),
            },
            OffsetDateTime::now_utc(),
        )
    })
    .unwrap();
    for id in &ids[..20] {
        s.write(|w| w.vorgang_oeffnen(id, "sb")).unwrap();
    }
    // While open (WAL and shared-memory files present) ...
    let offen = pruefe_kein_klartext(&profil);
    assert!(offen >= 3, "db, wal and the attachment at least");
    // ... the data is really there ...
    assert_eq!(s.read(|r| r.suche("Quxbertine", 5)).unwrap().len(), 5);
    let mut inhalt = String::new();
    std::io::Read::read_to_string(&mut s.anlage_leser(&sha).unwrap(), &mut inhalt).unwrap();
    assert!(inhalt.starts_with(MARKER[5]));
    // ... and after closing (checkpointed into the main file) as well.
    drop(s);
    pruefe_kein_klartext(&profil);
    // The whole profile is full of data, not empty: the marker test is not vacuous.
    let db = std::fs::metadata(profil.join(store::DB_DATEI))
        .unwrap()
        .len();
    assert!(db > 200 * 1000, "{db}");
}
