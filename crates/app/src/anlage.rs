//! Attachments out of the encrypted store: byte ranges for the shell's `anlage://` protocol
//! (in memory only, never a plaintext file) and "Speichern unter…" (the only way a document
//! reaches the disk decrypted; audited).
//!
//! Documents come from applicants and are hostile until proven otherwise. The protocol's
//! whole answer is decided here, without Tauri ([`AppContext::anlage_antwort`]); the shell
//! only copies status, headers and body:
//!
//! - Only a case this window opened (audited `vorgang.geoeffnet`) has its documents served;
//!   otherwise 403. The first read of a document within an opening is audited
//!   `anlage.angesehen`; pdf.js's further range requests are not (the audit table itself says
//!   whether this opening already has the entry, so nothing is kept beside it).
//! - The type is found by the first bytes, never by what the applicant declared: PDF, PNG,
//!   JPEG, GIF and WebP (what the viewer shows) are served inline with that type; anything
//!   else is `application/octet-stream` with `Content-Disposition: attachment`.
//! - Every answer carries `Content-Security-Policy: sandbox` (a document the window is
//!   navigated to runs no script and has an opaque origin, so no IPC), `nosniff` and
//!   `no-store`. The UI reads PDFs with pdf.js by `fetch` from the app's own origin and shows
//!   images with `<img>`; neither is a document, so the sandbox does not touch the preview.
//!   CORS is granted to exactly the app's origins ([`APP_URSPRUENGE`]), never `*`.
//! - A range answer is at most [`MAX_BEREICH`] bytes (a shorter 206, which HTTP allows).

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use ipc::{ErrorCode, IpcError};

use crate::vorgang::ANLAGE_GESPEICHERT;
use crate::{AppContext, fehler, vorgang_id};

/// Audit code of the first read of a document within an opening of its case.
pub const ANLAGE_ANGESEHEN: &str = "anlage.angesehen";

/// The most bytes one range answer carries (pdf.js asks for 256 KiB at a time).
pub const MAX_BEREICH: u64 = 4 * 1024 * 1024;

/// The origins the app's own pages are loaded from (Linux and macOS: `tauri://localhost`;
/// Windows: `http(s)://tauri.localhost`). Only these get CORS access to documents.
pub const APP_URSPRUENGE: &[&str] = &[
    "tauri://localhost",
    "http://tauri.localhost",
    "https://tauri.localhost",
];

/// The policy of every answer: no script, no plugin, no form, opaque origin, and no
/// subresource loads either.
pub const CSP: &str =
    "sandbox; default-src 'none'; frame-ancestors 'none'; form-action 'none'; base-uri 'none'";

/// How many leading bytes [`inline_typ`] looks at.
const SNIFF_LAENGE: usize = 16;

/// The type under which a document with these first bytes is shown inline, if it is one the
/// viewer shows (PDF, PNG, JPEG, GIF, WebP); `None` for anything else. The declared type does
/// not count: an HTML file declared `image/png` is not an image.
pub fn inline_typ(anfang: &[u8]) -> Option<&'static str> {
    if anfang.starts_with(b"%PDF-") {
        Some("application/pdf")
    } else if anfang.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else if anfang.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else if anfang.starts_with(b"GIF87a") || anfang.starts_with(b"GIF89a") {
        Some("image/gif")
    } else if anfang.len() >= 12 && anfang.starts_with(b"RIFF") && &anfang[8..12] == b"WEBP" {
        Some("image/webp")
    } else {
        None
    }
}

/// A request to the `anlage://` protocol, as the shell received it.
#[derive(Debug, Clone, Copy, Default)]
pub struct HttpAnfrage<'a> {
    /// `GET`, `HEAD`, `OPTIONS` …
    pub methode: &'a str,
    /// The URL's path: `/<vorgang-id>/<sha512>`.
    pub pfad: &'a str,
    /// The `Range` header, if any.
    pub range: Option<&'a str>,
    /// The `Origin` header, if any.
    pub origin: Option<&'a str>,
}

/// The complete answer for the shell to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpAntwort {
    /// HTTP status.
    pub status: u16,
    /// Headers, in order.
    pub kopf: Vec<(&'static str, String)>,
    /// Body.
    pub body: Vec<u8>,
}

