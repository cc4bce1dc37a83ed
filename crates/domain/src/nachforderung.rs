//! Nachforderung: missing documents (Nachweise) requested from the applicant, the answer
//! checked off against the request, and the rules for writing to the applicant at all.
//!
//! A Nachforderung lists Nachweise of the case's Leistung (declared per Leistung in the
//! authority's configuration, never in code), a reply Frist and the time it went out. When a
//! Nachreichung arrives in the same FIT-Connect case, [`Nachforderung::abgleichen`] ticks the
//! Nachweise the new documents bring: an attachment counts for a Nachweis when its declared
//! description (FIT-Connect `attachments[].description`) is the Nachweis's id or its name, or
//! its file name without extension is the id. Everything else the caseworker ticks by hand
//! ([`Nachforderung::abhaken`]).
//!
//! [`pruefen`] is the one check of an outgoing message (text, Frist, attachment count); the
//! case view, the CLI and the sync engine's caller use it, so their messages agree.
//!
//! To extend: a new way to recognise a Nachweis (a purpose code of a future FIT-Connect
//! metadata version) is one more arm in [`passt`].

use serde::{Deserialize, Serialize};
use time::{Date, OffsetDateTime};

use crate::datum_serde::iso;
use crate::status::{Aktion, Fakten, Rolle, Status};
use crate::vorgang::Vorgang;

/// The most characters a message to the applicant may have.
pub const TEXT_MAX_ZEICHEN: usize = 20_000;
/// The most attachments one message may carry.
pub const ANLAGEN_MAX: usize = 20;
/// The most bytes one attachment of a message may have.
pub const ANLAGE_MAX_BYTES: u64 = 20 * 1024 * 1024;

/// One requested Nachweis and whether it came.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AngeforderterNachweis {
    /// The Nachweis's id in the Leistung's configuration.
    pub id: String,
    /// Its name as the applicant reads it.
    pub bezeichnung: String,
    /// How it was received, once it was.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub eingegangen: Option<NachweisEingang>,
}

/// How a requested Nachweis was received.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NachweisEingang {
    /// When.
    #[serde(with = "time::serde::rfc3339")]
    pub zeit: OffsetDateTime,
    /// The document that brought it, or `None` when a person ticked it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dateiname: Option<String>,
    /// Who ticked it (`None` when recognised from the document's declaration).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub durch: Option<String>,
}

/// A request for missing documents.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Nachforderung {
    /// What is requested.
    pub nachweise: Vec<AngeforderterNachweis>,
    /// By when the applicant should answer.
    #[serde(with = "iso")]
    pub frist: Date,
    /// When the request was queued.
    #[serde(with = "time::serde::rfc3339")]
    pub gesendet: OffsetDateTime,
    /// Who sent it.
    pub von: String,
    /// When reminders were sent.
    #[serde(default, with = "zeiten")]
    pub erinnerungen: Vec<OffsetDateTime>,
    /// The Wiedervorlage set with the request ([`Nachforderung::wiedervorlage_nach`]); it
    /// goes when the documents come.
    #[serde(default, with = "iso::option", skip_serializing_if = "Option::is_none")]
    pub wiedervorlage: Option<Date>,
}

mod zeiten {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};
    use time::OffsetDateTime;
    use time::format_description::well_known::Rfc3339;

    pub fn serialize<S: Serializer>(v: &[OffsetDateTime], s: S) -> Result<S::Ok, S::Error> {
        let texte: Result<Vec<String>, _> = v.iter().map(|z| z.format(&Rfc3339)).collect();
        texte.map_err(serde::ser::Error::custom)?.serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<OffsetDateTime>, D::Error> {
        Vec::<String>::deserialize(d)?
            .iter()
            .map(|t| OffsetDateTime::parse(t, &Rfc3339).map_err(serde::de::Error::custom))
            .collect()
    }
}

/// A document of a Nachreichung as [`Nachforderung::abgleichen`] looks at it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NachgereichtesDokument {
    /// File name.
    pub dateiname: String,
    /// The applicant's declaration of what it is (FIT-Connect `description`), if any.
    pub beschreibung: Option<String>,
}

fn normal(s: &str) -> String {
    s.trim().to_lowercase()
}

