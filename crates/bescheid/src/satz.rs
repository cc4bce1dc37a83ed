//! Page layout (Satz) after DIN 5008, form B: letterhead, address field for a window
//! envelope, information block, body with German line breaking, fee table, footer and
//! "Seite x von y". The result is a display list per page; `pdf.rs` writes it.
//!
//! The sealed Bescheid and the plain letter (`brief.rs`) share all of it: they differ only in
//! their [`Rahmen`] (information block rows, running head, the QR code and its note top right
//! on the Bescheid) and in their blocks (only the Bescheid has a fee table).
//!
//! Coordinates are millimetres from the top-left corner while laying out and are turned into
//! PDF points (from the bottom) only when an operation is recorded.

use crate::BescheidError;
use crate::model::{
    Behoerde, Empfaenger, Entscheidung, Gebuehr, PfadBefehl, betrag_deutsch, datum_deutsch,
    parse_datum,
};
use crate::schrift::{GlyphNutzung, Schnitt, Schriften};
use crate::vorlage::Block;

pub(crate) const SEITE_B: f32 = 595.276; // A4 in pt
pub(crate) const SEITE_H: f32 = 841.89;

fn mm(v: f32) -> f32 {
    v * 72.0 / 25.4
}

// DIN 5008 form B (all mm).
pub(crate) const RAND_LINKS: f32 = 25.0;
pub(crate) const RAND_RECHTS: f32 = 190.0; // 20 mm right margin
const ANSCHRIFT_OBEN: f32 = 45.0;
const INFO_LINKS: f32 = 125.0;
const INFO_OBEN: f32 = 50.0;
/// Values of the information block start here (after the labels) and end at the right edge
/// of the body text, inside the DIN 5008 information block column (125–200 mm).
const INFO_WERT_LINKS: f32 = INFO_LINKS + 24.0;
/// Lowest baseline of the information block, well above the Betreff.
const INFO_UNTEN: f32 = 92.0;
/// Value size, the smallest size a value may shrink to before it wraps, and line pitches.
const INFO_GROESSE: f32 = 9.5;
const INFO_MIN: f32 = 8.5;
const INFO_ZEILE: f32 = 4.6;
const INFO_FORTSETZUNG: f32 = 3.8;
const BETREFF_OBEN: f32 = 98.4;
pub(crate) const KOERPER_UNTEN: f32 = 259.0;
pub(crate) const FOLGESEITE_OBEN: f32 = 27.0;
const FUSS_OBEN: f32 = 271.0;

pub(crate) const TEXT_GROESSE: f32 = 11.0;
pub(crate) const ZEILE: f32 = 5.0; // line pitch of body text in mm

/// Grey used for labels and rules.
pub(crate) const GRAU: [f32; 3] = [0.38, 0.38, 0.38];
pub(crate) const SCHWARZ: [f32; 3] = [0.0, 0.0, 0.0];

/// One drawing operation in PDF points.
#[derive(Debug, Clone)]
pub(crate) enum Op {
    Text {
        schnitt: Schnitt,
        groesse: f32,
        x: f32,
        y: f32,
        farbe: [f32; 3],
        glyphen: Vec<u16>,
    },
    Linie {
        x1: f32,
        y1: f32,
        x2: f32,
        y2: f32,
        staerke: f32,
        farbe: [f32; 3],
    },
    /// A QR code (drawn from a form XObject), lower-left corner and edge length.
    Qr {
        code: QrArt,
        x: f32,
        y: f32,
        kante: f32,
    },
    /// A filled path (the logo), in PDF points.
    Pfad {
        befehle: Vec<PfadBefehl>,
        farbe: [f32; 3],
    },
}

/// Which of the document's QR codes an [`Op::Qr`] draws.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum QrArt {
    /// The visual seal top right on page one (Aktenzeichen, date, hash of the JSON).
    Siegel,
    /// The GiroCode (EPC payment data) beside the payment sentence.
    Giro,
}

#[derive(Debug, Default)]
pub(crate) struct Seite {
    pub(crate) ops: Vec<Op>,
}

/// What frames the body of a letter: sender and addressee, the information block, the running
/// head of following pages, and whether the seal's QR code is printed top right.
pub(crate) struct Rahmen<'e> {
    pub(crate) behoerde: &'e Behoerde,
    pub(crate) empfaenger: &'e Empfaenger,
    /// Rows of the information block (label, value), top to bottom; the value of
    /// `Aktenzeichen` is set bold.
    pub(crate) info: Vec<(&'static str, String)>,
    /// Running head of following pages (shortened with „…“ to the line).
    pub(crate) kopfzeile: String,
    /// The QR code (`Op::Qr`) and the note „Elektronisch gesiegelt“ (sealed Bescheid only).
    pub(crate) siegelvermerk: bool,
    /// Caption and payment data beside the GiroCode ([`Block::GiroCode`]); `None`: no code.
    pub(crate) girocode: Option<Vec<String>>,
}

impl<'e> Rahmen<'e> {
    /// The frame of a Bescheid.
    pub(crate) fn bescheid(e: &'e Entscheidung) -> Result<Self, BescheidError> {
        let datum = datum_deutsch(parse_datum("datum", &e.datum)?);
        let mut info: Vec<(&'static str, String)> = Vec::new();
        if let Some(z) = &e.ihr_zeichen {
            info.push(("Ihr Zeichen", z.clone()));
        }
        info.push((
            "Ihr Antrag vom",
            datum_deutsch(parse_datum("antrag_vom", &e.antrag_vom)?),
        ));
        info.push(("Aktenzeichen", e.aktenzeichen.clone()));
        info.push(("Bearbeitung", e.bearbeitung.name.clone()));
        if let Some(z) = &e.bearbeitung.zimmer {
            info.push(("Zimmer", z.clone()));
        }
        info.push(("Telefon", e.bearbeitung.telefon.clone()));
        info.push(("E-Mail", e.bearbeitung.email.clone()));
        let kopfzeile = format!(
            "{} · Aktenzeichen {} · Bescheid vom {}",
            e.behoerde.name, e.aktenzeichen, datum
        );
        info.push(("Datum", datum));
        Ok(Rahmen {
            behoerde: &e.behoerde,
            empfaenger: &e.empfaenger,
            info,
            kopfzeile,
            siegelvermerk: true,
            girocode: crate::girocode::anzeige(e),
        })
    }
}

pub(crate) struct Satz<'a> {
    s: &'a Schriften,
    pub(crate) nutzung: GlyphNutzung,
    pub(crate) seiten: Vec<Seite>,
    y: f32,
}

