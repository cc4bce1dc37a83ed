//! The ZIP container of a 0605: `{ProzessID}_FVDaten.SGOAblegen.0605.zip` with the message
//! XML and every Primärdokument.

use std::collections::{BTreeMap, HashSet};
use std::io::{Cursor, Read, Write};

use sha2::{Digest, Sha256};
use uuid::Uuid;
use zip::CompressionMethod;
use zip::write::SimpleFileOptions;

use crate::lesen::{self, Element, MAX_NACHRICHT};
use crate::schreiben::PRUEFSUMME_KENNUNG;
use crate::{Abgabe, Dokument, NAMESPACE, XdomeaError};

/// Most bytes [`container_lesen`] unpacks (all entries together): guards against zip bombs.
pub const MAX_ENTPACKT: u64 = 2 * 1024 * 1024 * 1024;

/// Most entries [`container_lesen`] accepts.
pub const MAX_EINTRAEGE: usize = 10_000;

/// Longest file name written into a container.
const MAX_NAME: usize = 120;

/// Longest entry name accepted when reading (foreign producers may use long names).
const MAX_NAME_LESEN: usize = 255;

/// Suffix of the message XML inside the container.
const NACHRICHT_ENDUNG: &str = "_FVDaten.SGOAblegen.0605.xml";

/// `{prozess_id}_FVDaten.SGOAblegen.0605.zip`.
pub fn container_name(prozess_id: &Uuid) -> String {
    format!("{prozess_id}_FVDaten.SGOAblegen.0605.zip")
}

fn nachricht_name(prozess_id: &Uuid) -> String {
    format!("{prozess_id}{NACHRICHT_ENDUNG}")
}

/// The document's file name in the container and in Primaerdokument/Dateiname:
/// `{id}_{safe name}` — ASCII letters, digits, `-`, `_` and `.` only (umlauts transliterated),
/// no path separators, no `..`, no leading dot, at most 120 characters, the extension kept.
pub fn primaer_dateiname(d: &Dokument) -> String {
    let praefix = format!("{}_", d.id);
    let platz = MAX_NAME - praefix.len();
    format!("{praefix}{}", sicherer_name(&d.dateiname, platz))
}

/// `original` made safe, at most `platz` characters (`platz` ≥ 20).
fn sicherer_name(original: &str, platz: usize) -> String {
    let mut s = String::with_capacity(original.len());
    for c in original.chars() {
        let ersatz = match c {
            'ä' => "ae",
            'ö' => "oe",
            'ü' => "ue",
            'Ä' => "Ae",
            'Ö' => "Oe",
            'Ü' => "Ue",
            'ß' => "ss",
            c if c.is_ascii_alphanumeric() || c == '-' || c == '.' => {
                s.push(c);
                continue;
            }
            _ => "_",
        };
        s.push_str(ersatz);
    }
    // No runs of dots or underscores (so never `..`), no leading or trailing dots.
    let mut sauber = String::with_capacity(s.len());
    for c in s.chars() {
        if (c == '.' || c == '_') && sauber.ends_with(c) {
            continue;
        }
        sauber.push(c);
    }
    let sauber = sauber.trim_matches(|c| c == '.' || c == '_');
    let (stamm, endung) = match sauber.rsplit_once('.') {
        Some((s, e)) if !e.is_empty() && e.len() <= 10 && !s.is_empty() => (s, Some(e)),
        _ => (sauber, None),
    };
    let platz_stamm = platz - endung.map_or(0, |e| e.len() + 1);
    let stamm: String = stamm.chars().take(platz_stamm).collect();
    let stamm = stamm.trim_end_matches(['.', '_']);
    let stamm = if stamm.is_empty() { "dokument" } else { stamm };
    match endung {
        Some(e) => format!("{stamm}.{e}"),
        None => stamm.to_string(),
    }
}

/// A name read from a container is used as a file name only if it is one plain component:
/// no separators, no `..`, no leading dot, no control characters, not too long.
fn name_ist_sicher(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= MAX_NAME_LESEN
        && !name.starts_with('.')
        && !name.contains("..")
        && !name
            .chars()
            .any(|c| c.is_control() || matches!(c, '/' | '\\' | ':' | '\u{FFFD}'))
}

