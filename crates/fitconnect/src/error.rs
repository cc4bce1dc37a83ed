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
    #[error("Metadaten verletzen das Schema: {detail}")]
    MetadataSchema {
        /// What is wrong, in full (may quote the applicant's values: for the local record).
        detail: String,
        /// JSON pointers of the offending places, neutral: array indices and the names the schema defines, any other key as `*`.
        pointers: Vec<String>,
    },
    /// The metadata are not valid JSON.
    #[error("Metadaten sind kein gültiges JSON: {0}")]
    MetadataSyntax(String),
    /// The metadata announce form data, but the submission carries none.
    #[error("Fachdaten fehlen: {0}")]
    MissingData(String),
    /// The service delivers an attachment the metadata do not list (or list twice).
    #[error("Anlagen stimmen nicht mit den Metadaten überein: {detail}")]
    UnexpectedAttachment {
        /// The attachment's id.
        attachment_id: String,
        /// What is wrong.
        detail: String,
    },
    /// An attachment's content is not what the metadata declare (e.g. not its MIME type).
    #[error("Inhalt der Anlage passt nicht zu den Metadaten: {detail}")]
    InvalidAttachmentContent {
        /// The attachment's id.
        attachment_id: String,
        /// What is wrong, in full (may name the file: for the local record).
        detail: String,
    },
    /// The metadata name a schema version we do not know.
    #[error("Metadaten-Schema {0} wird nicht unterstützt.")]
    UnsupportedMetadata(String),
    /// The form data violate their Leistung's schema.
    #[error("Fachdaten verletzen das Schema {schema}: {detail}")]
    DataSchema {
        /// The schema URI.
        schema: String,
        /// What is wrong, in full (may quote the applicant's values: for the local record).
        detail: String,
        /// JSON pointers of the offending places, neutral: array indices and the names the schema defines, any other key as `*`.
        pointers: Vec<String>,
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
    /// A service or token URL that is not `https://` (plain `http://` only to this machine).
    #[error(
        "Die {was} {url} ist nicht zulässig: {grund}. Amtsstube spricht mit einem Zustelldienst nur über https://; http:// ist nur für diesen Rechner erlaubt (127.0.0.1, ::1, localhost), etwa für den Simulator. Tragen Sie die https-Adresse mit `amtsstube connect` ein."
    )]
    UnsafeUrl {
        /// Which URL (`Dienst-Adresse`, `Token-Adresse`).
        was: String,
        /// The URL.
        url: String,
        /// Why.
        grund: String,
    },
    /// The service answered with a redirect, which the client does not follow.
    #[error(
        "Der Zustelldienst leitet {endpoint} um (HTTP {status}{}). Amtsstube folgt keiner Umleitung, damit Client-Secret und Zugangstoken nur an den eingetragenen Dienst gehen. Ist die neue Adresse die richtige, tragen Sie sie mit `amtsstube connect` ein; sonst wenden Sie sich an den Betreiber des Zustelldienstes.",
        .ziel.as_deref().map(|z| format!(" nach {z}")).unwrap_or_default()
    )]
    Redirect {
        /// The operation.
        endpoint: String,
        /// HTTP status (3xx).
        status: u16,
        /// `Location`, if any.
        ziel: Option<String>,
    },
    /// The service's TLS certificate was not accepted.
    #[error(
        "Das Zertifikat des Zustelldienstes wurde bei {endpoint} nicht anerkannt: {grund}. Betreibt Ihre Verwaltung den Dienst mit einer eigenen CA, tragen Sie deren Zertifikat (PEM) als „ca_datei“ in die Verbindung ein (connection.json im Profil); sonst wenden Sie sich an Ihre IT, denn die Verbindung könnte umgeleitet sein."
    )]
    Certificate {
        /// The operation.
        endpoint: String,
        /// What is wrong with the certificate, in German.
        grund: String,
    },
    /// The pinned CA (`ca_datei`) holds no usable certificate.
    #[error(
        "Die CA-Datei („ca_datei“) enthält kein lesbares PEM-Zertifikat ({0}). Tragen Sie eine Datei mit „-----BEGIN CERTIFICATE-----“ ein oder entfernen Sie den Eintrag, um nur die Zertifizierungsstellen des Systems zu verwenden."
    )]
    CaFile(String),
    /// An answer of the service is larger than the client reads.
    #[error(
        "Die Antwort des Zustelldienstes auf {endpoint} ist größer als {grenze} Byte und wurde nicht weiter gelesen. Wenden Sie sich an den Betreiber des Zustelldienstes."
    )]
    ResponseTooLarge {
        /// The operation.
        endpoint: String,
        /// The bound in bytes.
        grenze: u64,
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

/// The places of a schema violation for a reject event: their JSON pointers, the root as
/// such, at most five.
fn stellen(pointers: &[String]) -> String {
    if pointers.is_empty() {
        return "nicht näher bestimmter Stelle".into();
    }
    pointers
        .iter()
        .take(5)
        .map(|p| {
            if p.is_empty() {
                "oberste Ebene"
            } else {
                p.as_str()
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The JSON pointer `instance_path` with every segment that is neither an array index nor a
/// property name the schema itself defines (`names`) replaced by `*`: a key the applicant
/// chose (through `additionalProperties` or `patternProperties`) is data, not a place.
pub(crate) fn neutral_pointer(
    instance_path: &str,
    names: &std::collections::HashSet<String>,
) -> String {
    instance_path
        .split('/')
        .skip(1)
        .map(|seg| {
            let key = seg.replace("~1", "/").replace("~0", "~");
            if (!seg.is_empty() && seg.bytes().all(|b| b.is_ascii_digit())) || names.contains(&key)
            {
                format!("/{seg}")
            } else {
                "/*".to_owned()
            }
        })
        .collect()
}

/// Every property name a JSON Schema defines (keys of any `properties`), for
/// [`neutral_pointer`].
pub(crate) fn schema_names(schema: &serde_json::Value) -> std::collections::HashSet<String> {
    fn walk(v: &serde_json::Value, out: &mut std::collections::HashSet<String>) {
        match v {
            serde_json::Value::Object(o) => {
                for (k, child) in o {
                    if k == "properties"
                        && let Some(props) = child.as_object()
                    {
                        out.extend(props.keys().cloned());
                    }
                    walk(child, out);
                }
            }
            serde_json::Value::Array(a) => a.iter().for_each(|c| walk(c, out)),
            _ => {}
        }
    }
    let mut out = std::collections::HashSet::new();
    walk(schema, &mut out);
    out
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
    ///
    /// The Zustelldienst reads the event in plaintext, so the problem carries only its type,
    /// a fixed German sentence and neutral pointers: the JSON pointer of an offending field
    /// (never its value), the id of an attachment (never its file name or MIME type), the
    /// part in `instance`. The full finding ([`std::fmt::Display`]) is for the local record.
    pub fn rejection(&self) -> Option<SetProblem> {
        use crate::set::ProblemType as P;
        const META: &str = "metadata";
        const DATA: &str = "data";
        let anlage = |id: &str| format!("attachment:{id}");
        let (kind, detail, instance) = match self {
            Error::Jose(
                JoseError::IntegrityCheckFailed(_)
                | JoseError::WrongKey(_)
                | JoseError::Malformed(_)
                | JoseError::UnsupportedAlgorithm(_),
            ) => (
                P::EncryptionIssue,
                "Die Einreichung ist nicht mit dem Schlüssel des Zustellpunkts lesbar \
                 verschlüsselt (JWE fehlerhaft, fremder Schlüssel oder Algorithmus)."
                    .to_owned(),
                None,
            ),
            // `what` is built by this crate from a fixed word and an attachment id.
            Error::HashMismatch(what) => (
                P::HashMismatch,
                format!("Die Prüfsumme stimmt nicht für {what}."),
                None,
            ),
            Error::MetadataSchema { pointers, .. } => (
                P::SchemaViolation,
                format!(
                    "Die Metadaten verletzen ihr Schema an: {}.",
                    stellen(pointers)
                ),
                Some(META.to_owned()),
            ),
            Error::UnsupportedMetadata(_) => (
                P::UnsupportedSchema,
                "Die Metadaten nennen eine nicht unterstützte Schemaversion (/$schema).".to_owned(),
                Some(META.to_owned()),
            ),
            Error::DataSchema { pointers, .. } => (
                P::SchemaViolation,
                format!(
                    "Die Fachdaten verletzen ihr Schema an: {}.",
                    stellen(pointers)
                ),
                Some(DATA.to_owned()),
            ),
            Error::DataSyntax(_) => (
                P::SyntaxViolation,
                "Die Fachdaten sind kein gültiges JSON.".to_owned(),
                Some(DATA.to_owned()),
            ),
            Error::MetadataSyntax(_) => (
                P::SyntaxViolation,
                "Die Metadaten sind kein gültiges JSON.".to_owned(),
                Some(META.to_owned()),
            ),
            Error::MissingData(_) => (
                P::MissingData,
                "Die Metadaten kündigen Fachdaten an, die Einreichung enthält keine.".to_owned(),
                Some(DATA.to_owned()),
            ),
            Error::AttachmentMismatch(id) => (
                P::MissingAttachment,
                format!("Die angekündigte Anlage {id} fehlt."),
                Some(anlage(id)),
            ),
            Error::UnexpectedAttachment { attachment_id, .. } => (
                P::AttachmentMismatch,
                format!("Die Anlage {attachment_id} steht nicht oder mehrfach in den Metadaten."),
                Some(anlage(attachment_id)),
            ),
            Error::InvalidAttachmentContent { attachment_id, .. } => (
                P::InvalidAttachmentContent,
                format!(
                    "Der Inhalt der Anlage {attachment_id} ist nicht von dem in den Metadaten \
                     angekündigten Typ."
                ),
                Some(anlage(attachment_id)),
            ),
            // FIT-Connect has no problem type for size: an attachment beyond what the
            // destination takes is reported as not matching (as before), the reason says why.
            Error::TooLarge(n) => (
                P::AttachmentMismatch,
                format!("Eine Anlage ist zu groß ({n} Byte)."),
                None,
            ),
            // `what` is built by this crate (an attachment id or a fixed word) and sizes.
            e @ Error::LimitExceeded { .. } => (P::AttachmentMismatch, e.to_string(), None),
            _ => return None,
        };
        let mut p = SetProblem::new(kind, detail);
        p.instance = instance;
        Some(p)
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
        // rustls reports a refused certificate as "invalid peer certificate: <Kind>".
        if let Some(pos) = message.find("invalid peer certificate") {
            let raw = &message[pos..];
            let grund = if raw.contains("UnknownIssuer") {
                "es ist von einer unbekannten Stelle ausgestellt (selbst signiert oder von einer nicht anerkannten CA)".to_owned()
            } else if raw.contains("CaUsedAsEndEntity") {
                "es ist ein selbst signiertes CA-Zertifikat; der Dienst braucht ein von einer CA ausgestelltes Serverzertifikat".to_owned()
            } else if raw.contains("NotValidForName") {
                "es gilt nicht für diesen Rechnernamen".to_owned()
            } else if raw.contains("Expired") {
                "es ist abgelaufen".to_owned()
            } else if raw.contains("NotValidYet") {
                "es ist noch nicht gültig".to_owned()
            } else if raw.contains("Revoked") {
                "es wurde widerrufen".to_owned()
            } else {
                format!("es ist ungültig ({raw})")
            };
            return Error::Certificate {
                endpoint: endpoint.into(),
                grund,
            };
        }
        Error::Network {
            endpoint: endpoint.into(),
            kind,
            message,
        }
    }
}
