//! Replies to the applicant ("Antworten") over the FIT-Connect reply channel, as outbox rows.
//!
//! [`antwort_einreihen`] takes the applicant's reply key from the metadata of the
//! case's submission (`replyChannel.fitConnect.encryptionPublicKey`), **seals the reply at
//! once** and, in one store transaction, enqueues the sealed reply ([`AntwortAuftrag`], kind
//! [`ART_ANTWORT`]), appends the outgoing [`domain::Nachricht`] to the Vorgang and writes the
//! audit entry. Every pass of the engine then drains due reply rows (`antworten_senden`, called
//! by `Engine::durchlauf` right after the event outbox): create the reply on the service,
//! persist its `replyId` in the row, upload the attachments, submit.
//!
//! What is guaranteed:
//! - Every attempt sends the same ciphertext (sealed once, stored in the row).
//! - A reply the service took is never submitted a second time by this profile: once the
//!   `replyId` is persisted, a retry first asks the service for the reply's state
//!   (`submitted`/`accepted` → done; `created` → attachments again (idempotent PUT) and submit;
//!   a 409 on submit is resolved the same way). That covers lost answers and crashes after
//!   the creation was recorded.
//! - Two passes (or two processes on one profile) do not send the same row at once: a pass
//!   claims its due rows in one write transaction by moving their next try [`ANSPRUCH`] into
//!   the future; the claim ends with success, failure (backoff) or giving up. (An attempt
//!   that takes longer than the claim could meet a second one; the client's timeouts are far
//!   shorter.)
//! - Offline or failing service: the row stays `offen` with its last error and attempts
//!   counted, retried with the engine's backoff (never earlier than `Retry-After`); permanent
//!   refusals (4xx, an applicant system that rejected the reply) give the row up with the
//!   reason, for people to see, and write an audit entry.
//!
//! What is NOT guaranteed:
//! - A crash (or a lost answer) between `POST /v1/replies` and persisting the `replyId`
//!   leaves an orphan reply in state `created` on the service; the retry creates a new one.
//!   The orphan is never submitted, so the applicant never sees it.
//! - A process that dies while it holds the claim delays the retry until the claim expires.
//! - A reply whose id the service no longer knows (404 on retry) is given up with a message
//!   asking a person to check, not created again: it may have gone out already.
//! - The Vorgang's [`domain::Nachricht`] carries no delivery state of its own: it names its
//!   outbox row (`auftrag`), whose state (offen / erledigt / aufgegeben with the reason) is
//!   the delivery state; delivery and giving up are also in the audit log
//!   (`antwort.zugestellt`, `antwort.aufgegeben`).
//! - Attachments of a reply are held whole in memory and in the row (as JWE); replies are
//!   letters with a few documents, not bulk transfers.
//! - Open replies are counted apart (`Bericht::antworten_offen`), not in
//!   `Bericht::ausgang_offen`, so `sync --once` does not wait for a reply row's backoff; the
//!   next pass sends it.
//!
//! To extend: a new kind of reply content is a new schema URI and data layout in
//! [`antwort_einreihen`]; the sending side does not look inside the sealed reply.

use std::time::Duration;

use domain::{Nachricht, NachrichtArt, Richtung, Vorgang, VorgangId};
use fitconnect::jose::Jwk;
use fitconnect::reply::{OutgoingReply, SealedReply, seal_reply};
use fitconnect::sender::OutgoingAttachment;
use futures_util::StreamExt as _;
use serde::{Deserialize, Serialize};
use store::{NeuerAuftrag, Store, StoreError};
use time::{Date, OffsetDateTime};

use crate::SyncError;
use crate::engine::{Konfiguration, SYSTEM};
use crate::fortschritt::{Bericht, Fortschritt};

/// Outbox kind of a reply to the applicant.
pub const ART_ANTWORT: &str = "fitconnect.reply";
/// Schema URI of the reply's data: `{"aktenzeichen", "art", "betreff", "text"}`, for a
/// Nachforderung also `"nachweise": [{"id", "bezeichnung"}]` and `"frist": "YYYY-MM-DD"`.
pub const SCHEMA_ANTWORT: &str = "urn:amtsstube:antwort:1.0.0";
/// How long a pass holds a reply row it is sending before another pass may take it.
pub const ANSPRUCH: Duration = Duration::from_secs(10 * 60);

/// A document sent with a reply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AntwortAnlage {
    /// File name the applicant sees.
    pub dateiname: String,
    /// MIME type.
    pub mime: String,
    /// Content.
    pub inhalt: Vec<u8>,
}

