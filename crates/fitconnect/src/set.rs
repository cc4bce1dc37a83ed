//! Security Event Tokens (RFC 8417) of the FIT-Connect event log: creating
//! `accept-submission` / `reject-submission` events signed `PS512`, and verifying SETs read
//! from a case's event log.
//!
//! Payload layout as FIT-Connect defines it: `$schema` (set-payload 1.0.0), `jti` (UUID),
//! `iss` (for events of a subscriber: its destination id; for the service: its URL), `iat`,
//! `sub` (`submission:<id>` or `reply:<id>`), `txn` (`case:<id>`) and `events` with exactly
//! one event URI.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::jose::{self, Jwks, SigningKeyPair};

/// `$schema` of SET payloads.
pub const SET_SCHEMA: &str =
    "https://schema.fitko.de/fit-connect/set-payload/1.0.0/set-payload.schema.json";
/// Prefix of event URIs.
pub const EVENT_PREFIX: &str = "https://schema.fitko.de/fit-connect/events/";
/// Prefix of problem type URIs in `reject-submission`.
pub const PROBLEM_PREFIX: &str = "https://schema.fitko.de/fit-connect/events/problems/";
/// The JWS `typ` of SETs.
pub const SET_TYP: &str = "secevent+jwt";

/// Events of the FIT-Connect event log that this crate knows by name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventType {
    /// Service: a submission was created.
    CreateSubmission,
    /// Service: the sender submitted it.
    SubmitSubmission,
    /// Subscriber: accepted.
    AcceptSubmission,
    /// Subscriber: rejected with problems.
    RejectSubmission,
    /// Service: deleted (e.g. auto-rejected after the pickup period).
    DeleteSubmission,
    /// Reply channel: the applicant's system accepted a reply (see [`crate::reply`]).
    AcceptReply,
    /// Reply channel: the applicant's system rejected a reply.
    RejectReply,
}

impl EventType {
    /// The event's last path segment.
    pub fn name(self) -> &'static str {
        match self {
            EventType::CreateSubmission => "create-submission",
            EventType::SubmitSubmission => "submit-submission",
            EventType::AcceptSubmission => "accept-submission",
            EventType::RejectSubmission => "reject-submission",
            EventType::DeleteSubmission => "delete-submission",
            EventType::AcceptReply => "accept-reply",
            EventType::RejectReply => "reject-reply",
        }
    }

    /// The full event URI.
    pub fn uri(self) -> String {
        format!("{EVENT_PREFIX}{}", self.name())
    }

    /// Parses an event URI.
    pub fn from_uri(uri: &str) -> Option<Self> {
        let name = uri.strip_prefix(EVENT_PREFIX)?;
        [
            EventType::CreateSubmission,
            EventType::SubmitSubmission,
            EventType::AcceptSubmission,
            EventType::RejectSubmission,
            EventType::DeleteSubmission,
            EventType::AcceptReply,
            EventType::RejectReply,
        ]
        .into_iter()
        .find(|e| e.name() == name)
    }
}

/// Problem types for `reject-submission` (FIT-Connect's list, subset we detect).
///
/// **Not verified against the published list.** FITKO's page "Einreichung überprüfen" says
/// the `type` and `instance` of a problem MUST be taken over exactly, but the list itself was
/// not available to us (the specs in `shared/specs` do not contain it, and no stored copy of
/// the page reached that far). The names below are our best reading of the validation steps;
/// a rejection with a name the service does not know still reaches the sender as a reject
/// with our German `title` and `detail`. Check [`ProblemType::name`] against the current
/// documentation before production use; only this enum changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProblemType {
    /// Decryption failed (wrong key, broken JWE, tag mismatch).
    EncryptionIssue,
    /// A hash in the metadata does not match.
    HashMismatch,
    /// Metadata or data violate their schema.
    SchemaViolation,
    /// Data are not parseable.
    SyntaxViolation,
    /// The metadata schema version is not supported.
    UnsupportedSchema,
    /// An announced attachment is missing.
    MissingAttachment,
    /// Attachments in the metadata and in the submission differ.
    AttachmentMismatch,
    /// Authentication tags do not match (reply channel / event checks).
    IncorrectAuthenticationTag,
    /// The metadata announce form data that the submission does not carry.
    MissingData,
    /// An attachment's content is not what its metadata say (e.g. not of its MIME type).
    InvalidAttachmentContent,
}

