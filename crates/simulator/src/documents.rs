//! Small but valid documents for attachments: a one-page PDF with text, and a PNG image;
//! and hostile ones ([`feindliche_anlagen`]) as an attacker would attach them.
//! Built by code so tests need no binary fixtures.

use std::fmt::Write as _;

/// A one-page PDF 1.4 showing `lines` (Latin-1 subset; other characters become `?`).
/// `padding` adds a comment block to reach a realistic size.
pub fn pdf(title: &str, lines: &[String], padding: usize) -> Vec<u8> {
    let mut content = String::from("BT /F1 14 Tf 56 780 Td ");
    let _ = write!(content, "({}) Tj /F1 10 Tf", pdf_text(title));
    for line in lines {
        let _ = write!(content, " 0 -16 Td ({}) Tj", pdf_text(line));
    }
    content.push_str(" ET");
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_owned(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_owned(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>".to_owned(),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>".to_owned(),
        format!("<< /Length {} >>\nstream\n{content}\nendstream", content.len()),
    ];
    let mut out: Vec<u8> = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n".to_vec();
    let mut offsets = Vec::new();
    for (i, obj) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n{obj}\nendobj\n", i + 1).as_bytes());
    }
    // Padding as PDF comments (ignored by readers) to reach realistic sizes.
    let mut left = padding;
    while left > 0 {
        let n = left.min(78);
        out.push(b'%');
        out.extend(std::iter::repeat_n(b'x', n.saturating_sub(2)));
        out.push(b'\n');
        left = left.saturating_sub(n);
    }
    let xref = out.len();
    let mut tail = format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1);
    for o in offsets {
        let _ = writeln!(tail, "{o:010} 00000 n ");
    }
    let _ = write!(
        tail,
        "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
        objects.len() + 1
    );
    out.extend_from_slice(tail.as_bytes());
    out
}

fn pdf_text(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '(' | ')' | '\\' => format!("\\{c}"),
            c if (c as u32) < 0x20 => " ".to_owned(),
            c if (c as u32) < 0x80 => c.to_string(),
            c if (c as u32) <= 0xff => format!("\\{:03o}", c as u32),
            // WinAnsiEncoding's characters beyond Latin-1 that German text uses.
            '–' => "\\226".to_owned(),
            '—' => "\\227".to_owned(),
            '€' => "\\200".to_owned(),
            '„' => "\\204".to_owned(),
            '“' => "\\223".to_owned(),
            '‚' => "\\202".to_owned(),
            '‘' => "\\221".to_owned(),
            _ => "?".to_owned(),
        })
        .collect()
}

/// A `width`×`height` RGB PNG with a gradient seeded by `seed` (uncompressed deflate blocks).
pub fn png(width: u32, height: u32, seed: u8) -> Vec<u8> {
    let mut raw = Vec::with_capacity(((width * 3 + 1) * height) as usize);
    for y in 0..height {
        raw.push(0); // filter: none
        for x in 0..width {
            raw.push((x as u8).wrapping_add(seed));
            raw.push((y as u8).wrapping_mul(2));
            raw.push(seed ^ ((x ^ y) as u8));
        }
    }
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = Vec::new();
    ihdr.extend_from_slice(&width.to_be_bytes());
    ihdr.extend_from_slice(&height.to_be_bytes());
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]);
    chunk(&mut out, b"IHDR", &ihdr);
    chunk(&mut out, b"IDAT", &zlib_stored(&raw));
    chunk(&mut out, b"IEND", &[]);
    out
}

fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    out.extend_from_slice(&(data.len() as u32).to_be_bytes());
    let start = out.len();
    out.extend_from_slice(kind);
    out.extend_from_slice(data);
    let crc = crc32(&out[start..]);
    out.extend_from_slice(&crc.to_be_bytes());
}

fn zlib_stored(data: &[u8]) -> Vec<u8> {
    let mut out = vec![0x78, 0x01];
    let blocks: Vec<&[u8]> = data.chunks(65_535).collect();
    for (i, b) in blocks.iter().enumerate() {
        out.push(u8::from(i + 1 == blocks.len()));
        let len = b.len() as u16;
        out.extend_from_slice(&len.to_le_bytes());
        out.extend_from_slice(&(!len).to_le_bytes());
        out.extend_from_slice(b);
    }
    if blocks.is_empty() {
        out.extend_from_slice(&[1, 0, 0, 0xff, 0xff]);
    }
    let (mut a, mut b) = (1u32, 0u32);
    for &x in data {
        a = (a + u32::from(x)) % 65_521;
        b = (b + a) % 65_521;
    }
    out.extend_from_slice(&((b << 16) | a).to_be_bytes());
    out
}

fn crc32(data: &[u8]) -> u32 {
    let mut crc = 0xffff_ffffu32;
    for &byte in data {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            let mask = 0u32.wrapping_sub(crc & 1);
            crc = (crc >> 1) ^ (0xedb8_8320 & mask);
        }
    }
    !crc
}

