//! Progress events of a sync pass (for the UI's progress bar and status line and the CLI) and
//! the summary of a pass.

use serde::{Deserialize, Serialize};

/// One event of a running pass, in the order they happen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "ereignis", rename_all = "kebab-case")]
pub enum Fortschritt {
    /// The service lists `gelistet` submissions; `neu` of them are fetched in this pass.
    Gefunden {
        /// Listed for pickup.
        gelistet: usize,
        /// To fetch now.
        neu: usize,
    },
    /// Fetching the `nr`-th of `von` submissions (1-based, in completion order of starts).
    Abruf {
        /// Position.
        nr: usize,
        /// Total to fetch.
        von: usize,
        /// Submission id.
        submission_id: String,
    },
    /// Stored as a new case (or attached to an existing one as a follow-up).
    Gespeichert {
        /// Submission id.
        submission_id: String,
        /// The case's file number.
        aktenzeichen: String,
        /// A follow-up of an existing case.
        nachgereicht: bool,
    },
    /// Decided to reject (the rejection is queued in the outbox).
    Abgelehnt {
        /// Submission id.
        submission_id: String,
        /// FIT-Connect problem type URI.
        problem: String,
        /// Reason a person can read.
        grund: String,
    },
    /// The service took our accept or reject.
    Bestaetigt {
        /// Submission id.
        submission_id: String,
        /// `accepted` or `rejected`.
        zustand: String,
    },
    /// Something failed; `voruebergehend` failures are retried by the next pass.
    Fehler {
        /// Submission id, if the failure belongs to one.
        submission_id: Option<String>,
        /// German message.
        meldung: String,
        /// Whether a retry can help.
        voruebergehend: bool,
    },
}

/// What a pass did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Bericht {
    /// Submissions the service listed.
    pub gelistet: usize,
    /// Submissions fetched in this pass (attempted).
    pub neu: usize,
    /// Stored as new cases.
    pub gespeichert: usize,
    /// Stored as follow-ups of existing cases.
    pub nachgereicht: usize,
    /// Rejections decided.
    pub abgelehnt: usize,
    /// Accepts the service took (sent or confirmed from the event log).
    pub angenommen: usize,
    /// Rejections the service took.
    pub ablehnungen_zugestellt: usize,
    /// Seen once, never stored, no longer listed (reported to the audit).
    pub verschwunden: usize,
    /// Submissions found that are neither stored nor rejected after the pass.
    pub nicht_erledigt: usize,
    /// Accept and reject events still open after the pass.
    pub ausgang_offen: usize,
    /// Replies to applicants this pass finished: delivered or given up (their cases' threads
    /// show a new delivery state).
    #[serde(default)]
    pub antworten_erledigt: usize,
    /// Replies to applicants still open after the pass (waiting for their next attempt).
    /// Not part of [`Bericht::ruhig`]: a reply's backoff must not hold up `sync --once`.
    pub antworten_offen: usize,
    /// Every failure, in German.
    pub fehler: Vec<String>,
}

impl Bericht {
    /// Everything found was either stored or rejected (the exit-code rule of `sync --once`).
    pub fn alles_erledigt(&self) -> bool {
        self.nicht_erledigt == 0
    }

    /// Nothing is left to do: everything found is decided and the outbox is empty.
    pub fn ruhig(&self) -> bool {
        self.nicht_erledigt == 0 && self.ausgang_offen == 0
    }
}
