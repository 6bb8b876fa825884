//! `/graphql` — GraphQL over HTTP — and GraphiQL.
//!
//! Follows the GraphQL-over-HTTP spec: a POST is `application/json` (a
//! `text/plain` or form POST is refused: no CSRF through simple
//! requests); a GET carries `query` or `documentId` (or APQ's
//! `extensions`), `operationName` and `variables` in its query string and
//! only ever runs a query (a mutation is 405); a GET that asks for HTML
//! with no query at all is a browser opening GraphiQL (dev only). The
//! answer is `application/graphql-response+json` when the client accepts
//! it — then a request that cannot be parsed or validated is a 400 with
//! no `data` — else `application/json` with 200.

use async_graphql::ParseRequestError;
use async_graphql::http::{GraphiQLSource, MultipartOptions};
use async_graphql::parser::types::OperationType;
use async_graphql::{Response as GqlResponse, ServerError};
use futures_util::TryStreamExt as _;
use moneta_core::ErrorCode;
use poem::http::{HeaderMap, StatusCode, header};
use poem::web::{Data, Html, Query, RemoteAddr};
use poem::{Body, IntoResponse, Response, handler};
use serde::Deserialize;

use std::sync::Arc;
use std::time::Instant;

use moneta_core::auth::Identity;
use moneta_core::cache::Lookup;
use moneta_core::ports::Bucket;

use crate::error::{UNSERIALIZABLE_RESPONSE, coded_server_error, server_error};
use crate::graphql::admission::Naming;
use crate::graphql::limits::MAX_BODY_BYTES;
use crate::graphql::responses::{self, Stored, with_cost};
use crate::graphql::{Documents, MonetaSchema, Persisted, admission, caller, charge, cost_value};
use crate::http::bearer;
use crate::http::client_ip::{TrustedProxies, client_ip};
use crate::metrics::Metrics;
use crate::state::{ClientIp, Services};

/// The header that carries the operator token (`MONETA_OPERATOR_TOKEN`).
pub const OPERATOR_TOKEN_HEADER: &str = "x-moneta-operator-token";

/// What the GraphQL handlers serve with.
#[derive(Clone)]
pub struct Served {
    pub schema: MonetaSchema,
    pub documents: Documents,
    pub persisted: Persisted,
    pub services: Services,
    pub trusted_proxies: TrustedProxies,
    /// Whether GraphiQL is served (developer tools on).
    pub graphiql: bool,
    /// Each caller's cost bucket.
    pub cost_bucket: Bucket,
    pub metrics: Metrics,
}

const GRAPHQL_RESPONSE: &str = "application/graphql-response+json";
const JSON: &str = "application/json";
const MULTIPART: &str = "multipart/form-data";
const GRAPHQL_RESPONSE_UTF8: &str = "application/graphql-response+json; charset=utf-8";
const JSON_UTF8: &str = "application/json; charset=utf-8";

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
        Flavor::GraphqlResponse => GRAPHQL_RESPONSE_UTF8,
        Flavor::Json => JSON_UTF8,
    };
    Response::builder()
        .status(status)
        .content_type(content_type)
        .body(body)
}

/// A GraphQL document that cannot run (syntax, validation, limits): no
/// `data` at all; 400 with graphql-response+json, 200 with legacy JSON.
fn document_error(flavor: Flavor, error: ServerError) -> Response {
    let body = serde_json::json!({ "errors": [error] });
    respond(flavor, StatusCode::BAD_REQUEST, body.to_string())
}

fn respond(flavor: Flavor, status: StatusCode, body: String) -> Response {
    respond_bytes(flavor, status, body.into_bytes())
}

fn respond_bytes(flavor: Flavor, status: StatusCode, body: Vec<u8>) -> Response {
    let (content_type, status) = match flavor {
        Flavor::GraphqlResponse => (GRAPHQL_RESPONSE_UTF8, status),
        // The legacy media type answers GraphQL-level failures with 200;
        // HTTP-level ones (401, 413, 415) keep their status.
        Flavor::Json if status == StatusCode::BAD_REQUEST => (JSON_UTF8, StatusCode::OK),
        Flavor::Json => (JSON_UTF8, status),
    };
    Response::builder()
        .status(status)
        .content_type(content_type)
        .body(body)
}

