//! What the command-line tests share: running the `amtsstube` binary on a profile, its
//! answers, and a profile connected to the in-process simulator.

use std::path::Path;
use std::process::{Command, Output};

/// Runs `amtsstube --profile PROFIL ARGS…` to its end (without a configured key file, so
/// the profile's key lives in the Secret Service the tests run in).
pub fn amtsstube(profil: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_amtsstube"))
        .arg("--profile")
        .arg(profil)
        .args(args)
        .env_remove("AMTSSTUBE_KEY_FILE")
        .output()
        .expect("amtsstube startet")
}

/// Puts the demo authority's configuration (`behoerde.toml` and its form schemas) into
/// `profil`, as IT does for a connected profile.
#[allow(dead_code)]
pub fn behoerde_ablegen(profil: &Path) {
    behoerde::demo_ablegen(profil).unwrap();
}

/// The run succeeded; its stdout.
#[allow(dead_code)]
pub fn ok(o: &Output) -> String {
    assert!(
        o.status.success(),
        "exit {:?}\nstdout: {}\nstderr: {}",
        o.status,
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8(o.stdout.clone()).unwrap()
}

/// A simulator holding `n` applications and a profile `profil` in a new directory connected
/// to it (keys registered, the demo authority's configuration in place).
#[allow(dead_code)]
pub fn verbunden(
    rt: &tokio::runtime::Runtime,
    n: u64,
    seed: u64,
) -> (simulator::SimHandle, tempfile::TempDir) {
    let mut sim = rt
        .block_on(simulator::Simulator::start(simulator::SimConfig {
            submissions: n,
            seed,
            ..Default::default()
        }))
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let info = dir.path().join("sim.json");
    std::fs::write(&info, serde_json::to_string(sim.info()).unwrap()).unwrap();
    let profil = dir.path().join("profil");
    behoerde_ablegen(&profil);
    let o = amtsstube(&profil, &["connect", "--info-file", info.to_str().unwrap()]);
    if !o.status.success() {
        panic!(
            "`amtsstube connect` failed — this test needs a Secret Service (packages gnome-keyring, \
             dbus; run it inside /work/shared/ci/with-keyring.sh): {}",
            String::from_utf8_lossy(&o.stderr)
        );
    }
    rt.block_on(sim.wait_pending_sent());
    (sim, dir)
}

/// Takes the case over and starts examining it; the CLI has no command for it, so through the
/// app as the desktop does, as the login the CLI acts under (the session as the app
/// determines it, in this process and in the CLI's with the same environment).
#[allow(dead_code)] // not every test binary uses it
pub fn pruefung_beginnen(profil: &Path, id: &str) {
    let ctx = app::AppContext::open(profil).unwrap();
    for aktion in [ipc::Aktion::Uebernehmen, ipc::Aktion::PruefungBeginnen] {
        ctx.vorgang_aktion(ipc::AktionAnfrage {
            id: id.to_owned(),
            aktion,
            begruendung: None,
            empfaenger: None,
            datum: None,
        })
        .unwrap();
    }
}

/// What the applications `0..n` of the simulator's stream `seed` carry about their applicants
/// (names, e-mail, birth date, phone; values of at least 4 characters): the data a log or a
/// report may never hold.
#[allow(dead_code)] // not every test binary uses it
pub fn persoenliches(seed: u64, n: u64) -> Vec<String> {
    let mut out = Vec::new();
    for i in 0..n {
        let app = simulator::applicant::application(seed, i).unwrap();
        let daten: serde_json::Value = serde_json::from_slice(&app.outgoing.data).unwrap();
        for feld in [
            "vorname",
            "familienname",
            "email",
            "geburtsdatum",
            "telefon",
        ] {
            if let Some(v) = daten
                .pointer(&format!("/antragsteller/{feld}"))
                .and_then(serde_json::Value::as_str)
                && v.chars().count() >= 4
            {
                out.push(v.to_owned());
            }
        }
    }
    out
}
