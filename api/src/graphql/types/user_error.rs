use async_graphql::{Enum, SimpleObject};
use moneta_core::error as core;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
pub enum UserErrorCode {
    Invalid,
    Taken,
    InvalidCredentials,
    InstitutionLoginFailed,
    UnknownInstitution,
}

impl From<core::UserErrorCode> for UserErrorCode {
    fn from(code: core::UserErrorCode) -> Self {
        match code {
            core::UserErrorCode::Invalid => Self::Invalid,
            core::UserErrorCode::Taken => Self::Taken,
            core::UserErrorCode::InvalidCredentials => Self::InvalidCredentials,
            core::UserErrorCode::InstitutionLoginFailed => Self::InstitutionLoginFailed,
            core::UserErrorCode::UnknownInstitution => Self::UnknownInstitution,
        }
    }
}

/// An expected business failure of a mutation.
#[derive(Debug, Clone, SimpleObject)]
pub struct UserError {
    /// Path to the input field at fault, e.g. `["input", "email"]`.
    pub field: Option<Vec<String>>,
    pub message: String,
    pub code: UserErrorCode,
}

impl From<core::UserError> for UserError {
    fn from(e: core::UserError) -> Self {
        Self {
            field: e.field,
            message: e.message,
            code: e.code.into(),
        }
    }
}
