//! `cargo xtask fuzz [--sekunden N] [--minimieren] [--saat] [ZIEL…]`: runs the cargo-fuzz targets in
//! `fuzz/` one after the other, each for N seconds (default 600), and reports per target how
//! long it ran, how many inputs it tried, how fast, and whether it crashed.
//!
//! The targets build with a nightly toolchain and the sanitizer flags of cargo-fuzz into
//! `fuzz/target`, apart from the shared `target/`. Each keeps its corpus in
//! `fuzz/corpus/<ziel>` (the committed seeds, grown by the runs; `--minimieren` shrinks it
//! again with `cargo fuzz cmin`), crashes land in `fuzz/artifacts/<ziel>/` and the full
//! libFuzzer output of a run in `fuzz/target/protokolle/<ziel>.log`. `--saat` first writes
//! the seeds again (`fuzz/src/bin/saat.rs`: valid inputs built by the crates' own writers).

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use anyhow::{Context, Result, bail};

use super::{cargo, cargo_bin, cmd, root, step};

/// What the command line asked for.
#[derive(Debug, PartialEq)]
struct Auftrag {
    sekunden: u64,
    minimieren: bool,
    saat: bool,
    ziele: Vec<String>,
}

fn auftrag_lesen(args: &[String]) -> Result<Auftrag> {
    let mut a = Auftrag {
        sekunden: 600,
        minimieren: false,
        saat: false,
        ziele: vec![],
    };
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--sekunden" | "-s" => {
                let n = it
                    .next()
                    .context("--sekunden braucht eine Zahl, z. B. --sekunden 600")?;
                a.sekunden = n
                    .parse()
                    .ok()
                    .filter(|n| *n > 0)
                    .with_context(|| format!("--sekunden {n}: keine positive ganze Zahl"))?;
            }
            "--minimieren" => a.minimieren = true,
            "--saat" => a.saat = true,
            s if s.starts_with('-') => bail!(
                "unbekannte Option {s}. Benutzung: cargo xtask fuzz [--sekunden N] [--minimieren] [--saat] [ZIEL…]"
            ),
            ziel => a.ziele.push(ziel.to_owned()),
        }
    }
    Ok(a)
}

fn fuzz_dir() -> PathBuf {
    root().join("fuzz")
}

/// The targets: one file per target in `fuzz/fuzz_targets/`.
fn alle_ziele() -> Result<Vec<String>> {
    let mut ziele: Vec<String> = std::fs::read_dir(fuzz_dir().join("fuzz_targets"))
        .context("fuzz/fuzz_targets fehlt")?
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let p = e.path();
            (p.extension()? == "rs").then(|| p.file_stem()?.to_str().map(str::to_owned))?
        })
        .collect();
    ziele.sort();
    Ok(ziele)
}

