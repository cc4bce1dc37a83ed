#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::print_stderr
)]
//! Issue + seal one decision (P-256 from PKCS#12), split into layout, font subsetting,
//! compression and signing, and a batch of 1,000 on two workers against the same batch on
//! one worker (alternating rounds, medians). That both workers really compute is shown
//! independently of machine load by each worker thread's own CPU time
//! (`/proc/thread-self/stat`, read on the worker before and after) and its share of the
//! decisions; Σ worker CPU − wall time is a lower bound for the time both ran at once.
//! Resident memory is sampled every 250 decisions.
//!
//!     cargo bench -p bescheid --bench bescheid

#[path = "../tests/common/mod.rs"]
mod common;

use std::hint::black_box;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use bescheid::{Leistung, Siegelschluessel, Zeiten, ausstellen};
use common::{Pki, Typ, beispiel};
use criterion::{Criterion, criterion_group, criterion_main};
use rayon::prelude::*;

fn rss_kib() -> u64 {
    let s = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    s.lines()
        .find(|l| l.starts_with("VmRSS:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

/// CPU time (user + system) of this process so far, from `/proc/self/stat`.
fn cpu_sekunden() -> f64 {
    stat_cpu("/proc/self/stat")
}

/// utime + stime from a `stat` file of procfs, in seconds.
fn stat_cpu(pfad: &str) -> f64 {
    let s = std::fs::read_to_string(pfad).unwrap_or_default();
    // Fields after the command name in parentheses; utime and stime are fields 14 and 15.
    let rest = s.rsplit_once(')').map_or("", |(_, r)| r);
    let f: Vec<u64> = rest
        .split_whitespace()
        .skip(11)
        .take(2)
        .filter_map(|v| v.parse().ok())
        .collect();
    // The kernel reports in USER_HZ, which is 100 on Linux.
    f.iter().sum::<u64>() as f64 / 100.0
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn bench(c: &mut Criterion) {
    let pki = Pki::neu(Typ::P256);
    let key = pki.schluessel();
    let e = beispiel(Leistung::Hundesteuer);
    let jetzt = time::OffsetDateTime::now_utc();
    // Warm up (font parsing, template compilation happen once per process).
    ausstellen(&e, &key, jetzt).unwrap();

    // Split of one decision: medians over 200 runs.
    let mut teile: Vec<Zeiten> = Vec::new();
    for _ in 0..200 {
        teile.push(ausstellen(&e, &key, jetzt).unwrap().zeiten);
    }
    let m = |f: fn(&Zeiten) -> Duration| median(teile.iter().map(f).collect());
    let gesamt = m(|z| z.gesamt);
    let (satz, sub, komp, sig) = (
        m(|z| z.satz),
        m(|z| z.subsetting),
        m(|z| z.kompression),
        m(|z| z.signatur),
    );
    eprintln!(
        "\nEin Bescheid (P-256, PKCS#12), Median über 200: gesamt {gesamt:?} | Satz+PDF {satz:?} | Subsetting {sub:?} | Kompression {komp:?} | Signatur {sig:?}"
    );
    let t = Instant::now();
    for _ in 0..1000 {
        black_box(
            key.signieren(b"signed attributes of about this size, a few hundred bytes")
                .unwrap(),
        );
    }
    eprintln!(
        "Reine ECDSA-P-256-Signatur (aws-lc-rs): {:?} je Aufruf",
        t.elapsed() / 1000
    );

    let mut g = c.benchmark_group("bescheid");
    g.sample_size(30);
    g.bench_function("ausstellen_p256_p12", |b| {
        b.iter(|| black_box(ausstellen(&e, &key, jetzt).unwrap()))
    });
    g.bench_function("nur_signatur_p256", |b| {
        b.iter(|| black_box(key.signieren(b"x").unwrap()))
    });
    g.finish();

    // Batch of 1,000: on 2 workers and, for the speed-up, on 1 worker, alternating in the
    // same run so both see the same machine load; medians over the rounds.
    let mut zwei: Vec<Lauf> = Vec::new();
    let mut eins: Vec<Lauf> = Vec::new();
    for _ in 0..RUNDEN {
        zwei.push(stapel(2, &e, &key, jetzt));
        eins.push(stapel(1, &e, &key, jetzt));
    }
    bericht(&zwei, &eins);
}

/// Rounds per worker count.
const RUNDEN: usize = 3;

/// CPU time (user + system) of the calling thread, from `/proc/thread-self/stat`, and from
/// `/proc/thread-self/schedstat` (nanoseconds; 0 when the kernel does not provide it) the
/// time on a CPU plus the time it was ready to run but waited for one (run-queue delay):
/// the time the thread was runnable, i.e. not blocked on a lock or another thread.
fn thread_cpu_sekunden() -> (f64, f64, f64) {
    let sched: Vec<f64> = std::fs::read_to_string("/proc/thread-self/schedstat")
        .unwrap_or_default()
        .split_whitespace()
        .take(2)
        .map(|v| v.parse::<u64>().unwrap_or(0) as f64 / 1e9)
        .collect();
    let lauffaehig = sched.iter().sum();
    let warten = sched.get(1).copied().unwrap_or(0.0);
    (stat_cpu("/proc/thread-self/stat"), warten, lauffaehig)
}

/// One batch of 1,000 decisions.
struct Lauf {
    worker: usize,
    wand: f64,
    prozess_cpu: f64,
    /// Per worker: CPU seconds spent during the batch, decisions issued, seconds it waited
    /// for a free CPU while ready to run, seconds it was runnable (on a CPU or waiting).
    je_worker: Vec<(f64, usize, f64, f64)>,
    /// RSS (KiB) before and after every 250 decisions.
    rss: Vec<u64>,
    mib: usize,
}

impl Lauf {
    fn summe_worker_cpu(&self) -> f64 {
        self.je_worker.iter().map(|w| w.0).sum()
    }
    /// Lower bound for the time both workers ran at the same instant: Σ CPU − wall.
    fn gleichzeitig(&self) -> f64 {
        (self.summe_worker_cpu() - self.wand).max(0.0) / self.wand
    }
}

fn stapel(
    worker: usize,
    e: &bescheid::Entscheidung,
    key: &dyn Siegelschluessel,
    jetzt: time::OffsetDateTime,
) -> Lauf {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(worker)
        .thread_name(|i| format!("stapel-{i}"))
        .build()
        .unwrap();
    let zaehler: Vec<AtomicUsize> = (0..worker).map(|_| AtomicUsize::new(0)).collect();
    // Each worker reads its own CPU clock before and after (broadcast runs on every worker).
    let cpu_vorher = pool.broadcast(|_| thread_cpu_sekunden());
    let mut rss = vec![rss_kib()];
    let p0 = cpu_sekunden();
    let t = Instant::now();
    let mut bytes = 0usize;
    for _ in 0..4 {
        bytes += pool.install(|| {
            (0..250)
                .into_par_iter()
                .map(|_| {
                    let i = rayon::current_thread_index().unwrap();
                    zaehler[i].fetch_add(1, Ordering::Relaxed);
                    ausstellen(e, key, jetzt).unwrap().pdf.len()
                })
                .sum::<usize>()
        });
        rss.push(rss_kib());
    }
    let wand = t.elapsed().as_secs_f64();
    let prozess_cpu = cpu_sekunden() - p0;
    let cpu_nachher = pool.broadcast(|_| thread_cpu_sekunden());
    let je_worker = (0..worker)
        .map(|i| {
            (
                cpu_nachher[i].0 - cpu_vorher[i].0,
                zaehler[i].load(Ordering::Relaxed),
                cpu_nachher[i].1 - cpu_vorher[i].1,
                cpu_nachher[i].2 - cpu_vorher[i].2,
            )
        })
        .collect();
    Lauf {
        worker,
        wand,
        prozess_cpu,
        je_worker,
        rss,
        mib: bytes / (1024 * 1024),
    }
}

fn median_f(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn bericht(zwei: &[Lauf], eins: &[Lauf]) {
    eprintln!("\nStapel 1.000 Bescheide (P-256, PKCS#12), {RUNDEN} Runden abwechselnd:");
    for l in zwei.iter().zip(eins).flat_map(|(a, b)| [a, b]) {
        let worker: Vec<String> = l
            .je_worker
            .iter()
            .enumerate()
            .map(|(i, (cpu, n, warten, lauf))| {
                format!(
                    "Worker {i}: {cpu:.2} s CPU + {warten:.2} s auf CPU gewartet, lauffähig {:.0} % der Wandzeit, {n} Bescheide ({:.1} %)",
                    lauf / l.wand * 100.0,
                    *n as f64 / 10.0
                )
            })
            .collect();
        eprintln!(
            "  {} Worker: {:.2} s Wand, {:.2} ms/Bescheid, Prozess-CPU/Wand {:.2}, Σ Worker-CPU {:.2} s ({:.2} ms CPU/Bescheid), gleichzeitig ≥ {:.0} % der Wandzeit | {} | RSS KiB je 250: {:?} | {} MiB PDF",
            l.worker,
            l.wand,
            l.wand,
            l.prozess_cpu / l.wand,
            l.summe_worker_cpu(),
            l.summe_worker_cpu(),
            l.gleichzeitig() * 100.0,
            worker.join(" | "),
            l.rss,
            l.mib
        );
    }
    let m = |v: &[Lauf], f: &dyn Fn(&Lauf) -> f64| median_f(v.iter().map(f).collect());
    let wand2 = m(zwei, &|l| l.wand);
    let wand1 = m(eins, &|l| l.wand);
    let anteil_min = m(zwei, &|l| {
        l.je_worker.iter().map(|w| w.1).min().unwrap_or(0) as f64 / 10.0
    });
    let cpu_min = m(zwei, &|l| {
        l.je_worker
            .iter()
            .map(|w| w.0)
            .fold(f64::INFINITY, f64::min)
    });
    let cpu_max = m(zwei, &|l| {
        l.je_worker.iter().map(|w| w.0).fold(0.0, f64::max)
    });
    let warten = m(zwei, &|l| {
        l.je_worker.iter().map(|w| w.2).sum::<f64>() / l.je_worker.len() as f64
    });
    let lauffaehig = m(zwei, &|l| {
        l.je_worker
            .iter()
            .map(|w| w.3)
            .fold(f64::INFINITY, f64::min)
            / l.wand
    });
    let frei = m(eins, &|l| l.summe_worker_cpu()) / cpu_max;
    let wachstum = m(zwei, &|l| (l.rss[4] as f64 - l.rss[1] as f64) / 1024.0);
    eprintln!("Mediane:");
    eprintln!(
        "  Wandzeit 1.000 auf {} Workern {wand2:.2} s, auf 1 Worker {wand1:.2} s: Beschleunigung {:.2}×",
        zwei[0].worker,
        wand1 / wand2
    );
    eprintln!(
        "  Prozess-CPU/Wand {:.2} (2 Worker) vs. {:.2} (1 Worker)",
        m(zwei, &|l| l.prozess_cpu / l.wand),
        m(eins, &|l| l.prozess_cpu / l.wand)
    );
    eprintln!(
        "  CPU je Worker (2 Worker): min {cpu_min:.2} s, max {cpu_max:.2} s; kleinster Anteil an den Bescheiden {anteil_min:.1} %"
    );
    eprintln!(
        "  CPU je Bescheid: {:.2} ms (2 Worker) vs. {:.2} ms (1 Worker)",
        m(zwei, &|l| l.summe_worker_cpu()),
        m(eins, &|l| l.summe_worker_cpu())
    );
    eprintln!(
        "  Wartezeit je Worker auf eine freie CPU (andere Last der Maschine): {warten:.2} s von {wand2:.2} s Wandzeit"
    );
    eprintln!(
        "  jeder Worker lauffähig (rechnend oder auf eine CPU wartend, nie blockiert) mindestens {:.0} % der Wandzeit",
        lauffaehig * 100.0
    );
    eprintln!(
        "  Beschleunigung bei zwei freien Kernen, aus den CPU-Zeiten hochgerechnet (CPU 1 Worker / größte Worker-CPU bei 2): {frei:.2}×"
    );
    eprintln!(
        "  beide Worker gleichzeitig auf der CPU: mindestens {:.0} % der Wandzeit",
        m(zwei, &|l| l.gleichzeitig()) * 100.0
    );
    eprintln!(
        "  RSS-Zuwachs von 250 bis 1.000 Bescheiden: {wachstum:+.1} MiB; Spitze (VmHWM) {} MiB",
        hwm_kib() / 1024
    );
}

fn hwm_kib() -> u64 {
    let s = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    s.lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

criterion_group!(benches, bench);
criterion_main!(benches);
