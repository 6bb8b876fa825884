//! The composition root: builds a Moneta process from its settings — the
//! database, Redis or the in-process stand-ins, the domain services, the
//! HTTP server and the workers — and runs it until shutdown.
//!
//! Startup is a value: [`Runtime::build`] connects and builds every
//! service (and the scheduled jobs `MONETA_SCHEDULED_JOBS` names);
//! [`Application::build`] adds the bound listener (so a test can bind
//! port 0 and read the port back); [`Application::run_until`] serves
//! until the given shutdown future resolves. `moneta jobs run` builds the
//! same [`Runtime`] ([`run_job`]).

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use moneta_api::graphql::Trust;
use moneta_api::http::client_ip::TrustedProxies;
use moneta_api::metrics::Metrics;
use moneta_api::{ApiConfig, Ops, Services};
use moneta_core::IdGenerator;
use moneta_core::accounts::{AccountService, Accounts};
use moneta_core::auth::{AccessTokens, AuthService, PasswordHasher};
use moneta_core::budget::BudgetService;
use moneta_core::cache::{CacheSettings, ReadCache};
use moneta_core::categories::{Categorizer, SellerDictionary, dictionary};
use moneta_core::clock::{SharedClock, SystemClock};
use moneta_core::credentials::CredentialsCipher;
use moneta_core::ids::{NodeIds, NodeLease};
use moneta_core::imports::ImportService;
use moneta_core::institutions::{Institution, Institutions, sandbox::SandboxInstitution};
use moneta_core::notifications::Notifications;
use moneta_core::ports::{Bucket, DeadLetter, Dependency, EventBus, JobQueue, Need, RawPageStore};
use moneta_core::retention::Retention;
use moneta_core::rules::Rules;
use moneta_core::spending::FollowUp;
use moneta_core::sync::SyncPipeline;
use moneta_core::transactions::Transactions;
use moneta_core::transactions::{CategoryOverrides, Reasons};
use moneta_core::transfers::Transfers;
use moneta_core::users::{Activity, Erasure, Users};
use moneta_migration::{Migrator, sea_orm_migration::MigratorTrait as _};

mod import;
mod seed;
pub use import::import;
use moneta_platform::config::{DatabaseKind, Environment, Role, Settings, TrustedDocuments};
use moneta_platform::db::{self, DatabaseConnection};
use moneta_platform::health::DatabaseProbe;
use moneta_platform::queue::RedisJobQueue;
use moneta_platform::raw_pages::ObjectStorePages;
use moneta_platform::redis::Redis;
use moneta_platform::secrets::Secrets;
use moneta_platform::shared::SharedState;
use moneta_platform::simplefin::SimpleFin;
use moneta_workers::consumer::Consumers;
use moneta_workers::jobs::ScheduledJob;
use moneta_workers::{JobMetrics, Scheduler, WorkerContext};
use poem::listener::{Acceptor as _, Listener as _, TcpAcceptor, TcpListener};
use poem::{EndpointExt as _, IntoEndpoint as _, Server};
pub use seed::seed;
use tokio::sync::watch;

/// Everything a Moneta process runs on, short of a listener: connections,
/// adapters, domain services. Built once; `serve` and `jobs run` share it.
#[derive(Debug, Clone)]
pub struct Runtime {
    pub settings: Settings,
    pub services: Services,
    pub ops: Ops,
    pub worker: WorkerContext,
    /// The id generator and the lease on its node id, renewed while the
    /// process runs.
    pub ids: Arc<IdGenerator>,
    pub node_ids: NodeIds,
    pub node_lease: NodeLease,
    /// The jobs a worker role schedules (`MONETA_SCHEDULED_JOBS`).
    pub scheduled: Vec<ScheduledJob>,
}

/// What the services are built from: the connections, the shared
/// adapters and the pieces more than one service holds.
struct Parts {
    db: DatabaseConnection,
    clock: SharedClock,
    ids: Arc<IdGenerator>,
    shared: SharedState,
    cache: ReadCache,
    follow_up: FollowUp,
    erasure: Erasure,
    institutions: Institutions,
    cipher: CredentialsCipher,
    raw_pages: Arc<dyn RawPageStore>,
}

