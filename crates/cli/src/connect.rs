//! `amtsstube connect`: connects a profile to a FIT-Connect integration service.
//!
//! Stores the connection (`connection.json`, no secrets) via `app::ConnectionConfig::save`,
//! the client secret in the OS keyring (service `amtsstube`, account
//! `<profile-dir>/client-secret`), creates the profile's encryption and signing key pairs if
//! absent (private keys in the keyring, see `fitconnect::profile_keys`) and registers their
//! public JWKs with the destination, making the encryption key the current one.
//!
//! Service and token URL must be `https://` (plain `http://` only to this machine, for the
//! simulator). `--ca-datei` pins the CA of a service with its own certificate: the file (PEM)
//! is checked, used for this connection and stored as `ca_datei` (absolute path).
//!
//! What the administrator's policy pins (`[zustelldienst]` in `policy.toml`: service URL, token
//! URL, destination) is taken from there; another value from a flag or the info file is
//! refused with where the policy pins it, before anything is created or sent.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context as _;
use clap::Args;
use fitconnect::profile_keys::{self, ProfileKeys};

/// Arguments of `amtsstube connect`.
#[derive(Debug, Args)]
pub struct ConnectArgs {
    /// Verbindungsdaten als JSON (wie von `amtsstube sim serve --info-file`).
    #[arg(long)]
    info_file: Option<PathBuf>,
    /// Basis-URL der Submission API (statt --info-file).
    #[arg(long)]
    base_url: Option<String>,
    /// Token-Endpunkt (OAuth2).
    #[arg(long)]
    token_url: Option<String>,
    /// Zustellpunkt (destinationId).
    #[arg(long)]
    destination_id: Option<String>,
    /// Client-ID des Empfängers.
    #[arg(long)]
    client_id: Option<String>,
    /// Client-Secret (besser über die Umgebung AMTSSTUBE_CLIENT_SECRET).
    #[arg(long, env = "AMTSSTUBE_CLIENT_SECRET", hide_env_values = true)]
    client_secret: Option<String>,
    /// PEM-Datei der Zertifizierungsstelle, der allein vertraut wird (Dienst mit eigener CA).
    #[arg(long)]
    ca_datei: Option<PathBuf>,
    /// Ergebnis als JSON.
    #[arg(long)]
    json: bool,
}

struct Target {
    base_url: String,
    token_url: String,
    destination_id: String,
    client_id: String,
    client_secret: String,
}

/// A value the administrator's policy pins: `amtsstube connect` takes it from there and
/// refuses another one.
struct Fest<'a> {
    feld: &'static str,
    wert: &'a str,
    wo: String,
}

fn target(args: &ConnectArgs, richtlinie: &richtlinie::Richtlinie) -> anyhow::Result<Target> {
    let info: Option<serde_json::Value> = match &args.info_file {
        Some(p) => Some(
            serde_json::from_str(
                &std::fs::read_to_string(p)
                    .with_context(|| format!("Verbindungsdatei {} nicht lesbar", p.display()))?,
            )
            .with_context(|| format!("Verbindungsdatei {} ist fehlerhaft", p.display()))?,
        ),
        None => None,
    };
    let from_info = |ptr: &str| {
        info.as_ref()
            .and_then(|i| i.pointer(ptr))
            .and_then(|v| v.as_str())
            .map(str::to_owned)
    };
    let pick = |flag: &Option<String>, ptr: &str, name: &str| {
        flag.clone()
            .or_else(|| from_info(ptr))
            .with_context(|| format!("{name} fehlt: --{name} oder --info-file angeben"))
    };
    fn fest<'a>(
        richtlinie: &richtlinie::Richtlinie,
        feld: &'static str,
        wert: &'a Option<String>,
    ) -> Option<Fest<'a>> {
        wert.as_deref().map(|w| Fest {
            feld,
            wert: w,
            wo: richtlinie.wo(feld),
        })
    }
    let z = &richtlinie.zustelldienst;
    let gepinnt = |flag: &Option<String>,
                   ptr: &str,
                   name: &str,
                   fest: Option<Fest<'_>>|
     -> anyhow::Result<String> {
        let angegeben = flag.clone().or_else(|| from_info(ptr));
        match (fest, angegeben) {
            (Some(f), Some(a)) if a != f.wert => anyhow::bail!(
                "{} ist von der Administration festgelegt ({}: „{}“); `amtsstube connect` kann \
                 es nicht auf „{a}“ ändern. Lassen Sie --{name} weg (und nehmen Sie die Angabe \
                 aus der Verbindungsdatei), oder die IT ändert die Richtlinie.",
                f.feld,
                f.wo,
                f.wert
            ),
            (Some(f), _) => Ok(f.wert.to_owned()),
            (None, _) => pick(flag, ptr, name),
        }
    };
    Ok(Target {
        base_url: gepinnt(
            &args.base_url,
            "/base_url",
            "base-url",
            fest(richtlinie, "zustelldienst.base_url", &z.base_url),
        )?,
        token_url: gepinnt(
            &args.token_url,
            "/token_url",
            "token-url",
            fest(richtlinie, "zustelldienst.token_url", &z.token_url),
        )?,
        destination_id: gepinnt(
            &args.destination_id,
            "/destination_id",
            "destination-id",
            fest(
                richtlinie,
                "zustelldienst.destination_id",
                &z.destination_id,
            ),
        )?,
        client_id: pick(&args.client_id, "/subscriber/client_id", "client-id")?,
        client_secret: pick(
            &args.client_secret,
            "/subscriber/client_secret",
            "client-secret",
        )?,
    })
}

