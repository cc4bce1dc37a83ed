//! Reading messages: a small namespace-resolved element tree, and the answers 0629/0630.

use quick_xml::events::{BytesRef, Event};
use quick_xml::name::ResolveResult;
use uuid::Uuid;

use crate::{Beteiligter, NAMESPACE, Rueckmeldung, XdomeaError};

/// Largest confirmation (0629/0630) [`rueckmeldung_lesen`] reads, in bytes.
pub const MAX_RUECKMELDUNG: usize = 1024 * 1024;

/// Largest message XML read by [`kopf_lesen`] and [`crate::container_lesen`], in bytes.
pub(crate) const MAX_NACHRICHT: usize = 64 * 1024 * 1024;

/// Deepest element nesting accepted (xdomea needs about 15).
const MAX_TIEFE: usize = 64;

/// The names of the two answers, as a readable expectation in errors.
const ANTWORTEN: &str = "FVDaten.EmpfangBestaetigen.0629 oder FVDaten.ImportBestaetigen.0630";

/// An element: namespace, local name, children and its own text.
#[derive(Debug, Default)]
pub(crate) struct Element {
    pub ns: Option<String>,
    pub name: String,
    pub kinder: Vec<Element>,
    pub text: String,
}

impl Element {
    /// The first child called `name`.
    pub fn kind(&self, name: &str) -> Option<&Element> {
        self.kinder.iter().find(|k| k.name == name)
    }

    /// All children called `name`.
    pub fn alle<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Element> + 'a {
        self.kinder.iter().filter(move |k| k.name == name)
    }

    /// The element at `pfad` below this one.
    pub fn pfad(&self, pfad: &[&str]) -> Option<&Element> {
        pfad.iter().try_fold(self, |e, name| e.kind(name))
    }

    /// The trimmed text at `pfad`, if there is an element and it is not empty.
    pub fn text(&self, pfad: &[&str]) -> Option<String> {
        let t = self.pfad(pfad)?.text.trim();
        (!t.is_empty()).then(|| t.to_string())
    }

    /// Every element called `name` in this subtree, in document order.
    pub fn nachfahren<'a>(&'a self, name: &str, aus: &mut Vec<&'a Element>) {
        for k in &self.kinder {
            if k.name == name {
                aus.push(k);
            }
            k.nachfahren(name, aus);
        }
    }
}

/// The text of an entity or character reference (`&amp;`, `&#228;`); `None` for an entity
/// XML does not predefine.
pub(crate) fn referenz_text(r: &BytesRef<'_>) -> Option<String> {
    if r.is_char_ref() {
        return r.resolve_char_ref().ok().flatten().map(String::from);
    }
    quick_xml::escape::resolve_predefined_entity(&r.xml10_content()).map(String::from)
}

