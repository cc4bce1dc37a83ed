//! `amtsstube-leer`: the baseline of the UI benchmark — a Tauri v2 window with an empty page
//! whose only script calls the command [`ping`] once and then marks the page ready. Everything
//! the real app adds (React, KoliBri, the store, the simulator) is absent, so the difference
//! between the two is the app's own cost.

/// The one command: answers immediately.
#[tauri::command]
fn ping() -> &'static str {
    "pong"
}

fn main() -> std::process::ExitCode {
    let result = tauri::Builder::default()
        .invoke_handler(tauri::generate_handler![ping])
        .run(tauri::generate_context!());
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("Das leere Fenster wurde mit einem Fehler beendet: {e}");
            std::process::ExitCode::from(1)
        }
    }
}