impl Runtime {
    pub async fn build(settings: Settings, clock: SharedClock) -> anyhow::Result<Self> {
        let kind = settings.database_kind()?;
        let scheduled = scheduled_jobs(&settings.scheduled_jobs)?;
        let secrets = Secrets::resolve(&settings, settings.role, kind)?;
        let (db, metrics) = open_database(&settings, kind, &clock).await?;
        let dictionary = SellerDictionary::load(&db)
            .await
            .context("loading the seller dictionary")?;
        tracing::info!(sellers = dictionary.len(), "seller dictionary loaded");
        let categorizer = Categorizer::new(Arc::new(dictionary));
        let shared = SharedState::connect(&settings).await?;
        let dependencies = vec![
            Dependency::required(Arc::new(DatabaseProbe {
                db: db.clone(),
                kind,
            })),
            Dependency {
                probe: shared.probe.clone(),
                need: redis_need(settings.role),
            },
        ];
        let cache = ReadCache::new(
            shared.cache.clone(),
            CacheSettings {
                ttl: Duration::from_secs(settings.cache_ttl_secs),
                timeout: Duration::from_millis(settings.cache_timeout_ms),
                enabled: settings.read_cache,
                ..CacheSettings::default()
            },
        );
        metrics
            .watch_cache(cache.clone())
            .context("registering cache metrics")?;
        let node_ids = NodeIds::new(shared.leases.clone(), NodeIds::TTL);
        let node_lease = node_ids
            .allocate()
            .await
            .context("leasing a node id for the id generator")?;
        tracing::info!(node = node_lease.node(), "node id leased");
        let ids = Arc::new(IdGenerator::with_node(node_lease.node()));
        let parts = Parts::new(&settings, db, clock, ids.clone(), shared, cache, &secrets)?;
        let auth = AuthService::new(
            parts.db.clone(),
            PasswordHasher::new(settings.password_hash_concurrency()),
            AccessTokens::new(&secrets.jwt_secret, parts.clock.clone()).with_ttl(
                chrono::Duration::seconds(
                    i64::try_from(settings.edge.access_token_ttl_secs).unwrap_or(i64::MAX),
                ),
            ),
            parts.shared.events.clone(),
            ids.clone(),
            parts.clock.clone(),
        );
        let job_metrics =
            JobMetrics::register(metrics.registry()).context("registering job metrics")?;
        let ops = Ops {
            dependencies,
            metrics,
            queue: Some(parts.shared.queue.clone()),
        };
        Ok(Self {
            services: parts.services(&settings, auth, &categorizer),
            worker: parts.worker(&settings, categorizer, job_metrics)?,
            settings,
            ops,
            ids,
            node_ids,
            node_lease,
            scheduled,
        })
    }
}

/// Migrates the embedded default (before its pool opens; in a cluster that
/// is the migrate Job's work, `moneta migrate`), connects, and counts every
/// statement.
async fn open_database(
    settings: &Settings,
    kind: DatabaseKind,
    clock: &SharedClock,
) -> anyhow::Result<(DatabaseConnection, Metrics)> {
    if kind == DatabaseKind::Sqlite {
        migrate_at(settings, clock.now()).await?;
    }
    let mut db = db::connect(settings)
        .await
        .context("connecting to the database")?;
    let metrics = Metrics::new().context("registering metrics")?;
    let statements = metrics.clone();
    db.set_metric_callback(move |info| statements.observe_statement(info.elapsed, info.failed));
    Ok((db, metrics))
}

impl Parts {
    fn new(
        settings: &Settings,
        db: DatabaseConnection,
        clock: SharedClock,
        ids: Arc<IdGenerator>,
        shared: SharedState,
        cache: ReadCache,
        secrets: &Secrets,
    ) -> anyhow::Result<Self> {
        let raw_pages: Arc<dyn RawPageStore> = Arc::new(
            ObjectStorePages::from_settings(settings).context("opening the object store")?,
        );
        let enabled = settings.edge.enabled_institutions(settings.env);
        tracing::info!(institutions = ?enabled, "institutions enabled");
        let simplefin = SimpleFin::new(&settings.edge.simplefin_origins, clock.clone())
            .map_err(|e| anyhow::anyhow!("MONETA_SIMPLEFIN_ORIGINS: {e}"))?;
        let institutions = Institutions::new([
            Arc::new(SandboxInstitution::new(clock.clone())) as Arc<dyn Institution>,
            Arc::new(simplefin),
        ])
        .only(&enabled);
        let follow_up = FollowUp {
            db: db.clone(),
            cache: cache.clone(),
            events: shared.events.clone(),
            ids: ids.clone(),
            clock: clock.clone(),
        };
        let erasure = Erasure {
            db: db.clone(),
            raw_pages: raw_pages.clone(),
            cache: cache.clone(),
            clock: clock.clone(),
        };
        Ok(Self {
            cipher: CredentialsCipher::new(&secrets.credentials_key),
            db,
            clock,
            ids,
            shared,
            cache,
            follow_up,
            erasure,
            institutions,
            raw_pages,
        })
    }

