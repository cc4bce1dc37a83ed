#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Round trips over real HTTP on 127.0.0.1 against the simulator: its applicants send, our
//! client picks up, decrypts, verifies, accepts or rejects, and the event log proves it.

use std::sync::OnceLock;

use fitconnect::client::MemorySink;
use fitconnect::jose::{EncryptionKeyPair, SigningKeyPair};
use fitconnect::set::{EventType, ProblemType};
use fitconnect::{Client, Error};
use simulator::applicant::{Hostile, send_hostile};
use simulator::{SimConfig, SimHandle, Simulator};

fn profile_keys() -> &'static (EncryptionKeyPair, SigningKeyPair) {
    static K: OnceLock<(EncryptionKeyPair, SigningKeyPair)> = OnceLock::new();
    K.get_or_init(|| {
        (
            EncryptionKeyPair::generate("profil-enc-0001").unwrap(),
            SigningKeyPair::generate("profil-sig-0001").unwrap(),
        )
    })
}

async fn connected(submissions: u64) -> (SimHandle, Client) {
    let sim = Simulator::start(SimConfig {
        submissions,
        seed: 42,
        ..Default::default()
    })
    .await
    .unwrap();
    let client = sim.info().subscriber_client().unwrap();
    let (enc, sig) = profile_keys();
    client
        .register_keys(
            &sim.info().destination_id,
            &enc.public_jwk().unwrap(),
            &sig.public_jwk(),
        )
        .await
        .unwrap();
    (sim, client)
}

#[tokio::test]
async fn submissions_are_picked_up_verified_accepted_and_leave_the_pickup_list() {
    let (mut sim, client) = connected(4).await;
    sim.wait_pending_sent().await;
    let dest = sim.info().destination_id.clone();
    let (enc, sig) = profile_keys();
    let forms = simulator::leistungen::form_schemas();

    let pending = client
        .all_submissions_for_pickup(Some(&dest))
        .await
        .unwrap();
    assert_eq!(pending.len(), 4);
    for p in &pending {
        let mut sink = MemorySink::default();
        let received = client
            .receive(&p.submission_id, enc, &forms, &mut sink)
            .await
            .unwrap();
        assert!(
            received.data_validated,
            "form data validated against the Leistung's schema"
        );
        assert_eq!(
            sink.files.len(),
            received.metadata.content_structure.attachments.len()
        );
        assert!(sink.files.values().any(|f| f.starts_with(b"%PDF-1.4")));
        assert_eq!(received.tags.attachments.len(), sink.files.len());
        let token = client.accept(sig, &received).await.unwrap();

        // Accepted: gone from pickup, and not fetchable any more.
        let err = client.submission(&p.submission_id).await.unwrap_err();
        assert!(matches!(err, Error::Http { status: 404, .. }), "{err}");
        // A second accept is an invalid state transition.
        let again = client.post_event(&p.case_id, &token).await.unwrap_err();
        assert!(matches!(again, Error::Http { status: 409, .. }), "{again}");

        // The event log: service SETs verified with the service JWKS, our accept with the
        // destination's signing key; the accept carries the tags the service recorded.
        let events = client.verified_events(&p.case_id, &dest).await.unwrap();
        let kinds: Vec<_> = events.iter().map(|e| e.event).collect();
        assert_eq!(
            kinds,
            vec![
                Some(EventType::CreateSubmission),
                Some(EventType::SubmitSubmission),
                Some(EventType::AcceptSubmission)
            ]
        );
        let service_kid = &sim.service_jwks().keys[0].kid;
        assert_eq!(&events[1].kid, service_kid);
        assert_eq!(events[2].kid, sig.kid());
        assert_eq!(
            events[1].authentication_tags().unwrap(),
            events[2].authentication_tags().unwrap()
        );
    }
    assert!(
        client
            .all_submissions_for_pickup(Some(&dest))
            .await
            .unwrap()
            .is_empty()
    );
    sim.stop().await;
}

