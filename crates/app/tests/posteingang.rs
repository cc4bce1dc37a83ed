#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! The queue and the case view through the app's command bodies, on a real encrypted store
//! in a temporary profile (run inside a Secret Service: `with-keyring.sh cargo test -p app`).

use std::io::{Read, Write};

use app::AppContext;
use domain::aktenzeichen::AktenzeichenMuster;
use domain::{AnlageRef, Antragsteller, DatenFormat, Formulardaten, Leistung, Status, Vorgang};
use ipc::{
    Aktion, AktionAnfrage, Angabe, Ansicht, ErrorCode, Faelligkeit, GespeicherterFilter,
    QueueAnfrage, Rolle, SortSpalte,
};
use sha2::Digest;
use store::AktenzeichenVergabe;
use time::{Duration, OffsetDateTime};

fn vergabe() -> AktenzeichenVergabe {
    AktenzeichenVergabe {
        muster: AktenzeichenMuster::default(),
        amt: "32".into(),
        kuerzel: "EIN".into(),
    }
}

struct Fall {
    name: &'static str,
    leistung: &'static str,
    status: Status,
    zustaendig: Option<&'static str>,
    frist_tage: Option<i64>,
    wiedervorlage_tage: Option<i64>,
}

const FAELLE: &[Fall] = &[
    Fall {
        name: "Jürgen Weiß",
        leistung: "Hundesteuer",
        status: Status::Neu,
        zustaendig: None,
        frist_tage: Some(-2),
        wiedervorlage_tage: None,
    },
    Fall {
        name: "Anna Berg",
        leistung: "Gewerbeanmeldung",
        status: Status::Neu,
        zustaendig: Some("anna"),
        frist_tage: Some(3),
        wiedervorlage_tage: None,
    },
    Fall {
        name: "Özlem Çelik",
        leistung: "Anwohnerparken",
        status: Status::InPruefung,
        zustaendig: Some("anna"),
        frist_tage: Some(30),
        wiedervorlage_tage: Some(0),
    },
    Fall {
        name: "Bernd Müller",
        leistung: "Bauantrag",
        status: Status::InPruefung,
        zustaendig: Some("bernd"),
        frist_tage: Some(7),
        wiedervorlage_tage: Some(5),
    },
    Fall {
        name: "Carla Ünal",
        leistung: "Meldebescheinigung",
        status: Status::Beschieden,
        zustaendig: Some("anna"),
        frist_tage: Some(-10),
        wiedervorlage_tage: Some(-1),
    },
    Fall {
        name: "Dieter Zorn",
        leistung: "Anwohnerparken",
        status: Status::Neu,
        zustaendig: None,
        frist_tage: None,
        wiedervorlage_tage: None,
    },
];

fn heute() -> time::Date {
    OffsetDateTime::now_utc()
        .to_offset(time::UtcOffset::current_local_offset().unwrap_or(time::UtcOffset::UTC))
        .date()
}

/// A context for user `anna` with the six cases above (in that order of receipt).
fn kontext() -> (tempfile::TempDir, AppContext, Vec<String>) {
    let dir = tempfile::tempdir().unwrap();
    let ctx = AppContext::open(dir.path())
        .unwrap()
        .mit_sitzung("anna", Rolle::Sachbearbeitung);
    let mut ids = Vec::new();
    let start = OffsetDateTime::now_utc() - Duration::days(10);
    for (i, f) in FAELLE.iter().enumerate() {
        let mut v = Vorgang::neu(
            Leistung {
                leika: format!("9900000000000{i}"),
                name: f.leistung.into(),
            },
            start + Duration::hours(i as i64),
            Antragsteller {
                name: f.name.into(),
                anschrift: Some("Hauptstraße 1, 12345 Musterstadt".into()),
                kontakt: None,
            },
            Formulardaten {
                format: DatenFormat::Json,
                schema_uri: "urn:unbekannt".into(),
                inhalt: serde_json::json!({"anliegen": format!("Anliegen {i}")}).to_string(),
            },
        );
        v.status = f.status;
        v.zustaendig = f.zustaendig.map(str::to_owned);
        v.frist = f.frist_tage.map(|t| heute() + Duration::days(t));
        v.wiedervorlage = f.wiedervorlage_tage.map(|t| heute() + Duration::days(t));
        ctx.store()
            .write(|w| {
                w.vorgang_anlegen(&mut v, &vergabe(), "system:sync")
                    .map(|_| ())
            })
            .unwrap();
        ids.push(v.id.to_string());
    }
    (dir, ctx, ids)
}

