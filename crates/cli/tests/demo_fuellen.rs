#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! `amtsstube demo fuellen` as the UI benchmark uses it: the generated cases land in the
//! profile's encrypted store and the other commands see them. Needs a Secret Service (run
//! inside `/work/shared/ci/with-keyring.sh`, as CI does).

mod common;
use common::amtsstube;

use std::process::Output;

use serde_json::Value;

fn ok(o: &Output, was: &str) -> String {
    assert!(
        o.status.success(),
        "{was}: exit {:?} (this test needs a Secret Service: packages gnome-keyring, dbus; run it \
         inside /work/shared/ci/with-keyring.sh)\nstdout: {}\nstderr: {}",
        o.status,
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8(o.stdout.clone()).unwrap()
}

#[test]
fn filling_500_cases_shows_500_in_the_case_list_and_the_newest_have_five_attachments() {
    let dir = tempfile::tempdir().unwrap();
    let profil = dir.path().join("profil");
    let o = amtsstube(
        &profil,
        &[
            "demo",
            "fuellen",
            "--anzahl",
            "500",
            "--anlagen-ab",
            "498",
            "--json",
        ],
    );
    let summary: Value = serde_json::from_str(&ok(&o, "demo fuellen")).unwrap();
    assert_eq!(summary["angelegt"], 500);
    assert_eq!(summary["gesamt"], 500);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(
        stderr.contains("500/500 Vorgänge"),
        "progress on stderr: {stderr}"
    );
    let mit = summary["mitFuenfAnlagen"].as_array().unwrap();
    assert_eq!(mit.len(), 3, "cases 498, 499 and 500 get attachments");

    let liste: Vec<Value> = serde_json::from_str(&ok(
        &amtsstube(&profil, &["cases", "list", "--json"]),
        "cases list",
    ))
    .unwrap();
    assert_eq!(liste.len(), 500);
    let mut aktenzeichen: Vec<&str> = liste
        .iter()
        .map(|v| v["aktenzeichen"].as_str().unwrap())
        .collect();
    aktenzeichen.sort_unstable();
    aktenzeichen.dedup();
    assert_eq!(
        aktenzeichen.len(),
        500,
        "every case has its own Aktenzeichen"
    );
    // Realistic variety: all five demo Leistungen and more than one status.
    let leistungen: std::collections::BTreeSet<&str> = liste
        .iter()
        .map(|v| v["leistung"].as_str().unwrap())
        .collect();
    assert_eq!(leistungen.len(), 5, "{leistungen:?}");
    let status: std::collections::BTreeSet<&str> = liste
        .iter()
        .map(|v| v["status"].as_str().unwrap())
        .collect();
    assert!(status.len() >= 4, "{status:?}");
    let mit_anlagen = liste.iter().filter(|v| v["anlagen"] == 5).count();
    assert_eq!(mit_anlagen, 3);

    // A case with attachments opens, and its five attachments are listed.
    let az = mit[0]["aktenzeichen"].as_str().unwrap();
    let show: Value = serde_json::from_str(&ok(
        &amtsstube(&profil, &["cases", "show", az, "--json"]),
        "cases show",
    ))
    .unwrap();
    assert_eq!(show["anlagen"].as_array().map(Vec::len), Some(5), "{show}");

    // The database is encrypted: no applicant's name in the file.
    let name = liste[0]["antragsteller"].as_str().unwrap();
    let db = std::fs::read(profil.join("amtsstube.db")).unwrap();
    assert!(
        !db.windows(name.len()).any(|w| w == name.as_bytes()),
        "plaintext name {name:?} in the database file"
    );
}
