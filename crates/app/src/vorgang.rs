//! The case view: everything about one Vorgang, the actions the status machine offers the
//! session's role (with the guard's German hint when one is not possible yet), taking an
//! action, notes, and the audit log of the case as readable German history.

use domain::bearbeitung::{
    WIEDERVORLAGE_ANGABE, handeln_pruefen, uebernehmen_pruefen, wiedervorlage_pruefen,
};
use domain::status::Uebergang;
use domain::{Aktion, Angabe, Fakten, Handlung, Hinderung, Notiz, Status, Vorgang};
use ipc::{
    AktionAnfrage, AktionInfo, AnlageInfo, Antragsteller, ErrorCode, Formular, IpcError, NotizInfo,
    VerlaufEintrag, VorgangDetail,
};
use store::{AuditEintrag, Lesen};
use time::OffsetDateTime;

use crate::posteingang::faelligkeit;
use crate::sitzung::{datum_parsen, deutsch, iso, rfc3339};
use crate::{AppContext, fehler, vorgang_id};
/// Actions of the status machine this build does not offer (none since the E-Akte
/// hand-over exists; kept so a future action can be announced before it works).
pub const NOCH_NICHT_VERFUEGBAR: &[Aktion] = &[];

/// Audit code of a new assignee.
pub const ZUSTAENDIG_GESETZT: &str = "zustaendig.gesetzt";
/// Audit code of a new Wiedervorlage date.
pub const WIEDERVORLAGE_GESETZT: &str = "wiedervorlage.gesetzt";
/// Audit code of an attachment saved to disk by a person.
pub const ANLAGE_GESPEICHERT: &str = "anlage.gespeichert";

/// Audit details of an assignment.
pub(crate) fn zustaendig_details(vorher: Option<&str>, nachher: &str) -> String {
    match vorher {
        Some(v) => format!("{v} → {nachher}"),
        None => nachher.to_owned(),
    }
}

/// The status as the contract carries it (the label travels beside it as `status_text`).
pub fn status_ipc(s: Status) -> ipc::Status {
    match s {
        Status::Neu => ipc::Status::Neu,
        Status::InPruefung => ipc::Status::InPruefung,
        Status::NachforderungOffen => ipc::Status::NachforderungOffen,
        Status::EntscheidungInFreigabe => ipc::Status::EntscheidungInFreigabe,
        Status::Beschieden => ipc::Status::Beschieden,
        Status::AnEAkteUebergeben => ipc::Status::AnEAkteUebergeben,
        Status::Archiviert => ipc::Status::Archiviert,
        Status::Zurueckgewiesen => ipc::Status::Zurueckgewiesen,
        Status::Weitergeleitet => ipc::Status::Weitergeleitet,
        Status::Zurueckgezogen => ipc::Status::Zurueckgezogen,
    }
}

/// A case-view action as the contract carries it.
pub fn aktion_ipc(h: Handlung) -> ipc::Aktion {
    use ipc::Aktion as I;
    match h {
        Handlung::Uebernehmen => I::Uebernehmen,
        Handlung::WiedervorlageSetzen => I::Wiedervorlage,
        Handlung::Status(a) => match a {
            Aktion::PruefungBeginnen => I::PruefungBeginnen,
            Aktion::Nachfordern => I::Nachfordern,
            Aktion::UnterlagenEingegangen => I::UnterlagenEingegangen,
            Aktion::NachforderungBeenden => I::NachforderungBeenden,
            Aktion::ZurFreigabeVorlegen => I::ZurFreigabeVorlegen,
            Aktion::Freigeben => I::Freigeben,
            Aktion::FreigabeVerweigern => I::FreigabeVerweigern,
            Aktion::AnEAkteUebergeben => I::AnEAkteUebergeben,
            Aktion::Archivieren => I::Archivieren,
            Aktion::Zurueckweisen => I::Zurueckweisen,
            Aktion::Weiterleiten => I::Weiterleiten,
            Aktion::ZurueckziehenVermerken => I::ZurueckziehenVermerken,
        },
    }
}

