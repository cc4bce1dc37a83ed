//! What the app's end-to-end tests without a window share: waiting for a condition, taking an
//! action, and a fresh Demo-Modus profile whose simulated applicants sent `n` applications.
#![allow(dead_code)] // not every test binary uses everything

use std::sync::Arc;
use std::time::{Duration, Instant};

use app::AppContext;
use app::sync_dienst::SyncEinstellungen;
use ipc::{AktionAnfrage, Ansicht, QueueAnfrage, Rolle, SortSpalte};

/// Waits until `bedingung` holds, at most `max`; fails the test naming `was`.
pub async fn warten_bis(max: Duration, was: &str, mut bedingung: impl FnMut() -> bool) {
    let start = Instant::now();
    while !bedingung() {
        assert!(start.elapsed() < max, "nach {max:?} nicht erreicht: {was}");
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

/// Takes `aktion` on case `id` with the given inputs.
pub fn aktion(
    ctx: &AppContext,
    id: &str,
    aktion: ipc::Aktion,
    begruendung: Option<&str>,
    empfaenger: Option<&str>,
) -> Result<ipc::VorgangDetail, ipc::IpcError> {
    ctx.vorgang_aktion(AktionAnfrage {
        id: id.to_owned(),
        aktion,
        begruendung: begruendung.map(str::to_owned),
        empfaenger: empfaenger.map(str::to_owned),
        datum: None,
    })
}

/// The first page of a view.
pub fn ansicht(a: Ansicht) -> QueueAnfrage {
    QueueAnfrage {
        ansicht: a,
        suche: None,
        sortierung: SortSpalte::Eingang,
        absteigend: false,
        offset: 0,
        limit: 50,
    }
}

/// A fresh Demo-Modus profile in `dir` for caseworker `anna`, its sync running (every 2 s)
/// until `n` applications arrived; every case opened once.
pub async fn demo_profil(
    dir: &tempfile::TempDir,
    n: u64,
) -> (Arc<AppContext>, app::SyncDienst, Vec<ipc::VorgangDetail>) {
    let anna = Arc::new(
        AppContext::open(dir.path())
            .unwrap()
            .mit_sitzung("anna", Rolle::Sachbearbeitung),
    );
    let dienst = app::SyncDienst::starten_mit(
        &anna,
        &tokio::runtime::Handle::current(),
        Arc::new(|_| {}),
        SyncEinstellungen {
            demo_antraege: n,
            erster_abruf_nach: Duration::ZERO,
            intervall: Duration::from_secs(2),
            ..Default::default()
        },
    );
    warten_bis(Duration::from_secs(300), "alle Vorgänge", || {
        u64::from(anna.ansicht_zahlen().unwrap().alle) == n
    })
    .await;
    let faelle = anna
        .posteingang(ansicht(Ansicht::Alle))
        .unwrap()
        .zeilen
        .iter()
        .map(|z| anna.vorgang(z.id.clone()).unwrap())
        .collect();
    (anna, dienst, faelle)
}
