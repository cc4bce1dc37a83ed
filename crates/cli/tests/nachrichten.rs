#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! `amtsstube reply` and `amtsstube messages` as a user runs them: a profile connected to the
//! in-process simulator over real HTTP takes in applications, a Nachforderung with a PDF goes
//! into the Postausgang, `sync --once` delivers it, and the thread shows each step. Bad input
//! is refused in German with nothing queued. Needs a Secret Service (run inside
//! `/work/shared/ci/with-keyring.sh`, as CI does).

mod common;
use common::{amtsstube, ok, pruefung_beginnen, verbunden};

use std::path::Path;
use std::process::Output;

use serde_json::Value;

/// The run failed; its German message on stderr.
fn abgelehnt(o: &Output) -> String {
    assert!(
        !o.status.success(),
        "expected a refusal\nstdout: {}",
        String::from_utf8_lossy(&o.stdout)
    );
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn json(o: &Output) -> Value {
    serde_json::from_str(&ok(o)).unwrap()
}

fn outbox_leer(profil: &Path) -> bool {
    json(&amtsstube(profil, &["outbox", "--json"]))
        .as_array()
        .unwrap()
        .is_empty()
}

#[test]
fn a_nachforderung_with_a_pdf_is_queued_delivered_by_sync_and_shown_in_the_thread() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let (sim, dir) = verbunden(&rt, 8, 11);
    let profil = dir.path().join("profil");
    let b = json(&amtsstube(&profil, &["sync", "--once", "--json"]));
    assert_eq!(b["gespeichert"], 8, "{b}");

    // A case whose applicant gave a FIT-Connect reply channel, its thread still empty.
    let liste = json(&amtsstube(&profil, &["cases", "list", "--json"]));
    let (az, vorher) = liste
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["aktenzeichen"].as_str().unwrap().to_owned())
        .map(|az| {
            let m = json(&amtsstube(&profil, &["messages", &az, "--json"]));
            (az, m)
        })
        .find(|(_, m)| m["rueckkanal"]["fit_connect"] == true)
        .expect("a case with a reply channel among 8 applications");
    assert!(
        vorher["nachrichten"].as_array().unwrap().is_empty(),
        "{vorher}"
    );
    assert!(vorher["nachforderung"].is_null(), "{vorher}");
    assert!(
        ok(&amtsstube(&profil, &["messages", &az])).contains("noch keine Nachrichten"),
        "empty thread"
    );
    // An id of the Leistung's Nachweise from the demo authority's behoerde.toml.
    let nachweis = vorher["nachweiseDerLeistung"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let nachweis_name = vorher["nachweiseDerLeistung"][0]["bezeichnung"]
        .as_str()
        .unwrap()
        .to_owned();
    let behoerde_toml = std::fs::read_to_string(profil.join("behoerde.toml")).unwrap();
    assert!(
        behoerde_toml.contains(&format!("id = \"{nachweis}\"")),
        "{nachweis}"
    );
    let fc_case = json(&amtsstube(&profil, &["cases", "show", &az, "--json"]))["caseId"].clone();
    assert!(fc_case.is_string());

    // Still „Neu“: a Nachforderung is refused with what to do.
    let text = dir.path().join("nachricht.txt");
    std::fs::write(
        &text,
        "Guten Tag,\n\nbitte reichen Sie den fehlenden Nachweis nach.\n\nMit freundlichen Grüßen",
    )
    .unwrap();
    let pdf = dir.path().join("x.pdf");
    std::fs::write(
        &pdf,
        b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n",
    )
    .unwrap();
    let (t, p) = (text.to_str().unwrap(), pdf.to_str().unwrap());
    let fehler = abgelehnt(&amtsstube(
        &profil,
        &["reply", &az, "--text-file", t, "--nachforderung", &nachweis],
    ));
    assert!(
        fehler.contains("Prüfung") && fehler.contains("„Neu“"),
        "{fehler}"
    );
    let vid = {
        let s = store::Store::open_profil(&profil, &store::Schluesselquelle::fuer_profil(&profil))
            .unwrap();
        s.read(|r| r.vorgang_nach_aktenzeichen(&az))
            .unwrap()
            .unwrap()
            .id
            .to_string()
    };
    pruefung_beginnen(&profil, &vid);

    // Bad input: a German message each, a non-zero exit, nothing queued.
    let leer = dir.path().join("leer.txt");
    std::fs::write(&leer, " \n\n").unwrap();
    let fehler = abgelehnt(&amtsstube(
        &profil,
        &[
            "reply",
            &az,
            "--text-file",
            leer.to_str().unwrap(),
            "--nachforderung",
            &nachweis,
        ],
    ));
    assert!(fehler.contains("Die Nachricht ist leer"), "{fehler}");
    let gestern = (time::OffsetDateTime::now_utc().date() - time::Duration::days(1)).to_string();
    let fehler = abgelehnt(&amtsstube(
        &profil,
        &[
            "reply",
            &az,
            "--text-file",
            t,
            "--nachforderung",
            &nachweis,
            "--frist",
            &gestern,
        ],
    ));
    assert!(fehler.contains("liegt nicht in der Zukunft"), "{fehler}");
    let falsch = dir.path().join("rechnung.pdf");
    std::fs::write(&falsch, b"MZ\x90\x00 kein PDF").unwrap();
    let fehler = abgelehnt(&amtsstube(
        &profil,
        &[
            "reply",
            &az,
            "--text-file",
            t,
            "--nachforderung",
            &nachweis,
            "--anlage",
            falsch.to_str().unwrap(),
        ],
    ));
    assert!(
        fehler.contains("keine PDF-, PNG- oder JPEG-Datei"),
        "{fehler}"
    );
    let fehler = abgelehnt(&amtsstube(
        &profil,
        &[
            "reply",
            &az,
            "--text-file",
            t,
            "--nachforderung",
            "gibt-es-nicht",
        ],
    ));
    assert!(
        fehler.contains("gibt-es-nicht") && fehler.contains(&nachweis),
        "names the possible Nachweise: {fehler}"
    );
    let fehler = abgelehnt(&amtsstube(
        &profil,
        &["reply", &az, "--text-file", t, "--frist", "2099-01-01"],
    ));
    assert!(fehler.contains("--frist gilt nur"), "{fehler}");
    let fehler = abgelehnt(&amtsstube(
        &profil,
        &["reply", "XX-0000-0", "--text-file", t],
    ));
    assert!(
        fehler.contains("Kein Vorgang mit dem Aktenzeichen"),
        "{fehler}"
    );
    assert!(outbox_leer(&profil), "a refused message was queued");
    let m = json(&amtsstube(&profil, &["messages", &az, "--json"]));
    assert!(m["nachrichten"].as_array().unwrap().is_empty(), "{m}");
    assert_eq!(m["status"], "in_pruefung", "{m}");

    // The Nachforderung with the default Frist and a real PDF goes into the Postausgang.
    let aus = ok(&amtsstube(
        &profil,
        &[
            "reply",
            &az,
            "--text-file",
            t,
            "--nachforderung",
            &nachweis,
            "--anlage",
            p,
        ],
    ));
    assert!(
        aus.contains(
            "In den Postausgang gestellt; gesendet wird beim nächsten Abruf (amtsstube sync)."
        ),
        "{aus}"
    );
    assert!(aus.contains(&nachweis_name), "{aus}");
    let m = json(&amtsstube(&profil, &["messages", &az, "--json"]));
    let n = &m["nachrichten"][0];
    assert_eq!(m["nachrichten"].as_array().unwrap().len(), 1, "{m}");
    assert_eq!(n["art"], "nachforderung", "{m}");
    assert_eq!(n["eingehend"], false, "{m}");
    assert_eq!(n["zustellung"], "postausgang", "{m}");
    assert_eq!(n["zustellung_text"], "Im Postausgang", "{m}");
    assert_eq!(n["anlagen"], serde_json::json!(["x.pdf"]), "{m}");
    assert!(n["betreff"].as_str().unwrap().contains(&az), "{m}");
    let ich = app::AppContext::open(&profil)
        .unwrap()
        .sitzung()
        .unwrap()
        .benutzer;
    assert_eq!(n["von"].as_str().unwrap(), ich, "{m}");
    assert_eq!(m["nachforderung"]["frist"], m["nachforderungsfrist"], "{m}");
    assert_eq!(
        m["nachforderung"]["nachweise"][0]["id"],
        nachweis.as_str(),
        "{m}"
    );
    assert_eq!(
        m["nachforderung"]["nachweise"][0]["eingegangen"], false,
        "{m}"
    );
    assert_eq!(m["status"], "nachforderung_offen", "{m}");
    assert!(
        !outbox_leer(&profil),
        "the message waits in the Postausgang"
    );
    assert!(sim.replies().is_empty(), "nothing sent before the sync");

    // `sync --once` delivers it: zugestellt, and the applicant's service holds it.
    ok(&amtsstube(&profil, &["sync", "--once"]));
    let m = json(&amtsstube(&profil, &["messages", &az, "--json"]));
    assert_eq!(m["nachrichten"][0]["zustellung"], "zugestellt", "{m}");
    assert_eq!(m["nachrichten"][0]["zustellung_text"], "Zugestellt", "{m}");
    assert!(m["nachrichten"][0]["fehler"].is_null(), "{m}");
    assert!(outbox_leer(&profil));
    let antworten = sim.replies();
    assert_eq!(antworten.len(), 1, "{antworten:?}");
    assert_eq!(antworten[0].case_id, fc_case.as_str().unwrap());
    assert_eq!(antworten[0].attachments.len(), 1, "{antworten:?}");
    let fall = json(&amtsstube(&profil, &["cases", "show", &az, "--json"]));
    assert_eq!(fall["status"], "nachforderung_offen", "{fall}");
    assert!(
        fall["anlagen"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["dateiname"] == "x.pdf"),
        "the PDF is kept in the case: {fall}"
    );

    // For people: the thread with state, attachments and the text indented, and the
    // Nachforderung's Nachweise.
    let menschlich = ok(&amtsstube(&profil, &["messages", &az]));
    for erwartet in [
        "Nachrichten zum Vorgang",
        "Ausgang  Nachforderung",
        "Zustellung: Zugestellt",
        "Anlagen:    x.pdf",
        "    bitte reichen Sie den fehlenden Nachweis nach.",
        "[ ] ",
        &nachweis_name,
    ] {
        assert!(menschlich.contains(erwartet), "{erwartet}:\n{menschlich}");
    }
    rt.block_on(sim.stop());
}
