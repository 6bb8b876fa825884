//! Retention jobs: each deletes what is past its horizon and nothing else
//! (just inside the horizon kept, just outside deleted; other users' rows,
//! unread notifications, recent budget alerts and live users' claims kept).

use chrono::{DateTime, Duration, TimeZone as _, Utc};
use moneta_core::UserId;
use moneta_core::auth::keyspace_id;
use moneta_core::clock::FixedClock;
use moneta_core::retention::ClaimHorizon;
use moneta_entities::{notifications, refresh_tokens, user_emails, users};
use moneta_platform::config::Role;
use moneta_workers::jobs::{self, purge_notifications, purge_refresh_tokens, release_email_claims};
use sea_orm::{
    ActiveValue::Set, ColumnTrait as _, DatabaseConnection, EntityTrait as _, QueryFilter as _,
    QueryOrder as _, QuerySelect as _,
};
use serde_json::json;

use crate::harness::TestApp;
use crate::harness::app::Options;

const REFRESH: &str = "mutation($input: RefreshTokenInput!) { refreshToken(input: $input) { refreshToken userErrors { code } } }";

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2027, 6, 15, 12, 0, 0).unwrap()
}

/// An API-only server (no scheduler firing on the real clock) at `clock`.
async fn app_at(clock: &FixedClock) -> TestApp {
    TestApp::spawn_with(Options {
        clock: Some(clock.clone()),
        tweak: Some(Box::new(|s| s.role = Role::Api)),
        ..Default::default()
    })
    .await
}

async fn deleted_metric(app: &TestApp, job: &str) -> f64 {
    app.metric(&format!("moneta_retention_deleted_total{{job=\"{job}\"}}"))
        .await
}

/// Inserts `rows` one user at a time, 200 a statement: a write touches
/// one user (the routing check's rule 2 holds for fixtures too).
async fn insert_per_user<A>(db: &DatabaseConnection, rows: Vec<A>, user: impl Fn(&A) -> i64)
where
    A: sea_orm::ActiveModelTrait + Clone + Send,
{
    let mut users: Vec<i64> = rows.iter().map(&user).collect();
    users.dedup();
    for id in users {
        let mine: Vec<A> = rows.iter().filter(|r| user(r) == id).cloned().collect();
        for chunk in mine.chunks(200) {
            <A::Entity as sea_orm::EntityTrait>::insert_many(chunk.to_vec())
                .exec(db)
                .await
                .unwrap();
        }
    }
}

// ---------------------------------------------------------------------------
// Refresh tokens
// ---------------------------------------------------------------------------

fn token(
    user: i64,
    id: i64,
    expires_at: DateTime<Utc>,
    revoked_at: Option<DateTime<Utc>>,
) -> refresh_tokens::ActiveModel {
    refresh_tokens::ActiveModel {
        user_id: Set(user),
        id: Set(id),
        family_id: Set(id),
        token_hash: Set(format!("{user:032x}{id:032x}")),
        expires_at: Set(expires_at),
        created_at: Set(expires_at - Duration::days(30)),
        revoked_at: Set(revoked_at),
    }
}

async fn token_ids(db: &DatabaseConnection, user: i64) -> Vec<i64> {
    refresh_tokens::Entity::find()
        .select_only()
        .column(refresh_tokens::Column::Id)
        .filter(refresh_tokens::Column::UserId.eq(user))
        .order_by_asc(refresh_tokens::Column::Id)
        .into_tuple()
        .all(db)
        .await
        .unwrap()
}

