#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! The simulator restarted on the same state file (Demo-Modus after an app restart): the
//! simulated applicants still read replies in their old cases, the service still knows what
//! was accepted, and what an applicant received lies decrypted in their Postfach.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use fitconnect::Client;
use fitconnect::client::MemorySink;
use fitconnect::jose::{EncryptionKeyPair, SigningKeyPair};
use fitconnect::reply::OutgoingReply;
use fitconnect::sender::OutgoingAttachment;
use fitconnect::set::EventType;
use simulator::{SimConfig, SimHandle, Simulator};

/// The seed of the applications sent in these tests (seed 5 has reply channels early on).
const ANTRAEGE: u64 = 5;

fn profil() -> &'static (EncryptionKeyPair, SigningKeyPair) {
    static K: OnceLock<(EncryptionKeyPair, SigningKeyPair)> = OnceLock::new();
    K.get_or_init(|| {
        (
            EncryptionKeyPair::generate("neustart-enc-0001").unwrap(),
            SigningKeyPair::generate("neustart-sig-0001").unwrap(),
        )
    })
}

/// A directory of its own under cargo's scratch directory for integration tests (the data
/// are synthetic), removed at the end.
struct Ordner(PathBuf);

impl Ordner {
    fn neu() -> Self {
        let p = Path::new(env!("CARGO_TARGET_TMPDIR"))
            .join(format!("sim-neustart-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&p).unwrap();
        Ordner(p)
    }
    fn zustand(&self) -> PathBuf {
        self.0.join("demo").join("simulator.json")
    }
    fn postfach(&self) -> PathBuf {
        self.0.join("demo").join("postfach")
    }
}

impl Drop for Ordner {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

async fn starten(o: &Ordner) -> (SimHandle, Client) {
    let (enc, sig) = profil();
    let sim = Simulator::start(SimConfig {
        seed: 1,
        destination_keys: Some((enc.public_jwk().unwrap(), sig.public_jwk())),
        zustand: Some(o.zustand()),
        postfach: Some(o.postfach()),
        ..Default::default()
    })
    .await
    .unwrap();
    let client = sim.info().subscriber_client().unwrap();
    (sim, client)
}

/// Picks up and accepts every listed submission; returns (case id, reply key) of the first
/// one with a reply channel.
async fn alle_annehmen(client: &Client) -> Option<(String, fitconnect::jose::Jwk)> {
    let (enc, sig) = profil();
    let forms = simulator::leistungen::form_schemas();
    let mut mit_rueckkanal = None;
    for s in client.all_submissions_for_pickup(None).await.unwrap() {
        let mut sink = MemorySink::default();
        let r = client
            .receive(&s.submission_id, enc, &forms, &mut sink)
            .await
            .unwrap();
        client.accept(sig, &r).await.unwrap();
        if let (Some(k), None) = (&r.metadata.reply_key, &mit_rueckkanal) {
            mit_rueckkanal = Some((r.submission.case_id.clone(), k.clone()));
        }
    }
    mit_rueckkanal
}

fn anlage(name: &str, inhalt: &[u8]) -> OutgoingAttachment {
    OutgoingAttachment {
        id: uuid::Uuid::new_v4().to_string(),
        filename: name.into(),
        mime_type: "application/pdf".into(),
        purpose: "attachment".into(),
        description: None,
        content: inhalt.to_vec(),
    }
}

fn antwort(anlagen: Vec<OutgoingAttachment>) -> OutgoingReply {
    OutgoingReply {
        data: br#"{"betreff":"Ihr Bescheid","text":"Anbei Ihr Bescheid."}"#.to_vec(),
        schema_uri: "urn:amtsstube:nachricht:1.0.0".into(),
        attachments: anlagen,
    }
}

fn relativ(basis: &Path, dateien: &[PathBuf]) -> Vec<String> {
    dateien
        .iter()
        .map(|p| {
            p.strip_prefix(basis)
                .unwrap_or_else(|_| panic!("{} liegt nicht in {}", p.display(), basis.display()))
                .to_string_lossy()
                .replace('\\', "/")
        })
        .collect()
}

const PDF: &[u8] = b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\n\x00\xff\xfe binaer\n%%EOF\n";

#[tokio::test]
async fn a_reply_to_a_case_from_before_a_restart_reaches_the_applicant_and_lands_in_the_postfach() {
    let o = Ordner::neu();
    let (sim, client) = starten(&o).await;
    let vorher = sim.info().clone();
    sim.send(ANTRAEGE, 0, 8).await.unwrap();
    let (case_id, reply_key) = alle_annehmen(&client)
        .await
        .expect("seed 5 yields an application with a reply channel among the first 8");
    // One more, sent but not picked up before the restart.
    let offen = sim.send(ANTRAEGE, 8, 1).await.unwrap();
    sim.stop().await;

    let (sim, client) = starten(&o).await;
    let info = sim.info();
    assert_eq!(info.destination_id, vorher.destination_id);
    assert_eq!(info.subscriber, vorher.subscriber);
    assert_eq!(sim.gesendete_antraege(ANTRAEGE), 9);
    // Accepted submissions do not come back; the one still waiting does, once.
    let gelistet: Vec<String> = client
        .all_submissions_for_pickup(None)
        .await
        .unwrap()
        .into_iter()
        .map(|s| s.submission_id)
        .collect();
    assert_eq!(gelistet, offen);
    // … and can be picked up and accepted after the restart.
    alle_annehmen(&client).await;
    assert!(
        client
            .all_submissions_for_pickup(None)
            .await
            .unwrap()
            .is_empty()
    );
    // The event log from before the restart still verifies (same service key).
    let ereignisse = client
        .verified_events(&case_id, &info.destination_id)
        .await
        .unwrap();
    assert!(
        ereignisse
            .iter()
            .any(|e| e.event == Some(EventType::AcceptSubmission))
    );

    let reply_id = client
        .send_reply(
            &case_id,
            &reply_key,
            &antwort(vec![anlage("Bescheid.pdf", PDF)]),
        )
        .await
        .unwrap();
    assert_eq!(
        client.reply_state(&reply_id).await.unwrap().status,
        "accepted"
    );
    let ereignisse = client
        .verified_events(&case_id, &info.destination_id)
        .await
        .unwrap();
    assert_eq!(
        ereignisse.last().and_then(|e| e.event),
        Some(EventType::AcceptReply)
    );

    let dateien = sim.postfach_dateien(&case_id);
    let basis = o.postfach().join(&case_id);
    assert_eq!(
        relativ(&basis, &dateien),
        vec![
            format!("{reply_id}/Bescheid.pdf"),
            format!("{reply_id}/daten.json"),
            format!("{reply_id}/metadaten.json"),
        ]
    );
    assert_eq!(std::fs::read(&dateien[0]).unwrap(), PDF);
    let daten: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&dateien[1]).unwrap()).unwrap();
    assert_eq!(daten["betreff"], "Ihr Bescheid");
    let metadaten: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&dateien[2]).unwrap()).unwrap();
    assert_eq!(
        metadaten["contentStructure"]["attachments"][0]["filename"],
        "Bescheid.pdf"
    );
    sim.stop().await;
}

