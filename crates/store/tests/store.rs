#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Integration tests of the encrypted store.

mod common;

use std::io::{Read, Write};

use common::*;
use domain::{
    Aktion, AnlageRef, Eingangszustand, Fakten, FitConnectIds, Notiz, Prioritaet, Rolle, Status,
};
use store::{
    EinreichungsAnlage, EmpfangeneEinreichung, Faelligkeitsfilter, NeuerAuftrag, QueueFilter,
    Schluessel, Schluesselquelle, Sortierung, Speicherergebnis, Stichtag, Store, StoreError,
    ZustaendigFilter,
};
use time::macros::{date, datetime};
use time::{Duration, OffsetDateTime};

#[test]
fn the_store_runs_on_sqlcipher_with_wal_and_fts5() {
    let (_d, s, key) = neuer_store();
    let conn = store::verbindung::oeffnen(s.db_pfad(), &key).unwrap();
    let v: String = conn
        .query_row("PRAGMA cipher_version", [], |r| r.get(0))
        .unwrap();
    assert!(!v.is_empty());
    let m: String = conn
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!(m, "wal");
    let fk: i64 = conn
        .query_row("PRAGMA foreign_keys", [], |r| r.get(0))
        .unwrap();
    assert_eq!(fk, 1);
    let sync: i64 = conn
        .query_row("PRAGMA synchronous", [], |r| r.get(0))
        .unwrap();
    assert_eq!(sync, 2, "synchronous = FULL");
    assert!(s.integritaet_pruefen().unwrap().is_empty());
}

#[test]
fn aktenzeichen_are_gap_free_per_year_even_when_a_transaction_rolls_back() {
    let (_d, s, _) = neuer_store();
    let v = vergabe();
    let mut a = vorgang("A", "x", eingang());
    s.write(|w| w.vorgang_anlegen(&mut a, &v, "sb1")).unwrap();
    // A failing transaction takes its number with it.
    let mut b = vorgang("B", "x", eingang());
    let r: Result<(), StoreError> = s.write(|w| {
        w.vorgang_anlegen(&mut b, &v, "sb1")?;
        Err(StoreError::Unzulaessig("abgebrochen".into()))
    });
    assert!(r.is_err());
    let mut c = vorgang("C", "x", eingang());
    let az_c = s.write(|w| w.vorgang_anlegen(&mut c, &v, "sb1")).unwrap();
    assert_eq!(a.aktenzeichen.unwrap().0, "32-GEW/2026/00001");
    assert_eq!(az_c.0, "32-GEW/2026/00002");
    // A new year starts at 1; the old year's counter goes on.
    let mut d = vorgang("D", "x", datetime!(2027-01-04 08:00 +01:00));
    assert_eq!(
        s.write(|w| w.vorgang_anlegen(&mut d, &v, "sb1")).unwrap().0,
        "32-GEW/2027/00001"
    );
    let mut e = vorgang("E", "x", eingang());
    assert_eq!(
        s.write(|w| w.vorgang_anlegen(&mut e, &v, "sb1")).unwrap().0,
        "32-GEW/2026/00003"
    );
    // Several cases of both years in one transaction count on, and the next one goes on.
    let mut f = vorgang("F", "x", eingang());
    let mut g = vorgang("G", "x", datetime!(2027-02-01 08:00 +01:00));
    let mut h = vorgang("H", "x", eingang());
    let nummern = s
        .write(|w| {
            Ok([
                w.vorgang_anlegen(&mut f, &v, "sb1")?.0,
                w.vorgang_anlegen(&mut g, &v, "sb1")?.0,
                w.vorgang_anlegen(&mut h, &v, "sb1")?.0,
            ])
        })
        .unwrap();
    assert_eq!(
        nummern,
        [
            "32-GEW/2026/00004",
            "32-GEW/2027/00002",
            "32-GEW/2026/00005"
        ]
    );
    let mut i = vorgang("I", "x", eingang());
    assert_eq!(
        s.write(|w| w.vorgang_anlegen(&mut i, &v, "sb1")).unwrap().0,
        "32-GEW/2026/00006"
    );
    // The same case cannot be inserted twice.
    let mut again = c.clone();
    let err = s
        .write(|w| w.vorgang_anlegen(&mut again, &v, "sb1"))
        .unwrap_err();
    assert!(err.to_string().contains("bereits vorhanden"), "{err}");
    let got = s.read(|r| r.vorgang(&c.id)).unwrap().unwrap();
    assert_eq!(got.aktenzeichen.unwrap().0, "32-GEW/2026/00002");
}

#[test]
fn status_changes_go_through_the_status_machine_and_are_audited() {
    let (_d, s, _) = neuer_store();
    let mut v = vorgang("Erika Mustermann", "Imbiss", eingang());
    s.write(|w| w.vorgang_anlegen(&mut v, &vergabe(), "sb1"))
        .unwrap();
    let err = s
        .write(|w| {
            w.status_wechseln(
                &v.id,
                Aktion::PruefungBeginnen,
                Rolle::Sachbearbeitung,
                &Fakten::default(),
                "sb1",
            )
        })
        .unwrap_err();
    assert!(err.to_string().contains("zuständige Person"), "{err}");
    let f = Fakten {
        zustaendig_gesetzt: true,
        ..Fakten::default()
    };
    let neu = s
        .write(|w| {
            w.status_wechseln(
                &v.id,
                Aktion::PruefungBeginnen,
                Rolle::Sachbearbeitung,
                &f,
                "sb1",
            )
        })
        .unwrap();
    assert_eq!(neu, Status::InPruefung);
    s.write(|w| w.vorgang_oeffnen(&v.id, "sb2")).unwrap();
    let log = s.read(|r| r.audit_fuer_vorgang(&v.id)).unwrap();
    let was: Vec<&str> = log.iter().map(|e| e.was.as_str()).collect();
    assert_eq!(was[0], "vorgang.angelegt");
    assert!(was[1].starts_with("status: neu → in_pruefung"), "{was:?}");
    assert_eq!(was[2], "vorgang.geoeffnet");
    assert_eq!(log[2].wer, "sb2");
    assert!(s.read(|r| r.audit_pruefen()).unwrap().intakt());
}

