//! `amtsstube cases list [--json]` and `amtsstube cases show AKTENZEICHEN [--json]`: the cases
//! in the profile's encrypted store. Showing a case is an access and goes to the audit log.

use std::path::Path;
use std::process::ExitCode;

use anyhow::Context as _;
use clap::Subcommand;
use domain::{DatenFormat, Vorgang};
use serde_json::{Value, json};
use store::{QueueFilter, Store};

/// `amtsstube cases …`
#[derive(Debug, Subcommand)]
pub enum CasesCmd {
    /// Alle Vorgänge (nach Eingang).
    List {
        /// Ausgabe als JSON.
        #[arg(long)]
        json: bool,
    },
    /// Ein Vorgang mit Formulardaten und Anlagen.
    Show {
        /// Aktenzeichen des Vorgangs.
        aktenzeichen: String,
        /// Ausgabe als JSON.
        #[arg(long)]
        json: bool,
    },
    /// Übernimmt den Vorgang: die handelnde Anmeldung wird zuständig.
    Take {
        /// Aktenzeichen des Vorgangs.
        aktenzeichen: String,
    },
    /// Nimmt den Vorgang in Prüfung (nur durch die zuständige Person oder die Teamleitung).
    Start {
        /// Aktenzeichen des Vorgangs.
        aktenzeichen: String,
    },
    /// Exportiert den Antrag (Formulardaten und alle Dokumente) in einen neuen Ordner unter
    /// ZIEL, z. B. für die Behörde, an die er weitergeleitet wurde.
    Export {
        /// Aktenzeichen des Vorgangs.
        aktenzeichen: String,
        /// Der Ordner, in dem der Export-Ordner angelegt wird.
        #[arg(long, value_name = "ZIEL")]
        ziel: std::path::PathBuf,
    },
}