/// Parses `xml` (UTF-8, at most `max` bytes) into its root element. No DTDs, no entities
/// beyond XML's five, at most [`MAX_TIEFE`] levels.
pub(crate) fn parsen(xml: &[u8], max: usize, was: &str) -> Result<Element, XdomeaError> {
    if xml.len() > max {
        return Err(XdomeaError::ZuGross {
            was: was.to_string(),
            grenze: max as u64,
        });
    }
    let xml = xml.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(xml);
    let text = std::str::from_utf8(xml)
        .map_err(|e| XdomeaError::Xml(format!("keine UTF-8-Kodierung: {e}")))?;
    let mut reader = quick_xml::NsReader::from_str(text);
    reader.config_mut().expand_empty_elements = true;
    let mut stapel: Vec<Element> = Vec::new();
    let mut wurzel: Option<Element> = None;
    loop {
        let (ns, ereignis) = reader
            .read_resolved_event()
            .map_err(|e| XdomeaError::Xml(e.to_string()))?;
        match ereignis {
            Event::Start(e) => {
                if wurzel.is_some() {
                    return Err(XdomeaError::Xml("mehr als ein Wurzelelement".into()));
                }
                if stapel.len() >= MAX_TIEFE {
                    return Err(XdomeaError::Xml(format!(
                        "mehr als {MAX_TIEFE} Ebenen verschachtelt"
                    )));
                }
                let ns = match ns {
                    ResolveResult::Bound(n) => Some(n.as_ref().to_string()),
                    ResolveResult::Unbound => None,
                    ResolveResult::Unknown(p) => {
                        return Err(XdomeaError::Xml(format!(
                            "unbekanntes Namensraum-Präfix „{p}“"
                        )));
                    }
                };
                let name = e.local_name().as_ref().to_string();
                stapel.push(Element {
                    ns,
                    name,
                    ..Default::default()
                });
            }
            Event::End(_) => {
                let fertig = stapel
                    .pop()
                    .ok_or_else(|| XdomeaError::Xml("schließendes Element ohne Anfang".into()))?;
                match stapel.last_mut() {
                    Some(eltern) => eltern.kinder.push(fertig),
                    None => wurzel = Some(fertig),
                }
            }
            Event::Text(t) => {
                let t = t.xml10_content();
                match stapel.last_mut() {
                    Some(e) => e.text.push_str(&t),
                    None if t.trim().is_empty() => {}
                    None => {
                        return Err(XdomeaError::Xml("Text außerhalb des Wurzelelements".into()));
                    }
                }
            }
            Event::CData(t) => {
                let t = t.into_inner().into_owned();
                match stapel.last_mut() {
                    Some(e) => e.text.push_str(&t),
                    None => {
                        return Err(XdomeaError::Xml("Text außerhalb des Wurzelelements".into()));
                    }
                }
            }
            Event::GeneralRef(r) => {
                let t = referenz_text(&r).ok_or_else(|| {
                    XdomeaError::Xml(format!("unbekannte Entität „&{};“", r.xml10_content()))
                })?;
                match stapel.last_mut() {
                    Some(e) => e.text.push_str(&t),
                    None => {
                        return Err(XdomeaError::Xml("Text außerhalb des Wurzelelements".into()));
                    }
                }
            }
            Event::DocType(_) => {
                return Err(XdomeaError::Xml(
                    "DOCTYPE-Angaben sind nicht erlaubt".into(),
                ));
            }
            Event::Eof => break,
            Event::Empty(_) | Event::Comment(_) | Event::Decl(_) | Event::PI(_) => {}
        }
    }
    if !stapel.is_empty() {
        return Err(XdomeaError::Xml(
            "die Nachricht endet mitten im Inhalt (abgeschnitten)".into(),
        ));
    }
    wurzel.ok_or_else(|| XdomeaError::Xml("kein Element gefunden".into()))
}

/// The root must be the xdomea element `erwartet` (one of several names).
fn wurzel_pruefen(wurzel: &Element, erwartet: &str) -> Result<(), XdomeaError> {
    if wurzel.ns.as_deref() != Some(NAMESPACE) {
        return Err(XdomeaError::FalscheNachricht {
            erwartet: format!("{erwartet} (xdomea 3.1.0)"),
            gefunden: match &wurzel.ns {
                Some(ns) => format!("{{{ns}}}{}", wurzel.name),
                None => wurzel.name.clone(),
            },
        });
    }
    Ok(())
}

fn prozess_id(wurzel: &Element) -> Result<Uuid, XdomeaError> {
    let text = wurzel
        .text(&["Kopf", "ProzessID"])
        .ok_or_else(|| XdomeaError::Feld("Kopf/ProzessID".into()))?;
    Uuid::parse_str(&text).map_err(|_| XdomeaError::Feld("Kopf/ProzessID".into()))
}

fn nachrichtentyp_pruefen(wurzel: &Element, code: &str) -> Result<(), XdomeaError> {
    match wurzel.text(&["Kopf", "Nachrichtentyp", "code"]) {
        Some(c) if c != code => Err(XdomeaError::Feld(format!(
            "Kopf/Nachrichtentyp (erwartet {code}, gefunden {c})"
        ))),
        _ => Ok(()),
    }
}

