//! The Diagnosebericht (issue 19): one ZIP for the IT with what it needs to help and nothing
//! personal — no case, no name, no form value, no document, no note, no login.
//!
//! Entries:
//! * `LIESMICH.txt` — what is in it and what is not (German).
//! * `version.json` — product, version, operating system, schema version, Demo-Modus, time.
//! * `konfiguration.json` — the connection (service and token URL, destination, client id,
//!   whether a CA is pinned; never the client secret, which lives in the keyring), what the
//!   policy pins, the authority (name, Land, Leistungen by LeiKa key and name, E-Akte target),
//!   the roles of the session (not the login). Paths below the home directory start with `~`.
//! * `pruefprotokoll.json` — the audit chain: entries checked, intact or where it breaks.
//! * `bestand.json` — counts: cases per view, submissions, open outbox entries, database size.
//! * `protokolle/…` — the newest log files of the profile (the log holds no personal data by
//!   the rule of crate `protokoll`), at most [`PROTOKOLL_GRENZE`] bytes, the newest lines first
//!   kept.
//!
//! To add an entry: write it in [`AppContext::diagnosebericht`] and name it in `LIESMICH.txt`;
//! the CLI test `diagnose` scans every entry for the applicants' data.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use ipc::{ErrorCode, IpcError};
use serde_json::{Value, json};

use crate::{AppContext, fehler, profile};

/// The most log bytes the report carries.
pub const PROTOKOLL_GRENZE: u64 = 4 * 1024 * 1024;

const LIESMICH: &str = "Amtsstube – Diagnosebericht

Dieser Bericht ist für die IT bestimmt. Er enthält:
  version.json         Version, Betriebssystem, Datenbankschema, Demo-Modus, Zeitpunkt
  konfiguration.json   Verbindung zum Zustelldienst (ohne Geheimnis), Festlegungen der
                       Administration, Behörde und Leistungen, E-Akte-Ziel, Rollen der Sitzung
  pruefprotokoll.json  Zustand der Hash-Kette des Prüfprotokolls
  bestand.json         Anzahlen (Vorgänge je Ansicht, Einreichungen, offene Sendungen),
                       Größe der Datenbank
  protokolle/          die neuesten Protokolldateien des Profils

Er enthält nicht: Vorgänge, Namen, Formulardaten, Dokumente, Notizen, Nachrichten, die
Anmeldung der Person, Schlüssel oder Passwörter.
";

/// What the report holds, for the caller to show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnosebericht {
    /// Where it was written.
    pub pfad: PathBuf,
    /// The entries' names, in order.
    pub eintraege: Vec<String>,
    /// Size of the ZIP in bytes.
    pub groesse: u64,
}

/// `pfad` with the home directory written as `~` (the home path names the login).
fn ohne_home(pfad: &Path) -> String {
    let home = std::env::var_os("HOME")
        .or_else(|| std::env::var_os("USERPROFILE"))
        .map(PathBuf::from);
    match home.as_deref().and_then(|h| pfad.strip_prefix(h).ok()) {
        Some(rest) if !home.as_deref().is_some_and(|h| h.as_os_str().is_empty()) => {
            format!("~/{}", rest.display())
        }
        _ => pfad.display().to_string(),
    }
}

fn schreibfehler(ziel: &Path, e: impl std::fmt::Display) -> IpcError {
    IpcError::new(
        ErrorCode::Internal,
        format!(
            "Der Diagnosebericht konnte nicht nach {} geschrieben werden ({e}). Wählen Sie einen \
             Ort, an dem Sie schreiben dürfen und genug Platz ist.",
            ziel.display()
        ),
    )
}

