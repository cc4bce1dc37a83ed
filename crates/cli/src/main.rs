//! `amtsstube`: the headless command line of Amtsstube.
//!
//! Each command group lives in its own module with a `clap::Subcommand` (or `Args`) type and a
//! `run` function; `main` only parses and dispatches. Output for people is German; `--json`
//! output is for scripts and tests and stays stable.
//!
//! To add a command group: write `src/<group>.rs`, add a variant to [`Command`] and one match
//! arm in [`run`].

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod archive_cmd;
mod behoerde_cmd;
mod bescheid;
mod cases;
mod connect;
mod decide_cmd;
#[cfg(feature = "demo")]
mod demo_cmd;
mod diagnose_cmd;
mod messages_cmd;
mod outbox_cmd;
#[cfg(feature = "demo")]
mod sim;
mod sync_cmd;
mod whoami_cmd;

mod store_cmd;

/// Amtsstube – Vorgangsbearbeitung für Online-Anträge (Kommandozeile).
#[derive(Debug, Parser)]
#[command(name = "amtsstube", version, about)]
struct Cli {
    /// Profilverzeichnis (Datenbank, Einstellungen). Standard: AMTSSTUBE_PROFILE oder das
    /// Datenverzeichnis des Benutzers.
    #[arg(long, global = true, env = "AMTSSTUBE_PROFILE")]
    profile: Option<PathBuf>,

    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Bescheide als PDF/A erstellen und siegeln (`issue`), Siegel prüfen (`verify`).
    Bescheid {
        #[command(subcommand)]
        cmd: bescheid::BescheidCmd,
    },
    /// FIT-Connect-Simulator: starten (`serve`) oder Anträge senden (`send`).
    #[cfg(feature = "demo")]
    Sim {
        #[command(subcommand)]
        cmd: sim::SimCmd,
    },
    /// Verbindet das Profil mit einem FIT-Connect-Zustelldienst und registriert seine Schlüssel.
    Connect(connect::ConnectArgs),
    /// Holt neue Anträge ab und sendet Annahmen/Ablehnungen (`--once` oder `--watch`).
    Sync(sync_cmd::SyncArgs),
    /// Vorgänge anzeigen: `cases list`, `cases show AKTENZEICHEN`.
    Cases {
        #[command(subcommand)]
        cmd: cases::CasesCmd,
    },
    /// Zeigt den Postausgang (offene Annahmen, Ablehnungen, Antworten).
    Outbox(outbox_cmd::OutboxArgs),
    /// Schreibt der antragstellenden Person eines Vorgangs (Nachricht oder, mit
    /// --nachforderung, Nachforderung); gesendet wird beim nächsten `amtsstube sync`.
    Reply(messages_cmd::ReplyArgs),
    /// Zeigt die Nachrichten eines Vorgangs mit ihrem Zustellstand (neueste zuerst).
    Messages(messages_cmd::MessagesArgs),
    /// Bescheidentwurf: Vorschlag ausgeben (--ausgabe), Entwurf speichern (--entwurf),
    /// Vorschau als SVG (--vorschau), zur Freigabe vorlegen (--vorlegen).
    Decide(decide_cmd::DecideArgs),
    /// Gibt den vorgelegten Bescheid frei (Vier-Augen-Prinzip: nicht durch seine
    /// Verfasser), siegelt und versendet ihn; --zurueck KOMMENTAR gibt ihn zurück.
    Approve(decide_cmd::ApproveArgs),
    /// Gibt einen abgeschlossenen Vorgang an die E-Akte ab (xdomea 0605) und holt
    /// Bestätigungen ab; --pending listet, was noch nicht bestätigt ist.
    Archive(archive_cmd::ArchiveArgs),
    /// Zeigt Version, Profilverzeichnis und Verbindungsart.
    Info {
        /// Ausgabe als JSON.
        #[arg(long)]
        json: bool,
    },
    /// Wartung der verschlüsselten Datenbank: prüfen, neu verschlüsseln.
    Store {
        #[command(subcommand)]
        cmd: store_cmd::StoreCmd,
    },
    /// Demo-Daten: `demo fuellen --anzahl N` legt erzeugte Vorgänge im Profil an.
    #[cfg(feature = "demo")]
    Demo {
        #[command(subcommand)]
        cmd: demo_cmd::DemoCmd,
    },
    /// Zeigt, wer in diesem Profil handelt: Anmeldung, Rollen und ihre Herkunft.
    Whoami(whoami_cmd::WhoamiArgs),
    /// Diagnosebericht für die IT schreiben (ZIP: Version, Konfiguration ohne Geheimnisse,
    /// Prüfprotokoll-Status, Anzahlen, Protokolle; nichts Persönliches).
    Diagnose(diagnose_cmd::DiagnoseArgs),
    /// Behördenkonfiguration prüfen (`pruefen [DATEI]`) oder anzeigen (`zeigen`).
    Behoerde {
        #[command(subcommand)]
        cmd: behoerde_cmd::BehoerdeCmd,
    },
}

