#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! The background sync of the desktop app, end to end without a window: the real simulator
//! on 127.0.0.1, the real engine, a real encrypted profile (run inside a Secret Service:
//! `with-keyring.sh cargo test -p app`).

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use app::sync_dienst::{SyncEinstellungen, SyncMeldung};
use app::{AppContext, SyncDienst};
use ipc::{Ansicht, ConnectionMode, QueueAnfrage, Rolle, SortSpalte};
use sha2::Digest;

fn alle(limit: u32) -> QueueAnfrage {
    QueueAnfrage {
        ansicht: Ansicht::Alle,
        suche: None,
        sortierung: SortSpalte::Eingang,
        absteigend: false,
        offset: 0,
        limit,
    }
}

type Protokoll = Arc<Mutex<Vec<SyncMeldung>>>;

fn starten(ctx: &AppContext, antraege: u64) -> (SyncDienst, Protokoll) {
    starten_nach(ctx, antraege, Duration::ZERO)
}

fn starten_nach(ctx: &AppContext, antraege: u64, nach: Duration) -> (SyncDienst, Protokoll) {
    let protokoll: Protokoll = Arc::default();
    let p = protokoll.clone();
    let dienst = SyncDienst::starten_mit(
        ctx,
        &tokio::runtime::Handle::current(),
        Arc::new(move |m| p.lock().unwrap().push(m)),
        SyncEinstellungen {
            intervall: Duration::from_secs(600),
            demo_antraege: antraege,
            erster_abruf_nach: nach,
            ..Default::default()
        },
    );
    (dienst, protokoll)
}