/// Whether `d` brings the Nachweis `n`.
fn passt(n: &AngeforderterNachweis, d: &NachgereichtesDokument) -> bool {
    let id = normal(&n.id);
    if let Some(b) = d.beschreibung.as_deref().map(normal)
        && (b == id || b == normal(&n.bezeichnung))
    {
        return true;
    }
    let stamm = d
        .dateiname
        .rsplit_once('.')
        .map_or(d.dateiname.as_str(), |(s, _)| s);
    normal(stamm) == id
}

impl Nachforderung {
    /// Ticks the Nachweise the documents bring; returns the ids ticked now.
    pub fn abgleichen(
        &mut self,
        dokumente: &[NachgereichtesDokument],
        zeit: OffsetDateTime,
    ) -> Vec<String> {
        let mut neu = Vec::new();
        for n in self
            .nachweise
            .iter_mut()
            .filter(|n| n.eingegangen.is_none())
        {
            if let Some(d) = dokumente.iter().find(|d| passt(n, d)) {
                n.eingegangen = Some(NachweisEingang {
                    zeit,
                    dateiname: Some(d.dateiname.clone()),
                    durch: None,
                });
                neu.push(n.id.clone());
            }
        }
        neu
    }

    /// A person marks the Nachweis `id` as received (`ja`) or not (`!ja`). Returns whether
    /// the Nachweis exists.
    pub fn abhaken(&mut self, id: &str, ja: bool, wer: &str, zeit: OffsetDateTime) -> bool {
        let Some(n) = self.nachweise.iter_mut().find(|n| n.id == id) else {
            return false;
        };
        n.eingegangen = ja.then(|| NachweisEingang {
            zeit,
            dateiname: None,
            durch: Some(wer.to_owned()),
        });
        true
    }

    /// Whether every requested Nachweis came.
    pub fn vollstaendig(&self) -> bool {
        self.nachweise.iter().all(|n| n.eingegangen.is_some())
    }

    /// The day the case comes back when nothing arrives: the working day after the Frist
    /// (the Frist's own day still belongs to the applicant), so the Wiedervorlage shows a
    /// Frist that has passed.
    pub fn wiedervorlage_nach(frist: Date, land: crate::frist::Bundesland) -> Date {
        crate::frist::plus_arbeitstage(frist, 1, land)
    }

    /// Whether the reply Frist has passed on `heute` (the day of the Frist still counts).
    pub fn abgelaufen(&self, heute: Date) -> bool {
        heute > self.frist
    }
}

/// What a Nachreichung changed on the case ([`Vorgang::nachreichung_eingegangen`]).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Nachreichungsfolge {
    /// Nachweise ticked by this Nachreichung.
    pub abgehakt: Vec<String>,
    /// The status change, when the case waited for documents.
    pub status: Option<(Status, Status)>,
}

impl Vorgang {
    /// Documents arrived in the case's FIT-Connect case: ticks the requested Nachweise they bring and, when the case waited for documents,
    /// returns it to „In Prüfung“ (the system's [`Aktion::UnterlagenEingegangen`]) and drops
    /// the Wiedervorlage that was set with the request (unless a person has moved it since).
    pub fn nachreichung_eingegangen(
        &mut self,
        dokumente: &[NachgereichtesDokument],
        zeit: OffsetDateTime,
    ) -> Nachreichungsfolge {
        let mut folge = Nachreichungsfolge::default();
        if let Some(nf) = self.nachforderung.as_mut() {
            folge.abgehakt = nf.abgleichen(dokumente, zeit);
        }
        if self.status == Status::NachforderungOffen {
            let von = self.status;
            if let Ok(nach) = self.anwenden(
                Aktion::UnterlagenEingegangen,
                Rolle::System,
                &Fakten::default(),
            ) {
                folge.status = Some((von, nach));
                let gesetzt = self.nachforderung.as_ref().and_then(|n| n.wiedervorlage);
                if gesetzt.is_some() && self.wiedervorlage == gesetzt {
                    self.wiedervorlage = None;
                }
            }
        }
        folge
    }
}

