//! Cases: insert with Aktenzeichen, read, change, notes and status actions. The Posteingang
//! queries (filter, page, count) are in [`posteingang`], full-text search and its index in
//! [`suche`].

mod posteingang;
mod suche;

use domain::aktenzeichen::{AktenzeichenMuster, AktenzeichenWerte};
use domain::{Aktenzeichen, Aktion, Fakten, Notiz, Rolle, Status, Vorgang, VorgangId};
use rusqlite::{OptionalExtension, params};
use time::Date;

pub use posteingang::{
    Faelligkeitsfilter, QueueFilter, QueueSeite, QueueZeile, Sortierung, Stichtag, ZustaendigFilter,
};
pub(crate) use suche::{IndexAenderung, suchindex_neu_aufbauen};
pub use suche::{SUCH_FENSTER, Suchtreffer, falten};

use crate::error::{Result, StoreError};
use crate::{Lesen, Schreiben, jetzt_ms, ms};

/// How Aktenzeichen are formed in this office.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AktenzeichenVergabe {
    /// The pattern.
    pub muster: AktenzeichenMuster,
    /// Office code for `{Amt}`.
    pub amt: String,
    /// Short code for `{Kürzel}`.
    pub kuerzel: String,
}

pub(crate) fn fmt_datum(d: Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

pub(crate) fn parse_datum(s: &str) -> Option<Date> {
    let mut it = s.split('-');
    let j: i32 = it.next()?.parse().ok()?;
    let m: u8 = it.next()?.parse().ok()?;
    let t: u8 = it.next()?.parse().ok()?;
    Date::from_calendar_date(j, time::Month::try_from(m).ok()?, t).ok()
}

impl Lesen<'_> {
    /// The case with `id` (without an audit entry: the UI opens cases with
    /// [`Schreiben::vorgang_oeffnen`]).
    pub fn vorgang(&self, id: &VorgangId) -> Result<Option<Vorgang>> {
        let doc: Option<String> = self
            .conn
            .prepare_cached("SELECT doc FROM vorgang WHERE id = ?1")?
            .query_row([id.to_string()], |r| r.get(0))
            .optional()?;
        doc.map(|d| serde_json::from_str(&d).map_err(StoreError::from))
            .transpose()
    }

    /// The case with this Aktenzeichen.
    pub fn vorgang_nach_aktenzeichen(&self, az: &str) -> Result<Option<Vorgang>> {
        let doc: Option<String> = self
            .conn
            .prepare_cached("SELECT doc FROM vorgang WHERE aktenzeichen = ?1")?
            .query_row([az], |r| r.get(0))
            .optional()?;
        doc.map(|d| serde_json::from_str(&d).map_err(StoreError::from))
            .transpose()
    }

    /// Number of cases.
    pub fn anzahl_vorgaenge(&self) -> Result<u64> {
        Ok(self
            .conn
            .query_row("SELECT count(*) FROM vorgang", [], |r| r.get::<_, i64>(0))?
            as u64)
    }
}

pub(crate) fn uuid_parse(s: &str) -> Result<uuid::Uuid> {
    uuid::Uuid::parse_str(s).map_err(|e| StoreError::Daten(format!("Vorgangs-ID {s}: {e}")))
}

