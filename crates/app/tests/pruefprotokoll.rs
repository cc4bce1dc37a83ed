#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Issue 18: the app checks the audit chain at start in the background and shows a broken
//! chain in the status it sends the window (`with-keyring.sh cargo test -p app --test
//! pruefprotokoll`).

mod common;

use std::sync::Arc;
use std::time::Duration;

use app::AppContext;
use app::sync_dienst::SyncEinstellungen;
use common::warten_bis;

fn starten(ctx: &AppContext) -> app::SyncDienst {
    app::SyncDienst::starten_mit(
        ctx,
        &tokio::runtime::Handle::current(),
        Arc::new(|_| {}),
        SyncEinstellungen {
            demo_antraege: 0,
            erster_abruf_nach: Duration::from_secs(3600),
            ..Default::default()
        },
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_broken_audit_chain_is_shown_after_start_a_sound_one_is_not() {
    let dir = tempfile::tempdir().unwrap();
    {
        let ctx = AppContext::open(dir.path()).unwrap();
        for i in 0..3 {
            ctx.store()
                .write(|w| w.audit_anhaengen("anna", "test", None, &format!("Eintrag {i}")))
                .unwrap();
        }
        let d = starten(&ctx);
        // Sound: nothing to say (give the check time to run).
        tokio::time::sleep(Duration::from_secs(2)).await;
        assert_eq!(d.status().pruefprotokoll, None);
        d.beenden().await;
    }
    // Someone changes an entry behind the app's back.
    let key = store::Schluesselquelle::fuer_profil(dir.path())
        .laden()
        .unwrap()
        .unwrap();
    let conn = store::verbindung::oeffnen(&dir.path().join(store::DB_DATEI), &key).unwrap();
    conn.execute("UPDATE audit SET details = 'geändert' WHERE seq = 2", [])
        .unwrap();
    drop(conn);

    let ctx = AppContext::open(dir.path()).unwrap();
    let d = starten(&ctx);
    warten_bis(
        Duration::from_secs(30),
        "Meldung zum Prüfprotokoll",
        || d.status().pruefprotokoll.is_some(),
    )
    .await;
    let text = d.status().pruefprotokoll.unwrap();
    assert!(
        text.contains("ab Eintrag 2") && text.contains("IT"),
        "{text}"
    );
    d.beenden().await;
}