/// `POST /graphql`: one GraphQL request.
#[handler]
pub async fn execute(
    Data(served): Data<&Arc<Served>>,
    headers: &HeaderMap,
    remote: &RemoteAddr,
    body: Body,
) -> Response {
    let Some(flavor) = flavor(headers) else {
        return StatusCode::NOT_ACCEPTABLE.into_response();
    };
    let upload_limit = served.services.imports.max_bytes;
    let (request, document_id) = match read_request(flavor, headers, body, upload_limit).await {
        Ok(read) => read,
        Err(refused) => return refused,
    };
    run(
        served,
        flavor,
        headers,
        remote,
        request,
        document_id.as_deref(),
        false,
    )
    .await
}

/// A GET's query string (GraphQL over HTTP: `variables` and `extensions`
/// are JSON-encoded).
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GetParams {
    query: Option<String>,
    operation_name: Option<String>,
    variables: Option<String>,
    extensions: Option<String>,
    document_id: Option<String>,
}

/// `GET /graphql`: a query (never a mutation), or GraphiQL for a browser.
/// An anonymous success may be kept by a shared cache (a CDN) for a
/// minute; a signed-in answer never (`Vary: Authorization`).
#[handler]
pub async fn execute_get(
    Data(served): Data<&Arc<Served>>,
    headers: &HeaderMap,
    remote: &RemoteAddr,
    params: poem::Result<Query<GetParams>>,
) -> Response {
    let params = params.map(|Query(params)| params);
    let asks_nothing = params
        .as_ref()
        .is_ok_and(|p| p.query.is_none() && p.document_id.is_none() && p.extensions.is_none());
    if served.graphiql && asks_nothing && accepts_html(headers) {
        return graphiql_page().into_response();
    }
    let Some(flavor) = flavor(headers) else {
        return StatusCode::NOT_ACCEPTABLE.into_response();
    };
    let read = params.map_err(|_| ()).and_then(from_params);
    let (request, document_id) = match read {
        Ok(read) => read,
        Err(()) => {
            return request_error(
                flavor,
                StatusCode::BAD_REQUEST,
                coded_server_error(
                    ErrorCode::BadUserInput,
                    "a GET carries query or documentId, and JSON-encoded variables and extensions",
                ),
            );
        }
    };
    let mut response = run(
        served,
        flavor,
        headers,
        remote,
        request,
        document_id.as_deref(),
        true,
    )
    .await;
    let signed_in = headers.contains_key(header::AUTHORIZATION);
    let cache_control = if signed_in || !response.status().is_success() {
        // A user's answer is theirs alone: never kept by a shared cache.
        "private, no-store"
    } else {
        "public, max-age=60"
    };
    let response_headers = response.headers_mut();
    response_headers.insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static(cache_control),
    );
    response_headers.insert(
        header::VARY,
        header::HeaderValue::from_static("Accept, Authorization"),
    );
    response
}

/// The GraphQL request a GET's parameters make.
fn from_params(params: GetParams) -> Result<(async_graphql::Request, Option<String>), ()> {
    let mut request = async_graphql::Request::new(params.query.unwrap_or_default());
    request.operation_name = params.operation_name;
    if let Some(variables) = params.variables {
        request.variables = serde_json::from_str(&variables).map_err(|_| ())?;
    }
    if let Some(extensions) = params.extensions {
        request.extensions = serde_json::from_str(&extensions).map_err(|_| ())?;
    }
    Ok((request, params.document_id))
}

fn accepts_html(headers: &HeaderMap) -> bool {
    headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|accept| {
            accept
                .split(',')
                .any(|part| part.split(';').next().unwrap_or("").trim() == "text/html")
        })
}