#[tokio::test]
async fn a_damaged_state_file_is_kept_as_defekt_and_the_simulator_starts_anyway() {
    let o = Ordner::neu();
    std::fs::create_dir_all(o.zustand().parent().unwrap()).unwrap();
    std::fs::write(o.zustand(), b"{\"version\":1,\"vorgaenge\":[{\"caseId\":").unwrap();
    let (sim, client) = starten(&o).await;
    let defekt = o.zustand().with_file_name("simulator.json.defekt");
    assert_eq!(
        std::fs::read(&defekt).unwrap(),
        b"{\"version\":1,\"vorgaenge\":[{\"caseId\":"
    );
    assert!(sim.vorgaenge().is_empty());
    // It works, and its new state file is whole.
    sim.send(ANTRAEGE, 0, 1).await.unwrap();
    assert_eq!(
        client.all_submissions_for_pickup(None).await.unwrap().len(),
        1
    );
    let neu: serde_json::Value =
        serde_json::from_slice(&std::fs::read(o.zustand()).unwrap()).unwrap();
    assert_eq!(neu["vorgaenge"].as_array().map(Vec::len), Some(1));
    sim.stop().await;
}

#[tokio::test]
async fn hostile_attachment_file_names_land_inside_the_case_directory() {
    let o = Ordner::neu();
    let (sim, client) = starten(&o).await;
    sim.send(ANTRAEGE, 0, 8).await.unwrap();
    let (case_id, reply_key) = alle_annehmen(&client).await.unwrap();
    let namen = ["../../etc/passwd", "a/b", "con\u{0}x", "daten.json", ".."];
    let anlagen: Vec<OutgoingAttachment> = namen.iter().map(|n| anlage(n, n.as_bytes())).collect();
    let ids: Vec<String> = anlagen.iter().map(|a| a.id.clone()).collect();
    let reply_id = client
        .send_reply(&case_id, &reply_key, &antwort(anlagen))
        .await
        .unwrap();
    assert_eq!(
        client.reply_state(&reply_id).await.unwrap().status,
        "accepted"
    );

    let basis = o.postfach().join(&case_id).join(&reply_id);
    let dateien = sim.postfach_dateien(&case_id);
    let mut namen_im_postfach = relativ(&basis, &dateien);
    namen_im_postfach.sort();
    let mut erwartet = vec![
        "a_b".to_owned(),
        "con_x".to_owned(),
        "daten.json".to_owned(),
        "etc_passwd".to_owned(),
        "metadaten.json".to_owned(),
        format!("{}_daten.json", ids[3]),
        ids[4].clone(),
    ];
    erwartet.sort();
    assert_eq!(namen_im_postfach, erwartet);
    assert_eq!(
        std::fs::read(basis.join("etc_passwd")).unwrap(),
        namen[0].as_bytes()
    );
    // The real data file was not overwritten by the attachment called like it.
    let daten: serde_json::Value =
        serde_json::from_slice(&std::fs::read(basis.join("daten.json")).unwrap()).unwrap();
    assert_eq!(daten["betreff"], "Ihr Bescheid");
    // Nothing escaped the Postfach.
    assert!(!o.0.join("etc").exists() && !o.0.join("demo").join("etc").exists());
    sim.stop().await;
}

#[tokio::test]
async fn the_demo_seed_gives_the_same_destination_and_credentials_on_every_start() {
    let a = Simulator::start(SimConfig::default()).await.unwrap();
    let b = Simulator::start(SimConfig::default()).await.unwrap();
    assert_eq!(a.info().destination_id, b.info().destination_id);
    assert_eq!(a.info().subscriber, b.info().subscriber);
    assert_eq!(a.info().sender, b.info().sender);
    a.stop().await;
    b.stop().await;
}
