//! The apply step: one sync pass = snapshot of the store + pickup list of the service →
//! [`crate::plan::plan`] → carry out each op, persisting its state before the next effect.
//!
//! The rules the code keeps (each has a test in `tests/`):
//! - A fetched submission is written in ONE transaction: the case (or, for a follow-up, the
//!   documents added to the existing case), the submission's content, its state
//!   (`stored` → `accept-pending`) and the signed accept in the outbox. Before that commit
//!   nothing is sent; after it, a crash loses nothing.
//! - A defective submission is decided once: the encrypted raw evidence is kept, the state
//!   becomes `reject-pending` and the signed reject goes into the outbox in one transaction.
//!   A reject that failed to send is sent again, never re-decided.
//! - The outbox sends the stored SET itself, so a retry is byte-identical. If the service says
//!   the submission is no longer open (409), the case's event log decides whether our own
//!   event got through (a reply lost on the way) — that is how "exactly once" survives lost
//!   answers.
//! - Transient failures are retried with exponential backoff and jitter, never earlier than
//!   `Retry-After`; permanent ones are reported, not retried in a loop.
//!
//! Concurrency is bounded by [`Konfiguration::gleichzeitig`]; memory is bounded because
//! attachments stream from the network through decryption into the encrypted attachment
//! store ([`StoreSink`]), never held whole (above the client's streaming threshold).

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::Duration;

use domain::{
    AnlageRef, Antragsteller, DatenFormat, Eingangszustand, FitConnectIds, Formulardaten, Leistung,
    Nachricht, Richtung, Vorgang, VorgangId,
};
use fitconnect::client::{AttachmentSink, check_attachment_ids, open_submission};
use fitconnect::metadata::{AttachmentRef, FormSchemas};
use fitconnect::model::Submission;
use fitconnect::profile_keys::ProfileKeys;
use fitconnect::set::{self, AuthenticationTags, EventType, SetProblem};
use futures_util::StreamExt as _;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use store::{
    AnlageSchreiber, EinreichungsAnlage, EmpfangeneEinreichung, NeuerAuftrag, Store, StoreError,
};
use time::OffsetDateTime;

use crate::SyncError;
use crate::fortschritt::{Bericht, Fortschritt};
pub use crate::konfiguration::{
    Konfiguration, MAX_BYTES_JE_ANLAGE, MAX_BYTES_JE_EINREICHUNG, demo_fristen,
};
use crate::plan::{self, Local, Op, Remote, Snapshot};

/// Outbox kind of an accept event.
pub const ART_ANNAHME: &str = "fitconnect.accept";
/// Outbox kind of a reject event.
pub const ART_ABLEHNUNG: &str = "fitconnect.reject";
/// Prefix of LeiKa URNs in FIT-Connect's `serviceType.identifier`.
pub const LEIKA_PREFIX: &str = "urn:de:fim:leika:leistung:";
/// Who the engine is in the audit log.
pub const SYSTEM: &str = "system:sync";

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

/// The engine of one profile. Cheap to clone (shared state); fetches run as tokio tasks, so
/// decryption uses every worker thread of a multi-threaded runtime.
#[derive(Clone)]
pub struct Engine {
    kern: Arc<Kern>,
}

struct Kern {
    store: Arc<Store>,
    client: fitconnect::Client,
    keys: ProfileKeys,
    destination_id: String,
    forms: FormSchemas,
    cfg: Konfiguration,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine")
            .field("destination_id", &self.kern.destination_id)
            .finish_non_exhaustive()
    }
}

/// Outcome of one outbox attempt: `Some((pending, needs_record))` when the event took effect;
/// `needs_record` when the caller still has to record it.
type Sendeergebnis = Result<Option<(Eingangszustand, bool)>, SyncError>;

/// Outcome of fetching one submission.
enum Abgerufen {
    Gespeichert {
        aktenzeichen: String,
        nachgereicht: bool,
    },
    Abgelehnt {
        problem: SetProblem,
    },
    /// Someone (an earlier pass) finished it meanwhile.
    SchonErledigt,
}

/// What the fetch loop learnt from the service before deciding.
enum Entscheidung {
    Annehmen {
        submission: Box<Submission>,
        metadaten: Box<fitconnect::metadata::Metadata>,
        daten: Option<Vec<u8>>,
        tags: AuthenticationTags,
        anlagen: Vec<(AttachmentRef, String, u64)>,
    },
    Ablehnen {
        submission: Box<Submission>,
        problem: SetProblem,
        fehler: String,
    },
}