/// Payload of an [`ART_ANTWORT`] outbox row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AntwortAuftrag {
    /// The Vorgang answered.
    pub vorgang_id: String,
    /// FIT-Connect case the reply goes to.
    pub case_id: String,
    /// The reply, encrypted to the applicant's key once, sent as is on every attempt.
    pub versiegelt: SealedReply,
    /// The service's id of the reply, persisted right after its creation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reply_id: Option<String>,
}

fn kein_rueckkanal(az: &str, warum: &str) -> SyncError {
    SyncError::Daten(format!(
        "Eine Antwort über FIT-Connect ist für den Vorgang {az} nicht möglich: {warum}. \
         Benachrichtigen Sie die antragstellende Person auf anderem Weg (z. B. per Post)."
    ))
}

/// The reply key in a submission's metadata JSON, if the applicant gave one.
pub fn antwortschluessel(metadaten_json: &str) -> Result<Option<Jwk>, SyncError> {
    let v: serde_json::Value = serde_json::from_str(metadaten_json)?;
    v.pointer("/replyChannel/fitConnect/encryptionPublicKey")
        .map(|k| {
            serde_json::from_value::<Jwk>(k.clone()).map_err(|e| {
                SyncError::Daten(format!(
                    "Der Rückkanal-Schlüssel in den Metadaten ist unbrauchbar: {e}"
                ))
            })
        })
        .transpose()
}

/// A message to the applicant, as [`antwort_einreihen`] queues it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Antwort {
    /// What it is (the reply data's `art`, the thread's label).
    pub art: NachrichtArt,
    /// Subject.
    pub betreff: String,
    /// Plain text (never HTML).
    pub text: String,
    /// Documents sent with it.
    pub anlagen: Vec<AntwortAnlage>,
    /// For a Nachforderung: the requested Nachweise (id, name), carried in the reply data so
    /// the applicant's online service can offer an upload for each; the applicant answers
    /// with attachments whose `description` is the id.
    pub nachweise: Vec<(String, String)>,
    /// For a Nachforderung: by when the applicant should answer.
    pub frist: Option<Date>,
}

/// What the caller changes on the Vorgang in the transaction that queues a reply (a status
/// change, the Nachforderung); returns an extra audit entry (`was`, `details`) if any.
pub type Aenderung<'a> =
    Box<dyn FnOnce(&mut Vorgang) -> Result<Option<(String, String)>, StoreError> + 'a>;

/// The applicant's FIT-Connect reply key for the case `v`, from the metadata JSON of its
/// submission (`None`: not in the store), or why there is none (German): the one rule that
/// the case view, the CLI and sending follow.
pub fn rueckkanal_von(v: &Vorgang, metadaten_json: Option<&str>) -> Result<Jwk, SyncError> {
    let az = v
        .aktenzeichen
        .as_ref()
        .map_or_else(|| v.id.to_string(), |a| a.0.clone());
    if v.fit_connect.is_none() {
        return Err(kein_rueckkanal(
            &az,
            "Der Antrag ist nicht über FIT-Connect eingegangen",
        ));
    }
    let metadaten = metadaten_json.ok_or_else(|| {
        kein_rueckkanal(
            &az,
            "Die Metadaten der Einreichung fehlen im Speicher (nur Ablehnungen bleiben ohne)",
        )
    })?;
    antwortschluessel(metadaten)?.ok_or_else(|| {
        kein_rueckkanal(
            &az,
            "Die antragstellende Person hat keinen FIT-Connect-Rückkanal angegeben \
             (replyChannel.fitConnect fehlt in den Metadaten ihres Antrags)",
        )
    })
}

/// The metadata JSON of the submission `v` came in with, read in `r`.
pub fn metadaten_lesen(r: &store::Lesen<'_>, v: &Vorgang) -> Result<Option<String>, StoreError> {
    Ok(match &v.fit_connect {
        Some(f) => r
            .einreichung(&f.submission_id)?
            .and_then(|e| e.metadaten_json),
        None => None,
    })
}

/// ` (address)` of a mail channel in the metadata, if it names one.
fn adresse(kanal: &serde_json::Value) -> String {
    kanal
        .get("address")
        .and_then(|a| a.as_str())
        .map(|a| format!(" ({a})"))
        .unwrap_or_default()
}

