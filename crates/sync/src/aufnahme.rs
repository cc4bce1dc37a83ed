//! The pure mapping of an intake: an opened, verified submission whose attachments are filed
//! ([`Eingang`]) and the configuration → what the store writes ([`store::Aufnahme`]): a new
//! [`Vorgang`] (Leistung, Antragsteller, Formulardaten, Frist from the catalogue of its
//! Leistung, FitConnectIds) or a [`Nachreichung`] for the existing case.
//!
//! Plain data in, plain data out: no store, no network, no clock (the time is a parameter),
//! no keys (the signed accept comes in as its outbox row). Attachment names arrive cleaned —
//! [`crate::abruf::StoreSink`] cleans each once when it files it — and are carried as they are.
//!
//! To extend: another form format or another place of the applicant's name is a case in
//! [`antragsteller`] plus a test below.

use domain::nachforderung::NachgereichtesDokument;
use domain::{
    AnlageRef, Antragsteller, DatenFormat, FitConnectIds, Formulardaten, Leistung, Nachricht,
    NachrichtArt, Richtung, Vorgang, VorgangId,
};
use fitconnect::metadata::Metadata;
use fitconnect::model::Submission;
use serde_json::Value;
use store::{Aufnahme, Aufnahmefall, EinreichungsAnlage, EmpfangeneEinreichung, NeuerAuftrag};
use time::OffsetDateTime;

use crate::engine::{LEIKA_PREFIX, SYSTEM};
use crate::konfiguration::Konfiguration;

/// An attachment as filed in the encrypted attachment store, its name cleaned once (by
/// [`crate::abruf::sicherer_dateiname`]) when it was filed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AbgelegteAnlage {
    /// FIT-Connect attachment id.
    pub attachment_id: String,
    /// The safe file name.
    pub dateiname: String,
    /// Declared MIME type (its signature checked where it has one).
    pub mime: String,
    /// SHA-512 (lowercase hex) of the decrypted content, checked against the metadata.
    pub sha512: String,
    /// Decrypted size in bytes.
    pub groesse: u64,
    /// The applicant's declaration of what it is (`description` in the metadata), if any.
    pub beschreibung: Option<String>,
}

/// An opened, verified submission with its attachments filed: what the mapping reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Eingang {
    /// FIT-Connect submission id.
    pub submission_id: String,
    /// FIT-Connect case id.
    pub case_id: String,
    /// Destination id.
    pub destination_id: String,
    /// `serviceType.identifier`: a LeiKa URN (or a bare LeiKa key).
    pub leistung_id: String,
    /// `serviceType.name`, if given.
    pub leistung_name: Option<String>,
    /// The complete metadata document (JSON).
    pub metadaten_json: String,
    /// Schema URI of the form data (empty without form data).
    pub schema_uri: String,
    /// MIME type of the form data (empty without form data).
    pub mime: String,
    /// The decrypted form data (empty without).
    pub formulardaten: Vec<u8>,
    /// The filed attachments, in the order of the metadata.
    pub anlagen: Vec<AbgelegteAnlage>,
}

impl Eingang {
    /// The facts of an opened submission: its envelope, its validated metadata, its form
    /// data and its filed attachments.
    pub fn aus(
        s: &Submission,
        meta: &Metadata,
        daten: Option<Vec<u8>>,
        anlagen: Vec<AbgelegteAnlage>,
    ) -> Self {
        let (schema_uri, mime) = meta
            .content_structure
            .data
            .as_ref()
            .map(|d| {
                (
                    d.submission_schema.schema_uri.clone(),
                    d.submission_schema.mime_type.clone(),
                )
            })
            .unwrap_or_default();
        Eingang {
            submission_id: s.submission_id.clone(),
            case_id: s.case_id.clone(),
            destination_id: s.destination_id.clone(),
            leistung_id: s.service_type.identifier.clone(),
            leistung_name: s.service_type.name.clone(),
            metadaten_json: meta.raw.to_string(),
            schema_uri,
            mime,
            formulardaten: daten.unwrap_or_default(),
            anlagen,
        }
    }
}

