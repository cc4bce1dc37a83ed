#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! PDF/A-3b: one test per rule we implement. No PDF/A-2/3 validator (veraPDF) can be installed
//! here, so these checks read the sealed file back with `lopdf` and check each rule directly.

mod common;

use bescheid::{Leistung, ausstellen};
use common::*;
use lopdf::{Document, Object};
use time::macros::datetime;

struct Fall {
    pdf: Vec<u8>,
    doc: Document,
    json: Vec<u8>,
}

fn fall() -> Fall {
    let pki = Pki::neu(Typ::P256);
    let e = beispiel(Leistung::Hundesteuer);
    let a = ausstellen(&e, &pki.schluessel(), datetime!(2026-11-20 09:30:00 +01:00)).unwrap();
    let doc = Document::load_mem(&a.pdf).unwrap();
    Fall {
        pdf: a.pdf,
        doc,
        json: a.json,
    }
}

fn deref<'a>(doc: &'a Document, o: &'a Object) -> &'a Object {
    doc.dereference(o).unwrap().1
}

fn name(o: &Object) -> &[u8] {
    o.as_name().unwrap()
}

fn alle_dicts(doc: &Document) -> Vec<&lopdf::Dictionary> {
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

#[test]
fn pdfa_the_header_is_pdf_1_7_with_a_binary_comment_and_the_file_ends_with_eof() {
    let f = fall();
    assert!(f.pdf.starts_with(b"%PDF-1.7\n%"));
    assert!(
        f.pdf[10..14].iter().all(|b| *b > 127),
        "four bytes above 127 after the %"
    );
    let ende = String::from_utf8_lossy(&f.pdf[f.pdf.len() - 8..]).to_string();
    assert!(ende.trim_end().ends_with("%%EOF"), "{ende:?}");
}

#[test]
fn pdfa_the_trailer_has_an_id_and_there_is_no_encryption() {
    let f = fall();
    let id = f.doc.trailer.get(b"ID").unwrap().as_array().unwrap();
    assert_eq!(id.len(), 2);
    assert!(!id[0].as_str().unwrap().is_empty());
    assert!(f.doc.trailer.get(b"Encrypt").is_err());
}

#[test]
fn pdfa_xmp_metadata_identifies_part_3_level_b_and_matches_the_info_dictionary() {
    let f = fall();
    let cat = f.doc.catalog().unwrap();
    let meta = deref(&f.doc, cat.get(b"Metadata").unwrap())
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

    let info = deref(&f.doc, f.doc.trailer.get(b"Info").unwrap())
        .as_dict()
        .unwrap();
    let text = |k: &[u8]| -> String {
        let b = info.get(k).unwrap().as_str().unwrap();
        if b.starts_with(&[0xfe, 0xff]) {
            let u: Vec<u16> = b[2..]
                .chunks(2)
                .map(|c| u16::from_be_bytes([c[0], c[1]]))
                .collect();
            String::from_utf16(&u).unwrap()
        } else {
            String::from_utf8(b.to_vec()).unwrap()
        }
    };
    assert!(xmp.contains(&format!(
        "<rdf:li xml:lang=\"x-default\">{}</rdf:li>",
        text(b"Title")
    )));
    assert!(xmp.contains(&format!(
        "<rdf:Seq><rdf:li>{}</rdf:li></rdf:Seq>",
        text(b"Author")
    )));
    assert!(xmp.contains(&format!(
        "<pdf:Producer>{}</pdf:Producer>",
        text(b"Producer")
    )));
    assert!(xmp.contains(&format!(
        "<xmp:CreatorTool>{}</xmp:CreatorTool>",
        text(b"Creator")
    )));
    // PDF 1.7 writes the offset as +01'00' , PDF 2.0 as +01'00; both parse the same.
    assert!(text(b"CreationDate").starts_with("D:20261120093000+01'00"));
    assert!(xmp.contains("<xmp:CreateDate>2026-11-20T09:30:00+01:00</xmp:CreateDate>"));
    assert_eq!(text(b"ModDate"), text(b"CreationDate"));
    assert!(xmp.contains("<xmp:ModifyDate>2026-11-20T09:30:00+01:00</xmp:ModifyDate>"));
}

#[test]
fn pdfa_an_srgb_output_intent_with_an_embedded_icc_profile_is_present() {
    let f = fall();
    let cat = f.doc.catalog().unwrap();
    let intents = deref(&f.doc, cat.get(b"OutputIntents").unwrap())
        .as_array()
        .unwrap();
    assert_eq!(intents.len(), 1);
    let oi = deref(&f.doc, &intents[0]).as_dict().unwrap();
    assert_eq!(name(oi.get(b"S").unwrap()), b"GTS_PDFA1");
    assert!(oi.get(b"OutputConditionIdentifier").is_ok());
    let icc = deref(&f.doc, oi.get(b"DestOutputProfile").unwrap())
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

#[test]
fn pdfa_every_font_is_an_embedded_subset_with_widths_and_to_unicode() {
    let f = fall();
    let mut fonts = 0;
    for d in alle_dicts(&f.doc) {
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
        let tu = deref(&f.doc, d.get(b"ToUnicode").unwrap())
            .as_stream()
            .unwrap();
        let cmap = String::from_utf8(tu.decompressed_content().unwrap()).unwrap();
        assert!(cmap.contains("beginbfchar") || cmap.contains("beginbfrange"));
        let kids = deref(&f.doc, d.get(b"DescendantFonts").unwrap())
            .as_array()
            .unwrap();
        let cid = deref(&f.doc, &kids[0]).as_dict().unwrap();
        assert_eq!(name(cid.get(b"Subtype").unwrap()), b"CIDFontType2");
        assert_eq!(name(cid.get(b"CIDToGIDMap").unwrap()), b"Identity");
        assert!(
            !deref(&f.doc, cid.get(b"W").unwrap())
                .as_array()
                .unwrap()
                .is_empty()
        );
        let desc = deref(&f.doc, cid.get(b"FontDescriptor").unwrap())
            .as_dict()
            .unwrap();
        let ff = deref(&f.doc, desc.get(b"FontFile2").unwrap())
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
    assert_eq!(fonts, 2, "regular and bold");
}

#[test]
fn pdfa_the_decision_json_is_an_associated_file_with_relationship_data() {
    let f = fall();
    let cat = f.doc.catalog().unwrap();
    let af = deref(&f.doc, cat.get(b"AF").unwrap()).as_array().unwrap();
    assert_eq!(af.len(), 1);
    let spec_ref = af[0].as_reference().unwrap();
    let spec = f.doc.get_dictionary(spec_ref).unwrap();
    assert_eq!(name(spec.get(b"Type").unwrap()), b"Filespec");
    assert_eq!(name(spec.get(b"AFRelationship").unwrap()), b"Data");
    assert_eq!(spec.get(b"F").unwrap().as_str().unwrap(), b"bescheid.json");
    assert!(spec.get(b"UF").is_ok());
    assert!(spec.get(b"Desc").is_ok());
    let ef = deref(&f.doc, spec.get(b"EF").unwrap()).as_dict().unwrap();
    let s = deref(&f.doc, ef.get(b"F").unwrap()).as_stream().unwrap();
    assert_eq!(name(s.dict.get(b"Type").unwrap()), b"EmbeddedFile");
    assert_eq!(name(s.dict.get(b"Subtype").unwrap()), b"application/json");
    let params = deref(&f.doc, s.dict.get(b"Params").unwrap())
        .as_dict()
        .unwrap();
    assert!(params.get(b"ModDate").is_ok());
    assert_eq!(
        params.get(b"Size").unwrap().as_i64().unwrap() as usize,
        f.json.len()
    );
    assert_eq!(s.decompressed_content().unwrap(), f.json);
    // Also reachable through the EmbeddedFiles name tree.
    let names = deref(&f.doc, cat.get(b"Names").unwrap()).as_dict().unwrap();
    let ef_tree = deref(&f.doc, names.get(b"EmbeddedFiles").unwrap())
        .as_dict()
        .unwrap();
    let arr = ef_tree.get(b"Names").unwrap().as_array().unwrap();
    assert_eq!(arr[0].as_str().unwrap(), b"bescheid.json");
    assert_eq!(arr[1].as_reference().unwrap(), spec_ref);
}

#[test]
fn pdfa_annotations_are_printed_not_hidden_and_have_only_a_normal_appearance() {
    let f = fall();
    let mut n = 0;
    for (_, page) in f.doc.get_pages() {
        let p = f.doc.get_dictionary(page).unwrap();
        let Ok(annots) = p.get(b"Annots") else {
            continue;
        };
        for a in deref(&f.doc, annots).as_array().unwrap() {
            n += 1;
            let a = deref(&f.doc, a).as_dict().unwrap();
            let flags = a.get(b"F").unwrap().as_i64().unwrap();
            assert!(flags & 4 != 0, "Print");
            assert_eq!(flags & (1 | 2 | 32), 0, "not Invisible, Hidden, NoView");
            let ap = deref(&f.doc, a.get(b"AP").unwrap()).as_dict().unwrap();
            assert_eq!(ap.len(), 1);
            assert!(ap.get(b"N").is_ok());
        }
    }
    assert_eq!(n, 1, "the signature widget");
}

#[test]
fn pdfa_no_javascript_actions_transparency_or_encryption_appear_anywhere() {
    let f = fall();
    for d in alle_dicts(&f.doc) {
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

#[test]
fn pdfa_the_document_language_is_german() {
    let f = fall();
    assert_eq!(
        f.doc
            .catalog()
            .unwrap()
            .get(b"Lang")
            .unwrap()
            .as_str()
            .unwrap(),
        b"de-DE"
    );
}

#[test]
fn pdfa_the_seal_is_a_cades_detached_signature_covering_the_whole_file() {
    let f = fall();
    let r = bescheid::pruefen(&f.pdf, &[]).unwrap();
    assert_eq!(r.sub_filter, "ETSI.CAdES.detached");
    assert!(r.deckt_ganzes_dokument);
    assert!(r.siegel_intakt);
    assert!(!r.signing_time_attribut);
    assert!(r.signing_certificate_v2);
    assert_eq!(r.zeitpunkt.as_deref(), Some("2026-11-20T09:30:00+01:00"));
}
