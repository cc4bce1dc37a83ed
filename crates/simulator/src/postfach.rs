//! The simulated applicants' Postfach ([`crate::SimConfig::postfach`]): what an applicant
//! received, decrypted, so a person (or a test) can look at what reached them.
//!
//! Layout: `<postfach>/<case_id>/<reply_id>/` with `daten.json` (the reply's data, pretty
//! printed when it is JSON), `metadaten.json` (the reply's metadata) and every attachment under
//! the file name its metadata give, made safe by [`dateiname`]. Every file is written to
//! `*.tmp` first and renamed. Writing is best effort: a failure is logged and never turns
//! an accepted reply into a rejected one (the applicant did read it).

use std::path::{Path, PathBuf};

use crate::zustand::atomar_schreiben;

/// What the applicant read in a reply: everything decrypted and checked.
#[derive(Debug, Default)]
pub(crate) struct Gelesen {
    /// The metadata (JSON).
    pub metadaten: Vec<u8>,
    /// The data, if the reply has any.
    pub daten: Option<Vec<u8>>,
    /// The attachments: id, file name from the metadata, content.
    pub anlagen: Vec<(String, Option<String>, Vec<u8>)>,
}

/// Names Windows reserves for devices, in any case and with any extension.
const GERAETENAMEN: &[&str] = &[
    "CON", "PRN", "AUX", "NUL", "COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7", "COM8",
    "COM9", "LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9",
];

/// Longest file name kept (bytes); longer ones are cut at a character boundary.
const MAX_NAME: usize = 120;

/// A file name for `name` that stays inside its directory on every OS: the path's parts
/// without empty, `.` and `..` parts, joined with `_`; control characters and the characters
/// Windows forbids become `_`; leading dots and trailing dots and spaces go; a device name
/// (`CON`, `NUL.txt`) gets a leading `_`. Nothing left: `ersatz` (made safe the same way),
/// else `anlage`.
pub fn dateiname(name: &str, ersatz: &str) -> String {
    fn sicher(name: &str) -> Option<String> {
        let teile: Vec<String> = name
            .split(['/', '\\'])
            .map(|t| {
                t.chars()
                    .map(|c| {
                        if c.is_control() || matches!(c, '<' | '>' | ':' | '"' | '|' | '?' | '*') {
                            '_'
                        } else {
                            c
                        }
                    })
                    .collect::<String>()
            })
            .filter(|t| !t.trim().is_empty() && t != "." && t != "..")
            .collect();
        let ganz = teile.join("_");
        let mut s = ganz
            .trim_start_matches(['.', ' '])
            .trim_end_matches(['.', ' '])
            .to_owned();
        if s.len() > MAX_NAME {
            let mut ende = MAX_NAME;
            while !s.is_char_boundary(ende) {
                ende -= 1;
            }
            s.truncate(ende);
            s = s.trim_end_matches(['.', ' ']).to_owned();
        }
        if s.is_empty() {
            return None;
        }
        let stamm = s.split('.').next().unwrap_or_default().trim_end();
        if GERAETENAMEN.iter().any(|g| g.eq_ignore_ascii_case(stamm)) {
            s.insert(0, '_');
        }
        Some(s)
    }
    sicher(name)
        .or_else(|| sicher(ersatz))
        .unwrap_or_else(|| "anlage".to_owned())
}

fn huebsch(bytes: &[u8]) -> Vec<u8> {
    serde_json::from_slice::<serde_json::Value>(bytes)
        .ok()
        .and_then(|v| serde_json::to_vec_pretty(&v).ok())
        .unwrap_or_else(|| bytes.to_vec())
}

/// The directory of a case in the Postfach.
pub(crate) fn vorgangsordner(postfach: &Path, case_id: &str) -> PathBuf {
    postfach.join(dateiname(case_id, "vorgang"))
}

/// Writes what the applicant read in reply `reply_id` of `case_id`; returns the files.
pub(crate) fn ablegen(
    postfach: &Path,
    case_id: &str,
    reply_id: &str,
    gelesen: &Gelesen,
) -> std::io::Result<Vec<PathBuf>> {
    let ordner = vorgangsordner(postfach, case_id).join(dateiname(reply_id, "antwort"));
    std::fs::create_dir_all(&ordner)?;
    let mut vergeben: Vec<String> = vec!["daten.json".into(), "metadaten.json".into()];
    let mut dateien = Vec::new();
    if let Some(d) = &gelesen.daten {
        let p = ordner.join("daten.json");
        atomar_schreiben(&p, &huebsch(d))?;
        dateien.push(p);
    }
    let p = ordner.join("metadaten.json");
    atomar_schreiben(&p, &huebsch(&gelesen.metadaten))?;
    dateien.push(p);
    for (id, name, inhalt) in &gelesen.anlagen {
        let mut n = dateiname(name.as_deref().unwrap_or_default(), id);
        // Two attachments of one name, or one called like the data files: keep both.
        if vergeben.iter().any(|v| v.eq_ignore_ascii_case(&n)) {
            n = dateiname(&format!("{id}_{n}"), id);
        }
        vergeben.push(n.clone());
        let p = ordner.join(&n);
        atomar_schreiben(&p, inhalt)?;
        dateien.push(p);
    }
    Ok(dateien)
}

/// Every file below `ordner`, sorted (none when it does not exist).
pub(crate) fn dateien_unter(ordner: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut offen = vec![ordner.to_path_buf()];
    while let Some(o) = offen.pop() {
        let Ok(eintraege) = std::fs::read_dir(&o) else {
            continue;
        };
        for e in eintraege.flatten() {
            match e.file_type() {
                Ok(t) if t.is_dir() => offen.push(e.path()),
                Ok(t) if t.is_file() => out.push(e.path()),
                _ => {}
            }
        }
    }
    out.sort();
    out
}

#[cfg(test)]
mod tests {
    use super::dateiname;

    #[test]
    fn hostile_file_names_become_plain_names_inside_the_directory() {
        assert_eq!(dateiname("Bescheid.pdf", "id"), "Bescheid.pdf");
        assert_eq!(dateiname("../../etc/passwd", "id"), "etc_passwd");
        assert_eq!(dateiname("a/b", "id"), "a_b");
        assert_eq!(dateiname("a\\..\\b", "id"), "a_b");
        assert_eq!(dateiname("con\u{0}x", "id"), "con_x");
        assert_eq!(dateiname("CON.pdf", "id"), "_CON.pdf");
        assert_eq!(dateiname("..", "id-1"), "id-1");
        assert_eq!(dateiname("", "id-1"), "id-1");
        assert_eq!(dateiname(".versteckt", "id"), "versteckt");
        assert_eq!(dateiname("a:b?.pdf", "id"), "a_b_.pdf");
        assert_eq!(dateiname("/", "../"), "anlage");
        let lang = "ä".repeat(200);
        assert!(dateiname(&lang, "id").len() <= super::MAX_NAME);
    }
}