impl HttpAntwort {
    /// The value of header `name` (case-insensitive), if set.
    pub fn kopfzeile(&self, name: &str) -> Option<&str> {
        self.kopf
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// A plain German text answer (errors), with the headers every answer has.
    pub fn text(status: u16, origin: Option<&str>, text: &str) -> Self {
        let mut kopf = grundkopf(origin);
        kopf.push(("Content-Type", "text/plain; charset=utf-8".to_owned()));
        HttpAntwort {
            status,
            kopf,
            body: text.as_bytes().to_vec(),
        }
    }
}

/// The headers of every answer; CORS only for the app's own origin.
fn grundkopf(origin: Option<&str>) -> Vec<(&'static str, String)> {
    let mut kopf = vec![
        ("Cache-Control", "no-store".to_owned()),
        ("Content-Security-Policy", CSP.to_owned()),
        ("X-Content-Type-Options", "nosniff".to_owned()),
        ("Referrer-Policy", "no-referrer".to_owned()),
        ("Vary", "Origin".to_owned()),
    ];
    if let Some(o) = origin.filter(|o| APP_URSPRUENGE.contains(o)) {
        kopf.push(("Access-Control-Allow-Origin", o.to_owned()));
        kopf.push(("Access-Control-Allow-Methods", "GET, HEAD".to_owned()));
        kopf.push(("Access-Control-Allow-Headers", "Range".to_owned()));
        kopf.push((
            "Access-Control-Expose-Headers",
            "Content-Range, Content-Length, Accept-Ranges".to_owned(),
        ));
    }
    kopf
}

/// A parsed protocol path: which attachment of which case.
#[derive(Debug, PartialEq, Eq)]
pub struct AnlageAdresse {
    /// Case id.
    pub vorgang_id: String,
    /// SHA-512 of the attachment (hex, lower case).
    pub sha512: String,
}

/// Parses the path `/<vorgang-id>/<sha512>`.
pub fn adresse_lesen(path: &str) -> Result<AnlageAdresse, String> {
    let mut teile = path.trim_start_matches('/').split('/');
    let (Some(vorgang_id), Some(sha512), None) = (teile.next(), teile.next(), teile.next()) else {
        return Err("Unbekannte Adresse einer Anlage.".to_owned());
    };
    let gueltig_id = !vorgang_id.is_empty()
        && vorgang_id.len() <= 64
        && vorgang_id
            .chars()
            .all(|c| c.is_ascii_hexdigit() || c == '-');
    let gueltig_sha = sha512.len() == 128 && sha512.chars().all(|c| c.is_ascii_hexdigit());
    if !gueltig_id || !gueltig_sha {
        return Err("Die Adresse der Anlage ist ungültig.".to_owned());
    }
    Ok(AnlageAdresse {
        vorgang_id: vorgang_id.to_owned(),
        sha512: sha512.to_ascii_lowercase(),
    })
}

/// Parses `Range: bytes=a-b` or `bytes=a-` (one range; suffix ranges `bytes=-n` and lists
/// are not used by pdf.js and refused).
pub fn range_lesen(r: &str) -> Result<(u64, Option<u64>), String> {
    let fehler = || "Nicht unterstützter Bereich.".to_owned();
    let spec = r.trim().strip_prefix("bytes=").ok_or_else(fehler)?;
    let (a, b) = spec.split_once('-').ok_or_else(fehler)?;
    let a = a.trim();
    let b = b.trim();
    let ziffern = |s: &str| !s.is_empty() && s.bytes().all(|c| c.is_ascii_digit());
    if !ziffern(a) || !(b.is_empty() || ziffern(b)) {
        return Err(fehler());
    }
    let start: u64 = a.parse().map_err(|_| fehler())?;
    let ende = match b {
        "" => None,
        b => Some(b.parse::<u64>().map_err(|_| fehler())?),
    };
    if ende.is_some_and(|e| e < start) {
        return Err(fehler());
    }
    Ok((start, ende))
}

/// The bytes `[start, ende)` to answer for a range `(a, b)` of a document of `gesamt` bytes:
/// `b` past the end is cut to the end, and at most [`MAX_BEREICH`] bytes go into one answer.
/// `None` when `a` lies at or past the end (416).
pub fn bereich_begrenzen(bereich: (u64, Option<u64>), gesamt: u64) -> Option<(u64, u64)> {
    let (start, ende) = bereich;
    if start >= gesamt || ende.is_some_and(|e| e < start) {
        return None;
    }
    let ende = ende.map_or(gesamt, |e| e.saturating_add(1).min(gesamt));
    Some((start, ende.min(start.saturating_add(MAX_BEREICH))))
}

/// Why the protocol refuses to read.
enum Verweigert {
    /// The case is not open in this window (403).
    NichtGeoeffnet,
    /// Anything else, as an app error.
    Fehler(IpcError),
}

impl From<IpcError> for Verweigert {
    fn from(e: IpcError) -> Self {
        Verweigert::Fehler(e)
    }
}

fn nicht_geoeffnet_text() -> &'static str {
    "Diese Anlage wird nur angezeigt, solange ihr Vorgang in diesem Fenster geöffnet ist. \
     Öffnen Sie den Vorgang und wählen Sie die Anlage dort."
}

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