/// The newest log files of `profil` (current first), their newest bytes up to `grenze`
/// together: (name in the report, content).
fn protokolle(profil: &Path, grenze: u64) -> Vec<(String, Vec<u8>)> {
    let ordner = profil.join(protokoll::ORDNER);
    let Ok(liste) = std::fs::read_dir(&ordner) else {
        return Vec::new();
    };
    let mut dateien: Vec<(std::time::SystemTime, PathBuf)> = liste
        .flatten()
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .filter(|e| e.file_name().to_string_lossy().contains(".log"))
        .map(|e| {
            let t = e
                .metadata()
                .and_then(|m| m.modified())
                .unwrap_or(std::time::UNIX_EPOCH);
            (t, e.path())
        })
        .collect();
    dateien.sort_by_key(|d| std::cmp::Reverse(d.0));
    let mut rest = grenze;
    let mut out = Vec::new();
    for (_, p) in dateien {
        if rest == 0 {
            break;
        }
        let Ok(inhalt) = std::fs::read(&p) else {
            continue;
        };
        let ab = inhalt.len().saturating_sub(rest as usize);
        // Whole lines only.
        let ab = if ab == 0 {
            0
        } else {
            inhalt[ab..]
                .iter()
                .position(|b| *b == b'\n')
                .map_or(inhalt.len(), |i| ab + i + 1)
        };
        let teil = inhalt[ab..].to_vec();
        rest -= teil.len() as u64;
        let name = p
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if !teil.is_empty() {
            out.push((format!("protokolle/{name}"), teil));
        }
        if ab > 0 {
            // Cut: anything older would leave a gap before these lines.
            break;
        }
    }
    out
}

impl AppContext {
    /// Writes the Diagnosebericht to `ziel` (atomically: complete or not there).
    pub fn diagnosebericht(&self, ziel: &Path) -> Result<Diagnosebericht, IpcError> {
        let jetzt = time::OffsetDateTime::now_utc()
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default();
        let version = json!({
            "produkt": crate::PRODUCT,
            "version": env!("CARGO_PKG_VERSION"),
            "betriebssystem": std::env::consts::OS,
            "architektur": std::env::consts::ARCH,
            "kernel": std::fs::read_to_string("/proc/sys/kernel/osrelease")
                .map(|s| s.trim().to_owned())
                .ok(),
            "datenbankschema": store::verbindung::schema_version(),
            "demo_modus": self.is_demo(),
            "erstellt": jetzt,
        });

        let verbindung =
            match profile::ConnectionConfig::load_mit(self.profile_dir(), self.richtlinie()) {
                Ok(Some(c)) => json!({
                    "art": "Zustelldienst",
                    "base_url": c.base_url,
                    "token_url": c.token_url,
                    "destination_id": c.destination_id,
                    "client_id": c.client_id,
                    "client_secret": "(im Schlüsselbund des Betriebssystems, nicht im Bericht)",
                }),
                Ok(None) => json!({ "art": "Demo-Modus (eingebauter Simulator)" }),
                Err(e) => json!({ "art": "fehlerhaft", "fehler": e.to_string() }),
            };
        let b = self.behoerde();
        let eakte = b.eakte.as_ref().map(|e| {
            json!({
                "name": e.name,
                "abgabe_ordner": e.abgabe_ordner,
                "abgabe_url": e.abgabe_url,
                "rueckgabe_ordner": e.rueckgabe_ordner,
            })
        });
        let r = self.richtlinie();
        let konfiguration = json!({
            "profil": ohne_home(self.profile_dir()),
            "verbindung": verbindung,
            "richtlinie": {
                "datei": r.datei,
                "festlegungen": r.festlegungen().iter().map(|f| json!({
                    "feld": f.feld, "bezeichnung": f.bezeichnung, "wert": f.wert,
                })).collect::<Vec<_>>(),
            },
            "behoerde": {
                "name": b.name,
                "land": b.land.name(),
                "quelle": b.quelle,
                "siegel_konfiguriert": b.siegel.is_some(),
                "leistungen": b.leistungen.iter().map(|l| json!({
                    "leika": l.leika, "name": l.name, "formulare": l.formulare.len(),
                })).collect::<Vec<_>>(),
                "eakte": eakte,
            },
            "sitzung": {
                "rollen": self.sitzung.rollen,
                "demo": self.sitzung.demo,
            },
        });

        let befund = self.store.read(|r| r.audit_pruefen()).map_err(fehler)?;
        let pruefprotokoll = json!({
            "eintraege_geprueft": befund.eintraege,
            "intakt": befund.intakt(),
            "erster_bruch": befund.erster_bruch.as_ref().map(|(seq, grund)| json!({
                "eintrag": seq, "grund": grund,
            })),
        });

        let (vorgaenge, einreichungen, ausgang) = self
            .store
            .read(|r| {
                Ok((
                    r.anzahl_vorgaenge()?,
                    r.einreichungen_anzahl()?,
                    r.outbox_offen_anzahl()?,
                ))
            })
            .map_err(fehler)?;
        let db_groesse = std::fs::metadata(self.store.db_pfad())
            .map(|m| m.len())
            .ok();
        let bestand = json!({
            "vorgaenge": vorgaenge,
            "je_ansicht": serde_json::to_value(self.ansicht_zahlen()?).unwrap_or(Value::Null),
            "einreichungen": einreichungen,
            "postausgang_offen": ausgang,
            "datenbank_bytes": db_groesse,
        });

        let mut eintraege: Vec<(String, Vec<u8>)> = vec![
            ("LIESMICH.txt".into(), LIESMICH.as_bytes().to_vec()),
            ("version.json".into(), huebsch(&version)),
            ("konfiguration.json".into(), huebsch(&konfiguration)),
            ("pruefprotokoll.json".into(), huebsch(&pruefprotokoll)),
            ("bestand.json".into(), huebsch(&bestand)),
        ];
        eintraege.extend(protokolle(self.profile_dir(), PROTOKOLL_GRENZE));

        let optionen = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated)
            .unix_permissions(0o600);
        crate::anlage::atomar_schreiben_mit(ziel, |datei| {
            let mut w = zip::ZipWriter::new(datei);
            for (name, inhalt) in &eintraege {
                w.start_file(name.as_str(), optionen)
                    .map_err(|e| schreibfehler(ziel, e))?;
                w.write_all(inhalt).map_err(|e| schreibfehler(ziel, e))?;
            }
            w.finish().map_err(|e| schreibfehler(ziel, e))?;
            Ok(())
        })?;
        tracing::info!(eintraege = eintraege.len(), "Diagnosebericht geschrieben");
        Ok(Diagnosebericht {
            pfad: ziel.to_path_buf(),
            eintraege: eintraege.into_iter().map(|(n, _)| n).collect(),
            groesse: std::fs::metadata(ziel).map(|m| m.len()).unwrap_or(0),
        })
    }
}

