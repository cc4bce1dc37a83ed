//! The seal verifier over a PDF from outside (a Bescheid brought back for checking): parsing
//! with lopdf, the signature dictionary, the CMS structure, certificates, QR payload. It must
//! report, never panic. Seeds: sealed Bescheide of the bescheid tests' throwaway PKI.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|daten: &[u8]| {
    let _ = bescheid::pruefung::hat_signatur(daten);
    if let Ok(bericht) = bescheid::pruefung::pruefen(daten, &[]) {
        assert!(!bericht.gueltig(), "ohne Vertrauensanker gültig");
    }
    let _ = bescheid::pruefung::vertrauensanker_laden(daten);
});
