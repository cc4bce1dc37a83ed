//! The HTTP client: OAuth2 client credentials with a cached token, the subscriber's calls of
//! the Submission API, and the receive pipeline (download → decrypt → verify hashes →
//! validate → accept or reject with a signed SET).
//!
//! One renewal on 401, never a loop: if the renewed token is refused too, the 401 is returned
//! as a permanent error. Tokens are renewed 60 s before they expire.
//!
//! Strict transport ([`Transport`]): service and token URL must be `https://` (plain
//! `http://` only to this machine, for the simulator); redirects are never followed, so the
//! client secret and the token go nowhere but the configured hosts; TLS trusts the platform's
//! roots, or only the administrator's pinned CA; every answer body is read with a bound
//! ([`MAX_JSON`] for JSON, [`MAX_ATTACHMENT`] for attachments).

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use futures_util::StreamExt as _;
use reqwest::{RequestBuilder, Response, StatusCode};
use serde::de::DeserializeOwned;
use sha2::{Digest, Sha512};

use crate::Error;
use crate::jose::{self, EncryptionKeyPair, Jwk, Jwks, SigningKeyPair};
use crate::metadata::{AttachmentRef, FormSchemas, Metadata, check_digest, check_hash};
use crate::model::{
    Destination, EventLog, Info, Problem, Submission, SubmissionsForPickup, TokenResponse,
};
use crate::set::{self, AuthenticationTags, SetProblem, VerifiedSet};

/// Attachments larger than this (by `Content-Length`) are decrypted as a stream.
pub const STREAM_THRESHOLD: u64 = 8 * 1024 * 1024;
/// Largest attachment we accept at all.
pub const MAX_ATTACHMENT: u64 = 2 * 1024 * 1024 * 1024;
/// Largest JSON answer (a submission with its encrypted metadata and form data, a listing, an
/// event log) the client reads by default; see [`Transport::max_json`].
pub const MAX_JSON: u64 = 32 * 1024 * 1024;
/// Largest error body read (for its RFC 7807 problem).
const MAX_ERROR_BODY: u64 = 64 * 1024;
/// Page size for listings (the API's maximum is 500).
pub const PAGE: u32 = 100;
const RENEW_BEFORE: Duration = Duration::from_secs(60);

/// OAuth2 client credentials.
#[derive(Clone)]
pub struct Credentials {
    /// Token endpoint.
    pub token_url: String,
    /// Client id.
    pub client_id: String,
    /// Client secret.
    pub client_secret: String,
    /// Scope to request, e.g. `subscribe:destination:<id>`; `None` requests all granted.
    pub scope: Option<String>,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials")
            .field("token_url", &self.token_url)
            .field("client_id", &self.client_id)
            .field("scope", &self.scope)
            .finish_non_exhaustive()
    }
}

/// How the client reaches the service.
#[derive(Clone)]
pub struct Transport {
    /// Per-request timeout.
    pub timeout: Duration,
    /// PEM certificates of the CA(s) the administrator pinned (`ca_datei`): when set, only
    /// these are trusted for TLS (service and token endpoint), else the platform's roots.
    pub ca_pem: Option<Vec<u8>>,
    /// Largest JSON answer read, in bytes.
    pub max_json: u64,
}

impl Default for Transport {
    fn default() -> Self {
        Transport {
            timeout: Duration::from_secs(60),
            ca_pem: None,
            max_json: MAX_JSON,
        }
    }
}

impl std::fmt::Debug for Transport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Transport")
            .field("timeout", &self.timeout)
            .field("ca_pem", &self.ca_pem.as_ref().map(Vec::len))
            .field("max_json", &self.max_json)
            .finish()
    }
}

