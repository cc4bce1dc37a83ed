//! Amtsstube desktop shell: the only crate that depends on Tauri.
//!
//! It glues and does nothing else: it resolves the profile, builds one [`app::AppContext`],
//! registers the commands (each forwards to a method on the context, see [`commands`]) and
//! opens the window. Domain logic lives in the crates under `crates/`, which build and test
//! without a display.
//!
//! To add a command: implement it on `AppContext` (crate `app`), forward to it in
//! [`commands`], list it in `build.rs` and allow it in `capabilities/default.json`.

pub mod commands;

use std::process::ExitCode;
use std::sync::Mutex;

use tauri::Manager as _;

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

/// Demo-Modus: starts the built-in simulator without delaying the window, then attaches it.
fn start_demo_in_background(handle: tauri::AppHandle) {
    tauri::async_runtime::spawn(async move {
        match app::start_demo_simulator().await {
            Ok(sim) => {
                let state = handle.state::<commands::Shared>();
                if let Ok(mut guard) = state.lock()
                    && let Ok(ctx) = guard.as_mut()
                {
                    ctx.attach_demo(sim);
                }
            }
            Err(e) => eprintln!("{}", e.message),
        }
    });
}

/// Starts the desktop app; returns the process exit code.
pub fn run() -> ExitCode {
    if let Err(msg) = check_display() {
        eprintln!("{msg}");
        return ExitCode::from(2);
    }
    // A profile that cannot be opened (no key source, wrong key, newer schema …) still gets a
    // window: it shows the German explanation and what to do, instead of a silent exit.
    let ctx = app::profile::default_dir()
        .and_then(|dir| app::AppContext::open(&dir))
        .map_err(|e| {
            eprintln!("Amtsstube kann das Profil nicht öffnen: {e}");
            ipc::IpcError::from(e)
        });
    let demo = ctx.as_ref().is_ok_and(app::AppContext::is_demo);
    let result = tauri::Builder::default()
        .manage::<commands::Shared>(Mutex::new(ctx))
        .invoke_handler(tauri::generate_handler![commands::app_info])
        .setup(move |app| {
            if demo {
                start_demo_in_background(app.handle().clone());
            }
            Ok(())
        })
        .run(tauri::generate_context!());
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("Amtsstube wurde mit einem Fehler beendet: {e}");
            ExitCode::from(1)
        }
    }
}