fn fuellen(s: &Store) -> Vec<domain::Vorgang> {
    let mut alle = Vec::new();
    s.write(|w| {
        for i in 0..30u32 {
            let mut v = vorgang(
                &format!("Person {i:02}"),
                "Kiosk",
                eingang() + Duration::hours(i.into()),
            );
            v.zustaendig = match i % 3 {
                0 => Some("anna".into()),
                1 => Some("bert".into()),
                _ => None,
            };
            v.frist = Some(date!(2026 - 06 - 01) + Duration::days(i64::from(i)));
            v.prioritaet = if i % 5 == 0 {
                Prioritaet::Eilt
            } else {
                Prioritaet::Normal
            };
            if i % 7 == 0 {
                v.status = Status::Beschieden;
            }
            if i == 29 {
                v.wiedervorlage = Some(date!(2026 - 06 - 02));
                v.leistung.leika = "99001001000000".into();
            }
            w.vorgang_anlegen(&mut v, &vergabe(), "import")?;
            alle.push(v);
        }
        Ok(())
    })
    .unwrap();
    alle
}

#[test]
fn the_queue_filters_sorts_and_pages() {
    let (_d, s, _) = neuer_store();
    fuellen(&s);
    // Anna's open cases by deadline: i = 3, 6, 9, 12, 15, 18, 24, 27 (0 and 21 are decided).
    let f = QueueFilter {
        nur_offen: true,
        zustaendig: Some(ZustaendigFilter::Person("anna".into())),
        sortierung: Sortierung::Frist,
        pro_seite: 5,
        ..QueueFilter::default()
    };
    let p0 = s.read(|r| r.warteschlange(&f)).unwrap();
    let namen: Vec<&str> = p0.zeilen.iter().map(|z| z.antragsteller.as_str()).collect();
    assert_eq!(
        namen,
        [
            "Person 03",
            "Person 06",
            "Person 09",
            "Person 12",
            "Person 15"
        ]
    );
    assert!(p0.weitere);
    let p1 = s
        .read(|r| {
            r.warteschlange(&QueueFilter {
                seite: 1,
                ..f.clone()
            })
        })
        .unwrap();
    let namen: Vec<&str> = p1.zeilen.iter().map(|z| z.antragsteller.as_str()).collect();
    assert_eq!(namen, ["Person 18", "Person 24", "Person 27"]);
    assert!(!p1.weitere);
    assert_eq!(s.read(|r| r.warteschlange_anzahl(&f)).unwrap(), 8);
    // Unassigned, by status, descending receipt.
    let f = QueueFilter {
        status: vec![Status::Neu],
        zustaendig: Some(ZustaendigFilter::Niemand),
        absteigend: true,
        ..QueueFilter::default()
    };
    let z = s.read(|r| r.warteschlange(&f)).unwrap().zeilen;
    assert_eq!(z.first().unwrap().antragsteller, "Person 29");
    assert!(
        z.iter()
            .all(|r| r.zustaendig.is_none() && r.status == Status::Neu)
    );
    // Decided cases, priority first.
    let f = QueueFilter {
        status: vec![Status::Beschieden],
        sortierung: Sortierung::Prioritaet,
        absteigend: true,
        ..QueueFilter::default()
    };
    let z = s.read(|r| r.warteschlange(&f)).unwrap().zeilen;
    assert_eq!(z.len(), 5);
    assert_eq!(z[0].prioritaet, Prioritaet::Eilt);
    // By Leistung.
    let f = QueueFilter {
        leika: Some("99001001000000".into()),
        ..QueueFilter::default()
    };
    assert_eq!(s.read(|r| r.warteschlange_anzahl(&f)).unwrap(), 1);
}

#[test]
fn due_and_overdue_follow_the_deadline_and_the_wiedervorlage() {
    let (_d, s, _) = neuer_store();
    fuellen(&s);
    // Today Wednesday 3 June 2026 in Berlin, two business days of lead time (the bound comes
    // from the domain's catalogue): due = deadline up to 5 June, or Wiedervorlage reached.
    let katalog = domain::Fristenkatalog {
        bundesland: domain::Bundesland::BE,
        standard: domain::Fristregel::Monate(3),
        je_leistung: Default::default(),
        vorlauf_arbeitstage: 2,
    };
    let st: Stichtag = katalog.stichtag(date!(2026 - 06 - 03));
    assert_eq!(st.faellig_bis, date!(2026 - 06 - 05));
    let q = |ff| QueueFilter {
        faelligkeit: Some(ff),
        stichtag: Some(st),
        sortierung: Sortierung::Frist,
        ..QueueFilter::default()
    };
    let namen = |f: &QueueFilter| -> Vec<String> {
        s.read(|r| r.warteschlange(f))
            .unwrap()
            .zeilen
            .into_iter()
            .map(|z| z.antragsteller)
            .collect()
    };
    // Deadlines 1 June (i=0, decided: excluded) and 2 June (i=1) have passed.
    assert_eq!(namen(&q(Faelligkeitsfilter::Ueberfaellig)), ["Person 01"]);
    // 3, 4, 5 June (i = 2, 3, 4) plus i = 29 by its Wiedervorlage.
    assert_eq!(
        namen(&q(Faelligkeitsfilter::Faellig)),
        ["Person 02", "Person 03", "Person 04", "Person 29"]
    );
    let z = s
        .read(|r| r.warteschlange(&q(Faelligkeitsfilter::FaelligOderUeberfaellig)))
        .unwrap()
        .zeilen;
    assert_eq!(z.len(), 5);
    assert_eq!(z[0].faelligkeit, domain::Faelligkeit::Ueberfaellig);
    assert_eq!(z[1].faelligkeit, domain::Faelligkeit::Faellig);
    // Every row is classified by the domain's one rule.
    for zeile in &z {
        assert_eq!(
            zeile.faelligkeit,
            katalog.faelligkeit(
                zeile.status.ist_offen(),
                zeile.frist,
                zeile.wiedervorlage,
                st.heute
            )
        );
    }
    let wv = QueueFilter {
        wiedervorlage_bis: Some(date!(2026 - 06 - 30)),
        ..QueueFilter::default()
    };
    assert_eq!(s.read(|r| r.warteschlange_anzahl(&wv)).unwrap(), 1);
    let err = s
        .read(|r| {
            r.warteschlange(&QueueFilter {
                faelligkeit: Some(Faelligkeitsfilter::Faellig),
                ..QueueFilter::default()
            })
        })
        .unwrap_err();
    assert!(err.to_string().contains("Stichtag"));
}