impl Engine {
    /// An engine for `destination_id`, reading and writing `store`, talking through `client`,
    /// decrypting and signing with the profile's `keys`, validating form data against `forms`.
    pub fn new(
        store: Arc<Store>,
        client: fitconnect::Client,
        keys: ProfileKeys,
        destination_id: impl Into<String>,
        forms: FormSchemas,
        cfg: Konfiguration,
    ) -> Self {
        Engine {
            kern: Arc::new(Kern {
                store,
                client,
                keys,
                destination_id: destination_id.into(),
                forms,
                cfg,
            }),
        }
    }

    /// The store.
    pub fn store(&self) -> &Arc<Store> {
        &self.kern.store
    }

    /// Runs passes until nothing is left to do or `max_durchlaeufe` passes ran, waiting for
    /// the outbox's next due time in between (at most `max_warten` each time). Returns the
    /// last pass's report. This is `sync --once`.
    pub async fn bis_ruhe(
        &self,
        max_durchlaeufe: u32,
        max_warten: Duration,
        melden: &(dyn Fn(Fortschritt) + Sync),
    ) -> Result<Bericht, SyncError> {
        self.kern
            .bis_ruhe(max_durchlaeufe, max_warten, melden)
            .await
    }

    /// One pass: list, plan, apply, drain the outbox.
    pub async fn durchlauf(
        &self,
        melden: &(dyn Fn(Fortschritt) + Sync),
    ) -> Result<Bericht, SyncError> {
        self.kern.durchlauf(melden).await
    }
}

impl Kern {
    async fn bis_ruhe(
        self: &Arc<Self>,
        max_durchlaeufe: u32,
        max_warten: Duration,
        melden: &(dyn Fn(Fortschritt) + Sync),
    ) -> Result<Bericht, SyncError> {
        let mut bericht = self.durchlauf(melden).await?;
        for _ in 1..max_durchlaeufe.max(1) {
            if bericht.ruhig() {
                break;
            }
            let warten = self
                .naechste_faelligkeit()?
                .unwrap_or(Duration::from_millis(50));
            tokio::time::sleep(warten.min(max_warten)).await;
            bericht = self.durchlauf(melden).await?;
        }
        Ok(bericht)
    }

    fn naechste_faelligkeit(&self) -> Result<Option<Duration>, SyncError> {
        let fern = OffsetDateTime::now_utc() + time::Duration::days(3650);
        let offen = self.store.read(|r| r.outbox_faellig(fern, 1))?;
        Ok(offen.first().map(|e| {
            let d = e.naechster_versuch - OffsetDateTime::now_utc();
            Duration::try_from(d).unwrap_or(Duration::ZERO)
        }))
    }

