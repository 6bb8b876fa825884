//! What every transport does with a GraphQL request around the schema, so
//! that HTTP and the WebSocket hold to one set of limits and answer with
//! the same codes: the document is found (text, or id under the trust
//! policy: `graphql::persisted`), parsed once (cached) and its aliases,
//! nesting and directives checked before anything runs; afterwards,
//! errors async-graphql raised itself get their code.

use async_graphql::Positioned;
use async_graphql::parser::types::{
    DocumentOperations, ExecutableDocument, OperationDefinition, OperationType,
};
use async_graphql::{Request, Response, ServerError};
use moneta_core::ErrorCode;

use super::Documents;
use super::persisted::{Named, Persisted};
use super::validation::ValidationKey;
use crate::error::{code_uncoded, coded_server_error, is_request_error};

/// A request let in, and the type of the operation it runs (`None` when
/// the document does not say which: the schema then refuses it). Its
/// parsed document is attached only when it runs ([`Admitted::into_request`]):
/// a read answered from the response cache never copies it.
pub struct Admitted {
    request: Request,
    pub operation: Option<OperationType>,
    /// What its validation is kept under: the parsed document, the
    /// operation's name and the variables' JSON (also in `request`'s data).
    pub key: ValidationKey,
    /// Its id, when the request named it by id (a registered document:
    /// only those have their responses cached).
    pub document_id: Option<String>,
}

impl Admitted {
    /// The request as sent (its variables, its operation name).
    pub fn request(&self) -> &Request {
        &self.request
    }

    /// The request to execute: its parsed document attached, its
    /// validation key in its data.
    pub fn into_request(self) -> Request {
        let mut request = self.request;
        request.set_parsed_query(self.key.document().document.clone());
        request.data(self.key)
    }
}

/// How a request names its document besides its `query`.
#[derive(Debug, Default, Clone, Copy)]
pub struct Naming<'a> {
    /// The GraphQL-over-HTTP draft's `documentId`.
    pub document_id: Option<&'a str>,
    /// Whether the request carries the operator token.
    pub operator: bool,
}

/// `request`'s document found under the trust policy, then admitted
/// (`admit`).
pub async fn admit_named(
    documents: &Documents,
    persisted: &Persisted,
    mut request: Request,
    naming: Naming<'_>,
) -> Result<Admitted, ServerError> {
    let named = Named::from_request(
        std::mem::take(&mut request.query),
        naming.document_id,
        &request.extensions,
    )?;
    let document_id = named.id.clone();
    let text = persisted.resolve(named, naming.operator).await?;
    request.query = String::from(&*text);
    let mut admitted = admit(documents, request)?;
    admitted.document_id = document_id;
    Ok(admitted)
}

/// The operation `name` selects in `document` (without a name: the only
/// one).
pub fn operation<'a>(
    document: &'a ExecutableDocument,
    name: Option<&str>,
) -> Option<&'a Positioned<OperationDefinition>> {
    match (&document.operations, name) {
        (DocumentOperations::Single(op), _) => Some(op),
        (DocumentOperations::Multiple(ops), Some(name)) => ops.get(name),
        (DocumentOperations::Multiple(ops), None) if ops.len() == 1 => ops.values().next(),
        (DocumentOperations::Multiple(_), _) => None,
    }
}

/// `request` with its document parsed, or the error that refuses it
/// (BAD_USER_INPUT for a syntax error, QUERY_TOO_COMPLEX for too many
/// aliases, too deep a nesting or too many directives). Depth and
/// complexity are measured by the schema's validation and checked by
/// `graphql::validation`.
fn admit(documents: &Documents, request: Request) -> Result<Admitted, ServerError> {
    let parsed = documents
        .parse(&request.query)
        .map_err(|error| coded_server_error(ErrorCode::BadUserInput, &error.to_string()))?;
    if let Some(reason) = parsed.refusal {
        return Err(coded_server_error(ErrorCode::QueryTooComplex, reason));
    }
    let operation =
        operation(&parsed.document, request.operation_name.as_deref()).map(|op| op.node.ty);
    let key = ValidationKey::new(
        &parsed,
        request.operation_name.as_deref(),
        &request.variables,
    );
    Ok(Admitted {
        request,
        operation,
        key,
        document_id: None,
    })
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
