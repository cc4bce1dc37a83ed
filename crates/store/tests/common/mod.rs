#![allow(dead_code)]
use domain::aktenzeichen::AktenzeichenMuster;
use domain::{Antragsteller, DatenFormat, Formulardaten, Leistung, Vorgang};
use store::{AktenzeichenVergabe, Schluessel, Store};
use time::OffsetDateTime;
use time::macros::datetime;

pub fn vergabe() -> AktenzeichenVergabe {
    AktenzeichenVergabe {
        muster: AktenzeichenMuster::default(),
        amt: "32".into(),
        kuerzel: "GEW".into(),
    }
}

pub fn vorgang(name: &str, formtext: &str, eingang: OffsetDateTime) -> Vorgang {
    Vorgang::neu(
        Leistung {
            leika: "99050012104000".into(),
            name: "Gewerbeanmeldung".into(),
        },
        eingang,
        Antragsteller {
            name: name.into(),
            anschrift: Some("Hauptstraße 5, 10115 Berlin".into()),
            kontakt: Some("antrag@example.org".into()),
        },
        Formulardaten {
            format: DatenFormat::Json,
            schema_uri: "urn:xoev-de:fim:standard:gewerbe".into(),
            inhalt: serde_json::json!({"betrieb": {"taetigkeit": formtext, "beschaeftigte": 3}})
                .to_string(),
        },
    )
}

pub fn eingang() -> OffsetDateTime {
    datetime!(2026-03-02 09:15 +01:00)
}

pub fn neuer_store() -> (tempfile::TempDir, Store, Schluessel) {
    let dir = tempfile::tempdir().unwrap();
    let key = Schluessel::zufaellig().unwrap();
    let s = Store::open(&dir.path().join("profil"), &key).unwrap();
    (dir, s, key)
}
