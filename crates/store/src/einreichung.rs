//! Received FIT-Connect submissions and their intake state, for the sync engine.
//!
//! The engine notes a submission as `received` when it sees it, stores its decrypted content
//! (metadata, form data, attachments by SHA-512) together with the new case in ONE write
//! transaction (state `stored`), and only then moves on to `accept-pending` → `accepted`
//! (or `reject-pending` → `rejected`). A redelivered submission is recognised by its id and
//! never stored twice. Allowed moves come from [`domain::Eingangszustand::darf_wechseln_zu`].

use domain::{Eingangszustand, VorgangId};
use rusqlite::{OptionalExtension, params};
use serde::{Deserialize, Serialize};

use crate::error::{Result, StoreError};
use crate::{Lesen, Schreiben, jetzt_ms};

/// An attachment of a submission, already written with [`crate::Store::anlage_schreiber`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EinreichungsAnlage {
    /// FIT-Connect attachment id.
    pub attachment_id: String,
    /// SHA-512 (lowercase hex) of the decrypted content.
    pub sha512: String,
    /// File name from the metadata.
    pub dateiname: Option<String>,
    /// MIME type.
    pub mime: String,
}

/// A decrypted, verified submission.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmpfangeneEinreichung {
    /// Submission id.
    pub submission_id: String,
    /// Case id.
    pub case_id: String,
    /// Destination id.
    pub destination_id: String,
    /// The metadata document (JSON).
    pub metadaten_json: String,
    /// Form data as received.
    pub formulardaten: Vec<u8>,
    /// Schema URI of the form data.
    pub schema_uri: String,
    /// MIME type of the form data.
    pub mime: String,
    /// Attachments.
    pub anlagen: Vec<EinreichungsAnlage>,
}

/// What [`Schreiben::einreichung_speichern`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Speicherergebnis {
    /// Stored now.
    Gespeichert,
    /// Was stored before (redelivery); nothing changed. Its current state.
    BereitsGespeichert(Eingangszustand),
}

/// The stored facts of a submission.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EinreichungInfo {
    /// Submission id.
    pub submission_id: String,
    /// Case id.
    pub case_id: String,
    /// Destination id.
    pub destination_id: String,
    /// The case created from it.
    pub vorgang_id: Option<String>,
    /// State.
    pub zustand: Eingangszustand,
    /// Metadata JSON (once stored).
    pub metadaten_json: Option<String>,
    /// Form data (once stored).
    pub formulardaten: Option<Vec<u8>>,
    /// Schema URI.
    pub schema_uri: Option<String>,
    /// MIME type.
    pub mime: Option<String>,
    /// Attachments.
    pub anlagen: Vec<EinreichungsAnlage>,
    /// Last error noted with a state change.
    pub letzter_fehler: Option<String>,
}

fn zustand_aus(s: &str) -> Result<Eingangszustand> {
    Eingangszustand::aus_code(s)
        .ok_or_else(|| StoreError::Daten(format!("unbekannter Eingangszustand {s}")))
}

impl Schreiben<'_> {
    /// Notes a submission seen in the listing (state `received`); idempotent. Returns its state.
    pub fn einreichung_empfangen(
        &self,
        submission_id: &str,
        case_id: &str,
        destination_id: &str,
    ) -> Result<Eingangszustand> {
        let jetzt = jetzt_ms();
        self.conn
            .prepare_cached(
                "INSERT INTO einreichung (submission_id, case_id, destination_id, zustand, zustand_ms, empfangen_ms)
                 VALUES (?1, ?2, ?3, 'received', ?4, ?4) ON CONFLICT (submission_id) DO NOTHING",
            )?
            .execute(params![submission_id, case_id, destination_id, jetzt])?;
        self.einreichung_zustand(submission_id)?
            .ok_or_else(|| StoreError::NichtGefunden(format!("Die Einreichung {submission_id}")))
    }

    /// Stores the content of a submission and moves it to `stored`, linking the case created
    /// from it (insert the case in the same transaction first). A submission already stored
    /// is left alone and reported as such.
    pub fn einreichung_speichern(
        &self,
        e: &EmpfangeneEinreichung,
        vorgang: Option<&VorgangId>,
    ) -> Result<Speicherergebnis> {
        let zustand =
            self.einreichung_empfangen(&e.submission_id, &e.case_id, &e.destination_id)?;
        if zustand != Eingangszustand::Received {
            return Ok(Speicherergebnis::BereitsGespeichert(zustand));
        }
        self.conn
            .prepare_cached(
                "UPDATE einreichung SET vorgang_id = ?2, metadaten = ?3, formulardaten = ?4, schema_uri = ?5, mime = ?6,
                     zustand = 'stored', zustand_ms = ?7 WHERE submission_id = ?1",
            )?
            .execute(params![
                e.submission_id,
                vorgang.map(|v| v.to_string()),
                e.metadaten_json,
                e.formulardaten,
                e.schema_uri,
                e.mime,
                jetzt_ms()
            ])?;
        for a in &e.anlagen {
            let r = self
                .conn
                .prepare_cached(
                    "INSERT INTO einreichung_anlage (submission_id, attachment_id, sha512, dateiname, mime)
                     VALUES (?1, ?2, ?3, ?4, ?5)",
                )?
                .execute(params![e.submission_id, a.attachment_id, a.sha512, a.dateiname, a.mime]);
            if let Err(err) = r {
                if err.sqlite_error_code() == Some(rusqlite::ErrorCode::ConstraintViolation) {
                    return Err(StoreError::Unzulaessig(format!(
                        "Die Anlage {} der Einreichung {} ist nicht (unter ihrem SHA-512) gespeichert.",
                        a.attachment_id, e.submission_id
                    )));
                }
                return Err(err.into());
            }
        }
        self.audit_anhaengen(
            "system",
            "einreichung.gespeichert",
            vorgang,
            &format!("Submission {}", e.submission_id),
        )?;
        Ok(Speicherergebnis::Gespeichert)
    }

    /// Moves a submission to `nach` (recording `fehler` if given). Refuses moves the intake
    /// order does not allow; staying in the same state is a no-op.
    pub fn einreichung_zustand_setzen(
        &self,
        submission_id: &str,
        nach: Eingangszustand,
        fehler: Option<&str>,
    ) -> Result<()> {
        let von = self
            .einreichung_zustand(submission_id)?
            .ok_or_else(|| StoreError::NichtGefunden(format!("Die Einreichung {submission_id}")))?;
        if !von.darf_wechseln_zu(nach) {
            return Err(StoreError::Unzulaessig(format!(
                "Die Einreichung {submission_id} kann nicht von „{von}“ nach „{nach}“ wechseln."
            )));
        }
        if nach == Eingangszustand::Stored && von == Eingangszustand::Received {
            return Err(StoreError::Unzulaessig(
                "Gespeichert wird eine Einreichung nur mit ihrem Inhalt (einreichung_speichern)."
                    .into(),
            ));
        }
        self.conn
            .prepare_cached(
                "UPDATE einreichung SET zustand = ?2, zustand_ms = ?3, letzter_fehler = COALESCE(?4, letzter_fehler)
                 WHERE submission_id = ?1",
            )?
            .execute(params![submission_id, nach.code(), jetzt_ms(), fehler])?;
        Ok(())
    }
}

