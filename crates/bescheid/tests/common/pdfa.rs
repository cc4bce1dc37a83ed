//! PDF/A-3b rules checked on a file read back with `lopdf`, one function a rule, shared by
//! the sealed Bescheid (`tests/pdfa.rs`), the Brief and the Aktenstück. No PDF/A-2/3
//! validator (veraPDF) can be installed here, so each rule is checked directly.

use std::path::Path;

use lopdf::{Dictionary, Document, Object};

use super::tool;

pub fn deref<'a>(doc: &'a Document, o: &'a Object) -> &'a Object {
    doc.dereference(o).unwrap().1
}

pub fn name(o: &Object) -> &[u8] {
    o.as_name().unwrap()
}

/// A PDF text string (UTF-16BE with byte order mark, else taken as UTF-8).
pub fn text_str(o: &Object) -> String {
    let b = o.as_str().unwrap();
    if b.starts_with(&[0xfe, 0xff]) {
        let u: Vec<u16> = b[2..]
            .chunks(2)
            .map(|c| u16::from_be_bytes([c[0], c[1]]))
            .collect();
        String::from_utf16(&u).unwrap()
    } else {
        String::from_utf8(b.to_vec()).unwrap()
    }
}

/// Every dictionary of the file, those of streams included.
pub fn alle_dicts(doc: &Document) -> Vec<&Dictionary> {
    let mut v = Vec::new();
    for o in doc.objects.values() {
        match o {
            Object::Dictionary(d) => v.push(d),
            Object::Stream(s) => v.push(&s.dict),
            _ => {}
        }
    }
    v
}

/// The value of `key` in the Info dictionary, as text.
pub fn info(doc: &Document, key: &[u8]) -> String {
    let info = deref(doc, doc.trailer.get(b"Info").unwrap())
        .as_dict()
        .unwrap();
    text_str(info.get(key).unwrap())
}

/// Header `%PDF-1.7` with a binary comment, and `%%EOF` at the end.
pub fn kopf_und_ende(pdf: &[u8]) {
    assert!(pdf.starts_with(b"%PDF-1.7\n%"));
    assert!(
        pdf[10..14].iter().all(|b| *b > 127),
        "four bytes above 127 after the %"
    );
    let ende = String::from_utf8_lossy(&pdf[pdf.len() - 8..]).to_string();
    assert!(ende.trim_end().ends_with("%%EOF"), "{ende:?}");
}

/// A trailer /ID of two non-empty strings, no encryption.
pub fn kennung_ohne_verschluesselung(doc: &Document) {
    let id = doc.trailer.get(b"ID").unwrap().as_array().unwrap();
    assert_eq!(id.len(), 2);
    assert!(!id[0].as_str().unwrap().is_empty());
    assert!(doc.trailer.get(b"Encrypt").is_err());
}

/// The XMP packet: an uncompressed metadata stream identifying part 3, conformance B.
/// Returns its text.
pub fn xmp(doc: &Document) -> String {
    let cat = doc.catalog().unwrap();
    let meta = deref(doc, cat.get(b"Metadata").unwrap())
        .as_stream()
        .unwrap();
    assert_eq!(name(meta.dict.get(b"Type").unwrap()), b"Metadata");
    assert_eq!(name(meta.dict.get(b"Subtype").unwrap()), b"XML");
    assert!(
        meta.dict.get(b"Filter").is_err(),
        "metadata stays uncompressed"
    );
    let xmp = String::from_utf8(meta.content.clone()).unwrap();
    assert!(xmp.contains("<pdfaid:part>3</pdfaid:part>"));
    assert!(xmp.contains("<pdfaid:conformance>B</pdfaid:conformance>"));
    assert!(xmp.starts_with("<?xpacket begin=\"\u{feff}\""));
    assert!(xmp.trim_end().ends_with("<?xpacket end=\"w\"?>"));
    xmp
}

