//! Replies to the applicant over the FIT-Connect reply channel ("Rückkanal", bidirectional
//! communication). **Kept apart on purpose: the Submission API 1.1.3 we have predates replies**,
//! so the endpoints below are modelled on FITKO's published reply channel as far as we could
//! determine it without access to the newer specification. Every assumption:
//!
//! 1. A reply is possible only when the submission's metadata carry
//!    `replyChannel.fitConnect.encryptionPublicKey` (metadata 2.x; see [`crate::metadata`]).
//!    Reply parts are encrypted to that key exactly like submissions (`RSA-OAEP-256` +
//!    `A256GCM`, compact JWE), never to the destination's key.
//! 2. `POST /v1/replies` with `{"caseId", "announcedAttachments": [uuid...]}` creates a reply
//!    in the case (scope `subscribe:destination:<id>` of the case's destination) and answers
//!    201 with `{"replyId", "caseId"}`.
//! 3. `PUT /v1/replies/{replyId}/attachments/{attachmentId}` uploads an announced attachment
//!    (`application/jose`, 204), as for submissions.
//! 4. `PUT /v1/replies/{replyId}` with `{"encryptedMetadata", "encryptedData"}` sends it
//!    (202). The reply's metadata follow the same schema as a submission's
//!    (`contentStructure` with SHA-512 hashes of data and attachments).
//! 5. `GET /v1/replies/{replyId}` answers `{"replyId", "caseId", "status", "attachments"}`;
//!    `status` is one of `created`, `submitted`, `accepted`, `rejected`.
//! 6. The applicant's system acknowledges with `accept-reply` / `reject-reply` SETs in the
//!    case's event log (`sub: reply:<id>`), readable through the usual event-log endpoint.
//!
//! When the published reply API differs, only this module and the simulator's `reply` routes
//! change.

use serde::{Deserialize, Serialize};

use crate::Error;
use crate::jose::{self, Jwk};
use crate::metadata::sha512_hex;
use crate::sender::OutgoingAttachment;

/// A reply to send.
#[derive(Debug, Clone)]
pub struct OutgoingReply {
    /// JSON data of the reply (e.g. a Nachforderung).
    pub data: Vec<u8>,
    /// Schema URI of the data.
    pub schema_uri: String,
    /// Attachments (e.g. the Bescheid PDF).
    pub attachments: Vec<OutgoingAttachment>,
}

/// Body of `POST /v1/replies` (assumption 2).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateReply {
    /// The case being answered.
    pub case_id: String,
    /// Attachments to be uploaded.
    pub announced_attachments: Vec<String>,
}

/// Answer of `POST /v1/replies`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReplyCreated {
    /// New reply.
    pub reply_id: String,
    /// The case.
    pub case_id: String,
}

/// `GET /v1/replies/{id}` (assumption 5).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReplyState {
    /// Reply id.
    pub reply_id: String,
    /// The case.
    pub case_id: String,
    /// `created`, `submitted`, `accepted`, `rejected`.
    pub status: String,
    /// Uploaded attachments.
    #[serde(default)]
    pub attachments: Vec<String>,
    /// Encrypted metadata (present for the applicant's side).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encrypted_metadata: Option<String>,
    /// Encrypted data.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encrypted_data: Option<String>,
}

/// A reply, encrypted to the applicant's key. Serializable, so a sender can keep it (e.g. in
/// an outbox) and send the same ciphertext on every retry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SealedReply {
    /// Create body (case id filled in by [`crate::Client::send_reply`]).
    pub announced: Vec<String>,
    /// Attachment JWEs.
    pub attachments: Vec<(String, String)>,
    /// Metadata JWE.
    pub encrypted_metadata: String,
    /// Data JWE.
    pub encrypted_data: String,
}

