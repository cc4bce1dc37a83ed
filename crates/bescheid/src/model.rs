//! The decision input: everything a Bescheid needs, as one JSON document.
//!
//! This type is deliberately independent of the `domain` crate: the document engine must be
//! usable (and testable) on its own, and the JSON is what gets embedded into the PDF/A as the
//! machine-readable part of the decision. The case view maps its Vorgang onto it.
//!
//! Amounts are integer cents (no floats in money), dates are ISO `YYYY-MM-DD`.

use serde::{Deserialize, Serialize};
use time::Date;

use crate::BescheidError;

/// One decision (Bescheid), ready to be rendered and sealed.
///
/// Example: `assets/examples/hundesteuer.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entscheidung {
    /// Which Leistung (administrative service) the decision is about; selects the template.
    pub leistung: Leistung,
    /// Aktenzeichen of the case, e.g. `32.1-HSt-2026-000123`.
    pub aktenzeichen: String,
    /// Date of issue (Bescheiddatum), `YYYY-MM-DD`.
    pub datum: String,
    /// The issuing authority (letterhead, footer, bank details).
    pub behoerde: Behoerde,
    /// The caseworker named in the information block.
    pub bearbeitung: Bearbeitung,
    /// Addressee of the decision (window-envelope address field).
    pub empfaenger: Empfaenger,
    /// Date the application (Antrag) was received, `YYYY-MM-DD`.
    pub antrag_vom: String,
    /// The applicant's own reference, if any ("Ihr Zeichen").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ihr_zeichen: Option<String>,
    /// Outcome of the decision.
    pub ergebnis: Ergebnis,
    /// Leistung-specific facts used by the template (e.g. `hund_name`, `kennzeichen`).
    #[serde(default)]
    pub angaben: serde_json::Map<String, serde_json::Value>,
    /// Fees and taxes fixed by the decision (may be empty).
    #[serde(default)]
    pub gebuehren: Vec<Gebuehr>,
    /// Payment instructions when `gebuehren` is not empty.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zahlung: Option<Zahlung>,
    /// The caseworker's own wording of tenor, Begründung and Nebenbestimmungen; `None`
    /// sets the template's text (which [`crate::textvorschlag`] returns for prefilling).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<Bescheidtext>,
}

/// The editable parts of a Bescheid, as plain text: nothing in them is read as template
/// markup (a line `# x` or `@gebuehren` is printed as written).
///
/// Everything else (Betreff, Anrede and opening sentence, fee table, payment sentence,
/// GiroCode, Rechtsbehelfsbelehrung, Grußformel) still comes from the template.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Bescheidtext {
    /// The points of the Entscheidung/Festsetzung section, numbered 1., 2., … in this order.
    /// A line break inside a point stays a line break (set with the point's indent); empty
    /// points are left out.
    #[serde(default)]
    pub tenor: Vec<String>,
    /// The Begründung: paragraphs separated by blank lines, a line break inside a paragraph
    /// stays, a line starting with „– “ is a list item (as in a plain letter,
    /// [`crate::Brief`]). Empty: the section „Begründung“ is left out.
    #[serde(default)]
    pub begruendung: String,
    /// Auflagen, Bedingungen and Hinweise, one list item each, under the template's heading
    /// (e.g. „Hinweise“). Empty: the section is left out.
    #[serde(default)]
    pub nebenbestimmungen: Vec<String>,
}

/// Leistungen with a template under `assets/bescheid/`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Leistung {
    /// Hundesteuer: Festsetzung der Hundesteuer.
    Hundesteuer,
    /// Gewerbeanmeldung: Empfangsbestätigung nach § 15 Abs. 1 GewO.
    Gewerbeanmeldung,
    /// Bewohnerparkausweis: Erteilung eines Bewohnerparkausweises.
    Bewohnerparkausweis,
    /// Sondernutzungserlaubnis für öffentliche Verkehrsflächen (§ 18 StrWG NRW).
    Sondernutzung,
    /// Meldebescheinigung nach § 18 BMG mit Festsetzung der Verwaltungsgebühr.
    Meldebescheinigung,
}

