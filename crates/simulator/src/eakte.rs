//! A stand-in for the authority's E-Akte (DMS), for Demo-Modus and tests: it watches a
//! hand-over folder for xdomea `FVDaten.SGOAblegen.0605` containers, imports them into its own
//! store and answers `FVDaten.EmpfangBestaetigen.0629` and `FVDaten.ImportBestaetigen.0630`
//! into a return folder — the file-based exchange a real E-Akte offers.
//!
//! # What it does with a container
//! Only complete files named `{ProzessID}_FVDaten.SGOAblegen.0605.zip` count (a sender writes
//! under a temporary name and renames; names with a leading `.`, `.part` files and anything
//! else are left alone). Each is opened with [`xdomea::container_lesen`] (limits, checksums)
//! and validated with [`xdomea::schema::pruefen`]. Then:
//! - valid: unpacked to `ablage/importiert/<IDSGO>/`, answered with 0629 and a successful
//!   0630 (IDSGO and Ablageort `EAKTE-<year>-<n>`, counting imports), the zip removed;
//! - invalid (schema: AllgemeineRueckmeldung `0000008`; checksum, missing file, unreadable ZIP:
//!   SonstigeFehlermeldung): answered with 0629 and a failed 0630, the zip moved to
//!   `ablage/abgelehnt/`;
//! - a ProzessID seen before (`ablage/verarbeitet.json`) is not imported again: the same
//!   answers are written again (idempotent redelivery).
//!
//! Answers are written atomically (a temporary file with a leading `.` in the return folder,
//! fsync, rename). The register is written (atomically) before the answers, so a crash in
//! between only leads to the answers being written again.
//!
//! A ZIP that cannot be opened at all and was modified less than two seconds ago is left for
//! the next pass: it may still be being copied by a sender that does not rename.
//!
//! # Extending
//! Another fault for tests is a check in `einzeln` before the import, switched like
//! [`EAkteStandIn::fehler_einstellen`] (a file in the store, so it also reaches a stand-in
//! that already runs in [`EAkteStandIn::starten`]).

use std::collections::BTreeMap;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use notify::Watcher as _;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use uuid::Uuid;
use xdomea::{Beteiligter, Importergebnis};

/// Suffix of the containers the stand-in takes.
const ENDUNG: &str = "_FVDaten.SGOAblegen.0605.zip";

/// Unreadable ZIPs younger than this are left for a later pass.
const FRISCH: Duration = Duration::from_secs(2);

/// Poll interval beside the file watcher (a watcher can miss events, e.g. on network shares).
const ABFRAGE: Duration = Duration::from_secs(2);

/// The file in the store that makes the next import fail ([`EAkteStandIn::fehler_einstellen`]).
const FEHLER_DATEI: &str = "fehler_naechste.txt";

/// The register of processed ProzessIDs in the store.
const VERZEICHNIS: &str = "verarbeitet.json";

/// The stand-in E-Akte: the folders it works with.
#[derive(Debug, Clone)]
pub struct EAkteStandIn {
    /// The hand-over folder it watches.
    pub abgabe: PathBuf,
    /// The return folder it answers into.
    pub rueckgabe: PathBuf,
    /// Its own store: `importiert/<IDSGO>/`, `abgelehnt/`, `verarbeitet.json`.
    pub ablage: PathBuf,
}

/// What one pass did with one container.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verarbeitet {
    /// The ProzessID (from the file name).
    pub prozess_id: Option<Uuid>,
    /// Imported (now or, for a redelivery, before).
    pub erfolgreich: bool,
    /// The Ablageort, when imported.
    pub referenz: Option<String>,
    /// What happened, in German.
    pub meldung: String,
}

