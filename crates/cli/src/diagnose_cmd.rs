//! `amtsstube diagnose [--ausgabe DATEI] [--json]`: writes the Diagnosebericht of a profile
//! ([`app::diagnose`]) — version, configuration without secrets, audit chain status, counts and
//! the newest log lines, nothing personal — for the IT or the vendor's support.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Arguments of `amtsstube diagnose`.
#[derive(Debug, clap::Args)]
pub struct DiagnoseArgs {
    /// Wohin der Bericht geschrieben wird (Vorgabe: amtsstube-diagnose-JJJJ-MM-TT.zip im
    /// aktuellen Verzeichnis).
    #[arg(long, value_name = "DATEI")]
    ausgabe: Option<PathBuf>,
    /// Ausgabe als JSON (Pfad, Einträge, Größe).
    #[arg(long)]
    json: bool,
}

/// Runs `amtsstube diagnose`.
pub fn run(profile: &Path, args: &DiagnoseArgs) -> anyhow::Result<ExitCode> {
    let ctx = app::AppContext::open(profile)?;
    let ziel = args.ausgabe.clone().unwrap_or_else(|| {
        let heute = time::OffsetDateTime::now_utc().date();
        PathBuf::from(format!("amtsstube-diagnose-{heute}.zip"))
    });
    let b = ctx.diagnosebericht(&ziel)?;
    if args.json {
        let wert = serde_json::json!({
            "pfad": b.pfad,
            "eintraege": b.eintraege,
            "groesse": b.groesse,
        });
        println!("{}", serde_json::to_string_pretty(&wert)?);
    } else {
        println!(
            "Diagnosebericht geschrieben: {} ({} Einträge, {} Bytes). Er enthält keine \
             Vorgänge, Namen oder Dokumente.",
            b.pfad.display(),
            b.eintraege.len(),
            b.groesse
        );
    }
    Ok(ExitCode::SUCCESS)
}
