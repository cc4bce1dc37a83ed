//! The profile directory: where one caseworker's data and settings live.
//!
//! Resolution order: `--profile DIR` (CLI) or `AMTSSTUBE_PROFILE`, else the platform data dir
//! (`~/.local/share/amtsstube` on Linux, `%APPDATA%\Amtsstube\data` on Windows).
//!
//! The administrator's policy ([`richtlinie_laden`], crate `richtlinie`) is applied here: its
//! pinned service URLs and destination replace what `connection.json` says
//! ([`ConnectionConfig::load_mit`]), its key source replaces `AMTSSTUBE_KEY_FILE`
//! ([`schluesselquelle`]). It is read from [`richtlinie_pfad`] only: the system's
//! `/etc/amtsstube/policy.toml` (`%ProgramData%\Amtsstube\policy.toml`). Debug builds (the
//! tests) may point elsewhere with `AMTSSTUBE_RICHTLINIE`; a release build (every package)
//! does not contain that lookup, so no user's environment redirects a real installation.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// Environment variable that names the profile directory.
pub const PROFILE_ENV: &str = "AMTSSTUBE_PROFILE";
/// File in the profile holding the integration-service connection (no secrets).
pub const CONNECTION_FILE: &str = "connection.json";

/// Environment variable pointing debug builds (tests) at another policy file; release builds
/// ignore it (see the module doc).
pub const RICHTLINIE_ENV: &str = "AMTSSTUBE_RICHTLINIE";

/// Errors of the profile directory, with German text.
#[derive(Debug, thiserror::Error)]
pub enum ProfileError {
    /// The directory cannot be created or read.
    #[error(
        "Das Profilverzeichnis {path} ist nicht nutzbar ({source}). Prüfen Sie die Rechte oder wählen Sie mit --profile bzw. AMTSSTUBE_PROFILE ein anderes Verzeichnis."
    )]
    Dir {
        /// The directory.
        path: String,
        /// The cause.
        source: std::io::Error,
    },
    /// The connection file is unreadable.
    #[error(
        "Die Verbindungseinstellungen in {path} sind fehlerhaft ({reason}). Richten Sie die Verbindung mit `amtsstube connect` neu ein."
    )]
    Connection {
        /// The file.
        path: String,
        /// What is wrong.
        reason: String,
    },
    /// The encrypted store cannot be opened (no key source, wrong key, newer schema …); the
    /// store's German message says which and what to do.
    #[error("{0}")]
    Store(String),
    /// No platform data directory could be found.
    #[error("Kein Datenverzeichnis gefunden. Setzen Sie AMTSSTUBE_PROFILE auf ein Verzeichnis.")]
    NoDataDir,
    /// The authority's configuration is faulty (the message names file, line and field).
    #[error(
        "{0} Amtsstube startet nicht mit einer fehlerhaften Behördenkonfiguration: korrigieren Sie die Datei (Aufbau: assets/behoerde.schema.json) und starten Sie neu."
    )]
    Behoerde(behoerde::KonfigFehler),
    /// The administrator's policy is faulty (the message names file, line and field).
    #[error(
        "{0} Amtsstube startet nicht mit einer fehlerhaften Richtlinie: die Administration korrigiert die Datei (Vorlage: assets/examples/policy.toml, README „Configuration“), dann starten Sie Amtsstube neu."
    )]
    Richtlinie(richtlinie::RichtlinienFehler),
    /// The policy forbids Demo-Modus and the profile is not connected.
    #[error("{0}")]
    DemoVerboten(richtlinie::RichtlinienFehler),
    /// A profile connected to an integration service has no authority configuration.
    #[error(
        "Keine Behördenkonfiguration gefunden. Mit einem Zustelldienst braucht Amtsstube die Datei {datei} im Profil ({profil}) oder in {system}: Behörde, Land, Aktenzeichen, Fristen und Leistungen. Eine Vorlage ist assets/behoerden/demo/behoerde.toml (README, „Konfiguration“)."
    )]
    KeineBehoerde {
        /// The file name looked for.
        datei: &'static str,
        /// The profile directory.
        profil: String,
        /// The administrator's directory.
        system: String,
    },
}

/// The authority's configuration of the profile at `profil`: its `behoerde.toml` or the
/// system's ([`behoerde::finden`]); without one, Demo-Modus (`demo`) runs on the built-in demo
/// configuration and a connected profile does not start.
pub fn behoerde_laden(profil: &Path, demo: bool) -> Result<behoerde::Behoerde, ProfileError> {
    match behoerde::finden(profil) {
        Some(pfad) => behoerde::Behoerde::laden(&pfad).map_err(ProfileError::Behoerde),
        None if demo => behoerde::Behoerde::demo().map_err(ProfileError::Behoerde),
        None => Err(ProfileError::KeineBehoerde {
            datei: behoerde::DATEINAME,
            profil: profil.display().to_string(),
            system: behoerde::systemverzeichnis().display().to_string(),
        }),
    }
}

