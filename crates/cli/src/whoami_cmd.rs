//! `amtsstube whoami`: who acts in this profile, with which roles, and why.
//!
//! For the administrator rolling out `rollen.toml` (is the file used? which line is wrong?) and
//! for tests at process level. It determines the session exactly as the app does
//! ([`app::sitzung::SitzungsDaten::fuer_app`] with the profile's connection mode) without
//! opening the encrypted store, so it works without the key source too.

use std::path::Path;
use std::process::ExitCode;

use app::sitzung::{SitzungsDaten, rolle_text};

/// Arguments of `amtsstube whoami`.
#[derive(Debug, clap::Args)]
pub struct WhoamiArgs {
    /// Ausgabe als JSON.
    #[arg(long)]
    json: bool,
}

/// Runs `amtsstube whoami`.
pub fn run(profile: &Path, args: &WhoamiArgs) -> anyhow::Result<ExitCode> {
    let richtlinie = app::profile::richtlinie_laden()?;
    let demo = app::ConnectionConfig::load_mit(profile, &richtlinie)?.is_none();
    let s = SitzungsDaten::fuer_app(demo, &richtlinie);
    let rollen: Vec<&str> = s.rollen.iter().map(|r| rolle_text(*r)).collect();
    if args.json {
        let wert = serde_json::json!({
            "benutzer": s.benutzer,
            "anzeigename": s.anzeigename,
            "rolle": s.rolle,
            "rollen": s.rollen,
            "demo": s.demo,
            "herkunft": s.herkunft,
            "hinweise": s.hinweise,
            "telefon": s.telefon,
            "email": s.email,
            "zimmer": s.zimmer,
        });
        println!("{}", serde_json::to_string_pretty(&wert)?);
    } else {
        println!("Anmeldung: {}", s.benutzer);
        println!("Name:      {}", s.anzeigename);
        println!("Rollen:    {}", rollen.join(", "));
        println!(
            "Modus:     {}",
            if s.demo { "Demo-Modus" } else { "Verbunden" }
        );
        println!("Herkunft:  {}", s.herkunft);
        for (was, wert) in [
            ("Telefon:  ", &s.telefon),
            ("E-Mail:   ", &s.email),
            ("Zimmer:   ", &s.zimmer),
        ] {
            if let Some(w) = wert {
                println!("{was} {w}");
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
