//! Security Event Tokens from the Zustelldienst's event log.
//!
//! The first byte picks: (0) the input is the token, checked against the test JWKS;
//! (1) the input is the payload, signed with the test key as a SET so the fuzzer reaches the
//! structural checks behind the signature; (2) the input is a JWKS (as the key service
//! delivers it), used to verify a fixed valid SET.
#![no_main]

use std::sync::OnceLock;

use amtsstube_fuzz::{signatur, signatur_jwks};
use fitconnect::jose::{self, Jwks};
use libfuzzer_sys::fuzz_target;

fn gueltiges_set() -> &'static str {
    static T: OnceLock<String> = OnceLock::new();
    T.get_or_init(|| {
        jose::sign(
            signatur(),
            Some(fitconnect::set::SET_TYP),
            br#"{"jti":"j","iss":"i","iat":1,"sub":"submission:s","txn":"case:c","events":{"https://schema.fitko.de/fit-connect/events/accept-submission":{}}}"#,
        )
        .expect("signieren")
    })
}

fuzz_target!(|daten: &[u8]| {
    let Some((&art, rest)) = daten.split_first() else {
        return;
    };
    match art % 3 {
        0 => {
            if let Ok(t) = std::str::from_utf8(rest) {
                pruefen(signatur_jwks(), t);
            }
        }
        1 => {
            if let Ok(t) = jose::sign(signatur(), Some(fitconnect::set::SET_TYP), rest) {
                pruefen(signatur_jwks(), &t);
            }
        }
        _ => {
            if let Ok(jwks) = serde_json::from_slice::<Jwks>(rest) {
                pruefen(&jwks, gueltiges_set());
            }
        }
    }
});

fn pruefen(keys: &Jwks, token: &str) {
    if let Ok(v) = fitconnect::set::verify(keys, token) {
        let _ = v.authentication_tags();
        let _ = v.problems();
    }
}
