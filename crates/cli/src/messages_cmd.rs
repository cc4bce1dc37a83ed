//! `amtsstube reply AKTENZEICHEN --text-file DATEI …` and `amtsstube messages AKTENZEICHEN
//! [--json]`: writing to the applicant of a case and reading the thread, headless.
//!
//! Both run on the app's [`AppContext`], so the CLI checks and sends exactly as the desktop
//! app does (one composition for preview and sending, files checked by content, the
//! Nachforderung's status change and Wiedervorlage in the transaction that queues the
//! message). `reply` only queues: the message waits in the Postausgang until the next sync
//! pass (`amtsstube sync`) delivers it. Showing the thread is an access to the case and goes
//! to the audit log, like `cases show`.

use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context as _, bail};
use app::AppContext;
use clap::Args;
use ipc::{NachrichtAnfrage, NachrichtArt, NachrichtInfo, VorgangDetail};
use serde_json::json;

/// Arguments of `amtsstube reply`.
#[derive(Debug, Args)]
pub struct ReplyArgs {
    /// Aktenzeichen des Vorgangs.
    aktenzeichen: String,
    /// Datei mit dem Text der Nachricht (reiner Text, UTF-8); `-` liest die Standardeingabe.
    #[arg(long, value_name = "DATEI")]
    text_file: PathBuf,
    /// Betreff. Standard: der Betreff der Vorlage (mit dem Aktenzeichen).
    #[arg(long, value_name = "TEXT")]
    betreff: Option<String>,
    /// Beizufügende Datei (PDF, PNG oder JPEG, höchstens 20 MB); mehrfach angebbar.
    #[arg(long = "anlage", value_name = "DATEI")]
    anlagen: Vec<PathBuf>,
    /// Nachzureichender Nachweis (ID aus der Behördenkonfiguration der Leistung); mehrfach
    /// angebbar. Macht die Nachricht zur Nachforderung: der Vorgang wartet dann auf
    /// Unterlagen.
    #[arg(long = "nachforderung", value_name = "NACHWEIS-ID")]
    nachweise: Vec<String>,
    /// Frist für die Antwort auf eine Nachforderung. Standard: die Nachforderungsfrist der
    /// Leistung ab heute.
    #[arg(long, value_name = "JJJJ-MM-TT")]
    frist: Option<String>,
}

/// Arguments of `amtsstube messages`.
#[derive(Debug, Args)]
pub struct MessagesArgs {
    /// Aktenzeichen des Vorgangs.
    aktenzeichen: String,
    /// Ausgabe als JSON.
    #[arg(long)]
    json: bool,
}

/// Who acts, as in `cases show`: `cli:` and the OS user.
/// The profile's context: the acting person is the session's, determined as in the app
/// (the OS login and its roles; in Demo-Modus the environment may choose), so the audit
/// names the real login and the CLI cannot bypass a rule the window enforces.
fn kontext(profile: &Path) -> anyhow::Result<AppContext> {
    Ok(AppContext::open(profile)?)
}

/// The case id of `aktenzeichen`.
pub(crate) fn vorgang_id(ctx: &AppContext, aktenzeichen: &str) -> anyhow::Result<String> {
    let v = ctx
        .store()
        .read(|r| r.vorgang_nach_aktenzeichen(aktenzeichen.trim()))?
        .with_context(|| {
            format!(
                "Kein Vorgang mit dem Aktenzeichen {aktenzeichen}. Prüfen Sie die Schreibweise \
                 (`amtsstube cases list` zeigt alle Aktenzeichen)."
            )
        })?;
    Ok(v.id.to_string())
}

fn text_lesen(pfad: &Path) -> anyhow::Result<String> {
    let mut text = String::new();
    let gelesen = if pfad == Path::new("-") {
        std::io::stdin().read_to_string(&mut text).map(|_| ())
    } else {
        std::fs::read_to_string(pfad).map(|t| text = t)
    };
    match gelesen {
        Ok(()) => Ok(text),
        Err(e) if e.kind() == std::io::ErrorKind::InvalidData => bail!(
            "Die Textdatei „{}“ ist kein UTF-8-Text. Speichern Sie den Text als UTF-8 \
             (reiner Text) und versuchen Sie es erneut.",
            pfad.display()
        ),
        Err(e) => bail!(
            "Die Textdatei „{}“ lässt sich nicht lesen ({e}). Prüfen Sie den Pfad bei \
             --text-file.",
            pfad.display()
        ),
    }
}

fn pfad_text(p: &Path) -> anyhow::Result<String> {
    p.to_str().map(str::to_owned).with_context(|| {
        format!(
            "Der Pfad „{}“ enthält Zeichen, die Amtsstube nicht verarbeiten kann. Benennen Sie \
             die Datei oder ihren Ordner um (nur UTF-8-Zeichen).",
            p.display()
        )
    })
}

