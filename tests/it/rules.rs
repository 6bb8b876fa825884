//! Categories people trust, through the API: merchant names, the reason
//! for each category, standing rules (preview, apply, undo, order,
//! "remember for this merchant"), and clearing an override.

use chrono::{TimeZone as _, Utc};
use sea_orm::{ColumnTrait as _, DatabaseConnection, EntityTrait as _, QueryFilter as _};
use serde_json::{Value, json};

use crate::harness::TestApp;
use crate::harness::fixtures::{global_id, insert_account, insert_transaction, row_id};
use crate::sync::linked_account;

const TX: &str = "query($id: ID!) { node(id: $id) { ... on Transaction { id seller category categorySource merchant { name logo website } categoryReason { source summary confidence ruleId ruleName dictionaryKey crowdVotesFor crowdVoters transferId } } } }";
const CREATE: &str = "mutation($input: CreateRuleInput!) { createRule(input: $input) { rule { id name position enabled match setCategory setDisplayName markTransfer conditions { kind text min max } } application { id ruleId changedCount undoneAt } changes { count changes { transaction { id } fromCategory toCategory fromDisplayName toDisplayName } } userErrors { field code message } } }";
const PREVIEW: &str = "query($rule: RuleInput!) { previewRule(rule: $rule) { count changes { transaction { id } fromCategory toCategory fromDisplayName toDisplayName } } }";
const UNDO: &str = "mutation($input: UndoRuleApplicationInput!) { undoRuleApplication(input: $input) { application { id undoneAt changedCount } userErrors { code } } }";
const RULES: &str = "{ rules { id name position enabled setCategory conditions { kind text } } }";
const SET: &str = "mutation($input: SetTransactionCategoryInput!) { setTransactionCategory(input: $input) { transaction { category categorySource } rule { id name setCategory conditions { kind text } } userErrors { code } } }";
const CLEAR: &str = "mutation($input: ClearTransactionCategoryInput!) { clearTransactionCategory(input: $input) { transaction { category categorySource } userErrors { code } } }";

async fn user(app: &TestApp, account: i64) -> (String, i64) {
    let (token, _, user_id) = app.signed_up().await;
    let user = row_id(&user_id);
    insert_account(&app.db.connect().await, user, account).await;
    (token, user)
}

async fn node(app: &TestApp, token: &str, transaction: i64) -> Value {
    let body = app
        .graphql_as(
            token,
            TX,
            json!({ "id": global_id("Transaction", transaction) }),
        )
        .await;
    assert!(body["errors"].is_null(), "{body}");
    body["data"]["node"].clone()
}

/// The user's stored spending of November 2026, by category.
async fn spending(db: &DatabaseConnection, user: i64) -> Vec<(String, i64)> {
    use moneta_entities::monthly_spending as ms;
    let mut rows: Vec<(String, i64)> = ms::Entity::find()
        .filter(ms::Column::UserId.eq(user))
        .filter(ms::Column::Month.eq(202_611))
        .all(db)
        .await
        .unwrap()
        .into_iter()
        .filter(|r| r.amount_cents != 0)
        .map(|r| (r.category, r.amount_cents))
        .collect();
    rows.sort();
    rows
}

fn coffee_rule(category: &str) -> Value {
    json!({
        "name": "Coffee is entertainment",
        "match": "ANY",
        "conditions": [{ "merchantContains": "coffee" }, { "sellerContains": "bean there" }],
        "setCategory": category,
    })
}

async fn create(app: &TestApp, token: &str, rule: Value, apply: bool) -> Value {
    let body = app
        .graphql_as(
            token,
            CREATE,
            json!({ "input": { "rule": rule, "applyToExisting": apply } }),
        )
        .await;
    assert!(body["errors"].is_null(), "{body}");
    body["data"]["createRule"].clone()
}

/// Four November transactions of one user: a dictionary merchant twice,
/// an unknown local one, and a paycheck.
async fn four_transactions(app: &TestApp, user: i64) {
    let db = app.db.connect().await;
    let day = |d| Utc.with_ymd_and_hms(2026, 11, d, 12, 0, 0).unwrap();
    insert_transaction(
        &db,
        user,
        1,
        11,
        "SQ *BLUE BOTTLE COFFEE 0423 OAKLAND CA",
        450,
        day(3),
    )
    .await;
    insert_transaction(&db, user, 1, 12, "BLUE BOTTLE COFFEE #12", 650, day(4)).await;
    insert_transaction(&db, user, 1, 13, "TST* BEAN THERE CAFE 0231", 300, day(5)).await;
    insert_transaction(&db, user, 1, 14, "ACME PAYROLL", -250_000, day(6)).await;
    moneta_core::spending::recompute_months(
        &db,
        moneta_core::UserId::new(user),
        &[moneta_core::month::Month::from_int(202_611).unwrap()],
        Utc::now(),
    )
    .await
    .unwrap();
}

