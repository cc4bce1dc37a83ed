//! Decision drafts (Bescheidentwurf): every saved version of a case's draft with its author,
//! and the version each person last saw. The content is opaque JSON (the app's draft); the
//! store keeps the history and hands the status machine the draft's authors, so the
//! four-eyes rule holds whoever calls [`Schreiben::status_wechseln`].

use domain::{Entwurfsgeschichte, Entwurfsversion, VorgangId};
use rusqlite::{OptionalExtension, params};
use time::OffsetDateTime;

use crate::error::{Result, StoreError};
use crate::{Lesen, Schreiben, jetzt_ms};

/// Audit code of a saved draft version.
pub const ENTWURF_GESPEICHERT: &str = "bescheid.entwurf.gespeichert";

/// One stored version of a draft.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entwurf {
    /// 1, 2, … per case.
    pub version: u32,
    /// Login of the author of this version.
    pub verfasser: String,
    /// When it was saved.
    pub zeit: OffsetDateTime,
    /// The draft as the app wrote it (JSON).
    pub inhalt: String,
}

fn zeile(r: &rusqlite::Row<'_>) -> rusqlite::Result<Entwurf> {
    let ms: i64 = r.get(2)?;
    Ok(Entwurf {
        version: r.get(0)?,
        verfasser: r.get(1)?,
        zeit: OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
            .unwrap_or(OffsetDateTime::UNIX_EPOCH),
        inhalt: r.get(3)?,
    })
}

impl Lesen<'_> {
    /// Who wrote which version of the case's draft (empty: no draft).
    pub fn entwurf_geschichte(&self, id: &VorgangId) -> Result<Entwurfsgeschichte> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT version, verfasser FROM bescheid_entwurf WHERE vorgang_id = ?1 ORDER BY version",
        )?;
        let versionen = stmt
            .query_map(params![id.to_string()], |r| {
                Ok(Entwurfsversion {
                    version: r.get(0)?,
                    verfasser: r.get(1)?,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(Entwurfsgeschichte { versionen })
    }

    /// A version of the case's draft (`None`: the latest), if there is one.
    pub fn entwurf(&self, id: &VorgangId, version: Option<u32>) -> Result<Option<Entwurf>> {
        let sql = "SELECT version, verfasser, zeit_ms, inhalt FROM bescheid_entwurf
                   WHERE vorgang_id = ?1 AND (?2 IS NULL OR version = ?2)
                   ORDER BY version DESC LIMIT 1";
        Ok(self
            .conn
            .prepare_cached(sql)?
            .query_row(params![id.to_string(), version], zeile)
            .optional()?)
    }

    /// The version of the draft `benutzer` last saw, if any.
    pub fn entwurf_gesehen(&self, id: &VorgangId, benutzer: &str) -> Result<Option<u32>> {
        Ok(self
            .conn
            .prepare_cached(
                "SELECT version FROM bescheid_gesehen WHERE vorgang_id = ?1 AND benutzer = ?2",
            )?
            .query_row(params![id.to_string(), benutzer], |r| r.get(0))
            .optional()?)
    }
}

impl Schreiben<'_> {
    /// Saves a new version of the case's draft by `verfasser` and logs it; returns its
    /// number. Only while the case is being examined (a draft in approval is returned first).
    pub fn entwurf_speichern(&self, id: &VorgangId, verfasser: &str, inhalt: &str) -> Result<u32> {
        let v = self
            .vorgang(id)?
            .ok_or_else(|| StoreError::NichtGefunden(format!("Der Vorgang {id}")))?;
        domain::entscheidung::bearbeiten_pruefen(v.status)
            .map_err(|h| StoreError::Unzulaessig(h.to_string()))?;
        let mut g = self.entwurf_geschichte(id)?;
        let version = g.speichern(verfasser);
        self.conn
            .prepare_cached(
                "INSERT INTO bescheid_entwurf (vorgang_id, version, verfasser, zeit_ms, inhalt)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
            )?
            .execute(params![
                id.to_string(),
                version,
                verfasser,
                jetzt_ms(),
                inhalt
            ])?;
        self.entwurf_gesehen_setzen(id, verfasser, version)?;
        self.audit_anhaengen(
            verfasser,
            ENTWURF_GESPEICHERT,
            Some(id),
            &format!("Version {version}"),
        )?;
        Ok(version)
    }

    /// Records that `benutzer` saw `version` of the draft.
    pub fn entwurf_gesehen_setzen(
        &self,
        id: &VorgangId,
        benutzer: &str,
        version: u32,
    ) -> Result<()> {
        self.conn
            .prepare_cached(
                "INSERT INTO bescheid_gesehen (vorgang_id, benutzer, version) VALUES (?1, ?2, ?3)
                 ON CONFLICT (vorgang_id, benutzer) DO UPDATE SET version = excluded.version",
            )?
            .execute(params![id.to_string(), benutzer, version])?;
        Ok(())
    }
}
