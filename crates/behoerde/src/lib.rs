//! The authority's configuration (Behördenkonfiguration): everything that differs between two
//! municipalities, in one validated file instead of in code.
//!
//! A configuration names the authority and its Land (whose public holidays count for every
//! Frist), the pattern of its Aktenzeichen, its Fristen (the default processing time and the
//! lead time from which a case counts as „fällig“) and its Leistungen: LeiKa key, name, form
//! schema(s), Bearbeitungsfrist, Nachforderungsfrist, the Nachweise a caseworker can ask for,
//! the Bescheid templates and the Aufbewahrungsfrist. It is a TOML file (`behoerde.toml`)
//! whose form schemas are JSON Schema files beside it; `assets/behoerde.schema.json` documents
//! the format, and `assets/behoerden/demo/` is the demo municipality's configuration, compiled
//! in as [`Behoerde::demo`].
//!
//! Loading is all or nothing: [`Behoerde::laden`] reads the file and every form schema, checks
//! every field, and either returns a complete configuration or a [`KonfigFehler`] that names
//! the file, the line and the field and says what to write instead. The app does not start on
//! half a configuration.
//!
//! The configuration is loaded once at start and handed to the sync engine and the app; the
//! domain rules that use it (Fristen, fällig) live in `domain` and get their parameters from
//! [`Behoerde::fristenkatalog`].
//!
//! To extend: a new setting is a field in the `roh` structs (with `#[serde(default)]` if
//! older files may lack it), its check in [`Behoerde::pruefen_und_bauen`], its entry in
//! `assets/behoerde.schema.json`, and a line in the README's configuration table.
#![deny(missing_docs)]

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use domain::{AktenzeichenMuster, Bundesland, Fristenkatalog, Fristregel};
use serde::Deserialize;
use serde_json::Value;

/// File name of the configuration in the profile or beside the policy.
pub const DATEINAME: &str = "behoerde.toml";

/// Directory of the administrator's files on this system (policy, role assignment, the
/// authority's configuration): `/etc/amtsstube` on Linux, `%ProgramData%\Amtsstube` on Windows.
pub fn systemverzeichnis() -> PathBuf {
    #[cfg(windows)]
    {
        let basis = std::env::var_os("ProgramData").unwrap_or_else(|| "C:\\ProgramData".into());
        PathBuf::from(basis).join("Amtsstube")
    }
    #[cfg(not(windows))]
    {
        PathBuf::from("/etc/amtsstube")
    }
}

/// Where the configuration of a profile is looked for, in this order: the profile's own
/// `behoerde.toml`, then the one beside the policy. `None`: there is none (the caller decides:
/// Demo-Modus uses [`Behoerde::demo`], a connected app refuses to start).
pub fn finden(profil: &Path) -> Option<PathBuf> {
    [profil.join(DATEINAME), systemverzeichnis().join(DATEINAME)]
        .into_iter()
        .find(|p| p.is_file())
}

/// Why a configuration cannot be used: which file, where, which field and what is wrong, in
/// German for the administrator.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct KonfigFehler {
    /// The file (the configuration or a form schema it names).
    pub datei: String,
    /// Line (from 1), where known.
    pub zeile: Option<usize>,
    /// The field as a path, e.g. `leistung[2].bearbeitungsfrist`.
    pub feld: String,
    /// What is wrong and what to do.
    pub meldung: String,
}

impl fmt::Display for KonfigFehler {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Behördenkonfiguration {}", self.datei)?;
        if let Some(z) = self.zeile {
            write!(f, ", Zeile {z}")?;
        }
        if !self.feld.is_empty() {
            write!(f, ", Feld „{}“", self.feld)?;
        }
        write!(f, ": {}", self.meldung)
    }
}

/// A Nachweis (document) a caseworker can request for a Leistung.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Nachweis {
    /// Stable key (letters, digits, `-`, `_`), e.g. `haftpflicht`.
    pub id: String,
    /// As the applicant reads it.
    pub bezeichnung: String,
}

/// A form schema of a Leistung.
#[derive(Debug, Clone, PartialEq)]
pub struct Formular {
    /// The schema's URI (its `$id`), which submissions name in their metadata.
    pub uri: String,
    /// Its title (German), if it has one.
    pub titel: Option<String>,
    /// The JSON Schema (2020-12).
    pub schema: Value,
}

