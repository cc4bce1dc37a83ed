//! Handing finished cases to the E-Akte (issue 17) and taking its confirmations.
//!
//! - **Abgabe** ([`AppContext::eakte_abgeben`]): the case becomes one xdomea 3.1.0
//!   `FVDaten.SGOAblegen.0605` (crate `xdomea`) under a fresh ProzessID: the form rendered as
//!   PDF/A plus the data as received, every attachment (the sealed Bescheid among them), every
//!   message as PDF/A and the audit excerpt with the internal notes as PDF/A, each with its
//!   SHA-256. The ZIP container is built before the transaction; the transaction then sets
//!   the status „An E-Akte übergeben“, notes the ProzessID and queues the container in the
//!   outbox (art [`ART_ABGABE`], idempotency key = ProzessID). [`AppContext::eakte_vorschau`]
//!   builds the same message to list what will go.
//! - **Zustellung** ([`zustellen`]): each queued container is written into the hand-over
//!   folder as `<name>.part`, flushed, renamed, the folder flushed — or POSTed to the
//!   endpoint with the ProzessID as `Idempotency-Key`. A file of the same name and content
//!   already there counts as delivered (the app died between writing and noting it), one with
//!   other content is an error; a full disk or an unwritable folder is retried with backoff
//!   and shown in the Postausgang and on the case.
//! - **Rückmeldungen** ([`rueckmeldungen_verarbeiten`]): every `*.xml` in the return folder is
//!   read (at start, on each `notify` event, and every half minute as a fallback). A receipt
//!   (0629) or an import confirmation (0630) of a known ProzessID is applied in one
//!   transaction (success: status „Archiviert“ via the status machine, „zu den Akten“ with the
//!   E-Akte's reference; failure: the error text on the case, which can be handed over again),
//!   then the file moves to `verarbeitet/`. Unreadable files go to `fehlerhaft/`, unknown
//!   ProzessIDs to `unbekannt/`; both leave a hint in [`AppContext::eakte_status`] and an
//!   audit entry. Applying is idempotent: a file read twice changes nothing the second time.
//! - **Aussonderung** ([`aussondern`]): once imported and the grace period (`[eakte] karenz`)
//!   has passed, the case's content is purged ([`store::Schreiben::vorgang_aussondern`]) and
//!   the file compacted; the tombstone and the audit chain remain.
//!
//! [`laufen`] is the background loop of all three (started by the sync service). In
//! Demo-Modus without `[eakte]` the folders are `<profile>/demo/eakte/` and the simulator's
//! stand-in E-Akte answers.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bescheid::{Abschnitt, Aktenstueck, Feld};
use domain::eakte::{EAkteVermerk, EAkteZustand, Zuordnung};
use domain::{Aktion, Fakten, Richtung, Rolle, Status, Vorgang};
use ipc::{
    EAkteDokument, EAkteInfo, EAkteStatus, EAkteVorschau, ErrorCode, IpcError, VorgangDetail,
};
use sha2::Digest as _;
use store::{NeuerAuftrag, Store};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::sitzung::rfc3339;
use crate::{AppContext, fehler, vorgang_id};

/// Outbox kind of a hand-over.
pub const ART_ABGABE: &str = "eakte.abgabe";
/// Audit code: handed over (message built and queued).
pub const UEBERGEBEN: &str = "eakte.uebergeben";
/// Audit code: written to the folder / accepted by the endpoint.
pub const ZUGESTELLT: &str = "eakte.zugestellt";
/// Audit code: the E-Akte's receipt (0629).
pub const EMPFANGEN: &str = "eakte.empfangen";
/// Audit code: the E-Akte's import failed (0630).
pub const IMPORTFEHLER: &str = "eakte.importfehler";
/// Audit code (no case): a confirmation that could not be read or belongs to no case.
pub const RUECKMELDUNG_ABGELEHNT: &str = "eakte.rueckmeldung.abgelehnt";
/// Who the background steps act as.
const SYSTEM: &str = "system:eakte";
/// Largest confirmation file read.
const MAX_RUECKMELDUNG: u64 = 1024 * 1024;
/// How many hints the status keeps.
const MAX_HINWEISE: usize = 20;

/// How messages reach the E-Akte.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Abgabeweg {
    /// Written into a folder (local path or SMB mount).
    Ordner(PathBuf),
    /// POSTed to an HTTP(S) endpoint.
    Url(String),
}

/// Where the E-Akte is, as configured (or the demo stand-in's folders).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EAkteZiel {
    /// Name of the E-Akte (Empfänger).
    pub name: String,
    /// Its Behördenschlüssel, if any.
    pub kennung: Option<String>,
    /// How messages reach it.
    pub weg: Abgabeweg,
    /// Where it answers.
    pub rueckgabe: PathBuf,
    /// Grace period after the import before the local copy is deleted.
    pub karenz: time::Duration,
    /// The stand-in's own folder (Demo-Modus without `[eakte]`).
    pub standin: Option<PathBuf>,
}

impl EAkteZiel {
    /// Where messages go, as shown.
    pub fn anzeigen(&self) -> String {
        match &self.weg {
            Abgabeweg::Ordner(p) => format!("{} (Abgabeordner {})", self.name, p.display()),
            Abgabeweg::Url(u) => format!("{} ({u})", self.name),
        }
    }
}

/// The grace period as people read it.
pub fn dauer_text(d: time::Duration) -> String {
    let s = d.whole_seconds();
    if s % 86_400 == 0 && s > 0 {
        let n = s / 86_400;
        format!("{n} {}", if n == 1 { "Tag" } else { "Tage" })
    } else if s % 3600 == 0 && s > 0 {
        let n = s / 3600;
        format!("{n} {}", if n == 1 { "Stunde" } else { "Stunden" })
    } else if s % 60 == 0 && s > 0 {
        let n = s / 60;
        format!("{n} {}", if n == 1 { "Minute" } else { "Minuten" })
    } else {
        format!("{s} {}", if s == 1 { "Sekunde" } else { "Sekunden" })
    }
}

