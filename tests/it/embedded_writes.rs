//! The embedded default (SQLite, one writer at a time) under concurrent
//! writers: users recategorizing their transactions at once, each change
//! re-totalling their month, all answer without an error — a recompute
//! that read first used to fail with SQLITE_BUSY when another writer
//! committed under it (found by `loadtest/writes.js`).

use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::harness::cluster::Client;
use crate::harness::process;

const USERS: usize = 5;
const WRITES: usize = 12;
const CATEGORIES: [&str; 3] = ["FOOD", "SHOPPING", "ENTERTAINMENT"];

#[tokio::test]
async fn concurrent_recategorizations_on_the_embedded_default_all_succeed() {
    let data_dir = tempfile::tempdir().expect("temp dir");
    let mut server = process::embedded_server(data_dir.path());
    let addr = server.serving_addr(Duration::from_secs(120));
    let client = Client::new(format!("http://{addr}"));
    let mut users = Vec::new();
    for n in 0..USERS {
        let token = client.signed_up().await;
        client.link(&token, &format!("user_writes_{n}")).await;
        users.push(token);
    }
    let mut ids = Vec::new();
    for token in &users {
        ids.push(synced_transactions(&client, token).await);
    }

    let writers = users.iter().zip(&ids).map(|(token, ids)| {
        let client = &client;
        async move {
            let mut errors = Vec::new();
            for (i, id) in ids.iter().cycle().take(WRITES).enumerate() {
                let body = client
                    .graphql(
                        Some(token),
                        "mutation($input: SetTransactionCategoryInput!) { setTransactionCategory(input: $input) { userErrors { code } } }",
                        json!({ "input": { "transactionId": id, "category": CATEGORIES[i % 3] } }),
                    )
                    .await;
                if body.get("errors").is_some()
                    || body["data"]["setTransactionCategory"]["userErrors"] != json!([])
                {
                    errors.push(body);
                }
            }
            errors
        }
    });
    let errors: Vec<Value> = futures_util::future::join_all(writers)
        .await
        .into_iter()
        .flatten()
        .collect();
    assert!(
        errors.is_empty(),
        "{} of {} writes failed, e.g. {}\nthe server said:\n{}",
        errors.len(),
        USERS * WRITES,
        errors[0],
        server.output()
    );
}

/// The ids of the user's first transactions, once the account has synced.
async fn synced_transactions(client: &Client, token: &str) -> Vec<String> {
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let body = client
            .graphql(
                Some(token),
                "{ accounts { status } transactions(first: 5) { edges { node { id } } } }",
                json!({}),
            )
            .await;
        let ids: Vec<String> = body["data"]["transactions"]["edges"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|e| e["node"]["id"].as_str().map(str::to_owned))
            .collect();
        if body["data"]["accounts"][0]["status"] == "ACTIVE" && ids.len() == 5 {
            return ids;
        }
        assert!(
            Instant::now() < deadline,
            "the account did not sync: {body}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