#[tokio::test]
async fn refresh_tokens_go_a_horizon_after_they_expired_or_were_revoked() {
    let clock = FixedClock::new(now());
    let app = app_at(&clock).await;
    let db = app.db.connect().await;
    // The default horizon: 30 days.
    let cutoff = now() - Duration::days(30);
    let second = Duration::seconds(1);
    let far = now() + Duration::days(20);
    let (alice, bob, carol) = (1_001, 1_002, 1_003);
    let mut rows = vec![
        token(alice, 1, cutoff - second, None), // expired just outside: goes
        token(alice, 2, cutoff + second, None), // expired just inside: stays
        token(alice, 3, far, Some(cutoff - second)), // revoked just outside: goes
        token(alice, 4, far, Some(cutoff + second)), // revoked just inside: stays
        token(alice, 5, far, None),             // live: stays
        token(bob, 1, cutoff - Duration::days(90), None), // long expired: goes
        token(bob, 2, far, None),               // live: stays
    ];
    // More than one scan batch of one user.
    let many = moneta_core::retention::BATCH as i64 + 1;
    rows.extend((1..=many).map(|id| token(carol, id, far, Some(cutoff - Duration::days(1)))));
    insert_per_user(&db, rows, |t| t.user_id.clone().unwrap()).await;

    let deleted = purge_refresh_tokens::run(&app.runtime.worker)
        .await
        .unwrap();

    assert_eq!(deleted, 3 + many as u64);
    assert_eq!(token_ids(&db, alice).await, [2, 4, 5]);
    assert_eq!(token_ids(&db, bob).await, [2]);
    assert!(token_ids(&db, carol).await.is_empty());
    assert_eq!(
        deleted_metric(&app, purge_refresh_tokens::NAME).await,
        deleted as f64
    );
    // Nothing left to do.
    assert_eq!(
        purge_refresh_tokens::run(&app.runtime.worker)
            .await
            .unwrap(),
        0
    );
}

/// The trade-off of deleting revoked tokens: a rotated token replayed
/// after the horizon is unknown — still refused, never accepted.
#[tokio::test]
async fn a_rotated_token_deleted_after_the_horizon_is_still_refused() {
    let clock = FixedClock::new(now());
    let app = app_at(&clock).await;
    let (_, first, _) = app.signed_up().await;
    let rotated = app
        .graphql(REFRESH, json!({ "input": { "refreshToken": first } }))
        .await;
    assert_eq!(rotated["data"]["refreshToken"]["userErrors"], json!([]));

    clock.advance(Duration::days(30) + Duration::seconds(1));
    // The rotated one goes; the one it was rotated into has not expired
    // for a horizon yet.
    assert_eq!(
        purge_refresh_tokens::run(&app.runtime.worker)
            .await
            .unwrap(),
        1
    );

    let replayed = app
        .graphql(REFRESH, json!({ "input": { "refreshToken": first } }))
        .await;
    assert_eq!(
        replayed["data"]["refreshToken"]["userErrors"][0]["code"], "INVALID_CREDENTIALS",
        "{replayed}"
    );
}

/// Every replica's scheduler fires the tick; the first to take the day's
/// lease runs it.
#[tokio::test]
async fn a_scheduled_retention_job_runs_once_a_day() {
    let clock = FixedClock::new(now());
    let app = app_at(&clock).await;
    let db = app.db.connect().await;
    let expired = |id| token(2_001, id, now() - Duration::days(31), None);
    let job = jobs::find(purge_refresh_tokens::NAME).unwrap();
    let worker = app.runtime.worker.clone();

    refresh_tokens::Entity::insert(expired(1))
        .exec(&db)
        .await
        .unwrap();
    (job.run)(worker.clone()).await.unwrap();
    assert!(token_ids(&db, 2_001).await.is_empty());

    // Another replica, the same day: the lease is taken, nothing runs.
    refresh_tokens::Entity::insert(expired(2))
        .exec(&db)
        .await
        .unwrap();
    (job.run)(worker.clone()).await.unwrap();
    assert_eq!(token_ids(&db, 2_001).await, [2]);

    clock.advance(Duration::days(1));
    (job.run)(worker).await.unwrap();
    assert!(token_ids(&db, 2_001).await.is_empty());
}

// ---------------------------------------------------------------------------
// Notifications
// ---------------------------------------------------------------------------

