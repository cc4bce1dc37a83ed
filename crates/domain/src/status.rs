//! The status machine of a Vorgang, declared as data.
//!
//! [`UEBERGAENGE`] is the single source of truth: each row says from which status an
//! [`Aktion`] leads where, which [`Rolle`]s may take it and which [`Waechter`] (guard) must
//! hold. [`Status::anwenden`] looks the row up; anything not in the table is an error with
//! German text, and an error never changes the status.
//!
//! Main path: Neu → In Prüfung → (Wartet auf Unterlagen ⇄ In Prüfung) → Entscheidung in Freigabe
//! → Beschieden → An E-Akte übergeben → Archiviert. Side exits from the open states:
//! Zurückgewiesen (formal), Weitergeleitet, Zurückgezogen; they too are handed to the E-Akte
//! and archived, so every case ends in Archiviert.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Status of a Vorgang.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Received, nobody has started.
    Neu,
    /// A caseworker examines the application.
    InPruefung,
    /// Missing documents were requested from the applicant.
    NachforderungOffen,
    /// A decision is drafted and waits for approval (four eyes).
    EntscheidungInFreigabe,
    /// The decision (Bescheid) is issued.
    Beschieden,
    /// Handed over to the E-Akte, confirmation pending.
    AnEAkteUebergeben,
    /// Final: archived after the E-Akte confirmed.
    Archiviert,
    /// Formally rejected (inadmissible, incomplete after deadline).
    Zurueckgewiesen,
    /// Forwarded to another authority.
    Weitergeleitet,
    /// Withdrawn by the applicant.
    Zurueckgezogen,
}

impl Status {
    /// Every status, in display order.
    pub const ALLE: [Status; 10] = [
        Status::Neu,
        Status::InPruefung,
        Status::NachforderungOffen,
        Status::EntscheidungInFreigabe,
        Status::Beschieden,
        Status::AnEAkteUebergeben,
        Status::Archiviert,
        Status::Zurueckgewiesen,
        Status::Weitergeleitet,
        Status::Zurueckgezogen,
    ];

    /// German label as caseworkers say it.
    pub fn bezeichnung(self) -> &'static str {
        match self {
            Status::Neu => "Neu",
            Status::InPruefung => "In Prüfung",
            Status::NachforderungOffen => "Wartet auf Unterlagen",
            Status::EntscheidungInFreigabe => "Entscheidung in Freigabe",
            Status::Beschieden => "Beschieden",
            Status::AnEAkteUebergeben => "An E-Akte übergeben",
            Status::Archiviert => "Archiviert",
            Status::Zurueckgewiesen => "Zurückgewiesen",
            Status::Weitergeleitet => "Weitergeleitet",
            Status::Zurueckgezogen => "Zurückgezogen",
        }
    }

    /// Stable short code used in storage and URLs (the serde name).
    pub fn code(self) -> &'static str {
        match self {
            Status::Neu => "neu",
            Status::InPruefung => "in_pruefung",
            Status::NachforderungOffen => "nachforderung_offen",
            Status::EntscheidungInFreigabe => "entscheidung_in_freigabe",
            Status::Beschieden => "beschieden",
            Status::AnEAkteUebergeben => "an_e_akte_uebergeben",
            Status::Archiviert => "archiviert",
            Status::Zurueckgewiesen => "zurueckgewiesen",
            Status::Weitergeleitet => "weitergeleitet",
            Status::Zurueckgezogen => "zurueckgezogen",
        }
    }

    /// Parses a [`Status::code`].
    pub fn aus_code(code: &str) -> Option<Status> {
        Status::ALLE.into_iter().find(|s| s.code() == code)
    }

    /// Whether the case is still being worked on (deadlines count, it shows in queues).
    pub fn ist_offen(self) -> bool {
        matches!(
            self,
            Status::Neu
                | Status::InPruefung
                | Status::NachforderungOffen
                | Status::EntscheidungInFreigabe
        )
    }

    /// Whether no transition leaves this status.
    pub fn ist_endgueltig(self) -> bool {
        !UEBERGAENGE.iter().any(|u| u.von == self)
    }

    /// Applies `aktion` taken by `rolle` given the `fakten`; returns the new status or says,
    /// in German, why not. The table [`UEBERGAENGE`] decides.
    pub fn anwenden(
        self,
        aktion: Aktion,
        rolle: Rolle,
        fakten: &Fakten,
    ) -> Result<Status, StatusFehler> {
        let uebergang =
            uebergang(self, aktion).ok_or(StatusFehler::Unzulaessig { von: self, aktion })?;
        if !uebergang.rollen.contains(&rolle) {
            return Err(StatusFehler::RolleNichtBerechtigt {
                aktion,
                rolle,
                erlaubt: uebergang.rollen.to_vec(),
            });
        }
        if !uebergang.waechter.erfuellt(fakten) {
            return Err(StatusFehler::WaechterNichtErfuellt {
                aktion,
                waechter: uebergang.waechter,
            });
        }
        Ok(uebergang.nach)
    }

    /// Like [`Status::anwenden`] for a person who holds several `rollen`: the first of them
    /// the row allows acts (guards are the same for every role). Returns the new status and
    /// the role that took the step; with no allowed role, the refusal names the first one.
    pub fn anwenden_als(
        self,
        aktion: Aktion,
        rollen: &[Rolle],
        fakten: &Fakten,
    ) -> Result<(Status, Rolle), StatusFehler> {
        let erlaubt = uebergang(self, aktion)
            .and_then(|u| rollen.iter().copied().find(|r| u.rollen.contains(r)));
        let rolle = erlaubt
            .or_else(|| rollen.first().copied())
            .unwrap_or(Rolle::Sachbearbeitung);
        self.anwenden(aktion, rolle, fakten).map(|s| (s, rolle))
    }

    /// The actions that leave this status (for menus).
    pub fn moegliche_aktionen(self) -> impl Iterator<Item = &'static Uebergang> {
        UEBERGAENGE.iter().filter(move |u| u.von == self)
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.bezeichnung())
    }
}

