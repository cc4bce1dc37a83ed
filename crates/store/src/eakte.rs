//! The store's side of the E-Akte hand-over (issue 17): which case a ProzessID belongs to,
//! purging a case's content once the E-Akte holds it, and compacting the file afterwards so
//! nothing of it stays in free pages.
//!
//! Purge ([`Schreiben::vorgang_aussondern`]) is one transaction: the case row stays as a
//! tombstone (Aktenzeichen, Leistung, dates, the [`domain::eakte::EAkteVermerk`] with the
//! E-Akte's reference) while the form data, the applicant, notes, messages, the decision
//! draft, the intake rows and every attachment only this case used are deleted. An
//! attachment's file is encrypted under its own key kept in the `anlage` row; deleting the row
//! destroys the key (crypto-shred) and the file is removed afterwards by
//! [`crate::Store::anlagen_aufraeumen`]. The audit chain is not touched: it holds no form
//! data and stays verifiable. [`crate::Store::verdichten`] then merges the search index
//! (dropping the deleted rows' tokens), checkpoints the WAL and VACUUMs, with
//! `secure_delete` on, so the freed pages are overwritten rather than left behind.
//!
//! [`crate::Store::klartext_finden`] is the check of that: it decrypts the whole database
//! into memory (never to disk) and searches the bytes for a marker.

use domain::{Vorgang, VorgangId};
use rusqlite::{OptionalExtension, params};
use time::OffsetDateTime;

use crate::error::{Result, StoreError};
use crate::{Lesen, Schreiben, ms};

/// What a purge removed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Aussonderung {
    /// Attachments whose key was destroyed (used by no other case).
    pub anlagen: u32,
    /// Intake rows (submission, Nachreichungen) emptied.
    pub einreichungen: u32,
    /// Outbox rows of the case emptied.
    pub auftraege: u32,
}

/// Audit code of a purge.
pub const AUSGESONDERT: &str = "vorgang.ausgesondert";

impl Schreiben<'_> {
    /// Records that `prozess_id` is a hand-over of case `vorgang` (idempotent).
    pub fn eakte_abgabe_eintragen(
        &self,
        prozess_id: &str,
        vorgang: &VorgangId,
        jetzt: OffsetDateTime,
    ) -> Result<()> {
        self.conn
            .prepare_cached(
                "INSERT INTO eakte_abgabe (prozess_id, vorgang_id, angelegt_ms) VALUES (?1, ?2, ?3)
                 ON CONFLICT (prozess_id) DO NOTHING",
            )?
            .execute(params![
                prozess_id.to_ascii_lowercase(),
                vorgang.to_string(),
                ms(jetzt)
            ])?;
        Ok(())
    }

    /// Purges the content of case `id`, which must have been imported by the E-Akte: the row
    /// becomes the tombstone `grabstein` (the caller builds it with
    /// [`grabstein`]), everything else of the case is deleted. See the module doc.
    pub fn vorgang_aussondern(
        &self,
        id: &VorgangId,
        wer: &str,
        jetzt: OffsetDateTime,
    ) -> Result<Aussonderung> {
        let v = self
            .vorgang(id)?
            .ok_or_else(|| StoreError::NichtGefunden(format!("Der Vorgang {id}")))?;
        let vermerk = v
            .eakte
            .as_ref()
            .filter(|e| e.importiert.is_some())
            .ok_or_else(|| {
                StoreError::Unzulaessig(format!(
                    "Der Vorgang {} ist von der E-Akte noch nicht übernommen; seine Daten bleiben.",
                    az(&v)
                ))
            })?;
        if vermerk.geloescht.is_some() {
            return Ok(Aussonderung::default());
        }
        // Secure delete for this transaction's pages (the connection keeps it; harmless).
        self.conn.execute_batch("PRAGMA secure_delete = ON;")?;
        let vid = id.to_string();
        let nr: i64 = self
            .conn
            .query_row("SELECT nr FROM vorgang WHERE id = ?1", [&vid], |r| r.get(0))?;
        let mut anlagen: Vec<String> = {
            let mut st = self
                .conn
                .prepare("SELECT DISTINCT sha512 FROM vorgang_anlage WHERE vorgang_nr = ?1")?;
            st.query_map([nr], |r| r.get(0))?
                .collect::<rusqlite::Result<_>>()?
        };
        let einreichungen: Vec<String> = {
            let mut st = self
                .conn
                .prepare("SELECT submission_id FROM einreichung WHERE vorgang_id = ?1")?;
            st.query_map([&vid], |r| r.get(0))?
                .collect::<rusqlite::Result<_>>()?
        };
        for s in &einreichungen {
            let mut st = self
                .conn
                .prepare("SELECT sha512 FROM einreichung_anlage WHERE submission_id = ?1")?;
            for h in st.query_map([s], |r| r.get::<_, String>(0))? {
                anlagen.push(h?);
            }
            self.conn.execute(
                "DELETE FROM einreichung_anlage WHERE submission_id = ?1",
                [s],
            )?;
            self.conn.execute(
                "UPDATE einreichung SET metadaten = NULL, formulardaten = NULL, letzter_fehler = NULL
                 WHERE submission_id = ?1",
                [s],
            )?;
        }
        anlagen.sort();
        anlagen.dedup();
        self.conn
            .execute("DELETE FROM vorgang_anlage WHERE vorgang_nr = ?1", [nr])?;
        let mut zerstoert = 0u32;
        for h in &anlagen {
            let noch_benutzt: bool = self.conn.query_row(
                "SELECT EXISTS (SELECT 1 FROM vorgang_anlage WHERE sha512 = ?1)
                     OR EXISTS (SELECT 1 FROM einreichung_anlage WHERE sha512 = ?1)",
                [h],
                |r| r.get(0),
            )?;
            if !noch_benutzt {
                zerstoert += self
                    .conn
                    .execute("DELETE FROM anlage WHERE sha512 = ?1", [h])?
                    as u32;
            }
        }
        self.conn
            .execute("DELETE FROM bescheid_entwurf WHERE vorgang_id = ?1", [&vid])?;
        self.conn
            .execute("DELETE FROM bescheid_gesehen WHERE vorgang_id = ?1", [&vid])?;
        let auftraege = self.conn.execute(
            "UPDATE outbox SET nutzlast = X'', letzter_fehler = NULL
             WHERE vorgang_id = ?1 AND zustand <> 'offen'",
            [&vid],
        )? as u32;
        let mut grab = grabstein(&v);
        if let Some(e) = grab.eakte.as_mut() {
            e.geloescht = Some(jetzt);
        }
        let referenz = vermerk.referenz.clone().unwrap_or_else(|| "—".into());
        self.vorgang_aendern(
            &grab,
            wer,
            AUSGESONDERT,
            &format!(
                "E-Akte-Referenz {referenz}; {zerstoert} Anlagen-Schlüssel vernichtet, {} Eingänge geleert",
                einreichungen.len()
            ),
        )?;
        Ok(Aussonderung {
            anlagen: zerstoert,
            einreichungen: einreichungen.len() as u32,
            auftraege,
        })
    }
}

