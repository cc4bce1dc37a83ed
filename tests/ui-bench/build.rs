//! Declares the bare window's single command so its capability can allow exactly that one.
fn main() {
    let attrs = tauri_build::Attributes::new()
        .app_manifest(tauri_build::AppManifest::new().commands(&["ping"]));
    if let Err(e) = tauri_build::try_build(attrs) {
        println!("cargo::error=tauri-build failed: {e:#}");
    }
}