    /// What the API serves with.
    fn services(
        &self,
        settings: &Settings,
        auth: AuthService,
        categorizer: &Categorizer,
    ) -> Services {
        let Self { db, clock, ids, .. } = self;
        Services {
            auth,
            accounts: Accounts::new(db.clone(), ids.clone(), self.cache.clone()),
            users: Users::new(db.clone()),
            transactions: Transactions::new(db.clone(), self.cache.clone()),
            notifications: Notifications::new(db.clone()),
            account_links: AccountService {
                db: db.clone(),
                institutions: self.institutions.clone(),
                cipher: self.cipher.clone(),
                queue: self.shared.queue.clone(),
                follow_up: self.follow_up.clone(),
                ids: ids.clone(),
                clock: clock.clone(),
                max_accounts: settings.edge.max_accounts_per_user,
            },
            categories: CategoryOverrides {
                db: db.clone(),
                follow_up: self.follow_up.clone(),
                ids: ids.clone(),
                clock: clock.clone(),
            },
            reasons: Reasons {
                db: db.clone(),
                categorizer: categorizer.clone(),
            },
            rules: Rules {
                db: db.clone(),
                categorizer: categorizer.clone(),
                ids: ids.clone(),
                clock: clock.clone(),
                follow_up: self.follow_up.clone(),
            },
            transfers: Transfers {
                db: db.clone(),
                ids: ids.clone(),
                clock: clock.clone(),
                follow_up: self.follow_up.clone(),
            },
            imports: ImportService {
                pipeline: self.pipeline(settings, categorizer.clone()),
                max_bytes: settings.edge.import_max_bytes(),
                max_accounts: settings.edge.max_accounts_per_user,
            },
            budgets: BudgetService {
                db: db.clone(),
                cache: self.cache.clone(),
                follow_up: self.follow_up.clone(),
                ids: ids.clone(),
                clock: clock.clone(),
            },
            activity: Activity::new(db.clone(), clock.clone()),
            erasure: self.erasure.clone(),
            events: self.shared.events.clone(),
            rate_limiter: self.shared.rate_limiter.clone(),
            cache: self.cache.clone(),
        }
    }

    /// The extraction pipeline (the workers' syncs, the API's imports).
    fn pipeline(&self, settings: &Settings, categorizer: Categorizer) -> SyncPipeline {
        SyncPipeline {
            db: self.db.clone(),
            institutions: self.institutions.clone(),
            cipher: self.cipher.clone(),
            categorizer,
            raw_pages: self.raw_pages.clone(),
            events: self.shared.events.clone(),
            leases: self.shared.leases.clone(),
            follow_up: self.follow_up.clone(),
            lease_ttl: Duration::from_secs(settings.sync_lease_secs),
            ids: self.ids.clone(),
            clock: self.clock.clone(),
        }
    }

    /// What every job receives.
    fn worker(
        self,
        settings: &Settings,
        categorizer: Categorizer,
        metrics: JobMetrics,
    ) -> anyhow::Result<WorkerContext> {
        Ok(WorkerContext {
            users: Users::new(self.db.clone()),
            accounts: Accounts::new(self.db.clone(), self.ids.clone(), self.cache.clone()),
            retention_rules: Retention::new(self.db.clone()),
            queue: self.shared.queue.clone(),
            leases: self.shared.leases.clone(),
            checkpoints: self.shared.checkpoints.clone(),
            pipeline: self.pipeline(settings, categorizer),
            clock: self.clock,
            metrics,
            max_deliveries: settings.queue_max_deliveries,
            retention: settings
                .retention
                .policy()
                .context("reading the retention settings")?,
            erasure: self.erasure,
            sweep_after: Duration::from_secs(settings.spending_sweep_after_secs),
        })
    }
}

