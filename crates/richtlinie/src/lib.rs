//! The administrator's policy (Richtlinie): what municipal IT pins for every profile on one
//! machine, in `/etc/amtsstube/policy.toml` (Windows `%ProgramData%\Amtsstube\policy.toml`).
//!
//! Every field is optional: a field that is absent is not pinned, and a machine without the
//! file pins nothing ([`Richtlinie::default`]). What a field pins:
//!
//! | field | pins | read by |
//! |---|---|---|
//! | `[zustelldienst] base_url`, `token_url`, `destination_id` | the integration service; overrides `connection.json`, `amtsstube connect` refuses another value | app (connection), CLI `connect` |
//! | `schluesselquelle` (`"schluesselbund"` or `"datei"` with `schluesseldatei`) | where the database key lives; `AMTSSTUBE_KEY_FILE` no longer chooses | app, CLI (store) |
//! | `[siegel]` (as in `behoerde.toml`, absolute paths) | the authority's seal; replaces `[siegel]` of `behoerde.toml` | app (Bescheid) |
//! | `rollen_datei` | the role assignment instead of `rollen.toml` beside the policy | app (session) |
//! | `demo_erlaubt = false` | no Demo-Modus: an unconnected profile does not start | app |
//! | `[aktualisierung] aktiv`, `kanal`, `oeffentlicher_schluessel`, `adresse` | the updater: on only with `aktiv = true`, key and address | desktop shell (`aktualisierung`) |
//! | `protokollstufe` | log level | the log set-up (crate `protokoll`: the desktop app and the CLI) |
//!
//! # Design
//!
//! Loading is all or nothing, like the Behördenkonfiguration: [`Richtlinie::laden`] either
//! returns a checked policy or a [`RichtlinienFehler`] naming file, line and field, and the
//! app does not start on it. Unknown fields are errors (a misspelt field must not silently
//! pin nothing). URLs must be `https://` (plain `http://` only to this machine), paths
//! absolute (the policy holds for every profile, so nothing may be relative to one).
//!
//! This crate only reads and checks; it knows neither the profile nor the store. The app
//! (`crates/app`, module `profile`) finds the file, applies the pins and refuses a start the
//! policy forbids ([`Richtlinie::demo_pruefen`]); [`Richtlinie::festlegungen`] lists what is
//! pinned for the settings view („von der Administration festgelegt“).
//!
//! To extend: add the field to [`Richtlinie`] (or one of its tables) as an `Option`, its check
//! in [`Richtlinie::pruefen`], its row in [`Richtlinie::festlegungen`], a line in
//! `assets/examples/policy.toml` and in the README's configuration table.
#![deny(missing_docs)]

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use base64::Engine as _;
use serde::Deserialize;

/// File name of the policy in the administrator's directory.
pub const DATEINAME: &str = "policy.toml";

/// Why a policy cannot be used: which file, where, which field and what is wrong, in German
/// for the administrator.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct RichtlinienFehler {
    /// The policy file.
    pub datei: String,
    /// Line (from 1), where known.
    pub zeile: Option<usize>,
    /// The field as a path, e.g. `zustelldienst.base_url`.
    pub feld: String,
    /// What is wrong and what to do.
    pub meldung: String,
}

impl fmt::Display for RichtlinienFehler {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Richtlinie {}", self.datei)?;
        if let Some(z) = self.zeile {
            write!(f, ", Zeile {z}")?;
        }
        if !self.feld.is_empty() {
            write!(f, ", Feld „{}“", self.feld)?;
        }
        write!(f, ": {}", self.meldung)
    }
}

/// The integration service as pinned (each field on its own).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Zustelldienst {
    /// Base URL of the submission API.
    pub base_url: Option<String>,
    /// OAuth2 token endpoint.
    pub token_url: Option<String>,
    /// The destination (Zustellpunkt).
    pub destination_id: Option<String>,
}

/// Where the database key lives; exactly the sources the store knows, never a plaintext one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SchluesselArt {
    /// The OS keyring (one account per profile).
    Schluesselbund,
    /// The key file `schluesseldatei` (owner-only; headless machines with one account).
    Datei,
}

