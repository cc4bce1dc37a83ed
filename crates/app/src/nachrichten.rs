//! Writing to the applicant from the case: the thread with each outgoing message's delivery
//! state, Nachforderung (Nachweise of the Leistung, reply Frist, Wiedervorlage), Erinnerung,
//! free messages, templates filled from the case, the preview exactly as it will be sent,
//! „Erneut senden“ and ticking Nachweise by hand.
//!
//! A message is composed once ([`AppContext::zusammenstellen`]) for both the preview and the
//! sending, so what the caseworker saw is what goes out. Sending seals the message to the
//! applicant's reply key and queues it in one store transaction with the Nachricht on the
//! case, the audit entry, and for a Nachforderung the status change „Wartet auf Unterlagen“
//! (through the status machine) and the Wiedervorlage the working day after the Frist ([`sync::antwort_einreihen`]).
//! Files chosen in the system's dialog are checked (size, content matching the name) and
//! stored encrypted in the case like every other document before they are sealed.
//!
//! Templates are `assets/nachrichten/<art>.txt` (compiled in): a first line `Betreff: …`, an
//! empty line, the text; placeholders in braces ([`PLATZHALTER`]). Text is plain text, never
//! HTML, on every path.
//!
//! Without a FIT-Connect reply channel the message becomes a letter ([`AppContext::brief_erstellen`]:
//! the Bescheid engine's layout, not sealed), saved where the caseworker chooses to print it
//! and kept in the case; the thread records it „per Brief“. The other channels the metadata
//! name (e-mail, De-Mail, ELSTER, FINK) are shown as information, never used.

use domain::nachforderung::{self, ANLAGE_MAX_BYTES, AngeforderterNachweis, Nachforderung};
use domain::{Aktion, AnlageRef, Fakten, Kanal, NachrichtArt, Richtung, Vorgang, VorgangId};
use ipc::{
    ErrorCode, IpcError, NachforderungInfo, NachrichtAnfrage, NachrichtEntwurf, NachrichtInfo,
    NachrichtVorschau, NachweisAuswahl, NachweisStand, RueckkanalInfo, VorgangDetail, Zustellung,
};
use store::Lesen;
use time::{Date, OffsetDateTime};

use crate::sitzung::{datum_parsen, deutsch, iso, rfc3339};
use crate::{AppContext, fehler, vorgang_id};

/// The placeholders a template may use.
pub const PLATZHALTER: [&str; 11] = [
    "Aktenzeichen",
    "Antragsteller",
    "Leistung",
    "Eingang",
    "Frist",
    "Nachweise",
    "Gesendet",
    "Sachbearbeitung",
    "Behörde",
    "Begründung",
    "Empfänger",
];

/// Audit code of a Nachweis ticked or unticked by a person.
pub const NACHWEIS_GESETZT: &str = "nachweis.gesetzt";
/// Audit code of a message made a letter (no reply channel).
pub const BRIEF_ERSTELLT: &str = "brief.erstellt";
/// Audit code of a given-up message queued again by a person.
pub const ERNEUT_GESENDET: &str = "antwort.erneut";

pub(crate) fn vorlage(art: NachrichtArt) -> &'static str {
    match art {
        NachrichtArt::Nachforderung => {
            include_str!("../../../assets/nachrichten/nachforderung.txt")
        }
        NachrichtArt::Erinnerung => include_str!("../../../assets/nachrichten/erinnerung.txt"),
        NachrichtArt::Eingangsbestaetigung => {
            include_str!("../../../assets/nachrichten/eingangsbestaetigung.txt")
        }
        NachrichtArt::Zurueckweisung => {
            include_str!("../../../assets/nachrichten/zurueckweisung.txt")
        }
        NachrichtArt::Nachricht | NachrichtArt::Nachreichung | NachrichtArt::Bescheid => {
            include_str!("../../../assets/nachrichten/nachricht.txt")
        }
    }
}

/// Fills `{Platzhalter}` in `vorlage` from `werte`; unknown braces stay as they are. Splits
/// off the `Betreff: ` line.
pub fn fuellen(vorlage: &str, werte: &[(&str, String)]) -> (String, String) {
    let mut text = vorlage.replace("\r\n", "\n");
    for (name, wert) in werte {
        text = text.replace(&format!("{{{name}}}"), wert);
    }
    match text.split_once('\n') {
        Some((erste, rest)) if erste.starts_with("Betreff:") => (
            erste.trim_start_matches("Betreff:").trim().to_owned(),
            rest.trim_start_matches('\n').trim_end().to_owned(),
        ),
        _ => (String::new(), text.trim_end().to_owned()),
    }
}

fn art_domain(a: ipc::NachrichtArt) -> NachrichtArt {
    match a {
        ipc::NachrichtArt::Nachricht => NachrichtArt::Nachricht,
        ipc::NachrichtArt::Nachforderung => NachrichtArt::Nachforderung,
        ipc::NachrichtArt::Erinnerung => NachrichtArt::Erinnerung,
        ipc::NachrichtArt::Eingangsbestaetigung => NachrichtArt::Eingangsbestaetigung,
        ipc::NachrichtArt::Nachreichung => NachrichtArt::Nachreichung,
        ipc::NachrichtArt::Bescheid => NachrichtArt::Bescheid,
        ipc::NachrichtArt::Zurueckweisung => NachrichtArt::Zurueckweisung,
    }
}

