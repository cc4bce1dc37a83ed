#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! The side exits reach the applicant (`with-keyring.sh cargo test -p app --test
//! zurueckweisung`): a Zurückweisung with its reasons goes over the reply channel with the
//! letter attached and lands decrypted in the simulated applicant's Postfach; without a reply
//! channel the letter is kept in the case „per Brief“; a Weiterleitung tells the applicant
//! where the application went. A foreign login's Zurückweisung is refused and changes nothing.

mod common;

use std::time::Duration;

use app::AppContext;
use common::{aktion, demo_profil, warten_bis};
use ipc::{Rolle, Status};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn zurueckweisung_and_weiterleitung_reach_the_applicant() {
    let dir = tempfile::tempdir().unwrap();
    let (anna, dienst, faelle) = demo_profil(&dir, 10).await;
    let mit: Vec<&ipc::VorgangDetail> =
        faelle.iter().filter(|d| d.rueckkanal.fit_connect).collect();
    let ohne = faelle
        .iter()
        .find(|d| !d.rueckkanal.fit_connect)
        .expect("a case without a reply channel among 10");
    let (z, w) = (mit[0], mit[1]);

    // A foreign login cannot reject anna's case; nothing changes.
    aktion(&anna, &z.id, ipc::Aktion::Uebernehmen, None, None).unwrap();
    let bernd = AppContext::open(dir.path())
        .unwrap()
        .mit_sitzung("bernd", Rolle::Sachbearbeitung);
    let e = aktion(
        &bernd,
        &z.id,
        ipc::Aktion::Zurueckweisen,
        Some("weil"),
        None,
    )
    .unwrap_err();
    assert!(
        e.message.contains("andere Person zuständig"),
        "{}",
        e.message
    );
    assert_eq!(
        anna.vorgang_erneut(z.id.clone()).unwrap().status,
        Status::Neu
    );

    // Without reasons: refused.
    let e = aktion(&anna, &z.id, ipc::Aktion::Zurueckweisen, None, None).unwrap_err();
    assert!(e.message.contains("Begründung"), "{}", e.message);

    // The Zurückweisung goes to the applicant with the letter attached.
    let grund = "Der Antrag ist unvollständig: Es fehlt die Unterschrift.";
    let d = aktion(&anna, &z.id, ipc::Aktion::Zurueckweisen, Some(grund), None).unwrap();
    assert_eq!(d.status, Status::Zurueckgewiesen);
    let n = &d.nachrichten[0];
    assert_eq!(n.art, ipc::NachrichtArt::Zurueckweisung);
    assert!(n.text.contains(grund), "{}", n.text);
    assert!(
        d.anlagen
            .iter()
            .any(|a| a.dateiname.starts_with("Zurückweisung"))
    );
    let sim = dienst.demo_simulator().unwrap();
    let case_id = d.case_id.clone().unwrap();
    warten_bis(
        Duration::from_secs(60),
        "Zurückweisung im Postfach",
        || {
            sim.postfach_dateien(&case_id).iter().any(|p| {
                p.file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with("Zurückweisung"))
            })
        },
    )
    .await;
    let daten = sim
        .postfach_dateien(&case_id)
        .into_iter()
        .find(|p| p.file_name().is_some_and(|n| n == "daten.json"))
        .unwrap();
    let daten = std::fs::read_to_string(daten).unwrap();
    assert!(
        daten.contains("zurueckweisung") && daten.contains("Unterschrift"),
        "{daten}"
    );

    // Without a reply channel: the letter is kept in the case, the message recorded „per Brief“.
    aktion(&anna, &ohne.id, ipc::Aktion::Uebernehmen, None, None).unwrap();
    let d = aktion(
        &anna,
        &ohne.id,
        ipc::Aktion::Zurueckweisen,
        Some(grund),
        None,
    )
    .unwrap();
    assert_eq!(d.status, Status::Zurueckgewiesen);
    assert!(
        d.anlagen
            .iter()
            .any(|a| a.dateiname.starts_with("Zurückweisung"))
    );
    assert_eq!(d.nachrichten[0].art, ipc::NachrichtArt::Zurueckweisung);

    // The Weiterleitung tells the applicant where the application went.
    aktion(&anna, &w.id, ipc::Aktion::Uebernehmen, None, None).unwrap();
    let d = aktion(
        &anna,
        &w.id,
        ipc::Aktion::Weiterleiten,
        None,
        Some("Kreis Musterland, Straßenverkehrsamt"),
    )
    .unwrap();
    assert_eq!(d.status, Status::Weitergeleitet);
    assert!(
        d.nachrichten[0].text.contains("Kreis Musterland"),
        "{}",
        d.nachrichten[0].text
    );
    dienst.beenden().await;
}
