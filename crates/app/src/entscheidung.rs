//! Deciding a case: the Bescheid draft, its preview, Vier-Augen Freigabe, seal and send.
//!
//! - **Draft** ([`ipc::BescheidEntwurf`]): a template of the Leistung (`bescheid_vorlagen` in
//!   `behoerde.toml`) and an outcome; the template's facts (`angaben`) are prefilled from
//!   the template's example (`assets/examples/<vorlage>.json`) overwritten by the form data
//!   where [`vorbelegen`] knows the field; Tenor, Begründung and Nebenbestimmungen are the
//!   template's own text for this case ([`bescheid::textvorschlag`]); fees come from the
//!   example. Everything is editable; saving writes a new version to the encrypted store
//!   (author, time, audited) and the session's contact data for the information block.
//! - **Preview**: [`bescheid::vorschau`], the engine's own layout drawn as SVG pages.
//! - **Vorlegen** is the status action „Entscheidung zur Freigabe vorlegen“ (a draft must
//!   exist and render). The case then shows in the view „Zur Freigabe“.
//! - **Freigeben** ([`AppContext::entscheidung_freigeben`]): only a person with
//!   Zeichnungsbefugnis who wrote no version; the status machine decides from the draft's
//!   authors ([`domain::Entwurfsgeschichte`]). The Bescheid is set, sealed
//!   ([`AppContext::siegelschluessel`]), kept among the case's documents, and in the same
//!   transaction the case becomes „Beschieden“ and the sealed PDF goes into the Postausgang
//!   to the applicant's reply channel; without one, the case says so and the PDF is offered
//!   to save and send by post.
//! - **Zurückgeben**: the approver sends the draft back with a comment (status back to „In
//!   Prüfung“); the author's next save is a new version, and the approver's diff starts at
//!   the version they saw last.
//! - **Zahlung**: with fees the case shows „Zahlung offen“ until a caseworker records the
//!   payment ([`AppContext::zahlung_vermerken`]).

use domain::entscheidung::BescheidVermerk;
use domain::{Aktion, Entwurfsgeschichte, Handlung, Status, Vorgang};
use ipc::{
    Angabefeld, BescheidEntwurf, BescheidInfo, BescheidVorschau, DiffZeile, EntscheidungAnsicht,
    Ergebnis, ErrorCode, GebuehrZeile, IpcError, Moeglich, VorlageWahl,
};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use time::OffsetDateTime;

use crate::sitzung::{datum_parsen, iso, rfc3339};
use crate::vorgang::{aktion_ipc, anlage_url, fakten, rolle_fuer};
use crate::{AppContext, fehler, vorgang_id};

/// Audit code of a recorded payment.
pub const ZAHLUNG_VERMERKT: &str = "bescheid.zahlung_vermerkt";

/// The examples of the templates: complete facts and fees a draft starts from.
const BEISPIELE: &[(&str, &str)] = &[
    (
        "hundesteuer",
        include_str!("../../../assets/examples/hundesteuer.json"),
    ),
    (
        "gewerbeanmeldung",
        include_str!("../../../assets/examples/gewerbeanmeldung.json"),
    ),
    (
        "bewohnerparkausweis",
        include_str!("../../../assets/examples/bewohnerparkausweis.json"),
    ),
    (
        "sondernutzung",
        include_str!("../../../assets/examples/sondernutzung.json"),
    ),
    (
        "meldebescheinigung",
        include_str!("../../../assets/examples/meldebescheinigung.json"),
    ),
];

/// Labels of the template facts as the editor shows them.
const BEZEICHNUNGEN: &[(&str, &str)] = &[
    ("hund_name", "Name des Hundes"),
    ("rasse", "Rasse"),
    ("steuermarke", "Steuermarke Nr."),
    ("beginn", "Beginn (JJJJ-MM-TT)"),
    ("jahr", "Kalenderjahr"),
    ("monate", "Monate im laufenden Jahr"),
    ("jahresbetrag_cent", "Jahressteuer in Cent"),
    ("ermaessigung", "Ermäßigung (Begründung, leer: keine)"),
    ("taetigkeit", "Tätigkeit"),
    ("betriebsstaette", "Betriebsstätte"),
    ("registernummer", "Registernummer"),
    ("gebuehrengrundlage", "Rechtsgrundlage der Gebühr"),
    ("kennzeichen", "Kennzeichen"),
    ("zone", "Parkzone"),
    ("zonenbezeichnung", "Bezeichnung der Zone"),
    ("gemeldet_seit", "Gemeldet seit (JJJJ-MM-TT)"),
    ("gueltig_von", "Gültig von (JJJJ-MM-TT)"),
    ("gueltig_bis", "Gültig bis (JJJJ-MM-TT)"),
    ("art", "Art"),
    ("beschreibung", "Beschreibung"),
    ("ort", "Ort"),
    ("von", "Von (JJJJ-MM-TT)"),
    ("bis", "Bis (JJJJ-MM-TT)"),
    ("flaeche_qm", "Fläche in m²"),
    ("restgehweg", "Verbleibende Gehwegbreite"),
    ("auflagen", "Auflagen"),
    (
        "verwaltungsgebuehr_grundlage",
        "Rechtsgrundlage der Verwaltungsgebühr",
    ),
    ("person", "Person"),
    ("wohnungen", "Wohnungen"),
    ("zweck", "Zweck"),
    ("anzahl", "Anzahl"),
    ("identifizierung", "Identifizierung"),
    ("verwaltungsgericht", "Verwaltungsgericht"),
];

