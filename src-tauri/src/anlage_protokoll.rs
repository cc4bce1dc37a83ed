//! The `anlage://` protocol: attachments stream from the encrypted store into the webview.
//!
//! `anlage://localhost/<vorgang-id>/<sha512>` (WebView2: `http://anlage.localhost/…`) answers
//! with the decrypted bytes, `Cache-Control: no-store` and byte ranges (`Range: bytes=a-b` →
//! 206), so pdf.js fetches a large PDF piece by piece and no plaintext copy is ever written to
//! disk or kept in the webview's cache. Parsing lives here and is unit-tested; reading is
//! `app::AppContext::anlage_lesen`.

use tauri::http::{Request, Response, StatusCode, header};

/// A parsed request: which attachment of which case, and which bytes.
#[derive(Debug, PartialEq, Eq)]
pub struct Anfrage {
    /// Case id.
    pub vorgang_id: String,
    /// SHA-512 of the attachment (hex).
    pub sha512: String,
    /// Requested byte range: first byte, last byte (inclusive) if given.
    pub bereich: Option<(u64, Option<u64>)>,
}

/// Parses the path `/<vorgang-id>/<sha512>` and an optional `Range` header.
pub fn parse(path: &str, range: Option<&str>) -> Result<Anfrage, String> {
    let mut teile = path.trim_start_matches('/').split('/');
    let (Some(vorgang_id), Some(sha512), None) = (teile.next(), teile.next(), teile.next()) else {
        return Err(format!("Unbekannte Adresse einer Anlage: {path}"));
    };
    let gueltig_id = !vorgang_id.is_empty()
        && vorgang_id
            .chars()
            .all(|c| c.is_ascii_hexdigit() || c == '-');
    let gueltig_sha = sha512.len() == 128 && sha512.chars().all(|c| c.is_ascii_hexdigit());
    if !gueltig_id || !gueltig_sha {
        return Err("Die Adresse der Anlage ist ungültig.".to_owned());
    }
    let bereich = match range {
        None => None,
        Some(r) => Some(parse_range(r)?),
    };
    Ok(Anfrage {
        vorgang_id: vorgang_id.to_owned(),
        sha512: sha512.to_ascii_lowercase(),
        bereich,
    })
}

/// `bytes=a-b` or `bytes=a-` (one range; suffix ranges `bytes=-n` are not used by pdf.js).
fn parse_range(r: &str) -> Result<(u64, Option<u64>), String> {
    let fehler = || format!("Nicht unterstützter Bereich: {r}");
    let spec = r.trim().strip_prefix("bytes=").ok_or_else(fehler)?;
    let (a, b) = spec.split_once('-').ok_or_else(fehler)?;
    let start: u64 = a.trim().parse().map_err(|_| fehler())?;
    let ende = match b.trim() {
        "" => None,
        b => Some(b.parse::<u64>().map_err(|_| fehler())?),
    };
    if ende.is_some_and(|e| e < start) {
        return Err(fehler());
    }
    Ok((start, ende))
}

fn base(status: StatusCode) -> tauri::http::response::Builder {
    Response::builder()
        .status(status)
        .header(header::CACHE_CONTROL, "no-store")
        .header(header::ACCESS_CONTROL_ALLOW_ORIGIN, "*")
        .header(header::ACCESS_CONTROL_ALLOW_HEADERS, "Range")
        .header(
            header::ACCESS_CONTROL_EXPOSE_HEADERS,
            "Content-Range, Content-Length, Accept-Ranges",
        )
        .header("X-Content-Type-Options", "nosniff")
}

fn text(status: StatusCode, msg: &str) -> Response<Vec<u8>> {
    base(status)
        .header(header::CONTENT_TYPE, "text/plain; charset=utf-8")
        .body(msg.as_bytes().to_vec())
        .unwrap_or_default()
}

/// The answer when the profile could not be opened.
pub fn fehler(e: &ipc::IpcError) -> Response<Vec<u8>> {
    text(StatusCode::SERVICE_UNAVAILABLE, &e.message)
}

/// Answers one request against the context.
pub fn antwort(ctx: &app::AppContext, req: &Request<Vec<u8>>) -> Response<Vec<u8>> {
    if req.method() == tauri::http::Method::OPTIONS {
        return base(StatusCode::NO_CONTENT)
            .body(Vec::new())
            .unwrap_or_default();
    }
    let range = req
        .headers()
        .get(header::RANGE)
        .and_then(|v| v.to_str().ok());
    let anfrage = match parse(req.uri().path(), range) {
        Ok(a) => a,
        Err(msg) => return text(StatusCode::BAD_REQUEST, &msg),
    };
    match ctx.anlage_lesen(&anfrage.vorgang_id, &anfrage.sha512, anfrage.bereich) {
        Ok(inhalt) => {
            let status = if anfrage.bereich.is_some() {
                StatusCode::PARTIAL_CONTENT
            } else {
                StatusCode::OK
            };
            let mut b = base(status)
                .header(header::CONTENT_TYPE, inhalt.mime.as_str())
                .header(header::ACCEPT_RANGES, "bytes")
                .header(header::CONTENT_LENGTH, inhalt.bytes.len());
            if anfrage.bereich.is_some() {
                let ende = (inhalt.start + inhalt.bytes.len() as u64).saturating_sub(1);
                b = b.header(
                    header::CONTENT_RANGE,
                    format!("bytes {}-{ende}/{}", inhalt.start, inhalt.gesamt),
                );
            }
            b.body(inhalt.bytes).unwrap_or_default()
        }
        Err(e) => {
            let status = match e.code {
                ipc::ErrorCode::NotFound => StatusCode::NOT_FOUND,
                ipc::ErrorCode::InvalidInput => StatusCode::RANGE_NOT_SATISFIABLE,
                _ => StatusCode::INTERNAL_SERVER_ERROR,
            };
            text(status, &e.message)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SHA: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\
                       0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    #[test]
    fn a_case_id_and_a_hash_make_a_request() {
        let a = parse(&format!("/6f1c-22/{SHA}"), None).unwrap();
        assert_eq!(a.vorgang_id, "6f1c-22");
        assert_eq!(a.sha512, SHA);
        assert_eq!(a.bereich, None);
    }

    #[test]
    fn ranges_are_parsed_as_pdfjs_sends_them() {
        let p = format!("/ab/{SHA}");
        assert_eq!(
            parse(&p, Some("bytes=0-65535")).unwrap().bereich,
            Some((0, Some(65535)))
        );
        assert_eq!(
            parse(&p, Some("bytes=65536-")).unwrap().bereich,
            Some((65536, None))
        );
        assert!(parse(&p, Some("bytes=9-3")).is_err());
        assert!(parse(&p, Some("items=0-1")).is_err());
    }

    #[test]
    fn paths_that_leave_the_pattern_are_refused() {
        assert!(parse("/../../etc/passwd", None).is_err());
        assert!(parse(&format!("/ab/{SHA}/x"), None).is_err());
        assert!(parse("/ab/1234", None).is_err());
        assert!(parse(&format!("/a b/{SHA}"), None).is_err());
    }
}
