//! The main window, built in code (not from `tauri.conf.json`, whose window entry has
//! `"create": false`) so it can carry the guards a window showing applicants' documents needs:
//!
//! * **Navigation** stays on the app's own page ([`erlaubte_adresse`]): the window cannot be
//!   sent to an `anlage://` document, an external site or a `file:` URL — a hostile document
//!   that ever got as far as a link or a script could not replace the app by itself (Tauri
//!   injects its IPC bridge into every page of a registered protocol).
//! * **Downloads** started by the page are refused: the only way onto disk is „Speichern
//!   unter…“, which the app audits.
//! * **New windows** (`window.open`, `target=_blank`) are refused.
//!
//! To allow another address (a development server, say), extend [`erlaubte_adresse`] and its
//! test.

use tauri::webview::NewWindowResponse;

/// Whether the window may navigate to `url`: only the app's own page, as Tauri serves it —
/// `tauri://localhost` (Linux, macOS) or `http(s)://tauri.localhost` (Windows).
pub fn erlaubte_adresse(url: &tauri::Url) -> bool {
    match url.scheme() {
        "tauri" => url.host_str() == Some("localhost"),
        "http" | "https" => url.host_str() == Some("tauri.localhost"),
        _ => false,
    }
}

/// Builds the main window from its entry in the configuration, with the guards above.
pub fn hauptfenster(app: &tauri::App) -> tauri::Result<tauri::WebviewWindow> {
    let config = app
        .config()
        .app
        .windows
        .iter()
        .find(|w| w.label == "main")
        .cloned()
        .ok_or_else(|| tauri::Error::WindowNotFound)?;
    tauri::WebviewWindowBuilder::from_config(app.handle(), &config)?
        .on_navigation(|url| {
            let erlaubt = erlaubte_adresse(url);
            if !erlaubt {
                // Scheme only: a document's address carries the case id.
                eprintln!(
                    "Amtsstube: Navigation des Fensters zu einer {}:-Adresse verhindert.",
                    url.scheme()
                );
            }
            erlaubt
        })
        .on_download(|_, _| false)
        .on_new_window(|_, _| NewWindowResponse::Deny)
        .build()
}

#[cfg(test)]
mod tests {
    use super::erlaubte_adresse;

    fn url(s: &str) -> tauri::Url {
        s.parse().unwrap()
    }

    #[test]
    fn only_the_apps_own_page_is_a_place_the_window_may_go() {
        for gut in [
            "tauri://localhost/",
            "tauri://localhost/index.html#/vorgang/1",
            "http://tauri.localhost/",
            "https://tauri.localhost/#/einstellungen",
        ] {
            assert!(erlaubte_adresse(&url(gut)), "{gut}");
        }
        for boese in [
            "anlage://localhost/1/abc",
            "http://anlage.localhost/1/abc",
            "https://example.org/",
            "http://localhost:8080/",
            "tauri://evil/",
            "file:///etc/passwd",
            "data:text/html,<script>1</script>",
            "javascript:alert(1)",
            "about:blank",
            "ipc://localhost/notiz_hinzufuegen",
            "http://tauri.localhost.example.org/",
        ] {
            assert!(!erlaubte_adresse(&url(boese)), "{boese}");
        }
    }
}
