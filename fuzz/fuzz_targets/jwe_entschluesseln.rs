//! A compact JWE from outside (metadata, form data, attachments of a submission), decrypted
//! with the one-shot [`fitconnect::jose::decrypt`] and with the [`StreamDecryptor`] in two
//! pieces split where the input says. Neither may panic, and the streaming path must not
//! accept what the one-shot path refuses (nor yield other plaintext).
//!
//! Seeds are valid JWEs for the test key, so mutations reach AES-GCM behind the RSA unwrap.
#![no_main]

use amtsstube_fuzz::verschluesselung;
use fitconnect::jose::{self, stream::StreamDecryptor};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|daten: &[u8]| {
    let Some((&teilung, text)) = daten.split_first() else {
        return;
    };
    let key = verschluesselung();
    let einmal = std::str::from_utf8(text)
        .ok()
        .map(|t| jose::decrypt(key, t));

    let mut klar = Vec::new();
    let mut senke = |b: &[u8]| {
        klar.extend_from_slice(b);
        Ok(())
    };
    let mut d = StreamDecryptor::new(key);
    let bei = (teilung as usize * text.len()) / 255;
    let strom = d
        .update(&text[..bei], &mut senke)
        .and_then(|()| d.update(&text[bei..], &mut senke))
        .and_then(|()| d.finish(&mut senke));

    if let Ok(tag) = strom {
        match einmal {
            Some(Ok(e)) => {
                assert_eq!(e.plaintext, klar, "Strom und Einmal-Entschlüsselung uneins");
                assert_eq!(e.tag, tag);
            }
            other => panic!(
                "Strom nimmt an, was die Einmal-Entschlüsselung ablehnt: {:?}",
                other.map(|r| r.map(|_| ()))
            ),
        }
    }
});
