//! Submission metadata: version detection, schema validation, the typed view we need, the
//! SHA-512 hash checks, and validation of form data against their Leistung's schema.
//!
//! Versions: the metadata schema 1.0.0 is embedded unchanged (`schemas/`, copied from the
//! project's `shared/specs`). Metadata without `$schema` are 1.x and validated against it.
//! For 2.x we have no published copy here; [`schema_v2_reconstruction`] derives one from 1.0.0
//! with the two differences this crate relies on — `$schema` required and
//! `replyChannel.fitConnect.encryptionPublicKey` (a JWK for replies). 2.x's restructured
//! `dataSets[]` are not modelled: such metadata are rejected as `unsupported-schema`. Replace
//! the reconstruction by the published file when it is available.

use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

use serde::Deserialize;
use serde_json::{Value, json};
use sha2::{Digest, Sha512};

use crate::Error;
use crate::error::{neutral_pointer, schema_names};
use crate::jose::Jwk;

/// The metadata schema 1.0.0 as published by FITKO.
pub const SCHEMA_V1_0_0: &str = include_str!("../schemas/metadata.schema.v1.0.0.json");
/// `$schema` URI of metadata 1.0.0.
pub const SCHEMA_URI_V1: &str =
    "https://schema.fitko.de/fit-connect/metadata/1.0.0/metadata.schema.json";
/// `$schema` URI of metadata 2.0.0.
pub const SCHEMA_URI_V2: &str =
    "https://schema.fitko.de/fit-connect/metadata/2.0.0/metadata.schema.json";

/// Which metadata schema applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MetadataVersion {
    /// 1.x (validated with 1.0.0).
    V1,
    /// 2.x (validated with the reconstruction).
    V2,
}

/// The schema 2.0.0 as reconstructed from 1.0.0 (see the module doc).
pub fn schema_v2_reconstruction() -> Value {
    let mut s: Value = serde_json::from_str(SCHEMA_V1_0_0).unwrap_or(Value::Null);
    if let Some(obj) = s.as_object_mut() {
        obj.insert("$id".into(), json!(SCHEMA_URI_V2));
        obj.insert("required".into(), json!(["$schema", "contentStructure"]));
    }
    if let Some(props) = s.get_mut("properties").and_then(Value::as_object_mut) {
        props.insert(
            "$schema".into(),
            json!({"type": "string", "pattern": "^https://schema\\.fitko\\.de/fit-connect/metadata/2\\.[0-9]+\\.[0-9]+/metadata\\.schema\\.json$"}),
        );
        if let Some(p) = props
            .get_mut("replyChannel")
            .and_then(|rc| rc.get_mut("properties"))
            .and_then(Value::as_object_mut)
        {
            {
                p.insert(
                    "fitConnect".into(),
                    json!({
                        "type": "object",
                        "required": ["encryptionPublicKey"],
                        "properties": {
                            "encryptionPublicKey": {
                                "type": "object",
                                "required": ["kty", "kid", "alg", "n", "e"],
                                "properties": {
                                    "kty": {"enum": ["RSA"]},
                                    "alg": {"enum": ["RSA-OAEP-256"]},
                                    "key_ops": {"type": "array", "contains": {"const": "wrapKey"}},
                                    "kid": {"type": "string", "minLength": 1, "maxLength": 64},
                                    "n": {"type": "string", "minLength": 342},
                                    "e": {"enum": ["AQAB"]}
                                }
                            },
                            "processStandards": {"type": "array", "items": {"type": "string"}}
                        }
                    }),
                );
            }
        }
    }
    s
}

type Compiled = (jsonschema::Validator, HashSet<String>);

