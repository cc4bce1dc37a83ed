#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! The one intake call of the sync engine: `Schreiben::einreichung_aufnehmen` checks the
//! submission's state once and writes case, content, state and queued accept together.

mod common;

use std::io::Write;

use common::*;
use domain::nachforderung::{AngeforderterNachweis, Nachforderung, NachgereichtesDokument};
use domain::{AnlageRef, Eingangszustand, Nachricht, Richtung, Status, VorgangId};
use store::{
    Aufnahme, Aufnahmeergebnis, Aufnahmefall, EinreichungsAnlage, EmpfangeneEinreichung,
    Nachreichung, NeuerAuftrag, Store,
};
use time::Duration;
use time::macros::date;

fn ablegen(s: &Store, daten: &[u8]) -> String {
    let mut w = s.anlage_schreiber().unwrap();
    w.write_all(daten).unwrap();
    w.abschliessen().unwrap().0
}

fn dokument(sha: &str, name: &str) -> AnlageRef {
    AnlageRef {
        sha512: sha.into(),
        dateiname: name.into(),
        mime: "application/pdf".into(),
        groesse: 6,
    }
}

fn inhalt(sid: &str, anlagen: &[(&str, &str)]) -> EmpfangeneEinreichung {
    EmpfangeneEinreichung {
        submission_id: sid.into(),
        case_id: "case-1".into(),
        destination_id: "dest-1".into(),
        metadaten_json: r#"{"contentStructure":{}}"#.into(),
        formulardaten: br#"{"antrag":"Gewerbe"}"#.to_vec(),
        schema_uri: "urn:xoev-de:fim:standard:gewerbe".into(),
        mime: "application/json".into(),
        anlagen: anlagen
            .iter()
            .enumerate()
            .map(|(i, (sha, name))| EinreichungsAnlage {
                attachment_id: format!("att-{i}"),
                sha512: (*sha).into(),
                dateiname: Some((*name).into()),
                mime: "application/pdf".into(),
            })
            .collect(),
    }
}

fn aufnahme(sid: &str, fall: Aufnahmefall, anlagen: &[(&str, &str)]) -> Aufnahme {
    Aufnahme {
        einreichung: inhalt(sid, anlagen),
        fall,
        annahme: NeuerAuftrag {
            idempotenz: format!("fitconnect.accept:{sid}"),
            art: "fitconnect.accept".into(),
            vorgang_id: None,
            nutzlast: format!("set-{sid}").into_bytes(),
        },
        zeit: eingang(),
        akteur: "system:sync".into(),
    }
}

fn neu(sha: &str) -> Aufnahmefall {
    let mut v = vorgang("Erika Mustermann", "Gewerbe", eingang());
    v.anlagen = vec![dokument(sha, "Antrag.pdf")];
    Aufnahmefall::Neu {
        vorgang: Box::new(v),
        vergabe: vergabe(),
    }
}

fn offene_auftraege(s: &Store) -> Vec<store::OutboxEintrag> {
    s.read(|r| r.outbox_faellig(eingang() + Duration::days(3650), 100))
        .unwrap()
}

