//! Code lists: file formats (Dateiformat) and general answers (AllgemeineRueckmeldung).

use std::collections::BTreeMap;
use std::sync::OnceLock;

/// Version of the Dateiformat code list whose codes [`DATEIFORMATE`] holds. xdomea 3.1.0
/// references the list `urn:xoev-de:xdomea:codeliste:dateiformat` without fixing a version
/// (`listVersionID` is required); the codes below are those of version 1.0, the version the
/// xdomea schemas up to 2.3.0 carried inline. A newer list keeps these codes and adds more.
pub(crate) const DATEIFORMAT_VERSION: &str = "1.0";

/// Code "Sonstiges" (other): written with `SonstigerName`.
pub(crate) const DATEIFORMAT_SONSTIGES: &str = "100";

/// (file extension, MIME type, code) of the Dateiformat code list 1.0.
pub(crate) const DATEIFORMATE: &[(&str, &str, &str)] = &[
    ("bmp", "image/bmp", "001"),
    ("csv", "text/csv", "002"),
    ("doc", "application/msword", "003"),
    ("eml", "message/rfc822", "006"),
    ("htm", "", "007"),
    ("html", "text/html", "008"),
    ("jpe", "", "009"),
    ("jpeg", "", "010"),
    ("jpg", "image/jpeg", "011"),
    ("msg", "application/vnd.ms-outlook", "012"),
    (
        "odp",
        "application/vnd.oasis.opendocument.presentation",
        "013",
    ),
    (
        "ods",
        "application/vnd.oasis.opendocument.spreadsheet",
        "014",
    ),
    ("odt", "application/vnd.oasis.opendocument.text", "015"),
    ("pdf", "application/pdf", "018"),
    ("png", "image/png", "019"),
    ("ppt", "application/vnd.ms-powerpoint", "020"),
    ("ps", "application/postscript", "021"),
    ("rtf", "application/rtf", "022"),
    ("tif", "", "023"),
    ("tiff", "image/tiff", "024"),
    ("xls", "application/vnd.ms-excel", "028"),
    ("xml", "application/xml", "030"),
    ("xml", "text/xml", "030"),
    (
        "docx",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "035",
    ),
    (
        "xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "036",
    ),
    (
        "pptx",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "037",
    ),
    ("txt", "text/plain", "045"),
];

/// The Dateiformat code for a document: by MIME type first, then by the file name's
/// extension; `None` when the list has no code for it (then "Sonstiges" is written).
pub(crate) fn dateiformat(mime: &str, dateiname: &str) -> Option<&'static str> {
    let mime = mime
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    if !mime.is_empty()
        && let Some((_, _, code)) = DATEIFORMATE.iter().find(|(_, m, _)| *m == mime)
    {
        return Some(code);
    }
    let endung = dateiname.rsplit_once('.')?.1.to_ascii_lowercase();
    DATEIFORMATE
        .iter()
        .find(|(e, _, _)| *e == endung)
        .map(|(_, _, code)| *code)
}

/// The codes of `AllgemeineRueckmeldungCodeType` with their descriptions, read once from the
/// embedded XSD (so the list is exactly the schema's).
pub(crate) fn allgemeine_rueckmeldungen() -> &'static BTreeMap<String, String> {
    static CODES: OnceLock<BTreeMap<String, String>> = OnceLock::new();
    CODES.get_or_init(|| {
        enumeration_lesen(crate::schema::DATENTYPEN, "AllgemeineRueckmeldungCodeType")
    })
}

/// The description of `code` in the code list type `typ` (e.g. `AllgemeineRueckmeldungCodeType`,
/// `SpezifischeFehlermeldung0605CodeType`) as the embedded XSD gives it.
pub(crate) fn beschreibung(typ: &str, code: &str) -> Option<String> {
    let b = if typ == "AllgemeineRueckmeldungCodeType" {
        allgemeine_rueckmeldungen().get(code).cloned()
    } else {
        enumeration_lesen(crate::schema::DATENTYPEN, typ).remove(code)
    };
    b.filter(|b| !b.is_empty())
}

/// The `xs:enumeration` values of the complex type `typ` in `xsd`, each with the text of its
/// `beschreibung` annotation.
fn enumeration_lesen(xsd: &str, typ: &str) -> BTreeMap<String, String> {
    use quick_xml::events::Event;
    let mut codes = BTreeMap::new();
    let mut reader = quick_xml::Reader::from_str(xsd);
    let mut im_typ = 0usize; // depth inside the wanted complexType, 0 = outside
    let mut aktueller: Option<String> = None;
    let mut in_beschreibung = false;
    loop {
        match reader.read_event() {
            Ok(Event::Start(e)) => {
                let name = e.local_name();
                let name = name.as_ref();
                if im_typ > 0 {
                    im_typ += 1;
                    if name == "enumeration" {
                        aktueller = attribut(&e, "value");
                        if let Some(c) = &aktueller {
                            codes.insert(c.clone(), String::new());
                        }
                    } else if name == "beschreibung" {
                        in_beschreibung = true;
                    }
                } else if name == "complexType" && attribut(&e, "name").as_deref() == Some(typ) {
                    im_typ = 1;
                }
            }
            Ok(Event::Empty(e)) => {
                if im_typ > 0
                    && e.local_name().as_ref() == "enumeration"
                    && let Some(c) = attribut(&e, "value")
                {
                    codes.insert(c, String::new());
                }
            }
            Ok(Event::Text(t)) => {
                if in_beschreibung && let Some(c) = &aktueller {
                    codes
                        .entry(c.clone())
                        .or_default()
                        .push_str(&t.xml10_content());
                }
            }
            Ok(Event::GeneralRef(r)) => {
                if in_beschreibung
                    && let Some(c) = &aktueller
                    && let Some(text) = crate::lesen::referenz_text(&r)
                {
                    codes.entry(c.clone()).or_default().push_str(&text);
                }
            }
            Ok(Event::End(_)) => {
                if im_typ > 0 {
                    im_typ -= 1;
                    if im_typ == 0 {
                        break;
                    }
                }
                in_beschreibung = false;
            }
            Ok(Event::Eof) | Err(_) => break,
            _ => {}
        }
    }
    for beschreibung in codes.values_mut() {
        *beschreibung = beschreibung
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
    }
    codes
}

fn attribut(e: &quick_xml::events::BytesStart<'_>, name: &str) -> Option<String> {
    e.attributes()
        .flatten()
        .find(|a| a.key.local_name().as_ref() == name)
        .map(|a| a.value.into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_general_answer_codes_come_from_the_schema_with_their_descriptions() {
        let codes = allgemeine_rueckmeldungen();
        assert!(codes.len() > 20, "{codes:?}");
        assert_eq!(codes["0000000"], "Ausführung wurde erfolgreich beendet.");
        assert!(
            codes["0000008"].contains("nicht valide"),
            "{}",
            codes["0000008"]
        );
    }

    #[test]
    fn a_file_format_is_found_by_mime_type_or_extension() {
        assert_eq!(dateiformat("application/pdf", "x"), Some("018"));
        assert_eq!(dateiformat("", "Scan.JPG"), Some("011"));
        assert_eq!(dateiformat("text/plain; charset=utf-8", ""), Some("045"));
        assert_eq!(dateiformat("application/x-unbekannt", "a.xyz"), None);
        assert_eq!(dateiformat("", "ohne_endung"), None);
    }
}
