//! The case (Vorgang) and its parts.

use serde::{Deserialize, Serialize};
use time::{Date, OffsetDateTime};

use crate::aktenzeichen::Aktenzeichen;
use crate::datum_serde::iso;
use crate::nachforderung::Nachforderung;
use crate::status::{Aktion, Fakten, Rolle, Status, StatusFehler};

/// Stable identity of a case (UUID), also across devices. New ids are UUIDv7: random enough
/// to be unique across devices, and ordered by time, so the store's id index grows at its
/// end instead of rewriting random pages on every insert.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct VorgangId(pub uuid::Uuid);

impl VorgangId {
    /// A new time-ordered id (UUIDv7).
    pub fn neu() -> Self {
        Self(uuid::Uuid::now_v7())
    }
}

impl std::fmt::Display for VorgangId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

/// The administrative service applied for (LeiKa key and name).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Leistung {
    /// LeiKa key, e.g. `99050012104000`.
    pub leika: String,
    /// Name, e.g. `Gewerbeanmeldung`.
    pub name: String,
}

/// The applicant, as given in the application (not normalised).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Antragsteller {
    /// Name (person or organisation).
    pub name: String,
    /// Postal address as given.
    pub anschrift: Option<String>,
    /// Contact (e-mail, phone) as given.
    pub kontakt: Option<String>,
}

/// Encoding of the form data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DatenFormat {
    /// JSON (FIM JSON Schema).
    Json,
    /// XML (XÖV).
    Xml,
}

/// The form data as received, with the schema it claims.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Formulardaten {
    /// JSON or XML.
    pub format: DatenFormat,
    /// Schema URI from the submission metadata.
    pub schema_uri: String,
    /// The document text exactly as received.
    pub inhalt: String,
}

impl Formulardaten {
    /// The human-readable text in the form data (JSON string and number values, XML text
    /// nodes and attribute values), space-separated: what full-text search indexes.
    pub fn volltext(&self) -> String {
        match self.format {
            DatenFormat::Json => match serde_json::from_str::<serde_json::Value>(&self.inhalt) {
                Ok(v) => {
                    let mut out = String::new();
                    json_text(&v, &mut out);
                    out
                }
                Err(_) => self.inhalt.clone(),
            },
            DatenFormat::Xml => xml_text(&self.inhalt),
        }
    }
}

fn json_text(v: &serde_json::Value, out: &mut String) {
    match v {
        serde_json::Value::String(s) => {
            out.push_str(s);
            out.push(' ');
        }
        serde_json::Value::Number(n) => {
            out.push_str(&n.to_string());
            out.push(' ');
        }
        serde_json::Value::Array(a) => a.iter().for_each(|x| json_text(x, out)),
        serde_json::Value::Object(o) => o.values().for_each(|x| json_text(x, out)),
        serde_json::Value::Bool(_) | serde_json::Value::Null => {}
    }
}

fn xml_text(xml: &str) -> String {
    let mut out = String::with_capacity(xml.len() / 2);
    let mut in_tag = false;
    let mut in_quote: Option<char> = None;
    for c in xml.chars() {
        match (in_tag, in_quote, c) {
            (false, _, '<') => {
                in_tag = true;
                out.push(' ');
            }
            (true, None, '>') => in_tag = false,
            (true, None, '"' | '\'') => {
                in_quote = Some(c);
                out.push(' ');
            }
            (true, Some(q), _) if c == q => in_quote = None,
            (true, Some(_), _) | (false, _, _) => out.push(c),
            (true, None, _) => {}
        }
    }
    out.replace("&amp;", "&")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
}

/// A reference to an attachment kept in the store, addressed by its SHA-512.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnlageRef {
    /// SHA-512 of the content, lowercase hex (as FIT-Connect metadata carries it).
    pub sha512: String,
    /// File name as given.
    pub dateiname: String,
    /// MIME type.
    pub mime: String,
    /// Size in bytes.
    pub groesse: u64,
}

/// Urgency set by people.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize, Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Prioritaet {
    /// Low.
    Niedrig,
    /// Normal.
    #[default]
    Normal,
    /// High.
    Hoch,
    /// Urgent.
    Eilt,
}

impl Prioritaet {
    /// Sort rank (higher = more urgent).
    pub fn rang(self) -> i64 {
        match self {
            Prioritaet::Niedrig => 0,
            Prioritaet::Normal => 1,
            Prioritaet::Hoch => 2,
            Prioritaet::Eilt => 3,
        }
    }

    /// German label.
    pub fn bezeichnung(self) -> &'static str {
        match self {
            Prioritaet::Niedrig => "Niedrig",
            Prioritaet::Normal => "Normal",
            Prioritaet::Hoch => "Hoch",
            Prioritaet::Eilt => "Eilt",
        }
    }

    /// From [`Prioritaet::rang`].
    pub fn aus_rang(r: i64) -> Prioritaet {
        match r {
            i64::MIN..=0 => Prioritaet::Niedrig,
            1 => Prioritaet::Normal,
            2 => Prioritaet::Hoch,
            _ => Prioritaet::Eilt,
        }
    }
}

