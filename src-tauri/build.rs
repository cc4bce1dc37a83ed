//! Declares the app's own commands so that capabilities can allow exactly those.
fn main() {
    let attrs = tauri_build::Attributes::new()
        .app_manifest(tauri_build::AppManifest::new().commands(&["app_info"]));
    if let Err(e) = tauri_build::try_build(attrs) {
        println!("cargo::error=tauri-build failed: {e:#}");
    }
}
