//! The HTTP side: axum routes of the Submission API 1.1.3 plus the token endpoint and the
//! reply channel, over an in-memory state. It enforces what the real service enforces as far
//! as the spec says: scopes, destination status, announced attachments, state transitions,
//! signature and authentication tags of incoming SETs; a submission leaves the pickup list once
//! accepted or rejected.
// Handlers return `Result<Response, Response>` (the axum idiom): the error *is* the answer.
#![allow(clippy::result_large_err)]

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use fitconnect::jose::{self, EncryptionKeyPair, Jwk, Jwks, SigningKeyPair};
use fitconnect::metadata::{Metadata, check_hash};
use fitconnect::set::{self, AuthenticationTags, EventType};
use rand::rngs::StdRng;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::faults::Faults;
use crate::zugang::Zugang;

/// Default largest request body (the real service answers 413 above its limit too).
pub const BODY_LIMIT: usize = 64 * 1024 * 1024;
const PROBLEM_PREFIX: &str = "https://schema.fitko.de/fit-connect/submission-api/problems/";

type ApiResult = Result<Response, Response>;

/// Builds an RFC 7807 problem response.
pub fn problem(status: StatusCode, slug: &str, title: &str) -> Response {
    problem_detail(status, slug, title, None)
}

pub(crate) fn problem_detail(
    status: StatusCode,
    slug: &str,
    title: &str,
    detail: Option<String>,
) -> Response {
    let mut body = json!({
        "type": format!("{PROBLEM_PREFIX}{slug}"),
        "title": title,
        "status": status.as_u16(),
    });
    if let (Some(d), Some(o)) = (detail, body.as_object_mut()) {
        o.insert("detail".into(), json!(d));
    }
    let mut r = (status, body.to_string()).into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/problem+json"),
    );
    r
}

