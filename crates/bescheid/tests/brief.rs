#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! The plain letter (issue 15) as a person and a PDF tool see it: two pages with „Seite x von
//! y“, the whole text extractable with `pdftotext`, markup printed literally, the page count
//! by `pdfinfo`, `qpdf --check`, and the PDF/A-3b rules that apply to an unsealed file
//! (`common/pdfa.rs`, shared with `tests/pdfa.rs`), read back with `lopdf` (no veraPDF
//! here, see the crate README). Page images for review go to `target/bescheid-artifacts/`.

mod common;

use bescheid::{BescheidError, Brief, Leistung, brief_setzen};
use common::*;
use time::macros::datetime;

const ZEIT: time::OffsetDateTime = datetime!(2026-11-20 09:30:00 +01:00);

fn brief(text: &str) -> Brief {
    let e = beispiel(Leistung::Hundesteuer);
    Brief {
        behoerde: e.behoerde,
        empfaenger: e.empfaenger,
        aktenzeichen: e.aktenzeichen,
        datum: "2026-11-20".into(),
        betreff: "Ihr Antrag 22.1-HSt-2026-004711: Bitte reichen Sie Unterlagen nach".into(),
        text: text.into(),
        anlagen: vec![
            "Merkblatt zur Hundesteuer".into(),
            "Vordruck Abmeldung".into(),
        ],
        sachbearbeitung: Some("Frau Jördis Weißgerber".into()),
    }
}

/// A message long enough for two pages, with a list and a Grußformel.
fn langer_text() -> String {
    let mut t = String::from("Guten Tag Frau Müller-Lüdenscheidt,\n\n");
    for i in 1..=16 {
        t.push_str(&format!(
            "Absatz {i}: Um Ihren Antrag bearbeiten zu können, benötigen wir noch Unterlagen. \
             Bitte reichen Sie diese bis zum 04.12.2026 nach; die Frist ergibt sich aus § 26 \
             Abs. 2 VwVfG. Gebühren von 12,00 € fallen dafür nicht an.\n\n"
        ));
        if i == 8 {
            t.push_str("– Nachweis über die Haftpflichtversicherung\n– Kopie des Impfpasses\n\n");
        }
    }
    t.push_str("Mit freundlichen Grüßen\nIm Auftrag\nJördis Weißgerber\n");
    t
}

fn schreiben(name: &str, pdf: &[u8]) -> std::path::PathBuf {
    let p = artefakte().join(name);
    std::fs::write(&p, pdf).unwrap();
    p
}

