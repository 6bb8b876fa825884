use async_graphql::{Enum, SimpleObject};
use moneta_core::error as core;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[graphql(remote = "core::UserErrorCode")]
pub enum UserErrorCode {
    Invalid,
    Taken,
    InvalidCredentials,
    InstitutionLoginFailed,
    UnknownInstitution,
    /// The user has as many linked accounts as a user may.
    TooManyAccounts,
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
