//! Writes the laid-out pages as PDF/A-3b with `pdf-writer`, leaving room for the seal.
//!
//! PDF/A-3b rules implemented here (each checked in `tests/pdfa.rs`):
//! - header `%PDF-1.7` with a binary comment line; trailer `/ID`; no encryption;
//! - XMP metadata stream (uncompressed) with `pdfaid:part 3`, `pdfaid:conformance B`, and the
//!   same title, author, producer and dates as the Info dictionary;
//! - an `/OutputIntents` entry `GTS_PDFA1` with an embedded sRGB ICC profile (N 3), so
//!   DeviceRGB may be used;
//! - every font embedded (TrueType subset in a CIDFontType2 with `CIDToGIDMap /Identity`,
//!   widths for every used glyph, ToUnicode CMap);
//! - the decision JSON embedded as an associated file: file specification with `/F`, `/UF`,
//!   `/Desc`, `/AFRelationship /Data`, listed in the catalog's `/AF` and `/EmbeddedFiles`,
//!   stream with MIME `/Subtype /application#2Fjson` and `/Params` (`/ModDate`, `/Size`);
//! - annotations: only the invisible signature widget with a zero rectangle, `/F 132`
//!   (print, locked), and an appearance stream;
//! - no JavaScript, no transparency, no external content; `/Lang (de-DE)`.
//!
//! [`datei`] writes any document of the engine from its [`Art`]; [`schreiben`] is the sealed
//! Bescheid (decision JSON, QR code, signature placeholder). The plain letter (`brief.rs`)
//! has no associated file, no QR code, no signature field and no annotation at all: PDF/A-3
//! requires none of them, every other rule above holds for it as well (`tests/brief.rs`).

use std::time::{Duration, Instant};

use pdf_writer::types::{
    AnnotationFlags, AssociationKind, CidFontType, FieldType, FontFlags, OutputIntentSubtype,
    SigFlags, SystemInfo, UnicodeCmap,
};
use pdf_writer::{Content, Date, Filter, Finish, Name, Pdf, Rect, Ref, Str, TextStr};
use sha2::{Digest, Sha256};
use time::OffsetDateTime;

use crate::BescheidError;
use crate::model::{Entscheidung, PfadBefehl};
use crate::satz::{Op, QrArt, SEITE_B, SEITE_H, Satz, Seite};
use crate::schrift::{GlyphNutzung, Schnitt, Schriften};

static SRGB_ICC: &[u8] = include_bytes!("../../../assets/icc/sRGB.icc");

/// Bytes reserved for the CMS signature (hex-encoded in the file: twice this).
pub(crate) const SIGNATUR_PLATZ: usize = 16 * 1024;
/// Placeholder of the /ByteRange array, replaced in place (same length) when sealing.
const BYTE_RANGE_PLATZHALTER: [i32; 4] = [0, 1_000_000_000, 1_000_000_001, 1_000_000_002];

/// Name of the embedded decision file.
pub const ANHANG_NAME: &str = "bescheid.json";
/// Producer string (Info and XMP).
pub(crate) const PRODUCER: &str = concat!("Amtsstube bescheid ", env!("CARGO_PKG_VERSION"));

/// A complete PDF with the signature placeholder, ready to be sealed.
pub(crate) struct Entwurf {
    pub(crate) bytes: Vec<u8>,
    /// Offset of the `[` of the /ByteRange array.
    pub(crate) byte_range_pos: usize,
    /// Offset of the `<` of the /Contents hex string.
    pub(crate) contents_pos: usize,
    pub(crate) subsetting: Duration,
    pub(crate) kompression: Duration,
}

fn komprimieren(daten: &[u8], zeit: &mut Duration) -> Vec<u8> {
    let t = Instant::now();
    let out = miniz_oxide::deflate::compress_to_vec_zlib(daten, 6);
    *zeit += t.elapsed();
    out
}