/// The domain's action for a contract action.
pub fn handlung(a: ipc::Aktion) -> Handlung {
    use ipc::Aktion as I;
    let s = Handlung::Status;
    match a {
        I::Uebernehmen => Handlung::Uebernehmen,
        I::Wiedervorlage => Handlung::WiedervorlageSetzen,
        I::PruefungBeginnen => s(Aktion::PruefungBeginnen),
        I::Nachfordern => s(Aktion::Nachfordern),
        I::UnterlagenEingegangen => s(Aktion::UnterlagenEingegangen),
        I::NachforderungBeenden => s(Aktion::NachforderungBeenden),
        I::ZurFreigabeVorlegen => s(Aktion::ZurFreigabeVorlegen),
        I::Freigeben => s(Aktion::Freigeben),
        I::FreigabeVerweigern => s(Aktion::FreigabeVerweigern),
        I::AnEAkteUebergeben => s(Aktion::AnEAkteUebergeben),
        I::Archivieren => s(Aktion::Archivieren),
        I::Zurueckweisen => s(Aktion::Zurueckweisen),
        I::Weiterleiten => s(Aktion::Weiterleiten),
        I::ZurueckziehenVermerken => s(Aktion::ZurueckziehenVermerken),
    }
}

fn angabe_ipc(a: Angabe) -> ipc::Angabe {
    match a {
        Angabe::Begruendung => ipc::Angabe::Begruendung,
        Angabe::Empfaenger => ipc::Angabe::Empfaenger,
        Angabe::Datum => ipc::Angabe::Datum,
        Angabe::Nachforderung => ipc::Angabe::Nachforderung,
    }
}

/// The role a person holding `rollen` takes `aktion` in: the first the status machine's row
/// allows, else the first they hold (whose refusal then names it).
pub(crate) fn rolle_fuer(rollen: &[domain::Rolle], von: Status, aktion: Aktion) -> domain::Rolle {
    domain::status::uebergang(von, aktion)
        .and_then(|u| rollen.iter().copied().find(|r| u.rollen.contains(r)))
        .or_else(|| rollen.first().copied())
        .unwrap_or(domain::Rolle::Sachbearbeitung)
}

fn unzulaessig(h: Hinderung) -> store::StoreError {
    store::StoreError::Unzulaessig(h.to_string())
}

/// The facts the guards look at, from the case (inputs the dialog asks for count as given:
/// taking the action checks them for real). The draft's facts (one exists, the actor wrote
/// it) are added from its history ([`domain::Entwurfsgeschichte::fakten`]).
pub(crate) fn fakten(v: &Vorgang, begruendung: bool, empfaenger: bool) -> Fakten {
    Fakten {
        zustaendig_gesetzt: v.zustaendig.is_some(),
        // A Nachforderung is taken only by `nachricht_senden` (with its text and Frist).
        nachforderung_formuliert: false,
        bescheid_entwurf_vorhanden: false,
        handelnde_person_ist_verfasser: false,
        begruendung_vorhanden: begruendung,
        empfaenger_benannt: empfaenger,
        eakte_quittung_vorhanden: false,
    }
}

/// The URL of an attachment through the shell's protocol (WebView2 maps custom schemes to
/// `http://<scheme>.localhost`).
pub fn anlage_url(vorgang: &str, sha512: &str) -> String {
    if cfg!(windows) {
        format!("http://anlage.localhost/{vorgang}/{sha512}")
    } else {
        format!("anlage://localhost/{vorgang}/{sha512}")
    }
}

fn wer(w: &str) -> String {
    if w == "system" || w.starts_with("system:") {
        "System".to_owned()
    } else {
        w.to_owned()
    }
}

fn status_text(code: &str) -> String {
    Status::aus_code(code)
        .map(|s| s.bezeichnung().to_owned())
        .unwrap_or_else(|| code.to_owned())
}