impl Leistung {
    /// All Leistungen that have a template.
    pub const ALLE: [Leistung; 5] = [
        Leistung::Hundesteuer,
        Leistung::Gewerbeanmeldung,
        Leistung::Bewohnerparkausweis,
        Leistung::Sondernutzung,
        Leistung::Meldebescheinigung,
    ];

    /// Stable identifier (also the template and example file name).
    pub fn id(self) -> &'static str {
        match self {
            Leistung::Hundesteuer => "hundesteuer",
            Leistung::Gewerbeanmeldung => "gewerbeanmeldung",
            Leistung::Bewohnerparkausweis => "bewohnerparkausweis",
            Leistung::Sondernutzung => "sondernutzung",
            Leistung::Meldebescheinigung => "meldebescheinigung",
        }
    }
}

/// Outcome of the decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Ergebnis {
    /// The application is granted in full.
    Stattgegeben,
    /// The application is granted in part.
    TeilweiseStattgegeben,
    /// The application is refused.
    Abgelehnt,
}

/// The issuing authority.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Behoerde {
    /// Name as in the letterhead, e.g. `Stadt Musterstadt`.
    pub name: String,
    /// Organisational unit, e.g. `Der Oberbürgermeister · Steueramt`.
    pub organisationseinheit: String,
    /// Postal address of the authority.
    pub anschrift: Anschrift,
    /// Switchboard phone number.
    pub telefon: String,
    /// Central e-mail address.
    pub email: String,
    /// Web address.
    pub web: String,
    /// Opening hours, one line each.
    #[serde(default)]
    pub oeffnungszeiten: Vec<String>,
    /// Bank details for payments.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bankverbindung: Option<Bankverbindung>,
    /// Vector logo (coat of arms) for the letterhead.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logo: Option<Logo>,
    /// Land of the authority as its two-letter code (`NW`, `BY`, …); it decides whether the
    /// Rechtsbehelfsbelehrung names Widerspruch or Klage. `None`: each Leistung's default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub land: Option<String>,
}

/// A vector logo: one SVG-style path (absolute `M`, `L`, `H`, `V`, `C`, `Z`; several
/// subpaths allowed) in a coordinate box of `breite` × `hoehe` units, y pointing down.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Logo {
    /// Width of the coordinate box.
    pub breite: f32,
    /// Height of the coordinate box.
    pub hoehe: f32,
    /// Path data, e.g. `M0 0 L100 0 L100 80 C100 110 50 120 50 120 Z`.
    pub pfad: String,
    /// Fill colour `#rrggbb` (default dark blue).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub farbe: Option<String>,
}

/// One drawing command of a logo path, in box units.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum PfadBefehl {
    M(f32, f32),
    L(f32, f32),
    C(f32, f32, f32, f32, f32, f32),
    Z,
}

