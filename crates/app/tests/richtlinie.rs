#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! The administrator's policy applied to a profile (issue 19): what it pins overrides the
//! profile's own settings, is reported as pinned, and what it forbids does not start.
//! The database keys of these profiles live in key files the policy names (no keyring).

use std::path::Path;

use app::{AppContext, ConnectionConfig, ProfileError};
use ipc::ConnectionMode;
use richtlinie::Richtlinie;

fn richtlinie(text: &str) -> Richtlinie {
    Richtlinie::aus_text(text, "/etc/amtsstube/policy.toml").unwrap()
}

/// A policy text whose database key lives in a key file under `dir`, plus `rest`.
fn mit_schluesseldatei(dir: &Path, rest: &str) -> String {
    format!(
        "schluesselquelle = \"datei\"\nschluesseldatei = \"{}\"\n{rest}",
        dir.join("schluessel").display()
    )
}

/// A profile connected (as `amtsstube connect` leaves it) to a service on loopback, with the
/// demo authority's configuration.
fn verbundenes_profil(profil: &Path) {
    std::fs::create_dir_all(profil).unwrap();
    ConnectionConfig {
        base_url: "http://127.0.0.1:9/".into(),
        token_url: "http://127.0.0.1:9/token".into(),
        destination_id: "aus-dem-profil".into(),
        client_id: "c".into(),
    }
    .save(profil)
    .unwrap();
    behoerde::demo_ablegen(profil).unwrap();
}

#[test]
fn pinned_service_urls_and_destination_override_the_profile_and_are_reported_pinned() {
    let dir = tempfile::tempdir().unwrap();
    let profil = dir.path().join("profil");
    verbundenes_profil(&profil);
    let r = richtlinie(&mit_schluesseldatei(
        dir.path(),
        "[zustelldienst]\nbase_url = \"https://zustelldienst.musterstadt.example/\"\n\
         destination_id = \"fest\"\n",
    ));

    let cfg = ConnectionConfig::load_mit(&profil, &r).unwrap().unwrap();
    assert_eq!(cfg.base_url, "https://zustelldienst.musterstadt.example/");
    assert_eq!(cfg.destination_id, "fest");
    // Not pinned: the profile's own value.
    assert_eq!(cfg.token_url, "http://127.0.0.1:9/token");

    let ctx = AppContext::open_mit_richtlinie(&profil, r).unwrap();
    let info = ctx.app_info().unwrap();
    assert_eq!(
        info.connection,
        ConnectionMode::Live {
            base_url: "https://zustelldienst.musterstadt.example/".into()
        }
    );
    assert!(info.richtlinie.vorhanden);
    assert_eq!(info.richtlinie.datei, "/etc/amtsstube/policy.toml");
    let fest: Vec<(&str, &str)> = info
        .richtlinie
        .festlegungen
        .iter()
        .map(|f| (f.feld.as_str(), f.wert.as_str()))
        .collect();
    assert!(
        fest.contains(&(
            "zustelldienst.base_url",
            "https://zustelldienst.musterstadt.example/"
        )),
        "{fest:?}"
    );
    assert!(
        fest.contains(&("zustelldienst.destination_id", "fest")),
        "{fest:?}"
    );
    assert!(
        !fest.iter().any(|(f, _)| *f == "zustelldienst.token_url"),
        "{fest:?}"
    );
}

#[test]
fn the_policy_s_key_file_holds_the_database_key() {
    let dir = tempfile::tempdir().unwrap();
    let profil = dir.path().join("profil");
    let r = richtlinie(&mit_schluesseldatei(dir.path(), ""));
    drop(AppContext::open_mit_richtlinie(&profil, r.clone()).unwrap());
    let schluessel = std::fs::read(dir.path().join("schluessel")).unwrap();
    assert!(!schluessel.is_empty());
    // The second start finds its key there again.
    AppContext::open_mit_richtlinie(&profil, r).unwrap();
}

