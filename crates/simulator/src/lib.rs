//! A FIT-Connect-compatible integration service ("Zustelldienst") and a population of simulated
//! applicants, for Demo-Modus, tests and the `amtsstube sim` command.
//!
//! # Using it
//! ```no_run
//! # async fn demo() -> Result<(), simulator::SimError> {
//! let sim = simulator::Simulator::start(simulator::SimConfig {
//!     submissions: 10, // sent as soon as the destination has an encryption key
//!     ..Default::default()
//! })
//! .await?;
//! println!("{}", sim.info().base_url); // same JSON as `sim serve --info-file`
//! sim.stop().await;
//! # Ok(()) }
//! ```
//! [`Simulator::start`] binds (default `127.0.0.1:0`), spawns the server on the current tokio
//! runtime and returns a [`SimHandle`] with [`SimInfo`]: base URL, token URL, destination id and
//! the subscriber's and sender's OAuth2 credentials. The destination starts in status `created`
//! without keys; the subscriber (a profile, `amtsstube connect`) registers its encryption and
//! signing keys (`POST /v1/destinations/{id}/keys`, `PATCH` with `encryptionKid`), or the caller
//! passes them in [`SimConfig::destination_keys`]. The `submissions` pending applications are sent
//! then, over HTTP, by the built-in applicant (module [`applicant`]) with the sender credentials.
//!
//! # What it implements
//! - `POST /token`: OAuth2 client credentials (form or Basic), scopes checked against the client.
//! - Submission API 1.1.3: destination (get, patch), keys (add, get), create / upload / submit
//!   (sender, scope `send:region:DE…`), pickup list / submission / attachment (subscriber, scope
//!   `subscribe:destination:<id>`), event log read and post, `/v1/info`, JWKS. It enforces
//!   scopes, destination status, announced attachments, state transitions (409), the signature
//!   and authentication tags of `accept-submission` (422), problem types of
//!   `reject-submission`; accepted or rejected submissions leave the pickup list.
//! - Event log: `create-submission` and `submit-submission` (with the authentication tags) are
//!   signed `PS512` with the service's own key, published at `/.well-known/jwks.json`.
//! - The reply channel as assumed in `fitconnect::reply` (module [`reply`]).
//! - Fault injection ([`Faults`]), changeable at run time with [`SimHandle::set_faults`].
//!
//! # Known differences from the real service
//! Keys get an `x5c` chain from a simulated PKI ([`pki`]) instead of the administration PKI
//! whose chains the real service checks; tokens are opaque, not JWTs; no callbacks; all state is
//! in memory and gone when the simulator stops, unless [`SimConfig::zustand`] names a file that
//! keeps the cases (module `zustand`; tokens, faults and Nachforderungen read but not yet
//! answered are not kept).
//!
//! # Extending
//! A route is a handler in `server.rs` plus its `operationId` in `faults::operation_id`; a
//! route that needs a token takes the extractor `zugang::Zugang` (token check, scopes, content
//! type) after its `Path`/`Query` and before its body. The spec test in `tests/spec.rs` then
//! checks its responses against `submission-api.yaml`. A Leistung is an entry in
//! [`leistungen::LEISTUNGEN`] with its schema and data generator.
#![deny(missing_docs)]

pub mod applicant;
pub mod documents;
pub mod eakte;
pub mod faults;
pub mod leistungen;
pub mod nachreichung;
pub mod pki;
pub mod postfach;
mod privater_jwk;
pub mod reply;
pub mod server;
mod zugang;
mod zustand;

use std::collections::{BTreeMap, HashMap};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use fitconnect::jose::{Jwk, SigningKeyPair};
use rand::SeedableRng as _;
use rand::rngs::StdRng;
use serde::{Deserialize, Serialize};
use serde_json::json;

pub use faults::Faults;
use server::{AppState, ClientReg, Dest, Inner};

/// Region (ARS) of the demo municipality "Musterstadt".
pub const REGION: &str = "DE099990000000";

