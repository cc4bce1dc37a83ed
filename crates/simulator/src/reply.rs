//! Reply-channel routes, following the assumptions written down in `fitconnect::reply`.
//! When a reply is sent and the simulated applicant's private reply key for the case is known
//! (applications sent by this simulator), the applicant reads it at once: decrypts metadata,
//! data and attachments and checks their hashes, then records `accept-reply` (or
//! `reject-reply` with the reason) in the case's event log, signed by the service key.
// Handlers return `Result<Response, Response>` (the axum idiom): the error *is* the answer.
#![allow(clippy::result_large_err)]

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use fitconnect::reply::CreateReply;
use fitconnect::set::EventType;
use serde_json::json;

use crate::server::{
    AppState, Reply, applicant_reads, content_type_is, forbidden, is_jose_text, json_response,
    may_subscribe, problem, problem_detail, random_id, reply_event, scopes,
};

type ApiResult = Result<Response, Response>;

fn not_found() -> Response {
    problem(StatusCode::NOT_FOUND, "not-found", "Antwort unbekannt")
}

fn reply_dest(state: &AppState, case_id: &str) -> Option<String> {
    state.lock().case_destination.get(case_id).cloned()
}

pub(crate) async fn create_reply(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult {
    let scopes = scopes(&state, &headers)?;
    let req: CreateReply = serde_json::from_slice(&body).map_err(|e| {
        problem_detail(
            StatusCode::BAD_REQUEST,
            "bad-request",
            "Ungültige Anfrage",
            Some(e.to_string()),
        )
    })?;
    let dest = reply_dest(&state, &req.case_id)
        .ok_or_else(|| problem(StatusCode::NOT_FOUND, "not-found", "Vorgang unbekannt"))?;
    if !may_subscribe(&scopes, &dest) {
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
    state.lock().replies.insert(reply.id.clone(), reply);
    Ok(json_response(StatusCode::CREATED, &out))
}

fn owned_reply(state: &AppState, scopes: &[String], reply_id: &str) -> Result<Reply, Response> {
    let inner = state.lock();
    let reply = inner.replies.get(reply_id).cloned().ok_or_else(not_found)?;
    let dest = inner
        .case_destination
        .get(&reply.case_id)
        .cloned()
        .unwrap_or_default();
    if !may_subscribe(scopes, &dest) {
        return Err(forbidden());
    }
    Ok(reply)
}

pub(crate) async fn put_reply_attachment(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    Path((reply_id, attachment_id)): Path<(String, String)>,
    body: Bytes,
) -> ApiResult {
    let scopes = scopes(&state, &headers)?;
    if !content_type_is(&headers, "application/jose") {
        return Err(problem(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported-media-type",
            "Anlagen müssen als application/jose gesendet werden",
        ));
    }
    let reply = owned_reply(&state, &scopes, &reply_id)?;
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
    if let Some(r) = state.lock().replies.get_mut(&reply_id) {
        r.attachments.insert(attachment_id, text.to_owned());
    }
    Ok(StatusCode::NO_CONTENT.into_response())
}

pub(crate) async fn submit_reply(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    Path(reply_id): Path<String>,
    body: Bytes,
) -> ApiResult {
    let scopes = scopes(&state, &headers)?;
    let mut reply = owned_reply(&state, &scopes, &reply_id)?;
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
        Some(Ok(())) => {
            reply.status = "accepted".into();
            reply_event(&state, &reply, EventType::AcceptReply, json!({}))
        }
        Some(Err(reason)) => {
            reply.status = "rejected".into();
            reply_event(
                &state,
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
    Ok(json_response(StatusCode::ACCEPTED, &out))
}

pub(crate) async fn get_reply(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    Path(reply_id): Path<String>,
) -> ApiResult {
    let scopes = scopes(&state, &headers)?;
    let r = owned_reply(&state, &scopes, &reply_id)?;
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
