//! Cases: insert with Aktenzeichen, read, change, queue queries and full-text search.

use domain::aktenzeichen::{AktenzeichenMuster, AktenzeichenWerte};
use domain::{
    Aktenzeichen, Aktion, Faelligkeit, Fakten, Notiz, Prioritaet, Rolle, Status, Vorgang, VorgangId,
};
use rusqlite::types::Value;
use rusqlite::{OptionalExtension, params};
use serde::{Deserialize, Serialize};
use time::Date;

use crate::error::{Result, StoreError};
use crate::{Lesen, Schreiben, aus_ms, jetzt_ms, ms};

/// How Aktenzeichen are formed in this office.
#[derive(Debug, Clone)]
pub struct AktenzeichenVergabe {
    /// The pattern.
    pub muster: AktenzeichenMuster,
    /// Office code for `{Amt}`.
    pub amt: String,
    /// Short code for `{Kürzel}`.
    pub kuerzel: String,
}

/// "Today" for deadline filters, with the last day that still counts as due (computed by
/// [`domain::frist::faellig_bis`] from the lead time and the Bundesland).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stichtag {
    /// Today.
    pub heute: Date,
    /// Deadlines up to this day count as "fällig".
    pub faellig_bis: Date,
}

/// Filter by assignee.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum ZustaendigFilter {
    /// Assigned to this login.
    Person(String),
    /// Nobody assigned.
    Niemand,
}

/// Filter by urgency (needs a [`Stichtag`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Faelligkeitsfilter {
    /// Due (deadline within the lead time or Wiedervorlage reached), not yet overdue.
    Faellig,
    /// Deadline passed.
    Ueberfaellig,
    /// Due or overdue.
    FaelligOderUeberfaellig,
}

/// Sort order of the queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum Sortierung {
    /// By receipt.
    #[default]
    Eingang,
    /// By deadline (none last).
    Frist,
    /// By file number.
    Aktenzeichen,
    /// By priority.
    Prioritaet,
    /// By Wiedervorlage date (none last).
    Wiedervorlage,
    /// By applicant name.
    Antragsteller,
    /// By Leistung name.
    Leistung,
    /// By status code.
    Status,
    /// By assignee (unassigned first ascending, as SQLite sorts NULL).
    Zustaendig,
}

/// A queue query.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct QueueFilter {
    /// Only these statuses (empty = any).
    pub status: Vec<Status>,
    /// Only open cases.
    pub nur_offen: bool,
    /// Assignee.
    pub zustaendig: Option<ZustaendigFilter>,
    /// LeiKa key.
    pub leika: Option<String>,
    /// Urgency.
    pub faelligkeit: Option<Faelligkeitsfilter>,
    /// Wiedervorlage on or before this day.
    pub wiedervorlage_bis: Option<Date>,
    /// Today, for urgency (required with `faelligkeit`, also fills [`QueueZeile::faelligkeit`]).
    pub stichtag: Option<Stichtag>,
    /// Sort key.
    pub sortierung: Sortierung,
    /// Descending.
    pub absteigend: bool,
    /// Page number from 0.
    pub seite: u32,
    /// Rows per page (1..=500; 0 means 50).
    pub pro_seite: u32,
    /// Start at this row instead of at `seite * pro_seite` (for virtual scrolling).
    pub versatz: Option<u64>,
    /// Only cases the full-text search finds (every word as a prefix, folded like
    /// [`falten`]); empty text means no restriction.
    pub volltext: Option<String>,
}

/// One row of the queue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueZeile {
    /// Case id.
    pub id: VorgangId,
    /// File number.
    pub aktenzeichen: Aktenzeichen,
    /// Leistung name.
    pub leistung: String,
    /// Applicant name.
    pub antragsteller: String,
    /// Receipt.
    #[serde(with = "time::serde::rfc3339")]
    pub eingang: time::OffsetDateTime,
    /// Status.
    pub status: Status,
    /// Assignee.
    pub zustaendig: Option<String>,
    /// Deadline.
    #[serde(with = "domain::datum_serde::iso::option")]
    pub frist: Option<Date>,
    /// Wiedervorlage.
    #[serde(with = "domain::datum_serde::iso::option")]
    pub wiedervorlage: Option<Date>,
    /// Priority.
    pub prioritaet: Prioritaet,
    /// Urgency (with a Stichtag; else `Offen`).
    pub faelligkeit: Faelligkeit,
}

