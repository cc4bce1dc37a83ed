//! The database key and where it lives.
//!
//! The key is 32 random bytes, used raw by SQLCipher (no passphrase KDF). Its home is the OS
//! keyring (Windows Credential Manager, Secret Service on Linux), read with `get_secret`
//! because it is binary. An administrator may configure a key file instead (headless
//! machines); it must be readable by its owner only. There is no third option and never a
//! plaintext fallback. A key is created only when the database does not exist yet.

use std::fmt;
use std::io::Write;
use std::path::{Path, PathBuf};

use zeroize::{Zeroize, Zeroizing};

use crate::error::{Result, StoreError};

/// Environment variable naming an explicit key file.
pub const KEY_FILE_ENV: &str = "AMTSSTUBE_KEY_FILE";
/// Keyring service name.
pub const KEYRING_DIENST: &str = "Amtsstube";

/// A raw 256-bit key. Its bytes are never printed and are overwritten on drop.
#[derive(Clone, PartialEq, Eq)]
pub struct Schluessel([u8; 32]);

impl Schluessel {
    /// A fresh random key from the OS CSPRNG.
    pub fn zufaellig() -> Result<Self> {
        let mut k = [0u8; 32];
        aws_lc_rs::rand::fill(&mut k)
            .map_err(|_| StoreError::Daten("Zufallsquelle nicht verfügbar".into()))?;
        Ok(Self(k))
    }

    /// From raw bytes.
    pub fn aus_bytes(b: [u8; 32]) -> Self {
        Self(b)
    }

    /// The raw bytes.
    pub fn bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// The key as hex, wiped from memory when dropped.
    pub(crate) fn hex(&self) -> Zeroizing<String> {
        Zeroizing::new(hex::encode(self.0))
    }

    fn aus_slice(b: &[u8]) -> Option<Self> {
        let a: [u8; 32] = b.try_into().ok()?;
        Some(Self(a))
    }
}

impl Drop for Schluessel {
    fn drop(&mut self) {
        // Volatile writes the optimiser cannot drop (`zeroize`).
        self.0.zeroize();
    }
}

impl fmt::Debug for Schluessel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Schluessel(…)")
    }
}

/// Where the key lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Schluesselquelle {
    /// The OS keyring.
    Schluesselbund {
        /// Service name.
        dienst: String,
        /// Account (one per profile).
        konto: String,
    },
    /// An explicitly configured key file (owner-only).
    Datei(PathBuf),
}

impl fmt::Display for Schluesselquelle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Schluesselbund { dienst, konto } => {
                write!(
                    f,
                    "dem Schlüsselbund des Betriebssystems (Dienst „{dienst}“, Konto „{konto}“)"
                )
            }
            Self::Datei(p) => write!(f, "der Schlüsseldatei {}", p.display()),
        }
    }
}

impl Schluesselquelle {
    /// The configured source for a profile: the key file named by `AMTSSTUBE_KEY_FILE` if set,
    /// else the OS keyring with one account per profile directory.
    pub fn fuer_profil(profil: &Path) -> Self {
        match std::env::var_os(KEY_FILE_ENV) {
            Some(p) if !p.is_empty() => Self::Datei(PathBuf::from(p)),
            _ => Self::schluesselbund_fuer(profil),
        }
    }

    /// The keyring source for a profile directory.
    pub fn schluesselbund_fuer(profil: &Path) -> Self {
        let pfad = std::fs::canonicalize(profil).unwrap_or_else(|_| profil.to_path_buf());
        Self::Schluesselbund {
            dienst: KEYRING_DIENST.into(),
            konto: format!("datenbank:{}", pfad.display()),
        }
    }

    /// The key, or `None` if the source has none yet.
    pub fn laden(&self) -> Result<Option<Schluessel>> {
        match self {
            Self::Schluesselbund { dienst, konto } => keyring_laden(dienst, konto),
            Self::Datei(p) => datei_laden(p),
        }
    }

    /// Stores `key` (replacing any previous one) and reads it back to make sure it is kept.
    pub fn speichern(&self, key: &Schluessel) -> Result<()> {
        match self {
            Self::Schluesselbund { dienst, konto } => {
                let e = eintrag(dienst, konto)?;
                e.set_secret(key.bytes()).map_err(keyring_fehler)?;
            }
            Self::Datei(p) => datei_schreiben(p, key)?,
        }
        match self.laden()? {
            Some(k) if k == *key => Ok(()),
            _ => Err(StoreError::KeinSchluesselspeicher {
                grund: format!(
                    "der Schlüssel wurde in {self} abgelegt, ist dort aber nicht wieder lesbar"
                ),
            }),
        }
    }

    /// Removes the key from the source (tests, re-keying).
    pub fn loeschen(&self) -> Result<()> {
        match self {
            Self::Schluesselbund { dienst, konto } => {
                match eintrag(dienst, konto)?.delete_credential() {
                    Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
                    Err(e) => Err(keyring_fehler(e)),
                }
            }
            Self::Datei(p) => match std::fs::remove_file(p) {
                Ok(()) => Ok(()),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
                Err(e) => Err(e.into()),
            },
        }
    }

