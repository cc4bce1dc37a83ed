//! `amtsstube bescheid`: issue sealed decisions (PDF/A-3b + PAdES) and verify them.
//!
//! Secrets (PKCS#12 password, token PIN) never go on the command line: they come from the
//! environment variable `AMTSSTUBE_SIEGEL_PIN` or from the OS keyring (service
//! `amtsstube-siegel`, account `p12:<absolute path>` or `pkcs11:<token label>`), where
//! `amtsstube bescheid store-secret` puts them.

use std::io::Read;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, bail};
use clap::{Args, Subcommand};

/// Environment variable with the PKCS#12 password or the token PIN.
pub const PIN_ENV: &str = "AMTSSTUBE_SIEGEL_PIN";
/// Keyring service name for seal secrets.
pub const KEYRING_SERVICE: &str = "amtsstube-siegel";

/// Bescheide erstellen, siegeln und prüfen.
#[derive(Debug, Subcommand)]
pub enum BescheidCmd {
    /// Erstellt aus einer Entscheidung (JSON) einen Bescheid als PDF/A-3b und siegelt ihn.
    ///
    /// Passwort bzw. PIN: aus der Umgebungsvariable AMTSSTUBE_SIEGEL_PIN oder aus dem
    /// Schlüsselbund des Systems (Dienst „amtsstube-siegel“, abgelegt mit
    /// `amtsstube bescheid store-secret`).
    Issue(IssueArgs),
    /// Prüft Siegel, Vollständigkeit, Vertrauenskette und QR-Code eines Bescheids.
    ///
    /// Exit-Code 0: gültig; 1: ungültig oder nicht prüfbar.
    Verify {
        /// Der gesiegelte Bescheid (PDF).
        file: PathBuf,
        /// Vertrauensanker: Wurzelzertifikat(e) als PEM (oder ein DER-Zertifikat).
        #[arg(long, value_name = "ROOT.pem")]
        trust: PathBuf,
        /// Ergebnis als JSON.
        #[arg(long)]
        json: bool,
    },
    /// Legt das Passwort der PKCS#12-Datei bzw. die Token-PIN im Schlüsselbund ab (von stdin).
    StoreSecret {
        /// Für diese PKCS#12-Datei.
        #[arg(
            long,
            value_name = "FILE",
            conflicts_with = "token",
            required_unless_present = "token"
        )]
        p12: Option<PathBuf>,
        /// Für das PKCS#11-Token mit dieser Bezeichnung.
        #[arg(long, value_name = "LABEL")]
        token: Option<String>,
    },
}

/// Arguments of `bescheid issue`.
#[derive(Debug, Args)]
pub struct IssueArgs {
    /// Entscheidung als JSON (Beispiele: assets/examples/*.json).
    #[arg(long, value_name = "DECISION.json")]
    input: PathBuf,
    /// Ziel-PDF.
    #[arg(long, value_name = "FILE.pdf")]
    out: PathBuf,
    /// Siegelschlüssel und -zertifikat aus einer PKCS#12-Datei.
    #[arg(
        long,
        value_name = "FILE",
        conflicts_with = "pkcs11_module",
        required_unless_present = "pkcs11_module"
    )]
    p12: Option<PathBuf>,
    /// Siegelschlüssel auf einem PKCS#11-Token: Pfad des PKCS#11-Moduls.
    #[arg(long, value_name = "LIB", requires_all = ["token", "key"])]
    pkcs11_module: Option<PathBuf>,
    /// Bezeichnung (Label) des Tokens.
    #[arg(long, value_name = "LABEL")]
    token: Option<String>,
    /// Bezeichnung (Label) des Schlüssels auf dem Token.
    #[arg(long, value_name = "LABEL")]
    key: Option<String>,
}

fn konto_p12(p: &std::path::Path) -> String {
    let abs = std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
    format!("p12:{}", abs.display())
}

fn geheimnis(konto: &str) -> anyhow::Result<String> {
    if let Ok(v) = std::env::var(PIN_ENV)
        && !v.is_empty()
    {
        return Ok(v);
    }
    let entry = keyring::Entry::new(KEYRING_SERVICE, konto)
        .with_context(|| format!("Schlüsselbund nicht erreichbar; alternativ {PIN_ENV} setzen"))?;
    match entry.get_password() {
        Ok(p) => Ok(p),
        Err(keyring::Error::NoEntry) => bail!(
            "Kein Passwort bzw. keine PIN für „{konto}“ im Schlüsselbund. Mit \
             `amtsstube bescheid store-secret` hinterlegen oder {PIN_ENV} setzen."
        ),
        Err(e) => Err(anyhow::anyhow!(e))
            .with_context(|| format!("Schlüsselbund nicht lesbar; alternativ {PIN_ENV} setzen")),
    }
}