/// A page of the queue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueSeite {
    /// Rows.
    pub zeilen: Vec<QueueZeile>,
    /// Whether another page follows.
    pub weitere: bool,
}

/// A search hit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Suchtreffer {
    /// Case id.
    pub id: VorgangId,
    /// File number.
    pub aktenzeichen: Aktenzeichen,
    /// Applicant.
    pub antragsteller: String,
    /// Status.
    pub status: Status,
}

/// Folds text for the index and for queries: lower case, ä→ae, ö→oe, ü→ue, ß→ss (so
/// "Müller", "Mueller" and "MÜLLER" meet; "Straße" and "Strasse" too).
pub fn falten(s: &str) -> String {
    if s.is_ascii() {
        return s.to_ascii_lowercase();
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if c.is_ascii() {
            out.push(c.to_ascii_lowercase());
            continue;
        }
        match c {
            'ä' | 'Ä' => out.push_str("ae"),
            'ö' | 'Ö' => out.push_str("oe"),
            'ü' | 'Ü' => out.push_str("ue"),
            'ß' | 'ẞ' => out.push_str("ss"),
            c => out.extend(c.to_lowercase()),
        }
    }
    out
}

/// How many of the newest matches a search ranks (see [`Lesen::suche`]).
pub const SUCH_FENSTER: i64 = 500;