/// The XMP `xmp` says what the Info dictionary says: title, author, producer, creator, and
/// `erstellt` (`2026-11-20T09:30:00+01:00`) as creation and modification date.
pub fn info_wie_xmp(doc: &Document, xmp: &str, erstellt: &str) {
    for (k, vor, nach) in [
        (
            &b"Title"[..],
            "<rdf:li xml:lang=\"x-default\">",
            "</rdf:li>",
        ),
        (b"Author", "<rdf:Seq><rdf:li>", "</rdf:li></rdf:Seq>"),
        (b"Producer", "<pdf:Producer>", "</pdf:Producer>"),
        (b"Creator", "<xmp:CreatorTool>", "</xmp:CreatorTool>"),
    ] {
        let muss = format!("{vor}{}{nach}", info(doc, k));
        assert!(xmp.contains(&muss), "{muss} fehlt im XMP:\n{xmp}");
    }
    // PDF 1.7 writes the offset as +01'00' , PDF 2.0 as +01'00; both parse the same.
    let (tag, zone) = erstellt.split_at(19);
    let pdf_datum = format!(
        "D:{}{}",
        tag.replace(['-', ':', 'T'], ""),
        zone.replace(':', "'")
    );
    assert!(
        info(doc, b"CreationDate").starts_with(&pdf_datum),
        "{} statt {pdf_datum}",
        info(doc, b"CreationDate")
    );
    assert!(xmp.contains(&format!("<xmp:CreateDate>{erstellt}</xmp:CreateDate>")));
    assert_eq!(info(doc, b"ModDate"), info(doc, b"CreationDate"));
    assert!(xmp.contains(&format!("<xmp:ModifyDate>{erstellt}</xmp:ModifyDate>")));
}

/// One sRGB output intent with an embedded ICC profile.
pub fn srgb_ausgabe(doc: &Document) {
    let cat = doc.catalog().unwrap();
    let intents = deref(doc, cat.get(b"OutputIntents").unwrap())
        .as_array()
        .unwrap();
    assert_eq!(intents.len(), 1);
    let oi = deref(doc, &intents[0]).as_dict().unwrap();
    assert_eq!(name(oi.get(b"S").unwrap()), b"GTS_PDFA1");
    assert!(oi.get(b"OutputConditionIdentifier").is_ok());
    let icc = deref(doc, oi.get(b"DestOutputProfile").unwrap())
        .as_stream()
        .unwrap();
    assert_eq!(icc.dict.get(b"N").unwrap().as_i64().unwrap(), 3);
    let profil = icc.decompressed_content().unwrap();
    assert_eq!(&profil[36..40], b"acsp", "ICC signature");
    assert_eq!(&profil[16..20], b"RGB ", "colour space RGB");
    assert!(profil[8] == 2 || profil[8] == 4, "ICC version 2 or 4");
    assert_eq!(
        u32::from_be_bytes(profil[0..4].try_into().unwrap()) as usize,
        profil.len()
    );
}

/// The document language is German.
pub fn deutsch(doc: &Document) {
    let cat = doc.catalog().unwrap();
    assert_eq!(cat.get(b"Lang").unwrap().as_str().unwrap(), b"de-DE");
}

/// Every font is an embedded TrueType subset (Identity-H) with widths and ToUnicode.
/// Returns how many there are.
pub fn schriften(doc: &Document) -> usize {
    let mut fonts = 0;
    for d in alle_dicts(doc) {
        if d.get(b"Type").ok().map(name) != Some(b"Font")
            || d.get(b"Subtype").ok().map(name) != Some(b"Type0")
        {
            continue;
        }
        fonts += 1;
        let base = name(d.get(b"BaseFont").unwrap());
        assert_eq!(base[6], b'+', "subset tag");
        assert!(base[..6].iter().all(u8::is_ascii_uppercase));
        assert_eq!(name(d.get(b"Encoding").unwrap()), b"Identity-H");
        let tu = deref(doc, d.get(b"ToUnicode").unwrap())
            .as_stream()
            .unwrap();
        let cmap = String::from_utf8(tu.decompressed_content().unwrap()).unwrap();
        assert!(cmap.contains("beginbfchar") || cmap.contains("beginbfrange"));
        let kids = deref(doc, d.get(b"DescendantFonts").unwrap())
            .as_array()
            .unwrap();
        let cid = deref(doc, &kids[0]).as_dict().unwrap();
        assert_eq!(name(cid.get(b"Subtype").unwrap()), b"CIDFontType2");
        assert_eq!(name(cid.get(b"CIDToGIDMap").unwrap()), b"Identity");
        assert!(
            !deref(doc, cid.get(b"W").unwrap())
                .as_array()
                .unwrap()
                .is_empty()
        );
        let desc = deref(doc, cid.get(b"FontDescriptor").unwrap())
            .as_dict()
            .unwrap();
        let ff = deref(doc, desc.get(b"FontFile2").unwrap())
            .as_stream()
            .unwrap();
        let font = ff.decompressed_content().unwrap();
        assert!(
            font.starts_with(&[0, 1, 0, 0]) || font.starts_with(b"true"),
            "TrueType data"
        );
        assert_eq!(
            ff.dict.get(b"Length1").unwrap().as_i64().unwrap() as usize,
            font.len()
        );
        assert!(
            font.len() < 120_000,
            "a subset, not the whole font ({} bytes)",
            font.len()
        );
    }
    fonts
}

