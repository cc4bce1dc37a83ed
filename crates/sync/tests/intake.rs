#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! One sync pass over real HTTP against the in-process simulator: applications become cases,
//! each accepted exactly once; defective ones are rejected with the right problem type.

mod common;

use common::*;
use domain::Eingangszustand;
use fitconnect::set::EventType;
use simulator::applicant::{Hostile, send_hostile};
use sync::Fortschritt;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_pass_stores_every_application_accepts_each_once_and_a_second_pass_does_nothing() {
    const N: usize = 12;
    let u = umgebung(N as u64, 7).await;
    let gelistet = u.abholliste().await;
    assert_eq!(gelistet.len(), N);

    let engine = u.engine();
    let p = Protokoll::default();
    let b = engine.durchlauf(&p.melden()).await.unwrap();
    assert_eq!(b.gelistet, N, "{b:?}");
    assert_eq!(b.gespeichert, N, "{b:?}");
    assert_eq!(b.angenommen, N, "{b:?}");
    assert!(b.fehler.is_empty(), "{:?}", b.fehler);
    assert!(b.ruhig(), "{b:?}");

    // Progress: found N, fetching 1..N, N stored, N confirmed.
    let ereignisse = p.0.lock().unwrap().clone();
    assert!(ereignisse.contains(&Fortschritt::Gefunden {
        gelistet: N,
        neu: N
    }));
    let abrufe: Vec<usize> = ereignisse
        .iter()
        .filter_map(|e| match e {
            Fortschritt::Abruf { nr, von, .. } => {
                assert_eq!(*von, N);
                Some(*nr)
            }
            _ => None,
        })
        .collect();
    assert_eq!(abrufe.len(), N);
    let gespeichert = ereignisse
        .iter()
        .filter(|e| matches!(e, Fortschritt::Gespeichert { .. }))
        .count();
    assert_eq!(gespeichert, N);

    let store = engine.store();
    assert_eq!(store.read(|r| r.anzahl_vorgaenge()).unwrap(), N as u64);
    let z = zustaende(store);
    assert_eq!(z.len(), N);
    for (sid, (state, case_id)) in &z {
        assert_eq!(*state, Eingangszustand::Accepted, "{sid}");
        assert_eq!(
            u.eigene(sid, case_id, EventType::AcceptSubmission)
                .await
                .len(),
            1,
            "{sid} must be accepted exactly once"
        );
        // The case carries the submission's content and ids.
        let info = store.read(|r| r.einreichung(sid)).unwrap().unwrap();
        let vid: uuid::Uuid = info.vorgang_id.unwrap().parse().unwrap();
        let v = store
            .read(|r| r.vorgang(&domain::VorgangId(vid)))
            .unwrap()
            .unwrap();
        assert_eq!(v.fit_connect.as_ref().unwrap().submission_id, *sid);
        assert!(!v.anlagen.is_empty());
        assert!(!v.antragsteller.name.is_empty());
        assert!(v.aktenzeichen.is_some());
        // The Frist follows from the Leistung's statutory processing time.
        let katalog = sync::demo_fristen();
        assert_eq!(
            v.frist,
            Some(katalog.frist(&v.leistung.leika, v.eingang.date())),
            "{sid}: Frist of {}",
            v.leistung.leika
        );
        assert!(v.frist.unwrap() > v.eingang.date());
        for a in &v.anlagen {
            let mut leser = store.anlage_leser(&a.sha512).unwrap();
            let mut inhalt = Vec::new();
            std::io::Read::read_to_end(&mut leser, &mut inhalt).unwrap();
            assert_eq!(inhalt.len() as u64, a.groesse);
        }
    }
    assert!(u.abholliste().await.is_empty());

    // Second pass: nothing listed, nothing done, nothing changed.
    let audit_vorher = store.read(|r| r.audit_pruefen()).unwrap();
    let b2 = engine.durchlauf(&still).await.unwrap();
    assert_eq!(
        (b2.gelistet, b2.neu, b2.gespeichert, b2.angenommen),
        (0, 0, 0, 0)
    );
    assert_eq!(store.read(|r| r.anzahl_vorgaenge()).unwrap(), N as u64);
    let audit_nachher = store.read(|r| r.audit_pruefen()).unwrap();
    assert_eq!(audit_vorher.eintraege, audit_nachher.eintraege);
    assert!(audit_nachher.intakt());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_kind_of_hostile_submission_gets_its_problem_type_and_nothing_half_written_stays() {
    let u = umgebung(0, 11).await;
    let sender = u.sim.info().sender_client().unwrap();
    let dest = u.sim.info().destination_id.clone();
    let mut gesendet = Vec::new();
    for kind in Hostile::ALL {
        let s = send_hostile(&sender, &dest, kind, 11).await.unwrap();
        gesendet.push((kind, s.submission_id, s.case_id));
    }

    let engine = u.engine();
    let b = engine.durchlauf(&still).await.unwrap();
    assert!(b.alles_erledigt(), "{b:?}");
    assert!(b.ruhig(), "{b:?}");
    let store = engine.store();
    let erwartet_abgelehnt = Hostile::ALL
        .iter()
        .filter(|k| k.expected_problem().is_some())
        .count();
    assert_eq!(b.abgelehnt, erwartet_abgelehnt, "{b:?}");
    assert_eq!(b.ablehnungen_zugestellt, erwartet_abgelehnt, "{b:?}");

    for (kind, sid, case_id) in &gesendet {
        let info = store.read(|r| r.einreichung(sid)).unwrap().unwrap();
        match kind.expected_problem() {
            Some(problem) => {
                assert_eq!(info.zustand, Eingangszustand::Rejected, "{kind:?}");
                // Nothing of it became a case or stored content.
                assert!(info.vorgang_id.is_none(), "{kind:?}");
                assert!(info.metadaten_json.is_none(), "{kind:?}");
                assert!(info.formulardaten.is_none(), "{kind:?}");
                assert!(info.anlagen.is_empty(), "{kind:?}");
                let grund = info.letzter_fehler.unwrap();
                assert!(grund.contains(problem.name()), "{kind:?}: {grund}");
                let rejects = u.eigene(sid, case_id, EventType::RejectSubmission).await;
                assert_eq!(rejects.len(), 1, "{kind:?}");
                let probleme = rejects[0].problems();
                assert_eq!(
                    probleme[0].type_,
                    format!("{}{}", fitconnect::set::PROBLEM_PREFIX, problem.name()),
                    "{kind:?}"
                );
                assert!(
                    u.eigene(sid, case_id, EventType::AcceptSubmission)
                        .await
                        .is_empty()
                );
            }
            None => {
                assert_eq!(info.zustand, Eingangszustand::Accepted, "{kind:?}");
                assert!(info.vorgang_id.is_some(), "{kind:?}");
                assert_eq!(
                    u.eigene(sid, case_id, EventType::AcceptSubmission)
                        .await
                        .len(),
                    1
                );
            }
        }
    }
    // The evidence of each rejection is in the audit log, which is intact.
    let audit = store.read(|r| r.audit_pruefen()).unwrap();
    assert!(audit.intakt());
    // No temporary attachment file was left behind.
    let reste: Vec<_> = std::fs::read_dir(u.profil().join(store::ANLAGEN_ORDNER))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".part"))
        .collect();
    assert!(reste.is_empty(), "{reste:?}");
    assert!(u.abholliste().await.is_empty());
}