fn ausserhalb(gesamt: u64) -> IpcError {
    IpcError::new(
        ErrorCode::InvalidInput,
        format!("Der angefragte Bereich liegt außerhalb der Anlage ({gesamt} Bytes)."),
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

    /// The attachment's bytes, all of them (`bereich = None`) or the HTTP range `start-ende`
    /// (`ende` inclusive; `None` = to the end; an `ende` past the end is cut to the end), for
    /// the app's own checks (the seal check). Checks that the attachment belongs to the case
    /// and that this window opened the case (its opening is audited). Decrypts only the
    /// chunks the range touches, in memory. A `start` at or past the end is `invalid_input`.
    /// `mime` is the type the applicant declared; the protocol does not trust it
    /// ([`AppContext::anlage_antwort`]).
    pub fn anlage_lesen(
        &self,
        vorgang_id: &str,
        sha512: &str,
        bereich: Option<(u64, Option<u64>)>,
    ) -> Result<AnlageInhalt, IpcError> {
        let a = self.verknuepfte_anlage(vorgang_id, sha512)?;
        if !self.ist_geoeffnet(&crate::vorgang_id(vorgang_id)?) {
            return Err(IpcError::new(
                ErrorCode::InvalidInput,
                nicht_geoeffnet_text(),
            ));
        }
        let gesamt = a.groesse;
        let (start, ende) = match bereich {
            None => (0, gesamt),
            Some((s, e)) => {
                if s >= gesamt || e.is_some_and(|e| e < s) {
                    return Err(ausserhalb(gesamt));
                }
                (s, e.map_or(gesamt, |e| e.saturating_add(1).min(gesamt)))
            }
        };
        let bytes = self.bytes_lesen(sha512, start, ende)?;
        Ok(AnlageInhalt {
            mime: a.mime,
            gesamt,
            start,
            bytes,
        })
    }

    /// Decrypts bytes `[start, ende)` of a stored attachment.
    fn bytes_lesen(&self, sha512: &str, start: u64, ende: u64) -> Result<Vec<u8>, IpcError> {
        let mut leser = self.store.anlage_leser(sha512).map_err(fehler)?;
        if start > 0 {
            leser.springen(start).map_err(lesefehler)?;
        }
        let laenge = usize::try_from(ende.saturating_sub(start)).map_err(|_| {
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
        Ok(bytes)
    }

    /// The whole answer of the shell's `anlage://localhost/<vorgang>/<sha512>` protocol
    /// (see the module documentation): 403 unless this window opened the case, the first
    /// read per opening audited, the type sniffed, the range capped, the headers set.
    pub fn anlage_antwort(&self, anfrage: &HttpAnfrage<'_>) -> HttpAntwort {
        let origin = anfrage.origin;
        match anfrage.methode {
            "OPTIONS" => {
                return HttpAntwort {
                    status: 204,
                    kopf: grundkopf(origin),
                    body: Vec::new(),
                };
            }
            "GET" | "HEAD" => {}
            _ => return HttpAntwort::text(405, origin, "Anlagen werden nur gelesen."),
        }
        let adresse = match adresse_lesen(anfrage.pfad) {
            Ok(a) => a,
            Err(m) => return HttpAntwort::text(400, origin, &m),
        };
        let bereich = match anfrage.range.map(range_lesen).transpose() {
            Ok(b) => b,
            Err(m) => return HttpAntwort::text(416, origin, &m),
        };
        let mut antwort = match self.protokoll_lesen(&adresse, bereich, origin) {
            Ok(a) => a,
            Err(Verweigert::NichtGeoeffnet) => {
                return HttpAntwort::text(403, origin, nicht_geoeffnet_text());
            }
            Err(Verweigert::Fehler(e)) => {
                let status = match e.code {
                    ErrorCode::NotFound => 404,
                    ErrorCode::InvalidInput => 416,
                    _ => 500,
                };
                return HttpAntwort::text(status, origin, &e.message);
            }
        };
        if anfrage.methode == "HEAD" {
            antwort.body.clear();
        }
        antwort
    }

    fn protokoll_lesen(
        &self,
        adresse: &AnlageAdresse,
        bereich: Option<(u64, Option<u64>)>,
        origin: Option<&str>,
    ) -> Result<HttpAntwort, Verweigert> {
        let id = vorgang_id(&adresse.vorgang_id)?;
        if !self.ist_geoeffnet(&id) {
            return Err(Verweigert::NichtGeoeffnet);
        }
        let sha = adresse.sha512.as_str();
        let a = self.verknuepfte_anlage(&adresse.vorgang_id, sha)?;
        let gesamt = a.groesse;
        let (start, ende) = match bereich {
            None => (0, gesamt),
            Some(b) => bereich_begrenzen(b, gesamt).ok_or_else(|| ausserhalb(gesamt))?,
        };
        self.ansicht_protokollieren(&id, sha, &a.dateiname)?;
        let bytes = self.bytes_lesen(sha, start, ende)?;
        let anfang = if start == 0 && bytes.len() as u64 >= gesamt.min(SNIFF_LAENGE as u64) {
            bytes[..bytes.len().min(SNIFF_LAENGE)].to_vec()
        } else {
            self.bytes_lesen(sha, 0, gesamt.min(SNIFF_LAENGE as u64))?
        };
        let mut kopf = grundkopf(origin);
        match inline_typ(&anfang) {
            Some(typ) => {
                kopf.push(("Content-Type", typ.to_owned()));
                kopf.push(("Content-Disposition", "inline".to_owned()));
            }
            None => {
                kopf.push(("Content-Type", "application/octet-stream".to_owned()));
                kopf.push(("Content-Disposition", "attachment".to_owned()));
            }
        }
        kopf.push(("Accept-Ranges", "bytes".to_owned()));
        kopf.push(("Content-Length", bytes.len().to_string()));
        let status = if bereich.is_some() {
            kopf.push((
                "Content-Range",
                format!("bytes {start}-{}/{gesamt}", ende.saturating_sub(1)),
            ));
            206
        } else {
            200
        };
        Ok(HttpAntwort {
            status,
            kopf,
            body: bytes,
        })
    }

    /// Audits `anlage.angesehen` unless this user's last opening of the case already has the
    /// entry for this document. Read first (range requests are many), then checked again in
    /// the writing transaction, so two requests at once write one entry.
    fn ansicht_protokollieren(
        &self,
        id: &domain::VorgangId,
        sha512: &str,
        dateiname: &str,
    ) -> Result<(), IpcError> {
        let ich = self.sitzung.benutzer.as_str();
        let marke = format!("[sha512:{sha512}]");
        let schon = |r: &store::Lesen<'_>| -> store::Result<bool> {
            let eintraege = r.audit_fuer_vorgang(id)?;
            Ok(eintraege
                .iter()
                .rev()
                .take_while(|e| !(e.was == "vorgang.geoeffnet" && e.wer == ich))
                .any(|e| e.was == ANLAGE_ANGESEHEN && e.wer == ich && e.details.ends_with(&marke)))
        };
        if self.store.read(|r| schon(r)).map_err(fehler)? {
            return Ok(());
        }
        self.store
            .write(|w| {
                if !schon(w)? {
                    w.audit_anhaengen(
                        ich,
                        ANLAGE_ANGESEHEN,
                        Some(id),
                        &format!("„{dateiname}“ {marke}"),
                    )?;
                }
                Ok(())
            })
            .map_err(fehler)
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

#[cfg(test)]
mod tests {
    use super::*;

    const SHA: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\
                       0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    #[test]
    fn a_case_id_and_a_hash_make_an_address() {
        let a = adresse_lesen(&format!("/6f1c-22/{SHA}")).unwrap();
        assert_eq!(a.vorgang_id, "6f1c-22");
        assert_eq!(a.sha512, SHA);
    }

    #[test]
    fn paths_that_leave_the_pattern_are_refused() {
        assert!(adresse_lesen("/../../etc/passwd").is_err());
        assert!(adresse_lesen(&format!("/ab/{SHA}/x")).is_err());
        assert!(adresse_lesen("/ab/1234").is_err());
        assert!(adresse_lesen(&format!("/a b/{SHA}")).is_err());
        assert!(adresse_lesen(&format!("/{}/{SHA}", "a".repeat(65))).is_err());
    }

    #[test]
    fn ranges_are_parsed_as_pdfjs_sends_them_and_nothing_else() {
        assert_eq!(range_lesen("bytes=0-65535"), Ok((0, Some(65535))));
        assert_eq!(range_lesen("bytes=65536-"), Ok((65536, None)));
        for falsch in [
            "bytes=9-3",
            "items=0-1",
            "bytes=-500",
            "bytes=0-1,5-9",
            "bytes=+1-2",
            "bytes=1-+2",
            "bytes=99999999999999999999-",
        ] {
            assert!(range_lesen(falsch).is_err(), "{falsch}");
        }
    }

    #[test]
    fn a_range_answer_is_cut_to_the_end_and_to_four_mebibytes() {
        let gross = 100 * MAX_BEREICH;
        assert_eq!(bereich_begrenzen((0, Some(9)), 5), Some((0, 5)));
        assert_eq!(bereich_begrenzen((0, None), gross), Some((0, MAX_BEREICH)));
        assert_eq!(
            bereich_begrenzen((7, Some(u64::MAX)), gross),
            Some((7, 7 + MAX_BEREICH))
        );
        assert_eq!(bereich_begrenzen((3, Some(4)), gross), Some((3, 5)));
        assert_eq!(bereich_begrenzen((5, None), 5), None);
        assert_eq!(bereich_begrenzen((u64::MAX, None), gross), None);
    }

    #[test]
    fn only_the_viewers_types_are_recognised_by_their_first_bytes() {
        assert_eq!(inline_typ(b"%PDF-1.4\n"), Some("application/pdf"));
        assert_eq!(inline_typ(b"\x89PNG\r\n\x1a\n\0\0"), Some("image/png"));
        assert_eq!(inline_typ(&[0xFF, 0xD8, 0xFF, 0xE0]), Some("image/jpeg"));
        assert_eq!(inline_typ(b"GIF89a\x01\x00"), Some("image/gif"));
        assert_eq!(inline_typ(b"RIFF\x10\0\0\0WEBPVP8 "), Some("image/webp"));
        for feindlich in [
            &b"<html><script>alert(1)</script>"[..],
            b"<svg xmlns='http://www.w3.org/2000/svg' onload='x()'/>",
            b"<?xml version='1.0'?><html xmlns='http://www.w3.org/1999/xhtml'>",
            b"  %PDF-1.4 but not at the start",
            b"RIFF\x10\0\0\0WAVEfmt ",
            b"",
        ] {
            assert_eq!(inline_typ(feindlich), None);
        }
    }

    #[test]
    fn cors_is_granted_to_the_app_origin_only_and_never_as_a_wildcard() {
        let eigen = HttpAntwort::text(200, Some("tauri://localhost"), "x");
        assert_eq!(
            eigen.kopfzeile("access-control-allow-origin"),
            Some("tauri://localhost")
        );
        for fremd in [
            Some("null"),
            Some("anlage://localhost"),
            Some("http://evil"),
            None,
        ] {
            let a = HttpAntwort::text(200, fremd, "x");
            assert_eq!(
                a.kopfzeile("Access-Control-Allow-Origin"),
                None,
                "{fremd:?}"
            );
            assert_eq!(a.kopfzeile("Content-Security-Policy"), Some(CSP));
            assert_eq!(a.kopfzeile("X-Content-Type-Options"), Some("nosniff"));
        }
        assert!(CSP.starts_with("sandbox;"));
    }
}