/// The reply channels the applicant named in the submission's metadata other than
/// FIT-Connect (`eMail`, `deMail`, `elster`, `fink`), as German text for information.
pub fn andere_rueckkanaele(metadaten_json: &str) -> Vec<String> {
    let Ok(v) = serde_json::from_str::<serde_json::Value>(metadaten_json) else {
        return Vec::new();
    };
    let Some(kanaele) = v.get("replyChannel").and_then(|k| k.as_object()) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (name, wert) in kanaele {
        let text = match name.as_str() {
            "fitConnect" => continue,
            "eMail" => format!("E-Mail{}", adresse(wert)),
            "deMail" => format!("De-Mail{}", adresse(wert)),
            "elster" => "ELSTER-Postfach".to_owned(),
            "fink" => "FINK-Postfach".to_owned(),
            andere => andere.to_owned(),
        };
        out.push(text);
    }
    out
}

/// Seals `antwort` to the applicant of `vorgang` and queues it in `store`, in one transaction with
/// the outgoing Nachricht on the Vorgang (linked to the outbox row), the audit entry of
/// `wer` and what `aendern` changes (a status change and the Nachforderung). Returns the
/// outbox row's idempotency key. Fails with a German message, and queues nothing, when
/// the applicant gave no FIT-Connect reply channel or `aendern` refuses.
pub fn antwort_einreihen(
    store: &Store,
    vorgang: &VorgangId,
    antwort: Antwort,
    wer: &str,
    aendern: Aenderung<'_>,
) -> Result<String, SyncError> {
    let (v, metadaten) = store.read(|r| {
        let v = r
            .vorgang(vorgang)?
            .ok_or_else(|| StoreError::NichtGefunden(format!("Der Vorgang {vorgang}")))?;
        let m = metadaten_lesen(r, &v)?;
        Ok((v, m))
    })?;
    let schluessel = rueckkanal_von(&v, metadaten.as_deref())?;
    let az = v.aktenzeichen.map(|a| a.0).unwrap_or_default();
    let case_id = v.fit_connect.map(|f| f.case_id).unwrap_or_default();
    let Antwort {
        art,
        betreff,
        text,
        anlagen,
        nachweise,
        frist,
    } = antwort;
    let mut daten = serde_json::json!({
        "aktenzeichen": az,
        "art": art.code(),
        "betreff": betreff,
        "text": text,
    });
    if !nachweise.is_empty() {
        daten["nachweise"] = serde_json::Value::Array(
            nachweise
                .iter()
                .map(|(id, bez)| serde_json::json!({ "id": id, "bezeichnung": bez }))
                .collect(),
        );
    }
    if let Some(f) = frist {
        daten["frist"] = serde_json::Value::String(format!(
            "{:04}-{:02}-{:02}",
            f.year(),
            u8::from(f.month()),
            f.day()
        ));
    }
    let daten = serde_json::to_vec(&daten)?;
    let namen: Vec<String> = anlagen.iter().map(|a| a.dateiname.clone()).collect();
    let reply = OutgoingReply {
        data: daten,
        schema_uri: SCHEMA_ANTWORT.into(),
        attachments: anlagen
            .into_iter()
            .map(|a| OutgoingAttachment {
                id: uuid::Uuid::new_v4().to_string(),
                filename: a.dateiname,
                mime_type: a.mime,
                purpose: "attachment".into(),
                description: None,
                content: a.inhalt,
            })
            .collect(),
    };
    let versiegelt = seal_reply(&schluessel, &reply)?;
    let idempotenz = format!("{ART_ANTWORT}:{vorgang}:{}", uuid::Uuid::new_v4());
    let auftrag = NeuerAuftrag {
        idempotenz: idempotenz.clone(),
        art: ART_ANTWORT.into(),
        vorgang_id: Some(vorgang.to_string()),
        nutzlast: serde_json::to_vec(&AntwortAuftrag {
            vorgang_id: vorgang.to_string(),
            case_id,
            versiegelt,
            reply_id: None,
        })?,
    };
    let jetzt = OffsetDateTime::now_utc();
    store.write(|w| {
        // Read again inside the transaction: someone may have changed the Vorgang.
        let mut v = w
            .vorgang(vorgang)?
            .ok_or_else(|| StoreError::NichtGefunden(format!("Der Vorgang {vorgang}")))?;
        w.outbox_einreihen(&auftrag, jetzt)?;
        v.nachrichten.push(Nachricht {
            art,
            anlagen: namen.clone(),
            auftrag: Some(idempotenz.clone()),
            von: Some(wer.to_owned()),
            ..Nachricht::neu(Richtung::Ausgehend, jetzt, &betreff, &text)
        });
        let zusatz = aendern(&mut v)?;
        w.vorgang_aendern(
            &v,
            wer,
            "antwort.eingereiht",
            &format!(
                "{} über den FIT-Connect-Rückkanal eingereiht ({idempotenz}), {} Anlage(n)",
                art.bezeichnung(),
                namen.len()
            ),
        )?;
        if let Some((was, details)) = zusatz {
            w.audit_anhaengen(wer, &was, Some(vorgang), &details)?;
        }
        Ok(())
    })?;
    Ok(idempotenz)
}

