//! Fetching a submission: download, decrypt, verify, and file its attachments.
//!
//! `Kern::herunterladen` opens a submission (metadata, form data, authentication tags),
//! checks its attachment ids and the size limits of [`crate::Konfiguration`], and streams each
//! attachment through decryption into the encrypted attachment store ([`StoreSink`]), never
//! held whole. Only when every attachment verified are they filed, each under its SHA-512 and
//! with its name cleaned once ([`sicherer_dateiname`]); the result is plain data
//! ([`Eingang`]) for the mapping in [`crate::aufnahme`]. A defective submission becomes a
//! decision to reject, not an error.

use domain::Eingangszustand;
use fitconnect::client::{AttachmentSink, check_attachment_ids, open_submission};
use fitconnect::metadata::AttachmentRef;
use fitconnect::model::Submission;
use fitconnect::set::{AuthenticationTags, SetProblem};
use store::{AnlageSchreiber, Store, StoreError};
use time::OffsetDateTime;

use crate::SyncError;
use crate::aufnahme::{AbgelegteAnlage, Eingang};
use crate::engine::{Kern, blockierend};

/// What the fetch learnt from the service before deciding.
pub(crate) enum Entscheidung {
    /// Opened and verified, every attachment filed.
    Annehmen {
        eingang: Box<Eingang>,
        tags: AuthenticationTags,
    },
    /// Defective: to be rejected with `problem`.
    Ablehnen {
        submission: Box<Submission>,
        problem: SetProblem,
        fehler: String,
    },
}

impl Kern {
    /// The network part of a fetch. `Err` is a failure to retry or report; a defective
    /// submission is `Ok(Ablehnen)`.
    pub(crate) async fn herunterladen(&self, sid: &str) -> Result<Entscheidung, fitconnect::Error> {
        let submission = Box::new(self.client.submission(sid).await?);
        let ablehnen = |submission: Box<Submission>, e: fitconnect::Error| {
            e.rejection()
                .map(|problem| Entscheidung::Ablehnen {
                    submission,
                    problem,
                    fehler: e.to_string(),
                })
                .ok_or(e)
        };
        let opened = match open_submission(
            &self.keys.encryption,
            &self.forms,
            submission.encrypted_metadata.as_deref(),
            submission.encrypted_data.as_deref(),
        ) {
            Ok(o) => o,
            Err(e) => return ablehnen(submission, e),
        };
        if let Err(e) = check_attachment_ids(&submission.attachments, &opened.metadata) {
            return ablehnen(submission, e);
        }
        let gesamt_grenze = self.cfg.max_bytes_je_einreichung;
        let daten_bytes = opened.data.as_ref().map_or(0, |d| d.len() as u64);
        if daten_bytes > gesamt_grenze {
            let e = fitconnect::Error::LimitExceeded {
                what: "Die Fachdaten".into(),
                groesse: daten_bytes,
                grenze: gesamt_grenze,
            };
            return ablehnen(submission, e);
        }
        let mut tags = opened.tags;
        let mut sink = StoreSink::new(&self.store);
        for meta in &opened.metadata.content_structure.attachments {
            let bisher = daten_bytes + sink.bytes;
            let rest = gesamt_grenze.saturating_sub(bisher);
            let grenze = self.cfg.max_bytes_je_anlage.min(rest);
            match self
                .client
                .attachment_into_limited(sid, meta, &self.keys.encryption, &mut sink, grenze)
                .await
            {
                Ok(tag) => {
                    tags.attachments.insert(meta.attachment_id.clone(), tag);
                }
                // The remaining budget, not the per-attachment limit, was hit: name the whole.
                Err(fitconnect::Error::LimitExceeded { groesse, .. })
                    if grenze < self.cfg.max_bytes_je_anlage =>
                {
                    let e = fitconnect::Error::LimitExceeded {
                        what: "Die Einreichung (Fachdaten und Anlagen zusammen)".into(),
                        groesse: bisher + groesse,
                        grenze: gesamt_grenze,
                    };
                    return ablehnen(submission, e);
                }
                Err(e) => return ablehnen(submission, e),
            }
        }
        if let Some(e) = sink.fehler.take() {
            return Err(fitconnect::Error::Protocol {
                endpoint: "anlage-ablage".into(),
                detail: e,
            });
        }
        // Every attachment verified: only now are they filed in the attachment store, so a
        // submission rejected for its third attachment leaves nothing of the first two.
        let anlagen = blockierend(|| sink.ablegen()).map_err(|e| fitconnect::Error::Protocol {
            endpoint: "anlage-ablage".into(),
            detail: format!("Anlage nicht speicherbar: {e}"),
        })?;
        Ok(Entscheidung::Annehmen {
            eingang: Box::new(Eingang::aus(
                &submission,
                &opened.metadata,
                opened.data,
                anlagen,
            )),
            tags,
        })
    }