/// `pdfinfo` output as (field, value) pairs.
fn pdfinfo(pdf: &std::path::Path) -> Vec<(String, String)> {
    let o = tool(
        "pdfinfo",
        "apt-get install -y poppler-utils",
        &[pdf.to_str().unwrap()],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8(o.stdout)
        .unwrap()
        .lines()
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect()
}

/// `true` when the words of `text` appear in `in_` in this order (other words may stand
/// between them: running heads and footers at a page break).
fn woerter_in_folge(text: &str, in_: &str) -> Result<(), String> {
    let mut rest = in_.split_whitespace();
    for w in text.split_whitespace() {
        if !rest.any(|x| x == w) {
            return Err(w.to_string());
        }
    }
    Ok(())
}

#[test]
fn a_two_page_letter_renders_with_page_numbers_its_whole_text_and_no_seal() {
    let b = brief(&langer_text());
    let pdf = brief_setzen(&b, ZEIT).unwrap();
    let pfad = schreiben("brief-zweiseitig.pdf", &pdf);

    let info = pdfinfo(&pfad);
    let wert = |k: &str| {
        info.iter()
            .find(|(f, _)| f == k)
            .map(|(_, v)| v.as_str())
            .unwrap_or_else(|| panic!("pdfinfo ohne {k}: {info:?}"))
    };
    assert_eq!(wert("Pages"), "2");
    assert_eq!(wert("PDF version"), "1.7");
    assert_eq!(
        wert("Title"),
        "Schreiben 22.1-HSt-2026-004711 vom 2026-11-20"
    );
    assert_eq!(wert("Author"), "Stadt Musterstadt");
    assert_eq!(wert("Page size"), "595.276 x 841.89 pts (A4)");

    let text = pdftotext(&pfad);
    std::fs::write(artefakte().join("brief-zweiseitig.txt"), &text).unwrap();
    let seiten: Vec<&str> = text.split('\u{c}').collect();
    assert!(seiten[0].contains("Seite 1 von 2"), "{}", seiten[0]);
    assert!(seiten[1].contains("Seite 2 von 2"), "{}", seiten[1]);
    // Running head of page two.
    assert!(
        seiten[1].contains(
            "Stadt Musterstadt · Aktenzeichen 22.1-HSt-2026-004711 · Schreiben vom 20.11.2026"
        ),
        "{}",
        seiten[1]
    );
    // Letterhead, address field, information block, Betreff on page one.
    for t in [
        "Der Oberbürgermeister · Steueramt",
        "Erika Müller-Lüdenscheidt",
        "Heidestraße 17",
        "Aktenzeichen",
        "22.1-HSt-2026-004711",
        "Bearbeitung",
        "Frau Jördis Weißgerber",
        "20.11.2026",
        "Bitte reichen Sie Unterlagen nach",
    ] {
        assert!(
            seiten[0].contains(t),
            "„{t}“ fehlt auf Seite 1:\n{}",
            seiten[0]
        );
    }
    // The whole message, word by word in order (no-break spaces extract as spaces), then
    // the Anlagen.
    woerter_in_folge(&b.text, &text).unwrap_or_else(|w| panic!("„{w}“ fehlt:\n{text}"));
    woerter_in_folge(
        "Anlagen Merkblatt zur Hundesteuer Vordruck Abmeldung",
        seiten[1],
    )
    .unwrap_or_else(|w| panic!("„{w}“ fehlt in den Anlagen:\n{}", seiten[1]));
    // Amount and euro sign stay together (no-break space, extracted as a space).
    assert!(text.contains("12,00 € fallen"), "{text}");
    // Unsealed: no seal note (and no QR code, no embedded file: see the PDF/A test).
    assert!(!text.contains("gesiegelt"), "{text}");

    let o = tool(
        "pdftoppm",
        "apt-get install -y poppler-utils",
        &[
            "-png",
            "-r",
            "60",
            pfad.to_str().unwrap(),
            artefakte().join("brief-zweiseitig").to_str().unwrap(),
        ],
    );
    assert!(o.status.success());
}

#[test]
fn markup_in_the_text_is_printed_literally() {
    let zeilen = [
        "**nicht fett**",
        "<b>kein HTML</b> & <i>auch nicht</i>",
        "# keine Überschrift",
        "## auch keine",
        "| keine feste Zeile",
        "@gebuehren",
        "- kein Listenpunkt",
        "1. keine Nummer",
        "_unterstrichen_ `Code` [Verweis](https://example.org)",
    ];
    let mut b = brief(&zeilen.join("\n\n"));
    b.betreff = "**Betreff** <b>wörtlich</b>".into();
    b.anlagen = vec!["<Anlage> *1*".into()];
    let pdf = brief_setzen(&b, ZEIT).unwrap();
    let text = pdftotext(&schreiben("brief-markup.pdf", &pdf));
    for z in zeilen
        .iter()
        .copied()
        .chain(["**Betreff** <b>wörtlich</b>", "<Anlage> *1*"])
    {
        assert!(
            text.lines().any(|l| l == z),
            "„{z}“ nicht wörtlich gesetzt:\n{text}"
        );
    }
    // No fee table appeared for `@gebuehren`.
    assert!(!text.contains("Gesamtbetrag"), "{text}");
}

#[test]
fn characters_the_font_cannot_show_are_refused_naming_the_character() {
    let b = brief("Guten Tag,\n\nvielen Dank 🐕 für Ihre Nachricht.");
    let err = brief_setzen(&b, ZEIT).unwrap_err();
    assert!(matches!(err, BescheidError::Zeichen('🐕')), "{err:?}");
    assert!(err.to_string().contains("U+1F415"), "{err}");

    let mut b = brief("Guten Tag,\n\nkurz.");
    b.betreff = "Antrag 漢".into();
    assert!(matches!(
        brief_setzen(&b, ZEIT),
        Err(BescheidError::Zeichen('漢'))
    ));
}

#[test]
fn invalid_input_is_refused_naming_the_field() {
    let feld = |b: &Brief| match brief_setzen(b, ZEIT) {
        Err(BescheidError::Eingabe { feld, .. }) => feld,
        anders => panic!("{:?}", anders.map(|p| p.len())),
    };
    let mut b = brief("Text");
    b.datum = "20.11.2026".into();
    assert_eq!(feld(&b), "datum");
    let mut b = brief(" \n\n ");
    assert_eq!(feld(&b), "text");
    b.text = "Text".into();
    b.betreff = "zwei\nZeilen".into();
    assert_eq!(feld(&b), "betreff");
    b.betreff = "Betreff".into();
    b.anlagen = vec!["gut".into(), "  ".into()];
    assert_eq!(feld(&b), "anlagen[1]");
}

#[test]
fn equal_letters_at_equal_times_give_equal_files() {
    let b = brief("Guten Tag,\n\ndies ist ein kurzer Brief.");
    let a = brief_setzen(&b, ZEIT).unwrap();
    assert_eq!(a, brief_setzen(&b, ZEIT).unwrap());
    let mut anders = b.clone();
    anders.text.push('!');
    assert_ne!(a, brief_setzen(&anders, ZEIT).unwrap());
}

#[test]
fn pdfa_the_letter_keeps_every_pdfa_3b_rule_and_has_no_seal_qr_code_or_attachment() {
    let pdf = brief_setzen(&brief(&langer_text()), ZEIT).unwrap();
    let pfad = schreiben("brief-pdfa.pdf", &pdf);

    let doc = pdfa::ungesiegelt_pdfa_3b(&pdf, &pfad, "2026-11-20T09:30:00+01:00");
    assert_eq!(
        pdfa::info(&doc, b"Title"),
        "Schreiben 22.1-HSt-2026-004711 vom 2026-11-20"
    );
    assert_eq!(doc.get_pages().len(), 2);
}
