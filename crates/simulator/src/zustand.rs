//! The simulator's memory across restarts ([`crate::SimConfig::zustand`]): one JSON file with
//! what the service and its simulated applicants must still know when the simulator starts
//! again on the same file (Demo-Modus after an app restart):
//!
//! - per case: its destination, its event log (the SETs, so the subscriber's confirmation of
//!   an accept still finds its event), the applicant's private reply key, and its submissions
//!   with their state (accepted and rejected ones without their content: they never reappear
//!   in the pickup list; submitted ones with it, so they can still be picked up);
//! - the replies (id, case, announced attachments, status), so a sender asking for a reply's
//!   state after a restart gets an answer instead of 404;
//! - the service's signing key, so the events signed before the restart still verify (and
//!   the restart saves the RSA-4096 key generation);
//! - how many applications of each seed [`crate::SimHandle::send`] has sent.
//!
//! **The file holds private keys in the clear**: the simulated applicants' reply keys and the
//! simulator's service key. They belong to simulated people and a simulated service (demo
//! data), never to a real person; do not put the file anywhere a real key would not go either.
//!
//! Written after every change of what it holds ([`crate::server::AppState::sichern`]):
//! serialised, written to `*.tmp`, fsynced and renamed over the file. A file that cannot be
//! read or parsed is moved aside as `*.defekt` with a warning in the log, and the simulator
//! starts empty: a demo must start, and the broken file stays for a look.

use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use fitconnect::set::AuthenticationTags;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::privater_jwk::PrivaterJwk;
use crate::server::{Inner, Reply, Sub, SubState};

/// Format version of the file; another one is treated like a damaged file.
const VERSION: u32 = 1;

/// The file's content.
#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Zustand {
    pub version: u32,
    /// The service's signing key (demo only).
    pub dienstschluessel: Option<PrivaterJwk>,
    pub vorgaenge: Vec<Vorgang>,
    #[serde(default)]
    pub antworten: Vec<Antwort>,
    /// Seed → the next application index [`crate::SimHandle::send`] has not sent yet.
    #[serde(default)]
    pub gesendet: BTreeMap<u64, u64>,
    #[serde(default)]
    pub seq: u64,
}

/// One case.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Vorgang {
    pub case_id: String,
    pub destination_id: String,
    /// The applicant's private reply key (a simulated person's, demo data).
    pub antwortschluessel: Option<PrivaterJwk>,
    #[serde(default)]
    pub einreichungen: Vec<Einreichung>,
    /// The case's event log (compact SETs, oldest first).
    #[serde(default)]
    pub ereignisse: Vec<String>,
}

/// One submission of a case.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Einreichung {
    pub submission_id: String,
    pub service_type: Value,
    pub announced: Vec<String>,
    pub zustand: SubState,
    pub seq: u64,
    pub tags: Option<AuthenticationTags>,
    /// Content, only while it can still be picked up.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub attachments: BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encrypted_metadata: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encrypted_data: Option<String>,
}

/// One reply (without its content: the applicant read it when it was sent).
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Antwort {
    pub reply_id: String,
    pub case_id: String,
    pub announced: Vec<String>,
    pub status: String,
}

impl Zustand {
    /// What `inner` must remember.
    pub fn aus(inner: &Inner, dienstschluessel: Option<PrivaterJwk>) -> Self {
        let mut vorgaenge: BTreeMap<&str, Vorgang> = inner
            .case_destination
            .iter()
            .map(|(case, dest)| {
                let antwortschluessel = inner.reply_keys.get(case).and_then(|k| {
                    PrivaterJwk::von_verschluesselung(k)
                        .map_err(|e| {
                            tracing::warn!(
                                "Simulator: Antwortschlüssel des Vorgangs {case} nicht speicherbar: {e}"
                            );
                        })
                        .ok()
                });
                (
                    case.as_str(),
                    Vorgang {
                        case_id: case.clone(),
                        destination_id: dest.clone(),
                        antwortschluessel,
                        einreichungen: Vec::new(),
                        ereignisse: inner.cases.get(case).cloned().unwrap_or_default(),
                    },
                )
            })
            .collect();
        let mut subs: Vec<&Sub> = inner.submissions.values().collect();
        subs.sort_by_key(|s| s.seq);
        for s in subs {
            let Some(v) = vorgaenge.get_mut(s.case_id.as_str()) else {
                continue;
            };
            let abholbar = matches!(s.state, SubState::Created | SubState::Submitted);
            v.einreichungen.push(Einreichung {
                submission_id: s.id.clone(),
                service_type: s.service_type.clone(),
                announced: s.announced.clone(),
                zustand: s.state,
                seq: s.seq,
                tags: s.tags.clone(),
                attachments: if abholbar {
                    s.attachments.clone()
                } else {
                    BTreeMap::new()
                },
                encrypted_metadata: s.encrypted_metadata.clone().filter(|_| abholbar),
                encrypted_data: s.encrypted_data.clone().filter(|_| abholbar),
            });
        }
        let mut antworten: Vec<Antwort> = inner
            .replies
            .values()
            .map(|r| Antwort {
                reply_id: r.id.clone(),
                case_id: r.case_id.clone(),
                announced: r.announced.clone(),
                status: r.status.clone(),
            })
            .collect();
        antworten.sort_by(|a, b| a.reply_id.cmp(&b.reply_id));
        Zustand {
            version: VERSION,
            dienstschluessel,
            vorgaenge: vorgaenge.into_values().collect(),
            antworten,
            gesendet: inner.gesendet.clone(),
            seq: inner.seq,
        }
    }

