//! `amtsstube sync --once | --watch`: fetches new applications into the encrypted store and
//! sends accepts and rejects (the `sync` engine), with progress on stderr: a progress bar on
//! a terminal, plain lines otherwise (logs, CI). The summary goes to stdout.
//!
//! Uses what `amtsstube connect` left in the profile: `connection.json`, the client secret
//! and the profile's private keys in the OS keyring; the store's key from the key source of
//! the profile (OS keyring, or `AMTSSTUBE_KEY_FILE`).

use std::io::{IsTerminal as _, Write as _};
use std::path::Path;
use std::process::ExitCode;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::Context as _;
use clap::Args;
use fitconnect::profile_keys::{self, ProfileKeys};
use store::Store;
use sync::{Bericht, Engine, Fortschritt, Konfiguration};

/// Arguments of `amtsstube sync`.
#[derive(Debug, Args)]
pub struct SyncArgs {
    /// Ein vollständiger Durchlauf (Exit-Code 0, wenn alles Gefundene gespeichert oder
    /// abgelehnt wurde).
    #[arg(long, conflicts_with = "watch")]
    once: bool,
    /// Dauerbetrieb: Durchlauf alle --intervall Sekunden, bis Strg+C.
    #[arg(long)]
    watch: bool,
    /// Sekunden zwischen zwei Durchläufen im Dauerbetrieb.
    #[arg(long, default_value_t = 120)]
    intervall: u64,
    /// Gleichzeitige Abrufe.
    #[arg(long, default_value_t = 4)]
    gleichzeitig: usize,
    /// Zusammenfassung als JSON.
    #[arg(long)]
    json: bool,
}

/// Opens the profile's store with its configured key source (the policy's, if it pins one).
pub fn store_oeffnen(profile: &Path) -> anyhow::Result<Store> {
    let richtlinie = app::profile::richtlinie_laden()?;
    Store::open_profil(
        profile,
        &app::profile::schluesselquelle(profile, &richtlinie),
    )
    .context("Die verschlüsselte Datenbank des Profils lässt sich nicht öffnen")
}

fn engine(profile: &Path, gleichzeitig: usize) -> anyhow::Result<Engine> {
    let conn = app::ConnectionConfig::load(profile)?.context(
        "Dieses Profil ist mit keinem Zustelldienst verbunden. Richten Sie die Verbindung mit \
         `amtsstube connect` ein.",
    )?;
    let secret = profile_keys::load_client_secret(profile)?.context(
        "Das Client-Secret fehlt im Schlüsselbund. Richten Sie die Verbindung mit \
         `amtsstube connect` neu ein.",
    )?;
    let keys = ProfileKeys::load(profile)?.context(
        "Die Schlüssel des Profils fehlen. Richten Sie die Verbindung mit `amtsstube connect` ein.",
    )?;
    let behoerde = app::profile::behoerde_laden(profile, false)?;
    let store = Arc::new(store_oeffnen(profile)?);
    let transport = app::ConnectionConfig::transport(profile)?;
    Ok(app::sync_dienst::engine_fuer_verbindung(
        &conn,
        secret,
        transport,
        keys,
        store,
        &behoerde,
        Konfiguration {
            gleichzeitig: gleichzeitig.max(1),
            ..Konfiguration::fuer_behoerde(&behoerde)
        },
    )?)
}

/// Shows progress events: a redrawn bar on a terminal, one line per event otherwise.
struct Anzeige {
    terminal: bool,
    stand: Mutex<(usize, usize)>,
}

impl Anzeige {
    fn new() -> Self {
        Anzeige {
            terminal: std::io::stderr().is_terminal(),
            stand: Mutex::new((0, 0)),
        }
    }

    fn balken(&self, fertig: usize, von: usize) -> String {
        const BREITE: usize = 30;
        let voll = (fertig * BREITE).checked_div(von).unwrap_or(BREITE);
        format!(
            "\r[{}{}] {fertig}/{von} verarbeitet",
            "#".repeat(voll),
            "-".repeat(BREITE - voll)
        )
    }

    fn zeile(&self, text: &str) {
        let mut err = std::io::stderr().lock();
        if self.terminal {
            // Clear the bar, print the line, redraw the bar.
            let _ = write!(err, "\r\x1b[2K{text}\n");
            if let Ok(s) = self.stand.lock()
                && s.1 > 0
            {
                let _ = write!(err, "{}", self.balken(s.0, s.1));
            }
        } else {
            let _ = writeln!(err, "{text}");
        }
        let _ = err.flush();
    }

