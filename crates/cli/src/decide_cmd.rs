//! `amtsstube decide` and `amtsstube approve`: the Entscheidung tab on the command line.
//!
//! - `decide AZ --vorlage V --ergebnis E --ausgabe F`: writes the proposal (prefilled from the
//!   case) as JSON to F for editing; nothing is saved.
//! - `decide AZ --entwurf F [--vorlegen] [--vorschau DIR]`: saves F as the draft's next version
//!   (as the acting login), optionally writes the preview pages (SVG) to DIR and submits it
//!   for approval.
//! - `approve AZ [--pdf OUT]`: approves (Freigabe: seal, keep, send) as the acting login, who
//!   must hold Zeichnungsbefugnis and have written no version; `--zurueck TEXT` returns it.
//!
//! The acting person and the rules are the app's (`AppContext`), so the CLI cannot do what the
//! window refuses.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, bail};
use app::AppContext;
use ipc::{BescheidEntwurf, Ergebnis};

use crate::messages_cmd::vorgang_id;

/// Arguments of `amtsstube decide`.
#[derive(Debug, clap::Args)]
pub struct DecideArgs {
    /// Aktenzeichen des Vorgangs.
    aktenzeichen: String,
    /// Bescheidvorlage der Leistung (z. B. hundesteuer); ohne: die erste der Leistung.
    #[arg(long)]
    vorlage: Option<String>,
    /// Ergebnis: stattgegeben, teilweise_stattgegeben oder abgelehnt.
    #[arg(long, default_value = "stattgegeben")]
    ergebnis: String,
    /// Schreibt den Vorschlag als JSON in diese Datei (zum Bearbeiten; speichert nichts).
    #[arg(long, value_name = "F.json", conflicts_with = "entwurf")]
    ausgabe: Option<PathBuf>,
    /// Speichert diesen Entwurf (JSON wie von --ausgabe) als neue Fassung.
    #[arg(long, value_name = "F.json")]
    entwurf: Option<PathBuf>,
    /// Legt den gespeicherten Entwurf danach zur Freigabe vor.
    #[arg(long, requires = "entwurf")]
    vorlegen: bool,
    /// Schreibt die Seiten der Vorschau als SVG in diesen Ordner.
    #[arg(long, value_name = "DIR")]
    vorschau: Option<PathBuf>,
}

/// Arguments of `amtsstube approve`.
#[derive(Debug, clap::Args)]
pub struct ApproveArgs {
    /// Aktenzeichen des Vorgangs.
    aktenzeichen: String,
    /// Gibt den Entwurf mit diesem Kommentar zur Überarbeitung zurück, statt ihn freizugeben.
    #[arg(long, value_name = "KOMMENTAR")]
    zurueck: Option<String>,
    /// Schreibt den gesiegelten Bescheid zusätzlich in diese Datei.
    #[arg(long, value_name = "OUT.pdf")]
    pdf: Option<PathBuf>,
}

fn ergebnis(text: &str) -> anyhow::Result<Ergebnis> {
    Ok(match text {
        "stattgegeben" | "bewilligung" => Ergebnis::Stattgegeben,
        "teilweise_stattgegeben" | "teilbewilligung" => Ergebnis::TeilweiseStattgegeben,
        "abgelehnt" | "ablehnung" => Ergebnis::Abgelehnt,
        andere => bail!(
            "„{andere}“ ist kein Ergebnis: stattgegeben, teilweise_stattgegeben oder abgelehnt."
        ),
    })
}

/// An app error as the CLI reports it: its German message.
pub(crate) fn fehler(e: ipc::IpcError) -> anyhow::Error {
    anyhow::anyhow!(e.message)
}

fn vorschau_schreiben(
    ctx: &AppContext,
    id: &str,
    e: &BescheidEntwurf,
    dir: &Path,
) -> anyhow::Result<()> {
    let v = ctx
        .entscheidung_vorschau(id.to_owned(), e.clone())
        .map_err(fehler)?;
    if let Some(f) = v.fehler {
        bail!("Der Entwurf lässt sich nicht setzen: {f}");
    }
    std::fs::create_dir_all(dir)
        .with_context(|| format!("{} lässt sich nicht anlegen", dir.display()))?;
    for (i, s) in v.seiten.iter().enumerate() {
        let p = dir.join(format!("seite-{}.svg", i + 1));
        std::fs::write(&p, s).with_context(|| format!("{} nicht schreibbar", p.display()))?;
    }
    println!(
        "Vorschau: {} Seite(n) in {} (gesetzt in {} ms)",
        v.seiten.len(),
        dir.display(),
        v.millis
    );
    Ok(())
}

