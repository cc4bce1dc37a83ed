//! The GiroCode: an EPC QR code (EPC069-12, version 002, SEPA credit transfer) next to the
//! payment sentence, so the addressee can pay with a banking app without typing IBAN,
//! amount and reference.
//!
//! It is printed only when the decision charges a positive sum, has payment instructions
//! and the authority has bank details. The payload is plain text, one element per line
//! (`\n`), UTF-8 (character set 1), no trailing line break:
//!
//! ```text
//! BCD
//! 002
//! 1
//! SCT
//! <BIC>
//! <beneficiary: behoerde.name, at most 70 characters>
//! <IBAN without spaces>
//! EUR<amount with two decimals, e.g. EUR39.00>
//! <purpose code: empty>
//! <structured reference: empty>
//! <remittance: zahlung.verwendungszweck, else the Kassenzeichen, at most 140 characters>
//! ```

use crate::BescheidError;
use crate::model::{Entscheidung, betrag_deutsch};

/// EPC069-12: the whole payload may have at most 331 bytes.
const MAX_BYTES: usize = 331;
/// EPC069-12: amount at most 999,999,999.99 €.
const MAX_CENT: i64 = 99_999_999_999;

/// The data of a GiroCode, normalised.
pub(crate) struct Ueberweisung {
    pub(crate) empfaenger: String,
    pub(crate) iban: String,
    pub(crate) bic: String,
    pub(crate) cent: i64,
    pub(crate) zweck: String,
}

fn einzeilig(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn kuerzen(s: &str, zeichen: usize) -> String {
    s.chars().take(zeichen).collect()
}

fn kompakt(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_uppercase)
        .collect()
}

/// The transfer a GiroCode would carry, if the decision has one.
pub(crate) fn ueberweisung(e: &Entscheidung) -> Option<Ueberweisung> {
    let cent = e.summe_cent();
    let z = e.zahlung.as_ref()?;
    let bank = e.behoerde.bankverbindung.as_ref()?;
    if cent <= 0 || cent > MAX_CENT {
        return None;
    }
    let zweck = match einzeilig(&z.verwendungszweck) {
        v if !v.is_empty() => v,
        _ => einzeilig(z.kassenzeichen.as_deref().unwrap_or_default()),
    };
    Some(Ueberweisung {
        empfaenger: kuerzen(&einzeilig(&e.behoerde.name), 70),
        iban: kompakt(&bank.iban),
        bic: kompakt(&bank.bic),
        cent,
        zweck: kuerzen(&zweck, 140),
    })
}

/// The EPC payload of the decision's GiroCode, `None` when none is printed.
pub fn epc_inhalt(e: &Entscheidung) -> Option<String> {
    let u = ueberweisung(e)?;
    let kopf = format!(
        "BCD\n002\n1\nSCT\n{}\n{}\n{}\nEUR{}.{:02}\n\n\n",
        u.bic,
        u.empfaenger,
        u.iban,
        u.cent / 100,
        u.cent % 100
    );
    // Multi-byte characters can push the payload over the limit: shorten the reference.
    let mut zweck = u.zweck;
    while kopf.len() + zweck.len() > MAX_BYTES && zweck.pop().is_some() {}
    Some(kopf + zweck.trim_end())
}

/// IBAN check digits (ISO 13616, mod 97).
pub(crate) fn iban_gueltig(iban: &str) -> bool {
    let i = kompakt(iban);
    if !(15..=34).contains(&i.len()) || !i.chars().all(|c| c.is_ascii_alphanumeric()) {
        return false;
    }
    let (vorn, rest) = i.split_at(4);
    let mut r: u32 = 0;
    for c in rest.chars().chain(vorn.chars()) {
        let v = c.to_digit(36).unwrap_or(0);
        r = if v >= 10 {
            (r * 100 + v) % 97
        } else {
            (r * 10 + v) % 97
        };
    }
    r == 1
}

/// Checks the bank details when a GiroCode will be printed: a wrong IBAN in a code the
/// addressee scans would send the money nowhere.
pub(crate) fn pruefen(e: &Entscheidung) -> Result<(), BescheidError> {
    if let Some(u) = ueberweisung(e) {
        if !iban_gueltig(&u.iban) {
            return Err(BescheidError::Eingabe {
                feld: "behoerde.bankverbindung.iban".into(),
                grund: format!(
                    "„{}“ ist keine gültige IBAN (Prüfziffer); bitte die Bankverbindung der \
                     Behörde berichtigen",
                    u.iban
                ),
            });
        }
        if !(8..=11).contains(&u.bic.len()) || !u.bic.chars().all(|c| c.is_ascii_alphanumeric()) {
            return Err(BescheidError::Eingabe {
                feld: "behoerde.bankverbindung.bic".into(),
                grund: format!(
                    "„{}“ ist keine BIC (8 oder 11 Buchstaben und Ziffern); bitte berichtigen",
                    u.bic
                ),
            });
        }
    }
    Ok(())
}

/// The lines printed beside the code: caption, then the data for typing it in by hand.
pub(crate) fn anzeige(e: &Entscheidung) -> Option<Vec<String>> {
    let u = ueberweisung(e)?;
    let iban: Vec<String> = u
        .iban
        .as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect();
    Some(vec![
        "GiroCode: mit der Banking-App scannen".to_string(),
        format!("Empfänger: {}", u.empfaenger),
        format!("IBAN: {}", iban.join(" ")),
        format!("BIC: {}", u.bic),
        format!("Betrag: {}", betrag_deutsch(u.cent)),
        format!("Verwendungszweck: {}", u.zweck),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iban_check_digits_are_checked() {
        assert!(iban_gueltig("DE58 1005 0000 0054 5406 55"));
        assert!(iban_gueltig("DE89370400440532013000"));
        assert!(!iban_gueltig("DE89370400440532013001"));
        assert!(!iban_gueltig("DE89"));
    }
}
