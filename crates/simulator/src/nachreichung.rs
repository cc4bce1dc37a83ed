//! Simulated applicants who answer a Nachforderung (Demo-Modus and tests).
//!
//! When the simulated applicant reads a reply whose data says `"art": "nachforderung"` and
//! lists `nachweise` (see `sync::antwort`), the reply route notes it here. With
//! [`Nachreichen`](crate::Nachreichen) configured, most applicants answer after the
//! configured delay with a follow-up submission in the same FIT-Connect case: one PDF per
//! requested Nachweis, its `description` the Nachweis's id, so the receiving case can tick
//! it off. Which applicants answer is fixed per case (a hash of the case id), so a demo run
//! always shows some that never do.
//!
//! To extend: a partial answer (only some Nachweise) is a second share next to
//! `anteil_prozent`.

use std::sync::Arc;
use std::time::Duration;

use crate::server::AppState;
use crate::{Nachreichen, SimError, SimInfo, applicant};

/// A Nachforderung the applicant read: the case and the requested Nachweise (id, name).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeleseneNachforderung {
    /// FIT-Connect case.
    pub case_id: String,
    /// Requested Nachweise (id, name).
    pub nachweise: Vec<(String, String)>,
}

/// The Nachweise of a reply's decrypted data, if it is a Nachforderung.
pub(crate) fn aus_antwortdaten(case_id: &str, daten: &[u8]) -> Option<GeleseneNachforderung> {
    let v: serde_json::Value = serde_json::from_slice(daten).ok()?;
    if v.get("art").and_then(|a| a.as_str()) != Some("nachforderung") {
        return None;
    }
    let nachweise: Vec<(String, String)> = v
        .get("nachweise")?
        .as_array()?
        .iter()
        .filter_map(|n| {
            Some((
                n.get("id")?.as_str()?.to_owned(),
                n.get("bezeichnung")
                    .and_then(|b| b.as_str())
                    .unwrap_or_default()
                    .to_owned(),
            ))
        })
        .collect();
    (!nachweise.is_empty()).then(|| GeleseneNachforderung {
        case_id: case_id.to_owned(),
        nachweise,
    })
}

/// Whether the applicant of `case_id` answers (`anteil_prozent` of all cases do).
pub fn antwortet(case_id: &str, anteil_prozent: u8) -> bool {
    // FNV-1a: stable across runs and platforms.
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in case_id.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    (h % 100) < u64::from(anteil_prozent)
}

/// Sends the follow-up for `n`: the Nachweise as PDFs in the same case.
async fn senden(info: &SimInfo, n: &GeleseneNachforderung, nr: u64) -> Result<(), SimError> {
    let client = info.sender_client()?;
    let key = client.current_encryption_key(&info.destination_id).await?;
    let mut app = tokio::task::spawn_blocking(move || applicant::application(0x4E41_4348, nr))
        .await
        .map_err(|e| SimError::Key(fitconnect::jose::JoseError::Crypto(e.to_string())))??;
    app.outgoing.reply_key = None;
    app.outgoing.attachments = n
        .nachweise
        .iter()
        .map(|(id, bezeichnung)| fitconnect::sender::OutgoingAttachment {
            description: Some(id.clone()),
            content: crate::documents::pdf(
                bezeichnung,
                &[format!("Nachweis: {bezeichnung}")],
                4000,
            ),
            ..applicant::pdf_anlage(uuid::Uuid::new_v4().to_string(), id, 0)
        })
        .collect();
    let mut sealed = fitconnect::sender::seal(&info.destination_id, &key, &app.outgoing)?;
    sealed.create.case_id = Some(n.case_id.clone());
    client.send_sealed(&sealed).await?;
    Ok(())
}

/// Runs while the simulator runs: answers each Nachforderung read (see the module doc).
pub(crate) async fn nachreichen_lassen(state: Arc<AppState>, info: SimInfo, cfg: Nachreichen) {
    let mut nr: u64 = 0;
    loop {
        let gemeldet = state.nachforderung_gelesen.notified();
        let neu: Vec<GeleseneNachforderung> = std::mem::take(&mut *state.lock_nachforderungen());
        if neu.is_empty() {
            gemeldet.await;
            continue;
        }
        for n in neu {
            if !antwortet(&n.case_id, cfg.anteil_prozent) {
                tracing::info!(
                    "Simulierte antragstellende Person von {} antwortet nicht",
                    n.case_id
                );
                continue;
            }
            nr += 1;
            let info = info.clone();
            let verzoegerung = cfg.verzoegerung;
            tokio::spawn(async move {
                tokio::time::sleep(verzoegerung).await;
                // Like a real Onlinedienst: a few tries when the service is unavailable.
                for versuch in 0..5u32 {
                    match senden(&info, &n, nr).await {
                        Ok(()) => return,
                        Err(e) => {
                            tracing::warn!(
                                "Nachreichung für {} (Versuch {versuch}): {e}",
                                n.case_id
                            );
                            tokio::time::sleep(Duration::from_secs(1)).await;
                        }
                    }
                }
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_nachforderung_with_nachweise_is_answered() {
        let d = br#"{"art":"nachforderung","nachweise":[{"id":"chip","bezeichnung":"Chip"}],"text":"x"}"#;
        assert_eq!(
            aus_antwortdaten("c1", d),
            Some(GeleseneNachforderung {
                case_id: "c1".into(),
                nachweise: vec![("chip".into(), "Chip".into())],
            })
        );
        assert_eq!(
            aus_antwortdaten("c1", br#"{"art":"nachricht","text":"x"}"#),
            None
        );
        assert_eq!(
            aus_antwortdaten("c1", br#"{"art":"nachforderung","nachweise":[]}"#),
            None
        );
        assert_eq!(aus_antwortdaten("c1", b"kein json"), None);
    }

    #[test]
    fn the_share_of_answering_applicants_is_roughly_the_configured_one_and_stable() {
        let ja = (0..1000)
            .filter(|i| antwortet(&format!("case-{i}"), 80))
            .count();
        assert!((700..=900).contains(&ja), "{ja}");
        assert_eq!(antwortet("case-7", 80), antwortet("case-7", 80));
        assert!((0..100).all(|i| antwortet(&format!("c{i}"), 100)));
        assert!((0..100).all(|i| !antwortet(&format!("c{i}"), 0)));
    }
}
