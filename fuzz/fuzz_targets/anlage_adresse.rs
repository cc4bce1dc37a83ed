//! The `anlage://` protocol's own parsers ([`app::anlage`]): the path `/<vorgang-id>/<sha512>`,
//! the `Range` header, the cut of a range to the document and to [`app::anlage::MAX_BEREICH`],
//! and the content sniffing that decides whether a document is shown inline. Checked: no
//! panic; what is accepted is exactly what the doc comments promise (id and hash of the
//! allowed characters and lengths, the hash in lower case; a range with its end not before
//! its start; an answer inside the document, never empty, never above the cap; an inline
//! type only for the magic bytes it names), and an accepted path or range, written again,
//! parses to the same.
#![no_main]

use amtsstube_fuzz::Leser;
use app::anlage::{MAX_BEREICH, adresse_lesen, bereich_begrenzen, inline_typ, range_lesen};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|daten: &[u8]| {
    let mut l = Leser::neu(daten);
    let auswahl = l.u8();
    let gesamt = match auswahl % 4 {
        0 => u64::from(l.u8()),
        1 => u64::from(l.u32()),
        2 => u64::MAX - u64::from(l.u16()),
        _ => MAX_BEREICH * u64::from(l.u8()) + u64::from(l.u16()),
    };
    let rest = l.rest();

    // Content sniffing over the raw bytes.
    match inline_typ(rest) {
        Some("application/pdf") => assert!(rest.starts_with(b"%PDF-")),
        Some("image/png") => assert!(rest.starts_with(b"\x89PNG\r\n\x1a\n")),
        Some("image/jpeg") => assert!(rest.starts_with(&[0xFF, 0xD8, 0xFF])),
        Some("image/gif") => assert!(rest.starts_with(b"GIF8")),
        Some("image/webp") => assert!(rest.len() >= 12 && &rest[8..12] == b"WEBP"),
        Some(anders) => panic!("unerwarteter Inline-Typ {anders}"),
        None => {}
    }

    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };

    // The path.
    if let Ok(a) = adresse_lesen(text) {
        assert!(!a.vorgang_id.is_empty() && a.vorgang_id.len() <= 64, "{a:?}");
        assert!(
            a.vorgang_id.chars().all(|c| c.is_ascii_hexdigit() || c == '-'),
            "{a:?}"
        );
        assert_eq!(a.sha512.len(), 128, "{a:?}");
        assert!(
            a.sha512.chars().all(|c| matches!(c, '0'..='9' | 'a'..='f')),
            "{a:?}"
        );
        let wieder = adresse_lesen(&format!("/{}/{}", a.vorgang_id, a.sha512));
        assert_eq!(wieder.as_ref(), Ok(&a));
    }

    // The range, and its cut to a document of `gesamt` bytes.
    if let Ok((start, ende)) = range_lesen(text) {
        if let Some(e) = ende {
            assert!(e >= start, "{text:?}");
        }
        let neu = match ende {
            Some(e) => format!("bytes={start}-{e}"),
            None => format!("bytes={start}-"),
        };
        assert_eq!(range_lesen(&neu), Ok((start, ende)));
        match bereich_begrenzen((start, ende), gesamt) {
            Some((s, e)) => {
                assert_eq!(s, start);
                assert!(s < e && e <= gesamt, "{s}..{e} of {gesamt}");
                assert!(e - s <= MAX_BEREICH, "{s}..{e}");
                if let Some(b) = ende {
                    assert!(e <= b.saturating_add(1), "{s}..{e} for {start}-{b}");
                }
            }
            None => assert!(start >= gesamt, "{start}-{ende:?} of {gesamt} refused"),
        }
    }
});
