//! The category service through the API: manual overrides, crowd votes.

use std::sync::Arc;

use chrono::{TimeZone as _, Utc};
use moneta_core::categories::{Categorizer, Category, CategorySource, SellerDictionary};
use sea_orm::{ColumnTrait as _, EntityTrait as _, QueryFilter as _};
use serde_json::{Value, json};

use crate::harness::TestApp;
use crate::harness::fixtures::{global_id, insert_account, insert_transaction, row_id};

const SET_CATEGORY: &str = "mutation($input: SetTransactionCategoryInput!) { setTransactionCategory(input: $input) { transaction { id category categorySource seller amount pending account { id } } userErrors { field message code } } }";
const TRANSACTION: &str = "query($id: ID!) { node(id: $id) { ... on Transaction { id category categorySource seller amount } } }";

/// A signed-up user with one account; returns (token, user row id, account row id).
async fn user_with_account(app: &TestApp, account: i64) -> (String, i64) {
    let (token, _, user_id) = app.signed_up().await;
    let user = row_id(&user_id);
    insert_account(&app.db.connect().await, user, account).await;
    (token, user)
}

async fn set_category(app: &TestApp, token: &str, transaction: i64, category: &str) -> Value {
    app.graphql_as(
        token,
        SET_CATEGORY,
        json!({ "input": { "transactionId": global_id("Transaction", transaction), "category": category } }),
    )
    .await
}

async fn category_of(app: &TestApp, token: &str, transaction: i64) -> (String, String) {
    let body = app
        .graphql_as(
            token,
            TRANSACTION,
            json!({ "id": global_id("Transaction", transaction) }),
        )
        .await;
    let node = &body["data"]["node"];
    (
        node["category"].as_str().expect("category").to_owned(),
        node["categorySource"].as_str().expect("source").to_owned(),
    )
}

#[tokio::test]
async fn an_override_changes_that_transaction_only() {
    let app = TestApp::spawn().await;
    let db = app.db.connect().await;
    let (alice, alice_id) = user_with_account(&app, 1).await;
    let (bob, bob_id) = user_with_account(&app, 2).await;
    let day = Utc.with_ymd_and_hms(2026, 11, 3, 12, 0, 0).unwrap();
    for (id, user, account) in [(11, alice_id, 1), (12, alice_id, 1), (21, bob_id, 2)] {
        insert_transaction(
            &db,
            user,
            account,
            id,
            "TST* JOES CRAB SHACK 0231",
            2_500,
            day,
        )
        .await;
    }
    insert_transaction(
        &db,
        alice_id,
        1,
        13,
        "WHOLEFDS MKT 10234 AUSTIN TX",
        4_000,
        day,
    )
    .await;
    assert_eq!(
        category_of(&app, &alice, 11).await,
        ("UNCATEGORIZED".into(), "NONE".into())
    );
    assert_eq!(
        category_of(&app, &alice, 13).await,
        ("FOOD".into(), "SELLER_MAP".into())
    );

    let body = set_category(&app, &alice, 11, "FOOD").await;
    let payload = &body["data"]["setTransactionCategory"];
    assert_eq!(payload["userErrors"], json!([]), "{body}");
    assert_eq!(payload["transaction"]["category"], "FOOD");
    assert_eq!(payload["transaction"]["categorySource"], "USER");
    assert_eq!(payload["transaction"]["amount"], "25.00");
    assert_eq!(
        payload["transaction"]["account"]["id"],
        global_id("Account", 1)
    );

    // Alice's other transaction of that seller, and Bob's, are untouched.
    assert_eq!(
        category_of(&app, &alice, 12).await,
        ("UNCATEGORIZED".into(), "NONE".into())
    );
    assert_eq!(
        category_of(&app, &bob, 21).await,
        ("UNCATEGORIZED".into(), "NONE".into())
    );
    // The dictionary's choice can be overridden too, and changed again.
    set_category(&app, &alice, 13, "SHOPPING").await;
    set_category(&app, &alice, 13, "HEALTH").await;
    assert_eq!(
        category_of(&app, &alice, 13).await,
        ("HEALTH".into(), "USER".into())
    );

    // The month's spending follows the categories that count.
    let spending: Vec<(String, i64)> = moneta_entities::monthly_spending::Entity::find()
        .filter(moneta_entities::monthly_spending::Column::UserId.eq(alice_id))
        .filter(moneta_entities::monthly_spending::Column::Month.eq(202611))
        .all(&db)
        .await
        .unwrap()
        .into_iter()
        .map(|r| (r.category, r.amount_cents))
        .collect();
    let mut spending = spending;
    spending.sort();
    assert_eq!(
        spending,
        [
            ("FOOD".to_owned(), 2_500),
            ("HEALTH".to_owned(), 4_000),
            ("UNCATEGORIZED".to_owned(), 2_500)
        ]
    );
}

