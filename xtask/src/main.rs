//! `cargo xtask`: set-up, build and checks of Amtsstube, so a fresh machine needs two commands.
//!
//! * `cargo xtask run [-- APP-ARGS]` installs what is missing (system packages listed in
//!   `xtask/system-deps.txt`, `npm ci` in `ui/`), builds the UI and the desktop app and starts
//!   it. Without configuration the app runs in Demo-Modus; in Demo-Modus without a Secret
//!   Service (headless Linux) inside a private keyring with a throwaway profile
//!   ([`schluesselbund`]).
//! * `cargo xtask test` runs everything CI checks, in order, failing fast: formatting, clippy,
//!   all Rust tests (inside a private Secret Service), UI type check + lint + unit tests, the
//!   generated TypeScript bindings, the dependency audit ([`audit`]: cargo deny, npm audit)
//!   and the end-to-end tests of the real app under Xvfb.
//! * `cargo xtask audit` runs only the dependency audit.
//! * `cargo xtask fuzz [--sekunden N] [--minimieren] [ZIEL…]` runs the cargo-fuzz targets in
//!   `fuzz/` for N seconds each (default 600) and reports runs, speed and crashes ([`fuzz`]).
//! * `cargo xtask bundle [--ohne-pruefung]` builds the signed `.deb` and `.rpm` without the
//!   demo feature, checks them with lintian and rpmlint and installs them into throwaway roots
//!   ([`paket`]).
//! * `cargo xtask bindings` regenerates from the `ipc` crate `ui/src/ipc/bindings.ts` (types),
//!   `ui/src/ipc/befehle.ts` (command wrappers), `ui/src/ipc/fehlercodes.ts` and the window's
//!   capability `src-tauri/capabilities/default.json`.
//!
//! To add a check: write a step function and call it from [`test`] in the order CI should
//! fail. To add a system dependency: add a line to `xtask/system-deps.txt`.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use anyhow::{Context, Result, bail};

mod audit;
mod fuzz;
mod paket;
mod schluesselbund;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The cargo target directory (honours `CARGO_TARGET_DIR`).
fn target_dir() -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) if !dir.is_empty() => root().join(dir),
        _ => root().join("target"),
    }
}

