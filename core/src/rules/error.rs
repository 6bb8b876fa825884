use crate::error::{DomainError, ErrorCode, InternalError, UserError, UserErrorCode};

#[derive(Debug, thiserror::Error)]
pub enum RuleError {
    /// No such rule for this user (another user's counts as none).
    #[error("rule not found")]
    NotFound,
    /// No such application for this user, or it was already undone.
    #[error("rule application not found or already undone")]
    ApplicationNotFound,
    /// The rule as given cannot be stored.
    #[error("{message}")]
    Invalid {
        field: &'static str,
        message: String,
    },
    #[error(transparent)]
    Internal(#[from] InternalError),
}

impl RuleError {
    pub(crate) fn invalid(field: &'static str, message: impl Into<String>) -> Self {
        Self::Invalid {
            field,
            message: message.into(),
        }
    }
}

impl From<sea_orm::DbErr> for RuleError {
    fn from(err: sea_orm::DbErr) -> Self {
        Self::Internal(err.into())
    }
}

impl DomainError for RuleError {
    fn code(&self) -> ErrorCode {
        match self {
            Self::NotFound | Self::ApplicationNotFound => ErrorCode::NotFound,
            Self::Invalid { .. } => ErrorCode::BadUserInput,
            Self::Internal(_) => ErrorCode::Internal,
        }
    }

    fn user_error(&self) -> Option<UserError> {
        match self {
            Self::Invalid { field, .. } => {
                Some(UserError::new(UserErrorCode::Invalid, self.to_string()).at(&["input", field]))
            }
            _ => None,
        }
    }
}
