//! Plain letters (issue 15): a caseworker's message to an applicant without an electronic
//! reply channel, as a PDF/A-3b to print or save, in the Bescheid's layout, **not sealed**.
//!
//! The letter shares everything with the Bescheid that is not the decision's own: letterhead,
//! address field, information block (Aktenzeichen, Bearbeitung, Datum), body text with German
//! line breaking, running head of following pages, footer and "Seite x von y" (`satz.rs`), and
//! the PDF/A-3b writer (`pdf.rs`). It has no QR code, no fee table, no signature field and no
//! embedded file: PDF/A-3 requires no associated file, and the letter carries no
//! machine-readable decision.
//!
//! The text is plain text, set as written: paragraphs are separated by blank lines, a line
//! break inside a paragraph stays a line break (a Grußformel with name and authority stays
//! together on one page), a line starting with „– “ is a list item (hanging indent; following
//! lines of the same paragraph without „– “ continue it). Nothing else is interpreted: `# `,
//! `| `, `**x**`, `<b>` or `1. ` are printed literally. Tabs count as spaces; any other
//! character the font cannot show is refused with [`BescheidError::Zeichen`].

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::model::{Behoerde, Empfaenger, datum_deutsch, parse_datum};
use crate::satz::{Rahmen, Satz};
use crate::vorlage::Block;
use crate::{BescheidError, pdf, schrift};

/// A plain letter from the authority to one addressee.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Brief {
    /// The sending authority (letterhead, return address, footer).
    pub behoerde: Behoerde,
    /// Addressee (window-envelope address field). `briefanrede` is not used: the salutation
    /// is part of `text`.
    pub empfaenger: Empfaenger,
    /// Aktenzeichen of the case (information block, running head).
    pub aktenzeichen: String,
    /// Date of the letter, `YYYY-MM-DD` (printed as `20.11.2026`).
    pub datum: String,
    /// Subject line (bold, one line of input; wraps when long).
    pub betreff: String,
    /// The message as plain text (see the module documentation).
    pub text: String,
    /// Names listed under „Anlage“/„Anlagen“ after the text, one line each.
    #[serde(default)]
    pub anlagen: Vec<String>,
    /// Name of the caseworker, shown as „Bearbeitung“ in the information block.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sachbearbeitung: Option<String>,
}

impl Brief {
    /// Checks what the layout cannot show sensibly: the date, required text, line breaks in
    /// one-line fields, the logo path.
    pub fn pruefen(&self) -> Result<(), BescheidError> {
        parse_datum("datum", &self.datum)?;
        if let Some(l) = &self.behoerde.logo {
            l.befehle()?;
        }
        let leer = |feld: &str| BescheidError::Eingabe {
            feld: feld.to_string(),
            grund: "darf nicht leer sein".into(),
        };
        for (feld, wert) in [
            ("aktenzeichen", &self.aktenzeichen),
            ("behoerde.name", &self.behoerde.name),
            ("empfaenger.name", &self.empfaenger.name),
            ("betreff", &self.betreff),
            ("text", &self.text),
        ] {
            if wert.trim().is_empty() {
                return Err(leer(feld));
            }
        }
        let mut einzeilig: Vec<(String, &str)> = vec![
            ("aktenzeichen".into(), &self.aktenzeichen),
            ("betreff".into(), &self.betreff),
        ];
        if let Some(s) = &self.sachbearbeitung {
            einzeilig.push(("sachbearbeitung".into(), s));
        }
        for (i, a) in self.anlagen.iter().enumerate() {
            let feld = format!("anlagen[{i}]");
            if a.trim().is_empty() {
                return Err(leer(&feld));
            }
            einzeilig.push((feld, a));
        }
        for (feld, wert) in einzeilig {
            if wert.contains(['\n', '\r']) {
                return Err(BescheidError::Eingabe {
                    feld,
                    grund: "darf keinen Zeilenumbruch enthalten".into(),
                });
            }
        }
        Ok(())
    }
}

