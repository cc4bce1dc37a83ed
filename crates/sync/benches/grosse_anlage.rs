#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Memory with a large attachment (not a test): one application with a large attachment is
//! taken in by a sync pass; the peak resident memory of this process during the pass is
//! compared with its resident memory before. The simulator runs in a child process (this
//! binary re-executed), so its copy of the 270 MB JWE does not count against us.
//!
//!     cargo bench -p sync --bench grosse_anlage          # 200 MB
//!     GROSS_MB=40 cargo bench -p sync --bench grosse_anlage
//!
//! The simulator normally refuses request bodies above 64 MiB (413, like the real service);
//! the benchmark's own simulator raises that limit so the JWE of a 200 MB attachment fits.

use std::sync::Arc;
use std::time::{Duration, Instant};

use fitconnect::jose::{EncryptionKeyPair, SigningKeyPair};
use fitconnect::profile_keys::ProfileKeys;
use fitconnect::sender::seal;
use simulator::{SimConfig, SimInfo, Simulator};
use store::{Schluessel, Store};
use sync::{Engine, Konfiguration};

const KIND: &str = "GROSS_SIM_INFO";

fn status_kb(feld: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .unwrap()
        .lines()
        .find(|l| l.starts_with(feld))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap()
}

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    if let Ok(pfad) = std::env::var(KIND) {
        // Child: the simulator, until killed.
        rt.block_on(async {
            let sim = Simulator::start(SimConfig {
                body_limit: 1 << 30,
                ..Default::default()
            })
            .await
            .unwrap();
            std::fs::write(&pfad, serde_json::to_string(sim.info()).unwrap()).unwrap();
            loop {
                tokio::time::sleep(Duration::from_secs(3600)).await;
            }
        });
        return;
    }
    let mb: usize = std::env::var("GROSS_MB")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(200);
    let dir = tempfile::tempdir().unwrap();
    let info_pfad = dir.path().join("sim.json");
    // Killed when this process ends, also on a panic.
    struct Kind(std::process::Child);
    impl Drop for Kind {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
    let _kind = Kind(
        std::process::Command::new(std::env::current_exe().unwrap())
            .env(KIND, &info_pfad)
            .spawn()
            .unwrap(),
    );
    let t0 = Instant::now();
    while !info_pfad.exists() {
        assert!(
            t0.elapsed() < Duration::from_secs(60),
            "simulator did not start"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    std::thread::sleep(Duration::from_millis(100));
    let info: SimInfo =
        serde_json::from_str(&std::fs::read_to_string(&info_pfad).unwrap()).unwrap();

    let keys = ProfileKeys {
        encryption: EncryptionKeyPair::generate("bench-gross-enc").unwrap(),
        signing: SigningKeyPair::generate("bench-gross-sig").unwrap(),
    };
    rt.block_on(async {
        let sub = info.subscriber_client().unwrap();
        let jwk = keys.encryption.public_jwk().unwrap();
        sub.register_keys(&info.destination_id, &jwk, &keys.signing.public_jwk())
            .await
            .unwrap();
        {
            let mut app = simulator::applicant::application(3, 0).unwrap();
            app.outgoing.reply_key = None;
            app.outgoing.attachments = vec![simulator::applicant::pdf_anlage(
                uuid::Uuid::new_v4().to_string(),
                "Bauplan",
                mb * 1024 * 1024,
            )];
            let sealed = seal(&info.destination_id, &jwk, &app.outgoing).unwrap();
            info.sender_client()
                .unwrap()
                .send_sealed(&sealed)
                .await
                .unwrap();
        } // the sender's copies are freed here

        let store_dir = tempfile::tempdir().unwrap();
        let store =
            Arc::new(Store::open(store_dir.path(), &Schluessel::zufaellig().unwrap()).unwrap());
        let engine = Engine::new(
            store,
            sub,
            keys.clone(),
            info.destination_id.clone(),
            simulator::leistungen::form_schemas(),
            // The limits are raised so the benchmark's large attachment is taken in.
            Konfiguration {
                max_bytes_je_einreichung: u64::MAX,
                max_bytes_je_anlage: u64::MAX,
                ..Default::default()
            },
        );
        // Reset the peak so it measures the pass only.
        std::fs::write("/proc/self/clear_refs", "5").unwrap();
        let vorher = status_kb("VmRSS:");
        let t = Instant::now();
        let b = engine.durchlauf(&|_| {}).await.unwrap();
        let dauer = t.elapsed().as_secs_f64();
        let spitze = status_kb("VmHWM:");
        assert_eq!((b.gespeichert, b.angenommen), (1, 1), "{b:?}");
        println!(
            "grosse Anlage: {mb} MB in {dauer:.1} s; RSS vorher {} MB, Spitze während des \
             Durchlaufs {} MB (+{} MB)",
            vorher / 1024,
            spitze / 1024,
            spitze.saturating_sub(vorher) / 1024
        );
    });
}
