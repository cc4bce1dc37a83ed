//! Validating messages against the vendored xdomea 3.1.0 XSDs with the system's `xmllint`.
//!
//! The XSDs are compiled into the binary and written once per process into a private
//! temporary directory (the layout `xdomea-3.1.0/` beside `xoev/` that their relative imports
//! need), so validation works from an installed binary too. The message itself is passed on
//! standard input, never written to disk. The directory is not removed when the process ends
//! (statics are never dropped); it holds only the public schemas.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::OnceLock;

/// `xdomea-Datentypen.xsd` (also read for code descriptions).
pub(crate) const DATENTYPEN: &str = include_str!("../xsd/xdomea-3.1.0/xdomea-Datentypen.xsd");

/// Every vendored schema file with its path below the schema directory.
const DATEIEN: &[(&str, &str)] = &[
    (
        "xoev/latinchars.xsd",
        include_str!("../xsd/xoev/latinchars.xsd"),
    ),
    (
        "xoev/xoev-code.xsd",
        include_str!("../xsd/xoev/xoev-code.xsd"),
    ),
    (
        "xdomea-3.1.0/xdomea.xsd",
        include_str!("../xsd/xdomea-3.1.0/xdomea.xsd"),
    ),
    (
        "xdomea-3.1.0/xdomea-Baukasten.xsd",
        include_str!("../xsd/xdomea-3.1.0/xdomea-Baukasten.xsd"),
    ),
    ("xdomea-3.1.0/xdomea-Datentypen.xsd", DATENTYPEN),
    (
        "xdomea-3.1.0/xdomea-Nachrichten-AbgabeDurchfuehren.xsd",
        include_str!("../xsd/xdomea-3.1.0/xdomea-Nachrichten-AbgabeDurchfuehren.xsd"),
    ),
    (
        "xdomea-3.1.0/xdomea-Nachrichten-AktenplanAustauschen.xsd",
        include_str!("../xsd/xdomea-3.1.0/xdomea-Nachrichten-AktenplanAustauschen.xsd"),
    ),
    (
        "xdomea-3.1.0/xdomea-Nachrichten-Archivsystem.xsd",
        include_str!("../xsd/xdomea-3.1.0/xdomea-Nachrichten-Archivsystem.xsd"),
    ),
    (
        "xdomea-3.1.0/xdomea-Nachrichten-AussonderungDurchfuehren.xsd",
        include_str!("../xsd/xdomea-3.1.0/xdomea-Nachrichten-AussonderungDurchfuehren.xsd"),
    ),
    (
        "xdomea-3.1.0/xdomea-Nachrichten-DMS.xsd",
        include_str!("../xsd/xdomea-3.1.0/xdomea-Nachrichten-DMS.xsd"),
    ),
    (
        "xdomea-3.1.0/xdomea-Nachrichten-Fachverfahren.xsd",
        include_str!("../xsd/xdomea-3.1.0/xdomea-Nachrichten-Fachverfahren.xsd"),
    ),
    (
        "xdomea-3.1.0/xdomea-Nachrichten-FachverfahrensdatenAustauschen.xsd",
        include_str!("../xsd/xdomea-3.1.0/xdomea-Nachrichten-FachverfahrensdatenAustauschen.xsd"),
    ),
    (
        "xdomea-3.1.0/xdomea-Nachrichten-GeschaeftsgangDurchfuehren.xsd",
        include_str!("../xsd/xdomea-3.1.0/xdomea-Nachrichten-GeschaeftsgangDurchfuehren.xsd"),
    ),
    (
        "xdomea-3.1.0/xdomea-Nachrichten-InformationAustauschen.xsd",
        include_str!("../xsd/xdomea-3.1.0/xdomea-Nachrichten-InformationAustauschen.xsd"),
    ),
    (
        "xdomea-3.1.0/xdomea-Nachrichten-VBS.xsd",
        include_str!("../xsd/xdomea-3.1.0/xdomea-Nachrichten-VBS.xsd"),
    ),
    (
        "xdomea-3.1.0/xdomea-Nachrichten-ZwischenarchivierungDurchfuehren.xsd",
        include_str!("../xsd/xdomea-3.1.0/xdomea-Nachrichten-ZwischenarchivierungDurchfuehren.xsd"),
    ),
    (
        "xdomea-3.1.0/xdomea-Nachrichten-Zwischenarchivsystem.xsd",
        include_str!("../xsd/xdomea-3.1.0/xdomea-Nachrichten-Zwischenarchivsystem.xsd"),
    ),
    (
        "xdomea-3.1.0/xdomea-Typen-AbgabeDurchfuehren.xsd",
        include_str!("../xsd/xdomea-3.1.0/xdomea-Typen-AbgabeDurchfuehren.xsd"),
    ),
    (
        "xdomea-3.1.0/xdomea-Typen-AussonderungDurchfuehren.xsd",
        include_str!("../xsd/xdomea-3.1.0/xdomea-Typen-AussonderungDurchfuehren.xsd"),
    ),
    (
        "xdomea-3.1.0/xdomea-Typen-FachverfahrensdatenAustauschen.xsd",
        include_str!("../xsd/xdomea-3.1.0/xdomea-Typen-FachverfahrensdatenAustauschen.xsd"),
    ),
    (
        "xdomea-3.1.0/xdomea-Typen-GeschaeftsgangDurchfuehren.xsd",
        include_str!("../xsd/xdomea-3.1.0/xdomea-Typen-GeschaeftsgangDurchfuehren.xsd"),
    ),
    (
        "xdomea-3.1.0/xdomea-Typen-ZwischenarchivierungDurchfuehren.xsd",
        include_str!("../xsd/xdomea-3.1.0/xdomea-Typen-ZwischenarchivierungDurchfuehren.xsd"),
    ),
];

