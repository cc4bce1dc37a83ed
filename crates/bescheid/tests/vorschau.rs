#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! The draft preview: the same pages as the sealed document, each a well-formed standalone
//! SVG document with its glyphs defined once, a title „Seite x von y“ and the „ENTWURF“ mark.

mod common;

use std::collections::{BTreeMap, BTreeSet};

use bescheid::{Entscheidung, Leistung, ausstellen, vorschau};
use common::*;
use time::macros::datetime;

/// One element of a document read by [`lesen`]: name, attributes, text content.
#[derive(Debug)]
struct Element {
    name: String,
    attribute: BTreeMap<String, String>,
    text: String,
}

/// A small XML well-formedness check written for this test: one root element, every tag
/// closed in order, attribute values quoted, no duplicate attributes, only the five
/// predefined entities and numeric references, no stray `<` or `&`. Returns all elements.
fn lesen(xml: &str) -> Result<Vec<Element>, String> {
    let mut rest = xml;
    if let Some(r) = rest.strip_prefix("<?xml") {
        rest = &r[r.find("?>").ok_or("XML-Deklaration offen")? + 2..];
    }
    let mut offen: Vec<usize> = Vec::new();
    let mut alle: Vec<Element> = Vec::new();
    let mut wurzeln = 0;
    let pruefe_text = |t: &str| -> Result<(), String> {
        let mut s = t;
        while let Some(i) = s.find('&') {
            let ende = s[i..]
                .find(';')
                .ok_or_else(|| format!("& ohne ; in {t:?}"))?;
            let ent = &s[i + 1..i + ende];
            let ok = matches!(ent, "amp" | "lt" | "gt" | "quot" | "apos")
                || ent.strip_prefix('#').is_some_and(|n| {
                    n.parse::<u32>().is_ok()
                        || n.strip_prefix('x')
                            .is_some_and(|h| u32::from_str_radix(h, 16).is_ok())
                });
            if !ok {
                return Err(format!("unbekannte Entität &{ent};"));
            }
            s = &s[i + ende..];
        }
        Ok(())
    };
    while !rest.is_empty() {
        let Some(lt) = rest.find('<') else {
            if !rest.trim().is_empty() && offen.is_empty() {
                return Err(format!("Text nach dem Wurzelelement: {rest:?}"));
            }
            pruefe_text(rest)?;
            break;
        };
        let text = &rest[..lt];
        if !text.trim().is_empty() && offen.is_empty() {
            return Err(format!("Text außerhalb des Wurzelelements: {text:?}"));
        }
        pruefe_text(text)?;
        if let Some(&i) = offen.last() {
            alle[i].text.push_str(text);
        }
        rest = &rest[lt..];
        if let Some(r) = rest.strip_prefix("<!--") {
            rest = &r[r.find("-->").ok_or("Kommentar offen")? + 3..];
            continue;
        }
        let gt = rest.find('>').ok_or("Tag ohne >")?;
        let tag = &rest[1..gt];
        rest = &rest[gt + 1..];
        if tag.contains('<') {
            return Err(format!("< im Tag {tag:?}"));
        }
        if let Some(name) = tag.strip_prefix('/') {
            let i = offen
                .pop()
                .ok_or_else(|| format!("</{name}> ohne Anfang"))?;
            if alle[i].name != name.trim() {
                return Err(format!("</{name}> schließt <{}>", alle[i].name));
            }
            continue;
        }
        let leer = tag.ends_with('/');
        let tag = tag.trim_end_matches('/');
        let (name, mut attr) = tag.split_once(char::is_whitespace).unwrap_or((tag, ""));
        if name.is_empty()
            || !name
                .chars()
                .all(|c| c.is_alphanumeric() || ":-_.".contains(c))
        {
            return Err(format!("ungültiger Elementname {name:?}"));
        }
        let mut attribute = BTreeMap::new();
        loop {
            attr = attr.trim_start();
            if attr.is_empty() {
                break;
            }
            let (k, r) = attr
                .split_once('=')
                .ok_or_else(|| format!("Attribut ohne = in <{name}>"))?;
            let r = r
                .strip_prefix('"')
                .ok_or_else(|| format!("Attribut {k} ohne \""))?;
            let ende = r
                .find('"')
                .ok_or_else(|| format!("Attribut {k} nicht geschlossen"))?;
            pruefe_text(&r[..ende])?;
            if attribute
                .insert(k.trim().to_string(), r[..ende].to_string())
                .is_some()
            {
                return Err(format!("Attribut {k} doppelt in <{name}>"));
            }
            attr = &r[ende + 1..];
        }
        if offen.is_empty() {
            wurzeln += 1;
        }
        alle.push(Element {
            name: name.to_string(),
            attribute,
            text: String::new(),
        });
        if !leer {
            offen.push(alle.len() - 1);
        }
    }
    if let Some(&i) = offen.last() {
        return Err(format!("<{}> nicht geschlossen", alle[i].name));
    }
    if wurzeln != 1 {
        return Err(format!("{wurzeln} Wurzelelemente"));
    }
    Ok(alle)
}

