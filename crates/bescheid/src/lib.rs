//! Bescheid: decision documents as PDF/A-3b with an electronic seal (PAdES B-B).
//!
//! A decision ([`Entscheidung`], JSON, see `assets/examples/`) becomes a DIN 5008 letter:
//! the Leistung's template (`assets/bescheid/<leistung>.j2`, minijinja) yields the text in a
//! small line markup, [`satz`] sets it on A4 pages (letterhead, window-envelope address
//! field, information block, fee table, footer, "Seite x von y", German line breaking),
//! [`pdf`] writes PDF/A-3b with `pdf-writer` (subset fonts with ToUnicode, sRGB output
//! intent, XMP, the decision JSON as associated file), and [`siegel`] seals it with a CMS
//! detached signature from a PKCS#12 file or a PKCS#11 token. A vector QR code on page one
//! carries Aktenzeichen, date and the SHA-256 of the embedded JSON ([`qr`]).
//! [`pruefen`] verifies a sealed file against trust anchors.
//!
//! The same engine sets plain letters ([`Brief`], [`brief_setzen`]): a caseworker's message
//! for an applicant without an electronic reply channel, to print or save. Letterhead,
//! address field, information block (Aktenzeichen, Bearbeitung, Datum), body, footer and
//! "Seite x von y" are the Bescheid's; the letter is an unsealed PDF/A-3b without QR code,
//! fee table or embedded file, and its text is plain text (blank lines separate paragraphs,
//! „– “ starts a list item, no markup is interpreted).
//!
//! To add a Leistung: a variant in [`Leistung`], a template `assets/bescheid/<id>.j2`
//! registered in `vorlage.rs`, an example `assets/examples/<id>.json`; the snapshot and
//! page-image tests then cover it.
#![deny(missing_docs)]

mod brief;
mod model;
mod pdf;
pub mod pkcs11;
pub mod pruefung;
pub mod qr;
mod satz;
mod schrift;
pub mod siegel;
mod vorlage;

use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};
use time::OffsetDateTime;

pub use brief::{Brief, brief_setzen};
pub use model::{
    Anschrift, Bankverbindung, Bearbeitung, Behoerde, Empfaenger, Entscheidung, Ergebnis, Gebuehr,
    Leistung, Zahlung, betrag_deutsch,
};
pub use pdf::ANHANG_NAME;
pub use pruefung::{Pruefbericht, pruefen};
pub use siegel::{Algorithmus, P12Schluessel, Siegelschluessel};
pub use vorlage::hat_vorlage;

/// Errors of the document engine. Messages are German and say what to do.
#[derive(Debug, thiserror::Error)]
pub enum BescheidError {
    /// The decision input is invalid.
    #[error("Eingabe ungültig ({feld}): {grund}")]
    Eingabe {
        /// Which field (or JSON position).
        feld: String,
        /// What is wrong.
        grund: String,
    },
    /// A template failed to render.
    #[error("Vorlage fehlerhaft: {0}")]
    Vorlage(String),
    /// A character the embedded font cannot show.
    #[error("Das Zeichen „{0}“ (U+{cp:04X}) kann nicht gesetzt werden; bitte ersetzen.", cp = *.0 as u32)]
    Zeichen(char),
    /// The seal key or certificate could not be used.
    #[error("Siegelschlüssel: {0}")]
    Schluessel(String),
    /// The file is not a sealed Bescheid we can check.
    #[error("Prüfung nicht möglich: {0}")]
    Pruefung(String),
    /// A bug or broken asset.
    #[error("Interner Fehler: {0}")]
    Intern(String),
}

/// How long the parts of issuing one document took.
#[derive(Debug, Clone, Copy, Default)]
pub struct Zeiten {
    /// Template, line breaking and page layout.
    pub satz: Duration,
    /// Font subsetting.
    pub subsetting: Duration,
    /// Flate compression of all streams.
    pub kompression: Duration,
    /// The bare signing operation (key use only).
    pub signatur: Duration,
    /// Everything.
    pub gesamt: Duration,
}

/// A sealed decision.
#[derive(Debug, Clone)]
pub struct Ausgestellt {
    /// The PDF/A-3b file.
    pub pdf: Vec<u8>,
    /// The embedded JSON (as embedded).
    pub json: Vec<u8>,
    /// The QR payload printed on page one.
    pub qr_inhalt: String,
    /// Time split.
    pub zeiten: Zeiten,
}

/// Renders and seals a decision. `zeitpunkt` becomes `/M`, the XMP and Info dates.
pub fn ausstellen(
    e: &Entscheidung,
    schluessel: &dyn Siegelschluessel,
    zeitpunkt: OffsetDateTime,
) -> Result<Ausgestellt, BescheidError> {
    let start = Instant::now();
    e.pruefen()?;
    let zeitpunkt = zeitpunkt.replace_nanosecond(0).unwrap_or(zeitpunkt);
    let json = e.to_embedded_json()?;
    let hash: [u8; 32] = Sha256::digest(&json).into();
    let qr_inhalt = qr::inhalt(&e.aktenzeichen, &e.datum, &hash);
    let (module, breite) = qr::module(&qr_inhalt)?;

    let t = Instant::now();
    let schriften = schrift::schriften()?;
    let markup = vorlage::text(e)?;
    let bloecke = vorlage::bloecke(&markup);
    let mut s = satz::Satz::neu(schriften);
    s.bescheid(e, &bloecke)?;
    s.fuesse(&e.behoerde)?;
    let satz_zeit = t.elapsed();

    let t = Instant::now();
    let entwurf = pdf::schreiben(
        e,
        schriften,
        &s.nutzung,
        &s.seiten,
        &json,
        (&module, breite),
        zeitpunkt,
    )?;
    let (subsetting, kompression) = (entwurf.subsetting, entwurf.kompression);
    // Writing the PDF objects counts as layout; subsetting and compression are split out.
    let satz_zeit = satz_zeit + t.elapsed().saturating_sub(subsetting + kompression);
    let mut signatur = Duration::ZERO;
    let pdf = siegel::versiegeln(entwurf, schluessel, &mut signatur)?;
    Ok(Ausgestellt {
        pdf,
        json,
        qr_inhalt,
        zeiten: Zeiten {
            satz: satz_zeit,
            subsetting,
            kompression,
            signatur,
            gesamt: start.elapsed(),
        },
    })
}

/// The rendered template text of a decision (for previews and wording checks).
pub fn vorlagentext(e: &Entscheidung) -> Result<String, BescheidError> {
    vorlage::text(e)
}
