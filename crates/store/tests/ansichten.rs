#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! The store's additions for the caseworker UI: sorting by every column, offset pages,
//! search within a filter, saved filters, seeking inside an attachment, and the counts the
//! status area shows.

mod common;

use std::io::{Read, Write};

use common::*;
use domain::Notiz;
use store::{QueueFilter, Sortierung, ZustaendigFilter};
use time::Duration;

fn fuenf(s: &store::Store) {
    let namen = [
        "Özlem Çelik",
        "anna Berg",
        "Bernd Müller",
        "Carla Ünal",
        "Dieter Zorn",
    ];
    for (i, n) in namen.iter().enumerate() {
        let mut v = vorgang(n, "Imbiss", eingang() + Duration::hours(i as i64));
        v.leistung.name = [
            "Hundesteuer",
            "Gewerbeanmeldung",
            "Anwohnerparken",
            "Gewerbeanmeldung",
            "Bauantrag",
        ][i]
            .into();
        if i % 2 == 0 {
            v.zustaendig =
                Some(["sb2", "", "sb1"][i / 2].into()).filter(|z: &String| !z.is_empty());
        }
        s.write(|w| w.vorgang_anlegen(&mut v, &vergabe(), "sb1").map(|_| ()))
            .unwrap();
    }
}

fn namen(s: &store::Store, f: &QueueFilter) -> Vec<String> {
    s.read(|r| r.warteschlange(f))
        .unwrap()
        .zeilen
        .into_iter()
        .map(|z| z.antragsteller)
        .collect()
}

#[test]
fn the_queue_sorts_by_leistung_status_and_assignee_with_the_row_number_as_tie_break() {
    let (_d, s, _) = neuer_store();
    fuenf(&s);
    let f = |sortierung, absteigend| QueueFilter {
        sortierung,
        absteigend,
        ..QueueFilter::default()
    };
    assert_eq!(
        namen(&s, &f(Sortierung::Leistung, false)),
        [
            "Bernd Müller",
            "Dieter Zorn",
            "anna Berg",
            "Carla Ünal",
            "Özlem Çelik"
        ]
    );
    assert_eq!(
        namen(&s, &f(Sortierung::Zustaendig, false)),
        [
            "anna Berg",
            "Bernd Müller",
            "Carla Ünal",
            "Dieter Zorn",
            "Özlem Çelik"
        ]
    );
    assert_eq!(
        namen(&s, &f(Sortierung::Zustaendig, true)),
        [
            "Özlem Çelik",
            "Dieter Zorn",
            "Carla Ünal",
            "Bernd Müller",
            "anna Berg"
        ]
    );
    // All Neu: the row number decides.
    assert_eq!(
        namen(&s, &f(Sortierung::Status, false)),
        [
            "Özlem Çelik",
            "anna Berg",
            "Bernd Müller",
            "Carla Ünal",
            "Dieter Zorn"
        ]
    );
}

#[test]
fn a_page_may_start_at_any_row() {
    let (_d, s, _) = neuer_store();
    fuenf(&s);
    let f = QueueFilter {
        versatz: Some(3),
        pro_seite: 10,
        ..QueueFilter::default()
    };
    assert_eq!(namen(&s, &f), ["Carla Ünal", "Dieter Zorn"]);
}

#[test]
fn search_narrows_a_filtered_queue_and_its_count_with_folded_umlauts() {
    let (_d, s, _) = neuer_store();
    fuenf(&s);
    let f = QueueFilter {
        volltext: Some("mueller".into()),
        ..QueueFilter::default()
    };
    assert_eq!(namen(&s, &f), ["Bernd Müller"]);
    assert_eq!(s.read(|r| r.warteschlange_anzahl(&f)).unwrap(), 1);
    let mit_filter = QueueFilter {
        volltext: Some("Imbiss".into()),
        zustaendig: Some(ZustaendigFilter::Person("sb2".into())),
        ..QueueFilter::default()
    };
    assert_eq!(namen(&s, &mit_filter), ["Özlem Çelik"]);
    let leer = QueueFilter {
        volltext: Some("  ".into()),
        ..QueueFilter::default()
    };
    assert_eq!(s.read(|r| r.warteschlange_anzahl(&leer)).unwrap(), 5);
}

