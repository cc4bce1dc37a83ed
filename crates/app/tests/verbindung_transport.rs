#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! The connection in `connection.json` is checked when it is loaded: no plaintext HTTP to
//! another machine, and a pinned CA (`ca_datei`) must be a readable PEM file.

use std::path::Path;

use app::ConnectionConfig;

fn verbindung(base_url: &str, token_url: &str) -> ConnectionConfig {
    ConnectionConfig {
        base_url: base_url.into(),
        token_url: token_url.into(),
        destination_id: "d".into(),
        client_id: "c".into(),
    }
}

fn datei(profil: &Path, json: serde_json::Value) {
    std::fs::write(profil.join(app::profile::CONNECTION_FILE), json.to_string()).unwrap();
}

#[test]
fn a_connection_over_plaintext_http_to_another_machine_does_not_load() {
    let dir = tempfile::tempdir().unwrap();
    for (base, token) in [
        (
            "http://zustelldienst.example.invalid",
            "https://auth.example.invalid/token",
        ),
        (
            "https://zustelldienst.example.invalid",
            "http://auth.example.invalid/token",
        ),
    ] {
        verbindung(base, token).save(dir.path()).unwrap();
        let e = ConnectionConfig::load(dir.path()).unwrap_err().to_string();
        assert!(e.contains("https://"), "{e}");
        assert!(e.contains("amtsstube connect"), "{e}");
        assert!(e.contains(app::profile::CONNECTION_FILE), "{e}");
    }
    for base in ["http://127.0.0.1:9", "http://localhost:9", "http://[::1]:9"] {
        verbindung(base, "https://auth.example.invalid/token")
            .save(dir.path())
            .unwrap();
        assert!(
            ConnectionConfig::load(dir.path()).unwrap().is_some(),
            "{base}"
        );
    }
}

#[test]
fn a_pinned_ca_is_read_relative_to_the_profile_and_must_be_pem() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    let basis = serde_json::json!({
        "base_url": "https://zustelldienst.example.invalid",
        "token_url": "https://auth.example.invalid/token",
        "destination_id": "d",
        "client_id": "c",
    });

    // Without ca_datei: the platform's roots.
    datei(p, basis.clone());
    assert!(ConnectionConfig::transport(p).unwrap().ca_pem.is_none());

    // A missing file is named when the connection loads.
    let mut mit = basis.clone();
    mit["ca_datei"] = "behoerden-ca.pem".into();
    datei(p, mit.clone());
    let e = ConnectionConfig::load(p).unwrap_err().to_string();
    assert!(
        e.contains("behoerden-ca.pem") && e.contains("ca_datei"),
        "{e}"
    );

    // Not PEM: refused with what to do.
    std::fs::write(p.join("behoerden-ca.pem"), "kein Zertifikat").unwrap();
    let e = ConnectionConfig::load(p).unwrap_err().to_string();
    assert!(e.contains("BEGIN CERTIFICATE"), "{e}");

    // A PEM certificate: loaded, and handed to the client as the only trusted root.
    let out = std::process::Command::new("openssl")
        .args([
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
        ])
        .args(["-subj", "/CN=Test-CA", "-keyout", "/dev/null", "-out"])
        .arg(p.join("behoerden-ca.pem"))
        .output()
        .expect("openssl is installed");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let pem = std::fs::read_to_string(p.join("behoerden-ca.pem")).unwrap();
    assert!(ConnectionConfig::load(p).unwrap().is_some());
    let t = ConnectionConfig::transport(p).unwrap();
    assert_eq!(t.ca_pem.as_deref(), Some(pem.as_bytes()));

    // `amtsstube connect` writes it; a later save keeps it.
    let cfg = ConnectionConfig::load(p).unwrap().unwrap();
    cfg.save_with_ca_file(p, Some(Path::new("behoerden-ca.pem")))
        .unwrap();
    let text = std::fs::read_to_string(p.join(app::profile::CONNECTION_FILE)).unwrap();
    assert!(
        text.contains("\"ca_datei\": \"behoerden-ca.pem\""),
        "{text}"
    );
    assert!(ConnectionConfig::transport(p).unwrap().ca_pem.is_some());
}
