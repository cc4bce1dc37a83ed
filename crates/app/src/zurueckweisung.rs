//! The effects of the side exits on the applicant: „Antrag zurückweisen“ and „An andere
//! Behörde weiterleiten“ change the status *and* tell the applicant, in one transaction.
//!
//! - **Zurückweisung**: the reasons given for the action go into the template
//!   `assets/nachrichten/zurueckweisung.txt`; the message is also set as a letter (the Bescheid
//!   engine's DIN 5008 layout, PDF/A) and attached, so the applicant keeps a document of the
//!   decision. With a FIT-Connect reply channel it is sealed to the applicant's key and queued
//!   in the Postausgang with the status change; without one the letter is kept in the case
//!   (Anlagen, to print and post) and the message recorded „per Brief“.
//! - **Weiterleitung**: the applicant is told to whom the application went
//!   (`assets/nachrichten/weiterleitung.txt`, placeholder `{Empfänger}`), the same two ways; the application itself (form data and attachments) is exported for the receiving
//!   authority with „Speichern unter…“ of its documents (there is no second FIT-Connect
//!   destination to forward to in this build).

use domain::bearbeitung::handeln_pruefen;
use domain::{Aktion, Kanal, NachrichtArt, Richtung, VorgangId};
use ipc::{ErrorCode, IpcError, VorgangDetail};
use time::OffsetDateTime;

use crate::nachrichten::{fuellen, vorlage};
use crate::vorgang::{fakten, rolle_fuer};
use crate::{AppContext, fehler};

/// The template of the message that tells the applicant where the application went.
const WEITERLEITUNG: &str = include_str!("../../../assets/nachrichten/weiterleitung.txt");

fn ungueltig(m: impl Into<String>) -> IpcError {
    IpcError::new(ErrorCode::InvalidInput, m)
}

impl AppContext {
    /// „Antrag zurückweisen“ (with `begruendung`) or „An andere Behörde weiterleiten“ (with
    /// `empfaenger`): the status change and the message to the applicant, together.
    pub(crate) fn seitenausgang(
        &self,
        vid: &VorgangId,
        aktion: Aktion,
        begruendung: Option<String>,
        empfaenger: Option<String>,
    ) -> Result<VorgangDetail, IpcError> {
        let v = self.lesen(vid)?;
        let ich = self.sitzung.benutzer.clone();
        let rolle = rolle_fuer(&self.sitzung.domain_rollen(), v.status, aktion);
        if domain::status::uebergang(v.status, aktion).is_some() {
            handeln_pruefen(v.zustaendig.as_deref(), &ich, rolle)
                .map_err(|h| ungueltig(h.to_string()))?;
        }
        let f = fakten(&v, begruendung.is_some(), empfaenger.is_some());
        // Checked here for a clear refusal, and again in the transaction.
        v.status
            .anwenden(aktion, rolle, &f)
            .map_err(|e| ungueltig(e.to_string()))?;
        // What differs between the two: the message's kind, template and file name, and the
        // input the audit entry names.
        let (art, vorlage_text, dokument, details) = match aktion {
            Aktion::Zurueckweisen => (
                NachrichtArt::Zurueckweisung,
                vorlage(NachrichtArt::Zurueckweisung),
                "Zurückweisung",
                format!("Begründung: {}", begruendung.clone().unwrap_or_default()),
            ),
            _ => (
                NachrichtArt::Nachricht,
                WEITERLEITUNG,
                "Weiterleitung",
                format!("Empfänger: {}", empfaenger.clone().unwrap_or_default()),
            ),
        };
        let mut werte = self.werte(&v, &[], None);
        for (k, wert) in [("Begründung", &begruendung), ("Empfänger", &empfaenger)] {
            if let Some(w) = wert {
                werte.retain(|(x, _)| *x != k);
                werte.push((k, w.clone()));
            }
        }
        let (betreff, text) = fuellen(vorlage_text, &werte);
        let (dateiname, pdf) = self.brief_setzen(&v, &betreff, &text, Vec::new())?;
        let dateiname = dateiname.replacen("Schreiben", dokument, 1);
        let abgelegt = self.dokument_ablegen(&dateiname, "application/pdf", &pdf)?;
        let was = |von: domain::Status, nach: domain::Status| {
            format!(
                "status: {} → {} ({})",
                von.code(),
                nach.code(),
                aktion.bezeichnung()
            )
        };
        let metadaten = self
            .store
            .read(|r| sync::antwort::metadaten_lesen(r, &v))
            .map_err(fehler)?;
        if sync::antwort::rueckkanal_von(&v, metadaten.as_deref()).is_ok() {
            let ablage = abgelegt.clone();
            let details2 = details.clone();
            let aendern: sync::antwort::Aenderung<'_> = Box::new(move |v| {
                let von = v.status;
                let nach = v.anwenden(aktion, rolle, &f)?;
                if !v.anlagen.iter().any(|a| a.sha512 == ablage.sha512) {
                    v.anlagen.push(ablage);
                }
                Ok(Some((was(von, nach), details2)))
            });
            let antwort = sync::Antwort {
                art,
                betreff,
                text,
                anlagen: vec![sync::AntwortAnlage {
                    dateiname,
                    mime: "application/pdf".into(),
                    inhalt: pdf,
                }],
                nachweise: Vec::new(),
                frist: None,
            };
            sync::antwort_einreihen(&self.store, vid, antwort, &ich, aendern)
                .map_err(|e| ungueltig(e.to_string()))?;
            if let Some(s) = self.sync.get() {
                s.jetzt_abrufen();
            }
        } else {
            self.store
                .write(|w| {
                    let mut v = w.vorgang(vid)?.ok_or_else(|| {
                        store::StoreError::NichtGefunden(format!("Der Vorgang {vid}"))
                    })?;
                    let von = v.status;
                    let nach = v.anwenden(aktion, rolle, &f)?;
                    if !v.anlagen.iter().any(|a| a.sha512 == abgelegt.sha512) {
                        v.anlagen.push(abgelegt.clone());
                    }
                    v.nachrichten.push(domain::Nachricht {
                        art,
                        kanal: Kanal::Brief,
                        anlagen: vec![dateiname.clone()],
                        von: Some(ich.clone()),
                        ..domain::Nachricht::neu(
                            Richtung::Ausgehend,
                            OffsetDateTime::now_utc(),
                            &betreff,
                            &text,
                        )
                    });
                    w.audit_anhaengen(
                        &ich,
                        crate::nachrichten::BRIEF_ERSTELLT,
                        Some(vid),
                        &format!("{dateiname} (kein Rückkanal: zum Ausdrucken im Vorgang)"),
                    )?;
                    w.vorgang_aendern(&v, &ich, &was(von, nach), &details)
                })
                .map_err(fehler)?;
        }
        self.vorgang_erneut(vid.to_string())
    }
}

