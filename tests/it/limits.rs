//! GraphQL over HTTP and the limits a public API needs: each hostile
//! request is refused with the right code, and the server answers the
//! next one.

use futures_util::StreamExt as _;
use moneta_api::{Limits, validation_schema};
use serde_json::{Value, json};

use crate::harness::TestApp;

const GRAPHQL_RESPONSE: &str = "application/graphql-response+json";

async fn post(
    app: &TestApp,
    accept: &str,
    content_type: &str,
    body: String,
) -> (u16, String, Value) {
    let response = app
        .http
        .post(format!("{}/graphql", app.base))
        .header("accept", accept)
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let media = response
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    let body = response.json().await.unwrap_or(Value::Null);
    (status, media, body)
}

async fn query(app: &TestApp, q: &str) -> (u16, Value) {
    let (status, _, body) = post(
        app,
        GRAPHQL_RESPONSE,
        "application/json",
        json!({ "query": q }).to_string(),
    )
    .await;
    (status, body)
}

async fn still_up(app: &TestApp) {
    let (status, body) = query(app, "{ __typename }").await;
    assert_eq!(
        (status, &crate::harness::uncosted(body)),
        (200, &json!({ "data": { "__typename": "Query" } }))
    );
}

#[tokio::test]
async fn speaks_graphql_response_json_with_meaningful_status_codes() {
    let app = TestApp::spawn().await;
    let (status, media, body) = post(
        &app,
        GRAPHQL_RESPONSE,
        "application/json",
        json!({ "query": "{ __typename }" }).to_string(),
    )
    .await;
    assert_eq!(status, 200);
    assert!(media.starts_with(GRAPHQL_RESPONSE), "{media}");
    assert_eq!(body["data"]["__typename"], "Query");

    for bad in [
        "{ me { id ",
        "{ noSuchField }",
        "query($x: Int!) { __typename }",
    ] {
        let (status, body) = query(&app, bad).await;
        assert_eq!(status, 400, "{bad}: {body}");
        assert!(
            body.get("data").is_none() || body["data"].is_null(),
            "{body}"
        );
        assert!(body["errors"][0]["message"].is_string());
    }
    // The legacy media type gets 200 with the same errors.
    let (status, media, body) = post(
        &app,
        "application/json",
        "application/json",
        json!({ "query": "{ noSuchField }" }).to_string(),
    )
    .await;
    assert_eq!(status, 200);
    assert!(media.starts_with("application/json"));
    assert!(body["errors"].is_array());
    still_up(&app).await;
}