fn main() -> std::process::ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("run") => run(&args[1..]),
        Some("test") => test(),
        Some("bindings") => write_bindings(),
        Some("deps") => ensure_deps(Need::All),
        Some("fuzz") => fuzz::fuzz(&args[1..]),
        Some("audit") => audit::abhaengigkeiten_pruefen(),
        Some("bundle") => paket::bundle(&args[1..]),
        _ => {
            eprintln!(
                "Benutzung:\n  cargo xtask run [-- ARGS]   App bauen und starten (Demo-Modus ohne Konfiguration)\n  \
                 cargo xtask test            alles prüfen, was CI prüft\n  \
                 cargo xtask bindings        TypeScript-Typen aus crates/ipc neu erzeugen\n  \
                 cargo xtask audit           Abhängigkeiten prüfen (Lizenzen, Herkunft, Sicherheitsmeldungen)\n  \
                 cargo xtask fuzz [--sekunden N] [--minimieren] [ZIEL…]\n                              \
                 Fuzz-Ziele in fuzz/ je N Sekunden laufen lassen (Standard 600)\n  \
                 cargo xtask bundle [--ohne-pruefung]\n                              \
                 .deb und .rpm bauen, signieren, prüfen (lintian, rpmlint) und probeweise installieren\n  \
                 cargo xtask deps            fehlende Systempakete installieren"
            );
            return std::process::ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("\nxtask: FEHLER: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

// ---------------------------------------------------------------- running commands

fn cmd(program: &str) -> Command {
    let mut c = Command::new(program);
    c.current_dir(root());
    c
}

fn step(name: &str, c: &mut Command) -> Result<()> {
    let started = Instant::now();
    println!("\n==> {name}");
    let status = c.status().with_context(|| {
        format!(
            "{name}: {:?} konnte nicht gestartet werden",
            c.get_program()
        )
    })?;
    if !status.success() {
        bail!(
            "Schritt „{name}“ ist fehlgeschlagen ({status}). Die Ausgabe darüber sagt, was zu tun ist."
        );
    }
    println!("<== {name}: ok ({:.1} s)", started.elapsed().as_secs_f64());
    Ok(())
}

fn have(program: &str) -> bool {
    Command::new("sh")
        .args(["-c", &format!("command -v {program} >/dev/null 2>&1")])
        .status()
        .map(|s| s.success())
        .unwrap_or(false)
}

fn cargo() -> String {
    std::env::var("CARGO").unwrap_or_else(|_| "cargo".into())
}

// ---------------------------------------------------------------- dependencies

#[derive(Clone, Copy, PartialEq)]
enum Need {
    /// What `run` needs: the build and the window.
    Run,
    /// Everything, including what tests need.
    All,
}

struct Deps {
    apt: Vec<String>,
    pip: Vec<String>,
    cargo: Vec<String>,
}

fn read_deps() -> Result<Deps> {
    let path = root().join("xtask/system-deps.txt");
    let text =
        std::fs::read_to_string(&path).with_context(|| format!("{} fehlt", path.display()))?;
    let mut d = Deps {
        apt: vec![],
        pip: vec![],
        cargo: vec![],
    };
    for line in text.lines() {
        let line = line.split('#').next().unwrap_or("").trim();
        let mut parts = line.split_whitespace();
        match (parts.next(), parts.next()) {
            (Some("apt"), Some(p)) => d.apt.push(p.to_owned()),
            (Some("pip"), Some(p)) => d.pip.push(p.to_owned()),
            (Some("cargo"), Some(p)) => d.cargo.push(p.to_owned()),
            (None, _) => {}
            (Some(other), _) => bail!(
                "{}: unbekannte Zeile „{line}“ (Art {other})",
                path.display()
            ),
        }
    }
    Ok(d)
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| o.stdout.starts_with(b"0"))
        .unwrap_or(false)
}

fn dpkg_installed(pkg: &str) -> bool {
    Command::new("dpkg-query")
        .args(["-W", "-f=${Status}", pkg])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).contains("install ok installed"))
        .unwrap_or(false)
}

fn ensure_deps(need: Need) -> Result<()> {
    let deps = read_deps()?;
    if cfg!(target_os = "linux") && Path::new("/etc/debian_version").exists() {
        let wanted: Vec<&String> = match need {
            Need::All => deps.apt.iter().collect(),
            // The first block of the file (up to xvfb) is what building and showing the app needs.
            Need::Run => deps
                .apt
                .iter()
                .take_while(|p| p.as_str() != "xvfb")
                .collect(),
        };
        let wanted: Vec<&str> = wanted.iter().map(|p| p.as_str()).collect();
        apt_sicherstellen(&wanted)?;
    } else if cfg!(target_os = "linux") {
        println!(
            "xtask: kein Debian/Ubuntu erkannt; sorgen Sie selbst für diese Pakete (Debian-Namen): {}",
            deps.apt.join(" ")
        );
    }
    if need == Need::All {
        for pkg in &deps.pip {
            let module = pkg.split(['=', '<', '>', '[']).next().unwrap_or(pkg);
            let bin = module.trim_end_matches("-cli");
            if !have(bin) {
                step(
                    &format!("pip install {pkg}"),
                    cmd("python3").args([
                        "-m",
                        "pip",
                        "install",
                        "--quiet",
                        "--disable-pip-version-check",
                        pkg,
                    ]),
                )?;
            }
        }
        for tool in &deps.cargo {
            if !have(tool) && !cargo_bin(tool).exists() {
                step(
                    &format!("cargo install {tool}"),
                    cmd(&cargo()).args(["install", "--locked", tool]),
                )?;
            }
        }
    }
    ensure_node()?;
    Ok(())
}