fn art_ipc(a: NachrichtArt) -> ipc::NachrichtArt {
    match a {
        NachrichtArt::Nachricht => ipc::NachrichtArt::Nachricht,
        NachrichtArt::Nachforderung => ipc::NachrichtArt::Nachforderung,
        NachrichtArt::Erinnerung => ipc::NachrichtArt::Erinnerung,
        NachrichtArt::Eingangsbestaetigung => ipc::NachrichtArt::Eingangsbestaetigung,
        NachrichtArt::Nachreichung => ipc::NachrichtArt::Nachreichung,
        NachrichtArt::Bescheid => ipc::NachrichtArt::Bescheid,
        NachrichtArt::Zurueckweisung => ipc::NachrichtArt::Zurueckweisung,
    }
}

fn ungueltig(m: impl Into<String>) -> IpcError {
    IpcError::new(ErrorCode::InvalidInput, m)
}

fn sync_fehler(e: sync::SyncError) -> IpcError {
    match e {
        sync::SyncError::Store(s) => fehler(s),
        other => ungueltig(other.to_string()),
    }
}

/// A reply Frist as the dialog or the CLI sends it (`YYYY-MM-DD`; blank: none given).
fn frist_lesen(text: Option<&str>) -> Result<Option<Date>, IpcError> {
    match text.map(str::trim).filter(|f| !f.is_empty()) {
        Some(f) => datum_parsen(f).map(Some).ok_or_else(|| {
            ungueltig(format!(
                "„{f}“ ist kein gültiges Datum. Bitte wählen Sie die Frist im Kalender."
            ))
        }),
        None => Ok(None),
    }
}

/// Size as people read it.
fn groesse_text(b: u64) -> String {
    if b >= 1024 * 1024 {
        format!("{:.1} MB", b as f64 / (1024.0 * 1024.0)).replace('.', ",")
    } else {
        format!("{} KB", b.div_ceil(1024))
    }
}

/// The types a document to the applicant may have, found from its content; the name's
/// extension must agree.
fn inhaltstyp(bytes: &[u8]) -> Option<(&'static str, &'static [&'static str])> {
    if bytes.starts_with(b"%PDF-") {
        Some(("application/pdf", &["pdf"]))
    } else if bytes.starts_with(&[0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a]) {
        Some(("image/png", &["png"]))
    } else if bytes.starts_with(&[0xff, 0xd8, 0xff]) {
        Some(("image/jpeg", &["jpg", "jpeg"]))
    } else {
        None
    }
}

/// A document checked for sending.
#[derive(Debug)]
struct Dokument {
    dateiname: String,
    mime: String,
    inhalt: Vec<u8>,
    /// Already one of the case's documents (else it is stored with the message).
    im_vorgang: bool,
}

/// A message checked and composed: what the preview shows and what is sent.
struct Zusammenstellung {
    art: NachrichtArt,
    betreff: String,
    text: String,
    nachweise: Vec<AngeforderterNachweis>,
    frist: Option<Date>,
    dokumente: Vec<Dokument>,
}

/// Checks a file chosen in the system's dialog: size, and content matching its name.
fn datei_lesen(pfad: &str) -> Result<Dokument, IpcError> {
    let p = std::path::Path::new(pfad);
    let name = p
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| pfad.to_owned());
    let meta = std::fs::metadata(p).map_err(|e| {
        ungueltig(format!(
            "Die Datei „{name}“ lässt sich nicht lesen ({e}). Wählen Sie sie erneut aus."
        ))
    })?;
    if meta.len() > ANLAGE_MAX_BYTES {
        return Err(ungueltig(format!(
            "Die Datei „{name}“ ist {} groß; eine Anlage darf höchstens {} haben. Verkleinern \
             Sie sie (z. B. als PDF mit geringerer Auflösung) oder teilen Sie sie auf.",
            groesse_text(meta.len()),
            groesse_text(ANLAGE_MAX_BYTES)
        )));
    }
    let inhalt = std::fs::read(p).map_err(|e| {
        ungueltig(format!(
            "Die Datei „{name}“ lässt sich nicht lesen ({e}). Wählen Sie sie erneut aus."
        ))
    })?;
    let endung = name
        .rsplit_once('.')
        .map(|(_, e)| e.to_lowercase())
        .unwrap_or_default();
    match inhaltstyp(&inhalt) {
        Some((mime, endungen)) if endungen.contains(&endung.as_str()) => Ok(Dokument {
            dateiname: name,
            mime: mime.to_owned(),
            inhalt,
            im_vorgang: false,
        }),
        Some((mime, endungen)) => Err(ungueltig(format!(
            "Die Datei „{name}“ ist nach ihrem Inhalt eine {}-Datei ({mime}), ihr Name endet \
             aber nicht auf .{}. Bitte prüfen Sie, ob es die richtige Datei ist, und benennen \
             Sie sie passend.",
            endungen[0].to_uppercase(),
            endungen[0]
        ))),
        None => Err(ungueltig(format!(
            "Die Datei „{name}“ ist keine PDF-, PNG- oder JPEG-Datei. Senden Sie Dokumente bitte \
             als PDF (Bilder als PNG oder JPEG)."
        ))),
    }
}

