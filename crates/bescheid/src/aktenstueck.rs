//! Internal record documents (Aktenstücke) for the E-Akte: when a finished case is handed
//! over, its application form data, its audit excerpt and the messages exchanged with the
//! applicant become one unsealed PDF/A-3b each.
//!
//! The layout belongs to the Brief's family (A4, letterhead with logo, running head of
//! following pages, footer and „Seite x von y“ from `satz.rs`, the PDF/A-3b writer of
//! `pdf.rs`), but a record goes into the file, not into an envelope: no address field, no
//! fold marks, no salutation. Page one shows the letterhead, the title (bold), a small
//! information block (Aktenzeichen, „Erstellt am“, further pairs) and then the sections:
//! headings, label/value tables ([`Abschnitt::Felder`]), paragraphs as in the Brief
//! ([`Abschnitt::Text`]), lines kept as written ([`Abschnitt::Vorformatiert`]) and tables
//! whose header row is repeated on every page they continue on ([`Abschnitt::Tabelle`]).
//!
//! **Input is never refused for its characters.** Form data, audit details and messages come
//! from outside, and a record must be made of whatever arrived. Before layout every text is
//! cleaned (`bereinigen`): control characters are removed (line breaks are kept where a
//! field may have several lines, and become spaces where it may not), a tab becomes a space
//! (four in preformatted text), invisible format characters (zero-width spaces and joiners,
//! bidi overrides, variation selectors, byte order marks) are removed, and every character
//! the embedded font (Liberation Sans, both cuts) cannot show becomes [`ERSATZZEICHEN`]
//! (U+25A1 □), one per character, so a reader sees that something stood there. Text is set
//! left to right in logical order; the font has no Arabic, so Arabic arrives as stand-ins.
//! A word wider than its column is broken between characters. Only the frame is checked
//! ([`aktenstueck_setzen`]): the date, a non-empty title, Aktenzeichen and authority name,
//! and the logo path.
//!
//! [`formular_felder`] turns JSON form data into label/value rows with the titles of its JSON
//! Schema, [`text_abschnitte`] shows other form data (XML) as preformatted lines.
//!
//! To add a kind of section: a variant of [`Abschnitt`], its cleaning in `bereinigt` and its
//! layout in `Setzer::abschnitt`.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use time::OffsetDateTime;

use crate::model::{Behoerde, datum_deutsch, parse_datum};
use crate::satz::{
    FOLGESEITE_OBEN, GRAU, KOERPER_UNTEN, RAND_LINKS, RAND_RECHTS, SCHWARZ, Satz, TEXT_GROESSE,
    ZEILE, binden,
};
use crate::schrift::{Schnitt, Schriften};
use crate::vorlage::Block;
use crate::{BescheidError, brief, pdf, schrift};

/// The visible stand-in for a character the font cannot show: U+25A1 WHITE SQUARE □, the
/// empty box readers know from missing glyphs. The font has no U+FFFD, and „?“ could be
/// mistaken for a question mark that was really there.
pub const ERSATZZEICHEN: char = '\u{25a1}';

/// An internal record document for the E-Akte (see the module documentation).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Aktenstueck {
    /// The authority (letterhead, running head, footer).
    pub behoerde: Behoerde,
    /// Title line, e.g. „Antrag: Meldebescheinigung“ or „Bearbeitungsprotokoll“ (bold; line
    /// breaks become spaces, long titles wrap).
    pub titel: String,
    /// Aktenzeichen of the case (information block, running head).
    pub aktenzeichen: String,
    /// Date the record was made, `YYYY-MM-DD` (shown as „Erstellt am 20.11.2026“).
    pub datum: String,
    /// Further rows of the information block (label, value) below „Erstellt am“.
    #[serde(default)]
    pub angaben: Vec<(String, String)>,
    /// The content, top to bottom.
    #[serde(default)]
    pub abschnitte: Vec<Abschnitt>,
}

/// One section of an [`Aktenstueck`]. Every kind may be empty.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Abschnitt {
    /// A heading (bold, kept with what follows it).
    Ueberschrift(String),
    /// A label/value table: the label column on the left (indented by [`Feld::ebene`]), the
    /// value on the right; a value may have several lines and wraps inside its column. A
    /// row with an empty value is a group heading (bold, across both columns).
    Felder(Vec<Feld>),
    /// Plain text as in the Brief: blank lines separate paragraphs, a line break stays a line
    /// break, a line starting with „– “ is a list item; nothing else is interpreted.
    Text(String),
    /// Lines kept as written, with their indentation (XML form data, technical messages); a
    /// line wider than the page wraps with a hanging indent.
    Vorformatiert(String),
    /// A table with a header row repeated on every page it continues on (the audit excerpt:
    /// Zeit | Wer | Was | Einzelheiten). Cells wrap inside their column and may have several
    /// lines; column widths follow the content. A row with more cells than `spalten` gets
    /// columns without a header, a shorter row empty cells.
    Tabelle {
        /// Column headings.
        spalten: Vec<String>,
        /// Rows of cells.
        zeilen: Vec<Vec<String>>,
    },
}

/// One row of [`Abschnitt::Felder`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Feld {
    /// Nesting level: 0 for top-level fields, +1 for each object or list around it.
    pub ebene: u8,
    /// Label (a JSON Schema `title` or the key, „1.“ for list entries).
    pub bezeichnung: String,
    /// Value; empty for a group heading.
    pub wert: String,
}

