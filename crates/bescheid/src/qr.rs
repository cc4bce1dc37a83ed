//! The visual seal: a QR code on page one with Aktenzeichen, date of issue and the SHA-256
//! of the embedded decision JSON.
//!
//! Payload (text, one line): `BESCHEID:1;AZ=<Aktenzeichen>;DATUM=<YYYY-MM-DD>;SHA256=<hex>`.
//! Anyone can scan it, extract `bescheid.json` from the PDF (e.g. `pdfdetach`), hash it and
//! compare; `amtsstube bescheid verify` does this, together with the cryptographic seal check.

use qrcode::{Color, EcLevel, QrCode};

use crate::BescheidError;

/// The QR payload for a decision.
pub fn inhalt(aktenzeichen: &str, datum: &str, sha256: &[u8; 32]) -> String {
    format!(
        "BESCHEID:1;AZ={aktenzeichen};DATUM={datum};SHA256={}",
        hex::encode(sha256)
    )
}

/// The parts of a QR payload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QrInhalt {
    /// Aktenzeichen.
    pub aktenzeichen: String,
    /// Date of issue.
    pub datum: String,
    /// SHA-256 of the embedded JSON, lower-case hex.
    pub sha256: String,
}

/// Parses a payload made by [`inhalt`].
pub fn lesen(text: &str) -> Option<QrInhalt> {
    let rest = text.trim().strip_prefix("BESCHEID:1;")?;
    let mut az = None;
    let mut datum = None;
    let mut sha = None;
    for teil in rest.split(';') {
        let (k, v) = teil.split_once('=')?;
        match k {
            "AZ" => az = Some(v.to_string()),
            "DATUM" => datum = Some(v.to_string()),
            "SHA256" => sha = Some(v.to_string()),
            _ => {}
        }
    }
    Some(QrInhalt {
        aktenzeichen: az?,
        datum: datum?,
        sha256: sha?,
    })
}

/// Module matrix (row-major, `true` = dark) and width, with a 4-module quiet zone.
pub fn module(inhalt: &str) -> Result<(Vec<bool>, usize), BescheidError> {
    let code = QrCode::with_error_correction_level(inhalt.as_bytes(), EcLevel::M)
        .map_err(|e| BescheidError::Intern(format!("QR-Code: {e}")))?;
    let w = code.width();
    let farben = code.to_colors();
    let rand = 4;
    let g = w + 2 * rand;
    let mut out = vec![false; g * g];
    for y in 0..w {
        for x in 0..w {
            out[(y + rand) * g + x + rand] = farben[y * w + x] == Color::Dark;
        }
    }
    Ok((out, g))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_payload_reads_back() {
        let p = inhalt("22.1-HSt-2026-004711", "2026-11-20", &[0xab; 32]);
        let l = lesen(&p).unwrap();
        assert_eq!(l.aktenzeichen, "22.1-HSt-2026-004711");
        assert_eq!(l.datum, "2026-11-20");
        assert_eq!(l.sha256, "ab".repeat(32));
        let (m, w) = module(&p).unwrap();
        assert_eq!(m.len(), w * w);
        assert!(!m[0], "the quiet zone is light");
    }
}