#[test]
fn demo_mode_forbidden_by_policy_stops_an_unconnected_profile_before_anything_is_created() {
    let dir = tempfile::tempdir().unwrap();
    let profil = dir.path().join("profil");
    let r = richtlinie(&mit_schluesseldatei(
        dir.path(),
        "# Kein Demo-Modus auf diesem Rechner\ndemo_erlaubt = false\n",
    ));
    let e = AppContext::open_mit_richtlinie(&profil, r.clone()).unwrap_err();
    let text = e.to_string();
    assert!(matches!(e, ProfileError::DemoVerboten(_)), "{text}");
    assert!(
        text.contains("/etc/amtsstube/policy.toml, Zeile 4, Feld „demo_erlaubt“"),
        "{text}"
    );
    assert!(text.contains("amtsstube connect"), "{text}");
    assert!(!profil.join(store::DB_DATEI).exists());
    assert!(!dir.path().join("schluessel").exists());

    // Connected, the same policy lets it start.
    verbundenes_profil(&profil);
    let ctx = AppContext::open_mit_richtlinie(&profil, r).unwrap();
    assert!(!ctx.is_demo());
}

#[test]
fn a_faulty_policy_stops_the_start_naming_file_line_and_field() {
    let dir = tempfile::tempdir().unwrap();
    let pfad = dir.path().join("policy.toml");
    std::fs::write(
        &pfad,
        "demo_erlaubt = true\n[zustelldienst]\nbase_url = \"http://zustelldienst.example/\"\n",
    )
    .unwrap();
    let e = app::profile::richtlinie_laden_aus(&pfad).unwrap_err();
    let text = e.to_string();
    assert!(matches!(e, ProfileError::Richtlinie(_)), "{text}");
    assert!(
        text.contains(&format!(
            "Richtlinie {}, Zeile 3, Feld „zustelldienst.base_url“",
            pfad.display()
        )),
        "{text}"
    );
    assert!(
        text.contains("unverschlüsselt") && text.contains("startet nicht"),
        "{text}"
    );
    // An IPC error for the window's error screen carries the same text.
    let ipc: ipc::IpcError = e.into();
    assert_eq!(ipc.code, ipc::ErrorCode::ProfileUnavailable);
    assert!(ipc.message.contains("Zeile 3"), "{}", ipc.message);

    // No file: nothing pinned, the start goes on.
    let keine = app::profile::richtlinie_laden_aus(&dir.path().join("fehlt.toml")).unwrap();
    assert!(!keine.legt_etwas_fest());
}

#[test]
fn the_policy_names_the_role_file_and_the_seal() {
    let dir = tempfile::tempdir().unwrap();
    let profil = dir.path().join("profil");
    verbundenes_profil(&profil);
    let rollen = dir.path().join("verwaltung").join("rollen.toml");
    let r = richtlinie(&mit_schluesseldatei(
        dir.path(),
        &format!(
            "rollen_datei = \"{}\"\n[siegel]\npkcs12 = \"/etc/amtsstube/siegel.p12\"\n",
            rollen.display()
        ),
    ));
    let s = app::sitzung::SitzungsDaten::fuer_app(false, &r);
    assert!(
        s.herkunft
            .contains(&format!("keine Rollenzuordnung {}", rollen.display())),
        "{}",
        s.herkunft
    );
    let ctx = AppContext::open_mit_richtlinie(&profil, r).unwrap();
    assert!(
        ctx.sitzung()
            .unwrap()
            .herkunft
            .contains(&rollen.display().to_string())
    );
    // The policy's seal replaces the authority file's.
    let siegel = ctx.behoerde().siegel.clone().unwrap();
    assert_eq!(siegel.pkcs12.as_deref(), Some("/etc/amtsstube/siegel.p12"));
    assert!(siegel.pkcs11_modul.is_none());
    // A seal the policy names that is not there: the message sends the IT to the policy.
    let fehler = match ctx.siegelschluessel() {
        Ok(_) => panic!("/etc/amtsstube/siegel.p12 gibt es hier nicht"),
        Err(f) => f.message,
    };
    assert!(
        fehler.contains("/etc/amtsstube/siegel.p12")
            && fehler.contains("[siegel] in der Richtlinie (policy.toml)")
            && !fehler.contains("behoerde.toml"),
        "{fehler}"
    );
}

#[cfg(unix)]
#[test]
fn a_policy_others_could_change_stops_the_start_with_what_to_run() {
    use std::os::unix::fs::PermissionsExt as _;
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("policy.toml");
    std::fs::write(&p, "demo_erlaubt = false\n").unwrap();
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o666)).unwrap();
    let e = app::profile::richtlinie_laden_geprueft(&p)
        .unwrap_err()
        .to_string();
    assert!(
        e.contains(&format!("chmod 644 {}", p.display())) && e.contains("Amtsstube startet nicht"),
        "{e}"
    );
    // The same file unchecked (a test's own policy) is read.
    assert!(app::profile::richtlinie_laden_aus(&p).is_ok());
}