/// Runs `amtsstube decide`.
pub fn decide(profile: &Path, a: &DecideArgs) -> anyhow::Result<ExitCode> {
    let ctx = AppContext::open(profile)?;
    let id = vorgang_id(&ctx, &a.aktenzeichen)?;
    if let Some(pfad) = &a.entwurf {
        let text = std::fs::read_to_string(pfad)
            .with_context(|| format!("{} nicht lesbar", pfad.display()))?;
        let e: BescheidEntwurf = serde_json::from_str(&text).with_context(|| {
            format!(
                "{} ist kein Bescheidentwurf (JSON wie von `amtsstube decide … --ausgabe`)",
                pfad.display()
            )
        })?;
        if let Some(dir) = &a.vorschau {
            vorschau_schreiben(&ctx, &id, &e, dir)?;
        }
        let an = ctx.entscheidung_speichern(id.clone(), e).map_err(fehler)?;
        println!(
            "Entwurf zum Vorgang {} als Fassung {} gespeichert.",
            a.aktenzeichen,
            an.version.unwrap_or_default()
        );
        if a.vorlegen {
            ctx.vorgang_aktion(ipc::AktionAnfrage {
                id,
                aktion: ipc::Aktion::ZurFreigabeVorlegen,
                begruendung: None,
                empfaenger: None,
                datum: None,
            })
            .map_err(fehler)?;
            println!("Zur Freigabe vorgelegt.");
        }
        return Ok(ExitCode::SUCCESS);
    }
    let an = ctx.entscheidung(id.clone()).map_err(fehler)?;
    let vorlage = match &a.vorlage {
        Some(v) => v.clone(),
        None => an
            .vorlagen
            .first()
            .map(|v| v.id.clone())
            .context("Die Leistung des Vorgangs hat keine Bescheidvorlage.")?,
    };
    let e = ctx
        .entscheidung_vorschlag(id.clone(), vorlage, ergebnis(&a.ergebnis)?)
        .map_err(fehler)?;
    if let Some(dir) = &a.vorschau {
        vorschau_schreiben(&ctx, &id, &e, dir)?;
    }
    let json = serde_json::to_string_pretty(&e)?;
    match &a.ausgabe {
        Some(p) => {
            std::fs::write(p, json).with_context(|| format!("{} nicht schreibbar", p.display()))?;
            println!(
                "Vorschlag in {} geschrieben; bearbeiten und mit `amtsstube decide {} --entwurf {}` speichern.",
                p.display(),
                a.aktenzeichen,
                p.display()
            );
        }
        None => println!("{json}"),
    }
    Ok(ExitCode::SUCCESS)
}

/// Runs `amtsstube approve`.
pub fn approve(profile: &Path, a: &ApproveArgs) -> anyhow::Result<ExitCode> {
    let ctx = AppContext::open(profile)?;
    let id = vorgang_id(&ctx, &a.aktenzeichen)?;
    if let Some(k) = &a.zurueck {
        ctx.entscheidung_zurueckgeben(id, k.clone())
            .map_err(fehler)?;
        println!("Entwurf zum Vorgang {} zurückgegeben.", a.aktenzeichen);
        return Ok(ExitCode::SUCCESS);
    }
    let an = ctx.entscheidung_freigeben(id.clone()).map_err(fehler)?;
    let b = an
        .bescheid
        .context("Die Freigabe hat keinen Bescheid ergeben (interner Fehler).")?;
    println!(
        "Bescheid zum Vorgang {} freigegeben und gesiegelt: {}. {}",
        a.aktenzeichen, b.dateiname, b.versand
    );
    if let Some(out) = &a.pdf {
        let vid = id.parse().map(domain::VorgangId).context("Vorgangs-Id")?;
        let sha = ctx
            .store()
            .read(|r| r.vorgang(&vid))?
            .and_then(|v| v.bescheid.map(|b| b.sha512))
            .context("Der Bescheid fehlt im Vorgang.")?;
        let mut leser = ctx.store().anlage_leser(&sha)?;
        let mut daten = Vec::new();
        std::io::Read::read_to_end(&mut leser, &mut daten)?;
        std::fs::write(out, daten)
            .with_context(|| format!("{} nicht schreibbar", out.display()))?;
        println!("Gesiegelter Bescheid: {}", out.display());
    }
    Ok(ExitCode::SUCCESS)
}