/// A piece of a paragraph up to a break opportunity.
struct Stueck<'t> {
    text: &'t str,
    nach: Nach,
}

#[derive(Clone, Copy, PartialEq)]
enum Nach {
    /// A space follows (dropped at the end of a line).
    Leer,
    /// A soft hyphen follows (shown as `-` at the end of a line, else nothing).
    Weich,
    /// The piece ends in a hyphen or slash, or is the last one.
    Nichts,
}

fn stuecke(text: &str) -> Vec<Stueck<'_>> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut vorher: Option<char> = None;
    let mut iter = text.char_indices().peekable();
    while let Some((i, c)) = iter.next() {
        let naechstes = iter.peek().map(|(_, n)| *n);
        match c {
            ' ' => {
                if i > start {
                    out.push(Stueck {
                        text: &text[start..i],
                        nach: Nach::Leer,
                    });
                } else if let Some(letztes) = out.last_mut() {
                    letztes.nach = Nach::Leer;
                }
                start = i + 1;
            }
            '\u{ad}' => {
                out.push(Stueck {
                    text: &text[start..i],
                    nach: Nach::Weich,
                });
                start = i + c.len_utf8();
            }
            // Break after a hyphen or slash between letters (Müller-|Lüdenscheidt, und/|oder),
            // after a dash only when it stands alone.
            '-' | '/'
                if vorher.is_some_and(char::is_alphanumeric)
                    && naechstes.is_some_and(char::is_alphabetic) =>
            {
                let ende = i + c.len_utf8();
                out.push(Stueck {
                    text: &text[start..ende],
                    nach: Nach::Nichts,
                });
                start = ende;
            }
            _ => {}
        }
        vorher = Some(c);
    }
    if start < text.len() {
        out.push(Stueck {
            text: &text[start..],
            nach: Nach::Nichts,
        });
    }
    out
}

/// Inserts no-break spaces where German typesetting keeps words together: after `§`,
/// `Abs.`, `Nr.`, `Satz` before a number, and before `€`.
pub(crate) fn binden(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let zeichen: Vec<char> = text.chars().collect();
    for (i, c) in zeichen.iter().enumerate() {
        if *c == ' ' {
            let davor: String = zeichen[..i]
                .iter()
                .rev()
                .take(5)
                .collect::<Vec<_>>()
                .into_iter()
                .rev()
                .collect();
            let danach = zeichen.get(i + 1).copied();
            let ziffer_folgt = danach.is_some_and(|d| d.is_ascii_digit());
            let bindet = danach == Some('€')
                || (ziffer_folgt
                    && (davor.ends_with('§')
                        || davor.ends_with("Abs.")
                        || davor.ends_with("Nr.")
                        || davor.ends_with("Satz")
                        || davor.ends_with("Art.")
                        || davor.ends_with("KZ")));
            out.push(if bindet { '\u{a0}' } else { ' ' });
        } else {
            out.push(*c);
        }
    }
    out
}

impl<'a> Satz<'a> {
    pub(crate) fn neu(s: &'a Schriften) -> Self {
        Satz {
            s,
            nutzung: GlyphNutzung::default(),
            seiten: vec![Seite::default()],
            y: BETREFF_OBEN,
        }
    }

