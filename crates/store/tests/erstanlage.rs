#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! The first start of a profile by several processes (here: threads with their own file
//! handles, which take the same kind of lock) at the same moment: one key, one database, and
//! every one of them can read what the others wrote.

mod common;

use std::sync::{Arc, Barrier};

use store::{Schluesselquelle, Store};

#[test]
fn several_first_starts_of_one_profile_at_once_agree_on_one_key_and_one_database() {
    for runde in 0..5 {
        let dir = tempfile::tempdir().unwrap();
        let profil = dir.path().join("profil");
        let quelle = Schluesselquelle::Datei(dir.path().join("schluessel"));
        let n = 6;
        let start = Arc::new(Barrier::new(n));
        let faeden: Vec<_> = (0..n)
            .map(|i| {
                let (profil, quelle, start) = (profil.clone(), quelle.clone(), start.clone());
                std::thread::spawn(move || {
                    start.wait();
                    let s = Store::open_profil(&profil, &quelle)
                        .unwrap_or_else(|e| panic!("Runde {runde}, Start {i}: {e}"));
                    let mut v =
                        common::vorgang(&format!("Antragsteller {i}"), "Text", common::eingang());
                    s.write(|w| w.vorgang_anlegen(&mut v, &common::vergabe(), "sb1"))
                        .unwrap();
                })
            })
            .collect();
        for f in faeden {
            f.join().unwrap();
        }
        let s = Store::open_profil(&profil, &quelle).unwrap();
        assert_eq!(
            s.read(|r| r.anzahl_vorgaenge()).unwrap(),
            n as u64,
            "Runde {runde}: every start wrote into the same database"
        );
    }
}