fn anfrage(ansicht: Ansicht, sortierung: SortSpalte, absteigend: bool) -> QueueAnfrage {
    QueueAnfrage {
        ansicht,
        suche: None,
        sortierung,
        absteigend,
        offset: 0,
        limit: 100,
    }
}

fn namen(ctx: &AppContext, a: QueueAnfrage) -> Vec<String> {
    ctx.posteingang(a)
        .unwrap()
        .zeilen
        .into_iter()
        .map(|z| z.antragsteller)
        .collect()
}

#[test]
fn every_view_counts_what_it_lists() {
    let (_d, ctx, _) = kontext();
    let z = ctx.ansicht_zahlen().unwrap();
    // Neu: Weiß, Berg, Zorn. Meine (anna, open): Berg, Çelik. Überfällig: Weiß.
    // Fällig (within the catalogue's lead time of business days, or Wiedervorlage reached,
    // open): Berg (3 days), Çelik (WV today), and Müller (7 days) when seven calendar days are
    // still within the lead time today (the domain decides, weekends and holidays included).
    // Wiedervorlage heute (open): Çelik. Alle: 6.
    let mueller = u32::from(heute() + Duration::days(7) <= ctx.fristen().faellig_bis(heute()));
    assert_eq!(
        (
            z.neu,
            z.meine,
            z.faellig,
            z.ueberfaellig,
            z.wiedervorlage_heute,
            z.alle
        ),
        (3, 2, 2 + mueller, 1, 1, 6)
    );
    for (ansicht, zahl) in [
        (Ansicht::Neu, z.neu),
        (Ansicht::Meine, z.meine),
        (Ansicht::Faellig, z.faellig),
        (Ansicht::Ueberfaellig, z.ueberfaellig),
        (Ansicht::WiedervorlageHeute, z.wiedervorlage_heute),
        (Ansicht::Alle, z.alle),
    ] {
        let a = ctx
            .posteingang(anfrage(ansicht, SortSpalte::Eingang, false))
            .unwrap();
        assert_eq!(a.gesamt, zahl, "{ansicht:?}");
        assert_eq!(a.zeilen.len() as u32, zahl, "{ansicht:?}");
    }
    let ueber = ctx
        .posteingang(anfrage(Ansicht::Ueberfaellig, SortSpalte::Eingang, false))
        .unwrap();
    assert_eq!(ueber.zeilen[0].antragsteller, "Jürgen Weiß");
    assert_eq!(ueber.zeilen[0].faelligkeit, Faelligkeit::Ueberfaellig);
    assert_eq!(ueber.zeilen[0].status_text, "Neu");
}

#[test]
fn the_views_are_named_by_the_app_and_faellig_names_the_catalogues_lead_time() {
    let (_d, ctx, _) = kontext();
    let z = ctx.ansicht_zahlen().unwrap();
    let namen: Vec<(Ansicht, &str)> = z
        .ansichten
        .iter()
        .map(|a| (a.ansicht, a.bezeichnung.as_str()))
        .collect();
    let faellig = ctx.fristen().faellig_bezeichnung();
    assert_eq!(
        namen,
        [
            (Ansicht::Neu, "Neu"),
            (Ansicht::Meine, "Meine"),
            (Ansicht::Faellig, faellig.as_str()),
            (Ansicht::Ueberfaellig, "Überfällig"),
            (Ansicht::WiedervorlageHeute, "Wiedervorlage heute"),
            (Ansicht::Alle, "Alle"),
            (Ansicht::ZurFreigabe, "Zur Freigabe"),
            (Ansicht::AbgabeOffen, "Abgabe offen"),
        ]
    );
    assert_eq!(
        faellig,
        format!("Fällig ({} Arbeitstage)", ctx.fristen().vorlauf_arbeitstage)
    );
}