fn notification(
    user: i64,
    id: i64,
    kind: &str,
    read: bool,
    created_at: DateTime<Utc>,
) -> notifications::ActiveModel {
    let alert = kind.starts_with("BUDGET_");
    notifications::ActiveModel {
        user_id: Set(user),
        id: Set(id),
        kind: Set(kind.to_owned()),
        // Budget alerts are unique per (user, kind, category, month).
        category: Set(alert.then(|| "FOOD".to_owned())),
        month: Set(alert.then_some(200_000 + i32::try_from(id).unwrap())),
        message: Set(format!("{kind} {id}")),
        is_read: Set(read),
        created_at: Set(created_at),
    }
}

async fn notification_ids(db: &DatabaseConnection, user: i64) -> Vec<i64> {
    notifications::Entity::find()
        .select_only()
        .column(notifications::Column::Id)
        .filter(notifications::Column::UserId.eq(user))
        .order_by_asc(notifications::Column::Id)
        .into_tuple()
        .all(db)
        .await
        .unwrap()
}

#[tokio::test]
async fn read_sync_notifications_go_and_budget_alerts_stay_thirteen_months() {
    let clock = FixedClock::new(now());
    let app = app_at(&clock).await;
    let db = app.db.connect().await;
    // The defaults: 30 days for read sync results, 13 months for alerts.
    let sync_cutoff = now() - Duration::days(30);
    let alert_cutoff = Utc.with_ymd_and_hms(2026, 5, 15, 12, 0, 0).unwrap();
    let second = Duration::seconds(1);
    let (alice, bob) = (3_001, 3_002);
    let rows = vec![
        notification(alice, 1, "SYNC_COMPLETED", true, sync_cutoff - second), // goes
        notification(alice, 2, "SYNC_FAILED", true, sync_cutoff - second),    // goes
        notification(alice, 3, "SYNC_COMPLETED", true, sync_cutoff + second), // stays: inside
        notification(alice, 4, "SYNC_FAILED", false, now() - Duration::days(900)), // stays: unread
        notification(alice, 5, "BUDGET_EXCEEDED", true, alert_cutoff + second), // stays: 13 months
        notification(alice, 6, "BUDGET_APPROACHING", false, alert_cutoff - second), // goes
        notification(alice, 7, "BUDGET_EXCEEDED", true, alert_cutoff - second), // goes
        notification(alice, 8, "BUDGET_APPROACHING", true, sync_cutoff - second), // stays
        notification(bob, 1, "SYNC_COMPLETED", true, now() - Duration::days(400)), // goes
        notification(
            bob,
            2,
            "BUDGET_APPROACHING",
            true,
            now() - Duration::days(200),
        ), // stays
        notification(bob, 3, "SYNC_COMPLETED", false, sync_cutoff - second),  // stays: unread
    ];
    insert_per_user(&db, rows, |n| n.user_id.clone().unwrap()).await;

    let deleted = purge_notifications::run(&app.runtime.worker).await.unwrap();

    assert_eq!(deleted, 5);
    assert_eq!(notification_ids(&db, alice).await, [3, 4, 5, 8]);
    assert_eq!(notification_ids(&db, bob).await, [2, 3]);
    assert_eq!(deleted_metric(&app, purge_notifications::NAME).await, 5.0);
    assert_eq!(
        purge_notifications::run(&app.runtime.worker).await.unwrap(),
        0
    );
}

// ---------------------------------------------------------------------------
// Email claims
// ---------------------------------------------------------------------------

async fn claim(db: &DatabaseConnection, email: &str, keyspace_id: Vec<u8>, at: DateTime<Utc>) {
    user_emails::Entity::insert(user_emails::ActiveModel {
        email_normalized: Set(email.to_owned()),
        keyspace_id: Set(keyspace_id),
        created_at: Set(at),
    })
    .exec(db)
    .await
    .unwrap();
}

async fn claimed(db: &DatabaseConnection) -> Vec<String> {
    user_emails::Entity::find()
        .select_only()
        .column(user_emails::Column::EmailNormalized)
        .order_by_asc(user_emails::Column::EmailNormalized)
        .into_tuple()
        .all(db)
        .await
        .unwrap()
}