/// Runs one request whatever its transport. No `Authorization` header:
/// anonymous; a header that is not a valid `Bearer` access token fails
/// the request with `UNAUTHENTICATED` before any resolver runs.
async fn run(
    served: &Served,
    flavor: Flavor,
    headers: &HeaderMap,
    remote: &RemoteAddr,
    request: async_graphql::Request,
    document_id: Option<&str>,
    over_get: bool,
) -> Response {
    let operator = served.persisted.is_operator(
        headers
            .get(OPERATOR_TOKEN_HEADER)
            .and_then(|v| v.to_str().ok()),
    );
    let naming = Naming {
        document_id,
        operator,
    };
    let admitted =
        match admission::admit_named(&served.documents, &served.persisted, request, naming).await {
            Ok(admitted) => admitted,
            Err(error) => return document_error(flavor, error),
        };
    if over_get && matches!(admitted.operation, Some(op) if op != OperationType::Query) {
        let body = serde_json::json!({ "errors": [coded_server_error(
            ErrorCode::BadUserInput,
            "only queries run over GET; send mutations with POST",
        )] });
        let mut response = respond(flavor, StatusCode::METHOD_NOT_ALLOWED, body.to_string());
        response
            .headers_mut()
            .insert(header::ALLOW, header::HeaderValue::from_static("POST"));
        return response;
    }
    let peer = remote.as_socket_addr().map(|a| a.ip());
    let ip = ClientIp(client_ip(peer, headers, &served.trusted_proxies));
    let mut identity = None;
    if let Some(value) = headers.get(header::AUTHORIZATION) {
        match bearer::authenticate(&served.services.auth, value.to_str().ok()).await {
            Ok(found) => {
                served.services.activity.touch_in_background(found.user_id);
                identity = Some(found);
            }
            Err(err) => {
                let response = GqlResponse::from_errors(vec![server_error(&err)]);
                return respond(flavor, StatusCode::UNAUTHORIZED, to_json(&response));
            }
        }
    }
    let mut slot = None;
    if let Some((identity, view)) = identity.zip(responses::view(&admitted)) {
        match served.services.cache.lookup(identity.user_id, view).await {
            Lookup::Hit(bytes) => {
                if let Some(stored) = Stored::decode(&bytes) {
                    return answer_stored(served, flavor, &identity, &stored).await;
                }
            }
            Lookup::Miss(missed) => slot = Some(missed),
            Lookup::Bypass => {}
        }
    }
    let mut request = admitted.into_request().data(ip);
    if let Some(identity) = identity {
        request = request.data(identity);
    }
    let mut response = served.schema.execute(request).await;
    if let Some(refused) = throttled_response(flavor, &response) {
        return refused;
    }
    if admission::settle(&mut response) {
        let body = serde_json::json!({ "errors": response.errors });
        return respond(flavor, StatusCode::BAD_REQUEST, body.to_string());
    }
    let Some(slot) = slot.filter(|_| response.errors.is_empty()) else {
        return respond(flavor, StatusCode::OK, to_json(&response));
    };
    // Stored without its extensions (the cost): a hit is told its own.
    let Some(cost) = response.extensions.remove("cost") else {
        return respond(flavor, StatusCode::OK, to_json(&response));
    };
    let body = to_json(&response);
    if let Some((requested, actual)) = responses::reported_cost(&cost) {
        slot.fill(&Stored::encode(requested, actual, body.as_bytes()))
            .await;
    }
    respond_bytes(flavor, StatusCode::OK, with_cost(body.as_bytes(), &cost))
}

/// A cached response, charged to its caller like the request it
/// answers (THROTTLED when it does not fit).
async fn answer_stored(
    served: &Served,
    flavor: Flavor,
    identity: &Identity,
    stored: &Stored<'_>,
) -> Response {
    let started = Instant::now();
    let key = caller(Some(identity), None).unwrap_or_default();
    let charged = charge(
        served.services.rate_limiter.as_ref(),
        &key,
        stored.requested,
        served.cost_bucket,
    )
    .await;
    let remaining = match charged {
        Ok(remaining) => remaining.unwrap_or(served.cost_bucket.capacity),
        Err(refused) => {
            let response = GqlResponse::from_errors(vec![refused]);
            return throttled_response(flavor, &response).unwrap_or_else(|| {
                respond(flavor, StatusCode::TOO_MANY_REQUESTS, to_json(&response))
            });
        }
    };
    let cost = cost_value(Some(stored.requested), Some(stored.actual), remaining);
    served
        .metrics
        .observe_operation("query", true, started.elapsed());
    respond_bytes(flavor, StatusCode::OK, with_cost(stored.body, &cost))
}

/// 429 with `Retry-After` for a request refused as THROTTLED.
fn throttled_response(flavor: Flavor, response: &GqlResponse) -> Option<Response> {
    let error = response.errors.iter().find(|error| {
        error
            .extensions
            .as_ref()
            .and_then(|ext| ext.get("code"))
            .is_some_and(|code| *code == async_graphql::Value::from(ErrorCode::Throttled.as_str()))
    })?;
    let retry_after = error
        .extensions
        .as_ref()
        .and_then(|ext| ext.get("retryAfter"))
        .map_or_else(|| "1".to_owned(), ToString::to_string);
    let body = serde_json::json!({ "errors": response.errors });
    let mut refused = respond(flavor, StatusCode::TOO_MANY_REQUESTS, body.to_string());
    if let Ok(value) = header::HeaderValue::from_str(&retry_after) {
        refused.headers_mut().insert(header::RETRY_AFTER, value);
    }
    Some(refused)
}

