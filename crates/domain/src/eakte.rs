//! The hand-over of a finished case to the E-Akte, as the case remembers it.
//!
//! A case leaves as one xdomea message (`FVDaten.SGOAblegen.0605`) under a fresh ProzessID;
//! the E-Akte answers with a receipt (0629) and an import confirmation (0630), both carrying
//! that ProzessID. [`EAkteVermerk`] keeps the steps with their times, the E-Akte's reference
//! and an import error's text. A failed import may be handed over again under a new
//! ProzessID ([`EAkteVermerk::erneut`]); the old one stays known so a late answer to it is
//! recognised and ignored, never taken for the new one.
//!
//! After a successful import and the authority's grace period the local copy of the case is
//! purged; what is left (Aktenzeichen, Leistung, dates, the reference) is the tombstone, and
//! [`EAkteVermerk::geloescht`] says when that happened.
//!
//! To extend (e.g. a second confirmation kind): add a field and a step to [`EAkteZustand`];
//! [`EAkteVermerk::zustand`] is the one place that derives what the UI shows.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

/// What a case knows of its hand-over to the E-Akte.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EAkteVermerk {
    /// ProzessID (UUID) of the current hand-over message.
    pub prozess_id: String,
    /// Earlier ProzessIDs of hand-overs that ended in an import error.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fruehere: Vec<String>,
    /// When the hand-over was decided (the message built and queued).
    #[serde(with = "time::serde::rfc3339")]
    pub uebergeben: OffsetDateTime,
    /// Who handed it over.
    pub von: String,
    /// Number of documents in the message.
    pub dokumente: u32,
    /// When the message was written to the hand-over folder or accepted by the endpoint.
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub zugestellt: Option<OffsetDateTime>,
    /// When the E-Akte's receipt (0629) arrived.
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub empfangen: Option<OffsetDateTime>,
    /// When the E-Akte confirmed the import (0630, success).
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub importiert: Option<OffsetDateTime>,
    /// The E-Akte's reference of the filed case (Ablageort or its object id).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub referenz: Option<String>,
    /// The E-Akte's error text when the import failed (0630, failure).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fehler: Option<String>,
    /// When the local copy was purged (the case is a tombstone since).
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub geloescht: Option<OffsetDateTime>,
}

/// The step a hand-over is at, for the case header and the Posteingang.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EAkteZustand {
    /// Queued, not yet written to the hand-over folder or endpoint.
    Wartet,
    /// Delivered, no receipt yet.
    Zugestellt,
    /// Receipt (0629) arrived, import confirmation pending.
    Empfangen,
    /// Import confirmed: the case is „zu den Akten“.
    ZuDenAkten,
    /// The E-Akte reported an import error.
    Fehler,
    /// Imported and purged locally: only the tombstone remains.
    Geloescht,
}

impl EAkteZustand {
    /// German label.
    pub fn bezeichnung(self) -> &'static str {
        match self {
            EAkteZustand::Wartet => "Abgabe wartet auf Zustellung",
            EAkteZustand::Zugestellt => "An die E-Akte zugestellt, Empfang noch nicht bestätigt",
            EAkteZustand::Empfangen => "Von der E-Akte empfangen, Übernahme noch nicht bestätigt",
            EAkteZustand::ZuDenAkten => "Zu den Akten",
            EAkteZustand::Fehler => "Übernahme durch die E-Akte fehlgeschlagen",
            EAkteZustand::Geloescht => "Zu den Akten, lokale Kopie gelöscht",
        }
    }
}

/// How a confirmation from the E-Akte relates to a case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Zuordnung {
    /// It answers the current hand-over: apply it.
    Aktuell,
    /// It answers an earlier, failed hand-over of this case: ignore it.
    Frueher,
    /// It does not belong to this case.
    Fremd,
}

impl EAkteVermerk {
    /// A new hand-over under `prozess_id`.
    pub fn neu(
        prozess_id: String,
        uebergeben: OffsetDateTime,
        von: String,
        dokumente: u32,
    ) -> Self {
        Self {
            prozess_id,
            fruehere: Vec::new(),
            uebergeben,
            von,
            dokumente,
            zugestellt: None,
            empfangen: None,
            importiert: None,
            referenz: None,
            fehler: None,
            geloescht: None,
        }
    }

    /// The step it is at.
    pub fn zustand(&self) -> EAkteZustand {
        if self.geloescht.is_some() {
            EAkteZustand::Geloescht
        } else if self.importiert.is_some() {
            EAkteZustand::ZuDenAkten
        } else if self.fehler.is_some() {
            EAkteZustand::Fehler
        } else if self.empfangen.is_some() {
            EAkteZustand::Empfangen
        } else if self.zugestellt.is_some() {
            EAkteZustand::Zugestellt
        } else {
            EAkteZustand::Wartet
        }
    }

    /// Whether a confirmation under `prozess_id` belongs to this hand-over.
    pub fn zuordnen(&self, prozess_id: &str) -> Zuordnung {
        if self.prozess_id.eq_ignore_ascii_case(prozess_id) {
            Zuordnung::Aktuell
        } else if self
            .fruehere
            .iter()
            .any(|p| p.eq_ignore_ascii_case(prozess_id))
        {
            Zuordnung::Frueher
        } else {
            Zuordnung::Fremd
        }
    }

    /// Starts a new hand-over after an import error: the old ProzessID moves to
    /// [`EAkteVermerk::fruehere`], the steps start again.
    pub fn erneut(
        &mut self,
        prozess_id: String,
        jetzt: OffsetDateTime,
        von: String,
        dokumente: u32,
    ) {
        let alt = std::mem::replace(self, EAkteVermerk::neu(prozess_id, jetzt, von, dokumente));
        self.fruehere = alt.fruehere;
        self.fruehere.push(alt.prozess_id);
    }

