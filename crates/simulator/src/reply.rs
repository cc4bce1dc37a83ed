//! Reply-channel routes, following the assumptions written down in `fitconnect::reply`.
//! When a reply is sent and the simulated applicant's private reply key for the case is known
//! (applications sent by this simulator), the applicant reads it at once: decrypts metadata,
//! data and attachments and checks their hashes, then records `accept-reply` (or
//! `reject-reply` with the reason) in the case's event log, signed by the service key.
// Handlers return `Result<Response, Response>` (the axum idiom): the error *is* the answer.
#![allow(clippy::result_large_err)]

use std::collections::BTreeMap;

use axum::body::Bytes;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use fitconnect::reply::CreateReply;
use fitconnect::set::EventType;
use serde_json::json;

use crate::server::{
    AppState, Reply, applicant_reads, forbidden, is_jose_text, json_anfrage, json_response,
    nicht_gefunden, problem, random_id, reply_event, zustellpunkt_des_vorgangs,
};
use crate::zugang::Zugang;

type ApiResult = Result<Response, Response>;

pub(crate) async fn create_reply(zugang: Zugang, body: Bytes) -> ApiResult {
    let req: CreateReply = json_anfrage(&body)?;
    let dest = zustellpunkt_des_vorgangs(&zugang.state.lock(), &req.case_id)?;
    if !zugang.darf_abholen(&dest) {
        return Err(forbidden());
    }
    let reply = Reply {
        id: random_id(),
        case_id: req.case_id.clone(),
        announced: req.announced_attachments,
        attachments: BTreeMap::new(),
        encrypted_metadata: None,
        encrypted_data: None,
        status: "created".into(),
    };
    let out = json!({"replyId": reply.id, "caseId": reply.case_id});
    zugang.state.lock().replies.insert(reply.id.clone(), reply);
    zugang.state.sichern();
    Ok(json_response(StatusCode::CREATED, &out))
}

/// The reply `reply_id`, if the token may answer in its case (subscriber of the destination).
fn owned_reply(zugang: &Zugang, reply_id: &str) -> Result<Reply, Response> {
    let inner = zugang.state.lock();
    let reply = inner
        .replies
        .get(reply_id)
        .cloned()
        .ok_or_else(|| nicht_gefunden("Antwort unbekannt"))?;
    let dest = inner
        .case_destination
        .get(&reply.case_id)
        .cloned()
        .unwrap_or_default();
    if !zugang.darf_abholen(&dest) {
        return Err(forbidden());
    }
    Ok(reply)
}

pub(crate) async fn put_reply_attachment(
    Path((reply_id, attachment_id)): Path<(String, String)>,
    zugang: Zugang,
    body: Bytes,
) -> ApiResult {
    zugang.verlangt_inhaltstyp(
        "application/jose",
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "Anlagen müssen als application/jose gesendet werden",
    )?;
    let reply = owned_reply(&zugang, &reply_id)?;
    let text = std::str::from_utf8(&body)
        .ok()
        .filter(|t| is_jose_text(t))
        .ok_or_else(|| problem(StatusCode::BAD_REQUEST, "bad-request", "Kein kompaktes JWE"))?;
    if reply.status != "created" || !reply.announced.contains(&attachment_id) {
        return Err(problem(
            StatusCode::UNPROCESSABLE_ENTITY,
            "attachment-not-announced",
            "Anlage nicht angekündigt oder Antwort schon versendet",
        ));
    }
    if let Some(r) = zugang.state.lock().replies.get_mut(&reply_id) {
        r.attachments.insert(attachment_id, text.to_owned());
    }
    Ok(StatusCode::NO_CONTENT.into_response())
}

