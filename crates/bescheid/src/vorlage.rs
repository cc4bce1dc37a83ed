//! Templates per Leistung (`assets/bescheid/*.j2`, compiled in) and the small line markup
//! they produce (documented in `assets/bescheid/README.md`).

use std::sync::OnceLock;

use minijinja::{Environment, Value};

use crate::BescheidError;
use crate::model::{Entscheidung, Leistung, betrag_deutsch, datum_deutsch, parse_datum};

const VORLAGEN: &[(&str, &str)] = &[
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
        "_rechtsbehelfsbelehrung.j2",
        include_str!("../../../assets/bescheid/_rechtsbehelfsbelehrung.j2"),
    ),
    (
        "_schluss.j2",
        include_str!("../../../assets/bescheid/_schluss.j2"),
    ),
];

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

/// Renders the template of the decision's Leistung to markup text.
pub(crate) fn text(e: &Entscheidung) -> Result<String, BescheidError> {
    let env = umgebung()?;
    let name = format!("{}.j2", e.leistung.id());
    let tmpl = env
        .get_template(&name)
        .map_err(|err| BescheidError::Vorlage(format!("{name}: {err}")))?;
    let mut ctx = serde_json::to_value(e).map_err(|err| BescheidError::Vorlage(err.to_string()))?;
    if let Some(obj) = ctx.as_object_mut() {
        obj.insert("summe_cent".into(), e.summe_cent().into());
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
pub(crate) fn bloecke(markup: &str) -> Vec<Block> {
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
    out
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
        );
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
