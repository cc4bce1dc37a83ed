#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! A queue page over several statuses sorted by Eingang is merged from one ordered slice per
//! status; it must list exactly what sorting all matching cases would list, page by page,
//! with equal Eingang times ordered by insertion, in both directions.

mod common;

use domain::Status;
use store::{QueueFilter, Sortierung};
use time::Duration;

#[test]
fn pages_over_several_statuses_by_eingang_equal_a_full_sort_of_the_matching_cases() {
    let (_d, s, _k) = common::neuer_store();
    let arten = [
        Status::Neu,
        Status::InPruefung,
        Status::NachforderungOffen,
        Status::Zurueckgewiesen,
    ];
    // (insertion index, id, status, eingang minute); minutes repeat, so ties are common.
    let mut alle = Vec::new();
    for i in 0..90i64 {
        let minute = (i * 7) % 13;
        let mut v = common::vorgang(
            &format!("Person {i}"),
            "Text",
            common::eingang() + Duration::minutes(minute),
        );
        v.status = arten[(i as usize * 5 / 3) % arten.len()];
        s.write(|w| w.vorgang_anlegen(&mut v, &common::vergabe(), "sb1"))
            .unwrap();
        alle.push((i, v.id, v.status, minute));
    }
    let gesucht = [Status::Neu, Status::InPruefung, Status::Zurueckgewiesen];
    for absteigend in [true, false] {
        let mut erwartet: Vec<_> = alle
            .iter()
            .filter(|(_, _, st, _)| gesucht.contains(st))
            .collect();
        erwartet.sort_by_key(|(i, _, _, m)| (*m, *i));
        if absteigend {
            erwartet.reverse();
        }
        let erwartet: Vec<_> = erwartet.iter().map(|(_, id, _, _)| *id).collect();
        for versatz in [0u64, 10, 25, 60, 64, 200] {
            let f = QueueFilter {
                status: gesucht.to_vec(),
                sortierung: Sortierung::Eingang,
                absteigend,
                pro_seite: 10,
                versatz: Some(versatz),
                ..QueueFilter::default()
            };
            let seite = s.read(|r| r.warteschlange(&f)).unwrap();
            let ids: Vec<_> = seite.zeilen.iter().map(|z| z.id).collect();
            let von = (versatz as usize).min(erwartet.len());
            let bis = (von + 10).min(erwartet.len());
            assert_eq!(
                ids,
                erwartet[von..bis].to_vec(),
                "absteigend {absteigend}, Versatz {versatz}"
            );
            assert_eq!(seite.weitere, bis < erwartet.len());
        }
    }
}