impl Logo {
    /// Parses the path data.
    pub(crate) fn befehle(&self) -> Result<Vec<PfadBefehl>, BescheidError> {
        let fehler = |grund: String| BescheidError::Eingabe {
            feld: "behoerde.logo.pfad".into(),
            grund,
        };
        let mut tokens: Vec<String> = Vec::new();
        let mut zahl = String::new();
        for c in self.pfad.chars() {
            if c.is_ascii_alphabetic() {
                if !zahl.is_empty() {
                    tokens.push(std::mem::take(&mut zahl));
                }
                tokens.push(c.to_string());
            } else if c.is_whitespace() || c == ',' {
                if !zahl.is_empty() {
                    tokens.push(std::mem::take(&mut zahl));
                }
            } else if c == '-' && !zahl.is_empty() {
                tokens.push(std::mem::take(&mut zahl));
                zahl.push(c);
            } else {
                zahl.push(c);
            }
        }
        if !zahl.is_empty() {
            tokens.push(zahl);
        }
        let mut out = Vec::new();
        let mut i = 0;
        let mut cmd = ' ';
        let (mut x, mut y) = (0.0f32, 0.0f32);
        let zahlen = |i: &mut usize, n: usize| -> Result<Vec<f32>, BescheidError> {
            let mut v = Vec::with_capacity(n);
            for _ in 0..n {
                let t = tokens
                    .get(*i)
                    .ok_or_else(|| fehler("Pfad endet mitten in einem Befehl".into()))?;
                v.push(
                    t.parse::<f32>()
                        .map_err(|_| fehler(format!("„{t}“ ist keine Zahl")))?,
                );
                *i += 1;
            }
            Ok(v)
        };
        while i < tokens.len() {
            if let Some(c) = tokens[i].chars().next().filter(char::is_ascii_alphabetic) {
                cmd = c;
                i += 1;
                if c == 'Z' || c == 'z' {
                    out.push(PfadBefehl::Z);
                    continue;
                }
            }
            match cmd {
                'M' => {
                    let v = zahlen(&mut i, 2)?;
                    (x, y) = (v[0], v[1]);
                    out.push(PfadBefehl::M(x, y));
                    cmd = 'L';
                }
                'L' => {
                    let v = zahlen(&mut i, 2)?;
                    (x, y) = (v[0], v[1]);
                    out.push(PfadBefehl::L(x, y));
                }
                'H' => {
                    x = zahlen(&mut i, 1)?[0];
                    out.push(PfadBefehl::L(x, y));
                }
                'V' => {
                    y = zahlen(&mut i, 1)?[0];
                    out.push(PfadBefehl::L(x, y));
                }
                'C' => {
                    let v = zahlen(&mut i, 6)?;
                    (x, y) = (v[4], v[5]);
                    out.push(PfadBefehl::C(v[0], v[1], v[2], v[3], v[4], v[5]));
                }
                andere => {
                    return Err(fehler(format!(
                        "Befehl „{andere}“ wird nicht unterstützt (nur M L H V C Z, absolut)"
                    )));
                }
            }
        }
        if !(self.breite > 0.0 && self.hoehe > 0.0) {
            return Err(fehler("breite und hoehe müssen größer als 0 sein".into()));
        }
        Ok(out)
    }

    /// Fill colour as RGB 0..1.
    pub(crate) fn rgb(&self) -> [f32; 3] {
        let h = self
            .farbe
            .as_deref()
            .unwrap_or("#1f3f6e")
            .trim_start_matches('#');
        let k = |a: usize| {
            u8::from_str_radix(h.get(a..a + 2).unwrap_or("00"), 16).unwrap_or(0) as f32 / 255.0
        };
        if h.len() == 6 {
            [k(0), k(2), k(4)]
        } else {
            [0.12, 0.25, 0.43]
        }
    }
}

/// A postal address (street line, postcode, town).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Anschrift {
    /// Street and house number, or `Postfach 12 34`.
    pub strasse: String,
    /// Postcode (Postleitzahl).
    pub plz: String,
    /// Town.
    pub ort: String,
}

/// Bank details.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Bankverbindung {
    /// Name of the bank.
    pub institut: String,
    /// IBAN, grouped in fours.
    pub iban: String,
    /// BIC.
    pub bic: String,
}

/// The caseworker responsible.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Bearbeitung {
    /// Name, e.g. `Frau Yılmaz`.
    pub name: String,
    /// Direct phone number.
    pub telefon: String,
    /// Direct e-mail address.
    pub email: String,
    /// Room, if visitors may come.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zimmer: Option<String>,
}

/// Addressee.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Empfaenger {
    /// `Frau`, `Herrn`, or none (companies, neutral address).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub anrede: Option<String>,
    /// Full name or company name.
    pub name: String,
    /// Additional line (c/o, department), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zusatz: Option<String>,
    /// Postal address.
    pub anschrift: Anschrift,
    /// Salutation line, e.g. `Sehr geehrte Frau Mustermann,`. Default: neutral.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub briefanrede: Option<String>,
}

