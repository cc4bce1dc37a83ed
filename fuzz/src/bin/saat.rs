//! Writes the seed corpus of every fuzz target to `corpus/<target>/`: `cargo xtask fuzz
//! --saat` builds and runs it in `fuzz/`. Seeds are built by code from the crates' own
//! writers and the fixed test keys, so they are valid inputs the fuzzer mutates from. The
//! seal verifier's seeds are sealed PDFs given as arguments (xtask passes those the bescheid
//! tests write to `target/bescheid-artifacts/gesiegelt-*.pdf`, sealed with their throwaway PKI).

use std::path::Path;

use amtsstube_fuzz::{signatur, signatur_jwks, verschluesselung};
use fitconnect::jose;
use name::saat_name;

mod name {
    /// A stable, content-derived file name (FNV-1a; libFuzzer uses SHA-1, any name works).
    pub fn saat_name(b: &[u8]) -> String {
        let mut h: u64 = 0xcbf29ce484222325;
        for x in b {
            h ^= u64::from(*x);
            h = h.wrapping_mul(0x100000001b3);
        }
        format!("saat-{h:016x}")
    }
}

fn schreiben(ziel: &str, daten: &[u8]) {
    let dir = Path::new("corpus").join(ziel);
    std::fs::create_dir_all(&dir).expect("Korpusordner");
    std::fs::write(dir.join(saat_name(daten)), daten).expect("Saat schreiben");
}

fn mit(vorn: &[u8], rest: &[u8]) -> Vec<u8> {
    let mut v = vorn.to_vec();
    v.extend_from_slice(rest);
    v
}

const METADATEN_V1: &str = r#"{"publicServiceType":{"name":"Gewerbeanmeldung","identifier":"urn:de:fim:leika:leistung:99050012104000"},"contentStructure":{"data":{"hash":{"type":"sha512","content":"00000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"},"submissionSchema":{"schemaUri":"https://schema.fitko.de/fim/s00000000009_1.0.0.schema.json","mimeType":"application/json"}},"attachments":[{"attachmentId":"0b799ab6-8b64-4b4c-9d65-d0b1a4b2fe26","hash":{"type":"sha512","content":"00000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"},"purpose":"attachment","filename":"Nachweis.pdf","mimeType":"application/pdf"}]}}"#;

