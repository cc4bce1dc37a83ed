//! `amtsstube behoerde`: the authority's configuration as IT checks it before a roll-out.
//!
//! - `behoerde pruefen [DATEI]` loads a `behoerde.toml` with every form schema it names and
//!   either prints a summary (exit 0) or the first mistake with file, line and field (exit 1).
//!   Without a file it checks the one the profile would use (profile, then the system's).
//! - `behoerde zeigen --json` prints the configuration the profile runs on.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Subcommand;

/// Subcommands of `amtsstube behoerde`.
#[derive(Debug, Subcommand)]
pub enum BehoerdeCmd {
    /// Prüft eine Behördenkonfiguration (Standard: die des Profils) mit ihren Formularschemas.
    Pruefen {
        /// Pfad der behoerde.toml.
        datei: Option<PathBuf>,
    },
    /// Zeigt die Behördenkonfiguration, mit der das Profil arbeitet.
    Zeigen {
        /// Ausgabe als JSON.
        #[arg(long)]
        json: bool,
    },
}

/// Runs a subcommand.
pub fn run(profile: &Path, cmd: &BehoerdeCmd) -> anyhow::Result<ExitCode> {
    match cmd {
        BehoerdeCmd::Pruefen { datei } => {
            let pfad = match datei {
                Some(p) => p.clone(),
                None => behoerde::finden(profile).ok_or_else(|| {
                    anyhow::anyhow!(
                        "Weder im Profil ({}) noch in {} liegt eine {}. Geben Sie die Datei an: \
                         `amtsstube behoerde pruefen DATEI`.",
                        profile.display(),
                        behoerde::systemverzeichnis().display(),
                        behoerde::DATEINAME
                    )
                })?,
            };
            match behoerde::Behoerde::laden(&pfad) {
                Ok(b) => {
                    println!("{}: in Ordnung.", pfad.display());
                    zusammenfassung(&b);
                    Ok(ExitCode::SUCCESS)
                }
                Err(e) => {
                    eprintln!("{e}");
                    Ok(ExitCode::FAILURE)
                }
            }
        }
        BehoerdeCmd::Zeigen { json } => {
            let demo = app::ConnectionConfig::load(profile)?.is_none();
            let b = app::profile::behoerde_laden(profile, demo)?;
            if *json {
                println!("{}", serde_json::to_string_pretty(&als_json(&b))?);
            } else {
                println!("Quelle: {}", b.quelle);
                zusammenfassung(&b);
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn zusammenfassung(b: &behoerde::Behoerde) {
    println!("Behörde: {} ({})", b.name, b.land.name());
    println!(
        "Aktenzeichen: {} (Amt {}, Kürzel {})",
        b.aktenzeichen_muster.quelle(),
        b.amt,
        b.kuerzel
    );
    println!(
        "Fällig: ab {} Arbeitstagen vor der Frist; Standardfrist {}",
        b.faellig_vorlauf_arbeitstage,
        frist(b.standardfrist)
    );
    println!("Leistungen ({}):", b.leistungen.len());
    for l in &b.leistungen {
        println!(
            "  {} {}: Frist {}, {} Formular(e), {} Nachweis(e), Aufbewahrung {} Jahre",
            l.leika,
            l.name,
            frist(l.bearbeitungsfrist),
            l.formulare.len(),
            l.nachweise.len(),
            l.aufbewahrung_jahre
        );
    }
}

fn frist(f: domain::Fristregel) -> String {
    use domain::Fristregel as F;
    match f {
        F::Arbeitstage(n) => format!("{n} Arbeitstag(e)"),
        F::Kalendertage(n) => format!("{n} Kalendertag(e)"),
        F::Wochen(n) => format!("{n} Woche(n)"),
        F::Monate(n) => format!("{n} Monat(e)"),
    }
}

fn als_json(b: &behoerde::Behoerde) -> serde_json::Value {
    serde_json::json!({
        "quelle": b.quelle,
        "name": b.name,
        "land": b.land,
        "aktenzeichen": {"muster": b.aktenzeichen_muster.quelle(), "amt": b.amt, "kuerzel": b.kuerzel},
        "fristen": {"standard": b.standardfrist, "faelligVorlaufArbeitstage": b.faellig_vorlauf_arbeitstage},
        "leistungen": b.leistungen.iter().map(|l| serde_json::json!({
            "leika": l.leika,
            "name": l.name,
            "formulare": l.formulare.iter().map(|f| f.uri.clone()).collect::<Vec<_>>(),
            "bearbeitungsfrist": l.bearbeitungsfrist,
            "nachforderungsfrist": l.nachforderungsfrist,
            "nachweise": l.nachweise.iter().map(|n| serde_json::json!({"id": n.id, "bezeichnung": n.bezeichnung})).collect::<Vec<_>>(),
            "bescheidVorlagen": l.bescheid_vorlagen,
            "aufbewahrungJahre": l.aufbewahrung_jahre,
        })).collect::<Vec<_>>(),
    })
}
