//! `cargo xtask bundle [--ohne-pruefung]`: the packages municipal IT installs (issue 19).
//!
//! 1. Builds the desktop app and the CLI **release, without the `demo` feature** (a package
//!    has no simulator), and packs `.deb` and `.rpm` with the Tauri bundler (`cargo tauri
//!    bundle`, configuration `src-tauri/tauri.conf.json` plus `src-tauri/tauri.paket.json`:
//!    the CLI as `/usr/bin/amtsstube`, the copyright file, lintian overrides).
//! 2. Signs them: the `.deb` with a detached OpenPGP signature (`….deb.asc`; Debian 12 has no
//!    dpkg-sig any more), the `.rpm` inside with `rpmsign --addsign`. The key: the one named by
//!    `AMTSSTUBE_PAKET_SCHLUESSEL` in `AMTSSTUBE_PAKET_GNUPGHOME` (the vendor's or the IT's);
//!    without them a throwaway test key made for this run in `target/paket/gnupg` (said so
//!    in the output). The public key lies beside the packages (`amtsstube-paket.asc`).
//! 3. Checks (unless `--ohne-pruefung`): both signatures verify (`gpg --verify`, `rpmkeys
//!    --checksig` against a key database holding only that key); `lintian` finds no error
//!    and `rpmlint` reports 0 errors; the `.deb` is installed with `dpkg --root` into a
//!    throwaway root and the `.rpm` with `rpm --root` into another (no container, no chroot:
//!    the installed binaries run with this machine's libraries), and from each root the
//!    installed CLI and desktop app start and, with no Secret Service reachable, refuse to run
//!    with the known message of the store („… kann den Schlüssel der verschlüsselten Datenbank
//!    nicht sicher aufbewahren …“).
//!
//! Everything lands in `target/release/bundle/{deb,rpm}/` and `target/paket/`. Windows (MSI and
//! NSIS, `.github/workflows/windows-paket.yml`) is configured but not built here.
//!
//! To add a check: a function called from [`pruefen`]; to ship another file: `files` in
//! `src-tauri/tauri.paket.json` (both formats).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

use super::{apt_sicherstellen, cargo, cargo_bin, cmd, have, root, step, target_dir, ui_build};

/// The Debian packages the checks need.
const PAKETWERKZEUGE: &[&str] = &["lintian", "rpm", "rpmlint", "gnupg", "xvfb", "xauth"];

/// What the store says when no key source is reachable (crates/store/src/error.rs).
const OHNE_SCHLUESSEL: &str =
    "kann den Schlüssel der verschlüsselten Datenbank nicht sicher aufbewahren";

/// The built packages.
struct Pakete {
    deb: PathBuf,
    rpm: PathBuf,
}

pub fn bundle(args: &[String]) -> Result<()> {
    let mut pruefung = true;
    for a in args {
        match a.as_str() {
            "--ohne-pruefung" => pruefung = false,
            anders => {
                bail!("unbekannte Option {anders}. Benutzung: cargo xtask bundle [--ohne-pruefung]")
            }
        }
    }
    let beginn = Instant::now();
    if !cfg!(target_os = "linux") {
        bail!(
            "`cargo xtask bundle` baut die Linux-Pakete (.deb, .rpm). Unter Windows baut der \
             Workflow .github/workflows/windows-paket.yml MSI und NSIS (`cargo tauri build`)."
        );
    }
    apt_sicherstellen(PAKETWERKZEUGE)?;
    tauri_cli_sicherstellen()?;
    ui_build()?;
    step(
        "Release bauen ohne Demo-Modus (App und CLI)",
        cmd(&cargo()).args([
            "build",
            "--release",
            "-p",
            "amtsstube-desktop",
            "--no-default-features",
            "--features",
            "amtsstube-desktop/custom-protocol",
            "-p",
            "cli",
        ]),
    )?;
    demo_fehlt_pruefen()?;
    let pakete = packen()?;
    let gpg = Schluessel::waehlen()?;
    signieren(&gpg, &pakete)?;
    if pruefung {
        pruefen(&gpg, &pakete)?;
    }
    println!(
        "\nPakete ({:.0} s):\n  {}\n  {}\n  {}\n  {}",
        beginn.elapsed().as_secs_f64(),
        pakete.deb.display(),
        asc(&pakete.deb).display(),
        pakete.rpm.display(),
        gpg.oeffentlich.display()
    );
    Ok(())
}

fn release_bin(name: &str) -> PathBuf {
    target_dir().join("release").join(name)
}