/// Runs a `bescheid` subcommand.
pub fn run(cmd: &BescheidCmd) -> anyhow::Result<ExitCode> {
    match cmd {
        BescheidCmd::Issue(a) => issue(a),
        BescheidCmd::Verify { file, trust, json } => verify(file, trust, *json),
        BescheidCmd::StoreSecret { p12, token } => {
            let konto = match (p12, token) {
                (Some(p), _) => konto_p12(p),
                (None, Some(t)) => format!("pkcs11:{t}"),
                (None, None) => bail!("--p12 oder --token angeben"),
            };
            let mut s = String::new();
            std::io::stdin()
                .read_to_string(&mut s)
                .context("Eingabe nicht lesbar")?;
            let s = s.trim_end_matches(['\r', '\n']);
            if s.is_empty() {
                bail!("leere Eingabe: Passwort bzw. PIN auf stdin übergeben");
            }
            keyring::Entry::new(KEYRING_SERVICE, &konto)
                .and_then(|e| e.set_password(s))
                .context("Schlüsselbund nicht beschreibbar")?;
            println!("Im Schlüsselbund abgelegt: {KEYRING_SERVICE} / {konto}");
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn issue(a: &IssueArgs) -> anyhow::Result<ExitCode> {
    let json =
        std::fs::read(&a.input).with_context(|| format!("{} nicht lesbar", a.input.display()))?;
    let e = bescheid::Entscheidung::from_json(&json)?;
    let schluessel: Box<dyn bescheid::Siegelschluessel> = match (&a.p12, &a.pkcs11_module) {
        (Some(p12), _) => {
            let daten =
                std::fs::read(p12).with_context(|| format!("{} nicht lesbar", p12.display()))?;
            Box::new(bescheid::P12Schluessel::laden(
                &daten,
                &geheimnis(&konto_p12(p12))?,
            )?)
        }
        (None, Some(modul)) => {
            let token = a.token.as_deref().context("--token fehlt")?;
            let key = a.key.as_deref().context("--key fehlt")?;
            let pin = geheimnis(&format!("pkcs11:{token}"))?;
            Box::new(bescheid::pkcs11::Pkcs11Schluessel::oeffnen(
                modul, token, key, &pin,
            )?)
        }
        (None, None) => bail!("--p12 oder --pkcs11-module angeben"),
    };
    let aus = bescheid::ausstellen(&e, schluessel.as_ref(), time::OffsetDateTime::now_utc())?;
    std::fs::write(&a.out, &aus.pdf)
        .with_context(|| format!("{} nicht schreibbar", a.out.display()))?;
    println!(
        "Bescheid {} gesiegelt: {} ({} Byte)",
        e.aktenzeichen,
        a.out.display(),
        aus.pdf.len()
    );
    println!("QR-Code: {}", aus.qr_inhalt);
    Ok(ExitCode::SUCCESS)
}

fn ja(b: bool) -> &'static str {
    if b { "ja" } else { "NEIN" }
}

fn verify(file: &PathBuf, trust: &PathBuf, json: bool) -> anyhow::Result<ExitCode> {
    let pdf = std::fs::read(file).with_context(|| format!("{} nicht lesbar", file.display()))?;
    let anker = bescheid::pruefung::vertrauensanker_laden(
        &std::fs::read(trust).with_context(|| format!("{} nicht lesbar", trust.display()))?,
    )?;
    let r = bescheid::pruefen(&pdf, &anker)?;
    if json {
        let mut v = serde_json::to_value(&r)?;
        if let Some(o) = v.as_object_mut() {
            o.insert("gueltig".into(), r.gueltig().into());
        }
        println!("{}", serde_json::to_string_pretty(&v)?);
    } else {
        println!(
            "Ergebnis:               {}",
            if r.gueltig() { "GÜLTIG" } else { "UNGÜLTIG" }
        );
        println!("Siegel intakt:          {}", ja(r.siegel_intakt));
        println!("Deckt ganzes Dokument:  {}", ja(r.deckt_ganzes_dokument));
        println!("Vertrauenswürdig:       {}", ja(r.vertrauenswuerdig));
        println!("QR-Code passt:          {}", ja(r.qr_passt));
        println!(
            "Gesiegelt von:          {}",
            r.gesiegelt_von.as_deref().unwrap_or("–")
        );
        println!(
            "Ausgestellt von:        {}",
            r.aussteller.as_deref().unwrap_or("–")
        );
        println!(
            "Zeitpunkt (/M):         {}",
            r.zeitpunkt.as_deref().unwrap_or("–")
        );
        println!(
            "Aktenzeichen:           {}",
            r.aktenzeichen.as_deref().unwrap_or("–")
        );
        for b in &r.befunde {
            println!("Befund: {b}");
        }
    }
    Ok(if r.gueltig() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
