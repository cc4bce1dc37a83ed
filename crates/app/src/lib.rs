//! Application core: the [`AppContext`] every UI command runs against, and the command bodies.
//!
//! The desktop shell (`src-tauri`) only glues: it builds one `AppContext` at start, keeps it in
//! an `Arc` in Tauri state and forwards each command to a `&self` method here; the background
//! sync ([`sync_dienst::SyncDienst`]) runs beside it on the same store. Because command bodies
//! take this context and not `tauri::State`, tests call them directly with a temporary profile.
//!
//! Modules by area: [`posteingang`] (queue, views, bulk assignment, saved filters),
//! [`vorgang`] (case view, actions, notes, readable history), [`anlage`] (attachments for the
//! `anlage://` protocol and "Speichern unter…"), [`eakte`] (hand-over to the E-Akte, its
//! confirmations, purge), [`sync_dienst`] (intake in the background),
//! [`sitzung`] (who works, which day it is).
//!
//! To add a command: declare its types in the `ipc` crate, add a method on [`AppContext`]
//! returning `Result<_, ipc::IpcError>` (German message that says what to do), and forward to
//! it from `src-tauri/src/commands.rs`.
#![deny(missing_docs)]

pub mod anlage;
pub mod diagnose;
pub mod eakte;
pub mod entscheidung;
pub mod haertung;
pub mod nachrichten;
pub mod posteingang;
pub mod profile;
pub mod siegel;
pub mod sitzung;
pub mod sync_dienst;
pub mod vorgang;
pub mod zurueckweisung;

use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock, RwLock};

use ipc::{AppInfo, ConnectionMode, ErrorCode, IpcError};
pub use profile::{ConnectionConfig, ProfileError};
pub use sync_dienst::{SyncDienst, SyncMeldung};

/// Product name as shown to people.
pub const PRODUCT: &str = "Amtsstube";

/// Applications the in-process simulator holds ready when Demo-Modus starts (overridden by
/// `AMTSSTUBE_DEMO_ANTRAEGE`, see [`sync_dienst`]).
pub const DEMO_SUBMISSIONS: u64 = 25;

/// Starts the built-in FIT-Connect simulator of Demo-Modus on 127.0.0.1 (on the current tokio
/// runtime) with [`DEMO_SUBMISSIONS`] applications waiting. Separate from [`AppContext`] so a
/// shell can start it in the background without holding the context's lock.
///
/// Superseded by [`SyncDienst::starten`], which starts the simulator itself with the
/// profile's keys and fetches its applications; do not use both.
#[cfg(feature = "demo")]
pub async fn start_demo_simulator() -> Result<simulator::SimHandle, IpcError> {
    let config = simulator::SimConfig {
        submissions: DEMO_SUBMISSIONS,
        ..Default::default()
    };
    simulator::Simulator::start(config).await.map_err(|e| {
        IpcError::new(
            ErrorCode::Internal,
            format!(
                "Der eingebaute Simulator des Demo-Modus konnte nicht starten ({e}). \
                 Prüfen Sie, ob Verbindungen zu 127.0.0.1 erlaubt sind."
            ),
        )
    })
}

