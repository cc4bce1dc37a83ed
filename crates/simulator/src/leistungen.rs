//! The municipal Leistungen the simulated Onlinedienst offers, with their form schemas
//! (JSON Schema 2020-12, German titles) and a deterministic generator of realistic form data.
//!
//! The LeiKa keys are given as we know them from the Leistungskatalog; check them against the
//! current catalogue before relying on them outside the demo.

use rand::Rng as _;
use rand::rngs::StdRng;
use rand::seq::IndexedRandom as _;
use serde_json::{Value, json};

/// One Leistung.
#[derive(Debug, Clone, Copy)]
pub struct Leistung {
    /// Short key used in file names and schema URIs.
    pub slug: &'static str,
    /// Name as citizens see it.
    pub name: &'static str,
    /// LeiKa key (14 digits).
    pub leika: &'static str,
    /// Which attachments an application usually has.
    pub attachments: &'static [(&'static str, &'static str)],
}

impl Leistung {
    /// `urn:de:fim:leika:leistung:<key>`.
    pub fn identifier(&self) -> String {
        format!("urn:de:fim:leika:leistung:{}", self.leika)
    }

    /// URI of the form schema (`$id`).
    pub fn schema_uri(&self) -> String {
        format!("urn:amtsstube:demo:schema:{}:1.0.0", self.slug)
    }

    /// The form schema.
    pub fn schema(&self) -> Value {
        let specific = match self.slug {
            "hundesteuer" => json!({
                "hund": {"type": "object", "title": "Angaben zum Hund",
                    "required": ["name", "rasse", "geburtsdatum", "haltungBeginn"],
                    "properties": {
                        "name": {"type": "string", "title": "Name des Hundes", "minLength": 1, "maxLength": 100},
                        "rasse": {"type": "string", "title": "Rasse", "minLength": 1},
                        "geburtsdatum": {"type": "string", "format": "date", "title": "Geburtsdatum des Hundes"},
                        "haltungBeginn": {"type": "string", "format": "date", "title": "Beginn der Haltung"},
                        "chipnummer": {"type": "string", "title": "Transpondernummer", "pattern": "^[0-9]{15}$"},
                        "listenhund": {"type": "boolean", "title": "Gefährlicher Hund (Listenhund)"}
                    }},
                "sepaMandat": {"type": "boolean", "title": "SEPA-Lastschriftmandat erteilt"}
            }),
            "gewerbeanmeldung" => json!({
                "betrieb": {"type": "object", "title": "Angaben zum Betrieb",
                    "required": ["taetigkeit", "beginn", "rechtsform"],
                    "properties": {
                        "taetigkeit": {"type": "string", "title": "Angemeldete Tätigkeit", "minLength": 3},
                        "beginn": {"type": "string", "format": "date", "title": "Beginn der Tätigkeit"},
                        "rechtsform": {"type": "string", "title": "Rechtsform", "enum": ["Einzelunternehmen", "GbR", "GmbH", "UG (haftungsbeschränkt)"]},
                        "betriebsstaette": {"$ref": "#/$defs/anschrift", "title": "Betriebsstätte"},
                        "beschaeftigte": {"type": "integer", "minimum": 0, "title": "Zahl der Beschäftigten"}
                    }}
            }),
            "bewohnerparken" => json!({
                "fahrzeug": {"type": "object", "title": "Fahrzeug",
                    "required": ["kennzeichen", "halterIstAntragsteller"],
                    "properties": {
                        "kennzeichen": {"type": "string", "title": "Amtliches Kennzeichen", "pattern": "^[A-ZÄÖÜ]{1,3}-[A-Z]{1,2} [0-9]{1,4}[EH]?$"},
                        "halterIstAntragsteller": {"type": "boolean", "title": "Halter ist Antragsteller"}
                    }},
                "parkzone": {"type": "string", "title": "Bewohnerparkzone", "pattern": "^[A-Z][0-9]{1,2}$"}
            }),
            "sondernutzung" => json!({
                "nutzung": {"type": "object", "title": "Art der Sondernutzung",
                    "required": ["art", "von", "bis", "flaecheQm"],
                    "properties": {
                        "art": {"type": "string", "title": "Art", "enum": ["Außengastronomie", "Baugerüst", "Container", "Umzug (Halteverbot)", "Informationsstand"]},
                        "von": {"type": "string", "format": "date", "title": "Beginn"},
                        "bis": {"type": "string", "format": "date", "title": "Ende"},
                        "flaecheQm": {"type": "number", "exclusiveMinimum": 0, "maximum": 1000, "title": "Fläche in m²"},
                        "ort": {"$ref": "#/$defs/anschrift", "title": "Ort der Nutzung"}
                    }}
            }),
            _ => json!({
                "bescheinigung": {"type": "object", "title": "Meldebescheinigung",
                    "required": ["art", "anzahl", "zustellung"],
                    "properties": {
                        "art": {"type": "string", "title": "Art", "enum": ["einfach", "erweitert"]},
                        "anzahl": {"type": "integer", "minimum": 1, "maximum": 5, "title": "Anzahl der Ausfertigungen"},
                        "zweck": {"type": "string", "title": "Verwendungszweck", "maxLength": 200},
                        "zustellung": {"type": "string", "title": "Zustellung", "enum": ["Postfach", "Post", "Abholung"]}
                    }}
            }),
        };
        let mut required = vec!["antragsteller"];
        if let Some(o) = specific.as_object() {
            required.extend(
                o.keys()
                    .filter(|k| *k != "sepaMandat" && *k != "parkzone")
                    .map(String::as_str),
            );
        }
        let mut properties = json!({
            "antragsteller": {"$ref": "#/$defs/person", "title": "Antragstellende Person"}
        });
        if let (Some(p), Some(s)) = (properties.as_object_mut(), specific.as_object()) {
            for (k, v) in s {
                p.insert(k.clone(), v.clone());
            }
        }
        json!({
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "$id": self.schema_uri(),
            "title": self.name,
            "type": "object",
            "required": required,
            "additionalProperties": false,
            "properties": properties,
            "$defs": {
                "anschrift": {"type": "object", "title": "Anschrift",
                    "required": ["strasse", "hausnummer", "plz", "ort"],
                    "properties": {
                        "strasse": {"type": "string", "title": "Straße", "minLength": 1},
                        "hausnummer": {"type": "string", "title": "Hausnummer", "minLength": 1},
                        "plz": {"type": "string", "title": "Postleitzahl", "pattern": "^[0-9]{5}$"},
                        "ort": {"type": "string", "title": "Ort", "minLength": 1}
                    }},
                "person": {"type": "object", "title": "Person",
                    "required": ["vorname", "familienname", "geburtsdatum", "anschrift"],
                    "properties": {
                        "vorname": {"type": "string", "title": "Vorname", "minLength": 1},
                        "familienname": {"type": "string", "title": "Familienname", "minLength": 1},
                        "geburtsdatum": {"type": "string", "format": "date", "title": "Geburtsdatum"},
                        "anschrift": {"$ref": "#/$defs/anschrift", "title": "Anschrift"},
                        "email": {"type": "string", "format": "email", "title": "E-Mail-Adresse"},
                        "telefon": {"type": "string", "title": "Telefon"}
                    }}
            }
        })
    }
}