/// What sending (or printing) a message changes on the case, inside the transaction that
/// records it: the new documents linked, for a Nachforderung the status change through the
/// machine, the Nachforderung and the Wiedervorlage the working day after its Frist, for an
/// Erinnerung its time.
/// Returns the status change's audit entry.
fn aenderung(
    art: NachrichtArt,
    nachweise: Vec<AngeforderterNachweis>,
    frist: Option<Date>,
    rolle: domain::Rolle,
    wer: String,
    neue: Vec<AnlageRef>,
    land: domain::Bundesland,
) -> sync::antwort::Aenderung<'static> {
    Box::new(move |v: &mut Vorgang| {
        for n in neue {
            if !v
                .anlagen
                .iter()
                .any(|a| a.sha512 == n.sha512 && a.dateiname == n.dateiname)
            {
                v.anlagen.push(n);
            }
        }
        let jetzt = OffsetDateTime::now_utc();
        match (art, frist) {
            (NachrichtArt::Nachforderung, Some(frist)) => {
                domain::bearbeitung::handeln_pruefen(v.zustaendig.as_deref(), &wer, rolle)
                    .map_err(|e| store::StoreError::Unzulaessig(e.to_string()))?;
                let von = v.status;
                let f = Fakten {
                    zustaendig_gesetzt: v.zustaendig.is_some(),
                    nachforderung_formuliert: true,
                    ..Fakten::default()
                };
                let nach = v.anwenden(Aktion::Nachfordern, rolle, &f)?;
                let namen: Vec<&str> = nachweise.iter().map(|n| n.id.as_str()).collect();
                let details = format!("Nachweise: {}; Frist: {}", namen.join(", "), deutsch(frist));
                let wiedervorlage = Nachforderung::wiedervorlage_nach(frist, land);
                v.nachforderung = Some(Nachforderung {
                    nachweise,
                    frist,
                    gesendet: jetzt,
                    von: wer,
                    erinnerungen: Vec::new(),
                    wiedervorlage: Some(wiedervorlage),
                });
                v.wiedervorlage = Some(wiedervorlage);
                Ok(Some((
                    format!(
                        "status: {} → {} ({})",
                        von.code(),
                        nach.code(),
                        Aktion::Nachfordern.bezeichnung()
                    ),
                    details,
                )))
            }
            (NachrichtArt::Erinnerung, _) => {
                if let Some(nf) = v.nachforderung.as_mut() {
                    nf.erinnerungen.push(jetzt);
                }
                Ok(None)
            }
            _ => Ok(None),
        }
    })
}

/// The applicant's free-text address split for the window envelope: the last `PLZ Ort`
/// (five digits) after a comma or line break; otherwise everything is the street line.
pub fn anschrift_teilen(text: &str) -> (String, String, String) {
    let teile: Vec<&str> = text
        .split([',', '\n'])
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .collect();
    if let Some((letzte, davor)) = teile.split_last() {
        let (plz, ort) = letzte.split_once(' ').unwrap_or((letzte, ""));
        if plz.len() == 5 && plz.chars().all(|c| c.is_ascii_digit()) && !ort.trim().is_empty() {
            return (davor.join(", "), plz.to_owned(), ort.trim().to_owned());
        }
    }
    (teile.join(", "), String::new(), String::new())
}

/// The applicant of `v` as the addressee of a letter or Bescheid (window-envelope field).
pub(crate) fn empfaenger(v: &Vorgang) -> bescheid::Empfaenger {
    let (strasse, plz, ort) =
        anschrift_teilen(v.antragsteller.anschrift.as_deref().unwrap_or_default());
    bescheid::Empfaenger {
        anrede: None,
        name: v.antragsteller.name.clone(),
        zusatz: None,
        anschrift: bescheid::Anschrift { strasse, plz, ort },
        briefanrede: None,
    }
}

/// A letter ready to print: its file name and the PDF.
pub struct BriefEntwurf {
    /// Suggested file name, e.g. `Schreiben 32-EIN-2026-00004 vom 2026-12-03.pdf`.
    pub dateiname: String,
    /// The unsealed PDF/A letter.
    pub pdf: Vec<u8>,
    /// The case.
    vorgang: VorgangId,
    /// The checked message the letter was set from (recorded as it is, not composed again).
    z: Zusammenstellung,
}

/// What the case view shows of the conversation with the applicant.
pub(crate) struct Gespraech {
    pub nachrichten: Vec<NachrichtInfo>,
    pub nachforderung: Option<NachforderungInfo>,
    pub rueckkanal: RueckkanalInfo,
    pub nachweise_der_leistung: Vec<NachweisAuswahl>,
    pub nachforderungsfrist: String,
}

impl AppContext {
    /// The values of the template placeholders for `v`.
    pub(crate) fn werte(
        &self,
        v: &Vorgang,
        nachweise: &[String],
        frist: Option<Date>,
    ) -> Vec<(&'static str, String)> {
        let liste = nachweise
            .iter()
            .map(|n| format!("– {n}"))
            .collect::<Vec<_>>()
            .join("\n");
        let gesendet = v
            .nachforderung
            .as_ref()
            .map(|n| deutsch(n.gesendet.date()))
            .unwrap_or_default();
        vec![
            (
                "Aktenzeichen",
                v.aktenzeichen
                    .as_ref()
                    .map(|a| a.0.clone())
                    .unwrap_or_default(),
            ),
            ("Antragsteller", v.antragsteller.name.clone()),
            ("Leistung", v.leistung.name.clone()),
            ("Eingang", deutsch(v.eingang.date())),
            ("Frist", frist.map(deutsch).unwrap_or_default()),
            ("Nachweise", liste),
            ("Gesendet", gesendet),
            ("Sachbearbeitung", self.sitzung.anzeigename.clone()),
            ("Behörde", self.behoerde().name.clone()),
            // Only the side exits fill these (the reasons, the receiving authority).
            ("Begründung", String::new()),
            ("Empfänger", String::new()),
        ]
    }

