//! Answers of the E-Akte (0629/0630) and any xdomea message's header, as they arrive in the
//! return folder: namespace-aware XML reading with size limits.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|daten: &[u8]| {
    let _ = xdomea::rueckmeldung_lesen(daten);
    let _ = xdomea::kopf_lesen(daten);
    let _ = xdomea::audit_anker_lesen(daten);
});
