#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! The client classifies every injected fault correctly: what is worth a retry, what is not,
//! and how long the service asked us to wait.

use std::collections::BTreeMap;
use std::sync::OnceLock;
use std::time::Duration;

use fitconnect::client::MemorySink;
use fitconnect::jose::{EncryptionKeyPair, SigningKeyPair};
use fitconnect::{Client, Credentials, Error, NetworkKind};
use simulator::{Faults, SimConfig, SimHandle, Simulator};

fn keys() -> &'static (EncryptionKeyPair, SigningKeyPair) {
    static K: OnceLock<(EncryptionKeyPair, SigningKeyPair)> = OnceLock::new();
    K.get_or_init(|| {
        (
            EncryptionKeyPair::generate("fault-enc-0001").unwrap(),
            SigningKeyPair::generate("fault-sig-0001").unwrap(),
        )
    })
}

async fn sim() -> SimHandle {
    let (enc, sig) = keys();
    Simulator::start(SimConfig {
        destination_keys: Some((enc.public_jwk().unwrap(), sig.public_jwk())),
        ..Default::default()
    })
    .await
    .unwrap()
}

fn client_with_timeout(sim: &SimHandle, timeout: Duration) -> Client {
    let i = sim.info();
    Client::with_timeout(
        &i.base_url,
        Credentials {
            token_url: i.token_url.clone(),
            client_id: i.subscriber.client_id.clone(),
            client_secret: i.subscriber.client_secret.clone(),
            scope: Some(format!("subscribe:destination:{}", i.destination_id)),
        },
        timeout,
    )
    .unwrap()
}

fn only(faults: Faults) -> Faults {
    Faults {
        exempt: vec!["token".into()],
        ..faults
    }
}

async fn pickup_error(sim: &SimHandle, client: &Client, faults: Faults) -> Error {
    sim.set_faults(only(faults));
    let err = client
        .submissions_for_pickup(Some(&sim.info().destination_id), 10, 0)
        .await
        .unwrap_err();
    sim.set_faults(Faults::default());
    err
}

#[tokio::test]
async fn each_injected_fault_is_classified_as_transient_or_permanent() {
    let sim = sim().await;
    let client = client_with_timeout(&sim, Duration::from_millis(700));
    let pickup = "get-submissions-for-pickup".to_owned();

    let err = pickup_error(
        &sim,
        &client,
        Faults {
            error_rate: BTreeMap::from([(pickup.clone(), 1.0)]),
            ..Default::default()
        },
    )
    .await;
    assert!(matches!(err, Error::Http { status: 503, .. }), "{err}");
    assert!(!err.is_permanent());
    assert!(err.to_string().contains("Simulierter Fehler"), "{err}");

    let err = pickup_error(
        &sim,
        &client,
        Faults {
            error_rate: BTreeMap::from([(pickup.clone(), 1.0)]),
            error_status: Some(400),
            ..Default::default()
        },
    )
    .await;
    assert!(matches!(err, Error::Http { status: 400, .. }), "{err}");
    assert!(err.is_permanent());

    let err = pickup_error(
        &sim,
        &client,
        Faults {
            rate_limit_rate: 1.0,
            retry_after_secs: 7,
            ..Default::default()
        },
    )
    .await;
    assert!(matches!(err, Error::Http { status: 429, .. }), "{err}");
    assert!(!err.is_permanent());
    assert_eq!(err.retry_after(), Some(Duration::from_secs(7)));

    let err = pickup_error(
        &sim,
        &client,
        Faults {
            reset_rate: 1.0,
            ..Default::default()
        },
    )
    .await;
    assert!(matches!(err, Error::Network { .. }), "{err}");
    assert!(!err.is_permanent());

    let err = pickup_error(
        &sim,
        &client,
        Faults {
            truncate_rate: 1.0,
            ..Default::default()
        },
    )
    .await;
    assert!(
        matches!(
            err,
            Error::Network {
                kind: NetworkKind::Body,
                ..
            }
        ),
        "{err}"
    );
    assert!(!err.is_permanent());

    let err = pickup_error(
        &sim,
        &client,
        Faults {
            latency_ms: 1500,
            ..Default::default()
        },
    )
    .await;
    assert!(
        matches!(
            err,
            Error::Network {
                kind: NetworkKind::Timeout,
                ..
            }
        ),
        "{err}"
    );
    assert!(!err.is_permanent());

    // A refused connection (nothing listens any more) is transient too.
    let base = sim.base_url().to_owned();
    sim.stop().await;
    let gone = Client::new(
        &base,
        Credentials {
            token_url: format!("{base}/token"),
            client_id: "x".into(),
            client_secret: "y".into(),
            scope: None,
        },
    )
    .unwrap();
    let err = gone.all_submissions_for_pickup(None).await.unwrap_err();
    assert!(
        matches!(
            err,
            Error::Network {
                kind: NetworkKind::Connect,
                ..
            }
        ),
        "{err}"
    );
    assert!(!err.is_permanent());
}

/// Retries what the error says is worth retrying, waiting `Retry-After` if given.
async fn retrying<T, F, Fut>(mut f: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T, Error>>,
{
    for _ in 0..200 {
        match f().await {
            Ok(v) => return v,
            Err(e) if !e.is_permanent() => {
                tokio::time::sleep(
                    e.retry_after()
                        .map_or(Duration::from_millis(5), |_| Duration::from_millis(20)),
                )
                .await;
            }
            Err(e) => panic!("permanent error under transient faults: {e}"),
        }
    }
    panic!("no success in 200 attempts")
}

#[tokio::test]
async fn under_random_transient_faults_every_submission_is_still_received_and_accepted() {
    let sim = sim().await;
    let ids = sim.send(11, 0, 3).await.unwrap();
    sim.set_faults(Faults {
        error_rate: BTreeMap::from([("*".into(), 0.2)]),
        rate_limit_rate: 0.1,
        retry_after_secs: 0,
        reset_rate: 0.1,
        truncate_rate: 0.1,
        ..Default::default()
    });
    let client = client_with_timeout(&sim, Duration::from_secs(10));
    let (enc, sig) = keys();
    let forms = simulator::leistungen::form_schemas();
    for id in &ids {
        let received = retrying(|| async {
            let mut sink = MemorySink::default();
            client.receive(id, enc, &forms, &mut sink).await
        })
        .await;
        // A truncated answer can hide an accept the service did record: the retry then meets
        // 409, and the event log tells whether our accept is there (what the sync engine does).
        let case = received.submission.case_id.clone();
        let dest = received.submission.destination_id.clone();
        retrying(|| async {
            match client.accept(sig, &received).await {
                Err(Error::Http { status: 409, .. }) => {
                    let events = client.verified_events(&case, &dest).await?;
                    assert!(events.iter().any(|e| e.event
                        == Some(fitconnect::set::EventType::AcceptSubmission)
                        && e.kid == sig.kid()));
                    Ok(String::new())
                }
                other => other,
            }
        })
        .await;
    }
    sim.set_faults(Faults::default());
    assert!(
        client
            .all_submissions_for_pickup(None)
            .await
            .unwrap()
            .is_empty()
    );
    sim.stop().await;
}
