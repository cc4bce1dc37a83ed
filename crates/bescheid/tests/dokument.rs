#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! The document as a person sees it: wording (pdftotext snapshots), exact umlauts and
//! symbols, page images for review.

mod common;

use bescheid::{Leistung, ausstellen};
use common::*;
use time::macros::datetime;

#[test]
fn every_template_renders_a_sealed_letter_whose_text_extracts_exactly() {
    let pki = Pki::neu(Typ::P256);
    let key = pki.schluessel();
    let dir = artefakte();
    for l in Leistung::ALLE {
        let e = beispiel(l);
        let a = ausstellen(&e, &key, datetime!(2026-11-20 09:30:00 UTC)).unwrap();
        let pdf = dir.join(format!("{}.pdf", l.id()));
        std::fs::write(&pdf, &a.pdf).unwrap();
        let text = pdftotext(&pdf);
        std::fs::write(dir.join(format!("{}.txt", l.id())), &text).unwrap();
        // Exact text including umlauts, ß and the euro sign.
        assert!(text.contains(&e.empfaenger.name), "{l:?}: Empfänger fehlt");
        assert!(text.contains(&e.aktenzeichen));
        assert!(text.contains("Rechtsbehelfsbelehrung"));
        assert!(text.contains("Mit freundlichen Grüßen"));
        assert!(
            text.contains(&bescheid::betrag_deutsch(e.summe_cent()).replace('\u{a0}', " ")),
            "{l:?}: Summe fehlt"
        );
        assert!(text.contains("Seite 1 von "), "{l:?}: Seitenzahl fehlt");
        insta::assert_snapshot!(format!("pdftotext_{}", l.id()), text);
        let png_prefix = dir.join(l.id());
        let o = tool(
            "pdftoppm",
            "apt-get install -y poppler-utils",
            &[
                "-png",
                "-r",
                "60",
                pdf.to_str().unwrap(),
                png_prefix.to_str().unwrap(),
            ],
        );
        assert!(o.status.success());
    }
}