pub(crate) fn pdf_datum(t: OffsetDateTime) -> Date {
    let off = t.offset();
    Date::new(t.year() as u16)
        .month(u8::from(t.month()))
        .day(t.day())
        .hour(t.hour())
        .minute(t.minute())
        .second(t.second())
        .utc_offset_hour(off.whole_hours())
        .utc_offset_minute(off.minutes_past_hour().unsigned_abs())
}

pub(crate) fn xmp_datum(t: OffsetDateTime) -> String {
    let off = t.offset();
    let (h, m) = (off.whole_hours(), off.minutes_past_hour().unsigned_abs());
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}{}{:02}:{:02}",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second(),
        if h < 0 || off.is_negative() { '-' } else { '+' },
        h.unsigned_abs(),
        m
    )
}

fn xml(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn xmp(titel: &str, autor: &str, zeit: OffsetDateTime) -> String {
    let d = xmp_datum(zeit);
    let mut out = String::from("<?xpacket begin=\"\u{feff}\" id=\"W5M0MpCehiHzreSzNTczkc9d\"?>\n");
    out.push_str(&format!(
        r#"<x:xmpmeta xmlns:x="adobe:ns:meta/">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about="" xmlns:pdfaid="http://www.aiim.org/pdfa/ns/id/">
   <pdfaid:part>3</pdfaid:part>
   <pdfaid:conformance>B</pdfaid:conformance>
  </rdf:Description>
  <rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/">
   <dc:format>application/pdf</dc:format>
   <dc:title><rdf:Alt><rdf:li xml:lang="x-default">{titel}</rdf:li></rdf:Alt></dc:title>
   <dc:creator><rdf:Seq><rdf:li>{autor}</rdf:li></rdf:Seq></dc:creator>
   <dc:language><rdf:Bag><rdf:li>de-DE</rdf:li></rdf:Bag></dc:language>
  </rdf:Description>
  <rdf:Description rdf:about="" xmlns:xmp="http://ns.adobe.com/xap/1.0/">
   <xmp:CreatorTool>Amtsstube</xmp:CreatorTool>
   <xmp:CreateDate>{d}</xmp:CreateDate>
   <xmp:ModifyDate>{d}</xmp:ModifyDate>
   <xmp:MetadataDate>{d}</xmp:MetadataDate>
  </rdf:Description>
  <rdf:Description rdf:about="" xmlns:pdf="http://ns.adobe.com/pdf/1.3/">
   <pdf:Producer>{producer}</pdf:Producer>
  </rdf:Description>
 </rdf:RDF>
</x:xmpmeta>
<?xpacket end="w"?>"#,
        titel = xml(titel),
        autor = xml(autor),
        producer = xml(PRODUCER),
    ));
    out
}

/// A six-letter subset tag derived from the glyph set (PDF 9.6.4).
fn subset_tag(glyphen: &[u16], schnitt: Schnitt) -> String {
    let mut h = Sha256::new();
    h.update([schnitt as u8]);
    for g in glyphen {
        h.update(g.to_be_bytes());
    }
    h.finalize()
        .iter()
        .take(6)
        .map(|b| char::from(b'A' + b % 26))
        .collect()
}

struct Alloc(i32);
impl Alloc {
    fn next(&mut self) -> Ref {
        self.0 += 1;
        Ref::new(self.0)
    }
}

/// A file embedded as associated file (PDF/A-3, `/AFRelationship /Data`).
pub(crate) struct Anhang<'a> {
    pub(crate) name: &'a str,
    pub(crate) daten: &'a [u8],
    /// MIME type, e.g. `application/json`.
    pub(crate) mime: &'a str,
    /// `/Desc` of the file specification.
    pub(crate) beschreibung: &'a str,
}

