//! Ingestion benchmark, on MariaDB/MySQL: transactions per second through
//! the whole sync pipeline, as a worker runs it — take the job from the
//! queue, take the account's lease (renewed while it runs), open the
//! credentials, fetch each page from the connector, store it raw in the
//! object store, categorize and upsert it with the cursor, the monthly
//! totals' adjustment and the durable follow-up record in one transaction,
//! settle the follow-up (invalidate, evaluate alerts), set the status with
//! its notification, publish, acknowledge — beside the floor: a raw multi-row upsert of the same rows
//! into the same table, measured in the same run. Then the import of one
//! 50,000-transaction OFX file (`ImportService`, the same pipeline's page
//! apply) beside the pipeline's rate.
//!
//! The connector replays pages computed beforehand (the sandbox's 90-day
//! histories, in pages of 500: what a production connector asks for, as
//! Plaid's `/transactions/sync` allows at most), so the figures are
//! Moneta's cost, not the test bank's. Like a worker, each consumer is a
//! task of its own on a multi-threaded runtime, and the allocator is the
//! binary's.
//!
//! `MONETA_BENCH_DATABASE_URL=mysql://root@127.0.0.1:3306 cargo bench --bench ingest`
//! (a server URL; a scratch database is created and dropped). With
//! `MONETA_BENCH_REDIS_URL` the queue, leases, cache and events are Redis
//! (under a scratch key prefix), else the in-process ones.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, NaiveDate, TimeZone as _, Utc};
use moneta_core::IdGenerator;
use moneta_core::cache::{CacheSettings, ReadCache};
use moneta_core::categories::{Categorizer, SellerDictionary};
use moneta_core::clock::{SharedClock, SystemClock};
use moneta_core::credentials::CredentialsCipher;
use moneta_core::error::InternalError;
use moneta_core::imports::{DEFAULT_MAX_BYTES, ImportRequest, ImportService};
use moneta_core::institutions::sandbox::SandboxInstitution;
use moneta_core::institutions::{
    Credentials, Institution, InstitutionError, Institutions, LinkedAccount, LinkedLogin,
    ProviderTransaction, SyncPage,
};
use moneta_core::ports::{CacheStore, EventBus, JobQueue, Leases, SyncJob, SyncReason};
use moneta_core::seed;
use moneta_core::spending::FollowUp;
use moneta_core::sync::SyncPipeline;
use moneta_entities::accounts;
use moneta_platform::cache::{InProcessCache, RedisCache};
use moneta_platform::config::Settings;
use moneta_platform::event_bus::{InProcessEventBus, RedisEventBus};
use moneta_platform::lease::{InProcessLeases, RedisLeases};
use moneta_platform::queue::{InProcessJobQueue, RedisJobQueue};
use moneta_platform::raw_pages::ObjectStorePages;
use moneta_platform::redis::Redis;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveValue::Set, ColumnTrait as _, ConnectionTrait as _, Database, DatabaseConnection,
    EntityTrait, QueryFilter as _,
};
use secrecy::SecretString;

const USERS: i64 = 300;
/// Syncs (and floor upserts) at a time, unless `MONETA_BENCH_CONCURRENCY`
/// says otherwise (a worker runs `MONETA_WORKER_CONCURRENCY`, default 2).
const DEFAULT_CONCURRENCY: usize = 4;

fn concurrency() -> usize {
    std::env::var("MONETA_BENCH_CONCURRENCY")
        .ok()
        .and_then(|v| v.parse().ok())
        .filter(|&n| n > 0)
        .unwrap_or(DEFAULT_CONCURRENCY)
}
/// The page size a production connector asks its aggregator for.
const CONNECTOR_PAGE: usize = 500;

/// The binary's allocator (see `src/main.rs`).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

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
    let result = bench(&url, &name).await;
    admin
        .execute_unprepared(&format!("DROP DATABASE `{name}`"))
        .await?;
    result
}