/// One audit entry as a German sentence.
pub fn verlauf_text(e: &AuditEintrag) -> String {
    let d = e.details.trim();
    let mit = |text: &str| {
        if d.is_empty() {
            text.to_owned()
        } else {
            format!("{text} – {d}")
        }
    };
    if let Some(rest) = e.was.strip_prefix("status: ") {
        // "status: neu → in_pruefung (Prüfung beginnen)"
        let (wechsel, aktion) = match rest.split_once(" (") {
            Some((w, a)) => (w, Some(a.trim_end_matches(')'))),
            None => (rest, None),
        };
        let text = match wechsel.split_once(" → ") {
            Some((von, nach)) => format!("Status: {} → {}", status_text(von), status_text(nach)),
            None => format!("Status: {wechsel}"),
        };
        let text = match aktion {
            Some(a) => format!("{text} ({a})"),
            None => text,
        };
        return mit(&text);
    }
    match e.was.as_str() {
        "vorgang.angelegt" => mit("Vorgang angelegt"),
        "vorgang.geoeffnet" => "Vorgang geöffnet".to_owned(),
        "einreichung.gespeichert" => "Antrag über FIT-Connect empfangen und gespeichert".to_owned(),
        "einreichung.nachgereicht" => "Nachgereichte Unterlagen eingegangen".to_owned(),
        "notiz.hinzugefuegt" => "Notiz hinzugefügt".to_owned(),
        crate::eakte::ZUGESTELLT => mit("An die E-Akte zugestellt"),
        crate::eakte::UEBERGEBEN => mit("Erneut an die E-Akte übergeben"),
        crate::eakte::EMPFANGEN => mit("Empfang durch die E-Akte bestätigt"),
        crate::eakte::IMPORTFEHLER => mit("Übernahme durch die E-Akte fehlgeschlagen"),
        store::AUSGESONDERT => mit("Lokale Kopie nach der Übernahme durch die E-Akte gelöscht"),
        "antwort.eingereiht" => {
            mit("Nachricht an die antragstellende Person in den Postausgang gestellt")
        }
        "antwort.zugestellt" => mit("Nachricht zugestellt"),
        "antwort.aufgegeben" => mit("Nachricht nicht zugestellt"),
        crate::nachrichten::ERNEUT_GESENDET => {
            "Nachricht erneut in den Postausgang gestellt".to_owned()
        }
        crate::nachrichten::NACHWEIS_GESETZT => format!("Nachweis {d}"),
        crate::nachrichten::BRIEF_ERSTELLT => mit("Brief erstellt"),
        ZUSTAENDIG_GESETZT => format!("Zuständig: {d}"),
        WIEDERVORLAGE_GESETZT => format!("Wiedervorlage: {d}"),
        ANLAGE_GESPEICHERT => format!("Anlage gespeichert unter {d}"),
        crate::anlage::ANLAGE_ANGESEHEN => {
            // "„Name.pdf“ [sha512:…]": the hash is for the record, not for reading.
            let name = d.split(" [sha512:").next().unwrap_or(d);
            format!("Anlage angesehen: {name}")
        }
        crate::zurueckweisung::EXPORTIERT => format!("Antrag exportiert: {d}"),
        crate::entscheidung::ZAHLUNG_VERMERKT => format!("Zahlungseingang vermerkt: {d}"),
        store::entwurf::ENTWURF_GESPEICHERT => format!("Bescheidentwurf gespeichert ({d})"),
        andere => mit(andere),
    }
}

