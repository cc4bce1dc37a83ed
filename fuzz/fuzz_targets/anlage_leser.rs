//! The attachment reader ([`store::AnlageLeser`]) over a damaged file: attachments of a few
//! sizes (empty, short, exactly one chunk, chunks plus a tail) are written once through the
//! public API; each run takes one of their files, damages it as the input says (flip a byte,
//! cut it off, drop or repeat a chunk, append), reads it whole and from a position.
//! Whatever the damage, the reader must not panic, and what it returns without error must be
//! exactly the original plaintext (AES-GCM per chunk, index and final flag in the AAD).
#![no_main]

use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use amtsstube_fuzz::Leser;
use libfuzzer_sys::fuzz_target;

const CHUNK: usize = store::anlage::CHUNK;
const GESAMT: usize = CHUNK + 16;

struct Welt {
    store: store::Store,
    /// (sha512, plaintext, pristine file)
    anlagen: Vec<(String, Vec<u8>, Vec<u8>)>,
    ordner: PathBuf,
}

fn welt() -> &'static Welt {
    static W: OnceLock<Welt> = OnceLock::new();
    W.get_or_init(|| {
        // libFuzzer ends with exit(), so nothing static is dropped: the store lives in
        // fuzz/target/welten/<pid>, and worlds of processes that are gone are removed here.
        let welten = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/welten");
        if let Ok(alte) = std::fs::read_dir(&welten) {
            for e in alte.flatten() {
                if !Path::new("/proc").join(e.file_name()).exists() {
                    let _ = std::fs::remove_dir_all(e.path());
                }
            }
        }
        let dir = welten.join(std::process::id().to_string());
        let _ = std::fs::remove_dir_all(&dir);
        let store = store::Store::open(&dir, &store::Schluessel::aus_bytes([7; 32]))
            .expect("Store öffnen");
        let ordner = dir.join("anlagen");
        let mut anlagen = Vec::new();
        for n in [0usize, 100, CHUNK, 2 * CHUNK + 300] {
            let klar: Vec<u8> = (0..n).map(|i| (i % 251) as u8).collect();
            let mut w = store.anlage_schreiber().expect("Schreiber");
            std::io::Write::write_all(&mut w, &klar).expect("schreiben");
            let (sha, _) = w.abschliessen().expect("abschließen");
            let datei = std::fs::read(ordner.join(&sha)).expect("Datei der Anlage");
            anlagen.push((sha, klar, datei));
        }
        Welt {
            store,
            anlagen,
            ordner,
        }
    })
}

fuzz_target!(|daten: &[u8]| {
    let w = welt();
    let mut l = Leser::neu(daten);
    let (sha, klar, original) = &w.anlagen[l.u8() as usize % w.anlagen.len()];
    let mut datei = original.clone();
    for _ in 0..(l.u8() % 4) {
        let pos = l.u32() as usize;
        match l.u8() % 6 {
            0 if !datei.is_empty() => {
                let i = pos % datei.len();
                datei[i] ^= l.u8() | 1;
            }
            1 => datei.truncate(pos % (datei.len() + 1)),
            2 => datei.extend_from_slice(l.stueck(64)),
            3 => {
                // drop chunk k
                let k = pos % 3;
                let a = 12 + k * GESAMT;
                if a < datei.len() {
                    let b = (a + GESAMT).min(datei.len());
                    datei.drain(a..b);
                }
            }
            4 => {
                // repeat chunk k after itself
                let k = pos % 3;
                let a = 12 + k * GESAMT;
                if a < datei.len() {
                    let b = (a + GESAMT).min(datei.len());
                    let kopie = datei[a..b].to_vec();
                    datei.splice(b..b, kopie);
                }
            }
            _ => {
                // swap the first two chunks
                if datei.len() >= 12 + 2 * GESAMT {
                    let zweiter = datei[12 + GESAMT..12 + 2 * GESAMT].to_vec();
                    let erster = datei[12..12 + GESAMT].to_vec();
                    datei[12..12 + GESAMT].copy_from_slice(&zweiter);
                    datei[12 + GESAMT..12 + 2 * GESAMT].copy_from_slice(&erster);
                }
            }
        }
    }
    let sprung = u64::from(l.u32()) % (klar.len() as u64 + 2);
    std::fs::write(w.ordner.join(sha), &datei).expect("Datei schreiben");

    if let Ok(mut r) = w.store.anlage_leser(sha) {
        let mut aus = Vec::new();
        if r.read_to_end(&mut aus).is_ok() {
            assert_eq!(&aus, klar, "beschädigte Anlage ohne Fehler gelesen");
        }
    }
    if let Ok(mut r) = w.store.anlage_leser(sha) {
        if r.springen(sprung).is_ok() {
            assert!(sprung as usize <= klar.len(), "Sprung hinter das Ende ({sprung}) angenommen");
            let mut aus = Vec::new();
            if r.read_to_end(&mut aus).is_ok() {
                assert_eq!(
                    &aus[..],
                    &klar[sprung as usize..],
                    "beschädigte Anlage ab {sprung} ohne Fehler gelesen"
                );
            }
        }
    }
    std::fs::write(w.ordner.join(sha), original).expect("Datei zurückschreiben");
});
