//! The preamble every authorised route shares, as one axum extractor.
//!
//! [`Zugang`] takes the bearer token from `Authorization` and looks it up: a missing, unknown
//! or expired token is answered 401 with `WWW-Authenticate: Bearer` before the handler runs.
//! The handler gets the shared state, the token's scopes with the checks the Submission API
//! defines on them (`subscribe:destination:…`, `manage:destination:…`, `send:region:…`), and
//! the request's content type. Fault injection is not part of it: the `faults` middleware
//! wraps every route and decides before any extractor runs.
//!
//! A new authorised route takes `zugang: Zugang` after its `Path` and `Query` extractors and
//! before the body (`Bytes`): a path or query that does not parse is answered first, then a
//! missing token, then the rest.
// Checks return `Result<_, Response>` (the axum idiom): the error *is* the answer.
#![allow(clippy::result_large_err)]

use std::sync::Arc;
use std::time::Instant;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::Response;

use crate::server::{AppState, Dest, may_manage, may_send, may_subscribe, problem};

/// An authorised request: the state and what the bearer token allows.
pub(crate) struct Zugang {
    /// The simulator's state.
    pub(crate) state: Arc<AppState>,
    scopes: Vec<String>,
    /// Media type of the body (`Content-Type` without parameters), if any.
    inhaltstyp: Option<String>,
}

impl FromRequestParts<Arc<AppState>> for Zugang {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &Arc<AppState>,
    ) -> Result<Self, Response> {
        let scopes = token_scopes(state, &parts.headers)?;
        let inhaltstyp = parts
            .headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .map(|m| m.trim().to_owned());
        Ok(Self {
            state: state.clone(),
            scopes,
            inhaltstyp,
        })
    }
}

/// The scopes of the request's bearer token, or the 401 answer.
fn token_scopes(state: &AppState, headers: &HeaderMap) -> Result<Vec<String>, Response> {
    let unauthorized = || {
        let mut r = problem(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "Kein gültiges Zugriffstoken",
        );
        r.headers_mut()
            .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        r
    };
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .ok_or_else(unauthorized)?;
    let inner = state.lock();
    match inner.tokens.get(token) {
        Some(t) if t.expires > Instant::now() => Ok(t.scopes.clone()),
        _ => Err(unauthorized()),
    }
}

impl Zugang {
    /// The token's scopes.
    pub(crate) fn scopes(&self) -> &[String] {
        &self.scopes
    }

    /// The subscriber of the destination (`subscribe:destination:<id>`).
    pub(crate) fn darf_abholen(&self, destination_id: &str) -> bool {
        may_subscribe(&self.scopes, destination_id)
    }

    /// Its administrator (`manage:destination:<id>`).
    pub(crate) fn darf_verwalten(&self, destination_id: &str) -> bool {
        may_manage(&self.scopes, destination_id)
    }

    /// A sender to it, for the service if one is named.
    pub(crate) fn darf_senden(&self, dest: &Dest, service: Option<&str>) -> bool {
        may_send(&self.scopes, dest, service)
    }

    /// Anyone of the three: may read the destination and the event logs of its cases.
    pub(crate) fn darf_einsehen(&self, dest: &Dest) -> bool {
        self.darf_abholen(&dest.id) || self.darf_verwalten(&dest.id) || self.darf_senden(dest, None)
    }

    /// Whether the body was sent as `erwartet` (parameters such as `charset` aside).
    pub(crate) fn inhaltstyp_ist(&self, erwartet: &str) -> bool {
        self.inhaltstyp.as_deref() == Some(erwartet)
    }

    /// The body must have been sent as `erwartet`, else the answer is `status` with `titel`.
    pub(crate) fn verlangt_inhaltstyp(
        &self,
        erwartet: &str,
        status: StatusCode,
        titel: &str,
    ) -> Result<(), Response> {
        if self.inhaltstyp_ist(erwartet) {
            Ok(())
        } else {
            Err(problem(status, "unsupported-media-type", titel))
        }
    }
}