impl AppContext {
    /// The offered actions for `v` (`g`: its decision draft's history, for the four-eyes
    /// rule). A person with several roles is offered what any of them may do; each action is
    /// checked for the role that may take it.
    pub(crate) fn aktionen(&self, v: &Vorgang, g: &domain::Entwurfsgeschichte) -> Vec<AktionInfo> {
        let rollen = self.sitzung.domain_rollen();
        let ich = self.sitzung.benutzer.as_str();
        let mut out = Vec::new();
        let uebernehmen = uebernehmen_pruefen(v.status, v.zustaendig.as_deref(), ich);
        out.push(AktionInfo {
            aktion: aktion_ipc(Handlung::Uebernehmen),
            bezeichnung: Handlung::Uebernehmen.bezeichnung().into(),
            moeglich: uebernehmen.is_ok(),
            hinweis: uebernehmen.err().map(Hinderung::hinweis),
            bestaetigen: Handlung::Uebernehmen.endgueltig(),
            eingabe: None,
        });
        let uebergaenge: Vec<(&Uebergang, domain::Rolle)> = v
            .status
            .moegliche_aktionen()
            .filter(|u| !NOCH_NICHT_VERFUEGBAR.contains(&u.aktion))
            .filter_map(|u| {
                rollen
                    .iter()
                    .copied()
                    .find(|r| u.rollen.contains(r))
                    .map(|r| (u, r))
            })
            .collect();
        for (u, rolle) in uebergaenge {
            let darf = handeln_pruefen(v.zustaendig.as_deref(), ich, rolle);
            // The Nachforderung is written in its own dialog and sent as a message
            // (`nachricht_senden`), which takes the action; here it counts as given like the
            // other inputs.
            let f = g.fakten(
                ich,
                Fakten {
                    nachforderung_formuliert: true,
                    ..fakten(v, true, true)
                },
            );
            let moeglich = darf.is_ok() && u.waechter.erfuellt(&f);
            let h = Handlung::Status(u.aktion);
            let hinweis = match darf {
                Err(e) => Some(e.hinweis()),
                Ok(()) => (!moeglich).then(|| u.waechter.hinweis().to_owned()),
            };
            out.push(AktionInfo {
                aktion: aktion_ipc(h),
                bezeichnung: h.bezeichnung().into(),
                moeglich,
                hinweis,
                bestaetigen: h.endgueltig(),
                eingabe: u.waechter.angabe().map(angabe_ipc),
            });
        }
        let wv = wiedervorlage_pruefen(v.status, None, self.sitzung.heute());
        out.push(AktionInfo {
            aktion: aktion_ipc(Handlung::WiedervorlageSetzen),
            bezeichnung: Handlung::WiedervorlageSetzen.bezeichnung().into(),
            moeglich: wv.is_ok(),
            hinweis: wv.err().map(Hinderung::hinweis),
            bestaetigen: Handlung::WiedervorlageSetzen.endgueltig(),
            eingabe: Some(angabe_ipc(WIEDERVORLAGE_ANGABE)),
        });
        out
    }