fn bezeichnung(schluessel: &str) -> String {
    BEZEICHNUNGEN
        .iter()
        .find(|(k, _)| *k == schluessel)
        .map(|(_, b)| (*b).to_owned())
        .unwrap_or_else(|| schluessel.replace('_', " "))
}

/// The name of a template as the editor offers it.
fn vorlage_bezeichnung(id: &str) -> String {
    match id {
        "hundesteuer" => "Hundesteuer – Festsetzung".into(),
        "gewerbeanmeldung" => "Gewerbeanmeldung – Empfangsbestätigung".into(),
        "bewohnerparkausweis" => "Bewohnerparkausweis – Erteilung".into(),
        "sondernutzung" => "Sondernutzungserlaubnis".into(),
        "meldebescheinigung" => "Meldebescheinigung".into(),
        andere => andere.to_owned(),
    }
}

fn ungueltig(m: impl Into<String>) -> IpcError {
    IpcError::new(ErrorCode::InvalidInput, m)
}

fn beispiel(vorlage: &str) -> Result<bescheid::Entscheidung, IpcError> {
    let text = BEISPIELE
        .iter()
        .find(|(id, _)| *id == vorlage)
        .map(|(_, t)| *t)
        .ok_or_else(|| ungueltig(format!("Für „{vorlage}“ gibt es keine Bescheidvorlage.")))?;
    bescheid::Entscheidung::from_json(text.as_bytes())
        .map_err(|e| IpcError::new(ErrorCode::Internal, format!("Beispiel {vorlage}: {e}")))
}

fn ergebnis_bescheid(e: Ergebnis) -> bescheid::Ergebnis {
    match e {
        Ergebnis::Stattgegeben => bescheid::Ergebnis::Stattgegeben,
        Ergebnis::TeilweiseStattgegeben => bescheid::Ergebnis::TeilweiseStattgegeben,
        Ergebnis::Abgelehnt => bescheid::Ergebnis::Abgelehnt,
    }
}

/// A value of the form data as text (`a.b` path), if present.
fn formularwert(form: &Value, pfad: &str) -> Option<String> {
    let mut v = form;
    for teil in pfad.split('.') {
        v = v.get(teil)?;
    }
    match v {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_owned()),
        Value::Number(n) => Some(n.to_string()),
        Value::Object(o) if o.contains_key("strasse") => {
            let t = |k: &str| o.get(k).and_then(Value::as_str).unwrap_or_default();
            Some(
                format!(
                    "{} {}, {} {}",
                    t("strasse"),
                    t("hausnummer"),
                    t("plz"),
                    t("ort")
                )
                .replace("  ", " ")
                .trim()
                .to_owned(),
            )
        }
        _ => None,
    }
}

/// Which template fact comes from which form field (the demo authority's form schemas;
/// another authority's forms map by the same names or are filled in by hand).
const AUS_DEM_ANTRAG: &[(&str, &str, &str)] = &[
    ("hundesteuer", "hund_name", "hund.name"),
    ("hundesteuer", "rasse", "hund.rasse"),
    ("gewerbeanmeldung", "taetigkeit", "betrieb.taetigkeit"),
    ("gewerbeanmeldung", "beginn", "betrieb.beginn"),
    (
        "gewerbeanmeldung",
        "betriebsstaette",
        "betrieb.betriebsstaette",
    ),
    ("bewohnerparkausweis", "kennzeichen", "fahrzeug.kennzeichen"),
    ("bewohnerparkausweis", "zone", "parkzone"),
    ("sondernutzung", "art", "nutzung.art"),
    ("sondernutzung", "von", "nutzung.von"),
    ("sondernutzung", "bis", "nutzung.bis"),
    ("sondernutzung", "flaeche_qm", "nutzung.flaecheQm"),
    ("sondernutzung", "ort", "nutzung.ort"),
    ("meldebescheinigung", "art", "bescheinigung.art"),
    ("meldebescheinigung", "anzahl", "bescheinigung.anzahl"),
    ("meldebescheinigung", "zweck", "bescheinigung.zweck"),
];

