//! The one mapping point from `core` errors to GraphQL errors.

use async_graphql::{Error, ErrorExtensions as _, ServerError};
use moneta_core::{DomainError, ErrorCode};

use crate::graphql::limits::is_limit_error;
use crate::graphql::types::UserError;

/// A top-level GraphQL error with `extensions.code`. Internal errors are
/// logged here, once, with their cause chain, and answered without detail.
pub fn gql_error(err: &(dyn DomainError + '_)) -> Error {
    let code = err.code();
    let message = if code == ErrorCode::Internal {
        tracing::error!(error = %cause_chain(err), "internal error");
        "internal error".to_owned()
    } else {
        err.to_string()
    };
    Error::new(message).extend_with(|_, ext| ext.set("code", code.as_str()))
}

/// The same error for a response that never reached a resolver (e.g. a
/// rejected access token).
pub fn server_error(err: &(dyn DomainError + '_)) -> ServerError {
    let gql = gql_error(err);
    let mut server = ServerError::new(gql.message, None);
    server.extensions = gql.extensions;
    server
}

/// A mutation's `userErrors` for an expected business failure; anything
/// else becomes a top-level error.
pub fn user_errors<E: DomainError>(err: E) -> Result<Vec<UserError>, Error> {
    match err.user_error() {
        Some(user_error) => Ok(vec![user_error.into()]),
        None => Err(gql_error(&err)),
    }
}

/// A plain error with a code, for failures the API itself detects.
pub fn coded(code: ErrorCode, message: &str) -> Error {
    Error::new(message).extend_with(|_, ext| ext.set("code", code.as_str()))
}

/// The same, for a request refused before the schema saw it.
pub fn coded_server_error(code: ErrorCode, message: &str) -> ServerError {
    let mut error = ServerError::new(message, None);
    let mut extensions = async_graphql::ErrorExtensionValues::default();
    extensions.set("code", code.as_str());
    error.extensions = Some(extensions);
    error
}

/// Codes the errors async-graphql raises itself, before or around
/// execution, which carry none of their own: a limit is
/// QUERY_TOO_COMPLEX, any other failure outside a resolver (validation,
/// variable coercion) BAD_USER_INPUT.
pub fn code_uncoded(errors: &mut [ServerError]) {
    for error in errors {
        let code = if is_limit_error(&error.message) {
            ErrorCode::QueryTooComplex
        } else if error.path.is_empty() && error.extensions.is_none() {
            ErrorCode::BadUserInput
        } else {
            continue;
        };
        let mut extensions = error.extensions.take().unwrap_or_default();
        extensions.set("code", code.as_str());
        error.extensions = Some(extensions);
    }
}

fn cause_chain(err: &(dyn std::error::Error + '_)) -> String {
    let mut chain = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        chain.push_str(": ");
        chain.push_str(&cause.to_string());
        source = cause.source();
    }
    chain
}