/// Everything a command needs: the profile, its store, the session and how the app is
/// connected. `Send + Sync`: the shell shares it in an `Arc` between commands and the sync.
#[derive(Debug)]
pub struct AppContext {
    profile_dir: PathBuf,
    connection: ConnectionMode,
    /// Address of the running demo simulator (set by the sync service or [`AppContext::attach_demo`]).
    demo_url: Arc<RwLock<Option<String>>>,
    /// The profile's encrypted store (SQLCipher, key from the OS keyring or a key file);
    /// internally synchronised, shared with the sync engine.
    store: Arc<store::Store>,
    /// A demo simulator handed over with [`AppContext::attach_demo`] (kept running).
    #[cfg(feature = "demo")]
    demo: Option<simulator::SimHandle>,
    /// Who works in this session.
    sitzung: sitzung::SitzungsDaten,
    /// The background sync, once started.
    sync: OnceLock<SyncDienst>,
    /// The authority's configuration (Land, Aktenzeichen, Fristen, Leistungen).
    behoerde: Arc<behoerde::Behoerde>,
    /// Its statutory processing times and „fällig“ lead time, derived once.
    fristen: domain::Fristenkatalog,
    /// The administrator's policy this context was opened under (what it pins).
    richtlinie: Arc<richtlinie::Richtlinie>,
    /// Wakes the E-Akte loop after a hand-over ([`eakte`]).
    pub(crate) eakte_anstoss: Arc<tokio::sync::Notify>,
    /// What the E-Akte loop could not do (shown in „Abgabe offen“).
    pub(crate) eakte_hinweise: Arc<std::sync::Mutex<Vec<String>>>,
    /// Cases this window opened (each opening audited): only these are read again without a
    /// new opening, and only their documents are served ([`vorgang`]).
    pub(crate) geoeffnet: std::sync::Mutex<std::collections::HashSet<domain::VorgangId>>,
}

impl AppContext {
    /// Opens the profile at `profile_dir` (created if missing) and its encrypted store (a new
    /// profile gets a random key in its key source; no key source means no start, never a
    /// plaintext database). Without a configured integration service the context is in
    /// Demo-Modus. The authority's configuration is the profile's or the system's
    /// `behoerde.toml` ([`behoerde::finden`]); only Demo-Modus may run on the built-in demo
    /// configuration, and a faulty file stops the start with a message that names its line.
    /// The session (who acts, with which roles) is determined once the connection mode is
    /// known: outside Demo-Modus from the OS login and the role file ([`sitzung`]).
    ///
    /// The administrator's policy ([`profile::richtlinie_laden`]) is read first: a faulty one
    /// stops the start, and what it pins applies ([`AppContext::open_mit_richtlinie`]).
    pub fn open(profile_dir: &Path) -> Result<Self, ProfileError> {
        Self::open_mit_richtlinie(profile_dir, profile::richtlinie_laden()?)
    }

    /// [`AppContext::open`] under `richtlinie` (tests, tools): its service URLs and
    /// destination replace `connection.json`'s, its key source, seal and role file are used,
    /// and `demo_erlaubt = false` refuses an unconnected profile before anything is created
    /// in it.
    pub fn open_mit_richtlinie(
        profile_dir: &Path,
        richtlinie: richtlinie::Richtlinie,
    ) -> Result<Self, ProfileError> {
        let profile_dir = profile::ensure_dir(profile_dir)?;
        let connection = match ConnectionConfig::load_mit(&profile_dir, &richtlinie)? {
            Some(cfg) => ConnectionMode::Live {
                base_url: cfg.base_url,
            },
            None => ConnectionMode::Demo {
                simulator_url: None,
            },
        };
        let demo = matches!(connection, ConnectionMode::Demo { .. });
        richtlinie
            .demo_pruefen(demo)
            .map_err(ProfileError::DemoVerboten)?;
        let mut behoerde = profile::behoerde_laden(&profile_dir, demo)?;
        if let Some(s) = &richtlinie.siegel {
            // The policy's seal replaces the authority file's (which may lie in the profile).
            let text = |p: &Path| p.display().to_string();
            behoerde.siegel = Some(behoerde::Siegel {
                pkcs12: s.pkcs12.as_deref().map(text),
                pkcs11_modul: s.pkcs11_modul.as_deref().map(text),
                token: s.token.clone(),
                schluessel: s.schluessel.clone(),
                vertrauensanker: s.vertrauensanker.iter().map(|p| text(p)).collect(),
            });
        }
        let quelle = profile::schluesselquelle(&profile_dir, &richtlinie);
        let store = store::Store::open_profil(&profile_dir, &quelle)
            .map_err(|e| ProfileError::Store(e.to_string()))?;
        Ok(Self {
            profile_dir,
            connection,
            demo_url: Arc::new(RwLock::new(None)),
            store: Arc::new(store),
            #[cfg(feature = "demo")]
            demo: None,
            // After the connection mode: only Demo-Modus lets the environment choose the user.
            sitzung: sitzung::SitzungsDaten::fuer_app(demo, &richtlinie),
            sync: OnceLock::new(),
            fristen: behoerde.fristenkatalog(),
            behoerde: Arc::new(behoerde),
            richtlinie: Arc::new(richtlinie),
            eakte_anstoss: Arc::new(tokio::sync::Notify::new()),
            eakte_hinweise: Arc::new(std::sync::Mutex::new(Vec::new())),
            geoeffnet: std::sync::Mutex::new(std::collections::HashSet::new()),
        })
    }

