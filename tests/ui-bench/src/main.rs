//! `amtsstube-ui-bench`: measures the real desktop app against a bare Tauri window
//! (`amtsstube-leer`) in the same run, and reports — never asserts — the figures of issue 6:
//!
//! - **Start**: from the WebDriver new-session request to the first `[data-testid=vorgang-zeile]`
//!   (app, profile with many cases) vs. to `body[data-bereit="1"]` (bare window, after its one
//!   command answered). Target: app ≤ 2× bare.
//! - **Erste Seite**: round trip of `invoke('posteingang', …)` for the first page of „Alle“
//!   (50 rows, newest first) inside the window, median of 30 after 3 warm-ups; and the UI-level
//!   time from clicking a view tab to its rows being in the DOM. Target ≤ 100 ms.
//! - **Vorgang öffnen**: round trip of `invoke('vorgang', { id })` on a case with five
//!   attachments, median of 30 after 3 warm-ups; and the UI-level click on its row to the case
//!   header. Target ≤ 150 ms.
//! - **Speicher**: PSS and RSS summed over the app process and all its descendants
//!   (WebKitWebProcess, WebKitNetworkProcess), after the queue is shown. Target PSS ≤ 1.3× bare.
//!
//! Rounds are interleaved (bare, app, bare, app …) so drift of the machine hits both alike;
//! each round starts a fresh `tauri-driver` (which drives `WebKitWebDriver`) and a fresh
//! process. Results: a table on stdout and JSON in `--ergebnis`. `tests/ui-bench/run.sh`
//! builds everything, fills the profile and runs this.
//!
//! To add a measurement: write an `async fn(&Client, …) -> Result<…>` next to
//! [`app_runde`], call it there and add its figures to [`Bericht`].

mod speicher;

use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, anyhow, bail};
use fantoccini::wd::TimeoutConfiguration;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{Value, json};

/// Targets of the issue.
const ZIEL_START_FAKTOR: f64 = 2.0;
const ZIEL_SEITE_MS: f64 = 100.0;
const ZIEL_OEFFNEN_MS: f64 = 150.0;
const ZIEL_PSS_FAKTOR: f64 = 1.3;

/// Timed calls per round, after warm-up calls.
const AUFRUFE: u32 = 30;
const AUFWAERMEN: u32 = 3;
/// View-tab switches per round.
const WECHSEL: usize = 4;

struct Optionen {
    app: PathBuf,
    leer: PathBuf,
    profil: PathBuf,
    runden: usize,
    ergebnis: PathBuf,
    artefakte: PathBuf,
    driver: String,
    native: String,
    build: String,
    bereit: String,
    warten: Duration,
    faelle: Option<u64>,
}

fn arg(name: &str) -> Option<String> {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1).cloned())
}

const HILFE: &str = "amtsstube-ui-bench – Leistungsmessung der App gegen ein leeres Tauri-Fenster

Aufruf (unter xvfb-run -a und /work/shared/ci/with-keyring.sh; tests/ui-bench/run.sh erledigt das):
  amtsstube-ui-bench --app PFAD --leer PFAD --profil VERZEICHNIS [Optionen]

  --app PFAD            amtsstube-desktop
  --leer PFAD           amtsstube-leer (das leere Fenster)
  --profil DIR          Profil mit vielen Vorgängen (amtsstube demo fuellen)
  --runden N            Runden je Fenster, abwechselnd (Standard 5)
  --faelle N            Zahl der Vorgänge im Profil (nur für den Bericht)
  --build debug|release Wie gebaut wurde (nur für den Bericht; Standard debug)
  --ergebnis PFAD       JSON-Ergebnis (Standard target/ui-bench/results.json)
  --artefakte DIR       Protokolle von tauri-driver (Standard target/ui-bench)
  --bereit CSS          woran die App als bedienbar gilt (Standard [data-testid=vorgang-zeile])
  --warten-s N          höchstens so lange auf das Fenster warten (Standard 120)
  --driver PFAD         tauri-driver (Standard aus PATH)
  --native-driver PFAD  WebKitWebDriver (Standard /usr/bin/WebKitWebDriver)";

fn optionen() -> Result<Optionen> {
    if std::env::args().any(|a| a == "--help" || a == "-h") {
        println!("{HILFE}");
        std::process::exit(0);
    }
    let pfad = |name: &str| -> Result<PathBuf> {
        let p = arg(name).ok_or_else(|| anyhow!("{name} fehlt\n\n{HILFE}"))?;
        PathBuf::from(&p)
            .canonicalize()
            .with_context(|| format!("{name} {p}: nicht vorhanden"))
    };
    let artefakte = PathBuf::from(arg("--artefakte").unwrap_or_else(|| "target/ui-bench".into()));
    Ok(Optionen {
        app: pfad("--app")?,
        leer: pfad("--leer")?,
        profil: pfad("--profil")?,
        runden: arg("--runden").map(|s| s.parse()).transpose()?.unwrap_or(5),
        ergebnis: arg("--ergebnis")
            .map(PathBuf::from)
            .unwrap_or_else(|| artefakte.join("results.json")),
        artefakte,
        driver: arg("--driver").unwrap_or_else(|| "tauri-driver".into()),
        native: arg("--native-driver").unwrap_or_else(|| "/usr/bin/WebKitWebDriver".into()),
        build: arg("--build").unwrap_or_else(|| "debug".into()),
        bereit: arg("--bereit").unwrap_or_else(|| "[data-testid=vorgang-zeile]".into()),
        warten: Duration::from_secs(
            arg("--warten-s")
                .map(|s| s.parse())
                .transpose()?
                .unwrap_or(120),
        ),
        faelle: arg("--faelle").map(|s| s.parse()).transpose()?,
    })
}

