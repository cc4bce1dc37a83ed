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
//! Internal record documents for the E-Akte ([`Aktenstueck`], [`aktenstueck_setzen`]) come
//! from the same engine without address field and salutation: the application form data
//! ([`formular_felder`], [`text_abschnitte`]), the audit excerpt (a table whose header repeats
//! on every page) or a message. Unlike the Brief, their text is never refused for its
//! characters: what the font cannot show becomes a visible stand-in ([`ERSATZZEICHEN`]).
//!
//! The case view's decision editor builds on four more functions:
//! - [`textvorschlag`]`(&Entscheidung) -> Result<`[`Bescheidtext`]`, _>`: what the template
//!   writes for the editable parts (tenor, Begründung, Nebenbestimmungen), to prefill the
//!   editor. The caseworker's version goes into `Entscheidung::text` and is set as plain text
//!   in place of those sections; Betreff, Anrede, fee table, payment sentence, GiroCode,
//!   Rechtsbehelfsbelehrung and Schluss stay the template's.
//! - [`rechtsbehelfsbelehrung`]`(&Entscheidung) -> Result<String, _>`: that section as plain
//!   text (read-only), Widerspruch or Klage by `Behoerde::land`.
//! - [`vorschau`]`(&Entscheidung) -> Result<`[`Vorschau`]`, _>`: the pages `ausstellen` would
//!   seal, from the same template and layout, as one SVG document per page marked
//!   „ENTWURF“ (no PDF, no signature).
//! - [`epc_inhalt`]`(&Entscheidung) -> Option<String>`: the GiroCode (EPC QR code) payload
//!   printed below the payment sentence, when there is one.
//!
//! To add a Leistung: a variant in [`Leistung`], a template `assets/bescheid/<id>.j2` that
//! extends `_bescheid.j2` (blocks in `assets/bescheid/README.md`), registered in
//! `vorlage.rs`, an example `assets/examples/<id>.json`; the snapshot, page-image and
//! text-proposal tests then cover it.
#![deny(missing_docs)]

pub mod aktenstueck;
mod brief;
mod girocode;
mod model;
mod pdf;
pub mod pkcs11;
pub mod pruefung;
pub mod qr;
mod satz;
mod schrift;
pub mod siegel;
mod vorlage;
mod vorschau;

use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};
use time::OffsetDateTime;

pub use aktenstueck::{
    Abschnitt, Aktenstueck, ERSATZZEICHEN, Feld, aktenstueck_setzen, formular_felder,
    text_abschnitte,
};
pub use brief::{Brief, brief_setzen};
pub use girocode::epc_inhalt;
pub use model::{
    Anschrift, Bankverbindung, Bearbeitung, Behoerde, Bescheidtext, Empfaenger, Entscheidung,
    Ergebnis, Gebuehr, Leistung, Zahlung, betrag_deutsch,
};
pub use pdf::ANHANG_NAME;
pub use pruefung::{Pruefbericht, pruefen};
pub use siegel::{Algorithmus, P12Schluessel, Siegelschluessel};
pub use vorlage::hat_vorlage;
pub use vorschau::{Vorschau, vorschau};

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

    let giro = match epc_inhalt(e) {
        Some(p) => Some(qr::module(&p)?),
        None => None,
    };

    let t = Instant::now();
    let s = setzen(e)?;
    let satz_zeit = t.elapsed();

    let t = Instant::now();
    let entwurf = pdf::schreiben(
        e,
        s.schriften(),
        &s.nutzung,
        &s.seiten,
        &json,
        (&module, breite),
        giro.as_ref().map(|(m, b)| (m.as_slice(), *b)),
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

/// Template, line breaking and page layout of a decision, footers included: what both
/// [`ausstellen`] and [`vorschau`] draw.
fn setzen(e: &Entscheidung) -> Result<satz::Satz<'static>, BescheidError> {
    let bloecke = vorlage::gesetzte_bloecke(e)?;
    let mut s = satz::Satz::neu(schrift::schriften()?);
    s.bescheid(e, &bloecke)?;
    s.fuesse(&e.behoerde)?;
    Ok(s)
}

/// The rendered template text of a decision (for wording checks): the line markup of
/// `assets/bescheid/README.md`, with the section marks and the template's own wording of the
/// editable parts even when `e.text` is set.
pub fn vorlagentext(e: &Entscheidung) -> Result<String, BescheidError> {
    vorlage::text(e)
}

/// What the template itself writes for the editable parts of this decision, to prefill the
/// editor: setting `text: Some(textvorschlag(e)?)` gives the same pages as `text: None`.
/// `e.text` is ignored.
///
/// Errors: [`BescheidError::Eingabe`] when the decision is invalid, [`BescheidError::Vorlage`]
/// when the template fails.
pub fn textvorschlag(e: &Entscheidung) -> Result<Bescheidtext, BescheidError> {
    e.pruefen()?;
    vorlage::vorschlag(e)
}

/// The Rechtsbehelfsbelehrung of this decision as plain text, without its heading
/// (paragraphs separated by blank lines); it follows `behoerde.land` and is not editable.
pub fn rechtsbehelfsbelehrung(e: &Entscheidung) -> Result<String, BescheidError> {
    e.pruefen()?;
    vorlage::rechtsbehelfsbelehrung(e)
}
