//! Declares the app's own commands so that capabilities can allow exactly those.
fn main() {
    let attrs =
        tauri_build::Attributes::new().app_manifest(tauri_build::AppManifest::new().commands(&[
            "app_info",
            "sitzung",
            "posteingang",
            "ansicht_zahlen",
            "mir_zuweisen",
            "vorgang",
            "vorgang_aktion",
            "notiz_hinzufuegen",
            "anlage_speichern",
            "gespeicherte_filter",
            "filter_speichern",
            "filter_loeschen",
            "sync_status",
            "jetzt_abrufen",
        ]));
    if let Err(e) = tauri_build::try_build(attrs) {
        println!("cargo::error=tauri-build failed: {e:#}");
    }
}
