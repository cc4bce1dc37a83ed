//! Attachments: encrypted files addressed by SHA-512, streamed in and out.
//!
//! Measured choice (see the benchmark `anlage_*`): attachments live as separate files in
//! `anlagen/`, not as blobs inside SQLCipher, because chunked AES-256-GCM keeps up with the raw
//! AEAD speed while SQLCipher's page-wise encryption plus WAL double write does not.
//!
//! File format: `AMTSANL1` ‖ chunk size (u32 BE) ‖ chunks. Each chunk is AES-256-GCM over at
//! most 64 KiB of plaintext with nonce = 0⁴ ‖ chunk index (u64 BE) and AAD = magic ‖ index ‖
//! final flag. The last chunk is always shorter than a full chunk (possibly empty) and flagged
//! final, so truncation, reordering and splicing are detected. Every file has its own random
//! key, kept in the `anlage` table of the encrypted database: without the database key the
//! files are unreadable, and re-keying the database covers them too.
//!
//! Writing streams through a 64 KiB buffer to a temporary file, hashes the plaintext on the
//! way (on a second thread), fsyncs, then — under the writer lock — renames it to its SHA-512 and records it in the
//! database. The same content written twice is stored once.

use std::fs::File;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

use aws_lc_rs::aead::{AES_256_GCM, Aad, LessSafeKey, Nonce, UnboundKey};
use aws_lc_rs::digest;
use domain::{AnlageRef, VorgangId};
use rusqlite::{OptionalExtension, params};

use crate::error::{Result, StoreError};
use crate::{Lesen, Store, jetzt_ms};

const MAGIC: &[u8; 8] = b"AMTSANL1";
/// Plaintext bytes per chunk.
pub const CHUNK: usize = 64 * 1024;
const TAG: usize = 16;

fn nonce(index: u64) -> Nonce {
    let mut n = [0u8; 12];
    n[4..].copy_from_slice(&index.to_be_bytes());
    Nonce::assume_unique_for_key(n)
}

fn aad(index: u64, letzter: bool) -> [u8; 17] {
    let mut a = [0u8; 17];
    a[..8].copy_from_slice(MAGIC);
    a[8..16].copy_from_slice(&index.to_be_bytes());
    a[16] = u8::from(letzter);
    a
}

fn aead_schluessel(b: &[u8]) -> Result<LessSafeKey> {
    let k = UnboundKey::new(&AES_256_GCM, b)
        .map_err(|_| StoreError::Daten("ungültiger Anlagenschlüssel".into()))?;
    Ok(LessSafeKey::new(k))
}

/// Streams one attachment into the store. Dropped without [`AnlageSchreiber::abschliessen`],
/// it removes its temporary file.
pub struct AnlageSchreiber<'s> {
    store: &'s Store,
    datei: Option<File>,
    tmp: PathBuf,
    schluessel_bytes: [u8; 32],
    schluessel: LessSafeKey,
    puffer: Vec<u8>,
    index: u64,
    hasher: Hasher,
    groesse: u64,
}

/// SHA-512 of the plaintext, computed on its own thread while the writer encrypts and
/// writes: hashing alone is slower than AES-GCM and the durable write together.
struct Hasher {
    tx: Option<std::sync::mpsc::SyncSender<Vec<u8>>>,
    faden: Option<std::thread::JoinHandle<digest::Digest>>,
}

impl Hasher {
    fn neu() -> io::Result<Self> {
        let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<u8>>(4);
        let faden = std::thread::Builder::new()
            .name("anlage-sha512".into())
            .spawn(move || {
                let mut c = digest::Context::new(&digest::SHA512);
                for teil in rx {
                    c.update(&teil);
                }
                c.finish()
            })?;
        Ok(Self {
            tx: Some(tx),
            faden: Some(faden),
        })
    }

    fn senden(&self, teil: Vec<u8>) -> io::Result<()> {
        match &self.tx {
            Some(tx) => tx
                .send(teil)
                .map_err(|_| io::Error::other("SHA-512-Berechnung abgebrochen")),
            None => Err(io::Error::other("Anlage bereits abgeschlossen")),
        }
    }

