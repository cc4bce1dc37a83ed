//! The simulated applicants and their Onlinedienst: realistic applications, deterministic from
//! a seed (everything except RSA key material and JWE randomness), sent over real HTTP with
//! the sender side of the `fitconnect` crate; and a corpus of broken and hostile submissions.

use fitconnect::jose::{EncryptionKeyPair, JweHeader, Jwk};
use fitconnect::sender::{Outgoing, OutgoingAttachment, Sealed, seal, seal_metadata};
use fitconnect::set::ProblemType;
use fitconnect::{Client, Error};
use rand::rngs::StdRng;
use rand::{Rng as _, SeedableRng as _};
use serde_json::{Value, json};

use crate::documents;
use crate::leistungen::{LEISTUNGEN, Leistung, form_data};

/// Distinct RSA-4096 key pairs the simulated applicants' reply keys are drawn from.
pub const REPLY_KEY_POOL: usize = 4;

/// The reply key of application `index`: one of [`REPLY_KEY_POOL`] key pairs (generated on
/// first use), under the application's own `kid`. Generating a fresh RSA-4096 key for every
/// application took up to a second each and dominated every test that sends hundreds; the
/// applicants are synthetic, so sharing key material between some of them costs no realism
/// the tests rely on (each reply is still encrypted to the key its submission announced).
fn reply_key(index: u64, kid: &str) -> Result<EncryptionKeyPair, Error> {
    static POOL: [std::sync::OnceLock<EncryptionKeyPair>; REPLY_KEY_POOL] =
        [const { std::sync::OnceLock::new() }; REPLY_KEY_POOL];
    let slot = &POOL[(index % REPLY_KEY_POOL as u64) as usize];
    if let Some(k) = slot.get() {
        return Ok(k.with_kid(kid));
    }
    let k = EncryptionKeyPair::generate("simulator-antwortschluessel")?;
    Ok(slot.get_or_init(|| k).with_kid(kid))
}

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
        Some(reply_key(index, &uuid(&mut rng))?)
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

/// Whether application `index` carries the hostile attachments when a simulator is started
/// with [`crate::SimConfig::feindliche_anlagen`]: every 20th, from the fourth on (the demo's
/// `…/00004`).
pub fn traegt_feindliche_anlagen(index: u64) -> bool {
    index % 20 == 3
}

/// Adds [`documents::feindliche_anlagen`] to `app` as further attachments (purpose
/// `attachment`, ids drawn from their own stream so the rest of the application stays as it
/// was).
pub fn feindliche_anlagen_anhaengen(app: &mut Application, seed: u64, index: u64) {
    let mut rng = rng_for(seed ^ 0x0FE1_4D11, index);
    for (filename, mime, content) in documents::feindliche_anlagen() {
        app.outgoing.attachments.push(OutgoingAttachment {
            id: uuid(&mut rng),
            filename: filename.into(),
            mime_type: mime.into(),
            purpose: "attachment".into(),
            description: None,
            content,
        });
    }
}