pub(crate) fn json_response(status: StatusCode, v: &impl serde::Serialize) -> Response {
    let mut r = (status, serde_json::to_string(v).unwrap_or_default()).into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    r.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

#[derive(Debug, Clone)]
pub(crate) struct ClientReg {
    pub secret: String,
    pub scopes: Vec<String>,
}

#[derive(Debug, Clone)]
pub(crate) struct TokenReg {
    pub(crate) scopes: Vec<String>,
    pub(crate) expires: Instant,
}

#[derive(Debug, Clone)]
pub(crate) struct Dest {
    pub id: String,
    pub status: String,
    pub encryption_kid: String,
    pub keys: BTreeMap<String, Jwk>,
    pub services: Value,
    pub regions: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum SubState {
    Created,
    Submitted,
    Accepted,
    Rejected,
}

#[derive(Debug, Clone)]
pub(crate) struct Sub {
    pub id: String,
    pub destination_id: String,
    pub case_id: String,
    pub service_type: Value,
    pub announced: Vec<String>,
    pub attachments: BTreeMap<String, String>,
    pub encrypted_metadata: Option<String>,
    pub encrypted_data: Option<String>,
    pub state: SubState,
    pub seq: u64,
    pub tags: Option<AuthenticationTags>,
}

#[derive(Debug, Clone)]
pub(crate) struct Reply {
    pub id: String,
    pub case_id: String,
    pub announced: Vec<String>,
    pub attachments: BTreeMap<String, String>,
    pub encrypted_metadata: Option<String>,
    pub encrypted_data: Option<String>,
    pub status: String,
}

#[derive(Default)]
pub(crate) struct Inner {
    pub clients: HashMap<String, ClientReg>,
    pub(crate) tokens: HashMap<String, TokenReg>,
    pub destinations: HashMap<String, Dest>,
    pub submissions: HashMap<String, Sub>,
    /// SETs per case, oldest first.
    pub cases: HashMap<String, Vec<String>>,
    pub case_destination: HashMap<String, String>,
    pub replies: HashMap<String, Reply>,
    /// The simulated applicants' private reply keys, by case.
    pub reply_keys: HashMap<String, EncryptionKeyPair>,
    /// Every accept and reject the service took, with the time it took it.
    pub(crate) decisions: Vec<crate::Entscheidung>,
    pub(crate) seq: u64,
    /// Seed → the next application index [`crate::SimHandle::send`] has not sent.
    pub(crate) gesendet: BTreeMap<u64, u64>,
}

/// Shared state of one simulator.
pub struct AppState {
    pub(crate) inner: Mutex<Inner>,
    pub(crate) service_key: SigningKeyPair,
    /// The service key's self-signed certificate (root of the simulated PKI).
    pub(crate) service_cert: String,
    pub(crate) issuer: RwLock<String>,
    pub(crate) faults: RwLock<Faults>,
    pub(crate) fault_rng: Mutex<StdRng>,
    pub(crate) token_lifetime: Duration,
    pub(crate) body_limit: usize,
    pub(crate) key_registered: tokio::sync::Notify,
    /// Nachforderungen the simulated applicants read, for [`crate::nachreichung`].
    pub(crate) nachforderungen: Mutex<Vec<crate::nachreichung::GeleseneNachforderung>>,
    /// Signalled when one is added.
    pub(crate) nachforderung_gelesen: tokio::sync::Notify,
    /// The state file ([`crate::SimConfig::zustand`]).
    pub(crate) zustand: Option<PathBuf>,
    /// The service key as it goes into the state file.
    pub(crate) dienstschluessel_jwk: Option<crate::privater_jwk::PrivaterJwk>,
    /// Held while the state file is written: one writer at a time, each with a snapshot
    /// taken after the previous one's.
    pub(crate) zustand_schreiben: Mutex<()>,
    /// The applicants' Postfach ([`crate::SimConfig::postfach`]).
    pub(crate) postfach: Option<PathBuf>,
    /// [`crate::SimConfig::feindliche_anlagen`].
    pub(crate) feindliche_anlagen: bool,
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AppState")
    }
}

impl AppState {
    pub(crate) fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        match self.inner.lock() {
            Ok(g) => g,
            Err(p) => p.into_inner(),
        }
    }

    pub(crate) fn lock_nachforderungen(
        &self,
    ) -> std::sync::MutexGuard<'_, Vec<crate::nachreichung::GeleseneNachforderung>> {
        match self.nachforderungen.lock() {
            Ok(g) => g,
            Err(p) => p.into_inner(),
        }
    }

    /// Writes the state file (if there is one) with what the service holds now. A failure is
    /// logged: the running simulator keeps working, only a restart would forget.
    pub(crate) fn sichern(&self) {
        let Some(pfad) = &self.zustand else {
            return;
        };
        let _schreiber = match self.zustand_schreiben.lock() {
            Ok(g) => g,
            Err(p) => p.into_inner(),
        };
        let zustand = crate::zustand::Zustand::aus(&self.lock(), self.dienstschluessel_jwk.clone());
        let ergebnis = serde_json::to_vec(&zustand)
            .map_err(std::io::Error::other)
            .and_then(|text| crate::zustand::atomar_schreiben(pfad, &text));
        if let Err(e) = ergebnis {
            tracing::warn!(
                "Simulator: Die Zustandsdatei {} ließ sich nicht schreiben ({e}); nach einem \
                 Neustart fehlen die Vorgänge seit dem letzten Schreiben.",
                pfad.display()
            );
        }
    }

    fn issuer(&self) -> String {
        self.issuer.read().map(|s| s.clone()).unwrap_or_default()
    }

    fn service_event(&self, sub: &Sub, event: EventType, body: Value) -> Option<String> {
        set::create(
            &self.service_key,
            &self.issuer(),
            &format!("submission:{}", sub.id),
            &sub.case_id,
            event,
            body,
        )
        .ok()
    }

    /// Gives a key without certificate chain one issued by the simulated PKI.
    pub(crate) fn certify(&self, destination_id: &str, jwk: &mut Jwk) {
        if jwk.x5c.as_ref().is_some_and(|c| !c.is_empty()) {
            return;
        }
        let subject = format!("Zustellpunkt {destination_id} / {}", jwk.kid);
        if let Ok(cert) = crate::pki::issue(&self.service_key, crate::pki::ROOT_CN, &subject, jwk) {
            jwk.x5c = Some(vec![cert, self.service_cert.clone()]);
        }
    }

    pub(crate) fn service_jwks(&self) -> Jwks {
        let mut k = self.service_key.public_jwk();
        k.x5c = Some(vec![self.service_cert.clone()]);
        Jwks { keys: vec![k] }
    }
}

pub(crate) fn random_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

fn is_uuid(s: &str) -> bool {
    uuid::Uuid::parse_str(s).is_ok() && (32..=36).contains(&s.len())
}

pub(crate) fn is_jose_text(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'=' | b'.'))
}

pub(crate) fn forbidden() -> Response {
    problem(
        StatusCode::FORBIDDEN,
        "forbidden",
        "Der Scope des Tokens erlaubt diesen Zugriff nicht",
    )
}

fn has(scopes: &[String], s: &str) -> bool {
    scopes.iter().any(|x| x == s)
}

pub(crate) fn may_subscribe(scopes: &[String], dest: &str) -> bool {
    has(scopes, &format!("subscribe:destination:{dest}"))
}

pub(crate) fn may_manage(scopes: &[String], dest: &str) -> bool {
    has(scopes, &format!("manage:destination:{dest}"))
}

/// `send:region:DE<ars>` matches a destination offering the service in a region starting
/// with that ARS; `send:region:X+send:service:URN` also needs the service.
pub(crate) fn may_send(scopes: &[String], dest: &Dest, service: Option<&str>) -> bool {
    scopes.iter().any(|s| {
        let (region_part, service_part) = match s.split_once('+') {
            Some((r, sv)) => (r, sv.strip_prefix("send:service:")),
            None => (s.as_str(), None),
        };
        let Some(region) = region_part.strip_prefix("send:region:") else {
            return false;
        };
        let region_ok = dest.regions.iter().any(|r| r.starts_with(region));
        let service_ok = match (service_part, service) {
            (Some(required), Some(actual)) => required == actual,
            (Some(_), None) => true,
            (None, _) => true,
        };
        region_ok && service_ok
    })
}

