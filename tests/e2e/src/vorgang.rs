//! The caseworker's path through the real app: applications arrive from the Demo-Modus
//! simulator, the Posteingang lists them, a case opens with its labelled form data and
//! attachments, a PDF previews inside the app, the case is taken over and put into review,
//! and after a restart everything is still there. axe-core checks every screen.

use std::time::{Duration, Instant};

use anyhow::{Context, Result, anyhow, bail};
use fantoccini::Locator;
use fantoccini::key::Key;
use serde_json::Value;

use crate::Session;

/// Applications the simulator delivers in these scenarios (`AMTSSTUBE_DEMO_ANTRAEGE`).
pub const ANTRAEGE: usize = 20;

impl Session {
    /// Number of elements matching `css`.
    pub async fn count(&self, css: &str) -> Result<usize> {
        Ok(self.client.find_all(Locator::Css(css)).await?.len())
    }

    /// Waits until at least one element matches `css` and clicks it as a user would.
    pub async fn click(&self, css: &str) -> Result<()> {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            match self.client.find(Locator::Css(css)).await {
                Ok(el) => {
                    return el.click().await.with_context(|| format!("clicking {css}"));
                }
                Err(_) if Instant::now() < deadline => {
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                Err(e) => bail!("{css} never appeared: {e}"),
            }
        }
    }

    /// Sends keys to whatever has the focus (keyboard-only use).
    pub async fn keys(&self, keys: &str) -> Result<()> {
        let el = self.client.active_element().await?;
        el.send_keys(keys).await?;
        Ok(())
    }

    /// The `data-testid` of the focused element, or its tag name.
    pub async fn focused(&self) -> Result<String> {
        let v = self
            .client
            .execute(
                "const a = document.activeElement;
                 return a ? (a.getAttribute('data-testid') || a.tagName.toLowerCase()) : '';",
                vec![],
            )
            .await?;
        Ok(v.as_str().unwrap_or_default().to_owned())
    }

    /// A screenshot of the screen `name` (its path printed) and the axe check of it.
    pub async fn festhalten(&self, name: &str) -> Result<()> {
        let shot = self.screenshot(name).await?;
        println!("  screenshot: {}", shot.display());
        self.axe(name).await
    }

