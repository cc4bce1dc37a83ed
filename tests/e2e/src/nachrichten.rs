//! Writing to the applicant through the real window: a Nachforderung with two Nachweise goes
//! through the Postausgang to the simulated applicant, who answers with the documents in the
//! same FIT-Connect case (`AMTSSTUBE_DEMO_NACHREICHEN=100:2` in this run); the case returns
//! to „In Prüfung“ with the checklist ticked and the Posteingang marks it „neue Unterlagen“.
//! A case whose applicant gave no reply channel says so and disables sending. axe-core checks
//! the new screens; screenshots land beside the others.

use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use fantoccini::Locator;
use fantoccini::key::Key;

use crate::Session;

/// The Posteingang's cases as (id, Aktenzeichen), from the rows on screen (view „Alle“).
pub(crate) async fn zeilen(s: &Session) -> Result<Vec<(String, String)>> {
    s.client
        .execute(
            "if (!location.hash.startsWith('#/posteingang')) location.hash = '#/posteingang';",
            vec![],
        )
        .await?;
    s.click("[data-testid=ansicht-alle]").await?;
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let v = s
            .client
            .execute(
                "return Array.from(document.querySelectorAll('[data-testid=vorgang-zeile]'))
                   .map((r) => [r.getAttribute('data-id'), r.getAttribute('data-aktenzeichen')]);",
                vec![],
            )
            .await?;
        let rows: Vec<(String, String)> = serde_json::from_value(v)?;
        if rows.len() >= 5 || Instant::now() > deadline {
            return Ok(rows);
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// Opens the case `az` from the Posteingang (view „Alle“), as a click on its Aktenzeichen
/// does.
pub(crate) async fn oeffnen(s: &Session, az: &str) -> Result<()> {
    zeilen(s).await?;
    s.click(&format!(
        "[data-testid=vorgang-zeile][data-aktenzeichen=\"{az}\"] [data-testid=vorgang-oeffnen]"
    ))
    .await?;
    s.wait_text("[data-testid=vorgang-kopf]", az).await?;
    Ok(())
}

/// Waits until `css` matches at least one element.
pub(crate) async fn erscheint(s: &Session, css: &str, max: Duration, was: &str) -> Result<()> {
    let deadline = Instant::now() + max;
    while s.count(css).await? == 0 {
        if Instant::now() > deadline {
            bail!("nach {max:?} nicht erreicht: {was} ({css})");
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    Ok(())
}

/// „Jetzt abrufen“ with its key `r`, as a caseworker presses it (not inside a text field).
async fn abrufen(s: &Session) -> Result<()> {
    s.client
        .execute(
            "if (document.activeElement) document.activeElement.blur();",
            vec![],
        )
        .await?;
    let body = s.client.find(Locator::Css("body")).await?;
    body.send_keys("r").await?;
    Ok(())
}

pub(crate) async fn aktion(s: &Session, name: &str) -> Result<()> {
    if s.count(&format!("[data-testid=aktion-{name}]")).await? > 0 {
        s.click(&format!("[data-testid=aktion-{name}]")).await?;
        tokio::time::sleep(Duration::from_millis(300)).await;
        if s.count("[data-testid=bestaetigen]").await? > 0 {
            s.click("[data-testid=bestaetigen]").await?;
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    Ok(())
}

/// Nachforderung with two Nachweise → Postausgang → zugestellt → the applicant's documents
/// arrive → „In Prüfung“, both ticked, „neue Unterlagen“ in the Posteingang.
pub async fn a_nachforderung_is_answered_and_the_checklist_ticks(s: &Session) -> Result<()> {
    let rows = zeilen(s).await?;
    // From the end of the list: the first cases belong to the earlier scenarios.
    let mut gewaehlt = None;
    let mut ohne_kanal_gesehen = false;
    for (_, az) in rows.iter().rev() {
        oeffnen(s, az).await?;
        s.click("[data-testid=tab-nachrichten]").await?;
        tokio::time::sleep(Duration::from_millis(500)).await;
        if s.count("[data-testid=rueckkanal-hinweis]").await? > 0 {
            if !ohne_kanal_gesehen {
                // The case without a reply channel: it says so, sending is disabled.
                let hinweis = s.text_of("[data-testid=rueckkanal-hinweis]").await?;
                println!("  ohne Rückkanal ({az}): {hinweis}");
                if !hinweis.contains("Rückkanal") {
                    bail!("the case without a reply channel does not say so: {hinweis}");
                }
                s.festhalten("nachrichten-ohne-rueckkanal").await?;
                // It offers the letter: compose, preview, „Als Brief speichern …“ (the
                // system's save dialog that follows is not driven here).
                s.click("[data-testid=nachricht-schreiben]").await?;
                erscheint(
                    s,
                    "[data-testid=nachricht-dialog] [data-testid=nachricht-text]",
                    Duration::from_secs(10),
                    "the composer",
                )
                .await?;
                let text = s
                    .client
                    .find(Locator::Css("[data-testid=nachricht-text]"))
                    .await?;
                text.send_keys("Bitte rufen Sie uns an.").await?;
                s.click("[data-testid=nachricht-vorschau]").await?;
                erscheint(
                    s,
                    "[data-testid=brief-speichern]",
                    Duration::from_secs(10),
                    "„Als Brief speichern …“ in the preview of a case without a reply channel",
                )
                .await?;
                if s.count("[data-testid=nachricht-senden]").await? > 0 {
                    bail!("a case without a reply channel offers Senden");
                }
                let shot = s.screenshot("brief-vorschau").await?;
                println!("  Brief angeboten, screenshot: {}", shot.display());
                s.axe("brief-vorschau").await?;
                s.click("[data-testid=nachricht-abbrechen]").await?;
                ohne_kanal_gesehen = true;
            }
            continue;
        }
        // Its Leistung must offer two Nachweise (the Meldebescheinigung has one).
        aktion(s, "uebernehmen").await?;
        aktion(s, "pruefung_beginnen").await?;
        s.wait_text("[data-testid=vorgang-status]", "In Prüfung")
            .await?;
        s.click("[data-testid=aktion-nachfordern]").await?;
        erscheint(
            s,
            "[data-testid=nachricht-dialog] [data-testid=nachweis-auswahl]",
            Duration::from_secs(10),
            "the Nachforderung dialog with its checklist",
        )
        .await?;
        let boxen = s
            .client
            .find_all(Locator::Css(
                "[data-testid=nachweis-auswahl] input[type=checkbox]",
            ))
            .await?;
        if boxen.len() < 2 {
            s.click("[data-testid=nachricht-abbrechen]").await?;
            continue;
        }
        // Tick the first two Nachweise of the Leistung.
        for b in boxen.iter().take(2) {
            b.click().await?;
        }
        gewaehlt = Some(az.clone());
        break;
    }
    let az = gewaehlt.context(
        "no case with a FIT-Connect reply channel and two possible Nachweise in the Posteingang",
    )?;
    println!("  Nachforderung an {az}");
    // The template follows the choice.
    tokio::time::sleep(Duration::from_millis(800)).await;
    s.festhalten("nachforderung-dialog").await?;
    s.click("[data-testid=nachricht-vorschau]").await?;
    erscheint(
        s,
        "[data-testid=vorschau-nachweise] li",
        Duration::from_secs(10),
        "the preview with the Nachweise",
    )
    .await?;
    let n = s.count("[data-testid=vorschau-nachweise] li").await?;
    if n != 2 {
        bail!("the preview lists {n} Nachweise, expected 2");
    }
    let weg = s.text_of("[data-testid=vorschau-weg]").await?;
    println!("  Vorschau: {weg}");
    let shot = s.screenshot("nachforderung-vorschau").await?;
    println!("  screenshot: {}", shot.display());
    s.click("[data-testid=nachricht-senden]").await?;
    s.wait_text("[data-testid=vorgang-status]", "Wartet auf Unterlagen")
        .await
        .context("after Senden the case waits for documents")?;
    s.click("[data-testid=tab-nachrichten]").await?;
    erscheint(
        s,
        "[data-testid=nachricht][data-art=nachforderung]",
        Duration::from_secs(10),
        "the Nachforderung in the thread",
    )
    .await?;
    // Delivered (the send starts a pass at once), then the applicant answers.
    let deadline = Instant::now() + Duration::from_secs(90);
    loop {
        if s.count("[data-testid=nachricht][data-art=nachforderung][data-zustellung=zugestellt]")
            .await?
            > 0
        {
            break;
        }
        if Instant::now() > deadline {
            let t = s
                .text_of("[data-testid=nachrichten]")
                .await
                .unwrap_or_default();
            bail!("the Nachforderung was not delivered: {t}");
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    println!("  zugestellt");
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let status = s
            .text_of("[data-testid=vorgang-status]")
            .await
            .unwrap_or_default();
        if status.contains("In Prüfung") {
            break;
        }
        if Instant::now() > deadline {
            bail!("the applicant's documents never arrived; status {status}");
        }
        abrufen(s).await?;
        tokio::time::sleep(Duration::from_secs(3)).await;
    }
    s.click("[data-testid=tab-nachrichten]").await?;
    erscheint(
        s,
        "[data-testid=nachricht][data-art=nachreichung]",
        Duration::from_secs(20),
        "the Nachreichung in the thread",
    )
    .await?;
    let offen = s
        .count("[data-testid=nachweis-stand][data-eingegangen=false]")
        .await?;
    let da = s
        .count("[data-testid=nachweis-stand][data-eingegangen=true]")
        .await?;
    if (da, offen) != (2, 0) {
        bail!("the checklist shows {da} received and {offen} open, expected 2 and 0");
    }
    let shot = s.screenshot("nachforderung-beantwortet").await?;
    println!("  screenshot: {}", shot.display());
    s.axe("nachrichten-beantwortet").await?;
    // The Posteingang marks the case until it is opened again.
    s.keys(&Key::Escape.to_string()).await?;
    zeilen(s).await?;
    let zeile = s
        .text_of(&format!(
            "[data-testid=vorgang-zeile][data-aktenzeichen=\"{az}\"]"
        ))
        .await?;
    if !zeile.contains("neue Unterlagen") {
        bail!("the Posteingang does not mark {az} „neue Unterlagen“: {zeile}");
    }
    let shot = s.screenshot("posteingang-neue-unterlagen").await?;
    println!("  screenshot: {}", shot.display());
    Ok(())
}
