#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Who acts, at process level: outside Demo-Modus no environment variable changes the acting
//! login or its roles; in Demo-Modus `AMTSSTUBE_BENUTZER` and `AMTSSTUBE_ROLLE` do choose
//! (`with-keyring.sh cargo test -p app --test identitaet`: the app opens a real encrypted
//! profile).
//!
//! The workspace forbids `unsafe`, so no test changes its own environment: each case starts
//! this test binary again as a child with the variables set, the child opens the profile
//! with [`AppContext::open`] exactly as the desktop app does and prints the session it got.

use std::path::Path;
use std::process::Command;

use app::{AppContext, ConnectionConfig};
use ipc::Rolle;

/// Set in the child: the profile to open.
const PROFIL_ENV: &str = "IDENTITAET_KIND_PROFIL";
const MARKE: &str = "SITZUNG=";

/// Runs only as the child of the tests below: opens the profile and prints its session.
#[test]
fn kind_oeffnet_das_profil_und_meldet_seine_sitzung() {
    let Some(profil) = std::env::var_os(PROFIL_ENV) else {
        return;
    };
    let ctx = AppContext::open(Path::new(&profil)).unwrap();
    let s = ctx.sitzung().unwrap();
    println!("{MARKE}{}", serde_json::to_string(&s).unwrap());
}

/// Starts this binary as a child on `profil` with `env` added and returns the session it
/// reports.
fn sitzung_im_kindprozess(profil: &Path, env: &[(&str, &str)]) -> ipc::Sitzung {
    let mut cmd = Command::new(std::env::current_exe().unwrap());
    cmd.args([
        "--exact",
        "kind_oeffnet_das_profil_und_meldet_seine_sitzung",
        "--nocapture",
        "--test-threads=1",
    ])
    .env(PROFIL_ENV, profil);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let aus = cmd.output().unwrap();
    let stdout = String::from_utf8_lossy(&aus.stdout);
    assert!(
        aus.status.success(),
        "child failed: {stdout}\n{}",
        String::from_utf8_lossy(&aus.stderr)
    );
    let zeile = stdout
        .lines()
        .find_map(|z| z.split_once(MARKE).map(|(_, j)| j.to_owned()))
        .unwrap_or_else(|| panic!("no session in the child's output: {stdout}"));
    serde_json::from_str(&zeile).unwrap()
}

/// The login of this process, as the OS says (`id -un`, not `$USER`).
fn os_login() -> String {
    let aus = Command::new("id").arg("-un").output().unwrap();
    String::from_utf8_lossy(&aus.stdout).trim().to_owned()
}

const MALLORY: [(&str, &str); 6] = [
    ("AMTSSTUBE_BENUTZER", "mallory"),
    ("AMTSSTUBE_ANZEIGENAME", "Mallory"),
    ("AMTSSTUBE_ROLLE", "teamleitung,zeichnungsbefugt"),
    ("USER", "mallory"),
    ("USERNAME", "mallory"),
    ("LOGNAME", "mallory"),
];

/// A connected profile: an integration service and the authority's own configuration.
fn verbundenes_profil(profil: &Path) {
    ConnectionConfig {
        base_url: "http://127.0.0.1:9/".into(),
        token_url: "http://127.0.0.1:9/token".into(),
        destination_id: "d".into(),
        client_id: "c".into(),
    }
    .save(profil)
    .unwrap();
    std::fs::write(
        profil.join(behoerde::DATEINAME),
        "[behoerde]\nname = \"Markt Beispielhausen\"\nland = \"BY\"\n\
         [aktenzeichen]\namt = \"OA\"\nkuerzel = \"BH\"\n\
         [fristen]\nstandard = \"6 Wochen\"\nfaellig_vorlauf_arbeitstage = 3\n\
         [[leistung]]\nleika = \"99001001000000\"\nname = \"Fischereischein\"\n\
         formulare = [\"f.schema.json\"]\naufbewahrung_jahre = 5\n",
    )
    .unwrap();
    std::fs::write(
        profil.join("f.schema.json"),
        r#"{"$id":"urn:bh:fischereischein:1","type":"object"}"#,
    )
    .unwrap();
}

#[test]
fn outside_demo_mode_no_environment_variable_changes_who_acts_or_their_roles() {
    let dir = tempfile::tempdir().unwrap();
    verbundenes_profil(dir.path());
    let s = sitzung_im_kindprozess(dir.path(), &MALLORY);
    assert!(!s.demo);
    assert_eq!(s.benutzer, os_login());
    assert_ne!(s.anzeigename, "Mallory");
    // The roles are the administrator's for this login (this process's environment is
    // untouched, so it computes the truth), never the ones the environment asked for.
    let wahr =
        app::sitzung::SitzungsDaten::fuer_app(false, &app::profile::richtlinie_laden().unwrap());
    assert_eq!(s.rollen, wahr.rollen);
    assert_eq!(s.benutzer, wahr.benutzer);
    assert!(
        s.herkunft.contains(
            "AMTSSTUBE_BENUTZER, AMTSSTUBE_ANZEIGENAME, AMTSSTUBE_ROLLE gilt nur im Demo-Modus"
        ),
        "{}",
        s.herkunft
    );
    // Without the variables: the same person.
    let ohne = sitzung_im_kindprozess(dir.path(), &[]);
    assert_eq!((ohne.benutzer, ohne.rollen), (s.benutzer, s.rollen));
}

#[test]
fn in_demo_mode_the_environment_chooses_who_acts_and_their_roles() {
    let dir = tempfile::tempdir().unwrap();
    let s = sitzung_im_kindprozess(dir.path(), &MALLORY);
    assert!(s.demo);
    assert_eq!(s.benutzer, "mallory");
    assert_eq!(s.anzeigename, "Mallory");
    assert_eq!(s.rollen, vec![Rolle::Zeichnungsbefugt, Rolle::Teamleitung]);
    assert_eq!(s.rolle, Rolle::Teamleitung);
    assert!(s.herkunft.starts_with("Demo-Modus"), "{}", s.herkunft);

    let s = sitzung_im_kindprozess(dir.path(), &[("AMTSSTUBE_ROLLE", "teamleitung")]);
    assert_eq!(s.rollen, vec![Rolle::Teamleitung]);
    assert_eq!(s.benutzer, os_login());
}

#[test]
fn a_test_context_holds_the_roles_it_is_given() {
    let dir = tempfile::tempdir().unwrap();
    let ctx = AppContext::open(dir.path())
        .unwrap()
        .mit_rollen("z1", &[Rolle::Zeichnungsbefugt, Rolle::Sachbearbeitung]);
    let s = ctx.sitzung().unwrap();
    assert_eq!(s.benutzer, "z1");
    assert_eq!(
        s.rollen,
        vec![Rolle::Sachbearbeitung, Rolle::Zeichnungsbefugt]
    );
    assert_eq!(s.rolle, Rolle::Zeichnungsbefugt);
    assert!(s.demo);
}
