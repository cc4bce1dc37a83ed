//! Deciding a case through the real window, with two logins (Demo-Modus: the environment
//! chooses who acts; each login is its own start of the app on the same profile).
//!
//! 1. The caseworker (main session; roles Sachbearbeitung and Zeichnungsbefugt) takes a case
//!    with a reply channel, drafts the Bescheid in the Entscheidung tab (prefilled; the
//!    preview shows the engine's pages), saves and submits it; their own „Freigeben“ is
//!    refused by the app with the Vier-Augen-Prinzip. Screenshots: editor with preview.
//! 2. A second login with Zeichnungsbefugnis (session „freigabe“) finds it in „Zur Freigabe“,
//!    approves it; the case is „Beschieden“; the sealed PDF reaches the simulated applicant
//!    (decrypted in the demo Postfach) and poppler's `pdfsig` (NSS database with the demo
//!    root) and pyHanko validate it against the demo seal's root. Screenshot: approval.
//!
//! axe-core checks each screen.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use fantoccini::Locator;

use crate::Session;
use crate::nachrichten::{aktion, erscheint};

/// The Aktenzeichen the first login submitted, for the second.
static VORGELEGT: Mutex<Option<String>> = Mutex::new(None);

/// The Aktenzeichen of the case the decision scenarios submitted (and the second approved).
pub(crate) fn vorgelegt() -> Option<String> {
    VORGELEGT.lock().ok().and_then(|v| v.clone())
}

pub(crate) async fn zeilen(s: &Session, ansicht: &str) -> Result<Vec<(String, String)>> {
    s.client
        .execute(
            "if (!location.hash.startsWith('#/posteingang')) location.hash = '#/posteingang';",
            vec![],
        )
        .await?;
    s.click(&format!("[data-testid=ansicht-{ansicht}]")).await?;
    tokio::time::sleep(Duration::from_millis(800)).await;
    let v = s
        .client
        .execute(
            "return Array.from(document.querySelectorAll('[data-testid=vorgang-zeile]'))
               .map((r) => [r.getAttribute('data-id'), r.getAttribute('data-aktenzeichen')]);",
            vec![],
        )
        .await?;
    Ok(serde_json::from_value(v)?)
}

pub(crate) async fn oeffnen(s: &Session, ansicht: &str, az: &str) -> Result<()> {
    zeilen(s, ansicht).await?;
    s.click(&format!(
        "[data-testid=vorgang-zeile][data-aktenzeichen=\"{az}\"] [data-testid=vorgang-oeffnen]"
    ))
    .await?;
    s.wait_text("[data-testid=vorgang-kopf]", az).await?;
    Ok(())
}

async fn entscheidung_oeffnen(s: &Session) -> Result<()> {
    s.click("[data-testid=tab-entscheidung]").await?;
    erscheint(
        s,
        "[data-testid=vorschau-seite]",
        Duration::from_secs(20),
        "the preview pages of the draft",
    )
    .await
}

/// A case still „Neu“ with a reply channel (other than `ausser`), opened; from the end of the
/// list, whose first cases belong to earlier scenarios. The list may still show a case that
/// changed meanwhile, so the case view's status is what counts.
async fn neu_mit_rueckkanal(s: &Session, ausser: Option<&str>) -> Result<String> {
    for (_, az) in zeilen(s, "neu").await?.iter().rev() {
        if ausser == Some(az.as_str()) {
            continue;
        }
        oeffnen(s, "neu", az).await?;
        if !s
            .text_of("[data-testid=vorgang-status]")
            .await?
            .contains("Neu")
        {
            continue;
        }
        s.click("[data-testid=tab-nachrichten]").await?;
        tokio::time::sleep(Duration::from_millis(500)).await;
        if s.count("[data-testid=rueckkanal-hinweis]").await? == 0 {
            return Ok(az.clone());
        }
    }
    bail!("no case „Neu“ with a reply channel left")
}