/// What a person (or the system) does to a case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Aktion {
    /// Start examining the application.
    PruefungBeginnen,
    /// Request missing documents from the applicant.
    Nachfordern,
    /// The requested documents arrived.
    UnterlagenEingegangen,
    /// End the request without documents (deadline passed, request withdrawn).
    NachforderungBeenden,
    /// Submit the drafted decision for approval.
    ZurFreigabeVorlegen,
    /// Approve the decision (second pair of eyes).
    Freigeben,
    /// Send the draft back for rework.
    FreigabeVerweigern,
    /// Hand the finished case to the E-Akte.
    AnEAkteUebergeben,
    /// The E-Akte confirmed the import; archive.
    Archivieren,
    /// Reject formally.
    Zurueckweisen,
    /// Forward to another authority.
    Weiterleiten,
    /// The applicant withdrew.
    ZurueckziehenVermerken,
}

impl Aktion {
    /// Every action.
    pub const ALLE: [Aktion; 12] = [
        Aktion::PruefungBeginnen,
        Aktion::Nachfordern,
        Aktion::UnterlagenEingegangen,
        Aktion::NachforderungBeenden,
        Aktion::ZurFreigabeVorlegen,
        Aktion::Freigeben,
        Aktion::FreigabeVerweigern,
        Aktion::AnEAkteUebergeben,
        Aktion::Archivieren,
        Aktion::Zurueckweisen,
        Aktion::Weiterleiten,
        Aktion::ZurueckziehenVermerken,
    ];

    /// German label.
    pub fn bezeichnung(self) -> &'static str {
        match self {
            Aktion::PruefungBeginnen => "In Prüfung nehmen",
            Aktion::Nachfordern => "Unterlagen nachfordern",
            Aktion::UnterlagenEingegangen => "Nachgeforderte Unterlagen eingegangen",
            Aktion::NachforderungBeenden => "Nachforderung beenden",
            Aktion::ZurFreigabeVorlegen => "Entscheidung zur Freigabe vorlegen",
            Aktion::Freigeben => "Entscheidung freigeben",
            Aktion::FreigabeVerweigern => "Freigabe verweigern",
            Aktion::AnEAkteUebergeben => "An die E-Akte übergeben",
            Aktion::Archivieren => "Archivieren",
            Aktion::Zurueckweisen => "Antrag zurückweisen",
            Aktion::Weiterleiten => "An andere Behörde weiterleiten",
            Aktion::ZurueckziehenVermerken => "Rücknahme des Antrags vermerken",
        }
    }
}

