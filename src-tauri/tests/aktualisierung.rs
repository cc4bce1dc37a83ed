//! Updates (issue 19): the real updater plugin, registered as the shell registers it
//! (`aktualisierung::einrichten`) on Tauri's mock runtime, asks a manifest server on 127.0.0.1
//! started here, and downloads and verifies the bundle with its own code (`Update::download`,
//! minisign). Keys and signatures are made in the test with the `minisign` crate, in the formats
//! `cargo tauri signer` writes: base64 of the `.pub` file text and of the `.sig` file text.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::HashMap;
use std::io::{BufRead as _, BufReader, Cursor, Write as _};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};

use amtsstube_desktop::aktualisierung::{self, AktualisierungsFehler, Einstellung};
use base64::Engine as _;
use minisign::KeyPair;
use richtlinie::{Kanal, Richtlinie};
use tauri::test::MockRuntime;

fn b64(s: impl AsRef<[u8]>) -> String {
    base64::engine::general_purpose::STANDARD.encode(s)
}

/// A key pair as IT makes it with `cargo tauri signer generate`.
fn schluesselpaar() -> KeyPair {
    KeyPair::generate_unencrypted_keypair().unwrap()
}

/// The public key as the policy carries it.
fn oeffentlich(kp: &KeyPair) -> String {
    b64(kp.pk.to_box().unwrap().into_string())
}

/// The `signature` of the manifest: base64 of the `.sig` file, its trusted comment naming the
/// version as the Tauri CLI writes it.
fn signatur(kp: &KeyPair, daten: &[u8], version: &str) -> String {
    let kommentar =
        format!("timestamp:1764547200\tfile:amtsstube_{version}_amd64.deb\tversion:{version}");
    let sig = minisign::sign(
        Some(&kp.pk),
        &kp.sk,
        Cursor::new(daten),
        Some(&kommentar),
        None,
    )
    .unwrap();
    b64(sig.into_string())
}

/// A bundle's bytes, built here (content does not matter to the signature check).
fn paket(version: &str) -> Vec<u8> {
    let mut p = format!("!<arch>\ndebian-binary   amtsstube {version}\n").into_bytes();
    p.extend((0..64 * 1024).map(|i| (i * 31 % 251) as u8));
    p
}

/// The updater's target key in `latest.json` for this machine (`linux-x86_64` …).
fn plattform() -> String {
    let os = match std::env::consts::OS {
        "macos" => "darwin",
        o => o,
    };
    let arch = match std::env::consts::ARCH {
        "x86" => "i686",
        "arm" => "armv7",
        a => a,
    };
    format!("{os}-{arch}")
}

/// `latest.json` as `tauri build` with the updater writes it.
fn manifest(version: &str, url: &str, signature: &str) -> Vec<u8> {
    serde_json::to_vec(&serde_json::json!({
        "version": version,
        "notes": "Fehlerbehebungen",
        "pub_date": "2026-12-01T08:00:00Z",
        "platforms": { plattform(): { "signature": signature, "url": url } },
    }))
    .unwrap()
}

/// An HTTP server on 127.0.0.1 serving files by path (query ignored), laid after it listens
/// since they name its address.
struct Server {
    basis: String,
    dateien: Arc<Mutex<HashMap<String, Vec<u8>>>>,
}

impl Server {
    fn starten() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let basis = format!("http://{}", listener.local_addr().unwrap());
        let dateien = Arc::new(Mutex::new(HashMap::new()));
        let geteilt = dateien.clone();
        std::thread::spawn(move || {
            for verbindung in listener.incoming() {
                let Ok(verbindung) = verbindung else { continue };
                let dateien = geteilt.clone();
                std::thread::spawn(move || antworten(verbindung, &dateien));
            }
        });
        Self { basis, dateien }
    }

    fn legen(&self, pfad: &str, inhalt: Vec<u8>) {
        self.dateien.lock().unwrap().insert(pfad.to_owned(), inhalt);
    }

    fn url(&self, pfad: &str) -> String {
        format!("{}{pfad}", self.basis)
    }
}

fn antworten(mut verbindung: TcpStream, dateien: &Mutex<HashMap<String, Vec<u8>>>) {
    let mut leser = BufReader::new(verbindung.try_clone().unwrap());
    let mut erste = String::new();
    leser.read_line(&mut erste).unwrap();
    loop {
        let mut kopf = String::new();
        if leser.read_line(&mut kopf).unwrap() == 0 || kopf == "\r\n" {
            break;
        }
    }
    let pfad = erste.split_whitespace().nth(1).unwrap_or("/");
    let pfad = pfad.split('?').next().unwrap_or(pfad);
    let gefunden = dateien.lock().unwrap().get(pfad).cloned();
    let (status, inhalt) = match gefunden {
        Some(d) => ("200 OK", d),
        None => ("404 Not Found", b"nicht gefunden".to_vec()),
    };
    let _ = write!(
        verbindung,
        "HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        inhalt.len()
    );
    let _ = verbindung.write_all(&inhalt);
}