/// The container of `a`: the message [`crate::nachricht_0605`] as
/// `{prozess_id}_FVDaten.SGOAblegen.0605.xml` and every document under its
/// [`primaer_dateiname`], deflated, with fixed entry times — the same input gives the same
/// bytes.
pub fn container_0605(a: &Abgabe) -> Result<Vec<u8>, XdomeaError> {
    let xml_name = nachricht_name(&a.prozess_id);
    let mut namen = HashSet::from([xml_name.clone()]);
    let mut ids = HashSet::new();
    let mut summe = 0u64;
    for d in &a.dokumente {
        if !ids.insert(d.id) {
            return Err(XdomeaError::DoppelteDokumentId(d.id));
        }
        let name = primaer_dateiname(d);
        if !namen.insert(name.clone()) {
            return Err(XdomeaError::DoppelterName(name));
        }
        summe += d.inhalt.len() as u64;
    }
    let xml = crate::nachricht_0605(a);
    summe += xml.len() as u64;
    if summe > MAX_ENTPACKT {
        return Err(XdomeaError::ZuGross {
            was: "Die Abgabe (alle Dokumente zusammen)".into(),
            grenze: MAX_ENTPACKT,
        });
    }
    let optionen = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        .last_modified_time(zip::DateTime::default())
        .unix_permissions(0o644)
        .large_file(summe > u32::MAX as u64);
    let fehler = |e: &dyn std::fmt::Display| XdomeaError::Zip(e.to_string());
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    w.start_file(xml_name, optionen).map_err(|e| fehler(&e))?;
    w.write_all(xml.as_bytes()).map_err(|e| fehler(&e))?;
    for d in &a.dokumente {
        w.start_file(primaer_dateiname(d), optionen)
            .map_err(|e| fehler(&e))?;
        w.write_all(&d.inhalt).map_err(|e| fehler(&e))?;
    }
    Ok(w.finish().map_err(|e| fehler(&e))?.into_inner())
}

/// An opened container: the message and the files beside it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GelesenerContainer {
    /// ProzessID of the message.
    pub prozess_id: Uuid,
    /// The message XML.
    pub xml: String,
    /// Every other entry (name, bytes), in container order; names are safe file names.
    pub dateien: Vec<(String, Vec<u8>)>,
}

/// Opens a 0605 container: at most [`MAX_EINTRAEGE`] entries and [`MAX_ENTPACKT`] bytes
/// unpacked, only plain file names; exactly one message XML whose name matches its
/// ProzessID; every Primärdokument the message names is present, with the SHA-256 and size
/// the message gives for it.
pub fn container_lesen(zip: &[u8]) -> Result<GelesenerContainer, XdomeaError> {
    container_lesen_begrenzt(zip, MAX_ENTPACKT)
}

/// [`container_lesen`] with another limit for the unpacked size (bytes, all entries).
pub fn container_lesen_begrenzt(
    zip: &[u8],
    max_entpackt: u64,
) -> Result<GelesenerContainer, XdomeaError> {
    let mut archiv =
        zip::ZipArchive::new(Cursor::new(zip)).map_err(|e| XdomeaError::Zip(e.to_string()))?;
    if archiv.len() > MAX_EINTRAEGE {
        return Err(XdomeaError::ZuVieleDateien(MAX_EINTRAEGE));
    }
    let zu_gross = || XdomeaError::ZuGross {
        was: "Der entpackte Inhalt des xdomea-Containers".into(),
        grenze: max_entpackt,
    };
    let mut gesehen = HashSet::new();
    let mut xml: Option<(String, Vec<u8>)> = None;
    let mut dateien = Vec::new();
    let mut gelesen = 0u64;
    for i in 0..archiv.len() {
        let mut eintrag = archiv
            .by_index(i)
            .map_err(|e| XdomeaError::Zip(e.to_string()))?;
        let name = String::from_utf8_lossy(eintrag.name_raw()).into_owned();
        if eintrag.is_dir() || !name_ist_sicher(&name) {
            return Err(XdomeaError::UnsichererName(lesbar(&name)));
        }
        if !gesehen.insert(name.clone()) {
            return Err(XdomeaError::DoppelterName(name));
        }
        if eintrag.encrypted() {
            return Err(XdomeaError::Zip(format!(
                "„{name}“ ist verschlüsselt; das wird nicht unterstützt"
            )));
        }
        let rest = max_entpackt - gelesen;
        if eintrag.size() > rest {
            return Err(zu_gross());
        }
        let mut inhalt = Vec::with_capacity(eintrag.size().min(64 * 1024 * 1024) as usize);
        (&mut eintrag)
            .take(rest + 1)
            .read_to_end(&mut inhalt)
            .map_err(|e| XdomeaError::Zip(format!("„{name}“: {e}")))?;
        gelesen += inhalt.len() as u64;
        if gelesen > max_entpackt {
            return Err(zu_gross());
        }
        if name.ends_with(NACHRICHT_ENDUNG) {
            if xml.is_some() {
                return Err(XdomeaError::DoppelterName(format!("*{NACHRICHT_ENDUNG}")));
            }
            xml = Some((name, inhalt));
        } else {
            dateien.push((name, inhalt));
        }
    }
    let (xml_name, xml) =
        xml.ok_or_else(|| XdomeaError::NachrichtFehlt(format!("{{ProzessID}}{NACHRICHT_ENDUNG}")))?;
    let wurzel = lesen::parsen(&xml, MAX_NACHRICHT, "Die xdomea-Nachricht")?;
    if wurzel.ns.as_deref() != Some(NAMESPACE) || wurzel.name != "FVDaten.SGOAblegen.0605" {
        return Err(XdomeaError::FalscheNachricht {
            erwartet: "FVDaten.SGOAblegen.0605 (xdomea 3.1.0)".into(),
            gefunden: wurzel.name.clone(),
        });
    }
    let prozess_id = wurzel
        .text(&["Kopf", "ProzessID"])
        .and_then(|t| Uuid::parse_str(&t).ok())
        .ok_or_else(|| XdomeaError::Feld("Kopf/ProzessID".into()))?;
    if xml_name != nachricht_name(&prozess_id) {
        return Err(XdomeaError::Feld(format!(
            "Kopf/ProzessID (passt nicht zum Dateinamen „{xml_name}“)"
        )));
    }
    let inhalte: BTreeMap<&str, &[u8]> = dateien
        .iter()
        .map(|(n, b)| (n.as_str(), b.as_slice()))
        .collect();
    let mut dokumente = Vec::new();
    wurzel.nachfahren("Dokument", &mut dokumente);
    for d in dokumente {
        pruefen(d, &inhalte)?;
    }
    let xml = String::from_utf8(xml)
        .map_err(|e| XdomeaError::Xml(format!("keine UTF-8-Kodierung: {e}")))?;
    Ok(GelesenerContainer {
        prozess_id,
        xml,
        dateien,
    })
}

