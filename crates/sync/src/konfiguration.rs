//! How the engine behaves: concurrency, backoff, size limits, how new cases get their
//! Aktenzeichen and their Frist.

use store::AktenzeichenVergabe;

use crate::backoff::Backoff;

/// How the engine behaves.
#[derive(Debug, Clone)]
pub struct Konfiguration {
    /// Submissions fetched (and events sent) at the same time.
    pub gleichzeitig: usize,
    /// Backoff of the outbox.
    pub backoff: Backoff,
    /// Attempts of an idempotent download within one pass before it is left to the next.
    pub versuche_im_durchlauf: u32,
    /// How new cases get their Aktenzeichen.
    pub vergabe: AktenzeichenVergabe,
    /// Statutory processing times: each new case gets its Frist from its Leistung.
    pub fristen: domain::Fristenkatalog,
    /// Largest submission taken in (form data and attachments together, decrypted bytes);
    /// above it the submission is rejected (`attachment-mismatch`, with the sizes as reason).
    pub max_bytes_je_einreichung: u64,
    /// Largest single attachment taken in (decrypted bytes). Checked from the download's
    /// announced length before it is read, and enforced while it streams.
    pub max_bytes_je_anlage: u64,
    /// How long a pass holds a reply row it sends before another pass may take it (default
    /// [`crate::antwort::ANSPRUCH`]; after a crash mid-send, the retry waits this long).
    pub antwort_anspruch: std::time::Duration,
}

/// Default of [`Konfiguration::max_bytes_je_einreichung`]: 100 MiB.
pub const MAX_BYTES_JE_EINREICHUNG: u64 = 100 * 1024 * 1024;
/// Default of [`Konfiguration::max_bytes_je_anlage`]: 50 MiB.
pub const MAX_BYTES_JE_ANLAGE: u64 = 50 * 1024 * 1024;

/// Processing times of the demo municipality (Nordrhein-Westfalen): certificates within days,
/// permits within a month, everything else the three months of § 42a Abs. 2 VwVfG. Test and
/// bench scaffolding only (the same values as `assets/behoerden/demo/behoerde.toml`); the app
/// and the CLI build their engine with [`Konfiguration::fuer_behoerde`].
pub fn demo_fristen() -> domain::Fristenkatalog {
    use domain::Fristregel::{Arbeitstage, Monate};
    domain::Fristenkatalog {
        bundesland: domain::Bundesland::NW,
        standard: Monate(3),
        je_leistung: [
            ("99108008001000", Monate(1)),       // Hundesteuer – Anmeldung
            ("99050012104000", Arbeitstage(3)),  // Gewerbeanmeldung
            ("99058010000000", Arbeitstage(10)), // Bewohnerparkausweis
            ("99127004000000", Monate(1)),       // Sondernutzungserlaubnis
            ("99115005000000", Arbeitstage(3)),  // Meldebescheinigung
        ]
        .into_iter()
        .map(|(k, r)| (k.to_owned(), r))
        .collect(),
        vorlauf_arbeitstage: 5,
    }
}

/// Technical defaults with the demo municipality's Aktenzeichen and Fristen: for tests and
/// benches. A real engine is built with [`Konfiguration::fuer_behoerde`].
impl Default for Konfiguration {
    fn default() -> Self {
        Konfiguration {
            gleichzeitig: 4,
            backoff: Backoff::default(),
            versuche_im_durchlauf: 3,
            vergabe: AktenzeichenVergabe {
                muster: domain::AktenzeichenMuster::default(),
                amt: "32".into(),
                kuerzel: "EIN".into(),
            },
            fristen: demo_fristen(),
            max_bytes_je_einreichung: MAX_BYTES_JE_EINREICHUNG,
            max_bytes_je_anlage: MAX_BYTES_JE_ANLAGE,
            antwort_anspruch: crate::antwort::ANSPRUCH,
        }
    }
}

impl Konfiguration {
    /// The engine of `behoerde`: its Aktenzeichen and its Fristen (with the holidays of its
    /// Land); concurrency, backoff and size limits keep their technical defaults.
    pub fn fuer_behoerde(behoerde: &behoerde::Behoerde) -> Self {
        Konfiguration {
            vergabe: AktenzeichenVergabe {
                muster: behoerde.aktenzeichen_muster.clone(),
                amt: behoerde.amt.clone(),
                kuerzel: behoerde.kuerzel.clone(),
            },
            fristen: behoerde.fristenkatalog(),
            ..Konfiguration::default()
        }
    }
}

/// The form schemas of `behoerde`'s Leistungen, compiled for validating incoming form data.
pub fn formularschemas(behoerde: &behoerde::Behoerde) -> fitconnect::metadata::FormSchemas {
    let mut s = fitconnect::metadata::FormSchemas::default();
    for f in behoerde.formulare() {
        // Each schema compiled when the configuration was loaded; it cannot fail here.
        let _ = s.add(&f.uri, &f.schema);
    }
    s
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn the_test_catalogue_is_the_demo_configuration_s() {
        assert_eq!(
            demo_fristen(),
            behoerde::Behoerde::demo().unwrap().fristenkatalog()
        );
        let demo = behoerde::Behoerde::demo().unwrap();
        let k = Konfiguration::fuer_behoerde(&demo);
        assert_eq!(k.vergabe, Konfiguration::default().vergabe);
    }
}