/// The first login drafts, previews, saves, submits; its own approval is refused.
pub async fn the_author_drafts_submits_and_cannot_approve_it(s: &Session) -> Result<()> {
    let az = neu_mit_rueckkanal(s, None).await?;
    println!("  Entscheidung zu {az}");
    aktion(s, "uebernehmen").await?;
    aktion(s, "pruefung_beginnen").await?;
    s.wait_text("[data-testid=vorgang-status]", "In Prüfung")
        .await?;
    entscheidung_oeffnen(s).await?;
    let tenor = s.text_of("[data-testid=entwurf-tenor]").await?;
    let seiten = s.count("[data-testid=vorschau-seite]").await?;
    println!(
        "  Vorschlag: Tenor {} Zeichen, Vorschau {seiten} Seite(n)",
        tenor.len()
    );
    // Edit the Begründung: the preview is set again.
    let begruendung = s
        .client
        .find(Locator::Css("[data-testid=entwurf-begruendung]"))
        .await?;
    begruendung
        .send_keys(" Die Angaben im Antrag wurden geprüft und sind vollständig.")
        .await?;
    tokio::time::sleep(Duration::from_millis(1200)).await;
    if s.count("[data-testid=vorschau-fehler]").await? > 0 {
        bail!(
            "the preview says the draft cannot be set: {}",
            s.text_of("[data-testid=vorschau-fehler]").await?
        );
    }
    let shot = s.screenshot("entscheidung-editor").await?;
    println!("  screenshot: {}", shot.display());
    s.client
        .execute(
            "document.querySelector('[data-testid=bescheid-vorschau]').scrollIntoView();",
            vec![],
        )
        .await?;
    let shot = s.screenshot("entscheidung-vorschau").await?;
    println!("  screenshot: {}", shot.display());
    s.axe("entscheidung-editor").await?;

    s.click("[data-testid=entwurf-speichern]").await?;
    s.wait_text("[data-testid=entscheidung-meldung]", "Fassung 1")
        .await?;
    s.click("[data-testid=entwurf-vorlegen]").await?;
    s.wait_text("[data-testid=vorgang-status]", "Entscheidung in Freigabe")
        .await?;
    // The author's own approval: the app refuses it and says why.
    erscheint(
        s,
        "[data-testid=entwurf-freigeben]:not([disabled])",
        Duration::from_secs(10),
        "the Freigeben button in approval",
    )
    .await?;
    s.click("[data-testid=entwurf-freigeben]").await?;
    let fehler = s
        .wait_text(
            "[data-testid=entscheidung] [data-testid=fehler]",
            "Vier-Augen",
        )
        .await?;
    println!("  eigene Freigabe abgelehnt: {}", fehler.trim());
    if s.count("[data-testid=bescheid-info]").await? > 0 {
        bail!("the author's approval produced a Bescheid");
    }
    let status = s.text_of("[data-testid=vorgang-status]").await?;
    if !status.contains("Entscheidung in Freigabe") {
        bail!("after the refused approval the status is {status:?}");
    }
    let shot = s
        .screenshot("entscheidung-eigene-freigabe-abgelehnt")
        .await?;
    println!("  screenshot: {}", shot.display());
    s.axe("entscheidung-vorgelegt").await?;
    *VORGELEGT.lock().map_err(|_| anyhow::anyhow!("lock"))? = Some(az);
    Ok(())
}

fn ausfuehren(programm: &str, args: &[&str]) -> Result<String> {
    let o = Command::new(programm)
        .args(args)
        .output()
        .with_context(|| format!("{programm} is not installed"))?;
    Ok(format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    ))
}

/// pdfsig with the demo root in a fresh NSS database; pyHanko with it as trust anchor.
fn validieren(pdf: &Path, wurzel: &Path, arbeit: &Path) -> Result<()> {
    let nss = arbeit.join("nssdb");
    std::fs::create_dir_all(&nss)?;
    let db = format!("sql:{}", nss.display());
    ausfuehren("certutil", &["-N", "-d", &db, "--empty-password"])?;
    let w = wurzel.to_str().context("path")?;
    ausfuehren(
        "certutil",
        &[
            "-A",
            "-d",
            &db,
            "-n",
            "Demo-Wurzel",
            "-t",
            "CT,C,C",
            "-i",
            w,
        ],
    )?;
    let p = pdf.to_str().context("path")?;
    let aus = ausfuehren("pdfsig", &["-nssdir", &db, p])?;
    println!(
        "  pdfsig: {}",
        aus.lines()
            .filter(|l| l.contains("Validation") || l.contains("signed"))
            .collect::<Vec<_>>()
            .join(" | ")
    );
    if !(aus.contains("Signature is Valid") && aus.contains("Certificate is Trusted")) {
        bail!("pdfsig does not accept the Bescheid:\n{aus}");
    }
    let aus = ausfuehren(
        "pyhanko",
        &[
            "sign",
            "validate",
            "--pretty-print",
            "--trust-replace",
            "--trust",
            w,
            p,
        ],
    )?;
    if !aus.contains("The signature is judged VALID") {
        bail!("pyHanko does not accept the Bescheid:\n{aus}");
    }
    println!("  pyHanko: The signature is judged VALID");
    Ok(())
}

fn pdf_im_postfach(profil: &Path) -> Option<PathBuf> {
    fn suchen(d: &Path, out: &mut Vec<PathBuf>) {
        if let Ok(es) = std::fs::read_dir(d) {
            for e in es.flatten() {
                let p = e.path();
                if p.is_dir() {
                    suchen(&p, out);
                } else if p.extension().is_some_and(|x| x == "pdf")
                    && p.file_name()
                        .is_some_and(|n| n.to_string_lossy().starts_with("Bescheid"))
                {
                    out.push(p);
                }
            }
        }
    }
    let mut out = Vec::new();
    suchen(&profil.join("demo").join("postfach"), &mut out);
    out.into_iter().next()
}

