use crate::error::{DomainError, ErrorCode, InternalError, UserError, UserErrorCode};

#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    #[error("no such institution")]
    UnknownInstitution,
    #[error("the institution refused the login")]
    LoginFailed,
    #[error("{field} {message}")]
    Invalid {
        field: &'static str,
        message: &'static str,
    },
    /// The user has `max` linked accounts already: unlink one first.
    #[error("at most {max} linked accounts per user")]
    TooManyAccounts { max: u32 },
    /// No such account for this user (another user's counts as none).
    #[error("account not found")]
    NotFound,
    /// The sync could not be queued (the queue is away): nothing was
    /// changed; retry shortly.
    #[error("syncing is unavailable right now; try again shortly")]
    SyncUnavailable(#[source] InternalError),
    #[error(transparent)]
    Internal(#[from] InternalError),
}

impl From<sea_orm::DbErr> for AccountError {
    fn from(err: sea_orm::DbErr) -> Self {
        Self::Internal(err.into())
    }
}

impl DomainError for AccountError {
    fn code(&self) -> ErrorCode {
        match self {
            Self::UnknownInstitution
            | Self::LoginFailed
            | Self::Invalid { .. }
            | Self::TooManyAccounts { .. } => ErrorCode::BadUserInput,
            Self::NotFound => ErrorCode::NotFound,
            Self::SyncUnavailable(_) => ErrorCode::Unavailable,
            Self::Internal(_) => ErrorCode::Internal,
        }
    }

    fn user_error(&self) -> Option<UserError> {
        match self {
            Self::UnknownInstitution => Some(
                UserError::new(UserErrorCode::UnknownInstitution, self.to_string())
                    .at(&["input", "institution"]),
            ),
            Self::LoginFailed => Some(UserError::new(
                UserErrorCode::InstitutionLoginFailed,
                self.to_string(),
            )),
            Self::TooManyAccounts { .. } => Some(UserError::new(
                UserErrorCode::TooManyAccounts,
                self.to_string(),
            )),
            Self::Invalid { field, .. } => {
                Some(UserError::new(UserErrorCode::Invalid, self.to_string()).at(&["input", field]))
            }
            _ => None,
        }
    }
}