fn profile_dir(cli: &Cli) -> anyhow::Result<PathBuf> {
    match &cli.profile {
        Some(p) => Ok(p.clone()),
        None => Ok(app::profile::default_dir()?),
    }
}

/// Log lines of the commands that work on a profile go to its `protokolle/amtsstube.log` (and
/// the journal), at the policy's level (crate `protokoll`). Only an existing profile: a
/// command never creates the default profile just to log. A faulty policy is the command's
/// own error to report, not the log's.
fn protokoll_einrichten(cli: &Cli) {
    let Ok(dir) = profile_dir(cli) else { return };
    if !dir.is_dir() {
        return;
    }
    let stufe = app::profile::richtlinie_laden()
        .ok()
        .and_then(|r| r.protokollstufe)
        .and_then(|s| protokoll::stufe_lesen(s.name()).ok());
    if let Err(e) = protokoll::einrichten(&dir, "amtsstube", stufe) {
        eprintln!("Hinweis: {e}");
    }
}

fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let ohne_profil = matches!(
        cli.command,
        Command::Bescheid { .. } | Command::Behoerde { .. }
    );
    #[cfg(feature = "demo")]
    let ohne_profil = ohne_profil || matches!(cli.command, Command::Sim { .. });
    if !ohne_profil {
        protokoll_einrichten(&cli);
    }
    match &cli.command {
        Command::Bescheid { cmd } => bescheid::run(cmd),
        #[cfg(feature = "demo")]
        Command::Sim { cmd } => sim::run(cmd),
        Command::Connect(args) => connect::run(&profile_dir(&cli)?, args),
        Command::Sync(args) => sync_cmd::run(&profile_dir(&cli)?, args),
        Command::Cases { cmd } => cases::run(&profile_dir(&cli)?, cmd),
        Command::Outbox(args) => outbox_cmd::run(&profile_dir(&cli)?, args),
        Command::Reply(args) => messages_cmd::reply(&profile_dir(&cli)?, args),
        Command::Messages(args) => messages_cmd::messages(&profile_dir(&cli)?, args),
        Command::Decide(args) => decide_cmd::decide(&profile_dir(&cli)?, args),
        Command::Approve(args) => decide_cmd::approve(&profile_dir(&cli)?, args),
        Command::Archive(args) => archive_cmd::run(&profile_dir(&cli)?, args),
        Command::Info { json } => {
            let ctx = app::AppContext::open(&profile_dir(&cli)?)?;
            let info = ctx.app_info()?;
            if *json {
                println!("{}", serde_json::to_string_pretty(&info)?);
            } else {
                println!("{} {}", info.product, info.version);
                println!("Profil: {}", info.profile_dir);
                println!(
                    "Modus:  {}",
                    if ctx.is_demo() {
                        "Demo-Modus (Simulator)"
                    } else {
                        "Verbunden"
                    }
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Store { cmd } => store_cmd::run(&profile_dir(&cli)?, cmd),
        #[cfg(feature = "demo")]
        Command::Demo { cmd } => demo_cmd::run(&profile_dir(&cli)?, cmd),
        Command::Behoerde { cmd } => behoerde_cmd::run(&profile_dir(&cli)?, cmd),
        Command::Whoami(args) => whoami_cmd::run(&profile_dir(&cli)?, args),
        Command::Diagnose(args) => diagnose_cmd::run(&profile_dir(&cli)?, args),
    }
}

fn main() -> ExitCode {
    // Before anything holds the database key: no core dumps (issue 18).
    if let Err(e) = app::haertung::kernabbilder_verbieten() {
        eprintln!("{e}");
    }
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("Fehler: {e:#}");
            ExitCode::FAILURE
        }
    }
}