/// The five Leistungen of the demo municipality.
pub const LEISTUNGEN: [Leistung; 5] = [
    Leistung {
        slug: "hundesteuer",
        name: "Hundesteuer – Anmeldung",
        leika: "99108008001000",
        attachments: &[("Nachweis_Haftpflichtversicherung.pdf", "application/pdf")],
    },
    Leistung {
        slug: "gewerbeanmeldung",
        name: "Gewerbeanmeldung",
        leika: "99050012104000",
        attachments: &[
            ("Personalausweis_Vorderseite.png", "image/png"),
            ("Handelsregisterauszug.pdf", "application/pdf"),
        ],
    },
    Leistung {
        slug: "bewohnerparken",
        name: "Bewohnerparkausweis – Erteilung",
        leika: "99058010000000",
        attachments: &[("Fahrzeugschein.png", "image/png")],
    },
    Leistung {
        slug: "sondernutzung",
        name: "Sondernutzungserlaubnis für öffentliche Verkehrsflächen",
        leika: "99127004000000",
        attachments: &[("Lageplan.pdf", "application/pdf")],
    },
    Leistung {
        slug: "meldebescheinigung",
        name: "Meldebescheinigung (Wohnsitz) – Ausstellung",
        leika: "99115005000000",
        attachments: &[],
    },
];

/// All form schemas, ready for [`fitconnect::metadata::FormSchemas`].
pub fn form_schemas() -> fitconnect::metadata::FormSchemas {
    let mut s = fitconnect::metadata::FormSchemas::default();
    for l in &LEISTUNGEN {
        // The schemas are ours and compile; a failure here would be a bug caught by tests.
        let _ = s.add(&l.schema_uri(), &l.schema());
    }
    s
}

const VORNAMEN: &[&str] = &[
    "Anna",
    "Ben",
    "Clara",
    "Deniz",
    "Emil",
    "Fatma",
    "Greta",
    "Hannes",
    "Ida",
    "Jonas",
    "Katarzyna",
    "Lukas",
    "Mia",
    "Noah",
    "Olga",
    "Paul",
    "Özlem",
    "Jürgen",
    "Änne",
    "Sören",
];
const NACHNAMEN: &[&str] = &[
    "Müller",
    "Schmidt",
    "Schneider",
    "Fischer",
    "Weber",
    "Meyer",
    "Wagner",
    "Becker",
    "Schulz",
    "Hoffmann",
    "Yılmaz",
    "Nowak",
    "Kowalski",
    "Groß",
    "Weiß",
    "Schäfer",
    "Krüger",
    "Öztürk",
];
const STRASSEN: &[&str] = &[
    "Hauptstraße",
    "Schulstraße",
    "Gartenweg",
    "Am Marktplatz",
    "Lindenallee",
    "Bahnhofstraße",
    "Kirchgasse",
    "Mühlenweg",
    "Rosenstraße",
    "Friedrich-Ebert-Straße",
];
const RASSEN: &[&str] = &[
    "Mischling",
    "Labrador Retriever",
    "Dackel",
    "Deutscher Schäferhund",
    "Beagle",
    "Border Collie",
];
const TAETIGKEITEN: &[&str] = &[
    "Einzelhandel mit Backwaren",
    "Softwareentwicklung und IT-Beratung",
    "Friseurhandwerk",
    "Reinigung von Gebäuden",
    "Onlinehandel mit Bekleidung",
];