/// What Redis is to a process of `role`. A replica that serves the API
/// stays ready without it (the read cache falls back to the database; what
/// needs Redis — queueing a sync — answers UNAVAILABLE), so an outage of
/// Redis does not empty the api Service; `all` serves the API too, so the
/// same holds for it (its consumers wait for Redis to come back). A worker
/// does nothing without its queue: not ready.
fn redis_need(role: Role) -> Need {
    if role.runs_api() {
        Need::Degrading
    } else {
        Need::Required
    }
}

/// A built, bound, not yet running Moneta process.
pub struct Application {
    runtime: Runtime,
    acceptor: TcpAcceptor,
    addr: SocketAddr,
}

impl std::fmt::Debug for Application {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Application")
            .field("addr", &self.addr)
            .field("role", &self.runtime.settings.role)
            .finish()
    }
}

impl Application {
    pub async fn build(settings: Settings) -> anyhow::Result<Self> {
        Self::build_with_clock(settings, Arc::new(SystemClock)).await
    }

    /// As [`Application::build`], with the clock every component reads.
    pub async fn build_with_clock(settings: Settings, clock: SharedClock) -> anyhow::Result<Self> {
        let listen = settings.listen;
        let runtime = Runtime::build(settings, clock).await?;
        let acceptor = TcpListener::bind(listen)
            .into_acceptor()
            .await
            .with_context(|| format!("binding {listen}"))?;
        let addr = acceptor
            .local_addr()
            .first()
            .and_then(|a| a.as_socket_addr().copied())
            .context("reading the bound address")?;
        Ok(Self {
            runtime,
            acceptor,
            addr,
        })
    }

    pub fn runtime(&self) -> &Runtime {
        &self.runtime
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    pub fn events(&self) -> Arc<dyn EventBus> {
        self.runtime.services.events.clone()
    }

    /// Serves until `shutdown` resolves, then lets in-flight requests and
    /// jobs finish within the grace period. The consumers stop taking jobs
    /// at once; a job still running at the deadline is abandoned,
    /// unacknowledged, for another worker to reclaim (and logged).
    pub async fn run_until(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        let Runtime {
            settings,
            services,
            ops,
            worker,
            ids,
            node_ids,
            node_lease,
            scheduled,
        } = self.runtime;
        let role = settings.role;
        let grace = Duration::from_secs(settings.shutdown_grace_secs);
        let (stop_tx, stop_rx) = watch::channel(false);
        tokio::spawn(async move {
            shutdown.await;
            let _ = stop_tx.send(true);
        });
        // The node id stays leased while the process runs.
        let node_stop = stopped(stop_rx.clone());
        let node_keeper =
            tokio::spawn(async move { node_ids.keep(&ids, node_lease, node_stop).await });
        retry_invalidations(services.cache.clone(), stopped(stop_rx.clone()));

        let endpoint = endpoint(&settings, services, ops);
        tracing::info!(addr = %self.addr, role = ?role, "serving");
        let server = Server::new_with_acceptor(self.acceptor).run_with_graceful_shutdown(
            endpoint,
            stopped(stop_rx.clone()),
            Some(grace),
        );
        if role.runs_workers() {
            let workers = run_workers(
                worker,
                scheduled,
                settings.worker_concurrency,
                grace,
                stop_rx,
            );
            let (served, worked) = tokio::join!(server, workers);
            served?;
            worked?;
        } else {
            server.await?;
        }
        // Gives the node id back (the keeper saw the stop too).
        let _ = node_keeper.await;
        tracing::info!("stopped");
        Ok(())
    }
}

/// Resolves once `stop` turns true.
async fn stopped(mut stop: watch::Receiver<bool>) {
    let _ = stop.wait_for(|stop| *stop).await;
}

/// Cache invalidations lost to an outage are retried, every second, until
/// they land or the process stops.
fn retry_invalidations(cache: ReadCache, stop: impl Future<Output = ()> + Send + 'static) {
    tokio::spawn(async move {
        let retry = async {
            let mut tick = tokio::time::interval(Duration::from_secs(1));
            loop {
                tick.tick().await;
                cache.retry_invalidations().await;
            }
        };
        tokio::select! {
            () = retry => {}
            () = stop => {}
        }
    });
}

/// The routes of the role: the API and the operational endpoints, or the
/// operational endpoints only.
fn endpoint(
    settings: &Settings,
    services: Services,
    ops: Ops,
) -> poem::endpoint::BoxEndpoint<'static> {
    if settings.role.runs_api() {
        let config = ApiConfig {
            developer_tools: settings.env == Environment::Dev,
            trusted_proxies: TrustedProxies::new(settings.edge.trusted_proxies.clone()),
            trust: match settings.edge.trusted_documents(settings.env) {
                TrustedDocuments::Off => Trust::Off,
                TrustedDocuments::Allow => Trust::Allow,
                TrustedDocuments::Enforce => Trust::Enforce,
            },
            operator_token: settings.edge.operator_token.clone(),
            cost_bucket: Bucket {
                capacity: settings.edge.cost_bucket_points,
                drain_per_second: settings.edge.cost_drain_per_sec,
            },
        };
        moneta_api::api_routes(services, ops, config)
            .into_endpoint()
            .map_to_response()
            .boxed()
    } else {
        moneta_api::ops_routes(ops)
            .into_endpoint()
            .map_to_response()
            .boxed()
    }
}

