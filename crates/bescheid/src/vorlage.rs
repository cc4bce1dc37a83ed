//! Templates per Leistung (`assets/bescheid/*.j2`, compiled in) and the small line markup
//! they produce (documented in `assets/bescheid/README.md`).

use std::sync::OnceLock;

use minijinja::{Environment, Value};

use crate::BescheidError;
use crate::model::{
    Bescheidtext, Entscheidung, Leistung, betrag_deutsch, datum_deutsch, parse_datum,
};

const VORLAGEN: &[(&str, &str)] = &[
    (
        "_bescheid.j2",
        include_str!("../../../assets/bescheid/_bescheid.j2"),
    ),
    (
        "hundesteuer.j2",
        include_str!("../../../assets/bescheid/hundesteuer.j2"),
    ),
    (
        "gewerbeanmeldung.j2",
        include_str!("../../../assets/bescheid/gewerbeanmeldung.j2"),
    ),
    (
        "bewohnerparkausweis.j2",
        include_str!("../../../assets/bescheid/bewohnerparkausweis.j2"),
    ),
    (
        "sondernutzung.j2",
        include_str!("../../../assets/bescheid/sondernutzung.j2"),
    ),
    (
        "meldebescheinigung.j2",
        include_str!("../../../assets/bescheid/meldebescheinigung.j2"),
    ),
    (
        "_rechtsbehelfsbelehrung_klage.j2",
        include_str!("../../../assets/bescheid/_rechtsbehelfsbelehrung_klage.j2"),
    ),
    (
        "_rechtsbehelfsbelehrung_widerspruch.j2",
        include_str!("../../../assets/bescheid/_rechtsbehelfsbelehrung_widerspruch.j2"),
    ),
    (
        "_schluss.j2",
        include_str!("../../../assets/bescheid/_schluss.j2"),
    ),
];

/// A marked section of the template text (`@teil <name>` … `@ende`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Teil {
    Tenor,
    Begruendung,
    Rechtsbehelfsbelehrung,
    Nebenbestimmungen,
}

impl Teil {
    fn von_name(name: &str) -> Option<Teil> {
        Some(match name {
            "tenor" => Teil::Tenor,
            "begruendung" => Teil::Begruendung,
            "rechtsbehelfsbelehrung" => Teil::Rechtsbehelfsbelehrung,
            "nebenbestimmungen" => Teil::Nebenbestimmungen,
            _ => return None,
        })
    }
}

/// One block of the letter body.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Block {
    Betreff(String),
    Ueberschrift(String),
    Absatz(String),
    /// A numbered or bulleted paragraph: marker and text.
    Punkt(String, String),
    /// A line kept as is (may be empty).
    Zeile(String),
    Gebuehren,
    /// The GiroCode with the payment data beside it (`@girocode`).
    GiroCode,
    /// Start of a marked section (`@teil <name>`); removed by [`zusammensetzen`].
    Teil(Teil),
    /// End of a marked section (`@ende`); removed by [`zusammensetzen`].
    Ende,
    /// The text after a hard line break inside a paragraph (`eingerueckt: false`) or a list
    /// item (`true`), set directly below it. Only plain letters (`brief.rs`) have these; the
    /// template markup joins the lines of a paragraph.
    Fortsetzung {
        eingerueckt: bool,
        text: String,
    },
}

fn filter_datum(wert: Value) -> Result<String, minijinja::Error> {
    let s = wert.as_str().unwrap_or_default().to_string();
    parse_datum("Vorlage", &s)
        .map(datum_deutsch)
        .map_err(|e| minijinja::Error::new(minijinja::ErrorKind::InvalidOperation, e.to_string()))
}

fn filter_betrag(wert: Value) -> Result<String, minijinja::Error> {
    let cent = i64::try_from(wert.clone()).map_err(|_| {
        minijinja::Error::new(
            minijinja::ErrorKind::InvalidOperation,
            format!("Betrag in Cent erwartet, nicht {wert}"),
        )
    })?;
    Ok(betrag_deutsch(cent))
}