fn fmt_datum(d: Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

fn parse_datum(s: &str) -> Option<Date> {
    let mut it = s.split('-');
    let j: i32 = it.next()?.parse().ok()?;
    let m: u8 = it.next()?.parse().ok()?;
    let t: u8 = it.next()?.parse().ok()?;
    Date::from_calendar_date(j, time::Month::try_from(m).ok()?, t).ok()
}

fn notiz_text(v: &Vorgang) -> String {
    let mut s = String::new();
    for n in &v.notizen {
        s.push_str(&n.text);
        s.push(' ');
    }
    s
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

    fn filter_sql(f: &QueueFilter, sql: &mut String, p: &mut Vec<Value>) -> Result<()> {
        sql.push_str(" WHERE 1=1");
        if !f.status.is_empty() {
            sql.push_str(" AND status IN (");
            for (i, s) in f.status.iter().enumerate() {
                sql.push_str(if i == 0 { "?" } else { ",?" });
                p.push(Value::Text(s.code().into()));
            }
            sql.push(')');
        }
        if f.nur_offen {
            sql.push_str(" AND offen = 1");
        }
        match &f.zustaendig {
            Some(ZustaendigFilter::Person(z)) => {
                sql.push_str(" AND zustaendig = ?");
                p.push(Value::Text(z.clone()));
            }
            Some(ZustaendigFilter::Niemand) => sql.push_str(" AND zustaendig IS NULL"),
            None => {}
        }
        if let Some(l) = &f.leika {
            sql.push_str(" AND leika = ?");
            p.push(Value::Text(l.clone()));
        }
        if let Some(anfrage) = f.volltext.as_deref().and_then(fts_anfrage) {
            sql.push_str(" AND nr IN (SELECT rowid FROM vorgang_fts WHERE vorgang_fts MATCH ?)");
            p.push(Value::Text(anfrage));
        }
        if let Some(w) = f.wiedervorlage_bis {
            sql.push_str(" AND wiedervorlage <= ?");
            p.push(Value::Text(fmt_datum(w)));
        }
        if let Some(ff) = f.faelligkeit {
            let st = f.stichtag.ok_or_else(|| {
                StoreError::Unzulaessig(
                    "Für den Fälligkeitsfilter fehlt der Stichtag (heute).".into(),
                )
            })?;
            let heute = Value::Text(fmt_datum(st.heute));
            let bis = Value::Text(fmt_datum(st.faellig_bis));
            match ff {
                Faelligkeitsfilter::Ueberfaellig => {
                    sql.push_str(" AND offen = 1 AND frist < ?");
                    p.push(heute);
                }
                Faelligkeitsfilter::Faellig => {
                    sql.push_str(
                        " AND offen = 1 AND (frist IS NULL OR frist >= ?) AND (frist <= ? OR wiedervorlage <= ?)",
                    );
                    p.extend([heute.clone(), bis, heute]);
                }
                Faelligkeitsfilter::FaelligOderUeberfaellig => {
                    sql.push_str(" AND offen = 1 AND (frist <= ? OR wiedervorlage <= ?)");
                    p.extend([bis, heute]);
                }
            }
        }
        Ok(())
    }

    /// One page of the queue.
    pub fn warteschlange(&self, f: &QueueFilter) -> Result<QueueSeite> {
        let pro_seite = match f.pro_seite {
            0 => 50,
            n => n.min(500),
        };
        const SPALTEN: &str = "id, aktenzeichen, leistung_name, antragsteller_name, eingang_ms, \
             status, zustaendig, frist, wiedervorlage, prioritaet";
        let richtung = if f.absteigend { "DESC" } else { "ASC" };
        let versatz = match f.versatz {
            Some(v) => i64::try_from(v).unwrap_or(i64::MAX),
            None => i64::from(f.seite) * i64::from(pro_seite),
        };
        let mut p = Vec::new();
        let mut sql = if f.sortierung == Sortierung::Eingang && f.status.len() > 1 {
            // Several statuses by Eingang: `status IN (…)` cannot be read in Eingang order from
            // the (status, eingang_ms) index, so SQLite read and sorted every matching row (at
            // 100,000 cases 317 ms encrypted, 67 ms plain). Instead each status contributes
            // its first `versatz + page + 1` rows in index order, and only those are merged.
            let bedarf = versatz.saturating_add(i64::from(pro_seite) + 1);
            let mut teile = Vec::with_capacity(f.status.len());
            for st in &f.status {
                let mut einzeln = f.clone();
                einzeln.status = vec![*st];
                let mut teil = format!("SELECT * FROM (SELECT {SPALTEN}, nr FROM vorgang");
                Self::filter_sql(&einzeln, &mut teil, &mut p)?;
                teil.push_str(&format!(
                    " ORDER BY eingang_ms {richtung}, nr {richtung} LIMIT ?)"
                ));
                p.push(Value::Integer(bedarf));
                teile.push(teil);
            }
            format!("SELECT {SPALTEN} FROM ({})", teile.join(" UNION ALL "))
        } else {
            let mut sql = format!("SELECT {SPALTEN} FROM vorgang");
            Self::filter_sql(f, &mut sql, &mut p)?;
            sql
        };
        let ordnung = match f.sortierung {
            Sortierung::Eingang => format!("eingang_ms {richtung}"),
            Sortierung::Frist => format!("frist IS NULL, frist {richtung}"),
            Sortierung::Aktenzeichen => format!("az_jahr {richtung}, az_nr {richtung}"),
            Sortierung::Prioritaet => format!("prioritaet {richtung}"),
            Sortierung::Wiedervorlage => format!("wiedervorlage IS NULL, wiedervorlage {richtung}"),
            Sortierung::Antragsteller => format!("antragsteller_name COLLATE NOCASE {richtung}"),
            Sortierung::Leistung => format!("leistung_name {richtung}"),
            Sortierung::Status => format!("status {richtung}"),
            Sortierung::Zustaendig => format!("zustaendig {richtung}"),
        };
        sql.push_str(&format!(
            " ORDER BY {ordnung}, nr {richtung} LIMIT ? OFFSET ?"
        ));
        p.push(Value::Integer(i64::from(pro_seite) + 1));
        p.push(Value::Integer(versatz));
        let mut st = self.conn.prepare_cached(&sql)?;
        let mut zeilen = Vec::with_capacity(pro_seite as usize + 1);
        let mut rows = st.query(rusqlite::params_from_iter(p))?;
        while let Some(r) = rows.next()? {
            let id: String = r.get(0)?;
            let status: String = r.get(5)?;
            let status = Status::aus_code(&status)
                .ok_or_else(|| StoreError::Daten(format!("unbekannter Status {status}")))?;
            let frist = r.get::<_, Option<String>>(7)?.and_then(|s| parse_datum(&s));
            let wiedervorlage = r.get::<_, Option<String>>(8)?.and_then(|s| parse_datum(&s));
            let faelligkeit = match f.stichtag {
                Some(st) if status.ist_offen() => {
                    if frist.is_some_and(|d| d < st.heute) {
                        Faelligkeit::Ueberfaellig
                    } else if frist.is_some_and(|d| d <= st.faellig_bis)
                        || wiedervorlage.is_some_and(|w| w <= st.heute)
                    {
                        Faelligkeit::Faellig
                    } else {
                        Faelligkeit::Offen
                    }
                }
                _ => Faelligkeit::Offen,
            };
            zeilen.push(QueueZeile {
                id: VorgangId(uuid_parse(&id)?),
                aktenzeichen: Aktenzeichen(r.get(1)?),
                leistung: r.get(2)?,
                antragsteller: r.get(3)?,
                eingang: aus_ms(r.get(4)?),
                status,
                zustaendig: r.get(6)?,
                frist,
                wiedervorlage,
                prioritaet: Prioritaet::aus_rang(r.get(9)?),
                faelligkeit,
            });
        }
        let weitere = zeilen.len() > pro_seite as usize;
        zeilen.truncate(pro_seite as usize);
        Ok(QueueSeite { zeilen, weitere })
    }

    /// Number of cases matching the filter (paging and sort ignored).
    pub fn warteschlange_anzahl(&self, f: &QueueFilter) -> Result<u64> {
        let mut sql = String::from("SELECT count(*) FROM vorgang");
        let mut p = Vec::new();
        Self::filter_sql(f, &mut sql, &mut p)?;
        let n: i64 = self
            .conn
            .prepare_cached(&sql)?
            .query_row(rusqlite::params_from_iter(p), |r| r.get(0))?;
        Ok(n as u64)
    }

    /// Full-text search over Aktenzeichen, applicant, form text and notes. Every word must
    /// match; each word matches as a prefix. Among the newest [`SUCH_FENSTER`] matches the best
    /// come first (BM25, hits in Aktenzeichen and applicant weigh most): this bounds the cost
    /// of a word found in nearly every case, while a name or a file number, which match few
    /// cases, are always ranked in full.
    pub fn suche(&self, text: &str, limit: u32) -> Result<Vec<Suchtreffer>> {
        let Some(anfrage) = fts_anfrage(text) else {
            return Ok(Vec::new());
        };
        let mut st = self.conn.prepare_cached(
            "SELECT v.id, v.aktenzeichen, v.antragsteller_name, v.status
             FROM (SELECT rowid, bm25(vorgang_fts, 20.0, 10.0, 1.0, 2.0) AS rang FROM vorgang_fts
                   WHERE vorgang_fts MATCH ?1 ORDER BY rowid DESC LIMIT ?3) t
             JOIN vorgang v ON v.nr = t.rowid ORDER BY t.rang, t.rowid DESC LIMIT ?2",
        )?;
        let mut rows = st.query(params![
            anfrage,
            i64::from(limit.clamp(1, 1000)),
            SUCH_FENSTER
        ])?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            let status: String = r.get(3)?;
            out.push(Suchtreffer {
                id: VorgangId(uuid_parse(&r.get::<_, String>(0)?)?),
                aktenzeichen: Aktenzeichen(r.get(1)?),
                antragsteller: r.get(2)?,
                status: Status::aus_code(&status).unwrap_or(Status::Neu),
            });
        }
        Ok(out)
    }
}