/// Why a message did not pass.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SchemaFehler {
    /// `xmllint` is not installed.
    #[error(
        "Das Prüfprogramm xmllint fehlt. Bitte das Paket libxml2-utils installieren (z. B. „apt-get install libxml2-utils“) und erneut versuchen."
    )]
    XmllintFehlt,
    /// The schemas cannot be written to a temporary directory.
    #[error(
        "Die xdomea-Schemata können nicht in ein temporäres Verzeichnis geschrieben werden ({0}). Bitte freien Speicher und Rechte des Temp-Verzeichnisses prüfen."
    )]
    Vorbereitung(String),
    /// The message does not validate; xmllint's messages.
    #[error("Die xdomea-Nachricht entspricht nicht dem Schema xdomea 3.1.0: {0}")]
    Ungueltig(String),
}

/// The directory holding the schemas, written on first use.
fn verzeichnis() -> Result<&'static PathBuf, SchemaFehler> {
    static DIR: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = tempfile::Builder::new()
            .prefix("amtsstube-xdomea-xsd-")
            .tempdir()
            .map_err(|e| e.to_string())?
            .keep();
        for (pfad, inhalt) in DATEIEN {
            let ziel = dir.join(pfad);
            if let Some(eltern) = ziel.parent() {
                std::fs::create_dir_all(eltern).map_err(|e| e.to_string())?;
            }
            std::fs::write(&ziel, inhalt).map_err(|e| e.to_string())?;
        }
        Ok(dir)
    })
    .as_ref()
    .map_err(|e| SchemaFehler::Vorbereitung(e.clone()))
}

/// Validates `xml` against `xdomea.xsd` (all xdomea 3.1.0 messages) with
/// `xmllint --noout --nonet --schema`.
pub fn pruefen(xml: &[u8]) -> Result<(), SchemaFehler> {
    let schema = verzeichnis()?.join("xdomea-3.1.0").join("xdomea.xsd");
    let mut kind = match Command::new("xmllint")
        .arg("--noout")
        .arg("--nonet")
        .arg("--schema")
        .arg(&schema)
        .arg("-")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
    {
        Ok(k) => k,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(SchemaFehler::XmllintFehlt);
        }
        Err(e) => return Err(SchemaFehler::Vorbereitung(format!("xmllint: {e}"))),
    };
    // Written from a thread so a large message cannot deadlock against xmllint's output.
    let schreiber = kind.stdin.take().map(|mut stdin| {
        let xml = xml.to_vec();
        std::thread::spawn(move || {
            let _ = stdin.write_all(&xml);
        })
    });
    let ausgabe = kind
        .wait_with_output()
        .map_err(|e| SchemaFehler::Vorbereitung(format!("xmllint: {e}")))?;
    if let Some(s) = schreiber {
        let _ = s.join();
    }
    if ausgabe.status.success() {
        return Ok(());
    }
    let meldungen = String::from_utf8_lossy(&ausgabe.stderr);
    let meldungen: Vec<&str> = meldungen
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.ends_with(" fails to validate"))
        .take(20)
        .collect();
    Err(SchemaFehler::Ungueltig(if meldungen.is_empty() {
        format!("xmllint endete mit {}", ausgabe.status)
    } else {
        meldungen.join("\n")
    }))
}