fn umgebung() -> Result<&'static Environment<'static>, BescheidError> {
    static ENV: OnceLock<Result<Environment<'static>, String>> = OnceLock::new();
    ENV.get_or_init(|| {
        let mut env = Environment::new();
        env.set_undefined_behavior(minijinja::UndefinedBehavior::SemiStrict);
        env.set_keep_trailing_newline(true);
        env.add_filter("datum", filter_datum);
        env.add_filter("betrag", filter_betrag);
        for (name, text) in VORLAGEN {
            env.add_template(name, text)
                .map_err(|e| format!("Vorlage {name}: {e}"))?;
        }
        Ok(env)
    })
    .as_ref()
    .map_err(|e| BescheidError::Vorlage(e.clone()))
}

/// Which legal remedy the Rechtsbehelfsbelehrung names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Rechtsbehelf {
    /// Widerspruch at the authority (§ 68 VwGO, the rule).
    Widerspruch,
    /// Klage at the Verwaltungsgericht, where the Land has abolished the Vorverfahren.
    Klage,
}

/// Whether the Land has abolished the Widerspruchsverfahren for this kind of decision.
///
/// Only what is written down here is known; every other Land keeps the Widerspruch of § 68
/// VwGO. NW: § 110 Abs. 1 JustG NRW abolishes the Vorverfahren for Anfechtungs- and
/// Verpflichtungsklagen; its exceptions (Abs. 2 and 3) concern none of these Leistungen.
/// Before using the engine for an authority of another Land with such rules (e.g. BY
/// Art. 12 AGVwGO, NI § 80 NJG), add them here.
fn widerspruch_abgeschafft(land: &str, leistung: Leistung) -> bool {
    match land {
        "NW" => matches!(
            leistung,
            Leistung::Hundesteuer
                | Leistung::Gewerbeanmeldung
                | Leistung::Bewohnerparkausweis
                | Leistung::Sondernutzung
                | Leistung::Meldebescheinigung
        ),
        _ => false,
    }
}

/// The remedy for this decision: by the authority's Land, or without one the default of the
/// Leistung's template (as before `behoerde.land` existed).
pub(crate) fn rechtsbehelf(e: &Entscheidung) -> Rechtsbehelf {
    let klage = match e.behoerde.land.as_deref() {
        Some(land) => widerspruch_abgeschafft(land, e.leistung),
        None => matches!(
            e.leistung,
            Leistung::Sondernutzung | Leistung::Meldebescheinigung
        ),
    };
    if klage {
        Rechtsbehelf::Klage
    } else {
        Rechtsbehelf::Widerspruch
    }
}

/// Renders the template of the decision's Leistung to markup text.
pub(crate) fn text(e: &Entscheidung) -> Result<String, BescheidError> {
    let env = umgebung()?;
    let name = format!("{}.j2", e.leistung.id());
    let tmpl = env
        .get_template(&name)
        .map_err(|err| BescheidError::Vorlage(format!("{name}: {err}")))?;
    let rechtsbehelf = rechtsbehelf(e);
    if rechtsbehelf == Rechtsbehelf::Klage
        && e.angaben
            .get("verwaltungsgericht")
            .and_then(|v| v.as_str())
            .is_none_or(|v| v.trim().is_empty())
    {
        return Err(BescheidError::Eingabe {
            feld: "angaben.verwaltungsgericht".into(),
            grund: "fehlt: gegen diesen Bescheid ist Klage zu erheben (kein \
                    Widerspruchsverfahren); bitte das zuständige Verwaltungsgericht mit \
                    Anschrift angeben, z. B. „Verwaltungsgericht Musterstadt, Justizplatz 2, \
                    12345 Musterstadt“"
                .into(),
        });
    }
    let mut ctx = serde_json::to_value(e).map_err(|err| BescheidError::Vorlage(err.to_string()))?;
    if let Some(obj) = ctx.as_object_mut() {
        obj.insert("summe_cent".into(), e.summe_cent().into());
        obj.insert(
            "rechtsbehelf".into(),
            match rechtsbehelf {
                Rechtsbehelf::Klage => "klage",
                Rechtsbehelf::Widerspruch => "widerspruch",
            }
            .into(),
        );
        obj.insert(
            "girocode".into(),
            crate::girocode::epc_inhalt(e).is_some().into(),
        );
    }
    tmpl.render(Value::from_serialize(&ctx)).map_err(|err| {
        let mut msg = format!("{name}: {err}");
        let mut quelle = std::error::Error::source(&err);
        while let Some(q) = quelle {
            msg.push_str(&format!(" ({q})"));
            quelle = q.source();
        }
        BescheidError::Vorlage(msg)
    })
}

