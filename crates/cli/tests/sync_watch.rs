#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! `amtsstube sync --watch` as IT runs it next to `amtsstube sim serve`: it takes in what is
//! there, keeps taking in what arrives later, and ends cleanly on Ctrl+C (SIGINT) with
//! nothing left in the outbox and every application stored once. Needs a Secret Service
//! (run inside `/work/shared/ci/with-keyring.sh`, as CI does).

mod common;
use common::amtsstube;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_amtsstube");
/// Upper bound for each wait; generous because the machine may be busy. Not a timing assertion.
const GEDULD: Duration = Duration::from_secs(120);

/// A child process that is killed when the test ends, however it ends.
struct Kind(Child);

impl Drop for Kind {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn json(profil: &Path, args: &[&str]) -> Vec<Value> {
    let o = amtsstube(profil, args);
    assert!(
        o.status.success(),
        "{args:?}: exit {:?}\nstderr: {}",
        o.status,
        String::from_utf8_lossy(&o.stderr)
    );
    serde_json::from_slice(&o.stdout).unwrap()
}

/// Polls `bedingung` until it holds; panics with `was` after [`GEDULD`].
fn warten_bis(was: &str, log: &Path, mut bedingung: impl FnMut() -> bool) {
    let start = Instant::now();
    while !bedingung() {
        assert!(
            start.elapsed() < GEDULD,
            "waited {GEDULD:?} for {was}; sync --watch wrote:\n{}",
            std::fs::read_to_string(log).unwrap_or_default()
        );
        std::thread::sleep(Duration::from_millis(300));
    }
}

/// `sim serve` with `k` applications (and `faults`, JSON of `simulator::Faults`), a profile
/// connected to it with its store created, and `sync --watch --intervall 1` running.
struct Aufbau {
    dir: tempfile::TempDir,
    info: PathBuf,
    profil: PathBuf,
    log: PathBuf,
    watch: Kind,
    _sim: Kind,
}

fn aufbauen(k: usize, seed: u64, faults: Option<&str>) -> Aufbau {
    let dir = tempfile::tempdir().unwrap();
    let info = dir.path().join("sim.json");
    let profil = dir.path().join("profil");
    let mut serve = Command::new(BIN);
    serve
        .args(["sim", "serve", "--seed", &seed.to_string()])
        .args(["--submissions", &k.to_string()])
        .arg("--info-file")
        .arg(&info)
        .stdout(Stdio::null());
    if let Some(f) = faults {
        let datei = dir.path().join("faults.json");
        std::fs::write(&datei, f).unwrap();
        serve.arg("--faults").arg(datei);
    }
    let sim = Kind(serve.spawn().unwrap());
    let start = Instant::now();
    while !info.exists() {
        assert!(start.elapsed() < GEDULD, "sim serve wrote no info file");
        std::thread::sleep(Duration::from_millis(100));
    }
    common::behoerde_ablegen(&profil);
    let o = amtsstube(&profil, &["connect", "--info-file", info.to_str().unwrap()]);
    assert!(
        o.status.success(),
        "`amtsstube connect` failed — this test needs a Secret Service (packages gnome-keyring, \
         dbus; run it inside /work/shared/ci/with-keyring.sh): {}",
        String::from_utf8_lossy(&o.stderr)
    );
    // Create the store (and its key) before two processes use the profile at once: two
    // first opens at the same moment may each make a key (a race in
    // `Store::open_profil`); these tests are about --watch, not about that.
    assert!(json(&profil, &["outbox", "--json"]).is_empty());

    let log = dir.path().join("watch.log");
    let watch = Kind(
        Command::new(BIN)
            .arg("--profile")
            .arg(&profil)
            .args(["sync", "--watch", "--intervall", "1"])
            .env_remove("AMTSSTUBE_KEY_FILE")
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .unwrap(),
    );
    Aufbau {
        dir,
        info,
        profil,
        log,
        watch,
        _sim: sim,
    }
}

/// Sends SIGINT (Ctrl+C) to the child and returns how it ended.
fn strg_c(kind: &mut Kind, log: &Path) -> std::process::ExitStatus {
    // The shell's built-in `kill` (no extra package; `sh` is essential on every system).
    let pid = kind.0.id().to_string();
    let kill = Command::new("sh")
        .args(["-c", "kill -INT \"$0\"", &pid])
        .status()
        .unwrap();
    assert!(kill.success());
    let start = Instant::now();
    loop {
        if let Some(s) = kind.0.try_wait().unwrap() {
            return s;
        }
        assert!(
            start.elapsed() < GEDULD,
            "sync --watch did not end after SIGINT; it wrote:\n{}",
            std::fs::read_to_string(log).unwrap_or_default()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn sync_watch_takes_in_what_arrives_later_and_ends_cleanly_on_sigint() {
    const K: usize = 3;
    const M: usize = 2;
    let Aufbau {
        dir: _dir,
        info,
        profil,
        log,
        mut watch,
        _sim,
    } = aufbauen(K, 21, None);
    let faelle = || json(&profil, &["cases", "list", "--json"]);
    warten_bis(&format!("{K} cases"), &log, || faelle().len() >= K);

    let o = Command::new(BIN)
        .args(["sim", "send", "--seed", "22", "--count", &M.to_string()])
        .arg("--info-file")
        .arg(&info)
        .output()
        .unwrap();
    assert!(
        o.status.success(),
        "sim send: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&o.stdout).lines().count(), M);
    warten_bis(&format!("{} cases", K + M), &log, || {
        faelle().len() >= K + M
    });
    // The accepts go out after the cases are stored, in the same pass.
    warten_bis("an empty outbox", &log, || {
        json(&profil, &["outbox", "--json"]).is_empty()
    });
    assert!(
        watch.0.try_wait().unwrap().is_none(),
        "sync --watch ended by itself"
    );

    let status = strg_c(&mut watch, &log);
    assert!(
        status.success(),
        "sync --watch ended with {status:?} after SIGINT; it wrote:\n{}",
        std::fs::read_to_string(&log).unwrap_or_default()
    );

    assert!(json(&profil, &["outbox", "--json"]).is_empty());
    let liste = faelle();
    assert_eq!(liste.len(), K + M, "{liste:?}");
    let einreichungen: std::collections::BTreeSet<&str> = liste
        .iter()
        .map(|c| c["submissionId"].as_str().unwrap())
        .collect();
    let aktenzeichen: std::collections::BTreeSet<&str> = liste
        .iter()
        .map(|c| c["aktenzeichen"].as_str().unwrap())
        .collect();
    assert_eq!(einreichungen.len(), K + M, "each application exactly once");
    assert_eq!(aktenzeichen.len(), K + M, "each case exactly once");
}

#[test]
fn sync_watch_ends_cleanly_on_sigint_in_the_middle_of_a_pass() {
    // Every request takes 1.5 s, so a pass takes many seconds and the signal arrives while
    // one runs (the first one, right after it stored the application).
    let Aufbau {
        dir: _dir,
        profil,
        log,
        mut watch,
        info: _info,
        _sim,
    } = aufbauen(1, 23, Some(r#"{"latencyMs": 1500}"#));
    warten_bis("the case", &log, || {
        !json(&profil, &["cases", "list", "--json"]).is_empty()
    });
    let status = strg_c(&mut watch, &log);
    assert!(
        status.success(),
        "sync --watch ended with {status:?} after SIGINT during a pass; it wrote:\n{}",
        std::fs::read_to_string(&log).unwrap_or_default()
    );
    // Stopped midway, nothing is lost: a later pass finishes what was left.
    let o = amtsstube(&profil, &["sync", "--once"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(json(&profil, &["outbox", "--json"]).is_empty());
    assert_eq!(json(&profil, &["cases", "list", "--json"]).len(), 1);
}