/// Checks what only the command line can get wrong before the app checks the message:
/// a Frist without Nachforderung, Nachweise the Leistung does not know, a Nachforderung the
/// case's status does not allow, a case without a reply channel.
fn vorpruefen(args: &ReplyArgs, d: &VorgangDetail) -> anyhow::Result<()> {
    if !d.rueckkanal.fit_connect {
        let mut m = format!(
            "An den Vorgang {} kann nicht elektronisch geantwortet werden.",
            d.aktenzeichen
        );
        if let Some(h) = &d.rueckkanal.hinweis {
            m.push(' ');
            m.push_str(h);
        }
        if !d.rueckkanal.andere.is_empty() {
            m.push_str(&format!(
                " Angegebene andere Wege (nur zur Information): {}.",
                d.rueckkanal.andere.join(", ")
            ));
        }
        bail!(m);
    }
    if args.nachweise.is_empty() {
        if args.frist.is_some() {
            bail!(
                "--frist gilt nur für eine Nachforderung. Geben Sie die nachzureichenden \
                 Nachweise mit --nachforderung NACHWEIS-ID an oder lassen Sie --frist weg."
            );
        }
        return Ok(());
    }
    for n in &args.nachweise {
        if !d.nachweise_der_leistung.iter().any(|m| &m.id == n) {
            let moeglich: Vec<String> = d
                .nachweise_der_leistung
                .iter()
                .map(|m| format!("{} ({})", m.id, m.bezeichnung))
                .collect();
            if moeglich.is_empty() {
                bail!(
                    "Für die Leistung „{}“ sind keine Nachweise konfiguriert; eine \
                     Nachforderung ist nicht möglich. Senden Sie eine Nachricht ohne \
                     --nachforderung oder ergänzen Sie die Nachweise in der \
                     Behördenkonfiguration.",
                    d.leistung
                );
            }
            bail!(
                "Den Nachweis „{n}“ gibt es für die Leistung „{}“ nicht. Möglich sind: {}.",
                d.leistung,
                moeglich.join(", ")
            );
        }
    }
    match d
        .aktionen
        .iter()
        .find(|a| a.aktion == ipc::Aktion::Nachfordern)
    {
        Some(a) if a.moeglich => Ok(()),
        Some(a) => bail!(
            "Eine Nachforderung ist für den Vorgang {} noch nicht möglich: {}",
            d.aktenzeichen,
            a.hinweis.as_deref().unwrap_or("Voraussetzungen fehlen.")
        ),
        None => bail!(
            "Eine Nachforderung ist im Status „{}“ nicht möglich; Unterlagen lassen sich nur \
             nachfordern, während der Vorgang in Prüfung ist. Übernehmen Sie den Vorgang und \
             beginnen Sie in der Amtsstube die Prüfung, dann senden Sie die Nachforderung \
             erneut.",
            d.status_text
        ),
    }
}

/// Runs `amtsstube reply`.
pub fn reply(profile: &Path, args: &ReplyArgs) -> anyhow::Result<ExitCode> {
    let ctx = kontext(profile)?;
    let id = vorgang_id(&ctx, &args.aktenzeichen)?;
    let text = text_lesen(&args.text_file)?;
    let dateien = args
        .anlagen
        .iter()
        .map(|p| pfad_text(p))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let vorher = ctx.vorgang_erneut(id.clone())?;
    vorpruefen(args, &vorher)?;
    let nachforderung = !args.nachweise.is_empty();
    let anfrage = NachrichtAnfrage {
        id,
        art: if nachforderung {
            NachrichtArt::Nachforderung
        } else {
            NachrichtArt::Nachricht
        },
        betreff: args.betreff.clone().unwrap_or_default(),
        text,
        nachweise: args.nachweise.clone(),
        frist: match (&args.frist, nachforderung) {
            (Some(f), true) => Some(f.clone()),
            (None, true) => Some(vorher.nachforderungsfrist.clone()),
            (_, false) => None,
        },
        dateien,
        dokumente: Vec::new(),
    };
    let d = ctx.nachricht_senden(anfrage)?;
    // The thread is newest first: the message just queued leads it.
    if let Some(n) = d.nachrichten.first() {
        println!(
            "{} zum Vorgang {}: „{}“",
            n.art_text,
            d.aktenzeichen,
            sicher(&n.betreff)
        );
        if !n.anlagen.is_empty() {
            println!("  Anlagen:   {}", sicher(&n.anlagen.join(", ")));
        }
    }
    if nachforderung && let Some(nf) = &d.nachforderung {
        let namen: Vec<&str> = nf
            .nachweise
            .iter()
            .map(|n| n.bezeichnung.as_str())
            .collect();
        println!("  Nachweise: {}", namen.join("; "));
        println!("  Frist:     {}", datum_deutsch(&nf.frist));
        println!("  Status:    {}", d.status_text);
    }
    println!("In den Postausgang gestellt; gesendet wird beim nächsten Abruf (amtsstube sync).");
    Ok(ExitCode::SUCCESS)
}