/// Parses the markup into blocks.
pub(crate) fn bloecke(markup: &str) -> Result<Vec<Block>, BescheidError> {
    let mut out = Vec::new();
    let mut absatz: Option<Block> = None;
    let flush = |absatz: &mut Option<Block>, out: &mut Vec<Block>| {
        if let Some(b) = absatz.take() {
            out.push(b);
        }
    };
    for roh in markup.lines() {
        let zeile = roh.trim_end();
        let t = zeile.trim_start();
        if t.is_empty() {
            flush(&mut absatz, &mut out);
            continue;
        }
        if let Some(rest) = t.strip_prefix("## ") {
            flush(&mut absatz, &mut out);
            out.push(Block::Ueberschrift(rest.trim().to_string()));
        } else if let Some(rest) = t.strip_prefix("# ") {
            flush(&mut absatz, &mut out);
            out.push(Block::Betreff(rest.trim().to_string()));
        } else if t == "@gebuehren" {
            flush(&mut absatz, &mut out);
            out.push(Block::Gebuehren);
        } else if t == "@girocode" {
            flush(&mut absatz, &mut out);
            out.push(Block::GiroCode);
        } else if let Some(name) = t.strip_prefix("@teil ") {
            flush(&mut absatz, &mut out);
            let teil = Teil::von_name(name.trim()).ok_or_else(|| {
                BescheidError::Vorlage(format!(
                    "„@teil {name}“: unbekannter Abschnitt (tenor, begruendung, \
                     rechtsbehelfsbelehrung, nebenbestimmungen)"
                ))
            })?;
            out.push(Block::Teil(teil));
        } else if t == "@ende" {
            flush(&mut absatz, &mut out);
            out.push(Block::Ende);
        } else if let Some(rest) = t.strip_prefix('|') {
            flush(&mut absatz, &mut out);
            out.push(Block::Zeile(rest.trim().to_string()));
        } else if let Some(rest) = t.strip_prefix("- ") {
            flush(&mut absatz, &mut out);
            absatz = Some(Block::Punkt("–".into(), rest.trim().to_string()));
        } else if let Some((nr, rest)) = nummer(t) {
            flush(&mut absatz, &mut out);
            absatz = Some(Block::Punkt(nr, rest.trim().to_string()));
        } else {
            match &mut absatz {
                Some(Block::Absatz(s)) | Some(Block::Punkt(_, s)) => {
                    s.push(' ');
                    s.push_str(t);
                }
                _ => {
                    flush(&mut absatz, &mut out);
                    absatz = Some(Block::Absatz(t.to_string()));
                }
            }
        }
    }
    flush(&mut absatz, &mut out);
    Ok(out)
}

/// One marked section: its leading headings and the blocks after them.
struct Abschnitt {
    teil: Teil,
    kopf: Vec<Block>,
    inhalt: Vec<Block>,
}

/// Splits blocks into the parts outside sections (`Err`) and the sections (`Ok`).
fn abschnitte(bloecke: Vec<Block>) -> Result<Vec<Result<Abschnitt, Block>>, BescheidError> {
    let mut out = Vec::new();
    let mut offen: Option<Abschnitt> = None;
    for b in bloecke {
        match (b, &mut offen) {
            (Block::Teil(t), None) => {
                offen = Some(Abschnitt {
                    teil: t,
                    kopf: Vec::new(),
                    inhalt: Vec::new(),
                })
            }
            (Block::Teil(t), Some(a)) => {
                return Err(BescheidError::Vorlage(format!(
                    "Abschnitt {t:?} beginnt, bevor {:?} mit „@ende“ schließt",
                    a.teil
                )));
            }
            (Block::Ende, None) => {
                return Err(BescheidError::Vorlage(
                    "„@ende“ ohne vorheriges „@teil“".into(),
                ));
            }
            (Block::Ende, Some(_)) => {
                if let Some(a) = offen.take() {
                    out.push(Ok(a));
                }
            }
            (b @ Block::Ueberschrift(_), Some(a)) if a.inhalt.is_empty() => a.kopf.push(b),
            (b, Some(a)) => a.inhalt.push(b),
            (b, None) => out.push(Err(b)),
        }
    }
    if let Some(a) = offen {
        return Err(BescheidError::Vorlage(format!(
            "Abschnitt {:?} schließt nicht mit „@ende“",
            a.teil
        )));
    }
    Ok(out)
}