fn ungueltig(text: impl Into<String>) -> IpcError {
    IpcError::new(ErrorCode::InvalidInput, text)
}

fn intern(text: impl Into<String>) -> IpcError {
    IpcError::new(ErrorCode::Internal, text)
}

/// The case view's part of the hand-over.
pub(crate) fn eakte_info(
    v: &Vorgang,
    karenz: Option<time::Duration>,
    zustellfehler: Option<String>,
) -> Option<EAkteInfo> {
    let e = v.eakte.as_ref()?;
    let z = e.zustand();
    let code = match z {
        EAkteZustand::Wartet => "wartet",
        EAkteZustand::Zugestellt => "zugestellt",
        EAkteZustand::Empfangen => "empfangen",
        EAkteZustand::ZuDenAkten => "zu_den_akten",
        EAkteZustand::Fehler => "fehler",
        EAkteZustand::Geloescht => "geloescht",
    };
    Some(EAkteInfo {
        zustand: code.into(),
        zustand_text: z.bezeichnung().into(),
        prozess_id: e.prozess_id.clone(),
        uebergeben: rfc3339(e.uebergeben),
        von: e.von.clone(),
        dokumente: e.dokumente,
        zugestellt: e.zugestellt.map(rfc3339),
        empfangen: e.empfangen.map(rfc3339),
        importiert: e.importiert.map(rfc3339),
        referenz: e.referenz.clone(),
        fehler: e.fehler.clone(),
        zustellfehler: if e.zugestellt.is_none() {
            zustellfehler
        } else {
            None
        },
        geloescht: e.geloescht.map(rfc3339),
        loeschung_ab: karenz.and_then(|k| e.loeschbar_ab(k)).map(rfc3339),
    })
}

fn sha256_hex(b: &[u8]) -> String {
    hex::encode(sha2::Sha256::digest(b))
}

/// Whether a PDF carries a signature dictionary (sealed or signed).
fn pdf_signiert(b: &[u8]) -> bool {
    const BYTE_RANGE: &[u8] = b"/ByteRange";
    b.starts_with(b"%PDF") && b.windows(BYTE_RANGE.len()).any(|w| w == BYTE_RANGE)
}

impl AppContext {
    /// The E-Akte of this profile: `[eakte]` of the authority's configuration, or in
    /// Demo-Modus the stand-in's folders in the profile.
    pub fn eakte_ziel(&self) -> Result<EAkteZiel, IpcError> {
        let b = self.behoerde();
        if let Some(e) = &b.eakte {
            let pfad = |p: &str| {
                let p = PathBuf::from(p);
                if p.is_absolute() {
                    p
                } else {
                    Path::new(&b.quelle)
                        .parent()
                        .map_or_else(|| p.clone(), |basis| basis.join(&p))
                }
            };
            let weg = match (&e.abgabe_ordner, &e.abgabe_url) {
                (Some(o), _) if !o.trim().is_empty() => Abgabeweg::Ordner(pfad(o)),
                (_, Some(u)) => Abgabeweg::Url(u.clone()),
                _ => return Err(ungueltig("[eakte]: weder abgabe_ordner noch abgabe_url.")),
            };
            return Ok(EAkteZiel {
                name: e.name.clone(),
                kennung: e.kennung.clone(),
                weg,
                rueckgabe: pfad(&e.rueckgabe_ordner),
                karenz: e.karenz_dauer().map_err(ungueltig)?,
                standin: None,
            });
        }
        if self.is_demo() {
            let basis = self.profile_dir().join("demo").join("eakte");
            let karenz = std::env::var("AMTSSTUBE_DEMO_EAKTE_KARENZ")
                .ok()
                .and_then(|t| behoerde::dauer_parsen(&t).ok())
                .unwrap_or(time::Duration::minutes(5));
            return Ok(EAkteZiel {
                name: "Ersatz-E-Akte (Demo)".into(),
                kennung: None,
                weg: Abgabeweg::Ordner(basis.join("abgabe")),
                rueckgabe: basis.join("rueckgabe"),
                karenz,
                standin: Some(basis.join("ablage")),
            });
        }
        Err(ungueltig(
            "Keine E-Akte eingerichtet: tragen Sie in behoerde.toml den Abschnitt [eakte] mit \
             name, abgabe_ordner (oder abgabe_url) und rueckgabe_ordner ein und starten Sie neu.",
        ))
    }

