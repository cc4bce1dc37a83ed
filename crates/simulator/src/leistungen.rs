//! The municipal Leistungen the simulated Onlinedienst offers and a deterministic generator of
//! realistic form data for them. Their form schemas (JSON Schema 2020-12, German titles) are
//! the demo configuration's (`assets/behoerden/demo`, [`behoerde::Behoerde::demo`]), so the
//! simulated applicants fill in exactly the forms the demo authority validates.
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

    /// The form schema: the one in the demo configuration (`assets/behoerden/demo/formulare`),
    /// the same the demo's intake validates with. `Null` only if that file lacked it, which
    /// the tests rule out.
    pub fn schema(&self) -> Value {
        demo_konfiguration()
            .and_then(|b| b.formular(&self.schema_uri()))
            .map(|f| f.schema.clone())
            .unwrap_or(Value::Null)
    }
}

/// The demo municipality's configuration, parsed once.
fn demo_konfiguration() -> Option<&'static behoerde::Behoerde> {
    static DEMO: std::sync::OnceLock<Option<behoerde::Behoerde>> = std::sync::OnceLock::new();
    DEMO.get_or_init(|| behoerde::Behoerde::demo().ok())
        .as_ref()
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

/// All form schemas of the demo configuration, ready for validating (tests and benches; the
/// app builds its own from the authority's configuration).
pub fn form_schemas() -> fitconnect::metadata::FormSchemas {
    let mut s = fitconnect::metadata::FormSchemas::default();
    for f in demo_konfiguration().into_iter().flat_map(|b| b.formulare()) {
        // The configuration compiled every schema when it was loaded.
        let _ = s.add(&f.uri, &f.schema);
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

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use rand::SeedableRng as _;

    use super::*;

    #[test]
    fn every_simulated_leistung_is_one_of_the_demo_authority_and_fills_in_its_form() {
        let b = behoerde::Behoerde::demo().unwrap();
        assert_eq!(b.leistungen.len(), LEISTUNGEN.len());
        let schemas = form_schemas();
        let mut rng = StdRng::seed_from_u64(7);
        for l in &LEISTUNGEN {
            let k = b.leistung(l.leika).expect(l.slug);
            assert_eq!(k.name, l.name);
            assert!(
                k.formulare.iter().any(|f| f.uri == l.schema_uri()),
                "{}",
                l.slug
            );
            assert!(l.schema().is_object());
            for _ in 0..20 {
                let daten = serde_json::to_vec(&form_data(l, &mut rng)).unwrap();
                assert!(
                    schemas.validate(&l.schema_uri(), &daten).unwrap(),
                    "{}",
                    l.slug
                );
            }
        }
    }
}