impl ProblemType {
    /// Last path segment.
    pub fn name(self) -> &'static str {
        match self {
            ProblemType::EncryptionIssue => "encryption-issue",
            ProblemType::HashMismatch => "hash-mismatch",
            ProblemType::SchemaViolation => "schema-violation",
            ProblemType::SyntaxViolation => "syntax-violation",
            ProblemType::UnsupportedSchema => "unsupported-schema",
            ProblemType::MissingAttachment => "missing-attachment",
            ProblemType::AttachmentMismatch => "attachment-mismatch",
            ProblemType::IncorrectAuthenticationTag => "incorrect-authentication-tag",
            ProblemType::MissingData => "missing-data",
            ProblemType::InvalidAttachmentContent => "invalid-attachment-content",
        }
    }

    /// German title.
    pub fn title(self) -> &'static str {
        match self {
            ProblemType::EncryptionIssue => "Entschlüsselungsfehler",
            ProblemType::HashMismatch => "Prüfsumme stimmt nicht",
            ProblemType::SchemaViolation => "Schemaverletzung",
            ProblemType::SyntaxViolation => "Syntaxfehler",
            ProblemType::UnsupportedSchema => "Schema nicht unterstützt",
            ProblemType::MissingAttachment => "Anlage fehlt",
            ProblemType::AttachmentMismatch => "Anlagen stimmen nicht überein",
            ProblemType::IncorrectAuthenticationTag => "Authentication-Tag stimmt nicht",
            ProblemType::MissingData => "Fachdaten fehlen",
            ProblemType::InvalidAttachmentContent => "Inhalt der Anlage ungültig",
        }
    }
}

/// One problem in a `reject-submission` event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SetProblem {
    /// Problem type URI.
    #[serde(rename = "type")]
    pub type_: String,
    /// Title.
    pub title: String,
    /// Details.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// Which part (`metadata`, `data`, `attachment:<id>`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instance: Option<String>,
}

impl SetProblem {
    /// A problem of a known type.
    pub fn new(kind: ProblemType, detail: impl Into<String>) -> Self {
        SetProblem {
            type_: format!("{PROBLEM_PREFIX}{}", kind.name()),
            title: kind.title().into(),
            detail: Some(detail.into()),
            instance: None,
        }
    }
}

/// The authentication tags of a submission's parts, as `accept-submission` carries them.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct AuthenticationTags {
    /// Tag of the metadata JWE.
    pub metadata: String,
    /// Tag of the data JWE.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data: Option<String>,
    /// Tags of the attachment JWEs by attachment id.
    #[serde(default)]
    pub attachments: BTreeMap<String, String>,
}

/// Builds and signs a SET.
pub fn create(
    key: &SigningKeyPair,
    issuer: &str,
    subject: &str,
    case_id: &str,
    event: EventType,
    event_body: Value,
) -> Result<String, jose::JoseError> {
    let payload = json!({
        "$schema": SET_SCHEMA,
        "jti": uuid::Uuid::new_v4().to_string(),
        "iss": issuer,
        "iat": time::OffsetDateTime::now_utc().unix_timestamp(),
        "sub": subject,
        "txn": format!("case:{case_id}"),
        "events": { event.uri(): event_body },
    });
    let bytes = serde_json::to_vec(&payload)
        .map_err(|e| jose::JoseError::Crypto(format!("SET nicht serialisierbar ({e})")))?;
    jose::sign(key, Some(SET_TYP), &bytes)
}

/// `accept-submission`, signed by the subscriber, with the parts' authentication tags.
pub fn accept_submission(
    key: &SigningKeyPair,
    destination_id: &str,
    submission_id: &str,
    case_id: &str,
    tags: &AuthenticationTags,
) -> Result<String, jose::JoseError> {
    create(
        key,
        destination_id,
        &format!("submission:{submission_id}"),
        case_id,
        EventType::AcceptSubmission,
        json!({ "authenticationTags": tags }),
    )
}

/// `reject-submission`, signed by the subscriber, with at least one problem.
pub fn reject_submission(
    key: &SigningKeyPair,
    destination_id: &str,
    submission_id: &str,
    case_id: &str,
    problems: &[SetProblem],
) -> Result<String, jose::JoseError> {
    create(
        key,
        destination_id,
        &format!("submission:{submission_id}"),
        case_id,
        EventType::RejectSubmission,
        json!({ "problems": problems }),
    )
}

/// A SET whose signature, header and structure have been checked.
#[derive(Debug, Clone)]
pub struct VerifiedSet {
    /// `kid` that signed it.
    pub kid: String,
    /// `jti`.
    pub jti: String,
    /// `iss`.
    pub issuer: String,
    /// `iat` (Unix seconds).
    pub issued_at: i64,
    /// `sub`, e.g. `submission:<id>`.
    pub subject: String,
    /// Case id from `txn`.
    pub case_id: String,
    /// The event URI.
    pub event_uri: String,
    /// The event, when known.
    pub event: Option<EventType>,
    /// The event's body.
    pub body: Value,
}

impl VerifiedSet {
    /// Authentication tags of an `accept-submission`.
    pub fn authentication_tags(&self) -> Option<AuthenticationTags> {
        serde_json::from_value(self.body.get("authenticationTags")?.clone()).ok()
    }

