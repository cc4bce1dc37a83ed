//! The sync inside the desktop app: a background task that runs the `sync` engine on start,
//! every few minutes and on demand ("Jetzt abrufen"), keeps a [`SyncStatus`] for the status
//! area and tells the shell through a callback when the status or the cases changed.
//!
//! - **Demo-Modus** (no `connection.json`; [`demo`], only with the `demo` feature): the profile's FIT-Connect keys are loaded from the
//!   OS keyring or created ([`ProfileKeys::load_or_create`]); the built-in simulator starts
//!   on 127.0.0.1 with those keys registered for its destination, and the engine fetches
//!   with the simulator's subscriber credentials. Its seed is fixed (same destination after a
//!   restart) and it keeps its cases, the applicants' reply keys and what it sent in
//!   `<profile>/demo/simulator.json`, so replies to earlier cases still reach the
//!   applicants; it is only sent the demo applications neither the profile nor the
//!   simulator has yet (`AMTSSTUBE_DEMO_ANTRAEGE` in total, default
//!   [`crate::DEMO_SUBMISSIONS`]): a restarted app gets no duplicates.
//! - **Live** ([`live`]): `connection.json`, the client secret and the profile keys from the
//!   keyring, as `amtsstube connect` left them (the same as `amtsstube sync`).
//!
//! Both engines validate form data against the authority's form schemas and give new cases
//! the Aktenzeichen and Fristen of the authority's configuration ([`behoerde::Behoerde`]).
//!
//! Interval: `AMTSSTUBE_SYNC_INTERVALL_S` (default 180 s); a pass that leaves work behind
//! (outbox waiting for a retry) is followed sooner. The service being unreachable is not an
//! error for the caseworker: the status says "offline" and the app keeps working.
//!
//! The service is Tauri-free: the shell passes its tokio runtime handle and a callback that
//! emits events to the window (`sync-status`, `vorgaenge-geaendert`).

mod demo;
mod live;

pub use live::engine_fuer_verbindung;

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use fitconnect::profile_keys::ProfileKeys;
use ipc::{ErrorCode, IpcError, SyncStatus};
use store::Store;
use sync::{Engine, Fortschritt};
use tokio::sync::{Notify, watch};

use crate::AppContext;
use crate::sitzung::rfc3339;

/// Environment variable: seconds between two passes.
pub const INTERVALL_ENV: &str = "AMTSSTUBE_SYNC_INTERVALL_S";
/// Environment variable: number of demo applications in Demo-Modus.
pub const DEMO_ANTRAEGE_ENV: &str = "AMTSSTUBE_DEMO_ANTRAEGE";
/// Environment variable: milliseconds between the start of the service and its first pass.
pub const START_ENV: &str = "AMTSSTUBE_SYNC_START_MS";
/// Default wait before the first pass: the window loads and shows the queue first. The first
/// pass (in Demo-Modus also the simulator's RSA-4096 key generation) takes a whole core for a
/// while; on a two-core office PC it would slow the first screen down by a third.
pub const STANDARD_START_MS: u64 = 2000;
/// Default seconds between two passes.
pub const STANDARD_INTERVALL_S: u64 = 180;
/// Seed of the demo simulator: fixed, so the destination stays the same across restarts.
pub const DEMO_SEED: u64 = 1;
/// Wait after a pass that left work behind (outbox retries), unless the interval is shorter.
const NACHFASSEN: Duration = Duration::from_secs(10);
/// At most one "cases changed" message per this time while a pass stores cases.
const AENDERUNG_DROSSEL: Duration = Duration::from_millis(500);

/// What the service tells the shell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SyncMeldung {
    /// The status changed (progress step, start or end of a pass): emit `sync-status`.
    Status(SyncStatus),
    /// Cases were stored or changed by the sync: emit `vorgaenge-geaendert`.
    VorgaengeGeaendert,
}

