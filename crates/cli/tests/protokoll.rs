#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! The log of the CLI (issue 19): `sync --once` writes its pass to the profile's
//! `protokolle/amtsstube.log`, every line of the pass with the same run id, and no applicant's
//! name or form value. Needs a Secret Service (run inside `/work/shared/ci/with-keyring.sh`).

mod common;
use common::{amtsstube, ok, persoenliches, verbunden};

use serde_json::Value;

const SEED: u64 = 41;
const N: u64 = 4;

#[test]
fn a_sync_pass_is_logged_with_one_run_id_and_without_personal_data() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let (_sim, dir) = verbunden(&rt, N, SEED);
    let profil = dir.path().join("profil");
    let bericht: Value =
        serde_json::from_str(&ok(&amtsstube(&profil, &["sync", "--once", "--json"]))).unwrap();
    assert_eq!(bericht["gespeichert"], N, "{bericht}");

    let datei = profil.join("protokolle").join("amtsstube.log");
    let text = std::fs::read_to_string(&datei)
        .unwrap_or_else(|e| panic!("{} fehlt: {e}", datei.display()));
    let ende: Vec<&str> = text
        .lines()
        .filter(|l| l.contains("Abgleich beendet"))
        .collect();
    assert!(!ende.is_empty(), "{text}");
    assert!(
        ende.iter().any(|l| l.contains(&format!("gespeichert={N}"))),
        "{text}"
    );
    // Every line of a pass names its run; the ids are UUIDs.
    for l in text.lines().filter(|l| l.contains("sync{")) {
        let id = l
            .split("lauf=")
            .nth(1)
            .and_then(|r| r.get(..36))
            .unwrap_or("");
        assert!(uuid::Uuid::parse_str(id).is_ok(), "{l}");
    }
    let persoenlich = persoenliches(SEED, N);
    assert!(persoenlich.len() >= N as usize, "{persoenlich:?}");
    for p in persoenlich {
        assert!(!text.contains(&p), "„{p}“ im Protokoll:\n{text}");
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        assert_eq!(
            std::fs::metadata(&datei).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }
}