/// Checks that `url` may carry credentials: `https://`, or `http://` to this machine only
/// (127.0.0.0/8, ::1, `localhost`). `was` names the URL in the German error.
pub fn check_url(was: &str, url: &str) -> Result<(), Error> {
    let fehler = |grund: &str| Error::UnsafeUrl {
        was: was.into(),
        url: url.into(),
        grund: grund.into(),
    };
    let parsed =
        reqwest::Url::parse(url).map_err(|e| fehler(&format!("keine gültige Adresse ({e})")))?;
    match parsed.scheme() {
        "https" => Ok(()),
        "http" => {
            let host = parsed.host_str().unwrap_or_default();
            let ip = host.trim_start_matches('[').trim_end_matches(']');
            let lokal = host.eq_ignore_ascii_case("localhost")
                || ip
                    .parse::<std::net::IpAddr>()
                    .is_ok_and(|ip| ip.is_loopback());
            if lokal {
                Ok(())
            } else {
                Err(fehler("unverschlüsselt (http://) zu einem anderen Rechner"))
            }
        }
        other => Err(fehler(&format!("Schema {other}:// statt https://"))),
    }
}

/// Checks a pinned CA file's content (PEM, at least one certificate); returns how many
/// certificates it holds. [`Error::CaFile`] says what to do.
pub fn check_ca_pem(pem: &[u8]) -> Result<usize, Error> {
    ca_certificates(pem).map(|c| c.len())
}

fn ca_certificates(pem: &[u8]) -> Result<Vec<reqwest::Certificate>, Error> {
    let certs =
        reqwest::Certificate::from_pem_bundle(pem).map_err(|e| Error::CaFile(e.to_string()))?;
    if certs.is_empty() {
        return Err(Error::CaFile("keine Zertifikate gefunden".into()));
    }
    Ok(certs)
}

struct CachedToken {
    value: String,
    renew_at: Instant,
}

/// A FIT-Connect API client for one set of credentials.
pub struct Client {
    http: reqwest::Client,
    pub(crate) max_json: u64,
    base_url: String,
    creds: Credentials,
    token: tokio::sync::Mutex<Option<CachedToken>>,
    token_requests: std::sync::atomic::AtomicU32,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.base_url)
            .field("creds", &self.creds)
            .finish_non_exhaustive()
    }
}

impl Client {
    /// A client with the default [`Transport`] (60 s timeout, platform roots).
    pub fn new(base_url: &str, creds: Credentials) -> Result<Self, Error> {
        Self::with_transport(base_url, creds, Transport::default())
    }

    /// A client with the given per-request timeout.
    pub fn with_timeout(
        base_url: &str,
        creds: Credentials,
        timeout: Duration,
    ) -> Result<Self, Error> {
        Self::with_transport(
            base_url,
            creds,
            Transport {
                timeout,
                ..Transport::default()
            },
        )
    }

    /// A client with the given [`Transport`]. Refuses URLs [`check_url`] refuses and a
    /// pinned CA that holds no certificate.
    pub fn with_transport(
        base_url: &str,
        creds: Credentials,
        transport: Transport,
    ) -> Result<Self, Error> {
        check_url("Dienst-Adresse", base_url)?;
        check_url("Token-Adresse", &creds.token_url)?;
        let mut builder = reqwest::Client::builder()
            .timeout(transport.timeout)
            .connect_timeout(Duration::from_secs(10))
            .user_agent(concat!("Amtsstube/", env!("CARGO_PKG_VERSION")))
            // A redirect would resend the form with the client secret (307/308) or the
            // request to another host: never followed, reported as Error::Redirect.
            .redirect(reqwest::redirect::Policy::none());
        if let Some(pem) = &transport.ca_pem {
            builder = builder.tls_certs_only(ca_certificates(pem)?);
        }
        let http = builder.build().map_err(|e| Error::network("client", &e))?;
        Ok(Client {
            http,
            max_json: transport.max_json,
            base_url: base_url.trim_end_matches('/').to_owned(),
            creds,
            token: tokio::sync::Mutex::new(None),
            token_requests: std::sync::atomic::AtomicU32::new(0),
        })
    }

    /// Base URL of the Submission API.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// How many tokens this client has requested (for tests of caching and renewal).
    pub fn token_requests(&self) -> u32 {
        self.token_requests
            .load(std::sync::atomic::Ordering::Relaxed)
    }

