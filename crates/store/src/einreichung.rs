//! Received FIT-Connect submissions and their intake state, for the sync engine.
//!
//! The engine notes a submission as `received` when it sees it, stores its decrypted content
//! (metadata, form data, attachments by SHA-512) together with the new case in ONE write
//! transaction (state `stored`), and only then moves on to `accept-pending` → `accepted`
//! (or `reject-pending` → `rejected`). A redelivered submission is recognised by its id and
//! never stored twice. Allowed moves come from [`domain::Eingangszustand::darf_wechseln_zu`].
//!
//! The engine takes a verified submission in with ONE call, [`Schreiben::einreichung_aufnehmen`]:
//! it checks the state once (still `received`?), creates the case or adds the follow-up to the
//! existing one, stores the content, sets `accept-pending` and queues the accept. What to write
//! ([`Aufnahme`]) is plain data the engine maps from the submission without touching the store.

use domain::nachforderung::{NachgereichtesDokument, Nachreichungsfolge};
use domain::{Aktion, AnlageRef, Eingangszustand, Nachricht, Vorgang, VorgangId};
use rusqlite::{OptionalExtension, params};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::error::{Result, StoreError};
use crate::{AktenzeichenVergabe, Lesen, NeuerAuftrag, Schreiben, jetzt_ms};

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

/// A verified submission ready to be taken in: everything
/// [`Schreiben::einreichung_aufnehmen`] writes in its one transaction.
#[derive(Debug, Clone, PartialEq)]
pub struct Aufnahme {
    /// The submission's content (metadata, form data, filed attachments).
    pub einreichung: EmpfangeneEinreichung,
    /// A new case, or documents for an existing one.
    pub fall: Aufnahmefall,
    /// The signed accept for the outbox; its `vorgang_id` is set to the case it went to.
    pub annahme: NeuerAuftrag,
    /// When it was taken in (the outbox row's first due time).
    pub zeit: OffsetDateTime,
    /// Who takes it in, for the audit log.
    pub akteur: String,
}

/// Where a submission goes.
#[derive(Debug, Clone, PartialEq)]
pub enum Aufnahmefall {
    /// A new application: the case to create; it gets its Aktenzeichen from `vergabe`.
    Neu {
        /// The case, without Aktenzeichen.
        vorgang: Box<Vorgang>,
        /// How it gets its Aktenzeichen.
        vergabe: AktenzeichenVergabe,
    },
    /// A follow-up submission (same FIT-Connect case) to a case that exists here.
    Nachreichung(Nachreichung),
}

/// Documents and a message for an existing case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Nachreichung {
    /// The case.
    pub vorgang_id: VorgangId,
    /// Every document of the follow-up; those the case has already are not added again.
    pub anlagen: Vec<AnlageRef>,
    /// The incoming message that tells the caseworker what came.
    pub nachricht: Nachricht,
    /// The documents with the applicant's declaration of what each is (for ticking off a
    /// Nachforderung's Nachweise).
    pub dokumente: Vec<NachgereichtesDokument>,
}

impl Nachreichung {
    /// Adds to `v` the documents it does not have yet (same SHA-512 and file name) and the
    /// message, and applies the domain's rule for documents that arrive
    /// ([`Vorgang::nachreichung_eingegangen`]). Returns how many documents were added and
    /// what the rule changed.
    pub fn anwenden(&self, v: &mut Vorgang) -> (usize, Nachreichungsfolge) {
        let mut neu = 0;
        for a in &self.anlagen {
            if !v
                .anlagen
                .iter()
                .any(|b| b.sha512 == a.sha512 && b.dateiname == a.dateiname)
            {
                v.anlagen.push(a.clone());
                neu += 1;
            }
        }
        v.nachrichten.push(self.nachricht.clone());
        let folge = v.nachreichung_eingegangen(&self.dokumente, self.nachricht.zeit);
        (neu, folge)
    }
}