fn nightly_vorhanden() -> bool {
    Command::new("rustup")
        .args(["run", "nightly", "rustc", "--version"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

fn cargo_fuzz_sicherstellen() -> Result<()> {
    if !nightly_vorhanden() {
        bail!(
            "Für das Fuzzing wird eine Nightly-Toolchain gebraucht (cargo-fuzz nutzt die Sanitizer von \
             rustc). Installieren Sie sie mit\n  rustup toolchain install nightly --profile minimal\nund \
             starten Sie den Befehl erneut."
        );
    }
    let vorhanden = Command::new(cargo())
        .args(["fuzz", "--version"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !vorhanden && !cargo_bin("cargo-fuzz").exists() {
        step(
            "cargo install cargo-fuzz",
            cmd(&cargo()).args(["install", "--locked", "cargo-fuzz"]),
        )?;
    }
    Ok(())
}

/// `cargo +nightly fuzz …` in `fuzz/`. Through rustup's `cargo`, not `$CARGO`: that one is
/// the pinned stable toolchain's and ignores `+nightly`.
fn cargo_fuzz() -> Command {
    let mut c = Command::new("cargo");
    c.current_dir(fuzz_dir())
        .env_remove("RUSTUP_TOOLCHAIN")
        .env_remove("CARGO")
        .args(["+nightly", "fuzz"]);
    c
}

/// What libFuzzer said at the end of a run (`-print_final_stats=1`).
#[derive(Debug, Default, PartialEq)]
struct Statistik {
    laeufe: u64,
    pro_sekunde: u64,
    neue_eingaben: u64,
    speicher_mb: u64,
}

fn statistik_lesen(text: &str) -> Statistik {
    let mut s = Statistik::default();
    for zeile in text.lines() {
        let Some((name, wert)) = zeile.strip_prefix("stat::").and_then(|z| z.split_once(':'))
        else {
            continue;
        };
        let wert: u64 = wert.trim().parse().unwrap_or(0);
        match name {
            "number_of_executed_units" => s.laeufe = wert,
            "average_exec_per_sec" => s.pro_sekunde = wert,
            "new_units_added" => s.neue_eingaben = wert,
            "peak_rss_mb" => s.speicher_mb = wert,
            _ => {}
        }
    }
    s
}

struct Ergebnis {
    ziel: String,
    sekunden: f64,
    statistik: Statistik,
    korpus: usize,
    absturz: Option<String>,
}

fn dateien_in(dir: &Path) -> usize {
    std::fs::read_dir(dir).map(|d| d.count()).unwrap_or(0)
}

fn neueste_datei(dir: &Path, seit: std::time::SystemTime) -> Option<PathBuf> {
    std::fs::read_dir(dir)
        .ok()?
        .filter_map(|e| e.ok())
        .filter(|e| {
            e.metadata()
                .and_then(|m| m.modified())
                .is_ok_and(|t| t >= seit)
        })
        .map(|e| e.path())
        .max()
}

fn ein_ziel(ziel: &str, sekunden: u64) -> Result<Ergebnis> {
    let korpus = fuzz_dir().join("corpus").join(ziel);
    std::fs::create_dir_all(&korpus)?;
    let protokolle = fuzz_dir().join("target/protokolle");
    std::fs::create_dir_all(&protokolle)?;
    let protokoll = protokolle.join(format!("{ziel}.log"));
    let artefakte = fuzz_dir().join("artifacts").join(ziel);
    println!(
        "\n==> Fuzzing {ziel} ({sekunden} s), Protokoll: {}",
        protokoll.display()
    );
    let beginn = Instant::now();
    let beginn_zeit = std::time::SystemTime::now();
    let mut kind = cargo_fuzz()
        .args(["run", "--debug-assertions", ziel])
        .arg(&korpus)
        .args([
            "--",
            &format!("-max_total_time={sekunden}"),
            "-print_final_stats=1",
            "-timeout=30",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .context("cargo +nightly fuzz run konnte nicht gestartet werden")?;
    // libFuzzer writes to stderr; keep it all in the log and show a status line now and then.
    let mut text = String::new();
    if let Some(stderr) = kind.stderr.take() {
        let mut zuletzt = Instant::now();
        for zeile in BufReader::new(stderr).lines() {
            let zeile = zeile.unwrap_or_default();
            if zeile.contains("pulse") && zuletzt.elapsed().as_secs() >= 30 {
                println!("    {:>4.0} s  {zeile}", beginn.elapsed().as_secs_f64());
                zuletzt = Instant::now();
            }
            text.push_str(&zeile);
            text.push('\n');
        }
    }
    let status = kind.wait()?;
    std::fs::write(&protokoll, &text)
        .with_context(|| format!("{} schreiben", protokoll.display()))?;
    let sekunden_gelaufen = beginn.elapsed().as_secs_f64();
    let absturz = if status.success() {
        None
    } else {
        let datei = neueste_datei(&artefakte, beginn_zeit);
        let ende: Vec<&str> = text.lines().rev().take(40).collect();
        eprintln!("{}", ende.into_iter().rev().collect::<Vec<_>>().join("\n"));
        Some(match datei {
            Some(d) => d.display().to_string(),
            None => format!(
                "kein Artefakt, Ende mit {status}; siehe {}",
                protokoll.display()
            ),
        })
    };
    Ok(Ergebnis {
        ziel: ziel.to_owned(),
        sekunden: sekunden_gelaufen,
        statistik: statistik_lesen(&text),
        korpus: dateien_in(&korpus),
        absturz,
    })
}

/// The fuzz crate is not a workspace member, so it has its own lock file. It starts from the
/// workspace's (copied whenever that is newer), so the fuzzed crates are built with the same
/// dependency versions as the app; cargo adds only the fuzzing crates. Not committed.
fn lock_abgleichen() -> Result<()> {
    let quelle = root().join("Cargo.lock");
    let ziel = fuzz_dir().join("Cargo.lock");
    let zeit = |p: &Path| std::fs::metadata(p).and_then(|m| m.modified()).ok();
    if zeit(&ziel).is_none_or(|z| zeit(&quelle).is_some_and(|q| q > z)) {
        std::fs::copy(&quelle, &ziel).context("Cargo.lock nach fuzz/ kopieren")?;
    }
    Ok(())
}

/// Builds and runs the seed writer; the seal verifier's seeds are the sealed PDFs the
/// bescheid tests leave in the target directory.
fn saat_schreiben() -> Result<()> {
    step(
        "Saat-Programm bauen",
        cargo_fuzz().args(["build", "--debug-assertions", "--features", "saat", "saat"]),
    )?;
    let pdfs: Vec<PathBuf> = std::fs::read_dir(super::target_dir().join("bescheid-artifacts"))
        .map(|d| {
            d.filter_map(|e| e.ok())
                .map(|e| e.path())
                .filter(|p| {
                    p.file_name()
                        .and_then(|n| n.to_str())
                        .is_some_and(|n| n.starts_with("gesiegelt-") && n.ends_with(".pdf"))
                })
                .collect()
        })
        .unwrap_or_default();
    if pdfs.is_empty() {
        println!(
            "    Hinweis: keine gesiegelten Bescheide in target/bescheid-artifacts; für Saat des \
             Siegelprüfers vorher `cargo test -p bescheid` ausführen."
        );
    }
    // cargo fuzz builds for the host triple: fuzz/target/<triple>/release/saat.
    let programm = std::fs::read_dir(fuzz_dir().join("target"))?
        .filter_map(|e| e.ok())
        .map(|e| e.path().join("release/saat"))
        .find(|p| p.exists())
        .context("das gebaute Saat-Programm fehlt unter fuzz/target/*/release/")?;
    step(
        "Saat schreiben (fuzz/corpus)",
        Command::new(programm).current_dir(fuzz_dir()).args(&pdfs),
    )
}

fn minimieren(ziel: &str) -> Result<()> {
    step(
        &format!("Korpus von {ziel} minimieren (cargo fuzz cmin)"),
        cargo_fuzz().args(["cmin", "--debug-assertions", ziel]),
    )
}

/// `cargo xtask fuzz`.
pub fn fuzz(args: &[String]) -> Result<()> {
    let auftrag = auftrag_lesen(args)?;
    let alle = alle_ziele()?;
    let ziele = if auftrag.ziele.is_empty() {
        alle.clone()
    } else {
        auftrag.ziele.clone()
    };
    if let Some(z) = ziele.iter().find(|z| !alle.contains(z)) {
        bail!(
            "unbekanntes Fuzz-Ziel „{z}“. Vorhanden: {}",
            alle.join(", ")
        );
    }
    cargo_fuzz_sicherstellen()?;
    lock_abgleichen()?;
    if auftrag.saat {
        saat_schreiben()?;
    }
    step(
        "Fuzz-Ziele bauen (nightly, fuzz/target)",
        cargo_fuzz().args(["build", "--debug-assertions"]),
    )?;
    let mut ergebnisse = Vec::new();
    for ziel in &ziele {
        ergebnisse.push(ein_ziel(ziel, auftrag.sekunden)?);
        if auftrag.minimieren {
            minimieren(ziel)?;
        }
    }
    println!(
        "\n{:<22} {:>8} {:>12} {:>8} {:>7} {:>7} {:>6}  Ergebnis",
        "Ziel", "Sekunden", "Läufe", "Läufe/s", "neu", "Korpus", "MB"
    );
    for e in &ergebnisse {
        println!(
            "{:<22} {:>8.0} {:>12} {:>8} {:>7} {:>7} {:>6}  {}",
            e.ziel,
            e.sekunden,
            e.statistik.laeufe,
            e.statistik.pro_sekunde,
            e.statistik.neue_eingaben,
            e.korpus,
            e.statistik.speicher_mb,
            e.absturz
                .as_deref()
                .map_or("kein Absturz".to_owned(), |a| format!("ABSTURZ: {a}"))
        );
    }
    let abgestuerzt: Vec<&str> = ergebnisse
        .iter()
        .filter(|e| e.absturz.is_some())
        .map(|e| e.ziel.as_str())
        .collect();
    if !abgestuerzt.is_empty() {
        bail!(
            "Absturz in {}. Nachstellen: cd fuzz && cargo +nightly fuzz run {} ARTEFAKT; verkleinern: \
             cargo +nightly fuzz tmin {} ARTEFAKT",
            abgestuerzt.join(", "),
            abgestuerzt[0],
            abgestuerzt[0]
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(a: &[&str]) -> Vec<String> {
        a.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn without_options_every_target_runs_ten_minutes() {
        let a = auftrag_lesen(&[]).unwrap();
        assert_eq!(a.sekunden, 600);
        assert!(a.ziele.is_empty() && !a.minimieren && !a.saat);
    }

    #[test]
    fn seconds_and_targets_are_taken_from_the_command_line() {
        let a = auftrag_lesen(&args(&["--sekunden", "90", "metadaten", "--minimieren"])).unwrap();
        assert_eq!(
            a,
            Auftrag {
                sekunden: 90,
                minimieren: true,
                saat: false,
                ziele: vec!["metadaten".into()]
            }
        );
        assert!(auftrag_lesen(&args(&["--sekunden", "0"])).is_err());
        assert!(auftrag_lesen(&args(&["--sekunden"])).is_err());
        assert!(auftrag_lesen(&args(&["--schnell"])).is_err());
    }

    #[test]
    fn libfuzzer_final_stats_are_read() {
        let s = statistik_lesen(
            "#123 DONE cov: 1\nstat::number_of_executed_units: 4567\nstat::average_exec_per_sec:   76\n\
             stat::new_units_added: 12\nstat::slowest_unit_time_sec: 0\nstat::peak_rss_mb: 88\n",
        );
        assert_eq!(
            s,
            Statistik {
                laeufe: 4567,
                pro_sekunde: 76,
                neue_eingaben: 12,
                speicher_mb: 88
            }
        );
    }

    #[test]
    fn every_target_file_is_a_target() {
        let ziele = alle_ziele().unwrap();
        assert!(
            ziele.contains(&"jwe_entschluesseln".to_owned()),
            "{ziele:?}"
        );
    }
}