/// The shell's callback.
pub type Melder = Arc<dyn Fn(SyncMeldung) + Send + Sync>;

/// Settings of the service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncEinstellungen {
    /// Time between two passes.
    pub intervall: Duration,
    /// Demo applications in total (Demo-Modus).
    pub demo_antraege: u64,
    /// Wait before the first pass („Jetzt abrufen“ cuts it short).
    pub erster_abruf_nach: Duration,
    /// Demo-Modus: the share of simulated applicants (percent) that answer a Nachforderung,
    /// and after how long.
    pub demo_nachreichen: (u8, Duration),
}

impl Default for SyncEinstellungen {
    fn default() -> Self {
        Self {
            intervall: Duration::from_secs(STANDARD_INTERVALL_S),
            demo_antraege: crate::DEMO_SUBMISSIONS,
            erster_abruf_nach: Duration::from_millis(STANDARD_START_MS),
            demo_nachreichen: (80, Duration::from_secs(5)),
        }
    }
}

impl SyncEinstellungen {
    /// From `AMTSSTUBE_SYNC_INTERVALL_S`, `AMTSSTUBE_DEMO_ANTRAEGE`,
    /// `AMTSSTUBE_SYNC_START_MS` and `AMTSSTUBE_DEMO_NACHREICHEN=ANTEIL[:SEKUNDEN]`, else the
    /// defaults.
    pub fn aus_umgebung() -> Self {
        let zahl = |name: &str| {
            std::env::var(name)
                .ok()
                .and_then(|v| v.trim().parse::<u64>().ok())
        };
        let d = Self::default();
        Self {
            intervall: zahl(INTERVALL_ENV)
                .map(|s| Duration::from_secs(s.max(1)))
                .unwrap_or(d.intervall),
            demo_antraege: zahl(DEMO_ANTRAEGE_ENV).unwrap_or(d.demo_antraege),
            erster_abruf_nach: zahl(START_ENV)
                .map(Duration::from_millis)
                .unwrap_or(d.erster_abruf_nach),
            demo_nachreichen: nachreichen_lesen(
                &std::env::var("AMTSSTUBE_DEMO_NACHREICHEN").unwrap_or_default(),
                d.demo_nachreichen,
            ),
        }
    }
}

/// `ANTEIL[:SEKUNDEN]` (e.g. `100:2`); what is missing or invalid keeps `standard`'s part.
fn nachreichen_lesen(wert: &str, standard: (u8, Duration)) -> (u8, Duration) {
    let (anteil, sekunden) = wert.split_once(':').unwrap_or((wert, ""));
    (
        anteil
            .trim()
            .parse()
            .ok()
            .filter(|a| *a <= 100)
            .unwrap_or(standard.0),
        sekunden
            .trim()
            .parse()
            .map(Duration::from_secs)
            .unwrap_or(standard.1),
    )
}

/// What the window says when the audit chain is broken at entry `seq`.
fn pruefprotokoll_text(seq: i64, grund: &str) -> String {
    format!(
        "Das Prüfprotokoll ist beschädigt (ab Eintrag {seq}): {grund} Änderungen an Vorgängen \
         sind damit nicht mehr lückenlos nachweisbar. Bitte verständigen Sie die IT; \
         „amtsstube store pruefen“ zeigt Einzelheiten."
    )
}

/// The running background sync of one profile. Cheap to clone.
#[derive(Clone)]
pub struct SyncDienst {
    kern: Arc<Kern>,
}

impl std::fmt::Debug for SyncDienst {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SyncDienst")
            .field("profil", &self.kern.profil)
            .finish_non_exhaustive()
    }
}

