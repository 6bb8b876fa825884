//! `moneta seed`: synthetic users at scale, made by the product's own
//! services and synced by the real pipeline, `--concurrency` users at a
//! time, with a progress bar; then the raw upsert of some of the same rows,
//! the floor its rate is compared with. See `core::seed`.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::Context as _;
use indicatif::{ProgressBar, ProgressStyle};
use moneta_core::auth::{Email, Password, PasswordHasher};
use moneta_core::clock::{SharedClock, SystemClock};
use moneta_core::institutions::{Institution, Institutions, sandbox::SandboxInstitution};
use moneta_core::ports::JobQueue;
use moneta_core::seed::{self, SeedPlan, Seeder};
use moneta_core::sync::{SyncOutcome, SyncPipeline};
use moneta_platform::config::{SeedArgs, Settings};
use moneta_platform::queue::InProcessJobQueue;
use secrecy::SecretString;
use tokio::sync::oneshot;

use crate::Runtime;

/// A queued sync is taken at once; this only bounds a wait that cannot
/// happen.
const TAKE_WAIT: Duration = Duration::from_secs(5);

/// What a seeding task did.
#[derive(Debug, Default)]
struct Tally {
    created: AtomicU64,
    synced: AtomicU64,
    transactions: AtomicU64,
}

/// Seeds, then prints what it made, its rate beside the floor's, and the
/// logins.
pub async fn seed(settings: Settings, args: &SeedArgs) -> anyhow::Result<()> {
    let clock: SharedClock = Arc::new(SystemClock);
    let runtime = Runtime::build(settings, clock.clone()).await?;
    let plan = SeedPlan {
        users: args.users,
        months: args.months,
        seed: args.seed,
        as_of: clock.now().date_naive(),
    };
    let sandbox = Arc::new(SandboxInstitution::with_shape(clock, plan.shape()));
    let institutions = Institutions::new([sandbox.clone() as Arc<dyn Institution>]);
    // The seed's syncs run in this process, in its own queue: a running
    // worker does not take them, and each task takes as many as it queued.
    let queue: Arc<dyn JobQueue> = Arc::new(InProcessJobQueue::new(Duration::from_secs(3_600)));
    let mut accounts = runtime.services.account_links.clone();
    accounts.institutions = institutions.clone();
    accounts.queue = queue.clone();
    let mut pipeline = runtime.worker.pipeline.clone();
    pipeline.institutions = institutions;
    let seeder = Seeder {
        plan,
        auth: runtime.services.auth.clone(),
        accounts,
        phc: hash_password(&args.password).await?,
    };
    let (stop, stopped) = oneshot::channel::<()>();
    let node = {
        let (node_ids, lease, ids) = (
            runtime.node_ids.clone(),
            runtime.node_lease.clone(),
            runtime.ids.clone(),
        );
        tokio::spawn(async move {
            node_ids
                .keep(&ids, lease, async move {
                    let _ = stopped.await;
                })
                .await;
        })
    };
    let result = run(&seeder, &pipeline, queue, args).await;
    let _ = stop.send(());
    let _ = node.await;
    let (tally, elapsed) = result?;
    let created = tally.created.load(Ordering::Relaxed);
    let synced = tally.synced.load(Ordering::Relaxed);
    let transactions = tally.transactions.load(Ordering::Relaxed);
    let rate = transactions as f64 / elapsed.as_secs_f64().max(f64::EPSILON);
    println!(
        "seeded {} users ({created} new, {} there already), {synced} account syncs, {transactions} transactions in {:.1} s: {rate:.0} tx/s",
        args.users,
        args.users - created,
        elapsed.as_secs_f64(),
    );
    if args.floor_users > 0 {
        let floor = floor_rate(&pipeline, &sandbox, &plan, args).await?;
        println!(
            "floor: raw multi-row upsert of {} users' rows: {floor:.0} tx/s; seed / floor {:.2}",
            args.floor_users.min(args.users),
            rate / floor,
        );
    }
    println!(
        "logins: user1@{domain} .. user{}@{domain}, password {:?}",
        args.users,
        args.password,
        domain = seed::EMAIL_DOMAIN,
    );
    Ok(())
}

