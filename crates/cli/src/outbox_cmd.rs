//! `amtsstube outbox [--json]`: the open outgoing effects (accepts, rejects, replies) with
//! attempts, next try and last error.

use std::path::Path;
use std::process::ExitCode;

use clap::Args;
use serde_json::json;

/// Arguments of `amtsstube outbox`.
#[derive(Debug, Args)]
pub struct OutboxArgs {
    /// Ausgabe als JSON.
    #[arg(long)]
    json: bool,
}

/// Runs `amtsstube outbox`.
pub fn run(profile: &Path, args: &OutboxArgs) -> anyhow::Result<ExitCode> {
    let store = crate::sync_cmd::store_oeffnen(profile)?;
    let fern = time::OffsetDateTime::now_utc() + time::Duration::days(36_500);
    let offen = store.read(|r| r.outbox_faellig(fern, 100_000))?;
    let zeit = |t: time::OffsetDateTime| {
        t.format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default()
    };
    let submission = |n: &[u8]| {
        serde_json::from_slice::<sync::engine::EreignisAuftrag>(n)
            .ok()
            .map(|a| a.submission_id)
    };
    if args.json {
        let liste: Vec<_> = offen
            .iter()
            .map(|e| {
                json!({
                    "id": e.id,
                    "art": e.art,
                    "idempotenz": e.idempotenz,
                    "vorgangId": e.vorgang_id,
                    "submissionId": submission(&e.nutzlast),
                    "versuche": e.versuche,
                    "naechsterVersuch": zeit(e.naechster_versuch),
                    "letzterFehler": e.letzter_fehler,
                    "zustand": e.zustand,
                })
            })
            .collect();
        println!("{}", serde_json::to_string_pretty(&liste)?);
    } else if offen.is_empty() {
        println!("Der Postausgang ist leer: nichts wartet auf Versand.");
    } else {
        println!("{} Auftrag/Aufträge im Postausgang:", offen.len());
        for e in &offen {
            let art = match e.art.as_str() {
                sync::engine::ART_ANNAHME => "Annahme",
                sync::engine::ART_ABLEHNUNG => "Ablehnung",
                sync::ART_ANTWORT => "Antwort an Antragsteller",
                app::eakte::ART_ABGABE => "Abgabe an die E-Akte",
                other => other,
            };
            println!(
                "  #{} {art} {} – {} Versuch(e), nächster Versuch {}{}",
                e.id,
                submission(&e.nutzlast)
                    .map(|s| format!("Einreichung {s}"))
                    .unwrap_or_else(|| e.idempotenz.clone()),
                e.versuche,
                zeit(e.naechster_versuch),
                e.letzter_fehler
                    .as_deref()
                    .map(|f| format!("; zuletzt: {f}"))
                    .unwrap_or_default()
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}