struct Kern {
    store: Arc<Store>,
    profil: PathBuf,
    demo: bool,
    #[cfg_attr(not(feature = "demo"), allow(dead_code))]
    demo_url: Arc<std::sync::RwLock<Option<String>>>,
    einstellungen: SyncEinstellungen,
    status: Mutex<SyncStatus>,
    anstoss: Notify,
    stopp: watch::Sender<bool>,
    melden: Melder,
    behoerde: Arc<behoerde::Behoerde>,
    /// The policy the context opened with: the live engine connects as it pins.
    richtlinie: richtlinie::Richtlinie,
    sim: Mutex<Option<demo::Simulator>>,
    aufgaben: Mutex<Vec<tokio::task::JoinHandle<()>>>,
    letzte_aenderung: Mutex<Option<Instant>>,
    /// The wait before the first pass is over.
    begonnen: std::sync::atomic::AtomicBool,
}

fn intern(text: impl Into<String>) -> IpcError {
    IpcError::new(ErrorCode::Internal, text)
}

impl SyncDienst {
    /// Starts the background sync for `ctx` on the runtime `laufzeit` with the settings from
    /// the environment; the first pass begins at once. Returns immediately (key generation
    /// and the simulator start happen in the background, the status says so). Starting it
    /// again for the same context returns the running service.
    pub fn starten(ctx: &AppContext, laufzeit: &tokio::runtime::Handle, melden: Melder) -> Self {
        Self::starten_mit(ctx, laufzeit, melden, SyncEinstellungen::aus_umgebung())
    }

    /// Like [`SyncDienst::starten`] with explicit settings (tests).
    pub fn starten_mit(
        ctx: &AppContext,
        laufzeit: &tokio::runtime::Handle,
        melden: Melder,
        einstellungen: SyncEinstellungen,
    ) -> Self {
        if let Some(d) = ctx.sync.get() {
            return d.clone();
        }
        let outbox = ctx.store.read(|r| r.outbox_offen_anzahl()).unwrap_or(0);
        let (stopp, _) = watch::channel(false);
        let dienst = SyncDienst {
            kern: Arc::new(Kern {
                store: ctx.store_arc(),
                profil: ctx.profile_dir().to_path_buf(),
                demo: ctx.is_demo(),
                demo_url: ctx.demo_url.clone(),
                behoerde: ctx.behoerde_arc(),
                richtlinie: ctx.richtlinie().clone(),
                einstellungen,
                status: Mutex::new(SyncStatus {
                    laeuft: true,
                    meldung: Some("Der Abruf wird vorbereitet …".into()),
                    outbox: outbox as u32,
                    ..Default::default()
                }),
                anstoss: Notify::new(),
                stopp,
                melden,
                sim: Mutex::new(None),
                aufgaben: Mutex::new(Vec::new()),
                letzte_aenderung: Mutex::new(None),
                begonnen: std::sync::atomic::AtomicBool::new(false),
            }),
        };
        let dienst = match ctx.sync.set(dienst.clone()) {
            Ok(()) => dienst,
            // Another thread won the race: use its service, start nothing.
            Err(_) => return ctx.sync.get().cloned().unwrap_or(dienst),
        };
        let kern = dienst.kern.clone();
        let haupt = laufzeit.spawn(async move { kern.lauf().await });
        if let Ok(mut a) = dienst.kern.aufgaben.lock() {
            a.push(haupt);
        }
        // The audit chain is checked once per start, off the async workers; a break is shown.
        {
            let kern = dienst.kern.clone();
            let t = laufzeit.spawn(async move {
                let store = kern.store.clone();
                let befund =
                    tokio::task::spawn_blocking(move || store.read(|r| r.audit_pruefen())).await;
                if let Ok(Ok(b)) = &befund {
                    match &b.erster_bruch {
                        None => tracing::info!("Prüfprotokoll beim Start geprüft: Kette intakt"),
                        Some((seq, _)) => {
                            tracing::error!(eintrag = seq, "Prüfprotokoll: Kette gebrochen")
                        }
                    }
                }
                if let Some(text) = match befund {
                    Ok(Ok(b)) => b
                        .erster_bruch
                        .map(|(seq, grund)| pruefprotokoll_text(seq, &grund)),
                    Ok(Err(e)) => Some(format!(
                        "Das Prüfprotokoll ließ sich beim Start nicht prüfen ({e}). Bitte \
                         verständigen Sie die IT; „amtsstube store pruefen“ zeigt Einzelheiten."
                    )),
                    Err(_) => None,
                } {
                    kern.aendern(|s| s.pruefprotokoll = Some(text));
                }
            });
            if let Ok(mut a) = dienst.kern.aufgaben.lock() {
                a.push(t);
            }
        }
        // The E-Akte hand-over beside it: deliver, read confirmations, purge (issue 17).
        if let Ok(ziel) = ctx.eakte_ziel() {
            #[cfg(feature = "demo")]
            if let (Some(ablage), crate::eakte::Abgabeweg::Ordner(abgabe)) =
                (&ziel.standin, &ziel.weg)
            {
                let _ = std::fs::create_dir_all(abgabe);
                let _ = std::fs::create_dir_all(&ziel.rueckgabe);
                let standin = simulator::eakte::EAkteStandIn::neu(
                    abgabe.clone(),
                    ziel.rueckgabe.clone(),
                    ablage.clone(),
                );
                let t = laufzeit.spawn(standin.laufen(dienst.kern.stopp.subscribe()));
                if let Ok(mut a) = dienst.kern.aufgaben.lock() {
                    a.push(t);
                }
            }
            let t = laufzeit.spawn(crate::eakte::laufen(
                ctx.store_arc(),
                ziel,
                ctx.eakte_anstoss.clone(),
                ctx.eakte_hinweise.clone(),
                dienst.kern.stopp.subscribe(),
            ));
            if let Ok(mut a) = dienst.kern.aufgaben.lock() {
                a.push(t);
            }
        }
        dienst
    }

