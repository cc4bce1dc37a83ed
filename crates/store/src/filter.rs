//! Saved queue filters, by name. The store keeps the request as opaque JSON text (the UI's
//! contract type lives in the `ipc` crate); it lives in the encrypted database because the
//! search text may name a person.

use rusqlite::params;

use crate::error::{Result, StoreError};
use crate::{Lesen, Schreiben, jetzt_ms};

impl Lesen<'_> {
    /// All saved filters as `(name, request JSON)`, by name (case-insensitive).
    pub fn gespeicherte_filter(&self) -> Result<Vec<(String, String)>> {
        let mut st = self.conn.prepare_cached(
            "SELECT name, anfrage FROM gespeicherter_filter ORDER BY name COLLATE NOCASE, name",
        )?;
        let rows = st.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

impl Schreiben<'_> {
    /// Saves a filter under `name`, replacing one of the same name.
    pub fn filter_speichern(&self, name: &str, anfrage_json: &str) -> Result<()> {
        if name.trim().is_empty() {
            return Err(StoreError::Unzulaessig(
                "Bitte geben Sie dem Filter einen Namen.".into(),
            ));
        }
        self.conn
            .prepare_cached(
                "INSERT INTO gespeicherter_filter (name, anfrage, geaendert_ms) VALUES (?1, ?2, ?3)
                 ON CONFLICT (name) DO UPDATE SET anfrage = excluded.anfrage, geaendert_ms = excluded.geaendert_ms",
            )?
            .execute(params![name, anfrage_json, jetzt_ms()])?;
        Ok(())
    }

    /// Deletes the filter `name`; returns whether it existed.
    pub fn filter_loeschen(&self, name: &str) -> Result<bool> {
        let n = self
            .conn
            .prepare_cached("DELETE FROM gespeicherter_filter WHERE name = ?1")?
            .execute([name])?;
        Ok(n > 0)
    }
}
