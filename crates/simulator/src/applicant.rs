//! The simulated applicants and their Onlinedienst: realistic applications, deterministic from
//! a seed (everything except RSA key material and JWE randomness), sent over real HTTP with
//! the sender side of the `fitconnect` crate; and a corpus of broken and hostile submissions.

use fitconnect::jose::{EncryptionKeyPair, Jwk};
use fitconnect::sender::{Outgoing, OutgoingAttachment, Sealed, seal, seal_metadata};
use fitconnect::set::ProblemType;
use fitconnect::{Client, Error};
use rand::rngs::StdRng;
use rand::{Rng as _, SeedableRng as _};
use serde_json::{Value, json};

use crate::documents;
use crate::leistungen::{LEISTUNGEN, Leistung, form_data};

/// A generated application.
#[derive(Debug)]
pub struct Application {
    /// What is sent.
    pub outgoing: Outgoing,
    /// The applicant's private reply key, when the application has a reply channel.
    pub reply_key: Option<EncryptionKeyPair>,
    /// The Leistung.
    pub leistung: &'static Leistung,
}

/// A sent application.
#[derive(Debug)]
pub struct Sent {
    /// Submission id.
    pub submission_id: String,
    /// Case id.
    pub case_id: String,
    /// Private reply key, if any.
    pub reply_key: Option<EncryptionKeyPair>,
}

fn rng_for(seed: u64, index: u64) -> StdRng {
    StdRng::seed_from_u64(seed ^ index.wrapping_mul(0x9E37_79B9_7F4A_7C15))
}

/// A UUIDv4 drawn from `rng` (deterministic).
pub fn uuid(rng: &mut StdRng) -> String {
    let bytes: [u8; 16] = rng.random();
    uuid::Builder::from_random_bytes(bytes)
        .into_uuid()
        .to_string()
}

/// The `index`-th application of the stream defined by `seed`.
pub fn application(seed: u64, index: u64) -> Result<Application, Error> {
    let mut rng = rng_for(seed, index);
    let leistung =
        &LEISTUNGEN[(rng.random_range(0..LEISTUNGEN.len()) + index as usize) % LEISTUNGEN.len()];
    let data = form_data(leistung, &mut rng);
    let name = format!(
        "{} {}",
        data.pointer("/antragsteller/vorname")
            .and_then(Value::as_str)
            .unwrap_or(""),
        data.pointer("/antragsteller/familienname")
            .and_then(Value::as_str)
            .unwrap_or("")
    );
    let mut attachments = vec![OutgoingAttachment {
        id: uuid(&mut rng),
        filename: "Antrag.pdf".into(),
        mime_type: "application/pdf".into(),
        purpose: "form".into(),
        description: Some(format!("{} – Antragsformular", leistung.name)),
        content: documents::pdf(
            leistung.name,
            &form_lines(&data),
            rng.random_range(2_000..20_000),
        ),
    }];
    for (i, (filename, mime)) in leistung.attachments.iter().enumerate() {
        let content = if *mime == "image/png" {
            documents::png(
                rng.random_range(40..160),
                rng.random_range(30..120),
                i as u8,
            )
        } else {
            documents::pdf(
                filename,
                &[format!("Nachweis für {name}")],
                rng.random_range(10_000..120_000),
            )
        };
        attachments.push(OutgoingAttachment {
            id: uuid(&mut rng),
            filename: (*filename).into(),
            mime_type: (*mime).into(),
            purpose: "attachment".into(),
            description: None,
            content,
        });
    }
    let with_reply = rng.random_bool(0.4);
    let reply_key = if with_reply {
        Some(EncryptionKeyPair::generate(&uuid(&mut rng))?)
    } else {
        None
    };
    let outgoing = Outgoing {
        service_type: fitconnect::model::ServiceType {
            name: Some(leistung.name.into()),
            description: None,
            identifier: leistung.identifier(),
        },
        data: serde_json::to_vec(&data).map_err(|e| Error::Protocol {
            endpoint: "applicant".into(),
            detail: e.to_string(),
        })?,
        schema_uri: leistung.schema_uri(),
        attachments,
        reply_key: reply_key
            .as_ref()
            .map(EncryptionKeyPair::public_jwk)
            .transpose()?,
        sender_reference: Some(format!("OD-{:08}", rng.random_range(0..100_000_000u32))),
        application_date: Some("2026-11-22".into()),
    };
    Ok(Application {
        outgoing,
        reply_key,
        leistung,
    })
}

fn form_lines(data: &Value) -> Vec<String> {
    let mut lines = Vec::new();
    flatten("", data, &mut lines);
    lines.truncate(40);
    lines
}

fn flatten(prefix: &str, v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            for (k, v) in m {
                let p = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                flatten(&p, v, out);
            }
        }
        Value::String(s) => out.push(format!("{prefix}: {s}")),
        other => out.push(format!("{prefix}: {other}")),
    }
}