    /// Problems of a `reject-submission`.
    pub fn problems(&self) -> Vec<SetProblem> {
        self.body
            .get("problems")
            .and_then(|p| serde_json::from_value(p.clone()).ok())
            .unwrap_or_default()
    }
}

/// Verifies a SET against `keys` and checks it is a well-formed FIT-Connect SET.
pub fn verify(keys: &Jwks, token: &str) -> Result<VerifiedSet, crate::Error> {
    let signed = jose::verify(keys, token)?;
    if signed.header.typ.as_deref() != Some(SET_TYP) {
        return Err(crate::Error::Event(format!(
            "typ ist {:?}, erwartet {SET_TYP}",
            signed.header.typ
        )));
    }
    let payload: Value = serde_json::from_slice(&signed.payload)
        .map_err(|e| crate::Error::Event(format!("Nutzdaten kein JSON ({e})")))?;
    let field = |name: &str| -> Result<String, crate::Error> {
        payload
            .get(name)
            .and_then(Value::as_str)
            .map(str::to_owned)
            .ok_or_else(|| crate::Error::Event(format!("Feld {name} fehlt")))
    };
    let events = payload
        .get("events")
        .and_then(Value::as_object)
        .ok_or_else(|| crate::Error::Event("events fehlt".into()))?;
    if events.len() != 1 {
        return Err(crate::Error::Event(format!(
            "genau ein Ereignis erwartet, gefunden {}",
            events.len()
        )));
    }
    let (event_uri, body) = events
        .iter()
        .next()
        .map(|(k, v)| (k.clone(), v.clone()))
        .ok_or_else(|| crate::Error::Event("events leer".into()))?;
    let txn = field("txn")?;
    let case_id = txn
        .strip_prefix("case:")
        .ok_or_else(|| crate::Error::Event(format!("txn {txn} beginnt nicht mit case:")))?
        .to_owned();
    let subject = field("sub")?;
    if !(subject.starts_with("submission:") || subject.starts_with("reply:")) {
        return Err(crate::Error::Event(format!("sub {subject} unbekannt")));
    }
    let issued_at = payload
        .get("iat")
        .and_then(Value::as_i64)
        .ok_or_else(|| crate::Error::Event("iat fehlt".into()))?;
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    if issued_at > now + 300 {
        return Err(crate::Error::Event("iat liegt in der Zukunft".into()));
    }
    Ok(VerifiedSet {
        kid: signed.header.kid,
        jti: field("jti")?,
        issuer: field("iss")?,
        issued_at,
        subject,
        case_id,
        event: EventType::from_uri(&event_uri),
        event_uri,
        body,
    })
}

#[cfg(test)]
mod tests {
    use aws_lc_rs::rsa::KeySize;

    use super::*;

    #[test]
    fn an_accept_set_verifies_and_carries_its_tags_and_a_foreign_typ_is_refused() {
        let key = SigningKeyPair::generate_sized("sig-set-1", KeySize::Rsa2048).unwrap();
        let keys = Jwks {
            keys: vec![key.public_jwk()],
        };
        let tags = AuthenticationTags {
            metadata: "m".into(),
            data: Some("d".into()),
            attachments: [("a".to_owned(), "t".to_owned())].into(),
        };
        let token = accept_submission(&key, "dest", "sub", "case", &tags).unwrap();
        let v = verify(&keys, &token).unwrap();
        assert_eq!(v.event, Some(EventType::AcceptSubmission));
        assert_eq!(v.case_id, "case");
        assert_eq!(v.subject, "submission:sub");
        assert_eq!(v.authentication_tags().unwrap(), tags);

        let plain_jwt = jose::sign(&key, Some("JWT"), br#"{"events":{}}"#).unwrap();
        assert!(matches!(
            verify(&keys, &plain_jwt),
            Err(crate::Error::Event(_))
        ));
        let two = jose::sign(
            &key,
            Some(SET_TYP),
            br#"{"jti":"j","iss":"i","iat":1,"sub":"submission:s","txn":"case:c","events":{"a":{},"b":{}}}"#,
        )
        .unwrap();
        assert!(matches!(verify(&keys, &two), Err(crate::Error::Event(_))));
    }

    #[test]
    fn a_reject_set_lists_fitconnect_problem_types() {
        let key = SigningKeyPair::generate_sized("sig-set-2", KeySize::Rsa2048).unwrap();
        let p = SetProblem::new(ProblemType::HashMismatch, "Fachdaten");
        let token = reject_submission(&key, "dest", "sub", "case", &[p]).unwrap();
        let v = verify(
            &Jwks {
                keys: vec![key.public_jwk()],
            },
            &token,
        )
        .unwrap();
        assert_eq!(v.event, Some(EventType::RejectSubmission));
        assert_eq!(
            v.problems()[0].type_,
            "https://schema.fitko.de/fit-connect/events/problems/hash-mismatch"
        );
    }
}