async fn bench(url: &str, scratch_name: &str) -> anyhow::Result<()> {
    let mut settings = Settings::defaults();
    settings.database_url = Some(SecretString::from(url.to_owned()));
    settings.database_max_connections = (concurrency() * 2) as u32;
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
    let replayed: HashMap<String, Vec<SyncPage>> = pages
        .iter()
        .map(|(u, page)| (format!("bench_{u}"), paged(page)))
        .collect();
    insert_accounts(&db, now).await?;
    let raw_secs = floor_secs(&db, &categorizer, &ids, &pages, now).await?;
    let scratch = tempfile::tempdir()?;
    let shared = shared_state(scratch_name).await?;
    let pipeline = pipeline(&db, &categorizer, &ids, &shared, replayed, scratch.path())?;
    let pipeline_secs = pipeline_secs(&db, &pipeline, &shared).await?;
    let rate = |secs: f64| total as f64 / secs;
    println!(
        "transactions:                         {total} ({USERS} users, {} at a time)",
        concurrency()
    );
    println!(
        "floor: raw multi-row upsert:          {:>10.0} tx/s",
        rate(raw_secs)
    );
    println!(
        "pipeline: queue → sync → follow-up:   {:>10.0} tx/s ({} backends)",
        rate(pipeline_secs),
        shared.backend
    );
    println!(
        "pipeline / floor:                     {:>10.2}",
        raw_secs / pipeline_secs
    );
    let all: Vec<&ProviderTransaction> = pages.iter().flat_map(|(_, p)| &p.added).collect();
    let file = ofx_file(&all, IMPORT_TRANSACTIONS);
    let import_secs = import_secs(&pipeline, file).await?;
    println!(
        "import: one {IMPORT_TRANSACTIONS}-transaction OFX: {:>10.0} tx/s (one user, one database transaction)",
        IMPORT_TRANSACTIONS as f64 / import_secs
    );
    println!(
        "import / pipeline:                    {:>10.2} (goal ≥ 0.5)",
        (IMPORT_TRANSACTIONS as f64 / import_secs) / rate(pipeline_secs)
    );
    Ok(())
}

/// The size of the OFX file the import stage reads.
const IMPORT_TRANSACTIONS: usize = 50_000;

/// An OFX 1.02 (SGML) bank statement of `n` transactions, cycling over
/// `from` (the sandbox's sellers and amounts) with unique FITIDs.
fn ofx_file(from: &[&ProviderTransaction], n: usize) -> Vec<u8> {
    let mut out = String::from(
        "OFXHEADER:100\nDATA:OFXSGML\nVERSION:102\nSECURITY:NONE\nENCODING:USASCII\nCHARSET:1252\nCOMPRESSION:NONE\nOLDFILEUID:NONE\nNEWFILEUID:NONE\n\n<OFX><BANKMSGSRSV1><STMTTRNRS><TRNUID>1<STATUS><CODE>0<SEVERITY>INFO</STATUS><STMTRS><CURDEF>USD<BANKACCTFROM><BANKID>123456789<ACCTID>000111222<ACCTTYPE>CHECKING</BANKACCTFROM><BANKTRANLIST><DTSTART>20260801<DTEND>20261120\n",
    );
    for (i, t) in from.iter().cycle().take(n).enumerate() {
        let cents = -t.amount.cents();
        out.push_str(&format!(
            "<STMTTRN><TRNTYPE>{}<DTPOSTED>{}<TRNAMT>{}.{:02}<FITID>B{i:08}<NAME>{}</STMTTRN>\n",
            if cents < 0 { "DEBIT" } else { "CREDIT" },
            t.posted_at.format("%Y%m%d"),
            if cents < 0 {
                format!("-{}", cents.unsigned_abs() / 100)
            } else {
                (cents / 100).to_string()
            },
            cents.unsigned_abs() % 100,
            t.seller.replace('&', "&amp;").replace('<', "&lt;"),
        ));
    }
    out.push_str("</BANKTRANLIST><LEDGERBAL><BALAMT>0<DTASOF>20261120</LEDGERBAL></STMTRS></STMTTRNRS></BANKMSGSRSV1></OFX>\n");
    out.into_bytes()
}

