#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! A reject event is read by the Zustelldienst in plaintext: it names the problem type and a
//! neutral pointer (the JSON pointer of the field, the attachment id), never a value the
//! applicant entered, a file name or a MIME type. The local record keeps the full finding.

mod common;

use common::*;
use domain::Eingangszustand;
use fitconnect::sender::{Outgoing, OutgoingAttachment};
use serde_json::{Value, json};

const MARKE_WERT: &str = "PLZ-MARKE-4711";
const MARKE_SCHLUESSEL: &str = "feld_marke_4711";
const MARKE_DATEI: &str = "Datei-Marke-4711.pdf";
const MARKE_MIME: &str = "mime-marke-4711";
const MARKE_SCHEMA: &str = "schema-marke-4711";
const MARKEN: [&str; 5] = [
    MARKE_WERT,
    MARKE_SCHLUESSEL,
    "Datei-Marke-4711",
    MARKE_MIME,
    MARKE_SCHEMA,
];

fn antrag(index: u64) -> Outgoing {
    simulator::applicant::application(31, index)
        .unwrap()
        .outgoing
}

/// The reject events of a case, each decoded as the service reads it (header and payload).
async fn ablehnungen_im_klartext(u: &Umgebung, case_id: &str) -> Vec<String> {
    let c = u.sim.info().subscriber_client().unwrap();
    c.case_events(case_id)
        .await
        .unwrap()
        .iter()
        .map(|token| {
            let teile: Vec<&str> = token.split('.').collect();
            let kopf = fitconnect::jose::unb64(teile[0], "header").unwrap();
            let inhalt = fitconnect::jose::unb64(teile[1], "payload").unwrap();
            format!(
                "{}\n{}",
                String::from_utf8(kopf).unwrap(),
                String::from_utf8(inhalt).unwrap()
            )
        })
        .filter(|t| t.contains("reject-submission"))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reject_event_carries_no_value_file_name_or_mime_type_of_the_applicant() {
    let u = umgebung(0, 31).await;
    let sender = u.sim.info().sender_client().unwrap();
    let dest = u.sim.info().destination_id.clone();
    let key = sender.current_encryption_key(&dest).await.unwrap();

    // 1. Form data violating their schema: a marker value in a field with a pattern, and a
    //    field the schema does not allow whose name is a marker.
    let mut a = antrag(0);
    let mut daten: Value = serde_json::from_slice(&a.data).unwrap();
    *daten.pointer_mut("/antragsteller/anschrift/plz").unwrap() = json!(MARKE_WERT);
    daten[MARKE_SCHLUESSEL] = json!("zusätzlich");
    a.data = serde_json::to_vec(&daten).unwrap();
    a.attachments[0].filename = MARKE_DATEI.into();
    let daten_verletzt = fitconnect::sender::seal(&dest, &key, &a).unwrap();

    // 2. An attachment with a marker file name that is announced as PDF and is none.
    let mut b = antrag(1);
    b.attachments = vec![OutgoingAttachment {
        id: "0f3c8a4e-6d1b-4b8e-9a55-3c2d1e0f4711".into(),
        filename: MARKE_DATEI.into(),
        mime_type: "application/pdf".into(),
        purpose: "attachment".into(),
        description: None,
        content: b"kein PDF, nur Text".to_vec(),
    }];
    let falscher_inhalt = fitconnect::sender::seal(&dest, &key, &b).unwrap();

    // 3. Metadata violating their schema: a marker MIME type (pattern) next to a marker file name.
    let c = antrag(2);
    let mut m = fitconnect::sender::metadata_for(&c);
    m["contentStructure"]["attachments"][0]["mimeType"] = json!(MARKE_MIME);
    m["contentStructure"]["attachments"][0]["filename"] = json!(MARKE_DATEI);
    let metadaten_verletzt = fitconnect::sender::seal_metadata(&dest, &key, &c, m).unwrap();

    // 4. Metadata naming an unknown schema whose URI carries a marker.
    let d = antrag(3);
    let mut m = fitconnect::sender::metadata_for(&d);
    m["$schema"] = json!(format!(
        "https://schema.fitko.de/fit-connect/metadata/9.0.0/{MARKE_SCHEMA}.json"
    ));
    let schema_unbekannt = fitconnect::sender::seal_metadata(&dest, &key, &d, m).unwrap();

    let mut gesendet = Vec::new();
    for (wie, s) in [
        ("Fachdaten", &daten_verletzt),
        ("Anlageninhalt", &falscher_inhalt),
        ("Metadaten", &metadaten_verletzt),
        ("Schema", &schema_unbekannt),
    ] {
        let created = sender.send_sealed(s).await.unwrap();
        gesendet.push((wie, created.submission_id, created.case_id));
    }

    let engine = u.engine();
    let b = engine.durchlauf(&still).await.unwrap();
    assert_eq!(b.abgelehnt, 4, "{b:?}");
    assert_eq!(b.ablehnungen_zugestellt, 4, "{b:?}");

    let store = engine.store();
    for (wie, sid, case_id) in &gesendet {
        let ereignisse = ablehnungen_im_klartext(&u, case_id).await;
        assert_eq!(ereignisse.len(), 1, "{wie}");
        let klartext = &ereignisse[0];
        for marke in MARKEN {
            assert!(
                !klartext.contains(marke),
                "{wie}: {marke} steht im Ablehnungsereignis: {klartext}"
            );
        }
        // The neutral pointer is there: the field's JSON pointer, the attachment's id.
        let erwartet = match *wie {
            "Fachdaten" => "/antragsteller/anschrift/plz",
            "Anlageninhalt" => "0f3c8a4e-6d1b-4b8e-9a55-3c2d1e0f4711",
            "Metadaten" => "/contentStructure/attachments/0/mimeType",
            _ => "/$schema",
        };
        assert!(klartext.contains(erwartet), "{wie}: {klartext}");

        // Locally (encrypted at rest) the finding is kept in full for the caseworker.
        let info = store.read(|r| r.einreichung(sid)).unwrap().unwrap();
        assert_eq!(info.zustand, Eingangszustand::Rejected, "{wie}");
        let grund = info.letzter_fehler.unwrap();
        let lokal = match *wie {
            "Fachdaten" => MARKE_WERT,
            "Anlageninhalt" => MARKE_DATEI,
            "Metadaten" => MARKE_MIME,
            _ => MARKE_SCHEMA,
        };
        assert!(grund.contains(lokal), "{wie}: {grund}");
    }
}
