//! Errors of the client, each saying whether a retry can help ([`Error::is_permanent`]) and
//! how long the service asked us to wait ([`Error::retry_after`]).

use std::time::Duration;

use crate::jose::JoseError;
use crate::model::Problem;
use crate::set::SetProblem;

/// Kind of network failure (all transient).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NetworkKind {
    /// No answer in time.
    Timeout,
    /// No connection (refused, reset before the response).
    Connect,
    /// The response body broke off (reset, truncated).
    Body,
    /// Anything else reqwest reports.
    Other,
}

/// Everything that can fail when talking FIT-Connect.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The service answered with an error status.
    #[error("Der Zustelldienst antwortete auf {endpoint} mit HTTP {status}{}", problem_text(.problem))]
    Http {
        /// The operation.
        endpoint: String,
        /// HTTP status.
        status: u16,
        /// The RFC 7807 body, if any.
        problem: Option<Box<Problem>>,
        /// `Retry-After` of a 429 or 503.
        retry_after: Option<Duration>,
    },
    /// The connection failed or broke off.
    #[error(
        "Netzwerkfehler bei {endpoint} ({kind:?}): {message}. Der Abruf wird später wiederholt."
    )]
    Network {
        /// The operation.
        endpoint: String,
        /// What kind of failure.
        kind: NetworkKind,
        /// reqwest's description.
        message: String,
    },
    /// The token endpoint refused our credentials or scope.
    #[error(
        "Anmeldung am Zustelldienst abgelehnt ({0}). Prüfen Sie Client-ID und Client-Secret mit `amtsstube connect`."
    )]
    Auth(String),
    /// Decryption or signature verification failed.
    #[error("{0}")]
    Jose(#[from] JoseError),
    /// A SHA-512 hash in the metadata does not match the decrypted content.
    #[error("Hashwert stimmt nicht für {0}: die Einreichung wurde verändert.")]
    HashMismatch(String),
    /// The metadata violate their schema.
    #[error("Metadaten verletzen das Schema: {0}")]
    MetadataSchema(String),
    /// The metadata are not valid JSON.
    #[error("Metadaten sind kein gültiges JSON: {0}")]
    MetadataSyntax(String),
    /// The metadata announce form data, but the submission carries none.
    #[error("Fachdaten fehlen: {0}")]
    MissingData(String),
    /// The service delivers an attachment the metadata do not list (or list twice).
    #[error("Anlagen stimmen nicht mit den Metadaten überein: {0}")]
    UnexpectedAttachment(String),
    /// An attachment's content is not what the metadata declare (e.g. not its MIME type).
    #[error("Inhalt der Anlage passt nicht zu den Metadaten: {0}")]
    InvalidAttachmentContent(String),
    /// The metadata name a schema version we do not know.
    #[error("Metadaten-Schema {0} wird nicht unterstützt.")]
    UnsupportedMetadata(String),
    /// The form data violate their Leistung's schema.
    #[error("Fachdaten verletzen das Schema {schema}: {detail}")]
    DataSchema {
        /// The schema URI.
        schema: String,
        /// What is wrong.
        detail: String,
    },
    /// Form data are not valid JSON.
    #[error("Fachdaten sind kein gültiges JSON: {0}")]
    DataSyntax(String),
    /// An attachment named in the metadata is missing or one is not in the metadata.
    #[error("Anlage {0} fehlt oder ist nicht in den Metadaten angekündigt.")]
    AttachmentMismatch(String),
    /// A Security Event Token is invalid.
    #[error("Ereignis (SET) ungültig: {0}")]
    Event(String),
    /// The answer did not have the expected shape.
    #[error("Unerwartete Antwort von {endpoint}: {detail}")]
    Protocol {
        /// The operation.
        endpoint: String,
        /// What is wrong.
        detail: String,
    },
    /// The attachment exceeds what we accept.
    #[error("Anlage zu groß ({0} Byte).")]
    TooLarge(u64),
    /// A part of the submission exceeds the size limit the subscriber set.
    #[error(
        "{what} ist zu groß (mindestens {groesse} Byte); angenommen werden höchstens {grenze} Byte."
    )]
    LimitExceeded {
        /// Which part (`Anlage <id>`, `Fachdaten`, `Einreichung`).
        what: String,
        /// Size found (or the least size the announced length implies).
        groesse: u64,
        /// The limit.
        grenze: u64,
    },
}