/// Installs the Debian packages of `wanted` that are missing (as root), or says how to.
fn apt_sicherstellen(wanted: &[&str]) -> Result<()> {
    if !(cfg!(target_os = "linux") && Path::new("/etc/debian_version").exists()) {
        return Ok(());
    }
    let missing: Vec<&str> = wanted
        .iter()
        .copied()
        .filter(|p| !dpkg_installed(p))
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    if is_root() {
        step("apt-get update", Command::new("apt-get").arg("update"))?;
        step(
            "Systempakete installieren",
            Command::new("apt-get")
                .args(["install", "-y", "--no-install-recommends"])
                .args(&missing)
                .env("DEBIAN_FRONTEND", "noninteractive"),
        )?;
        Ok(())
    } else {
        bail!(
            "Es fehlen Systempakete. Bitte installieren Sie sie mit:\n  sudo apt-get install -y {}\nund starten Sie den Befehl danach erneut.",
            missing.join(" ")
        );
    }
}

fn cargo_bin(tool: &str) -> PathBuf {
    let home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")))
        .unwrap_or_default();
    home.join("bin").join(tool)
}

fn ensure_node() -> Result<()> {
    if !have("node") || !have("npm") {
        bail!(
            "Node.js 20 (oder neuer) mit npm wird für die Oberfläche gebraucht. Installieren Sie es \
             (Debian/Ubuntu: aus den Paketquellen von NodeSource oder per `apt-get install nodejs npm`, \
             wenn dort Version 20 oder neuer angeboten wird; Windows: den Installer von Node.js) und \
             starten Sie den Befehl erneut."
        );
    }
    Ok(())
}

// ---------------------------------------------------------------- UI

fn npm() -> &'static str {
    if cfg!(windows) { "npm.cmd" } else { "npm" }
}

fn ui_install() -> Result<()> {
    let ui = root().join("ui");
    let stamp = ui.join("node_modules/.package-lock.json");
    let lock = ui.join("package-lock.json");
    let fresh = match (std::fs::metadata(&stamp), std::fs::metadata(&lock)) {
        (Ok(s), Ok(l)) => s.modified()? >= l.modified()?,
        _ => false,
    };
    if !fresh {
        step(
            "npm ci (ui)",
            cmd(npm())
                .current_dir(&ui)
                .args(["ci", "--no-audit", "--no-fund"]),
        )?;
    }
    Ok(())
}

fn ui_build() -> Result<()> {
    ui_install()?;
    step(
        "UI bauen (vite build)",
        cmd(npm()).current_dir(root().join("ui")).args([
            "exec",
            "--",
            "vite",
            "build",
            "--logLevel",
            "warn",
        ]),
    )
}

// ---------------------------------------------------------------- run

fn has_display() -> bool {
    if !cfg!(target_os = "linux") {
        return true;
    }
    let set = |v: &str| std::env::var_os(v).is_some_and(|x| !x.is_empty());
    set("DISPLAY") || set("WAYLAND_DISPLAY")
}

