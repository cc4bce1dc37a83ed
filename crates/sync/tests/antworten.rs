#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Replies to the applicant as outbox rows: sealed once when queued, sent over the reply
//! channel by the engine's passes, exactly once through service failures and lost answers,
//! and refused clearly (nothing queued) when the applicant gave no reply channel.

mod common;

use std::time::Duration;

use common::*;
use domain::{NachrichtArt, Richtung, VorgangId};
use fitconnect::jose;
use fitconnect::set::EventType;
use simulator::Faults;
use simulator::reply::HeldReply;
use store::{OutboxEintrag, Store};
use sync::{ART_ANTWORT, Antwort, AntwortAnlage, AntwortAuftrag, Engine, Konfiguration};

/// Seed 5 gives applications with and without a reply channel among the first ten.
const SEED: u64 = 5;
const N: u64 = 10;

/// Every operation of the simulator except `ausser`: exempt from faults, so a test aims at one.
fn alle_ausser(ausser: &[&str]) -> Vec<String> {
    [
        "token",
        "get-info",
        "get-jwks.json",
        "get-destination-info",
        "patch-destination",
        "add-destination-key",
        "get-destination-key",
        "get-submissions-for-pickup",
        "create-submission",
        "get-submission",
        "submit-submission",
        "get-submission-attachment",
        "add-submission-attachment",
        "get-case-events",
        "send-case-event",
        "create-reply",
        "get-reply",
        "submit-reply",
        "add-reply-attachment",
        "unknown",
    ]
    .into_iter()
    .filter(|o| !ausser.contains(o))
    .map(str::to_owned)
    .collect()
}

/// Takes in every application; returns the stored cases (Vorgang, FIT-Connect case id) with
/// and without a reply channel in their submission's metadata.
async fn eingang(engine: &Engine) -> (Vec<(VorgangId, String)>, Vec<(VorgangId, String)>) {
    let b = engine
        .bis_ruhe(8, Duration::from_secs(2), &still)
        .await
        .unwrap();
    assert!(b.ruhig(), "{b:?}");
    let store = engine.store();
    let mut mit = Vec::new();
    let mut ohne = Vec::new();
    for (sid, _) in zustaende(store) {
        let info = store.read(|r| r.einreichung(&sid)).unwrap().unwrap();
        let vid = VorgangId(info.vorgang_id.unwrap().parse().unwrap());
        let meta: serde_json::Value = serde_json::from_str(&info.metadaten_json.unwrap()).unwrap();
        if meta
            .pointer("/replyChannel/fitConnect/encryptionPublicKey")
            .is_some()
        {
            mit.push((vid, info.case_id));
        } else {
            ohne.push((vid, info.case_id));
        }
    }
    assert!(
        !mit.is_empty() && !ohne.is_empty(),
        "seed {SEED} must give both kinds"
    );
    (mit, ohne)
}

/// The reply rows of the outbox (open or not yet due).
fn antwort_zeilen(store: &Store) -> Vec<OutboxEintrag> {
    let fern = time::OffsetDateTime::now_utc() + time::Duration::days(3650);
    store
        .read(|r| r.outbox_faellig(fern, 1000))
        .unwrap()
        .into_iter()
        .filter(|e| e.art == ART_ANTWORT)
        .collect()
}

fn zeile(store: &Store, id: i64) -> OutboxEintrag {
    store.read(|r| r.outbox_eintrag(id)).unwrap().unwrap()
}

fn antworten_im_fall(u: &Umgebung, case_id: &str) -> Vec<HeldReply> {
    u.sim
        .replies()
        .into_iter()
        .filter(|r| r.case_id == case_id)
        .collect()
}

/// Id and status of each reply, for failure messages (the JWEs would drown them).
fn kurz(r: &[HeldReply]) -> Vec<(&str, &str)> {
    r.iter()
        .map(|r| (r.reply_id.as_str(), r.status.as_str()))
        .collect()
}

