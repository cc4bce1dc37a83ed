//! Attachments out of the encrypted store: byte ranges for the shell's `anlage://` protocol
//! (in memory only, never a plaintext file) and "Speichern unter…" (the only way a document
//! reaches the disk decrypted; audited).

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use ipc::{ErrorCode, IpcError};

use crate::vorgang::ANLAGE_GESPEICHERT;
use crate::{AppContext, fehler, vorgang_id};

/// Content of (a range of) an attachment, for the `anlage://` protocol.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnlageInhalt {
    /// MIME type (for `Content-Type`).
    pub mime: String,
    /// Size of the whole attachment (for `Content-Range: bytes start-end/gesamt`).
    pub gesamt: u64,
    /// Offset of the first byte in `bytes`.
    pub start: u64,
    /// The bytes: the whole content, or the requested range.
    pub bytes: Vec<u8>,
}

impl AnlageInhalt {
    /// Whether this is the whole content (answer 200) or a part (answer 206).
    pub fn ist_vollstaendig(&self) -> bool {
        self.start == 0 && self.bytes.len() as u64 == self.gesamt
    }
}

/// An attachment of a case, as linked in the store.
struct Verknuepft {
    dateiname: String,
    mime: String,
    groesse: u64,
}

fn nicht_im_vorgang() -> IpcError {
    IpcError::new(
        ErrorCode::NotFound,
        "Diese Anlage gehört nicht zu dem Vorgang oder ist nicht (mehr) gespeichert. \
         Öffnen Sie den Vorgang erneut.",
    )
}

fn lesefehler(e: std::io::Error) -> IpcError {
    IpcError::new(
        ErrorCode::Internal,
        format!(
            "Die Anlage lässt sich nicht lesen ({e}). Sie ist vielleicht beschädigt; wenden Sie \
             sich an die Administration."
        ),
    )
}

impl AppContext {
    fn verknuepfte_anlage(&self, vorgang: &str, sha512: &str) -> Result<Verknuepft, IpcError> {
        let id = vorgang_id(vorgang)?;
        let liste = self
            .store
            .read(|r| r.anlagen_fuer_vorgang(&id))
            .map_err(fehler)?;
        liste
            .into_iter()
            .find(|a| a.sha512.eq_ignore_ascii_case(sha512))
            .map(|a| Verknuepft {
                dateiname: a.dateiname,
                mime: a.mime,
                groesse: a.groesse,
            })
            .ok_or_else(nicht_im_vorgang)
    }

    /// The file name under which the attachment arrived (the shell's "Speichern unter…"
    /// dialog proposes it). Checks that the attachment belongs to the case.
    pub fn anlage_dateiname(&self, vorgang: &str, sha512: &str) -> Result<String, IpcError> {
        Ok(self.verknuepfte_anlage(vorgang, sha512)?.dateiname)
    }

    /// File name, type and size of an attachment of a case (for the default name in the
    /// shell's "Speichern unter…" dialog); `not_found` when it does not belong to the case.
    pub fn anlage_info(&self, vorgang: &str, sha512: &str) -> Result<ipc::AnlageInfo, IpcError> {
        let a = self.verknuepfte_anlage(vorgang, sha512)?;
        Ok(ipc::AnlageInfo {
            sha512: sha512.to_ascii_lowercase(),
            dateiname: a.dateiname,
            mime: a.mime,
            groesse: a.groesse,
            geprueft: true,
            url: crate::vorgang::anlage_url(vorgang, sha512),
        })
    }

    /// For the shell's `anlage://localhost/<vorgang>/<sha512>` protocol: the attachment's
    /// bytes, all of them (`bereich = None`) or the HTTP range `start-ende` (`ende`
    /// inclusive; `None` = to the end; an `ende` past the end is cut to the end). Checks
    /// that the attachment belongs to the case. Decrypts only the chunks the range touches,
    /// in memory. A `start` at or past the end is `invalid_input` (the shell answers 416).
    pub fn anlage_lesen(
        &self,
        vorgang_id: &str,
        sha512: &str,
        bereich: Option<(u64, Option<u64>)>,
    ) -> Result<AnlageInhalt, IpcError> {
        let a = self.verknuepfte_anlage(vorgang_id, sha512)?;
        let gesamt = a.groesse;
        let (start, ende) = match bereich {
            None => (0, gesamt),
            Some((s, e)) => {
                if s >= gesamt || e.is_some_and(|e| e < s) {
                    return Err(IpcError::new(
                        ErrorCode::InvalidInput,
                        format!(
                            "Der angefragte Bereich liegt außerhalb der Anlage ({gesamt} Bytes)."
                        ),
                    ));
                }
                (s, e.map_or(gesamt, |e| e.saturating_add(1).min(gesamt)))
            }
        };
        let mut leser = self.store.anlage_leser(sha512).map_err(fehler)?;
        if start > 0 {
            leser.springen(start).map_err(lesefehler)?;
        }
        let laenge = usize::try_from(ende - start).map_err(|_| {
            IpcError::new(
                ErrorCode::InvalidInput,
                "Der angefragte Bereich ist zu groß; fragen Sie ihn in Teilen an.",
            )
        })?;
        let mut bytes = Vec::with_capacity(laenge);
        leser
            .by_ref()
            .take(laenge as u64)
            .read_to_end(&mut bytes)
            .map_err(lesefehler)?;
        if bytes.len() != laenge {
            return Err(lesefehler(std::io::Error::other(
                "die Anlage ist kürzer als gespeichert",
            )));
        }
        Ok(AnlageInhalt {
            mime: a.mime,
            gesamt,
            start,
            bytes,
        })
    }