impl Aktion {
    /// Whether the action cannot be undone, so the case view asks for a confirmation.
    pub fn endgueltig(self) -> bool {
        matches!(
            self,
            Aktion::Zurueckweisen
                | Aktion::Weiterleiten
                | Aktion::ZurueckziehenVermerken
                | Aktion::Freigeben
                | Aktion::AnEAkteUebergeben
                | Aktion::Archivieren
        )
    }
}

impl fmt::Display for Aktion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.bezeichnung())
    }
}

/// Who acts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Rolle {
    /// A caseworker.
    Sachbearbeitung,
    /// A team lead (reviews queues, reassigns, acts on every case).
    Teamleitung,
    /// A person with signing authority (Zeichnungsbefugnis): approves decisions others drafted.
    Zeichnungsbefugt,
    /// The application itself (sync engine, E-Akte watcher).
    System,
}

impl Rolle {
    /// Every role.
    pub const ALLE: [Rolle; 4] = [
        Rolle::Sachbearbeitung,
        Rolle::Teamleitung,
        Rolle::Zeichnungsbefugt,
        Rolle::System,
    ];

    /// German label.
    pub fn bezeichnung(self) -> &'static str {
        match self {
            Rolle::Sachbearbeitung => "Sachbearbeitung",
            Rolle::Teamleitung => "Teamleitung",
            Rolle::Zeichnungsbefugt => "Zeichnungsbefugte",
            Rolle::System => "System",
        }
    }
}

impl fmt::Display for Rolle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.bezeichnung())
    }
}

/// Facts about the case and the actor that guards look at. The caller fills them from the
/// case and the session; the machine itself holds no state beyond [`Status`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fakten {
    /// A caseworker is assigned (Zuständig).
    pub zustaendig_gesetzt: bool,
    /// The request for documents has a text and a reply deadline.
    pub nachforderung_formuliert: bool,
    /// A decision draft exists.
    pub bescheid_entwurf_vorhanden: bool,
    /// The actor is the one who drafted the decision (four-eyes rule).
    pub handelnde_person_ist_verfasser: bool,
    /// A reason is given (rejection, ending a request).
    pub begruendung_vorhanden: bool,
    /// The receiving authority is named (forwarding).
    pub empfaenger_benannt: bool,
    /// The E-Akte confirmed the import.
    pub eakte_quittung_vorhanden: bool,
}

/// A guard: a condition on [`Fakten`] a transition requires.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Waechter {
    /// No condition.
    Keiner,
    /// Someone is assigned.
    ZustaendigGesetzt,
    /// The request is written and has a deadline.
    NachforderungFormuliert,
    /// A decision draft exists.
    BescheidEntwurfVorhanden,
    /// The approver is not the author (Vier-Augen-Prinzip).
    VierAugen,
    /// A reason is given.
    BegruendungVorhanden,
    /// The receiving authority is named.
    EmpfaengerBenannt,
    /// The E-Akte confirmed.
    EAkteQuittung,
}

impl Waechter {
    /// Whether the guard holds.
    pub fn erfuellt(self, f: &Fakten) -> bool {
        match self {
            Waechter::Keiner => true,
            Waechter::ZustaendigGesetzt => f.zustaendig_gesetzt,
            Waechter::NachforderungFormuliert => f.nachforderung_formuliert,
            Waechter::BescheidEntwurfVorhanden => f.bescheid_entwurf_vorhanden,
            Waechter::VierAugen => !f.handelnde_person_ist_verfasser,
            Waechter::BegruendungVorhanden => f.begruendung_vorhanden,
            Waechter::EmpfaengerBenannt => f.empfaenger_benannt,
            Waechter::EAkteQuittung => f.eakte_quittung_vorhanden,
        }
    }