    /// The same context with another session user and role (tests, tools; the desktop app
    /// determines them with [`sitzung::SitzungsDaten::fuer_app`]). Keeps Demo-Modus.
    pub fn mit_sitzung(self, benutzer: &str, rolle: ipc::Rolle) -> Self {
        self.mit_rollen(benutzer, &[rolle])
    }

    /// The same context with another session user holding `rollen` (tests, tools).
    /// Keeps Demo-Modus.
    pub fn mit_rollen(mut self, benutzer: &str, rollen: &[ipc::Rolle]) -> Self {
        let mut s = sitzung::SitzungsDaten::mit_rollen(benutzer, rollen);
        s.demo = self.is_demo();
        self.sitzung = s;
        self
    }

    /// The same context with another authority's configuration (tests, tools).
    pub fn mit_behoerde(mut self, behoerde: behoerde::Behoerde) -> Self {
        self.fristen = behoerde.fristenkatalog();
        self.behoerde = Arc::new(behoerde);
        self
    }

    /// In Demo-Modus, starts the built-in FIT-Connect simulator and attaches it; does nothing
    /// when a real integration service is configured or the simulator already runs.
    #[cfg(feature = "demo")]
    pub async fn start_demo(&mut self) -> Result<(), IpcError> {
        if !self.is_demo() || self.demo.is_some() {
            return Ok(());
        }
        let handle = start_demo_simulator().await?;
        self.attach_demo(handle);
        Ok(())
    }

    /// Attaches a running demo simulator (Demo-Modus only; otherwise it is stopped when dropped).
    #[cfg(feature = "demo")]
    pub fn attach_demo(&mut self, handle: simulator::SimHandle) {
        if self.is_demo() {
            self.demo_url_setzen(handle.base_url());
            self.demo = Some(handle);
        }
    }

    /// Records the address of the running demo simulator for [`AppContext::app_info`].
    #[cfg(feature = "demo")]
    pub(crate) fn demo_url_setzen(&self, url: &str) {
        if let Ok(mut u) = self.demo_url.write() {
            *u = Some(url.to_owned());
        }
    }

    /// The demo simulator handed over with [`AppContext::attach_demo`], if any.
    #[cfg(feature = "demo")]
    pub fn demo_simulator(&self) -> Option<&simulator::SimHandle> {
        self.demo.as_ref()
    }

    /// Whether the app runs in Demo-Modus.
    pub fn is_demo(&self) -> bool {
        matches!(self.connection, ConnectionMode::Demo { .. })
    }

    /// The profile's encrypted store.
    pub fn store(&self) -> &store::Store {
        &self.store
    }

    /// The profile's encrypted store, shareable (the sync engine holds it too).
    pub fn store_arc(&self) -> Arc<store::Store> {
        self.store.clone()
    }

    /// The authority's configuration, loaded once at start.
    pub fn behoerde(&self) -> &behoerde::Behoerde {
        &self.behoerde
    }

    /// The shared handle of [`AppContext::behoerde`] (the sync engine holds it too).
    pub fn behoerde_arc(&self) -> Arc<behoerde::Behoerde> {
        self.behoerde.clone()
    }

    /// The authority's statutory processing times and „fällig“ lead time: every Frist and
    /// every fällig/überfällig the app shows comes from here.
    pub fn fristen(&self) -> &domain::Fristenkatalog {
        &self.fristen
    }