    /// "Speichern unter…": decrypts the attachment to `ziel` (the path the shell's save
    /// dialog returned). Streams through a temporary file in the same directory, fsyncs and
    /// renames it, so `ziel` is either the complete verified document or untouched. Audited
    /// `anlage.gespeichert` (file name and target). Returns the path written.
    pub fn anlage_exportieren(
        &self,
        vorgang: &str,
        sha512: &str,
        ziel: &Path,
    ) -> Result<String, IpcError> {
        let id = vorgang_id(vorgang)?;
        let a = self.verknuepfte_anlage(vorgang, sha512)?;
        atomar_schreiben_mit(ziel, |datei| {
            let mut leser = self.store.anlage_leser(sha512).map_err(fehler)?;
            let mut puffer = vec![0u8; 64 * 1024];
            loop {
                let n = leser.read(&mut puffer).map_err(lesefehler)?;
                if n == 0 {
                    break;
                }
                datei
                    .write_all(&puffer[..n])
                    .map_err(|e| schreibfehler(ziel, e))?;
            }
            Ok(())
        })?;
        let ziel_text = ziel.display().to_string();
        let ich = self.sitzung.benutzer.clone();
        self.store
            .write(|w| {
                w.audit_anhaengen(
                    &ich,
                    ANLAGE_GESPEICHERT,
                    Some(&id),
                    &format!("„{}“ → {ziel_text}", a.dateiname),
                )
            })
            .map_err(fehler)?;
        Ok(ziel_text)
    }
}

fn schreibfehler(ziel: &Path, e: std::io::Error) -> IpcError {
    IpcError::new(
        ErrorCode::InvalidInput,
        format!(
            "Die Datei {} lässt sich nicht schreiben ({e}). Wählen Sie einen anderen Ort.",
            ziel.display()
        ),
    )
}

/// Writes `ziel` complete or not at all: through a temporary file in the same directory,
/// fsynced and renamed; `schreiben` fills the file.
pub(crate) fn atomar_schreiben_mit(
    ziel: &Path,
    schreiben: impl FnOnce(&mut std::fs::File) -> Result<(), IpcError>,
) -> Result<(), IpcError> {
    let ordner = match ziel.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = ziel.file_name().ok_or_else(|| {
        IpcError::new(
            ErrorCode::InvalidInput,
            "Bitte wählen Sie einen Dateinamen zum Speichern.",
        )
    })?;
    let tmp = ordner.join(format!(
        ".{}.{}.teil",
        name.to_string_lossy(),
        uuid::Uuid::new_v4().simple()
    ));
    let ergebnis = (|| {
        let mut datei = std::fs::File::options()
            .write(true)
            .create_new(true)
            .open(&tmp)
            .map_err(|e| schreibfehler(ziel, e))?;
        schreiben(&mut datei)?;
        datei.sync_all().map_err(|e| schreibfehler(ziel, e))?;
        drop(datei);
        std::fs::rename(&tmp, ziel).map_err(|e| schreibfehler(ziel, e))
    })();
    if let Err(e) = ergebnis {
        let _ = std::fs::remove_file(&tmp);
        return Err(e);
    }
    Ok(())
}

/// [`atomar_schreiben_mit`] for bytes in memory.
pub(crate) fn atomar_schreiben(ziel: &Path, inhalt: &[u8]) -> Result<(), IpcError> {
    atomar_schreiben_mit(ziel, |d| {
        d.write_all(inhalt).map_err(|e| schreibfehler(ziel, e))
    })
}