    fn melden(&self, f: Fortschritt) {
        match f {
            Fortschritt::Gefunden { gelistet, neu } => {
                if let Ok(mut s) = self.stand.lock() {
                    *s = (0, neu);
                }
                self.zeile(&format!(
                    "Zur Abholung bereit: {gelistet}, davon neu abzurufen: {neu}"
                ));
            }
            Fortschritt::Abruf {
                nr,
                von,
                submission_id,
            } => {
                if !self.terminal {
                    self.zeile(&format!("Abruf {nr}/{von}: Einreichung {submission_id}"));
                }
            }
            Fortschritt::Gespeichert {
                submission_id,
                aktenzeichen,
                nachgereicht,
            } => {
                self.weiter();
                self.zeile(&if nachgereicht {
                    format!("Nachreichung {submission_id} zum Vorgang {aktenzeichen} gespeichert")
                } else {
                    format!("Gespeichert: {aktenzeichen} (Einreichung {submission_id})")
                });
            }
            Fortschritt::Abgelehnt {
                submission_id,
                problem,
                grund,
            } => {
                self.weiter();
                let art = problem.rsplit('/').next().unwrap_or(&problem).to_owned();
                self.zeile(&format!(
                    "Abgelehnt: Einreichung {submission_id} ({art}): {grund}"
                ));
            }
            Fortschritt::Bestaetigt {
                submission_id,
                zustand,
            } => {
                if !self.terminal {
                    let was = if zustand == "accepted" {
                        "Annahme"
                    } else {
                        "Ablehnung"
                    };
                    self.zeile(&format!(
                        "{was} vom Zustelldienst bestätigt: Einreichung {submission_id}"
                    ));
                }
            }
            Fortschritt::Fehler {
                meldung,
                voruebergehend,
                submission_id,
            } => {
                if submission_id.is_some() && !voruebergehend {
                    self.weiter();
                }
                let zusatz = if voruebergehend {
                    " (wird wiederholt)"
                } else {
                    ""
                };
                self.zeile(&format!("Fehler: {meldung}{zusatz}"));
            }
        }
    }

    fn weiter(&self) {
        if let Ok(mut s) = self.stand.lock() {
            s.0 = (s.0 + 1).min(s.1);
            if self.terminal {
                let mut err = std::io::stderr().lock();
                let _ = write!(err, "{}", self.balken(s.0, s.1));
                let _ = err.flush();
            }
        }
    }

    fn ende(&self) {
        if self.terminal {
            let _ = writeln!(std::io::stderr());
        }
    }
}

fn zusammenfassung(b: &Bericht, json: bool) -> anyhow::Result<()> {
    if json {
        println!("{}", serde_json::to_string_pretty(b)?);
        return Ok(());
    }
    println!(
        "Durchlauf beendet: {} gespeichert, {} nachgereicht, {} abgelehnt; {} Annahmen und {} \
         Ablehnungen zugestellt; {} nicht erledigt; {} Ausgangsaufträge und {} Antworten an \
         Antragsteller offen.",
        b.gespeichert,
        b.nachgereicht,
        b.abgelehnt,
        b.angenommen,
        b.ablehnungen_zugestellt,
        b.nicht_erledigt,
        b.ausgang_offen,
        b.antworten_offen
    );
    for f in &b.fehler {
        println!("  Fehler: {f}");
    }
    Ok(())
}

/// Runs `amtsstube sync`.
pub fn run(profile: &Path, args: &SyncArgs) -> anyhow::Result<ExitCode> {
    if !args.once && !args.watch {
        anyhow::bail!("Bitte --once (ein Durchlauf) oder --watch (Dauerbetrieb) angeben.");
    }
    let profile = app::profile::ensure_dir(profile)?;
    let engine = engine(&profile, args.gleichzeitig)?;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("Laufzeitumgebung nicht startbar")?;
    let anzeige = Anzeige::new();
    let melden = |f: Fortschritt| anzeige.melden(f);
    if args.once {
        let b = rt.block_on(engine.bis_ruhe(8, Duration::from_secs(30), &melden))?;
        anzeige.ende();
        zusammenfassung(&b, args.json)?;
        return Ok(if b.alles_erledigt() {
            ExitCode::SUCCESS
        } else {
            ExitCode::FAILURE
        });
    }
    rt.block_on(async {
        // One listener for the whole loop, polled first in every select: a Ctrl+C during a
        // pass ends it too (a listener made only for the pause would miss it). Stopping a
        // pass midway is safe: the engine persists each step before the next.
        let mut strg_c = std::pin::pin!(tokio::signal::ctrl_c());
        loop {
            tokio::select! {
                biased;
                _ = &mut strg_c => return Ok::<_, anyhow::Error>(()),
                r = engine.durchlauf(&melden) => match r {
                    Ok(b) => {
                        anzeige.ende();
                        zusammenfassung(&b, args.json)?;
                    }
                    Err(e) => anzeige.zeile(&format!("Fehler: {e}")),
                },
            }
            tokio::select! {
                biased;
                _ = &mut strg_c => return Ok::<_, anyhow::Error>(()),
                _ = tokio::time::sleep(Duration::from_secs(args.intervall.max(1))) => {}
            }
        }
    })?;
    Ok(ExitCode::SUCCESS)
}