/// Sends applications `start..start+count` of the stream `seed` to `destination_id`.
pub async fn send_applications(
    client: &Client,
    destination_id: &str,
    seed: u64,
    start: u64,
    count: u64,
) -> Result<Vec<Sent>, Error> {
    let key = client.current_encryption_key(destination_id).await?;
    let mut sent = Vec::new();
    for i in start..start + count {
        // Reply keys are RSA-4096: generate off the async worker.
        let app = tokio::task::spawn_blocking(move || application(seed, i))
            .await
            .map_err(|e| Error::Protocol {
                endpoint: "applicant".into(),
                detail: e.to_string(),
            })??;
        let created = client
            .send_sealed(&seal(destination_id, &key, &app.outgoing)?)
            .await?;
        sent.push(Sent {
            submission_id: created.submission_id,
            case_id: created.case_id,
            reply_key: app.reply_key,
        });
    }
    Ok(sent)
}

/// Broken and hostile submissions for testing the intake.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hostile {
    /// Encrypted to a foreign key under the destination's `kid`.
    WrongKey,
    /// The data JWE's authentication tag is altered.
    TamperedTag,
    /// The metadata state a wrong SHA-512 for the data.
    HashMismatch,
    /// The metadata violate the metadata schema.
    MetadataSchemaViolation,
    /// The form data violate their Leistung's schema.
    DataSchemaViolation,
    /// The metadata list an attachment that was never announced or uploaded.
    MissingAttachment,
    /// A 12 MB attachment (decrypted as a stream by the client): valid, but large.
    Oversized,
    /// Valid, with attachment names like `../../etc/passwd` and RTL overrides.
    HostileFileNames,
    /// Valid, with `<script>` and formula injection in the applicant's fields.
    ScriptInFields,
}

impl Hostile {
    /// Every kind.
    pub const ALL: [Hostile; 9] = [
        Hostile::WrongKey,
        Hostile::TamperedTag,
        Hostile::HashMismatch,
        Hostile::MetadataSchemaViolation,
        Hostile::DataSchemaViolation,
        Hostile::MissingAttachment,
        Hostile::Oversized,
        Hostile::HostileFileNames,
        Hostile::ScriptInFields,
    ];

    /// The problem a correct subscriber rejects it with; `None`: it must be accepted (and its
    /// content handled with care downstream).
    pub fn expected_problem(self) -> Option<ProblemType> {
        match self {
            Hostile::WrongKey | Hostile::TamperedTag => Some(ProblemType::EncryptionIssue),
            Hostile::HashMismatch => Some(ProblemType::HashMismatch),
            Hostile::MetadataSchemaViolation | Hostile::DataSchemaViolation => {
                Some(ProblemType::SchemaViolation)
            }
            Hostile::MissingAttachment => Some(ProblemType::MissingAttachment),
            Hostile::Oversized | Hostile::HostileFileNames | Hostile::ScriptInFields => None,
        }
    }
}

fn tamper_tag(jwe: &str) -> String {
    let (head, tag) = jwe.rsplit_once('.').unwrap_or((jwe, ""));
    let mut raw = fitconnect::jose::unb64(tag, "tag").unwrap_or_default();
    if let Some(b) = raw.first_mut() {
        *b ^= 0x01;
    }
    format!("{head}.{}", fitconnect::jose::b64(&raw))
}