    /// The administrator's policy this context runs under.
    pub fn richtlinie(&self) -> &richtlinie::Richtlinie {
        &self.richtlinie
    }

    /// The profile directory.
    pub fn profile_dir(&self) -> &Path {
        &self.profile_dir
    }

    /// The background sync, once [`SyncDienst::starten`] ran for this context.
    pub fn sync_dienst(&self) -> Option<&SyncDienst> {
        self.sync.get()
    }

    /// Command `app_info`: version, profile path and connection mode.
    pub fn app_info(&self) -> Result<AppInfo, IpcError> {
        let connection = match &self.connection {
            ConnectionMode::Demo { .. } => ConnectionMode::Demo {
                simulator_url: self.demo_url.read().ok().and_then(|u| u.clone()),
            },
            live => live.clone(),
        };
        Ok(AppInfo {
            product: PRODUCT.to_owned(),
            version: env!("CARGO_PKG_VERSION").to_owned(),
            profile_dir: self.profile_dir.display().to_string(),
            connection,
            richtlinie: ipc::RichtlinieInfo {
                datei: self
                    .richtlinie
                    .datei
                    .clone()
                    .unwrap_or_else(|| profile::richtlinie_pfad().display().to_string()),
                vorhanden: self.richtlinie.datei.is_some(),
                festlegungen: self
                    .richtlinie
                    .festlegungen()
                    .into_iter()
                    .map(|f| ipc::Festlegung {
                        feld: f.feld.to_owned(),
                        bezeichnung: f.bezeichnung.to_owned(),
                        wert: f.wert,
                    })
                    .collect(),
            },
        })
    }

    /// Command `sitzung`: who works and which day it is.
    pub fn sitzung(&self) -> Result<ipc::Sitzung, IpcError> {
        Ok(self.sitzung.als_ipc())
    }

    /// Command `sync_status`: the state of the background sync.
    pub fn sync_status(&self) -> Result<ipc::SyncStatus, IpcError> {
        Ok(match self.sync.get() {
            Some(d) => d.status(),
            None => ipc::SyncStatus {
                meldung: Some("Der Abruf wird vorbereitet …".into()),
                outbox: self
                    .store
                    .read(|r| r.outbox_offen_anzahl())
                    .map_err(fehler)? as u32,
                ..Default::default()
            },
        })
    }

    /// Command `jetzt_abrufen`: starts a sync pass now unless one runs.
    pub fn jetzt_abrufen(&self) -> Result<ipc::SyncStatus, IpcError> {
        match self.sync.get() {
            Some(d) => Ok(d.jetzt_abrufen()),
            None => Err(IpcError::new(
                ErrorCode::Offline,
                "Der Abruf ist noch nicht bereit. Bitte versuchen Sie es in einigen Sekunden erneut.",
            )),
        }
    }
}

/// Turns a store error into what the UI shows: not found, refused input (with the store's or
/// the status machine's German reason), or an internal error with what to do next.
pub(crate) fn fehler(e: store::StoreError) -> IpcError {
    use store::StoreError as E;
    match e {
        E::NichtGefunden(_) => IpcError::new(
            ErrorCode::NotFound,
            format!("{e} Aktualisieren Sie die Ansicht und versuchen Sie es erneut."),
        ),
        E::Status(_) | E::Unzulaessig(_) => IpcError::new(ErrorCode::InvalidInput, e.to_string()),
        E::KeinSchluesselspeicher { .. }
        | E::SchluesselFehlt { .. }
        | E::FalscherSchluessel { .. }
        | E::Schluesseldatei { .. } => IpcError::new(ErrorCode::KeyUnavailable, e.to_string()),
        other => IpcError::new(
            ErrorCode::Internal,
            format!(
                "{other}. Bitte versuchen Sie es erneut; bleibt der Fehler, starten Sie Amtsstube \
                 neu oder wenden Sie sich an die Administration."
            ),
        ),
    }
}

