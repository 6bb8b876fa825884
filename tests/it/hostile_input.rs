//! Input that is not what it claims: every malformed scalar answers
//! BAD_USER_INPUT, and strings with control characters are refused before
//! anything is stored.

use serde_json::{Value, json};

use crate::harness::TestApp;
use crate::sync::{assert_link_refused, link};

const SET_INCOME: &str =
    "mutation($input: SetIncomeInput!) { setIncome(input: $input) { userErrors { code } } }";
const SET_BUDGET: &str =
    "mutation($input: SetBudgetInput!) { setBudget(input: $input) { userErrors { code } } }";
const INCOME_AS_VARIABLE: &str = "mutation($amount: Decimal!) { setIncome(input: { monthlyIncome: $amount }) { userErrors { code } } }";
const BUDGET: &str = "query($m: Month!) { budget(month: $m) { month } }";
const SPENDING: &str = "query($m: Month!) { monthlySpending(month: $m) { category } }";
const TRANSACTIONS_IN: &str =
    "query($m: Month) { transactions(first: 1, filter: { month: $m }) { edges { cursor } } }";
const ME: &str = "{ me { monthlyIncome } }";

fn malformed_decimals() -> Vec<Value> {
    vec![
        json!("NaN"),
        json!("Infinity"),
        json!("-Infinity"),
        json!("1e400"),
        json!(""),
        json!(" "),
        json!("12,50"),
        json!("1.2.3"),
        json!("0x10"),
        json!("ten"),
        json!("9".repeat(200)),
        json!(1e300),
        json!(true),
        json!([]),
        json!({ "amount": 1 }),
    ]
}

fn malformed_months() -> Vec<Value> {
    vec![
        json!("2026-13"),
        json!("2026-00"),
        json!("2026-1"),
        json!("26-01"),
        json!("2026-01-01"),
        json!("January"),
        json!(""),
        json!("NaN"),
        json!("99999999999-01"),
        json!(202601),
        json!(false),
        json!(["2026-01"]),
    ]
}

fn assert_bad_user_input(body: &Value, what: &str) {
    let errors = body["errors"]
        .as_array()
        .unwrap_or_else(|| panic!("{what}: {body}"));
    assert!(!errors.is_empty(), "{what}: {body}");
    for error in errors {
        assert_eq!(
            error["extensions"]["code"], "BAD_USER_INPUT",
            "{what}: {body}"
        );
    }
}

#[tokio::test]
async fn every_malformed_scalar_variable_is_bad_user_input() {
    let app = TestApp::spawn().await;
    let (token, _, _) = app.signed_up().await;
    for value in malformed_decimals() {
        for (query, variables) in [
            (SET_INCOME, json!({ "input": { "monthlyIncome": value } })),
            (
                SET_BUDGET,
                json!({ "input": { "category": "FOOD", "amount": value } }),
            ),
            (INCOME_AS_VARIABLE, json!({ "amount": value })),
        ] {
            let body = app.graphql_as(&token, query, variables).await;
            assert_bad_user_input(&body, &format!("Decimal {value}"));
        }
    }
    for value in malformed_months() {
        for query in [BUDGET, SPENDING, TRANSACTIONS_IN] {
            let body = app.graphql_as(&token, query, json!({ "m": value })).await;
            assert_bad_user_input(&body, &format!("Month {value}"));
        }
    }
    // Wrong types for the built-in scalars too.
    for (query, variables) in [
        (SET_INCOME, json!({ "input": { "monthlyIncome": null } })),
        (
            "query($id: ID!) { account(id: $id) { id } }",
            json!({ "id": { "nested": true } }),
        ),
        (
            "query($n: Int) { transactions(first: $n) { edges { cursor } } }",
            json!({ "n": 1e20 }),
        ),
        (
            "query($n: Int) { transactions(first: $n) { edges { cursor } } }",
            json!({ "n": "ten" }),
        ),
    ] {
        let body = app.graphql_as(&token, query, variables.clone()).await;
        assert_bad_user_input(&body, &variables.to_string());
    }
    // Nothing was stored, and the server still answers.
    let me = app.graphql_as(&token, ME, json!({})).await;
    assert_eq!(me["data"]["me"]["monthlyIncome"], Value::Null, "{me}");
    let budget = app
        .graphql_as(&token, BUDGET, json!({ "m": "2026-11" }))
        .await;
    assert_eq!(budget["data"]["budget"]["month"], "2026-11", "{budget}");
}

#[tokio::test]
async fn control_characters_in_stored_strings_are_refused() {
    let app = TestApp::spawn().await;
    let (token, _, _) = app.signed_up().await;
    for (login, password, field) in [
        ("user\u{0}good", "pass_good", "login"),
        ("user_good\u{0}", "pass_good", "login"),
        ("user\u{1b}[31mgood", "pass_good", "login"),
        ("user\u{85}good", "pass_good", "login"),
        ("user_good", "pass\u{0}good", "password"),
    ] {
        let payload = link(&app, &token, login, password).await;
        assert_link_refused(&payload, "INVALID", Some(&["input", field]));
    }
    let accounts = app
        .graphql_as(&token, "{ accounts { id } }", json!({}))
        .await;
    assert_eq!(accounts["data"]["accounts"], json!([]), "{accounts}");

    let registered = app
        .register("nul\u{0}@example.com", "a long enough password")
        .await;
    assert_eq!(registered["accessToken"], Value::Null, "{registered}");
    assert_eq!(
        registered["userErrors"][0]["code"], "INVALID",
        "{registered}"
    );
    let login = app
        .login("nul\u{0}@example.com", "a long enough password")
        .await;
    assert_eq!(
        login["userErrors"][0]["code"], "INVALID_CREDENTIALS",
        "{login}"
    );

    // Still up: the same login without the NUL links.
    let payload = link(&app, &token, "user_good", "pass_good").await;
    assert_eq!(payload["userErrors"], json!([]), "{payload}");
}
