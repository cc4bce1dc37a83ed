#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! The E-Akte hand-over end to end without a window (`with-keyring.sh cargo test -p app
//! --test eakte`, issue 17): a configured `[eakte]` with real folders and the stand-in E-Akte
//! of the simulator crate answering in them.
//!
//! - The produced 0605 validates with xmllint against the shipped XSDs and its documents
//!   match their hashes.
//! - A missing hand-over folder: the delivery fails with a clear message on the case and in
//!   the outbox, nothing is lost; once the folder exists it is delivered, exactly once.
//! - The stand-in confirms → „Archiviert“ with the E-Akte's reference; after the grace period
//!   the case's plaintext is gone from the decrypted database (marker scan), the tombstone
//!   and a sound audit chain remain.
//! - An import error is shown on the case; a new hand-over under a new ProzessID succeeds, a
//!   late answer to the old one changes nothing.
//! - A malformed confirmation and one for an unknown case are moved aside with a hint.
//! - Killed between writing the file and noting it: the next pass finds the file and does not
//!   hand over twice.
//! - An HTTP endpoint: POSTed with the ProzessID as `Idempotency-Key`; a 503 is retried with
//!   the reason on the case, then delivered.

mod common;

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use app::AppContext;
use app::sync_dienst::SyncEinstellungen;
use common::{aktion, ansicht, warten_bis};
use ipc::{Ansicht, Rolle, Status};

const MARKER: &str = "Quittenbrot9031";

fn behoerde(basis: &Path) -> behoerde::Behoerde {
    let mut b = behoerde::Behoerde::demo().unwrap();
    b.eakte = Some(behoerde::EAkte {
        name: "E-Akte Musterstadt (Test)".into(),
        kennung: None,
        abgabe_ordner: Some(basis.join("abgabe").display().to_string()),
        abgabe_url: None,
        rueckgabe_ordner: basis.join("rueckgabe").display().to_string(),
        karenz: "3 Sekunden".into(),
    });
    b
}

fn beenden(ctx: &AppContext, id: &str) {
    aktion(ctx, id, ipc::Aktion::Uebernehmen, None, None).unwrap();
    let d = aktion(ctx, id, ipc::Aktion::ZurueckziehenVermerken, None, None).unwrap();
    assert_eq!(d.status, Status::Zurueckgezogen);
}

