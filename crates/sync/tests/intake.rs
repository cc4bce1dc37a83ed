#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! One sync pass over real HTTP against the in-process simulator: applications become cases,
//! each accepted exactly once; defective ones are rejected with the right problem type.

mod common;

use common::*;
use domain::Eingangszustand;
use fitconnect::set::EventType;
use simulator::applicant::{Hostile, send_hostile};
use sync::Fortschritt;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_pass_stores_every_application_accepts_each_once_and_a_second_pass_does_nothing() {
    const N: usize = 12;
    let u = umgebung(N as u64, 7).await;
    let gelistet = u.abholliste().await;
    assert_eq!(gelistet.len(), N);

    let engine = u.engine();
    let p = Protokoll::default();
    let b = engine.durchlauf(&p.melden()).await.unwrap();
    assert_eq!(b.gelistet, N, "{b:?}");
    assert_eq!(b.gespeichert, N, "{b:?}");
    assert_eq!(b.angenommen, N, "{b:?}");
    assert!(b.fehler.is_empty(), "{:?}", b.fehler);
    assert!(b.ruhig(), "{b:?}");

    // Progress: found N, fetching 1..N, N stored, N confirmed.
    let ereignisse = p.0.lock().unwrap().clone();
    assert!(ereignisse.contains(&Fortschritt::Gefunden {
        gelistet: N,
        neu: N
    }));
    let abrufe: Vec<usize> = ereignisse
        .iter()
        .filter_map(|e| match e {
            Fortschritt::Abruf { nr, von, .. } => {
                assert_eq!(*von, N);
                Some(*nr)
            }
            _ => None,
        })
        .collect();
    assert_eq!(abrufe.len(), N);
    let gespeichert = ereignisse
        .iter()
        .filter(|e| matches!(e, Fortschritt::Gespeichert { .. }))
        .count();
    assert_eq!(gespeichert, N);

    let store = engine.store();
    assert_eq!(store.read(|r| r.anzahl_vorgaenge()).unwrap(), N as u64);
    let z = zustaende(store);
    assert_eq!(z.len(), N);
    for (sid, (state, case_id)) in &z {
        assert_eq!(*state, Eingangszustand::Accepted, "{sid}");
        assert_eq!(
            u.eigene(sid, case_id, EventType::AcceptSubmission)
                .await
                .len(),
            1,
            "{sid} must be accepted exactly once"
        );
        // The case carries the submission's content and ids.
        let info = store.read(|r| r.einreichung(sid)).unwrap().unwrap();
        let vid: uuid::Uuid = info.vorgang_id.unwrap().parse().unwrap();
        let v = store
            .read(|r| r.vorgang(&domain::VorgangId(vid)))
            .unwrap()
            .unwrap();
        assert_eq!(v.fit_connect.as_ref().unwrap().submission_id, *sid);
        assert!(!v.anlagen.is_empty());
        assert!(!v.antragsteller.name.is_empty());
        assert!(v.aktenzeichen.is_some());
        // The Frist follows from the Leistung's statutory processing time.
        let katalog = sync::demo_fristen();
        assert_eq!(
            v.frist,
            Some(katalog.frist(&v.leistung.leika, v.eingang.date())),
            "{sid}: Frist of {}",
            v.leistung.leika
        );
        assert!(v.frist.unwrap() > v.eingang.date());
        for a in &v.anlagen {
            let mut leser = store.anlage_leser(&a.sha512).unwrap();
            let mut inhalt = Vec::new();
            std::io::Read::read_to_end(&mut leser, &mut inhalt).unwrap();
            assert_eq!(inhalt.len() as u64, a.groesse);
        }
    }
    assert!(u.abholliste().await.is_empty());

    // Second pass: nothing listed, nothing done, nothing changed.
    let audit_vorher = store.read(|r| r.audit_pruefen()).unwrap();
    let b2 = engine.durchlauf(&still).await.unwrap();
    assert_eq!(
        (b2.gelistet, b2.neu, b2.gespeichert, b2.angenommen),
        (0, 0, 0, 0)
    );
    assert_eq!(store.read(|r| r.anzahl_vorgaenge()).unwrap(), N as u64);
    let audit_nachher = store.read(|r| r.audit_pruefen()).unwrap();
    assert_eq!(audit_vorher.eintraege, audit_nachher.eintraege);
    assert!(audit_nachher.intakt());
}