#[test]
fn taking_a_submission_in_creates_its_case_sets_accept_pending_and_queues_the_accept_once() {
    let (_d, s, _) = neuer_store();
    let sha = ablegen(&s, b"antrag");
    s.write(|w| w.einreichung_empfangen("sub-1", "case-1", "dest-1"))
        .unwrap();
    let r = s
        .write(|w| w.einreichung_aufnehmen(aufnahme("sub-1", neu(&sha), &[(&sha, "Antrag.pdf")])))
        .unwrap();
    let Aufnahmeergebnis::Gespeichert {
        vorgang_id,
        aktenzeichen,
        nachgereicht,
    } = r
    else {
        panic!("nicht aufgenommen: {r:?}");
    };
    assert!(!nachgereicht);
    assert_eq!(aktenzeichen, "32-GEW/2026/00001");
    let info = s.read(|r| r.einreichung("sub-1")).unwrap().unwrap();
    assert_eq!(info.zustand, Eingangszustand::AcceptPending);
    assert_eq!(info.vorgang_id, Some(vorgang_id.to_string()));
    assert_eq!(
        info.formulardaten.as_deref(),
        Some(&br#"{"antrag":"Gewerbe"}"#[..])
    );
    assert_eq!(info.anlagen[0].dateiname.as_deref(), Some("Antrag.pdf"));
    let offen = offene_auftraege(&s);
    assert_eq!(offen.len(), 1);
    assert_eq!(offen[0].vorgang_id, Some(vorgang_id.to_string()));
    assert_eq!(offen[0].nutzlast, b"set-sub-1");

    // Delivered again (or taken in by a concurrent pass): nothing changes.
    let nochmal = s
        .write(|w| w.einreichung_aufnehmen(aufnahme("sub-1", neu(&sha), &[(&sha, "Antrag.pdf")])))
        .unwrap();
    assert_eq!(nochmal, Aufnahmeergebnis::SchonErledigt);
    assert_eq!(s.read(|r| r.anzahl_vorgaenge()).unwrap(), 1);
    assert_eq!(offene_auftraege(&s).len(), 1);
    // A submission never noted as seen is not taken in either.
    let fremd = s
        .write(|w| w.einreichung_aufnehmen(aufnahme("sub-x", neu(&sha), &[])))
        .unwrap();
    assert_eq!(fremd, Aufnahmeergebnis::SchonErledigt);
    assert_eq!(s.read(|r| r.anzahl_vorgaenge()).unwrap(), 1);
}

#[test]
fn a_follow_up_goes_to_the_existing_case_with_only_its_new_documents() {
    let (_d, s, _) = neuer_store();
    let antrag = ablegen(&s, b"antrag");
    let nachweis = ablegen(&s, b"nachweis");
    s.write(|w| w.einreichung_empfangen("sub-1", "case-1", "dest-1"))
        .unwrap();
    let Aufnahmeergebnis::Gespeichert {
        vorgang_id,
        aktenzeichen,
        ..
    } = s
        .write(|w| {
            w.einreichung_aufnehmen(aufnahme("sub-1", neu(&antrag), &[(&antrag, "Antrag.pdf")]))
        })
        .unwrap()
    else {
        panic!("nicht aufgenommen");
    };
    s.write(|w| w.einreichung_empfangen("sub-2", "case-1", "dest-1"))
        .unwrap();
    let nachricht = Nachricht::neu(
        Richtung::Eingehend,
        eingang(),
        "Neu: nachgereichte Unterlagen",
        "Nachreichung mit 2 Anlage(n)",
    );
    // The case waits for two Nachweise; the follow-up declares one of them.
    // (Along the status machine: the store refuses any other change.)
    let mut v = s.read(|r| r.vorgang(&vorgang_id)).unwrap().unwrap();
    v.status = Status::InPruefung;
    s.write(|w| w.vorgang_speichern(&v, "sb", "test.pruefung"))
        .unwrap();
    v.status = Status::NachforderungOffen;
    v.wiedervorlage = Some(date!(2026 - 12 - 17));
    v.nachforderung = Some(Nachforderung {
        nachweise: ["haftpflicht", "chip"]
            .iter()
            .map(|id| AngeforderterNachweis {
                id: (*id).into(),
                bezeichnung: format!("Nachweis {id}"),
                eingegangen: None,
            })
            .collect(),
        frist: date!(2026 - 12 - 17),
        gesendet: eingang(),
        von: "sb".into(),
        erinnerungen: vec![],
        wiedervorlage: Some(date!(2026 - 12 - 17)),
    });
    s.write(|w| w.vorgang_speichern(&v, "sb", "test.nachforderung"))
        .unwrap();
    let fall = Aufnahmefall::Nachreichung(Nachreichung {
        vorgang_id,
        anlagen: vec![
            dokument(&antrag, "Antrag.pdf"),
            dokument(&nachweis, "Nachweis.pdf"),
        ],
        nachricht: nachricht.clone(),
        dokumente: vec![NachgereichtesDokument {
            dateiname: "Nachweis.pdf".into(),
            beschreibung: Some("haftpflicht".into()),
        }],
    });
    let anlagen = [
        (antrag.as_str(), "Antrag.pdf"),
        (nachweis.as_str(), "Nachweis.pdf"),
    ];
    let r = s
        .write(|w| w.einreichung_aufnehmen(aufnahme("sub-2", fall, &anlagen)))
        .unwrap();
    assert_eq!(
        r,
        Aufnahmeergebnis::Gespeichert {
            vorgang_id,
            aktenzeichen,
            nachgereicht: true,
        }
    );
    assert_eq!(s.read(|r| r.anzahl_vorgaenge()).unwrap(), 1);
    let v = s.read(|r| r.vorgang(&vorgang_id)).unwrap().unwrap();
    let namen: Vec<_> = v.anlagen.iter().map(|a| a.dateiname.as_str()).collect();
    assert_eq!(namen, ["Antrag.pdf", "Nachweis.pdf"]);
    assert_eq!(v.nachrichten, [nachricht]);
    // The domain's rule ran in the same transaction: ticked, back in Prüfung, the
    // Wiedervorlage at the Frist gone, the status change audited as the system's; the
    // Posteingang marks the case „neue Unterlagen“ until someone opens it.
    let nf = v.nachforderung.as_ref().unwrap();
    assert!(nf.nachweise[0].eingegangen.is_some());
    assert!(nf.nachweise[1].eingegangen.is_none());
    assert_eq!(v.status, Status::InPruefung);
    assert_eq!(v.wiedervorlage, None);
    let audit = s.read(|r| r.audit_fuer_vorgang(&vorgang_id)).unwrap();
    assert!(
        audit.iter().any(|a| a.was
            == "status: nachforderung_offen → in_pruefung (Nachgeforderte Unterlagen eingegangen)"
            && a.details == "Nachweise eingegangen: haftpflicht"),
        "{audit:?}"
    );
    let neu = |s: &Store| {
        s.read(|r| r.mit_ungesehenen_unterlagen(&[vorgang_id]))
            .unwrap()
            .contains(&vorgang_id)
    };
    assert!(neu(&s));
    s.write(|w| w.vorgang_oeffnen(&vorgang_id, "sb")).unwrap();
    assert!(!neu(&s));
    let info = s.read(|r| r.einreichung("sub-2")).unwrap().unwrap();
    assert_eq!(info.zustand, Eingangszustand::AcceptPending);
    assert_eq!(info.vorgang_id, Some(vorgang_id.to_string()));
    assert_eq!(offene_auftraege(&s).len(), 2);
}

#[test]
fn an_intake_that_fails_leaves_the_submission_received_with_no_case_and_no_accept() {
    let (_d, s, _) = neuer_store();
    s.write(|w| w.einreichung_empfangen("sub-1", "case-1", "dest-1"))
        .unwrap();
    // An attachment that was never filed: the whole intake rolls back, the case included.
    let fehlt = "ab".repeat(64);
    let err = s
        .write(|w| w.einreichung_aufnehmen(aufnahme("sub-1", neu(&fehlt), &[(&fehlt, "a.pdf")])))
        .unwrap_err();
    assert!(err.to_string().contains("nicht"), "{err}");
    // A follow-up to a case that does not exist here is refused, not turned into a new one.
    let fall = Aufnahmefall::Nachreichung(Nachreichung {
        vorgang_id: VorgangId::neu(),
        anlagen: vec![],
        nachricht: Nachricht::neu(Richtung::Eingehend, eingang(), "x", "x"),
        dokumente: vec![],
    });
    let err = s
        .write(|w| w.einreichung_aufnehmen(aufnahme("sub-1", fall, &[])))
        .unwrap_err();
    assert!(err.to_string().contains("Nachreichung sub-1"), "{err}");
    assert_eq!(s.read(|r| r.anzahl_vorgaenge()).unwrap(), 0);
    assert_eq!(
        s.read(|r| r.einreichung_zustand("sub-1")).unwrap(),
        Some(Eingangszustand::Received)
    );
    assert!(offene_auftraege(&s).is_empty());
}