/// The header of any xdomea message, as far as the hand-over needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Kopf {
    /// Local name of the root element, e.g. `FVDaten.SGOAblegen.0605`.
    pub nachricht: String,
    /// ProzessID.
    pub prozess_id: Uuid,
    /// Absender.
    pub absender: Beteiligter,
    /// Empfaenger.
    pub empfaenger: Beteiligter,
}

/// Reads the header of any xdomea 3.1.0 message (at most 64 MiB).
pub fn kopf_lesen(xml: &[u8]) -> Result<Kopf, XdomeaError> {
    let wurzel = parsen(xml, MAX_NACHRICHT, "Die xdomea-Nachricht")?;
    wurzel_pruefen(&wurzel, "eine xdomea-Nachricht")?;
    Ok(Kopf {
        nachricht: wurzel.name.clone(),
        prozess_id: prozess_id(&wurzel)?,
        absender: beteiligter(wurzel.pfad(&["Kopf", "Absender"])),
        empfaenger: beteiligter(wurzel.pfad(&["Kopf", "Empfaenger"])),
    })
}

fn beteiligter(kontakt: Option<&Element>) -> Beteiligter {
    let t = |p: &[&str]| kontakt.and_then(|k| k.text(p));
    let organisationseinheit = t(&["Organisationseinheit", "Name"]);
    Beteiligter {
        name: t(&["Institution", "Name"])
            .or_else(|| organisationseinheit.clone())
            .unwrap_or_default(),
        kennung: t(&["Behoerdenkennung", "Behoerdenschluessel", "code"]),
        organisationseinheit,
    }
}

/// Reads an answer of the E-Akte: `FVDaten.EmpfangBestaetigen.0629` or
/// `FVDaten.ImportBestaetigen.0630` (any namespace prefix, at most [`MAX_RUECKMELDUNG`]
/// bytes). Anything else — not XML, another message, no ProzessID — is an error.
pub fn rueckmeldung_lesen(xml: &[u8]) -> Result<Rueckmeldung, XdomeaError> {
    let wurzel = parsen(xml, MAX_RUECKMELDUNG, "Die Rückmeldung der E-Akte")?;
    wurzel_pruefen(&wurzel, ANTWORTEN)?;
    match wurzel.name.as_str() {
        "FVDaten.EmpfangBestaetigen.0629" => {
            nachrichtentyp_pruefen(&wurzel, "0629")?;
            Ok(Rueckmeldung::Empfang {
                prozess_id: prozess_id(&wurzel)?,
            })
        }
        "FVDaten.ImportBestaetigen.0630" => {
            nachrichtentyp_pruefen(&wurzel, "0630")?;
            let prozess_id = prozess_id(&wurzel)?;
            let eom = wurzel
                .kind("ErfolgOderMisserfolg")
                .ok_or_else(|| XdomeaError::Feld("ErfolgOderMisserfolg".into()))?;
            let mut meldungen = Vec::new();
            let mut nur_erfolgscode = true;
            for r in eom.alle("Rueckmeldung") {
                for m in &r.kinder {
                    let (text, erfolg) = meldung(m);
                    nur_erfolgscode &= erfolg;
                    meldungen.push(text);
                }
            }
            if meldungen.is_empty() {
                return Err(XdomeaError::Feld(
                    "ErfolgOderMisserfolg/Rueckmeldung".into(),
                ));
            }
            let mut referenz = None;
            let mut parameter_erfolgreich = true;
            for p in eom.alle("Rueckgabeparameter") {
                match p.text(&["Erfolgreich"]).as_deref() {
                    Some("true") | Some("1") => {}
                    _ => parameter_erfolgreich = false,
                }
                if let Some(m) = p.kind("Rueckmeldung") {
                    for k in &m.kinder {
                        meldungen.push(meldung(k).0);
                    }
                }
                if referenz.is_none() {
                    referenz = p
                        .text(&["Parameter", "Ablageort"])
                        .or_else(|| p.text(&["IDSGO"]));
                }
            }
            Ok(Rueckmeldung::Import {
                prozess_id,
                erfolgreich: nur_erfolgscode && parameter_erfolgreich,
                meldungen,
                referenz,
            })
        }
        _ => Err(XdomeaError::FalscheNachricht {
            erwartet: format!("{ANTWORTEN} (xdomea 3.1.0)"),
            gefunden: wurzel.name.clone(),
        }),
    }
}