/// What [`formular_felder`] shows for null, missing and empty values.
const LEER: &str = "—";

// Page geometry is the Brief's (`satz.rs`, DIN 5008; all mm from the top left).
const BREITE: f32 = RAND_RECHTS - RAND_LINKS;

// The record's own parts.
const TITEL_OBEN: f32 = 44.0;
const TITEL_GROESSE: f32 = 14.0;
const TITEL_ZEILE: f32 = 6.2;
const INFO_GROESSE: f32 = 9.5;
const INFO_ZEILE: f32 = 4.4;
const INFO_WERT_LINKS: f32 = RAND_LINKS + 32.0;
const FELD_GROESSE: f32 = 9.5;
const FELD_ZEILE: f32 = 4.4;
/// Right edge of the label column of [`Abschnitt::Felder`].
const FELD_WERT_LINKS: f32 = RAND_LINKS + 62.0;
const FELD_EINZUG: f32 = 5.0;
/// Deeper levels are not indented further, so the label column keeps room to read.
const FELD_EINZUG_MAX: u8 = 6;
const TAB_GROESSE: f32 = 9.0;
const TAB_ZEILE: f32 = 4.2;
const TAB_ABSTAND: f32 = 3.0;
const VOR_GROESSE: f32 = 8.5;
const VOR_ZEILE: f32 = 3.9;
/// Width of one leading space of preformatted text, so indentation shows in a
/// proportional font.
const VOR_EINRUECKUNG: f32 = 1.3;

/// Space between table columns: 3 mm, less when there are so many columns that the gaps
/// would take more than 15 % of the width.
fn abstand(spalten: usize) -> f32 {
    TAB_ABSTAND.min(BREITE * 0.15 / spalten.saturating_sub(1).max(1) as f32)
}

/// Cleans one text for layout (see the module documentation): control and invisible format
/// characters removed, tabs as `tab` spaces, line breaks kept when `mehrzeilig` (as `\n`) or
/// turned into spaces, characters missing from either cut of the font replaced by
/// [`ERSATZZEICHEN`].
fn bereinigen(s: &Schriften, text: &str, mehrzeilig: bool, tab: usize) -> String {
    let mut out = String::with_capacity(text.len());
    let mut vorher_cr = false;
    for c in text.chars() {
        let cr = c == '\r';
        match c {
            '\n' if vorher_cr => {}
            '\r' | '\n' | '\u{85}' | '\u{2028}' | '\u{2029}' | '\u{b}' | '\u{c}' => {
                out.push(if mehrzeilig { '\n' } else { ' ' });
            }
            '\t' => out.extend(std::iter::repeat_n(' ', tab)),
            c if c.is_control() || unsichtbar(c) => {}
            // Unusual spaces the font lacks are still spaces.
            '\u{2000}'..='\u{200a}' | '\u{205f}' | '\u{3000}' if !zeigbar(s, c) => out.push(' '),
            c if zeigbar(s, c) => out.push(c),
            _ => out.push(ERSATZZEICHEN),
        }
        vorher_cr = cr;
    }
    out
}

/// Invisible format characters (Unicode category Cf without the soft hyphen, which the line
/// breaker uses, and the variation selectors): removed, never replaced.
fn unsichtbar(c: char) -> bool {
    matches!(c,
        '\u{600}'..='\u{605}' | '\u{61c}' | '\u{6dd}' | '\u{70f}' | '\u{180e}'
        | '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2060}'..='\u{2064}'
        | '\u{2066}'..='\u{206f}' | '\u{fe00}'..='\u{fe0f}' | '\u{feff}'
        | '\u{fff9}'..='\u{fffb}' | '\u{e0001}' | '\u{e0020}'..='\u{e007f}'
        | '\u{e0100}'..='\u{e01ef}')
}

fn zeigbar(s: &Schriften, c: char) -> bool {
    s.normal.glyph(c).is_some() && s.fett.glyph(c).is_some()
}

fn einzeilig(s: &Schriften, t: &str) -> String {
    bereinigen(s, t, false, 1).trim().to_string()
}

fn mehrzeilig(s: &Schriften, t: &str) -> String {
    bereinigen(s, t, true, 1)
}

/// The record with every text cleaned, so that nothing of it can be refused by the font.
fn bereinigt(s: &Schriften, a: &Aktenstueck) -> Aktenstueck {
    let e = |t: &String| einzeilig(s, t);
    let b = &a.behoerde;
    let behoerde = Behoerde {
        name: e(&b.name),
        organisationseinheit: e(&b.organisationseinheit),
        anschrift: crate::model::Anschrift {
            strasse: e(&b.anschrift.strasse),
            plz: e(&b.anschrift.plz),
            ort: e(&b.anschrift.ort),
        },
        telefon: e(&b.telefon),
        email: e(&b.email),
        web: e(&b.web),
        oeffnungszeiten: b.oeffnungszeiten.iter().map(e).collect(),
        bankverbindung: b
            .bankverbindung
            .as_ref()
            .map(|k| crate::model::Bankverbindung {
                institut: e(&k.institut),
                iban: e(&k.iban),
                bic: e(&k.bic),
            }),
        logo: b.logo.clone(),
        land: b.land.clone(),
    };
    let abschnitte = a
        .abschnitte
        .iter()
        .map(|ab| match ab {
            Abschnitt::Ueberschrift(t) => Abschnitt::Ueberschrift(e(t)),
            Abschnitt::Felder(f) => Abschnitt::Felder(
                f.iter()
                    .map(|f| Feld {
                        ebene: f.ebene,
                        bezeichnung: e(&f.bezeichnung),
                        wert: mehrzeilig(s, &f.wert),
                    })
                    .collect(),
            ),
            Abschnitt::Text(t) => Abschnitt::Text(mehrzeilig(s, t)),
            Abschnitt::Vorformatiert(t) => Abschnitt::Vorformatiert(bereinigen(s, t, true, 4)),
            Abschnitt::Tabelle { spalten, zeilen } => Abschnitt::Tabelle {
                spalten: spalten.iter().map(e).collect(),
                zeilen: zeilen
                    .iter()
                    .map(|z| z.iter().map(|c| mehrzeilig(s, c)).collect())
                    .collect(),
            },
        })
        .collect();
    Aktenstueck {
        behoerde,
        titel: e(&a.titel),
        aktenzeichen: e(&a.aktenzeichen),
        datum: a.datum.trim().to_string(),
        angaben: a
            .angaben
            .iter()
            .map(|(k, v)| (e(k), mehrzeilig(s, v)))
            .collect(),
        abschnitte,
    }
}