fn notiz(text: &str) -> Notiz {
    Notiz {
        autor: "sb".into(),
        zeit: OffsetDateTime::now_utc(),
        text: text.into(),
    }
}

/// The applicants' names of what a search for `q` finds.
fn suchtreffer(s: &Store, q: &str) -> Vec<String> {
    s.read(|r| r.suche(q, 20))
        .unwrap()
        .into_iter()
        .map(|t| t.antragsteller)
        .collect()
}

#[test]
fn search_finds_umlauts_sharp_s_prefixes_aktenzeichen_and_notes() {
    let (_d, s, _) = neuer_store();
    let mut a = vorgang("Jürgen Weiß", "Bäckerei und Konditorei", eingang());
    let mut b = vorgang("Renée Öztürk", "Fahrradverleih", eingang());
    let mut c = vorgang("Hans Meier", "Straßenfest", eingang());
    s.write(|w| {
        w.vorgang_anlegen(&mut a, &vergabe(), "sb")?;
        w.vorgang_anlegen(&mut b, &vergabe(), "sb")?;
        w.vorgang_anlegen(&mut c, &vergabe(), "sb")
    })
    .unwrap();
    let treffer = |q: &str| suchtreffer(&s, q);
    assert_eq!(treffer("Jürgen"), ["Jürgen Weiß"]);
    assert_eq!(treffer("juergen weiss"), ["Jürgen Weiß"]);
    assert_eq!(treffer("WEISS"), ["Jürgen Weiß"]);
    assert_eq!(treffer("bäck"), ["Jürgen Weiß"]);
    assert_eq!(treffer("Baeckerei"), ["Jürgen Weiß"]);
    assert_eq!(treffer("renee oeztuerk"), ["Renée Öztürk"]);
    assert_eq!(treffer("Öztürk"), ["Renée Öztürk"]);
    assert_eq!(treffer("strassenf"), ["Hans Meier"]);
    assert_eq!(treffer("Straßenfest"), ["Hans Meier"]);
    assert_eq!(treffer("32-GEW/2026/00002"), ["Renée Öztürk"]);
    assert_eq!(treffer("\"; DROP TABLE vorgang; --"), Vec::<String>::new());
    assert!(
        treffer("Fahrrad Bäckerei").is_empty(),
        "all words must match"
    );
    // Notes are searchable and the index follows changes.
    s.write(|w| w.notiz_hinzufuegen(&c.id, notiz("Rückruf wegen Lärmschutz"), "sb"))
        .unwrap();
    assert_eq!(treffer("laermschutz"), ["Hans Meier"]);
    assert_eq!(treffer("Straßenfest"), ["Hans Meier"]);
    // Three letters are the shortest prefix typed (no prefix index: the term range is read).
    assert_eq!(treffer("Wei"), ["Jürgen Weiß"]);
}

#[test]
fn the_search_index_is_written_with_the_commit_and_follows_changes_within_one_transaction() {
    let (_d, s, key) = neuer_store();
    let treffer = |q: &str| suchtreffer(&s, q);
    // Created, then changed twice in the same transaction: only the last state is found.
    let mut a = vorgang("Jürgen Weiß", "Bäckerei", eingang());
    s.write(|w| {
        w.vorgang_anlegen(&mut a, &vergabe(), "sb")?;
        let mut b = a.clone();
        b.antragsteller.name = "Jürgen Weißmann".into();
        w.vorgang_speichern(&b, "sb", "vorgang.geaendert")?;
        b.antragsteller.name = "Jutta Weißmann".into();
        w.vorgang_speichern(&b, "sb", "vorgang.geaendert")
    })
    .unwrap();
    assert_eq!(treffer("Jutta"), ["Jutta Weißmann"]);
    assert!(treffer("Jürgen").is_empty(), "{:?}", treffer("Jürgen"));
    assert_eq!(treffer("Bäckerei"), ["Jutta Weißmann"]);
    // A transaction that fails leaves nothing in the index.
    let mut c = vorgang("Quirin Zwerg", "Zirkus", eingang());
    let r = s.write(|w| {
        w.vorgang_anlegen(&mut c, &vergabe(), "sb")?;
        Err::<(), _>(StoreError::Unzulaessig("Abbruch im Test".into()))
    });
    assert!(r.is_err());
    assert!(treffer("Quirin").is_empty());
    assert!(treffer("Zirkus").is_empty());
    // The index is intact by FTS5's own check.
    let conn = store::verbindung::oeffnen(s.db_pfad(), &key).unwrap();
    conn.execute_batch("INSERT INTO vorgang_fts (vorgang_fts) VALUES ('integrity-check')")
        .unwrap();
}