/// What the store writes for `e`: a new case, or — when its FIT-Connect case already has the
/// Vorgang `nachreichung_zu` here — a follow-up to that case. `annahme` is the signed accept's
/// outbox row; `jetzt` the time of intake (the case's Eingang and the start of its Frist).
pub fn aufnahme(
    e: Eingang,
    nachreichung_zu: Option<VorgangId>,
    annahme: NeuerAuftrag,
    cfg: &Konfiguration,
    jetzt: OffsetDateTime,
) -> Aufnahme {
    let dokumente: Vec<AnlageRef> = e
        .anlagen
        .iter()
        .map(|a| AnlageRef {
            sha512: a.sha512.clone(),
            dateiname: a.dateiname.clone(),
            mime: a.mime.clone(),
            groesse: a.groesse,
        })
        .collect();
    let fall = match nachreichung_zu {
        Some(vorgang_id) => {
            let namen: Vec<&str> = dokumente.iter().map(|a| a.dateiname.as_str()).collect();
            let nachricht = Nachricht {
                art: NachrichtArt::Nachreichung,
                anlagen: namen.iter().map(|n| (*n).to_owned()).collect(),
                ..Nachricht::neu(
                    Richtung::Eingehend,
                    jetzt,
                    "Neu: nachgereichte Unterlagen",
                    &format!(
                        "Nachreichung (Einreichung {}) mit {} Anlage(n): {}",
                        e.submission_id,
                        namen.len(),
                        namen.join(", ")
                    ),
                )
            };
            let erklaert = e
                .anlagen
                .iter()
                .map(|a| NachgereichtesDokument {
                    dateiname: a.dateiname.clone(),
                    beschreibung: a.beschreibung.clone(),
                })
                .collect();
            Aufnahmefall::Nachreichung(store::Nachreichung {
                vorgang_id,
                anlagen: dokumente,
                nachricht,
                dokumente: erklaert,
            })
        }
        None => {
            let mut v = Vorgang::neu(
                leistung(&e.leistung_id, e.leistung_name.as_deref()),
                jetzt,
                antragsteller(&e.formulardaten, &e.mime),
                Formulardaten {
                    format: if e.mime.contains("xml") {
                        DatenFormat::Xml
                    } else {
                        DatenFormat::Json
                    },
                    schema_uri: e.schema_uri.clone(),
                    inhalt: String::from_utf8_lossy(&e.formulardaten).into_owned(),
                },
            );
            v.anlagen = dokumente;
            v.frist = Some(cfg.fristen.frist(&v.leistung.leika, jetzt.date()));
            v.fit_connect = Some(FitConnectIds {
                submission_id: e.submission_id.clone(),
                case_id: e.case_id.clone(),
                destination_id: e.destination_id.clone(),
            });
            Aufnahmefall::Neu {
                vorgang: Box::new(v),
                vergabe: cfg.vergabe.clone(),
            }
        }
    };
    let einreichung = EmpfangeneEinreichung {
        anlagen: e
            .anlagen
            .into_iter()
            .map(|a| EinreichungsAnlage {
                attachment_id: a.attachment_id,
                sha512: a.sha512,
                dateiname: Some(a.dateiname),
                mime: a.mime,
            })
            .collect(),
        submission_id: e.submission_id,
        case_id: e.case_id,
        destination_id: e.destination_id,
        metadaten_json: e.metadaten_json,
        formulardaten: e.formulardaten,
        schema_uri: e.schema_uri,
        mime: e.mime,
    };
    Aufnahme {
        einreichung,
        fall,
        annahme,
        zeit: jetzt,
        akteur: SYSTEM.into(),
    }
}

/// The Leistung from FIT-Connect's `serviceType` (LeiKa key without the URN prefix).
pub fn leistung(identifier: &str, name: Option<&str>) -> Leistung {
    Leistung {
        leika: identifier
            .strip_prefix(LEIKA_PREFIX)
            .unwrap_or(identifier)
            .to_owned(),
        name: name.unwrap_or("Unbekannte Leistung").to_owned(),
    }
}