    /// The input a person must give for the guard to hold (the case view's dialog asks for
    /// it); `None` when the guard looks at the case, not at an input.
    pub fn angabe(self) -> Option<Angabe> {
        match self {
            Waechter::BegruendungVorhanden => Some(Angabe::Begruendung),
            Waechter::EmpfaengerBenannt => Some(Angabe::Empfaenger),
            Waechter::NachforderungFormuliert => Some(Angabe::Nachforderung),
            _ => None,
        }
    }

    /// What is missing, in German, as a caseworker should read it.
    pub fn hinweis(self) -> &'static str {
        match self {
            Waechter::Keiner => "keine Voraussetzung",
            Waechter::ZustaendigGesetzt => {
                "Dem Vorgang muss zuerst eine zuständige Person zugewiesen werden."
            }
            Waechter::NachforderungFormuliert => {
                "Die Nachforderung braucht einen Text und eine Frist für die Antwort."
            }
            Waechter::BescheidEntwurfVorhanden => "Es muss ein Bescheidentwurf vorliegen.",
            Waechter::VierAugen => {
                "Vier-Augen-Prinzip: Die Freigabe muss eine andere Person erteilen als die, die den Bescheid verfasst hat."
            }
            Waechter::BegruendungVorhanden => "Bitte geben Sie eine Begründung an.",
            Waechter::EmpfaengerBenannt => {
                "Bitte benennen Sie die Behörde, an die weitergeleitet wird."
            }
            Waechter::EAkteQuittung => "Die E-Akte hat die Übernahme noch nicht bestätigt.",
        }
    }
}

/// An input an action needs from the person taking it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Angabe {
    /// A reason (rejection, ending a request, refusing approval).
    Begruendung,
    /// The receiving authority (forwarding).
    Empfaenger,
    /// A date (Wiedervorlage).
    Datum,
    /// The Nachforderung (Nachweise, text, reply Frist): its own dialog, sent as a message.
    Nachforderung,
}

/// One row of the status machine.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Uebergang {
    /// From.
    pub von: Status,
    /// The action.
    pub aktion: Aktion,
    /// To.
    pub nach: Status,
    /// Roles allowed to take it.
    pub rollen: &'static [Rolle],
    /// Condition that must hold.
    pub waechter: Waechter,
}

const SB: &[Rolle] = &[Rolle::Sachbearbeitung, Rolle::Teamleitung];
const SB_SYS: &[Rolle] = &[Rolle::Sachbearbeitung, Rolle::Teamleitung, Rolle::System];
const ZB: &[Rolle] = &[Rolle::Zeichnungsbefugt];
const SYS: &[Rolle] = &[Rolle::System];

const fn u(
    von: Status,
    aktion: Aktion,
    nach: Status,
    rollen: &'static [Rolle],
    waechter: Waechter,
) -> Uebergang {
    Uebergang {
        von,
        aktion,
        nach,
        rollen,
        waechter,
    }
}

use Aktion as A;
use Status as S;
use Waechter as W;