#[test]
fn a_row_and_the_case_view_are_classified_by_the_domains_rule() {
    let (_d, ctx, ids) = kontext();
    let alle = ctx
        .posteingang(anfrage(Ansicht::Alle, SortSpalte::Eingang, false))
        .unwrap();
    for z in &alle.zeilen {
        let frist = z.frist.as_deref().and_then(app::sitzung::datum_parsen);
        let wv = z
            .wiedervorlage
            .as_deref()
            .and_then(app::sitzung::datum_parsen);
        let code = serde_json::to_value(z.status).unwrap();
        let offen = Status::aus_code(code.as_str().unwrap())
            .unwrap()
            .ist_offen();
        let erwartet = match ctx.fristen().faelligkeit(offen, frist, wv, heute()) {
            domain::Faelligkeit::Offen => Faelligkeit::Offen,
            domain::Faelligkeit::Faellig => Faelligkeit::Faellig,
            domain::Faelligkeit::Ueberfaellig => Faelligkeit::Ueberfaellig,
        };
        assert_eq!(z.faelligkeit, erwartet, "{}", z.antragsteller);
        let i = ids.iter().position(|id| *id == z.id).unwrap();
        assert_eq!(
            ctx.vorgang_erneut(ids[i].clone()).unwrap().faelligkeit,
            z.faelligkeit
        );
    }
}

#[test]
fn the_queue_sorts_by_every_column_both_ways() {
    let (_d, ctx, _) = kontext();
    let alle = |s, ab| namen(&ctx, anfrage(Ansicht::Alle, s, ab));
    assert_eq!(
        alle(SortSpalte::Antragsteller, false),
        [
            "Anna Berg",
            "Bernd Müller",
            "Carla Ünal",
            "Dieter Zorn",
            "Jürgen Weiß",
            "Özlem Çelik"
        ]
    );
    assert_eq!(
        alle(SortSpalte::Leistung, false),
        [
            "Özlem Çelik",
            "Dieter Zorn",
            "Bernd Müller",
            "Anna Berg",
            "Jürgen Weiß",
            "Carla Ünal"
        ]
    );
    assert_eq!(
        alle(SortSpalte::Frist, false),
        [
            "Carla Ünal",
            "Jürgen Weiß",
            "Anna Berg",
            "Bernd Müller",
            "Özlem Çelik",
            "Dieter Zorn"
        ]
    );
    // Status codes: beschieden < in_pruefung < neu.
    assert_eq!(
        alle(SortSpalte::Status, false),
        [
            "Carla Ünal",
            "Özlem Çelik",
            "Bernd Müller",
            "Jürgen Weiß",
            "Anna Berg",
            "Dieter Zorn"
        ]
    );
    assert_eq!(
        alle(SortSpalte::Zustaendig, true),
        [
            "Bernd Müller",
            "Carla Ünal",
            "Özlem Çelik",
            "Anna Berg",
            "Dieter Zorn",
            "Jürgen Weiß"
        ]
    );
    let eingang = alle(SortSpalte::Eingang, false);
    assert_eq!(eingang[0], "Jürgen Weiß");
    let mut rueck = alle(SortSpalte::Eingang, true);
    rueck.reverse();
    assert_eq!(rueck, eingang);
    let mut az = alle(SortSpalte::Aktenzeichen, true);
    az.reverse();
    assert_eq!(az, eingang, "Aktenzeichen follow the order of receipt");
}

#[test]
fn pages_start_at_the_requested_row_and_report_the_total() {
    let (_d, ctx, _) = kontext();
    let mut a = anfrage(Ansicht::Alle, SortSpalte::Eingang, false);
    a.offset = 4;
    a.limit = 1;
    let s = ctx.posteingang(a.clone()).unwrap();
    assert_eq!((s.gesamt, s.offset, s.zeilen.len()), (6, 4, 1));
    assert_eq!(s.zeilen[0].antragsteller, "Carla Ünal");
    a.limit = 0;
    assert_eq!(
        ctx.posteingang(a).unwrap_err().code,
        ErrorCode::InvalidInput
    );
}

