#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Nachforderung through the app, end to end without a window: the real simulator on
//! 127.0.0.1 whose simulated applicants answer, the real engine, a real encrypted profile
//! (`with-keyring.sh cargo test -p app --test nachforderung`).
//!
//! A caseworker requests two Nachweise → the message is queued with the status change →
//! delivered, the applicant decrypts it → the applicant sends the documents in the same case
//! → the case is back „In Prüfung“ with both Nachweise ticked and marked „neue Unterlagen“.
//! Bad input is refused with German text and queues nothing.

use std::sync::Arc;
use std::time::{Duration, Instant};

use app::AppContext;
use app::sync_dienst::SyncEinstellungen;
use ipc::{
    AktionAnfrage, Ansicht, NachrichtAnfrage, NachrichtArt, QueueAnfrage, Rolle, SortSpalte,
    Status, Zustellung,
};

async fn warten_bis(max: Duration, was: &str, mut bedingung: impl FnMut() -> bool) {
    let start = Instant::now();
    while !bedingung() {
        assert!(start.elapsed() < max, "nach {max:?} nicht erreicht: {was}");
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

fn anfrage(id: &str, text: &str, nachweise: &[&str], frist: Option<String>) -> NachrichtAnfrage {
    NachrichtAnfrage {
        id: id.to_owned(),
        art: NachrichtArt::Nachforderung,
        betreff: String::new(),
        text: text.to_owned(),
        nachweise: nachweise.iter().map(|n| (*n).to_owned()).collect(),
        frist,
        dateien: Vec::new(),
        dokumente: Vec::new(),
    }
}

fn alle() -> QueueAnfrage {
    QueueAnfrage {
        ansicht: Ansicht::Alle,
        suche: None,
        sortierung: SortSpalte::Eingang,
        absteigend: false,
        offset: 0,
        limit: 10,
    }
}

/// A fresh Demo-Modus profile with six cases taken in, its sync running with `einstellungen`
/// (the demo applications' count is set here), and every case opened once.
async fn sechs_vorgaenge(
    dir: &tempfile::TempDir,
    einstellungen: SyncEinstellungen,
) -> (Arc<AppContext>, app::SyncDienst, Vec<ipc::VorgangDetail>) {
    let ctx = Arc::new(
        AppContext::open(dir.path())
            .unwrap()
            .mit_sitzung("anna", Rolle::Sachbearbeitung),
    );
    let dienst = app::SyncDienst::starten_mit(
        &ctx,
        &tokio::runtime::Handle::current(),
        Arc::new(|_| {}),
        SyncEinstellungen {
            demo_antraege: 6,
            erster_abruf_nach: Duration::ZERO,
            ..einstellungen
        },
    );
    warten_bis(Duration::from_secs(300), "6 Vorgänge", || {
        ctx.ansicht_zahlen().unwrap().alle == 6
    })
    .await;
    let faelle = ctx
        .posteingang(alle())
        .unwrap()
        .zeilen
        .iter()
        .map(|z| ctx.vorgang(z.id.clone()).unwrap())
        .collect();
    (ctx, dienst, faelle)
}

/// Takes the case over and starts examining it (a Nachforderung needs „In Prüfung“).
fn in_pruefung(ctx: &AppContext, id: &str) {
    for aktion in [ipc::Aktion::Uebernehmen, ipc::Aktion::PruefungBeginnen] {
        ctx.vorgang_aktion(AktionAnfrage {
            id: id.to_owned(),
            aktion,
            begruendung: None,
            empfaenger: None,
            datum: None,
        })
        .unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_nachforderung_reaches_the_applicant_and_their_documents_tick_it_off() {
    let dir = tempfile::tempdir().unwrap();
    let (ctx, dienst, faelle) = sechs_vorgaenge(
        &dir,
        SyncEinstellungen {
            intervall: Duration::from_secs(2),
            // Every simulated applicant answers, one second after reading.
            demo_nachreichen: (100, Duration::from_secs(1)),
            ..Default::default()
        },
    )
    .await;
    // A case whose applicant gave a reply channel and whose Leistung has two Nachweise.
    let d = faelle
        .into_iter()
        .find(|d| d.rueckkanal.fit_connect && d.nachweise_der_leistung.len() >= 2)
        .expect("ein Vorgang mit Rückkanal und zwei möglichen Nachweisen");
    let id = d.id.clone();
    let ids: Vec<String> = d.nachweise_der_leistung[..2]
        .iter()
        .map(|n| n.id.clone())
        .collect();
    let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
    in_pruefung(&ctx, &id);
    // The action menu offers the Nachforderung as its own dialog.
    let d = ctx.vorgang_erneut(id.clone()).unwrap();
    let angebot = d
        .aktionen
        .iter()
        .find(|a| a.aktion == ipc::Aktion::Nachfordern)
        .unwrap();
    assert!(angebot.moeglich);
    assert_eq!(angebot.eingabe, Some(ipc::Angabe::Nachforderung));

    // The template names both Nachweise and the default Frist.
    let e = ctx
        .nachricht_entwurf(
            id.clone(),
            NachrichtArt::Nachforderung,
            ids.iter().map(|s| (*s).to_owned()).collect(),
            None,
        )
        .unwrap();
    for n in &d.nachweise_der_leistung[..2] {
        assert!(e.text.contains(&n.bezeichnung), "{}", e.text);
    }
    assert!(e.betreff.contains(&d.aktenzeichen), "{}", e.betreff);

    // Bad input: a clear German message each, nothing queued.
    let heute = time::OffsetDateTime::now_utc().date();
    let fehler = |a: NachrichtAnfrage| ctx.nachricht_senden(a).unwrap_err().message;
    assert!(
        fehler(anfrage(
            &id,
            "  ",
            &ids,
            Some(d.nachforderungsfrist.clone())
        ))
        .contains("Die Nachricht ist leer")
    );
    assert!(
        fehler(anfrage(&id, &e.text, &ids, Some(heute.to_string())))
            .contains("liegt nicht in der Zukunft")
    );
    assert!(
        fehler(anfrage(
            &id,
            &e.text,
            &[],
            Some(d.nachforderungsfrist.clone())
        ))
        .contains("mindestens einen Nachweis")
    );
    let fremd = dir.path().join("rechnung.pdf");
    std::fs::write(&fremd, b"MZ kein PDF").unwrap();
    let mut mit_datei = anfrage(&id, &e.text, &ids, Some(d.nachforderungsfrist.clone()));
    mit_datei.dateien = vec![fremd.to_string_lossy().into_owned()];
    assert!(fehler(mit_datei).contains("keine PDF-, PNG- oder JPEG-Datei"));
    let d = ctx.vorgang_erneut(id.clone()).unwrap();
    assert!(d.nachrichten.is_empty(), "{:?}", d.nachrichten);
    assert_eq!(d.status, Status::InPruefung);

    // The preview is what is sent.
    let a = anfrage(&id, &e.text, &ids, Some(d.nachforderungsfrist.clone()));
    let v = ctx.nachricht_vorschau(a.clone()).unwrap();
    assert_eq!(v.text, e.text.trim_end());
    assert_eq!(v.nachweise.len(), 2);
    let d = ctx.nachricht_senden(a).unwrap();
    assert_eq!(d.status, Status::NachforderungOffen);
    assert_eq!(d.status_text, "Wartet auf Unterlagen");
    // The case comes back the working day after the Frist (the Frist's day is the applicant's).
    let wv = d.wiedervorlage.clone().unwrap();
    assert!(
        wv > d.nachforderungsfrist,
        "{wv} after {}",
        d.nachforderungsfrist
    );
    let n = &d.nachrichten[0];
    assert_eq!((n.art, n.eingehend), (NachrichtArt::Nachforderung, false));
    assert_eq!(n.betreff, e.betreff);
    let nf = d.nachforderung.as_ref().unwrap();
    assert_eq!(nf.nachweise.len(), 2);
    assert!(nf.nachweise.iter().all(|n| !n.eingegangen));

    // Delivered (the simulated applicant decrypted it and acknowledged), then answered.
    dienst.jetzt_abrufen();
    warten_bis(Duration::from_secs(120), "Nachforderung zugestellt", || {
        let d = ctx.vorgang_erneut(id.clone()).unwrap();
        d.nachrichten
            .iter()
            .any(|n| n.art == NachrichtArt::Nachforderung && n.zustellung == Zustellung::Zugestellt)
    })
    .await;
    warten_bis(Duration::from_secs(120), "Nachreichung eingegangen", || {
        dienst.jetzt_abrufen();
        ctx.vorgang_erneut(id.clone()).unwrap().status == Status::InPruefung
    })
    .await;
    let d = ctx.vorgang_erneut(id.clone()).unwrap();
    let nf = d.nachforderung.as_ref().unwrap();
    assert!(
        nf.nachweise
            .iter()
            .all(|n| n.eingegangen && n.wie.as_deref().is_some_and(|w| w.starts_with("mit "))),
        "{nf:?}"
    );
    assert_eq!(d.wiedervorlage, None);
    assert_eq!(d.nachrichten[0].art, NachrichtArt::Nachreichung);
    assert!(d.nachrichten[0].eingehend);
    let zeile = ctx
        .posteingang(alle())
        .unwrap()
        .zeilen
        .into_iter()
        .find(|z| z.id == id)
        .unwrap();
    assert!(
        zeile.neue_unterlagen,
        "the Posteingang marks the case until it is opened"
    );
    ctx.vorgang(id.clone()).unwrap();
    dienst.beenden().await;
}

/// An applicant without a reply channel: sending is refused with the reason and nothing is
/// queued; the same Nachforderung becomes a letter (PDF/A, the Bescheid's layout), saved
/// where the caseworker chose, kept in the case and recorded „per Brief“.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_reply_channel_the_nachforderung_becomes_a_letter() {
    let dir = tempfile::tempdir().unwrap();
    let (ctx, dienst, faelle) = sechs_vorgaenge(
        &dir,
        SyncEinstellungen {
            intervall: Duration::from_secs(600),
            ..Default::default()
        },
    )
    .await;
    let d = faelle
        .into_iter()
        .find(|d| !d.rueckkanal.fit_connect && !d.nachweise_der_leistung.is_empty())
        .expect("ein Vorgang ohne Rückkanal");
    assert!(
        d.rueckkanal
            .hinweis
            .as_deref()
            .unwrap_or_default()
            .contains("Rückkanal"),
        "{:?}",
        d.rueckkanal
    );
    let id = d.id.clone();
    in_pruefung(&ctx, &id);
    let nachweis = d.nachweise_der_leistung[0].id.clone();
    let e = ctx
        .nachricht_entwurf(
            id.clone(),
            NachrichtArt::Nachforderung,
            vec![nachweis.clone()],
            None,
        )
        .unwrap();
    let a = anfrage(
        &id,
        &e.text,
        &[&nachweis],
        Some(d.nachforderungsfrist.clone()),
    );
    let err = ctx.nachricht_senden(a.clone()).unwrap_err();
    assert!(err.message.contains("Rückkanal"), "{}", err.message);
    assert!(
        ctx.vorgang_erneut(id.clone())
            .unwrap()
            .nachrichten
            .is_empty()
    );
    assert_eq!(ctx.sync_status().unwrap().outbox, 0);

    let brief = ctx.brief_erstellen(&a).unwrap();
    assert!(brief.pdf.starts_with(b"%PDF-"), "a PDF");
    assert!(brief.dateiname.ends_with(".pdf") && !brief.dateiname.contains('/'));
    let ziel = dir.path().join(&brief.dateiname);
    let (dateiname, pdf) = (brief.dateiname.clone(), brief.pdf.clone());
    let d = ctx.brief_ablegen(brief, &ziel).unwrap();
    assert_eq!(std::fs::read(&ziel).unwrap(), pdf);
    let n = &d.nachrichten[0];
    assert_eq!(
        (n.zustellung, n.zustellung_text.as_str()),
        (Zustellung::Brief, "Per Brief")
    );
    assert_eq!(n.art, NachrichtArt::Nachforderung);
    assert_eq!(d.status, Status::NachforderungOffen);
    assert!(
        d.anlagen
            .iter()
            .any(|x| x.dateiname == dateiname && x.geprueft),
        "the letter is kept in the case: {:?}",
        d.anlagen
    );
    assert!(
        d.verlauf.iter().any(|v| v.was.contains("per Brief")),
        "{:?}",
        d.verlauf
    );
    dienst.beenden().await;
}
