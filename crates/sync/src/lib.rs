//! The intake and outbox engine: every application exactly once, through crashes and faults.
//!
//! Design (after Atuin's record sync): **plan, then apply.** [`plan::plan`] is a pure function
//! from what this profile knows (the persisted [`domain::Eingangszustand`] of each submission
//! it has seen, and the FIT-Connect case ids of its Vorgänge) and the service's pickup list to
//! a sorted list of [`plan::Op`]s. It does no I/O, so every rule of the promise — never stored
//! twice, never accepted before durable, a failed rejection retried and not re-decided — is a
//! unit or property test on plain data.
//!
//! The apply step ([`engine::Engine::durchlauf`], one pass) carries the ops out, persisting
//! each state before the next effect. Its parts:
//! - [`abruf`]: download, decrypt, verify; attachments stream into the encrypted attachment
//!   store and are filed (name cleaned once) only when all of them verified.
//! - [`aufnahme`]: the pure mapping of an opened submission and the [`Konfiguration`] to a
//!   new Vorgang or a Nachreichung ([`store::Aufnahme`]), unit-tested without I/O; the store
//!   writes it with ONE call ([`store::Schreiben::einreichung_aufnehmen`]) that checks the
//!   submission's state once and stores case, content, state and queued accept in one
//!   transaction. A defective submission is decided once (reject queued, raw evidence kept
//!   encrypted).
//! - [`ausgang`]: the outbox ([`store::outbox`]) sends the stored, signed events with backoff
//!   ([`backoff`]) and confirms lost answers from the case's event log.
//! - [`engine`]: the pass itself (snapshot, plan, apply) and `bis_ruhe`.
//!
//! Progress goes to a callback as [`Fortschritt`] events; a pass returns a [`Bericht`].
//!
//! To extend: a new situation is a new `Op` variant plus its row in `plan::plan`'s match (the
//! property tests in `plan` then check the invariants for it) and its arm in
//! `Engine::durchlauf`; a new outgoing effect is a new outbox `art` handled in
//! `ausgang::Kern::ausgang_leeren`; a new rule of how a submission becomes a case goes into
//! [`aufnahme`] with its test. Replies to the applicant are their own outbox kind with their own
//! drain ([`antwort`]), because creating a reply on the service is not idempotent.
#![deny(missing_docs)]

pub mod abruf;
pub mod antwort;
pub mod aufnahme;
pub mod ausgang;
pub mod backoff;
pub mod engine;
pub mod fortschritt;
pub mod konfiguration;
pub mod plan;

pub use antwort::{ART_ANTWORT, Antwort, AntwortAnlage, AntwortAuftrag, antwort_einreihen};
pub use engine::{Engine, Konfiguration, demo_fristen};
pub use fortschritt::{Bericht, Fortschritt};
pub use konfiguration::formularschemas;

/// Failures of the engine, in German. Whether a retry can help: [`SyncError::voruebergehend`].
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    /// The local store failed.
    #[error("Lokaler Speicher: {0}")]
    Store(#[from] store::StoreError),
    /// Talking to the integration service failed.
    #[error("{0}")]
    FitConnect(#[from] fitconnect::Error),
    /// Something in the data does not fit.
    #[error("{0}")]
    Daten(String),
}

impl From<serde_json::Error> for SyncError {
    fn from(e: serde_json::Error) -> Self {
        SyncError::Daten(format!("JSON: {e}"))
    }
}

impl SyncError {
    /// Whether the next pass may succeed where this one failed (network, 5xx, 429).
    pub fn voruebergehend(&self) -> bool {
        match self {
            SyncError::FitConnect(e) => !e.is_permanent(),
            SyncError::Store(_) | SyncError::Daten(_) => false,
        }
    }
}
