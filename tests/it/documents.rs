//! Persisted and trusted documents, and GraphQL over GET: a client names
//! a registered document by id (`documentId`, APQ's hash), `enforce` runs
//! only the client operations, and a GET runs queries only.

use moneta_api::graphql::{client_documents, document_id};
use moneta_platform::config::{Role, TrustedDocuments};
use secrecy::SecretString;
use serde_json::{Value, json};

use crate::harness::app::Options;
use crate::harness::{TestApp, uncosted};

const OPERATOR_TOKEN: &str = "operator-token-for-tests-0123456789abcdef";

async fn app(trust: TrustedDocuments) -> TestApp {
    TestApp::spawn_with(Options {
        tweak: Some(Box::new(move |s| {
            s.edge.trusted_documents = Some(trust);
            s.edge.operator_token = Some(SecretString::from(OPERATOR_TOKEN));
        })),
        ..Default::default()
    })
    .await
}

/// The registered client document named `name`: (id, text).
fn client(name: &str) -> (String, String) {
    client_documents()
        .into_iter()
        .find(|(operation, _, _)| operation == name)
        .map(|(_, id, text)| (id, text))
        .unwrap_or_else(|| panic!("no client operation {name}"))
}

async fn post(app: &TestApp, token: Option<&str>, body: Value, operator: bool) -> Value {
    let mut request = app
        .http
        .post(format!("{}/graphql", app.base))
        .header("accept", "application/json")
        .json(&body);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    if operator {
        request = request.header("x-moneta-operator-token", OPERATOR_TOKEN);
    }
    let response = request.send().await.expect("server answers");
    response.json().await.expect("JSON body")
}

fn code(body: &Value) -> &str {
    body["errors"][0]["extensions"]["code"]
        .as_str()
        .unwrap_or_else(|| panic!("no error code: {body}"))
}

fn month() -> String {
    chrono::Utc::now().format("%Y-%m").to_string()
}

#[tokio::test]
async fn enforce_runs_only_the_client_operations_unless_the_operator_asks() {
    let app = app(TrustedDocuments::Enforce).await;
    let refused = post(&app, None, json!({ "query": "{ __typename }" }), false).await;
    assert_eq!(code(&refused), "UNTRUSTED_DOCUMENT", "{refused}");
    assert!(refused.get("data").is_none_or(Value::is_null), "{refused}");

    // An unknown id is refused the same way; no APQ registration either.
    let text = "{ me { id } }";
    let apq = json!({ "persistedQuery": { "version": 1, "sha256Hash": document_id(text) } });
    let register = post(
        &app,
        None,
        json!({ "query": text, "extensions": apq }),
        false,
    )
    .await;
    assert_eq!(code(&register), "UNTRUSTED_DOCUMENT", "{register}");

    // A client operation runs by id, by APQ hash and by its exact text.
    let (id, dashboard) = client("Dashboard");
    let variables = json!({ "month": month() });
    let by_id = post(
        &app,
        None,
        json!({ "documentId": format!("sha256:{id}"), "variables": variables }),
        false,
    )
    .await;
    assert_eq!(by_id["data"]["me"], Value::Null, "{by_id}");
    assert_eq!(code(&by_id), "UNAUTHENTICATED", "the document ran: {by_id}");
    let by_hash = post(
        &app,
        None,
        json!({
            "extensions": { "persistedQuery": { "version": 1, "sha256Hash": id } },
            "variables": variables,
        }),
        false,
    )
    .await;
    assert_eq!(uncosted(by_hash), uncosted(by_id.clone()));
    let by_text = post(
        &app,
        None,
        json!({ "query": dashboard, "variables": variables }),
        false,
    )
    .await;
    assert_eq!(uncosted(by_text), uncosted(by_id));

    // The operator token lifts the policy.
    let operator = post(&app, None, json!({ "query": "{ __typename }" }), true).await;
    assert_eq!(
        uncosted(operator),
        json!({ "data": { "__typename": "Query" } })
    );

    // A signed-in client's session works through ids alone.
    let (register_id, _) = client("Register");
    let signed_up = post(
        &app,
        None,
        json!({
            "documentId": format!("sha256:{register_id}"),
            "variables": { "input": { "email": "docs@example.com", "password": "correct horse battery" } },
        }),
        false,
    )
    .await;
    let token = signed_up["data"]["register"]["accessToken"]
        .as_str()
        .unwrap_or_else(|| panic!("signed up: {signed_up}"));
    let dash = post(
        &app,
        Some(token),
        json!({ "documentId": format!("sha256:{id}"), "variables": variables }),
        false,
    )
    .await;
    assert_eq!(dash["data"]["me"]["email"], "docs@example.com", "{dash}");
    assert!(dash.get("errors").is_none(), "{dash}");
}

