use crate::error::{DomainError, ErrorCode, InternalError, UserError, UserErrorCode};

/// An input that does not satisfy a rule; `field` is the input field name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field} {message}")]
pub struct ValidationError {
    pub field: &'static str,
    pub message: String,
}

impl ValidationError {
    pub fn new(field: &'static str, message: impl Into<String>) -> Self {
        Self {
            field,
            message: message.into(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    #[error(transparent)]
    Invalid(#[from] ValidationError),
    #[error("an account with this email already exists")]
    EmailTaken,
    /// Wrong password, unknown email, or an unusable refresh token: one
    /// error for all, so a caller cannot tell which.
    #[error("invalid credentials")]
    InvalidCredentials,
    #[error("missing, invalid or expired access token")]
    Unauthenticated,
    #[error("too many sign-ins in progress; retry shortly")]
    Busy,
    #[error(transparent)]
    Internal(#[from] InternalError),
}

impl From<sea_orm::DbErr> for AuthError {
    fn from(err: sea_orm::DbErr) -> Self {
        Self::Internal(err.into())
    }
}

impl DomainError for AuthError {
    fn code(&self) -> ErrorCode {
        match self {
            Self::Invalid(_) | Self::EmailTaken | Self::InvalidCredentials => {
                ErrorCode::BadUserInput
            }
            Self::Unauthenticated => ErrorCode::Unauthenticated,
            Self::Busy => ErrorCode::RateLimited,
            Self::Internal(_) => ErrorCode::Internal,
        }
    }

    fn user_error(&self) -> Option<UserError> {
        match self {
            Self::Invalid(e) => {
                Some(UserError::new(UserErrorCode::Invalid, e.to_string()).at(&["input", e.field]))
            }
            Self::EmailTaken => {
                Some(UserError::new(UserErrorCode::Taken, self.to_string()).at(&["input", "email"]))
            }
            Self::InvalidCredentials => Some(UserError::new(
                UserErrorCode::InvalidCredentials,
                self.to_string(),
            )),
            _ => None,
        }
    }
}