/// No JavaScript, actions, transparency or encryption anywhere.
pub fn ohne_skript_und_transparenz(doc: &Document) {
    for d in alle_dicts(doc) {
        for k in [
            &b"JS"[..],
            b"JavaScript",
            b"AA",
            b"OpenAction",
            b"SMask",
            b"Encrypt",
            b"Group",
        ] {
            assert!(
                d.get(k).is_err(),
                "key /{} present",
                String::from_utf8_lossy(k)
            );
        }
        for k in [&b"CA"[..], b"ca"] {
            if let Ok(v) = d.get(k) {
                assert_eq!(v.as_float().unwrap(), 1.0);
            }
        }
        if let Ok(s) = d.get(b"S") {
            assert_ne!(s.as_name().unwrap_or_default(), b"JavaScript");
        }
    }
}

/// Not sealed: no form, no associated or embedded file, no signature, no annotation, no
/// XObject (QR code) on any page.
pub fn ungesiegelt(doc: &Document) {
    let cat = doc.catalog().unwrap();
    for k in [&b"AcroForm"[..], b"AF", b"Names"] {
        assert!(
            cat.get(k).is_err(),
            "/{} im Katalog",
            String::from_utf8_lossy(k)
        );
    }
    for d in alle_dicts(doc) {
        for k in [&b"EmbeddedFile"[..], b"Sig"] {
            assert!(d.get(k).is_err(), "/{}", String::from_utf8_lossy(k));
        }
        if let Ok(t) = d.get(b"Type") {
            assert_ne!(name(t), b"EmbeddedFile");
            assert_ne!(name(t), b"Sig");
            assert_ne!(name(t), b"Annot");
        }
    }
    for seite in doc.get_pages().values() {
        let p = doc.get_dictionary(*seite).unwrap();
        assert!(p.get(b"Annots").is_err());
        let res = deref(doc, p.get(b"Resources").unwrap()).as_dict().unwrap();
        assert!(res.get(b"XObject").is_err());
    }
}

/// `qpdf --check` finds no syntax or stream errors.
pub fn qpdf_check(pfad: &Path) {
    let o = tool(
        "qpdf",
        "apt-get install -y qpdf",
        &["--check", pfad.to_str().unwrap()],
    );
    let aus = String::from_utf8_lossy(&o.stdout);
    assert!(
        o.status.success() && aus.contains("No syntax or stream encoding errors found"),
        "{aus}{}",
        String::from_utf8_lossy(&o.stderr)
    );
}

/// Every rule above for an unsealed file (Brief, Aktenstück) written at `erstellt`, with the
/// two cuts of the font; `pdf` is also at `pfad` for `qpdf`. Returns the parsed document.
pub fn ungesiegelt_pdfa_3b(pdf: &[u8], pfad: &Path, erstellt: &str) -> Document {
    kopf_und_ende(pdf);
    let doc = Document::load_mem(pdf).unwrap();
    kennung_ohne_verschluesselung(&doc);
    let xmp = xmp(&doc);
    info_wie_xmp(&doc, &xmp, erstellt);
    srgb_ausgabe(&doc);
    deutsch(&doc);
    assert_eq!(schriften(&doc), 2, "regular and bold");
    ohne_skript_und_transparenz(&doc);
    ungesiegelt(&doc);
    qpdf_check(pfad);
    doc
}