fn freier_port() -> Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

/// A running tauri-driver; dropping it ends it and everything it started.
struct Treiber {
    kind: Child,
    port: u16,
}

impl Drop for Treiber {
    fn drop(&mut self) {
        // tauri-driver does not always end WebKitWebDriver and the browser when killed: end
        // every descendant we started, by pid, then the driver itself.
        let nachkommen = speicher::nachkommen(self.kind.id());
        for pid in nachkommen.iter().rev() {
            let _ = Command::new("kill")
                .args(["-TERM", &pid.to_string()])
                .stderr(Stdio::null())
                .status();
        }
        let _ = self.kind.kill();
        let _ = self.kind.wait();
        let frist = Instant::now() + Duration::from_secs(5);
        for pid in nachkommen {
            while Path::new(&format!("/proc/{pid}")).exists() && Instant::now() < frist {
                std::thread::sleep(Duration::from_millis(20));
            }
            if Path::new(&format!("/proc/{pid}")).exists() {
                let _ = Command::new("kill")
                    .args(["-KILL", &pid.to_string()])
                    .stderr(Stdio::null())
                    .status();
            }
        }
    }
}

fn lauscht(port: u16) -> bool {
    TcpStream::connect(("127.0.0.1", port)).is_ok()
}

/// Starts tauri-driver with `env` for the program it will launch, and waits until it and
/// its native driver accept connections (so the timed part starts at the session request).
fn treiber_starten(o: &Optionen, name: &str, env: &[(&str, String)]) -> Result<Treiber> {
    let port = freier_port()?;
    let native_port = freier_port()?;
    let log = std::fs::File::create(o.artefakte.join(format!("tauri-driver-{name}.log")))?;
    let kind = Command::new(&o.driver)
        .args(["--port", &port.to_string()])
        .args(["--native-port", &native_port.to_string()])
        .args(["--native-driver", &o.native])
        .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
        .stdout(Stdio::from(log.try_clone()?))
        .stderr(Stdio::from(log))
        .spawn()
        .with_context(|| {
            format!(
                "{} startet nicht (installieren: cargo install tauri-driver --locked)",
                o.driver
            )
        })?;
    let t = Treiber { kind, port };
    let frist = Instant::now() + Duration::from_secs(20);
    while !(lauscht(port) && lauscht(native_port)) {
        if Instant::now() > frist {
            bail!("tauri-driver lauscht nach 20 s nicht auf Port {port}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    Ok(t)
}

/// Opens the WebDriver session (which launches `programm`); one attempt, so it can be timed.
async fn sitzung(port: u16, programm: &Path) -> Result<Client> {
    let mut caps = serde_json::Map::new();
    caps.insert("tauri:options".into(), json!({ "application": programm }));
    caps.insert("browserName".into(), json!("wry"));
    let mut builder = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new());
    builder.capabilities(caps);
    builder
        .connect(&format!("http://127.0.0.1:{port}"))
        .await
        .map_err(|e| anyhow!("die WebDriver-Sitzung startet nicht: {e}"))
}

/// Where the start time went, from the page's own clock (ms since its navigation began).
#[derive(Debug, Default, Clone, Copy)]
struct Phasen {
    /// From the session request to the page's navigation start: process, WebKit and
    /// WebDriver start-up.
    vor_seite_ms: f64,
    /// Navigation start to DOMContentLoaded (HTML and scripts loaded and run).
    dom_ms: f64,
    /// Navigation start to the queue's frame (`[data-testid=posteingang]`) in the DOM, still
    /// without rows (app only).
    rahmen_ms: f64,
    /// Navigation start to the ready condition.
    bereit_ms: f64,
    /// The app's own marks (`performance.mark`, app only), navigation start to: its main
    /// module running, KoliBri registered, the first `app_info` answer.
    modul_ms: f64,
    kolibri_ms: f64,
    info_ms: f64,
}

/// Waits until `css` matches in the window (polls inside the page every 2 ms); returns the
/// page's clock at that moment.
async fn warte_auf(c: &Client, css: &str, frist: Duration) -> Result<f64> {
    let ende = Instant::now() + frist;
    let skript = "const [css, max] = arguments; const done = arguments[arguments.length - 1];
        const t0 = performance.now();
        (function poll() {
          if (window.__bench_rahmen == null && document.querySelector('[data-testid=posteingang]'))
            window.__bench_rahmen = performance.now();
          if (document.querySelector(css)) return done(performance.now());
          if (performance.now() - t0 > max) return done(false);
          setTimeout(poll, 2);
        })();";
    loop {
        // Before the page exists, or while it navigates, the script fails: try again.
        match c.execute_async(skript, vec![json!(css), json!(250)]).await {
            Ok(Value::Number(t)) => return Ok(t.as_f64().unwrap_or(f64::NAN)),
            Ok(_) | Err(_) if Instant::now() < ende => {
                tokio::time::sleep(Duration::from_millis(2)).await;
            }
            Ok(v) => bail!("{css} erschien nicht in {frist:?} (zuletzt {v})"),
            Err(e) => bail!("{css} erschien nicht in {frist:?}: {e}"),
        }
    }
}

/// Waits for `css` after the session request at `t0`; returns the time and its phases.
async fn start_messen(
    c: &Client,
    css: &str,
    frist: Duration,
    t0: Instant,
) -> Result<(f64, Phasen)> {
    let seite = warte_auf(c, css, frist).await?;
    let gesamt = ms(t0.elapsed());
    let nav = c
        .execute(
            "const n = performance.getEntriesByType('navigation')[0];
             const m = (name) => {
               const e = performance.getEntriesByName('amtsstube:' + name, 'mark')[0];
               return e ? e.startTime : null;
             };
             return [n ? n.domContentLoadedEventEnd : null, window.__bench_rahmen ?? null,
                     m('modul'), m('kolibri'), m('info')];",
            vec![],
        )
        .await
        .unwrap_or(Value::Null);
    Ok((
        gesamt,
        Phasen {
            vor_seite_ms: gesamt - seite,
            dom_ms: nav[0].as_f64().unwrap_or(f64::NAN),
            rahmen_ms: nav[1].as_f64().unwrap_or(f64::NAN),
            bereit_ms: seite,
            modul_ms: nav[2].as_f64().unwrap_or(f64::NAN),
            kolibri_ms: nav[3].as_f64().unwrap_or(f64::NAN),
            info_ms: nav[4].as_f64().unwrap_or(f64::NAN),
        },
    ))
}

/// The machine's 1-minute load average (`/proc/loadavg`): other work on the machine moves
/// every timing, so the report names it.
fn last() -> f64 {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|s| s.split_whitespace().next().and_then(|x| x.parse().ok()))
        .unwrap_or(f64::NAN)
}

/// Median of `v` (0 for an empty list).
fn median(v: &[f64]) -> f64 {
    let mut s: Vec<f64> = v.iter().copied().filter(|x| x.is_finite()).collect();
    s.sort_by(f64::total_cmp);
    match s.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => s[n / 2],
        n => (s[n / 2 - 1] + s[n / 2]) / 2.0,
    }
}

