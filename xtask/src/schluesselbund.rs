//! Where `cargo xtask run` lets the app keep its database key.
//!
//! The app keeps the key of its encrypted store in the OS keyring (on Linux the Secret
//! Service) or in a key file an administrator configured (`AMTSSTUBE_KEY_FILE`). A headless
//! Linux (a server, a container, `xvfb-run`) usually has no Secret Service, and the app then
//! cannot start. For Demo-Modus — a profile without a connection to an integration service,
//! holding only simulated cases — `run` then starts the app inside a private, unlocked
//! gnome-keyring in its own D-Bus session (`.ci/with-keyring.sh`, as the tests do) with a
//! throwaway profile, and deletes both afterwards. A connected profile never falls back:
//! its key must stay where the administrator put it.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// Environment variable of the profile directory (as `app::profile::PROFILE_ENV`).
pub const PROFILE_ENV: &str = "AMTSSTUBE_PROFILE";
/// Environment variable of a key file (as `store::key::KEY_FILE_ENV`).
const KEY_FILE_ENV: &str = "AMTSSTUBE_KEY_FILE";
/// The file that makes a profile a connected one (as `app::profile::CONNECTION_FILE`).
const CONNECTION_FILE: &str = "connection.json";

/// What `run` does about the key.
#[derive(Debug, PartialEq, Eq)]
pub enum Weg {
    /// Start the app as it is: a key file is configured or a Secret Service answers.
    Direkt,
    /// Demo-Modus without a Secret Service: a private keyring and a throwaway profile.
    PrivaterSchluesselbund,
    /// A connected profile without a Secret Service: do not start, say what to do.
    Abbrechen(String),
}

/// The decision, from what was found.
pub fn entscheiden(
    profil: &Path,
    verbunden: bool,
    schluesseldatei: bool,
    secret_service: bool,
) -> Weg {
    if schluesseldatei || secret_service {
        return Weg::Direkt;
    }
    if !verbunden {
        return Weg::PrivaterSchluesselbund;
    }
    Weg::Abbrechen(format!(
        "Das Profil {} ist mit einem Zustelldienst verbunden, aber es ist kein Secret Service \
         (Schlüsselbund des Betriebssystems) erreichbar. Amtsstube kann den Schlüssel der \
         verschlüsselten Datenbank daher nicht sicher aufbewahren. Ein verbundenes Profil wird nie \
         mit einem Wegwerf-Schlüsselbund gestartet. Starten Sie Amtsstube in einer Desktop-Sitzung \
         mit Schlüsselbund (GNOME Keyring, KWallet) oder lassen Sie Ihre Administration eine \
         Schlüsseldatei einrichten ({KEY_FILE_ENV}, README „Konfiguration“).",
        profil.display()
    ))
}

/// The profile directory the app will open (`app::profile::default_dir`).
pub fn profil_des_starts() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os(PROFILE_ENV).filter(|d| !d.is_empty()) {
        return Some(PathBuf::from(dir));
    }
    directories::ProjectDirs::from("de", "Amtsstube", "Amtsstube")
        .map(|d| d.data_dir().to_path_buf())
}

/// Whether the profile is connected to an integration service (not Demo-Modus).
pub fn ist_verbunden(profil: &Path) -> bool {
    profil.join(CONNECTION_FILE).exists()
}

/// Whether a key file is configured.
pub fn schluesseldatei_gesetzt() -> bool {
    std::env::var_os(KEY_FILE_ENV).is_some_and(|p| !p.is_empty())
}

/// Whether a Secret Service with a default collection answers on the session bus, asked
/// the way the keyring crate asks (`ReadAlias("default")`; `/` means there is none). Without
/// `dbus-send` or a session bus the answer is no.
pub fn secret_service_erreichbar() -> bool {
    let out = Command::new("dbus-send")
        .args([
            "--session",
            "--print-reply",
            "--reply-timeout=5000",
            "--dest=org.freedesktop.secrets",
            "/org/freedesktop/secrets",
            "org.freedesktop.Secret.Service.ReadAlias",
            "string:default",
        ])
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output();
    match out {
        Ok(o) if o.status.success() => standard_sammlung(&String::from_utf8_lossy(&o.stdout)),
        _ => false,
    }
}