/// Last error of a reply row while a pass sends it.
const BEGONNEN: &str = "Versand begonnen";

/// What the service holds of a reply after a successful attempt.
struct Zugestellt {
    reply_id: String,
    status: String,
}

fn zurueckgewiesen(reply_id: &str) -> SyncError {
    SyncError::Daten(format!(
        "Das System der antragstellenden Person hat die Antwort {reply_id} zurückgewiesen \
         (reject-reply, Einzelheiten im Ereignisprotokoll des Vorgangs). Senden Sie die \
         Antwort auf anderem Weg."
    ))
}

/// Whether a later attempt may succeed. A garbled answer (`Protocol`, e.g. a body cut off)
/// is the transport's fault here: the sealed reply itself was checked when it was queued.
fn wiederholbar(e: &SyncError) -> bool {
    match e {
        SyncError::FitConnect(fitconnect::Error::Protocol { .. }) | SyncError::Store(_) => true,
        other => other.voruebergehend(),
    }
}

/// The reply is on the service as `submitted` or `accepted`: done. `created`: not yet sent.
fn schon_gesendet(
    reply_id: &str,
    state: &fitconnect::reply::ReplyState,
) -> Result<Option<Zugestellt>, SyncError> {
    match state.status.as_str() {
        "submitted" | "accepted" => Ok(Some(Zugestellt {
            reply_id: reply_id.to_owned(),
            status: state.status.clone(),
        })),
        "rejected" => Err(zurueckgewiesen(reply_id)),
        _ => Ok(None),
    }
}

/// One attempt of one reply row (see the module doc for the steps).
async fn senden(
    store: &Store,
    client: &fitconnect::Client,
    id: i64,
    mut a: AntwortAuftrag,
) -> Result<Zugestellt, SyncError> {
    if let Some(rid) = a.reply_id.clone() {
        match client.reply_state(&rid).await {
            Ok(s) => {
                if let Some(z) = schon_gesendet(&rid, &s)? {
                    return Ok(z);
                }
            }
            // Forgotten by the service: whether it went out cannot be told any more, and a
            // second letter is worse than a person checking (never twice beats retrying).
            Err(fitconnect::Error::Http { status: 404, .. }) => {
                return Err(SyncError::Daten(format!(
                    "Der Zustelldienst kennt die Antwort {rid} nicht mehr; ob sie die \
                     antragstellende Person erreicht hat, ist unbekannt. Prüfen Sie das \
                     Ereignisprotokoll des Vorgangs und senden Sie die Antwort nur bei Bedarf neu."
                )));
            }
            Err(e) => return Err(e.into()),
        }
    }
    let rid = match a.reply_id.clone() {
        Some(rid) => rid,
        None => {
            let rid = client
                .create_reply(&a.case_id, &a.versiegelt.announced)
                .await?;
            a.reply_id = Some(rid.clone());
            let nutzlast = serde_json::to_vec(&a)?;
            store.write(|w| w.outbox_nutzlast_setzen(id, &nutzlast))?;
            rid
        }
    };
    client.upload_reply_attachments(&rid, &a.versiegelt).await?;
    match client.submit_reply(&rid, &a.versiegelt).await {
        Ok(()) => Ok(Zugestellt {
            reply_id: rid,
            status: "submitted".into(),
        }),
        // Submitted already (an earlier attempt whose answer was lost).
        Err(e @ fitconnect::Error::Http { status: 409, .. }) => {
            let s = client.reply_state(&rid).await?;
            schon_gesendet(&rid, &s)?.ok_or_else(|| e.into())
        }
        Err(e) => Err(e.into()),
    }
}

