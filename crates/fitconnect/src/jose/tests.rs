use std::sync::OnceLock;

use aws_lc_rs::rsa::KeySize;

use super::stream::StreamDecryptor;
use super::*;

fn enc_key() -> &'static EncryptionKeyPair {
    static K: OnceLock<EncryptionKeyPair> = OnceLock::new();
    K.get_or_init(|| EncryptionKeyPair::generate_sized("enc-1", KeySize::Rsa2048).unwrap())
}
fn other_enc_key() -> &'static EncryptionKeyPair {
    static K: OnceLock<EncryptionKeyPair> = OnceLock::new();
    K.get_or_init(|| EncryptionKeyPair::generate_sized("enc-1", KeySize::Rsa2048).unwrap())
}
fn sig_key() -> &'static SigningKeyPair {
    static K: OnceLock<SigningKeyPair> = OnceLock::new();
    K.get_or_init(|| SigningKeyPair::generate_sized("sig-1", KeySize::Rsa2048).unwrap())
}

fn tamper(jwe: &str, part: usize) -> String {
    let mut parts: Vec<String> = jwe.split('.').map(String::from).collect();
    let mut raw = unb64(&parts[part], "x").unwrap();
    raw[0] ^= 1;
    parts[part] = b64(&raw);
    parts.join(".")
}

#[test]
fn a_jwe_round_trips_and_carries_its_tag() {
    let jwk = enc_key().public_jwk().unwrap();
    let jwe = encrypt(
        &jwk,
        "Grüße aus dem Bürgeramt".as_bytes(),
        Some("application/json"),
    )
    .unwrap();
    let out = decrypt(enc_key(), &jwe).unwrap();
    assert_eq!(out.plaintext, "Grüße aus dem Bürgeramt".as_bytes());
    assert_eq!(out.header.cty.as_deref(), Some("application/json"));
    assert_eq!(out.tag, jwe.rsplit('.').next().unwrap());
}

#[test]
fn a_4096_bit_key_round_trips_and_its_jwk_meets_the_api_minimum() {
    let key = EncryptionKeyPair::generate("enc-4096").unwrap();
    let jwk = key.public_jwk().unwrap();
    assert_eq!(jwk.modulus_bits(), 4096);
    assert!(
        jwk.n.len() >= 683,
        "Submission API requires n of at least 683 chars"
    );
    assert_eq!(jwk.e, "AQAB");
    let jwe = encrypt(&jwk, b"x", None).unwrap();
    assert_eq!(decrypt(&key, &jwe).unwrap().plaintext, b"x");
}

#[test]
fn an_empty_plaintext_round_trips() {
    let jwe = encrypt(&enc_key().public_jwk().unwrap(), b"", None).unwrap();
    assert_eq!(decrypt(enc_key(), &jwe).unwrap().plaintext, b"");
}

