#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Documents from applicants are hostile (issue 18): the `anlage://` protocol serves a
//! document only while its case is open in this window, audits the first read of each
//! document per opening, decides the type by the content and not by what the applicant
//! declared, and caps range answers. Runs on a real encrypted store in a temporary profile
//! (inside a Secret Service: `with-keyring.sh cargo test -p app --test anlage_schutz`).

use std::io::Write;

use app::AppContext;
use app::anlage::{ANLAGE_ANGESEHEN, HttpAnfrage, HttpAntwort, MAX_BEREICH};
use domain::aktenzeichen::AktenzeichenMuster;
use domain::{AnlageRef, Antragsteller, DatenFormat, Formulardaten, Leistung, Vorgang};
use ipc::Rolle;
use store::AktenzeichenVergabe;
use time::OffsetDateTime;

const APP: &str = "tauri://localhost";

fn kontext() -> (tempfile::TempDir, AppContext) {
    let dir = tempfile::tempdir().unwrap();
    let ctx = AppContext::open(dir.path())
        .unwrap()
        .mit_sitzung("anna", Rolle::Sachbearbeitung);
    (dir, ctx)
}

/// A case with the given attachments (file name, declared type, content); returns its id and
/// the attachments' hashes.
fn fall(ctx: &AppContext, anlagen: &[(&str, &str, Vec<u8>)]) -> (String, Vec<String>) {
    let mut v = Vorgang::neu(
        Leistung {
            leika: "99001".into(),
            name: "Bauantrag".into(),
        },
        OffsetDateTime::now_utc(),
        Antragsteller {
            name: "Ida Anlage".into(),
            ..Default::default()
        },
        Formulardaten {
            format: DatenFormat::Json,
            schema_uri: "urn:x".into(),
            inhalt: "{}".into(),
        },
    );
    let mut shas = Vec::new();
    for (name, mime, inhalt) in anlagen {
        let mut w = ctx.store().anlage_schreiber().unwrap();
        w.write_all(inhalt).unwrap();
        let (sha, groesse) = w.abschliessen().unwrap();
        v.anlagen.push(AnlageRef {
            sha512: sha.clone(),
            dateiname: (*name).into(),
            mime: (*mime).into(),
            groesse,
        });
        shas.push(sha);
    }
    let vergabe = AktenzeichenVergabe {
        muster: AktenzeichenMuster::default(),
        amt: "32".into(),
        kuerzel: "EIN".into(),
    };
    ctx.store()
        .write(|w| {
            w.vorgang_anlegen(&mut v, &vergabe, "system:sync")
                .map(|_| ())
        })
        .unwrap();
    (v.id.to_string(), shas)
}

fn pdf(groesse: usize) -> Vec<u8> {
    let mut p = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n".to_vec();
    while p.len() < groesse {
        p.extend_from_slice(b"% padding padding padding padding padding padding padding\n");
    }
    p.extend_from_slice(b"%%EOF\n");
    p
}

fn holen(ctx: &AppContext, id: &str, sha: &str, range: Option<&str>) -> HttpAntwort {
    ctx.anlage_antwort(&HttpAnfrage {
        methode: "GET",
        pfad: &format!("/{id}/{sha}"),
        range,
        origin: Some(APP),
    })
}

fn angesehen(ctx: &AppContext, id: &str) -> usize {
    let vid = domain::VorgangId(id.parse::<uuid::Uuid>().unwrap());
    ctx.store()
        .read(|r| r.audit_fuer_vorgang(&vid))
        .unwrap()
        .iter()
        .filter(|e| e.was == ANLAGE_ANGESEHEN)
        .count()
}

fn kopf<'a>(a: &'a HttpAntwort, name: &str) -> &'a str {
    a.kopfzeile(name)
        .unwrap_or_else(|| panic!("header {name} missing: {:?}", a.kopf))
}