#[test]
fn a_store_of_schema_3_gets_its_search_index_rebuilt_from_the_cases() {
    let (d, s, key) = neuer_store();
    let mut a = vorgang("Jürgen Weiß", "Bäckerei und Konditorei", eingang());
    let mut b = vorgang("Renée Öztürk", "Fahrradverleih", eingang());
    s.write(|w| {
        w.vorgang_anlegen(&mut a, &vergabe(), "sb")?;
        w.vorgang_anlegen(&mut b, &vergabe(), "sb")?;
        w.notiz_hinzufuegen(&b.id, notiz("Rückruf wegen Lärmschutz"), "sb")
    })
    .unwrap();
    let pfad = s.db_pfad().to_path_buf();
    drop(s);
    // Put the database back to schema 3: its search index as schema 1 created it, empty.
    let conn = store::verbindung::oeffnen(&pfad, &key).unwrap();
    conn.execute_batch(
        "DROP TABLE vorgang_fts;
         CREATE VIRTUAL TABLE vorgang_fts USING fts5 (
             aktenzeichen, antragsteller, formular, notizen,
             content = '', contentless_delete = 1, detail = column,
             tokenize = 'unicode61 remove_diacritics 2', prefix = '3');
         PRAGMA user_version = 3;",
    )
    .unwrap();
    drop(conn);

    let s = Store::open(&d.path().join("profil"), &key).unwrap();
    let treffer = |q: &str| suchtreffer(&s, q);
    assert_eq!(treffer("juergen weiss"), ["Jürgen Weiß"]);
    assert_eq!(treffer("Konditorei"), ["Jürgen Weiß"]);
    assert_eq!(treffer("laermschutz"), ["Renée Öztürk"]);
    assert_eq!(treffer("32-GEW/2026/00002"), ["Renée Öztürk"]);
    let conn = store::verbindung::oeffnen(&pfad, &key).unwrap();
    let (version, sql, pgsz): (i64, String, i64) = conn
        .query_row(
            "SELECT (SELECT user_version FROM pragma_user_version),
                    (SELECT sql FROM sqlite_master WHERE name = 'vorgang_fts'),
                    (SELECT v FROM vorgang_fts_config WHERE k = 'pgsz')",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    assert_eq!(version, store::verbindung::schema_version());
    assert!(!sql.contains("prefix"), "{sql}");
    assert_eq!(pgsz, 3900);
    conn.execute_batch("INSERT INTO vorgang_fts (vorgang_fts) VALUES ('integrity-check')")
        .unwrap();
}

#[test]
fn a_wrong_key_fails_with_a_clear_error_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let profil = dir.path().join("p");
    let key = Schluessel::zufaellig().unwrap();
    {
        let s = Store::open(&profil, &key).unwrap();
        let mut v = vorgang("Zeuge", "x", eingang());
        s.write(|w| w.vorgang_anlegen(&mut v, &vergabe(), "sb"))
            .unwrap();
    }
    let schnappschuss = |p: &std::path::Path| -> Vec<(String, Vec<u8>)> {
        let mut v: Vec<_> = std::fs::read_dir(p)
            .unwrap()
            .map(|e| e.unwrap())
            .filter(|e| e.path().is_file())
            .map(|e| {
                (
                    e.file_name().to_string_lossy().into_owned(),
                    std::fs::read(e.path()).unwrap(),
                )
            })
            .collect();
        v.sort();
        v
    };
    let vorher = schnappschuss(&profil);
    let falsch = Schluessel::zufaellig().unwrap();
    let err = Store::open(&profil, &falsch).unwrap_err();
    assert!(
        matches!(err, StoreError::FalscherSchluessel { .. }),
        "{err:?}"
    );
    assert!(
        err.to_string().contains("nicht öffnen") && err.to_string().contains("nichts verändert"),
        "{err}"
    );
    assert_eq!(schnappschuss(&profil), vorher);
    let s = Store::open(&profil, &key).unwrap();
    assert_eq!(s.read(|r| r.anzahl_vorgaenge()).unwrap(), 1);
}

#[test]
fn a_database_from_a_newer_version_is_refused() {
    let (d, s, key) = neuer_store();
    let pfad = s.db_pfad().to_path_buf();
    drop(s);
    let conn = store::verbindung::oeffnen(&pfad, &key).unwrap();
    conn.execute_batch("PRAGMA user_version = 999").unwrap();
    drop(conn);
    let err = Store::open(&d.path().join("profil"), &key).unwrap_err();
    assert!(
        matches!(err, StoreError::NeueresSchema { gefunden: 999, .. }),
        "{err:?}"
    );
    assert!(err.to_string().contains("aktuelle Version"), "{err}");
}

