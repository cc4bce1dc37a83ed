//! xdomea 3.1.0 messages for handing a finished Vorgang over to the authority's E-Akte (DMS).
//!
//! What it does:
//! - [`nachricht_0605`] writes `FVDaten.SGOAblegen.0605` (namespace
//!   `urn:xoev-de:xdomea:schema:3.1.0`): the Vorgang as Schriftgutobjekt with its history and
//!   every document as Primärdokument, each with its SHA-256 in an
//!   `AnwendungsspezifischeErweiterung` (`urn:amtsstube:pruefsumme`).
//! - [`container_0605`] packs it with the documents into the ZIP container
//!   `{ProzessID}_FVDaten.SGOAblegen.0605.zip` ([`container_name`]), deterministically;
//!   [`container_lesen`] opens one again, with limits against zip bombs and hostile entry names,
//!   and checks every document's checksum.
//! - [`rueckmeldung_lesen`] reads the E-Akte's answers `FVDaten.EmpfangBestaetigen.0629` and
//!   `FVDaten.ImportBestaetigen.0630`; [`empfang_0629`] and [`import_0630`] write them (for the
//!   stand-in E-Akte in the simulator and for tests).
//! - [`schema::pruefen`] validates any message against the vendored XSDs (`xsd/`, unchanged
//!   copies, see `xsd/SOURCES.md`) with the system's `xmllint`.
//!
//! # Design
//! Messages are written by hand with a tiny escaping writer (`schreiben.rs`), element by element
//! in the order the XSD's sequences prescribe, so the output is predictable and diffable.
//! Every element of the xdomea namespace carries the prefix `xdomea:`; the `code`/`name`
//! children of XÖV code types are unqualified (`form="unqualified"` in `xoev-code.xsd`), which
//! is why no default namespace is used. Text is escaped and characters XML 1.0 forbids are
//! dropped. Reading (`lesen.rs`) builds a small namespace-resolved element tree with quick-xml,
//! with limits on size and depth, and never panics on hostile input.
//!
//! # Extending
//! A new message is a function in `schreiben.rs` that writes the `Kopf` with
//! `Xml::kopf_basis` and then the message's body in XSD order; add a test that runs it through
//! [`schema::pruefen`]. A new file format is a line in `codes::DATEIFORMATE`. A new answer to
//! read is a branch in `lesen::rueckmeldung_lesen`.
#![deny(missing_docs)]

mod codes;
mod container;
mod lesen;
pub mod schema;
mod schreiben;

use serde::{Deserialize, Serialize};
use time::{Date, OffsetDateTime};
use uuid::Uuid;

pub use container::{
    GelesenerContainer, MAX_EINTRAEGE, MAX_ENTPACKT, container_0605, container_lesen,
    container_lesen_begrenzt, container_name, primaer_dateiname,
};
pub use lesen::{Kopf, MAX_RUECKMELDUNG, audit_anker_lesen, kopf_lesen, rueckmeldung_lesen};
pub use schreiben::{empfang_0629, import_0630, nachricht_0605};

/// The xdomea namespace of every message written and read here.
pub const NAMESPACE: &str = "urn:xoev-de:xdomea:schema:3.1.0";

/// A hand-over of one finished Vorgang to the E-Akte (message 0605).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Abgabe {
    /// The message's ProzessID; the E-Akte's confirmations refer to it.
    pub prozess_id: Uuid,
    /// When the message was created (Erstellungszeitpunkt).
    pub erstellt: OffsetDateTime,
    /// The sending authority (the Fachverfahren's side).
    pub absender: Beteiligter,
    /// The receiving E-Akte / DMS.
    pub empfaenger: Beteiligter,
    /// Version of Amtsstube (SendendesSystem/Version).
    pub produkt_version: String,
    /// Login of the person handing over (Erstellerkennung).
    pub ersteller: String,
    /// The Vorgang.
    pub vorgang: VorgangDaten,
    /// Its documents, each a Primärdokument in the container.
    pub dokumente: Vec<Dokument>,
}

/// A party of a message (KontaktType).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Beteiligter {
    /// Name of the institution.
    pub name: String,
    /// Behördenschlüssel code (Behoerdenkennung/Behoerdenschluessel).
    pub kennung: Option<String>,
    /// Organisational unit.
    pub organisationseinheit: Option<String>,
}

