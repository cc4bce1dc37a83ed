#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Issue 18: an anchor of the audit chain kept outside the database (the head as it went to
//! the E-Akte) detects a chain rewritten whole with the database key, which the chain's own
//! check cannot.

mod common;

use common::*;

#[test]
fn a_chain_rewritten_with_the_key_passes_its_own_check_but_not_the_anchor() {
    let (_dir, s, key) = neuer_store();
    for i in 0..5 {
        s.write(|w| w.audit_anhaengen("anna", "test", None, &format!("Eintrag {i}")))
            .unwrap();
    }
    let (seq, hash) = s.read(|r| r.audit_kopf()).unwrap().unwrap();
    let anker = hex::encode(&hash);
    assert_eq!(seq, 5);
    assert_eq!(
        s.read(|r| r.audit_anker_pruefen(seq, &anker)).unwrap(),
        None
    );
    assert!(
        s.read(|r| r.audit_anker_pruefen(seq, &"00".repeat(32)))
            .unwrap()
            .is_some()
    );
    let db = s.db_pfad().to_path_buf();
    drop(s);

    // Someone with the database key deletes the chain and writes a new, consistent one.
    let conn = store::verbindung::oeffnen(&db, &key).unwrap();
    conn.execute_batch("DELETE FROM audit; DELETE FROM audit_kopf;")
        .unwrap();
    drop(conn);
    let s = store::Store::open(db.parent().unwrap(), &key).unwrap();
    for i in 0..5 {
        s.write(|w| w.audit_anhaengen("anna", "test", None, &format!("Gefälscht {i}")))
            .unwrap();
    }
    assert!(
        s.read(|r| r.audit_pruefen()).unwrap().intakt(),
        "the rewritten chain is consistent in itself"
    );
    let befund = s.read(|r| r.audit_anker_pruefen(seq, &anker)).unwrap();
    assert!(
        befund
            .as_deref()
            .is_some_and(|b| b.contains("umgeschrieben")),
        "{befund:?}"
    );
    // An anchor beyond the chain's end (entries removed) is named as missing.
    let fehlt = s.read(|r| r.audit_anker_pruefen(99, &anker)).unwrap();
    assert!(
        fehlt.as_deref().is_some_and(|b| b.contains("fehlt")),
        "{fehlt:?}"
    );
}