/// The template's facts for case `v`: the example's, overwritten from the form data.
pub fn vorbelegen(vorlage: &str, v: &Vorgang) -> Result<Vec<Angabefeld>, IpcError> {
    let b = beispiel(vorlage)?;
    let form: Value = serde_json::from_str(&v.formulardaten.inhalt).unwrap_or(Value::Null);
    let mut out = Vec::new();
    for (k, wert) in &b.angaben {
        let zahl = wert.is_i64() || wert.is_u64();
        let aus_form = AUS_DEM_ANTRAG
            .iter()
            .find(|(l, s, _)| *l == vorlage && s == k)
            .and_then(|(_, _, pfad)| formularwert(&form, pfad))
            .filter(|w| !zahl || w.parse::<i64>().is_ok());
        let text = aus_form.unwrap_or_else(|| match wert {
            Value::String(s) => s.clone(),
            Value::Null => String::new(),
            // Nested facts (a person, a list of flats) are edited as JSON text.
            andere => serde_json::to_string_pretty(andere).unwrap_or_default(),
        });
        out.push(Angabefeld {
            schluessel: k.clone(),
            bezeichnung: bezeichnung(k),
            wert: text,
            zahl,
        });
    }
    if vorlage == "hundesteuer"
        && let Some(beginn) =
            formularwert(&form, "hund.haltungBeginn").and_then(|d| datum_parsen(&d))
    {
        // Tax is due from the first of the month the dog came (§ 4 HStS of the example).
        let erster = beginn.replace_day(1).unwrap_or(beginn);
        let setzen = |out: &mut Vec<Angabefeld>, k: &str, w: String| {
            if let Some(f) = out.iter_mut().find(|f| f.schluessel == k) {
                f.wert = w;
            }
        };
        setzen(&mut out, "beginn", iso(erster));
        setzen(&mut out, "jahr", erster.year().to_string());
        setzen(
            &mut out,
            "monate",
            (13 - u8::from(erster.month())).to_string(),
        );
    }
    Ok(out)
}

/// What the store keeps of one draft version: the editor's content and who the
/// information block names.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Gespeichert {
    entwurf: BescheidEntwurf,
    bearbeitung: bescheid::Bearbeitung,
}

/// A day one month after `d` (the payment due date's proposal).
fn einen_monat_spaeter(d: time::Date) -> time::Date {
    let (j, m) = if d.month() == time::Month::December {
        (d.year() + 1, time::Month::January)
    } else {
        (d.year(), d.month().next())
    };
    let tag = d.day().min(time::util::days_in_month(m, j));
    time::Date::from_calendar_date(j, m, tag).unwrap_or(d)
}

fn text_diffzeilen(e: &BescheidEntwurf) -> Vec<String> {
    let mut z = vec![
        format!("Vorlage: {}", vorlage_bezeichnung(&e.vorlage)),
        format!("Ergebnis: {}", ergebnis_text(e.ergebnis)),
    ];
    z.extend(
        e.angaben
            .iter()
            .map(|a| format!("{}: {}", a.bezeichnung, a.wert)),
    );
    z.extend(
        e.tenor
            .iter()
            .enumerate()
            .map(|(i, t)| format!("Tenor {}: {t}", i + 1)),
    );
    z.extend(
        e.begruendung
            .split("\n\n")
            .map(str::trim)
            .filter(|a| !a.is_empty())
            .map(|a| format!("Begründung: {a}")),
    );
    z.extend(
        e.nebenbestimmungen
            .iter()
            .map(|n| format!("Nebenbestimmung: {n}")),
    );
    z.extend(e.gebuehren.iter().map(|g| {
        format!(
            "Gebühr: {} ({}) {}",
            g.bezeichnung,
            g.rechtsgrundlage,
            bescheid::betrag_deutsch(g.betrag_cent)
        )
    }));
    if !e.gebuehren.is_empty() {
        z.push(format!("Kassenzeichen: {}", e.kassenzeichen));
        z.push(format!("Fällig am: {}", e.faellig_am));
    }
    z
}

fn ergebnis_text(e: Ergebnis) -> &'static str {
    match e {
        Ergebnis::Stattgegeben => "Bewilligung",
        Ergebnis::TeilweiseStattgegeben => "Teilbewilligung",
        Ergebnis::Abgelehnt => "Ablehnung",
    }
}

/// The lines that differ between two versions (longest common subsequence; unchanged
/// lines are kept so the approver reads the change in context).
pub fn unterschied(alt: &BescheidEntwurf, neu: &BescheidEntwurf) -> Vec<DiffZeile> {
    let a = text_diffzeilen(alt);
    let b = text_diffzeilen(neu);
    let (n, m) = (a.len(), b.len());
    let mut l = vec![vec![0u32; m + 1]; n + 1];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            l[i][j] = if a[i] == b[j] {
                l[i + 1][j + 1] + 1
            } else {
                l[i + 1][j].max(l[i][j + 1])
            };
        }
    }
    let zeile = |art: &str, text: &str| DiffZeile {
        art: art.into(),
        text: text.into(),
    };
    let (mut i, mut j, mut out) = (0, 0, Vec::new());
    while i < n || j < m {
        if i < n && j < m && a[i] == b[j] {
            out.push(zeile("gleich", &a[i]));
            i += 1;
            j += 1;
        } else if j < m && (i == n || l[i][j + 1] >= l[i + 1][j]) {
            out.push(zeile("neu", &b[j]));
            j += 1;
        } else {
            out.push(zeile("weg", &a[i]));
            i += 1;
        }
    }
    out
}

