// Hide the console window of release builds on Windows.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() -> std::process::ExitCode {
    // Before anything holds the database key: no core dumps (issue 18).
    if let Err(e) = app::haertung::kernabbilder_verbieten() {
        eprintln!("{e}");
    }
    amtsstube_desktop::run()
}