/// Runs `amtsstube connect`.
pub fn run(profile: &Path, args: &ConnectArgs) -> anyhow::Result<ExitCode> {
    let richtlinie = app::profile::richtlinie_laden()?;
    let t = target(args, &richtlinie)?;
    let profile = app::profile::ensure_dir(profile)?;
    let ca_datei = match &args.ca_datei {
        Some(p) => Some(p.canonicalize().with_context(|| {
            format!(
                "CA-Datei {} nicht gefunden: geben Sie mit --ca-datei den Pfad einer PEM-Datei an",
                p.display()
            )
        })?),
        None => None,
    };
    let ca_pem = match &ca_datei {
        Some(p) => Some(
            std::fs::read(p).with_context(|| format!("CA-Datei {} nicht lesbar", p.display()))?,
        ),
        None => None,
    };
    // Checks the URLs (https, or http to this machine only) and the CA before anything is
    // created or sent.
    let client = fitconnect::Client::with_transport(
        &t.base_url,
        fitconnect::Credentials {
            token_url: t.token_url.clone(),
            client_id: t.client_id.clone(),
            client_secret: t.client_secret.clone(),
            scope: None,
        },
        fitconnect::client::Transport {
            ca_pem,
            ..fitconnect::client::Transport::default()
        },
    )?;
    let (keys, created) = ProfileKeys::load_or_create(&profile)?;
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("Laufzeitumgebung nicht startbar")?;
    let enc = keys.encryption.public_jwk()?;
    let sig = keys.signing.public_jwk();
    rt.block_on(client.register_keys(&t.destination_id, &enc, &sig))
        .context("Schlüssel konnten beim Zustellpunkt nicht registriert werden")?;
    profile_keys::save_client_secret(&profile, &t.client_secret)?;
    app::ConnectionConfig {
        base_url: t.base_url.clone(),
        token_url: t.token_url.clone(),
        destination_id: t.destination_id.clone(),
        client_id: t.client_id.clone(),
    }
    .save_with_ca_file(&profile, ca_datei.as_deref())?;
    if args.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&serde_json::json!({
                "profile": profile.display().to_string(),
                "destinationId": t.destination_id,
                "encryptionKid": enc.kid,
                "signingKid": sig.kid,
                "keysCreated": created,
            }))?
        );
    } else {
        println!(
            "Verbunden mit {} (Zustellpunkt {}).",
            t.base_url, t.destination_id
        );
        println!(
            "{} Verschlüsselungsschlüssel {} und Signaturschlüssel {} registriert.",
            if created {
                "Neue Schlüssel erzeugt;"
            } else {
                "Vorhandene Schlüssel;"
            },
            enc.kid,
            sig.kid
        );
        println!(
            "Client-Secret und private Schlüssel liegen im Schlüsselbund des Betriebssystems."
        );
    }
    Ok(ExitCode::SUCCESS)
}