#[test]
fn the_audit_verifier_reports_the_first_broken_link() {
    let (_d, s, key) = neuer_store();
    let mut v = vorgang("A", "x", eingang());
    s.write(|w| w.vorgang_anlegen(&mut v, &vergabe(), "sb"))
        .unwrap();
    for _ in 0..4 {
        s.write(|w| w.vorgang_oeffnen(&v.id, "sb")).unwrap();
    }
    let befund = s.read(|r| r.audit_pruefen()).unwrap();
    assert_eq!(befund.eintraege, 5);
    assert!(befund.intakt());
    let conn = store::verbindung::oeffnen(s.db_pfad(), &key).unwrap();
    conn.execute("UPDATE audit SET wer = 'niemand' WHERE seq = 3", [])
        .unwrap();
    let b = s.read(|r| r.audit_pruefen()).unwrap();
    assert_eq!(b.erster_bruch.as_ref().unwrap().0, 3, "{b:?}");
    assert!(b.erster_bruch.unwrap().1.contains("verändert"));
    conn.execute("UPDATE audit SET wer = 'sb' WHERE seq = 3", [])
        .unwrap();
    assert!(s.read(|r| r.audit_pruefen()).unwrap().intakt());
    conn.execute("DELETE FROM audit WHERE seq = 2", []).unwrap();
    assert_eq!(
        s.read(|r| r.audit_pruefen())
            .unwrap()
            .erster_bruch
            .unwrap()
            .0,
        2
    );
    // Cutting off the tail is seen through the head record.
    let (_d2, s2, key2) = neuer_store();
    s2.write(|w| w.vorgang_anlegen(&mut vorgang("B", "x", eingang()), &vergabe(), "sb"))
        .unwrap();
    s2.write(|w| w.audit_anhaengen("sb", "test", None, ""))
        .unwrap();
    let c2 = store::verbindung::oeffnen(s2.db_pfad(), &key2).unwrap();
    c2.execute("DELETE FROM audit WHERE seq = 2", []).unwrap();
    let b = s2.read(|r| r.audit_pruefen()).unwrap();
    assert_eq!(b.erster_bruch.unwrap().0, 2);
}

#[test]
fn the_outbox_is_idempotent_and_hands_out_due_items_with_retry_bookkeeping() {
    let (_d, s, _) = neuer_store();
    let t0 = datetime!(2026-03-02 10:00 UTC);
    let a = NeuerAuftrag {
        idempotenz: "accept:sub-1".into(),
        art: "fitconnect.accept".into(),
        vorgang_id: None,
        nutzlast: b"{}".to_vec(),
    };
    let (id, neu) = s.write(|w| w.outbox_einreihen(&a, t0)).unwrap();
    assert!(neu);
    let (id2, neu2) = s
        .write(|w| w.outbox_einreihen(&a, t0 + Duration::minutes(5)))
        .unwrap();
    assert_eq!((id2, neu2), (id, false));
    assert_eq!(s.read(|r| r.outbox_faellig(t0, 10)).unwrap().len(), 1);
    s.write(|w| {
        w.outbox_versuch(id)?;
        w.outbox_fehlschlag(id, "503 Service Unavailable", t0 + Duration::minutes(1))
    })
    .unwrap();
    assert!(s.read(|r| r.outbox_faellig(t0, 10)).unwrap().is_empty());
    let due = s
        .read(|r| r.outbox_faellig(t0 + Duration::minutes(1), 10))
        .unwrap();
    assert_eq!(due[0].versuche, 1);
    assert_eq!(
        due[0].letzter_fehler.as_deref(),
        Some("503 Service Unavailable")
    );
    s.write(|w| {
        w.outbox_versuch(id)?;
        w.outbox_erledigt(id, t0 + Duration::minutes(2))
    })
    .unwrap();
    assert!(
        s.read(|r| r.outbox_faellig(t0 + Duration::days(1), 10))
            .unwrap()
            .is_empty()
    );
    let e = s.read(|r| r.outbox_eintrag(id)).unwrap().unwrap();
    assert_eq!((e.zustand.as_str(), e.versuche), ("erledigt", 2));
    assert!(matches!(
        s.write(|w| w.outbox_erledigt(id, t0)),
        Err(StoreError::NichtGefunden(_))
    ));
}

#[test]
fn due_items_of_one_kind_are_not_hidden_behind_many_due_items_of_another() {
    let (_d, s, _) = neuer_store();
    let t0 = datetime!(2026-03-02 10:00 UTC);
    let auftrag = |art: &str, i: usize| NeuerAuftrag {
        idempotenz: format!("{art}:{i}"),
        art: art.into(),
        vorgang_id: None,
        nutzlast: b"{}".to_vec(),
    };
    s.write(|w| {
        // 150 replies due first, then one hand-over to the E-Akte.
        for i in 0..150 {
            w.outbox_einreihen(&auftrag("fitconnect.reply", i), t0)?;
        }
        w.outbox_einreihen(&auftrag("eakte.abgabe", 0), t0 + Duration::seconds(1))
    })
    .unwrap();
    let jetzt = t0 + Duration::minutes(1);
    let nur_abgabe = s
        .read(|r| r.outbox_faellig_arten(jetzt, 100, &["eakte.abgabe"]))
        .unwrap();
    assert_eq!(nur_abgabe.len(), 1, "{nur_abgabe:?}");
    assert_eq!(nur_abgabe[0].art, "eakte.abgabe");
    let zwei = s
        .read(|r| r.outbox_faellig_arten(jetzt, 1000, &["fitconnect.reply", "eakte.abgabe"]))
        .unwrap();
    assert_eq!(zwei.len(), 151);
    assert!(
        s.read(|r| r.outbox_faellig_arten(jetzt, 10, &[]))
            .unwrap()
            .is_empty()
    );
}

fn anlage_schreiben(s: &Store, daten: &[u8]) -> (String, u64) {
    let mut w = s.anlage_schreiber().unwrap();
    for teil in daten.chunks(7_777) {
        w.write_all(teil).unwrap();
    }
    w.abschliessen().unwrap()
}

fn anlage_lesen(s: &Store, sha: &str) -> Vec<u8> {
    let mut out = Vec::new();
    s.anlage_leser(sha).unwrap().read_to_end(&mut out).unwrap();
    out
}