fn compiled(version: MetadataVersion) -> Result<&'static Compiled, Error> {
    static V1: OnceLock<Result<Compiled, String>> = OnceLock::new();
    static V2: OnceLock<Result<Compiled, String>> = OnceLock::new();
    let build = |schema: Value| {
        jsonschema::options()
            .should_validate_formats(true)
            .build(&schema)
            .map(|v| (v, schema_names(&schema)))
            .map_err(|e| e.to_string())
    };
    let cell = match version {
        MetadataVersion::V1 => V1.get_or_init(|| {
            serde_json::from_str(SCHEMA_V1_0_0)
                .map_err(|e| e.to_string())
                .and_then(build)
        }),
        MetadataVersion::V2 => V2.get_or_init(|| build(schema_v2_reconstruction())),
    };
    cell.as_ref()
        .map_err(|e| Error::UnsupportedMetadata(format!("Schema nicht ladbar: {e}")))
}

/// The version named by `$schema` (absent: 1.x).
pub fn version_of(metadata: &Value) -> Result<MetadataVersion, Error> {
    let Some(uri) = metadata.get("$schema") else {
        return Ok(MetadataVersion::V1);
    };
    let uri = uri.as_str().ok_or_else(|| Error::MetadataSchema {
        detail: "$schema ist keine Zeichenkette".into(),
        pointers: vec!["/$schema".into()],
    })?;
    let rest = uri
        .strip_prefix("https://schema.fitko.de/fit-connect/metadata/")
        .ok_or_else(|| Error::UnsupportedMetadata(uri.into()))?;
    if rest.starts_with("1.") {
        Ok(MetadataVersion::V1)
    } else if rest.starts_with("2.") {
        Ok(MetadataVersion::V2)
    } else {
        Err(Error::UnsupportedMetadata(uri.into()))
    }
}

/// Validates metadata against the schema of their version; lists up to five violations.
pub fn validate(metadata: &Value) -> Result<MetadataVersion, Error> {
    let version = version_of(metadata)?;
    let (validator, names) = compiled(version)?;
    let (errors, pointers) = violations(validator, names, metadata);
    if errors.is_empty() {
        Ok(version)
    } else {
        Err(Error::MetadataSchema {
            detail: errors.join("; "),
            pointers,
        })
    }
}

/// Up to five violations: in full (they may quote values) and as neutral pointers.
fn violations(
    validator: &jsonschema::Validator,
    names: &HashSet<String>,
    instance: &Value,
) -> (Vec<String>, Vec<String>) {
    let mut errors = Vec::new();
    let mut pointers: Vec<String> = Vec::new();
    for e in validator.iter_errors(instance).take(5) {
        errors.push(format!("{} ({})", e, e.instance_path));
        let p = neutral_pointer(e.instance_path.as_str(), names);
        if !pointers.contains(&p) {
            pointers.push(p);
        }
    }
    (errors, pointers)
}

/// Hash as in the metadata.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Hash {
    /// `sha512`.
    #[serde(rename = "type")]
    pub type_: String,
    /// Lower-case hex.
    pub content: String,
}

/// `contentStructure.data`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DataRef {
    /// Hash of the plaintext data.
    pub hash: Hash,
    /// The form schema.
    pub submission_schema: crate::model::SubmissionSchema,
}

/// One attachment in `contentStructure.attachments`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AttachmentRef {
    /// Attachment id.
    pub attachment_id: String,
    /// Hash of the plaintext.
    pub hash: Hash,
    /// `form`, `attachment` or `report`.
    pub purpose: String,
    /// Original file name (untrusted: never use as a path).
    #[serde(default)]
    pub filename: Option<String>,
    /// Description.
    #[serde(default)]
    pub description: Option<String>,
    /// MIME type.
    pub mime_type: String,
}

/// `contentStructure`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct ContentStructure {
    /// Form data reference.
    #[serde(default)]
    pub data: Option<DataRef>,
    /// Attachments.
    pub attachments: Vec<AttachmentRef>,
}