/// Errors of the stand-in itself (not of a message: those are answered with a 0630).
#[derive(Debug, thiserror::Error)]
pub enum EAkteError {
    /// A folder or file cannot be read or written.
    #[error(
        "Die simulierte E-Akte kann „{pfad}“ nicht lesen oder schreiben ({quelle}). Bitte Ordner und Rechte prüfen."
    )]
    Datei {
        /// The path.
        pfad: PathBuf,
        /// The cause.
        quelle: std::io::Error,
    },
    /// The register of processed messages is damaged.
    #[error(
        "Das Verzeichnis der verarbeiteten Abgaben „{pfad}“ ist beschädigt ({grund}). Bitte die Datei prüfen; ohne sie würden Abgaben doppelt importiert."
    )]
    Verzeichnis {
        /// The file.
        pfad: PathBuf,
        /// The cause.
        grund: String,
    },
    /// Messages cannot be validated (xmllint missing, temp directory not writable).
    #[error("{0}")]
    Schema(xdomea::schema::SchemaFehler),
}

fn datei_fehler(pfad: &Path) -> impl FnOnce(std::io::Error) -> EAkteError + '_ {
    move |quelle| EAkteError::Datei {
        pfad: pfad.to_path_buf(),
        quelle,
    }
}

/// One processed ProzessID, with the answers given.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Eintrag {
    erfolgreich: bool,
    referenz: Option<String>,
    id_sgo: Option<Uuid>,
    meldung: String,
    antwort_0629: String,
    antwort_0630: String,
}

/// `verarbeitet.json`.
#[derive(Debug, Default, Serialize, Deserialize)]
struct Verzeichnis {
    /// Imports so far (the Ablageort counts them).
    importe: u64,
    eintraege: BTreeMap<Uuid, Eintrag>,
}

/// Writes `inhalt` to `ziel` atomically: `.{name}.tmp` beside it, fsync, rename, fsync of the
/// folder.
fn atomar_schreiben(ziel: &Path, inhalt: &[u8]) -> Result<(), EAkteError> {
    let ordner = ziel.parent().unwrap_or(Path::new("."));
    let name = ziel
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = ordner.join(format!(".{name}.tmp"));
    let mut f = fs::File::create(&tmp).map_err(datei_fehler(&tmp))?;
    f.write_all(inhalt).map_err(datei_fehler(&tmp))?;
    f.sync_all().map_err(datei_fehler(&tmp))?;
    drop(f);
    fs::rename(&tmp, ziel).map_err(datei_fehler(ziel))?;
    // Makes the rename durable; not possible on every platform, hence best effort.
    if let Ok(d) = fs::File::open(ordner) {
        let _ = d.sync_all();
    }
    Ok(())
}

impl EAkteStandIn {
    /// The stand-in for these folders.
    pub fn neu(
        abgabe: impl Into<PathBuf>,
        rueckgabe: impl Into<PathBuf>,
        ablage: impl Into<PathBuf>,
    ) -> Self {
        EAkteStandIn {
            abgabe: abgabe.into(),
            rueckgabe: rueckgabe.into(),
            ablage: ablage.into(),
        }
    }

