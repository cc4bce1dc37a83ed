//! The draft preview: the pages [`crate::ausstellen`] would seal, drawn as SVG.
//!
//! The preview runs the same template and layout (`vorlage.rs`, `satz.rs`) as the sealed
//! document, so pages, line breaks and positions are the same; only the drawing differs. It
//! writes no PDF, subsets, compresses and signs nothing. Each page is one standalone SVG
//! document (A4, `viewBox` in PDF points, y pointing down):
//! - text as the outlines of the embedded font's glyphs (`ttf-parser`): each glyph a page
//!   uses is defined once in `<defs>` (in font units) and placed with `<use>` in a group
//!   scaled to the font size, so the preview needs no font and looks like the print;
//! - rules, the logo path and the GiroCode (its real payment data) as in the PDF;
//! - the seal's QR code as a placeholder marked „Vorschau“: the code carries the hash of the
//!   sealed JSON, which does not exist yet;
//! - a faint diagonal „ENTWURF“ over each page, and a `<title>` „… Seite x von y“.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::time::{Duration, Instant};

use ttf_parser::{GlyphId, OutlineBuilder};

use crate::model::{Entscheidung, PfadBefehl};
use crate::satz::{GRAU, Op, QrArt, SEITE_B, SEITE_H, Seite};
use crate::schrift::{Schnitt, Schriften};
use crate::{BescheidError, epc_inhalt, qr};

/// The draft preview of a decision: one SVG document per page.
#[derive(Debug, Clone)]
pub struct Vorschau {
    /// One standalone SVG document per page (`viewBox="0 0 595.276 841.89"`, PDF points).
    pub seiten: Vec<String>,
    /// Time of template, line breaking and page layout (without drawing the SVG).
    pub satz: Duration,
}