/// The authority's seal as pinned: a PKCS#12 file, or a key on a PKCS#11 token. Secrets stay
/// in the OS keyring as with `[siegel]` in `behoerde.toml`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Siegel {
    /// A PKCS#12 file (absolute path).
    pub pkcs12: Option<PathBuf>,
    /// A PKCS#11 module (absolute path of the library).
    pub pkcs11_modul: Option<PathBuf>,
    /// The token's label.
    pub token: Option<String>,
    /// The key's label on the token.
    pub schluessel: Option<String>,
    /// Root certificates (PEM files, absolute paths) that seals on incoming PDFs are checked
    /// against.
    #[serde(default)]
    pub vertrauensanker: Vec<PathBuf>,
}

/// Update channel of the updater.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kanal {
    /// Released versions only.
    Stabil,
    /// Pre-releases too (test machines of the IT).
    Vorab,
}

impl Kanal {
    /// As written in the file.
    pub fn name(self) -> &'static str {
        match self {
            Self::Stabil => "stabil",
            Self::Vorab => "vorab",
        }
    }
}

/// The updater's settings, read by the desktop shell (module `aktualisierung`). The updater
/// runs only with `aktiv = true`, and then [`Richtlinie::pruefen`] has made sure the key and
/// the address are there; anything else (no policy, `aktiv` absent or `false`) leaves it off.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Aktualisierung {
    /// Whether the app looks for updates; only `true` turns the updater on.
    pub aktiv: Option<bool>,
    /// Which releases it follows.
    pub kanal: Option<Kanal>,
    /// The public key (Tauri updater / minisign, base64 as `tauri signer generate` prints it)
    /// every update must be signed with.
    pub oeffentlicher_schluessel: Option<String>,
    /// The update manifest's address (`latest.json` of the Tauri updater): `https://`, plain
    /// `http://` only to this machine. `{{kanal}}` in it becomes the channel's name; an
    /// address without it gets `?kanal=…` appended (see the shell's `aktualisierung`).
    pub adresse: Option<String>,
}

impl Aktualisierung {
    /// Whether the updater is to run: only with `aktiv = true` (which the check ties to a key
    /// and an address).
    pub fn eingeschaltet(&self) -> bool {
        self.aktiv == Some(true)
            && self.oeffentlicher_schluessel.is_some()
            && self.adresse.is_some()
    }
}

/// Log level, by `tracing`'s names or the German ones the log set-up (crate `protokoll`,
/// `stufe_lesen`) knows too. Read by the log set-up of the desktop app and the CLI.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Protokollstufe {
    /// Nothing is logged.
    #[serde(alias = "off")]
    Aus,
    /// Errors only.
    #[serde(alias = "fehler")]
    Error,
    /// Errors and warnings.
    #[serde(alias = "warnung", alias = "warning")]
    Warn,
    /// The default: what happened, without detail.
    Info,
    /// Detail for the IT.
    Debug,
    /// Everything.
    #[serde(alias = "ablauf")]
    Trace,
}

impl Protokollstufe {
    /// As written in the file (and as `tracing` names it).
    pub fn name(self) -> &'static str {
        match self {
            Self::Aus => "off",
            Self::Error => "error",
            Self::Warn => "warn",
            Self::Info => "info",
            Self::Debug => "debug",
            Self::Trace => "trace",
        }
    }
}

/// The policy, checked. `Default`: nothing pinned (no file).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Richtlinie {
    /// `false`: Demo-Modus is not allowed. Absent: allowed.
    pub demo_erlaubt: Option<bool>,
    /// Where the database key lives.
    pub schluesselquelle: Option<SchluesselArt>,
    /// The key file of `schluesselquelle = "datei"` (absolute path).
    pub schluesseldatei: Option<PathBuf>,
    /// The role assignment (absolute path) instead of `rollen.toml` beside the policy.
    pub rollen_datei: Option<PathBuf>,
    /// Log level (read by the log set-up).
    pub protokollstufe: Option<Protokollstufe>,
    /// The integration service.
    #[serde(default)]
    pub zustelldienst: Zustelldienst,
    /// The authority's seal.
    pub siegel: Option<Siegel>,
    /// The updater.
    #[serde(default)]
    pub aktualisierung: Aktualisierung,
    /// The file it was read from; `None`: there is none.
    #[serde(skip)]
    pub datei: Option<String>,
    /// Line of each field written, by its path.
    #[serde(skip)]
    zeilen: BTreeMap<String, usize>,
}