/// The second login approves; the sealed PDF reaches the applicant and validates.
pub async fn a_second_login_approves_and_the_applicant_gets_a_valid_seal(
    s: &Session,
) -> Result<()> {
    let az = VORGELEGT
        .lock()
        .map_err(|_| anyhow::anyhow!("lock"))?
        .clone()
        .context("the first login submitted no draft (its scenario failed)")?;
    let zur_freigabe = zeilen(s, "zur_freigabe").await?;
    if !zur_freigabe.iter().any(|(_, a)| *a == az) {
        bail!("„Zur Freigabe“ does not list {az}: {zur_freigabe:?}");
    }
    s.festhalten("zur-freigabe").await?;
    oeffnen(s, "zur_freigabe", &az).await?;
    entscheidung_oeffnen(s).await?;
    s.festhalten("freigabe").await?;
    s.click("[data-testid=entwurf-freigeben]").await?;
    erscheint(
        s,
        "[data-testid=freigabe-bestaetigen]",
        Duration::from_secs(10),
        "the confirmation of the approval",
    )
    .await?;
    s.click("[data-testid=freigabe-bestaetigen]").await?;
    let info = s
        .wait_text("[data-testid=bescheid-info]", "freigegeben von")
        .await?;
    println!(
        "  {}",
        info.split_whitespace().collect::<Vec<_>>().join(" ")
    );
    s.wait_text("[data-testid=vorgang-status]", "Beschieden")
        .await?;
    s.festhalten("beschieden").await?;

    // The applicant receives it (the outbox is sent by the sync; the simulated applicant
    // decrypts it into the demo Postfach).
    let deadline = Instant::now() + Duration::from_secs(60);
    let pdf = loop {
        if let Some(p) = pdf_im_postfach(&s.profile_dir) {
            break p;
        }
        if Instant::now() > deadline {
            bail!("the sealed Bescheid did not reach the simulated applicant within 60 s");
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    };
    println!("  beim Antragsteller: {}", pdf.display());
    let ziel = s.artifacts.join("bescheid-beim-antragsteller.pdf");
    std::fs::copy(&pdf, &ziel)?;
    let wurzel = s.profile_dir.join("demo").join("siegel").join("wurzel.pem");
    let arbeit = tempfile::tempdir()?;
    validieren(&pdf, &wurzel, arbeit.path())?;
    Ok(())
}

/// „Antrag zurückweisen“ with its reasons reaches the simulated applicant: the message with
/// the letter arrives decrypted in the demo Postfach.
pub async fn a_zurueckweisung_reaches_the_applicant(s: &Session) -> Result<()> {
    let vorgelegt = VORGELEGT
        .lock()
        .map_err(|_| anyhow::anyhow!("lock"))?
        .clone();
    let az = neu_mit_rueckkanal(s, vorgelegt.as_deref()).await?;
    println!("  Zurückweisung von {az}");
    aktion(s, "uebernehmen").await?;
    s.click("[data-testid=aktion-zurueckweisen]").await?;
    erscheint(
        s,
        "[data-testid=eingabe-begruendung]",
        Duration::from_secs(10),
        "the dialog asking for the reasons",
    )
    .await?;
    let feld = s
        .client
        .find(Locator::Css("[data-testid=eingabe-begruendung]"))
        .await?;
    feld.send_keys("Es fehlt die Unterschrift des Antragstellers.")
        .await?;
    s.festhalten("zurueckweisung-dialog").await?;
    s.click("[data-testid=bestaetigen]").await?;
    s.wait_text("[data-testid=vorgang-status]", "Zurückgewiesen")
        .await?;
    s.click("[data-testid=tab-nachrichten]").await?;
    s.wait_text(".tabpanel:not([hidden])", "Zurückweisung")
        .await?;
    let deadline = Instant::now() + Duration::from_secs(60);
    let brief = loop {
        let mut gefunden = None;
        if let Ok(es) = std::fs::read_dir(s.profile_dir.join("demo").join("postfach")) {
            for fall in es.flatten() {
                for antwort in std::fs::read_dir(fall.path())
                    .into_iter()
                    .flatten()
                    .flatten()
                {
                    for datei in std::fs::read_dir(antwort.path())
                        .into_iter()
                        .flatten()
                        .flatten()
                    {
                        let n = datei.file_name().to_string_lossy().into_owned();
                        if n.starts_with("Zurückweisung") && n.contains(&az.replace('/', "-")) {
                            gefunden = Some(datei.path());
                        }
                    }
                }
            }
        }
        if let Some(p) = gefunden {
            break p;
        }
        if Instant::now() > deadline {
            bail!("the Zurückweisung of {az} did not reach the simulated applicant within 60 s");
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    };
    let daten = std::fs::read_to_string(brief.with_file_name("daten.json"))?;
    if !daten.contains("Unterschrift") {
        bail!("the applicant's message lacks the reasons: {daten}");
    }
    println!("  beim Antragsteller: {}", brief.display());
    s.festhalten("zurueckgewiesen").await?;
    Ok(())
}
