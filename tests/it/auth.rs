//! Accounts for people: register, login, me, refresh, logout.

use serde_json::{Value, json};

use crate::harness::TestApp;

const ME: &str = "{ me { id email createdAt monthlyIncome } }";
const REFRESH: &str = "mutation($input: RefreshTokenInput!) { refreshToken(input: $input) { accessToken refreshToken expiresAt user { id } userErrors { field message code } } }";
const LOGOUT: &str = "mutation($input: RefreshTokenInput!) { logout(input: $input) }";

fn user_error(payload: &Value) -> (Value, String) {
    let errors = payload["userErrors"].as_array().expect("userErrors");
    assert_eq!(errors.len(), 1, "{payload}");
    assert!(payload["accessToken"].is_null(), "{payload}");
    assert!(payload["refreshToken"].is_null(), "{payload}");
    assert!(payload["user"].is_null(), "{payload}");
    (
        errors[0]["field"].clone(),
        errors[0]["code"].as_str().expect("code").to_owned(),
    )
}

async fn refresh(app: &TestApp, token: &str) -> Value {
    app.graphql(REFRESH, json!({ "input": { "refreshToken": token } }))
        .await["data"]["refreshToken"]
        .clone()
}

#[tokio::test]
async fn register_then_login_then_me() {
    let app = TestApp::spawn().await;
    let registered = app
        .register("Ann.Lee@Example.com", "correct horse battery")
        .await;
    assert_eq!(registered["userErrors"], json!([]));
    assert_eq!(registered["user"]["email"], "Ann.Lee@Example.com");
    assert!(registered["user"]["monthlyIncome"].is_null());
    let expires: chrono::DateTime<chrono::Utc> = registered["expiresAt"]
        .as_str()
        .expect("expiresAt")
        .parse()
        .expect("RFC 3339");
    let ttl = expires - chrono::Utc::now();
    assert!(ttl > chrono::Duration::minutes(14) && ttl <= chrono::Duration::minutes(15));

    // Login is case-insensitive on the email, like registration.
    let logged_in = app
        .login("ann.lee@example.COM", "correct horse battery")
        .await;
    assert_eq!(logged_in["userErrors"], json!([]));
    assert_eq!(logged_in["user"]["id"], registered["user"]["id"]);

    let token = logged_in["accessToken"].as_str().expect("token");
    let me = app.graphql_as(token, ME, json!({})).await;
    assert_eq!(me["data"]["me"]["id"], registered["user"]["id"]);
    assert_eq!(me["data"]["me"]["email"], "Ann.Lee@Example.com");
    assert!(me.get("errors").is_none(), "{me}");
}

#[tokio::test]
async fn anonymous_me_is_null() {
    let app = TestApp::spawn().await;
    let me = app.graphql(ME, json!({})).await;
    assert_eq!(
        crate::harness::uncosted(me),
        json!({ "data": { "me": null } })
    );
}

#[tokio::test]
async fn an_email_is_taken_in_any_letter_case() {
    let app = TestApp::spawn().await;
    let first = app
        .register("bob@example.com", "a long enough password")
        .await;
    assert_eq!(first["userErrors"], json!([]));
    let again = app
        .register("  BOB@Example.Com ", "another long password")
        .await;
    let (field, code) = user_error(&again);
    assert_eq!(code, "TAKEN");
    assert_eq!(field, json!(["input", "email"]));

    // The original password still works; the second one never did.
    assert_eq!(
        app.login("bob@example.com", "a long enough password").await["userErrors"],
        json!([])
    );
    let (_, code) = user_error(&app.login("bob@example.com", "another long password").await);
    assert_eq!(code, "INVALID_CREDENTIALS");
}

#[tokio::test]
async fn concurrent_registrations_of_one_email_make_one_account() {
    let app = TestApp::spawn().await;
    let attempts = (0..4).map(|i| {
        let app = &app;
        async move {
            app.register(
                &format!("Race@Example.com{}", " ".repeat(i)),
                "a long enough password",
            )
            .await
        }
    });
    let results = futures_util::future::join_all(attempts).await;
    let winners = results
        .iter()
        .filter(|p| p["userErrors"] == json!([]))
        .count();
    assert_eq!(winners, 1, "{results:?}");
    assert!(
        results
            .iter()
            .filter(|p| p["userErrors"] != json!([]))
            .all(|p| p["userErrors"][0]["code"] == "TAKEN")
    );
}