/// The one GraphQL request of a POST (and its `documentId`): JSON,
/// within the body limit, not a batch — or a file upload (`multipart`);
/// else the response refusing it.
async fn read_request(
    flavor: Flavor,
    headers: &HeaderMap,
    body: Body,
    upload_limit: u64,
) -> Result<(async_graphql::Request, Option<String>), Response> {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(str::trim)
        .unwrap_or("");
    if content_type.eq_ignore_ascii_case(MULTIPART) {
        return read_multipart(flavor, headers, body, upload_limit).await;
    }
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
    let not_json = || {
        request_error(
            flavor,
            StatusCode::BAD_REQUEST,
            coded_server_error(ErrorCode::BadUserInput, "the body is not JSON"),
        )
    };
    let shape = || {
        request_error(
            flavor,
            StatusCode::BAD_REQUEST,
            coded_server_error(
                ErrorCode::BadUserInput,
                "a request is {\"query\" or \"documentId\": String, \"variables\"?: Object, \"operationName\"?: String, \"extensions\"?: Object}",
            ),
        )
    };
    if bytes.trim_ascii_start().starts_with(b"[") {
        return Err(match serde_json::from_slice::<serde_json::Value>(&bytes) {
            Ok(_) => request_error(
                flavor,
                StatusCode::BAD_REQUEST,
                coded_server_error(
                    ErrorCode::QueryTooComplex,
                    "batched requests are not accepted",
                ),
            ),
            Err(_) => not_json(),
        });
    }
    // Straight into the request (no JSON tree in between); the id is read
    // in a second pass that skips everything else.
    let request = serde_json::from_slice::<async_graphql::Request>(&bytes)
        .map_err(|error| if error.is_data() { shape() } else { not_json() })?;
    let named = serde_json::from_slice::<DocumentIdOnly>(&bytes).map_err(|_| shape())?;
    Ok((request, named.document_id))
}

/// A POST body's `documentId` (string or null), everything else skipped.
#[derive(Deserialize)]
struct DocumentIdOnly {
    #[serde(rename = "documentId", default)]
    document_id: Option<String>,
}

/// A GraphQL multipart request (the graphql-multipart-request spec): one
/// operation and its file, the file at most `upload_limit` bytes. A form
/// POST is a CORS "simple request", so it must carry `Authorization`
/// (which no cross-site form can send): uploads are for signed-in users.
async fn read_multipart(
    flavor: Flavor,
    headers: &HeaderMap,
    body: Body,
    upload_limit: u64,
) -> Result<(async_graphql::Request, Option<String>), Response> {
    let refuse = |status, code, message: &str| {
        request_error(flavor, status, coded_server_error(code, message))
    };
    if !headers.contains_key(header::AUTHORIZATION) {
        return Err(refuse(
            StatusCode::UNAUTHORIZED,
            ErrorCode::Unauthenticated,
            "a file upload must carry Authorization",
        ));
    }
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok());
    // Room for the `operations` and `map` parts beside the file; a file
    // just over the limit is refused by the import itself.
    let per_part = usize::try_from(upload_limit + MAX_BODY_BYTES as u64).unwrap_or(usize::MAX);
    let options = MultipartOptions::default()
        .max_file_size(per_part)
        .max_num_files(1);
    let body = body.into_bytes_stream().into_async_read();
    Err(
        match async_graphql::http::receive_batch_body(content_type, body, options).await {
            Ok(async_graphql::BatchRequest::Single(request)) => return Ok((request, None)),
            Ok(async_graphql::BatchRequest::Batch(_)) => refuse(
                StatusCode::BAD_REQUEST,
                ErrorCode::QueryTooComplex,
                "batched requests are not accepted",
            ),
            Err(ParseRequestError::PayloadTooLarge) => refuse(
                StatusCode::PAYLOAD_TOO_LARGE,
                ErrorCode::FileTooLarge,
                &format!(
                    "the file is larger than the {} MB an import may be",
                    upload_limit.div_ceil(1024 * 1024)
                ),
            ),
            Err(error) => refuse(
                StatusCode::BAD_REQUEST,
                ErrorCode::BadUserInput,
                &format!("not a GraphQL multipart request: {error}"),
            ),
        },
    )
}

fn to_json(response: &GqlResponse) -> String {
    serde_json::to_string(response).unwrap_or_else(|_| UNSERIALIZABLE_RESPONSE.to_owned())
}

/// GraphiQL's page.
fn graphiql_page() -> Html<String> {
    Html(
        GraphiQLSource::build()
            .endpoint("/graphql")
            .subscription_endpoint("/graphql/ws")
            .finish(),
    )
}
