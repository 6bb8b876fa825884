//! Ingestion benchmark, on MariaDB/MySQL: transactions per second through
//! the pipeline's page application (categorize + idempotent upsert +
//! monthly aggregation), beside the floor — a raw multi-row upsert of the
//! same rows into the same table — measured in the same run.
//!
//! `MONETA_BENCH_DATABASE_URL=mysql://root@127.0.0.1:3306 cargo bench --bench ingest`
//! (a server URL; a scratch database is created and dropped).

use std::sync::Arc;
use std::time::Instant;

use chrono::{NaiveDate, TimeZone as _, Utc};
use moneta_core::categories::{Categorizer, SellerDictionary};
use moneta_core::error::{InternalError, TRANSIENT_ATTEMPTS, backoff};
use moneta_core::institutions::SyncPage;
use moneta_core::institutions::sandbox::SandboxInstitution;
use moneta_core::sync::{CarriedOverrides, apply_page, month_of};
use moneta_core::{IdGenerator, UserId, spending};
use moneta_entities::{accounts, transactions};
use moneta_platform::config::Settings;
use sea_orm::sea_query::OnConflict;
use sea_orm::{ActiveValue::Set, ConnectionTrait as _, Database, EntityTrait};
use secrecy::SecretString;

const USERS: i64 = 300;
const CONCURRENCY: usize = 4;
const CHUNK: usize = 500;

fn main() -> anyhow::Result<()> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?
        .block_on(run())
}

async fn run() -> anyhow::Result<()> {
    let server = std::env::var("MONETA_BENCH_DATABASE_URL")
        .unwrap_or_else(|_| "mysql://root@127.0.0.1:3306".to_owned());
    let name = format!("moneta_bench_{}", std::process::id());
    let admin = Database::connect(&server).await?;
    admin
        .execute_unprepared(&format!("CREATE DATABASE `{name}` CHARACTER SET utf8mb4"))
        .await?;
    let url = format!("{server}/{name}");
    let result = bench(&url).await;
    admin
        .execute_unprepared(&format!("DROP DATABASE `{name}`"))
        .await?;
    result
}

