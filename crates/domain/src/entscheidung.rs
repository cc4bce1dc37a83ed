//! The decision draft (Bescheidentwurf) and the four-eyes rule.
//!
//! A draft is written in versions. Every person who wrote a version since the last approval
//! counts as its author ([`Entwurfsgeschichte::verfasser`]); whoever approves must be none of
//! them. The status machine enforces it: [`Entwurfsgeschichte::fakten`] fills the facts its
//! guard `VierAugen` looks at from the draft's authors and the acting login, so an approval
//! by an author is refused by [`crate::Status::anwenden`] like every other illegal step.
//!
//! The draft's content (template, texts, fees) is the document engine's business; this module
//! knows only who wrote which version, what was submitted and what an approver has seen.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use crate::{Fakten, Hinderung, Status};

/// The issued decision as the case keeps it: which draft version was approved by whom, the
/// sealed file among the case's documents, and whether a fee is still to be paid.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BescheidVermerk {
    /// Date of the Bescheid, `YYYY-MM-DD`.
    pub datum: String,
    /// The approved draft version.
    pub version: u32,
    /// The draft's authors.
    pub verfasser: Vec<String>,
    /// Who approved it.
    pub freigegeben_von: String,
    /// The sealed PDF among the case's documents (SHA-512, lowercase hex).
    pub sha512: String,
    /// Its file name.
    pub dateiname: String,
    /// Sum of the fees in cents (0: none).
    pub summe_cent: i64,
    /// Kassenzeichen of the payment, if fees are due.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kassenzeichen: Option<String>,
    /// When a caseworker marked the payment as received (`YYYY-MM-DD`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bezahlt_am: Option<String>,
    /// How it reached the applicant: `rueckkanal` (FIT-Connect reply) or `brief`.
    pub versand: String,
}

impl BescheidVermerk {
    /// Whether a fee is due and not yet marked paid („Zahlung offen“).
    pub fn zahlung_offen(&self) -> bool {
        self.summe_cent > 0 && self.bezahlt_am.is_none()
    }
}

/// Whether the draft may be edited: only while the case is examined (In Prüfung). A draft in
/// approval is frozen until the approver returns it; after the Bescheid there is none.
pub fn bearbeiten_pruefen(status: Status) -> Result<(), Hinderung> {
    if status == Status::InPruefung {
        Ok(())
    } else {
        Err(Hinderung::EntwurfNichtBearbeitbar(status))
    }
}

/// One saved version of a draft: who wrote it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entwurfsversion {
    /// 1, 2, … per case.
    pub version: u32,
    /// Login of the person who saved it.
    pub verfasser: String,
}

/// What happened to a case's draft, in order: versions saved, and approvals or returns.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entwurfsgeschichte {
    /// Versions since the draft was begun (oldest first).
    pub versionen: Vec<Entwurfsversion>,
}

impl Entwurfsgeschichte {
    /// Whether a draft exists.
    pub fn vorhanden(&self) -> bool {
        !self.versionen.is_empty()
    }

    /// The latest version.
    pub fn aktuell(&self) -> Option<&Entwurfsversion> {
        self.versionen.last()
    }

    /// Everyone who wrote a version: the draft's authors.
    pub fn verfasser(&self) -> BTreeSet<&str> {
        self.versionen
            .iter()
            .map(|v| v.verfasser.as_str())
            .collect()
    }

    /// Whether `login` wrote any version (and so may not approve it).
    pub fn ist_verfasser(&self, login: &str) -> bool {
        self.versionen.iter().any(|v| v.verfasser == login)
    }

    /// Records a new version by `verfasser`; returns its number.
    pub fn speichern(&mut self, verfasser: &str) -> u32 {
        let version = self.aktuell().map_or(1, |v| v.version + 1);
        self.versionen.push(Entwurfsversion {
            version,
            verfasser: verfasser.to_owned(),
        });
        version
    }

