//! Shared test helpers: a throwaway PKI made with the `openssl` command line, the example
//! decisions, and external tools that must be installed (a missing tool fails the test and
//! names the Debian or PyPI package), and the PDF/A-3b checks (`pdfa`).
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use bescheid::{Entscheidung, Leistung};

pub mod pdfa;
pub mod softhsm;

pub fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

pub fn beispiel(l: Leistung) -> Entscheidung {
    let p = workspace()
        .join("assets/examples")
        .join(format!("{}.json", l.id()));
    Entscheidung::from_json(&std::fs::read(&p).unwrap()).unwrap()
}

pub fn artefakte() -> PathBuf {
    let d = workspace().join("target/bescheid-artifacts");
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// Runs an external tool; panics with the package to install when it is missing.
pub fn tool(programm: &str, paket: &str, args: &[&str]) -> Output {
    tool_env(programm, paket, args, &[])
}

pub fn tool_env(programm: &str, paket: &str, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut c = Command::new(programm);
    c.args(args);
    for (k, v) in env {
        c.env(k, v);
    }
    match c.output() {
        Ok(o) => o,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            panic!("`{programm}` fehlt: installieren mit `{paket}` (siehe xtask/system-deps.txt)")
        }
        Err(e) => panic!("{programm}: {e}"),
    }
}

fn ok(o: Output, was: &str) -> Output {
    assert!(
        o.status.success(),
        "{was} fehlgeschlagen:\n{}\n{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    o
}

pub fn openssl(dir: &Path, args: &[&str]) {
    let mut full = vec![];
    full.extend_from_slice(args);
    let o = Command::new("openssl")
        .current_dir(dir)
        .args(&full)
        .output();
    match o {
        Ok(o) => {
            ok(o, &format!("openssl {}", args.join(" ")));
        }
        Err(_) => panic!("`openssl` fehlt: apt-get install -y openssl"),
    }
}

/// Which key type the seal certificate gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Typ {
    P256,
    Rsa3072,
    Rsa4096,
}

/// A root CA and a seal certificate issued by it, in a temp dir.
pub struct Pki {
    pub dir: tempfile::TempDir,
    pub typ: Typ,
}

pub const P12_PASSWORT: &str = "Siegel-Passwort 1";

impl Pki {
    pub fn neu(typ: Typ) -> Pki {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        openssl(
            d,
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
            d,
            &[
                "req",
                "-x509",
                "-new",
                "-key",
                "root.key",
                "-sha256",
                "-days",
                "3650",
                "-subj",
                "/C=DE/O=Testverwaltung/CN=Test-Wurzel-CA Amtsstube",
                "-addext",
                "basicConstraints=critical,CA:TRUE",
                "-addext",
                "keyUsage=critical,keyCertSign,cRLSign",
                "-out",
                "root.pem",
            ],
        );
        match typ {
            Typ::P256 => openssl(
                d,
                &[
                    "genpkey",
                    "-algorithm",
                    "EC",
                    "-pkeyopt",
                    "ec_paramgen_curve:P-256",
                    "-out",
                    "seal.key",
                ],
            ),
            Typ::Rsa3072 => openssl(
                d,
                &[
                    "genpkey",
                    "-algorithm",
                    "RSA",
                    "-pkeyopt",
                    "rsa_keygen_bits:3072",
                    "-out",
                    "seal.key",
                ],
            ),
            Typ::Rsa4096 => openssl(
                d,
                &[
                    "genpkey",
                    "-algorithm",
                    "RSA",
                    "-pkeyopt",
                    "rsa_keygen_bits:4096",
                    "-out",
                    "seal.key",
                ],
            ),
        }
        openssl(
            d,
            &[
                "req",
                "-new",
                "-key",
                "seal.key",
                "-subj",
                "/C=DE/O=Stadt Musterstadt/CN=Siegel der Stadt Musterstadt",
                "-out",
                "seal.csr",
            ],
        );
        std::fs::write(
            d.join("ext.cnf"),
            "basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,nonRepudiation\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n",
        )
        .unwrap();
        openssl(
            d,
            &[
                "x509",
                "-req",
                "-in",
                "seal.csr",
                "-CA",
                "root.pem",
                "-CAkey",
                "root.key",
                "-CAcreateserial",
                "-days",
                "825",
                "-sha256",
                "-extfile",
                "ext.cnf",
                "-out",
                "seal.pem",
            ],
        );
        openssl(
            d,
            &[
                "pkcs12",
                "-export",
                "-inkey",
                "seal.key",
                "-in",
                "seal.pem",
                "-certfile",
                "root.pem",
                "-passout",
                &format!("pass:{P12_PASSWORT}"),
                "-out",
                "seal.p12",
            ],
        );
        openssl(
            d,
            &[
                "x509", "-in", "root.pem", "-outform", "DER", "-out", "root.der",
            ],
        );
        openssl(
            d,
            &[
                "pkcs8",
                "-topk8",
                "-nocrypt",
                "-in",
                "seal.key",
                "-out",
                "seal.pk8.pem",
            ],
        );
        Pki { dir, typ }
    }

    pub fn pfad(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    pub fn p12(&self) -> Vec<u8> {
        std::fs::read(self.pfad("seal.p12")).unwrap()
    }

    pub fn schluessel(&self) -> bescheid::P12Schluessel {
        bescheid::P12Schluessel::laden(&self.p12(), P12_PASSWORT).unwrap()
    }

    pub fn root_der(&self) -> Vec<u8> {
        std::fs::read(self.pfad("root.der")).unwrap()
    }
}

/// pdftotext output (UTF-8, layout mode off).
pub fn pdftotext(pdf: &Path) -> String {
    let o = ok(
        tool(
            "pdftotext",
            "apt-get install -y poppler-utils",
            &["-enc", "UTF-8", pdf.to_str().unwrap(), "-"],
        ),
        "pdftotext",
    );
    String::from_utf8(o.stdout).unwrap()
}

/// A Bescheid of exactly two pages with a long Begründung written by the caseworker: the
/// Gewerbeanmeldung example with the template's text and three more paragraphs (the callers
/// check the page count).
pub fn zweiseitig() -> Entscheidung {
    let mut e = beispiel(Leistung::Gewerbeanmeldung);
    let mut t = bescheid::textvorschlag(&e).unwrap();
    for _ in 0..ZUSATZ_ABSAETZE {
        t.begruendung.push_str(
            "\n\nDie Angaben Ihrer Anzeige wurden mit dem Gewerberegister abgeglichen. \
             Unter der angegebenen Betriebsstätte ist kein weiteres Gewerbe angemeldet; \
             die Tätigkeit fällt nicht unter die erlaubnispflichtigen Gewerbe der §§ 30 bis \
             34i GewO. Die Anzeige war daher ohne weitere Nachweise zu bestätigen.",
        );
    }
    e.text = Some(t);
    e
}

/// How many paragraphs [`zweiseitig`] adds to the Begründung.
const ZUSATZ_ABSAETZE: usize = 1;