/// One pinned setting, for the settings view and messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Festlegung {
    /// The field as written, e.g. `zustelldienst.base_url`.
    pub feld: &'static str,
    /// German label.
    pub bezeichnung: &'static str,
    /// The pinned value as text.
    pub wert: String,
    /// Its line in the file.
    pub zeile: Option<usize>,
}

impl Richtlinie {
    /// Reads and checks the policy at `pfad`. No file there: nothing is pinned. A file that
    /// exists but cannot be read is an error, never skipped.
    pub fn laden(pfad: &Path) -> Result<Self, RichtlinienFehler> {
        let datei = pfad.display().to_string();
        match std::fs::read_to_string(pfad) {
            Ok(text) => Self::aus_text(&text, &datei),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Self::default()),
            Err(e) => Err(RichtlinienFehler {
                datei,
                zeile: None,
                feld: String::new(),
                meldung: format!(
                    "Die Datei lässt sich nicht lesen ({e}). Sie muss für alle Benutzer lesbar sein (chmod 644)."
                ),
            }),
        }
    }

    /// Parses and checks `text` (named `datei` in messages).
    pub fn aus_text(text: &str, datei: &str) -> Result<Self, RichtlinienFehler> {
        let fehler_aus = |e: &toml::de::Error, feld: String| RichtlinienFehler {
            datei: datei.to_owned(),
            zeile: e
                .span()
                .map(|s| text[..s.start.min(text.len())].matches('\n').count() + 1),
            feld,
            meldung: deutsch(e.message()),
        };
        let de = toml::Deserializer::parse(text).map_err(|e| fehler_aus(&e, String::new()))?;
        let mut r: Self = serde_path_to_error::deserialize(de).map_err(|e| {
            let feld = e.path().to_string();
            let feld = if feld == "." { String::new() } else { feld };
            fehler_aus(e.inner(), feld)
        })?;
        r.datei = Some(datei.to_owned());
        r.zeilen = zeilen(text);
        r.pruefen()?;
        Ok(r)
    }

    /// The line of field `feld` (a path like `zustelldienst.base_url`), if written.
    pub fn zeile(&self, feld: &str) -> Option<usize> {
        self.zeilen.get(feld).copied()
    }

    /// Where `feld` is pinned, for messages: „in /etc/amtsstube/policy.toml, Zeile 4“.
    pub fn wo(&self, feld: &str) -> String {
        let datei = self.datei.as_deref().unwrap_or("der Richtlinie");
        match self.zeile(feld) {
            Some(z) => format!("in {datei}, Zeile {z}"),
            None => format!("in {datei}"),
        }
    }

    fn fehler(&self, feld: &str, meldung: String) -> RichtlinienFehler {
        RichtlinienFehler {
            datei: self.datei.clone().unwrap_or_default(),
            zeile: self.zeile(feld),
            feld: feld.to_owned(),
            meldung,
        }
    }

    /// The checks that need more than a field's type.
    fn pruefen(&self) -> Result<(), RichtlinienFehler> {
        let z = &self.zustelldienst;
        for (feld, wert) in [
            ("zustelldienst.base_url", &z.base_url),
            ("zustelldienst.token_url", &z.token_url),
        ] {
            if let Some(u) = wert {
                url_pruefen(u).map_err(|m| self.fehler(feld, m))?;
            }
        }
        if let Some(d) = &z.destination_id
            && (d.trim().is_empty() || d.trim() != d)
        {
            return Err(self.fehler(
                "zustelldienst.destination_id",
                "Die Zustellpunkt-ID (destinationId) ist leer oder hat Leerzeichen am Rand.".into(),
            ));
        }
        match (self.schluesselquelle, &self.schluesseldatei) {
            (Some(SchluesselArt::Datei), None) => {
                return Err(self.fehler(
                    "schluesselquelle",
                    "Mit schluesselquelle = \"datei\" gehört schluesseldatei = \"/absoluter/pfad\" dazu."
                        .into(),
                ));
            }
            (Some(SchluesselArt::Schluesselbund), Some(_)) => {
                return Err(self.fehler(
                    "schluesseldatei",
                    "schluesseldatei gilt nur mit schluesselquelle = \"datei\"; mit dem \
                     Schlüsselbund entfällt sie."
                        .into(),
                ));
            }
            (None, Some(_)) => {
                return Err(self.fehler(
                    "schluesseldatei",
                    "Eine Schlüsseldatei braucht schluesselquelle = \"datei\" (ohne Angabe gilt \
                     der Schlüsselbund)."
                        .into(),
                ));
            }
            _ => {}
        }
        if let Some(p) = &self.schluesseldatei {
            absolut("schluesseldatei", p).map_err(|m| self.fehler("schluesseldatei", m))?;
        }
        if let Some(p) = &self.rollen_datei {
            absolut("rollen_datei", p).map_err(|m| self.fehler("rollen_datei", m))?;
        }
        if let Some(s) = &self.siegel {
            let token = [
                s.pkcs11_modul.is_some(),
                s.token.is_some(),
                s.schluessel.is_some(),
            ];
            let alle_token = token.iter().all(|b| *b);
            let kein_token = token.iter().all(|b| !*b);
            match (&s.pkcs12, alle_token, kein_token) {
                (Some(p), _, true) => {
                    absolut("siegel.pkcs12", p).map_err(|m| self.fehler("siegel.pkcs12", m))?;
                }
                (None, true, _) => {
                    if let Some(m) = &s.pkcs11_modul {
                        absolut("siegel.pkcs11_modul", m)
                            .map_err(|e| self.fehler("siegel.pkcs11_modul", e))?;
                    }
                }
                _ => {
                    return Err(self.fehler(
                        "siegel",
                        "[siegel] braucht entweder pkcs12 (PKCS#12-Datei) oder pkcs11_modul, \
                         token und schluessel (PKCS#11-Token), nicht beides und nicht nur einen \
                         Teil."
                            .into(),
                    ));
                }
            }
            for (i, a) in s.vertrauensanker.iter().enumerate() {
                absolut("siegel.vertrauensanker", a).map_err(|m| {
                    let mut f = self.fehler("siegel.vertrauensanker", m);
                    f.feld = format!("siegel.vertrauensanker[{i}]");
                    f
                })?;
            }
        }
        let a = &self.aktualisierung;
        if let Some(k) = &a.oeffentlicher_schluessel {
            aktualisierungsschluessel_pruefen(k)
                .map_err(|m| self.fehler("aktualisierung.oeffentlicher_schluessel", m))?;
        }
        if let Some(u) = &a.adresse {
            url_pruefen(u).map_err(|m| self.fehler("aktualisierung.adresse", m))?;
        }
        if a.aktiv == Some(true) && a.oeffentlicher_schluessel.is_none() {
            return Err(self.fehler(
                "aktualisierung.aktiv",
                "Aktualisierungen ohne oeffentlicher_schluessel: jede Aktualisierung wird gegen \
                 diesen Schlüssel geprüft; tragen Sie ihn ein oder setzen Sie aktiv = false."
                    .into(),
            ));
        }
        if a.aktiv == Some(true) && a.adresse.is_none() {
            return Err(self.fehler(
                "aktualisierung.aktiv",
                "Aktualisierungen ohne adresse: tragen Sie die Adresse der Aktualisierungsliste \
                 (latest.json, https://) als adresse ein oder setzen Sie aktiv = false."
                    .into(),
            ));
        }
        Ok(())
    }

    /// Refuses Demo-Modus when the policy forbids it: `demo` is whether the profile would
    /// start in Demo-Modus (it has no connection).
    pub fn demo_pruefen(&self, demo: bool) -> Result<(), RichtlinienFehler> {
        if demo && self.demo_erlaubt == Some(false) {
            return Err(self.fehler(
                "demo_erlaubt",
                "Die Administration hat den Demo-Modus nicht erlaubt, und dieses Profil ist mit \
                 keinem Zustelldienst verbunden. Verbinden Sie es mit `amtsstube connect` oder \
                 wenden Sie sich an die IT."
                    .into(),
            ));
        }
        Ok(())
    }

    /// Whether the policy pins anything at all.
    pub fn legt_etwas_fest(&self) -> bool {
        !self.festlegungen().is_empty()
    }

    /// Everything the policy pins, in the order of the file's documentation.
    pub fn festlegungen(&self) -> Vec<Festlegung> {
        let pfad = |p: &Path| p.display().to_string();
        let ja_nein = |b: bool| if b { "ja" } else { "nein" }.to_owned();
        let z = &self.zustelldienst;
        let a = &self.aktualisierung;
        let zeilen: Vec<(&'static str, &'static str, Option<String>)> = vec![
            (
                "zustelldienst.base_url",
                "Zustelldienst (Dienst-Adresse)",
                z.base_url.clone(),
            ),
            (
                "zustelldienst.token_url",
                "Token-Adresse",
                z.token_url.clone(),
            ),
            (
                "zustelldienst.destination_id",
                "Zustellpunkt",
                z.destination_id.clone(),
            ),
            (
                "schluesselquelle",
                "Schlüsselquelle der Datenbank",
                self.schluesselquelle.map(|q| match q {
                    SchluesselArt::Schluesselbund => "Schlüsselbund des Betriebssystems".to_owned(),
                    SchluesselArt::Datei => "Schlüsseldatei".to_owned(),
                }),
            ),
            (
                "schluesseldatei",
                "Schlüsseldatei",
                self.schluesseldatei.as_deref().map(pfad),
            ),
            (
                "siegel",
                "Siegel",
                self.siegel.as_ref().map(|s| match (&s.pkcs12, &s.token) {
                    (Some(p), _) => format!("PKCS#12-Datei {}", p.display()),
                    (None, Some(t)) => format!(
                        "PKCS#11-Token „{t}“, Schlüssel „{}“",
                        s.schluessel.as_deref().unwrap_or_default()
                    ),
                    (None, None) => String::new(),
                }),
            ),
            (
                "siegel.vertrauensanker",
                "Vertrauensanker für Siegel",
                self.siegel
                    .as_ref()
                    .filter(|s| !s.vertrauensanker.is_empty())
                    .map(|s| {
                        s.vertrauensanker
                            .iter()
                            .map(|p| pfad(p))
                            .collect::<Vec<_>>()
                            .join(", ")
                    }),
            ),
            (
                "rollen_datei",
                "Rollenzuordnung",
                self.rollen_datei.as_deref().map(pfad),
            ),
            (
                "demo_erlaubt",
                "Demo-Modus erlaubt",
                self.demo_erlaubt.map(ja_nein),
            ),
            (
                "aktualisierung.aktiv",
                "Automatische Aktualisierung",
                a.aktiv.map(ja_nein),
            ),
            (
                "aktualisierung.kanal",
                "Aktualisierungskanal",
                a.kanal.map(|k| k.name().to_owned()),
            ),
            (
                "aktualisierung.oeffentlicher_schluessel",
                "Schlüssel für Aktualisierungen",
                a.oeffentlicher_schluessel.clone(),
            ),
            (
                "aktualisierung.adresse",
                "Adresse für Aktualisierungen",
                a.adresse.clone(),
            ),
            (
                "protokollstufe",
                "Protokollstufe",
                self.protokollstufe.map(|s| s.name().to_owned()),
            ),
        ];
        zeilen
            .into_iter()
            .filter_map(|(feld, bezeichnung, wert)| {
                wert.map(|wert| Festlegung {
                    feld,
                    bezeichnung,
                    wert,
                    zeile: self.zeile(feld),
                })
            })
            .collect()
    }
}

