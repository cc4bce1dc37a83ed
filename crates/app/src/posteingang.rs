//! The Posteingang: pages of a view, the views' names and counts, bulk "Mir zuweisen" and
//! saved filters. Every query is one of the store's indexed queries: one page query plus one
//! count per request, one count per view for the counts. What counts as fällig and how the
//! view is named come from the authority's [`domain::Fristenkatalog`] ([`AppContext::fristen`]).

use domain::{Fristenkatalog, Status, VorgangId};
use ipc::{
    Ansicht, AnsichtInfo, AnsichtZahlen, ErrorCode, GespeicherterFilter, IpcError, QueueAnfrage,
    QueueAntwort, QueueZeile, SortSpalte,
};
use store::{Faelligkeitsfilter, QueueFilter, Sortierung, ZustaendigFilter};
use time::Date;

use crate::sitzung::{iso, rfc3339};
use crate::vorgang::status_ipc;
use crate::{AppContext, fehler, vorgang_id};

/// Largest page the UI may ask for.
pub const MAX_SEITE: u32 = 500;

/// The views in display order (keys 1 to 6 pick them in this order).
pub const ANSICHTEN: [Ansicht; 8] = [
    Ansicht::Neu,
    Ansicht::Meine,
    Ansicht::Faellig,
    Ansicht::Ueberfaellig,
    Ansicht::WiedervorlageHeute,
    Ansicht::Alle,
    Ansicht::ZurFreigabe,
    Ansicht::AbgabeOffen,
];

/// The name of a view as its tab shows it; „Fällig“ names the catalogue's lead time.
pub fn ansicht_bezeichnung(ansicht: Ansicht, fristen: &Fristenkatalog) -> String {
    match ansicht {
        Ansicht::Neu => "Neu".to_owned(),
        Ansicht::Meine => "Meine".to_owned(),
        Ansicht::Faellig => fristen.faellig_bezeichnung(),
        Ansicht::Ueberfaellig => "Überfällig".to_owned(),
        Ansicht::WiedervorlageHeute => "Wiedervorlage heute".to_owned(),
        Ansicht::Alle => "Alle".to_owned(),
        Ansicht::ZurFreigabe => "Zur Freigabe".to_owned(),
        Ansicht::AbgabeOffen => "Abgabe offen".to_owned(),
    }
}

/// The store filter of a view (without search, sort and paging).
fn ansicht_filter(
    ansicht: Ansicht,
    benutzer: &str,
    heute: Date,
    fristen: &Fristenkatalog,
) -> QueueFilter {
    let mut f = QueueFilter {
        stichtag: Some(fristen.stichtag(heute)),
        ..QueueFilter::default()
    };
    match ansicht {
        Ansicht::Neu => f.status = vec![Status::Neu],
        Ansicht::Meine => {
            f.nur_offen = true;
            f.zustaendig = Some(ZustaendigFilter::Person(benutzer.to_owned()));
        }
        Ansicht::Faellig => f.faelligkeit = Some(Faelligkeitsfilter::Faellig),
        Ansicht::Ueberfaellig => f.faelligkeit = Some(Faelligkeitsfilter::Ueberfaellig),
        Ansicht::WiedervorlageHeute => {
            f.nur_offen = true;
            f.wiedervorlage_bis = Some(heute);
        }
        Ansicht::Alle => {}
        Ansicht::ZurFreigabe => f.status = vec![Status::EntscheidungInFreigabe],
        // Finished, not yet confirmed by the E-Akte: to hand over, on the way, or failed.
        Ansicht::AbgabeOffen => {
            f.status = vec![
                Status::Beschieden,
                Status::Zurueckgewiesen,
                Status::Weitergeleitet,
                Status::Zurueckgezogen,
                Status::AnEAkteUebergeben,
            ]
        }
    }
    f
}

