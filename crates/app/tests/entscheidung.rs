#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Deciding a case through the app, without a window: two logins on one real encrypted
//! profile, the real simulator and engine, the demo seal (`openssl`, password in the real
//! Secret Service): `with-keyring.sh cargo test -p app --test entscheidung`.
//!
//! Anna drafts a Bescheid from the template (prefilled from the form data), saves two
//! versions and submits it; her own Freigabe is refused with the four-eyes text and nothing
//! changes; Bernd (zeichnungsbefugt) sees the diff, returns it once with a comment, approves
//! the next version; the case is „Beschieden“ with the sealed PDF among its documents, the
//! PDF reaches the simulated applicant's Postfach decrypted, and it verifies against the
//! demo root (our verifier and poppler's `pdfsig`).

mod common;

use std::time::Duration;

use app::AppContext;
use common::{ansicht, demo_profil, warten_bis};
use ipc::{Ansicht, Rolle, Status};

fn aktion(
    ctx: &AppContext,
    id: &str,
    aktion: ipc::Aktion,
) -> Result<ipc::VorgangDetail, ipc::IpcError> {
    common::aktion(ctx, id, aktion, None, None)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_draft_is_approved_by_a_second_login_sealed_and_reaches_the_applicant() {
    let dir = tempfile::tempdir().unwrap();
    let (anna, dienst, faelle) = demo_profil(&dir, 10).await;
    // Every Leistung's proposal is prefilled from its form and sets without error.
    let mut leistungen = std::collections::BTreeSet::new();
    for d in &faelle {
        let a = anna.entscheidung(d.id.clone()).unwrap();
        let p = anna.entscheidung_vorschau(d.id.clone(), a.entwurf).unwrap();
        assert!(p.fehler.is_none(), "{}: {:?}", d.leistung, p.fehler);
        leistungen.insert(d.leistung.clone());
    }
    assert!(leistungen.len() >= 4, "{leistungen:?}");
    let d = faelle
        .iter()
        .find(|d| d.rueckkanal.fit_connect && d.leistung.starts_with("Hundesteuer"))
        .or_else(|| faelle.iter().find(|d| d.rueckkanal.fit_connect))
        .expect("ein Vorgang mit Rückkanal");
    let id = d.id.clone();
    aktion(&anna, &id, ipc::Aktion::Uebernehmen).unwrap();
    aktion(&anna, &id, ipc::Aktion::PruefungBeginnen).unwrap();

    // The proposal: the Leistung's template, facts from the form, the template's wording.
    let a = anna.entscheidung(id.clone()).unwrap();
    assert!(a.version.is_none());
    assert!(a.bearbeiten.moeglich, "{:?}", a.bearbeiten);
    assert!(
        !a.vorlegen.moeglich,
        "ohne gespeicherten Entwurf nicht vorlegbar"
    );
    assert!(
        !a.entwurf.tenor.is_empty(),
        "Tenor aus der Vorlage vorbelegt"
    );
    assert!(!a.entwurf.begruendung.is_empty());
    assert!(
        a.rechtsbehelfsbelehrung.contains("Klage"),
        "NW: Klage statt Widerspruch"
    );
    let mut entwurf = a.entwurf.clone();

    // The preview is the engine's pages.
    let p = anna
        .entscheidung_vorschau(id.clone(), entwurf.clone())
        .unwrap();
    assert!(p.fehler.is_none(), "{:?}", p.fehler);
    assert!(!p.seiten.is_empty());
    assert!(p.seiten[0].starts_with("<svg") || p.seiten[0].contains("<svg"));

    // A bad number is shown as the preview's error, not a crash.
    let mut falsch = entwurf.clone();
    if let Some(f) = falsch.angaben.iter_mut().find(|f| f.zahl) {
        f.wert = "zwölf".into();
        let p = anna.entscheidung_vorschau(id.clone(), falsch).unwrap();
        assert!(p.fehler.unwrap().contains("ganze Zahl"));
    }

    let a = anna
        .entscheidung_speichern(id.clone(), entwurf.clone())
        .unwrap();
    assert_eq!(a.version, Some(1));
    entwurf
        .begruendung
        .push_str("\n\nDie Angaben wurden geprüft.");
    let a = anna
        .entscheidung_speichern(id.clone(), entwurf.clone())
        .unwrap();
    assert_eq!(a.version, Some(2));
    assert_eq!(a.verfasser, vec!["anna".to_owned()]);
    assert!(a.vorlegen.moeglich, "{:?}", a.vorlegen);
    aktion(&anna, &id, ipc::Aktion::ZurFreigabeVorlegen).unwrap();

    // In approval the draft is frozen, and its author cannot approve it.
    let e = anna
        .entscheidung_speichern(id.clone(), entwurf.clone())
        .unwrap_err();
    assert!(e.message.contains("nicht geändert werden"), "{}", e.message);
    let anna_zb = AppContext::open(dir.path())
        .unwrap()
        .mit_rollen("anna", &[Rolle::Sachbearbeitung, Rolle::Zeichnungsbefugt]);
    let a = anna_zb.entscheidung(id.clone()).unwrap();
    assert!(!a.freigeben.moeglich);
    assert!(a.freigeben.hinweis.unwrap().contains("Vier-Augen-Prinzip"));
    let e = anna_zb.entscheidung_freigeben(id.clone()).unwrap_err();
    assert!(e.message.contains("Vier-Augen-Prinzip"), "{}", e.message);
    let e = aktion(&anna_zb, &id, ipc::Aktion::Freigeben).unwrap_err();
    assert!(e.message.contains("Vier-Augen-Prinzip"), "{}", e.message);
    assert_eq!(
        anna.vorgang_erneut(id.clone()).unwrap().status,
        Status::EntscheidungInFreigabe
    );
    // A caseworker without Zeichnungsbefugnis cannot either.
    let e = anna.entscheidung_freigeben(id.clone()).unwrap_err();
    assert!(e.message.contains("Zeichnungsbefugte"), "{}", e.message);

    // Bernd finds it in „Zur Freigabe“, returns it with a comment.
    let bernd = AppContext::open(dir.path())
        .unwrap()
        .mit_rollen("bernd", &[Rolle::Sachbearbeitung, Rolle::Zeichnungsbefugt]);
    let zur_freigabe = bernd.posteingang(ansicht(Ansicht::ZurFreigabe)).unwrap();
    assert_eq!(zur_freigabe.zeilen.len(), 1);
    assert_eq!(zur_freigabe.zeilen[0].id, id);
    let a = bernd.entscheidung(id.clone()).unwrap();
    assert!(a.freigeben.moeglich, "{:?}", a.freigeben);
    assert!(
        a.aenderungen.is_empty(),
        "erste Ansicht: nichts gesehen, kein Vergleich"
    );
    let a = bernd
        .entscheidung_zurueckgeben(id.clone(), "Bitte die Steuermarke eintragen.".into())
        .unwrap();
    assert!(!a.freigeben.moeglich);
    let d = anna.vorgang_erneut(id.clone()).unwrap();
    assert_eq!(d.status, Status::InPruefung);
    assert!(
        d.verlauf
            .iter()
            .any(|v| v.was.contains("Bitte die Steuermarke eintragen.")),
        "der Kommentar steht im Verlauf"
    );

    // Anna changes the draft; Bernd's diff shows exactly what changed since version 2.
    if let Some(f) = entwurf
        .angaben
        .iter_mut()
        .find(|f| f.schluessel == "steuermarke")
    {
        f.wert = "4711".into();
    } else {
        entwurf
            .nebenbestimmungen
            .push("Bitte die Marke sichtbar tragen.".into());
    }
    let a = anna
        .entscheidung_speichern(id.clone(), entwurf.clone())
        .unwrap();
    assert_eq!(a.version, Some(3));
    aktion(&anna, &id, ipc::Aktion::ZurFreigabeVorlegen).unwrap();
    let a = bernd.entscheidung(id.clone()).unwrap();
    assert_eq!(a.zuletzt_gesehen, Some(2));
    let neu: Vec<&str> = a
        .aenderungen
        .iter()
        .filter(|z| z.art != "gleich")
        .map(|z| z.text.as_str())
        .collect();
    assert!(
        neu.iter()
            .any(|t| t.contains("4711") || t.contains("sichtbar")),
        "{neu:?}"
    );
    assert!(neu.len() <= 2, "nur die Änderung: {neu:?}");

    // Approval: sealed, kept, sent.
    let a = bernd.entscheidung_freigeben(id.clone()).unwrap();
    let b = a.bescheid.expect("der Bescheid");
    assert_eq!(b.freigegeben_von, "bernd");
    assert_eq!(b.version, 3);
    let d = anna.vorgang_erneut(id.clone()).unwrap();
    assert_eq!(d.status, Status::Beschieden);
    assert!(d.anlagen.iter().any(|x| x.dateiname == b.dateiname));
    if b.summe_cent > 0 {
        assert!(b.zahlung_offen);
    }
    let sim = dienst.demo_simulator().expect("Demo-Simulator");
    let case_id = d.case_id.clone().unwrap();
    warten_bis(Duration::from_secs(60), "Bescheid im Postfach", || {
        sim.postfach_dateien(&case_id)
            .iter()
            .any(|p| p.extension().is_some_and(|e| e == "pdf"))
    })
    .await;
    let pdf_pfad = sim
        .postfach_dateien(&case_id)
        .into_iter()
        .find(|p| p.extension().is_some_and(|e| e == "pdf"))
        .unwrap();
    let pdf = std::fs::read(&pdf_pfad).unwrap();
    let wurzel = app::siegel::demo_verzeichnis(dir.path()).join("wurzel.pem");
    let anker =
        bescheid::pruefung::vertrauensanker_laden(&std::fs::read(&wurzel).unwrap()).unwrap();
    let bericht = bescheid::pruefen(&pdf, &anker).unwrap();
    assert!(bericht.gueltig(), "{bericht:?}");

    // The attachment list checks the seal of the PDF in the case (demo root as anchor).
    let sha = d
        .anlagen
        .iter()
        .find(|x| x.dateiname == b.dateiname)
        .unwrap()
        .sha512
        .clone();
    let p = anna.anlage_siegel(id.clone(), sha).unwrap();
    assert!(p.signiert && p.gueltig, "{p:?}");
    assert!(p.text.starts_with("Siegel gültig"), "{}", p.text);
    // An attachment without a seal says so.
    if let Some(ohne) = d
        .anlagen
        .iter()
        .find(|x| x.dateiname != b.dateiname && x.mime == "application/pdf")
    {
        let p = anna.anlage_siegel(id.clone(), ohne.sha512.clone()).unwrap();
        assert!(!p.signiert, "{p:?}");
    }

    // poppler's pdfsig with the demo root in an NSS database.
    let nss = dir.path().join("nssdb");
    std::fs::create_dir_all(&nss).unwrap();
    let db = format!("sql:{}", nss.display());
    let ok = |c: &mut std::process::Command| {
        let o = c
            .output()
            .expect("certutil/pdfsig (libnss3-tools, poppler-utils)");
        (
            o.status.success(),
            format!(
                "{}{}",
                String::from_utf8_lossy(&o.stdout),
                String::from_utf8_lossy(&o.stderr)
            ),
        )
    };
    assert!(
        ok(std::process::Command::new("certutil").args(["-N", "-d", &db, "--empty-password"])).0
    );
    assert!(
        ok(std::process::Command::new("certutil")
            .args(["-A", "-d", &db, "-n", "Demo-Wurzel", "-t", "CT,C,C", "-i"])
            .arg(&wurzel))
        .0
    );
    let (_, aus) = ok(std::process::Command::new("pdfsig")
        .args(["-nssdir", &db])
        .arg(&pdf_pfad));
    assert!(aus.contains("Signature is Valid"), "{aus}");
    assert!(aus.contains("Certificate is Trusted"), "{aus}");

    // The payment, when fees are due.
    if b.summe_cent > 0 {
        let heute = anna.sitzung().unwrap().heute;
        let a = anna.zahlung_vermerken(id.clone(), heute).unwrap();
        assert!(!a.bescheid.unwrap().zahlung_offen);
    }
    dienst.beenden().await;
}