    /// Everything the case view shows, read in the snapshot `r`.
    fn detail(&self, r: &Lesen<'_>, v: Vorgang) -> store::Result<VorgangDetail> {
        let gespeichert = r.anlagen_fuer_vorgang(&v.id)?;
        let verlauf = r.audit_fuer_vorgang(&v.id)?;
        let id = v.id.to_string();
        // The domain's one rule, as for the Posteingang's rows (so both agree).
        let fk = self.fristen().faelligkeit(
            v.status.ist_offen(),
            v.frist,
            v.wiedervorlage,
            self.sitzung.heute(),
        );
        let mut gesehen = std::collections::HashSet::new();
        let anlagen = v
            .anlagen
            .iter()
            .filter(|a| gesehen.insert((a.sha512.clone(), a.dateiname.clone())))
            .map(|a| {
                let im_speicher = gespeichert.iter().find(|g| g.sha512 == a.sha512);
                AnlageInfo {
                    sha512: a.sha512.clone(),
                    dateiname: a.dateiname.clone(),
                    mime: a.mime.clone(),
                    groesse: im_speicher.map(|g| g.groesse).unwrap_or(a.groesse),
                    geprueft: im_speicher.is_some(),
                    url: anlage_url(&id, &a.sha512),
                }
            })
            .collect();
        let aktionen = self.aktionen(&v, &r.entwurf_geschichte(&v.id)?);
        let crate::nachrichten::Gespraech {
            nachrichten,
            nachforderung,
            rueckkanal,
            nachweise_der_leistung,
            nachforderungsfrist,
        } = self.nachrichten_detail(r, &v)?;
        Ok(VorgangDetail {
            bescheid: crate::entscheidung::bescheid_info(&v),
            eakte: crate::eakte::eakte_info(
                &v,
                self.eakte_ziel().ok().map(|z| z.karenz),
                self.eakte_zustellfehler(r, &v),
            ),
            nachrichten,
            nachforderung,
            rueckkanal,
            nachweise_der_leistung,
            nachforderungsfrist,
            aktenzeichen: v.aktenzeichen.map(|a| a.0).unwrap_or_default(),
            leistung: v.leistung.name,
            leika: v.leistung.leika,
            eingang: rfc3339(v.eingang),
            antragsteller: Antragsteller {
                name: v.antragsteller.name,
                anschrift: v.antragsteller.anschrift,
                kontakt: v.antragsteller.kontakt,
            },
            status: status_ipc(v.status),
            status_text: v.status.bezeichnung().to_owned(),
            frist: v.frist.map(iso),
            faelligkeit: faelligkeit(fk),
            wiedervorlage: v.wiedervorlage.map(iso),
            zustaendig: v.zustaendig,
            prioritaet: v.prioritaet.bezeichnung().to_owned(),
            submission_id: v.fit_connect.as_ref().map(|f| f.submission_id.clone()),
            case_id: v.fit_connect.as_ref().map(|f| f.case_id.clone()),
            formular: Formular {
                format: match v.formulardaten.format {
                    domain::DatenFormat::Json => "json".into(),
                    domain::DatenFormat::Xml => "xml".into(),
                },
                // The form schema of the authority's Leistung (titles for the form view).
                schema: self
                    .behoerde()
                    .formular(&v.formulardaten.schema_uri)
                    .map(|f| f.schema.to_string()),
                schema_uri: v.formulardaten.schema_uri,
                inhalt: v.formulardaten.inhalt,
            },
            anlagen,
            notizen: v
                .notizen
                .into_iter()
                .map(|n| NotizInfo {
                    autor: n.autor,
                    zeit: rfc3339(n.zeit),
                    text: n.text,
                })
                .collect(),
            verlauf: verlauf
                .iter()
                .map(|e| VerlaufEintrag {
                    zeit: rfc3339(e.zeit),
                    wer: wer(&e.wer),
                    was: verlauf_text(e),
                })
                .collect(),
            aktionen,
            id,
        })
    }

    /// Command `vorgang` with `erneut`: reads a case the view already shows again, after
    /// `vorgaenge-geaendert` (a follow-up submission, another user's change). Within an
    /// opening this window made it is no new access; a case this window has not opened is
    /// opened (audited) instead, so no read of a case escapes the audit.
    pub fn vorgang_erneut(&self, id: String) -> Result<VorgangDetail, IpcError> {
        let vid = vorgang_id(&id)?;
        if !self.ist_geoeffnet(&vid) {
            return self.vorgang(id);
        }
        self.store
            .read(|r| match r.vorgang(&vid)? {
                Some(v) => self.detail(r, v),
                None => Err(store::StoreError::NichtGefunden(format!(
                    "Der Vorgang {vid}"
                ))),
            })
            .map_err(fehler)
    }

    /// Command `vorgang`: opens a case for the session's user (audited `vorgang.geoeffnet`
    /// in the same transaction that reads it).
    pub fn vorgang(&self, id: String) -> Result<VorgangDetail, IpcError> {
        let id = vorgang_id(&id)?;
        let ich = self.sitzung.benutzer.clone();
        let d = self
            .store
            .write(|w| {
                let v = w.vorgang_oeffnen(&id, &ich)?;
                self.detail(w, v)
            })
            .map_err(fehler)?;
        if let Ok(mut g) = self.geoeffnet.lock() {
            g.insert(id);
        }
        Ok(d)
    }

    /// Whether this window opened case `id` (with an audit entry).
    pub fn ist_geoeffnet(&self, id: &domain::VorgangId) -> bool {
        self.geoeffnet.lock().is_ok_and(|g| g.contains(id))
    }

