use crate::error::{DomainError, ErrorCode, InternalError};

#[derive(Debug, thiserror::Error)]
pub enum TransferError {
    /// No such transfer for this user, or one they rejected.
    #[error("transfer not found")]
    NotFound,
    #[error(transparent)]
    Internal(#[from] InternalError),
}

impl From<sea_orm::DbErr> for TransferError {
    fn from(err: sea_orm::DbErr) -> Self {
        Self::Internal(err.into())
    }
}

impl DomainError for TransferError {
    fn code(&self) -> ErrorCode {
        match self {
            Self::NotFound => ErrorCode::NotFound,
            Self::Internal(_) => ErrorCode::Internal,
        }
    }
}