    async fn durchlauf(
        self: &Arc<Self>,
        melden: &(dyn Fn(Fortschritt) + Sync),
    ) -> Result<Bericht, SyncError> {
        let mut bericht = Bericht::default();
        // Effects decided earlier go out first, even when the listing fails (offline work
        // drains as soon as the service answers).
        self.ausgang_leeren(&mut bericht, melden).await?;
        crate::antwort::antworten_senden(
            &self.store,
            &self.client,
            &self.cfg,
            &mut bericht,
            melden,
        )
        .await?;

        let gelistet = match self.liste().await {
            Ok(l) => l,
            Err(e) => {
                let meldung = format!("Abholliste nicht abrufbar: {e}");
                melden(Fortschritt::Fehler {
                    submission_id: None,
                    meldung: meldung.clone(),
                    voruebergehend: !e.is_permanent(),
                });
                bericht.fehler.push(meldung);
                bericht.nicht_erledigt = 1;
                (bericht.ausgang_offen, bericht.antworten_offen) = self.ausgang_offen()?;
                return Ok(bericht);
            }
        };
        bericht.gelistet = gelistet.len();
        let (snapshot, vorgang_zu_fall) = self.snapshot(&gelistet)?;
        let ops = plan::plan(&snapshot);

        let mut abrufe = Vec::new();
        for op in ops {
            match op {
                // Queued already; the outbox drain below sends them.
                Op::SendAccept { .. } | Op::SendReject { .. } => {}
                Op::QueueAccept { submission_id } => {
                    if let Err(e) = self.annahme_nachholen(&submission_id).await {
                        self.fehler(&mut bericht, Some(&submission_id), &e, melden);
                    }
                }
                Op::Confirm {
                    submission_id,
                    pending,
                } => match self.bestaetigen(&submission_id, pending).await {
                    Ok(true) => zaehlen(&mut bericht, pending, &submission_id, melden),
                    Ok(false) => {}
                    Err(e) => self.fehler(&mut bericht, Some(&submission_id), &e, melden),
                },
                Op::Fetch {
                    submission_id,
                    case_id,
                    follow_up,
                } => abrufe.push((submission_id, case_id, follow_up)),
                Op::Vanished { submission_id } => match self.verschwunden(&submission_id) {
                    Ok(()) => bericht.verschwunden += 1,
                    Err(e) => self.fehler(&mut bericht, Some(&submission_id), &e, melden),
                },
            }
        }

        // Seen: noted for all of them in one transaction before any is fetched, so from now
        // on a crash leaves a trace (fetched again, or reported as vanished).
        let abrufe: Vec<(String, String, bool)> = self.store.write(|w| {
            let mut offen = Vec::with_capacity(abrufe.len());
            for (sid, case_id, follow_up) in abrufe {
                if w.einreichung_empfangen(&sid, &case_id, &self.destination_id)?
                    == Eingangszustand::Received
                {
                    offen.push((sid, case_id, follow_up));
                }
            }
            Ok(offen)
        })?;
        let von = abrufe.len();
        bericht.neu = von;
        melden(Fortschritt::Gefunden {
            gelistet: bericht.gelistet,
            neu: von,
        });
        let zaehler = std::sync::atomic::AtomicUsize::new(0);
        let ergebnisse: Vec<(String, Result<Abgerufen, SyncError>)> =
            futures_util::stream::iter(abrufe)
                .map(|(sid, case_id, follow_up)| {
                    let vorgang = if follow_up {
                        vorgang_zu_fall.get(&case_id).copied()
                    } else {
                        None
                    };
                    let zaehler = &zaehler;
                    let kern = Arc::clone(self);
                    async move {
                        let nr = zaehler.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
                        melden(Fortschritt::Abruf {
                            nr,
                            von,
                            submission_id: sid.clone(),
                        });
                        // A task of its own: decryption and hashing run on any worker thread.
                        let aufgabe = {
                            let sid = sid.clone();
                            tokio::spawn(async move { kern.abrufen(&sid, vorgang).await })
                        };
                        let r = aufgabe.await.unwrap_or_else(|e| {
                            Err(SyncError::Daten(format!("Abruf abgebrochen: {e}")))
                        });
                        (sid, r)
                    }
                })
                .buffer_unordered(self.cfg.gleichzeitig.max(1))
                .collect()
                .await;
        for (sid, r) in ergebnisse {
            match r {
                Ok(Abgerufen::Gespeichert {
                    aktenzeichen,
                    nachgereicht,
                }) => {
                    if nachgereicht {
                        bericht.nachgereicht += 1;
                    } else {
                        bericht.gespeichert += 1;
                    }
                    melden(Fortschritt::Gespeichert {
                        submission_id: sid,
                        aktenzeichen,
                        nachgereicht,
                    });
                }
                Ok(Abgerufen::Abgelehnt { problem }) => {
                    bericht.abgelehnt += 1;
                    melden(Fortschritt::Abgelehnt {
                        submission_id: sid,
                        problem: problem.type_,
                        grund: problem.detail.unwrap_or(problem.title),
                    });
                }
                Ok(Abgerufen::SchonErledigt) => {}
                Err(e) => {
                    bericht.nicht_erledigt += 1;
                    self.fehler(&mut bericht, Some(&sid), &e, melden);
                }
            }
        }

        self.ausgang_leeren(&mut bericht, melden).await?;
        (bericht.ausgang_offen, bericht.antworten_offen) = self.ausgang_offen()?;
        Ok(bericht)
    }

    fn fehler(
        &self,
        bericht: &mut Bericht,
        sid: Option<&str>,
        e: &SyncError,
        melden: &(dyn Fn(Fortschritt) + Sync),
    ) {
        let meldung = match sid {
            Some(s) => format!("Einreichung {s}: {e}"),
            None => e.to_string(),
        };
        tracing::warn!("{meldung}");
        melden(Fortschritt::Fehler {
            submission_id: sid.map(str::to_owned),
            meldung: meldung.clone(),
            voruebergehend: e.voruebergehend(),
        });
        bericht.fehler.push(meldung);
    }