#[test]
fn search_finds_an_applicant_by_name_with_umlaut_folding_within_the_view() {
    let (_d, ctx, _) = kontext();
    let mut a = anfrage(Ansicht::Alle, SortSpalte::Eingang, false);
    a.suche = Some("mueller".into());
    assert_eq!(namen(&ctx, a.clone()), ["Bernd Müller"]);
    a.suche = Some("WEISS".into());
    assert_eq!(namen(&ctx, a.clone()), ["Jürgen Weiß"]);
    a.suche = Some("Anliegen".into());
    assert_eq!(ctx.posteingang(a.clone()).unwrap().gesamt, 6);
    a.ansicht = Ansicht::Meine;
    assert_eq!(namen(&ctx, a), ["Anna Berg", "Özlem Çelik"]);
}

#[test]
fn opening_a_case_is_audited_and_shows_its_actions_for_the_role() {
    let (_d, ctx, ids) = kontext();
    let d = ctx.vorgang(ids[0].clone()).unwrap();
    assert_eq!(d.antragsteller.name, "Jürgen Weiß");
    assert_eq!(
        (d.status, d.status_text.as_str()),
        (ipc::Status::Neu, "Neu")
    );
    assert_eq!(d.faelligkeit, Faelligkeit::Ueberfaellig);
    assert_eq!(d.formular.format, "json");
    assert!(
        d.formular.schema.is_none(),
        "unknown schema: no schema text"
    );
    assert_eq!(d.verlauf.last().unwrap().was, "Vorgang geöffnet");
    assert_eq!(d.verlauf.last().unwrap().wer, "anna");
    assert_eq!(d.verlauf[0].wer, "System");
    let log = ctx
        .store()
        .read(|r| r.audit_fuer_vorgang(&domain::VorgangId(ids[0].parse().unwrap())))
        .unwrap();
    assert_eq!(log.last().unwrap().was, "vorgang.geoeffnet");
    let aktionen: Vec<Aktion> = d.aktionen.iter().map(|a| a.aktion).collect();
    assert_eq!(
        aktionen,
        [
            Aktion::Uebernehmen,
            Aktion::PruefungBeginnen,
            Aktion::Zurueckweisen,
            Aktion::Weiterleiten,
            Aktion::ZurueckziehenVermerken,
            Aktion::Wiedervorlage
        ]
    );
    // The wire strings the UI and the e2e tests use.
    assert_eq!(
        serde_json::to_value(Aktion::PruefungBeginnen).unwrap(),
        "pruefung_beginnen"
    );
    let pruefen = &d.aktionen[1];
    assert_eq!(pruefen.bezeichnung, "In Prüfung nehmen");
    assert!(!pruefen.moeglich, "nobody is assigned yet");
    assert!(
        pruefen
            .hinweis
            .as_deref()
            .unwrap()
            .contains("noch niemand zuständig")
    );
    // Every status action waits for someone responsible (Übernehmen first).
    let zurueck = &d.aktionen[2];
    assert!(zurueck.bestaetigen && !zurueck.moeglich);
    assert_eq!(zurueck.eingabe, Some(Angabe::Begruendung));
    assert_eq!(d.aktionen[5].eingabe, Some(Angabe::Datum));
}

fn aktion(id: &str, a: Aktion) -> AktionAnfrage {
    AktionAnfrage {
        id: id.into(),
        aktion: a,
        begruendung: None,
        empfaenger: None,
        datum: None,
    }
}

#[test]
fn an_illegal_action_is_refused_with_german_text_and_changes_nothing() {
    let (_d, ctx, ids) = kontext();
    let e = ctx
        .vorgang_aktion(aktion(&ids[0], Aktion::PruefungBeginnen))
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::InvalidInput);
    assert!(
        e.message.contains("Übernehmen Sie ihn zuerst"),
        "{}",
        e.message
    );
    let e = ctx
        .vorgang_aktion(aktion(&ids[0], Aktion::Freigeben))
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::InvalidInput);
    assert!(
        e.message.contains("im Status „Neu“ nicht möglich"),
        "{}",
        e.message
    );
    let e = ctx
        .vorgang_aktion(aktion("kein-vorgang", Aktion::Uebernehmen))
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::InvalidInput);
    let e = ctx
        .vorgang_aktion(aktion(
            &uuid::Uuid::new_v4().to_string(),
            Aktion::Uebernehmen,
        ))
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::NotFound);
    let d = ctx.vorgang(ids[0].clone()).unwrap();
    assert_eq!((d.status, d.zustaendig), (ipc::Status::Neu, None));
}

