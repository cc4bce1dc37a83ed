//! Handing the decided case to the E-Akte through the real window (issue 17). Runs as the
//! caseworker again (session „abgabe“, same profile as the decision), in Demo-Modus: the
//! built-in stand-in E-Akte watches `<profile>/demo/eakte/abgabe`, validates each message with
//! xmllint against the xdomea XSDs and answers 0629/0630 into `…/rueckgabe`.
//!
//! 1. The Bescheid case from the decision scenarios is listed in „Abgabe offen“; an internal
//!    note with a unique marker is added; „An E-Akte abgeben …“ lists what goes (screenshot),
//!    „Abgeben“ hands it over.
//! 2. The stand-in confirms: the case shows „Zu den Akten“ with the E-Akte's reference
//!    (screenshot).
//! 3. After the grace period (`AMTSSTUBE_DEMO_EAKTE_KARENZ`) the case is a tombstone
//!    (screenshot); once the app is closed, [`marker_scan`] decrypts the database into memory
//!    and finds the tombstone's Aktenzeichen and a control note on another case, but not the
//!    marker, and the case's attachment files are gone.

use std::sync::Mutex;
use std::time::Duration;

use anyhow::{Context, Result, bail};

use crate::Session;
use crate::nachrichten::erscheint;

/// The grace period the e2e app runs with.
pub const KARENZ: &str = "15 Sekunden";

/// (Aktenzeichen, marker, SHA-512 of the case's attachments) for the scan after the session.
static ABGEGEBEN: Mutex<Option<(String, String, Vec<String>)>> = Mutex::new(None);
/// The marker of the control note on a case that is not handed over.
static KONTROLLE: Mutex<Option<String>> = Mutex::new(None);