    /// The default reply Frist of a Nachforderung for `v`, from today.
    pub(crate) fn nachforderungsfrist(&self, v: &Vorgang) -> Date {
        let regel = self
            .behoerde()
            .leistung(&v.leistung.leika)
            .map_or(domain::Fristregel::Wochen(2), |l| l.nachforderungsfrist);
        regel.frist_ab(self.sitzung.heute(), self.behoerde().land)
    }

    pub(crate) fn lesen(&self, id: &VorgangId) -> Result<Vorgang, IpcError> {
        self.store
            .read(|r| r.vorgang(id))
            .map_err(fehler)?
            .ok_or_else(|| {
                fehler(store::StoreError::NichtGefunden(format!(
                    "Der Vorgang {id}"
                )))
            })
    }

    /// Command `nachricht_entwurf`: the template of `art` filled from the case (for a
    /// Nachforderung with the chosen Nachweise and Frist; for an Erinnerung with the open
    /// Nachforderung's).
    pub fn nachricht_entwurf(
        &self,
        id: String,
        art: ipc::NachrichtArt,
        nachweise: Vec<String>,
        frist: Option<String>,
    ) -> Result<NachrichtEntwurf, IpcError> {
        let vid = vorgang_id(&id)?;
        let v = self.lesen(&vid)?;
        let art = art_domain(art);
        let (namen, frist): (Vec<String>, _) = match (art, v.nachforderung.as_ref()) {
            (NachrichtArt::Erinnerung, Some(nf)) => (
                nf.nachweise
                    .iter()
                    .filter(|n| n.eingegangen.is_none())
                    .map(|n| n.bezeichnung.clone())
                    .collect(),
                Some(nf.frist),
            ),
            _ => {
                let gewaehlt = self.nachweise_waehlen(&v, &nachweise)?;
                let frist = Some(match frist_lesen(frist.as_deref())? {
                    Some(f) => f,
                    None => self.nachforderungsfrist(&v),
                });
                (gewaehlt.into_iter().map(|n| n.bezeichnung).collect(), frist)
            }
        };
        let (betreff, text) = fuellen(vorlage(art), &self.werte(&v, &namen, frist));
        Ok(NachrichtEntwurf { betreff, text })
    }

    /// The Nachweise `ids` of the case's Leistung, in the configuration's order; unknown
    /// ids are refused.
    fn nachweise_waehlen(
        &self,
        v: &Vorgang,
        ids: &[String],
    ) -> Result<Vec<AngeforderterNachweis>, IpcError> {
        let verfuegbar = self
            .behoerde()
            .leistung(&v.leistung.leika)
            .map(|l| l.nachweise.clone())
            .unwrap_or_default();
        for id in ids {
            if !verfuegbar.iter().any(|n| &n.id == id) {
                return Err(ungueltig(format!(
                    "Den Nachweis „{id}“ kennt die Konfiguration der Leistung „{}“ nicht. \
                     Aktualisieren Sie die Ansicht.",
                    v.leistung.name
                )));
            }
        }
        Ok(verfuegbar
            .into_iter()
            .filter(|n| ids.contains(&n.id))
            .map(|n| AngeforderterNachweis {
                id: n.id,
                bezeichnung: n.bezeichnung,
                eingegangen: None,
            })
            .collect())
    }

    /// Checks and composes `a` (one code path for the preview and the sending).
    fn zusammenstellen(
        &self,
        a: &NachrichtAnfrage,
    ) -> Result<(Vorgang, Zusammenstellung), IpcError> {
        let vid = vorgang_id(&a.id)?;
        let v = self.lesen(&vid)?;
        let art = art_domain(a.art);
        let heute = self.sitzung.heute();
        let (nachweise, frist) = match art {
            NachrichtArt::Nachforderung => {
                let frist = frist_lesen(a.frist.as_deref())?
                    .ok_or_else(|| ungueltig("Bitte geben Sie eine Frist für die Antwort an."))?;
                (self.nachweise_waehlen(&v, &a.nachweise)?, Some(frist))
            }
            NachrichtArt::Erinnerung => {
                let nf = v
                    .nachforderung
                    .as_ref()
                    .filter(|_| v.status == domain::Status::NachforderungOffen)
                    .ok_or_else(|| {
                        ungueltig(
                            "Eine Erinnerung ist nur möglich, solange der Vorgang auf \
                             nachgeforderte Unterlagen wartet.",
                        )
                    })?;
                let offen = nf
                    .nachweise
                    .iter()
                    .filter(|n| n.eingegangen.is_none())
                    .cloned()
                    .collect();
                (offen, None)
            }
            NachrichtArt::Nachreichung => {
                return Err(ungueltig(
                    "Nachreichungen sendet die antragstellende Person, nicht die Behörde.",
                ));
            }
            NachrichtArt::Bescheid => {
                return Err(ungueltig(
                    "Einen Bescheid versendet Amtsstube bei der Freigabe selbst; erstellen Sie ihn im Reiter „Entscheidung“.",
                ));
            }
            NachrichtArt::Zurueckweisung => {
                return Err(ungueltig(
                    "Eine Zurückweisung sendet die Aktion „Antrag zurückweisen“ mit ihrer Begründung.",
                ));
            }
            _ => (Vec::new(), None),
        };
        let anzahl = a.dateien.len() + a.dokumente.len();
        nachforderung::pruefen(&a.text, anzahl, frist.map(|f| (nachweise.len(), f)), heute)
            .map_err(|e| ungueltig(e.to_string()))?;
        let mut dokumente = Vec::with_capacity(anzahl);
        for sha in &a.dokumente {
            let r = v.anlagen.iter().find(|d| &d.sha512 == sha).ok_or_else(|| {
                ungueltig(
                    "Dieses Dokument gehört nicht zum Vorgang. Aktualisieren Sie die Ansicht.",
                )
            })?;
            let mut inhalt = Vec::new();
            std::io::Read::read_to_end(
                &mut self.store.anlage_leser(sha).map_err(fehler)?,
                &mut inhalt,
            )
            .map_err(|e| {
                ungueltig(format!(
                    "Das Dokument „{}“ lässt sich nicht lesen ({e}).",
                    r.dateiname
                ))
            })?;
            dokumente.push(Dokument {
                dateiname: r.dateiname.clone(),
                mime: r.mime.clone(),
                inhalt,
                im_vorgang: true,
            });
        }
        for pfad in &a.dateien {
            dokumente.push(datei_lesen(pfad)?);
        }
        let betreff = match a.betreff.trim() {
            "" => fuellen(vorlage(art), &self.werte(&v, &[], frist)).0,
            b => b.to_owned(),
        };
        Ok((
            v,
            Zusammenstellung {
                art,
                betreff,
                text: a.text.trim_end().to_owned(),
                nachweise,
                frist,
                dokumente,
            },
        ))
    }