fn run(app_args: &[String]) -> Result<()> {
    if !has_display() {
        bail!(
            "Kein Bildschirm gefunden (weder DISPLAY noch WAYLAND_DISPLAY ist gesetzt). Amtsstube ist \
             eine Desktop-App: starten Sie sie in einer Desktop-Sitzung oder ohne Bildschirm unter Xvfb:\n  \
             xvfb-run -a cargo xtask run"
        );
    }
    ensure_deps(Need::Run)?;
    let weg = schluesselweg();
    if let schluesselbund::Weg::Abbrechen(text) = &weg {
        bail!("{text}");
    }
    ui_build()?;
    step(
        "Desktop-App bauen",
        cmd(&cargo()).args(["build", "-p", "amtsstube-desktop"]),
    )?;
    let bin = target_dir()
        .join("debug")
        .join(format!("amtsstube-desktop{}", std::env::consts::EXE_SUFFIX));
    let args: Vec<&String> = app_args.iter().skip_while(|a| a.as_str() == "--").collect();
    if weg != schluesselbund::Weg::PrivaterSchluesselbund {
        return step("Amtsstube starten", Command::new(bin).args(args));
    }
    apt_sicherstellen(&["gnome-keyring", "dbus", "dbus-bin", "keyutils"])?;
    schluesselbund::alte_wegwerf_profile_entfernen();
    let profil = schluesselbund::wegwerf_profil().context("Wegwerf-Profil anlegen")?;
    println!(
        "\nxtask: Kein Secret Service (Schlüsselbund des Betriebssystems) erreichbar. Amtsstube startet \
         deshalb im Demo-Modus mit einem Wegwerf-Profil ({}) in einem eigenen, entsperrten \
         Schlüsselbund (gnome-keyring in einer privaten D-Bus-Sitzung). Fälle, Notizen und Schlüssel \
         daraus werden beim Beenden gelöscht; Ihr eigenes Demo-Profil bleibt unberührt. Für ein \
         dauerhaftes Profil starten Sie Amtsstube in einer Desktop-Sitzung mit Schlüsselbund.",
        profil.display()
    );
    let mut c = in_keyring(&bin.display().to_string());
    c.args(args).env(schluesselbund::PROFILE_ENV, &profil);
    let ergebnis = step(
        "Amtsstube starten (Demo-Modus, privater Schlüsselbund)",
        &mut c,
    );
    if let Err(e) = std::fs::remove_dir_all(&profil) {
        eprintln!(
            "xtask: das Wegwerf-Profil {} ließ sich nicht ganz löschen ({e}); es enthält nur Demo-Daten.",
            profil.display()
        );
    }
    ergebnis
}

/// Decides where the app keeps its key for this start ([`schluesselbund::entscheiden`]).
fn schluesselweg() -> schluesselbund::Weg {
    if !cfg!(target_os = "linux") {
        return schluesselbund::Weg::Direkt;
    }
    let Some(profil) = schluesselbund::profil_des_starts() else {
        // The app itself says that no data directory was found.
        return schluesselbund::Weg::Direkt;
    };
    schluesselbund::entscheiden(
        &profil,
        schluesselbund::ist_verbunden(&profil),
        schluesselbund::schluesseldatei_gesetzt(),
        schluesselbund::secret_service_erreichbar(),
    )
}

// ---------------------------------------------------------------- test

/// Writes every file generated from `crates/ipc`: the TypeScript bindings, the command
/// wrappers and error codes, and the main window's capability (`ipc::befehle::generierte_dateien`).
fn write_bindings() -> Result<()> {
    for (pfad, inhalt) in ipc::befehle::generierte_dateien() {
        let path = root().join(pfad);
        std::fs::write(&path, inhalt).with_context(|| format!("{} schreiben", path.display()))?;
        println!("geschrieben: {}", path.display());
    }
    Ok(())
}

fn check_bindings() -> Result<()> {
    println!("\n==> Aus crates/ipc erzeugte Dateien aktuell?");
    let veraltet: Vec<String> = ipc::befehle::generierte_dateien()
        .into_iter()
        .filter(|(pfad, inhalt)| {
            std::fs::read_to_string(root().join(pfad)).unwrap_or_default() != *inhalt
        })
        .map(|(pfad, _)| pfad.to_owned())
        .collect();
    if !veraltet.is_empty() {
        bail!(
            "{} veraltet: `cargo xtask bindings` ausführen und das Ergebnis committen.",
            veraltet.join(", ")
        );
    }
    println!("<== Erzeugte Dateien: ok");
    Ok(())
}

