//! Hardening through the real window (issue 18).
//!
//! 1. Documents from applicants are hostile: the demo case with an HTML page, an SVG with
//!    `<script>`/`onload` and an XHTML page (`simulator::documents::feindliche_anlagen`; the
//!    HTML page declared as PDF never gets this far, the intake refuses it) is opened, each document is previewed and
//!    the window itself is asked to navigate to each document's `anlage://` address (it
//!    refuses and stays on the app's page). No script may
//!    run (no `window.__amtsstube_xss`, no changed title) and IPC must be out of reach (the
//!    note the scripts try to add through `__TAURI_INTERNALS__` never appears). Documents of
//!    a case this window has not opened are refused (403) even to the app's own `fetch`.
//! 2. A plaintext scan after the main session ([`klartext_scan`]): a note typed in this run
//!    and the applicant names the window showed may not be found in the profile, WebKit's
//!    data and cache directories, `~/.cache`, the download directory, `/tmp` (files written
//!    since the session started) or the app's stderr log.

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime};

use anyhow::{Context, Result, anyhow, bail};
use serde_json::{Value, json};

use crate::Session;

/// The hostile documents of the demo (file names from `simulator::documents`).
const FEINDLICH: &[&str] = &["Nachweis.html", "Lageplan.svg", "Erklaerung.xhtml"];
/// What their scripts would leave (`simulator::documents::XSS_TITEL`, `XSS_NOTIZ`).
const XSS_TITEL: &str = "AMTSSTUBE-XSS";
const XSS_NOTIZ: &str = "AMTSSTUBE-XSS-NOTIZ";

/// Texts this run showed or typed, which [`klartext_scan`] must not find on disk.
static MARKER: Mutex<Vec<String>> = Mutex::new(Vec::new());

fn merken(text: &str) {
    let text = text.trim();
    if text.chars().count() >= 5
        && let Ok(mut m) = MARKER.lock()
        && !m.iter().any(|x| x == text)
    {
        m.push(text.to_owned());
    }
}

/// What a script in the current document would have left, as the window's own script sees it.
async fn spuren(s: &Session) -> Result<Value> {
    Ok(s.client
        .execute(
            "return { xss: window.__amtsstube_xss === undefined ? null : String(window.__amtsstube_xss),
                      titel: document.title, href: location.href,
                      ipc: typeof window.__TAURI_INTERNALS__ };",
            vec![],
        )
        .await?)
}

fn sauber(wo: &str, v: &Value) -> Result<()> {
    if !v["xss"].is_null() {
        bail!(
            "{wo}: a hostile script ran (window.__amtsstube_xss = {})",
            v["xss"]
        );
    }
    if v["titel"].as_str() == Some(XSS_TITEL) {
        bail!("{wo}: a hostile script renamed the document");
    }
    Ok(())
}

/// The applicant's name in the open case's header.
async fn antragsteller(s: &Session) -> Result<String> {
    let v = s
        .client
        .execute(
            "const dt = Array.from(document.querySelectorAll('[data-testid=vorgang-kopf] dt'))
               .find((d) => d.textContent.trim() === 'Antragsteller');
             return dt && dt.nextElementSibling ? dt.nextElementSibling.textContent : '';",
            vec![],
        )
        .await?;
    Ok(v.as_str().unwrap_or_default().trim().to_owned())
}

/// The open case's attachments: (file name, sha512, declared type).
async fn anlagen(s: &Session) -> Result<Vec<(String, String, String)>> {
    s.click("[data-testid=tab-anlagen]").await?;
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let v = s
            .client
            .execute(
                "return Array.from(document.querySelectorAll('[data-testid=anlage]')).map((r) =>
                   [r.querySelector('.anlage-name').textContent, r.getAttribute('data-sha512'),
                    r.getAttribute('data-mime')]);",
                vec![],
            )
            .await?;
        let liste: Vec<(String, String, String)> = serde_json::from_value(v)?;
        if !liste.is_empty() || Instant::now() > deadline {
            return Ok(liste);
        }
        tokio::time::sleep(Duration::from_millis(150)).await;
    }
}