/// One fee or tax item.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Gebuehr {
    /// What is charged.
    pub bezeichnung: String,
    /// Legal basis, e.g. `§ 5 HStS`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rechtsgrundlage: Option<String>,
    /// Amount in euro cents.
    pub betrag_cent: i64,
}

/// Payment instructions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Zahlung {
    /// Due date, `YYYY-MM-DD`.
    pub faellig_am: String,
    /// Payment reference (Verwendungszweck); also the remittance text of the GiroCode.
    pub verwendungszweck: String,
    /// Kassenzeichen of the municipal cash office, if it has one apart from the
    /// Verwendungszweck; the payment sentence then names it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kassenzeichen: Option<String>,
}

/// The two-letter codes of the Länder (ISO 3166-2:DE without `DE-`).
pub(crate) const LAENDER: [&str; 16] = [
    "BW", "BY", "BE", "BB", "HB", "HH", "HE", "MV", "NI", "NW", "RP", "SL", "SN", "ST", "SH", "TH",
];

const DATE_FORMAT: &[time::format_description::BorrowedFormatItem<'static>] =
    time::macros::format_description!("[year]-[month]-[day]");

/// Parses an ISO date (`YYYY-MM-DD`), naming the field in the error.
pub(crate) fn parse_datum(feld: &str, wert: &str) -> Result<Date, BescheidError> {
    Date::parse(wert, DATE_FORMAT).map_err(|_| BescheidError::Eingabe {
        feld: feld.to_string(),
        grund: format!("„{wert}“ ist kein Datum der Form JJJJ-MM-TT"),
    })
}

/// `20.11.2026`
pub(crate) fn datum_deutsch(d: Date) -> String {
    format!("{:02}.{:02}.{}", d.day(), u8::from(d.month()), d.year())
}

/// `1.234,50 €` (with a narrow no-break space nowhere: plain space before the euro sign).
pub fn betrag_deutsch(cent: i64) -> String {
    let neg = cent < 0;
    let abs = cent.unsigned_abs();
    let euro = abs / 100;
    let rest = abs % 100;
    let digits = euro.to_string();
    let mut grouped = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            grouped.push('.');
        }
        grouped.push(c);
    }
    format!("{}{grouped},{rest:02}\u{a0}€", if neg { "-" } else { "" })
}

impl Entscheidung {
    /// Parses and checks a decision from JSON.
    pub fn from_json(json: &[u8]) -> Result<Self, BescheidError> {
        let e: Entscheidung =
            serde_json::from_slice(json).map_err(|err| BescheidError::Eingabe {
                feld: format!("Zeile {}, Spalte {}", err.line(), err.column()),
                grund: err.to_string(),
            })?;
        e.pruefen()?;
        Ok(e)
    }