/// Encrypts a reply to `reply_key` (from the submission's metadata).
pub fn seal_reply(reply_key: &Jwk, reply: &OutgoingReply) -> Result<SealedReply, Error> {
    let attachments_meta: Vec<serde_json::Value> = reply
        .attachments
        .iter()
        .map(|a| {
            serde_json::json!({
                "attachmentId": a.id,
                "hash": {"type": "sha512", "content": sha512_hex(&a.content)},
                "purpose": a.purpose,
                "filename": a.filename,
                "mimeType": a.mime_type,
            })
        })
        .collect();
    let metadata = serde_json::json!({
        "contentStructure": {
            "data": {
                "hash": {"type": "sha512", "content": sha512_hex(&reply.data)},
                "submissionSchema": {"schemaUri": reply.schema_uri, "mimeType": "application/json"},
            },
            "attachments": attachments_meta,
        }
    });
    let meta_bytes = serde_json::to_vec(&metadata).map_err(|e| Error::Protocol {
        endpoint: "seal-reply".into(),
        detail: e.to_string(),
    })?;
    Ok(SealedReply {
        announced: reply.attachments.iter().map(|a| a.id.clone()).collect(),
        attachments: reply
            .attachments
            .iter()
            .map(|a| Ok((a.id.clone(), jose::encrypt(reply_key, &a.content, None)?)))
            .collect::<Result<_, Error>>()?,
        encrypted_metadata: jose::encrypt(reply_key, &meta_bytes, Some("application/json"))?,
        encrypted_data: jose::encrypt(reply_key, &reply.data, Some("application/json"))?,
    })
}

impl crate::Client {
    /// Sends a reply in `case_id` to the applicant whose reply key is `reply_key`
    /// (assumptions 2–4). Returns the reply id; follow it with [`Self::reply_state`].
    /// Senders that must survive crashes and lost answers use the steps one by one:
    /// [`Self::create_reply`], [`Self::upload_reply_attachments`], [`Self::submit_reply`].
    pub async fn send_reply(
        &self,
        case_id: &str,
        reply_key: &Jwk,
        reply: &OutgoingReply,
    ) -> Result<String, Error> {
        let sealed = seal_reply(reply_key, reply)?;
        let reply_id = self.create_reply(case_id, &sealed.announced).await?;
        self.upload_reply_attachments(&reply_id, &sealed).await?;
        self.submit_reply(&reply_id, &sealed).await?;
        Ok(reply_id)
    }

    /// Step 1: `POST /v1/replies` (assumption 2). Not idempotent: each call creates a reply.
    pub async fn create_reply(&self, case_id: &str, announced: &[String]) -> Result<String, Error> {
        let url = self.url("/v1/replies");
        let body = CreateReply {
            case_id: case_id.into(),
            announced_attachments: announced.to_vec(),
        };
        let resp = self
            .send("create-reply", |h| h.post(&url).json(&body))
            .await?;
        let created: ReplyCreated =
            crate::client::read_json("create-reply", resp, self.max_json).await?;
        Ok(created.reply_id)
    }

    /// Step 2: `PUT` every attachment JWE of `sealed` (assumption 3; idempotent).
    pub async fn upload_reply_attachments(
        &self,
        reply_id: &str,
        sealed: &SealedReply,
    ) -> Result<(), Error> {
        for (id, jwe) in &sealed.attachments {
            let url = self.url(&format!("/v1/replies/{reply_id}/attachments/{id}"));
            self.send("add-reply-attachment", |h| {
                h.put(&url)
                    .header(reqwest::header::CONTENT_TYPE, "application/jose")
                    .body(jwe.clone())
            })
            .await?;
        }
        Ok(())
    }

    /// Step 3: `PUT /v1/replies/{replyId}` with metadata and data (assumption 4). A reply
    /// that was submitted already answers 409.
    pub async fn submit_reply(&self, reply_id: &str, sealed: &SealedReply) -> Result<(), Error> {
        let url = self.url(&format!("/v1/replies/{reply_id}"));
        let submit = serde_json::json!({
            "encryptedMetadata": sealed.encrypted_metadata,
            "encryptedData": sealed.encrypted_data,
        });
        self.send("submit-reply", |h| h.put(&url).json(&submit))
            .await?;
        Ok(())
    }

    /// The reply's state (assumption 5).
    pub async fn reply_state(&self, reply_id: &str) -> Result<ReplyState, Error> {
        self.get_json("get-reply", &format!("/v1/replies/{reply_id}"))
            .await
    }
}