async fn antwort_ereignisse(u: &Umgebung, case_id: &str) -> usize {
    u.ereignisse(case_id)
        .await
        .iter()
        .filter(|e| e.event == Some(EventType::AcceptReply))
        .count()
}

fn pdf() -> Vec<u8> {
    simulator::documents::pdf("Nachforderung", &["Bitte Nachweis".to_owned()], 300)
}

fn antwort(betreff: &str, text: &str, anlagen: Vec<AntwortAnlage>) -> Antwort {
    Antwort {
        art: NachrichtArt::Nachricht,
        betreff: betreff.into(),
        text: text.into(),
        anlagen,
        nachweise: Vec::new(),
        frist: None,
    }
}

fn einreihen(engine: &Engine, vid: &VorgangId, betreff: &str) -> (String, i64) {
    let key = sync::antwort::antwort_einreihen(
        engine.store(),
        vid,
        antwort(
            betreff,
            "Bitte reichen Sie den Nachweis über die Haftpflichtversicherung nach.",
            vec![AntwortAnlage {
                dateiname: "Nachforderung.pdf".into(),
                mime: "application/pdf".into(),
                inhalt: pdf(),
            }],
        ),
        "sb:mueller",
        Box::new(|_| Ok(None)),
    )
    .unwrap();
    let id = antwort_zeilen(engine.store())
        .into_iter()
        .find(|e| e.idempotenz == key)
        .expect("the reply is queued")
        .id;
    (key, id)
}