    /// Command `vorgang_aktion`: takes an offered action. Refusals (status machine, guard,
    /// missing input) are `invalid_input` with German text; nothing changes then.
    pub fn vorgang_aktion(&self, anfrage: AktionAnfrage) -> Result<VorgangDetail, IpcError> {
        if anfrage.aktion == ipc::Aktion::Freigeben {
            // Approving seals and sends the Bescheid: one path, from the case view's action
            // list as from the Entscheidung tab.
            self.entscheidung_freigeben(anfrage.id.clone())?;
            return self.vorgang_erneut(anfrage.id);
        }
        if anfrage.aktion == ipc::Aktion::AnEAkteUebergeben {
            // The hand-over builds the xdomea message and queues it: one path.
            return self.eakte_abgeben(anfrage.id);
        }
        let id = vorgang_id(&anfrage.id)?;
        if anfrage.aktion == ipc::Aktion::ZurFreigabeVorlegen {
            // Only a draft the engine can set goes to the approver.
            let v = self
                .store
                .read(|r| r.vorgang(&id))
                .map_err(fehler)?
                .ok_or_else(|| {
                    fehler(store::StoreError::NichtGefunden(format!(
                        "Der Vorgang {id}"
                    )))
                })?;
            if v.status == Status::InPruefung {
                self.vorlegen_pruefen(&v)?;
            }
        }
        let ich = self.sitzung.benutzer.clone();
        let rollen = self.sitzung.domain_rollen();
        let text = |o: &Option<String>| {
            o.as_deref()
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .map(str::to_owned)
        };
        let begruendung = text(&anfrage.begruendung);
        let empfaenger = text(&anfrage.empfaenger);
        let ungueltig = |m: String| IpcError::new(ErrorCode::InvalidInput, m);
        let heute = self.sitzung.heute();
        let h = handlung(anfrage.aktion);
        if let Handlung::Status(a @ (Aktion::Zurueckweisen | Aktion::Weiterleiten)) = h {
            // The applicant learns of it: the message goes with the status change.
            return self.seitenausgang(&id, a, begruendung, empfaenger);
        }
        let datum = match h {
            Handlung::WiedervorlageSetzen => {
                let d = text(&anfrage.datum).ok_or_else(|| {
                    ungueltig("Bitte geben Sie das Datum der Wiedervorlage an.".into())
                })?;
                Some(datum_parsen(&d).ok_or_else(|| {
                    ungueltig(format!(
                        "„{d}“ ist kein gültiges Datum. Bitte wählen Sie ein Datum im Kalender."
                    ))
                })?)
            }
            _ => None,
        };
        self.store
            .write(|w| {
                let mut v = w
                    .vorgang(&id)?
                    .ok_or_else(|| store::StoreError::NichtGefunden(format!("Der Vorgang {id}")))?;
                match h {
                    Handlung::Uebernehmen => {
                        match uebernehmen_pruefen(v.status, v.zustaendig.as_deref(), &ich) {
                            // Taking over a case one already has changes nothing.
                            Ok(()) | Err(Hinderung::BereitsZustaendig) => {}
                            Err(e) => return Err(unzulaessig(e)),
                        }
                        if v.zustaendig.as_deref() != Some(ich.as_str()) {
                            let vorher = v.zustaendig.replace(ich.clone());
                            w.vorgang_aendern(
                                &v,
                                &ich,
                                ZUSTAENDIG_GESETZT,
                                &zustaendig_details(vorher.as_deref(), &ich),
                            )?;
                        }
                    }
                    Handlung::WiedervorlageSetzen => {
                        wiedervorlage_pruefen(v.status, datum, heute).map_err(unzulaessig)?;
                        if let Some(d) = datum {
                            v.wiedervorlage = Some(d);
                            w.vorgang_aendern(&v, &ich, WIEDERVORLAGE_GESETZT, &deutsch(d))?;
                        }
                    }
                    Handlung::Status(aktion) if NOCH_NICHT_VERFUEGBAR.contains(&aktion) => {
                        return Err(store::StoreError::Unzulaessig(format!(
                            "„{}“ ist in dieser Version noch nicht möglich: die Abgabe an die \
                             E-Akte (xdomea) fehlt noch. Der Vorgang bleibt im Status „{}“.",
                            aktion.bezeichnung(),
                            v.status.bezeichnung()
                        )));
                    }
                    Handlung::Status(aktion) => {
                        // Who may act is asked once the action exists in this status (an
                        // impossible one says so first), before its guard; for the role of
                        // the person's roles that may take it.
                        let rolle = rolle_fuer(&rollen, v.status, aktion);
                        if domain::status::uebergang(v.status, aktion).is_some() {
                            handeln_pruefen(v.zustaendig.as_deref(), &ich, rolle)
                                .map_err(unzulaessig)?;
                        }
                        let von = v.status;
                        let f = w.entwurf_geschichte(&id)?.fakten(
                            &ich,
                            fakten(&v, begruendung.is_some(), empfaenger.is_some()),
                        );
                        let nach = v.anwenden(aktion, rolle, &f)?;
                        let mut details = Vec::new();
                        if let Some(b) = &begruendung {
                            details.push(format!("Begründung: {b}"));
                        }
                        if let Some(e) = &empfaenger {
                            details.push(format!("Empfänger: {e}"));
                        }
                        w.vorgang_aendern(
                            &v,
                            &ich,
                            &format!(
                                "status: {} → {} ({})",
                                von.code(),
                                nach.code(),
                                aktion.bezeichnung()
                            ),
                            &details.join("; "),
                        )?;
                    }
                }
                let v = w
                    .vorgang(&id)?
                    .ok_or_else(|| store::StoreError::NichtGefunden(format!("Der Vorgang {id}")))?;
                self.detail(w, v)
            })
            .map_err(fehler)
    }

