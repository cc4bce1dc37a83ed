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
}

impl Leistung {
    /// All Leistungen that have a template.
    pub const ALLE: [Leistung; 3] = [
        Leistung::Hundesteuer,
        Leistung::Gewerbeanmeldung,
        Leistung::Bewohnerparkausweis,
    ];

    /// Stable identifier (also the template and example file name).
    pub fn id(self) -> &'static str {
        match self {
            Leistung::Hundesteuer => "hundesteuer",
            Leistung::Gewerbeanmeldung => "gewerbeanmeldung",
            Leistung::Bewohnerparkausweis => "bewohnerparkausweis",
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
    /// Payment reference (Verwendungszweck / Kassenzeichen).
    pub verwendungszweck: String,
}

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
    fn dates_are_written_the_german_way() {
        let d = parse_datum("x", "2026-03-07").unwrap();
        assert_eq!(datum_deutsch(d), "07.03.2026");
        assert!(parse_datum("x", "7.3.2026").is_err());
    }
}