#[test]
fn attachments_stream_round_trip_at_every_chunk_boundary_and_are_addressed_by_sha512() {
    let (_d, s, _) = neuer_store();
    let chunk = store::anlage::CHUNK;
    for groesse in [0, 1, chunk - 1, chunk, chunk + 1, 3 * chunk, 1_000_003] {
        let daten: Vec<u8> = (0..groesse).map(|i| (i * 31 % 251) as u8).collect();
        let (sha, n) = anlage_schreiben(&s, &daten);
        assert_eq!(n as usize, groesse);
        let erwartet = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA512, &daten);
        assert_eq!(sha, hex::encode(erwartet.as_ref()));
        assert_eq!(anlage_lesen(&s, &sha), daten, "size {groesse}");
    }
    // Same content twice: stored once.
    let (a, _) = anlage_schreiben(&s, b"gleich");
    let (b, _) = anlage_schreiben(&s, b"gleich");
    assert_eq!(a, b);
    assert_eq!(anlage_lesen(&s, &a), b"gleich");
    let dateien = std::fs::read_dir(s.db_pfad().parent().unwrap().join("anlagen"))
        .unwrap()
        .count();
    assert_eq!(dateien, 8);
    assert_eq!(s.anlagen_aufraeumen().unwrap(), 0);
}

#[test]
fn an_attachment_whose_hash_differs_from_the_metadata_is_discarded() {
    let (_d, s, _) = neuer_store();
    let mut w = s.anlage_schreiber().unwrap();
    w.write_all(b"Inhalt").unwrap();
    let err = w.abschliessen_mit_pruefung(&"00".repeat(64)).unwrap_err();
    assert!(err.to_string().contains("beschädigt"), "{err}");
    assert!(!s.read(|r| r.anlage_vorhanden(&"00".repeat(64))).unwrap());
    let ordner = s.db_pfad().parent().unwrap().join("anlagen");
    assert_eq!(
        std::fs::read_dir(&ordner).unwrap().count(),
        0,
        "no temporary file left"
    );
    let erwartet =
        hex::encode(aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA512, b"Inhalt").as_ref());
    let mut w = s.anlage_schreiber().unwrap();
    w.write_all(b"Inhalt").unwrap();
    assert_eq!(w.abschliessen_mit_pruefung(&erwartet).unwrap().0, erwartet);
}

#[test]
fn the_store_can_be_shared_between_threads() {
    fn teilbar<T: Send + Sync>() {}
    teilbar::<Store>();
    let (_d, s, _) = neuer_store();
    let s = std::sync::Arc::new(s);
    let faeden: Vec<_> = (0..4)
        .map(|i| {
            let s = s.clone();
            std::thread::spawn(move || {
                for k in 0..10 {
                    let mut v = vorgang(&format!("Faden {i} Fall {k}"), "x", eingang());
                    s.write(|w| w.vorgang_anlegen(&mut v, &vergabe(), "sb"))
                        .unwrap();
                    assert!(s.read(|r| r.vorgang(&v.id)).unwrap().is_some());
                }
            })
        })
        .collect();
    for f in faeden {
        f.join().unwrap();
    }
    assert_eq!(s.read(|r| r.anzahl_vorgaenge()).unwrap(), 40);
    let letzte = s
        .read(|r| r.vorgang_nach_aktenzeichen("32-GEW/2026/00040"))
        .unwrap();
    assert!(letzte.is_some());
}

#[test]
fn a_tampered_or_truncated_attachment_is_refused() {
    let (_d, s, _) = neuer_store();
    let daten = vec![7u8; 200_000];
    let (sha, _) = anlage_schreiben(&s, &daten);
    let pfad = s.db_pfad().parent().unwrap().join("anlagen").join(&sha);
    let original = std::fs::read(&pfad).unwrap();
    let mut kaputt = original.clone();
    kaputt[100_000] ^= 1;
    std::fs::write(&pfad, &kaputt).unwrap();
    let mut out = Vec::new();
    let err = s
        .anlage_leser(&sha)
        .unwrap()
        .read_to_end(&mut out)
        .unwrap_err();
    assert!(err.to_string().contains("beschädigt"), "{err}");
    // Cut at a chunk boundary: the final marker is missing.
    let grenze = 12 + store::anlage::CHUNK + 16;
    std::fs::write(&pfad, &original[..grenze]).unwrap();
    let mut out = Vec::new();
    assert!(s.anlage_leser(&sha).unwrap().read_to_end(&mut out).is_err());
}

#[test]
fn a_case_lists_its_attachments_and_refuses_unknown_ones() {
    let (_d, s, _) = neuer_store();
    let (sha, n) = anlage_schreiben(&s, b"%PDF-1.7 Nachweis");
    let mut v = vorgang("A", "x", eingang());
    v.anlagen.push(AnlageRef {
        sha512: sha.clone(),
        dateiname: "nachweis.pdf".into(),
        mime: "application/pdf".into(),
        groesse: n,
    });
    s.write(|w| w.vorgang_anlegen(&mut v, &vergabe(), "sb"))
        .unwrap();
    let liste = s.read(|r| r.anlagen_fuer_vorgang(&v.id)).unwrap();
    assert_eq!(liste, v.anlagen);
    let mut u = vorgang("B", "x", eingang());
    u.anlagen.push(AnlageRef {
        sha512: "00".repeat(64),
        dateiname: "fehlt.pdf".into(),
        mime: "application/pdf".into(),
        groesse: 1,
    });
    let err = s
        .write(|w| w.vorgang_anlegen(&mut u, &vergabe(), "sb"))
        .unwrap_err();
    assert!(err.to_string().contains("nicht gespeichert"), "{err}");
}

fn einreichung(sid: &str, sha: &str) -> EmpfangeneEinreichung {
    EmpfangeneEinreichung {
        submission_id: sid.into(),
        case_id: "case-1".into(),
        destination_id: "dest-1".into(),
        metadaten_json: r#"{"contentStructure":{}}"#.into(),
        formulardaten: br#"{"antrag":"Gewerbe"}"#.to_vec(),
        schema_uri: "urn:xoev-de:fim:standard:gewerbe".into(),
        mime: "application/json".into(),
        anlagen: vec![EinreichungsAnlage {
            attachment_id: "att-1".into(),
            sha512: sha.into(),
            dateiname: Some("a.pdf".into()),
            mime: "application/pdf".into(),
        }],
    }
}

