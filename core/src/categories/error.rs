use crate::error::{DomainError, ErrorCode, InternalError};

#[derive(Debug, thiserror::Error)]
pub enum CategoryError {
    /// No such transaction for this user (another user's counts as none).
    #[error("transaction not found")]
    TransactionNotFound,
    #[error(transparent)]
    Internal(#[from] InternalError),
}

impl From<sea_orm::DbErr> for CategoryError {
    fn from(err: sea_orm::DbErr) -> Self {
        Self::Internal(err.into())
    }
}

impl DomainError for CategoryError {
    fn code(&self) -> ErrorCode {
        match self {
            Self::TransactionNotFound => ErrorCode::NotFound,
            Self::Internal(_) => ErrorCode::Internal,
        }
    }
}