    /// The fonts the pages are set in.
    pub(crate) fn schriften(&self) -> &'a Schriften {
        self.s
    }

    /// The page being set (a new one if there is none).
    pub(crate) fn seite(&mut self) -> &mut Seite {
        if self.seiten.is_empty() {
            self.seiten.push(Seite::default());
        }
        let n = self.seiten.len() - 1;
        &mut self.seiten[n]
    }

    pub(crate) fn breite(&self, schnitt: Schnitt, groesse: f32, text: &str) -> f32 {
        self.s.get(schnitt).breite(text, groesse) * 25.4 / 72.0
    }

    /// Draws text with its left edge at `x` mm and baseline at `y` mm from the top.
    pub(crate) fn text(
        &mut self,
        schnitt: Schnitt,
        groesse: f32,
        x: f32,
        y: f32,
        farbe: [f32; 3],
        text: &str,
    ) -> Result<(), BescheidError> {
        if text.is_empty() {
            return Ok(());
        }
        let glyphen = self.nutzung.glyphen(self.s, schnitt, text)?;
        self.seite().ops.push(Op::Text {
            schnitt,
            groesse,
            x: mm(x),
            y: SEITE_H - mm(y),
            farbe,
            glyphen,
        });
        Ok(())
    }

    fn text_rechts(
        &mut self,
        schnitt: Schnitt,
        groesse: f32,
        rechts: f32,
        y: f32,
        farbe: [f32; 3],
        text: &str,
    ) -> Result<(), BescheidError> {
        let b = self.breite(schnitt, groesse, text);
        self.text(schnitt, groesse, rechts - b, y, farbe, text)
    }

    /// Draws a line from (`x1`, `y1`) to (`x2`, `y2`), in mm from the top left.
    pub(crate) fn linie(
        &mut self,
        x1: f32,
        y1: f32,
        x2: f32,
        y2: f32,
        staerke: f32,
        farbe: [f32; 3],
    ) {
        self.seite().ops.push(Op::Linie {
            x1: mm(x1),
            y1: SEITE_H - mm(y1),
            x2: mm(x2),
            y2: SEITE_H - mm(y2),
            staerke,
            farbe,
        });
    }

    /// Breaks a paragraph into lines no wider than `breite` mm.
    pub(crate) fn umbrechen(
        &self,
        schnitt: Schnitt,
        groesse: f32,
        text: &str,
        breite: f32,
    ) -> Vec<String> {
        let f = self.s.get(schnitt);
        let w = |t: &str| f.breite(t, groesse) * 25.4 / 72.0;
        let w_leer = w(" ");
        let w_strich = w("-");
        let mut zeilen = Vec::new();
        let mut zeile = String::new();
        let mut zeile_b = 0.0f32;
        let mut offen: Option<Nach> = None; // what follows the last piece on the line
        for st in stuecke(text) {
            let sw = w(st.text);
            let zwischen = match offen {
                Some(Nach::Leer) => w_leer,
                _ => 0.0,
            };
            let ende = if st.nach == Nach::Weich {
                w_strich
            } else {
                0.0
            };
            if offen.is_some() && zeile_b + zwischen + sw + ende > breite {
                if offen == Some(Nach::Weich) {
                    zeile.push('-');
                }
                zeilen.push(std::mem::take(&mut zeile));
                zeile_b = 0.0;
                offen = None;
            }
            if let Some(Nach::Leer) = offen {
                zeile.push(' ');
                zeile_b += w_leer;
            }
            if offen.is_none() && sw > breite {
                // A single piece wider than the line: break it between characters.
                for c in st.text.chars() {
                    let cw = w(c.encode_utf8(&mut [0; 4]));
                    if zeile_b + cw > breite && !zeile.is_empty() {
                        zeilen.push(std::mem::take(&mut zeile));
                        zeile_b = 0.0;
                    }
                    zeile.push(c);
                    zeile_b += cw;
                }
            } else {
                zeile.push_str(st.text);
                zeile_b += sw;
            }
            offen = Some(st.nach);
        }
        if !zeile.is_empty() {
            zeilen.push(zeile);
        }
        zeilen
    }

    fn platz(&mut self, hoehe: f32, kopf: &str) -> Result<(), BescheidError> {
        if self.y + hoehe > KOERPER_UNTEN {
            self.folgeseite(kopf)?;
            self.y = FOLGESEITE_OBEN;
        }
        Ok(())
    }

    /// Starts a following page with its running head `kopf` and the rule below it.
    pub(crate) fn folgeseite(&mut self, kopf: &str) -> Result<(), BescheidError> {
        self.seiten.push(Seite::default());
        self.text(Schnitt::Normal, 8.0, RAND_LINKS, 17.0, GRAU, kopf)?;
        self.linie(RAND_LINKS, 19.0, RAND_RECHTS, 19.0, 0.4, GRAU);
        Ok(())
    }

    fn absatz(
        &mut self,
        kopf: &str,
        schnitt: Schnitt,
        marke: Option<&str>,
        text: &str,
    ) -> Result<(), BescheidError> {
        let einzug = if marke.is_some() { 7.0 } else { 0.0 };
        let text = binden(text);
        let zeilen = self.umbrechen(
            schnitt,
            TEXT_GROESSE,
            &text,
            RAND_RECHTS - RAND_LINKS - einzug,
        );
        for (i, z) in zeilen.iter().enumerate() {
            // Keep at least two lines together at a page break (no orphans of one line).
            let rest = (zeilen.len() - i).min(2) as f32;
            self.platz(if i == 0 { ZEILE * rest } else { ZEILE }, kopf)?;
            self.y += ZEILE;
            if i == 0
                && let Some(m) = marke
            {
                self.text(schnitt, TEXT_GROESSE, RAND_LINKS, self.y, SCHWARZ, m)?;
            }
            self.text(
                schnitt,
                TEXT_GROESSE,
                RAND_LINKS + einzug,
                self.y,
                SCHWARZ,
                z,
            )?;
        }
        Ok(())
    }

    /// Lays out a whole Bescheid.
    pub(crate) fn bescheid(
        &mut self,
        e: &Entscheidung,
        bloecke: &[Block],
    ) -> Result<(), BescheidError> {
        let rahmen = Rahmen::bescheid(e)?;
        self.setzen(&rahmen, bloecke, &e.gebuehren)
    }

    /// Number of lines `text` takes as a paragraph of body text.
    fn zeilenzahl(&self, text: &str, eingerueckt: bool) -> usize {
        let einzug = if eingerueckt { 7.0 } else { 0.0 };
        self.umbrechen(
            Schnitt::Normal,
            TEXT_GROESSE,
            &binden(text),
            RAND_RECHTS - RAND_LINKS - einzug,
        )
        .len()
    }

    /// A paragraph followed by lines after hard line breaks ([`Block::Fortsetzung`]) of at
    /// most this many lines in all stays on one page (a Grußformel with name and authority).
    const GRUPPE_MAX: usize = 5;

    /// Reserves room for the paragraph at `bloecke[nr]` with the lines that continue it after
    /// hard line breaks, when there are such lines and they are few. Nothing otherwise.
    fn gruppe_zusammenhalten(
        &mut self,
        bloecke: &[Block],
        nr: usize,
        kopf: &str,
    ) -> Result<(), BescheidError> {
        let folge: Vec<(bool, &str)> = bloecke[nr + 1..]
            .iter()
            .map_while(|b| match b {
                Block::Fortsetzung { eingerueckt, text } => Some((*eingerueckt, text.as_str())),
                _ => None,
            })
            .collect();
        if folge.is_empty() {
            return Ok(());
        }
        let kopfzeilen = match &bloecke[nr] {
            Block::Absatz(t) => self.zeilenzahl(t, false),
            Block::Punkt(_, t) => self.zeilenzahl(t, true),
            _ => return Ok(()),
        };
        let zeilen = kopfzeilen
            + folge
                .iter()
                .map(|(e, t)| self.zeilenzahl(t, *e))
                .sum::<usize>();
        if zeilen <= Self::GRUPPE_MAX {
            self.platz(ZEILE * zeilen as f32, kopf)?;
        }
        Ok(())
    }

    /// Lays out a whole letter: frame on page one, then the blocks; `gebuehren` fills
    /// [`Block::Gebuehren`].
    pub(crate) fn setzen(
        &mut self,
        rahmen: &Rahmen,
        bloecke: &[Block],
        gebuehren: &[Gebuehr],
    ) -> Result<(), BescheidError> {
        let kopf = self.kuerzen(
            Schnitt::Normal,
            8.0,
            &rahmen.kopfzeile,
            RAND_RECHTS - RAND_LINKS,
        );
        self.briefkopf(rahmen)?;
        self.y = BETREFF_OBEN - ZEILE;
        let mut vorher_betreff = false;
        for (nr, b) in bloecke.iter().enumerate() {
            match b {
                Block::Betreff(t) => {
                    self.absatz(&kopf, Schnitt::Fett, None, t)?;
                    vorher_betreff = true;
                    continue;
                }
                Block::Ueberschrift(t) => {
                    // Keep a heading with the first two lines that follow it (spacing above
                    // 0.8, the heading, 0.2 + up to 0.6 spacing, two lines).
                    self.platz(ZEILE * 4.6, &kopf)?;
                    self.y += ZEILE * 0.8;
                    self.absatz(&kopf, Schnitt::Fett, None, t)?;
                    self.y += ZEILE * 0.2;
                }
                Block::Absatz(t) => {
                    self.y += if vorher_betreff {
                        ZEILE * 1.6
                    } else {
                        ZEILE * 0.6
                    };
                    self.gruppe_zusammenhalten(bloecke, nr, &kopf)?;
                    self.absatz(&kopf, Schnitt::Normal, None, t)?;
                }
                Block::Punkt(m, t) => {
                    self.y += if vorher_betreff {
                        ZEILE * 1.6
                    } else {
                        ZEILE * 0.4
                    };
                    self.gruppe_zusammenhalten(bloecke, nr, &kopf)?;
                    self.absatz(&kopf, Schnitt::Normal, Some(m), t)?;
                }
                Block::Fortsetzung { eingerueckt, text } => {
                    // Directly below the line before, indented like a list item's text.
                    self.absatz(&kopf, Schnitt::Normal, eingerueckt.then_some(""), text)?;
                }
                Block::Zeile(t) => {
                    // A run of kept lines (the Grußformel) gets an empty line above it and
                    // stays together on one page.
                    if nr == 0 || !matches!(bloecke[nr - 1], Block::Zeile(_)) {
                        let lauf = bloecke[nr..]
                            .iter()
                            .take_while(|b| matches!(b, Block::Zeile(_)))
                            .count();
                        self.y += ZEILE;
                        self.platz(ZEILE * lauf as f32, &kopf)?;
                    }
                    // Kept as written, wrapped only where it would run past the margin.
                    let zeilen = if self.breite(Schnitt::Normal, TEXT_GROESSE, t)
                        > RAND_RECHTS - RAND_LINKS
                    {
                        self.umbrechen(Schnitt::Normal, TEXT_GROESSE, t, RAND_RECHTS - RAND_LINKS)
                    } else {
                        vec![t.clone()]
                    };
                    for z in &zeilen {
                        self.platz(ZEILE, &kopf)?;
                        self.y += ZEILE;
                        self.text(
                            Schnitt::Normal,
                            TEXT_GROESSE,
                            RAND_LINKS,
                            self.y,
                            SCHWARZ,
                            z,
                        )?;
                    }
                }
                Block::Gebuehren => self.gebuehren(gebuehren, &kopf)?,
                Block::GiroCode => {
                    if let Some(zeilen) = &rahmen.girocode {
                        self.girocode(zeilen, &kopf)?;
                    }
                }
                // Section marks are resolved by `vorlage::zusammensetzen`; they set nothing.
                Block::Teil(_) | Block::Ende => continue,
            }
            vorher_betreff = false;
        }
        Ok(())
    }

    fn briefkopf(&mut self, r: &Rahmen) -> Result<(), BescheidError> {
        let b = r.behoerde;
        // Letterhead: logo, name and organisational unit.
        let kopf_x = self.logo(b)?;
        self.text(Schnitt::Fett, 17.0, kopf_x, 20.0, SCHWARZ, &b.name)?;
        let org_zeilen = self.umbrechen(
            Schnitt::Normal,
            10.0,
            &b.organisationseinheit,
            135.0 - (kopf_x - RAND_LINKS),
        );
        let mut y = 26.0;
        for z in &org_zeilen {
            self.text(Schnitt::Normal, 10.0, kopf_x, y, GRAU, z)?;
            y += 4.3;
        }
        if r.siegelvermerk {
            self.siegelvermerk()?;
        }
        self.anschriftfeld(b, r.empfaenger)?;
        self.infoblock(&r.info)?;

        // Fold marks (105 and 210 mm) and the punch mark (148.5 mm).
        for (hoehe, lang) in [(105.0, 5.0), (148.5, 8.0), (210.0, 5.0)] {
            self.linie(3.0, hoehe, 3.0 + lang, hoehe, 0.4, GRAU);
        }
        Ok(())
    }

    /// The authority's logo top left, fitted into 15 × 18 mm. Returns where the name beside
    /// it starts (mm from the left): the left margin when there is no logo.
    pub(crate) fn logo(&mut self, b: &Behoerde) -> Result<f32, BescheidError> {
        let mut kopf_x = RAND_LINKS;
        if let Some(logo) = &b.logo {
            let (box_b, box_h) = (15.0f32, 18.0f32);
            let s = (box_b / logo.breite).min(box_h / logo.hoehe);
            let (x0, y0) = (RAND_LINKS, 10.0 + (box_h - logo.hoehe * s) / 2.0);
            let p = |x: f32, y: f32| (mm(x0 + x * s), SEITE_H - mm(y0 + y * s));
            let befehle = logo
                .befehle()?
                .into_iter()
                .map(|b| match b {
                    PfadBefehl::M(x, y) => {
                        let (a, b) = p(x, y);
                        PfadBefehl::M(a, b)
                    }
                    PfadBefehl::L(x, y) => {
                        let (a, b) = p(x, y);
                        PfadBefehl::L(a, b)
                    }
                    PfadBefehl::C(x1, y1, x2, y2, x3, y3) => {
                        let (a1, b1) = p(x1, y1);
                        let (a2, b2) = p(x2, y2);
                        let (a3, b3) = p(x3, y3);
                        PfadBefehl::C(a1, b1, a2, b2, a3, b3)
                    }
                    PfadBefehl::Z => PfadBefehl::Z,
                })
                .collect();
            self.seite().ops.push(Op::Pfad {
                befehle,
                farbe: logo.rgb(),
            });
            kopf_x = RAND_LINKS + box_b + 4.0;
        }
        Ok(kopf_x)
    }

    /// Visual seal top right: QR code and how to check it.
    fn siegelvermerk(&mut self) -> Result<(), BescheidError> {
        let kante = 24.0;
        self.seite().ops.push(Op::Qr {
            code: QrArt::Siegel,
            x: mm(RAND_RECHTS - kante),
            y: SEITE_H - mm(8.0 + kante),
            kante: mm(kante),
        });
        self.text_rechts(
            Schnitt::Fett,
            6.5,
            RAND_RECHTS,
            35.0,
            GRAU,
            "Elektronisch gesiegelt",
        )?;
        self.text_rechts(
            Schnitt::Normal,
            6.5,
            RAND_RECHTS,
            37.8,
            GRAU,
            "QR-Code und Siegel prüfbar",
        )?;
        self.text_rechts(
            Schnitt::Normal,
            6.5,
            RAND_RECHTS,
            40.6,
            GRAU,
            "mit PAdES-Prüfsoftware",
        )?;
        Ok(())
    }

    /// Address field (window envelope, form B: 45 mm from the top, 85 × 45 mm) with the
    /// return address above the addressee.
    fn anschriftfeld(&mut self, b: &Behoerde, em: &Empfaenger) -> Result<(), BescheidError> {
        let ruecksende = format!(
            "{} · {} · {} {}",
            b.name, b.anschrift.strasse, b.anschrift.plz, b.anschrift.ort
        );
        let ruecksende = self.kuerzen(Schnitt::Normal, 7.0, &ruecksende, 80.0);
        self.text(
            Schnitt::Normal,
            7.0,
            RAND_LINKS,
            ANSCHRIFT_OBEN + 15.0,
            GRAU,
            &ruecksende,
        )?;
        let rb = self.breite(Schnitt::Normal, 7.0, &ruecksende);
        self.linie(
            RAND_LINKS,
            ANSCHRIFT_OBEN + 15.8,
            RAND_LINKS + rb,
            ANSCHRIFT_OBEN + 15.8,
            0.3,
            GRAU,
        );
        let mut zeilen: Vec<String> = Vec::new();
        if let Some(a) = &em.anrede {
            zeilen.push(a.clone());
        }
        zeilen.push(em.name.clone());
        if let Some(z) = &em.zusatz {
            zeilen.push(z.clone());
        }
        zeilen.push(em.anschrift.strasse.clone());
        zeilen.push(format!("{} {}", em.anschrift.plz, em.anschrift.ort));
        let mut y = ANSCHRIFT_OBEN + 17.7 + 4.2;
        for z in zeilen.iter().take(9) {
            let z = self.kuerzen(Schnitt::Normal, 10.5, z, 80.0);
            self.text(Schnitt::Normal, 10.5, RAND_LINKS, y, SCHWARZ, &z)?;
            y += 4.5;
        }
        Ok(())
    }

    /// Information block (labels and values, right of the address field).
    fn infoblock(&mut self, info: &[(&str, String)]) -> Result<(), BescheidError> {
        // Values shrink to INFO_MIN, then wrap; rows move closer together when wrapped values
        // would push the block into the Betreff, and only if that is not enough, everything
        // is set smaller.
        let mut min = INFO_MIN;
        let (gesetzt, abstand, fortsetzung) = loop {
            let gesetzt: Vec<(&str, Schnitt, f32, Vec<String>)> = info
                .iter()
                .map(|(label, wert)| {
                    let schnitt = if *label == "Aktenzeichen" {
                        Schnitt::Fett
                    } else {
                        Schnitt::Normal
                    };
                    let (g, zeilen) =
                        self.info_wert(schnitt, wert, RAND_RECHTS - INFO_WERT_LINKS, min);
                    (*label, schnitt, g, zeilen)
                })
                .collect();
            let fortsetzung = INFO_FORTSETZUNG * min / INFO_MIN;
            let fortsetzungen: usize = gesetzt.iter().map(|r| r.3.len() - 1).sum();
            let reihen = gesetzt.len().saturating_sub(1).max(1) as f32;
            let frei = INFO_UNTEN - INFO_OBEN - fortsetzungen as f32 * fortsetzung;
            let abstand = (frei / reihen).min(INFO_ZEILE);
            if abstand >= 3.6 || min <= 6.0 {
                break (gesetzt, abstand.max(3.0), fortsetzung);
            }
            min -= 0.5;
        };
        let mut y = INFO_OBEN;
        for (label, schnitt, g, zeilen) in &gesetzt {
            self.text(Schnitt::Normal, 8.0, INFO_LINKS, y, GRAU, label)?;
            for (i, z) in zeilen.iter().enumerate() {
                if i > 0 {
                    y += fortsetzung;
                }
                self.text(*schnitt, *g, INFO_WERT_LINKS, y, SCHWARZ, z)?;
            }
            y += abstand;
        }
        Ok(())
    }

    /// Sets one value of the information block into `breite` mm: at full size if it fits,
    /// else shrunk down to `min` pt, else wrapped at that size where identifiers break
    /// (after `@`, `-`, `/`, `_`, spaces; before `.`), between characters only as a last resort.
    pub(crate) fn info_wert(
        &self,
        schnitt: Schnitt,
        wert: &str,
        breite: f32,
        min: f32,
    ) -> (f32, Vec<String>) {
        let mut g = INFO_GROESSE;
        while g >= min {
            if self.breite(schnitt, g, wert) <= breite {
                return (g, vec![wert.to_string()]);
            }
            g -= 0.25;
        }
        // Breaking only after `@` and at spaces reads best (`vorname.name@` / `stadt.de`);
        // the finer break points are used only when that is not enough.
        let grob = self.umbrechen_kennung(schnitt, min, wert, breite, &['@', ' '], false);
        let zeilen = if grob.iter().all(|z| self.breite(schnitt, min, z) <= breite) {
            grob
        } else {
            self.umbrechen_kennung(
                schnitt,
                min,
                wert,
                breite,
                &['@', ' ', '-', '/', '_', '.'],
                true,
            )
        };
        (min, zeilen)
    }

    /// Greedy line breaking for e-mail addresses, phone numbers and Aktenzeichen.
    fn umbrechen_kennung(
        &self,
        schnitt: Schnitt,
        g: f32,
        text: &str,
        breite: f32,
        stellen: &[char],
        zeichenweise: bool,
    ) -> Vec<String> {
        let mut teile: Vec<&str> = Vec::new();
        let mut start = 0;
        for (i, c) in text.char_indices() {
            if !stellen.contains(&c) {
                continue;
            }
            if c == '.' {
                // Before a dot, so the next line starts with `.de`, never a line ends in one.
                if i > start {
                    teile.push(&text[start..i]);
                    start = i;
                }
            } else {
                let ende = i + c.len_utf8();
                teile.push(&text[start..ende]);
                start = ende;
            }
        }
        if start < text.len() {
            teile.push(&text[start..]);
        }
        let passt = |t: &str| self.breite(schnitt, g, t.trim_end()) <= breite;
        let mut zeilen = Vec::new();
        let mut zeile = String::new();
        for t in teile {
            if !zeile.is_empty() && !passt(&format!("{zeile}{t}")) {
                zeilen.push(zeile.trim_end().to_string());
                zeile.clear();
            }
            zeile.push_str(t);
            // A piece wider than the line on its own: break it between characters.
            while zeichenweise && !passt(&zeile) {
                let mut kopf = String::new();
                for c in zeile.chars() {
                    let mut versuch = kopf.clone();
                    versuch.push(c);
                    if !kopf.is_empty() && !passt(&versuch) {
                        break;
                    }
                    kopf = versuch;
                }
                if kopf.len() >= zeile.len() {
                    break;
                }
                zeile = zeile[kopf.len()..].to_string();
                zeilen.push(kopf);
            }
        }
        let rest = zeile.trim_end();
        if !rest.is_empty() {
            zeilen.push(rest.to_string());
        }
        zeilen
    }

    /// `text` shortened with „…“ to `breite` mm.
    pub(crate) fn kuerzen(
        &self,
        schnitt: Schnitt,
        groesse: f32,
        text: &str,
        breite: f32,
    ) -> String {
        if self.breite(schnitt, groesse, text) <= breite {
            return text.to_string();
        }
        let mut t: String = text.to_string();
        while !t.is_empty() && self.breite(schnitt, groesse, &format!("{t}…")) > breite {
            t.pop();
        }
        format!("{t}…")
    }

    fn gebuehren(&mut self, gebuehren: &[Gebuehr], kopf: &str) -> Result<(), BescheidError> {
        const G: f32 = 10.0;
        const SP_GRUND: f32 = 118.0;
        const B_BEZ: f32 = SP_GRUND - RAND_LINKS - 3.0;
        const B_GRUND: f32 = 40.0;
        let z = 4.6;
        self.y += ZEILE * 0.8;
        self.platz(z * 4.0, kopf)?;
        self.y += z;
        self.text(Schnitt::Fett, G, RAND_LINKS, self.y, SCHWARZ, "Bezeichnung")?;
        self.text(
            Schnitt::Fett,
            G,
            SP_GRUND,
            self.y,
            SCHWARZ,
            "Rechtsgrundlage",
        )?;
        self.text_rechts(Schnitt::Fett, G, RAND_RECHTS, self.y, SCHWARZ, "Betrag")?;
        self.linie(
            RAND_LINKS,
            self.y + 1.6,
            RAND_RECHTS,
            self.y + 1.6,
            0.6,
            SCHWARZ,
        );
        self.y += 1.6;
        for g in gebuehren {
            let bez = self.umbrechen(Schnitt::Normal, G, &binden(&g.bezeichnung), B_BEZ);
            let grund = self.umbrechen(
                Schnitt::Normal,
                G,
                &binden(g.rechtsgrundlage.as_deref().unwrap_or("–")),
                B_GRUND,
            );
            let n = bez.len().max(grund.len());
            self.platz(z * n as f32 + 1.0, kopf)?;
            let y0 = self.y;
            for i in 0..n {
                let y = y0 + z * (i as f32 + 1.0);
                if let Some(t) = bez.get(i) {
                    self.text(Schnitt::Normal, G, RAND_LINKS, y, SCHWARZ, t)?;
                }
                if let Some(t) = grund.get(i) {
                    self.text(Schnitt::Normal, G, SP_GRUND, y, SCHWARZ, t)?;
                }
                if i == 0 {
                    self.text_rechts(
                        Schnitt::Normal,
                        G,
                        RAND_RECHTS,
                        y,
                        SCHWARZ,
                        &betrag_deutsch(g.betrag_cent),
                    )?;
                }
            }
            self.y = y0 + z * n as f32 + 1.0;
            self.linie(RAND_LINKS, self.y, RAND_RECHTS, self.y, 0.3, GRAU);
        }
        self.platz(z + 2.0, kopf)?;
        self.y += z;
        self.text(
            Schnitt::Fett,
            G,
            RAND_LINKS,
            self.y,
            SCHWARZ,
            "Gesamtbetrag",
        )?;
        self.text_rechts(
            Schnitt::Fett,
            G,
            RAND_RECHTS,
            self.y,
            SCHWARZ,
            &betrag_deutsch(gebuehren.iter().map(|g| g.betrag_cent).sum()),
        )?;
        self.linie(
            RAND_LINKS,
            self.y + 1.6,
            RAND_RECHTS,
            self.y + 1.6,
            0.6,
            SCHWARZ,
        );
        self.y += 1.6;
        Ok(())
    }

    /// The GiroCode at the left margin, its caption (bold) and the payment data beside it.
    fn girocode(&mut self, zeilen: &[String], kopf: &str) -> Result<(), BescheidError> {
        const KANTE: f32 = 26.0;
        const G: f32 = 9.0;
        const Z: f32 = 4.2;
        let x = RAND_LINKS + KANTE + 4.0;
        let breite = RAND_RECHTS - x;
        let gesetzt: Vec<(Schnitt, Vec<String>)> = zeilen
            .iter()
            .enumerate()
            .map(|(i, z)| {
                let schnitt = if i == 0 {
                    Schnitt::Fett
                } else {
                    Schnitt::Normal
                };
                (schnitt, self.umbrechen(schnitt, G, &binden(z), breite))
            })
            .collect();
        let n: usize = gesetzt.iter().map(|(_, z)| z.len()).sum();
        let hoehe = KANTE.max(Z * n as f32 + 4.0);
        self.y += ZEILE * 0.6;
        self.platz(hoehe, kopf)?;
        let oben = self.y;
        self.seite().ops.push(Op::Qr {
            code: QrArt::Giro,
            x: mm(RAND_LINKS),
            y: SEITE_H - mm(oben + KANTE),
            kante: mm(KANTE),
        });
        // The code's quiet zone is part of its edge: the text starts level with the modules.
        let mut y = oben + 2.0 + Z;
        for (schnitt, teile) in gesetzt {
            for t in teile {
                self.text(schnitt, G, x, y, SCHWARZ, &t)?;
                y += Z;
            }
        }
        self.y = oben + hoehe;
        Ok(())
    }

    /// Footer and "Seite x von y" on every page; called once the page count is known.
    pub(crate) fn fuesse(&mut self, b: &Behoerde) -> Result<(), BescheidError> {
        let mut spalten: Vec<Vec<String>> = vec![
            vec![
                b.name.clone(),
                b.anschrift.strasse.clone(),
                format!("{} {}", b.anschrift.plz, b.anschrift.ort),
                b.web.clone(),
            ],
            {
                let mut v = vec![
                    format!("Telefon {}", b.telefon),
                    format!("E-Mail {}", b.email),
                ];
                if !b.oeffnungszeiten.is_empty() {
                    v.push(format!("Öffnungszeiten: {}", b.oeffnungszeiten.join(", ")));
                }
                v
            },
        ];
        if let Some(k) = &b.bankverbindung {
            spalten.push(vec![
                k.institut.clone(),
                format!("IBAN {}", k.iban),
                format!("BIC {}", k.bic),
            ]);
        }
        let xs = [RAND_LINKS, 80.0, 143.0];
        let breiten = [52.0, 60.0, RAND_RECHTS - 143.0];
        let n = self.seiten.len();
        let save = std::mem::take(&mut self.seiten);
        let mut seiten = save;
        for (i, seite) in seiten.iter_mut().enumerate() {
            // Lay the footer out on a scratch page and append its ops.
            self.seiten = vec![Seite::default()];
            self.text_rechts(
                Schnitt::Normal,
                8.5,
                RAND_RECHTS,
                FUSS_OBEN - 4.0,
                SCHWARZ,
                &format!("Seite {} von {}", i + 1, n),
            )?;
            self.linie(RAND_LINKS, FUSS_OBEN, RAND_RECHTS, FUSS_OBEN, 0.4, GRAU);
            for (s, spalte) in spalten.iter().enumerate() {
                let mut y = FUSS_OBEN + 3.6;
                for z in spalte {
                    for teil in self.umbrechen(Schnitt::Normal, 7.0, z, breiten[s]) {
                        self.text(Schnitt::Normal, 7.0, xs[s], y, GRAU, &teil)?;
                        y += 3.1;
                    }
                }
            }
            let ops = std::mem::take(&mut self.seiten);
            for s in ops {
                seite.ops.extend(s.ops);
            }
        }
        self.seiten = seiten;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schrift::schriften;

    fn umbruch(text: &str, breite: f32) -> Vec<String> {
        let s = schriften().unwrap();
        Satz::neu(s).umbrechen(Schnitt::Normal, 11.0, text, breite)
    }

    /// Lays a decision out as `ausstellen` does (without PDF writing and sealing).
    fn gesetzt(e: &Entscheidung) -> Satz<'static> {
        let s = schriften().unwrap();
        let bloecke = crate::vorlage::gesetzte_bloecke(e).unwrap();
        let mut satz = Satz::neu(s);
        satz.bescheid(e, &bloecke).unwrap();
        satz.fuesse(&e.behoerde).unwrap();
        satz
    }

    /// Every text run as (page, left edge mm, right edge mm, baseline mm from the top,
    /// text), measured with the font's own advances of the glyphs actually drawn.
    fn ausdehnung(satz: &Satz) -> Vec<(usize, f32, f32, f32, String)> {
        let s = schriften().unwrap();
        let mut out = Vec::new();
        for (n, seite) in satz.seiten.iter().enumerate() {
            for op in &seite.ops {
                if let Op::Text {
                    schnitt,
                    groesse,
                    x,
                    y,
                    glyphen,
                    ..
                } = op
                {
                    let f = s.get(*schnitt);
                    let units: u32 = glyphen.iter().map(|g| u32::from(f.advance(*g))).sum();
                    let rechts = x + units as f32 * groesse / f.upem;
                    let zeichen = &satz.nutzung.glyphen[*schnitt as usize];
                    let text: String = glyphen
                        .iter()
                        .map(|g| zeichen.get(g).copied().unwrap_or('?'))
                        .collect();
                    out.push((
                        n + 1,
                        x * 25.4 / 72.0,
                        rechts * 25.4 / 72.0,
                        (SEITE_H - y) * 25.4 / 72.0,
                        text,
                    ));
                }
            }
        }
        out
    }

    fn beispiele() -> Vec<(String, Entscheidung)> {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../assets/examples");
        let mut v: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|d| d.unwrap().path())
            .filter(|p| p.extension().is_some_and(|x| x == "json"))
            .map(|p| {
                let e = Entscheidung::from_json(&std::fs::read(&p).unwrap()).unwrap();
                (p.file_name().unwrap().to_string_lossy().into_owned(), e)
            })
            .collect();
        v.sort_by(|a, b| a.0.cmp(&b.0));
        assert!(v.len() >= 5, "{v:?}");
        v
    }

    #[test]
    fn no_text_or_qr_code_of_any_example_leaves_the_body_margins() {
        for (name, e) in beispiele() {
            let satz = gesetzt(&e);
            for (seite, links, rechts, _, text) in ausdehnung(&satz) {
                assert!(
                    rechts <= RAND_RECHTS + 0.01,
                    "{name}, Seite {seite}: „{text}“ endet bei {rechts:.1} mm, rechter Rand {RAND_RECHTS} mm"
                );
                assert!(
                    links >= RAND_LINKS - 0.01,
                    "{name}, Seite {seite}: „{text}“ beginnt bei {links:.1} mm"
                );
            }
            for seite in &satz.seiten {
                for op in &seite.ops {
                    if let Op::Qr { x, kante, .. } = op {
                        assert!(
                            (x + kante) * 25.4 / 72.0 <= RAND_RECHTS + 0.01,
                            "{name}: QR-Code"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn long_information_block_values_wrap_or_shrink_inside_the_column_above_the_betreff() {
        let (_, mut e) = beispiele()
            .into_iter()
            .find(|(n, _)| n == "hundesteuer.json")
            .unwrap();
        e.aktenzeichen = "22.1-HSt-2026-004711/Widerspruchsverfahren-Nachtrag-0001".into();
        e.bearbeitung.email =
            "hannelore.mustermann-schmidtbauer@buergerservice.stadtverwaltung-musterstadt.de"
                .into();
        e.bearbeitung.telefon = "+49 (0) 1234 5678-90123 (Mo–Fr 8:00–12:00 Uhr)".into();
        e.bearbeitung.zimmer = Some("Verwaltungsgebäude II, Erdgeschoss, Raum E.017".into());
        let satz = gesetzt(&e);
        let info: Vec<_> = ausdehnung(&satz)
            .into_iter()
            .filter(|t| t.0 == 1 && t.1 >= INFO_WERT_LINKS - 0.01 && t.3 < BETREFF_OBEN - 1.0)
            .collect();
        for (_, _, rechts, y, text) in &info {
            assert!(
                *rechts <= RAND_RECHTS + 0.01,
                "„{text}“ endet bei {rechts:.1} mm, rechter Rand {RAND_RECHTS} mm"
            );
            assert!(*y <= INFO_UNTEN + 0.01, "„{text}“ steht bei {y:.1} mm");
        }
        // Nothing is lost: the wrapped lines give back the full values.
        let alles: String = info.iter().map(|t| t.4.as_str()).collect();
        let alles = alles.replace(' ', "");
        for wert in [
            &e.aktenzeichen,
            &e.bearbeitung.email,
            &e.bearbeitung.telefon,
        ] {
            assert!(
                alles.contains(&wert.replace(' ', "")),
                "{wert} fehlt in {alles}"
            );
        }
        // The e-mail address breaks after its @, not in the middle of a word.
        assert!(
            info.iter().any(|t| t.4.ends_with('@')),
            "{:?}",
            info.iter().map(|t| &t.4).collect::<Vec<_>>()
        );
    }

    #[test]
    fn an_information_value_that_fits_keeps_its_full_size_and_one_line() {
        let s = schriften().unwrap();
        let satz = Satz::neu(s);
        let (g, z) = satz.info_wert(Schnitt::Normal, "0123 456-2217", 41.0, INFO_MIN);
        assert_eq!((g, z), (INFO_GROESSE, vec!["0123 456-2217".to_string()]));
        let (g, z) = satz.info_wert(
            Schnitt::Normal,
            "joerdis.weissgerber@musterstadt.de",
            41.0,
            INFO_MIN,
        );
        assert_eq!(g, INFO_MIN);
        assert_eq!(z, vec!["joerdis.weissgerber@", "musterstadt.de"]);
    }

    #[test]
    fn lines_break_at_spaces_and_never_exceed_the_width() {
        let s = schriften().unwrap();
        let satz = Satz::neu(s);
        let text = "Die Hundesteuer für den Hund „Bruno“ wird ab dem 01.10.2026 auf jährlich 156,00 € festgesetzt.";
        let zeilen = satz.umbrechen(Schnitt::Normal, 11.0, text, 60.0);
        assert!(zeilen.len() > 1);
        for z in &zeilen {
            assert!(satz.breite(Schnitt::Normal, 11.0, z) <= 60.0, "{z}");
            assert!(!z.starts_with(' ') && !z.ends_with(' '), "{z:?}");
        }
        assert_eq!(zeilen.join(" "), text);
    }

    #[test]
    fn paragraph_signs_and_amounts_stay_with_their_numbers() {
        assert_eq!(
            binden("nach § 4 Abs. 1 Nr. 2 HStS 39,00 €"),
            "nach §\u{a0}4 Abs.\u{a0}1 Nr.\u{a0}2 HStS 39,00\u{a0}€"
        );
        assert_eq!(binden("Abs. und"), "Abs. und");
    }

    #[test]
    fn a_soft_hyphen_shows_only_where_the_line_breaks() {
        let z = umbruch("Steuer\u{ad}ermäßigung Steuer\u{ad}ermäßigung", 30.0);
        assert_eq!(z, vec!["Steuer-", "ermäßigung", "Steuer-", "ermäßigung"]);
        let z = umbruch("Steuer\u{ad}ermäßigung", 100.0);
        assert_eq!(z, vec!["Steuerermäßigung"]);
    }

    #[test]
    fn compound_words_break_after_their_hyphen_and_no_break_spaces_hold() {
        let z = umbruch("Erika Müller-Lüdenscheidt", 38.0);
        assert_eq!(z, vec!["Erika Müller-", "Lüdenscheidt"]);
        let z = umbruch("zahlen Sie 39,00\u{a0}€ bis", 22.0);
        assert!(z.iter().any(|l| l.contains("39,00\u{a0}€")), "{z:?}");
    }
}
