//! Updates (issue 19): Tauri's updater plugin, switched and keyed by the administrator's policy.
//!
//! Nothing about updates is in `tauri.conf.json`. The policy's `[aktualisierung]` decides
//! ([`Einstellung::aus_richtlinie`]): only `aktiv = true` turns the updater on, and then the
//! policy check (crate `richtlinie`) has made sure the public key (`oeffentlicher_schluessel`)
//! and the manifest's address (`adresse`) are there. No policy, `aktiv` absent or `false`: the
//! plugin is not even registered ([`einrichten`]) and nothing is ever asked for — that is the
//! administrator's switch.
//!
//! # What runs
//!
//! * [`einrichten`] registers the plugin with the policy's key and writes its configuration
//!   (`plugins.updater`) into the Tauri context: the key, the endpoint, `requireSignedVersion`
//!   (the signature's trusted comment must carry the announced version, `version:1.2.3`, so a
//!   manifest cannot pass an older, genuinely signed bundle off as a newer one) and plain
//!   `http://` only where the policy allowed it (this machine).
//! * [`beim_start`], once the window is up, looks in the background ([`suchen`]) and reports a
//!   newer version: a log line and the event [`EREIGNIS`] to the window with
//!   [`Verfuegbar`]. It never installs: the caseworker (or the IT) decides when.
//! * [`herunterladen`] fetches the bundle and hands it out only when its minisign signature
//!   verifies against the policy's key (the plugin's own `Update::download`); a changed byte, a
//!   foreign key or a version mismatch is [`AktualisierungsFehler::Signatur`]. Installing
//!   (`Update::install` with these bytes) on the caseworker's explicit request is the next step.
//!
//! # The channel
//!
//! `kanal` (`stabil`, the default, or `vorab`) goes into the address: `{{kanal}}` in `adresse`
//! becomes the channel's name (`https://…/amtsstube/{{kanal}}/latest.json`); an address without
//! the placeholder gets the query parameter `kanal=stabil|vorab` appended ([`endpunkt`]).
//! Tauri's own placeholders (`{{target}}`, `{{arch}}`, `{{current_version}}`) stay for the
//! plugin to fill.
//!
//! # To extend
//!
//! An install command: keep the [`tauri_plugin_updater::Update`] of [`suchen`] in state, add a
//! command to the table (`crates/ipc`) that calls [`herunterladen`] and then `install`, and let
//! the window ask for it after the caseworker has confirmed. The window needs no updater
//! permission for that: the plugin is driven from Rust only. Tests:
//! `tests/aktualisierung.rs` (mock runtime, local server, keys made in the test).

use std::time::Duration;

use richtlinie::{Aktualisierung, Kanal};
use serde::Serialize;
use tauri::{Emitter as _, Runtime};
use tauri_plugin_updater::UpdaterExt as _;
use url::Url;

/// Event to the window when a newer version is offered; payload [`Verfuegbar`].
pub const EREIGNIS: &str = "aktualisierung-verfuegbar";

/// The placeholder in the policy's `adresse` that becomes the channel's name.
pub const KANAL_PLATZHALTER: &str = "{{kanal}}";

/// How long one request (manifest or bundle) may take.
const ZEITLIMIT: Duration = Duration::from_secs(120);

/// Why looking for or fetching an update failed, in German for the log and the window.
#[derive(Debug, thiserror::Error)]
pub enum AktualisierungsFehler {
    /// The policy's address does not make an endpoint (cannot happen after the policy check).
    #[error(
        "Die Adresse für Aktualisierungen „{adresse}“ ist unbrauchbar: {grund}. Die IT korrigiert \
         [aktualisierung] adresse in der Richtlinie."
    )]
    Adresse {
        /// The address as written.
        adresse: String,
        /// What is wrong.
        grund: String,
    },
    /// The bundle's signature does not verify against the policy's key: it was changed, signed
    /// with another key, or signed for another version than announced. Nothing is installed.
    #[error(
        "Die Aktualisierung wurde abgelehnt: ihre Signatur passt nicht zum Schlüssel der \
         Richtlinie ({0}). Sie wurde verändert oder nicht von Ihrer IT freigegeben; melden Sie \
         das der IT."
    )]
    Signatur(tauri_plugin_updater::Error),
    /// The update service could not be asked or gave no usable answer (worth retrying later).
    #[error(
        "Die Suche nach Aktualisierungen ist fehlgeschlagen ({0}). Amtsstube versucht es beim \
         nächsten Start wieder."
    )]
    Dienst(tauri_plugin_updater::Error),
}

impl From<tauri_plugin_updater::Error> for AktualisierungsFehler {
    fn from(e: tauri_plugin_updater::Error) -> Self {
        use tauri_plugin_updater::Error as E;
        match e {
            E::Minisign(_)
            | E::Base64(_)
            | E::SignatureUtf8(_)
            | E::SignedVersionMismatch { .. }
            | E::MissingSignedVersion => Self::Signatur(e),
            other => Self::Dienst(other),
        }
    }
}

