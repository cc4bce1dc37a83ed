//! Declares the app's own commands, from the command table in `ipc::befehle`, so that the
//! capability (`capabilities/default.json`, generated from the same table) can allow exactly
//! those.
fn main() {
    let attrs = tauri_build::Attributes::new()
        .app_manifest(tauri_build::AppManifest::new().commands(ipc::befehle::BEFEHLSNAMEN));
    if let Err(e) = tauri_build::try_build(attrs) {
        println!("cargo::error=tauri-build failed: {e:#}");
    }
}
