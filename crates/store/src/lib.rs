//! The encrypted local store of Amtsstube.
//!
//! Everything a caseworker's desktop keeps lives in one SQLCipher database in the profile
//! directory (`amtsstube.db`), opened with a raw 256-bit key from the OS keyring or an
//! explicitly configured owner-only key file ([`key`]); attachments live beside it in
//! `anlagen/`, each encrypted with AES-256-GCM in 64 KiB chunks under its own random key that
//! is kept inside the database ([`anlage`]). Nothing is ever written in plaintext.
//!
//! Design:
//! - **One place opens connections** ([`verbindung`]): `PRAGMA key` first, then WAL,
//!   `synchronous = FULL` (an accept must never be sent for data a power cut could take back),
//!   `busy_timeout`, foreign keys, in-memory temp store; embedded SQL migrations run at start
//!   and a newer schema is refused.
//! - **Handles**: [`Store::read`] runs a closure on a [`Lesen`] handle inside a read
//!   transaction (a consistent snapshot, from a small pool of reader connections);
//!   [`Store::write`] runs a closure on a [`Schreiben`] handle inside `BEGIN IMMEDIATE` on
//!   the single writer connection and commits when it returns `Ok`, rolls back otherwise.
//!   `Schreiben` derefs to `Lesen`, so reads inside a write see the write's own changes.
//! - Every change to a case and every opening of a case appends to the hash-chained audit
//!   log ([`audit`]) in the same transaction.
//! - The Aktenzeichen counter per year is incremented in the transaction that inserts the
//!   case: a rolled-back insert gives its number back, so numbers stay gap-free.
//! - What a write transaction changes many times – search-index rows, the audit chain's head,
//!   the Aktenzeichen counters – it keeps in memory and writes once just before the commit
//!   ([`Schreiben`]; interleaved with other statements, FTS5 would flush once per row).
//!   Measured: intake of 1,000 cases per transaction went from about 6,200 to 9,000 cases/s.
//! - The outbox ([`outbox`]) and the intake of FIT-Connect submissions ([`einreichung`]) are
//!   the sync engine's persistence.
//!
//! To extend the schema: add `migrations/000N_name.sql` and a line in
//! [`verbindung::MIGRATIONEN`]; never edit a released migration.
#![deny(missing_docs)]

pub mod anlage;
pub mod audit;
pub mod eakte;
pub mod einreichung;
pub mod entwurf;
pub mod error;
pub mod filter;
pub mod key;
pub mod outbox;
pub mod verbindung;
pub mod vorgang;

use std::ops::Deref;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use rusqlite::{Connection, TransactionBehavior};

pub use anlage::{AnlageLeser, AnlageSchreiber};
pub use audit::{AuditBefund, AuditEintrag};
pub use eakte::{AUSGESONDERT, Aussonderung, grabstein};
pub use einreichung::{
    Aufnahme, Aufnahmeergebnis, Aufnahmefall, EinreichungInfo, EinreichungsAnlage,
    EmpfangeneEinreichung, Nachreichung, Speicherergebnis,
};
pub use entwurf::Entwurf;
pub use error::{Result, StoreError};
pub use key::{Schluessel, Schluesselquelle};
pub use outbox::{NeuerAuftrag, OutboxEintrag};
pub use vorgang::{
    AktenzeichenVergabe, Faelligkeitsfilter, QueueFilter, QueueSeite, QueueZeile, Sortierung,
    Stichtag, Suchtreffer, ZustaendigFilter,
};

/// File name of the database in the profile directory.
pub const DB_DATEI: &str = "amtsstube.db";
/// Folder of the encrypted attachment files in the profile directory.
pub const ANLAGEN_ORDNER: &str = "anlagen";
/// Lock file in the profile that serialises the first start (key and database creation) of
/// a profile across processes; empty, and left in place.
pub const ERSTANLAGE_SPERRE: &str = "erstanlage.lock";
const MAX_LESER: usize = 4;