fn main() {
    let enc = verschluesselung();
    let public = enc.public_jwk().expect("öffentlicher Schlüssel");

    // JWEs: several sizes, one with padding as some senders add it.
    for klar in [&b""[..], b"{}", &[b'x'; 100][..], &[7u8; 1000][..]] {
        let jwe = jose::encrypt(&public, klar, Some("application/json")).expect("JWE");
        schreiben("jwe_entschluesseln", &mit(&[128], jwe.as_bytes()));
        schreiben("jwe_entschluesseln", &mit(&[3], jwe.as_bytes()));
        let mut strom = vec![0, 7, 0, 0, 0, 0, 0];
        strom.extend_from_slice(klar);
        schreiben("jwe_strom", &strom);
    }
    schreiben("jwe_strom", &mit(&[0, 1, 0, 0, 1, 0, 0x20], b"Hallo"));

    // Metadata 1.x and 2.x (with reply key).
    for m in [METADATEN_V1.to_owned(), {
        let mut v: serde_json::Value = serde_json::from_str(METADATEN_V1).expect("JSON");
        v["$schema"] = "https://schema.fitko.de/fit-connect/metadata/2.0.0/metadata.schema.json".into();
        v["replyChannel"] = serde_json::json!({"fitConnect": {"encryptionPublicKey": public}});
        v.to_string()
    }] {
        if let Err(e) = fitconnect::metadata::Metadata::parse(m.as_bytes()) {
            eprintln!("Warnung: Saat-Metadaten ungültig: {e}");
        }
        schreiben("metadaten", m.as_bytes());
    }

    // SETs: a valid token, its payload, the JWKS.
    let tags = fitconnect::set::AuthenticationTags {
        metadata: "m".into(),
        data: Some("d".into()),
        attachments: [("a".to_owned(), "t".to_owned())].into(),
    };
    let set = fitconnect::set::accept_submission(signatur(), "dest", "sub", "case", &tags)
        .expect("SET");
    fitconnect::set::verify(signatur_jwks(), &set).expect("Saat-SET gültig");
    schreiben("set_pruefen", &mit(&[0], set.as_bytes()));
    let nutzlast = jose::verify(signatur_jwks(), &set).expect("JWS").payload;
    schreiben("set_pruefen", &mit(&[1], &nutzlast));
    let p = fitconnect::set::SetProblem::new(fitconnect::set::ProblemType::HashMismatch, "Fachdaten");
    let reject = fitconnect::set::reject_submission(signatur(), "dest", "sub", "case", &[p])
        .expect("SET");
    schreiben("set_pruefen", &mit(&[1], &jose::verify(signatur_jwks(), &reject).expect("JWS").payload));
    schreiben(
        "set_pruefen",
        &mit(&[2], serde_json::to_string(signatur_jwks()).expect("JWKS").as_bytes()),
    );

    // File names.
    for n in [
        "Nachweis.pdf",
        "../../etc/passwd",
        "C:\\Users\\x\\rechnung\u{202E}fdp.exe",
        "CON.pdf",
        " .hidden. ",
        "a<b>c:d\"e|f?g*h.txt",
        &"ä".repeat(200),
        &format!("{}.pdf", "x".repeat(180)),
    ] {
        schreiben("dateiname", &mit(&[0, 4, b'a', b'-', b'1', b'2'], n.as_bytes()));
    }

    // anlage:// paths, ranges and content (first byte: how the document size is drawn, then
    // that size: one byte, four bytes, u64::MAX minus two bytes, or whole MiB plus two bytes).
    let sha = "a1".repeat(64);
    for (vorn, text) in [
        (&[1u8, 0, 0x10, 0, 0][..], format!("/0b799ab6-8b64-4b4c-9d65-d0b1a4b2fe26/{sha}")),
        (&[0, 200][..], format!("/1/{}", sha.to_uppercase())),
        (&[1, 0, 0, 0, 0][..], format!("//{sha}/x")),
        (&[1, 0, 0x10, 0, 0][..], "bytes=0-262143".to_owned()),
        (&[3, 2, 0, 0][..], "bytes=4194304-".to_owned()),
        (&[2, 0, 1][..], "bytes=0-18446744073709551615".to_owned()),
        (&[0, 16][..], "bytes=-500".to_owned()),
        (&[0, 16][..], "bytes=5-1, 7-9".to_owned()),
        (&[0, 64][..], "%PDF-1.7\n%âãÏÓ".to_owned()),
        (&[0, 64][..], "RIFF\0\0\0\0WEBPVP8 ".to_owned()),
        (&[0, 64][..], "<!doctype html><script>1</script>".to_owned()),
    ] {
        schreiben("anlage_adresse", &mit(vorn, text.as_bytes()));
    }

    // xdomea: answers and a container.
    let id = uuid::Uuid::from_u128(0x1234_5678_9abc_def0_1234_5678_9abc_def0);
    let b = |n: &str| xdomea::Beteiligter {
        name: n.into(),
        kennung: Some("kennung".into()),
        organisationseinheit: Some("Ordnungsamt".into()),
    };
    let zeit = time::OffsetDateTime::UNIX_EPOCH;
    schreiben(
        "xdomea_rueckmeldung",
        xdomea::empfang_0629(&id, &b("E-Akte"), &b("Stadt"), zeit).as_bytes(),
    );
    for e in [
        xdomea::Importergebnis::Erfolg {
            id_sgo: id,
            ablageort: "EAKTE-2026-000123".into(),
        },
        xdomea::Importergebnis::Fehler {
            code: "0000008".into(),
            text: "Schemafehler".into(),
        },
        xdomea::Importergebnis::Fehler {
            code: String::new(),
            text: "kaputt".into(),
        },
    ] {
        schreiben(
            "xdomea_rueckmeldung",
            xdomea::import_0630(&id, &b("E-Akte"), &b("Stadt"), zeit, &e).as_bytes(),
        );
    }
    let datum = time::Date::from_calendar_date(2026, time::Month::April, 1).expect("Datum");
    let abgabe = xdomea::Abgabe {
        prozess_id: id,
        erstellt: zeit,
        absender: b("Stadt"),
        empfaenger: b("E-Akte"),
        produkt_version: "0.1.0".into(),
        ersteller: "m.muster".into(),
        vorgang: xdomea::VorgangDaten {
            id,
            aktenzeichen: "32.1-2026/0042".into(),
            betreff: "Gewerbeanmeldung".into(),
            leika: "99050012104000".into(),
            eingang: datum,
            frist: None,
            zustaendig: None,
            status: "Abgeschlossen".into(),
            abgeschlossen: datum,
            aufbewahrung_jahre: 10,
            antragsteller: None,
            historie: vec![],
            audit_anker: Some(xdomea::AuditAnker {
                seq: 7,
                hash: "ab".repeat(32),
            }),
        },
        dokumente: vec![xdomea::Dokument {
            id: uuid::Uuid::from_u128(2),
            titel: "Antrag".into(),
            typ: xdomea::DokumentTyp::Antrag,
            dateiname: "antrag.json".into(),
            mime: "application/json".into(),
            datum: zeit,
            eingehend: true,
            signiert: false,
            inhalt: b"{\"name\":\"Muster\"}".to_vec(),
        }],
    };
    let zip = xdomea::container_0605(&abgabe).expect("Container");
    xdomea::container_lesen(&zip).expect("Saat-Container lesbar");
    schreiben("xdomea_container", &zip);
    schreiben("xdomea_rueckmeldung", xdomea::nachricht_0605(&abgabe).as_bytes());

    // Attachment reader: a few choices of attachment, damage and jump.
    for s in [&[0u8, 0][..], &[3, 1, 0, 0, 0, 40, 0, 1], &[3, 1, 0, 0, 0, 1, 3], &[2, 0, 0, 0, 1, 0]] {
        schreiben("anlage_leser", s);
    }

    // Seal verifier: sealed PDFs from the arguments.
    for pfad in std::env::args().skip(1) {
        let pdf = std::fs::read(&pfad).expect("Siegel-PDF lesen");
        schreiben("siegel_pruefen", &pdf);
    }
    println!("Saat geschrieben nach corpus/");
}
