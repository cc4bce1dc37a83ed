#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! `amtsstube connect` refuses a connection that would send the client secret unencrypted to
//! another machine, before it creates keys or writes anything.

use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_amtsstube");

#[test]
fn connect_refuses_plaintext_http_to_another_machine_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let profil = dir.path().join("profil");
    let out = Command::new(BIN)
        .arg("--profile")
        .arg(&profil)
        .args([
            "connect",
            "--base-url",
            "http://zustelldienst.example.invalid",
            "--token-url",
            "https://auth.example.invalid/token",
            "--destination-id",
            "d",
            "--client-id",
            "c",
        ])
        .env("AMTSSTUBE_CLIENT_SECRET", "GEHEIM")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("https://"), "{stderr}");
    assert!(stderr.contains("Dienst-Adresse"), "{stderr}");
    assert!(!profil.join(app::profile::CONNECTION_FILE).exists());
}

#[test]
fn connect_refuses_a_ca_file_that_holds_no_certificate() {
    let dir = tempfile::tempdir().unwrap();
    let ca = dir.path().join("ca.pem");
    std::fs::write(&ca, "kein Zertifikat").unwrap();
    let out = Command::new(BIN)
        .arg("--profile")
        .arg(dir.path().join("profil"))
        .args([
            "connect",
            "--base-url",
            "https://zustelldienst.example.invalid",
            "--token-url",
            "https://auth.example.invalid/token",
            "--destination-id",
            "d",
            "--client-id",
            "c",
            "--ca-datei",
        ])
        .arg(&ca)
        .env("AMTSSTUBE_CLIENT_SECRET", "GEHEIM")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("BEGIN CERTIFICATE"), "{stderr}");
}