/// `12.3 ms`, or `–` when nothing was measured.
fn zeigen(x: f64) -> String {
    if x.is_finite() {
        format!("{x:.1} ms")
    } else {
        "–".to_owned()
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// Memory of one window, after it is shown.
#[derive(Debug, Default, Clone)]
struct Speicher {
    pss_kib: u64,
    rss_kib: u64,
    uss_kib: u64,
    prozesse: Vec<speicher::Prozess>,
}

fn speicher_messen(treiber: &Treiber, programm: &Path) -> Result<Speicher> {
    let pid = speicher::finde_programm(treiber.kind.id(), programm).ok_or_else(|| {
        anyhow!(
            "{} läuft nicht unter tauri-driver (pid {})",
            programm.display(),
            treiber.kind.id()
        )
    })?;
    let prozesse = speicher::baum(pid);
    Ok(Speicher {
        pss_kib: prozesse.iter().map(|p| p.pss_kib).sum(),
        rss_kib: prozesse.iter().map(|p| p.rss_kib).sum(),
        uss_kib: prozesse.iter().map(|p| p.uss_kib).sum(),
        prozesse,
    })
}

/// Time the window needs to settle after it is shown before its memory is read.
const SETZEN: Duration = Duration::from_millis(1500);

struct LeerRunde {
    start_ms: f64,
    phasen: Phasen,
    speicher: Speicher,
}

async fn leer_runde(o: &Optionen, n: usize) -> Result<LeerRunde> {
    let treiber = treiber_starten(o, &format!("leer-{n}"), &[])?;
    let t0 = Instant::now();
    let c = sitzung(treiber.port, &o.leer).await?;
    c.update_timeouts(TimeoutConfiguration::new(
        Some(Duration::from_secs(60)),
        None,
        None,
    ))
    .await?;
    let (start_ms, phasen) = start_messen(&c, "body[data-bereit='1']", o.warten, t0).await?;
    tokio::time::sleep(SETZEN).await;
    let speicher = speicher_messen(&treiber, &o.leer)?;
    let _ = c.close().await;
    Ok(LeerRunde {
        start_ms,
        phasen,
        speicher,
    })
}

#[derive(Default)]
struct AppRunde {
    start_ms: f64,
    phasen: Phasen,
    speicher: Speicher,
    seite_ms: Vec<f64>,
    seite_mittel: f64,
    zahlen: Reihe,
    zahlen_fehler: Option<String>,
    seite_gesamt: Option<u64>,
    seite_fehler: Option<String>,
    oeffnen_ms: Vec<f64>,
    oeffnen_mittel: f64,
    oeffnen_fehler: Option<String>,
    oeffnen_vorgang: Option<String>,
    oeffnen_aktenzeichen: Option<String>,
    tab_ms: Vec<f64>,
    tab_fehler: Option<String>,
    klick_kopf_ms: Option<f64>,
    klick_fehler: Option<String>,
}

/// The first page of „Alle“, newest first, as the queue asks for it.
fn erste_seite() -> Value {
    json!({
        "ansicht": "alle",
        "suche": null,
        "sortierung": "eingang",
        "absteigend": true,
        "offset": 0,
        "limit": 50
    })
}

/// Timed round trips of one command.
#[derive(Debug, Default, Clone)]
struct Reihe {
    /// Each call (ms; WebKit's `performance.now()` has 1 ms steps).
    einzeln: Vec<f64>,
    /// Mean over all timed calls (ms), measured as one span.
    mittel: f64,
}

/// Calls `command` with `args` `AUFWAERMEN + AUFRUFE` times inside the page and returns the
/// timed round trips (measured with `performance.now()`) and the last answer.
async fn aufrufe(c: &Client, command: &str, args: Value) -> Result<(Reihe, Value)> {
    let skript =
        "const [cmd, args, warm, n] = arguments; const done = arguments[arguments.length - 1];
        (async () => {
          const inv = window.__TAURI_INTERNALS__.invoke;
          let last = null;
          for (let i = 0; i < warm; i++) last = await inv(cmd, args);
          const t = [];
          const start = performance.now();
          for (let i = 0; i < n; i++) {
            const t0 = performance.now();
            last = await inv(cmd, args);
            t.push(performance.now() - t0);
          }
          // WebKit's clock has 1 ms steps: the mean over all calls is finer than each one.
          return { t, mittel: (performance.now() - start) / n, last };
        })().then(done, (e) => done({ error: typeof e === 'string' ? e : JSON.stringify(e) }));";
    let v = c
        .execute_async(
            skript,
            vec![json!(command), args, json!(AUFWAERMEN), json!(AUFRUFE)],
        )
        .await?;
    if let Some(e) = v.get("error") {
        bail!("{command}: {e}");
    }
    let einzeln = v["t"]
        .as_array()
        .ok_or_else(|| anyhow!("{command}: keine Zeiten in {v}"))?
        .iter()
        .filter_map(Value::as_f64)
        .collect();
    let mittel = v["mittel"].as_f64().unwrap_or(f64::NAN);
    Ok((Reihe { einzeln, mittel }, v["last"].clone()))
}

/// One call inside the page; its answer.
async fn aufruf(c: &Client, command: &str, args: Value) -> Result<Value> {
    let skript = "const [cmd, args] = arguments; const done = arguments[arguments.length - 1];
        window.__TAURI_INTERNALS__.invoke(cmd, args)
          .then((r) => done({ ok: r }), (e) => done({ error: typeof e === 'string' ? e : JSON.stringify(e) }));";
    let v = c.execute_async(skript, vec![json!(command), args]).await?;
    if let Some(e) = v.get("error") {
        bail!("{command}: {e}");
    }
    Ok(v["ok"].clone())
}

/// Finds a case with five attachments among the first page's rows (`demo fuellen` gives
/// them to the newest cases).
async fn vorgang_mit_anlagen(c: &Client, seite: &Value) -> Result<String> {
    let zeilen = seite["zeilen"].as_array().cloned().unwrap_or_default();
    for z in zeilen {
        let Some(id) = z["id"].as_str() else { continue };
        let v = aufruf(c, "vorgang", json!({ "id": id })).await?;
        if v["anlagen"].as_array().is_some_and(|a| a.len() >= 5) {
            return Ok(id.to_owned());
        }
    }
    bail!("kein Vorgang mit fünf Anlagen auf der ersten Seite (demo fuellen gibt sie den neuesten)")
}

/// Arms a capturing click listener that records the click's timestamp in the page.
const KLICK_MERKEN: &str = "window.__bench_klick = null;
    document.addEventListener('click', (e) => { window.__bench_klick = e.timeStamp; }, { capture: true, once: true });";

/// Waits (in the page) until `bedingung` (inlined: the CSP forbids `eval`) holds after the
/// recorded click; returns ms since the click event, or null after `max` ms.
fn nach_klick(bedingung: &str) -> String {
    format!(
        "const max = arguments[0]; const done = arguments[arguments.length - 1];
        const t0 = performance.now();
        (function poll() {{
          let ok = false;
          try {{ ok = window.__bench_klick !== null && ({bedingung}); }} catch (e) {{ ok = false; }}
          if (ok) return done(performance.now() - window.__bench_klick);
          if (performance.now() - t0 > max) return done(null);
          setTimeout(poll, 1);
        }})();"
    )
}

/// Clicks `css` as a user would (WebDriver element click) and returns ms from the click
/// event to `bedingung` (a JS expression) holding.
async fn klick_bis(c: &Client, css: &str, bedingung: &str) -> Result<f64> {
    let el = c
        .find(Locator::Css(css))
        .await
        .with_context(|| css.to_owned())?;
    c.execute(KLICK_MERKEN, vec![]).await?;
    el.click()
        .await
        .with_context(|| format!("Klick auf {css}"))?;
    let v = c
        .execute_async(&nach_klick(bedingung), vec![json!(20_000)])
        .await?;
    v.as_f64()
        .ok_or_else(|| anyhow!("nach dem Klick auf {css} wurde „{bedingung}“ nicht wahr"))
}

/// Id of the first queue row, to see that a view switch replaced the rows.
const ERSTE_ZEILE: &str =
    "((document.querySelector('[data-testid=vorgang-zeile]') || {}).dataset || {}).id || ''";

/// Switches between the views „Überfällig“ and „Alle“: their newest rows differ, so a switch
/// is complete when the first row is another case.
async fn tabs_wechseln(c: &Client) -> Result<Vec<f64>> {
    let mut out = Vec::new();
    for i in 0..WECHSEL {
        let ziel = if i % 2 == 0 { "ueberfaellig" } else { "alle" };
        let vorher = c.execute(&format!("return {ERSTE_ZEILE};"), vec![]).await?;
        let vorher = serde_json::to_string(&vorher)?;
        let bedingung = format!("{ERSTE_ZEILE} !== '' && {ERSTE_ZEILE} !== {vorher}");
        out.push(klick_bis(c, &format!("[data-testid=ansicht-{ziel}]"), &bedingung).await?);
    }
    Ok(out)
}

/// Clicks the queue row of case `id` and returns ms until the case header shows it.
async fn zeile_oeffnen(c: &Client, id: &str, aktenzeichen: &str) -> Result<f64> {
    let az = serde_json::to_string(aktenzeichen)?;
    klick_bis(
        c,
        &format!("[data-testid=vorgang-zeile][data-id='{id}']"),
        &format!(
            "((document.querySelector('[data-testid=vorgang-kopf]') || {{}}).textContent || '').includes({az})"
        ),
    )
    .await
}

async fn app_runde(o: &Optionen, n: usize) -> Result<AppRunde> {
    let env = [
        ("AMTSSTUBE_PROFILE", o.profil.display().to_string()),
        ("AMTSSTUBE_SYNC_INTERVALL_S", "3600".to_owned()),
        ("AMTSSTUBE_DEMO_ANTRAEGE", "0".to_owned()),
        ("AMTSSTUBE_BENUTZER", "ui-bench".to_owned()),
    ];
    let treiber = treiber_starten(o, &format!("app-{n}"), &env)?;
    let t0 = Instant::now();
    let c = sitzung(treiber.port, &o.app).await?;
    c.update_timeouts(TimeoutConfiguration::new(
        Some(Duration::from_secs(120)),
        None,
        None,
    ))
    .await?;
    let (start_ms, phasen) = start_messen(&c, &o.bereit, o.warten, t0).await?;
    let mut r = AppRunde {
        start_ms,
        phasen,
        // Not measured until a call series succeeds.
        seite_mittel: f64::NAN,
        oeffnen_mittel: f64::NAN,
        zahlen: Reihe {
            einzeln: Vec::new(),
            mittel: f64::NAN,
        },
        ..Default::default()
    };
    tokio::time::sleep(SETZEN).await;
    r.speicher = speicher_messen(&treiber, &o.app)?;

    let mut seite = Value::Null;
    match aufrufe(&c, "posteingang", json!({ "anfrage": erste_seite() })).await {
        Ok((t, letzte)) => {
            r.seite_ms = t.einzeln;
            r.seite_mittel = t.mittel;
            r.seite_gesamt = letzte["gesamt"].as_u64();
            seite = letzte;
        }
        Err(e) => r.seite_fehler = Some(format!("{e:#}")),
    }
    if !seite.is_null() {
        match vorgang_mit_anlagen(&c, &seite).await {
            Ok(id) => match aufrufe(&c, "vorgang", json!({ "id": id })).await {
                Ok((t, detail)) => {
                    r.oeffnen_ms = t.einzeln;
                    r.oeffnen_mittel = t.mittel;
                    r.oeffnen_vorgang = Some(id);
                    r.oeffnen_aktenzeichen = detail["aktenzeichen"].as_str().map(str::to_owned);
                }
                Err(e) => r.oeffnen_fehler = Some(format!("{e:#}")),
            },
            Err(e) => r.oeffnen_fehler = Some(format!("{e:#}")),
        }
    }
    // Diagnosis: the counts of all views, which the queue asks for beside its first page.
    match aufrufe(&c, "ansicht_zahlen", json!({})).await {
        Ok((t, _)) => r.zahlen = t,
        Err(e) => r.zahlen_fehler = Some(format!("{e:#}")),
    }
    match tabs_wechseln(&c).await {
        Ok(t) => r.tab_ms = t,
        Err(e) => r.tab_fehler = Some(format!("{e:#}")),
    }
    // Back on „Alle“ (newest first): the case with five attachments is among the first rows.
    match (&r.oeffnen_vorgang, &r.oeffnen_aktenzeichen) {
        (Some(id), Some(az)) => match zeile_oeffnen(&c, id, az).await {
            Ok(t) => r.klick_kopf_ms = Some(t),
            Err(e) => r.klick_fehler = Some(format!("{e:#}")),
        },
        _ => r.klick_fehler = Some("kein Vorgang mit fünf Anlagen bekannt".into()),
    }
    let _ = c.close().await;
    drop(treiber);
    Ok(r)
}

/// Everything measured, for the table and the JSON file.
struct Bericht {
    leer: Vec<LeerRunde>,
    app: Vec<AppRunde>,
    /// Load average before each round.
    last: Vec<f64>,
}

fn mib(kib: f64) -> f64 {
    kib / 1024.0
}

fn ziel_text(ok: Option<bool>) -> &'static str {
    match ok {
        Some(true) => "erreicht",
        Some(false) => "VERFEHLT",
        None => "nicht gemessen",
    }
}

fn erste_fehler<'a>(v: impl Iterator<Item = &'a Option<String>>) -> Option<String> {
    v.flatten().next().cloned()
}