/// The jobs of the registry `MONETA_SCHEDULED_JOBS` names (`all`, `none`
/// or a list), or the error naming the known ones.
fn scheduled_jobs(names: &[String]) -> anyhow::Result<Vec<ScheduledJob>> {
    let registry = moneta_workers::jobs::registry();
    match names {
        [all] if all == "all" => return Ok(registry),
        [none] if none == "none" => return Ok(Vec::new()),
        _ => {}
    }
    names
        .iter()
        .map(|name| {
            moneta_workers::jobs::find(name.trim()).ok_or_else(|| {
                let known: Vec<&str> = registry.iter().map(|job| job.name).collect();
                anyhow::anyhow!(
                    "MONETA_SCHEDULED_JOBS: no scheduled job {name:?}; known: all, none, {}",
                    known.join(", ")
                )
            })
        })
        .collect()
}

/// The scheduler and the sync consumers, until `stop`; then the jobs in
/// flight get `grace` to finish, and what still runs is abandoned
/// unacknowledged, for another worker to reclaim.
async fn run_workers(
    worker: WorkerContext,
    jobs: Vec<ScheduledJob>,
    concurrency: usize,
    grace: Duration,
    stop: watch::Receiver<bool>,
) -> anyhow::Result<()> {
    let scheduler = Scheduler::new(worker.clone(), jobs, worker.metrics.clone()).await?;
    let mut consumers = Consumers::start(worker, concurrency, stop.clone());
    let consumers_stop = stopped(stop.clone());
    let consumed = async move {
        consumers_stop.await;
        if tokio::time::timeout(grace, consumers.finished())
            .await
            .is_err()
        {
            for delivery in consumers.abandon() {
                tracing::warn!(
                    id = delivery.id,
                    consumer = delivery.consumer,
                    user_id = delivery.job.user_id,
                    account_id = delivery.job.account_id,
                    deliveries = delivery.deliveries,
                    "sync job still running at the shutdown deadline: abandoned unacknowledged, for another worker to reclaim"
                );
            }
        }
    };
    let (scheduled, ()) = tokio::join!(scheduler.run_until(stopped(stop)), consumed);
    scheduled?;
    Ok(())
}

/// `moneta jobs run <name>`: runs one job of the registry now, in this
/// process (without the tick's lease).
pub async fn run_job(settings: Settings, name: &str) -> anyhow::Result<()> {
    let Some(job) = moneta_workers::jobs::find(name) else {
        let known: Vec<&str> = moneta_workers::jobs::registry()
            .iter()
            .map(|j| j.name)
            .collect();
        anyhow::bail!("no job named {name:?} (known: {})", known.join(", "));
    };
    let runtime = Runtime::build(settings, Arc::new(SystemClock)).await?;
    let node = (runtime.node_ids.clone(), runtime.node_lease.clone());
    let result = (job.run_now)(runtime.worker).await;
    if let Err(error) = node.0.release(&node.1).await {
        tracing::warn!(%error, "could not release the node id lease");
    }
    let handled = result?;
    tracing::info!(job = job.name, handled, "job done");
    Ok(())
}