/// How to start a simulator.
#[derive(Debug, Clone)]
pub struct SimConfig {
    /// Where to listen (default `127.0.0.1:0`, a free port).
    pub addr: SocketAddr,
    /// Seed for ids, credentials and applications.
    pub seed: u64,
    /// Applications sent once the destination has an encryption key.
    pub submissions: u64,
    /// Fault injection from the start.
    pub faults: Faults,
    /// Encryption and signing public keys registered with the destination from the start
    /// (Demo-Modus: the profile's keys); `None`: wait for `amtsstube connect`.
    pub destination_keys: Option<(Jwk, Jwk)>,
    /// Lifetime of access tokens.
    pub token_lifetime: Duration,
    /// Largest request body accepted (413 above it); default [`server::BODY_LIMIT`]. Raised
    /// only by the large-attachment benchmark.
    pub body_limit: usize,
    /// The Leistungen the destination offers, as (LeiKa key, form schema URIs) — for a
    /// destination of another authority's configuration; empty: the demo Leistungen.
    pub angebot: Vec<(String, Vec<String>)>,
    /// Simulated applicants answer a Nachforderung they read (Demo-Modus); `None`: never.
    pub nachreichen: Option<Nachreichen>,
    /// A JSON file where the simulator keeps its cases across restarts (module `zustand`):
    /// destination, submissions and their state, event log and — **in the clear** — the
    /// simulated applicants' private reply keys (JWK with private parts) and the service's
    /// signing key. These are demo keys of simulated people, never a real person's. Loaded
    /// at start (a damaged file is kept as `*.defekt`, with a warning in the log, and the
    /// simulator starts empty), written atomically after every change. `None`: all in memory.
    pub zustand: Option<PathBuf>,
    /// The simulated applicants' Postfach: every reply an applicant accepts is written there
    /// decrypted, as `<postfach>/<case_id>/<reply_id>/` with `daten.json`, `metadaten.json`
    /// and the attachments under their (sanitised) file names ([`postfach`]). `None`: nowhere.
    pub postfach: Option<PathBuf>,
    /// Demo-Modus: every 20th application ([`applicant::traegt_feindliche_anlagen`]) also
    /// carries hostile attachments with script ([`documents::feindliche_anlagen`]), so the
    /// hardening of the attachment viewer can be seen and tested in the window.
    pub feindliche_anlagen: bool,
}

/// How simulated applicants answer a Nachforderung ([`nachreichung`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Nachreichen {
    /// How long after reading the request they send the documents.
    pub verzoegerung: Duration,
    /// The share of applicants (per case) that answer at all, in percent.
    pub anteil_prozent: u8,
}

impl Default for SimConfig {
    fn default() -> Self {
        SimConfig {
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            seed: 1,
            submissions: 0,
            faults: Faults::default(),
            destination_keys: None,
            token_lifetime: Duration::from_secs(300),
            body_limit: server::BODY_LIMIT,
            angebot: Vec::new(),
            nachreichen: None,
            zustand: None,
            postfach: None,
            feindliche_anlagen: false,
        }
    }
}

/// OAuth2 client credentials in [`SimInfo`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClientInfo {
    /// Client id.
    pub client_id: String,
    /// Client secret.
    pub client_secret: String,
}

/// What a running simulator tells its users; also the `--info-file` JSON.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SimInfo {
    /// Base URL of the Submission API.
    pub base_url: String,
    /// Token endpoint.
    pub token_url: String,
    /// The destination (Zustellpunkt).
    pub destination_id: String,
    /// Subscriber credentials (scopes `subscribe:` and `manage:destination:<id>`).
    pub subscriber: ClientInfo,
    /// Sender credentials (scope `send:region:…`).
    pub sender: ClientInfo,
}

impl SimInfo {
    /// A client for the subscriber side.
    pub fn subscriber_client(&self) -> Result<fitconnect::Client, fitconnect::Error> {
        fitconnect::Client::new(
            &self.base_url,
            fitconnect::Credentials {
                token_url: self.token_url.clone(),
                client_id: self.subscriber.client_id.clone(),
                client_secret: self.subscriber.client_secret.clone(),
                scope: None,
            },
        )
    }