    /// Command `nachricht_vorschau`: the message exactly as [`Self::nachricht_senden`] would
    /// send it, or why it cannot go out.
    pub fn nachricht_vorschau(&self, a: NachrichtAnfrage) -> Result<NachrichtVorschau, IpcError> {
        let (v, z) = self.zusammenstellen(&a)?;
        let kanal = self
            .store
            .read(|r| self.rueckkanal(r, &v))
            .map_err(fehler)?;
        Ok(NachrichtVorschau {
            betreff: z.betreff,
            text: z.text,
            nachweise: z.nachweise.into_iter().map(|n| n.bezeichnung).collect(),
            frist: z.frist.map(deutsch),
            anlagen: z
                .dokumente
                .iter()
                .map(|d| format!("{} ({})", d.dateiname, groesse_text(d.inhalt.len() as u64)))
                .collect(),
            weg: if kanal.fit_connect {
                "FIT-Connect-Rückkanal (verschlüsselt an die antragstellende Person)".into()
            } else {
                "Kein FIT-Connect-Rückkanal: Die Nachricht kann nicht elektronisch gesendet werden."
                    .into()
            },
        })
    }

    /// Command `nachricht_senden`: checks, stores the chosen files encrypted in the case,
    /// seals and queues the message (see the module doc). Answers with the case after it.
    pub fn nachricht_senden(&self, a: NachrichtAnfrage) -> Result<VorgangDetail, IpcError> {
        let (v, z) = self.zusammenstellen(&a)?;
        let ich = self.sitzung.benutzer.clone();
        let rolle = crate::vorgang::rolle_fuer(
            &self.sitzung.domain_rollen(),
            v.status,
            domain::Aktion::Nachfordern,
        );
        // New documents go into the case's encrypted store first; they are linked to the
        // case in the transaction that queues the message (a crash before leaves only an
        // unreferenced encrypted blob).
        let mut neue = Vec::new();
        for d in z.dokumente.iter().filter(|d| !d.im_vorgang) {
            neue.push(self.dokument_ablegen(&d.dateiname, &d.mime, &d.inhalt)?);
        }
        let antwort = sync::Antwort {
            art: z.art,
            betreff: z.betreff.clone(),
            text: z.text.clone(),
            anlagen: z
                .dokumente
                .into_iter()
                .map(|d| sync::AntwortAnlage {
                    dateiname: d.dateiname,
                    mime: d.mime,
                    inhalt: d.inhalt,
                })
                .collect(),
            nachweise: z
                .nachweise
                .iter()
                .map(|n| (n.id.clone(), n.bezeichnung.clone()))
                .collect(),
            frist: z.frist,
        };
        let art = z.art;
        let nachweise = z.nachweise;
        let frist = z.frist;
        let wer = ich.clone();
        let aendern = aenderung(
            art,
            nachweise,
            frist,
            rolle,
            wer,
            neue,
            self.behoerde().land,
        );
        sync::antwort_einreihen(&self.store, &v.id, antwort, &ich, aendern).map_err(sync_fehler)?;
        // Send it now rather than at the next scheduled pass.
        if let Some(s) = self.sync.get() {
            s.jetzt_abrufen();
        }
        self.vorgang_erneut(a.id)
    }

