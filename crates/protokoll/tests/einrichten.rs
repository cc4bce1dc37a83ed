//! The installed subscriber (its own process: one global subscriber per test binary).

use tracing_subscriber::filter::LevelFilter;

#[test]
fn lines_go_to_the_profile_at_the_policy_level_with_the_run_id_of_their_pass() {
    let profil = tempfile::tempdir().unwrap();
    let e =
        protokoll::einrichten(profil.path(), "amtsstube-test", Some(LevelFilter::INFO)).unwrap();
    assert_eq!(
        e.datei,
        profil.path().join("protokolle").join("amtsstube-test.log")
    );
    let lauf = protokoll::lauf("test");
    lauf.in_scope(|| {
        tracing::info!(gelistet = 3, "Abgleich beendet");
        tracing::debug!("unter der Stufe: nicht im Protokoll");
    });
    tracing::warn!("außerhalb eines Laufs");
    let text = std::fs::read_to_string(&e.datei).unwrap();
    let zeilen: Vec<&str> = text.lines().collect();
    assert_eq!(zeilen.len(), 2, "{text}");
    assert!(zeilen[0].contains("Abgleich beendet") && zeilen[0].contains("gelistet=3"));
    let id = zeilen[0]
        .split("lauf=")
        .nth(1)
        .and_then(|r| r.get(..36))
        .expect("a run id on the line of the pass");
    assert!(uuid_ok(id), "{id}");
    assert!(
        zeilen[1].contains("WARN") && !zeilen[1].contains("lauf="),
        "{text}"
    );
    // A second subscriber in the same process is refused, the first stays.
    assert!(protokoll::einrichten(profil.path(), "zweiter", None).is_err());
}

fn uuid_ok(s: &str) -> bool {
    s.len() == 36
        && s.chars().enumerate().all(|(i, c)| {
            if [8, 13, 18, 23].contains(&i) {
                c == '-'
            } else {
                c.is_ascii_hexdigit()
            }
        })
}