    /// The facts of the status machine for `handelnd` acting on this case: a draft exists,
    /// and whether the actor is one of its authors.
    pub fn fakten(&self, handelnd: &str, basis: Fakten) -> Fakten {
        Fakten {
            bescheid_entwurf_vorhanden: self.vorhanden(),
            handelnde_person_ist_verfasser: self.ist_verfasser(handelnd),
            ..basis
        }
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::{Aktion, Rolle};

    fn basis() -> Fakten {
        Fakten {
            zustaendig_gesetzt: true,
            ..Fakten::default()
        }
    }

    #[test]
    fn the_author_is_refused_with_the_four_eyes_text_and_another_login_approves() {
        let mut g = Entwurfsgeschichte::default();
        g.speichern("anna");
        let e = Status::EntscheidungInFreigabe
            .anwenden_als(
                Aktion::Freigeben,
                &[Rolle::Sachbearbeitung, Rolle::Zeichnungsbefugt],
                &g.fakten("anna", basis()),
            )
            .unwrap_err();
        assert_eq!(
            e.to_string(),
            "„Entscheidung freigeben“ ist noch nicht möglich: Vier-Augen-Prinzip: Die Freigabe muss eine andere Person erteilen als die, die den Bescheid verfasst hat."
        );
        let (s, r) = Status::EntscheidungInFreigabe
            .anwenden_als(
                Aktion::Freigeben,
                &[Rolle::Zeichnungsbefugt],
                &g.fakten("bernd", basis()),
            )
            .unwrap();
        assert_eq!((s, r), (Status::Beschieden, Rolle::Zeichnungsbefugt));
    }

    #[test]
    fn an_approver_who_edited_the_draft_became_an_author() {
        let mut g = Entwurfsgeschichte::default();
        g.speichern("anna");
        g.speichern("bernd");
        assert!(g.ist_verfasser("bernd"));
        assert_eq!(g.aktuell().map(|v| v.version), Some(2));
        assert!(
            Status::EntscheidungInFreigabe
                .anwenden_als(
                    Aktion::Freigeben,
                    &[Rolle::Zeichnungsbefugt],
                    &g.fakten("bernd", basis())
                )
                .is_err()
        );
    }

    #[test]
    fn submitting_needs_a_draft() {
        let g = Entwurfsgeschichte::default();
        let e = Status::InPruefung
            .anwenden_als(
                Aktion::ZurFreigabeVorlegen,
                &[Rolle::Sachbearbeitung],
                &g.fakten("anna", basis()),
            )
            .unwrap_err();
        assert!(e.to_string().contains("Bescheidentwurf"), "{e}");
    }

    fn login() -> impl Strategy<Value = String> {
        proptest::sample::select(vec!["anna", "bernd", "carla", "dieter"]).prop_map(String::from)
    }

    fn rollen() -> impl Strategy<Value = Vec<Rolle>> {
        proptest::sample::subsequence(Rolle::ALLE.to_vec(), 0..=Rolle::ALLE.len())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        /// Whatever versions anyone saved and whatever roles the actor holds, a draft is
        /// approved exactly when the actor holds Zeichnungsbefugnis and wrote no version of
        /// it; a refusal leaves the status where it was.
        #[test]
        fn nobody_approves_a_draft_they_wrote(
            verfasser in proptest::collection::vec(login(), 1..6),
            handelnd in login(),
            rollen in rollen(),
        ) {
            let mut g = Entwurfsgeschichte::default();
            for v in &verfasser {
                g.speichern(v);
            }
            let vorher = Status::EntscheidungInFreigabe;
            let ergebnis = vorher.anwenden_als(Aktion::Freigeben, &rollen, &g.fakten(&handelnd, basis()));
            let darf = rollen.contains(&Rolle::Zeichnungsbefugt) && !verfasser.contains(&handelnd);
            prop_assert_eq!(ergebnis.is_ok(), darf);
            if let Ok((nach, rolle)) = ergebnis {
                prop_assert_eq!(nach, Status::Beschieden);
                prop_assert_eq!(rolle, Rolle::Zeichnungsbefugt);
            }
        }
    }
}
