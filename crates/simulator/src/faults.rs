//! Fault injection, configured per simulator and changeable while it runs: error rate per
//! endpoint (by `operationId` of the spec, or `*`), latency, connection resets, truncated
//! bodies, 429 with `Retry-After`, and responses held back beyond the client's timeout.
//! Decisions come from a seeded RNG, so a run repeats.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use rand::Rng as _;
use serde::{Deserialize, Serialize};

use crate::server::{AppState, problem};

/// What to break. All rates are probabilities in `0.0..=1.0`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Faults {
    /// Error rate per `operationId` (`*` for all), answered with `error_status`.
    pub error_rate: BTreeMap<String, f64>,
    /// Status of injected errors (default 503).
    pub error_status: Option<u16>,
    /// Extra latency for every request.
    pub latency_ms: u64,
    /// Probability of dropping the connection before a complete response.
    pub reset_rate: f64,
    /// Probability of cutting the response body in half.
    pub truncate_rate: f64,
    /// Probability of holding a response back for `hang_ms` after the request took effect:
    /// beyond the client's timeout, the client gives up although the service did the work
    /// (an accept went through, its answer never arrived).
    pub hang_rate: f64,
    /// How long a held response waits (default 30 s when 0).
    pub hang_ms: u64,
    /// Probability of answering 429.
    pub rate_limit_rate: f64,
    /// `Retry-After` seconds of a 429.
    pub retry_after_secs: u64,
    /// Endpoints never faulted (e.g. `token`), so a test can aim at one endpoint.
    pub exempt: Vec<String>,
}

impl Faults {
    fn rate_for(&self, op: &str) -> f64 {
        self.error_rate
            .get(op)
            .or_else(|| self.error_rate.get("*"))
            .copied()
            .unwrap_or(0.0)
    }
}

/// The `operationId` of a route, as in `submission-api.yaml` (or our names for the token
/// endpoint and the reply channel).
pub fn operation_id(method: &Method, path: &str) -> &'static str {
    match (method.as_str(), path) {
        ("POST", "/token") => "token",
        ("GET", "/v1/info") => "get-info",
        ("GET", "/.well-known/jwks.json") => "get-jwks.json",
        ("GET", "/v1/destinations/{destination_id}") => "get-destination-info",
        ("PATCH", "/v1/destinations/{destination_id}") => "patch-destination",
        ("POST", "/v1/destinations/{destination_id}/keys") => "add-destination-key",
        ("GET", "/v1/destinations/{destination_id}/keys/{kid}") => "get-destination-key",
        ("GET", "/v1/submissions") => "get-submissions-for-pickup",
        ("POST", "/v1/submissions") => "create-submission",
        ("GET", "/v1/submissions/{submission_id}") => "get-submission",
        ("PUT", "/v1/submissions/{submission_id}") => "submit-submission",
        ("GET", "/v1/submissions/{submission_id}/attachments/{attachment_id}") => {
            "get-submission-attachment"
        }
        ("PUT", "/v1/submissions/{submission_id}/attachments/{attachment_id}") => {
            "add-submission-attachment"
        }
        ("GET", "/v1/cases/{case_id}/events") => "get-case-events",
        ("POST", "/v1/cases/{case_id}/events") => "send-case-event",
        ("POST", "/v1/replies") => "create-reply",
        ("GET", "/v1/replies/{reply_id}") => "get-reply",
        ("PUT", "/v1/replies/{reply_id}") => "submit-reply",
        ("PUT", "/v1/replies/{reply_id}/attachments/{attachment_id}") => "add-reply-attachment",
        _ => "unknown",
    }
}

enum Decision {
    Pass,
    Error(StatusCode),
    RateLimit(u64),
    Reset,
    Truncate,
    Hang(Duration),
}

/// The middleware.
pub async fn inject(State(state): State<Arc<AppState>>, req: Request, next: Next) -> Response {
    let path = req
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_default();
    let op = operation_id(req.method(), &path);
    let (latency, decision) = {
        let faults = state.faults.read().map(|f| f.clone()).unwrap_or_default();
        if faults.exempt.iter().any(|e| e == op) {
            (0, Decision::Pass)
        } else {
            let mut rng = match state.fault_rng.lock() {
                Ok(r) => r,
                Err(p) => p.into_inner(),
            };
            let d = if rng.random_bool(faults.rate_for(op).clamp(0.0, 1.0)) {
                Decision::Error(
                    StatusCode::from_u16(faults.error_status.unwrap_or(503))
                        .unwrap_or(StatusCode::SERVICE_UNAVAILABLE),
                )
            } else if rng.random_bool(faults.rate_limit_rate.clamp(0.0, 1.0)) {
                Decision::RateLimit(faults.retry_after_secs)
            } else if rng.random_bool(faults.reset_rate.clamp(0.0, 1.0)) {
                Decision::Reset
            } else if rng.random_bool(faults.truncate_rate.clamp(0.0, 1.0)) {
                Decision::Truncate
            } else if rng.random_bool(faults.hang_rate.clamp(0.0, 1.0)) {
                let ms = if faults.hang_ms == 0 {
                    30_000
                } else {
                    faults.hang_ms
                };
                Decision::Hang(Duration::from_millis(ms))
            } else {
                Decision::Pass
            };
            (faults.latency_ms, d)
        }
    };
    if latency > 0 {
        tokio::time::sleep(Duration::from_millis(latency)).await;
    }
    match decision {
        Decision::Pass => next.run(req).await,
        Decision::Hang(wait) => {
            let resp = next.run(req).await;
            tokio::time::sleep(wait).await;
            resp
        }
        Decision::Error(status) => problem(status, "injected-fault", "Simulierter Fehler"),
        Decision::RateLimit(secs) => {
            let mut r = problem(
                StatusCode::TOO_MANY_REQUESTS,
                "rate-limit",
                "Zu viele Anfragen",
            );
            if let Ok(v) = HeaderValue::from_str(&secs.to_string()) {
                r.headers_mut().insert(header::RETRY_AFTER, v);
            }
            r
        }
        Decision::Reset => {
            // A body that fails at once: hyper aborts the connection without a complete response.
            let stream = futures_util::stream::once(async {
                Err::<bytes::Bytes, std::io::Error>(std::io::Error::new(
                    std::io::ErrorKind::ConnectionReset,
                    "simulated reset",
                ))
            });
            let mut r = Response::new(Body::from_stream(stream));
            r.headers_mut()
                .insert(header::CONTENT_LENGTH, HeaderValue::from_static("1024"));
            r
        }
        Decision::Truncate => {
            let resp = next.run(req).await;
            let (mut parts, body) = resp.into_parts();
            let full = match axum::body::to_bytes(body, usize::MAX).await {
                Ok(b) => b,
                Err(_) => return StatusCode::INTERNAL_SERVER_ERROR.into_response(),
            };
            let half = full.slice(..full.len() / 2);
            if let Ok(v) = HeaderValue::from_str(&full.len().max(1).to_string()) {
                parts.headers.insert(header::CONTENT_LENGTH, v);
            }
            // The first half goes out (headers included) before the connection breaks.
            let first = futures_util::stream::once(async move { Ok::<_, std::io::Error>(half) });
            let broken = futures_util::stream::once(async {
                tokio::time::sleep(Duration::from_millis(50)).await;
                Err(std::io::Error::new(
                    std::io::ErrorKind::UnexpectedEof,
                    "simulated truncation",
                ))
            });
            let stream = futures_util::StreamExt::chain(first, broken);
            Response::from_parts(parts, Body::from_stream(stream))
        }
    }
}