/// Every Primärdokument of the Dokument `d` is in the container and matches the checksum
/// extension (when the message has one: foreign producers may not write it).
fn pruefen(d: &Element, inhalte: &BTreeMap<&str, &[u8]>) -> Result<(), XdomeaError> {
    let pruefsumme = d
        .alle("AnwendungsspezifischeErweiterung")
        .find(|e| e.text(&["Kennung"]).as_deref() == Some(PRUEFSUMME_KENNUNG));
    let feld = |name: &str| {
        pruefsumme.and_then(|e| {
            e.alle("Feld")
                .find(|f| f.text(&["Name"]).as_deref() == Some(name))
                .and_then(|f| f.text(&["Wert"]))
        })
    };
    let sha = feld("SHA-256").map(|s| s.to_ascii_lowercase());
    let groesse = feld("Groesse");
    for version in d.alle("Version") {
        for format in version.alle("Format") {
            let Some(name) = format.text(&["Primaerdokument", "Dateiname"]) else {
                return Err(XdomeaError::Feld("Primaerdokument/Dateiname".into()));
            };
            let inhalt = inhalte
                .get(name.as_str())
                .ok_or_else(|| XdomeaError::DateiFehlt(lesbar(&name)))?;
            if let Some(sha) = &sha
                && hex::encode(Sha256::digest(inhalt)) != *sha
            {
                return Err(XdomeaError::PruefsummeFalsch(name));
            }
            if let Some(g) = &groesse
                && *g != inhalt.len().to_string()
            {
                return Err(XdomeaError::PruefsummeFalsch(name));
            }
        }
    }
    Ok(())
}

/// A hostile name made printable for an error message (no controls, at most 120 chars).
fn lesbar(name: &str) -> String {
    name.chars()
        .map(|c| if c.is_control() { '?' } else { c })
        .take(MAX_NAME)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn safe_names_keep_the_extension_and_lose_everything_dangerous() {
        assert_eq!(sicherer_name("../../etc/passwd", 83), "etc_passwd");
        assert_eq!(sicherer_name("a\\b.pdf", 83), "a_b.pdf");
        assert_eq!(
            sicherer_name("Übersicht Größe.PDF", 83),
            "Uebersicht_Groesse.PDF"
        );
        assert_eq!(sicherer_name("...", 83), "dokument");
        assert_eq!(sicherer_name("", 83), "dokument");
        assert_eq!(sicherer_name(".bashrc", 83), "bashrc");
        assert_eq!(sicherer_name("x\u{0}\u{1b}[31m.txt", 83), "x_31m.txt");
        let lang = "a".repeat(300) + ".pdf";
        let s = sicherer_name(&lang, 83);
        assert_eq!(s.len(), 83);
        assert!(s.ends_with(".pdf"));
    }

    #[test]
    fn only_plain_names_are_accepted_when_reading() {
        for schlecht in ["../x", "a/b", "a\\b", ".x", "a..b", "", "c:x", "a\u{0}b"] {
            assert!(!name_ist_sicher(schlecht), "{schlecht:?}");
        }
        assert!(name_ist_sicher("0b0e_Bescheid.pdf"));
        assert!(name_ist_sicher("Größe.pdf"));
    }
}