/// The open store of one profile.
pub struct Store {
    db: PathBuf,
    anlagen: PathBuf,
    /// `None` only for the benchmark's unencrypted comparison copy (feature-gated).
    key: Option<Schluessel>,
    schreiber: Mutex<Connection>,
    leser: Mutex<Vec<Connection>>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("db", &self.db)
            .finish_non_exhaustive()
    }
}

impl Store {
    /// Opens the store in `profil` with the key from `quelle`. For a new profile a key is
    /// created and kept in `quelle`; for an existing database a missing key is an error
    /// (never a new key, never plaintext). An interrupted re-keying is completed.
    pub fn open_profil(profil: &Path, quelle: &Schluesselquelle) -> Result<Self> {
        std::fs::create_dir_all(profil)?;
        let db = profil.join(DB_DATEI);
        // The first start of a profile creates its key and its database. Two processes doing
        // that at once (the app and a `sync`, two CLI calls right after `connect`) would each
        // create a key, and the loser's database could never be opened again. Creation is
        // therefore serialised by an exclusive lock on a file in the profile, held until the
        // database exists with the key that is in the key source; later opens skip it.
        let _erstanlage = if db.exists() {
            None
        } else {
            let f = std::fs::OpenOptions::new()
                .create(true)
                .truncate(false)
                .write(true)
                .open(profil.join(ERSTANLAGE_SPERRE))?;
            f.lock()?;
            Some(f)
        };
        let existiert = db.exists();
        let key = match quelle.laden()? {
            Some(k) => k,
            None if !existiert => {
                let k = Schluessel::zufaellig()?;
                quelle.speichern(&k)?;
                k
            }
            None => {
                return Err(StoreError::SchluesselFehlt {
                    pfad: db.display().to_string(),
                    quelle: quelle.to_string(),
                });
            }
        };
        match Self::open(profil, &key) {
            Err(StoreError::FalscherSchluessel { pfad }) => {
                // A re-keying may have stopped after the database took the new key but before
                // the key source did: the new key waits in the companion entry.
                let ausstehend = quelle.ausstehend();
                if let Ok(Some(neu)) = ausstehend.laden()
                    && let Ok(store) = Self::open(profil, &neu)
                {
                    quelle.speichern(&neu)?;
                    ausstehend.loeschen()?;
                    return Ok(store);
                }
                Err(StoreError::FalscherSchluessel { pfad })
            }
            other => other,
        }
    }

    /// Opens (or creates) the store in `profil` with `key`.
    pub fn open(profil: &Path, key: &Schluessel) -> Result<Self> {
        std::fs::create_dir_all(profil)?;
        let db = profil.join(DB_DATEI);
        let anlagen = profil.join(ANLAGEN_ORDNER);
        let mut schreiber = verbindung::oeffnen(&db, key)?;
        verbindung::migrieren(&mut schreiber)?;
        std::fs::create_dir_all(&anlagen)?;
        Ok(Self {
            db,
            anlagen,
            key: Some(key.clone()),
            schreiber: Mutex::new(schreiber),
            leser: Mutex::new(Vec::new()),
        })
    }

    /// Path of the database file.
    pub fn db_pfad(&self) -> &Path {
        &self.db
    }

    pub(crate) fn anlagen_ordner(&self) -> &Path {
        &self.anlagen
    }

    /// Runs `f` in a read transaction (consistent snapshot).
    pub fn read<T>(&self, f: impl FnOnce(&Lesen<'_>) -> Result<T>) -> Result<T> {
        let conn = {
            let mut pool = self.leser.lock().map_err(|_| gift())?;
            pool.pop()
        };
        let mut conn = match conn {
            Some(c) => c,
            None => match &self.key {
                Some(k) => verbindung::oeffnen_leser(&self.db, k)?,
                #[cfg(feature = "klartext-vergleich")]
                None => verbindung::oeffnen_klartext(&self.db)?,
                #[cfg(not(feature = "klartext-vergleich"))]
                None => return Err(StoreError::Daten("Datenbank ohne Schlüssel".into())),
            },
        };
        let ergebnis = {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Deferred)?;
            let r = f(&Lesen { conn: &tx });
            drop(tx); // read-only: rollback ends the snapshot
            r
        };
        if let Ok(mut pool) = self.leser.lock()
            && pool.len() < MAX_LESER
        {
            pool.push(conn);
        }
        ergebnis
    }