/// Runs `amtsstube messages`.
pub fn messages(profile: &Path, args: &MessagesArgs) -> anyhow::Result<ExitCode> {
    let ctx = kontext(profile)?;
    let id = vorgang_id(&ctx, &args.aktenzeichen)?;
    // Reading the thread is an access: logged in the audit chain.
    let d = ctx.vorgang(id)?;
    if args.json {
        let o = json!({
            "aktenzeichen": d.aktenzeichen,
            "status": d.status,
            "statusText": d.status_text,
            "nachrichten": d.nachrichten,
            "nachforderung": d.nachforderung,
            "rueckkanal": d.rueckkanal,
            "nachweiseDerLeistung": d.nachweise_der_leistung,
            "nachforderungsfrist": d.nachforderungsfrist,
        });
        println!("{}", serde_json::to_string_pretty(&o)?);
        return Ok(ExitCode::SUCCESS);
    }
    if d.nachrichten.is_empty() {
        println!(
            "Zum Vorgang {} gibt es noch keine Nachrichten.",
            d.aktenzeichen
        );
    } else {
        println!(
            "Nachrichten zum Vorgang {} ({}, neueste zuerst):",
            d.aktenzeichen,
            d.nachrichten.len()
        );
        for n in &d.nachrichten {
            println!();
            nachricht_zeigen(n);
        }
    }
    if let Some(nf) = &d.nachforderung {
        println!();
        println!(
            "Nachforderung vom {} ({}), Frist {}{}:",
            zeit_deutsch(&nf.gesendet),
            sicher(&nf.von),
            datum_deutsch(&nf.frist),
            if nf.abgelaufen { " – abgelaufen" } else { "" }
        );
        for n in &nf.nachweise {
            println!(
                "  [{}] {}{}",
                if n.eingegangen { "x" } else { " " },
                n.bezeichnung,
                n.wie
                    .as_deref()
                    .map(|w| format!(" ({})", sicher(w)))
                    .unwrap_or_default()
            );
        }
        if !nf.erinnerungen.is_empty() {
            let e: Vec<String> = nf.erinnerungen.iter().map(|t| zeit_deutsch(t)).collect();
            println!("  Erinnerungen: {}", e.join(", "));
        }
    }
    if !d.rueckkanal.fit_connect {
        println!();
        println!(
            "Hinweis: {}",
            d.rueckkanal
                .hinweis
                .as_deref()
                .unwrap_or("Eine elektronische Antwort ist nicht möglich.")
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn nachricht_zeigen(n: &NachrichtInfo) {
    println!(
        "{}  {}  {}  „{}“",
        zeit_deutsch(&n.zeit),
        if n.eingehend { "Eingang" } else { "Ausgang" },
        n.art_text,
        sicher(&n.betreff)
    );
    println!("  Zustellung: {}", n.zustellung_text);
    if let Some(f) = &n.fehler {
        println!("  Fehler:     {}", sicher(f));
    }
    if let Some(v) = &n.von {
        println!("  Von:        {}", sicher(v));
    }
    if !n.anlagen.is_empty() {
        println!("  Anlagen:    {}", sicher(&n.anlagen.join(", ")));
    }
    for z in n.text.lines() {
        let z = sicher(z);
        if z.trim().is_empty() {
            println!();
        } else {
            println!("    {z}");
        }
    }
}

/// Text from outside (the applicant, a file name) for the terminal: control characters
/// (escape sequences) are shown escaped, never interpreted.
fn sicher(s: &str) -> String {
    s.chars()
        .flat_map(|c| {
            if c.is_control() && c != '\t' {
                c.escape_default().collect::<Vec<_>>()
            } else {
                vec![c]
            }
        })
        .collect()
}

/// `YYYY-MM-DD` as `TT.MM.JJJJ` (unchanged when it is not one).
fn datum_deutsch(iso: &str) -> String {
    match iso.split('-').collect::<Vec<_>>()[..] {
        [j, m, t] if j.len() == 4 && m.len() == 2 && t.len() == 2 => format!("{t}.{m}.{j}"),
        _ => iso.to_owned(),
    }
}

/// RFC 3339 as local `TT.MM.JJJJ HH:MM` (unchanged when it is not one).
fn zeit_deutsch(rfc3339: &str) -> String {
    let Ok(t) =
        time::OffsetDateTime::parse(rfc3339, &time::format_description::well_known::Rfc3339)
    else {
        return rfc3339.to_owned();
    };
    let lokal = time::UtcOffset::current_local_offset()
        .map(|o| t.to_offset(o))
        .unwrap_or(t);
    lokal
        .format(time::macros::format_description!(
            "[day].[month].[year] [hour]:[minute]"
        ))
        .unwrap_or_else(|_| rfc3339.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_from_outside_are_shown_escaped() {
        assert_eq!(sicher("a\u{1b}[2Jb\tc"), "a\\u{1b}[2Jb\tc");
        assert_eq!(sicher("Grüße"), "Grüße");
    }

    #[test]
    fn dates_are_shown_the_german_way() {
        assert_eq!(datum_deutsch("2026-03-17"), "17.03.2026");
        assert_eq!(datum_deutsch("morgen"), "morgen");
        assert_eq!(zeit_deutsch("kaputt"), "kaputt");
        // Noon UTC stays in March 2026 in every time zone.
        assert!(zeit_deutsch("2026-03-17T12:00:00Z").contains(".03.2026 "));
    }
}