#[tokio::test]
async fn abandoned_email_claims_are_released_and_live_ones_kept() {
    let clock = FixedClock::new(now() - Duration::hours(3));
    let app = app_at(&clock).await;
    let db = app.db.connect().await;
    // A real registration, three hours ago: claim and user.
    let live = app
        .register("live@example.com", "a long enough password")
        .await;
    assert_eq!(live["userErrors"], json!([]), "{live}");
    clock.set(now());
    // The defaults: claims older than an hour, made in the 7 days before.
    let cutoff = now() - Duration::hours(1);
    let second = Duration::seconds(1);
    let nobody = |id| keyspace_id(UserId::new(id)).to_vec();
    claim(&db, "dead@example.com", nobody(9_001), cutoff - second).await;
    claim(&db, "in-flight@example.com", nobody(9_002), cutoff + second).await;
    claim(
        &db,
        "ancient@example.com",
        nobody(9_003),
        cutoff - Duration::days(7) - second,
    )
    .await;
    claim(
        &db,
        "odd@example.com",
        vec![1, 2, 3],
        cutoff - Duration::minutes(5),
    )
    .await;
    // The dead registration's address is taken until released.
    let again = app
        .register("dead@example.com", "a long enough password")
        .await;
    assert_eq!(again["userErrors"][0]["code"], "TAKEN", "{again}");

    let released = release_email_claims::run(&app.runtime.worker)
        .await
        .unwrap();

    assert_eq!(released, 1);
    assert_eq!(
        claimed(&db).await,
        [
            "ancient@example.com",
            "in-flight@example.com",
            "live@example.com",
            "odd@example.com"
        ]
    );
    assert_eq!(deleted_metric(&app, release_email_claims::NAME).await, 1.0);
    let again = app
        .register("dead@example.com", "a long enough password")
        .await;
    assert_eq!(again["userErrors"], json!([]), "{again}");

    // A one-off sweep with a longer lookback reaches the ancient claim.
    let mut sweep = app.runtime.worker.clone();
    sweep.retention.email_claims = ClaimHorizon::new(60, 3_650).unwrap();
    assert_eq!(release_email_claims::run(&sweep).await.unwrap(), 1);
    assert_eq!(
        claimed(&db).await,
        [
            "dead@example.com",
            "in-flight@example.com",
            "live@example.com",
            "odd@example.com"
        ]
    );
    // The users are untouched.
    let emails: Vec<String> = users::Entity::find()
        .select_only()
        .column(users::Column::EmailNormalized)
        .filter(users::Column::EmailNormalized.is_in([
            "ancient@example.com",
            "dead@example.com",
            "in-flight@example.com",
            "live@example.com",
        ]))
        .order_by_asc(users::Column::EmailNormalized)
        .into_tuple()
        .all(&db)
        .await
        .unwrap();
    assert_eq!(emails, ["dead@example.com", "live@example.com"]);
}

// ---------------------------------------------------------------------------
// `moneta jobs run`
// ---------------------------------------------------------------------------

#[tokio::test]
async fn jobs_run_names_the_known_jobs_for_an_unknown_one() {
    let settings = moneta_platform::config::Settings::defaults();
    let error = moneta::run_job(settings, "no-such-job")
        .await
        .unwrap_err()
        .to_string();
    for name in [
        "daily-sync",
        purge_refresh_tokens::NAME,
        purge_notifications::NAME,
        release_email_claims::NAME,
    ] {
        assert!(error.contains(name), "{error}");
    }
}

/// A worker told to schedule a job that does not exist refuses to start,
/// naming the ones that do; `none` and a list of known names start.
#[tokio::test]
async fn scheduled_jobs_names_only_known_jobs() {
    let mut settings = moneta_platform::config::Settings::defaults();
    settings.scheduled_jobs = vec!["daily-sync".to_owned(), "no-such-job".to_owned()];
    let Err(error) = moneta::Application::build(settings).await else {
        panic!("a worker scheduling an unknown job started");
    };
    let error = error.to_string();
    assert!(error.contains("no-such-job"), "{error}");
    for name in ["all", "none", "daily-sync", purge_notifications::NAME] {
        assert!(error.contains(name), "{error}");
    }
}