impl Schreiben<'_> {
    /// Inserts a new case: assigns the next Aktenzeichen of the year of receipt (in this
    /// transaction, so the number is gap-free), indexes it for search, links its
    /// attachments (which must already be stored) and appends to the audit log.
    pub fn vorgang_anlegen(
        &self,
        v: &mut Vorgang,
        vergabe: &AktenzeichenVergabe,
        wer: &str,
    ) -> Result<Aktenzeichen> {
        let jahr = v.eingang.year();
        let nr = self.naechste_az_nr(jahr)?;
        let az = vergabe.muster.formatieren(&AktenzeichenWerte {
            amt: vergabe.amt.clone(),
            kuerzel: vergabe.kuerzel.clone(),
            jahr,
            nr: nr as u64,
        });
        v.aktenzeichen = Some(az.clone());
        let doc = serde_json::to_string(&*v)?;
        let jetzt = jetzt_ms();
        let r = self.conn.prepare_cached(
            "INSERT INTO vorgang (id, aktenzeichen, az_jahr, az_nr, leika, leistung_name, eingang_ms, status, offen,
                 zustaendig, frist, wiedervorlage, prioritaet, antragsteller_name, submission_id, doc, geaendert_ms)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)",
        )?
        .execute(params![
            v.id.to_string(),
            az.0,
            jahr,
            nr,
            v.leistung.leika,
            v.leistung.name,
            ms(v.eingang),
            v.status.code(),
            v.status.ist_offen(),
            v.zustaendig,
            v.frist.map(fmt_datum),
            v.wiedervorlage.map(fmt_datum),
            v.prioritaet.rang(),
            v.antragsteller.name,
            v.fit_connect.as_ref().map(|f| f.submission_id.clone()),
            doc,
            jetzt,
        ]);
        match r {
            Ok(_) => {}
            Err(e) if e.sqlite_error_code() == Some(rusqlite::ErrorCode::ConstraintViolation) => {
                return Err(StoreError::Unzulaessig(format!(
                    "Der Vorgang {} oder das Aktenzeichen {az} ist bereits vorhanden ({e}).",
                    v.id
                )));
            }
            Err(e) => return Err(e.into()),
        }
        let zeile = self.conn.last_insert_rowid();
        self.index_schreiben(zeile, v, false);
        self.anlagen_verknuepfen(zeile, v)?;
        self.audit_anhaengen(
            wer,
            "vorgang.angelegt",
            Some(&v.id),
            &format!("Aktenzeichen {az}"),
        )?;
        Ok(az)
    }

    /// The next Aktenzeichen number of `jahr`: read once per transaction, counted in memory,
    /// written by [`Schreiben::az_zaehler_schreiben`] before the commit.
    fn naechste_az_nr(&self, jahr: i32) -> Result<i64> {
        let mut zaehler = self.az_zaehler.borrow_mut();
        let letzte = match zaehler.get(&jahr) {
            Some(n) => *n,
            None => self
                .conn
                .prepare_cached("SELECT letzte_nr FROM az_zaehler WHERE jahr = ?1")?
                .query_row([jahr], |r| r.get(0))
                .optional()?
                .unwrap_or(0),
        };
        zaehler.insert(jahr, letzte + 1);
        Ok(letzte + 1)
    }

    /// Writes the counters this transaction advanced.
    pub(crate) fn az_zaehler_schreiben(&self) -> Result<()> {
        let zaehler = std::mem::take(&mut *self.az_zaehler.borrow_mut());
        for (jahr, nr) in zaehler {
            self.conn
                .prepare_cached(
                    "INSERT INTO az_zaehler (jahr, letzte_nr) VALUES (?1, ?2)
                     ON CONFLICT (jahr) DO UPDATE SET letzte_nr = excluded.letzte_nr",
                )?
                .execute(params![jahr, nr])?;
        }
        Ok(())
    }

    fn anlagen_verknuepfen(&self, zeile: i64, v: &Vorgang) -> Result<()> {
        for a in &v.anlagen {
            let r = self
                .conn
                .prepare_cached(
                    "INSERT OR IGNORE INTO vorgang_anlage (vorgang_nr, sha512, dateiname, mime) VALUES (?1, ?2, ?3, ?4)",
                )?
                .execute(params![zeile, a.sha512, a.dateiname, a.mime]);
            if let Err(e) = r {
                if e.sqlite_error_code() == Some(rusqlite::ErrorCode::ConstraintViolation) {
                    return Err(StoreError::Unzulaessig(format!(
                        "Die Anlage „{}“ (SHA-512 {}…) ist nicht gespeichert; speichern Sie sie vor dem Vorgang.",
                        a.dateiname,
                        a.sha512.get(..16).unwrap_or(&a.sha512)
                    )));
                }
                return Err(e.into());
            }
        }
        Ok(())
    }

    /// Saves a changed case (all fields except id and Aktenzeichen) and logs `was`.
    pub fn vorgang_speichern(&self, v: &Vorgang, wer: &str, was: &str) -> Result<()> {
        self.vorgang_aendern(v, wer, was, "")
    }

    /// Like [`Schreiben::vorgang_speichern`], with `details` in the audit entry (a reason,
    /// the new assignee, …).
    pub fn vorgang_aendern(&self, v: &Vorgang, wer: &str, was: &str, details: &str) -> Result<()> {
        let alt = self
            .vorgang(&v.id)?
            .ok_or_else(|| StoreError::NichtGefunden(format!("Der Vorgang {}", v.id)))?;
        // A status changes only as the status machine lets it: from the stored status along
        // one of its rows. Whoever calls, a change the machine never produces is refused.
        if alt.status != v.status
            && !domain::status::UEBERGAENGE
                .iter()
                .any(|u| u.von == alt.status && u.nach == v.status)
        {
            return Err(StoreError::Unzulaessig(format!(
                "Der Vorgang kann nicht von „{}“ nach „{}“ wechseln: Diesen Statuswechsel sieht \
                 die Bearbeitung nicht vor. Bitte laden Sie den Vorgang neu.",
                alt.status.bezeichnung(),
                v.status.bezeichnung()
            )));
        }
        let mut v = v.clone();
        v.aktenzeichen = alt.aktenzeichen.clone();
        let doc = serde_json::to_string(&v)?;
        let zeile: i64 = self.conn.prepare_cached(
            "UPDATE vorgang SET leika = ?2, leistung_name = ?3, eingang_ms = ?4, status = ?5, offen = ?6, zustaendig = ?7,
                 frist = ?8, wiedervorlage = ?9, prioritaet = ?10, antragsteller_name = ?11, submission_id = ?12,
                 doc = ?13, version = version + 1, geaendert_ms = ?14
             WHERE id = ?1 RETURNING nr",
        )?
        .query_row(
            params![
                v.id.to_string(),
                v.leistung.leika,
                v.leistung.name,
                ms(v.eingang),
                v.status.code(),
                v.status.ist_offen(),
                v.zustaendig,
                v.frist.map(fmt_datum),
                v.wiedervorlage.map(fmt_datum),
                v.prioritaet.rang(),
                v.antragsteller.name,
                v.fit_connect.as_ref().map(|f| f.submission_id.clone()),
                doc,
                jetzt_ms(),
            ],
            |r| r.get(0),
        )?;
        self.index_schreiben(zeile, &v, true);
        self.anlagen_verknuepfen(zeile, &v)?;
        self.audit_anhaengen(wer, was, Some(&v.id), details)?;
        Ok(())
    }

    /// Opens a case for reading by a person: logs the access.
    pub fn vorgang_oeffnen(&self, id: &VorgangId, wer: &str) -> Result<Vorgang> {
        let v = self
            .vorgang(id)?
            .ok_or_else(|| StoreError::NichtGefunden(format!("Der Vorgang {id}")))?;
        self.audit_anhaengen(wer, "vorgang.geoeffnet", Some(id), "")?;
        Ok(v)
    }

    /// Takes a status action through the domain's status machine and saves the result. The
    /// facts about the decision draft (one exists; the actor `wer` wrote a version of it)
    /// are read here, not taken from the caller, so no caller can approve its own draft.
    pub fn status_wechseln(
        &self,
        id: &VorgangId,
        aktion: Aktion,
        rolle: Rolle,
        fakten: &Fakten,
        wer: &str,
    ) -> Result<Status> {
        let mut v = self
            .vorgang(id)?
            .ok_or_else(|| StoreError::NichtGefunden(format!("Der Vorgang {id}")))?;
        let von = v.status;
        let fakten = self.entwurf_geschichte(id)?.fakten(wer, *fakten);
        let nach = v.anwenden(aktion, rolle, &fakten)?;
        self.vorgang_speichern(
            &v,
            wer,
            &format!(
                "status: {} → {} ({})",
                von.code(),
                nach.code(),
                aktion.bezeichnung()
            ),
        )?;
        Ok(nach)
    }

    /// Adds an internal note.
    pub fn notiz_hinzufuegen(&self, id: &VorgangId, notiz: Notiz, wer: &str) -> Result<()> {
        let mut v = self
            .vorgang(id)?
            .ok_or_else(|| StoreError::NichtGefunden(format!("Der Vorgang {id}")))?;
        v.notizen.push(notiz);
        self.vorgang_speichern(&v, wer, "notiz.hinzugefuegt")
    }
}
