#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! PDF/A-3b: one test per rule we implement. No PDF/A-2/3 validator (veraPDF) can be installed
//! here, so these checks read the sealed file back with `lopdf` and check each rule directly
//! (the rules the unsealed Brief and Aktenstück share are in `common/pdfa.rs`).

mod common;

use bescheid::{Leistung, ausstellen};
use common::pdfa::{self, deref, name};
use common::*;
use lopdf::Document;
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

#[test]
fn pdfa_the_header_is_pdf_1_7_with_a_binary_comment_and_the_file_ends_with_eof() {
    pdfa::kopf_und_ende(&fall().pdf);
}

#[test]
fn pdfa_the_trailer_has_an_id_and_there_is_no_encryption() {
    pdfa::kennung_ohne_verschluesselung(&fall().doc);
}

#[test]
fn pdfa_xmp_metadata_identifies_part_3_level_b_and_matches_the_info_dictionary() {
    let f = fall();
    let xmp = pdfa::xmp(&f.doc);
    pdfa::info_wie_xmp(&f.doc, &xmp, "2026-11-20T09:30:00+01:00");
}

#[test]
fn pdfa_an_srgb_output_intent_with_an_embedded_icc_profile_is_present() {
    pdfa::srgb_ausgabe(&fall().doc);
}

#[test]
fn pdfa_every_font_is_an_embedded_subset_with_widths_and_to_unicode() {
    assert_eq!(pdfa::schriften(&fall().doc), 2, "regular and bold");
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
    pdfa::ohne_skript_und_transparenz(&fall().doc);
}

#[test]
fn pdfa_the_document_language_is_german() {
    pdfa::deutsch(&fall().doc);
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
