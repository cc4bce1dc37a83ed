#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Independent interop: a FIT-Connect sender and SET verifier on the npm `jose` package (run by
//! node, `tests/interop/interop.mjs`) against our client, our SETs and the simulator.
//! Needs node ≥ 20 and npm (Debian: `nodejs npm`); `npm ci` runs here when `node_modules` is
//! missing.

use std::io::Write as _;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::Once;

use base64::Engine as _;
use fitconnect::client::MemorySink;
use fitconnect::jose::{self, EncryptionKeyPair, Jwk, Jwks, SigningKeyPair};
use serde_json::{Value, json};
use simulator::{SimConfig, Simulator};

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/interop")
}

fn ensure_node() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        for tool in ["node", "npm"] {
            let ok = Command::new(tool)
                .arg("--version")
                .output()
                .map(|o| o.status.success())
                .unwrap_or(false);
            assert!(
                ok,
                "`{tool}` fehlt: installieren Sie die Debian-Pakete `nodejs` und `npm` (node ≥ 20); \
                 der Interop-Test braucht sie"
            );
        }
        // nextest runs tests as parallel processes: a lock directory keeps one `npm ci` at a time.
        let ready = || dir().join("node_modules/jose/package.json").exists();
        let lock = dir().join(".npm-ci.lock");
        for _ in 0..600 {
            if ready() {
                return;
            }
            if std::fs::create_dir(&lock).is_ok() {
                let st = Command::new("npm")
                    .args(["ci", "--no-audit", "--no-fund"])
                    .current_dir(dir())
                    .status();
                let _ = std::fs::remove_dir(&lock);
                let st = st.expect("npm ci starten");
                assert!(st.success(), "npm ci in {} fehlgeschlagen", dir().display());
                return;
            }
            std::thread::sleep(std::time::Duration::from_millis(200));
        }
        panic!("npm ci wartet seit 2 Minuten auf {}", lock.display());
    });
}

fn node(args: &[&str], stdin: Option<&str>) -> Value {
    ensure_node();
    let mut child = Command::new("node")
        .arg("interop.mjs")
        .args(args)
        .current_dir(dir())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("node starten");
    if let Some(input) = stdin {
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
    } else {
        drop(child.stdin.take());
    }
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "node {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_independent_jose_sender_is_picked_up_and_verifies_our_accept_set() {
    let enc = EncryptionKeyPair::generate("profil-enc-interop").unwrap();
    let sig = SigningKeyPair::generate("profil-sig-interop").unwrap();
    let sim = Simulator::start(SimConfig {
        destination_keys: Some((enc.public_jwk().unwrap(), sig.public_jwk())),
        ..Default::default()
    })
    .await
    .unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let info_path = tmp.path().join("info.json");
    std::fs::write(&info_path, serde_json::to_vec(sim.info()).unwrap()).unwrap();
    let info_arg = info_path.to_str().unwrap().to_owned();

    let a = info_arg.clone();
    let sent = tokio::task::spawn_blocking(move || node(&["sender", &a], None))
        .await
        .unwrap();
    let submission_id = sent["submissionId"].as_str().unwrap();
    let case_id = sent["caseId"].as_str().unwrap().to_owned();

    let client = sim.info().subscriber_client().unwrap();
    let mut sink = MemorySink::default();
    let received = client
        .receive(
            submission_id,
            &enc,
            &simulator::leistungen::form_schemas(),
            &mut sink,
        )
        .await
        .unwrap();
    assert!(received.data_validated);
    assert_eq!(
        serde_json::to_value(&received.tags).unwrap(),
        sent["tags"],
        "the tags we sign are those of the JWEs node produced"
    );
    assert_eq!(
        sink.files.values().next().unwrap(),
        b"%PDF-1.4\n% interop attachment\n%%EOF\n"
    );
    client.accept(&sig, &received).await.unwrap();

    let tags_path = tmp.path().join("tags.json");
    std::fs::write(&tags_path, serde_json::to_vec(&sent["tags"]).unwrap()).unwrap();
    let t = tags_path.to_str().unwrap().to_owned();
    let checked = tokio::task::spawn_blocking(move || {
        node(&["verify-events", &info_arg, &case_id, &t], None)
    })
    .await
    .unwrap();
    assert_eq!(
        checked["events"],
        json!([
            "create-submission",
            "submit-submission",
            "accept-submission"
        ])
    );
    assert_eq!(checked["verified"], 3);
    assert_eq!(checked["serviceSigned"], 2);
    assert_eq!(checked["subscriberSigned"], 1);
    assert_eq!(checked["accept"], true);
    assert_eq!(checked["tagsMatch"], true);
    sim.stop().await;
}