/// Waits out the (short) backoff of the test configuration.
async fn backoff_abwarten() {
    tokio::time::sleep(Duration::from_millis(500)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reply_to_an_applicant_with_a_reply_channel_reaches_them_once_and_shows_in_the_case() {
    let u = umgebung(N, SEED).await;
    let engine = u.engine();
    let (mit, _) = eingang(&engine).await;
    let (vid, case_id) = &mit[0];
    let store = engine.store();

    let (key, id) = einreihen(&engine, vid, "Nachforderung: Versicherungsnachweis");
    assert!(key.starts_with(ART_ANTWORT));
    // Queued together with the case's outgoing message and the audit entry of the person.
    let v = store.read(|r| r.vorgang(vid)).unwrap().unwrap();
    let n = v.nachrichten.last().unwrap();
    assert_eq!(n.richtung, Richtung::Ausgehend);
    assert_eq!(n.betreff, "Nachforderung: Versicherungsnachweis");
    assert_eq!(n.anlagen, vec!["Nachforderung.pdf"]);
    assert_eq!(n.auftrag.as_deref(), Some(key.as_str()));
    let audit = store.read(|r| r.audit_fuer_vorgang(vid)).unwrap();
    assert!(
        audit
            .iter()
            .any(|a| a.was == "antwort.eingereiht" && a.wer == "sb:mueller"),
        "{audit:?}"
    );
    // Sealed when queued: the row holds only ciphertext for the applicant.
    let a: AntwortAuftrag = serde_json::from_slice(&zeile(store, id).nutzlast).unwrap();
    assert_eq!(&a.case_id, case_id);
    assert_eq!(a.reply_id, None);
    assert!(!String::from_utf8_lossy(&zeile(store, id).nutzlast).contains("Haftpflicht"));
    assert!(antworten_im_fall(&u, case_id).is_empty());

    let b = engine.durchlauf(&still).await.unwrap();
    assert!(b.fehler.is_empty(), "{b:?}");
    let e = zeile(store, id);
    assert_eq!((e.zustand.as_str(), e.versuche), ("erledigt", 1), "{e:?}");
    assert!(antwort_zeilen(store).is_empty());
    assert_eq!(store.read(|r| r.outbox_offen_anzahl()).unwrap(), 0);

    // Another pass sends nothing again.
    engine.durchlauf(&still).await.unwrap();
    let beim_dienst = antworten_im_fall(&u, case_id);
    assert_eq!(beim_dienst.len(), 1, "{:?}", kurz(&beim_dienst));
    let r = &beim_dienst[0];
    // The simulated applicant read it with their key and acknowledged it.
    assert_eq!(r.status, "accepted");
    assert_eq!(antwort_ereignisse(&u, case_id).await, 1);

    // And so can we, with the applicant's private key: text, attachment, hashes.
    let k = u.sim.applicant_reply_key(case_id).unwrap();
    let daten = jose::decrypt(&k, r.encrypted_data.as_deref().unwrap()).unwrap();
    let daten: serde_json::Value = serde_json::from_slice(&daten.plaintext).unwrap();
    assert_eq!(daten["betreff"], "Nachforderung: Versicherungsnachweis");
    assert!(
        daten["text"]
            .as_str()
            .unwrap()
            .contains("Haftpflichtversicherung")
    );
    assert_eq!(daten["aktenzeichen"], v.aktenzeichen.clone().unwrap().0);
    let meta = jose::decrypt(&k, r.encrypted_metadata.as_deref().unwrap()).unwrap();
    let meta: serde_json::Value = serde_json::from_slice(&meta.plaintext).unwrap();
    let anlage = &meta["contentStructure"]["attachments"][0];
    assert_eq!(anlage["filename"], "Nachforderung.pdf");
    let jwe = &r.attachments[anlage["attachmentId"].as_str().unwrap()];
    let inhalt = jose::decrypt(&k, jwe).unwrap().plaintext;
    assert_eq!(inhalt, pdf());
    assert_eq!(
        anlage["hash"]["content"],
        fitconnect::metadata::sha512_hex(&inhalt)
    );

    let audit = store.read(|r| r.audit_fuer_vorgang(vid)).unwrap();
    assert!(
        audit.iter().any(|a| a.was == "antwort.zugestellt"),
        "{audit:?}"
    );
    assert!(store.read(|r| r.audit_pruefen()).unwrap().intakt());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_the_service_failing_a_reply_waits_in_the_outbox_and_goes_out_once_when_it_answers() {
    let u = umgebung(N, SEED).await;
    let engine = u.engine();
    let (mit, _) = eingang(&engine).await;
    let (vid, case_id) = &mit[0];
    let store = engine.store();
    let (_, id) = einreihen(&engine, vid, "Anhörung");
    let versiegelt = serde_json::from_slice::<AntwortAuftrag>(&zeile(store, id).nutzlast)
        .unwrap()
        .versiegelt;

    // Too many requests: the next try is not before the service's Retry-After.
    u.sim.set_faults(Faults {
        rate_limit_rate: 1.0,
        retry_after_secs: 2,
        exempt: alle_ausser(&["create-reply"]),
        ..Default::default()
    });
    let vor_dem_versuch = time::OffsetDateTime::now_utc();
    engine.durchlauf(&still).await.unwrap();
    let e = zeile(store, id);
    assert_eq!((e.zustand.as_str(), e.versuche), ("offen", 1), "{e:?}");
    assert!(
        e.letzter_fehler.as_deref().unwrap().contains("429"),
        "{e:?}"
    );
    // The store keeps times to the millisecond (truncated), and the failed attempt may have
    // taken less than one: compare with the start truncated the same way.
    let vor_ms = vor_dem_versuch
        .replace_nanosecond(vor_dem_versuch.millisecond() as u32 * 1_000_000)
        .unwrap();
    assert!(
        e.naechster_versuch >= vor_ms + time::Duration::seconds(2),
        "{:?} < {vor_ms:?} + 2 s",
        e.naechster_versuch
    );
    // A pass before the Retry-After has passed leaves the row alone.
    engine.durchlauf(&still).await.unwrap();
    assert_eq!(
        zeile(store, id).versuche,
        1,
        "tried again before Retry-After"
    );
    tokio::time::sleep(Duration::from_millis(2100)).await;

    // The service refuses to create replies.
    u.sim.set_faults(Faults {
        error_rate: [("create-reply".to_owned(), 1.0)].into(),
        error_status: Some(503),
        ..Default::default()
    });
    let b = engine.durchlauf(&still).await.unwrap();
    assert!(
        b.fehler.iter().any(|f| f.contains("Antwort")),
        "{:?}",
        b.fehler
    );
    assert_eq!((b.antworten_offen, b.ausgang_offen), (1, 0), "{b:?}");
    let e = zeile(store, id);
    assert_eq!((e.zustand.as_str(), e.versuche), ("offen", 2), "{e:?}");
    assert!(
        e.letzter_fehler.as_deref().unwrap().contains("503"),
        "{e:?}"
    );
    // The backoff replaced the pass's claim on the row.
    assert!(e.naechster_versuch < time::OffsetDateTime::now_utc() + time::Duration::minutes(1));
    assert!(antworten_im_fall(&u, case_id).is_empty());

    // Now it creates the reply but fails the submit: the reply's id is kept in the row.
    u.sim.set_faults(Faults {
        error_rate: [("submit-reply".to_owned(), 1.0)].into(),
        error_status: Some(502),
        ..Default::default()
    });
    backoff_abwarten().await;
    engine.durchlauf(&still).await.unwrap();
    let e = zeile(store, id);
    assert_eq!((e.zustand.as_str(), e.versuche), ("offen", 3), "{e:?}");
    assert!(
        e.letzter_fehler.as_deref().unwrap().contains("502"),
        "{e:?}"
    );
    let a: AntwortAuftrag = serde_json::from_slice(&e.nutzlast).unwrap();
    let rid = a
        .reply_id
        .expect("the reply id is persisted after creation");
    assert_eq!(
        a.versiegelt, versiegelt,
        "every attempt sends the same ciphertext"
    );
    let beim_dienst = antworten_im_fall(&u, case_id);
    assert_eq!(beim_dienst.len(), 1);
    assert_eq!(
        (
            beim_dienst[0].reply_id.as_str(),
            beim_dienst[0].status.as_str()
        ),
        (rid.as_str(), "created")
    );

    // Service back: the same reply is completed, no second one created.
    u.keine_fehler();
    backoff_abwarten().await;
    let b = engine.durchlauf(&still).await.unwrap();
    assert!(b.fehler.is_empty(), "{b:?}");
    let e = zeile(store, id);
    assert_eq!((e.zustand.as_str(), e.versuche), ("erledigt", 4), "{e:?}");
    assert_eq!(b.antworten_offen, 0);
    let beim_dienst = antworten_im_fall(&u, case_id);
    assert_eq!(beim_dienst.len(), 1, "{:?}", kurz(&beim_dienst));
    assert_eq!(
        (
            beim_dienst[0].reply_id.as_str(),
            beim_dienst[0].status.as_str()
        ),
        (rid.as_str(), "accepted")
    );
    assert_eq!(antwort_ereignisse(&u, case_id).await, 1);
    backoff_abwarten().await;
    engine.durchlauf(&still).await.unwrap();
    assert_eq!(antworten_im_fall(&u, case_id).len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_case_whose_applicant_gave_no_reply_channel_gets_a_clear_error_and_nothing_is_queued() {
    let u = umgebung(N, SEED).await;
    let engine = u.engine();
    let (_, ohne) = eingang(&engine).await;
    let (vid, _) = &ohne[0];
    let store = engine.store();
    let vorher = store.read(|r| r.vorgang(vid)).unwrap().unwrap();
    let audit_vorher = store.read(|r| r.audit_fuer_vorgang(vid)).unwrap().len();

    let err = sync::antwort::antwort_einreihen(
        engine.store(),
        vid,
        antwort("Anhörung", "Text", Vec::new()),
        "sb:mueller",
        Box::new(|_| Ok(None)),
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("keinen FIT-Connect-Rückkanal"), "{err}");
    assert!(
        err.contains(&vorher.aktenzeichen.clone().unwrap().0),
        "{err}"
    );
    assert!(err.contains("auf anderem Weg"), "{err}");

    assert!(antwort_zeilen(store).is_empty());
    assert_eq!(store.read(|r| r.vorgang(vid)).unwrap().unwrap(), vorher);
    assert_eq!(
        store.read(|r| r.audit_fuer_vorgang(vid)).unwrap().len(),
        audit_vorher
    );
    engine.durchlauf(&still).await.unwrap();
    assert!(u.sim.replies().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lost_answer_while_sending_a_reply_never_leads_to_a_second_submitted_reply() {
    let u = umgebung(N, SEED).await;
    // The client gives up after 2 s; a held answer comes after 3 s, after the service did it.
    let engine = u.engine_mit_timeout(schnell(), Duration::from_secs(2));
    let (mit, _) = eingang(&engine).await;
    let (vid, case_id) = &mit[0];
    let store = engine.store();
    let halten = |op: &str| Faults {
        hang_rate: 1.0,
        hang_ms: 3_000,
        exempt: alle_ausser(&[op]),
        ..Default::default()
    };

    // 1. The submit went through, its answer was lost.
    let (_, id) = einreihen(&engine, vid, "Erste Antwort");
    u.sim.set_faults(halten("submit-reply"));
    let b = engine.durchlauf(&still).await.unwrap();
    assert!(!b.fehler.is_empty(), "the answer must have been lost");
    let e = zeile(store, id);
    assert_eq!(e.zustand, "offen", "{e:?}");
    let beim_dienst = antworten_im_fall(&u, case_id);
    assert_eq!(beim_dienst.len(), 1);
    assert_eq!(
        beim_dienst[0].status, "accepted",
        "the service did the work"
    );

    u.keine_fehler();
    backoff_abwarten().await;
    let b = engine.durchlauf(&still).await.unwrap();
    assert!(b.fehler.is_empty(), "{b:?}");
    let e = zeile(store, id);
    assert_eq!((e.zustand.as_str(), e.versuche), ("erledigt", 2), "{e:?}");
    assert_eq!(antworten_im_fall(&u, case_id).len(), 1, "no second reply");
    assert_eq!(antwort_ereignisse(&u, case_id).await, 1);

    // 2. The creation went through, its answer (the reply id) was lost: the documented
    // orphan stays `created`, never submitted; the applicant gets exactly one reply.
    let (_, id) = einreihen(&engine, vid, "Zweite Antwort");
    u.sim.set_faults(halten("create-reply"));
    engine.durchlauf(&still).await.unwrap();
    let e = zeile(store, id);
    assert_eq!(e.zustand, "offen", "{e:?}");
    let a: AntwortAuftrag = serde_json::from_slice(&e.nutzlast).unwrap();
    assert_eq!(a.reply_id, None);
    u.keine_fehler();
    backoff_abwarten().await;
    engine.durchlauf(&still).await.unwrap();
    assert_eq!(zeile(store, id).zustand, "erledigt");
    let beim_dienst = antworten_im_fall(&u, case_id);
    let gesendet: Vec<_> = beim_dienst
        .iter()
        .filter(|r| r.status != "created")
        .collect();
    assert_eq!(
        gesendet.len(),
        2,
        "one per queued reply: {:?}",
        kurz(&beim_dienst)
    );
    assert_eq!(
        beim_dienst.len(),
        3,
        "plus the orphan: {:?}",
        kurz(&beim_dienst)
    );
    assert_eq!(antwort_ereignisse(&u, case_id).await, 2);
    assert!(antwort_zeilen(store).is_empty());
}

/// The sending pass is cut off at random moments, as a killed app leaves it: its future is
/// dropped mid-flight (SQLite transactions are atomic, an HTTP call may be half done) and
/// the next run opens the store anew, as after a restart. After 30 runs, each given a new
/// reply and a random time before it is cut (within the duration of a whole sending pass on
/// this machine, measured first, so most are cut wherever they are), it runs to the end:
/// every queued reply reached the applicant exactly once (`accepted`: the applicant
/// decrypted it with their key and checked its hashes); at most the documented orphans
/// (created, never submitted) remain.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replies_cut_off_mid_send_at_random_moments_reach_the_applicant_exactly_once() {
    let u = umgebung(N, SEED).await;
    // A short claim, so a run cut off while it sends does not hold its rows for 10 minutes.
    let cfg = Konfiguration {
        antwort_anspruch: Duration::from_millis(300),
        ..schnell()
    };
    let engine = u.engine_mit(cfg.clone());
    let (mit, _) = eingang(&engine).await;
    let (vid, case_id) = &mit[0];
    // One more reply queued before each run, so every run has one to send when it is cut;
    // plus the one of the measured pass.
    const RUNDEN: usize = 30;
    const ANTWORTEN: usize = RUNDEN + 1;
    drop(engine);
    let mut zufall: u64 = 0x5EED_2026;
    let mut abgeschnitten = 0;
    let mut ids = Vec::new();
    // How long one whole pass that sends one reply takes here (machines differ tenfold).
    let engine = u.engine_mit(cfg.clone());
    ids.push(einreihen(&engine, vid, "Antwort zum Messen").1);
    let t0 = std::time::Instant::now();
    engine.durchlauf(&still).await.unwrap();
    let pass_us = u64::try_from(t0.elapsed().as_micros())
        .unwrap_or(u64::MAX)
        .max(2_000);
    drop(engine);
    for i in 0..RUNDEN {
        zufall = zufall
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        let nach = Duration::from_micros(200 + (zufall >> 33) % (pass_us * 9 / 10));
        let engine = u.engine_mit(cfg.clone());
        ids.push(einreihen(&engine, vid, &format!("Antwort {i}")).1);
        if tokio::time::timeout(nach, engine.durchlauf(&still))
            .await
            .is_err()
        {
            abgeschnitten += 1;
        }
        drop(engine);
        // The claim of a cut-off run expires.
        tokio::time::sleep(Duration::from_millis(350)).await;
    }
    assert!(
        abgeschnitten >= RUNDEN / 4,
        "only {abgeschnitten} of {RUNDEN} runs were cut off"
    );
    let engine = u.engine_mit(cfg.clone());
    for _ in 0..20 {
        let offen = antwort_zeilen(engine.store())
            .iter()
            .filter(|e| e.zustand != "erledigt")
            .count();
        if offen == 0 {
            break;
        }
        engine.durchlauf(&still).await.unwrap();
        backoff_abwarten().await;
    }
    let zeilen: Vec<OutboxEintrag> = ids.iter().map(|id| zeile(engine.store(), *id)).collect();
    assert!(
        zeilen.iter().all(|e| e.zustand == "erledigt"),
        "{:?}",
        zeilen
            .iter()
            .map(|e| (&e.zustand, &e.letzter_fehler))
            .collect::<Vec<_>>()
    );
    let beim_dienst = antworten_im_fall(&u, case_id);
    let gesendet: Vec<_> = beim_dienst
        .iter()
        .filter(|r| r.status != "created")
        .collect();
    assert_eq!(
        gesendet.len(),
        ANTWORTEN,
        "exactly one per queued reply: {:?}",
        kurz(&beim_dienst)
    );
    assert!(
        gesendet.iter().all(|r| r.status == "accepted"),
        "{:?}",
        kurz(&beim_dienst)
    );
    assert_eq!(antwort_ereignisse(&u, case_id).await, ANTWORTEN);
    println!(
        "{abgeschnitten} of {RUNDEN} runs cut off; {} orphan(s) left created",
        beim_dienst.len() - gesendet.len()
    );
}