/// A Leistung the authority offers.
#[derive(Debug, Clone, PartialEq)]
pub struct Leistung {
    /// LeiKa key (14 digits).
    pub leika: String,
    /// Name as citizens see it.
    pub name: String,
    /// Form schemas of its applications (at least one).
    pub formulare: Vec<Formular>,
    /// Statutory processing time.
    pub bearbeitungsfrist: Fristregel,
    /// Default time an applicant gets to answer a Nachforderung.
    pub nachforderungsfrist: Fristregel,
    /// What can be requested in a Nachforderung.
    pub nachweise: Vec<Nachweis>,
    /// Names of the Bescheid templates (`assets/bescheid/<name>.j2`).
    pub bescheid_vorlagen: Vec<String>,
    /// Years the E-Akte keeps a finished case.
    pub aufbewahrung_jahre: u32,
}

/// The authority's configuration, complete and checked.
#[derive(Debug, Clone, PartialEq)]
pub struct Behoerde {
    /// Name of the authority, e.g. „Stadt Musterstadt – Bürgerbüro“.
    pub name: String,
    /// What letters to applicants carry in their letterhead and footer.
    pub briefkopf: Briefkopf,
    /// Its Land (public holidays).
    pub land: Bundesland,
    /// Pattern of its Aktenzeichen.
    pub aktenzeichen_muster: AktenzeichenMuster,
    /// Value of `{Amt}`.
    pub amt: String,
    /// Value of `{Kürzel}`.
    pub kuerzel: String,
    /// Processing time of Leistungen without their own.
    pub standardfrist: Fristregel,
    /// Working days before the Frist from which a case counts as „fällig“.
    pub faellig_vorlauf_arbeitstage: u32,
    /// Its Leistungen, in the order of the file.
    pub leistungen: Vec<Leistung>,
    /// Where it came from (a path, or `eingebaut: Demo-Kommune`).
    pub quelle: String,
    /// The electronic seal, if configured (`[siegel]`); Demo-Modus makes its own.
    pub siegel: Option<Siegel>,
    /// The E-Akte finished cases are handed to (`[eakte]`); Demo-Modus has its stand-in.
    pub eakte: Option<EAkte>,
}

/// Where finished cases go (xdomea `FVDaten.SGOAblegen.0605`) and where the E-Akte answers
/// (`[eakte]`). Paths are absolute or relative to the configuration file.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct EAkte {
    /// Name of the receiving E-Akte / DMS (the messages' Empfänger).
    pub name: String,
    /// Its Behördenschlüssel, if it wants one in the message head.
    #[serde(default)]
    pub kennung: Option<String>,
    /// The hand-over folder (a local path or an SMB mount).
    #[serde(default)]
    pub abgabe_ordner: Option<String>,
    /// Or an HTTP(S) endpoint that takes the ZIP container by POST.
    #[serde(default)]
    pub abgabe_url: Option<String>,
    /// The folder the E-Akte writes its confirmations (0629, 0630) into.
    pub rueckgabe_ordner: String,
    /// Grace period between the import confirmation and deleting the local copy:
    /// „30 Tage“, „12 Stunden“, „90 Sekunden“ (also `30d`, `12h`, `90s`).
    #[serde(default = "karenz_standard")]
    pub karenz: String,
}

fn karenz_standard() -> String {
    "30 Tage".into()
}

impl EAkte {
    /// The grace period as a duration, or why the text is not one.
    pub fn karenz_dauer(&self) -> Result<time::Duration, String> {
        dauer_parsen(&self.karenz)
    }
}

/// Parses „30 Tage“, „12 Stunden“, „15 Minuten“, „90 Sekunden“ (singular too) or `30d`,
/// `12h`, `15min`, `90s`.
pub fn dauer_parsen(text: &str) -> Result<time::Duration, String> {
    let t = text.trim();
    let ziffern: String = t.chars().take_while(|c| c.is_ascii_digit()).collect();
    let einheit = t[ziffern.len()..].trim().to_lowercase();
    let falsch = || {
        format!(
            "„{text}“ ist keine Dauer. Schreiben Sie z. B. „30 Tage“, „12 Stunden“ oder „90 Sekunden“."
        )
    };
    let n: i64 = ziffern.parse().map_err(|_| falsch())?;
    let d = match einheit.as_str() {
        "d" | "tag" | "tage" => time::Duration::days(n),
        "h" | "stunde" | "stunden" => time::Duration::hours(n),
        "min" | "minute" | "minuten" => time::Duration::minutes(n),
        "s" | "sekunde" | "sekunden" => time::Duration::seconds(n),
        _ => return Err(falsch()),
    };
    if d > time::Duration::days(3650) {
        return Err(format!("„{text}“ ist zu lang: höchstens 3650 Tage."));
    }
    Ok(d)
}