#[tokio::test]
async fn broken_and_hostile_submissions_are_rejected_with_the_right_problem_or_accepted() {
    let (sim, client) = connected(0).await;
    let dest = sim.info().destination_id.clone();
    let sender = sim.info().sender_client().unwrap();
    let (enc, sig) = profile_keys();
    let forms = simulator::leistungen::form_schemas();
    // Size limits and content sniffing are the subscriber's policy (crates/sync tests them).
    for kind in Hostile::ALL.into_iter().filter(|k| !k.subscriber_policy()) {
        let sent = send_hostile(&sender, &dest, kind, 7).await.unwrap();
        let listed = client
            .all_submissions_for_pickup(Some(&dest))
            .await
            .unwrap();
        let entry = listed
            .iter()
            .find(|s| s.submission_id == sent.submission_id)
            .unwrap()
            .clone();
        let mut sink = MemorySink::default();
        let result = client
            .receive(&sent.submission_id, enc, &forms, &mut sink)
            .await;
        match (kind.expected_problem(), result) {
            (Some(expected), Err(e)) => {
                let problem = e.rejection().unwrap_or_else(|| panic!("{kind:?}: {e}"));
                assert!(
                    problem.type_.ends_with(expected.name()),
                    "{kind:?}: {} for {e}",
                    problem.type_
                );
                assert!(e.is_permanent(), "{kind:?}");
                assert!(sink.files.is_empty() || kind.defect_in_attachment());
                client.reject(sig, &entry, &[problem]).await.unwrap();
                let events = client.verified_events(&entry.case_id, &dest).await.unwrap();
                let last = events.last().unwrap();
                assert_eq!(last.event, Some(EventType::RejectSubmission));
                assert!(last.problems()[0].type_.ends_with(expected.name()));
            }
            (None, Ok(received)) => {
                if kind == Hostile::LargeAttachment {
                    assert!(sink.files.values().any(|f| f.len() > 12 * 1024 * 1024));
                }
                client.accept(sig, &received).await.unwrap();
            }
            (expected, got) => panic!("{kind:?}: expected {expected:?}, got {got:?}"),
        }
        let left = client
            .all_submissions_for_pickup(Some(&dest))
            .await
            .unwrap();
        assert!(left.iter().all(|s| s.submission_id != sent.submission_id));
    }
    sim.stop().await;
}

#[tokio::test]
async fn the_service_refuses_accepts_with_wrong_tags_foreign_signatures_or_empty_rejects() {
    let (sim, client) = connected(0).await;
    let dest = sim.info().destination_id.clone();
    let ids = sim.send(3, 0, 1).await.unwrap();
    let (enc, sig) = profile_keys();
    let mut sink = MemorySink::default();
    let mut received = client
        .receive(
            &ids[0],
            enc,
            &simulator::leistungen::form_schemas(),
            &mut sink,
        )
        .await
        .unwrap();
    let s = received.submission.clone();

    received.tags.metadata = "AAAAAAAAAAAAAAAAAAAAAA".into();
    let err = client.accept(sig, &received).await.unwrap_err();
    assert!(matches!(err, Error::Http { status: 422, .. }), "{err}");

    let stranger =
        SigningKeyPair::generate_sized(sig.kid(), aws_lc_rs::rsa::KeySize::Rsa2048).unwrap();
    let forged = fitconnect::set::reject_submission(
        &stranger,
        &dest,
        &s.submission_id,
        &s.case_id,
        &[fitconnect::set::SetProblem::new(
            ProblemType::HashMismatch,
            "x",
        )],
    )
    .unwrap();
    let err = client.post_event(&s.case_id, &forged).await.unwrap_err();
    assert!(matches!(err, Error::Http { status: 422, .. }), "{err}");

    let empty =
        fitconnect::set::reject_submission(sig, &dest, &s.submission_id, &s.case_id, &[]).unwrap();
    let err = client.post_event(&s.case_id, &empty).await.unwrap_err();
    assert!(matches!(err, Error::Http { status: 422, .. }), "{err}");

    // Still pending after all refused events.
    assert_eq!(
        client.all_submissions_for_pickup(None).await.unwrap().len(),
        1
    );
    sim.stop().await;
}