/// Why a message to the applicant cannot go out (German, as the caseworker reads it).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NachrichtFehler {
    /// No text.
    #[error(
        "Die Nachricht ist leer. Bitte schreiben Sie einen Text an die antragstellende Person."
    )]
    TextLeer,
    /// Too long.
    #[error(
        "Die Nachricht ist zu lang ({zeichen} Zeichen, höchstens 20.000). Bitte kürzen Sie sie oder senden Sie den Rest als Anlage."
    )]
    TextZuLang {
        /// Characters given.
        zeichen: usize,
    },
    /// A Nachforderung without anything requested.
    #[error(
        "Bitte wählen Sie mindestens einen Nachweis aus, den die antragstellende Person nachreichen soll."
    )]
    KeinNachweis,
    /// A Frist not after today.
    #[error(
        "Die Frist {frist} liegt nicht in der Zukunft. Bitte wählen Sie ein Datum nach dem heutigen Tag."
    )]
    FristVorbei {
        /// The date given, as German text.
        frist: String,
    },
    /// Too many attachments.
    #[error("Eine Nachricht kann höchstens 20 Anlagen tragen ({anzahl} gewählt).")]
    ZuVieleAnlagen {
        /// How many were chosen.
        anzahl: usize,
    },
}

/// Checks an outgoing message: a text (at most [`TEXT_MAX_ZEICHEN`]), at most
/// [`ANLAGEN_MAX`] attachments, and for a Nachforderung (`frist` given) at least one
/// Nachweis and a Frist after `heute`.
pub fn pruefen(
    text: &str,
    anlagen: usize,
    nachforderung: Option<(usize, Date)>,
    heute: Date,
) -> Result<(), NachrichtFehler> {
    if text.trim().is_empty() {
        return Err(NachrichtFehler::TextLeer);
    }
    let zeichen = text.chars().count();
    if zeichen > TEXT_MAX_ZEICHEN {
        return Err(NachrichtFehler::TextZuLang { zeichen });
    }
    if anlagen > ANLAGEN_MAX {
        return Err(NachrichtFehler::ZuVieleAnlagen { anzahl: anlagen });
    }
    if let Some((nachweise, frist)) = nachforderung {
        if nachweise == 0 {
            return Err(NachrichtFehler::KeinNachweis);
        }
        if frist <= heute {
            return Err(NachrichtFehler::FristVorbei {
                frist: format!(
                    "{:02}.{:02}.{}",
                    frist.day(),
                    u8::from(frist.month()),
                    frist.year()
                ),
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use time::macros::{date, datetime};

    use super::*;

    fn nf() -> Nachforderung {
        Nachforderung {
            nachweise: vec![
                AngeforderterNachweis {
                    id: "haftpflicht".into(),
                    bezeichnung: "Nachweis der Hundehaftpflichtversicherung".into(),
                    eingegangen: None,
                },
                AngeforderterNachweis {
                    id: "chip".into(),
                    bezeichnung: "Nachweis der Kennzeichnung (Transponder)".into(),
                    eingegangen: None,
                },
            ],
            frist: date!(2026 - 12 - 17),
            gesendet: datetime!(2026-12-03 10:00 UTC),
            von: "m.muster".into(),
            erinnerungen: vec![],
            wiedervorlage: None,
        }
    }

    /// A case of the Leistung „L“ in `status`.
    fn vorgang(status: Status) -> Vorgang {
        use crate::vorgang::{Antragsteller, DatenFormat, Formulardaten, Leistung};
        let mut v = Vorgang::neu(
            Leistung {
                leika: "99".into(),
                name: "L".into(),
            },
            datetime!(2026-12-01 08:00 UTC),
            Antragsteller {
                name: "A".into(),
                anschrift: None,
                kontakt: None,
            },
            Formulardaten {
                format: DatenFormat::Json,
                schema_uri: "urn:x".into(),
                inhalt: "{}".into(),
            },
        );
        v.status = status;
        v
    }

    fn dok(name: &str, beschreibung: Option<&str>) -> NachgereichtesDokument {
        NachgereichtesDokument {
            dateiname: name.into(),
            beschreibung: beschreibung.map(str::to_owned),
        }
    }

    #[test]
    fn a_document_counts_by_its_declared_id_name_or_file_stem() {
        let zeit = datetime!(2026-12-05 09:00 UTC);
        let mut n = nf();
        assert_eq!(
            n.abgleichen(&[dok("scan.pdf", Some(" Haftpflicht "))], zeit),
            vec!["haftpflicht"]
        );
        assert!(!n.vollstaendig());
        // Already ticked ones are not ticked again; the file stem counts as well.
        assert_eq!(
            n.abgleichen(
                &[dok("x.pdf", Some("haftpflicht")), dok("chip.pdf", None)],
                zeit
            ),
            vec!["chip"]
        );
        assert!(n.vollstaendig());
        assert_eq!(
            n.nachweise[1]
                .eingegangen
                .as_ref()
                .unwrap()
                .dateiname
                .as_deref(),
            Some("chip.pdf")
        );
        let mut n = nf();
        assert_eq!(
            n.abgleichen(
                &[dok(
                    "a.pdf",
                    Some("Nachweis der Kennzeichnung (Transponder)")
                )],
                zeit
            ),
            vec!["chip"]
        );
        // Something else ticks nothing.
        let mut n = nf();
        assert!(
            n.abgleichen(&[dok("foto.jpg", Some("Hund"))], zeit)
                .is_empty()
        );
    }

    #[test]
    fn a_person_ticks_and_unticks_and_unknown_ids_are_refused() {
        let zeit = datetime!(2026-12-05 09:00 UTC);
        let mut n = nf();
        assert!(n.abhaken("chip", true, "m.muster", zeit));
        assert_eq!(
            n.nachweise[1]
                .eingegangen
                .as_ref()
                .unwrap()
                .durch
                .as_deref(),
            Some("m.muster")
        );
        assert!(n.abhaken("chip", false, "m.muster", zeit));
        assert!(n.nachweise[1].eingegangen.is_none());
        assert!(!n.abhaken("gibt-es-nicht", true, "m.muster", zeit));
    }

    #[test]
    fn the_case_comes_back_the_working_day_after_the_frist() {
        use crate::frist::Bundesland;
        // Thursday 17 Dec → Friday; Thursday 24 Dec → Monday 28 (25/26 Dec holidays).
        assert_eq!(
            Nachforderung::wiedervorlage_nach(date!(2026 - 12 - 17), Bundesland::NW),
            date!(2026 - 12 - 18)
        );
        assert_eq!(
            Nachforderung::wiedervorlage_nach(date!(2026 - 12 - 24), Bundesland::NW),
            date!(2026 - 12 - 28)
        );
    }

    #[test]
    fn the_frist_day_still_counts() {
        let n = nf();
        assert!(!n.abgelaufen(date!(2026 - 12 - 17)));
        assert!(n.abgelaufen(date!(2026 - 12 - 18)));
    }

    #[test]
    fn bad_messages_get_their_german_reason() {
        let heute = date!(2026 - 12 - 03);
        assert_eq!(
            pruefen("  \n", 0, None, heute),
            Err(NachrichtFehler::TextLeer)
        );
        assert!(matches!(
            pruefen(&"x".repeat(TEXT_MAX_ZEICHEN + 1), 0, None, heute),
            Err(NachrichtFehler::TextZuLang { .. })
        ));
        assert_eq!(
            pruefen("Text", 21, None, heute),
            Err(NachrichtFehler::ZuVieleAnlagen { anzahl: 21 })
        );
        assert_eq!(
            pruefen("Text", 0, Some((0, date!(2026 - 12 - 10))), heute),
            Err(NachrichtFehler::KeinNachweis)
        );
        let e = pruefen("Text", 0, Some((1, heute)), heute).unwrap_err();
        assert_eq!(
            e.to_string(),
            "Die Frist 03.12.2026 liegt nicht in der Zukunft. Bitte wählen Sie ein Datum nach dem heutigen Tag."
        );
        assert!(pruefen("Text", 0, Some((1, date!(2026 - 12 - 04))), heute).is_ok());
        assert!(pruefen("Text", 20, None, heute).is_ok());
    }

    #[test]
    fn a_nachreichung_ticks_returns_the_case_to_pruefung_and_drops_the_frist_wiedervorlage() {
        let mut v = vorgang(Status::Neu);
        // Without a request nothing changes (the „neue Unterlagen“ mark is the store's).
        let vorher = v.clone();
        let f =
            v.nachreichung_eingegangen(&[dok("chip.pdf", None)], datetime!(2026-12-02 08:00 UTC));
        assert_eq!(f, Nachreichungsfolge::default());
        assert_eq!(v, vorher);
        v.status = Status::NachforderungOffen;
        v.nachforderung = Some(Nachforderung {
            wiedervorlage: Some(date!(2026 - 12 - 18)),
            ..nf()
        });
        v.wiedervorlage = Some(date!(2026 - 12 - 18));
        let f =
            v.nachreichung_eingegangen(&[dok("chip.pdf", None)], datetime!(2026-12-05 08:00 UTC));
        assert_eq!(f.abgehakt, vec!["chip"]);
        assert_eq!(
            f.status,
            Some((Status::NachforderungOffen, Status::InPruefung))
        );
        assert_eq!(v.status, Status::InPruefung);
        assert_eq!(v.wiedervorlage, None);
    }

    #[test]
    fn a_nachforderung_survives_serde() {
        let mut n = nf();
        n.erinnerungen.push(datetime!(2026-12-18 08:00 UTC));
        n.abhaken("chip", true, "m.muster", datetime!(2026-12-05 09:00 UTC));
        let j = serde_json::to_string(&n).unwrap();
        assert_eq!(serde_json::from_str::<Nachforderung>(&j).unwrap(), n);
    }

    mod eigenschaften {
        use proptest::prelude::*;
        use time::Duration;
        use time::macros::{date, datetime};

        use super::super::*;
        use super::vorgang;
        use crate::status::{Fakten, Rolle, Status};

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(1000))]

            /// A message is accepted exactly when its text is not blank and not too long, it
            /// has at most 20 attachments, and a Nachforderung names a Nachweis and a Frist
            /// after today.
            #[test]
            fn a_message_passes_the_check_exactly_when_every_rule_holds(
                text in prop_oneof![Just(String::new()), Just("  \n ".to_owned()), "[a-zä ]{1,40}"],
                lang in any::<bool>(),
                anlagen in 0usize..25,
                nachforderung in proptest::option::of((0usize..3, -3i64..10)),
            ) {
                let heute = date!(2026 - 12 - 03);
                let text = if lang { text.repeat(TEXT_MAX_ZEICHEN) } else { text };
                let nf = nachforderung.map(|(n, tage)| (n, heute + Duration::days(tage)));
                let erwartet = !text.trim().is_empty()
                    && text.chars().count() <= TEXT_MAX_ZEICHEN
                    && anlagen <= ANLAGEN_MAX
                    && nf.is_none_or(|(n, f)| n > 0 && f > heute);
                prop_assert_eq!(pruefen(&text, anlagen, nf, heute).is_ok(), erwartet);
            }

            /// Requesting documents moves In Prüfung → Wartet auf Unterlagen only for a
            /// caseworker or team lead with the request written; documents arriving move the
            /// case back only from Wartet auf Unterlagen, and never change another status.
            #[test]
            fn the_nachforderung_guards_hold_for_every_status_role_and_fact(
                status in proptest::sample::select(Status::ALLE.to_vec()),
                rolle in proptest::sample::select(Rolle::ALLE.to_vec()),
                formuliert in any::<bool>(),
                zustaendig in any::<bool>(),
            ) {
                let f = Fakten {
                    nachforderung_formuliert: formuliert,
                    zustaendig_gesetzt: zustaendig,
                    ..Fakten::default()
                };
                let mut v = vorgang(status);
                let r = v.anwenden(Aktion::Nachfordern, rolle, &f);
                let darf = status == Status::InPruefung
                    && formuliert
                    && matches!(rolle, Rolle::Sachbearbeitung | Rolle::Teamleitung);
                prop_assert_eq!(r.is_ok(), darf);
                prop_assert_eq!(v.status, if darf { Status::NachforderungOffen } else { status });

                let mut v = vorgang(status);
                let folge = v.nachreichung_eingegangen(&[], datetime!(2026-12-05 08:00 UTC));
                if status == Status::NachforderungOffen {
                    prop_assert_eq!(folge.status, Some((status, Status::InPruefung)));
                    prop_assert_eq!(v.status, Status::InPruefung);
                } else {
                    prop_assert_eq!(folge.status, None);
                    prop_assert_eq!(v.status, status);
                }
            }
        }
    }
}