/// 404 with the spec's problem type; `titel` names what is unknown.
pub(crate) fn nicht_gefunden(titel: &str) -> Response {
    problem(StatusCode::NOT_FOUND, "not-found", titel)
}

/// A JSON request body, or 400 with serde's reason.
pub(crate) fn json_anfrage<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, Response> {
    serde_json::from_slice(body).map_err(|e| {
        problem_detail(
            StatusCode::BAD_REQUEST,
            "bad-request",
            "Ungültige Anfrage",
            Some(e.to_string()),
        )
    })
}

/// The destination `id`, or 404.
fn zustellpunkt<'a>(inner: &'a Inner, id: &str) -> Result<&'a Dest, Response> {
    inner
        .destinations
        .get(id)
        .ok_or_else(|| nicht_gefunden("Zustellpunkt unbekannt"))
}

/// The destination `id` to change it, or 404; only its administrator may.
fn verwalteter_zustellpunkt<'a>(
    inner: &'a mut Inner,
    zugang: &Zugang,
    id: &str,
) -> Result<&'a mut Dest, Response> {
    let d = inner
        .destinations
        .get_mut(id)
        .ok_or_else(|| nicht_gefunden("Zustellpunkt unbekannt"))?;
    if !zugang.darf_verwalten(&d.id) {
        return Err(forbidden());
    }
    Ok(d)
}

/// The destination a case belongs to, or 404.
pub(crate) fn zustellpunkt_des_vorgangs(inner: &Inner, case_id: &str) -> Result<String, Response> {
    inner
        .case_destination
        .get(case_id)
        .cloned()
        .ok_or_else(|| nicht_gefunden("Vorgang unbekannt"))
}

/// The router with every route; `faults` middleware wraps it.
pub fn router(state: Arc<AppState>) -> Router {
    Router::new()
        .route("/token", post(token))
        .route("/v1/info", get(info))
        .route("/.well-known/jwks.json", get(jwks))
        .route(
            "/v1/destinations/{destination_id}",
            get(get_destination).patch(patch_destination),
        )
        .route("/v1/destinations/{destination_id}/keys", post(add_key))
        .route("/v1/destinations/{destination_id}/keys/{kid}", get(get_key))
        .route(
            "/v1/submissions",
            get(list_submissions).post(create_submission),
        )
        .route(
            "/v1/submissions/{submission_id}",
            get(get_submission).put(submit_submission),
        )
        .route(
            "/v1/submissions/{submission_id}/attachments/{attachment_id}",
            get(get_attachment).put(put_attachment),
        )
        .route(
            "/v1/cases/{case_id}/events",
            get(get_events).post(post_event),
        )
        .route("/v1/replies", post(crate::reply::create_reply))
        .route(
            "/v1/replies/{reply_id}",
            get(crate::reply::get_reply).put(crate::reply::submit_reply),
        )
        .route(
            "/v1/replies/{reply_id}/attachments/{attachment_id}",
            put(crate::reply::put_reply_attachment),
        )
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            crate::faults::inject,
        ))
        .layer(axum::extract::DefaultBodyLimit::max(state.body_limit))
        .with_state(state)
}

#[derive(Deserialize)]
struct TokenForm {
    grant_type: Option<String>,
    client_id: Option<String>,
    client_secret: Option<String>,
    scope: Option<String>,
}

fn oauth_error(status: StatusCode, error: &str) -> Response {
    json_response(status, &json!({"error": error}))
}

async fn token(State(state): State<Arc<AppState>>, headers: HeaderMap, body: Bytes) -> Response {
    let form: TokenForm = match serde_urlencoded_from(&body) {
        Some(f) => f,
        None => return oauth_error(StatusCode::BAD_REQUEST, "invalid_request"),
    };
    if form.grant_type.as_deref() != Some("client_credentials") {
        return oauth_error(StatusCode::BAD_REQUEST, "unsupported_grant_type");
    }
    let (id, secret) = match (form.client_id, form.client_secret) {
        (Some(i), Some(s)) => (i, s),
        _ => match basic_auth(&headers) {
            Some(pair) => pair,
            None => return oauth_error(StatusCode::UNAUTHORIZED, "invalid_client"),
        },
    };
    let mut inner = state.lock();
    let Some(reg) = inner.clients.get(&id).cloned() else {
        return oauth_error(StatusCode::UNAUTHORIZED, "invalid_client");
    };
    if aws_lc_rs::constant_time::verify_slices_are_equal(reg.secret.as_bytes(), secret.as_bytes())
        .is_err()
    {
        return oauth_error(StatusCode::UNAUTHORIZED, "invalid_client");
    }
    let granted: Vec<String> = match form.scope.as_deref().map(str::trim) {
        None | Some("") => reg.scopes.clone(),
        Some(requested) => {
            let req: Vec<String> = requested.split_whitespace().map(str::to_owned).collect();
            if req.iter().any(|s| !reg.scopes.contains(s)) {
                return oauth_error(StatusCode::BAD_REQUEST, "invalid_scope");
            }
            req
        }
    };
    let access = format!("sim-{}", random_id());
    inner.tokens.insert(
        access.clone(),
        TokenReg {
            scopes: granted.clone(),
            expires: Instant::now() + state.token_lifetime,
        },
    );
    json_response(
        StatusCode::OK,
        &json!({
            "access_token": access,
            "token_type": "Bearer",
            "expires_in": state.token_lifetime.as_secs(),
            "scope": granted.join(" "),
        }),
    )
}

