use crate::error::{DomainError, ErrorCode, InternalError, UserError, UserErrorCode};

#[derive(Debug, thiserror::Error)]
pub enum BudgetError {
    #[error("{field} {message}")]
    Invalid {
        field: &'static str,
        message: String,
    },
    #[error(transparent)]
    Internal(#[from] InternalError),
}

impl DomainError for BudgetError {
    fn code(&self) -> ErrorCode {
        match self {
            Self::Invalid { .. } => ErrorCode::BadUserInput,
            Self::Internal(_) => ErrorCode::Internal,
        }
    }

    fn user_error(&self) -> Option<UserError> {
        match self {
            Self::Invalid { field, .. } => {
                Some(UserError::new(UserErrorCode::Invalid, self.to_string()).at(&["input", field]))
            }
            Self::Internal(_) => None,
        }
    }
}