#[test]
fn saved_filters_round_trip_replace_by_name_and_delete() {
    let (_d, s, _) = neuer_store();
    s.write(|w| w.filter_speichern("Zorn", r#"{"a":1}"#))
        .unwrap();
    s.write(|w| w.filter_speichern("amt", r#"{"a":2}"#))
        .unwrap();
    s.write(|w| w.filter_speichern("Zorn", r#"{"a":3}"#))
        .unwrap();
    let alle = s.read(|r| r.gespeicherte_filter()).unwrap();
    assert_eq!(
        alle,
        [
            ("amt".to_owned(), r#"{"a":2}"#.to_owned()),
            ("Zorn".to_owned(), r#"{"a":3}"#.to_owned())
        ]
    );
    assert!(s.write(|w| w.filter_loeschen("amt")).unwrap());
    assert!(!s.write(|w| w.filter_loeschen("amt")).unwrap());
    assert!(s.write(|w| w.filter_speichern(" ", "{}")).is_err());
    assert_eq!(s.read(|r| r.gespeicherte_filter()).unwrap().len(), 1);
}

#[test]
fn an_attachment_reader_jumps_to_any_byte_and_reads_on_from_there() {
    let (_d, s, _) = neuer_store();
    let inhalt: Vec<u8> = (0..(3 * store::anlage::CHUNK + 1234))
        .map(|i| (i * 31 % 251) as u8)
        .collect();
    let mut w = s.anlage_schreiber().unwrap();
    w.write_all(&inhalt).unwrap();
    let (sha, _) = w.abschliessen().unwrap();
    for pos in [
        0,
        1,
        store::anlage::CHUNK - 1,
        store::anlage::CHUNK,
        2 * store::anlage::CHUNK + 17,
        inhalt.len() - 1,
        inhalt.len(),
    ] {
        let mut l = s.anlage_leser(&sha).unwrap();
        l.springen(pos as u64).unwrap();
        let mut rest = Vec::new();
        l.read_to_end(&mut rest).unwrap();
        assert_eq!(rest, inhalt[pos..], "ab {pos}");
    }
    let mut l = s.anlage_leser(&sha).unwrap();
    assert!(l.springen(inhalt.len() as u64 + 1).is_err());
}

#[test]
fn follow_up_documents_count_as_unseen_until_the_case_is_opened() {
    let (_d, s, _) = neuer_store();
    let mut v = vorgang("Anna", "x", eingang());
    s.write(|w| {
        w.vorgang_anlegen(&mut v, &vergabe(), "system:sync")
            .map(|_| ())
    })
    .unwrap();
    let ids = [v.id];
    assert!(
        s.read(|r| r.mit_ungesehenen_unterlagen(&ids))
            .unwrap()
            .is_empty()
    );
    s.write(|w| w.vorgang_speichern(&v, "system:sync", "einreichung.nachgereicht"))
        .unwrap();
    assert!(
        s.read(|r| r.mit_ungesehenen_unterlagen(&ids))
            .unwrap()
            .contains(&v.id)
    );
    s.write(|w| w.vorgang_oeffnen(&v.id, "sb1").map(|_| ()))
        .unwrap();
    assert!(
        s.read(|r| r.mit_ungesehenen_unterlagen(&ids))
            .unwrap()
            .is_empty()
    );
}

#[test]
fn a_change_can_carry_details_into_the_audit_log() {
    let (_d, s, _) = neuer_store();
    let mut v = vorgang("Anna", "x", eingang());
    s.write(|w| w.vorgang_anlegen(&mut v, &vergabe(), "sb1").map(|_| ()))
        .unwrap();
    v.notizen.push(Notiz {
        autor: "sb1".into(),
        zeit: eingang(),
        text: "t".into(),
    });
    s.write(|w| w.vorgang_aendern(&v, "sb1", "zustaendig.gesetzt", "sb1"))
        .unwrap();
    let log = s.read(|r| r.audit_fuer_vorgang(&v.id)).unwrap();
    let letzte = log.last().unwrap();
    assert_eq!(
        (letzte.was.as_str(), letzte.details.as_str()),
        ("zustaendig.gesetzt", "sb1")
    );
    assert_eq!(s.read(|r| r.outbox_offen_anzahl()).unwrap(), 0);
    assert_eq!(s.read(|r| r.einreichungen_anzahl()).unwrap(), 0);
}
