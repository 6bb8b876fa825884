//! `moneta seed` as an operator runs it, against a cluster's MariaDB and
//! Redis with an api process serving: killed part-way, run again, it
//! resumes, and every planned user and account exists once, synced to
//! the sandbox's histories with nothing lost, duplicated or stale; the
//! seeded users sign in with the printed password.

use std::time::Duration;

use chrono::Utc;
use moneta_core::seed::SeedPlan;
use moneta_entities::users;
use sea_orm::{ColumnTrait as _, EntityTrait as _, QueryFilter as _, QuerySelect as _};
use serde_json::json;

use crate::harness::cluster::Cluster;
use crate::harness::invariants::figures_shaped;
use crate::harness::process::Process;

const USERS: u64 = 24;
/// Enough for a cold debug binary on a loaded machine.
const RUN: Duration = Duration::from_secs(180);

/// `moneta seed` for this test's plan, the floor over `floor_users`.
fn seed(cluster: &Cluster, floor_users: &str) -> Process {
    let users = USERS.to_string();
    let args = [
        "seed",
        "--users",
        &users,
        "--months",
        "3",
        "--seed",
        "7",
        "--concurrency",
        "2",
        "--floor-users",
        floor_users,
        "--quiet",
    ];
    Process::spawn(cluster.shared.moneta(&args, &[]))
}

#[tokio::test]
async fn a_seed_killed_part_way_resumes_and_makes_every_user_once() {
    let Some(cluster) = Cluster::start("seed").await else {
        return;
    };
    let mut first = seed(&cluster, "0");
    // Killed once some accounts are synced and others not yet.
    for _ in 0..5 {
        first.wait_for("the first run syncs an account", RUN, |line| {
            line.contains("\"sync finished\"").then_some(())
        });
    }
    first.kill();

    let mut second = seed(&cluster, "4");
    assert!(
        second.wait_exit(RUN),
        "the second run failed:\n{}",
        second.output()
    );
    let out = second.output();
    let summary = out
        .lines()
        .find(|l| l.starts_with("seeded "))
        .unwrap_or_else(|| panic!("no summary line:\n{out}"));
    assert!(
        summary.starts_with(&format!("seeded {USERS} users ("))
            && !summary.contains(" 0 there already"),
        "the first run was killed part-way, the second found its users: {summary}"
    );
    assert!(
        out.contains("seed / floor"),
        "the floor is measured:\n{out}"
    );
    assert!(
        out.contains("password \"moneta-seed-password\""),
        "the logins are printed:\n{out}"
    );

    let db = cluster.shared.db.connect().await;
    let emails: Vec<String> = (1..=USERS).map(SeedPlan::email).collect();
    let ids: Vec<i64> = users::Entity::find()
        .select_only()
        .column(users::Column::Id)
        .filter(users::Column::EmailNormalized.is_in(emails))
        .into_tuple()
        .all(&db)
        .await
        .unwrap();
    assert_eq!(ids.len() as u64, USERS, "each planned user once");
    let plan = SeedPlan {
        users: USERS,
        months: 3,
        seed: 7,
        as_of: Utc::now().date_naive(),
    };
    let planned: usize = (1..=USERS).map(|n| plan.logins(n).len()).sum();
    let figures = figures_shaped(&db, &ids, plan.shape()).await;
    eprintln!("after a kill and a resume: {figures}");
    assert_eq!(figures.accounts, planned, "each planned account once");
    assert!(figures.clean(), "{figures}");
    assert!(figures.implied_alerts > 0, "the histories cross budgets");

    // A seeded user signs in as the load scripts do, and sees its data.
    let login = cluster
        .client
        .graphql(
            None,
            "mutation($input: LoginInput!) { login(input: $input) { accessToken } }",
            json!({ "input": { "email": SeedPlan::email(3), "password": "moneta-seed-password" } }),
        )
        .await;
    let token = login["data"]["login"]["accessToken"]
        .as_str()
        .unwrap_or_else(|| panic!("{login}"))
        .to_owned();
    let accounts = cluster
        .client
        .graphql(Some(&token), "{ accounts { status } }", json!({}))
        .await;
    assert_eq!(
        accounts["data"]["accounts"][0]["status"], "ACTIVE",
        "{accounts}"
    );
}

/// A kill between claiming an address and creating its user leaves a
/// claim with no user: the next run finishes that user, under the id the
/// claim holds (the CI run that killed a seed at that instant found it).
#[tokio::test]
async fn a_seed_finishes_a_user_whose_creation_was_killed_after_its_claim() {
    let Some(cluster) = Cluster::start("seed_claim").await else {
        return;
    };
    let db = cluster.shared.db.connect().await;
    let claimed = moneta_core::UserId::new(4_242_424_242);
    moneta_entities::user_emails::Entity::insert(moneta_entities::user_emails::ActiveModel {
        email_normalized: sea_orm::ActiveValue::Set(SeedPlan::email(1)),
        keyspace_id: sea_orm::ActiveValue::Set(moneta_core::auth::keyspace_id(claimed).to_vec()),
        created_at: sea_orm::ActiveValue::Set(Utc::now()),
    })
    .exec(&db)
    .await
    .unwrap();
    let args = ["seed", "--users", "2", "--floor-users", "0", "--quiet"];
    let mut run = Process::spawn(cluster.shared.moneta(&args, &[]));
    assert!(run.wait_exit(RUN), "the seed failed:\n{}", run.output());
    let id: Option<i64> = users::Entity::find()
        .select_only()
        .column(users::Column::Id)
        .filter(users::Column::EmailNormalized.eq(SeedPlan::email(1)))
        .into_tuple()
        .one(&db)
        .await
        .unwrap();
    assert_eq!(id, Some(claimed.get()), "user1 made under its claim's id");
}