#[tokio::test]
async fn merchants_are_named_and_every_category_says_why() {
    let app = TestApp::spawn().await;
    let (token, me) = user(&app, 1).await;
    four_transactions(&app, me).await;

    let known = node(&app, &token, 11).await;
    assert_eq!(known["seller"], "SQ *BLUE BOTTLE COFFEE 0423 OAKLAND CA");
    assert_eq!(
        known["merchant"],
        json!({ "name": "Blue Bottle Coffee", "logo": null, "website": null })
    );
    let reason = &known["categoryReason"];
    assert_eq!(reason["source"], "SELLER_MAP", "{known}");
    assert_eq!(reason["dictionaryKey"], "BLUE BOTTLE COFFEE");
    assert_eq!(reason["confidence"], 0.95);
    assert!(
        reason["summary"]
            .as_str()
            .unwrap()
            .contains("Blue Bottle Coffee")
    );

    let unknown = node(&app, &token, 13).await;
    assert_eq!(unknown["merchant"]["name"], "Bean There Cafe", "{unknown}");
    assert_eq!(unknown["category"], "UNCATEGORIZED");
    assert_eq!(unknown["categoryReason"]["source"], "NONE");
    assert_eq!(unknown["categoryReason"]["confidence"], Value::Null);

    // The user's rule, by name.
    let created = create(&app, &token, coffee_rule("ENTERTAINMENT"), true).await;
    assert_eq!(created["userErrors"], json!([]), "{created}");
    let rule_id = created["rule"]["id"].as_str().unwrap().to_owned();
    let ruled = node(&app, &token, 13).await;
    assert_eq!(ruled["category"], "ENTERTAINMENT");
    assert_eq!(ruled["categoryReason"]["source"], "RULE");
    assert_eq!(ruled["categoryReason"]["ruleId"], rule_id.as_str());
    assert_eq!(
        ruled["categoryReason"]["ruleName"],
        "Coffee is entertainment"
    );
    assert_eq!(ruled["categoryReason"]["confidence"], Value::Null);

    // The user's override.
    let set = app
        .graphql_as(
            &token,
            SET,
            json!({ "input": { "transactionId": global_id("Transaction", 13), "category": "FOOD" } }),
        )
        .await;
    assert_eq!(
        set["data"]["setTransactionCategory"]["rule"],
        Value::Null,
        "{set}"
    );
    let overridden = node(&app, &token, 13).await;
    assert_eq!(overridden["categoryReason"]["source"], "USER");
    assert!(
        overridden["categoryReason"]["summary"]
            .as_str()
            .unwrap()
            .contains("You chose")
    );
}

#[tokio::test]
async fn the_crowd_reason_counts_its_votes() {
    let app = TestApp::spawn().await;
    let db = app.db.connect().await;
    let day = Utc.with_ymd_and_hms(2026, 11, 3, 12, 0, 0).unwrap();
    for n in 0..3 {
        let (token, me) = user(&app, 100 + n).await;
        insert_transaction(
            &db,
            me,
            100 + n,
            200 + n,
            "TST* JOES CRAB SHACK 0231",
            2_500,
            day,
        )
        .await;
        let body = app
            .graphql_as(
                &token,
                SET,
                json!({ "input": { "transactionId": global_id("Transaction", 200 + n), "category": "FOOD" } }),
            )
            .await;
        assert!(body["errors"].is_null(), "{body}");
    }
    let (token, me) = user(&app, 1).await;
    insert_transaction(&db, me, 1, 11, "JOES CRAB SHACK", 4_000, day).await;
    let crowd = node(&app, &token, 11).await;
    assert_eq!(crowd["category"], "FOOD", "{crowd}");
    let reason = &crowd["categoryReason"];
    assert_eq!(reason["source"], "CROWD");
    assert_eq!(
        (
            reason["crowdVotesFor"].as_i64(),
            reason["crowdVoters"].as_i64()
        ),
        (Some(3), Some(3))
    );
    assert_eq!(reason["confidence"], 1.0);
    assert_eq!(crowd["merchant"]["name"], "Joes Crab Shack");
}