/// Opens case `id` by its address in the app (`#/vorgang/<id>`, as the queue does), without
/// scrolling the virtualised queue to its row.
async fn oeffnen(s: &Session, id: &str, az: &str) -> Result<()> {
    s.client
        .execute(
            "location.hash = '#/vorgang/' + arguments[0];",
            vec![json!(id)],
        )
        .await?;
    s.wait_text("[data-testid=vorgang-kopf]", az).await?;
    Ok(())
}

/// `fetch` from the app's own page: the HTTP status of `url`.
async fn status_von(s: &Session, url: &str) -> Result<i64> {
    let v = s
        .client
        .execute_async(
            "const done = arguments[arguments.length - 1];
             fetch(arguments[0], { cache: 'no-store', headers: { Range: 'bytes=0-15' } })
               .then((r) => done(r.status), (e) => done(String(e)));",
            vec![json!(url)],
        )
        .await?;
    v.as_i64().ok_or_else(|| anyhow!("fetch {url} failed: {v}"))
}

/// Back to the app's page after the window was sent elsewhere.
async fn zurueck(s: &Session, app_url: &str) -> Result<()> {
    let jetzt = s.client.current_url().await.map(|u| u.to_string()).ok();
    if jetzt.as_deref() != Some(app_url) {
        s.client
            .goto(app_url)
            .await
            .with_context(|| format!("back to {app_url}"))?;
    }
    s.wait_text("[data-testid=product]", "Amtsstube").await?;
    Ok(())
}

