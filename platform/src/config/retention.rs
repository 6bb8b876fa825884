//! How long Moneta keeps what it no longer needs: the horizons of the
//! retention jobs (`moneta_core::retention`).

use clap::Args;
use moneta_core::retention::{
    BUDGET_ALERT_MIN_MONTHS, BudgetAlertHorizon, ClaimHorizon, EMAIL_CLAIM_MIN_MINUTES, Horizon,
    RetentionError, RetentionPolicy,
};

#[derive(Debug, Clone, Args)]
pub struct RetentionSettings {
    /// Days a refresh token is kept after it expired or was revoked
    /// (replaying a rotated token revokes its family only while it is kept).
    #[arg(
        long,
        env = "MONETA_RETENTION_REFRESH_TOKEN_DAYS",
        default_value_t = 30,
        value_parser = clap::value_parser!(u32).range(1..),
        global = true
    )]
    pub retention_refresh_token_days: u32,

    /// Days a read sync notification (SYNC_COMPLETED, SYNC_FAILED) is kept;
    /// unread ones are kept.
    #[arg(
        long,
        env = "MONETA_RETENTION_SYNC_NOTIFICATION_DAYS",
        default_value_t = 30,
        value_parser = clap::value_parser!(u32).range(1..),
        global = true
    )]
    pub retention_sync_notification_days: u32,

    /// Months a budget alert, read or not, is kept (at least 13).
    #[arg(
        long,
        env = "MONETA_RETENTION_BUDGET_ALERT_MONTHS",
        default_value_t = 13,
        value_parser = clap::value_parser!(u32).range(i64::from(BUDGET_ALERT_MIN_MONTHS)..),
        global = true
    )]
    pub retention_budget_alert_months: u32,

    /// Minutes after which an email claim without a user (a registration
    /// that died between claim and user insert) is released (at least 5).
    #[arg(
        long,
        env = "MONETA_RETENTION_EMAIL_CLAIM_MINUTES",
        default_value_t = 60,
        value_parser = clap::value_parser!(u32).range(i64::from(EMAIL_CLAIM_MIN_MINUTES)..),
        global = true
    )]
    pub retention_email_claim_minutes: u32,

    /// Days of claims, before that, each run of the email claim job looks
    /// at; a one-off run with a larger value sweeps older ones.
    #[arg(
        long,
        env = "MONETA_RETENTION_EMAIL_CLAIM_LOOKBACK_DAYS",
        default_value_t = 7,
        value_parser = clap::value_parser!(u32).range(1..),
        global = true
    )]
    pub retention_email_claim_lookback_days: u32,
}

impl RetentionSettings {
    /// The horizons the retention jobs apply.
    pub fn policy(&self) -> Result<RetentionPolicy, RetentionError> {
        Ok(RetentionPolicy {
            refresh_tokens: Horizon::days(self.retention_refresh_token_days),
            read_sync_notifications: Horizon::days(self.retention_sync_notification_days),
            budget_alerts: BudgetAlertHorizon::months(self.retention_budget_alert_months)?,
            email_claims: ClaimHorizon::new(
                self.retention_email_claim_minutes,
                self.retention_email_claim_lookback_days,
            )?,
        })
    }
}

#[cfg(test)]
mod tests {
    use clap::Parser as _;

    use crate::config::{Cli, Settings};

    #[test]
    fn the_defaults_make_a_policy_and_floors_are_refused() {
        assert!(Settings::defaults().retention.policy().is_ok());
        assert!(Cli::try_parse_from(["moneta", "--retention-budget-alert-months", "12"]).is_err());
        assert!(Cli::try_parse_from(["moneta", "--retention-email-claim-minutes", "4"]).is_err());
        let cli = Cli::try_parse_from(["moneta", "--retention-budget-alert-months", "24"]).unwrap();
        assert_eq!(cli.settings.retention.retention_budget_alert_months, 24);
    }
}
