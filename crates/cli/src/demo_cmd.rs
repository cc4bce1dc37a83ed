//! `amtsstube demo fuellen --anzahl N [--seed S] [--anlagen-ab K]`: fills a profile's
//! encrypted store directly with N realistic cases, for demonstrations and for measuring the
//! app at scale (the UI benchmark fills 100,000).
//!
//! The cases use the simulator's five demo Leistungen and their schema-valid form data
//! (`simulator::leistungen::form_data`), with statuses, deadlines, resubmissions and assignees
//! that depend on how long ago a case arrived (old cases are mostly decided or archived, the
//! newest mostly new). Cases K..=N (numbered from 1 in order of arrival, so the newest) get
//! five attachments each: PDFs and PNG images from the simulator's document generator, stored
//! encrypted like any received attachment. Everything goes through the store's public API
//! (`vorgang_anlegen` in write transactions of [`BATCH`] cases, so every case is indexed for
//! search and audited like a received one). Deterministic for a seed except ids and keys.
//!
//! To add another kind of generated data: extend [`fall`]; keep it deterministic in `rng`.

use std::io::Write as _;
use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context as _;
use clap::{Args, Subcommand};
use domain::{
    AnlageRef, Antragsteller, DatenFormat, FitConnectIds, Formulardaten, Leistung, Prioritaet,
    Status, Vorgang,
};
use rand::rngs::StdRng;
use rand::{Rng as _, SeedableRng as _};
use serde_json::{Value, json};
use simulator::documents;
use simulator::leistungen::{LEISTUNGEN, form_data};
use store::{AktenzeichenVergabe, Store};
use time::{Duration, OffsetDateTime, UtcOffset};

/// Cases per write transaction.
pub const BATCH: u64 = 1000;
/// Attachments of a case that gets attachments.
const ANLAGEN_JE_VORGANG: usize = 5;
/// Who the audit log names for generated cases.
const WER: &str = "demo:fuellen";
/// How far back the generated arrivals reach.
const ZEITRAUM_TAGE: i64 = 730;

/// `amtsstube demo …`
#[derive(Debug, Subcommand)]
pub enum DemoCmd {
    /// Füllt das Profil mit erzeugten, realistischen Vorgängen (für Vorführungen und Messungen).
    Fuellen(FuellenArgs),
}

/// Arguments of `amtsstube demo fuellen`.
#[derive(Debug, Args)]
pub struct FuellenArgs {
    /// Wie viele Vorgänge angelegt werden.
    #[arg(long)]
    anzahl: u64,
    /// Startwert des Zufallsgenerators (gleicher Wert, gleiche Daten).
    #[arg(long, default_value_t = 6)]
    seed: u64,
    /// Die Vorgänge ab dieser Nummer (1 = der älteste) erhalten je fünf Anlagen. Standard:
    /// die zehn neuesten. Größer als --anzahl: keine Anlagen.
    #[arg(long)]
    anlagen_ab: Option<u64>,
    /// Anmeldename, dem ein Teil der Vorgänge zugewiesen wird (Ansicht „Meine“). Standard:
    /// AMTSSTUBE_BENUTZER, sonst der Benutzername des Betriebssystems.
    #[arg(long)]
    benutzer: Option<String>,
    /// Zusammenfassung als JSON.
    #[arg(long)]
    json: bool,
}

/// Runs `amtsstube demo`.
pub fn run(profile: &Path, cmd: &DemoCmd) -> anyhow::Result<ExitCode> {
    match cmd {
        DemoCmd::Fuellen(args) => fuellen(profile, args),
    }
}

fn benutzer(args: &FuellenArgs) -> String {
    args.benutzer
        .clone()
        .or_else(|| std::env::var("AMTSSTUBE_BENUTZER").ok())
        .or_else(|| std::env::var("USER").ok())
        .or_else(|| std::env::var("USERNAME").ok())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "sachbearbeitung".into())
}

/// What was created, for the summary.
struct Angelegt {
    aktenzeichen: String,
    id: String,
}