#[test]
fn a_document_of_a_case_this_window_has_not_opened_is_refused() {
    let (_d, ctx) = kontext();
    let (id, shas) = fall(&ctx, &[("Lageplan.pdf", "application/pdf", pdf(500))]);
    let a = holen(&ctx, &id, &shas[0], None);
    assert_eq!(a.status, 403);
    assert!(String::from_utf8_lossy(&a.body).contains("Öffnen Sie den Vorgang"));
    assert!(!a.body.starts_with(b"%PDF"));
    assert_eq!(kopf(&a, "Content-Security-Policy"), app::anlage::CSP);
    assert_eq!(angesehen(&ctx, &id), 0, "a refused read is no view");
    // The app's own read (the seal check) is refused the same way.
    assert!(ctx.anlage_lesen(&id, &shas[0], None).is_err());
}

#[test]
fn an_opened_case_serves_its_pdf_inline_and_audits_one_view_for_many_ranges() {
    let (_d, ctx) = kontext();
    let inhalt = pdf(300_000);
    let (id, shas) = fall(&ctx, &[("Lageplan.pdf", "application/pdf", inhalt.clone())]);
    ctx.vorgang(id.clone()).unwrap();
    let n = inhalt.len() as u64;
    for (von, bis) in [(0, 65_535), (65_536, 131_071), (131_072, n - 1), (0, 9)] {
        let a = holen(&ctx, &id, &shas[0], Some(&format!("bytes={von}-{bis}")));
        assert_eq!(a.status, 206);
        assert_eq!(a.body, inhalt[von as usize..=bis as usize]);
        assert_eq!(kopf(&a, "Content-Type"), "application/pdf");
        assert_eq!(kopf(&a, "Content-Disposition"), "inline");
        assert_eq!(kopf(&a, "Content-Range"), format!("bytes {von}-{bis}/{n}"));
    }
    assert_eq!(angesehen(&ctx, &id), 1, "one view, however many ranges");
    // Opening the case again is a new opening: its first read is a new view.
    ctx.vorgang(id.clone()).unwrap();
    let a = holen(&ctx, &id, &shas[0], None);
    assert_eq!((a.status, a.body.len()), (200, inhalt.len()));
    holen(&ctx, &id, &shas[0], Some("bytes=0-99"));
    assert_eq!(angesehen(&ctx, &id), 2);
}

#[test]
fn every_answer_sandboxes_forbids_sniffing_and_grants_cors_only_to_the_app() {
    let (_d, ctx) = kontext();
    let (id, shas) = fall(&ctx, &[("Lageplan.pdf", "application/pdf", pdf(500))]);
    ctx.vorgang(id.clone()).unwrap();
    let a = holen(&ctx, &id, &shas[0], None);
    assert_eq!(a.status, 200);
    assert!(kopf(&a, "Content-Security-Policy").starts_with("sandbox"));
    assert_eq!(kopf(&a, "X-Content-Type-Options"), "nosniff");
    assert_eq!(kopf(&a, "Cache-Control"), "no-store");
    assert_eq!(kopf(&a, "Access-Control-Allow-Origin"), APP);
    assert!(a.kopf.iter().all(|(_, v)| v != "*"), "{:?}", a.kopf);
    for origin in [None, Some("null"), Some("http://localhost:1420")] {
        let a = ctx.anlage_antwort(&HttpAnfrage {
            methode: "GET",
            pfad: &format!("/{id}/{}", shas[0]),
            range: None,
            origin,
        });
        assert_eq!(a.status, 200);
        assert_eq!(
            a.kopfzeile("Access-Control-Allow-Origin"),
            None,
            "{origin:?}"
        );
    }
    // A preflight from the app is answered; other methods are not served.
    let p = ctx.anlage_antwort(&HttpAnfrage {
        methode: "OPTIONS",
        pfad: &format!("/{id}/{}", shas[0]),
        range: None,
        origin: Some(APP),
    });
    assert_eq!(
        (p.status, kopf(&p, "Access-Control-Allow-Headers")),
        (204, "Range")
    );
    let post = ctx.anlage_antwort(&HttpAnfrage {
        methode: "POST",
        pfad: &format!("/{id}/{}", shas[0]),
        range: None,
        origin: Some(APP),
    });
    assert_eq!(post.status, 405);
}