#[tokio::test]
async fn apq_registers_a_document_once_for_every_replica() {
    let app = app(TrustedDocuments::Allow).await;
    let text = "query Me { me { id } }";
    let id = document_id(text);
    let hash = json!({ "persistedQuery": { "version": 1, "sha256Hash": id } });

    let miss = post(&app, None, json!({ "extensions": hash }), false).await;
    assert_eq!(code(&miss), "PERSISTED_QUERY_NOT_FOUND", "{miss}");
    assert_eq!(miss["errors"][0]["message"], "PersistedQueryNotFound");

    // A hash that is not the text's is refused, and registers nothing.
    let wrong = json!({ "persistedQuery": { "version": 1, "sha256Hash": document_id("{ a }") } });
    let mismatch = post(
        &app,
        None,
        json!({ "query": text, "extensions": wrong }),
        false,
    )
    .await;
    assert_eq!(code(&mismatch), "BAD_USER_INPUT", "{mismatch}");
    let still_unknown = post(&app, None, json!({ "extensions": wrong }), false).await;
    assert_eq!(code(&still_unknown), "PERSISTED_QUERY_NOT_FOUND");

    let registered = post(
        &app,
        None,
        json!({ "query": text, "extensions": hash }),
        false,
    )
    .await;
    assert_eq!(uncosted(registered), json!({ "data": { "me": null } }));
    let hit = post(&app, None, json!({ "extensions": hash }), false).await;
    assert_eq!(uncosted(hit), json!({ "data": { "me": null } }));

    // Registrations live in the shared store: with Redis, another replica
    // knows the document (the embedded default keeps them in process).
    if std::env::var("MONETA_TEST_REDIS_URL").is_ok_and(|u| !u.is_empty()) {
        let replica = app.replica(Role::Api, None).await;
        let elsewhere = post(&replica, None, json!({ "extensions": hash }), false).await;
        assert_eq!(uncosted(elsewhere), json!({ "data": { "me": null } }));
    }
}

#[tokio::test]
async fn off_refuses_ids_and_bad_ids_are_bad_input() {
    let app = app(TrustedDocuments::Off).await;
    let (id, _) = client("Dashboard");
    let refused = post(
        &app,
        None,
        json!({ "documentId": format!("sha256:{id}") }),
        false,
    )
    .await;
    assert_eq!(code(&refused), "PERSISTED_QUERY_NOT_SUPPORTED", "{refused}");

    let app = self::app(TrustedDocuments::Allow).await;
    for bad in [
        json!({ "documentId": id }),
        json!({ "documentId": "sha256:xyz" }),
        json!({ "documentId": 7 }),
        json!({ "extensions": { "persistedQuery": { "version": 1 } } }),
        json!({}),
    ] {
        let body = post(&app, None, bad.clone(), false).await;
        assert_eq!(code(&body), "BAD_USER_INPUT", "{bad}: {body}");
    }
    let up = post(&app, None, json!({ "query": "{ __typename }" }), false).await;
    assert_eq!(uncosted(up), json!({ "data": { "__typename": "Query" } }));
}

async fn get(app: &TestApp, query: &[(&str, &str)], accept: &str) -> reqwest::Response {
    app.http
        .get(format!("{}/graphql", app.base))
        .query(query)
        .header("accept", accept)
        .send()
        .await
        .expect("server answers")
}

#[tokio::test]
async fn a_get_runs_queries_as_json_and_never_a_mutation() {
    let app = app(TrustedDocuments::Enforce).await;
    let json_accept = "application/json";

    // By id, with JSON-encoded variables: JSON, not GraphiQL's page.
    let (id, _) = client("Dashboard");
    let document = format!("sha256:{id}");
    let variables = json!({ "month": month() }).to_string();
    let response = get(
        &app,
        &[("documentId", &document), ("variables", &variables)],
        json_accept,
    )
    .await;
    assert_eq!(response.status(), 200);
    let content_type = response.headers()["content-type"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        content_type.starts_with("application/json"),
        "{content_type}"
    );
    assert_eq!(response.headers()["vary"], "Accept, Authorization");
    let body: Value = response.json().await.unwrap();
    assert_eq!(code(&body), "UNAUTHENTICATED", "the query ran: {body}");

    // A registered mutation over GET is 405, whatever names it.
    let (refresh, refresh_text) = client("Refresh");
    let by_id = format!("sha256:{refresh}");
    for params in [
        vec![("documentId", by_id.as_str())],
        vec![("query", refresh_text.as_str())],
    ] {
        let response = get(&app, &params, json_accept).await;
        assert_eq!(response.status(), 405, "{params:?}");
        assert_eq!(response.headers()["allow"], "POST");
    }

    // Text queries over GET in allow mode; a browser gets GraphiQL (dev).
    let app = self::app(TrustedDocuments::Allow).await;
    let response = get(&app, &[("query", "{ __typename }")], json_accept).await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["cache-control"], "public, max-age=60");
    let body: Value = response.json().await.unwrap();
    assert_eq!(uncosted(body), json!({ "data": { "__typename": "Query" } }));

    // A signed-in answer is never kept by a shared cache.
    let (token, _, _) = app.signed_up().await;
    let response = app
        .http
        .get(format!("{}/graphql", app.base))
        .query(&[("documentId", &document), ("variables", &variables)])
        .header("accept", json_accept)
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["cache-control"], "private, no-store");
    let body: Value = response.json().await.unwrap();
    assert!(body["data"]["me"]["email"].is_string(), "{body}");

    let response = get(&app, &[("query", "{ __typename }")], "text/html, */*").await;
    let body: Value = response
        .json()
        .await
        .expect("a query asks for data, not a page");
    assert_eq!(body["data"]["__typename"], "Query");
    let page = get(&app, &[], "text/html").await;
    assert_eq!(page.status(), 200);
    assert!(page.text().await.unwrap().contains("graphiql"));
    let bad = get(
        &app,
        &[("query", "{ __typename }"), ("variables", "{not json")],
        json_accept,
    )
    .await;
    let body: Value = bad.json().await.unwrap();
    assert_eq!(code(&body), "BAD_USER_INPUT", "{body}");
}
