//! The sender side (what an Onlinedienst does), used by the simulator's applicant and by
//! tests: build metadata, encrypt metadata, data and attachments to the destination's key,
//! create the submission, upload the attachments, submit.
//!
//! [`seal`] is pure so that tests and the hostile corpus can alter a sealed submission before
//! it is sent.

use serde_json::{Value, json};

use crate::Error;
use crate::jose::{self, Jwk};
use crate::metadata::{SCHEMA_URI_V2, sha512_hex};
use crate::model::{CreateSubmission, ServiceType, SubmissionCreated, SubmitSubmission};

/// One attachment to send.
#[derive(Debug, Clone)]
pub struct OutgoingAttachment {
    /// Attachment id (UUID).
    pub id: String,
    /// File name as the applicant uploaded it.
    pub filename: String,
    /// MIME type.
    pub mime_type: String,
    /// `form`, `attachment` or `report`.
    pub purpose: String,
    /// Description.
    pub description: Option<String>,
    /// Content.
    pub content: Vec<u8>,
}

/// An application to send.
#[derive(Debug, Clone)]
pub struct Outgoing {
    /// The Leistung.
    pub service_type: ServiceType,
    /// JSON form data.
    pub data: Vec<u8>,
    /// URI of the form schema.
    pub schema_uri: String,
    /// Attachments.
    pub attachments: Vec<OutgoingAttachment>,
    /// Public key for replies (makes the metadata 2.x with `replyChannel.fitConnect`).
    pub reply_key: Option<Jwk>,
    /// Sender reference for `additionalReferenceInfo`.
    pub sender_reference: Option<String>,
    /// Application date (`YYYY-MM-DD`).
    pub application_date: Option<String>,
}

/// A submission ready to send: everything encrypted.
#[derive(Debug, Clone)]
pub struct Sealed {
    /// Body of create-submission.
    pub create: CreateSubmission,
    /// Attachment JWEs by id, in upload order.
    pub attachments: Vec<(String, String)>,
    /// Body of submit-submission.
    pub submit: SubmitSubmission,
    /// The plaintext metadata (for tests).
    pub metadata: Value,
}

/// Builds the metadata FIT-Connect expects for `out`.
pub fn metadata_for(out: &Outgoing) -> Value {
    let attachments: Vec<Value> = out
        .attachments
        .iter()
        .map(|a| {
            let mut v = json!({
                "attachmentId": a.id,
                "hash": {"type": "sha512", "content": sha512_hex(&a.content)},
                "purpose": a.purpose,
                "filename": a.filename,
                "mimeType": a.mime_type,
            });
            if let (Some(d), Some(o)) = (&a.description, v.as_object_mut()) {
                o.insert("description".into(), json!(d));
            }
            v
        })
        .collect();
    let mut m = json!({
        "publicServiceType": out.service_type,
        "contentStructure": {
            "data": {
                "hash": {"type": "sha512", "content": sha512_hex(&out.data)},
                "submissionSchema": {"schemaUri": out.schema_uri, "mimeType": "application/json"},
            },
            "attachments": attachments,
        },
    });
    let mut refinfo = serde_json::Map::new();
    if let Some(r) = &out.sender_reference {
        refinfo.insert("senderReference".into(), json!(r));
    }
    if let Some(d) = &out.application_date {
        refinfo.insert("applicationDate".into(), json!(d));
    }
    if let Some(o) = m.as_object_mut() {
        if !refinfo.is_empty() {
            o.insert("additionalReferenceInfo".into(), Value::Object(refinfo));
        }
        if let Some(k) = &out.reply_key {
            o.insert("$schema".into(), json!(SCHEMA_URI_V2));
            o.insert(
                "replyChannel".into(),
                json!({"fitConnect": {"encryptionPublicKey": k}}),
            );
        }
    }
    m
}

/// Encrypts `out` for `destination_id` whose current encryption key is `key`.
pub fn seal(destination_id: &str, key: &Jwk, out: &Outgoing) -> Result<Sealed, Error> {
    seal_metadata(destination_id, key, out, metadata_for(out))
}

