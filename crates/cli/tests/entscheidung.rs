#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! `amtsstube decide` and `amtsstube approve` as IT or a caseworker runs them, on a profile
//! connected to the in-process simulator (so the acting person is the OS login, whatever the
//! environment says): the proposal is written for editing, saved as a version with its
//! preview pages, submitted; the same login's approval is refused (no Zeichnungsbefugnis
//! without a role assignment, and never for the draft's author), nothing changes. Needs a
//! Secret Service (`/work/shared/ci/with-keyring.sh`).

mod common;
use common::{amtsstube, ok, verbunden};

use serde_json::Value;

#[test]
fn decide_saves_and_submits_a_draft_and_the_authors_own_approval_is_refused() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let (_sim, dir) = verbunden(&rt, 3, 21);
    let profil = dir.path().join("profil");
    ok(&amtsstube(&profil, &["sync", "--once", "--json"]));
    let liste: Value =
        serde_json::from_str(&ok(&amtsstube(&profil, &["cases", "list", "--json"]))).unwrap();
    let fall = &liste.as_array().unwrap()[0];
    let az = fall["aktenzeichen"].as_str().unwrap().to_owned();

    // Still „Neu“ and nobody responsible: a draft cannot be saved yet, with what to do.
    let vorschlag = dir.path().join("entwurf.json");
    let v = vorschlag.to_str().unwrap();
    ok(&amtsstube(&profil, &["decide", &az, "--ausgabe", v]));
    let e: Value = serde_json::from_str(&std::fs::read_to_string(&vorschlag).unwrap()).unwrap();
    assert!(!e["tenor"].as_array().unwrap().is_empty(), "{e}");
    let o = amtsstube(&profil, &["decide", &az, "--entwurf", v]);
    assert!(!o.status.success());
    let fehler = String::from_utf8_lossy(&o.stderr);
    assert!(fehler.contains("Übernehmen Sie ihn zuerst"), "{fehler}");

    let aus = ok(&amtsstube(&profil, &["cases", "take", &az]));
    assert!(aus.contains("zuständig: "), "{aus}");
    let aus = ok(&amtsstube(&profil, &["cases", "start", &az]));
    assert!(aus.contains("In Prüfung"), "{aus}");
    let seiten = dir.path().join("vorschau");
    let aus = ok(&amtsstube(
        &profil,
        &[
            "decide",
            &az,
            "--entwurf",
            v,
            "--vorschau",
            seiten.to_str().unwrap(),
            "--vorlegen",
        ],
    ));
    assert!(aus.contains("Fassung 1"), "{aus}");
    assert!(aus.contains("Zur Freigabe vorgelegt"), "{aus}");
    let svg = std::fs::read_to_string(seiten.join("seite-1.svg")).unwrap();
    assert!(svg.contains("<svg"), "{}", &svg[..svg.len().min(200)]);

    // The same login approves: refused, the case stays in approval.
    let o = amtsstube(&profil, &["approve", &az]);
    assert!(!o.status.success());
    let fehler = String::from_utf8_lossy(&o.stderr);
    assert!(
        fehler.contains("Zeichnungsbefugte") || fehler.contains("Vier-Augen"),
        "{fehler}"
    );
    let liste: Value =
        serde_json::from_str(&ok(&amtsstube(&profil, &["cases", "list", "--json"]))).unwrap();
    let fall = liste
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["aktenzeichen"] == az.as_str())
        .unwrap();
    assert_eq!(fall["status"], "entscheidung_in_freigabe", "{fall}");
}
