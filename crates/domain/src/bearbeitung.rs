//! What a person does to a case in the case view: a transition of the status machine
//! ([`Aktion`]) or one of the two that change no status — taking the case over
//! (Übernehmen) and setting a Wiedervorlage date. Their labels, whether they need a
//! confirmation, and the guards of the two status-free ones with their German hints live here,
//! so app and UI only show what they get.

use std::fmt;

use serde::{Deserialize, Serialize};
use time::Date;

use crate::status::{Aktion, Angabe, Rolle, Status};

/// An action of the case view.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Handlung {
    /// Make the acting person responsible (Zuständig); the status stays.
    Uebernehmen,
    /// Set the Wiedervorlage date; the status stays.
    WiedervorlageSetzen,
    /// A transition of the status machine.
    Status(Aktion),
}

impl Handlung {
    /// German label (button text, audit wording).
    pub fn bezeichnung(self) -> &'static str {
        match self {
            Handlung::Uebernehmen => "Übernehmen",
            Handlung::WiedervorlageSetzen => "Wiedervorlage setzen",
            Handlung::Status(a) => a.bezeichnung(),
        }
    }

    /// Whether it cannot be undone, so the case view asks for a confirmation.
    pub fn endgueltig(self) -> bool {
        match self {
            Handlung::Uebernehmen | Handlung::WiedervorlageSetzen => false,
            Handlung::Status(a) => a.endgueltig(),
        }
    }
}

impl fmt::Display for Handlung {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.bezeichnung())
    }
}

/// The input the Wiedervorlage asks for.
pub const WIEDERVORLAGE_ANGABE: Angabe = Angabe::Datum;

/// Why Übernehmen or Wiedervorlage cannot be taken. `Display` is the refusal a caseworker
/// reads after trying; [`Hinderung::hinweis`] the short hint beside a disabled button.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error, Serialize)]
pub enum Hinderung {
    /// The case is closed.
    #[error("Der Vorgang ist im Status „{0}“ abgeschlossen; er kann nicht mehr geändert werden.")]
    Abgeschlossen(Status),
    /// The acting person is responsible already.
    #[error("Sie sind bereits zuständig.")]
    BereitsZustaendig,
    /// The Wiedervorlage date lies before today.
    #[error(
        "Die Wiedervorlage am {} liegt in der Vergangenheit. Bitte wählen Sie heute oder einen späteren Tag.",
        deutsch(*.0)
    )]
    WiedervorlageVergangen(Date),
    /// Nobody is responsible for the case yet, and the actor is no team lead.
    #[error(
        "Für diesen Vorgang ist noch niemand zuständig. Übernehmen Sie ihn zuerst (oder lassen Sie ihn von der Teamleitung zuweisen)."
    )]
    NiemandZustaendig,
    /// Another person is responsible for the case, and the actor is no team lead.
    #[error(
        "Für diesen Vorgang ist eine andere Person zuständig. Nur sie oder die Teamleitung kann das tun; übernehmen Sie ihn, wenn Sie ihn bearbeiten sollen."
    )]
    AndereZustaendig,
    /// The decision draft cannot be changed in this status.
    #[error(
        "Der Bescheidentwurf kann im Status „{0}“ nicht geändert werden. Nur während der Prüfung wird er bearbeitet; ein vorgelegter Entwurf muss zuerst zurückgegeben werden."
    )]
    EntwurfNichtBearbeitbar(Status),
}

impl Hinderung {
    /// The short hint beside a button the case view shows disabled.
    pub fn hinweis(self) -> String {
        match self {
            Hinderung::Abgeschlossen(_) => "Der Vorgang ist abgeschlossen.".to_owned(),
            andere => andere.to_string(),
        }
    }
}

fn deutsch(d: Date) -> String {
    format!("{:02}.{:02}.{:04}", d.day(), u8::from(d.month()), d.year())
}

/// Guard of Übernehmen: the case is open and `ich` is not yet responsible for it.
pub fn uebernehmen_pruefen(
    status: Status,
    zustaendig: Option<&str>,
    ich: &str,
) -> Result<(), Hinderung> {
    if !status.ist_offen() {
        return Err(Hinderung::Abgeschlossen(status));
    }
    if zustaendig == Some(ich) {
        return Err(Hinderung::BereitsZustaendig);
    }
    Ok(())
}