fn pick(rng: &mut StdRng, options: &[&'static str]) -> &'static str {
    options.choose(rng).copied().unwrap_or_default()
}

fn date(rng: &mut StdRng, from_year: i32, to_year: i32) -> String {
    format!(
        "{:04}-{:02}-{:02}",
        rng.random_range(from_year..=to_year),
        rng.random_range(1..=12),
        rng.random_range(1..=28)
    )
}

fn anschrift(rng: &mut StdRng) -> Value {
    json!({
        "strasse": STRASSEN.choose(rng).copied().unwrap_or("Hauptstraße"),
        "hausnummer": format!("{}{}", rng.random_range(1..=120), if rng.random_bool(0.2) { "a" } else { "" }),
        "plz": format!("{:05}", rng.random_range(10000..99999)),
        "ort": "Musterstadt",
    })
}

/// A synthetic applicant.
pub fn person(rng: &mut StdRng) -> Value {
    let vorname = VORNAMEN.choose(rng).copied().unwrap_or("Anna");
    let nachname = NACHNAMEN.choose(rng).copied().unwrap_or("Müller");
    json!({
        "vorname": vorname,
        "familienname": nachname,
        "geburtsdatum": date(rng, 1940, 2005),
        "anschrift": anschrift(rng),
        "email": format!("{}.{}@example.org", ascii_lower(vorname), ascii_lower(nachname)),
        "telefon": format!("+49 {} {}", rng.random_range(30..999), rng.random_range(100000..9999999)),
    })
}

fn ascii_lower(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            'ä' | 'Ä' => "ae".to_owned(),
            'ö' | 'Ö' => "oe".to_owned(),
            'ü' | 'Ü' => "ue".to_owned(),
            'ß' => "ss".to_owned(),
            'ı' => "i".to_owned(),
            c if c.is_ascii_alphanumeric() => c.to_ascii_lowercase().to_string(),
            _ => String::new(),
        })
        .collect()
}

/// Form data for `leistung`, valid against its schema.
pub fn form_data(leistung: &Leistung, rng: &mut StdRng) -> Value {
    let antragsteller = person(rng);
    match leistung.slug {
        "hundesteuer" => json!({
            "antragsteller": antragsteller,
            "hund": {
                "name": pick(rng, &["Bello", "Luna", "Rex", "Frieda", "Balu", "Kira"]),
                "rasse": RASSEN.choose(rng).copied().unwrap_or("Mischling"),
                "geburtsdatum": date(rng, 2012, 2025),
                "haltungBeginn": date(rng, 2025, 2026),
                "chipnummer": format!("276{:012}", rng.random_range(0..999_999_999_999u64)),
                "listenhund": false,
            },
            "sepaMandat": rng.random_bool(0.7),
        }),
        "gewerbeanmeldung" => json!({
            "antragsteller": antragsteller,
            "betrieb": {
                "taetigkeit": TAETIGKEITEN.choose(rng).copied().unwrap_or("Einzelhandel"),
                "beginn": date(rng, 2026, 2027),
                "rechtsform": pick(rng, &["Einzelunternehmen", "GbR", "GmbH", "UG (haftungsbeschränkt)"]),
                "betriebsstaette": anschrift(rng),
                "beschaeftigte": rng.random_range(0..25),
            },
        }),
        "bewohnerparken" => json!({
            "antragsteller": antragsteller,
            "fahrzeug": {
                "kennzeichen": format!("MS-{} {}", pick(rng, &["AB", "K", "XY", "EL"]), rng.random_range(1..9999)),
                "halterIstAntragsteller": rng.random_bool(0.85),
            },
            "parkzone": format!("{}{}", pick(rng, &["A", "B", "C"]), rng.random_range(1..20)),
        }),
        "sondernutzung" => json!({
            "antragsteller": antragsteller,
            "nutzung": {
                "art": pick(rng, &["Außengastronomie", "Baugerüst", "Container", "Umzug (Halteverbot)", "Informationsstand"]),
                "von": "2026-12-01",
                "bis": "2026-12-14",
                "flaecheQm": f64::from(rng.random_range(2..60)),
                "ort": anschrift(rng),
            },
        }),
        _ => json!({
            "antragsteller": antragsteller,
            "bescheinigung": {
                "art": pick(rng, &["einfach", "erweitert"]),
                "anzahl": rng.random_range(1..=3),
                "zweck": "Vorlage beim Arbeitgeber",
                "zustellung": pick(rng, &["Postfach", "Post", "Abholung"]),
            },
        }),
    }
}