/// Sends every due reply row (bounded concurrency). Called by `Engine::durchlauf` after the
/// event outbox; failures go into `bericht.fehler` and to `melden`, and into the row.
pub(crate) async fn antworten_senden(
    store: &Store,
    client: &fitconnect::Client,
    cfg: &Konfiguration,
    bericht: &mut Bericht,
    melden: &(dyn Fn(Fortschritt) + Sync),
) -> Result<(), SyncError> {
    let jetzt = OffsetDateTime::now_utc();
    let bis = jetzt + time::Duration::try_from(cfg.antwort_anspruch).unwrap_or_default();
    // Claim the due rows and count the attempts in one transaction, before acting.
    let faellig = store.write(|w| {
        let faellig: Vec<_> = w.outbox_faellig_arten(jetzt, 10_000, &[ART_ANTWORT])?;
        for e in &faellig {
            w.outbox_versuch(e.id)?;
            // Seen in the outbox when this process dies while it sends.
            let text = match &e.letzter_fehler {
                None => BEGONNEN.to_owned(),
                Some(f) if f.starts_with(BEGONNEN) => format!(
                    "{BEGONNEN}; ein früherer Versuch endete ohne Ergebnis (Programm beendet?)"
                ),
                Some(f) => format!("{BEGONNEN} (zuvor: {f})"),
            };
            w.outbox_fehlschlag(e.id, &text, bis)?;
        }
        Ok(faellig)
    })?;
    if faellig.is_empty() {
        return Ok(());
    }
    let ergebnisse: Vec<_> = futures_util::stream::iter(faellig)
        .map(|e| async move {
            let r = match serde_json::from_slice::<AntwortAuftrag>(&e.nutzlast) {
                Ok(a) => senden(store, client, e.id, a).await,
                Err(err) => Err(SyncError::Daten(format!("Nutzlast unlesbar: {err}"))),
            };
            (e, r)
        })
        .buffer_unordered(cfg.gleichzeitig.max(1))
        .collect()
        .await;
    for (e, r) in ergebnisse {
        let vorgang = e
            .vorgang_id
            .as_deref()
            .and_then(|v| v.parse::<uuid::Uuid>().ok())
            .map(VorgangId);
        let versuche = e.versuche + 1;
        match r {
            Ok(z) => {
                let jetzt = OffsetDateTime::now_utc();
                store.write(|w| {
                    w.outbox_erledigt(e.id, jetzt)?;
                    w.audit_anhaengen(
                        SYSTEM,
                        "antwort.zugestellt",
                        vorgang.as_ref(),
                        &format!(
                            "Antwort {} vom Zustelldienst angenommen (Status {}, {versuche}. \
                             Versuch; {})",
                            z.reply_id, z.status, e.idempotenz
                        ),
                    )
                })?;
                bericht.antworten_erledigt += 1;
            }
            Err(err) => {
                let text = err.to_string();
                let voruebergehend = wiederholbar(&err);
                if voruebergehend {
                    let retry_after = match &err {
                        SyncError::FitConnect(f) => f.retry_after(),
                        _ => None,
                    };
                    let warte = cfg.backoff.wartezeit_zufaellig(versuche, retry_after);
                    let naechster = OffsetDateTime::now_utc()
                        + time::Duration::try_from(warte).unwrap_or_default();
                    store.write(|w| w.outbox_fehlschlag(e.id, &text, naechster))?;
                } else {
                    store.write(|w| {
                        w.outbox_aufgeben(e.id, &text)?;
                        w.audit_anhaengen(
                            SYSTEM,
                            "antwort.aufgegeben",
                            vorgang.as_ref(),
                            &format!("{}: {text}", e.idempotenz),
                        )
                    })?;
                    bericht.antworten_erledigt += 1;
                }
                let meldung = format!("Antwort an die antragstellende Person: {text}");
                tracing::warn!("{meldung}");
                melden(Fortschritt::Fehler {
                    submission_id: None,
                    meldung: meldung.clone(),
                    voruebergehend,
                });
                bericht.fehler.push(meldung);
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_reply_key_is_read_from_the_metadata_and_its_absence_is_none() {
        assert_eq!(
            antwortschluessel(r#"{"contentStructure":{}}"#).unwrap(),
            None
        );
        let k = fitconnect::jose::EncryptionKeyPair::generate("antwort-test")
            .unwrap()
            .public_jwk()
            .unwrap();
        let m = serde_json::json!({"replyChannel": {"fitConnect": {"encryptionPublicKey": k}}});
        assert_eq!(antwortschluessel(&m.to_string()).unwrap(), Some(k));
        let kaputt = r#"{"replyChannel":{"fitConnect":{"encryptionPublicKey":"nein"}}}"#;
        assert!(antwortschluessel(kaputt).is_err());
    }

    #[test]
    fn garbled_answers_and_server_errors_are_retried_refusals_are_not() {
        let http = |status| {
            SyncError::FitConnect(fitconnect::Error::Http {
                endpoint: "create-reply".into(),
                status,
                problem: None,
                retry_after: None,
            })
        };
        assert!(wiederholbar(&http(503)));
        assert!(wiederholbar(&http(429)));
        assert!(!wiederholbar(&http(403)));
        assert!(!wiederholbar(&http(404)));
        assert!(wiederholbar(&SyncError::FitConnect(
            fitconnect::Error::Protocol {
                endpoint: "create-reply".into(),
                detail: "EOF".into()
            }
        )));
        assert!(!wiederholbar(&zurueckgewiesen("r-1")));
    }
}