    /// Command `nachricht_erneut_senden`: a given-up message of the case (its outbox key
    /// `auftrag`) goes back into the Postausgang, due now.
    pub fn nachricht_erneut_senden(
        &self,
        id: String,
        auftrag: String,
    ) -> Result<VorgangDetail, IpcError> {
        let vid = vorgang_id(&id)?;
        let ich = self.sitzung.benutzer.clone();
        self.store
            .write(|w| {
                let v = w
                    .vorgang(&vid)?
                    .ok_or_else(|| store::StoreError::NichtGefunden(format!("Der Vorgang {vid}")))?;
                if !v.nachrichten.iter().any(|n| n.auftrag.as_deref() == Some(auftrag.as_str())) {
                    return Err(store::StoreError::Unzulaessig(
                        "Diese Nachricht gehört nicht zum Vorgang.".into(),
                    ));
                }
                let e = w.outbox_nach_idempotenz(&auftrag)?.ok_or_else(|| {
                    store::StoreError::NichtGefunden("Der Ausgangsauftrag der Nachricht".into())
                })?;
                if e.zustand != "aufgegeben" {
                    return Err(store::StoreError::Unzulaessig(
                        "Die Nachricht ist nicht fehlgeschlagen; sie wird bereits gesendet oder ist zugestellt."
                            .into(),
                    ));
                }
                w.outbox_erneut(e.id, OffsetDateTime::now_utc())?;
                w.audit_anhaengen(&ich, ERNEUT_GESENDET, Some(&vid), &auftrag)?;
                Ok(())
            })
            .map_err(fehler)?;
        if let Some(s) = self.sync.get() {
            s.jetzt_abrufen();
        }
        self.vorgang_erneut(id)
    }

    /// Command `nachweis_abhaken`: a person marks a requested Nachweis as received or not.
    pub fn nachweis_abhaken(
        &self,
        id: String,
        nachweis: String,
        eingegangen: bool,
    ) -> Result<VorgangDetail, IpcError> {
        let vid = vorgang_id(&id)?;
        let ich = self.sitzung.benutzer.clone();
        self.store
            .write(|w| {
                let mut v = w.vorgang(&vid)?.ok_or_else(|| {
                    store::StoreError::NichtGefunden(format!("Der Vorgang {vid}"))
                })?;
                let nf = v.nachforderung.as_mut().ok_or_else(|| {
                    store::StoreError::Unzulaessig("Der Vorgang hat keine Nachforderung.".into())
                })?;
                if !nf.abhaken(&nachweis, eingegangen, &ich, OffsetDateTime::now_utc()) {
                    return Err(store::StoreError::Unzulaessig(format!(
                        "„{nachweis}“ wurde in diesem Vorgang nicht nachgefordert."
                    )));
                }
                let details = format!(
                    "{nachweis}: {}",
                    if eingegangen { "eingegangen" } else { "offen" }
                );
                w.vorgang_aendern(&v, &ich, NACHWEIS_GESETZT, &details)
            })
            .map_err(fehler)?;
        self.vorgang_erneut(id)
    }

    /// Stores a document encrypted (by its SHA-512) for the case; it is linked to the case in
    /// the transaction that records the message (a crash before leaves only an unreferenced
    /// encrypted blob).
    pub(crate) fn dokument_ablegen(
        &self,
        dateiname: &str,
        mime: &str,
        inhalt: &[u8],
    ) -> Result<AnlageRef, IpcError> {
        let mut w = self.store.anlage_schreiber().map_err(fehler)?;
        std::io::Write::write_all(&mut w, inhalt)
            .map_err(|e| ungueltig(format!("„{dateiname}“ lässt sich nicht speichern: {e}")))?;
        let (sha512, groesse) = w.abschliessen().map_err(fehler)?;
        Ok(AnlageRef {
            sha512,
            dateiname: dateiname.to_owned(),
            mime: mime.to_owned(),
            groesse,
        })
    }

    /// Command `datei_waehlen`'s check of the chosen file: the same size and content checks
    /// as sending, so a wrong file is refused when it is chosen.
    pub fn datei_pruefen(&self, pfad: &std::path::Path) -> Result<ipc::GewaehlteDatei, IpcError> {
        let text = pfad.to_string_lossy().into_owned();
        let d = datei_lesen(&text)?;
        Ok(ipc::GewaehlteDatei {
            name: d.dateiname,
            pfad: text,
            groesse: d.inhalt.len() as u64,
        })
    }

    /// The message of `a` as a letter (the Bescheid engine's layout, not sealed): for an
    /// applicant without an electronic reply channel. Same checks as sending.
    pub fn brief_erstellen(&self, a: &NachrichtAnfrage) -> Result<BriefEntwurf, IpcError> {
        let (v, z) = self.zusammenstellen(a)?;
        let anlagen = z.dokumente.iter().map(|d| d.dateiname.clone()).collect();
        let (dateiname, pdf) = self.brief_setzen(&v, &z.betreff, &z.text, anlagen)?;
        Ok(BriefEntwurf {
            dateiname,
            pdf,
            vorgang: v.id,
            z,
        })
    }

    /// A letter to the applicant of `v` with `betreff` and `text` (the engine's DIN 5008
    /// layout, unsealed PDF/A): its suggested file name and the PDF.
    pub(crate) fn brief_setzen(
        &self,
        v: &Vorgang,
        betreff: &str,
        text: &str,
        anlagen: Vec<String>,
    ) -> Result<(String, Vec<u8>), IpcError> {
        let az = v
            .aktenzeichen
            .as_ref()
            .map(|a| a.0.clone())
            .unwrap_or_default();
        let heute = self.sitzung.heute();
        let brief = bescheid::Brief {
            // A letter carries no bank details (no fees).
            behoerde: bescheid::Behoerde {
                bankverbindung: None,
                ..self.behoerde_fuer_bescheid()
            },
            empfaenger: empfaenger(v),
            aktenzeichen: az.clone(),
            datum: iso(heute),
            betreff: betreff.to_owned(),
            text: text.to_owned(),
            anlagen,
            sachbearbeitung: Some(self.sitzung.anzeigename.clone()),
        };
        let pdf = bescheid::brief_setzen(&brief, OffsetDateTime::now_utc())
            .map_err(|e| ungueltig(format!("Der Brief lässt sich nicht setzen: {e}")))?;
        Ok((
            format!("Schreiben {} vom {}.pdf", az.replace('/', "-"), iso(heute)),
            pdf,
        ))
    }