    /// The current status.
    pub fn status(&self) -> SyncStatus {
        self.kern.status()
    }

    /// Starts a pass now unless one runs; returns the status. A pass it started shows as
    /// running even if the pass before it ended in the meantime (the one asked for still
    /// comes: the wake-up is kept until the loop takes it).
    pub fn jetzt_abrufen(&self) -> SyncStatus {
        let laeuft = self.kern.status().laeuft;
        if !laeuft {
            self.kern.aendern(|s| {
                s.laeuft = true;
                s.fertig = 0;
                s.gesamt = 0;
                s.meldung = Some("Abruf läuft …".into());
            });
            self.kern.anstoss.notify_one();
            return SyncStatus {
                laeuft: true,
                ..self.kern.status()
            };
        } else if !self.kern.begonnen.load(std::sync::atomic::Ordering::SeqCst) {
            // Still waiting for the first pass: start it now.
            self.kern.anstoss.notify_one();
        }
        self.kern.status()
    }

    /// The demo simulator, once it runs (Demo-Modus).
    #[cfg(feature = "demo")]
    pub fn demo_simulator(&self) -> Option<Arc<simulator::SimHandle>> {
        self.kern.sim.lock().ok().and_then(|s| s.clone())
    }

    /// Stops the service: lets a running pass end (every step of it is durable anyway),
    /// stops the demo simulator. For an orderly shutdown and for tests that restart.
    pub async fn beenden(&self) {
        let _ = self.kern.stopp.send(true);
        let aufgaben: Vec<_> = match self.kern.aufgaben.lock() {
            Ok(mut a) => a.drain(..).collect(),
            Err(_) => Vec::new(),
        };
        for mut a in aufgaben {
            if tokio::time::timeout(Duration::from_secs(30), &mut a)
                .await
                .is_err()
            {
                a.abort();
            }
        }
        let sim = self.kern.sim.lock().ok().and_then(|mut s| s.take());
        if let Some(sim) = sim {
            demo::stoppen(sim).await;
        }
    }
}

impl Kern {
    fn status(&self) -> SyncStatus {
        self.status.lock().map(|s| s.clone()).unwrap_or_default()
    }