/// Where the administrator's policy is read from: `policy.toml` in
/// [`behoerde::systemverzeichnis`]; in debug builds `AMTSSTUBE_RICHTLINIE` if set.
pub fn richtlinie_pfad() -> PathBuf {
    #[cfg(debug_assertions)]
    if let Some(p) = std::env::var_os(RICHTLINIE_ENV).filter(|p| !p.is_empty()) {
        return PathBuf::from(p);
    }
    behoerde::systemverzeichnis().join(richtlinie::DATEINAME)
}

/// The administrator's policy of this machine ([`richtlinie_pfad`]); no file pins nothing, a
/// faulty one stops the start.
pub fn richtlinie_laden() -> Result<richtlinie::Richtlinie, ProfileError> {
    let pfad = richtlinie_pfad();
    if pfad == behoerde::systemverzeichnis().join(richtlinie::DATEINAME) {
        richtlinie_laden_geprueft(&pfad)
    } else {
        // A debug build's test policy (AMTSSTUBE_RICHTLINIE) belongs to whoever runs the tests.
        richtlinie_laden_aus(&pfad)
    }
}

/// The policy at `pfad` if only the administration can change it (owned by root, writable by
/// nobody else; on Windows read-only, like the role file, [`crate::sitzung::rechte_pruefen`]):
/// a policy a user could edit pins nothing, so it stops the start with the `chown`/`chmod` to
/// run. No file pins nothing.
pub fn richtlinie_laden_geprueft(pfad: &Path) -> Result<richtlinie::Richtlinie, ProfileError> {
    if let Ok(meta) = std::fs::metadata(pfad) {
        crate::sitzung::rechte_pruefen(crate::sitzung::dateirechte(&meta), pfad).map_err(
            |meldung| {
                ProfileError::Richtlinie(richtlinie::RichtlinienFehler {
                    datei: pfad.display().to_string(),
                    zeile: None,
                    feld: String::new(),
                    meldung,
                })
            },
        )?;
    }
    richtlinie_laden_aus(pfad)
}

/// The policy at `pfad` (tests, tools); see [`richtlinie_laden`].
pub fn richtlinie_laden_aus(pfad: &Path) -> Result<richtlinie::Richtlinie, ProfileError> {
    richtlinie::Richtlinie::laden(pfad).map_err(ProfileError::Richtlinie)
}

/// Where the database key of `profil` lives: the source the policy pins, else
/// [`store::Schluesselquelle::fuer_profil`] (`AMTSSTUBE_KEY_FILE` or the keyring). A set
/// `AMTSSTUBE_KEY_FILE` that the policy overrides is reported on stderr.
pub fn schluesselquelle(
    profil: &Path,
    richtlinie: &richtlinie::Richtlinie,
) -> store::Schluesselquelle {
    use richtlinie::SchluesselArt;
    let quelle = match (richtlinie.schluesselquelle, &richtlinie.schluesseldatei) {
        (Some(SchluesselArt::Datei), Some(datei)) => store::Schluesselquelle::Datei(datei.clone()),
        (Some(_), _) => store::Schluesselquelle::schluesselbund_fuer(profil),
        (None, _) => return store::Schluesselquelle::fuer_profil(profil),
    };
    if std::env::var_os(store::key::KEY_FILE_ENV).is_some_and(|v| !v.is_empty()) {
        eprintln!(
            "Amtsstube: {} wird nicht beachtet; die Schlüsselquelle hat die Administration {} festgelegt.",
            store::key::KEY_FILE_ENV,
            richtlinie.wo("schluesselquelle")
        );
    }
    quelle
}

/// The default profile directory: `AMTSSTUBE_PROFILE`, else the platform data directory.
pub fn default_dir() -> Result<PathBuf, ProfileError> {
    if let Some(dir) = std::env::var_os(PROFILE_ENV).filter(|d| !d.is_empty()) {
        return Ok(PathBuf::from(dir));
    }
    directories::ProjectDirs::from("de", "Amtsstube", "Amtsstube")
        .map(|d| d.data_dir().to_path_buf())
        .ok_or(ProfileError::NoDataDir)
}

/// Creates the directory if needed (owner-only on Unix) and returns its absolute path.
pub fn ensure_dir(dir: &Path) -> Result<PathBuf, ProfileError> {
    let err = |source| ProfileError::Dir {
        path: dir.display().to_string(),
        source,
    };
    std::fs::create_dir_all(dir).map_err(err)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700)).map_err(err)?;
    }
    dir.canonicalize().map_err(err)
}

/// Connection to a FIT-Connect integration service. The client secret is not here: it lives
/// in the OS keyring.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConnectionConfig {
    /// Base URL of the submission API.
    pub base_url: String,
    /// OAuth2 token endpoint.
    pub token_url: String,
    /// The destination (Zustellpunkt) this profile subscribes to.
    pub destination_id: String,
    /// OAuth2 client id of the subscriber.
    pub client_id: String,
}

/// `connection.json` as written: the connection and the optional pinned CA.
#[derive(Serialize, Deserialize)]
struct ConnectionFile {
    #[serde(flatten)]
    connection: ConnectionConfig,
    /// PEM file of the CA(s) that alone are trusted for TLS; relative to the profile.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    ca_datei: Option<PathBuf>,
}