/// Scenario: hostile attachments, previewed and navigated to, run no script and reach no IPC.
pub async fn hostile_documents_run_no_script_and_reach_no_ipc(s: &Session) -> Result<()> {
    let zeilen = crate::entscheidung::zeilen(s, "alle").await?;
    let (erste_id, erste_az) = zeilen.first().cloned().context("the queue is empty")?;
    oeffnen(s, &erste_id, &erste_az).await?;
    merken(&antragsteller(s).await?);
    let erste = anlagen(s).await?;
    let sha = erste
        .first()
        .map(|a| a.1.clone())
        .context("the first case has no attachments")?;
    // Documents of cases this window has not opened are refused even to the app's fetch
    // (403 before anything else is looked at; 404 for an opened case: not its document).
    let mut verweigert = 0;
    for (id, _) in zeilen.iter().filter(|(id, _)| *id != erste_id) {
        match status_von(s, &format!("anlage://localhost/{id}/{sha}")).await? {
            403 => verweigert += 1,
            404 => {}
            other => bail!("status {other} for a document asked for through case {id}"),
        }
    }
    println!(
        "  {verweigert} of {} other cases (not opened in this window) refused, the rest 404",
        zeilen.len() - 1
    );
    if verweigert == 0 {
        bail!("no case refused: every case was open already, or the check is missing");
    }
    if status_von(s, &format!("anlage://localhost/{erste_id}/{sha}")).await? != 206 {
        bail!("the opened case's own document is not served to the app");
    }
    // Find the case with the hostile documents; remember every applicant name shown.
    let mut gefunden = None;
    let mut liste = erste.clone();
    for (id, az) in &zeilen {
        if *id != erste_id {
            oeffnen(s, id, az).await?;
            merken(&antragsteller(s).await?);
            liste = anlagen(s).await?;
        }
        if liste
            .iter()
            .any(|(n, _, _)| FEINDLICH.contains(&n.as_str()))
        {
            gefunden = Some((id.clone(), az.clone()));
            break;
        }
    }
    // Without the hostile case the rest runs on the first case's own documents.
    let (id, az) = match &gefunden {
        Some(g) => {
            // The hostile documents' own bytes: a copy on disk (a download of the window's
            // navigation, a cache entry) would be found by the plaintext scan.
            merken(XSS_NOTIZ);
            g.clone()
        }
        None => {
            println!("  no hostile case; the rest runs on {erste_az}");
            oeffnen(s, &erste_id, &erste_az).await?;
            liste = erste;
            (erste_id.clone(), erste_az.clone())
        }
    };
    println!("  {az}: {} attachments", liste.len());
    let app_url = s.client.current_url().await?.to_string();

    // The marker the plaintext scan looks for: a note typed into this case.
    let notiz = format!("E2E-Klartext-Notiz-{}-{}", std::process::id(), az);
    s.click("[data-testid=tab-notizen]").await?;
    s.client
        .find(fantoccini::Locator::Css("[data-testid=notiz-text]"))
        .await
        .context("the note field")?
        .send_keys(&notiz)
        .await?;
    s.click("[data-testid=notiz-hinzufuegen]").await?;
    s.wait_text("[data-testid=notizen]", &notiz).await?;
    merken(&notiz);

    // Every way the UI shows a document: its preview.
    let feindlich: Vec<_> = liste
        .iter()
        .filter(|(n, _, _)| FEINDLICH.contains(&n.as_str()))
        .cloned()
        .collect();
    for (i, (name, sha, _)) in feindlich.iter().enumerate() {
        s.click("[data-testid=tab-anlagen]").await?;
        s.click(&format!(
            "[data-testid=anlage][data-sha512=\"{sha}\"] [data-testid=anlage-vorschau]"
        ))
        .await?;
        s.wait_text("[data-testid=vorschau]", name).await?;
        tokio::time::sleep(Duration::from_millis(1500)).await;
        let v = spuren(s).await?;
        sauber(&format!("preview of {name}"), &v)?;
        let text = s
            .text_of("[data-testid=vorschau]")
            .await
            .unwrap_or_default();
        println!("  Vorschau {name}: {text}");
        s.festhalten(&format!("haertung-vorschau-{i}")).await?;
    }

    // The window itself sent to each document's address (and to one genuine PDF's).
    let mut ziele = feindlich.clone();
    ziele.extend(
        liste
            .iter()
            .find(|(_, _, m)| m == "application/pdf")
            .cloned(),
    );
    for (name, sha, _) in &ziele {
        let url = format!("anlage://localhost/{id}/{sha}");
        s.client
            .execute(
                "setTimeout(() => { location.href = arguments[0]; }, 0);",
                vec![json!(url)],
            )
            .await?;
        tokio::time::sleep(Duration::from_millis(2500)).await;
        // The window refuses to leave the app's page (`fenster::erlaubte_adresse` in the
        // desktop shell): it is still there, and no document script ran in it.
        let wo = s.client.current_url().await.map(|u| u.to_string())?;
        if wo.starts_with("anlage:") || wo.contains("anlage.localhost") {
            bail!("the window navigated to the document {name} ({wo}): navigation is not guarded");
        }
        let titel = s.client.title().await.unwrap_or_default();
        if titel == XSS_TITEL {
            bail!("navigated to {name}: a hostile script renamed the document");
        }
        let v = tokio::time::timeout(Duration::from_secs(10), spuren(s))
            .await
            .context("the app's page does not answer a script after the navigation")??;
        sauber(&format!("window asked to go to {name}"), &v)?;
        println!("  window asked to go to {name}: stays at {wo} (title {titel:?})");
        let shot = s
            .screenshot(&format!("haertung-adresse-{}", name.replace('.', "-")))
            .await;
        if let Ok(p) = shot {
            println!("  screenshot: {}", p.display());
        }
        zurueck(s, &app_url).await?;
        sauber(&format!("app after {name}"), &spuren(s).await?)?;
    }

    // IPC stayed out of reach: the note the scripts try to add is not on the case.
    oeffnen(s, &id, &az).await?;
    s.click("[data-testid=tab-notizen]").await?;
    let notizen = s.wait_text("[data-testid=notizen]", &notiz).await?;
    if notizen.contains(XSS_NOTIZ) {
        bail!("a hostile document reached the app's IPC: the case has the note {XSS_NOTIZ}");
    }
    s.festhalten("haertung-notizen").await?;
    if gefunden.is_none() {
        bail!(
            "none of the {} demo cases has the hostile attachments {FEINDLICH:?} (the simulator's \
             applications must attach simulator::documents::feindliche_anlagen)",
            zeilen.len()
        );
    }
    Ok(())
}