/// A status action is the responsible person's (or a team lead's): another caseworker's login
/// is refused and nothing changes; the responsible person's guard still asks for its input.
#[test]
fn a_foreign_login_s_status_action_is_refused() {
    let (d, ctx, ids) = kontext();
    ctx.vorgang_aktion(aktion(&ids[0], Aktion::Uebernehmen))
        .unwrap();
    let e = ctx
        .vorgang_aktion(aktion(&ids[0], Aktion::Zurueckweisen))
        .unwrap_err();
    assert!(e.message.contains("Begründung"), "{}", e.message);
    let bernd = AppContext::open(d.path())
        .unwrap()
        .mit_sitzung("bernd", Rolle::Sachbearbeitung);
    let mut zurueck = aktion(&ids[0], Aktion::Zurueckweisen);
    zurueck.begruendung = Some("Unzuständig".into());
    let e = bernd.vorgang_aktion(zurueck.clone()).unwrap_err();
    assert_eq!(e.code, ErrorCode::InvalidInput);
    assert!(
        e.message.contains("andere Person zuständig"),
        "{}",
        e.message
    );
    let angebot = bernd.vorgang(ids[0].clone()).unwrap();
    let z = angebot
        .aktionen
        .iter()
        .find(|a| a.aktion == Aktion::Zurueckweisen)
        .unwrap();
    assert!(!z.moeglich && z.hinweis.as_deref().unwrap().contains("andere Person"));
    assert_eq!(angebot.status, ipc::Status::Neu);
    assert_eq!(angebot.zustaendig.as_deref(), Some("anna"));
    // A team lead may.
    let tl = AppContext::open(d.path())
        .unwrap()
        .mit_sitzung("tina", Rolle::Teamleitung);
    assert_eq!(
        tl.vorgang_aktion(zurueck).unwrap().status,
        ipc::Status::Zurueckgewiesen
    );
}

/// A case that ended by a side exit is offered „An die E-Akte übergeben“; taking it queues the
/// xdomea message and the case waits for the E-Akte's confirmation (issue 17).
#[test]
fn a_finished_case_is_handed_over_to_the_e_akte() {
    let (_d, ctx, ids) = kontext();
    ctx.vorgang_aktion(aktion(&ids[0], Aktion::Uebernehmen))
        .unwrap();
    let mut zurueck = aktion(&ids[0], Aktion::Zurueckweisen);
    zurueck.begruendung = Some("Unzuständig".into());
    let d = ctx.vorgang_aktion(zurueck).unwrap();
    assert_eq!(d.status, ipc::Status::Zurueckgewiesen);
    assert!(
        d.aktionen
            .iter()
            .any(|a| a.aktion == Aktion::AnEAkteUebergeben && a.moeglich),
        "{:?}",
        d.aktionen
    );
    let d = ctx
        .vorgang_aktion(aktion(&ids[0], Aktion::AnEAkteUebergeben))
        .unwrap();
    assert_eq!(d.status, ipc::Status::AnEAkteUebergeben);
    let e = d.eakte.expect("the hand-over is noted");
    assert_eq!(e.zustand, "wartet");
    assert!(e.dokumente >= 3, "{e:?}");
    // Not twice.
    let err = ctx
        .vorgang_aktion(aktion(&ids[0], Aktion::AnEAkteUebergeben))
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::InvalidInput);
    assert_eq!(ctx.eakte_status().unwrap().unterwegs, 1);
}

