//! The entities agree with the migrated schema: one row of every table is
//! written through its entity and read back unchanged.

use chrono::{DateTime, TimeZone, Utc};

use crate::harness::TestDb;
use moneta_entities::{
    accounts, budget_overrides, category_rules, imports, monthly_spending, notifications,
    prelude::*, refresh_tokens, rule_application_changes, rule_applications, seller_votes, sellers,
    transactions, transfers, user_emails, user_seller_votes, users,
};
use sea_orm::{
    ActiveModelBehavior, ActiveModelTrait, ColumnTrait, DatabaseConnection, DbErr, EntityTrait,
    IntoActiveModel, ModelTrait, QueryFilter, QueryOrder,
};

/// A UTC instant with microseconds, as `DATETIME(6)` keeps them.
fn at(secs: i64, micros: u32) -> DateTime<Utc> {
    Utc.timestamp_opt(1_795_000_000 + secs, micros * 1_000)
        .single()
        .unwrap_or_default()
}

/// Inserts `model` (sea-orm reads the row back by primary key, as SQLite
/// has no RETURNING here) and checks that nothing changed on the way.
async fn roundtrip<M>(db: &DatabaseConnection, model: M) -> Result<(), DbErr>
where
    M: ModelTrait + IntoActiveModel<ActiveOf<M>> + Clone + PartialEq + std::fmt::Debug,
    M::Entity: EntityTrait<Model = M>,
    ActiveOf<M>: ActiveModelTrait<Entity = M::Entity> + ActiveModelBehavior + Send,
{
    let stored = model.clone().into_active_model().insert(db).await?;
    assert_eq!(model, stored);
    Ok(())
}

type ActiveOf<M> = <<M as ModelTrait>::Entity as EntityTrait>::ActiveModel;

/// On the harness's backend: MariaDB in CI, SQLite otherwise.
#[tokio::test]
async fn every_entity_roundtrips_through_the_migrated_schema() -> Result<(), DbErr> {
    let db = TestDb::new().await;
    every_entity_roundtrips(&db.connect().await).await
}

