//! A backfill's first page skips reading stored rows only when the account
//! holds none: on an account that already holds the rows a first page
//! names, the page still updates them (and the totals by the difference),
//! never counts them twice.

use std::sync::Arc;

use chrono::{TimeZone as _, Utc};
use moneta_core::categories::{Categorizer, SellerDictionary};
use moneta_core::institutions::{ProviderTransaction, SyncPage};
use moneta_core::money::Money;
use moneta_core::month::Month;
use moneta_core::spending::recompute_months;
use moneta_core::sync::{CarriedOverrides, PageApply};
use moneta_core::{IdGenerator, UserId};
use sea_orm::{ColumnTrait as _, EntityTrait as _, QueryFilter as _};

use crate::harness::app::TestApp;
use crate::harness::fixtures::{insert_account, insert_transaction, row_id};
use crate::harness::spending::assert_monthly_spending_matches;

#[tokio::test]
async fn a_first_page_on_an_account_holding_rows_updates_them_once() {
    let app = TestApp::spawn().await;
    let (token, _, id) = app.signed_up().await;
    let user = row_id(&id);
    let db = app.db.connect().await;
    insert_account(&db, user, 1).await;
    let at = Utc.with_ymd_and_hms(2026, 9, 14, 12, 0, 0).unwrap();
    insert_transaction(&db, user, 1, 7, "SAFEWAY #123", 4_210, at).await;
    recompute_months(&db, UserId::new(user), &[Month::of(at)], at)
        .await
        .unwrap();

    // The account's cursor is still empty, so the sync asks for its
    // first page; the bank names the stored row with a new amount, and
    // one new row.
    let page = SyncPage {
        added: vec![
            provider("p-7", "SAFEWAY #123", 5_000, at),
            provider("p-8", "SAFEWAY #123", 1_000, at),
        ],
        next_cursor: "next".into(),
        ..SyncPage::default()
    };
    let categorizer = Categorizer::new(Arc::new(SellerDictionary::load(&db).await.unwrap()));
    let ids = IdGenerator::new();
    let apply = PageApply {
        db: &db,
        categorizer: &categorizer,
        ids: &ids,
        user: UserId::new(user),
        account_id: 1,
        now: at,
        first_page: true,
    };
    let applied = apply
        .apply(&page, &mut CarriedOverrides::new())
        .await
        .unwrap();
    assert!(applied.account_exists);

    let rows = moneta_entities::transactions::Entity::find()
        .filter(moneta_entities::transactions::Column::UserId.eq(user))
        .all(&db)
        .await
        .unwrap();
    let mut amounts: Vec<i64> = rows.iter().map(|r| r.amount_cents).collect();
    amounts.sort_unstable();
    assert_eq!(amounts, [1_000, 5_000], "the stored row updated, one added");
    // The totals moved by 5,000 - 4,210 + 1,000, not by 6,000 on top.
    assert_monthly_spending_matches(&app, &token, user).await;
}

fn provider(id: &str, seller: &str, cents: i64, at: chrono::DateTime<Utc>) -> ProviderTransaction {
    ProviderTransaction {
        provider_id: id.into(),
        pending: false,
        pending_transaction_id: None,
        posted_at: at,
        seller: seller.into(),
        amount: Money::from_cents(cents),
        transfer_hint: false,
    }
}