    /// The letter `brief` (from [`Self::brief_erstellen`]) is to go to `ziel`: writes it
    /// there (complete or not at all), keeps it encrypted in the case, and records the
    /// message „per Brief“ with what it changes (a Nachforderung by letter waits for
    /// documents as one over FIT-Connect does), audited, in one transaction.
    pub fn brief_ablegen(
        &self,
        brief: BriefEntwurf,
        ziel: &std::path::Path,
    ) -> Result<VorgangDetail, IpcError> {
        let BriefEntwurf {
            pdf, vorgang, z, ..
        } = brief;
        let pdf = pdf.as_slice();
        crate::anlage::atomar_schreiben(ziel, pdf)?;
        let name = ziel
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "Schreiben.pdf".into());
        let mut neue = vec![self.dokument_ablegen(&name, "application/pdf", pdf)?];
        for d in z.dokumente.iter().filter(|d| !d.im_vorgang) {
            neue.push(self.dokument_ablegen(&d.dateiname, &d.mime, &d.inhalt)?);
        }
        let ich = self.sitzung.benutzer.clone();
        let mut aendern = Some(aenderung(
            z.art,
            z.nachweise,
            z.frist,
            crate::vorgang::rolle_fuer(
                &self.sitzung.domain_rollen(),
                domain::Status::InPruefung,
                domain::Aktion::Nachfordern,
            ),
            ich.clone(),
            neue,
            self.behoerde().land,
        ));
        let ziel_text = ziel.display().to_string();
        let anlagen: Vec<String> = z.dokumente.iter().map(|d| d.dateiname.clone()).collect();
        self.store
            .write(|w| {
                let mut v = w.vorgang(&vorgang)?.ok_or_else(|| {
                    store::StoreError::NichtGefunden(format!("Der Vorgang {vorgang}"))
                })?;
                v.nachrichten.push(domain::Nachricht {
                    art: z.art,
                    kanal: Kanal::Brief,
                    anlagen: anlagen.clone(),
                    von: Some(ich.clone()),
                    ..domain::Nachricht::neu(
                        Richtung::Ausgehend,
                        OffsetDateTime::now_utc(),
                        &z.betreff,
                        &z.text,
                    )
                });
                let zusatz = match aendern.take() {
                    Some(f) => f(&mut v)?,
                    None => None,
                };
                w.vorgang_aendern(
                    &v,
                    &ich,
                    BRIEF_ERSTELLT,
                    &format!("{} per Brief: {name} → {ziel_text}", z.art.bezeichnung()),
                )?;
                if let Some((was, details)) = zusatz {
                    w.audit_anhaengen(&ich, &was, Some(&v.id), &details)?;
                }
                Ok(())
            })
            .map_err(fehler)?;
        self.vorgang_erneut(vorgang.to_string())
    }

    /// How the case can write to the applicant, read in `r`.
    pub(crate) fn rueckkanal(&self, r: &Lesen<'_>, v: &Vorgang) -> store::Result<RueckkanalInfo> {
        let metadaten = sync::antwort::metadaten_lesen(r, v)?;
        let andere = metadaten
            .as_deref()
            .map(sync::antwort::andere_rueckkanaele)
            .unwrap_or_default();
        let kanal = sync::antwort::rueckkanal_von(v, metadaten.as_deref());
        Ok(RueckkanalInfo {
            fit_connect: kanal.is_ok(),
            hinweis: kanal.err().map(|e| e.to_string()),
            andere,
        })
    }

    /// The thread, the Nachforderung, the reply channel and the Leistung's Nachweise of `v`
    /// for the case view, read in `r`.
    pub(crate) fn nachrichten_detail(
        &self,
        r: &Lesen<'_>,
        v: &Vorgang,
    ) -> store::Result<Gespraech> {
        let mut nachrichten = Vec::with_capacity(v.nachrichten.len());
        for n in v.nachrichten.iter().rev() {
            let eingehend = n.richtung == Richtung::Eingehend;
            let (zustellung, text, fehler_text) = if eingehend {
                (Zustellung::Eingegangen, "Eingegangen".to_owned(), None)
            } else if n.kanal == Kanal::Brief {
                (Zustellung::Brief, "Per Brief".to_owned(), None)
            } else {
                match n.auftrag.as_deref() {
                    None => (Zustellung::Zugestellt, "Versandt".to_owned(), None),
                    Some(k) => match r.outbox_nach_idempotenz(k)? {
                        Some(e) if e.zustand == "erledigt" => {
                            (Zustellung::Zugestellt, "Zugestellt".to_owned(), None)
                        }
                        Some(e) if e.zustand == "aufgegeben" => (
                            Zustellung::Fehler,
                            "Nicht zugestellt".to_owned(),
                            e.letzter_fehler,
                        ),
                        Some(e) => (
                            Zustellung::Postausgang,
                            if e.versuche > 1 {
                                format!("Im Postausgang ({} Versuche)", e.versuche)
                            } else {
                                "Im Postausgang".to_owned()
                            },
                            e.letzter_fehler.filter(|f| f != "Versand begonnen"),
                        ),
                        None => (
                            Zustellung::Fehler,
                            "Unbekannt".to_owned(),
                            Some("Der Ausgangsauftrag dieser Nachricht fehlt.".to_owned()),
                        ),
                    },
                }
            };
            nachrichten.push(NachrichtInfo {
                eingehend,
                art: art_ipc(n.art),
                art_text: n.art.bezeichnung().to_owned(),
                zeit: rfc3339(n.zeit),
                von: n.von.clone(),
                betreff: n.betreff.clone(),
                text: n.text.clone(),
                anlagen: n.anlagen.clone(),
                zustellung,
                zustellung_text: text,
                fehler: fehler_text,
                auftrag: n.auftrag.clone(),
            });
        }
        let heute = self.sitzung.heute();
        let nachforderung = v.nachforderung.as_ref().map(|nf| NachforderungInfo {
            nachweise: nf
                .nachweise
                .iter()
                .map(|n| NachweisStand {
                    id: n.id.clone(),
                    bezeichnung: n.bezeichnung.clone(),
                    eingegangen: n.eingegangen.is_some(),
                    wie: n
                        .eingegangen
                        .as_ref()
                        .map(|e| match (&e.dateiname, &e.durch) {
                            (Some(d), _) => format!("mit {d}"),
                            (None, Some(p)) => format!("abgehakt von {p}"),
                            (None, None) => "eingegangen".to_owned(),
                        }),
                })
                .collect(),
            frist: iso(nf.frist),
            gesendet: rfc3339(nf.gesendet),
            von: nf.von.clone(),
            abgelaufen: v.status == domain::Status::NachforderungOffen && nf.abgelaufen(heute),
            erinnerungen: nf.erinnerungen.iter().map(|t| rfc3339(*t)).collect(),
        });
        let auswahl = self
            .behoerde()
            .leistung(&v.leistung.leika)
            .map(|l| {
                l.nachweise
                    .iter()
                    .map(|n| NachweisAuswahl {
                        id: n.id.clone(),
                        bezeichnung: n.bezeichnung.clone(),
                    })
                    .collect()
            })
            .unwrap_or_default();
        Ok(Gespraech {
            nachrichten,
            nachforderung,
            rueckkanal: self.rueckkanal(r, v)?,
            nachweise_der_leistung: auswahl,
            nachforderungsfrist: iso(self.nachforderungsfrist(v)),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_fill_every_placeholder_and_split_off_the_subject() {
        let werte: Vec<(&str, String)> =
            PLATZHALTER.iter().map(|p| (*p, format!("<{p}>"))).collect();
        for art in [
            NachrichtArt::Nachforderung,
            NachrichtArt::Erinnerung,
            NachrichtArt::Eingangsbestaetigung,
            NachrichtArt::Nachricht,
            NachrichtArt::Zurueckweisung,
        ] {
            let (betreff, text) = fuellen(vorlage(art), &werte);
            assert!(betreff.contains("<Aktenzeichen>"), "{art:?}: {betreff}");
            assert!(
                !text.contains('{') && !text.contains('}'),
                "{art:?}: {text}"
            );
            assert!(!text.starts_with("Betreff"), "{art:?}");
        }
        let (_, text) = fuellen(vorlage(NachrichtArt::Nachforderung), &werte);
        assert!(
            text.contains("<Nachweise>") && text.contains("<Frist>"),
            "{text}"
        );
    }

    #[test]
    fn the_applicant_s_address_is_split_for_the_window_envelope() {
        assert_eq!(
            anschrift_teilen("Lindenweg 4, 12345 Musterstadt"),
            ("Lindenweg 4".into(), "12345".into(), "Musterstadt".into())
        );
        assert_eq!(
            anschrift_teilen("c/o Meier\nLindenweg 4\n12345 Bad Musterstadt"),
            (
                "c/o Meier, Lindenweg 4".into(),
                "12345".into(),
                "Bad Musterstadt".into()
            )
        );
        assert_eq!(
            anschrift_teilen("irgendwo im Wald"),
            ("irgendwo im Wald".into(), String::new(), String::new())
        );
    }

    #[test]
    fn a_file_is_checked_by_its_content_not_its_name() {
        let d = tempfile::tempdir().unwrap();
        let schreiben = |name: &str, inhalt: &[u8]| {
            let p = d.path().join(name);
            std::fs::write(&p, inhalt).unwrap();
            p.to_string_lossy().into_owned()
        };
        assert_eq!(
            datei_lesen(&schreiben("Lageplan.pdf", b"%PDF-1.7\n..."))
                .unwrap()
                .mime,
            "application/pdf"
        );
        assert_eq!(
            datei_lesen(&schreiben("foto.JPG", &[0xff, 0xd8, 0xff, 0xe0]))
                .unwrap()
                .mime,
            "image/jpeg"
        );
        let e = datei_lesen(&schreiben("rechnung.pdf", b"MZ\x90\x00")).unwrap_err();
        assert!(
            e.message.contains("keine PDF-, PNG- oder JPEG-Datei"),
            "{}",
            e.message
        );
        let e = datei_lesen(&schreiben(
            "bild.pdf",
            &[0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a],
        ))
        .unwrap_err();
        assert!(e.message.contains("PNG-Datei"), "{}", e.message);
        let gross = d.path().join("gross.pdf");
        let f = std::fs::File::create(&gross).unwrap();
        f.set_len(ANLAGE_MAX_BYTES + 1).unwrap();
        let e = datei_lesen(&gross.to_string_lossy()).unwrap_err();
        assert!(e.message.contains("höchstens 20,0 MB"), "{}", e.message);
    }
}