#[test]
fn html_declared_as_pdf_or_png_is_served_as_a_download_not_as_a_page() {
    let (_d, ctx) = kontext();
    let html = b"<!doctype html><html><script>window.__amtsstube_xss = 1</script></html>".to_vec();
    let (id, shas) = fall(
        &ctx,
        &[
            ("Nachweis.pdf", "application/pdf", html.clone()),
            ("Foto.png", "image/png", html.clone()),
            ("Seite.html", "text/html", html.clone()),
        ],
    );
    ctx.vorgang(id.clone()).unwrap();
    for sha in &shas {
        let a = holen(&ctx, &id, sha, None);
        assert_eq!(a.status, 200);
        assert_eq!(kopf(&a, "Content-Type"), "application/octet-stream");
        assert_eq!(kopf(&a, "Content-Disposition"), "attachment");
        assert_eq!(a.body, html);
    }
}

#[test]
fn svg_and_xhtml_with_script_are_served_as_downloads() {
    let (_d, ctx) = kontext();
    let svg = br#"<svg xmlns="http://www.w3.org/2000/svg" onload="window.__amtsstube_xss=1"><script>window.__amtsstube_xss=1</script></svg>"#.to_vec();
    let xhtml = br#"<?xml version="1.0"?><html xmlns="http://www.w3.org/1999/xhtml"><script>window.__amtsstube_xss=1</script></html>"#.to_vec();
    let (id, shas) = fall(
        &ctx,
        &[
            ("Plan.svg", "image/svg+xml", svg),
            ("Seite.xhtml", "application/xhtml+xml", xhtml),
        ],
    );
    ctx.vorgang(id.clone()).unwrap();
    for sha in &shas {
        // Also a range from the middle: the type comes from the first bytes, not the range's.
        for range in [None, Some("bytes=10-20")] {
            let a = holen(&ctx, &id, sha, range);
            assert_eq!(kopf(&a, "Content-Type"), "application/octet-stream");
            assert_eq!(kopf(&a, "Content-Disposition"), "attachment");
        }
    }
}

#[test]
fn a_png_is_shown_inline_under_its_sniffed_type_even_when_declared_otherwise() {
    let (_d, ctx) = kontext();
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    png.extend_from_slice(&[0; 64]);
    let (id, shas) = fall(&ctx, &[("Scan.pdf", "application/pdf", png)]);
    ctx.vorgang(id.clone()).unwrap();
    let a = holen(&ctx, &id, &shas[0], Some("bytes=20-"));
    assert_eq!(a.status, 206);
    assert_eq!(kopf(&a, "Content-Type"), "image/png");
    assert_eq!(kopf(&a, "Content-Disposition"), "inline");
}

#[test]
fn a_range_answer_carries_at_most_four_mebibytes() {
    let (_d, ctx) = kontext();
    let inhalt = pdf(MAX_BEREICH as usize + 1_000_000);
    let n = inhalt.len() as u64;
    let (id, shas) = fall(&ctx, &[("Gross.pdf", "application/pdf", inhalt.clone())]);
    ctx.vorgang(id.clone()).unwrap();
    for range in ["bytes=0-", &format!("bytes=0-{}", n - 1), "bytes=5-"] {
        let a = holen(&ctx, &id, &shas[0], Some(range));
        assert_eq!(a.status, 206, "{range}");
        assert_eq!(a.body.len() as u64, MAX_BEREICH, "{range}");
        let von: u64 = range[6..].split('-').next().unwrap().parse().unwrap();
        assert_eq!(
            kopf(&a, "Content-Range"),
            format!("bytes {von}-{}/{n}", von + MAX_BEREICH - 1)
        );
        assert_eq!(a.body, inhalt[von as usize..(von + MAX_BEREICH) as usize]);
    }
    let hinter = holen(&ctx, &id, &shas[0], Some(&format!("bytes={n}-")));
    assert_eq!(hinter.status, 416);
}

#[test]
fn a_document_of_another_case_is_not_found_through_an_opened_case() {
    let (_d, ctx) = kontext();
    let (a_id, _) = fall(&ctx, &[("A.pdf", "application/pdf", pdf(100))]);
    let (_, b_shas) = fall(&ctx, &[("B.pdf", "application/pdf", pdf(200))]);
    ctx.vorgang(a_id.clone()).unwrap();
    assert_eq!(holen(&ctx, &a_id, &b_shas[0], None).status, 404);
    assert_eq!(angesehen(&ctx, &a_id), 0);
}
