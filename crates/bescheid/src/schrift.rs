//! The embedded font (Liberation Sans, SIL OFL 1.1, `assets/fonts/`): metrics for layout,
//! and per-document glyph collection for subsetting.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use ttf_parser::{Face, GlyphId};

use crate::BescheidError;

static REGULAR: &[u8] = include_bytes!("../../../assets/fonts/LiberationSans-Regular.ttf");
static BOLD: &[u8] = include_bytes!("../../../assets/fonts/LiberationSans-Bold.ttf");

/// Which cut of the font.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum Schnitt {
    Normal = 0,
    Fett = 1,
}

pub(crate) struct Schrift {
    pub(crate) daten: &'static [u8],
    pub(crate) face: Face<'static>,
    pub(crate) upem: f32,
    pub(crate) name: &'static str,
    /// Glyph and advance (in font units) for Latin-1 and common punctuation, looked up once.
    cache: [(u16, u16); 256],
}

impl Schrift {
    fn laden(daten: &'static [u8], name: &'static str) -> Result<Self, BescheidError> {
        let face = Face::parse(daten, 0)
            .map_err(|e| BescheidError::Intern(format!("Schrift {name} nicht lesbar: {e}")))?;
        let mut cache = [(0u16, 0u16); 256];
        for (i, slot) in cache.iter_mut().enumerate() {
            if let Some(c) = char::from_u32(i as u32)
                && let Some(g) = face.glyph_index(c)
            {
                *slot = (g.0, face.glyph_hor_advance(g).unwrap_or(0));
            }
        }
        Ok(Schrift {
            daten,
            upem: f32::from(face.units_per_em()),
            face,
            name,
            cache,
        })
    }

    /// Glyph id and advance (font units) of a character, `None` if the font lacks it.
    pub(crate) fn glyph(&self, c: char) -> Option<(u16, u16)> {
        // A no-break space is drawn with the space glyph, so copied text has a plain space.
        let c = if c == '\u{a0}' || c == '\u{202f}' {
            ' '
        } else {
            c
        };
        let cp = c as u32;
        if cp < 256 {
            let (g, a) = self.cache[cp as usize];
            if g != 0 {
                return Some((g, a));
            }
            return None;
        }
        let g = self.face.glyph_index(c)?;
        Some((g.0, self.face.glyph_hor_advance(g).unwrap_or(0)))
    }

    pub(crate) fn advance(&self, gid: u16) -> u16 {
        self.face.glyph_hor_advance(GlyphId(gid)).unwrap_or(0)
    }

    /// Width of a text in points at the given size.
    pub(crate) fn breite(&self, text: &str, groesse: f32) -> f32 {
        let units: u32 = text
            .chars()
            .filter(|c| *c != '\u{ad}')
            .map(|c| u32::from(self.glyph(c).map_or(0, |g| g.1)))
            .sum();
        units as f32 * groesse / self.upem
    }
}

pub(crate) struct Schriften {
    pub(crate) normal: Schrift,
    pub(crate) fett: Schrift,
}

impl Schriften {
    pub(crate) fn get(&self, s: Schnitt) -> &Schrift {
        match s {
            Schnitt::Normal => &self.normal,
            Schnitt::Fett => &self.fett,
        }
    }
}

static SCHRIFTEN: OnceLock<Result<Schriften, String>> = OnceLock::new();

/// The two cuts, parsed once per process.
pub(crate) fn schriften() -> Result<&'static Schriften, BescheidError> {
    SCHRIFTEN
        .get_or_init(|| {
            Ok(Schriften {
                normal: Schrift::laden(REGULAR, "LiberationSans").map_err(|e| e.to_string())?,
                fett: Schrift::laden(BOLD, "LiberationSans-Bold").map_err(|e| e.to_string())?,
            })
        })
        .as_ref()
        .map_err(|e| BescheidError::Intern(e.clone()))
}

/// Glyphs used by one document per cut, with the text each stands for (for ToUnicode).
#[derive(Default)]
pub(crate) struct GlyphNutzung {
    pub(crate) glyphen: [BTreeMap<u16, char>; 2],
}

impl GlyphNutzung {
    /// Turns text into glyph ids, recording them. Soft hyphens are dropped here (the line
    /// breaker has already decided whether one shows as `-`).
    pub(crate) fn glyphen(
        &mut self,
        schriften: &Schriften,
        schnitt: Schnitt,
        text: &str,
    ) -> Result<Vec<u16>, BescheidError> {
        let schrift = schriften.get(schnitt);
        let map = &mut self.glyphen[schnitt as usize];
        let mut out = Vec::with_capacity(text.len());
        for c in text.chars() {
            if c == '\u{ad}' {
                continue;
            }
            let (g, _) = schrift.glyph(c).ok_or(BescheidError::Zeichen(c))?;
            let abbild = if c == '\u{a0}' || c == '\u{202f}' {
                ' '
            } else {
                c
            };
            map.entry(g).or_insert(abbild);
            out.push(g);
        }
        Ok(out)
    }
}
