//! Submission metadata (JSON from the applicant's side): parsed, validated against the
//! metadata schema of its version, the content structure and reply key extracted.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|daten: &[u8]| {
    if let Ok(m) = fitconnect::metadata::Metadata::parse(daten) {
        for a in &m.content_structure.attachments {
            let _ = sync::abruf::sicherer_dateiname(a.filename.as_deref(), &a.attachment_id);
        }
        if let Some(k) = &m.reply_key {
            let _ = k.encrypting_key();
        }
    }
});