fn pem(der: &[u8]) -> String {
    let b = base64::engine::general_purpose::STANDARD.encode(der);
    let lines: Vec<&str> = b
        .as_bytes()
        .chunks(64)
        .map(|c| std::str::from_utf8(c).unwrap())
        .collect();
    format!(
        "-----BEGIN PRIVATE KEY-----\n{}\n-----END PRIVATE KEY-----\n",
        lines.join("\n")
    )
}

#[test]
fn jwe_and_jws_interoperate_with_jose_in_both_directions() {
    let enc = EncryptionKeyPair::generate("profil-enc-offline").unwrap();
    let sig = SigningKeyPair::generate("profil-sig-offline").unwrap();
    let our_jwe = jose::encrypt(
        &enc.public_jwk().unwrap(),
        "Grüße vom Bürgeramt".as_bytes(),
        Some("text/plain"),
    )
    .unwrap();
    let tags = fitconnect::set::AuthenticationTags {
        metadata: "bWV0YQ".into(),
        data: Some("ZGF0YQ".into()),
        attachments: [("a".to_owned(), "YXR0".to_owned())].into(),
    };
    let our_set = fitconnect::set::accept_submission(
        &sig,
        "d0000000-0000-4000-8000-000000000000",
        "50000000-0000-4000-8000-000000000000",
        "c0000000-0000-4000-8000-000000000000",
        &tags,
    )
    .unwrap();
    let input = json!({
        "encPrivatePkcs8Pem": pem(&enc.to_pkcs8().unwrap()),
        "encJwk": enc.public_jwk().unwrap(),
        "sigJwk": sig.public_jwk(),
        "ourJwe": our_jwe,
        "ourSet": our_set,
        "message": "Antwort aus Node – äöü",
    });
    let out = node(&["offline"], Some(&input.to_string()));

    // Our JWE and SET, read by jose.
    assert_eq!(out["decrypted"], "Grüße vom Bürgeramt");
    assert_eq!(out["jweHeader"]["alg"], "RSA-OAEP-256");
    assert_eq!(out["setHeader"]["typ"], "secevent+jwt");
    assert_eq!(out["setHeader"]["alg"], "PS512");
    assert_eq!(
        out["setPayload"]["events"]["https://schema.fitko.de/fit-connect/events/accept-submission"]
            ["authenticationTags"],
        serde_json::to_value(&tags).unwrap()
    );

    // jose's JWE and SET, read by us.
    let theirs = jose::decrypt(&enc, out["theirJwe"].as_str().unwrap()).unwrap();
    assert_eq!(theirs.plaintext, "Antwort aus Node – äöü".as_bytes());
    let their_key: Jwk = serde_json::from_value(out["theirSigJwk"].clone()).unwrap();
    let verified = fitconnect::set::verify(
        &Jwks {
            keys: vec![their_key.clone()],
        },
        out["theirSet"].as_str().unwrap(),
    )
    .unwrap();
    assert_eq!(
        verified.event,
        Some(fitconnect::set::EventType::AcceptSubmission)
    );
    // And a jose SET altered by one byte fails with us.
    let t = out["theirSet"].as_str().unwrap();
    let mut bad = t.to_owned();
    let last = bad.pop().unwrap();
    bad.push(if last == 'A' { 'B' } else { 'A' });
    assert!(
        fitconnect::set::verify(
            &Jwks {
                keys: vec![their_key]
            },
            &bad
        )
        .is_err()
    );
}