    /// Open rows of the outbox after a pass: (accept and reject events, replies).
    fn ausgang_offen(&self) -> Result<(usize, usize), SyncError> {
        let n = self.store.read(|r| {
            r.outbox_offen_je_art(&[ART_ANNAHME, ART_ABLEHNUNG, crate::antwort::ART_ANTWORT])
        })?;
        Ok(((n[0] + n[1]) as usize, n[2] as usize))
    }

    async fn liste(&self) -> Result<Vec<Remote>, fitconnect::Error> {
        let mut versuch = 0;
        loop {
            versuch += 1;
            match self
                .client
                .all_submissions_for_pickup(Some(&self.destination_id))
                .await
            {
                Ok(l) => {
                    return Ok(l
                        .into_iter()
                        .filter(|s| s.destination_id == self.destination_id)
                        .map(|s| Remote {
                            submission_id: s.submission_id,
                            case_id: s.case_id,
                        })
                        .collect());
                }
                Err(e) if !e.is_permanent() && versuch < self.cfg.versuche_im_durchlauf => {
                    tokio::time::sleep(self.kurz_warten(versuch, e.retry_after())).await;
                }
                Err(e) => return Err(e),
            }
        }
    }

    /// Backoff inside a pass: the outbox's curve, capped so a pass does not stall.
    fn kurz_warten(&self, versuch: u32, retry_after: Option<Duration>) -> Duration {
        self.cfg
            .backoff
            .wartezeit_zufaellig(versuch, retry_after)
            .min(Duration::from_secs(30))
    }

    /// Local state for the planner: every unfinished submission, every listed one we know,
    /// and which FIT-Connect cases already have a Vorgang (with its id).
    fn snapshot(
        &self,
        gelistet: &[Remote],
    ) -> Result<(Snapshot, BTreeMap<String, VorgangId>), SyncError> {
        self.store
            .read(|r| {
                let mut local = BTreeMap::new();
                for z in Eingangszustand::ALLE {
                    if z.ist_abgeschlossen() {
                        continue;
                    }
                    for sid in r.einreichungen_im_zustand(z)? {
                        if let Some(info) = r.einreichung(&sid)? {
                            local.insert(
                                sid,
                                Local {
                                    state: info.zustand,
                                    case_id: info.case_id,
                                },
                            );
                        }
                    }
                }
                let mut neue_faelle = BTreeSet::new();
                for g in gelistet {
                    if local.contains_key(&g.submission_id) {
                        continue;
                    }
                    match r.einreichung_zustand(&g.submission_id)? {
                        Some(state) => {
                            local.insert(
                                g.submission_id.clone(),
                                Local {
                                    state,
                                    case_id: g.case_id.clone(),
                                },
                            );
                        }
                        None => {
                            neue_faelle.insert(g.case_id.clone());
                        }
                    }
                }
                // A submission seen but not stored yet (crash during its fetch) may be a
                // follow-up too.
                for l in local.values() {
                    if l.state == Eingangszustand::Received {
                        neue_faelle.insert(l.case_id.clone());
                    }
                }
                // Which of the new submissions' cases already have a Vorgang here (follow-ups).
                // The store has no index by case id yet, so the stored submissions are scanned
                // only when something new is listed.
                let mut vorgang_zu_fall = BTreeMap::new();
                if !neue_faelle.is_empty() {
                    for z in [
                        Eingangszustand::Stored,
                        Eingangszustand::AcceptPending,
                        Eingangszustand::Accepted,
                    ] {
                        for sid in r.einreichungen_im_zustand(z)? {
                            if let Some(info) = r.einreichung(&sid)?
                                && neue_faelle.contains(&info.case_id)
                                && let Some(v) = info.vorgang_id
                                && let Ok(u) = v.parse::<uuid::Uuid>()
                            {
                                vorgang_zu_fall.insert(info.case_id, VorgangId(u));
                            }
                        }
                    }
                }
                let known_cases = vorgang_zu_fall.keys().cloned().collect();
                Ok((
                    Snapshot {
                        local,
                        known_cases,
                        remote: gelistet.to_vec(),
                    },
                    vorgang_zu_fall,
                ))
            })
            .map_err(SyncError::from)
    }