/// The Vorgang's metadata.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VorgangDaten {
    /// The Vorgang's id (Identifikation/ID).
    pub id: Uuid,
    /// Aktenzeichen (Kennzeichen, FachverfahrenObjektID).
    pub aktenzeichen: String,
    /// Subject (Betreff).
    pub betreff: String,
    /// LeiKa key of the Leistung.
    pub leika: String,
    /// Date of receipt (Laufzeit/Beginn).
    pub eingang: Date,
    /// Deadline, if any.
    pub frist: Option<Date>,
    /// Responsible caseworker, if any.
    pub zustaendig: Option<String>,
    /// Final status, German label.
    pub status: String,
    /// Date it was closed (Laufzeit/Ende, ZdADatum).
    pub abgeschlossen: Date,
    /// Retention period in years (Aufbewahrungsdauer/AnzahlJahre, at most 65535).
    pub aufbewahrung_jahre: u32,
    /// The applicant, if any.
    pub antragsteller: Option<String>,
    /// Audit history (HistorienProtokollInformation).
    pub historie: Vec<Historie>,
    /// The head of the Fachverfahren's audit chain when the message was built: the E-Akte
    /// keeps it, so a later rewrite of the whole chain (even with the database key) is
    /// detected by comparing against it ([`audit_anker_lesen`]).
    #[serde(default)]
    pub audit_anker: Option<AuditAnker>,
}

/// A point of the audit chain: entry `seq` had hash `hash` (lowercase hex SHA-256).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditAnker {
    /// Sequence number of the entry.
    pub seq: u64,
    /// Its chain hash, lowercase hex.
    pub hash: String,
}

/// One entry of the Vorgang's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Historie {
    /// Who acted.
    pub akteur: String,
    /// When.
    pub zeit: OffsetDateTime,
    /// What was done.
    pub aktion: String,
    /// Remark.
    pub bemerkung: Option<String>,
}

/// Kind of a document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum DokumentTyp {
    /// The application.
    Antrag,
    /// An attachment to the application.
    Anlage,
    /// A message to or from the applicant.
    Nachricht,
    /// A decision.
    Bescheid,
    /// A protocol (e.g. the audit record).
    Protokoll,
}

impl DokumentTyp {
    /// The German label written as Dokument/Typ.
    pub fn bezeichnung(self) -> &'static str {
        match self {
            DokumentTyp::Antrag => "Antrag",
            DokumentTyp::Anlage => "Anlage",
            DokumentTyp::Nachricht => "Nachricht",
            DokumentTyp::Bescheid => "Bescheid",
            DokumentTyp::Protokoll => "Protokoll",
        }
    }
}

/// One document of the Vorgang.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dokument {
    /// The document's id; also the prefix of its file name in the container.
    pub id: Uuid,
    /// Title (Betreff).
    pub titel: String,
    /// Kind.
    pub typ: DokumentTyp,
    /// Original file name as received; may be anything (it is sanitised for the container).
    pub dateiname: String,
    /// MIME type.
    pub mime: String,
    /// Date of the document (Posteingangs- or Postausgangsdatum, DatumUhrzeit).
    pub datum: OffsetDateTime,
    /// Received (Posteingangsdatum) rather than sent (Postausgangsdatum).
    pub eingehend: bool,
    /// A PDF with an embedded seal or signature (SignaturSiegelEingebettet).
    pub signiert: bool,
    /// The file's bytes.
    pub inhalt: Vec<u8>,
}

/// An answer of the E-Akte, read by [`rueckmeldung_lesen`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Rueckmeldung {
    /// `FVDaten.EmpfangBestaetigen.0629`: the message arrived.
    Empfang {
        /// The ProzessID of the confirmed message.
        prozess_id: Uuid,
    },
    /// `FVDaten.ImportBestaetigen.0630`: the result of the import.
    Import {
        /// The ProzessID of the confirmed message.
        prozess_id: Uuid,
        /// Imported without error.
        erfolgreich: bool,
        /// Readable messages: code and description, or the free error text.
        meldungen: Vec<String>,
        /// Where the E-Akte filed it: Ablageort, else the IDSGO.
        referenz: Option<String>,
    },
}

/// What the E-Akte answers in a 0630 ([`import_0630`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Importergebnis {
    /// Imported.
    Erfolg {
        /// The id the E-Akte gave the Schriftgutobjekt.
        id_sgo: Uuid,
        /// Where it is filed (e.g. `EAKTE-2026-000123`).
        ablageort: String,
    },
    /// Not imported.
    Fehler {
        /// AllgemeineRueckmeldung code, e.g. `0000008` (schema error); empty or unknown: the
        /// text is sent as SonstigeFehlermeldung.
        code: String,
        /// Description.
        text: String,
    },
}