async fn every_entity_roundtrips(db: &DatabaseConnection) -> Result<(), DbErr> {
    roundtrip(
        db,
        users::Model {
            id: 1,
            email: "Ann@Example.com".into(),
            email_normalized: "ann@example.com".into(),
            password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".into(),
            monthly_income_cents: Some(512_345),
            created_at: at(0, 123_456),
            updated_at: at(1, 1),
            last_active_at: None,
            deleted_at: Some(at(2, 654_321)),
            home_currency: "EUR".into(),
        },
    )
    .await?;
    roundtrip(
        db,
        user_emails::Model {
            email_normalized: "ann@example.com".into(),
            // User 1's keyspace id.
            keyspace_id: vec![0x16, 0x6b, 0x40, 0xb4, 0x4a, 0xba, 0x4b, 0xd6],
            created_at: at(0, 0),
        },
    )
    .await?;
    roundtrip(
        db,
        refresh_tokens::Model {
            user_id: 1,
            id: 10,
            family_id: 11,
            token_hash: "ab".repeat(32),
            expires_at: at(86_400, 999_999),
            created_at: at(0, 5),
            revoked_at: Some(at(60, 0)),
        },
    )
    .await?;
    roundtrip(
        db,
        accounts::Model {
            user_id: 1,
            id: 20,
            institution: "sandbox".into(),
            login: "ann".into(),
            display_name: "Checking".into(),
            credentials_ciphertext: vec![0, 1, 2, 255, 254],
            status: "active".into(),
            sync_cursor: Some("cursor-1".into()),
            last_synced_at: Some(at(30, 0)),
            currency: "GBP".into(),
            created_at: at(0, 0),
            updated_at: at(0, 0),
        },
    )
    .await?;
    for (id, posted, pending) in [(30, at(100, 500_000), true), (31, at(100, 0), false)] {
        roundtrip(
            db,
            transactions::Model {
                user_id: 1,
                id,
                account_id: 20,
                provider_transaction_id: format!("p-{id}"),
                pending,
                pending_transaction_id: (!pending).then(|| "p-30".to_owned()),
                posted_at: posted,
                month: 202_611,
                seller_raw: "STARBUCKS #123 SEATTLE".into(),
                seller_normalized: "starbucks".into(),
                amount_cents: 1_250,
                category: "dining".into(),
                category_source: "dictionary".into(),
                user_category: None,
                rule_id: (!pending).then_some(50),
                display_name: (!pending).then(|| "Starbucks Reserve".to_owned()),
                transfer_id: (!pending).then_some(60),
                created_at: at(0, 0),
                updated_at: at(0, 0),
            },
        )
        .await?;
    }
    roundtrip(
        db,
        monthly_spending::Model {
            user_id: 1,
            month: 202_611,
            category: "dining".into(),
            amount_cents: 9_007_199_254_740_993,
            updated_at: at(0, 0),
        },
    )
    .await?;
    roundtrip(
        db,
        budget_overrides::Model {
            user_id: 1,
            category: "dining".into(),
            amount_cents: 40_000,
            updated_at: at(0, 0),
        },
    )
    .await?;
    roundtrip(
        db,
        notifications::Model {
            user_id: 1,
            id: 40,
            kind: "budget_exceeded".into(),
            category: Some("dining".into()),
            month: Some(202_611),
            message: "Dining is over budget".into(),
            is_read: false,
            created_at: at(0, 0),
        },
    )
    .await?;
    roundtrip(
        db,
        sellers::Model {
            normalized_name: "starbucks".into(),
            display_name: "Starbucks".into(),
            category: "dining".into(),
            updated_at: at(0, 0),
        },
    )
    .await?;
    roundtrip(
        db,
        seller_votes::Model {
            seller: "starbucks".into(),
            category: "dining".into(),
            votes: 3,
            updated_at: at(0, 0),
        },
    )
    .await?;
    roundtrip(
        db,
        user_seller_votes::Model {
            user_id: 1,
            seller: "starbucks".into(),
            category: "dining".into(),
            created_at: at(0, 0),
            updated_at: at(0, 0),
        },
    )
    .await?;
    roundtrip(
        db,
        category_rules::Model {
            user_id: 1,
            id: 50,
            position: 0,
            name: "Coffee is food".into(),
            enabled: true,
            match_all: false,
            conditions: r#"[{"kind":"merchant_contains","value":"coffee"}]"#.into(),
            set_category: Some("FOOD".into()),
            set_display_name: None,
            mark_transfer: false,
            created_at: at(0, 0),
            updated_at: at(1, 250_000),
        },
    )
    .await?;
    roundtrip(
        db,
        rule_applications::Model {
            user_id: 1,
            id: 51,
            rule_id: 50,
            changed: 1,
            created_at: at(0, 0),
            undone_at: Some(at(2, 0)),
        },
    )
    .await?;
    roundtrip(
        db,
        rule_application_changes::Model {
            user_id: 1,
            application_id: 51,
            transaction_id: 31,
            month: 202_611,
            previous_category: "UNCATEGORIZED".into(),
            previous_source: "NONE".into(),
            previous_rule_id: None,
            previous_display_name: Some("Old name".into()),
        },
    )
    .await?;
    roundtrip(
        db,
        transfers::Model {
            user_id: 1,
            id: 60,
            outflow_id: 31,
            inflow_id: 32,
            state: "CONFIRMED".into(),
            confidence: 95,
            outflow_previous_category: "UNCATEGORIZED".into(),
            outflow_previous_source: "NONE".into(),
            inflow_previous_category: "INCOME".into(),
            inflow_previous_source: "SELLER_MAP".into(),
            created_at: at(0, 0),
            updated_at: at(0, 0),
        },
    )
    .await?;
    roundtrip(
        db,
        imports::Model {
            user_id: 1,
            id: 70,
            account_id: 20,
            sha256: "0f".repeat(32),
            format: "OFX".into(),
            file_name: "Relevé été.ofx".into(),
            added: 73,
            duplicates: 2,
            rejected: 1,
            created_at: at(0, 42),
        },
    )
    .await?;

    // Sub-second timestamps order correctly (keyset pagination relies on it).
    let newest_first: Vec<i64> = Transactions::find()
        .filter(transactions::Column::UserId.eq(1))
        .order_by_desc(transactions::Column::PostedAt)
        .order_by_desc(transactions::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(|t| t.id)
        .collect();
    assert_eq!(newest_first, vec![30, 31]);

    assert_eq!(Users::find_by_id(1).one(db).await?.map(|u| u.id), Some(1));
    assert!(RefreshTokens::find_by_id((1, 10)).one(db).await?.is_some());
    Ok(())
}
