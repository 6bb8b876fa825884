//! The one mapping point from `core` errors to GraphQL errors.

use async_graphql::{Error, ErrorExtensions as _, ServerError};
use moneta_core::{DomainError, ErrorCode};

use crate::graphql::types::UserError;

/// A top-level GraphQL error with `extensions.code`. Internal errors are
/// logged here, once, with their cause chain, and answered without detail;
/// an UNAVAILABLE one is answered with its own message (what to do) and
/// its cause (which dependency, how) logged as a warning.
pub fn gql_error(err: &(dyn DomainError + '_)) -> Error {
    let code = err.code();
    let message = match code {
        ErrorCode::Internal => {
            tracing::error!(error = %cause_chain(err), "internal error");
            "internal error".to_owned()
        }
        ErrorCode::Unavailable => {
            tracing::warn!(error = %cause_chain(err), "a dependency is unavailable");
            err.to_string()
        }
        _ => err.to_string(),
    };
    Error::new(message).extend_with(|_, ext| ext.set("code", code.as_str()))
}

/// `result.or_gql()?` in a resolver: a core failure through [`gql_error`].
pub trait OrGql<T> {
    fn or_gql(self) -> Result<T, Error>;
}

impl<T, E: DomainError> OrGql<T> for Result<T, E> {
    fn or_gql(self) -> Result<T, Error> {
        self.map_err(|e| gql_error(&e))
    }
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

/// Gives a code to every error that reached a response without one
/// (HTTP and socket alike). One that carries a source is a resolver's `?`
/// on a failure that is not core's: INTERNAL, logged. One without is
/// async-graphql's own about the request — a document that does not
/// parse, or an argument whose value is not of its type at execution (a
/// custom scalar's parse failure: `"NaN"` as a `Decimal`, `"2026-13"` as a
/// `Month`; a value of the wrong JSON type; these carry the field's path):
/// BAD_USER_INPUT. (Validation failures and the limits are coded where
/// they are found: `graphql::validation`, `graphql::limits`.)
pub fn code_uncoded(errors: &mut [ServerError]) {
    for error in errors {
        if has_code(error) {
            continue;
        }
        let code = if error.source.is_some() {
            tracing::error!(message = %error.message, "a resolver failed without a code");
            ErrorCode::Internal
        } else {
            ErrorCode::BadUserInput
        };
        set_code(error, code);
    }
}

/// Whether `error` refuses the request itself (GraphQL over HTTP's
/// "request error"), judged before [`code_uncoded`]: it has no path (the
/// document failed to parse or validate, or a limit refused it), or
/// async-graphql raised it about an argument (no code, no source).
pub fn is_request_error(error: &ServerError) -> bool {
    error.path.is_empty() || (!has_code(error) && error.source.is_none())
}

fn has_code(error: &ServerError) -> bool {
    error
        .extensions
        .as_ref()
        .is_some_and(|ext| ext.get("code").is_some())
}

fn set_code(error: &mut ServerError, code: ErrorCode) {
    let mut extensions = error.extensions.take().unwrap_or_default();
    extensions.set("code", code.as_str());
    error.extensions = Some(extensions);
}

/// `error`, found invalid by the schema's validation, as BAD_USER_INPUT.
pub fn invalid_document(mut error: ServerError) -> ServerError {
    set_code(&mut error, ErrorCode::BadUserInput);
    error
}

/// A plain error with a code, for failures the API itself detects.
pub fn coded(code: ErrorCode, message: &str) -> Error {
    Error::new(message).extend_with(|_, ext| ext.set("code", code.as_str()))
}

/// The same, for a request refused before the schema saw it.
pub fn coded_server_error(code: ErrorCode, message: &str) -> ServerError {
    let mut error = ServerError::new(message, None);
    set_code(&mut error, code);
    error
}

/// The RATE_LIMITED error: retry after `retry_after`.
pub fn rate_limited(retry_after: std::time::Duration) -> Error {
    let seconds = retry_after.as_secs() + u64::from(retry_after.subsec_nanos() > 0);
    Error::new("too many attempts; retry later").extend_with(|_, ext| {
        ext.set("code", ErrorCode::RateLimited.as_str());
        ext.set("retryAfter", seconds.max(1));
    })
}

/// The THROTTLED error: the caller's cost bucket has no room for this
/// request until `retry_after`; `cost` says what is left.
pub fn throttled(retry_after: std::time::Duration, cost: async_graphql::Value) -> ServerError {
    let seconds = retry_after.as_secs() + u64::from(retry_after.subsec_nanos() > 0);
    let mut error = ServerError::new("the query cost budget is spent; retry later", None);
    let mut extensions = async_graphql::ErrorExtensionValues::default();
    extensions.set("code", ErrorCode::Throttled.as_str());
    extensions.set("retryAfter", seconds.max(1));
    extensions.set("cost", cost);
    error.extensions = Some(extensions);
    error
}

/// The response body when a response cannot be serialized (it cannot
/// happen for the values the schema produces; if it did, the client
/// still gets a coded error).
pub const UNSERIALIZABLE_RESPONSE: &str =
    r#"{"errors":[{"message":"internal error","extensions":{"code":"INTERNAL"}}]}"#;

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

#[cfg(test)]
mod tests {
    use moneta_core::accounts::AccountError;
    use moneta_core::error::InternalError;

    use super::*;

    fn code_and_message(err: &(dyn DomainError + '_)) -> (async_graphql::Value, String) {
        let error = gql_error(err);
        let extensions = error.extensions.expect("extensions");
        let code = extensions.get("code").expect("code").clone();
        (code, error.message)
    }

    #[test]
    fn a_sync_that_cannot_be_queued_is_unavailable_and_says_to_retry() {
        let err = AccountError::SyncUnavailable(InternalError::Queue("connection refused".into()));
        let (code, message) = code_and_message(&err);
        assert_eq!(code, async_graphql::Value::from("UNAVAILABLE"));
        assert_eq!(
            message,
            "syncing is unavailable right now; try again shortly"
        );
    }

    #[test]
    fn an_internal_error_says_nothing_of_its_cause() {
        let err = AccountError::Internal(InternalError::Queue("connection refused".into()));
        let (code, message) = code_and_message(&err);
        assert_eq!(code, async_graphql::Value::from("INTERNAL"));
        assert_eq!(message, "internal error");
    }

    #[test]
    fn an_uncoded_error_is_the_requests_fault_unless_it_has_a_source() {
        let at_field = |message: &str| {
            let mut error = ServerError::new(message, None);
            error.path = vec![async_graphql::PathSegment::Field("budget".into())];
            error
        };
        let own = at_field("Failed to parse \"Month\"");
        let mut foreign = at_field("disk full");
        foreign.source = Some(std::sync::Arc::new("disk full"));
        let mut resolver = at_field("no such account");
        set_code(&mut resolver, ErrorCode::NotFound);
        assert!(is_request_error(&own), "a value not of its type");
        assert!(!is_request_error(&foreign));
        assert!(!is_request_error(&resolver));
        let mut errors = [own, foreign];
        code_uncoded(&mut errors);
        let code = |e: &ServerError| e.extensions.as_ref().and_then(|x| x.get("code")).cloned();
        assert_eq!(
            code(&errors[0]),
            Some(async_graphql::Value::from("BAD_USER_INPUT"))
        );
        assert_eq!(
            code(&errors[1]),
            Some(async_graphql::Value::from("INTERNAL"))
        );
    }
}
