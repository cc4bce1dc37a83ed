//! Writing messages: 0605, 0629, 0630, element by element in XSD order.

use sha2::{Digest, Sha256};
use time::{Date, OffsetDateTime, UtcOffset};
use uuid::Uuid;

use crate::codes::{self, DATEIFORMAT_SONSTIGES, DATEIFORMAT_VERSION};
use crate::{Abgabe, Beteiligter, Dokument, Importergebnis, NAMESPACE};

/// Product name written as SendendesSystem/Produktname.
const PRODUKT: &str = "Amtsstube";

/// Kennung of the per-document checksum extension (read back by `container_lesen`).
/// Kennung of the Vorgang's extension, read back by [`crate::audit_anker_lesen`].
pub(crate) const VORGANG_KENNUNG_OEFFENTLICH: &str = VORGANG_KENNUNG;
pub(crate) const PRUEFSUMME_KENNUNG: &str = "urn:amtsstube:pruefsumme";
/// Kennung of the Vorgang's extension (Frist, Zuständigkeit, Status, LeiKa, Antragsteller).
const VORGANG_KENNUNG: &str = "urn:amtsstube:vorgang";

/// A tiny XML writer: every element of the xdomea namespace gets the prefix `xdomea:`.
struct Xml {
    s: String,
}

impl Xml {
    fn neu(wurzel: &str) -> Xml {
        let mut s = String::with_capacity(4096);
        s.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        s.push_str(&format!("<xdomea:{wurzel} xmlns:xdomea=\"{NAMESPACE}\">"));
        Xml { s }
    }

    fn auf(&mut self, name: &str) {
        self.s.push_str("<xdomea:");
        self.s.push_str(name);
        self.s.push('>');
    }

    fn zu(&mut self, name: &str) {
        self.s.push_str("</xdomea:");
        self.s.push_str(name);
        self.s.push('>');
    }

    fn feld(&mut self, name: &str, text: &str) {
        self.auf(name);
        escape_in(&mut self.s, text);
        self.zu(name);
    }

    fn feld_opt(&mut self, name: &str, text: Option<&str>) {
        if let Some(t) = text {
            self.feld(name, t);
        }
    }

    /// An XÖV code element: `<xdomea:{name} attrs><code>…</code>[<name>…</name>]</xdomea:{name}>`.
    fn code(&mut self, name: &str, attrs: &[(&str, &str)], code: &str, text: Option<&str>) {
        self.s.push_str("<xdomea:");
        self.s.push_str(name);
        for (k, v) in attrs {
            self.s.push(' ');
            self.s.push_str(k);
            self.s.push_str("=\"");
            escape_in(&mut self.s, v);
            self.s.push('"');
        }
        self.s.push_str("><code>");
        escape_in(&mut self.s, code);
        self.s.push_str("</code>");
        if let Some(t) = text {
            self.s.push_str("<name>");
            // xs:normalizedString: no tabs or line breaks.
            let t: String = t
                .chars()
                .map(|c| if c.is_whitespace() { ' ' } else { c })
                .collect();
            escape_in(&mut self.s, &t);
            self.s.push_str("</name>");
        }
        self.zu(name);
    }

    fn kontakt(&mut self, name: &str, b: &Beteiligter) {
        self.auf(name);
        if let Some(k) = b.kennung.as_deref().filter(|k| !k.trim().is_empty()) {
            self.auf("Behoerdenkennung");
            self.code("Behoerdenschluessel", &[], k.trim(), None);
            self.zu("Behoerdenkennung");
        }
        self.auf("Institution");
        self.feld("Name", &b.name);
        self.zu("Institution");
        if let Some(o) = &b.organisationseinheit {
            self.auf("Organisationseinheit");
            self.feld("Name", o);
            self.zu("Organisationseinheit");
        }
        self.zu(name);
    }