/// The parts of validated metadata this crate uses; the full JSON stays in `raw`.
#[derive(Debug, Clone, PartialEq)]
pub struct Metadata {
    /// Schema version.
    pub version: MetadataVersion,
    /// Content structure.
    pub content_structure: ContentStructure,
    /// The applicant's reply key (`replyChannel.fitConnect.encryptionPublicKey`).
    pub reply_key: Option<Jwk>,
    /// The complete metadata.
    pub raw: Value,
}

impl Metadata {
    /// Parses and validates metadata JSON.
    pub fn parse(bytes: &[u8]) -> Result<Self, Error> {
        let raw: Value =
            serde_json::from_slice(bytes).map_err(|e| Error::MetadataSyntax(e.to_string()))?;
        let version = validate(&raw)?;
        let content_structure: ContentStructure =
            serde_json::from_value(raw.get("contentStructure").cloned().unwrap_or(Value::Null))
                .map_err(|e| Error::MetadataSchema {
                    detail: e.to_string(),
                    pointers: vec!["/contentStructure".into()],
                })?;
        let reply_key = match raw.pointer("/replyChannel/fitConnect/encryptionPublicKey") {
            Some(k) => Some(serde_json::from_value::<Jwk>(k.clone()).map_err(|e| {
                Error::MetadataSchema {
                    detail: format!("Rückkanal-Schlüssel: {e}"),
                    pointers: vec!["/replyChannel/fitConnect/encryptionPublicKey".into()],
                }
            })?),
            None => None,
        };
        Ok(Metadata {
            version,
            content_structure,
            reply_key,
            raw,
        })
    }
}

/// Lower-case hex SHA-512.
pub fn sha512_hex(bytes: &[u8]) -> String {
    hex::encode(Sha512::digest(bytes))
}

/// Checks `bytes` against a metadata hash; `what` names the part in the error.
pub fn check_hash(expected: &Hash, bytes: &[u8], what: &str) -> Result<(), Error> {
    check_digest(expected, &Sha512::digest(bytes), what)
}

/// Checks a finished SHA-512 digest against a metadata hash.
pub fn check_digest(expected: &Hash, digest: &[u8], what: &str) -> Result<(), Error> {
    if expected.type_ != "sha512" {
        return Err(Error::MetadataSchema {
            detail: format!("Hash-Typ {} für {what}", expected.type_),
            pointers: Vec::new(),
        });
    }
    let actual = hex::encode(digest);
    if aws_lc_rs::constant_time::verify_slices_are_equal(
        actual.as_bytes(),
        expected.content.to_ascii_lowercase().as_bytes(),
    )
    .is_err()
    {
        return Err(Error::HashMismatch(what.into()));
    }
    Ok(())
}

/// Form schemas known locally, by `schemaUri`. Data whose schema is unknown are accepted
/// unvalidated (the metadata say which schema; fetching it from the internet is not done).
#[derive(Default)]
pub struct FormSchemas {
    schemas: HashMap<String, Compiled>,
}

impl std::fmt::Debug for FormSchemas {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.schemas.keys()).finish()
    }
}

impl FormSchemas {
    /// Registers a JSON Schema under its `$id` (or the given URI).
    pub fn add(&mut self, uri: &str, schema: &Value) -> Result<(), Error> {
        let v = jsonschema::options()
            .should_validate_formats(true)
            .build(schema)
            .map_err(|e| Error::DataSchema {
                schema: uri.into(),
                detail: format!("Schema selbst ungültig: {e}"),
                pointers: Vec::new(),
            })?;
        self.schemas.insert(uri.into(), (v, schema_names(schema)));
        Ok(())
    }

    /// Whether a schema is known.
    pub fn knows(&self, uri: &str) -> bool {
        self.schemas.contains_key(uri)
    }

