//! The authority's seal key for Bescheide, as the administrator configured it.
//!
//! - `[siegel] pkcs12 = "…"` in `behoerde.toml`: a PKCS#12 file (path relative to the
//!   configuration or absolute); its password is in the OS keyring (service
//!   `amtsstube-siegel`, account `p12:<absolute path>`, put there with
//!   `amtsstube bescheid store-secret --p12 FILE`).
//! - `[siegel] pkcs11_modul = "…", token = "…", schluessel = "…"`: a PKCS#11 token (an HSM, a
//!   smart card, SoftHSM2 in the tests); its PIN is in the keyring (account `pkcs11:<token>`).
//! - Nothing configured, Demo-Modus: a demo seal is made once in the profile
//!   (`demo/siegel/`: a demo root certificate `wurzel.pem` and `siegel.p12` whose password
//!   is in the keyring like a real one) with `openssl`. Its certificates say „Demo“; the root
//!   is what a validator must be given as trust anchor (`pdfsig`, pyHanko, `amtsstube
//!   bescheid verify --trust`).
//! - Nothing configured outside Demo-Modus: sealing is refused with what to configure.

use std::path::{Path, PathBuf};
use std::process::Command;

use bescheid::Siegelschluessel;
use ipc::{ErrorCode, IpcError};

use crate::AppContext;

/// Keyring service of seal secrets (the CLI's `bescheid store-secret` writes there).
pub const KEYRING_DIENST: &str = "amtsstube-siegel";

fn fehler(m: impl Into<String>) -> IpcError {
    IpcError::new(ErrorCode::InvalidInput, m)
}

fn geheimnis(konto: &str) -> Result<String, IpcError> {
    let entry = keyring::Entry::new(KEYRING_DIENST, konto).map_err(|e| {
        fehler(format!(
            "Der Schlüsselbund des Systems ist nicht erreichbar ({e}); ohne ihn kann nicht gesiegelt werden."
        ))
    })?;
    entry.get_password().map_err(|e| match e {
        keyring::Error::NoEntry => fehler(format!(
            "Für das Siegel ({konto}) ist kein Passwort bzw. keine PIN im Schlüsselbund. Die \
             IT hinterlegt es mit `amtsstube bescheid store-secret`."
        )),
        andere => fehler(format!("Der Schlüsselbund ist nicht lesbar ({andere}).")),
    })
}

fn p12_laden(pfad: &Path, herkunft: &str) -> Result<Box<dyn Siegelschluessel>, IpcError> {
    let abs = std::fs::canonicalize(pfad).map_err(|e| {
        fehler(format!(
            "Die Siegeldatei {} ist nicht lesbar ({e}). Prüfen Sie {herkunft}.",
            pfad.display()
        ))
    })?;
    let daten = std::fs::read(&abs).map_err(|e| {
        fehler(format!(
            "Die Siegeldatei {} ist nicht lesbar ({e}).",
            abs.display()
        ))
    })?;
    let passwort = geheimnis(&format!("p12:{}", abs.display()))?;
    let k = bescheid::P12Schluessel::laden(&daten, &passwort)
        .map_err(|e| fehler(format!("Das Siegel lässt sich nicht öffnen: {e}")))?;
    Ok(Box::new(k))
}

/// Where the demo seal lives in a profile.
pub fn demo_verzeichnis(profil: &Path) -> PathBuf {
    profil.join("demo").join("siegel")
}

fn openssl(dir: &Path, args: &[&str]) -> Result<(), IpcError> {
    let o = Command::new("openssl")
        .current_dir(dir)
        .args(args)
        .output()
        .map_err(|e| {
            fehler(format!(
                "Für das Demo-Siegel wird `openssl` gebraucht ({e}); installieren Sie es (Debian: apt-get install openssl)."
            ))
        })?;
    if o.status.success() {
        Ok(())
    } else {
        Err(fehler(format!(
            "Das Demo-Siegel ließ sich nicht erzeugen (openssl {}): {}",
            args.first().copied().unwrap_or_default(),
            String::from_utf8_lossy(&o.stderr).trim()
        )))
    }
}