fn sortierung(s: SortSpalte) -> Sortierung {
    match s {
        SortSpalte::Aktenzeichen => Sortierung::Aktenzeichen,
        SortSpalte::Eingang => Sortierung::Eingang,
        SortSpalte::Leistung => Sortierung::Leistung,
        SortSpalte::Antragsteller => Sortierung::Antragsteller,
        SortSpalte::Status => Sortierung::Status,
        SortSpalte::Frist => Sortierung::Frist,
        SortSpalte::Zustaendig => Sortierung::Zustaendig,
    }
}

pub(crate) fn faelligkeit(f: domain::Faelligkeit) -> ipc::Faelligkeit {
    match f {
        domain::Faelligkeit::Offen => ipc::Faelligkeit::Offen,
        domain::Faelligkeit::Faellig => ipc::Faelligkeit::Faellig,
        domain::Faelligkeit::Ueberfaellig => ipc::Faelligkeit::Ueberfaellig,
    }
}

fn zahl(n: u64) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

fn filter_name(name: &str) -> Result<String, IpcError> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(IpcError::new(
            ErrorCode::InvalidInput,
            "Bitte geben Sie dem Filter einen Namen mit 1 bis 100 Zeichen.",
        ));
    }
    Ok(name.to_owned())
}

impl AppContext {
    /// Command `posteingang`: one page of a view, optionally narrowed by full-text search.
    pub fn posteingang(&self, anfrage: QueueAnfrage) -> Result<QueueAntwort, IpcError> {
        if anfrage.limit == 0 || anfrage.limit > MAX_SEITE {
            return Err(IpcError::new(
                ErrorCode::InvalidInput,
                format!("Eine Seite des Posteingangs hat 1 bis {MAX_SEITE} Zeilen."),
            ));
        }
        let heute = self.sitzung.heute();
        let mut f = ansicht_filter(
            anfrage.ansicht,
            &self.sitzung.benutzer,
            heute,
            self.fristen(),
        );
        f.volltext = anfrage
            .suche
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned);
        f.sortierung = sortierung(anfrage.sortierung);
        f.absteigend = anfrage.absteigend;
        f.pro_seite = anfrage.limit;
        f.versatz = Some(u64::from(anfrage.offset));
        let (seite, gesamt, ungesehen) = self
            .store
            .read(|r| {
                let seite = r.warteschlange(&f)?;
                let gesamt = r.warteschlange_anzahl(&f)?;
                let ids: Vec<VorgangId> = seite.zeilen.iter().map(|z| z.id).collect();
                let ungesehen = r.mit_ungesehenen_unterlagen(&ids)?;
                Ok((seite, gesamt, ungesehen))
            })
            .map_err(fehler)?;
        let zeilen = seite
            .zeilen
            .into_iter()
            .map(|z| QueueZeile {
                id: z.id.to_string(),
                aktenzeichen: z.aktenzeichen.0,
                eingang: rfc3339(z.eingang),
                leistung: z.leistung,
                antragsteller: z.antragsteller,
                status: status_ipc(z.status),
                status_text: z.status.bezeichnung().to_owned(),
                frist: z.frist.map(iso),
                faelligkeit: faelligkeit(z.faelligkeit),
                wiedervorlage: z.wiedervorlage.map(iso),
                zustaendig: z.zustaendig,
                neue_unterlagen: ungesehen.contains(&z.id),
            })
            .collect();
        Ok(QueueAntwort {
            zeilen,
            gesamt: zahl(gesamt),
            offset: anfrage.offset,
        })
    }

    /// Command `ansicht_zahlen`: how many cases each view holds (one count query each, in
    /// one snapshot), and the views' names.
    pub fn ansicht_zahlen(&self) -> Result<AnsichtZahlen, IpcError> {
        let heute = self.sitzung.heute();
        let ich = &self.sitzung.benutzer;
        let n = |r: &store::Lesen<'_>, a| -> store::Result<u32> {
            Ok(zahl(r.warteschlange_anzahl(&ansicht_filter(
                a,
                ich,
                heute,
                self.fristen(),
            ))?))
        };
        self.store
            .read(|r| {
                Ok(AnsichtZahlen {
                    neu: n(r, Ansicht::Neu)?,
                    meine: n(r, Ansicht::Meine)?,
                    faellig: n(r, Ansicht::Faellig)?,
                    ueberfaellig: n(r, Ansicht::Ueberfaellig)?,
                    wiedervorlage_heute: n(r, Ansicht::WiedervorlageHeute)?,
                    alle: zahl(r.anzahl_vorgaenge()?),
                    zur_freigabe: n(r, Ansicht::ZurFreigabe)?,
                    abgabe_offen: n(r, Ansicht::AbgabeOffen)?,
                    ansichten: ANSICHTEN
                        .into_iter()
                        .map(|ansicht| AnsichtInfo {
                            ansicht,
                            bezeichnung: ansicht_bezeichnung(ansicht, self.fristen()),
                        })
                        .collect(),
                })
            })
            .map_err(fehler)
    }

    /// Command `mir_zuweisen`: makes the session's user responsible for the open cases
    /// `ids` (one transaction, one audit entry per changed case). Closed cases and cases
    /// already assigned to the user are left as they are. Returns how many changed.
    pub fn mir_zuweisen(&self, ids: Vec<String>) -> Result<u32, IpcError> {
        let ids = ids
            .iter()
            .map(|i| vorgang_id(i))
            .collect::<Result<Vec<_>, _>>()?;
        let ich = self.sitzung.benutzer.clone();
        self.store
            .write(|w| {
                let mut n = 0;
                for id in &ids {
                    let mut v = w.vorgang(id)?.ok_or_else(|| {
                        store::StoreError::NichtGefunden(format!("Der Vorgang {id}"))
                    })?;
                    if !v.status.ist_offen() || v.zustaendig.as_deref() == Some(ich.as_str()) {
                        continue;
                    }
                    let vorher = v.zustaendig.replace(ich.clone());
                    w.vorgang_aendern(
                        &v,
                        &ich,
                        crate::vorgang::ZUSTAENDIG_GESETZT,
                        &crate::vorgang::zustaendig_details(vorher.as_deref(), &ich),
                    )?;
                    n += 1;
                }
                Ok(n)
            })
            .map_err(fehler)
    }

    /// Command `gespeicherte_filter`: the saved filters, by name.
    pub fn gespeicherte_filter(&self) -> Result<Vec<GespeicherterFilter>, IpcError> {
        let roh = self
            .store
            .read(|r| r.gespeicherte_filter())
            .map_err(fehler)?;
        // A filter that no longer parses (written by a different version) is skipped, not fatal.
        Ok(roh
            .into_iter()
            .filter_map(|(name, json)| {
                serde_json::from_str::<QueueAnfrage>(&json)
                    .ok()
                    .map(|anfrage| GespeicherterFilter { name, anfrage })
            })
            .collect())
    }

    /// Command `filter_speichern`: saves (or replaces by name) a filter; returns all.
    pub fn filter_speichern(
        &self,
        filter: GespeicherterFilter,
    ) -> Result<Vec<GespeicherterFilter>, IpcError> {
        let name = filter_name(&filter.name)?;
        let json = serde_json::to_string(&filter.anfrage)
            .map_err(|e| IpcError::new(ErrorCode::Internal, format!("Filter: {e}")))?;
        self.store
            .write(|w| w.filter_speichern(&name, &json))
            .map_err(fehler)?;
        self.gespeicherte_filter()
    }

    /// Command `filter_loeschen`: deletes a saved filter; returns the rest.
    pub fn filter_loeschen(&self, name: String) -> Result<Vec<GespeicherterFilter>, IpcError> {
        let geloescht = self
            .store
            .write(|w| w.filter_loeschen(name.trim()))
            .map_err(fehler)?;
        if !geloescht {
            return Err(IpcError::new(
                ErrorCode::NotFound,
                format!(
                    "Es gibt keinen gespeicherten Filter „{name}“. Aktualisieren Sie die Liste."
                ),
            ));
        }
        self.gespeicherte_filter()
    }
}
