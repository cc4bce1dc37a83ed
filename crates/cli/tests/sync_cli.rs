#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! `amtsstube connect`, `sync --once`, `cases`, `outbox` as a user runs them, against the
//! in-process simulator over real HTTP, and `sync --once` killed with SIGKILL at random
//! moments. Needs a Secret Service (run inside `/work/shared/ci/with-keyring.sh`, as CI does).

mod common;
use common::{amtsstube, ok, verbunden};

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use domain::Eingangszustand;
use fitconnect::set::EventType;
use serde_json::Value;
use simulator::SimHandle;
use store::{Schluesselquelle, Store};

fn abholliste(rt: &tokio::runtime::Runtime, sim: &SimHandle) -> Vec<String> {
    let c = sim.info().subscriber_client().unwrap();
    rt.block_on(c.all_submissions_for_pickup(Some(&sim.info().destination_id)))
        .unwrap()
        .into_iter()
        .map(|s| s.submission_id)
        .collect()
}

fn eigene_annahmen(rt: &tokio::runtime::Runtime, sim: &SimHandle, sid: &str, case: &str) -> usize {
    let c = sim.info().subscriber_client().unwrap();
    let subject = format!("submission:{sid}");
    rt.block_on(c.verified_events(case, &sim.info().destination_id))
        .unwrap()
        .iter()
        .filter(|e| e.subject == subject && e.event == Some(EventType::AcceptSubmission))
        .count()
}

fn store(profil: &Path) -> Store {
    Store::open_profil(profil, &Schluesselquelle::fuer_profil(profil)).unwrap()
}

#[test]
fn sync_once_takes_in_every_application_and_cases_and_outbox_show_them() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let (sim, dir) = verbunden(&rt, 5, 3);
    let profil = dir.path().join("profil");

    let o = amtsstube(&profil, &["sync", "--once", "--json"]);
    let bericht: Value = serde_json::from_str(&ok(&o)).unwrap();
    assert_eq!(bericht["gespeichert"], 5, "{bericht}");
    assert_eq!(bericht["angenommen"], 5, "{bericht}");
    // Not a terminal: plain progress lines in German.
    let fortschritt = String::from_utf8_lossy(&o.stderr);
    assert!(
        fortschritt.contains("Zur Abholung bereit: 5"),
        "{fortschritt}"
    );
    assert_eq!(
        fortschritt.matches("Gespeichert: ").count(),
        5,
        "{fortschritt}"
    );
    assert!(abholliste(&rt, &sim).is_empty());

    let liste: Vec<Value> =
        serde_json::from_str(&ok(&amtsstube(&profil, &["cases", "list", "--json"]))).unwrap();
    assert_eq!(liste.len(), 5);
    for f in [
        "aktenzeichen",
        "submissionId",
        "caseId",
        "leistung",
        "antragsteller",
        "status",
        "eingang",
    ] {
        assert!(liste.iter().all(|c| c[f].is_string()), "{f}: {liste:?}");
    }
    assert!(liste.iter().all(|c| c["anlagen"].as_u64().unwrap() >= 1));

    let az = liste[0]["aktenzeichen"].as_str().unwrap();
    let fall: Value =
        serde_json::from_str(&ok(&amtsstube(&profil, &["cases", "show", az, "--json"]))).unwrap();
    assert_eq!(fall["aktenzeichen"], az);
    assert!(
        fall["leikaId"]
            .as_str()
            .unwrap()
            .starts_with("urn:de:fim:leika:leistung:"),
        "{fall}"
    );
    assert!(!fall["schemaUri"].as_str().unwrap().is_empty(), "{fall}");
    assert_eq!(fall["mimeType"], "application/json");
    assert!(fall["formulardaten"]["antragsteller"].is_object(), "{fall}");
    for a in fall["anlagen"].as_array().unwrap() {
        assert_eq!(a["sha512"].as_str().unwrap().len(), 128);
        assert!(a["groesse"].as_u64().unwrap() > 0);
        assert!(a["dateiname"].is_string() && a["mimeType"].is_string());
    }

    let menschlich = ok(&amtsstube(&profil, &["cases", "show", az]));
    assert!(menschlich.contains("Antragsteller:"), "{menschlich}");
    let menschlich = ok(&amtsstube(&profil, &["cases", "list"]));
    assert!(menschlich.contains("5 Vorgang/Vorgänge."), "{menschlich}");

    let ausgang: Vec<Value> =
        serde_json::from_str(&ok(&amtsstube(&profil, &["outbox", "--json"]))).unwrap();
    assert!(ausgang.is_empty(), "{ausgang:?}");
    assert!(ok(&amtsstube(&profil, &["outbox"])).contains("leer"));

    // A second pass finds nothing and changes nothing.
    let b2: Value =
        serde_json::from_str(&ok(&amtsstube(&profil, &["sync", "--once", "--json"]))).unwrap();
    assert_eq!(
        (b2["gelistet"].as_u64(), b2["gespeichert"].as_u64()),
        (Some(0), Some(0))
    );
    assert_eq!(store(&profil).read(|r| r.anzahl_vorgaenge()).unwrap(), 5);
    rt.block_on(sim.stop());
}