/// What one kind of document adds to its laid-out pages.
pub(crate) struct Art<'a> {
    /// Title in the Info dictionary and the XMP.
    pub(crate) titel: String,
    /// Author (the authority) in the Info dictionary and the XMP.
    pub(crate) autor: String,
    pub(crate) anhang: Option<Anhang<'a>>,
    /// Module matrix (row-major, `true` = dark) and edge length of the QR code the pages
    /// draw with `Op::Qr`.
    pub(crate) qr: Option<(&'a [bool], usize)>,
    /// The same for the GiroCode (`Op::Qr` with [`QrArt::Giro`]).
    pub(crate) giro: Option<(&'a [bool], usize)>,
    /// Signature field and value dictionary with placeholders, for `siegel.rs`.
    pub(crate) siegelfeld: bool,
    /// Bytes that, with the XMP, make the file identifier (stable for equal input and time).
    pub(crate) kennung: &'a [u8],
}

/// A written PDF and the time its parts took.
pub(crate) struct Datei {
    pub(crate) bytes: Vec<u8>,
    pub(crate) subsetting: Duration,
    pub(crate) kompression: Duration,
}

/// Writes a sealable Bescheid. `qr` is the module matrix (row-major, `true` = dark) of the QR
/// code, `giro` that of the GiroCode if the pages draw one.
#[allow(clippy::too_many_arguments)] // one call site; a struct would only rename them
pub(crate) fn schreiben(
    e: &Entscheidung,
    schriften: &Schriften,
    nutzung: &GlyphNutzung,
    seiten: &[Seite],
    json: &[u8],
    qr: (&[bool], usize),
    giro: Option<(&[bool], usize)>,
    zeit: OffsetDateTime,
) -> Result<Entwurf, BescheidError> {
    let art = Art {
        titel: format!("Bescheid {} vom {}", e.aktenzeichen, e.datum),
        autor: e.behoerde.name.clone(),
        anhang: Some(Anhang {
            name: ANHANG_NAME,
            daten: json,
            mime: "application/json",
            beschreibung: "Maschinenlesbare Entscheidungsdaten (JSON)",
        }),
        qr: Some(qr),
        giro,
        siegelfeld: true,
        kennung: json,
    };
    let Datei {
        bytes,
        subsetting,
        kompression,
    } = datei(&art, schriften, nutzung, seiten, zeit)?;
    let byte_range_pos = finden(&bytes, b"/ByteRange [0 1000000000 1000000001 1000000002]")
        .map(|p| p + b"/ByteRange ".len())
        .ok_or_else(|| BescheidError::Intern("ByteRange-Platzhalter fehlt".into()))?;
    let mut muster = b"/Contents <".to_vec();
    muster.extend([b'F'; 64]);
    let contents_pos = finden(&bytes, &muster)
        .map(|p| p + b"/Contents ".len())
        .ok_or_else(|| BescheidError::Intern("Contents-Platzhalter fehlt".into()))?;
    Ok(Entwurf {
        bytes,
        byte_range_pos,
        contents_pos,
        subsetting,
        kompression,
    })
}

/// Writes laid-out pages as an unsealed PDF/A-3b without QR code or embedded file (the Brief,
/// the Aktenstück). `kennung` is serialised as JSON for the file identifier; `zeitpunkt`
/// becomes the Info and XMP dates in whole seconds.
pub(crate) fn ungesiegelt(
    satz: &Satz,
    titel: String,
    autor: String,
    kennung: &impl serde::Serialize,
    zeitpunkt: OffsetDateTime,
) -> Result<Vec<u8>, BescheidError> {
    let zeitpunkt = zeitpunkt.replace_nanosecond(0).unwrap_or(zeitpunkt);
    let kennung = serde_json::to_vec(kennung).map_err(|e| BescheidError::Intern(e.to_string()))?;
    let art = Art {
        titel,
        autor,
        anhang: None,
        qr: None,
        giro: None,
        siegelfeld: false,
        kennung: &kennung,
    };
    Ok(datei(
        &art,
        satz.schriften(),
        &satz.nutzung,
        &satz.seiten,
        zeitpunkt,
    )?
    .bytes)
}

/// Writes the pages as PDF/A-3b with what `art` adds.
pub(crate) fn datei(
    art: &Art,
    schriften: &Schriften,
    nutzung: &GlyphNutzung,
    seiten: &[Seite],
    zeit: OffsetDateTime,
) -> Result<Datei, BescheidError> {
    let mut kompression = Duration::ZERO;
    let mut subsetting = Duration::ZERO;
    let mut pdf = Pdf::new();
    pdf.set_version(1, 7);
    pdf.set_binary_marker(b"\xe2\xe3\xcf\xd3");
    let mut id = Alloc(0);
    let catalog_id = id.next();
    let pages_id = id.next();
    let info_id = id.next();
    let xmp_id = id.next();
    let icc_id = id.next();
    // (file, file specification), QR XObject, (field, value, appearance): only when present,
    // in this order.
    let anhang_ids = art.anhang.as_ref().map(|_| (id.next(), id.next()));
    let qr_id = art.qr.map(|_| id.next());
    let giro_id = art.giro.map(|_| id.next());
    let siegel_ids = art.siegelfeld.then(|| (id.next(), id.next(), id.next()));
    let page_ids: Vec<Ref> = seiten.iter().map(|_| id.next()).collect();
    let content_ids: Vec<Ref> = seiten.iter().map(|_| id.next()).collect();
    let font_ids: Vec<[Ref; 5]> = (0..2)
        .map(|_| [id.next(), id.next(), id.next(), id.next(), id.next()])
        .collect();

    let (titel, autor) = (&art.titel, &art.autor);

    // Catalog.
    {
        let mut cat = pdf.catalog(catalog_id);
        cat.pages(pages_id);
        cat.metadata(xmp_id);
        cat.lang(TextStr("de-DE"));
        cat.output_intents()
            .push()
            .subtype(OutputIntentSubtype::PDFA)
            .output_condition_identifier(TextStr("sRGB IEC61966-2.1"))
            .output_condition(TextStr("sRGB IEC61966-2.1"))
            .registry_name(TextStr("http://www.color.org"))
            .info(TextStr("sRGB IEC61966-2.1"))
            .dest_output_profile(icc_id);
        if let (Some(a), Some((_, filespec_id))) = (&art.anhang, anhang_ids) {
            cat.insert(Name(b"AF")).array().item(filespec_id);
            cat.names()
                .embedded_files()
                .names()
                .insert(Str(a.name.as_bytes()), filespec_id);
        }
        if let Some((acro_sig_field, _, _)) = siegel_ids {
            let mut form = cat.insert(Name(b"AcroForm")).dict();
            form.insert(Name(b"Fields")).array().item(acro_sig_field);
            form.pair(
                Name(b"SigFlags"),
                (SigFlags::SIGNATURES_EXIST | SigFlags::APPEND_ONLY).bits() as i32,
            );
            form.finish();
        }
        cat.finish();
    }

    // Info (kept identical to the XMP).
    {
        let d = pdf_datum(zeit);
        let mut info = pdf.document_info(info_id);
        info.title(TextStr(titel));
        info.author(TextStr(autor));
        info.creator(TextStr("Amtsstube"));
        info.producer(TextStr(PRODUCER));
        info.creation_date(d);
        info.modified_date(d);
    }
    let xmp_text = xmp(titel, autor, zeit);
    pdf.metadata(xmp_id, xmp_text.as_bytes());

    // The profile is the same in every document: compress it once per process.
    static ICC_Z: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
    let icc = ICC_Z.get_or_init(|| miniz_oxide::deflate::compress_to_vec_zlib(SRGB_ICC, 9));
    pdf.icc_profile(icc_id, icc)
        .n(3)
        .filter(Filter::FlateDecode);

    // Embedded data (associated file).
    if let (Some(a), Some((file_id, filespec_id))) = (&art.anhang, anhang_ids) {
        let z = komprimieren(a.daten, &mut kompression);
        let mut ef = pdf.embedded_file(file_id, &z);
        ef.filter(Filter::FlateDecode);
        ef.subtype(Name(a.mime.as_bytes()));
        let mut p = ef.params();
        p.size(a.daten.len() as i32);
        p.modification_date(pdf_datum(zeit));
        p.finish();
        ef.finish();
        let mut fs = pdf.file_spec(filespec_id);
        fs.path(Str(a.name.as_bytes()));
        fs.unic_file(TextStr(a.name));
        fs.description(TextStr(a.beschreibung));
        fs.association_kind(AssociationKind::Data);
        fs.insert(Name(b"EF"))
            .dict()
            .pair(Name(b"F"), file_id)
            .pair(Name(b"UF"), file_id);
        fs.finish();
    }

    // QR codes as form XObjects in module units (one `re` per dark module).
    for (code, code_id) in [(art.qr, qr_id), (art.giro, giro_id)] {
        let (Some((module, breite)), Some(code_id)) = (code, code_id) else {
            continue;
        };
        let mut c = Content::new();
        c.set_fill_rgb(0.0, 0.0, 0.0);
        for (i, dunkel) in module.iter().enumerate() {
            if *dunkel {
                let x = (i % breite) as f32;
                let y = (breite - 1 - i / breite) as f32;
                c.rect(x, y, 1.0, 1.0);
            }
        }
        c.fill_nonzero();
        let roh = c.finish();
        let z = komprimieren(&roh, &mut kompression);
        let mut x = pdf.form_xobject(code_id, &z);
        x.filter(Filter::FlateDecode);
        x.bbox(Rect::new(0.0, 0.0, breite as f32, breite as f32));
        x.finish();
    }

    // Signature: field + widget (merged), value dictionary with placeholders.
    if let Some((acro_sig_field, sig_value, sig_ap)) = siegel_ids {
        let mut field = pdf.form_field(acro_sig_field);
        field.field_type(FieldType::Signature);
        field.partial_name(TextStr("Siegel"));
        field.pair(Name(b"V"), sig_value);
        let mut annot = field.into_annotation();
        annot.rect(Rect::new(0.0, 0.0, 0.0, 0.0));
        annot.flags(AnnotationFlags::PRINT | AnnotationFlags::LOCKED);
        annot.pair(Name(b"P"), page_ids[0]);
        annot.appearance().normal().stream(sig_ap);
        annot.finish();
        let mut ap = pdf.form_xobject(sig_ap, b"");
        ap.bbox(Rect::new(0.0, 0.0, 0.0, 0.0));
        ap.finish();

        let mut v = pdf.indirect(sig_value).dict();
        v.pair(Name(b"Type"), Name(b"Sig"));
        v.pair(Name(b"Filter"), Name(b"Adobe.PPKLite"));
        v.pair(Name(b"SubFilter"), Name(b"ETSI.CAdES.detached"));
        v.insert(Name(b"ByteRange"))
            .array()
            .items(BYTE_RANGE_PLATZHALTER);
        v.pair(Name(b"Contents"), Str(&[0xFFu8; SIGNATUR_PLATZ]));
        v.pair(Name(b"M"), pdf_datum(zeit));
        v.pair(
            Name(b"Reason"),
            TextStr("Elektronisches Siegel der Behörde"),
        );
        v.finish();
    }

    // Fonts: subset, widths, ToUnicode.
    let mut remapper: [subsetter::GlyphRemapper; 2] = [
        subsetter::GlyphRemapper::new(),
        subsetter::GlyphRemapper::new(),
    ];
    for (i, schnitt) in [Schnitt::Normal, Schnitt::Fett].into_iter().enumerate() {
        let schrift = schriften.get(schnitt);
        let glyphen: Vec<u16> = nutzung.glyphen[i].keys().copied().collect();
        let mut glyphen_mit_null = vec![0u16];
        glyphen_mit_null.extend(glyphen.iter().copied().filter(|g| *g != 0));
        let rm = subsetter::GlyphRemapper::new_from_glyphs(&glyphen_mit_null);
        let t = Instant::now();
        let sub = subsetter::subset(schrift.daten, 0, &rm)
            .map_err(|err| BescheidError::Intern(format!("Schrift-Subset: {err}")))?;
        subsetting += t.elapsed();
        let [type0, cid, desc, file, tounicode] = font_ids[i];
        let basename = format!("{}+{}", subset_tag(&glyphen, schnitt), schrift.name);

        pdf.type0_font(type0)
            .base_font(Name(basename.as_bytes()))
            .encoding_predefined(Name(b"Identity-H"))
            .descendant_font(cid)
            .to_unicode(tounicode);

        let mut cidf = pdf.cid_font(cid);
        cidf.subtype(CidFontType::Type2);
        cidf.base_font(Name(basename.as_bytes()));
        cidf.system_info(SystemInfo {
            registry: Str(b"Adobe"),
            ordering: Str(b"Identity"),
            supplement: 0,
        });
        cidf.font_descriptor(desc);
        cidf.cid_to_gid_map_predefined(Name(b"Identity"));
        let scale = 1000.0 / schrift.upem;
        {
            let mut w = cidf.widths();
            for g in &glyphen_mit_null {
                let neu = rm.get(*g).unwrap_or(0);
                w.consecutive(neu, [f32::from(schrift.advance(*g)) * scale]);
            }
        }
        cidf.finish();

        let f = &schrift.face;
        let bb = f.global_bounding_box();
        let mut flags = FontFlags::SYMBOLIC;
        if schnitt == Schnitt::Fett {
            flags |= FontFlags::FORCE_BOLD;
        }
        pdf.font_descriptor(desc)
            .name(Name(basename.as_bytes()))
            .flags(flags)
            .bbox(Rect::new(
                f32::from(bb.x_min) * scale,
                f32::from(bb.y_min) * scale,
                f32::from(bb.x_max) * scale,
                f32::from(bb.y_max) * scale,
            ))
            .italic_angle(0.0)
            .ascent(f32::from(f.ascender()) * scale)
            .descent(f32::from(f.descender()) * scale)
            .cap_height(f32::from(f.capital_height().unwrap_or(f.ascender())) * scale)
            .stem_v(if schnitt == Schnitt::Fett {
                140.0
            } else {
                80.0
            })
            .font_file2(file);

        let z = komprimieren(&sub, &mut kompression);
        pdf.stream(file, &z)
            .filter(Filter::FlateDecode)
            .pair(Name(b"Length1"), sub.len() as i32);

        let mut cmap = UnicodeCmap::new(
            Name(b"Custom"),
            SystemInfo {
                registry: Str(b"Adobe"),
                ordering: Str(b"UCS"),
                supplement: 0,
            },
        );
        for (g, c) in &nutzung.glyphen[i] {
            if let Some(neu) = rm.get(*g) {
                cmap.pair(neu, *c);
            }
        }
        let cmap_bytes = cmap.finish();
        let z = komprimieren(&cmap_bytes, &mut kompression);
        pdf.cmap(tounicode, &z).filter(Filter::FlateDecode);
        remapper[i] = rm;
    }

    // Pages.
    let mut pages = pdf.pages(pages_id);
    pages
        .kids(page_ids.iter().copied())
        .count(page_ids.len() as i32);
    pages.finish();
    for (n, seite) in seiten.iter().enumerate() {
        let mut c = Content::new();
        for op in &seite.ops {
            match op {
                Op::Text {
                    schnitt,
                    groesse,
                    x,
                    y,
                    farbe,
                    glyphen,
                } => {
                    let rm = &remapper[*schnitt as usize];
                    let mut codes = Vec::with_capacity(glyphen.len() * 2);
                    for g in glyphen {
                        codes.extend_from_slice(&rm.get(*g).unwrap_or(0).to_be_bytes());
                    }
                    c.set_fill_rgb(farbe[0], farbe[1], farbe[2]);
                    c.begin_text();
                    c.set_font(
                        Name(if *schnitt == Schnitt::Fett {
                            b"F2"
                        } else {
                            b"F1"
                        }),
                        *groesse,
                    );
                    c.next_line(*x, *y);
                    c.show(Str(&codes));
                    c.end_text();
                }
                Op::Linie {
                    x1,
                    y1,
                    x2,
                    y2,
                    staerke,
                    farbe,
                } => {
                    c.set_stroke_rgb(farbe[0], farbe[1], farbe[2]);
                    c.set_line_width(*staerke);
                    c.move_to(*x1, *y1);
                    c.line_to(*x2, *y2);
                    c.stroke();
                }
                Op::Pfad { befehle, farbe } => {
                    c.set_fill_rgb(farbe[0], farbe[1], farbe[2]);
                    for b in befehle {
                        match *b {
                            PfadBefehl::M(x, y) => {
                                c.move_to(x, y);
                            }
                            PfadBefehl::L(x, y) => {
                                c.line_to(x, y);
                            }
                            PfadBefehl::C(x1, y1, x2, y2, x3, y3) => {
                                c.cubic_to(x1, y1, x2, y2, x3, y3);
                            }
                            PfadBefehl::Z => {
                                c.close_path();
                            }
                        }
                    }
                    c.fill_even_odd();
                }
                Op::Qr { code, x, y, kante } => {
                    let (quelle, name) = match code {
                        QrArt::Siegel => (art.qr, Name(b"Qr")),
                        QrArt::Giro => (art.giro, Name(b"Giro")),
                    };
                    let (_, breite) = quelle.ok_or_else(|| {
                        BescheidError::Intern("QR-Code im Satz, aber keiner im Dokument".into())
                    })?;
                    let s = kante / breite as f32;
                    c.save_state();
                    c.transform([s, 0.0, 0.0, s, *x, *y]);
                    c.x_object(name);
                    c.restore_state();
                }
            }
        }
        let roh = c.finish();
        let z = komprimieren(&roh, &mut kompression);
        pdf.stream(content_ids[n], &z).filter(Filter::FlateDecode);

        let mut page = pdf.page(page_ids[n]);
        page.parent(pages_id);
        page.media_box(Rect::new(0.0, 0.0, SEITE_B, SEITE_H));
        page.contents(content_ids[n]);
        {
            let mut res = page.resources();
            let mut fonts = res.fonts();
            fonts.pair(Name(b"F1"), font_ids[0][0]);
            fonts.pair(Name(b"F2"), font_ids[1][0]);
            fonts.finish();
            // Each page names the codes it draws (the GiroCode may be on a later page).
            let zeichnet = |art: QrArt| {
                seite
                    .ops
                    .iter()
                    .any(|o| matches!(o, Op::Qr { code, .. } if *code == art))
            };
            let mut xo: Vec<(Name, Ref)> = Vec::new();
            if let Some(qr_id) = qr_id.filter(|_| zeichnet(QrArt::Siegel)) {
                xo.push((Name(b"Qr"), qr_id));
            }
            if let Some(giro_id) = giro_id.filter(|_| zeichnet(QrArt::Giro)) {
                xo.push((Name(b"Giro"), giro_id));
            }
            if !xo.is_empty() {
                res.x_objects().pairs(xo);
            }
        }
        if n == 0
            && let Some((acro_sig_field, _, _)) = siegel_ids
        {
            page.annotations([acro_sig_field]);
        }
        page.finish();
    }

    // File identifier from the content (stable for equal input and time).
    let mut h = Sha256::new();
    h.update(art.kennung);
    h.update(xmp_text.as_bytes());
    let fid = h.finalize()[..16].to_vec();
    pdf.set_file_id((fid.clone(), fid));

    Ok(Datei {
        bytes: pdf.finish(),
        subsetting,
        kompression,
    })
}

pub(crate) fn finden(heu: &[u8], nadel: &[u8]) -> Option<usize> {
    if nadel.is_empty() || nadel.len() > heu.len() {
        return None;
    }
    heu.windows(nadel.len()).position(|w| w == nadel)
}
