//! The outbox of FIT-Connect events: accept and reject, stored signed, sent with backoff.
//!
//! Every event is an outbox row with an idempotency key ([`idempotenz`]) whose payload is the
//! signed SET ([`EreignisAuftrag`]), so a retry is byte-identical. `Kern::ausgang_leeren`
//! counts each attempt before it starts, sends the due rows with bounded concurrency and
//! records the ones the service took in one transaction; a 409 (no longer open) is settled by
//! the case's event log (`Kern::bestaetigen`): our event there means it got through and the
//! answer was lost.

use std::time::Duration;

use domain::Eingangszustand;
use fitconnect::set::{self, AuthenticationTags, EventType};
use futures_util::StreamExt as _;
use serde::{Deserialize, Serialize};
use store::{NeuerAuftrag, StoreError};
use time::OffsetDateTime;

use crate::SyncError;
use crate::engine::{Kern, SYSTEM};
use crate::fortschritt::{Bericht, Fortschritt};

/// Outbox kind of an accept event.
pub const ART_ANNAHME: &str = "fitconnect.accept";
/// Outbox kind of a reject event.
pub const ART_ABLEHNUNG: &str = "fitconnect.reject";

/// Payload of an outbox row carrying a FIT-Connect event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EreignisAuftrag {
    /// Submission the event is about.
    pub submission_id: String,
    /// Case whose event log receives it.
    pub case_id: String,
    /// The signed SET, sent as is on every attempt.
    pub set: String,
}

/// The idempotency key of the accept or reject of a submission.
pub fn idempotenz(art: &str, submission_id: &str) -> String {
    format!("{art}:{submission_id}")
}

/// Outcome of one outbox attempt: `Some((pending, needs_record))` when the event took effect;
/// `needs_record` when the caller still has to record it.
type Sendeergebnis = Result<Option<(Eingangszustand, bool)>, SyncError>;

impl Kern {
    /// The outbox row of the signed accept of a submission; its `vorgang_id` is left to the
    /// store, which knows the case it goes to.
    pub(crate) fn annahme_auftrag(
        &self,
        sid: &str,
        case_id: &str,
        tags: &AuthenticationTags,
    ) -> Result<NeuerAuftrag, SyncError> {
        let token =
            set::accept_submission(&self.keys.signing, &self.destination_id, sid, case_id, tags)
                .map_err(fitconnect::Error::from)?;
        Ok(NeuerAuftrag {
            idempotenz: idempotenz(ART_ANNAHME, sid),
            art: ART_ANNAHME.into(),
            vorgang_id: None,
            nutzlast: serde_json::to_vec(&EreignisAuftrag {
                submission_id: sid.to_owned(),
                case_id: case_id.to_owned(),
                set: token,
            })?,
        })
    }

    /// Open rows of the outbox after a pass: (accept and reject events, replies).
    pub(crate) fn ausgang_offen(&self) -> Result<(usize, usize), SyncError> {
        let n = self.store.read(|r| {
            r.outbox_offen_je_art(&[ART_ANNAHME, ART_ABLEHNUNG, crate::antwort::ART_ANTWORT])
        })?;
        Ok(((n[0] + n[1]) as usize, n[2] as usize))
    }

