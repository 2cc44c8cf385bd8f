//! How a subscription reconnects.

use std::time::Duration;

/// When and how often a subscription reconnects after its connection drops or
/// a connection attempt fails.
///
/// The delay before reconnect attempt `n` (from 1) is drawn uniformly from
/// `0..=min(max_backoff, initial_backoff × 2^(n-1))` ("full jitter"). The
/// count starts again from zero once a connection proves itself: something
/// (an event or a pong) arrived on it, or it stayed open for a minute. A
/// server that accepts and then drops at once therefore still exhausts the
/// limit.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ReconnectPolicy {
    /// How many reconnects in a row are tried before giving up (default 10).
    pub max_retries: u32,
    /// The backoff ceiling of the first reconnect (default 500 ms).
    pub initial_backoff: Duration,
    /// The largest backoff ceiling (default 30 s).
    pub max_backoff: Duration,
    /// The time allowed to open a connection: TCP, TLS and upgrade (default 10 s).
    pub connect_timeout: Duration,
    /// How often a ping is sent on an idle connection; a connection that
    /// receives nothing for two intervals is treated as dropped
    /// (default 30 s; `None` or zero turns pings off).
    pub ping_interval: Option<Duration>,
}

impl Default for ReconnectPolicy {
    fn default() -> Self {
        Self {
            max_retries: 10,
            initial_backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(10),
            ping_interval: Some(Duration::from_secs(30)),
        }
    }
}

impl ReconnectPolicy {
    /// The default policy.
    pub fn new() -> Self {
        Self::default()
    }
    /// A policy that never reconnects: the first failure ends the stream.
    pub fn never() -> Self {
        Self::default().max_retries(0)
    }
    /// Sets how many reconnects in a row are tried before giving up.
    pub fn max_retries(mut self, n: u32) -> Self {
        self.max_retries = n;
        self
    }
    /// Sets the backoff ceiling of the first reconnect.
    pub fn initial_backoff(mut self, d: Duration) -> Self {
        self.initial_backoff = d;
        self
    }
    /// Sets the largest backoff ceiling.
    pub fn max_backoff(mut self, d: Duration) -> Self {
        self.max_backoff = d;
        self
    }
    /// Sets the time allowed to open a connection.
    pub fn connect_timeout(mut self, d: Duration) -> Self {
        self.connect_timeout = d;
        self
    }
    /// Sets the ping interval (`None`: no pings).
    pub fn ping_interval(mut self, d: Option<Duration>) -> Self {
        self.ping_interval = d;
        self
    }

    /// The backoff ceiling of reconnect attempt `attempt` (from 1).
    pub fn ceiling(&self, attempt: u32) -> Duration {
        let shift = attempt.saturating_sub(1).min(31);
        self.initial_backoff
            .saturating_mul(1u32 << shift)
            .min(self.max_backoff)
    }

    /// The delay before reconnect attempt `attempt` (from 1): a uniform draw
    /// from zero to [`ReconnectPolicy::ceiling`].
    pub fn backoff(&self, attempt: u32) -> Duration {
        jitter(self.ceiling(attempt), crate::random_u64())
    }
}

/// `ceiling × (random / u64::MAX)`, in nanoseconds.
fn jitter(ceiling: Duration, random: u64) -> Duration {
    let nanos = ceiling.as_nanos().min(u64::MAX as u128) as u64;
    let scaled = (u128::from(nanos) * u128::from(random)) / u128::from(u64::MAX);
    Duration::from_nanos(scaled as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ceiling_doubles_up_to_the_maximum() {
        let p = ReconnectPolicy::default()
            .initial_backoff(Duration::from_millis(100))
            .max_backoff(Duration::from_secs(1));
        assert_eq!(p.ceiling(1), Duration::from_millis(100));
        assert_eq!(p.ceiling(2), Duration::from_millis(200));
        assert_eq!(p.ceiling(4), Duration::from_millis(800));
        assert_eq!(p.ceiling(5), Duration::from_secs(1));
        assert_eq!(p.ceiling(u32::MAX), Duration::from_secs(1));
    }

    #[test]
    fn jitter_spans_zero_to_the_ceiling() {
        let c = Duration::from_millis(800);
        assert_eq!(jitter(c, 0), Duration::ZERO);
        assert_eq!(jitter(c, u64::MAX), c);
        assert_eq!(jitter(c, u64::MAX / 2), Duration::from_nanos(399_999_999));
        let p = ReconnectPolicy::default();
        let draws: Vec<_> = (0..64).map(|_| p.backoff(3)).collect();
        assert!(draws.iter().all(|d| *d <= p.ceiling(3)));
        // Full jitter: the draws are not all the same.
        assert!(draws.iter().any(|d| *d != draws[0]));
    }
}