fn huebsch(v: &Value) -> Vec<u8> {
    let mut t = serde_json::to_vec_pretty(v).unwrap_or_default();
    t.push(b'\n');
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_newest_log_lines_are_kept_whole_up_to_the_limit() {
        let dir = tempfile::tempdir().unwrap();
        let ordner = dir.path().join(protokoll::ORDNER);
        std::fs::create_dir_all(&ordner).unwrap();
        std::fs::write(ordner.join("amtsstube.log.1"), "alt 1\nalt 2\n").unwrap();
        std::thread::sleep(std::time::Duration::from_millis(20));
        std::fs::write(ordner.join("amtsstube.log"), "zeile 1\nzeile 2\nzeile 3\n").unwrap();
        // 12 bytes: "zeile 3\n" (8) fits, "zeile 2\n" would cut into a line.
        let p = protokolle(dir.path(), 12);
        assert_eq!(
            p,
            vec![("protokolle/amtsstube.log".into(), b"zeile 3\n".to_vec())]
        );
        let p = protokolle(dir.path(), 1000);
        assert_eq!(p.len(), 2);
        assert_eq!(p[1].0, "protokolle/amtsstube.log.1");
    }

    #[test]
    fn a_path_below_home_names_no_login() {
        if let Some(h) = std::env::var_os("HOME").filter(|h| !h.is_empty()) {
            let p = PathBuf::from(h).join(".local/share/amtsstube");
            assert_eq!(ohne_home(&p), "~/.local/share/amtsstube");
        }
        assert_eq!(ohne_home(Path::new("/srv/amtsstube")), "/srv/amtsstube");
    }
}