fn serde_urlencoded_from(body: &[u8]) -> Option<TokenForm> {
    let mut f = TokenForm {
        grant_type: None,
        client_id: None,
        client_secret: None,
        scope: None,
    };
    let text = std::str::from_utf8(body).ok()?;
    for pair in text.split('&').filter(|p| !p.is_empty()) {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        let v = url_decode(v)?;
        match k {
            "grant_type" => f.grant_type = Some(v),
            "client_id" => f.client_id = Some(v),
            "client_secret" => f.client_secret = Some(v),
            "scope" => f.scope = Some(v),
            _ => {}
        }
    }
    Some(f)
}

fn url_decode(s: &str) -> Option<String> {
    let mut out = Vec::with_capacity(s.len());
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'+' => out.push(b' '),
            b'%' => {
                let h = std::str::from_utf8(b.get(i + 1..i + 3)?).ok()?;
                out.push(u8::from_str_radix(h, 16).ok()?);
                i += 2;
            }
            c => out.push(c),
        }
        i += 1;
    }
    String::from_utf8(out).ok()
}

fn basic_auth(headers: &HeaderMap) -> Option<(String, String)> {
    use base64::Engine as _;
    let v = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let raw = base64::engine::general_purpose::STANDARD
        .decode(v.strip_prefix("Basic ")?)
        .ok()?;
    let text = String::from_utf8(raw).ok()?;
    let (i, s) = text.split_once(':')?;
    Some((i.to_owned(), s.to_owned()))
}

async fn info() -> Response {
    json_response(
        StatusCode::OK,
        &json!({"version": {"major": 1, "minor": 1, "patch": 3}}),
    )
}

async fn jwks(State(state): State<Arc<AppState>>) -> Response {
    json_response(StatusCode::OK, &state.service_jwks())
}

fn public_destination(d: &Dest) -> Value {
    json!({
        "destinationId": d.id,
        "encryptionKid": d.encryption_kid,
        "metadataVersions": ["1.0.0", "2.0.0"],
        "services": d.services,
        "status": d.status,
        "contactInformation": {
            "legalName": "Stadt Musterstadt – Bürgeramt (Simulator)",
            "address": "Am Marktplatz 1, 99999 Musterstadt",
            "phone": "+49 9999 0000",
            "email": "buergeramt@musterstadt.example",
            "unit": "Bürgerservice",
        },
    })
}

async fn get_destination(Path(destination_id): Path<String>, zugang: Zugang) -> ApiResult {
    let inner = zugang.state.lock();
    let d = zustellpunkt(&inner, &destination_id)?;
    if !zugang.darf_einsehen(d) {
        return Err(forbidden());
    }
    Ok(json_response(StatusCode::OK, &public_destination(d)))
}

async fn patch_destination(
    Path(destination_id): Path<String>,
    zugang: Zugang,
    body: Bytes,
) -> ApiResult {
    let patch: Value = serde_json::from_slice(&body)
        .map_err(|_| problem(StatusCode::BAD_REQUEST, "bad-request", "Kein gültiges JSON"))?;
    let mut inner = zugang.state.lock();
    let d = verwalteter_zustellpunkt(&mut inner, &zugang, &destination_id)?;
    if let Some(kid) = patch.get("encryptionKid") {
        let kid = kid.as_str().unwrap_or_default();
        match d.keys.get(kid) {
            Some(k) if k.alg == "RSA-OAEP-256" => d.encryption_kid = kid.to_owned(),
            _ => {
                return Err(problem_detail(
                    StatusCode::BAD_REQUEST,
                    "bad-request",
                    "encryptionKid unbekannt",
                    Some("Der Schlüssel muss vorher registriert sein (POST keys).".into()),
                ));
            }
        }
    }
    if let Some(status) = patch.get("status").and_then(Value::as_str) {
        if !matches!(status, "created" | "active" | "inactive" | "decommissioned") {
            return Err(problem(
                StatusCode::BAD_REQUEST,
                "bad-request",
                "Status unbekannt",
            ));
        }
        if status == "active" && d.encryption_kid.is_empty() {
            return Err(problem(
                StatusCode::BAD_REQUEST,
                "bad-request",
                "Ohne Verschlüsselungsschlüssel kann der Zustellpunkt nicht aktiv sein",
            ));
        }
        d.status = status.to_owned();
    }
    let out = public_destination(d);
    drop(inner);
    zugang.state.key_registered.notify_waiters();
    Ok(json_response(StatusCode::OK, &out))
}