/// Seconds `moneta import` takes over `file` for a new user, through the
/// same pipeline (parse, plan, de-duplicate, categorize, upsert with the
/// totals, the follow-up, the raw file kept).
async fn import_secs(pipeline: &SyncPipeline, file: Vec<u8>) -> anyhow::Result<f64> {
    let service = ImportService {
        pipeline: pipeline.clone(),
        max_bytes: DEFAULT_MAX_BYTES,
        max_accounts: 50,
    };
    let request = ImportRequest {
        file_name: "bench.ofx".into(),
        bytes: file,
        ..ImportRequest::default()
    };
    let started = Instant::now();
    let report = service
        .import(moneta_core::UserId::new(10 * USERS + 1), request)
        .await
        .map_err(|e| anyhow::anyhow!("import: {e}"))?;
    let secs = started.elapsed().as_secs_f64();
    anyhow::ensure!(
        report.added() as usize == IMPORT_TRANSACTIONS,
        "the import added {} of {IMPORT_TRANSACTIONS}",
        report.added()
    );
    Ok(secs)
}

/// Accounts 1..=2*USERS: the pipeline's users and the floor's.
async fn insert_accounts(db: &DatabaseConnection, now: DateTime<Utc>) -> anyhow::Result<()> {
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
            currency: Set("USD".into()),
            created_at: Set(now),
            updated_at: Set(now),
        })
        .exec_without_returning(db)
        .await?;
    }

    Ok(())
}

/// The floor (`seed::upsert_floor`): the same rows, categorized
/// beforehand, upserted raw, for users USERS+1..=2*USERS; returns the
/// seconds it took.
async fn floor_secs(
    db: &DatabaseConnection,
    categorizer: &Categorizer,
    ids: &IdGenerator,
    pages: &[(i64, SyncPage)],
    now: DateTime<Utc>,
) -> anyhow::Result<f64> {
    let histories: Vec<_> = pages
        .iter()
        .map(|(u, page)| (u + USERS, u + USERS, page.added.clone()))
        .collect();
    let rows = seed::floor_rows(db, categorizer, ids, &histories, now).await?;
    Ok(seed::upsert_floor(db, rows, concurrency())
        .await?
        .as_secs_f64())
}

/// The pipeline, end to end, for users 1..=USERS: each account's job
/// queued, then taken and synced by `concurrency()` consumers; returns the
/// seconds from the first take to the last acknowledgement.
async fn pipeline_secs(
    db: &DatabaseConnection,
    pipeline: &SyncPipeline,
    shared: &Shared,
) -> anyhow::Result<f64> {
    for u in 1..=USERS {
        seal_credentials(db, pipeline, u).await?;
        shared
            .queue
            .enqueue(&SyncJob {
                user_id: u,
                account_id: u,
                reason: SyncReason::Link,
            })
            .await?;
    }
    let started = Instant::now();
    let consumers = (0..concurrency()).map(|n| {
        let pipeline = pipeline.clone();
        let queue = shared.queue.clone();
        tokio::spawn(async move {
            let consumer = format!("bench-{n}");
            while let Some(delivery) = queue.next(&consumer, Duration::from_millis(50)).await? {
                pipeline.run(&delivery.job).await?;
                queue.ack(&delivery).await?;
            }
            Ok::<(), InternalError>(())
        })
    });
    for result in futures_util::future::join_all(consumers).await {
        result??;
    }
    Ok(started.elapsed().as_secs_f64())
}

/// The sandbox history of one user in the connector's pages.
fn paged(page: &SyncPage) -> Vec<SyncPage> {
    let chunks: Vec<&[ProviderTransaction]> = page.added.chunks(CONNECTOR_PAGE).collect();
    let last = chunks.len().saturating_sub(1);
    chunks
        .into_iter()
        .enumerate()
        .map(|(n, chunk)| SyncPage {
            added: chunk.to_vec(),
            next_cursor: (n + 1).to_string(),
            has_more: n < last,
            ..SyncPage::default()
        })
        .collect()
}

/// A connector replaying pages computed beforehand; the cursor is the
/// index of the next page.
#[derive(Debug)]
struct Replay {
    pages: HashMap<String, Vec<SyncPage>>,
}

