//! A 0605 container (ZIP) as the E-Akte stand-in receives it: entry and size limits, plain
//! names, one message XML, checksums. Names of what it returns must be safe file names.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|daten: &[u8]| {
    // A low unpack limit keeps a run fast; the limit itself is part of what is checked.
    if let Ok(c) = xdomea::container_lesen_begrenzt(daten, 4 * 1024 * 1024) {
        let summe: usize = c.dateien.iter().map(|(_, b)| b.len()).sum::<usize>() + c.xml.len();
        assert!(summe as u64 <= 4 * 1024 * 1024, "Grenze überschritten");
        for (name, _) in &c.dateien {
            assert!(
                !name.is_empty()
                    && !name.contains(['/', '\\'])
                    && name != "."
                    && name != ".."
                    && !name.chars().any(char::is_control),
                "unsicherer Name {name:?}"
            );
        }
    }
});