/// Makes the demo seal in `dir` once: a P-256 root and a seal certificate with the key usage
/// validators expect, packed as PKCS#12 whose random password goes into the keyring.
fn demo_erzeugen(dir: &Path, behoerde: &str) -> Result<PathBuf, IpcError> {
    let p12 = dir.join("siegel.p12");
    if p12.is_file() && dir.join("wurzel.pem").is_file() {
        return Ok(p12);
    }
    std::fs::create_dir_all(dir)
        .map_err(|e| fehler(format!("{} lässt sich nicht anlegen ({e}).", dir.display())))?;
    let ec = ["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"];
    openssl(
        dir,
        &[&["genpkey"][..], &ec, &["-out", "wurzel.key"]].concat(),
    )?;
    openssl(
        dir,
        &[
            "req",
            "-x509",
            "-new",
            "-key",
            "wurzel.key",
            "-sha256",
            "-days",
            "3650",
            "-subj",
            "/C=DE/O=Amtsstube Demo-Modus/CN=Demo-Wurzel (nur zum Ausprobieren)",
            "-addext",
            "basicConstraints=critical,CA:TRUE",
            "-addext",
            "keyUsage=critical,keyCertSign,cRLSign",
            "-out",
            "wurzel.pem",
        ],
    )?;
    openssl(
        dir,
        &[&["genpkey"][..], &ec, &["-out", "siegel.key"]].concat(),
    )?;
    let name: String = behoerde
        .chars()
        .filter(|c| !matches!(c, '/' | '=' | '+' | '\\' | ',' | '"'))
        .take(40)
        .collect();
    let subj = format!("/C=DE/O={name}/CN=Demo-Siegel {name}");
    openssl(
        dir,
        &[
            "req",
            "-new",
            "-key",
            "siegel.key",
            "-subj",
            &subj,
            "-out",
            "siegel.csr",
        ],
    )?;
    std::fs::write(
        dir.join("ext.cnf"),
        "basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,nonRepudiation\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n",
    )
    .map_err(|e| fehler(format!("Demo-Siegel: {e}")))?;
    openssl(
        dir,
        &[
            "x509",
            "-req",
            "-in",
            "siegel.csr",
            "-CA",
            "wurzel.pem",
            "-CAkey",
            "wurzel.key",
            "-CAcreateserial",
            "-days",
            "825",
            "-sha256",
            "-extfile",
            "ext.cnf",
            "-out",
            "siegel.pem",
        ],
    )?;
    let mut zufall = [0u8; 24];
    aws_lc_rs::rand::fill(&mut zufall).map_err(|_| fehler("Kein Zufall für das Demo-Siegel."))?;
    let passwort = hex::encode(zufall);
    let tmp = dir.join("siegel.p12.tmp");
    openssl(
        dir,
        &[
            "pkcs12",
            "-export",
            "-inkey",
            "siegel.key",
            "-in",
            "siegel.pem",
            "-certfile",
            "wurzel.pem",
            "-out",
            "siegel.p12.tmp",
            "-passout",
            &format!("pass:{passwort}"),
        ],
    )?;
    // The keys were only needed to issue; the seal key lives on in the PKCS#12 file.
    for f in [
        "wurzel.key",
        "siegel.key",
        "siegel.csr",
        "ext.cnf",
        "wurzel.srl",
    ] {
        let _ = std::fs::remove_file(dir.join(f));
    }
    let abs = std::fs::canonicalize(dir)
        .map_err(|e| fehler(format!("Demo-Siegel: {e}")))?
        .join("siegel.p12");
    keyring::Entry::new(KEYRING_DIENST, &format!("p12:{}", abs.display()))
        .and_then(|e| e.set_password(&passwort))
        .map_err(|e| {
            fehler(format!(
                "Das Passwort des Demo-Siegels lässt sich nicht im Schlüsselbund ablegen ({e})."
            ))
        })?;
    std::fs::rename(&tmp, &p12).map_err(|e| fehler(format!("Demo-Siegel: {e}")))?;
    Ok(p12)
}

impl AppContext {
    /// A path of `[siegel]` as written: absolute, or relative to the configuration file.
    fn konfigurationspfad(&self, p: &str) -> PathBuf {
        let p = PathBuf::from(p);
        if p.is_absolute() {
            return p;
        }
        Path::new(&self.behoerde().quelle)
            .parent()
            .map_or_else(|| p.clone(), |basis| basis.join(&p))
    }

