//! Aktenzeichen (file numbers) from a configurable pattern.
//!
//! A pattern such as `{Amt}-{Kürzel}/{Jahr}/{Nr:05}` has literal text and placeholders:
//! `{Amt}` (office), `{Kürzel}` (short code of the Leistung), `{Jahr}` (four digits) and
//! `{Nr}` / `{Nr:05}` (the running number, optionally zero-padded to a width). `{Nr}` and
//! `{Jahr}` are required: the number runs per year, so without the year it would repeat.
//! The store keeps the counter and assigns the number inside the inserting transaction, which
//! makes numbers gap-free, unique per year and never reused.

use std::fmt;

use serde::{Deserialize, Serialize};

/// A formatted file number.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Aktenzeichen(pub String);

impl fmt::Display for Aktenzeichen {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Teil {
    Text(String),
    Amt,
    Kuerzel,
    Jahr,
    Nr { breite: usize },
}

/// A parsed pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AktenzeichenMuster {
    quelle: String,
    teile: Vec<Teil>,
}

/// The values filled into a pattern.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AktenzeichenWerte {
    /// Office, e.g. `32`.
    pub amt: String,
    /// Short code of the Leistung, e.g. `GEW`.
    pub kuerzel: String,
    /// Year.
    pub jahr: i32,
    /// Running number within the year (from 1).
    pub nr: u64,
}

/// Why a pattern is unusable (German text for the administrator).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MusterFehler {
    /// Unknown placeholder.
    #[error(
        "Unbekannter Platzhalter „{{{0}}}“ im Aktenzeichenmuster; erlaubt sind {{Amt}}, {{Kürzel}}, {{Jahr}} und {{Nr}} bzw. {{Nr:05}}."
    )]
    UnbekannterPlatzhalter(String),
    /// `{` without `}`.
    #[error("Im Aktenzeichenmuster fehlt eine schließende Klammer „}}“.")]
    OffeneKlammer,
    /// A required placeholder is missing.
    #[error(
        "Das Aktenzeichenmuster braucht den Platzhalter {0}, sonst wären Aktenzeichen nicht eindeutig."
    )]
    PflichtPlatzhalterFehlt(&'static str),
    /// Bad width.
    #[error(
        "Ungültige Stellenzahl „{0}“ bei {{Nr}}; erlaubt ist z. B. {{Nr:05}} (1 bis 12 Stellen)."
    )]
    Breite(String),
}

impl AktenzeichenMuster {
    /// The default pattern.
    pub const STANDARD: &'static str = "{Amt}-{Kürzel}/{Jahr}/{Nr:05}";

    /// Parses a pattern.
    pub fn parse(quelle: &str) -> Result<Self, MusterFehler> {
        let mut teile = Vec::new();
        let mut text = String::new();
        let mut rest = quelle;
        while let Some(pos) = rest.find('{') {
            text.push_str(&rest[..pos]);
            let nach = &rest[pos + 1..];
            let ende = nach.find('}').ok_or(MusterFehler::OffeneKlammer)?;
            let name = &nach[..ende];
            if !text.is_empty() {
                teile.push(Teil::Text(std::mem::take(&mut text)));
            }
            teile.push(match name {
                "Amt" => Teil::Amt,
                "Kürzel" | "Kuerzel" => Teil::Kuerzel,
                "Jahr" => Teil::Jahr,
                "Nr" => Teil::Nr { breite: 0 },
                n if n.starts_with("Nr:") => {
                    let b = &n[3..];
                    let breite: usize =
                        b.parse().map_err(|_| MusterFehler::Breite(b.to_owned()))?;
                    if !(1..=12).contains(&breite) {
                        return Err(MusterFehler::Breite(b.to_owned()));
                    }
                    Teil::Nr { breite }
                }
                other => return Err(MusterFehler::UnbekannterPlatzhalter(other.to_owned())),
            });
            rest = &nach[ende + 1..];
        }
        text.push_str(rest);
        if text.contains('}') {
            return Err(MusterFehler::OffeneKlammer);
        }
        if !text.is_empty() {
            teile.push(Teil::Text(text));
        }
        if !teile.iter().any(|t| matches!(t, Teil::Nr { .. })) {
            return Err(MusterFehler::PflichtPlatzhalterFehlt("{Nr}"));
        }
        if !teile.contains(&Teil::Jahr) {
            return Err(MusterFehler::PflichtPlatzhalterFehlt("{Jahr}"));
        }
        Ok(Self {
            quelle: quelle.to_owned(),
            teile,
        })
    }

    /// The pattern as written.
    pub fn quelle(&self) -> &str {
        &self.quelle
    }

    /// Formats the values.
    pub fn formatieren(&self, w: &AktenzeichenWerte) -> Aktenzeichen {
        let mut s = String::new();
        for t in &self.teile {
            match t {
                Teil::Text(x) => s.push_str(x),
                Teil::Amt => s.push_str(&w.amt),
                Teil::Kuerzel => s.push_str(&w.kuerzel),
                Teil::Jahr => s.push_str(&format!("{:04}", w.jahr)),
                Teil::Nr { breite } => s.push_str(&format!("{:0breite$}", w.nr, breite = *breite)),
            }
        }
        Aktenzeichen(s)
    }
}

impl Default for AktenzeichenMuster {
    fn default() -> Self {
        Self {
            quelle: Self::STANDARD.to_owned(),
            teile: vec![
                Teil::Amt,
                Teil::Text("-".into()),
                Teil::Kuerzel,
                Teil::Text("/".into()),
                Teil::Jahr,
                Teil::Text("/".into()),
                Teil::Nr { breite: 5 },
            ],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn werte(nr: u64) -> AktenzeichenWerte {
        AktenzeichenWerte {
            amt: "32".into(),
            kuerzel: "GEW".into(),
            jahr: 2026,
            nr,
        }
    }

    #[test]
    fn the_standard_pattern_formats_with_padding() {
        let m = AktenzeichenMuster::parse(AktenzeichenMuster::STANDARD).unwrap();
        assert_eq!(m, AktenzeichenMuster::default());
        assert_eq!(m.formatieren(&werte(42)).0, "32-GEW/2026/00042");
        assert_eq!(m.formatieren(&werte(1_234_567)).0, "32-GEW/2026/1234567");
    }

    #[test]
    fn a_custom_pattern_with_unpadded_number_works() {
        let m = AktenzeichenMuster::parse("Az. {Jahr}-{Nr} ({Kuerzel})").unwrap();
        assert_eq!(m.formatieren(&werte(7)).0, "Az. 2026-7 (GEW)");
    }

    #[test]
    fn patterns_without_number_or_year_or_with_typos_are_refused_in_german() {
        assert_eq!(
            AktenzeichenMuster::parse("{Amt}/{Jahr}").unwrap_err(),
            MusterFehler::PflichtPlatzhalterFehlt("{Nr}")
        );
        assert_eq!(
            AktenzeichenMuster::parse("{Amt}/{Nr}").unwrap_err(),
            MusterFehler::PflichtPlatzhalterFehlt("{Jahr}")
        );
        let e = AktenzeichenMuster::parse("{Amtt}/{Jahr}/{Nr}").unwrap_err();
        assert!(
            e.to_string()
                .starts_with("Unbekannter Platzhalter „{Amtt}“"),
            "{e}"
        );
        assert_eq!(
            AktenzeichenMuster::parse("{Jahr}/{Nr").unwrap_err(),
            MusterFehler::OffeneKlammer
        );
        assert!(matches!(
            AktenzeichenMuster::parse("{Jahr}/{Nr:x}"),
            Err(MusterFehler::Breite(_))
        ));
    }
}