    pub(crate) fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }

    async fn access_token(&self, renew: bool) -> Result<String, Error> {
        let mut guard = self.token.lock().await;
        if !renew
            && let Some(t) = guard.as_ref()
            && Instant::now() < t.renew_at
        {
            return Ok(t.value.clone());
        }
        self.token_requests
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let mut form = vec![
            ("grant_type", "client_credentials".to_owned()),
            ("client_id", self.creds.client_id.clone()),
            ("client_secret", self.creds.client_secret.clone()),
        ];
        if let Some(scope) = &self.creds.scope {
            form.push(("scope", scope.clone()));
        }
        let resp = self
            .http
            .post(&self.creds.token_url)
            .form(&form)
            .send()
            .await
            .map_err(|e| Error::network("token", &e))?;
        let status = resp.status();
        if status == StatusCode::BAD_REQUEST || status == StatusCode::UNAUTHORIZED {
            let body = read_bounded("token", resp, MAX_ERROR_BODY)
                .await
                .unwrap_or_default();
            let reason = serde_json::from_slice::<serde_json::Value>(&body)
                .ok()
                .and_then(|v| v.get("error").and_then(|e| e.as_str()).map(str::to_owned))
                .unwrap_or_else(|| format!("HTTP {}", status.as_u16()));
            return Err(Error::Auth(reason));
        }
        let resp = check_status("token", resp).await?;
        let token: TokenResponse = read_json("token", resp, self.max_json).await?;
        let lifetime = Duration::from_secs(token.expires_in);
        let renew_at = Instant::now() + lifetime.saturating_sub(RENEW_BEFORE.min(lifetime / 2));
        *guard = Some(CachedToken {
            value: token.access_token.clone(),
            renew_at,
        });
        Ok(token.access_token)
    }

    /// Sends an authenticated request; renews the token once on 401.
    pub(crate) async fn send(
        &self,
        endpoint: &str,
        build: impl Fn(&reqwest::Client) -> RequestBuilder,
    ) -> Result<Response, Error> {
        let token = self.access_token(false).await?;
        let resp = build(&self.http)
            .bearer_auth(&token)
            .send()
            .await
            .map_err(|e| Error::network(endpoint, &e))?;
        let resp = if resp.status() == StatusCode::UNAUTHORIZED {
            let token = self.access_token(true).await?;
            build(&self.http)
                .bearer_auth(&token)
                .send()
                .await
                .map_err(|e| Error::network(endpoint, &e))?
        } else {
            resp
        };
        check_status(endpoint, resp).await
    }

    pub(crate) async fn get_json<T: DeserializeOwned>(
        &self,
        endpoint: &str,
        path: &str,
    ) -> Result<T, Error> {
        let url = self.url(path);
        let resp = self.send(endpoint, |h| h.get(&url)).await?;
        read_json(endpoint, resp, self.max_json).await
    }

    async fn public_json<T: DeserializeOwned>(
        &self,
        endpoint: &str,
        path: &str,
    ) -> Result<T, Error> {
        let resp = self
            .http
            .get(self.url(path))
            .send()
            .await
            .map_err(|e| Error::network(endpoint, &e))?;
        read_json(endpoint, check_status(endpoint, resp).await?, self.max_json).await
    }

    /// `GET /v1/info`.
    pub async fn info(&self) -> Result<Info, Error> {
        self.public_json("get-info", "/v1/info").await
    }

    /// `GET /.well-known/jwks.json`: the service's signature keys.
    pub async fn service_jwks(&self) -> Result<Jwks, Error> {
        self.public_json("get-jwks.json", "/.well-known/jwks.json")
            .await
    }

    /// `GET /v1/destinations/{id}`.
    pub async fn destination(&self, destination_id: &str) -> Result<Destination, Error> {
        self.get_json(
            "get-destination-info",
            &format!("/v1/destinations/{destination_id}"),
        )
        .await
    }

    /// `GET /v1/destinations/{id}/keys/{kid}`.
    pub async fn destination_key(&self, destination_id: &str, kid: &str) -> Result<Jwk, Error> {
        let resp = self
            .http
            .get(self.url(&format!("/v1/destinations/{destination_id}/keys/{kid}")))
            .send()
            .await
            .map_err(|e| Error::network("get-destination-key", &e))?;
        read_json(
            "get-destination-key",
            check_status("get-destination-key", resp).await?,
            self.max_json,
        )
        .await
    }

    /// `POST /v1/destinations/{id}/keys` (scope `manage:destination:<id>`).
    pub async fn add_destination_key(&self, destination_id: &str, jwk: &Jwk) -> Result<(), Error> {
        let url = self.url(&format!("/v1/destinations/{destination_id}/keys"));
        self.send("add-destination-key", |h| h.post(&url).json(jwk))
            .await?;
        Ok(())
    }

    /// `PATCH /v1/destinations/{id}` (scope `manage:destination:<id>`).
    pub async fn patch_destination(
        &self,
        destination_id: &str,
        patch: &serde_json::Value,
    ) -> Result<(), Error> {
        let url = self.url(&format!("/v1/destinations/{destination_id}"));
        self.send("patch-destination", |h| h.patch(&url).json(patch))
            .await?;
        Ok(())
    }

    /// Registers the profile's keys with a destination and makes the encryption key current.
    pub async fn register_keys(
        &self,
        destination_id: &str,
        encryption: &Jwk,
        signing: &Jwk,
    ) -> Result<(), Error> {
        self.add_destination_key(destination_id, encryption).await?;
        self.add_destination_key(destination_id, signing).await?;
        self.patch_destination(
            destination_id,
            &serde_json::json!({"encryptionKid": encryption.kid, "status": "active"}),
        )
        .await
    }

    /// One page of `GET /v1/submissions`.
    pub async fn submissions_for_pickup(
        &self,
        destination_id: Option<&str>,
        limit: u32,
        offset: u32,
    ) -> Result<SubmissionsForPickup, Error> {
        let mut path = format!("/v1/submissions?limit={limit}&offset={offset}");
        if let Some(d) = destination_id {
            path.push_str(&format!("&destinationId={d}"));
        }
        self.get_json("get-submissions-for-pickup", &path).await
    }

    /// All pages of `GET /v1/submissions`.
    pub async fn all_submissions_for_pickup(
        &self,
        destination_id: Option<&str>,
    ) -> Result<Vec<crate::model::SubmissionForPickup>, Error> {
        let mut all = Vec::new();
        loop {
            let page = self
                .submissions_for_pickup(destination_id, PAGE, all.len() as u32)
                .await?;
            let n = page.submissions.len();
            all.extend(page.submissions);
            if n == 0 || all.len() as u32 >= page.total_count {
                return Ok(all);
            }
        }
    }

    /// `GET /v1/submissions/{id}`.
    pub async fn submission(&self, submission_id: &str) -> Result<Submission, Error> {
        self.get_json(
            "get-submission",
            &format!("/v1/submissions/{submission_id}"),
        )
        .await
    }

    /// `GET /v1/submissions/{id}/attachments/{aid}` as JWE text.
    pub async fn attachment(
        &self,
        submission_id: &str,
        attachment_id: &str,
    ) -> Result<String, Error> {
        let url = self.url(&format!(
            "/v1/submissions/{submission_id}/attachments/{attachment_id}"
        ));
        let resp = self
            .send("get-submission-attachment", |h| h.get(&url))
            .await?;
        let body = read_bounded("get-submission-attachment", resp, MAX_ATTACHMENT).await?;
        String::from_utf8(body)
            .map_err(|_| Error::Jose(jose::JoseError::Malformed("kein ASCII".into())))
    }

    /// Downloads, decrypts and hashes one attachment into `sink` with bounded memory.
    /// Returns the JWE's authentication tag.
    pub async fn attachment_into(
        &self,
        submission_id: &str,
        meta: &AttachmentRef,
        key: &EncryptionKeyPair,
        sink: &mut dyn AttachmentSink,
    ) -> Result<String, Error> {
        self.attachment_into_limited(submission_id, meta, key, sink, MAX_ATTACHMENT)
            .await
    }

    /// Like [`Client::attachment_into`], refusing attachments whose plaintext exceeds
    /// `limit` bytes with [`Error::LimitExceeded`]: before the body is read when the
    /// `Content-Length` already shows it (estimated from the JWE's length), else as soon as
    /// the decrypted stream passes the limit (nothing beyond it reaches the sink).
    pub async fn attachment_into_limited(
        &self,
        submission_id: &str,
        meta: &AttachmentRef,
        key: &EncryptionKeyPair,
        sink: &mut dyn AttachmentSink,
        limit: u64,
    ) -> Result<String, Error> {
        const EP: &str = "get-submission-attachment";
        let url = self.url(&format!(
            "/v1/submissions/{submission_id}/attachments/{}",
            meta.attachment_id
        ));
        let resp = self.send(EP, |h| h.get(&url)).await?;
        let len = resp.content_length();
        if let Some(len) = len
            && len > MAX_ATTACHMENT
        {
            return Err(Error::TooLarge(len));
        }
        let what = format!("Anlage {}", meta.attachment_id);
        if let Some(len) = len
            && plaintext_lower_bound(len) > limit
        {
            return Err(Error::LimitExceeded {
                what,
                groesse: plaintext_lower_bound(len),
                grenze: limit,
            });
        }
        sink.begin(meta)?;
        let result = async {
            let zu_gross = |groesse: u64| Error::LimitExceeded {
                what: what.clone(),
                groesse,
                grenze: limit,
            };
            if len.is_some_and(|l| l <= STREAM_THRESHOLD) {
                let text = resp.bytes().await.map_err(|e| Error::network(EP, &e))?;
                let text = std::str::from_utf8(&text)
                    .map_err(|_| Error::Jose(jose::JoseError::Malformed("kein ASCII".into())))?;
                let d = jose::decrypt(key, text)?;
                if d.plaintext.len() as u64 > limit {
                    return Err(zu_gross(d.plaintext.len() as u64));
                }
                check_hash(&meta.hash, &d.plaintext, &what)?;
                sink.write(&d.plaintext)?;
                return Ok(d.tag);
            }
            let mut dec = jose::stream::StreamDecryptor::new(key);
            let mut hasher = Sha512::new();
            let mut total = 0u64;
            let mut stream = resp.bytes_stream();
            let mut sink_err = None;
            let mut plain = 0u64;
            let mut abbruch = None;
            {
                let mut write = |b: &[u8]| {
                    plain += b.len() as u64;
                    if plain > limit {
                        sink_err = Some(zu_gross(plain));
                        return Err(jose::JoseError::Crypto("Größengrenze überschritten".into()));
                    }
                    hasher.update(b);
                    if let Err(e) = sink.write(b) {
                        sink_err = Some(e);
                        return Err(jose::JoseError::Crypto("Ablage fehlgeschlagen".into()));
                    }
                    Ok(())
                };
                while let Some(chunk) = stream.next().await {
                    let chunk = chunk.map_err(|e| Error::network(EP, &e))?;
                    total += chunk.len() as u64;
                    if total > MAX_ATTACHMENT {
                        return Err(Error::TooLarge(total));
                    }
                    if let Err(e) = dec.update(&chunk, &mut write) {
                        abbruch = Some(e);
                        break;
                    }
                }
                let tag = match abbruch {
                    Some(e) => Err(e),
                    None => dec.finish(&mut write),
                };
                if let Some(e) = sink_err.take() {
                    return Err(e);
                }
                let tag = tag?;
                check_digest(&meta.hash, &hasher.finalize(), &what)?;
                Ok(tag)
            }
        }
        .await;
        sink.finish(result.is_ok())?;
        result
    }

    /// All SETs of a case (`GET /v1/cases/{id}/events`, all pages).
    pub async fn case_events(&self, case_id: &str) -> Result<Vec<String>, Error> {
        let mut all = Vec::new();
        loop {
            let page: EventLog = self
                .get_json(
                    "get-case-events",
                    &format!(
                        "/v1/cases/{case_id}/events?limit={PAGE}&offset={}",
                        all.len()
                    ),
                )
                .await?;
            let n = page.event_log.len();
            all.extend(page.event_log);
            if n == 0 || all.len() as u32 >= page.total_count {
                return Ok(all);
            }
        }
    }

    /// `POST /v1/cases/{id}/events` with a compact SET.
    pub async fn post_event(&self, case_id: &str, set: &str) -> Result<(), Error> {
        let url = self.url(&format!("/v1/cases/{case_id}/events"));
        let body = set.to_owned();
        self.send("send-case-event", |h| {
            h.post(&url)
                .header(reqwest::header::CONTENT_TYPE, "application/jose")
                .body(body.clone())
        })
        .await?;
        Ok(())
    }

    /// Reads a case's event log and verifies every SET: service events against the service
    /// JWKS, subscriber events against the destination's key named by the SET's `kid`.
    pub async fn verified_events(
        &self,
        case_id: &str,
        destination_id: &str,
    ) -> Result<Vec<VerifiedSet>, Error> {
        let mut keys = self.service_jwks().await?;
        let mut out = Vec::new();
        for token in self.case_events(case_id).await? {
            let header = jose_peek(&token)?;
            if keys.find(&header.kid).is_none() {
                let k = self.destination_key(destination_id, &header.kid).await?;
                keys.keys.push(k);
            }
            out.push(set::verify(&keys, &token)?);
        }
        Ok(out)
    }

    /// Picks up one submission: decrypts metadata, data and every attachment (attachments into
    /// `sink`), verifies all SHA-512 hashes, validates metadata and (if known) the form data.
    /// An `Err` with [`Error::rejection`] `Some` means the submission is defective: reject it.
    pub async fn receive(
        &self,
        submission_id: &str,
        key: &EncryptionKeyPair,
        forms: &FormSchemas,
        sink: &mut dyn AttachmentSink,
    ) -> Result<Received, Error> {
        let submission = self.submission(submission_id).await?;
        let opened = open_submission(
            key,
            forms,
            submission.encrypted_metadata.as_deref(),
            submission.encrypted_data.as_deref(),
        )?;
        check_attachment_ids(&submission.attachments, &opened.metadata)?;
        let mut tags = opened.tags;
        for meta in &opened.metadata.content_structure.attachments {
            let tag = self.attachment_into(submission_id, meta, key, sink).await?;
            tags.attachments.insert(meta.attachment_id.clone(), tag);
        }
        Ok(Received {
            submission,
            metadata: opened.metadata,
            data: opened.data,
            data_validated: opened.data_validated,
            tags,
        })
    }

    /// Accepts a received submission with a signed `accept-submission` SET.
    pub async fn accept(
        &self,
        signing: &SigningKeyPair,
        received: &Received,
    ) -> Result<String, Error> {
        let s = &received.submission;
        let token = set::accept_submission(
            signing,
            &s.destination_id,
            &s.submission_id,
            &s.case_id,
            &received.tags,
        )?;
        self.post_event(&s.case_id, &token).await?;
        Ok(token)
    }

    /// Rejects a submission with a signed `reject-submission` SET.
    pub async fn reject(
        &self,
        signing: &SigningKeyPair,
        submission: &crate::model::SubmissionForPickup,
        problems: &[SetProblem],
    ) -> Result<String, Error> {
        let token = set::reject_submission(
            signing,
            &submission.destination_id,
            &submission.submission_id,
            &submission.case_id,
            problems,
        )?;
        self.post_event(&submission.case_id, &token).await?;
        Ok(token)
    }
}

