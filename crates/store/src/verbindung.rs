//! The one place that opens database connections, and the migrations.

use std::path::Path;
use std::time::Duration;

use rusqlite::{Connection, ErrorCode, OpenFlags};

use crate::error::{Result, StoreError};
use crate::key::Schluessel;

/// Embedded migrations: (version, SQL). Applied in order; `PRAGMA user_version` records the
/// last one applied.
pub const MIGRATIONEN: &[(i64, &str)] = &[
    (1, include_str!("../migrations/0001_init.sql")),
    (
        2,
        include_str!("../migrations/0002_gespeicherte_filter.sql"),
    ),
    (3, include_str!("../migrations/0003_queue_frist_indexe.sql")),
    (
        4,
        include_str!("../migrations/0004_suchindex_ohne_praefixindex.sql"),
    ),
    (5, include_str!("../migrations/0005_bescheid_entwurf.sql")),
    (6, include_str!("../migrations/0006_eakte.sql")),
];

/// The newest schema this build knows.
pub fn schema_version() -> i64 {
    MIGRATIONEN.last().map(|(v, _)| *v).unwrap_or(0)
}

/// Page cache per connection in KiB: the decrypted pages of a busy office's queue indexes
/// fit, so a warm queue query does no decryption at all.
const CACHE_KIB: i64 = 64 * 1024;

fn falscher_schluessel(e: &rusqlite::Error) -> bool {
    matches!(e.sqlite_error_code(), Some(ErrorCode::NotADatabase))
}

fn basis(conn: &Connection, db: &Path) -> Result<()> {
    // Verifies the key: the first read of page 1 fails on a wrong key.
    match conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| {
        r.get::<_, i64>(0)
    }) {
        Ok(_) => {}
        Err(e) if falscher_schluessel(&e) => {
            return Err(StoreError::FalscherSchluessel {
                pfad: db.display().to_string(),
            });
        }
        Err(e) => return Err(e.into()),
    }
    conn.busy_timeout(Duration::from_secs(5))?;
    // Every statement of the store fits, so none is parsed twice.
    conn.set_prepared_statement_cache_capacity(128);
    conn.execute_batch(&format!(
        "PRAGMA foreign_keys = ON;
         PRAGMA temp_store = MEMORY;
         PRAGMA cache_size = -{CACHE_KIB};"
    ))?;
    Ok(())
}

fn schluessel_setzen(conn: &Connection, key: &Schluessel) -> Result<()> {
    // Must be the first statement on the connection. Raw key: no KDF, so opening is fast.
    let pragma = zeroize::Zeroizing::new(format!("PRAGMA key = \"x'{}'\";", key.hex().as_str()));
    conn.execute_batch(&pragma)?;
    // SQLCipher logs failed page MACs to stderr; the error reaches the caller anyway.
    conn.execute_batch("PRAGMA cipher_log_level = NONE;")?;
    conn.execute_batch(
        if SPEICHERSCHUTZ.load(std::sync::atomic::Ordering::Relaxed) {
            "PRAGMA cipher_memory_security = ON;"
        } else {
            "PRAGMA cipher_memory_security = OFF;"
        },
    )?;
    Ok(())
}

/// Whether SQLCipher's memory security (every allocation locked and wiped on free) is on for
/// connections opened from now on; see [`speicherschutz_setzen`].
static SPEICHERSCHUTZ: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Turns SQLCipher's `cipher_memory_security` on or off for connections opened afterwards
/// (the setting is process-wide in SQLCipher). Measured in `examples/speicherschutz.rs`.
pub fn speicherschutz_setzen(an: bool) {
    SPEICHERSCHUTZ.store(an, std::sync::atomic::Ordering::Relaxed);
}