#[test]
fn the_small_xml_check_refuses_what_is_not_well_formed() {
    assert!(lesen(r#"<a x="1"><b/>t &amp; u</a>"#).is_ok());
    for kaputt in [
        "<a><b></a></b>",
        "<a>",
        "<a x=1/>",
        r#"<a x="1" x="2"/>"#,
        "<a>&nbsp;</a>",
        "<a/><b/>",
        "<a>x < y</a>",
    ] {
        assert!(lesen(kaputt).is_err(), "{kaputt} gilt als wohlgeformt");
    }
}

fn seiten_im_pdf(pdf: &[u8]) -> usize {
    lopdf::Document::load_mem(pdf).unwrap().get_pages().len()
}

/// Checks one preview page and returns its title.
fn pruefe_seite(name: &str, svg: &str) -> String {
    let el = lesen(svg).unwrap_or_else(|f| panic!("{name}: kein wohlgeformtes XML: {f}"));
    let wurzel = &el[0];
    assert_eq!(wurzel.name, "svg", "{name}");
    assert_eq!(wurzel.attribute["viewBox"], "0 0 595.276 841.89", "{name}");
    assert_eq!(wurzel.attribute["xmlns"], "http://www.w3.org/2000/svg");
    // Every glyph is defined once, and every use refers to a definition.
    let mut definiert = BTreeSet::new();
    for e in el.iter().filter(|e| e.attribute.contains_key("id")) {
        assert!(
            definiert.insert(e.attribute["id"].clone()),
            "{name}: id doppelt"
        );
    }
    let uses: Vec<&Element> = el.iter().filter(|e| e.name == "use").collect();
    assert!(!uses.is_empty(), "{name}: kein Text");
    for u in &uses {
        let ziel = u.attribute["xlink:href"].trim_start_matches('#');
        assert!(definiert.contains(ziel), "{name}: #{ziel} nicht definiert");
    }
    assert!(
        uses.len() > definiert.len(),
        "{name}: Glyphen werden wiederverwendet"
    );
    // The faint diagonal watermark.
    assert!(
        el.iter().any(|e| e.name == "g"
            && e.attribute
                .get("transform")
                .is_some_and(|t| t.contains("rotate(-54"))
            && e.attribute.contains_key("fill-opacity")),
        "{name}: kein ENTWURF-Wasserzeichen"
    );
    let titel: Vec<&Element> = el.iter().filter(|e| e.name == "title").collect();
    assert_eq!(titel.len(), 1, "{name}");
    titel[0].text.clone()
}

fn pruefe(name: &str, e: &Entscheidung, key: &bescheid::P12Schluessel) -> usize {
    let v = vorschau(e).unwrap();
    let a = ausstellen(e, key, datetime!(2026-11-20 09:30:00 UTC)).unwrap();
    let n = seiten_im_pdf(&a.pdf);
    assert_eq!(
        v.seiten.len(),
        n,
        "{name}: Vorschau und Bescheid haben verschieden viele Seiten"
    );
    for (i, svg) in v.seiten.iter().enumerate() {
        let titel = pruefe_seite(name, svg);
        assert!(
            titel.ends_with(&format!("Seite {} von {n}", i + 1)),
            "{name}: Titel „{titel}“"
        );
        assert!(titel.contains(&e.aktenzeichen), "{titel}");
        std::fs::write(
            artefakte().join(format!("vorschau-{name}-{}.svg", i + 1)),
            svg,
        )
        .unwrap();
    }
    n
}

#[test]
fn the_preview_of_every_example_has_the_pages_of_the_sealed_bescheid_as_well_formed_svg() {
    let pki = Pki::neu(Typ::P256);
    let key = pki.schluessel();
    for l in Leistung::ALLE {
        pruefe(l.id(), &beispiel(l), &key);
    }
}

#[test]
fn a_two_page_decision_previews_as_two_svg_pages_titled_seite_1_and_2_von_2() {
    let pki = Pki::neu(Typ::P256);
    assert_eq!(pruefe("zweiseitig", &zweiseitig(), &pki.schluessel()), 2);
}

#[test]
fn the_preview_draws_the_girocode_and_a_placeholder_for_the_seal_code() {
    let v = vorschau(&beispiel(Leistung::Hundesteuer)).unwrap();
    let alle = v.seiten.concat();
    // The GiroCode: one path of module squares; the seal: a dashed placeholder.
    assert_eq!(alle.matches("shape-rendering=\"crispEdges\"").count(), 1);
    assert_eq!(alle.matches("stroke-dasharray").count(), 1);
    // No PDF on this path.
    assert!(!alle.contains("%PDF"));
    assert!(v.satz > std::time::Duration::ZERO);
}

#[test]
fn special_characters_in_the_aktenzeichen_are_escaped_in_the_title() {
    let mut e = beispiel(Leistung::Gewerbeanmeldung);
    e.aktenzeichen = "32.2-GA<&>\"2026".into();
    let v = vorschau(&e).unwrap();
    let titel = pruefe_seite("sonderzeichen", &v.seiten[0]);
    assert!(titel.contains("32.2-GA&lt;&amp;&gt;&quot;2026"), "{titel}");
}