#[test]
fn uebernehmen_sets_zustaendig_and_then_the_examination_can_start() {
    let (_d, ctx, ids) = kontext();
    let d = ctx
        .vorgang_aktion(aktion(&ids[0], Aktion::Uebernehmen))
        .unwrap();
    assert_eq!(d.zustaendig.as_deref(), Some("anna"));
    assert_eq!(
        d.status,
        ipc::Status::Neu,
        "taking over is not a status change"
    );
    assert!(!d.aktionen[0].moeglich);
    assert!(d.aktionen[1].moeglich);
    let d = ctx
        .vorgang_aktion(aktion(&ids[0], Aktion::PruefungBeginnen))
        .unwrap();
    assert_eq!(
        (d.status, d.status_text.as_str()),
        (ipc::Status::InPruefung, "In Prüfung")
    );
    let texte: Vec<&str> = d.verlauf.iter().map(|e| e.was.as_str()).collect();
    assert!(texte.contains(&"Zuständig: anna"), "{texte:?}");
    assert!(
        texte.contains(&"Status: Neu → In Prüfung (In Prüfung nehmen)"),
        "{texte:?}"
    );
    // Opened in this window, so the view's re-read after the action adds no opening entry.
    ctx.vorgang(ids[0].clone()).unwrap();
    let mut r = aktion(&ids[0], Aktion::Zurueckweisen);
    r.begruendung = Some("Unzuständig".into());
    let d = ctx.vorgang_aktion(r).unwrap();
    assert_eq!(d.status, ipc::Status::Zurueckgewiesen);
    assert!(
        d.verlauf
            .last()
            .unwrap()
            .was
            .ends_with("Begründung: Unzuständig")
    );
    let e = ctx
        .vorgang_aktion(aktion(&ids[0], Aktion::Uebernehmen))
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::InvalidInput);
}

#[test]
fn bulk_assignment_takes_open_cases_only_and_counts_them() {
    let (_d, ctx, ids) = kontext();
    // Weiß (open, nobody), Berg (already anna), Ünal (decided), Zorn (open, nobody).
    let n = ctx
        .mir_zuweisen(vec![
            ids[0].clone(),
            ids[1].clone(),
            ids[4].clone(),
            ids[5].clone(),
        ])
        .unwrap();
    assert_eq!(n, 2);
    assert_eq!(ctx.ansicht_zahlen().unwrap().meine, 4);
    let e = ctx.mir_zuweisen(vec!["x".into()]).unwrap_err();
    assert_eq!(e.code, ErrorCode::InvalidInput);
}

#[test]
fn a_wiedervorlage_date_is_set_validated_and_shows_in_the_view() {
    let (_d, ctx, ids) = kontext();
    let mut a = aktion(&ids[5], Aktion::Wiedervorlage);
    a.datum = Some("gestern".into());
    assert_eq!(
        ctx.vorgang_aktion(a.clone()).unwrap_err().code,
        ErrorCode::InvalidInput
    );
    a.datum = Some(app::sitzung::iso(heute() - Duration::days(1)));
    let e = ctx.vorgang_aktion(a.clone()).unwrap_err();
    assert!(e.message.contains("Vergangenheit"), "{}", e.message);
    a.datum = Some(app::sitzung::iso(heute()));
    let d = ctx.vorgang_aktion(a).unwrap();
    assert_eq!(d.wiedervorlage, Some(app::sitzung::iso(heute())));
    assert_eq!(d.faelligkeit, Faelligkeit::Faellig);
    assert!(d.verlauf.last().unwrap().was.starts_with("Wiedervorlage: "));
    assert_eq!(ctx.ansicht_zahlen().unwrap().wiedervorlage_heute, 2);
}

#[test]
fn notes_are_kept_in_order_searchable_and_never_empty() {
    let (_d, ctx, ids) = kontext();
    ctx.notiz_hinzufuegen(ids[3].clone(), "Rückruf vereinbart".into())
        .unwrap();
    let d = ctx
        .notiz_hinzufuegen(ids[3].clone(), "<b>Statik</b> fehlt".into())
        .unwrap();
    let texte: Vec<&str> = d.notizen.iter().map(|n| n.text.as_str()).collect();
    assert_eq!(texte, ["Rückruf vereinbart", "<b>Statik</b> fehlt"]);
    assert_eq!(d.notizen[0].autor, "anna");
    assert_eq!(d.verlauf.last().unwrap().was, "Notiz hinzugefügt");
    let mut a = anfrage(Ansicht::Alle, SortSpalte::Eingang, false);
    a.suche = Some("rueckruf".into());
    assert_eq!(namen(&ctx, a), ["Bernd Müller"]);
    let e = ctx
        .notiz_hinzufuegen(ids[3].clone(), "  ".into())
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::InvalidInput);
}