/// The claim in the lookup table holds what vtgate's
/// `consistent_lookup_unique` stores: the user's keyspace id (Vitess's
/// `hash` of the user id), not the user id.
#[tokio::test]
async fn registration_claims_the_email_with_the_users_keyspace_id() {
    use moneta_entities::{user_emails, users};
    use sea_orm::{ColumnTrait as _, EntityTrait as _, QueryFilter as _};

    let app = TestApp::spawn().await;
    let registered = app
        .register("Dana@Example.com", "a long enough password")
        .await;
    assert_eq!(registered["userErrors"], json!([]));
    let db = app.db.connect().await;
    let user = users::Entity::find()
        .filter(users::Column::EmailNormalized.eq("dana@example.com"))
        .one(&db)
        .await
        .unwrap()
        .expect("the user");
    let claim = user_emails::Entity::find_by_id("dana@example.com".to_owned())
        .one(&db)
        .await
        .unwrap()
        .expect("the claim");
    let expected = moneta_core::auth::keyspace_id(moneta_core::UserId::new(user.id));
    assert_eq!(claim.keyspace_id, expected.to_vec());
    assert_eq!(claim.keyspace_id.len(), 8);
}

/// Look-ups by email read `users` (routed by the vindex under Vitess), not
/// the lookup table: with the claim gone, login still finds the user and
/// the address is still taken.
#[tokio::test]
async fn login_and_the_taken_check_read_users_not_the_lookup_table() {
    use moneta_entities::user_emails;
    use sea_orm::EntityTrait as _;

    let app = TestApp::spawn().await;
    assert_eq!(
        app.register("eve@example.com", "a long enough password")
            .await["userErrors"],
        json!([])
    );
    let db = app.db.connect().await;
    user_emails::Entity::delete_by_id("eve@example.com".to_owned())
        .exec(&db)
        .await
        .unwrap();
    assert_eq!(
        app.login("EVE@example.com", "a long enough password").await["userErrors"],
        json!([])
    );
    let (_, code) = user_error(
        &app.register("eve@example.com", "another long password")
            .await,
    );
    assert_eq!(code, "TAKEN");
}

/// Without vtgate (plain MariaDB, SQLite), the claim alone makes the email
/// unique: an address claimed by a registration in flight on another
/// replica is refused, and nothing is left behind.
#[tokio::test]
async fn an_email_claimed_by_a_registration_in_flight_is_taken() {
    use moneta_entities::{user_emails, users};
    use sea_orm::{
        ActiveValue::Set, ColumnTrait as _, EntityTrait as _, PaginatorTrait as _, QueryFilter as _,
    };

    let app = TestApp::spawn().await;
    let db = app.db.connect().await;
    let in_flight = moneta_core::auth::keyspace_id(moneta_core::UserId::new(42));
    user_emails::Entity::insert(user_emails::ActiveModel {
        email_normalized: Set("frank@example.com".to_owned()),
        keyspace_id: Set(in_flight.to_vec()),
        created_at: Set(chrono::Utc::now()),
    })
    .exec(&db)
    .await
    .unwrap();
    let (field, code) = user_error(
        &app.register("Frank@example.com", "a long enough password")
            .await,
    );
    assert_eq!(code, "TAKEN");
    assert_eq!(field, json!(["input", "email"]));
    assert_eq!(
        users::Entity::find()
            .filter(users::Column::EmailNormalized.eq("frank@example.com"))
            .count(&db)
            .await
            .unwrap(),
        0
    );
    let claim = user_emails::Entity::find_by_id("frank@example.com".to_owned())
        .one(&db)
        .await
        .unwrap()
        .expect("the other claim stays");
    assert_eq!(claim.keyspace_id, in_flight.to_vec());
}

#[tokio::test]
async fn malformed_email_and_weak_passwords_are_invalid_and_store_nothing() {
    let app = TestApp::spawn().await;
    let cases = [
        (
            "not-an-email",
            "a long enough password",
            json!(["input", "email"]),
        ),
        ("", "a long enough password", json!(["input", "email"])),
        ("carol@example.com", "short", json!(["input", "password"])),
        (
            "carol@example.com",
            &"x".repeat(129),
            json!(["input", "password"]),
        ),
        (
            "carol@example.com",
            "Carol@Example.com",
            json!(["input", "password"]),
        ),
    ];
    for (email, password, expected_field) in cases {
        let payload = app.register(email, password).await;
        let (field, code) = user_error(&payload);
        assert_eq!(code, "INVALID", "{email} / {password}: {payload}");
        assert_eq!(field, expected_field, "{email} / {password}");
        assert!(!payload.to_string().contains(password) || password.is_empty());
    }
    // Nothing was stored: the address is still free and no row exists.
    let db = app.db.connect().await;
    use sea_orm::{ColumnTrait as _, EntityTrait as _, PaginatorTrait as _, QueryFilter as _};
    // (Looked up by email: the lookup vindex routes it to one shard.)
    assert_eq!(
        moneta_entities::users::Entity::find()
            .filter(moneta_entities::users::Column::EmailNormalized.eq("carol@example.com"))
            .count(&db)
            .await
            .unwrap(),
        0
    );
    assert_eq!(
        moneta_entities::user_emails::Entity::find()
            .count(&db)
            .await
            .unwrap(),
        0
    );
    assert_eq!(
        app.register("carol@example.com", "a long enough password")
            .await["userErrors"],
        json!([])
    );
}