/// FIT-Connect identities of the submission behind a case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FitConnectIds {
    /// Submission id.
    pub submission_id: String,
    /// Case id (groups submissions and replies).
    pub case_id: String,
    /// Destination id (our Zustellpunkt).
    pub destination_id: String,
}

/// An internal note (never sent to the applicant).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notiz {
    /// Who wrote it.
    pub autor: String,
    /// When.
    #[serde(with = "time::serde::rfc3339")]
    pub zeit: OffsetDateTime,
    /// The text.
    pub text: String,
}

/// Direction of a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Richtung {
    /// From the applicant.
    Eingehend,
    /// To the applicant.
    Ausgehend,
}

/// What a message is, for the thread's labels and the reply data's `art`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NachrichtArt {
    /// A free message (or an incoming one without further meaning).
    #[default]
    Nachricht,
    /// A request for missing documents.
    Nachforderung,
    /// A reminder of an open Nachforderung.
    Erinnerung,
    /// Confirmation of receipt.
    Eingangsbestaetigung,
    /// Documents sent by the applicant in the same case.
    Nachreichung,
    /// The sealed decision (Bescheid).
    Bescheid,
    /// The formal rejection of the application, with its reasons.
    Zurueckweisung,
}

impl NachrichtArt {
    /// German label.
    pub fn bezeichnung(self) -> &'static str {
        match self {
            NachrichtArt::Nachricht => "Nachricht",
            NachrichtArt::Nachforderung => "Nachforderung",
            NachrichtArt::Erinnerung => "Erinnerung",
            NachrichtArt::Eingangsbestaetigung => "Eingangsbestätigung",
            NachrichtArt::Nachreichung => "Nachreichung",
            NachrichtArt::Bescheid => "Bescheid",
            NachrichtArt::Zurueckweisung => "Zurückweisung",
        }
    }

    /// Stable code (the serde name).
    pub fn code(self) -> &'static str {
        match self {
            NachrichtArt::Nachricht => "nachricht",
            NachrichtArt::Nachforderung => "nachforderung",
            NachrichtArt::Erinnerung => "erinnerung",
            NachrichtArt::Eingangsbestaetigung => "eingangsbestaetigung",
            NachrichtArt::Nachreichung => "nachreichung",
            NachrichtArt::Bescheid => "bescheid",
            NachrichtArt::Zurueckweisung => "zurueckweisung",
        }
    }
}

/// How a message travels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kanal {
    /// The FIT-Connect reply channel (or the submission itself, incoming).
    #[default]
    FitConnect,
    /// A printed letter (no reply channel): the message was made a PDF for the post.
    Brief,
}

/// A message exchanged with the applicant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Nachricht {
    /// In or out.
    pub richtung: Richtung,
    /// When.
    #[serde(with = "time::serde::rfc3339")]
    pub zeit: OffsetDateTime,
    /// Subject.
    pub betreff: String,
    /// Body.
    pub text: String,
    /// What it is.
    #[serde(default)]
    pub art: NachrichtArt,
    /// How it travels.
    #[serde(default)]
    pub kanal: Kanal,
    /// Names of the documents it carries.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub anlagen: Vec<String>,
    /// The outbox row that sends it (its idempotency key), for the delivery state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auftrag: Option<String>,
    /// Who wrote it (outgoing).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub von: Option<String>,
}

impl Nachricht {
    /// A message with the given direction, time, subject and text, of kind
    /// [`NachrichtArt::Nachricht`] over FIT-Connect, without documents.
    pub fn neu(richtung: Richtung, zeit: OffsetDateTime, betreff: &str, text: &str) -> Self {
        Self {
            richtung,
            zeit,
            betreff: betreff.to_owned(),
            text: text.to_owned(),
            art: NachrichtArt::Nachricht,
            kanal: Kanal::FitConnect,
            anlagen: Vec::new(),
            auftrag: None,
            von: None,
        }
    }
}

/// A case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Vorgang {
    /// Identity.
    pub id: VorgangId,
    /// File number; assigned by the store when the case is inserted.
    pub aktenzeichen: Option<Aktenzeichen>,
    /// The service applied for.
    pub leistung: Leistung,
    /// When the application arrived.
    #[serde(with = "time::serde::rfc3339")]
    pub eingang: OffsetDateTime,
    /// The applicant.
    pub antragsteller: Antragsteller,
    /// Form data as received.
    pub formulardaten: Formulardaten,
    /// Attachments.
    pub anlagen: Vec<AnlageRef>,
    /// Status.
    pub status: Status,
    /// Assigned caseworker (login name).
    pub zustaendig: Option<String>,
    /// Processing deadline.
    #[serde(with = "iso::option")]
    pub frist: Option<Date>,
    /// Resubmission date.
    #[serde(with = "iso::option")]
    pub wiedervorlage: Option<Date>,
    /// Priority.
    pub prioritaet: Prioritaet,
    /// FIT-Connect ids, if the case came in over FIT-Connect.
    pub fit_connect: Option<FitConnectIds>,
    /// Internal notes.
    pub notizen: Vec<Notiz>,
    /// Messages in and out.
    pub nachrichten: Vec<Nachricht>,
    /// The open (or last) request for missing documents.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nachforderung: Option<Nachforderung>,
    /// The issued decision, once approved and sealed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bescheid: Option<crate::entscheidung::BescheidVermerk>,
    /// The hand-over to the E-Akte, once decided.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub eakte: Option<crate::eakte::EAkteVermerk>,
}