/// Sets a record document as an unsealed PDF/A-3b (A4, the Brief's fonts, letterhead,
/// running head and footer). `zeitpunkt` becomes the Info and XMP dates (whole seconds).
/// Equal records at equal times give equal files.
///
/// Text is never refused for its characters (see the module documentation). Errors:
/// [`BescheidError::Eingabe`] when `datum` is not `YYYY-MM-DD`, when `titel`,
/// `aktenzeichen` or `behoerde.name` is empty, or the logo path is invalid.
pub fn aktenstueck_setzen(
    a: &Aktenstueck,
    zeitpunkt: OffsetDateTime,
) -> Result<Vec<u8>, BescheidError> {
    let schriften = schrift::schriften()?;
    let a = bereinigt(schriften, a);
    let s = gesetzt(schriften, &a)?;
    let titel = format!("{} · Aktenzeichen {}", a.titel, a.aktenzeichen);
    pdf::ungesiegelt(&s, titel, a.behoerde.name.clone(), &a, zeitpunkt)
}

/// The cleaned record laid out on its pages, footers included.
fn gesetzt(schriften: &'static Schriften, a: &Aktenstueck) -> Result<Satz<'static>, BescheidError> {
    let datum = datum_deutsch(parse_datum("datum", &a.datum)?);
    for (feld, wert) in [
        ("titel", &a.titel),
        ("aktenzeichen", &a.aktenzeichen),
        ("behoerde.name", &a.behoerde.name),
    ] {
        if wert.is_empty() {
            return Err(BescheidError::Eingabe {
                feld: feld.into(),
                grund: "darf nicht leer sein".into(),
            });
        }
    }
    if let Some(l) = &a.behoerde.logo {
        l.befehle()?;
    }
    let mut st = Setzer {
        s: Satz::neu(schriften),
        y: 0.0,
        kopf: String::new(),
    };
    st.kopf = st.s.kuerzen(
        Schnitt::Normal,
        8.0,
        &format!(
            "{} · Aktenzeichen {} · {}",
            a.behoerde.name, a.aktenzeichen, a.titel
        ),
        BREITE,
    );
    st.briefkopf(&a.behoerde)?;
    st.titel_und_info(a, &datum)?;
    for ab in &a.abschnitte {
        st.abschnitt(ab)?;
    }
    st.s.fuesse(&a.behoerde)?;
    Ok(st.s)
}

/// Layout state: the pages (in a [`Satz`], which also sets the footers) and the baseline of
/// the last line set, in mm from the top.
struct Setzer<'a> {
    s: Satz<'a>,
    y: f32,
    kopf: String,
}

/// One row of a table, broken into lines per column.
type Reihe = Vec<Vec<String>>;

/// One column of lines set by `Setzer::reihe`: left edge (mm), cut, size, colour, lines.
type Spalte = (f32, Schnitt, f32, [f32; 3], Vec<String>);