    /// Builds the hand-over message of `v` under `prozess_id` (documents rendered, hashed).
    fn abgabe_bauen(
        &self,
        v: &Vorgang,
        prozess_id: Uuid,
        jetzt: OffsetDateTime,
        ziel: &EAkteZiel,
    ) -> Result<xdomea::Abgabe, IpcError> {
        let az = v
            .aktenzeichen
            .as_ref()
            .map(|a| a.0.clone())
            .unwrap_or_else(|| v.id.to_string());
        let b = self.behoerde();
        let heute = self.sitzung.heute();
        let datum = heute.to_string();
        let kopf = self.behoerde_fuer_bescheid();
        let setzen = |a: &Aktenstueck| {
            bescheid::aktenstueck_setzen(a, jetzt).map_err(|e| {
                intern(format!(
                    "Das Dokument „{}“ für die E-Akte ließ sich nicht erzeugen ({e}).",
                    a.titel
                ))
            })
        };
        // Stable ids per document: the same case gives the same ids in preview and hand-over.
        let doc_id = |n: &str| {
            let h = sha2::Sha256::digest([v.id.0.as_bytes().as_slice(), n.as_bytes()].concat());
            let mut b = [0u8; 16];
            b.copy_from_slice(&h[..16]);
            uuid::Builder::from_random_bytes(b).into_uuid()
        };
        let mut dokumente = Vec::new();

        // 1. The application: rendered, and the data as received.
        let mut abschnitte = vec![Abschnitt::Ueberschrift("Formulardaten".into())];
        match v.formulardaten.format {
            domain::DatenFormat::Json => {
                let daten: serde_json::Value =
                    serde_json::from_str(&v.formulardaten.inhalt).unwrap_or_default();
                let schema = b.formular(&v.formulardaten.schema_uri).map(|f| &f.schema);
                abschnitte.push(Abschnitt::Felder(bescheid::formular_felder(&daten, schema)));
            }
            domain::DatenFormat::Xml => abschnitte.extend(bescheid::aktenstueck::text_abschnitte(
                &v.formulardaten.inhalt,
            )),
        }
        let mut angaben = vec![
            (
                "Eingang".to_owned(),
                crate::sitzung::deutsch(v.eingang.date()),
            ),
            ("Leistung".to_owned(), v.leistung.name.clone()),
            ("Antragsteller".to_owned(), v.antragsteller.name.clone()),
        ];
        if let Some(a) = &v.antragsteller.anschrift {
            angaben.push(("Anschrift".into(), a.clone()));
        }
        let antrag = setzen(&Aktenstueck {
            behoerde: kopf.clone(),
            titel: format!("Antrag: {}", v.leistung.name),
            aktenzeichen: az.clone(),
            datum: datum.clone(),
            angaben,
            abschnitte,
        })?;
        dokumente.push(xdomea::Dokument {
            id: doc_id("antrag.pdf"),
            titel: "Antrag (Formulardaten)".into(),
            typ: xdomea::DokumentTyp::Antrag,
            dateiname: "Antrag.pdf".into(),
            mime: "application/pdf".into(),
            datum: v.eingang,
            eingehend: true,
            signiert: false,
            inhalt: antrag,
        });
        let (endung, mime) = match v.formulardaten.format {
            domain::DatenFormat::Json => ("json", "application/json"),
            domain::DatenFormat::Xml => ("xml", "application/xml"),
        };
        dokumente.push(xdomea::Dokument {
            id: doc_id("antrag.daten"),
            titel: "Antrag (Daten wie empfangen)".into(),
            typ: xdomea::DokumentTyp::Antrag,
            dateiname: format!("Antrag.{endung}"),
            mime: mime.into(),
            datum: v.eingang,
            eingehend: true,
            signiert: false,
            inhalt: v.formulardaten.inhalt.clone().into_bytes(),
        });

        // 2. Attachments, the sealed Bescheid among them.
        let ausgehend: std::collections::HashSet<&str> = v
            .nachrichten
            .iter()
            .filter(|n| n.richtung == Richtung::Ausgehend)
            .flat_map(|n| n.anlagen.iter().map(String::as_str))
            .collect();
        let mut gesehen = std::collections::HashSet::new();
        for a in &v.anlagen {
            if !gesehen.insert(a.sha512.clone()) {
                continue;
            }
            let mut inhalt = Vec::new();
            let mut leser = self.store.anlage_leser(&a.sha512).map_err(fehler)?;
            std::io::Read::read_to_end(&mut leser, &mut inhalt).map_err(|e| {
                intern(format!(
                    "Die Anlage „{}“ ließ sich nicht lesen ({e}).",
                    a.dateiname
                ))
            })?;
            let ist_bescheid = v.bescheid.as_ref().is_some_and(|b| b.sha512 == a.sha512);
            dokumente.push(xdomea::Dokument {
                id: doc_id(&a.sha512),
                titel: if ist_bescheid {
                    "Bescheid".into()
                } else {
                    a.dateiname.clone()
                },
                typ: if ist_bescheid {
                    xdomea::DokumentTyp::Bescheid
                } else {
                    xdomea::DokumentTyp::Anlage
                },
                dateiname: a.dateiname.clone(),
                mime: a.mime.clone(),
                datum: v.eingang,
                eingehend: !ist_bescheid && !ausgehend.contains(a.dateiname.as_str()),
                signiert: a.mime == "application/pdf" && pdf_signiert(&inhalt),
                inhalt,
            });
        }

        // 3. Messages.
        for (i, n) in v.nachrichten.iter().enumerate() {
            let richtung = match n.richtung {
                Richtung::Eingehend => "von der antragstellenden Person",
                Richtung::Ausgehend => "an die antragstellende Person",
            };
            let mut angaben = vec![
                ("Art".to_owned(), n.art.bezeichnung().to_owned()),
                ("Richtung".to_owned(), richtung.to_owned()),
                ("Zeit".to_owned(), crate::sitzung::deutsch(n.zeit.date())),
                (
                    "Weg".to_owned(),
                    match n.kanal {
                        domain::Kanal::FitConnect => "FIT-Connect".to_owned(),
                        domain::Kanal::Brief => "Brief".to_owned(),
                    },
                ),
            ];
            if !n.anlagen.is_empty() {
                angaben.push(("Anlagen".into(), n.anlagen.join(", ")));
            }
            let pdf = setzen(&Aktenstueck {
                behoerde: kopf.clone(),
                titel: format!("Nachricht: {}", n.betreff),
                aktenzeichen: az.clone(),
                datum: datum.clone(),
                angaben,
                abschnitte: vec![Abschnitt::Text(n.text.clone())],
            })?;
            dokumente.push(xdomea::Dokument {
                id: doc_id(&format!("nachricht.{i}")),
                titel: format!("{}: {}", n.art.bezeichnung(), n.betreff),
                typ: xdomea::DokumentTyp::Nachricht,
                dateiname: format!("Nachricht-{:02}.pdf", i + 1),
                mime: "application/pdf".into(),
                datum: n.zeit,
                eingehend: n.richtung == Richtung::Eingehend,
                signiert: false,
                inhalt: pdf,
            });
        }

        // 4. The audit excerpt and the internal notes.
        let (verlauf, audit_kopf) = self
            .store
            .read(|r| Ok((r.audit_fuer_vorgang(&v.id)?, r.audit_kopf()?)))
            .map_err(fehler)?;
        let zeilen: Vec<Vec<String>> = verlauf
            .iter()
            .map(|e| {
                vec![
                    crate::sitzung::deutsch_zeit(e.zeit),
                    e.wer.clone(),
                    crate::vorgang::verlauf_text(e),
                ]
            })
            .collect();
        let mut abschnitte = vec![
            Abschnitt::Ueberschrift("Bearbeitungsprotokoll".into()),
            Abschnitt::Tabelle {
                spalten: vec!["Zeit".into(), "Wer".into(), "Was".into()],
                zeilen,
            },
        ];
        if !v.notizen.is_empty() {
            abschnitte.push(Abschnitt::Ueberschrift("Interne Notizen".into()));
            abschnitte.push(Abschnitt::Felder(
                v.notizen
                    .iter()
                    .map(|n| Feld {
                        ebene: 0,
                        bezeichnung: format!(
                            "{} ({})",
                            crate::sitzung::deutsch_zeit(n.zeit),
                            n.autor
                        ),
                        wert: n.text.clone(),
                    })
                    .collect(),
            ));
        }
        let protokoll = setzen(&Aktenstueck {
            behoerde: kopf,
            titel: "Bearbeitungsprotokoll".into(),
            aktenzeichen: az.clone(),
            datum,
            angaben: vec![("Einträge".into(), verlauf.len().to_string())],
            abschnitte,
        })?;
        dokumente.push(xdomea::Dokument {
            id: doc_id("protokoll"),
            titel: "Bearbeitungsprotokoll".into(),
            typ: xdomea::DokumentTyp::Protokoll,
            dateiname: "Bearbeitungsprotokoll.pdf".into(),
            mime: "application/pdf".into(),
            datum: jetzt,
            eingehend: false,
            signiert: false,
            inhalt: protokoll,
        });

        let historie = verlauf
            .iter()
            .filter(|e| e.was != "vorgang.geoeffnet")
            .map(|e| xdomea::Historie {
                akteur: e.wer.clone(),
                zeit: e.zeit,
                aktion: crate::vorgang::verlauf_text(e),
                bemerkung: None,
            })
            .collect();
        let aufbewahrung = b
            .leistung(&v.leistung.leika)
            .map_or(10, |l| l.aufbewahrung_jahre);
        Ok(xdomea::Abgabe {
            prozess_id,
            erstellt: jetzt,
            absender: xdomea::Beteiligter {
                name: b.name.clone(),
                kennung: None,
                organisationseinheit: Some(b.briefkopf.organisationseinheit.clone())
                    .filter(|o| !o.is_empty()),
            },
            empfaenger: xdomea::Beteiligter {
                name: ziel.name.clone(),
                kennung: ziel.kennung.clone(),
                organisationseinheit: None,
            },
            produkt_version: env!("CARGO_PKG_VERSION").into(),
            ersteller: self.sitzung.benutzer.clone(),
            vorgang: xdomea::VorgangDaten {
                id: v.id.0,
                aktenzeichen: az,
                betreff: format!("{} – {}", v.leistung.name, v.antragsteller.name),
                leika: v.leistung.leika.clone(),
                eingang: v.eingang.date(),
                frist: v.frist,
                zustaendig: v.zustaendig.clone(),
                status: v.status.bezeichnung().into(),
                abgeschlossen: heute,
                aufbewahrung_jahre: aufbewahrung,
                antragsteller: Some(v.antragsteller.name.clone()).filter(|n| !n.is_empty()),
                historie,
                // The chain's head goes to the E-Akte: a later rewrite of the chain shows
                // against it (`amtsstube store pruefen --anker`).
                audit_anker: audit_kopf.map(|(seq, hash)| xdomea::AuditAnker {
                    seq: seq as u64,
                    hash: hex::encode(hash),
                }),
            },
            dokumente,
        })
    }