/// Opens the writer connection: creates the file if needed, WAL, `synchronous = FULL`.
pub fn oeffnen(db: &Path, key: &Schluessel) -> Result<Connection> {
    let conn = Connection::open_with_flags(
        db,
        OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    schluessel_setzen(&conn, key)?;
    basis(&conn, db)?;
    let modus: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
    if !modus.eq_ignore_ascii_case("wal") {
        return Err(StoreError::Daten(format!(
            "WAL-Modus nicht verfügbar ({modus})"
        )));
    }
    // A larger WAL before the automatic checkpoint: pages rewritten by many transactions
    // (index interiors, the search index) reach the main file once, not once per commit.
    conn.execute_batch(
        "PRAGMA synchronous = FULL;
         PRAGMA wal_autocheckpoint = 8192;
         PRAGMA journal_size_limit = 67108864;",
    )?;
    Ok(conn)
}

/// Opens a reader connection (the file must exist).
pub fn oeffnen_leser(db: &Path, key: &Schluessel) -> Result<Connection> {
    let conn = Connection::open_with_flags(
        db,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    schluessel_setzen(&conn, key)?;
    basis(&conn, db)?;
    conn.execute_batch("PRAGMA query_only = ON;")?;
    Ok(conn)
}

/// Applies pending migrations; refuses a schema newer than this build knows.
pub fn migrieren(conn: &mut Connection) -> Result<()> {
    let aktuell: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    let bekannt = schema_version();
    if aktuell > bekannt {
        return Err(StoreError::NeueresSchema {
            gefunden: aktuell,
            bekannt,
        });
    }
    for (version, sql) in MIGRATIONEN.iter().filter(|(v, _)| *v > aktuell) {
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Exclusive)?;
        // Another process may have applied it since the version was read above.
        let jetzt: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        if jetzt >= *version {
            continue;
        }
        tx.execute_batch(sql)?;
        nach_migration(&tx, *version)?;
        tx.execute_batch(&format!("PRAGMA user_version = {version}"))?;
        tx.commit()?;
    }
    Ok(())
}

/// The part of a migration that SQL cannot do, run right after its script in the same
/// transaction.
fn nach_migration(tx: &rusqlite::Transaction<'_>, version: i64) -> Result<()> {
    match version {
        // The search index was dropped and created anew: fill it from the cases.
        4 => crate::vorgang::suchindex_neu_aufbauen(tx),
        _ => Ok(()),
    }
}

/// Runs both integrity checks; returns their complaints.
pub fn integritaet(conn: &Connection) -> Result<Vec<String>> {
    let mut probleme = Vec::new();
    let mut st = conn.prepare("PRAGMA integrity_check")?;
    for zeile in st.query_map([], |r| r.get::<_, String>(0))? {
        let z = zeile?;
        if z != "ok" {
            probleme.push(z);
        }
    }
    let mut st = conn.prepare("PRAGMA cipher_integrity_check")?;
    for zeile in st.query_map([], |r| r.get::<_, String>(0))? {
        probleme.push(zeile?);
    }
    Ok(probleme)
}

/// Re-encrypts under a new key. SQLCipher re-keys in rollback-journal mode, so WAL is
/// checkpointed and left for the duration.
pub fn rekey(conn: &Connection, neu: &Schluessel) -> Result<()> {
    conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
    let _: String = conn.query_row("PRAGMA journal_mode = DELETE", [], |r| r.get(0))?;
    let pragma = zeroize::Zeroizing::new(format!("PRAGMA rekey = \"x'{}'\";", neu.hex().as_str()));
    let r = conn.execute_batch(&pragma);
    let _: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
    r?;
    Ok(())
}

#[cfg(feature = "klartext-vergleich")]
pub(crate) fn klartext_export(conn: &Connection, ziel: &Path) -> Result<()> {
    conn.execute(
        "ATTACH DATABASE ?1 AS klartext KEY ''",
        [ziel.display().to_string()],
    )?;
    conn.query_row("SELECT sqlcipher_export('klartext')", [], |_| Ok(()))?;
    conn.execute_batch("DETACH DATABASE klartext")?;
    Ok(())
}

#[cfg(feature = "klartext-vergleich")]
pub(crate) fn oeffnen_klartext(db: &Path) -> Result<Connection> {
    let conn = Connection::open(db)?;
    basis(&conn, db)?;
    let _: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
    conn.execute_batch("PRAGMA synchronous = FULL;")?;
    Ok(conn)
}