fn text(v: &Value, ptr: &str) -> Option<String> {
    v.pointer(ptr)
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

/// The applicant as given in JSON form data (FIM-style `antragsteller` block); for other
/// data the name stays open for the caseworker to fill in.
pub fn antragsteller(daten: &[u8], mime: &str) -> Antragsteller {
    let unbekannt = Antragsteller {
        name: "(Name nicht angegeben)".into(),
        ..Default::default()
    };
    if !mime.contains("json") {
        return unbekannt;
    }
    let Ok(v) = serde_json::from_slice::<Value>(daten) else {
        return unbekannt;
    };
    let name = text(&v, "/antragsteller/name").or_else(|| {
        let teile: Vec<String> = ["/antragsteller/vorname", "/antragsteller/familienname"]
            .iter()
            .filter_map(|p| text(&v, p))
            .collect();
        (!teile.is_empty()).then(|| teile.join(" "))
    });
    let anschrift = {
        let strasse = [
            text(&v, "/antragsteller/anschrift/strasse"),
            text(&v, "/antragsteller/anschrift/hausnummer"),
        ];
        let ort = [
            text(&v, "/antragsteller/anschrift/plz"),
            text(&v, "/antragsteller/anschrift/ort"),
        ];
        let zeile =
            |t: &[Option<String>]| t.iter().flatten().cloned().collect::<Vec<_>>().join(" ");
        let s = [zeile(&strasse), zeile(&ort)]
            .into_iter()
            .filter(|z| !z.is_empty())
            .collect::<Vec<_>>()
            .join(", ");
        (!s.is_empty()).then_some(s)
    };
    let kontakt = {
        let k: Vec<String> = ["/antragsteller/email", "/antragsteller/telefon"]
            .iter()
            .filter_map(|p| text(&v, p))
            .collect();
        (!k.is_empty()).then(|| k.join(", "))
    };
    Antragsteller {
        name: name.unwrap_or(unbekannt.name),
        anschrift,
        kontakt,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::abruf::sicherer_dateiname;
    use domain::{Bundesland, Fristenkatalog, Fristregel};
    use time::macros::datetime;

    const JETZT: OffsetDateTime = datetime!(2026-12-03 10:00 UTC);

    fn anlage(id: &str, name: &str, sha: &str) -> AbgelegteAnlage {
        AbgelegteAnlage {
            attachment_id: id.into(),
            dateiname: name.into(),
            mime: "application/pdf".into(),
            sha512: sha.into(),
            groesse: 1234,
            beschreibung: None,
        }
    }

    fn eingang(mime: &str, daten: &str, anlagen: Vec<AbgelegteAnlage>) -> Eingang {
        Eingang {
            submission_id: "sub-1".into(),
            case_id: "case-1".into(),
            destination_id: "dest-1".into(),
            leistung_id: format!("{LEIKA_PREFIX}99050012104000"),
            leistung_name: Some("Gewerbeanmeldung".into()),
            metadaten_json: r#"{"contentStructure":{}}"#.into(),
            schema_uri: "urn:demo:gewerbe:1".into(),
            mime: mime.into(),
            formulardaten: daten.as_bytes().to_vec(),
            anlagen,
        }
    }

    fn annahme() -> NeuerAuftrag {
        NeuerAuftrag {
            idempotenz: "fitconnect.accept:sub-1".into(),
            art: "fitconnect.accept".into(),
            vorgang_id: None,
            nutzlast: b"{}".to_vec(),
        }
    }

    /// A catalogue unlike the demo's: Bavaria, ten working days for one Leistung, six weeks
    /// (as months: two) for the rest.
    fn cfg() -> Konfiguration {
        Konfiguration {
            fristen: Fristenkatalog {
                bundesland: Bundesland::BY,
                standard: Fristregel::Monate(2),
                je_leistung: [("99050012104000".to_owned(), Fristregel::Arbeitstage(10))]
                    .into_iter()
                    .collect(),
                vorlauf_arbeitstage: 3,
            },
            ..Konfiguration::default()
        }
    }

    fn neu(a: &Aufnahme) -> &Vorgang {
        match &a.fall {
            Aufnahmefall::Neu { vorgang, .. } => vorgang,
            Aufnahmefall::Nachreichung(_) => panic!("eine Nachreichung statt eines Vorgangs"),
        }
    }

    const JSON: &str = r#"{"antragsteller": {"vorname": " Erika ", "familienname": "Mustermann",
        "anschrift": {"strasse": "Hauptstraße", "hausnummer": "5", "plz": "50667", "ort": "Köln"},
        "email": "erika@example.org"}, "betrieb": {"name": "Kiosk"}}"#;

    #[test]
    fn a_json_form_yields_the_applicants_name_address_and_contact() {
        let a = aufnahme(
            eingang("application/json", JSON, vec![]),
            None,
            annahme(),
            &cfg(),
            JETZT,
        );
        let v = neu(&a);
        assert_eq!(v.antragsteller.name, "Erika Mustermann");
        assert_eq!(
            v.antragsteller.anschrift.as_deref(),
            Some("Hauptstraße 5, 50667 Köln")
        );
        assert_eq!(
            v.antragsteller.kontakt.as_deref(),
            Some("erika@example.org")
        );
        assert_eq!(v.formulardaten.format, DatenFormat::Json);
        assert_eq!(v.formulardaten.inhalt, JSON);
        assert_eq!(v.formulardaten.schema_uri, "urn:demo:gewerbe:1");
        let name = antragsteller(
            br#"{"antragsteller": {"name": "Kiosk GmbH"}}"#,
            "application/json",
        );
        assert_eq!(name.name, "Kiosk GmbH");
    }

    #[test]
    fn an_xml_form_is_kept_as_xml_and_leaves_the_name_to_the_caseworker() {
        let xml = "<antrag><antragsteller><name>Erika</name></antragsteller></antrag>";
        let a = aufnahme(
            eingang("application/xml", xml, vec![]),
            None,
            annahme(),
            &cfg(),
            JETZT,
        );
        let v = neu(&a);
        assert_eq!(v.formulardaten.format, DatenFormat::Xml);
        assert_eq!(v.formulardaten.inhalt, xml);
        assert_eq!(v.antragsteller.name, "(Name nicht angegeben)");
        assert_eq!(v.antragsteller.anschrift, None);
        // Unreadable JSON is no reason to refuse a verified submission either.
        assert_eq!(
            antragsteller(b"{kaputt", "application/json").name,
            "(Name nicht angegeben)"
        );
    }

    #[test]
    fn the_frist_comes_from_the_catalogue_of_the_leistung() {
        let a = aufnahme(
            eingang("application/json", JSON, vec![]),
            None,
            annahme(),
            &cfg(),
            JETZT,
        );
        let v = neu(&a);
        assert_eq!(v.leistung.leika, "99050012104000");
        assert_eq!(v.leistung.name, "Gewerbeanmeldung");
        // Thursday 3 December 2026 + 10 working days in Bavaria = Thursday 17 December.
        assert_eq!(v.frist, Some(time::macros::date!(2026 - 12 - 17)));
        assert_eq!(
            v.frist,
            Some(cfg().fristen.frist("99050012104000", JETZT.date()))
        );
        // Another Leistung gets the catalogue's standard.
        let mut e = eingang("application/json", JSON, vec![]);
        e.leistung_id = "99999999999999".into();
        e.leistung_name = None;
        let a = aufnahme(e, None, annahme(), &cfg(), JETZT);
        let v = neu(&a);
        assert_eq!(v.leistung.name, "Unbekannte Leistung");
        assert_eq!(v.frist, Some(time::macros::date!(2027 - 02 - 03)));
    }

    #[test]
    fn a_new_case_carries_its_fit_connect_ids_documents_and_the_configured_vergabe() {
        let anlagen = vec![
            anlage("att-1", "Antrag.pdf", "aa"),
            anlage("att-2", "Plan.pdf", "bb"),
        ];
        let a = aufnahme(
            eingang("application/json", JSON, anlagen),
            None,
            annahme(),
            &cfg(),
            JETZT,
        );
        let Aufnahmefall::Neu { vorgang, vergabe } = &a.fall else {
            panic!("kein neuer Vorgang");
        };
        assert_eq!(vergabe, &cfg().vergabe);
        assert_eq!(vorgang.aktenzeichen, None, "the store assigns it");
        assert_eq!(vorgang.eingang, JETZT);
        let ids = vorgang.fit_connect.as_ref().unwrap();
        assert_eq!(
            (
                ids.submission_id.as_str(),
                ids.case_id.as_str(),
                ids.destination_id.as_str()
            ),
            ("sub-1", "case-1", "dest-1")
        );
        let namen: Vec<_> = vorgang
            .anlagen
            .iter()
            .map(|d| d.dateiname.as_str())
            .collect();
        assert_eq!(namen, ["Antrag.pdf", "Plan.pdf"]);
        assert_eq!(a.einreichung.anlagen.len(), 2);
        assert_eq!(a.einreichung.formulardaten, JSON.as_bytes());
        assert_eq!(a.annahme, annahme());
        assert_eq!(a.akteur, SYSTEM);
    }

    #[test]
    fn a_follow_up_adds_only_new_documents_and_a_message_to_the_existing_case() {
        let bestehend_id = VorgangId::neu();
        let mut bestehend = Vorgang::neu(
            leistung("99050012104000", Some("Gewerbeanmeldung")),
            JETZT,
            Antragsteller::default(),
            Formulardaten {
                format: DatenFormat::Json,
                schema_uri: String::new(),
                inhalt: String::new(),
            },
        );
        bestehend.id = bestehend_id;
        bestehend.anlagen = vec![AnlageRef {
            sha512: "aa".into(),
            dateiname: "Antrag.pdf".into(),
            mime: "application/pdf".into(),
            groesse: 1234,
        }];
        let anlagen = vec![
            anlage("att-1", "Antrag.pdf", "aa"),
            anlage("att-3", "Nachweis.pdf", "cc"),
        ];
        let a = aufnahme(
            eingang("application/json", "{}", anlagen),
            Some(bestehend_id),
            annahme(),
            &cfg(),
            JETZT,
        );
        let Aufnahmefall::Nachreichung(n) = &a.fall else {
            panic!("keine Nachreichung");
        };
        assert_eq!(n.vorgang_id, bestehend_id);
        assert_eq!(n.nachricht.richtung, Richtung::Eingehend);
        assert_eq!(
            n.nachricht.text,
            "Nachreichung (Einreichung sub-1) mit 2 Anlage(n): Antrag.pdf, Nachweis.pdf"
        );
        assert_eq!(n.anwenden(&mut bestehend).0, 1);
        let namen: Vec<_> = bestehend
            .anlagen
            .iter()
            .map(|d| d.dateiname.as_str())
            .collect();
        assert_eq!(namen, ["Antrag.pdf", "Nachweis.pdf"]);
        assert_eq!(bestehend.nachrichten.len(), 1);
        // The submission itself keeps every attachment it brought.
        assert_eq!(a.einreichung.anlagen.len(), 2);
    }

    #[test]
    fn hostile_names_are_cleaned_once_when_filed_and_carried_unchanged_after_that() {
        let feindlich = "..\\..\\rechnung\u{202E}fdp.exe";
        let sauber = sicherer_dateiname(Some(feindlich), "att-1");
        assert_eq!(sauber, "rechnungfdp.exe");
        // Cleaning a clean name changes nothing, so one cleaning is enough.
        assert_eq!(sicherer_dateiname(Some(&sauber), "att-1"), sauber);
        // The mapping never cleans again: whatever the sink filed is what the case and the
        // stored submission show (a name with a separator, which no cleaning would leave,
        // passes through as data).
        let gefiltert = vec![
            anlage("att-1", &sauber, "aa"),
            anlage("att-2", "a/b.pdf", "bb"),
        ];
        let a = aufnahme(
            eingang("application/json", "{}", gefiltert),
            None,
            annahme(),
            &cfg(),
            JETZT,
        );
        let namen: Vec<_> = neu(&a)
            .anlagen
            .iter()
            .map(|d| d.dateiname.clone())
            .collect();
        assert_eq!(namen, [sauber.clone(), "a/b.pdf".to_owned()]);
        let gespeichert: Vec<_> = a
            .einreichung
            .anlagen
            .iter()
            .map(|d| d.dateiname.clone().unwrap())
            .collect();
        assert_eq!(gespeichert, namen);
    }
}
