//! The hash-chained audit log.
//!
//! Each entry's hash is SHA-256 over the previous entry's hash and the entry's own fields
//! (length-prefixed, so no two field lists hash alike). `audit_kopf` holds the last sequence
//! number and hash, so cutting entries off the end is detected as well as editing, deleting
//! or inserting in the middle. [`Lesen::audit_pruefen`] reports the first broken link.

use domain::VorgangId;
use rusqlite::OptionalExtension;
use rusqlite::params;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::Result;
use crate::{Lesen, Schreiben, aus_ms, jetzt_ms};

/// One audit entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEintrag {
    /// Sequence number (from 1, no gaps).
    pub seq: i64,
    /// When.
    #[serde(with = "time::serde::rfc3339")]
    pub zeit: time::OffsetDateTime,
    /// Who.
    pub wer: String,
    /// What (a stable code such as `vorgang.geoeffnet`).
    pub was: String,
    /// Which case.
    pub vorgang_id: Option<String>,
    /// Details.
    pub details: String,
}

/// Result of verifying the chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditBefund {
    /// Entries checked.
    pub eintraege: u64,
    /// The first broken link: sequence number and what is wrong (German).
    pub erster_bruch: Option<(i64, String)>,
}

impl AuditBefund {
    /// Whether the chain is intact.
    pub fn intakt(&self) -> bool {
        self.erster_bruch.is_none()
    }
}

fn feld(h: &mut Sha256, b: &[u8]) {
    h.update((b.len() as u64).to_be_bytes());
    h.update(b);
}

fn hash(
    vorher: &[u8],
    seq: i64,
    zeit_ms: i64,
    wer: &str,
    was: &str,
    vorgang: Option<&str>,
    details: &str,
) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(b"amtsstube-audit-v1");
    feld(&mut h, vorher);
    h.update(seq.to_be_bytes());
    h.update(zeit_ms.to_be_bytes());
    feld(&mut h, wer.as_bytes());
    feld(&mut h, was.as_bytes());
    match vorgang {
        Some(v) => {
            h.update([1]);
            feld(&mut h, v.as_bytes());
        }
        None => h.update([0]),
    }
    feld(&mut h, details.as_bytes());
    h.finalize().into()
}

const ANFANG: [u8; 32] = [0; 32];

impl Schreiben<'_> {
    /// Appends an entry to the audit log (in this transaction).
    pub fn audit_anhaengen(
        &self,
        wer: &str,
        was: &str,
        vorgang: Option<&VorgangId>,
        details: &str,
    ) -> Result<i64> {
        // Cloned, not taken: the head in the database is written only before the commit, so
        // this copy must survive an append that fails inside a transaction that goes on.
        let gemerkt = self.audit_kopf.borrow().clone();
        let (letzte, vorher): (i64, Vec<u8>) = match gemerkt {
            Some(k) => k,
            None => self
                .conn
                .prepare_cached("SELECT seq, hash FROM audit_kopf WHERE eins = 1")?
                .query_row([], |r| Ok((r.get(0)?, r.get(1)?)))
                .or_else(|e| match e {
                    rusqlite::Error::QueryReturnedNoRows => Ok((0, ANFANG.to_vec())),
                    e => Err(e),
                })?,
        };
        let seq = letzte + 1;
        let zeit = jetzt_ms();
        let vid = vorgang.map(|v| v.to_string());
        let h = hash(&vorher, seq, zeit, wer, was, vid.as_deref(), details);
        self.conn
            .prepare_cached(
                "INSERT INTO audit (seq, zeit_ms, wer, was, vorgang_id, details, vorher, hash)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )?
            .execute(params![seq, zeit, wer, was, vid, details, vorher, &h[..]])?;
        *self.audit_kopf.borrow_mut() = Some((seq, h.to_vec()));
        Ok(seq)
    }

    /// Writes the head of the chain as this transaction left it, if it appended anything
    /// (once, before the commit: see [`Schreiben::vor_dem_commit`]).
    pub(crate) fn audit_kopf_schreiben(&self) -> Result<()> {
        if let Some((seq, h)) = self.audit_kopf.borrow().as_ref() {
            self.conn
                .prepare_cached(
                    "INSERT INTO audit_kopf (eins, seq, hash) VALUES (1, ?1, ?2)
                     ON CONFLICT (eins) DO UPDATE SET seq = excluded.seq, hash = excluded.hash",
                )?
                .execute(params![seq, h])?;
        }
        Ok(())
    }
}