/// The body of a plain-text message as layout blocks; nothing but blank lines and „– “ at
/// the start of a line has a meaning.
pub(crate) fn text_bloecke(text: &str) -> Vec<Block> {
    #[derive(PartialEq)]
    enum Zuletzt {
        Nichts,
        Absatz,
        Punkt,
    }
    let mut out = Vec::new();
    let mut zuletzt = Zuletzt::Nichts;
    for roh in text.lines() {
        let zeile = roh.replace('\t', " ");
        let t = zeile.trim();
        if t.is_empty() {
            zuletzt = Zuletzt::Nichts;
        } else if let Some(rest) = t.strip_prefix("– ") {
            out.push(Block::Punkt("–".into(), rest.trim_start().to_string()));
            zuletzt = Zuletzt::Punkt;
        } else if zuletzt == Zuletzt::Nichts {
            out.push(Block::Absatz(t.to_string()));
            zuletzt = Zuletzt::Absatz;
        } else {
            out.push(Block::Fortsetzung {
                eingerueckt: zuletzt == Zuletzt::Punkt,
                text: t.to_string(),
            });
        }
    }
    out
}

/// All blocks of the letter: Betreff, text, Anlagen.
fn bloecke(b: &Brief) -> Vec<Block> {
    let mut out = vec![Block::Betreff(b.betreff.trim().to_string())];
    out.extend(text_bloecke(&b.text));
    if !b.anlagen.is_empty() {
        let kopf = if b.anlagen.len() == 1 {
            "Anlage"
        } else {
            "Anlagen"
        };
        out.push(Block::Ueberschrift(kopf.into()));
        out.extend(b.anlagen.iter().map(|a| Block::Fortsetzung {
            eingerueckt: false,
            text: a.trim().to_string(),
        }));
    }
    out
}

/// Sets a letter as an unsealed PDF/A-3b (A4, DIN 5008 form B, the Bescheid's fonts and
/// layout). `zeitpunkt` becomes the Info and XMP dates (whole seconds).
///
/// Errors: [`BescheidError::Eingabe`] for a field [`Brief::pruefen`] refuses,
/// [`BescheidError::Zeichen`] for a character the font cannot show.
pub fn brief_setzen(b: &Brief, zeitpunkt: OffsetDateTime) -> Result<Vec<u8>, BescheidError> {
    let s = gesetzt(b)?;
    let titel = format!("Schreiben {} vom {}", b.aktenzeichen, b.datum);
    pdf::ungesiegelt(&s, titel, b.behoerde.name.clone(), b, zeitpunkt)
}