    /// A submission stored without its accept queued (only a store written by an older
    /// engine, or by hand): the accept needs the authentication tags, which are only in the
    /// encrypted parts, so the submission is downloaded again (attachments only hashed).
    pub(crate) async fn annahme_nachholen(&self, sid: &str) -> Result<(), SyncError> {
        let s = self.client.submission(sid).await?;
        let opened = open_submission(
            &self.keys.encryption,
            &self.forms,
            s.encrypted_metadata.as_deref(),
            s.encrypted_data.as_deref(),
        )?;
        let mut tags = opened.tags;
        for meta in &opened.metadata.content_structure.attachments {
            let mut sink = fitconnect::client::DiscardSink::default();
            let tag = self
                .client
                .attachment_into(sid, meta, &self.keys.encryption, &mut sink)
                .await?;
            tags.attachments.insert(meta.attachment_id.clone(), tag);
        }
        let annahme = self.annahme_auftrag(sid, &s.case_id, &tags)?;
        self.store.write(|w| {
            let mut annahme = annahme.clone();
            annahme.vorgang_id = w.einreichung(sid)?.and_then(|i| i.vorgang_id);
            w.outbox_einreihen(&annahme, OffsetDateTime::now_utc())?;
            w.einreichung_zustand_setzen(sid, Eingangszustand::AcceptPending, None)
        })?;
        Ok(())
    }
}

/// A file name from the applicant, made safe to show and to offer as a default name when
/// saving: only the last path component (`/` and `\\` both separate), without control and
/// bidirectional formatting characters (an RTL override makes `rechnung\u{202E}fdp.exe` look like a
/// PDF), without characters Windows forbids (`<>:"|?*` become `_`), not a Windows device name
/// (`CON.pdf` → `_CON.pdf`), without leading or trailing dots and spaces, at most 150
/// characters (the extension kept). Nothing usable left: `Anlage-<attachment id>`. The
/// original name stays in the stored metadata.
pub fn sicherer_dateiname(original: Option<&str>, attachment_id: &str) -> String {
    const MAX: usize = 150;
    const RESERVIERT: [&str; 22] = [
        "CON", "PRN", "AUX", "NUL", "COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7", "COM8",
        "COM9", "LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9",
    ];
    let ersatz = || {
        let id: String = attachment_id
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
            .take(36)
            .collect();
        format!("Anlage-{id}")
    };
    let Some(original) = original else {
        return ersatz();
    };
    let letzter = original.rsplit(['/', '\\']).next().unwrap_or_default();
    let bidi = |c: char| matches!(c, '\u{200E}' | '\u{200F}' | '\u{061C}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}');
    let mut name: String = letzter
        .chars()
        .filter(|c| !c.is_control() && !bidi(*c) && *c != '\u{FEFF}')
        .map(|c| if "<>:\"|?*".contains(c) { '_' } else { c })
        .collect();
    name = name
        .trim_matches(|c: char| c == '.' || c.is_whitespace())
        .to_owned();
    if name.is_empty() {
        return ersatz();
    }
    let stamm = name.split('.').next().unwrap_or_default().trim_end();
    if RESERVIERT.iter().any(|r| r.eq_ignore_ascii_case(stamm)) {
        name.insert(0, '_');
    }
    if name.chars().count() > MAX {
        let endung: String = match name.rsplit_once('.') {
            Some((_, e)) if e.chars().count() <= 10 => format!(".{e}"),
            _ => String::new(),
        };
        let stamm: String = name.chars().take(MAX - endung.chars().count()).collect();
        // The cut may end in dots or spaces, which Windows drops when saving (fuzzing find).
        let stamm = stamm.trim_end_matches(|c: char| c == '.' || c.is_whitespace());
        if stamm.is_empty() {
            return ersatz();
        }
        name = format!("{stamm}{endung}");
    }
    name
}

