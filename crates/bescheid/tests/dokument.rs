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

#[test]
fn the_printed_qr_code_scans_to_the_aktenzeichen_date_and_hash_of_the_embedded_json() {
    use sha2::{Digest, Sha256};
    let pki = Pki::neu(Typ::P256);
    let e = beispiel(Leistung::Gewerbeanmeldung);
    let a = ausstellen(&e, &pki.schluessel(), datetime!(2026-11-19 14:00:00 UTC)).unwrap();
    let pdf = pki.pfad("qr.pdf");
    std::fs::write(&pdf, &a.pdf).unwrap();
    // Render page one and scan it with zbar, a decoder we did not write.
    let png = pki.pfad("seite");
    let o = tool(
        "pdftoppm",
        "apt-get install -y poppler-utils",
        &[
            "-png",
            "-r",
            "150",
            "-f",
            "1",
            "-l",
            "1",
            pdf.to_str().unwrap(),
            png.to_str().unwrap(),
        ],
    );
    assert!(o.status.success());
    let bild = std::fs::read_dir(pki.dir.path())
        .unwrap()
        .map(|d| d.unwrap().path())
        .find(|p| {
            p.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with("seite")
                && p.extension().is_some_and(|x| x == "png")
        })
        .unwrap();
    let o = tool(
        "zbarimg",
        "apt-get install -y zbar-tools",
        &["-q", "--raw", bild.to_str().unwrap()],
    );
    assert!(
        o.status.success(),
        "kein QR-Code erkannt: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    // Page one may also carry the GiroCode (several lines); the seal's code is one line.
    let alles = String::from_utf8(o.stdout).unwrap();
    let gescannt = alles
        .lines()
        .find(|l| l.starts_with("BESCHEID:"))
        .unwrap_or_else(|| panic!("kein Siegel-QR-Code unter: {alles}"))
        .to_string();
    assert_eq!(gescannt, a.qr_inhalt);
    let q = bescheid::qr::lesen(&gescannt).unwrap();
    assert_eq!(q.aktenzeichen, e.aktenzeichen);
    assert_eq!(q.datum, e.datum);
    // The embedded file, extracted by poppler's pdfdetach, hashes to the value in the QR code.
    let json = pki.pfad("extrahiert.json");
    let o = tool(
        "pdfdetach",
        "apt-get install -y poppler-utils",
        &[
            "-save",
            "1",
            "-o",
            json.to_str().unwrap(),
            pdf.to_str().unwrap(),
        ],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let daten = std::fs::read(&json).unwrap();
    assert_eq!(daten, a.json);
    assert_eq!(hex::encode(Sha256::digest(&daten)), q.sha256);
    assert_eq!(bescheid::Entscheidung::from_json(&daten).unwrap(), e);
}

/// Left and right margin of the body text (DIN 5008 form B), in millimetres.
const RAND_LINKS_MM: f64 = 25.0;
const RAND_RECHTS_MM: f64 = 190.0;

/// Every word of a PDF with its page and horizontal extent in mm, from `pdftotext -bbox`.
fn wortkaesten(pdf: &std::path::Path) -> Vec<(usize, f64, f64, String)> {
    let o = tool(
        "pdftotext",
        "apt-get install -y poppler-utils",
        &["-bbox", "-enc", "UTF-8", pdf.to_str().unwrap(), "-"],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let html = String::from_utf8(o.stdout).unwrap();
    let attr = |zeile: &str, name: &str| -> f64 {
        let start = zeile.find(&format!("{name}=\"")).unwrap() + name.len() + 2;
        let ende = start + zeile[start..].find('"').unwrap();
        zeile[start..ende].parse().unwrap()
    };
    let mut seite = 0;
    let mut out = Vec::new();
    for zeile in html.lines().map(str::trim) {
        if zeile.starts_with("<page ") {
            seite += 1;
        } else if zeile.starts_with("<word ") {
            let wort = zeile
                .split_once('>')
                .and_then(|(_, r)| r.strip_suffix("</word>"))
                .unwrap_or_default()
                .to_string();
            let mm = |pt: f64| pt * 25.4 / 72.0;
            out.push((
                seite,
                mm(attr(zeile, "xMin")),
                mm(attr(zeile, "xMax")),
                wort,
            ));
        }
    }
    assert!(
        seite >= 1 && !out.is_empty(),
        "pdftotext -bbox lieferte nichts"
    );
    out
}

#[test]
fn every_example_input_sets_all_its_words_inside_the_body_margins_for_pdftotext() {
    let pki = Pki::neu(Typ::P256);
    let key = pki.schluessel();
    let mut beispiele: Vec<_> = std::fs::read_dir(workspace().join("assets/examples"))
        .unwrap()
        .map(|d| d.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    beispiele.sort();
    assert!(beispiele.len() >= Leistung::ALLE.len());
    for pfad in beispiele {
        let name = pfad.file_name().unwrap().to_string_lossy().into_owned();
        let e = bescheid::Entscheidung::from_json(&std::fs::read(&pfad).unwrap()).unwrap();
        let a = ausstellen(&e, &key, datetime!(2026-11-20 09:30:00 UTC)).unwrap();
        let pdf = pki.pfad(&format!("{name}.pdf"));
        std::fs::write(&pdf, &a.pdf).unwrap();
        for (seite, links, rechts, wort) in wortkaesten(&pdf) {
            assert!(
                rechts <= RAND_RECHTS_MM + 0.2,
                "{name}, Seite {seite}: „{wort}“ endet bei {rechts:.1} mm, {:.1} mm rechts vom Textrand ({RAND_RECHTS_MM} mm)",
                rechts - RAND_RECHTS_MM
            );
            assert!(
                links >= RAND_LINKS_MM - 0.2,
                "{name}, Seite {seite}: „{wort}“ beginnt bei {links:.1} mm, links vom Textrand ({RAND_LINKS_MM} mm)"
            );
        }
    }
}

#[test]
fn the_printed_girocode_scans_to_the_epc_payload_with_the_fee_total_and_reference() {
    let pki = Pki::neu(Typ::P256);
    let e = beispiel(Leistung::Hundesteuer);
    let epc = bescheid::epc_inhalt(&e).expect("Hundesteuer hat Gebühren und Bankverbindung");
    let a = ausstellen(&e, &pki.schluessel(), datetime!(2026-11-20 09:30:00 UTC)).unwrap();
    let pdf = pki.pfad("giro.pdf");
    std::fs::write(&pdf, &a.pdf).unwrap();
    let text = pdftotext(&pdf);
    assert!(
        text.contains("GiroCode: mit der Banking-App scannen"),
        "{text}"
    );
    assert!(text.contains("IBAN: DE58 1005 0000 0054 5406 55"), "{text}");
    let png = pki.pfad("giro");
    let o = tool(
        "pdftoppm",
        "apt-get install -y poppler-utils",
        &[
            "-png",
            "-r",
            "150",
            pdf.to_str().unwrap(),
            png.to_str().unwrap(),
        ],
    );
    assert!(o.status.success());
    let mut gescannt = String::new();
    for bild in std::fs::read_dir(pki.dir.path()).unwrap() {
        let bild = bild.unwrap().path();
        let name = bild.file_name().unwrap().to_string_lossy().into_owned();
        if name.starts_with("giro") && name.ends_with(".png") {
            let o = tool(
                "zbarimg",
                "apt-get install -y zbar-tools",
                &["-q", "--raw", bild.to_str().unwrap()],
            );
            gescannt.push_str(&String::from_utf8_lossy(&o.stdout));
        }
    }
    // zbar writes each symbol followed by a line break; the EPC payload itself has eleven lines.
    assert!(
        gescannt.contains(&format!("{epc}\n")),
        "GiroCode nicht gefunden; gescannt:\n{gescannt}\nerwartet:\n{epc}"
    );
}