impl Lesen<'_> {
    /// The state of a submission, if known.
    pub fn einreichung_zustand(&self, submission_id: &str) -> Result<Option<Eingangszustand>> {
        let z: Option<String> = self
            .conn
            .prepare_cached("SELECT zustand FROM einreichung WHERE submission_id = ?1")?
            .query_row([submission_id], |r| r.get(0))
            .optional()?;
        z.map(|s| zustand_aus(&s)).transpose()
    }

    /// Number of submissions this profile has seen (in any state).
    pub fn einreichungen_anzahl(&self) -> Result<u64> {
        let n: i64 = self
            .conn
            .prepare_cached("SELECT count(*) FROM einreichung")?
            .query_row([], |r| r.get(0))?;
        Ok(n as u64)
    }

    /// Submission ids in a state (oldest change first).
    pub fn einreichungen_im_zustand(&self, z: Eingangszustand) -> Result<Vec<String>> {
        let mut st = self
            .conn
            .prepare_cached("SELECT submission_id FROM einreichung WHERE zustand = ?1 ORDER BY zustand_ms, submission_id")?;
        let rows = st.query_map([z.code()], |r| r.get(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Everything stored about a submission.
    pub fn einreichung(&self, submission_id: &str) -> Result<Option<EinreichungInfo>> {
        let row = self
            .conn
            .prepare_cached(
                "SELECT submission_id, case_id, destination_id, vorgang_id, zustand, metadaten, formulardaten,
                        schema_uri, mime, letzter_fehler FROM einreichung WHERE submission_id = ?1",
            )?
            .query_row([submission_id], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, Option<String>>(3)?,
                    r.get::<_, String>(4)?,
                    r.get::<_, Option<String>>(5)?,
                    r.get::<_, Option<Vec<u8>>>(6)?,
                    r.get::<_, Option<String>>(7)?,
                    r.get::<_, Option<String>>(8)?,
                    r.get::<_, Option<String>>(9)?,
                ))
            })
            .optional()?;
        let Some((sid, cid, did, vid, z, meta, daten, schema, mime, fehler)) = row else {
            return Ok(None);
        };
        let mut st = self.conn.prepare_cached(
            "SELECT attachment_id, sha512, dateiname, mime FROM einreichung_anlage WHERE submission_id = ?1
             ORDER BY attachment_id",
        )?;
        let anlagen = st
            .query_map([submission_id], |r| {
                Ok(EinreichungsAnlage {
                    attachment_id: r.get(0)?,
                    sha512: r.get(1)?,
                    dateiname: r.get(2)?,
                    mime: r.get(3)?,
                })
            })?
            .collect::<Result<_, _>>()?;
        Ok(Some(EinreichungInfo {
            submission_id: sid,
            case_id: cid,
            destination_id: did,
            vorgang_id: vid,
            zustand: zustand_aus(&z)?,
            metadaten_json: meta,
            formulardaten: daten,
            schema_uri: schema,
            mime,
            anlagen,
            letzter_fehler: fehler,
        }))
    }
}