#[tokio::test]
async fn another_users_transaction_behaves_like_a_missing_one() {
    let app = TestApp::spawn().await;
    let db = app.db.connect().await;
    let (alice, alice_id) = user_with_account(&app, 1).await;
    let (bob, bob_id) = user_with_account(&app, 2).await;
    let day = Utc.with_ymd_and_hms(2026, 11, 3, 12, 0, 0).unwrap();
    insert_transaction(&db, alice_id, 1, 11, "JOES CRAB SHACK", 2_500, day).await;

    let stolen = set_category(&app, &bob, 11, "TRAVEL").await;
    let missing = set_category(&app, &bob, 999, "TRAVEL").await;
    for body in [&stolen, &missing] {
        assert!(body["data"].is_null(), "{body}");
        assert_eq!(
            body["errors"][0]["extensions"]["code"], "NOT_FOUND",
            "{body}"
        );
    }
    assert_eq!(
        stolen["errors"][0]["message"],
        missing["errors"][0]["message"]
    );
    let wrong_kind = app
        .graphql_as(
            &bob,
            SET_CATEGORY,
            json!({ "input": { "transactionId": global_id("Account", 2), "category": "FOOD" } }),
        )
        .await;
    assert_eq!(wrong_kind["errors"][0]["extensions"]["code"], "NOT_FOUND");
    let bad_enum = app
        .graphql_as(
            &bob,
            SET_CATEGORY,
            json!({ "input": { "transactionId": global_id("Transaction", 11), "category": "SNACKS" } }),
        )
        .await;
    assert!(bad_enum["errors"].is_array(), "{bad_enum}");
    let anonymous = app
        .graphql(
            SET_CATEGORY,
            json!({ "input": { "transactionId": global_id("Transaction", 11), "category": "FOOD" } }),
        )
        .await;
    assert_eq!(
        anonymous["errors"][0]["extensions"]["code"],
        "UNAUTHENTICATED"
    );

    // Nothing changed for Alice, and no vote was recorded.
    assert_eq!(
        category_of(&app, &alice, 11).await,
        ("UNCATEGORIZED".into(), "NONE".into())
    );
    assert_eq!(
        moneta_entities::user_seller_votes::Entity::find()
            .filter(moneta_entities::user_seller_votes::Column::UserId.is_in([alice_id, bob_id]),)
            .all(&db)
            .await
            .unwrap()
            .len(),
        0
    );
}

/// The crowd adopts a category for an unknown seller only with at least
/// three users and a clear majority, and a moved vote counts once.
#[tokio::test]
async fn the_crowd_needs_three_users_and_a_clear_majority() {
    let app = TestApp::spawn().await;
    let db = app.db.connect().await;
    let day = Utc.with_ymd_and_hms(2026, 11, 3, 12, 0, 0).unwrap();
    let seller = "SQ *NONNAS CORNER BAKERY";
    let crowd = || async {
        let dictionary = SellerDictionary::load(&db).await.unwrap();
        Categorizer::new(Arc::new(dictionary))
            .categorize(&db, &["NONNAS CORNER BAKERY #77 BROOKLYN NY"])
            .await
            .unwrap()
            .remove(0)
    };

    let mut users = Vec::new();
    for n in 0..4_i64 {
        let (token, user) = user_with_account(&app, 100 + n).await;
        insert_transaction(&db, user, 100 + n, 1_000 + n, seller, 900, day).await;
        users.push(token);
    }
    set_category(&app, &users[0], 1_000, "FOOD").await;
    set_category(&app, &users[1], 1_001, "FOOD").await;
    assert_eq!(
        crowd().await.source,
        CategorySource::None,
        "two users are not enough"
    );

    set_category(&app, &users[2], 1_002, "FOOD").await;
    let adopted = crowd().await;
    assert_eq!(
        (adopted.category, adopted.source),
        (Category::Food, CategorySource::Crowd)
    );
    assert_eq!(adopted.seller_key, "NONNAS CORNER BAKERY");

    // A fourth user disagrees: 3 of 4 is still a clear majority.
    set_category(&app, &users[3], 1_003, "SHOPPING").await;
    assert_eq!(crowd().await.category, Category::Food);

    // One of the three changes their mind: 2 FOOD, 2 SHOPPING — no choice.
    set_category(&app, &users[2], 1_002, "SHOPPING").await;
    assert_eq!(crowd().await.source, CategorySource::None);
    // Voting the same way twice moves nothing.
    set_category(&app, &users[2], 1_002, "SHOPPING").await;
    let tally: Vec<(String, i64)> = moneta_entities::seller_votes::Entity::find()
        .filter(moneta_entities::seller_votes::Column::Seller.eq("NONNAS CORNER BAKERY"))
        .all(&db)
        .await
        .unwrap()
        .into_iter()
        .map(|r| (r.category, r.votes))
        .collect();
    let mut tally = tally;
    tally.sort();
    assert_eq!(tally, [("FOOD".to_owned(), 2), ("SHOPPING".to_owned(), 2)]);

    // A dictionary seller is never overruled by the crowd.
    let known = Categorizer::new(Arc::new(SellerDictionary::load(&db).await.unwrap()))
        .categorize(&db, &["STARBUCKS STORE 12345"])
        .await
        .unwrap()
        .remove(0);
    assert_eq!(known.source, CategorySource::SellerMap);
}