/// Whether an attachment's first bytes fit its declared MIME type, for the types whose
/// signature is unambiguous (PDF, PNG, JPEG, GIF, ZIP-based Office files). Other types are
/// not judged.
fn inhalt_passt(mime: &str, anfang: &[u8]) -> bool {
    let mime = mime
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    match mime.as_str() {
        "application/pdf" => anfang.starts_with(b"%PDF-"),
        "image/png" => anfang.starts_with(b"\x89PNG\r\n\x1a\n"),
        "image/jpeg" => anfang.starts_with(&[0xFF, 0xD8, 0xFF]),
        "image/gif" => anfang.starts_with(b"GIF87a") || anfang.starts_with(b"GIF89a"),
        m if m.starts_with("application/vnd.openxmlformats-officedocument.") => {
            anfang.starts_with(b"PK\x03\x04")
        }
        _ => true,
    }
}

/// How many leading bytes [`inhalt_passt`] looks at.
const ANFANG: usize = 8;

/// Streams verified attachments into the encrypted attachment store: each into a temporary
/// file; [`StoreSink::ablegen`] files them once all of a submission's attachments verified.
/// Dropped before that, it leaves nothing behind. Each attachment's name is cleaned here,
/// once, when its download begins ([`sicherer_dateiname`]); everything after carries it.
pub struct StoreSink<'s> {
    store: &'s Store,
    aktuell: Option<(AttachmentRef, String, AnlageSchreiber<'s>, Vec<u8>)>,
    bereit: Vec<(AttachmentRef, String, AnlageSchreiber<'s>)>,
    /// Decrypted bytes received so far (all attachments).
    pub bytes: u64,
    /// A storage failure (the client only learns that the sink failed).
    pub fehler: Option<String>,
}

impl<'s> StoreSink<'s> {
    /// A sink writing into `store`.
    pub fn new(store: &'s Store) -> Self {
        StoreSink {
            store,
            aktuell: None,
            bereit: Vec::new(),
            bytes: 0,
            fehler: None,
        }
    }

    /// Files every verified attachment under its SHA-512 (checked once more against the
    /// metadata) and returns each with its safe name, SHA-512 and size.
    pub fn ablegen(self) -> Result<Vec<AbgelegteAnlage>, StoreError> {
        let mut fertig = Vec::with_capacity(self.bereit.len());
        for (meta, dateiname, w) in self.bereit {
            let (sha512, groesse) = w.abschliessen_mit_pruefung(&meta.hash.content)?;
            fertig.push(AbgelegteAnlage {
                attachment_id: meta.attachment_id,
                dateiname,
                mime: meta.mime_type,
                sha512,
                groesse,
                beschreibung: meta.description,
            });
        }
        Ok(fertig)
    }

    fn ablage(&mut self, e: impl std::fmt::Display) -> fitconnect::Error {
        let text = format!("Anlage nicht speicherbar: {e}");
        self.fehler = Some(text.clone());
        fitconnect::Error::Protocol {
            endpoint: "anlage-ablage".into(),
            detail: text,
        }
    }
}

impl AttachmentSink for StoreSink<'_> {
    fn begin(&mut self, meta: &AttachmentRef) -> Result<(), fitconnect::Error> {
        match self.store.anlage_schreiber() {
            Ok(w) => {
                let name = sicherer_dateiname(meta.filename.as_deref(), &meta.attachment_id);
                self.aktuell = Some((meta.clone(), name, w, Vec::with_capacity(ANFANG)));
                Ok(())
            }
            Err(e) => Err(self.ablage(e)),
        }
    }

    fn write(&mut self, chunk: &[u8]) -> Result<(), fitconnect::Error> {
        self.bytes += chunk.len() as u64;
        let r = match &mut self.aktuell {
            Some((_, _, w, anfang)) => {
                let fehlt = ANFANG.saturating_sub(anfang.len()).min(chunk.len());
                anfang.extend_from_slice(&chunk[..fehlt]);
                std::io::Write::write_all(w, chunk)
            }
            None => Ok(()),
        };
        r.map_err(|e| self.ablage(e))
    }

    fn finish(&mut self, ok: bool) -> Result<(), fitconnect::Error> {
        // Not ok: dropping the writer removes its temporary file; nothing is recorded.
        let Some((meta, name, w, anfang)) = self.aktuell.take() else {
            return Ok(());
        };
        if !ok {
            return Ok(());
        }
        if !inhalt_passt(&meta.mime_type, &anfang) {
            return Err(fitconnect::Error::InvalidAttachmentContent {
                attachment_id: meta.attachment_id.clone(),
                detail: format!(
                    "Anlage {} ({name}) ist als {} angekündigt, ihr Inhalt ist aber keine solche Datei",
                    meta.attachment_id, meta.mime_type
                ),
            });
        }
        self.bereit.push((meta, name, w));
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_file_names_become_safe_names_and_harmless_ones_stay() {
        let n = |s: &str| sicherer_dateiname(Some(s), "0f8c-42");
        assert_eq!(n("Antrag.pdf"), "Antrag.pdf");
        assert_eq!(
            n("Grundriss Erdgeschoß (2).png"),
            "Grundriss Erdgeschoß (2).png"
        );
        assert_eq!(n("../../../../etc/passwd"), "passwd");
        assert_eq!(n("..\\..\\Windows\\System32\\drivers\\etc\\hosts"), "hosts");
        assert_eq!(n("/etc/shadow"), "shadow");
        assert_eq!(n("C:\\Windows\\win.ini"), "win.ini");
        assert_eq!(n("Anlage\u{0}.pdf.exe"), "Anlage.pdf.exe");
        assert_eq!(
            n("Zeile\nUmbruch\t\u{1b}[31mrot\u{7f}.pdf"),
            "ZeileUmbruch[31mrot.pdf"
        );
        assert_eq!(n("CON.pdf"), "_CON.pdf");
        assert_eq!(n("lpt1"), "_lpt1");
        assert_eq!(n("CONTRACT.pdf"), "CONTRACT.pdf");
        assert_eq!(n("rechnung\u{202E}fdp.exe"), "rechnungfdp.exe");
        assert_eq!(
            n("<img src=x onerror=alert(1)>.png"),
            "_img src=x onerror=alert(1)_.png"
        );
        assert_eq!(n(".."), "Anlage-0f8c-42");
        assert_eq!(n("   "), "Anlage-0f8c-42");
        assert_eq!(sicherer_dateiname(None, "../x"), "Anlage-x");
        let lang = n(&format!("{}.pdf", "a".repeat(300)));
        assert_eq!(lang.chars().count(), 150);
        assert!(lang.ends_with("aaa.pdf"));
    }

    #[test]
    fn content_must_fit_the_declared_type_where_the_type_has_a_signature() {
        assert!(inhalt_passt("application/pdf", b"%PDF-1.7\n"));
        assert!(!inhalt_passt("application/pdf", b"MZ\x90\x00"));
        assert!(!inhalt_passt("Application/PDF; name=x", b"<html>"));
        assert!(inhalt_passt("image/png", b"\x89PNG\r\n\x1a\n"));
        assert!(!inhalt_passt("image/jpeg", b"GIF89a"));
        assert!(inhalt_passt("text/plain", b"MZ"));
    }
}
