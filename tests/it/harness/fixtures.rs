//! Rows the API cannot create yet (linking and syncing land with the
//! extraction pipeline), written straight into the test database.

use std::sync::Arc;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Datelike as _, Utc};
use moneta_core::categories::{Categorizer, SellerDictionary};
use sea_orm::{ActiveValue::Set, DatabaseConnection, EntityTrait as _};

/// The row id inside a global id (`base64("Type:123")` → 123).
pub fn row_id(global: &str) -> i64 {
    let raw = String::from_utf8(URL_SAFE_NO_PAD.decode(global).expect("b64")).expect("utf8");
    raw.split_once(':')
        .expect("typed id")
        .1
        .parse()
        .expect("number")
}

/// The global id of a row.
pub fn global_id(kind: &str, row: i64) -> String {
    URL_SAFE_NO_PAD.encode(format!("{kind}:{row}"))
}

pub async fn insert_account(db: &DatabaseConnection, user: i64, id: i64) {
    let now = Utc::now();
    let account = moneta_entities::accounts::ActiveModel {
        user_id: Set(user),
        id: Set(id),
        institution: Set("sandbox".into()),
        login: Set(format!("user_good_{id}")),
        display_name: Set("Sandbox checking".into()),
        credentials_ciphertext: Set(vec![1, 2, 3]),
        status: Set("ACTIVE".into()),
        sync_cursor: Set(None),
        last_synced_at: Set(Some(now)),
        currency: Set("USD".into()),
        created_at: Set(now),
        updated_at: Set(now),
    };
    moneta_entities::accounts::Entity::insert(account)
        .exec(db)
        .await
        .expect("insert account");
}

/// Inserts a transaction categorized as the pipeline would; returns its row id.
pub async fn insert_transaction(
    db: &DatabaseConnection,
    user: i64,
    account: i64,
    id: i64,
    seller_raw: &str,
    amount_cents: i64,
    posted_at: DateTime<Utc>,
) -> i64 {
    let dictionary = SellerDictionary::load(db).await.expect("dictionary");
    let categorizer = Categorizer::new(Arc::new(dictionary));
    let c = categorizer
        .categorize(db, &[seller_raw])
        .await
        .expect("categorize")
        .remove(0);
    let row = moneta_entities::transactions::ActiveModel {
        user_id: Set(user),
        id: Set(id),
        account_id: Set(account),
        provider_transaction_id: Set(format!("p-{id}")),
        pending: Set(false),
        pending_transaction_id: Set(None),
        posted_at: Set(posted_at),
        month: Set(posted_at.year() * 100 + posted_at.month() as i32),
        seller_raw: Set(seller_raw.to_owned()),
        seller_normalized: Set(c.seller_key),
        amount_cents: Set(amount_cents),
        category: Set(c.category.as_str().to_owned()),
        category_source: Set(c.source.as_str().to_owned()),
        user_category: Set(None),
        rule_id: Set(None),
        display_name: Set(None),
        transfer_id: Set(None),
        created_at: Set(posted_at),
        updated_at: Set(posted_at),
    };
    moneta_entities::transactions::Entity::insert(row)
        .exec(db)
        .await
        .expect("insert transaction");
    id
}

/// A user who spent `amount_cents` at `seller` on `at`: an account, one
/// transaction, and the month's spending recomputed, as a sync leaves them.
pub async fn spent(
    db: &DatabaseConnection,
    user: i64,
    account: i64,
    transaction: i64,
    seller_raw: &str,
    amount_cents: i64,
    at: DateTime<Utc>,
) {
    insert_account(db, user, account).await;
    insert_transaction(db, user, account, transaction, seller_raw, amount_cents, at).await;
    let month = moneta_core::month::Month::of(at);
    moneta_core::spending::recompute_months(db, moneta_core::UserId::new(user), &[month], at)
        .await
        .expect("recompute");
}