    /// Downloads, decrypts and verifies a submission; stores it (or decides to reject it).
    async fn abrufen(&self, sid: &str, vorgang: Option<VorgangId>) -> Result<Abgerufen, SyncError> {
        let mut versuch = 0;
        let entscheidung = loop {
            versuch += 1;
            match self.herunterladen(sid).await {
                Ok(e) => break e,
                Err(e) if !e.is_permanent() && versuch < self.cfg.versuche_im_durchlauf => {
                    tokio::time::sleep(self.kurz_warten(versuch, e.retry_after())).await;
                }
                Err(e) => {
                    let _ = self.store.write(|w| {
                        w.einreichung_zustand_setzen(
                            sid,
                            Eingangszustand::Received,
                            Some(&e.to_string()),
                        )
                    });
                    return Err(e.into());
                }
            }
        };
        // Signing and the durable commit block this thread (the writer lock, fsync): the
        // runtime hands its other tasks (downloads, decryption, the in-process simulator) to
        // another thread meanwhile.
        blockierend(|| match entscheidung {
            Entscheidung::Annehmen {
                submission,
                metadaten,
                daten,
                tags,
                anlagen,
            } => self.speichern(&submission, &metadaten, daten, &tags, &anlagen, vorgang),
            Entscheidung::Ablehnen {
                submission,
                problem,
                fehler,
            } => self.ablehnen(&submission, problem, &fehler),
        })
    }

