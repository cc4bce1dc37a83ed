//! Streaming decryption of a compact JWE (`RSA-OAEP-256` + `A256GCM`) with bounded memory,
//! for large attachments.
//!
//! aws-lc-rs offers AES-GCM only over a whole buffer, so this module composes GCM from its
//! parts (NIST SP 800-38D): AES-256-CTR from aws-lc-rs for the keystream, single-block AES
//! (ECB) for `H = E(K, 0)` and `E(K, J0)`, and GHASH written here. The base64url text is
//! decoded in 4-character groups as it arrives, so memory stays at one chunk plus a few blocks.
//!
//! **The plaintext handed to the sink is unauthenticated until [`StreamDecryptor::finish`]
//! returns `Ok`.** Callers write it to a place they discard on error (the store writes the
//! blob and commits its row only after `finish`), exactly like any streaming AEAD consumer.
//! The one-shot [`super::decrypt`] uses aws-lc-rs's hardware GCM and is faster for the small
//! parts (metadata, data); this path is for attachments above
//! [`crate::client::STREAM_THRESHOLD`].

use aws_lc_rs::cipher::{
    AES_256, DecryptingKey, DecryptionContext, EncryptingKey, UnboundCipherKey,
};
use aws_lc_rs::iv::FixedLength;

use super::jwe::{iv_of, parse_header, unwrap_cek};
use super::{EncryptionKeyPair, JoseError, unb64};

const MAX_PREFIX: usize = 16 * 1024;
/// GCM's 32-bit counter allows 2^32 - 2 blocks per message.
const MAX_BLOCKS: u64 = (1u64 << 32) - 2;

enum Phase {
    Header,
    EncryptedKey,
    Iv,
    Ciphertext,
    Tag,
}

/// Incremental decryptor for one compact JWE.
pub struct StreamDecryptor<'k> {
    key: &'k EncryptionKeyPair,
    phase: Phase,
    /// Text of the current prefix part (header, key, iv) or of the tag.
    field: String,
    header_b64: String,
    encrypted_key_b64: String,
    /// base64url characters not yet forming a 4-group.
    b64_pending: Vec<u8>,
    /// Ciphertext bytes not yet forming a 16-byte block.
    ct_pending: Vec<u8>,
    gcm: Option<Gcm>,
}

impl std::fmt::Debug for StreamDecryptor<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("StreamDecryptor")
    }
}

struct Gcm {
    ctr: DecryptingKey,
    iv: [u8; 12],
    h: u128,
    ek_j0: [u8; 16],
    ghash: u128,
    blocks: u64,
    aad_len: u64,
    ct_len: u64,
}

impl<'k> StreamDecryptor<'k> {
    /// A decryptor for a JWE addressed to `key`.
    pub fn new(key: &'k EncryptionKeyPair) -> Self {
        StreamDecryptor {
            key,
            phase: Phase::Header,
            field: String::new(),
            header_b64: String::new(),
            encrypted_key_b64: String::new(),
            b64_pending: Vec::with_capacity(4),
            ct_pending: Vec::with_capacity(16),
            gcm: None,
        }
    }

    /// Feeds the next chunk of the compact JWE text; plaintext goes to `sink`.
    pub fn update(
        &mut self,
        chunk: &[u8],
        sink: &mut dyn FnMut(&[u8]) -> Result<(), JoseError>,
    ) -> Result<(), JoseError> {
        let mut rest = chunk;
        while !rest.is_empty() {
            match self.phase {
                Phase::Ciphertext => {
                    let end = rest.iter().position(|&b| b == b'.').unwrap_or(rest.len());
                    self.ciphertext_text(&rest[..end], sink)?;
                    if end < rest.len() {
                        self.flush_b64(sink)?;
                        self.phase = Phase::Tag;
                        rest = &rest[end + 1..];
                    } else {
                        rest = &[];
                    }
                }
                Phase::Tag => {
                    if rest.contains(&b'.') {
                        return Err(JoseError::Malformed(
                            "mehr als 5 Teile im kompakten JWE".into(),
                        ));
                    }
                    self.push_field(rest)?;
                    rest = &[];
                }
                _ => {
                    let end = rest.iter().position(|&b| b == b'.').unwrap_or(rest.len());
                    self.push_field(&rest[..end])?;
                    if end < rest.len() {
                        self.end_prefix_part()?;
                        rest = &rest[end + 1..];
                    } else {
                        rest = &[];
                    }
                }
            }
        }
        Ok(())
    }