async fn bench(url: &str) -> anyhow::Result<()> {
    let mut settings = Settings::defaults();
    settings.database_url = Some(SecretString::from(url.to_owned()));
    settings.database_max_connections = (CONCURRENCY * 2) as u32;
    moneta::migrate(&settings).await?;
    let db = moneta_platform::db::connect(&settings).await?;
    let categorizer = Categorizer::new(Arc::new(SellerDictionary::load(&db).await?));
    let ids = Arc::new(IdGenerator::new());
    let day = NaiveDate::from_ymd_opt(2026, 11, 20).unwrap_or_default();
    let now = Utc
        .with_ymd_and_hms(2026, 11, 20, 12, 0, 0)
        .single()
        .unwrap_or_default();

    // Realistic pages: each user's 90-day sandbox history.
    let pages: Vec<(i64, SyncPage)> = (1..=USERS)
        .map(|u| {
            let added = SandboxInstitution::transactions_as_of(&format!("bench_{u}"), day);
            (
                u,
                SyncPage {
                    added,
                    next_cursor: "bench".into(),
                    ..SyncPage::default()
                },
            )
        })
        .collect();
    let total: usize = pages.iter().map(|(_, p)| p.added.len()).sum();
    for u in 1..=2 * USERS {
        accounts::Entity::insert(accounts::ActiveModel {
            user_id: Set(u),
            id: Set(u),
            institution: Set("sandbox".into()),
            login: Set(format!("bench_{u}")),
            display_name: Set("bench".into()),
            credentials_ciphertext: Set(vec![0]),
            status: Set("ACTIVE".into()),
            sync_cursor: Set(None),
            last_synced_at: Set(None),
            created_at: Set(now),
            updated_at: Set(now),
        })
        .exec_without_returning(&db)
        .await?;
    }

    // The floor: the same rows, categorized beforehand, upserted raw, for
    // users USERS+1..=2*USERS.
    let mut raw_rows = Vec::new();
    for (u, page) in &pages {
        let sellers: Vec<&str> = page.added.iter().map(|t| t.seller.as_str()).collect();
        let categorized = categorizer.categorize(&db, &sellers).await?;
        let rows: Vec<transactions::ActiveModel> = page
            .added
            .iter()
            .zip(categorized)
            .map(|(t, c)| transactions::ActiveModel {
                user_id: Set(u + USERS),
                id: Set(ids.next_id()),
                account_id: Set(u + USERS),
                provider_transaction_id: Set(t.provider_id.clone()),
                pending: Set(t.pending),
                pending_transaction_id: Set(t.pending_transaction_id.clone()),
                posted_at: Set(t.posted_at),
                month: Set(month_of(t.posted_at)),
                seller_raw: Set(t.seller.clone()),
                seller_normalized: Set(c.seller_key),
                amount_cents: Set(t.amount_cents),
                category: Set(c.category.as_str().to_owned()),
                category_source: Set(c.source.as_str().to_owned()),
                user_category: Set(None),
                created_at: Set(now),
                updated_at: Set(now),
            })
            .collect();
        raw_rows.push(rows);
    }
    let started = Instant::now();
    run_concurrently(raw_rows, |rows| {
        let db = db.clone();
        async move {
            for chunk in rows.chunks(CHUNK) {
                // The same retry on deadlock as the pipeline's.
                let mut attempt = 0;
                loop {
                    attempt += 1;
                    match upsert(&db, chunk).await {
                        Err(e) if e.is_transient() && attempt < TRANSIENT_ATTEMPTS => {
                            backoff(attempt).await
                        }
                        other => break other?,
                    }
                }
            }
            Ok(())
        }
    })
    .await?;
    let raw_secs = started.elapsed().as_secs_f64();

    // The pipeline: categorize + upsert (with the cursor, in one
    // transaction per page) + monthly spending, for users 1..=USERS.
    let started = Instant::now();
    run_concurrently(pages, |(u, page)| {
        let db = db.clone();
        let categorizer = categorizer.clone();
        let ids = ids.clone();
        async move {
            let user = UserId::new(u);
            let mut carried = CarriedOverrides::new();
            let mut attempt = 0;
            let applied = loop {
                attempt += 1;
                match apply_page(&db, &categorizer, &ids, user, u, &page, &mut carried, now).await {
                    Err(e) if e.is_transient() && attempt < TRANSIENT_ATTEMPTS => {
                        backoff(attempt).await
                    }
                    other => break other?,
                }
            };
            let months: Vec<i32> = applied.months.into_iter().collect();
            spending::recompute_months(&db, user, &months, now).await?;
            Ok(())
        }
    })
    .await?;
    let pipeline_secs = started.elapsed().as_secs_f64();

    let rate = |secs: f64| total as f64 / secs;
    println!(
        "transactions:                         {total} ({USERS} users, {CONCURRENCY} at a time)"
    );
    println!(
        "floor: raw multi-row upsert:          {:>10.0} tx/s",
        rate(raw_secs)
    );
    println!(
        "pipeline: categorize+upsert+aggregate: {:>10.0} tx/s",
        rate(pipeline_secs)
    );
    println!(
        "pipeline / floor:                     {:>10.2}",
        raw_secs / pipeline_secs
    );
    Ok(())
}

async fn upsert(
    db: &sea_orm::DatabaseConnection,
    chunk: &[transactions::ActiveModel],
) -> Result<(), InternalError> {
    transactions::Entity::insert_many(chunk.to_vec())
        .on_conflict(
            OnConflict::columns([
                transactions::Column::UserId,
                transactions::Column::AccountId,
                transactions::Column::ProviderTransactionId,
            ])
            .update_columns([
                transactions::Column::Pending,
                transactions::Column::AmountCents,
                transactions::Column::UpdatedAt,
            ])
            .to_owned(),
        )
        .exec_without_returning(db)
        .await?;
    Ok(())
}

/// Runs `work` over `items`, `CONCURRENCY` at a time.
async fn run_concurrently<T, F, Fut>(items: Vec<T>, work: F) -> anyhow::Result<()>
where
    T: Send + 'static,
    F: Fn(T) -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<()>> + Send + 'static,
{
    let mut queue = items.into_iter();
    let mut running = tokio::task::JoinSet::new();
    loop {
        while running.len() < CONCURRENCY {
            match queue.next() {
                Some(item) => {
                    running.spawn(work(item));
                }
                None => break,
            }
        }
        match running.join_next().await {
            Some(done) => done??,
            None => return Ok(()),
        }
    }
}