    /// Command `notiz_hinzufuegen`: adds an internal note by the session's user.
    pub fn notiz_hinzufuegen(&self, id: String, text: String) -> Result<VorgangDetail, IpcError> {
        let id = vorgang_id(&id)?;
        let text = text.trim().to_owned();
        if text.is_empty() {
            return Err(IpcError::new(
                ErrorCode::InvalidInput,
                "Die Notiz ist leer. Bitte schreiben Sie einen Text.",
            ));
        }
        if text.chars().count() > 10_000 {
            return Err(IpcError::new(
                ErrorCode::InvalidInput,
                "Die Notiz ist zu lang (höchstens 10.000 Zeichen). Bitte kürzen Sie sie.",
            ));
        }
        let ich = self.sitzung.benutzer.clone();
        self.store
            .write(|w| {
                w.notiz_hinzufuegen(
                    &id,
                    Notiz {
                        autor: ich.clone(),
                        zeit: OffsetDateTime::now_utc(),
                        text,
                    },
                    &ich,
                )?;
                let v = w
                    .vorgang(&id)?
                    .ok_or_else(|| store::StoreError::NichtGefunden(format!("Der Vorgang {id}")))?;
                self.detail(w, v)
            })
            .map_err(fehler)
    }
}

#[cfg(test)]
mod tests {
    use super::verlauf_text;
    use store::AuditEintrag;

    fn eintrag(was: &str, details: &str) -> AuditEintrag {
        AuditEintrag {
            seq: 1,
            zeit: time::OffsetDateTime::UNIX_EPOCH,
            wer: "sb".into(),
            was: was.into(),
            vorgang_id: Some("v".into()),
            details: details.into(),
        }
    }

    #[test]
    fn a_viewed_attachment_reads_as_a_german_sentence_without_its_hash() {
        let e = eintrag(
            crate::anlage::ANLAGE_ANGESEHEN,
            "„Lageplan.pdf“ [sha512:abcdef0123]",
        );
        assert_eq!(verlauf_text(&e), "Anlage angesehen: „Lageplan.pdf“");
    }
}
