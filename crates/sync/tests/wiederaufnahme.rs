#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Crash and resume: each intake state is interrupted (a fault injected between two steps,
//! then the engine and store are dropped and reopened as after a restart), and the next run
//! continues from the persisted state — nothing lost, nothing stored or sent twice.

mod common;

use std::time::Duration;

use common::*;
use domain::Eingangszustand;
use fitconnect::set::EventType;
use simulator::Faults;
use simulator::applicant::{Hostile, send_hostile};

fn fehler_bei(op: &str) -> Faults {
    Faults {
        error_rate: [(op.to_owned(), 1.0)].into(),
        ..Default::default()
    }
}

async fn alle_genau_einmal_angenommen(u: &Umgebung, n: usize) {
    let store = u.store();
    let z = zustaende(&store);
    assert_eq!(z.len(), n);
    assert_eq!(store.read(|r| r.anzahl_vorgaenge()).unwrap(), n as u64);
    for (sid, (state, case_id)) in &z {
        assert_eq!(*state, Eingangszustand::Accepted, "{sid}");
        assert_eq!(
            u.eigene(sid, case_id, EventType::AcceptSubmission)
                .await
                .len(),
            1,
            "{sid}"
        );
    }
    assert!(u.abholliste().await.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_download_interrupted_before_storing_is_fetched_again_after_a_restart_and_stored_once() {
    let u = umgebung(4, 21).await;
    u.sim.set_faults(fehler_bei("get-submission-attachment"));
    {
        let engine = u.engine();
        let b = engine.durchlauf(&still).await.unwrap();
        assert_eq!(b.nicht_erledigt, 4, "{b:?}");
        assert!(!b.alles_erledigt());
        assert_eq!(engine.store().read(|r| r.anzahl_vorgaenge()).unwrap(), 0);
        assert!(
            zustaende(engine.store())
                .values()
                .all(|(s, _)| *s == Eingangszustand::Received)
        );
    } // "crash": engine and store gone
    u.keine_fehler();
    let b = u
        .engine()
        .bis_ruhe(5, Duration::from_secs(1), &still)
        .await
        .unwrap();
    assert!(b.ruhig(), "{b:?}");
    alle_genau_einmal_angenommen(&u, 4).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_accept_that_could_not_be_sent_is_sent_after_a_restart_exactly_once() {
    let u = umgebung(4, 22).await;
    u.sim.set_faults(fehler_bei("send-case-event"));
    {
        let engine = u.engine();
        let b = engine.durchlauf(&still).await.unwrap();
        // Stored durably, accept queued, none sent.
        assert_eq!(b.gespeichert, 4, "{b:?}");
        assert!(b.alles_erledigt(), "{b:?}");
        assert_eq!(b.angenommen, 0);
        assert_eq!(b.ausgang_offen, 4);
        for (sid, (s, case_id)) in zustaende(engine.store()) {
            assert_eq!(s, Eingangszustand::AcceptPending);
            assert!(
                u.eigene(&sid, &case_id, EventType::AcceptSubmission)
                    .await
                    .is_empty()
            );
        }
    }
    u.keine_fehler();
    let b = u
        .engine()
        .bis_ruhe(10, Duration::from_millis(500), &still)
        .await
        .unwrap();
    assert!(b.ruhig(), "{b:?}");
    alle_genau_einmal_angenommen(&u, 4).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_accept_whose_answer_was_lost_is_confirmed_from_the_event_log_not_sent_twice() {
    let u = umgebung(4, 23).await;
    u.sim.set_faults(fehler_bei("send-case-event"));
    {
        let engine = u.engine();
        let b = engine.durchlauf(&still).await.unwrap();
        assert_eq!(b.gespeichert, 4, "{b:?}");
        assert_eq!(b.angenommen, 0, "{b:?}");
        // The engine's attempt reaches the service, but the process dies before the answer
        // is recorded: exactly the queued SETs arrive at the service.
        u.keine_fehler();
        let fern = time::OffsetDateTime::now_utc() + time::Duration::days(1);
        let client = u.sim.info().subscriber_client().unwrap();
        for row in engine.store().read(|r| r.outbox_faellig(fern, 10)).unwrap() {
            let a: sync::engine::EreignisAuftrag = serde_json::from_slice(&row.nutzlast).unwrap();
            client.post_event(&a.case_id, &a.set).await.unwrap();
        }
        assert!(u.abholliste().await.is_empty());
    }
    let b = u
        .engine()
        .bis_ruhe(10, Duration::from_millis(500), &still)
        .await
        .unwrap();
    assert!(b.ruhig(), "{b:?}");
    assert_eq!(b.angenommen, 4, "confirmed from the event log: {b:?}");
    alle_genau_einmal_angenommen(&u, 4).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rejection_that_failed_to_send_is_retried_after_a_restart_not_re_decided() {
    let u = umgebung(0, 24).await;
    let sender = u.sim.info().sender_client().unwrap();
    let s = send_hostile(
        &sender,
        &u.sim.info().destination_id,
        Hostile::HashMismatch,
        24,
    )
    .await
    .unwrap();
    u.sim.set_faults(fehler_bei("send-case-event"));
    let entschieden = {
        let engine = u.engine();
        let b = engine.durchlauf(&still).await.unwrap();
        assert_eq!(b.abgelehnt, 1, "{b:?}");
        assert!(b.alles_erledigt());
        let fern = time::OffsetDateTime::now_utc() + time::Duration::days(1);
        let offen = engine.store().read(|r| r.outbox_faellig(fern, 10)).unwrap();
        assert_eq!(offen.len(), 1);
        let a: sync::engine::EreignisAuftrag = serde_json::from_slice(&offen[0].nutzlast).unwrap();
        a.set
    };
    u.keine_fehler();
    let engine = u.engine();
    let b = engine
        .bis_ruhe(10, Duration::from_millis(500), &still)
        .await
        .unwrap();
    assert!(b.ruhig(), "{b:?}");
    assert_eq!(b.abgelehnt, 0, "decided once, not again: {b:?}");
    let info = engine
        .store()
        .read(|r| r.einreichung(&s.submission_id))
        .unwrap()
        .unwrap();
    assert_eq!(info.zustand, Eingangszustand::Rejected);
    // The event log holds exactly the SET decided before the restart.
    let log = u
        .sim
        .info()
        .subscriber_client()
        .unwrap()
        .case_events(&s.case_id)
        .await
        .unwrap();
    assert_eq!(log.iter().filter(|t| **t == entschieden).count(), 1);
    assert_eq!(
        u.eigene(&s.submission_id, &s.case_id, EventType::RejectSubmission)
            .await
            .len(),
        1
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stored_submission_whose_accept_was_never_queued_is_accepted_after_a_restart() {
    let u = umgebung(1, 25).await;
    // An older engine stored the submission and stopped before queueing the accept.
    let sid = u.abholliste().await.remove(0);
    {
        let store = u.store();
        let client = u.sim.info().subscriber_client().unwrap();
        let mut sink = fitconnect::client::DiscardSink::default();
        let r = client
            .receive(
                &sid,
                &keys().encryption,
                &simulator::leistungen::form_schemas(),
                &mut sink,
            )
            .await
            .unwrap();
        store
            .write(|w| {
                w.einreichung_speichern(
                    &store::EmpfangeneEinreichung {
                        submission_id: sid.clone(),
                        case_id: r.submission.case_id.clone(),
                        destination_id: r.submission.destination_id.clone(),
                        metadaten_json: r.metadata.raw.to_string(),
                        formulardaten: r.data.clone().unwrap_or_default(),
                        schema_uri: String::new(),
                        mime: "application/json".into(),
                        anlagen: vec![],
                    },
                    None,
                )
            })
            .unwrap();
        assert_eq!(zustaende(&store)[&sid].0, Eingangszustand::Stored);
    }
    let b = u
        .engine()
        .bis_ruhe(5, Duration::from_millis(500), &still)
        .await
        .unwrap();
    assert!(b.ruhig(), "{b:?}");
    let (state, case_id) = zustaende(&u.store())[&sid].clone();
    assert_eq!(state, Eingangszustand::Accepted);
    // The simulator checks the authentication tags of the accept: they were recomputed right.
    assert_eq!(
        u.eigene(&sid, &case_id, EventType::AcceptSubmission)
            .await
            .len(),
        1
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_follow_up_submission_attaches_to_the_existing_vorgang_and_is_marked_new() {
    let u = umgebung(1, 26).await;
    let engine = u.engine();
    let b = engine.durchlauf(&still).await.unwrap();
    assert_eq!(b.gespeichert, 1);
    let (sid, (_, case_id)) = zustaende(engine.store()).into_iter().next().unwrap();
    let vid: uuid::Uuid = engine
        .store()
        .read(|r| r.einreichung(&sid))
        .unwrap()
        .unwrap()
        .vorgang_id
        .unwrap()
        .parse()
        .unwrap();
    let vorher = engine
        .store()
        .read(|r| r.vorgang(&domain::VorgangId(vid)))
        .unwrap()
        .unwrap();

    // The applicant sends documents later, in the same FIT-Connect case.
    let sender = u.sim.info().sender_client().unwrap();
    let dest = u.sim.info().destination_id.clone();
    let key = sender.current_encryption_key(&dest).await.unwrap();
    let mut app = simulator::applicant::application(26, 500).unwrap();
    app.outgoing.reply_key = None;
    let mut sealed = fitconnect::sender::seal(&dest, &key, &app.outgoing).unwrap();
    sealed.create.case_id = Some(case_id.clone());
    let nach = sender.send_sealed(&sealed).await.unwrap();
    assert_eq!(nach.case_id, case_id);

    // Its first fetch breaks off (attachments unavailable); it stays "received".
    u.sim.set_faults(fehler_bei("get-submission-attachment"));
    let b = engine.durchlauf(&still).await.unwrap();
    assert_eq!((b.nachgereicht, b.nicht_erledigt), (0, 1), "{b:?}");
    u.keine_fehler();

    let b = engine.durchlauf(&still).await.unwrap();
    assert_eq!(
        (b.gespeichert, b.nachgereicht, b.angenommen),
        (0, 1, 1),
        "{b:?}"
    );
    assert_eq!(engine.store().read(|r| r.anzahl_vorgaenge()).unwrap(), 1);
    let v = engine
        .store()
        .read(|r| r.vorgang(&domain::VorgangId(vid)))
        .unwrap()
        .unwrap();
    assert!(v.anlagen.len() > vorher.anlagen.len());
    assert!(
        v.nachrichten
            .iter()
            .any(|n| n.betreff.starts_with("Neu") && n.text.contains(&nach.submission_id))
    );
    let info = engine
        .store()
        .read(|r| r.einreichung(&nach.submission_id))
        .unwrap()
        .unwrap();
    assert_eq!(info.zustand, Eingangszustand::Accepted);
    assert_eq!(info.vorgang_id, Some(vid.to_string()));
}
