//! The composition root: builds a Moneta process from its settings — the
//! database, Redis or the in-process stand-ins, the domain services, the
//! HTTP server and the workers — and runs it until shutdown.
//!
//! Startup is a value: [`Application::build`] connects and binds (so a test
//! can bind port 0 and read the port back); [`Application::run_until`]
//! serves until the given shutdown future resolves.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use moneta_api::http::metrics::HttpMetrics;
use moneta_api::{ApiConfig, Ops, Services};
use moneta_core::IdGenerator;
use moneta_core::auth::{AccessTokens, AuthService, PasswordHasher};
use moneta_core::categories::{Categorizer, CategoryOverrides, SellerDictionary, dictionary};
use moneta_core::clock::{SharedClock, SystemClock};
use moneta_core::ports::{EventBus, HealthProbe};
use moneta_migration::{Migrator, sea_orm_migration::MigratorTrait as _};
use moneta_platform::config::{DatabaseKind, Environment, Settings};
use moneta_platform::db;
use moneta_platform::event_bus::{InProcessEventBus, RedisEventBus};
use moneta_platform::health::{DatabaseProbe, InProcessProbe, RedisProbe};
use moneta_platform::redis::Redis;
use moneta_platform::secrets::Secrets;
use moneta_workers::{Scheduler, WorkerContext};
use poem::listener::{Acceptor as _, Listener as _, TcpAcceptor, TcpListener};
use poem::{EndpointExt as _, IntoEndpoint as _, Server};
use sea_orm::DatabaseConnection;
use tokio::sync::watch;

/// A built, bound, not yet running Moneta process.
pub struct Application {
    settings: Settings,
    acceptor: TcpAcceptor,
    addr: SocketAddr,
    services: Services,
    ops: Ops,
    worker: WorkerContext,
}

impl std::fmt::Debug for Application {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Application")
            .field("addr", &self.addr)
            .field("role", &self.settings.role)
            .finish()
    }
}

impl Application {
    pub async fn build(settings: Settings) -> anyhow::Result<Self> {
        Self::build_with_clock(settings, Arc::new(SystemClock)).await
    }

    /// As [`Application::build`], with the clock every component reads.
    pub async fn build_with_clock(settings: Settings, clock: SharedClock) -> anyhow::Result<Self> {
        let kind = settings.database_kind()?;
        let secrets = Secrets::resolve(&settings, settings.role, kind)?;
        let db = db::connect(&settings)
            .await
            .context("connecting to the database")?;
        if kind == DatabaseKind::Sqlite {
            // The embedded default migrates itself; in a cluster that is the
            // migrate Job's work (`moneta migrate`).
            prepare_database(&db, clock.now()).await?;
        }
        let dictionary = SellerDictionary::load(&db)
            .await
            .context("loading the seller dictionary")?;
        tracing::info!(sellers = dictionary.len(), "seller dictionary loaded");
        let categorizer = Categorizer::new(Arc::new(dictionary));

        let mut probes: Vec<Arc<dyn HealthProbe>> = vec![Arc::new(DatabaseProbe {
            db: db.clone(),
            kind,
        })];
        let events: Arc<dyn EventBus> = match &settings.redis_url {
            Some(url) => {
                let redis = Redis::connect(url, &settings.redis_prefix)
                    .await
                    .context("connecting to Redis")?;
                probes.push(Arc::new(RedisProbe(redis.clone())));
                Arc::new(
                    RedisEventBus::start(redis)
                        .await
                        .context("subscribing to Redis events")?,
                )
            }
            None => {
                probes.push(Arc::new(InProcessProbe));
                Arc::new(InProcessEventBus::default())
            }
        };

        let auth = AuthService::new(
            db.clone(),
            PasswordHasher::new(settings.password_hash_concurrency()),
            AccessTokens::new(&secrets.jwt_secret, clock.clone()),
            Arc::new(IdGenerator::new()),
            clock.clone(),
        );
        let ops = Ops {
            probes,
            metrics: HttpMetrics::new().context("registering metrics")?,
        };
        let services = Services {
            db: db.clone(),
            auth,
            categories: CategoryOverrides::new(db.clone(), clock.clone()),
            events: events.clone(),
        };
        let worker = WorkerContext {
            db,
            events,
            clock,
            categorizer,
        };

        let acceptor = TcpListener::bind(settings.listen)
            .into_acceptor()
            .await
            .with_context(|| format!("binding {}", settings.listen))?;
        let addr = acceptor
            .local_addr()
            .first()
            .and_then(|a| a.as_socket_addr().copied())
            .context("reading the bound address")?;
        Ok(Self {
            settings,
            acceptor,
            addr,
            services,
            ops,
            worker,
        })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    pub fn db(&self) -> &DatabaseConnection {
        &self.services.db
    }

    pub fn events(&self) -> Arc<dyn EventBus> {
        self.services.events.clone()
    }

    /// Serves until `shutdown` resolves, then lets in-flight requests and
    /// jobs finish within the grace period.
    pub async fn run_until(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        let role = self.settings.role;
        let grace = Duration::from_secs(self.settings.shutdown_grace_secs);
        let (stop_tx, stop_rx) = watch::channel(false);
        tokio::spawn(async move {
            shutdown.await;
            let _ = stop_tx.send(true);
        });
        let stopped = |mut rx: watch::Receiver<bool>| async move {
            let _ = rx.wait_for(|stop| *stop).await;
        };

        let endpoint = if role.runs_api() {
            let config = ApiConfig {
                developer_tools: self.settings.env == Environment::Dev,
            };
            moneta_api::api_routes(self.services, self.ops, config)
                .into_endpoint()
                .map_to_response()
                .boxed()
        } else {
            moneta_api::ops_routes(self.ops)
                .into_endpoint()
                .map_to_response()
                .boxed()
        };
        tracing::info!(addr = %self.addr, role = ?role, "serving");
        let server = Server::new_with_acceptor(self.acceptor).run_with_graceful_shutdown(
            endpoint,
            stopped(stop_rx.clone()),
            Some(grace),
        );

        if role.runs_workers() {
            let scheduler = Scheduler::new(self.worker, moneta_workers::jobs::registry()).await?;
            let (served, scheduled) = tokio::join!(server, scheduler.run_until(stopped(stop_rx)));
            served?;
            scheduled?;
        } else {
            server.await?;
        }
        tracing::info!("stopped");
        Ok(())
    }
}

/// `moneta migrate`: applies pending migrations, syncs reference data,
/// and returns.
pub async fn migrate(settings: &Settings) -> anyhow::Result<()> {
    let db = db::connect(settings)
        .await
        .context("connecting to the database")?;
    prepare_database(&db, chrono::Utc::now()).await?;
    db.close().await.context("closing the database")?;
    Ok(())
}

/// Applies pending migrations, then brings the reference data (the seller
/// dictionary shipped with this version) up to date. Both are idempotent.
async fn prepare_database(
    db: &DatabaseConnection,
    now: chrono::DateTime<chrono::Utc>,
) -> anyhow::Result<()> {
    Migrator::up(db, None)
        .await
        .context("applying migrations")?;
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

pub use moneta_platform::config::{Cli, Command};
pub use moneta_platform::{shutdown, telemetry};