fn ausgeben(o: &Optionen, b: &Bericht) -> Result<()> {
    let leer_start = median(&b.leer.iter().map(|r| r.start_ms).collect::<Vec<_>>());
    let app_start = median(&b.app.iter().map(|r| r.start_ms).collect::<Vec<_>>());
    let leer_pss = median(
        &b.leer
            .iter()
            .map(|r| r.speicher.pss_kib as f64)
            .collect::<Vec<_>>(),
    );
    let app_pss = median(
        &b.app
            .iter()
            .map(|r| r.speicher.pss_kib as f64)
            .collect::<Vec<_>>(),
    );
    let leer_rss = median(
        &b.leer
            .iter()
            .map(|r| r.speicher.rss_kib as f64)
            .collect::<Vec<_>>(),
    );
    let app_rss = median(
        &b.app
            .iter()
            .map(|r| r.speicher.rss_kib as f64)
            .collect::<Vec<_>>(),
    );
    let leer_uss = median(
        &b.leer
            .iter()
            .map(|r| r.speicher.uss_kib as f64)
            .collect::<Vec<_>>(),
    );
    let app_uss = median(
        &b.app
            .iter()
            .map(|r| r.speicher.uss_kib as f64)
            .collect::<Vec<_>>(),
    );
    let alle = |f: fn(&AppRunde) -> &Vec<f64>| -> Vec<f64> {
        b.app.iter().flat_map(|r| f(r).iter().copied()).collect()
    };
    let seite = median(&alle(|r| &r.seite_ms));
    let oeffnen = median(&alle(|r| &r.oeffnen_ms));
    let tab = median(&alle(|r| &r.tab_ms));
    let zahlen = median(&alle(|r| &r.zahlen.einzeln));
    let mittel = |f: fn(&AppRunde) -> f64| median(&b.app.iter().map(f).collect::<Vec<_>>());
    let seite_mittel = mittel(|r| r.seite_mittel);
    let oeffnen_mittel = mittel(|r| r.oeffnen_mittel);
    let zahlen_mittel = mittel(|r| r.zahlen.mittel);
    let klick = median(
        &b.app
            .iter()
            .filter_map(|r| r.klick_kopf_ms)
            .collect::<Vec<_>>(),
    );
    let start_faktor = app_start / leer_start;
    let pss_faktor = app_pss / leer_pss;
    let pruef = |x: f64, ziel: f64| x.is_finite().then_some(x <= ziel);

    let faelle = o
        .faelle
        .or_else(|| b.app.iter().find_map(|r| r.seite_gesamt));
    println!();
    println!(
        "Leistungsmessung Amtsstube ({} Build{}), {} Runden je Fenster, abwechselnd; {} Vorgänge im Profil",
        o.build,
        if o.build == "debug" {
            " – Zahlen eines Release-Builds: run.sh --release"
        } else {
            ""
        },
        b.app.len().min(b.leer.len()),
        faelle.map_or("?".to_owned(), |n| n.to_string())
    );
    let (last_min, last_max) = b
        .last
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, z), &x| {
            (a.min(x), z.max(x))
        });
    println!(
        "Last der Maschine (loadavg 1 min) während der Messung: {last_min:.1} bis {last_max:.1} bei {} Kernen",
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    println!();
    println!(
        "{:<46} {:>12} {:>12} {:>10} {:>8}  Ergebnis",
        "Messgröße (Median)", "leer", "App", "Verhältnis", "Ziel"
    );
    println!("{}", "-".repeat(104));
    println!(
        "{:<46} {:>9.0} ms {:>9.0} ms {:>9.2}× {:>7}  {}",
        "Start bis bedienbar (Sitzung → erste Antwort)",
        leer_start,
        app_start,
        start_faktor,
        "≤ 2×",
        ziel_text(pruef(start_faktor, ZIEL_START_FAKTOR))
    );
    let phase = |v: Vec<Phasen>| {
        (
            median(&v.iter().map(|p| p.vor_seite_ms).collect::<Vec<_>>()),
            median(&v.iter().map(|p| p.dom_ms).collect::<Vec<_>>()),
            median(&v.iter().map(|p| p.rahmen_ms).collect::<Vec<_>>()),
            median(&v.iter().map(|p| p.bereit_ms).collect::<Vec<_>>()),
            median(&v.iter().map(|p| p.modul_ms).collect::<Vec<_>>()),
            median(&v.iter().map(|p| p.kolibri_ms).collect::<Vec<_>>()),
            median(&v.iter().map(|p| p.info_ms).collect::<Vec<_>>()),
        )
    };
    let pl = phase(b.leer.iter().map(|r| r.phasen).collect());
    let pa = phase(b.app.iter().map(|r| r.phasen).collect());
    println!(
        "  davon bis Seitenbeginn (Prozess, WebKit, WebDriver)   {:>9.0} ms {:>9.0} ms",
        pl.0, pa.0
    );
    println!(
        "  Seitenbeginn → DOMContentLoaded                       {:>9.0} ms {:>9.0} ms",
        pl.1, pa.1
    );
    for (was, t) in [
        ("Hauptmodul läuft", pa.4),
        ("KoliBri registriert", pa.5),
        ("erste Antwort app_info", pa.6),
        ("Posteingang-Rahmen (ohne Zeilen)", pa.2),
    ] {
        println!("  Seitenbeginn → {was:<38} {:>12} {:>9.0} ms", "–", t);
    }
    println!(
        "  Seitenbeginn → bedienbar                              {:>9.0} ms {:>9.0} ms",
        pl.3, pa.3
    );
    println!(
        "{:<46} {:>12} {:>12} {:>10} {:>7}  {}",
        "Erste Seite: invoke('posteingang'), 50 Zeilen",
        "–",
        zeigen(seite),
        "",
        "≤ 100 ms",
        ziel_text(pruef(seite, ZIEL_SEITE_MS))
    );
    println!(
        "  Mittel je Aufruf (1 ms-Schritte der Seitenuhr umgangen) {:>22}",
        zeigen(seite_mittel)
    );
    println!(
        "{:<46} {:>12} {:>12} {:>10} {:>7}  {}",
        "Ansicht wechseln: Klick → Zeilen im DOM",
        "–",
        zeigen(tab),
        "",
        "≤ 100 ms",
        ziel_text(pruef(tab, ZIEL_SEITE_MS))
    );
    println!(
        "{:<46} {:>12} {:>12} {:>10} {:>7}  {}",
        "Vorgang öffnen: invoke('vorgang'), 5 Anlagen",
        "–",
        zeigen(oeffnen),
        "",
        "≤ 150 ms",
        ziel_text(pruef(oeffnen, ZIEL_OEFFNEN_MS))
    );
    println!(
        "  Mittel je Aufruf                                      {:>22}",
        zeigen(oeffnen_mittel)
    );
    println!(
        "{:<46} {:>12} {:>12} {:>10} {:>7}  Mittel {}",
        "Diagnose: invoke('ansicht_zahlen'), 6 Zahlen",
        "–",
        zeigen(zahlen),
        "",
        "–",
        zeigen(zahlen_mittel)
    );
    println!(
        "{:<46} {:>12} {:>12} {:>10} {:>7}  {}",
        "Vorgang öffnen: Klick → Kopf im DOM",
        "–",
        zeigen(klick),
        "",
        "≤ 150 ms",
        ziel_text(pruef(klick, ZIEL_OEFFNEN_MS))
    );
    println!(
        "{:<46} {:>8.1} MiB {:>8.1} MiB {:>9.2}× {:>7}  {}",
        "Speicher PSS (alle Prozesse)",
        mib(leer_pss),
        mib(app_pss),
        pss_faktor,
        "≤ 1.3×",
        ziel_text(pruef(pss_faktor, ZIEL_PSS_FAKTOR))
    );
    println!(
        "{:<46} {:>8.1} MiB {:>8.1} MiB {:>9.2}× {:>7}",
        "Speicher RSS (alle Prozesse)",
        mib(leer_rss),
        mib(app_rss),
        app_rss / leer_rss,
        "–"
    );
    println!(
        "{:<46} {:>8.1} MiB {:>8.1} MiB {:>9.2}× {:>7}",
        "Speicher USS (privat, alle Prozesse)",
        mib(leer_uss),
        mib(app_uss),
        app_uss / leer_uss,
        "–"
    );
    for (name, r) in [
        ("leer", b.leer.last().map(|r| &r.speicher)),
        ("App", b.app.last().map(|r| &r.speicher)),
    ] {
        if let Some(s) = r {
            let teile: Vec<String> = s
                .prozesse
                .iter()
                .map(|p| {
                    format!(
                        "{} PSS {:.1} / RSS {:.1} MiB",
                        p.name,
                        mib(p.pss_kib as f64),
                        mib(p.rss_kib as f64)
                    )
                })
                .collect();
            println!("  Prozesse {name} (letzte Runde): {}", teile.join("; "));
        }
    }
    let fehler = [
        (
            "posteingang",
            erste_fehler(b.app.iter().map(|r| &r.seite_fehler)),
        ),
        (
            "vorgang",
            erste_fehler(b.app.iter().map(|r| &r.oeffnen_fehler)),
        ),
        (
            "Ansicht wechseln",
            erste_fehler(b.app.iter().map(|r| &r.tab_fehler)),
        ),
        (
            "Klick auf Vorgang",
            erste_fehler(b.app.iter().map(|r| &r.klick_fehler)),
        ),
    ];
    for (was, f) in fehler
        .iter()
        .filter_map(|(w, f)| f.as_ref().map(|f| (w, f)))
    {
        println!("  nicht gemessen – {was}: {f}");
    }
    println!("Ergebnisse: {}", o.ergebnis.display());

    let zahl = |x: f64| if x.is_finite() { json!(x) } else { Value::Null };
    let runden_leer: Vec<Value> = b
        .leer
        .iter()
        .map(|r| {
            json!({
                "start_ms": r.start_ms,
                "phasen": phasen_json(r.phasen),
                "pss_kib": r.speicher.pss_kib,
                "rss_kib": r.speicher.rss_kib,
                "uss_kib": r.speicher.uss_kib,
                "prozesse": prozesse_json(&r.speicher),
            })
        })
        .collect();
    let runden_app: Vec<Value> = b
        .app
        .iter()
        .map(|r| {
            json!({
                "start_ms": r.start_ms,
                "phasen": phasen_json(r.phasen),
                "pss_kib": r.speicher.pss_kib,
                "rss_kib": r.speicher.rss_kib,
                "uss_kib": r.speicher.uss_kib,
                "prozesse": prozesse_json(&r.speicher),
                "posteingang_ms": r.seite_ms,
                "posteingang_gesamt": r.seite_gesamt,
                "posteingang_mittel_ms": zahl(r.seite_mittel),
                "ansicht_zahlen_ms": r.zahlen.einzeln,
                "ansicht_zahlen_mittel_ms": zahl(r.zahlen.mittel),
                "vorgang_mittel_ms": zahl(r.oeffnen_mittel),
                "vorgang_ms": r.oeffnen_ms,
                "vorgang_id": r.oeffnen_vorgang,
                "ansicht_wechseln_ms": r.tab_ms,
                "klick_bis_kopf_ms": r.klick_kopf_ms,
                "fehler": {
                    "posteingang": r.seite_fehler, "vorgang": r.oeffnen_fehler,
                    "ansicht_wechseln": r.tab_fehler, "klick": r.klick_fehler,
                },
            })
        })
        .collect();
    let out = json!({
        "build": o.build,
        "faelle": faelle,
        "runden": b.app.len().min(b.leer.len()),
        "loadavg": b.last,
        "kerne": std::thread::available_parallelism().map_or(0, |n| n.get()),
        "aufrufe_je_runde": AUFRUFE,
        "aufwaermen": AUFWAERMEN,
        "median": {
            "leer_start_ms": zahl(leer_start),
            "app_start_ms": zahl(app_start),
            "posteingang_ms": zahl(seite),
            "posteingang_mittel_ms": zahl(seite_mittel),
            "vorgang_mittel_ms": zahl(oeffnen_mittel),
            "ansicht_zahlen_ms": zahl(zahlen),
            "ansicht_zahlen_mittel_ms": zahl(zahlen_mittel),
            "ansicht_wechseln_ms": zahl(tab),
            "vorgang_ms": zahl(oeffnen),
            "klick_bis_kopf_ms": zahl(klick),
            "leer_pss_kib": zahl(leer_pss),
            "app_pss_kib": zahl(app_pss),
            "leer_rss_kib": zahl(leer_rss),
            "app_rss_kib": zahl(app_rss),
            "leer_uss_kib": zahl(leer_uss),
            "app_uss_kib": zahl(app_uss),
        },
        "ziele": {
            "start_faktor": { "wert": zahl(start_faktor), "ziel": ZIEL_START_FAKTOR, "erreicht": pruef(start_faktor, ZIEL_START_FAKTOR) },
            "posteingang_ms": { "wert": zahl(seite), "ziel": ZIEL_SEITE_MS, "erreicht": pruef(seite, ZIEL_SEITE_MS) },
            "ansicht_wechseln_ms": { "wert": zahl(tab), "ziel": ZIEL_SEITE_MS, "erreicht": pruef(tab, ZIEL_SEITE_MS) },
            "vorgang_ms": { "wert": zahl(oeffnen), "ziel": ZIEL_OEFFNEN_MS, "erreicht": pruef(oeffnen, ZIEL_OEFFNEN_MS) },
            "klick_bis_kopf_ms": { "wert": zahl(klick), "ziel": ZIEL_OEFFNEN_MS, "erreicht": pruef(klick, ZIEL_OEFFNEN_MS) },
            "pss_faktor": { "wert": zahl(pss_faktor), "ziel": ZIEL_PSS_FAKTOR, "erreicht": pruef(pss_faktor, ZIEL_PSS_FAKTOR) },
        },
        "leer": runden_leer,
        "app": runden_app,
    });
    if let Some(d) = o.ergebnis.parent() {
        std::fs::create_dir_all(d)?;
    }
    std::fs::write(&o.ergebnis, serde_json::to_string_pretty(&out)?)
        .with_context(|| o.ergebnis.display().to_string())?;
    Ok(())
}