    fn fertig(&mut self) -> Result<String> {
        drop(self.tx.take());
        let faden = self
            .faden
            .take()
            .ok_or_else(|| StoreError::Daten("Anlage bereits abgeschlossen".into()))?;
        let d = faden
            .join()
            .map_err(|_| StoreError::Daten("SHA-512-Berechnung abgebrochen".into()))?;
        Ok(hex::encode(d.as_ref()))
    }
}

impl Store {
    /// Starts writing an attachment.
    pub fn anlage_schreiber(&self) -> Result<AnlageSchreiber<'_>> {
        let mut k = [0u8; 32];
        let mut name = [0u8; 16];
        aws_lc_rs::rand::fill(&mut k)
            .map_err(|_| StoreError::Daten("Zufallsquelle nicht verfügbar".into()))?;
        aws_lc_rs::rand::fill(&mut name)
            .map_err(|_| StoreError::Daten("Zufallsquelle nicht verfügbar".into()))?;
        let tmp = self
            .anlagen_ordner()
            .join(format!(".{}.part", hex::encode(name)));
        let mut datei = File::options().write(true).create_new(true).open(&tmp)?;
        let mut kopf = [0u8; 12];
        kopf[..8].copy_from_slice(MAGIC);
        kopf[8..].copy_from_slice(&(CHUNK as u32).to_be_bytes());
        datei.write_all(&kopf)?;
        Ok(AnlageSchreiber {
            store: self,
            datei: Some(datei),
            tmp,
            schluessel: aead_schluessel(&k)?,
            schluessel_bytes: k,
            puffer: Vec::with_capacity(CHUNK + TAG),
            index: 0,
            hasher: Hasher::neu()?,
            groesse: 0,
        })
    }

    /// Opens a stored attachment for reading.
    pub fn anlage_leser(&self, sha512: &str) -> Result<AnlageLeser> {
        let k: Option<Vec<u8>> = self.read(|r| {
            Ok(r.conn
                .prepare_cached("SELECT schluessel FROM anlage WHERE sha512 = ?1")?
                .query_row([sha512], |z| z.get(0))
                .optional()?)
        })?;
        let k = k.ok_or_else(|| StoreError::NichtGefunden(format!("Die Anlage {sha512}")))?;
        let pfad = self.anlagen_ordner().join(sha512);
        let mut datei = File::open(&pfad)?;
        let mut kopf = [0u8; 12];
        datei
            .read_exact(&mut kopf)
            .map_err(|e| beschaedigt(sha512, &format!("Kopf: {e}")))?;
        if &kopf[..8] != MAGIC || kopf[8..] != (CHUNK as u32).to_be_bytes() {
            return Err(beschaedigt(sha512, "unbekanntes Format"));
        }
        Ok(AnlageLeser {
            sha512: sha512.to_owned(),
            datei,
            schluessel: aead_schluessel(&k)?,
            puffer: Vec::with_capacity(CHUNK + TAG),
            pos: 0,
            index: 0,
            fertig: false,
        })
    }

    /// Removes temporary files of interrupted writes and files no row refers to.
    pub fn anlagen_aufraeumen(&self) -> Result<u64> {
        let mut n = 0;
        for e in std::fs::read_dir(self.anlagen_ordner())? {
            let e = e?;
            let name = e.file_name().to_string_lossy().into_owned();
            let weg = if name.ends_with(".part") {
                true
            } else {
                !self.read(|r| {
                    Ok(r.conn
                        .prepare_cached("SELECT 1 FROM anlage WHERE sha512 = ?1")?
                        .query_row([&name], |_| Ok(()))
                        .optional()?
                        .is_some())
                })?
            };
            if weg {
                std::fs::remove_file(e.path())?;
                n += 1;
            }
        }
        Ok(n)
    }
}

fn beschaedigt(sha512: &str, grund: &str) -> StoreError {
    StoreError::AnlageBeschaedigt {
        sha512: sha512.to_owned(),
        grund: grund.to_owned(),
    }
}

