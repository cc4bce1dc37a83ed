//! When to try an outgoing effect again: exponential backoff with jitter, never earlier than
//! the service asked for (`Retry-After`). Pure, so its bounds are property tests.

use std::time::Duration;

/// Backoff parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    /// Wait after the first failure (before jitter).
    pub basis: Duration,
    /// Upper bound of the exponential part.
    pub max: Duration,
}

impl Default for Backoff {
    fn default() -> Self {
        Backoff {
            basis: Duration::from_secs(2),
            max: Duration::from_secs(15 * 60),
        }
    }
}

impl Backoff {
    /// The wait after the `versuche`-th failed attempt (1 = first failure). `zufall` in
    /// `0.0..=1.0` is the jitter draw. "Equal jitter": half of the exponential step is fixed,
    /// half random, so many clients that failed together spread out without ever retrying at
    /// once. A `Retry-After` of the service is a lower bound.
    pub fn wartezeit(&self, versuche: u32, retry_after: Option<Duration>, zufall: f64) -> Duration {
        let exponent = versuche.saturating_sub(1).min(30);
        let stufe = self
            .basis
            .saturating_mul(1u32 << exponent.min(31))
            .min(self.max);
        let zufall = if zufall.is_finite() {
            zufall.clamp(0.0, 1.0)
        } else {
            0.5
        };
        let warte = stufe / 2 + stufe.mul_f64(zufall / 2.0);
        warte.max(retry_after.unwrap_or_default())
    }

    /// [`Backoff::wartezeit`] with a fresh random jitter.
    pub fn wartezeit_zufaellig(&self, versuche: u32, retry_after: Option<Duration>) -> Duration {
        self.wartezeit(versuche, retry_after, rand::random::<f64>())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn b() -> Backoff {
        Backoff {
            basis: Duration::from_millis(100),
            max: Duration::from_secs(60),
        }
    }

    #[test]
    fn the_wait_doubles_with_each_failure_until_the_cap() {
        let b = b();
        assert_eq!(b.wartezeit(1, None, 1.0), Duration::from_millis(100));
        assert_eq!(b.wartezeit(2, None, 1.0), Duration::from_millis(200));
        assert_eq!(b.wartezeit(3, None, 1.0), Duration::from_millis(400));
        assert_eq!(b.wartezeit(40, None, 1.0), Duration::from_secs(60));
    }

    #[test]
    fn retry_after_of_the_service_is_honoured() {
        let b = b();
        assert_eq!(
            b.wartezeit(1, Some(Duration::from_secs(7)), 0.3),
            Duration::from_secs(7)
        );
    }

    proptest! {
        #[test]
        fn the_wait_stays_between_half_the_step_and_the_step(
            versuche in 0u32..100, zufall in 0.0f64..=1.0, ra in proptest::option::of(0u64..120)
        ) {
            let b = b();
            let ra = ra.map(Duration::from_secs);
            let w = b.wartezeit(versuche, ra, zufall);
            let stufe = b.wartezeit(versuche, None, 1.0);
            prop_assert!(w >= stufe / 2);
            prop_assert!(w <= stufe.max(ra.unwrap_or_default()));
            prop_assert!(w >= ra.unwrap_or_default());
            prop_assert!(stufe <= b.max);
        }

        #[test]
        fn the_step_never_shrinks_with_more_failures(versuche in 1u32..60) {
            let b = b();
            prop_assert!(b.wartezeit(versuche + 1, None, 1.0) >= b.wartezeit(versuche, None, 1.0));
        }
    }
}