impl ConnectionConfig {
    /// Loads the connection of a profile under the machine's policy ([`richtlinie_laden`]),
    /// `None` when none is configured; see [`ConnectionConfig::load_mit`].
    pub fn load(profile_dir: &Path) -> Result<Option<Self>, ProfileError> {
        Self::load_mit(profile_dir, &richtlinie_laden()?)
    }

    /// Loads the connection of a profile, `None` when none is configured; what `richtlinie`
    /// pins (service and token URL, destination) replaces what the file says. Refuses
    /// (German message naming the file) a service or token URL that is not `https://`
    /// (plain `http://` only to this machine) and a `ca_datei` that is not a readable PEM
    /// file.
    pub fn load_mit(
        profile_dir: &Path,
        richtlinie: &richtlinie::Richtlinie,
    ) -> Result<Option<Self>, ProfileError> {
        let Some(mut file) = Self::load_file(profile_dir)? else {
            return Ok(None);
        };
        let fest = &richtlinie.zustelldienst;
        for (wert, pin) in [
            (&mut file.connection.base_url, &fest.base_url),
            (&mut file.connection.token_url, &fest.token_url),
            (&mut file.connection.destination_id, &fest.destination_id),
        ] {
            if let Some(pin) = pin {
                pin.clone_into(wert);
            }
        }
        let fehler = |reason: String| ProfileError::Connection {
            path: profile_dir.join(CONNECTION_FILE).display().to_string(),
            reason,
        };
        fitconnect::client::check_url("Dienst-Adresse (base_url)", &file.connection.base_url)
            .and_then(|()| {
                fitconnect::client::check_url(
                    "Token-Adresse (token_url)",
                    &file.connection.token_url,
                )
            })
            .map_err(|e| fehler(e.to_string()))?;
        if file.ca_datei.is_some() {
            Self::ca_pem(profile_dir, &file)?;
        }
        Ok(Some(file.connection))
    }

    /// How the client of this profile's connection reaches the service: the default
    /// [`fitconnect::client::Transport`], with the pinned CA of `ca_datei` when one is set.
    pub fn transport(profile_dir: &Path) -> Result<fitconnect::client::Transport, ProfileError> {
        let ca_pem = match Self::load_file(profile_dir)? {
            Some(file) => Self::ca_pem(profile_dir, &file)?,
            None => None,
        };
        Ok(fitconnect::client::Transport {
            ca_pem,
            ..fitconnect::client::Transport::default()
        })
    }

    fn load_file(profile_dir: &Path) -> Result<Option<ConnectionFile>, ProfileError> {
        let path = profile_dir.join(CONNECTION_FILE);
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => {
                return Err(ProfileError::Connection {
                    path: path.display().to_string(),
                    reason: e.to_string(),
                });
            }
        };
        serde_json::from_str(&text)
            .map(Some)
            .map_err(|e| ProfileError::Connection {
                path: path.display().to_string(),
                reason: e.to_string(),
            })
    }

    /// The content of `ca_datei` (relative to the profile), checked to hold certificates.
    fn ca_pem(profile_dir: &Path, file: &ConnectionFile) -> Result<Option<Vec<u8>>, ProfileError> {
        let Some(ca) = &file.ca_datei else {
            return Ok(None);
        };
        let ca_path = profile_dir.join(ca);
        let fehler = |reason: String| ProfileError::Connection {
            path: profile_dir.join(CONNECTION_FILE).display().to_string(),
            reason,
        };
        let pem = std::fs::read(&ca_path).map_err(|e| {
            fehler(format!(
                "die CA-Datei („ca_datei“) {} ist nicht lesbar: {e}",
                ca_path.display()
            ))
        })?;
        fitconnect::client::check_ca_pem(&pem).map_err(|e| fehler(e.to_string()))?;
        Ok(Some(pem))
    }

    /// Saves the connection atomically (write to a sibling, then rename), without a pinned CA.
    pub fn save(&self, profile_dir: &Path) -> Result<(), ProfileError> {
        self.save_with_ca_file(profile_dir, None)
    }

    /// Saves the connection atomically with the pinned CA file `ca_datei` (a path relative
    /// to the profile, or absolute), `None` for the platform's roots.
    pub fn save_with_ca_file(
        &self,
        profile_dir: &Path,
        ca_datei: Option<&Path>,
    ) -> Result<(), ProfileError> {
        let path = profile_dir.join(CONNECTION_FILE);
        let err = |e: std::io::Error| ProfileError::Connection {
            path: path.display().to_string(),
            reason: e.to_string(),
        };
        let tmp = profile_dir.join(format!("{CONNECTION_FILE}.new"));
        let file = ConnectionFile {
            connection: self.clone(),
            ca_datei: ca_datei.map(Path::to_path_buf),
        };
        let text =
            serde_json::to_string_pretty(&file).map_err(|e| err(std::io::Error::other(e)))?;
        std::fs::write(&tmp, text).map_err(err)?;
        std::fs::rename(&tmp, &path).map_err(err)
    }
}