/// Like [`seal`] with explicit metadata (the hostile corpus bends them).
pub fn seal_metadata(
    destination_id: &str,
    key: &Jwk,
    out: &Outgoing,
    metadata: Value,
) -> Result<Sealed, Error> {
    let metadata_bytes = serde_json::to_vec(&metadata).map_err(|e| Error::Protocol {
        endpoint: "seal".into(),
        detail: e.to_string(),
    })?;
    let encrypted_metadata = jose::encrypt(key, &metadata_bytes, Some("application/json"))?;
    let encrypted_data = jose::encrypt(key, &out.data, Some("application/json"))?;
    let attachments = out
        .attachments
        .iter()
        .map(|a| Ok((a.id.clone(), jose::encrypt(key, &a.content, None)?)))
        .collect::<Result<Vec<_>, Error>>()?;
    Ok(Sealed {
        create: CreateSubmission {
            destination_id: destination_id.into(),
            announced_attachments: out.attachments.iter().map(|a| a.id.clone()).collect(),
            service_type: out.service_type.clone(),
            case_id: None,
        },
        attachments,
        submit: SubmitSubmission {
            encrypted_metadata,
            encrypted_data: Some(encrypted_data),
        },
        metadata,
    })
}

impl crate::Client {
    /// `POST /v1/submissions`.
    pub async fn create_submission(
        &self,
        body: &CreateSubmission,
    ) -> Result<SubmissionCreated, Error> {
        let url = self.url("/v1/submissions");
        let resp = self
            .send("create-submission", |h| h.post(&url).json(body))
            .await?;
        crate::client::read_json("create-submission", resp, self.max_json).await
    }

    /// `PUT /v1/submissions/{id}/attachments/{aid}` with a JWE.
    pub async fn upload_attachment(
        &self,
        submission_id: &str,
        attachment_id: &str,
        jwe: &str,
    ) -> Result<(), Error> {
        let url = self.url(&format!(
            "/v1/submissions/{submission_id}/attachments/{attachment_id}"
        ));
        let body = jwe.to_owned();
        self.send("add-submission-attachment", |h| {
            h.put(&url)
                .header(reqwest::header::CONTENT_TYPE, "application/jose")
                .body(body.clone())
        })
        .await?;
        Ok(())
    }

    /// `PUT /v1/submissions/{id}`: submit.
    pub async fn submit_submission(
        &self,
        submission_id: &str,
        body: &SubmitSubmission,
    ) -> Result<(), Error> {
        let url = self.url(&format!("/v1/submissions/{submission_id}"));
        self.send("submit-submission", |h| h.put(&url).json(body))
            .await?;
        Ok(())
    }

    /// Sends a sealed submission: create, upload every attachment, submit.
    pub async fn send_sealed(&self, sealed: &Sealed) -> Result<SubmissionCreated, Error> {
        let created = self.create_submission(&sealed.create).await?;
        for (id, jwe) in &sealed.attachments {
            self.upload_attachment(&created.submission_id, id, jwe)
                .await?;
        }
        self.submit_submission(&created.submission_id, &sealed.submit)
            .await?;
        Ok(created)
    }

    /// Looks up the destination's current encryption key, seals and sends `out`.
    pub async fn send_application(
        &self,
        destination_id: &str,
        out: &Outgoing,
    ) -> Result<SubmissionCreated, Error> {
        let key = self.current_encryption_key(destination_id).await?;
        self.send_sealed(&seal(destination_id, &key, out)?).await
    }

    /// The destination's current encryption key (`encryptionKid` → keys endpoint).
    pub async fn current_encryption_key(&self, destination_id: &str) -> Result<Jwk, Error> {
        let dest = self.destination(destination_id).await?;
        if dest.encryption_kid.is_empty() {
            return Err(Error::Protocol {
                endpoint: "get-destination-info".into(),
                detail: "Zustellpunkt hat noch keinen Verschlüsselungsschlüssel".into(),
            });
        }
        self.destination_key(destination_id, &dest.encryption_kid)
            .await
    }
}