fn zeit(t: time::OffsetDateTime) -> String {
    t.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

fn listenfelder(v: &Vorgang) -> Value {
    let fc = v.fit_connect.as_ref();
    json!({
        "id": v.id.to_string(),
        "aktenzeichen": v.aktenzeichen.as_ref().map(|a| a.0.clone()),
        "submissionId": fc.map(|f| f.submission_id.clone()),
        "caseId": fc.map(|f| f.case_id.clone()),
        "leistung": v.leistung.name,
        "antragsteller": v.antragsteller.name,
        "status": v.status.code(),
        "statusBezeichnung": v.status.bezeichnung(),
        "eingang": zeit(v.eingang),
        "anlagen": v.anlagen.len(),
    })
}

fn alle(store: &Store) -> anyhow::Result<Vec<Vorgang>> {
    let mut out = Vec::new();
    let mut f = QueueFilter {
        pro_seite: 500,
        ..Default::default()
    };
    loop {
        let seite = store.read(|r| {
            let s = r.warteschlange(&f)?;
            let mut v = Vec::with_capacity(s.zeilen.len());
            for z in &s.zeilen {
                if let Some(x) = r.vorgang(&z.id)? {
                    v.push(x);
                }
            }
            Ok((v, s.weitere))
        })?;
        out.extend(seite.0);
        if !seite.1 {
            return Ok(out);
        }
        f.seite += 1;
    }
}

/// The acting person as the app determines it (see `amtsstube whoami`).
fn wer(profile: &Path) -> anyhow::Result<String> {
    let richtlinie = app::profile::richtlinie_laden()?;
    let demo = app::ConnectionConfig::load_mit(profile, &richtlinie)?.is_none();
    Ok(app::sitzung::SitzungsDaten::fuer_app(demo, &richtlinie).benutzer)
}

/// Runs `amtsstube cases`.
pub fn run(profile: &Path, cmd: &CasesCmd) -> anyhow::Result<ExitCode> {
    let store = crate::sync_cmd::store_oeffnen(profile)?;
    match cmd {
        CasesCmd::Take { aktenzeichen } | CasesCmd::Start { aktenzeichen } => {
            drop(store);
            let ctx = app::AppContext::open(profile)?;
            let id = crate::messages_cmd::vorgang_id(&ctx, aktenzeichen)?;
            let aktion = if matches!(cmd, CasesCmd::Take { .. }) {
                ipc::Aktion::Uebernehmen
            } else {
                ipc::Aktion::PruefungBeginnen
            };
            let d = ctx
                .vorgang_aktion(ipc::AktionAnfrage {
                    id,
                    aktion,
                    begruendung: None,
                    empfaenger: None,
                    datum: None,
                })
                .map_err(|e| anyhow::anyhow!(e.message))?;
            println!(
                "Vorgang {aktenzeichen}: {} (zuständig: {})",
                d.status_text,
                d.zustaendig.as_deref().unwrap_or("niemand")
            );
            Ok(ExitCode::SUCCESS)
        }
        CasesCmd::Export { aktenzeichen, ziel } => {
            drop(store);
            let ctx = app::AppContext::open(profile)?;
            let id = crate::messages_cmd::vorgang_id(&ctx, aktenzeichen)?;
            let ordner = ctx
                .vorgang_exportieren(&id, ziel)
                .map_err(|e| anyhow::anyhow!(e.message))?;
            println!("Antrag {aktenzeichen} exportiert nach {ordner}");
            Ok(ExitCode::SUCCESS)
        }
        CasesCmd::List { json } => {
            let vorgaenge = alle(&store)?;
            if *json {
                let liste: Vec<Value> = vorgaenge.iter().map(listenfelder).collect();
                println!("{}", serde_json::to_string_pretty(&liste)?);
            } else if vorgaenge.is_empty() {
                println!("Keine Vorgänge vorhanden.");
            } else {
                println!(
                    "{:<24} {:<28} {:<28} {:<22} {:<17} Anlagen",
                    "Aktenzeichen", "Leistung", "Antragsteller", "Status", "Eingang"
                );
                for v in &vorgaenge {
                    let eingang = v
                        .eingang
                        .format(time::macros::format_description!(
                            "[day].[month].[year] [hour]:[minute]"
                        ))
                        .unwrap_or_default();
                    println!(
                        "{:<24} {:<28} {:<28} {:<22} {:<17} {}",
                        v.aktenzeichen.as_ref().map(|a| a.0.as_str()).unwrap_or("–"),
                        kurz(&v.leistung.name, 28),
                        kurz(&v.antragsteller.name, 28),
                        v.status.bezeichnung(),
                        eingang,
                        v.anlagen.len()
                    );
                }
                println!("{} Vorgang/Vorgänge.", vorgaenge.len());
            }
            Ok(ExitCode::SUCCESS)
        }
        CasesCmd::Show { aktenzeichen, json } => {
            let ich = wer(profile)?;
            let v = store
                .read(|r| r.vorgang_nach_aktenzeichen(aktenzeichen))?
                .with_context(|| format!("Kein Vorgang mit dem Aktenzeichen {aktenzeichen}."))?;
            // Reading a case is an access: logged in the audit chain.
            let v = store.write(|w| w.vorgang_oeffnen(&v.id, &ich))?;
            let mime = match v.formulardaten.format {
                DatenFormat::Json => "application/json",
                DatenFormat::Xml => "application/xml",
            };
            let daten = match v.formulardaten.format {
                DatenFormat::Json => serde_json::from_str::<Value>(&v.formulardaten.inhalt)
                    .unwrap_or_else(|_| Value::String(v.formulardaten.inhalt.clone())),
                DatenFormat::Xml => Value::String(v.formulardaten.inhalt.clone()),
            };
            let leika = format!("{}{}", sync::engine::LEIKA_PREFIX, v.leistung.leika);
            if *json {
                let mut o = listenfelder(&v);
                if let Some(m) = o.as_object_mut() {
                    m.insert("leikaId".into(), json!(leika));
                    m.insert("schemaUri".into(), json!(v.formulardaten.schema_uri));
                    m.insert("mimeType".into(), json!(mime));
                    m.insert("formulardaten".into(), daten);
                    m.insert(
                        "anlagen".into(),
                        json!(
                            v.anlagen
                                .iter()
                                .map(|a| json!({
                                    "dateiname": a.dateiname,
                                    "mimeType": a.mime,
                                    "groesse": a.groesse,
                                    "sha512": a.sha512,
                                }))
                                .collect::<Vec<_>>()
                        ),
                    );
                    m.insert(
                        "nachrichten".into(),
                        json!(
                            v.nachrichten
                                .iter()
                                .map(|n| json!({"zeit": zeit(n.zeit), "betreff": n.betreff, "text": n.text}))
                                .collect::<Vec<_>>()
                        ),
                    );
                }
                println!("{}", serde_json::to_string_pretty(&o)?);
            } else {
                let fc = v.fit_connect.as_ref();
                println!(
                    "Vorgang {}",
                    v.aktenzeichen.as_ref().map(|a| a.0.as_str()).unwrap_or("–")
                );
                println!("  Leistung:      {} ({leika})", v.leistung.name);
                println!("  Antragsteller: {}", v.antragsteller.name);
                if let Some(a) = &v.antragsteller.anschrift {
                    println!("  Anschrift:     {a}");
                }
                println!("  Status:        {}", v.status.bezeichnung());
                println!("  Eingang:       {}", zeit(v.eingang));
                if let Some(f) = fc {
                    println!(
                        "  FIT-Connect:   Einreichung {}, Vorgang {}",
                        f.submission_id, f.case_id
                    );
                }
                println!("  Formular:      {} ({mime})", v.formulardaten.schema_uri);
                println!("  Formulardaten:");
                let text = match &daten {
                    Value::String(s) => s.clone(),
                    other => serde_json::to_string_pretty(other)?,
                };
                for z in text.lines() {
                    println!("    {z}");
                }
                println!("  Anlagen ({}):", v.anlagen.len());
                for a in &v.anlagen {
                    println!(
                        "    {} ({}, {} Byte, SHA-512 {}…)",
                        a.dateiname.escape_default(),
                        a.mime,
                        a.groesse,
                        a.sha512.get(..16).unwrap_or(&a.sha512)
                    );
                }
                for n in &v.nachrichten {
                    println!("  {}: {} – {}", zeit(n.zeit), n.betreff, n.text);
                }
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn kurz(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_owned()
    } else {
        let mut k: String = s.chars().take(n.saturating_sub(1)).collect();
        k.push('…');
        k
    }
}