/// The authority's postal address.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct Anschrift {
    /// Street and number, or `Postfach 12 34`.
    pub strasse: String,
    /// Postcode.
    pub plz: String,
    /// Town.
    pub ort: String,
}

/// Letterhead and footer of the authority's letters (all optional in the file; empty when
/// not given).
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize)]
pub struct Briefkopf {
    /// Organisational unit under the name, e.g. „Der Oberbürgermeister · Bürgerbüro“.
    pub organisationseinheit: String,
    /// Postal address.
    pub anschrift: Option<Anschrift>,
    /// Phone.
    pub telefon: String,
    /// E-mail.
    pub email: String,
    /// Web address.
    pub web: String,
    /// Bank details for fees (Bescheid, GiroCode), if fees are charged.
    pub bankverbindung: Option<Bankverbindung>,
    /// The administrative court with its address, named by the Rechtsbehelfsbelehrung where
    /// the Land has no Widerspruchsverfahren (NW).
    pub verwaltungsgericht: Option<String>,
}

/// The authority's bank account for fees.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct Bankverbindung {
    /// Name of the bank.
    pub institut: String,
    /// IBAN (spaces allowed).
    pub iban: String,
    /// BIC.
    pub bic: String,
}

/// Where the authority's electronic seal key is (set by the administrator). Secrets (PKCS#12
/// password, token PIN) are never in the file: they are in the OS keyring (service
/// `amtsstube-siegel`, account `p12:<absolute path>` or `pkcs11:<token label>`, put there with
/// `amtsstube bescheid store-secret`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct Siegel {
    /// A PKCS#12 file (path relative to the configuration file, or absolute).
    #[serde(default)]
    pub pkcs12: Option<String>,
    /// A PKCS#11 token: the module (library) path.
    #[serde(default)]
    pub pkcs11_modul: Option<String>,
    /// The token's label.
    #[serde(default)]
    pub token: Option<String>,
    /// The key's label on the token.
    #[serde(default)]
    pub schluessel: Option<String>,
    /// Root certificates (PEM files, paths like `pkcs12`) that seals and signatures on
    /// incoming PDFs are checked against.
    #[serde(default)]
    pub vertrauensanker: Vec<String>,
}

/// The demo configuration's files, compiled in.
const DEMO_TOML: &str = include_str!("../../../assets/behoerden/demo/behoerde.toml");
const DEMO_FORMULARE: [(&str, &str); 5] = [
    (
        "formulare/hundesteuer.schema.json",
        include_str!("../../../assets/behoerden/demo/formulare/hundesteuer.schema.json"),
    ),
    (
        "formulare/gewerbeanmeldung.schema.json",
        include_str!("../../../assets/behoerden/demo/formulare/gewerbeanmeldung.schema.json"),
    ),
    (
        "formulare/bewohnerparken.schema.json",
        include_str!("../../../assets/behoerden/demo/formulare/bewohnerparken.schema.json"),
    ),
    (
        "formulare/sondernutzung.schema.json",
        include_str!("../../../assets/behoerden/demo/formulare/sondernutzung.schema.json"),
    ),
    (
        "formulare/meldebescheinigung.schema.json",
        include_str!("../../../assets/behoerden/demo/formulare/meldebescheinigung.schema.json"),
    ),
];

/// Writes the demo configuration (`behoerde.toml` and its form schemas, as compiled in) into
/// `ziel`: a starting point for an authority's own file, and a connected test profile's.
pub fn demo_ablegen(ziel: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(ziel.join("formulare"))?;
    std::fs::write(ziel.join(DATEINAME), DEMO_TOML)?;
    for (name, text) in DEMO_FORMULARE {
        std::fs::write(ziel.join(name), text)?;
    }
    Ok(())
}