/// The issued Bescheid of `v` as the case view and the Entscheidung tab show it.
pub(crate) fn bescheid_info(v: &Vorgang) -> Option<BescheidInfo> {
    v.bescheid.as_ref().map(|b| BescheidInfo {
        datum: b.datum.clone(),
        version: b.version,
        freigegeben_von: b.freigegeben_von.clone(),
        dateiname: b.dateiname.clone(),
        url: anlage_url(&v.id.to_string(), &b.sha512),
        summe_cent: b.summe_cent,
        kassenzeichen: b.kassenzeichen.clone(),
        zahlung_offen: b.zahlung_offen(),
        bezahlt_am: b.bezahlt_am.clone(),
        versand: if b.versand == "rueckkanal" {
            "Über den FIT-Connect-Rückkanal an die antragstellende Person gesendet.".into()
        } else {
            "Kein elektronischer Rückkanal: Bitte drucken Sie den Bescheid aus und senden Sie ihn per Post.".into()
        },
    })
}

fn moeglich(r: Result<(), String>) -> Moeglich {
    match r {
        Ok(()) => Moeglich {
            moeglich: true,
            hinweis: None,
        },
        Err(h) => Moeglich {
            moeglich: false,
            hinweis: Some(h),
        },
    }
}

impl AppContext {
    /// The decision engine's view of the authority (letterhead, footer, bank, Land).
    pub(crate) fn behoerde_fuer_bescheid(&self) -> bescheid::Behoerde {
        let b = self.behoerde();
        let k = &b.briefkopf;
        let anschrift = k.anschrift.clone().unwrap_or_default();
        bescheid::Behoerde {
            name: b.name.clone(),
            organisationseinheit: k.organisationseinheit.clone(),
            anschrift: bescheid::Anschrift {
                strasse: anschrift.strasse,
                plz: anschrift.plz,
                ort: anschrift.ort,
            },
            telefon: k.telefon.clone(),
            email: k.email.clone(),
            web: k.web.clone(),
            oeffnungszeiten: Vec::new(),
            bankverbindung: k
                .bankverbindung
                .as_ref()
                .map(|bv| bescheid::Bankverbindung {
                    institut: bv.institut.clone(),
                    iban: bv.iban.clone(),
                    bic: bv.bic.clone(),
                }),
            logo: None,
            // The variants are the two-letter codes.
            land: Some(format!("{:?}", b.land)),
        }
    }

    /// The information block's caseworker: the session's person.
    fn bearbeitung(&self) -> bescheid::Bearbeitung {
        let k = &self.behoerde().briefkopf;
        bescheid::Bearbeitung {
            name: self.sitzung.anzeigename.clone(),
            telefon: self
                .sitzung
                .telefon
                .clone()
                .unwrap_or_else(|| k.telefon.clone()),
            email: self
                .sitzung
                .email
                .clone()
                .unwrap_or_else(|| k.email.clone()),
            zimmer: self.sitzung.zimmer.clone(),
        }
    }

    /// The engine's decision for case `v` from draft `e`, issued on `datum`.
    fn entscheidung_bauen(
        &self,
        v: &Vorgang,
        e: &BescheidEntwurf,
        bearbeitung: bescheid::Bearbeitung,
        datum: time::Date,
    ) -> Result<bescheid::Entscheidung, IpcError> {
        let basis = beispiel(&e.vorlage)?;
        let mut angaben = basis.angaben.clone();
        for a in &e.angaben {
            let wert = if a.zahl {
                let n: i64 = a.wert.trim().parse().map_err(|_| {
                    ungueltig(format!(
                        "„{}“ muss eine ganze Zahl sein, nicht „{}“.",
                        a.bezeichnung, a.wert
                    ))
                })?;
                Value::from(n)
            } else if basis
                .angaben
                .get(&a.schluessel)
                .is_some_and(|b| b.is_object() || b.is_array())
            {
                serde_json::from_str(&a.wert).map_err(|e| {
                    ungueltig(format!(
                        "„{}“ ist kein gültiges JSON ({e}). Bitte prüfen Sie Klammern und Anführungszeichen.",
                        a.bezeichnung
                    ))
                })?
            } else {
                Value::from(a.wert.trim())
            };
            angaben.insert(a.schluessel.clone(), wert);
        }
        if let Some(vg) = &self.behoerde().briefkopf.verwaltungsgericht {
            angaben
                .entry("verwaltungsgericht")
                .or_insert_with(|| Value::from(vg.clone()));
        }
        let az = v
            .aktenzeichen
            .as_ref()
            .map(|a| a.0.clone())
            .unwrap_or_default();
        let summe: i64 = e.gebuehren.iter().map(|g| g.betrag_cent).sum();
        let zahlung = (summe > 0).then(|| bescheid::Zahlung {
            faellig_am: e.faellig_am.clone(),
            verwendungszweck: format!("{} {}", e.kassenzeichen, az).trim().to_owned(),
            kassenzeichen: Some(e.kassenzeichen.clone()).filter(|k| !k.trim().is_empty()),
        });
        Ok(bescheid::Entscheidung {
            leistung: basis.leistung,
            aktenzeichen: az,
            datum: iso(datum),
            behoerde: self.behoerde_fuer_bescheid(),
            bearbeitung,
            empfaenger: crate::nachrichten::empfaenger(v),
            antrag_vom: iso(v.eingang.date()),
            ihr_zeichen: None,
            ergebnis: ergebnis_bescheid(e.ergebnis),
            angaben,
            gebuehren: e
                .gebuehren
                .iter()
                .map(|g| bescheid::Gebuehr {
                    bezeichnung: g.bezeichnung.clone(),
                    rechtsgrundlage: Some(g.rechtsgrundlage.clone())
                        .filter(|r| !r.trim().is_empty()),
                    betrag_cent: g.betrag_cent,
                })
                .collect(),
            zahlung,
            text: Some(bescheid::Bescheidtext {
                tenor: e.tenor.clone(),
                begruendung: e.begruendung.clone(),
                nebenbestimmungen: e.nebenbestimmungen.clone(),
            }),
        })
    }

