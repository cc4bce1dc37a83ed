//! The outbox: outgoing effects as rows, drained by the sync engine.
//!
//! An effect is enqueued in the same transaction as the change that causes it, under an
//! idempotency key; enqueuing the same key again returns the existing row. The engine takes
//! [`Lesen::outbox_faellig`] items, records each attempt before it acts, and marks the
//! item done, failed (with the next try) or given up.

use rusqlite::{OptionalExtension, params};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::error::{Result, StoreError};
use crate::{Lesen, Schreiben, aus_ms, ms};

/// A new outgoing effect.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NeuerAuftrag {
    /// Idempotency key (also sent to the remote side where it supports one).
    pub idempotenz: String,
    /// Kind, e.g. `fitconnect.accept`, `antwort`, `eakte.abgabe`.
    pub art: String,
    /// Case it belongs to.
    pub vorgang_id: Option<String>,
    /// Payload (opaque to the store).
    pub nutzlast: Vec<u8>,
}

/// An outbox row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboxEintrag {
    /// Row id.
    pub id: i64,
    /// Idempotency key.
    pub idempotenz: String,
    /// Kind.
    pub art: String,
    /// Case.
    pub vorgang_id: Option<String>,
    /// Payload.
    pub nutzlast: Vec<u8>,
    /// Attempts so far.
    pub versuche: u32,
    /// Next try.
    #[serde(with = "time::serde::rfc3339")]
    pub naechster_versuch: OffsetDateTime,
    /// Last error.
    pub letzter_fehler: Option<String>,
    /// `offen`, `erledigt` or `aufgegeben`.
    pub zustand: String,
}

fn eintrag(r: &rusqlite::Row<'_>) -> rusqlite::Result<OutboxEintrag> {
    Ok(OutboxEintrag {
        id: r.get(0)?,
        idempotenz: r.get(1)?,
        art: r.get(2)?,
        vorgang_id: r.get(3)?,
        nutzlast: r.get(4)?,
        versuche: r.get(5)?,
        naechster_versuch: aus_ms(r.get(6)?),
        letzter_fehler: r.get(7)?,
        zustand: r.get(8)?,
    })
}

const SPALTEN: &str = "id, idempotenz, art, vorgang_id, nutzlast, versuche, naechster_versuch_ms, letzter_fehler, zustand";

impl Schreiben<'_> {
    /// Enqueues an effect, due at `jetzt`. Returns the row id and whether it is new (an
    /// existing idempotency key returns the existing row unchanged).
    pub fn outbox_einreihen(&self, a: &NeuerAuftrag, jetzt: OffsetDateTime) -> Result<(i64, bool)> {
        let neu = self
            .conn
            .prepare_cached(
                "INSERT INTO outbox (idempotenz, art, vorgang_id, nutzlast, angelegt_ms, naechster_versuch_ms)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?5) ON CONFLICT (idempotenz) DO NOTHING",
            )?
            .execute(params![a.idempotenz, a.art, a.vorgang_id, a.nutzlast, ms(jetzt)])?
            == 1;
        let id: i64 = self
            .conn
            .prepare_cached("SELECT id FROM outbox WHERE idempotenz = ?1")?
            .query_row([&a.idempotenz], |r| r.get(0))?;
        Ok((id, neu))
    }

    fn aendern(&self, id: i64, sql: &str, p: &[&dyn rusqlite::ToSql]) -> Result<()> {
        let n = self.conn.prepare_cached(sql)?.execute(p)?;
        if n == 0 {
            return Err(StoreError::NichtGefunden(format!(
                "Der offene Ausgangsauftrag {id}"
            )));
        }
        Ok(())
    }

    /// Records that an attempt starts now (before acting, so a crash counts it).
    pub fn outbox_versuch(&self, id: i64) -> Result<()> {
        self.aendern(
            id,
            "UPDATE outbox SET versuche = versuche + 1 WHERE id = ?1 AND zustand = 'offen'",
            &[&id],
        )
    }

    /// Records a failed attempt and when to try again.
    pub fn outbox_fehlschlag(
        &self,
        id: i64,
        fehler: &str,
        naechster_versuch: OffsetDateTime,
    ) -> Result<()> {
        self.aendern(
            id,
            "UPDATE outbox SET letzter_fehler = ?2, naechster_versuch_ms = ?3 WHERE id = ?1 AND zustand = 'offen'",
            &[&id, &fehler, &ms(naechster_versuch)],
        )
    }

    /// Marks the effect done.
    pub fn outbox_erledigt(&self, id: i64, jetzt: OffsetDateTime) -> Result<()> {
        self.aendern(
            id,
            "UPDATE outbox SET zustand = 'erledigt', erledigt_ms = ?2 WHERE id = ?1 AND zustand = 'offen'",
            &[&id, &ms(jetzt)],
        )
    }

    /// Replaces the payload of an open row: progress a retry must know (e.g. the id the
    /// service gave a reply after its creation), so the next attempt continues, not repeats.
    pub fn outbox_nutzlast_setzen(&self, id: i64, nutzlast: &[u8]) -> Result<()> {
        self.aendern(
            id,
            "UPDATE outbox SET nutzlast = ?2 WHERE id = ?1 AND zustand = 'offen'",
            &[&id, &nutzlast],
        )
    }

    /// Gives up (a permanent error); the row stays for people to see.
    pub fn outbox_aufgeben(&self, id: i64, fehler: &str) -> Result<()> {
        self.aendern(
            id,
            "UPDATE outbox SET zustand = 'aufgegeben', letzter_fehler = ?2 WHERE id = ?1 AND zustand = 'offen'",
            &[&id, &fehler],
        )
    }

    /// A person asks to send a given-up row again: it is open and due at `jetzt`, with its
    /// attempts counted from zero. Rows not given up are left alone (an open row is already
    /// retried, a finished one went out).
    pub fn outbox_erneut(&self, id: i64, jetzt: OffsetDateTime) -> Result<()> {
        self.aendern(
            id,
            "UPDATE outbox SET zustand = 'offen', versuche = 0, naechster_versuch_ms = ?2
             WHERE id = ?1 AND zustand = 'aufgegeben'",
            &[&id, &ms(jetzt)],
        )
    }
}