/// The FTS5 query for a search text: every folded word as a quoted prefix, ANDed; `None`
/// when the text has no word.
fn fts_anfrage(text: &str) -> Option<String> {
    let woerter: Vec<String> = falten(text)
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| format!("\"{w}\"*"))
        .collect();
    (!woerter.is_empty()).then(|| woerter.join(" AND "))
}

/// The search-index columns of a case, folded: Aktenzeichen, applicant (name, address,
/// contact), form text, notes.
fn index_spalten(v: &Vorgang) -> [String; 4] {
    let az = v.aktenzeichen.as_ref().map(|a| a.0.as_str()).unwrap_or("");
    let ast = format!(
        "{} {} {}",
        v.antragsteller.name,
        v.antragsteller.anschrift.as_deref().unwrap_or(""),
        v.antragsteller.kontakt.as_deref().unwrap_or("")
    );
    [
        falten(az),
        falten(&ast),
        falten(&v.formulardaten.volltext()),
        falten(&notiz_text(v)),
    ]
}

fn index_einfuegen(conn: &rusqlite::Connection, zeile: i64, spalten: [String; 4]) -> Result<()> {
    let [az, ast, formular, notizen] = spalten;
    conn.prepare_cached(
        "INSERT INTO vorgang_fts (rowid, aktenzeichen, antragsteller, formular, notizen) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![zeile, az, ast, formular, notizen])?;
    Ok(())
}

/// Fills an empty search index from every case's document (migration 4 rebuilt the table).
pub(crate) fn suchindex_neu_aufbauen(conn: &rusqlite::Connection) -> Result<()> {
    let mut st = conn.prepare("SELECT nr, doc FROM vorgang ORDER BY nr")?;
    let mut rows = st.query([])?;
    while let Some(r) = rows.next()? {
        let zeile: i64 = r.get(0)?;
        let doc: String = r.get(1)?;
        let v: Vorgang = serde_json::from_str(&doc)?;
        index_einfuegen(conn, zeile, index_spalten(&v))?;
    }
    Ok(())
}

/// One queued change to the search index (see [`Schreiben::suchindex_schreiben`]).
#[derive(Debug)]
pub(crate) enum IndexAenderung {
    /// Remove the row of this case.
    Loeschen(i64),
    /// Add the row of this case: folded Aktenzeichen, applicant, form text, notes.
    Einfuegen { zeile: i64, spalten: [String; 4] },
}

fn uuid_parse(s: &str) -> Result<uuid::Uuid> {
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

    /// Queues the case's search-index row (replacing the old one when `ersetzen`); written by
    /// [`Schreiben::suchindex_schreiben`] before the commit.
    fn index_schreiben(&self, zeile: i64, v: &Vorgang, ersetzen: bool) {
        let mut puffer = self.suchindex.borrow_mut();
        if ersetzen {
            puffer.push(IndexAenderung::Loeschen(zeile));
        }
        puffer.push(IndexAenderung::Einfuegen {
            zeile,
            spalten: index_spalten(v),
        });
    }

    /// Writes the queued search-index changes, in order. Called by [`crate::Store::write`]
    /// after the transaction's closure and before the commit, so FTS5 keeps every new row in
    /// its in-memory hash and writes one segment at the commit.
    pub(crate) fn suchindex_schreiben(&self) -> Result<()> {
        let aenderungen = std::mem::take(&mut *self.suchindex.borrow_mut());
        for a in aenderungen {
            match a {
                IndexAenderung::Loeschen(zeile) => {
                    self.conn
                        .prepare_cached("DELETE FROM vorgang_fts WHERE rowid = ?1")?
                        .execute([zeile])?;
                }
                IndexAenderung::Einfuegen { zeile, spalten } => {
                    index_einfuegen(self.conn, zeile, spalten)?;
                }
            }
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

    /// Takes a status action through the domain's status machine and saves the result.
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
        let nach = v.anwenden(aktion, rolle, fakten)?;
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