#[test]
fn a_received_submission_is_stored_with_its_case_in_one_transaction_and_never_twice() {
    let (_d, s, _) = neuer_store();
    let (sha, _) = anlage_schreiben(&s, b"anlage");
    assert_eq!(
        s.write(|w| w.einreichung_empfangen("sub-1", "case-1", "dest-1"))
            .unwrap(),
        Eingangszustand::Received
    );
    let e = einreichung("sub-1", &sha);
    let speichern = |e: &EmpfangeneEinreichung| {
        s.write(|w| {
            if let Some(z) = w.einreichung_zustand(&e.submission_id)?
                && z != Eingangszustand::Received
            {
                return Ok(Speicherergebnis::BereitsGespeichert(z));
            }
            let mut v = vorgang("Antragsteller", "Gewerbe", eingang());
            v.fit_connect = Some(FitConnectIds {
                submission_id: e.submission_id.clone(),
                case_id: e.case_id.clone(),
                destination_id: e.destination_id.clone(),
            });
            w.vorgang_anlegen(&mut v, &vergabe(), "system")?;
            w.einreichung_speichern(e, Some(&v.id))
        })
    };
    assert_eq!(speichern(&e).unwrap(), Speicherergebnis::Gespeichert);
    assert_eq!(
        speichern(&e).unwrap(),
        Speicherergebnis::BereitsGespeichert(Eingangszustand::Stored)
    );
    assert_eq!(s.read(|r| r.anzahl_vorgaenge()).unwrap(), 1);
    let info = s.read(|r| r.einreichung("sub-1")).unwrap().unwrap();
    assert_eq!(
        info.formulardaten.as_deref(),
        Some(&br#"{"antrag":"Gewerbe"}"#[..])
    );
    assert_eq!(info.anlagen[0].sha512, sha);
    assert!(info.vorgang_id.is_some());
    // Intake order: no accept before storage, no reject after accept.
    assert!(
        s.write(|w| w.einreichung_zustand_setzen("sub-1", Eingangszustand::Accepted, None))
            .is_err()
    );
    s.write(|w| w.einreichung_zustand_setzen("sub-1", Eingangszustand::AcceptPending, None))
        .unwrap();
    assert_eq!(
        s.read(|r| r.einreichungen_im_zustand(Eingangszustand::AcceptPending))
            .unwrap(),
        ["sub-1"]
    );
    s.write(|w| w.einreichung_zustand_setzen("sub-1", Eingangszustand::Accepted, None))
        .unwrap();
    let err = s
        .write(|w| w.einreichung_zustand_setzen("sub-1", Eingangszustand::RejectPending, Some("x")))
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("nicht von „accepted“ nach „reject-pending“"),
        "{err}"
    );
    // A submission whose attachment is missing rolls back completely, case included.
    let kaputt = einreichung("sub-2", &"ab".repeat(64));
    assert!(speichern(&kaputt).is_err());
    assert_eq!(s.read(|r| r.anzahl_vorgaenge()).unwrap(), 1);
    assert_eq!(s.read(|r| r.einreichung_zustand("sub-2")).unwrap(), None);
    // A received submission that cannot be decrypted goes to reject-pending directly.
    s.write(|w| w.einreichung_empfangen("sub-3", "case-3", "dest-1"))
        .unwrap();
    s.write(|w| {
        w.einreichung_zustand_setzen(
            "sub-3",
            Eingangszustand::RejectPending,
            Some("Entschlüsselung fehlgeschlagen"),
        )
    })
    .unwrap();
    let info = s.read(|r| r.einreichung("sub-3")).unwrap().unwrap();
    assert_eq!(
        info.letzter_fehler.as_deref(),
        Some("Entschlüsselung fehlgeschlagen")
    );
}

#[cfg(unix)]
#[test]
fn a_key_file_must_be_owner_only_and_a_lost_key_is_never_replaced() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let profil = dir.path().join("p");
    let datei = dir.path().join("schluessel");
    let quelle = Schluesselquelle::Datei(datei.clone());
    {
        let s = Store::open_profil(&profil, &quelle).unwrap();
        s.write(|w| w.vorgang_anlegen(&mut vorgang("A", "x", eingang()), &vergabe(), "sb"))
            .unwrap();
    }
    let mode = std::fs::metadata(&datei).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    assert_eq!(std::fs::read_to_string(&datei).unwrap().trim().len(), 64);
    let s = Store::open_profil(&profil, &quelle).unwrap();
    assert_eq!(s.read(|r| r.anzahl_vorgaenge()).unwrap(), 1);
    drop(s);
    std::fs::set_permissions(&datei, std::fs::Permissions::from_mode(0o644)).unwrap();
    let err = Store::open_profil(&profil, &quelle).unwrap_err();
    assert!(err.to_string().contains("chmod 600"), "{err}");
    std::fs::set_permissions(&datei, std::fs::Permissions::from_mode(0o600)).unwrap();
    std::fs::remove_file(&datei).unwrap();
    let err = Store::open_profil(&profil, &quelle).unwrap_err();
    assert!(matches!(err, StoreError::SchluesselFehlt { .. }), "{err:?}");
    assert!(!datei.exists(), "no new key for an existing database");
    // An administrator's hex key file works.
    let d2 = dir.path().join("admin.key");
    std::fs::write(&d2, format!("{}\n", "ab".repeat(32))).unwrap();
    std::fs::set_permissions(&d2, std::fs::Permissions::from_mode(0o400)).unwrap();
    Store::open_profil(&dir.path().join("p2"), &Schluesselquelle::Datei(d2)).unwrap();
}