/// The status machine. At most one row per (von, aktion).
pub const UEBERGAENGE: &[Uebergang] = &[
    u(
        S::Neu,
        A::PruefungBeginnen,
        S::InPruefung,
        SB,
        W::ZustaendigGesetzt,
    ),
    u(
        S::InPruefung,
        A::Nachfordern,
        S::NachforderungOffen,
        SB,
        W::NachforderungFormuliert,
    ),
    u(
        S::NachforderungOffen,
        A::UnterlagenEingegangen,
        S::InPruefung,
        SB_SYS,
        W::Keiner,
    ),
    u(
        S::NachforderungOffen,
        A::NachforderungBeenden,
        S::InPruefung,
        SB,
        W::BegruendungVorhanden,
    ),
    u(
        S::InPruefung,
        A::ZurFreigabeVorlegen,
        S::EntscheidungInFreigabe,
        SB,
        W::BescheidEntwurfVorhanden,
    ),
    u(
        S::EntscheidungInFreigabe,
        A::Freigeben,
        S::Beschieden,
        ZB,
        W::VierAugen,
    ),
    u(
        S::EntscheidungInFreigabe,
        A::FreigabeVerweigern,
        S::InPruefung,
        ZB,
        W::BegruendungVorhanden,
    ),
    u(
        S::Beschieden,
        A::AnEAkteUebergeben,
        S::AnEAkteUebergeben,
        SB_SYS,
        W::Keiner,
    ),
    u(
        S::AnEAkteUebergeben,
        A::Archivieren,
        S::Archiviert,
        SYS,
        W::EAkteQuittung,
    ),
    // Side exits from the open states.
    u(
        S::Neu,
        A::Zurueckweisen,
        S::Zurueckgewiesen,
        SB,
        W::BegruendungVorhanden,
    ),
    u(
        S::InPruefung,
        A::Zurueckweisen,
        S::Zurueckgewiesen,
        SB,
        W::BegruendungVorhanden,
    ),
    u(
        S::NachforderungOffen,
        A::Zurueckweisen,
        S::Zurueckgewiesen,
        SB,
        W::BegruendungVorhanden,
    ),
    u(
        S::Neu,
        A::Weiterleiten,
        S::Weitergeleitet,
        SB,
        W::EmpfaengerBenannt,
    ),
    u(
        S::InPruefung,
        A::Weiterleiten,
        S::Weitergeleitet,
        SB,
        W::EmpfaengerBenannt,
    ),
    u(
        S::Neu,
        A::ZurueckziehenVermerken,
        S::Zurueckgezogen,
        SB_SYS,
        W::Keiner,
    ),
    u(
        S::InPruefung,
        A::ZurueckziehenVermerken,
        S::Zurueckgezogen,
        SB_SYS,
        W::Keiner,
    ),
    u(
        S::NachforderungOffen,
        A::ZurueckziehenVermerken,
        S::Zurueckgezogen,
        SB_SYS,
        W::Keiner,
    ),
    u(
        S::EntscheidungInFreigabe,
        A::ZurueckziehenVermerken,
        S::Zurueckgezogen,
        SB_SYS,
        W::Keiner,
    ),
    // Cases that ended by a side exit are handed to the E-Akte as well.
    u(
        S::Zurueckgewiesen,
        A::AnEAkteUebergeben,
        S::AnEAkteUebergeben,
        SB_SYS,
        W::Keiner,
    ),
    u(
        S::Weitergeleitet,
        A::AnEAkteUebergeben,
        S::AnEAkteUebergeben,
        SB_SYS,
        W::Keiner,
    ),
    u(
        S::Zurueckgezogen,
        A::AnEAkteUebergeben,
        S::AnEAkteUebergeben,
        SB_SYS,
        W::Keiner,
    ),
];

/// The row for (von, aktion), if any.
pub fn uebergang(von: Status, aktion: Aktion) -> Option<&'static Uebergang> {
    UEBERGAENGE
        .iter()
        .find(|u| u.von == von && u.aktion == aktion)
}

/// Why a transition was refused (German text for caseworkers).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize)]
pub enum StatusFehler {
    /// No such transition.
    #[error("„{aktion}“ ist im Status „{von}“ nicht möglich.")]
    Unzulaessig {
        /// Current status.
        von: Status,
        /// Requested action.
        aktion: Aktion,
    },
    /// The role may not take it.
    #[error(
        "„{aktion}“ darf nur durch {} erfolgen, nicht durch {rolle}.",
        rollen_text(erlaubt)
    )]
    RolleNichtBerechtigt {
        /// Requested action.
        aktion: Aktion,
        /// The actor's role.
        rolle: Rolle,
        /// Roles allowed.
        erlaubt: Vec<Rolle>,
    },
    /// The guard does not hold.
    #[error("„{aktion}“ ist noch nicht möglich: {}", waechter.hinweis())]
    WaechterNichtErfuellt {
        /// Requested action.
        aktion: Aktion,
        /// The failing guard.
        waechter: Waechter,
    },
}

fn rollen_text(rollen: &[Rolle]) -> String {
    let namen: Vec<&str> = rollen.iter().map(|r| r.bezeichnung()).collect();
    namen.join(" oder ")
}

#[cfg(test)]
mod tests {
    use std::collections::{BTreeSet, VecDeque};

    use proptest::prelude::*;

    use super::*;