/// Sends applications `start..start+count` of the stream `seed` to `destination_id`; with
/// `feindlich`, those [`traegt_feindliche_anlagen`] names carry the hostile attachments.
pub async fn send_applications(
    client: &Client,
    destination_id: &str,
    seed: u64,
    start: u64,
    count: u64,
    feindlich: bool,
) -> Result<Vec<Sent>, Error> {
    let key = client.current_encryption_key(destination_id).await?;
    let mut sent = Vec::new();
    for i in start..start + count {
        // Reply keys are RSA-4096: generate off the async worker.
        let app = tokio::task::spawn_blocking(move || {
            let mut app = application(seed, i)?;
            if feindlich && traegt_feindliche_anlagen(i) {
                feindliche_anlagen_anhaengen(&mut app, seed, i);
            }
            Ok::<_, Error>(app)
        })
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

/// The size limits the corpus's size kinds are built around: a subscriber that rejects
/// attachments above [`HOSTILE_LIMIT_PER_ATTACHMENT`] and submissions above
/// [`HOSTILE_LIMIT_TOTAL`] rejects [`Hostile::OversizedAttachment`] and
/// [`Hostile::OversizedTotal`] and accepts [`Hostile::LargeAttachment`].
pub const HOSTILE_LIMIT_PER_ATTACHMENT: u64 = 16 * 1024 * 1024;
/// See [`HOSTILE_LIMIT_PER_ATTACHMENT`].
pub const HOSTILE_LIMIT_TOTAL: u64 = 24 * 1024 * 1024;

/// Broken and hostile submissions for testing the intake: what an attacker, a broken
/// Onlinedienst or a faulty Zustelldienst can deliver. Every kind goes through the real
/// Submission API (the service's own checks let them all pass, as the real one would).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hostile {
    // --- JWE (metadata, data, attachments): encryption-issue ---
    /// Encrypted to a foreign key under the destination's `kid`.
    WrongKey,
    /// Encrypted to the destination's key, but the header names a `kid` nobody has.
    UnknownKid,
    /// The data JWE's authentication tag is altered.
    TamperedTag,
    /// One character of the data JWE's ciphertext is altered.
    TamperedCiphertext,
    /// The metadata JWE's authentication tag is altered.
    TamperedMetadataTag,
    /// The data JWE lost its last characters on the way (tag cut short).
    TruncatedJwe,
    /// The data JWE's header says `alg: RSA1_5`.
    WrongAlg,
    /// The data JWE's header says `enc: A128CBC-HS256`.
    WrongEnc,
    /// The data JWE's header asks for compression (`zip: DEF`), which FIT-Connect forbids.
    CompressedJwe,
    /// The metadata are not a JWE at all (a plain word).
    NotJwe,
    /// The data JWE has 4 parts (tag missing).
    JweFourParts,
    /// The data JWE has 6 parts.
    JweSixParts,
    /// The data JWE's ciphertext is not valid base64url (padding inside).
    InvalidBase64,
    /// The data JWE's protected header is base64url, but not JSON.
    HeaderNotJson,
    /// One attachment's JWE tag is altered.
    TamperedAttachment,
    // --- metadata ---
    /// The decrypted metadata are not JSON (syntax-violation).
    MetadataNotJson,
    /// The metadata are a JSON array, not an object.
    MetadataNotAnObject,
    /// The metadata lack `contentStructure`.
    MetadataWithoutContentStructure,
    /// The metadata lack `contentStructure.attachments`.
    MetadataSchemaViolation,
    /// The data hash is declared `md5`.
    MetadataWrongHashType,
    /// The data hash is upper-case hex (the schema demands `^[a-f0-9]{128}$`).
    MetadataUppercaseHash,
    /// An attachment's `purpose` is outside the enum.
    MetadataInvalidPurpose,
    /// `replyChannel` has two channels (the schema allows exactly one).
    MetadataTwoReplyChannels,
    /// An attachment id in the metadata is a path (`../../…`), not a UUID.
    MetadataAttachmentIdNotUuid,
    /// The metadata name a schema version nobody knows (unsupported-schema).
    MetadataUnsupportedVersion,
    // --- form data ---
    /// The metadata state a wrong SHA-512 for the data.
    HashMismatch,
    /// The form data violate their Leistung's schema.
    DataSchemaViolation,
    /// The form data are declared JSON but are XML.
    DataNotJson,
    /// The form data are empty (declared JSON).
    EmptyData,
    /// The metadata announce form data, the submission has none (missing-data).
    DataMissing,
    /// Form data are sent, the metadata do not announce them.
    DataUnannounced,
    // --- attachments ---
    /// The metadata list an attachment that was never announced or uploaded.
    MissingAttachment,
    /// An attachment was announced and uploaded but is not in the metadata.
    ExtraAttachment,
    /// The metadata list the same attachment id twice.
    DuplicateAttachmentIds,
    /// The metadata state a wrong SHA-512 for an attachment.
    AttachmentHashMismatch,
    /// A Windows executable declared as `application/pdf`.
    MimeMismatch,
    /// One 20 MiB attachment (above [`HOSTILE_LIMIT_PER_ATTACHMENT`]).
    OversizedAttachment,
    /// Two 13 MiB attachments: each within the per-attachment limit, together above
    /// [`HOSTILE_LIMIT_TOTAL`].
    OversizedTotal,
    // --- accepted (content handled with care downstream) ---
    /// A 12 MB attachment (decrypted as a stream by the client): valid, large, within the
    /// limits.
    LargeAttachment,
    /// Valid, with attachment names like `../../etc/passwd`, NUL, control characters,
    /// Windows device names, RTL overrides and 300 characters: stored under safe names.
    HostileFileNames,
    /// Valid, with `<script>` and formula injection in the applicant's fields: stored
    /// verbatim as text.
    ScriptInFields,
    /// Valid, with a form schema URI this destination does not know: accepted unvalidated.
    UnknownSchemaUri,
}

impl Hostile {
    /// Every kind.
    pub const ALL: [Hostile; 42] = [
        Hostile::WrongKey,
        Hostile::UnknownKid,
        Hostile::TamperedTag,
        Hostile::TamperedCiphertext,
        Hostile::TamperedMetadataTag,
        Hostile::TruncatedJwe,
        Hostile::WrongAlg,
        Hostile::WrongEnc,
        Hostile::CompressedJwe,
        Hostile::NotJwe,
        Hostile::JweFourParts,
        Hostile::JweSixParts,
        Hostile::InvalidBase64,
        Hostile::HeaderNotJson,
        Hostile::TamperedAttachment,
        Hostile::MetadataNotJson,
        Hostile::MetadataNotAnObject,
        Hostile::MetadataWithoutContentStructure,
        Hostile::MetadataSchemaViolation,
        Hostile::MetadataWrongHashType,
        Hostile::MetadataUppercaseHash,
        Hostile::MetadataInvalidPurpose,
        Hostile::MetadataTwoReplyChannels,
        Hostile::MetadataAttachmentIdNotUuid,
        Hostile::MetadataUnsupportedVersion,
        Hostile::HashMismatch,
        Hostile::DataSchemaViolation,
        Hostile::DataNotJson,
        Hostile::EmptyData,
        Hostile::DataMissing,
        Hostile::DataUnannounced,
        Hostile::MissingAttachment,
        Hostile::ExtraAttachment,
        Hostile::DuplicateAttachmentIds,
        Hostile::AttachmentHashMismatch,
        Hostile::MimeMismatch,
        Hostile::OversizedAttachment,
        Hostile::OversizedTotal,
        Hostile::LargeAttachment,
        Hostile::HostileFileNames,
        Hostile::ScriptInFields,
        Hostile::UnknownSchemaUri,
    ];

    /// The problem a correct subscriber rejects it with; `None`: it must be accepted (and its
    /// content handled with care downstream).
    pub fn expected_problem(self) -> Option<ProblemType> {
        use Hostile as H;
        use ProblemType as P;
        Some(match self {
            H::WrongKey
            | H::UnknownKid
            | H::TamperedTag
            | H::TamperedCiphertext
            | H::TamperedMetadataTag
            | H::TruncatedJwe
            | H::WrongAlg
            | H::WrongEnc
            | H::CompressedJwe
            | H::NotJwe
            | H::JweFourParts
            | H::JweSixParts
            | H::InvalidBase64
            | H::HeaderNotJson
            | H::TamperedAttachment => P::EncryptionIssue,
            H::MetadataNotJson | H::DataNotJson | H::EmptyData => P::SyntaxViolation,
            H::MetadataNotAnObject
            | H::MetadataWithoutContentStructure
            | H::MetadataSchemaViolation
            | H::MetadataWrongHashType
            | H::MetadataUppercaseHash
            | H::MetadataInvalidPurpose
            | H::MetadataTwoReplyChannels
            | H::MetadataAttachmentIdNotUuid
            | H::DataSchemaViolation
            | H::DataUnannounced => P::SchemaViolation,
            H::MetadataUnsupportedVersion => P::UnsupportedSchema,
            H::HashMismatch | H::AttachmentHashMismatch => P::HashMismatch,
            H::DataMissing => P::MissingData,
            H::MissingAttachment => P::MissingAttachment,
            H::ExtraAttachment
            | H::DuplicateAttachmentIds
            | H::OversizedAttachment
            | H::OversizedTotal => P::AttachmentMismatch,
            H::MimeMismatch => P::InvalidAttachmentContent,
            H::LargeAttachment | H::HostileFileNames | H::ScriptInFields | H::UnknownSchemaUri => {
                return None;
            }
        })
    }

    /// Whether rejecting it is the subscriber's own policy (size limits, content sniffing)
    /// rather than something the FIT-Connect client detects on its own.
    pub fn subscriber_policy(self) -> bool {
        matches!(
            self,
            Hostile::MimeMismatch | Hostile::OversizedAttachment | Hostile::OversizedTotal
        )
    }

    /// Whether the defect is in an attachment (earlier attachments may have been received).
    pub fn defect_in_attachment(self) -> bool {
        matches!(
            self,
            Hostile::TamperedAttachment
                | Hostile::AttachmentHashMismatch
                | Hostile::MimeMismatch
                | Hostile::OversizedAttachment
                | Hostile::OversizedTotal
        )
    }
}

/// The attachment names of [`Hostile::HostileFileNames`].
pub const HOSTILE_FILE_NAMES: [&str; 12] = [
    "../../../../etc/passwd",
    "..\\..\\Windows\\System32\\drivers\\etc\\hosts",
    "/etc/shadow",
    "C:\\Windows\\win.ini",
    "\\\\server\\freigabe\\Bescheid.pdf",
    "Anlage\u{0}.pdf.exe",
    "Zeile\nUmbruch\t\u{1b}[31mrot\u{7f}.pdf",
    "CON.pdf",
    "lpt1",
    "rechnung\u{202E}fdp.exe",
    "<img src=x onerror=alert(1)>.png",
    "..",
];

fn flip_tag(jwe: &str) -> String {
    let (head, tag) = jwe.rsplit_once('.').unwrap_or((jwe, ""));
    let mut raw = fitconnect::jose::unb64(tag, "tag").unwrap_or_default();
    if let Some(b) = raw.first_mut() {
        *b ^= 0x01;
    }
    format!("{head}.{}", fitconnect::jose::b64(&raw))
}

/// Applies `f` to the `i`-th part of a compact JWE.
fn alter_part(jwe: &str, i: usize, f: impl FnOnce(&str) -> String) -> String {
    let mut parts: Vec<String> = jwe.split('.').map(str::to_owned).collect();
    if let Some(p) = parts.get_mut(i) {
        *p = f(p);
    }
    parts.join(".")
}

/// Flips one base64url character in the middle of `s` to another valid one.
fn flip_char(s: &str) -> String {
    let mut b = s.as_bytes().to_vec();
    let mid = b.len() / 2;
    if let Some(c) = b.get_mut(mid) {
        *c = if *c == b'A' { b'B' } else { b'A' };
    }
    String::from_utf8(b).unwrap_or_default()
}

fn with_header(key: &Jwk, plain: &[u8], f: impl FnOnce(&mut JweHeader)) -> Result<String, Error> {
    let mut h = JweHeader::for_key(&key.kid, Some("application/json"));
    f(&mut h);
    Ok(fitconnect::jose::encrypt_with_header(key, plain, &h)?)
}

/// A PDF attachment `{name}.pdf` of about `bytes` bytes (benchmarks and tests that need a
/// document of a given size).
pub fn pdf_anlage(id: String, name: &str, bytes: usize) -> OutgoingAttachment {
    OutgoingAttachment {
        id,
        filename: format!("{name}.pdf"),
        mime_type: "application/pdf".into(),
        purpose: "attachment".into(),
        description: None,
        content: documents::pdf(name, &[], bytes),
    }
}

fn big_pdf(rng: &mut StdRng, name: &str, bytes: usize) -> OutgoingAttachment {
    OutgoingAttachment {
        description: Some("sehr große Anlage".into()),
        ..pdf_anlage(uuid(rng), name, bytes)
    }
}

/// Builds a hostile submission for `kind`.
pub fn hostile(destination_id: &str, key: &Jwk, kind: Hostile, seed: u64) -> Result<Sealed, Error> {
    use Hostile as H;
    let index = Hostile::ALL.iter().position(|k| *k == kind).unwrap_or(0) as u64;
    let mut app = application(seed, 1_000_000 + index)?;
    let out = &mut app.outgoing;
    out.reply_key = None;
    let mut rng = rng_for(seed, 2_000_000 + index);
    let meta = |out: &Outgoing, f: &dyn Fn(&mut Value)| {
        let mut m = fitconnect::sender::metadata_for(out);
        f(&mut m);
        seal_metadata(destination_id, key, out, m)
    };
    let data = |mut s: Sealed, f: &dyn Fn(&str) -> String| {
        s.submit.encrypted_data = s.submit.encrypted_data.as_deref().map(f);
        Ok(s)
    };
    match kind {
        H::WrongKey => {
            let foreign = EncryptionKeyPair::generate(&key.kid)?;
            seal(destination_id, &foreign.public_jwk()?, out)
        }
        H::UnknownKid => {
            let mut s = seal(destination_id, key, out)?;
            s.submit.encrypted_metadata = with_header(
                key,
                &serde_json::to_vec(&s.metadata).unwrap_or_default(),
                |h| h.kid = Some("schluessel-den-es-nicht-gibt".into()),
            )?;
            Ok(s)
        }
        H::TamperedTag => data(seal(destination_id, key, out)?, &flip_tag),
        H::TamperedCiphertext => data(seal(destination_id, key, out)?, &|j| {
            alter_part(j, 3, flip_char)
        }),
        H::TamperedMetadataTag => {
            let mut s = seal(destination_id, key, out)?;
            s.submit.encrypted_metadata = flip_tag(&s.submit.encrypted_metadata);
            Ok(s)
        }
        H::TruncatedJwe => data(seal(destination_id, key, out)?, &|j| {
            j[..j.len().saturating_sub(11)].to_owned()
        }),
        H::WrongAlg | H::WrongEnc | H::CompressedJwe => {
            let mut s = seal(destination_id, key, out)?;
            s.submit.encrypted_data = Some(with_header(key, &out.data, |h| match kind {
                H::WrongAlg => h.alg = "RSA1_5".into(),
                H::WrongEnc => h.enc = "A128CBC-HS256".into(),
                _ => h.zip = Some("DEF".into()),
            })?);
            Ok(s)
        }
        H::NotJwe => {
            let mut s = seal(destination_id, key, out)?;
            s.submit.encrypted_metadata = "Hallo-Amt".into();
            Ok(s)
        }
        H::JweFourParts => data(seal(destination_id, key, out)?, &|j| {
            j.rsplit_once('.')
                .map(|(h, _)| h.to_owned())
                .unwrap_or_default()
        }),
        H::JweSixParts => data(seal(destination_id, key, out)?, &|j| format!("{j}.AAAA")),
        H::InvalidBase64 => data(seal(destination_id, key, out)?, &|j| {
            alter_part(j, 3, |c| {
                let mid = c.len() / 2;
                format!("{}=={}", &c[..mid], &c[mid..])
            })
        }),
        H::HeaderNotJson => data(seal(destination_id, key, out)?, &|j| {
            alter_part(j, 0, |_| {
                fitconnect::jose::b64(b"alg=RSA-OAEP-256;enc=A256GCM")
            })
        }),
        H::TamperedAttachment => {
            let mut s = seal(destination_id, key, out)?;
            if let Some((_, jwe)) = s.attachments.last_mut() {
                *jwe = flip_tag(jwe);
            }
            Ok(s)
        }
        H::MetadataNotJson => {
            let mut s = seal(destination_id, key, out)?;
            s.submit.encrypted_metadata = fitconnect::jose::encrypt(
                key,
                b"{contentStructure: {attachments: []",
                Some("application/json"),
            )?;
            Ok(s)
        }
        H::MetadataNotAnObject => meta(out, &|m| *m = json!([m.clone()])),
        H::MetadataWithoutContentStructure => meta(out, &|m| {
            if let Some(o) = m.as_object_mut() {
                o.remove("contentStructure");
            }
        }),
        H::MetadataSchemaViolation => meta(out, &|m| {
            if let Some(cs) = m.get_mut("contentStructure").and_then(Value::as_object_mut) {
                cs.remove("attachments");
            }
        }),
        H::MetadataWrongHashType => meta(out, &|m| {
            if let Some(h) = m.pointer_mut("/contentStructure/data/hash/type") {
                *h = json!("md5");
            }
        }),
        H::MetadataUppercaseHash => meta(out, &|m| {
            if let Some(h) = m.pointer_mut("/contentStructure/data/hash/content") {
                *h = json!(h.as_str().unwrap_or_default().to_ascii_uppercase());
            }
        }),
        H::MetadataInvalidPurpose => meta(out, &|m| {
            if let Some(p) = m.pointer_mut("/contentStructure/attachments/0/purpose") {
                *p = json!("schadcode");
            }
        }),
        H::MetadataTwoReplyChannels => meta(out, &|m| {
            if let Some(o) = m.as_object_mut() {
                o.insert(
                    "replyChannel".into(),
                    json!({
                        "eMail": {"address": "antrag@example.invalid"},
                        "deMail": {"address": "antrag@example.de-mail.invalid"},
                    }),
                );
            }
        }),
        H::MetadataAttachmentIdNotUuid => meta(out, &|m| {
            if let Some(id) = m.pointer_mut("/contentStructure/attachments/0/attachmentId") {
                *id = json!("../../../../etc/passwd/aaaaaaaaaaaaaa");
            }
        }),
        H::MetadataUnsupportedVersion => {
            meta(out, &|m| {
                if let Some(o) = m.as_object_mut() {
                    o.insert(
                    "$schema".into(),
                    json!("https://schema.fitko.de/fit-connect/metadata/9.0.0/metadata.schema.json"),
                );
                }
            })
        }
        H::HashMismatch => meta(out, &|m| {
            if let Some(h) = m.pointer_mut("/contentStructure/data/hash/content") {
                *h = json!(fitconnect::metadata::sha512_hex(b"etwas anderes"));
            }
        }),
        H::DataSchemaViolation => {
            let mut data: Value = serde_json::from_slice(&out.data).unwrap_or(json!({}));
            if let Some(o) = data.as_object_mut() {
                o.remove("antragsteller");
                o.insert("unerwartet".into(), json!(true));
            }
            out.data = serde_json::to_vec(&data).unwrap_or_default();
            seal(destination_id, key, out)
        }
        H::DataNotJson => {
            out.data = b"<antrag><name>Erika Mustermann</name></antrag>".to_vec();
            seal(destination_id, key, out)
        }
        H::EmptyData => {
            out.data = Vec::new();
            seal(destination_id, key, out)
        }
        H::DataMissing => {
            let mut s = seal(destination_id, key, out)?;
            s.submit.encrypted_data = None;
            Ok(s)
        }
        H::DataUnannounced => meta(out, &|m| {
            if let Some(cs) = m.get_mut("contentStructure").and_then(Value::as_object_mut) {
                cs.remove("data");
            }
        }),
        H::MissingAttachment => {
            let extra = uuid(&mut rng);
            meta(out, &|m| {
                if let Some(list) = m
                    .pointer_mut("/contentStructure/attachments")
                    .and_then(Value::as_array_mut)
                {
                    list.push(json!({
                        "attachmentId": extra,
                        "hash": {"type": "sha512", "content": fitconnect::metadata::sha512_hex(b"nie hochgeladen")},
                        "purpose": "attachment",
                        "filename": "Nachweis.pdf",
                        "mimeType": "application/pdf",
                    }));
                }
            })
        }
        H::ExtraAttachment => {
            out.attachments.push(OutgoingAttachment {
                id: uuid(&mut rng),
                filename: "untergeschoben.pdf".into(),
                mime_type: "application/pdf".into(),
                purpose: "attachment".into(),
                description: None,
                content: documents::pdf("untergeschoben", &[], 100),
            });
            meta(out, &|m| {
                if let Some(list) = m
                    .pointer_mut("/contentStructure/attachments")
                    .and_then(Value::as_array_mut)
                {
                    list.pop();
                }
            })
        }
        H::DuplicateAttachmentIds => meta(out, &|m| {
            if let Some(list) = m
                .pointer_mut("/contentStructure/attachments")
                .and_then(Value::as_array_mut)
                && let Some(first) = list.first().cloned()
            {
                let mut twin = first;
                twin["filename"] = json!("Zwilling.pdf");
                list.push(twin);
            }
        }),
        H::AttachmentHashMismatch => meta(out, &|m| {
            if let Some(list) = m
                .pointer_mut("/contentStructure/attachments")
                .and_then(Value::as_array_mut)
                && let Some(last) = list.last_mut()
            {
                last["hash"]["content"] = json!(fitconnect::metadata::sha512_hex(b"anders"));
            }
        }),
        H::MimeMismatch => {
            let mut exe = b"MZ\x90\x00\x03\x00\x00\x00".to_vec();
            exe.extend_from_slice(b"This program cannot be run in DOS mode.\r\n");
            exe.resize(4096, 0);
            out.attachments.push(OutgoingAttachment {
                id: uuid(&mut rng),
                filename: "Personalausweis.pdf".into(),
                mime_type: "application/pdf".into(),
                purpose: "attachment".into(),
                description: None,
                content: exe,
            });
            seal(destination_id, key, out)
        }
        H::OversizedAttachment => {
            out.attachments
                .push(big_pdf(&mut rng, "Bauzeichnung_riesig", 20 * 1024 * 1024));
            seal(destination_id, key, out)
        }
        H::OversizedTotal => {
            for n in ["Plan_Teil1", "Plan_Teil2"] {
                out.attachments.push(big_pdf(&mut rng, n, 13 * 1024 * 1024));
            }
            seal(destination_id, key, out)
        }
        H::LargeAttachment => {
            out.attachments.push(big_pdf(
                &mut rng,
                "Bauzeichnung_hochaufgeloest",
                12 * 1024 * 1024,
            ));
            seal(destination_id, key, out)
        }
        H::HostileFileNames => {
            for n in HOSTILE_FILE_NAMES {
                out.attachments.push(OutgoingAttachment {
                    id: uuid(&mut rng),
                    filename: n.into(),
                    mime_type: "application/pdf".into(),
                    purpose: "attachment".into(),
                    description: None,
                    content: documents::pdf(n, &[], 100),
                });
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
        H::ScriptInFields => {
            let mut data: Value = serde_json::from_slice(&out.data).unwrap_or(json!({}));
            if let Some(p) = data.get_mut("antragsteller").and_then(Value::as_object_mut) {
                for (feld, wert) in SCRIPT_FIELDS {
                    p.insert(feld.into(), json!(wert));
                }
            }
            out.data = serde_json::to_vec(&data).unwrap_or_default();
            seal(destination_id, key, out)
        }
        H::UnknownSchemaUri => {
            out.schema_uri = "urn:xoev-de:unbekannt:standard:antrag_1.0".into();
            seal(destination_id, key, out)
        }
    }
}

/// Applicant fields of [`Hostile::ScriptInFields`] and what they hold.
pub const SCRIPT_FIELDS: [(&str, &str); 3] = [
    ("vorname", "<script>alert('Amtsstube')</script>"),
    (
        "familienname",
        "=HYPERLINK(\"http://example.invalid\";\"Klick\")",
    ),
    ("telefon", "'; DROP TABLE vorgang; --"),
];

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
