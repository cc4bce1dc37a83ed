//! Shared set-up: a simulator on 127.0.0.1 with the profile's keys registered, a fresh
//! encrypted store in a temporary profile, and an engine between them.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use domain::Eingangszustand;
use fitconnect::jose::{EncryptionKeyPair, SigningKeyPair};
use fitconnect::profile_keys::ProfileKeys;
use fitconnect::set::{EventType, VerifiedSet};
use simulator::{Faults, SimConfig, SimHandle, Simulator};
use store::{Schluessel, Store};
use sync::backoff::Backoff;
use sync::{Engine, Fortschritt, Konfiguration};

pub fn keys() -> ProfileKeys {
    static K: OnceLock<ProfileKeys> = OnceLock::new();
    K.get_or_init(|| ProfileKeys {
        encryption: EncryptionKeyPair::generate("sync-test-enc-0001").unwrap(),
        signing: SigningKeyPair::generate("sync-test-sig-0001").unwrap(),
    })
    .clone()
}

pub struct Umgebung {
    pub sim: SimHandle,
    pub dir: tempfile::TempDir,
    pub key: Schluessel,
}

/// A simulator holding `n` applications (seeded), all sent when this returns.
pub async fn umgebung(n: u64, seed: u64) -> Umgebung {
    let k = keys();
    let mut sim = Simulator::start(SimConfig {
        submissions: n,
        seed,
        destination_keys: Some((k.encryption.public_jwk().unwrap(), k.signing.public_jwk())),
        ..Default::default()
    })
    .await
    .unwrap();
    sim.wait_pending_sent().await;
    Umgebung {
        sim,
        dir: tempfile::tempdir().unwrap(),
        key: Schluessel::zufaellig().unwrap(),
    }
}

pub fn schnell() -> Konfiguration {
    Konfiguration {
        backoff: Backoff {
            basis: Duration::from_millis(20),
            max: Duration::from_millis(400),
        },
        ..Default::default()
    }
}

impl Umgebung {
    pub fn store(&self) -> Arc<Store> {
        Arc::new(Store::open(self.dir.path(), &self.key).unwrap())
    }

    /// A new engine on a newly opened store (as after a restart).
    pub fn engine(&self) -> Engine {
        self.engine_mit(schnell())
    }

    pub fn engine_mit(&self, cfg: Konfiguration) -> Engine {
        self.engine_mit_client(cfg, self.sim.info().subscriber_client().unwrap())
    }

    /// An engine whose client gives up on a request after `timeout`.
    pub fn engine_mit_timeout(&self, cfg: Konfiguration, timeout: Duration) -> Engine {
        let info = self.sim.info();
        let client = fitconnect::Client::with_timeout(
            &info.base_url,
            fitconnect::Credentials {
                token_url: info.token_url.clone(),
                client_id: info.subscriber.client_id.clone(),
                client_secret: info.subscriber.client_secret.clone(),
                scope: None,
            },
            timeout,
        )
        .unwrap();
        self.engine_mit_client(cfg, client)
    }

    fn engine_mit_client(&self, cfg: Konfiguration, client: fitconnect::Client) -> Engine {
        Engine::new(
            self.store(),
            client,
            keys(),
            self.sim.info().destination_id.clone(),
            simulator::leistungen::form_schemas(),
            cfg,
        )
    }

    pub fn profil(&self) -> &Path {
        self.dir.path()
    }

    pub fn keine_fehler(&self) {
        self.sim.set_faults(Faults::default());
    }

    /// Everything the service still lists for pickup.
    pub async fn abholliste(&self) -> Vec<String> {
        let c = self.sim.info().subscriber_client().unwrap();
        c.all_submissions_for_pickup(Some(&self.sim.info().destination_id))
            .await
            .unwrap()
            .into_iter()
            .map(|s| s.submission_id)
            .collect()
    }

    /// The verified events of a case.
    pub async fn ereignisse(&self, case_id: &str) -> Vec<VerifiedSet> {
        let c = self.sim.info().subscriber_client().unwrap();
        c.verified_events(case_id, &self.sim.info().destination_id)
            .await
            .unwrap()
    }

    /// Our accept / reject events for `sid` in its case's event log.
    pub async fn eigene(&self, sid: &str, case_id: &str, art: EventType) -> Vec<VerifiedSet> {
        let subject = format!("submission:{sid}");
        self.ereignisse(case_id)
            .await
            .into_iter()
            .filter(|e| e.subject == subject && e.event == Some(art))
            .collect()
    }
}

/// Submission id → (state, case id) of everything in the store.
pub fn zustaende(store: &Store) -> BTreeMap<String, (Eingangszustand, String)> {
    store
        .read(|r| {
            let mut m = BTreeMap::new();
            for z in Eingangszustand::ALLE {
                for sid in r.einreichungen_im_zustand(z)? {
                    let info = r.einreichung(&sid)?.unwrap();
                    m.insert(sid, (z, info.case_id));
                }
            }
            Ok(m)
        })
        .unwrap()
}

/// Collects progress events.
#[derive(Default)]
pub struct Protokoll(pub Mutex<Vec<Fortschritt>>);

impl Protokoll {
    pub fn melden(&self) -> impl Fn(Fortschritt) + Sync + '_ {
        move |f| self.0.lock().unwrap().push(f)
    }
}

pub fn still(_: Fortschritt) {}