    /// The network part of a fetch. `Err` is a failure to retry or report; a defective
    /// submission is `Ok(Ablehnen)`.
    async fn herunterladen(&self, sid: &str) -> Result<Entscheidung, fitconnect::Error> {
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
            submission,
            metadaten: Box::new(opened.metadata),
            daten: opened.data,
            tags,
            anlagen,
        })
    }

    fn speichern(
        &self,
        s: &Submission,
        meta: &fitconnect::metadata::Metadata,
        daten: Option<Vec<u8>>,
        tags: &AuthenticationTags,
        anlagen: &[(AttachmentRef, String, u64)],
        vorgang: Option<VorgangId>,
    ) -> Result<Abgerufen, SyncError> {
        let (schema_uri, mime) = meta
            .content_structure
            .data
            .as_ref()
            .map(|d| {
                (
                    d.submission_schema.schema_uri.clone(),
                    d.submission_schema.mime_type.clone(),
                )
            })
            .unwrap_or_default();
        let daten = daten.unwrap_or_default();
        let token = set::accept_submission(
            &self.keys.signing,
            &self.destination_id,
            &s.submission_id,
            &s.case_id,
            tags,
        )
        .map_err(fitconnect::Error::from)?;
        let auftrag = NeuerAuftrag {
            idempotenz: idempotenz(ART_ANNAHME, &s.submission_id),
            art: ART_ANNAHME.into(),
            vorgang_id: None,
            nutzlast: serde_json::to_vec(&EreignisAuftrag {
                submission_id: s.submission_id.clone(),
                case_id: s.case_id.clone(),
                set: token,
            })?,
        };
        let anlage_refs: Vec<AnlageRef> = anlagen
            .iter()
            .map(|(m, sha, groesse)| AnlageRef {
                sha512: sha.clone(),
                dateiname: sicherer_dateiname(m.filename.as_deref(), &m.attachment_id),
                mime: m.mime_type.clone(),
                groesse: *groesse,
            })
            .collect();
        let empfangen = EmpfangeneEinreichung {
            submission_id: s.submission_id.clone(),
            case_id: s.case_id.clone(),
            destination_id: s.destination_id.clone(),
            metadaten_json: meta.raw.to_string(),
            formulardaten: daten.clone(),
            schema_uri: schema_uri.clone(),
            mime: mime.clone(),
            anlagen: anlagen
                .iter()
                .map(|(m, sha, _)| EinreichungsAnlage {
                    attachment_id: m.attachment_id.clone(),
                    sha512: sha.clone(),
                    dateiname: Some(sicherer_dateiname(m.filename.as_deref(), &m.attachment_id)),
                    mime: m.mime_type.clone(),
                })
                .collect(),
        };
        let jetzt = OffsetDateTime::now_utc();
        let ergebnis = self.store.write(|w| {
            // Re-check inside the transaction: a concurrent pass may have stored it.
            if w.einreichung_zustand(&s.submission_id)? != Some(Eingangszustand::Received) {
                return Ok(None);
            }
            let bestehend = match vorgang {
                Some(id) => w.vorgang(&id)?,
                None => None,
            };
            let (vid, az, nachgereicht) = match bestehend {
                Some(mut v) => {
                    for a in &anlage_refs {
                        if !v
                            .anlagen
                            .iter()
                            .any(|b| b.sha512 == a.sha512 && b.dateiname == a.dateiname)
                        {
                            v.anlagen.push(a.clone());
                        }
                    }
                    let namen: Vec<&str> =
                        anlage_refs.iter().map(|a| a.dateiname.as_str()).collect();
                    v.nachrichten.push(Nachricht {
                        richtung: Richtung::Eingehend,
                        zeit: jetzt,
                        betreff: "Neu: nachgereichte Unterlagen".into(),
                        text: format!(
                            "Nachreichung (Einreichung {}) mit {} Anlage(n): {}",
                            s.submission_id,
                            namen.len(),
                            namen.join(", ")
                        ),
                    });
                    w.vorgang_speichern(&v, SYSTEM, "einreichung.nachgereicht")?;
                    let az = v.aktenzeichen.map(|a| a.0).unwrap_or_default();
                    (v.id, az, true)
                }
                None => {
                    let mut v = Vorgang::neu(
                        leistung(s),
                        jetzt,
                        antragsteller(&daten, &mime),
                        Formulardaten {
                            format: if mime.contains("xml") {
                                DatenFormat::Xml
                            } else {
                                DatenFormat::Json
                            },
                            schema_uri: schema_uri.clone(),
                            inhalt: String::from_utf8_lossy(&daten).into_owned(),
                        },
                    );
                    v.anlagen = anlage_refs.clone();
                    v.frist = Some(self.cfg.fristen.frist(&v.leistung.leika, jetzt.date()));
                    v.fit_connect = Some(FitConnectIds {
                        submission_id: s.submission_id.clone(),
                        case_id: s.case_id.clone(),
                        destination_id: s.destination_id.clone(),
                    });
                    let az = w.vorgang_anlegen(&mut v, &self.cfg.vergabe, SYSTEM)?;
                    (v.id, az.0, false)
                }
            };
            w.einreichung_speichern(&empfangen, Some(&vid))?;
            w.einreichung_zustand_setzen(&s.submission_id, Eingangszustand::AcceptPending, None)?;
            let mut auftrag = auftrag.clone();
            auftrag.vorgang_id = Some(vid.to_string());
            w.outbox_einreihen(&auftrag, jetzt)?;
            Ok(Some((az, nachgereicht)))
        })?;
        Ok(match ergebnis {
            Some((aktenzeichen, nachgereicht)) => Abgerufen::Gespeichert {
                aktenzeichen,
                nachgereicht,
            },
            None => Abgerufen::SchonErledigt,
        })
    }

    fn ablehnen(
        &self,
        s: &Submission,
        problem: SetProblem,
        fehler: &str,
    ) -> Result<Abgerufen, SyncError> {
        // The raw evidence (the submission as the service delivered it, still encrypted to
        // our key, plus our finding) is kept encrypted in the attachment store; the audit
        // names its SHA-512. It never becomes a case.
        let beleg = serde_json::to_vec(&serde_json::json!({
            "submission": s,
            "problem": problem,
            "befund": fehler,
            "zeit": OffsetDateTime::now_utc().unix_timestamp(),
        }))?;
        let mut schreiber = self.store.anlage_schreiber()?;
        std::io::Write::write_all(&mut schreiber, &beleg).map_err(StoreError::from)?;
        let (beleg_sha, _) = schreiber.abschliessen()?;
        let token = set::reject_submission(
            &self.keys.signing,
            &self.destination_id,
            &s.submission_id,
            &s.case_id,
            std::slice::from_ref(&problem),
        )
        .map_err(fitconnect::Error::from)?;
        let auftrag = NeuerAuftrag {
            idempotenz: idempotenz(ART_ABLEHNUNG, &s.submission_id),
            art: ART_ABLEHNUNG.into(),
            vorgang_id: None,
            nutzlast: serde_json::to_vec(&EreignisAuftrag {
                submission_id: s.submission_id.clone(),
                case_id: s.case_id.clone(),
                set: token,
            })?,
        };
        let grund = format!(
            "{} ({}): {fehler}",
            problem.title,
            problem.type_.trim_start_matches(set::PROBLEM_PREFIX)
        );
        let entschieden = self.store.write(|w| {
            if w.einreichung_zustand(&s.submission_id)? != Some(Eingangszustand::Received) {
                return Ok(false);
            }
            w.einreichung_zustand_setzen(
                &s.submission_id,
                Eingangszustand::RejectPending,
                Some(&grund),
            )?;
            w.outbox_einreihen(&auftrag, OffsetDateTime::now_utc())?;
            w.audit_anhaengen(
                SYSTEM,
                "einreichung.abgelehnt",
                None,
                &format!(
                    "Submission {}: {grund}; Beleg (verschlüsselt) SHA-512 {beleg_sha}",
                    s.submission_id
                ),
            )?;
            Ok(true)
        })?;
        Ok(if entschieden {
            Abgerufen::Abgelehnt { problem }
        } else {
            Abgerufen::SchonErledigt
        })
    }

    /// A submission stored without its accept queued (only a store written by an older
    /// engine, or by hand): the accept needs the authentication tags, which are only in the
    /// encrypted parts, so the submission is downloaded again (attachments only hashed).
    async fn annahme_nachholen(&self, sid: &str) -> Result<(), SyncError> {
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
        let token = set::accept_submission(
            &self.keys.signing,
            &self.destination_id,
            sid,
            &s.case_id,
            &tags,
        )
        .map_err(fitconnect::Error::from)?;
        let nutzlast = serde_json::to_vec(&EreignisAuftrag {
            submission_id: sid.to_owned(),
            case_id: s.case_id.clone(),
            set: token,
        })?;
        self.store.write(|w| {
            let vorgang_id = w.einreichung(sid)?.and_then(|i| i.vorgang_id);
            w.outbox_einreihen(
                &NeuerAuftrag {
                    idempotenz: idempotenz(ART_ANNAHME, sid),
                    art: ART_ANNAHME.into(),
                    vorgang_id,
                    nutzlast: nutzlast.clone(),
                },
                OffsetDateTime::now_utc(),
            )?;
            w.einreichung_zustand_setzen(sid, Eingangszustand::AcceptPending, None)
        })?;
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
    async fn bestaetigen(&self, sid: &str, pending: Eingangszustand) -> Result<bool, SyncError> {
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

/// [`Kern::abschliessen`] inside a given transaction.
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

impl Kern {
    fn verschwunden(&self, sid: &str) -> Result<(), SyncError> {
        const MARKE: &str = "verschwunden:";
        self.store.write(|w| {
            let info = w.einreichung(sid)?;
            if info
                .as_ref()
                .and_then(|i| i.letzter_fehler.as_deref())
                .is_some_and(|f| f.starts_with(MARKE))
            {
                return Ok(());
            }
            let text = format!(
                "{MARKE} Einreichung {sid} wurde gesehen, aber nie gespeichert und ist nicht mehr \
                 zur Abholung gelistet (anderswo angenommen/abgelehnt oder abgelaufen)"
            );
            w.einreichung_zustand_setzen(sid, Eingangszustand::Received, Some(&text))?;
            w.audit_anhaengen(SYSTEM, "einreichung.verschwunden", None, &text)?;
            Ok(())
        })?;
        Ok(())
    }

    /// Sends every due FIT-Connect event of the outbox (bounded concurrency).
    async fn ausgang_leeren(
        &self,
        bericht: &mut Bericht,
        melden: &(dyn Fn(Fortschritt) + Sync),
    ) -> Result<(), SyncError> {
        let faellig: Vec<_> = self
            .store
            .read(|r| r.outbox_faellig(OffsetDateTime::now_utc(), 10_000))?
            .into_iter()
            .filter(|e| e.art == ART_ANNAHME || e.art == ART_ABLEHNUNG)
            .collect();
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
}

/// Runs blocking work (store commits with fsync, file writes) from async code: on a
/// multi-threaded runtime through [`tokio::task::block_in_place`], so the worker's other
/// tasks move on to another thread; on a current-thread runtime (tests) directly.
fn blockierend<T>(f: impl FnOnce() -> T) -> T {
    match tokio::runtime::Handle::try_current().map(|h| h.runtime_flavor()) {
        Ok(tokio::runtime::RuntimeFlavor::MultiThread) => tokio::task::block_in_place(f),
        _ => f(),
    }
}

fn zaehlen(
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

/// The Leistung from FIT-Connect's `serviceType` (LeiKa key without the URN prefix).
fn leistung(s: &Submission) -> Leistung {
    let id = &s.service_type.identifier;
    Leistung {
        leika: id.strip_prefix(LEIKA_PREFIX).unwrap_or(id).to_owned(),
        name: s
            .service_type
            .name
            .clone()
            .unwrap_or_else(|| "Unbekannte Leistung".into()),
    }
}

fn text(v: &Value, ptr: &str) -> Option<String> {
    v.pointer(ptr)
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

/// The applicant as given in JSON form data (FIM-style `antragsteller` block); for other
/// data the name stays open for the caseworker to fill in.
fn antragsteller(daten: &[u8], mime: &str) -> Antragsteller {
    let unbekannt = Antragsteller {
        name: "(Name nicht angegeben)".into(),
        ..Default::default()
    };
    if !mime.contains("json") {
        return unbekannt;
    }
    let Ok(v) = serde_json::from_slice::<Value>(daten) else {
        return unbekannt;
    };
    let name = text(&v, "/antragsteller/name").or_else(|| {
        let teile: Vec<String> = ["/antragsteller/vorname", "/antragsteller/familienname"]
            .iter()
            .filter_map(|p| text(&v, p))
            .collect();
        (!teile.is_empty()).then(|| teile.join(" "))
    });
    let anschrift = {
        let strasse = [
            text(&v, "/antragsteller/anschrift/strasse"),
            text(&v, "/antragsteller/anschrift/hausnummer"),
        ];
        let ort = [
            text(&v, "/antragsteller/anschrift/plz"),
            text(&v, "/antragsteller/anschrift/ort"),
        ];
        let zeile =
            |t: &[Option<String>]| t.iter().flatten().cloned().collect::<Vec<_>>().join(" ");
        let s = [zeile(&strasse), zeile(&ort)]
            .into_iter()
            .filter(|z| !z.is_empty())
            .collect::<Vec<_>>()
            .join(", ");
        (!s.is_empty()).then_some(s)
    };
    let kontakt = {
        let k: Vec<String> = ["/antragsteller/email", "/antragsteller/telefon"]
            .iter()
            .filter_map(|p| text(&v, p))
            .collect();
        (!k.is_empty()).then(|| k.join(", "))
    };
    Antragsteller {
        name: name.unwrap_or(unbekannt.name),
        anschrift,
        kontakt,
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
/// Dropped before that, it leaves nothing behind.
pub struct StoreSink<'s> {
    store: &'s Store,
    aktuell: Option<(AttachmentRef, AnlageSchreiber<'s>, Vec<u8>)>,
    bereit: Vec<(AttachmentRef, AnlageSchreiber<'s>)>,
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
    /// metadata) and returns reference, SHA-512 and size of each.
    pub fn ablegen(self) -> Result<Vec<(AttachmentRef, String, u64)>, StoreError> {
        let mut fertig = Vec::with_capacity(self.bereit.len());
        for (meta, w) in self.bereit {
            let (sha, groesse) = w.abschliessen_mit_pruefung(&meta.hash.content)?;
            fertig.push((meta, sha, groesse));
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
                self.aktuell = Some((meta.clone(), w, Vec::with_capacity(ANFANG)));
                Ok(())
            }
            Err(e) => Err(self.ablage(e)),
        }
    }

    fn write(&mut self, chunk: &[u8]) -> Result<(), fitconnect::Error> {
        self.bytes += chunk.len() as u64;
        let r = match &mut self.aktuell {
            Some((_, w, anfang)) => {
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
        let Some((meta, w, anfang)) = self.aktuell.take() else {
            return Ok(());
        };
        if !ok {
            return Ok(());
        }
        if !inhalt_passt(&meta.mime_type, &anfang) {
            return Err(fitconnect::Error::InvalidAttachmentContent(format!(
                "Anlage {} ({}) ist als {} angekündigt, ihr Inhalt ist aber keine solche Datei",
                meta.attachment_id,
                sicherer_dateiname(meta.filename.as_deref(), &meta.attachment_id),
                meta.mime_type
            )));
        }
        self.bereit.push((meta, w));
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
