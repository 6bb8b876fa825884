//! Access tokens the server must refuse.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Value, json};

use crate::harness::TestApp;

const ME: &str = "{ me { id } }";

fn sign(secret: &str, sub: &str, exp: i64) -> String {
    let claims = json!({ "sub": sub, "iss": "moneta", "aud": "moneta-api", "iat": exp - 900, "nbf": exp - 900, "exp": exp, "sid": 1 });
    sign_claims(secret, &claims)
}

/// `claims` signed with the server's key: only the claims can be wrong.
fn sign_claims(secret: &str, claims: &Value) -> String {
    jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        claims,
        &EncodingKey::from_secret(secret.as_bytes()),
    )
    .expect("sign")
}

fn assert_unauthenticated(body: &Value) {
    assert!(body["data"].is_null(), "{body}");
    assert_eq!(
        body["errors"][0]["extensions"]["code"], "UNAUTHENTICATED",
        "{body}"
    );
}

async fn user_id_of(app: &TestApp, token: &str) -> String {
    let body = app.graphql_as(token, ME, json!({})).await;
    let id = body["data"]["me"]["id"].as_str().expect("me");
    let raw = String::from_utf8(URL_SAFE_NO_PAD.decode(id).expect("b64")).expect("utf8");
    raw.trim_start_matches("User:").to_owned()
}

#[tokio::test]
async fn a_valid_token_made_the_same_way_is_accepted() {
    // Guards the tests below: they fail for the defect, not for the recipe.
    let app = TestApp::spawn().await;
    let (token, _, _) = app.signed_up().await;
    let sub = user_id_of(&app, &token).await;
    let forged_ok = sign(&app.jwt_secret, &sub, chrono::Utc::now().timestamp() + 600);
    assert_eq!(user_id_of(&app, &forged_ok).await, sub);
}

#[tokio::test]
async fn an_expired_token_is_unauthenticated() {
    let app = TestApp::spawn().await;
    let (token, _, _) = app.signed_up().await;
    let sub = user_id_of(&app, &token).await;
    let expired = sign(&app.jwt_secret, &sub, chrono::Utc::now().timestamp() - 120);
    assert_unauthenticated(&app.graphql_as(&expired, ME, json!({})).await);
}

#[tokio::test]
async fn a_token_signed_with_another_key_is_unauthenticated() {
    let app = TestApp::spawn().await;
    let (token, _, _) = app.signed_up().await;
    let sub = user_id_of(&app, &token).await;
    let other = sign(
        "some-other-secret-of-sufficient-length!!",
        &sub,
        chrono::Utc::now().timestamp() + 600,
    );
    assert_unauthenticated(&app.graphql_as(&other, ME, json!({})).await);
}

#[tokio::test]
async fn a_tampered_token_is_unauthenticated() {
    let app = TestApp::spawn().await;
    let (mine, _, _) = app.signed_up().await;
    let (theirs, _, _) = app.signed_up().await;
    let their_id = user_id_of(&app, &theirs).await;
    // Swap in the other user's id, keep my signature.
    let parts: Vec<&str> = mine.split('.').collect();
    let mut claims: Value =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[1]).expect("b64")).expect("json");
    claims["sub"] = json!(their_id);
    let forged = format!(
        "{}.{}.{}",
        parts[0],
        URL_SAFE_NO_PAD.encode(claims.to_string()),
        parts[2]
    );
    assert_unauthenticated(&app.graphql_as(&forged, ME, json!({})).await);
}