impl Behoerde {
    /// Reads and checks the configuration at `pfad`; form schemas are read relative to it.
    pub fn laden(pfad: &Path) -> Result<Self, KonfigFehler> {
        let datei = pfad.display().to_string();
        let text = std::fs::read_to_string(pfad).map_err(|e| KonfigFehler {
            datei: datei.clone(),
            zeile: None,
            feld: String::new(),
            meldung: format!(
                "Die Datei lässt sich nicht lesen ({e}). Prüfen Sie Pfad und Leserechte."
            ),
        })?;
        let basis = pfad.parent().map(Path::to_path_buf).unwrap_or_default();
        Self::aus_text(&text, &datei, &|name| {
            std::fs::read_to_string(basis.join(name)).map_err(|e| e.to_string())
        })
    }

    /// Parses and checks `text` (named `datei` in messages); `lesen` returns the content of a
    /// form schema named in the file (relative path) or why it cannot be read.
    pub fn aus_text(
        text: &str,
        datei: &str,
        lesen: &dyn Fn(&str) -> Result<String, String>,
    ) -> Result<Self, KonfigFehler> {
        let roh = roh::parsen(text, datei)?;
        Self::pruefen_und_bauen(roh, text, datei, lesen)
    }

    /// The demo municipality's configuration (`assets/behoerden/demo/`, compiled in).
    pub fn demo() -> Result<Self, KonfigFehler> {
        Self::aus_text(DEMO_TOML, "eingebaut: Demo-Kommune", &|name| {
            DEMO_FORMULARE
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, t)| (*t).to_owned())
                .ok_or_else(|| "nicht in der eingebauten Demo-Konfiguration".to_owned())
        })
    }

    /// The deadline rules of this authority for the domain.
    pub fn fristenkatalog(&self) -> Fristenkatalog {
        Fristenkatalog {
            bundesland: self.land,
            standard: self.standardfrist,
            je_leistung: self
                .leistungen
                .iter()
                .map(|l| (l.leika.clone(), l.bearbeitungsfrist))
                .collect(),
            vorlauf_arbeitstage: self.faellig_vorlauf_arbeitstage,
        }
    }

    /// The Leistung with LeiKa key `leika`.
    pub fn leistung(&self, leika: &str) -> Option<&Leistung> {
        self.leistungen.iter().find(|l| l.leika == leika)
    }

    /// Every form schema of every Leistung.
    pub fn formulare(&self) -> impl Iterator<Item = &Formular> {
        self.leistungen.iter().flat_map(|l| l.formulare.iter())
    }

    /// The form schema with URI `uri`.
    pub fn formular(&self, uri: &str) -> Option<&Formular> {
        self.formulare().find(|f| f.uri == uri)
    }

    fn pruefen_und_bauen(
        roh: roh::Datei,
        text: &str,
        datei: &str,
        lesen: &dyn Fn(&str) -> Result<String, String>,
    ) -> Result<Self, KonfigFehler> {
        let fehler = |abschnitt: Option<usize>, feld: &str, meldung: String| KonfigFehler {
            datei: datei.to_owned(),
            zeile: zeile_von(text, abschnitt, feld.rsplit('.').next().unwrap_or(feld)),
            feld: feld.to_owned(),
            meldung,
        };
        let muster = AktenzeichenMuster::parse(&roh.aktenzeichen.muster)
            .map_err(|e| fehler(None, "aktenzeichen.muster", e.to_string()))?;
        for (feld, wert) in [
            ("aktenzeichen.amt", &roh.aktenzeichen.amt),
            ("aktenzeichen.kuerzel", &roh.aktenzeichen.kuerzel),
        ] {
            if !aktenzeichen_teil_ok(wert) {
                return Err(fehler(
                    None,
                    feld,
                    format!(
                        "„{wert}“ ist kein brauchbarer Teil eines Aktenzeichens: 1 bis 20 Buchstaben, \
                         Ziffern, „.“ oder „-“."
                    ),
                ));
            }
        }
        if roh.behoerde.name.trim().is_empty() {
            return Err(fehler(
                None,
                "behoerde.name",
                "Der Name der Behörde fehlt; er steht in Bescheiden und Nachrichten.".into(),
            ));
        }
        if roh.fristen.faellig_vorlauf_arbeitstage > 60 {
            return Err(fehler(
                None,
                "fristen.faellig_vorlauf_arbeitstage",
                "Höchstens 60 Arbeitstage; üblich sind 3 bis 10.".into(),
            ));
        }
        if let Some(e) = &roh.eakte {
            let leer = |s: &Option<String>| s.as_deref().map(str::trim).is_none_or(str::is_empty);
            if e.name.trim().is_empty() {
                return Err(fehler(
                    None,
                    "eakte.name",
                    "Der Name der E-Akte fehlt; er steht als Empfänger in jeder Abgabe.".into(),
                ));
            }
            if leer(&e.abgabe_ordner) == leer(&e.abgabe_url) {
                return Err(fehler(
                    None,
                    "eakte",
                    "Genau eines von abgabe_ordner (Abgabeordner) oder abgabe_url (HTTP(S)-Adresse) angeben."
                        .into(),
                ));
            }
            if let Some(u) = e.abgabe_url.as_deref()
                && !(u.starts_with("https://")
                    || u.starts_with("http://127.0.0.1")
                    || u.starts_with("http://localhost"))
            {
                return Err(fehler(
                    None,
                    "eakte.abgabe_url",
                    format!("„{u}“: nur https:// (unverschlüsselt nur an 127.0.0.1/localhost)."),
                ));
            }
            if e.rueckgabe_ordner.trim().is_empty() {
                return Err(fehler(
                    None,
                    "eakte.rueckgabe_ordner",
                    "Der Rückgabeordner fehlt: dorthin legt die E-Akte ihre Bestätigungen.".into(),
                ));
            }
            if let Err(m) = e.karenz_dauer() {
                return Err(fehler(None, "eakte.karenz", m));
            }
        }
        if roh.leistung.is_empty() {
            return Err(fehler(
                None,
                "leistung",
                "Keine Leistung konfiguriert: mindestens ein Abschnitt [[leistung]] mit leika, \
                 name, formulare, bearbeitungsfrist und aufbewahrung_jahre."
                    .into(),
            ));
        }
        let mut leistungen = Vec::with_capacity(roh.leistung.len());
        let mut schema_uris: BTreeMap<String, usize> = BTreeMap::new();
        for (i, l) in roh.leistung.into_iter().enumerate() {
            let feld = |name: &str| format!("leistung[{i}].{name}");
            if l.leika.len() != 14 || !l.leika.bytes().all(|b| b.is_ascii_digit()) {
                return Err(fehler(
                    Some(i),
                    &feld("leika"),
                    format!(
                        "„{}“ ist kein LeiKa-Schlüssel: genau 14 Ziffern, z. B. „99050012104000“.",
                        l.leika
                    ),
                ));
            }
            if let Some(frueher) = leistungen
                .iter()
                .position(|x: &Leistung| x.leika == l.leika)
            {
                return Err(fehler(
                    Some(i),
                    &feld("leika"),
                    format!(
                        "Die Leistung {} ist schon als leistung[{frueher}] konfiguriert; jede \
                         Leistung darf nur einmal vorkommen.",
                        l.leika
                    ),
                ));
            }
            if l.name.trim().is_empty() {
                return Err(fehler(
                    Some(i),
                    &feld("name"),
                    "Der Name der Leistung fehlt.".into(),
                ));
            }
            if l.formulare.is_empty() {
                return Err(fehler(
                    Some(i),
                    &feld("formulare"),
                    "Mindestens ein Formularschema (JSON Schema, Pfad relativ zu dieser Datei)."
                        .into(),
                ));
            }
            let mut formulare = Vec::new();
            for name in &l.formulare {
                let f = formular_laden(name, lesen)
                    .map_err(|m| fehler(Some(i), &feld("formulare"), m))?;
                if let Some(andere) = schema_uris.insert(f.uri.clone(), i)
                    && andere != i
                {
                    return Err(fehler(
                        Some(i),
                        &feld("formulare"),
                        format!(
                            "Das Schema {} ({name}) gehört schon zu leistung[{andere}]; ein \
                             Formular gehört zu genau einer Leistung.",
                            f.uri
                        ),
                    ));
                }
                formulare.push(f);
            }
            let mut ids = std::collections::BTreeSet::new();
            for (j, n) in l.nachweise.iter().enumerate() {
                let ok = !n.id.is_empty()
                    && n.id
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
                if !ok || n.bezeichnung.trim().is_empty() {
                    return Err(fehler(
                        Some(i),
                        &feld(&format!("nachweise[{j}]")),
                        "Jeder Nachweis braucht eine id (Buchstaben, Ziffern, „-“, „_“) und eine \
                         bezeichnung."
                            .into(),
                    ));
                }
                if !ids.insert(n.id.as_str()) {
                    return Err(fehler(
                        Some(i),
                        &feld(&format!("nachweise[{j}].id")),
                        format!("Die id „{}“ kommt zweimal vor.", n.id),
                    ));
                }
            }
            for (j, v) in l.bescheid_vorlagen.iter().enumerate() {
                if v.is_empty() || !v.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
                    return Err(fehler(
                        Some(i),
                        &feld(&format!("bescheid_vorlagen[{j}]")),
                        format!(
                            "„{v}“ ist kein Vorlagenname (Buchstaben, Ziffern, „_“, wie \
                             assets/bescheid/<name>.j2)."
                        ),
                    ));
                }
            }
            if !(1..=100).contains(&l.aufbewahrung_jahre) {
                return Err(fehler(
                    Some(i),
                    &feld("aufbewahrung_jahre"),
                    "Die Aufbewahrungsfrist in Jahren: 1 bis 100.".into(),
                ));
            }
            leistungen.push(Leistung {
                leika: l.leika,
                name: l.name,
                formulare,
                bearbeitungsfrist: l.bearbeitungsfrist.map_or(roh.fristen.standard.0, |f| f.0),
                nachforderungsfrist: l.nachforderungsfrist.map_or(Fristregel::Wochen(2), |f| f.0),
                nachweise: l
                    .nachweise
                    .into_iter()
                    .map(|n| Nachweis {
                        id: n.id,
                        bezeichnung: n.bezeichnung,
                    })
                    .collect(),
                bescheid_vorlagen: l.bescheid_vorlagen,
                aufbewahrung_jahre: l.aufbewahrung_jahre,
            });
        }
        Ok(Behoerde {
            name: roh.behoerde.name,
            briefkopf: Briefkopf {
                organisationseinheit: roh.behoerde.organisationseinheit.unwrap_or_default(),
                anschrift: roh.behoerde.anschrift,
                telefon: roh.behoerde.telefon.unwrap_or_default(),
                email: roh.behoerde.email.unwrap_or_default(),
                web: roh.behoerde.web.unwrap_or_default(),
                bankverbindung: roh.behoerde.bankverbindung,
                verwaltungsgericht: roh.behoerde.verwaltungsgericht,
            },
            land: roh.behoerde.land,
            aktenzeichen_muster: muster,
            amt: roh.aktenzeichen.amt,
            kuerzel: roh.aktenzeichen.kuerzel,
            standardfrist: roh.fristen.standard.0,
            faellig_vorlauf_arbeitstage: roh.fristen.faellig_vorlauf_arbeitstage,
            leistungen,
            quelle: datei.to_owned(),
            siegel: roh.siegel,
            eakte: roh.eakte,
        })
    }
}