/// The updater's settings from a policy as IT writes it, pointing at `basis`.
fn einstellung(schluessel: &str, basis: &str, fall: &str, kanal: Kanal) -> Einstellung {
    let text = format!(
        "[aktualisierung]\naktiv = true\nkanal = \"{}\"\noeffentlicher_schluessel = \"{schluessel}\"\nadresse = \"{basis}/{fall}/{{{{kanal}}}}/latest.json\"\n",
        kanal.name()
    );
    let r = Richtlinie::aus_text(&text, "/etc/amtsstube/policy.toml").unwrap();
    Einstellung::aus_richtlinie(&r.aktualisierung)
        .unwrap()
        .expect("aktiv = true with key and address turns the updater on")
}

/// A mock app with the updater set up exactly as `run()` does it.
fn app_mit(e: &Einstellung) -> tauri::App<MockRuntime> {
    let mut kontext = tauri::test::mock_context(tauri::test::noop_assets());
    aktualisierung::einrichten(tauri::test::mock_builder(), &mut kontext, Some(e))
        .build(kontext)
        .unwrap()
}

/// Looks for the update (it must be offered) and downloads it through the plugin.
fn suchen_und_laden(e: &Einstellung) -> (String, Result<Vec<u8>, AktualisierungsFehler>) {
    let app = app_mit(e);
    tauri::async_runtime::block_on(async {
        let update = aktualisierung::suchen(app.handle(), e)
            .await
            .unwrap()
            .expect("a newer version is offered");
        let version = update.version.clone();
        (version, aktualisierung::herunterladen(&update).await)
    })
}

fn abgelehnt(ergebnis: Result<Vec<u8>, AktualisierungsFehler>) -> String {
    match ergebnis {
        Err(f @ AktualisierungsFehler::Signatur(_)) => f.to_string(),
        Err(f) => panic!("refused, but not for its signature: {f}"),
        Ok(_) => panic!("a bundle whose signature does not verify was accepted"),
    }
}

const PAKET: &str = "/pakete/amtsstube_0.2.0_amd64.deb";

#[test]
fn a_correctly_signed_update_is_offered_downloaded_and_accepted() {
    let kp = schluesselpaar();
    let bundle = paket("0.2.0");
    let server = Server::starten();
    let signiert = signatur(&kp, &bundle, "0.2.0");
    server.legen(
        "/gut/stabil/latest.json",
        manifest("0.2.0", &server.url(PAKET), &signiert),
    );
    server.legen(PAKET, bundle.clone());
    let e = einstellung(&oeffentlich(&kp), &server.basis, "gut", Kanal::Stabil);
    let (version, ergebnis) = suchen_und_laden(&e);
    assert_eq!(version, "0.2.0");
    assert_eq!(
        ergebnis.unwrap(),
        bundle,
        "the verified bytes are the bundle"
    );
}

#[test]
fn an_update_with_one_byte_changed_is_refused() {
    let kp = schluesselpaar();
    let bundle = paket("0.2.0");
    let mut veraendert = bundle.clone();
    veraendert[4000] ^= 0x01;
    let server = Server::starten();
    let signiert = signatur(&kp, &bundle, "0.2.0");
    server.legen(
        "/veraendert/stabil/latest.json",
        manifest("0.2.0", &server.url(PAKET), &signiert),
    );
    server.legen(PAKET, veraendert);
    let e = einstellung(
        &oeffentlich(&kp),
        &server.basis,
        "veraendert",
        Kanal::Stabil,
    );
    let (_, ergebnis) = suchen_und_laden(&e);
    let meldung = abgelehnt(ergebnis);
    assert!(meldung.contains("Signatur passt nicht"), "{meldung}");

    // The unchanged bundle under the same manifest passes: it is the one byte.
    server.legen(PAKET, bundle.clone());
    assert_eq!(suchen_und_laden(&e).1.unwrap(), bundle);
}

