//! `POST /graphql` — GraphQL over HTTP — and GraphiQL.
//!
//! Follows the GraphQL-over-HTTP spec: requests are `application/json`
//! POSTs (a `text/plain` or form POST is refused: no CSRF through simple
//! requests; no queries over GET, so no mutations over GET); the answer is
//! `application/graphql-response+json` when the client accepts it — then a
//! request that cannot be parsed or validated is a 400 with no `data` —
//! else `application/json` with 200.

use async_graphql::http::GraphiQLSource;
use async_graphql::{Response as GqlResponse, ServerError};
use moneta_core::ErrorCode;
use poem::http::{HeaderMap, StatusCode, header};
use poem::web::{Data, Html, RemoteAddr};
use poem::{Body, IntoResponse, Response, handler};

use crate::error::{UNSERIALIZABLE_RESPONSE, coded_server_error, server_error};
use crate::graphql::limits::MAX_BODY_BYTES;
use crate::graphql::{Documents, MonetaSchema, admission};
use crate::http::bearer;
use crate::http::client_ip::{TrustedProxies, client_ip};
use crate::state::{ClientIp, Services};

const GRAPHQL_RESPONSE: &str = "application/graphql-response+json";
const JSON: &str = "application/json";

/// How the client wants the answer.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Flavor {
    /// `application/graphql-response+json`: status codes carry meaning.
    GraphqlResponse,
    /// Legacy `application/json`: always 200.
    Json,
}

fn flavor(headers: &HeaderMap) -> Option<Flavor> {
    let accept = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("*/*");
    let accepts = |media: &str| {
        accept
            .split(',')
            .map(|part| part.split(';').next().unwrap_or("").trim())
            .any(|m| m == media)
    };
    if accepts(GRAPHQL_RESPONSE) {
        Some(Flavor::GraphqlResponse)
    } else if accepts(JSON) || accepts("*/*") || accepts("application/*") {
        Some(Flavor::Json)
    } else {
        None
    }
}

/// A request that is not a GraphQL request at all (not JSON, wrong shape,
/// too large): its 4xx status stands whatever the media type.
fn request_error(flavor: Flavor, status: StatusCode, error: ServerError) -> Response {
    let body = serde_json::json!({ "errors": [error] }).to_string();
    let content_type = match flavor {
        Flavor::GraphqlResponse => GRAPHQL_RESPONSE,
        Flavor::Json => JSON,
    };
    Response::builder()
        .status(status)
        .content_type(format!("{content_type}; charset=utf-8"))
        .body(body)
}

/// A GraphQL document that cannot run (syntax, validation, limits): no
/// `data` at all; 400 with graphql-response+json, 200 with legacy JSON.
fn document_error(flavor: Flavor, error: ServerError) -> Response {
    let body = serde_json::json!({ "errors": [error] });
    respond(flavor, StatusCode::BAD_REQUEST, body.to_string())
}

fn respond(flavor: Flavor, status: StatusCode, body: String) -> Response {
    let (content_type, status) = match flavor {
        Flavor::GraphqlResponse => (GRAPHQL_RESPONSE, status),
        // The legacy media type answers GraphQL-level failures with 200;
        // HTTP-level ones (401, 413, 415) keep their status.
        Flavor::Json if status == StatusCode::BAD_REQUEST => (JSON, StatusCode::OK),
        Flavor::Json => (JSON, status),
    };
    Response::builder()
        .status(status)
        .content_type(format!("{content_type}; charset=utf-8"))
        .body(body)
}

/// Executes one GraphQL request. No `Authorization` header: anonymous; a
/// header that is not a valid `Bearer` access token fails the request with
/// `UNAUTHENTICATED` before any resolver runs.
#[handler]
pub async fn execute(
    Data(schema): Data<&MonetaSchema>,
    Data(documents): Data<&Documents>,
    Data(services): Data<&Services>,
    Data(trusted_proxies): Data<&TrustedProxies>,
    headers: &HeaderMap,
    remote: &RemoteAddr,
    body: Body,
) -> Response {
    let Some(flavor) = flavor(headers) else {
        return StatusCode::NOT_ACCEPTABLE.into_response();
    };
    let request = match read_request(flavor, headers, body).await {
        Ok(request) => request,
        Err(refused) => return refused,
    };
    let mut request = match admission::admit(documents, request) {
        Ok(request) => request,
        Err(error) => return document_error(flavor, error),
    };
    let peer = remote.as_socket_addr().map(|a| a.ip());
    request = request.data(ClientIp(client_ip(peer, headers, trusted_proxies)));
    if let Some(value) = headers.get(header::AUTHORIZATION) {
        let identity = bearer::authenticate(&services.auth, value.to_str().ok()).await;
        match identity {
            Ok(identity) => {
                services.activity.touch_in_background(identity.user_id);
                request = request.data(identity);
            }
            Err(err) => {
                let response = GqlResponse::from_errors(vec![server_error(&err)]);
                return respond(flavor, StatusCode::UNAUTHORIZED, to_json(&response));
            }
        }
    }

    let mut response = schema.execute(request).await;
    if admission::settle(&mut response) {
        let body = serde_json::json!({ "errors": response.errors });
        return respond(flavor, StatusCode::BAD_REQUEST, body.to_string());
    }
    respond(flavor, StatusCode::OK, to_json(&response))
}

/// The one GraphQL request of a POST: JSON, within the body limit, not a
/// batch; else the response refusing it.
async fn read_request(
    flavor: Flavor,
    headers: &HeaderMap,
    body: Body,
) -> Result<async_graphql::Request, Response> {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(str::trim)
        .unwrap_or("");
    if !content_type.eq_ignore_ascii_case(JSON) {
        return Err(request_error(
            flavor,
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            coded_server_error(ErrorCode::BadUserInput, "requests must be application/json"),
        ));
    }
    let bytes = match body.into_bytes_limit(MAX_BODY_BYTES).await {
        Ok(bytes) => bytes,
        Err(_) => {
            return Err(request_error(
                flavor,
                StatusCode::PAYLOAD_TOO_LARGE,
                coded_server_error(ErrorCode::QueryTooComplex, "request body too large"),
            ));
        }
    };
    let value: serde_json::Value = match serde_json::from_slice(&bytes) {
        Ok(value) => value,
        Err(_) => {
            return Err(request_error(
                flavor,
                StatusCode::BAD_REQUEST,
                coded_server_error(ErrorCode::BadUserInput, "the body is not JSON"),
            ));
        }
    };
    if value.is_array() {
        return Err(request_error(
            flavor,
            StatusCode::BAD_REQUEST,
            coded_server_error(
                ErrorCode::QueryTooComplex,
                "batched requests are not accepted",
            ),
        ));
    }
    serde_json::from_value(value).map_err(|_| {
        request_error(
            flavor,
            StatusCode::BAD_REQUEST,
            coded_server_error(
                ErrorCode::BadUserInput,
                "a request is {\"query\": String, \"variables\"?: Object, \"operationName\"?: String}",
            ),
        )
    })
}

fn to_json(response: &GqlResponse) -> String {
    serde_json::to_string(response).unwrap_or_else(|_| UNSERIALIZABLE_RESPONSE.to_owned())
}

#[handler]
pub fn graphiql() -> Html<String> {
    Html(
        GraphiQLSource::build()
            .endpoint("/graphql")
            .subscription_endpoint("/graphql/ws")
            .finish(),
    )
}