/// Deterministic pseudo-random numbers (xorshift), so a failing run can be repeated.
struct Zufall(u64);
impl Zufall {
    fn naechste(&mut self, bis: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % bis
    }
}

#[test]
fn sync_once_killed_at_random_moments_stores_and_accepts_every_application_exactly_once() {
    const ANFANG: usize = 10;
    const KILLS: usize = 50;
    let rt = tokio::runtime::Runtime::new().unwrap();
    let (sim, dir) = verbunden(&rt, ANFANG as u64, 5);
    let profil = dir.path().join("profil");
    let mut zufall = Zufall(0x5EED_2026);

    let mut getoetet = 0;
    // One more application arrives before each run, so every run has work when it is killed;
    // runs that finish before their kill moment do not count.
    let mut runde = 0;
    while getoetet < KILLS {
        assert!(
            runde < 3 * KILLS,
            "only {getoetet} of {runde} runs were killed mid-way"
        );
        rt.block_on(sim.send(5, (ANFANG + runde) as u64, 1))
            .unwrap();
        let mut kind = Command::new(env!("CARGO_BIN_EXE_amtsstube"))
            .arg("--profile")
            .arg(&profil)
            .args(["sync", "--once"])
            .env_remove("AMTSSTUBE_KEY_FILE")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(10 + zufall.naechste(400)));
        if kind.try_wait().unwrap().is_none() {
            kind.kill().unwrap(); // SIGKILL
            getoetet += 1;
        }
        kind.wait().unwrap();

        // The promise at every crash point: whatever the service counts as accepted is
        // stored here durably (never accepted before stored).
        let offen: std::collections::BTreeSet<String> = abholliste(&rt, &sim).into_iter().collect();
        let s = store(&profil);
        let z = s
            .read(|r| {
                let mut m = Vec::new();
                for st in Eingangszustand::ALLE {
                    for sid in r.einreichungen_im_zustand(st)? {
                        let info = r.einreichung(&sid)?.unwrap();
                        m.push((sid, st, info));
                    }
                }
                Ok(m)
            })
            .unwrap();
        let gespeichert: std::collections::BTreeSet<&str> = z
            .iter()
            .filter(|(_, _, i)| i.vorgang_id.is_some())
            .map(|(sid, _, _)| sid.as_str())
            .collect();
        let gesendet = ANFANG + runde + 1;
        let beim_dienst_angenommen = gesendet - offen.len();
        assert!(
            gespeichert.len() >= beim_dienst_angenommen,
            "round {runde}: the service has {beim_dienst_angenommen} accepted, only {} stored",
            gespeichert.len()
        );
        assert!(
            s.read(|r| r.audit_pruefen()).unwrap().intakt(),
            "round {runde}"
        );
        runde += 1;
    }
    let n = ANFANG + runde;

    // Let it finish.
    let mut fertig = false;
    for _ in 0..5 {
        if amtsstube(&profil, &["sync", "--once"]).status.success()
            && ok(&amtsstube(&profil, &["outbox", "--json"])).trim() == "[]"
        {
            fertig = true;
            break;
        }
    }
    assert!(fertig, "sync did not converge after the kills");

    let s = store(&profil);
    assert_eq!(s.read(|r| r.anzahl_vorgaenge()).unwrap(), n as u64);
    let angenommen = s
        .read(|r| r.einreichungen_im_zustand(Eingangszustand::Accepted))
        .unwrap();
    assert_eq!(angenommen.len(), n);
    // Per submission, by time: the service took exactly one accept, and took it after the
    // transaction that stored the case (its Eingang and its first audit entry are written in
    // that transaction, so the commit came after both).
    let entscheidungen = sim.entscheidungen();
    for sid in &angenommen {
        let info = s.read(|r| r.einreichung(sid)).unwrap().unwrap();
        let vid = domain::VorgangId(info.vorgang_id.clone().unwrap().parse().unwrap());
        assert_eq!(eigene_annahmen(&rt, &sim, sid, &info.case_id), 1, "{sid}");
        let v = s.read(|r| r.vorgang(&vid)).unwrap().unwrap();
        let angelegt = s
            .read(|r| r.audit_fuer_vorgang(&vid))
            .unwrap()
            .iter()
            .map(|e| e.zeit)
            .min()
            .unwrap();
        let gespeichert_spaetestens_ab = v.eingang.max(angelegt);
        let beim_dienst: Vec<&simulator::Entscheidung> = entscheidungen
            .iter()
            .filter(|e| &e.submission_id == sid)
            .collect();
        assert_eq!(beim_dienst.len(), 1, "{sid}: {beim_dienst:?}");
        assert!(beim_dienst[0].angenommen, "{sid}");
        let angenommen_um = time::OffsetDateTime::from(beim_dienst[0].zeit);
        assert!(
            angenommen_um > gespeichert_spaetestens_ab,
            "{sid}: accepted at {angenommen_um}, stored at {gespeichert_spaetestens_ab}"
        );
    }
    assert_eq!(entscheidungen.len(), n, "one decision per application");
    assert!(abholliste(&rt, &sim).is_empty());
    rt.block_on(sim.stop());
}