/// The one hash every seeded user's password has (a seed of 100,000 users
/// cannot pay argon2 for each); refused like `register` refuses it.
async fn hash_password(password: &str) -> anyhow::Result<String> {
    let email = Email::parse(&SeedPlan::email(1)).context("the seed's addresses")?;
    let password = Password::parse(SecretString::from(password.to_owned()), &email)
        .context("the seed's --password")?;
    Ok(PasswordHasher::new(1)
        .hash(password.expose().clone())
        .await?)
}

/// `args.concurrency` tasks take the next user, prepare it and run the
/// syncs it queued.
async fn run(
    seeder: &Seeder,
    pipeline: &SyncPipeline,
    queue: Arc<dyn JobQueue>,
    args: &SeedArgs,
) -> anyhow::Result<(Arc<Tally>, Duration)> {
    let bar = progress(args);
    let next = Arc::new(AtomicU64::new(1));
    let tally = Arc::new(Tally::default());
    let started = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for task in 0..args.concurrency {
        let (seeder, pipeline, queue) = (seeder.clone(), pipeline.clone(), queue.clone());
        let (next, tally, bar, users) = (next.clone(), tally.clone(), bar.clone(), args.users);
        tasks.spawn(async move {
            let consumer = format!("seed-{task}");
            loop {
                let n = next.fetch_add(1, Ordering::Relaxed);
                if n > users {
                    return Ok::<(), anyhow::Error>(());
                }
                let prepared = seeder.prepare(n).await?;
                tally
                    .created
                    .fetch_add(u64::from(prepared.created), Ordering::Relaxed);
                for _ in 0..prepared.queued {
                    let delivery = queue
                        .next(&consumer, TAKE_WAIT)
                        .await?
                        .context("a queued seed sync was not delivered")?;
                    match pipeline.run(&delivery.job).await? {
                        SyncOutcome::Synced { added, .. } => {
                            tally.synced.fetch_add(1, Ordering::Relaxed);
                            tally
                                .transactions
                                .fetch_add(u64::from(added), Ordering::Relaxed);
                        }
                        other => anyhow::bail!("seed user {n}: its sync ended {other:?}"),
                    }
                    queue.ack(&delivery).await?;
                }
                bar.inc(1);
                let transactions = tally.transactions.load(Ordering::Relaxed);
                let secs = started.elapsed().as_secs_f64().max(f64::EPSILON);
                bar.set_message(format!(
                    "{transactions} tx, {:.0} tx/s",
                    transactions as f64 / secs
                ));
            }
        });
    }
    while let Some(done) = tasks.join_next().await {
        if let Err(error) = done.context("a seeding task panicked")? {
            tasks.abort_all();
            bar.abandon();
            return Err(error.context("seed stopped; run it again to resume"));
        }
    }
    bar.finish();
    Ok((tally, started.elapsed()))
}

fn progress(args: &SeedArgs) -> ProgressBar {
    if args.quiet {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(args.users);
    if let Ok(style) = ProgressStyle::with_template(
        "{elapsed_precise} [{bar:30}] {pos}/{len} users, {per_sec}, eta {eta} · {msg}",
    ) {
        bar.set_style(style.progress_chars("=> "));
    }
    bar
}

/// The raw upsert of the first `floor_users` users' histories (their first
/// accounts), under ids no user has (negative), then deleted; in tx/s.
async fn floor_rate(
    pipeline: &SyncPipeline,
    sandbox: &SandboxInstitution,
    plan: &SeedPlan,
    args: &SeedArgs,
) -> anyhow::Result<f64> {
    let users = args.floor_users.min(args.users);
    let histories: Vec<_> = (1..=users)
        .filter_map(|n| {
            let login = plan.logins(n).into_iter().next()?;
            let scratch = -i64::try_from(n).ok()?;
            Some((scratch, scratch, sandbox.first_sync(&login)))
        })
        .collect();
    let count: usize = histories.iter().map(|(_, _, h)| h.len()).sum();
    let scratch: Vec<i64> = histories.iter().map(|(u, _, _)| *u).collect();
    let db = &pipeline.db;
    let now = pipeline.clock.now();
    let rows = seed::floor_rows(db, &pipeline.categorizer, &pipeline.ids, &histories, now).await?;
    let concurrency = usize::try_from(args.concurrency).unwrap_or(1);
    let took = seed::upsert_floor(db, rows, concurrency).await;
    seed::remove_floor(db, &scratch).await?;
    Ok(count as f64 / took?.as_secs_f64().max(f64::EPSILON))
}