    /// Changes the status and tells the shell.
    fn aendern(&self, f: impl FnOnce(&mut SyncStatus)) {
        let neu = match self.status.lock() {
            Ok(mut s) => {
                f(&mut s);
                s.clone()
            }
            Err(_) => return,
        };
        (self.melden)(SyncMeldung::Status(neu));
    }

    fn gestoppt(&self) -> bool {
        *self.stopp.borrow()
    }

    /// Tells the shell that cases changed, at most every [`AENDERUNG_DROSSEL`] unless `sofort`.
    fn vorgaenge_geaendert(&self, sofort: bool) {
        let jetzt = Instant::now();
        let melden = match self.letzte_aenderung.lock() {
            Ok(mut l) => {
                let faellig =
                    sofort || l.is_none_or(|t| jetzt.duration_since(t) >= AENDERUNG_DROSSEL);
                if faellig {
                    *l = Some(jetzt);
                }
                faellig
            }
            Err(_) => true,
        };
        if melden {
            (self.melden)(SyncMeldung::VorgaengeGeaendert);
        }
    }

    async fn lauf(self: Arc<Self>) {
        let mut stopp = self.stopp.subscribe();
        if !self.einstellungen.erster_abruf_nach.is_zero() {
            tokio::select! {
                _ = self.anstoss.notified() => {}
                _ = tokio::time::sleep(self.einstellungen.erster_abruf_nach) => {}
                _ = stopp.changed() => return,
            }
        }
        self.begonnen
            .store(true, std::sync::atomic::Ordering::SeqCst);
        let mut engine: Option<Engine> = None;
        loop {
            if self.gestoppt() {
                break;
            }
            if engine.is_none() {
                match self.engine_bauen().await {
                    Ok(e) => engine = Some(e),
                    Err(e) => self.aendern(|s| {
                        s.laeuft = false;
                        s.offline = false;
                        s.meldung = Some(e.message.clone());
                    }),
                }
            }
            let mut warten = self.einstellungen.intervall;
            if let Some(e) = &engine
                && !self.gestoppt()
                && !self.durchlauf(e).await
            {
                warten = warten.min(NACHFASSEN);
            }
            tokio::select! {
                _ = self.anstoss.notified() => {}
                _ = tokio::time::sleep(warten) => {}
                _ = stopp.changed() => break,
            }
        }
    }