    fn alles_erfuellt() -> Fakten {
        Fakten {
            zustaendig_gesetzt: true,
            nachforderung_formuliert: true,
            bescheid_entwurf_vorhanden: true,
            handelnde_person_ist_verfasser: false,
            begruendung_vorhanden: true,
            empfaenger_benannt: true,
            eakte_quittung_vorhanden: true,
        }
    }

    #[test]
    fn the_main_path_leads_from_neu_to_archiviert() {
        let f = alles_erfuellt();
        let mut s = Status::Neu;
        for (a, r) in [
            (Aktion::PruefungBeginnen, Rolle::Sachbearbeitung),
            (Aktion::Nachfordern, Rolle::Sachbearbeitung),
            (Aktion::UnterlagenEingegangen, Rolle::System),
            (Aktion::ZurFreigabeVorlegen, Rolle::Sachbearbeitung),
            (Aktion::Freigeben, Rolle::Zeichnungsbefugt),
            (Aktion::AnEAkteUebergeben, Rolle::System),
            (Aktion::Archivieren, Rolle::System),
        ] {
            s = s.anwenden(a, r, &f).unwrap();
        }
        assert_eq!(s, Status::Archiviert);
        assert!(s.ist_endgueltig());
    }

    #[test]
    fn an_illegal_transition_is_refused_with_german_text() {
        let e = Status::Neu
            .anwenden(Aktion::Freigeben, Rolle::Teamleitung, &alles_erfuellt())
            .unwrap_err();
        assert_eq!(
            e.to_string(),
            "„Entscheidung freigeben“ ist im Status „Neu“ nicht möglich."
        );
    }

    #[test]
    fn a_caseworker_cannot_approve_and_the_author_cannot_approve_their_own_draft() {
        let f = alles_erfuellt();
        let e = Status::EntscheidungInFreigabe
            .anwenden(Aktion::Freigeben, Rolle::Sachbearbeitung, &f)
            .unwrap_err();
        assert_eq!(
            e.to_string(),
            "„Entscheidung freigeben“ darf nur durch Zeichnungsbefugte erfolgen, nicht durch Sachbearbeitung."
        );
        let eigen = Fakten {
            handelnde_person_ist_verfasser: true,
            ..f
        };
        let e = Status::EntscheidungInFreigabe
            .anwenden(Aktion::Freigeben, Rolle::Zeichnungsbefugt, &eigen)
            .unwrap_err();
        assert!(e.to_string().contains("Vier-Augen-Prinzip"), "{e}");
    }

    #[test]
    fn starting_the_examination_needs_an_assignee() {
        let e = Status::Neu
            .anwenden(
                Aktion::PruefungBeginnen,
                Rolle::Sachbearbeitung,
                &Fakten::default(),
            )
            .unwrap_err();
        assert_eq!(
            e,
            StatusFehler::WaechterNichtErfuellt {
                aktion: Aktion::PruefungBeginnen,
                waechter: Waechter::ZustaendigGesetzt
            }
        );
    }

    #[test]
    fn the_table_has_at_most_one_row_per_status_and_action_and_every_row_names_a_role() {
        let mut seen = BTreeSet::new();
        for u in UEBERGAENGE {
            assert!(seen.insert((u.von, u.aktion)), "doppelt: {u:?}");
            assert!(!u.rollen.is_empty(), "{u:?}");
        }
    }

    #[test]
    fn every_status_is_reachable_from_neu_and_every_status_can_reach_archiviert() {
        let mut reached = BTreeSet::from([Status::Neu]);
        let mut queue = VecDeque::from([Status::Neu]);
        while let Some(s) = queue.pop_front() {
            for u in s.moegliche_aktionen() {
                if reached.insert(u.nach) {
                    queue.push_back(u.nach);
                }
            }
        }
        assert_eq!(reached, Status::ALLE.into_iter().collect());
        for s in Status::ALLE {
            let mut seen = BTreeSet::from([s]);
            let mut q = VecDeque::from([s]);
            while let Some(x) = q.pop_front() {
                for u in x.moegliche_aktionen() {
                    if seen.insert(u.nach) {
                        q.push_back(u.nach);
                    }
                }
            }
            assert!(seen.contains(&Status::Archiviert), "{s} ist eine Sackgasse");
        }
        let endgueltig: Vec<Status> = Status::ALLE
            .into_iter()
            .filter(|s| s.ist_endgueltig())
            .collect();
        assert_eq!(endgueltig, vec![Status::Archiviert]);
    }

