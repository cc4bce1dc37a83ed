//! Demo-Modus of the background sync: the built-in simulator with the profile's keys and the
//! simulated applicants (only with the `demo` feature; without it, Demo-Modus says that this
//! build has none).
//!
//! The simulator keeps its cases in `<profile>/demo/simulator.json`: after an
//! app restart it still knows the cases, their accepted submissions and the simulated
//! applicants' private reply keys, so replies to cases from before the restart reach them.
//! What an applicant accepted lies decrypted in `<profile>/demo/postfach/<case_id>/<reply_id>/`
//! (`daten.json`, `metadaten.json`, the attachments) — where a demo shows what
//! the applicant received. `demo/` holds demo keys of simulated people in the clear; it is
//! never used outside Demo-Modus and may be deleted with the profile's demo data.

use std::sync::Arc;

#[cfg(feature = "demo")]
pub(super) use mit_simulator::engine;

/// Without the demo feature there is no Demo-Modus: the status says so.
#[cfg(not(feature = "demo"))]
pub(super) async fn engine(_kern: &Arc<super::Kern>) -> Result<sync::Engine, ipc::IpcError> {
    Err(ipc::IpcError::new(
        ipc::ErrorCode::ProfileUnavailable,
        "Diese Ausgabe von Amtsstube enthält keinen Demo-Modus. Richten Sie die Verbindung zum \
         Zustelldienst mit `amtsstube connect` ein (README, „Konfiguration“).",
    ))
}

/// The simulator handle the service keeps while it runs.
#[cfg(feature = "demo")]
pub(super) type Simulator = Arc<simulator::SimHandle>;
/// Without the demo feature there is no simulator to keep.
#[cfg(not(feature = "demo"))]
pub(super) type Simulator = std::convert::Infallible;

#[cfg(feature = "demo")]
mod mit_simulator {
    use std::sync::Arc;
    use std::time::Duration;

    use ipc::IpcError;
    use sync::Engine;

    use super::super::{DEMO_SEED, Kern, intern};

    /// The simulator's state file, relative to the profile directory.
    const ZUSTAND: &str = "demo/simulator.json";
    /// The simulated applicants' Postfach, relative to the profile directory.
    const POSTFACH: &str = "demo/postfach";

    /// Starts the simulator with the profile's keys for its destination and an engine that
    /// fetches from it; sends the demo applications the profile has not received yet.
    pub(crate) async fn engine(kern: &Arc<Kern>) -> Result<Engine, IpcError> {
        kern.aendern(|s| s.meldung = Some("Demo-Modus: Simulator wird gestartet …".into()));
        let keys = kern.profil_schluessel(true).await?;
        let enc = keys
            .encryption
            .public_jwk()
            .map_err(|e| intern(format!("Schlüssel des Profils: {e}")))?;
        let sim = simulator::Simulator::start(simulator::SimConfig {
            seed: DEMO_SEED,
            submissions: 0,
            destination_keys: Some((enc, keys.signing.public_jwk())),
            nachreichen: Some(simulator::Nachreichen {
                anteil_prozent: kern.einstellungen.demo_nachreichen.0,
                verzoegerung: kern.einstellungen.demo_nachreichen.1,
            }),
            zustand: Some(kern.profil.join(ZUSTAND)),
            postfach: Some(kern.profil.join(POSTFACH)),
            feindliche_anlagen: true,
            ..Default::default()
        })
        .await
        .map_err(|e| {
            intern(format!(
                "Der eingebaute Simulator des Demo-Modus konnte nicht starten ({e}). Prüfen Sie, \
                 ob Verbindungen zu 127.0.0.1 erlaubt sind."
            ))
        })?;
        if let Ok(mut u) = kern.demo_url.write() {
            *u = Some(sim.base_url().to_owned());
        }
        let client = sim
            .info()
            .subscriber_client()
            .map_err(|e| intern(format!("Simulator: {e}")))?;
        let engine = Engine::new(
            kern.store.clone(),
            client,
            keys,
            sim.info().destination_id.clone(),
            sync::formularschemas(&kern.behoerde),
            sync::Konfiguration::fuer_behoerde(&kern.behoerde),
        );
        let sim = Arc::new(sim);
        if let Ok(mut s) = kern.sim.lock() {
            *s = Some(sim.clone());
        }
        // Only the demo applications this profile has not received yet (see the module doc),
        // and none the simulator has sent already (those still waiting come from its state
        // file).
        let vorhanden = kern
            .store
            .read(|r| r.einreichungen_anzahl())
            .map_err(crate::fehler)?
            .max(sim.gesendete_antraege(DEMO_SEED));
        let soll = kern.einstellungen.demo_antraege;
        if vorhanden < soll {
            absender_starten(kern, sim, vorhanden, soll);
        }
        Ok(engine)
    }

    /// The simulated applicants send demo applications `von..bis`, one at a time; each one
    /// sent triggers a pass, so the queue fills while they arrive.
    fn absender_starten(kern: &Arc<Kern>, sim: Arc<simulator::SimHandle>, von: u64, bis: u64) {
        let kern2 = kern.clone();
        let aufgabe = tokio::spawn(async move {
            let kern = kern2;
            for i in von..bis {
                if kern.gestoppt() {
                    return;
                }
                let mut versuche = 0;
                loop {
                    match sim.send(DEMO_SEED, i, 1).await {
                        Ok(_) => break,
                        Err(_) if versuche < 5 => {
                            versuche += 1;
                            tokio::time::sleep(Duration::from_millis(200)).await;
                        }
                        Err(e) => {
                            kern.aendern(|s| {
                                s.meldung = Some(format!(
                                    "Demo-Modus: Der simulierte Antrag {} ließ sich nicht senden ({e}).",
                                    i + 1
                                ));
                            });
                            return;
                        }
                    }
                }
                kern.anstoss.notify_one();
            }
        });
        if let Ok(mut a) = kern.aufgaben.lock() {
            a.push(aufgabe);
        }
    }
}

/// Stops the simulator when the service ends.
#[cfg(feature = "demo")]
pub(super) async fn stoppen(sim: Simulator) {
    if let Ok(sim) = Arc::try_unwrap(sim) {
        sim.stop().await;
    }
}

/// Without the demo feature there is never a simulator to stop.
#[cfg(not(feature = "demo"))]
pub(super) async fn stoppen(sim: Simulator) {
    match sim {}
}
