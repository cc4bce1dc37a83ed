//! Wire types of the Submission API 1.1.3 (`submission-api.yaml`), named as there.
//! Unknown members are ignored on input so a newer service does not break us.

use serde::{Deserialize, Serialize};

/// `ServiceType`: the Verwaltungsleistung, ideally by LeiKa key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceType {
    /// Name of the Leistung.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Short description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// URN, e.g. `urn:de:fim:leika:leistung:99108008000000`.
    pub identifier: String,
}

/// `SubmissionForPickup`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SubmissionForPickup {
    /// Destination.
    pub destination_id: String,
    /// Submission.
    pub submission_id: String,
    /// Case (Vorgang).
    pub case_id: String,
}

/// `SubmissionsForPickup`: one page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SubmissionsForPickup {
    /// Entries in this page.
    #[serde(default)]
    pub count: u32,
    /// Offset of this page.
    #[serde(default)]
    pub offset: u32,
    /// Entries in all pages.
    #[serde(default)]
    pub total_count: u32,
    /// The entries.
    pub submissions: Vec<SubmissionForPickup>,
}

/// `Submission`: one submission with its encrypted metadata and data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Submission {
    /// Destination.
    pub destination_id: String,
    /// Submission.
    pub submission_id: String,
    /// Case.
    pub case_id: String,
    /// Ids of uploaded attachments.
    pub attachments: Vec<String>,
    /// The Leistung.
    pub service_type: ServiceType,
    /// JWE of the metadata.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encrypted_metadata: Option<String>,
    /// JWE of the form data.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encrypted_data: Option<String>,
}

/// `CreateSubmission` (sender side).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateSubmission {
    /// Target destination.
    pub destination_id: String,
    /// Attachment ids the sender will upload.
    pub announced_attachments: Vec<String>,
    /// The Leistung.
    pub service_type: ServiceType,
    /// Existing case, for follow-up submissions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub case_id: Option<String>,
}

/// `SubmissionCreated`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SubmissionCreated {
    /// Destination.
    pub destination_id: String,
    /// New submission.
    pub submission_id: String,
    /// Case.
    pub case_id: String,
}

/// `SubmitSubmission`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SubmitSubmission {
    /// JWE of the metadata.
    pub encrypted_metadata: String,
    /// JWE of the form data.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encrypted_data: Option<String>,
}

/// `SubmissionSchema`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SubmissionSchema {
    /// `application/json` or `application/xml`.
    pub mime_type: String,
    /// The form schema's URI.
    pub schema_uri: String,
}

/// `DestinationService`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DestinationService {
    /// LeiKa URN.
    pub identifier: String,
    /// ARS regions, `DE` + digits.
    pub regions: Vec<String>,
    /// Accepted form schemas.
    pub submission_schemas: Vec<SubmissionSchema>,
}

/// `PublicDestination` (what any sender may read).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Destination {
    /// Destination id.
    pub destination_id: String,
    /// Current encryption key's id.
    pub encryption_kid: String,
    /// Supported metadata schema versions.
    pub metadata_versions: Vec<String>,
    /// Offered Leistungen.
    pub services: Vec<DestinationService>,
    /// `created`, `active`, `inactive`, `decommissioned`.
    pub status: String,
}

/// `EventLog`: one page of a case's SETs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EventLog {
    /// Entries in this page.
    #[serde(default)]
    pub count: u32,
    /// Offset.
    #[serde(default)]
    pub offset: u32,
    /// Total entries.
    #[serde(default)]
    pub total_count: u32,
    /// Compact SETs, oldest first.
    pub event_log: Vec<String>,
}

/// `Version` inside `Info`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Version {
    /// Major.
    pub major: u32,
    /// Minor.
    pub minor: u32,
    /// Patch.
    pub patch: u32,
}

/// `Info` of `/v1/info`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Info {
    /// Service version.
    pub version: Version,
}

/// RFC 7807 problem (`Error` in the spec).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Problem {
    /// Problem type URI.
    #[serde(rename = "type")]
    pub type_: String,
    /// Short title.
    pub title: String,
    /// HTTP status.
    pub status: u16,
    /// Details.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// Instance URI.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instance: Option<String>,
}

/// OAuth2 token response (RFC 6749 §5.1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenResponse {
    /// The bearer token.
    pub access_token: String,
    /// `Bearer`.
    pub token_type: String,
    /// Lifetime in seconds.
    pub expires_in: u64,
    /// Granted scopes, space-separated.
    #[serde(default)]
    pub scope: String,
}