#[test]
fn the_message_without_a_key_source_names_the_options() {
    let e = StoreError::KeinSchluesselspeicher {
        grund: "kein Secret Service".into(),
    };
    let t = e.to_string();
    assert!(
        t.contains("Anmeldeinformationsverwaltung")
            && t.contains("Secret Service")
            && t.contains("AMTSSTUBE_KEY_FILE")
            && t.contains("unverschlüsselt"),
        "{t}"
    );
}

#[test]
fn rekeying_moves_the_database_to_the_new_key_and_an_interrupted_rekey_recovers() {
    let dir = tempfile::tempdir().unwrap();
    let profil = dir.path().join("p");
    let quelle = Schluesselquelle::Datei(dir.path().join("k"));
    let mut s = Store::open_profil(&profil, &quelle).unwrap();
    let mut v = vorgang("Rekey", "x", eingang());
    s.write(|w| w.vorgang_anlegen(&mut v, &vergabe(), "sb"))
        .unwrap();
    let alt = quelle.laden().unwrap().unwrap();
    let neu = Schluessel::zufaellig().unwrap();
    s.rekey(&quelle, &neu).unwrap();
    s.write(|w| w.vorgang_oeffnen(&v.id, "sb")).unwrap();
    drop(s);
    assert_eq!(quelle.laden().unwrap().unwrap(), neu);
    assert!(matches!(
        Store::open(&profil, &alt),
        Err(StoreError::FalscherSchluessel { .. })
    ));
    let s = Store::open_profil(&profil, &quelle).unwrap();
    assert!(s.integritaet_pruefen().unwrap().is_empty());
    assert!(s.read(|r| r.vorgang(&v.id)).unwrap().is_some());
    drop(s);
    // Interrupted after the database changed, before the key source did.
    let neuer = Schluessel::zufaellig().unwrap();
    quelle.ausstehend().speichern(&neuer).unwrap();
    let conn = store::verbindung::oeffnen(&profil.join(store::DB_DATEI), &neu).unwrap();
    store::verbindung::rekey(&conn, &neuer).unwrap();
    drop(conn);
    let s = Store::open_profil(&profil, &quelle).unwrap();
    assert!(s.read(|r| r.vorgang(&v.id)).unwrap().is_some());
    assert_eq!(quelle.laden().unwrap().unwrap(), neuer);
    assert_eq!(quelle.ausstehend().laden().unwrap(), None);
}

mod gapfree {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(16))]

        /// Whatever mix of committed and rolled-back inserts, across two years, the committed
        /// cases carry exactly the numbers 1..=n of their year, each once.
        #[test]
        fn aktenzeichen_stay_gap_free_under_any_mix_of_commits_and_rollbacks(
            schritte in proptest::collection::vec((any::<bool>(), any::<bool>(), 1usize..4), 1..12)
        ) {
            let (_d, s, _) = neuer_store();
            let mut erwartet = [0u64; 2];
            for (commit, folgejahr, anzahl) in schritte {
                let jahr = usize::from(folgejahr);
                let r: Result<(), StoreError> = s.write(|w| {
                    for _ in 0..anzahl {
                        let t = if folgejahr { datetime!(2027-01-05 10:00 +01:00) } else { eingang() };
                        w.vorgang_anlegen(&mut vorgang("P", "x", t), &vergabe(), "sb")?;
                    }
                    if commit { Ok(()) } else { Err(StoreError::Unzulaessig("zurück".into())) }
                });
                prop_assert_eq!(r.is_ok(), commit);
                if commit {
                    erwartet[jahr] += anzahl as u64;
                }
            }
            for (i, jahr) in [2026, 2027].into_iter().enumerate() {
                for nr in 1..=erwartet[i] {
                    let az = format!("32-GEW/{jahr}/{nr:05}");
                    prop_assert!(s.read(|r| r.vorgang_nach_aktenzeichen(&az)).unwrap().is_some(), "{} fehlt", az);
                }
                let danach = format!("32-GEW/{jahr}/{:05}", erwartet[i] + 1);
                prop_assert!(s.read(|r| r.vorgang_nach_aktenzeichen(&danach)).unwrap().is_none());
            }
            prop_assert_eq!(s.read(|r| r.anzahl_vorgaenge()).unwrap(), erwartet[0] + erwartet[1]);
        }
    }
}

#[test]
fn a_status_change_the_status_machine_does_not_produce_is_refused_and_nothing_changes() {
    let (_d, s, _k) = neuer_store();
    let mut v = vorgang("Erika Muster", "Kiosk", eingang());
    s.write(|w| w.vorgang_anlegen(&mut v, &vergabe(), "import"))
        .unwrap();
    // Neu → Beschieden skips the examination and the approval.
    let mut falsch = v.clone();
    falsch.status = Status::Beschieden;
    let e = s
        .write(|w| w.vorgang_speichern(&falsch, "mallory", "status: neu → beschieden"))
        .unwrap_err();
    assert!(
        e.to_string().contains("sieht die Bearbeitung nicht vor"),
        "{e}"
    );
    let gelesen = s.read(|r| r.vorgang(&v.id)).unwrap().unwrap();
    assert_eq!(gelesen.status, Status::Neu);
    // A change along a row of the machine is taken.
    let mut richtig = v.clone();
    richtig.status = Status::InPruefung;
    s.write(|w| w.vorgang_speichern(&richtig, "sb", "status: neu → in_pruefung"))
        .unwrap();
    assert_eq!(
        s.read(|r| r.vorgang(&v.id)).unwrap().unwrap().status,
        Status::InPruefung
    );
}