fn jose_peek(token: &str) -> Result<jose::JwsHeader, Error> {
    Ok(jose::peek_header(token)?)
}

/// A picked-up, verified submission.
#[derive(Debug, Clone)]
pub struct Received {
    /// The submission as listed (with its encrypted parts).
    pub submission: Submission,
    /// Validated metadata.
    pub metadata: Metadata,
    /// Decrypted form data.
    pub data: Option<Vec<u8>>,
    /// Whether the data were validated against a locally known schema.
    pub data_validated: bool,
    /// Authentication tags for the accept SET.
    pub tags: AuthenticationTags,
}

/// Metadata and data of a submission, decrypted and verified (no network).
#[derive(Debug, Clone)]
pub struct Opened {
    /// Validated metadata.
    pub metadata: Metadata,
    /// Decrypted data.
    pub data: Option<Vec<u8>>,
    /// Whether a local schema validated the data.
    pub data_validated: bool,
    /// Tags of metadata and data (attachments are added by the caller).
    pub tags: AuthenticationTags,
}

/// Decrypts and verifies metadata and data of a submission.
pub fn open_submission(
    key: &EncryptionKeyPair,
    forms: &FormSchemas,
    encrypted_metadata: Option<&str>,
    encrypted_data: Option<&str>,
) -> Result<Opened, Error> {
    let em = encrypted_metadata.ok_or_else(|| Error::MetadataSchema {
        detail: "verschlüsselte Metadaten fehlen".into(),
        pointers: Vec::new(),
    })?;
    let dm = jose::decrypt(key, em)?;
    let metadata = Metadata::parse(&dm.plaintext)?;
    let mut tags = AuthenticationTags {
        metadata: dm.tag,
        ..Default::default()
    };
    let (data, data_validated) = match (&metadata.content_structure.data, encrypted_data) {
        (Some(r), Some(ed)) => {
            let dd = jose::decrypt(key, ed)?;
            check_hash(&r.hash, &dd.plaintext, "Fachdaten")?;
            let validated = if r.submission_schema.mime_type == "application/json" {
                forms.validate(&r.submission_schema.schema_uri, &dd.plaintext)?
            } else {
                false
            };
            tags.data = Some(dd.tag);
            (Some(dd.plaintext), validated)
        }
        (Some(_), None) => {
            return Err(Error::MissingData(
                "die Metadaten kündigen Fachdaten an, die Einreichung enthält keine".into(),
            ));
        }
        (None, Some(_)) => {
            return Err(Error::MetadataSchema {
                detail: "Fachdaten ohne Eintrag in den Metadaten".into(),
                pointers: vec!["/contentStructure/data".into()],
            });
        }
        (None, None) => (None, false),
    };
    Ok(Opened {
        metadata,
        data,
        data_validated,
        tags,
    })
}

