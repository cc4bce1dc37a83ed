//! `amtsstube sim`: the FIT-Connect simulator as a command.
//!
//! - `sim serve` starts the simulated integration service with K pending applications and
//!   writes the connection data (`--info-file`, JSON: base_url, token_url, destination_id,
//!   subscriber and sender credentials). The applications are sent as soon as a profile has
//!   registered its keys with `amtsstube connect --info-file FILE`.
//! - `sim send` lets the simulated applicants send more applications to a running simulator.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context as _;
use clap::Subcommand;

/// Subcommands of `amtsstube sim`.
#[derive(Debug, Subcommand)]
pub enum SimCmd {
    /// Startet den simulierten Zustelldienst (bis Strg+C).
    Serve {
        /// Adresse, z. B. 127.0.0.1:8080 (Port 0: frei wählen).
        #[arg(long, default_value = "127.0.0.1:0")]
        addr: SocketAddr,
        /// Startwert für Kennungen, Zugangsdaten und Anträge.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Anzahl Anträge, die nach der Schlüsselregistrierung eingehen.
        #[arg(long, default_value_t = 10)]
        submissions: u64,
        /// Hier werden die Verbindungsdaten als JSON abgelegt.
        #[arg(long)]
        info_file: PathBuf,
        /// Fehlerinjektion als JSON-Datei (Felder wie simulator::Faults).
        #[arg(long)]
        faults: Option<PathBuf>,
    },
    /// Lässt simulierte Antragstellende weitere Anträge senden.
    Send {
        /// Verbindungsdaten von `sim serve`.
        #[arg(long)]
        info_file: PathBuf,
        /// Anzahl Anträge.
        #[arg(long, default_value_t = 1)]
        count: u64,
        /// Startwert (Standard: aus der Uhrzeit).
        #[arg(long)]
        seed: Option<u64>,
    },
}

fn read_info(path: &Path) -> anyhow::Result<simulator::SimInfo> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("Verbindungsdatei {} nicht lesbar", path.display()))?;
    serde_json::from_str(&text)
        .with_context(|| format!("Verbindungsdatei {} ist fehlerhaft", path.display()))
}

fn write_private(path: &Path, text: &str) -> anyhow::Result<()> {
    let tmp = path.with_extension("new");
    std::fs::write(&tmp, text).with_context(|| format!("{} nicht schreibbar", tmp.display()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::set_permissions(&tmp, std::fs::Permissions::from_mode(0o600))?;
    }
    std::fs::rename(&tmp, path).with_context(|| format!("{} nicht schreibbar", path.display()))
}

/// Runs `amtsstube sim …`.
pub fn run(cmd: &SimCmd) -> anyhow::Result<ExitCode> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("Laufzeitumgebung nicht startbar")?;
    rt.block_on(async {
        match cmd {
            SimCmd::Serve {
                addr,
                seed,
                submissions,
                info_file,
                faults,
            } => {
                let faults = match faults {
                    Some(p) => serde_json::from_str(
                        &std::fs::read_to_string(p)
                            .with_context(|| format!("{} nicht lesbar", p.display()))?,
                    )
                    .with_context(|| {
                        format!("{} ist keine gültige Fehlerkonfiguration", p.display())
                    })?,
                    None => simulator::Faults::default(),
                };
                let sim = simulator::Simulator::start(simulator::SimConfig {
                    addr: *addr,
                    seed: *seed,
                    submissions: *submissions,
                    faults,
                    ..Default::default()
                })
                .await?;
                write_private(info_file, &serde_json::to_string_pretty(sim.info())?)?;
                println!("Simulator läuft: {}", sim.base_url());
                println!("Zustellpunkt:    {}", sim.info().destination_id);
                println!("Verbindungsdaten: {}", info_file.display());
                println!(
                    "{submissions} Anträge gehen ein, sobald ein Profil verbunden ist \
                     (amtsstube --profile DIR connect --info-file {}). Beenden mit Strg+C.",
                    info_file.display()
                );
                tokio::signal::ctrl_c()
                    .await
                    .context("Signal nicht empfangbar")?;
                sim.stop().await;
                Ok(ExitCode::SUCCESS)
            }
            SimCmd::Send {
                info_file,
                count,
                seed,
            } => {
                let info = read_info(info_file)?;
                let seed = seed.unwrap_or_else(|| {
                    std::time::SystemTime::now()
                        .duration_since(std::time::UNIX_EPOCH)
                        .map(|d| d.as_nanos() as u64)
                        .unwrap_or(1)
                });
                let client = info.sender_client()?;
                let sent = simulator::applicant::send_applications(
                    &client,
                    &info.destination_id,
                    seed,
                    0,
                    *count,
                    false,
                )
                .await
                .context("Anträge konnten nicht gesendet werden")?;
                for s in &sent {
                    println!("{}", s.submission_id);
                }
                eprintln!("{} Anträge gesendet.", sent.len());
                Ok(ExitCode::SUCCESS)
            }
        }
    })
}