    /// Puts what the file remembers into a fresh `inner` (the file's service key is taken
    /// by the caller).
    pub fn einspielen(self, inner: &mut Inner) {
        for v in self.vorgaenge {
            if let Some(k) = v.antwortschluessel {
                match k.verschluesselung() {
                    Ok(k) => {
                        inner.reply_keys.insert(v.case_id.clone(), k);
                    }
                    Err(e) => tracing::warn!(
                        "Simulator: Der gespeicherte Antwortschlüssel des Vorgangs {} ist \
                         unbrauchbar ({e}); Antworten in diesem Vorgang werden nicht mehr gelesen.",
                        v.case_id
                    ),
                }
            }
            for e in v.einreichungen {
                inner.submissions.insert(
                    e.submission_id.clone(),
                    Sub {
                        id: e.submission_id,
                        destination_id: v.destination_id.clone(),
                        case_id: v.case_id.clone(),
                        service_type: e.service_type,
                        announced: e.announced,
                        attachments: e.attachments,
                        encrypted_metadata: e.encrypted_metadata,
                        encrypted_data: e.encrypted_data,
                        state: e.zustand,
                        seq: e.seq,
                        tags: e.tags,
                    },
                );
            }
            inner.cases.insert(v.case_id.clone(), v.ereignisse);
            inner.case_destination.insert(v.case_id, v.destination_id);
        }
        for a in self.antworten {
            inner.replies.insert(
                a.reply_id.clone(),
                Reply {
                    id: a.reply_id,
                    case_id: a.case_id,
                    announced: a.announced,
                    attachments: BTreeMap::new(),
                    encrypted_metadata: None,
                    encrypted_data: None,
                    status: a.status,
                },
            );
        }
        inner.gesendet = self.gesendet;
        inner.seq = inner.seq.max(self.seq);
    }
}

/// `pfad` with `endung` appended to its file name (`simulator.json` → `simulator.json.tmp`).
pub(crate) fn mit_endung(pfad: &Path, endung: &str) -> PathBuf {
    let mut name = pfad
        .file_name()
        .map(|n| n.to_os_string())
        .unwrap_or_default();
    name.push(endung);
    pfad.with_file_name(name)
}

/// Writes `inhalt` to `pfad` so that a reader sees the old or the new content, never a part:
/// `*.tmp` beside it, fsync, rename, fsync of the directory (where the OS allows).
pub(crate) fn atomar_schreiben(pfad: &Path, inhalt: &[u8]) -> std::io::Result<()> {
    let ordner = pfad.parent().filter(|p| !p.as_os_str().is_empty());
    if let Some(o) = ordner {
        std::fs::create_dir_all(o)?;
    }
    let tmp = mit_endung(pfad, ".tmp");
    {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(inhalt)?;
        f.sync_all()?;
    }
    std::fs::rename(&tmp, pfad)?;
    #[cfg(unix)]
    if let Some(o) = ordner {
        std::fs::File::open(o)?.sync_all()?;
    }
    Ok(())
}

/// Reads the file at `pfad`. Missing: `None`. Unreadable or damaged: moved to `*.defekt`,
/// a warning in the log, `None`.
pub(crate) fn laden(pfad: &Path) -> Option<Zustand> {
    let text = match std::fs::read(pfad) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return None,
        Err(e) => {
            beiseite(pfad, &e.to_string());
            return None;
        }
    };
    match serde_json::from_slice::<Zustand>(&text) {
        Ok(z) if z.version == VERSION => Some(z),
        Ok(z) => {
            beiseite(pfad, &format!("unbekannte Formatversion {}", z.version));
            None
        }
        Err(e) => {
            beiseite(pfad, &e.to_string());
            None
        }
    }
}

fn beiseite(pfad: &Path, grund: &str) {
    let defekt = mit_endung(pfad, ".defekt");
    match std::fs::rename(pfad, &defekt) {
        Ok(()) => tracing::warn!(
            "Simulator: Die Zustandsdatei {} ist beschädigt ({grund}). Sie wurde als {} \
             aufbewahrt; der Simulator startet ohne die früheren Vorgänge (Antworten auf sie \
             erreichen die simulierten Antragstellenden nicht mehr).",
            pfad.display(),
            defekt.display()
        ),
        Err(e) => tracing::warn!(
            "Simulator: Die Zustandsdatei {} ist beschädigt ({grund}) und ließ sich nicht als \
             {} beiseitelegen ({e}); der Simulator startet ohne die früheren Vorgänge und \
             überschreibt sie bei der nächsten Änderung.",
            pfad.display(),
            defekt.display()
        ),
    }
}

/// Counts of a loaded state, for the log.
pub(crate) fn zusammenfassung(z: &Zustand) -> String {
    let einreichungen: usize = z.vorgaenge.iter().map(|v| v.einreichungen.len()).sum();
    let mit_schluessel = z
        .vorgaenge
        .iter()
        .filter(|v| v.antwortschluessel.is_some())
        .count();
    format!(
        "{} Vorgänge ({mit_schluessel} mit Rückkanal), {einreichungen} Einreichungen, {} Antworten",
        z.vorgaenge.len(),
        z.antworten.len()
    )
}
