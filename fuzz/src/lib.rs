//! Shared pieces of the fuzz targets: the fixed test keys (so that the committed seed corpus
//! of valid JWEs and SETs stays valid), and a small reader that turns the fuzzer's bytes into
//! structured choices without an extra dependency.
//!
//! Each target in `fuzz_targets/` feeds one reader of outside data. Where a signature or an
//! RSA-wrapped key would stop random bytes at the first check, the target builds a valid
//! message from the input with the test keys and then mutates it, so the fuzzer reaches the
//! code behind the check. Seeds: `cargo xtask fuzz --saat` (in `fuzz/`), see `src/bin/saat.rs`.

use std::sync::OnceLock;

use fitconnect::jose::{EncryptionKeyPair, Jwks, SigningKeyPair};

/// `kid` of the test encryption key.
pub const KID_VERSCHLUESSELUNG: &str = "fuzz-enc";
/// `kid` of the test signing key.
pub const KID_SIGNATUR: &str = "fuzz-sig";

/// The test encryption key (RSA-2048).
pub fn verschluesselung() -> &'static EncryptionKeyPair {
    static K: OnceLock<EncryptionKeyPair> = OnceLock::new();
    K.get_or_init(|| {
        EncryptionKeyPair::from_pkcs8(
            KID_VERSCHLUESSELUNG,
            include_bytes!("../schluessel/verschluesselung.pk8"),
        )
        .expect("Testschlüssel lesbar")
    })
}

/// The test signing key (RSA-2048).
pub fn signatur() -> &'static SigningKeyPair {
    static K: OnceLock<SigningKeyPair> = OnceLock::new();
    K.get_or_init(|| {
        SigningKeyPair::from_pkcs8(KID_SIGNATUR, include_bytes!("../schluessel/signatur.pk8"))
            .expect("Testschlüssel lesbar")
    })
}

/// The JWKS with the test signing key's public half.
pub fn signatur_jwks() -> &'static Jwks {
    static K: OnceLock<Jwks> = OnceLock::new();
    K.get_or_init(|| Jwks {
        keys: vec![signatur().public_jwk()],
    })
}

/// Takes structured choices from the fuzzer's bytes; runs dry as zeros.
#[derive(Debug)]
pub struct Leser<'a> {
    rest: &'a [u8],
}

impl<'a> Leser<'a> {
    /// Reads from `daten`.
    pub fn neu(daten: &'a [u8]) -> Self {
        Self { rest: daten }
    }

    /// One byte.
    pub fn u8(&mut self) -> u8 {
        match self.rest.split_first() {
            Some((b, r)) => {
                self.rest = r;
                *b
            }
            None => 0,
        }
    }

    /// Two bytes, big-endian.
    pub fn u16(&mut self) -> u16 {
        u16::from_be_bytes([self.u8(), self.u8()])
    }

    /// Four bytes, big-endian.
    pub fn u32(&mut self) -> u32 {
        u32::from_be_bytes([self.u8(), self.u8(), self.u8(), self.u8()])
    }

    /// A slice of at most `max` bytes, its length taken from the input.
    pub fn stueck(&mut self, max: usize) -> &'a [u8] {
        let n = (self.u16() as usize).min(max).min(self.rest.len());
        let (a, b) = self.rest.split_at(n);
        self.rest = b;
        a
    }

    /// Everything left.
    pub fn rest(&mut self) -> &'a [u8] {
        std::mem::take(&mut self.rest)
    }
}