/// `dbus-send --print-reply` of `ReadAlias`: `object path "/org/…/collection/login"`.
fn standard_sammlung(antwort: &str) -> bool {
    antwort
        .lines()
        .filter_map(|z| z.trim().strip_prefix("object path \""))
        .any(|p| p.trim_end_matches('"') != "/")
}

const WEGWERF_PRAEFIX: &str = "amtsstube-demo-";

/// Where throwaway profiles go. What reaches them is the app's encrypted store of simulated
/// demo cases, never plaintext, and its key lives only in the private keyring.
#[allow(
    clippy::disallowed_methods,
    reason = "the throwaway profile holds only the encrypted store of simulated cases"
)]
fn temp_basis() -> PathBuf {
    std::env::temp_dir()
}

/// Removes throwaway profiles of earlier runs whose xtask is gone (ended with Ctrl-C).
pub fn alte_wegwerf_profile_entfernen() {
    let Ok(eintraege) = std::fs::read_dir(temp_basis()) else {
        return;
    };
    for e in eintraege.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        let Some(pid) = name
            .strip_prefix(WEGWERF_PRAEFIX)
            .and_then(|r| r.split('-').next())
        else {
            continue;
        };
        if !Path::new("/proc").join(pid).exists() {
            let _ = std::fs::remove_dir_all(e.path());
        }
    }
}

/// A fresh, owner-only directory for the throwaway demo profile.
pub fn wegwerf_profil() -> std::io::Result<PathBuf> {
    let dir = temp_basis().join(format!(
        "{WEGWERF_PRAEFIX}{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_millis())
            .unwrap_or(0)
    ));
    std::fs::create_dir(&dir)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700))?;
    }
    Ok(dir)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p() -> PathBuf {
        PathBuf::from("/home/sb/.local/share/amtsstube")
    }

    #[test]
    fn a_demo_profile_without_secret_service_gets_a_private_keyring() {
        assert_eq!(
            entscheiden(&p(), false, false, false),
            Weg::PrivaterSchluesselbund
        );
    }

    #[test]
    fn a_connected_profile_never_falls_back_and_is_told_what_to_do() {
        let Weg::Abbrechen(text) = entscheiden(&p(), true, false, false) else {
            panic!("ein verbundenes Profil darf nicht zurückfallen");
        };
        assert!(text.contains("/home/sb/.local/share/amtsstube"), "{text}");
        assert!(text.contains("nie"), "{text}");
        assert!(text.contains(KEY_FILE_ENV), "{text}");
    }

    #[test]
    fn with_a_secret_service_or_a_key_file_the_app_starts_as_it_is() {
        for verbunden in [false, true] {
            assert_eq!(entscheiden(&p(), verbunden, false, true), Weg::Direkt);
            assert_eq!(entscheiden(&p(), verbunden, true, false), Weg::Direkt);
        }
    }

    #[test]
    fn the_secret_service_answer_is_read_as_the_keyring_crate_reads_it() {
        let login = "method return time=1.2 sender=:1.3 -> destination=:1.4 serial=5 reply_serial=2\n   object path \"/org/freedesktop/secrets/collection/login\"\n";
        let keine = "method return time=1.2 sender=:1.3 -> destination=:1.4 serial=5 reply_serial=2\n   object path \"/\"\n";
        assert!(standard_sammlung(login));
        assert!(!standard_sammlung(keine));
        assert!(!standard_sammlung(""));
    }

    #[test]
    fn a_profile_is_connected_exactly_when_it_has_a_connection_file() {
        let dir = wegwerf_profil().unwrap();
        assert!(!ist_verbunden(&dir));
        std::fs::write(dir.join(CONNECTION_FILE), "{}").unwrap();
        assert!(ist_verbunden(&dir));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
