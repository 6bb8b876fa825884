//! The horizons: how long a row is kept once it stopped being needed.
//! Built once from the settings; a horizon below its floor cannot exist.

use chrono::{DateTime, Duration, Months, Utc};

use super::RetentionError;

/// Budget alerts are kept at least this long. An alert is unique per
/// (user, kind, category, month) and only the month in progress is
/// evaluated, so deleting one of a past month never lets it fire again;
/// 13 months keeps a full year back plus the month a year ago for
/// comparison ("this time last year").
pub const BUDGET_ALERT_MIN_MONTHS: u32 = 13;

/// An email claim younger than this is never released: a registration
/// inserts the user right after its claim, so anything older is one that
/// died in between.
pub const EMAIL_CLAIM_MIN_MINUTES: u32 = 5;

/// A non-negative span of time before "now".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Horizon(Duration);

impl Horizon {
    pub fn days(days: u32) -> Self {
        Self(Duration::days(i64::from(days)))
    }

    pub fn minutes(minutes: u32) -> Self {
        Self(Duration::minutes(i64::from(minutes)))
    }

    /// What is older than this instant is past the horizon.
    pub fn cutoff(self, now: DateTime<Utc>) -> DateTime<Utc> {
        now - self.0
    }
}

/// How many calendar months budget alerts are kept (at least
/// [`BUDGET_ALERT_MIN_MONTHS`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BudgetAlertHorizon(u32);

impl BudgetAlertHorizon {
    pub fn months(months: u32) -> Result<Self, RetentionError> {
        if months < BUDGET_ALERT_MIN_MONTHS {
            return Err(RetentionError::BudgetAlertsTooShort(months));
        }
        Ok(Self(months))
    }

    /// Alerts created before this instant are past the horizon (the same
    /// day and time, `months` calendar months back; the 31st falls back to
    /// the last day of a shorter month).
    pub fn cutoff(self, now: DateTime<Utc>) -> DateTime<Utc> {
        now.checked_sub_months(Months::new(self.0))
            .unwrap_or(DateTime::<Utc>::MIN_UTC)
    }
}

/// Which email claims are examined: older than `age` (the registration
/// is surely over), and claimed within `lookback` before that. A claim is
/// abandoned within milliseconds of being made, so each one needs looking
/// at only a few times; the lookback bounds each run to recent claims
/// (an index on `user_emails.created_at`) instead of every address ever
/// registered. A one-off run with a long lookback sweeps older ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClaimHorizon {
    age: Horizon,
    lookback: Horizon,
}

impl ClaimHorizon {
    pub fn new(age_minutes: u32, lookback_days: u32) -> Result<Self, RetentionError> {
        if age_minutes < EMAIL_CLAIM_MIN_MINUTES {
            return Err(RetentionError::EmailClaimsTooShort(age_minutes));
        }
        Ok(Self {
            age: Horizon::minutes(age_minutes),
            lookback: Horizon::days(lookback_days),
        })
    }

    /// `[from, until)`: the claims a run at `now` examines.
    pub fn window(self, now: DateTime<Utc>) -> (DateTime<Utc>, DateTime<Utc>) {
        let until = self.age.cutoff(now);
        (self.lookback.cutoff(until), until)
    }
}

/// Every horizon, as the workers receive them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetentionPolicy {
    /// Refresh tokens go this long after they expired or were revoked.
    pub refresh_tokens: Horizon,
    /// Read SYNC_COMPLETED / SYNC_FAILED notifications go this long after
    /// they were created; unread ones stay.
    pub read_sync_notifications: Horizon,
    /// Budget alerts, read or not, go this many months after they were created.
    pub budget_alerts: BudgetAlertHorizon,
    pub email_claims: ClaimHorizon,
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone as _;

    use super::*;

    fn at(y: i32, m: u32, d: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, 4, 0, 0).unwrap()
    }

    #[test]
    fn budget_alerts_are_kept_at_least_thirteen_months() {
        assert!(matches!(
            BudgetAlertHorizon::months(12),
            Err(RetentionError::BudgetAlertsTooShort(12))
        ));
        let horizon = BudgetAlertHorizon::months(13).unwrap();
        assert_eq!(horizon.cutoff(at(2027, 12, 15)), at(2026, 11, 15));
        // The 31st falls back to the end of the shorter month.
        assert_eq!(horizon.cutoff(at(2027, 3, 31)), at(2026, 2, 28));
    }

    #[test]
    fn claims_younger_than_the_floor_are_never_examined() {
        assert!(matches!(
            ClaimHorizon::new(4, 7),
            Err(RetentionError::EmailClaimsTooShort(4))
        ));
        let (from, until) = ClaimHorizon::new(60, 7).unwrap().window(at(2027, 1, 10));
        assert_eq!(until, at(2027, 1, 10) - Duration::hours(1));
        assert_eq!(from, until - Duration::days(7));
    }

    #[test]
    fn a_horizon_is_subtracted_from_now() {
        assert_eq!(Horizon::days(30).cutoff(at(2027, 1, 31)), at(2027, 1, 1));
    }
}