    fn vorlagen_des_vorgangs(&self, v: &Vorgang) -> Vec<String> {
        self.behoerde()
            .leistung(&v.leistung.leika)
            .map(|l| l.bescheid_vorlagen.clone())
            .unwrap_or_default()
    }

    /// Command `entscheidung_vorschlag`: a new draft of `vorlage` with outcome `ergebnis`,
    /// prefilled from the case.
    pub fn entscheidung_vorschlag(
        &self,
        id: String,
        vorlage: String,
        ergebnis: Ergebnis,
    ) -> Result<BescheidEntwurf, IpcError> {
        let vid = vorgang_id(&id)?;
        let v = self.lesen(&vid)?;
        self.vorschlag(&v, &vorlage, ergebnis)
    }

    fn vorschlag(
        &self,
        v: &Vorgang,
        vorlage: &str,
        ergebnis: Ergebnis,
    ) -> Result<BescheidEntwurf, IpcError> {
        if !self.vorlagen_des_vorgangs(v).iter().any(|x| x == vorlage) {
            return Err(ungueltig(format!(
                "Die Leistung „{}“ hat keine Bescheidvorlage „{vorlage}“.",
                v.leistung.name
            )));
        }
        let b = beispiel(vorlage)?;
        let heute = self.sitzung.heute();
        let az = v
            .aktenzeichen
            .as_ref()
            .map(|a| a.0.clone())
            .unwrap_or_default();
        let mut entwurf = BescheidEntwurf {
            vorlage: vorlage.to_owned(),
            ergebnis,
            angaben: vorbelegen(vorlage, v)?,
            tenor: Vec::new(),
            begruendung: String::new(),
            nebenbestimmungen: Vec::new(),
            gebuehren: b
                .gebuehren
                .iter()
                .map(|g| GebuehrZeile {
                    bezeichnung: g.bezeichnung.clone(),
                    rechtsgrundlage: g.rechtsgrundlage.clone().unwrap_or_default(),
                    betrag_cent: g.betrag_cent,
                })
                .collect(),
            kassenzeichen: az
                .chars()
                .filter(char::is_ascii_alphanumeric)
                .collect::<String>(),
            faellig_am: iso(einen_monat_spaeter(heute)),
        };
        let mut e = self.entscheidung_bauen(v, &entwurf, self.bearbeitung(), heute)?;
        e.text = None;
        let t = bescheid::textvorschlag(&e)
            .map_err(|e| ungueltig(format!("Die Vorlage lässt sich nicht füllen: {e}")))?;
        entwurf.tenor = t.tenor;
        entwurf.begruendung = t.begruendung;
        entwurf.nebenbestimmungen = t.nebenbestimmungen;
        Ok(entwurf)
    }

    /// Command `entscheidung_vorschau`: the draft's pages as the engine sets them.
    pub fn entscheidung_vorschau(
        &self,
        id: String,
        entwurf: BescheidEntwurf,
    ) -> Result<BescheidVorschau, IpcError> {
        let vid = vorgang_id(&id)?;
        let v = self.lesen(&vid)?;
        Ok(self.vorschau_setzen(&v, &entwurf, self.bearbeitung()))
    }

    fn vorschau_setzen(
        &self,
        v: &Vorgang,
        entwurf: &BescheidEntwurf,
        bearbeitung: bescheid::Bearbeitung,
    ) -> BescheidVorschau {
        let gesetzt = self
            .entscheidung_bauen(v, entwurf, bearbeitung, self.sitzung.heute())
            .and_then(|e| bescheid::vorschau(&e).map_err(|e| ungueltig(e.to_string())));
        match gesetzt {
            Ok(s) => BescheidVorschau {
                seiten: s.seiten,
                millis: u32::try_from(s.satz.as_millis()).unwrap_or(u32::MAX),
                fehler: None,
            },
            Err(e) => BescheidVorschau {
                seiten: Vec::new(),
                millis: 0,
                fehler: Some(e.message),
            },
        }
    }