fn fuellen(profile: &Path, args: &FuellenArgs) -> anyhow::Result<ExitCode> {
    let store = crate::sync_cmd::store_oeffnen(profile)?;
    let vorher = store.read(|r| r.anzahl_vorgaenge())?;
    let n = args.anzahl;
    let anlagen_ab = args
        .anlagen_ab
        .unwrap_or_else(|| n.saturating_sub(9).max(1));
    let ich = benutzer(args);
    let vergabe = AktenzeichenVergabe {
        muster: domain::AktenzeichenMuster::default(),
        amt: "32".into(),
        kuerzel: "DEMO".into(),
    };
    let offset = UtcOffset::from_hms(1, 0, 0).unwrap_or(UtcOffset::UTC);
    let jetzt = OffsetDateTime::now_utc().to_offset(offset);
    let beginn = jetzt - Duration::days(ZEITRAUM_TAGE);
    let schritt_ms = (ZEITRAUM_TAGE * 86_400_000) / n.max(1) as i64;
    let mut rng = StdRng::seed_from_u64(args.seed);
    let start = Instant::now();
    let mut mit_anlagen = Vec::new();
    let mut fertig = 0u64;
    eprintln!("Lege {n} Vorgänge an (je {BATCH} in einer Transaktion) …");
    while fertig < n {
        let bis = (fertig + BATCH).min(n);
        let mut faelle = Vec::with_capacity((bis - fertig) as usize);
        for i in fertig..bis {
            let eingang = beginn
                + Duration::milliseconds(
                    i as i64 * schritt_ms + rng.random_range(0..schritt_ms.max(1)),
                );
            let mut v = fall(&mut rng, i, eingang, jetzt, &ich);
            if i + 1 >= anlagen_ab {
                v.anlagen = anlagen(&store, &mut rng, &v)?;
            }
            faelle.push(v);
        }
        let angelegt = store
            .write(|w| {
                let mut out = Vec::with_capacity(faelle.len());
                for v in &mut faelle {
                    let az = w.vorgang_anlegen(v, &vergabe, WER)?;
                    out.push((az.0, v.id.to_string(), v.anlagen.len()));
                }
                Ok(out)
            })
            .context("Die Vorgänge ließen sich nicht speichern")?;
        for (aktenzeichen, id, anzahl) in angelegt {
            if anzahl > 0 {
                mit_anlagen.push(Angelegt { aktenzeichen, id });
            }
        }
        fertig = bis;
        let s = start.elapsed().as_secs_f64();
        eprintln!(
            "  {fertig}/{n} Vorgänge ({:.0} je Sekunde)",
            fertig as f64 / s.max(0.001)
        );
    }
    let sekunden = start.elapsed().as_secs_f64();
    let gesamt = store.read(|r| r.anzahl_vorgaenge())?;
    if args.json {
        let liste: Vec<Value> = mit_anlagen
            .iter()
            .map(|a| json!({ "id": a.id, "aktenzeichen": a.aktenzeichen }))
            .collect();
        let out = json!({
            "angelegt": n,
            "vorher": vorher,
            "gesamt": gesamt,
            "sekunden": sekunden,
            "mitFuenfAnlagen": liste,
        });
        println!("{}", serde_json::to_string_pretty(&out)?);
    } else {
        println!(
            "{n} Vorgänge angelegt in {sekunden:.1} s ({} mit je fünf Anlagen); das Profil enthält jetzt {gesamt} Vorgänge.",
            mit_anlagen.len()
        );
        if let Some(a) = mit_anlagen.last() {
            println!("Ein Vorgang mit fünf Anlagen: {}", a.aktenzeichen);
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn text(v: &Value, pfad: &str) -> String {
    v.pointer(pfad)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned()
}

/// Picks one of `auswahl` with probability proportional to its weight.
fn gewichtet<T: Copy>(rng: &mut StdRng, auswahl: &[(u32, T)]) -> Option<T> {
    let summe: u32 = auswahl.iter().map(|(g, _)| g).sum();
    let mut x = rng.random_range(0..summe.max(1));
    for (g, t) in auswahl {
        if x < *g {
            return Some(*t);
        }
        x -= g;
    }
    auswahl.last().map(|(_, t)| *t)
}

/// Status by age: the newest are mostly new, old ones mostly decided or archived.
fn status(rng: &mut StdRng, alter_tage: i64) -> Status {
    use Status::*;
    let auswahl: &[(u32, Status)] = match alter_tage {
        ..3 => &[(80, Neu), (20, InPruefung)],
        3..30 => &[
            (20, Neu),
            (40, InPruefung),
            (15, NachforderungOffen),
            (10, EntscheidungInFreigabe),
            (15, Beschieden),
        ],
        30..90 => &[
            (15, InPruefung),
            (10, NachforderungOffen),
            (5, EntscheidungInFreigabe),
            (40, Beschieden),
            (5, Zurueckgewiesen),
            (3, Weitergeleitet),
            (22, Archiviert),
        ],
        _ => &[
            (2, InPruefung),
            (1, NachforderungOffen),
            (10, Beschieden),
            (1, AnEAkteUebergeben),
            (74, Archiviert),
            (6, Zurueckgewiesen),
            (3, Weitergeleitet),
            (3, Zurueckgezogen),
        ],
    };
    gewichtet(rng, auswahl).unwrap_or(Neu)
}

/// Processing days per Leistung (by position in [`LEISTUNGEN`]).
const FRIST_TAGE: [i64; 5] = [30, 14, 21, 28, 7];

/// The `i`-th generated case (without Aktenzeichen; the store assigns it).
fn fall(
    rng: &mut StdRng,
    i: u64,
    eingang: OffsetDateTime,
    jetzt: OffsetDateTime,
    ich: &str,
) -> Vorgang {
    let li = (rng.random_range(0..LEISTUNGEN.len()) + i as usize) % LEISTUNGEN.len();
    let l = &LEISTUNGEN[li];
    let daten = form_data(l, rng);
    let anschrift = format!(
        "{} {}, {} {}",
        text(&daten, "/antragsteller/anschrift/strasse"),
        text(&daten, "/antragsteller/anschrift/hausnummer"),
        text(&daten, "/antragsteller/anschrift/plz"),
        text(&daten, "/antragsteller/anschrift/ort"),
    );
    let kontakt = format!(
        "{}, {}",
        text(&daten, "/antragsteller/email"),
        text(&daten, "/antragsteller/telefon")
    );
    let mut v = Vorgang::neu(
        Leistung {
            leika: l.leika.into(),
            name: l.name.into(),
        },
        eingang,
        Antragsteller {
            name: format!(
                "{} {}",
                text(&daten, "/antragsteller/vorname"),
                text(&daten, "/antragsteller/familienname")
            ),
            anschrift: Some(anschrift),
            kontakt: Some(kontakt),
        },
        Formulardaten {
            format: DatenFormat::Json,
            schema_uri: l.schema_uri(),
            inhalt: daten.to_string(),
        },
    );
    let alter_tage = (jetzt - eingang).whole_days();
    v.status = status(rng, alter_tage);
    let heute = jetzt.date();
    let frist_tage = FRIST_TAGE.get(li).copied().unwrap_or(30) + rng.random_range(0..8);
    v.frist = Some(eingang.date() + Duration::days(frist_tage));
    v.zustaendig = if v.status == Status::Neu && rng.random_bool(0.6) {
        None
    } else if rng.random_bool(0.12) {
        Some(ich.to_owned())
    } else {
        Some(format!("sb{:02}", rng.random_range(1..=12)))
    };
    if v.status.ist_offen() && v.status != Status::Neu && rng.random_bool(0.15) {
        v.wiedervorlage = Some(heute + Duration::days(rng.random_range(-3..=14)));
    }
    v.prioritaet = gewichtet(
        rng,
        &[
            (5, Prioritaet::Niedrig),
            (85, Prioritaet::Normal),
            (7, Prioritaet::Hoch),
            (3, Prioritaet::Eilt),
        ],
    )
    .unwrap_or_default();
    v.fit_connect = Some(FitConnectIds {
        submission_id: simulator::applicant::uuid(rng),
        case_id: simulator::applicant::uuid(rng),
        destination_id: simulator::applicant::uuid(rng),
    });
    v
}

/// Five attachments for `v`: the application form as PDF, the Leistung's usual evidence, and
/// further scans (PNG) and PDFs up to five; stored encrypted before the case refers to them.
fn anlagen(store: &Store, rng: &mut StdRng, v: &Vorgang) -> anyhow::Result<Vec<AnlageRef>> {
    let l = LEISTUNGEN
        .iter()
        .find(|l| l.leika == v.leistung.leika)
        .unwrap_or(&LEISTUNGEN[0]);
    let mut liste: Vec<(&str, &str)> = vec![("Antrag.pdf", "application/pdf")];
    liste.extend(l.attachments.iter().copied());
    for weitere in [
        ("Personalausweis_Vorderseite.png", "image/png"),
        ("Personalausweis_Rueckseite.png", "image/png"),
        ("Meldebestaetigung.pdf", "application/pdf"),
        ("Vollmacht.pdf", "application/pdf"),
    ] {
        if liste.len() < ANLAGEN_JE_VORGANG && !liste.contains(&weitere) {
            liste.push(weitere);
        }
    }
    let mut out = Vec::with_capacity(ANLAGEN_JE_VORGANG);
    for (k, (dateiname, mime)) in liste.into_iter().enumerate() {
        let inhalt = if mime == "image/png" {
            documents::png(
                rng.random_range(300..700),
                rng.random_range(200..500),
                k as u8,
            )
        } else {
            documents::pdf(
                &format!("{} – {dateiname}", v.leistung.name),
                &[
                    format!("Antragsteller: {}", v.antragsteller.name),
                    v.antragsteller.anschrift.clone().unwrap_or_default(),
                ],
                rng.random_range(10_000..120_000),
            )
        };
        let mut w = store.anlage_schreiber()?;
        w.write_all(&inhalt)?;
        let (sha512, groesse) = w.abschliessen()?;
        out.push(AnlageRef {
            sha512,
            dateiname: dateiname.into(),
            mime: mime.into(),
            groesse,
        });
    }
    Ok(out)
}