async fn add_key(Path(destination_id): Path<String>, zugang: Zugang, body: Bytes) -> ApiResult {
    let mut jwk: Jwk = serde_json::from_slice(&body).map_err(|e| {
        problem_detail(
            StatusCode::BAD_REQUEST,
            "bad-request",
            "Kein gültiger JWK",
            Some(e.to_string()),
        )
    })?;
    let usage_ok = jwk.usage().is_ok();
    let bits = jwk.modulus_bits();
    if !usage_ok || bits < 4096 || jwk.e != "AQAB" || jwk.kid.len() < 8 || jwk.kid.len() > 64 {
        return Err(problem_detail(
            StatusCode::BAD_REQUEST,
            "invalid-key",
            "Schlüssel nicht zulässig",
            Some(format!(
                "RSA mit mindestens 4096 Bit, e=AQAB, alg PS512 oder RSA-OAEP-256, kid 8–64 Zeichen (hier {bits} Bit)"
            )),
        ));
    }
    zugang.state.certify(&destination_id, &mut jwk);
    let mut inner = zugang.state.lock();
    let d = verwalteter_zustellpunkt(&mut inner, &zugang, &destination_id)?;
    let kid = jwk.kid.clone();
    d.keys.insert(kid.clone(), jwk);
    let mut r = StatusCode::CREATED.into_response();
    if let Ok(v) = HeaderValue::from_str(&format!("/v1/destinations/{destination_id}/keys/{kid}")) {
        r.headers_mut().insert(header::LOCATION, v);
    }
    Ok(r)
}