    /// The elements of NkBasisType up to SendendesSystem.
    fn kopf_basis(
        &mut self,
        prozess_id: &Uuid,
        nachrichtentyp: &str,
        zeit: OffsetDateTime,
        absender: &Beteiligter,
        empfaenger: &Beteiligter,
        version: Option<&str>,
    ) {
        self.feld("ProzessID", &prozess_id.to_string());
        self.code(
            "Nachrichtentyp",
            &[
                ("listURI", "urn:xoev-de:xdomea:codeliste:nachrichtentyp"),
                ("listVersionID", "2.0"),
            ],
            nachrichtentyp,
            None,
        );
        self.feld("Erstellungszeitpunkt", &datum_uhrzeit(zeit));
        self.kontakt("Absender", absender);
        self.kontakt("Empfaenger", empfaenger);
        self.auf("SendendesSystem");
        self.feld("Produktname", PRODUKT);
        self.feld_opt("Version", version);
        self.zu("SendendesSystem");
    }

    fn erweiterung(&mut self, kennung: &str, name: &str, felder: &[(&str, Option<String>)]) {
        self.auf("AnwendungsspezifischeErweiterung");
        self.feld("Kennung", kennung);
        self.feld("Name", name);
        for (n, w) in felder {
            if let Some(w) = w {
                self.auf("Feld");
                self.feld("Name", n);
                self.feld("Wert", w);
                self.zu("Feld");
            }
        }
        self.zu("AnwendungsspezifischeErweiterung");
    }

    fn ende(mut self, wurzel: &str) -> String {
        self.zu(wurzel);
        self.s.push('\n');
        self.s
    }
}

/// Appends `text` escaped for XML content and attributes, without the characters XML 1.0
/// forbids (controls other than tab and line breaks, U+FFFE, U+FFFF). A carriage return is
/// written as a reference, so it survives the parser's line-end normalisation.
fn escape_in(s: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => s.push_str("&amp;"),
            '<' => s.push_str("&lt;"),
            '>' => s.push_str("&gt;"),
            '"' => s.push_str("&quot;"),
            '\'' => s.push_str("&apos;"),
            '\r' => s.push_str("&#13;"),
            '\t' | '\n' => s.push(c),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => s.push(c),
        }
    }
}

/// `xs:dateTime` in UTC, whole seconds.
fn datum_uhrzeit(t: OffsetDateTime) -> String {
    let t = t.to_offset(UtcOffset::UTC);
    format!(
        "{}T{:02}:{:02}:{:02}Z",
        datum(t.date()),
        t.hour(),
        t.minute(),
        t.second()
    )
}