#[test]
fn an_update_signed_with_another_key_is_refused() {
    let richtlinie = schluesselpaar();
    let fremd = schluesselpaar();
    let bundle = paket("0.2.0");
    let server = Server::starten();
    let signiert = signatur(&fremd, &bundle, "0.2.0");
    server.legen(
        "/fremd/stabil/latest.json",
        manifest("0.2.0", &server.url(PAKET), &signiert),
    );
    server.legen(PAKET, bundle.clone());
    let e = einstellung(
        &oeffentlich(&richtlinie),
        &server.basis,
        "fremd",
        Kanal::Stabil,
    );
    abgelehnt(suchen_und_laden(&e).1);

    // The same bundle and signature pass with the key they were made with: it is the key.
    let e = einstellung(&oeffentlich(&fremd), &server.basis, "fremd", Kanal::Stabil);
    assert_eq!(suchen_und_laden(&e).1.unwrap(), bundle);
}

#[test]
fn an_older_genuine_release_announced_as_newer_is_refused() {
    let kp = schluesselpaar();
    let alt = paket("0.1.5");
    let server = Server::starten();
    let signiert = signatur(&kp, &alt, "0.1.5");
    server.legen(
        "/alt/stabil/latest.json",
        manifest("0.2.0", &server.url(PAKET), &signiert),
    );
    server.legen(PAKET, alt);
    let e = einstellung(&oeffentlich(&kp), &server.basis, "alt", Kanal::Stabil);
    let meldung = abgelehnt(suchen_und_laden(&e).1);
    assert!(meldung.contains("0.1.5"), "{meldung}");
}

#[test]
fn the_channel_chooses_the_manifest_and_the_running_version_is_not_offered() {
    let kp = schluesselpaar();
    let vorab = paket("0.3.0-rc.1");
    let server = Server::starten();
    let url = server.url("/pakete/vorab.deb");
    // The mock app runs version 0.1.0: stabil offers nothing newer, vorab does.
    server.legen(
        "/kanal/stabil/latest.json",
        manifest("0.1.0", &url, &signatur(&kp, &vorab, "0.1.0")),
    );
    server.legen(
        "/kanal/vorab/latest.json",
        manifest("0.3.0-rc.1", &url, &signatur(&kp, &vorab, "0.3.0-rc.1")),
    );
    server.legen("/pakete/vorab.deb", vorab.clone());

    let stabil = einstellung(&oeffentlich(&kp), &server.basis, "kanal", Kanal::Stabil);
    let app = app_mit(&stabil);
    let gefunden =
        tauri::async_runtime::block_on(aktualisierung::suchen(app.handle(), &stabil)).unwrap();
    assert!(gefunden.is_none(), "0.1.0 is what runs");

    let e = einstellung(&oeffentlich(&kp), &server.basis, "kanal", Kanal::Vorab);
    let (version, ergebnis) = suchen_und_laden(&e);
    assert_eq!(version, "0.3.0-rc.1");
    assert_eq!(ergebnis.unwrap(), vorab);
}

#[test]
fn only_the_policy_switch_sets_the_plugin_up_with_the_policy_key() {
    let kp = schluesselpaar();
    let text = format!(
        "[aktualisierung]\naktiv = false\noeffentlicher_schluessel = \"{}\"\nadresse = \"https://a.example/latest.json\"\n",
        oeffentlich(&kp)
    );
    let r = Richtlinie::aus_text(&text, "/etc/amtsstube/policy.toml").unwrap();
    assert_eq!(
        Einstellung::aus_richtlinie(&r.aktualisierung).unwrap(),
        None
    );
    let mut kontext = tauri::test::mock_context::<MockRuntime, _>(tauri::test::noop_assets());
    let _ = aktualisierung::einrichten(tauri::test::mock_builder(), &mut kontext, None);
    assert!(!kontext.config().plugins.0.contains_key("updater"));

    let an = einstellung(&oeffentlich(&kp), "https://a.example", "x", Kanal::Stabil);
    let app = app_mit(&an);
    let konfiguration = &tauri::Manager::config(&app).plugins.0["updater"];
    assert_eq!(konfiguration["pubkey"], oeffentlich(&kp));
    assert_eq!(
        konfiguration["endpoints"][0],
        "https://a.example/x/stabil/latest.json"
    );
    assert_eq!(konfiguration["dangerousInsecureTransportProtocol"], false);
}

#[test]
fn the_window_may_not_drive_the_updater() {
    let text = include_str!("../capabilities/default.json");
    let capability: serde_json::Value = serde_json::from_str(text).unwrap();
    let erlaubt: Vec<&str> = capability["permissions"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|p| p.as_str().or_else(|| p["identifier"].as_str()))
        .collect();
    assert!(!erlaubt.is_empty());
    assert!(
        erlaubt.iter().all(|p| !p.starts_with("updater:")),
        "updates are checked and installed from Rust only: {erlaubt:?}"
    );
}