/// A stored attachment name that is safe on every OS and shows what it is.
fn dateiname_ist_sicher(n: &str) -> bool {
    let stamm = n.split('.').next().unwrap_or_default().to_ascii_uppercase();
    let reserviert = ["CON", "PRN", "AUX", "NUL"].contains(&stamm.as_str())
        || ((stamm.starts_with("COM") || stamm.starts_with("LPT"))
            && stamm.len() == 4
            && stamm.as_bytes()[3].is_ascii_digit());
    !n.is_empty()
        && n.chars().count() <= 150
        && !n.starts_with('.')
        && !n.contains(['/', '\\', '<', '>', ':', '"', '|', '?', '*'])
        && !n.chars().any(|c| {
            c.is_control()
                || ('\u{202A}'..='\u{202E}').contains(&c)
                || ('\u{2066}'..='\u{2069}').contains(&c)
        })
        && !reserviert
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_kind_of_hostile_submission_gets_its_problem_type_and_nothing_half_written_stays() {
    use simulator::applicant::{
        HOSTILE_FILE_NAMES, HOSTILE_LIMIT_PER_ATTACHMENT, HOSTILE_LIMIT_TOTAL, SCRIPT_FIELDS,
    };
    let u = umgebung(0, 11).await;
    let sender = u.sim.info().sender_client().unwrap();
    let dest = u.sim.info().destination_id.clone();
    let mut gesendet = Vec::new();
    for kind in Hostile::ALL {
        let s = send_hostile(&sender, &dest, kind, 11).await.unwrap();
        gesendet.push((kind, s.submission_id, s.case_id));
    }
    let ablehnungsarten = Hostile::ALL
        .iter()
        .filter(|k| k.expected_problem().is_some())
        .count();
    assert!(
        ablehnungsarten >= 30,
        "{ablehnungsarten} kinds of rejection"
    );

    let engine = u.engine_mit(sync::Konfiguration {
        max_bytes_je_anlage: HOSTILE_LIMIT_PER_ATTACHMENT,
        max_bytes_je_einreichung: HOSTILE_LIMIT_TOTAL,
        ..schnell()
    });
    let b = engine.durchlauf(&still).await.unwrap();
    assert!(b.alles_erledigt(), "{b:?}");
    assert!(b.ruhig(), "{b:?}");
    let store = engine.store();
    assert_eq!(b.abgelehnt, ablehnungsarten, "{b:?}");
    assert_eq!(b.ablehnungen_zugestellt, ablehnungsarten, "{b:?}");
    assert_eq!(b.gespeichert, Hostile::ALL.len() - ablehnungsarten, "{b:?}");

    let mut abgelehnt = std::collections::BTreeSet::new();
    let mut gueltige_anlagen = std::collections::BTreeSet::new();
    for (kind, sid, case_id) in &gesendet {
        let info = store.read(|r| r.einreichung(sid)).unwrap().unwrap();
        match kind.expected_problem() {
            Some(problem) => {
                abgelehnt.insert(sid.clone());
                assert_eq!(info.zustand, Eingangszustand::Rejected, "{kind:?}");
                // Nothing of it became a case or stored content.
                assert!(info.vorgang_id.is_none(), "{kind:?}");
                assert!(info.metadaten_json.is_none(), "{kind:?}");
                assert!(info.formulardaten.is_none(), "{kind:?}");
                assert!(info.anlagen.is_empty(), "{kind:?}");
                // The reason names the problem type and says in German what is wrong.
                let grund = info.letzter_fehler.unwrap();
                assert!(grund.contains(problem.name()), "{kind:?}: {grund}");
                assert!(grund.contains(problem.title()), "{kind:?}: {grund}");
                let erwartet_im_grund = match kind {
                    Hostile::OversizedAttachment => Some("ist zu groß"),
                    Hostile::OversizedTotal => Some("Fachdaten und Anlagen zusammen"),
                    Hostile::MimeMismatch => Some("als application/pdf angekündigt"),
                    Hostile::DuplicateAttachmentIds => Some("mehrfach"),
                    Hostile::ExtraAttachment => Some("nicht in den Metadaten"),
                    Hostile::DataMissing => Some("keine"),
                    _ => None,
                };
                if let Some(t) = erwartet_im_grund {
                    assert!(grund.contains(t), "{kind:?}: {grund}");
                }
                let rejects = u.eigene(sid, case_id, EventType::RejectSubmission).await;
                assert_eq!(rejects.len(), 1, "{kind:?}");
                let probleme = rejects[0].problems();
                assert_eq!(
                    probleme[0].type_,
                    format!("{}{}", fitconnect::set::PROBLEM_PREFIX, problem.name()),
                    "{kind:?}"
                );
                assert!(
                    u.eigene(sid, case_id, EventType::AcceptSubmission)
                        .await
                        .is_empty()
                );
            }
            None => {
                assert_eq!(info.zustand, Eingangszustand::Accepted, "{kind:?}");
                assert_eq!(
                    u.eigene(sid, case_id, EventType::AcceptSubmission)
                        .await
                        .len(),
                    1
                );
                let vid: uuid::Uuid = info.vorgang_id.unwrap().parse().unwrap();
                let v = store
                    .read(|r| r.vorgang(&domain::VorgangId(vid)))
                    .unwrap()
                    .unwrap();
                gueltige_anlagen.extend(v.anlagen.iter().map(|a| a.sha512.clone()));
                for a in &v.anlagen {
                    assert!(
                        dateiname_ist_sicher(&a.dateiname),
                        "{kind:?}: {:?}",
                        a.dateiname
                    );
                }
                match kind {
                    Hostile::HostileFileNames => {
                        // Every hostile name arrived, under a safe name (+ the long one).
                        assert!(
                            v.anlagen.len() > HOSTILE_FILE_NAMES.len(),
                            "{:?}",
                            v.anlagen
                        );
                        let namen: Vec<&str> =
                            v.anlagen.iter().map(|a| a.dateiname.as_str()).collect();
                        for erwartet in ["passwd", "hosts", "shadow", "win.ini", "_CON.pdf"] {
                            assert!(namen.contains(&erwartet), "{erwartet}: {namen:?}");
                        }
                        assert!(namen.contains(&"rechnungfdp.exe"), "{namen:?}");
                        assert!(namen.iter().any(|n| n.chars().count() == 150));
                        // The original names stay in the stored metadata, for the record.
                        let meta = info.metadaten_json.unwrap();
                        assert!(meta.contains("../../../../etc/passwd"), "{meta}");
                    }
                    Hostile::ScriptInFields => {
                        // Stored verbatim as text; the case shows it as the applicant's name.
                        let daten: serde_json::Value =
                            serde_json::from_str(&v.formulardaten.inhalt).unwrap();
                        for (feld, wert) in SCRIPT_FIELDS {
                            assert_eq!(daten["antragsteller"][feld], wert, "{feld}");
                        }
                        assert!(
                            v.antragsteller
                                .name
                                .contains("<script>alert('Amtsstube')</script>"),
                            "{}",
                            v.antragsteller.name
                        );
                    }
                    Hostile::LargeAttachment => {
                        assert!(v.anlagen.iter().any(|a| a.groesse > 12 * 1024 * 1024));
                    }
                    Hostile::UnknownSchemaUri => {
                        assert!(v.formulardaten.schema_uri.contains("unbekannt"));
                    }
                    _ => {}
                }
            }
        }
    }
    // The evidence of each rejection is in the audit log, which is intact.
    let audit = store.read(|r| r.audit_pruefen()).unwrap();
    assert!(audit.intakt());
    // The attachment store holds the accepted cases' attachments and one encrypted piece of
    // evidence per rejection — nothing of a rejected submission's attachments, no temporary
    // file.
    let mut belege = std::collections::BTreeSet::new();
    for e in std::fs::read_dir(u.profil().join(store::ANLAGEN_ORDNER)).unwrap() {
        let e = e.unwrap();
        let name = e.file_name().to_string_lossy().into_owned();
        assert!(!name.ends_with(".part"), "temporary file left: {name}");
        if gueltige_anlagen.contains(&name) {
            continue;
        }
        let mut inhalt = Vec::new();
        std::io::Read::read_to_end(&mut store.anlage_leser(&name).unwrap(), &mut inhalt).unwrap();
        let beleg: serde_json::Value = serde_json::from_slice(&inhalt)
            .unwrap_or_else(|_| panic!("{name} is neither an accepted attachment nor evidence"));
        let sid = beleg["submission"]["submissionId"]
            .as_str()
            .unwrap()
            .to_owned();
        assert!(
            abgelehnt.contains(&sid),
            "evidence of {sid}, which was not rejected"
        );
        let roh = std::fs::read(e.path()).unwrap();
        assert!(
            !roh.windows(sid.len()).any(|w| w == sid.as_bytes()),
            "evidence is stored encrypted"
        );
        assert!(belege.insert(sid));
    }
    assert_eq!(belege, abgelehnt, "one piece of evidence per rejection");
    assert!(u.abholliste().await.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_attachment_whose_length_hides_its_size_is_stopped_while_streaming_and_leaves_nothing() {
    let u = umgebung(0, 13).await;
    let sender = u.sim.info().sender_client().unwrap();
    let dest = u.sim.info().destination_id.clone();
    let mut app = simulator::applicant::application(13, 0).unwrap();
    const GROSS: usize = 9 * 1024 * 1024; // above the client's streaming threshold
    app.outgoing
        .attachments
        .push(fitconnect::sender::OutgoingAttachment {
            id: uuid::Uuid::new_v4().to_string(),
            filename: "Plan.pdf".into(),
            mime_type: "application/pdf".into(),
            purpose: "attachment".into(),
            description: None,
            content: simulator::documents::pdf("Plan", &[], GROSS),
        });
    let created = sender.send_application(&dest, &app.outgoing).await.unwrap();
    // Just below the attachment's size: its download length does not prove it too large
    // (the bound allows for the largest JWE header), so only the stream can stop it.
    let grenze = GROSS as u64 - 10_000;
    let engine = u.engine_mit(sync::Konfiguration {
        max_bytes_je_anlage: grenze,
        ..schnell()
    });
    let b = engine.durchlauf(&still).await.unwrap();
    assert_eq!((b.abgelehnt, b.gespeichert), (1, 0), "{b:?}");
    let info = engine
        .store()
        .read(|r| r.einreichung(&created.submission_id))
        .unwrap()
        .unwrap();
    assert_eq!(info.zustand, Eingangszustand::Rejected);
    let grund = info.letzter_fehler.unwrap();
    assert!(grund.contains("attachment-mismatch"), "{grund}");
    assert!(
        grund.contains(&format!("höchstens {grenze} Byte")),
        "{grund}"
    );
    // Only the encrypted evidence is in the attachment store.
    let dateien: Vec<_> = std::fs::read_dir(u.profil().join(store::ANLAGEN_ORDNER))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(dateien.len(), 1, "{dateien:?}");
    assert!(!dateien[0].ends_with(".part"));
}