/// What the policy turned on: the key every bundle must be signed with and the manifest's
/// address with the channel filled in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Einstellung {
    /// The public key, as in the policy (base64 of the minisign `.pub` file).
    pub schluessel: String,
    /// The manifest's address (`latest.json`), channel filled in.
    pub endpunkt: Url,
    /// The channel.
    pub kanal: Kanal,
}

impl Einstellung {
    /// The updater's settings, or `None` when the policy leaves it off (no `aktiv = true`, no
    /// key or no address).
    pub fn aus_richtlinie(a: &Aktualisierung) -> Result<Option<Self>, AktualisierungsFehler> {
        let (true, Some(schluessel), Some(adresse)) = (
            a.eingeschaltet(),
            a.oeffentlicher_schluessel.as_ref(),
            a.adresse.as_ref(),
        ) else {
            return Ok(None);
        };
        let kanal = a.kanal.unwrap_or(Kanal::Stabil);
        Ok(Some(Self {
            schluessel: schluessel.trim().to_owned(),
            endpunkt: endpunkt(adresse, kanal)?,
            kanal,
        }))
    }

    /// Whether the endpoint is plain `http://` (allowed by the policy only to this machine).
    fn unverschluesselt(&self) -> bool {
        self.endpunkt.scheme() == "http"
    }

    /// The plugin's configuration (`plugins.updater` of the Tauri config).
    pub fn plugin_konfiguration(&self) -> serde_json::Value {
        serde_json::json!({
            "pubkey": self.schluessel,
            "endpoints": [self.endpunkt.as_str()],
            "requireSignedVersion": true,
            "dangerousInsecureTransportProtocol": self.unverschluesselt(),
        })
    }
}

/// The endpoint for `kanal`: `{{kanal}}` in `adresse` replaced by its name, or, without the
/// placeholder, `kanal=<name>` appended as a query parameter. Only `https://`, or `http://` to
/// this machine.
pub fn endpunkt(adresse: &str, kanal: Kanal) -> Result<Url, AktualisierungsFehler> {
    let fehler = |grund: String| AktualisierungsFehler::Adresse {
        adresse: adresse.to_owned(),
        grund,
    };
    let mit_platzhalter = adresse.contains(KANAL_PLATZHALTER);
    let text = adresse.replace(KANAL_PLATZHALTER, kanal.name());
    let mut url = Url::parse(&text).map_err(|e| fehler(e.to_string()))?;
    match url.scheme() {
        "https" => {}
        "http" if auf_diesem_rechner(&url) => {}
        s => {
            return Err(fehler(format!(
                "{s}:// ist nicht erlaubt, nur https:// (http:// nur an diesen Rechner)"
            )));
        }
    }
    if !mit_platzhalter {
        url.query_pairs_mut().append_pair("kanal", kanal.name());
    }
    Ok(url)
}

/// Whether `url` points at this machine (127.0.0.1, ::1, localhost).
fn auf_diesem_rechner(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

/// Registers the updater on `builder` and writes its configuration into `kontext` when
/// `einstellung` is there; without it, neither happens and nothing can look for updates.
pub fn einrichten<R: Runtime>(
    builder: tauri::Builder<R>,
    kontext: &mut tauri::Context<R>,
    einstellung: Option<&Einstellung>,
) -> tauri::Builder<R> {
    let Some(e) = einstellung else {
        return builder;
    };
    kontext
        .config_mut()
        .plugins
        .0
        .insert("updater".to_owned(), e.plugin_konfiguration());
    builder.plugin(
        tauri_plugin_updater::Builder::new()
            .pubkey(e.schluessel.clone())
            .build(),
    )
}

/// A newer version on offer, as the window gets it with [`EREIGNIS`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Verfuegbar {
    /// The version offered.
    pub version: String,
    /// The version running.
    pub aktuelle_version: String,
    /// The channel it came from.
    pub kanal: &'static str,
}

/// Asks the policy's endpoint for a newer version. `Ok(None)`: this is the newest. Needs the
/// plugin registered by [`einrichten`] with the same `einstellung`.
pub async fn suchen<R: Runtime>(
    app: &tauri::AppHandle<R>,
    e: &Einstellung,
) -> Result<Option<tauri_plugin_updater::Update>, AktualisierungsFehler> {
    let mut builder = app
        .updater_builder()
        .pubkey(e.schluessel.clone())
        .endpoints(vec![e.endpunkt.clone()])?
        .timeout(ZEITLIMIT);
    if auf_diesem_rechner(&e.endpunkt) {
        // A service on this machine is never reached through the office's proxy.
        builder = builder.no_proxy();
    }
    let updater = builder.build()?;
    Ok(updater.check().await?)
}

/// Fetches the bundle of `update` and returns it only when its signature verifies against the
/// policy's key and names the announced version; otherwise
/// [`AktualisierungsFehler::Signatur`] and nothing of it is kept.
pub async fn herunterladen(
    update: &tauri_plugin_updater::Update,
) -> Result<Vec<u8>, AktualisierungsFehler> {
    Ok(update.download(|_, _| {}, || {}).await?)
}

