#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Faults: with the simulator failing about 30% of all calls at random (5xx, connection
//! resets, truncated bodies, 429 with Retry-After, answers held back beyond the client's
//! timeout after the service did the work), repeated passes converge: every application
//! stored once and accepted exactly once in the service's event log.

mod common;

use std::time::Duration;

use common::*;
use domain::Eingangszustand;
use fitconnect::set::EventType;
use simulator::Faults;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_thirty_percent_of_calls_failing_a_sync_of_200_applications_converges_to_exactly_once()
{
    const N: usize = 200;
    let start = std::time::Instant::now();
    let u = umgebung(N as u64, 77).await;
    assert_eq!(u.abholliste().await.len(), N);
    let t_senden = start.elapsed();
    // Roughly 30% of requests fail: 9% 5xx, 6% reset, 6% truncated, 5% 429, 5% held back
    // beyond the client's timeout (≈ 1-0.91·0.94·0.94·0.95·0.95).
    u.sim.set_faults(Faults {
        error_rate: [("*".to_owned(), 0.09)].into(),
        error_status: Some(503),
        reset_rate: 0.06,
        truncate_rate: 0.06,
        rate_limit_rate: 0.05,
        retry_after_secs: 1,
        hang_rate: 0.05,
        hang_ms: 2_500,
        ..Default::default()
    });

    // The client gives up after 2 s; a held answer comes after 2.5 s.
    let engine = u.engine_mit_timeout(schnell(), Duration::from_secs(2));
    let timeouts = std::sync::atomic::AtomicUsize::new(0);
    let zaehlen = |f: sync::Fortschritt| {
        if let sync::Fortschritt::Fehler { meldung, .. } = &f
            && meldung.contains("Timeout")
        {
            timeouts.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        }
    };
    let mut durchlaeufe = 0;
    let mut fehler_gesehen = 0;
    loop {
        durchlaeufe += 1;
        let b = engine
            .bis_ruhe(1, Duration::from_secs(2), &zaehlen)
            .await
            .unwrap();
        fehler_gesehen += b.fehler.len();
        if b.ruhig() && b.gelistet == 0 {
            break;
        }
        assert!(
            durchlaeufe < 200,
            "no convergence after {durchlaeufe} passes: {b:?}"
        );
        // Let due retries become due (backoff of the test configuration is short).
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(fehler_gesehen > 0, "the faults must actually have hit");
    let timeouts = timeouts.into_inner();
    assert!(timeouts > 0, "some calls must have timed out");
    let t_sync = start.elapsed() - t_senden;

    u.keine_fehler();
    let store = engine.store();
    assert_eq!(store.read(|r| r.anzahl_vorgaenge()).unwrap(), N as u64);
    let z = zustaende(store);
    assert_eq!(z.len(), N);
    for (sid, (state, case_id)) in &z {
        assert_eq!(*state, Eingangszustand::Accepted, "{sid}");
        assert_eq!(
            u.eigene(sid, case_id, EventType::AcceptSubmission)
                .await
                .len(),
            1,
            "{sid}: exactly one accept"
        );
    }
    assert!(u.abholliste().await.is_empty());
    assert!(store.read(|r| r.audit_pruefen()).unwrap().intakt());
    eprintln!(
        "converged after {durchlaeufe} passes, {fehler_gesehen} failures seen ({timeouts} \
         timeouts); sending {:.1} s, sync {:.1} s",
        t_senden.as_secs_f64(),
        t_sync.as_secs_f64()
    );
}