    fn push_field(&mut self, bytes: &[u8]) -> Result<(), JoseError> {
        if self.field.len() + bytes.len() > MAX_PREFIX {
            return Err(JoseError::Malformed("JWE-Kopfteil zu lang".into()));
        }
        let text = std::str::from_utf8(bytes)
            .map_err(|_| JoseError::Malformed("JWE enthält Nicht-ASCII-Zeichen".into()))?;
        self.field.push_str(text);
        Ok(())
    }

    fn end_prefix_part(&mut self) -> Result<(), JoseError> {
        let text = std::mem::take(&mut self.field);
        match self.phase {
            Phase::Header => {
                self.header_b64 = text;
                self.phase = Phase::EncryptedKey;
            }
            Phase::EncryptedKey => {
                self.encrypted_key_b64 = text;
                self.phase = Phase::Iv;
            }
            Phase::Iv => {
                let header = parse_header(&self.header_b64)?;
                let iv = iv_of(&text)?;
                let cek = unwrap_cek(self.key, &header, &self.encrypted_key_b64)?;
                self.gcm = Some(Gcm::new(&cek, iv, self.header_b64.as_bytes())?);
                self.phase = Phase::Ciphertext;
            }
            Phase::Ciphertext | Phase::Tag => {}
        }
        Ok(())
    }

    fn ciphertext_text(
        &mut self,
        text: &[u8],
        sink: &mut dyn FnMut(&[u8]) -> Result<(), JoseError>,
    ) -> Result<(), JoseError> {
        let mut decoded = Vec::with_capacity(text.len() / 4 * 3 + 3);
        let mut i = 0;
        if !self.b64_pending.is_empty() {
            while self.b64_pending.len() < 4 && i < text.len() {
                self.b64_pending.push(text[i]);
                i += 1;
            }
            if self.b64_pending.len() < 4 {
                return Ok(());
            }
            decoded.extend(unb64(ascii(&self.b64_pending)?, "Chiffrat")?);
            self.b64_pending.clear();
        }
        let whole = (text.len() - i) / 4 * 4;
        decoded.extend(unb64(ascii(&text[i..i + whole])?, "Chiffrat")?);
        self.b64_pending.extend_from_slice(&text[i + whole..]);
        self.ciphertext_bytes(&decoded, sink)
    }

    fn flush_b64(
        &mut self,
        sink: &mut dyn FnMut(&[u8]) -> Result<(), JoseError>,
    ) -> Result<(), JoseError> {
        if self.b64_pending.is_empty() {
            return Ok(());
        }
        let decoded = unb64(ascii(&self.b64_pending)?, "Chiffrat")?;
        self.b64_pending.clear();
        self.ciphertext_bytes(&decoded, sink)
    }

    fn ciphertext_bytes(
        &mut self,
        bytes: &[u8],
        sink: &mut dyn FnMut(&[u8]) -> Result<(), JoseError>,
    ) -> Result<(), JoseError> {
        let gcm = self
            .gcm
            .as_mut()
            .ok_or_else(|| JoseError::Malformed("Chiffrat vor dem Schlüssel".into()))?;
        self.ct_pending.extend_from_slice(bytes);
        let whole = self.ct_pending.len() / 16 * 16;
        if whole > 0 {
            let mut blocks: Vec<u8> = self.ct_pending.drain(..whole).collect();
            gcm.process(&mut blocks)?;
            sink(&blocks)?;
        }
        Ok(())
    }

    /// Ends the stream: checks the authentication tag and returns it (base64url).
    /// On `Err`, everything handed to the sink must be discarded.
    pub fn finish(
        mut self,
        sink: &mut dyn FnMut(&[u8]) -> Result<(), JoseError>,
    ) -> Result<String, JoseError> {
        if !matches!(self.phase, Phase::Tag) {
            return Err(JoseError::Malformed(
                "JWE endet vorzeitig (weniger als 5 Teile)".into(),
            ));
        }
        let tag_b64 = std::mem::take(&mut self.field);
        let tag = unb64(tag_b64.trim(), "Authentication Tag")?;
        let mut gcm = self
            .gcm
            .take()
            .ok_or_else(|| JoseError::Malformed("Schlüssel fehlt".into()))?;
        let mut last = std::mem::take(&mut self.ct_pending);
        if !last.is_empty() {
            gcm.process(&mut last)?;
            sink(&last)?;
        }
        let expected = gcm.tag();
        if tag.len() != 16
            || aws_lc_rs::constant_time::verify_slices_are_equal(&tag, &expected).is_err()
        {
            return Err(JoseError::IntegrityCheckFailed(
                "Authentication Tag des JWE stimmt nicht (Daten verändert)".into(),
            ));
        }
        Ok(tag_b64.trim().to_owned())
    }
}