/// Plain-text lines of one list item or tenor point: tabs as spaces, trimmed, empty lines
/// dropped.
fn punkt_zeilen(text: &str) -> Vec<String> {
    text.lines()
        .map(|z| z.replace('\t', " ").trim().to_string())
        .filter(|z| !z.is_empty())
        .collect()
}

/// Blocks of numbered (`marke` `None`) or bulleted points from plain text.
fn punkte(punkte: &[String], marke: Option<&str>) -> Vec<Block> {
    let mut out = Vec::new();
    let mut nr = 0;
    for p in punkte {
        let zeilen = punkt_zeilen(p);
        let Some((erste, weitere)) = zeilen.split_first() else {
            continue;
        };
        nr += 1;
        let m = marke.map_or_else(|| format!("{nr}."), str::to_string);
        out.push(Block::Punkt(m, erste.clone()));
        out.extend(weitere.iter().map(|z| Block::Fortsetzung {
            eingerueckt: true,
            text: z.clone(),
        }));
    }
    out
}

/// The blocks the caseworker's plain text gives for a section; `None` for a section that
/// is not editable.
fn aus_text(teil: Teil, t: &Bescheidtext) -> Option<Vec<Block>> {
    match teil {
        Teil::Tenor => Some(punkte(&t.tenor, None)),
        Teil::Begruendung => Some(crate::brief::text_bloecke(&t.begruendung)),
        Teil::Nebenbestimmungen => Some(punkte(&t.nebenbestimmungen, Some("–"))),
        Teil::Rechtsbehelfsbelehrung => None,
    }
}

/// Replaces the editable sections by the caseworker's text (when there is one) and removes
/// the section marks. A section left without content loses its heading too.
pub(crate) fn zusammensetzen(
    bloecke: Vec<Block>,
    text: Option<&Bescheidtext>,
) -> Result<Vec<Block>, BescheidError> {
    let mut out = Vec::new();
    for teil in abschnitte(bloecke)? {
        match teil {
            Err(b) => out.push(b),
            Ok(a) => {
                let inhalt = text.and_then(|t| aus_text(a.teil, t)).unwrap_or(a.inhalt);
                if !inhalt.is_empty() {
                    out.extend(a.kopf);
                    out.extend(inhalt);
                }
            }
        }
    }
    Ok(out)
}

/// The blocks of a decision as they are set: template, then the caseworker's text.
pub(crate) fn gesetzte_bloecke(e: &Entscheidung) -> Result<Vec<Block>, BescheidError> {
    zusammensetzen(bloecke(&text(e)?)?, e.text.as_ref())
}

/// The content of one section of the decision's own template text.
fn inhalt(e: &Entscheidung, teil: Teil) -> Result<Vec<Block>, BescheidError> {
    for a in abschnitte(bloecke(&text(e)?)?)?.into_iter().flatten() {
        if a.teil == teil {
            return Ok(a.inhalt);
        }
    }
    Ok(Vec::new())
}

fn nicht_darstellbar(e: &Entscheidung, teil: Teil, b: &Block) -> BescheidError {
    BescheidError::Vorlage(format!(
        "{}.j2: im Abschnitt {teil:?} steht {b:?}, das als Klartext nicht darstellbar ist",
        e.leistung.id()
    ))
}

/// Numbered or bulleted points as plain text, one string per point.
fn als_punkte(
    e: &Entscheidung,
    teil: Teil,
    bloecke: &[Block],
) -> Result<Vec<String>, BescheidError> {
    let mut out: Vec<String> = Vec::new();
    for b in bloecke {
        match b {
            Block::Punkt(m, t) if teil == Teil::Tenor && m.ends_with('.') => out.push(t.clone()),
            Block::Punkt(m, t) if teil != Teil::Tenor && m == "–" => out.push(t.clone()),
            Block::Fortsetzung {
                eingerueckt: true,
                text,
            } if !out.is_empty() => {
                if let Some(p) = out.last_mut() {
                    p.push('\n');
                    p.push_str(text);
                }
            }
            andere => return Err(nicht_darstellbar(e, teil, andere)),
        }
    }
    Ok(out)
}

