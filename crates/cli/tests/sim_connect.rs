#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! `amtsstube sim serve`, `amtsstube connect` and `amtsstube sim send` as a caseworker's IT
//! would run them: the profile gets its keys (private parts in the OS keyring), registers them,
//! and the simulator's pending applications can then be picked up with exactly those keys.
//! Runs inside a Secret Service (`../shared/ci/with-keyring.sh`, as CI does).

use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::time::Duration;

use fitconnect::client::MemorySink;
use fitconnect::profile_keys::{self, ProfileKeys};

const BIN: &str = env!("CARGO_BIN_EXE_amtsstube");

struct Serve(Child);

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn workdir(name: &str) -> PathBuf {
    let d = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_connect_and_send_let_a_profile_receive_the_simulated_applications() {
    let dir = workdir("sim-connect");
    let info_file = dir.join("info.json");
    let profile = dir.join("profil");
    let _serve = Serve(
        Command::new(BIN)
            .args([
                "sim",
                "serve",
                "--seed",
                "4",
                "--submissions",
                "2",
                "--info-file",
            ])
            .arg(&info_file)
            .spawn()
            .unwrap(),
    );
    for _ in 0..100 {
        if info_file.exists() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let info: simulator::SimInfo =
        serde_json::from_str(&std::fs::read_to_string(&info_file).unwrap()).unwrap();

    let out = Command::new(BIN)
        .arg("--profile")
        .arg(&profile)
        .args(["connect", "--json", "--info-file"])
        .arg(&info_file)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "connect failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["keysCreated"], true);

    let cfg = app::ConnectionConfig::load(&profile).unwrap().unwrap();
    assert_eq!(cfg.destination_id, info.destination_id);
    assert_eq!(
        profile_keys::load_client_secret(&profile)
            .unwrap()
            .as_deref(),
        Some(info.subscriber.client_secret.as_str())
    );
    let keys = ProfileKeys::load(&profile).unwrap().unwrap();
    let on_disk = std::fs::read_to_string(profile.join(profile_keys::KEYS_FILE)).unwrap();
    assert!(
        !on_disk.contains("\"d\""),
        "no private key material in the profile"
    );

    let client = info.subscriber_client().unwrap();
    let mut pending = Vec::new();
    for _ in 0..100 {
        pending = client.all_submissions_for_pickup(None).await.unwrap();
        if pending.len() == 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(
        pending.len(),
        2,
        "the pending applications arrive after connect"
    );
    let forms = simulator::leistungen::form_schemas();
    for p in &pending {
        let mut sink = MemorySink::default();
        let r = client
            .receive(&p.submission_id, &keys.encryption, &forms, &mut sink)
            .await
            .unwrap();
        client.accept(&keys.signing, &r).await.unwrap();
    }

    let out = Command::new(BIN)
        .args(["sim", "send", "--count", "1", "--seed", "5", "--info-file"])
        .arg(&info_file)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        client.all_submissions_for_pickup(None).await.unwrap().len(),
        1
    );

    // Connecting again keeps the keys.
    let out = Command::new(BIN)
        .arg("--profile")
        .arg(&profile)
        .args(["connect", "--json", "--info-file"])
        .arg(&info_file)
        .output()
        .unwrap();
    let again: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(again["keysCreated"], false);
    assert_eq!(again["encryptionKid"], report["encryptionKid"]);
    ProfileKeys::delete(&profile).unwrap();
    let _ = std::fs::remove_dir_all(&dir);
}