    /// Checks what serde cannot: dates, required text, payment data when fees are charged.
    pub fn pruefen(&self) -> Result<(), BescheidError> {
        parse_datum("datum", &self.datum)?;
        parse_datum("antrag_vom", &self.antrag_vom)?;
        if let Some(z) = &self.zahlung {
            parse_datum("zahlung.faellig_am", &z.faellig_am)?;
        }
        if let Some(l) = &self.behoerde.logo {
            l.befehle()?;
        }
        let pflicht = [
            ("aktenzeichen", &self.aktenzeichen),
            ("behoerde.name", &self.behoerde.name),
            ("empfaenger.name", &self.empfaenger.name),
            ("bearbeitung.name", &self.bearbeitung.name),
        ];
        for (feld, wert) in pflicht {
            if wert.trim().is_empty() {
                return Err(BescheidError::Eingabe {
                    feld: feld.to_string(),
                    grund: "darf nicht leer sein".into(),
                });
            }
        }
        if self.aktenzeichen.contains(['|', ';', '\n']) {
            return Err(BescheidError::Eingabe {
                feld: "aktenzeichen".into(),
                grund: "darf weder „|“, „;“ noch Zeilenumbrüche enthalten".into(),
            });
        }
        if !self.gebuehren.is_empty() && self.zahlung.is_none() {
            return Err(BescheidError::Eingabe {
                feld: "zahlung".into(),
                grund: "ist nötig, wenn Gebühren festgesetzt werden".into(),
            });
        }
        if let Some(k) = self.zahlung.as_ref().and_then(|z| z.kassenzeichen.as_ref())
            && (k.trim().is_empty() || k.contains(['\n', '\r']))
        {
            return Err(BescheidError::Eingabe {
                feld: "zahlung.kassenzeichen".into(),
                grund: "muss eine Zeile Text sein; ohne Kassenzeichen das Feld weglassen".into(),
            });
        }
        if let Some(land) = &self.behoerde.land
            && !LAENDER.contains(&land.as_str())
        {
            return Err(BescheidError::Eingabe {
                feld: "behoerde.land".into(),
                grund: format!(
                    "„{land}“ ist kein Länderkürzel; bitte eines von {} angeben",
                    LAENDER.join(", ")
                ),
            });
        }
        if let Some(t) = &self.text
            && t.tenor.iter().all(|p| p.trim().is_empty())
        {
            return Err(BescheidError::Eingabe {
                feld: "text.tenor".into(),
                grund: "ein Bescheid braucht mindestens einen Punkt der Entscheidung; bitte den \
                        Tenor ausfüllen oder den Textvorschlag übernehmen"
                    .into(),
            });
        }
        crate::girocode::pruefen(self)?;
        Ok(())
    }

    /// Sum of all fees in cents.
    pub fn summe_cent(&self) -> i64 {
        self.gebuehren.iter().map(|g| g.betrag_cent).sum()
    }

    /// The canonical JSON embedded into the PDF (pretty, UTF-8, stable field order).
    pub fn to_embedded_json(&self) -> Result<Vec<u8>, BescheidError> {
        let mut v = serde_json::to_vec_pretty(self).map_err(|e| BescheidError::Eingabe {
            feld: "(gesamt)".into(),
            grund: e.to_string(),
        })?;
        v.push(b'\n');
        Ok(v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_are_written_the_german_way() {
        assert_eq!(betrag_deutsch(0), "0,00\u{a0}€");
        assert_eq!(betrag_deutsch(9600), "96,00\u{a0}€");
        assert_eq!(betrag_deutsch(123_456_789), "1.234.567,89\u{a0}€");
        assert_eq!(betrag_deutsch(-2550), "-25,50\u{a0}€");
    }

    #[test]
    fn logo_paths_parse_into_absolute_commands() {
        let l = Logo {
            breite: 10.0,
            hoehe: 10.0,
            pfad: "M0 0 H10 V8 C10,10 5,10 5,10 L0 8Z".into(),
            farbe: Some("#ff0000".into()),
        };
        let b = l.befehle().unwrap();
        assert_eq!(b[0], PfadBefehl::M(0.0, 0.0));
        assert_eq!(b[1], PfadBefehl::L(10.0, 0.0));
        assert_eq!(b[2], PfadBefehl::L(10.0, 8.0));
        assert_eq!(b[3], PfadBefehl::C(10.0, 10.0, 5.0, 10.0, 5.0, 10.0));
        assert_eq!(b.last(), Some(&PfadBefehl::Z));
        assert_eq!(l.rgb(), [1.0, 0.0, 0.0]);
        let kaputt = Logo {
            pfad: "M0 0 A 1 1".into(),
            ..l
        };
        assert!(kaputt.befehle().is_err());
    }

    #[test]
    fn dates_are_written_the_german_way() {
        let d = parse_datum("x", "2026-03-07").unwrap();
        assert_eq!(datum_deutsch(d), "07.03.2026");
        assert!(parse_datum("x", "7.3.2026").is_err());
    }
}