    /// Command `entscheidung`: what the Entscheidung tab shows. Looking at a draft in
    /// approval records the version the person saw (the start of their next diff).
    pub fn entscheidung(&self, id: String) -> Result<EntscheidungAnsicht, IpcError> {
        let vid = vorgang_id(&id)?;
        let ich = self.sitzung.benutzer.clone();
        let (v, g, aktuell, gesehen, frueher) = self
            .store
            .read(|r| {
                let v = r.vorgang(&vid)?.ok_or_else(|| {
                    store::StoreError::NichtGefunden(format!("Der Vorgang {vid}"))
                })?;
                let g = r.entwurf_geschichte(&vid)?;
                let aktuell = r.entwurf(&vid, None)?;
                let gesehen = r.entwurf_gesehen(&vid, &ich)?;
                let frueher = match (gesehen, &aktuell) {
                    (Some(s), Some(a)) if s < a.version => r.entwurf(&vid, Some(s))?,
                    _ => None,
                };
                Ok((v, g, aktuell, gesehen, frueher))
            })
            .map_err(fehler)?;
        // A write only when a draft in approval is seen in a version not yet recorded.
        if let Some(a) = &aktuell
            && v.status == Status::EntscheidungInFreigabe
            && gesehen != Some(a.version)
        {
            self.store
                .write(|w| w.entwurf_gesehen_setzen(&vid, &ich, a.version))
                .map_err(fehler)?;
        }
        self.ansicht(&v, &g, aktuell, gesehen, frueher)
    }

    fn ansicht(
        &self,
        v: &Vorgang,
        g: &Entwurfsgeschichte,
        aktuell: Option<store::Entwurf>,
        gesehen: Option<u32>,
        frueher: Option<store::Entwurf>,
    ) -> Result<EntscheidungAnsicht, IpcError> {
        let ich = self.sitzung.benutzer.as_str();
        let rollen = self.sitzung.domain_rollen();
        let vorlagen = self.vorlagen_des_vorgangs(v);
        let gelesen = |e: &store::Entwurf| -> Result<Gespeichert, IpcError> {
            serde_json::from_str(&e.inhalt).map_err(|err| {
                IpcError::new(
                    ErrorCode::Internal,
                    format!("Der gespeicherte Entwurf ist nicht lesbar: {err}"),
                )
            })
        };
        let entwurf = match &aktuell {
            Some(a) => gelesen(a)?.entwurf,
            None => match vorlagen.first() {
                Some(erste) => self.vorschlag(v, erste, Ergebnis::Stattgegeben)?,
                None => {
                    return Err(ungueltig(format!(
                        "Für die Leistung „{}“ ist keine Bescheidvorlage konfiguriert (bescheid_vorlagen in behoerde.toml).",
                        v.leistung.name
                    )));
                }
            },
        };
        let aenderungen = match &frueher {
            Some(f) => unterschied(&gelesen(f)?.entwurf, &entwurf),
            None => Vec::new(),
        };
        // The steps as the case view offers them (one rule for both); an action it does not
        // offer says why the status machine refuses it.
        let angebot = self.aktionen(v, g);
        let schritt = |aktion: Aktion| -> Moeglich {
            let code = aktion_ipc(Handlung::Status(aktion));
            match angebot.iter().find(|a| a.aktion == code) {
                Some(a) => Moeglich {
                    moeglich: a.moeglich,
                    hinweis: a.hinweis.clone(),
                },
                None => moeglich(
                    v.status
                        .anwenden_als(aktion, &rollen, &g.fakten(ich, fakten(v, true, true)))
                        .map(|_| ())
                        .map_err(|e| e.to_string()),
                ),
            }
        };
        let bearbeiten = domain::entscheidung::bearbeiten_pruefen(v.status)
            .map_err(|h| h.to_string())
            .and_then(|()| {
                let rolle = rolle_fuer(&rollen, Status::InPruefung, Aktion::ZurFreigabeVorlegen);
                domain::bearbeitung::handeln_pruefen(v.zustaendig.as_deref(), ich, rolle)
                    .map_err(|h| h.hinweis())
            });
        let bescheid = bescheid_info(v);
        let e_rbb = self
            .entscheidung_bauen(v, &entwurf, self.bearbeitung(), self.sitzung.heute())
            .ok()
            .and_then(|e| bescheid::rechtsbehelfsbelehrung(&e).ok())
            .unwrap_or_default();
        Ok(EntscheidungAnsicht {
            vorlagen: vorlagen
                .iter()
                .map(|id| VorlageWahl {
                    id: id.clone(),
                    bezeichnung: vorlage_bezeichnung(id),
                })
                .collect(),
            version: aktuell.as_ref().map(|a| a.version),
            verfasser: g.verfasser().into_iter().map(str::to_owned).collect(),
            gespeichert_am: aktuell.as_ref().map(|a| rfc3339(a.zeit)),
            entwurf,
            rechtsbehelfsbelehrung: e_rbb,
            bearbeiten: moeglich(bearbeiten),
            vorlegen: schritt(Aktion::ZurFreigabeVorlegen),
            freigeben: schritt(Aktion::Freigeben),
            zurueckgeben: schritt(Aktion::FreigabeVerweigern),
            zuletzt_gesehen: gesehen,
            aenderungen,
            bescheid,
        })
    }