/// The case handed over, its confirmation and its purge, through the window.
pub async fn the_decided_case_goes_to_the_e_akte_and_only_its_tombstone_stays(
    s: &Session,
) -> Result<()> {
    let az = crate::entscheidung::vorgelegt()
        .context("the decision scenarios approved no case (they failed)")?;
    // A control: the same kind of note on a case that stays, which the scan must find.
    let neu = crate::entscheidung::zeilen(s, "neu").await?;
    let (_, anderer) = neu
        .last()
        .context("no case „Neu“ left for the control note")?
        .clone();
    crate::entscheidung::oeffnen(s, "neu", &anderer).await?;
    s.click("[data-testid=tab-notizen]").await?;
    let kontrolle = format!("E2E-Kontrolle-{}", std::process::id());
    s.client
        .find(fantoccini::Locator::Css("[data-testid=notiz-text]"))
        .await
        .context("the note field")?
        .send_keys(&kontrolle)
        .await?;
    s.click("[data-testid=notiz-hinzufuegen]").await?;
    s.wait_text("[data-testid=notizen]", &kontrolle).await?;
    *KONTROLLE.lock().map_err(|_| anyhow::anyhow!("lock"))? = Some(kontrolle);

    let offen = crate::entscheidung::zeilen(s, "abgabe_offen").await?;
    if !offen.iter().any(|(_, a)| *a == az) {
        bail!("„Abgabe offen“ does not list {az}: {offen:?}");
    }
    crate::entscheidung::oeffnen(s, "abgabe_offen", &az).await?;
    s.click("[data-testid=tab-anlagen]").await?;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let anlagen: Vec<String> = serde_json::from_value(
        s.client
            .execute(
                "return Array.from(document.querySelectorAll('[data-sha512]'))
                   .map((e) => e.getAttribute('data-sha512'));",
                vec![],
            )
            .await?,
    )
    .unwrap_or_default();

    // A note with a marker: part of the case, so it must go with the purge.
    let marker = format!("E2E-Marker-{}", std::process::id());
    s.click("[data-testid=tab-notizen]").await?;
    let feld = s
        .client
        .find(fantoccini::Locator::Css("[data-testid=notiz-text]"))
        .await
        .context("the note field")?;
    feld.send_keys(&format!("Rückruf vereinbart {marker}"))
        .await?;
    s.click("[data-testid=notiz-hinzufuegen]").await?;
    s.wait_text("[data-testid=notizen]", &marker).await?;
    *ABGEGEBEN.lock().map_err(|_| anyhow::anyhow!("lock"))? = Some((az.clone(), marker, anlagen));

    s.click("[data-testid=eakte-abgabe-oeffnen]").await?;
    erscheint(
        s,
        "[data-testid=eakte-dokument]",
        Duration::from_secs(20),
        "the documents the hand-over lists",
    )
    .await?;
    let liste = s.text_of("[data-testid=eakte-dialog]").await?;
    for erwartet in ["Bescheid", "Antrag", "Bearbeitungsprotokoll"] {
        if !liste.contains(erwartet) {
            bail!("the hand-over dialog does not list „{erwartet}“: {liste}");
        }
    }
    s.festhalten("eakte-abgeben").await?;
    s.click("[data-testid=eakte-dialog] [data-testid=eakte-abgeben]")
        .await?;
    // The dialog closes and the case shows its hand-over (the message above may already be
    // gone: the background delivery changes the case at once).
    erscheint(
        s,
        "[data-testid=eakte-zustand]",
        Duration::from_secs(20),
        "the hand-over's state in the case header",
    )
    .await?;

    // The stand-in confirms.
    let frist = std::time::Instant::now() + Duration::from_secs(90);
    loop {
        let t = s
            .text_of("[data-testid=eakte-zustand]")
            .await
            .unwrap_or_default();
        if t.contains("Zu den Akten") {
            break;
        }
        if std::time::Instant::now() > frist {
            bail!("no „Zu den Akten“ within 90 s (shown: {t:?})");
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
        // The case view refreshes on its own; a re-open makes sure.
        crate::entscheidung::oeffnen(s, "alle", &az).await.ok();
    }
    let block = s.text_of("[data-testid=eakte-block]").await?;
    println!(
        "  {}",
        block.split_whitespace().collect::<Vec<_>>().join(" ")
    );
    if !block.contains("EAKTE-") {
        bail!("the E-Akte's reference is not shown: {block}");
    }
    s.festhalten("eakte-zu-den-akten").await?;

    // After the grace period: the tombstone.
    let frist = std::time::Instant::now() + Duration::from_secs(90);
    loop {
        crate::entscheidung::oeffnen(s, "alle", &az).await.ok();
        if s.count("[data-testid=eakte-geloescht]").await? > 0 {
            break;
        }
        if std::time::Instant::now() > frist {
            bail!("the local copy was not deleted within 90 s after „Zu den Akten“");
        }
        tokio::time::sleep(Duration::from_secs(2)).await;
    }
    s.festhalten("eakte-grabstein").await?;
    Ok(())
}

/// After the app closed: the decrypted database holds the tombstone but not the marker, and
/// the attachment files of the case are gone.
pub fn marker_scan(profil: &std::path::Path) -> Result<()> {
    let (az, marker, anlagen) = ABGEGEBEN
        .lock()
        .map_err(|_| anyhow::anyhow!("lock"))?
        .clone()
        .context("the hand-over scenario did not get as far as the note")?;
    let kontrolle = KONTROLLE
        .lock()
        .map_err(|_| anyhow::anyhow!("lock"))?
        .clone()
        .context("no control note")?;
    let quelle = store::Schluesselquelle::fuer_profil(profil);
    let st = store::Store::open_profil(profil, &quelle).context("opening the profile's store")?;
    if !st.klartext_finden(&kontrolle)? {
        bail!("the scan does not find the control note {kontrolle} of a case that stays");
    }
    if !st.klartext_finden(&az)? {
        bail!("the tombstone's Aktenzeichen {az} is not in the decrypted database");
    }
    if st.klartext_finden(&marker)? {
        bail!("the marker {marker} of the purged case is still in the decrypted database");
    }
    for sha in &anlagen {
        if profil.join(store::ANLAGEN_ORDNER).join(sha).exists() {
            bail!("the attachment file {sha} of the purged case is still there");
        }
    }
    if !st.read(|r| r.audit_pruefen())?.intakt() {
        bail!("the audit chain is broken after the purge");
    }
    println!(
        "  Markersuche: {kontrolle} gefunden (Kontrolle), {az} vorhanden (Grabstein), {marker} nicht gefunden, {} Anlagen-Dateien entfernt",
        anlagen.len()
    );
    Ok(())
}