pub(crate) async fn submit_reply(
    Path(reply_id): Path<String>,
    zugang: Zugang,
    body: Bytes,
) -> ApiResult {
    let state = &zugang.state;
    let mut reply = owned_reply(&zugang, &reply_id)?;
    let req: serde_json::Value = serde_json::from_slice(&body)
        .map_err(|_| problem(StatusCode::BAD_REQUEST, "bad-request", "Kein gültiges JSON"))?;
    let field = |n: &str| {
        req.get(n)
            .and_then(|v| v.as_str())
            .filter(|t| is_jose_text(t))
            .map(str::to_owned)
    };
    reply.encrypted_metadata = Some(field("encryptedMetadata").ok_or_else(|| {
        problem(
            StatusCode::BAD_REQUEST,
            "bad-request",
            "encryptedMetadata fehlt",
        )
    })?);
    reply.encrypted_data = field("encryptedData");
    if reply.status != "created" {
        return Err(problem(
            StatusCode::CONFLICT,
            "invalid-state",
            "Antwort schon versendet",
        ));
    }
    if reply
        .announced
        .iter()
        .any(|a| !reply.attachments.contains_key(a))
    {
        return Err(problem(
            StatusCode::UNPROCESSABLE_ENTITY,
            "missing-attachments",
            "Angekündigte Anlagen fehlen",
        ));
    }
    reply.status = "submitted".into();
    let key = state.lock().reply_keys.get(&reply.case_id).cloned();
    let event = match key.map(|k| applicant_reads(&k, &reply)) {
        Some(Ok(gelesen)) => {
            reply.status = "accepted".into();
            postfach_ablegen(state, &reply, &gelesen);
            if let Some(n) = gelesen
                .daten
                .as_deref()
                .and_then(|d| crate::nachreichung::aus_antwortdaten(&reply.case_id, d))
            {
                state.lock_nachforderungen().push(n);
                state.nachforderung_gelesen.notify_one();
            }
            reply_event(state, &reply, EventType::AcceptReply, json!({}))
        }
        Some(Err(reason)) => {
            reply.status = "rejected".into();
            reply_event(
                state,
                &reply,
                EventType::RejectReply,
                json!({"problems": [fitconnect::set::SetProblem::new(
                    fitconnect::set::ProblemType::EncryptionIssue, reason)]}),
            )
        }
        None => None,
    };
    let out = json!({"replyId": reply.id, "caseId": reply.case_id, "status": reply.status});
    let mut inner = state.lock();
    inner
        .cases
        .entry(reply.case_id.clone())
        .or_default()
        .extend(event);
    inner.replies.insert(reply.id.clone(), reply);
    drop(inner);
    state.sichern();
    Ok(json_response(StatusCode::ACCEPTED, &out))
}

/// Puts what the applicant read into their Postfach, if there is one; a failure is only
/// logged (the applicant did read the reply).
fn postfach_ablegen(state: &AppState, reply: &Reply, gelesen: &crate::postfach::Gelesen) {
    let Some(postfach) = &state.postfach else {
        return;
    };
    if let Err(e) = crate::postfach::ablegen(postfach, &reply.case_id, &reply.id, gelesen) {
        tracing::warn!(
            "Simulator: Die Antwort {} im Vorgang {} ließ sich nicht im Postfach {} ablegen \
             ({e}); die simulierte antragstellende Person hat sie trotzdem gelesen.",
            reply.id,
            reply.case_id,
            postfach.display()
        );
    }
}

pub(crate) async fn get_reply(Path(reply_id): Path<String>, zugang: Zugang) -> ApiResult {
    let r = owned_reply(&zugang, &reply_id)?;
    Ok(json_response(
        StatusCode::OK,
        &json!({
            "replyId": r.id,
            "caseId": r.case_id,
            "status": r.status,
            "attachments": r.attachments.keys().collect::<Vec<_>>(),
        }),
    ))
}

/// A reply as the service holds it, for tests and the demo: what reached the applicant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeldReply {
    /// Reply id.
    pub reply_id: String,
    /// The case.
    pub case_id: String,
    /// `created`, `submitted`, `accepted`, `rejected`.
    pub status: String,
    /// Uploaded attachment JWEs by attachment id.
    pub attachments: BTreeMap<String, String>,
    /// Metadata JWE (after submit).
    pub encrypted_metadata: Option<String>,
    /// Data JWE (after submit).
    pub encrypted_data: Option<String>,
}

impl crate::SimHandle {
    /// Every reply the service holds (also those created but never submitted), by id.
    pub fn replies(&self) -> Vec<HeldReply> {
        let mut out: Vec<HeldReply> = self
            .state
            .lock()
            .replies
            .values()
            .map(|r| HeldReply {
                reply_id: r.id.clone(),
                case_id: r.case_id.clone(),
                status: r.status.clone(),
                attachments: r.attachments.clone(),
                encrypted_metadata: r.encrypted_metadata.clone(),
                encrypted_data: r.encrypted_data.clone(),
            })
            .collect();
        out.sort_by(|a, b| a.reply_id.cmp(&b.reply_id));
        out
    }

    /// The simulated applicant's private reply key in `case_id` (applications this simulator
    /// sent with a reply channel), to read replies as the applicant does.
    pub fn applicant_reply_key(
        &self,
        case_id: &str,
    ) -> Option<fitconnect::jose::EncryptionKeyPair> {
        self.state.lock().reply_keys.get(case_id).cloned()
    }
}