    /// Whether `v` may be handed over now: the status machine offers „An E-Akte übergeben“,
    /// or an earlier hand-over ended in an import error. `Ok(true)` for the latter.
    fn abgabe_pruefen(&self, v: &Vorgang) -> Result<bool, IpcError> {
        if v.status == Status::AnEAkteUebergeben {
            return match v.eakte.as_ref().map(EAkteVermerk::zustand) {
                Some(EAkteZustand::Fehler) => Ok(true),
                _ => Err(ungueltig(
                    "Der Vorgang ist bereits an die E-Akte übergeben; die Bestätigung steht noch aus.",
                )),
            };
        }
        let rolle = crate::vorgang::rolle_fuer(
            &self.sitzung.domain_rollen(),
            v.status,
            Aktion::AnEAkteUebergeben,
        );
        v.status
            .anwenden(Aktion::AnEAkteUebergeben, rolle, &Fakten::default())
            .map_err(|e| ungueltig(e.to_string()))?;
        Ok(false)
    }

    /// Command `eakte_vorschau`: what „An E-Akte abgeben“ will hand over.
    pub fn eakte_vorschau(&self, id: String) -> Result<EAkteVorschau, IpcError> {
        let vid = vorgang_id(&id)?;
        let v = self.lesen(&vid)?;
        let erneut = self.abgabe_pruefen(&v)?;
        let ziel = self.eakte_ziel()?;
        let jetzt = OffsetDateTime::now_utc();
        let abgabe = self.abgabe_bauen(&v, Uuid::new_v4(), jetzt, &ziel)?;
        let groesse = xdomea::container_0605(&abgabe)
            .map_err(|e| intern(e.to_string()))?
            .len() as u64;
        Ok(EAkteVorschau {
            id,
            aktenzeichen: abgabe.vorgang.aktenzeichen.clone(),
            ziel: ziel.anzeigen(),
            dokumente: abgabe
                .dokumente
                .iter()
                .map(|d| EAkteDokument {
                    titel: d.titel.clone(),
                    typ: d.typ.bezeichnung().into(),
                    // The name as the caseworker knows it (the container prefixes its id).
                    dateiname: d.dateiname.clone(),
                    groesse: d.inhalt.len() as u64,
                    signiert: d.signiert,
                })
                .collect(),
            groesse,
            erneut,
            karenz: dauer_text(ziel.karenz),
        })
    }