fn phasen_json(p: Phasen) -> Value {
    let zahl = |x: f64| if x.is_finite() { json!(x) } else { Value::Null };
    json!({
        "vor_seite_ms": zahl(p.vor_seite_ms),
        "dom_content_loaded_ms": zahl(p.dom_ms),
        "posteingang_rahmen_ms": zahl(p.rahmen_ms),
        "bereit_ms": zahl(p.bereit_ms),
        "marken_ms": {
            "modul": zahl(p.modul_ms),
            "kolibri": zahl(p.kolibri_ms),
            "info": zahl(p.info_ms),
        },
    })
}

fn prozesse_json(s: &Speicher) -> Value {
    s.prozesse
        .iter()
        .map(
            |p| json!({ "pid": p.pid, "name": p.name, "pss_kib": p.pss_kib, "rss_kib": p.rss_kib, "uss_kib": p.uss_kib }),
        )
        .collect()
}

#[tokio::main]
async fn main() -> Result<std::process::ExitCode> {
    let o = optionen()?;
    std::fs::create_dir_all(&o.artefakte)?;
    let mut b = Bericht {
        leer: Vec::new(),
        app: Vec::new(),
        last: Vec::new(),
    };
    for n in 1..=o.runden {
        b.last.push(last());
        let r = leer_runde(&o, n)
            .await
            .with_context(|| format!("Runde {n}, leeres Fenster"))?;
        eprintln!(
            "Runde {n}/{}: leer  Start {:.0} ms, PSS {:.1} MiB",
            o.runden,
            r.start_ms,
            mib(r.speicher.pss_kib as f64)
        );
        b.leer.push(r);
        let r = app_runde(&o, n)
            .await
            .with_context(|| format!("Runde {n}, App"))?;
        eprintln!(
            "Runde {n}/{}: App   Start {:.0} ms, PSS {:.1} MiB, posteingang {}, vorgang {}",
            o.runden,
            r.start_ms,
            mib(r.speicher.pss_kib as f64),
            zeigen(median(&r.seite_ms)),
            zeigen(median(&r.oeffnen_ms))
        );
        b.last.push(last());
        b.app.push(r);
    }
    ausgeben(&o, &b)?;
    Ok(std::process::ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_median_of_an_even_list_is_the_mean_of_the_middle_two() {
        assert_eq!(median(&[4.0, 1.0, 3.0, 2.0]), 2.5);
        assert_eq!(median(&[5.0, 1.0, 3.0]), 3.0);
        assert!(median(&[]).is_nan());
    }
}