fn dateien(ordner: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(ordner)
        .map(|r| {
            r.filter_map(|e| e.ok())
                .filter(|e| e.path().is_file())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_case_goes_to_the_e_akte_comes_back_confirmed_and_is_purged() {
    let dir = tempfile::tempdir().unwrap();
    let eakte = tempfile::tempdir().unwrap();
    let abgabe = eakte.path().join("abgabe");
    let rueckgabe = eakte.path().join("rueckgabe");
    let ablage = eakte.path().join("ablage");
    let anna = Arc::new(
        AppContext::open(dir.path())
            .unwrap()
            .mit_behoerde(behoerde(eakte.path()))
            .mit_sitzung("anna", Rolle::Sachbearbeitung),
    );
    let _dienst = app::SyncDienst::starten_mit(
        &anna,
        &tokio::runtime::Handle::current(),
        Arc::new(|_| {}),
        SyncEinstellungen {
            demo_antraege: 3,
            erster_abruf_nach: Duration::ZERO,
            intervall: Duration::from_secs(2),
            ..Default::default()
        },
    );
    warten_bis(Duration::from_secs(300), "3 Vorgänge", || {
        anna.ansicht_zahlen().unwrap().alle == 3
    })
    .await;
    let ids: Vec<String> = anna
        .posteingang(ansicht(Ansicht::Alle))
        .unwrap()
        .zeilen
        .iter()
        .map(|z| z.id.clone())
        .collect();
    let (a, b) = (&ids[0], &ids[1]);
    anna.notiz_hinzufuegen(a.clone(), format!("Rückruf {MARKER}"))
        .unwrap();
    beenden(&anna, a);
    beenden(&anna, b);
    assert_eq!(anna.ansicht_zahlen().unwrap().abgabe_offen, 2);
    assert!(anna.store().klartext_finden(MARKER).unwrap());

    // What will go: the form as PDF and as received, the messages, the protocol.
    let vorschau = anna.eakte_vorschau(a.clone()).unwrap();
    assert!(vorschau.ziel.contains("abgabe"), "{}", vorschau.ziel);
    let typen: Vec<&str> = vorschau.dokumente.iter().map(|d| d.typ.as_str()).collect();
    assert!(
        typen.contains(&"Antrag") && typen.contains(&"Protokoll"),
        "{typen:?}"
    );

    // The hand-over folder does not exist yet: the delivery fails and says so.
    let d = anna.eakte_abgeben(a.clone()).unwrap();
    assert_eq!(d.status, Status::AnEAkteUebergeben);
    let pid = d.eakte.as_ref().unwrap().prozess_id.clone();
    let container = anna
        .store()
        .read(|r| r.outbox_nach_idempotenz(&format!("eakte.abgabe:{pid}")))
        .unwrap()
        .unwrap()
        .nutzlast;
    let gelesen = xdomea::container_lesen(&container).expect("documents match their hashes");
    xdomea::schema::pruefen(gelesen.xml.as_bytes()).expect("0605 validates against the XSD");
    assert_eq!(gelesen.dateien.len(), vorschau.dokumente.len());
    warten_bis(Duration::from_secs(30), "Zustellfehler am Vorgang", || {
        anna.vorgang_erneut(a.clone())
            .unwrap()
            .eakte
            .and_then(|e| e.zustellfehler)
            .is_some_and(|f| f.contains("der Ordner fehlt"))
    })
    .await;
    assert!(
        anna.eakte_status()
            .unwrap()
            .hinweise
            .iter()
            .any(|h| h.contains("nicht beschreibbar"))
    );

    // The E-Akte appears: the stand-in watches its folder, the retry delivers.
    std::fs::create_dir_all(&abgabe).unwrap();
    std::fs::create_dir_all(&rueckgabe).unwrap();
    let standin = simulator::eakte::EAkteStandIn::neu(&abgabe, &rueckgabe, &ablage);
    let steuerung = simulator::eakte::EAkteStandIn::neu(&abgabe, &rueckgabe, &ablage);
    let handle = standin.starten();
    warten_bis(Duration::from_secs(120), "zu den Akten", || {
        anna.vorgang_erneut(a.clone()).unwrap().status == Status::Archiviert
    })
    .await;
    let d = anna.vorgang_erneut(a.clone()).unwrap();
    let e = d.eakte.unwrap();
    assert_eq!(e.zustand_text, "Zu den Akten");
    assert!(
        e.referenz.as_deref().is_some_and(|r| !r.is_empty()),
        "{e:?}"
    );
    assert!(e.empfangen.is_some() && e.importiert.is_some());

    // After the grace period: purged, the tombstone remains.
    warten_bis(Duration::from_secs(60), "gelöscht", || {
        anna.vorgang_erneut(a.clone())
            .unwrap()
            .eakte
            .is_some_and(|e| e.geloescht.is_some())
    })
    .await;
    assert!(
        !anna.store().klartext_finden(MARKER).unwrap(),
        "plaintext of the purged case left in the database"
    );
    let grab = anna.vorgang_erneut(a.clone()).unwrap();
    assert_eq!(grab.aktenzeichen, d.aktenzeichen);
    assert!(grab.anlagen.is_empty() && grab.notizen.is_empty() && grab.nachrichten.is_empty());
    assert!(grab.antragsteller.name.is_empty() && grab.formular.inhalt.is_empty());
    assert_eq!(grab.eakte.as_ref().unwrap().referenz, e.referenz);
    assert!(anna.store().read(|r| r.audit_pruefen()).unwrap().intakt());

    // An import error is shown; a new hand-over succeeds; the old answer changes nothing.
    steuerung
        .fehler_einstellen(Some("Aktenplaneinheit 32.10 unbekannt".into()))
        .unwrap();
    let d = anna.eakte_abgeben(b.clone()).unwrap();
    let alt = d.eakte.unwrap().prozess_id;
    warten_bis(Duration::from_secs(60), "Importfehler am Vorgang", || {
        anna.vorgang_erneut(b.clone())
            .unwrap()
            .eakte
            .and_then(|e| e.fehler)
            .is_some_and(|f| f.contains("Aktenplaneinheit"))
    })
    .await;
    assert_eq!(
        anna.vorgang_erneut(b.clone()).unwrap().status,
        Status::AnEAkteUebergeben
    );
    assert!(anna.eakte_vorschau(b.clone()).unwrap().erneut);
    steuerung.fehler_einstellen(None).unwrap();
    let d = anna.eakte_abgeben(b.clone()).unwrap();
    assert_ne!(d.eakte.unwrap().prozess_id, alt);
    warten_bis(
        Duration::from_secs(60),
        "zweite Abgabe zu den Akten",
        || anna.vorgang_erneut(b.clone()).unwrap().status == Status::Archiviert,
    )
    .await;

    // A malformed confirmation and one for an unknown case: moved aside, each with a hint.
    std::fs::write(
        rueckgabe.join("kaputt.xml"),
        b"<FVDaten.ImportBestaetigen.0630>",
    )
    .unwrap();
    let fremd = uuid::Uuid::new_v4();
    let wer = xdomea::Beteiligter {
        name: "E-Akte".into(),
        kennung: None,
        organisationseinheit: None,
    };
    std::fs::write(
        rueckgabe.join(xdomea::rueckmeldung_name(&fremd, "0630")),
        xdomea::import_0630(
            &fremd,
            &wer,
            &wer,
            time::OffsetDateTime::now_utc(),
            &xdomea::Importergebnis::Erfolg {
                id_sgo: uuid::Uuid::new_v4(),
                ablageort: "EAKTE-X".into(),
            },
        ),
    )
    .unwrap();
    warten_bis(
        Duration::from_secs(60),
        "Rückmeldungen beiseitegelegt",
        || {
            rueckgabe.join("fehlerhaft").join("kaputt.xml").exists()
                && !dateien(&rueckgabe.join("unbekannt")).is_empty()
        },
    )
    .await;
    let hinweise = anna.eakte_status().unwrap().hinweise.join("\n");
    assert!(hinweise.contains("kaputt.xml"), "{hinweise}");
    assert!(hinweise.contains("gehört zu keinem Vorgang"), "{hinweise}");
    assert!(dateien(&rueckgabe).is_empty(), "{:?}", dateien(&rueckgabe));
    handle.stoppen().await;
}

/// Killed between writing the container and noting it: the next pass finds the file of the
/// same content, notes it as delivered and writes nothing twice.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hand_over_interrupted_after_writing_is_not_written_twice() {
    let dir = tempfile::tempdir().unwrap();
    let eakte = tempfile::tempdir().unwrap();
    let abgabe = eakte.path().join("abgabe");
    std::fs::create_dir_all(&abgabe).unwrap();
    let (_demo, dienst, faelle) = common::demo_profil(&dir, 1).await;
    // No background loop: this test takes the steps itself.
    dienst.beenden().await;
    let anna = AppContext::open(dir.path())
        .unwrap()
        .mit_sitzung("anna", Rolle::Sachbearbeitung)
        .mit_behoerde(behoerde(eakte.path()));
    let id = faelle[0].id.clone();
    beenden(&anna, &id);
    let d = anna.eakte_abgeben(id.clone()).unwrap();
    let pid = d.eakte.unwrap().prozess_id;
    let name = xdomea::container_name(&uuid::Uuid::parse_str(&pid).unwrap());
    let auftrag = anna
        .store()
        .read(|r| r.outbox_nach_idempotenz(&format!("eakte.abgabe:{pid}")))
        .unwrap()
        .unwrap();
    // The first attempt wrote the file and died before noting it.
    app::eakte::atomar_ablegen(&abgabe, &name, &auftrag.nutzlast).unwrap();
    let ziel = anna.eakte_ziel().unwrap();
    let hinweise = app::eakte::zustellen(&anna.store_arc(), &ziel).await;
    assert!(hinweise.is_empty(), "{hinweise:?}");
    assert_eq!(dateien(&abgabe), vec![name.clone()]);
    let e = anna
        .store()
        .read(|r| r.outbox_eintrag(auftrag.id))
        .unwrap()
        .unwrap();
    assert_eq!(e.zustand, "erledigt");
    assert!(
        anna.vorgang_erneut(id)
            .unwrap()
            .eakte
            .unwrap()
            .zugestellt
            .is_some()
    );
    // Another pass: nothing due, nothing written.
    assert!(
        app::eakte::zustellen(&anna.store_arc(), &ziel)
            .await
            .is_empty()
    );
    assert_eq!(dateien(&abgabe), vec![name]);
}

/// The E-Akte as an HTTPS/HTTP endpoint: the container is POSTed with the ProzessID as
/// `Idempotency-Key`; a 503 is retried with the reason on the case, a 200 delivers.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hand_over_to_an_endpoint_is_posted_and_retried() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!(
        "http://127.0.0.1:{}/fv/0605",
        listener.local_addr().unwrap().port()
    );
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<(String, Vec<u8>)>();
    // A minimal HTTP/1.1 endpoint: the first request gets 503, every later one 200.
    tokio::spawn(async move {
        let mut n = 0;
        while let Ok((mut sock, _)) = listener.accept().await {
            n += 1;
            let mut buf = Vec::new();
            let mut teil = [0u8; 65536];
            let (kopf, laenge) = loop {
                let k = sock.read(&mut teil).await.unwrap();
                buf.extend_from_slice(&teil[..k]);
                if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                    let kopf = String::from_utf8_lossy(&buf[..i]).to_string();
                    let laenge: usize = kopf
                        .lines()
                        .find_map(|l| {
                            l.to_ascii_lowercase()
                                .strip_prefix("content-length:")
                                .map(|v| v.trim().parse().unwrap())
                        })
                        .unwrap_or(0);
                    buf.drain(..i + 4);
                    break (kopf, laenge);
                }
            };
            while buf.len() < laenge {
                let k = sock.read(&mut teil).await.unwrap();
                buf.extend_from_slice(&teil[..k]);
            }
            let antwort: &[u8] = if n == 1 {
                b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            } else {
                b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            };
            sock.write_all(antwort).await.unwrap();
            let _ = tx.send((kopf, buf));
        }
    });
    let dir = tempfile::tempdir().unwrap();
    let eakte = tempfile::tempdir().unwrap();
    let (_demo, dienst, faelle) = common::demo_profil(&dir, 1).await;
    dienst.beenden().await;
    let mut b = behoerde(eakte.path());
    if let Some(e) = b.eakte.as_mut() {
        e.abgabe_ordner = None;
        e.abgabe_url = Some(url.clone());
    }
    let anna = AppContext::open(dir.path())
        .unwrap()
        .mit_sitzung("anna", Rolle::Sachbearbeitung)
        .mit_behoerde(b);
    let id = faelle[0].id.clone();
    beenden(&anna, &id);
    let pid = anna
        .eakte_abgeben(id.clone())
        .unwrap()
        .eakte
        .unwrap()
        .prozess_id;
    let ziel = anna.eakte_ziel().unwrap();

    let hinweise = app::eakte::zustellen(&anna.store_arc(), &ziel).await;
    assert!(
        hinweise.iter().any(|h| h.contains("HTTP 503")),
        "{hinweise:?}"
    );
    let (kopf, _) = rx.recv().await.unwrap();
    assert!(
        kopf.to_ascii_lowercase()
            .contains(&format!("idempotency-key: {pid}")),
        "{kopf}"
    );
    let d = anna.vorgang_erneut(id.clone()).unwrap();
    assert!(
        d.eakte
            .unwrap()
            .zustellfehler
            .is_some_and(|f| f.contains("wird wiederholt")),
        "the retry is shown on the case"
    );

    // Due again (backoff passed): delivered.
    let auftrag = anna
        .store()
        .read(|r| r.outbox_nach_idempotenz(&format!("eakte.abgabe:{pid}")))
        .unwrap()
        .unwrap();
    let spaeter = time::OffsetDateTime::now_utc() - time::Duration::seconds(1);
    anna.store()
        .write(|w| w.outbox_fehlschlag(auftrag.id, "HTTP 503", spaeter))
        .unwrap();
    let hinweise = app::eakte::zustellen(&anna.store_arc(), &ziel).await;
    assert!(hinweise.is_empty(), "{hinweise:?}");
    let (_, koerper) = rx.recv().await.unwrap();
    let c = xdomea::container_lesen(&koerper).expect("the endpoint got the whole container");
    assert_eq!(c.prozess_id.to_string(), pid);
    assert!(
        anna.vorgang_erneut(id)
            .unwrap()
            .eakte
            .unwrap()
            .zugestellt
            .is_some()
    );
}