/// `https://`, or `http://` to this machine only (127.0.0.1, ::1, localhost), as the
/// FIT-Connect client requires.
fn url_pruefen(u: &str) -> Result<(), String> {
    let parsed =
        url::Url::parse(u).map_err(|e| format!("„{u}“ ist keine gültige Adresse ({e})."))?;
    match parsed.scheme() {
        "https" => Ok(()),
        "http" => {
            let lokal = match parsed.host() {
                Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
                Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
                Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
                None => false,
            };
            if lokal {
                Ok(())
            } else {
                Err(format!(
                    "„{u}“ ist unverschlüsselt (http://) zu einem anderen Rechner; nur https:// \
                     (http:// nur an 127.0.0.1, ::1 oder localhost)."
                ))
            }
        }
        other => Err(format!("„{u}“: Schema {other}:// statt https://.")),
    }
}

fn absolut(feld: &str, p: &Path) -> Result<(), String> {
    if p.is_absolute() {
        Ok(())
    } else {
        Err(format!(
            "{feld} = „{}“ ist kein absoluter Pfad; die Richtlinie gilt für jedes Profil, Pfade \
             darin beginnen mit / (Windows: C:\\…).",
            p.display()
        ))
    }
}

/// A Tauri updater key: base64 of a minisign public key file, whose key line is base64 of 42
/// bytes beginning with „Ed“.
fn aktualisierungsschluessel_pruefen(k: &str) -> Result<(), String> {
    let b64 = base64::engine::general_purpose::STANDARD;
    let falsch = || {
        "Kein öffentlicher Schlüssel im Format des Tauri-Updaters (base64 der .pub-Datei von \
         `tauri signer generate`)."
            .to_owned()
    };
    let datei = b64.decode(k.trim()).map_err(|_| falsch())?;
    let datei = String::from_utf8(datei).map_err(|_| falsch())?;
    let zeile = datei
        .lines()
        .map(str::trim)
        .rfind(|l| !l.is_empty())
        .ok_or_else(falsch)?;
    match b64.decode(zeile) {
        Ok(roh) if roh.len() == 42 && roh.starts_with(b"Ed") => Ok(()),
        _ => Err(falsch()),
    }
}