#[test]
fn saved_filters_round_trip_through_the_encrypted_database() {
    let (dir, ctx, _) = kontext();
    let mut a = anfrage(Ansicht::Meine, SortSpalte::Frist, true);
    a.suche = Some("Müller".into());
    let liste = ctx
        .filter_speichern(GespeicherterFilter {
            name: "Meine Müller-Fälle".into(),
            anfrage: a.clone(),
        })
        .unwrap();
    assert_eq!(liste.len(), 1);
    ctx.filter_speichern(GespeicherterFilter {
        name: "Alle".into(),
        anfrage: anfrage(Ansicht::Alle, SortSpalte::Eingang, false),
    })
    .unwrap();
    drop(ctx);
    let ctx = AppContext::open(dir.path()).unwrap();
    let liste = ctx.gespeicherte_filter().unwrap();
    assert_eq!(liste[0].name, "Alle");
    assert_eq!(liste[1].anfrage, a);
    let rest = ctx.filter_loeschen("Alle".into()).unwrap();
    assert_eq!(rest.len(), 1);
    assert_eq!(
        ctx.filter_loeschen("Alle".into()).unwrap_err().code,
        ErrorCode::NotFound
    );
    let e = ctx
        .filter_speichern(GespeicherterFilter {
            name: " ".into(),
            anfrage: a,
        })
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::InvalidInput);
    // Nothing of it in plaintext on disk.
    let db = std::fs::read(dir.path().join(store::DB_DATEI)).unwrap();
    assert!(!db.windows(6).any(|w| w == "Müller".as_bytes()));
}

/// A case with one stored attachment of `n` bytes; returns (case id, sha512, content).
fn mit_anlage(ctx: &AppContext, n: usize) -> (String, String, Vec<u8>) {
    let inhalt: Vec<u8> = (0..n).map(|i| (i * 7 % 253) as u8).collect();
    let mut w = ctx.store().anlage_schreiber().unwrap();
    w.write_all(&inhalt).unwrap();
    let (sha, groesse) = w.abschliessen().unwrap();
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
    v.anlagen.push(AnlageRef {
        sha512: sha.clone(),
        dateiname: "Lageplan.pdf".into(),
        mime: "application/pdf".into(),
        groesse,
    });
    ctx.store()
        .write(|w| {
            w.vorgang_anlegen(&mut v, &vergabe(), "system:sync")
                .map(|_| ())
        })
        .unwrap();
    (v.id.to_string(), sha, inhalt)
}

#[test]
fn anlage_lesen_returns_exactly_the_requested_range_and_the_whole_content_hashes_to_its_sha512() {
    let (_d, ctx, ids) = kontext();
    let n = 3 * store::anlage::CHUNK + 999;
    let (id, sha, inhalt) = mit_anlage(&ctx, n);
    let d = ctx.vorgang(id.clone()).unwrap();
    assert_eq!(d.anlagen.len(), 1);
    assert!(d.anlagen[0].geprueft);
    assert_eq!(d.anlagen[0].groesse, n as u64);
    assert!(
        d.anlagen[0].url.ends_with(&format!("/{id}/{sha}")),
        "{}",
        d.anlagen[0].url
    );
    let alles = ctx.anlage_lesen(&id, &sha, None).unwrap();
    assert!(alles.ist_vollstaendig());
    assert_eq!(alles.mime, "application/pdf");
    assert_eq!(hex::encode(sha2::Sha512::digest(&alles.bytes)), sha);
    for (s, e) in [
        (0u64, Some(0u64)),
        (100, Some(70_000)),
        (65_536, None),
        ((n - 1) as u64, Some(u64::MAX)),
    ] {
        let teil = ctx.anlage_lesen(&id, &sha, Some((s, e))).unwrap();
        let ende = e.map_or(n, |e| (e.saturating_add(1) as usize).min(n));
        assert_eq!((teil.start, teil.gesamt), (s, n as u64));
        assert_eq!(teil.bytes, inhalt[s as usize..ende], "{s}-{e:?}");
    }
    let e = ctx
        .anlage_lesen(&id, &sha, Some((n as u64, None)))
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::InvalidInput);
    // The attachment does not belong to another case.
    let e = ctx.anlage_lesen(&ids[0], &sha, None).unwrap_err();
    assert_eq!(e.code, ErrorCode::NotFound);
}