/// A readable line for one answer element, and whether it is the success code 0000000.
fn meldung(m: &Element) -> (String, bool) {
    if m.name == "SonstigeFehlermeldung" {
        return (m.text.trim().to_string(), false);
    }
    let Some(code) = m.text(&["code"]) else {
        return (format!("{}: {}", m.name, m.text.trim()), false);
    };
    let beschreibung = m
        .text(&["name"])
        .or_else(|| crate::codes::beschreibung(&format!("{}CodeType", m.name), &code));
    let erfolg = m.name == "AllgemeineRueckmeldung" && code == "0000000";
    match beschreibung {
        Some(b) => (format!("{code}: {b}"), erfolg),
        None => (code, erfolg),
    }
}

/// The audit anchor of a 0605 message (its Vorgang's `urn:amtsstube:vorgang` extension fields
/// `AuditSeq` and `AuditHash`), if it carries one. Accepts the message XML or its ZIP
/// container.
pub fn audit_anker_lesen(daten: &[u8]) -> Result<Option<crate::AuditAnker>, XdomeaError> {
    let xml;
    let daten = if daten.starts_with(b"PK") {
        xml = crate::container_lesen(daten)?.xml;
        xml.as_bytes()
    } else {
        daten
    };
    let wurzel = parsen(daten, MAX_NACHRICHT, "Die Abgabe")?;
    wurzel_pruefen(&wurzel, "FVDaten.SGOAblegen.0605")?;
    let mut erweiterungen = Vec::new();
    wurzel.nachfahren("AnwendungsspezifischeErweiterung", &mut erweiterungen);
    for e in erweiterungen {
        if e.text(&["Kennung"]).as_deref() != Some(crate::schreiben::VORGANG_KENNUNG_OEFFENTLICH) {
            continue;
        }
        let wert = |name: &str| {
            e.alle("Feld")
                .find(|f| f.text(&["Name"]).as_deref() == Some(name))
                .and_then(|f| f.text(&["Wert"]))
        };
        return match (wert("AuditSeq"), wert("AuditHash")) {
            (Some(seq), Some(hash)) => Ok(Some(crate::AuditAnker {
                seq: seq
                    .parse()
                    .map_err(|_| XdomeaError::Feld(format!("AuditSeq („{seq}“ ist keine Zahl)")))?,
                hash,
            })),
            _ => Ok(None),
        };
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn elements_are_resolved_by_namespace_whatever_the_prefix() {
        let xml = br#"<?xml version="1.0"?><a:X xmlns:a="urn:eins"><a:Y>1 &amp; 2</a:Y><code>c</code></a:X>"#;
        let w = parsen(xml, 1000, "t").unwrap();
        assert_eq!(w.ns.as_deref(), Some("urn:eins"));
        assert_eq!(w.text(&["Y"]).as_deref(), Some("1 & 2"));
        assert_eq!(w.kind("code").unwrap().ns, None);
    }

    #[test]
    fn hostile_documents_are_errors() {
        for xml in [
            &b"<a><b></a>"[..],
            b"<a>",
            b"",
            b"kein xml",
            b"<a/><b/>",
            b"<!DOCTYPE a [<!ENTITY x 'y'>]><a>&x;</a>",
            b"<a>&x;</a>",
            b"<p:a/>",
            b"\xff\xfe<a/>",
        ] {
            assert!(
                parsen(xml, 1000, "t").is_err(),
                "{}",
                String::from_utf8_lossy(xml)
            );
        }
        let tief = "<a>".repeat(100) + &"</a>".repeat(100);
        assert!(parsen(tief.as_bytes(), 10_000, "t").is_err());
    }
}