    /// Makes the next import fail with `text` as SonstigeFehlermeldung (`None`: switch off).
    /// Kept as a file in the store, so it reaches a stand-in already running.
    pub fn fehler_einstellen(&self, text: Option<String>) -> Result<(), EAkteError> {
        let pfad = self.ablage.join(FEHLER_DATEI);
        match text {
            Some(t) => {
                fs::create_dir_all(&self.ablage).map_err(datei_fehler(&self.ablage))?;
                atomar_schreiben(&pfad, t.as_bytes())
            }
            None => match fs::remove_file(&pfad) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(datei_fehler(&pfad)(e)),
                _ => Ok(()),
            },
        }
    }

    /// The E-Akte's own party in its answers.
    fn selbst() -> Beteiligter {
        Beteiligter {
            name: "E-Akte (Simulation)".into(),
            kennung: None,
            organisationseinheit: Some("Registratur".into()),
        }
    }

    fn verzeichnis_lesen(&self) -> Result<Verzeichnis, EAkteError> {
        let pfad = self.ablage.join(VERZEICHNIS);
        match fs::read(&pfad) {
            Ok(b) => serde_json::from_slice(&b).map_err(|e| EAkteError::Verzeichnis {
                pfad,
                grund: e.to_string(),
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Verzeichnis::default()),
            Err(e) => Err(datei_fehler(&pfad)(e)),
        }
    }

    fn verzeichnis_schreiben(&self, v: &Verzeichnis) -> Result<(), EAkteError> {
        let pfad = self.ablage.join(VERZEICHNIS);
        let json = serde_json::to_vec_pretty(v).map_err(|e| EAkteError::Verzeichnis {
            pfad: pfad.clone(),
            grund: e.to_string(),
        })?;
        atomar_schreiben(&pfad, &json)
    }

    /// The containers waiting in `abgabe`, sorted by name, with their ProzessID.
    fn wartende(&self) -> Result<Vec<(Uuid, PathBuf)>, EAkteError> {
        let mut liste = Vec::new();
        for e in fs::read_dir(&self.abgabe).map_err(datei_fehler(&self.abgabe))? {
            let e = e.map_err(datei_fehler(&self.abgabe))?;
            let name = e.file_name().to_string_lossy().into_owned();
            if name.starts_with('.') || !e.file_type().is_ok_and(|t| t.is_file()) {
                continue;
            }
            if let Some(id) = name
                .strip_suffix(ENDUNG)
                .and_then(|p| Uuid::parse_str(p).ok())
                && name == xdomea::container_name(&id)
            {
                liste.push((id, e.path()));
            }
        }
        liste.sort_by(|a, b| a.1.cmp(&b.1));
        Ok(liste)
    }

    /// One pass over `abgabe`: every waiting container imported or rejected and answered.
    pub fn verarbeiten(&self) -> Result<Vec<Verarbeitet>, EAkteError> {
        for d in [
            self.abgabe.clone(),
            self.rueckgabe.clone(),
            self.ablage.join("importiert"),
            self.ablage.join("abgelehnt"),
        ] {
            fs::create_dir_all(&d).map_err(datei_fehler(&d))?;
        }
        let mut verzeichnis = self.verzeichnis_lesen()?;
        let mut ergebnisse = Vec::new();
        for (prozess_id, pfad) in self.wartende()? {
            if let Some(v) = self.einzeln(prozess_id, &pfad, &mut verzeichnis)? {
                ergebnisse.push(v);
            }
        }
        Ok(ergebnisse)
    }

    /// One container; `None` when it is left for a later pass.
    fn einzeln(
        &self,
        prozess_id: Uuid,
        pfad: &Path,
        verzeichnis: &mut Verzeichnis,
    ) -> Result<Option<Verarbeitet>, EAkteError> {
        if let Some(e) = verzeichnis.eintraege.get(&prozess_id) {
            self.antworten_schreiben(prozess_id, e)?;
            entfernen(pfad)?;
            return Ok(Some(Verarbeitet {
                prozess_id: Some(prozess_id),
                erfolgreich: e.erfolgreich,
                referenz: e.referenz.clone(),
                meldung: "Bereits verarbeitet: nicht erneut importiert, dieselben Rückmeldungen erneut geschrieben.".into(),
            }));
        }
        let bytes = match fs::read(pfad) {
            Ok(b) => b,
            // Taken away meanwhile (e.g. by the sender): nothing to do.
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(datei_fehler(pfad)(e)),
        };
        let (ergebnis, xml) = match xdomea::container_lesen(&bytes) {
            Err(e) if e.ist_zip_fehler() && ist_frisch(pfad) => return Ok(None),
            Err(e) => (
                Importergebnis::Fehler {
                    code: String::new(),
                    text: e.to_string(),
                },
                None,
            ),
            Ok(c) if c.prozess_id != prozess_id => (
                Importergebnis::Fehler {
                    code: String::new(),
                    text: format!(
                        "Die ProzessID der Nachricht ({}) passt nicht zum Dateinamen ({prozess_id}).",
                        c.prozess_id
                    ),
                },
                None,
            ),
            Ok(c) => match xdomea::schema::pruefen(c.xml.as_bytes()) {
                Err(xdomea::schema::SchemaFehler::Ungueltig(m)) => (
                    Importergebnis::Fehler {
                        code: "0000008".into(),
                        text: m.chars().take(2000).collect(),
                    },
                    Some(c.xml),
                ),
                Err(e) => return Err(EAkteError::Schema(e)),
                Ok(()) => match self.eingestellter_fehler()? {
                    Some(text) => (
                        Importergebnis::Fehler {
                            code: String::new(),
                            text,
                        },
                        Some(c.xml),
                    ),
                    None => {
                        let id_sgo = Uuid::new_v4();
                        self.importieren(id_sgo, &c)?;
                        verzeichnis.importe += 1;
                        let ablageort = format!(
                            "EAKTE-{}-{:06}",
                            OffsetDateTime::now_utc().year(),
                            verzeichnis.importe
                        );
                        (Importergebnis::Erfolg { id_sgo, ablageort }, Some(c.xml))
                    }
                },
            },
        };
        let empfaenger = xml
            .and_then(|x| xdomea::kopf_lesen(x.as_bytes()).ok())
            .map(|k| k.absender)
            .unwrap_or_else(|| Beteiligter {
                name: "Fachverfahren".into(),
                kennung: None,
                organisationseinheit: None,
            });
        let selbst = Self::selbst();
        let jetzt = OffsetDateTime::now_utc();
        let (erfolgreich, referenz, id_sgo, meldung) = match &ergebnis {
            Importergebnis::Erfolg { id_sgo, ablageort } => (
                true,
                Some(ablageort.clone()),
                Some(*id_sgo),
                format!("Importiert als {ablageort}."),
            ),
            Importergebnis::Fehler { text, .. } => {
                (false, None, None, format!("Abgelehnt: {text}"))
            }
        };
        let eintrag = Eintrag {
            erfolgreich,
            referenz: referenz.clone(),
            id_sgo,
            meldung: meldung.clone(),
            antwort_0629: xdomea::empfang_0629(&prozess_id, &selbst, &empfaenger, jetzt),
            antwort_0630: xdomea::import_0630(&prozess_id, &selbst, &empfaenger, jetzt, &ergebnis),
        };
        verzeichnis.eintraege.insert(prozess_id, eintrag.clone());
        self.verzeichnis_schreiben(verzeichnis)?;
        self.antworten_schreiben(prozess_id, &eintrag)?;
        if erfolgreich {
            entfernen(pfad)?;
        } else {
            let name = pfad.file_name().unwrap_or_default();
            let ziel = self.ablage.join("abgelehnt").join(name);
            if fs::rename(pfad, &ziel).is_err() {
                // Another file system: copy, then remove.
                fs::copy(pfad, &ziel).map_err(datei_fehler(&ziel))?;
                entfernen(pfad)?;
            }
        }
        Ok(Some(Verarbeitet {
            prozess_id: Some(prozess_id),
            erfolgreich,
            referenz,
            meldung,
        }))
    }

    /// Takes the switched-on fault, if any (it applies once).
    fn eingestellter_fehler(&self) -> Result<Option<String>, EAkteError> {
        let pfad = self.ablage.join(FEHLER_DATEI);
        match fs::read_to_string(&pfad) {
            Ok(t) => {
                fs::remove_file(&pfad).map_err(datei_fehler(&pfad))?;
                Ok(Some(t))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(datei_fehler(&pfad)(e)),
        }
    }

    /// Unpacks the message and its files to `importiert/<id_sgo>/` (via a hidden temporary
    /// folder, renamed when complete).
    fn importieren(&self, id_sgo: Uuid, c: &xdomea::GelesenerContainer) -> Result<(), EAkteError> {
        let basis = self.ablage.join("importiert");
        let tmp = basis.join(format!(".{id_sgo}.tmp"));
        fs::create_dir_all(&tmp).map_err(datei_fehler(&tmp))?;
        let xml_name = format!("{}_FVDaten.SGOAblegen.0605.xml", c.prozess_id);
        // The names are plain file names (checked by `container_lesen`).
        for (name, inhalt) in std::iter::once((&xml_name, c.xml.as_bytes()))
            .chain(c.dateien.iter().map(|(n, b)| (n, b.as_slice())))
        {
            let ziel = tmp.join(name);
            fs::write(&ziel, inhalt).map_err(datei_fehler(&ziel))?;
        }
        let ziel = basis.join(id_sgo.to_string());
        fs::rename(&tmp, &ziel).map_err(datei_fehler(&ziel))
    }

    fn antworten_schreiben(&self, prozess_id: Uuid, e: &Eintrag) -> Result<(), EAkteError> {
        atomar_schreiben(
            &self
                .rueckgabe
                .join(xdomea::rueckmeldung_name(&prozess_id, "0629")),
            e.antwort_0629.as_bytes(),
        )?;
        atomar_schreiben(
            &self
                .rueckgabe
                .join(xdomea::rueckmeldung_name(&prozess_id, "0630")),
            e.antwort_0630.as_bytes(),
        )
    }

    /// One pass off the async workers (it reads files and runs xmllint).
    async fn durchgang(&self) {
        let s = self.clone();
        match tokio::task::spawn_blocking(move || s.verarbeiten()).await {
            Ok(Ok(liste)) => {
                for v in liste {
                    tracing::info!(
                        prozess_id = ?v.prozess_id,
                        erfolgreich = v.erfolgreich,
                        "Simulierte E-Akte: {}",
                        v.meldung
                    );
                }
            }
            Ok(Err(e)) => tracing::warn!("Simulierte E-Akte: {e}"),
            Err(e) => tracing::warn!("Simulierte E-Akte: Durchgang abgebrochen ({e})"),
        }
    }

    /// Runs until `stopp` is true (or its sender is gone): one pass at the start, then one on
    /// every change in `abgabe` (file watcher) and at least every two seconds.
    pub async fn laufen(self, mut stopp: tokio::sync::watch::Receiver<bool>) {
        if let Err(e) = fs::create_dir_all(&self.abgabe) {
            tracing::warn!("Simulierte E-Akte: Abgabeordner nicht anlegbar ({e})");
        }
        let signal = Arc::new(tokio::sync::Notify::new());
        let s = signal.clone();
        let watcher = notify::recommended_watcher(move |r: notify::Result<notify::Event>| {
            if r.is_ok() {
                s.notify_one();
            }
        })
        .and_then(|mut w| {
            w.watch(&self.abgabe, notify::RecursiveMode::NonRecursive)?;
            Ok(w)
        });
        if let Err(e) = &watcher {
            tracing::warn!("Simulierte E-Akte: keine Dateiüberwachung, nur Abfrage alle 2 s ({e})");
        }
        loop {
            if *stopp.borrow() {
                break;
            }
            self.durchgang().await;
            tokio::select! {
                r = stopp.changed() => {
                    if r.is_err() {
                        break;
                    }
                }
                _ = signal.notified() => {}
                _ = tokio::time::sleep(ABFRAGE) => {}
            }
        }
        drop(watcher);
    }

    /// Spawns [`EAkteStandIn::laufen`] on the current tokio runtime.
    pub fn starten(self) -> EAkteHandle {
        let (stopp, rx) = tokio::sync::watch::channel(false);
        EAkteHandle {
            stopp,
            task: tokio::spawn(self.laufen(rx)),
        }
    }
}

/// Removes a file; gone already is fine.
fn entfernen(pfad: &Path) -> Result<(), EAkteError> {
    match fs::remove_file(pfad) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(datei_fehler(pfad)(e)),
        _ => Ok(()),
    }
}

fn ist_frisch(pfad: &Path) -> bool {
    fs::metadata(pfad)
        .and_then(|m| m.modified())
        .ok()
        .and_then(|t| SystemTime::now().duration_since(t).ok())
        .is_none_or(|alter| alter < FRISCH)
}

/// A running stand-in ([`EAkteStandIn::starten`]).
#[derive(Debug)]
pub struct EAkteHandle {
    stopp: tokio::sync::watch::Sender<bool>,
    task: tokio::task::JoinHandle<()>,
}

impl EAkteHandle {
    /// Stops it after the current pass and waits for it to end.
    pub async fn stoppen(self) {
        let _ = self.stopp.send(true);
        let _ = self.task.await;
    }
}