fn problem_text(p: &Option<Box<Problem>>) -> String {
    match p {
        Some(p) => format!(
            ": {}{}",
            p.title,
            p.detail
                .as_deref()
                .map(|d| format!(" – {d}"))
                .unwrap_or_default()
        ),
        None => String::new(),
    }
}

impl Error {
    /// Whether retrying the same request cannot help (bad key, schema violation, 4xx).
    /// 5xx, 408, 429 and network failures are transient.
    pub fn is_permanent(&self) -> bool {
        match self {
            Error::Http { status, .. } => !(*status >= 500 || *status == 429 || *status == 408),
            Error::Network { .. } => false,
            _ => true,
        }
    }

    /// How long the service asked us to wait before retrying (from `Retry-After`).
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Error::Http { retry_after, .. } => *retry_after,
            _ => None,
        }
    }

    /// The FIT-Connect problem to put into a `reject-submission` SET, when this error means
    /// the submission itself is defective (not when the network or we are at fault).
    pub fn rejection(&self) -> Option<SetProblem> {
        use crate::set::ProblemType as P;
        let (kind, detail) = match self {
            Error::Jose(JoseError::IntegrityCheckFailed(d)) => (P::EncryptionIssue, d.clone()),
            Error::Jose(JoseError::WrongKey(d)) => (P::EncryptionIssue, d.clone()),
            Error::Jose(JoseError::Malformed(d)) => (P::EncryptionIssue, d.clone()),
            Error::Jose(JoseError::UnsupportedAlgorithm(d)) => (P::EncryptionIssue, d.clone()),
            Error::HashMismatch(d) => (P::HashMismatch, d.clone()),
            Error::MetadataSchema(d) => (P::SchemaViolation, d.clone()),
            Error::UnsupportedMetadata(d) => (P::UnsupportedSchema, d.clone()),
            Error::DataSchema { detail, .. } => (P::SchemaViolation, detail.clone()),
            Error::DataSyntax(d) => (P::SyntaxViolation, d.clone()),
            Error::MetadataSyntax(d) => (P::SyntaxViolation, d.clone()),
            Error::MissingData(d) => (P::MissingData, d.clone()),
            Error::AttachmentMismatch(d) => (P::MissingAttachment, d.clone()),
            Error::UnexpectedAttachment(d) => (P::AttachmentMismatch, d.clone()),
            Error::InvalidAttachmentContent(d) => (P::InvalidAttachmentContent, d.clone()),
            // FIT-Connect has no problem type for size: an attachment beyond what the
            // destination takes is reported as not matching (as before), the reason says why.
            Error::TooLarge(n) => (P::AttachmentMismatch, format!("{n} Byte")),
            e @ Error::LimitExceeded { .. } => (P::AttachmentMismatch, e.to_string()),
            _ => return None,
        };
        Some(SetProblem::new(kind, detail))
    }

    pub(crate) fn network(endpoint: &str, e: &reqwest::Error) -> Self {
        let kind = if e.is_timeout() {
            NetworkKind::Timeout
        } else if e.is_connect() || e.is_request() {
            NetworkKind::Connect
        } else if e.is_body() || e.is_decode() {
            NetworkKind::Body
        } else {
            NetworkKind::Other
        };
        let mut message = e.to_string();
        let mut src = std::error::Error::source(e);
        while let Some(s) = src {
            message.push_str(": ");
            message.push_str(&s.to_string());
            src = s.source();
        }
        Error::Network {
            endpoint: endpoint.into(),
            kind,
            message,
        }
    }
}
