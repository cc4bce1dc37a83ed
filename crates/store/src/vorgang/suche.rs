//! Full-text search over cases (FTS5) and the search index it reads: folded text, the
//! index columns of a case, and the index changes a write transaction queues.

use domain::{Aktenzeichen, Status, Vorgang, VorgangId};
use rusqlite::params;
use serde::{Deserialize, Serialize};

use super::uuid_parse;
use crate::error::Result;
use crate::{Lesen, Schreiben};

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

fn notiz_text(v: &Vorgang) -> String {
    let mut s = String::new();
    for n in &v.notizen {
        s.push_str(&n.text);
        s.push(' ');
    }
    s
}

impl Lesen<'_> {
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
pub(super) fn fts_anfrage(text: &str) -> Option<String> {
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

impl Schreiben<'_> {
    /// Queues the case's search-index row (replacing the old one when `ersetzen`); written by
    /// [`Schreiben::suchindex_schreiben`] before the commit.
    pub(super) fn index_schreiben(&self, zeile: i64, v: &Vorgang, ersetzen: bool) {
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
}