/// Who may take a status action on a case: the person responsible for it (Zuständig), a
/// team lead, or the system. A caseworker must take an unassigned case over first.
pub fn handeln_pruefen(zustaendig: Option<&str>, ich: &str, rolle: Rolle) -> Result<(), Hinderung> {
    match (rolle, zustaendig) {
        // Approvers act on cases others are responsible for; the status machine lets them
        // take only Freigeben and FreigabeVerweigern.
        (Rolle::Teamleitung | Rolle::Zeichnungsbefugt | Rolle::System, _) => Ok(()),
        (Rolle::Sachbearbeitung, Some(z)) if z == ich => Ok(()),
        (Rolle::Sachbearbeitung, Some(_)) => Err(Hinderung::AndereZustaendig),
        (Rolle::Sachbearbeitung, None) => Err(Hinderung::NiemandZustaendig),
    }
}

/// Guard of the Wiedervorlage: the case is open and the date (once chosen) is today or later.
/// The case view asks with `datum: None` whether to offer it at all.
pub fn wiedervorlage_pruefen(
    status: Status,
    datum: Option<Date>,
    heute: Date,
) -> Result<(), Hinderung> {
    if !status.ist_offen() {
        return Err(Hinderung::Abgeschlossen(status));
    }
    match datum {
        Some(d) if d < heute => Err(Hinderung::WiedervorlageVergangen(d)),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use time::macros::date;

    use super::*;

    #[test]
    fn a_closed_case_cannot_be_taken_over_and_the_refusal_names_its_status() {
        let e = uebernehmen_pruefen(Status::Archiviert, None, "sb1").unwrap_err();
        assert_eq!(
            e.to_string(),
            "Der Vorgang ist im Status „Archiviert“ abgeschlossen; er kann nicht mehr geändert werden."
        );
        assert_eq!(e.hinweis(), "Der Vorgang ist abgeschlossen.");
    }

    #[test]
    fn taking_over_a_case_one_already_has_is_not_offered() {
        assert_eq!(
            uebernehmen_pruefen(Status::Neu, Some("sb1"), "sb1"),
            Err(Hinderung::BereitsZustaendig)
        );
        assert_eq!(
            Hinderung::BereitsZustaendig.hinweis(),
            "Sie sind bereits zuständig."
        );
        assert_eq!(uebernehmen_pruefen(Status::Neu, Some("sb2"), "sb1"), Ok(()));
        assert_eq!(uebernehmen_pruefen(Status::InPruefung, None, "sb1"), Ok(()));
    }

    #[test]
    fn a_wiedervorlage_is_today_or_later_and_only_on_open_cases() {
        let heute = date!(2026 - 12 - 03);
        assert_eq!(wiedervorlage_pruefen(Status::Neu, None, heute), Ok(()));
        assert_eq!(
            wiedervorlage_pruefen(Status::Neu, Some(heute), heute),
            Ok(())
        );
        let e = wiedervorlage_pruefen(Status::Neu, Some(date!(2026 - 12 - 02)), heute).unwrap_err();
        assert_eq!(
            e.to_string(),
            "Die Wiedervorlage am 02.12.2026 liegt in der Vergangenheit. Bitte wählen Sie heute oder einen späteren Tag."
        );
        assert_eq!(
            wiedervorlage_pruefen(Status::Beschieden, None, heute),
            Err(Hinderung::Abgeschlossen(Status::Beschieden))
        );
    }

    #[test]
    fn the_status_free_actions_have_labels_and_need_no_confirmation() {
        assert_eq!(Handlung::Uebernehmen.bezeichnung(), "Übernehmen");
        assert_eq!(
            Handlung::WiedervorlageSetzen.bezeichnung(),
            "Wiedervorlage setzen"
        );
        assert!(!Handlung::Uebernehmen.endgueltig());
        assert!(!Handlung::WiedervorlageSetzen.endgueltig());
        assert!(Handlung::Status(Aktion::Zurueckweisen).endgueltig());
        assert_eq!(
            Handlung::Status(Aktion::PruefungBeginnen).bezeichnung(),
            "In Prüfung nehmen"
        );
    }

    #[test]
    fn only_the_responsible_person_or_a_team_lead_takes_a_status_action() {
        assert_eq!(
            handeln_pruefen(Some("anna"), "anna", Rolle::Sachbearbeitung),
            Ok(())
        );
        assert_eq!(
            handeln_pruefen(Some("bernd"), "anna", Rolle::Sachbearbeitung),
            Err(Hinderung::AndereZustaendig)
        );
        assert_eq!(
            handeln_pruefen(None, "anna", Rolle::Sachbearbeitung),
            Err(Hinderung::NiemandZustaendig)
        );
        assert_eq!(
            handeln_pruefen(Some("bernd"), "tl", Rolle::Teamleitung),
            Ok(())
        );
        assert_eq!(handeln_pruefen(None, "system", Rolle::System), Ok(()));
    }
}
