#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! `amtsstube bescheid issue/verify/store-secret` end to end, with a throwaway PKI made by the
//! `openssl` command line. The keyring test needs a Secret Service: run the suite inside
//! `../shared/ci/with-keyring.sh` (CI does).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn amtsstube() -> Command {
    Command::new(env!("CARGO_BIN_EXE_amtsstube"))
}

fn beispiel(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../assets/examples")
        .join(name)
}

fn openssl(dir: &Path, args: &[&str]) {
    let o = Command::new("openssl")
        .current_dir(dir)
        .args(args)
        .output()
        .unwrap_or_else(|_| panic!("`openssl` fehlt: apt-get install -y openssl"));
    assert!(
        o.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
}

fn pki(dir: &Path) {
    openssl(
        dir,
        &[
            "genpkey",
            "-algorithm",
            "EC",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-out",
            "root.key",
        ],
    );
    openssl(
        dir,
        &[
            "req",
            "-x509",
            "-new",
            "-key",
            "root.key",
            "-sha256",
            "-days",
            "30",
            "-subj",
            "/CN=CLI-Test-Wurzel",
            "-addext",
            "basicConstraints=critical,CA:TRUE",
            "-addext",
            "keyUsage=critical,keyCertSign",
            "-out",
            "root.pem",
        ],
    );
    openssl(
        dir,
        &[
            "genpkey",
            "-algorithm",
            "EC",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-out",
            "s.key",
        ],
    );
    openssl(
        dir,
        &[
            "req",
            "-new",
            "-key",
            "s.key",
            "-subj",
            "/O=Stadt Musterstadt/CN=Siegel CLI-Test",
            "-out",
            "s.csr",
        ],
    );
    std::fs::write(
        dir.join("ext"),
        "basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,nonRepudiation\n",
    )
    .unwrap();
    openssl(
        dir,
        &[
            "x509",
            "-req",
            "-in",
            "s.csr",
            "-CA",
            "root.pem",
            "-CAkey",
            "root.key",
            "-CAcreateserial",
            "-days",
            "30",
            "-sha256",
            "-extfile",
            "ext",
            "-out",
            "s.pem",
        ],
    );
    openssl(
        dir,
        &[
            "pkcs12",
            "-export",
            "-inkey",
            "s.key",
            "-in",
            "s.pem",
            "-certfile",
            "root.pem",
            "-passout",
            "pass:cli-geheim",
            "-out",
            "s.p12",
        ],
    );
    // A second, unrelated root.
    openssl(
        dir,
        &[
            "genpkey",
            "-algorithm",
            "EC",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-out",
            "fremd.key",
        ],
    );
    openssl(
        dir,
        &[
            "req",
            "-x509",
            "-new",
            "-key",
            "fremd.key",
            "-sha256",
            "-days",
            "30",
            "-subj",
            "/CN=Fremde Wurzel",
            "-addext",
            "basicConstraints=critical,CA:TRUE",
            "-out",
            "fremd.pem",
        ],
    );
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

fn verify_json(pdf: &Path, root: &Path) -> (Output, serde_json::Value) {
    let o = amtsstube()
        .args(["bescheid", "verify", s(pdf), "--trust", s(root), "--json"])
        .output()
        .unwrap();
    let v = serde_json::from_slice(&o.stdout).unwrap_or(serde_json::Value::Null);
    (o, v)
}

#[test]
fn issue_with_a_p12_and_the_password_from_the_environment_then_verify_reports_who_and_when() {
    let d = tempfile::tempdir().unwrap();
    pki(d.path());
    let out = d.path().join("bescheid.pdf");
    let o = amtsstube()
        .env("AMTSSTUBE_SIEGEL_PIN", "cli-geheim")
        .args([
            "bescheid",
            "issue",
            "--input",
            s(&beispiel("hundesteuer.json")),
            "--out",
            s(&out),
            "--p12",
            s(&d.path().join("s.p12")),
        ])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));

    let (o, v) = verify_json(&out, &d.path().join("root.pem"));
    assert!(o.status.success(), "{v}");
    assert_eq!(v["gueltig"], true);
    assert_eq!(v["siegel_intakt"], true);
    assert_eq!(v["deckt_ganzes_dokument"], true);
    assert_eq!(v["vertrauenswuerdig"], true);
    assert_eq!(v["qr_passt"], true);
    assert_eq!(v["aktenzeichen"], "22.1-HSt-2026-004711");
    assert!(
        v["gesiegelt_von"]
            .as_str()
            .unwrap()
            .contains("CN=Siegel CLI-Test")
    );
    assert!(v["zeitpunkt"].as_str().unwrap().starts_with("20"));

    // Another trust anchor: intact, but not trusted → exit code 1.
    let (o, v) = verify_json(&out, &d.path().join("fremd.pem"));
    assert!(!o.status.success());
    assert_eq!(v["siegel_intakt"], true);
    assert_eq!(v["vertrauenswuerdig"], false);

    // An appended incremental update is not covered by the seal.
    let mut pdf = std::fs::read(&out).unwrap();
    pdf.extend_from_slice(b"\n% nachtraeglich angehaengt\n");
    let spaeter = d.path().join("spaeter.pdf");
    std::fs::write(&spaeter, &pdf).unwrap();
    let (o, v) = verify_json(&spaeter, &d.path().join("root.pem"));
    assert!(!o.status.success());
    assert_eq!(v["deckt_ganzes_dokument"], false, "{v}");
}

#[test]
fn a_wrong_password_or_a_missing_secret_gives_a_german_error_naming_the_variable() {
    let d = tempfile::tempdir().unwrap();
    pki(d.path());
    let o = amtsstube()
        .env("AMTSSTUBE_SIEGEL_PIN", "falsch")
        .args([
            "bescheid",
            "issue",
            "--input",
            s(&beispiel("hundesteuer.json")),
            "--out",
            s(&d.path().join("x.pdf")),
            "--p12",
            s(&d.path().join("s.p12")),
        ])
        .output()
        .unwrap();
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("Passwort falsch?"));
    let help = amtsstube()
        .args(["bescheid", "issue", "--help"])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&help.stdout).contains("AMTSSTUBE_SIEGEL_PIN"));
}

#[test]
fn the_p12_password_can_live_in_the_os_keyring() {
    let d = tempfile::tempdir().unwrap();
    pki(d.path());
    let p12 = d.path().join("s.p12");
    let mut child = amtsstube()
        .args(["bescheid", "store-secret", "--p12", s(&p12)])
        .env_remove("AMTSSTUBE_SIEGEL_PIN")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"cli-geheim\n")
        .unwrap();
    let o = child.wait_with_output().unwrap();
    assert!(
        o.status.success(),
        "Schlüsselbund nötig (Tests in ../shared/ci/with-keyring.sh laufen lassen): {}",
        String::from_utf8_lossy(&o.stderr)
    );
    let out = d.path().join("k.pdf");
    let o = amtsstube()
        .env_remove("AMTSSTUBE_SIEGEL_PIN")
        .args([
            "bescheid",
            "issue",
            "--input",
            s(&beispiel("bewohnerparkausweis.json")),
            "--out",
            s(&out),
            "--p12",
            s(&p12),
        ])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let (o, v) = verify_json(&out, &d.path().join("root.pem"));
    assert!(o.status.success(), "{v}");
}
