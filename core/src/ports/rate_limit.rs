//! Rate limits: how often a key (an IP, an email) may do something, and
//! how much work a caller may ask for.
//!
//! Fixed windows count attempts: the first count on a key opens a window
//! of the given length; counts add up until it ends. Leaky buckets
//! ([`Bucket`]) meter cost: each charge fills the key's bucket, which
//! drains at a steady rate; a charge that would overflow it is refused
//! and fills nothing.

use std::time::Duration;

use async_trait::async_trait;

use crate::error::InternalError;

/// A key's open window: how many counts it holds and when it ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub count: u32,
    pub resets_in: Duration,
}

/// A leaky bucket's size: it holds up to `capacity` points and drains
/// `drain_per_second` of them every second.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bucket {
    pub capacity: u32,
    pub drain_per_second: u32,
}

impl Bucket {
    /// How long until `level` points have drained to leave room for
    /// `cost` (zero when there is room now).
    pub fn wait(&self, level: f64, cost: u32) -> Duration {
        let over = level + f64::from(cost) - f64::from(self.capacity);
        if over <= 0.0 || self.drain_per_second == 0 {
            return Duration::ZERO;
        }
        Duration::from_secs_f64(over / f64::from(self.drain_per_second))
    }
}

/// What one charge to a bucket did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Charge {
    /// Whether the cost went in (else the bucket is unchanged).
    pub admitted: bool,
    /// Points left in the bucket after the charge (rounded down).
    pub remaining: u32,
    /// When refused: how long until the cost would fit.
    pub retry_after: Duration,
}

impl Charge {
    /// The charge of `cost` to a bucket holding `level` points (already
    /// drained to now), and the level after it: the cost goes in if it
    /// fits whole.
    pub fn of(bucket: Bucket, level: f64, cost: u32) -> (Self, f64) {
        let admitted = cost <= bucket.capacity && bucket.wait(level, cost) == Duration::ZERO;
        let after = if admitted {
            level + f64::from(cost)
        } else {
            level
        };
        (Self::observed(bucket, cost, admitted, after), after)
    }

    /// `cost` added to a bucket holding `level` points whether it fits
    /// or not (`RateLimiter::settle`), and the level after it.
    pub fn forced(bucket: Bucket, level: f64, cost: u32) -> (Self, f64) {
        let after = level + f64::from(cost);
        (Self::observed(bucket, cost, true, after), after)
    }

    /// The charge of `cost` that was `admitted` (or not) and left the
    /// bucket at `level` (as a shared store reports it).
    pub fn observed(bucket: Bucket, cost: u32, admitted: bool, level: f64) -> Self {
        let remaining = (f64::from(bucket.capacity) - level).clamp(0.0, f64::from(u32::MAX));
        let retry_after = if admitted {
            Duration::ZERO
        } else {
            // A cost larger than the bucket never fits: wait for it empty.
            bucket.wait(level, cost.min(bucket.capacity))
        };
        Self {
            admitted,
            // Within 0..=u32::MAX (clamped above).
            remaining: remaining.floor() as u32,
            retry_after,
        }
    }
}

#[async_trait]
pub trait RateLimiter: Send + Sync + std::fmt::Debug {
    /// Counts one on `key`, opening a window of `window` if none is open;
    /// the window after this count.
    async fn count(&self, key: &str, window: Duration) -> Result<Window, InternalError>;

    /// `key`'s open window, without counting; `None` when none is open.
    async fn peek(&self, key: &str) -> Result<Option<Window>, InternalError>;

    /// Closes `key`'s window (the next count opens a new one).
    async fn clear(&self, key: &str) -> Result<(), InternalError>;

    /// Charges `cost` points to `key`'s leaky bucket of size `bucket`
    /// (a fresh key's bucket is empty). Negative costs are not a thing:
    /// a refund is a smaller charge next time.
    async fn charge(&self, key: &str, cost: u32, bucket: Bucket) -> Result<Charge, InternalError>;

    /// Adds `cost` points to `key`'s bucket whether or not they fit:
    /// costs already admitted on the strength of an earlier charge (a
    /// replica settling what it let in meanwhile). The bucket may go
    /// past its capacity; it then refuses until it has drained below.
    async fn settle(&self, key: &str, cost: u32, bucket: Bucket) -> Result<Charge, InternalError>;

    /// Counts one hit on `key` in a fixed window of `window`. `None` when
    /// it is within `limit`; else how long until the window ends.
    async fn hit(
        &self,
        key: &str,
        limit: u32,
        window: Duration,
    ) -> Result<Option<Duration>, InternalError> {
        let open = self.count(key, window).await?;
        Ok((open.count > limit).then_some(open.resets_in))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BUCKET: Bucket = Bucket {
        capacity: 100,
        drain_per_second: 10,
    };

    #[test]
    fn a_cost_that_fits_goes_in_whole_and_one_that_does_not_changes_nothing() {
        let (charge, level) = Charge::of(BUCKET, 0.0, 60);
        assert!(charge.admitted);
        assert_eq!((charge.remaining, level), (40, 60.0));
        let (charge, level) = Charge::of(BUCKET, level, 60);
        assert!(!charge.admitted);
        assert_eq!((charge.remaining, level), (40, 60.0));
        // 20 points over: 2 s of draining.
        assert_eq!(charge.retry_after, Duration::from_secs(2));
        let (charge, level) = Charge::of(BUCKET, level, 40);
        assert!(charge.admitted);
        assert_eq!((charge.remaining, level), (0, 100.0));
    }

    #[test]
    fn a_cost_above_the_capacity_waits_for_an_empty_bucket_only() {
        let (charge, level) = Charge::of(BUCKET, 50.0, 500);
        assert!(!charge.admitted);
        assert_eq!(level, 50.0);
        assert_eq!(charge.retry_after, Duration::from_secs(5));
    }
}