impl Setzer<'_> {
    /// A horizontal rule from `x1` to `x2` at `y` (mm).
    fn linie(&mut self, x1: f32, x2: f32, y: f32, staerke: f32, farbe: [f32; 3]) {
        self.s.linie(x1, y, x2, y, staerke, farbe);
    }

    /// Lines of `text` no wider than `breite` mm; each line of the input on its own, an empty
    /// input line stays an empty line, a word wider than the column breaks between
    /// characters.
    fn zeilen(&self, schnitt: Schnitt, groesse: f32, text: &str, breite: f32) -> Vec<String> {
        let mut out = Vec::new();
        for z in text.split('\n') {
            let z = binden(z.trim_end());
            if z.trim().is_empty() {
                out.push(String::new());
            } else {
                out.extend(self.s.umbrechen(schnitt, groesse, z.trim_start(), breite));
            }
        }
        // Trailing empty lines carry nothing.
        while out.len() > 1 && out.last().is_some_and(String::is_empty) {
            out.pop();
        }
        out
    }

    /// True when `hoehe` mm more do not fit on this page.
    fn voll(&self, hoehe: f32) -> bool {
        self.y + hoehe > KOERPER_UNTEN
    }

    fn neue_seite(&mut self) -> Result<(), BescheidError> {
        self.s.folgeseite(&self.kopf)?;
        self.y = FOLGESEITE_OBEN - 3.0;
        Ok(())
    }

    /// Starts a new page unless `hoehe` mm fit on this one.
    fn platz(&mut self, hoehe: f32) -> Result<(), BescheidError> {
        if self.voll(hoehe) {
            self.neue_seite()?;
        }
        Ok(())
    }

    /// Logo (fitted into 15 × 18 mm), name and organisational unit, as on the Brief.
    fn briefkopf(&mut self, b: &Behoerde) -> Result<(), BescheidError> {
        let kopf_x = self.s.logo(b)?;
        let name = self
            .s
            .kuerzen(Schnitt::Fett, 17.0, &b.name, RAND_RECHTS - kopf_x);
        self.s
            .text(Schnitt::Fett, 17.0, kopf_x, 20.0, SCHWARZ, &name)?;
        let mut y = 26.0;
        for z in self.s.umbrechen(
            Schnitt::Normal,
            10.0,
            &b.organisationseinheit,
            RAND_RECHTS - kopf_x,
        ) {
            self.s.text(Schnitt::Normal, 10.0, kopf_x, y, GRAU, &z)?;
            y += 4.3;
        }
        self.y = y - 4.3;
        Ok(())
    }

    /// Title, information block and a rule below them.
    fn titel_und_info(&mut self, a: &Aktenstueck, datum: &str) -> Result<(), BescheidError> {
        self.y = (self.y + 12.0).max(TITEL_OBEN) - TITEL_ZEILE;
        for z in self.zeilen(Schnitt::Fett, TITEL_GROESSE, &a.titel, BREITE) {
            self.platz(TITEL_ZEILE)?;
            self.y += TITEL_ZEILE;
            self.s.text(
                Schnitt::Fett,
                TITEL_GROESSE,
                RAND_LINKS,
                self.y,
                SCHWARZ,
                &z,
            )?;
        }
        self.y += 2.5;
        let mut info: Vec<(&str, &str, Schnitt)> = vec![
            ("Aktenzeichen", &a.aktenzeichen, Schnitt::Fett),
            ("Erstellt am", datum, Schnitt::Normal),
        ];
        info.extend(
            a.angaben
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str(), Schnitt::Normal)),
        );
        let label_b = INFO_WERT_LINKS - RAND_LINKS - 2.0;
        let wert_b = RAND_RECHTS - INFO_WERT_LINKS;
        for (label, wert, schnitt) in info {
            let l = self.zeilen(Schnitt::Normal, 8.0, label, label_b);
            let w = self.zeilen(
                schnitt,
                INFO_GROESSE,
                if wert.trim().is_empty() { LEER } else { wert },
                wert_b,
            );
            self.reihe(
                &[
                    (RAND_LINKS, Schnitt::Normal, 8.0, GRAU, l),
                    (INFO_WERT_LINKS, schnitt, INFO_GROESSE, SCHWARZ, w),
                ],
                INFO_ZEILE,
            )?;
        }
        self.y += 3.0;
        self.linie(RAND_LINKS, RAND_RECHTS, self.y, 0.4, GRAU);
        self.y += 1.0;
        Ok(())
    }

    /// Sets columns of lines side by side, line by line; a row that fits on a page (up to 12
    /// lines) is not split.
    fn reihe(&mut self, spalten: &[Spalte], zeile: f32) -> Result<(), BescheidError> {
        let n = spalten.iter().map(|s| s.4.len()).max().unwrap_or(0);
        if n <= 12 {
            self.platz(zeile * n as f32)?;
        }
        for i in 0..n {
            self.platz(zeile)?;
            self.y += zeile;
            for (x, schnitt, g, farbe, zeilen) in spalten {
                if let Some(t) = zeilen.get(i) {
                    self.s.text(*schnitt, *g, *x, self.y, *farbe, t)?;
                }
            }
        }
        Ok(())
    }

    fn abschnitt(&mut self, ab: &Abschnitt) -> Result<(), BescheidError> {
        match ab {
            Abschnitt::Ueberschrift(t) => self.ueberschrift(t),
            Abschnitt::Felder(f) => self.felder(f),
            Abschnitt::Text(t) => self.fliesstext(t),
            Abschnitt::Vorformatiert(t) => self.vorformatiert(t),
            Abschnitt::Tabelle { spalten, zeilen } => self.tabelle(spalten, zeilen),
        }
    }

    fn ueberschrift(&mut self, t: &str) -> Result<(), BescheidError> {
        let zeilen = self.zeilen(Schnitt::Fett, 12.0, t, BREITE);
        if t.is_empty() {
            return Ok(());
        }
        // With the first lines of what follows.
        self.platz(ZEILE * (1.2 + zeilen.len() as f32) + ZEILE * 2.0)?;
        self.y += ZEILE * 1.2;
        for z in zeilen {
            self.platz(ZEILE)?;
            self.y += ZEILE;
            self.s
                .text(Schnitt::Fett, 12.0, RAND_LINKS, self.y, SCHWARZ, &z)?;
        }
        self.y += ZEILE * 0.2;
        Ok(())
    }

    fn felder(&mut self, felder: &[Feld]) -> Result<(), BescheidError> {
        if felder.is_empty() {
            return Ok(());
        }
        self.y += 1.5;
        for (i, f) in felder.iter().enumerate() {
            let einzug = FELD_EINZUG * f32::from(f.ebene.min(FELD_EINZUG_MAX));
            let x = RAND_LINKS + einzug;
            if f.wert.trim().is_empty() {
                // A group heading, kept with the row after it.
                let zeilen =
                    self.zeilen(Schnitt::Fett, FELD_GROESSE, &f.bezeichnung, RAND_RECHTS - x);
                self.platz(FELD_ZEILE * (zeilen.len() as f32 + 1.5))?;
                if i > 0 {
                    self.y += 1.0;
                }
                self.reihe(
                    &[(x, Schnitt::Fett, FELD_GROESSE, SCHWARZ, zeilen)],
                    FELD_ZEILE,
                )?;
                continue;
            }
            let label = self.zeilen(
                Schnitt::Normal,
                FELD_GROESSE,
                &f.bezeichnung,
                FELD_WERT_LINKS - x - 3.0,
            );
            let wert = self.zeilen(
                Schnitt::Normal,
                FELD_GROESSE,
                &f.wert,
                RAND_RECHTS - FELD_WERT_LINKS,
            );
            self.reihe(
                &[
                    (x, Schnitt::Normal, FELD_GROESSE, GRAU, label),
                    (
                        FELD_WERT_LINKS,
                        Schnitt::Normal,
                        FELD_GROESSE,
                        SCHWARZ,
                        wert,
                    ),
                ],
                FELD_ZEILE,
            )?;
            self.y += 1.2;
            self.linie(x, RAND_RECHTS, self.y, 0.2, GRAU);
        }
        Ok(())
    }

    fn fliesstext(&mut self, text: &str) -> Result<(), BescheidError> {
        for b in brief::text_bloecke(text) {
            let (marke, einzug, text, abstand) = match &b {
                Block::Absatz(t) => (None, 0.0, t, ZEILE * 0.6),
                Block::Punkt(m, t) => (Some(m.as_str()), 7.0, t, ZEILE * 0.4),
                Block::Fortsetzung { eingerueckt, text } => {
                    (None, if *eingerueckt { 7.0 } else { 0.0 }, text, 0.0)
                }
                _ => continue,
            };
            self.y += abstand;
            let zeilen = self.zeilen(Schnitt::Normal, TEXT_GROESSE, text, BREITE - einzug);
            for (i, z) in zeilen.iter().enumerate() {
                // No single first line at the foot of a page.
                let rest = (zeilen.len() - i).min(2) as f32;
                self.platz(if i == 0 { ZEILE * rest } else { ZEILE })?;
                self.y += ZEILE;
                if i == 0
                    && let Some(m) = marke
                {
                    self.s.text(
                        Schnitt::Normal,
                        TEXT_GROESSE,
                        RAND_LINKS,
                        self.y,
                        SCHWARZ,
                        m,
                    )?;
                }
                self.s.text(
                    Schnitt::Normal,
                    TEXT_GROESSE,
                    RAND_LINKS + einzug,
                    self.y,
                    SCHWARZ,
                    z,
                )?;
            }
        }
        Ok(())
    }

    fn vorformatiert(&mut self, text: &str) -> Result<(), BescheidError> {
        if text.trim().is_empty() {
            return Ok(());
        }
        self.y += 1.5;
        let zeilen: Vec<&str> = text.trim_end().split('\n').collect();
        let start = zeilen
            .iter()
            .position(|z| !z.trim().is_empty())
            .unwrap_or(0);
        for z in &zeilen[start..] {
            let leer = z.chars().take_while(|c| *c == ' ').count();
            let einzug = (leer as f32 * VOR_EINRUECKUNG).min(BREITE / 2.0);
            let inhalt = z.trim();
            // Continuation lines of a wrapped line hang 4 mm further in.
            let hang = einzug + 4.0;
            let teile = if inhalt.is_empty() {
                vec![String::new()]
            } else {
                self.s
                    .umbrechen(Schnitt::Normal, VOR_GROESSE, inhalt, BREITE - hang)
            };
            for (i, t) in teile.iter().enumerate() {
                self.platz(VOR_ZEILE)?;
                self.y += VOR_ZEILE;
                let x = RAND_LINKS + if i == 0 { einzug } else { hang };
                self.s
                    .text(Schnitt::Normal, VOR_GROESSE, x, self.y, SCHWARZ, t)?;
            }
        }
        Ok(())
    }

    /// Column widths for a table: columns whose widest line fits their fair share keep it,
    /// the others share the rest in proportion to their widest line.
    fn spaltenbreiten(&self, spalten: &[String], zeilen: &[Vec<String>], n: usize) -> Vec<f32> {
        let verfuegbar = BREITE - abstand(n) * (n.saturating_sub(1)) as f32;
        let mut natur = vec![8.0f32; n];
        for (i, k) in spalten.iter().enumerate() {
            // A heading breaks only at its spaces: its longest word must fit.
            let wort = k
                .split(' ')
                .map(|w| self.s.breite(Schnitt::Fett, TAB_GROESSE, w) + 0.5);
            natur[i] = natur[i].max(wort.fold(0.0, f32::max));
        }
        let kopf_min = natur.clone();
        let mut mess = |i: usize, t: &str| {
            for z in t.split('\n') {
                // Measuring a few hundred characters is enough to know a cell is wide.
                let z: String = z.chars().take(400).collect();
                let b = self.s.breite(Schnitt::Normal, TAB_GROESSE, z.trim()) + 0.5;
                natur[i] = natur[i].max(b);
            }
        };
        for z in zeilen {
            for (i, c) in z.iter().enumerate() {
                mess(i, c);
            }
        }
        let mut breiten = vec![0.0f32; n];
        let mut offen: Vec<usize> = (0..n).collect();
        let mut rest = verfuegbar;
        loop {
            let anteil = rest / offen.len().max(1) as f32;
            let (passt, weiter): (Vec<usize>, Vec<usize>) =
                offen.iter().partition(|i| natur[**i] <= anteil);
            if passt.is_empty() {
                break;
            }
            for i in passt {
                breiten[i] = natur[i];
                rest -= natur[i];
            }
            offen = weiter;
            if offen.is_empty() {
                break;
            }
        }
        if offen.is_empty() {
            // Everything fits: the spare room goes to the last column.
            if let Some(l) = breiten.last_mut() {
                *l += rest;
            }
        } else {
            let summe: f32 = offen.iter().map(|i| natur[*i]).sum();
            for i in &offen {
                breiten[*i] =
                    (rest * natur[*i] / summe).max(kopf_min[*i].min(rest / offen.len() as f32));
            }
        }
        // The minimum widths above may overshoot a little; the margin holds.
        let summe: f32 = breiten.iter().sum();
        if summe > verfuegbar {
            for b in &mut breiten {
                *b *= verfuegbar / summe;
            }
        }
        breiten
    }

    fn tabelle(&mut self, spalten: &[String], zeilen: &[Vec<String>]) -> Result<(), BescheidError> {
        let n = zeilen
            .iter()
            .map(Vec::len)
            .max()
            .unwrap_or(0)
            .max(spalten.len());
        if n == 0 {
            return Ok(());
        }
        let breiten = self.spaltenbreiten(spalten, zeilen, n);
        let mut xs = Vec::with_capacity(n);
        let mut x = RAND_LINKS;
        for b in &breiten {
            xs.push(x);
            x += b + abstand(n);
        }
        let kopf: Reihe = (0..n)
            .map(|i| {
                let t = spalten.get(i).map_or("", String::as_str);
                self.zeilen(Schnitt::Fett, TAB_GROESSE, t, breiten[i])
            })
            .collect();
        let hat_kopf = spalten.iter().any(|s| !s.is_empty());
        let kopf_hoehe = if hat_kopf {
            TAB_ZEILE * kopf.iter().map(Vec::len).max().unwrap_or(1) as f32 + 1.8
        } else {
            0.0
        };
        self.y += 2.0;
        // The header with at least one line of the first row.
        self.platz(kopf_hoehe + TAB_ZEILE * 2.0)?;
        if hat_kopf {
            self.tabellenkopf(&kopf, &xs)?;
        }
        if zeilen.is_empty() {
            self.y += TAB_ZEILE;
            self.s.text(
                Schnitt::Normal,
                TAB_GROESSE,
                RAND_LINKS,
                self.y,
                GRAU,
                "(keine Einträge)",
            )?;
            return Ok(());
        }
        for z in zeilen {
            let reihe: Reihe = (0..n)
                .map(|i| {
                    let t = z.get(i).map_or("", String::as_str);
                    self.zeilen(Schnitt::Normal, TAB_GROESSE, t, breiten[i])
                })
                .collect();
            let hoehe = reihe.iter().map(Vec::len).max().unwrap_or(1);
            // A row that fits on a page is not split; a longer one continues line by line.
            let mut erste = true;
            for i in 0..hoehe {
                let braucht = if erste && hoehe <= 12 {
                    TAB_ZEILE * hoehe as f32
                } else {
                    TAB_ZEILE
                };
                if self.voll(braucht + 1.2) {
                    self.neue_seite()?;
                    self.y += 2.0;
                    if hat_kopf {
                        self.tabellenkopf(&kopf, &xs)?;
                    }
                }
                erste = false;
                self.y += TAB_ZEILE;
                for (s, zellen) in reihe.iter().enumerate() {
                    if let Some(t) = zellen.get(i) {
                        self.s
                            .text(Schnitt::Normal, TAB_GROESSE, xs[s], self.y, SCHWARZ, t)?;
                    }
                }
            }
            self.y += 1.2;
            self.linie(RAND_LINKS, RAND_RECHTS, self.y, 0.2, GRAU);
        }
        Ok(())
    }

    fn tabellenkopf(&mut self, kopf: &Reihe, xs: &[f32]) -> Result<(), BescheidError> {
        let hoehe = kopf.iter().map(Vec::len).max().unwrap_or(1);
        for i in 0..hoehe {
            self.y += TAB_ZEILE;
            for (s, zeilen) in kopf.iter().enumerate() {
                if let Some(t) = zeilen.get(i) {
                    self.s
                        .text(Schnitt::Fett, TAB_GROESSE, xs[s], self.y, SCHWARZ, t)?;
                }
            }
        }
        self.y += 1.6;
        self.linie(RAND_LINKS, RAND_RECHTS, self.y, 0.6, SCHWARZ);
        Ok(())
    }
}

