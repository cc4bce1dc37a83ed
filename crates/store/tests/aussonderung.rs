#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Purge after the E-Akte's import (issue 17): the case's content is gone from the decrypted
//! database and its attachments' keys and files are destroyed; the tombstone and the audit
//! chain stay.

mod common;

use std::io::Write;

use common::*;
use domain::AnlageRef;
use domain::eakte::EAkteVermerk;
use store::StoreError;
use time::OffsetDateTime;

const MARKER: &str = "Zwetschgendatschi4711";

fn mit_anlage(s: &store::Store, inhalt: &[u8]) -> (String, u64) {
    let mut w = s.anlage_schreiber().unwrap();
    w.write_all(inhalt).unwrap();
    w.abschliessen().unwrap()
}

#[test]
fn a_purged_case_leaves_no_plaintext_but_its_tombstone_and_a_sound_audit_chain() {
    let (dir, s, _) = neuer_store();
    let v = vergabe();
    // The case to purge: marker in applicant, form data, a note, a message and an attachment.
    let mut a = vorgang(
        &format!("Erika {MARKER}"),
        &format!("Hund {MARKER}"),
        eingang(),
    );
    let (sha, n) = mit_anlage(&s, format!("Anlage mit {MARKER}").as_bytes());
    a.anlagen.push(AnlageRef {
        sha512: sha.clone(),
        dateiname: format!("{MARKER}.txt"),
        mime: "text/plain".into(),
        groesse: n,
    });
    a.notizen.push(domain::Notiz {
        autor: "sb".into(),
        zeit: eingang(),
        text: format!("Notiz {MARKER}"),
    });
    s.write(|w| w.vorgang_anlegen(&mut a, &v, "sb").map(|_| ()))
        .unwrap();
    // A second case sharing nothing keeps its data.
    let mut b = vorgang("Max Mustermann", "Katze Bleibt", eingang());
    s.write(|w| w.vorgang_anlegen(&mut b, &v, "sb").map(|_| ()))
        .unwrap();
    assert!(
        s.klartext_finden(MARKER).unwrap(),
        "the marker is there before"
    );

    // Not imported yet: refused, nothing changes.
    let err = s
        .write(|w| w.vorgang_aussondern(&a.id, "system", OffsetDateTime::now_utc()))
        .unwrap_err();
    assert!(matches!(err, StoreError::Unzulaessig(_)), "{err}");

    let mut vermerk = EAkteVermerk::neu("p-1".into(), eingang(), "sb".into(), 2);
    vermerk.import(
        OffsetDateTime::now_utc(),
        true,
        Some("EAKTE-2026-000001".into()),
        None,
    );
    a.eakte = Some(vermerk);
    s.write(|w| {
        w.eakte_abgabe_eintragen("P-1", &a.id, eingang())?;
        w.vorgang_speichern(&a, "system", "eakte.importiert")
    })
    .unwrap();
    assert_eq!(s.read(|r| r.eakte_vorgang("p-1")).unwrap(), Some(a.id));

    let weg = s
        .write(|w| w.vorgang_aussondern(&a.id, "system", OffsetDateTime::now_utc()))
        .unwrap();
    assert_eq!(weg.anlagen, 1);
    s.verdichten().unwrap();

    assert!(
        !s.klartext_finden(MARKER).unwrap(),
        "plaintext left after the purge"
    );
    assert!(
        s.klartext_finden("Katze").unwrap(),
        "the other case keeps its data"
    );
    assert!(
        !dir.path().join(store::ANLAGEN_ORDNER).join(&sha).exists(),
        "the attachment's file is gone"
    );
    assert!(s.anlage_leser(&sha).is_err(), "its key is destroyed");
    let g = s.read(|r| r.vorgang(&a.id)).unwrap().unwrap();
    assert_eq!(g.aktenzeichen, a.aktenzeichen);
    assert!(g.antragsteller.name.is_empty() && g.formulardaten.inhalt.is_empty());
    let e = g.eakte.unwrap();
    assert_eq!(e.referenz.as_deref(), Some("EAKTE-2026-000001"));
    assert!(e.geloescht.is_some());
    let befund = s.read(|r| r.audit_pruefen()).unwrap();
    assert!(befund.intakt(), "{befund:?}");
    let verlauf = s.read(|r| r.audit_fuer_vorgang(&a.id)).unwrap();
    assert!(verlauf.iter().any(|e| e.was == store::AUSGESONDERT));
    // Purging again changes nothing.
    let nochmal = s
        .write(|w| w.vorgang_aussondern(&a.id, "system", OffsetDateTime::now_utc()))
        .unwrap();
    assert_eq!(nochmal, store::Aussonderung::default());
    // Search no longer finds it by the applicant's name, but by its Aktenzeichen.
    let raw = std::fs::read(s.db_pfad()).unwrap();
    assert!(!raw.windows(MARKER.len()).any(|w| w == MARKER.as_bytes()));
}