#[tokio::test]
async fn an_alg_none_token_is_unauthenticated() {
    let app = TestApp::spawn().await;
    let (token, _, _) = app.signed_up().await;
    let payload = token.split('.').nth(1).expect("payload");
    let header = URL_SAFE_NO_PAD.encode(r#"{"alg":"none","typ":"JWT"}"#);
    for unsigned in [
        format!("{header}.{payload}."),
        format!("{header}.{payload}"),
    ] {
        assert_unauthenticated(&app.graphql_as(&unsigned, ME, json!({})).await);
    }
}

#[tokio::test]
async fn malformed_authorization_headers_are_unauthenticated() {
    let app = TestApp::spawn().await;
    for header in ["Basic dXNlcjpwYXNz", "Bearer", "Bearer not.a.jwt", "token"] {
        let response = app
            .http
            .post(format!("{}/graphql", app.base))
            .header("Authorization", header)
            .json(&json!({ "query": ME }))
            .send()
            .await
            .expect("answer");
        assert_unauthenticated(&response.json().await.expect("json"));
    }
}

#[tokio::test]
async fn user_scoped_fields_need_a_token() {
    let app = TestApp::spawn().await;
    let body = app
        .graphql("{ node(id: \"VXNlcjox\") { id } }", json!({}))
        .await;
    assert_eq!(
        body["errors"][0]["extensions"]["code"], "UNAUTHENTICATED",
        "{body}"
    );
}

/// A correctly signed token whose user does not exist names no one: every
/// field refuses it, over HTTP and the socket, and nothing is written.
#[tokio::test]
async fn a_token_for_a_user_who_does_not_exist_is_unauthenticated_and_writes_nothing() {
    use sea_orm::{ConnectionTrait as _, Statement};

    let app = TestApp::spawn().await;
    let (token, _, _) = app.signed_up().await;
    let real = user_id_of(&app, &token).await;
    let ghost = (real.parse::<i64>().expect("id") + 1_000_003).to_string();
    let forged = sign(
        &app.jwt_secret,
        &ghost,
        chrono::Utc::now().timestamp() + 600,
    );
    let operations = [
        (ME, json!({})),
        (
            "mutation ($i: SetIncomeInput!) { setIncome(input: $i) { userErrors { code } } }",
            json!({ "i": { "monthlyIncome": "5000.00" } }),
        ),
        (
            "mutation ($i: LinkAccountInput!) { linkAccount(input: $i) { userErrors { code } } }",
            json!({ "i": { "institution": "sandbox", "login": "user_good", "password": "pass_good" } }),
        ),
        ("{ accounts { id } }", json!({})),
    ];
    for (query, variables) in operations {
        assert_unauthenticated(&app.graphql_as(&forged, query, variables).await);
    }
    let mut ws = app.ws().await;
    ws.send(json!({
        "type": "connection_init",
        "payload": { "authorization": format!("Bearer {forged}") }
    }))
    .await;
    assert!(matches!(
        ws.next().await,
        crate::harness::ws::WsEvent::Closed(Some(4403))
    ));

    let db = app.db.connect().await;
    for table in ["users", "accounts"] {
        let column = if table == "users" { "id" } else { "user_id" };
        let sql = format!("SELECT COUNT(*) AS n FROM {table} WHERE {column} = {ghost}");
        let row = db
            .query_one_raw(Statement::from_string(db.get_database_backend(), sql))
            .await
            .expect("count")
            .expect("a row");
        let n: i64 = row.try_get("", "n").expect("n");
        assert_eq!(n, 0, "{table} has rows of a user who does not exist");
    }
}

/// `nbf` is validated, and must be a number: a string an hour ahead and a
/// number an hour ahead are both refused (jsonwebtoken checks neither
/// unless told to).
#[tokio::test]
async fn a_token_not_valid_yet_or_with_a_string_time_is_unauthenticated() {
    let app = TestApp::spawn().await;
    let (token, _, _) = app.signed_up().await;
    let sub = user_id_of(&app, &token).await;
    let now = chrono::Utc::now().timestamp();
    let claims = json!({
        "sub": sub, "iss": "moneta", "aud": "moneta-api", "sid": 1,
        "iat": now, "nbf": now, "exp": now + 600,
    });
    let signed = |claims: &Value| sign_claims(&app.jwt_secret, claims);
    assert_eq!(user_id_of(&app, &signed(&claims)).await, sub);
    for (key, value) in [
        ("nbf", json!((now + 3600).to_string())),
        ("nbf", json!(now + 3600)),
        ("exp", json!((now + 600).to_string())),
        ("iat", json!((now).to_string())),
    ] {
        let mut bad = claims.clone();
        bad[key] = value;
        assert_unauthenticated(&app.graphql_as(&signed(&bad), ME, json!({})).await);
    }
}

/// A token whose user was deleted, or never existed, is refused by every
/// operation our clients send, and by the socket.
#[tokio::test]
async fn tokens_of_deleted_and_missing_users_are_refused_by_every_client_operation() {
    let app = TestApp::spawn().await;
    let (deleted, user) = app.deleted_user().await;
    let sub = crate::harness::fixtures::row_id(&user).to_string();
    let ghost_id = (sub.parse::<i64>().expect("id") + 1_000_003).to_string();
    let ghost = sign(
        &app.jwt_secret,
        &ghost_id,
        chrono::Utc::now().timestamp() + 600,
    );
    for token in [&deleted, &ghost] {
        for operation in crate::limits::client_operations() {
            if operation.kind == "subscription" {
                continue;
            }
            let body = app
                .graphql_as(token, &operation.text, operation.variables.clone())
                .await;
            assert!(body["data"].is_null(), "{}: {body}", operation.name);
            assert_eq!(
                body["errors"][0]["extensions"]["code"], "UNAUTHENTICATED",
                "{}: {body}",
                operation.name
            );
        }
        let mut ws = app.ws().await;
        ws.send(json!({
            "type": "connection_init",
            "payload": { "authorization": format!("Bearer {token}") }
        }))
        .await;
        assert!(matches!(
            ws.next().await,
            crate::harness::ws::WsEvent::Closed(Some(4403))
        ));
    }
}