/// `moneta jobs dead-letter list|retry`: on the Redis queue only (the
/// embedded default's dead letters live in its serving process). `list`
/// prints one line per dead letter on stdout; `retry` of an id that names
/// no dead letter is an error.
pub async fn dead_letters(settings: &Settings, command: &DeadLetterCommand) -> anyhow::Result<()> {
    let Some(url) = &settings.redis_url else {
        anyhow::bail!(
            "dead letters are kept in Redis: set MONETA_REDIS_URL (the embedded default \
             keeps its own inside the serving process, until it stops)"
        );
    };
    let ca_file = settings.tls.redis_tls_ca_file.as_deref();
    let redis = Redis::connect_with_ca(url, &settings.redis_prefix, ca_file)
        .await
        .context("connecting to Redis")?;
    let queue = RedisJobQueue::start(redis, Duration::from_secs(settings.queue_reclaim_secs))
        .await
        .context("opening the Redis job stream")?;
    match command {
        DeadLetterCommand::List => {
            let letters = queue.dead_letters().await?;
            for letter in &letters {
                println!("{}", dead_letter_line(letter));
            }
            if letters.is_empty() {
                eprintln!("no dead-letter jobs");
            }
        }
        DeadLetterCommand::Retry { id: Some(id), .. } => {
            if !queue.retry_dead_letter(id).await? {
                anyhow::bail!(
                    "no dead-letter job with id {id:?} (`moneta jobs dead-letter list` shows them)"
                );
            }
            println!("requeued {id}");
        }
        DeadLetterCommand::Retry { id: None, .. } => {
            let mut requeued = 0;
            for letter in queue.dead_letters().await? {
                // One retried meanwhile by someone else is simply gone.
                if queue.retry_dead_letter(&letter.id).await? {
                    println!("requeued {}", letter.id);
                    requeued += 1;
                }
            }
            println!("{requeued} dead-letter jobs requeued");
        }
    }
    Ok(())
}

/// One line of `jobs dead-letter list`: ids, counts and the recorded error
/// (quoted, so it stays on the line). A job holds no credential.
fn dead_letter_line(letter: &DeadLetter) -> String {
    format!(
        "{} user_id={} account_id={} reason={} deliveries={} at={} last_error={}",
        letter.id,
        letter.job.user_id,
        letter.job.account_id,
        letter.job.reason.as_str(),
        letter.deliveries,
        letter.at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        letter
            .last_error
            .as_deref()
            .map_or_else(|| "none".to_owned(), |e| format!("{e:?}")),
    )
}

/// `moneta migrate`: applies pending migrations, syncs reference data,
/// and returns.
pub async fn migrate(settings: &Settings) -> anyhow::Result<()> {
    migrate_at(settings, chrono::Utc::now()).await
}

/// Migrates over a connection of its own (see
/// [`db::connect_for_migrations`]), closed before it returns.
async fn migrate_at(settings: &Settings, now: chrono::DateTime<chrono::Utc>) -> anyhow::Result<()> {
    let db = db::connect_for_migrations(settings)
        .await
        .context("connecting to the database")?;
    prepare_database(&db, settings.vitess_global_keyspace.as_deref(), now).await?;
    db.close().await.context("closing the database")?;
    Ok(())
}

/// Applies pending migrations (on Vitess, also creating the reference
/// tables' sources in `vitess_global_keyspace`), then brings the reference
/// data (the seller dictionary shipped with this version) up to date. All
/// idempotent.
async fn prepare_database(
    db: &DatabaseConnection,
    vitess_global_keyspace: Option<&str>,
    now: chrono::DateTime<chrono::Utc>,
) -> anyhow::Result<()> {
    Migrator::up(db, None)
        .await
        .context("applying migrations")?;
    if let Some(keyspace) = vitess_global_keyspace {
        moneta_migration::vitess::create_reference_sources(db, keyspace)
            .await
            .with_context(|| format!("creating the reference tables' sources in {keyspace}"))?;
    }
    let sellers = dictionary::parse_csv(dictionary::SHIPPED_CSV)?;
    dictionary::sync_reference_table(db, &sellers, now)
        .await
        .context("syncing the seller dictionary")?;
    tracing::info!(
        sellers = sellers.len(),
        "database migrated, reference data synced"
    );
    Ok(())
}

pub use moneta_platform::config::{
    Cli, Command, ConfigCommand, DeadLetterCommand, ImportArgs, JobsCommand, SeedArgs,
    setting_variables,
};
pub use moneta_platform::{shutdown, telemetry};