    /// Validates JSON form data. Returns whether a schema was applied.
    pub fn validate(&self, uri: &str, data: &[u8]) -> Result<bool, Error> {
        let value: Value =
            serde_json::from_slice(data).map_err(|e| Error::DataSyntax(e.to_string()))?;
        let Some((v, names)) = self.schemas.get(uri) else {
            return Ok(false);
        };
        let (errors, pointers) = violations(v, names, &value);
        if errors.is_empty() {
            Ok(true)
        } else {
            Err(Error::DataSchema {
                schema: uri.into(),
                detail: errors.join("; "),
                pointers,
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn minimal() -> Value {
        json!({
            "contentStructure": {
                "data": {
                    "hash": {"type": "sha512", "content": sha512_hex(b"{}")},
                    "submissionSchema": {"schemaUri": "urn:x:y:1", "mimeType": "application/json"}
                },
                "attachments": []
            }
        })
    }

    #[test]
    fn the_embedded_schema_is_the_published_one_unchanged() {
        let shared = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../../shared/specs/metadata.schema.v1.0.0.json");
        let published = std::fs::read_to_string(&shared)
            .unwrap_or_else(|e| panic!("{} fehlt ({e})", shared.display()));
        assert_eq!(published, SCHEMA_V1_0_0);
    }

    #[test]
    fn metadata_are_validated_against_the_schema_of_their_version() {
        assert_eq!(validate(&minimal()).unwrap(), MetadataVersion::V1);
        let mut no_structure = minimal();
        no_structure
            .as_object_mut()
            .unwrap()
            .remove("contentStructure");
        assert!(matches!(
            validate(&no_structure),
            Err(Error::MetadataSchema { .. })
        ));
        let mut bad_hash = minimal();
        bad_hash["contentStructure"]["data"]["hash"]["content"] = json!("abc");
        assert!(matches!(
            validate(&bad_hash),
            Err(Error::MetadataSchema { .. })
        ));

        let mut v2 = minimal();
        v2["$schema"] = json!(SCHEMA_URI_V2);
        assert_eq!(validate(&v2).unwrap(), MetadataVersion::V2);
        v2["replyChannel"] = json!({"fitConnect": {"encryptionPublicKey": {"kty": "RSA"}}});
        assert!(matches!(validate(&v2), Err(Error::MetadataSchema { .. })));

        let mut v3 = minimal();
        v3["$schema"] =
            json!("https://schema.fitko.de/fit-connect/metadata/3.0.0/metadata.schema.json");
        assert!(matches!(validate(&v3), Err(Error::UnsupportedMetadata(_))));
    }

    #[test]
    fn hashes_are_compared_as_sha512_hex_and_mismatches_named() {
        let h = Hash {
            type_: "sha512".into(),
            content: sha512_hex(b"Antrag"),
        };
        check_hash(&h, b"Antrag", "Fachdaten").unwrap();
        let err = check_hash(&h, b"Antrag!", "Fachdaten").unwrap_err();
        assert!(err.to_string().contains("Fachdaten"));
        let md5 = Hash {
            type_: "md5".into(),
            ..h
        };
        assert!(check_hash(&md5, b"Antrag", "x").is_err());
    }

    #[test]
    fn a_reject_names_the_field_by_pointer_and_a_key_the_applicant_chose_only_as_a_star() {
        let mut forms = FormSchemas::default();
        let schema = json!({
            "type": "object",
            "properties": {
                "kinder": {"type": "object", "additionalProperties": {"type": "integer"}},
                "plz": {"type": "string", "pattern": "^[0-9]{5}$"}
            }
        });
        forms.add("urn:x", &schema).unwrap();
        let data = br#"{"kinder": {"Marke Kindname": "Marke Wert"}, "plz": "Marke PLZ"}"#;
        let e = forms.validate("urn:x", data).unwrap_err();
        assert!(
            e.to_string().contains("Marke PLZ"),
            "local finding in full: {e}"
        );
        let p = e.rejection().unwrap();
        let text = serde_json::to_string(&p).unwrap();
        assert!(!text.contains("Marke"), "{text}");
        assert!(
            text.contains("/kinder/*") && text.contains("/plz"),
            "{text}"
        );
        assert_eq!(p.instance.as_deref(), Some("data"));
    }
}