    /// Runs `f` in a write transaction (`BEGIN IMMEDIATE`): committed if `f` returns `Ok`,
    /// rolled back otherwise.
    pub fn write<T>(&self, f: impl FnOnce(&Schreiben<'_>) -> Result<T>) -> Result<T> {
        let mut conn = self.schreiber.lock().map_err(|_| gift())?;
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let w = Schreiben {
            lesen: Lesen { conn: &tx },
            audit_kopf: std::cell::RefCell::new(None),
            az_zaehler: std::cell::RefCell::new(std::collections::BTreeMap::new()),
            suchindex: std::cell::RefCell::new(Vec::new()),
        };
        let wert = f(&w)?;
        w.vor_dem_commit()?;
        tx.commit()?;
        Ok(wert)
    }

    /// After a purge ([`Schreiben::vorgang_aussondern`]): merges the search index (so deleted
    /// rows' tokens leave its segments), removes attachment files without a key, checkpoints
    /// the WAL and VACUUMs with `secure_delete` on, so no freed page keeps old content.
    pub fn verdichten(&self) -> Result<()> {
        {
            let conn = self.schreiber.lock().map_err(|_| gift())?;
            conn.execute_batch(
                "PRAGMA secure_delete = ON;
                 INSERT INTO vorgang_fts (vorgang_fts) VALUES ('optimize');
                 PRAGMA wal_checkpoint(TRUNCATE);
                 VACUUM;
                 PRAGMA wal_checkpoint(TRUNCATE);",
            )?;
        }
        self.anlagen_aufraeumen()?;
        Ok(())
    }

    /// Decrypts the whole database into memory (never to disk) and says whether `marker`
    /// occurs in its bytes, as it is or lowercased (the search index keeps lowercase
    /// tokens). Run after [`Store::verdichten`], which leaves no free pages, this covers
    /// everything the file holds.
    pub fn klartext_finden(&self, marker: &str) -> Result<bool> {
        let mut conn = self.schreiber.lock().map_err(|_| gift())?;
        conn.execute_batch("ATTACH DATABASE ':memory:' AS pruefung KEY '';")?;
        let ergebnis = (|| -> Result<bool> {
            conn.query_row("SELECT sqlcipher_export('pruefung')", [], |_| Ok(()))?;
            let bytes = conn.serialize("pruefung")?;
            let klein = marker.to_lowercase();
            let enthaelt = |n: &[u8]| !n.is_empty() && bytes.windows(n.len()).any(|w| w == n);
            Ok(enthaelt(marker.as_bytes()) || enthaelt(klein.as_bytes()))
        })();
        let _ = conn.execute_batch("DETACH DATABASE pruefung;");
        ergebnis
    }

    /// `PRAGMA integrity_check` and `PRAGMA cipher_integrity_check`; returns the problems
    /// found (empty when the file is sound).
    pub fn integritaet_pruefen(&self) -> Result<Vec<String>> {
        let conn = self.schreiber.lock().map_err(|_| gift())?;
        verbindung::integritaet(&conn)
    }

    /// Re-encrypts the database under `neu` and moves the key source to it. Crash-safe: the
    /// new key is first kept in the companion entry ([`Schluesselquelle::ausstehend`]), so an
    /// interruption at any point leaves a key that opens the database.
    pub fn rekey(&mut self, quelle: &Schluesselquelle, neu: &Schluessel) -> Result<()> {
        let ausstehend = quelle.ausstehend();
        ausstehend.speichern(neu)?;
        {
            let mut pool = self.leser.lock().map_err(|_| gift())?;
            pool.clear();
        }
        {
            let conn = self.schreiber.lock().map_err(|_| gift())?;
            verbindung::rekey(&conn, neu)?;
        }
        self.key = Some(neu.clone());
        quelle.speichern(neu)?;
        ausstehend.loeschen()?;
        Ok(())
    }

    /// Copies the database decrypted to `ziel` for a benchmark comparison. Only with the
    /// feature `klartext-vergleich`, which the application never enables.
    #[cfg(feature = "klartext-vergleich")]
    pub fn klartext_kopie_fuer_vergleich(&self, ziel: &Path) -> Result<()> {
        let conn = self.schreiber.lock().map_err(|_| gift())?;
        verbindung::klartext_export(&conn, ziel)
    }

    /// Opens an unencrypted copy made by `klartext_kopie_fuer_vergleich` (benchmarks only).
    #[cfg(feature = "klartext-vergleich")]
    pub fn open_klartext_fuer_vergleich(profil: &Path) -> Result<Self> {
        let db = profil.join(DB_DATEI);
        let conn = verbindung::oeffnen_klartext(&db)?;
        Ok(Self {
            db,
            anlagen: profil.join(ANLAGEN_ORDNER),
            key: None,
            schreiber: Mutex::new(conn),
            leser: Mutex::new(Vec::new()),
        })
    }
}

fn gift() -> StoreError {
    StoreError::Daten("interner Sperrfehler (ein früherer Vorgang ist abgebrochen)".into())
}

/// Read handle: every query of the store.
pub struct Lesen<'c> {
    pub(crate) conn: &'c Connection,
}