/// Domain crates must build without a webview: none of them may depend on tauri.
fn check_no_tauri_in_crates() -> Result<()> {
    println!("\n==> Keine Tauri-Abhängigkeit unter crates/");
    let mut offenders = Vec::new();
    for entry in std::fs::read_dir(root().join("crates"))? {
        let manifest = entry?.path().join("Cargo.toml");
        if !manifest.exists() {
            continue;
        }
        let out = cmd(&cargo())
            .args([
                "tree",
                "--locked",
                "--edges",
                "normal,build",
                "--prefix",
                "none",
                "--format",
                "{p}",
                "--manifest-path",
            ])
            .arg(&manifest)
            .output()?;
        if !out.status.success() {
            bail!(
                "cargo tree für {} schlug fehl: {}",
                manifest.display(),
                String::from_utf8_lossy(&out.stderr)
            );
        }
        if String::from_utf8_lossy(&out.stdout)
            .lines()
            .any(|l| l.starts_with("tauri ") || l.starts_with("tauri-"))
        {
            offenders.push(manifest.display().to_string());
        }
    }
    if !offenders.is_empty() {
        bail!(
            "Diese Crates hängen von Tauri ab, dürfen es aber nicht (nur src-tauri darf): {}",
            offenders.join(", ")
        );
    }
    println!("<== Keine Tauri-Abhängigkeit: ok");
    Ok(())
}

/// Runs a command inside a private D-Bus session with an unlocked Secret Service.
fn in_keyring(program: &str) -> Command {
    let mut c = cmd("sh");
    c.arg(root().join(".ci/with-keyring.sh")).arg(program);
    c
}

fn test() -> Result<()> {
    let started = Instant::now();
    ensure_deps(Need::All)?;
    step(
        "cargo fmt --check",
        cmd(&cargo()).args(["fmt", "--all", "--check"]),
    )?;
    // The shell crate embeds ui/dist at compile time, so the UI is built before clippy.
    ui_build()?;
    step(
        "cargo clippy",
        cmd(&cargo()).args([
            "clippy",
            "--workspace",
            "--all-targets",
            "--locked",
            "--",
            "-D",
            "warnings",
        ]),
    )?;
    let nextest = Command::new(cargo())
        .args(["nextest", "--version"])
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false);
    if nextest {
        step(
            "Rust-Tests (nextest, im Secret Service)",
            in_keyring(&cargo()).args([
                "nextest",
                "run",
                "--workspace",
                "--locked",
                "--no-fail-fast",
                "--failure-output",
                "final",
            ]),
        )?;
    } else {
        step(
            "Rust-Tests (cargo test, im Secret Service)",
            in_keyring(&cargo()).args(["test", "--workspace", "--locked"]),
        )?;
    }
    let ui = root().join("ui");
    step(
        "UI: Typprüfung",
        cmd(npm()).current_dir(&ui).args(["run", "typecheck"]),
    )?;
    step(
        "UI: Lint",
        cmd(npm()).current_dir(&ui).args(["run", "lint"]),
    )?;
    step(
        "UI: Unit-Tests (Vitest)",
        cmd(npm()).current_dir(&ui).args(["run", "test"]),
    )?;
    check_bindings()?;
    check_no_tauri_in_crates()?;
    audit::abhaengigkeiten_pruefen()?;
    e2e()?;
    println!(
        "\nxtask test: alles grün ({:.0} s)",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

fn e2e() -> Result<()> {
    // Workspace-wide, so features unify as in the test build and dependencies are reused.
    step(
        "Desktop-App bauen (für E2E)",
        cmd(&cargo()).args(["build", "--workspace", "--locked"]),
    )?;
    let target = target_dir().join("debug");
    let app = target.join("amtsstube-desktop");
    let runner = target.join("amtsstube-e2e");
    let driver = if have("tauri-driver") {
        PathBuf::from("tauri-driver")
    } else {
        cargo_bin("tauri-driver")
    };
    let artifacts = target_dir().join("e2e-artifacts");
    // The app keeps its database key in the OS keyring: run inside a private Secret Service.
    let mut c = if has_display() {
        let mut c = in_keyring(&runner.display().to_string());
        c.current_dir(root());
        c
    } else {
        let mut c = in_keyring("xvfb-run");
        c.args(["-a", "-s", "-screen 0 1280x800x24"]).arg(&runner);
        c
    };
    c.current_dir(root())
        .arg("--app")
        .arg(&app)
        .arg("--driver")
        .arg(&driver)
        .arg("--artifacts")
        .arg(&artifacts);
    step("End-to-End-Tests der echten App (WebDriver)", &mut c)
}