/// Waits until `bedingung` holds (polling), at most `max`.
async fn warten_bis(max: Duration, was: &str, mut bedingung: impl FnMut() -> bool) {
    let start = Instant::now();
    while !bedingung() {
        assert!(start.elapsed() < max, "nach {max:?} nicht erreicht: {was}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[test]
fn the_context_can_be_shared_between_threads() {
    fn teilbar<T: Send + Sync>() {}
    teilbar::<AppContext>();
    teilbar::<SyncDienst>();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_first_pass_waits_for_the_window_unless_jetzt_abrufen_asks_for_it() {
    let dir = tempfile::tempdir().unwrap();
    let ctx = Arc::new(AppContext::open(dir.path()).unwrap());
    let (dienst, _) = starten_nach(&ctx, 2, Duration::from_secs(3600));
    tokio::time::sleep(Duration::from_millis(1500)).await;
    // Waiting: no simulator started, nothing fetched.
    assert!(dienst.demo_simulator().is_none());
    assert_eq!(ctx.ansicht_zahlen().unwrap().alle, 0);
    dienst.jetzt_abrufen();
    warten_bis(
        Duration::from_secs(300),
        "2 Vorgänge nach „Jetzt abrufen“",
        || ctx.ansicht_zahlen().unwrap().alle == 2,
    )
    .await;
    dienst.beenden().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn twenty_demo_applications_arrive_are_readable_and_a_restart_neither_loses_nor_duplicates_them()
 {
    let dir = tempfile::tempdir().unwrap();
    let ctx = Arc::new(
        AppContext::open(dir.path())
            .unwrap()
            .mit_sitzung("anna", Rolle::Sachbearbeitung),
    );
    let (dienst, protokoll) = starten(&ctx, 20);
    assert!(ctx.sync_dienst().is_some());
    warten_bis(
        Duration::from_secs(600),
        "20 Vorgänge, Ausgang leer",
        || {
            let s = ctx.sync_status().unwrap();
            ctx.ansicht_zahlen().unwrap().alle == 20 && !s.laeuft && s.outbox == 0
        },
    )
    .await;
    let queue = ctx.posteingang(alle(50)).unwrap();
    assert_eq!((queue.gesamt, queue.zeilen.len()), (20, 20));
    assert_eq!(ctx.ansicht_zahlen().unwrap().neu, 20);
    let status = ctx.sync_status().unwrap();
    assert!(
        !status.offline && status.letzter_abruf.is_some(),
        "{status:?}"
    );
    let ConnectionMode::Demo {
        simulator_url: Some(url),
    } = ctx.app_info().unwrap().connection
    else {
        panic!("Demo-Modus ohne Simulator-Adresse");
    };
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");
    {
        let p = protokoll.lock().unwrap();
        assert!(p.contains(&SyncMeldung::VorgaengeGeaendert));
        assert!(
            p.iter()
                .any(|m| matches!(m, SyncMeldung::Status(s) if s.laeuft && s.gesamt > 0)),
            "progress was reported"
        );
    }

    // A case: labelled form data (schema known), attachments verified and readable.
    let erster = &queue.zeilen[0];
    let d = ctx.vorgang(erster.id.clone()).unwrap();
    assert!(d.submission_id.is_some() && d.case_id.is_some());
    let schema: serde_json::Value =
        serde_json::from_str(d.formular.schema.as_deref().expect("demo schema known")).unwrap();
    assert!(schema.get("properties").is_some());
    serde_json::from_str::<serde_json::Value>(&d.formular.inhalt).unwrap();
    assert!(!d.anlagen.is_empty());
    for a in &d.anlagen {
        assert!(a.geprueft, "{}", a.dateiname);
        let inhalt = ctx.anlage_lesen(&d.id, &a.sha512, None).unwrap();
        assert_eq!(inhalt.bytes.len() as u64, a.groesse);
        assert_eq!(hex::encode(sha2::Sha512::digest(&inhalt.bytes)), a.sha512);
        let teil = ctx
            .anlage_lesen(&d.id, &a.sha512, Some((1, Some(10))))
            .unwrap();
        assert_eq!(teil.bytes, inhalt.bytes[1..11]);
    }
    let pdf = d
        .anlagen
        .iter()
        .find(|a| a.mime == "application/pdf")
        .unwrap();
    assert!(
        ctx.anlage_lesen(&d.id, &pdf.sha512, Some((0, Some(4))))
            .unwrap()
            .bytes
            .starts_with(b"%PDF")
    );
    let d = ctx
        .vorgang_aktion(ipc::AktionAnfrage {
            id: d.id.clone(),
            aktion: ipc::Aktion::Uebernehmen,
            begruendung: None,
            empfaenger: None,
            datum: None,
        })
        .unwrap();
    assert_eq!(d.zustaendig.as_deref(), Some("anna"));

    // "Jetzt abrufen" runs a pass that finds nothing new.
    let vorher = ctx.sync_status().unwrap().letzter_abruf;
    assert!(ctx.jetzt_abrufen().unwrap().laeuft);
    warten_bis(Duration::from_secs(120), "zweiter Durchlauf", || {
        let s = ctx.sync_status().unwrap();
        !s.laeuft && s.letzter_abruf != vorher
    })
    .await;
    assert_eq!(ctx.sync_status().unwrap().neue_vorgaenge, 0);

    // Restart with the same profile: everything is there, nothing arrives twice.
    dienst.beenden().await;
    drop(dienst);
    let id = d.id.clone();
    drop(ctx);
    let ctx = Arc::new(
        AppContext::open(dir.path())
            .unwrap()
            .mit_sitzung("anna", Rolle::Sachbearbeitung),
    );
    let (dienst, _) = starten(&ctx, 20);
    warten_bis(
        Duration::from_secs(300),
        "Durchlauf nach dem Neustart",
        || {
            let s = ctx.sync_status().unwrap();
            !s.laeuft && s.letzter_abruf.is_some()
        },
    )
    .await;
    assert_eq!(ctx.ansicht_zahlen().unwrap().alle, 20);
    assert_eq!(ctx.ansicht_zahlen().unwrap().meine, 1);
    let d = ctx.vorgang(id).unwrap();
    assert_eq!(d.zustaendig.as_deref(), Some("anna"));
    let geoeffnet = d
        .verlauf
        .iter()
        .filter(|e| e.was == "Vorgang geöffnet")
        .count();
    assert_eq!(geoeffnet, 2, "the audit of the first opening persisted");
    let s = ctx.sync_status().unwrap();
    assert!(!s.offline, "{s:?}");
    dienst.beenden().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreachable_service_means_offline_not_an_error() {
    let dir = tempfile::tempdir().unwrap();
    app::ConnectionConfig {
        // Port 9 (discard) on loopback: nothing listens there.
        base_url: "http://127.0.0.1:9".into(),
        token_url: "http://127.0.0.1:9/token".into(),
        destination_id: uuid::Uuid::new_v4().to_string(),
        client_id: "amt".into(),
    }
    .save(dir.path())
    .unwrap();
    // A connected profile runs on its authority's configuration (here the demo's file).
    behoerde::demo_ablegen(dir.path()).unwrap();
    fitconnect::profile_keys::save_client_secret(&dir.path().canonicalize().unwrap(), "geheim")
        .unwrap();
    let profil = dir.path().canonicalize().unwrap();
    tokio::task::spawn_blocking(move || {
        fitconnect::profile_keys::ProfileKeys::load_or_create(&profil).unwrap()
    })
    .await
    .unwrap();
    let ctx = AppContext::open(dir.path()).unwrap();
    assert!(!ctx.is_demo());
    let (dienst, _) = starten(&ctx, 0);
    warten_bis(Duration::from_secs(120), "Durchlauf beendet", || {
        let s = ctx.sync_status().unwrap();
        !s.laeuft && s.meldung.as_deref() != Some("Der Abruf wird vorbereitet …")
    })
    .await;
    let s = ctx.sync_status().unwrap();
    assert!(s.offline, "{s:?}");
    assert!(s.meldung.unwrap().contains("nicht erreichbar"));
    assert_eq!(ctx.ansicht_zahlen().unwrap().alle, 0);
    dienst.beenden().await;
}
