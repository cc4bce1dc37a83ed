#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! The key lives in a real Secret Service. Run inside `../shared/ci/with-keyring.sh` (Debian
//! packages gnome-keyring dbus dbus-bin keyutils), as CI does.

mod common;

use common::*;
use store::{Schluesselquelle, Store, StoreError};

fn quelle(profil: &std::path::Path) -> Schluesselquelle {
    match Schluesselquelle::schluesselbund_fuer(profil) {
        Schluesselquelle::Schluesselbund { konto, .. } => Schluesselquelle::Schluesselbund {
            dienst: "Amtsstube-Test".into(),
            konto,
        },
        q => q,
    }
}

fn oder_hinweis<T>(r: Result<T, StoreError>) -> T {
    match r {
        Ok(t) => t,
        Err(e @ StoreError::KeinSchluesselspeicher { .. }) => panic!(
            "Kein Secret Service erreichbar ({e}). Diesen Test in ../shared/ci/with-keyring.sh ausführen \
             (apt-get install -y gnome-keyring dbus dbus-bin keyutils)."
        ),
        Err(e) => panic!("{e}"),
    }
}

#[test]
fn the_key_is_created_in_the_os_keyring_as_binary_secret_and_reused() {
    let dir = tempfile::tempdir().unwrap();
    let profil = dir.path().join("profil");
    std::fs::create_dir_all(&profil).unwrap();
    let q = quelle(&profil);
    assert_eq!(oder_hinweis(q.laden()), None);
    let mut v = vorgang("Schlüsselbund", "x", eingang());
    {
        let s = oder_hinweis(Store::open_profil(&profil, &q));
        s.write(|w| w.vorgang_anlegen(&mut v, &vergabe(), "sb"))
            .unwrap();
    }
    let key = oder_hinweis(q.laden()).expect("key kept in the keyring");
    assert_eq!(key.bytes().len(), 32);
    assert!(!key.bytes().iter().all(|b| *b == 0));
    // Reopening reads the same key from the keyring.
    let s = oder_hinweis(Store::open_profil(&profil, &q));
    assert!(s.read(|r| r.vorgang(&v.id)).unwrap().is_some());
    drop(s);
    // Without the keyring entry the existing database is not given a new key.
    q.loeschen().unwrap();
    let err = Store::open_profil(&profil, &q).unwrap_err();
    assert!(matches!(err, StoreError::SchluesselFehlt { .. }), "{err:?}");
    assert_eq!(oder_hinweis(q.laden()), None);
}