/// The line of every `key = …` in `text`, by its path (`table.key`; top-level keys by name).
fn zeilen(text: &str) -> BTreeMap<String, usize> {
    let mut aus = BTreeMap::new();
    let mut tabelle = String::new();
    for (n, zeile) in text.lines().enumerate() {
        let z = zeile.trim();
        if let Some(rest) = z.strip_prefix('[') {
            tabelle = rest
                .trim_start_matches('[')
                .split(']')
                .next()
                .unwrap_or_default()
                .trim()
                .to_owned();
            aus.entry(tabelle.clone()).or_insert(n + 1);
            continue;
        }
        if let Some((schluessel, _)) = z.split_once('=')
            && !z.starts_with('#')
        {
            let schluessel = schluessel.trim().trim_matches('"');
            let pfad = if tabelle.is_empty() {
                schluessel.to_owned()
            } else {
                format!("{tabelle}.{schluessel}")
            };
            aus.entry(pfad).or_insert(n + 1);
        }
    }
    aus
}

/// serde's and toml's messages, in German for the administrator.
fn deutsch(m: &str) -> String {
    [
        ("unknown field", "unbekanntes Feld"),
        ("unknown variant", "unbekannter Wert"),
        ("invalid type:", "falscher Typ:"),
        ("expected one of", "erlaubt sind"),
        ("expected", "erwartet"),
        ("duplicate key", "doppelter Schlüssel"),
        ("invalid value:", "ungültiger Wert:"),
        ("a boolean", "true oder false"),
        ("a string", "ein Text in Anführungszeichen"),
        ("integer", "Zahl"),
    ]
    .iter()
    .fold(m.trim().to_owned(), |acc, (en, de)| acc.replace(en, de))
}

#[cfg(test)]
mod tests;