/// JSON form data as label/value rows for [`Abschnitt::Felder`].
///
/// Labels are the `title` of each property in `schema` (a JSON Schema: `properties`, `items`,
/// and local `$ref`s like `#/$defs/person` are followed; a property's own title wins over
/// the title of what it refers to), else the key. A nested object becomes a heading row at
/// level n and its fields at n + 1, a list the entries „1.“, „2.“, … at n + 1. Values: `true`
/// → „Ja“, `false` → „Nein“, null, a missing property of the schema, an empty string, object
/// or list → „—“, numbers with a decimal comma, strings with `"format": "date"` as
/// `TT.MM.JJJJ`, an `enum` value given a title by `oneOf`/`anyOf` `{const, title}` as that
/// title, every other string as it is.
///
/// Order: this workspace builds `serde_json` without `preserve_order`, so objects come with
/// sorted keys and the written order of `properties` is lost. Per object, the properties
/// named in the schema's `required` list come first in that order (the order a form asks
/// for them), then the schema's other properties, then keys of the data the schema does not
/// know, each sorted by key. Equal input thus always gives equal rows.
pub fn formular_felder(daten: &Value, schema: Option<&Value>) -> Vec<Feld> {
    let mut out = Vec::new();
    let k = Kontext { wurzel: schema };
    match daten {
        Value::Object(m) => k.objekt(m, schema, 0, &mut out),
        Value::Array(_) => k.eintrag("Einträge".into(), Some(daten), schema, 0, &mut out),
        _ => {
            let titel = k.titel(schema).unwrap_or_else(|| "Wert".into());
            k.eintrag(titel, Some(daten), schema, 0, &mut out);
        }
    }
    out
}