/// The category and source of transactions 11–14.
async fn categories(app: &TestApp, token: &str) -> Vec<(Value, Value)> {
    let mut out = Vec::new();
    for id in 11..=14 {
        let n = node(app, token, id).await;
        out.push((n["category"].clone(), n["categorySource"].clone()));
    }
    out
}

#[tokio::test]
async fn a_preview_is_what_apply_changes_and_undo_restores_categories_and_spending() {
    let app = TestApp::spawn().await;
    let db = app.db.connect().await;
    let (token, me) = user(&app, 1).await;
    four_transactions(&app, me).await;
    let before = spending(&db, me).await;
    assert_eq!(
        before,
        [
            ("FOOD".to_owned(), 1_100),
            ("UNCATEGORIZED".to_owned(), -249_700)
        ]
    );
    let categories_before = categories(&app, &token).await;

    let preview = app
        .graphql_as(
            &token,
            PREVIEW,
            json!({ "rule": coffee_rule("ENTERTAINMENT") }),
        )
        .await;
    assert!(preview["errors"].is_null(), "{preview}");
    let preview = &preview["data"]["previewRule"];
    assert_eq!(preview["count"], 3, "{preview}");
    // A dry run: nothing changed.
    assert_eq!(categories(&app, &token).await, categories_before);
    assert_eq!(spending(&db, me).await, before);

    let created = create(&app, &token, coffee_rule("ENTERTAINMENT"), true).await;
    assert_eq!(
        created["changes"], *preview,
        "apply changes exactly what the preview listed"
    );
    assert_eq!(created["application"]["changedCount"], 3);
    assert_eq!(
        spending(&db, me).await,
        [
            ("ENTERTAINMENT".to_owned(), 1_400),
            ("UNCATEGORIZED".to_owned(), -250_000)
        ]
    );
    // An override set after the application survives its undo.
    app.graphql_as(
        &token,
        SET,
        json!({ "input": { "transactionId": global_id("Transaction", 12), "category": "TRAVEL" } }),
    )
    .await;
    let application = created["application"]["id"].as_str().unwrap().to_owned();
    let undone = app
        .graphql_as(
            &token,
            UNDO,
            json!({ "input": { "applicationId": application } }),
        )
        .await;
    assert!(
        undone["data"]["undoRuleApplication"]["application"]["undoneAt"].is_string(),
        "{undone}"
    );
    let mut expected = categories_before.clone();
    expected[1] = (json!("TRAVEL"), json!("USER"));
    assert_eq!(categories(&app, &token).await, expected);
    assert_eq!(
        spending(&db, me).await,
        [
            ("FOOD".to_owned(), 450),
            ("TRAVEL".to_owned(), 650),
            ("UNCATEGORIZED".to_owned(), -249_700)
        ]
    );
    // Clearing the override returns it to its automatic category.
    let cleared = app
        .graphql_as(
            &token,
            CLEAR,
            json!({ "input": { "transactionId": global_id("Transaction", 12) } }),
        )
        .await;
    assert_eq!(
        cleared["data"]["clearTransactionCategory"]["transaction"],
        json!({ "category": "FOOD", "categorySource": "SELLER_MAP" }),
        "{cleared}"
    );
    assert_eq!(categories(&app, &token).await, categories_before);
    assert_eq!(spending(&db, me).await, before);

    // An application is undone once.
    let again = app
        .graphql_as(
            &token,
            UNDO,
            json!({ "input": { "applicationId": application } }),
        )
        .await;
    assert_eq!(
        again["errors"][0]["extensions"]["code"], "NOT_FOUND",
        "{again}"
    );
    assert_eq!(spending(&db, me).await, before);
    // The rule stays, for new transactions.
    let rules = app.graphql_as(&token, RULES, json!({})).await;
    assert_eq!(
        rules["data"]["rules"].as_array().map(Vec::len),
        Some(1),
        "{rules}"
    );
}