    /// The companion source holding a new key while re-keying is under way.
    pub fn ausstehend(&self) -> Self {
        match self {
            Self::Schluesselbund { dienst, konto } => Self::Schluesselbund {
                dienst: dienst.clone(),
                konto: format!("{konto}:neu"),
            },
            Self::Datei(p) => {
                let mut s = p.clone().into_os_string();
                s.push(".neu");
                Self::Datei(PathBuf::from(s))
            }
        }
    }
}

fn eintrag(dienst: &str, konto: &str) -> Result<keyring::Entry> {
    keyring::Entry::new(dienst, konto).map_err(keyring_fehler)
}

fn keyring_fehler(e: keyring::Error) -> StoreError {
    StoreError::KeinSchluesselspeicher {
        grund: format!("Schlüsselbund: {e}"),
    }
}

fn keyring_laden(dienst: &str, konto: &str) -> Result<Option<Schluessel>> {
    match eintrag(dienst, konto)?.get_secret().map(Zeroizing::new) {
        Ok(b) => {
            Schluessel::aus_slice(&b)
                .map(Some)
                .ok_or_else(|| StoreError::KeinSchluesselspeicher {
                    grund: format!(
                        "der Eintrag „{konto}“ im Schlüsselbund ist kein 256-Bit-Schlüssel"
                    ),
                })
        }
        Err(keyring::Error::NoEntry) => Ok(None),
        Err(e) => Err(keyring_fehler(e)),
    }
}

fn datei_fehler(p: &Path, grund: impl Into<String>) -> StoreError {
    StoreError::Schluesseldatei {
        pfad: p.display().to_string(),
        grund: grund.into(),
    }
}

#[cfg(unix)]
fn rechte_pruefen(p: &Path) -> Result<()> {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    let m = std::fs::metadata(p)?;
    if !m.is_file() {
        return Err(datei_fehler(p, "sie ist keine gewöhnliche Datei."));
    }
    let mode = m.permissions().mode() & 0o777;
    if mode & 0o077 != 0 {
        return Err(datei_fehler(
            p,
            format!(
                "sie ist auch für andere lesbar oder schreibbar (Rechte {mode:04o}). Erlaubt ist nur der Eigentümer: \
                 chmod 600 {}",
                p.display()
            ),
        ));
    }
    // The uid of /proc/self is the process' own; elsewhere the mode check has to do.
    if let Ok(ich) = std::fs::metadata("/proc/self")
        && ich.uid() != m.uid()
    {
        return Err(datei_fehler(
            p,
            format!(
                "sie gehört einem anderen Benutzer (uid {}), nicht dem, unter dem Amtsstube läuft.",
                m.uid()
            ),
        ));
    }
    Ok(())
}

#[cfg(not(unix))]
fn rechte_pruefen(p: &Path) -> Result<()> {
    Err(datei_fehler(
        p,
        "Schlüsseldateien werden auf diesem Betriebssystem nicht unterstützt, weil ihre Zugriffsrechte nicht \
         geprüft werden können. Nutzen Sie die Anmeldeinformationsverwaltung von Windows.",
    ))
}

fn datei_laden(p: &Path) -> Result<Option<Schluessel>> {
    if !p.exists() {
        return Ok(None);
    }
    rechte_pruefen(p)?;
    let inhalt = Zeroizing::new(std::fs::read(p)?);
    if let Some(k) = Schluessel::aus_slice(&inhalt) {
        return Ok(Some(k));
    }
    let text = Zeroizing::new(String::from_utf8_lossy(&inhalt).into_owned());
    let bytes = Zeroizing::new(hex::decode(text.trim()).map_err(|_| {
        datei_fehler(
            p,
            "sie enthält weder 32 Bytes noch 64 Hexadezimalzeichen (z. B. `openssl rand -hex 32`).",
        )
    })?);
    Schluessel::aus_slice(&bytes).map(Some).ok_or_else(|| {
        datei_fehler(
            p,
            "der Schlüssel muss genau 256 Bit (64 Hexadezimalzeichen) lang sein.",
        )
    })
}

fn datei_schreiben(p: &Path, key: &Schluessel) -> Result<()> {
    let mut tmp = p.to_path_buf().into_os_string();
    tmp.push(".tmp");
    let tmp = PathBuf::from(tmp);
    let _ = std::fs::remove_file(&tmp);
    let mut opt = std::fs::OpenOptions::new();
    opt.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opt.mode(0o600);
    }
    #[cfg(not(unix))]
    {
        return Err(rechte_pruefen(p)
            .err()
            .unwrap_or_else(|| datei_fehler(p, "nicht unterstützt")));
    }
    #[allow(unreachable_code)]
    {
        let mut f = opt.open(&tmp)?;
        let zeile = Zeroizing::new(format!("{}\n", key.hex().as_str()));
        f.write_all(zeile.as_bytes())?;
        f.sync_all()?;
        drop(f);
        std::fs::rename(&tmp, p)?;
        if let Some(dir) = p.parent()
            && let Ok(d) = std::fs::File::open(dir)
        {
            let _ = d.sync_all();
        }
        Ok(())
    }
}