    /// Records the receipt (0629). Returns whether anything changed (a repeated receipt
    /// changes nothing).
    pub fn empfang(&mut self, jetzt: OffsetDateTime) -> bool {
        if self.empfangen.is_some() || self.importiert.is_some() || self.fehler.is_some() {
            return false;
        }
        self.empfangen = Some(jetzt);
        true
    }

    /// Records the import confirmation (0630). Returns whether anything changed.
    pub fn import(
        &mut self,
        jetzt: OffsetDateTime,
        erfolgreich: bool,
        referenz: Option<String>,
        fehler: Option<String>,
    ) -> bool {
        if self.importiert.is_some() || self.fehler.is_some() {
            return false;
        }
        // A confirmation implies the receipt, even if the 0629 never came.
        self.empfangen.get_or_insert(jetzt);
        if erfolgreich {
            self.importiert = Some(jetzt);
            self.referenz = referenz;
        } else {
            self.fehler = Some(
                fehler
                    .filter(|f| !f.trim().is_empty())
                    .unwrap_or_else(|| "Die E-Akte hat keinen Grund genannt.".into()),
            );
        }
        true
    }

    /// When the local copy may be purged: the import plus the grace period.
    pub fn loeschbar_ab(&self, karenz: time::Duration) -> Option<OffsetDateTime> {
        match (self.importiert, self.geloescht) {
            (Some(i), None) => Some(i + karenz),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn vermerk() -> EAkteVermerk {
        EAkteVermerk::neu("p1".into(), datetime!(2026-12-01 10:00 UTC), "sb".into(), 3)
    }

    #[test]
    fn steps_in_order_and_repeats_change_nothing() {
        let mut v = vermerk();
        assert_eq!(v.zustand(), EAkteZustand::Wartet);
        v.zugestellt = Some(datetime!(2026-12-01 10:01 UTC));
        assert_eq!(v.zustand(), EAkteZustand::Zugestellt);
        assert!(v.empfang(datetime!(2026-12-01 10:02 UTC)));
        assert!(!v.empfang(datetime!(2026-12-01 10:03 UTC)));
        assert_eq!(v.empfangen, Some(datetime!(2026-12-01 10:02 UTC)));
        assert!(v.import(
            datetime!(2026-12-01 10:04 UTC),
            true,
            Some("EA-1".into()),
            None
        ));
        assert!(!v.import(
            datetime!(2026-12-01 10:05 UTC),
            false,
            None,
            Some("x".into())
        ));
        assert_eq!(v.zustand(), EAkteZustand::ZuDenAkten);
        assert_eq!(v.referenz.as_deref(), Some("EA-1"));
        assert!(v.fehler.is_none());
    }

    #[test]
    fn an_import_without_receipt_implies_it() {
        let mut v = vermerk();
        assert!(v.import(datetime!(2026-12-01 11:00 UTC), true, None, None));
        assert_eq!(v.empfangen, Some(datetime!(2026-12-01 11:00 UTC)));
    }

    #[test]
    fn a_failed_import_keeps_its_text_and_a_retry_remembers_the_old_id() {
        let mut v = vermerk();
        assert!(v.import(
            datetime!(2026-12-01 11:00 UTC),
            false,
            None,
            Some("Schema ungültig".into())
        ));
        assert_eq!(v.zustand(), EAkteZustand::Fehler);
        assert_eq!(v.fehler.as_deref(), Some("Schema ungültig"));
        v.erneut("p2".into(), datetime!(2026-12-02 09:00 UTC), "sb".into(), 3);
        assert_eq!(v.zustand(), EAkteZustand::Wartet);
        assert_eq!(v.zuordnen("p2"), Zuordnung::Aktuell);
        assert_eq!(v.zuordnen("P1"), Zuordnung::Frueher);
        assert_eq!(v.zuordnen("p3"), Zuordnung::Fremd);
        // A late answer to the old id is not applied by the caller; the new one still can be.
        assert!(v.import(
            datetime!(2026-12-02 10:00 UTC),
            true,
            Some("EA-2".into()),
            None
        ));
    }

    #[test]
    fn an_empty_error_text_gets_a_readable_one() {
        let mut v = vermerk();
        v.import(
            datetime!(2026-12-01 11:00 UTC),
            false,
            None,
            Some("  ".into()),
        );
        assert_eq!(
            v.fehler.as_deref(),
            Some("Die E-Akte hat keinen Grund genannt.")
        );
    }

    #[test]
    fn purge_only_after_import_plus_grace() {
        let mut v = vermerk();
        assert_eq!(v.loeschbar_ab(time::Duration::days(14)), None);
        v.import(datetime!(2026-12-01 11:00 UTC), true, None, None);
        assert_eq!(
            v.loeschbar_ab(time::Duration::days(14)),
            Some(datetime!(2026-12-15 11:00 UTC))
        );
        v.geloescht = Some(datetime!(2026-12-15 12:00 UTC));
        assert_eq!(v.loeschbar_ab(time::Duration::days(14)), None);
        assert_eq!(v.zustand(), EAkteZustand::Geloescht);
    }

    #[test]
    fn serde_round_trip_without_optional_fields() {
        let v = vermerk();
        let s = serde_json::to_string(&v).unwrap();
        assert!(!s.contains("fruehere"));
        let z: EAkteVermerk = serde_json::from_str(&s).unwrap();
        assert_eq!(z, v);
    }
}
