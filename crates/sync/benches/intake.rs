#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! End-to-end intake rate (not a test): applications with one 200 KB attachment, sent to the
//! in-process simulator, taken in by ONE sync pass (HTTP, JWE decryption, hash checks, store
//! in SQLCipher + encrypted attachment files, signed accept sent). Compared with the RSA-4096
//! bound measured in the same run: each submission needs three RSA-OAEP private-key operations
//! (metadata, data, attachment), so no implementation on this machine can exceed
//! `cores / (3 × t(RSA-4096 private op))` submissions per second.
//!
//!     cargo bench -p sync --bench intake            # 60 applications
//!     INTAKE_N=200 cargo bench -p sync --bench intake

use std::sync::Arc;
use std::time::Instant;

use fitconnect::jose::{EncryptionKeyPair, SigningKeyPair};
use fitconnect::profile_keys::ProfileKeys;
use fitconnect::sender::{OutgoingAttachment, seal};
use simulator::{SimConfig, Simulator};
use store::{Schluessel, Store};
use sync::{Engine, Konfiguration};

fn main() {
    let n: u64 = std::env::var("INTAKE_N")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(60);
    let cores = std::thread::available_parallelism().map_or(1, |c| c.get());
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(cores)
        .enable_all()
        .build()
        .unwrap();
    let keys = ProfileKeys {
        encryption: EncryptionKeyPair::generate("bench-intake-enc").unwrap(),
        signing: SigningKeyPair::generate("bench-intake-sig").unwrap(),
    };
    let jwk = keys.encryption.public_jwk().unwrap();

    // The bound: RSA-4096 OAEP private operations, single thread, in this run.
    let probe = fitconnect::jose::encrypt(&jwk, b"x", None).unwrap();
    let k = 30;
    let t0 = Instant::now();
    for _ in 0..k {
        std::hint::black_box(fitconnect::jose::decrypt(&keys.encryption, &probe).unwrap());
    }
    let t_rsa = t0.elapsed().as_secs_f64() / f64::from(k);
    let bound = cores as f64 / (3.0 * t_rsa);

    rt.block_on(async {
        let sim = Simulator::start(SimConfig {
            destination_keys: Some((jwk.clone(), keys.signing.public_jwk())),
            ..Default::default()
        })
        .await
        .unwrap();
        let dest = sim.info().destination_id.clone();
        let sender = sim.info().sender_client().unwrap();
        for i in 0..n {
            let mut app = simulator::applicant::application(9, i).unwrap();
            app.outgoing.reply_key = None;
            app.outgoing.attachments = vec![OutgoingAttachment {
                id: uuid::Uuid::new_v4().to_string(),
                filename: "Nachweis.pdf".into(),
                mime_type: "application/pdf".into(),
                purpose: "attachment".into(),
                description: None,
                content: simulator::documents::pdf("Nachweis", &[], 200 * 1024),
            }];
            sender
                .send_sealed(&seal(&dest, &jwk, &app.outgoing).unwrap())
                .await
                .unwrap();
        }
        let dir = tempfile::tempdir().unwrap();
        let store = Arc::new(Store::open(dir.path(), &Schluessel::zufaellig().unwrap()).unwrap());
        let engine = Engine::new(
            store,
            sim.info().subscriber_client().unwrap(),
            keys.clone(),
            dest,
            simulator::leistungen::form_schemas(),
            Konfiguration {
                gleichzeitig: 2 * cores,
                ..Default::default()
            },
        );
        let t0 = Instant::now();
        let b = engine.durchlauf(&|_| {}).await.unwrap();
        let t = t0.elapsed().as_secs_f64();
        assert_eq!(b.gespeichert as u64, n, "{b:?}");
        assert_eq!(b.angenommen as u64, n, "{b:?}");
        let rate = n as f64 / t;
        println!(
            "intake: {n} applications (one 200 KB attachment each) in {t:.2} s = {rate:.1}/s; \
             RSA-4096 private op {:.2} ms; bound ({cores} cores, 3 ops each) {bound:.1}/s; \
             ratio {:.0} %",
            t_rsa * 1000.0,
            100.0 * rate / bound
        );
        sim.stop().await;
    });
}
