//! The `anlage://` protocol: attachments stream from the encrypted store into the webview.
//!
//! `anlage://localhost/<vorgang-id>/<sha512>` (WebView2: `http://anlage.localhost/…`) answers
//! with the decrypted bytes, `Cache-Control: no-store` and byte ranges (`Range: bytes=a-b` →
//! 206), so pdf.js fetches a large PDF piece by piece and no plaintext copy is ever written to
//! disk or kept in the webview's cache. Everything the answer says (who may read, which type,
//! which headers, how many bytes) is decided and unit-tested in `app::anlage`
//! ([`app::AppContext::anlage_antwort`]); this module only maps Tauri's request and response.

use tauri::http::{Request, Response, header};

/// Copies an answer of the app crate into a Tauri response.
fn abbilden(a: app::anlage::HttpAntwort) -> Response<Vec<u8>> {
    let mut b = Response::builder().status(a.status);
    for (name, wert) in &a.kopf {
        b = b.header(*name, wert.as_str());
    }
    b.body(a.body).unwrap_or_default()
}

/// The answer when the profile could not be opened.
pub fn fehler(e: &ipc::IpcError) -> Response<Vec<u8>> {
    abbilden(app::anlage::HttpAntwort::text(503, None, &e.message))
}

/// Answers one request against the context.
pub fn antwort(ctx: &app::AppContext, req: &Request<Vec<u8>>) -> Response<Vec<u8>> {
    let kopf = |name| req.headers().get(name).and_then(|v| v.to_str().ok());
    let methode = req.method().as_str();
    let anfrage = app::anlage::HttpAnfrage {
        methode,
        pfad: req.uri().path(),
        range: kopf(header::RANGE),
        origin: kopf(header::ORIGIN),
    };
    abbilden(ctx.anlage_antwort(&anfrage))
}
