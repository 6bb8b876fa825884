//! The HTTP surface: GraphQL, GraphiQL, health, readiness, metrics.

use serde_json::json;

use crate::harness::TestApp;

#[tokio::test]
async fn answers_typename_over_post() {
    let app = TestApp::spawn().await;
    let body = app.graphql("{ __typename }", json!({})).await;
    assert_eq!(
        crate::harness::uncosted(body),
        json!({ "data": { "__typename": "Query" } })
    );
}

#[tokio::test]
async fn serves_graphiql_and_introspection_in_dev() {
    let app = TestApp::spawn().await;
    let body = app
        .graphql("{ __schema { queryType { name } } }", json!({}))
        .await;
    assert_eq!(
        body["data"]["__schema"]["queryType"]["name"], "Query",
        "{body}"
    );
    let response = app
        .http
        .get(format!("{}/graphql", app.base))
        .header("accept", "text/html,application/xhtml+xml,*/*;q=0.8")
        .send()
        .await
        .expect("server answers");
    assert_eq!(response.status(), 200);
    let html = response.text().await.expect("html");
    assert!(html.contains("graphiql"), "{html}");
    assert!(html.contains("/graphql/ws"));
}

#[tokio::test]
async fn production_turns_off_graphiql_and_introspection() {
    let app = TestApp::spawn_with(crate::harness::app::Options {
        tweak: Some(Box::new(|s| {
            s.env = moneta_platform::config::Environment::Production;
            s.edge.trusted_documents = Some(moneta_platform::config::TrustedDocuments::Allow);
        })),
        ..Default::default()
    })
    .await;
    let browser = app
        .http
        .get(format!("{}/graphql", app.base))
        .header("accept", "text/html")
        .send()
        .await
        .expect("server answers");
    assert_ne!(browser.status(), 200, "no GraphiQL in production");
    let body = app
        .graphql("{ __schema { types { name } } }", json!({}))
        .await;
    assert!(body["data"]["__schema"].is_null(), "{body}");
    let typo = app.graphql("{ mee { id } }", json!({})).await;
    assert!(!typo.to_string().contains("Did you mean"), "{typo}");
    // Ordinary queries still work.
    assert_eq!(
        crate::harness::uncosted(app.graphql("{ me { id } }", json!({})).await),
        json!({ "data": { "me": null } })
    );
}

#[tokio::test]
async fn healthz_and_readyz_report_up_and_ready() {
    let app = TestApp::spawn().await;
    let health = app.get("/healthz").await;
    assert_eq!(health.status(), 200);
    let ready = app.get("/readyz").await;
    assert_eq!(ready.status(), 200);
    let body: serde_json::Value = ready.json().await.expect("json");
    assert_eq!(body["ready"], true);
    let names: Vec<&str> = body["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .map(|c| c["name"].as_str().expect("name"))
        .collect();
    assert_eq!(names, ["database", "redis"]);
}

#[tokio::test]
async fn metrics_count_requests_and_time_them() {
    let app = TestApp::spawn().await;
    for _ in 0..3 {
        app.graphql("{ __typename }", json!({})).await;
    }
    app.get("/no-such-path").await;
    let response = app.get("/metrics").await;
    assert_eq!(response.status(), 200);
    let text = response.text().await.expect("text");
    assert!(
        text.contains(
            r#"moneta_http_requests_total{method="POST",route="/graphql",status="200"} 3"#
        ),
        "{text}"
    );
    assert!(text.contains(r#"route="other",status="404""#), "{text}");
    assert!(
        text.contains("moneta_http_request_duration_seconds_bucket"),
        "{text}"
    );
}

#[tokio::test]
async fn malformed_requests_get_clear_errors_and_the_server_stays_up() {
    let app = TestApp::spawn().await;
    let not_json = app
        .http
        .post(format!("{}/graphql", app.base))
        .header("content-type", "application/json")
        .body("{ this is not json")
        .send()
        .await
        .expect("answer");
    assert_eq!(not_json.status().as_u16(), 400);
    let body: serde_json::Value = not_json.json().await.expect("JSON answer");
    assert_eq!(
        body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT",
        "{body}"
    );
    let syntax = app.graphql("{ me { id ", json!({})).await;
    assert!(syntax["errors"][0]["message"].is_string(), "{syntax}");
    let unknown = app.graphql("{ noSuchField }", json!({})).await;
    assert!(unknown["errors"].is_array(), "{unknown}");
    let bad_variables = app
        .graphql(
            "mutation($input: RegisterInput!) { register(input: $input) { userErrors { code } } }",
            json!({ "input": { "email": 5 } }),
        )
        .await;
    assert!(bad_variables["errors"].is_array(), "{bad_variables}");
    assert_eq!(app.get("/healthz").await.status(), 200);
}

/// GraphQL operations, subscriptions and sockets, sync jobs and the queue
/// show on `/metrics` as they happen.
#[tokio::test]
async fn metrics_follow_operations_subscriptions_and_jobs() {
    use std::time::Duration;

    use moneta_core::clock::FixedClock;

    let clock = FixedClock::new(crate::sync::day(20));
    let app = crate::sync::app_at(&clock).await;
    let (token, _, _) = app.signed_up().await;
    let queries = r#"moneta_graphql_operations_total{outcome="ok",type="query"}"#;
    let before = app.metric(queries).await;
    app.graphql_as(&token, "query Me { me { id } }", json!({}))
        .await;
    assert_eq!(app.metric(queries).await - before, 1.0);
    app.graphql_as(&token, "{ account(id: \"nope\") { id } }", json!({}))
        .await;

    let subscriptions = "moneta_graphql_subscriptions_active";
    let sockets = "moneta_websocket_connections_active";
    let mut ws = app.ws().await;
    ws.init_as(&token).await;
    ws.subscribe("1", "subscription { accountSynced { account { id } } }")
        .await;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    while app.metric(subscriptions).await < 1.0 {
        assert!(tokio::time::Instant::now() < deadline, "never counted");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(app.metric(sockets).await, 1.0);
    drop(ws);
    while app.metric(subscriptions).await > 0.0 || app.metric(sockets).await > 0.0 {
        assert!(tokio::time::Instant::now() < deadline, "never released");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    crate::sync::linked_account(&app, &token, "user_good").await;
    assert!(
        app.metric(r#"moneta_jobs_total{job="sync-account",outcome="synced"}"#)
            .await
            >= 1.0
    );
    let text = app.get("/metrics").await.text().await.unwrap();
    assert!(text.contains("moneta_queue_depth 0"), "{text}");
    assert!(
        text.contains("moneta_job_duration_seconds_bucket"),
        "{text}"
    );
}