    /// Command `eakte_abgeben`: hands the case over (see the module doc). Refused, with the
    /// reason, when the status does not allow it; nothing changes then.
    pub fn eakte_abgeben(&self, id: String) -> Result<VorgangDetail, IpcError> {
        let vid = vorgang_id(&id)?;
        let v = self.lesen(&vid)?;
        self.abgabe_pruefen(&v)?;
        let ziel = self.eakte_ziel()?;
        let jetzt = OffsetDateTime::now_utc();
        let prozess_id = Uuid::new_v4();
        let abgabe = self.abgabe_bauen(&v, prozess_id, jetzt, &ziel)?;
        let container = xdomea::container_0605(&abgabe).map_err(|e| intern(e.to_string()))?;
        let anzahl = abgabe.dokumente.len() as u32;
        let pid = prozess_id.to_string();
        let ich = self.sitzung.benutzer.clone();
        let rollen = self.sitzung.domain_rollen();
        let ziel_text = ziel.anzeigen();
        self.store
            .write(|w| {
                let mut v = w.vorgang(&vid)?.ok_or_else(|| {
                    store::StoreError::NichtGefunden(format!("Der Vorgang {vid}"))
                })?;
                let von = v.status;
                let was = if von == Status::AnEAkteUebergeben {
                    match v.eakte.as_mut() {
                        Some(e) if e.zustand() == EAkteZustand::Fehler => {
                            e.erneut(pid.clone(), jetzt, ich.clone(), anzahl);
                        }
                        _ => {
                            return Err(store::StoreError::Unzulaessig(
                                "Der Vorgang ist bereits an die E-Akte übergeben.".into(),
                            ));
                        }
                    }
                    UEBERGEBEN.to_owned()
                } else {
                    let rolle = crate::vorgang::rolle_fuer(&rollen, von, Aktion::AnEAkteUebergeben);
                    let nach = v.anwenden(Aktion::AnEAkteUebergeben, rolle, &Fakten::default())?;
                    v.eakte = Some(EAkteVermerk::neu(pid.clone(), jetzt, ich.clone(), anzahl));
                    format!(
                        "status: {} → {} ({})",
                        von.code(),
                        nach.code(),
                        Aktion::AnEAkteUebergeben.bezeichnung()
                    )
                };
                w.eakte_abgabe_eintragen(&pid, &vid, jetzt)?;
                w.outbox_einreihen(
                    &NeuerAuftrag {
                        idempotenz: format!("{ART_ABGABE}:{pid}"),
                        art: ART_ABGABE.into(),
                        vorgang_id: Some(vid.to_string()),
                        nutzlast: container.clone(),
                    },
                    jetzt,
                )?;
                w.vorgang_aendern(
                    &v,
                    &ich,
                    &was,
                    &format!("ProzessID {pid}, {anzahl} Dokumente, an {ziel_text}"),
                )
            })
            .map_err(fehler)?;
        self.eakte_anstoss.notify_one();
        self.vorgang_erneut(id)
    }

    /// Command `eakte_status`.
    pub fn eakte_status(&self) -> Result<EAkteStatus, IpcError> {
        let ziel = self.eakte_ziel();
        let unterwegs = self
            .store
            .read(|r| r.outbox_offen_je_art(&[ART_ABGABE]))
            .map_err(fehler)?
            .first()
            .copied()
            .unwrap_or(0) as u32;
        let hinweise = self
            .eakte_hinweise
            .lock()
            .map(|h| h.iter().rev().cloned().collect())
            .unwrap_or_default();
        Ok(match ziel {
            Ok(z) => EAkteStatus {
                eingerichtet: true,
                ziel: z.anzeigen(),
                unterwegs,
                hinweise,
            },
            Err(e) => EAkteStatus {
                eingerichtet: false,
                ziel: e.message,
                unterwegs,
                hinweise,
            },
        })
    }

    /// One pass of the background work, for the CLI and tests: deliver, read the return
    /// folder, purge what is due. Returns the hints of this pass.
    pub async fn eakte_durchgang(&self) -> Result<Vec<String>, IpcError> {
        let ziel = self.eakte_ziel()?;
        let h = durchgang(&self.store_arc(), &ziel).await;
        if let Ok(mut alle) = self.eakte_hinweise.lock() {
            merken(&mut alle, &h);
        }
        Ok(h)
    }

    /// The outbox error of the case's pending hand-over, if the last attempt failed.
    pub(crate) fn eakte_zustellfehler(&self, r: &store::Lesen<'_>, v: &Vorgang) -> Option<String> {
        let e = v.eakte.as_ref()?;
        r.outbox_nach_idempotenz(&format!("{ART_ABGABE}:{}", e.prozess_id))
            .ok()
            .flatten()
            .filter(|o| o.zustand != "erledigt")
            .and_then(|o| o.letzter_fehler)
    }
}

fn merken(alle: &mut Vec<String>, neu: &[String]) {
    alle.extend(neu.iter().cloned());
    let zu_viel = alle.len().saturating_sub(MAX_HINWEISE);
    alle.drain(..zu_viel);
}

/// Deliver, read confirmations, purge: one pass. Every step is durable on its own.
pub async fn durchgang(store: &Arc<Store>, ziel: &EAkteZiel) -> Vec<String> {
    let mut hinweise = zustellen(store, ziel).await;
    let s = store.clone();
    let z = ziel.clone();
    let rest = tokio::task::spawn_blocking(move || {
        let jetzt = OffsetDateTime::now_utc();
        let mut h = rueckmeldungen_verarbeiten(&s, &z.rueckgabe, jetzt);
        if let Err(e) = aussondern(&s, z.karenz, jetzt) {
            h.push(format!("Löschen nach der Abgabe an die E-Akte: {e}"));
        }
        h
    })
    .await
    .unwrap_or_default();
    hinweise.extend(rest);
    hinweise
}