#[tokio::test]
async fn remember_for_this_merchant_creates_a_rule_the_user_sees() {
    let app = TestApp::spawn().await;
    let (token, me) = user(&app, 1).await;
    four_transactions(&app, me).await;
    let remember = |category: &str| json!({ "input": { "transactionId": global_id("Transaction", 11), "category": category, "rememberForMerchant": true } });
    let body = app.graphql_as(&token, SET, remember("ENTERTAINMENT")).await;
    let payload = &body["data"]["setTransactionCategory"];
    assert_eq!(
        payload["transaction"]["category"], "ENTERTAINMENT",
        "{body}"
    );
    assert_eq!(payload["rule"]["setCategory"], "ENTERTAINMENT");
    assert_eq!(payload["rule"]["name"], "Blue Bottle Coffee: ENTERTAINMENT");
    assert_eq!(
        payload["rule"]["conditions"],
        json!([{ "kind": "SELLER_EQUALS", "text": "BLUE BOTTLE COFFEE" }])
    );
    // Only that transaction changed now; the rule is listed.
    assert_eq!(node(&app, &token, 12).await["category"], "FOOD");
    let rules = app.graphql_as(&token, RULES, json!({})).await;
    assert_eq!(
        rules["data"]["rules"][0]["id"], payload["rule"]["id"],
        "{rules}"
    );
    // Remembering again updates that rule rather than adding another.
    let body = app.graphql_as(&token, SET, remember("SHOPPING")).await;
    let rules = app.graphql_as(&token, RULES, json!({})).await;
    assert_eq!(
        rules["data"]["rules"].as_array().map(Vec::len),
        Some(1),
        "{rules}"
    );
    assert_eq!(
        rules["data"]["rules"][0]["setCategory"], "SHOPPING",
        "{body}"
    );
}

#[tokio::test]
async fn bad_rules_are_refused_with_a_code_and_nothing_is_stored() {
    let app = TestApp::spawn().await;
    let (token, me) = user(&app, 1).await;
    four_transactions(&app, me).await;
    let cases = [
        (
            json!({ "name": "", "conditions": [{ "merchantContains": "x" }], "setCategory": "FOOD" }),
            "name",
        ),
        (
            json!({ "name": "none", "conditions": [], "setCategory": "FOOD" }),
            "conditions",
        ),
        (
            json!({ "name": "idle", "conditions": [{ "merchantContains": "x" }] }),
            "actions",
        ),
        (
            json!({ "name": "blank", "conditions": [{ "sellerEquals": " * " }], "setCategory": "FOOD" }),
            "conditions",
        ),
        (
            json!({ "name": "range", "conditions": [{ "amountBetween": { "min": "9", "max": "1" } }], "setCategory": "FOOD" }),
            "conditions",
        ),
        (
            json!({ "name": "cents", "conditions": [{ "amountBetween": { "min": "0.001" } }], "setCategory": "FOOD" }),
            "conditions",
        ),
        (
            json!({ "name": "both", "conditions": [{ "merchantContains": "x" }], "setCategory": "FOOD", "markTransfer": true }),
            "actions",
        ),
        (
            json!({ "name": "x".repeat(129), "conditions": [{ "merchantContains": "x" }], "setCategory": "FOOD" }),
            "name",
        ),
    ];
    for (rule, field) in cases {
        let payload = create(&app, &token, rule.clone(), true).await;
        assert_eq!(payload["rule"], Value::Null, "{rule}: {payload}");
        assert_eq!(
            payload["userErrors"][0]["code"], "INVALID",
            "{rule}: {payload}"
        );
        assert_eq!(
            payload["userErrors"][0]["field"],
            json!(["input", field]),
            "{rule}: {payload}"
        );
    }
    // A condition naming two kinds at once is not a oneOf: a GraphQL error.
    let two = app
        .graphql_as(
            &token,
            CREATE,
            json!({ "input": { "rule": { "name": "two", "conditions": [{ "merchantContains": "x", "sellerContains": "y" }], "setCategory": "FOOD" } } }),
        )
        .await;
    assert!(two["errors"].is_array(), "{two}");
    let preview = app
        .graphql_as(
            &token,
            PREVIEW,
            json!({ "rule": { "name": "", "conditions": [], "setCategory": "FOOD" } }),
        )
        .await;
    assert_eq!(
        preview["errors"][0]["extensions"]["code"], "BAD_USER_INPUT",
        "{preview}"
    );
    let rules = app.graphql_as(&token, RULES, json!({})).await;
    assert_eq!(rules["data"]["rules"], json!([]), "{rules}");
    assert_eq!(node(&app, &token, 11).await["category"], "FOOD");
}

