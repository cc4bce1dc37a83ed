#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! `amtsstube diagnose` (issue 19): the report of a profile that took in applications holds
//! version, configuration without the secret, the audit chain's status, counts and the log of
//! the pass — and none of the applicants' data, not the client secret and not the login.
//! Needs a Secret Service (run inside `/work/shared/ci/with-keyring.sh`).

mod common;
use common::{amtsstube, ok, persoenliches, verbunden};

use std::io::Read as _;

use serde_json::Value;

const SEED: u64 = 43;
const N: u64 = 3;

#[test]
fn the_report_holds_what_it_names_and_nothing_personal() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let (sim, dir) = verbunden(&rt, N, SEED);
    let profil = dir.path().join("profil");
    ok(&amtsstube(&profil, &["sync", "--once"]));

    let ziel = dir.path().join("bericht.zip");
    let o = amtsstube(
        &profil,
        &["diagnose", "--ausgabe", ziel.to_str().unwrap(), "--json"],
    );
    let antwort: Value = serde_json::from_str(&ok(&o)).unwrap();
    let mut zip = zip::ZipArchive::new(std::fs::File::open(&ziel).unwrap()).unwrap();
    let mut eintraege = Vec::new();
    for i in 0..zip.len() {
        let mut e = zip.by_index(i).unwrap();
        let mut inhalt = String::new();
        e.read_to_string(&mut inhalt).unwrap();
        eintraege.push((e.name().unwrap().to_string(), inhalt));
    }
    let namen: Vec<&str> = eintraege.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(antwort["eintraege"].as_array().unwrap().len(), namen.len());
    for muss in [
        "LIESMICH.txt",
        "version.json",
        "konfiguration.json",
        "pruefprotokoll.json",
        "bestand.json",
        "protokolle/amtsstube.log",
    ] {
        assert!(namen.contains(&muss), "{muss} fehlt in {namen:?}");
    }
    let json = |name: &str| -> Value {
        serde_json::from_str(&eintraege.iter().find(|(n, _)| n == name).unwrap().1).unwrap()
    };
    let k = json("konfiguration.json");
    assert_eq!(k["verbindung"]["base_url"], sim.info().base_url.as_str());
    assert_eq!(
        k["verbindung"]["destination_id"],
        sim.info().destination_id.as_str()
    );
    assert_eq!(json("pruefprotokoll.json")["intakt"], true);
    assert_eq!(json("bestand.json")["vorgaenge"], N);
    assert_eq!(json("version.json")["version"], env!("CARGO_PKG_VERSION"));
    let log = &eintraege
        .iter()
        .find(|(n, _)| n == "protokolle/amtsstube.log")
        .unwrap()
        .1;
    assert!(log.contains("Abgleich beendet"), "{log}");

    // Nothing personal, no secret, no login.
    let mut verboten = persoenliches(SEED, N);
    assert!(verboten.len() >= N as usize, "{verboten:?}");
    verboten.push(sim.info().subscriber.client_secret.clone());
    let wer: Value = serde_json::from_str(&ok(&amtsstube(&profil, &["whoami", "--json"]))).unwrap();
    let login = wer["benutzer"].as_str().unwrap_or_default().to_owned();
    if login.chars().count() >= 5 {
        verboten.push(login);
    }
    for (name, inhalt) in &eintraege {
        for v in &verboten {
            assert!(!inhalt.contains(v.as_str()), "„{v}“ in {name}:\n{inhalt}");
        }
    }
}
