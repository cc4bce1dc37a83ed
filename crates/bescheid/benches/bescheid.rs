#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::print_stderr
)]
//! Issue + seal one decision (P-256 from PKCS#12), split into layout, font subsetting,
//! compression and signing, and a batch of 1,000 on all cores with memory sampled.
//!
//!     cargo bench -p bescheid --bench bescheid

#[path = "../tests/common/mod.rs"]
mod common;

use std::hint::black_box;
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

/// CPU time (user + system) of this process so far, from `/proc/self/stat` (clock ticks).
fn cpu_sekunden() -> f64 {
    let s = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
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

    // Batch of 1,000 on all cores, memory sampled every 250.
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(2);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap();
    let mut rss = vec![rss_kib()];
    let cpu0 = cpu_sekunden();
    let t = Instant::now();
    let mut bytes = 0usize;
    for _ in 0..4 {
        bytes += pool.install(|| {
            (0..250)
                .into_par_iter()
                .map(|_| ausstellen(&e, &key, jetzt).unwrap().pdf.len())
                .sum::<usize>()
        });
        rss.push(rss_kib());
    }
    let dauer = t.elapsed();
    let cpu = cpu_sekunden() - cpu0;
    eprintln!(
        "Stapel: CPU-Zeit {cpu:.2} s in {:.2} s Wandzeit = {:.2} Kerne im Mittel beschäftigt",
        dauer.as_secs_f64(),
        cpu / dauer.as_secs_f64()
    );
    eprintln!(
        "Stapel 1.000 Bescheide auf {threads} Kernen: {dauer:?} ({:.1} Bescheide/s, {:.2} ms je Bescheid, {} MiB PDF); RSS KiB nach 0/250/500/750/1000: {rss:?}",
        1000.0 / dauer.as_secs_f64(),
        dauer.as_secs_f64(),
        bytes / (1024 * 1024)
    );
}

criterion_group!(benches, bench);
criterion_main!(benches);