/// The least plaintext a compact JWE of `jwe_len` characters carries: its base64url
/// ciphertext, after the largest header, key and IV the stream decryptor accepts (16 KiB
/// each) and the tag. A JWE whose bound exceeds a limit is refused before it is read.
pub fn plaintext_lower_bound(jwe_len: u64) -> u64 {
    jwe_len.saturating_sub(3 * 16 * 1024 + 64) * 3 / 4
}

/// Decrypts one attachment in memory and checks its hash; returns plaintext and tag.
pub fn open_attachment(
    key: &EncryptionKeyPair,
    meta: &AttachmentRef,
    jwe: &str,
) -> Result<(Vec<u8>, String), Error> {
    let d = jose::decrypt(key, jwe)?;
    check_hash(
        &meta.hash,
        &d.plaintext,
        &format!("Anlage {}", meta.attachment_id),
    )?;
    Ok((d.plaintext, d.tag))
}

/// The attachment ids the service lists must be exactly those in the metadata, each once.
/// Listed in the metadata but not delivered: [`Error::AttachmentMismatch`] (missing);
/// delivered but not in the metadata, or listed twice: [`Error::UnexpectedAttachment`].
pub fn check_attachment_ids(listed: &[String], metadata: &Metadata) -> Result<(), Error> {
    let mut in_meta = std::collections::BTreeSet::new();
    for a in &metadata.content_structure.attachments {
        if !in_meta.insert(a.attachment_id.as_str()) {
            return Err(Error::UnexpectedAttachment {
                attachment_id: a.attachment_id.clone(),
                detail: format!("Anlage {} steht mehrfach in den Metadaten", a.attachment_id),
            });
        }
    }
    let listed_set: std::collections::BTreeSet<&str> = listed.iter().map(String::as_str).collect();
    if let Some(missing) = in_meta.difference(&listed_set).next() {
        return Err(Error::AttachmentMismatch((*missing).to_owned()));
    }
    if let Some(extra) = listed_set.difference(&in_meta).next() {
        return Err(Error::UnexpectedAttachment {
            attachment_id: (*extra).to_owned(),
            detail: format!("Anlage {extra} wurde geliefert, steht aber nicht in den Metadaten"),
        });
    }
    Ok(())
}