    /// A client for the sender side.
    pub fn sender_client(&self) -> Result<fitconnect::Client, fitconnect::Error> {
        fitconnect::Client::new(
            &self.base_url,
            fitconnect::Credentials {
                token_url: self.token_url.clone(),
                client_id: self.sender.client_id.clone(),
                client_secret: self.sender.client_secret.clone(),
                scope: None,
            },
        )
    }
}

/// An accept or reject the service took into a case's event log, with the service's clock
/// time of that moment (for tests that compare it with the subscriber's commit times).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entscheidung {
    /// The submission.
    pub submission_id: String,
    /// `accept-submission` (else `reject-submission`).
    pub angenommen: bool,
    /// When the service recorded it.
    pub zeit: std::time::SystemTime,
}

/// Errors starting the simulator.
#[derive(Debug, thiserror::Error)]
pub enum SimError {
    /// The address cannot be bound.
    #[error("Simulator kann {addr} nicht öffnen: {source}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// The cause.
        source: std::io::Error,
    },
    /// Key generation failed.
    #[error("Simulator-Schlüssel: {0}")]
    Key(#[from] fitconnect::jose::JoseError),
    /// A FIT-Connect call failed.
    #[error("{0}")]
    FitConnect(#[from] fitconnect::Error),
}

/// Entry point.
#[derive(Debug)]
pub struct Simulator;

/// A running simulator. Dropping it leaves the server running until the runtime ends; call
/// [`SimHandle::stop`] for an orderly stop.
#[derive(Debug)]
pub struct SimHandle {
    info: SimInfo,
    state: Arc<AppState>,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    server: tokio::task::JoinHandle<()>,
    sender: Option<tokio::task::JoinHandle<()>>,
    /// The applicants answering Nachforderungen ([`SimConfig::nachreichen`]).
    nachreicher: Option<tokio::task::JoinHandle<()>>,
}

fn secret(rng: &mut StdRng) -> String {
    use rand::Rng as _;
    let bytes: [u8; 24] = rng.random();
    fitconnect::jose::b64(&bytes)
}

impl Simulator {
    /// Starts a simulator on the current tokio runtime.
    pub async fn start(config: SimConfig) -> Result<SimHandle, SimError> {
        let mut rng = StdRng::seed_from_u64(config.seed);
        let destination_id = applicant::uuid(&mut rng);
        let subscriber = ClientInfo {
            client_id: applicant::uuid(&mut rng),
            client_secret: secret(&mut rng),
        };
        let sender = ClientInfo {
            client_id: applicant::uuid(&mut rng),
            client_secret: secret(&mut rng),
        };
        let service_kid = applicant::uuid(&mut rng);
        let mut gespeichert = config.zustand.as_deref().and_then(zustand::laden);
        if let (Some(z), Some(p)) = (&gespeichert, &config.zustand) {
            tracing::info!(
                "Simulator: Zustand aus {} geladen: {}",
                p.display(),
                zustand::zusammenfassung(z)
            );
        }
        let frueherer_schluessel = gespeichert
            .as_mut()
            .and_then(|z| z.dienstschluessel.take())
            .and_then(|k| {
                k.signatur()
                    .map_err(|e| {
                        tracing::warn!(
                            "Simulator: Der gespeicherte Dienstschlüssel ist unbrauchbar ({e}); \
                             ein neuer wird erzeugt, frühere Ereignisse sind damit nicht mehr \
                             prüfbar."
                        );
                    })
                    .ok()
            });
        let service_key = match frueherer_schluessel {
            Some(k) => k,
            None => dienstschluessel_erzeugen(service_kid).await?,
        };
        let dienstschluessel_jwk = match &config.zustand {
            Some(_) => Some(
                privater_jwk::PrivaterJwk::von_signatur(&service_key)
                    .map_err(|e| SimError::Key(fitconnect::jose::JoseError::Crypto(e)))?,
            ),
            None => None,
        };
        let service_cert = pki::issue(
            &service_key,
            pki::ROOT_CN,
            pki::ROOT_CN,
            &service_key.public_jwk(),
        )?;
        let angebot: Vec<(String, Vec<String>)> = if config.angebot.is_empty() {
            leistungen::LEISTUNGEN
                .iter()
                .map(|l| (l.leika.to_owned(), vec![l.schema_uri()]))
                .collect()
        } else {
            config.angebot.clone()
        };
        let services: Vec<serde_json::Value> = angebot
            .iter()
            .map(|(leika, schemas)| {
                let schemas: Vec<serde_json::Value> = schemas
                    .iter()
                    .map(|uri| json!({"schemaUri": uri, "mimeType": "application/json"}))
                    .collect();
                json!({
                    "identifier": format!("urn:de:fim:leika:leistung:{leika}"),
                    "regions": [REGION],
                    "submissionSchemas": schemas,
                })
            })
            .collect();
        let mut dest = Dest {
            id: destination_id.clone(),
            status: "created".into(),
            encryption_kid: String::new(),
            keys: BTreeMap::new(),
            services: json!(services),
            regions: vec![REGION.into()],
        };
        if let Some((enc, sig)) = &config.destination_keys {
            dest.encryption_kid = enc.kid.clone();
            dest.keys.insert(enc.kid.clone(), enc.clone());
            dest.keys.insert(sig.kid.clone(), sig.clone());
            dest.status = "active".into();
        }
        let mut clients = HashMap::new();
        clients.insert(
            subscriber.client_id.clone(),
            ClientReg {
                secret: subscriber.client_secret.clone(),
                scopes: vec![
                    format!("subscribe:destination:{destination_id}"),
                    format!("manage:destination:{destination_id}"),
                ],
            },
        );
        clients.insert(
            sender.client_id.clone(),
            ClientReg {
                secret: sender.client_secret.clone(),
                scopes: vec!["send:region:DE09999".into()],
            },
        );
        let mut destinations = HashMap::new();
        let preset_keys: Vec<Jwk> = dest.keys.values().cloned().collect();
        destinations.insert(destination_id.clone(), dest);
        let mut inner = Inner {
            clients,
            destinations,
            ..Default::default()
        };
        if let Some(z) = gespeichert {
            z.einspielen(&mut inner);
        }
        let state = Arc::new(AppState {
            inner: Mutex::new(inner),
            service_key,
            service_cert,
            issuer: RwLock::new(String::new()),
            faults: RwLock::new(config.faults.clone()),
            fault_rng: Mutex::new(StdRng::seed_from_u64(config.seed ^ 0xFA17)),
            token_lifetime: config.token_lifetime,
            body_limit: config.body_limit,
            key_registered: tokio::sync::Notify::new(),
            nachforderungen: Mutex::new(Vec::new()),
            nachforderung_gelesen: tokio::sync::Notify::new(),
            zustand: config.zustand.clone(),
            dienstschluessel_jwk,
            zustand_schreiben: Mutex::new(()),
            postfach: config.postfach.clone(),
            feindliche_anlagen: config.feindliche_anlagen,
        });
        // The file exists from the start (with the service key), not only after the first case.
        state.sichern();
        for mut k in preset_keys {
            state.certify(&destination_id, &mut k);
            if let Some(d) = state.lock().destinations.get_mut(&destination_id) {
                d.keys.insert(k.kid.clone(), k);
            }
        }
        let listener = tokio::net::TcpListener::bind(config.addr)
            .await
            .map_err(|source| SimError::Bind {
                addr: config.addr,
                source,
            })?;
        let addr = listener.local_addr().map_err(|source| SimError::Bind {
            addr: config.addr,
            source,
        })?;
        let base_url = format!("http://{addr}");
        if let Ok(mut i) = state.issuer.write() {
            *i = base_url.clone();
        }
        let info = SimInfo {
            token_url: format!("{base_url}/token"),
            base_url,
            destination_id,
            subscriber,
            sender,
        };
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let app = server::router(state.clone());
        let server = tokio::spawn(async move {
            let serve = axum::serve(listener, app).with_graceful_shutdown(async {
                let _ = rx.await;
            });
            if let Err(e) = serve.await {
                tracing::warn!("Simulator beendet mit Fehler: {e}");
            }
        });
        let sender_task = (config.submissions > 0).then(|| {
            let state = state.clone();
            let info = info.clone();
            let (seed, count) = (config.seed, config.submissions);
            tokio::spawn(async move {
                if let Err(e) = pending_sender(state, info, seed, count).await {
                    tracing::warn!("Simulierter Absender: {e}");
                }
            })
        });
        let nachreicher = config.nachreichen.map(|cfg| {
            tokio::spawn(nachreichung::nachreichen_lassen(
                state.clone(),
                info.clone(),
                cfg,
            ))
        });
        Ok(SimHandle {
            info,
            state,
            shutdown: Some(tx),
            server,
            sender: sender_task,
            nachreicher,
        })
    }
}

/// Generates the service's RSA-4096 signing key. It takes a second of CPU: on a thread of its
/// own, off the async worker, at low priority (the Demo-Modus runs it beside the app's window).
async fn dienstschluessel_erzeugen(kid: String) -> Result<SigningKeyPair, SimError> {
    let thread_fehler = |e: &dyn std::fmt::Display| {
        SimError::Key(fitconnect::jose::JoseError::Crypto(e.to_string()))
    };
    let (tx, rx) = tokio::sync::oneshot::channel();
    std::thread::Builder::new()
        .name("sim-dienstschluessel".into())
        .spawn(move || {
            niedrig();
            let _ = tx.send(SigningKeyPair::generate(&kid));
        })
        .map_err(|e| thread_fehler(&e))?;
    Ok(rx.await.map_err(|e| thread_fehler(&e))??)
}

/// Keeps what applications `start..start + sent.len()` of `seed` leave behind: the
/// applicants' reply keys and how far the seed's stream got; then writes the state file.
fn gesendet_merken(state: &AppState, seed: u64, start: u64, sent: &[applicant::Sent]) {
    {
        let mut inner = state.lock();
        for s in sent {
            if let Some(k) = &s.reply_key {
                inner.reply_keys.insert(s.case_id.clone(), k.clone());
            }
        }
        let weiter = start + sent.len() as u64;
        let n = inner.gesendet.entry(seed).or_default();
        *n = (*n).max(weiter);
    }
    state.sichern();
}

/// Waits until the destination is active, then sends the pending applications.
async fn pending_sender(
    state: Arc<AppState>,
    info: SimInfo,
    seed: u64,
    count: u64,
) -> Result<(), SimError> {
    loop {
        let notified = state.key_registered.notified();
        let active = state
            .lock()
            .destinations
            .get(&info.destination_id)
            .is_some_and(|d| d.status == "active");
        if active {
            break;
        }
        notified.await;
    }
    let client = info.sender_client()?;
    // The applicants retry like a real Onlinedienst when faults are injected. What an earlier
    // run on the same state file sent already is not sent again.
    let mut sent_count = state.lock().gesendet.get(&seed).copied().unwrap_or(0);
    let mut attempts = 0;
    while sent_count < count && attempts < count * 20 + 20 {
        attempts += 1;
        match applicant::send_applications(
            &client,
            &info.destination_id,
            seed,
            sent_count,
            1,
            state.feindliche_anlagen,
        )
        .await
        {
            Ok(sent) => {
                gesendet_merken(&state, seed, sent_count, &sent);
                sent_count += 1;
            }
            Err(e) if !e.is_permanent() => {
                tokio::time::sleep(e.retry_after().unwrap_or(Duration::from_millis(50))).await;
            }
            Err(e) => return Err(e.into()),
        }
    }
    Ok(())
}

impl SimHandle {
    /// Base URL, token URL, destination and credentials (the `--info-file` JSON).
    pub fn info(&self) -> &SimInfo {
        &self.info
    }

    /// Base URL of the Submission API.
    pub fn base_url(&self) -> &str {
        &self.info.base_url
    }

    /// Every accept and reject the service took, in order, with its time.
    pub fn entscheidungen(&self) -> Vec<Entscheidung> {
        self.state.lock().decisions.clone()
    }

    /// Replaces the fault configuration.
    pub fn set_faults(&self, faults: Faults) {
        if let Ok(mut f) = self.state.faults.write() {
            *f = faults;
        }
    }

    /// Waits until the pending applications of [`SimConfig::submissions`] are all sent
    /// (returns at once when there were none).
    pub async fn wait_pending_sent(&mut self) {
        if let Some(t) = self.sender.take() {
            let _ = t.await;
        }
    }

    /// Sends `count` more applications now (as `amtsstube sim send` does over HTTP), keeping
    /// the applicants' reply keys so replies to them are read and acknowledged.
    pub async fn send(&self, seed: u64, start: u64, count: u64) -> Result<Vec<String>, SimError> {
        let client = self.info.sender_client()?;
        let sent = applicant::send_applications(
            &client,
            &self.info.destination_id,
            seed,
            start,
            count,
            self.state.feindliche_anlagen,
        )
        .await?;
        gesendet_merken(&self.state, seed, start, &sent);
        Ok(sent.into_iter().map(|s| s.submission_id).collect())
    }

    /// How many applications of `seed`'s stream [`SimHandle::send`] (or the pending sender)
    /// has sent, counting from index 0: the next index not sent yet. With
    /// [`SimConfig::zustand`] this survives a restart, so a caller can continue the stream
    /// without sending an application twice.
    pub fn gesendete_antraege(&self, seed: u64) -> u64 {
        self.state.lock().gesendet.get(&seed).copied().unwrap_or(0)
    }

    /// The simulated applicants' Postfach ([`SimConfig::postfach`]), if there is one.
    pub fn postfach(&self) -> Option<&Path> {
        self.state.postfach.as_deref()
    }

    /// Every file in the Postfach of the applicant in `case_id` (all replies they accepted:
    /// `<reply_id>/daten.json`, `metadaten.json` and the attachments), sorted. Empty without
    /// a Postfach or before the first reply.
    pub fn postfach_dateien(&self, case_id: &str) -> Vec<PathBuf> {
        match &self.state.postfach {
            Some(p) => postfach::dateien_unter(&postfach::vorgangsordner(p, case_id)),
            None => Vec::new(),
        }
    }

    /// The cases this simulator knows (also those from its state file), sorted.
    pub fn vorgaenge(&self) -> Vec<String> {
        let mut v: Vec<String> = self.state.lock().case_destination.keys().cloned().collect();
        v.sort();
        v
    }

    /// Invalidates every issued access token (clients must fetch a new one; tests of the
    /// 401 renewal use this).
    pub fn revoke_tokens(&self) {
        self.state.lock().tokens.clear();
    }

    /// The service's public signature keys (as served at `/.well-known/jwks.json`).
    pub fn service_jwks(&self) -> fitconnect::jose::Jwks {
        self.state.service_jwks()
    }

    /// Stops the server and waits for it to end.
    pub async fn stop(mut self) {
        if let Some(t) = self.sender.take() {
            t.abort();
        }
        if let Some(t) = self.nachreicher.take() {
            t.abort();
        }
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        let _ = (&mut self.server).await;
    }
}

/// Lowers the calling thread's scheduling priority (nice 10 on Linux, where the priority is
/// per thread), so CPU-heavy background work yields to the app's window. Best effort: where
/// it is not possible, the thread runs at normal priority.
fn niedrig() {
    #[cfg(target_os = "linux")]
    {
        let _ = rustix::process::setpriority_process(Some(rustix::thread::gettid()), 10);
    }
}