/// `cargo tauri` (tauri-cli 2), installed with cargo when missing.
fn tauri_cli_sicherstellen() -> Result<()> {
    let da = Command::new(cargo())
        .args(["tauri", "--version"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !da && !cargo_bin("cargo-tauri").exists() {
        step(
            "cargo install tauri-cli",
            cmd(&cargo()).args(["install", "--locked", "tauri-cli"]),
        )?;
    }
    Ok(())
}

/// A package has no simulator: the release CLI does not know `sim`.
fn demo_fehlt_pruefen() -> Result<()> {
    let o = Command::new(release_bin("amtsstube"))
        .args(["sim", "--help"])
        .output()
        .context("die gebaute CLI startet nicht")?;
    if o.status.success() {
        bail!("die Release-CLI kennt `sim`: der Demo-Modus ist mitgebaut (Feature demo)");
    }
    println!("  ohne Demo-Modus: `amtsstube sim` ist nicht enthalten");
    Ok(())
}

fn packen() -> Result<Pakete> {
    let bundle = target_dir().join("release").join("bundle");
    let _ = std::fs::remove_dir_all(&bundle);
    // Debian wants stripped binaries, a changelog.gz and man pages, gzipped reproducibly (no
    // name, no time).
    for b in ["amtsstube", "amtsstube-desktop"] {
        step(
            &format!("{b} ohne Symbole (strip)"),
            Command::new("strip")
                .args(["--strip-unneeded", "--remove-section=.comment"])
                .arg(release_bin(b)),
        )?;
    }
    let arbeit = target_dir().join("paket");
    std::fs::create_dir_all(&arbeit)?;
    let man = arbeit.join("man");
    std::fs::create_dir_all(&man)?;
    for seite in ["amtsstube.1", "amtsstube-desktop.1"] {
        step(
            &format!("{seite}.gz (gzip -9n)"),
            Command::new("gzip")
                .args(["-9", "-n", "-c"])
                .arg(root().join("assets/paket/man").join(seite))
                .stdout(std::fs::File::create(man.join(format!("{seite}.gz")))?),
        )?;
    }
    step(
        "changelog.gz (gzip -9n)",
        Command::new("gzip")
            .args(["-9", "-n", "-c"])
            .arg(root().join("assets/paket/changelog"))
            .stdout(std::fs::File::create(arbeit.join("changelog.gz"))?),
    )?;
    step(
        "Pakete packen (Tauri-Bundler: deb, rpm)",
        cmd(&cargo()).current_dir(root().join("src-tauri")).args([
            "tauri",
            "bundle",
            "--bundles",
            "deb,rpm",
            "--config",
            "tauri.paket.json",
            "--ci",
        ]),
    )?;
    let finden = |ordner: &str, endung: &str| -> Result<PathBuf> {
        let dir = bundle.join(ordner);
        std::fs::read_dir(&dir)
            .with_context(|| format!("{} fehlt", dir.display()))?
            .flatten()
            .map(|e| e.path())
            .find(|p| p.extension().is_some_and(|x| x == endung))
            .with_context(|| format!("kein .{endung} in {}", dir.display()))
    };
    // The bundler names the files after the product („Amtsstube_…“); Debian and rpm name
    // them after the package (`amtsstube_0.1.0_amd64.deb`, `amtsstube-0.1.0-1.x86_64.rpm`).
    let klein = |p: PathBuf| -> Result<PathBuf> {
        let name = p
            .file_name()
            .context("Paketdatei ohne Namen")?
            .to_string_lossy()
            .to_lowercase();
        let neu = p.with_file_name(name);
        std::fs::rename(&p, &neu)?;
        Ok(neu)
    };
    Ok(Pakete {
        deb: klein(finden("deb", "deb")?)?,
        rpm: klein(finden("rpm", "rpm")?)?,
    })
}

fn asc(p: &Path) -> PathBuf {
    let mut s = p.as_os_str().to_owned();
    s.push(".asc");
    PathBuf::from(s)
}

/// The signing key: GnuPG home, key id, exported public key.
struct Schluessel {
    home: PathBuf,
    id: String,
    oeffentlich: PathBuf,
}

impl Schluessel {
    fn waehlen() -> Result<Self> {
        let arbeit = target_dir().join("paket");
        std::fs::create_dir_all(&arbeit)?;
        let oeffentlich = arbeit.join("amtsstube-paket.asc");
        let (home, id) = match (
            std::env::var_os("AMTSSTUBE_PAKET_GNUPGHOME"),
            std::env::var("AMTSSTUBE_PAKET_SCHLUESSEL"),
        ) {
            (Some(h), Ok(id)) if !id.trim().is_empty() => {
                println!(
                    "  Signaturschlüssel {id} aus {}",
                    PathBuf::from(&h).display()
                );
                (PathBuf::from(h), id.trim().to_owned())
            }
            _ => {
                let home = arbeit.join("gnupg");
                // An agent left from an earlier run would later find its socket replaced and
                // take the new agent's socket with it when it quits: end it first.
                if home.exists() {
                    let _ = Command::new("gpgconf")
                        .env("GNUPGHOME", &home)
                        .args(["--kill", "all"])
                        .status();
                }
                let _ = std::fs::remove_dir_all(&home);
                std::fs::create_dir_all(&home)?;
                #[cfg(unix)]
                {
                    use std::os::unix::fs::PermissionsExt as _;
                    std::fs::set_permissions(&home, std::fs::Permissions::from_mode(0o700))?;
                }
                let uid = "Amtsstube Paket-Test <paket-test@amtsstube.example>";
                step(
                    "Test-Signaturschlüssel erzeugen (nur für diesen Lauf)",
                    Command::new("gpg")
                        .env("GNUPGHOME", &home)
                        .args(["--batch", "--passphrase", "", "--quick-gen-key", uid])
                        .args(["rsa3072", "sign", "never"]),
                )?;
                let o = Command::new("gpg")
                    .env("GNUPGHOME", &home)
                    .args(["--batch", "--with-colons", "--list-keys", uid])
                    .output()?;
                let text = String::from_utf8_lossy(&o.stdout);
                let id = text
                    .lines()
                    .find(|l| l.starts_with("fpr:"))
                    .and_then(|l| l.split(':').nth(9))
                    .map(str::to_owned)
                    .context("der erzeugte Schlüssel hat keinen Fingerabdruck")?;
                println!(
                    "  Testschlüssel {id}: die Pakete dieses Laufs sind nur zum Prüfen signiert. Für \
                     echte Pakete AMTSSTUBE_PAKET_GNUPGHOME und AMTSSTUBE_PAKET_SCHLUESSEL setzen."
                );
                (home, id)
            }
        };
        let o = Command::new("gpg")
            .env("GNUPGHOME", &home)
            .args(["--batch", "--armor", "--export", &id])
            .output()?;
        if !o.status.success() || o.stdout.is_empty() {
            bail!("der öffentliche Schlüssel {id} lässt sich nicht exportieren");
        }
        std::fs::write(&oeffentlich, &o.stdout)?;
        Ok(Self {
            home,
            id,
            oeffentlich,
        })
    }

    fn gpg(&self) -> Command {
        let mut c = Command::new("gpg");
        c.env("GNUPGHOME", &self.home).arg("--batch");
        c
    }
}

fn signieren(k: &Schluessel, p: &Pakete) -> Result<()> {
    let _ = std::fs::remove_file(asc(&p.deb));
    step(
        "deb signieren (abgesetzte Signatur)",
        k.gpg()
            .args([
                "--yes",
                "--local-user",
                &k.id,
                "--armor",
                "--detach-sign",
                "--output",
            ])
            .arg(asc(&p.deb))
            .arg(&p.deb),
    )?;
    step(
        "rpm signieren (rpmsign --addsign)",
        Command::new("rpmsign")
            .arg("--addsign")
            .arg("--define")
            .arg(format!("_gpg_name {}", k.id))
            .arg("--define")
            .arg(format!("_gpg_path {}", k.home.display()))
            // rpm's default is gpg2, which Debian does not ship under that name; rpm runs
            // it without a PATH search, so the full path.
            .arg("--define")
            .arg(format!("__gpg {}", im_pfad("gpg")?.display()))
            .arg(&p.rpm),
    )?;
    Ok(())
}

/// Where `name` lies in PATH.
fn im_pfad(name: &str) -> Result<PathBuf> {
    std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default())
        .map(|d| d.join(name))
        .find(|p| p.is_file())
        .with_context(|| format!("{name} ist nicht im PATH (Paket gnupg installieren)"))
}

fn pruefen(k: &Schluessel, p: &Pakete) -> Result<()> {
    signaturen_pruefen(k, p)?;
    step(
        "lintian (keine Fehler)",
        Command::new("lintian")
            .args(["--fail-on", "error", "--info", "--display-info"])
            .arg(&p.deb),
    )?;
    let rpmlintrc = root().join("assets/paket/rpmlintrc");
    step(
        "rpmlint (keine Fehler)",
        Command::new("rpmlint")
            .arg("-r")
            .arg(&rpmlintrc)
            .arg(&p.rpm),
    )?;
    let arbeit = target_dir().join("paket");
    let deb_wurzel = arbeit.join("wurzel-deb");
    deb_installieren(&p.deb, &deb_wurzel)?;
    installiert_starten(&deb_wurzel, "deb")?;
    let rpm_wurzel = arbeit.join("wurzel-rpm");
    rpm_installieren(&p.rpm, &rpm_wurzel)?;
    installiert_starten(&rpm_wurzel, "rpm")?;
    Ok(())
}

fn signaturen_pruefen(k: &Schluessel, p: &Pakete) -> Result<()> {
    step(
        "deb-Signatur prüfen (gpg --verify)",
        k.gpg().arg("--verify").arg(asc(&p.deb)).arg(&p.deb),
    )?;
    // A key database that knows only this key: the signature must be by it.
    let db = target_dir().join("paket").join("rpmdb");
    let _ = std::fs::remove_dir_all(&db);
    std::fs::create_dir_all(&db)?;
    step(
        "Schlüssel für rpm einlesen",
        Command::new("rpmkeys")
            .arg("--dbpath")
            .arg(&db)
            .arg("--import")
            .arg(&k.oeffentlich),
    )?;
    let o = Command::new("rpmkeys")
        .arg("--dbpath")
        .arg(&db)
        .arg("--checksig")
        .arg(&p.rpm)
        .output()?;
    let text = String::from_utf8_lossy(&o.stdout).into_owned();
    println!("  rpmkeys --checksig: {}", text.trim());
    if !o.status.success() || !text.contains("signatures OK") {
        bail!("die rpm-Signatur ist nicht gültig: {text}");
    }
    // A changed byte breaks both.
    let kaputt = target_dir().join("paket").join("veraendert.deb");
    let mut bytes = std::fs::read(&p.deb)?;
    let mitte = bytes.len() / 2;
    bytes[mitte] ^= 0x01;
    std::fs::write(&kaputt, &bytes)?;
    let ok = k
        .gpg()
        .arg("--verify")
        .arg(asc(&p.deb))
        .arg(&kaputt)
        .stderr(Stdio::null())
        .status()?
        .success();
    if ok {
        bail!("die deb-Signatur passt auch zu einem veränderten Paket");
    }
    println!("  verändertes deb: Signatur abgelehnt (wie es sein muss)");
    Ok(())
}

fn deb_installieren(deb: &Path, wurzel: &Path) -> Result<()> {
    let _ = std::fs::remove_dir_all(wurzel);
    for d in [
        "var/lib/dpkg/info",
        "var/lib/dpkg/updates",
        "var/lib/dpkg/triggers",
    ] {
        std::fs::create_dir_all(wurzel.join(d))?;
    }
    for f in ["var/lib/dpkg/status", "var/lib/dpkg/available"] {
        std::fs::write(wurzel.join(f), b"")?;
    }
    // --force-depends: the libraries come from this machine, not from the throwaway root;
    // --force-script-chrootless: a maintainer script (none today) would run without chroot.
    step(
        "deb installieren (dpkg --root, Wegwerf-Wurzel)",
        Command::new("dpkg")
            .arg(format!("--root={}", wurzel.display()))
            .args([
                "--force-depends",
                "--force-script-chrootless",
                "--log=/dev/null",
                "-i",
            ])
            .arg(deb),
    )?;
    let o = Command::new("dpkg")
        .arg(format!("--root={}", wurzel.display()))
        .args(["-L", "amtsstube"])
        .output()?;
    let liste = String::from_utf8_lossy(&o.stdout);
    for muss in [
        "/usr/bin/amtsstube-desktop",
        "/usr/bin/amtsstube",
        "/usr/share/doc/amtsstube/copyright",
        "/usr/share/doc/amtsstube/changelog.gz",
        "/usr/share/man/man1/amtsstube.1.gz",
        "/usr/share/man/man1/amtsstube-desktop.1.gz",
    ] {
        if !liste.lines().any(|l| l == muss) {
            bail!("das installierte deb hat {muss} nicht:\n{liste}");
        }
    }
    println!("  dpkg -L amtsstube: {} Einträge", liste.lines().count());
    Ok(())
}

fn rpm_installieren(rpm: &Path, wurzel: &Path) -> Result<()> {
    let _ = std::fs::remove_dir_all(wurzel);
    std::fs::create_dir_all(wurzel)?;
    step(
        "rpm-Datenbank der Wegwerf-Wurzel anlegen",
        Command::new("rpm")
            .arg("--root")
            .arg(wurzel)
            .arg("--initdb"),
    )?;
    // --nodeps: the libraries come from this machine (a Debian system has no rpm database of
    // them); --noscripts: nothing would run inside the root.
    step(
        "rpm installieren (rpm --root, Wegwerf-Wurzel)",
        Command::new("rpm")
            .arg("--root")
            .arg(wurzel)
            .args(["-i", "--nodeps", "--noscripts", "--nosignature"])
            .arg(rpm),
    )?;
    step(
        "installierte rpm-Dateien prüfen (rpm -V)",
        Command::new("rpm").arg("--root").arg(wurzel).args([
            "-V",
            "--nodeps",
            "--noscripts",
            "amtsstube",
        ]),
    )?;
    Ok(())
}

/// The installed CLI and desktop app start and, without a Secret Service, refuse with the
/// store's message.
fn installiert_starten(wurzel: &Path, art: &str) -> Result<()> {
    let profil = target_dir().join("paket").join(format!("profil-{art}"));
    let _ = std::fs::remove_dir_all(&profil);
    let ohne_schluessel = |c: &mut Command| {
        c.env_remove("AMTSSTUBE_KEY_FILE")
            .env_remove("AMTSSTUBE_RICHTLINIE")
            .env(
                "DBUS_SESSION_BUS_ADDRESS",
                "unix:path=/nonexistent/amtsstube-kein-bus",
            )
            .env("AMTSSTUBE_PROFILE", &profil);
    };
    let cli = wurzel.join("usr/bin/amtsstube");
    let mut c = Command::new(&cli);
    ohne_schluessel(&mut c);
    let o = c
        .arg("--profile")
        .arg(&profil)
        .args(["cases", "list"])
        .output()
        .with_context(|| format!("{} startet nicht", cli.display()))?;
    let fehler = String::from_utf8_lossy(&o.stderr);
    if o.status.success() || !fehler.contains(OHNE_SCHLUESSEL) {
        bail!(
            "{art}: die installierte CLI läuft ohne Schlüsselquelle (Status {}) oder sagt es nicht:\n{fehler}",
            o.status
        );
    }
    println!(
        "  {art}: {} ohne Schlüsselquelle: {}",
        cli.display(),
        erste_zeile(&fehler)
    );

    // The desktop app: under Xvfb its window would show the explanation; stderr says it first.
    let app = wurzel.join("usr/bin/amtsstube-desktop");
    if !have("xvfb-run") {
        bail!("xvfb-run fehlt (Paket xvfb)");
    }
    let log = target_dir()
        .join("paket")
        .join(format!("desktop-{art}.log"));
    let mut c = Command::new("xvfb-run");
    ohne_schluessel(&mut c);
    let mut kind = c
        .args(["-a", "-s", "-screen 0 1024x768x24"])
        .arg(&app)
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&log)?)
        .spawn()
        .with_context(|| format!("{} startet nicht", app.display()))?;
    let bis = Instant::now() + Duration::from_secs(60);
    let mut gesehen = String::new();
    while Instant::now() < bis {
        gesehen = std::fs::read_to_string(&log).unwrap_or_default();
        if gesehen.contains(OHNE_SCHLUESSEL) || kind.try_wait()?.is_some() {
            break;
        }
        std::thread::sleep(Duration::from_millis(250));
    }
    let _ = Command::new("pkill")
        .args(["-f", &app.display().to_string()])
        .status();
    let _ = kind.kill();
    let _ = kind.wait();
    if !gesehen.contains(OHNE_SCHLUESSEL) {
        bail!("{art}: die installierte App sagt ohne Schlüsselquelle nicht, was fehlt:\n{gesehen}");
    }
    println!(
        "  {art}: {} ohne Schlüsselquelle: {}",
        app.display(),
        erste_zeile(&gesehen)
    );
    if profil.join("amtsstube.db").exists() {
        bail!("{art}: ohne Schlüsselquelle wurde trotzdem eine Datenbank angelegt");
    }
    Ok(())
}

fn erste_zeile(t: &str) -> &str {
    t.lines()
        .find(|l| l.contains(OHNE_SCHLUESSEL))
        .unwrap_or_else(|| t.lines().next().unwrap_or(""))
        .trim()
}