/// Where decrypted attachments go. Content is unauthenticated until `finish(true)`; on
/// `finish(false)` the sink must discard what it got.
pub trait AttachmentSink: Send {
    /// A new attachment starts.
    fn begin(&mut self, meta: &AttachmentRef) -> Result<(), Error>;
    /// Next plaintext chunk.
    fn write(&mut self, chunk: &[u8]) -> Result<(), Error>;
    /// The attachment ended; `ok` says whether tag and hash verified.
    fn finish(&mut self, ok: bool) -> Result<(), Error>;
}

/// Keeps attachments in memory (small submissions, tests, the demo).
#[derive(Debug, Default)]
pub struct MemorySink {
    /// Verified attachments by id.
    pub files: BTreeMap<String, Vec<u8>>,
    current: Option<(String, Vec<u8>)>,
}

impl AttachmentSink for MemorySink {
    fn begin(&mut self, meta: &AttachmentRef) -> Result<(), Error> {
        self.current = Some((meta.attachment_id.clone(), Vec::new()));
        Ok(())
    }
    fn write(&mut self, chunk: &[u8]) -> Result<(), Error> {
        if let Some((_, buf)) = &mut self.current {
            buf.extend_from_slice(chunk);
        }
        Ok(())
    }
    fn finish(&mut self, ok: bool) -> Result<(), Error> {
        if let Some((id, buf)) = self.current.take()
            && ok
        {
            self.files.insert(id, buf);
        }
        Ok(())
    }
}