#[tokio::test]
async fn refuses_text_plain_form_posts_and_get_queries() {
    let app = TestApp::spawn_with(crate::harness::app::Options {
        tweak: Some(Box::new(|s| {
            s.env = moneta_platform::config::Environment::Production;
            // Any document, so that the refusal tested is the method's.
            s.edge.trusted_documents = Some(moneta_platform::config::TrustedDocuments::Allow);
        })),
        ..Default::default()
    })
    .await;
    let body =
        json!({ "query": "mutation { logout(input: { refreshToken: \"x\" }) }" }).to_string();
    for content_type in ["text/plain", "application/x-www-form-urlencoded"] {
        let (status, _, _) = post(&app, GRAPHQL_RESPONSE, content_type, body.clone()).await;
        assert_eq!(status, 415, "{content_type}");
    }
    // A form can be multipart too: that is the file-upload path, and it
    // takes only requests that carry `Authorization` (no cross-site form
    // can).
    let (status, _, _) = post(
        &app,
        GRAPHQL_RESPONSE,
        "multipart/form-data; boundary=x",
        body.clone(),
    )
    .await;
    assert_eq!(status, 401);
    let get = app
        .http
        .get(format!(
            "{}/graphql?query=mutation%7Blogout(input%3A%7BrefreshToken%3A%22x%22%7D)%7D",
            app.base
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(get.status().as_u16(), 405);
    still_up(&app).await;
}

#[tokio::test]
async fn refuses_oversized_bodies_batches_and_garbage() {
    let app = TestApp::spawn().await;
    let huge =
        json!({ "query": format!("{{ __typename }} # {}", "x".repeat(100_000)) }).to_string();
    let (status, _, body) = post(&app, GRAPHQL_RESPONSE, "application/json", huge).await;
    assert_eq!(status, 413, "{body}");
    let batch = json!([{ "query": "{ __typename }" }, { "query": "{ __typename }" }]).to_string();
    let (status, _, body) = post(&app, GRAPHQL_RESPONSE, "application/json", batch).await;
    assert_eq!(status, 400);
    assert_eq!(body["errors"][0]["extensions"]["code"], "QUERY_TOO_COMPLEX");
    for garbage in ["not json", "{\"query\": 5}", "{}", "\u{0}"] {
        let (status, _, body) = post(
            &app,
            GRAPHQL_RESPONSE,
            "application/json",
            garbage.to_owned(),
        )
        .await;
        assert_eq!(status, 400, "{garbage}: {body}");
        assert_eq!(body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT");
    }
    still_up(&app).await;
}

/// Documents past each limit (depth, complexity, aliases), named.
pub fn too_complex() -> [(&'static str, String); 3] {
    let deep = format!(
        "{{ {}id{} }}",
        "accounts { transactions { edges { node { account { ".repeat(3),
        " } } } } }".repeat(3)
    );
    let complex = "{ transactions(first: 100) { edges { node { id account { transactions(first: 100) { edges { node { id seller } } } } } } } }";
    [
        ("too deep", deep),
        ("too complex", complex.to_owned()),
        ("31 aliases", aliased(31)),
    ]
}

/// A document of `n` aliased fields.
pub fn aliased(n: usize) -> String {
    let fields: Vec<String> = (0..n).map(|i| format!("a{i}: __typename")).collect();
    format!("{{ {} }}", fields.join(" "))
}

#[tokio::test]
async fn deep_complex_and_aliased_queries_are_too_complex() {
    let app = TestApp::spawn().await;
    let (token, _, _) = app.signed_up().await;
    for (_, hostile) in too_complex() {
        let hostile = hostile.as_str();
        let (status, _, body) = post(
            &app,
            GRAPHQL_RESPONSE,
            "application/json",
            json!({ "query": hostile }).to_string(),
        )
        .await;
        assert_eq!(status, 400, "{body}");
        assert_eq!(
            body["errors"][0]["extensions"]["code"], "QUERY_TOO_COMPLEX",
            "{hostile}: {body}"
        );
        // With a token too.
        let body = app.graphql_as(&token, hostile, json!({})).await;
        assert_eq!(body["errors"][0]["extensions"]["code"], "QUERY_TOO_COMPLEX");
    }
    // Thirty aliases are fine.
    let fine = aliased(30);
    assert_eq!(query(&app, &fine).await.0, 200);
    still_up(&app).await;
}

/// Sample variables for the client operations' inputs.
fn variables(operation: &str) -> Value {
    match operation {
        "Dashboard" => json!({ "month": "2026-11" }),
        "TransactionsPage" => {
            json!({ "first": 100, "filter": { "month": "2026-11", "category": "FOOD" } })
        }
        "AccountDetail" => json!({ "id": "QWNjb3VudDox", "first": 100 }),
        "SpendingReport" => json!({ "month": "2026-11", "previous": "2026-10" }),
        "Notifications" => json!({ "first": 100 }),
        "Register" | "Login" => {
            json!({ "input": { "email": "a@example.com", "password": "a long password" } })
        }
        "Refresh" => json!({ "input": { "refreshToken": "x" } }),
        "LinkAccount" => {
            json!({ "input": { "institution": "sandbox", "login": "user_good", "password": "pass_good" } })
        }
        "RefreshAccount" | "UnlinkAccount" => json!({ "input": { "accountId": "QWNjb3VudDox" } }),
        "Recategorize" => {
            json!({ "input": { "transactionId": "VHJhbnNhY3Rpb246MQ", "category": "FOOD" } })
        }
        "SetIncome" => json!({ "input": { "monthlyIncome": "5000.00" } }),
        "SetBudget" => json!({ "input": { "category": "FOOD", "amount": "400.00" } }),
        "ResetBudget" => json!({ "input": { "category": "FOOD" } }),
        "MarkRead" => json!({ "input": { "ids": ["Tm90aWZpY2F0aW9uOjE"] } }),
        _ => json!({}),
    }
}

/// The definitions of a document, by name: (name, kind, text).
fn definitions(document: &str) -> Vec<(String, String, String)> {
    let mut defs: Vec<(String, String, String)> = Vec::new();
    for line in document.lines() {
        let mut words = line.split_whitespace();
        let starts = !line.starts_with(' ') && !line.starts_with('\t');
        match (starts, words.next(), words.next()) {
            (
                true,
                Some(kind @ ("query" | "mutation" | "subscription" | "fragment")),
                Some(name),
            ) => {
                let name = name
                    .split('(')
                    .next()
                    .unwrap_or(name)
                    .trim_end_matches('{')
                    .to_owned();
                defs.push((name, kind.to_owned(), format!("{line}\n")));
            }
            _ => {
                if let Some(last) = defs.last_mut() {
                    last.2.push_str(line);
                    last.2.push('\n');
                }
            }
        }
    }
    defs
}

/// An operation with exactly the fragments it uses.
fn standalone(operation: &str, fragments: &[(String, String, String)]) -> String {
    let mut text = operation.to_owned();
    let mut included = Vec::new();
    loop {
        let missing: Vec<&(String, String, String)> = fragments
            .iter()
            .filter(|(name, _, _)| !included.contains(name) && text.contains(&format!("...{name}")))
            .collect();
        if missing.is_empty() {
            return text;
        }
        for (name, _, body) in missing {
            included.push(name.clone());
            text.push_str(body);
        }
    }
}

/// One operation our clients send, standalone (with the fragments it
/// uses), and sample variables.
pub struct ClientOperation {
    pub name: String,
    pub kind: String,
    pub text: String,
    pub variables: Value,
}

/// Every operation of the repository's copy of the shared contract's
/// client operations.
pub fn client_operations() -> Vec<ClientOperation> {
    let document = include_str!("../../contract/operations.graphql");
    let defs = definitions(document);
    let fragments: Vec<_> = defs.iter().filter(|d| d.1 == "fragment").cloned().collect();
    let operations: Vec<ClientOperation> = defs
        .iter()
        .filter(|d| d.1 != "fragment")
        .map(|(name, kind, text)| ClientOperation {
            name: name.clone(),
            kind: kind.clone(),
            text: standalone(text, &fragments),
            variables: variables(name),
        })
        .collect();
    assert!(operations.len() >= 15, "{} operations", operations.len());
    operations
}

/// Every operation our clients send validates against the schema and
/// passes the limits with 2× margin (checked at half the limits).
#[tokio::test]
async fn every_client_operation_passes_the_limits_with_margin() {
    let operations = client_operations();
    let half = Limits {
        depth: Limits::PRODUCTION.depth / 2,
        complexity: Limits::PRODUCTION.complexity / 2,
    };
    for limits in [Limits::PRODUCTION, half] {
        let schema = validation_schema(limits);
        for ClientOperation {
            name,
            kind,
            text,
            variables,
        } in &operations
        {
            let request = async_graphql::Request::new(text.clone())
                .variables(async_graphql::Variables::from_json(variables.clone()));
            let response = if kind == "subscription" {
                schema
                    .execute_stream(request)
                    .next()
                    .await
                    .expect("a response")
            } else {
                schema.execute(request).await
            };
            // Without services every resolver fails (errors with a path);
            // a validation or limit failure has none.
            for error in &response.errors {
                assert!(
                    !error.path.is_empty(),
                    "{name} at {limits:?}: {}",
                    error.message
                );
            }
        }
    }
}

/// OWASP's progressive lockout: a few free failures, then each failure of
/// the same (email, client) makes it wait longer (1 s, 2 s, 4 s …) —
/// answered RATE_LIMITED with `retryAfter` before any password is checked.
#[tokio::test]
async fn guessing_one_accounts_password_is_rate_limited() {
    let app = TestApp::spawn().await;
    app.register("victim@example.com", "the real password")
        .await;
    let mut answers = Vec::new();
    for _ in 0..12 {
        let body = app
            .graphql(
                crate::harness::app::LOGIN,
                json!({ "input": { "email": "VICTIM@example.com", "password": "a wrong guess!!" } }),
            )
            .await;
        assert!(!body.to_string().contains("a wrong guess"));
        let code = body["errors"][0]["extensions"]["code"]
            .as_str()
            .or(body["data"]["login"]["userErrors"][0]["code"].as_str())
            .unwrap()
            .to_owned();
        if code == "RATE_LIMITED" {
            let retry = body["errors"][0]["extensions"]["retryAfter"]
                .as_u64()
                .unwrap();
            assert!(retry > 0 && retry <= 15 * 60, "{retry}");
        }
        answers.push(code);
    }
    // The first six are checked (five free failures, and the one that
    // starts the wait); the wait doubles with each further failure, so
    // the rest cannot all get through, however slow the machine.
    assert!(
        answers[..6].iter().all(|a| a == "INVALID_CREDENTIALS"),
        "{answers:?}"
    );
    assert!(answers.iter().any(|a| a == "RATE_LIMITED"), "{answers:?}");
    // Another account from the same place still signs in.
    app.register("other@example.com", "another real password")
        .await;
    assert_eq!(
        app.login("other@example.com", "another real password")
            .await["userErrors"],
        json!([])
    );
}

#[tokio::test]
async fn a_registration_flood_from_one_address_is_rate_limited() {
    let app = TestApp::spawn().await;
    let mut limited = None;
    for n in 0..25 {
        let body = app
            .graphql(
                crate::harness::app::REGISTER,
                json!({ "input": { "email": format!("flood{n}@example.com"), "password": "short" } }),
            )
            .await;
        if body["errors"][0]["extensions"]["code"] == "RATE_LIMITED" {
            limited = Some(n);
            break;
        }
    }
    assert_eq!(
        limited,
        Some(20),
        "the 21st registration in an hour is refused"
    );
    still_up(&app).await;
}
