#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! `amtsstube archive` as IT or a caseworker runs it (issue 17), on a connected profile whose
//! behoerde.toml names an E-Akte with real folders; the simulator crate's stand-in E-Akte
//! answers in them. Needs a Secret Service (`/work/shared/ci/with-keyring.sh`).

mod common;
use common::{amtsstube, ok, verbunden};

use serde_json::Value;

#[test]
fn archive_hands_a_finished_case_over_and_pending_takes_the_confirmation() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let (_sim, dir) = verbunden(&rt, 2, 17);
    let profil = dir.path().join("profil");
    let eakte = dir.path().join("eakte");
    let (abgabe, rueckgabe) = (eakte.join("abgabe"), eakte.join("rueckgabe"));

    ok(&amtsstube(&profil, &["sync", "--once", "--json"]));
    let liste: Value =
        serde_json::from_str(&ok(&amtsstube(&profil, &["cases", "list", "--json"]))).unwrap();
    let fall = &liste.as_array().unwrap()[0];
    let az = fall["aktenzeichen"].as_str().unwrap().to_owned();
    let id = fall["id"].as_str().unwrap().to_owned();
    let offen = liste.as_array().unwrap()[1]["aktenzeichen"]
        .as_str()
        .unwrap()
        .to_owned();

    // Withdrawn (through the app, as the desktop does); without [eakte]: says what to set.
    let ctx = app::AppContext::open(&profil).unwrap();
    for aktion in [
        ipc::Aktion::Uebernehmen,
        ipc::Aktion::ZurueckziehenVermerken,
    ] {
        ctx.vorgang_aktion(ipc::AktionAnfrage {
            id: id.clone(),
            aktion,
            begruendung: None,
            empfaenger: None,
            datum: None,
        })
        .unwrap();
    }
    drop(ctx);
    let o = amtsstube(&profil, &["archive", &az]);
    assert!(!o.status.success());
    let text = String::from_utf8_lossy(&o.stderr);
    assert!(text.contains("[eakte]"), "{text}");

    let toml = profil.join("behoerde.toml");
    let mut t = std::fs::read_to_string(&toml).unwrap();
    t.push_str(&format!(
        "\n[eakte]\nname = \"E-Akte Test\"\nabgabe_ordner = \"{}\"\nrueckgabe_ordner = \"{}\"\nkarenz = \"30 Tage\"\n",
        abgabe.display(),
        rueckgabe.display()
    ));
    std::fs::write(&toml, t).unwrap();
    std::fs::create_dir_all(&abgabe).unwrap();
    std::fs::create_dir_all(&rueckgabe).unwrap();

    // Still open: refused by the status machine, nothing handed over.
    let o = amtsstube(&profil, &["archive", &offen]);
    assert!(!o.status.success());
    let text = String::from_utf8_lossy(&o.stderr);
    assert!(text.contains("im Status „Neu“ nicht möglich"), "{text}");
    assert!(std::fs::read_dir(&abgabe).unwrap().next().is_none());

    // Handed over and delivered.
    let aus = ok(&amtsstube(&profil, &["archive", &az]));
    assert!(aus.contains("an die E-Akte übergeben"), "{aus}");
    assert!(aus.contains("zugestellt"), "{aus}");
    let zips: Vec<_> = std::fs::read_dir(&abgabe).unwrap().collect();
    assert_eq!(zips.len(), 1);

    let aus = ok(&amtsstube(&profil, &["archive", "--pending"]));
    assert!(aus.contains(&az), "{aus}");

    // The E-Akte answers; the next pass takes it: nothing pending any more.
    let standin = simulator::eakte::EAkteStandIn::neu(&abgabe, &rueckgabe, eakte.join("ablage"));
    let v = standin.verarbeiten().unwrap();
    assert!(v.iter().all(|v| v.erfolgreich), "{v:?}");
    let aus = ok(&amtsstube(&profil, &["archive", "--pending"]));
    assert!(aus.contains("Keine Abgabe an die E-Akte offen"), "{aus}");
    let show: Value =
        serde_json::from_str(&ok(&amtsstube(&profil, &["cases", "show", &az, "--json"]))).unwrap();
    assert_eq!(show["status"], "archiviert", "{show}");

    // The audit chain's head went along: the E-Akte's copy of the message anchors it.
    let mut nachrichten = Vec::new();
    for e in std::fs::read_dir(eakte.join("ablage").join("importiert")).unwrap() {
        for f in std::fs::read_dir(e.unwrap().path()).unwrap() {
            let p = f.unwrap().path();
            if p.to_string_lossy().ends_with("SGOAblegen.0605.xml") {
                nachrichten.push(p);
            }
        }
    }
    assert_eq!(nachrichten.len(), 1, "{nachrichten:?}");
    let aus = ok(&amtsstube(
        &profil,
        &[
            "store",
            "pruefen",
            "--anker",
            nachrichten[0].to_str().unwrap(),
        ],
    ));
    assert!(
        aus.contains("stimmt mit dem Prüfprotokoll überein"),
        "{aus}"
    );
}