#[tokio::test]
async fn the_token_is_cached_renewed_once_on_401_and_bad_credentials_are_permanent() {
    let (sim, client) = connected(0).await;
    for _ in 0..5 {
        client.all_submissions_for_pickup(None).await.unwrap();
    }
    assert_eq!(client.token_requests(), 1, "one token for all calls");
    sim.revoke_tokens();
    client.all_submissions_for_pickup(None).await.unwrap();
    assert_eq!(
        client.token_requests(),
        2,
        "a 401 costs exactly one renewal"
    );

    let mut info = sim.info().clone();
    info.subscriber.client_secret = "falsch".into();
    let bad = info.subscriber_client().unwrap();
    let err = bad.all_submissions_for_pickup(None).await.unwrap_err();
    assert!(matches!(err, Error::Auth(_)) && err.is_permanent(), "{err}");

    // A sender token cannot pick up; a subscriber token cannot send.
    let sender = sim.info().sender_client().unwrap();
    let err = sender
        .all_submissions_for_pickup(Some(&sim.info().destination_id))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Http { status: 403, .. }), "{err}");
    let err = simulator::applicant::send_applications(
        &client,
        &sim.info().destination_id,
        1,
        0,
        1,
        false,
    )
    .await
    .unwrap_err();
    assert!(matches!(err, Error::Http { status: 403, .. }), "{err}");
    sim.stop().await;
}

#[tokio::test]
async fn a_reply_reaches_the_applicant_over_the_reply_channel_and_is_acknowledged() {
    let (sim, client) = connected(0).await;
    let dest = sim.info().destination_id.clone();
    let (enc, sig) = profile_keys();
    let forms = simulator::leistungen::form_schemas();
    // Send until one application carries a reply channel (deterministic for the seed).
    let ids = sim.send(5, 0, 8).await.unwrap();
    let mut with_reply = None;
    for id in &ids {
        let mut sink = MemorySink::default();
        let r = client.receive(id, enc, &forms, &mut sink).await.unwrap();
        client.accept(sig, &r).await.unwrap();
        if r.metadata.reply_key.is_some() && with_reply.is_none() {
            with_reply = Some(r);
        }
    }
    let r = with_reply.expect("seed 5 yields an application with replyChannel.fitConnect");
    let key = r.metadata.reply_key.clone().unwrap();
    let reply = fitconnect::reply::OutgoingReply {
        data: br#"{"nachricht":"Bitte reichen Sie den Nachweis nach."}"#.to_vec(),
        schema_uri: "urn:amtsstube:nachforderung:1.0.0".into(),
        attachments: vec![fitconnect::sender::OutgoingAttachment {
            id: uuid::Uuid::new_v4().to_string(),
            filename: "Nachforderung.pdf".into(),
            mime_type: "application/pdf".into(),
            purpose: "report".into(),
            description: None,
            content: simulator::documents::pdf("Nachforderung", &[], 500),
        }],
    };
    let reply_id = client
        .send_reply(&r.submission.case_id, &key, &reply)
        .await
        .unwrap();
    let state = client.reply_state(&reply_id).await.unwrap();
    assert_eq!(state.status, "accepted");
    let events = client
        .verified_events(&r.submission.case_id, &dest)
        .await
        .unwrap();
    assert_eq!(events.last().unwrap().event, Some(EventType::AcceptReply));
    sim.stop().await;
}

#[tokio::test]
async fn a_token_is_renewed_before_it_expires_without_a_401() {
    let sim = Simulator::start(SimConfig {
        token_lifetime: std::time::Duration::from_secs(2),
        ..Default::default()
    })
    .await
    .unwrap();
    let client = sim.info().subscriber_client().unwrap();
    client.all_submissions_for_pickup(None).await.unwrap();
    assert_eq!(client.token_requests(), 1);
    // Renewal is due at half the lifetime for short-lived tokens (60 s early for long ones).
    tokio::time::sleep(std::time::Duration::from_millis(1200)).await;
    client.all_submissions_for_pickup(None).await.unwrap();
    assert_eq!(client.token_requests(), 2);
    sim.stop().await;
}

#[tokio::test]
async fn the_client_reads_the_service_info_and_its_public_signing_keys() {
    let (sim, client) = connected(0).await;
    let info = client.info().await.unwrap();
    assert_eq!(
        (info.version.major, info.version.minor),
        (1, 1),
        "the simulator follows the Submission API 1.1.x: {info:?}"
    );
    let jwks = client.service_jwks().await.unwrap();
    assert!(!jwks.keys.is_empty());
    for k in &jwks.keys {
        assert_eq!(k.alg, "PS512", "{k:?}");
        let json = serde_json::to_value(k).unwrap();
        for private in ["d", "p", "q", "dp", "dq", "qi"] {
            assert!(
                json.get(private).is_none(),
                "the service's JWKS must not carry the private part {private}: {json}"
            );
        }
    }
    assert_eq!(jwks.keys[0].kid, sim.service_jwks().keys[0].kid);
    sim.stop().await;
}
