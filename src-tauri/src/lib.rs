//! Amtsstube desktop shell: the only crate that depends on Tauri.
//!
//! It glues and does nothing else: it resolves the profile, builds one [`app::AppContext`],
//! registers the commands (each forwards to a method on the context, see [`commands`]) and
//! opens the window. Domain logic lives in the crates under `crates/`, which build and test
//! without a display.
//!
//! To add a command: add it to the command table (`ipc::mit_befehlen!` in
//! `crates/ipc/src/befehle.rs`), implement it on `AppContext` (crate `app`), forward to it in
//! [`commands`] and run `cargo xtask bindings`. The handler list, the app manifest in
//! `build.rs` and the capability follow from the table; a forwarder that does not match its
//! entry does not compile in the test build.

pub mod aktualisierung;
pub mod anlage_protokoll;
pub mod commands;
pub mod fenster;

use std::process::ExitCode;
use std::sync::Arc;

use tauri::Emitter as _;

/// Tells whether a graphical display is reachable; `Err` carries a German explanation.
fn check_display() -> Result<(), String> {
    #[cfg(target_os = "linux")]
    {
        let has = |v: &str| std::env::var_os(v).is_some_and(|x| !x.is_empty());
        if !has("DISPLAY") && !has("WAYLAND_DISPLAY") {
            return Err(
                "Amtsstube braucht eine grafische Oberfläche, aber weder DISPLAY noch \
                WAYLAND_DISPLAY ist gesetzt.\nStarten Sie die App in einer Desktop-Sitzung oder \
                ohne Bildschirm unter Xvfb: `xvfb-run -a cargo xtask run`."
                    .to_owned(),
            );
        }
    }
    Ok(())
}

/// Starts the background sync (on start, every few minutes, on demand) and forwards its
/// reports to the window as events (`sync-status`, `vorgaenge-geaendert`).
fn start_sync(handle: tauri::AppHandle, ctx: &app::AppContext) {
    let melden: app::sync_dienst::Melder =
        Arc::new(move |m: app::sync_dienst::SyncMeldung| match m {
            app::sync_dienst::SyncMeldung::Status(status) => {
                let _ = handle.emit("sync-status", status);
            }
            app::sync_dienst::SyncMeldung::VorgaengeGeaendert => {
                let _ = handle.emit("vorgaenge-geaendert", serde_json::json!({}));
            }
        });
    let laufzeit = tauri::async_runtime::handle();
    app::sync_dienst::SyncDienst::starten(ctx, laufzeit.inner(), melden);
}

/// Environment variable: `beschleunigt` keeps WebKitGTK's GPU compositing (Linux).
pub const GRAFIK_ENV: &str = "AMTSSTUBE_GRAFIK";

/// On Linux, renders the window without WebKitGTK's GL compositing unless
/// `AMTSSTUBE_GRAFIK=beschleunigt`. Amtsstube shows forms and tables, which WebKit paints fast
/// enough on the CPU. Composited layers cost GL textures, and on the machines offices often
/// have (virtual desktops, Xvfb, no GPU: Mesa's llvmpipe) those textures are ordinary memory:
/// measured with the queue at 100,000 cases, the WebKitWebProcess holds 151 MiB of anonymous
/// memory with compositing and 43 MiB without (`tests/ui-bench`). It also avoids the
/// blank-window driver problems WebKitGTK is known for with some GPUs.
fn grafik_einstellen(window: &tauri::WebviewWindow) {
    #[cfg(target_os = "linux")]
    {
        if std::env::var(GRAFIK_ENV).is_ok_and(|v| v.trim() == "beschleunigt") {
            return;
        }
        let _ = window.with_webview(|wv| {
            use webkit2gtk::{SettingsExt as _, WebViewExt as _};
            if let Some(s) = wv.inner().settings() {
                s.set_hardware_acceleration_policy(webkit2gtk::HardwareAccelerationPolicy::Never);
            }
        });
    }
    #[cfg(not(target_os = "linux"))]
    let _ = window;
}

/// The handler list: every command of the table (`ipc::mit_befehlen!`) by its forwarder in
/// [`commands`].
macro_rules! befehle_registrieren {
    ($(
        $(#[$doku:meta])*
        $name:ident ( $($arg:ident : $argty:ty),* ) -> $ant:ty => $ausf:ident $(, $vorab:ident)? ;
    )*) => {
        tauri::generate_handler![$(commands::$name),*]
    };
}

/// Log files in the profile and the journal, at the policy's level (crate `protokoll`).
fn protokoll_einrichten(ctx: &app::AppContext) {
    let stufe = ctx
        .richtlinie()
        .protokollstufe
        .and_then(|s| protokoll::stufe_lesen(s.name()).ok());
    match protokoll::einrichten(ctx.profile_dir(), "amtsstube-desktop", stufe) {
        Ok(e) => tracing::info!(
            version = env!("CARGO_PKG_VERSION"),
            journal = e.journal,
            stufe = %e.stufe,
            "Amtsstube gestartet"
        ),
        Err(e) => eprintln!("Amtsstube: {e}"),
    }
}

/// Starts the desktop app; returns the process exit code.
pub fn run() -> ExitCode {
    if let Err(msg) = check_display() {
        eprintln!("{msg}");
        return ExitCode::from(2);
    }
    // A profile that cannot be opened (no key source, wrong key, newer schema …) still gets a
    // window: it shows the German explanation and what to do, instead of a silent exit.
    let ctx: commands::Shared = app::profile::default_dir()
        .and_then(|dir| app::AppContext::open(&dir))
        .map(Arc::new)
        .map_err(|e| {
            eprintln!("Amtsstube kann das Profil nicht öffnen: {e}");
            ipc::IpcError::from(e)
        });
    if let Ok(c) = &ctx {
        protokoll_einrichten(c);
    }
    let for_setup = ctx.clone();
    let for_protocol = ctx.clone();
    // Updates only as the policy says: without it the plugin is not registered.
    let updates = aktualisierung::fuer_start(&ctx);
    let mut kontext = tauri::generate_context!();
    let result =
        aktualisierung::einrichten(tauri::Builder::default(), &mut kontext, updates.as_ref())
            .plugin(tauri_plugin_dialog::init())
            .manage::<commands::Shared>(ctx)
            .register_asynchronous_uri_scheme_protocol("anlage", move |_ctx, request, responder| {
                let ctx = for_protocol.clone();
                // Decrypting is blocking work: keep it off the webview's thread.
                tauri::async_runtime::spawn_blocking(move || {
                    let response = match &ctx {
                        Ok(ctx) => anlage_protokoll::antwort(ctx, &request),
                        Err(e) => anlage_protokoll::fehler(e),
                    };
                    responder.respond(response);
                });
            })
            .invoke_handler(ipc::mit_befehlen!(befehle_registrieren))
            .setup(move |app| {
                let w = fenster::hauptfenster(app)?;
                grafik_einstellen(&w);
                if let Ok(ctx) = &for_setup {
                    start_sync(app.handle().clone(), ctx);
                }
                aktualisierung::beim_start(app.handle(), updates);
                Ok(())
            })
            .run(kontext);
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("Amtsstube wurde mit einem Fehler beendet: {e}");
            ExitCode::from(1)
        }
    }
}
