#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Decrypt + verify throughput of submissions (metadata, form data, one 200 KB attachment)
//! against the bound set by RSA-4096 private-key operations, measured in the same run: a
//! submission needs three (one CEK unwrap per JWE), so no implementation can be faster than
//! `3 × t(RSA-4096 private op)`. Prints `ratio = bound / measured` (1.0 = at the bound).
//!
//!     cargo bench -p fitconnect --bench decrypt_verify

use std::hint::black_box;
use std::time::{Duration, Instant};

use aws_lc_rs::rsa::{OAEP_SHA256_MGF1SHA256, OaepPrivateDecryptingKey, OaepPublicEncryptingKey};
use criterion::Criterion;
use fitconnect::client::{open_attachment, open_submission};
use fitconnect::jose::EncryptionKeyPair;
use fitconnect::sender::seal;

struct Fixture {
    key: EncryptionKeyPair,
    forms: fitconnect::metadata::FormSchemas,
    sealed: fitconnect::sender::Sealed,
    oaep: OaepPrivateDecryptingKey,
    wrapped: Vec<u8>,
}

fn fixture() -> Fixture {
    let key = EncryptionKeyPair::generate("bench-enc-0001").unwrap();
    let jwk = key.public_jwk().unwrap();
    let mut app = simulator::applicant::application(1, 0).unwrap();
    app.outgoing.reply_key = None;
    app.outgoing.attachments = vec![simulator::applicant::pdf_anlage(
        uuid::Uuid::new_v4().to_string(),
        "Nachweis",
        200 * 1024,
    )];
    let sealed = seal("d0000000-0000-4000-8000-000000000000", &jwk, &app.outgoing).unwrap();
    // One RSA-OAEP ciphertext to time the private-key operation alone.
    let public = OaepPublicEncryptingKey::new(jwk.encrypting_key().unwrap()).unwrap();
    let mut wrapped = vec![0u8; public.ciphertext_size()];
    let wrapped = public
        .encrypt(&OAEP_SHA256_MGF1SHA256, &[7u8; 32], &mut wrapped, None)
        .unwrap()
        .to_vec();
    let der = key.to_pkcs8().unwrap();
    let oaep = OaepPrivateDecryptingKey::new(
        aws_lc_rs::rsa::PrivateDecryptingKey::from_pkcs8(&der).unwrap(),
    )
    .unwrap();
    Fixture {
        key,
        forms: simulator::leistungen::form_schemas(),
        sealed,
        oaep,
        wrapped,
    }
}

fn rsa_op(f: &Fixture) {
    let mut out = vec![0u8; f.oaep.min_output_size()];
    black_box(
        f.oaep
            .decrypt(&OAEP_SHA256_MGF1SHA256, &f.wrapped, &mut out, None)
            .unwrap(),
    );
}

fn submission(f: &Fixture) {
    let opened = open_submission(
        &f.key,
        &f.forms,
        Some(&f.sealed.submit.encrypted_metadata),
        f.sealed.submit.encrypted_data.as_deref(),
    )
    .unwrap();
    assert!(opened.data_validated);
    let meta = &opened.metadata.content_structure.attachments[0];
    let (plain, _tag) = open_attachment(&f.key, meta, &f.sealed.attachments[0].1).unwrap();
    black_box(plain);
}

fn median(mut f: impl FnMut(), n: usize) -> Duration {
    let mut v: Vec<Duration> = (0..n)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed()
        })
        .collect();
    v.sort();
    v[n / 2]
}

fn main() {
    let f = fixture();
    let mut c = Criterion::default()
        .sample_size(30)
        .measurement_time(Duration::from_secs(4))
        .configure_from_args();
    let mut g = c.benchmark_group("fitconnect");
    g.bench_function("rsa4096_private_op", |b| b.iter(|| rsa_op(&f)));
    g.bench_function("decrypt_verify_submission_200k", |b| {
        b.iter(|| submission(&f))
    });
    g.finish();
    c.final_summary();

    // The ratio from interleaved runs in the same process: each round times one RSA op and one
    // submission back to back, so both see the same machine load. Minima are the least
    // disturbed by other processes on a busy 2-core machine; medians are printed too.
    let mut rsa = Vec::new();
    let mut sub = Vec::new();
    for _ in 0..150 {
        let t = Instant::now();
        rsa_op(&f);
        rsa.push(t.elapsed());
        let t = Instant::now();
        submission(&f);
        sub.push(t.elapsed());
    }
    rsa.sort();
    sub.sort();
    let (t_rsa, t_sub) = (rsa[0], sub[0]);
    let bound = t_rsa * 3;
    println!(
        "\nRSA-4096 private op: min {t_rsa:?} (median {:?}); bound (3 ops): {bound:?} = {:.1} submissions/s",
        rsa[rsa.len() / 2],
        1.0 / bound.as_secs_f64()
    );
    println!(
        "decrypt+verify (metadata, data, 200 KB attachment): min {t_sub:?} (median {:?}) = {:.1} submissions/s",
        sub[sub.len() / 2],
        1.0 / t_sub.as_secs_f64()
    );
    println!(
        "median ratio = {:.1} %",
        100.0 * 3.0 * rsa[rsa.len() / 2].as_secs_f64() / sub[sub.len() / 2].as_secs_f64()
    );
    // Where the time goes (medians).
    let em = f.sealed.submit.encrypted_metadata.clone();
    let meta_plain = fitconnect::jose::decrypt(&f.key, &em).unwrap().plaintext;
    println!(
        "  breakdown: metadata JWE decrypt {:?}, metadata parse+validate {:?}, attachment JWE decrypt+hash {:?}",
        median(
            || {
                black_box(fitconnect::jose::decrypt(&f.key, &em).unwrap());
            },
            20
        ),
        median(
            || {
                black_box(fitconnect::metadata::Metadata::parse(&meta_plain).unwrap());
            },
            20
        ),
        median(
            || {
                let d = fitconnect::jose::decrypt(&f.key, &f.sealed.attachments[0].1).unwrap();
                black_box(fitconnect::metadata::sha512_hex(&d.plaintext));
            },
            20
        ),
    );
    let data_plain =
        fitconnect::jose::decrypt(&f.key, f.sealed.submit.encrypted_data.as_deref().unwrap())
            .unwrap()
            .plaintext;
    let uri = app_schema_uri(&meta_plain);
    println!(
        "  breakdown: open_submission (metadata+data) {:?}, form validation {:?}",
        median(
            || {
                black_box(
                    open_submission(
                        &f.key,
                        &f.forms,
                        Some(&em),
                        f.sealed.submit.encrypted_data.as_deref(),
                    )
                    .unwrap(),
                );
            },
            20
        ),
        median(
            || {
                black_box(f.forms.validate(&uri, &data_plain).unwrap());
            },
            20
        ),
    );
    println!(
        "ratio = bound / measured (minima) = {:.1} %",
        100.0 * bound.as_secs_f64() / t_sub.as_secs_f64()
    );
}

fn app_schema_uri(meta: &[u8]) -> String {
    let v: serde_json::Value = serde_json::from_slice(meta).unwrap();
    v.pointer("/contentStructure/data/submissionSchema/schemaUri")
        .and_then(|u| u.as_str())
        .unwrap()
        .to_owned()
}