struct Kontext<'s> {
    wurzel: Option<&'s Value>,
}

impl<'s> Kontext<'s> {
    /// The schema with `$ref`s (local JSON pointers) followed, at most 32 deep.
    fn aufloesen(&self, mut s: Option<&'s Value>) -> Option<&'s Value> {
        for _ in 0..32 {
            let r = s?.get("$ref").and_then(Value::as_str);
            match r.and_then(|r| r.strip_prefix('#')) {
                Some(zeiger) => s = self.wurzel.and_then(|w| w.pointer(zeiger)),
                None => return s,
            }
        }
        None
    }

    fn titel(&self, s: Option<&'s Value>) -> Option<String> {
        let mut s = s;
        for _ in 0..32 {
            let v = s?;
            if let Some(t) = v
                .get("title")
                .and_then(Value::as_str)
                .filter(|t| !t.trim().is_empty())
            {
                return Some(t.to_string());
            }
            let zeiger = v.get("$ref").and_then(Value::as_str)?.strip_prefix('#')?;
            s = self.wurzel.and_then(|w| w.pointer(zeiger));
        }
        None
    }

    fn objekt(
        &self,
        m: &serde_json::Map<String, Value>,
        schema: Option<&'s Value>,
        ebene: u8,
        out: &mut Vec<Feld>,
    ) {
        let s = self.aufloesen(schema);
        let props = s
            .and_then(|s| s.get("properties"))
            .and_then(Value::as_object);
        let mut schluessel: Vec<&str> = Vec::new();
        if let Some(p) = props {
            let pflicht = s
                .and_then(|s| s.get("required"))
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .filter(|k| p.contains_key(*k));
            for k in pflicht.chain(p.keys().map(String::as_str)) {
                if !schluessel.contains(&k) {
                    schluessel.push(k);
                }
            }
        }
        for k in m.keys() {
            if !props.is_some_and(|p| p.contains_key(k)) {
                schluessel.push(k);
            }
        }
        for k in schluessel {
            let sub = props.and_then(|p| p.get(k));
            let titel = self.titel(sub).unwrap_or_else(|| k.to_string());
            self.eintrag(titel, m.get(k), sub, ebene, out);
        }
    }

    fn eintrag(
        &self,
        titel: String,
        wert: Option<&Value>,
        schema: Option<&'s Value>,
        ebene: u8,
        out: &mut Vec<Feld>,
    ) {
        let feld = |wert: String| Feld {
            ebene,
            bezeichnung: titel.clone(),
            wert,
        };
        let innen = ebene.saturating_add(1);
        match wert {
            None | Some(Value::Null) => out.push(feld(LEER.into())),
            Some(Value::Bool(b)) => out.push(feld(if *b { "Ja" } else { "Nein" }.into())),
            Some(Value::Number(n)) => out.push(feld(zahl(n))),
            Some(Value::String(t)) => out.push(feld(self.zeichenkette(t, schema))),
            Some(Value::Object(m)) if m.is_empty() => out.push(feld(LEER.into())),
            Some(Value::Array(v)) if v.is_empty() => out.push(feld(LEER.into())),
            Some(Value::Object(m)) => {
                out.push(feld(String::new()));
                self.objekt(m, schema, innen, out);
            }
            Some(Value::Array(v)) => {
                out.push(feld(String::new()));
                let items = self.aufloesen(schema).and_then(|s| s.get("items"));
                for (i, w) in v.iter().enumerate() {
                    self.eintrag(format!("{}.", i + 1), Some(w), items, innen, out);
                }
            }
        }
    }

    fn zeichenkette(&self, t: &str, schema: Option<&'s Value>) -> String {
        if t.trim().is_empty() {
            return LEER.into();
        }
        let s = self.aufloesen(schema);
        if s.and_then(|s| s.get("format")).and_then(Value::as_str) == Some("date")
            && let Ok(d) = parse_datum("", t)
        {
            return datum_deutsch(d);
        }
        for wahl in ["oneOf", "anyOf"] {
            let treffer = s
                .and_then(|s| s.get(wahl))
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .find(|o| o.get("const").and_then(Value::as_str) == Some(t))
                .and_then(|o| o.get("title"))
                .and_then(Value::as_str);
            if let Some(titel) = treffer {
                return titel.to_string();
            }
        }
        t.to_string()
    }
}

/// `12`, `12,5`: integers as they are, other numbers with a decimal comma.
fn zahl(n: &serde_json::Number) -> String {
    if n.is_i64() || n.is_u64() {
        return n.to_string();
    }
    n.as_f64()
        .map(|f| f.to_string().replace('.', ","))
        .unwrap_or_else(|| n.to_string())
}

/// Form data that is not JSON (XML, plain text) as a section of lines kept as written
/// ([`Abschnitt::Vorformatiert`]). XML that arrives without line breaks (one long line, as
/// most XÖV messages do) is first put one element per line, indented by its depth; other
/// text is kept as it is. Empty text gives no section.
pub fn text_abschnitte(text: &str) -> Vec<Abschnitt> {
    let t = text.trim_start_matches('\u{feff}');
    if t.trim().is_empty() {
        return Vec::new();
    }
    let xml_einzeilig =
        t.trim_start().starts_with('<') && t.lines().any(|z| z.chars().count() > 160);
    let t = if xml_einzeilig {
        xml_zeilen(t.trim())
    } else {
        t.to_string()
    };
    vec![Abschnitt::Vorformatiert(t)]
}

/// One XML element per line, indented two spaces per level; an element holding only text
/// stays on one line. Markup is not checked: text that is not well-formed XML still comes
/// out complete, only less neatly indented.
fn xml_zeilen(xml: &str) -> String {
    #[derive(PartialEq)]
    enum Zuletzt {
        Oeffnend,
        Text,
        Sonst,
    }
    let mut out = String::new();
    let mut tiefe: usize = 0;
    let mut zuletzt = Zuletzt::Sonst;
    let neue_zeile = |out: &mut String, tiefe: usize| {
        if !out.is_empty() {
            out.push('\n');
        }
        out.extend(std::iter::repeat_n(' ', 2 * tiefe.min(30)));
    };
    let mut rest = xml;
    while !rest.is_empty() {
        if let Some(r) = rest.strip_prefix('<') {
            let ende = if r.starts_with("!--") {
                r.find("-->").map(|i| i + 3)
            } else if r.starts_with("![CDATA[") {
                r.find("]]>").map(|i| i + 3)
            } else {
                // The closing `>` outside quoted attribute values.
                let mut quote = None;
                r.char_indices()
                    .find(|(_, c)| match quote {
                        Some(q) if *c == q => {
                            quote = None;
                            false
                        }
                        Some(_) => false,
                        None if *c == '"' || *c == '\'' => {
                            quote = Some(*c);
                            false
                        }
                        None => *c == '>',
                    })
                    .map(|(i, _)| i + 1)
            }
            .unwrap_or(r.len());
            let tag = &rest[..ende + 1];
            rest = &r[ende..];
            if tag.starts_with("</") {
                tiefe = tiefe.saturating_sub(1);
                if zuletzt == Zuletzt::Sonst {
                    neue_zeile(&mut out, tiefe);
                }
                out.push_str(tag);
                zuletzt = Zuletzt::Sonst;
            } else if tag.starts_with("<?") || tag.starts_with("<!") || tag.ends_with("/>") {
                if zuletzt != Zuletzt::Text {
                    neue_zeile(&mut out, tiefe);
                }
                out.push_str(tag);
                if zuletzt != Zuletzt::Text {
                    zuletzt = Zuletzt::Sonst;
                }
            } else {
                neue_zeile(&mut out, tiefe);
                out.push_str(tag);
                tiefe += 1;
                zuletzt = Zuletzt::Oeffnend;
            }
        } else {
            let ende = rest.find('<').unwrap_or(rest.len());
            let text = rest[..ende].trim();
            if !text.is_empty() {
                if zuletzt != Zuletzt::Oeffnend && zuletzt != Zuletzt::Text {
                    neue_zeile(&mut out, tiefe);
                }
                out.push_str(text);
                zuletzt = Zuletzt::Text;
            }
            rest = &rest[ende..];
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_stand_in_is_in_both_cuts_of_the_font() {
        let s = schrift::schriften().unwrap();
        assert!(zeigbar(s, ERSATZZEICHEN));
    }

    #[test]
    fn cleaning_removes_controls_keeps_line_breaks_and_replaces_what_the_font_lacks() {
        let s = schrift::schriften().unwrap();
        assert_eq!(
            bereinigen(s, "a\u{0}b\u{7}c\r\nd\re\tf\u{200b}g\u{202e}h", true, 1),
            "abc\nd\ne fgh"
        );
        assert_eq!(bereinigen(s, "a\nb", false, 1), "a b");
        assert_eq!(bereinigen(s, "Hund 🐕\u{fe0f}!", true, 1), "Hund \u{25a1}!");
        assert_eq!(bereinigen(s, "Привет", true, 1), "Привет");
        assert_eq!(bereinigen(s, "\tx", true, 4), "    x");
    }

    #[test]
    fn one_line_xml_is_put_one_element_per_line() {
        let xml = "<?xml version=\"1.0\"?><antrag a=\"x>y\"><name>Erika</name><!-- c --><leer/><kinder><kind>A</kind></kinder></antrag>";
        assert_eq!(
            xml_zeilen(xml),
            "<?xml version=\"1.0\"?>\n<antrag a=\"x>y\">\n  <name>Erika</name>\n  <!-- c -->\n  \
             <leer/>\n  <kinder>\n    <kind>A</kind>\n  </kinder>\n</antrag>"
        );
        // Broken markup loses nothing.
        let kaputt = "<a><b>text</a>< <c";
        let z = xml_zeilen(kaputt);
        assert_eq!(z.replace(['\n', ' '], ""), kaputt.replace(' ', ""));
    }
}