impl Vorgang {
    /// A new case in status Neu, without Aktenzeichen yet.
    pub fn neu(
        leistung: Leistung,
        eingang: OffsetDateTime,
        antragsteller: Antragsteller,
        formulardaten: Formulardaten,
    ) -> Self {
        Self {
            id: VorgangId::neu(),
            aktenzeichen: None,
            leistung,
            eingang,
            antragsteller,
            formulardaten,
            anlagen: Vec::new(),
            status: Status::Neu,
            zustaendig: None,
            frist: None,
            wiedervorlage: None,
            prioritaet: Prioritaet::Normal,
            fit_connect: None,
            notizen: Vec::new(),
            nachrichten: Vec::new(),
            nachforderung: None,
            bescheid: None,
            eakte: None,
        }
    }

    /// Takes `aktion` as `rolle`; the status changes only on success.
    pub fn anwenden(
        &mut self,
        aktion: Aktion,
        rolle: Rolle,
        fakten: &Fakten,
    ) -> Result<Status, StatusFehler> {
        let neu = self.status.anwenden(aktion, rolle, fakten)?;
        self.status = neu;
        Ok(neu)
    }
}

#[cfg(test)]
mod tests {
    use time::macros::{date, datetime};

    use super::*;

    #[test]
    fn priorities_have_german_labels_in_rank_order() {
        let alle = [
            Prioritaet::Niedrig,
            Prioritaet::Normal,
            Prioritaet::Hoch,
            Prioritaet::Eilt,
        ];
        let namen: Vec<&str> = alle.iter().map(|p| p.bezeichnung()).collect();
        assert_eq!(namen, ["Niedrig", "Normal", "Hoch", "Eilt"]);
        for p in alle {
            assert_eq!(Prioritaet::aus_rang(p.rang()), p);
        }
    }

    fn beispiel() -> Vorgang {
        let mut v = Vorgang::neu(
            Leistung {
                leika: "99050012104000".into(),
                name: "Gewerbeanmeldung".into(),
            },
            datetime!(2026-03-02 09:15 +01:00),
            Antragsteller {
                name: "Jürgen Weiß".into(),
                anschrift: Some("Hauptstraße 1, 10115 Berlin".into()),
                kontakt: None,
            },
            Formulardaten {
                format: DatenFormat::Json,
                schema_uri: "urn:xoev-de:fim:standard:xfall:gewerbe".into(),
                inhalt: r#"{"betrieb":{"name":"Bäckerei Weiß","beschaeftigte":3},"aktiv":true}"#
                    .into(),
            },
        );
        v.frist = Some(date!(2026 - 06 - 02));
        v
    }

    #[test]
    fn a_case_round_trips_through_json_with_iso_dates() {
        let v = beispiel();
        let json = serde_json::to_string(&v).unwrap();
        assert!(json.contains(r#""frist":"2026-06-02""#), "{json}");
        assert!(
            json.contains(r#""eingang":"2026-03-02T09:15:00+01:00""#),
            "{json}"
        );
        let back: Vorgang = serde_json::from_str(&json).unwrap();
        assert_eq!(back, v);
    }

    #[test]
    fn form_text_is_extracted_from_json_and_xml() {
        let v = beispiel();
        let t = v.formulardaten.volltext();
        assert!(
            t.contains("Bäckerei Weiß") && t.contains('3') && !t.contains("betrieb"),
            "{t}"
        );
        let xml = Formulardaten {
            format: DatenFormat::Xml,
            schema_uri: "x".into(),
            inhalt: r#"<a x="Attr Wert"><b>Straße &amp; Platz</b><c/></a>"#.into(),
        };
        let t = xml.volltext();
        assert!(
            t.contains("Straße & Platz") && t.contains("Attr Wert") && !t.contains('<'),
            "{t}"
        );
    }

    #[test]
    fn a_refused_action_leaves_the_case_unchanged() {
        let mut v = beispiel();
        assert!(
            v.anwenden(
                Aktion::PruefungBeginnen,
                Rolle::Sachbearbeitung,
                &Fakten::default()
            )
            .is_err()
        );
        assert_eq!(v.status, Status::Neu);
        let f = Fakten {
            zustaendig_gesetzt: true,
            ..Fakten::default()
        };
        assert_eq!(
            v.anwenden(Aktion::PruefungBeginnen, Rolle::Sachbearbeitung, &f),
            Ok(Status::InPruefung)
        );
        assert_eq!(v.status, Status::InPruefung);
    }
}
