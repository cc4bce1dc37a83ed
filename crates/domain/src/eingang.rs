//! Intake states of a received FIT-Connect submission.
//!
//! The sync engine persists each step before it takes the next, so a crash at any instant
//! resumes where it stopped: received → stored → accept-pending → accepted, or
//! (received | stored) → reject-pending → rejected. An accept is sent only from
//! accept-pending, which is entered only after the data is stored durably.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Where a received submission stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Eingangszustand {
    /// Seen in the listing, not yet stored.
    Received,
    /// Decrypted, verified and stored durably.
    Stored,
    /// An accept event is to be sent.
    AcceptPending,
    /// The service confirmed the accept.
    Accepted,
    /// A reject event is to be sent.
    RejectPending,
    /// The service confirmed the reject.
    Rejected,
}

impl Eingangszustand {
    /// Every state.
    pub const ALLE: [Eingangszustand; 6] = [
        Self::Received,
        Self::Stored,
        Self::AcceptPending,
        Self::Accepted,
        Self::RejectPending,
        Self::Rejected,
    ];

    /// Stable code (the serde name).
    pub fn code(self) -> &'static str {
        match self {
            Self::Received => "received",
            Self::Stored => "stored",
            Self::AcceptPending => "accept-pending",
            Self::Accepted => "accepted",
            Self::RejectPending => "reject-pending",
            Self::Rejected => "rejected",
        }
    }

    /// Parses a [`Eingangszustand::code`].
    pub fn aus_code(c: &str) -> Option<Self> {
        Self::ALLE.into_iter().find(|s| s.code() == c)
    }

    /// Whether moving from `self` to `nach` is allowed. Staying is allowed (idempotent retries).
    pub fn darf_wechseln_zu(self, nach: Self) -> bool {
        use Eingangszustand::*;
        self == nach
            || matches!(
                (self, nach),
                (Received, Stored)
                    | (Stored, AcceptPending)
                    | (AcceptPending, Accepted)
                    | (Received, RejectPending)
                    | (Stored, RejectPending)
                    | (RejectPending, Rejected)
            )
    }

    /// Whether nothing follows.
    pub fn ist_abgeschlossen(self) -> bool {
        matches!(self, Self::Accepted | Self::Rejected)
    }
}

impl fmt::Display for Eingangszustand {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_accept_can_only_follow_durable_storage() {
        use Eingangszustand::*;
        assert!(!Received.darf_wechseln_zu(AcceptPending));
        assert!(Stored.darf_wechseln_zu(AcceptPending));
        assert!(!Accepted.darf_wechseln_zu(RejectPending));
        for s in Eingangszustand::ALLE {
            assert_eq!(Eingangszustand::aus_code(s.code()), Some(s));
            if s.ist_abgeschlossen() {
                assert!(
                    Eingangszustand::ALLE
                        .iter()
                        .all(|n| *n == s || !s.darf_wechseln_zu(*n))
                );
            }
        }
    }
}