/// Paragraphs as plain text in the form [`crate::brief::text_bloecke`] reads back.
fn als_absaetze(e: &Entscheidung, teil: Teil, bloecke: &[Block]) -> Result<String, BescheidError> {
    let mut out = String::new();
    let mut vorher_punkt = false;
    for b in bloecke {
        match b {
            Block::Absatz(t) => {
                if !out.is_empty() {
                    out.push_str("\n\n");
                }
                out.push_str(t);
                vorher_punkt = false;
            }
            Block::Punkt(m, t) if m == "–" => {
                if !out.is_empty() {
                    out.push_str(if vorher_punkt { "\n" } else { "\n\n" });
                }
                out.push_str("– ");
                out.push_str(t);
                vorher_punkt = true;
            }
            Block::Fortsetzung { text, .. } if !out.is_empty() => {
                out.push('\n');
                out.push_str(text);
            }
            andere => return Err(nicht_darstellbar(e, teil, andere)),
        }
    }
    Ok(out)
}

/// What the template itself writes for the editable parts.
pub(crate) fn vorschlag(e: &Entscheidung) -> Result<Bescheidtext, BescheidError> {
    let mut ohne = e.clone();
    ohne.text = None;
    let teile = abschnitte(bloecke(&text(&ohne)?)?)?;
    let finden = |teil: Teil| {
        teile
            .iter()
            .filter_map(|t| t.as_ref().ok())
            .find(|a| a.teil == teil)
            .map_or(&[][..], |a| a.inhalt.as_slice())
    };
    Ok(Bescheidtext {
        tenor: als_punkte(e, Teil::Tenor, finden(Teil::Tenor))?,
        begruendung: als_absaetze(e, Teil::Begruendung, finden(Teil::Begruendung))?,
        nebenbestimmungen: als_punkte(e, Teil::Nebenbestimmungen, finden(Teil::Nebenbestimmungen))?,
    })
}

/// The Rechtsbehelfsbelehrung as plain text (paragraphs separated by blank lines).
pub(crate) fn rechtsbehelfsbelehrung(e: &Entscheidung) -> Result<String, BescheidError> {
    let teil = Teil::Rechtsbehelfsbelehrung;
    // The heading „Rechtsbehelfsbelehrung“ is the section's head, not its text.
    let bloecke = inhalt(e, teil)?;
    als_absaetze(e, teil, &bloecke)
}

fn nummer(t: &str) -> Option<(String, &str)> {
    let ziffern = t.chars().take_while(char::is_ascii_digit).count();
    if ziffern == 0 || ziffern > 3 {
        return None;
    }
    let rest = t[ziffern..].strip_prefix(". ")?;
    Some((t[..ziffern + 1].to_string(), rest))
}

/// Which Leistungen have templates (all of [`Leistung::ALLE`]).
pub fn hat_vorlage(l: Leistung) -> bool {
    let name = format!("{}.j2", l.id());
    VORLAGEN.iter().any(|(n, _)| *n == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_lines_become_blocks() {
        let b = bloecke(
            "# Betreff\n\nText eins\nweiter.\n## Kopf\n1. Punkt\nfolgt\n- Strich\n@gebuehren\n| Gruß\n|\n",
        )
        .unwrap();
        assert_eq!(
            b,
            vec![
                Block::Betreff("Betreff".into()),
                Block::Absatz("Text eins weiter.".into()),
                Block::Ueberschrift("Kopf".into()),
                Block::Punkt("1.".into(), "Punkt folgt".into()),
                Block::Punkt("–".into(), "Strich".into()),
                Block::Gebuehren,
                Block::Zeile("Gruß".into()),
                Block::Zeile(String::new()),
            ]
        );
    }

    #[test]
    fn every_leistung_has_a_template() {
        for l in Leistung::ALLE {
            assert!(hat_vorlage(l), "{l:?}");
        }
    }
}