/// Builds a hostile submission for `kind`.
pub fn hostile(destination_id: &str, key: &Jwk, kind: Hostile, seed: u64) -> Result<Sealed, Error> {
    let mut app = application(seed, 1_000_000 + kind as u64)?;
    let out = &mut app.outgoing;
    out.reply_key = None;
    let mut rng = rng_for(seed, 2_000_000 + kind as u64);
    match kind {
        Hostile::WrongKey => {
            let foreign = EncryptionKeyPair::generate(&key.kid)?;
            seal(destination_id, &foreign.public_jwk()?, out)
        }
        Hostile::TamperedTag => {
            let mut s = seal(destination_id, key, out)?;
            s.submit.encrypted_data = s.submit.encrypted_data.as_deref().map(tamper_tag);
            Ok(s)
        }
        Hostile::HashMismatch => {
            let mut m = fitconnect::sender::metadata_for(out);
            if let Some(h) = m.pointer_mut("/contentStructure/data/hash/content") {
                *h = json!(fitconnect::metadata::sha512_hex(b"etwas anderes"));
            }
            seal_metadata(destination_id, key, out, m)
        }
        Hostile::MetadataSchemaViolation => {
            let mut m = fitconnect::sender::metadata_for(out);
            if let Some(cs) = m.get_mut("contentStructure").and_then(Value::as_object_mut) {
                cs.remove("attachments");
            }
            seal_metadata(destination_id, key, out, m)
        }
        Hostile::DataSchemaViolation => {
            let mut data: Value = serde_json::from_slice(&out.data).unwrap_or(json!({}));
            if let Some(o) = data.as_object_mut() {
                o.remove("antragsteller");
                o.insert("unerwartet".into(), json!(true));
            }
            out.data = serde_json::to_vec(&data).unwrap_or_default();
            seal(destination_id, key, out)
        }
        Hostile::MissingAttachment => {
            let mut m = fitconnect::sender::metadata_for(out);
            if let Some(list) = m
                .pointer_mut("/contentStructure/attachments")
                .and_then(Value::as_array_mut)
            {
                list.push(json!({
                    "attachmentId": uuid(&mut rng),
                    "hash": {"type": "sha512", "content": fitconnect::metadata::sha512_hex(b"nie hochgeladen")},
                    "purpose": "attachment",
                    "filename": "Nachweis.pdf",
                    "mimeType": "application/pdf",
                }));
            }
            seal_metadata(destination_id, key, out, m)
        }
        Hostile::Oversized => {
            out.attachments.push(OutgoingAttachment {
                id: uuid(&mut rng),
                filename: "Bauzeichnung_hochaufgeloest.pdf".into(),
                mime_type: "application/pdf".into(),
                purpose: "attachment".into(),
                description: Some("sehr große Anlage".into()),
                content: documents::pdf("Bauzeichnung", &[], 12 * 1024 * 1024),
            });
            seal(destination_id, key, out)
        }
        Hostile::HostileFileNames => {
            let names = [
                "../../../../etc/passwd",
                "..\\..\\Windows\\System32\\drivers\\etc\\hosts",
                "CON.pdf",
                "rechnung\u{202E}fdp.exe",
                "<img src=x onerror=alert(1)>.png",
            ];
            for (a, n) in out.attachments.iter_mut().zip(names.iter().cycle()) {
                a.filename = (*n).into();
            }
            out.attachments.push(OutgoingAttachment {
                id: uuid(&mut rng),
                filename: format!("{}.pdf", "a".repeat(300)),
                mime_type: "application/pdf".into(),
                purpose: "attachment".into(),
                description: None,
                content: documents::pdf("lang", &[], 100),
            });
            seal(destination_id, key, out)
        }
        Hostile::ScriptInFields => {
            let mut data: Value = serde_json::from_slice(&out.data).unwrap_or(json!({}));
            if let Some(p) = data.get_mut("antragsteller").and_then(Value::as_object_mut) {
                p.insert(
                    "vorname".into(),
                    json!("<script>alert('Amtsstube')</script>"),
                );
                p.insert(
                    "familienname".into(),
                    json!("=HYPERLINK(\"http://example.invalid\";\"Klick\")"),
                );
                p.insert("telefon".into(), json!("'; DROP TABLE vorgang; --"));
            }
            out.data = serde_json::to_vec(&data).unwrap_or_default();
            seal(destination_id, key, out)
        }
    }
}

/// Sends one hostile submission.
pub async fn send_hostile(
    client: &Client,
    destination_id: &str,
    kind: Hostile,
    seed: u64,
) -> Result<Sent, Error> {
    let key = client.current_encryption_key(destination_id).await?;
    let sealed = hostile(destination_id, &key, kind, seed)?;
    let created = client.send_sealed(&sealed).await?;
    Ok(Sent {
        submission_id: created.submission_id,
        case_id: created.case_id,
        reply_key: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn applications_are_deterministic_for_a_seed_apart_from_key_material() {
        for i in 0..6 {
            let a = application(77, i).unwrap();
            let b = application(77, i).unwrap();
            assert_eq!(a.outgoing.data, b.outgoing.data);
            assert_eq!(a.outgoing.sender_reference, b.outgoing.sender_reference);
            assert_eq!(a.reply_key.is_some(), b.reply_key.is_some());
            let ids = |x: &Application| -> Vec<(String, usize)> {
                x.outgoing
                    .attachments
                    .iter()
                    .map(|a| (a.id.clone(), a.content.len()))
                    .collect()
            };
            assert_eq!(ids(&a), ids(&b));
        }
        assert_ne!(
            application(77, 0).unwrap().outgoing.data,
            application(78, 0).unwrap().outgoing.data
        );
    }

    #[test]
    fn generated_form_data_validate_against_their_leistung_schema_and_cover_all_five() {
        let forms = crate::leistungen::form_schemas();
        let mut seen = std::collections::BTreeSet::new();
        let mut with_reply = 0;
        for i in 0..25 {
            let mut rng = rng_for(5, i);
            let l = &LEISTUNGEN[i as usize % LEISTUNGEN.len()];
            let data = serde_json::to_vec(&form_data(l, &mut rng)).unwrap();
            assert!(
                forms.validate(&l.schema_uri(), &data).unwrap(),
                "{}",
                l.slug
            );
            seen.insert(l.slug);
            assert!(l.identifier().starts_with("urn:de:fim:leika:leistung:"));
            assert_eq!(l.leika.len(), 14);
        }
        for i in 0..10 {
            with_reply += usize::from(application(5, i).unwrap().reply_key.is_some());
        }
        assert_eq!(seen.len(), 5);
        assert!(
            with_reply > 0 && with_reply < 10,
            "some, not all, have a reply channel"
        );
    }
}
