//! File names the applicant declares (metadata `filename`) made safe to show and to offer when
//! saving ([`sync::abruf::sicherer_dateiname`]), and the names of documents in the xdomea
//! container ([`xdomea::primaer_dateiname`]). Checked: the promises of the doc
//! comment — one plain path component, no control or bidi characters, nothing Windows
//! forbids, no device name, no leading or trailing dot or space, at most 150 characters.
#![no_main]

use amtsstube_fuzz::Leser;
use libfuzzer_sys::fuzz_target;

const RESERVIERT: [&str; 22] = [
    "CON", "PRN", "AUX", "NUL", "COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7", "COM8",
    "COM9", "LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9",
];

fn bidi(c: char) -> bool {
    matches!(c, '\u{200E}' | '\u{200F}' | '\u{061C}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

fn ist_sicher(n: &str, grenze: usize) {
    assert!(!n.is_empty(), "leerer Name");
    assert!(n.chars().count() <= grenze, "zu lang: {}", n.chars().count());
    assert!(
        !n.chars()
            .any(|c| c.is_control() || bidi(c) || c == '\u{FEFF}' || "/\\<>:\"|?*".contains(c)),
        "unsicheres Zeichen in {n:?}"
    );
    assert!(
        !n.starts_with(['.', ' ']) && !n.ends_with(['.', ' ']),
        "Punkt oder Leerzeichen am Rand: {n:?}"
    );
    assert!(!n.chars().next().is_some_and(char::is_whitespace), "{n:?}");
    assert!(!n.chars().last().is_some_and(char::is_whitespace), "{n:?}");
    let stamm = n.split('.').next().unwrap_or_default().trim_end();
    assert!(
        !RESERVIERT.iter().any(|r| r.eq_ignore_ascii_case(stamm)),
        "Gerätename: {n:?}"
    );
}

fuzz_target!(|daten: &[u8]| {
    let mut l = Leser::neu(daten);
    let id = String::from_utf8_lossy(l.stueck(64)).into_owned();
    let roh = l.rest();
    let Ok(name) = std::str::from_utf8(roh) else {
        return;
    };
    ist_sicher(&sync::abruf::sicherer_dateiname(Some(name), &id), 150);
    ist_sicher(&sync::abruf::sicherer_dateiname(None, &id), 150);

    let d = xdomea::Dokument {
        id: uuid::Uuid::from_u128(u128::from(id.len() as u32)),
        titel: name.to_owned(),
        typ: xdomea::DokumentTyp::Anlage,
        dateiname: name.to_owned(),
        mime: "application/pdf".into(),
        datum: time::OffsetDateTime::UNIX_EPOCH,
        eingehend: true,
        signiert: false,
        inhalt: Vec::new(),
    };
    let p = xdomea::primaer_dateiname(&d);
    assert!(!p.is_empty());
    assert!(
        !p.chars().any(|c| c.is_control() || "/\\".contains(c)) && p != "." && p != "..",
        "unsicherer Containername {p:?}"
    );
});