#[tokio::test]
async fn wrong_password_and_unknown_email_look_the_same() {
    let app = TestApp::spawn().await;
    app.register("dave@example.com", "a long enough password")
        .await;
    let wrong_password = app.login("dave@example.com", "not the password").await;
    let unknown_email = app
        .login("nobody@example.com", "a long enough password")
        .await;
    let malformed_email = app.login("not an email", "a long enough password").await;
    assert_eq!(user_error(&wrong_password).1, "INVALID_CREDENTIALS");
    assert_eq!(wrong_password, unknown_email);
    assert_eq!(wrong_password, malformed_email);
}

#[tokio::test]
async fn refresh_rotates_and_a_replayed_token_revokes_the_family() {
    let app = TestApp::spawn().await;
    let (_, first_refresh, user_id) = app.signed_up().await;

    let rotated = refresh(&app, &first_refresh).await;
    assert_eq!(rotated["userErrors"], json!([]), "{rotated}");
    assert_eq!(rotated["user"]["id"], user_id.as_str());
    let second_refresh = rotated["refreshToken"]
        .as_str()
        .expect("new refresh")
        .to_owned();
    assert_ne!(second_refresh, first_refresh);
    let access = rotated["accessToken"].as_str().expect("access");
    assert_eq!(
        app.graphql_as(access, ME, json!({})).await["data"]["me"]["id"],
        user_id.as_str()
    );

    // Replaying the spent token fails…
    let (_, code) = user_error(&refresh(&app, &first_refresh).await);
    assert_eq!(code, "INVALID_CREDENTIALS");
    // …and revokes the token that replaced it.
    let (_, code) = user_error(&refresh(&app, &second_refresh).await);
    assert_eq!(code, "INVALID_CREDENTIALS");
}

#[tokio::test]
async fn other_sessions_survive_a_revoked_family() {
    let app = TestApp::spawn().await;
    let email = "erin@example.com";
    app.register(email, "a long enough password").await;
    let phone = app.login(email, "a long enough password").await;
    let laptop = app.login(email, "a long enough password").await;
    let phone_refresh = phone["refreshToken"].as_str().expect("refresh");
    refresh(&app, phone_refresh).await;
    refresh(&app, phone_refresh).await; // reuse: the phone's family is revoked
    let laptop_refresh = laptop["refreshToken"].as_str().expect("refresh");
    assert_eq!(refresh(&app, laptop_refresh).await["userErrors"], json!([]));
}

#[tokio::test]
async fn logout_ends_the_session() {
    let app = TestApp::spawn().await;
    let (_, refresh_token, _) = app.signed_up().await;
    let out = app
        .graphql(
            LOGOUT,
            json!({ "input": { "refreshToken": refresh_token } }),
        )
        .await;
    assert_eq!(out["data"]["logout"], true);
    let (_, code) = user_error(&refresh(&app, &refresh_token).await);
    assert_eq!(code, "INVALID_CREDENTIALS");
    let garbage = app
        .graphql(LOGOUT, json!({ "input": { "refreshToken": "garbage" } }))
        .await;
    assert_eq!(garbage["data"]["logout"], false);
}

#[tokio::test]
async fn garbage_refresh_tokens_are_invalid_credentials() {
    let app = TestApp::spawn().await;
    for token in ["", "garbage", &"A".repeat(54), &"x".repeat(10_000)] {
        let (_, code) = user_error(&refresh(&app, token).await);
        assert_eq!(code, "INVALID_CREDENTIALS");
    }
    // The server is still up.
    assert_eq!(app.get("/healthz").await.status(), 200);
}

#[tokio::test]
async fn no_response_ever_contains_a_password_or_its_hash() {
    let app = TestApp::spawn().await;
    let password = "Tr0ub4dor&3-secret-phrase";
    let mut bodies = vec![
        app.register("frank@example.com", password).await,
        app.register("frank@example.com", password).await,
        app.login("frank@example.com", password).await,
        app.login("frank@example.com", "wrong password!!").await,
        app.register("frank2@example.com", "frank2@example.com")
            .await,
    ];
    let token = bodies[2]["accessToken"].as_str().expect("token").to_owned();
    bodies.push(app.graphql_as(&token, ME, json!({})).await);
    for body in bodies {
        let text = body.to_string();
        assert!(!text.contains(password), "{text}");
        assert!(!text.contains("argon2"), "{text}");
        assert!(!text.contains("$v=19$"), "{text}");
    }
}