/// The temporary directory, only to be searched: the scan checks that no plaintext reached it.
#[allow(clippy::disallowed_methods)]
fn tmp() -> PathBuf {
    std::env::temp_dir()
}

/// Where to look, and since when a file counts (`None`: every file).
fn orte(profil: &Path) -> Vec<(PathBuf, Option<SystemTime>)> {
    let home = std::env::var_os("HOME")
        .map(PathBuf::from)
        .unwrap_or_default();
    let id = "de.amtsstube.desktop";
    let xdg = |var: &str, rel: &str| {
        std::env::var_os(var)
            .map(PathBuf::from)
            .unwrap_or_else(|| home.join(rel))
    };
    let data = xdg("XDG_DATA_HOME", ".local/share");
    let cache = xdg("XDG_CACHE_HOME", ".cache");
    let mut orte = vec![
        // The whole temporary directory the profile lives in (database, WAL, key file …).
        (profil.parent().unwrap_or(profil).to_path_buf(), None),
        (data.join(id), None),
        (cache.join(id), None),
        (data.join("amtsstube-desktop"), None),
        (cache.join("amtsstube-desktop"), None),
        (data.join("webkitgtk"), None),
        (cache.join("webkitgtk"), None),
    ];
    orte.push((cache, Some(SystemTime::UNIX_EPOCH)));
    orte.push((home.join("Downloads"), Some(SystemTime::UNIX_EPOCH)));
    orte.push((tmp(), Some(SystemTime::UNIX_EPOCH)));
    orte
}

fn enthaelt(hay: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && hay.windows(needle.len()).any(|w| w == needle)
}

fn utf16(s: &str) -> Vec<u8> {
    s.encode_utf16().flat_map(u16::to_le_bytes).collect()
}

/// The Demo-Modus simulator's stand-in for the applicants' own devices
/// (`<profil>/demo/postfach/…`): the simulated applicant decrypts the replies it receives
/// there, as a real applicant would on their computer. Not the app's store and absent outside
/// Demo-Modus; listed as an exception, not hidden.
fn ist_demo_postfach(p: &Path) -> bool {
    let teile: Vec<_> = p
        .components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect();
    teile
        .windows(3)
        .any(|w| w[0] == "profil" && w[1] == "demo" && w[2] == "postfach")
}

/// Walks `dir`; for each regular file changed since `seit` (or every file), `f(path)`.
/// Stays on `dir`'s file system (the document portal mounts a FUSE file system at
/// `~/.cache/doc`, which is not the app's data and may not answer).
fn durchlaufen(dir: &Path, seit: Option<SystemTime>, aus: &[PathBuf], f: &mut dyn FnMut(&Path)) {
    use std::os::unix::fs::MetadataExt as _;
    let Ok(wurzel) = std::fs::metadata(dir) else {
        return;
    };
    let Ok(eintraege) = std::fs::read_dir(dir) else {
        return;
    };
    for e in eintraege.flatten() {
        let p = e.path();
        if aus.iter().any(|a| p.starts_with(a)) {
            continue;
        }
        let Ok(meta) = std::fs::symlink_metadata(&p) else {
            continue;
        };
        if meta.is_dir() {
            if meta.dev() == wurzel.dev() {
                durchlaufen(&p, seit, aus, f);
            }
        } else if meta.is_file() {
            let neu = match seit {
                None => true,
                Some(t) => meta.modified().is_ok_and(|m| m >= t),
            };
            if neu && meta.len() <= 256 * 1024 * 1024 {
                f(&p);
            }
        }
    }
}

