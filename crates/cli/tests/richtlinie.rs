#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! The administrator's policy seen from the command line (issue 19): `amtsstube connect`
//! cannot change what it pins, a faulty policy or a forbidden Demo-Modus stops every command
//! with a German message naming file, line and field. The binary is a debug build, so
//! `AMTSSTUBE_RICHTLINIE` points it at the test's policy (a release build ignores it). The
//! database key lives in a key file of the test (`AMTSSTUBE_KEY_FILE`), not in the keyring.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_amtsstube");

fn workdir(name: &str) -> PathBuf {
    let d = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// Runs `amtsstube --profile <dir>/profil ARGS` under the policy `<dir>/policy.toml`.
fn amtsstube(dir: &Path, args: &[&str]) -> Output {
    Command::new(BIN)
        .env("AMTSSTUBE_RICHTLINIE", dir.join("policy.toml"))
        .env("AMTSSTUBE_KEY_FILE", dir.join("schluessel"))
        .env_remove("AMTSSTUBE_CLIENT_SECRET")
        .arg("--profile")
        .arg(dir.join("profil"))
        .args(args)
        .output()
        .unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

const VERBINDUNG: [&str; 11] = [
    "connect",
    "--base-url",
    "https://anderer-dienst.example/",
    "--token-url",
    "https://auth.musterstadt.example/token",
    "--destination-id",
    "d-1",
    "--client-id",
    "c",
    "--client-secret",
    "s",
];

#[test]
fn connect_refuses_to_change_a_service_url_the_policy_pins() {
    let dir = workdir("richtlinie-connect");
    std::fs::write(
        dir.join("policy.toml"),
        "[zustelldienst]\nbase_url = \"https://zustelldienst.musterstadt.example/\"\n",
    )
    .unwrap();
    let out = amtsstube(&dir, &VERBINDUNG);
    assert!(!out.status.success());
    let e = stderr(&out);
    assert!(
        e.contains("zustelldienst.base_url ist von der Administration festgelegt"),
        "{e}"
    );
    assert!(
        e.contains(&format!(
            "in {}, Zeile 2",
            dir.join("policy.toml").display()
        )),
        "{e}"
    );
    assert!(
        e.contains("https://zustelldienst.musterstadt.example/")
            && e.contains("„https://anderer-dienst.example/“")
            && e.contains("--base-url"),
        "{e}"
    );
    // Refused before anything was written or created.
    assert!(
        !dir.join("profil")
            .join(app::profile::CONNECTION_FILE)
            .exists()
    );
    assert!(
        !dir.join("profil")
            .join(fitconnect::profile_keys::KEYS_FILE)
            .exists()
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn info_reports_what_the_policy_pins() {
    let dir = workdir("richtlinie-info");
    std::fs::write(
        dir.join("policy.toml"),
        "protokollstufe = \"warn\"\n[zustelldienst]\ndestination_id = \"fest-1\"\n",
    )
    .unwrap();
    let out = amtsstube(&dir, &["info", "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let info: ipc::AppInfo = serde_json::from_slice(&out.stdout).unwrap();
    assert!(info.richtlinie.vorhanden);
    let fest: Vec<(String, String)> = info
        .richtlinie
        .festlegungen
        .into_iter()
        .map(|f| (f.feld, f.wert))
        .collect();
    assert_eq!(
        fest,
        [
            ("zustelldienst.destination_id".into(), "fest-1".into()),
            ("protokollstufe".into(), "warn".into()),
        ]
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_faulty_policy_stops_every_command_naming_file_line_and_field() {
    let dir = workdir("richtlinie-fehler");
    std::fs::write(
        dir.join("policy.toml"),
        "demo_erlaubt = false\nschluesselquelle = \"klartext\"\n",
    )
    .unwrap();
    for args in [&["info"][..], &VERBINDUNG[..], &["whoami"][..]] {
        let out = amtsstube(&dir, args);
        assert!(!out.status.success(), "{args:?}");
        let e = stderr(&out);
        assert!(
            e.contains(&format!(
                "Richtlinie {}, Zeile 2, Feld „schluesselquelle“",
                dir.join("policy.toml").display()
            )),
            "{args:?}: {e}"
        );
        assert!(
            e.contains("startet nicht mit einer fehlerhaften Richtlinie"),
            "{e}"
        );
    }
    assert!(!dir.join("schluessel").exists());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn demo_mode_forbidden_by_policy_stops_an_unconnected_profile() {
    let dir = workdir("richtlinie-demo");
    std::fs::write(dir.join("policy.toml"), "demo_erlaubt = false\n").unwrap();
    let out = amtsstube(&dir, &["info"]);
    assert!(!out.status.success());
    let e = stderr(&out);
    assert!(
        e.contains("Zeile 1, Feld „demo_erlaubt“")
            && e.contains("Demo-Modus nicht erlaubt")
            && e.contains("amtsstube connect"),
        "{e}"
    );
    assert!(!dir.join("profil").join(store::DB_DATEI).exists());
    let _ = std::fs::remove_dir_all(&dir);
}