    /// One pass; returns whether nothing is left to do.
    async fn durchlauf(&self, engine: &Engine) -> bool {
        self.aendern(|s| {
            s.laeuft = true;
            s.fertig = 0;
            s.gesamt = 0;
            s.meldung = Some("Abruf läuft …".into());
        });
        // A transient failure outside any one submission (listing, token): unreachable.
        let unerreichbar = std::sync::atomic::AtomicBool::new(false);
        let melden = |f: Fortschritt| match f {
            Fortschritt::Gefunden { neu, .. } => self.aendern(|s| {
                s.gesamt = neu as u32;
                s.fertig = 0;
                if neu > 0 {
                    s.meldung = Some(format!("{neu} neue Anträge werden abgerufen …"));
                }
            }),
            Fortschritt::Gespeichert { .. } => {
                self.aendern(|s| s.fertig = (s.fertig + 1).min(s.gesamt.max(s.fertig + 1)));
                self.vorgaenge_geaendert(false);
            }
            Fortschritt::Abgelehnt { .. } => {
                self.aendern(|s| s.fertig = (s.fertig + 1).min(s.gesamt.max(s.fertig + 1)));
            }
            Fortschritt::Fehler {
                submission_id: Some(_),
                voruebergehend: false,
                ..
            } => self.aendern(|s| s.fertig = (s.fertig + 1).min(s.gesamt.max(s.fertig + 1))),
            Fortschritt::Fehler {
                submission_id: None,
                voruebergehend: true,
                ..
            } => unerreichbar.store(true, std::sync::atomic::Ordering::Relaxed),
            _ => {}
        };
        let ergebnis = engine.durchlauf(&melden).await;
        let outbox = self.store.read(|r| r.outbox_offen_anzahl()).unwrap_or(0) as u32;
        let minuten = self.einstellungen.intervall.as_secs().div_ceil(60).max(1);
        let offline_text = format!(
            "Der Zustelldienst ist nicht erreichbar. Amtsstube arbeitet offline weiter und \
             versucht es in {minuten} Minute(n) erneut („Jetzt abrufen“ versucht es sofort)."
        );
        let offline = unerreichbar.load(std::sync::atomic::Ordering::Relaxed);
        match ergebnis {
            Ok(b) if offline => {
                self.aendern(|s| {
                    s.laeuft = false;
                    s.offline = true;
                    s.outbox = outbox;
                    s.neue_vorgaenge = b.gespeichert as u32;
                    s.meldung = Some(offline_text);
                });
                // Wait the full interval: retrying sooner does not bring the network back.
                true
            }
            Ok(b) => {
                let neu = b.gespeichert + b.nachgereicht;
                // A reply delivered or given up changes its case's thread as well.
                if neu + b.antworten_erledigt > 0 {
                    self.vorgaenge_geaendert(true);
                }
                let meldung = if let Some(f) = b.fehler.first() {
                    format!("Abruf mit Problemen beendet: {f}")
                } else if b.gespeichert == 1 {
                    "1 neuer Vorgang abgerufen.".to_owned()
                } else if b.gespeichert > 1 {
                    format!("{} neue Vorgänge abgerufen.", b.gespeichert)
                } else {
                    "Keine neuen Anträge.".to_owned()
                };
                let ruhig = b.ruhig();
                self.aendern(|s| {
                    s.laeuft = false;
                    s.offline = false;
                    s.letzter_abruf = Some(rfc3339(time::OffsetDateTime::now_utc()));
                    s.outbox = outbox;
                    s.neue_vorgaenge = b.gespeichert as u32;
                    s.meldung = Some(meldung);
                });
                ruhig
            }
            Err(e) => {
                let offline = e.voruebergehend();
                let meldung = if offline {
                    offline_text
                } else {
                    format!("Der Abruf ist fehlgeschlagen: {e}")
                };
                self.aendern(|s| {
                    s.laeuft = false;
                    s.offline = offline;
                    s.outbox = outbox;
                    s.neue_vorgaenge = 0;
                    s.meldung = Some(meldung);
                });
                true
            }
        }
    }

    async fn engine_bauen(self: &Arc<Self>) -> Result<Engine, IpcError> {
        if self.demo {
            demo::engine(self).await
        } else {
            live::engine(self).await
        }
    }

    async fn profil_schluessel(&self, erzeugen: bool) -> Result<ProfileKeys, IpcError> {
        let profil = self.profil.clone();
        let r = tokio::task::spawn_blocking(move || {
            if erzeugen {
                ProfileKeys::load_or_create(&profil).map(|(k, _)| Some(k))
            } else {
                ProfileKeys::load(&profil)
            }
        })
        .await
        .map_err(|e| intern(format!("Schlüssel des Profils: {e}")))?;
        let fehlt = || {
            IpcError::new(
                ErrorCode::KeyUnavailable,
                "Die Schlüssel des Profils fehlen im Schlüsselbund. Richten Sie die Verbindung mit \
                 `amtsstube connect` ein.",
            )
        };
        r.map_err(|e| {
            IpcError::new(
                ErrorCode::KeyUnavailable,
                format!(
                    "Die Schlüssel des Profils sind nicht verfügbar ({e}). Prüfen Sie, ob der \
                     Schlüsselbund des Betriebssystems entsperrt ist."
                ),
            )
        })?
        .ok_or_else(fehlt)
    }
}