    /// Runs axe-core (WCAG 2.1 A/AA rules) on the current screen; fails on any serious or
    /// critical violation and saves the full result as an artefact.
    pub async fn axe(&self, screen: &str) -> Result<()> {
        let source = std::fs::read_to_string(&self.axe_source).with_context(|| {
            format!(
                "{} fehlt: axe-core ist eine devDependency der UI (npm ci in ui/)",
                self.axe_source.display()
            )
        })?;
        let script = format!(
            "{source}\n;const done = arguments[arguments.length - 1];
             window.axe.run(document, {{ runOnly: {{ type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] }} }})
               .then((r) => done(JSON.stringify(r.violations.map((v) => ({{ id: v.id, impact: v.impact,
                  help: v.help, nodes: v.nodes.map((n) => n.target.join(' ')).slice(0, 5) }})))))
               .catch((e) => done(JSON.stringify({{ error: String(e) }})));"
        );
        let out = self.client.execute_async(&script, vec![]).await?;
        let text = out.as_str().unwrap_or("[]").to_owned();
        std::fs::write(self.artifacts.join(format!("axe-{screen}.json")), &text)?;
        let parsed: Value = serde_json::from_str(&text)?;
        if let Some(err) = parsed.get("error") {
            bail!("axe-core lief nicht: {err}");
        }
        let bad: Vec<&Value> = parsed
            .as_array()
            .map(|a| {
                a.iter()
                    .filter(|v| matches!(v["impact"].as_str(), Some("serious" | "critical")))
                    .collect()
            })
            .unwrap_or_default();
        println!(
            "  axe {screen}: {} violations, {} serious/critical",
            parsed.as_array().map_or(0, Vec::len),
            bad.len()
        );
        if !bad.is_empty() {
            bail!(
                "axe-core: {} serious/critical violations on {screen}: {}",
                bad.len(),
                serde_json::to_string(&bad)?
            );
        }
        Ok(())
    }

    /// All Aktenzeichen the virtualised queue shows, scrolling it from top to bottom.
    async fn all_rows(&self) -> Result<Vec<String>> {
        let v = self
            .client
            .execute_async(
                "const done = arguments[arguments.length - 1];
                 const box = document.querySelector('[data-testid=posteingang]');
                 if (!box) { done(null); return; }
                 const seen = new Set();
                 const collect = () => document.querySelectorAll('[data-testid=vorgang-zeile]')
                   .forEach((r) => seen.add(r.getAttribute('data-aktenzeichen')));
                 const scroller = [box, ...box.querySelectorAll('*')].find((e) => e.scrollHeight > e.clientHeight + 2
                   && getComputedStyle(e).overflowY !== 'visible') || box;
                 scroller.scrollTop = 0;
                 let steps = 0;
                 const step = () => {
                   collect();
                   if (scroller.scrollTop + scroller.clientHeight >= scroller.scrollHeight - 2 || steps++ > 200) {
                     scroller.scrollTop = 0;
                     setTimeout(() => { done(Array.from(seen)); }, 300);
                     return;
                   }
                   scroller.scrollTop += Math.max(40, scroller.clientHeight / 2);
                   setTimeout(step, 250);
                 };
                 setTimeout(step, 100);",
                vec![],
            )
            .await?;
        let rows = v
            .as_array()
            .ok_or_else(|| anyhow!("no [data-testid=posteingang] on screen"))?;
        Ok(rows
            .iter()
            .filter_map(|r| r.as_str().map(str::to_owned))
            .collect())
    }

    /// Waits until the queue holds exactly `n` cases (they arrive from the simulator).
    pub async fn wait_queue(&self, n: usize) -> Result<Vec<String>> {
        let deadline = Instant::now() + Duration::from_secs(90);
        let mut last = Vec::new();
        while Instant::now() < deadline {
            let tab = self
                .text_of("[data-testid=ansicht-alle]")
                .await
                .unwrap_or_default();
            if tab.contains(&n.to_string()) {
                last = self.all_rows().await.unwrap_or_default();
                if last.len() == n {
                    return Ok(last);
                }
            }
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
        bail!("the queue never showed {n} cases; last saw {}", last.len())
    }

    /// Text content (whitespace collapsed) of the first element matching `css`, shadow trees
    /// included.
    pub async fn text_of(&self, css: &str) -> Result<String> {
        self.shadow_text(css).await
    }
}

/// Back to the Posteingang (from wherever the previous scenario left the window), view "Alle".
async fn open_alle(s: &Session) -> Result<()> {
    s.client
        .execute(
            "if (!location.hash.startsWith('#/posteingang')) location.hash = '#/posteingang';",
            vec![],
        )
        .await?;
    s.click("[data-testid=ansicht-alle]").await
}

/// 20 applications arrive → the queue shows 20 (scrolling the virtualised table).
pub async fn twenty_applications_arrive(s: &Session) -> Result<()> {
    open_alle(s).await?;
    let rows = s.wait_queue(ANTRAEGE).await?;
    let unique: std::collections::BTreeSet<&String> = rows.iter().collect();
    if unique.len() != ANTRAEGE {
        bail!("duplicate Aktenzeichen in the queue: {rows:?}");
    }
    s.wait_text("[data-testid=sync-status]", "").await?;
    let shot = s.screenshot("posteingang").await?;
    println!("  {} Vorgänge, screenshot: {}", rows.len(), shot.display());
    s.axe("posteingang").await
}