/// At start, with the window up: looks for a newer version in the background and reports it
/// (log, [`EREIGNIS`]). Installs nothing. Without `einstellung` (the policy leaves the updater
/// off) it does nothing at all.
pub fn beim_start<R: Runtime>(app: &tauri::AppHandle<R>, einstellung: Option<Einstellung>) {
    let Some(e) = einstellung else {
        tracing::debug!("Aktualisierungen sind aus (Richtlinie)");
        return;
    };
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        match suchen(&app, &e).await {
            Ok(Some(update)) => {
                tracing::info!(
                    version = %update.version,
                    aktuelle_version = %update.current_version,
                    kanal = e.kanal.name(),
                    "Aktualisierung verfügbar; sie wird nicht ohne Zustimmung installiert"
                );
                let _ = app.emit(
                    EREIGNIS,
                    Verfuegbar {
                        version: update.version.clone(),
                        aktuelle_version: update.current_version.clone(),
                        kanal: e.kanal.name(),
                    },
                );
            }
            Ok(None) => {
                tracing::info!(
                    kanal = e.kanal.name(),
                    "Amtsstube ist auf dem neuesten Stand"
                );
            }
            Err(f) => tracing::warn!(fehler = %f, "Suche nach Aktualisierungen"),
        }
    });
}

/// The updater's settings for this start: from the open profile's policy, or, when the profile
/// did not open, from the policy file itself (an update may be what fixes the start). A
/// faulty policy or address leaves the updater off, with a log line.
pub fn fuer_start(ctx: &crate::commands::Shared) -> Option<Einstellung> {
    let richtlinie = match ctx {
        Ok(c) => c.richtlinie().clone(),
        Err(_) => app::profile::richtlinie_laden().ok()?,
    };
    match Einstellung::aus_richtlinie(&richtlinie.aktualisierung) {
        Ok(e) => e,
        Err(f) => {
            tracing::warn!(fehler = %f, "Aktualisierungen bleiben aus");
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_channel_fills_the_placeholder_or_becomes_a_query_parameter() {
        let u = endpunkt(
            "https://a.example/amtsstube/{{kanal}}/latest.json",
            Kanal::Vorab,
        )
        .unwrap();
        assert_eq!(u.as_str(), "https://a.example/amtsstube/vorab/latest.json");
        let u = endpunkt("https://a.example/latest.json?x=1", Kanal::Stabil).unwrap();
        assert_eq!(u.as_str(), "https://a.example/latest.json?x=1&kanal=stabil");
        let u = endpunkt(
            "https://a.example/{{kanal}}/{{target}}/latest.json",
            Kanal::Stabil,
        )
        .unwrap();
        assert_eq!(
            u.as_str(),
            "https://a.example/stabil/%7B%7Btarget%7D%7D/latest.json",
            "Tauri's own placeholders stay for the plugin (it reads them encoded)"
        );
    }

    #[test]
    fn only_https_or_this_machine_makes_an_endpoint() {
        assert!(endpunkt("http://127.0.0.1:9/latest.json", Kanal::Stabil).is_ok());
        assert!(endpunkt("http://localhost/latest.json", Kanal::Stabil).is_ok());
        for a in [
            "http://a.example/latest.json",
            "ftp://a.example/latest.json",
            "kein url",
        ] {
            assert!(
                matches!(
                    endpunkt(a, Kanal::Stabil),
                    Err(AktualisierungsFehler::Adresse { .. })
                ),
                "{a}"
            );
        }
    }

    #[test]
    fn the_updater_is_off_unless_the_policy_turns_it_on_with_key_and_address() {
        let an = Aktualisierung {
            aktiv: Some(true),
            kanal: None,
            oeffentlicher_schluessel: Some("c2NobMO8c3NlbA==".into()),
            adresse: Some("https://a.example/{{kanal}}/latest.json".into()),
        };
        let e = Einstellung::aus_richtlinie(&an).unwrap().unwrap();
        assert_eq!(e.kanal, Kanal::Stabil);
        assert_eq!(e.endpunkt.as_str(), "https://a.example/stabil/latest.json");
        let k = e.plugin_konfiguration();
        assert_eq!(k["requireSignedVersion"], true);
        assert_eq!(k["dangerousInsecureTransportProtocol"], false);
        assert_eq!(k["pubkey"], "c2NobMO8c3NlbA==");

        for aus in [
            Aktualisierung::default(),
            Aktualisierung {
                aktiv: Some(false),
                ..an.clone()
            },
            Aktualisierung {
                aktiv: None,
                ..an.clone()
            },
            Aktualisierung {
                oeffentlicher_schluessel: None,
                ..an.clone()
            },
            Aktualisierung {
                adresse: None,
                ..an.clone()
            },
        ] {
            assert_eq!(Einstellung::aus_richtlinie(&aus).unwrap(), None, "{aus:?}");
        }
    }
}