/// What [`Schreiben::einreichung_aufnehmen`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Aufnahmeergebnis {
    /// Taken in now: stored, `accept-pending`, accept queued.
    Gespeichert {
        /// The case it went to.
        vorgang_id: VorgangId,
        /// That case's Aktenzeichen.
        aktenzeichen: String,
        /// Whether it was a follow-up to an existing case.
        nachgereicht: bool,
    },
    /// No longer `received` (an earlier or concurrent pass took it in or decided it);
    /// nothing changed.
    SchonErledigt,
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
        self.inhalt_schreiben(e, vorgang, Eingangszustand::Stored)?;
        Ok(Speicherergebnis::Gespeichert)
    }

    /// Takes a verified submission in, in the caller's one write transaction: checks once
    /// that it is still `received` (else [`Aufnahmeergebnis::SchonErledigt`], nothing
    /// written), creates the case or adds the follow-up to the existing case, stores the
    /// content, sets `accept-pending` and queues the accept linked to the case. Nothing is
    /// sent from here: the outbox sends the accept after the commit.
    pub fn einreichung_aufnehmen(&self, a: Aufnahme) -> Result<Aufnahmeergebnis> {
        let Aufnahme {
            einreichung: e,
            fall,
            mut annahme,
            zeit,
            akteur,
        } = a;
        // The one idempotence check of an intake.
        if self.einreichung_zustand(&e.submission_id)? != Some(Eingangszustand::Received) {
            return Ok(Aufnahmeergebnis::SchonErledigt);
        }
        let (vorgang_id, aktenzeichen, nachgereicht) = match fall {
            Aufnahmefall::Neu {
                mut vorgang,
                vergabe,
            } => {
                let az = self.vorgang_anlegen(&mut vorgang, &vergabe, &akteur)?;
                (vorgang.id, az.0, false)
            }
            Aufnahmefall::Nachreichung(n) => {
                let mut v = self.vorgang(&n.vorgang_id)?.ok_or_else(|| {
                    StoreError::NichtGefunden(format!(
                        "Der Vorgang {} der Nachreichung {}",
                        n.vorgang_id, e.submission_id
                    ))
                })?;
                let (_, folge) = n.anwenden(&mut v);
                self.vorgang_speichern(&v, &akteur, "einreichung.nachgereicht")?;
                if let Some((von, nach)) = folge.status {
                    let mut details = String::new();
                    if !folge.abgehakt.is_empty() {
                        details = format!("Nachweise eingegangen: {}", folge.abgehakt.join(", "));
                    }
                    self.audit_anhaengen(
                        &akteur,
                        &format!(
                            "status: {} → {} ({})",
                            von.code(),
                            nach.code(),
                            Aktion::UnterlagenEingegangen.bezeichnung()
                        ),
                        Some(&v.id),
                        &details,
                    )?;
                }
                let az = v.aktenzeichen.map(|a| a.0).unwrap_or_default();
                (v.id, az, true)
            }
        };
        // received → stored → accept-pending within this transaction: one write of the row.
        self.inhalt_schreiben(&e, Some(&vorgang_id), Eingangszustand::AcceptPending)?;
        annahme.vorgang_id = Some(vorgang_id.to_string());
        self.outbox_einreihen(&annahme, zeit)?;
        Ok(Aufnahmeergebnis::Gespeichert {
            vorgang_id,
            aktenzeichen,
            nachgereicht,
        })
    }

    /// Writes the content of a submission known to be `received` and moves it to `zustand`
    /// (`stored`, or `accept-pending` when the accept is queued in the same transaction).
    fn inhalt_schreiben(
        &self,
        e: &EmpfangeneEinreichung,
        vorgang: Option<&VorgangId>,
        zustand: Eingangszustand,
    ) -> Result<()> {
        self.conn
            .prepare_cached(
                "UPDATE einreichung SET vorgang_id = ?2, metadaten = ?3, formulardaten = ?4, schema_uri = ?5, mime = ?6,
                     zustand = ?8, zustand_ms = ?7 WHERE submission_id = ?1",
            )?
            .execute(params![
                e.submission_id,
                vorgang.map(|v| v.to_string()),
                e.metadaten_json,
                e.formulardaten,
                e.schema_uri,
                e.mime,
                jetzt_ms(),
                zustand.code()
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
        Ok(())
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