impl AnlageSchreiber<'_> {
    fn chunk_schreiben(&mut self, letzter: bool) -> io::Result<()> {
        if !self.puffer.is_empty() {
            self.hasher.senden(self.puffer.clone())?;
        }
        let tag = self
            .schluessel
            .seal_in_place_separate_tag(
                nonce(self.index),
                Aad::from(aad(self.index, letzter)),
                &mut self.puffer,
            )
            .map_err(|_| io::Error::other("Verschlüsselung fehlgeschlagen"))?;
        self.puffer.extend_from_slice(tag.as_ref());
        match self.datei.as_mut() {
            Some(d) => d.write_all(&self.puffer)?,
            None => return Err(io::Error::other("Anlage bereits abgeschlossen")),
        }
        self.puffer.clear();
        self.index += 1;
        Ok(())
    }

    /// Writes the final chunk, fsyncs the file and returns the plaintext's SHA-512.
    fn versiegeln(&mut self) -> Result<String> {
        // The buffer always holds less than a full chunk here: this is the final chunk.
        self.chunk_schreiben(true)?;
        let datei = self
            .datei
            .take()
            .ok_or_else(|| StoreError::Daten("Anlage bereits abgeschlossen".into()))?;
        datei.sync_all()?;
        drop(datei);
        self.hasher.fertig()
    }

    /// Like [`AnlageSchreiber::abschliessen`], but refuses (and discards) the content unless
    /// its SHA-512 is `erwartet` (lowercase hex, as FIT-Connect metadata states it).
    pub fn abschliessen_mit_pruefung(mut self, erwartet: &str) -> Result<(String, u64)> {
        let ist = self.versiegeln()?;
        if !ist.eq_ignore_ascii_case(erwartet) {
            let _ = std::fs::remove_file(&self.tmp);
            return Err(StoreError::AnlageBeschaedigt {
                sha512: erwartet.to_owned(),
                grund: format!(
                    "der Inhalt hat den SHA-512 {}…, erwartet war ein anderer",
                    ist.get(..16).unwrap_or(&ist)
                ),
            });
        }
        self.ablegen(ist)
    }

    /// Finishes: flushes, fsyncs, files the attachment under its SHA-512 and records it.
    ///
    /// Call it outside [`Store::write`]: it takes the writer lock itself (briefly, to rename
    /// and record the file). Store attachments first, then the case or submission that
    /// refers to them.
    pub fn abschliessen(mut self) -> Result<(String, u64)> {
        let sha512 = self.versiegeln()?;
        self.ablegen(sha512)
    }

    fn ablegen(self, sha512: String) -> Result<(String, u64)> {
        let ziel = self.store.anlagen_ordner().join(&sha512);
        let groesse = self.groesse;
        let tmp = self.tmp.clone();
        let k = self.schluessel_bytes;
        self.store.write(|w| {
            let vorhanden = w
                .conn
                .prepare_cached("SELECT 1 FROM anlage WHERE sha512 = ?1")?
                .query_row([&sha512], |_| Ok(()))
                .optional()?
                .is_some();
            if vorhanden && ziel.exists() {
                std::fs::remove_file(&tmp)?;
                return Ok(());
            }
            std::fs::rename(&tmp, &ziel)?;
            verzeichnis_sync(w_ordner(&ziel));
            w.conn
                .prepare_cached(
                    "INSERT INTO anlage (sha512, schluessel, groesse, angelegt_ms) VALUES (?1, ?2, ?3, ?4)
                     ON CONFLICT (sha512) DO UPDATE SET schluessel = excluded.schluessel",
                )?
                .execute(params![sha512, k.as_slice(), groesse as i64, jetzt_ms()])?;
            Ok(())
        })?;
        Ok((sha512, groesse))
    }
}

fn w_ordner(p: &Path) -> &Path {
    p.parent().unwrap_or(p)
}

fn verzeichnis_sync(dir: &Path) {
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
}

impl Write for AnlageSchreiber<'_> {
    fn write(&mut self, mut buf: &[u8]) -> io::Result<usize> {
        let n = buf.len();
        self.groesse += n as u64;
        while !buf.is_empty() {
            let frei = CHUNK - self.puffer.len();
            let teil = frei.min(buf.len());
            self.puffer.extend_from_slice(&buf[..teil]);
            buf = &buf[teil..];
            if self.puffer.len() == CHUNK {
                self.chunk_schreiben(false)?;
            }
        }
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Drop for AnlageSchreiber<'_> {
    fn drop(&mut self) {
        self.schluessel_bytes = [0; 32];
        if self.datei.take().is_some() {
            let _ = std::fs::remove_file(&self.tmp);
        }
    }
}