/// `xs:date`.
fn datum(d: Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

/// The version of a PDF from its header (`%PDF-1.7`), if it has one.
fn pdf_version(inhalt: &[u8]) -> Option<String> {
    let kopf = &inhalt[..inhalt.len().min(16)];
    let rest = kopf.strip_prefix(b"%PDF-")?;
    let v: String = rest
        .iter()
        .take_while(|b| b.is_ascii_digit() || **b == b'.')
        .map(|&b| b as char)
        .collect();
    (!v.is_empty()).then_some(v)
}

/// `FVDaten.SGOAblegen.0605`: the Vorgang with its history and every document as
/// Primärdokument (file name [`crate::primaer_dateiname`]), each with its SHA-256 and size.
/// Frist, Zuständigkeit, Status, LeiKa and Antragsteller are fields of the Vorgang's
/// `AnwendungsspezifischeErweiterung` (`urn:amtsstube:vorgang`); the schema has no element of
/// their own for them. The result validates against the xdomea 3.1.0 XSD.
pub fn nachricht_0605(a: &Abgabe) -> String {
    const WURZEL: &str = "FVDaten.SGOAblegen.0605";
    let v = &a.vorgang;
    let mut x = Xml::neu(WURZEL);
    x.auf("Kopf");
    x.kopf_basis(
        &a.prozess_id,
        "0605",
        a.erstellt,
        &a.absender,
        &a.empfaenger,
        Some(&a.produkt_version),
    );
    x.feld("Empfangsbestaetigung", "true");
    x.feld("Importbestaetigung", "1");
    x.feld("Erstellerkennung", &a.ersteller);
    x.feld("Stapel", "false");
    x.zu("Kopf");

    x.auf("SchriftgutobjektZumAblegen");
    x.feld("FachverfahrenObjektID", &v.aktenzeichen);
    x.auf("Schriftgutobjekt");
    x.auf("Vorgang");
    x.auf("Identifikation");
    x.feld("ID", &v.id.to_string());
    x.zu("Identifikation");
    x.auf("AllgemeineMetadaten");
    x.feld("Betreff", &v.betreff);
    x.feld("Kennzeichen", &v.aktenzeichen);
    x.zu("AllgemeineMetadaten");
    x.auf("ArchivspezifischeMetadaten");
    x.auf("Aufbewahrungsdauer");
    x.feld(
        "AnzahlJahre",
        &v.aufbewahrung_jahre.min(u32::from(u16::MAX)).to_string(),
    );
    x.zu("Aufbewahrungsdauer");
    x.zu("ArchivspezifischeMetadaten");
    x.feld("ZdA", "true");
    x.feld("ZdADatum", &datum(v.abgeschlossen));
    x.auf("Laufzeit");
    x.feld("Beginn", &datum(v.eingang));
    x.feld("Ende", &datum(v.abgeschlossen));
    x.zu("Laufzeit");
    for h in &v.historie {
        x.auf("HistorienProtokollInformation");
        x.feld("Akteur", &h.akteur);
        x.feld("DatumUhrzeit", &datum_uhrzeit(h.zeit));
        x.feld_opt("Bemerkung", h.bemerkung.as_deref());
        x.feld("Aktion", &h.aktion);
        x.zu("HistorienProtokollInformation");
    }
    for d in &a.dokumente {
        dokument(&mut x, d);
    }
    x.erweiterung(
        VORGANG_KENNUNG,
        "Vorgangsdaten der Amtsstube",
        &[
            ("Frist", v.frist.map(datum)),
            ("Zustaendig", v.zustaendig.clone()),
            ("Status", Some(v.status.clone())),
            ("LeiKa", Some(v.leika.clone())),
            ("Antragsteller", v.antragsteller.clone()),
            (
                "AuditSeq",
                v.audit_anker.as_ref().map(|a| a.seq.to_string()),
            ),
            ("AuditHash", v.audit_anker.as_ref().map(|a| a.hash.clone())),
        ],
    );
    x.zu("Vorgang");
    x.zu("Schriftgutobjekt");
    x.zu("SchriftgutobjektZumAblegen");
    x.ende(WURZEL)
}

fn dokument(x: &mut Xml, d: &Dokument) {
    x.auf("Dokument");
    x.auf("Identifikation");
    x.feld("ID", &d.id.to_string());
    x.zu("Identifikation");
    x.auf("AllgemeineMetadaten");
    x.feld("Betreff", &d.titel);
    x.zu("AllgemeineMetadaten");
    let tag = datum(d.datum.date());
    x.feld(
        if d.eingehend {
            "Posteingangsdatum"
        } else {
            "Postausgangsdatum"
        },
        &tag,
    );
    x.feld("Typ", d.typ.bezeichnung());
    x.auf("Version");
    x.feld("Nummer", "1");
    x.auf("Format");
    let code = codes::dateiformat(&d.mime, &d.dateiname);
    x.code(
        "Name",
        &[
            ("listURI", "urn:xoev-de:xdomea:codeliste:dateiformat"),
            ("listVersionID", DATEIFORMAT_VERSION),
        ],
        code.unwrap_or(DATEIFORMAT_SONSTIGES),
        None,
    );
    if code.is_none() {
        let sonstiger = if d.mime.trim().is_empty() {
            "unbekannt"
        } else {
            d.mime.trim()
        };
        x.feld("SonstigerName", sonstiger);
    }
    let format_version = if code == Some("018") {
        pdf_version(&d.inhalt)
    } else {
        None
    };
    x.feld("Version", format_version.as_deref().unwrap_or("unbekannt"));
    x.auf("Primaerdokument");
    x.feld("Dateiname", &crate::primaer_dateiname(d));
    x.feld("DateinameOriginal", &d.dateiname);
    x.feld("DatumUhrzeit", &datum_uhrzeit(d.datum));
    if d.signiert {
        x.auf("SignaturSiegel");
        x.feld("SignaturSiegelEingebettet", "1");
        x.zu("SignaturSiegel");
    }
    x.zu("Primaerdokument");
    x.zu("Format");
    x.zu("Version");
    x.erweiterung(
        PRUEFSUMME_KENNUNG,
        "Prüfsumme",
        &[
            ("SHA-256", Some(hex::encode(Sha256::digest(&d.inhalt)))),
            ("Groesse", Some(d.inhalt.len().to_string())),
        ],
    );
    x.zu("Dokument");
}

/// `FVDaten.EmpfangBestaetigen.0629`: the E-Akte received the message `prozess_id`. The
/// answer carries the same ProzessID.
pub fn empfang_0629(
    prozess_id: &Uuid,
    absender: &Beteiligter,
    empfaenger: &Beteiligter,
    zeit: OffsetDateTime,
) -> String {
    const WURZEL: &str = "FVDaten.EmpfangBestaetigen.0629";
    let mut x = Xml::neu(WURZEL);
    x.auf("Kopf");
    x.kopf_basis(prozess_id, "0629", zeit, absender, empfaenger, None);
    x.zu("Kopf");
    x.ende(WURZEL)
}

/// `FVDaten.ImportBestaetigen.0630`: the result of importing the message `prozess_id`
/// (FVSessionID is the ProzessID too). Success: AllgemeineRueckmeldung `0000000` and a
/// Rueckgabeparameter with IDSGO, Ablageort and `Erfolgreich` true. Error: the code as
/// AllgemeineRueckmeldung with the text as its description, or — for an empty or unknown
/// code — the text as SonstigeFehlermeldung.
pub fn import_0630(
    prozess_id: &Uuid,
    absender: &Beteiligter,
    empfaenger: &Beteiligter,
    zeit: OffsetDateTime,
    ergebnis: &Importergebnis,
) -> String {
    const WURZEL: &str = "FVDaten.ImportBestaetigen.0630";
    const RUECKMELDUNG_LISTE: [(&str, &str); 2] = [
        (
            "listURI",
            "urn:xoev-de:xdomea:codeliste:allgemeinerueckmeldung",
        ),
        ("listVersionID", "1.1"),
    ];
    let mut x = Xml::neu(WURZEL);
    x.auf("Kopf");
    x.kopf_basis(prozess_id, "0630", zeit, absender, empfaenger, None);
    x.feld("FVSessionID", &prozess_id.to_string());
    x.zu("Kopf");
    x.auf("ErfolgOderMisserfolg");
    match ergebnis {
        Importergebnis::Erfolg { id_sgo, ablageort } => {
            x.auf("Rueckmeldung");
            x.code(
                "AllgemeineRueckmeldung",
                &RUECKMELDUNG_LISTE,
                "0000000",
                None,
            );
            x.zu("Rueckmeldung");
            x.auf("Rueckgabeparameter");
            x.feld("IDSGO", &id_sgo.to_string());
            x.auf("Parameter");
            x.feld("Ablageort", ablageort);
            x.zu("Parameter");
            x.feld("Erfolgreich", "true");
            x.zu("Rueckgabeparameter");
        }
        Importergebnis::Fehler { code, text } => {
            let code = code.trim();
            x.auf("Rueckmeldung");
            if code != "0000000" && codes::allgemeine_rueckmeldungen().contains_key(code) {
                let text = (!text.trim().is_empty()).then_some(text.as_str());
                x.code("AllgemeineRueckmeldung", &RUECKMELDUNG_LISTE, code, text);
            } else if code.is_empty() {
                x.feld("SonstigeFehlermeldung", text);
            } else {
                x.feld("SonstigeFehlermeldung", &format!("{code}: {text}"));
            }
            x.zu("Rueckmeldung");
        }
    }
    x.zu("ErfolgOderMisserfolg");
    x.ende(WURZEL)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped_and_forbidden_characters_dropped() {
        let mut s = String::new();
        escape_in(&mut s, "<a href=\"x\">&'\u{0}\u{7}\u{FFFF}\tä\r");
        assert_eq!(s, "&lt;a href=&quot;x&quot;&gt;&amp;&apos;\tä&#13;");
    }

    #[test]
    fn the_pdf_version_comes_from_the_header() {
        assert_eq!(pdf_version(b"%PDF-1.7\n%\xe2\xe3").as_deref(), Some("1.7"));
        assert_eq!(pdf_version(b"GIF89a.........."), None);
        assert_eq!(pdf_version(b"%PDF"), None);
    }
}