    /// Command `entscheidung_speichern`: the draft as a new version by the session's user.
    /// A draft that cannot be set is saved too (work in progress); submitting it is not.
    pub fn entscheidung_speichern(
        &self,
        id: String,
        entwurf: BescheidEntwurf,
    ) -> Result<EntscheidungAnsicht, IpcError> {
        let vid = vorgang_id(&id)?;
        let v = self.lesen(&vid)?;
        if !self.vorlagen_des_vorgangs(&v).contains(&entwurf.vorlage) {
            return Err(ungueltig(format!(
                "Die Leistung „{}“ hat keine Bescheidvorlage „{}“.",
                v.leistung.name, entwurf.vorlage
            )));
        }
        let rolle = rolle_fuer(
            &self.sitzung.domain_rollen(),
            Status::InPruefung,
            Aktion::ZurFreigabeVorlegen,
        );
        domain::bearbeitung::handeln_pruefen(
            v.zustaendig.as_deref(),
            &self.sitzung.benutzer,
            rolle,
        )
        .map_err(|h| ungueltig(h.to_string()))?;
        let inhalt = serde_json::to_string(&Gespeichert {
            entwurf,
            bearbeitung: self.bearbeitung(),
        })
        .map_err(|e| IpcError::new(ErrorCode::Internal, e.to_string()))?;
        let ich = self.sitzung.benutzer.clone();
        self.store
            .write(|w| w.entwurf_speichern(&vid, &ich, &inhalt))
            .map_err(fehler)?;
        self.entscheidung(id)
    }

    /// Before submitting: the saved draft must be set without error.
    pub(crate) fn vorlegen_pruefen(&self, v: &Vorgang) -> Result<(), IpcError> {
        let aktuell = self
            .store
            .read(|r| r.entwurf(&v.id, None))
            .map_err(fehler)?;
        let Some(a) = aktuell else {
            return Err(ungueltig(
                "Es gibt noch keinen gespeicherten Bescheidentwurf. Speichern Sie ihn im Reiter „Entscheidung“.",
            ));
        };
        let g: Gespeichert = serde_json::from_str(&a.inhalt)
            .map_err(|e| IpcError::new(ErrorCode::Internal, e.to_string()))?;
        let vorschau = self.vorschau_setzen(v, &g.entwurf, g.bearbeitung);
        match vorschau.fehler {
            Some(f) => Err(ungueltig(format!(
                "Der Entwurf lässt sich so nicht setzen: {f} Bitte korrigieren und speichern Sie ihn."
            ))),
            None => Ok(()),
        }
    }

