//! `amtsstube store …`: maintenance of the encrypted local store.
//!
//! - `store pruefen`: `integrity_check`, `cipher_integrity_check` and the audit chain.
//! - `store rekey`: re-encrypts the database under a new random key and moves the key source
//!   (OS keyring, or the key file named by `AMTSSTUBE_KEY_FILE`) to it, crash-safe.

use std::path::Path;
use std::process::ExitCode;

use clap::Subcommand;
use store::{Schluessel, Schluesselquelle, Store};

/// Store maintenance commands.
#[derive(Debug, Subcommand)]
pub enum StoreCmd {
    /// Prüft Datenbank (integrity_check, cipher_integrity_check) und Prüfprotokoll (Hash-Kette).
    Pruefen {
        /// Ausgabe als JSON.
        #[arg(long)]
        json: bool,
        /// Abgaben an die E-Akte (0605 als XML oder ZIP, z. B. aus deren Ablage): der darin
        /// verankerte Stand des Prüfprotokolls muss noch derselbe sein.
        #[arg(long, value_name = "DATEI")]
        anker: Vec<std::path::PathBuf>,
    },
    /// Verschlüsselt die Datenbank mit einem neuen Zufallsschlüssel und legt ihn in der
    /// Schlüsselquelle ab (Schlüsselbund oder AMTSSTUBE_KEY_FILE).
    Rekey,
}

/// Runs a store command against the profile's configured key source (the policy's, if it
/// pins one).
pub fn run(profil: &Path, cmd: &StoreCmd) -> anyhow::Result<ExitCode> {
    let richtlinie = app::profile::richtlinie_laden()?;
    run_mit_quelle(
        profil,
        &app::profile::schluesselquelle(profil, &richtlinie),
        cmd,
    )
}

/// Runs a store command with an explicit key source.
pub fn run_mit_quelle(
    profil: &Path,
    quelle: &Schluesselquelle,
    cmd: &StoreCmd,
) -> anyhow::Result<ExitCode> {
    let mut s = Store::open_profil(profil, quelle)?;
    match cmd {
        StoreCmd::Pruefen { json, anker } => {
            let probleme = s.integritaet_pruefen()?;
            let audit = s.read(|r| r.audit_pruefen())?;
            let mut anker_befunde = Vec::new();
            for datei in anker {
                let daten = std::fs::read(datei)
                    .map_err(|e| anyhow::anyhow!("{} nicht lesbar: {e}", datei.display()))?;
                let befund = match xdomea::audit_anker_lesen(&daten) {
                    Err(e) => Some(format!("keine lesbare Abgabe: {e}")),
                    Ok(None) => Some("enthält keinen Anker des Prüfprotokolls".to_owned()),
                    Ok(Some(a)) => s.read(|r| r.audit_anker_pruefen(a.seq as i64, &a.hash))?,
                };
                anker_befunde.push((datei.display().to_string(), befund));
            }
            let ok = probleme.is_empty()
                && audit.intakt()
                && anker_befunde.iter().all(|(_, b)| b.is_none());
            if *json {
                println!(
                    "{}",
                    serde_json::json!({
                        "ok": ok,
                        "datenbank": probleme,
                        "audit_eintraege": audit.eintraege,
                        "audit_bruch": audit.erster_bruch,
                        "anker": anker_befunde
                            .iter()
                            .map(|(d, b)| serde_json::json!({"datei": d, "befund": b}))
                            .collect::<Vec<_>>(),
                    })
                );
            } else {
                if probleme.is_empty() {
                    println!("Datenbank: in Ordnung (integrity_check, cipher_integrity_check).");
                } else {
                    println!("Datenbank: {} Problem(e):", probleme.len());
                    for p in &probleme {
                        println!("  {p}");
                    }
                }
                match &audit.erster_bruch {
                    None => println!("Prüfprotokoll: {} Einträge, Kette intakt.", audit.eintraege),
                    Some((seq, grund)) => {
                        println!("Prüfprotokoll: Kette bei Eintrag {seq} gebrochen: {grund}")
                    }
                }
                for (datei, befund) in &anker_befunde {
                    match befund {
                        None => println!("Anker {datei}: stimmt mit dem Prüfprotokoll überein."),
                        Some(b) => println!("Anker {datei}: {b}"),
                    }
                }
            }
            Ok(if ok {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            })
        }
        StoreCmd::Rekey => {
            let neu = Schluessel::zufaellig()?;
            s.rekey(quelle, &neu)?;
            let probleme = s.integritaet_pruefen()?;
            if !probleme.is_empty() {
                anyhow::bail!("Nach dem Umschlüsseln meldet die Datenbank Probleme: {probleme:?}");
            }
            println!(
                "Die Datenbank ist mit einem neuen Schlüssel verschlüsselt; er liegt in {quelle}."
            );
            Ok(ExitCode::SUCCESS)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rekey_then_check_keeps_the_data_readable_only_with_the_new_key() {
        let dir = tempfile::tempdir().unwrap();
        let profil = dir.path().join("p");
        let quelle = Schluesselquelle::Datei(dir.path().join("key"));
        drop(Store::open_profil(&profil, &quelle).unwrap());
        let alt = quelle.laden().unwrap().unwrap();
        assert_eq!(
            run_mit_quelle(&profil, &quelle, &StoreCmd::Rekey).unwrap(),
            ExitCode::SUCCESS
        );
        let neu = quelle.laden().unwrap().unwrap();
        assert_ne!(alt, neu);
        assert!(Store::open(&profil, &alt).is_err());
        let r = run_mit_quelle(
            &profil,
            &quelle,
            &StoreCmd::Pruefen {
                json: true,
                anker: Vec::new(),
            },
        )
        .unwrap();
        assert_eq!(r, ExitCode::SUCCESS);
    }
}