fn ascii(b: &[u8]) -> Result<&str, JoseError> {
    std::str::from_utf8(b).map_err(|_| JoseError::Malformed("Chiffrat ist kein ASCII".into()))
}

fn block_encrypt(cek: &[u8; 32], block: &mut [u8; 16]) -> Result<(), JoseError> {
    let key = EncryptingKey::ecb(
        UnboundCipherKey::new(&AES_256, cek)
            .map_err(|_| JoseError::Crypto("AES-Schlüssel ungültig".into()))?,
    )
    .map_err(|_| JoseError::Crypto("AES nicht verfügbar".into()))?;
    key.encrypt(block)
        .map_err(|_| JoseError::Crypto("AES fehlgeschlagen".into()))?;
    Ok(())
}

impl Gcm {
    fn new(cek: &[u8; 32], iv: [u8; 12], aad: &[u8]) -> Result<Self, JoseError> {
        let mut h = [0u8; 16];
        block_encrypt(cek, &mut h)?;
        let mut j0 = [0u8; 16];
        j0[..12].copy_from_slice(&iv);
        j0[15] = 1;
        block_encrypt(cek, &mut j0)?;
        let ctr = DecryptingKey::ctr(
            UnboundCipherKey::new(&AES_256, cek)
                .map_err(|_| JoseError::Crypto("AES-Schlüssel ungültig".into()))?,
        )
        .map_err(|_| JoseError::Crypto("AES-CTR nicht verfügbar".into()))?;
        let mut gcm = Gcm {
            ctr,
            iv,
            h: u128::from_be_bytes(h),
            ek_j0: j0,
            ghash: 0,
            blocks: 0,
            aad_len: aad.len() as u64,
            ct_len: 0,
        };
        for chunk in aad.chunks(16) {
            gcm.ghash_block(chunk);
        }
        Ok(gcm)
    }

    fn ghash_block(&mut self, chunk: &[u8]) {
        let mut block = [0u8; 16];
        block[..chunk.len()].copy_from_slice(chunk);
        self.ghash = gf_mul(self.ghash ^ u128::from_be_bytes(block), self.h);
    }

    /// Authenticates and decrypts whole blocks (or the final partial one) in place.
    fn process(&mut self, buf: &mut [u8]) -> Result<(), JoseError> {
        let n_blocks = buf.len().div_ceil(16) as u64;
        if self.blocks + n_blocks > MAX_BLOCKS {
            return Err(JoseError::Malformed("Chiffrat zu groß für AES-GCM".into()));
        }
        for chunk in buf.chunks(16) {
            self.ghash_block(chunk);
        }
        let mut counter = [0u8; 16];
        counter[..12].copy_from_slice(&self.iv);
        // inc32(J0) is the first counter; blocks < 2^32 - 2 so it never wraps.
        let c = u32::try_from(self.blocks + 2)
            .map_err(|_| JoseError::Malformed("Chiffrat zu groß für AES-GCM".into()))?;
        counter[12..].copy_from_slice(&c.to_be_bytes());
        self.ctr
            .decrypt(
                buf,
                DecryptionContext::Iv128(FixedLength::<16>::from(&counter)),
            )
            .map_err(|_| JoseError::Crypto("AES-CTR fehlgeschlagen".into()))?;
        self.blocks += n_blocks;
        self.ct_len += buf.len() as u64;
        Ok(())
    }

    fn tag(&mut self) -> [u8; 16] {
        let lens = (u128::from(self.aad_len * 8) << 64) | u128::from(self.ct_len * 8);
        self.ghash = gf_mul(self.ghash ^ lens, self.h);
        (self.ghash ^ u128::from_be_bytes(self.ek_j0)).to_be_bytes()
    }
}

/// Multiplication in GF(2^128) with GCM's bit order (SP 800-38D, algorithm 1).
fn gf_mul(x: u128, y: u128) -> u128 {
    const R: u128 = 0xE1 << 120;
    let mut z = 0u128;
    let mut v = y;
    for i in 0..128 {
        // Branch-free: mask is all ones when bit i (from the most significant) of x is set.
        let mask = 0u128.wrapping_sub((x >> (127 - i)) & 1);
        z ^= v & mask;
        let carry = 0u128.wrapping_sub(v & 1);
        v = (v >> 1) ^ (R & carry);
    }
    z
}