/// Writes `inhalt` as `ordner/name` so that the name appears only complete: `.name.part`,
/// flushed, renamed, the folder flushed. An existing file of the same content counts as
/// written; one with other content is an error.
pub fn atomar_ablegen(ordner: &Path, name: &str, inhalt: &[u8]) -> Result<(), String> {
    use std::io::Write as _;
    let ziel = ordner.join(name);
    if let Ok(vorhanden) = std::fs::read(&ziel) {
        if sha256_hex(&vorhanden) == sha256_hex(inhalt) {
            return Ok(());
        }
        return Err(format!(
            "Im Abgabeordner liegt schon eine andere Datei „{name}“. Bitte klären Sie mit der \
             E-Akte, woher sie stammt; sie wird nicht überschrieben."
        ));
    }
    let meldung = |e: std::io::Error| {
        let grund = match e.kind() {
            std::io::ErrorKind::StorageFull => "der Datenträger ist voll".to_owned(),
            std::io::ErrorKind::PermissionDenied => "keine Schreibrechte".to_owned(),
            std::io::ErrorKind::NotFound => "der Ordner fehlt".to_owned(),
            _ => e.to_string(),
        };
        format!(
            "Der Abgabeordner {} ist nicht beschreibbar ({grund}). Prüfen Sie Freigabe, Rechte \
             und freien Platz; die Abgabe wird automatisch wiederholt.",
            ordner.display()
        )
    };
    if !ordner.is_dir() {
        return Err(meldung(std::io::Error::from(std::io::ErrorKind::NotFound)));
    }
    let tmp = ordner.join(format!(".{name}.part"));
    let ergebnis = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(inhalt)?;
        f.sync_all()?;
        drop(f);
        std::fs::rename(&tmp, &ziel)?;
        if let Ok(d) = std::fs::File::open(ordner) {
            let _ = d.sync_all();
        }
        Ok(())
    })();
    ergebnis.map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        meldung(e)
    })
}

/// Delivers every due hand-over of the outbox. Returns hints for what failed.
pub async fn zustellen(store: &Arc<Store>, ziel: &EAkteZiel) -> Vec<String> {
    let jetzt = OffsetDateTime::now_utc();
    let faellig = match store.read(|r| r.outbox_faellig_arten(jetzt, 100, &[ART_ABGABE])) {
        Ok(f) => f,
        Err(e) => return vec![format!("Postausgang der E-Akte: {e}")],
    };
    let mut hinweise = Vec::new();
    for e in faellig.into_iter().filter(|e| e.art == ART_ABGABE) {
        let Some(pid) = e.idempotenz.strip_prefix(&format!("{ART_ABGABE}:")) else {
            continue;
        };
        let Ok(uuid) = Uuid::parse_str(pid) else {
            continue;
        };
        let name = xdomea::container_name(&uuid);
        if store.write(|w| w.outbox_versuch(e.id)).is_err() {
            continue;
        }
        let ergebnis = match &ziel.weg {
            Abgabeweg::Ordner(o) => {
                let o = o.clone();
                let inhalt = e.nutzlast.clone();
                let n = name.clone();
                tokio::task::spawn_blocking(move || atomar_ablegen(&o, &n, &inhalt))
                    .await
                    .unwrap_or_else(|e| Err(e.to_string()))
            }
            Abgabeweg::Url(u) => posten(u, pid, &name, e.nutzlast.clone()).await,
        };
        let fertig = OffsetDateTime::now_utc();
        let r = match &ergebnis {
            Ok(()) => store.write(|w| {
                w.outbox_erledigt(e.id, fertig)?;
                let Some(vid) = e
                    .vorgang_id
                    .as_deref()
                    .and_then(|s| Uuid::parse_str(s).ok())
                else {
                    return Ok(());
                };
                let vid = domain::VorgangId(vid);
                if let Some(mut v) = w.vorgang(&vid)?
                    && let Some(ev) = v.eakte.as_mut()
                    && ev.prozess_id == pid
                    && ev.zugestellt.is_none()
                {
                    ev.zugestellt = Some(fertig);
                    w.vorgang_aendern(
                        &v,
                        SYSTEM,
                        ZUGESTELLT,
                        &format!("{name} → {}", ziel.anzeigen()),
                    )?;
                }
                Ok(())
            }),
            Err(text) => {
                let warte =
                    sync::backoff::Backoff::default().wartezeit_zufaellig(e.versuche + 1, None);
                let naechster =
                    fertig + time::Duration::try_from(warte).unwrap_or(time::Duration::minutes(1));
                hinweise.push(text.clone());
                store.write(|w| w.outbox_fehlschlag(e.id, text, naechster))
            }
        };
        if let Err(err) = r {
            hinweise.push(format!("Postausgang der E-Akte: {err}"));
        }
    }
    hinweise
}

async fn posten(url: &str, pid: &str, name: &str, inhalt: Vec<u8>) -> Result<(), String> {
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(120))
        .build()
        .map_err(|e| e.to_string())?;
    let antwort = client
        .post(url)
        .header("Content-Type", "application/zip")
        .header("Idempotency-Key", pid)
        .header("Content-Disposition", format!("attachment; filename=\"{name}\""))
        .body(inhalt)
        .send()
        .await
        .map_err(|e| {
            format!(
                "Die E-Akte unter {url} ist nicht erreichbar ({e}); die Abgabe wird automatisch wiederholt."
            )
        })?;
    if antwort.status().is_success() {
        Ok(())
    } else {
        Err(format!(
            "Die E-Akte unter {url} hat die Abgabe abgelehnt (HTTP {}); sie wird wiederholt.",
            antwort.status()
        ))
    }
}

fn verschieben(datei: &Path, ordner: &str) {
    let Some(eltern) = datei.parent() else { return };
    let ziel = eltern.join(ordner);
    let _ = std::fs::create_dir_all(&ziel);
    if let Some(name) = datei.file_name() {
        let mut z = ziel.join(name);
        if z.exists() {
            z = ziel.join(format!(
                "{}-{}",
                OffsetDateTime::now_utc().unix_timestamp_nanos(),
                name.to_string_lossy()
            ));
        }
        if std::fs::rename(datei, &z).is_err() {
            let _ = std::fs::remove_file(datei);
        }
    }
}

