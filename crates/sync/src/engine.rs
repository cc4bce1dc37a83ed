//! The apply step: one sync pass = snapshot of the store + pickup list of the service →
//! [`crate::plan::plan`] → carry out each op, persisting its state before the next effect.
//!
//! The rules the code keeps (each has a test in `tests/`):
//! - A fetched submission is mapped (pure, [`crate::aufnahme`]) and written with ONE store
//!   call in ONE transaction ([`store::Schreiben::einreichung_aufnehmen`]): the case (or, for
//!   a follow-up, the documents added to the existing case), the submission's content, its
//!   state (`stored` → `accept-pending`) and the signed accept in the outbox; the call checks
//!   once that the submission is still `received`. Before that commit nothing is sent; after
//!   it, a crash loses nothing.
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

use domain::{Eingangszustand, VorgangId};
use fitconnect::metadata::FormSchemas;
use fitconnect::model::Submission;
use fitconnect::profile_keys::ProfileKeys;
use fitconnect::set::{self, AuthenticationTags, SetProblem};
use futures_util::StreamExt as _;
use store::{Aufnahmeergebnis, NeuerAuftrag, Store, StoreError};
use time::OffsetDateTime;

use crate::SyncError;
use crate::abruf::Entscheidung;
pub use crate::abruf::{StoreSink, sicherer_dateiname};
use crate::aufnahme::{self, Eingang};
use crate::ausgang::zaehlen;
pub use crate::ausgang::{ART_ABLEHNUNG, ART_ANNAHME, EreignisAuftrag, idempotenz};
use crate::fortschritt::{Bericht, Fortschritt};
pub use crate::konfiguration::{
    Konfiguration, MAX_BYTES_JE_ANLAGE, MAX_BYTES_JE_EINREICHUNG, demo_fristen,
};
use crate::plan::{self, Local, Op, Remote, Snapshot};

/// Prefix of LeiKa URNs in FIT-Connect's `serviceType.identifier`.
pub const LEIKA_PREFIX: &str = "urn:de:fim:leika:leistung:";
/// Who the engine is in the audit log.
pub const SYSTEM: &str = "system:sync";

/// The engine of one profile. Cheap to clone (shared state); fetches run as tokio tasks, so
/// decryption uses every worker thread of a multi-threaded runtime.
#[derive(Clone)]
pub struct Engine {
    kern: Arc<Kern>,
}

/// The shared state of an [`Engine`]; its methods live with their part (pass here, fetch in
/// [`crate::abruf`], outbox in [`crate::ausgang`]).
pub(crate) struct Kern {
    pub(crate) store: Arc<Store>,
    pub(crate) client: fitconnect::Client,
    pub(crate) keys: ProfileKeys,
    pub(crate) destination_id: String,
    pub(crate) forms: FormSchemas,
    pub(crate) cfg: Konfiguration,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine")
            .field("destination_id", &self.kern.destination_id)
            .finish_non_exhaustive()
    }
}

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
        // Only the kinds this engine sends (the E-Akte hand-over has its own loop in `app`).
        let offen = self.store.read(|r| {
            r.outbox_faellig_arten(fern, 1, &[ART_ANNAHME, ART_ABLEHNUNG, crate::ART_ANTWORT])
        })?;
        Ok(offen.iter().map(|e| e.naechster_versuch).min().map(|t| {
            let d = t - OffsetDateTime::now_utc();
            Duration::try_from(d).unwrap_or(Duration::ZERO)
        }))
    }

    /// One pass in the span `sync{art="abgleich", lauf=<uuid>}`: every line it logs carries
    /// the same run id; the pass ends with one line of counts (no personal data).
    async fn durchlauf(
        self: &Arc<Self>,
        melden: &(dyn Fn(Fortschritt) + Sync),
    ) -> Result<Bericht, SyncError> {
        use tracing::Instrument as _;
        let beginn = std::time::Instant::now();
        let span = protokoll::lauf("abgleich");
        let ergebnis = self
            .durchlauf_ohne_span(melden)
            .instrument(span.clone())
            .await;
        let ms = beginn.elapsed().as_millis();
        span.in_scope(|| match &ergebnis {
            Ok(b) => tracing::info!(
                gelistet = b.gelistet,
                neu = b.neu,
                gespeichert = b.gespeichert,
                nachgereicht = b.nachgereicht,
                abgelehnt = b.abgelehnt,
                verschwunden = b.verschwunden,
                nicht_erledigt = b.nicht_erledigt,
                ausgang_offen = b.ausgang_offen,
                antworten_offen = b.antworten_offen,
                fehler = b.fehler.len(),
                ms,
                "Abgleich beendet"
            ),
            Err(e) => tracing::error!(ms, "Abgleich abgebrochen: {e}"),
        });
        ergebnis
    }

    async fn durchlauf_ohne_span(
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

    pub(crate) fn fehler(
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
            Entscheidung::Annehmen { eingang, tags } => self.speichern(*eingang, &tags, vorgang),
            Entscheidung::Ablehnen {
                submission,
                problem,
                fehler,
            } => self.ablehnen(&submission, problem, &fehler),
        })
    }

    /// Takes a verified submission in: signs its accept, maps it to a new case or a
    /// follow-up (pure, [`aufnahme::aufnahme`]) and hands both to the store's one intake call,
    /// which checks once that it is still `received`.
    fn speichern(
        &self,
        eingang: Eingang,
        tags: &AuthenticationTags,
        vorgang: Option<VorgangId>,
    ) -> Result<Abgerufen, SyncError> {
        let annahme = self.annahme_auftrag(&eingang.submission_id, &eingang.case_id, tags)?;
        let aufnahme = aufnahme::aufnahme(
            eingang,
            vorgang,
            annahme,
            &self.cfg,
            OffsetDateTime::now_utc(),
        );
        Ok(
            match self.store.write(|w| w.einreichung_aufnehmen(aufnahme))? {
                Aufnahmeergebnis::Gespeichert {
                    aktenzeichen,
                    nachgereicht,
                    ..
                } => Abgerufen::Gespeichert {
                    aktenzeichen,
                    nachgereicht,
                },
                Aufnahmeergebnis::SchonErledigt => Abgerufen::SchonErledigt,
            },
        )
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
}

/// Runs blocking work (store commits with fsync, file writes) from async code: on a
/// multi-threaded runtime through [`tokio::task::block_in_place`], so the worker's other
/// tasks move on to another thread; on a current-thread runtime (tests) directly.
pub(crate) fn blockierend<T>(f: impl FnOnce() -> T) -> T {
    match tokio::runtime::Handle::try_current().map(|h| h.runtime_flavor()) {
        Ok(tokio::runtime::RuntimeFlavor::MultiThread) => tokio::task::block_in_place(f),
        _ => f(),
    }
}