/// Audit code of an application exported for another authority.
pub const EXPORTIERT: &str = "vorgang.exportiert";

/// A name safe in any file system (the Aktenzeichen has slashes).
fn sicher(name: &str) -> String {
    let n: String = name
        .chars()
        .map(|c| {
            if c.is_control() || "/\\:*?\"<>|".contains(c) {
                '-'
            } else {
                c
            }
        })
        .collect();
    let n = n.trim_matches(['.', ' ']).to_owned();
    if n.is_empty() { "Anlage".into() } else { n }
}

impl AppContext {
    /// Exports the application of a forwarded (or any) case for the receiving authority into
    /// a new folder `<ziel>/<Aktenzeichen>/`: the form data as received (`Antrag.json` or
    /// `Antrag.xml`), every attachment of the case under its name (the letters included).
    /// Written into a temporary folder first and renamed: complete or not at all. Audited.
    /// Returns the folder.
    pub fn vorgang_exportieren(
        &self,
        id: &str,
        ziel: &std::path::Path,
    ) -> Result<String, IpcError> {
        let vid = crate::vorgang_id(id)?;
        let v = self.lesen(&vid)?;
        let az = v
            .aktenzeichen
            .as_ref()
            .map(|a| a.0.clone())
            .unwrap_or_default();
        let ordner = ziel.join(sicher(&format!("Antrag {az}")));
        if ordner.exists() {
            return Err(ungueltig(format!(
                "Im gewählten Ordner gibt es „{}“ schon. Wählen Sie einen anderen Ordner oder benennen Sie den vorhandenen um.",
                ordner.display()
            )));
        }
        let tmp = ziel.join(format!(".amtsstube-export-{}", uuid::Uuid::new_v4()));
        let schreibfehler = |e: std::io::Error| {
            ungueltig(format!(
                "In {} lässt sich nicht schreiben ({e}). Prüfen Sie den Ordner und den freien Platz.",
                ziel.display()
            ))
        };
        let ergebnis = (|| -> Result<(), IpcError> {
            std::fs::create_dir(&tmp).map_err(schreibfehler)?;
            let endung = match v.formulardaten.format {
                domain::DatenFormat::Json => "json",
                domain::DatenFormat::Xml => "xml",
            };
            std::fs::write(
                tmp.join(format!("Antrag.{endung}")),
                &v.formulardaten.inhalt,
            )
            .map_err(schreibfehler)?;
            let mut namen = std::collections::HashSet::new();
            for a in &v.anlagen {
                let mut name = sicher(&a.dateiname);
                if !namen.insert(name.clone()) {
                    name = format!("{}-{name}", &a.sha512[..8.min(a.sha512.len())]);
                    namen.insert(name.clone());
                }
                let mut leser = self.store.anlage_leser(&a.sha512).map_err(fehler)?;
                let mut datei = std::fs::File::create(tmp.join(&name)).map_err(schreibfehler)?;
                std::io::copy(&mut leser, &mut datei).map_err(schreibfehler)?;
                datei.sync_all().map_err(schreibfehler)?;
            }
            std::fs::rename(&tmp, &ordner).map_err(schreibfehler)
        })();
        if let Err(e) = ergebnis {
            let _ = std::fs::remove_dir_all(&tmp);
            return Err(e);
        }
        let ich = self.sitzung.benutzer.clone();
        let text = ordner.display().to_string();
        self.store
            .write(|w| {
                w.audit_anhaengen(
                    &ich,
                    EXPORTIERT,
                    Some(&vid),
                    &format!("{} Datei(en) nach {text}", v.anlagen.len() + 1),
                )
            })
            .map_err(fehler)?;
        Ok(text)
    }
}