/// Errors writing or reading xdomea messages and containers.
#[derive(Debug, thiserror::Error)]
pub enum XdomeaError {
    /// The ZIP cannot be read or written.
    #[error(
        "Der xdomea-Container ist kein lesbares ZIP-Archiv ({0}). Bitte die Abgabe neu erzeugen lassen."
    )]
    Zip(String),
    /// Bigger than allowed.
    #[error(
        "{was} ist größer als erlaubt (höchstens {grenze} Bytes). Bitte die Datei prüfen; sie wird nicht verarbeitet."
    )]
    ZuGross {
        /// What was too big.
        was: String,
        /// The limit in bytes.
        grenze: u64,
    },
    /// Too many entries in the ZIP.
    #[error(
        "Der xdomea-Container enthält mehr als {0} Dateien und wird nicht verarbeitet. Bitte die Abgabe prüfen."
    )]
    ZuVieleDateien(usize),
    /// An entry name that could escape the target folder or is otherwise unsafe.
    #[error(
        "Der xdomea-Container enthält einen unzulässigen Dateinamen „{0}“ (Pfadangabe, Steuerzeichen oder zu lang). Bitte die Abgabe neu erzeugen lassen."
    )]
    UnsichererName(String),
    /// The same name twice.
    #[error(
        "Der xdomea-Container enthält die Datei „{0}“ doppelt. Bitte die Abgabe neu erzeugen lassen."
    )]
    DoppelterName(String),
    /// Two documents with the same id.
    #[error(
        "Zwei Dokumente der Abgabe haben dieselbe ID {0}. Bitte die Dokumente des Vorgangs prüfen."
    )]
    DoppelteDokumentId(Uuid),
    /// No message XML in the container.
    #[error("Im xdomea-Container fehlt die Nachricht „{0}“. Bitte die Abgabe neu erzeugen lassen.")]
    NachrichtFehlt(String),
    /// A document the message references is not in the ZIP.
    #[error(
        "Die Datei „{0}“ ist in der Nachricht genannt, fehlt aber im xdomea-Container. Bitte die Abgabe neu erzeugen lassen."
    )]
    DateiFehlt(String),
    /// A document's checksum or size does not match the message.
    #[error(
        "Die Datei „{0}“ im xdomea-Container stimmt nicht mit ihrer Prüfsumme überein (beschädigt oder verändert). Bitte die Abgabe neu erzeugen lassen."
    )]
    PruefsummeFalsch(String),
    /// Not well-formed XML.
    #[error("Die xdomea-Nachricht ist kein gültiges XML ({0}). Sie wird nicht verarbeitet.")]
    Xml(String),
    /// Another message than expected.
    #[error(
        "Die Datei enthält die Nachricht „{gefunden}“, erwartet war {erwartet}. Sie wird nicht verarbeitet."
    )]
    FalscheNachricht {
        /// What was expected.
        erwartet: String,
        /// The root element found.
        gefunden: String,
    },
    /// A required element is missing or has a wrong value.
    #[error(
        "In der xdomea-Nachricht fehlt „{0}“ oder der Wert ist ungültig. Sie wird nicht verarbeitet."
    )]
    Feld(String),
}

impl XdomeaError {
    /// The container or message is damaged or was tampered with — as opposed to a ZIP that
    /// could not be read at all (which may still be being written).
    pub fn ist_zip_fehler(&self) -> bool {
        matches!(self, XdomeaError::Zip(_))
    }
}

/// The file name of a confirmation: `{prozess_id}_FVDaten.EmpfangBestaetigen.0629.xml` for
/// `"0629"`, `{prozess_id}_FVDaten.ImportBestaetigen.0630.xml` for `"0630"`; any other
/// `nachricht` gives `{prozess_id}_{nachricht}.xml`.
pub fn rueckmeldung_name(prozess_id: &Uuid, nachricht: &str) -> String {
    match nachricht {
        "0629" => format!("{prozess_id}_FVDaten.EmpfangBestaetigen.0629.xml"),
        "0630" => format!("{prozess_id}_FVDaten.ImportBestaetigen.0630.xml"),
        andere => format!("{prozess_id}_{andere}.xml"),
    }
}