impl Lesen<'_> {
    /// One item by its idempotency key (the delivery state of a message on the case).
    pub fn outbox_nach_idempotenz(&self, idempotenz: &str) -> Result<Option<OutboxEintrag>> {
        Ok(self
            .conn
            .prepare_cached(&format!(
                "SELECT {SPALTEN} FROM outbox WHERE idempotenz = ?1"
            ))?
            .query_row([idempotenz], eintrag)
            .optional()?)
    }

    /// Open items due at `jetzt`, oldest due first.
    pub fn outbox_faellig(&self, jetzt: OffsetDateTime, limit: u32) -> Result<Vec<OutboxEintrag>> {
        let mut st = self.conn.prepare_cached(&format!(
            "SELECT {SPALTEN} FROM outbox WHERE zustand = 'offen' AND naechster_versuch_ms <= ?1
             ORDER BY naechster_versuch_ms, id LIMIT ?2"
        ))?;
        let rows = st.query_map(params![ms(jetzt), i64::from(limit)], eintrag)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Like [`Lesen::outbox_faellig`], but only items of `arten`, filtered in the database: a
    /// sender reads its own kinds only, so many due items of another kind can neither hide
    /// its items behind `limit` nor make it load their payloads. No kinds: nothing.
    pub fn outbox_faellig_arten(
        &self,
        jetzt: OffsetDateTime,
        limit: u32,
        arten: &[&str],
    ) -> Result<Vec<OutboxEintrag>> {
        if arten.is_empty() {
            return Ok(Vec::new());
        }
        let platzhalter = (0..arten.len())
            .map(|i| format!("?{}", i + 3))
            .collect::<Vec<_>>()
            .join(", ");
        let mut st = self.conn.prepare_cached(&format!(
            "SELECT {SPALTEN} FROM outbox WHERE zustand = 'offen' AND naechster_versuch_ms <= ?1
             AND art IN ({platzhalter}) ORDER BY naechster_versuch_ms, id LIMIT ?2"
        ))?;
        let mut werte: Vec<rusqlite::types::Value> = vec![
            rusqlite::types::Value::Integer(ms(jetzt)),
            rusqlite::types::Value::Integer(i64::from(limit)),
        ];
        werte.extend(
            arten
                .iter()
                .map(|a| rusqlite::types::Value::Text((*a).to_owned())),
        );
        let rows = st.query_map(rusqlite::params_from_iter(werte), eintrag)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Number of open items (due now or waiting for their next attempt).
    pub fn outbox_offen_anzahl(&self) -> Result<u64> {
        let n: i64 = self
            .conn
            .prepare_cached("SELECT count(*) FROM outbox WHERE zustand = 'offen'")?
            .query_row([], |r| r.get(0))?;
        Ok(n as u64)
    }

    /// Number of open items of each of `arten` (kinds not open count 0), in that order:
    /// counted in the database, without reading the payloads.
    pub fn outbox_offen_je_art(&self, arten: &[&str]) -> Result<Vec<u64>> {
        let mut st = self
            .conn
            .prepare_cached("SELECT count(*) FROM outbox WHERE zustand = 'offen' AND art = ?1")?;
        arten
            .iter()
            .map(|art| {
                let n: i64 = st.query_row([art], |r| r.get(0))?;
                Ok(n as u64)
            })
            .collect()
    }

    /// One item by id.
    pub fn outbox_eintrag(&self, id: i64) -> Result<Option<OutboxEintrag>> {
        Ok(self
            .conn
            .prepare_cached(&format!("SELECT {SPALTEN} FROM outbox WHERE id = ?1"))?
            .query_row([id], eintrag)
            .optional()?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_outbox_payload_of_an_open_row_can_be_replaced_and_of_a_finished_one_not() {
        let dir = tempfile::tempdir().unwrap();
        let s = crate::Store::open(dir.path(), &crate::Schluessel::zufaellig().unwrap()).unwrap();
        let t0 = OffsetDateTime::now_utc();
        let a = NeuerAuftrag {
            idempotenz: "antwort:1".into(),
            art: "fitconnect.reply".into(),
            vorgang_id: None,
            nutzlast: b"alt".to_vec(),
        };
        let (id, _) = s.write(|w| w.outbox_einreihen(&a, t0)).unwrap();
        s.write(|w| w.outbox_nutzlast_setzen(id, b"neu")).unwrap();
        let e = s.read(|r| r.outbox_eintrag(id)).unwrap().unwrap();
        assert_eq!((e.nutzlast.as_slice(), e.versuche), (&b"neu"[..], 0));
        // Enqueuing the same key again still returns the row unchanged (with the new payload).
        s.write(|w| w.outbox_einreihen(&a, t0)).unwrap();
        let e = s.read(|r| r.outbox_eintrag(id)).unwrap().unwrap();
        assert_eq!(e.nutzlast, b"neu");
        s.write(|w| w.outbox_erledigt(id, t0)).unwrap();
        assert!(matches!(
            s.write(|w| w.outbox_nutzlast_setzen(id, b"spaeter")),
            Err(StoreError::NichtGefunden(_))
        ));
        assert!(s.write(|w| w.outbox_nutzlast_setzen(id + 1, b"x")).is_err());
    }
}
