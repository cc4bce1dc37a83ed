#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! A second authority (another Land, another Aktenzeichen pattern, other Leistungen) runs the
//! same engine on its own configuration: its cases get its Aktenzeichen and Fristen, its form
//! schemas decide what is valid, and nothing of the demo municipality appears.

mod common;

use std::sync::Arc;

use behoerde::Behoerde;
use common::*;
use domain::Eingangszustand;
use fitconnect::model::ServiceType;
use fitconnect::sender::{Outgoing, OutgoingAttachment};
use simulator::{SimConfig, Simulator};
use store::{Schluessel, Store};
use sync::{Engine, Konfiguration};

const LEIKA: &str = "99001001000000";
const SCHEMA: &str = "urn:beispielhausen:fischereischein:1";

/// The second authority of the configuration tests (Bayern, „{Kürzel}.{Amt}-{Nr:04}/{Jahr}“).
const KONFIGURATION: &str = include_str!("../../behoerde/tests/zweite_behoerde.toml");

fn zweite_behoerde() -> Behoerde {
    let schema = |id: &str, required: serde_json::Value| {
        serde_json::json!({
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "$id": id,
            "title": "Formular",
            "type": "object",
            "required": required,
            "properties": {
                "antragsteller": {"type": "object", "required": ["vorname", "familienname"]},
                "pruefungsnummer": {"type": "string", "pattern": "^FP-[0-9]{6}$"}
            }
        })
        .to_string()
    };
    Behoerde::aus_text(KONFIGURATION, "zweite_behoerde.toml", &|name| match name {
        "fischereischein.schema.json" => Ok(schema(
            SCHEMA,
            serde_json::json!(["antragsteller", "pruefungsnummer"]),
        )),
        "plakat.schema.json" => Ok(schema(
            "urn:beispielhausen:plakat:1",
            serde_json::json!(["antragsteller"]),
        )),
        other => Err(format!("{other} fehlt")),
    })
    .unwrap()
}

fn antrag(leika: &str, name: &str, schema_uri: &str, daten: serde_json::Value) -> Outgoing {
    Outgoing {
        service_type: ServiceType {
            name: Some(name.into()),
            description: None,
            identifier: format!("urn:de:fim:leika:leistung:{leika}"),
        },
        data: serde_json::to_vec(&daten).unwrap(),
        schema_uri: schema_uri.into(),
        attachments: vec![OutgoingAttachment {
            id: uuid::Uuid::new_v4().to_string(),
            filename: "Pruefungszeugnis.pdf".into(),
            mime_type: "application/pdf".into(),
            purpose: "attachment".into(),
            description: None,
            content: simulator::documents::pdf("Zeugnis", &[], 2_000),
        }],
        reply_key: None,
        sender_reference: None,
        application_date: None,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_authority_gets_its_own_aktenzeichen_fristen_and_form_checks() {
    let b = zweite_behoerde();
    let k = keys();
    // Its destination offers its Leistung, and (misconfigured) one it has not configured.
    let sim = Simulator::start(SimConfig {
        seed: 41,
        destination_keys: Some((k.encryption.public_jwk().unwrap(), k.signing.public_jwk())),
        angebot: vec![
            (LEIKA.into(), vec![SCHEMA.into()]),
            (
                "99108008001000".into(),
                vec!["urn:amtsstube:demo:schema:hundesteuer:1.0.0".into()],
            ),
        ],
        ..Default::default()
    })
    .await
    .unwrap();
    let dest = sim.info().destination_id.clone();
    let sender = sim.info().sender_client().unwrap();
    let person = serde_json::json!({"vorname": "Korbinian", "familienname": "Huber"});
    // Its own Leistung, valid; the same, violating its schema; and one it does not offer.
    let gueltig = antrag(
        LEIKA,
        "Fischereischein – Erteilung",
        SCHEMA,
        serde_json::json!({"antragsteller": person, "pruefungsnummer": "FP-123456"}),
    );
    let ungueltig = antrag(
        LEIKA,
        "Fischereischein – Erteilung",
        SCHEMA,
        serde_json::json!({"antragsteller": person, "pruefungsnummer": "123"}),
    );
    let fremd = antrag(
        "99108008001000",
        "Hundesteuer – Anmeldung",
        "urn:amtsstube:demo:schema:hundesteuer:1.0.0",
        serde_json::json!({"antragsteller": person}),
    );
    let sid_gueltig = sender
        .send_application(&dest, &gueltig)
        .await
        .unwrap()
        .submission_id;
    let sid_ungueltig = sender
        .send_application(&dest, &ungueltig)
        .await
        .unwrap()
        .submission_id;
    let sid_fremd = sender
        .send_application(&dest, &fremd)
        .await
        .unwrap()
        .submission_id;

    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(Store::open(dir.path(), &Schluessel::zufaellig().unwrap()).unwrap());
    let forms = sync::formularschemas(&b);
    let engine = Engine::new(
        Arc::clone(&store),
        sim.info().subscriber_client().unwrap(),
        keys(),
        dest.clone(),
        forms,
        Konfiguration {
            backoff: schnell().backoff,
            ..Konfiguration::fuer_behoerde(&b)
        },
    );
    let bericht = engine.durchlauf(&|_| {}).await.unwrap();
    assert_eq!(bericht.gespeichert, 2, "{bericht:?}");
    assert_eq!(bericht.abgelehnt, 1, "{bericht:?}");

    let z = zustaende(&store);
    assert_eq!(
        z[&sid_ungueltig].0,
        Eingangszustand::Rejected,
        "its schema decides"
    );
    let jahr = time::OffsetDateTime::now_utc().year();
    let katalog = b.fristenkatalog();
    let mut aktenzeichen = Vec::new();
    for sid in [&sid_gueltig, &sid_fremd] {
        assert_eq!(z[sid].0, Eingangszustand::Accepted, "{sid}");
        let info = store.read(|r| r.einreichung(sid)).unwrap().unwrap();
        let vid = domain::VorgangId(info.vorgang_id.unwrap().parse().unwrap());
        let v = store.read(|r| r.vorgang(&vid)).unwrap().unwrap();
        let az = v.aktenzeichen.clone().unwrap().0;
        // Its pattern, not the demo's „32-EIN/…“.
        assert!(
            az.starts_with("BH.OA-") && az.ends_with(&format!("/{jahr}")),
            "{az}"
        );
        assert!(!az.contains("EIN") && !az.starts_with("32"), "{az}");
        // Its Fristen with the holidays of Bayern: 10 Arbeitstage for its Leistung, its
        // standard of 6 Wochen for one it does not offer (the demo would give 1 Monat).
        assert_eq!(
            v.frist,
            Some(katalog.frist(&v.leistung.leika, v.eingang.date())),
            "{az}"
        );
        let erwartet = if v.leistung.leika == LEIKA {
            domain::Fristregel::Arbeitstage(10)
        } else {
            domain::Fristregel::Wochen(6)
        };
        assert_eq!(
            v.frist,
            Some(erwartet.frist_ab(v.eingang.date(), domain::Bundesland::BY))
        );
        aktenzeichen.push(az);
    }
    aktenzeichen.sort();
    assert_eq!(
        aktenzeichen,
        [format!("BH.OA-0001/{jahr}"), format!("BH.OA-0002/{jahr}")]
    );
}