fn aktenzeichen_teil_ok(s: &str) -> bool {
    (1..=20).contains(&s.chars().count())
        && s.chars()
            .all(|c| c.is_alphanumeric() || c == '.' || c == '-')
}

/// Reads, parses and compiles one form schema.
fn formular_laden(
    name: &str,
    lesen: &dyn Fn(&str) -> Result<String, String>,
) -> Result<Formular, String> {
    if Path::new(name).is_absolute() || name.split(['/', '\\']).any(|t| t == "..") {
        return Err(format!(
            "„{name}“: Formularschemas liegen neben der Konfiguration (relativer Pfad ohne „..“)."
        ));
    }
    let text = lesen(name).map_err(|e| format!("Das Formularschema {name} fehlt ({e})."))?;
    let schema: Value = serde_json::from_str(&text).map_err(|e| {
        format!(
            "Das Formularschema {name} ist kein gültiges JSON (Zeile {}: {e}).",
            e.line()
        )
    })?;
    let uri = schema
        .get("$id")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .ok_or_else(|| {
            format!(
                "Das Formularschema {name} hat kein „$id“; Einreichungen nennen ihr Schema mit \
                 dieser URI."
            )
        })?
        .to_owned();
    jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .map_err(|e| format!("Das Formularschema {name} ist als JSON Schema ungültig: {e}"))?;
    Ok(Formular {
        uri,
        titel: schema
            .get("title")
            .and_then(Value::as_str)
            .map(str::to_owned),
        schema,
    })
}

