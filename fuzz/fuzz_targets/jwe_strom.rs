//! The streaming decryptor against the one-shot decryption on valid JWEs built from the
//! input (plaintext, chunk sizes, one changed byte): an untouched JWE decrypts to its
//! plaintext in any chunking; a changed one is refused by both paths or, where the change
//! does not alter the decoded bytes (spare base64 bits), decrypts to the same plaintext.
#![no_main]

use amtsstube_fuzz::{Leser, verschluesselung};
use fitconnect::jose::{self, stream::StreamDecryptor};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|daten: &[u8]| {
    let mut l = Leser::neu(daten);
    let stueck = (l.u16() as usize).max(1);
    let pos = l.u32() as usize;
    let xor = l.u8();
    let klartext = l.rest();
    let key = verschluesselung();
    let Ok(public) = key.public_jwk() else { return };
    let Ok(jwe) = jose::encrypt(&public, klartext, Some("application/json")) else {
        return;
    };
    let mut text = jwe.into_bytes();
    let veraendert = xor != 0 && !text.is_empty();
    if veraendert {
        let i = pos % text.len();
        text[i] ^= xor;
    }

    let einmal = std::str::from_utf8(&text)
        .ok()
        .and_then(|t| jose::decrypt(key, t).ok());
    let mut klar = Vec::new();
    let mut senke = |b: &[u8]| {
        klar.extend_from_slice(b);
        Ok(())
    };
    let mut d = StreamDecryptor::new(key);
    let mut ok = true;
    for c in text.chunks(stueck) {
        if d.update(c, &mut senke).is_err() {
            ok = false;
            break;
        }
    }
    let strom = if ok { d.finish(&mut senke).ok() } else { None };
    let strom = strom.map(|_| klar);

    if !veraendert {
        assert_eq!(einmal.as_ref().map(|e| &e.plaintext[..]), Some(klartext));
        assert_eq!(strom.as_deref(), Some(klartext));
        return;
    }
    if let Some(e) = &einmal {
        assert_eq!(e.plaintext, klartext, "verändertes JWE ergibt anderen Klartext");
    }
    if let Some(s) = &strom {
        assert_eq!(s, klartext, "verändertes JWE ergibt im Strom anderen Klartext");
    }
    assert_eq!(
        einmal.is_some(),
        strom.is_some(),
        "Strom und Einmal-Entschlüsselung uneins über ein verändertes JWE"
    );
});
