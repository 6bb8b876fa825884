//! What every transport does with a GraphQL request around the schema, so
//! that HTTP and the WebSocket hold to one set of limits and answer with
//! the same codes: the document is parsed once (cached) and its aliases,
//! nesting and directives checked before anything runs; afterwards,
//! errors async-graphql raised itself get their code.

use async_graphql::{Request, Response, ServerError};
use moneta_core::ErrorCode;

use super::Documents;
use crate::error::{code_uncoded, coded_server_error, is_request_error};

/// `request` with its document parsed, or the error that refuses it
/// (BAD_USER_INPUT for a syntax error, QUERY_TOO_COMPLEX for too many
/// aliases, too deep a nesting or too many directives). Depth and
/// complexity are measured by the schema's validation and checked by
/// `graphql::validation`.
pub fn admit(documents: &Documents, mut request: Request) -> Result<Request, ServerError> {
    let parsed = documents
        .parse(&request.query)
        .map_err(|error| coded_server_error(ErrorCode::BadUserInput, &error.to_string()))?;
    if let Some(reason) = parsed.refusal {
        return Err(coded_server_error(ErrorCode::QueryTooComplex, reason));
    }
    request.set_parsed_query(parsed.document.clone());
    Ok(request)
}

/// Codes what needs a code, and says whether the request was refused as
/// a whole (validation, limits, a variable that is not of its type): then
/// there is no `data` and every error is a request error.
pub fn settle(response: &mut Response) -> bool {
    let refused = response.data == async_graphql::Value::Null
        && !response.errors.is_empty()
        && response.errors.iter().all(is_request_error);
    code_uncoded(&mut response.errors);
    refused
}