#[test]
fn anlage_exportieren_writes_the_verified_file_and_audits_it() {
    let (_d, ctx, _) = kontext();
    let (id, sha, inhalt) = mit_anlage(&ctx, 100_000);
    let ziel_dir = tempfile::tempdir().unwrap();
    let info = ctx.anlage_info(&id, &sha).unwrap();
    assert_eq!(
        (info.dateiname.as_str(), info.groesse),
        ("Lageplan.pdf", 100_000)
    );
    let ziel = ziel_dir.path().join("Lageplan (Kopie).pdf");
    let pfad = ctx.anlage_exportieren(&id, &sha, &ziel).unwrap();
    assert_eq!(pfad, ziel.display().to_string());
    let mut geschrieben = Vec::new();
    std::fs::File::open(&ziel)
        .unwrap()
        .read_to_end(&mut geschrieben)
        .unwrap();
    assert_eq!(geschrieben, inhalt);
    let reste: Vec<_> = std::fs::read_dir(ziel_dir.path()).unwrap().collect();
    assert_eq!(reste.len(), 1, "no temporary file left behind");
    let d = ctx.vorgang(id.clone()).unwrap();
    let gespeichert = d
        .verlauf
        .iter()
        .find(|e| e.was.starts_with("Anlage gespeichert unter"))
        .expect("audited");
    assert!(
        gespeichert.was.contains("Lageplan.pdf"),
        "{}",
        gespeichert.was
    );
    let e = ctx
        .anlage_exportieren(&id, &sha, &ziel_dir.path().join("fehlt/x.pdf"))
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::InvalidInput);
}

#[test]
fn reading_an_open_case_again_shows_changes_without_a_second_audited_opening() {
    let (_d, ctx, ids) = kontext();
    let erst = ctx.vorgang(ids[0].clone()).unwrap();
    let geoeffnet = |d: &ipc::VorgangDetail| {
        d.verlauf
            .iter()
            .filter(|e| e.was == "Vorgang geöffnet")
            .count()
    };
    assert_eq!(geoeffnet(&erst), 1);
    ctx.notiz_hinzufuegen(ids[0].clone(), "Rückruf vereinbart".into())
        .unwrap();
    let erneut = ctx.vorgang_erneut(ids[0].clone()).unwrap();
    assert_eq!(geoeffnet(&erneut), 1, "reading again is not a new opening");
    assert!(
        erneut
            .notizen
            .iter()
            .any(|n| n.text == "Rückruf vereinbart")
    );
    let fehlt = ctx
        .vorgang_erneut(uuid::Uuid::new_v4().to_string())
        .unwrap_err();
    assert_eq!(fehlt.code, ipc::ErrorCode::NotFound, "{fehlt:?}");
}

/// Issue 18: a re-read (`vorgang` with `erneut`) of a case this window never opened is an
/// opening and audited; within an opening it adds nothing.
#[test]
fn a_re_read_without_an_opening_is_audited_as_one() {
    let (_d, ctx, ids) = kontext();
    let vid: domain::VorgangId = domain::VorgangId(uuid::Uuid::parse_str(&ids[0]).unwrap());
    let geoeffnet = |ctx: &AppContext| {
        ctx.store()
            .read(|r| r.audit_fuer_vorgang(&vid))
            .unwrap()
            .iter()
            .filter(|e| e.was == "vorgang.geoeffnet")
            .count()
    };
    assert_eq!(geoeffnet(&ctx), 0);
    ctx.vorgang_erneut(ids[0].clone()).unwrap();
    assert_eq!(geoeffnet(&ctx), 1, "the first read is an audited opening");
    ctx.vorgang_erneut(ids[0].clone()).unwrap();
    assert_eq!(
        geoeffnet(&ctx),
        1,
        "a re-read within the opening adds nothing"
    );
    assert!(ctx.ist_geoeffnet(&vid));
    // Another window (context) has not opened it.
    let anders = AppContext::open(_d.path())
        .unwrap()
        .mit_sitzung("anna", Rolle::Sachbearbeitung);
    assert!(!anders.ist_geoeffnet(&vid));
    anders.vorgang_erneut(ids[0].clone()).unwrap();
    assert_eq!(geoeffnet(&ctx), 2);
}