/// The search field uses the store's full-text search: an Aktenzeichen finds its case.
pub async fn the_search_field_finds_a_case(s: &Session) -> Result<()> {
    open_alle(s).await?;
    let rows = s.wait_queue(ANTRAEGE).await?;
    let gesucht = rows
        .last()
        .cloned()
        .ok_or_else(|| anyhow!("no case to search for"))?;
    let feld = s.client.find(Locator::Css("[data-testid=suche]")).await?;
    feld.send_keys(&gesucht).await?;
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let gefunden = s.all_rows().await.unwrap_or_default();
        if gefunden.len() == 1 && gefunden[0] == gesucht {
            break;
        }
        if Instant::now() > deadline {
            bail!("searching {gesucht:?} shows {gefunden:?}");
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let shot = s.screenshot("suche").await?;
    println!("  {gesucht} gefunden, screenshot: {}", shot.display());
    // Clear the field again, as a user would, so later scenarios see every case.
    let zurueck = Key::Backspace
        .to_string()
        .repeat(gesucht.chars().count() + 2);
    feld.send_keys(&zurueck).await?;
    s.wait_queue(ANTRAEGE).await?;
    Ok(())
}

/// Open a case from the queue: header, labelled form data, attachments.
pub async fn a_case_shows_labelled_form_data_and_attachments(s: &Session) -> Result<()> {
    open_alle(s).await?;
    // The first case with a PDF attachment is the one the next scenarios use.
    s.click("[data-testid=vorgang-zeile]").await?;
    let deadline = Instant::now() + Duration::from_secs(10);
    while s.count("[data-testid=vorgang-kopf]").await? == 0 {
        if Instant::now() > deadline {
            // A single click selects; Enter opens.
            s.keys(&Key::Enter.to_string()).await?;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let kopf = s.wait_text("[data-testid=vorgang-kopf]", "").await?;
    println!("  Kopf: {kopf}");
    s.wait_text("[data-testid=vorgang-status]", "Neu").await?;
    s.click("[data-testid=tab-antrag]").await?;
    let deadline = Instant::now() + Duration::from_secs(10);
    let labels = loop {
        let n = s
            .count("[data-testid=formular] dt, [data-testid=formular] th")
            .await?;
        if n >= 3 || Instant::now() > deadline {
            break n;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    if labels < 3 {
        bail!("the form data shows {labels} labels, expected a labelled form");
    }
    let formular = s.text_of("[data-testid=formular]").await?;
    if formular.contains('{') || formular.contains("\":") {
        bail!("the form data is shown as raw JSON: {formular}");
    }
    let shot = s.screenshot("vorgang").await?;
    println!("  {labels} Beschriftungen, screenshot: {}", shot.display());
    s.axe("vorgang-antrag").await?;
    s.click("[data-testid=tab-anlagen]").await?;
    let deadline = Instant::now() + Duration::from_secs(10);
    while s.count("[data-testid=anlage]").await? == 0 {
        if Instant::now() > deadline {
            bail!("the case lists no attachments");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let anlagen = s.wait_text("[data-testid=anlage]", "").await?;
    println!("  Anlage: {anlagen}");
    s.axe("vorgang-anlagen").await
}

/// Preview a PDF attachment inside the app (pdf.js renders it to a canvas).
pub async fn a_pdf_attachment_previews_inside_the_app(s: &Session) -> Result<()> {
    s.click("[data-testid=tab-anlagen]").await?;
    let pdf = "[data-testid=anlage][data-mime='application/pdf'] [data-testid=anlage-vorschau]";
    if s.count(pdf).await? == 0 {
        bail!("this case has no PDF attachment to preview");
    }
    s.click(pdf).await?;
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let drawn = s
            .client
            .execute(
                "const c = document.querySelector('[data-testid=pdf-seite]');
                 if (!c || !c.width || !c.height) return false;
                 const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
                 for (let i = 0; i < d.length; i += 4) { if (d[i] < 200) return true; }
                 return false;",
                vec![],
            )
            .await?;
        if drawn == Value::Bool(true) {
            break;
        }
        if Instant::now() > deadline {
            let text = s
                .text_of("[data-testid=vorschau]")
                .await
                .unwrap_or_default();
            bail!("no rendered PDF page with content in the preview (preview says {text:?})");
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    s.client
        .execute(
            "document.querySelector('[data-testid=vorschau]').scrollIntoView({ block: 'start' });",
            vec![],
        )
        .await?;
    let shot = s.screenshot("vorschau").await?;
    println!("  screenshot: {}", shot.display());
    s.axe("vorschau").await
}

/// Übernehmen, then In Prüfung nehmen: the status changes.
pub async fn taking_over_and_starting_review_changes_the_status(s: &Session) -> Result<()> {
    s.click("[data-testid=aktion-uebernehmen]").await?;
    confirm_if_asked(s).await?;
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let kopf = s.text_of("[data-testid=vorgang-kopf]").await?;
        if kopf.contains("e2e-sachbearbeitung") {
            break;
        }
        if Instant::now() > deadline {
            bail!("after Übernehmen the header does not name the caseworker: {kopf}");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    s.click("[data-testid=aktion-pruefung_beginnen]").await?;
    confirm_if_asked(s).await?;
    s.wait_text("[data-testid=vorgang-status]", "In Prüfung")
        .await?;
    s.click("[data-testid=tab-verlauf]").await?;
    s.wait_shadow_text("[data-testid=content]", &["geöffnet", "In Prüfung"])
        .await
        .context("the Verlauf lists the opening and the status change")?;
    let shot = s.screenshot("vorgang-in-pruefung").await?;
    println!("  screenshot: {}", shot.display());
    s.axe("vorgang-verlauf").await
}

async fn confirm_if_asked(s: &Session) -> Result<()> {
    tokio::time::sleep(Duration::from_millis(300)).await;
    if s.count("[data-testid=bestaetigen]").await? > 0 {
        let shot = s.screenshot("bestaetigung").await?;
        println!("  Bestätigung: {}", shot.display());
        s.click("[data-testid=bestaetigen]").await?;
    }
    Ok(())
}

/// Without a mouse: back to the queue, into a case and an action, keys only.
pub async fn a_keyboard_only_path_leads_from_queue_to_case_to_an_action(s: &Session) -> Result<()> {
    s.keys(&Key::Escape.to_string()).await?;
    s.wait_text("[data-testid=posteingang]", "").await?;
    // `?` opens the shortcut help, Escape closes it.
    s.client
        .execute(
            "document.activeElement && document.activeElement.blur();",
            vec![],
        )
        .await?;
    s.client
        .find(Locator::Css("body"))
        .await?
        .send_keys("?")
        .await?;
    s.wait_text("[data-testid=hilfe]", "Tastenk").await?;
    let shot = s.screenshot("tastenkuerzel").await?;
    println!("  screenshot: {}", shot.display());
    s.axe("hilfe").await?;
    s.keys(&Key::Escape.to_string()).await?;
    // Tab to the first queue row, open it with Enter.
    let mut found = false;
    for _ in 0..60 {
        s.keys(&Key::Tab.to_string()).await?;
        if s.focused().await? == "vorgang-zeile" {
            found = true;
            break;
        }
    }
    if !found {
        bail!("Tab never reaches a queue row");
    }
    // The first row is the case taken over above; the arrow key moves to the next one.
    s.keys(&Key::Down.to_string()).await?;
    s.keys(&Key::Enter.to_string()).await?;
    s.wait_text("[data-testid=vorgang-kopf]", "").await?;
    // Tab to an action button and take it with Enter.
    let mut action = String::new();
    for _ in 0..80 {
        s.keys(&Key::Tab.to_string()).await?;
        let f = s.focused().await?;
        if f == "aktion-uebernehmen" || f == "aktion-pruefung_beginnen" {
            action = f;
            break;
        }
    }
    if action.is_empty() {
        bail!("Tab never reaches an action of the case");
    }
    s.keys(&Key::Enter.to_string()).await?;
    tokio::time::sleep(Duration::from_millis(300)).await;
    if s.count("[data-testid=bestaetigen]").await? > 0 {
        s.client
            .find(Locator::Css("[data-testid=bestaetigen]"))
            .await?
            .send_keys(&Key::Enter.to_string())
            .await?;
    }
    if action == "aktion-uebernehmen" {
        let deadline = Instant::now() + Duration::from_secs(10);
        while !s
            .text_of("[data-testid=vorgang-kopf]")
            .await?
            .contains("e2e-sachbearbeitung")
        {
            if Instant::now() > deadline {
                bail!("the keyboard action Übernehmen did not take effect");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    } else {
        s.wait_text("[data-testid=vorgang-status]", "In Prüfung")
            .await?;
    }
    println!("  {action} per Tastatur");
    s.keys(&Key::Escape.to_string()).await?;
    Ok(())
}

/// After a restart with the same profile: still 20 cases, the taken case in review.
pub async fn after_a_restart_everything_is_persisted(s: &Session) -> Result<()> {
    open_alle(s).await?;
    let rows = s.wait_queue(ANTRAEGE).await?;
    println!("  nach Neustart: {} Vorgänge", rows.len());
    s.click("[data-testid=ansicht-meine]").await?;
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let n = s.count("[data-testid=vorgang-zeile]").await?;
        if n >= 1 {
            break;
        }
        if Instant::now() > deadline {
            bail!("after the restart 'Meine' lists nothing");
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let text = s.text_of("[data-testid=posteingang]").await?;
    if !text.contains("In Prüfung") {
        bail!("after the restart no case of mine is 'In Prüfung': {text}");
    }
    let shot = s.screenshot("nach-neustart").await?;
    println!("  screenshot: {}", shot.display());
    Ok(())
}