    /// Command `entscheidung_freigeben` (and `vorgang_aktion` with Freigeben): the second
    /// pair of eyes approves; the Bescheid is set, sealed, kept in the case and sent (see
    /// the module doc). Refused, with the status machine's German text, for an author of
    /// the draft or a person without Zeichnungsbefugnis; nothing changes then.
    pub fn entscheidung_freigeben(&self, id: String) -> Result<EntscheidungAnsicht, IpcError> {
        let vid = vorgang_id(&id)?;
        let ich = self.sitzung.benutzer.clone();
        let rollen = self.sitzung.domain_rollen();
        let (v, g, aktuell, metadaten) = self
            .store
            .read(|r| {
                let v = r.vorgang(&vid)?.ok_or_else(|| {
                    store::StoreError::NichtGefunden(format!("Der Vorgang {vid}"))
                })?;
                let m = sync::antwort::metadaten_lesen(r, &v)?;
                Ok((v, r.entwurf_geschichte(&vid)?, r.entwurf(&vid, None)?, m))
            })
            .map_err(fehler)?;
        let rolle = rolle_fuer(&rollen, v.status, Aktion::Freigeben);
        let f = g.fakten(&ich, fakten(&v, false, false));
        v.status
            .anwenden(Aktion::Freigeben, rolle, &f)
            .map_err(|e| ungueltig(e.to_string()))?;
        let a = aktuell.ok_or_else(|| ungueltig("Es gibt keinen Bescheidentwurf."))?;
        let gespeichert: Gespeichert = serde_json::from_str(&a.inhalt)
            .map_err(|e| IpcError::new(ErrorCode::Internal, e.to_string()))?;
        let heute = self.sitzung.heute();
        let e =
            self.entscheidung_bauen(&v, &gespeichert.entwurf, gespeichert.bearbeitung, heute)?;
        let schluessel = self.siegelschluessel()?;
        let aus = bescheid::ausstellen(&e, schluessel.as_ref(), OffsetDateTime::now_utc())
            .map_err(|e| ungueltig(format!("Der Bescheid lässt sich nicht ausstellen: {e}")))?;
        let az = e.aktenzeichen.clone();
        let dateiname = format!("Bescheid {} vom {}.pdf", az.replace('/', "-"), iso(heute));
        let abgelegt = self.dokument_ablegen(&dateiname, "application/pdf", &aus.pdf)?;
        let summe = e.summe_cent();
        let verfasser: Vec<String> = g.verfasser().into_iter().map(str::to_owned).collect();
        let vermerk = |versand: &str| BescheidVermerk {
            datum: iso(heute),
            version: a.version,
            verfasser: verfasser.clone(),
            freigegeben_von: ich.clone(),
            sha512: abgelegt.sha512.clone(),
            dateiname: dateiname.clone(),
            summe_cent: summe,
            kassenzeichen: e.zahlung.as_ref().and_then(|z| z.kassenzeichen.clone()),
            bezahlt_am: None,
            versand: versand.to_owned(),
        };
        // The status entry of the approval says what was sealed (one audit entry, in the
        // transaction that changes the status).
        let details = format!(
            "Version {} von {}; gesiegelt: {dateiname}, {} Byte",
            a.version,
            verfasser.join(", "),
            aus.pdf.len()
        );
        let aendern = |versand: &'static str| {
            let vermerk = vermerk(versand);
            let abgelegt = abgelegt.clone();
            let details = details.clone();
            move |v: &mut Vorgang| -> Result<Option<(String, String)>, store::StoreError> {
                let von = v.status;
                let nach = v.anwenden(Aktion::Freigeben, rolle, &f)?;
                if !v.anlagen.iter().any(|x| x.sha512 == abgelegt.sha512) {
                    v.anlagen.push(abgelegt);
                }
                v.bescheid = Some(vermerk);
                Ok(Some((
                    format!(
                        "status: {} → {} ({})",
                        von.code(),
                        nach.code(),
                        Aktion::Freigeben.bezeichnung()
                    ),
                    details,
                )))
            }
        };
        if sync::antwort::rueckkanal_von(&v, metadaten.as_deref()).is_ok() {
            let antwort = sync::Antwort {
                art: domain::NachrichtArt::Bescheid,
                betreff: format!("Ihr Bescheid zum Aktenzeichen {az}"),
                text: format!(
                    "Guten Tag,\n\nanbei erhalten Sie den Bescheid zu Ihrem Antrag „{}“ \
                     (Aktenzeichen {az}). Er ist elektronisch gesiegelt; das Siegel und der \
                     QR-Code auf der ersten Seite lassen sich prüfen.\n\nMit freundlichen Grüßen\n{}",
                    v.leistung.name,
                    self.behoerde().name
                ),
                anlagen: vec![sync::AntwortAnlage {
                    dateiname: dateiname.clone(),
                    mime: "application/pdf".into(),
                    inhalt: aus.pdf.clone(),
                }],
                nachweise: Vec::new(),
                frist: None,
            };
            sync::antwort_einreihen(
                &self.store,
                &vid,
                antwort,
                &ich,
                Box::new(aendern("rueckkanal")),
            )
            .map_err(|e| ungueltig(e.to_string()))?;
            if let Some(s) = self.sync.get() {
                s.jetzt_abrufen();
            }
        } else {
            let aendern = aendern("brief");
            self.store
                .write(|w| {
                    let mut v = w.vorgang(&vid)?.ok_or_else(|| {
                        store::StoreError::NichtGefunden(format!("Der Vorgang {vid}"))
                    })?;
                    if let Some((was, d)) = aendern(&mut v)? {
                        w.vorgang_aendern(&v, &ich, &was, &d)?;
                    }
                    Ok(())
                })
                .map_err(fehler)?;
        }
        self.entscheidung(id)
    }

    /// Command `entscheidung_zurueckgeben`: the approver returns the draft with a comment.
    pub fn entscheidung_zurueckgeben(
        &self,
        id: String,
        kommentar: String,
    ) -> Result<EntscheidungAnsicht, IpcError> {
        self.vorgang_aktion(ipc::AktionAnfrage {
            id: id.clone(),
            aktion: ipc::Aktion::FreigabeVerweigern,
            begruendung: Some(kommentar),
            empfaenger: None,
            datum: None,
        })?;
        self.entscheidung(id)
    }

    /// Command `zahlung_vermerken`: the fees of the Bescheid were paid on `datum`.
    pub fn zahlung_vermerken(
        &self,
        id: String,
        datum: String,
    ) -> Result<EntscheidungAnsicht, IpcError> {
        let vid = vorgang_id(&id)?;
        let d = datum_parsen(&datum).ok_or_else(|| {
            ungueltig(format!(
                "„{datum}“ ist kein gültiges Datum. Bitte wählen Sie es im Kalender."
            ))
        })?;
        if d > self.sitzung.heute() {
            return Err(ungueltig(
                "Der Zahlungseingang kann nicht in der Zukunft liegen.",
            ));
        }
        let ich = self.sitzung.benutzer.clone();
        self.store
            .write(|w| {
                let mut v = w.vorgang(&vid)?.ok_or_else(|| {
                    store::StoreError::NichtGefunden(format!("Der Vorgang {vid}"))
                })?;
                let b = v
                    .bescheid
                    .as_mut()
                    .filter(|b| b.zahlung_offen())
                    .ok_or_else(|| {
                        store::StoreError::Unzulaessig(
                            "Für diesen Vorgang ist keine Zahlung offen.".into(),
                        )
                    })?;
                b.bezahlt_am = Some(iso(d));
                w.vorgang_aendern(&v, &ich, ZAHLUNG_VERMERKT, &iso(d))
            })
            .map_err(fehler)?;
        self.entscheidung(id)
    }
}