/// The plaintext scan after the main session: no marker of this run in any file the app or
/// its webview may have written. `seit` is when the session started; `artefakte` holds the
/// app's stderr (`tauri-driver-main.log`), which is scanned, and the test's own screenshots
/// and reports, which are not (they are this test's output, not the app's).
pub fn klartext_scan(profil: &Path, artefakte: &Path, seit: SystemTime) -> Result<()> {
    let marker = MARKER.lock().map_err(|_| anyhow!("lock"))?.clone();
    if !marker.iter().any(|m| m.starts_with("E2E-Klartext-Notiz-")) {
        bail!(
            "no note was typed in this run (the hostile-documents scenario did not get that far)"
        );
    }
    let muster: Vec<(String, Vec<Vec<u8>>)> = marker
        .iter()
        .map(|m| (m.clone(), vec![m.as_bytes().to_vec(), utf16(m)]))
        .collect();
    let artefakte = artefakte
        .canonicalize()
        .unwrap_or_else(|_| artefakte.to_path_buf());
    // Not the app's: this test's output and the job logs of the tools running it.
    let mut aus = vec![artefakte.clone()];
    if let Ok(t) = std::fs::read_dir(tmp()) {
        aus.extend(t.flatten().map(|e| e.path()).filter(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("bash_jobs"))
        }));
    }
    // This test's own stdout and stderr, when they go to a file (a run redirected into
    // /tmp): the test prints what the window showed.
    for fd in [1, 2] {
        if let Ok(ziel) = std::fs::read_link(format!("/proc/self/fd/{fd}"))
            && ziel.is_file()
        {
            println!("  ausgenommen (Ausgabe dieses Tests): {}", ziel.display());
            aus.push(ziel);
        }
    }
    let mut befunde = std::collections::BTreeSet::new();
    let mut ausnahmen = std::collections::BTreeSet::new();
    let dateien = std::cell::Cell::new(0usize);
    let mut pruefen = |p: &Path| {
        dateien.set(dateien.get() + 1);
        let Ok(inhalt) = std::fs::read(p) else {
            return;
        };
        for (m, formen) in &muster {
            if formen.iter().any(|f| enthaelt(&inhalt, f)) {
                let zeile = format!("{} enthält „{m}“", p.display());
                if ist_demo_postfach(p) {
                    ausnahmen.insert(zeile);
                } else {
                    befunde.insert(zeile);
                }
            }
        }
    };
    let mut je_ort = Vec::new();
    for (ort, seit_ort) in orte(profil) {
        let ab = seit_ort.map(|_| seit);
        let vorher = dateien.get();
        durchlaufen(&ort, ab, &aus, &mut pruefen);
        if ort.exists() {
            je_ort.push(format!("{}: {}", ort.display(), dateien.get() - vorher));
        }
    }
    // The app's stderr (tauri-driver passes it through to the log).
    if let Ok(t) = std::fs::read_dir(&artefakte) {
        for e in t.flatten() {
            let p = e.path();
            if p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("tauri-driver-"))
            {
                pruefen(&p);
            }
        }
    }
    println!("  Orte (Dateien): {}", je_ort.join(", "));
    println!(
        "  {} Dateien durchsucht nach {} Markern ({})",
        dateien.get(),
        marker.len(),
        marker.join(", ")
    );
    for a in &ausnahmen {
        println!("  AUSNAHME (Demo-Postfach der simulierten Antragsteller): {a}");
    }
    if !befunde.is_empty() {
        let liste: Vec<String> = befunde.into_iter().collect();
        bail!("Klartext gefunden:\n    {}", liste.join("\n    "));
    }
    Ok(())
}