impl Lesen<'_> {
    /// The audit entries of one case, oldest first.
    pub fn audit_fuer_vorgang(&self, id: &VorgangId) -> Result<Vec<AuditEintrag>> {
        let mut st = self.conn.prepare_cached(
            "SELECT seq, zeit_ms, wer, was, vorgang_id, details FROM audit WHERE vorgang_id = ?1 ORDER BY seq",
        )?;
        let rows = st.query_map([id.to_string()], |r| {
            Ok(AuditEintrag {
                seq: r.get(0)?,
                zeit: aus_ms(r.get(1)?),
                wer: r.get(2)?,
                was: r.get(3)?,
                vorgang_id: r.get(4)?,
                details: r.get(5)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Of the cases `ids`, those with follow-up documents (`einreichung.nachgereicht`) that
    /// arrived after the case was last opened by anyone (`vorgang.geoeffnet`).
    pub fn mit_ungesehenen_unterlagen(
        &self,
        ids: &[VorgangId],
    ) -> Result<std::collections::HashSet<VorgangId>> {
        let mut out = std::collections::HashSet::new();
        if ids.is_empty() {
            return Ok(out);
        }
        let platz = vec!["?"; ids.len()].join(",");
        let sql = format!(
            "SELECT vorgang_id FROM audit WHERE vorgang_id IN ({platz})
               AND was IN ('einreichung.nachgereicht', 'vorgang.geoeffnet')
             GROUP BY vorgang_id
             HAVING max(CASE WHEN was = 'einreichung.nachgereicht' THEN seq END)
                  > coalesce(max(CASE WHEN was = 'vorgang.geoeffnet' THEN seq END), 0)"
        );
        let mut st = self.conn.prepare_cached(&sql)?;
        let texte: Vec<String> = ids.iter().map(ToString::to_string).collect();
        let mut rows = st.query(rusqlite::params_from_iter(texte.iter()))?;
        while let Some(r) = rows.next()? {
            let id: String = r.get(0)?;
            if let Ok(u) = uuid::Uuid::parse_str(&id) {
                out.insert(VorgangId(u));
            }
        }
        Ok(out)
    }

    /// The head of the chain: the last entry's sequence number and hash, if any.
    pub fn audit_kopf(&self) -> Result<Option<(i64, Vec<u8>)>> {
        Ok(self
            .conn
            .query_row("SELECT seq, hash FROM audit_kopf WHERE eins = 1", [], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .optional()?)
    }

    /// Compares an anchor kept outside this database (entry `seq` had hash `hash_hex`, e.g.
    /// from a hand-over the E-Akte holds) with the chain: `None` when it matches, else what
    /// is wrong (German). Detects a chain rewritten with the database key after the anchor
    /// was given out; cannot detect changes after the newest anchor.
    pub fn audit_anker_pruefen(&self, seq: i64, hash_hex: &str) -> Result<Option<String>> {
        let h: Option<Vec<u8>> = self
            .conn
            .query_row("SELECT hash FROM audit WHERE seq = ?1", [seq], |r| r.get(0))
            .optional()?;
        Ok(match h {
            None => Some(format!(
                "Eintrag {seq} des Prüfprotokolls fehlt, obwohl die E-Akte ihn als verankert kennt."
            )),
            Some(h) if !hex::encode(&h).eq_ignore_ascii_case(hash_hex.trim()) => Some(format!(
                "Eintrag {seq} des Prüfprotokolls hat nicht mehr den verankerten Hash: die Kette wurde umgeschrieben."
            )),
            Some(_) => None,
        })
    }

    /// Walks the whole chain and reports the first broken link.
    pub fn audit_pruefen(&self) -> Result<AuditBefund> {
        let mut st = self
            .conn
            .prepare("SELECT seq, zeit_ms, wer, was, vorgang_id, details, vorher, hash FROM audit ORDER BY seq")?;
        let mut rows = st.query([])?;
        let mut erwartet_seq = 1i64;
        let mut vorher = ANFANG.to_vec();
        let mut n = 0u64;
        let bruch = |seq: i64, grund: String, n: u64| {
            Ok(AuditBefund {
                eintraege: n,
                erster_bruch: Some((seq, grund)),
            })
        };
        while let Some(r) = rows.next()? {
            let seq: i64 = r.get(0)?;
            let zeit: i64 = r.get(1)?;
            let wer: String = r.get(2)?;
            let was: String = r.get(3)?;
            let vid: Option<String> = r.get(4)?;
            let details: String = r.get(5)?;
            let gespeichert_vorher: Vec<u8> = r.get(6)?;
            let gespeichert: Vec<u8> = r.get(7)?;
            if seq != erwartet_seq {
                return bruch(
                    erwartet_seq,
                    format!("Eintrag {erwartet_seq} fehlt (nächster vorhandener: {seq})."),
                    n,
                );
            }
            if gespeichert_vorher != vorher {
                return bruch(
                    seq,
                    format!("Eintrag {seq} verweist nicht auf den Hash seines Vorgängers."),
                    n,
                );
            }
            if gespeichert != hash(&vorher, seq, zeit, &wer, &was, vid.as_deref(), &details) {
                return bruch(
                    seq,
                    format!("Eintrag {seq} wurde nachträglich verändert (Hash stimmt nicht)."),
                    n,
                );
            }
            vorher = gespeichert;
            erwartet_seq += 1;
            n += 1;
        }
        let kopf: Option<(i64, Vec<u8>)> = self
            .conn
            .query_row("SELECT seq, hash FROM audit_kopf WHERE eins = 1", [], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .map(Some)
            .or_else(|e| match e {
                rusqlite::Error::QueryReturnedNoRows => Ok(None),
                e => Err(e),
            })?;
        match kopf {
            None if n == 0 => {}
            Some((seq, h)) if seq == n as i64 && h == vorher => {}
            Some((seq, _)) => {
                return bruch(
                    n as i64 + 1,
                    format!(
                        "Das Protokoll endet bei Eintrag {n}, der Kopf verzeichnet {seq}: Einträge am Ende fehlen oder wurden ersetzt."
                    ),
                    n,
                );
            }
            None => return bruch(1, "Der Kopf des Protokolls fehlt.".into(), n),
        }
        Ok(AuditBefund {
            eintraege: n,
            erster_bruch: None,
        })
    }
}