/// The checked letter laid out on its pages, footers included.
fn gesetzt(b: &Brief) -> Result<Satz<'static>, BescheidError> {
    b.pruefen()?;
    let datum = datum_deutsch(parse_datum("datum", &b.datum)?);
    let mut info: Vec<(&'static str, String)> = vec![("Aktenzeichen", b.aktenzeichen.clone())];
    if let Some(s) = b.sachbearbeitung.as_deref().map(str::trim)
        && !s.is_empty()
    {
        info.push(("Bearbeitung", s.to_string()));
    }
    let kopfzeile = format!(
        "{} · Aktenzeichen {} · Schreiben vom {}",
        b.behoerde.name, b.aktenzeichen, datum
    );
    info.push(("Datum", datum));
    let rahmen = Rahmen {
        behoerde: &b.behoerde,
        empfaenger: &b.empfaenger,
        info,
        kopfzeile,
        siegelvermerk: false,
        girocode: None,
    };

    let mut s = Satz::neu(schrift::schriften()?);
    s.setzen(&rahmen, &bloecke(b), &[])?;
    s.fuesse(&b.behoerde)?;
    Ok(s)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::satz::{Op, SEITE_H};

    fn brief(text: &str) -> Brief {
        let pfad = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../assets/examples/hundesteuer.json");
        let e = crate::Entscheidung::from_json(&std::fs::read(pfad).unwrap()).unwrap();
        Brief {
            behoerde: e.behoerde,
            empfaenger: e.empfaenger,
            aktenzeichen: e.aktenzeichen,
            datum: "2026-11-20".into(),
            betreff: "Ihr Antrag: Bitte reichen Sie Unterlagen nach".into(),
            text: text.into(),
            anlagen: vec!["Merkblatt Hundesteuer".into()],
            sachbearbeitung: Some("Frau Yılmaz".into()),
        }
    }

    /// Every text run as (page, left edge mm, right edge mm, baseline mm from the top, text).
    fn laeufe(s: &Satz) -> Vec<(usize, f32, f32, f32, String)> {
        let mut out = Vec::new();
        for (n, seite) in s.seiten.iter().enumerate() {
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
                    let f = s.schriften().get(*schnitt);
                    let units: u32 = glyphen.iter().map(|g| u32::from(f.advance(*g))).sum();
                    let rechts = x + units as f32 * groesse / f.upem;
                    let zeichen = &s.nutzung.glyphen[*schnitt as usize];
                    let text = glyphen.iter().map(|g| zeichen[g]).collect();
                    let mm = |pt: f32| pt * 25.4 / 72.0;
                    out.push((n + 1, mm(*x), mm(rechts), mm(SEITE_H - y), text));
                }
            }
        }
        out
    }

    fn seite_von(l: &[(usize, f32, f32, f32, String)], text: &str) -> usize {
        l.iter()
            .find(|r| r.4 == text)
            .unwrap_or_else(|| panic!("„{text}“ nicht gesetzt"))
            .0
    }

    #[test]
    fn a_long_letter_keeps_every_line_inside_the_margins_and_above_the_footer() {
        let mut text = String::from("Guten Tag Frau Mustermann,\n\n");
        for i in 0..30 {
            text.push_str(&format!(
                "Absatz {i}: Für die Bearbeitung Ihres Antrags benötigen wir noch weitere \
                 Unterlagen, die wir Ihnen im Folgenden aufführen; bitte senden Sie sie uns.\n\n"
            ));
        }
        text.push_str(
            "– ein sehr langer Listenpunkt, der über mehr als eine Zeile läuft und \
                       deshalb mit hängendem Einzug umbrochen werden muss\n\n",
        );
        text.push_str("Mit freundlichen Grüßen\nFrau Yılmaz\nStadt Musterstadt");
        let s = gesetzt(&brief(&text)).unwrap();
        assert!(s.seiten.len() >= 2);
        let l = laeufe(&s);
        for (seite, links, rechts, y, t) in &l {
            // DIN 5008 form B: 25 mm left, 20 mm right margin (190 mm from the left edge).
            assert!(
                *links >= 25.0 - 0.01,
                "Seite {seite}: „{t}“ beginnt bei {links}"
            );
            assert!(
                *rechts <= 190.0 + 0.01,
                "Seite {seite}: „{t}“ endet bei {rechts}"
            );
            // Body text (11 pt) ends above the footer rule at 271 mm.
            if t.starts_with("Absatz") || t.starts_with("Unterlagen") {
                assert!(*y <= 259.0 + 0.01, "Seite {seite}: „{t}“ bei {y} mm");
            }
        }
        let n = s.seiten.len();
        for i in 1..=n {
            seite_von(&l, &format!("Seite {i} von {n}"));
        }
        // A list item's second line hangs under its text, not under the dash.
        let strich = l.iter().find(|r| r.4 == "–").unwrap();
        let punkt = l
            .iter()
            .position(|r| r.4.starts_with("ein sehr langer"))
            .unwrap();
        assert!(l[punkt].1 > strich.1 + 5.0);
        assert!(
            (l[punkt + 1].1 - l[punkt].1).abs() < 0.01,
            "{:?}",
            l[punkt + 1]
        );
        // No seal note and no QR code on an unsealed letter.
        assert!(!l.iter().any(|r| r.4.contains("gesiegelt")));
        assert!(
            !s.seiten
                .iter()
                .flat_map(|p| &p.ops)
                .any(|o| matches!(o, Op::Qr { .. }))
        );
    }

    #[test]
    fn the_closing_with_name_and_authority_never_splits_across_a_page_break() {
        let mut geteilt_moeglich = false;
        for n in 10..45 {
            let mut text = String::new();
            for i in 0..n {
                text.push_str(&format!("Zeile {i}\n\n"));
            }
            text.push_str("Mit freundlichen Grüßen\nIm Auftrag\nMaria Muster");
            let s = gesetzt(&brief(&text)).unwrap();
            let l = laeufe(&s);
            let gruss = seite_von(&l, "Mit freundlichen Grüßen");
            assert_eq!(gruss, seite_von(&l, "Im Auftrag"), "n = {n}");
            assert_eq!(gruss, seite_von(&l, "Maria Muster"), "n = {n}");
            // The case that matters occurred: the closing moved to page 2 as a whole.
            if gruss == 2 && seite_von(&l, &format!("Zeile {}", n - 1)) == 1 {
                geteilt_moeglich = true;
            }
        }
        assert!(geteilt_moeglich, "kein Seitenumbruch vor dem Gruß erprobt");
    }

    #[test]
    fn the_information_block_has_aktenzeichen_bearbeitung_and_datum() {
        let s = gesetzt(&brief("Guten Tag,\n\nkurz.")).unwrap();
        let l = laeufe(&s);
        for t in [
            "Aktenzeichen",
            "Bearbeitung",
            "Frau Yılmaz",
            "Datum",
            "20.11.2026",
            "Anlage",
            "Merkblatt Hundesteuer",
        ] {
            assert_eq!(seite_von(&l, t), 1, "{t}");
        }
        assert_eq!(s.seiten.len(), 1);
        seite_von(&l, "Seite 1 von 1");
    }

    fn absatz(t: &str) -> Block {
        Block::Absatz(t.into())
    }

    #[test]
    fn blank_lines_separate_paragraphs_and_line_breaks_stay() {
        let b = text_bloecke(
            "Guten Tag,\n\nerste Zeile\nzweite Zeile\n\n\nMit freundlichen Grüßen\r\nMaria Muster\n",
        );
        assert_eq!(
            b,
            vec![
                absatz("Guten Tag,"),
                absatz("erste Zeile"),
                Block::Fortsetzung {
                    eingerueckt: false,
                    text: "zweite Zeile".into()
                },
                absatz("Mit freundlichen Grüßen"),
                Block::Fortsetzung {
                    eingerueckt: false,
                    text: "Maria Muster".into()
                },
            ]
        );
    }

    #[test]
    fn en_dash_lines_are_list_items_and_their_next_lines_continue_them() {
        let b = text_bloecke(
            "folgende Unterlagen:\n– Mietvertrag\n– Meldebescheinigung\n  vom Januar\n",
        );
        assert_eq!(
            b,
            vec![
                absatz("folgende Unterlagen:"),
                Block::Punkt("–".into(), "Mietvertrag".into()),
                Block::Punkt("–".into(), "Meldebescheinigung".into()),
                Block::Fortsetzung {
                    eingerueckt: true,
                    text: "vom Januar".into()
                },
            ]
        );
    }

    #[test]
    fn template_markup_and_other_markup_stay_plain_text() {
        for zeile in [
            "# Betreff",
            "## Kopf",
            "| Zeile",
            "@gebuehren",
            "- Strich",
            "1. Punkt",
            "**fett**",
            "<b>fett</b>",
            "–ohne Leerzeichen",
        ] {
            assert_eq!(text_bloecke(zeile), vec![absatz(zeile)], "{zeile}");
        }
    }

    #[test]
    fn tabs_count_as_spaces() {
        assert_eq!(text_bloecke("\tA\tB"), vec![absatz("A B")]);
    }
}