    /// Sends every due FIT-Connect event of the outbox (bounded concurrency).
    pub(crate) async fn ausgang_leeren(
        &self,
        bericht: &mut Bericht,
        melden: &(dyn Fn(Fortschritt) + Sync),
    ) -> Result<(), SyncError> {
        let faellig: Vec<_> = self.store.read(|r| {
            r.outbox_faellig_arten(
                OffsetDateTime::now_utc(),
                10_000,
                &[ART_ANNAHME, ART_ABLEHNUNG],
            )
        })?;
        if faellig.is_empty() {
            return Ok(());
        }
        // Every attempt is counted before it starts (one transaction for all of them), so a
        // crash during the attempts still counts them.
        self.store.write(|w| {
            for e in &faellig {
                w.outbox_versuch(e.id)?;
            }
            Ok(())
        })?;
        let ergebnisse: Vec<(String, Sendeergebnis)> = futures_util::stream::iter(faellig)
            .map(|e| async move {
                let auftrag: Result<EreignisAuftrag, _> = serde_json::from_slice(&e.nutzlast);
                match auftrag {
                    Ok(a) => {
                        let r = self.senden(e.id, e.versuche, &e.art, &a).await;
                        (a.submission_id, r)
                    }
                    Err(err) => {
                        let _ = self.store.write(|w| {
                            w.outbox_aufgeben(e.id, &format!("Nutzlast unlesbar: {err}"))
                        });
                        (e.idempotenz.clone(), Err(err.into()))
                    }
                }
            })
            .buffer_unordered(self.cfg.gleichzeitig.max(1))
            .collect()
            .await;
        // Events the service took are recorded together. A crash before this commit is
        // harmless: the next attempt gets 409 and the event log confirms.
        let zugestellt: Vec<(&str, Eingangszustand)> = ergebnisse
            .iter()
            .filter_map(|(sid, r)| match r {
                Ok(Some((pending, true))) => Some((sid.as_str(), *pending)),
                _ => None,
            })
            .collect();
        if !zugestellt.is_empty() {
            let jetzt = OffsetDateTime::now_utc();
            self.store.write(|w| {
                for (sid, pending) in &zugestellt {
                    abschliessen_in(w, sid, *pending, jetzt)?;
                }
                Ok(())
            })?;
        }
        for (sid, r) in ergebnisse {
            match r {
                Ok(Some((pending, _))) => zaehlen(bericht, pending, &sid, melden),
                Ok(None) => {}
                Err(e) => self.fehler(bericht, Some(&sid), &e, melden),
            }
        }
        Ok(())
    }

    /// One attempt of one outbox row. `Ok(Some(pending))`: the event took effect.
    async fn senden(
        &self,
        id: i64,
        versuche_bisher: u32,
        art: &str,
        a: &EreignisAuftrag,
    ) -> Sendeergebnis {
        let pending = if art == ART_ANNAHME {
            Eingangszustand::AcceptPending
        } else {
            Eingangszustand::RejectPending
        };
        match self.client.post_event(&a.case_id, &a.set).await {
            // Recorded by the caller, together with the others of this drain.
            Ok(()) => Ok(Some((pending, true))),
            // Not open any more: did our earlier attempt get through (answer lost)?
            Err(fitconnect::Error::Http { status: 409, .. }) => {
                match self.bestaetigen(&a.submission_id, pending).await {
                    Ok(true) => Ok(Some((pending, false))),
                    Ok(false) => Ok(None),
                    Err(e) if e.voruebergehend() => {
                        self.spaeter(id, versuche_bisher + 1, &e.to_string(), None)?;
                        Err(e)
                    }
                    Err(e) => {
                        self.store
                            .write(|w| w.outbox_aufgeben(id, &e.to_string()))?;
                        Err(e)
                    }
                }
            }
            Err(e) if !e.is_permanent() => {
                self.spaeter(id, versuche_bisher + 1, &e.to_string(), e.retry_after())?;
                Err(e.into())
            }
            Err(e) => {
                let text = e.to_string();
                self.store.write(|w| {
                    w.outbox_aufgeben(id, &text)?;
                    w.einreichung_zustand_setzen(&a.submission_id, pending, Some(&text))
                })?;
                Err(e.into())
            }
        }
    }

    fn spaeter(
        &self,
        id: i64,
        versuche: u32,
        fehler: &str,
        retry_after: Option<Duration>,
    ) -> Result<(), SyncError> {
        let warte = self.cfg.backoff.wartezeit_zufaellig(versuche, retry_after);
        let naechster =
            OffsetDateTime::now_utc() + time::Duration::try_from(warte).unwrap_or_default();
        self.store
            .write(|w| w.outbox_fehlschlag(id, fehler, naechster))?;
        Ok(())
    }