/// Streams a stored attachment out, verifying every chunk.
pub struct AnlageLeser {
    sha512: String,
    datei: File,
    schluessel: LessSafeKey,
    puffer: Vec<u8>,
    pos: usize,
    index: u64,
    fertig: bool,
}

fn voll_lesen(d: &mut File, buf: &mut [u8]) -> io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match d.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}

impl AnlageLeser {
    fn naechster_chunk(&mut self) -> io::Result<()> {
        self.puffer.resize(CHUNK + TAG, 0);
        let n = voll_lesen(&mut self.datei, &mut self.puffer)?;
        let fehler =
            |g: &str| io::Error::new(io::ErrorKind::InvalidData, beschaedigt(&self.sha512, g));
        if n < TAG {
            return Err(fehler("Datei ist abgeschnitten"));
        }
        let letzter = n - TAG < CHUNK;
        self.puffer.truncate(n);
        let klar = self
            .schluessel
            .open_in_place(
                nonce(self.index),
                Aad::from(aad(self.index, letzter)),
                &mut self.puffer,
            )
            .map_err(|_| fehler("Prüfsumme eines Abschnitts stimmt nicht"))?
            .len();
        self.puffer.truncate(klar);
        self.pos = 0;
        self.index += 1;
        if letzter {
            let mut rest = [0u8; 1];
            if voll_lesen(&mut self.datei, &mut rest)? != 0 {
                return Err(fehler("Daten hinter dem letzten Abschnitt"));
            }
            self.fertig = true;
        }
        Ok(())
    }
}

impl AnlageLeser {
    /// Moves to plaintext byte `pos` (for HTTP range requests): seeks straight to the chunk
    /// that holds it and decrypts only that one, so reading the end of a large attachment
    /// does not decrypt everything before it. Every chunk read is still verified. A `pos`
    /// beyond the end is an error.
    pub fn springen(&mut self, pos: u64) -> io::Result<()> {
        use std::io::{Seek, SeekFrom};
        let index = pos / CHUNK as u64;
        let versatz = 12 + index * (CHUNK + TAG) as u64;
        self.datei.seek(SeekFrom::Start(versatz))?;
        self.index = index;
        self.fertig = false;
        self.puffer.clear();
        self.pos = 0;
        self.naechster_chunk()?;
        let innen = (pos % CHUNK as u64) as usize;
        if innen > self.puffer.len() {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("Position {pos} liegt hinter dem Ende der Anlage"),
            ));
        }
        self.pos = innen;
        Ok(())
    }
}

impl Read for AnlageLeser {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while self.pos == self.puffer.len() {
            if self.fertig {
                return Ok(0);
            }
            self.naechster_chunk()?;
        }
        let n = buf.len().min(self.puffer.len() - self.pos);
        buf[..n].copy_from_slice(&self.puffer[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}

impl Lesen<'_> {
    /// The attachments linked to a case, by file name.
    pub fn anlagen_fuer_vorgang(&self, id: &VorgangId) -> Result<Vec<AnlageRef>> {
        let mut st = self.conn.prepare_cached(
            "SELECT va.sha512, va.dateiname, va.mime, a.groesse FROM vorgang v
             JOIN vorgang_anlage va ON va.vorgang_nr = v.nr JOIN anlage a ON a.sha512 = va.sha512
             WHERE v.id = ?1 ORDER BY va.dateiname",
        )?;
        let rows = st.query_map([id.to_string()], |r| {
            Ok(AnlageRef {
                sha512: r.get(0)?,
                dateiname: r.get(1)?,
                mime: r.get(2)?,
                groesse: r.get::<_, i64>(3)? as u64,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Whether an attachment with this SHA-512 is stored.
    pub fn anlage_vorhanden(&self, sha512: &str) -> Result<bool> {
        Ok(self
            .conn
            .prepare_cached("SELECT 1 FROM anlage WHERE sha512 = ?1")?
            .query_row([sha512], |_| Ok(()))
            .optional()?
            .is_some())
    }
}