#[async_trait::async_trait]
impl Institution for Replay {
    fn name(&self) -> &'static str {
        "replay"
    }

    async fn link(&self, credentials: &Credentials) -> Result<LinkedLogin, InstitutionError> {
        Ok(LinkedLogin {
            accounts: vec![LinkedAccount {
                external_id: credentials.login.clone(),
                display_name: "Replay".into(),
                currency: None,
            }],
            access_token: None,
        })
    }

    async fn sync(
        &self,
        credentials: &Credentials,
        cursor: Option<&str>,
    ) -> Result<SyncPage, InstitutionError> {
        let next: usize = cursor
            .map_or(Ok(0), str::parse)
            .map_err(|_| InstitutionError::InvalidCursor)?;
        let pages = self
            .pages
            .get(&credentials.login)
            .ok_or(InstitutionError::LoginFailed)?;
        Ok(pages.get(next).cloned().unwrap_or_else(|| SyncPage {
            next_cursor: next.to_string(),
            ..SyncPage::default()
        }))
    }
}

/// The adapters a worker shares with the cluster.
struct Shared {
    backend: &'static str,
    queue: Arc<dyn JobQueue>,
    leases: Arc<dyn Leases>,
    events: Arc<dyn EventBus>,
    cache: Arc<dyn CacheStore>,
}

async fn shared_state(prefix: &str) -> anyhow::Result<Shared> {
    let reclaim = Duration::from_secs(30);
    match std::env::var("MONETA_BENCH_REDIS_URL")
        .ok()
        .filter(|u| !u.is_empty())
    {
        Some(url) => {
            let redis = Redis::connect(&SecretString::from(url), prefix).await?;
            Ok(Shared {
                backend: "Redis",
                queue: Arc::new(RedisJobQueue::start(redis.clone(), reclaim).await?),
                leases: Arc::new(RedisLeases::new(redis.clone())),
                events: Arc::new(RedisEventBus::start(redis.clone()).await?),
                cache: Arc::new(RedisCache::new(redis)),
            })
        }
        None => Ok(Shared {
            backend: "in-process",
            queue: Arc::new(InProcessJobQueue::new(reclaim)),
            leases: Arc::new(InProcessLeases::new()),
            events: Arc::new(InProcessEventBus::default()),
            cache: Arc::new(InProcessCache::default()),
        }),
    }
}

fn pipeline(
    db: &DatabaseConnection,
    categorizer: &Categorizer,
    ids: &Arc<IdGenerator>,
    shared: &Shared,
    pages: HashMap<String, Vec<SyncPage>>,
    data_dir: &std::path::Path,
) -> anyhow::Result<SyncPipeline> {
    let clock: SharedClock = Arc::new(SystemClock);
    let mut settings = Settings::defaults();
    settings.data_dir = data_dir.to_owned();
    let cache = ReadCache::new(shared.cache.clone(), CacheSettings::default());
    Ok(SyncPipeline {
        db: db.clone(),
        institutions: Institutions::new([Arc::new(Replay { pages }) as Arc<dyn Institution>]),
        cipher: CredentialsCipher::new(&SecretString::from(
            "bench-credentials-key-0123456789".to_owned(),
        )),
        categorizer: categorizer.clone(),
        raw_pages: Arc::new(ObjectStorePages::from_settings(&settings)?),
        events: shared.events.clone(),
        leases: shared.leases.clone(),
        follow_up: FollowUp {
            db: db.clone(),
            cache,
            events: shared.events.clone(),
            ids: ids.clone(),
            clock: clock.clone(),
        },
        lease_ttl: Duration::from_secs(15),
        ids: ids.clone(),
        clock,
    })
}

/// Points account `u` at the replaying connector with sealed credentials.
async fn seal_credentials(
    db: &DatabaseConnection,
    pipeline: &SyncPipeline,
    u: i64,
) -> anyhow::Result<()> {
    let credentials = Credentials {
        login: format!("bench_{u}"),
        password: SecretString::from("bench".to_owned()),
    };
    let sealed = pipeline.cipher.seal(u, u, &credentials)?;
    accounts::Entity::update_many()
        .col_expr(accounts::Column::CredentialsCiphertext, Expr::value(sealed))
        .col_expr(accounts::Column::Institution, Expr::value("replay"))
        .filter(accounts::Column::UserId.eq(u))
        .filter(accounts::Column::Id.eq(u))
        .exec(db)
        .await?;
    Ok(())
}
