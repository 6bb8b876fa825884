//! Transfers between a user's own accounts, through real syncs of the
//! sandbox's `family_` households: a checking account paying its card and
//! moving money to savings. Both legs are detected, filed as TRANSFER and
//! kept out of spending; confirming keeps a pair through later syncs;
//! rejecting restores both legs and is never re-paired.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use crate::harness::TestApp;
use crate::harness::app::Options;
use crate::sync::linked_account;

const LEGS: &str = "{ transactions(first: 50) { edges { node { id postedAt seller amount category categorySource account { id } categoryReason { source confidence transferId } transfer { id state confidence } } } pageInfo { hasNextPage endCursor } } }";
const MORE: &str = "query($after: String) { transactions(first: 50, after: $after) { edges { node { id postedAt seller amount category categorySource account { id } categoryReason { source confidence transferId } transfer { id state confidence } } } pageInfo { hasNextPage endCursor } } }";
const CONFIRM: &str = "mutation($input: TransferIdInput!) { confirmTransfer(input: $input) { transfer { id state } } }";
const REJECT: &str = "mutation($input: TransferIdInput!) { rejectTransfer(input: $input) { transfer { id state } } }";
const REFRESH: &str = "mutation($input: RefreshAccountInput!) { refreshAccount(input: $input) { account { id } userErrors { code } } }";

/// A server whose cost buckets refill fast: these tests read every
/// transaction of three accounts several times over.
async fn roomy() -> TestApp {
    TestApp::spawn_with(Options {
        tweak: Some(Box::new(|s| s.edge.cost_drain_per_sec = 1_000_000)),
        ..Options::default()
    })
    .await
}

/// Every transaction of the user.
async fn all(app: &TestApp, token: &str) -> Vec<Value> {
    let mut out = Vec::new();
    let mut body = app.graphql_as(token, LEGS, json!({})).await;
    loop {
        assert!(body["errors"].is_null(), "{body}");
        let page = &body["data"]["transactions"];
        out.extend(
            page["edges"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| e["node"].clone()),
        );
        if page["pageInfo"]["hasNextPage"] != true {
            return out;
        }
        let after = page["pageInfo"]["endCursor"].clone();
        body = app.graphql_as(token, MORE, json!({ "after": after })).await;
    }
}