/// Reads every confirmation in `ordner` and applies it (see the module doc). Returns hints
/// for files that could not be used.
pub fn rueckmeldungen_verarbeiten(
    store: &Store,
    ordner: &Path,
    jetzt: OffsetDateTime,
) -> Vec<String> {
    let mut hinweise = Vec::new();
    let Ok(eintraege) = std::fs::read_dir(ordner) else {
        return hinweise;
    };
    let mut dateien: Vec<PathBuf> = eintraege
        .filter_map(|e| e.ok())
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .map(|e| e.path())
        .filter(|p| {
            let n = p
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            !n.starts_with('.') && n.to_ascii_lowercase().ends_with(".xml")
        })
        .collect();
    dateien.sort();
    for datei in dateien {
        let name = datei
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let abgelehnt = |grund: String, wohin: &str, hinweise: &mut Vec<String>| {
            let text = format!("Rückmeldung der E-Akte „{name}“: {grund}");
            let _ = store.write(|w| {
                w.audit_anhaengen(SYSTEM, RUECKMELDUNG_ABGELEHNT, None, &text)
                    .map(|_| ())
            });
            hinweise.push(format!("{text} (verschoben nach {wohin}/)"));
            verschieben(&datei, wohin);
        };
        let inhalt = match std::fs::metadata(&datei) {
            Ok(m) if m.len() > MAX_RUECKMELDUNG => {
                abgelehnt(
                    format!("größer als {} KiB, nicht gelesen.", MAX_RUECKMELDUNG / 1024),
                    "fehlerhaft",
                    &mut hinweise,
                );
                continue;
            }
            Ok(_) => match std::fs::read(&datei) {
                Ok(b) => b,
                Err(_) => continue, // still being written or gone: next pass
            },
            Err(_) => continue,
        };
        let r = match xdomea::rueckmeldung_lesen(&inhalt) {
            Ok(r) => r,
            Err(e) => {
                abgelehnt(e.to_string(), "fehlerhaft", &mut hinweise);
                continue;
            }
        };
        let pid = match &r {
            xdomea::Rueckmeldung::Empfang { prozess_id }
            | xdomea::Rueckmeldung::Import { prozess_id, .. } => prozess_id.to_string(),
        };
        let ergebnis = store.write(|w| {
            let Some(vid) = w.eakte_vorgang(&pid)? else {
                return Ok(false);
            };
            let Some(mut v) = w.vorgang(&vid)? else {
                return Ok(false);
            };
            let Some(e) = v.eakte.as_mut() else {
                return Ok(false);
            };
            if e.zuordnen(&pid) != Zuordnung::Aktuell {
                // An answer to an earlier, failed hand-over: known, nothing to do.
                return Ok(true);
            }
            match &r {
                xdomea::Rueckmeldung::Empfang { .. } => {
                    if e.empfang(jetzt) {
                        w.vorgang_aendern(&v, SYSTEM, EMPFANGEN, &format!("ProzessID {pid}"))?;
                    }
                }
                xdomea::Rueckmeldung::Import {
                    erfolgreich,
                    meldungen,
                    referenz,
                    ..
                } => {
                    let text = (!meldungen.is_empty()).then(|| meldungen.join("; "));
                    if !e.import(jetzt, *erfolgreich, referenz.clone(), text) {
                        return Ok(true);
                    }
                    if *erfolgreich {
                        let von = v.status;
                        let f = Fakten {
                            eakte_quittung_vorhanden: true,
                            ..Fakten::default()
                        };
                        let nach = v.anwenden(Aktion::Archivieren, Rolle::System, &f)?;
                        w.vorgang_aendern(
                            &v,
                            SYSTEM,
                            &format!(
                                "status: {} → {} ({})",
                                von.code(),
                                nach.code(),
                                Aktion::Archivieren.bezeichnung()
                            ),
                            &format!(
                                "Zu den Akten, E-Akte-Referenz {}",
                                referenz.as_deref().unwrap_or("—")
                            ),
                        )?;
                    } else {
                        let f = e.fehler.clone().unwrap_or_default();
                        w.vorgang_aendern(&v, SYSTEM, IMPORTFEHLER, &f)?;
                    }
                }
            }
            Ok(true)
        });
        match ergebnis {
            Ok(true) => verschieben(&datei, "verarbeitet"),
            Ok(false) => abgelehnt(
                format!("ProzessID {pid} gehört zu keinem Vorgang dieses Arbeitsplatzes."),
                "unbekannt",
                &mut hinweise,
            ),
            // Store busy or failing: the file stays for the next pass.
            Err(e) => hinweise.push(format!("Rückmeldung „{name}“ nicht übernommen: {e}")),
        }
    }
    hinweise
}

/// Purges every imported case whose grace period has passed; returns how many.
pub fn aussondern(
    store: &Store,
    karenz: time::Duration,
    jetzt: OffsetDateTime,
) -> store::Result<u32> {
    let faellig: Vec<domain::VorgangId> = store.read(|r| {
        Ok(r.eakte_kandidaten()?
            .into_iter()
            .filter(|v| v.status == Status::Archiviert)
            .filter(|v| {
                v.eakte
                    .as_ref()
                    .and_then(|e| e.loeschbar_ab(karenz))
                    .is_some_and(|ab| ab <= jetzt)
            })
            .map(|v| v.id)
            .collect())
    })?;
    let mut n = 0;
    for id in &faellig {
        store.write(|w| w.vorgang_aussondern(id, SYSTEM, jetzt))?;
        n += 1;
    }
    if n > 0 {
        store.verdichten()?;
    }
    Ok(n)
}