/// Write handle: every change, plus all queries through [`Deref`].
pub struct Schreiben<'c> {
    lesen: Lesen<'c>,
    /// Head of the audit chain (sequence number, hash) as this transaction last wrote it, so
    /// a batch of entries reads `audit_kopf` once, not once per entry; `Some` only once this
    /// transaction appended, and then written to the table before the commit (nothing reads
    /// it inside a write). Lives only as long as the transaction, so a rollback cannot leave
    /// it stale.
    pub(crate) audit_kopf: std::cell::RefCell<Option<(i64, Vec<u8>)>>,
    /// The Aktenzeichen counters (year → last number) this transaction advanced, written
    /// before the commit; a rollback drops them with everything else, so numbers stay
    /// gap-free.
    pub(crate) az_zaehler: std::cell::RefCell<std::collections::BTreeMap<i32, i64>>,
    /// Changes to the search index, written in one go just before the commit
    /// ([`Schreiben::suchindex_schreiben`]): FTS5 flushes its pending terms to a new segment
    /// at every statement savepoint, and nearly every statement of a transaction opens one, so
    /// writing the index row between the other statements would flush once per case.
    /// Consequence: a search inside a write transaction does not see that transaction's own
    /// cases (nothing searches there).
    pub(crate) suchindex: std::cell::RefCell<Vec<vorgang::IndexAenderung>>,
}

impl Schreiben<'_> {
    /// Writes what the transaction kept in memory, once, right before the commit.
    fn vor_dem_commit(&self) -> Result<()> {
        self.suchindex_schreiben()?;
        self.audit_kopf_schreiben()?;
        self.az_zaehler_schreiben()
    }
}

impl<'c> Deref for Schreiben<'c> {
    type Target = Lesen<'c>;
    fn deref(&self) -> &Lesen<'c> {
        &self.lesen
    }
}

pub(crate) fn jetzt_ms() -> i64 {
    (time::OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000) as i64
}

pub(crate) fn ms(t: time::OffsetDateTime) -> i64 {
    (t.unix_timestamp_nanos() / 1_000_000) as i64
}

pub(crate) fn aus_ms(v: i64) -> time::OffsetDateTime {
    time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(v) * 1_000_000)
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH)
}