/// Parses a case id from the UI.
pub(crate) fn vorgang_id(id: &str) -> Result<domain::VorgangId, IpcError> {
    uuid::Uuid::parse_str(id.trim())
        .map(domain::VorgangId)
        .map_err(|_| {
            IpcError::new(
                ErrorCode::InvalidInput,
                format!("„{id}“ ist keine gültige Vorgangs-ID. Öffnen Sie den Vorgang aus dem Posteingang."),
            )
        })
}

impl From<ProfileError> for IpcError {
    fn from(e: ProfileError) -> Self {
        let code = match e {
            ProfileError::Store(_) => ErrorCode::KeyUnavailable,
            _ => ErrorCode::ProfileUnavailable,
        };
        IpcError::new(code, e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fresh_profile_starts_in_demo_mode_and_reports_its_path() {
        let dir = tempfile::tempdir().unwrap();
        let ctx = AppContext::open(&dir.path().join("profil")).unwrap();
        let info = ctx.app_info().unwrap();
        assert_eq!(info.product, "Amtsstube");
        assert_eq!(info.version, env!("CARGO_PKG_VERSION"));
        assert!(info.profile_dir.ends_with("profil"));
        assert_eq!(
            info.connection,
            ConnectionMode::Demo {
                simulator_url: None
            }
        );
    }

    #[cfg(feature = "demo")]
    #[tokio::test]
    async fn demo_mode_runs_the_simulator_on_loopback_and_reports_its_address() {
        let dir = tempfile::tempdir().unwrap();
        let mut ctx = AppContext::open(dir.path()).unwrap();
        ctx.start_demo().await.unwrap();
        let ConnectionMode::Demo {
            simulator_url: Some(url),
        } = ctx.app_info().unwrap().connection
        else {
            panic!("no simulator address in demo mode");
        };
        assert!(url.starts_with("http://127.0.0.1:"), "{url}");
        // The simulator answers real HTTP: its JWKS is served.
        let info = reqwest_free_get(&format!(
            "{}/.well-known/jwks.json",
            url.trim_end_matches('/')
        ))
        .await;
        assert!(info.contains("\"keys\""), "{info}");
    }

    /// A dependency-free HTTP GET for the test (HTTP/1.0 on loopback).
    #[cfg(feature = "demo")]
    async fn reqwest_free_get(url: &str) -> String {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let rest = url.trim_start_matches("http://");
        let (host, path) = rest.split_once('/').unwrap();
        let mut s = tokio::net::TcpStream::connect(host).await.unwrap();
        s.write_all(format!("GET /{path} HTTP/1.0\r\nHost: {host}\r\n\r\n").as_bytes())
            .await
            .unwrap();
        let mut out = String::new();
        s.read_to_string(&mut out).await.unwrap();
        out
    }

    #[cfg(feature = "demo")]
    #[tokio::test]
    async fn live_mode_starts_no_simulator() {
        let dir = tempfile::tempdir().unwrap();
        ConnectionConfig {
            base_url: "http://127.0.0.1:9/".into(),
            token_url: "http://127.0.0.1:9/token".into(),
            destination_id: "d".into(),
            client_id: "c".into(),
        }
        .save(dir.path())
        .unwrap();
        behoerde_ablegen(dir.path(), ZWEITE);
        let mut ctx = AppContext::open(dir.path()).unwrap();
        ctx.start_demo().await.unwrap();
        assert!(ctx.demo_simulator().is_none());
    }

    #[test]
    fn the_profile_database_is_encrypted_from_the_first_start() {
        let dir = tempfile::tempdir().unwrap();
        let ctx = AppContext::open(dir.path()).unwrap();
        drop(ctx);
        let head = std::fs::read(dir.path().join(store::DB_DATEI)).unwrap();
        assert!(
            !head.starts_with(b"SQLite format 3"),
            "the database is plaintext SQLite"
        );
        // A second start finds its key again.
        AppContext::open(dir.path()).unwrap();
    }

    #[test]
    fn a_configured_integration_service_means_live_mode() {
        let dir = tempfile::tempdir().unwrap();
        let cfg = ConnectionConfig {
            base_url: "http://127.0.0.1:9/".into(),
            token_url: "http://127.0.0.1:9/token".into(),
            destination_id: "d".into(),
            client_id: "c".into(),
        };
        cfg.save(dir.path()).unwrap();
        behoerde_ablegen(dir.path(), ZWEITE);
        let ctx = AppContext::open(dir.path()).unwrap();
        assert!(!ctx.is_demo());
    }

    /// A small authority of its own (Bayern, one Leistung), not the demo's.
    const ZWEITE: &str = "[behoerde]\nname = \"Markt Beispielhausen\"\nland = \"BY\"\n\
        [aktenzeichen]\namt = \"OA\"\nkuerzel = \"BH\"\n\
        [fristen]\nstandard = \"6 Wochen\"\nfaellig_vorlauf_arbeitstage = 3\n\
        [[leistung]]\nleika = \"99001001000000\"\nname = \"Fischereischein\"\n\
        formulare = [\"f.schema.json\"]\naufbewahrung_jahre = 5\n";

    fn behoerde_ablegen(profil: &Path, text: &str) {
        std::fs::write(profil.join(behoerde::DATEINAME), text).unwrap();
        std::fs::write(
            profil.join("f.schema.json"),
            r#"{"$id":"urn:bh:fischereischein:1","type":"object"}"#,
        )
        .unwrap();
    }

    fn verbinden(profil: &Path) {
        ConnectionConfig {
            base_url: "http://127.0.0.1:9/".into(),
            token_url: "http://127.0.0.1:9/token".into(),
            destination_id: "d".into(),
            client_id: "c".into(),
        }
        .save(profil)
        .unwrap();
    }

    #[test]
    fn demo_mode_runs_on_the_built_in_demo_authority() {
        let dir = tempfile::tempdir().unwrap();
        let ctx = AppContext::open(dir.path()).unwrap();
        assert_eq!(ctx.behoerde().land, domain::Bundesland::NW);
        assert_eq!(ctx.behoerde().quelle, "eingebaut: Demo-Kommune");
        assert_eq!(ctx.fristen().vorlauf_arbeitstage, 5);
    }

    #[test]
    fn a_connected_profile_without_an_authority_configuration_does_not_start() {
        let dir = tempfile::tempdir().unwrap();
        verbinden(dir.path());
        let e = AppContext::open(dir.path()).unwrap_err();
        let text = e.to_string();
        assert!(matches!(e, ProfileError::KeineBehoerde { .. }), "{text}");
        assert!(
            text.contains("behoerde.toml") && text.contains("Vorlage"),
            "{text}"
        );
        // No half start: no database was created for it either.
        assert!(!dir.path().join(store::DB_DATEI).exists());
    }

    #[test]
    fn the_profile_s_authority_configuration_replaces_the_demo_s() {
        let dir = tempfile::tempdir().unwrap();
        verbinden(dir.path());
        behoerde_ablegen(dir.path(), ZWEITE);
        let ctx = AppContext::open(dir.path()).unwrap();
        assert_eq!(ctx.behoerde().name, "Markt Beispielhausen");
        assert_eq!(ctx.fristen().bundesland, domain::Bundesland::BY);
        assert_eq!(ctx.fristen().vorlauf_arbeitstage, 3);
        assert!(ctx.behoerde().leistung("99108008001000").is_none());
    }

    #[test]
    fn a_faulty_authority_configuration_stops_the_start_naming_line_and_field() {
        let dir = tempfile::tempdir().unwrap();
        behoerde_ablegen(
            dir.path(),
            &ZWEITE.replace(
                "faellig_vorlauf_arbeitstage = 3",
                "faellig_vorlauf_arbeitstage = \"drei\"",
            ),
        );
        // Also in Demo-Modus: a file that is there is used or refused, never skipped.
        let e = AppContext::open(dir.path()).unwrap_err();
        let text = e.to_string();
        assert!(
            text.contains("Zeile 9") && text.contains("fristen.faellig_vorlauf_arbeitstage"),
            "{text}"
        );
        assert!(text.contains("startet nicht"), "{text}");
    }
}
