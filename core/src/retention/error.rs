//! What can go wrong in retention.

use super::policy::{BUDGET_ALERT_MIN_MONTHS, EMAIL_CLAIM_MIN_MINUTES};
use crate::error::{DomainError, ErrorCode, InternalError};

#[derive(Debug, thiserror::Error)]
pub enum RetentionError {
    #[error("budget alerts are kept at least {BUDGET_ALERT_MIN_MONTHS} months, not {0}")]
    BudgetAlertsTooShort(u32),
    #[error("email claims are kept at least {EMAIL_CLAIM_MIN_MINUTES} minutes, not {0}")]
    EmailClaimsTooShort(u32),
    #[error(transparent)]
    Internal(#[from] InternalError),
}

impl From<sea_orm::DbErr> for RetentionError {
    fn from(err: sea_orm::DbErr) -> Self {
        Self::Internal(err.into())
    }
}

impl DomainError for RetentionError {
    fn code(&self) -> ErrorCode {
        ErrorCode::Internal
    }
}