async fn get_key(
    State(state): State<Arc<AppState>>,
    Path((destination_id, kid)): Path<(String, String)>,
) -> ApiResult {
    let inner = state.lock();
    let k = inner
        .destinations
        .get(&destination_id)
        .and_then(|d| d.keys.get(&kid))
        .ok_or_else(|| nicht_gefunden("Schlüssel unbekannt"))?;
    Ok(json_response(StatusCode::OK, k))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Paging {
    destination_id: Option<String>,
    limit: Option<i64>,
    offset: Option<i64>,
}

/// limit 1..=500 (default 100), offset ≥ 0. Out-of-range values are clamped: the spec
/// documents no 400 for the listing operations.
fn page_bounds(p: &Paging) -> Result<(usize, usize), Response> {
    let limit = p.limit.unwrap_or(100).clamp(1, 500);
    let offset = p.offset.unwrap_or(0).max(0);
    Ok((limit as usize, offset as usize))
}

async fn list_submissions(Query(paging): Query<Paging>, zugang: Zugang) -> ApiResult {
    let (limit, offset) = page_bounds(&paging)?;
    if let Some(d) = &paging.destination_id
        && !zugang.darf_abholen(d)
    {
        return Err(forbidden());
    }
    let inner = zugang.state.lock();
    let mut subs: Vec<&Sub> = inner
        .submissions
        .values()
        .filter(|s| s.state == SubState::Submitted)
        .filter(|s| zugang.darf_abholen(&s.destination_id))
        .filter(|s| {
            paging
                .destination_id
                .as_ref()
                .is_none_or(|d| *d == s.destination_id)
        })
        .collect();
    subs.sort_by_key(|s| s.seq);
    let total = subs.len();
    let page: Vec<Value> = subs
        .into_iter()
        .skip(offset)
        .take(limit)
        .map(|s| {
            json!({"destinationId": s.destination_id, "submissionId": s.id, "caseId": s.case_id})
        })
        .collect();
    Ok(json_response(
        StatusCode::OK,
        &json!({"count": page.len(), "offset": offset, "totalCount": total, "submissions": page}),
    ))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CreateBody {
    destination_id: String,
    announced_attachments: Vec<String>,
    service_type: Value,
    case_id: Option<String>,
}

async fn create_submission(zugang: Zugang, body: Bytes) -> ApiResult {
    let req: CreateBody = json_anfrage(&body)?;
    let identifier = req
        .service_type
        .get("identifier")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    if !req.announced_attachments.iter().all(|a| is_uuid(a)) || !is_uuid(&req.destination_id) {
        return Err(problem(
            StatusCode::BAD_REQUEST,
            "bad-request",
            "IDs müssen UUIDs sein",
        ));
    }
    let state = &zugang.state;
    let mut inner = state.lock();
    let d = zustellpunkt(&inner, &req.destination_id)?;
    if !zugang.darf_senden(d, Some(&identifier)) {
        return Err(forbidden());
    }
    if d.status != "active" {
        return Err(problem(
            StatusCode::UNPROCESSABLE_ENTITY,
            "destination-not-active",
            "Zustellpunkt ist nicht aktiv",
        ));
    }
    let offered = d.services.as_array().is_some_and(|s| {
        s.iter()
            .any(|x| x.get("identifier").and_then(Value::as_str) == Some(&identifier))
    });
    if !offered {
        return Err(problem(
            StatusCode::UNPROCESSABLE_ENTITY,
            "service-not-offered",
            "Der Zustellpunkt bietet diese Leistung nicht an",
        ));
    }
    let case_id = match req.case_id {
        Some(c) if inner.case_destination.get(&c) == Some(&req.destination_id) => c,
        Some(_) => return Err(nicht_gefunden("Vorgang unbekannt")),
        None => random_id(),
    };
    inner.seq += 1;
    let sub = Sub {
        id: random_id(),
        destination_id: req.destination_id.clone(),
        case_id: case_id.clone(),
        service_type: req.service_type,
        announced: req.announced_attachments,
        attachments: BTreeMap::new(),
        encrypted_metadata: None,
        encrypted_data: None,
        state: SubState::Created,
        seq: inner.seq,
        tags: None,
    };
    let event = state.service_event(&sub, EventType::CreateSubmission, json!({}));
    inner
        .case_destination
        .insert(case_id.clone(), req.destination_id.clone());
    let log = inner.cases.entry(case_id.clone()).or_default();
    log.extend(event);
    let out =
        json!({"destinationId": sub.destination_id, "submissionId": sub.id, "caseId": case_id});
    inner.submissions.insert(sub.id.clone(), sub);
    drop(inner);
    state.sichern();
    Ok(json_response(StatusCode::CREATED, &out))
}

fn sender_may(inner: &Inner, scopes: &[String], sub: &Sub) -> bool {
    inner
        .destinations
        .get(&sub.destination_id)
        .is_some_and(|d| {
            may_send(
                scopes,
                d,
                sub.service_type.get("identifier").and_then(Value::as_str),
            )
        })
}

/// The sender's own submission that is still being assembled (state `created`).
fn unsent_sub(inner: &Inner, scopes: &[String], submission_id: &str) -> Result<Sub, Response> {
    let sub = inner
        .submissions
        .get(submission_id)
        .cloned()
        .ok_or_else(|| nicht_gefunden("Einreichung unbekannt"))?;
    if !sender_may(inner, scopes, &sub) {
        return Err(forbidden());
    }
    if sub.state != SubState::Created {
        return Err(problem(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid-state",
            "Einreichung ist bereits versendet",
        ));
    }
    Ok(sub)
}

async fn put_attachment(
    Path((submission_id, attachment_id)): Path<(String, String)>,
    zugang: Zugang,
    body: Bytes,
) -> ApiResult {
    zugang.verlangt_inhaltstyp(
        "application/jose",
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "Anlagen müssen als application/jose gesendet werden",
    )?;
    let text = std::str::from_utf8(&body)
        .ok()
        .filter(|t| is_jose_text(t) && t.split('.').count() == 5)
        .ok_or_else(|| problem(StatusCode::BAD_REQUEST, "bad-request", "Kein kompaktes JWE"))?
        .to_owned();
    let mut inner = zugang.state.lock();
    let sub = unsent_sub(&inner, zugang.scopes(), &submission_id)?;
    if !sub.announced.contains(&attachment_id) {
        return Err(problem(
            StatusCode::UNPROCESSABLE_ENTITY,
            "attachment-not-announced",
            "Anlage wurde nicht angekündigt",
        ));
    }
    if let Some(s) = inner.submissions.get_mut(&submission_id) {
        s.attachments.insert(attachment_id, text);
    }
    Ok(StatusCode::NO_CONTENT.into_response())
}

fn jwe_tag(jwe: &str) -> String {
    jwe.rsplit('.').next().unwrap_or_default().to_owned()
}

fn reduced(s: &Sub) -> Value {
    json!({
        "destinationId": s.destination_id,
        "submissionId": s.id,
        "caseId": s.case_id,
        "attachments": s.attachments.keys().collect::<Vec<_>>(),
        "serviceType": s.service_type,
    })
}

async fn submit_submission(
    Path(submission_id): Path<String>,
    zugang: Zugang,
    body: Bytes,
) -> ApiResult {
    zugang.verlangt_inhaltstyp(
        "application/json",
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "Erwartet application/json",
    )?;
    let req: fitconnect::model::SubmitSubmission = json_anfrage(&body)?;
    if !is_jose_text(&req.encrypted_metadata)
        || req
            .encrypted_data
            .as_deref()
            .is_some_and(|d| !is_jose_text(d))
    {
        return Err(problem(
            StatusCode::BAD_REQUEST,
            "bad-request",
            "Kein kompaktes JWE",
        ));
    }
    let state = &zugang.state;
    let mut inner = state.lock();
    let sub = unsent_sub(&inner, zugang.scopes(), &submission_id)?;
    if let Some(missing) = sub
        .announced
        .iter()
        .find(|a| !sub.attachments.contains_key(*a))
    {
        return Err(problem_detail(
            StatusCode::UNPROCESSABLE_ENTITY,
            "missing-attachments",
            "Angekündigte Anlagen fehlen",
            Some(format!("Anlage {missing} wurde nicht hochgeladen")),
        ));
    }
    let tags = AuthenticationTags {
        metadata: jwe_tag(&req.encrypted_metadata),
        data: req.encrypted_data.as_deref().map(jwe_tag),
        attachments: sub
            .attachments
            .iter()
            .map(|(k, v)| (k.clone(), jwe_tag(v)))
            .collect(),
    };
    let mut updated = sub;
    updated.encrypted_metadata = Some(req.encrypted_metadata);
    updated.encrypted_data = req.encrypted_data;
    updated.state = SubState::Submitted;
    updated.tags = Some(tags.clone());
    let event = state.service_event(
        &updated,
        EventType::SubmitSubmission,
        json!({"authenticationTags": tags}),
    );
    inner
        .cases
        .entry(updated.case_id.clone())
        .or_default()
        .extend(event);
    let out = reduced(&updated);
    inner.submissions.insert(updated.id.clone(), updated);
    drop(inner);
    state.sichern();
    Ok(json_response(StatusCode::ACCEPTED, &out))
}

fn pickup_sub(inner: &Inner, scopes: &[String], submission_id: &str) -> Result<Sub, Response> {
    let sub = inner
        .submissions
        .get(submission_id)
        .ok_or_else(|| nicht_gefunden("Einreichung unbekannt"))?;
    if !may_subscribe(scopes, &sub.destination_id) {
        return Err(forbidden());
    }
    if sub.state != SubState::Submitted {
        return Err(problem(
            StatusCode::NOT_FOUND,
            "not-found",
            "Einreichung nicht im Status submitted",
        ));
    }
    Ok(sub.clone())
}

async fn get_submission(Path(submission_id): Path<String>, zugang: Zugang) -> ApiResult {
    let sub = pickup_sub(&zugang.state.lock(), zugang.scopes(), &submission_id)?;
    let mut v = reduced(&sub);
    if let Some(o) = v.as_object_mut() {
        o.insert("encryptedMetadata".into(), json!(sub.encrypted_metadata));
        if let Some(d) = &sub.encrypted_data {
            o.insert("encryptedData".into(), json!(d));
        }
    }
    Ok(json_response(StatusCode::OK, &v))
}

async fn get_attachment(
    Path((submission_id, attachment_id)): Path<(String, String)>,
    zugang: Zugang,
) -> ApiResult {
    let sub = pickup_sub(&zugang.state.lock(), zugang.scopes(), &submission_id)?;
    let jwe = sub
        .attachments
        .get(&attachment_id)
        .cloned()
        .ok_or_else(|| nicht_gefunden("Anlage unbekannt"))?;
    let mut r = jwe.into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/jose"),
    );
    Ok(r)
}

async fn get_events(
    Path(case_id): Path<String>,
    Query(paging): Query<Paging>,
    zugang: Zugang,
) -> ApiResult {
    let (limit, offset) = page_bounds(&paging)?;
    let inner = zugang.state.lock();
    let dest_id = zustellpunkt_des_vorgangs(&inner, &case_id)?;
    let allowed = inner
        .destinations
        .get(&dest_id)
        .is_some_and(|d| zugang.darf_einsehen(d));
    if !allowed {
        return Err(forbidden());
    }
    let log = inner.cases.get(&case_id).cloned().unwrap_or_default();
    let page: Vec<&String> = log.iter().skip(offset).take(limit).collect();
    Ok(json_response(
        StatusCode::OK,
        &json!({"count": page.len(), "offset": offset, "totalCount": log.len(), "eventLog": page}),
    ))
}

fn unprocessable(title: &str, detail: String) -> Response {
    problem_detail(
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid-event",
        title,
        Some(detail),
    )
}

async fn post_event(Path(case_id): Path<String>, zugang: Zugang, body: Bytes) -> ApiResult {
    // The spec lists no 415 for this operation; 400 it is.
    zugang.verlangt_inhaltstyp(
        "application/jose",
        StatusCode::BAD_REQUEST,
        "SETs werden als application/jose gesendet",
    )?;
    let token = std::str::from_utf8(&body)
        .map_err(|_| problem(StatusCode::BAD_REQUEST, "bad-request", "Kein Text"))?
        .trim()
        .to_owned();
    let header = jose::peek_header(&token).map_err(|e| {
        problem_detail(
            StatusCode::BAD_REQUEST,
            "bad-request",
            "Kein gültiges JWS",
            Some(e.to_string()),
        )
    })?;
    let mut inner = zugang.state.lock();
    let dest_id = zustellpunkt_des_vorgangs(&inner, &case_id)?;
    if !zugang.darf_abholen(&dest_id) {
        return Err(forbidden());
    }
    let keys = inner
        .destinations
        .get(&dest_id)
        .map(|d| Jwks {
            keys: d
                .keys
                .values()
                .filter(|k| k.alg == "PS512")
                .cloned()
                .collect(),
        })
        .unwrap_or_default();
    if keys.find(&header.kid).is_none() {
        return Err(unprocessable(
            "Signaturschlüssel unbekannt",
            format!("kid {} ist am Zustellpunkt nicht registriert", header.kid),
        ));
    }
    let verified =
        set::verify(&keys, &token).map_err(|e| unprocessable("SET ungültig", e.to_string()))?;
    if verified.case_id != case_id {
        return Err(unprocessable(
            "SET ungültig",
            "txn passt nicht zum Vorgang".into(),
        ));
    }
    if verified.issuer != dest_id {
        return Err(unprocessable(
            "SET ungültig",
            "iss muss die destinationId sein".into(),
        ));
    }
    let submission_id = verified
        .subject
        .strip_prefix("submission:")
        .ok_or_else(|| unprocessable("SET ungültig", "sub muss submission:<id> sein".into()))?
        .to_owned();
    let sub = inner
        .submissions
        .get(&submission_id)
        .filter(|s| s.case_id == case_id)
        .cloned()
        .ok_or_else(|| nicht_gefunden("Einreichung unbekannt"))?;
    if sub.state != SubState::Submitted {
        return Err(problem(
            StatusCode::CONFLICT,
            "invalid-state-transition",
            "Einreichung ist bereits angenommen oder abgelehnt",
        ));
    }
    let new_state = match verified.event {
        Some(EventType::AcceptSubmission) => {
            let got = verified.authentication_tags().ok_or_else(|| {
                unprocessable(
                    "Authentication-Tags fehlen",
                    "accept-submission ohne authenticationTags".into(),
                )
            })?;
            if Some(&got) != sub.tags.as_ref() {
                return Err(unprocessable(
                    "Authentication-Tags stimmen nicht",
                    "Die Tags im SET passen nicht zur versendeten Einreichung".into(),
                ));
            }
            SubState::Accepted
        }
        Some(EventType::RejectSubmission) => {
            let problems = verified.problems();
            if problems.is_empty()
                || problems
                    .iter()
                    .any(|p| !p.type_.starts_with(fitconnect::set::PROBLEM_PREFIX))
            {
                return Err(unprocessable(
                    "Problemangaben fehlen",
                    "reject-submission braucht mindestens ein Problem mit FIT-Connect-Typ".into(),
                ));
            }
            SubState::Rejected
        }
        _ => {
            return Err(unprocessable(
                "Ereignis nicht erlaubt",
                format!("{} darf ein Empfänger nicht senden", verified.event_uri),
            ));
        }
    };
    if let Some(s) = inner.submissions.get_mut(&submission_id) {
        s.state = new_state;
    }
    inner.decisions.push(crate::Entscheidung {
        submission_id: submission_id.clone(),
        angenommen: new_state == SubState::Accepted,
        zeit: std::time::SystemTime::now(),
    });
    inner.cases.entry(case_id).or_default().push(token);
    drop(inner);
    zugang.state.sichern();
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// The simulated applicant reads a reply (used by the reply routes): decrypts and checks
/// everything; returns what was read.
pub(crate) fn applicant_reads(
    key: &EncryptionKeyPair,
    reply: &Reply,
) -> Result<crate::postfach::Gelesen, String> {
    let em = reply
        .encrypted_metadata
        .as_deref()
        .ok_or("Metadaten fehlen")?;
    let meta_klar = jose::decrypt(key, em).map_err(|e| e.to_string())?.plaintext;
    let meta = Metadata::parse(&meta_klar).map_err(|e| e.to_string())?;
    let mut daten = None;
    let mut anlagen = Vec::new();
    if let (Some(r), Some(ed)) = (&meta.content_structure.data, &reply.encrypted_data) {
        let d = jose::decrypt(key, ed).map_err(|e| e.to_string())?;
        check_hash(&r.hash, &d.plaintext, "Daten").map_err(|e| e.to_string())?;
        daten = Some(d.plaintext);
    }
    for a in &meta.content_structure.attachments {
        let jwe = reply
            .attachments
            .get(&a.attachment_id)
            .ok_or_else(|| format!("Anlage {} fehlt", a.attachment_id))?;
        let d = jose::decrypt(key, jwe).map_err(|e| e.to_string())?;
        check_hash(&a.hash, &d.plaintext, "Anlage").map_err(|e| e.to_string())?;
        anlagen.push((a.attachment_id.clone(), a.filename.clone(), d.plaintext));
    }
    Ok(crate::postfach::Gelesen {
        metadaten: meta_klar,
        daten,
        anlagen,
    })
}

pub(crate) fn reply_event(
    state: &AppState,
    reply: &Reply,
    event: EventType,
    body: Value,
) -> Option<String> {
    set::create(
        &state.service_key,
        &state.issuer(),
        &format!("reply:{}", reply.id),
        &reply.case_id,
        event,
        body,
    )
    .ok()
}