fn az(v: &Vorgang) -> String {
    v.aktenzeichen
        .as_ref()
        .map(|a| a.0.clone())
        .unwrap_or_else(|| v.id.to_string())
}

/// The tombstone of `v`: what stays after the purge. Identity, Aktenzeichen, Leistung, the
/// dates and the E-Akte's note; no applicant, no form data, no attachments, notes or messages.
pub fn grabstein(v: &Vorgang) -> Vorgang {
    let mut g = v.clone();
    g.antragsteller = domain::Antragsteller {
        name: String::new(),
        anschrift: None,
        kontakt: None,
    };
    g.formulardaten.inhalt = String::new();
    g.anlagen.clear();
    g.notizen.clear();
    g.nachrichten.clear();
    g.nachforderung = None;
    if let Some(b) = g.bescheid.as_mut() {
        // The decision's file went with the rest; its facts (date, approver) stay.
        b.sha512 = String::new();
        b.kassenzeichen = None;
    }
    g.zustaendig = v.zustaendig.clone();
    g
}

impl Lesen<'_> {
    /// The case a ProzessID belongs to (current or earlier hand-over).
    pub fn eakte_vorgang(&self, prozess_id: &str) -> Result<Option<VorgangId>> {
        let id: Option<String> = self
            .conn
            .prepare_cached("SELECT vorgang_id FROM eakte_abgabe WHERE prozess_id = ?1")?
            .query_row([prozess_id.to_ascii_lowercase()], |r| r.get(0))
            .optional()?;
        id.map(|s| {
            uuid::Uuid::parse_str(&s)
                .map(VorgangId)
                .map_err(|_| StoreError::Unzulaessig(format!("Ungültige Vorgangs-Id {s}.")))
        })
        .transpose()
    }

    /// Cases handed over or ready to be: status Beschieden, Zurückgewiesen, Weitergeleitet,
    /// Zurückgezogen, An E-Akte übergeben, and Archiviert ones not yet purged.
    pub fn eakte_kandidaten(&self) -> Result<Vec<Vorgang>> {
        let mut st = self.conn.prepare(
            "SELECT doc FROM vorgang WHERE status IN
               ('beschieden', 'zurueckgewiesen', 'weitergeleitet', 'zurueckgezogen',
                'an_e_akte_uebergeben', 'archiviert')
             ORDER BY eingang_ms",
        )?;
        let mut out = Vec::new();
        for doc in st.query_map([], |r| r.get::<_, String>(0))? {
            let v: Vorgang = serde_json::from_str(&doc?)?;
            if v.eakte.as_ref().and_then(|e| e.geloescht).is_none() {
                out.push(v);
            }
        }
        Ok(out)
    }
}
