//! The shared check every syncing test runs: `monthlySpending`, through
//! the API, equals the per-category sum of the user's transactions.

use std::collections::{BTreeMap, BTreeSet};

use rust_decimal::Decimal;
use sea_orm::{ColumnTrait as _, EntityTrait as _, QueryFilter as _};
use serde_json::json;

use super::TestApp;

/// The ten spending categories, in the API's order.
pub const SPENDING: [&str; 10] = [
    "HOUSING",
    "FOOD",
    "GAS",
    "SHOPPING",
    "UTILITIES",
    "TRANSPORTATION",
    "HEALTH",
    "ENTERTAINMENT",
    "TRAVEL",
    "PERSONAL_CARE",
];

pub async fn assert_monthly_spending_matches(app: &TestApp, token: &str, user: i64) {
    let rows = moneta_entities::transactions::Entity::find()
        .filter(moneta_entities::transactions::Column::UserId.eq(user))
        .all(&app.db.connect().await)
        .await
        .unwrap();
    let mut expected: BTreeMap<(i32, String), i64> = BTreeMap::new();
    let mut months = BTreeSet::new();
    for r in rows {
        months.insert(r.month);
        let category = r.user_category.unwrap_or(r.category);
        *expected.entry((r.month, category)).or_default() += r.amount_cents;
    }
    for month in months {
        let label = format!("{:04}-{:02}", month / 100, month % 100);
        let body = app
            .graphql_as(
                token,
                "query($m: Month!) { monthlySpending(month: $m) { category amount } }",
                json!({ "m": label }),
            )
            .await;
        let listed = body["data"]["monthlySpending"].as_array().expect("list");
        let categories: Vec<&str> = listed
            .iter()
            .map(|c| c["category"].as_str().unwrap())
            .collect();
        assert_eq!(
            categories, SPENDING,
            "all ten spending categories, in order"
        );
        for entry in listed {
            let category = entry["category"].as_str().unwrap();
            let amount: Decimal = entry["amount"].as_str().unwrap().parse().unwrap();
            let cents = expected
                .get(&(month, category.to_owned()))
                .copied()
                .unwrap_or(0);
            assert_eq!(amount, Decimal::new(cents, 2), "{label} {category}");
        }
    }
}