/// Counts and hashes attachments without keeping them (benchmarks, size checks).
#[derive(Debug, Default)]
pub struct DiscardSink {
    /// Bytes seen.
    pub bytes: u64,
}

impl AttachmentSink for DiscardSink {
    fn begin(&mut self, _: &AttachmentRef) -> Result<(), Error> {
        Ok(())
    }
    fn write(&mut self, chunk: &[u8]) -> Result<(), Error> {
        self.bytes += chunk.len() as u64;
        Ok(())
    }
    fn finish(&mut self, _: bool) -> Result<(), Error> {
        Ok(())
    }
}

fn parse_retry_after(resp: &Response) -> Option<Duration> {
    let v = resp
        .headers()
        .get(reqwest::header::RETRY_AFTER)?
        .to_str()
        .ok()?;
    v.trim().parse::<u64>().ok().map(Duration::from_secs)
}

/// Turns an error status into [`Error::Http`] with the problem body and `Retry-After`.
pub(crate) async fn check_status(endpoint: &str, resp: Response) -> Result<Response, Error> {
    let status = resp.status();
    if status.is_success() {
        return Ok(resp);
    }
    if status.is_redirection() {
        return Err(Error::Redirect {
            endpoint: endpoint.into(),
            status: status.as_u16(),
            ziel: resp
                .headers()
                .get(reqwest::header::LOCATION)
                .and_then(|v| v.to_str().ok())
                .map(|v| v.chars().take(200).collect()),
        });
    }
    let retry_after = parse_retry_after(&resp);
    let body = read_bounded(endpoint, resp, MAX_ERROR_BODY)
        .await
        .unwrap_or_default();
    let problem = serde_json::from_slice::<Problem>(&body).ok().map(Box::new);
    Err(Error::Http {
        endpoint: endpoint.into(),
        status: status.as_u16(),
        problem,
        retry_after,
    })
}

/// Reads a body of at most `limit` bytes: refused before reading when `Content-Length` says
/// more, else as soon as the received bytes pass the bound (never held beyond it).
pub(crate) async fn read_bounded(
    endpoint: &str,
    mut resp: Response,
    limit: u64,
) -> Result<Vec<u8>, Error> {
    let zu_gross = || Error::ResponseTooLarge {
        endpoint: endpoint.into(),
        grenze: limit,
    };
    if resp.content_length().is_some_and(|n| n > limit) {
        return Err(zu_gross());
    }
    let mut body = Vec::new();
    while let Some(chunk) = resp
        .chunk()
        .await
        .map_err(|e| Error::network(endpoint, &e))?
    {
        if (body.len() + chunk.len()) as u64 > limit {
            return Err(zu_gross());
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

pub(crate) async fn read_json<T: DeserializeOwned>(
    endpoint: &str,
    resp: Response,
    limit: u64,
) -> Result<T, Error> {
    let body = read_bounded(endpoint, resp, limit).await?;
    serde_json::from_slice(&body).map_err(|e| Error::Protocol {
        endpoint: endpoint.into(),
        detail: e.to_string(),
    })
}
