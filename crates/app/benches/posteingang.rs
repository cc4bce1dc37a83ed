#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Queue and case view through the whole app core at 100,000 cases (targets of issue 6:
//! first queue page ≤ 100 ms, opening a case with five attachments ≤ 150 ms; measured, never
//! asserted). Run inside a Secret Service:
//!
//! `/work/shared/ci/with-keyring.sh cargo bench -p app --bench posteingang`
//!
//! `AMTSSTUBE_BENCH_FAELLE` changes the number of cases (default 100,000).

use std::io::Write;
use std::time::{Duration, Instant};

use app::AppContext;
use criterion::{Criterion, criterion_group, criterion_main};
use domain::aktenzeichen::AktenzeichenMuster;
use domain::{AnlageRef, Antragsteller, DatenFormat, Formulardaten, Leistung, Status, Vorgang};
use ipc::{Ansicht, QueueAnfrage, Rolle, SortSpalte};
use store::AktenzeichenVergabe;
use time::OffsetDateTime;

const VORNAMEN: &[&str] = &[
    "Anna", "Jürgen", "Özlem", "Bernd", "Carla", "Dieter", "Fatma", "Ida",
];
const NACHNAMEN: &[&str] = &[
    "Müller", "Weiß", "Çelik", "Schmidt", "Ünal", "Zorn", "Berg", "Krämer", "Nowak",
];
const LEISTUNGEN: &[&str] = &[
    "Hundesteuer",
    "Gewerbeanmeldung",
    "Anwohnerparken",
    "Bauantrag",
    "Meldebescheinigung",
];
const STATUS: &[Status] = &[
    Status::Neu,
    Status::InPruefung,
    Status::NachforderungOffen,
    Status::Beschieden,
    Status::Archiviert,
];

fn fixture() -> (tempfile::TempDir, AppContext, String) {
    let n: usize = std::env::var("AMTSSTUBE_BENCH_FAELLE")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let dir = tempfile::tempdir().unwrap();
    let ctx = AppContext::open(dir.path())
        .unwrap()
        .mit_sitzung("sb07", Rolle::Sachbearbeitung);
    let vergabe = AktenzeichenVergabe {
        muster: AktenzeichenMuster::default(),
        amt: "32".into(),
        kuerzel: "EIN".into(),
    };
    let mut anlagen = Vec::new();
    for i in 0..5u8 {
        let mut w = ctx.store().anlage_schreiber().unwrap();
        w.write_all(&vec![i; 200 * 1024]).unwrap();
        let (sha512, groesse) = w.abschliessen().unwrap();
        anlagen.push(AnlageRef {
            sha512,
            dateiname: format!("Nachweis {i}.pdf"),
            mime: "application/pdf".into(),
            groesse,
        });
    }
    let heute = OffsetDateTime::now_utc();
    let start = Instant::now();
    let mut mit_anlagen = String::new();
    ctx.store()
        .write(|w| {
            for i in 0..n {
                let name = format!(
                    "{} {}",
                    VORNAMEN[i % VORNAMEN.len()],
                    NACHNAMEN[(i / 7) % NACHNAMEN.len()]
                );
                let mut v = Vorgang::neu(
                    Leistung {
                        leika: format!("9900000000000{}", i % 5),
                        name: LEISTUNGEN[i % LEISTUNGEN.len()].into(),
                    },
                    heute - time::Duration::minutes((n - i) as i64),
                    Antragsteller {
                        name,
                        anschrift: Some(format!("Hauptstraße {}, 12345 Musterstadt", i % 200)),
                        kontakt: None,
                    },
                    Formulardaten {
                        format: DatenFormat::Json,
                        schema_uri: "urn:amtsstube:demo:schema:hundesteuer:1.0.0".into(),
                        inhalt: serde_json::json!({"anliegen": format!("Antrag Nummer {i}"), "betrag": i % 1000})
                            .to_string(),
                    },
                );
                v.status = STATUS[i % STATUS.len()];
                v.zustaendig = (i % 3 != 0).then(|| format!("sb{:02}", i % 20));
                v.frist = Some(heute.date() + time::Duration::days((i % 90) as i64 - 20));
                v.wiedervorlage = (i % 11 == 0).then(|| heute.date() + time::Duration::days((i % 30) as i64 - 10));
                if i == n / 2 {
                    v.anlagen = anlagen.clone();
                    mit_anlagen = v.id.to_string();
                }
                w.vorgang_anlegen(&mut v, &vergabe, "import")?;
            }
            Ok(())
        })
        .unwrap();
    eprintln!(
        "FIXTURE: {n} Fälle in {:.1} s",
        start.elapsed().as_secs_f64()
    );
    (dir, ctx, mit_anlagen)
}

fn anfrage(ansicht: Ansicht, sortierung: SortSpalte, suche: Option<&str>) -> QueueAnfrage {
    QueueAnfrage {
        ansicht,
        suche: suche.map(str::to_owned),
        sortierung,
        absteigend: false,
        offset: 0,
        limit: 100,
    }
}

fn benches(c: &mut Criterion) {
    let (_dir, ctx, fall) = fixture();
    // Cold first page right after opening (what the caseworker meets at start).
    let t = Instant::now();
    ctx.posteingang(anfrage(Ansicht::Alle, SortSpalte::Eingang, None))
        .unwrap();
    eprintln!(
        "ERSTE SEITE (kalt): {:.1} ms",
        t.elapsed().as_secs_f64() * 1e3
    );
    let mut g = c.benchmark_group("posteingang");
    g.sample_size(10).measurement_time(Duration::from_secs(3));
    for spalte in [
        SortSpalte::Eingang,
        SortSpalte::Aktenzeichen,
        SortSpalte::Leistung,
        SortSpalte::Antragsteller,
        SortSpalte::Status,
        SortSpalte::Frist,
        SortSpalte::Zustaendig,
    ] {
        g.bench_function(format!("alle_{spalte:?}"), |b| {
            b.iter(|| {
                ctx.posteingang(anfrage(Ansicht::Alle, spalte, None))
                    .unwrap()
            })
        });
    }
    g.bench_function("alle_Frist_absteigend", |b| {
        let mut a = anfrage(Ansicht::Alle, SortSpalte::Frist, None);
        a.absteigend = true;
        b.iter(|| ctx.posteingang(a.clone()).unwrap())
    });
    for ansicht in [
        Ansicht::Neu,
        Ansicht::Meine,
        Ansicht::Faellig,
        Ansicht::Ueberfaellig,
        Ansicht::WiedervorlageHeute,
    ] {
        g.bench_function(format!("ansicht_{ansicht:?}"), |b| {
            b.iter(|| {
                ctx.posteingang(anfrage(ansicht, SortSpalte::Frist, None))
                    .unwrap()
            })
        });
    }
    g.bench_function("suche_name", |b| {
        b.iter(|| {
            ctx.posteingang(anfrage(
                Ansicht::Alle,
                SortSpalte::Eingang,
                Some("Özlem Krämer"),
            ))
            .unwrap()
        })
    });
    g.bench_function("ansicht_zahlen", |b| {
        b.iter(|| ctx.ansicht_zahlen().unwrap())
    });
    g.bench_function("vorgang_oeffnen_5_anlagen", |b| {
        b.iter(|| ctx.vorgang(fall.clone()).unwrap())
    });
    g.finish();
}

criterion_group!(benches_gruppe, benches);
criterion_main!(benches_gruppe);