    /// The seal key to seal Bescheide with (see the module doc).
    pub fn siegelschluessel(&self) -> Result<Box<dyn Siegelschluessel>, IpcError> {
        let b = self.behoerde();
        // The policy's seal replaces the authority file's (AppContext::open_mit_richtlinie):
        // a message names the file the IT has to look at.
        let herkunft = if self.richtlinie().siegel.is_some() {
            "[siegel] in der Richtlinie (policy.toml)"
        } else {
            "[siegel] in behoerde.toml"
        };
        match &b.siegel {
            Some(s) if s.pkcs12.is_some() => p12_laden(
                &self.konfigurationspfad(s.pkcs12.as_deref().unwrap_or_default()),
                herkunft,
            ),
            Some(s) => match (&s.pkcs11_modul, &s.token, &s.schluessel) {
                (Some(modul), Some(token), Some(schluessel)) => {
                    let pin = geheimnis(&format!("pkcs11:{token}"))?;
                    let k = bescheid::pkcs11::Pkcs11Schluessel::oeffnen(
                        Path::new(modul),
                        token,
                        schluessel,
                        &pin,
                    )
                    .map_err(|e| {
                        fehler(format!("Das Siegel-Token lässt sich nicht öffnen: {e}"))
                    })?;
                    Ok(Box::new(k))
                }
                _ => Err(fehler(format!(
                    "{herkunft} braucht entweder pkcs12 oder pkcs11_modul, token und schluessel."
                ))),
            },
            None if self.is_demo() => {
                let p12 = demo_erzeugen(&demo_verzeichnis(self.profile_dir()), &b.name)?;
                p12_laden(&p12, "das Demo-Siegel (Ordner demo/siegel im Profil)")
            }
            None => Err(fehler(
                "Für diese Behörde ist kein Siegel eingerichtet. Die IT trägt es in behoerde.toml \
                 unter [siegel] ein (PKCS#12-Datei oder PKCS#11-Token, siehe README „Siegel“).",
            )),
        }
    }
}

impl AppContext {
    /// The roots seals and signatures on incoming PDFs are checked against: `[siegel]
    /// vertrauensanker`, and in Demo-Modus the demo seal's root.
    fn vertrauensanker(&self) -> Vec<Vec<u8>> {
        let mut pfade: Vec<PathBuf> = self
            .behoerde()
            .siegel
            .iter()
            .flat_map(|s| s.vertrauensanker.iter())
            .map(|p| self.konfigurationspfad(p))
            .collect();
        if self.is_demo() {
            pfade.push(demo_verzeichnis(self.profile_dir()).join("wurzel.pem"));
        }
        pfade
            .iter()
            .filter_map(|p| std::fs::read(p).ok())
            .filter_map(|d| bescheid::pruefung::vertrauensanker_laden(&d).ok())
            .flatten()
            .collect()
    }

    /// Command `anlage_siegel`: the seal or signature check of a PDF attachment of the case,
    /// with the Bescheid engine's verifier, as a German sentence.
    pub fn anlage_siegel(
        &self,
        vorgang_id: String,
        sha512: String,
    ) -> Result<ipc::SiegelPruefung, IpcError> {
        let inhalt = self.anlage_lesen(&vorgang_id, &sha512, None)?;
        let pdf = inhalt.bytes;
        let ohne = ipc::SiegelPruefung {
            signiert: false,
            gueltig: false,
            text: "Ohne Siegel oder Signatur.".into(),
        };
        if !pdf.starts_with(b"%PDF") || !bescheid::pruefung::hat_signatur(&pdf) {
            return Ok(ohne);
        }
        let anker = self.vertrauensanker();
        Ok(match bescheid::pruefen(&pdf, &anker) {
            Ok(r) => {
                let wer = r
                    .gesiegelt_von
                    .clone()
                    .unwrap_or_else(|| "unbekannt".into());
                let aussteller = r.aussteller.clone().unwrap_or_else(|| "unbekannt".into());
                let gueltig = r.siegel_intakt && r.deckt_ganzes_dokument && r.vertrauenswuerdig;
                let text = if gueltig {
                    format!("Siegel gültig: {wer} (Aussteller {aussteller}).")
                } else if !r.siegel_intakt {
                    format!(
                        "Siegel UNGÜLTIG: das Dokument wurde nach dem Siegeln verändert oder das Siegel ist beschädigt ({wer})."
                    )
                } else if !r.deckt_ganzes_dokument {
                    format!(
                        "Siegel deckt nicht das ganze Dokument: danach wurde etwas angefügt ({wer})."
                    )
                } else {
                    format!(
                        "Siegel intakt, aber der Aussteller „{aussteller}“ ist kein Vertrauensanker der Behörde ({wer}). Die IT trägt vertrauenswürdige Wurzeln unter [siegel] vertrauensanker ein."
                    )
                };
                ipc::SiegelPruefung {
                    signiert: true,
                    gueltig,
                    text,
                }
            }
            Err(e) => ipc::SiegelPruefung {
                signiert: true,
                gueltig: false,
                text: format!("Signatur nicht prüfbar: {e}"),
            },
        })
    }
}