    #[test]
    fn only_actions_that_cannot_be_undone_ask_for_a_confirmation() {
        let endgueltig: Vec<Aktion> = Aktion::ALLE
            .into_iter()
            .filter(|a| a.endgueltig())
            .collect();
        assert_eq!(
            endgueltig,
            vec![
                Aktion::Freigeben,
                Aktion::AnEAkteUebergeben,
                Aktion::Archivieren,
                Aktion::Zurueckweisen,
                Aktion::Weiterleiten,
                Aktion::ZurueckziehenVermerken,
            ]
        );
    }

    #[test]
    fn every_action_has_a_german_label_and_starting_the_examination_reads_in_pruefung_nehmen() {
        assert_eq!(Aktion::PruefungBeginnen.bezeichnung(), "In Prüfung nehmen");
        for a in Aktion::ALLE {
            assert!(!a.bezeichnung().is_empty(), "{a:?}");
        }
        for s in Status::ALLE {
            assert!(!s.bezeichnung().is_empty(), "{s:?}");
        }
    }

    #[test]
    fn a_guard_on_a_reason_or_a_recipient_asks_for_that_input() {
        assert_eq!(
            Waechter::BegruendungVorhanden.angabe(),
            Some(Angabe::Begruendung)
        );
        assert_eq!(
            Waechter::EmpfaengerBenannt.angabe(),
            Some(Angabe::Empfaenger)
        );
        assert_eq!(Waechter::ZustaendigGesetzt.angabe(), None);
        assert_eq!(
            serde_json::to_value(Angabe::Begruendung).unwrap(),
            serde_json::json!("begruendung")
        );
    }

    #[test]
    fn status_codes_round_trip() {
        for s in Status::ALLE {
            assert_eq!(Status::aus_code(s.code()), Some(s));
            let json = serde_json::to_string(&s).unwrap();
            assert_eq!(json, format!("\"{}\"", s.code()));
        }
    }

    fn fakten() -> impl Strategy<Value = Fakten> {
        proptest::collection::vec(any::<bool>(), 7).prop_map(|b| Fakten {
            zustaendig_gesetzt: b[0],
            nachforderung_formuliert: b[1],
            bescheid_entwurf_vorhanden: b[2],
            handelnde_person_ist_verfasser: b[3],
            begruendung_vorhanden: b[4],
            empfaenger_benannt: b[5],
            eakte_quittung_vorhanden: b[6],
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        /// No sequence of actions, by any role under any facts, reaches a status the table does
        /// not define; every accepted step is a row of the table whose role and guard held;
        /// every refused step leaves the status unchanged.
        #[test]
        fn no_sequence_of_actions_reaches_an_undefined_state(
            schritte in proptest::collection::vec(
                (proptest::sample::select(Aktion::ALLE.to_vec()),
                 proptest::sample::select(Rolle::ALLE.to_vec()),
                 fakten()),
                0..60)
        ) {
            let definiert: BTreeSet<Status> = UEBERGAENGE.iter().flat_map(|u| [u.von, u.nach]).collect();
            let mut s = Status::Neu;
            for (aktion, rolle, f) in schritte {
                match s.anwenden(aktion, rolle, &f) {
                    Ok(neu) => {
                        let row = uebergang(s, aktion).unwrap();
                        prop_assert_eq!(row.nach, neu);
                        prop_assert!(row.rollen.contains(&rolle));
                        prop_assert!(row.waechter.erfuellt(&f));
                        s = neu;
                    }
                    Err(e) => {
                        prop_assert!(!e.to_string().is_empty());
                        // s unchanged: the error carries no new status.
                    }
                }
                prop_assert!(definiert.contains(&s));
                if s.ist_endgueltig() {
                    prop_assert_eq!(s, Status::Archiviert);
                }
            }
        }
    }
}