#[tokio::test]
async fn rules_are_per_user() {
    let app = TestApp::spawn().await;
    let (alice, alice_id) = user(&app, 1).await;
    let (bob, _) = user(&app, 2).await;
    four_transactions(&app, alice_id).await;
    let created = create(&app, &alice, coffee_rule("ENTERTAINMENT"), true).await;
    let rule = created["rule"]["id"].as_str().unwrap().to_owned();
    let application = created["application"]["id"].as_str().unwrap().to_owned();
    let missing = global_id("Rule", 424_242);
    for id in [&rule, &missing] {
        for (query, input) in [
            (
                "mutation($input: RuleIdInput!) { applyRule(input: $input) { rule { id } } }",
                json!({ "ruleId": id }),
            ),
            (
                "mutation($input: RuleIdInput!) { deleteRule(input: $input) { deletedRuleId } }",
                json!({ "ruleId": id }),
            ),
            (
                "mutation($input: UpdateRuleInput!) { updateRule(input: $input) { rule { id } } }",
                json!({ "ruleId": id, "rule": coffee_rule("FOOD") }),
            ),
        ] {
            let body = app.graphql_as(&bob, query, json!({ "input": input })).await;
            assert_eq!(
                body["errors"][0]["extensions"]["code"], "NOT_FOUND",
                "{body}"
            );
        }
    }
    let undo = app
        .graphql_as(
            &bob,
            UNDO,
            json!({ "input": { "applicationId": application } }),
        )
        .await;
    assert_eq!(
        undo["errors"][0]["extensions"]["code"], "NOT_FOUND",
        "{undo}"
    );
    let reorder = app
        .graphql_as(
            &bob,
            "mutation($input: ReorderRulesInput!) { reorderRules(input: $input) { rules { id } userErrors { code field } } }",
            json!({ "input": { "ruleIds": [rule] } }),
        )
        .await;
    assert_eq!(
        reorder["data"]["reorderRules"]["userErrors"][0]["code"], "INVALID",
        "{reorder}"
    );
    let bobs = app.graphql_as(&bob, RULES, json!({})).await;
    assert_eq!(bobs["data"]["rules"], json!([]));
    // Alice's rule and what it did are intact.
    let rules = app.graphql_as(&alice, RULES, json!({})).await;
    assert_eq!(
        rules["data"]["rules"][0]["setCategory"], "ENTERTAINMENT",
        "{rules}"
    );
    assert_eq!(node(&app, &alice, 13).await["category"], "ENTERTAINMENT");
}

/// The sandbox login's transactions at `merchant`, as (category, source).
async fn at_merchant(app: &TestApp, token: &str, merchant: &str) -> Vec<(String, String)> {
    let body = app
        .graphql_as(
            token,
            "{ transactions(first: 100) { edges { node { category categorySource merchant { name } } } } }",
            json!({}),
        )
        .await;
    body["data"]["transactions"]["edges"]
        .as_array()
        .expect("edges")
        .iter()
        .map(|e| &e["node"])
        .filter(|n| n["merchant"]["name"] == merchant)
        .map(|n| {
            (
                n["category"].as_str().unwrap().to_owned(),
                n["categorySource"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

#[tokio::test]
async fn synced_transactions_follow_the_first_matching_rule_in_order() {
    let app = TestApp::spawn().await;
    let (token, _, _) = app.signed_up().await;
    // Two rules match the same merchants; the first in order decides,
    // over the dictionary.
    let broad = create(
        &app,
        &token,
        json!({ "name": "Everything out is shopping", "conditions": [{ "direction": "OUTFLOW" }], "setCategory": "SHOPPING" }),
        false,
    )
    .await;
    let narrow = create(
        &app,
        &token,
        json!({ "name": "Big outflows are travel", "conditions": [{ "amountBetween": { "min": "0.01" } }, { "direction": "OUTFLOW" }], "setCategory": "TRAVEL", "setDisplayName": "Somewhere" }),
        false,
    )
    .await;
    let reorder = app
        .graphql_as(
            &token,
            "mutation($input: ReorderRulesInput!) { reorderRules(input: $input) { rules { id position } userErrors { code } } }",
            json!({ "input": { "ruleIds": [narrow["rule"]["id"], broad["rule"]["id"]] } }),
        )
        .await;
    assert_eq!(
        reorder["data"]["reorderRules"]["rules"][0]["id"], narrow["rule"]["id"],
        "{reorder}"
    );
    linked_account(&app, &token, "user_good").await;
    let renamed = at_merchant(&app, &token, "Somewhere").await;
    assert!(!renamed.is_empty());
    assert!(
        renamed.iter().all(|(c, s)| c == "TRAVEL" && s == "RULE"),
        "{renamed:?}"
    );
    let body = app
        .graphql_as(
            &token,
            "{ transactions(first: 100) { edges { node { amount category categorySource } } } }",
            json!({}),
        )
        .await;
    for edge in body["data"]["transactions"]["edges"].as_array().unwrap() {
        let n = &edge["node"];
        let outflow = !n["amount"].as_str().unwrap().starts_with('-');
        assert_eq!(n["categorySource"] == "RULE", outflow, "{n}");
    }
}