/// The month's spending per category as the API reports it.
async fn spending(app: &TestApp, token: &str, month: &str) -> BTreeMap<String, String> {
    let body = app
        .graphql_as(
            token,
            "query($m: Month!) { monthlySpending(month: $m) { category amount } }",
            json!({ "m": month }),
        )
        .await;
    body["data"]["monthlySpending"]
        .as_array()
        .expect("spending")
        .iter()
        .map(|r| {
            (
                r["category"].as_str().unwrap().to_owned(),
                r["amount"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn transfer_words(seller: &str) -> bool {
    seller.starts_with("PAYMENT TO SANDBOX CARD")
        || seller.starts_with("PAYMENT RECEIVED")
        || seller.starts_with("ONLINE TRANSFER")
}

#[tokio::test]
async fn card_payments_and_moves_to_savings_are_transfers_kept_out_of_spending() {
    let app = roomy().await;
    let (token, _, _) = app.signed_up().await;
    let checking = linked_account(&app, &token, "family_rivera").await;
    let month = "2026-11";
    let alone = spending(&app, &token, month).await;
    // Before its companions are linked, the checking legs are nobody's
    // transfers.
    let unpaired: Vec<Value> = all(&app, &token)
        .await
        .into_iter()
        .filter(|t| transfer_words(t["seller"].as_str().unwrap()))
        .collect();
    assert!(!unpaired.is_empty());
    assert!(
        unpaired.iter().all(|t| t["transfer"].is_null()),
        "{unpaired:?}"
    );

    let card = linked_account(&app, &token, "family_rivera+card").await;
    let savings = linked_account(&app, &token, "family_rivera+savings").await;
    let everything = all(&app, &token).await;
    let legs: Vec<&Value> = everything
        .iter()
        .filter(|t| transfer_words(t["seller"].as_str().unwrap()))
        .collect();
    // Three months of card payments and moves, two legs each (pending
    // ones excepted: a transfer pairs posted transactions).
    let paired: Vec<&&Value> = legs.iter().filter(|t| !t["transfer"].is_null()).collect();
    assert!(
        paired.len() >= 8,
        "{} of {} legs paired",
        paired.len(),
        legs.len()
    );
    for leg in &paired {
        assert_eq!(leg["category"], "TRANSFER", "{leg}");
        assert_eq!(leg["categorySource"], "TRANSFER");
        let transfer = &leg["transfer"];
        assert_eq!(transfer["state"], "DETECTED");
        assert_eq!(
            transfer["confidence"], 0.95,
            "the sandbox hints its transfers"
        );
        assert_eq!(leg["categoryReason"]["transferId"], transfer["id"]);
        let pair = app
            .graphql_as(
                &token,
                "query($id: ID!) { node(id: $id) { ... on Transaction { transfer { outflow { id amount } inflow { id amount } } } } }",
                json!({ "id": leg["id"] }),
            )
            .await;
        let pair = &pair["data"]["node"]["transfer"];
        let (out, inn) = (&pair["outflow"], &pair["inflow"]);
        assert_eq!(
            out["amount"].as_str().unwrap(),
            inn["amount"].as_str().unwrap().trim_start_matches('-'),
            "{pair}"
        );
        assert!(out["id"] == leg["id"] || inn["id"] == leg["id"]);
    }
    // Each pair joins checking with the card or savings.
    for leg in paired
        .iter()
        .filter(|t| t["account"]["id"] != checking.as_str())
    {
        assert!(leg["account"]["id"] == card.as_str() || leg["account"]["id"] == savings.as_str());
    }
    // Spending: checking's as it was, plus the card's purchases; the
    // payments and moves count nowhere.
    let with_card = spending(&app, &token, month).await;
    for (category, amount) in &with_card {
        let before: rust_decimal::Decimal = alone[category].parse().unwrap();
        let after: rust_decimal::Decimal = amount.parse().unwrap();
        let card_in_month: rust_decimal::Decimal = everything
            .iter()
            .filter(|t| t["account"]["id"] == card.as_str() && t["category"] == category.as_str())
            .filter(|t| month_of(t).as_deref() == Some(month))
            .map(|t| {
                t["amount"]
                    .as_str()
                    .unwrap()
                    .parse::<rust_decimal::Decimal>()
                    .unwrap()
            })
            .sum();
        assert_eq!(after, before + card_in_month, "{category}");
    }

    // Confirm one pair, reject another.
    let first = paired[0]["transfer"]["id"].clone();
    let second = paired
        .iter()
        .map(|t| t["transfer"]["id"].clone())
        .find(|id| *id != first)
        .expect("two pairs");
    let confirmed = app
        .graphql_as(&token, CONFIRM, json!({ "input": { "transferId": first } }))
        .await;
    assert_eq!(
        confirmed["data"]["confirmTransfer"]["transfer"]["state"], "CONFIRMED",
        "{confirmed}"
    );
    let rejected = app
        .graphql_as(&token, REJECT, json!({ "input": { "transferId": second } }))
        .await;
    assert_eq!(
        rejected["data"]["rejectTransfer"]["transfer"]["state"], "REJECTED",
        "{rejected}"
    );
    // A rejected pair cannot be confirmed, nor rejected twice.
    for query in [CONFIRM, REJECT] {
        let body = app
            .graphql_as(&token, query, json!({ "input": { "transferId": second } }))
            .await;
        assert_eq!(
            body["errors"][0]["extensions"]["code"], "NOT_FOUND",
            "{body}"
        );
    }

    // Later syncs of all three accounts neither split the confirmed pair
    // nor pair the rejected legs again.
    for account in [&checking, &card, &savings] {
        let synced = last_synced(&app, &token, account).await;
        let body = app
            .graphql_as(
                &token,
                REFRESH,
                json!({ "input": { "accountId": account } }),
            )
            .await;
        assert!(body["errors"].is_null(), "{body}");
        let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(30);
        while last_synced(&app, &token, account).await == synced {
            assert!(
                tokio::time::Instant::now() < deadline,
                "the refresh never synced"
            );
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        crate::sync::wait_for_status(&app, &token, account, "ACTIVE").await;
    }
    let after = all(&app, &token).await;
    let of = |id: &Value| -> Vec<Value> {
        after
            .iter()
            .filter(|t| t["transfer"]["id"] == *id)
            .cloned()
            .collect()
    };
    let kept = of(&first);
    assert_eq!(kept.len(), 2, "{kept:?}");
    assert!(
        kept.iter()
            .all(|t| t["transfer"]["state"] == "CONFIRMED" && t["category"] == "TRANSFER")
    );
    assert!(of(&second).is_empty());
    let restored: Vec<&Value> = after
        .iter()
        .filter(|t| {
            t["categoryReason"]["transferId"] == second
                || (t["transfer"].is_null() && paired.iter().any(|p| p["id"] == t["id"]))
        })
        .collect();
    assert_eq!(
        restored.len(),
        2,
        "both legs of the rejected pair: {restored:?}"
    );
    for leg in restored {
        assert_ne!(leg["category"], "TRANSFER", "{leg}");
        assert!(leg["transfer"].is_null());
    }
}

/// When the account last synced.
async fn last_synced(app: &TestApp, token: &str, account: &str) -> Value {
    let body = app
        .graphql_as(
            token,
            "query($id: ID!) { account(id: $id) { lastSyncedAt } }",
            json!({ "id": account }),
        )
        .await;
    body["data"]["account"]["lastSyncedAt"].clone()
}

/// `yyyy-mm` of a transaction (through its node's posting date).
fn month_of(t: &Value) -> Option<String> {
    t["postedAt"].as_str().map(|d| d[..7].to_owned())
}

#[tokio::test]
async fn another_users_transfer_behaves_like_a_missing_one() {
    let app = roomy().await;
    let (alice, _, _) = app.signed_up().await;
    let (bob, _, _) = app.signed_up().await;
    linked_account(&app, &alice, "family_chen").await;
    linked_account(&app, &alice, "family_chen+card").await;
    let id = all(&app, &alice)
        .await
        .into_iter()
        .find_map(|t| t["transfer"]["id"].as_str().map(str::to_owned))
        .expect("a detected transfer");
    for query in [CONFIRM, REJECT] {
        let body = app
            .graphql_as(&bob, query, json!({ "input": { "transferId": id } }))
            .await;
        assert_eq!(
            body["errors"][0]["extensions"]["code"], "NOT_FOUND",
            "{body}"
        );
    }
    let bad = app
        .graphql_as(
            &alice,
            CONFIRM,
            json!({ "input": { "transferId": "not-an-id" } }),
        )
        .await;
    assert_eq!(bad["errors"][0]["extensions"]["code"], "NOT_FOUND", "{bad}");
    let still = all(&app, &alice).await;
    assert!(
        still
            .iter()
            .any(|t| t["transfer"]["id"] == id.as_str() && t["transfer"]["state"] == "DETECTED")
    );
}