/// When the next purge is due (to wake up for it).
fn naechste_aussonderung(store: &Store, karenz: time::Duration) -> Option<OffsetDateTime> {
    store
        .read(|r| r.eakte_kandidaten())
        .ok()?
        .iter()
        .filter(|v| v.status == Status::Archiviert)
        .filter_map(|v| v.eakte.as_ref().and_then(|e| e.loeschbar_ab(karenz)))
        .min()
}

/// The background loop: a pass at start, then on a nudge (a new hand-over), on a change in
/// the return folder, when a purge is due, and every 30 s, until `stopp`.
pub(crate) async fn laufen(
    store: Arc<Store>,
    ziel: EAkteZiel,
    anstoss: Arc<tokio::sync::Notify>,
    hinweise: Arc<Mutex<Vec<String>>>,
    mut stopp: tokio::sync::watch::Receiver<bool>,
) {
    let _ = std::fs::create_dir_all(&ziel.rueckgabe);
    if let Abgabeweg::Ordner(o) = &ziel.weg
        && ziel.standin.is_some()
    {
        let _ = std::fs::create_dir_all(o);
    }
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<()>();
    let _beobachter = {
        use notify::Watcher as _;
        notify::recommended_watcher(move |_res: notify::Result<notify::Event>| {
            let _ = tx.send(());
        })
        .ok()
        .and_then(|mut w| {
            w.watch(&ziel.rueckgabe, notify::RecursiveMode::NonRecursive)
                .ok()
                .map(|()| w)
        })
    };
    loop {
        let span = protokoll::lauf("eakte");
        let h = {
            use tracing::Instrument as _;
            durchgang(&store, &ziel).instrument(span.clone()).await
        };
        span.in_scope(|| {
            // Aktenzeichen and the E-Akte's or the file system's text: no personal data.
            for hinweis in &h {
                tracing::warn!("E-Akte: {hinweis}");
            }
        });
        if !h.is_empty()
            && let Ok(mut alle) = hinweise.lock()
        {
            merken(&mut alle, &h);
        }
        let mut warte = Duration::from_secs(30);
        if let Some(ab) = naechste_aussonderung(&store, ziel.karenz) {
            let bis = ab - OffsetDateTime::now_utc();
            warte = warte.min(
                Duration::try_from(bis).unwrap_or(Duration::ZERO) + Duration::from_millis(200),
            );
        }
        if let Ok(Some(e)) = store.read(|r| {
            Ok(r.outbox_faellig_arten(
                OffsetDateTime::now_utc() + time::Duration::days(3650),
                1,
                &[ART_ABGABE],
            )?
            .into_iter()
            .map(|e| e.naechster_versuch)
            .min())
        }) {
            let bis = e - OffsetDateTime::now_utc();
            warte = warte.min(
                Duration::try_from(bis).unwrap_or(Duration::ZERO) + Duration::from_millis(100),
            );
        }
        tokio::select! {
            _ = anstoss.notified() => {}
            Some(()) = rx.recv() => {
                // Let a burst of events (0629 and 0630 together) settle.
                tokio::time::sleep(Duration::from_millis(150)).await;
                while rx.try_recv().is_ok() {}
            }
            _ = tokio::time::sleep(warte) => {}
            _ = stopp.changed() => {}
        }
        if *stopp.borrow() {
            break;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pdf_with_a_signature_dictionary_counts_as_sealed() {
        assert!(pdf_signiert(b"%PDF-1.7 ... /ByteRange [0 10 20 30] ..."));
        assert!(!pdf_signiert(b"%PDF-1.7 ... /ByteRang ..."));
        assert!(!pdf_signiert(b"PK /ByteRange"));
    }

    /// A full disk: the temporary file is `/dev/full` (every write fails with ENOSPC); the
    /// message says so, nothing is left behind, a later try with space succeeds.
    #[cfg(target_os = "linux")]
    #[test]
    fn a_full_disk_is_named_and_leaves_nothing_behind() {
        let d = tempfile::tempdir().unwrap();
        std::os::unix::fs::symlink("/dev/full", d.path().join(".a.zip.part")).unwrap();
        let e = atomar_ablegen(d.path(), "a.zip", &[7u8; 100_000]).unwrap_err();
        assert!(e.contains("der Datenträger ist voll"), "{e}");
        assert!(e.contains("automatisch wiederholt"), "{e}");
        assert_eq!(
            std::fs::read_dir(d.path()).unwrap().count(),
            0,
            "nothing left"
        );
        atomar_ablegen(d.path(), "a.zip", b"inhalt").unwrap();
        assert_eq!(std::fs::read(d.path().join("a.zip")).unwrap(), b"inhalt");
    }

    #[test]
    fn grace_periods_read_as_german() {
        assert_eq!(dauer_text(time::Duration::days(30)), "30 Tage");
        assert_eq!(dauer_text(time::Duration::days(1)), "1 Tag");
        assert_eq!(dauer_text(time::Duration::hours(12)), "12 Stunden");
        assert_eq!(dauer_text(time::Duration::minutes(5)), "5 Minuten");
        assert_eq!(dauer_text(time::Duration::seconds(90)), "90 Sekunden");
    }

    #[test]
    fn atomic_write_is_idempotent_and_refuses_other_content() {
        let d = tempfile::tempdir().unwrap();
        atomar_ablegen(d.path(), "a.zip", b"eins").unwrap();
        atomar_ablegen(d.path(), "a.zip", b"eins").unwrap();
        assert!(
            atomar_ablegen(d.path(), "a.zip", b"zwei")
                .unwrap_err()
                .contains("andere Datei")
        );
        assert_eq!(std::fs::read(d.path().join("a.zip")).unwrap(), b"eins");
        let fehlt = d.path().join("fehlt");
        assert!(
            atomar_ablegen(&fehlt, "a.zip", b"x")
                .unwrap_err()
                .contains("der Ordner fehlt")
        );
        let namen: Vec<_> = std::fs::read_dir(d.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(namen.len(), 1, "no .part left: {namen:?}");
    }
}