/// What a hostile document's script does if it ever runs: sets
/// `window.__amtsstube_xss`, renames the document to [`XSS_TITEL`] and tries to reach the app's
/// IPC to add a note [`XSS_NOTIZ`] to the case whose id stands in the document's address
/// (`anlage://localhost/<vorgang-id>/<sha512>`). Each trace is what the e2e test looks for.
const XSS_SKRIPT: &str = "window.__amtsstube_xss = 1; document.title = 'AMTSSTUBE-XSS'; \
try { window.__TAURI_INTERNALS__.invoke('notiz_hinzufuegen', \
{ id: location.pathname.split('/')[1], text: 'AMTSSTUBE-XSS-NOTIZ' }); } catch (e) {} \
try { parent.__amtsstube_xss = 1; top.__amtsstube_xss = 1; } catch (e) {}";

/// The title a hostile document gives itself when its script runs.
pub const XSS_TITEL: &str = "AMTSSTUBE-XSS";
/// The note a hostile document's script tries to add through the app's IPC.
pub const XSS_NOTIZ: &str = "AMTSSTUBE-XSS-NOTIZ";

/// Hostile attachments: file name, the type the "applicant" declares, content. Each carries
/// a script ([`XSS_SKRIPT`]'s traces): an HTML page, an SVG with `<script>` and `onload`, and
/// an XHTML page. All pass the intake (it checks the content only of the types it knows:
/// PDF and images), so the `anlage://` protocol must keep them inert. [`html_als_pdf`], the
/// fourth, is kept apart: the intake refuses a whole submission with it.
pub fn feindliche_anlagen() -> Vec<(&'static str, &'static str, Vec<u8>)> {
    let html = format!(
        "<!doctype html><html><head><title>Nachweis</title>\
         <script>{XSS_SKRIPT}</script></head>\
         <body onload=\"{XSS_SKRIPT}\"><img src=x onerror=\"{XSS_SKRIPT}\">Nachweis</body></html>\n"
    );
    let svg = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <svg xmlns=\"http://www.w3.org/2000/svg\" width=\"200\" height=\"100\" \
         onload=\"{XSS_SKRIPT}\"><script type=\"text/javascript\"><![CDATA[{XSS_SKRIPT}]]></script>\
         <text x=\"10\" y=\"50\">Lageplan</text></svg>\n"
    );
    let xhtml = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <html xmlns=\"http://www.w3.org/1999/xhtml\"><head><title>Erklärung</title>\
         <script type=\"text/javascript\"><![CDATA[{XSS_SKRIPT}]]></script></head>\
         <body>Erklärung</body></html>\n"
    );
    vec![
        ("Nachweis.html", "text/html", html.into_bytes()),
        ("Lageplan.svg", "image/svg+xml", svg.into_bytes()),
        (
            "Erklaerung.xhtml",
            "application/xhtml+xml",
            xhtml.into_bytes(),
        ),
    ]
}

/// An HTML page with script, named `.pdf` and declared `application/pdf`. The intake refuses
/// a submission with it (content and declared type disagree); should one reach the store
/// anyway, the `anlage://` protocol serves it as a download, not as a page.
pub fn html_als_pdf() -> (&'static str, &'static str, Vec<u8>) {
    let html = format!(
        "<!doctype html><html><head><script>{XSS_SKRIPT}</script></head>\
         <body onload=\"{XSS_SKRIPT}\">Kontoauszug</body></html>\n"
    );
    ("Kontoauszug.pdf", "application/pdf", html.into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pdf_has_header_xref_and_eof() {
        let p = pdf("Antrag", &["Name: Jürgen (Test)".into()], 1000);
        assert!(p.starts_with(b"%PDF-1.4"));
        assert!(p.ends_with(b"%%EOF\n"));
        let text = String::from_utf8_lossy(&p);
        let startxref: usize = text
            .rsplit("startxref\n")
            .next()
            .unwrap()
            .lines()
            .next()
            .unwrap()
            .parse()
            .unwrap();
        assert!(p[startxref..].starts_with(b"xref"));
    }

    #[test]
    fn german_dashes_quotes_and_the_euro_sign_use_their_winansi_codes() {
        assert_eq!(pdf_text("Hundesteuer – 12 €"), "Hundesteuer \\226 12 \\200");
        assert_eq!(pdf_text("„Ja“"), "\\204Ja\\223");
    }

    #[test]
    fn the_png_has_valid_chunk_checksums() {
        let p = png(4, 3, 7);
        assert!(p.starts_with(b"\x89PNG"));
        // IHDR CRC over "IHDR" + 13 bytes.
        let crc = u32::from_be_bytes(p[29..33].try_into().unwrap());
        assert_eq!(crc, crc32(&p[12..29]));
        assert_eq!(crc32(b"123456789"), 0xcbf4_3926);
    }

    #[test]
    fn every_hostile_attachment_carries_the_script_and_none_looks_like_a_pdf_or_image() {
        let mut anlagen = feindliche_anlagen();
        assert_eq!(anlagen.len(), 3);
        let als_pdf = html_als_pdf();
        assert_eq!(
            (als_pdf.0, als_pdf.1),
            ("Kontoauszug.pdf", "application/pdf")
        );
        anlagen.push(als_pdf);
        for (name, _, inhalt) in &anlagen {
            let text = String::from_utf8_lossy(inhalt);
            assert!(text.contains("__amtsstube_xss"), "{name}");
            assert!(text.contains(XSS_NOTIZ), "{name}");
            assert!(
                !inhalt.starts_with(b"%PDF") && !inhalt.starts_with(b"\x89PNG"),
                "{name}"
            );
        }
    }
}