/// Sets the decision as [`crate::ausstellen`] would and draws its pages as SVG, marked
/// „ENTWURF“. Nothing is sealed; the seal's QR code is a placeholder.
///
/// Errors: those of [`crate::ausstellen`] before sealing ([`BescheidError::Eingabe`],
/// [`BescheidError::Vorlage`], [`BescheidError::Zeichen`]).
pub fn vorschau(e: &Entscheidung) -> Result<Vorschau, BescheidError> {
    e.pruefen()?;
    let t = Instant::now();
    let s = crate::setzen(e)?;
    let satz = t.elapsed();
    let giro = match epc_inhalt(e) {
        Some(p) => Some(qr::module(&p)?),
        None => None,
    };
    let titel = format!("Entwurf: Bescheid {}", e.aktenzeichen);
    let n = s.seiten.len();
    let seiten = s
        .seiten
        .iter()
        .enumerate()
        .map(|(i, seite)| {
            Zeichnung {
                schriften: s.schriften(),
                giro: giro.as_ref().map(|(m, b)| (m.as_slice(), *b)),
            }
            .seite(seite, &format!("{titel}, Seite {} von {n}", i + 1))
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Vorschau { seiten, satz })
}

/// A number with at most two decimals, without trailing zeros.
fn z(v: f32) -> String {
    let r = (v * 100.0).round() / 100.0;
    let r = if r == 0.0 { 0.0 } else { r }; // no "-0"
    let s = format!("{r:.2}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

fn farbe(f: [f32; 3]) -> String {
    let k = |v: f32| (v.clamp(0.0, 1.0) * 255.0).round() as u8;
    format!("#{:02x}{:02x}{:02x}", k(f[0]), k(f[1]), k(f[2]))
}

fn xml(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn glyph_id(schnitt: Schnitt, g: u16) -> String {
    match schnitt {
        Schnitt::Normal => format!("n{g}"),
        Schnitt::Fett => format!("f{g}"),
    }
}

/// Outline of one glyph as SVG path data, in font units (y up).
#[derive(Default)]
struct Umriss(String);

impl OutlineBuilder for Umriss {
    fn move_to(&mut self, x: f32, y: f32) {
        let _ = write!(self.0, "M{} {}", z(x), z(y));
    }
    fn line_to(&mut self, x: f32, y: f32) {
        let _ = write!(self.0, "L{} {}", z(x), z(y));
    }
    fn quad_to(&mut self, x1: f32, y1: f32, x: f32, y: f32) {
        let _ = write!(self.0, "Q{} {} {} {}", z(x1), z(y1), z(x), z(y));
    }
    fn curve_to(&mut self, x1: f32, y1: f32, x2: f32, y2: f32, x: f32, y: f32) {
        let _ = write!(
            self.0,
            "C{} {} {} {} {} {}",
            z(x1),
            z(y1),
            z(x2),
            z(y2),
            z(x),
            z(y)
        );
    }
    fn close(&mut self) {
        self.0.push('Z');
    }
}

/// A run of glyphs to draw: cut, size, baseline origin in SVG coordinates, fill.
struct Lauf<'g> {
    schnitt: Schnitt,
    groesse: f32,
    x: f32,
    y: f32,
    farbe: String,
    glyphen: &'g [u16],
}

struct Zeichnung<'a> {
    schriften: &'a Schriften,
    giro: Option<(&'a [bool], usize)>,
}

const WASSERZEICHEN: &str = "ENTWURF";
const PLATZHALTER: &str = "Vorschau";

impl Zeichnung<'_> {
    fn glyphen(&self, schnitt: Schnitt, text: &str) -> Result<Vec<u16>, BescheidError> {
        let f = self.schriften.get(schnitt);
        text.chars()
            .map(|c| f.glyph(c).map(|g| g.0).ok_or(BescheidError::Zeichen(c)))
            .collect()
    }

    /// Width of a glyph run in points.
    fn breite(&self, schnitt: Schnitt, groesse: f32, glyphen: &[u16]) -> f32 {
        let f = self.schriften.get(schnitt);
        let units: u32 = glyphen.iter().map(|g| u32::from(f.advance(*g))).sum();
        units as f32 * groesse / f.upem
    }

    fn lauf(&self, out: &mut String, l: &Lauf) {
        let f = self.schriften.get(l.schnitt);
        let k = l.groesse / f.upem;
        // Font units to points: a scale of a few thousandths, so six decimals.
        let _ = write!(
            out,
            r#"<g transform="matrix({k:.6} 0 0 {:.6} {} {})" fill="{}">"#,
            -k,
            z(l.x),
            z(l.y),
            l.farbe
        );
        let mut x = 0u32;
        for g in l.glyphen {
            let _ = write!(
                out,
                r##"<use xlink:href="#{}" x="{x}"/>"##,
                glyph_id(l.schnitt, *g)
            );
            x += u32::from(f.advance(*g));
        }
        out.push_str("</g>\n");
    }

    fn seite(&self, seite: &Seite, titel: &str) -> Result<String, BescheidError> {
        let wz = self.glyphen(Schnitt::Fett, WASSERZEICHEN)?;
        let ph = self.glyphen(Schnitt::Fett, PLATZHALTER)?;

        // Every glyph this page draws, once.
        let mut benutzt: BTreeSet<(Schnitt, u16)> = BTreeSet::new();
        let mut hat_siegel_qr = false;
        for op in &seite.ops {
            match op {
                Op::Text {
                    schnitt, glyphen, ..
                } => benutzt.extend(glyphen.iter().map(|g| (*schnitt, *g))),
                Op::Qr {
                    code: QrArt::Siegel,
                    ..
                } => hat_siegel_qr = true,
                _ => {}
            }
        }
        benutzt.extend(wz.iter().map(|g| (Schnitt::Fett, *g)));
        if hat_siegel_qr {
            benutzt.extend(ph.iter().map(|g| (Schnitt::Fett, *g)));
        }

        let mut out = String::with_capacity(64 * 1024);
        let _ = write!(
            out,
            concat!(
                r#"<?xml version="1.0" encoding="UTF-8"?>"#,
                "\n",
                r#"<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" version="1.1" width="{b}pt" height="{h}pt" viewBox="0 0 {b} {h}">"#,
                "\n<title>{t}</title>\n<defs>\n"
            ),
            b = SEITE_B,
            h = SEITE_H,
            t = xml(titel)
        );
        for (schnitt, g) in &benutzt {
            let mut u = Umriss::default();
            // Blank glyphs (space) have no outline: an empty path keeps `<use>` valid.
            self.schriften
                .get(*schnitt)
                .face
                .outline_glyph(GlyphId(*g), &mut u);
            let _ = writeln!(
                out,
                r#"<path id="{}" d="{}"/>"#,
                glyph_id(*schnitt, *g),
                u.0
            );
        }
        out.push_str("</defs>\n");
        let _ = writeln!(
            out,
            r##"<rect width="{}" height="{}" fill="#ffffff"/>"##,
            SEITE_B, SEITE_H
        );

        for op in &seite.ops {
            match op {
                Op::Text {
                    schnitt,
                    groesse,
                    x,
                    y,
                    farbe: f,
                    glyphen,
                } => self.lauf(
                    &mut out,
                    &Lauf {
                        schnitt: *schnitt,
                        groesse: *groesse,
                        x: *x,
                        y: SEITE_H - y,
                        farbe: farbe(*f),
                        glyphen,
                    },
                ),
                Op::Linie {
                    x1,
                    y1,
                    x2,
                    y2,
                    staerke,
                    farbe: f,
                } => {
                    let _ = writeln!(
                        out,
                        r#"<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" stroke-width="{}"/>"#,
                        z(*x1),
                        z(SEITE_H - y1),
                        z(*x2),
                        z(SEITE_H - y2),
                        farbe(*f),
                        z(*staerke)
                    );
                }
                Op::Pfad { befehle, farbe: f } => {
                    let mut d = String::new();
                    for b in befehle {
                        let _ = match *b {
                            PfadBefehl::M(x, y) => write!(d, "M{} {}", z(x), z(SEITE_H - y)),
                            PfadBefehl::L(x, y) => write!(d, "L{} {}", z(x), z(SEITE_H - y)),
                            PfadBefehl::C(x1, y1, x2, y2, x3, y3) => write!(
                                d,
                                "C{} {} {} {} {} {}",
                                z(x1),
                                z(SEITE_H - y1),
                                z(x2),
                                z(SEITE_H - y2),
                                z(x3),
                                z(SEITE_H - y3)
                            ),
                            PfadBefehl::Z => write!(d, "Z"),
                        };
                    }
                    let _ = writeln!(
                        out,
                        r#"<path d="{d}" fill="{}" fill-rule="evenodd"/>"#,
                        farbe(*f)
                    );
                }
                Op::Qr {
                    code: QrArt::Giro,
                    x,
                    y,
                    kante,
                } => {
                    let (module, breite) = self.giro.ok_or_else(|| {
                        BescheidError::Intern("GiroCode im Satz, aber keine Zahlungsdaten".into())
                    })?;
                    let s = kante / breite as f32;
                    let _ = write!(
                        out,
                        r##"<g transform="matrix({s:.5} 0 0 {s:.5} {} {})"><path fill="#000000" shape-rendering="crispEdges" d=""##,
                        z(*x),
                        z(SEITE_H - y - kante)
                    );
                    for (i, dunkel) in module.iter().enumerate() {
                        if *dunkel {
                            let _ = write!(out, "M{} {}h1v1h-1z", i % breite, i / breite);
                        }
                    }
                    out.push_str("\"/></g>\n");
                }
                Op::Qr {
                    code: QrArt::Siegel,
                    x,
                    y,
                    kante,
                } => self.platzhalter(&mut out, *x, SEITE_H - y - kante, *kante, &ph),
            }
        }

        // „ENTWURF“ along the page diagonal, centred.
        let groesse = 600.0 / self.breite(Schnitt::Fett, 1.0, &wz);
        let w = self.breite(Schnitt::Fett, groesse, &wz);
        let winkel = -(SEITE_H / SEITE_B).atan().to_degrees();
        let _ = writeln!(
            out,
            r#"<g transform="translate({} {}) rotate({})" fill-opacity="0.13">"#,
            z(SEITE_B / 2.0),
            z(SEITE_H / 2.0),
            z(winkel)
        );
        self.lauf(
            &mut out,
            &Lauf {
                schnitt: Schnitt::Fett,
                groesse,
                x: -w / 2.0,
                y: groesse * 0.36,
                farbe: "#7f7f7f".into(),
                glyphen: &wz,
            },
        );
        out.push_str("</g>\n</svg>\n");
        Ok(out)
    }

    /// Where the seal's QR code will be: a frame with the three finder squares of a QR code
    /// and „Vorschau“ in the middle.
    fn platzhalter(&self, out: &mut String, x: f32, oben: f32, kante: f32, ph: &[u16]) {
        // The sealed code has a quiet zone of 4 modules; about 33 modules in all.
        let m = kante / 33.0;
        let innen = kante - 8.0 * m;
        let (x0, y0) = (x + 4.0 * m, oben + 4.0 * m);
        let grau = farbe(GRAU);
        let _ = writeln!(
            out,
            r##"<rect x="{}" y="{}" width="{}" height="{}" fill="#f2f2f2" stroke="{grau}" stroke-width="0.5" stroke-dasharray="2 1.5"/>"##,
            z(x0),
            z(y0),
            z(innen),
            z(innen)
        );
        for (fx, fy) in [
            (x0, y0),
            (x0 + innen - 7.0 * m, y0),
            (x0, y0 + innen - 7.0 * m),
        ] {
            for (rand, breite, f) in [
                (0.0, 7.0, "#9a9a9a"),
                (1.0, 5.0, "#f2f2f2"),
                (2.0, 3.0, "#9a9a9a"),
            ] {
                let _ = writeln!(
                    out,
                    r#"<rect x="{}" y="{}" width="{}" height="{}" fill="{f}"/>"#,
                    z(fx + rand * m),
                    z(fy + rand * m),
                    z(breite * m),
                    z(breite * m)
                );
            }
        }
        let groesse = 7.0;
        let w = self.breite(Schnitt::Fett, groesse, ph);
        self.lauf(
            out,
            &Lauf {
                schnitt: Schnitt::Fett,
                groesse,
                x: x + (kante - w) / 2.0,
                y: oben + kante / 2.0 + groesse * 0.36,
                farbe: grau,
                glyphen: ph,
            },
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_short_and_never_negative_zero() {
        assert_eq!(z(12.0), "12");
        assert_eq!(z(12.345), "12.35");
        assert_eq!(z(-0.001), "0");
        assert_eq!(z(0.5), "0.5");
    }
}
