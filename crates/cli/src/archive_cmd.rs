//! `amtsstube archive`: the E-Akte hand-over on the command line (issue 17).
//!
//! - `archive AZ`: hands the finished case over (as the acting login, through the same rules
//!   as „An E-Akte abgeben“ in the window), then runs one pass: deliver, read the return
//!   folder, purge what is due.
//! - `archive --pending`: runs one pass, then lists every case not yet confirmed by the
//!   E-Akte (to hand over, on its way, failed) with its step, and the hints of the pass.
//!
//! Exit code 0 when everything worked, 1 when a hint needs attention (delivery failed,
//! confirmation unreadable or unknown, import error).

use std::path::Path;
use std::process::ExitCode;

use anyhow::Context;
use app::AppContext;
use ipc::{Ansicht, QueueAnfrage, SortSpalte};

use crate::decide_cmd::fehler;
use crate::messages_cmd::vorgang_id;

/// Arguments of `amtsstube archive`.
#[derive(Debug, clap::Args)]
pub struct ArchiveArgs {
    /// Aktenzeichen des abgeschlossenen Vorgangs, der an die E-Akte geht.
    #[arg(required_unless_present = "pending", conflicts_with = "pending")]
    aktenzeichen: Option<String>,
    /// Listet die Vorgänge, deren Abgabe noch nicht bestätigt ist (nach einem Durchgang).
    #[arg(long)]
    pending: bool,
    /// Ausgabe als JSON (mit --pending).
    #[arg(long, requires = "pending")]
    json: bool,
}

/// Runs `amtsstube archive`.
pub fn run(profile: &Path, a: &ArchiveArgs) -> anyhow::Result<ExitCode> {
    let ctx = AppContext::open(profile)?;
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("tokio")?;
    let mut problem = false;
    if let Some(az) = &a.aktenzeichen {
        let id = vorgang_id(&ctx, az)?;
        let vorschau = ctx.eakte_vorschau(id.clone()).map_err(fehler)?;
        let d = ctx.eakte_abgeben(id).map_err(fehler)?;
        let e = d
            .eakte
            .context("Die Abgabe wurde nicht vermerkt (interner Fehler).")?;
        println!(
            "Vorgang {az} an die E-Akte übergeben: {} Dokumente, ProzessID {}, Ziel {}.",
            e.dokumente, e.prozess_id, vorschau.ziel
        );
    }
    let hinweise = rt.block_on(ctx.eakte_durchgang()).map_err(fehler)?;
    for h in &hinweise {
        eprintln!("Hinweis: {h}");
        problem = true;
    }
    if let Some(az) = &a.aktenzeichen {
        let id = vorgang_id(&ctx, az)?;
        let d = ctx.vorgang_erneut(id).map_err(fehler)?;
        if let Some(e) = d.eakte {
            println!("Stand: {}", e.zustand_text);
            if let Some(f) = e.zustellfehler {
                println!("Zustellung noch nicht gelungen (wird wiederholt): {f}");
            }
        }
    }
    if a.pending {
        let mut zeilen = Vec::new();
        let mut offset = 0;
        loop {
            let seite = ctx
                .posteingang(QueueAnfrage {
                    ansicht: Ansicht::AbgabeOffen,
                    suche: None,
                    sortierung: SortSpalte::Eingang,
                    absteigend: false,
                    offset,
                    limit: 500,
                })
                .map_err(fehler)?;
            if seite.zeilen.is_empty() {
                break;
            }
            offset += seite.zeilen.len() as u32;
            for z in &seite.zeilen {
                let d = ctx.vorgang_erneut(z.id.clone()).map_err(fehler)?;
                if d.eakte.as_ref().is_some_and(|e| e.fehler.is_some()) {
                    problem = true;
                }
                zeilen.push(d);
            }
        }
        if a.json {
            let v: Vec<_> = zeilen
                .iter()
                .map(|d| {
                    serde_json::json!({
                        "aktenzeichen": d.aktenzeichen,
                        "status": d.status_text,
                        "eakte": d.eakte,
                    })
                })
                .collect();
            println!("{}", serde_json::to_string_pretty(&v)?);
        } else if zeilen.is_empty() {
            println!("Keine Abgabe an die E-Akte offen.");
        } else {
            for d in &zeilen {
                let stand = match &d.eakte {
                    None => "noch nicht übergeben".to_owned(),
                    Some(e) => match (&e.fehler, &e.zustellfehler) {
                        (Some(f), _) => format!("{} – {f}", e.zustand_text),
                        (None, Some(f)) => format!("{} – {f}", e.zustand_text),
                        _ => e.zustand_text.clone(),
                    },
                };
                println!("{}\t{}\t{stand}", d.aktenzeichen, d.status_text);
            }
        }
    }
    Ok(if problem {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}