    /// Our event for `sid` in its case's event log, if it is there.
    async fn eigenes_ereignis(
        &self,
        sid: &str,
        case_id: &str,
    ) -> Result<Option<EventType>, SyncError> {
        let subject = format!("submission:{sid}");
        let events = self
            .client
            .verified_events(case_id, &self.destination_id)
            .await?;
        Ok(events
            .iter()
            .filter(|e| e.subject == subject && e.issuer == self.destination_id)
            .filter_map(|e| e.event)
            .find(|e| matches!(e, EventType::AcceptSubmission | EventType::RejectSubmission)))
    }

    /// A pending submission left the pickup list: read the event log; if our event is there,
    /// it took effect (finish state and outbox row). Returns whether it was confirmed.
    pub(crate) async fn bestaetigen(
        &self,
        sid: &str,
        pending: Eingangszustand,
    ) -> Result<bool, SyncError> {
        let case_id = self
            .store
            .read(|r| r.einreichung(sid))?
            .map(|i| i.case_id)
            .ok_or_else(|| SyncError::Daten(format!("Einreichung {sid} fehlt im Speicher")))?;
        let erwartet = match pending {
            Eingangszustand::AcceptPending => EventType::AcceptSubmission,
            _ => EventType::RejectSubmission,
        };
        match self.eigenes_ereignis(sid, &case_id).await? {
            Some(e) if e == erwartet => {
                self.abschliessen(sid, pending)?;
                Ok(true)
            }
            Some(other) => Err(SyncError::Daten(format!(
                "im Ereignisprotokoll steht {} statt {}",
                other.name(),
                erwartet.name()
            ))),
            None => {
                let meldung = "nicht mehr zur Abholung gelistet, aber ohne unser Ereignis im \
                               Ereignisprotokoll (vom Zustelldienst gelöscht?)";
                self.store.write(|w| {
                    w.einreichung_zustand_setzen(sid, pending, Some(meldung))?;
                    w.audit_anhaengen(
                        SYSTEM,
                        "einreichung.unbestaetigt",
                        None,
                        &format!("Submission {sid}: {meldung}"),
                    )
                })?;
                Err(SyncError::Daten(meldung.into()))
            }
        }
    }

    /// Marks a pending submission finished and its outbox row done, in one transaction.
    fn abschliessen(&self, sid: &str, pending: Eingangszustand) -> Result<(), SyncError> {
        let jetzt = OffsetDateTime::now_utc();
        self.store
            .write(|w| abschliessen_in(w, sid, pending, jetzt))?;
        Ok(())
    }
}

/// `Kern::abschliessen` inside a given transaction.
fn abschliessen_in(
    w: &store::Schreiben<'_>,
    sid: &str,
    pending: Eingangszustand,
    jetzt: OffsetDateTime,
) -> Result<(), StoreError> {
    let (art, nach) = match pending {
        Eingangszustand::AcceptPending => (ART_ANNAHME, Eingangszustand::Accepted),
        _ => (ART_ABLEHNUNG, Eingangszustand::Rejected),
    };
    {
        {
            // The store looks rows up by idempotency key only through enqueue, which returns
            // the existing row unchanged; a row that did not exist is closed at once.
            let (id, _) = w.outbox_einreihen(
                &NeuerAuftrag {
                    idempotenz: idempotenz(art, sid),
                    art: art.into(),
                    vorgang_id: None,
                    nutzlast: Vec::new(),
                },
                jetzt,
            )?;
            if w.outbox_eintrag(id)?.is_some_and(|e| e.zustand == "offen") {
                w.outbox_erledigt(id, jetzt)?;
            }
            w.einreichung_zustand_setzen(sid, nach, None)
        }
    }
}

pub(crate) fn zaehlen(
    bericht: &mut Bericht,
    pending: Eingangszustand,
    sid: &str,
    melden: &(dyn Fn(Fortschritt) + Sync),
) {
    let zustand = if pending == Eingangszustand::AcceptPending {
        bericht.angenommen += 1;
        Eingangszustand::Accepted
    } else {
        bericht.ablehnungen_zugestellt += 1;
        Eingangszustand::Rejected
    };
    melden(Fortschritt::Bestaetigt {
        submission_id: sid.to_owned(),
        zustand: zustand.code().to_owned(),
    });
}
