#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::print_stderr
)]
//! Draft → preview render: a two-page Bescheid with a caseworker's long Begründung, from
//! the decision to one SVG document per page (template, layout, glyph outlines). Target:
//! at most 150 ms median. Prints the median over 50 runs, then criterion's estimate.
//!
//!     cargo bench -p bescheid --bench vorschau

#[path = "../tests/common/mod.rs"]
mod common;

use std::hint::black_box;
use std::time::{Duration, Instant};

use bescheid::vorschau;
use criterion::{Criterion, criterion_group, criterion_main};

fn bench(c: &mut Criterion) {
    let e = common::zweiseitig();
    // Setup, not timed: the decision really has two pages (and warms fonts and templates).
    assert_eq!(
        vorschau(&e).unwrap().seiten.len(),
        2,
        "zwei Seiten erwartet"
    );

    let mut zeiten: Vec<Duration> = (0..50)
        .map(|_| {
            let t = Instant::now();
            black_box(vorschau(&e).unwrap());
            t.elapsed()
        })
        .collect();
    zeiten.sort();
    let satz: Vec<Duration> = (0..50).map(|_| vorschau(&e).unwrap().satz).collect();
    let mut satz = satz;
    satz.sort();
    eprintln!(
        "\nEntwurf → Vorschau (2 Seiten SVG), Median über 50: {:?} (davon Vorlage und Satz {:?}; Ziel ≤ 150 ms)",
        zeiten[zeiten.len() / 2],
        satz[satz.len() / 2]
    );

    let mut g = c.benchmark_group("vorschau");
    g.sample_size(30);
    g.bench_function("entwurf_zu_vorschau_zwei_seiten", |b| {
        b.iter(|| black_box(vorschau(&e).unwrap()))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