#[test]
fn a_tampered_tag_ciphertext_iv_or_header_fails_the_integrity_check() {
    let jwe = encrypt(&enc_key().public_jwk().unwrap(), b"Hundesteuer", None).unwrap();
    for part in [2, 3, 4] {
        let err = decrypt(enc_key(), &tamper(&jwe, part)).unwrap_err();
        assert!(
            matches!(err, JoseError::IntegrityCheckFailed(_)),
            "part {part}: {err:?}"
        );
    }
    // Changing the protected header (AAD) while keeping it valid JSON also breaks the tag.
    let mut parts: Vec<&str> = jwe.split('.').collect();
    let hdr = b64(br#"{"alg":"RSA-OAEP-256","enc":"A256GCM","kid":"enc-1","cty":"text/plain"}"#);
    parts[0] = &hdr;
    let err = decrypt(enc_key(), &parts.join(".")).unwrap_err();
    assert!(matches!(err, JoseError::IntegrityCheckFailed(_)), "{err:?}");
}

#[test]
fn the_wrong_private_key_is_reported_as_wrong_key() {
    let jwe = encrypt(&enc_key().public_jwk().unwrap(), b"geheim", None).unwrap();
    let err = decrypt(other_enc_key(), &jwe).unwrap_err();
    assert!(matches!(err, JoseError::WrongKey(_)), "{err:?}");
    let other = EncryptionKeyPair::from_pkcs8("enc-2", &enc_key().to_pkcs8().unwrap()).unwrap();
    let err = decrypt(&other, &jwe).unwrap_err();
    assert!(err.to_string().contains("enc-1"), "{err}");
}

#[test]
fn malformed_jwes_give_clear_errors_and_never_panic() {
    let cases = [
        "",
        "a.b.c",
        "....",
        "a.b.c.d.e.f",
        "!!!.b.c.d.e",
        "e30.AAAA.AAAA.AAAA.AAAA",
        "eyJhbGciOiJub25lIn0.a.b.c.d",
    ];
    for c in cases {
        let err = decrypt(enc_key(), c).unwrap_err();
        assert!(!err.to_string().is_empty());
    }
    let zip = JweHeader {
        zip: Some("DEF".into()),
        ..JweHeader::for_key("enc-1", None)
    };
    let jwe = encrypt_with_header(&enc_key().public_jwk().unwrap(), b"x", &zip).unwrap();
    assert!(matches!(
        decrypt(enc_key(), &jwe),
        Err(JoseError::UnsupportedAlgorithm(_))
    ));
}

#[test]
fn a_jws_round_trips_and_rejects_tampering_and_foreign_keys() {
    let token = sign(sig_key(), Some("secevent+jwt"), br#"{"a":1}"#).unwrap();
    let keys = Jwks {
        keys: vec![sig_key().public_jwk()],
    };
    let ok = verify(&keys, &token).unwrap();
    assert_eq!(ok.payload, br#"{"a":1}"#);
    assert_eq!(ok.header.typ.as_deref(), Some("secevent+jwt"));

    let (head, _) = token.rsplit_once('.').unwrap();
    let (h, _) = head.split_once('.').unwrap();
    let forged = format!(
        "{h}.{}.{}",
        b64(br#"{"a":2}"#),
        token.rsplit('.').next().unwrap()
    );
    assert!(matches!(
        verify(&keys, &forged),
        Err(JoseError::IntegrityCheckFailed(_))
    ));

    let other = SigningKeyPair::generate_sized("sig-1", KeySize::Rsa2048).unwrap();
    let other_keys = Jwks {
        keys: vec![other.public_jwk()],
    };
    assert!(matches!(
        verify(&other_keys, &token),
        Err(JoseError::IntegrityCheckFailed(_))
    ));
    assert!(matches!(
        verify(&Jwks::default(), &token),
        Err(JoseError::WrongKey(_))
    ));
}

#[test]
fn alg_none_and_hmac_tokens_are_refused_before_any_key_is_used() {
    let keys = Jwks {
        keys: vec![sig_key().public_jwk()],
    };
    for alg in ["none", "HS256", "RS256"] {
        let h = b64(format!(r#"{{"alg":"{alg}","kid":"sig-1"}}"#).as_bytes());
        let t = format!("{h}.{}.", b64(b"{}"));
        assert!(matches!(
            verify(&keys, &t),
            Err(JoseError::UnsupportedAlgorithm(_))
        ));
    }
    for bad in ["", "a.b", "a.b.c.d", "###.e30.AA"] {
        assert!(verify(&keys, bad).is_err());
    }
}

#[test]
fn an_encryption_key_cannot_verify_and_a_signature_key_cannot_encrypt() {
    let sig_jwk = sig_key().public_jwk();
    assert!(matches!(
        encrypt(&sig_jwk, b"x", None),
        Err(JoseError::WrongKey(_))
    ));
    let enc_as_sig = Jwks {
        keys: vec![Jwk {
            kid: "sig-1".into(),
            ..enc_key().public_jwk().unwrap()
        }],
    };
    let token = sign(sig_key(), None, b"{}").unwrap();
    assert!(matches!(
        verify(&enc_as_sig, &token),
        Err(JoseError::WrongKey(_))
    ));
}

#[test]
fn jwks_with_bad_members_are_rejected() {
    let good = enc_key().public_jwk().unwrap();
    let bad = [
        Jwk {
            kty: "EC".into(),
            ..good.clone()
        },
        Jwk {
            e: "Aw".into(),
            ..good.clone()
        },
        Jwk {
            n: b64(&[0xff; 64]),
            ..good.clone()
        },
        Jwk {
            alg: "RSA1_5".into(),
            ..good.clone()
        },
        Jwk {
            key_ops: vec!["verify".into()],
            ..good.clone()
        },
        Jwk {
            n: "***".into(),
            ..good.clone()
        },
    ];
    for jwk in bad {
        assert!(encrypt(&jwk, b"x", None).is_err(), "{jwk:?}");
    }
}

#[test]
fn private_keys_survive_pkcs8_export_and_import() {
    let der = sig_key().to_pkcs8().unwrap();
    let again = SigningKeyPair::from_pkcs8("sig-1", &der).unwrap();
    assert_eq!(again.public_jwk(), sig_key().public_jwk());
    assert!(SigningKeyPair::from_pkcs8("x", b"nonsense").is_err());
    assert!(EncryptionKeyPair::from_pkcs8("x", b"").is_err());
}

fn stream_decrypt(jwe: &str, chunk: usize) -> Result<(Vec<u8>, String), JoseError> {
    let mut out = Vec::new();
    let mut d = StreamDecryptor::new(enc_key());
    let mut sink = |b: &[u8]| {
        out.extend_from_slice(b);
        Ok(())
    };
    for c in jwe.as_bytes().chunks(chunk) {
        d.update(c, &mut sink)?;
    }
    let tag = d.finish(&mut sink)?;
    Ok((out, tag))
}

#[test]
fn streaming_decryption_matches_one_shot_for_every_chunk_size() {
    let jwk = enc_key().public_jwk().unwrap();
    for len in [0usize, 1, 15, 16, 17, 1000, 70_001] {
        let plain: Vec<u8> = (0..len).map(|i| (i * 7 % 251) as u8).collect();
        let jwe = encrypt(&jwk, &plain, None).unwrap();
        for chunk in [1usize, 3, 4, 5, 64, 4096, 1 << 20] {
            if len > 1000 && chunk < 64 {
                continue;
            }
            let (out, tag) = stream_decrypt(&jwe, chunk).unwrap();
            assert_eq!(out, plain, "len {len} chunk {chunk}");
            assert_eq!(tag, jwe.rsplit('.').next().unwrap());
        }
    }
}

#[test]
fn streaming_decryption_detects_tampering_and_truncation() {
    let jwk = enc_key().public_jwk().unwrap();
    let plain = vec![42u8; 10_000];
    let jwe = encrypt(&jwk, &plain, None).unwrap();
    for part in [3, 4] {
        assert!(matches!(
            stream_decrypt(&tamper(&jwe, part), 777),
            Err(JoseError::IntegrityCheckFailed(_))
        ));
    }
    assert!(stream_decrypt(&jwe[..jwe.len() / 2], 777).is_err());
    assert!(stream_decrypt(&format!("{jwe}.x"), 777).is_err());
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]
    #[test]
    fn arbitrary_input_never_panics_the_decryptors(s in "[A-Za-z0-9_.=-]{0,300}") {
        let _ = decrypt(enc_key(), &s);
        let _ = stream_decrypt(&s, 7);
        let _ = verify(&Jwks { keys: vec![sig_key().public_jwk()] }, &s);
    }
}