/// The line of `schluessel` in the `abschnitt`-th `[[leistung]]` table (or in the whole file
/// when `None`), for messages about checks that run after parsing.
fn zeile_von(text: &str, abschnitt: Option<usize>, schluessel: &str) -> Option<usize> {
    let schluessel = schluessel.split('[').next().unwrap_or(schluessel);
    let mut in_abschnitt = abschnitt.is_none();
    let mut gezaehlt: Option<usize> = None;
    let mut abschnitt_zeile = None;
    for (n, zeile) in text.lines().enumerate() {
        let z = zeile.trim_start();
        if z.starts_with("[[leistung]]") {
            gezaehlt = Some(gezaehlt.map_or(0, |g| g + 1));
            if abschnitt.is_some() {
                in_abschnitt = gezaehlt == abschnitt;
                if in_abschnitt {
                    abschnitt_zeile = Some(n + 1);
                }
            }
            continue;
        }
        if in_abschnitt {
            let rest = z.strip_prefix(schluessel).map(str::trim_start);
            if rest.is_some_and(|r| r.starts_with('=')) {
                return Some(n + 1);
            }
        }
    }
    abschnitt_zeile
}

/// The file as written, before the checks that need more than one field.
mod roh {
    use super::*;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    pub(super) struct Datei {
        pub behoerde: Abschnitt,
        pub aktenzeichen: Aktenzeichen,
        pub fristen: Fristen,
        #[serde(default)]
        pub leistung: Vec<Leistung>,
        #[serde(default)]
        pub siegel: Option<super::Siegel>,
        #[serde(default)]
        pub eakte: Option<super::EAkte>,
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    pub(super) struct Abschnitt {
        pub name: String,
        pub land: Bundesland,
        #[serde(default)]
        pub organisationseinheit: Option<String>,
        #[serde(default)]
        pub anschrift: Option<super::Anschrift>,
        #[serde(default)]
        pub telefon: Option<String>,
        #[serde(default)]
        pub email: Option<String>,
        #[serde(default)]
        pub web: Option<String>,
        #[serde(default)]
        pub bankverbindung: Option<super::Bankverbindung>,
        #[serde(default)]
        pub verwaltungsgericht: Option<String>,
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    pub(super) struct Aktenzeichen {
        #[serde(default = "standardmuster")]
        pub muster: String,
        pub amt: String,
        pub kuerzel: String,
    }

    fn standardmuster() -> String {
        AktenzeichenMuster::STANDARD.to_owned()
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    pub(super) struct Fristen {
        pub standard: FristText,
        pub faellig_vorlauf_arbeitstage: u32,
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    pub(super) struct Leistung {
        pub leika: String,
        pub name: String,
        pub formulare: Vec<String>,
        pub bearbeitungsfrist: Option<FristText>,
        pub nachforderungsfrist: Option<FristText>,
        pub aufbewahrung_jahre: u32,
        #[serde(default)]
        pub bescheid_vorlagen: Vec<String>,
        #[serde(default)]
        pub nachweise: Vec<Nachweis>,
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    pub(super) struct Nachweis {
        pub id: String,
        pub bezeichnung: String,
    }

    /// A Frist as people write it: „3 Arbeitstage“, „10 Kalendertage“, „2 Wochen“, „1 Monat“.
    #[derive(Debug, Clone, Copy, Deserialize)]
    #[serde(try_from = "String")]
    pub(super) struct FristText(pub Fristregel);

    impl TryFrom<String> for FristText {
        type Error = String;

        fn try_from(s: String) -> Result<Self, String> {
            super::frist_lesen(&s).map(FristText)
        }
    }

    /// Parses `text` into the raw structure; a syntax or type error names line and field.
    pub(super) fn parsen(text: &str, datei: &str) -> Result<Datei, KonfigFehler> {
        let fehler_aus = |e: &toml::de::Error, feld: String| KonfigFehler {
            datei: datei.to_owned(),
            zeile: e
                .span()
                .map(|s| text[..s.start.min(text.len())].matches('\n').count() + 1),
            feld,
            meldung: deutsch(e.message()),
        };
        let de = toml::Deserializer::parse(text).map_err(|e| fehler_aus(&e, String::new()))?;
        serde_path_to_error::deserialize(de).map_err(|e| {
            let feld = e.path().to_string();
            let feld = if feld == "." { String::new() } else { feld };
            fehler_aus(e.inner(), feld)
        })
    }

    /// serde's and toml's messages, in German for the administrator.
    fn deutsch(m: &str) -> String {
        let m = m.trim();
        let ersetzt = [
            ("unknown field", "unbekanntes Feld"),
            ("missing field", "Pflichtfeld fehlt:"),
            ("unknown variant", "unbekannter Wert"),
            ("invalid type:", "falscher Typ:"),
            ("expected one of", "erlaubt sind"),
            ("expected", "erwartet"),
            ("duplicate key", "doppelter Schlüssel"),
            ("invalid value:", "ungültiger Wert:"),
        ]
        .iter()
        .fold(m.to_owned(), |acc, (en, de)| acc.replace(en, de));
        if ersetzt.contains("unbekannter Wert") && ersetzt.contains("`BW`") {
            format!("{ersetzt} (das Land als Kürzel, z. B. „NW“ oder „BY“)")
        } else {
            ersetzt
        }
    }
}

/// Parses a Frist as people write it: a number and a unit (Arbeitstag(e), Kalendertag(e) or
/// Tag(e), Woche(n), Monat(e)).
pub fn frist_lesen(s: &str) -> Result<Fristregel, String> {
    let mut teile = s.split_whitespace();
    let (Some(zahl), Some(einheit), None) = (teile.next(), teile.next(), teile.next()) else {
        return Err(format!(
            "„{s}“ ist keine Frist; geschrieben wie „3 Arbeitstage“, „10 Kalendertage“, \
             „2 Wochen“ oder „1 Monat“."
        ));
    };
    let n: u32 = zahl
        .parse()
        .ok()
        .filter(|n| (1..=1000).contains(n))
        .ok_or_else(|| format!("„{zahl}“ in „{s}“ ist keine Anzahl von 1 bis 1000."))?;
    Ok(match einheit.to_lowercase().as_str() {
        "arbeitstag" | "arbeitstage" => Fristregel::Arbeitstage(n),
        "kalendertag" | "kalendertage" | "tag" | "tage" => Fristregel::Kalendertage(n),
        "woche" | "wochen" => Fristregel::Wochen(n),
        "monat" | "monate" => Fristregel::Monate(n),
        _ => {
            return Err(format!(
                "Unbekannte Einheit „{einheit}“ in „{s}“; erlaubt sind Arbeitstage, \
                 Kalendertage, Wochen und Monate."
            ));
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_frist_is_read_as_people_write_it() {
        assert_eq!(frist_lesen("3 Arbeitstage"), Ok(Fristregel::Arbeitstage(3)));
        assert_eq!(frist_lesen("1 Monat"), Ok(Fristregel::Monate(1)));
        assert_eq!(frist_lesen("2  Wochen"), Ok(Fristregel::Wochen(2)));
        assert_eq!(frist_lesen("10 Tage"), Ok(Fristregel::Kalendertage(10)));
        assert!(frist_lesen("drei Monate").is_err());
        assert!(frist_lesen("3 Jahre").unwrap_err().contains("Jahre"));
        assert!(frist_lesen("0 Wochen").is_err());
        assert!(frist_lesen("3").is_err());
    }

    #[test]
    fn the_line_of_a_field_is_found_in_its_own_leistung() {
        let text = "[behoerde]\nname = \"x\"\n[[leistung]]\nleika = \"1\"\n[[leistung]]\nname = \"a\"\nleika = \"2\"\n";
        assert_eq!(zeile_von(text, Some(1), "leika"), Some(7));
        assert_eq!(zeile_von(text, Some(0), "leika"), Some(4));
        assert_eq!(zeile_von(text, None, "name"), Some(2));
        assert_eq!(zeile_von(text, Some(1), "formulare"), Some(5));
    }
}
